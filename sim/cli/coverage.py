"""The ``gridsim coverage`` subcommand (wired up in :mod:`sim.cli.main`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.experiment import add_lang, whole_number


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of minutes: {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of minutes: {text!r}")
    return value


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``coverage`` to the ``gridsim`` subcommands."""
    from sim.coverage import CANDIDATES, MAX_ADD, WEIGHTS
    from sim.scenario.facilities import FACILITY_KINDS

    p = sub.add_parser(
        "coverage", help="the 15-minute living circle: households covered, grids left out",
        description="Households within a walk of each kind of service point (the scenario's "
        "facilities:), grid by grid and community by community, over the model's distances; "
        "the grids left out; with --add N the best N new points of each kind (maximal "
        "covering, solved exactly). Writes coverage.csv, placement.csv and report.html.")
    p.add_argument("file", type=Path)
    p.add_argument("--within-min", type=_minutes, metavar="MIN",
                   help="walking time that counts as covered (default: the scenario's "
                   "coverage.within_min, 15)")
    p.add_argument("--kind", action="append", choices=FACILITY_KINDS,
                   help="a kind of point, repeatable (default: every kind the scenario has)")
    p.add_argument("--add", type=whole_number(0), default=0, metavar="N",
                   help=f"place the best 1..N new points of each kind (N at most {MAX_ADD})")
    p.add_argument("--candidates", choices=CANDIDATES, default="grids",
                   help="where new points may go: grid centres (default) or the scenario's "
                   "coverage.candidate_sites")
    p.add_argument("--weight", choices=WEIGHTS, default="households",
                   help="what new points should cover most: households (default) or elderly "
                   "households (elderly_share)")
    add_lang(p)
    p.add_argument("--out", type=Path, help="result folder (default: runs/<date>-<time>-"
                   "coverage-<name>)")


def cmd_coverage(args: argparse.Namespace) -> int:
    from sim.coverage.analysis import ALL, measure_coverage

    result = measure_coverage(args.file, within_min=args.within_min, kinds=args.kind,
                              add=args.add, candidates=args.candidates, weight=args.weight,
                              out=args.out, lang=args.lang)
    print(f"{result.scenario.name}: households within {result.within_min:g} minutes' walk "
          f"({result.walk.speed_kmh:g} km/h, detour {result.walk.detour_factor:g})")
    for kind in [*result.kinds, ALL]:
        row = result.total(kind)
        left = result.left_out(kind)
        print(f"  {kind}: {row['covered_share']:.0%} ({int(row['covered_households']):,} of "
              f"{int(row['households']):,}); {len(left)} grids left out "
              f"({int(left['households'].sum()):,} households)")
    plan = result.placement
    for kind in result.kinds if result.add else []:
        best = plan[(plan["kind"] == kind) & (plan["points_added"] == result.add)]
        if best.empty:
            print(f"  new {kind}: no candidate covers more households")
        else:
            print(f"  best {len(best)} new {kind}: {', '.join(best['site'])} "
                  f"(+{int(best['new_households'].sum()):,} households, "
                  f"to {best['covered_share_after'].iloc[-1]:.0%})")
    print(f"folder: {result.folder}")
    return 0
