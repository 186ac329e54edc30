"""The search for the fewest community workers per community, three ways.

For each community (a :class:`CommunityState` holds what the search knows of it, one state per
mix of the other roles the scenario lets vary, :mod:`sim.staffing.mix`):

0. **stable levels** — the capacity check (:mod:`sim.scenario.capacity`) gives the fewest
   workers with which no set of categories outgrows the crews able to take it; under the
   staffing rule a community below it is overloaded (a finding, never simulated);
1. **calibration** — the full model runs every community at its *fill* level (the rule's, or the
   fewest stable workers when the rule's is overloaded) and measures what the community
   workers carry of each category and their travel (:mod:`sim.staffing.workload`);
2. **analytic** — Erlang C on that calibrated, pooled, stationary load
   (:mod:`sim.staffing.analytic`);
3. **screen** — the FIFO recursion on the scenario's real arrival profile, reporting delays and
   handling times, with the full model's random numbers, thinned to the workers' share and
   with their travel (:mod:`sim.staffing.levels`); also at demand x 0.8 and x 1.2;
4. **full model** — from the screen's level (moved to the side of the fill level the full model
   showed), verifies the level and the one below it; a level is decided by one-sided bounds
   over replications (:mod:`sim.staffing.decide`): if it misses it steps up, if the level below
   meets too it steps down, and an undecided level gets more replications, until the level
   meets and the one below misses, or the cap leaves it *borderline*. Every run simulates the
   whole scenario (communities share departments); one run checks one level of every
   community. The full model has the last word.

Each full-model evaluation (the whole scenario at one vector of levels, one replication) is a
pure function of its inputs; with a result folder it is kept as a part named by a digest of
the vector and the replication, so a second run of an interrupted search reuses it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.errors import ScenarioError, UnstableScenarioError
from sim.experiment.executors import Executor
from sim.files.results import ResultFolder
from sim.scenario.capacity import Shortfall, fewest_stable_workers, shortfall
from sim.scenario.loading import LoadedScenario
from sim.scenario.schema import Scenario
from sim.staffing.analytic import PooledLoad, analytic_workers, attainable
from sim.staffing.decide import MEETS, MISSES, UNDECIDED, Decision
from sim.staffing.levels import ScreenAnswer, run_task, search_ceilings
from sim.staffing.mix import Mix, mixes
from sim.staffing.notes import Note, note
from sim.staffing.targets import TargetSet
from sim.staffing.workload import WorkerShare

MAX_ROUNDS = 12
"""Full-model rounds (step up / step down / more replications) before giving up on settling."""
DEMANDS = (0.8, 1.2)
"""Demand factors of the sensitivity line (the screen and Erlang C at -20% and +20%)."""

Setting = tuple[int, Mix]
"""Community workers and the mix of the other roles of one community."""
Vector = dict[str, Setting]
"""The setting of every community, by community id: one full-model scenario."""


@dataclass
class CommunityState:
    """What the search knows about one community with one mix of the other roles."""

    id: str
    index: int  # position in the scenario's communities
    name: str
    households: int
    load: PooledLoad  # uncalibrated, then what the full model showed the workers carry
    proven_minimum: int  # fewest workers the capacity check accepts
    maximum: int  # the most workers the search goes to
    rule: int  # workers under the staffing rule (households per worker)
    mix: Mix = field(default_factory=Mix)
    overload: Shortfall | None = None  # the rule's overload (capacity check), if any
    minimum: int = 0  # fewest workers simulated (proven, or estimated, stable)
    reachable: bool = True  # False: some target cannot be met by any number of workers
    shares: WorkerShare | None = None
    analytic: int | None = None
    screen: int | None = None
    full_level: int | None = None  # the full model's level: while searching, then its answer
    analytic_by_demand: dict[float, int | None] = field(default_factory=dict)
    screen_by_demand: dict[float, int | None] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    screen_values: pd.DataFrame | None = None  # per replication and level (column workers)
    full_values: dict[int, dict[int, pd.DataFrame]] = field(default_factory=dict)
    """workers -> replication -> the full model's rows (community and its grids)."""
    _joined: dict[int, tuple[int, pd.DataFrame, pd.DataFrame]] = field(
        default_factory=dict, repr=False, compare=False)
    """workers -> (replications, :meth:`full_frame`, :meth:`community_frame`) as last joined."""

    @property
    def key(self) -> str:
        """The state's name: the community id, with its mix when not the scenario's own."""
        return self.id if self.mix.default else f"{self.id} [{self.mix.label()}]"

    @property
    def fill(self) -> int:
        """The level this community has in runs that check other communities: the rule's,
        or the fewest stable workers when the rule's is overloaded."""
        return max(self.rule, self.proven_minimum)

    def simulated(self, workers: int | None) -> bool:
        return workers is not None and workers in self.full_values

    def count(self, workers: int) -> int:
        """Full-model replications at ``workers``."""
        return len(self.full_values.get(workers, {}))

    def full_frame(self, workers: int) -> pd.DataFrame:
        """The full model's rows at ``workers``, in replication order."""
        return self._frames(workers)[0]

    def community_frame(self, workers: int) -> pd.DataFrame:
        """The full model's community rows (no grid rows) at ``workers``."""
        return self._frames(workers)[1]

    def _frames(self, workers: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(all rows, community rows) at ``workers``, kept until a replication is added."""
        runs = self.full_values[workers]
        kept = self._joined.get(workers)
        if kept is None or kept[0] != len(runs):
            frame = pd.concat([runs[r] for r in sorted(runs)], ignore_index=True)
            kept = self._joined[workers] = (len(runs), frame, frame[frame["grid"] == ""])
        return kept[1], kept[2]

    def note(self, code: str, **fields: Any) -> None:
        """Note ``code`` (:mod:`sim.staffing.notes`) with its figures, once."""
        made = note(code, **fields)
        if made not in self.notes:
            self.notes.append(made)


def part_name(vector: Vector, replication: int) -> str:
    """The file-safe name of one full-model evaluation: a digest of the settings, and the
    replication."""
    items = sorted((cid, workers, mix.key()) for cid, (workers, mix) in vector.items())
    text = json.dumps(items, separators=(",", ":"))
    return f"full-{hashlib.sha256(text.encode()).hexdigest()[:16]}-r{replication}"


class Search:
    """One recommendation's search over all communities (see the module docstring)."""

    def __init__(self, loaded: LoadedScenario, targets: TargetSet, decision: Decision,
                 seed: int, executor: Executor, folder: ResultFolder | None,
                 say: Callable[[str], None]):
        self.loaded = loaded
        self.targets = targets
        self.decision = decision
        self.seed = seed
        self.executor = executor
        self.folder = folder
        self.say = say
        self.simulations = 0  # full-model replications run by this search
        self.reused = 0  # ... taken from the folder instead
        self.stages: dict[str, float] = {}  # wall seconds of each step, by its engine
        self._runs: dict[str, pd.DataFrame] = {}  # this session's evaluations, by part name
        self._scenarios: dict[tuple, Scenario] = {}  # with_levels' scenario, by vector
        spec = loaded.scenario
        loads = [PooledLoad.of(spec, c) for c in spec.communities]
        ceilings = search_ceilings(spec, [load.stable_minimum() for load in loads])
        rule = spec.staffing.community_workers
        self.states: list[CommunityState] = []
        self._home: dict[str, int] = {}  # each community's fill level with its own mix
        for i, (c, load, high) in enumerate(zip(spec.communities, loads, ceilings,
                                                strict=True)):
            workers = rule.workers_for(c.households)
            low = fewest_stable_workers(spec, c, high)
            if low is None:
                raise ScenarioError([
                    f"{loaded.source}: communities[{i}]: no number of community workers up "
                    f"to {high} keeps up: {_overload(spec, c, high).message(c)}"])
            self._home[c.id] = max(workers, low)
            for mix in mixes(spec):
                try:
                    mixed = spec if mix.default else loaded.with_overrides(
                        mix.overrides(c.id), allow_unstable=True).scenario
                except ScenarioError:  # e.g. no grid member left to make the care visits
                    continue
                community = mixed.communities[i]
                low = fewest_stable_workers(mixed, community, high)
                if low is None:
                    continue  # this mix cannot keep up with any number of workers
                overload = _overload(mixed, community, workers) if workers < low else None
                self.states.append(CommunityState(
                    c.id, i, c.name or "", c.households, load, low, high, workers, mix,
                    overload, minimum=low))
        self._check_stable_at_fill()

    def _check_stable_at_fill(self) -> None:
        """What is unstable even with every community at its fill level (a department's
        overload, say) cannot be staffed away: refused, naming it."""
        try:
            with_levels(self.loaded, self.fill_vector(), allow_unstable=False)
        except UnstableScenarioError as exc:
            raise UnstableScenarioError(
                [*exc.problems, f"{self.loaded.source}: unstable whatever the number of "
                 "community workers: the staffing of other roles or departments must change"]
            ) from None

    def scenario_at(self, vector: Vector) -> Scenario:
        """The whole scenario at ``vector`` (:func:`with_levels`), made once per vector."""
        key = tuple(sorted(vector.items()))
        scenario = self._scenarios.get(key)
        if scenario is None:
            scenario = self._scenarios[key] = with_levels(self.loaded, vector).scenario
        return scenario

    def fill_vector(self) -> Vector:
        """Every community at its fill level with its own mix (the scenario's)."""
        return {cid: (workers, Mix()) for cid, workers in self._home.items()}

    def run(self) -> list[CommunityState]:
        """Search every community; returns the states, each with its ``full_level``."""
        self._reachable()
        with self.timed("calibration: full model"):
            self._calibrate()
        with self.timed("analytic: Erlang C"):
            self._analytic()
        with self.timed("screen: FIFO recursion"):
            self._screen()
        self._start()
        with self.timed("verification: full model"):
            self._verify()
        return self.states

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the wall time of the block to ``stages[stage]``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages[stage] = self.stages.get(stage, 0.0) + time.perf_counter() - started

    # -- the tiers

    def _reachable(self) -> None:
        for state in self.states:
            best = attainable(self.targets, state.load)
            short = {k: v for k, v in best.items() if v < (self.targets.goal(k) or (0, ""))[0]}
            state.reachable = not short
            for key, value in short.items():
                state.note("unattainable", target=key, share=f"{value:.1%}")
            for_rule = state.overload
            if for_rule is not None:
                state.note("rule_overloaded", workers=state.rule, needed=f"{for_rule.load:.2f}",
                           available=f"{for_rule.capacity:.2f}",
                           utilisation=(f"{for_rule.load / for_rule.capacity:.0%}"
                                        if for_rule.capacity else "∞"))

    def _community(self, state: CommunityState):
        return self.loaded.scenario.communities[state.index]

    def _calibrate(self) -> None:
        """The full model at every state's fill level: what the workers carry."""
        self.say("full model at the fill levels (the staffing rule's where it keeps up): what "
                 "community workers carry of each category")
        first = self.decision.replications
        self._evaluate([], {s.key: [(s.fill, first)] for s in self.states},
                       "at the fill levels")
        spec = self.loaded.scenario
        for state in self.states:
            frame = state.community_frame(state.fill)
            state.shares = WorkerShare.measured(frame, self.targets.categories,
                                                spec.travel is not None
                                                and spec.travel.return_to_base, state.fill)
            state.load = PooledLoad.of(spec, self._community(state), state.shares)
            estimated = state.load.stable_minimum()
            state.minimum = min(state.fill, max(state.proven_minimum, estimated))

    def _analytic(self) -> None:
        self.say("analytic: Erlang C per community, on the calibrated load")
        spec = self.loaded.scenario
        for state in self.states:
            if not state.reachable:
                continue
            state.analytic = analytic_workers(self.targets, state.load, state.maximum)
            for factor in DEMANDS:
                scaled = PooledLoad.of(spec, self._community(state), state.shares, factor)
                state.analytic_by_demand[factor] = analytic_workers(
                    self.targets, scaled, state.maximum)

    def _screen(self) -> None:
        self.say(f"screen: FIFO recursion on the calibrated load, {self.decision.replications} "
                 "replications per level, also at demand x " + ", x ".join(
                     f"{f:g}" for f in DEMANDS))
        spec = self.loaded.scenario
        tasks = []
        for i, state in enumerate(self.states):
            if not state.reachable:
                continue
            demands = tuple((f, PooledLoad.of(spec, self._community(state), state.shares,
                                              f).stable_minimum()) for f in DEMANDS)
            scenario = self.scenario_at({**self.fill_vector(), state.id: (state.fill, state.mix)})
            tasks.append((i, scenario, state.index, self.seed,
                          self.decision.replications, self.targets,
                          state.analytic or state.fill, state.minimum, state.maximum,
                          (state.rule, state.fill), state.shares, demands))
        for _, (i, answer) in self.executor.imap(_screen_task, tasks):
            state = self.states[i]
            assert isinstance(answer, ScreenAnswer)
            state.screen = answer.workers
            state.screen_values = answer.table
            state.screen_by_demand = answer.by_demand

    def _start(self) -> None:
        """The full model's first level: the screen's, on the side of the fill level that the
        full model showed (at most the fill level if it meets, above it if it misses)."""
        for state in self.states:
            if not state.reachable:
                continue
            start = state.screen or state.analytic or state.maximum
            verdict = self.verdict(state, state.fill)
            if verdict == MEETS:
                start = min(start, state.fill)
            elif verdict == MISSES:
                start = max(start, state.fill + 1)
            else:
                start = state.fill
            state.full_level = min(max(start, state.minimum), state.maximum)

    # -- deciding

    def verdict(self, state: CommunityState, workers: int) -> str | None:
        """The decision on ``workers`` so far: meets, misses, undecided, or None before the
        first batch. Below the stable minimum a level misses without being simulated."""
        if workers < state.proven_minimum:
            return MISSES
        n = state.count(workers)
        if n >= self.decision.replications:
            return self.decision.verdict(state.community_frame(workers), self.targets)
        if n == 0 and workers < state.minimum:
            return MISSES
        return None

    def _needs(self, state: CommunityState) -> list[tuple[int, int]]:
        """(level, replications) the state needs next to move on."""
        c = state.full_level
        assert c is not None
        first = self.decision.replications
        out = []
        here = self.verdict(state, c)
        if here is None:
            out.append((c, first))
        elif here == UNDECIDED and (more := self.decision.more(state.count(c))):
            return [(c, more)]
        below = c - 1
        if below >= state.minimum:
            there = self.verdict(state, below)
            if there is None:
                out.append((below, first))
            elif here == MEETS and there == UNDECIDED and (
                    more := self.decision.more(state.count(below))):
                out.append((below, more))
        return out

    def _step(self, state: CommunityState) -> bool:
        """Move ``state``'s level one step if the full model has decided so; whether it moved."""
        c = state.full_level
        assert c is not None
        here = self.verdict(state, c)
        if here is None or (here == UNDECIDED and self.decision.more(state.count(c))):
            return False
        if here != MEETS:
            if c >= state.maximum:
                state.note("no_level", workers=state.maximum)
                state.full_level = None
                return False
            state.full_level = c + 1
            return True
        if c - 1 >= state.minimum and self.verdict(state, c - 1) == MEETS:
            state.full_level = c - 1
            return True
        return False

    def _verify(self) -> None:
        """Verify each level and the one below it; step, add replications and verify again
        until settled."""
        searching = [s for s in self.states if s.full_level is not None]
        for round_ in range(1, MAX_ROUNDS + 1):
            while any([self._step(s) for s in searching]):
                searching = [s for s in searching if s.full_level is not None]
            searching = [s for s in searching if s.full_level is not None]
            needs = {s.key: self._needs(s) for s in searching}
            if not any(needs.values()):
                return
            self._free_riders(searching, needs, round_ == 1)
            self._evaluate([], needs, f"round {round_}")
        for state in searching:
            state.note("unsettled", rounds=MAX_ROUNDS)

    def _free_riders(self, searching: list[CommunityState],
                     needs: dict[str, list[tuple[int, int]]], first_round: bool) -> None:
        """Levels likely needed next, added where they cost no extra run of the scenario: the
        level above one still undecided (needed if it stays so), and in the first round the
        analytic level."""
        first = self.decision.replications
        runs = len(self._vectors(needs))
        for s in searching:
            c = s.full_level
            assert c is not None
            candidates = []
            if self.verdict(s, c) == UNDECIDED and c + 1 <= s.maximum:
                candidates.append(c + 1)
            if first_round and s.analytic is not None and s.analytic >= s.minimum:
                candidates.append(s.analytic)
            for level in candidates:
                if s.simulated(level) or any(level == have for have, _ in needs[s.key]):
                    continue
                needs[s.key].append((level, first))
                if len(self._vectors(needs)) > runs:
                    needs[s.key].pop()

    # -- running the screen and the full model

    def _vectors(self, needs: dict[str, list[tuple[int, int]]]
                 ) -> list[tuple[Vector, list[CommunityState], list[int]]]:
        """Whole-scenario runs: (settings, states tested, replications). Needs with the same
        missing replications share runs; the k-th run of a group holds the k-th level to check
        of every community that has one (one state per community), the others at their fill
        level."""
        by_key = {s.key: s for s in self.states}
        groups: dict[tuple[int, ...], dict[str, list[tuple[CommunityState, int]]]] = {}
        for key, levels in needs.items():
            state = by_key[key]
            for level, upto in levels:
                missing = tuple(r for r in range(upto)
                                if r not in state.full_values.get(level, {}))
                if missing:
                    groups.setdefault(missing, {}).setdefault(state.id, []).append(
                        (state, level))
        out = []
        for replications, per_community in groups.items():
            depth = max(len(v) for v in per_community.values())
            for b in range(depth):
                vector = self.fill_vector()
                tested = []
                for cid, items in per_community.items():
                    if b < len(items):
                        state, level = items[b]
                        vector[cid] = (level, state.mix)
                        tested.append(state)
                out.append((vector, tested, list(replications)))
        return out

    def _evaluate(self, screens: Sequence[tuple], needs: dict[str, list[tuple[int, int]]],
                  label: str) -> None:
        """Run the full model for ``needs`` (state key -> (level, replications)), reusing the
        evaluations finished before (in this session, or kept in the folder)."""
        vectors = self._vectors(needs)
        if vectors:
            runs = sum(len(reps) for _, _, reps in vectors)
            self.say(f"full model {label}: {sum(len(t) for _, t, _ in vectors)} community "
                     f"levels in {len(vectors)} setting(s) of the scenario, {runs} "
                     "replications in all")
        tasks = list(screens)
        for vector, tested, replications in vectors:
            scenario = None
            for r in replications:
                name = part_name(vector, r)
                frame = self._finished(name)
                if frame is not None:
                    self._record(tested, r, frame)
                    continue
                if scenario is None:
                    scenario = self.scenario_at(vector)
                keys = [state.key for state in tested]  # names: the task travels to a process
                tasks.append(("full", (name, keys, r), scenario, self.seed, r, self.targets))
        by_key = {state.key: state for state in self.states}
        for _, result in self.executor.imap(run_task, tasks):
            (name, keys, r), frame = result
            if self.folder is not None:
                self.folder.save_part(name, frame)
            self._runs[name] = frame
            self.simulations += 1
            self._record([by_key[k] for k in keys], r, frame)

    def _finished(self, name: str) -> pd.DataFrame | None:
        if name in self._runs:
            return self._runs[name]
        frame = self.folder.load_part(name) if self.folder is not None else None
        if frame is not None:
            self._runs[name] = frame
            self.reused += 1
        return frame

    @staticmethod
    def _record(tested: list[CommunityState], replication: int, frame: pd.DataFrame) -> None:
        by_community = dict(tuple(frame.groupby("community", sort=False)))
        for state in tested:
            rows = by_community[state.id]
            workers = int(rows["workers"].iloc[0])
            state.full_values.setdefault(workers, {})[replication] = rows.drop(
                columns=["replication", "workers"])


def _overload(scenario, community, workers: int) -> Shortfall:
    """The capacity problem of ``community`` with ``workers`` community workers."""
    short = shortfall(scenario, community.model_copy(update={"community_workers": workers}))
    assert short is not None
    return short


def _screen_task(i: int, *args) -> tuple[str, tuple[int, ScreenAnswer]]:
    """A screen task for the executor: the state's position and the screen's answer."""
    kind, answer = run_task("screen", *args)
    assert isinstance(answer, ScreenAnswer)
    return kind, (i, answer)


def with_levels(loaded: LoadedScenario, levels: Vector, allow_unstable: bool = True
                ) -> LoadedScenario:
    """The whole scenario with each community at its number of community workers and mix.

    Every community is simulated, always: they share departments (escalations), so one
    community's resolution times depend on the others' demand. A community's own workers and
    random streams are its own, so its numbers do not depend on the *levels* of the others,
    except through such shared resources.
    """
    overrides: dict[str, object] = {}
    for cid, (workers, mix) in levels.items():
        overrides[f"communities.{cid}.community_workers"] = workers
        overrides.update(mix.overrides(cid))
    return loaded.with_overrides(overrides, label=loaded.source, allow_unstable=allow_unstable)
