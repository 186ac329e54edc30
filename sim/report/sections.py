"""Sections every report shares: the first screen (headline, estimates, how to read it),
categories against their targets, care visits, grids, times, the all-issue mix, provenance.

Each function adds to a :class:`~sim.report.html.Report`; tables have headings in plain words
with the files' column names as tooltips, shares with their intervals, and cells coloured by
judgement (met, missed, unclear).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.attainment import (
    RESOLUTION,
    RESPONSE,
    TIMES,
    VISITS,
    category_targets,
    grid_shortfalls,
)
from sim.analysis.tables import with_ci
from sim.model.measures import ALL, METRICS
from sim.report.headline import share_text
from sim.report.html import Report, provenance
from sim.report.i18n import Texts
from sim.report.names import Names
from sim.scenario.loading import LoadedScenario
from sim.scenario.schema import Scenario


def headers(columns: Sequence[str], t: Texts) -> dict[str, str]:
    """Plain-word headings of columns (metrics and the files' other columns)."""
    out = {}
    for column in columns:
        if column in METRICS and t.has(f"metric.{column}"):
            out[column] = t.metric(column)
        elif t.has(f"column.{column}"):
            out[column] = t(f"column.{column}")
    return out


# ---------------------------------------------------------------- first screen


def first_screen(report: Report, sentences: Sequence[str], flags: Sequence[bool],
                 scenario: Scenario, t: Texts) -> None:
    """The headline, the estimates the results rest on, and how to read the judgements."""
    report.headline(sentences, flags, t("heading.headline"))
    estimates_section(report, scenario, t)
    report.paragraph(t("text.target_rule", share=f"{scenario.target_share:.2f}") + " "
                     + t("text.interval_legend"), note=True)


def estimates_section(report: Report, scenario: Scenario, t: Texts) -> None:
    if not scenario.estimates:
        return
    report.details(f"{t('heading.estimates')} ({len(scenario.estimates)})")
    report.paragraph(t("text.estimates_intro"))
    frame = pd.DataFrame({"key": list(scenario.estimates),
                          "why": list(scenario.estimates.values())})
    report.table(frame, headers=headers(["key", "why"], t), table_id="estimates")
    report.end_details()


def placeholder_caveat(report: Report, scenario: Scenario, t: Texts) -> None:
    """A caveat where cost figures stand, when the pay table is a placeholder."""
    if scenario.pay is not None and scenario.pay.placeholder:
        report.caveat(t("text.placeholder_pay"))


# ---------------------------------------------------------------- categories


def _interval_cell(row: pd.Series, metric: str) -> str:
    return share_text(row[metric], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"],
                      row[f"{metric}_half_width"])


def _time(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def attainment_display(table: pd.DataFrame, names: Names, by: str = "community",
                       care: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An attainment table as text cells (plain names; shares with intervals) and the CSS
    class of each cell."""
    rows, classes = [], []
    for _, row in table.iterrows():
        out: dict[str, Any] = {}
        cls: dict[str, str] = {}
        if by == "community":
            out["community"] = names.community(str(row["community"]))
        elif by == "grid":
            out["grid"] = names.grid(str(row["grid"]))
        out["category"] = names.category(str(row["category"]))
        out["visits" if care else "issues"] = (f"{row['issues']:,.0f}" if row["issues"] >= 10
                                               else f"{row['issues']:.1f}")
        if care:
            out["on_time_days"] = f"{row['respond_within_min'] / 1440:g}"
            out["visits_on_time_share"] = _interval_cell(row, RESPONSE)
            cls["visits_on_time_share"] = row["response_attainment"]
            for metric in VISITS:
                out[metric] = _interval_cell(row, metric)
        else:
            limit = row["respond_within_min"]
            out["respond_within_min"] = f"{limit:g}" if pd.notna(limit) else "-"
            out[RESPONSE] = _interval_cell(row, RESPONSE)
            cls[RESPONSE] = row["response_attainment"]
            for metric in TIMES[:2]:
                out[metric] = _time(row.get(metric, np.nan))
            limit = row["resolve_within_h"]
            out["resolve_within_h"] = f"{limit:g}" if pd.notna(limit) else "-"
            out[RESOLUTION] = _interval_cell(row, RESOLUTION) if pd.notna(limit) else "-"
            cls[RESOLUTION] = row["resolution_attainment"]
            for metric in TIMES[2:]:
                out[metric] = _time(row.get(metric, np.nan))
        out["replications"] = int(row["replications"])
        rows.append(out)
        classes.append(cls)
    frame = pd.DataFrame(rows)
    marks = pd.DataFrame(classes, columns=frame.columns, dtype=object).fillna("")
    return frame, marks


def category_section(report: Report, table: pd.DataFrame, scenario: Scenario, names: Names,
                     n: int) -> None:
    """The whole district per category: bars of both shares against the targets, a table."""
    from sim.report import plots as plot  # matplotlib: imported where a section draws
    t = names.t
    report.heading(t("heading.targets_by_category"))
    # the whole is a city of sub-districts, or a district of communities
    whole_name = t("community.all_city" if scenario.districts else "community.all")
    whole = table[(table["community"] == ALL)]
    for metric, state, what in ((RESPONSE, "response_attainment", "text.what_response"),
                                (RESOLUTION, "resolution_attainment", "text.what_resolution")):
        rows = whole[whole[state] != ""]
        if rows.empty:
            continue
        frame = pd.DataFrame({
            "label": [names.category(c) for c in rows["category"]],
            "mean": rows[metric].to_numpy(), "ci_low": rows[f"{metric}_ci_low"].to_numpy(),
            "ci_high": rows[f"{metric}_ci_high"].to_numpy(), "state": rows[state].to_numpy()})
        title = t.metric(metric)
        report.figure(plot.share_bars(frame, "label", rows["target_share"].to_numpy(float),
                                      title=title, xlabel=t("unit.share"), lang=t.lang),
                      caption=t("text.bars_caption", what=t(what), whole=whole_name))
    shown, classes = attainment_display(whole[whole["category"] != "care_visit"], names,
                                        by="none")
    report.table(shown, headers=headers(list(shown.columns), t), classes=classes,
                 table_id="categories", caption=t("cli.categories", whole=whole_name))


def community_section(report: Report, table: pd.DataFrame, scenario: Scenario,
                      names: Names) -> None:
    """Heat maps of both shares by community and category, and the full table (unfolded)."""
    from sim.report import plots as plot  # matplotlib: imported where a section draws
    t = names.t
    report.heading(t("heading.by_community"))
    part = table[table["community"] != ALL]
    targets = {names.category(x.category): x.share for x in category_targets(scenario)}
    for metric, state, what in ((RESPONSE, "response_attainment", "text.what_response"),
                                (RESOLUTION, "resolution_attainment", "text.what_resolution")):
        rows = part[part[state] != ""]
        if rows.empty:
            continue
        values = rows.pivot(index="community", columns="category", values=metric)
        marks = rows.pivot(index="community", columns="category", values=state).map(
            lambda s: {"missed": "*", "unclear": "?"}.get(s, ""))
        order_c = [c.id for c in scenario.communities if c.id in values.index]
        order_k = [x.category for x in category_targets(scenario) if x.category in values.columns]
        values, marks = values.loc[order_c, order_k], marks.loc[order_c, order_k]
        values.index = [names.community(c) for c in values.index]
        values.columns = [names.category(k) for k in values.columns]
        report.figure(plot.attainment_heatmap(values, targets, marks, title=t.metric(metric),
                                              colour_label=t("unit.share")),
                      caption=t("text.heatmap_caption", what=t(what),
                                share=f"{scenario.target_share:.2f}") + " * "
                      + t("state.missed") + ", ? " + t("state.unclear") + ".")
    shown, classes = attainment_display(part[part["category"] != "care_visit"], names)
    report.details(t("cli.by_community"))
    report.table(shown, headers=headers(list(shown.columns), t), classes=classes,
                 table_id="by-community")
    report.end_details()


def care_section(report: Report, table: pd.DataFrame, names: Names) -> None:
    """Care visits per community: on time (against the target), late, missed."""
    part = table[table["category"] == "care_visit"]
    if part.empty:
        return
    t = names.t
    report.heading(t("heading.care_visits"))
    shown, classes = attainment_display(part, names, care=True)
    shown = shown.drop(columns=["category"])
    report.table(shown, headers=headers(list(shown.columns), t),
                 classes=classes.drop(columns=["category"]), table_id="care-visits")


# ---------------------------------------------------------------- grids


def grid_section(report: Report, grid_table: pd.DataFrame, loaded: LoadedScenario,
                 names: Names, sentences: Sequence[str]) -> None:
    """Maps of each reactive category's response share per grid against its target, and the
    grids that miss it, worst first."""
    from sim.report import plots as plot  # matplotlib: imported where a section draws
    t = names.t
    report.heading(t("heading.grids"))
    report.items(sentences)
    if grid_table.empty:
        return
    spec = loaded.scenario
    community_names = {c.id: names.community(c.id) for c in spec.communities}
    shortfall = grid_shortfalls(grid_table)
    for target in category_targets(spec):
        if target.walk_in or target.respond_within_min is None:
            continue  # walk-in issues are served at the hall, not in the grid
        rows = grid_table[grid_table["category"] == target.category]
        judged = shortfall[shortfall["category"] == target.category]
        if rows.empty or judged.empty or not rows["response_attainment"].isin(
                ["missed", "unclear"]).any():
            continue  # every grid meets it: no map needed (the sentences above say so)
        values = pd.Series(rows[RESPONSE].to_numpy(float), index=rows["grid"].astype(str))
        what = t("text.what_visits") if target.scheduled else t("text.what_response")
        title = f"{names.category(target.category)}: {t.metric(RESPONSE)}"
        report.figure(
            plot.grid_map(loaded, values, titles=[""], label=t("unit.share"), title=title,
                          cmap=plot.ATTAINMENT_CMAP, norm=plot.attainment_norm(target.share),
                          community_names=community_names, lang=t.lang, annotate=False,
                          size=(11.0, 6.0) if len(spec.communities) > 3 else None),
            caption=t("text.map_caption", category=names.category(target.category), what=what,
                      share=f"{target.share:.2f}"))
    missing = grid_table[grid_table["response_attainment"] == "missed"]
    if not missing.empty:
        shown, classes = attainment_display(missing.sort_values(RESPONSE), names, by="grid")
        keep = ["grid", "category", "issues", "respond_within_min", RESPONSE,
                "response_min_mean", "replications"]
        report.details(f"{t('column.grids_missing')} ({len(missing)})")
        report.table(shown[keep], headers=headers(keep, t), classes=classes[keep],
                     table_id="grids-missing")
        report.end_details()


# ---------------------------------------------------------------- times, mix, provenance


def times_section(report: Report, table: pd.DataFrame, scenario: Scenario,
                  names: Names) -> None:
    """Response p90 per community in one panel per category, each with its limit."""
    from sim.report import plots as plot  # matplotlib: imported where a section draws
    t = names.t
    part = table[(table["community"] != ALL) & table["respond_within_min"].notna()]
    if part.empty or "response_min_p90" not in part:
        return
    report.heading(t("heading.times"))
    frame = pd.DataFrame({
        "category": part["category"].to_numpy(),
        "community": [names.community(c) for c in part["community"]],
        "mean": part["response_min_p90"].to_numpy(float)})
    limits = {x.category: x.respond_within_min for x in category_targets(scenario)}
    titles = {k: names.category(k) for k in limits}
    report.figure(plot.limit_panels(frame, "category", "community", limits, titles,
                                    title=t.metric("response_min_p90"),
                                    ylabel=t("unit.min"), lang=t.lang),
                  caption=t("text.times_caption"))


def mix_section(report: Report, summary: pd.DataFrame, loaded: LoadedScenario, names: Names,
                mix_line: str) -> None:
    """The all-issue mix (labelled so), staff and utilisation per community."""
    from sim.analysis.tables import community_table
    from sim.report import plots as plot  # matplotlib: imported where a section draws

    t = names.t
    report.heading(t("heading.mix"))
    report.paragraph(mix_line)
    table = community_table(summary, loaded.scenario, text=True)
    table.index = [names.community(c) for c in table.index]
    table.index.name = "community"
    names_of = headers(["community", *table.columns], t)
    for column in ("issues", "wait_min_mean", "response_min_p90", "response_within_target_share",
                   "resolution_h_mean", "resolution_within_target_share"):
        if column in names_of:
            names_of[column] += t("word.mix")
    report.table(table, index=True, headers=names_of, table_id="summary",
                 caption=t("text.mix_caption"))
    rows = summary[(summary["metric"] == "utilisation_community_worker")
                   & (summary["category"] == ALL) & (summary["community"] != ALL)]
    if "grid" in rows:
        rows = rows[rows["grid"] == ALL]
    if not rows.empty:
        labels = {c: names.community(c) for c in rows["community"]}
        report.figure(plot.interval_chart(rows, "community", title=t.metric(
            "utilisation_community_worker"), ylabel=t("unit.share"), labels=labels),
            caption=t("text.utilisation_caption"))


def split_sentence(info: Mapping[str, Any] | None, t: Texts) -> str:
    """How each replication of a scenario with districts ran (one task per district, or one
    loop) and why, from the manifest's ``districts`` entry; '' for a scenario without
    districts."""
    if not info or not info.get("districts"):
        return ""
    if info.get("split"):
        return t("split.parts", n=info["districts"])
    if info.get("asked"):
        return t("split.asked")
    shared = info.get("shared") or {}
    if not shared:
        return t("split.one")
    names = [f"{name}: {', '.join(ds[:3])}{' …' if len(ds) > 3 else ''}"
             for name, ds in shared.items()]
    return t("split.shared", shared="; ".join(names))


def split_info(manifest: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``districts`` entry of a manifest's last session (None without one)."""
    sessions = manifest.get("sessions") or []
    return sessions[-1].get("districts") if sessions else None


def provenance_section(report: Report, manifest: Mapping[str, Any], t: Texts,
                       extra: Mapping[str, str] | None = None) -> None:
    report.heading(t("heading.provenance"))
    report.facts({**provenance(manifest, t.lang), **(extra or {})})


def interval(row: Mapping[str, Any], digits: int = 2) -> str:
    """``mean ± h`` / ``mean (low–high)`` of a summary row."""
    return with_ci(row["mean"], row["half_width"], digits, row.get("ci_low"), row.get("ci_high"))
