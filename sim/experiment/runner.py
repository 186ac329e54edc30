"""``sim.run``: replications of one scenario into a run folder, with confidence intervals.

The machinery here is shared with ``sim.compare`` and ``sim.sweep``: a list of *members* (one
scenario each, with its run folder) whose replications all go through one executor, saved one
by one as they finish. The numbers reported are always those on disk when a folder is written,
so a resumed run reports exactly what an uninterrupted one would.
"""

from __future__ import annotations

import html
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.statistics import HalfWidthTarget, next_total, select, summarise
from sim.errors import OptionError, UnstableScenarioError
from sim.experiment.executors import Executor, WorkerError
from sim.experiment.options import Execution, Output
from sim.experiment.progress import in_notebook, progress_bar
from sim.files.folder import Folder, command_line, default_folder, guarded
from sim.files.runfolder import RunFolder, StudyFolder
from sim.model.engine import simulate
from sim.model.parts import Part, merge, run_part
from sim.model.plan import ModelPlan, build_plan
from sim.model.recorder import Recorder
from sim.scenario.districts import Split, district_part, split_of
from sim.scenario.limits import MAX_REPLICATIONS
from sim.scenario.loading import LoadedScenario, load_scenario
from sim.scenario.schema import Scenario

DEFAULT_MAX_REPLICATIONS = 200
INTERRUPTING = (KeyboardInterrupt, WorkerError)
"""What stops a run in a way the same command continues."""


def run_replication(
    scenario: Scenario, seed: int, replication: int, keep_records: bool = False
) -> tuple[int, pd.DataFrame, pd.DataFrame | None]:
    """Simulate one replication: (replication, metrics per group, per-issue records or None)."""
    recorder = simulate(build_plan(scenario), seed, replication, keep_records)
    return (replication, *_tables(recorder, replication, keep_records))


def _tables(recorder: Recorder, replication: int, keep_records: bool
            ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    metrics = recorder.metrics()
    metrics.insert(0, "replication", replication)
    records = None
    if keep_records:
        records = recorder.records()
        records.insert(0, "replication", replication)
    return metrics, records


def _member_task(
    member: int, scenario: Scenario, seed: int, replication: int, keep_records: bool,
    district: int | None = None,
) -> tuple[int, int, int | None, Any, pd.DataFrame | None]:
    """The unit of work sent to executors: one replication of one member's scenario, as
    (member, replication, None, metrics, records); or, given the scenario cut to ``district``,
    that district's part of it, as (member, replication, district, part, None)."""
    if district is not None:
        return member, replication, district, run_part(scenario, seed, replication,
                                                       keep_records), None
    _, metrics, records = run_replication(scenario, seed, replication, keep_records)
    return member, replication, None, metrics, records


# ---------------------------------------------------------------- results


@dataclass
class RunResult:
    """What ``sim.run`` returns: the tables of the run folder as DataFrames.

    ``summary`` has one row per group and metric (mean, 95% CI); ``replications`` one row per
    replication and group. With a half-width target, ``target_met`` says whether it was met and
    ``half_width_achieved`` what the interval's half-width came to.
    """

    scenario: LoadedScenario
    seed: int
    summary: pd.DataFrame
    replications: pd.DataFrame
    folder: Path | None = None
    records: pd.DataFrame | None = None
    seconds: float = field(default=0.0, repr=False)
    target: HalfWidthTarget | None = None
    target_met: bool | None = None
    half_width_achieved: float | None = None
    split: Split | None = None  # how each replication ran: by district or as one loop, and why
    unstable: tuple[str, ...] = ()
    """The capacity problems of a scenario run with ``allow_unstable`` (empty: stable)."""

    @property
    def n_replications(self) -> int:
        """Replications behind the summary (with a target: how many were needed)."""
        return int(self.replications["replication"].nunique())

    def metric(self, metric: str, community: str = "all", category: str = "all",
               grid: str = "all") -> pd.Series:
        """The summary row (mean, ci_low, ci_high, ...) of one metric for one group."""
        row = select(self.summary, community, category, grid, metric=metric)
        if row.empty:
            raise KeyError(f"no metric {metric!r} for community={community}, category={category}"
                           f", grid={grid}")
        return row.iloc[0]

    def table(self) -> pd.DataFrame:
        """The planner's table: one row per community, key metrics with their 95% CIs."""
        from sim.analysis.tables import community_table

        return community_table(self.summary, self.scenario.scenario)

    def attainment(self, grids: bool = False) -> pd.DataFrame:
        """Each category against its own targets, per community (or per grid): the shares
        within the category's limits with their intervals and judgements (met, missed,
        unclear), mean and p90 times; care visits with their late and missed shares."""
        from sim.analysis.attainment import attainment_table

        return attainment_table(self.summary, self.scenario.scenario, grids=grids)

    def target_text(self) -> str:
        """One line on the half-width target ('' without one)."""
        if self.target is None:
            return ""
        t = self.target
        achieved = self.half_width_achieved
        shown = "-" if achieved is None or achieved != achieved else (
            f"{achieved:.2%}" if t.relative else f"{achieved:.3g}")
        state = "met" if self.target_met else "NOT met (cap reached)"
        return (f"target {t.describe()}: {state} with {self.n_replications} replications "
                f"(half-width {shown})")

    def _repr_html_(self) -> str:
        where = f"<br>Run folder: <code>{html.escape(str(self.folder))}</code>" if self.folder \
            else ""
        target = f"<br>{html.escape(self.target_text())}" if self.target else ""
        return (
            f"<h4>{html.escape(self.scenario.name)}</h4><p>{self.n_replications} replications, "
            f"seed {self.seed}; means ± 95% confidence half-widths{target}{where}</p>"
            + self.table().to_html()
        )


# ---------------------------------------------------------------- members and batches


@dataclass
class Member:
    """One scenario of an experiment, with its run folder and the replications it has."""

    label: str
    loaded: LoadedScenario
    folder: RunFolder | None = None
    done: dict[int, pd.DataFrame] = field(default_factory=dict)
    records: dict[int, pd.DataFrame] = field(default_factory=dict)
    split: Split | None = None  # how its replications run (None: one loop, not yet decided)
    _plan: ModelPlan | None = field(default=None, repr=False)
    _parts: dict[int, dict[int, Part]] = field(default_factory=dict, repr=False)
    _cut: list[Scenario] = field(default_factory=list, repr=False)

    def decide(self, wanted: bool) -> Split:
        """Whether this member's replications split by district (``wanted`` False: never)."""
        self.split = split_of(self.loaded.scenario, wanted)
        return self.split

    def tasks(self, i: int, replication: int, seed: int, records: bool) -> list[tuple]:
        """The executor's tasks of one replication: the whole, or one per district."""
        scenario = self.loaded.scenario
        if self.split is None or not self.split.split:
            return [(i, scenario, seed, replication, records)]
        if not self._cut:  # each task is sent its district's part only, not the whole city
            self._cut = [district_part(scenario, d) for d in range(self.split.parts)]
        return [(i, part, seed, replication, records, d) for d, part in enumerate(self._cut)]

    def collect(self, replication: int, district: int, part: Part, records: bool
                ) -> tuple[pd.DataFrame, pd.DataFrame | None] | None:
        """Keep one district's part; with the last, the replication's tables (else None)."""
        parts = self._parts.setdefault(replication, {})
        parts[district] = part
        assert self.split is not None
        if len(parts) < self.split.parts:
            return None
        if self._plan is None:
            self._plan = build_plan(self.loaded.scenario)
        del self._parts[replication]
        return _tables(merge(self._plan, parts, records), replication, records)

    def reload(self) -> None:
        """Take the numbers from disk: what a resumed run would see."""
        if self.folder is not None:
            self.done = self.folder.finished()

    def table(self, n: int) -> pd.DataFrame:
        """The replications table of replications 0..n-1 (all must be done)."""
        return pd.concat([self.done[r] for r in range(n)], ignore_index=True)


def simulate_members(
    members: Sequence[Member], n: int, seed: int, executor: Executor, bar: Any,
    records: bool = False,
) -> None:
    """Bring every member to replications 0..n-1, saving each as it finishes.

    Tasks go replication-major (replication 0 of every member, then 1...), so an interrupted
    comparison has paired replications rather than one scenario done and the next not begun.
    """
    todo = [
        task
        for r in range(n)
        for i, m in enumerate(members)
        if r not in m.done
        for task in m.tasks(i, r, seed, records)
    ]
    for i, replication, district, result, recs in executor.imap(_member_task, todo):
        member = members[i]
        if district is None:
            metrics = result
        else:
            tables = member.collect(replication, district, result, records)
            if tables is None:
                continue
            metrics, recs = tables
        if member.folder is not None:
            member.folder.save_replication(replication, metrics, recs)
        member.done[replication] = metrics
        if recs is not None:
            member.records[replication] = recs
        bar.update()
    for member in members:
        member.reload()


def resolve(scenario: str | Path | LoadedScenario, allow_unstable: bool = False
            ) -> LoadedScenario:
    """Accept a path or an already loaded scenario; an unstable one (demand above capacity,
    :attr:`LoadedScenario.unstable`) only with ``allow_unstable``."""
    if not isinstance(scenario, LoadedScenario):
        return load_scenario(scenario, allow_unstable=allow_unstable)
    if scenario.unstable and not allow_unstable:
        raise UnstableScenarioError(list(scenario.unstable))
    return scenario


def default_command(function: str, *args: Any, **kwargs: Any) -> str:
    """The command for the manifest: the command line, or the Python call in a notebook."""
    if not in_notebook():
        return command_line()
    shown = [repr(str(a) if isinstance(a, Path) else getattr(a, "source", a)) for a in args]
    shown += [f"{k}={v!r}" for k, v in kwargs.items() if v is not None]
    return f"sim.{function}({', '.join(shown)})"


# ---------------------------------------------------------------- sim.run


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
    until_half_width: HalfWidthTarget | tuple[Any, ...] | str | None = None,
    max_replications: int | None = None,
    command: str | None = None,
    split_districts: bool = True,
    allow_unstable: bool = False,
) -> RunResult:
    """Simulate ``replications`` of a scenario and summarise them with 95% CIs.

    With ``save`` (the default) results go to a run folder (``out``, default
    ``runs/<date>-<time>-<name>``); rerunning into an unfinished folder resumes it, keeping the
    replications already finished.

    ``until_half_width`` turns on sequential replications: after the first ``replications``,
    batches are added until the 95% half-width of one metric is at most the target, or
    ``max_replications`` (default 200) are done. Give a :class:`HalfWidthTarget`, a tuple
    ``(metric, half_width[, community[, category]])`` or ``"metric=value"`` (``"metric=5%"`` for
    a half-width relative to the mean); the group defaults to community=all, category=all.

    ``executor`` is ``serial``, ``process`` (default; ``workers`` processes, default all cores)
    or ``dask`` (``scheduler`` address, default a local cluster). Every executor gives the same
    numbers for the same seed.

    A replication of a scenario whose districts all have their own departments runs as one
    task per district (``split_districts``; False: one loop), with the numbers of one loop;
    ``RunResult.split`` says how it ran and why.

    A scenario whose demand outgrows its capacity (the backlog would grow without bound) is
    refused unless ``allow_unstable``; then it runs, and the manifest's ``unstable`` and the
    result's ``unstable`` name the problems.
    """
    started = time.perf_counter()
    loaded = resolve(scenario, allow_unstable)
    n, seed = defaults(loaded, replications, seed)
    stopping = Stopping.of(as_target(until_half_width, loaded), max_replications, n)
    execution = Execution(executor, workers, scheduler, progress, split_districts)
    output = Output.of(out, save, command or default_command(
        "run", loaded, replications=replications, seed=seed, until_half_width=until_half_width))
    member = Member(loaded.name, loaded)
    split = member.decide(execution.split_districts)
    with execution.open() as ex:
        if output.save:
            path = output.out or _resumed(RunFolder.unfinished(loaded, seed, records)) \
                or default_folder(loaded.name)
            extra = stopping.request(n)
            if loaded.unstable:  # run as asked (allow_unstable): the manifest says so
                extra["unstable"] = list(loaded.unstable)
            member.folder = RunFolder.open(path, loaded, seed, records, output.command,
                                           extra, _session(ex, split))
        with guarded([member.folder], INTERRUPTING):
            n = replicate(member, n, seed, ex, execution.progress, records, stopping)
            table = member.table(n)
            summary = summarise(table)
            outcome = stopping.outcome(summary, n)
            if member.folder is not None:
                member.folder.complete(table, summary, list(range(n)), **outcome)
    return RunResult(loaded, seed, summary, table,
                     member.folder.path if member.folder else None,
                     _all_records(member, n) if records else None,
                     time.perf_counter() - started, stopping.target,
                     outcome.get("target_met"), outcome.get("half_width_achieved"), split,
                     unstable=loaded.unstable)


def _session(ex: Executor, split: Split | None) -> dict[str, Any]:
    """The manifest's description of a session: the executor, and how replications of a
    scenario with districts run (split by district or one loop, and why)."""
    info = ex.describe()
    if split is not None and split.districts:
        info["districts"] = split.as_dict()
    return info


def defaults(loaded: LoadedScenario, replications: int | None, seed: int | None
             ) -> tuple[int, int]:
    """Replications and seed: as given, else the scenario's ``experiment:`` settings; a count
    outside 1..MAX_REPLICATIONS or a negative seed is refused."""
    experiment = loaded.scenario.experiment
    n = experiment.replications if replications is None else replications
    check_count("replications", n)
    seed = experiment.seed if seed is None else seed
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise OptionError(f"`seed`: must be a whole number of at least 0 (got {seed!r})", "seed")
    return n, seed


def check_count(parameter: str, value: object) -> None:
    """Refuse a replication count that is not a whole number in 1..MAX_REPLICATIONS."""
    if not isinstance(value, int) or isinstance(value, bool) or not (
            1 <= value <= MAX_REPLICATIONS):
        raise OptionError(f"`{parameter}`: must be a whole number from 1 to "
                          f"{MAX_REPLICATIONS:,} (got {value!r})", parameter)


@dataclass(frozen=True)
class Stopping:
    """When a run has replications enough: after the first batch, or (with a half-width
    ``target``) once the target is met or ``cap`` replications are done."""

    target: HalfWidthTarget | None
    cap: int

    @classmethod
    def of(cls, target: HalfWidthTarget | None, max_replications: int | None, first: int
           ) -> Stopping:
        if max_replications is not None and target is None:
            raise OptionError("`max_replications`: only with `until_half_width`",
                              "max_replications", "until_half_width")
        if max_replications is not None:
            check_count("max_replications", max_replications)
        cap = max_replications or (max(DEFAULT_MAX_REPLICATIONS, first) if target else first)
        if cap < first:
            raise OptionError(f"`max_replications` ({cap}) is below `replications` ({first})",
                              "max_replications", "replications")
        return cls(target, cap)

    def request(self, first: int) -> dict[str, Any]:
        """What was asked, for the manifest."""
        return {"replications_requested": first,
                "until_half_width": self.target.as_dict() if self.target else None,
                "max_replications": self.cap if self.target else None}

    def next(self, summary: pd.DataFrame, n: int) -> int | None:
        """How many replications to have next, or None when ``n`` are enough."""
        if self.target is None or self.target.met(summary) or n >= self.cap:
            return None
        return next_total(n, self.target.achieved(summary), self.target.half_width, self.cap)

    def outcome(self, summary: pd.DataFrame, n: int) -> dict[str, Any]:
        """Whether the target was met, for the manifest (empty without a target)."""
        if self.target is None:
            return {}
        met = self.target.met(summary)
        return {"target_met": met, "half_width_achieved": self.target.achieved(summary),
                "replications_needed": n if met else None}


def replicate(member: Member, n: int, seed: int, executor: Executor, progress: bool | None,
              records: bool, stopping: Stopping) -> int:
    """Bring ``member`` to ``n`` replications, then more while ``stopping`` asks; the count."""
    member.reload()
    have = sum(r < n for r in member.done)
    with progress_bar(n, have, member.loaded.name, progress) as bar:
        while True:
            simulate_members([member], n, seed, executor, bar, records)
            following = stopping.next(summarise(member.table(n)), n) \
                if stopping.target else None
            if following is None:
                return n
            n = bar.total = following
            bar.refresh()


def _resumed(path: Path | None) -> Path | None:
    """Say that an unfinished folder found under runs/ is continued (and return it)."""
    if path is not None:
        print(f"continuing the unfinished folder {path} (same scenario, seed and options)",
              file=sys.stderr)
    return path


def _all_records(member: Member, n: int) -> pd.DataFrame:
    if member.folder is not None:
        return pd.read_parquet(member.folder.path / "issues.parquet")
    return pd.concat([member.records[r] for r in range(n)], ignore_index=True)


def metric_names(loaded: LoadedScenario) -> list[str]:
    """The metrics a replication reports (columns of the replications table)."""
    frame = Recorder(build_plan(loaded.scenario)).metrics()
    return [c for c in frame.columns if c not in ("community", "category", "grid")]


def as_target(
    value: HalfWidthTarget | tuple[Any, ...] | str | None, loaded: LoadedScenario
) -> HalfWidthTarget | None:
    """Validate a half-width target against the scenario's metrics and groups."""
    if value is None:
        return None
    try:
        if isinstance(value, HalfWidthTarget):
            target = value
        elif isinstance(value, str):
            target = HalfWidthTarget.parse(value)
        else:
            target = HalfWidthTarget(str(value[0]), float(value[1]), *value[2:])
    except (ValueError, TypeError, IndexError) as exc:
        raise OptionError(f"`until_half_width`: {exc}", "until_half_width") from None
    metrics = metric_names(loaded)
    if target.metric not in metrics:
        raise OptionError(f"`until_half_width`: unknown metric '{target.metric}' (metrics: "
                          f"{', '.join(metrics)})", "until_half_width")
    communities = ["all", *(c.id for c in loaded.scenario.communities)]
    categories = ["all", *loaded.scenario.demand]
    if target.community not in communities:
        raise OptionError(f"`until_half_width`: unknown community '{target.community}' (use "
                          f"{', '.join(communities)})", "until_half_width")
    if target.category not in categories:
        raise OptionError(f"`until_half_width`: unknown category '{target.category}' (use "
                          f"{', '.join(categories)})", "until_half_width")
    if target.grid != "all" and select(
        Recorder(build_plan(loaded.scenario)).metrics(), target.community, "all", target.grid
    ).empty:
        raise OptionError(f"`until_half_width`: no grid '{target.grid}' in community "
                          f"'{target.community}'", "until_half_width")
    return target


# ---------------------------------------------------------------- several scenarios at once


@dataclass
class Study:
    """Several scenarios run with the same seeds (a comparison or a sweep), after the run."""

    members: list[Member]
    seed: int
    replications: int
    table: pd.DataFrame
    folder: Path | None
    seconds: float

    def summaries(self) -> dict[str, pd.DataFrame]:
        return {m.label: summarise(m.table(self.replications)) for m in self.members}


def run_study(
    kind: str,
    labelled: Sequence[tuple[str, LoadedScenario, dict[str, Any]]],
    combine: Any,
    replications: int,
    seed: int,
    output: Output,
    execution: Execution,
) -> Study:
    """Run ``replications`` of every scenario with the same seeds, through one executor.

    ``labelled`` holds (label, scenario, manifest info) per member; labels must be unique and
    are the members' sub-folder names. ``combine(members, n)`` builds the study's table, saved
    as ``<kind>.csv`` at the top of the folder.
    """
    started = time.perf_counter()
    members = [Member(label, loaded) for label, loaded, _ in labelled]
    for m in members:
        m.decide(execution.split_districts)
    with execution.open() as ex:
        top = _open_study(kind, labelled, members, replications, seed, output, ex) \
            if output.save else None
        folders = [top, *(m.folder for m in members)]
        have = sum(r < replications for m in members for r in m.done)
        bar = progress_bar(replications * len(members), have, f"{kind}: {members[0].label}",
                           execution.progress)
        with guarded(folders, INTERRUPTING), bar:
            simulate_members(members, replications, seed, ex, bar)
            for m in members:
                if m.folder is not None:
                    table = m.table(replications)
                    m.folder.complete(table, summarise(table), list(range(replications)))
            combined = combine(members, replications)
            if top is not None:
                top.complete(f"{kind}.csv", combined, replications=replications)
    return Study(members, seed, replications, combined, top.path if top else None,
                 time.perf_counter() - started)


def _open_study(kind: str, labelled: Sequence[tuple[str, LoadedScenario, dict[str, Any]]],
                members: list[Member], replications: int, seed: int, output: Output,
                ex: Executor) -> StudyFolder:
    """The study's folder and one run folder per member inside it (all locked, or none)."""
    info = [{"label": label, "folder": label, "scenario": loaded.name,
             "scenario_file": loaded.source, "scenario_sha256": loaded.digest(), **extra}
            for label, loaded, extra in labelled]
    path = output.out or _resumed(StudyFolder.unfinished(kind, info, seed)) \
        or default_folder(labelled[0][1].name, kind=kind)
    request = {"replications_requested": replications}
    folders: list[Folder] = []
    try:
        top = StudyFolder.open(path, kind, info, seed, output.command, request, ex.describe())
        folders.append(top)
        for m in members:
            m.folder = RunFolder.open(path / m.label, m.loaded, seed, False, output.command,
                                      request, _session(ex, m.split))
            folders.append(m.folder)
            m.reload()
    except BaseException:
        for folder in folders:
            folder.close()
        raise
    return top


def unique_labels(names: Sequence[str], limit: int = 40) -> list[str]:
    """Folder-safe, unique labels: 'a', 'b', 'a-2' for names a, b, a."""
    from sim.files.folder import slugify

    out: list[str] = []
    for name in names:
        base = slugify(name, limit) or "scenario"
        label, k = base, 2
        while label in out:
            label, k = f"{base}-{k}", k + 1
        out.append(label)
    return out
