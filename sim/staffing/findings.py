"""Sections of the staffing report that a planner acts on: where the staffing rule fails,
whether the three methods agree, how sure the answer is, and what a change of demand does.

Each function adds one section to a :class:`~sim.report.html.Report` from a
:class:`~sim.staffing.result.RecommendResult`, with every word from the zh/en table
(:mod:`sim.report.i18n`, keys ``staffing.*`` registered here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.report.html import Drawing, Report
from sim.report.i18n import Texts, register
from sim.report.names import Names
from sim.scenario.governance import WEEKDAYS as DAYS
from sim.staffing.agreement import describe, partings

if TYPE_CHECKING:
    from sim.staffing.result import RecommendResult

def communities(result: RecommendResult) -> pd.DataFrame:
    table = result.table
    return table[table["community"] != "all"]


def _names(result: RecommendResult, t: Texts) -> Names:
    return Names(result.scenario.scenario, t)


def overloaded(result: RecommendResult) -> pd.DataFrame:
    """Communities whose staffing rule cannot keep up: shown by the capacity check
    (``rule_stable`` false) or measured by the full model (utilisation at the rule >= 1)."""
    rows = communities(result)
    measured = rows["utilisation_rule"].astype(float) >= 1.0
    return rows[~rows["rule_stable"].astype(bool) | measured]


def overload_section(report: Report, result: RecommendResult, t: Texts) -> None:
    """Where the staffing rule fails: each community's utilisation under the rule and what it
    means (a backlog without bound), the fewest workers that keep up and the recommendation."""
    report.heading(t("staffing.overload.heading"))
    rows = overloaded(result)
    if rows.empty:
        report.paragraph(t("staffing.overload.none"))
        return
    names = _names(result, t)
    for row in rows.itertuples():
        recommended = _count(row.recommended_workers)
        community = names.community(str(row.community))
        if not bool(row.rule_stable):
            report.paragraph(t("staffing.overload.proven", community=community,
                               rule=row.rule_workers, utilisation=row.utilisation_rule,
                               stable=_count(row.stable_minimum_workers),
                               recommended=recommended,
                               categories=_categories(row.overload_categories_rule, t),
                               needed=row.overload_busy_needed_rule,
                               available=row.overload_busy_available_rule), note=True)
        else:
            report.paragraph(t("staffing.overload.measured", community=community,
                               rule=row.rule_workers, utilisation=row.utilisation_rule,
                               recommended=recommended), note=True)
    report.paragraph(t("staffing.overload.meaning"))


def _categories(codes: object, t: Texts) -> str:
    return t("staffing.list_separator").join(t.category(c) for c in str(codes).split(", "))


def agreement_section(report: Report, result: RecommendResult, t: Texts) -> None:
    """Whether the three tiers agree; one sentence with numbers where they do not; the shares
    of the work the fast tiers took from the full model."""
    report.heading(t("staffing.agreement.heading"))
    rows = communities(result)
    agree = int(rows["methods_agree"].astype(bool).sum())
    report.paragraph(t("staffing.agreement.summary", agree=agree, total=len(rows)))
    targets = result.target_set
    names = _names(result, t)
    for _, row in rows[~rows["methods_agree"].astype(bool)].iterrows():
        sentences = [describe(p, t) for p in partings(row, result.levels, targets)]
        if sentences:
            report.paragraph(t("staffing.agreement.differ",
                               community=names.community(str(row["community"])),
                               sentence="; ".join(sentences)), note=True)
    shares = [c for c in result.table.columns if c.startswith("worker_share_")]
    if shares:
        frame = rows[["community", *shares]].rename(
            columns={c: t.category(c.removeprefix("worker_share_")) for c in shares})
        frame = frame.assign(community=[names.community(str(c)) for c in frame["community"]])
        frame = frame.rename(columns={"community": t("staffing.column.community")})
        report.table(frame, table_id="worker-shares",
                     caption=t("staffing.agreement.calibration"))


def confidence_section(report: Report, result: RecommendResult, t: Texts) -> None:
    """How sure the answer is: replications, decisions and the years meeting every target at
    the recommendation and the level below; borderline communities named."""
    report.heading(t("staffing.confidence.heading"))
    cap = result.max_replications or result.replications
    report.paragraph(t("staffing.confidence.method", first=result.replications, cap=cap))
    rows = communities(result)
    names = _names(result, t)
    shown = pd.DataFrame({
        t("staffing.column.community"): [names.community(str(c)) for c in rows["community"]],
        t("staffing.column.recommended"): [_count(v) for v in rows["recommended_workers"]],
        t("staffing.column.replications"): [_count(v) for v in rows["replications_recommended"]],
        t("staffing.column.years_met"): [
            _years(p, lo, hi) for p, lo, hi in zip(
                rows["met_probability_recommended"], rows["met_probability_recommended_ci_low"],
                rows["met_probability_recommended_ci_high"], strict=True)],
        t("staffing.column.below"): [t(f"staffing.verdict.{v}") if v else "-"
                                     for v in rows["verdict_below"]],
        t("staffing.column.below_years_met"): [
            _years(p, lo, hi) for p, lo, hi in zip(
                rows["met_probability_below"], rows["met_probability_below_ci_low"],
                rows["met_probability_below_ci_high"], strict=True)],
        t("staffing.column.decision"): [t(f"staffing.decision.{d}") if d else "-"
                                        for d in rows["decision"]],
    })
    report.table(shown, table_id="confidence", caption=t("staffing.confidence.caption"))
    edge = rows[rows["decision"] == "borderline"]
    if edge.empty:
        report.paragraph(t("staffing.confidence.all_decided"))
    for row in edge.itertuples():
        recommended = int(row.recommended_workers)  # type: ignore[arg-type]
        below = recommended - 1
        report.paragraph(t("staffing.confidence.borderline",
                           community=names.community(str(row.community)),
                           below=below, detail=_below_detail(row.borderline, below),
                           cap=cap, recommended=recommended), note=True)


def _below_detail(borderline: object, below: int) -> str:
    for part in str(borderline).split("; "):
        if part.startswith(f"below ({below}): "):
            return part.removeprefix(f"below ({below}): ")
    return ""


def sensitivity_section(report: Report, result: RecommendResult, t: Texts) -> None:
    """A line per community: workers needed at 20% less demand, today and at 20% more."""
    report.heading(t("staffing.sensitivity.heading"))
    rows = communities(result)
    names = _names(result, t)
    lines = []
    for row in rows.itertuples():
        line = t("staffing.sensitivity.line", community=names.community(str(row.community)),
                 low=_count(row.screen_workers_demand_80pct),
                 now=_count(row.recommended_workers),
                 high=_count(row.screen_workers_demand_120pct))
        if _count(row.screen_workers) != _count(row.recommended_workers):
            line += t("staffing.sensitivity.screen_today", screen=_count(row.screen_workers))
        lines.append(line)
    report.items(lines)
    report.paragraph(t("staffing.sensitivity.how"))


def roster_section(report: Report, result: RecommendResult, t: Texts) -> None:
    """The hour-by-hour requirement, the roster that covers it, its cost and the full model's
    check of it."""
    rostered = result.roster
    if rostered is None:
        return
    report.heading(t("staffing.roster.heading"))
    report.paragraph(t("staffing.roster.method", replications=result.replications))
    required = rostered.requirement
    check = rostered.check.set_index("community") if not rostered.check.empty else None
    rows = []
    names = _names(result, t)
    cost = [c for c in rostered.roster.columns if c.startswith("cost_")]
    for row in communities(result).itertuples():
        mine = required[required["community"] == row.community]
        shifts = rostered.roster[rostered.roster["community"] == row.community]
        verdict = "-"
        if check is not None and row.community in check.index:
            verdict = t(f"staffing.verdict.{str(check.at[str(row.community), 'verdict'])}")
        rows.append({
            t("staffing.column.community"): names.community(str(row.community)),
            t("staffing.column.recommended"): _count(row.recommended_workers),
            t("staffing.column.peak"): int(mine["required"].max()) if len(mine) else "-",
            t("staffing.column.roster_workers"): int(shifts["workers"].sum()),
            t("staffing.column.roster_cost"): float(shifts[cost[0]].sum()) if cost else "-",
            t("staffing.column.roster_check"): verdict,
        })
    report.table(pd.DataFrame(rows), table_id="roster-summary",
                 caption=t("staffing.roster.caption"))
    if not rostered.roster.empty:
        report.table(_shown_roster(result, names), table_id="roster",
                     caption=t("staffing.roster.shifts"), digits=1)
        shown = required.assign(community=[names.community(str(c))
                                           for c in required["community"]])
        report.figure(Drawing("sim.report.requirement.requirement_chart", (shown,), dict(
            title=t("staffing.roster.chart_title"),
            labels={"required": t("staffing.roster.required"),
                    "covered": t("staffing.roster.covered")},
            days=[t(f"day.{d}") for d in DAYS])), caption=t("staffing.roster.plot"))
    for community, notes in rostered.notes.items():
        for note in notes:
            report.paragraph(f"{names.community(community)}: {note}", note=True)


def _shown_roster(result: RecommendResult, names: Names) -> pd.DataFrame:
    """roster.csv for people: community and shift names, days and columns in the language."""
    t = names.t
    assert result.roster is not None
    shifts = result.scenario.scenario.shifts
    patterns = {} if shifts is None else {code: p.name or code
                                          for code, p in shifts.patterns.items()}
    roster = result.roster.roster
    shown = pd.DataFrame({
        t("staffing.column.community"): [names.community(str(c)) for c in roster["community"]],
        t("staffing.column.workers"): roster["workers"],
    })
    for day in DAYS:
        shown[t(f"day.{day}")] = ["-" if pd.isna(v) or v == "-" else patterns.get(str(v), str(v))
                                  for v in roster[day]]
    shown[t("staffing.column.paid_hours_week")] = roster["paid_hours_per_week"]
    for column in [c for c in roster.columns if c.startswith("cost_")]:
        shown[t("staffing.column.roster_cost")] = roster[column]
    return shown


def mix_section(report: Report, result: RecommendResult, t: Texts) -> None:
    """Where grid members and volunteers may vary: every mix searched per community, its
    fewest community workers and costs, and the cheapest that meets the targets."""
    mixes = result.mixes
    if mixes.empty:
        return
    names = _names(result, t)
    report.heading(t("staffing.mix.heading"))
    report.paragraph(t("staffing.mix.method"))
    total = [c for c in mixes.columns if c.startswith("cost_total_")]
    chosen = mixes[mixes["chosen"].astype(bool)]
    for row in chosen.itertuples():
        report.paragraph(t("staffing.mix.choice", community=names.community(str(row.community)),
                           members=row.grid_members, volunteers=row.volunteers,
                           workers=_count(row.recommended_workers),
                           cost=f"{getattr(row, total[0]):,.0f}" if total else "-"))
    shown = mixes.assign(community=[names.community(str(c)) for c in mixes["community"]],
                         chosen=[t("staffing.mix.chosen") if c else "" for c in mixes["chosen"]])
    report.table(shown, table_id="mixes", caption=t("staffing.mix.caption"), digits=0)


def terminal_lines(result: RecommendResult, t: Texts) -> list[str]:
    """What the command prints after its table: overloaded rules, borderline answers, the
    methods' agreement, the roster."""
    names = _names(result, t)
    rows = communities(result)
    out = [""]
    for row in overloaded(result).itertuples():
        out.append(t("staffing.terminal.overload", community=names.community(str(row.community)),
                     rule=row.rule_workers, utilisation=row.utilisation_rule,
                     recommended=_count(row.recommended_workers)))
    edge = rows[rows["decision"] == "borderline"]
    if not edge.empty:
        out.append(t("staffing.terminal.borderline", names=names.join(
            [names.community(str(c)) for c in edge["community"]]),
            cap=result.max_replications or result.replications))
    agree = int(rows["methods_agree"].astype(bool).sum())
    out.append(t("staffing.terminal.agree", agree=agree, total=len(rows)))
    for row in result.mixes[result.mixes["chosen"].astype(bool)].itertuples() \
            if not result.mixes.empty else ():
        out.append(t("staffing.terminal.mix", community=names.community(str(row.community)),
                     members=row.grid_members, volunteers=row.volunteers,
                     workers=_count(row.recommended_workers)))
    rostered = result.roster
    if rostered is not None and not rostered.roster.empty:
        out.append(t("staffing.terminal.roster", workers=int(rostered.roster["workers"].sum()),
                     recommended=_count(result.table.set_index("community").loc[
                         "all", "recommended_workers"])))
    return out


def _count(value: Any) -> str:
    return "-" if value is None or pd.isna(value) else str(int(value))


def _years(p: float, low: float, high: float) -> str:
    if pd.isna(p):
        return "-"
    return f"{p:.0%} ({low:.0%}-{high:.0%})"


register({
    "staffing.mix.heading": {"zh": "各类人员的最省组合", "en": "The cheapest mix of roles"},
    "staffing.mix.method": {
        "zh": "情景允许变动的人员（每个网格的网格员、志愿者）按给定的各档分别搜索：每种组合下用完整"
              "模型求出满足全部目标的最少社区工作者，再加上这些人员的年成本，取总成本最低者。",
        "en": "Where the scenario lets them vary, each level of grid members per grid and of "
              "volunteers is searched: for each mix the full model finds the fewest community "
              "workers that meet every target; adding those roles' yearly cost, the cheapest "
              "mix in all is recommended."},
    "staffing.mix.choice": {
        "zh": "{community}：{members} 名网格员、{volunteers} 名志愿者、{workers} 名社区工作者，"
              "年总成本 {cost}。",
        "en": "{community}: {members} grid members, {volunteers} volunteers and {workers} "
              "community workers, {cost} a year in all."},
    "staffing.mix.chosen": {"zh": "建议", "en": "recommended"},
    "staffing.mix.caption": {
        "zh": "每种组合的最少社区工作者与年成本（社区工作者按薪酬表，其余按情景给定的单价）",
        "en": "Each mix's fewest community workers and yearly cost (workers from the pay "
              "table, the other roles at the scenario's cost per person)"},
    "staffing.terminal.mix": {
        "zh": "{community}：最省组合为 {members} 名网格员、{volunteers} 名志愿者、{workers} 名社区"
              "工作者（见 mixes.csv）。",
        "en": "{community}: the cheapest mix is {members} grid members, {volunteers} "
              "volunteers and {workers} community workers (see mixes.csv)."},
    "staffing.terminal.overload": {
        "zh": "{community}：按规则配 {rule} 名时利用率 {utilisation:.0%}，积压无限增长；建议 "
              "{recommended} 名。",
        "en": "{community}: the rule's {rule} workers would be {utilisation:.0%} busy, a "
              "backlog without bound; recommended: {recommended}."},
    "staffing.terminal.borderline": {
        "zh": "边缘：{names}（少一名时 {cap} 次重复仍分辨不出是否达标）。",
        "en": "Borderline: {names} (with one worker fewer, {cap} replications cannot tell "
              "whether the targets are met)."},
    "staffing.terminal.agree": {
        "zh": "三种方法在 {total} 个社区中有 {agree} 个一致。",
        "en": "The three methods agree in {agree} of {total} communities."},
    "staffing.terminal.roster": {
        "zh": "排班：共 {workers} 人，逐小时满足目标（平稳需求下的建议为 {recommended} 人）；见 "
              "roster.csv 与 requirement.csv。",
        "en": "Roster: {workers} workers in all, the targets held hour by hour (the "
              "recommendation for the average: {recommended}); see roster.csv and "
              "requirement.csv."},
    "staffing.roster.heading": {"zh": "按小时：需求与排班",
                                "en": "Hour by hour: requirement and roster"},
    "staffing.roster.method": {
        "zh": "每小时在岗人数需求由迭代排班算法（Feldman、Mandelbaum、Massey、Whitt，2008）求得："
              "在快速筛查中按小时给定在岗人数，模拟 {replications} 次，按每小时到达者遇到的排队人数"
              "重新确定人数，直到不再变化，使服务目标逐小时都能达到，而不只是平均达到。排班是在劳动"
              "规则（每周工时、休息日）允许的各周班次组合中，用整数规划（HiGHS）求覆盖需求的最低"
              "成本方案，再用完整模型检验。",
        "en": "The workers needed on duty in each hour come from the iterative staffing "
              "algorithm (Feldman, Mandelbaum, Massey and Whitt, 2008): the screen runs with a "
              "number of workers per hour, {replications} replications, and each hour's number "
              "is set anew from how many issues its arrivals find ahead of them, until it no "
              "longer changes, so that the targets hold hour by hour, not only on average. The "
              "roster is the cheapest set of weeks of shifts that the labour rules (hours a "
              "week, rest days) allow and that covers the requirement, an integer program "
              "solved by HiGHS, then checked with the full model."},
    "staffing.roster.caption": {
        "zh": "平稳需求下的建议人数、逐小时需求的高峰、排班人数与班次成本（元/年）、完整模型检验",
        "en": "The recommendation for the average, the peak hourly requirement, the roster's "
              "workers and yearly cost of its shifts, and the full model's check"},
    "staffing.roster.shifts": {"zh": "排班：每种周班次的人数",
                               "en": "The roster: workers on each week of shifts"},
    "staffing.roster.plot": {
        "zh": "逐小时需要的在岗人数（实线）与排班覆盖的人数（虚线），周一至周日",
        "en": "Workers needed on duty hour by hour (solid) and covered by the roster (dashed), "
              "Monday to Sunday"},
    "staffing.column.peak": {"zh": "高峰需求", "en": "peak hour"},
    "staffing.column.workers": {"zh": "人数", "en": "workers"},
    "staffing.column.paid_hours_week": {"zh": "每周计薪工时", "en": "paid hours a week"},
    "staffing.roster.chart_title": {"zh": "逐小时在岗人数", "en": "Workers on duty, hour by hour"},
    "staffing.roster.required": {"zh": "需要", "en": "required"},
    "staffing.roster.covered": {"zh": "排班覆盖", "en": "covered"},
    "staffing.column.roster_workers": {"zh": "排班人数", "en": "roster workers"},
    "staffing.column.roster_cost": {"zh": "班次成本/年", "en": "shift cost a year"},
    "staffing.column.roster_check": {"zh": "完整模型检验", "en": "full-model check"},
    "staffing.overload.heading": {"zh": "人员配置规则在哪里跟不上",
                                  "en": "Where the staffing rule fails"},
    "staffing.overload.none": {
        "zh": "按人员配置规则，每个社区的工作者都跟得上需求。",
        "en": "Under the staffing rule every community's workers keep up with the demand."},
    "staffing.overload.proven": {
        "zh": "{community}：按规则配 {rule} 名社区工作者，利用率 {utilisation:.0%}——{categories}"
              "平均需要 {needed:.2f} 名人员同时在忙，而能承担的人员按一周的在班时间只提供 "
              "{available:.2f}。至少需要 {stable} 名才能跟上；建议 {recommended} 名。",
        "en": "{community}: the rule's {rule} community workers would be {utilisation:.0%} "
              "busy: {categories} need {needed:.2f} busy responders on average, and those who "
              "may take them give {available:.2f} over the week. At least {stable} workers keep "
              "up; recommended: {recommended}."},
    "staffing.list_separator": {"zh": "、", "en": ", "},
    "staffing.overload.measured": {
        "zh": "{community}：容量核算能跟上，但在完整模型中按规则配 {rule} 名时，社区工作者在班时间"
              "忙碌 {utilisation:.0%}：事项在班内做不完，积压越来越多。建议 {recommended} 名。",
        "en": "{community}: the capacity check passes, but in the full model the rule's "
              "{rule} workers are busy {utilisation:.0%} of their shifts: the work does not "
              "fit in them and the backlog keeps growing. Recommended: {recommended}."},
    "staffing.overload.meaning": {
        "zh": "利用率达到或超过 100% 意味着积压无限增长：群众等候的时间一周比一周长，任何服务目标都"
              "达不到。这样的人数不做模拟，搜索从能跟上的人数开始。",
        "en": "Utilisation at or above 100% means a backlog without bound: residents wait "
              "longer week after week and no service target can be met. Such levels are not "
              "simulated; the search starts from a level that keeps up."},
    "staffing.agreement.heading": {"zh": "三种方法是否一致", "en": "Do the three methods agree?"},
    "staffing.agreement.summary": {
        "zh": "{total} 个社区中有 {agree} 个，Erlang C 公式、快速筛查和完整模型给出的人数"
              "一致（答案处于边缘时，完整模型区分不开的下一档也算一致）。不一致时以完整模型"
              "为准。",
        "en": "Erlang C, the screen and the full model agree in {agree} of {total} "
              "communities (where the answer is borderline, the level below it, which the full "
              "model cannot rule out, counts as agreeing). Where they differ, the full model "
              "decides."},
    "staffing.agreement.differ": {"zh": "{community}：{sentence}。",
                                  "en": "{community}: {sentence}."},
    "staffing.agreement.calibration": {
        "zh": "快速方法采用完整模型测得的分担：社区工作者承担的各类事项比例（其余由网格员、志愿者、"
              "报到党员承担）",
        "en": "What the fast methods take from the full model: the share of each category "
              "the community workers answer (grid members, volunteers and Party members take "
              "the rest)"},
    "staffing.confidence.heading": {"zh": "答案有多可靠", "en": "How sure is the answer?"},
    "staffing.confidence.method": {
        "zh": "每档人数按完整模型的重复模拟（每次一年）判断：每个目标的单侧置信下界都达标"
              "才算达标，有一个目标的上界低于目标就算不达标，其余为未定。先做 {first} 次，未定"
              "的追加，最多 {cap} 次；多次查看已按 Bonferroni 方法校正，使误判达标的概率不超过"
              " 5%。",
        "en": "Each level is judged on the full model's replications (each a simulated year): "
              "it meets when every target's one-sided lower bound clears the target, misses "
              "when some target's upper bound falls short, and is undecided otherwise. "
              "{first} replications first, more for undecided levels up to {cap}; the repeated "
              "looks are corrected (Bonferroni) so that a level is wrongly declared met with at "
              "most 5% probability."},
    "staffing.confidence.caption": {
        "zh": "达标年份占比：在多少模拟年份中所有目标都达标（括号内为 95% 精确区间）",
        "en": "Years met: the share of simulated years in which every target was met (exact "
              "95% interval)"},
    "staffing.confidence.all_decided": {
        "zh": "每个社区的答案都已确定：推荐人数达标，少一名则不达标。",
        "en": "Every community's answer is decided: the recommendation meets the targets and "
              "one worker fewer does not."},
    "staffing.confidence.borderline": {
        "zh": "{community}：{below} 名时恰在目标边缘（{detail}），{cap} 次重复仍分辨不出，因此建议 "
              "{recommended} 名并标为“边缘”。",
        "en": "{community}: at {below} workers the answer sits on the target ({detail}) and "
              "{cap} replications cannot tell; {recommended} are recommended and the answer is "
              "marked borderline."},
    "staffing.column.community": {"zh": "社区", "en": "community"},
    "staffing.column.recommended": {"zh": "建议人数", "en": "recommended"},
    "staffing.column.replications": {"zh": "重复次数", "en": "replications"},
    "staffing.column.years_met": {"zh": "达标年份占比", "en": "years met"},
    "staffing.column.below": {"zh": "少一名时", "en": "one fewer"},
    "staffing.column.below_years_met": {"zh": "少一名时达标年份", "en": "years met, one fewer"},
    "staffing.column.decision": {"zh": "结论", "en": "answer"},
    "staffing.verdict.meets": {"zh": "达标", "en": "meets"},
    "staffing.verdict.misses": {"zh": "不达标", "en": "misses"},
    "staffing.verdict.undecided": {"zh": "未定", "en": "undecided"},
    "staffing.decision.decided": {"zh": "已确定", "en": "decided"},
    "staffing.decision.borderline": {"zh": "边缘", "en": "borderline"},
    "staffing.sensitivity.heading": {"zh": "需求变动 ±20% 时", "en": "If demand changes by 20%"},
    "staffing.sensitivity.line": {
        "zh": "{community}：需求减少 20% 时 {low} 名，当前 {now} 名，增加 20% 时 {high} 名",
        "en": "{community}: {low} workers at 20% less demand, {now} today, {high} at 20% more"},
    "staffing.sensitivity.screen_today": {
        "zh": "（快速筛查认为当前需 {screen} 名）", "en": " (the screen says {screen} today)"},
    "staffing.sensitivity.how": {
        "zh": "增减 20% 的人数由快速筛查（按同样的分担校准）给出；当前人数为完整模型的结论。",
        "en": "The workers at 20% less and more demand are the screen's (with the same "
              "calibration); today's are the full model's answer."},
})
