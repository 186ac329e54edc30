"""Lattice cities for benchmarks/scale.py and scenarios/city-5000.yaml: the Chengcheng
baseline's demand, staffing, calendars and care visits, laid out as many communities of 2 x 5
grids (400 households a grid, 4,000 a community) in districts of 10 communities (40,000
households, 2.5 km x 2.5 km), each district with its own departments scaled to its households.

    .venv/bin/python benchmarks/city.py --grids 5000 --write scenarios/city-5000.yaml

``lattice_city(grids)`` gives the scenario as a mapping; ``county_departments=True`` gives the
same city with one county-wide set of departments instead (a single loop).
"""

from __future__ import annotations

import argparse
import copy
import math
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "chengcheng.yaml"

GRID_HOUSEHOLDS = 400
ROWS, COLS, SPACING_M = 2, 5, 250.0  # a community's lattice
COMMUNITY_GRIDS = ROWS * COLS
DISTRICT_COMMUNITIES = 10  # 2 columns x 5 rows of communities: 2.5 km x 2.5 km
BASELINE_HOUSEHOLDS = 51_140
KEPT = ("calendars", "staffing", "dispatch", "travel", "county_review_after_h", "care_visits",
        "reporting", "arrival_profile", "demand", "experiment")


def _baseline() -> dict[str, Any]:
    return yaml.safe_load(BASELINE.read_text(encoding="utf-8"))


def _departments(base: dict[str, Any], households: int) -> dict[str, Any]:
    """The baseline's departments with capacity in proportion to ``households`` (at least 1)."""
    out = copy.deepcopy(base["departments"])
    for department in out.values():
        if department.get("capacity") is not None:
            department["capacity"] = max(1, math.ceil(
                department["capacity"] * households / BASELINE_HOUSEHOLDS))
    return out


def lattice_city(grids: int, county_departments: bool = False, days: float = 365
                 ) -> dict[str, Any]:
    """A city of ``grids`` grids (a multiple of 10) as a scenario mapping."""
    if grids % COMMUNITY_GRIDS:
        raise ValueError(f"grids must be a multiple of {COMMUNITY_GRIDS}")
    base = _baseline()
    n_communities = grids // COMMUNITY_GRIDS
    n_districts = math.ceil(n_communities / DISTRICT_COMMUNITIES)
    across = math.ceil(math.sqrt(n_districts))  # districts side by side, west to east
    width, height = COLS * SPACING_M, ROWS * SPACING_M  # one community's lattice
    communities, districts = [], []
    for d in range(n_districts):
        dx, dy = (d % across) * 2 * width, -(d // across) * 5 * height
        members = []
        for k in range(min(DISTRICT_COMMUNITIES, n_communities - d * DISTRICT_COMMUNITIES)):
            cid = f"d{d + 1:03d}c{k + 1:02d}"
            members.append(cid)
            communities.append({
                "id": cid, "households": GRID_HOUSEHOLDS * COMMUNITY_GRIDS,
                "office_m": [dx + (k % 2) * width, dy - (k // 2) * height],
                "grids": {"layout": "lattice", "rows": ROWS, "cols": COLS,
                          "spacing_m": SPACING_M}})
        district: dict[str, Any] = {"id": f"d{d + 1:03d}", "communities": members}
        if not county_departments:
            district["departments"] = _departments(base, GRID_HOUSEHOLDS * COMMUNITY_GRIDS
                                                   * len(members))
        districts.append(district)
    households = GRID_HOUSEHOLDS * grids
    data: dict[str, Any] = {
        "name": f"Lattice city of {grids:,} grids",
        "horizon": {"days": days, "warmup_days": min(14, days / 2), "start": "2026-01-05"},
        "communities": communities,
        "districts": districts,
        **{key: copy.deepcopy(base[key]) for key in KEPT if key in base},
    }
    data["departments"] = _departments(base, households) if county_departments else {}
    return data


HEADER = """\
# A generated city of {grids:,} grids ({households:,} households) for planners of a whole city,
# written by `.venv/bin/python benchmarks/city.py --grids {grids} --write {path}`.
# Every figure is an ESTIMATE: the layout is a lattice (communities of 2 x 5 grids of 400
# households, districts (街道) of 10 communities), and the demand, staffing, calendars,
# dispatch, travel and care visits are the Chengcheng baseline's (scenarios/chengcheng.yaml,
# docs/calibration.md), each district with departments of its own, their capacity scaled to its
# households. Replace the communities and districts with the city's own roster and grid map
# (`grid_file:`) before drawing conclusions. Each district escalates only to its own
# departments, so a replication runs as one task per district (`gridsim run` says so).
"""


def city_estimates(base: dict[str, Any]) -> dict[str, str]:
    """The baseline's estimates that still apply, and the generated city's own."""
    kept = {key: note for key, note in base.get("estimates", {}).items()
            if key.split(".")[0] in KEPT}
    return {
        "communities": "a generated lattice city: 4,000 households a community, 10 grids of 400",
        "districts": "10 communities a district (40,000 households), generated",
        "districts.*.departments": "the baseline's departments, capacity scaled to households",
        "demand": "the Chengcheng baseline's rates and handling times",
        **kept,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=5000)
    parser.add_argument("--county-departments", action="store_true")
    parser.add_argument("--write", type=Path, required=True)
    args = parser.parse_args()
    data = lattice_city(args.grids, args.county_departments)
    data["name"] = f"Generated city of {args.grids:,} grids (ESTIMATE)"
    data["titles"] = {"zh": f"生成的城市：{args.grids:,} 个网格（估计）",
                      "en": f"Generated city of {args.grids:,} grids (ESTIMATE)"}
    head = {"name": data.pop("name"), "titles": data.pop("titles"),
            "estimates": city_estimates(_baseline())}
    header = HEADER.format(grids=args.grids, households=args.grids * GRID_HOUSEHOLDS,
                           path=args.write.as_posix())
    dump = {"sort_keys": False, "allow_unicode": True, "width": 100}
    args.write.write_text(header + yaml.safe_dump(head, **dump)
                          + yaml.safe_dump(data, default_flow_style=None, **dump),
                          encoding="utf-8")


if __name__ == "__main__":
    main()
