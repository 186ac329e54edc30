"""The HTML report of ``gridsim workforce``: the target and its year first, then cost by year."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pandas as pd

import sim.workforce.texts  # noqa: F401  (registers the report's words)
from sim.report import plots as plot
from sim.report.html import Report, provenance
from sim.report.i18n import Texts

if TYPE_CHECKING:
    from sim.workforce.projection import WorkforceResult

ALL = "all"


def workforce_report(result: WorkforceResult, lang: str) -> str:
    """The whole report as one self-contained HTML string, in ``lang`` (zh or en)."""
    t = Texts(lang)
    end = result.start_year + result.years
    report = Report(t("workforce.title", name=result.scenario.name),
                    t("workforce.subtitle", start=result.start_year, end=end,
                      paths=result.paths, seed=result.seed))
    report.heading(t("workforce.findings"))
    report.items(_findings(result, t))
    if not result.plan.empty:
        report.heading(t("workforce.plan_heading"))
        report.table(_plan(result, t), table_id="plan", digits=0,
                     caption=t("workforce.plan_caption"))
    report.heading(t("workforce.by_year"))
    report.table(_by_year(result, t), table_id="by-year", digits=1,
                 caption=t("workforce.by_year_caption", currency=result.currency))
    for figure in _charts(result, lang):
        report.figure(figure, caption=t("workforce.chart_caption"))
    report.heading(t("workforce.mix"))
    lead = _lead_plan(result)
    report.table(_mix(result, lead, t), table_id="mix", digits=1,
                 caption=t("workforce.mix_caption", plan=t(f"workforce.plan.{lead}"), end=end))
    report.heading(t("workforce.method"))
    report.paragraph(t("workforce.method_text"))
    report.paragraph(t("workforce.method_caveat"), note=True)
    pay = result.scenario.scenario.pay
    if pay is not None and pay.placeholder:
        report.items(pay.assumptions)
    report.heading(t("workforce.provenance"))
    report.facts({**provenance(result.manifest), "seconds": f"{result.seconds:.1f}"})
    return report.html()


def _lead_plan(result: WorkforceResult) -> str:
    return "cheapest_plan" if "cheapest_plan" in result.plans else "at_caps"


def _money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def _findings(result: WorkforceResult, t: Texts) -> list[str]:
    lines = []
    end = result.start_year + result.years
    target = result.target
    if target is None:
        lines.append(t("workforce.no_target"))
    else:
        measure = t(f"workforce.measure.{target['target_on']}")
        common = dict(target=target["target"], measure=measure, by=target["by_year"],
                      expected=target["expected_at_end"], low=target["at_end_low"],
                      high=target["at_end_high"])
        if target["reachable"]:
            hires = int(result.plan["hires"].sum()) if not result.plan.empty else 0
            lines.append(t("workforce.reachable", hires=hires,
                           probability=f"{target['probability_reached']:.0%}", **common))
            path = result.totals("cheapest_plan")["headcount"]
            if hires and path.min() < path.iloc[0] - 0.5:
                low_year = cast(int, path.idxmin())  # a label of the year index (stubs: Hashable)
                lines.append(t("workforce.late", low=path.min(), year=int(low_year)))
        else:
            lines.append(t("workforce.unreachable", **common))
        if target["earliest_calendar_year"] is not None:
            lines.append(t("workforce.earliest", year=target["earliest_calendar_year"]))
        else:
            lines.append(t("workforce.never", years=60, level=target["long_run_at_caps"]))
    none = result.totals("no_hiring")
    lines.append(t("workforce.drift", end=end, expected=none["headcount"].iloc[-1],
                   low=none["headcount_low"].iloc[-1], high=none["headcount_high"].iloc[-1],
                   now=none["headcount"].iloc[0]))
    cost = result.cost_column
    for plan in result.plans:
        row = result.totals(plan).iloc[-1]
        lines.append(t("workforce.cost_line", plan=t(f"workforce.plan.{plan}"), end=end,
                       cost=_money(row[cost], result.currency),
                       low=_money(row[cost.replace("cost_", "cost_low_")], result.currency),
                       high=_money(row[cost.replace("cost_", "cost_high_")], result.currency)))
    return lines


def _interval(low: pd.Series, high: pd.Series, digits: int = 0) -> list[str]:
    return [f"{a:,.{digits}f}–{b:,.{digits}f}" for a, b in zip(low, high, strict=True)]


def _by_year(result: WorkforceResult, t: Texts) -> pd.DataFrame:
    cost = result.cost_column
    frames = []
    for plan in result.plans:
        rows = result.totals(plan).reset_index()
        frames.append(pd.DataFrame({
            t("workforce.col.plan"): t(f"workforce.plan.{plan}"),
            t("workforce.col.year"): rows["year"].astype(str),
            t("workforce.col.headcount"): rows["headcount"],
            t("workforce.col.interval"): _interval(rows["headcount_low"],
                                                   rows["headcount_high"]),
            t("workforce.col.on_duty"): rows["on_duty"],
            f"{t('workforce.col.cost')} ({result.currency})": rows[cost],
            f"{t('workforce.col.interval')} ({result.currency})": _interval(
                rows[cost.replace("cost_", "cost_low_")],
                rows[cost.replace("cost_", "cost_high_")])}))
    return pd.concat(frames, ignore_index=True)


def _plan(result: WorkforceResult, t: Texts) -> pd.DataFrame:
    plan = result.plan
    unit = result.currency.lower()
    return pd.DataFrame({
        t("workforce.col.year"): plan["year"].astype(str),
        t("workforce.col.route"): plan["route"].map(lambda r: t(f"entry_route.{r}")),
        t("workforce.col.hires"): plan["hires"],
        t("workforce.col.post"): plan["post"].map(lambda p: t(f"post.{p}")),
        t("workforce.col.grade"): plan["grade"],
        t("workforce.col.decide_by_year"): plan["decide_by_year"].astype(str),
        f"{t('workforce.col.cost')} ({result.currency})": plan[f"yearly_pay_{unit}_per_year"]
        + plan[f"one_off_cost_{unit}"]})


def _mix(result: WorkforceResult, plan: str, t: Texts) -> pd.DataFrame:
    table = result.table
    end = result.start_year + result.years
    rows = table[(table["plan"] == plan) & (table["year"] == end) & (table["post"] != ALL)]
    rows = rows[(rows["headcount"] > 0.05) | (rows["grade"] == ALL)]
    return pd.DataFrame({
        t("workforce.col.post"): rows["post"].map(lambda p: t(f"post.{p}")),
        t("workforce.col.grade"): rows["grade"].map(lambda g: t("post.all") if g == ALL else g),
        t("workforce.col.headcount"): rows["headcount"],
        t("workforce.col.interval"): _interval(rows["headcount_low"], rows["headcount_high"]),
    })


def _charts(result: WorkforceResult, lang: str) -> list:
    t = Texts(plot.label_language(lang))
    frames = pd.concat([result.totals(p).reset_index() for p in result.plans],
                       ignore_index=True)
    names = {p: t(f"workforce.plan.{p}") for p in result.plans}
    target = result.target
    line = None
    if target is not None and target["target_on"] == "headcount":
        line = target["target"]
    cost = result.cost_column
    return [
        plot.band_chart(frames, "year", "headcount", "headcount_low", "headcount_high",
                        hue="plan", title=t("workforce.chart_headcount"),
                        ylabel=t("workforce.chart_headcount"), line=line,
                        line_label="target" if line is not None else None, labels=names),
        plot.band_chart(frames, "year", cost, cost.replace("cost_", "cost_low_"),
                        cost.replace("cost_", "cost_high_"), hue="plan",
                        title=t("workforce.chart_cost"), ylabel=result.currency, labels=names),
    ]
