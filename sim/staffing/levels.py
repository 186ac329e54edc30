"""Evaluating staffing levels: the fast screen and the full model, on the same random numbers.

The screen draws a community's issues exactly as the engine does (each source's occurrences
from its intensity curve and stream ``arrivals/<source>``, handling times from
``handling/<source>`` and reporting delays from ``report/<source>`` in the engine's blocks),
merges them in order of report and computes every issue's start by the FIFO recursion
(:mod:`sim.screen`) with the community's workers as identical servers; when they keep a
calendar, on that calendar as the engine keeps it (nobody starts work off shift; a job running
at closing time is finished). Times are measured as :mod:`sim.model.measures` defines them,
from the report, by the same :class:`~sim.staffing.targets.TargetSet` as the full model.

The screen is one FIFO queue of the categories community workers take: it leaves out
priorities and pre-emption, grid members, volunteers and Party members, the duty rota, travel,
escalation to departments and care visits. It is exact for a pooled scenario without those
(same random numbers, same shares, issue for issue), an approximation otherwise; the full model
has the last word.

The full model is the engine (:func:`sim.model.engine.simulate`) with per-issue records, measured
with the same :class:`~sim.staffing.targets.TargetSet`. Communities are independent in the
pooled model (their own workers, their own named streams), so a community's numbers do not
depend on which other communities are simulated with it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from sim.model.distributions import block_sampler
from sim.model.engine import simulate
from sim.model.measures import DRAIN_DAYS, overlap, resolution_h, response_min
from sim.model.plan import ModelPlan, Source, build_plan
from sim.model.streams import Streams
from sim.scenario.common import MINUTES_PER_DAY
from sim.scenario.schema import Scenario
from sim.screen import WorkingHours, fifo_starts_ragged
from sim.staffing.targets import UTILISATION, TargetSet
from sim.staffing.workload import WorkerShare, codes_of, role_columns


@dataclass(frozen=True)
class Draws:
    """One community's issues in every replication, in order of report, and the calendar of
    its community workers. ``busy_min`` is what a worker spends on an issue (travel there,
    handling, the way back), ``travel_min`` the way there (on site at start + travel)."""

    community: str
    occurred_min: list[np.ndarray]
    reported_min: list[np.ndarray]  # arrival at the community's queue, sorted
    handling_min: list[np.ndarray]
    category: list[np.ndarray]
    travel_min: list[np.ndarray]
    busy_min: list[np.ndarray]
    hours: WorkingHours | None  # the workers' shifts; None: always working
    scheduled_min: float  # one worker's working minutes in the observation window
    end_min: float  # the full model stops here; issues open then are not measured
    keep: list[np.ndarray] | None = None  # each issue's keep uniform over its category's share

    COLUMNS = ("occurred_min", "reported_min", "handling_min", "category", "travel_min",
               "busy_min", "keep")

    def fewer(self, factor: float) -> Draws:
        """The issues kept at ``factor`` (< 1) times the demand: the same issues, fewer (each
        kept while its keep uniform is below the factor)."""
        assert self.keep is not None
        masks = [u < factor for u in self.keep]
        kept: dict[str, Any] = {c: [v[m] for v, m in zip(getattr(self, c), masks, strict=True)]
                                for c in self.COLUMNS}
        return replace(self, **kept)

    def more(self, extra: Draws) -> Draws:
        """These issues and ``extra``'s, in order of report."""
        columns: dict[str, Any] = {c: [] for c in self.COLUMNS}
        for r in range(len(self.reported_min)):
            order = np.argsort(np.concatenate([self.reported_min[r], extra.reported_min[r]]),
                               kind="stable")
            for c in self.COLUMNS:
                columns[c].append(np.concatenate([getattr(self, c)[r],
                                                  getattr(extra, c)[r]])[order])
        return replace(self, **columns)


def workers_calendar(plan: ModelPlan, community: int) -> tuple[WorkingHours | None, float]:
    """The shifts of a community's community workers (None: always) and one worker's working
    minutes in the observation window, as the plan has them."""
    for responder in plan.responders:
        if (responder.role == "community_worker" and responder.community == community
                and responder.shift_key.endswith("@base")):
            shifts = responder.shifts
            return (None if shifts is None else WorkingHours(shifts)), responder.scheduled_min
    return None, plan.window_min


def draw_community(scenario: Scenario, plan: ModelPlan, community: int, seed: int,
                   replications: int, shares: WorkerShare | None = None,
                   demand: float = 1.0) -> Draws:
    """The issues community workers take in community number ``community`` of ``plan``, in
    replications 0..R-1, drawn as the engine draws them.

    ``shares`` (measured by the full model, :class:`WorkerShare`) keeps each issue of category
    k with probability ``share[k]`` (a uniform of its own stream ``screen/keep/<source>``, so
    the same issues are kept at every level) and adds the workers' travel; without it the
    workers take every issue they may, on the spot. ``demand`` scales the arrival rates: below
    1 by keeping fewer of the same issues, above 1 by adding issues of streams
    ``screen/more/...`` of their own.
    """
    if demand < 1:
        return draw_community(scenario, plan, community, seed, replications, shares).fewer(
            demand)
    base = _draws(scenario, plan, community, seed, replications, shares, "", 1.0)
    if demand > 1:
        return base.more(_draws(scenario, plan, community, seed, replications, shares,
                                "screen/more/", demand - 1))
    return base


def _draws(scenario: Scenario, plan: ModelPlan, community: int, seed: int, replications: int,
           shares: WorkerShare | None, prefix: str, rate: float) -> Draws:
    """Issues of the community's sources at ``rate`` times their rates, from the streams with
    ``prefix`` (none: the engine's), thinned to ``shares``."""
    role = scenario.staffing.community_workers
    takes = role.categories
    sources = [s for s in plan.sources if s.community == community
               and (takes == "all" or plan.categories[s.category] in takes)]
    shares = shares or WorkerShare.everything(len(plan.categories))
    columns: list[list[np.ndarray]] = [[] for _ in range(7)]
    for replication in range(replications):
        streams = Streams(seed, replication)
        streams.prepare(name for source in sources for name in (
            *source.stream_names(prefix)[:3], _keep_stream(source, prefix)))
        parts = [_source_issues(plan, source, streams, prefix, rate,
                                shares.share[source.category]) for source in sources]
        o, r, s, k, u = (np.concatenate([p[i] for p in parts]) if parts else np.zeros(0)
                         for i in range(5))
        k = k.astype(np.int64)
        order = np.argsort(r, kind="stable")
        o, r, s, k, u = o[order], r[order], s[order], k[order], u[order]
        travel = shares.travel_min[k]
        for column, values in zip(columns, (o, r, s, k, travel,
                                            s + travel + shares.back_min[k], u), strict=True):
            column.append(values)
    hours, scheduled = workers_calendar(plan, community)
    occurred, reported, handling, category, travel, busy, keep = columns
    return Draws(plan.communities[community], occurred, reported, handling, category, travel,
                 busy, hours, scheduled, plan.horizon_min + DRAIN_DAYS * MINUTES_PER_DAY, keep)


def _source_issues(plan: ModelPlan, source, streams: Streams, prefix: str, rate: float,
                   keep: float) -> tuple[np.ndarray, ...]:
    """(occurred, reported, handling, category, keep uniform) of one source's issues at
    ``rate`` times its rate, each kept with probability ``keep`` (its uniform, scaled by
    ``keep``, is below 1). Without a prefix these are the engine's own numbers (its first
    values of each stream, see block_iter)."""
    arrivals, handling_stream, report, _ = source.stream_names(prefix)
    times = np.fromiter(source.curve.times(source.rate_per_min * rate, streams(arrivals)),
                        dtype=float)
    handling = block_sampler(plan.handling[source.category], streams(handling_stream))(
        times.size)
    reported = times
    if source.report_delay is not None:
        delay = block_sampler(source.report_delay, streams(report))
        reported = times + delay(times.size) * source.report_factor
    uniform = streams(_keep_stream(source, prefix)).random(times.size)
    scaled = uniform / keep if keep > 0 else np.full(times.size, np.inf)
    kept = scaled < 1
    return (times[kept], reported[kept], handling[kept],
            np.full(int(kept.sum()), source.category, dtype=float), scaled[kept])


def _keep_stream(source: Source, prefix: str) -> str:
    """The stream of the uniforms that keep a source's issue for the workers (or not)."""
    return f"screen/keep/{prefix}{source.stream}"


def screen_level(draws: Draws, servers: int, targets: TargetSet) -> pd.DataFrame:
    """Per-replication values of every target key for ``servers`` workers, by the screen."""
    starts = fifo_starts_ragged(draws.reported_min, draws.busy_min, servers, draws.hours)
    return measure_starts(draws, starts, servers, targets)


def measure_starts(draws: Draws, starts: Sequence[np.ndarray], servers: float,
                   targets: TargetSet) -> pd.DataFrame:
    """Per-replication target values of the screen's issues started at ``starts`` by
    ``servers`` workers (on average over the window, for utilisation)."""
    lo, hi = targets.warmup_min, targets.horizon_min
    rows = []
    for r, (o, a, s, k, travel, busy, start) in enumerate(zip(
            draws.occurred_min, draws.reported_min, draws.handling_min, draws.category,
            draws.travel_min, draws.busy_min, starts, strict=True)):
        onsite = start + travel
        closed_at = onsite + s
        closed = closed_at <= draws.end_min  # the full model measures only what it closes
        with np.errstate(invalid="ignore"):
            response = np.where(closed, response_min(a, onsite), np.nan)
            resolution = np.where(closed, resolution_h(a, closed_at), np.nan)
        values = targets.shares(k, o, a, response, resolution)
        busy = overlap(start[closed], start[closed] + busy[closed], lo, hi).sum()
        scheduled = servers * draws.scheduled_min
        values[UTILISATION] = busy / scheduled if scheduled > 0 else np.nan
        rows.append({"replication": r, **values})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ScreenAnswer:
    """The screen's answer for one community: its fewest workers (None: none up to the
    ceiling), the per-replication values of every level it evaluated (column ``workers``), and
    its fewest workers at other demand factors (``{0.8: 2, 1.2: 4}``)."""

    community: int
    workers: int | None
    table: pd.DataFrame
    by_demand: dict[float, int | None]


def screen_community(
    scenario: Scenario, community: int, seed: int, replications: int, targets: TargetSet,
    start: int, minimum: int, maximum: int, extra: tuple[int, ...] = (),
    shares: WorkerShare | None = None, demands: tuple[tuple[float, int], ...] = (),
) -> ScreenAnswer:
    """The screen's fewest workers for one community, searching from ``start``.

    ``extra`` levels are evaluated too (for plots), when stable. ``shares``: what the workers
    carry of each category (:func:`draw_community`). ``demands``: (factor, fewest stable
    workers at that demand) pairs, each answered by the same search on the community's
    demand scaled by the factor.
    """
    plan = build_plan(scenario)
    draws = draw_community(scenario, plan, community, seed, replications, shares)
    frames: dict[int, pd.DataFrame] = {}

    def meets(servers: int) -> bool:
        if servers not in frames:
            frames[servers] = screen_level(draws, servers, targets)
        return targets.meets(frames[servers].drop(columns="replication").mean().to_dict())

    answer = fewest(meets, start, minimum, maximum)
    for servers in extra:
        if minimum <= servers <= maximum:
            meets(servers)
    table = pd.concat(
        [f.assign(workers=c) for c, f in sorted(frames.items())], ignore_index=True
    )
    by_demand: dict[float, int | None] = {}
    for factor, low in demands:
        scaled = draws.fewer(factor) if factor < 1 else draws.more(_draws(
            scenario, plan, community, seed, replications, shares, "screen/more/", factor - 1))

        def scaled_meets(servers: int, scaled: Draws = scaled) -> bool:
            values = screen_level(scaled, servers, targets).drop(columns="replication")
            return targets.meets(values.mean().to_dict())

        guess = max(answer or start, low)
        by_demand[factor] = fewest(scaled_meets, guess, low, max(maximum, guess))
    return ScreenAnswer(community, answer, table, by_demand)


def fewest(meets: Callable[[int], bool], start: int, minimum: int, maximum: int) -> int | None:
    """The fewest workers in ``minimum..maximum`` that meet, searching from ``start`` (the
    answer is taken to be monotone: more workers never meet less)."""
    level = min(max(start, minimum), maximum)
    if meets(level):
        while level - 1 >= minimum and meets(level - 1):
            level -= 1
        return level
    while level < maximum and not meets(level + 1):
        level += 1
    return level + 1 if level < maximum else None


WorkerShifts = dict[str, list[tuple[str, np.ndarray]]]
"""Per community id, each community worker's calendar: (a name shared by those who keep the
same one, working intervals in simulation minutes). A roster, replacing the role's calendar."""


def with_worker_shifts(plan: ModelPlan, shifts: WorkerShifts) -> ModelPlan:
    """``plan`` with the community workers of the communities in ``shifts`` on their own
    calendars (as many workers as calendars; the duty rota stays with the first)."""
    index = {cid: i for i, cid in enumerate(plan.communities)}
    given = {index[cid]: list(calendars) for cid, calendars in shifts.items()}
    responders = []
    for r in plan.responders:
        calendars = given.get(r.community)
        if calendars and r.role == "community_worker" and r.shift_key.endswith("@base"):
            name, intervals = calendars.pop(0)
            scheduled = float(overlap(intervals[:, 0], intervals[:, 1], plan.warmup_min,
                                      plan.horizon_min).sum())
            r = replace(r, shifts=intervals, shift_key=f"roster/{r.community}/{name}@base",
                        scheduled_min=scheduled)
        responders.append(r)
    left = {plan.communities[c]: len(v) for c, v in given.items() if v}
    if left:
        raise ValueError(f"more calendars than community workers: {left}")
    return replace(plan, responders=tuple(responders))


def full_model_replication(scenario: Scenario, seed: int, replication: int,
                           targets: TargetSet, shifts: WorkerShifts | None = None
                           ) -> pd.DataFrame:
    """One replication of the full model: every target key per community (and per grid);
    with ``shifts``, those communities' workers on a roster's calendars.

    Rows: community, grid ('' for the whole community), replication, workers, then one column
    per target key, then (community rows) what the community workers carried of each category
    (:func:`~sim.staffing.workload.role_columns`). Per-grid rows appear for communities of
    more than one grid.
    """
    plan = build_plan(scenario)
    if shifts:
        plan = with_worker_shifts(plan, shifts)
    recorder = simulate(plan, seed, replication, keep_records=True)
    records = recorder.records()
    workers = {c.id: scenario.workers(c) for c in scenario.communities}
    ids = list(workers)
    category = codes_of(records["category"], targets.categories)
    community = codes_of(records["community"], ids)
    masks = targets.masks(category, records["occurred_min"].to_numpy(float),
                          records["reported_min"].to_numpy(float),
                          records["response_min"].to_numpy(float),
                          records["resolution_h"].to_numpy(float))
    utilisation = dict(zip(plan.communities,
                           recorder.role_utilisation("community_worker").tolist(), strict=True))

    def shares(group: np.ndarray, size: int) -> dict[str, np.ndarray]:
        """Share met per group code (0..size-1), NaN for a group with no counted issue."""
        out = {}
        for key, (counted, met) in masks.items():
            n = np.bincount(group[counted], minlength=size)
            ok = np.bincount(group[met], minlength=size)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[key] = np.where(n > 0, ok / np.maximum(n, 1), np.nan)
        return out

    by_community = shares(np.where(community >= 0, community, len(ids)), len(ids) + 1)
    roles = role_columns(records, category, community, len(ids), targets.categories,
                         targets.warmup_min, targets.horizon_min)
    rows = [{"community": cid, "grid": "", **{k: v[i] for k, v in by_community.items()},
             UTILISATION: utilisation.get(cid, np.nan), **{k: v[i] for k, v in roles.items()}}
            for i, cid in enumerate(ids)]
    codes, names = _as_met(records["grid"])
    by_grid = shares(codes, len(names))
    owner = np.full(len(names), -1)
    owner[codes] = community
    for i, cid in enumerate(ids):
        mine = np.flatnonzero(owner == i)
        if len(mine) > 1:  # a community of one grid has no per-grid rows
            rows += [{"community": cid, "grid": str(names[g]),
                      **{k: v[g] for k, v in by_grid.items()}, UTILISATION: np.nan}
                     for g in mine]
    frame = pd.DataFrame(rows)
    frame.insert(2, "replication", replication)
    frame.insert(3, "workers", frame["community"].map(workers))
    return frame


def run_task(kind: str, *args) -> tuple[str, object]:
    """(kind, result) of a ``screen`` task (:func:`screen_community`) or a ``full`` one
    (``name`` and :func:`full_model_replication`), so one pool runs both side by side."""
    if kind == "screen":
        return kind, screen_community(*args)
    name, *rest = args
    return kind, (name, full_model_replication(*rest))


def _as_met(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """``pd.factorize`` of the values as text: codes in the order each value is first met and
    the values, fast for a categorical (its codes factorized, not its texts)."""
    if isinstance(values.dtype, pd.CategoricalDtype) and not (values.cat.codes < 0).any():
        codes, first = pd.factorize(np.asarray(values.cat.codes))
        return codes, [str(values.cat.categories[c]) for c in first]
    codes, names = pd.factorize(values.astype(str).to_numpy())
    return codes, [str(name) for name in names]


def search_ceilings(scenario: Scenario, minimums: Sequence[int]) -> list[int]:
    """The most workers any search goes to, per community: twice the peak-hour load (of every
    issue of the community, as if community workers took them all), plus ten."""
    plan = build_plan(scenario)
    peak = np.zeros(len(plan.communities))
    for source in plan.sources:
        top = float(np.max(source.curve.multipliers))
        peak[source.community] += source.rate_per_min * plan.handling[source.category].mean * top
    return [max(minimum, math.ceil(2 * p)) + 10 for minimum, p in zip(minimums, peak,
                                                                         strict=True)]
