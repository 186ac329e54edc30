"""Every word a planner reads, in Chinese and English: one table of texts by key.

``Texts(lang)`` reads the table in one language: ``t = Texts("zh"); t("heading.targets")``,
``t.metric("response_min_p90")``, ``t.category("livelihood")``, ``t.role("grid_member")``.
Keys are dotted: ``metric.<name>``, ``category.<code>``, ``role.<code>``, ``heading.<name>``,
``unit.<unit>``, and each feature's own (``coverage.<...>``, ``calibration.<...>``), which its
package adds with :func:`register` when it is imported. A text may hold ``{placeholders}``,
filled from the keyword arguments. A missing key is an error (``KeyError``), so a test that
renders every report in both languages finds a text left untranslated.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

TEXTS: dict[str, dict[str, str]] = {}


def register(table: Mapping[str, Mapping[str, str]]) -> None:
    """Add texts ``{key: {"zh": ..., "en": ...}}``; each key once, in both languages."""
    for key, texts in table.items():
        missing = [lang for lang in LANGUAGES if not texts.get(lang)]
        if missing:
            raise ValueError(f"text {key!r}: no {', '.join(missing)} text")
        if key in TEXTS and TEXTS[key] != dict(texts):
            raise ValueError(f"text {key!r} is registered twice, differently")
        TEXTS[key] = dict(texts)


def check_language(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else ValueError naming them."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (use {' or '.join(LANGUAGES)})")
    return lang


class Texts:
    """The table in one language."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE):
        self.lang = check_language(lang)

    def __call__(self, key: str, **values: object) -> str:
        text = TEXTS[key][self.lang]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in TEXTS

    def _named(self, kind: str, code: str) -> str:
        key = f"{kind}.{code}"
        return self(key) if key in TEXTS else code

    def metric(self, name: str) -> str:
        """A metric in plain words with its unit, e.g. '响应时间 P90（分钟）'."""
        return self(f"metric.{name}")

    def category(self, code: str) -> str:
        """An issue category's name (the code name itself for a category of a user's own)."""
        return self._named("category", code)

    def role(self, code: str) -> str:
        return self._named("role", code)


register({
    # roles (docs/glossary.md)
    "role.community_worker": {"zh": "社区工作者", "en": "community workers"},
    "role.grid_member": {"zh": "网格员", "en": "grid members"},
    "role.volunteer": {"zh": "彩虹志愿者", "en": "Rainbow volunteers"},
    "role.party_member": {"zh": "报到党员", "en": "registered Party members"},
    # categories of the shipped scenarios (docs/glossary.md)
    "category.all": {"zh": "全部事项", "en": "all issues"},
    "category.public_service": {"zh": "公共服务事项", "en": "public services"},
    "category.livelihood": {"zh": "民生问题", "en": "livelihood problems"},
    "category.dispute": {"zh": "矛盾纠纷", "en": "disputes"},
    "category.security": {"zh": "社会治安事件", "en": "security incidents"},
    "category.micro_wish": {"zh": "微心愿", "en": "micro-wishes"},
    "category.care_visit": {"zh": "结对帮扶走访", "en": "care visits"},
    "community.all": {"zh": "全街道", "en": "whole district"},
    "community.all_city": {"zh": "全市", "en": "whole city"},
    # units
    "unit.min": {"zh": "分钟", "en": "min"},
    "unit.h": {"zh": "小时", "en": "h"},
    "unit.share": {"zh": "比例", "en": "share"},
    "unit.issues": {"zh": "件", "en": "issues"},
    "unit.hours": {"zh": "小时", "en": "hours"},
    "unit.points": {"zh": "积分", "en": "points"},
    "unit.responders": {"zh": "人", "en": "responders"},
})

# ---------------------------------------------------------------- metrics (sim.model.measures)

register({
    "metric.issues": {"zh": "事项数（件）", "en": "issues"},
    "metric.wait_min_mean": {"zh": "平均等待（分钟）", "en": "mean wait (min)"},
    "metric.wait_min_p50": {"zh": "等待中位数（分钟）", "en": "median wait (min)"},
    "metric.wait_min_p90": {"zh": "等待 P90（分钟）", "en": "wait, 90th percentile (min)"},
    "metric.response_min_mean": {"zh": "平均响应时间（分钟）", "en": "mean response (min)"},
    "metric.response_min_p50": {"zh": "响应时间中位数（分钟）", "en": "median response (min)"},
    "metric.response_min_p90": {"zh": "响应时间 P90（分钟）",
                                "en": "response, 90th percentile (min)"},
    "metric.response_within_target_share": {"zh": "时限内响应比例",
                                            "en": "share responded in time"},
    "metric.resolution_h_mean": {"zh": "平均办结时间（小时）", "en": "mean resolution (h)"},
    "metric.resolution_h_p50": {"zh": "办结时间中位数（小时）", "en": "median resolution (h)"},
    "metric.resolution_h_p90": {"zh": "办结时间 P90（小时）",
                                "en": "resolution, 90th percentile (h)"},
    "metric.resolution_within_target_share": {"zh": "时限内办结比例",
                                              "en": "share resolved in time"},
    "metric.wait_probability": {"zh": "需排队等待的比例", "en": "share that waits"},
    "metric.report_delay_min_mean": {"zh": "平均上报延迟（分钟）",
                                     "en": "mean delay to report (min)"},
    "metric.escalated_share": {"zh": "吹哨转部门比例", "en": "share escalated to departments"},
    "metric.department_on_time_share": {"zh": "部门按时报到比例",
                                        "en": "departments' on-time share"},
    "metric.overflow_share": {"zh": "无人空闲而转出比例", "en": "share escalated as nobody free"},
    "metric.preempted_share": {"zh": "被紧急事项打断比例", "en": "share interrupted"},
    "metric.cross_grid_share": {"zh": "由他格网格员处理比例",
                                "en": "share answered from another grid"},
    "metric.county_review_share": {"zh": "转县级包联比例", "en": "share sent to county review"},
    "metric.backlog_mean": {"zh": "平均在办事项（件）", "en": "mean open issues"},
    "metric.queue_mean": {"zh": "平均排队事项（件）", "en": "mean issues waiting"},
    "metric.unfinished": {"zh": "结束时仍未办结（件）", "en": "issues left open at the end"},
    "metric.utilisation": {"zh": "全体人员忙碌率", "en": "utilisation, all responders"},
    "metric.utilisation_community_worker": {"zh": "社区工作者忙碌率",
                                            "en": "utilisation of community workers"},
    "metric.utilisation_grid_member": {"zh": "网格员忙碌率", "en": "utilisation of grid members"},
    "metric.utilisation_volunteer": {"zh": "志愿者忙碌率", "en": "utilisation of volunteers"},
    "metric.utilisation_party_member": {"zh": "报到党员忙碌率",
                                        "en": "utilisation of Party members"},
    "metric.volunteer_hours": {"zh": "志愿服务时长（小时）", "en": "volunteer hours"},
    "metric.volunteer_points": {"zh": "爱心超市积分", "en": "love-supermarket points"},
    "metric.care_visit_late_share": {"zh": "走访迟到比例", "en": "share of visits late"},
    "metric.care_visit_missed_share": {"zh": "走访漏访比例", "en": "share of visits missed"},
})

# ---------------------------------------------------------------- table columns

register({
    "column.community": {"zh": "社区", "en": "community"},
    "column.category": {"zh": "事项类别", "en": "category"},
    "column.grid": {"zh": "网格", "en": "grid"},
    "column.scenario": {"zh": "方案", "en": "scenario"},
    "column.setting": {"zh": "设置", "en": "setting"},
    "column.households": {"zh": "户数", "en": "households"},
    "column.community_workers": {"zh": "社区工作者（人）", "en": "community workers"},
    "column.respond_within_min": {"zh": "响应时限（分钟）", "en": "response limit (min)"},
    "column.resolve_within_h": {"zh": "办结时限（小时）", "en": "resolution limit (h)"},
    "column.target_share": {"zh": "目标比例", "en": "target share"},
    "column.response_attainment": {"zh": "响应达标", "en": "response target"},
    "column.resolution_attainment": {"zh": "办结达标", "en": "resolution target"},
    "column.visit_attainment": {"zh": "走访达标", "en": "visits target"},
    "column.on_time_days": {"zh": "按时时限（天）", "en": "on time within (days)"},
    "column.visits": {"zh": "应走访次数", "en": "visits due"},
    "column.visits_on_time_share": {"zh": "按时走访比例", "en": "share on time"},
    "column.replications": {"zh": "重复次数", "en": "replications"},
    "column.difference": {"zh": "差值（与基准相比）", "en": "difference to the baseline"},
    "column.verdict": {"zh": "结论", "en": "verdict"},
    "column.baseline": {"zh": "基准方案", "en": "baseline"},
    "column.grids_missing": {"zh": "未达标网格数", "en": "grids missing"},
    "column.grids": {"zh": "网格数", "en": "grids"},
    "column.worst_grids": {"zh": "最差的网格", "en": "worst grids"},
    "column.first_met": {"zh": "开始达标的设置", "en": "first setting that meets it"},
    "column.key": {"zh": "参数", "en": "key"},
    "column.why": {"zh": "说明", "en": "why"},
})

# ---------------------------------------------------------------- judgements

register({
    "state.met": {"zh": "达标", "en": "met"},
    "state.missed": {"zh": "未达标", "en": "missed"},
    "state.unclear": {"zh": "难以判定", "en": "unclear"},
    "verdict.better": {"zh": "更好", "en": "better"},
    "verdict.worse": {"zh": "更差", "en": "worse"},
    "verdict.no clear difference": {"zh": "无明显差异", "en": "no clear difference"},
    "verdict.-": {"zh": "-", "en": "-"},
    "verdict.baseline": {"zh": "基准", "en": "baseline"},
    "word.yes": {"zh": "是", "en": "yes"},
    "word.no": {"zh": "否", "en": "no"},
    "word.and": {"zh": "、", "en": ", "},
    "word.more": {"zh": "等{n}个", "en": "and {n} more"},
    "word.target": {"zh": "目标", "en": "target"},
    "word.time_limit": {"zh": "时限", "en": "time limit"},
    "word.metres": {"zh": "米", "en": "m"},
    "word.day": {"zh": "天", "en": "day"},
    "post.chief": {"zh": "正职", "en": "chief"},  # 四岗: the four posts of the pay table
    "post.deputy": {"zh": "副职", "en": "deputy"},
    "post.member": {"zh": "委员", "en": "member"},
    "post.full_time": {"zh": "专职", "en": "full-time"},
    "day.mon": {"zh": "周一", "en": "Mon"},
    "day.tue": {"zh": "周二", "en": "Tue"},
    "day.wed": {"zh": "周三", "en": "Wed"},
    "day.thu": {"zh": "周四", "en": "Thu"},
    "day.fri": {"zh": "周五", "en": "Fri"},
    "day.sat": {"zh": "周六", "en": "Sat"},
    "day.sun": {"zh": "周日", "en": "Sun"},
    "word.workers": {"zh": "社区工作者（人）", "en": "community workers"},
    "word.surge": {"zh": "高峰期", "en": "surge"},
    "word.recovered": {"zh": "恢复", "en": "recovered"},
    "word.no_value": {"zh": "无数据", "en": "no value"},
    "word.colon": {"zh": "：", "en": ": "},
    "method.analytic": {"zh": "解析（Erlang C）", "en": "analytic (Erlang C)"},
    "method.screen": {"zh": "快速筛选（FIFO 递推）", "en": "screen (FIFO recursion)"},
    "method.full_model": {"zh": "完整模型", "en": "full model"},
    "word.mix": {"zh": "（各类混合）", "en": " (mix)"},
})

# ---------------------------------------------------------------- reports: titles and headings

register({
    "report.run": {"zh": "运行报告：{name}", "en": "Run report: {name}"},
    "report.compare": {"zh": "方案比较：{name}", "en": "Comparison: {name}"},
    "report.sweep": {"zh": "参数扫描：{name}", "en": "Sweep: {name}"},
    "report.recommend": {"zh": "人员配置建议：{name}", "en": "Staffing recommendation: {name}"},
    "heading.headline": {"zh": "要点", "en": "In brief"},
    "heading.estimates": {"zh": "估计的输入（尚无实测）", "en": "Inputs that are estimates"},
    "heading.targets_by_category": {"zh": "各类事项对照本类时限",
                                    "en": "Each category against its own targets"},
    "heading.by_community": {"zh": "各社区、各类事项", "en": "By community and category"},
    "heading.care_visits": {"zh": "结对帮扶走访：按时、迟到、漏访",
                            "en": "Care visits: on time, late, missed"},
    "heading.grids": {"zh": "各网格达标情况", "en": "Grids against the targets"},
    "heading.times": {"zh": "响应与办结时间", "en": "Response and resolution times"},
    "heading.mix": {"zh": "全部事项合计（各类混合）", "en": "All issues together (a mix)"},
    "heading.staff": {"zh": "人员与忙碌率", "en": "Staff and utilisation"},
    "heading.provenance": {"zh": "来源与可重复性", "en": "Provenance"},
    "heading.scenarios": {"zh": "比较的方案", "en": "The scenarios compared"},
    "heading.changes": {"zh": "与基准相比改了什么", "en": "What differs from the baseline"},
    "heading.differences": {"zh": "差异是否真实（配对比较）",
                            "en": "Which differences are real (paired)"},
    "heading.settings": {"zh": "各设置下的达标情况", "en": "Targets at each setting"},
    "heading.cost": {"zh": "成本", "en": "Cost"},
})

# ---------------------------------------------------------------- reports: sentences

register({
    "text.replications": {"zh": "{n} 次重复运行，随机种子 {seed}；区间为 95% 置信区间。",
                          "en": "{n} replications, seed {seed}; intervals are 95% confidence "
                                "intervals."},
    "text.interval_legend": {
        "zh": "“均值 ± h”：95% 置信区间的半宽；“均值（下限–上限）”：区间在可能范围"
              "（比例 0–1、时间不小于 0）处截断。",
        "en": "'mean ± h': half-width of the 95% interval; 'mean (low–high)': the interval cut "
              "where it meets what is possible (shares 0-1, times at least 0)."},
    "text.target_rule": {
        "zh": "一类事项“达标”：在本类响应时限和办结时限内的比例至少为 {share}（区间整体高于目标）；"
              "“未达标”：区间整体低于目标；“难以判定”：区间跨过目标，需更多重复运行。",
        "en": "A category meets its target when at least {share} of its issues are within its "
              "own response and resolution limits (the whole interval at or above it); it "
              "misses when the whole interval is below; unclear when the interval spans the "
              "target (more replications would decide)."},
    "text.all_met": {"zh": "所有类别均达到本类时限目标。",
                     "en": "Every category meets its own targets."},
    "text.misses": {"zh": "{category}未达标：{what}。",
                    "en": "{category} miss their target: {what}."},
    "text.response_part": {"zh": "{limit} 分钟内响应 {value}（目标 {share}）",
                           "en": "{value} responded within {limit} min (target {share})"},
    "text.resolution_part": {"zh": "{limit} 小时内办结 {value}（目标 {share}）",
                             "en": "{value} resolved within {limit} h (target {share})"},
    "text.visits_part": {"zh": "{days} 天内按时走访 {value}（目标 {share}），迟到 {late}，漏访 {missed}",
                         "en": "{value} on time within {days} days (target {share}), {late} "
                               "late, {missed} missed"},
    "text.where_every": {"zh": "所有社区均未达标", "en": "in every community"},
    "text.where_city": {"zh": "{n} 个社区中 {k} 个未达标，未达标事项最多：{names}",
                        "en": "missed in {k} of {n} communities, most issues short in {names}"},
    "text.where_city_districts": {
        "zh": "{n} 个社区中 {k} 个未达标（在 {m} 个街道中的 {d} 个），未达标事项最多：{names}",
        "en": "missed in {k} of {n} communities (in {d} of {m} sub-districts), most issues "
              "short in {names}"},
    "text.where_some": {"zh": "未达标社区：{names}", "en": "missed in {names}"},
    "text.unclear": {"zh": "难以判定（区间跨过目标）：{names}。",
                     "en": "Unclear (the interval spans the target): {names}."},
    "text.met_list": {"zh": "达标：{names}。", "en": "Met: {names}."},
    "text.mix": {"zh": "全部事项合计（各类混合，其中 {share} 为{largest}）：时限内响应 {response}，"
                       "时限内办结 {resolution}。此合计会掩盖个别类别的问题。",
                 "en": "All issues together (a mix: {share} are {largest}): {response} responded "
                       "and {resolution} resolved within their category's limits. The mix hides "
                       "the categories above."},
    "text.grids_missing": {"zh": "{category}：{k}/{n} 个网格未达标，最差：{worst}。",
                           "en": "{category}: {k} of {n} grids miss the target; worst: {worst}."},
    "text.grids_all_met": {"zh": "所有网格在各类事项上均未明显低于目标。",
                           "en": "No grid is clearly below a category's target."},
    "text.no_grids": {"zh": "没有社区划分多个网格：无分网格结果。",
                      "en": "No community has more than one grid: no per-grid results."},
    "text.estimates_intro": {"zh": "以下输入是估计值，尚未实测或引用来源；结论依赖于它们：",
                             "en": "These inputs are estimates, not measured or cited; the "
                                   "results depend on them:"},
    "text.placeholder_pay": {"zh": "注意：薪酬表为占位数据（pay.placeholder），所有成本数字仅作示意。",
                             "en": "Note: the pay table is a placeholder (pay.placeholder): every "
                                   "cost figure is illustrative only."},
    "text.placeholder_mark": {"zh": "（占位薪酬表）", "en": " (placeholder pay table)"},
    "text.map_caption": {"zh": "{category}：各网格时限内{what}比例，红色低于目标 {share}，绿色高于目标；"
                               "灰色为无数据。",
                         "en": "{category}: each grid's share {what} in time; red below the "
                               "target {share}, green above; grey: no value."},
    "text.what_response": {"zh": "响应", "en": "responded"},
    "text.what_resolution": {"zh": "办结", "en": "resolved"},
    "text.what_visits": {"zh": "按时走访", "en": "visited on time"},
    "text.side_by_side": {"zh": "社区在原坐标中重叠，图中并排绘制。",
                          "en": "Communities drawn side by side: in the scenario their grids "
                                "overlap."},
    "text.heatmap_caption": {
        "zh": "各社区、各类事项在本类时限内{what}的比例；红色低于目标 {share}，绿色高于目标。",
        "en": "Share of each community's issues of each category {what} within the category's "
              "limit; red below the target {share}, green above."},
    "text.bars_caption": {
        "zh": "{whole}各类事项在本类时限内{what}的比例及 95% 区间；黑色竖线为目标比例；绿色达标，红色未达标，黄色难以判定。",
        "en": "Share of each category's issues {what} within its own limit, {whole}, "
              "with 95% intervals; the black tick is the target share; green met, red missed, "
              "yellow unclear."},
    "text.times_caption": {
        "zh": "各类事项的响应时间 P90（分钟），虚线为本类响应时限；纵轴从零开始。",
        "en": "Response time, 90th percentile (min), per category; the dashed line is the "
              "category's limit; axes start at zero."},
    "text.compare_intro": {"zh": "{k} 个方案，使用相同随机数（共同随机数），每个方案 {n} 次重复；基准：{baseline}。",
                           "en": "{k} scenarios run with the same random numbers (common random "
                                 "numbers), {n} replications each; baseline: {baseline}."},
    "text.change_line": {"zh": "{scenario}相对{baseline}：{what}（{diff}，{verdict}）。",
                         "en": "{scenario} against {baseline}: {what} ({diff}, {verdict})."},
    "text.no_real_change": {"zh": "{scenario}：各类事项的时限内比例与基准相比均无明显差异。",
                            "en": "{scenario}: no clear difference from the baseline in any "
                                  "category's share within its limits."},
    "text.differs_in": {"zh": "{scenario}改动的参数：{keys}", "en": "{scenario} changes: {keys}"},
    "text.paired_caption": {
        "zh": "与基准的配对差值及 95% 区间；区间不含零为真实差异。",
        "en": "Paired difference to the baseline with its 95% interval; an interval that "
              "excludes zero is a real difference."},
    "text.sweep_intro": {"zh": "{k} 个设置，使用相同随机数，每个设置 {n} 次重复；扫描参数：{keys}。",
                         "en": "{k} settings run with the same random numbers, {n} replications "
                               "each; swept: {keys}."},
    "text.first_met": {"zh": "{category}：从 {setting} 起达标（{value}）。",
                       "en": "{category}: met from {setting} on ({value})."},
    "text.never_met": {"zh": "{category}：在任何设置下均未达标（最好 {value}，{setting}）。",
                       "en": "{category}: not met at any setting (best {value} at {setting})."},
    "text.all_met_from": {"zh": "所有类别从 {setting} 起全部达标。",
                          "en": "Every category meets its targets from {setting} on."},
    "text.never_all_met": {"zh": "没有任何设置能使所有类别全部达标。",
                           "en": "No setting meets every category's targets."},
    "text.sweep_caption": {"zh": "各设置下时限内{what}比例及 95% 区间，虚线为目标 {share}。",
                           "en": "Share {what} in time at each setting, with 95% intervals; the "
                                 "dashed line is the target {share}."},
    "text.generated": {"zh": "由 gridsim 于 {when} 生成。", "en": "Generated {when} by gridsim."},
    "text.code_name_hint": {"zh": "将鼠标停在列标题上可看到文件中的列名。",
                            "en": "Hover over a column heading to see its name in the files."},
    "text.mix_caption": {"zh": "全部事项合计（各类混合）与关键指标。",
                         "en": "All issues together (a mix of categories) and key figures."},
    "text.utilisation_caption": {"zh": "各社区社区工作者忙碌率（工作时间中忙碌的比例）及 95% 区间。",
                                 "en": "Utilisation of community workers per community (busy "
                                       "share of working time), with 95% intervals."},
})

# ---------------------------------------------------------------- provenance

register({
    "fact.scenario": {"zh": "方案", "en": "scenario"},
    "fact.scenario_file": {"zh": "方案文件", "en": "scenario file"},
    "fact.scenario_sha256": {"zh": "方案 SHA-256", "en": "scenario SHA-256"},
    "fact.seed": {"zh": "随机种子", "en": "seed"},
    "fact.replications": {"zh": "重复次数", "en": "replications"},
    "fact.command": {"zh": "命令", "en": "command"},
    "fact.started": {"zh": "开始时间", "en": "started"},
    "fact.finished": {"zh": "结束时间", "en": "finished"},
    "fact.versions": {"zh": "软件版本", "en": "versions"},
    "fact.folder": {"zh": "结果文件夹", "en": "result folder"},
    "fact.districts": {"zh": "按街道拆分", "en": "split by district"},
    "split.parts": {
        "zh": "每次重复按街道拆分为 {n} 个任务分别运行：每个街道只向本街道的部门吹哨，互不影响；"
              "结果与整体一次运行完全相同。",
        "en": "Each replication ran as {n} tasks, one per district: every district escalates "
              "only to its own departments, so the districts do not affect each other; the "
              "numbers are exactly those of one loop."},
    "split.asked": {"zh": "每次重复按要求整体一次运行（不按街道拆分）。",
                    "en": "Each replication ran as one loop, as asked (not split by district)."},
    "split.shared": {
        "zh": "每次重复整体一次运行，不按街道拆分：各街道共用县级部门（{shared}），"
              "一个街道的吹哨会占用其他街道也在用的部门。",
        "en": "Each replication ran as one loop, not split by district: districts share the "
              "county's departments ({shared}), so one district's escalations take capacity "
              "the others use too."},
    "split.one": {"zh": "每次重复整体一次运行：方案只有一个街道。",
                  "en": "Each replication ran as one loop: the scenario has one district."},
})

# ---------------------------------------------------------------- the command line

register({
    "cli.run_head": {"zh": "{name}：{n} 次重复，种子 {seed}，用时 {seconds:.1f} 秒",
                     "en": "{name}: {n} replications, seed {seed}, {seconds:.1f} s"},
    "cli.categories": {"zh": "各类事项对照本类时限（{whole}）：",
                       "en": "Each category against its own targets ({whole}):"},
    "cli.by_community": {"zh": "各社区、各类事项（* 未达标，? 难以判定）：",
                         "en": "By community and category (* missed, ? unclear):"},
    "cli.by_district": {"zh": "各街道、各类事项（* 未达标，? 难以判定）：",
                        "en": "By sub-district and category (* missed, ? unclear):"},
    "cli.city_detail": {
        "zh": "以上按街道汇总；每个社区、每个网格的完整结果见结果文件夹中的 results.xlsx 和 summary.csv。",
        "en": "Summarised by sub-district; every community's and grid's results are in "
              "results.xlsx and summary.csv in the results folder."},
    "cli.care_visits": {"zh": "结对帮扶走访（按时、迟到、漏访）：",
                        "en": "Care visits (on time, late, missed):"},
    "cli.mix": {"zh": "全部事项合计（各类混合）：", "en": "All issues together (a mix):"},
    "cli.folder": {"zh": "结果文件夹：{path}", "en": "run folder: {path}"},
    "cli.report": {"zh": "报告：{path}", "en": "report: {path}"},
    "cli.workbook": {"zh": "Excel 表格：{path}", "en": "workbook: {path}"},
    "cli.compare_head": {"zh": "各类事项在本类时限内的比例，各方案与基准的配对差值：",
                         "en": "Each category's share within its own limits, per scenario, "
                               "with the paired difference to the baseline:"},
    "cli.compare_communities": {"zh": "各社区中的真实差异（其余无明显差异）：",
                                "en": "Real differences by community (the others: no clear "
                                      "difference):"},
    "cli.sweep_head": {"zh": "各设置下各类事项在本类时限内的比例：",
                       "en": "Each category's share within its own limits at each setting:"},
})
