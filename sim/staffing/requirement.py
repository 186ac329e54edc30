"""Hour by hour: how many community workers must be on duty in each hour of the week.

The iterative staffing algorithm (ISA) of Feldman, Mandelbaum, Massey and Whitt, *Staffing of
time-varying queues to achieve time-stable performance* (Management Science 54(2), 2008),
run on the screen: the community workers' queue as the screen draws it (the scenario's real
arrival profile, reporting delays and handling times, thinned to the workers' share of the
work with their travel, :mod:`sim.staffing.levels`), with a number of servers that changes by
the hour (:func:`sim.screen.fifo_starts_staffed`).

1. Start with as many servers as could ever be busy in every hour that a response target
   counts (and none in the others: work reported then waits for the next staffed hour).
2. Simulate all replications; record, for each arrival the target counts, the number of the
   workers' issues it finds in the system (``L``: waiting, or in the hands of a worker on
   duty; a worker whose shift has ended finishes the job in hand but takes no new one, so
   that job does not count), by hour of the week.
3. In each counted hour take the fewest servers ``s`` with which an arrival would wait longer
   than the target's limit ``tau`` with probability at most ``alpha``:
   ``sum_{n >= s} P(L = n) * P(Gamma(n - s + 1, s / m) > tau) <= alpha``, ``m`` the mean busy
   time (all ``s`` busy, the arrival waits for ``n - s + 1`` departures at rate ``s / m``).
   With ``tau = 0`` this is Feldman et al.'s rule ``P(L >= s) <= alpha`` (the delay
   probability); with a limit it is its extension to the tail of the wait.
4. Repeat from 2 with the new staffing until it no longer changes, or until it comes back
   to one it had (integer staffing may alternate between two patterns one worker apart in
   an hour: then the larger in each hour); at most :data:`MAX_ITERATIONS`, then the larger of
   the last two.

The result is the requirement for time-stable service: the target met hour by hour, not just
on average. ``alpha`` is one minus the target's share; ``tau`` its limit less the workers' way
to the issue. The roster that covers it (:mod:`sim.staffing.shifts`) is checked with the full
model.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import gammaincc

from sim.model.measures import observed
from sim.model.plan import build_plan
from sim.scenario.governance import WEEKDAYS
from sim.scenario.schema import Scenario
from sim.screen import fifo_starts_staffed
from sim.staffing.analytic import PooledLoad
from sim.staffing.levels import Draws, draw_community
from sim.staffing.targets import TargetSet
from sim.staffing.workload import WorkerShare

HOURS = 168
MAX_ITERATIONS = 10
MAX_IN_SYSTEM = 400  # L beyond this is counted at this value (histogram width)


def hour_of_week(minutes: np.ndarray, start: dt.date, period: int = HOURS) -> np.ndarray:
    """Hour of the week (0 = Monday 00:00-01:00) of simulation times in minutes; with
    ``period`` 24, the hour of the day."""
    hours = np.floor(np.asarray(minutes, dtype=float) / 60).astype(np.int64)
    return (start.weekday() * 24 + hours) % period


def hourly_staffing(week: np.ndarray, start: dt.date, end_min: float) -> np.ndarray:
    """A weekly pattern (168 hours from Monday 00:00; or a daily one, 24 hours) laid over the
    horizon: servers per hour from day 0 to ``end_min``."""
    week = np.asarray(week)
    hours = np.arange(math.ceil(end_min / 60))
    return week[(start.weekday() * 24 + hours) % week.size]


@dataclass(frozen=True)
class Criterion:
    """When a response target applies to the community workers' issues, and what it asks.

    Arrays over the hours of the week: ``counted`` (some response target counts issues
    reported then), ``wait_min`` (the wait it allows: its limit less the workers' way there,
    the strictest where several apply) and ``alpha`` (the share allowed to wait longer: one
    minus the target's share). ``categories`` marks the categories whose issues count.
    """

    counted: np.ndarray
    wait_min: np.ndarray
    alpha: np.ndarray
    categories: np.ndarray

    @classmethod
    def of(cls, targets: TargetSet, load: PooledLoad) -> Criterion | None:
        """From the response targets of ``targets`` on the categories the workers take
        (``load``, calibrated); None when no response target concerns them."""
        counted = np.zeros(HOURS, dtype=bool)
        wait = np.full(HOURS, np.inf)
        alpha = np.ones(HOURS)
        categories = np.zeros(len(targets.categories), dtype=bool)
        travel = load.travel_min if load.travel_min is not None else np.zeros(
            len(targets.categories))
        for i, target in targets.service:
            if target.metric != "response":
                continue
            limits = targets.limits[i]
            mine = np.isfinite(limits) & (load.arrival_rate > 0)
            if not mine.any():
                continue
            categories |= mine
            allowed = float(np.min(np.maximum(limits[mine] - travel[mine], 0.0)))
            window = targets.windows[i]
            hours = np.ones(HOURS, dtype=bool) if window is None else window_hours(window)
            counted |= hours
            wait[hours] = np.minimum(wait[hours], allowed)
            alpha[hours] = np.minimum(alpha[hours], 1 - float(target.share))  # type: ignore[arg-type]
        if not counted.any():
            return None
        return cls(counted, np.where(counted, wait, 0.0), alpha, categories)


def window_hours(window) -> np.ndarray:
    """The hours of the week (from Monday 00:00) that a calendar's working periods touch."""
    monday = dt.date(2024, 1, 1)  # a Monday
    hours = np.arange(HOURS)
    inside = np.zeros(HOURS, dtype=bool)
    for minute in range(0, 60, 5):  # an hour counts if any part of it is open
        inside |= window.contains(hours * 60.0 + minute, monday)
    return inside


def in_system(arrivals: np.ndarray, starts: np.ndarray, ends: np.ndarray,
              servers: np.ndarray, on_duty: np.ndarray) -> np.ndarray:
    """For each arrival (sorted; starts are then sorted too), the issues it finds ahead of it:
    waiting (arrived before it, not started), or in service by a server on duty at its arrival
    (``on_duty[i]``: servers on duty then; servers are numbered from the one who works most).
    Without a change of staffing that is everything in the system."""
    n = arrivals.size
    order = np.arange(n)
    waiting = order - np.minimum(order, np.searchsorted(starts, arrivals, side="right"))
    serving = np.zeros(n, dtype=np.int64)
    for k in range(int(servers.max(initial=-1)) + 1):
        mine = servers == k
        s_k, e_k = starts[mine], ends[mine]  # one server's jobs: disjoint, in order
        last = np.searchsorted(s_k, arrivals, side="left") - 1  # begun before it
        busy = (last >= 0) & (e_k[np.maximum(last, 0)] > arrivals) if s_k.size else \
            np.zeros(n, dtype=bool)
        serving += busy & (k < on_duty)
    return waiting + serving


def delay_tail(counts: np.ndarray, servers: int, wait_min: float, mean_busy: float) -> float:
    """P(wait > ``wait_min``) of an arrival finding ``n`` in the system with probability
    ``counts[n] / counts.sum()``, with ``servers`` servers working at rate 1/``mean_busy``."""
    total = counts.sum()
    if total == 0:
        return 0.0
    n = np.arange(servers, counts.size)
    if n.size == 0:
        return 0.0
    if servers == 0:
        return 1.0
    tail = gammaincc(n - servers + 1, servers * wait_min / mean_busy) if wait_min > 0 else 1.0
    return float(np.sum(counts[servers:] * tail) / total)


def fewest(counts: np.ndarray, wait_min: float, alpha: float, mean_busy: float) -> int:
    """The fewest servers with ``delay_tail <= alpha`` (0 when nobody arrives)."""
    if counts.sum() == 0:
        return 0
    for servers in range(1, counts.size + 1):
        if delay_tail(counts, servers, wait_min, mean_busy) <= alpha:
            return servers
    return counts.size


@dataclass(frozen=True)
class Requirement:
    """Workers needed on duty in each hour of the week (168, from Monday 00:00)."""

    week: np.ndarray
    iterations: int
    converged: bool

    def table(self, community: str) -> pd.DataFrame:
        """community, day (mon..sun), hour (0..23), required."""
        hours = np.arange(HOURS)
        return pd.DataFrame({"community": community,
                             "day": [WEEKDAYS[h // 24] for h in hours],
                             "hour": hours % 24, "required": self.week.astype(int)})


class Iteration:
    """The ISA on one community's draws (see the module docstring), on the hours of the week
    (``period`` 168) or, for a demand with a daily cycle only, of the day (24; the criterion's
    arrays then have 24 entries)."""

    def __init__(self, draws: Draws, criterion: Criterion, start: dt.date, warmup_min: float,
                 horizon_min: float, mean_busy: float, period: int = HOURS):
        self.draws = draws
        self.criterion = criterion
        self.period = period
        self.start = start
        self.mean_busy = mean_busy
        self.end_min = draws.end_min
        counted = []
        for o, a, k in zip(draws.occurred_min, draws.reported_min, draws.category,
                           strict=True):
            seen = observed(o, warmup_min, horizon_min) & criterion.categories[k]
            seen &= criterion.counted[hour_of_week(a, start, period)]
            counted.append(seen)
        self.counted = counted

    def starts(self, week: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Start times and servers with ``week`` servers per hour of the week."""
        staffing = hourly_staffing(week, self.start, self.end_min)
        out = fifo_starts_staffed(self.draws.reported_min, self.draws.busy_min, staffing,
                                  servers_too=True)
        assert isinstance(out, tuple)
        return out

    def histograms(self, week: np.ndarray) -> np.ndarray:
        """(period, MAX_IN_SYSTEM + 1): per hour, how often a counted arrival found n ahead
        of it, with ``week`` servers per hour."""
        out = np.zeros((self.period, MAX_IN_SYSTEM + 1))
        starts, servers = self.starts(week)
        for a, busy, start, server, counted in zip(self.draws.reported_min,
                                                   self.draws.busy_min, starts, servers,
                                                   self.counted, strict=True):
            hours = hour_of_week(a, self.start, self.period)
            found = in_system(a, start, start + busy, server, np.asarray(week)[hours])
            found = np.minimum(found, MAX_IN_SYSTEM)[counted]
            np.add.at(out, (hours[counted], found), 1)
        return out

    def step(self, histograms: np.ndarray) -> np.ndarray:
        c = self.criterion
        return np.array([
            fewest(histograms[h], float(c.wait_min[h]), float(c.alpha[h]), self.mean_busy)
            if c.counted[h] else 0 for h in range(self.period)])

    def run(self, ceiling: int) -> Requirement:
        """Iterate from ``ceiling`` servers in every counted hour (as good as infinitely many)
        until the staffing repeats."""
        week = np.where(self.criterion.counted, ceiling, 0)
        seen = [week]
        for iteration in range(1, MAX_ITERATIONS + 1):
            following = self.step(self.histograms(week))
            for back, earlier in enumerate(reversed(seen)):
                if np.array_equal(following, earlier):  # a fixed point, or a cycle
                    cycle = seen[len(seen) - 1 - back:]
                    return Requirement(np.max(cycle, axis=0), iteration, True)
            seen.append(following)
            week = following
        return Requirement(np.maximum(seen[-2], seen[-1]), MAX_ITERATIONS, False)


def hourly_performance(iteration: Iteration, week: np.ndarray, wait_min: float | None = None
                       ) -> pd.DataFrame:
    """What ``week`` gives, hour by hour, per replication: the counted arrivals, the share
    that waited at all and the share that waited longer than ``wait_min`` (default: each
    hour's criterion). Rows: replication, hour, arrivals, delayed_share, late_share."""
    rows = []
    period = iteration.period
    limit = iteration.criterion.wait_min if wait_min is None else np.full(period, wait_min)
    for r, (a, start, counted) in enumerate(zip(iteration.draws.reported_min,
                                                iteration.starts(week)[0], iteration.counted,
                                                strict=True)):
        hours = hour_of_week(a[counted], iteration.start, period)
        waits = (start - a)[counted]
        n = np.bincount(hours, minlength=period)
        delayed = np.bincount(hours, weights=waits > 1e-9, minlength=period)
        late = np.bincount(hours, weights=waits > limit[hours], minlength=period)
        with np.errstate(invalid="ignore", divide="ignore"):
            rows.append(pd.DataFrame({"replication": r, "hour": np.arange(period),
                                      "arrivals": n, "delayed_share": delayed / n,
                                      "late_share": late / n}))
    return pd.concat(rows, ignore_index=True)


def community_requirement(scenario: Scenario, community: int, seed: int, replications: int,
                          targets: TargetSet, shares: WorkerShare, ceiling: int
                          ) -> Requirement | None:
    """The requirement of community number ``community`` of ``scenario``: the ISA on the
    screen's draws of its workers' issues (thinned to their measured ``shares``), on the
    hours its response targets count; None without a response target on their work."""
    load = PooledLoad.of(scenario, scenario.communities[community], shares)
    criterion = Criterion.of(targets, load)
    if criterion is None:
        return None
    draws = draw_community(scenario, build_plan(scenario), community, seed, replications,
                           shares)
    iteration = Iteration(draws, criterion, scenario.horizon.start, targets.warmup_min,
                          targets.horizon_min, load.mean_handling)
    return iteration.run(ceiling)
