"""Confidence intervals over replications (Student t), paired differences and verdicts.

Every interval here is a Student-t interval over independent replications: replication ``r`` of
every scenario uses the same random streams (common random numbers), so the difference of two
scenarios is taken replication by replication (a paired t interval), which is far narrower than
the interval of the difference of two independent means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from sim.model.measures import METRICS

GROUP_COLUMNS = ["community", "category"]
LEVEL = 0.95

SUMMARY_COLUMNS = ["mean", "ci_low", "ci_high", "half_width", "std", "replications"]

# ---------------------------------------------------------------- intervals


def t_interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float, int]:
    """(mean, half-width, sample std, n) of the Student-t interval of finite ``values``."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    mean = float(values.mean())
    if n == 1:
        return mean, np.nan, np.nan, 1
    std = float(values.std(ddof=1))
    half = float(stdtrit(n - 1, 0.5 + level / 2) * std / np.sqrt(n))
    return mean, half, std, n


def metric_columns(frame: pd.DataFrame) -> list[str]:
    """The metric columns of a replications table (everything but keys)."""
    keys = {"replication", *GROUP_COLUMNS, "grid"}
    return [c for c in frame.columns if c not in keys]


def group_columns(frame: pd.DataFrame) -> list[str]:
    """The group keys present in a replications table (community, category, grid)."""
    return [c for c in (*GROUP_COLUMNS, "grid") if c in frame.columns]


def select(frame: pd.DataFrame, community: str = "all", category: str = "all",
           grid: str = "all", **equal: object) -> pd.DataFrame:
    """The rows of one group (and ``column=value`` for each of ``equal``) of a tidy table.

    ``grid`` applies where the table has grids (the default "all" is the community level).
    """
    mask = (frame["community"] == community) & (frame["category"] == category)
    if "grid" in frame.columns:
        mask &= frame["grid"] == grid
    for column, value in equal.items():
        mask &= frame[column] == value
    return frame[mask]


def _t_intervals(
    frame: pd.DataFrame, keys: list[str], column: str, level: float
) -> tuple[pd.DataFrame, np.ndarray]:
    """Per group of ``keys``: mean, std and count of ``column``, and the Student-t half-width."""
    agg = frame.groupby(keys, sort=False, observed=True)[column].agg(["mean", "std", "count"])
    agg = agg.reset_index()
    n = agg["count"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(n > 1, stdtrit(np.maximum(n - 1, 1), 0.5 + level / 2), np.nan)
        half = t * agg["std"].to_numpy() / np.sqrt(n)
    return agg, half


def possible_range(metrics: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest value each metric can take (:data:`METRICS`; unbounded for a
    metric it does not define)."""
    codes, names = pd.factorize(pd.Series(metrics, dtype=object).astype(str))
    known = [METRICS.get(name) for name in names]  # once per metric, not per row
    low = np.array([m.low if m else -np.inf for m in known], dtype=float)
    high = np.array([m.high if m else np.inf for m in known], dtype=float)
    return low[codes], high[codes]


def bounded(mean: np.ndarray, half: np.ndarray, low: np.ndarray, high: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """The Student-t interval ``mean ± half`` intersected with the possible range [low, high].

    The true value lies in the range, so the intersection covers it whenever the t interval
    does: its coverage is at least the t interval's, and it never shows an impossible value
    (a share above 1, a negative time).
    """
    with np.errstate(invalid="ignore"):
        return np.maximum(mean - half, low), np.minimum(mean + half, high)


def summarise(replications: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """One row per group and metric: mean and ``level`` Student-t interval over replications,
    intersected with the metric's possible range (:func:`bounded`); ``half_width`` is the t
    interval's.

    Metrics with no finite value in a group (utilisation of a category, say) are left out.
    """
    groups = group_columns(replications)
    long = replications.melt(id_vars=["replication", *groups], var_name="metric")
    long = long[np.isfinite(long["value"].astype(float))]
    agg, half = _t_intervals(long, [*groups, "metric"], "value", level)
    low, high = possible_range(agg["metric"])
    agg["ci_low"], agg["ci_high"] = bounded(agg["mean"].to_numpy(float), half, low, high)
    agg["half_width"] = half
    agg = agg.rename(columns={"count": "replications"})
    return agg[[*groups, "metric", *SUMMARY_COLUMNS]]


# ---------------------------------------------------------------- which way is better

def direction(metric: str) -> int:
    """-1 when lower is better (waits, response, resolution, reporting delay, backlog, queue),
    +1 when higher is better (``*_within_target_share``, ``department_on_time_share``), 0 when
    neither (utilisation, issues, shares that describe how work flows rather than how well) or
    for a metric :data:`sim.model.measures.METRICS` does not define."""
    known = METRICS.get(metric)
    return known.better if known else 0


BETTER, WORSE, UNCLEAR, NEUTRAL = "better", "worse", "no clear difference", "-"
BASELINE = "baseline"


def verdict(metric: str, ci_low: float, ci_high: float) -> str:
    """The plain verdict on a difference (scenario minus baseline) with its confidence interval.

    "better" or "worse" when the interval excludes zero (the difference is clear at the
    interval's level) and the metric has a direction; "no clear difference" when the interval
    contains zero or could not be computed; "-" for metrics with no better direction.
    """
    sign = direction(metric)
    if sign == 0:
        return NEUTRAL
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return UNCLEAR
    if ci_low > 0:
        return BETTER if sign > 0 else WORSE
    if ci_high < 0:
        return WORSE if sign > 0 else BETTER
    return UNCLEAR


# ---------------------------------------------------------------- paired differences

ROUNDING = 1e-9
"""Relative size below which a paired difference is floating-point rounding, taken as zero."""

DIFFERENCE_COLUMNS = ["difference", "difference_ci_low", "difference_ci_high",
                      "difference_half_width", "paired_replications", "verdict"]


def paired_differences(
    scenario: pd.DataFrame, baseline: pd.DataFrame, level: float = LEVEL
) -> pd.DataFrame:
    """Per group and metric: mean of (scenario - baseline) over the replications both have,
    with its paired Student-t interval and the verdict.

    Both tables are replications tables (one row per replication and group). Groups missing
    from either side get no row.
    """
    groups = group_columns(scenario)
    keys = ["replication", *groups]
    metrics = [m for m in metric_columns(scenario) if m in baseline.columns]
    a = scenario.melt(id_vars=keys, value_vars=metrics, var_name="metric")
    b = baseline.melt(id_vars=keys, value_vars=metrics, var_name="metric")
    both = a.merge(b, on=[*keys, "metric"], suffixes=("", "_base"), sort=False)
    x, y = both["value"].astype(float).to_numpy(), both["value_base"].astype(float).to_numpy()
    d = x - y
    # Summing the same issues in another order (a change elsewhere in the district reorders
    # events) moves a mean in its last bits; such differences are no difference.
    with np.errstate(invalid="ignore"):
        d[np.abs(d) <= ROUNDING * np.maximum(np.abs(x), np.abs(y))] = 0.0
    both["d"] = d
    both = both[np.isfinite(both["d"])]
    agg, half = _t_intervals(both, [*groups, "metric"], "d", level)
    out = agg[[*groups, "metric"]].copy()
    out["difference"] = agg["mean"]
    out["difference_ci_low"] = agg["mean"] - half
    out["difference_ci_high"] = agg["mean"] + half
    out["difference_half_width"] = half
    out["paired_replications"] = agg["count"].to_numpy()
    out["verdict"] = [
        verdict(m, lo, hi)
        for m, lo, hi in zip(out["metric"], out["difference_ci_low"], out["difference_ci_high"],
                             strict=True)
    ]
    return out


# ---------------------------------------------------------------- precision targets


@dataclass(frozen=True)
class HalfWidthTarget:
    """Run replications until the 95% half-width of one metric of one group is small enough.

    ``half_width`` is in the metric's unit, or a share of the mean when ``relative`` (0.05 means
    "half-width at most 5% of the mean").
    """

    metric: str
    half_width: float
    community: str = "all"
    category: str = "all"
    relative: bool = False
    grid: str = "all"

    @classmethod
    def parse(cls, text: str, group: str | None = None) -> HalfWidthTarget:
        """``METRIC=VALUE`` (``VALUE%`` for relative) and ``COMMUNITY[/CATEGORY[/GRID]]``."""
        metric, sep, value = text.partition("=")
        if not sep or not metric.strip() or not value.strip():
            raise ValueError(f"expected METRIC=VALUE, e.g. response_min_p90=1.0 (got {text!r})")
        value = value.strip()
        relative = value.endswith("%")
        try:
            number = float(value.rstrip("%"))
        except ValueError:
            raise ValueError(f"not a number: {value!r}") from None
        if relative:
            number /= 100
        community, _, rest = (group or "all").partition("/")
        category, _, grid = rest.partition("/")
        return cls(metric.strip(), number, community or "all", category or "all", relative,
                   grid or "all")

    def __post_init__(self) -> None:
        if not (math.isfinite(self.half_width) and self.half_width > 0):
            raise ValueError(f"the target half-width must be positive (got {self.half_width})")

    def achieved(self, summary: pd.DataFrame) -> float:
        """The half-width of the target metric in ``summary`` (relative if asked); NaN if none."""
        row = select(summary, self.community, self.category, self.grid, metric=self.metric)
        if row.empty:
            return math.nan
        half, mean = float(row["half_width"].iloc[0]), float(row["mean"].iloc[0])
        if self.relative:
            return abs(half / mean) if mean else math.nan
        return half

    def met(self, summary: pd.DataFrame) -> bool:
        achieved = self.achieved(summary)
        return bool(np.isfinite(achieved) and achieved <= self.half_width)

    def describe(self) -> str:
        value = f"{self.half_width:.2%}" if self.relative else f"{self.half_width:g}"
        group = f"{self.community}/{self.category}" + (
            f"/{self.grid}" if self.grid != "all" else "")
        return f"{self.metric} ({group}) half-width <= {value}"

    def as_dict(self) -> dict[str, object]:
        return {"metric": self.metric, "community": self.community, "category": self.category,
                "grid": self.grid, "half_width": self.half_width, "relative": self.relative}


def next_total(done: int, achieved: float, target: float, cap: int) -> int:
    """How many replications to have after the next batch of a sequential run.

    The half-width shrinks like 1/sqrt(n), so ``done * (achieved / target)^2`` replications are
    expected to meet the target; the next batch aims there, growing by at least one and at most
    doubling (early estimates are noisy), never past ``cap``. It depends only on the numbers,
    not on the executor, so every executor stops at the same count.
    """
    if np.isfinite(achieved) and achieved > 0:
        estimate = math.ceil(done * (achieved / target) ** 2)
    else:  # no interval yet (fewer than two values): double
        estimate = 2 * done
    return min(cap, max(done + 1, min(2 * done, estimate)))
