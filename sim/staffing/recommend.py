"""``sim.recommend``: the fewest community workers that meet every target, checked three ways.

For each community:

1. **analytic** — Erlang C on the community's pooled, stationary load (sim.staffing.analytic);
2. **screen** — from the analytic answer, the Kiefer-Wolfowitz recursion on the scenario's real
   arrival profile and handling-time distributions, same random numbers as the full model,
   FIFO without priorities (sim.staffing.levels);
3. **full model** — the SimPy model runs the policy level beside the screen, then verifies the
   screen's level (moved to the side of the policy level the full model showed) and the level
   below it with common random numbers; if the level misses it steps up, if the level below also
   meets it steps down, and re-verifies, until the level meets and the one below misses. Every
   run simulates the whole scenario (communities share departments); one run checks one level
   of every community. The full model has the last word; where the methods disagree the table
   says so.

A level *meets* when the mean over replications of every target share is at least its share
(and mean utilisation at most ``at_most``); the 95% Student-t intervals are reported with it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.statistics import t_interval
from sim.errors import RunFolderError
from sim.experiment.executors import Executor, open_executor
from sim.experiment.runner import resolve
from sim.files.atomic import write_text
from sim.files.folder import MANIFEST, command_line, default_folder, versions
from sim.scenario.loading import LoadedScenario
from sim.scenario.policy import Target, describe_calendar
from sim.staffing.analytic import PooledLoad, analytic_values, analytic_workers, attainable
from sim.staffing.cost import cost_column, describe_pay, staffing_costs
from sim.staffing.levels import run_task, search_ceiling
from sim.staffing.targets import UTILISATION, TargetSet, resolve_targets

MAX_ROUNDS = 12
"""Full-model rounds (step up / step down, re-verify) before giving up on settling."""

RECOMMENDATION_CSV = "recommendation.csv"
LEVELS_CSV = "levels.csv"
GRIDS_CSV = "grids.csv"
REPORT_HTML = "report.html"
KIND = "recommend"


@dataclass
class RecommendResult:
    """What ``sim.recommend`` returns.

    ``table``: one row per community (and ``all``, the totals): households, workers under the
    policy, the analytic, screen and recommended numbers, households per worker, achieved target
    shares under the policy, the recommendation and the level below it (means with 95% CI
    bounds), utilisation, yearly cost, whether the methods agree, grids still missing.
    ``levels``: every level evaluated, tidy (community, workers, method, key, mean, ci_low,
    ci_high, replications). ``grids``: per-grid full-model values (empty until the engine has
    grids).
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
    manifest: dict = field(default_factory=dict, repr=False)

    @property
    def target_set(self) -> TargetSet:
        return TargetSet.compile(self.targets, self.scenario.scenario)

    def display_table(self) -> pd.DataFrame:
        """The planner's view: one row per community, shares as ``mean ± half-width``."""
        return display_table(self)

    def _repr_html_(self) -> str:
        where = f"<br>Folder: <code>{self.folder}</code>" if self.folder else ""
        targets = "".join(f"<li>{html.escape(t)}</li>" for t in self.target_set.descriptions())
        return (
            f"<h4>Staffing recommendation: {self.scenario.name}</h4>"
            f"<p>{self.replications} replications, seed {self.seed}{where}</p>"
            f"<ul>{targets}</ul>" + self.display_table().to_html()
        )


# ---------------------------------------------------------------- the search


def recommend(
    scenario: str | Path | LoadedScenario,
    targets: Sequence[str | Target] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    save: bool = True,
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
) -> RecommendResult:
    """Recommend community workers per community against ``targets``.

    ``targets`` are :class:`~sim.scenario.policy.Target` objects or command-line strings such as
    ``"respond_within_min=30@0.90"``; by default the scenario's ``targets:``. With ``save``
    (the default) a folder (``out``, default ``runs/<date>-<time>-<name>``) receives
    ``recommendation.csv``, ``levels.csv``, ``report.html``, ``scenario.yaml`` and
    ``manifest.json``.
    """
    started = time.perf_counter()
    started_at = _now()
    loaded = resolve(scenario)
    spec = loaded.scenario
    target_list = resolve_targets(spec, targets)
    compiled = TargetSet.compile(target_list, spec)
    replications = replications or spec.experiment.replications
    seed = spec.experiment.seed if seed is None else seed
    say = _logger(progress)
    folder = _open_folder(out, loaded, seed, save)
    with open_executor(executor, workers, scheduler) as ex:
        manifest = {
            "kind": KIND,
            "scenario": loaded.name,
            "scenario_file": loaded.source,
            "scenario_sha256": loaded.digest(),
            "seed": seed,
            "replications": replications,
            "targets": compiled.descriptions(),
            "command": command_line(),
            **ex.describe(),
            "started": started_at,
            "finished": None,
            "status": "running",
            "versions": {**versions(), "matplotlib": _version("matplotlib")},
        }
        if folder is not None:
            write_text(folder / "scenario.yaml", loaded.to_yaml())
            _write_manifest(folder, manifest)
        try:
            return _recommend(loaded, target_list, compiled, replications, seed, folder, ex,
                              say, started, manifest)
        except BaseException as exc:  # an interrupted search leaves no result files
            if folder is not None:
                manifest.update(status="interrupted" if isinstance(exc, KeyboardInterrupt)
                                else "failed", finished=_now())
                _write_manifest(folder, manifest)
            raise


def _recommend(loaded: LoadedScenario, target_list: list[Target], compiled: TargetSet,
               replications: int, seed: int, folder: Path | None, ex: Executor,
               say: Callable[[str], None], started: float, manifest: dict) -> RecommendResult:
    spec = loaded.scenario
    ids = [c.id for c in spec.communities]
    loads = {c.id: PooledLoad.of(spec, c) for c in spec.communities}
    minimum = {cid: loads[cid].stable_minimum() for cid in ids}
    maximum = {cid: search_ceiling(spec, i, minimum[cid]) for i, cid in enumerate(ids)}
    rule = spec.staffing.community_workers
    policy = {c.id: rule.workers_for(c.households) for c in spec.communities}
    notes: dict[str, list[str]] = defaultdict(list)

    # 1. analytic
    say("analytic: Erlang C per community")
    analytic: dict[str, int | None] = {}
    reachable: dict[str, bool] = {}
    for cid in ids:
        best = attainable(compiled, loads[cid])
        short = {k: v for k, v in best.items() if v < (compiled.goal(k) or (0, ""))[0]}
        reachable[cid] = not short
        for key, value in short.items():
            notes[cid].append(f"{key} unattainable: handling alone meets it for only {value:.1%}")
        analytic[cid] = analytic_workers(compiled, loads[cid], maximum[cid]) if not short else None

    # 2. the screen (in the worker pool, one task per community)
    screen: dict[str, int | None] = {}
    screen_tables: dict[str, pd.DataFrame] = {}
    cache: dict[tuple[str, int], list[pd.DataFrame]] = defaultdict(list)

    def full_jobs(needs: dict[str, list[int]], fill: dict[str, int], label: str) -> list[tuple]:
        """Full-model runs of whole scenarios: the k-th holds the k-th level to check of every
        community that has one, the others at their ``fill`` level (not recorded)."""
        needs = {cid: levels for cid, levels in needs.items() if levels}
        if not needs:
            return []
        depth = max(len(v) for v in needs.values())
        jobs = []
        for b in range(depth):
            tested = [cid for cid, v in needs.items() if b < len(v)]
            vector = {cid: needs[cid][b] if cid in tested else fill[cid] for cid in ids}
            scenario = _with_levels(loaded, vector).scenario
            jobs += [("full", scenario, seed, r, compiled, tested) for r in range(replications)]
        say(f"full model {label}: {sum(len(v) for v in needs.values())} community levels in "
            f"{depth} run(s) of the scenario x {replications} replications")
        return jobs

    def run(jobs: list[tuple]) -> None:
        for kind, result in ex.imap(run_task, jobs):
            if kind == "screen":
                index, answer, table = result
                screen[ids[index]] = answer
                screen_tables[ids[index]] = table
            else:
                for (cid, c), part in result.groupby(["community", "workers"], sort=False):
                    cache[(str(cid), int(c))].append(part)

    # the full model at the policy level (needed for the comparison anyway) runs alongside
    say(f"screen: Kiefer-Wolfowitz recursion, {replications} replications per level")
    fill = {cid: max(policy[cid], minimum[cid]) for cid in ids}
    run([("screen", spec, i, seed, replications, compiled, analytic[cid] or policy[cid],
          minimum[cid], maximum[cid], (policy[cid],))
         for i, cid in enumerate(ids) if reachable[cid]]
        + full_jobs({cid: [policy[cid]] for cid in ids if policy[cid] >= minimum[cid]}, fill,
                    "at the policy level"))

    # 3. the full model verifies the level and the one below, steps, re-verifies; it starts
    # from the screen's answer, moved to the side of the policy level the full model showed

    def means(cid: str, c: int) -> dict[str, float]:
        frame = pd.concat(cache[(cid, c)])
        frame = frame[frame["grid"] == ""]
        return frame[compiled.keys].mean().to_dict()

    level = {}
    for cid in ids:
        if not reachable[cid]:
            continue
        start = screen.get(cid) or maximum[cid]
        if (cid, policy[cid]) in cache:
            meets_policy = compiled.meets(means(cid, policy[cid]))
            start = min(start, policy[cid]) if meets_policy else max(start, policy[cid] + 1)
        level[cid] = min(max(start, minimum[cid]), maximum[cid])
    settled = False
    for round_ in range(1, MAX_ROUNDS + 1):
        needs: dict[str, list[int]] = {}
        for cid in ids:
            wanted = []
            if cid in level:
                c = level[cid]
                wanted = [c] + ([c - 1] if c - 1 >= minimum[cid] else [])
            needs[cid] = [w for w in dict.fromkeys(wanted) if (cid, w) not in cache]
        if round_ == 1:
            depth = max((len(v) for v in needs.values()), default=0)
            for cid in ids:
                a = analytic[cid]
                if (a is not None and a >= minimum[cid] and a not in needs[cid]
                        and len(needs[cid]) < depth):
                    needs[cid].append(a)
        run(full_jobs(needs, fill, f"round {round_}"))
        changed = False
        for cid, c in list(level.items()):
            if not compiled.meets(means(cid, c)):
                if c >= maximum[cid]:
                    notes[cid].append(f"no level up to {maximum[cid]} workers meets the targets")
                    del level[cid]
                    continue
                level[cid] = c + 1
                changed = True
            elif c - 1 >= minimum[cid] and compiled.meets(means(cid, c - 1)):
                level[cid] = c - 1
                changed = True
        if not changed:
            settled = True
            break
    if not settled:
        for cid in level:
            notes[cid].append(f"the full model did not settle in {MAX_ROUNDS} rounds")

    say("assembling the tables")
    recommended = {cid: level.get(cid) for cid in ids}
    levels = _levels_table(ids, compiled, loads, cache, screen_tables, minimum, recommended,
                           policy, analytic, screen)
    grids = _grids_table(cache, compiled)
    table = _recommendation_table(spec, ids, compiled, policy, analytic, screen, recommended,
                                  minimum, cache, grids, notes)
    assumptions = _assumptions(spec, compiled, replications, seed, policy)
    result = RecommendResult(loaded, target_list, seed, replications, table, levels, grids,
                             assumptions, folder, 0.0, manifest)
    if folder is not None:
        from sim.staffing.report import recommendation_report

        write_text(folder / RECOMMENDATION_CSV, table.to_csv(index=False))
        write_text(folder / LEVELS_CSV, levels.to_csv(index=False))
        if not grids.empty:
            write_text(folder / GRIDS_CSV, grids.to_csv(index=False))
        result.seconds = time.perf_counter() - started
        manifest.update(status="complete", finished=_now(), seconds=round(result.seconds, 2))
        write_text(folder / REPORT_HTML, recommendation_report(result))
        _write_manifest(folder, manifest)
    result.seconds = time.perf_counter() - started
    return result


# ---------------------------------------------------------------- helpers


def _with_levels(loaded: LoadedScenario, levels: dict[str, int]) -> LoadedScenario:
    """The whole scenario with each community at its number of community workers.

    Every community is simulated, always: they share departments (escalations), so one
    community's resolution times depend on the others' demand. A community's own workers and
    random streams are its own, so its numbers do not depend on the levels of the others,
    except through such shared resources.
    """
    return loaded.with_overrides(
        {f"communities.{cid}.community_workers": n for cid, n in levels.items()},
        label=loaded.source)


def _interval(values: np.ndarray) -> tuple[float, float, float, int]:
    mean, half, _, n = t_interval(np.asarray(values, dtype=float))
    half = half if np.isfinite(half) else np.nan
    return mean, mean - half, mean + half, n


def _full(cache, cid: str, c: int | None, keys: list[str]) -> dict[str, tuple]:
    """Mean and CI of every key for community ``cid`` at ``c`` workers (empty if not run)."""
    if c is None or (cid, c) not in cache:
        return {}
    frame = pd.concat(cache[(cid, c)])
    frame = frame[frame["grid"] == ""]
    return {key: _interval(frame[key].to_numpy()) for key in keys}


def _levels_table(ids, compiled, loads, cache, screen_tables, minimum, recommended, policy,
                  analytic, screen) -> pd.DataFrame:
    rows = []
    keys = compiled.keys
    for cid in ids:
        evaluated = [c for (k, c) in cache if k == cid]
        if cid in screen_tables:
            evaluated += screen_tables[cid]["workers"].unique().tolist()
        candidates = [x for x in (recommended[cid], policy[cid], analytic[cid], screen.get(cid))
                      if x is not None]
        top = max([*evaluated, *candidates, minimum[cid]]) + 1
        for c in range(minimum[cid], top + 1):
            values = analytic_values(compiled, loads[cid], c)
            for key in keys:
                rows.append((cid, c, "analytic", key, values[key], np.nan, np.nan, 0))
        if cid in screen_tables:
            for c, part in screen_tables[cid].groupby("workers"):
                for key in keys:
                    mean, low, high, n = _interval(part[key].to_numpy())
                    rows.append((cid, int(c), "screen", key, mean, low, high, n))
        for c in sorted(c for (k, c) in cache if k == cid):
            for key, (mean, low, high, n) in _full(cache, cid, c, keys).items():
                rows.append((cid, c, "full_model", key, mean, low, high, n))
    return pd.DataFrame(rows, columns=["community", "workers", "method", "key", "mean", "ci_low",
                                       "ci_high", "replications"])


def _grids_table(cache, compiled) -> pd.DataFrame:
    """Per-grid full-model values (mean and CI) at every level run; empty without grids."""
    rows = []
    for (cid, c), parts in cache.items():
        frame = pd.concat(parts)
        frame = frame[frame["grid"] != ""]
        for grid, part in frame.groupby("grid", sort=False):
            for key, _ in ((t.key, t) for _, t in compiled.service):
                mean, low, high, n = _interval(part[key].to_numpy())
                rows.append((cid, grid, c, key, mean, low, high, n))
    return pd.DataFrame(rows, columns=["community", "grid", "workers", "key", "mean", "ci_low",
                                       "ci_high", "replications"])


def _grids_missing(grids: pd.DataFrame, compiled: TargetSet, cid: str, c: int | None) -> str:
    """Grids of ``cid`` whose mean share misses a service target at ``c`` workers."""
    if grids.empty or c is None:
        return ""
    part = grids[(grids["community"] == cid) & (grids["workers"] == c)]
    missing = []
    for grid, rows in part.groupby("grid", sort=False):
        means = dict(zip(rows["key"], rows["mean"], strict=True))
        if any(means.get(t.key, np.nan) < t.share for _, t in compiled.service):
            missing.append(str(grid))
    return "; ".join(missing)


def _recommendation_table(spec, ids, compiled, policy, analytic, screen, recommended, minimum,
                          cache, grids, notes) -> pd.DataFrame:
    keys = compiled.keys
    households = {c.id: c.households for c in spec.communities}
    names = {c.id: c.name or "" for c in spec.communities}
    rows = []
    for cid in ids:
        rec = recommended[cid]
        below = rec - 1 if rec is not None else None
        row: dict[str, object] = {
            "community": cid,
            "name": names[cid],
            "households": households[cid],
            "policy_workers": policy[cid],
            "analytic_workers": _int(analytic[cid]),
            "screen_workers": _int(screen.get(cid)),
            "recommended_workers": _int(rec),
            "change_workers": _int(None if rec is None else rec - policy[cid]),
            "households_per_worker_policy": households[cid] / policy[cid] if policy[cid] else
            np.nan,
            "households_per_worker_recommended": households[cid] / rec if rec else np.nan,
        }
        found = {"policy": policy[cid], "recommended": rec, "below": below}
        borderline = []
        for which, c in found.items():
            values = _full(cache, cid, c, keys)
            borderline.append(_straddles(compiled, which, values))
            unstable = c is not None and c < minimum[cid]
            for key in keys:
                mean, low, high, _ = values.get(key, (np.nan,) * 4)
                if unstable and key != UTILISATION:
                    mean = 0.0  # unstable: the backlog grows without bound
                row[f"{key}_{which}"] = mean
                row[f"{key}_{which}_ci_low"] = low
                row[f"{key}_{which}_ci_high"] = high
            means = {k: v[0] for k, v in values.items()}
            row[f"meets_{which}"] = bool(values) and compiled.meets(means)
            if unstable:
                notes[cid].append(f"{which} level {c} is unstable (utilisation >= 100%)")
        row["borderline"] = "; ".join(b for b in borderline if b)
        row["grids_missing_policy"] = _grids_missing(grids, compiled, cid, policy[cid])
        row["grids_missing_recommended"] = _grids_missing(grids, compiled, cid, rec)
        methods = {"analytic": analytic[cid], "screen": screen.get(cid), "full model": rec}
        row["methods_agree"] = len(set(methods.values())) == 1 and rec is not None
        row["disagreement"] = _disagreement(methods)
        row["notes"] = "; ".join(dict.fromkeys(notes[cid]))
        rows.append(row)
    table = pd.DataFrame(rows)
    costs = staffing_costs(spec.pay, {cid: {"policy": policy[cid], "recommended":
                                            recommended[cid]} for cid in ids})
    table = table.merge(costs, on="community", how="left")
    table[cost_column(spec.pay, "change")] = (table[cost_column(spec.pay, "recommended")]
                                              - table[cost_column(spec.pay, "policy")])
    return pd.concat([table, _total_row(table)], ignore_index=True)


def _total_row(table: pd.DataFrame) -> pd.DataFrame:
    total: dict[str, object] = {"community": "all", "name": ""}
    for column in ("households", "policy_workers", "analytic_workers", "screen_workers",
                   "recommended_workers", "change_workers"):
        values = table[column]
        total[column] = values.sum() if values.notna().all() else pd.NA
    for column in [c for c in table.columns if c.startswith("cost_")]:
        values = table[column]
        total[column] = values.sum() if values.notna().all() else np.nan
    if pd.notna(total["policy_workers"]) and total["policy_workers"]:
        total["households_per_worker_policy"] = total["households"] / total["policy_workers"]
    if pd.notna(total["recommended_workers"]) and total["recommended_workers"]:
        total["households_per_worker_recommended"] = (total["households"]
                                                      / total["recommended_workers"])
    for which in ("policy", "recommended", "below"):
        total[f"meets_{which}"] = bool(table[f"meets_{which}"].all())
    total["methods_agree"] = bool(table["methods_agree"].all())
    return pd.DataFrame([total])


def _straddles(compiled: TargetSet, which: str, values: dict[str, tuple]) -> str:
    """'below: response_30min_all (0.893, CI 0.886-0.901)' for each interval holding a bound."""
    out = []
    for key, (mean, low, high, _) in values.items():
        goal = compiled.goal(key)
        if goal is not None and np.isfinite(low) and low <= goal[0] <= high:
            out.append(f"{key} {mean:.3f} (CI {low:.3f}-{high:.3f})")
    return f"{which}: {', '.join(out)}" if out else ""


def _int(value: int | None) -> object:
    return pd.NA if value is None else int(value)


def _disagreement(methods: dict[str, int | None]) -> str:
    """'' when all agree, else e.g. 'analytic 2 < full model 3 (screen 3 agrees)'."""
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


def _assumptions(spec, compiled: TargetSet, replications: int, seed: int, policy) -> list[str]:
    rule = spec.staffing.community_workers
    horizon = spec.horizon
    out = [
        f"Policy: one community worker per {rule.households_per_worker:g} households "
        f"(rounding: {rule.rounding}, at least {rule.minimum}).",
        "Analytic: Erlang C, one FIFO queue of community workers per community, Poisson "
        "arrivals at the yearly average rate and exponential handling at the pooled mean "
        "handling time, on the workers' working time when they keep a calendar; time of day, "
        "weekdays, seasons, priorities, travel, reporting delays and other responders are "
        "ignored.",
        f"Screen: the exact FIFO recursion (Kiefer-Wolfowitz) on the scenario's real arrival "
        f"profile, reporting delays and handling-time distributions, {replications} "
        "replications with the full model's random numbers, on the workers' working clock. It "
        "has no priorities (every category the workers take in one FIFO queue), no grid "
        "members, volunteers or Party members, no travel and no escalation.",
        f"Full model: the SimPy model, {replications} replications, seed {seed}, "
        f"{horizon.days:g} days with {horizon.warmup_days:g} warm-up days cut; common random "
        "numbers across levels. It decides: the recommendation is the fewest workers whose "
        "mean share meets every target; the level below it is simulated too. Intervals are "
        "95% Student-t over replications.",
        "Each full-model run simulates the whole scenario (communities share departments); "
        "one run checks one level of every community that has a level to check.",
    ]
    windows = {describe_calendar(w) for w in compiled.windows if w is not None}
    if windows:
        out.append(
            "Working hours: a working-hours target counts the issues that ARRIVE in working "
            f"hours ({'; '.join(sorted(windows))}); when they are handled is up to the model "
            "(its staff calendars, if any)."
        )
    if spec.pay is not None:
        out.extend(describe_pay(spec.pay))
    else:
        out.append("No pay table in the scenario: costs are left empty.")
    return out


def display_table(result: RecommendResult) -> pd.DataFrame:
    """One row per community; shares as ``mean ± half-width`` text."""
    t = result.table
    compiled = result.target_set
    pay = result.scenario.scenario.pay
    out = pd.DataFrame({
        "community": t["community"],
        "households": t["households"],
        "policy": t["policy_workers"],
        "analytic": t["analytic_workers"],
        "screen": t["screen_workers"],
        "recommended": t["recommended_workers"],
        "hh/worker": t["households_per_worker_recommended"].map(
            lambda v: f"{v:,.0f}" if pd.notna(v) else "-"),
    })
    for _, target in compiled.service:
        for which in ("policy", "recommended"):
            out[f"{target.key} {which}"] = [
                _pm(m, lo, hi) for m, lo, hi in zip(
                    t[f"{target.key}_{which}"], t[f"{target.key}_{which}_ci_low"],
                    t[f"{target.key}_{which}_ci_high"], strict=True)]
    out["utilisation"] = [
        "-" if pd.isna(p) else f"{p:.2f} -> {r:.2f}"
        for p, r in zip(t["utilisation_policy"], t["utilisation_recommended"], strict=True)]
    cost_p, cost_r = cost_column(pay, "policy"), cost_column(pay, "recommended")
    if pay is not None:
        out[f"cost {pay.currency}/year"] = [
            f"{p:,.0f} -> {r:,.0f}" if pd.notna(p) and pd.notna(r) else "-"
            for p, r in zip(t[cost_p], t[cost_r], strict=True)]
    out["agree"] = t["methods_agree"].map(lambda v: "yes" if v else "no")
    return out.set_index("community")


def _pm(mean: float, low: float, high: float) -> str:
    if mean is None or not np.isfinite(mean):
        return "-"
    if not (np.isfinite(low) and np.isfinite(high)):
        return f"{mean:.3f}"
    return f"{mean:.3f} ± {(high - low) / 2:.3f}"


# ---------------------------------------------------------------- the folder


def _open_folder(out, loaded: LoadedScenario, seed: int, save: bool) -> Path | None:
    if not save:
        return None
    path = Path(out) if out is not None else default_folder(loaded.name, kind=KIND)
    if path.exists():
        if not path.is_dir():
            raise RunFolderError(f"{path}: exists and is not a folder; choose another --out")
        manifest = path / MANIFEST
        if any(path.iterdir()):
            kind = None
            if manifest.exists():
                try:
                    kind = json.loads(manifest.read_text(encoding="utf-8")).get("kind")
                except (OSError, ValueError):
                    kind = None
            if kind != KIND:
                raise RunFolderError(
                    f"{path}: exists and is not a recommend folder; choose another --out")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunFolderError(f"{path}: cannot create the folder ({exc})") from None
    for name in (RECOMMENDATION_CSV, LEVELS_CSV, GRIDS_CSV, REPORT_HTML):
        (path / name).unlink(missing_ok=True)  # a folder never shows stale results
    return path


def _write_manifest(folder: Path, manifest: dict) -> None:
    write_text(folder / MANIFEST, json.dumps(manifest, indent=2, default=str) + "\n")


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _logger(progress: bool | None) -> Callable[[str], None]:
    show = sys.stderr.isatty() if progress is None else progress
    start = time.perf_counter()

    def say(message: str) -> None:
        if show:
            print(f"[{time.perf_counter() - start:5.1f} s] {message}", file=sys.stderr)

    return say
