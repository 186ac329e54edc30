"""``sim.run``: replications of one scenario into a run folder, with confidence intervals."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from sim.experiment.executors import run_tasks
from sim.experiment.runfolder import RunFolder, command_line, default_folder
from sim.experiment.statistics import summarise
from sim.model.engine import simulate
from sim.model.plan import build_plan
from sim.scenario.loading import LoadedScenario, load_scenario
from sim.scenario.schema import Scenario


def run_replication(
    scenario: Scenario, seed: int, replication: int, keep_records: bool = False
) -> tuple[int, pd.DataFrame, pd.DataFrame | None]:
    """Simulate one replication: (replication, metrics per group, per-issue records or None)."""
    recorder = simulate(build_plan(scenario), seed, replication, keep_records)
    metrics = recorder.metrics()
    metrics.insert(0, "replication", replication)
    records = None
    if keep_records:
        records = recorder.records()
        records.insert(0, "replication", replication)
    return replication, metrics, records


@dataclass
class RunResult:
    """What ``sim.run`` returns: the tables of the run folder as DataFrames."""

    scenario: LoadedScenario
    seed: int
    summary: pd.DataFrame
    replications: pd.DataFrame
    folder: Path | None = None
    records: pd.DataFrame | None = None
    seconds: float = field(default=0.0, repr=False)

    def metric(self, metric: str, community: str = "all", category: str = "all") -> pd.Series:
        """The summary row (mean, ci_low, ci_high, ...) of one metric for one group."""
        s = self.summary
        row = s[(s.metric == metric) & (s.community == community) & (s.category == category)]
        if row.empty:
            raise KeyError(f"no metric {metric!r} for community={community}, category={category}")
        return row.iloc[0]

    def table(self) -> pd.DataFrame:
        """The planner's table: one row per community, key metrics with their 95% CIs."""
        from sim.report.tables import community_table

        return community_table(self.summary, self.scenario.scenario)

    def _repr_html_(self) -> str:
        where = f"<br>Run folder: <code>{self.folder}</code>" if self.folder else ""
        n = int(self.replications["replication"].nunique())
        return (
            f"<h4>{self.scenario.name}</h4><p>{n} replications, seed {self.seed}{where}</p>"
            + self.table().to_html()
        )


def resolve(scenario: str | Path | LoadedScenario) -> LoadedScenario:
    """Accept a path or an already loaded scenario."""
    return scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)


def run(
    scenario: str | Path | LoadedScenario,
    replications: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    records: bool = False,
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    save: bool = True,
) -> RunResult:
    """Simulate ``replications`` of a scenario and summarise them with 95% CIs.

    With ``save`` (the default) results go to a run folder (``out``, default
    ``runs/<date>-<time>-<name>``); rerunning into an unfinished folder resumes it, keeping the
    replications already finished.
    """
    loaded = resolve(scenario)
    spec = loaded.scenario
    replications = replications or spec.experiment.replications
    seed = spec.experiment.seed if seed is None else seed
    started = time.perf_counter()
    folder = None
    done: dict[int, pd.DataFrame] = {}
    if save:
        path = Path(out) if out is not None else default_folder(loaded.name)
        folder = RunFolder.open(path, loaded, seed, records, command_line(),
                                {"executor": executor, "replications_requested": replications})
        done = {r: m for r, m in folder.finished().items() if r < replications}
    kept_records: dict[int, pd.DataFrame] = {}
    todo = [(spec, seed, r, records) for r in range(replications) if r not in done]
    bar = tqdm(total=replications, initial=len(done), desc=loaded.name[:30], unit="rep",
               disable=not _show_progress(progress), leave=False)
    with bar:
        for replication, metrics, recs in run_tasks(run_replication, todo, executor, workers,
                                                    scheduler):
            if folder is not None:
                folder.save_replication(replication, metrics, recs)
            done[replication] = metrics
            if recs is not None:
                kept_records[replication] = recs
            bar.update()
    if folder is not None:  # summarise what is on disk, so a resumed run gives the same numbers
        done = {r: m for r, m in folder.finished().items() if r < replications}
    order = sorted(done)
    table = pd.concat([done[r] for r in order], ignore_index=True)
    summary = summarise(table)
    if folder is not None:
        folder.complete(table, summary, order)
    all_records = None
    if records:
        if folder is not None:
            all_records = pd.read_parquet(folder.path / "issues.parquet")
        else:
            all_records = pd.concat([kept_records[r] for r in order], ignore_index=True)
    return RunResult(loaded, seed, summary, table, folder.path if folder else None, all_records,
                     time.perf_counter() - started)


def _show_progress(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return sys.stderr.isatty()
