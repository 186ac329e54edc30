"""Arrivals fitted from an issue log: profiles, rates and the dispersion of daily counts.

The model's rate of a category in an hour is ``base x hour_of_day[h] x day_of_week[d] x
month[m]``, each list rescaled to mean 1 (sim.model.arrivals). Fitted here by Poisson maximum
likelihood on the log's counts:

- **hour of day**: the share of issues in each hour of the day (every day of the window has all
  24 hours, so the hour factor's MLE is its margin);
- **day of week x month**: a log-linear Poisson model of counts by weekday and month with the
  days of each in the window as exposure, solved by iterative proportional fitting; months
  outside the window get the mean of those inside (the file says so);
- **intervals**: parametric bootstrap (Poisson redraws of the fitted counts, refitted; 95%
  percentile intervals, :data:`BOOTSTRAP` draws, fixed seed);
- **rate**: the count over the exposure the fitted profile gives the window (computed with the
  model's own :func:`sim.model.arrivals.hourly_multipliers`, so the model reproduces the
  expected count exactly), with the exact Poisson (Garwood) interval, widened by the dispersion
  index (quasi-Poisson) where daily counts are significantly over-dispersed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.model.arrivals import hourly_multipliers
from sim.scenario.common import MINUTES_PER_YEAR
from sim.scenario.schema import ArrivalProfile

BOOTSTRAP = 400
LEVEL = 0.95
MONTH_MIN_DAYS = 14
"""The month profile is fitted when the window holds at least two months of this many days."""
_IPF_ROUNDS = 60


@dataclass
class ProfileFit:
    """A fitted arrival profile with 95% bootstrap intervals and how well it fits.

    ``table``: tidy (quantity, index, value, ci_low, ci_high) for hour_of_day, day_of_week,
    month. ``week_observed``/``week_fitted``: issues by hour of the week (168, Monday 00:00
    first), as counted and as the product of the fitted factors gives them; ``chi2``, ``df``,
    ``p_value``, ``correlation`` compare the two.
    """

    n: int
    hour_of_day: np.ndarray
    day_of_week: np.ndarray
    month: np.ndarray | None
    months_observed: list[int]
    table: pd.DataFrame
    week_observed: np.ndarray
    week_fitted: np.ndarray
    chi2: float
    df: int
    p_value: float
    correlation: float

    def profile(self) -> ArrivalProfile:
        return ArrivalProfile(
            hour_of_day=[float(x) for x in self.hour_of_day],
            day_of_week=[float(x) for x in self.day_of_week],
            month=None if self.month is None else [float(x) for x in self.month])


def _days(first: dt.date, last: dt.date) -> pd.DatetimeIndex:
    return pd.date_range(first, last, freq="D")


def _exposure(first: dt.date, last: dt.date, months: list[int]) -> np.ndarray:
    """Days of each weekday (rows) and month (columns, the ``months`` listed) in the window."""
    days = _days(first, last)
    out = np.zeros((7, len(months)))
    column = {m: i for i, m in enumerate(months)}
    np.add.at(out, (days.day_of_week.to_numpy(), np.array([column[m] for m in days.month])), 1)
    return out


def _ipf(counts: np.ndarray, exposure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weekday and month factors (products give the expected count per exposure day) of the
    Poisson model counts ~ exposure x a[d] x c[m]; ``counts`` may carry leading batch axes."""
    shape = counts.shape[:-2]
    a = np.ones((*shape, exposure.shape[0]))
    c = np.ones((*shape, exposure.shape[1]))
    rows, cols = counts.sum(axis=-1), counts.sum(axis=-2)
    for _ in range(_IPF_ROUNDS):
        a = rows / np.maximum((exposure * c[..., None, :]).sum(axis=-1), 1e-300)
        before = c
        c = cols / np.maximum((exposure * a[..., :, None]).sum(axis=-2), 1e-300)
        if np.allclose(c, before, rtol=1e-10, atol=0):
            break
    return a, c


def _unit(values: np.ndarray) -> np.ndarray:
    mean = values.mean(axis=-1, keepdims=True)
    return np.where(mean > 0, values / np.where(mean > 0, mean, 1), 1.0)


def _month_vector(c: np.ndarray, months: list[int]) -> np.ndarray:
    """12 factors (batch axes allowed): the fitted months; the others at their mean; mean 1."""
    full = np.repeat(c.mean(axis=-1, keepdims=True), 12, axis=-1)
    full[..., [m - 1 for m in months]] = c
    return _unit(full)


def fit_profile(created: pd.Series, first: dt.date, last: dt.date, seed: int = 0) -> ProfileFit:
    """Fit hour-of-day, day-of-week and (where the window spans months) month factors."""
    n = len(created)
    hours = np.bincount(created.dt.hour.to_numpy(), minlength=24).astype(float)
    days = _days(first, last)
    months = sorted(set(days.month))
    covered = _exposure(first, last, months).sum(axis=0)
    fit_months = int((covered >= MONTH_MIN_DAYS).sum()) >= 2
    if not fit_months:
        months = [0]
    month_of = created.dt.month.to_numpy() if fit_months else np.zeros(n, dtype=int)
    exposure = _exposure(first, last, months) if fit_months else _exposure(
        first, last, sorted(set(days.month))).sum(axis=1, keepdims=True)
    column = {m: i for i, m in enumerate(months)}
    cells = np.zeros((7, len(months)))
    np.add.at(cells, (created.dt.day_of_week.to_numpy(), [column[m] for m in month_of]), 1)
    a, c = _ipf(cells, exposure)
    rng = np.random.default_rng([seed, n])
    means = exposure * a[:, None] * c[None, :]
    draws = rng.poisson(means, size=(BOOTSTRAP, *means.shape)).astype(float)
    a_b, c_b = _ipf(draws, exposure)
    unseen = exposure.sum(axis=1) == 0  # weekdays not in a window under a week: their mean
    if unseen.any() and not unseen.all():
        a[unseen] = a[~unseen].mean()
        a_b[:, unseen] = a_b[:, ~unseen].mean(axis=1, keepdims=True)
    hour_b = rng.multinomial(n, hours / max(n, 1), size=BOOTSTRAP).astype(float)
    estimates = {"hour_of_day": (_unit(hours), _unit(hour_b)),
                 "day_of_week": (_unit(a), _unit(a_b))}
    if fit_months:
        estimates["month"] = (_month_vector(c, months), _month_vector(c_b, months))
    table = _profile_table(estimates)
    week_obs = np.zeros((7, 24))
    np.add.at(week_obs, (created.dt.day_of_week.to_numpy(), created.dt.hour.to_numpy()), 1)
    day_totals = means.sum(axis=1)
    week_fit = day_totals[:, None] * hours[None, :] / max(n, 1)
    chi2, df, p, r = _agreement(week_obs.ravel(), week_fit.ravel(), 1 + 6 + 23
                                + (len(months) - 1))
    return ProfileFit(
        n, estimates["hour_of_day"][0], estimates["day_of_week"][0],
        estimates["month"][0] if fit_months else None, months if fit_months else [], table,
        week_obs.ravel(), week_fit.ravel(), chi2, df, p, r)


def _profile_table(estimates: dict[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    rows = []
    q = [(1 - LEVEL) / 2 * 100, (1 + LEVEL) / 2 * 100]
    for quantity, (value, boot) in estimates.items():
        low, high = np.percentile(boot, q, axis=0)
        for i, v in enumerate(value):
            rows.append((quantity, i + (1 if quantity == "month" else 0), float(v),
                         float(low[i]), float(high[i])))
    return pd.DataFrame(rows, columns=["quantity", "index", "value", "ci_low", "ci_high"])


def _agreement(observed: np.ndarray, fitted: np.ndarray, parameters: int
               ) -> tuple[float, int, float, float]:
    """Pearson chi-square (cells with an expectation), its df and p-value; the correlation."""
    used = fitted > 0
    chi2 = float((((observed - fitted) ** 2)[used] / fitted[used]).sum())
    df = max(int(used.sum()) - parameters, 1)
    r = float(np.corrcoef(observed, fitted)[0, 1]) if observed.std() > 0 else float("nan")
    return chi2, df, float(stats.chi2.sf(chi2, df)), r


# ---------------------------------------------------------------- rates and dispersion


def exposure_years(profile: ArrivalProfile, first: dt.date, last: dt.date) -> float:
    """The window's length in model years weighted by the profile: expected issues =
    rate per year x this (the model's own hourly multipliers)."""
    hours = ((last - first).days + 1) * 24
    return float(hourly_multipliers(profile, first, hours).sum() * 60 / MINUTES_PER_YEAR)


def daily_expectation(profile: ArrivalProfile, first: dt.date, last: dt.date) -> np.ndarray:
    """Relative expected count of each day of the window under the profile (sums to 1)."""
    days = (last - first).days + 1
    per_day = hourly_multipliers(profile, first, days * 24).reshape(days, 24).sum(axis=1)
    return per_day / per_day.sum()


@dataclass(frozen=True)
class Dispersion:
    """Daily counts against their fitted expectation: Pearson chi-square / df (1 for Poisson),
    the two-sided test of Poisson variation, and the verdict."""

    index: float
    chi2: float
    df: int
    p_value: float
    days: int

    @property
    def verdict(self) -> str:
        if self.p_value >= 1 - LEVEL:
            return "poisson"
        return "over_dispersed" if self.index > 1 else "under_dispersed"


def dispersion(created: pd.Series, profile: ArrivalProfile, first: dt.date, last: dt.date,
               parameters: int) -> Dispersion:
    """How far daily counts vary beyond Poisson around the profile's daily expectation."""
    days = (last - first).days + 1
    offset = (created.dt.normalize() - pd.Timestamp(first)).dt.days.to_numpy()
    counts = np.bincount(offset, minlength=days)[:days].astype(float)
    expected = daily_expectation(profile, first, last) * counts.sum()
    used = expected > 0
    chi2 = float((((counts - expected) ** 2)[used] / expected[used]).sum())
    df = max(int(used.sum()) - parameters, 1)
    p_upper = stats.chi2.sf(chi2, df)
    p = float(min(1.0, 2 * min(p_upper, 1 - p_upper)))
    return Dispersion(chi2 / df, chi2, df, p, days)


@dataclass(frozen=True)
class Rate:
    """Issues per 1000 households per year, with its interval and how it was computed."""

    value: float
    ci_low: float
    ci_high: float
    n: int
    method: str


def rate(n: int, households: float, years: float, spread: Dispersion | None = None) -> Rate:
    """Rate per 1000 households per year of ``n`` issues over ``years`` of exposure.

    Exact Poisson (Garwood) interval; where the daily counts are over-dispersed, a Wald
    interval on the log scale with the variance times the dispersion index (quasi-Poisson).
    """
    scale = 1.0 / (households / 1000.0) / years
    if spread is not None and spread.verdict == "over_dispersed" and n > 0:
        half = stats.norm.ppf((1 + LEVEL) / 2) * np.sqrt(spread.index / n)
        return Rate(n * scale, n * np.exp(-half) * scale, n * np.exp(half) * scale, n,
                    "quasi_poisson")
    low, high = poisson_interval(np.array([n]))
    return Rate(n * scale, float(low[0]) * scale, float(high[0]) * scale, n, "poisson_exact")


def poisson_interval(n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) 95% interval of the mean of each Poisson count in ``n``."""
    alpha = 1 - LEVEL
    n = np.asarray(n, dtype=float)
    low = np.where(n > 0, stats.chi2.ppf(alpha / 2, np.maximum(2 * n, 1e-9)) / 2, 0.0)
    return low, stats.chi2.ppf(1 - alpha / 2, 2 * n + 2) / 2
