"""``gridsim init``: a starting scenario for a new district (wired up in :mod:`sim.cli`)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``init`` to the ``gridsim`` subcommands."""
    p = sub.add_parser(
        "init", help="a complete, commented starting scenario for a new district",
        description="Write a scenario for a new district from its grid table (CSV, .xlsx or "
        "GeoJSON; docs/grids.md): its communities and grids, and every other figure from the "
        "calibrated defaults of the Chengcheng baseline (calendars, staffing, travel, "
        "walk-in services, categories and their targets, departments, the pay table), each "
        "with its source or ESTIMATE. The file validates and runs as written.")
    p.add_argument("--grids", type=Path, required=True, metavar="FILE",
                   help="the district's grid table: grid_id, community_id, households, x_m, y_m")
    p.add_argument("--grids-sheet", metavar="NAME",
                   help="the sheet of a workbook --grids (default: 'grids' or '网格', or the "
                        "only sheet)")
    p.add_argument("--communities", type=Path, metavar="FILE",
                   help="the district's communities table (community_id, households, name, "
                        "office_x_m, office_y_m, ...); default: one community per community_id "
                        "of the grids")
    p.add_argument("--communities-sheet", metavar="NAME",
                   help="the sheet of a workbook --communities (default: 'communities' or "
                        "'社区', or the only sheet)")
    p.add_argument("--name", help="the scenario's name (default: the file name)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE",
                   help="the scenario file to write, e.g. my-district.yaml")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")


def cmd_init(args: argparse.Namespace) -> int:
    from sim.scenario.loading import load_scenario
    from sim.scenario.starter import init_scenario
    from sim.scenario.tables import table_ref

    def ref(path: Path | None, sheet: str | None, flag: str):
        if path is None:
            return None
        return table_ref({"path": str(path), "sheet": sheet} if sheet else str(path), flag,
                         "gridsim init")

    out = init_scenario(ref(args.grids, args.grids_sheet, "--grids"), args.out, args.name,
                        ref(args.communities, args.communities_sheet, "--communities"),
                        overwrite=args.force)
    spec = load_scenario(out).scenario
    households = sum(c.households for c in spec.communities)
    print(f"{out}: {len(spec.communities)} communities, {households:,} households, "
          f"{len(spec.demand)} categories; every figure not from your tables is the "
          "baseline's, marked with its source or ESTIMATE")
    print(f"next: gridsim validate {out}; gridsim run {out}")
    return 0
