"""What a recommendation assumes, in plain words, in the report's language."""

from __future__ import annotations

from sim.report.i18n import Texts, register
from sim.scenario.policy import PayTable, describe_calendar
from sim.scenario.schema import Scenario
from sim.staffing.decide import Decision
from sim.staffing.targets import TargetSet

METHOD = ("times", "calibration", "analytic", "screen", "full_model", "sensitivity", "runs")


def assumptions(scenario: Scenario, targets: TargetSet, decision: Decision, seed: int,
                t: Texts | None = None) -> list[str]:
    """The staffing rule, the three methods, working hours and the pay table (English
    without ``t``)."""
    t = t or Texts("en")
    rule = scenario.staffing.community_workers
    horizon = scenario.horizon
    figures = {"replications": decision.replications, "cap": decision.cap, "seed": seed,
               "days": f"{horizon.days:g}", "warmup": f"{horizon.warmup_days:g}",
               "looks": decision.looks, "level": f"{decision.level:.1%}"}
    out = [t("staffing.assume.rule", households=f"{rule.households_per_worker:g}",
             rounding=t(f"staffing.assume.rounding.{rule.rounding}"), minimum=rule.minimum)]
    out += [t(f"staffing.assume.{key}", **figures) for key in METHOD]
    windows = {describe_calendar(w) for w in targets.windows if w is not None}
    if windows:
        out.append(t("staffing.assume.working_hours", windows="; ".join(sorted(windows))))
    if scenario.pay is None:
        out.append(t("staffing.assume.no_pay"))
    else:
        out.extend(describe_pay(scenario.pay, t))
    return out


def describe_pay(pay: PayTable, t: Texts) -> list[str]:
    """The pay table's own assumptions (as the scenario states them) and its rules."""
    lines = list(pay.assumptions)
    roster = t("staffing.assume.separator").join(
        t("staffing.assume.post", post=t(f"post.{p.post}"), grade=p.grade,
          cost=f"{pay.annual_cost(p):,.0f}", currency=pay.currency) for p in pay.roster)
    lines.append(t("staffing.assume.worker_cost", months=f"{pay.months_per_year:g}",
                   on_cost=f"{pay.on_cost_share:.0%}"))
    if roster:
        lines.append(t("staffing.assume.first_workers", roster=roster))
    added = pay.added_worker
    lines.append(t("staffing.assume.added_worker", post=t(f"post.{added.post}"),
                   grade=added.grade,
                   cost=f"{pay.annual_cost(added):,.0f}", currency=pay.currency))
    if pay.placeholder:
        lines.append(t("staffing.assume.placeholder"))
    return lines


register({
    "staffing.assume.separator": {"zh": "；", "en": ", "},
    "staffing.assume.rounding.ceil": {"zh": "向上取整", "en": "up"},
    "staffing.assume.rounding.round": {"zh": "四舍五入", "en": "to the nearest"},
    "staffing.assume.rounding.floor": {"zh": "向下取整", "en": "down"},
    "staffing.assume.rule": {
        "zh": "配置标准：每 {households} 户配一名社区工作者（取整：{rounding}，至少 {minimum} 名"
              "）。",
        "en": "Staffing rule: one community worker per {households} households (rounding: "
              "{rounding}, at least {minimum})."},
    "staffing.assume.times": {
        "zh": "时间从上报（平台知晓的时刻）起算：响应到工作人员到场，办结到结案；预热期之后发生的"
              "事项才计入。",
        "en": "Times are counted from the report (the moment the platform knows): response to a "
              "responder on site, resolution to closed; issues count when they occur after the "
              "warm-up."},
    "staffing.assume.calibration": {
        "zh": "校准：完整模型在配置标准的人数下（标准超负荷时取跟得上的最少人数）运行各社区，测得"
              "社区工作者承担各类事项的比例及其路程；Erlang C 与快速筛查按这一比例和路程计算工作"
              "量。",
        "en": "Calibration: the full model runs every community at the staffing rule's level (or "
              "at the fewest workers that keep up, where the rule's is overloaded) and measures "
              "the share of each category the community workers answer and their travel; Erlang "
              "C and the screen take that share of the work, with that travel."},
    "staffing.assume.analytic": {
        "zh": "解析法：Erlang C，每个社区一个社区工作者的先到先服务队列，按全年平均到达率的泊松到"
              "达、按平均忙碌时间的指数办理时间，有排班时按工作时间计；不考虑时段、星期、季节、优"
              "先级和上报延迟。",
        "en": "Analytic: Erlang C, one FIFO queue of community workers per community, Poisson "
              "arrivals at the yearly average rate and exponential handling at the pooled mean "
              "busy time, on the workers' working time when they keep a calendar; time of day, "
              "weekdays, seasons, priorities and reporting delays are ignored."},
    "staffing.assume.screen": {
        "zh": "快速筛查：按方案真实的到达曲线、上报延迟和办理时间分布做精确的先到先服务递推，{rep"
              "lications} 次重复，使用完整模型的随机数，按测得的工作者承担比例抽取，按完整模型的"
              "工作者排班（下班时不开始新工作，已开始的做完）。不考虑优先级（工作者承担的各类事项"
              "排同一队列）、值班轮换和上报吹哨。",
        "en": "Screen: the exact FIFO recursion on the scenario's real arrival profile, "
              "reporting delays and handling-time distributions, {replications} replications "
              "with the full model's random numbers, thinned to the workers' measured share, on "
              "the workers' calendar as the full model keeps it (nobody starts work off shift; "
              "work under way at closing is finished). It has no priorities (every category the "
              "workers take in one FIFO queue), no duty rota and no escalation."},
    "staffing.assume.full_model": {
        "zh": "完整模型：SimPy 模型，先 {replications} 次重复（最多 {cap} 次），随机种子 {seed}，"
              "{days} 天，去掉 {warmup} 天预热；各人数水平使用相同的随机数。判定：每个目标的单侧"
              "置信下界（忙碌率为上界）都达标即“达标”，有一个界说明达不到即“未达标”；未定的水平再"
              "加 {replications} 次重复，最多 {cap} 次。共查看 {looks} 次，每个界取单侧 {level}，"
              "使建议人数被误判为达标的概率不超过 5%（对各次查看做 Bonferroni 校正）。建议人数是"
              "判定达标的最少人数；少一名时到上限仍未定的，标为“边缘”。所示区间为各次重复的 95% S"
              "tudent-t 区间。",
        "en": "Full model: the SimPy model, {replications} replications first (up to {cap}), "
              "seed {seed}, {days} days with {warmup} warm-up days cut; common random numbers "
              "across levels. It decides: a level meets when every target's one-sided lower "
              "bound clears it (utilisation: the upper bound stays under it), misses when some "
              "bound shows it cannot; undecided levels get {replications} replications more, up "
              "to {cap}. With {looks} look(s), each bound is at {level} one-sided, so that the "
              "recommended level is wrongly declared met with at most 5% probability (Bonferroni "
              "over the looks). The recommendation is the lowest level shown to meet; where the "
              "level below stays undecided at the cap it is borderline. Intervals shown are 95% "
              "Student-t over replications."},
    "staffing.assume.sensitivity": {
        "zh": "敏感性：快速筛查与 Erlang C，校准不变，需求为 0.8 倍和 1.2 倍。",
        "en": "Sensitivity: the screen and Erlang C, with the same calibration, at demand x 0.8 "
              "and x 1.2."},
    "staffing.assume.runs": {
        "zh": "完整模型每次运行模拟整个方案（各社区共用部门）；一次运行同时检验每个待检社区的一个"
              "人数水平。",
        "en": "Each full-model run simulates the whole scenario (communities share departments); "
              "one run checks one level of every community that has a level to check."},
    "staffing.assume.working_hours": {
        "zh": "工作时间：工作时间目标只计在工作时间内上报的事项（{windows}）；何时办理由模型（工"
              "作人员的排班）决定。",
        "en": "Working hours: a working-hours target counts the issues REPORTED in working hours "
              "({windows}); when they are handled is up to the model (its staff calendars, if "
              "any)."},
    "staffing.assume.no_pay": {
        "zh": "方案没有薪酬表：成本留空。",
        "en": "No pay table in the scenario: costs are left empty."},
    "staffing.assume.post": {
        "zh": "{post} {grade} 级（{cost} {currency}）",
        "en": "{post} grade {grade} ({cost} {currency})"},
    "staffing.assume.worker_cost": {
        "zh": "每名工作者的成本 =（岗位工资 + 等级工资）× {months} 个月 ×（1 + {on_cost} 单位缴费"
              "）。",
        "en": "A worker costs (post pay + grade pay) x {months} months x (1 + {on_cost} employer "
              "on-cost)."},
    "staffing.assume.first_workers": {
        "zh": "社区的前几名工作者依次为：{roster}。",
        "en": "A community's first workers are, in order: {roster}."},
    "staffing.assume.added_worker": {
        "zh": "此后每增加一名为{post} {grade} 级（每年 {cost} {currency}）；人数减少时从名单末尾"
              "减。",
        "en": "Every further worker is a {post} worker at grade {grade} ({cost} {currency} a "
              "year); with fewer workers the roster is cut from the end."},
    "staffing.assume.placeholder": {
        "zh": "占位数据：使用前请换成本地薪酬表。",
        "en": "PLACEHOLDER figures: replace the pay table with local figures before use."},
})
