"""``results.xlsx`` of a recommendation: the recommendation per community, the cost, every level
evaluated and the grids, wide and in plain words (:mod:`sim.report.workbook`).

:data:`SHEETS` is the list of sheet makers, in order; each takes the
:class:`~sim.staffing.result.RecommendResult` and the names in the report's language and gives
a :class:`~sim.report.workbook.Sheet` (or None when it has nothing to show). A further table of
the recommendation gets its sheet by a maker appended here. The workbook is published with the
folder's other files (:func:`recommend_workbook`) and rebuilt from a finished folder by
``gridsim report`` (registered with :mod:`sim.report.workbook` on import).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.attainment import judge
from sim.files.atomic import Writer
from sim.report.folders import scenario_language
from sim.report.i18n import Texts
from sim.report.i18n import register as register_texts
from sim.report.names import Names
from sim.report.workbook import (
    Formats,
    Sheet,
    about_sheet,
    clipped,
    headers_of,
    register,
    workbook_writer,
)
from sim.staffing.assumptions import describe_pay
from sim.staffing.cost import cost_column
from sim.staffing.report import read_recommendation, target_text
from sim.staffing.result import RecommendResult
from sim.staffing.targets import UTILISATION

LEVEL_NAMES = {"rule": "word.rule", "recommended": "word.recommended", "below": "word.below"}
METHODS = ("analytic", "screen", "full_model")

register_texts({
    "workbook.sheet.recommendation": {"zh": "建议人数", "en": "Recommendation"},
    "workbook.sheet.cost": {"zh": "成本", "en": "Cost"},
    "workbook.sheet.levels": {"zh": "各人数水平", "en": "Levels"},
    "workbook.sheet.recommend_grids": {"zh": "网格", "en": "Grids"},
    "word.below": {"zh": "建议减一", "en": "one below"},
    "column.change_workers": {"zh": "人数变化", "en": "change in workers"},
    "column.households_per_worker_rule": {"zh": "现行每人户数",
                                          "en": "households per worker, rule"},
    "column.meets_rule": {"zh": "现行标准达标", "en": "rule meets the targets"},
    "column.meets_recommended": {"zh": "建议人数达标", "en": "recommendation meets the targets"},
    "column.borderline": {"zh": "临界情况", "en": "borderline"},
    "column.grids_missing_rule": {"zh": "现行标准下未达标网格", "en": "grids missing, rule"},
    "column.grids_missing_recommended": {"zh": "建议人数下未达标网格",
                                         "en": "grids missing, recommended"},
    "column.disagreement": {"zh": "方法分歧", "en": "disagreement"},
    "column.notes": {"zh": "备注", "en": "notes"},
    "column.name": {"zh": "名称", "en": "name"},
    "column.workers": {"zh": "社区工作者（人）", "en": "workers"},
    "column.method": {"zh": "方法", "en": "method"},
    "workbook.cost_of": {"zh": "年成本：{level}（{currency}）",
                         "en": "yearly cost, {level} ({currency})"},
    "workbook.cost_change": {"zh": "年成本变化（{currency}）",
                             "en": "change in yearly cost ({currency})"},
    "workbook.placeholder": {"zh": "（占位估计）", "en": " (PLACEHOLDER)"},
    "workbook.share_at": {"zh": "{target}：{level}", "en": "{target}: {level}"},
    "workbook.method_at": {"zh": "{target}：{method}", "en": "{target}: {method}"},
    "workbook.method.analytic": {"zh": "解析", "en": "analytic"},
    "workbook.method.screen": {"zh": "快速筛选", "en": "screen"},
    "workbook.method.full_model": {"zh": "完整模型", "en": "full model"},
    "workbook.note.recommend": {
        "zh": "每个目标的比例附95%区间，颜色为达标判定；最后一行为全街道合计。",
        "en": "Each target's share with its 95% interval, coloured by its judgement; the last "
              "row is the whole district."},
})

SheetMaker = Callable[[RecommendResult, Names], Sheet | None]


def _key_text(result: RecommendResult, key: str, t: Texts) -> str:
    """A measured quantity in plain words: its target, or the utilisation."""
    for _, target in result.target_set.service:
        if target.key == key:
            return target_text(target, t)
    return t("metric.utilisation_community_worker") if key == UTILISATION else key


def recommendation_sheet(result: RecommendResult, names: Names) -> Sheet:
    """One row per community (the total last): workers by each method, households per worker,
    each target's share at the rule, at the recommendation and one below, utilisation, agreement,
    grids still missing, notes."""
    t = names.t
    table = result.table
    out = pd.DataFrame({"community": [names.community(c) for c in table["community"]]})
    for column in ("households", "rule_workers", "analytic_workers", "screen_workers",
                   "recommended_workers", "change_workers", "households_per_worker_rule",
                   "households_per_worker_recommended"):
        out[column] = table[column].to_numpy()
    headers = headers_of(out.columns, t)
    formats = {c: "#,##0" for c in out.columns if c != "community"}
    states: dict[str, list[str]] = {}
    f = Formats(t)
    for key in result.target_set.keys:
        goal = result.target_set.goal(key)
        for level in ("rule", "recommended", "below"):
            column = f"{key}_{level}"
            if column not in table:
                continue
            words = t("workbook.share_at", target=_key_text(result, key, t),
                      level=t(LEVEL_NAMES[level]))
            for suffix, head in (("", words), ("_ci_low", f"{words} {t('column.ci_low')}"),
                                 ("_ci_high", f"{words} {t('column.ci_high')}")):
                out[column + suffix] = clipped(table[column + suffix])
                headers[column + suffix] = head
                formats[column + suffix] = f.share
            if goal is not None:
                bound, sign = goal
                states[column] = [_state(m, lo, hi, bound, sign) for m, lo, hi in zip(
                    table[column], table[f"{column}_ci_low"], table[f"{column}_ci_high"],
                    strict=True)]
    for column in ("meets_rule", "meets_recommended", "methods_agree", "borderline",
                   "grids_missing_rule", "grids_missing_recommended", "disagreement", "notes"):
        if column in table:
            out[column] = table[column].to_numpy()
            headers[column] = headers_of([column], t)[column]
    return Sheet(t("workbook.sheet.recommendation"), out, headers, formats, states,
                 notes=[t("workbook.note.recommend")])


def _state(mean: float, low: float, high: float, bound: float, sign: str) -> str:
    """The judgement of a share against an at-least (``>=``) or at-most bound."""
    if sign == ">=":
        return judge(mean, low, high, bound)
    return judge(-mean, -high, -low, -bound)  # at most: the same rule, mirrored


def cost_sheet(result: RecommendResult, names: Names) -> Sheet | None:
    """The yearly cost per community under the rule and as recommended, and the change; the
    pay table's assumptions below (a placeholder table says so in every header)."""
    pay = result.scenario.scenario.pay
    if pay is None:
        return None
    t = names.t
    table = result.table
    mark = t("workbook.placeholder") if pay.placeholder else ""
    out = pd.DataFrame({"community": [names.community(c) for c in table["community"]],
                        "rule_workers": table["rule_workers"].to_numpy(),
                        "recommended_workers": table["recommended_workers"].to_numpy()})
    headers = headers_of(out.columns, t)
    for level in ("rule", "recommended", "change"):
        column = cost_column(pay, level)
        out[column] = table[column].to_numpy(float)
        headers[column] = (t("workbook.cost_change", currency=pay.currency) if level == "change"
                           else t("workbook.cost_of", level=t(LEVEL_NAMES[level]),
                                  currency=pay.currency)) + mark
    formats = {c: "#,##0" for c in out.columns if c != "community"}
    return Sheet(t("workbook.sheet.cost"), out, headers, formats, notes=describe_pay(pay, t))


def levels_sheet(result: RecommendResult, names: Names) -> Sheet | None:
    """Every level evaluated, one row per community and number of workers, each quantity by
    each method side by side (the full model's and the screen's with their intervals)."""
    levels = result.levels
    if levels.empty:
        return None
    t = names.t
    wide = levels.pivot_table(index=["community", "workers"], columns=["key", "method"],
                              values=["mean", "ci_low", "ci_high"], aggfunc="first")
    order = {c.id: i for i, c in enumerate(result.scenario.scenario.communities)}
    keys = wide.index.to_frame(index=False)
    rank = keys["community"].map(order).to_numpy()
    sort = np.lexsort((keys["workers"].to_numpy(), rank))
    keys = keys.iloc[sort].reset_index(drop=True)
    wide = wide.iloc[sort]
    out = pd.DataFrame({"community": [names.community(c) for c in keys["community"]],
                        "workers": keys["workers"].to_numpy()})
    headers = headers_of(out.columns, t)
    formats: dict[str, str] = {"workers": "#,##0"}
    for key in result.target_set.keys:
        for method in METHODS:
            stats = ("mean",) if method == "analytic" else ("mean", "ci_low", "ci_high")
            for stat in stats:
                if ("mean", key, method) not in wide.columns:
                    continue
                column = f"{key}:{method}:{stat}"
                out[column] = clipped(wide[(stat, key, method)])
                words = t("workbook.method_at", target=_key_text(result, key, t),
                          method=t(f"workbook.method.{method}"))
                headers[column] = words if stat == "mean" else f"{words} {t(f'column.{stat}')}"
                formats[column] = "0.0%"
    return Sheet(t("workbook.sheet.levels"), out, headers, formats, labels=2)


def grids_sheet(result: RecommendResult, names: Names) -> Sheet | None:
    """Per grid and number of workers evaluated, each target's share with its interval."""
    grids = result.grids
    if grids.empty:
        return None
    t = names.t
    wide = grids.pivot_table(index=["community", "grid", "workers"], columns="key",
                             values=["mean", "ci_low", "ci_high"], aggfunc="first",
                             sort=False)
    keys = wide.index.to_frame(index=False)
    out = pd.DataFrame({"community": [names.community(c) for c in keys["community"]],
                        "grid": [names.grid(g) for g in keys["grid"]],
                        "workers": keys["workers"].to_numpy()})
    headers = headers_of(out.columns, t)
    formats: dict[str, str] = {"workers": "#,##0"}
    for _, target in result.target_set.service:
        words = target_text(target, t)
        for stat in ("mean", "ci_low", "ci_high"):
            column = f"{target.key}:{stat}"
            out[column] = clipped(wide[(stat, target.key)])
            headers[column] = words if stat == "mean" else f"{words} {t(f'column.{stat}')}"
            formats[column] = "0.0%"
    return Sheet(t("workbook.sheet.recommend_grids"), out, headers, formats, labels=3)


SHEETS: list[SheetMaker] = [recommendation_sheet, cost_sheet, levels_sheet, grids_sheet]
"""The recommendation's sheets in order (the about sheet comes last)."""


def recommend_sheets(result: RecommendResult, lang: str) -> list[Sheet]:
    """Every sheet of a recommendation's workbook in ``lang``."""
    names = Names(result.scenario.scenario, Texts(lang))
    t = names.t
    sheets = [sheet for make in SHEETS if (sheet := make(result, names)) is not None]
    facts = [(t("staffing.targets"), "; ".join(target_text(x, t) for x in result.targets))]
    facts += [(t("staffing.assumptions"), line) for line in result.assumptions]
    spec = result.scenario.scenario
    sheets.append(about_sheet(t, spec.title(lang), result.manifest, result.folder, facts,
                              spec.estimates))
    return sheets


def recommend_workbook(result: RecommendResult, lang: str | None = None) -> Writer:
    """The :data:`~sim.files.atomic.Writer` of ``results.xlsx`` (default: the scenario's
    language)."""
    lang = scenario_language(result.scenario.scenario, lang or "")
    return workbook_writer(recommend_sheets(result, lang), lang)


def _folder_workbook(folder: Path, manifest: dict[str, Any], lang: str
                     ) -> tuple[list[Sheet], str]:
    result = read_recommendation(folder, manifest)
    lang = scenario_language(result.scenario.scenario, lang)
    return recommend_sheets(result, lang), lang


register("recommend", _folder_workbook)
