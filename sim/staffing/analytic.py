"""The analytic staffing answer: Erlang C on a community's pooled, stationary load.

Arrivals are Poisson at the community's yearly average rate (households x rates, for the
categories community workers take), handling is exponential with the pooled mean handling time,
one FIFO queue. When community workers keep a calendar, all the work has to be done in their
working hours, so the queue runs on working time: the arrival rate per working minute is the
yearly rate divided by the share of the week on shift. A response target is met by
``P(W <= t)`` from Erlang C (averaged over the counted categories when their limits differ); a
resolution target by ``P(W + S <= t)`` with W the Erlang-C wait and S the category's own
handling-time distribution (a convolution computed numerically). Time of day, weekdays,
seasons, priorities, travel, reporting delays and other responders are ignored: that is what
the screen and the full model add.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import gammainc, ndtr

from sim.analytic.erlang import erlang_c, service_level
from sim.model.plan import Categories, scheduled_care
from sim.scenario.capacity import week_share
from sim.scenario.common import MINUTES_PER_YEAR, Distribution, Empirical, Fixed, MeanCv
from sim.scenario.schema import Community, Scenario
from sim.staffing.targets import TargetSet
from sim.staffing.workload import WorkerShare

_NODES = 256  # midpoint nodes of the wait-handling convolution


def handling_cdf(dist: Distribution) -> Callable[[np.ndarray], np.ndarray]:
    """P(handling <= x) for ``dist`` (minutes), vectorised."""
    kind, p = dist.kind, dist.params
    if kind == "exponential":
        mean = dist.mean
        return lambda x: -np.expm1(-np.maximum(x, 0) / mean)
    if kind == "lognormal":
        assert isinstance(p, MeanCv)
        mu, sigma = p.lognormal()
        return lambda x: ndtr((np.log(np.maximum(x, 1e-300)) - mu) / sigma) * (np.asarray(x) > 0)
    if kind == "gamma":
        assert isinstance(p, MeanCv)
        shape, scale = p.gamma()
        return lambda x: gammainc(shape, np.maximum(x, 0) / scale)
    if kind == "deterministic":
        assert isinstance(p, Fixed)
        value = p.value
        return lambda x: (np.asarray(x) >= value).astype(float)
    assert isinstance(p, Empirical)
    values = np.asarray(p.values, dtype=float)
    weights = np.ones_like(values) if p.weights is None else np.asarray(p.weights, dtype=float)
    order = np.argsort(values)
    xs, cum = values[order], np.cumsum(weights[order]) / weights.sum()
    return lambda x: np.where(
        np.searchsorted(xs, x, side="right") > 0,
        cum[np.maximum(np.searchsorted(xs, x, side="right") - 1, 0)], 0.0)


@dataclass(frozen=True)
class PooledLoad:
    """A community's stationary pooled queue of community workers, rates per working minute.

    Arrays run over the model's categories (those of :class:`~sim.staffing.targets.TargetSet`);
    care visits carry no load here. ``travel_min``: the workers' way to an issue (on site after
    it), ``back_min`` the way back; both busy time.
    """

    arrival_rate: np.ndarray  # per category, issues per working minute (0: not theirs)
    handling: tuple[Distribution, ...]
    availability: float = 1.0  # share of the week the workers are on shift
    travel_min: np.ndarray | None = None
    back_min: np.ndarray | None = None

    @classmethod
    def of(cls, scenario: Scenario, community: Community, shares: WorkerShare | None = None,
           demand: float = 1.0) -> PooledLoad:
        """The load of the categories the workers take: every issue of them, on the spot, or
        (``shares``, measured by the full model) the share they answer, with their travel;
        ``demand`` scales the rates."""
        role = scenario.staffing.community_workers
        availability = week_share(scenario, role.calendar)
        takes = role.categories
        categories = Categories.of(scenario, scheduled_care(scenario))
        shares = shares or WorkerShare.everything(len(categories.names))
        rates = np.array([
            scenario.issues_per_year(community, k) / MINUTES_PER_YEAR / availability * demand
            if k in scenario.demand and (takes == "all" or k in takes) else 0.0
            for k in categories.names]) * shares.share
        return cls(rates, categories.handling, availability, shares.travel_min,
                   shares.back_min)

    @property
    def _travel(self) -> np.ndarray:
        return np.zeros(len(self.handling)) if self.travel_min is None else self.travel_min

    @property
    def _busy_extra(self) -> np.ndarray:
        back = np.zeros(len(self.handling)) if self.back_min is None else self.back_min
        return self._travel + back

    @property
    def total_rate(self) -> float:
        return float(self.arrival_rate.sum())

    @property
    def mean_handling(self) -> float:
        """Mean busy minutes per issue (handling and travel), arrival-weighted."""
        means = np.array([d.mean for d in self.handling]) + self._busy_extra
        if self.total_rate <= 0:
            return float(means.mean())
        return float(self.arrival_rate @ means / self.total_rate)

    @property
    def offered_load(self) -> float:
        """Busy workers needed on average while on shift (erlangs)."""
        return self.total_rate * self.mean_handling if self.total_rate > 0 else 0.0

    def stable_minimum(self) -> int:
        """Fewest workers with utilisation below 1."""
        return max(math.floor(self.offered_load) + 1, 1)


def _resolution_share(load: PooledLoad, servers: int, cdf: Callable, limit_min: float) -> float:
    """P(W + S <= limit) with W the M/M/c wait (pooled exponential) and S ~ ``cdf`` (the
    travel there is taken off the limit by the caller)."""
    lam, mu = load.total_rate, 1 / load.mean_handling
    waiting = erlang_c(servers, lam / mu)
    decay = servers * mu - lam
    top = -math.expm1(-decay * limit_min)  # P(0 < W <= limit | W > 0)
    u = (np.arange(_NODES) + 0.5) / _NODES * top
    waits = -np.log1p(-u) / decay
    convolved = top * float(np.mean(cdf(limit_min - waits)))
    return float((1 - waiting) * cdf(np.array([limit_min]))[0] + waiting * convolved)


def analytic_values(targets: TargetSet, load: PooledLoad, servers: int) -> dict[str, float]:
    """Each target's value for ``servers`` workers (shares, and utilisation), Erlang C."""
    out: dict[str, float] = {}
    if servers <= load.offered_load:
        out = {key: 0.0 for key in targets.keys}
        out["utilisation"] = load.offered_load / servers if servers else math.inf
        return out
    lam, mu = load.total_rate, 1 / load.mean_handling
    cdfs: dict[int, Callable] = {}
    for i, target in targets.service:
        limits = targets.limits[i]
        counted = np.isfinite(limits) & (load.arrival_rate > 0)
        if not counted.any():  # none of these issues is the community workers'
            out[target.key] = math.nan
            continue
        weights = load.arrival_rate[counted] / load.arrival_rate[counted].sum()
        values = []
        travel = load._travel
        for k in np.flatnonzero(counted).tolist():
            if target.metric == "response":
                limit = float(limits[k]) - travel[k]
                values.append(service_level(lam, mu, servers, limit) if limit >= 0 else 0.0)
            else:
                if k not in cdfs:
                    cdfs[k] = handling_cdf(load.handling[k])
                limit = float(limits[k]) * 60 - travel[k]
                values.append(_resolution_share(load, servers, cdfs[k], limit)
                              if limit > 0 else 0.0)
        out[target.key] = float(np.dot(weights, values))
    out["utilisation"] = load.offered_load / servers
    return out


def attainable(targets: TargetSet, load: PooledLoad) -> dict[str, float]:
    """The best share each resolution target can reach with unlimited workers (no waiting).

    Response targets can always be reached; a resolution target cannot when the handling time
    alone exceeds the limit too often.
    """
    out = {}
    for i, target in targets.service:
        if target.metric != "resolution":
            continue
        limits = targets.limits[i]
        counted = np.isfinite(limits) & (load.arrival_rate > 0)
        if not counted.any():
            continue
        weights = load.arrival_rate[counted] / load.arrival_rate[counted].sum()
        best = [float(handling_cdf(load.handling[k])(np.array([limits[k] * 60]))[0])
                for k in np.flatnonzero(counted)]
        out[target.key] = float(np.dot(weights, best))
    return out


def analytic_workers(targets: TargetSet, load: PooledLoad, maximum: int) -> int | None:
    """Fewest workers meeting every target by Erlang C, or None if none up to ``maximum``."""
    for servers in range(load.stable_minimum(), maximum + 1):
        if targets.meets(analytic_values(targets, load, servers)):
            return servers
    return None
