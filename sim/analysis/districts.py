"""Sub-districts (街道) of a city: each category against its targets per district, and where
the communities and grids that miss lie.

A district's figure in one replication is its communities' figures pooled: counts add up,
a share or a mean is their average weighted by what it is a share or a mean of (the issues;
for resolution the issues resolved, i.e. less those left unfinished; for utilisation the
community workers). The interval of a district's figure is then the Student-t interval over
replications of these pooled values (:func:`sim.analysis.statistics.summarise`), exactly as a
community's, so it is as wide as the replications make it. Names stay code names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.attainment import MISSED, RESOLUTION, RESPONSE, attainment_table
from sim.analysis.statistics import summarise
from sim.model.measures import ALL
from sim.scenario.schema import Scenario

POOLED = {
    RESPONSE: "issues", "response_min_mean": "issues", "wait_min_mean": "issues",
    "care_visit_late_share": "issues", "care_visit_missed_share": "issues",
    RESOLUTION: "resolved", "resolution_h_mean": "resolved",
    "utilisation_community_worker": "workers",
}
"""Each pooled metric and its weight (p50s and p90s cannot be pooled and are left out)."""


def district_ids(scenario: Scenario) -> dict[str, str]:
    """Community id -> the id of its district (empty without districts)."""
    return {c: d.id for d in scenario.districts for c in d.communities}


def district_replications(replications: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """One row per replication, district and category (``all`` too) with ``issues`` and the
    :data:`POOLED` metrics pooled over the district's communities; the district's id is in
    the ``community`` column, so the table summarises like a community's."""
    of = district_ids(scenario)
    rows = replications
    if "grid" in rows.columns:
        rows = rows[rows["grid"] == ALL]
    rows = rows[rows["community"].isin(list(of))]
    if rows.empty:
        return pd.DataFrame(columns=["replication", "community", "category", "issues"])
    workers = {c.id: float(scenario.workers(c)) for c in scenario.communities}
    issues = rows["issues"].to_numpy(float)
    unfinished = rows["unfinished"].fillna(0).to_numpy(float) if "unfinished" in rows \
        else np.zeros(len(rows))
    weights = {"issues": issues, "resolved": np.maximum(issues - unfinished, 0.0),
               "workers": rows["community"].map(workers).to_numpy(float)}
    frame = pd.DataFrame({"replication": rows["replication"].to_numpy(),
                          "community": rows["community"].map(of).to_numpy(),
                          "category": rows["category"].to_numpy(), "issues": issues})
    metrics = [m for m in POOLED if m in rows.columns]
    for metric in metrics:
        value = rows[metric].to_numpy(float)
        weight = np.where(np.isfinite(value), weights[POOLED[metric]], 0.0)
        frame[f"{metric}:sum"] = np.where(weight > 0, value, 0.0) * weight
        frame[f"{metric}:weight"] = weight
    sums = frame.groupby(["replication", "community", "category"], sort=False).sum()
    out = sums[["issues"]].copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        for metric in metrics:
            weight = sums[f"{metric}:weight"].to_numpy()
            out[metric] = np.where(weight > 0, sums[f"{metric}:sum"].to_numpy() / weight,
                                   np.nan)
    return out.reset_index()


def district_summary(replications: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """:func:`district_replications` summarised (mean and 95% interval per district,
    category and metric), in the layout of ``summary.csv`` (districts in ``community``)."""
    return summarise(district_replications(replications, scenario))


def district_attainment(replications: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Each category against its targets per district (an
    :func:`~sim.analysis.attainment.attainment_table` whose ``community`` column holds the
    district ids, in scenario order; no p90s)."""
    summary = district_summary(replications, scenario)
    if summary.empty:
        return pd.DataFrame()
    return attainment_table(summary, scenario, order=[d.id for d in scenario.districts])


def shortfall_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of an attainment table (communities or grids) that miss a target, one per row
    and measure missed (``metric``: response or resolution share), worst first: most
    ``issues_short`` (the issues per replication that would have to be within the limit to
    reach the target share: (target share - share) x issues; a share of one issue in a small
    community is not the worst); the whole-district rows left out."""
    parts = []
    rows = table[table["community"] != ALL] if not table.empty else table
    for metric, state in ((RESPONSE, "response_attainment"),
                          (RESOLUTION, "resolution_attainment")):
        if rows.empty:
            break
        missed = rows[rows[state] == MISSED]
        gap = missed["target_share"] - missed[metric]
        parts.append(missed.assign(metric=metric, shortfall=gap,
                                   issues_short=gap * missed["issues"]))
    if not parts:
        return pd.DataFrame(columns=[*table.columns, "metric", "shortfall", "issues_short"])
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values("issues_short", ascending=False, kind="stable").reset_index(
        drop=True)


def worst_by_district(table: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Per district (that has one), its worst miss (:func:`shortfall_rows`): district,
    community, category, metric, shortfall, issues_short and the share's columns."""
    rows = shortfall_rows(table)
    if rows.empty:
        return rows.assign(district=pd.Series(dtype=str))
    rows = rows.assign(district=rows["community"].map(district_ids(scenario)))
    return rows.dropna(subset=["district"]).drop_duplicates("district").reset_index(drop=True)


def grids_missing_by_district(grid_table: pd.DataFrame, scenario: Scenario,
                              min_issues: float = 1.0) -> pd.DataFrame:
    """Per district: ``grids`` (judged on some category's response share: at least
    ``min_issues`` issues per replication) and ``grids_missing`` (that miss it in at least one
    category), as :func:`~sim.analysis.attainment.grid_shortfalls` judges them."""
    of = district_ids(scenario)
    columns = ["district", "grids", "grids_missing"]
    if grid_table.empty or not of:
        return pd.DataFrame(columns=columns)
    judged = grid_table[(grid_table["issues"] >= min_issues)
                        & (grid_table["response_attainment"] != "")]
    per_grid = judged.assign(missed=judged["response_attainment"] == MISSED).groupby(
        ["community", "grid"], sort=False)["missed"].any().reset_index()
    per_grid["district"] = per_grid["community"].map(of)
    out = per_grid.groupby("district", sort=False)["missed"].agg(["size", "sum"])
    out = out.reindex([d.id for d in scenario.districts], fill_value=0).reset_index()
    out.columns = columns
    return out
