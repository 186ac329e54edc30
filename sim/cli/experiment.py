"""Command-line parts of experiments: ``gridsim compare``, ``gridsim sweep`` and the sequential
options of ``gridsim run``. :mod:`sim.cli` wires them in."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ScenarioError, UsageError
from sim.scenario.files import parse_yaml

if TYPE_CHECKING:
    from sim.analysis.statistics import HalfWidthTarget


def whole_number(minimum: int):
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum} (got {value})")
        return value

    return parse


_positive_int = whole_number(1)


def add_lang(p: argparse.ArgumentParser) -> None:
    """``--lang zh|en``: the language of what the command prints and reports."""
    p.add_argument("--lang", choices=("zh", "en"),
                   help="language of the output and the report (default: the scenario's "
                        "language:, else zh)")


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Sequential replications for ``gridsim run``."""
    p.add_argument("--until-half-width", metavar="METRIC=VALUE",
                   help="add replications until the 95%% half-width of METRIC is at most VALUE "
                        "(VALUE%% for a share of the mean), e.g. response_min_p90=1.0")
    p.add_argument("--target-group", metavar="COMMUNITY[/CATEGORY[/GRID]]",
                   help="the group of --until-half-width (default: all/all; a grid: "
                        "COMMUNITY/all/GRID)")
    p.add_argument("--max-replications", type=_positive_int, metavar="N",
                   help="cap of --until-half-width (default: 200)")


def run_target(args: argparse.Namespace) -> HalfWidthTarget | None:
    """The half-width target of ``gridsim run`` options (None without one)."""
    if getattr(args, "until_half_width", None) is None:
        if getattr(args, "target_group", None):
            raise UsageError("--target-group: only with --until-half-width")
        return None
    try:
        from sim.analysis.statistics import HalfWidthTarget

        return HalfWidthTarget.parse(args.until_half_width, args.target_group)
    except ValueError as exc:
        raise UsageError(f"--until-half-width: {exc}") from None


def add_commands(
    sub: Any, add_experiment_options: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add ``compare`` and ``sweep`` to the ``gridsim`` subcommands."""
    p = sub.add_parser(
        "compare", help="run scenarios with the same seeds; paired differences to the first",
        description="Run every scenario with the same seeds (common random numbers) and compare "
                    "each with the first (the baseline): paired differences with 95%% CIs and "
                    "a verdict per metric. Writes compare.csv and one run folder per scenario.")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE",
                   help="scenario files; the first is the baseline")
    add_experiment_options(p)

    p = sub.add_parser(
        "sweep", help="one scenario per combination of values; one table",
        description="Run the scenario for every combination of the --set values (full "
                    "factorial), all with the same seeds. Writes sweep.csv and one run folder "
                    "per setting.")
    p.add_argument("file", type=Path)
    p.add_argument("--set", dest="settings", action="append", required=True,
                   metavar="KEY=V1,V2,...",
                   help="a dotted scenario key and its values (YAML scalars), e.g. "
                        "staffing.community_workers.households_per_worker=1500,3000 or "
                        "communities.dongguan.community_workers=2,3,4; repeat for more keys")
    add_experiment_options(p)


def cmd_compare(args: argparse.Namespace) -> int:
    import sim.report.sheets  # noqa: F401  (results.xlsx published with the folder)
    from sim.experiment.compare import compare

    if len(args.files) < 2:
        raise UsageError("give at least two scenario files (the first is the baseline)")
    from sim.report.compare import CompareView, compare_text
    from sim.scenario.loading import load_scenario

    loaded = [load_scenario(f) for f in args.files]  # every file checked before anything runs
    for each in loaded:
        print_warnings(each)
    result = compare(loaded, replications=args.replications, seed=args.seed, out=args.out,
                     executor=args.executor, workers=args.workers, scheduler=args.scheduler,
                     progress=False if args.quiet else None)
    lang = args.lang or loaded[0].scenario.language
    view = CompareView.of(result.table, dict(zip(result.labels, loaded, strict=True)), lang)
    print(compare_text(view))
    print(f"\n{result.seconds:.1f} s; compare.csv: "
          f"{result.folder / 'compare.csv' if result.folder else '-'}")
    print_report(result.folder, lang, loaded[0].scenario.language)
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    import sim.report.sheets  # noqa: F401  (results.xlsx published with the folder)
    from sim.experiment.sweep import sweep
    from sim.report.sweep import SweepView, sweep_text

    settings = parse_set(args.settings)
    result = sweep(args.file, settings, replications=args.replications, seed=args.seed,
                   out=args.out, executor=args.executor, workers=args.workers,
                   scheduler=args.scheduler, progress=False if args.quiet else None)
    lang = args.lang or result.scenario.scenario.language
    view = SweepView.of(result.table, result.scenario, result.settings, result.keys, lang)
    print(sweep_text(view))
    print(f"\n{result.seconds:.1f} s; sweep.csv: "
          f"{result.folder / 'sweep.csv' if result.folder else '-'}")
    print_report(result.folder, lang, result.scenario.scenario.language)
    return 0


def print_warnings(loaded: Any) -> None:
    """What a scenario leaves out and the model assumes, one line each, on stderr."""
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def print_report(folder: Path | None, lang: str, published: str,
                 with_report: bool = False) -> None:
    """Write the folder's report.html in ``lang`` (unless the folder was published
    ``with_report`` in that language), rewrite its results.xlsx where ``lang`` is not the
    language it was ``published`` in, and print where they and the folder are."""
    import sim.staffing.workbook  # noqa: F401  (registers the recommend report and workbook)
    from sim.report.folders import write_report
    from sim.report.i18n import Texts
    from sim.report.workbook import RESULTS_XLSX, write_workbook

    if folder is None:
        return
    t = Texts(lang)
    kept = with_report and lang == published
    print(t("cli.report", path=folder / "report.html" if kept else write_report(folder, lang)))
    workbook = write_workbook(folder, lang) if lang != published else folder / RESULTS_XLSX
    print(t("cli.workbook", path=workbook))
    print(t("cli.folder", path=folder))


def parse_set(items: Sequence[str]) -> dict[str, list[Any]]:
    """``["key=v1,v2", ...]`` to ``{key: [v1, v2]}``, each value read as a YAML scalar."""
    settings: dict[str, list[Any]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--set: expected KEY=VALUE[,VALUE...], got {item!r}")
        if key in settings:
            raise UsageError(f"--set: {key} is given twice; list all its values once")
        parsed = []
        for text in values.split(","):
            if not text.strip():
                raise UsageError(f"--set {key}: empty value in {values!r}")
            try:
                value = parse_yaml(text, "--set")
            except ScenarioError as exc:
                why = exc.problems[0].split("malformed YAML: ")[-1]
                raise UsageError(f"--set {key}: not a YAML scalar: {text!r} ({why})") from None
            if isinstance(value, dict | list):
                raise UsageError(f"--set {key}: give plain values, not {text!r}")
            parsed.append(value)
        settings[key] = parsed
    return settings
