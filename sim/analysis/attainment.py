"""Each category against its own targets: the tables every report and terminal output leads with.

A category's targets are its own time limits (``respond_within_min``, ``resolve_within_h``; for
scheduled care visits ``on_time_days``) and the share of its issues that must be within them
(``target_share``, the category's or the scenario's). A share is judged with its 95% interval:

- ``met``: the whole interval is at or above the target share;
- ``missed``: the whole interval is below it;
- ``unclear``: the interval spans it (more replications would decide).

With one replication there is no interval and the mean decides. The all-issue rows (category
``all``) are a *mix* of categories, dominated by the most frequent (walk-in public services):
they are never judged. Reactive issues and scheduled care visits are kept apart: care visits are
judged on time, with their late and missed shares beside.

Everything here is a pure function of summary tables (``summary.csv``, or one scenario's or
setting's rows of ``compare.csv`` / ``sweep.csv``) and the scenario; names stay code names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.model.measures import ALL
from sim.scenario.governance import CARE_VISIT
from sim.scenario.schema import Scenario

MET, MISSED, UNCLEAR = "met", "missed", "unclear"
RESPONSE, RESOLUTION = "response_within_target_share", "resolution_within_target_share"
VISITS = ("care_visit_late_share", "care_visit_missed_share")
TIMES = ("response_min_mean", "response_min_p90", "resolution_h_mean", "resolution_h_p90")
INTERVAL = ("mean", "ci_low", "ci_high", "half_width")


@dataclass(frozen=True)
class CategoryTarget:
    """One category's own targets."""

    category: str
    respond_within_min: float | None
    resolve_within_h: float | None
    share: float
    scheduled: bool = False  # care visits: respond_within_min is on_time_days in minutes
    walk_in: bool = False


def category_targets(scenario: Scenario) -> list[CategoryTarget]:
    """The scenario's categories in order, then care visits when they are scheduled."""
    out = [CategoryTarget(k, c.respond_within_min, c.resolve_within_h,
                          scenario.category_target_share(k), walk_in=c.walk_in)
           for k, c in scenario.demand.items()]
    care = scenario.care_visits
    if care is not None and care.share_of_households > 0:
        out.append(CategoryTarget(CARE_VISIT, care.on_time_days * 1440.0, None,
                                  scenario.target_share, scheduled=True))
    return out


def judge(mean: float, low: float, high: float, share: float) -> str:
    """``met``, ``missed`` or ``unclear`` for a share with its interval against ``share``;
    ``""`` when there is no share."""
    if mean is None or not np.isfinite(mean):
        return ""
    if not (np.isfinite(low) and np.isfinite(high)):  # one replication: no interval
        return MET if mean >= share else MISSED
    if low >= share:
        return MET
    if high < share:
        return MISSED
    return UNCLEAR


def _level(summary: pd.DataFrame, grids: bool) -> pd.DataFrame:
    if "grid" not in summary.columns:
        return summary if not grids else summary.iloc[0:0]
    return summary[summary["grid"] != ALL] if grids else summary[summary["grid"] == ALL]


def attainment_table(summary: pd.DataFrame, scenario: Scenario, grids: bool = False,
                     order: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per community (then ``all``; or per grid with ``grids``) and category with a
    target: the category's limits and target share; ``issues``; the two shares within the
    limits with their intervals (``<metric>``, ``<metric>_ci_low``, ``_ci_high``,
    ``_half_width``) and their judgement (``response_attainment``, ``resolution_attainment``);
    mean and p90 times; for care visits the late and missed shares; ``replications``.

    Rows are in scenario order (communities, or the groups in ``order``, then ``all``;
    categories as in the scenario, care visits last). Per grid there are no p90s (the
    recorder keeps no quantiles per grid and category).
    """
    targets = category_targets(scenario)
    by_target = {t.category: t for t in targets}
    keys = ["community", "category"] + (["grid"] if grids else [])
    part = _level(summary, grids)
    part = part[part["category"].isin(list(by_target))
                & part["metric"].isin([RESPONSE, RESOLUTION, "issues", *TIMES, *VISITS])]
    if part.empty:
        return pd.DataFrame()
    wide = part.set_index([*keys, "metric"])[list(INTERVAL)].unstack("metric")
    out = wide.index.to_frame(index=False)
    target = [by_target[k] for k in out["category"]]
    out["respond_within_min"] = [t.respond_within_min for t in target]
    out["resolve_within_h"] = [t.resolve_within_h for t in target]
    out["target_share"] = [t.share for t in target]

    def column(stat: str, metric: str) -> np.ndarray:
        if (stat, metric) not in wide.columns:
            return np.full(len(out), np.nan)
        return wide[(stat, metric)].to_numpy(float)

    out["issues"] = column("mean", "issues")
    for metric in (RESPONSE, RESOLUTION, *VISITS):
        out[metric] = column("mean", metric)
        for stat in INTERVAL[1:]:
            out[f"{metric}_{stat}"] = column(stat, metric)
    for metric in TIMES:
        out[metric] = column("mean", metric)
    for name, metric, limit in (("response_attainment", RESPONSE, "respond_within_min"),
                                ("resolution_attainment", RESOLUTION, "resolve_within_h")):
        out[name] = [
            "" if pd.isna(lim) else judge(m, lo, hi, share)
            for lim, m, lo, hi, share in zip(out[limit], out[metric], out[f"{metric}_ci_low"],
                                             out[f"{metric}_ci_high"], out["target_share"],
                                             strict=True)]
    reps = part.groupby(keys, observed=True, sort=False)["replications"].max()
    out["replications"] = reps.reindex(pd.MultiIndex.from_frame(out[keys])).to_numpy(int)
    place = {c: i for i, c in enumerate(order_ids(scenario) if order is None else order)}
    place[ALL] = len(place)
    rank = {t.category: i for i, t in enumerate(targets)}
    out["_c"] = out["community"].map(place)
    out["_k"] = out["category"].map(rank)
    sort = ["_c", "grid", "_k"] if grids else ["_c", "_k"]
    return out.sort_values(sort, kind="stable").drop(columns=["_c", "_k"]).reset_index(
        drop=True)


def order_ids(scenario: Scenario) -> list[str]:
    return [c.id for c in scenario.communities]


@dataclass(frozen=True)
class Shortfall:
    """A category that misses one of its targets: where, and by how much."""

    category: str
    metric: str  # RESPONSE or RESOLUTION
    limit: float
    share: float  # the target share
    value: float  # the district-wide share (mean)
    low: float
    high: float
    communities: tuple[str, ...]  # communities that miss it (all of them: the whole district)
    of: int  # communities judged
    scheduled: bool = False


def shortfalls(table: pd.DataFrame, scenario: Scenario) -> list[Shortfall]:
    """The categories whose district-wide share misses a target (or that miss it in some
    community), worst first: from an :func:`attainment_table` of communities."""
    targets = {t.category: t for t in category_targets(scenario)}
    out = []
    for target in targets.values():
        rows = table[table["category"] == target.category]
        for metric, column, limit in ((RESPONSE, "response_attainment", target.respond_within_min),
                                      (RESOLUTION, "resolution_attainment",
                                       target.resolve_within_h)):
            if limit is None or rows.empty:
                continue
            whole = rows[rows["community"] == ALL]
            local = rows[rows["community"] != ALL]
            missing = tuple(local.loc[local[column] == MISSED, "community"])
            if whole.empty or (whole[column].iloc[0] != MISSED and not missing):
                continue
            w = whole.iloc[0]
            out.append(Shortfall(target.category, metric, float(limit), target.share,
                                 float(w[metric]), float(w[f"{metric}_ci_low"]),
                                 float(w[f"{metric}_ci_high"]), missing, len(local),
                                 target.scheduled))
    return sorted(out, key=lambda s: s.value - s.share)


def states(table: pd.DataFrame, community: str = ALL) -> dict[str, str]:
    """Per category, its overall judgement in one community (default the whole district):
    ``missed`` if it misses a target, else ``unclear`` if one is unclear, else ``met``."""
    out = {}
    for _, row in table[table["community"] == community].iterrows():
        found = {row["response_attainment"], row["resolution_attainment"]} - {""}
        out[str(row["category"])] = (MISSED if MISSED in found else
                                     UNCLEAR if UNCLEAR in found else MET if found else "")
    return out


def grid_shortfalls(grid_table: pd.DataFrame, metric: str = RESPONSE, min_issues: float = 1.0,
                    by_issues_short: bool = False) -> pd.DataFrame:
    """Per category, the grids whose share misses the target (from an :func:`attainment_table`
    with ``grids``), worst first (lowest share; with ``by_issues_short`` most issues short of
    the target share: (target share - share) x issues); grids with fewer than ``min_issues``
    issues per replication are not judged. Columns: category, grids (judged), grids_missing,
    worst (grid ids, worst first)."""
    column = "response_attainment" if metric == RESPONSE else "resolution_attainment"
    rows = []
    if grid_table.empty:
        return pd.DataFrame(columns=["category", "grids", "grids_missing", "worst"])
    for category, part in grid_table.groupby("category", sort=False):
        judged = part[(part["issues"] >= min_issues) & (part[column] != "")]
        if judged.empty:
            continue
        missing = judged[judged[column] == MISSED].sort_values(metric)
        if by_issues_short:
            short = (missing["target_share"] - missing[metric]) * missing["issues"]
            missing = missing.loc[short.sort_values(ascending=False, kind="stable").index]
        rows.append({"category": category, "grids": len(judged),
                     "grids_missing": len(missing), "worst": list(missing["grid"])})
    return pd.DataFrame(rows, columns=["category", "grids", "grids_missing", "worst"])


def mix(summary: pd.DataFrame) -> dict[str, Any]:
    """The all-issue figures of the whole district (a mix of categories): the two shares and
    the share of issues in the most frequent category (``largest``, ``largest_share``)."""
    rows = _level(summary, False)
    whole = rows[(rows["community"] == ALL)]
    get = whole[whole["category"] == ALL].set_index("metric")["mean"]
    counts = whole[(whole["metric"] == "issues") & (whole["category"] != ALL)].set_index(
        "category")["mean"]
    total = float(counts.sum())
    largest = str(counts.idxmax()) if total > 0 else ""
    return {"response": float(get.get(RESPONSE, np.nan)),
            "resolution": float(get.get(RESOLUTION, np.nan)),
            "largest": largest,
            "largest_share": float(counts.max() / total) if total > 0 else np.nan}
