"""The ``gridsim recommend`` and ``gridsim report`` subcommands (wired up in :mod:`sim.cli`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from sim.cli.experiment import add_lang

TARGET_HELP = """targets (--target, repeatable; they replace the scenario's targets:):
  response_within_min=30@0.90   90% of issues responded to within 30 minutes of the report
  resolution_within_h=72@95%    95% resolved within 72 hours of the report
  response@0.90, resolution@0.95
                                the share within each category's own limit
  utilisation_at_most=0.85      workers busy at most 85% of their working time
then optionally ,category=NAME (default all) and ,hours=working: only issues reported in
working hours count (the community workers' calendar, or Mon-Fri 08:00-12:00, 14:00-18:00;
,calendar=NAME picks another); ,hours=around_the_clock is the default. Example:
  gridsim recommend s.yaml -t response_within_min=30@0.9,category=public_service,hours=working"""


def add_commands(sub: argparse._SubParsersAction,
                 add_experiment_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``recommend`` and ``report`` to the ``gridsim`` subcommands."""
    p = sub.add_parser(
        "recommend", help="workers per community against service targets, vs the staffing rule",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The fewest community workers per community that meet every target: "
        "Erlang C, then the fast screen, verified with the full model; compared with the "
        "households-per-worker staffing rule. Writes recommendation.csv and report.html; run "
        "again into the same --out, an interrupted recommendation continues.",
        epilog=TARGET_HELP,
    )
    p.add_argument("file", type=Path)
    p.add_argument("--target", "-t", action="append", metavar="TARGET",
                   help="a service target, repeatable (see below); replaces the scenario's")
    p.add_argument("--max-replications", type=int, metavar="N",
                   help="replications at most per level while it is undecided (default: "
                        "twice --replications); then the answer is marked borderline")
    p.add_argument("--roster", action="store_true",
                   help="also the hour-by-hour requirement and a shift roster from the "
                        "scenario's shifts: (requirement.csv, roster.csv)")
    add_experiment_options(p)

    p = sub.add_parser("report", help="report.html and results.xlsx of a result folder",
                       description="Write report.html and results.xlsx into a finished result "
                       "folder (of gridsim run, compare, sweep or recommend): each category "
                       "against its own targets, where they are missed, plots with 95%% "
                       "intervals, provenance; the workbook holds the same tables as wide "
                       "sheets. The page opens in any browser without a server or a network.")
    p.add_argument("folder", type=Path, metavar="FOLDER")
    add_lang(p)


def cmd_recommend(args: argparse.Namespace) -> int:
    from sim.cli.experiment import print_report
    from sim.staffing.recommend import recommend

    result = recommend(args.file, targets=args.target, replications=args.replications,
                       max_replications=args.max_replications, roster=args.roster,
                       seed=args.seed, out=args.out, executor=args.executor,
                       workers=args.workers, scheduler=getattr(args, "scheduler", None),
                       progress=False if args.quiet else None)
    from sim.staffing.report import recommend_text  # the report's modules: after the search

    lang = args.lang or result.scenario.scenario.language
    reused = f", {result.reused} reused from the folder" if result.reused else ""
    print(f"{result.scenario.scenario.title(lang)}: {result.replications} replications, seed "
          f"{result.seed}, {result.seconds:.1f} s ({result.simulations} full-model "
          f"runs{reused})")
    print(recommend_text(result, lang))
    print_report(result.folder, lang, result.scenario.scenario.language, with_report=True)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    import sim.staffing.workbook  # noqa: F401  (registers the recommend report and workbook)
    from sim.report.folders import write_report
    from sim.report.workbook import write_workbook

    path = write_report(args.folder, args.lang)
    print(f"report: {path}")
    print(f"workbook: {write_workbook(args.folder, args.lang)}")
    return 0
