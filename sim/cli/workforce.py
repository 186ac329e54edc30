"""The ``gridsim workforce`` subcommand (wired up in :mod:`sim.cli.main`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.experiment import add_lang, whole_number


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``workforce`` to the ``gridsim`` subcommands."""
    from sim.workforce import MAX_YEARS, TARGET_ON

    p = sub.add_parser(
        "workforce", help="head count, grade mix and cost by year; a plan to reach a target",
        description="Projects the scenario's workforce: (today's community workers by post "
        "and grade, promotion, exits, entry routes) year by year: the Markov model's expected "
        "head count and cost with the 95%% interval of simulated paths, without hiring and "
        "with hiring at the caps; with --target, the cheapest hiring plan that reaches it by "
        "the last year, or the year it could be reached. Writes workforce.csv, plan.csv, "
        "flows.csv and report.html.")
    p.add_argument("file", type=Path)
    p.add_argument("--years", type=whole_number(1), required=True, metavar="N",
                   help=f"years to project (at most {MAX_YEARS})")
    p.add_argument("--target", metavar="FILE_OR_NUMBER",
                   help="workers to reach by the last year: a number, or a recommendation.csv "
                   "of gridsim recommend (its total recommended_workers)")
    p.add_argument("--target-on", choices=TARGET_ON, default="headcount",
                   help="what the target counts: head count (default) or workers on duty "
                   "after training absence")
    p.add_argument("--paths", type=whole_number(10), default=1000,
                   help="simulated paths for the intervals (default 1000)")
    p.add_argument("--seed", type=whole_number(0),
                   help="root seed (default: the scenario's experiment.seed)")
    add_lang(p)
    p.add_argument("--out", type=Path,
                   help="result folder (default: runs/<date>-<time>-workforce-<name>)")


def cmd_workforce(args: argparse.Namespace) -> int:
    from sim.workforce.projection import project_workforce

    result = project_workforce(args.file, years=args.years, target=args.target,
                               target_on=args.target_on, paths=args.paths, seed=args.seed,
                               out=args.out, lang=args.lang)
    end = result.start_year + result.years
    target = result.target
    print(f"{result.scenario.name}: workforce {result.start_year}-{end}, expected values "
          f"with the 95% interval of {result.paths} simulated paths (seed {result.seed})")
    if target is not None:
        if target["reachable"]:
            hires = int(result.plan["hires"].sum()) if not result.plan.empty else 0
            print(f"  target {target['target']:g} ({target['target_on']}) reachable by {end}: "
                  f"cheapest plan hires {hires}; expected {target['expected_at_end']:.1f} "
                  f"({target['at_end_low']:.0f}-{target['at_end_high']:.0f}), reached in "
                  f"{target['probability_reached']:.0%} of paths")
        else:
            print(f"  target {target['target']:g} ({target['target_on']}) NOT reachable by "
                  f"{end} within the caps (at most {target['expected_at_end']:.1f} expected)")
        year = target["earliest_calendar_year"]
        shown = year if year is not None else "none within 60 years"
        print(f"  earliest year at the caps: {shown}")
    cost = result.cost_column
    for plan in result.plans:
        rows = result.totals(plan)
        last = rows.iloc[-1]
        print(f"  {plan}: {end} head count {last['headcount']:.1f} "
              f"({last['headcount_low']:.0f}-{last['headcount_high']:.0f}), cost "
              f"{last[cost]:,.0f} {result.currency}/year")
    for row in result.plan.itertuples():
        print(f"    {row.year}: {row.hires} by {row.route} ({row.post}, grade {row.grade}; "
              f"decide by {row.decide_by_year})")
    print(f"folder: {result.folder}")
    return 0
