"""``gridsim init``: a complete, commented starting scenario for a new district from its grid
table, on the calibrated defaults of the shipped baseline (``scenarios/chengcheng.yaml``, whose
figures and sources are in docs/calibration.md).

The district's own parts are written from its tables: ``grid_file:`` naming the grid table, and
the communities (one per ``community_id`` of the grids, households their grids' sum, the office
at the households' centre, ESTIMATE) or ``communities_file:`` naming the district's own table.
Everything else is the baseline's, taken as the baseline file writes it, comments and ESTIMATE
marks included, so the two cannot drift apart: calendars, staffing, dispatch, travel, the
departments (their capacities scaled to the district's households), county review, care
visits, reporting, arrival profiles, categories with their targets, the targets and the pay
table. The baseline's service points, candidate sites and workforce are its own town's and are
left out. The file is checked by loading it before it is put in place.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shlex
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from sim.errors import ScenarioError
from sim.scenario.common import Identifier
from sim.scenario.gridfiles import GEOJSON_SUFFIXES, read_geojson_grids, read_table_grids
from sim.scenario.loading import load_scenario
from sim.scenario.tables import TableRef, table_ref

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "chengcheng.yaml"
COPIED = ("horizon", "calendars", "staffing", "dispatch", "travel", "county_review_after_h",
          "care_visits", "reporting", "arrival_profile", "demand", "experiment", "targets",
          "pay")
"""The baseline's top-level keys written as they are (with their comments)."""
_KEY = re.compile(r"^([a-z_]+):")
_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)


def init_scenario(grids: str | Path | TableRef, out: str | Path, name: str | None = None,
                  communities: str | Path | TableRef | None = None,
                  baseline: str | Path = BASELINE, overwrite: bool = False) -> Path:
    """Write a starting scenario for the district of the grid table ``grids`` (CSV, .xlsx or
    GeoJSON; a :class:`~sim.scenario.tables.TableRef` for a workbook's sheet) to ``out`` and
    return its path. ``communities``: the district's communities table (else one community per
    ``community_id`` of the grids); ``name``: the scenario's name (default the file's stem).
    The file validates as written; an existing ``out`` is refused unless ``overwrite``."""
    out = Path(out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise ScenarioError([f"{out}: a scenario file ends in .yaml"])
    if out.exists() and not overwrite:
        raise ScenarioError([f"{out}: exists already; choose another output file or delete it"])
    if not out.parent.is_dir():
        raise ScenarioError([f"{out.parent}: no such folder (for {out.name})"])
    grid_ref = grids if isinstance(grids, TableRef) else table_ref(str(grids), "--grids", "init")
    community_ref = None if communities is None else (
        communities if isinstance(communities, TableRef)
        else table_ref(str(communities), "--communities", "init"))
    base = load_scenario(baseline)
    text = starter_text(base.data, _read_text(Path(baseline)), grid_ref, community_ref, out,
                        name or out.stem)
    with _beside(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
        try:
            load_scenario(tmp)
        except ScenarioError as exc:
            raise ScenarioError([p.replace(str(tmp), str(out)) for p in exc.problems]) from None
        os.replace(tmp, out)
    return out


@contextlib.contextmanager
def _beside(out: Path) -> Iterator[Path]:
    """A temporary file beside ``out`` (so relative paths in it hold), removed unless renamed."""
    tmp = out.with_name(f".{out.stem}.tmp-{os.getpid()}{out.suffix}")
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the district's own parts


def district_communities(ref: TableRef) -> list[dict[str, Any]]:
    """One community per ``community_id`` of the grid table, in the table's order: households
    the sum of its grids', office at its grids' centre weighted by households."""
    named = "named by --grids"
    if ref.path.suffix.lower() in GEOJSON_SUFFIXES:
        if not ref.path.is_file():
            raise ScenarioError([f"{ref.path}: no such file ({named})"])
        records, problems = read_geojson_grids(ref.path)
        where = str(ref.path)
    else:
        records, problems, table = read_table_grids(ref, named)
        where = table.where
    if problems:
        raise ScenarioError(problems)
    grouped: dict[str, list[Any]] = {}
    for record in records:
        cid = str(record.community_id)
        try:
            _IDENTIFIER.validate_python(cid)
        except ValidationError:
            raise ScenarioError([f"{where}: {record.where}: community_id: must be a code name: "
                                 "letters of any script (lower-case where the script has case, "
                                 "e.g. dongguan or 红旗), digits and '_', starting with a "
                                 f"letter (got {cid!r})"]) from None
        grouped.setdefault(cid, []).append(record)
    out = []
    for cid, rows in grouped.items():
        households = sum(r.households for r in rows)
        if households == 0:
            raise ScenarioError([f"{where}: community '{cid}': its grids hold no households"])
        x = sum(r.households * r.item["x_m"] for r in rows) / households
        y = sum(r.households * r.item["y_m"] for r in rows) / households
        out.append({"id": cid, "households": households, "office_m": [round(x), round(y)],
                    "grids": len(rows)})
    return out


# ---------------------------------------------------------------- the text


def starter_text(base: dict[str, Any], base_text: str, grids: TableRef,
                 communities: TableRef | None, out: Path, name: str) -> str:
    """The starting scenario as YAML text with its comments."""
    sections = top_level_sections(base_text)
    found = district_communities(grids)
    households = sum(c["households"] for c in found)
    folder = out.parent
    about = (f"Starting scenario written by gridsim init from {grids.path.name} "
             f"({len(found)} communities, {households:,} households) on the calibrated "
             "defaults of the Chengcheng baseline (docs/calibration.md).")
    named = "" if name == out.stem else f" --name {shlex.quote(name)}"
    parts = [_header(grids, communities, out, households, len(found), named),
             f"name: {_scalar(name)}\n",
             "description: >\n" + textwrap.indent(textwrap.fill(about, 94), "  ") + "\n",
             sections.get("language", "language: zh\n"),
             _estimates(base, communities is None)]
    parts.append("# The district's grids, one row per grid (docs/grids.md). The path is relative "
                 "to this file.\n" + f"grid_file: {_ref_yaml(grids, folder)}\n")
    if communities is not None:
        parts.append("# The district's communities, one row per community (docs/grids.md).\n"
                     f"communities_file: {_ref_yaml(communities, folder)}\n")
    else:
        parts.append(_communities_text(found))
    for key in COPIED:
        if key == "county_review_after_h":
            parts.append(_departments_text(base, households))
        if key in sections:
            parts.append(sections[key])
    parts.append("# Not taken from the baseline (its own town's): service points and candidate "
                 "sites\n# (facilities:, coverage:, docs/coverage.md) and today's workforce "
                 "(workforce:,\n# docs/workforce.md). Add the district's to use gridsim "
                 "coverage and gridsim workforce.\n")
    return "\n".join(p for p in parts if p is not None)


def top_level_sections(text: str) -> dict[str, str]:
    """Each top-level key of a YAML file with the comment lines right above it and the lines
    below it, as written."""
    sections: dict[str, list[str]] = {}
    pending: list[str] = []  # comments since the last blank line: above the next key
    blanks: list[str] = []  # blank lines inside a section, kept if it goes on
    current: list[str] | None = None
    for line in text.splitlines(keepends=True):
        key = _KEY.match(line)
        if key:
            current = sections[key.group(1)] = [*pending, line]
            pending, blanks = [], []
        elif line.startswith("#"):
            pending.append(line)
        elif not line.strip():
            pending = []
            blanks.append(line)
        elif current is not None:  # an indented line: the section goes on
            current.extend([*blanks, line])
            blanks = []
    return {k: "".join(v) for k, v in sections.items()}


def _header(grids: TableRef, communities: TableRef | None, out: Path, households: int,
            count: int, named: str) -> str:
    tables = f"--grids {grids.path.name}" + (
        f" --communities {communities.path.name}" if communities is not None else "") + named
    return (f"# A starting scenario for {count} communities and {households:,} households, "
            "written by\n"
            f"#     gridsim init {tables} --out {out.name}\n"
            "# The communities and grids are the district's own tables; everything else is the "
            "calibrated\n# default of the Chengcheng baseline (scenarios/chengcheng.yaml) with "
            "its sources and ESTIMATE\n# marks; docs/calibration.md gives the reasoning behind "
            "each figure. Replace every ESTIMATE\n# with the district's own figure and remove "
            "its line under estimates: (`gridsim calibrate`\n# fits the demand to the "
            "district's issue log). Check with\n"
            f"#     gridsim validate {out.name}\n")


def _estimates(base: dict[str, Any], offices: bool) -> str:
    """The baseline's estimates that hold here, and the offices' when they are placed here."""
    lines = ["# The inputs that are estimates, not measured or cited: reports list them on "
             "their first screen.\n", "estimates:\n"]
    if offices:
        lines.append("  communities.*.office_m: offices at the households' centre of their grids\n")
    lines.append("  departments: the baseline's, capacities scaled by households\n")
    for key, why in base.get("estimates", {}).items():
        if not key.startswith("communities"):
            lines.append(f"  {key}: {_scalar(f'the baseline figure; {why}')}\n")
    return "".join(lines)


def _communities_text(found: list[dict[str, Any]]) -> str:
    lines = ["# One community per community_id of the grid table: households are the sum of "
             "its grids';\n# the office (metres, in the grids' frame) at the households' "
             "centre of its grids (ESTIMATE).\n# Add `name:` (e.g. 东关社区) for reports; "
             "`community_workers:` overrides the staffing rule.\n", "communities:\n"]
    for c in found:
        lines.append(f"  - {{id: {c['id']}, households: {c['households']}, office_m: "
                     f"[{c['office_m'][0]}, {c['office_m'][1]}]}}   # {c['grids']} grids\n")
    return "".join(lines)


def _departments_text(base: dict[str, Any], households: int) -> str:
    """The baseline's departments, their capacities scaled to the district's households."""
    base_households = sum(c["households"] for c in base["communities"])
    lines = ["# 街乡吹哨、部门报到: departments report within a deadline. ESTIMATE: handling "
             "times and deadlines\n# as the baseline's; cases handled at once scaled from the "
             f"baseline's {base_households:,} households\n# to this district's "
             f"{households:,} (docs/calibration.md).\n", "departments:\n"]
    for name, spec in base.get("departments", {}).items():
        spec = dict(spec)
        if spec.get("capacity"):
            spec["capacity"] = max(1, math.ceil(spec["capacity"] * households / base_households))
        lines.append(f"  {name}: {_flow(spec)}\n")
    return "".join(lines)


def _ref_yaml(ref: TableRef, folder: Path) -> str:
    """The table's path relative to the scenario's folder (as a YAML value)."""
    try:
        path = os.path.relpath(ref.path.resolve(), folder.resolve())
    except ValueError:  # another drive
        path = str(ref.path.resolve())
    path = Path(path).as_posix()
    if ref.sheet is None:
        return _scalar(path)
    return f"{{path: {_scalar(path)}, sheet: {_scalar(ref.sheet)}}}"


def _scalar(value: str) -> str:
    """``value`` as a one-line YAML scalar (quoted when it has to be)."""
    return yaml.safe_dump(value, allow_unicode=True, width=1000).removesuffix("\n...\n").strip()


def _flow(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, allow_unicode=True,
                          width=1000).strip()
