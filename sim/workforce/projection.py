"""``sim.project_workforce`` (``gridsim workforce``): head count, grade mix and cost, year by year.

Three plans are projected from today's head count (``workforce:``) over ``years`` years:
``no_hiring``, ``at_caps`` (every entry route hiring its cap every year) and, with a target,
``cheapest_plan`` (:mod:`sim.workforce.plan`). Each is projected exactly in expectation by the
Markov chain and simulated ``paths`` times (seeded) for 95% intervals
(:mod:`sim.workforce.markov`). Results: ``workforce.csv``, ``plan.csv``, ``flows.csv``,
``report.html``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import GridsimError, OptionError
from sim.experiment.runner import default_command, resolve
from sim.files.folder import default_folder
from sim.files.results import ResultFolder
from sim.report.i18n import DEFAULT_LANGUAGE, LANGUAGES
from sim.scenario.loading import LoadedScenario
from sim.scenario.policy import POSTS
from sim.scenario.workforce import EntryRoute, Workforce
from sim.workforce import MAX_YEARS, TARGET_ON
from sim.workforce.markov import Chain, Flows, build_chain, expected, simulate
from sim.workforce.plan import HiringPlan, at_caps, cheapest, measure, no_hiring, reachable_year

KIND = "workforce"
ALL = "all"
LEVEL = 0.95
"""Intervals hold the central 95% of the simulated paths (observed path values, no
interpolation between them)."""
PLANS = ("no_hiring", "at_caps", "cheapest_plan")
WORKFORCE_CSV = "workforce.csv"
PLAN_CSV = "plan.csv"
FLOWS_CSV = "flows.csv"
REPORT_HTML = "report.html"


@dataclass
class WorkforceResult:
    """What ``sim.project_workforce`` returns.

    ``table`` (workforce.csv): per plan, year, post and grade (``all`` for totals) the expected
    head count with the 95% interval of the simulated paths, workers on duty, and yearly cost
    with its interval. ``plan`` (plan.csv): the cheapest plan's hires by year and route.
    ``flows`` (flows.csv): per plan and year, expected head count at the start, entries, exits
    and head count at the end. ``target``: the target and whether, when and how likely it is
    reached (None without a target).
    """

    scenario: LoadedScenario
    years: int
    start_year: int
    paths: int
    seed: int
    currency: str
    table: pd.DataFrame
    plan: pd.DataFrame
    flows: pd.DataFrame
    target: dict[str, Any] | None
    simulated: dict[str, Flows]
    chain: Chain
    seconds: float = 0.0
    folder: Path | None = None
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def cost_column(self) -> str:
        return f"cost_{self.currency.lower()}_per_year"

    def totals(self, plan: str) -> pd.DataFrame:
        """Per year the whole workforce under ``plan``."""
        t = self.table
        return t[(t["plan"] == plan) & (t["post"] == ALL)].set_index("year")

    @property
    def plans(self) -> list[str]:
        return list(dict.fromkeys(self.table["plan"]))


def project_workforce(
    scenario: str | Path | LoadedScenario,
    years: int = 5,
    target: float | str | Path | None = None,
    target_on: str = "headcount",
    paths: int = 1000,
    seed: int | None = None,
    out: str | Path | None = None,
    save: bool = True,
    lang: str | None = None,
) -> WorkforceResult:
    """Project the scenario's ``workforce:`` over ``years`` years; with ``target`` (a number
    of workers, or a recommendation.csv of ``gridsim recommend``: its total
    ``recommended_workers``) also the cheapest hiring plan reaching it by the last year,
    counting ``target_on`` (``headcount`` or workers ``on_duty`` after training absence).
    ``paths`` simulated paths from ``seed`` (default the scenario's) give the intervals."""
    started = time.perf_counter()
    loaded = resolve(scenario)
    spec = loaded.scenario
    workforce, pay = _inputs(loaded)
    _check_options(years, target_on, paths, lang)
    wanted = None if target is None else _target(target)
    seed = spec.experiment.seed if seed is None else int(seed)
    chain = build_chain(workforce, pay)
    start = chain.start(workforce)
    # keyed by plain names, as the plan functions take them
    routes: dict[str, EntryRoute] = {name: r for name, r in workforce.entry_routes.items()}
    plans: dict[str, HiringPlan] = {"no_hiring": no_hiring(routes, years),
                                    "at_caps": at_caps(routes, years)}
    on_duty = target_on == "on_duty"
    summary = None
    if wanted is not None:
        best = cheapest(chain, start, routes, years, wanted, on_duty)
        first, level = reachable_year(chain, start, routes, wanted, on_duty)
        summary = {"target": wanted, "target_on": target_on, "reachable": best is not None,
                   "earliest_year": None if first is None else first,
                   "long_run_at_caps": level}
        if best is not None:
            plans["cheapest_plan"] = best
    streams = np.random.SeedSequence(seed).spawn(len(PLANS))
    exact, simulated = {}, {}
    for name, plan in plans.items():
        hires = plan.states(chain, routes)
        exact[name] = expected(chain, start, hires)
        rng = np.random.default_rng(streams[PLANS.index(name)])
        simulated[name] = simulate(chain, start, hires, paths, rng)
    start_year = workforce.start_year or spec.horizon.start.year
    table = _table(chain, exact, simulated, plans, routes, start_year, pay.currency)
    if summary is not None:
        _describe_target(summary, chain, exact, simulated, years, start_year, on_duty)
    result = WorkforceResult(
        scenario=loaded, years=years, start_year=start_year, paths=paths, seed=seed,
        currency=pay.currency, table=table,
        plan=_plan_table(plans.get("cheapest_plan"), routes, chain, start_year, pay.currency),
        flows=_flows(exact, start_year), target=summary, simulated=simulated, chain=chain,
        seconds=time.perf_counter() - started)
    if save:
        _publish(result, out, lang or _language(loaded))
    return result


# ---------------------------------------------------------------- inputs


def _inputs(loaded: LoadedScenario) -> tuple[Workforce, Any]:
    spec = loaded.scenario
    if spec.workforce is None:
        raise GridsimError(f"{loaded.source}: workforce: no workforce section; give today's "
                           "head count, the post rules and the entry routes (docs/workforce.md)")
    if spec.pay is None:  # the loader checks this too
        raise GridsimError(f"{loaded.source}: pay: the workforce needs the pay table")
    return spec.workforce, spec.pay


def _check_options(years: int, target_on: str, paths: int, lang: str | None) -> None:
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= MAX_YEARS:
        raise OptionError(f"`years`: a whole number from 1 to {MAX_YEARS} (got {years!r})",
                          "years")
    if target_on not in TARGET_ON:
        raise OptionError(f"`target_on`: use {' or '.join(TARGET_ON)} (got {target_on!r})",
                          "target_on")
    if not isinstance(paths, int) or isinstance(paths, bool) or not 10 <= paths <= 100_000:
        raise OptionError(f"`paths`: a whole number from 10 to 100000 (got {paths!r})", "paths")
    if lang is not None and lang not in LANGUAGES:
        raise OptionError(f"`lang`: use {' or '.join(LANGUAGES)} (got {lang!r})", "lang")


def _target(target: float | str | Path) -> float:
    """A number of workers, or the total ``recommended_workers`` of a recommendation.csv."""
    if isinstance(target, bool):
        raise OptionError(f"`target`: a positive number of workers (got {target!r})", "target")
    if isinstance(target, int | float):
        value = float(target)
    else:
        try:
            value = float(str(target))
        except ValueError:
            return _target_file(Path(target))
    if not (math.isfinite(value) and value > 0):
        raise OptionError(f"`target`: a positive number of workers (got {target!r})", "target")
    return value


def _target_file(path: Path) -> float:
    if not path.is_file():
        raise OptionError(f"`target`: {path}: no such file (give a number of workers or a "
                          "recommendation.csv of gridsim recommend)", "target")
    try:
        table = pd.read_csv(path, encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        raise GridsimError(f"{path}: cannot be read as CSV ({exc})") from None
    for column in ("community", "recommended_workers"):
        if column not in table.columns:
            raise GridsimError(f"{path}: no column {column!r} (a recommendation.csv of "
                               "gridsim recommend has one)")
    rows = table[table["community"].astype(str) == ALL]
    if rows.empty:
        raise GridsimError(f"{path}: community: no row 'all' with the total")
    value = pd.to_numeric(rows["recommended_workers"], errors="coerce").iloc[0]
    if not (np.isfinite(value) and value > 0):
        raise GridsimError(f"{path}: recommended_workers: the total (row 'all') is "
                           f"{rows['recommended_workers'].iloc[0]!r}, not a number of workers "
                           "(a target no staffing level met?)")
    return float(value)


def _language(loaded: LoadedScenario) -> str:
    return str(getattr(loaded.scenario, "language", None) or DEFAULT_LANGUAGE)


# ---------------------------------------------------------------- tables


def _groups(chain: Chain) -> tuple[list[tuple[str, str]], np.ndarray]:
    """(post, grade) groups, per-post and total, and the states x groups 0/1 matrix."""
    keys: list[tuple[str, str]] = []
    columns = []
    for post in POSTS:
        for grade in sorted(set(chain.grade[chain.post == post])):
            keys.append((post, str(grade)))
            columns.append((chain.post == post) & (chain.grade == grade))
        keys.append((post, ALL))
        columns.append(chain.post == post)
    keys.append((ALL, ALL))
    columns.append(np.ones(len(chain), dtype=bool))
    return keys, np.stack(columns, axis=1).astype(float)


def _table(chain: Chain, exact: dict[str, Flows], simulated: dict[str, Flows],
           plans: dict[str, HiringPlan], routes: dict[str, EntryRoute], start_year: int,
           currency: str) -> pd.DataFrame:
    keys, group = _groups(chain)
    cost = f"cost_{currency.lower()}_per_year"
    lo, hi = 100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2
    frames = []
    for name, flows in exact.items():
        one_off = _one_off(plans[name], routes)
        mean = flows.headcount @ group
        paths = simulated[name].headcount @ group
        money = (flows.headcount * chain.cost) @ group
        money_paths = (simulated[name].headcount * chain.cost) @ group
        total = len(keys) - 1
        money[:, total] += one_off
        money_paths[:, :, total] += one_off
        years = np.arange(mean.shape[0])
        for g, (post, grade) in enumerate(keys):
            frames.append(pd.DataFrame({
                "plan": name, "year": start_year + years, "post": post, "grade": grade,
                "headcount": mean[:, g],
                "headcount_low": np.percentile(paths[:, :, g], lo, axis=0, method="lower"),
                "headcount_high": np.percentile(paths[:, :, g], hi, axis=0, method="higher"),
                "on_duty": (flows.headcount * chain.on_duty) @ group[:, g],
                cost: money[:, g],
                cost.replace("cost_", "cost_low_"): np.percentile(money_paths[:, :, g], lo,
                                                                  axis=0),
                cost.replace("cost_", "cost_high_"): np.percentile(money_paths[:, :, g], hi,
                                                                   axis=0)}))
    table = pd.concat(frames, ignore_index=True)
    ever = table.groupby(["post", "grade"])["headcount_high"].transform("max") + table.groupby(
        ["post", "grade"])["headcount"].transform("max")
    return table[(ever > 1e-9) | (table["grade"] == ALL)].reset_index(drop=True)


def _one_off(plan: HiringPlan, routes: dict[str, EntryRoute]) -> np.ndarray:
    costs = np.array([routes[r].one_off_cost for r in plan.routes])
    return costs @ plan.hires if len(costs) else np.zeros(plan.hires.shape[1])


def _plan_table(plan: HiringPlan | None, routes: dict[str, EntryRoute], chain: Chain,
                start_year: int, currency: str) -> pd.DataFrame:
    unit = currency.lower()
    columns = ["year", "route", "hires", "post", "grade", "decide_by_year",
               f"one_off_cost_{unit}", f"yearly_pay_{unit}_per_year"]
    rows = []
    if plan is not None:
        for i, name in enumerate(plan.routes):
            route = routes[name]
            yearly = chain.cost[chain.index(route.post, route.grade, 0)]
            for y in np.flatnonzero(plan.hires[i] > 0):
                hires = int(plan.hires[i, y])
                rows.append([start_year + int(y), name, hires, route.post, route.grade,
                             start_year + int(y) - route.lead_time_years,
                             hires * route.one_off_cost, hires * yearly])
    return pd.DataFrame(rows, columns=columns).sort_values(["year", "route"], ignore_index=True)


def _flows(exact: dict[str, Flows], start_year: int) -> pd.DataFrame:
    frames = []
    for name, f in exact.items():
        total = f.headcount.sum(axis=1)
        frames.append(pd.DataFrame({
            "plan": name, "year": start_year + np.arange(1, len(total)),
            "headcount_start": total[:-1], "entries": f.entries[1:],
            "attrition": f.attrition[1:], "promotion_out": f.promotion_out[1:],
            "headcount_end": total[1:]}))
    return pd.concat(frames, ignore_index=True)


def _describe_target(summary: dict[str, Any], chain: Chain, exact: dict[str, Flows],
                     simulated: dict[str, Flows], years: int, start_year: int,
                     on_duty: bool) -> None:
    weight = measure(chain, on_duty)
    target = summary["target"]
    first = summary["earliest_year"]
    summary["earliest_calendar_year"] = None if first is None else start_year + first
    summary["by_year"] = start_year + years
    name = "cheapest_plan" if summary["reachable"] else "at_caps"
    at_n = simulated[name].headcount[:, years] @ weight
    summary["plan"] = name
    summary["expected_at_end"] = float(exact[name].headcount[years] @ weight)
    summary["probability_reached"] = float(np.mean(at_n >= target - 1e-9))
    lo, hi = 100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2
    summary["at_end_low"] = float(np.percentile(at_n, lo, method="lower"))
    summary["at_end_high"] = float(np.percentile(at_n, hi, method="higher"))


# ---------------------------------------------------------------- the folder


def _publish(result: WorkforceResult, out: str | Path | None, lang: str) -> None:
    from sim.workforce.report import workforce_report

    loaded = result.scenario
    path = Path(out) if out is not None else default_folder(loaded.name, kind=KIND)
    target = result.target or {}
    identity = {"scenario_sha256": loaded.digest(), "years": result.years,
                "target": target.get("target"), "target_on": target.get("target_on"),
                "paths": result.paths, "seed": result.seed}
    folder = ResultFolder.open(
        path, kind=KIND, identity=identity,
        command=default_command("project_workforce", loaded, years=result.years,
                                target=target.get("target")),
        inputs={"scenario.yaml": lambda p: p.write_text(loaded.to_yaml(), encoding="utf-8")},
        info={"scenario": loaded.name, "scenario_file": loaded.source, "lang": lang})
    with folder.guarded():
        result.folder = path
        result.manifest = folder.manifest
        html = workforce_report(result, lang)
        folder.publish_tables(
            {PLAN_CSV: result.plan, FLOWS_CSV: result.flows, WORKFORCE_CSV: result.table},
            marker=WORKFORCE_CSV,
            others={REPORT_HTML: lambda p: p.write_text(html, encoding="utf-8")})
