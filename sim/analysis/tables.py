"""Planner-facing tables built from a run's summary."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.scenario.schema import Scenario

COMMUNITY_METRICS = ("issues", "utilisation_community_worker", "wait_min_mean",
                     "response_min_p90", "response_within_target_share", "resolution_h_mean",
                     "resolution_within_target_share")
"""The columns of :func:`community_table` after the staff: metric names, as in the files."""


def with_ci(mean: float, half: float, digits: int, low: float | None = None,
            high: float | None = None) -> str:
    """``12.3 ± 0.4``; ``0.99 (0.97–1.00)`` when the interval ``low``-``high`` is the t
    interval cut at the metric's possible range (``summary.csv``'s ``ci_low``/``ci_high``);
    ``12.3`` without an interval, ``-`` when missing."""
    if mean is None or not np.isfinite(mean):
        return "-"
    if half is None or not np.isfinite(half):
        return f"{mean:.{digits}f}"
    tolerance = 1e-9 * max(1.0, abs(mean), abs(half))
    cut = (low is not None and np.isfinite(low) and low > mean - half + tolerance) or (
        high is not None and np.isfinite(high) and high < mean + half - tolerance)
    if cut:
        return f"{mean:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"
    return f"{mean:.{digits}f} ± {half:.{digits}f}"


def community_table(summary: pd.DataFrame, scenario: Scenario, text: bool = True,
                    communities: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per community (and 'all'): households, workers and key metrics of all issues
    together (a mix of categories; :mod:`sim.analysis.attainment` judges each category).

    With ``text`` the metrics are strings ``mean ± 95% half-width`` (:func:`with_ci`, the
    interval's bounds where it was cut at the possible range); otherwise the means.
    ``communities`` keeps only those (default every community; ``[]``: only 'all').
    """
    overall = summary[(summary["category"] == "all")
                      & summary["metric"].isin(list(COMMUNITY_METRICS))]
    if "grid" in overall.columns:
        overall = overall[overall["grid"] == "all"]
    chosen = [c for c in scenario.communities
              if communities is None or c.id in set(communities)]
    households = {c.id: c.households for c in chosen}
    workers = {c.id: scenario.workers(c) for c in chosen}
    households["all"] = sum(c.households for c in scenario.communities)
    workers["all"] = sum(scenario.workers(c) for c in scenario.communities)
    order = list(households)  # the communities in scenario order, then "all"
    wide = overall[overall["community"].isin(order)].set_index(["community", "metric"])[
        ["mean", "half_width", "ci_low", "ci_high"]].unstack("metric").reindex(order)
    out = pd.DataFrame({"community": order, "households": [households[c] for c in order],
                        "community_workers": [workers[c] for c in order]})
    for metric in COMMUNITY_METRICS:
        if ("mean", metric) not in wide.columns:
            out[metric] = "-" if text else np.nan
            continue
        mean = wide[("mean", metric)].to_numpy(float)
        if not text:
            out[metric] = mean
            continue
        digits = 0 if metric == "issues" else (
            2 if "share" in metric or metric.startswith("utilisation") else 1)
        half, low, high = (wide[(stat, metric)].to_numpy(float)
                           for stat in ("half_width", "ci_low", "ci_high"))
        out[metric] = [with_ci(m, h, digits, lo, hi) if np.isfinite(m) else "-"
                       for m, h, lo, hi in zip(mean, half, low, high, strict=True)]
    return out.set_index("community")
