"""The ``gridsim calibrate`` and ``gridsim backtest`` subcommands (wired up in :mod:`sim.cli`)."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sim.cli.experiment import add_lang

WHERE_HELP = """\
--where filters rows with comparisons of the log's columns, joined by and / or / not:
  source != "Employee Generated"
  type not in ["Schedule a Bulk Item Pickup", "Pothole Repair (Internal)"]
  `case status` == "Closed" and priority >= 2      (backticks: names with spaces)
Only columns, quoted texts, numbers and lists of them; nothing else is evaluated.
"""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _add_log_options(p: argparse.ArgumentParser, window: str) -> None:
    p.add_argument("--created", required=True, metavar="COL",
                   help="column of the time an issue was reported (created)")
    p.add_argument("--closed", required=True, metavar="COL",
                   help="column of the time it was closed; empty while open")
    p.add_argument("--category", required=True, metavar="COL", help="column of the category")
    p.add_argument("--area", metavar="COL", help="column of the area (one community per area)")
    p.add_argument("--status", metavar="COL", help="column of the status (open/closed), checked")
    p.add_argument("--location", action="append", default=[], metavar="COL",
                   help="column(s) of the location (e.g. --location lat --location lon): a "
                        "default location (the platform's fallback) makes the area unknown")
    p.add_argument("--where", action="append", default=[], metavar="EXPR",
                   help="keep rows where EXPR holds (repeatable; see below)")
    p.add_argument("--from", dest="first", type=_date, metavar="DATE",
                   help=f"first day of the {window} (created; default: the log's first)")
    p.add_argument("--to", dest="last", type=_date, metavar="DATE",
                   help=f"last day of the {window}, included (default: the log's last)")
    p.add_argument("--category-map", type=Path, metavar="FILE",
                   help="CSV/xlsx: the log's category, the scenario's category code")


def add_commands(sub: argparse._SubParsersAction,
                 add_experiment_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``calibrate`` and ``backtest`` to the ``gridsim`` subcommands."""
    p = sub.add_parser(
        "calibrate", help="a runnable scenario fitted to a district's issue log",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Fit communities (one per area), rates, arrival profiles and "
        "resolution-time distributions (right-censored) to an issue log (CSV in UTF-8 or "
        "GB18030/GBK, or .xlsx), on the base scenario's staffing. Writes calibrated.yaml, "
        "calibration.csv, category_map.csv, quality.csv and report.html.",
        epilog=WHERE_HELP)
    p.add_argument("log", type=Path, metavar="LOG")
    _add_log_options(p, "window")
    p.add_argument("--households", type=Path, metavar="FILE",
                   help="CSV/xlsx: area (as in the log), households; default: nominal")
    p.add_argument("--base", type=Path, metavar="SCENARIO",
                   help="scenario whose staffing, calendars and travel are kept (default: the "
                        "shipped Chengcheng baseline)")
    p.add_argument("--out", type=Path, help="result folder (default: runs/<date>-<time>-"
                   "calibrate-<log>)")
    add_lang(p)

    p = sub.add_parser(
        "backtest", help="a scenario simulated over a log's period, against what happened",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Simulate the log's window with the scenario and compare weekly counts "
        "(95%% prediction intervals for one realisation) and resolution-time quantiles per "
        "category and community. Writes backtest.csv, verdicts.csv, quantiles.csv and "
        "report.html.", epilog=WHERE_HELP)
    p.add_argument("scenario", type=Path, metavar="SCENARIO")
    p.add_argument("log", type=Path, metavar="LOG")
    _add_log_options(p, "test window")
    add_experiment_options(p)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.calibration.calibrate import calibrate

    result = calibrate(args.log, created=args.created, closed=args.closed,
                       category=args.category, area=args.area, status=args.status,
                       location=args.location, where=args.where, first=args.first,
                       last=args.last, households=args.households,
                       category_map=args.category_map, base=args.base, out=args.out,
                       lang=args.lang)
    log = result.log
    print(f"read as {log.encoding}: {log.path}")
    print(f"{len(log.issues):,} of {log.rows_read:,} rows used, created {log.first} to "
          f"{log.last}; {len(result.categories)} categories, {len(result.areas)} communities; "
          f"{result.seconds:.1f} s")
    for row in log.quality.to_dict("records"):
        if row["rows"]:
            print(f"  {row['check']}: {row['rows']:,} rows ({row['action']}) {row['detail']}")
    print(result.rates().head(10).to_string(index=False))
    print(f"folder: {result.folder}")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from sim.calibration.backtest import backtest

    result = backtest(args.scenario, args.log, created=args.created, closed=args.closed,
                      category=args.category, area=args.area, status=args.status,
                      location=args.location, where=args.where, first=args.first,
                      last=args.last, category_map=args.category_map,
                      replications=args.replications, seed=args.seed, out=args.out,
                      lang=args.lang, executor=args.executor, workers=args.workers,
                      progress=False if args.quiet else None)
    weeks = result.weeks[result.weeks["area"] == "all"]
    print(f"{result.scenario.name} against {result.log.describe()}: {result.replications} "
          f"replications, seed {result.seed}, {result.seconds:.1f} s")
    print(f"weeks inside the 95% prediction interval: {int(weeks['inside'].sum())} of "
          f"{len(weeks)} category-weeks")
    verdicts = result.verdicts[result.verdicts["area"] == "all"]
    print(verdicts[["category", "weeks", "inside_share", "observed_total", "predicted_total",
                    "verdict"]].to_string(index=False))
    print(f"folder: {result.folder}")
    return 0
