"""Confidence intervals over replications (Student t), as tidy tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

GROUP_COLUMNS = ["community", "category"]


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, int]:
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
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * std / np.sqrt(n))
    return mean, half, std, n


def metric_columns(frame: pd.DataFrame) -> list[str]:
    """The metric columns of a replications table (everything but keys)."""
    keys = {"replication", *GROUP_COLUMNS, "grid"}
    return [c for c in frame.columns if c not in keys]


def summarise(replications: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """One row per group and metric: mean and ``level`` Student-t interval over replications.

    Metrics with no finite value in a group (utilisation of a category, say) are left out.
    """
    groups = [c for c in (*GROUP_COLUMNS, "grid") if c in replications.columns]
    long = replications.melt(id_vars=["replication", *groups], var_name="metric")
    long = long[np.isfinite(long["value"].astype(float))]
    agg = (
        long.groupby([*groups, "metric"], sort=False, observed=True)["value"]
        .agg(["mean", "std", "count"])
        .reset_index()
    )
    n = agg["count"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(n > 1, stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)), np.nan)
        half = t * agg["std"].to_numpy() / np.sqrt(n)
    agg["ci_low"] = agg["mean"] - half
    agg["ci_high"] = agg["mean"] + half
    agg["half_width"] = half
    agg = agg.rename(columns={"count": "replications"})
    columns = ["mean", "ci_low", "ci_high", "half_width", "std", "replications"]
    return agg[[*groups, "metric", *columns]]
