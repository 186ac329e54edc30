"""The HTML report of a staffing recommendation (``report.html`` of ``gridsim recommend``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sim.report import plots as plot
from sim.report.html import Report, provenance
from sim.report.i18n import Texts
from sim.staffing.cost import cost_column
from sim.staffing.sections import (
    agreement_section,
    confidence_section,
    overload_section,
    roster_section,
    sensitivity_section,
)

if TYPE_CHECKING:
    from sim.staffing.result import RecommendResult


def recommendation_report(result: RecommendResult, lang: str = "en") -> str:
    """The whole report as one self-contained HTML string; the planners' sections
    (:mod:`sim.staffing.sections`) in ``lang``."""
    spec = result.scenario.scenario
    compiled = result.target_set
    table = result.table
    communities = table[table["community"] != "all"]
    rule = f"the {spec.staffing.community_workers.households_per_worker:g}-household rule"
    report = Report(
        f"Staffing recommendation: {result.scenario.name}",
        f"The fewest community workers per community that meet every target, checked three "
        f"ways, against {rule} (one worker per "
        f"{spec.staffing.community_workers.households_per_worker:g} households). "
        f"{result.replications} replications, seed {result.seed}.",
    )
    report.heading("Targets")
    report.items(compiled.descriptions())

    total = table[table["community"] == "all"].iloc[0]
    summary = (
        f"Under {rule}: {total['rule_workers']} workers; recommended: "
        f"{_text(total['recommended_workers'])} workers "
        f"({_text(total['households_per_worker_recommended'], '{:,.0f}')} households per worker)."
    )
    pay = spec.pay
    if pay is not None:
        summary += (
            f" Yearly cost: {_text(total[cost_column(pay, 'rule')], '{:,.0f}')} {pay.currency}"
            f" under {rule}, {_text(total[cost_column(pay, 'recommended')], '{:,.0f}')} "
            f"{pay.currency} as recommended."
        )
    report.paragraph(summary)
    t = Texts(lang)
    overload_section(report, result, t)

    report.heading("Recommendation per community")
    report.table(result.display_table(), index=True, table_id="recommendation",
                 caption=f"Workers by method; achieved shares under {rule} and as "
                 "recommended (full model, mean ± 95% half-width); utilisation; yearly cost")
    confidence_section(report, result, t)
    agreement_section(report, result, t)
    sensitivity_section(report, result, t)
    roster_section(report, result, t)
    report.heading("All columns")
    report.table(_wide(table), table_id="recommendation-columns",
                 caption="recommendation.csv (CI bounds in the CSV)")

    report.heading("Service level against staff")
    marks = communities[["community", "rule_workers", "recommended_workers"]].rename(
        columns={"rule_workers": "rule", "recommended_workers": "recommended"})
    marks = marks.astype({"rule": "float", "recommended": "float"})
    for i, target in compiled.service:
        report.figure(
            plot.service_curves(result.levels, target.key, target=target.share, marks=marks,
                                title=compiled.describe(i)),
            caption=f"{compiled.describe(i)}: share by number of workers (analytic curve, screen "
            f"and full model with 95% intervals); dashed vertical: {rule}, solid: recommended.",
        )
    util = communities[["community", "utilisation_rule", "utilisation_recommended"]]
    report.figure(
        plot.grouped_bars(util, "community", {"rule": "utilisation_rule",
                                              "recommended": "utilisation_recommended"},
                          title="Utilisation of community workers (full model)",
                          ylabel="busy share", line=compiled.max_utilisation,
                          line_label="maximum"),
        caption=f"Utilisation under {rule} and as recommended.",
    )
    if pay is not None:
        costs = communities[["community", cost_column(pay, "rule"),
                             cost_column(pay, "recommended")]]
        report.figure(
            plot.grouped_bars(costs, "community", {"rule": cost_column(pay, "rule"),
                                                   "recommended": cost_column(pay,
                                                                              "recommended")},
                              title=f"Yearly cost ({pay.currency})", ylabel=pay.currency),
            caption=f"Yearly employer cost of the workers under {rule} and as recommended.",
        )
    notes = communities[communities["notes"].astype(str) != ""]
    if not notes.empty:
        report.heading("Notes")
        report.items(f"{r.community}: {r.notes}" for r in notes.itertuples())
    grids = communities[(communities["grids_missing_recommended"].astype(str) != "")
                        | (communities["grids_missing_rule"].astype(str) != "")]
    report.heading("Grids")
    if result.grids.empty:
        report.paragraph("No community has more than one grid: no per-grid shares.")
    elif grids.empty:
        report.paragraph("Every grid meets the targets at the recommended level.")
    else:
        report.table(grids[["community", "grids_missing_rule", "grids_missing_recommended"]],
                     caption="Grids whose mean share misses a target")

    report.heading("Assumptions")
    report.items(result.assumptions)
    report.heading("Provenance")
    report.facts({**provenance(result.manifest),
                  "seconds": f"{result.seconds:.1f}",
                  "full-model runs": f"{result.simulations} run, {result.reused} reused"})
    return report.html()


def _text(value, fmt: str = "{}") -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "-"
    return fmt.format(value)


def _wide(table: pd.DataFrame) -> pd.DataFrame:
    """The CSV's columns without the CI bounds (they make the table unreadable)."""
    keep = [c for c in table.columns if not c.endswith(("_ci_low", "_ci_high"))]
    return table[keep]
