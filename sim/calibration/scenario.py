"""The calibrated scenario: the log's communities and demand on the base scenario's staffing.

The file is complete (no ``extends:``): ``extends:`` merges lists by id and mappings key by key,
so the base's own communities and categories would stay in it beside the log's. What is taken
from the base (staffing, calendars, dispatch, travel, departments, reporting, targets, pay) is
copied, and every figure says where it comes from: the log (rows, window, method) or the base
(an ESTIMATE unless the base cites it).
"""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml

from sim.scenario.governance import CARE_VISIT

FIRST_RESPONDERS = ("community_workers", "grid_members")
"""Roles that take the log's new categories when their base lists categories one by one."""
CATEGORY_KEYS = ("priority", "urgent", "preempt", "walk_in", "escalation", "respond_within_min",
                 "resolve_within_h")
"""What a category mapped onto one of the base's keeps from it (all but rate, profile,
handling and reporting delay, which come from the log or its rule)."""
COPIED = ("calendars", "staffing", "dispatch", "travel", "departments", "county_review_after_h",
          "reporting", "targets", "pay", "experiment")


def make_ids(names: list[str], prefix: str) -> dict[str, str]:
    """Code names for display names: lower-case ASCII words joined by ``_``, unique; names
    without ASCII letters become ``<prefix>_<n>``."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for i, name in enumerate(names, start=1):
        base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:36].strip("_")
        if not base:
            base = f"{prefix}_{i}"
        elif not base[0].isalpha():
            base = f"{prefix}_{base}"[:36]
        ident, k = base, 2
        while ident in used:
            ident, k = f"{base}_{k}", k + 1
        used.add(ident)
        out[name] = ident
    return out


def _flow(value: Any) -> str:
    """A value as one-line YAML."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000,
                          sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _numbers(values: list[float], digits: int = 3) -> str:
    return "[" + ", ".join(f"{v:.{digits}f}" for v in values) + "]"


def copied_sections(base: dict[str, Any], demand: list[str], new: list[str],
                    base_name: str, notes: list[str]) -> dict[str, Any]:
    """The base's sections kept for the calibrated scenario, with role skills and targets
    fitted to the log's categories."""
    out = {k: copy.deepcopy(base[k]) for k in COPIED if base.get(k) is not None}
    known = set(demand) | {CARE_VISIT}
    for role, spec in out.get("staffing", {}).items():
        listed = spec.get("categories") if isinstance(spec, dict) else None
        if isinstance(listed, list):
            kept = [c for c in listed if c in known]
            if role in FIRST_RESPONDERS:
                kept += [c for c in new if c not in kept]
            if kept != listed:
                notes.append(f"staffing.{role}.categories: the base's list, kept to the log's "
                             "categories" + (" plus its new ones" if role in FIRST_RESPONDERS
                                             else ""))
            spec["categories"] = kept
    targets = out.get("targets")
    if isinstance(targets, list):
        kept = [t for t in targets if t.get("category", "all") in set(demand) | {"all"}]
        if len(kept) != len(targets):
            notes.append(f"targets: {len(targets) - len(kept)} of the base's targets name "
                         "categories the log does not have and are left out")
        out["targets"] = kept
    return out


def write_yaml(header: list[str], name: str, description: str, horizon: dict[str, Any],
               communities: tuple[str, list[tuple[dict[str, Any], str]]],
               profile: tuple[dict[str, list[float]], list[str]],
               demand: list[tuple[str, dict[str, Any], list[str]]],
               copied: dict[str, Any], base_name: str, notes: list[str]) -> str:
    """The scenario as commented YAML: every fitted figure with its source in a comment."""
    lines = [f"# {h}" if h else "#" for h in header]
    lines += [f"name: {_flow(name)}", f"description: {_flow(description)}",
              f"horizon: {_flow(horizon)}", "", f"# {communities[0]}", "communities:"]
    for community, comment in communities[1]:
        lines.append(f"  - {_flow(community)}")
        lines.append(f"    # {comment}")
    values, comments = profile
    lines += [""] + [f"# {c}" for c in comments] + ["arrival_profile:"]
    for key, numbers in values.items():
        lines.append(f"  {key}: {_numbers(numbers)}")
    lines += ["", "demand:"]
    for code, spec, comments in demand:
        lines += [f"  # {c}" for c in comments]
        lines.append(f"  {code}:")
        for key, value in spec.items():
            if key == "arrival_profile":
                lines.append("    arrival_profile:")
                for k, v in value.items():
                    lines.append(f"      {k}: {_numbers(v)}")
            else:
                lines.append(f"    {key}: {_flow(value)}")
    lines += ["", f"# Copied from the base scenario {base_name} (its figures are its own: "
              "ESTIMATES unless it cites them)."]
    lines += [f"# - {n}" for n in notes]
    lines.append(yaml.safe_dump(copied, sort_keys=False, allow_unicode=True, width=100))
    return "\n".join(lines)
