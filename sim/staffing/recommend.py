"""``sim.recommend``: the fewest community workers that meet every target, checked three ways
(:mod:`sim.staffing.search`), compared with the staffing rule and priced, into a result folder.

The folder (:class:`~sim.files.results.ResultFolder`) belongs to one scenario, seed, number of
replications and set of targets. Each full-model evaluation is kept in it as it finishes, so
the same command run again after an interruption continues where it stopped; the result files
appear together at the end, ``recommendation.csv`` last.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.experiment.executors import Executor
from sim.experiment.options import Execution, Output
from sim.experiment.runner import default_command, defaults, resolve
from sim.files.folder import default_folder, now_text
from sim.files.results import ResultFolder
from sim.scenario.loading import LoadedScenario
from sim.scenario.policy import Target
from sim.staffing.result import RecommendResult
from sim.staffing.search import Search
from sim.staffing.tables import assumptions, grids_table, levels_table, recommendation_table
from sim.staffing.targets import TargetSet, resolve_targets

RECOMMENDATION_CSV = "recommendation.csv"
LEVELS_CSV = "levels.csv"
GRIDS_CSV = "grids.csv"
REPORT_HTML = "report.html"
RESULTS_XLSX = "results.xlsx"
KIND = "recommend"


def recommend(
    scenario: str | Path | LoadedScenario,
    targets: Sequence[str | Target] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    save: bool = True,
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    command: str | None = None,
) -> RecommendResult:
    """Recommend community workers per community against ``targets``.

    ``targets`` are :class:`~sim.scenario.policy.Target` objects or their text form such as
    ``"response_within_min=30@0.90"`` (see :func:`sim.staffing.targets.parse_target`); by
    default the scenario's ``targets:``. With ``save`` (the default) a folder (``out``,
    default ``runs/<date>-<time>-recommend-<name>``) receives ``recommendation.csv``,
    ``levels.csv``, ``report.html``, ``results.xlsx``, ``scenario.yaml`` and
    ``manifest.json``; run again into the same folder, an interrupted recommendation reuses
    the full-model runs it finished.
    ``executor``, ``workers`` and ``scheduler`` are those of ``sim.run``.
    """
    started = time.perf_counter()
    loaded = resolve(scenario)
    compiled = TargetSet.compile(resolve_targets(loaded.scenario, targets), loaded.scenario)
    replications, seed = defaults(loaded, replications, seed)
    execution = Execution(executor, workers, scheduler, progress)
    output = Output.of(out, save, command or default_command(
        "recommend", loaded, targets=list(targets) if targets else None,
        replications=replications, seed=seed))
    return run_recommendation(loaded, compiled, replications, seed, execution, output, started)


def run_recommendation(loaded: LoadedScenario, targets: TargetSet, replications: int, seed: int,
                       execution: Execution, output: Output,
                       started: float | None = None) -> RecommendResult:
    """:func:`recommend` with its options as objects."""
    started = time.perf_counter() if started is None else started
    say = _logger(execution.progress)
    with execution.open() as ex:
        folder = _open(loaded, targets, replications, seed, output, ex) if output.save else None
        with folder.guarded() if folder is not None else contextlib.nullcontext():
            search = Search(loaded, targets, replications, seed, ex, folder, say)
            states = search.run()
            say("assembling the tables")
            spec = loaded.scenario
            grids = grids_table(states, targets)
            result = RecommendResult(
                loaded, list(targets.targets), seed, replications,
                recommendation_table(spec, states, targets, grids),
                levels_table(states, targets), grids,
                assumptions(spec, targets, replications, seed),
                folder.path if folder is not None else None,
                simulations=search.simulations, reused=search.reused)
            result.seconds = time.perf_counter() - started
            if folder is not None:
                _publish(folder, result)
    result.seconds = time.perf_counter() - started
    return result


def _open(loaded: LoadedScenario, targets: TargetSet, replications: int, seed: int,
          output: Output, ex: Executor) -> ResultFolder:
    """The recommendation's folder: refused when it holds another scenario's, seed's,
    number of replications' or targets' results."""
    path = output.out or default_folder(loaded.name, kind=KIND)
    yaml = loaded.to_yaml()
    return ResultFolder.open(
        path, kind=KIND,
        identity={"scenario_sha256": loaded.digest(), "seed": seed,
                  "replications": replications, "targets": targets.identity()},
        command=output.command,
        inputs={"scenario.yaml": lambda p: p.write_text(yaml, encoding="utf-8")},
        info={"scenario": loaded.name, "scenario_file": loaded.source,
              "target_descriptions": targets.descriptions(), **ex.describe()})


def _publish(folder: ResultFolder, result: RecommendResult) -> None:
    """Write the tables, the report and the workbook, ``recommendation.csv`` last."""
    from sim.staffing.report import recommendation_report
    from sim.staffing.workbook import recommend_workbook

    result.manifest = {**folder.manifest, "finished": now_text()}
    page = recommendation_report(result)
    tables = {RECOMMENDATION_CSV: result.table, LEVELS_CSV: result.levels}
    if not result.grids.empty:
        tables[GRIDS_CSV] = result.grids
    folder.publish_tables(
        tables, marker=RECOMMENDATION_CSV,
        others={REPORT_HTML: lambda p: p.write_text(page, encoding="utf-8"),
                RESULTS_XLSX: recommend_workbook(result)},
        seconds=round(result.seconds, 2), simulations=result.simulations,
        reused=result.reused)
    result.manifest = folder.manifest


def _logger(progress: bool | None) -> Callable[[str], None]:
    show = sys.stderr.isatty() if progress is None else progress
    start = time.perf_counter()

    def say(message: str) -> None:
        if show:
            print(f"[{time.perf_counter() - start:5.1f} s] {message}", file=sys.stderr)

    return say
