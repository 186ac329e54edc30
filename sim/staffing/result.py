"""What ``sim.recommend`` returns, and the planner's view of it."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.tables import with_ci
from sim.scenario.loading import LoadedScenario
from sim.scenario.policy import Target
from sim.staffing.cost import cost_column
from sim.staffing.mix import Mix
from sim.staffing.roster import RosterResult
from sim.staffing.targets import TargetSet
from sim.staffing.workload import WorkerShare


@dataclass
class RecommendResult:
    """What ``sim.recommend`` returns.

    ``table``: one row per community (and ``all``, the totals): households, workers under the
    staffing rule, the analytic, screen and recommended numbers, households per worker,
    achieved target shares under the rule, at the recommendation and at the level below it
    (means with 95% CI bounds), utilisation, yearly cost, whether the methods agree, grids
    still missing. ``levels``: every level evaluated, tidy (community, workers, method, key,
    mean, ci_low, ci_high, replications). ``grids``: per-grid full-model values (empty when no
    community has more than one grid). ``decisions``: every level the full model ran, its
    replications, decision and the share of years meeting every target. ``simulations``:
    full-model replications run by this call; ``reused``: those taken from the folder,
    finished by an earlier, interrupted call. ``roster`` (with ``roster=True``): the
    hour-by-hour requirement, the roster and its full-model check. ``mixes`` (when the
    scenario lets grid members or volunteers vary): every mix searched per community, its
    fewest workers and costs, the cheapest chosen.
    """

    scenario: LoadedScenario
    targets: list[Target]
    seed: int
    replications: int
    table: pd.DataFrame
    levels: pd.DataFrame
    grids: pd.DataFrame
    assumptions: list[str]
    folder: Path | None = None
    seconds: float = field(default=0.0, repr=False)
    manifest: dict[str, Any] = field(default_factory=dict, repr=False)
    simulations: int = 0
    reused: int = 0
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)
    max_replications: int = 0
    roster: RosterResult | None = None
    mixes: pd.DataFrame = field(default_factory=pd.DataFrame)
    stages: dict[str, float] = field(default_factory=dict, repr=False)
    """Wall seconds of each step, by the engine it runs (also in the manifest)."""
    calibration: dict[str, tuple[WorkerShare, Mix]] = field(default_factory=dict, repr=False)
    """Per community: the share of the work its workers carry (measured by the full model)
    and its mix of roles, as recommended (in memory only: what sim.what_if starts from)."""

    @property
    def target_set(self) -> TargetSet:
        return TargetSet.compile(self.targets, self.scenario.scenario)

    def display_table(self) -> pd.DataFrame:
        """The planner's view: one row per community, shares as ``mean ± half-width``."""
        return display_table(self)

    def _repr_html_(self) -> str:
        where = f"<br>Folder: <code>{html.escape(str(self.folder))}</code>" if self.folder \
            else ""
        targets = "".join(f"<li>{html.escape(t)}</li>" for t in self.target_set.descriptions())
        return (
            f"<h4>Staffing recommendation: {html.escape(self.scenario.name)}</h4>"
            f"<p>{self.replications} replications, seed {self.seed}{where}</p>"
            f"<ul>{targets}</ul>" + self.display_table().to_html()
        )


def display_table(result: RecommendResult) -> pd.DataFrame:
    """One row per community; shares as ``mean ± half-width`` text."""
    t = result.table
    pay = result.scenario.scenario.pay
    out = pd.DataFrame({
        "community": t["community"],
        "households": t["households"],
        "rule": t["rule_workers"],
        "analytic": t["analytic_workers"],
        "screen": t["screen_workers"],
        "recommended": t["recommended_workers"],
        "hh/worker": t["households_per_worker_recommended"].map(
            lambda v: f"{v:,.0f}" if pd.notna(v) else "-"),
    })
    for _, target in result.target_set.service:
        for which in ("rule", "recommended"):
            column = f"{target.key}_{which}"
            out[f"{target.key} {which}"] = [
                with_ci(m, (hi - lo) / 2, 3) for m, lo, hi in zip(
                    t[column], t[f"{column}_ci_low"], t[f"{column}_ci_high"], strict=True)]
    out["utilisation"] = _arrows(t["utilisation_rule"], t["utilisation_recommended"], "{:.2f}")
    if pay is not None:
        out[f"cost {pay.currency}/year"] = _arrows(
            t[cost_column(pay, "rule")], t[cost_column(pay, "recommended")], "{:,.0f}")
    out["agree"] = t["methods_agree"].map(lambda v: "yes" if v else "no")
    return out.set_index("community")


def _arrows(before: pd.Series, after: pd.Series, fmt: str) -> list[str]:
    """'0.52 -> 0.37' per row; '-' for a missing value."""
    def text(value: Any) -> str:
        return "-" if pd.isna(value) else fmt.format(value)

    return [f"{text(b)} -> {text(a)}" if pd.notna(b) or pd.notna(a) else "-"
            for b, a in zip(before, after, strict=True)]
