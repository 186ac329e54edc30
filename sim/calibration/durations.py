"""Resolution times fitted with right-censoring: the cases still open count as "longer than".

Close minus create is a **resolution time**: waiting for a responder, travel, handling, waiting
for a department, parts or the weather, all in one. It is not a handling time.

Each family (exponential, lognormal, gamma: the kinds a scenario's distributions take) is fitted
by maximum likelihood on the censored data: closed cases contribute their density, cases open at
export their survival beyond the time they had been open, and cases closed the moment they were
created (zero length) the probability of lasting under one minute. Parameters are the mean and
the coefficient of variation on the log scale; their 95% intervals are Wald intervals from the
observed information (a numerical Hessian). The family with the lowest AIC is chosen. The
Kaplan–Meier estimate (scipy.stats.ecdf, Greenwood log-log intervals) gives the observed
quantiles that the back-test compares with.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from sim.calibration.demand import LEVEL

FAMILIES = ("exponential", "lognormal", "gamma")
ZERO_H = 1 / 60
"""Cases closed within a minute of their creation are "under one minute" (left-censored)."""
QUANTILES = (0.5, 0.75, 0.9)
_Z = stats.norm.ppf((1 + LEVEL) / 2)


@dataclass(frozen=True)
class Durations:
    """Resolution times of one category (hours): closed cases, cases open at export (censored
    at the time open), and zero-length cases."""

    closed_h: np.ndarray
    open_h: np.ndarray
    zero: int

    def __post_init__(self) -> None:
        logs = np.log(self.closed_h)
        # sufficient statistics of the closed cases: their likelihood terms need no loop
        object.__setattr__(self, "_sums", (len(self.closed_h), float(self.closed_h.sum()),
                                           float(logs.sum()), float((logs * logs).sum())))

    @classmethod
    def of(cls, created: pd.Series, closed: pd.Series, as_of: pd.Timestamp) -> Durations:
        hours = (closed - created).dt.total_seconds().to_numpy() / 3600
        done = ~np.isnan(hours)
        short = done & (hours < ZERO_H)
        censored = (as_of - created[~done]).dt.total_seconds().to_numpy() / 3600
        return cls(hours[done & ~short], np.maximum(censored, ZERO_H), int(short.sum()))

    @property
    def n(self) -> int:
        return len(self.closed_h) + len(self.open_h) + self.zero


@dataclass(frozen=True)
class FamilyFit:
    family: str
    mean_h: float
    cv: float
    mean_ci: tuple[float, float]
    cv_ci: tuple[float, float]
    log_likelihood: float
    aic: float

    def ppf(self, q: np.ndarray | float) -> np.ndarray:
        dist, args = _family(self.family, self.mean_h, self.cv)
        return dist.ppf(q, *args[:-1], scale=args[-1])

    def cdf(self, t: np.ndarray) -> np.ndarray:
        dist, args = _family(self.family, self.mean_h, self.cv)
        return dist.cdf(t, *args[:-1], scale=args[-1])


def _family(family: str, mean: float, cv: float) -> tuple[Any, tuple[float, ...]]:
    """The scipy distribution and its (shape..., scale) for a mean and cv (not frozen: a
    frozen distribution costs a docstring to build)."""
    if family == "exponential":
        return stats.expon, (mean,)
    if family == "lognormal":
        s2 = float(np.log1p(cv * cv))
        return stats.lognorm, (np.sqrt(s2), mean * np.exp(-s2 / 2))
    k = 1 / (cv * cv)
    return stats.gamma, (k, mean / k)


def _log_terms(family: str, log_mean: float, log_cv: float, d: Durations) -> float:
    """Censored log-likelihood (closed cases through their sufficient statistics)."""
    mean, cv = np.exp(log_mean), np.exp(log_cv)
    n, total, log_total, log_square = d._sums  # type: ignore[attr-defined]
    c = d.open_h
    if family == "exponential":
        ll = -n * log_mean - total / mean - c.sum() / mean
        return float(ll + d.zero * np.log(-np.expm1(-ZERO_H / mean)))
    if family == "lognormal":
        s2 = np.log1p(cv * cv)
        s, mu = np.sqrt(s2), log_mean - s2 / 2
        squares = log_square - 2 * mu * log_total + n * mu * mu
        ll = -log_total - n * (np.log(s) + 0.5 * np.log(2 * np.pi)) - squares / (2 * s2)
        ll += special.log_ndtr(-(np.log(c) - mu) / s).sum()
        return float(ll + d.zero * special.log_ndtr((np.log(ZERO_H) - mu) / s))
    k = 1 / (cv * cv)
    theta = mean / k
    ll = (k - 1) * log_total - total / theta - n * (special.gammaln(k) + k * np.log(theta))
    sf = special.gammaincc(k, c / theta)
    ll += np.log(np.maximum(sf, 1e-300)).sum()
    return float(ll + d.zero * np.log(max(special.gammainc(k, ZERO_H / theta), 1e-300)))


def fit_family(family: str, d: Durations) -> FamilyFit:
    """Censored maximum-likelihood fit of one family, with Wald intervals on the log scale."""
    # start from the lognormal fit of the closed cases alone (all cases where none closed)
    seen = d.closed_h if len(d.closed_h) > 1 else np.concatenate(
        [d.closed_h, d.open_h, np.full(d.zero, ZERO_H)])
    logs = np.log(np.maximum(seen, ZERO_H))
    s2 = min(max(float(logs.var()), 0.01), 20.0)
    start_mean = float(logs.mean()) + s2 / 2
    start_cv = 0.5 * float(np.log(np.expm1(s2)))
    free = 1 if family == "exponential" else 2

    def nll(p: np.ndarray) -> float:
        value = -_log_terms(family, p[0], p[1] if free == 2 else 0.0, d)
        return value if np.isfinite(value) else 1e300

    def gradient(p: np.ndarray, step: float = 1e-6) -> np.ndarray:
        return np.array([(nll(p + e) - nll(p - e)) / (2 * step)
                         for e in np.eye(len(p)) * step])

    start = np.array([start_mean, start_cv][:free])
    best = optimize.minimize(nll, start, jac=gradient, method="BFGS", options={"gtol": 1e-5})
    if not best.success:  # a rough surface: the simplex, then BFGS again from there
        best = optimize.minimize(nll, best.x, method="Nelder-Mead",
                                 options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000})
        best = optimize.minimize(nll, best.x, jac=gradient, method="BFGS",
                                 options={"gtol": 1e-5})
    p = best.x
    covariance = np.linalg.pinv(_hessian(nll, p))
    se = np.sqrt(np.maximum(np.diag(covariance), 0))
    mean = float(np.exp(p[0]))
    mean_ci = (float(np.exp(p[0] - _Z * se[0])), float(np.exp(p[0] + _Z * se[0])))
    if free == 2:
        cv, cv_ci = float(np.exp(p[1])), (float(np.exp(p[1] - _Z * se[1])),
                                          float(np.exp(p[1] + _Z * se[1])))
    else:
        cv, cv_ci = 1.0, (1.0, 1.0)
    ll = -float(best.fun)
    return FamilyFit(family, mean, cv, mean_ci, cv_ci, ll, 2 * free - 2 * ll)


def _hessian(f, p: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``p``."""
    k = len(p)
    out = np.zeros((k, k))
    for i in range(k):
        for j in range(i, k):
            e_i, e_j = np.eye(k)[i] * step, np.eye(k)[j] * step
            out[i, j] = out[j, i] = (f(p + e_i + e_j) - f(p + e_i - e_j) - f(p - e_i + e_j)
                                     + f(p - e_i - e_j)) / (4 * step * step)
    return out


@dataclass
class ResolutionFit:
    """Every family's fit, the chosen one (lowest AIC), and Kaplan–Meier quantiles."""

    durations: Durations
    fits: dict[str, FamilyFit]
    chosen: str
    km_quantiles: pd.DataFrame  # quantile, value_h, ci_low_h, ci_high_h
    distance: float  # largest gap between the Kaplan-Meier and the chosen CDF
    km: stats._survival.ECDFResult | None  # the Kaplan-Meier estimate (None: no closed case)

    @property
    def best(self) -> FamilyFit:
        return self.fits[self.chosen]


def kaplan_meier(d: Durations) -> stats._survival.ECDFResult:
    times = np.concatenate([d.closed_h, np.zeros(d.zero)])
    data = stats.CensoredData(uncensored=times, right=d.open_h)
    return stats.ecdf(data)


def km_quantiles(d: Durations, quantiles: tuple[float, ...] = QUANTILES,
                 km: stats._survival.ECDFResult | None = None) -> pd.DataFrame:
    """Observed quantiles of resolution time (hours) with 95% intervals, from Kaplan–Meier
    (``km``, else estimated from ``d``): the quantile is the first time the survival falls to
    1 - q; its interval the times its pointwise band does (NaN where the band never falls that
    far: not reached)."""
    if len(d.closed_h) + d.zero == 0:
        return pd.DataFrame({"quantile": quantiles, "value_h": np.nan, "ci_low_h": np.nan,
                             "ci_high_h": np.nan})
    result = km if km is not None else kaplan_meier(d)
    times = result.sf.quantiles
    sf = result.sf.probabilities
    band = km_band(result)
    low_sf = band.low.evaluate(times)
    high_sf = band.high.evaluate(times)
    rows = []
    for q in quantiles:
        rows.append((q, _first(times, sf, 1 - q), _first(times, low_sf, 1 - q),
                     _first(times, high_sf, 1 - q)))
    return pd.DataFrame(rows, columns=["quantile", "value_h", "ci_low_h", "ci_high_h"])


def km_band(result: stats._survival.ECDFResult, level: float = LEVEL):
    """Pointwise Greenwood log-log band of the survival function (undefined where the
    survival is 0 or 1: scipy warns there; the band is NaN)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return result.sf.confidence_interval(level, method="log-log")


def _first(times: np.ndarray, sf: np.ndarray, level: float) -> float:
    hit = np.flatnonzero(np.nan_to_num(sf, nan=1.0) <= level + 1e-12)
    return float(times[hit[0]]) if len(hit) else float("nan")


def fit_resolution(d: Durations) -> ResolutionFit:
    """Fit every family; choose by AIC; keep the Kaplan–Meier quantiles."""
    fits = {family: fit_family(family, d) for family in FAMILIES}
    chosen = min(fits, key=lambda f: fits[f].aic)
    if not len(d.closed_h) + d.zero:
        return ResolutionFit(d, fits, chosen, km_quantiles(d), float("nan"), None)
    km = kaplan_meier(d)
    t = km.cdf.quantiles
    distance = float(np.max(np.abs(km.cdf.probabilities - fits[chosen].cdf(t))))
    return ResolutionFit(d, fits, chosen, km_quantiles(d, km=km), distance, km)
