"""``gridsim recommend --roster``: per community the hour-by-hour requirement, the cheapest
roster of allowed shifts that covers it, and the full model's check of that roster.

1. **Requirement** (:mod:`sim.staffing.requirement`): the iterative staffing algorithm on the
   screen, calibrated on the full model's shares of the work, for every hour of the week.
2. **Roster** (:mod:`sim.staffing.shifts`): the weeks of shifts the labour rules allow, and
   the integer program (HiGHS) that covers the requirement at least cost.
3. **Check**: the full model with every community's workers on their roster's calendars (the
   duty rota kept), as many replications as the recommendation's first batch, measured by the
   same targets and decided by the same one-sided bounds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import OptionError
from sim.experiment.executors import Executor
from sim.model.measures import DRAIN_DAYS
from sim.report.folders import scenario_language
from sim.report.i18n import Texts
from sim.staffing.decide import Decision
from sim.staffing.levels import WorkerShifts, run_task
from sim.staffing.notes import note, words
from sim.staffing.requirement import HOURS, Requirement, community_requirement
from sim.staffing.search import CommunityState, Search
from sim.staffing.shifts import Roster, cheapest, tours
from sim.staffing.tables import setting_table
from sim.staffing.targets import TargetSet
from sim.staffing.workload import WorkerShare

PARAMETER = "roster"


@dataclass
class RosterResult:
    """``requirement``: community, day, hour, required, covered (requirement.csv);
    ``roster``: community, shift, workers, the shift of each day, paid hours a week, cost a
    year (roster.csv); ``check``: the full model with the rosters, per community: workers,
    replications, decision, and each target's mean with its 95% interval; ``notes``."""

    requirement: pd.DataFrame
    roster: pd.DataFrame
    check: pd.DataFrame
    notes: dict[str, list[str]]


def plan_rosters(search: Search, states: Sequence[CommunityState], say: Callable[[str], None]
                 ) -> RosterResult:
    """Requirement, roster and full-model check for the recommended state of each community."""
    loaded = search.loaded
    spec = loaded.scenario
    shifts = spec.shifts
    if shifts is None:
        raise OptionError(f"`{PARAMETER}`: {loaded.source} has no shifts: (the shift patterns "
                          "and labour rules a roster may use; see docs/staffing.md)", PARAMETER)
    weeks = tours(shifts)
    decision = search.decision
    say(f"requirement: the iterative staffing algorithm on the screen, {decision.replications} "
        "replications, every hour of the week")
    with search.timed("requirement: iterative staffing on the screen"):
        requirements = _requirements(search, states, search.executor)
    notes: dict[str, list[str]] = {s.id: [] for s in states}
    say(f"roster: least-cost weeks of shifts ({len(weeks)} allowed weeks), HiGHS")
    rosters: dict[str, Roster] = {}
    with search.timed("roster: integer program (HiGHS)"):
        _cover(states, requirements, shifts, weeks, rosters, notes,
               Texts(scenario_language(spec, "")))
    say("full model with the rosters")
    with search.timed("roster check: full model"):
        check = _check(search, states, rosters, shifts, decision)
    currency = spec.pay.currency if spec.pay is not None else "cny"
    requirement_rows = []
    for state in states:
        requirement = requirements.get(state.id)
        if requirement is None:
            continue
        frame = requirement.table(state.id)
        roster = rosters.get(state.id)
        frame["covered"] = roster.covered if roster is not None else np.zeros(HOURS)
        requirement_rows.append(frame)
    roster_rows = [r.table(shifts, currency) for r in rosters.values()]
    return RosterResult(
        pd.concat(requirement_rows, ignore_index=True) if requirement_rows else
        pd.DataFrame(columns=["community", "day", "hour", "required", "covered"]),
        pd.concat(roster_rows, ignore_index=True) if roster_rows else
        pd.DataFrame(columns=["community", "shift", "workers"]),
        check, notes)


def _cover(states: Sequence[CommunityState], requirements: dict[str, Requirement], shifts,
           weeks, rosters: dict[str, Roster], notes: dict[str, list[str]], t: Texts) -> None:
    """The least-cost roster of each community with a requirement (into ``rosters``), what
    stands in the way in ``notes`` (in ``t``'s language)."""
    for state in states:
        requirement = requirements.get(state.id)
        if requirement is None:
            notes[state.id].append(words([note("no_response_target")], t))
            continue
        if not requirement.converged:
            notes[state.id].append(words([note("requirement_unsettled")], t))
        roster = cheapest(state.id, requirement.week, shifts, weeks)
        if roster.uncovered_hours:
            notes[state.id].append(words([note("uncovered_hours",
                                                hours=len(roster.uncovered_hours))], t))
        if roster.workers > 0:
            rosters[state.id] = roster


def _requirements(search: Search, states: Sequence[CommunityState], executor: Executor
                  ) -> dict[str, Requirement]:
    tasks = []
    for state in states:
        if state.shares is None or state.full_level is None:
            continue
        scenario = search.scenario_at({**search.fill_vector(), state.id: (state.fill, state.mix)})
        tasks.append((state.id, scenario, state.index, search.seed,
                      search.decision.replications, search.targets, state.shares,
                      state.maximum))
    out = {}
    for cid, requirement in executor.imap(_requirement_task, tasks):
        if requirement is not None:
            out[cid] = requirement
    return out


def _requirement_task(cid: str, scenario, community: int, seed: int, replications: int,
                      targets: TargetSet, shares: WorkerShare, ceiling: int
                      ) -> tuple[str, Requirement | None]:
    return cid, community_requirement(scenario, community, seed, replications, targets,
                                      shares, ceiling)


def _check(search: Search, states: Sequence[CommunityState], rosters: dict[str, Roster],
           shifts, decision: Decision) -> pd.DataFrame:
    """The full model with every rostered community on its roster (the others as
    recommended), ``decision.replications`` replications, kept as parts."""
    vector = dict(search.fill_vector())
    calendars: WorkerShifts = {}
    spec = search.loaded.scenario
    end = (spec.horizon.days + DRAIN_DAYS) * 1440
    for state in states:
        roster = rosters.get(state.id)
        if roster is None:
            if state.full_level is not None:
                vector[state.id] = (state.full_level, state.mix)
            continue
        vector[state.id] = (roster.workers, state.mix)
        calendars[state.id] = [
            (f"w{i}", tour.intervals(shifts, spec.horizon.start, end))
            for i, (tour, n) in enumerate(sorted(roster.weeks, key=lambda w: -w[0].hours(
                shifts))) for _ in range(n)]
    if not calendars:
        return pd.DataFrame(columns=["community", "workers", "replications", "verdict"])
    scenario = search.scenario_at(vector)
    digest = hashlib.sha256(json.dumps(
        [sorted((c, w, m.key()) for c, (w, m) in vector.items()),
         {c: [[t.days, n] for t, n in r.weeks] for c, r in sorted(rosters.items())}],
        separators=(",", ":")).encode()).hexdigest()[:16]
    frames = {}
    tasks = []
    for r in range(decision.replications):
        name = f"roster-{digest}-r{r}"
        frame = search.folder.load_part(name) if search.folder is not None else None
        if frame is not None:
            frames[r] = frame
            search.reused += 1
        else:
            tasks.append(("full", name, scenario, search.seed, r, search.targets, calendars))
    for _, (name, frame) in search.executor.imap(run_task, tasks):
        if search.folder is not None:
            search.folder.save_part(name, frame)
        search.simulations += 1
        frames[int(name.rsplit("-r", 1)[1])] = frame
    every = pd.concat([frames[r] for r in sorted(frames)], ignore_index=True)
    return setting_table(every, {cid: r.workers for cid, r in rosters.items()},
                         search.targets, decision)
