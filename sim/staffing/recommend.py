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

import pandas as pd

from sim.errors import OptionError
from sim.experiment.executors import Executor
from sim.experiment.options import Execution, Output
from sim.experiment.runner import check_count, default_command, defaults, resolve
from sim.files.folder import default_folder, now_text
from sim.files.results import ResultFolder
from sim.scenario.loading import LoadedScenario
from sim.scenario.policy import Target
from sim.staffing.assumptions import assumptions
from sim.staffing.decide import Decision
from sim.staffing.result import RecommendResult
from sim.staffing.roster import plan_rosters
from sim.staffing.search import Search
from sim.staffing.tables import (
    chosen,
    decisions_table,
    grids_table,
    levels_table,
    mixes_table,
    recommendation_table,
    scenario_varies,
)
from sim.staffing.targets import TargetSet, resolve_targets

RECOMMENDATION_CSV = "recommendation.csv"
LEVELS_CSV = "levels.csv"
DECISIONS_CSV = "decisions.csv"
MIXES_CSV = "mixes.csv"
REQUIREMENT_CSV = "requirement.csv"
ROSTER_CSV = "roster.csv"
ROSTER_CHECK_CSV = "roster_check.csv"
GRIDS_CSV = "grids.csv"
REPORT_HTML = "report.html"
RESULTS_XLSX = "results.xlsx"
FIGURE_MODULES = ("sim.report.plots", "sim.report.requirement")
"""What the workers import to draw the report's figures (matplotlib: not before the search)."""
KIND = "recommend"


def recommend(
    scenario: str | Path | LoadedScenario,
    targets: Sequence[str | Target] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    save: bool = True,
    max_replications: int | None = None,
    roster: bool = False,
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

    A level is decided by one-sided bounds over replications (:mod:`sim.staffing.decide`);
    an undecided one gets batches of ``replications`` more, up to ``max_replications``
    (default twice ``replications``), after which the answer is marked borderline. The
    staffing rule may be overloaded (its backlog would grow without bound): that is reported,
    and the search starts from a stable level. With ``roster``, also the hour-by-hour
    requirement and the cheapest roster of the scenario's ``shifts:`` that covers it, checked
    with the full model (:mod:`sim.staffing.roster`).
    """
    started = time.perf_counter()
    loaded = resolve(scenario, allow_unstable=True)
    compiled = TargetSet.compile(resolve_targets(loaded.scenario, targets), loaded.scenario)
    replications, seed = defaults(loaded, replications, seed)
    decision = Decision(replications, _cap(replications, max_replications))
    execution = Execution(executor, workers, scheduler, progress)
    output = Output.of(out, save, command or default_command(
        "recommend", loaded, targets=list(targets) if targets else None,
        replications=replications, seed=seed, max_replications=max_replications,
        roster=roster or None))
    if roster and loaded.scenario.shifts is None:
        raise OptionError(f"`roster`: {loaded.source} has no shifts: (the shift patterns and "
                          "labour rules a roster may use; see docs/staffing.md)", "roster")
    return run_recommendation(loaded, compiled, decision, seed, execution, output, started,
                              roster)


def _cap(replications: int, max_replications: int | None) -> int:
    cap = 2 * replications if max_replications is None else max_replications
    check_count("max_replications", cap)
    if cap < replications:
        raise OptionError(f"`max_replications`: must be at least the replications "
                          f"({replications}), got {cap}", "max_replications")
    return cap


def run_recommendation(loaded: LoadedScenario, targets: TargetSet, decision: Decision,
                       seed: int, execution: Execution, output: Output,
                       started: float | None = None, roster: bool = False
                       ) -> RecommendResult:
    """:func:`recommend` with its options as objects."""
    started = time.perf_counter() if started is None else started
    say = _logger(execution.progress)
    replications = decision.replications
    with execution.open() as ex:
        folder = _open(loaded, targets, decision, seed, output, ex, roster) \
            if output.save else None
        with folder.guarded() if folder is not None else contextlib.nullcontext():
            search = Search(loaded, targets, decision, seed, ex, folder, say)
            ex.warm(FIGURE_MODULES)  # when the workers first fall idle, for the report
            states = search.run()
            spec = loaded.scenario
            picked = chosen(states, spec)
            rostered = plan_rosters(search, picked, say) if roster else None
            say("assembling the tables")
            tables_started = time.perf_counter()
            grids = grids_table(states, targets)
            levels = levels_table(states, targets)
            result = RecommendResult(
                loaded, list(targets.targets), seed, replications,
                recommendation_table(spec, states, targets, grids, decision, levels),
                levels, grids,
                assumptions(spec, targets, decision, seed),
                folder.path if folder is not None else None,
                simulations=search.simulations, reused=search.reused,
                decisions=decisions_table(states, targets, decision),
                max_replications=decision.cap, roster=rostered,
                mixes=mixes_table(spec, states) if scenario_varies(spec) else pd.DataFrame(),
                calibration={s.id: (s.shares, s.mix) for s in picked if s.shares is not None})
            result.seconds = time.perf_counter() - started
            result.stages = search.stages
            if folder is not None:
                _publish(folder, result, tables_started, ex)
    result.seconds = time.perf_counter() - started
    return result


def _open(loaded: LoadedScenario, targets: TargetSet, decision: Decision, seed: int,
          output: Output, ex: Executor, roster: bool) -> ResultFolder:
    """The recommendation's folder: refused when it holds another scenario's, seed's,
    number of replications' or targets' results."""
    path = output.out or default_folder(loaded.name, kind=KIND)
    yaml = loaded.to_yaml()
    return ResultFolder.open(
        path, kind=KIND,
        identity={"scenario_sha256": loaded.digest(), "seed": seed,
                  "replications": decision.replications,
                  "max_replications": decision.cap, "targets": targets.identity(),
                  **({"roster": True} if roster else {})},
        command=output.command,
        inputs={"scenario.yaml": lambda p: p.write_text(yaml, encoding="utf-8")},
        info={"scenario": loaded.name, "scenario_file": loaded.source,
              "target_descriptions": targets.descriptions(),
              **({"unstable": list(loaded.unstable)} if loaded.unstable else {}),
              **ex.describe()})


def _publish(folder: ResultFolder, result: RecommendResult, tables_started: float,
             executor: Executor) -> None:
    """Write the tables, the report (its figures drawn on ``executor``'s workers) and the
    workbook, ``recommendation.csv`` last; the manifest records the wall seconds of each step
    (``stages``)."""
    from sim.staffing.report import recommendation_report
    from sim.staffing.workbook import recommend_workbook

    result.manifest = {**folder.manifest, "finished": now_text()}
    page = recommendation_report(result, executor=executor)
    result.stages["tables and report"] = time.perf_counter() - tables_started
    tables = {RECOMMENDATION_CSV: result.table, LEVELS_CSV: result.levels,
              DECISIONS_CSV: result.decisions}
    if not result.mixes.empty:
        tables[MIXES_CSV] = result.mixes
    if result.roster is not None:
        tables.update({REQUIREMENT_CSV: result.roster.requirement,
                       ROSTER_CSV: result.roster.roster,
                       ROSTER_CHECK_CSV: result.roster.check})
    if not result.grids.empty:
        tables[GRIDS_CSV] = result.grids
    folder.publish_tables(
        tables, marker=RECOMMENDATION_CSV,
        others={REPORT_HTML: lambda p: p.write_text(page, encoding="utf-8"),
                RESULTS_XLSX: recommend_workbook(result)},
        seconds=round(result.seconds, 2), simulations=result.simulations,
        reused=result.reused, stages={k: round(v, 2) for k, v in result.stages.items()})
    result.manifest = folder.manifest


def _logger(progress: bool | None) -> Callable[[str], None]:
    show = sys.stderr.isatty() if progress is None else progress
    start = time.perf_counter()

    def say(message: str) -> None:
        if show:
            print(f"[{time.perf_counter() - start:5.1f} s] {message}", file=sys.stderr)

    return say
