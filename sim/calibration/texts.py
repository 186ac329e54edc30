"""The calibration's words in Chinese and English (registered with sim.report.i18n)."""

from __future__ import annotations

from sim.report.i18n import register

register({
    "calibration.title": {"zh": "问题台账校准：{log}",
                          "en": "Calibration from the issue log {log}"},
    "calibration.subtitle": {
        "zh": "{file}（按 {encoding} 读取）：共 {rows} 行，使用 {used} 行；"
              "受理日期 {first} 至 {last}（{days} 天）。所有区间均为 95%。",
        "en": "{file} (read as {encoding}): {used} of {rows} rows used; created {first} to "
              "{last} ({days} days). Every interval is 95%."},
    "calibration.lead": {
        "zh": "校准后的情景 calibrated.yaml 可直接运行：{communities} 个社区（每个区域一个），"
              "{categories} 类民情。每个数字都注明来源：台账（行数、时段、方法）或基础情景"
              "（估计值）。",
        "en": "The calibrated scenario calibrated.yaml runs as it is: {communities} communities "
              "(one per area), {categories} categories. Every figure states its source: the log "
              "(rows, window, method) or the base scenario (ESTIMATE)."},
    "calibration.resolution_note": {
        "zh": "办结时间减受理时间是“办结时长”（含等待），不是“处置时长”。情景中的处置时长取基础"
              "情景的估计值（无对应类别时取默认值），且不超过台账办结时长的第 25 百分位"
              "（Kaplan–Meier）：四分之一的案件连等待在内都在此时间内办结。",
        "en": "Close minus create is a resolution time (waiting included), not a handling time. "
              "The scenario's handling times are the base scenario's ESTIMATES (a default where "
              "the category is new), capped at the log's Kaplan-Meier 25th percentile of "
              "resolution time: a quarter of the cases were closed within it, waiting "
              "included."},
    "calibration.heading.quality": {"zh": "数据质量", "en": "Data quality"},
    "calibration.quality_intro": {
        "zh": "读取的每一行的去向：删除的行及原因、保留但需注意的行。",
        "en": "What happened to the rows read: what was dropped and why, and what was kept "
              "with care."},
    "calibration.heading.rates": {"zh": "各类民情的发生率", "en": "Rates by category"},
    "calibration.rates_intro": {
        "zh": "每千户每年件数 = 时段内件数 ÷（户数/1000）÷ 按到达曲线加权的年数。"
              "户数：{households}。"
              "日计数的离散指数为 Pearson χ²/自由度（泊松为 1）；显著过度离散时区间按准泊松放宽。",
        "en": "Issues per 1000 households per year = issues in the window / (households / 1000) "
              "/ the window's years weighted by the arrival profile. Households: {households}. "
              "The dispersion index of daily counts is Pearson chi2 / df (1 for Poisson); where "
              "counts are significantly over-dispersed the interval is widened (quasi-Poisson)."},
    "calibration.households.given": {"zh": "来自户数表", "en": "from the households table"},
    "calibration.households.nominal": {
        "zh": "名义户数（平均每区域 {n} 户，按各区域件数分配；请用 --households 提供实际户数）",
        "en": "NOMINAL ({n} per area on average, in proportion to each area's issues; give "
              "--households for real ones)"},
    "calibration.pooled": {
        "zh": "件数少于 {n} 的 {k} 个类别合并为 other：{names}",
        "en": "{k} categories with fewer than {n} issues are pooled into 'other': {names}"},
    "calibration.heading.profiles": {"zh": "到达曲线", "en": "Arrival profiles"},
    "calibration.profiles_intro": {
        "zh": "泊松极大似然拟合，95% 参数自助法区间（{b} 次）。情景格式把周内小时曲线写成"
              "“日内小时 × 星期”的乘积；下表说明该乘积对实际周内小时计数的还原程度。",
        "en": "Poisson maximum likelihood, 95% parametric-bootstrap intervals ({b} draws). The "
              "scenario writes the hour-of-week profile as hour of day x day of week; the table "
              "says how well that product reproduces the observed hour-of-week counts."},
    "calibration.heading.resolution": {"zh": "办结时长（含等待）", "en": "Resolution times "
                                       "(waiting included)"},
    "calibration.resolution_intro": {
        "zh": "对仍未办结的案件做右删失处理的极大似然拟合（指数、对数正态、伽马），按 AIC 选择"
              "分布族；观测分位数来自 Kaplan–Meier 估计。“差距”为 Kaplan–Meier 与所选分布"
              "累积分布的最大差（描述性）。均值、变异系数及其区间和各分布族的 AIC "
              "见 calibration.csv。",
        "en": "Maximum likelihood with the cases still open right-censored (exponential, "
              "lognormal, gamma), the family chosen by AIC; observed quantiles from the "
              "Kaplan-Meier estimate. 'Gap' is the largest difference between the Kaplan-Meier "
              "and the chosen CDF (descriptive). Means and cvs with their intervals, and every "
              "family's AIC, are in calibration.csv."},
    "calibration.heading.areas": {"zh": "社区（区域）", "en": "Communities (areas)"},
    "calibration.heading.provenance": {"zh": "来源", "en": "Provenance"},
    "calibration.heading.notes": {"zh": "从基础情景复制的内容", "en": "Copied from the base "
                                  "scenario"},
    "calibration.figure.hour": {"zh": "日内小时曲线（均值为 1，95% 区间）",
                                "en": "Hour of day (mean 1, 95% intervals)"},
    "calibration.figure.day": {"zh": "星期曲线（均值为 1，95% 区间）",
                               "en": "Day of week (mean 1, 95% intervals)"},
    "calibration.figure.month": {"zh": "月份曲线（均值为 1，95% 区间）",
                                 "en": "Month (mean 1, 95% intervals)"},
    "calibration.figure.week": {"zh": "周内小时计数：观测与“小时 × 星期”拟合",
                                "en": "Issues by hour of the week: observed and hour x day fit"},
    "calibration.figure.survival": {"zh": "办结时长：Kaplan–Meier（含 95% 区间）与拟合分布",
                                    "en": "Resolution time: Kaplan-Meier (95% band) and the "
                                          "fitted distribution"},
    "calibration.quality.where": {"zh": "筛选条件排除", "en": "excluded by the filter"},
    "calibration.quality.no_category": {"zh": "无类别", "en": "no category"},
    "calibration.quality.default_location": {"zh": "默认位置（如政府大楼坐标）",
                                             "en": "default location (e.g. the city hall)"},
    "calibration.quality.no_area": {"zh": "无区域", "en": "no area"},
    "calibration.quality.duplicates": {"zh": "重复行（受理时间、类别、区域、位置相同）",
                                       "en": "duplicates (same created time, category, area, "
                                             "location)"},
    "calibration.quality.outside": {"zh": "受理日期在时段外", "en": "created outside the "
                                    "window"},
    "calibration.quality.zero": {"zh": "零时长（受理即办结）", "en": "zero length (closed "
                                 "when created)"},
    "calibration.quality.open": {"zh": "导出时仍未办结（右删失）", "en": "still open at export "
                                 "(right-censored)"},
    "calibration.quality.rare": {"zh": "类别过少（合并后仍不足 30 件）",
                                 "en": "categories too rare (under 30 issues even pooled)"},
    "calibration.quality.status_open": {"zh": "状态为未办结但有办结时间",
                                        "en": "status open but a close time given"},
    "calibration.action.dropped": {"zh": "删除", "en": "dropped"},
    "calibration.action.unknown_area": {"zh": "区域视为未知", "en": "area taken as unknown"},
    "calibration.action.spread": {"zh": "保留；按各区域件数比例分摊", "en": "kept; spread over "
                                  "the areas in proportion to their issues"},
    "calibration.action.zero": {"zh": "保留：办结时长小于 1 分钟", "en": "kept: resolution "
                                "under one minute"},
    "calibration.action.censored": {"zh": "保留：在 {as_of} 处删失", "en": "kept: censored at "
                                    "{as_of}"},
    "calibration.action.close_counts": {"zh": "保留：以办结时间为准", "en": "kept: the close "
                                        "time counts"},
    "calibration.column.check": {"zh": "检查项", "en": "check"},
    "calibration.column.quantity": {"zh": "量", "en": "quantity"},
    "calibration.column.value": {"zh": "数值", "en": "value"},
    "calibration.column.n": {"zh": "件数", "en": "n"},
    "calibration.column.log_category": {"zh": "日志中的类别", "en": "category in the log"},
    "calibration.column.rate_value": {"zh": "每千户每年", "en": "per 1000 households a year"},
    "calibration.column.rate_in": {"zh": "{area}：每千户每年", "en": "{area}: per 1000 a year"},
    "calibration.sheet.rates": {"zh": "发生率", "en": "Rates"},
    "calibration.sheet.figures": {"zh": "全部拟合值", "en": "Fitted figures"},
    "calibration.sheet.quality": {"zh": "数据质量", "en": "Data quality"},
    "calibration.sheet.map": {"zh": "类别对照", "en": "Category map"},
    "calibration.sheet.notes": {"zh": "说明", "en": "note"},
    "calibration.sheet.title": {"zh": "校准：{log}", "en": "calibration: {log}"},
    "calibration.note.rates": {
        "zh": "每千户每年的事项数及其95%区间（全部区域），其后为各区域的估计值。",
        "en": "Issues per 1000 households a year with their 95% interval (all areas), then "
              "each area's estimate."},
    "backtest.sheet.verdicts": {"zh": "结论", "en": "Verdicts"},
    "backtest.sheet.weeks": {"zh": "每周件数", "en": "Weekly counts"},
    "backtest.sheet.quantiles": {"zh": "办结时间分位数", "en": "Resolution quantiles"},
    "backtest.column.area": {"zh": "区域", "en": "area"},
    "backtest.column.week_start": {"zh": "周起始日", "en": "week starting"},
    "backtest.column.days": {"zh": "天数", "en": "days"},
    "backtest.column.predicted_mean": {"zh": "预测均值", "en": "predicted mean"},
    "backtest.column.predicted_low": {"zh": "预测95%下限", "en": "predicted, 95% low"},
    "backtest.column.predicted_high": {"zh": "预测95%上限", "en": "predicted, 95% high"},
    "backtest.column.inside": {"zh": "落在区间内", "en": "inside"},
    "backtest.column.observed_total": {"zh": "观测合计", "en": "observed total"},
    "backtest.column.predicted_total": {"zh": "预测合计", "en": "predicted total"},
    "backtest.column.predicted_total_low": {"zh": "预测合计95%下限",
                                            "en": "predicted total, 95% low"},
    "backtest.column.predicted_total_high": {"zh": "预测合计95%上限",
                                             "en": "predicted total, 95% high"},
    "backtest.column.observed_over_predicted": {"zh": "观测/预测", "en": "observed / predicted"},
    "backtest.xlsx.observed_h": {"zh": "观测（小时）", "en": "observed (h)"},
    "backtest.column.observed_low_h": {"zh": "观测95%下限（小时）", "en": "observed, 95% low (h)"},
    "backtest.column.observed_high_h": {"zh": "观测95%上限（小时）",
                                        "en": "observed, 95% high (h)"},
    "backtest.column.n_observed": {"zh": "观测件数", "en": "observed cases"},
    "backtest.column.simulated_mean_h": {"zh": "模拟均值（小时）", "en": "simulated mean (h)"},
    "backtest.column.simulated_low_h": {"zh": "模拟95%下限（小时）",
                                        "en": "simulated, 95% low (h)"},
    "backtest.column.simulated_high_h": {"zh": "模拟95%上限（小时）",
                                         "en": "simulated, 95% high (h)"},
    "calibration.column.detail": {"zh": "说明", "en": "detail"},
    "calibration.column.rows": {"zh": "行数", "en": "rows"},
    "calibration.column.action": {"zh": "处理", "en": "action"},
    "calibration.column.category": {"zh": "类别", "en": "category"},
    "calibration.column.issues": {"zh": "件数", "en": "issues"},
    "calibration.column.rate": {"zh": "每千户每年（95% 区间）", "en": "per 1000 households a "
                                "year (95% interval)"},
    "calibration.column.method": {"zh": "方法", "en": "method"},
    "calibration.column.dispersion": {"zh": "离散指数", "en": "dispersion index"},
    "calibration.column.verdict": {"zh": "判断", "en": "verdict"},
    "calibration.column.profile": {"zh": "曲线", "en": "profile"},
    "calibration.column.correlation": {"zh": "相关系数", "en": "correlation"},
    "calibration.column.chi2": {"zh": "χ²", "en": "chi2"},
    "calibration.column.df": {"zh": "自由度", "en": "df"},
    "calibration.column.p": {"zh": "p 值", "en": "p-value"},
    "calibration.column.family": {"zh": "分布族", "en": "family"},
    "calibration.column.p50_fitted": {"zh": "P50 小时（拟合）", "en": "p50 h (fitted)"},
    "calibration.column.p50": {"zh": "P50 小时（KM，95% 区间）", "en": "p50 h (KM, 95% "
                               "interval)"},
    "calibration.column.p90": {"zh": "P90 小时（KM，95% 区间）", "en": "p90 h (KM, 95% "
                               "interval)"},
    "calibration.column.p90_fitted": {"zh": "P90 小时（拟合）", "en": "p90 h (fitted)"},
    "calibration.column.open": {"zh": "未办结", "en": "open"},
    "calibration.column.gap": {"zh": "差距", "en": "gap"},
    "calibration.column.handling": {"zh": "处置时长均值（分钟）及依据", "en": "handling mean "
                                    "(min) and its source"},
    "calibration.column.area": {"zh": "区域", "en": "area"},
    "calibration.column.community": {"zh": "社区代码", "en": "community"},
    "calibration.column.households": {"zh": "户数", "en": "households"},
    "calibration.column.source": {"zh": "来源", "en": "source"},
    "calibration.verdict.poisson": {"zh": "符合泊松", "en": "Poisson"},
    "calibration.verdict.over_dispersed": {"zh": "过度离散", "en": "over-dispersed"},
    "calibration.verdict.under_dispersed": {"zh": "离散不足", "en": "under-dispersed"},
    "calibration.all_issues": {"zh": "全部", "en": "all issues"},
    # back-test
    "backtest.title": {"zh": "回测：{scenario}", "en": "Back-test: {scenario}"},
    "backtest.subtitle": {
        "zh": "以 {log} 中 {first} 至 {last} 的 {n} 件民情检验情景；{replications} 次重复，"
              "随机种子 {seed}。",
        "en": "The scenario against {n} issues of {log} created {first} to {last}; "
              "{replications} replications, seed {seed}."},
    "backtest.lead": {
        "zh": "每周件数：{inside}/{weeks} 个“类别 × 周”的观测值落在 95% 预测区间内（期望约 95%）。"
              "预测区间针对单次实现（含泊松波动），不是均值的置信区间。",
        "en": "Weekly counts: {inside} of {weeks} category-weeks lie inside their 95% prediction "
              "interval (about 95% expected). The interval is for one realisation (Poisson "
              "noise included), not a confidence interval of the mean."},
    "backtest.heading.verdicts": {"zh": "各类别结论", "en": "Verdict by category"},
    "backtest.by_community": {
        "zh": "下表为全部社区合计；各社区的 {n} 行结论见 verdicts.csv，各周数据见 backtest.csv。",
        "en": "The table is for all communities together; the {n} rows per community are in "
              "verdicts.csv, the weeks in backtest.csv."},
    "backtest.quantiles_shown": {
        "zh": "下表列出件数最多的 {n} 个类别；全部类别见 quantiles.csv。",
        "en": "The {n} categories with the most issues; every category is in quantiles.csv."},
    "backtest.heading.weeks": {"zh": "每周件数：观测与预测", "en": "Weekly counts: observed and "
                               "predicted"},
    "backtest.heading.quantiles": {"zh": "办结时长分位数", "en": "Resolution-time quantiles"},
    "backtest.quantiles_intro": {
        "zh": "观测值为 Kaplan–Meier 分位数（未办结右删失）；模拟值的 95% 预测区间针对单次重复。"
              "注意：台账的办结时长含部门、配件等等待，模型只含情景中有的环节。",
        "en": "Observed: Kaplan-Meier quantiles (open cases right-censored); simulated: a 95% "
              "prediction interval for one replication. The log's resolution includes waiting "
              "for departments and parts; the model has only what the scenario holds."},
    "backtest.heading.provenance": {"zh": "来源", "en": "Provenance"},
    "backtest.figure.weeks": {"zh": "每周件数：观测（点）与 95% 预测区间（带）",
                              "en": "Weekly counts: observed (dots) and 95% prediction band"},
    "backtest.verdict.consistent": {"zh": "一致", "en": "consistent"},
    "backtest.verdict.too_high": {"zh": "模型偏高", "en": "model too high"},
    "backtest.verdict.too_low": {"zh": "模型偏低", "en": "model too low"},
    "backtest.verdict.too_variable": {"zh": "观测波动超出模型", "en": "more variable than the "
                                      "model"},
    "backtest.verdict.too_fast": {"zh": "模型办结偏快", "en": "model resolves too fast"},
    "backtest.verdict.too_slow": {"zh": "模型办结偏慢", "en": "model resolves too slowly"},
    "backtest.verdict.no_data": {"zh": "数据不足", "en": "too few data"},
    "backtest.column.category": {"zh": "类别", "en": "category"},
    "backtest.column.weeks": {"zh": "周数", "en": "weeks"},
    "backtest.column.inside_share": {"zh": "落在区间内的比例", "en": "share inside"},
    "backtest.column.observed": {"zh": "观测件数", "en": "observed"},
    "backtest.column.predicted": {"zh": "预测均值", "en": "predicted mean"},
    "backtest.column.ratio": {"zh": "观测/预测", "en": "observed / predicted"},
    "backtest.column.verdict": {"zh": "结论", "en": "verdict"},
    "backtest.column.quantile": {"zh": "分位数", "en": "quantile"},
    "backtest.column.observed_h": {"zh": "观测（小时，95% 区间）", "en": "observed h (95% "
                                   "interval)"},
    "backtest.column.simulated_h": {"zh": "模拟（小时，95% 预测区间）", "en": "simulated h (95% "
                                    "prediction interval)"},
})
