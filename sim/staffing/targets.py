"""Targets compiled against a scenario, measured on issue arrays, and parsed from the command line.

The same :class:`TargetSet` measures the fast screen's issues and the full model's per-issue
records, so the two are compared on exactly the same definition: the share of the issues that
arrive in the observation window (after the warm-up; for ``hours: working`` also in working hours)
whose response (minutes) or resolution (hours) is within the limit of their category.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.errors import UsageError
from sim.scenario.governance import Calendar
from sim.scenario.policy import ALL, Target, describe_calendar, target_problems
from sim.scenario.schema import Scenario

UTILISATION = "utilisation"


@dataclass(frozen=True)
class TargetSet:
    """The targets of one recommendation, with each target's time limit per category.

    ``limits[i][k]`` is target i's limit for category k (minutes for response, hours for
    resolution), NaN where the category does not count.
    """

    targets: tuple[Target, ...]
    categories: tuple[str, ...]
    limits: tuple[np.ndarray, ...]
    windows: tuple[Calendar | None, ...]
    start: dt.date
    warmup_min: float
    horizon_min: float

    @classmethod
    def compile(cls, targets: Sequence[Target], scenario: Scenario) -> TargetSet:
        categories = tuple(scenario.demand)
        limits = []
        for target in targets:
            found = target.thresholds(scenario.demand) if target.metric != UTILISATION else {}
            limits.append(np.array([found.get(k, np.nan) for k in categories]))
        horizon = scenario.horizon
        workers = scenario.staffing.community_workers.calendar
        windows = tuple(t.window(scenario.calendars, workers) for t in targets)
        return cls(tuple(targets), categories, tuple(limits), windows, horizon.start,
                   horizon.warmup_days * 1440.0, horizon.days * 1440.0)

    def describe(self, index: int) -> str:
        """Target ``index`` in plain words, with its working hours."""
        return self.targets[index].describe(self.windows[index])

    def descriptions(self) -> list[str]:
        return [self.describe(i) for i in range(len(self.targets))]

    @property
    def service(self) -> list[tuple[int, Target]]:
        """(index, target) of the response and resolution targets."""
        return [(i, t) for i, t in enumerate(self.targets) if t.metric != UTILISATION]

    @property
    def max_utilisation(self) -> float | None:
        caps = [t.at_most for t in self.targets if t.metric == UTILISATION]
        return caps[0] if caps else None

    @property
    def keys(self) -> list[str]:
        """Column names of the measured quantities: service targets, then utilisation."""
        return [t.key for _, t in self.service] + [UTILISATION]

    def goal(self, key: str) -> tuple[float, str] | None:
        """(bound, '>=' or '<=') that the mean of ``key`` must satisfy, or None (no bound)."""
        for target in self.targets:
            if target.key == key:
                if target.metric == UTILISATION:
                    return float(target.at_most), "<="  # type: ignore[arg-type]
                return float(target.share), ">="  # type: ignore[arg-type]
        return None

    def meets(self, means: dict[str, float]) -> bool:
        """Whether mean values (by key) meet every target; a missing or NaN value misses."""
        for key in self.keys:
            goal = self.goal(key)
            if goal is None:
                continue
            value = means.get(key, np.nan)
            if not np.isfinite(value):
                return False
            bound, sense = goal
            if (sense == ">=" and value < bound) or (sense == "<=" and value > bound):
                return False
        return True

    def masks(
        self,
        category: np.ndarray,
        occurred_min: np.ndarray,
        reported_min: np.ndarray,
        response_min: np.ndarray,
        resolution_h: np.ndarray,
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """For each service target, (counted, met): which issues count and which meet it.

        ``category`` holds category indices (positions in ``categories``; -1 for issues of no
        scenario category, e.g. care visits, which never count). As in the model's recorder,
        issues count when they occur in the observation window, and a response (resolution)
        target counts the issues responded to (resolved): NaN values are left out. Working
        hours are judged on arrival at the community, ``reported_min``.
        """
        seen = (occurred_min >= self.warmup_min) & (occurred_min <= self.horizon_min)
        office: dict[str, np.ndarray] = {}
        out = {}
        for i, target in self.service:
            limit = np.append(self.limits[i], np.nan)[category]  # -1 -> NaN
            value = response_min if target.metric == "response" else resolution_h
            counted = seen & np.isfinite(limit) & np.isfinite(value)
            window = self.windows[i]
            if window is not None:
                name = describe_calendar(window)
                if name not in office:
                    office[name] = window.contains(reported_min, self.start)
                counted &= office[name]
            out[target.key] = (counted, counted & (value <= limit))
        return out

    def shares(self, *issues: np.ndarray) -> dict[str, float]:
        """Each service target's share met by these issues (NaN when no issue counts); the
        arguments are those of :meth:`masks`."""
        out = {}
        for key, (counted, met) in self.masks(*issues).items():
            n = int(np.count_nonzero(counted))
            out[key] = np.count_nonzero(met) / n if n else np.nan
        return out


# ---------------------------------------------------------------- the command line

TARGET_HELP = """targets (--target, repeatable; they replace the scenario's targets:):
  respond_within_min=30@0.90   90% of issues responded to within 30 minutes
  resolve_within_h=72@95%      95% resolved within 72 hours
  respond@0.90, resolve@0.95   the share within each category's own limit
  max_utilisation=0.85         workers busy at most 85% of their working time
then optionally ,category=NAME (default all) and ,hours=working: only issues arriving in
working hours count (the community workers' calendar, or Mon-Fri 08:00-12:00, 14:00-18:00;
,calendar=NAME picks another); ,hours=around_the_clock is the default. Example:
  gridsim recommend s.yaml -t respond_within_min=30@0.9,category=public_service,hours=working"""

_SPEC = re.compile(
    r"^(?P<name>respond_within_min|resolve_within_h|respond|resolve|max_utilisation)"
    r"(?:=(?P<limit>[^@]+))?(?:@(?P<share>.+))?$"
)


def _number(text: str, option: str, what: str) -> float:
    text = text.strip()
    percent = text.endswith("%")
    try:
        value = float(text[:-1] if percent else text)
    except ValueError:
        raise UsageError(f"--target {option!r}: {what} {text!r} is not a number") from None
    return value / 100 if percent else value


def parse_target(text: str, categories: Sequence[str] | None = None) -> Target:
    """A :class:`Target` from the command-line form (see ``TARGET_HELP``).

    ``categories`` (the scenario's) are checked when given. Raises :class:`UsageError` naming
    the option on any problem.
    """
    head, *options = [part.strip() for part in text.split(",")]
    match = _SPEC.match(head)
    if not match:
        raise UsageError(
            f"--target {text!r}: expected respond_within_min=MIN@SHARE, resolve_within_h=H@SHARE, "
            "respond@SHARE, resolve@SHARE or max_utilisation=U"
        )
    name, limit, share = match["name"], match["limit"], match["share"]
    fields: dict[str, object] = {}
    if name == "max_utilisation":
        if limit is None or share is not None:
            raise UsageError(f"--target {text!r}: write max_utilisation=U, e.g. 0.85")
        fields = {"metric": UTILISATION, "at_most": _number(limit, text, "utilisation")}
    else:
        if share is None:
            raise UsageError(f"--target {text!r}: missing @SHARE, e.g. {name}=30@0.90")
        metric = "response" if name.startswith("respond") else "resolution"
        fields = {"metric": metric, "share": _number(share, text, "share")}
        if name.endswith(("_min", "_h")):
            if limit is None:
                raise UsageError(f"--target {text!r}: missing the time limit after {name}=")
            fields["within_min" if metric == "response" else "within_h"] = _number(
                limit, text, "time limit")
        elif limit is not None:
            raise UsageError(f"--target {text!r}: {name}@SHARE takes no time limit; "
                             f"use {name}_within_{'min' if metric == 'response' else 'h'}=...")
    for option in options:
        key, _, value = option.partition("=")
        if key not in ("category", "hours", "calendar") or not value:
            raise UsageError(f"--target {text!r}: unknown option {option!r} (use category=NAME, "
                             "hours=working|around_the_clock or calendar=NAME)")
        fields[key] = value
    try:
        target = Target.model_validate(fields)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        errors = getattr(exc, "errors", lambda: [])()
        why = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'target'}: "
            f"{e['msg'].removeprefix('Value error, ')}" for e in errors
        ) or str(exc)
        raise UsageError(f"--target {text!r}: {why}") from None
    if categories is not None and target.category not in (ALL, *categories):
        raise UsageError(f"--target {text!r}: unknown category '{target.category}' "
                         f"(categories: all, {', '.join(categories)})")
    return target


def resolve_targets(scenario: Scenario, given: Sequence[str | Target] | None) -> list[Target]:
    """The targets of a recommendation: ``given`` (strings or Targets) or the scenario's."""
    if not given:
        if not scenario.targets:
            raise UsageError(
                "no targets: give --target (e.g. --target respond_within_min=30@0.90) or add a "
                "targets: list to the scenario"
            )
        return list(scenario.targets)
    targets = [t if isinstance(t, Target) else parse_target(t, list(scenario.demand))
               for t in given]
    problems = target_problems(targets, scenario.demand, scenario.calendars)
    if problems:
        raise UsageError("--target: " + "; ".join(f"target {p}" for p in problems))
    return targets
