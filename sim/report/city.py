"""The run report of a city: sub-districts (街道) instead of hundreds of communities.

A scenario with districts, or with more than
:data:`~sim.report.headline.CITY_COMMUNITIES` communities, reads as a
city: after each category against its own targets for the whole city, one row per district
(its issues, each category's share within its limit with the interval, its worst community,
its grids that miss), then only the communities and grids that miss (the worst
:data:`SHOWN`, with the count of the rest). Every community's and grid's figures stay in
``results.xlsx`` and ``summary.csv``; the page says so.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.attainment import (
    RESOLUTION,
    RESPONSE,
    category_targets,
)
from sim.analysis.districts import (
    district_ids,
    grids_missing_by_district,
    shortfall_rows,
    worst_by_district,
)
from sim.analysis.tables import community_table
from sim.model.measures import ALL
from sim.report import plots as plot
from sim.report.headline import share_text
from sim.report.html import Report
from sim.report.i18n import register
from sim.report.names import Names
from sim.report.sections import attainment_display, headers
from sim.scenario.governance import CARE_VISIT
from sim.scenario.schema import Scenario

SHOWN = 20
"""The communities (and grids) that miss, worst first, listed in a city's report."""


def detail_note(report: Report, names: Names) -> None:
    """Where the figures of every community and grid are: not on this page."""
    report.paragraph(names.t("city.detail"), note=True)


# ---------------------------------------------------------------- districts


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _share(row: Mapping[str, Any], metric: str) -> str:
    return share_text(row[metric], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"],
                      row[f"{metric}_half_width"])


def _count(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _worst_text(row: Mapping[str, Any], names: Names) -> str:
    """``community: category share (n issues)`` of a district's worst miss."""
    t = names.t
    what = t("text.what_response") if row["metric"] == RESPONSE else t("text.what_resolution")
    return t("city.worst", community=names.community(str(row["community"])),
             category=names.category(str(row["category"])), what=what,
             value=_share(row, row["metric"]), issues=_count(row["issues"]))


def district_rows(districts: pd.DataFrame, communities: pd.DataFrame, grids: pd.DataFrame,
                  utilisation: pd.DataFrame, scenario: Scenario, names: Names, metric: str
                  ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """One row per district: communities, issues, each category's ``metric`` share with its
    interval (with the response: community workers' utilisation, the worst community and the
    grids that miss); the CSS
    classes of the cells and the columns' headings."""
    t = names.t
    state = "response_attainment" if metric == RESPONSE else "resolution_attainment"
    limit = "respond_within_min" if metric == RESPONSE else "resolve_within_h"
    targets = [x for x in category_targets(scenario) if getattr(x, limit) is not None
               and not (x.scheduled and metric == RESOLUTION)]
    keyed = {(r["community"], r["category"]): r for r in _records(districts)}
    worst = {r["district"]: r for r in _records(worst_by_district(communities, scenario))}
    missing = {r["district"]: r for r in _records(grids_missing_by_district(grids, scenario))}
    busy = {r["community"]: r for r in _records(utilisation)}
    rows, classes = [], []
    for district in scenario.districts:
        out: dict[str, str] = {"district": names.district(district.id),
                               "communities": str(len(district.communities))}
        cls: dict[str, str] = {}
        reactive = [float(keyed[(district.id, x.category)]["issues"]) for x in targets
                    if (district.id, x.category) in keyed and not x.scheduled]
        out["issues"] = _count(float(np.nansum(reactive)))
        for x in targets:
            column = f"{x.category}:{metric}"
            row = keyed.get((district.id, x.category))
            out[column] = "-" if row is None else _share(row, metric)
            if row is not None:
                cls[column] = str(row[state])
        if metric == RESPONSE:
            if district.id in busy:
                out["utilisation"] = _share(busy[district.id], "mean")
            out["worst"] = _worst_text(worst[district.id], names) if district.id in worst \
                else "-"
            if district.id in missing:
                m = missing[district.id]
                out["grids_missing"] = f"{int(m['grids_missing'])} / {int(m['grids'])}"
        rows.append(out)
        classes.append(cls)
    frame = pd.DataFrame(rows)
    marks = pd.DataFrame(classes, columns=frame.columns, dtype=object).fillna("")
    heads = {"district": t("column.district"), "communities": t("column.communities"),
             "issues": t("city.reactive_issues"), "worst": t("column.worst_community"),
             "utilisation": t.metric("utilisation_community_worker"),
             "grids_missing": t("city.grids_missing")}
    for x in targets:
        heads[f"{x.category}:{metric}"] = names.category(x.category)
    return frame, marks, heads


def district_heatmap(districts: pd.DataFrame, scenario: Scenario, names: Names):
    """Both shares of each category (columns) by district (rows), coloured against the
    category's target share; * missed, ? unclear."""
    t = names.t
    order = [d.id for d in scenario.districts]
    columns, targets, values, marks = [], {}, {}, {}
    for metric, state, word in ((RESPONSE, "response_attainment", "city.response_short"),
                                (RESOLUTION, "resolution_attainment", "city.resolution_short")):
        rows = districts[districts[state] != ""]
        for x in category_targets(scenario):
            part = rows[rows["category"] == x.category].set_index("community")
            if part.empty:
                continue
            what = t("city.on_time_short") if x.scheduled else t(word)
            label = f"{textwrap.fill(names.category(x.category), 11)}\n{what}"
            columns.append(label)
            targets[label] = x.share
            values[label] = part[metric].reindex(order)
            marks[label] = part[state].reindex(order).map(
                lambda s: {"missed": "*", "unclear": "?"}.get(s, "")).fillna("")
    frame = pd.DataFrame(values, columns=columns)
    frame.index = [names.district(d) for d in order]
    marked = pd.DataFrame(marks, columns=columns)
    marked.index = frame.index
    return plot.attainment_heatmap(frame, targets, marked, title=t("city.heatmap_title"),
                                   colour_label=t("unit.share"))


def district_section(report: Report, districts: pd.DataFrame, district_summary: pd.DataFrame,
                     communities: pd.DataFrame, grids: pd.DataFrame, scenario: Scenario,
                     names: Names) -> None:
    """By sub-district: a heat map of both shares, the table of response shares (workers'
    utilisation, worst community, grids that miss), the resolution shares unfolded."""
    t = names.t
    if districts.empty or not scenario.districts:
        return
    utilisation = district_summary[
        (district_summary["metric"] == "utilisation_community_worker")
        & (district_summary["category"] == ALL)]
    utilisation = utilisation.rename(columns={"half_width": "mean_half_width",
                                              "ci_low": "mean_ci_low", "ci_high": "mean_ci_high"})
    report.heading(t("heading.by_district"))
    report.paragraph(t("city.pooled"), note=True)
    report.figure(district_heatmap(districts, scenario, names),
                  caption=t("city.heatmap_caption", share=f"{scenario.target_share:.2f}"))
    shown, classes, heads = district_rows(districts, communities, grids, utilisation,
                                          scenario, names, RESPONSE)
    report.table(shown, headers=heads, classes=classes, table_id="by-district",
                 caption=t("city.response_caption"))
    shown, classes, heads = district_rows(districts, communities, grids, utilisation,
                                          scenario, names, RESOLUTION)
    report.details(t("city.resolution_caption"))
    report.table(shown, headers=heads, classes=classes, table_id="by-district-resolution")
    report.end_details()


# ---------------------------------------------------------------- what misses


def _rest(report: Report, names: Names, shown: int, total: int) -> None:
    if total > shown:
        report.paragraph(names.t("city.rest", n=total - shown), note=True)


def community_misses(report: Report, communities: pd.DataFrame, scenario: Scenario,
                     names: Names) -> None:
    """The communities that miss a target, worst first (at most :data:`SHOWN` rows), with the
    district of each."""
    t = names.t
    rows = shortfall_rows(communities[communities["category"] != CARE_VISIT])
    report.heading(t("heading.communities_missing"))
    judged = communities[communities["community"] != ALL]["community"].nunique()
    count = rows["community"].nunique()
    report.paragraph(t("city.communities_missing", k=count, n=judged, rows=len(rows),
                       shown=min(SHOWN, len(rows))))
    if rows.empty:
        return
    top = rows.head(SHOWN)
    shown, classes = attainment_display(top, names)
    keep = ["community", "category", "issues", "respond_within_min", RESPONSE,
            "resolve_within_h", RESOLUTION, "replications"]
    shown, classes = shown[keep], classes[keep]
    if scenario.districts:
        of = district_ids(scenario)
        shown.insert(1, "district", [names.district(of[c]) for c in top["community"]])
        classes.insert(1, "district", "")
    report.table(shown, headers={**headers(keep, t), "district": t("column.district")},
                 classes=classes, table_id="communities-missing")
    _rest(report, names, len(top), len(rows))
    detail_note(report, names)


def grid_misses(report: Report, grid_table: pd.DataFrame, names: Names,
                sentences: Sequence[str]) -> None:
    """How many grids miss each category's target (the sentences) and the worst
    :data:`SHOWN` grid-category rows; no maps (one grid is too small to see in a city)."""
    t = names.t
    report.heading(t("heading.grids"))
    report.items(sentences)
    if grid_table.empty:
        return
    missing = grid_table[grid_table["response_attainment"] == "missed"]
    if missing.empty:
        return
    missing = shortfall_rows(missing)
    missing = missing[missing["metric"] == RESPONSE]
    top = missing.head(SHOWN)
    shown, classes = attainment_display(top, names, by="grid")
    keep = ["grid", "category", "issues", "respond_within_min", RESPONSE,
            "response_min_mean", "replications"]
    report.table(shown[keep], headers=headers(keep, t), classes=classes[keep],
                 table_id="grids-missing",
                 caption=t("city.grids_caption", shown=len(top), n=len(missing)))
    _rest(report, names, len(top), len(missing))


# ---------------------------------------------------------------- the mix


def mix_section(report: Report, summary: pd.DataFrame, scenario: Scenario, names: Names,
                mix_line: str) -> None:
    """The all-issue mix of the whole city (labelled so), as facts (one row); utilisation by
    district is in the district table."""
    t = names.t
    report.heading(t("heading.mix"))
    report.paragraph(mix_line)
    whole = community_table(summary, scenario, text=True, communities=[]).loc[ALL]
    names_of = headers(list(whole.index), t)
    for column in ("issues", "wait_min_mean", "response_min_p90", "response_within_target_share",
                   "resolution_h_mean", "resolution_within_target_share"):
        if column in names_of:
            names_of[column] += t("word.mix")
    report.facts({names_of.get(str(k), str(k)): f"{v:,}" if isinstance(v, Integral) else str(v)
                  for k, v in whole.items()})


register({
    "heading.by_district": {"zh": "各街道", "en": "By sub-district"},
    "heading.communities_missing": {"zh": "未达标的社区", "en": "Communities that miss a target"},
    "column.district": {"zh": "街道", "en": "sub-district"},
    "column.communities": {"zh": "社区数", "en": "communities"},
    "column.worst_community": {"zh": "最差的社区", "en": "worst community"},
    "city.reactive_issues": {"zh": "事项数（每次重复）", "en": "issues (per replication)"},
    "city.grids_missing": {"zh": "未达标网格 / 网格", "en": "grids missing / judged"},
    "city.response_short": {"zh": "响应", "en": "response"},
    "city.resolution_short": {"zh": "办结", "en": "resolution"},
    "city.on_time_short": {"zh": "按时", "en": "on time"},
    "city.worst": {"zh": "{community}：{category}{what} {value}（{issues} 件）",
                   "en": "{community}: {category} {what} {value} ({issues} issues)"},
    "city.detail": {
        "zh": "本页按街道汇总，只列出未达标的社区和网格（最差的若干个）；"
              "每个社区、每个网格的完整结果见"
              "同一文件夹中的 results.xlsx（“目标达成”“网格达标”工作表）和 summary.csv。",
        "en": "This page summarises by sub-district and lists only the communities and grids "
              "that miss (the worst few); every community's and grid's results are in "
              "results.xlsx (sheets Targets and Grids) and summary.csv in the same folder."},
    "city.pooled": {
        "zh": "街道的比例为其各社区事项合并计算（按事项数加权；社区工作者忙碌率按人数加权）；"
              "区间为各次重复之间的 95% 区间。最差的社区：未达标事项最多的社区和类别"
              "（（目标比例 − 比例）× 事项数）。",
        "en": "A sub-district's share pools its communities' issues (weighted by issues; "
              "community workers' utilisation by workers); the interval is the 95% interval "
              "over replications. Worst community: the community and category with the most "
              "issues short of the target ((target share − share) × issues)."},
    "city.heatmap_title": {"zh": "各街道、各类事项时限内的比例", "en":
                           "Share within the limit, by sub-district and category"},
    "city.heatmap_caption": {
        "zh": "各街道、各类事项在本类时限内响应、办结（结对帮扶走访：按时走访）的比例；红色低于目标"
              "（{share} 或本类的目标），绿色高于目标。* 未达标，? 难以判定。",
        "en": "Share of each sub-district's issues of each category responded to and resolved "
              "within the category's limits (care visits: on time); red below the target "
              "({share} or the category's own), green above. * missed, ? unclear."},
    "city.response_caption": {
        "zh": "各街道：各类事项在本类响应时限内的比例（结对帮扶走访：按时走访），"
              "最差的社区，未达标的网格。",
        "en": "Each sub-district: the share of each category's issues responded to within its "
              "limit (care visits: on time), its worst community, its grids that miss."},
    "city.resolution_caption": {"zh": "各街道：各类事项在本类办结时限内的比例",
                                "en": "Each sub-district: the share of each category's issues "
                                      "resolved within its limit"},
    "city.communities_missing": {
        "zh": "{n} 个社区中有 {k} 个至少一类事项未达标（共 {rows} 项未达标）；"
              "下表列出未达标事项最多的 "
              "{shown} 项（（目标比例 − 比例）× 事项数）。",
        "en": "{k} of {n} communities miss at least one category's target ({rows} misses in "
              "all); below the {shown} with the most issues short of the target ((target share "
              "− share) × issues)."},
    "city.rest": {"zh": "另有 {n} 项未列出。", "en": "{n} more not listed."},
    "city.grids_caption": {"zh": "未达标事项最多的 {shown} 个网格事项（共 {n} 个未达标）",
                           "en": "The {shown} grid-categories with the most issues short of "
                                 "the target (of {n} that miss)"},
})
