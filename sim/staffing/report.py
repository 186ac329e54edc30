"""The report and terminal output of a staffing recommendation (``gridsim recommend``), in
Chinese or English.

It opens with each service target: where the staffing rule misses it (naming the category and
the communities) and what the recommendation needs instead; cost figures of a placeholder pay
table carry their caveat where they stand. :func:`write_recommend_report` rebuilds the report
from a finished folder (``gridsim report RECOMMEND_DIR``); it is registered with
:mod:`sim.report.folders` on import.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.analysis.attainment import MISSED, UNCLEAR, judge
from sim.model.measures import ALL
from sim.report import sections
from sim.report.folders import register, scenario_language
from sim.report.headline import sentence_case
from sim.report.html import Drawing, Report
from sim.report.i18n import Texts
from sim.report.i18n import register as register_texts
from sim.report.names import Names
from sim.report.terminal import render, terminal_width, wrap
from sim.scenario.loading import load_scenario
from sim.scenario.policy import Target
from sim.staffing.assumptions import assumptions
from sim.staffing.cost import cost_column
from sim.staffing.decide import Decision
from sim.staffing.findings import (
    agreement_section,
    confidence_section,
    mix_section,
    overload_section,
    roster_section,
    sensitivity_section,
    terminal_lines,
)
from sim.staffing.result import RecommendResult
from sim.staffing.roster import RosterResult

if TYPE_CHECKING:
    from sim.experiment.executors import Executor

register_texts({
    "staffing.subtitle": {
        "zh": "各社区满足全部目标所需的最少社区工作者人数（Erlang C、快速筛选、完整模型"
              "三重核验），对照每 {rule} 户一名的配置标准。{n} 次重复运行，随机种子 {seed}。",
        "en": "The fewest community workers per community that meet every target (Erlang C, "
              "the fast screen, verified with the full model), against the rule of one worker "
              "per {rule} households. {n} replications, seed {seed}."},
    "staffing.target_response": {"zh": "{share}的{category}在 {limit} 内响应{hours}",
                                 "en": "{share} of {category} responded to within {limit}{hours}"},
    "staffing.target_resolution": {"zh": "{share}的{category}在 {limit} 内办结{hours}",
                                   "en": "{share} of {category} resolved within {limit}{hours}"},
    "staffing.target_utilisation": {"zh": "社区工作者忙碌率不超过 {share}",
                                    "en": "community workers busy at most {share} of their time"},
    "staffing.own_limit": {"zh": "本类时限", "en": "their category's own limit"},
    "staffing.working_hours": {"zh": "（工作时间内上报的）", "en": " (reported in working hours)"},
    "staffing.rule_misses": {"zh": "按现行配置标准，目标“{target}”未达标：{names}。",
                             "en": "Under the staffing rule the target '{target}' is missed in "
                                   "{names}."},
    "staffing.rule_unclear": {"zh": "按现行配置标准，目标“{target}”难以判定：{names}。",
                              "en": "Under the staffing rule the target '{target}' is unclear in "
                                    "{names}."},
    "staffing.rule_meets": {"zh": "按现行配置标准，目标“{target}”在各社区均达标。",
                            "en": "Under the staffing rule the target '{target}' is met in "
                                  "every community."},
    "staffing.total": {"zh": "现行标准 {rule} 人；建议 {recommended} 人（每人 {hh} 户）。",
                       "en": "The rule gives {rule} workers; recommended: {recommended} ({hh} "
                             "households per worker)."},
    "staffing.cost": {"zh": "年成本：现行 {rule} {currency}，建议 {recommended} "
                             "{currency}{mark}。",
                      "en": "Yearly cost: {rule} {currency} under the rule, {recommended} "
                            "{currency} as recommended{mark}."},
    "staffing.targets": {"zh": "目标", "en": "Targets"},
    "staffing.per_community": {"zh": "各社区的建议人数", "en": "Recommendation per community"},
    "staffing.curves": {"zh": "服务水平与人数", "en": "Service level against staff"},
    "staffing.curve_caption": {
        "zh": "{target}：不同人数下达到时限的比例（解析曲线、快速筛选与完整模型及 95% "
              "区间）；虚竖线：现行标准，实竖线：建议。",
        "en": "{target}: share by number of workers (analytic curve, screen and full model with "
              "95% intervals); dashed vertical: the rule, solid: recommended."},
    "staffing.utilisation": {"zh": "社区工作者忙碌率（完整模型）",
                             "en": "Utilisation of community workers (full model)"},
    "staffing.cost_title": {"zh": "社区工作者年成本（{currency}）",
                            "en": "Yearly cost of community workers ({currency})"},
    "staffing.grids": {"zh": "网格", "en": "Grids"},
    "staffing.grids_none": {"zh": "没有社区划分多个网格：无分网格结果。",
                            "en": "No community has more than one grid: no per-grid shares."},
    "staffing.grids_ok": {"zh": "按建议人数，所有网格均达到目标。",
                          "en": "Every grid meets the targets at the recommended level."},
    "staffing.grids_missing": {"zh": "均值未达到目标的网格",
                               "en": "Grids whose mean share misses a target"},
    "staffing.grids_missing_rule": {"zh": "按现行标准未达标的网格",
                                    "en": "grids missing under the rule"},
    "staffing.grids_missing_recommended": {"zh": "按建议人数未达标的网格",
                                           "en": "grids missing as recommended"},
    "staffing.assumptions": {"zh": "假设", "en": "Assumptions"},
    "staffing.notes": {"zh": "说明", "en": "Notes"},
    "staffing.all_columns": {"zh": "recommendation.csv 的全部列",
                             "en": "All columns of recommendation.csv"},
    "fact.seconds": {"zh": "用时（秒）", "en": "seconds"},
    "fact.simulations": {"zh": "完整模型运行", "en": "full-model runs"},
    "staffing.runs": {"zh": "新运行 {run} 次，沿用 {reused} 次",
                      "en": "{run} run, {reused} reused"},
    "word.rule": {"zh": "现行标准", "en": "rule"},
    "word.recommended": {"zh": "建议", "en": "recommended"},
    "word.maximum": {"zh": "上限", "en": "maximum"},
    "column.rule_workers": {"zh": "现行标准人数", "en": "workers under the rule"},
    "column.analytic_workers": {"zh": "解析（Erlang C）人数", "en": "analytic (Erlang C)"},
    "column.screen_workers": {"zh": "快速筛选人数", "en": "screen"},
    "column.recommended_workers": {"zh": "建议人数", "en": "recommended workers"},
    "column.households_per_worker_recommended": {"zh": "建议每人户数",
                                                 "en": "households per worker, recommended"},
    "column.utilisation_rule": {"zh": "忙碌率（现行）", "en": "utilisation, rule"},
    "column.utilisation_recommended": {"zh": "忙碌率（建议）", "en": "utilisation, recommended"},
    "column.methods_agree": {"zh": "方法一致", "en": "methods agree"},
})


def target_text(target: Target, t: Texts) -> str:
    """A target in plain words in the language of ``t``."""
    if target.metric == "utilisation":
        return t("staffing.target_utilisation", share=f"{target.at_most:.0%}")
    limit = target.within_min if target.metric == "response" else target.within_h
    unit = t("unit.min") if target.metric == "response" else t("unit.h")
    shown = f"{limit:g} {unit}" if limit is not None else t("staffing.own_limit")
    hours = t("staffing.working_hours") if target.hours == "working" else ""
    key = "staffing.target_response" if target.metric == "response" else \
        "staffing.target_resolution"
    return t(key, share=f"{target.share:.0%}", category=t.category(target.category),
             limit=shown, hours=hours)


def headline(result: RecommendResult, names: Names) -> tuple[list[str], list[bool]]:
    """Per service target, where the rule misses it; the totals; the cost with its caveat."""
    t = names.t
    spec = result.scenario.scenario
    table = result.table
    communities = table[table["community"] != ALL]
    lines, flags = [], []
    for _, target in result.target_set.service:
        column = f"{target.key}_rule"
        found: dict[str, list[str]] = {MISSED: [], UNCLEAR: []}
        for _, row in communities.iterrows():
            state = judge(row[column], row[f"{column}_ci_low"], row[f"{column}_ci_high"],
                          float(target.share or 0))
            if state in found:
                found[state].append(names.community(str(row["community"])))
        text = target_text(target, t)
        if found[MISSED]:
            lines.append(t("staffing.rule_misses", target=text, names=names.join(found[MISSED])))
            flags.append(True)
        if found[UNCLEAR]:
            lines.append(t("staffing.rule_unclear", target=text,
                           names=names.join(found[UNCLEAR])))
            flags.append(False)
        if not found[MISSED] and not found[UNCLEAR]:
            lines.append(t("staffing.rule_meets", target=text))
            flags.append(False)
    total = table[table["community"] == ALL].iloc[0]
    lines.append(t("staffing.total", rule=_number(total["rule_workers"]),
                   recommended=_number(total["recommended_workers"]),
                   hh=_number(total["households_per_worker_recommended"], "{:,.0f}")))
    flags.append(False)
    pay = spec.pay
    if pay is not None:
        mark = t("text.placeholder_mark") if pay.placeholder else ""
        lines.append(t("staffing.cost", rule=_number(total[cost_column(pay, "rule")], "{:,.0f}"),
                       recommended=_number(total[cost_column(pay, "recommended")], "{:,.0f}"),
                       currency=pay.currency, mark=mark))
        flags.append(False)
    return [sentence_case(x) for x in lines], flags


def _number(value: Any, fmt: str = "{}") -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, float) and fmt == "{}" and value == int(value):
        value = int(value)
    return fmt.format(value)


def _interval(mean: float, low: float, high: float) -> str:
    """``0.87 (0.55–1.00)``: a share with its 95% interval (cut at 0-1)."""
    if pd.isna(mean):
        return "-"
    if pd.isna(low) or pd.isna(high):
        return f"{mean:.2f}"
    low, high = max(low, 0.0), min(high, 1.0)  # a share's interval inside what is possible
    return f"{mean:.2f} ({low:.2f}–{high:.2f})"


def planner_table(result: RecommendResult, names: Names | None = None) -> pd.DataFrame:
    """One row per community with recommendation.csv's column names: workers by method, the
    target shares under the rule and as recommended (``mean (low–high)``, the 95% interval),
    utilisation and cost (``*`` after a cost from a placeholder pay
    table)."""
    t = result.table
    pay = result.scenario.scenario.pay
    out = pd.DataFrame({
        "community": [names.community(str(c)) if names else c for c in t["community"]],
        "households": t["households"],
        "rule_workers": t["rule_workers"],
        "analytic_workers": t["analytic_workers"],
        "screen_workers": t["screen_workers"],
        "recommended_workers": t["recommended_workers"],
        "households_per_worker_recommended": t["households_per_worker_recommended"].map(
            lambda v: f"{v:,.0f}" if pd.notna(v) else "-"),
    })
    for _, target in result.target_set.service:
        for which in ("rule", "recommended"):
            column = f"{target.key}_{which}"
            lo, hi = t[f"{column}_ci_low"], t[f"{column}_ci_high"]
            out[column] = [_interval(m, a, b) for m, a, b in zip(t[column], lo, hi,
                                                                 strict=True)]
    for which in ("rule", "recommended"):
        out[f"utilisation_{which}"] = t[f"utilisation_{which}"].map(
            lambda v: f"{v:.2f}" if pd.notna(v) else "-")
    if pay is not None:
        mark = "*" if pay.placeholder else ""
        for which in ("rule", "recommended"):
            column = cost_column(pay, which)
            out[column] = t[column].map(lambda v: f"{v:,.0f}{mark}" if pd.notna(v) else "-")
    return out


def recommendation_report(result: RecommendResult, lang: str | None = None,
                          executor: Executor | None = None) -> str:
    """The whole report as one self-contained HTML string (``lang`` default: the scenario's;
    its figures drawn on ``executor``'s workers when given)."""
    spec = result.scenario.scenario
    t = Texts(scenario_language(spec, lang or ""))
    names = Names(spec, t)
    compiled = result.target_set
    table = result.table
    report = Report(t("report.recommend", name=spec.title(t.lang)), t(
        "staffing.subtitle", rule=f"{spec.staffing.community_workers.households_per_worker:g}",
        n=result.replications, seed=result.seed), lang=t.lang)
    lines, flags = headline(result, names)
    sections.first_screen(report, lines, flags, spec, t)
    sections.placeholder_caveat(report, spec, t)
    overload_section(report, result, t)
    report.heading(t("staffing.targets"))
    report.items([target_text(target, t) for target in compiled.targets])
    report.heading(t("staffing.per_community"))
    shown = planner_table(result, names)
    heads = sections.headers(list(shown.columns), t)
    for _, target in compiled.service:
        for which in ("rule", "recommended"):
            heads[f"{target.key}_{which}"] = f"{target_text(target, t)} ({t(f'word.{which}')})"
    if spec.pay is not None:
        for which in ("rule", "recommended"):
            heads[cost_column(spec.pay, which)] = (
                f"{t('heading.cost')} {spec.pay.currency} ({t(f'word.{which}')})"
                + (t("text.placeholder_mark") if spec.pay.placeholder else ""))
    report.table(shown, headers=heads, table_id="recommendation")
    if spec.pay is not None and spec.pay.placeholder:
        report.paragraph("* " + t("text.placeholder_pay"))
    confidence_section(report, result, t)
    agreement_section(report, result, t)
    sensitivity_section(report, result, t)
    mix_section(report, result, t)
    roster_section(report, result, t)
    report.details(t("staffing.all_columns"))
    report.table(table[[c for c in table.columns if not c.endswith(("_ci_low", "_ci_high"))]],
                 table_id="recommendation-columns")
    report.end_details()
    _plots(report, result, names)
    _grids(report, result, names)
    report.heading(t("staffing.assumptions"))
    report.items(assumptions(spec, result.target_set,
                             Decision(result.replications,
                                      result.max_replications or result.replications),
                             result.seed, t))
    sections.provenance_section(report, result.manifest, t, {
        t("fact.seconds"): f"{result.seconds:.1f}",
        t("fact.simulations"): t("staffing.runs", run=result.simulations,
                                 reused=result.reused)})
    return report.html(executor)


def _plots(report: Report, result: RecommendResult, names: Names) -> None:
    t = names.t
    spec = result.scenario.scenario
    compiled = result.target_set
    communities = result.table[result.table["community"] != ALL]
    report.heading(t("staffing.curves"))
    marks = communities[["community", "rule_workers", "recommended_workers"]].rename(
        columns={"rule_workers": "rule", "recommended_workers": "recommended"})
    marks = marks.astype({"rule": "float", "recommended": "float"})
    levels = result.levels.assign(community=[names.community(str(c))
                                             for c in result.levels["community"]])
    marks = marks.assign(community=[names.community(str(c)) for c in marks["community"]])
    label = {"rule": t("word.rule"), "recommended": t("word.recommended")}
    for _, target in compiled.service:
        text = target_text(target, t)
        report.figure(Drawing("sim.report.plots.service_curves", (levels, target.key), dict(
                          target=target.share, marks=marks, title=text, ylabel=t("unit.share"),
                          lang=t.lang, mark_labels=label)),
                      caption=t("staffing.curve_caption", target=text))
    util = communities.assign(community=[names.community(str(c))
                                         for c in communities["community"]])
    bars = util[["community", "utilisation_rule", "utilisation_recommended"]
                + ([cost_column(spec.pay, w) for w in ("rule", "recommended")]
                   if spec.pay is not None else [])]
    report.figure(Drawing("sim.report.plots.grouped_bars", (bars, "community", {
                      label["rule"]: "utilisation_rule",
                      label["recommended"]: "utilisation_recommended"}), dict(
                      title=t("staffing.utilisation"), ylabel=t("unit.share"),
                      line=compiled.max_utilisation, line_label=t("word.maximum"))),
                  caption=t("staffing.utilisation"))
    pay = spec.pay
    if pay is not None:
        sections.placeholder_caveat(report, spec, t)
        title = t("staffing.cost_title", currency=pay.currency) + (
            t("text.placeholder_mark") if pay.placeholder else "")
        report.figure(Drawing("sim.report.plots.grouped_bars", (bars, "community", {
                          label["rule"]: cost_column(pay, "rule"),
                          label["recommended"]: cost_column(pay, "recommended")}), dict(
                          title=title, ylabel=pay.currency)),
                      caption=title)


def _grids(report: Report, result: RecommendResult, names: Names) -> None:
    t = names.t
    communities = result.table[result.table["community"] != ALL]
    notes = communities[communities["notes"].astype(str) != ""]
    if not notes.empty:
        report.heading(t("staffing.notes"))
        report.items(f"{names.community(str(r.community))}: {r.notes}"
                     for r in notes.itertuples())
    report.heading(t("staffing.grids"))
    missing = communities[(communities["grids_missing_recommended"].astype(str) != "")
                          | (communities["grids_missing_rule"].astype(str) != "")]
    if result.grids.empty:
        report.paragraph(t("staffing.grids_none"))
    elif missing.empty:
        report.paragraph(t("staffing.grids_ok"))
    else:
        def grid_names(codes: object) -> str:
            listed = [c for c in str(codes).split("; ") if c]
            return names.join([names.grid(c) for c in listed], limit=12) if listed else "-"

        report.table(pd.DataFrame({
            t("staffing.column.community"): [names.community(str(c))
                                             for c in missing["community"]],
            t("staffing.grids_missing_rule"): [
                grid_names(v) for v in missing["grids_missing_rule"]],
            t("staffing.grids_missing_recommended"): [
                grid_names(v) for v in missing["grids_missing_recommended"]],
        }), caption=t("staffing.grids_missing"))


def recommend_text(result: RecommendResult, lang: str | None = None,
                   width: int | None = None) -> str:
    """What ``gridsim recommend`` prints: the headline and the table per community with
    recommendation.csv's column names, fitted to the terminal."""
    spec = result.scenario.scenario
    t = Texts(scenario_language(spec, lang or ""))
    names = Names(spec, t)
    width = width or terminal_width()
    lines, _ = headline(result, names)
    parts = [wrap(x, width, "  ") for x in lines]
    parts += ["", render(planner_table(result), width)]
    parts += [wrap(x, width, "  ") for x in terminal_lines(result, t)]
    if spec.pay is not None and spec.pay.placeholder:
        parts += ["", wrap("* " + t("text.placeholder_pay"), width)]
    return "\n".join(parts)


def read_recommendation(folder: Path, manifest: dict[str, Any]) -> RecommendResult:
    """A finished recommend folder as a :class:`RecommendResult` (for its report)."""
    from sim.staffing.targets import TargetSet

    loaded = load_scenario(folder / "scenario.yaml", allow_unstable=True)  # as recommend does
    targets = [Target(**item) for item in manifest.get("targets") or []]

    def read(name: str) -> pd.DataFrame:
        path = folder / name
        if not path.exists():
            return pd.DataFrame()
        return pd.read_csv(path, keep_default_na=False, na_values=[""])

    replications, seed = int(manifest.get("replications", 0)), int(manifest.get("seed", 0))
    cap = int(manifest.get("max_replications") or replications)
    compiled = TargetSet.compile(targets, loaded.scenario)
    table = read("recommendation.csv")
    for column in ("notes", "grids_missing_rule", "grids_missing_recommended", "disagreement",
                   "borderline", "decision", "overload_categories_rule", "mix",
                   *[c for c in table.columns if c.startswith("verdict_")]):
        if column in table:
            table[column] = table[column].astype(object).fillna("").astype(str)
    levels = read("levels.csv")
    if "mix" in levels:
        levels["mix"] = levels["mix"].astype(object).fillna("").astype(str)
    roster = None
    if (folder / "roster.csv").exists():
        roster = RosterResult(read("requirement.csv"), read("roster.csv"),
                              read("roster_check.csv"), {})
    return RecommendResult(loaded, targets, seed, replications, table, levels,
                           read("grids.csv"), assumptions(loaded.scenario, compiled,
                                                          Decision(replications, cap), seed),
                           folder, float(manifest.get("seconds") or 0.0), dict(manifest),
                           int(manifest.get("simulations") or 0),
                           int(manifest.get("reused") or 0), read("decisions.csv"), cap,
                           roster, _mixes(read("mixes.csv")))


def _mixes(frame: pd.DataFrame) -> pd.DataFrame:
    if "chosen" in frame:
        frame["mix"] = frame["mix"].astype(object).fillna("").astype(str)
        frame["chosen"] = frame["chosen"].astype(str).str.lower() == "true"
    return frame


def write_recommend_report(folder: Path, manifest: dict[str, Any], lang: str = "") -> Path:
    """Write ``report.html`` of a finished recommend folder."""
    from sim.files.atomic import write_text

    result = read_recommendation(folder, manifest)
    path = folder / "report.html"
    write_text(path, recommendation_report(result, lang or None))
    return path


register("recommend", write_recommend_report)
