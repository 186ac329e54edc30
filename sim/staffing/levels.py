"""Evaluating staffing levels: the fast screen and the full model, on the same random numbers.

The screen draws a community's issues exactly as the engine does (each source's occurrences
from its intensity curve and stream ``arrivals/<source>``, handling times from
``handling/<source>`` and reporting delays from ``report/<source>`` in the engine's blocks),
merges them in order of report and computes every issue's wait by the Kiefer-Wolfowitz
recursion (:mod:`sim.screen`) with the community's workers as identical servers. When the
workers keep a calendar, the recursion runs on their working clock (closed hours cut out, as if
a job interrupted at closing resumed at the next opening), then times are mapped back.

The screen is one FIFO queue of the categories community workers take: it leaves out
priorities and pre-emption, grid members, volunteers and Party members, the duty rota, travel,
escalation to departments and care visits. It is exact for a pooled scenario without those, an
approximation otherwise; the full model has the last word.

The full model is :func:`sim.experiment.runner.run_replication` with per-issue records, measured
with the same :class:`~sim.staffing.targets.TargetSet`. Communities are independent in the
pooled model (their own workers, their own named streams), so a community's numbers do not
depend on which other communities are simulated with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.experiment.runner import run_replication
from sim.model.distributions import block_sampler
from sim.model.plan import ModelPlan, build_plan
from sim.model.streams import Streams
from sim.scenario.schema import Scenario
from sim.screen import fifo_waits_ragged
from sim.staffing.targets import UTILISATION, TargetSet


class WorkingClock:
    """Minutes of working time: ``work(t)`` counts shift minutes before ``t``; ``real(x)`` is
    the first moment the workers have worked ``x`` minutes (an opening if ``x`` falls at a
    closing). ``shifts`` are [[from, to], ...] sorted intervals, or None for always."""

    def __init__(self, shifts: np.ndarray | None):
        self.always = shifts is None or len(shifts) == 0
        if not self.always:
            self.lo = np.asarray(shifts, dtype=float)[:, 0]
            self.hi = np.asarray(shifts, dtype=float)[:, 1]
            self.cum = np.concatenate([[0.0], np.cumsum(self.hi - self.lo)])

    def work(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        if self.always:
            return t
        i = np.searchsorted(self.lo, t, side="right") - 1
        j = np.maximum(i, 0)
        inside = np.clip(t - self.lo[j], 0.0, self.hi[j] - self.lo[j])
        return np.where(i >= 0, self.cum[j] + inside, 0.0)

    def real(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self.always:
            return x
        j = np.clip(np.searchsorted(self.cum[:-1], x, side="right") - 1, 0, len(self.lo) - 1)
        beyond = x > self.cum[-1]  # after the last shift: carry on as if always open
        return np.where(beyond, self.hi[-1] + (x - self.cum[-1]), self.lo[j] + (x - self.cum[j]))


def workers_clock(plan: ModelPlan, community: int) -> WorkingClock:
    """The working clock of a community's community workers (their calendar in the plan)."""
    for responder in getattr(plan, "responders", ()):
        if responder.role == "community_worker" and responder.community == community:
            return WorkingClock(responder.shifts)
    return WorkingClock(None)


@dataclass(frozen=True)
class Draws:
    """One community's issues in every replication, in arrival order."""

    community: str
    occurred_min: list[np.ndarray]
    reported_min: list[np.ndarray]  # arrival at the community's queue, sorted
    handling_min: list[np.ndarray]
    category: list[np.ndarray]
    clock: WorkingClock


def draw_community(scenario: Scenario, plan: ModelPlan, community: int, seed: int,
                   replications: int) -> Draws:
    """The issues community workers take in community number ``community`` of ``plan``, in
    replications 0..R-1."""
    role = scenario.staffing.community_workers
    takes = getattr(role, "categories", "all")
    sources = [s for s in plan.sources if s.community == community
               and (takes == "all" or plan.categories[s.category] in takes)]
    occurred, reported, handling, category = [], [], [], []
    for replication in range(replications):
        streams = Streams(seed, replication)
        parts: list[tuple[np.ndarray, ...]] = []
        for source in sources:
            times = np.fromiter(
                source.curve.times(source.rate_per_min, streams(f"arrivals/{source.stream}")),
                dtype=float,
            )
            sampler = block_sampler(plan.handling[source.category],
                                    streams(f"handling/{source.stream}"))
            delay = np.zeros(times.size)
            report_delay = getattr(source, "report_delay", None)
            factor = getattr(source, "report_factor", 0.0)
            if report_delay is not None and factor:
                # the engine's first values of each stream (see block_iter)
                delay = block_sampler(report_delay, streams(f"report/{source.stream}"))(
                    times.size) * factor
            parts.append((times, times + delay, sampler(times.size),
                          np.full(times.size, source.category, dtype=np.int64)))
        if parts:
            o, r, s, k = (np.concatenate(column) for column in zip(*parts, strict=True))
        else:
            o, r, s, k = np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, np.int64)
        order = np.argsort(r, kind="stable")
        occurred.append(o[order])
        reported.append(r[order])
        handling.append(s[order])
        category.append(k[order])
    return Draws(plan.communities[community], occurred, reported, handling, category,
                 workers_clock(plan, community))


def screen_level(draws: Draws, servers: int, targets: TargetSet) -> pd.DataFrame:
    """Per-replication values of every target key for ``servers`` workers, by the screen."""
    clock = draws.clock
    arrivals = [clock.work(a) for a in draws.reported_min]
    waits = fifo_waits_ragged(arrivals, draws.handling_min, servers)
    lo, hi = clock.work(np.array([targets.warmup_min, targets.horizon_min]))
    rows = []
    for r, (o, a, x, s, k, w) in enumerate(zip(draws.occurred_min, draws.reported_min,
                                               arrivals, draws.handling_min, draws.category,
                                               waits, strict=True)):
        start, end = clock.real(x + w), clock.real(x + w + s)
        values = targets.shares(k, o, a, start - o, (end - o) / 60.0)
        busy = np.clip(np.minimum(x + w + s, hi) - np.maximum(x + w, lo), 0, None).sum()
        values[UTILISATION] = busy / (servers * (hi - lo)) if hi > lo else np.nan
        rows.append({"replication": r, **values})
    return pd.DataFrame(rows)


def screen_community(
    scenario: Scenario, community: int, seed: int, replications: int, targets: TargetSet,
    start: int, minimum: int, maximum: int, extra: tuple[int, ...] = (),
) -> tuple[int, int | None, pd.DataFrame]:
    """The screen's fewest workers for one community, searching from ``start``.

    Returns (community, answer or None if none up to ``maximum``, per-replication values of
    every level evaluated with a ``workers`` column). ``extra`` levels are evaluated too (for
    plots), when stable.
    """
    draws = draw_community(scenario, build_plan(scenario), community, seed, replications)
    frames: dict[int, pd.DataFrame] = {}

    def meets(servers: int) -> bool:
        if servers not in frames:
            frames[servers] = screen_level(draws, servers, targets)
        means = frames[servers].drop(columns="replication").mean().to_dict()
        return targets.meets(means)

    level = min(max(start, minimum), maximum)
    answer: int | None
    if meets(level):
        while level - 1 >= minimum and meets(level - 1):
            level -= 1
        answer = level
    else:
        while level < maximum and not meets(level + 1):
            level += 1
        answer = level + 1 if level < maximum else None
    for servers in extra:
        if minimum <= servers <= maximum:
            meets(servers)
    table = pd.concat(
        [f.assign(workers=c) for c, f in sorted(frames.items())], ignore_index=True
    )
    return community, answer, table


def full_model_replication(
    scenario: Scenario, seed: int, replication: int, targets: TargetSet,
    only: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One replication of the full model: every target key per community (and per grid).

    Rows: community, grid ('' for the whole community), replication, workers, then one column
    per target key; only for the communities in ``only`` when given. Per-grid rows appear for
    communities of more than one grid.
    """
    _, metrics, records = run_replication(scenario, seed, replication, keep_records=True)
    assert records is not None
    workers = {c.id: scenario.workers(c) for c in scenario.communities}
    category = _codes(records["category"], targets.categories)
    occurred = records[_first(records, "occurred_min", "arrival_min")].to_numpy(float)
    reported = records[_first(records, "reported_min", "arrival_min")].to_numpy(float)
    response = records["response_min"].to_numpy(float)
    resolution = records["resolution_h"].to_numpy(float)
    community = _codes(records["community"], list(workers))
    grid = records["grid"].astype(str).to_numpy() if "grid" in records.columns else None
    overall = metrics[metrics["category"] == "all"]
    if "grid" in overall.columns:
        overall = overall[overall["grid"].isna() | overall["grid"].isin(["all", ""])]
    busy = _first(overall, "utilisation_community_worker", "utilisation")
    utilisation = overall.groupby("community")[busy].first().to_dict()
    masks = targets.masks(category, occurred, reported, response, resolution)
    ids = list(workers)
    wanted = [i for i, cid in enumerate(ids) if only is None or cid in only]

    def shares(group: np.ndarray, size: int) -> dict[str, np.ndarray]:
        """Share met per group code (0..size-1), NaN for a group with no counted issue."""
        out = {}
        for key, (counted, met) in masks.items():
            n = np.bincount(group[counted], minlength=size)
            ok = np.bincount(group[met], minlength=size)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[key] = np.where(n > 0, ok / np.maximum(n, 1), np.nan)
        return out

    inside = community >= 0
    by_community = shares(np.where(inside, community, len(ids)), len(ids) + 1)
    rows = [{"community": ids[i], "grid": "", **{k: v[i] for k, v in by_community.items()},
             UTILISATION: utilisation.get(ids[i], np.nan)} for i in wanted]
    if grid is not None:
        codes, names = pd.factorize(grid)
        by_grid = shares(codes, len(names))
        owner = np.full(len(names), -1)
        owner[codes] = community
        for i in wanted:
            mine = np.flatnonzero(owner == i)
            if len(mine) > 1:  # a community of one grid has no per-grid rows
                rows += [{"community": ids[i], "grid": str(names[g]),
                          **{k: v[g] for k, v in by_grid.items()}, UTILISATION: np.nan}
                         for g in mine]
    frame = pd.DataFrame(rows)
    frame.insert(2, "replication", replication)
    frame.insert(3, "workers", frame["community"].map(workers))
    return frame


def run_task(kind: str, *args) -> tuple[str, object]:
    """(kind, result) of a ``screen`` (:func:`screen_community`) or ``full`` model task
    (:func:`full_model_replication`), so one pool runs both side by side."""
    if kind == "screen":
        return kind, screen_community(*args)
    return kind, full_model_replication(*args)


def _codes(values: pd.Series, names: Sequence[str]) -> np.ndarray:
    """Position of each value in ``names`` (-1 where it is not there), fast for categoricals."""
    lookup = {name: i for i, name in enumerate(names)}
    series = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    table = np.array([lookup.get(str(c), -1) for c in series.cat.categories] + [-1],
                     dtype=np.int64)
    return table[np.asarray(series.cat.codes)]  # code -1 (missing) picks the final -1


def _first(frame: pd.DataFrame, *names: str) -> str:
    """The first of ``names`` that is a column of ``frame`` (engines name times differently)."""
    return next((n for n in names if n in frame.columns), names[-1])


def search_ceiling(scenario: Scenario, community: int, minimum: int) -> int:
    """The most workers any search goes to: twice the peak-hour load, plus ten."""
    plan = build_plan(scenario)
    peak = 0.0
    for source in plan.sources:
        if source.community == community:
            mean_handling = plan.handling[source.category].mean
            multipliers = getattr(source.curve, "multipliers", None)
            top = float(np.max(multipliers)) if multipliers is not None else 3.0
            peak += source.rate_per_min * mean_handling * top
    return max(minimum, math.ceil(2 * peak)) + 10
