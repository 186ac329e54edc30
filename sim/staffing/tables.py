"""The tables of a recommendation (``recommendation.csv``, ``levels.csv``, ``grids.csv``) and
its assumptions in plain words, built from the search's community states."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.statistics import t_interval
from sim.report.i18n import Texts
from sim.scenario.policy import describe_calendar
from sim.scenario.schema import Scenario
from sim.staffing.agreement import describe, partings
from sim.staffing.analytic import analytic_values
from sim.staffing.cost import cost_column, describe_pay, staffing_costs
from sim.staffing.decide import MEETS, MISSES, UNDECIDED, Decision, clopper_pearson, met_years
from sim.staffing.search import DEMANDS, CommunityState
from sim.staffing.targets import UTILISATION, TargetSet

LEVELS = ("rule", "recommended", "below")
"""The levels the recommendation table reports: the staffing rule's, the recommendation and
the level below it."""

Interval = tuple[float, float, float, int]


def interval_of(values: np.ndarray) -> Interval:
    """(mean, ci_low, ci_high, n): the 95% Student-t interval of replication values."""
    mean, half, _, n = t_interval(np.asarray(values, dtype=float))
    half = half if np.isfinite(half) else np.nan
    return mean, mean - half, mean + half, n


def full_intervals(state: CommunityState, workers: int | None, keys: Sequence[str]
                   ) -> dict[str, Interval]:
    """The full model's interval of every key at ``workers`` (empty if not simulated)."""
    if not state.simulated(workers):
        return {}
    assert workers is not None
    frame = state.full_frame(workers)
    frame = frame[frame["grid"] == ""]
    return {key: interval_of(frame[key].to_numpy()) for key in keys}


def levels_table(states: Sequence[CommunityState], targets: TargetSet) -> pd.DataFrame:
    """Every level evaluated, tidy: the analytic curve from the fewest stable workers to one
    above the highest level evaluated, the screen's and the full model's levels."""
    rows = []
    keys = targets.keys
    for state in states:
        screened = state.screen_values
        evaluated = [*state.full_values]
        if screened is not None:
            evaluated += screened["workers"].unique().tolist()
        named = [x for x in (state.full_level, state.rule, state.analytic, state.screen)
                 if x is not None]
        top = max([*evaluated, *named, state.minimum]) + 1
        mix = state.mix.label()
        for c in range(state.minimum, top + 1):
            values = analytic_values(targets, state.load, c)
            rows += [(state.id, c, "analytic", key, values[key], np.nan, np.nan, 0, mix)
                     for key in keys]
        if screened is not None:
            for level, part in screened.groupby("workers"):
                workers = int(level)  # type: ignore[arg-type]
                rows += [(state.id, workers, "screen", key, *interval_of(part[key].to_numpy()),
                          mix) for key in keys]
        for c in sorted(state.full_values):
            rows += [(state.id, c, "full_model", key, *interval, mix)
                     for key, interval in full_intervals(state, c, keys).items()]
    return pd.DataFrame(rows, columns=["community", "workers", "method", "key", "mean",
                                       "ci_low", "ci_high", "replications", "mix"])


def grids_table(states: Sequence[CommunityState], targets: TargetSet) -> pd.DataFrame:
    """Per-grid full-model values (mean and CI) at every level run; empty without grids."""
    rows = []
    for state in states:
        for c in sorted(state.full_values):
            frame = state.full_frame(c)
            for grid, part in frame[frame["grid"] != ""].groupby("grid", sort=False):
                rows += [(state.id, grid, c, t.key, *interval_of(part[t.key].to_numpy()),
                          state.mix.label()) for _, t in targets.service]
    return pd.DataFrame(rows, columns=["community", "grid", "workers", "key", "mean", "ci_low",
                                       "ci_high", "replications", "mix"])


def chosen(states: Sequence[CommunityState], scenario: Scenario) -> list[CommunityState]:
    """Per community (in order) the state recommended: of its mixes, the cheapest whose
    search found a level (workers' pay and the mix's cost), else its first."""
    out: dict[str, CommunityState] = {}
    for state in states:
        best = out.get(state.id)
        if best is None or (state.full_level is not None and (
                best.full_level is None or total_cost(scenario, state)
                < total_cost(scenario, best))):
            out[state.id] = state
    return list(out.values())


def total_cost(scenario: Scenario, state: CommunityState) -> float:
    """Yearly cost of a state's recommendation: its workers (the pay table; by head count
    without one) and the variable roles of its mix."""
    workers = state.full_level or 0
    pay = scenario.pay
    cost = pay.cost(workers) if pay is not None else float(workers)
    return cost + state.mix.cost(scenario, scenario.communities[state.index])


def recommendation_table(scenario: Scenario, states: Sequence[CommunityState],
                         targets: TargetSet, grids: pd.DataFrame, decision: Decision,
                         levels: pd.DataFrame) -> pd.DataFrame:
    """One row per community and a total row ``all`` (the columns of docs/staffing.md);
    ``levels`` is the levels table (:func:`levels_table`), where the tiers' values are."""
    picked = chosen(states, scenario)
    table = pd.DataFrame([_row(scenario, state, targets, grids, decision) for state in picked])
    english = Texts("en")
    table["disagreement"] = [
        "; ".join(describe(p, english) for p in partings(row, levels, targets))
        if pd.notna(row["recommended_workers"]) else "no level meets the targets in the "
        "full model" for _, row in table.iterrows()]
    pay = scenario.pay
    costs = staffing_costs(pay, {s.id: {"rule": s.rule, "recommended": s.full_level}
                                 for s in picked})
    table = table.merge(costs, on="community", how="left")
    table[cost_column(pay, "change")] = (table[cost_column(pay, "recommended")]
                                         - table[cost_column(pay, "rule")])
    return pd.concat([table, _total_row(table)], ignore_index=True)


def _row(scenario: Scenario, state: CommunityState, targets: TargetSet, grids: pd.DataFrame,
         decision: Decision) -> dict[str, object]:
    rec, rule, households = state.full_level, state.rule, state.households
    row: dict[str, object] = {
        "community": state.id,
        "name": state.name,
        "households": households,
        "rule_workers": rule,
        "analytic_workers": _int(state.analytic),
        "screen_workers": _int(state.screen),
        "recommended_workers": _int(rec),
        "change_workers": _int(None if rec is None else rec - rule),
        "households_per_worker_rule": households / rule if rule else np.nan,
        "households_per_worker_recommended": households / rec if rec else np.nan,
    }
    levels = {"rule": rule, "recommended": rec, "below": None if rec is None else rec - 1}
    verdicts: dict[str, str | None] = {}
    straddles = []
    for which, c in levels.items():
        values = full_intervals(state, c, targets.keys)
        verdict = level_verdict(state, c, targets, decision)
        verdicts[which] = verdict
        if verdict == UNDECIDED and c is not None:
            shown = decision.straddling(state.community_frame(c), targets)
            straddles.append(f"{which} ({c}): {', '.join(shown)}")
        unstable = c is not None and c < state.minimum and not state.simulated(c)
        for key in targets.keys:
            mean, low, high, _ = values.get(key, (np.nan, np.nan, np.nan, 0))
            if unstable and key != UTILISATION:
                mean = 0.0  # unstable: the backlog grows without bound
            row[f"{key}_{which}"] = mean
            row[f"{key}_{which}_ci_low"] = low
            row[f"{key}_{which}_ci_high"] = high
        row[f"meets_{which}"] = verdict == MEETS
        if unstable and c is not None:
            how = ("by the capacity check" if c < state.proven_minimum
                   else "estimated from the calibrated load")
            state.note(f"{which} level {c} is unstable ({how}: utilisation >= 100%)")
    overload = state.overload
    if overload is not None:  # the capacity check's proof (the rule's level is not simulated)
        row["utilisation_rule"] = overload.load / overload.capacity
    row["overload_categories_rule"] = "" if overload is None else ", ".join(
        overload.categories)
    row["overload_busy_needed_rule"] = np.nan if overload is None else overload.load
    row["overload_busy_available_rule"] = np.nan if overload is None else overload.capacity
    row["borderline"] = "; ".join(straddles)
    row["grids_missing_rule"] = _grids_missing(grids, targets, state, rule)
    row["grids_missing_recommended"] = _grids_missing(grids, targets, state, rec)
    plausible = {rec} if rec is not None else set()
    if rec is not None and verdicts["below"] == UNDECIDED:
        plausible.add(rec - 1)
    row["methods_agree"] = bool(plausible) and all(
        v in plausible for v in (state.analytic, state.screen))
    row["disagreement"] = ""  # filled from the levels table
    row["notes"] = "; ".join(state.notes)
    if scenario_varies(scenario):
        community = scenario.communities[state.index]
        members, volunteers = state.mix.counts(scenario, community)
        row["mix"] = state.mix.label()
        row["grid_members_recommended"] = members
        row["volunteers_recommended"] = volunteers
        currency = (scenario.pay.currency if scenario.pay else "cny").lower()
        row[f"cost_mix_{currency}_per_year"] = state.mix.cost(scenario, community)
    row["rule_stable"] = state.overload is None
    row["stable_minimum_workers"] = state.proven_minimum
    row["decision"] = ("" if rec is None else
                       "borderline" if verdicts["below"] == UNDECIDED else "decided")
    for which, c in levels.items():
        row[f"verdict_{which}"] = verdicts[which] or ""
        row[f"replications_{which}"] = state.count(c) if c is not None else 0
        k, n = (met_years(state.community_frame(c), targets)
                  if c is not None and state.simulated(c) else (0, 0))
        low, high = clopper_pearson(k, n)
        row[f"met_probability_{which}"] = k / n if n else np.nan
        row[f"met_probability_{which}_ci_low"] = low
        row[f"met_probability_{which}_ci_high"] = high
    for factor in DEMANDS:
        tag = f"demand_{round(factor * 100)}pct"
        row[f"analytic_workers_{tag}"] = _int(state.analytic_by_demand.get(factor))
        row[f"screen_workers_{tag}"] = _int(state.screen_by_demand.get(factor))
    shares = state.shares
    if shares is not None:
        takes = scenario.staffing.community_workers.categories
        for k, name in enumerate(targets.categories):
            if name in scenario.demand and (takes == "all" or name in takes):
                row[f"worker_share_{name}"] = shares.share[k]
    return row


def level_verdict(state: CommunityState, workers: int | None, targets: TargetSet,
                  decision: Decision) -> str | None:
    """meets / misses / undecided at ``workers`` by the full model (misses below the stable
    minimum; None when not simulated)."""
    if workers is None:
        return None
    if workers < state.proven_minimum:
        return MISSES
    if state.simulated(workers):
        return decision.verdict(state.community_frame(workers), targets)
    return MISSES if workers < state.minimum else None


def _total_row(table: pd.DataFrame) -> pd.DataFrame:
    total: dict[str, Any] = {"community": "all", "name": ""}
    for column in ("households", "rule_workers", "analytic_workers", "screen_workers",
                   "recommended_workers", "change_workers",
                   *[c for c in table.columns if c.startswith(("analytic_workers_demand",
                                                               "screen_workers_demand"))]):
        values = table[column]
        total[column] = values.sum() if values.notna().all() else pd.NA
    for column in [c for c in table.columns if c.startswith("cost_")]:
        values = table[column]
        total[column] = values.sum() if values.notna().all() else np.nan
    for which in ("rule", "recommended"):
        workers = total[f"{which}_workers"]
        if pd.notna(workers) and workers:
            total[f"households_per_worker_{which}"] = total["households"] / workers
    for which in LEVELS:
        total[f"meets_{which}"] = bool(table[f"meets_{which}"].all())
    total["methods_agree"] = bool(table["methods_agree"].all())
    for column in ("borderline", "grids_missing_rule", "grids_missing_recommended",
                   "disagreement", "notes", "overload_categories_rule"):
        total[column] = ""
    total["rule_stable"] = bool(table["rule_stable"].all())
    total["decision"] = ("borderline" if (table["decision"] == "borderline").any()
                         else "decided")
    return pd.DataFrame([total])


def _grids_missing(grids: pd.DataFrame, targets: TargetSet, state: CommunityState,
                   workers: int | None) -> str:
    """Grids of the state's community whose mean share misses a service target at
    ``workers`` (with the state's mix)."""
    if grids.empty or workers is None:
        return ""
    part = grids[(grids["community"] == state.id) & (grids["workers"] == workers)
                 & (grids["mix"] == state.mix.label())]
    missing = []
    for grid, rows in part.groupby("grid", sort=False):
        means = dict(zip(rows["key"], rows["mean"], strict=True))
        if any(means.get(t.key, np.nan) < t.share for _, t in targets.service):
            missing.append(str(grid))
    return "; ".join(missing)


def _int(value: int | None) -> object:
    return pd.NA if value is None else int(value)


def setting_table(runs: pd.DataFrame, workers: dict[str, int], targets: TargetSet,
                  decision: Decision) -> pd.DataFrame:
    """The full model at one setting of the whole scenario (``runs``: its replications' rows),
    per community: workers, replications, decision, each target's mean and 95% interval."""
    rows = []
    for cid, count in workers.items():
        mine = runs[(runs["community"] == cid) & (runs["grid"] == "")]
        row: dict[str, object] = {"community": cid, "workers": count,
                                  "replications": len(mine),
                                  "verdict": decision.verdict(mine, targets)}
        for key in targets.keys:
            mean, low, high, _ = interval_of(mine[key].to_numpy(float))
            row[key], row[f"{key}_ci_low"], row[f"{key}_ci_high"] = mean, low, high
        rows.append(row)
    return pd.DataFrame(rows)


def scenario_varies(scenario: Scenario) -> bool:
    """Whether the scenario lets a recommendation vary roles besides community workers."""
    staffing = scenario.staffing
    return staffing.grid_members.vary is not None or staffing.volunteers.vary is not None


def mixes_table(scenario: Scenario, states: Sequence[CommunityState]) -> pd.DataFrame:
    """Each community's mixes of the variable roles: their grid members and volunteers, the
    fewest community workers the full model found, and the yearly cost of each part and in
    all; ``chosen`` marks the cheapest (the recommendation)."""
    picked = {id(s) for s in chosen(states, scenario)}
    currency = (scenario.pay.currency if scenario.pay else "cny").lower()
    rows = []
    for state in states:
        community = scenario.communities[state.index]
        members, volunteers = state.mix.counts(scenario, community)
        workers = state.full_level
        pay = scenario.pay
        rows.append({
            "community": state.id, "mix": state.mix.label(), "grid_members": members,
            "volunteers": volunteers, "recommended_workers": _int(workers),
            f"cost_workers_{currency}_per_year": (pay.cost(workers) if pay is not None
                                                  and workers is not None else np.nan),
            f"cost_mix_{currency}_per_year": state.mix.cost(scenario, community),
            f"cost_total_{currency}_per_year": (total_cost(scenario, state)
                                                if workers is not None else np.nan),
            "chosen": id(state) in picked})
    return pd.DataFrame(rows)


def decisions_table(states: Sequence[CommunityState], targets: TargetSet,
                    decision: Decision) -> pd.DataFrame:
    """Every level the full model ran, per community and mix: replications, the decision
    (meets, misses, undecided), and the years in which every target was met with their exact
    95% interval."""
    rows = []
    for state in states:
        for c in sorted(state.full_values):
            frame = state.community_frame(c)
            k, n = met_years(frame, targets)
            low, high = clopper_pearson(k, n)
            rows.append({"community": state.id, "mix": state.mix.label(), "workers": c,
                         "replications": n,
                         "verdict": decision.verdict(frame, targets) if n >= 1 else "",
                         "years_met": k, "met_probability": k / n if n else np.nan,
                         "met_probability_ci_low": low, "met_probability_ci_high": high})
    return pd.DataFrame(rows, columns=["community", "mix", "workers", "replications",
                                       "verdict", "years_met", "met_probability",
                                       "met_probability_ci_low", "met_probability_ci_high"])


def assumptions(scenario: Scenario, targets: TargetSet, decision: Decision, seed: int
                ) -> list[str]:
    """What the recommendation assumes, in plain words (for the report)."""
    rule = scenario.staffing.community_workers
    horizon = scenario.horizon
    replications = decision.replications
    out = [
        f"Staffing rule: one community worker per {rule.households_per_worker:g} households "
        f"(rounding: {rule.rounding}, at least {rule.minimum}).",
        "Times are counted from the report (the moment the platform knows): response to a "
        "responder on site, resolution to closed; issues count when they occur after the "
        "warm-up.",
        "Calibration: the full model runs every community at the staffing rule's level (or "
        "at the fewest workers that keep up, where the rule's is overloaded) and measures the "
        "share of each category the community workers answer and their travel; Erlang C and "
        "the screen take that share of the work, with that travel.",
        "Analytic: Erlang C, one FIFO queue of community workers per community, Poisson "
        "arrivals at the yearly average rate and exponential handling at the pooled mean "
        "busy time, on the workers' working time when they keep a calendar; time of day, "
        "weekdays, seasons, priorities and reporting delays are ignored.",
        f"Screen: the exact FIFO recursion on the scenario's real arrival profile, reporting "
        f"delays and handling-time distributions, {replications} replications with the full "
        "model's random numbers, thinned to the workers' measured share, on the workers' "
        "calendar as the full model keeps it (nobody starts work off shift; work under way at "
        "closing is finished). It has no priorities (every category the workers take in one "
        "FIFO queue), no duty rota and no escalation.",
        f"Full model: the SimPy model, {replications} replications first (up to "
        f"{decision.cap}), seed {seed}, {horizon.days:g} days with {horizon.warmup_days:g} "
        "warm-up days cut; common random numbers across levels. It decides: a level meets "
        "when every target's one-sided lower bound clears it (utilisation: the upper bound "
        "stays under it), misses when some bound shows it cannot; undecided levels get "
        f"{replications} replications more, up to {decision.cap}. With {decision.looks} "
        f"look(s), each bound is at {decision.level:.1%} one-sided, so that the recommended "
        "level is wrongly declared met with at most 5% probability (Bonferroni over the "
        "looks). The recommendation is the lowest level shown to meet; where the level below "
        "stays undecided at the cap it is borderline. Intervals shown are 95% Student-t over "
        "replications.",
        "Sensitivity: the screen and Erlang C, with the same calibration, at demand x 0.8 and "
        "x 1.2.",
        "Each full-model run simulates the whole scenario (communities share departments); "
        "one run checks one level of every community that has a level to check.",
    ]
    windows = {describe_calendar(w) for w in targets.windows if w is not None}
    if windows:
        out.append(
            "Working hours: a working-hours target counts the issues REPORTED in working hours "
            f"({'; '.join(sorted(windows))}); when they are handled is up to the model (its "
            "staff calendars, if any)."
        )
    if scenario.pay is not None:
        out.extend(describe_pay(scenario.pay))
    else:
        out.append("No pay table in the scenario: costs are left empty.")
    return out
