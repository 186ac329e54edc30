"""The tables of a recommendation (``recommendation.csv``, ``levels.csv``, ``grids.csv``) and
its assumptions in plain words, built from the search's community states."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis.statistics import t_interval
from sim.scenario.policy import describe_calendar
from sim.scenario.schema import Scenario
from sim.staffing.analytic import analytic_values
from sim.staffing.cost import cost_column, describe_pay, staffing_costs
from sim.staffing.search import CommunityState
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
        for c in range(state.minimum, top + 1):
            values = analytic_values(targets, state.load, c)
            rows += [(state.id, c, "analytic", key, values[key], np.nan, np.nan, 0)
                     for key in keys]
        if screened is not None:
            for c, part in screened.groupby("workers"):
                rows += [(state.id, int(c), "screen", key, *interval_of(part[key].to_numpy()))
                         for key in keys]
        for c in sorted(state.full_values):
            rows += [(state.id, c, "full_model", key, *interval)
                     for key, interval in full_intervals(state, c, keys).items()]
    return pd.DataFrame(rows, columns=["community", "workers", "method", "key", "mean",
                                       "ci_low", "ci_high", "replications"])


def grids_table(states: Sequence[CommunityState], targets: TargetSet) -> pd.DataFrame:
    """Per-grid full-model values (mean and CI) at every level run; empty without grids."""
    rows = []
    for state in states:
        for c in sorted(state.full_values):
            frame = state.full_frame(c)
            for grid, part in frame[frame["grid"] != ""].groupby("grid", sort=False):
                rows += [(state.id, grid, c, t.key, *interval_of(part[t.key].to_numpy()))
                         for _, t in targets.service]
    return pd.DataFrame(rows, columns=["community", "grid", "workers", "key", "mean", "ci_low",
                                       "ci_high", "replications"])


def recommendation_table(scenario: Scenario, states: Sequence[CommunityState],
                         targets: TargetSet, grids: pd.DataFrame) -> pd.DataFrame:
    """One row per community and a total row ``all`` (the columns of docs/staffing.md)."""
    table = pd.DataFrame([_row(state, targets, grids) for state in states])
    pay = scenario.pay
    costs = staffing_costs(pay, {s.id: {"rule": s.rule, "recommended": s.full_level}
                                 for s in states})
    table = table.merge(costs, on="community", how="left")
    table[cost_column(pay, "change")] = (table[cost_column(pay, "recommended")]
                                         - table[cost_column(pay, "rule")])
    return pd.concat([table, _total_row(table)], ignore_index=True)


def _row(state: CommunityState, targets: TargetSet, grids: pd.DataFrame) -> dict[str, object]:
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
    borderline = []
    for which, c in levels.items():
        values = full_intervals(state, c, targets.keys)
        borderline.append(_straddles(targets, which, values))
        unstable = c is not None and c < state.minimum
        for key in targets.keys:
            mean, low, high, _ = values.get(key, (np.nan, np.nan, np.nan, 0))
            if unstable and key != UTILISATION:
                mean = 0.0  # unstable: the backlog grows without bound
            row[f"{key}_{which}"] = mean
            row[f"{key}_{which}_ci_low"] = low
            row[f"{key}_{which}_ci_high"] = high
        row[f"meets_{which}"] = bool(values) and targets.meets(
            {k: v[0] for k, v in values.items()})
        if unstable:
            state.note(f"{which} level {c} is unstable (utilisation >= 100%)")
    row["borderline"] = "; ".join(b for b in borderline if b)
    row["grids_missing_rule"] = _grids_missing(grids, targets, state.id, rule)
    row["grids_missing_recommended"] = _grids_missing(grids, targets, state.id, rec)
    methods = {"analytic": state.analytic, "screen": state.screen, "full model": rec}
    row["methods_agree"] = len(set(methods.values())) == 1 and rec is not None
    row["disagreement"] = _disagreement(methods)
    row["notes"] = "; ".join(state.notes)
    return row


def _total_row(table: pd.DataFrame) -> pd.DataFrame:
    total: dict[str, object] = {"community": "all", "name": ""}
    for column in ("households", "rule_workers", "analytic_workers", "screen_workers",
                   "recommended_workers", "change_workers"):
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
    return pd.DataFrame([total])


def _grids_missing(grids: pd.DataFrame, targets: TargetSet, community: str,
                   workers: int | None) -> str:
    """Grids of ``community`` whose mean share misses a service target at ``workers``."""
    if grids.empty or workers is None:
        return ""
    part = grids[(grids["community"] == community) & (grids["workers"] == workers)]
    missing = []
    for grid, rows in part.groupby("grid", sort=False):
        means = dict(zip(rows["key"], rows["mean"], strict=True))
        if any(means.get(t.key, np.nan) < t.share for _, t in targets.service):
            missing.append(str(grid))
    return "; ".join(missing)


def _straddles(targets: TargetSet, which: str, values: dict[str, Interval]) -> str:
    """'below: response_within_30min_share 0.893 (CI 0.886-0.901)' for each interval that
    holds its target's bound."""
    out = []
    for key, (mean, low, high, _) in values.items():
        goal = targets.goal(key)
        if goal is not None and np.isfinite(low) and low <= goal[0] <= high:
            out.append(f"{key} {mean:.3f} (CI {low:.3f}-{high:.3f})")
    return f"{which}: {', '.join(out)}" if out else ""


def _int(value: int | None) -> object:
    return pd.NA if value is None else int(value)


def _disagreement(methods: dict[str, int | None]) -> str:
    """'' when all agree, else e.g. 'analytic 2 < full model 3'."""
    final = methods["full model"]
    if final is None:
        return "no level meets the targets"
    parts = []
    for name in ("analytic", "screen"):
        value = methods[name]
        if value is None:
            parts.append(f"{name}: none")
        elif value != final:
            parts.append(f"{name} {value} {'<' if value < final else '>'} full model {final}")
    return "; ".join(parts)


def assumptions(scenario: Scenario, targets: TargetSet, replications: int, seed: int
                ) -> list[str]:
    """What the recommendation assumes, in plain words (for the report)."""
    rule = scenario.staffing.community_workers
    horizon = scenario.horizon
    out = [
        f"Staffing rule: one community worker per {rule.households_per_worker:g} households "
        f"(rounding: {rule.rounding}, at least {rule.minimum}).",
        "Times are counted from the report (the moment the platform knows): response to a "
        "responder on site, resolution to closed; issues count when they occur after the "
        "warm-up.",
        "Analytic: Erlang C, one FIFO queue of community workers per community, Poisson "
        "arrivals at the yearly average rate and exponential handling at the pooled mean "
        "handling time, on the workers' working time when they keep a calendar; time of day, "
        "weekdays, seasons, priorities, travel, reporting delays and other responders are "
        "ignored.",
        f"Screen: the exact FIFO recursion on the scenario's real arrival profile, reporting "
        f"delays and handling-time distributions, {replications} replications with the full "
        "model's random numbers, on the workers' calendar as the full model keeps it (nobody "
        "starts work off shift; work under way at closing is finished). It has no priorities "
        "(every category the workers take in one FIFO queue), no grid members, volunteers or "
        "Party members, no duty rota, no travel and no escalation.",
        f"Full model: the SimPy model, {replications} replications, seed {seed}, "
        f"{horizon.days:g} days with {horizon.warmup_days:g} warm-up days cut; common random "
        "numbers across levels. It decides: the recommendation is the fewest workers whose "
        "mean share meets every target; the level below it is simulated too. Intervals are "
        "95% Student-t over replications.",
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
