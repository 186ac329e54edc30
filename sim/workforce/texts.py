"""The words of the workforce report, in Chinese and English (registered with sim.report.i18n)."""

from __future__ import annotations

from sim.report.i18n import register

register({
    "post.all": {"zh": "全部", "en": "all"},
    "entry_route.internal_selection": {"zh": "内选", "en": "internal selection"},
    "entry_route.outside_recruitment": {"zh": "外引", "en": "outside recruitment"},
    "entry_route.assignment": {"zh": "下派", "en": "assignment"},
    "workforce.plan.no_hiring": {"zh": "不招聘", "en": "no hiring"},
    "workforce.plan.at_caps": {"zh": "按上限招聘", "en": "hiring at the caps"},
    "workforce.plan.cheapest_plan": {"zh": "最省方案", "en": "cheapest plan"},
    "workforce.title": {"zh": "社区工作者队伍预测：{name}", "en": "Workforce projection: {name}"},
    "workforce.subtitle": {
        "zh": "{start}–{end}年各岗位、等级的人数与费用：马尔可夫人力模型的期望值，区间为{paths}条"
              "随机路径的中间95%（种子{seed}）。",
        "en": "Head count by post and grade and its cost, {start}-{end}: the Markov manpower "
              "model's expected values; intervals hold the middle 95% of {paths} simulated "
              "paths (seed {seed})."},
    "workforce.findings": {"zh": "要点", "en": "What matters"},
    "workforce.reachable": {
        "zh": "目标{target:g}人（{measure}）可在{by}年达到：最省方案共招聘{hires}人，"
              "期望{expected:.1f}人（95%区间{low:.0f}–{high:.0f}），{probability}的随机路径达到目标。",
        "en": "The target of {target:g} ({measure}) can be reached by {by}: the cheapest plan "
              "hires {hires}, expecting {expected:.1f} ({low:.0f}-{high:.0f}, 95% of paths); "
              "{probability} of the simulated paths reach the target."},
    "workforce.unreachable": {
        "zh": "在现有招聘上限下，目标{target:g}人（{measure}）无法在{by}年达到：即使每条渠道每年"
              "招满，{by}年期望也只有{expected:.1f}人（95%区间{low:.0f}–{high:.0f}）。",
        "en": "The target of {target:g} ({measure}) cannot be reached by {by} within the "
              "caps: hiring at every cap every year gives {expected:.1f} "
              "({low:.0f}-{high:.0f}, 95% of paths) in {by}."},
    "workforce.earliest": {
        "zh": "按上限招聘，最早{year}年可达到目标。",
        "en": "Hiring at the caps, the target is reached in {year} at the earliest."},
    "workforce.never": {
        "zh": "按上限招聘，{years}年内都达不到目标（长期约{level:.1f}人）：需提高上限或留住人员。",
        "en": "Hiring at the caps does not reach it within {years} years (the head count "
              "levels off near {level:.1f}): raise the caps or keep more workers."},
    "workforce.late": {
        "zh": "最省方案尽量晚招人：期间人数最低降至{low:.1f}人（{year}年）。",
        "en": "The cheapest plan hires as late as it can: in between the head count falls to "
              "{low:.1f} ({year})."},
    "workforce.no_target": {
        "zh": "未设定目标人数（--target）：下表为不招聘和按上限招聘两种情形。",
        "en": "No target head count (--target): the projections without hiring and with "
              "hiring at the caps."},
    "workforce.drift": {
        "zh": "不招聘时，{end}年期望{expected:.1f}人（95%区间{low:.0f}–{high:.0f}），"
              "现为{now:g}人。",
        "en": "Without hiring, {expected:.1f} ({low:.0f}-{high:.0f}) are expected in {end}, "
              "against {now:g} today."},
    "workforce.cost_line": {
        "zh": "{plan}：{end}年费用{cost}（95%区间{low}–{high}）。",
        "en": "{plan}: cost in {end} {cost} ({low}-{high}, 95% of paths)."},
    "workforce.measure.headcount": {"zh": "在岗人数", "en": "head count"},
    "workforce.measure.on_duty": {"zh": "扣除培训外派后的在岗当量",
                                  "en": "on duty after training absence"},
    "workforce.by_year": {"zh": "逐年人数与费用", "en": "Head count and cost by year"},
    "workforce.by_year_caption": {
        "zh": "全部岗位：期望人数（95%区间）、在岗当量、年费用（{currency}，95%区间）",
        "en": "All posts: expected head count (95% interval), on duty, yearly cost ({currency}, "
              "95% interval)"},
    "workforce.plan_heading": {"zh": "最省招聘方案", "en": "The cheapest hiring plan"},
    "workforce.plan_caption": {
        "zh": "到岗年份、渠道、人数；决定年份 = 到岗年份 − 周期",
        "en": "Year of joining, route, hires; decide by = joining year - lead time"},
    "workforce.mix": {"zh": "岗位与等级结构", "en": "Posts and grades"},
    "workforce.mix_caption": {
        "zh": "{plan}：{end}年各岗位、等级的期望人数（95%区间）",
        "en": "{plan}: expected head count by post and grade in {end} (95% interval)"},
    "workforce.chart_headcount": {"zh": "人数", "en": "head count"},
    "workforce.chart_cost": {"zh": "年费用", "en": "yearly cost"},
    "workforce.chart_caption": {
        "zh": "期望路径（线）与95%随机路径区间（阴影）；虚线为目标。",
        "en": "Expected path (line) and the band of 95% of simulated paths; dashed: target."},
    "workforce.method": {"zh": "模型与假设", "en": "Model and assumptions"},
    "workforce.method_text": {
        "zh": "每位工作者每年按所在岗位的比例离职、晋升出社区（公务员/事业单位/镇街领导）、"
              "在满足任职年限后晋升岗位或等级，其余留任；新招人员年末到岗。期望值由转移矩阵精确计算，"
              "区间来自逐人随机模拟。招聘方案用整数规划（HiGHS）求最省，以期望值达到目标；"
              "费用按pay:薪酬表（岗位工资+等级工资）计算。",
        "en": "Each year every worker leaves, is promoted out of the communities (civil "
              "service, public institution, sub-district leadership), steps up a grade or to "
              "the post above once eligible by years in grade, or stays, with the shares of "
              "the post; hires join at the end of the year. Expected values follow exactly "
              "from the transition matrix; intervals from simulating every worker. The "
              "cheapest plan is an integer program (HiGHS) reaching the target in "
              "expectation; pay from the pay: table (post pay + grade pay)."},
    "workforce.method_caveat": {
        "zh": "所有比例均为估计：区间只反映随机性，不反映比例本身的不确定。晋升按比例推动，"
              "不受职数限制。",
        "en": "Every share is an estimate: the intervals show chance only, not the "
              "uncertainty of the shares themselves. Promotion is pushed by shares, not "
              "pulled by vacancies (no ceiling on a post's numbers)."},
    "workforce.provenance": {"zh": "来源", "en": "Provenance"},
    "workforce.col.year": {"zh": "年份", "en": "year"},
    "workforce.col.plan": {"zh": "方案", "en": "plan"},
    "workforce.col.post": {"zh": "岗位", "en": "post"},
    "workforce.col.grade": {"zh": "等级", "en": "grade"},
    "workforce.col.headcount": {"zh": "人数", "en": "head count"},
    "workforce.col.interval": {"zh": "95%区间", "en": "95% interval"},
    "workforce.col.on_duty": {"zh": "在岗当量", "en": "on duty"},
    "workforce.col.cost": {"zh": "年费用", "en": "yearly cost"},
    "workforce.col.route": {"zh": "渠道", "en": "route"},
    "workforce.col.hires": {"zh": "人数", "en": "hires"},
    "workforce.col.decide_by_year": {"zh": "决定年份", "en": "decide by"},
    "workforce.col.headcount_low": {"zh": "人数 95%下限", "en": "head count, 95% low"},
    "workforce.col.headcount_high": {"zh": "人数 95%上限", "en": "head count, 95% high"},
    "workforce.col.headcount_start": {"zh": "年初人数", "en": "head count at the start"},
    "workforce.col.headcount_end": {"zh": "年末人数", "en": "head count at the end"},
    "workforce.col.entries": {"zh": "新进", "en": "entries"},
    "workforce.col.attrition": {"zh": "离职", "en": "attrition"},
    "workforce.col.promotion_out": {"zh": "晋升离开", "en": "promoted out"},
    "workforce.col.one_off_cost_cny": {"zh": "一次性费用（元）", "en": "one-off cost (CNY)"},
    "workforce.col.yearly_pay_cny_per_year": {"zh": "每年薪酬（元）", "en": "yearly pay (CNY)"},
    "workforce.col.cost_cny_per_year": {"zh": "年费用（元）", "en": "yearly cost (CNY)"},
    "workforce.col.cost_low_cny_per_year": {"zh": "年费用 95%下限（元）",
                                            "en": "yearly cost, 95% low (CNY)"},
    "workforce.col.cost_high_cny_per_year": {"zh": "年费用 95%上限（元）",
                                             "en": "yearly cost, 95% high (CNY)"},
    "workforce.sheet.flows": {"zh": "人员流动", "en": "Flows"},
})
