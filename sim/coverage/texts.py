"""The words of the coverage report, in Chinese and English (registered with sim.report.i18n)."""

from __future__ import annotations

from sim.report.i18n import register

register({
    "facility_kind.rainbow_pavilion": {"zh": "彩虹庭", "en": "Rainbow pavilions"},
    "facility_kind.party_mass_home": {"zh": "党群之家", "en": "Party-mass homes"},
    "facility_kind.day_care_centre": {"zh": "日间照料中心", "en": "day-care centres"},
    "facility_kind.service_centre": {"zh": "党群服务中心", "en": "Party-mass service centres"},
    "facility_kind.all": {"zh": "任一服务点", "en": "any service point"},
    "coverage.title": {"zh": "15分钟便民生活圈：{name}",
                       "en": "15-minute living circle: {name}"},
    "coverage.subtitle": {
        "zh": "步行{limit:g}分钟内（步速{speed:g}公里/小时，绕行系数{detour:g}）可达各类服务点的"
              "住户，逐网格、逐社区统计。",
        "en": "Households within {limit:g} minutes' walk ({speed:g} km/h, detour factor "
              "{detour:g}) of each kind of service point, grid by grid and community by "
              "community."},
    "coverage.findings": {"zh": "要点", "en": "What matters"},
    "coverage.finding": {
        "zh": "{kind}：{share}的住户（{covered:,}/{total:,}户）步行{limit:g}分钟可达；"
              "{grids}个网格未覆盖（{left:,}户）。",
        "en": "{kind}: {share} of households ({covered:,} of {total:,}) are within "
              "{limit:g} minutes' walk; {grids} grids are left out ({left:,} households)."},
    "coverage.finding_elderly": {
        "zh": "其中老年住户覆盖{share}。", "en": "Of elderly households, {share} are covered."},
    "coverage.left_out_list": {"zh": "未覆盖网格：{grids}", "en": "Grids left out: {grids}"},
    "coverage.left_out_all": {"zh": "{community}全部{n}个网格",
                              "en": "{community}: all {n} grids"},
    "coverage.left_out_some": {"zh": "{community}{of}个网格中的{n}个（{grids}）",
                               "en": "{community}: {n} of {of} grids ({grids})"},
    "coverage.none_left_out": {"zh": "所有网格均已覆盖。", "en": "Every grid is covered."},
    "coverage.best_new": {
        "zh": "新增{n}个{kind}的最优位置：{sites}，可新覆盖{gain:,}户，覆盖率升至{share}。",
        "en": "Best {n} new {kind}: {sites}; they would cover {gain:,} more households, "
              "bringing coverage to {share}."},
    "coverage.no_gain": {
        "zh": "新增{kind}无法覆盖更多住户（候选位置都够不到未覆盖网格）。",
        "en": "New {kind} would cover no more households (no candidate reaches a grid left "
              "out)."},
    "coverage.map": {"zh": "地图", "en": "Maps"},
    "coverage.map_caption": {
        "zh": "{kind}：绿色网格已覆盖，红色未覆盖；圆圈为步行{limit:g}分钟的直线距离"
              "（{radius:,.0f}米 = 步行距离 ÷ 绕行系数）。空心符号、虚线圆为建议新增点。",
        "en": "{kind}: green grids covered, red left out; circles show {limit:g} minutes' walk "
              "as the crow flies ({radius:,.0f} m = distance walked / detour factor). Hollow "
              "markers and dashed circles: proposed new points."},
    "coverage.by_community": {"zh": "各社区覆盖率", "en": "Coverage by community"},
    "coverage.by_community_caption": {
        "zh": "步行{limit:g}分钟可达的住户比例，按服务点类型",
        "en": "Share of households within {limit:g} minutes' walk, by kind of point"},
    "coverage.left_out": {"zh": "未覆盖的网格", "en": "Grids left out"},
    "coverage.left_out_caption": {
        "zh": "{kind}：未覆盖网格，按住户数排序；步行时间为到最近一处的平均时间",
        "en": "{kind}: grids left out, most households first; walk to the nearest point "
              "(mean)"},
    "coverage.placement": {"zh": "新增服务点的最优位置", "en": "Where new points cover the most"},
    "coverage.placement_caption": {
        "zh": "新增n个点的最优方案（最大覆盖选址问题的精确解，目标：{weight}）；各方案中的点按"
              "新增覆盖排序。n不同，最优位置可能不同。",
        "en": "The best plan of n new points (maximal covering location problem, solved "
              "exactly; maximising {weight}); points of a plan in the order of what each adds. "
              "The best sites for n points need not include those for fewer."},
    "coverage.points": {"zh": "现有服务点", "en": "Service points"},
    "coverage.method": {"zh": "如何计算覆盖", "en": "How coverage is counted"},
    "coverage.method_rule": {
        "zh": "一个网格若从服务点到网格内住户的平均步行时间不超过{limit:g}分钟，即整格计为覆盖。"
              "住户视为在网格的正方形内均匀分布；距离与仿真模型的出行距离相同"
              "（{metric}距离、绕行系数{detour:g}、步速{speed:g}公里/小时）。",
        "en": "A grid counts as covered, whole, when the mean walk from the point to a household "
              "of the grid is within {limit:g} minutes. Households are spread evenly over the "
              "grid's square; distances are the simulation model's travel distances "
              "({metric} distance, detour factor {detour:g}, {speed:g} km/h)."},
    "coverage.method_caveat": {
        "zh": "在此距离模型下覆盖数字是精确的，但距离模型本身是近似：真实道路、出入口、"
              "过街和老人的步速都会改变结果。平均步行时间在限值±{near:g}分钟以内的网格"
              "（{households:,}户）最可能因此改变覆盖状态。",
        "en": "The counts are exact given the distance model, but the model is an "
              "approximation: real streets, gates, crossings and older residents' pace change "
              "them. Grids whose mean walk is within {near:g} minutes of the limit "
              "({households:,} households) are the ones most likely to change."},
    "coverage.weight.households": {"zh": "住户数", "en": "households"},
    "coverage.weight.elderly": {"zh": "老年住户数", "en": "elderly households"},
    "coverage.provenance": {"zh": "来源", "en": "Provenance"},
    "coverage.legend.covered": {"zh": "已覆盖", "en": "covered"},
    "coverage.legend.left_out": {"zh": "未覆盖", "en": "left out"},
    "coverage.legend.new": {"zh": "建议新增", "en": "proposed"},
    "coverage.sheet.shares": {"zh": "覆盖率", "en": "Coverage"},
    "coverage.sheet.grids": {"zh": "各网格", "en": "Grids"},
    "coverage.elderly_of": {"zh": "{kind}（老年住户）", "en": "{kind}, elderly households"},
    "coverage.col.covered": {"zh": "已覆盖", "en": "covered"},
    "coverage.col.covered_households": {"zh": "覆盖住户", "en": "households covered"},
    "coverage.col.covered_elderly_households": {"zh": "覆盖老年住户",
                                                "en": "elderly households covered"},
    "coverage.col.covered_share": {"zh": "覆盖率", "en": "share covered"},
    "coverage.col.covered_elderly_share": {"zh": "老年住户覆盖率",
                                           "en": "share of elderly households covered"},
    "coverage.col.x_m": {"zh": "东西坐标（米）", "en": "east (m)"},
    "coverage.col.y_m": {"zh": "南北坐标（米）", "en": "north (m)"},
    "coverage.col.new_grids": {"zh": "新增覆盖网格", "en": "grids added"},
    "coverage.col.covered_households_after": {"zh": "之后覆盖住户",
                                              "en": "households covered after"},
    "coverage.col.covered_elderly_share_after": {"zh": "之后老年住户覆盖率",
                                                 "en": "elderly coverage after"},
    "coverage.col.kind": {"zh": "类型", "en": "kind"},
    "coverage.col.community": {"zh": "社区", "en": "community"},
    "coverage.col.grid": {"zh": "网格", "en": "grid"},
    "coverage.col.households": {"zh": "住户", "en": "households"},
    "coverage.col.elderly_households": {"zh": "老年住户", "en": "elderly households"},
    "coverage.col.walk_min": {"zh": "步行（分钟）", "en": "walk (min)"},
    "coverage.col.nearest_point": {"zh": "最近服务点", "en": "nearest point"},
    "coverage.col.points_added": {"zh": "新增点数", "en": "new points"},
    "coverage.col.rank": {"zh": "次序", "en": "rank"},
    "coverage.col.site": {"zh": "位置", "en": "site"},
    "coverage.col.new_households": {"zh": "新增覆盖住户", "en": "households added"},
    "coverage.col.new_elderly_households": {"zh": "新增覆盖老年住户",
                                            "en": "elderly households added"},
    "coverage.col.covered_share_after": {"zh": "之后覆盖率", "en": "coverage after"},
    "coverage.col.name": {"zh": "名称", "en": "name"},
    "coverage.col.weekly_open_h": {"zh": "每周开放（小时）", "en": "open (h/week)"},
    "coverage.col.offers": {"zh": "服务内容", "en": "offers"},
    "coverage.all": {"zh": "全部", "en": "all"},
})
