"""The ``gridsim`` command line (also ``python -m sim``).

Exit codes: 0 success, 2 bad input (scenario, option or folder), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from sim.cli.calibration import add_commands as add_calibration_commands
from sim.cli.calibration import cmd_backtest, cmd_calibrate
from sim.cli.coverage import add_commands as add_coverage_commands
from sim.cli.coverage import cmd_coverage
from sim.cli.experiment import add_commands as add_experiment_commands
from sim.cli.experiment import (
    add_lang,
    add_run_options,
    cmd_compare,
    cmd_sweep,
    print_report,
    print_warnings,
    run_target,
    whole_number,
)
from sim.cli.init import add_commands as add_init_commands
from sim.cli.init import cmd_init
from sim.cli.staffing import add_commands, cmd_recommend, cmd_report
from sim.cli.workforce import add_commands as add_workforce_commands
from sim.cli.workforce import cmd_workforce
from sim.errors import GridsimError, ScenarioError, ScenarioWarning, UnstableScenarioError
from sim.experiment.executors import EXECUTORS
from sim.files.interrupt import exit_code
from sim.report.i18n import DEFAULT_LANGUAGE, register

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

register({
    "cli.unstable_refused": {
        "zh": "gridsim run：拒绝运行：需求超过能力。gridsim recommend 可求出跟得上的人员配置；"
              "加 --allow-unstable 仍可运行。",
        "en": "gridsim run: refused: demand above capacity. `gridsim recommend` finds the "
              "staffing that keeps up; --allow-unstable runs it anyway."},
    "cli.unstable_run": {"zh": "不稳定（按 --allow-unstable 要求运行）：{problem}",
                         "en": "UNSTABLE (run as asked, --allow-unstable): {problem}"},
    "cli.unstable_meaning": {
        "zh": "  积压无限增长：下面的数字描述的是一个永远不会稳定的队列，时间越长越差，并非稳态。",
        "en": "  The backlog grows without bound: the numbers below describe a queue that never "
              "settles and get worse the longer the horizon; they are not a steady state."},
})


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 too; keep its usage line
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


_positive_int = whole_number(1)
_seed = whole_number(0)


def _add_experiment_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--replications", "-n", type=_positive_int,
                   help="replications (default: the scenario's experiment.replications)")
    p.add_argument("--seed", type=_seed, help="root seed (default: the scenario's experiment.seed)")
    p.add_argument("--out", type=Path, help="run folder (default: runs/<date>-<time>-<name>)")
    p.add_argument("--executor", choices=EXECUTORS, default="process",
                   help="where replications run (default: process, all cores)")
    p.add_argument("--workers", type=_positive_int, help="processes or Dask workers")
    p.add_argument("--scheduler", help="Dask scheduler address (with --executor dask)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    add_lang(p)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gridsim", description="Simulate grid-based community governance.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("validate", help="check scenario files")
    p.add_argument("files", nargs="+", type=Path)

    p = sub.add_parser("run", help="simulate a scenario and write a run folder")
    p.add_argument("file", type=Path)
    _add_experiment_options(p)
    p.add_argument("--records", action="store_true", help="also write issues.parquet")
    p.add_argument("--one-loop", action="store_true",
                   help="run each replication as one loop even when its districts could run "
                        "as tasks of their own (the numbers are the same)")
    p.add_argument("--allow-unstable", action="store_true",
                   help="run a scenario whose demand outgrows its capacity (refused otherwise); "
                        "the output and the manifest say so")
    add_run_options(p)  # --until-half-width, --target-group, --max-replications
    add_experiment_commands(sub, _add_experiment_options)  # compare, sweep
    add_commands(sub, _add_experiment_options)  # recommend, report
    add_coverage_commands(sub)  # coverage
    add_workforce_commands(sub)  # workforce
    add_calibration_commands(sub, _add_experiment_options)  # calibrate, backtest
    add_init_commands(sub)  # init
    return parser


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.scenario.loading import facility_problems, load_scenario

    problems = []
    for file in args.files:
        try:
            loaded = load_scenario(file)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        if facility_problems(loaded):
            problems.extend(facility_problems(loaded))
            continue
        s = loaded.scenario
        households = sum(c.households for c in s.communities)
        print(f"{file}: ok ({s.name}: {len(s.communities)} communities, {households} households, "
              f"{len(s.demand)} categories)")
        for table in loaded.tables:
            print(f"  {table}")
        print_warnings(loaded)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    import sim.report.sheets  # noqa: F401  (results.xlsx published with the folder)
    from sim.experiment.runner import run
    from sim.report.run import RunView
    from sim.report.sections import split_sentence
    from sim.report.terminal import run_text
    from sim.scenario.loading import load_scenario

    loaded = load_scenario(args.file, allow_unstable=args.allow_unstable)
    print_warnings(loaded)
    result = run(loaded, replications=args.replications, seed=args.seed, out=args.out,
                 records=args.records, executor=args.executor, workers=args.workers,
                 scheduler=args.scheduler, progress=False if args.quiet else None,
                 until_half_width=run_target(args), max_replications=args.max_replications,
                 split_districts=not args.one_loop, allow_unstable=args.allow_unstable)
    lang = args.lang or result.scenario.scenario.language
    view = RunView.of(result.scenario, result.summary, lang, result.replications)
    t = view.names.t
    for problem in result.unstable:
        print(t("cli.unstable_run", problem=problem))
    if result.unstable:
        print(t("cli.unstable_meaning"))
    print(t("cli.run_head", name=result.scenario.scenario.title(lang),
            n=result.n_replications, seed=result.seed, seconds=result.seconds))
    split = split_sentence(result.split.as_dict() if result.split else None, t)
    if split:
        print(split)
    print(run_text(view.table, view.headline, view.mix_line, view.names,
                   districts=view.districts))
    if result.target is not None:
        print(result.target_text())
    print_report(result.folder, lang, result.scenario.scenario.language)
    return 0


COMMANDS = {"validate": cmd_validate, "run": cmd_run, "init": cmd_init}
COMMANDS.update(recommend=cmd_recommend, report=cmd_report)
COMMANDS.update(compare=cmd_compare, sweep=cmd_sweep)
COMMANDS.update(coverage=cmd_coverage, workforce=cmd_workforce)
COMMANDS.update(calibrate=cmd_calibrate, backtest=cmd_backtest)
WORKER_MODULES = {"recommend": ("sim.staffing.levels",)}
"""Modules the worker processes of a command need beyond the model (the fork server imports
them while the command starts): recommend's tiers."""


FLAGS = {"targets": "--target", "settings": "--set", "kinds": "--kind", "first": "--from",
         "last": "--to"}
"""Flags whose name is not the parameter's (``max_replications`` -> ``--max-replications``)."""


def as_flags(exc: GridsimError) -> str:
    """The message of ``exc`` with the parameters it names spelled as this command's flags."""
    text = str(exc)
    for parameter in getattr(exc, "parameters", ()):
        flag = FLAGS.get(parameter, "--" + parameter.replace("_", "-"))
        text = text.replace(f"`{parameter}`", flag)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gridsim`` console script."""
    args = build_parser().parse_args(argv)
    warnings.simplefilter("ignore", ScenarioWarning)  # commands print the scenario's themselves
    if getattr(args, "executor", None) == "process":
        from sim.experiment.executors import warm_up

        warm_up("process", args.workers, WORKER_MODULES.get(args.command, ()))
    try:
        return COMMANDS[args.command](args)
    except ScenarioError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        if isinstance(exc, UnstableScenarioError) and args.command == "run":
            from sim.report.i18n import Texts

            print(Texts(getattr(args, "lang", None) or DEFAULT_LANGUAGE)("cli.unstable_refused"),
                  file=sys.stderr)
        return EXIT_BAD_INPUT
    except GridsimError as exc:
        print(f"gridsim {args.command}: {as_flags(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (sim.files.interrupt)
        advice = getattr(exc, "advice", None) or "nothing was written"
        print(f"\ninterrupted; {advice}", file=sys.stderr)
        return exit_code(exc)
    except BrokenPipeError:  # `gridsim ... | head`: the reader has gone, the work is done
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
