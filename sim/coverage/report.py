"""The HTML report of ``gridsim coverage``: grids left out first, then maps, tables, method."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import sim.coverage.texts  # noqa: F401  (registers the report's words)
from sim.report import plots as plot
from sim.report.html import Report, provenance
from sim.report.i18n import Texts

if TYPE_CHECKING:
    from sim.coverage.analysis import CoverageResult

ALL = "all"
LISTED = 12
"""Grids named in a finding before '...'."""


def coverage_report(result: CoverageResult, lang: str) -> str:
    """The whole report as one self-contained HTML string, in ``lang`` (zh or en)."""
    from sim.coverage.analysis import NEAR_MIN

    t = Texts(lang)
    walk = result.walk
    report = Report(t("coverage.title", name=result.scenario.name),
                    t("coverage.subtitle", limit=result.within_min, speed=walk.speed_kmh,
                      detour=walk.detour_factor))
    report.heading(t("coverage.findings"))
    report.items(_findings(result, t))

    report.heading(t("coverage.map"))
    for kind in [*result.kinds, ALL]:
        report.figure(coverage_map(result, kind, lang),
                      caption=t("coverage.map_caption", kind=_kind(t, kind),
                                limit=result.within_min,
                                radius=walk.radius_m(result.within_min)))

    report.heading(t("coverage.by_community"))
    report.table(_by_community(result, t), table_id="by-community", digits=2,
                 caption=t("coverage.by_community_caption", limit=result.within_min))
    report.heading(t("coverage.left_out"))
    for kind in [*result.kinds, ALL]:
        left = result.left_out(kind)
        if left.empty:
            continue
        shown = left[["community", "grid", "households", "elderly_households", "walk_min",
                      "nearest_point"]]
        report.table(_named(shown, t), table_id=f"left-out-{kind}", digits=1,
                     caption=t("coverage.left_out_caption", kind=_kind(t, kind)))
    if not result.placement.empty:
        report.heading(t("coverage.placement"))
        shown = result.placement[["kind", "points_added", "rank", "site", "grid",
                                  "new_households", "new_elderly_households",
                                  "covered_share_after"]].copy()
        shown["kind"] = shown["kind"].map(lambda k: _kind(t, k))
        report.table(_named(shown, t), table_id="placement", digits=2,
                     caption=t("coverage.placement_caption",
                               weight=t(f"coverage.weight.{result.weight}")))
    report.heading(t("coverage.points"))
    points = result.points[result.points["role"] == "point"].copy()
    points["kind"] = points["kind"].map(lambda k: _kind(t, k))
    report.table(_named(points[["name", "kind", "grid", "weekly_open_h", "offers"]], t),
                 table_id="points", digits=0)

    report.heading(t("coverage.method"))
    rows = result.grid_rows(ALL)
    near = rows[np.abs(rows["walk_min"] - result.within_min) <= NEAR_MIN]
    report.paragraph(t("coverage.method_rule", limit=result.within_min, metric=walk.metric,
                       detour=walk.detour_factor, speed=walk.speed_kmh))
    report.paragraph(t("coverage.method_caveat", near=NEAR_MIN,
                       households=int(near["households"].sum())), note=True)
    report.heading(t("coverage.provenance"))
    report.facts({**provenance(result.manifest), "seconds": f"{result.seconds:.1f}"})
    return report.html()


def _kind(t: Texts, kind: str) -> str:
    return t(f"facility_kind.{kind}")


def _share(value: float | None) -> str:
    return "-" if value is None or not np.isfinite(value) else f"{value:.0%}"


def _findings(result: CoverageResult, t: Texts) -> list[str]:
    lines = []
    for kind in [*result.kinds, ALL]:
        row = result.total(kind)
        left = result.left_out(kind)
        text = t("coverage.finding", kind=_kind(t, kind), share=_share(row["covered_share"]),
                 covered=int(row["covered_households"]), total=int(row["households"]),
                 limit=result.within_min, grids=len(left),
                 left=int(left["households"].sum()))
        if np.isfinite(row["covered_elderly_share"]):
            text += " " + t("coverage.finding_elderly", share=_share(row["covered_elderly_share"]))
        if left.empty:
            text += " " + t("coverage.none_left_out")
        else:
            text += " " + t("coverage.left_out_list", grids=_left_out_text(result, left, t))
        lines.append(text)
    placement = result.placement
    for kind in result.kinds:
        if result.add == 0:
            break
        plan = placement[(placement["kind"] == kind)
                         & (placement["points_added"] == result.add)]
        if plan.empty:
            lines.append(t("coverage.no_gain", kind=_kind(t, kind)))
            continue
        lines.append(t("coverage.best_new", n=len(plan), kind=_kind(t, kind),
                       sites=", ".join(plan["site"]), gain=int(plan["new_households"].sum()),
                       share=_share(plan["covered_share_after"].iloc[-1])))
    return lines


def _left_out_text(result: CoverageResult, left: pd.DataFrame, t: Texts) -> str:
    """Per community, most households first: all its grids, or which."""
    grids = result.grids.groupby("community")["grid"].count()
    parts = []
    order = left.groupby("community", sort=False)["households"].sum().sort_values(
        ascending=False)
    for community in order.index:
        ids = sorted(left.loc[left["community"] == community, "grid"])
        if len(ids) == grids[community]:
            parts.append(t("coverage.left_out_all", community=community, n=len(ids)))
        else:
            short = [g.removeprefix(f"{community}-") for g in ids]
            shown = ", ".join(short[:LISTED]) + (", ..." if len(short) > LISTED else "")
            parts.append(t("coverage.left_out_some", community=community, n=len(ids),
                           of=grids[community], grids=shown))
    return "; ".join(parts)


def _by_community(result: CoverageResult, t: Texts) -> pd.DataFrame:
    c = result.coverage
    rows = c[c["grid"] == ALL]
    wide = rows.pivot(index="community", columns="kind", values="covered_share")
    order = [*[x.id for x in result.scenario.scenario.communities], ALL]
    wide = wide.reindex(order)[[*result.kinds, ALL]]
    wide.columns = [_kind(t, k) for k in wide.columns]
    households = rows[rows["kind"] == ALL].set_index("community")["households"].reindex(order)
    wide.insert(0, t("coverage.col.households"), households.to_numpy())
    wide.index = [t("coverage.all") if i == ALL else i for i in wide.index]
    wide.index.name = t("coverage.col.community")
    return wide.reset_index()


def _named(frame: pd.DataFrame, t: Texts) -> pd.DataFrame:
    return frame.rename(columns={c: t(f"coverage.col.{c}") for c in frame.columns
                                 if t.has(f"coverage.col.{c}")})


def coverage_map(result: CoverageResult, kind: str, lang: str):
    """The map of ``kind`` (or ``all``) with labels in ``lang`` where fonts allow."""
    t = Texts(plot.label_language(lang))
    rows = result.grid_rows(kind).set_index("grid")["covered"].astype(bool)
    grids = result.grids.assign(covered=result.grids["grid"].map(rows).to_numpy(bool))
    points = result.points[result.points["role"] == "point"]
    if kind != ALL:
        points = points[points["kind"] == kind]
    else:
        points = points[points["kind"].isin(result.kinds)]
    points = points.assign(new=False)
    plan = result.placement
    if kind != ALL and not plan.empty:
        new = plan[(plan["kind"] == kind) & (plan["points_added"] == result.add)]
        points = pd.concat([points, new.assign(new=True)[["kind", "x_m", "y_m", "new"]]],
                           ignore_index=True)
    labels = {k: t(f"facility_kind.{k}") for k in points["kind"].unique()}
    labels.update(covered=t("coverage.legend.covered"), left_out=t("coverage.legend.left_out"),
                  new=t("coverage.legend.new"))
    return plot.coverage_map(grids, points, result.walk.radius_m(result.within_min),
                             metric=result.walk.metric, title=t(f"facility_kind.{kind}"),
                             labels=labels)
