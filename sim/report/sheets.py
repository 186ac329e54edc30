"""The sheets of ``results.xlsx`` for run, compare and sweep folders, wide and in plain words.

- run: each category against its targets per community (the district first): the issues, the
  limits, the shares within them with their 95% intervals and judgements (coloured), the
  target share, mean and p90 times; the same per grid; about.
- compare: one sheet per measure (the two shares, the p90 times): community x category rows
  with the category's limit (and target share), the scenarios side by side, then each
  scenario's paired difference to the baseline with its interval and verdict; about, with what
  each scenario changes.
- sweep: the settings (swept values, community workers); one sheet per measure, rows as in a
  comparison, with the settings side by side, shares coloured by their judgement; about.

Built from the views the reports use (:class:`~sim.report.run.RunView`, ...), so the workbook
and the report show the same numbers. Importing this module makes every run, compare and sweep
folder publish its ``results.xlsx`` with its tables (a companion of
:meth:`sim.files.folder.Folder.publish`: written before the marker, so a folder never looks
complete without it); ``import sim`` and the command line import it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.attainment import RESOLUTION, RESPONSE, category_targets
from sim.files.atomic import Writer
from sim.files.folder import Companion, register_companion
from sim.files.runfolder import SUMMARY
from sim.model.measures import ALL
from sim.report.compare import CompareView, read_compare
from sim.report.folders import scenario_language
from sim.report.i18n import register as register_texts
from sim.report.names import Names
from sim.report.run import RunView, read_summary
from sim.report.sweep import SweepView, read_sweep
from sim.report.workbook import (
    RESULTS_XLSX,
    Formats,
    Sheet,
    about_sheet,
    auto_formats,
    headers_of,
    register,
    workbook_writer,
)
from sim.scenario.governance import CARE_VISIT
from sim.scenario.loading import load_scenario

MEASURES = (RESPONSE, RESOLUTION, "response_min_p90", "resolution_h_p90")
"""The measures compared side by side: each category's two shares and its p90 times."""

register_texts({
    "workbook.sheet.targets": {"zh": "目标达成", "en": "Targets"},
    "workbook.sheet.grids": {"zh": "网格达标", "en": "Grids"},
    "workbook.sheet.settings": {"zh": "设置", "en": "Settings"},
    "workbook.note.whole_first": {
        "zh": "每类事项对照其自身时限与目标比例；第一行为{whole}，其后为各社区。"
              "结对帮扶走访按时限（天）计。",
        "en": "Each category against its own limits and target share; the {whole} first, "
              "then each community. Care visits count against their on-time limit (days)."},
    "workbook.note.grids": {
        "zh": "各网格的每类事项对照其时限；网格内事项较少时区间较宽。",
        "en": "Each grid's categories against their limits; grids with few issues have wide "
              "intervals."},
    "workbook.note.compare": {
        "zh": "各方案使用相同随机数（共同随机数）；差值为与基准方案的配对差值及其95%区间，"
              "结论据此判定。",
        "en": "Every scenario ran on the same random numbers; a difference is paired with the "
              "baseline, with its 95% interval, and the verdict follows from it."},
    "workbook.column.mean_of": {"zh": "{scenario}", "en": "{scenario}"},
    "workbook.column.difference_of": {"zh": "{scenario} − 基准", "en": "{scenario} − baseline"},
    "workbook.column.low_of": {"zh": "{scenario} 差值95%下限", "en": "{scenario}: 95% low"},
    "workbook.column.high_of": {"zh": "{scenario} 差值95%上限", "en": "{scenario}: 95% high"},
    "workbook.column.verdict_of": {"zh": "{scenario} 结论", "en": "{scenario}: verdict"},
    "workbook.about.changes": {"zh": "{scenario} 改动的参数", "en": "{scenario} changes"},
    "workbook.about.baseline": {"zh": "基准方案", "en": "baseline"},
})


# ---------------------------------------------------------------- run


def attainment_sheet(table: pd.DataFrame, names: Names, title: str, grids: bool = False
                     ) -> Sheet:
    """Each category against its targets, one row per community (or grid) and category."""
    t = names.t
    if table.empty:
        return Sheet(title, pd.DataFrame())
    rows = _district_first(table)
    care = rows["category"] == CARE_VISIT
    out = pd.DataFrame({"community": [names.community(c) for c in rows["community"]]})
    if grids:
        out["grid"] = [names.grid(g) for g in rows["grid"]]
    out["category"] = [names.category(c) for c in rows["category"]]
    out["issues"] = rows["issues"].to_numpy()
    states: dict[str, list[str]] = {}
    for share, state, limit in ((RESPONSE, "response_attainment", "respond_within_min"),
                                (RESOLUTION, "resolution_attainment", "resolve_within_h")):
        out[limit] = rows[limit].where(~care).to_numpy()
        if limit == "respond_within_min" and care.any():
            out["on_time_days"] = (rows[limit] / 1440).where(care).to_numpy()
        for column in (share, f"{share}_ci_low", f"{share}_ci_high"):
            out[column] = rows[column].to_numpy()
        out[state] = [t(f"state.{s}") if s else "" for s in rows[state]]
        states[share] = states[state] = list(rows[state])
    out["target_share"] = rows["target_share"].to_numpy()
    for column in ("response_min_mean", "response_min_p90", "resolution_h_mean",
                   "resolution_h_p90", "care_visit_late_share", "care_visit_missed_share"):
        if column in rows and rows[column].notna().any():
            out[column] = rows[column].to_numpy()
    out["replications"] = rows["replications"].to_numpy()
    out = out.loc[:, [c for c in out.columns if c in ("community", "category", "grid")
                      or out[c].astype(str).ne("").any() and out[c].notna().any()]]
    f = Formats(t)
    formats = {c: fmt for c in out.columns if (fmt := f.of(c)) is not None}
    formats["issues"] = "#,##0.0"  # a mean over replications
    note = t("workbook.note.grids") if grids else t("workbook.note.whole_first",
                                                      whole=names.community(ALL))
    return Sheet(title, out, headers_of(out.columns, t), formats,
                 {k: v for k, v in states.items() if k in out}, labels=3 if grids else 2,
                 notes=[note, t("text.interval_legend")])


def _district_first(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the whole district before those of the communities (order kept)."""
    whole = table["community"] == ALL
    return pd.concat([table[whole], table[~whole]], ignore_index=True)


def run_sheets(view: RunView, manifest: Mapping[str, Any], folder: Path | None) -> list[Sheet]:
    """The workbook of a run: targets, grids, about."""
    t = view.names.t
    spec = view.loaded.scenario
    sheets = [attainment_sheet(view.table, view.names, t("workbook.sheet.targets"))]
    if not view.grids.empty:
        sheets.append(attainment_sheet(view.grids, view.names, t("workbook.sheet.grids"),
                                       grids=True))
    sheets.append(about_sheet(t, spec.title(t.lang), manifest, folder,
                              estimates=spec.estimates))
    return sheets


def _run_workbook(folder: Path, manifest: Mapping[str, Any], lang: str,
                  data: Mapping[str, Any] | None = None) -> tuple[list[Sheet], str]:
    data = data or {}
    loaded = data.get("scenario.yaml") or load_scenario(folder / "scenario.yaml")
    lang = scenario_language(loaded.scenario, lang)
    summary = data.get(SUMMARY)
    view = RunView.of(loaded, read_summary(folder / SUMMARY) if summary is None else summary,
                      lang)
    return run_sheets(view, manifest, folder), lang


# ---------------------------------------------------------------- compare


def _measure_rows(table: pd.DataFrame, metric: str, targets: dict[str, Any]) -> pd.DataFrame:
    """Rows of one measure for categories with the matching limit, no grids, district first."""
    rows = table[(table["metric"] == metric) & table["category"].isin(list(targets))]
    if "grid" in rows:
        rows = rows[rows["grid"] == ALL]
    if metric == RESOLUTION:
        rows = rows[rows["category"].map(lambda c: targets[c].resolve_within_h is not None)]
    return rows


def _index(rows: pd.DataFrame, order: list[str], categories: list[str]) -> pd.DataFrame:
    """Community x category keys in reading order: the district first."""
    keys = rows[["community", "category"]].drop_duplicates()
    rank = {c: i for i, c in enumerate([ALL, *order])}
    crank = {c: i for i, c in enumerate(categories)}
    return keys.assign(_c=keys["community"].map(rank), _k=keys["category"].map(crank)).sort_values(
        ["_c", "_k"]).drop(columns=["_c", "_k"]).reset_index(drop=True)


LIMITS = {RESPONSE: "respond_within_min", "response_min_p90": "respond_within_min",
          RESOLUTION: "resolve_within_h", "resolution_h_p90": "resolve_within_h"}
"""The limit each compared measure is read against."""


def _keyed(keys: pd.DataFrame, names: Names, metric: str, targets: Mapping[str, Any]
           ) -> pd.DataFrame:
    """The label columns of a measure's sheet: community, category, the category's limit (a
    care visit's in days) and, for a share, its target share."""
    out = pd.DataFrame({"community": [names.community(c) for c in keys["community"]],
                        "category": [names.category(c) for c in keys["category"]]})
    rows = [targets[c] for c in keys["category"]]
    limit = LIMITS[metric]
    out[limit] = [None if x.scheduled else getattr(x, limit) for x in rows]
    if limit == "respond_within_min" and any(x.scheduled for x in rows):
        out["on_time_days"] = [x.respond_within_min / 1440 if x.scheduled else None
                               for x in rows]
    if metric in (RESPONSE, RESOLUTION):
        out["target_share"] = [x.share for x in rows]
    return out


def compare_sheets(view: CompareView, manifest: Mapping[str, Any], folder: Path | None
                   ) -> list[Sheet]:
    """The workbook of a comparison: one sheet per measure, scenarios side by side with the
    paired differences and verdicts; about."""
    names, t = view.names, view.names.t
    base = view.scenarios[view.baseline].scenario
    targets = {x.category: x for x in category_targets(base)}
    f = Formats(t)
    titles = _titles(view)
    sheets = []
    for metric in MEASURES:
        rows = _measure_rows(view.table, metric, targets)
        if rows.empty:
            continue
        keys = _index(rows, [c.id for c in base.communities], list(targets))
        out = _keyed(keys, names, metric, targets)
        headers = headers_of(out.columns, t)
        formats, states = auto_formats(out.columns, t), {}
        fmt = f.of(metric)
        by = rows.set_index(["scenario", "community", "category"])
        index = pd.MultiIndex.from_frame(keys)

        def column(label: str, field: str, by: pd.DataFrame = by, index: Any = index) -> Any:
            return by.xs(label, level="scenario")[field].reindex(index).to_numpy()

        for label in view.labels:
            out[f"mean:{label}"] = column(label, "mean")
            headers[f"mean:{label}"] = titles[label]
        for label in view.labels[1:]:
            title = titles[label]
            for field, key in (("difference", "difference_of"), ("difference_ci_low", "low_of"),
                               ("difference_ci_high", "high_of")):
                out[f"{field}:{label}"] = column(label, field)
                headers[f"{field}:{label}"] = t(f"workbook.column.{key}", scenario=title)
            verdicts = ["" if pd.isna(v) else str(v) for v in column(label, "verdict")]
            out[f"verdict:{label}"] = [t(f"verdict.{v}") if t.has(f"verdict.{v}") else v
                                       for v in verdicts]
            headers[f"verdict:{label}"] = t("workbook.column.verdict_of", scenario=title)
            states[f"verdict:{label}"] = states[f"difference:{label}"] = verdicts
        if fmt:
            formats.update({c: fmt for c in out.columns if c.split(":")[0] in (
                "mean", "difference", "difference_ci_low", "difference_ci_high")})
        sheets.append(Sheet(t.metric(metric), out, headers, formats, states, labels=2,
                            notes=[t("workbook.note.compare")]))
    facts = [(t("workbook.about.baseline"), titles[view.baseline])]
    facts += [(t("workbook.about.changes", scenario=titles[label]),
               ", ".join(view.changes.get(label, [])) or "-") for label in view.labels[1:]]
    sheets.append(about_sheet(t, t("report.compare", name=base.title(t.lang)), manifest,
                              folder, facts, base.estimates))
    return sheets


def _titles(view: CompareView) -> dict[str, str]:
    """Each scenario's title, with its label where two titles are the same."""
    titles = {label: view.title(label) for label in view.labels}
    twice = {v for v in titles.values() if list(titles.values()).count(v) > 1}
    return {k: f"{v} ({k})" if v in twice else v for k, v in titles.items()}


def _compare_workbook(folder: Path, manifest: Mapping[str, Any], lang: str,
                      data: Mapping[str, Any] | None = None) -> tuple[list[Sheet], str]:
    view = read_compare(folder, manifest, lang, (data or {}).get("compare.csv"))
    return compare_sheets(view, manifest, folder), view.names.t.lang


# ---------------------------------------------------------------- sweep


def sweep_sheets(view: SweepView, manifest: Mapping[str, Any], folder: Path | None) -> list[Sheet]:
    """The workbook of a sweep: the settings, then one sheet per measure with the settings side
    by side (shares coloured by their judgement); about."""
    names, t = view.names, view.names.t
    spec = view.base.scenario
    targets = {x.category: x for x in category_targets(spec)}
    settings = view.settings.copy()
    settings.insert(1, "label", [view.label(s) for s in settings["setting"]])
    sheets = [Sheet(t("workbook.sheet.settings"), settings,
                    {**headers_of(settings.columns, t), "label": t("column.setting"),
                     "setting": t("workbook.about.folder")},
                    {"community_workers": "#,##0"}, labels=2)]
    order = list(view.settings["setting"])
    f = Formats(t)
    for metric in MEASURES:
        rows = _measure_rows(view.table, metric, targets)
        if rows.empty:
            continue
        keys = _index(rows, [c.id for c in spec.communities], list(targets))
        index = pd.MultiIndex.from_frame(keys)
        out = _keyed(keys, names, metric, targets)
        headers = headers_of(out.columns, t)
        formats = auto_formats(out.columns, t)
        states: dict[str, list[str]] = {}
        by = rows.set_index(["setting", "community", "category"])
        state_column = {RESPONSE: "response_attainment", RESOLUTION: "resolution_attainment"}
        for setting in order:
            out[setting] = by.xs(setting, level="setting")["mean"].reindex(index).to_numpy()
            headers[setting] = view.label(setting)
            if metric in state_column:
                a = view.attainment[setting].set_index(["community", "category"])
                states[setting] = [str(s) for s in a[state_column[metric]].reindex(index)]
        fmt = f.of(metric)
        if fmt:
            formats.update({s: fmt for s in order})
        sheets.append(Sheet(t.metric(metric), out, headers, formats, states, labels=2))
    sheets.append(about_sheet(t, t("report.sweep", name=spec.title(t.lang)), manifest, folder,
                              estimates=spec.estimates))
    return sheets


def _sweep_workbook(folder: Path, manifest: Mapping[str, Any], lang: str,
                    data: Mapping[str, Any] | None = None) -> tuple[list[Sheet], str]:
    view = read_sweep(folder, manifest, lang, (data or {}).get("sweep.csv"))
    return sweep_sheets(view, manifest, folder), view.names.t.lang


# ---------------------------------------------------------------- published with the folder

FolderSheets = Callable[[Path, Mapping[str, Any], str, Mapping[str, Any]],
                        tuple[list[Sheet], str]]
"""``build(folder, manifest, lang, data)``: a folder's sheets from its ``data`` in memory (file
name -> table or scenario), else from its files."""


def companion(build: FolderSheets) -> Companion:
    """The companion publishing ``results.xlsx`` (in the scenario's language) with a folder,
    its sheets made by ``build`` from the data in memory."""

    def make(folder: Path, manifest: Mapping[str, Any], data: Mapping[str, Any]
             ) -> dict[str, Writer]:
        sheets, lang = build(folder, manifest, "", data)
        return {RESULTS_XLSX: workbook_writer(sheets, lang)}

    return make


register("run", _run_workbook)  # rebuilt from a finished folder (gridsim report --lang)
register("compare", _compare_workbook)
register("sweep", _sweep_workbook)
register_companion("run", companion(_run_workbook))  # published with the folder
register_companion("compare", companion(_compare_workbook))
register_companion("sweep", companion(_sweep_workbook))
