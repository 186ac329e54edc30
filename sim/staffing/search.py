"""The search for the fewest community workers per community, three ways.

For each community (a :class:`CommunityState` holds what the search knows of it):

1. **analytic** — Erlang C on the community's pooled, stationary load (sim.staffing.analytic);
2. **screen** — from the analytic answer, the FIFO recursion on the scenario's real arrival
   profile, reporting delays and handling-time distributions, same random numbers as the full
   model, without priorities (sim.staffing.levels);
3. **full model** — the SimPy model runs the staffing rule's level beside the screen, then
   verifies the screen's level (moved to the side of the rule's level the full model showed)
   and the level below it with common random numbers; if the level misses it steps up, if the
   level below also meets it steps down, and re-verifies, until the level meets and the one
   below misses. Every run simulates the whole scenario (communities share departments); one
   run checks one level of every community. The full model has the last word.

A level *meets* when the mean over replications of every target share is at least its share
(and mean utilisation at most ``at_most``).

Each full-model evaluation (the whole scenario at one vector of levels, one replication) is a
pure function of its inputs; with a result folder it is kept as a part named by a digest of
the vector and the replication, so a second run of an interrupted search reuses it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from sim.experiment.executors import Executor
from sim.files.results import ResultFolder
from sim.scenario.loading import LoadedScenario
from sim.staffing.analytic import PooledLoad, analytic_workers, attainable
from sim.staffing.levels import run_task, search_ceilings
from sim.staffing.targets import TargetSet

MAX_ROUNDS = 12
"""Full-model rounds (step up / step down, re-verify) before giving up on settling."""

Vector = dict[str, int]
"""Community workers of every community, by community id: one full-model scenario."""


@dataclass
class CommunityState:
    """What the search knows about one community."""

    id: str
    index: int  # position in the scenario's communities
    name: str
    households: int
    load: PooledLoad
    minimum: int  # fewest workers with utilisation below 1
    maximum: int  # the most workers the search goes to
    rule: int  # workers under the staffing rule (households per worker)
    reachable: bool = True  # False: some target cannot be met by any number of workers
    analytic: int | None = None
    screen: int | None = None
    full_level: int | None = None  # the full model's level: while searching, then its answer
    notes: list[str] = field(default_factory=list)
    screen_values: pd.DataFrame | None = None  # per replication and level (column workers)
    full_values: dict[int, dict[int, pd.DataFrame]] = field(default_factory=dict)
    """workers -> replication -> the full model's rows (community and its grids)."""

    @property
    def fill(self) -> int:
        """The level this community has in runs that check other communities."""
        return max(self.rule, self.minimum)

    def simulated(self, workers: int | None) -> bool:
        return workers is not None and workers in self.full_values

    def full_frame(self, workers: int) -> pd.DataFrame:
        """The full model's rows at ``workers``, in replication order."""
        runs = self.full_values[workers]
        return pd.concat([runs[r] for r in sorted(runs)], ignore_index=True)

    def full_means(self, workers: int) -> dict[str, float]:
        frame = self.full_frame(workers)
        frame = frame[frame["grid"] == ""]
        return frame.drop(columns=["community", "grid"]).mean().to_dict()

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def part_name(vector: Vector, replication: int) -> str:
    """The file-safe name of one full-model evaluation: a digest of the levels, and the
    replication."""
    text = json.dumps(sorted(vector.items()), separators=(",", ":"))
    return f"full-{hashlib.sha256(text.encode()).hexdigest()[:16]}-r{replication}"


class Search:
    """One recommendation's search over all communities (see the module docstring)."""

    def __init__(self, loaded: LoadedScenario, targets: TargetSet, replications: int, seed: int,
                 executor: Executor, folder: ResultFolder | None,
                 say: Callable[[str], None]):
        self.loaded = loaded
        self.targets = targets
        self.replications = replications
        self.seed = seed
        self.executor = executor
        self.folder = folder
        self.say = say
        self.simulations = 0  # full-model replications run by this search
        self.reused = 0  # ... taken from the folder instead
        self._runs: dict[str, pd.DataFrame] = {}  # this session's evaluations, by part name
        spec = loaded.scenario
        loads = [PooledLoad.of(spec, c) for c in spec.communities]
        minimums = [load.stable_minimum() for load in loads]
        rule = spec.staffing.community_workers
        self.states = [
            CommunityState(c.id, i, c.name or "", c.households, load, low, high,
                           rule.workers_for(c.households))
            for i, (c, load, low, high) in enumerate(zip(
                spec.communities, loads, minimums, search_ceilings(spec, minimums),
                strict=True))]

    def run(self) -> list[CommunityState]:
        """Search every community; returns the states, each with its ``full_level``."""
        self._analytic()
        self._screen_and_rule()
        self._start()
        self._verify()
        return self.states

    # -- the three ways

    def _analytic(self) -> None:
        self.say("analytic: Erlang C per community")
        for state in self.states:
            best = attainable(self.targets, state.load)
            short = {k: v for k, v in best.items() if v < (self.targets.goal(k) or (0, ""))[0]}
            state.reachable = not short
            for key, value in short.items():
                state.note(f"{key} unattainable: handling alone meets it for only {value:.1%}")
            if state.reachable:
                state.analytic = analytic_workers(self.targets, state.load, state.maximum)

    def _screen_and_rule(self) -> None:
        """The screen (one task per community) and the full model at the rule's level (which
        the comparison needs anyway), side by side."""
        self.say(f"screen: FIFO recursion, {self.replications} replications per level")
        spec = self.loaded.scenario
        screens = [("screen", spec, s.index, self.seed, self.replications, self.targets,
                    s.analytic or s.rule, s.minimum, s.maximum, (s.rule,))
                   for s in self.states if s.reachable]
        needs = {s.id: [s.rule] for s in self.states if s.rule >= s.minimum}
        self._evaluate(screens, needs, "at the staffing rule's level")

    def _start(self) -> None:
        """The full model's first level: the screen's, on the side of the rule's level that
        the full model showed (at most the rule's level if it meets, above it if not)."""
        for state in self.states:
            if not state.reachable:
                continue
            start = state.screen or state.maximum
            if state.simulated(state.rule):
                if self.targets.meets(state.full_means(state.rule)):
                    start = min(start, state.rule)
                else:
                    start = max(start, state.rule + 1)
            state.full_level = min(max(start, state.minimum), state.maximum)

    def _verify(self) -> None:
        """Verify each level and the one below it; step and verify again until settled."""
        searching = [s for s in self.states if s.full_level is not None]
        for round_ in range(1, MAX_ROUNDS + 1):
            needs = {s.id: [c for c in self._around(s) if not s.simulated(c)] for s in searching}
            if round_ == 1:  # the analytic level too, where that costs no extra run
                depth = max((len(v) for v in needs.values()), default=0)
                for s in searching:
                    a = s.analytic
                    if (a is not None and a >= s.minimum and not s.simulated(a)
                            and a not in needs[s.id] and len(needs[s.id]) < depth):
                        needs[s.id].append(a)
            self._evaluate([], needs, f"round {round_}")
            changed = False
            for state in list(searching):
                if self._step(state):
                    changed = True
                elif state.full_level is None:
                    searching.remove(state)
            if not changed:
                return
        for state in searching:
            state.note(f"the full model did not settle in {MAX_ROUNDS} rounds")

    @staticmethod
    def _around(state: CommunityState) -> list[int]:
        c = state.full_level
        assert c is not None
        return [c] + ([c - 1] if c - 1 >= state.minimum else [])

    def _step(self, state: CommunityState) -> bool:
        """Move ``state``'s level one step if the full model says so; whether it moved."""
        c = state.full_level
        assert c is not None
        if not self.targets.meets(state.full_means(c)):
            if c >= state.maximum:
                state.note(f"no level up to {state.maximum} workers meets the targets")
                state.full_level = None
                return False
            state.full_level = c + 1
            return True
        if c - 1 >= state.minimum and self.targets.meets(state.full_means(c - 1)):
            state.full_level = c - 1
            return True
        return False

    # -- running the screen and the full model

    def _vectors(self, needs: dict[str, list[int]]) -> list[tuple[Vector, list[str]]]:
        """Whole-scenario runs: the k-th holds the k-th level to check of every community that
        has one (listed), the others at their fill level."""
        needs = {cid: levels for cid, levels in needs.items() if levels}
        depth = max((len(v) for v in needs.values()), default=0)
        out = []
        for b in range(depth):
            tested = [s.id for s in self.states if b < len(needs.get(s.id, []))]
            vector = {s.id: needs[s.id][b] if s.id in tested else s.fill for s in self.states}
            out.append((vector, tested))
        return out

    def _evaluate(self, screens: Sequence[tuple], needs: dict[str, list[int]],
                  label: str) -> None:
        """Run ``screens`` and the full model for ``needs`` (community -> levels), reusing the
        evaluations finished before (in this session, or kept in the folder)."""
        vectors = self._vectors(needs)
        if vectors:
            self.say(f"full model {label}: {sum(len(v) for v in needs.values())} community "
                     f"levels in {len(vectors)} run(s) of the scenario x {self.replications} "
                     "replications")
        tasks = list(screens)
        for vector, tested in vectors:
            scenario = None
            for r in range(self.replications):
                name = part_name(vector, r)
                frame = self._finished(name)
                if frame is not None:
                    self._record(tested, r, frame)
                    continue
                if scenario is None:
                    scenario = with_levels(self.loaded, vector).scenario
                tasks.append(("full", (name, tested, r), scenario, self.seed, r, self.targets))
        for kind, result in self.executor.imap(run_task, tasks):
            if kind == "screen":
                index, answer, table = result
                self.states[index].screen = answer
                self.states[index].screen_values = table
                continue
            (name, tested, r), frame = result
            if self.folder is not None:
                self.folder.save_part(name, frame)
            self._runs[name] = frame
            self.simulations += 1
            self._record(tested, r, frame)

    def _finished(self, name: str) -> pd.DataFrame | None:
        if name in self._runs:
            return self._runs[name]
        frame = self.folder.load_part(name) if self.folder is not None else None
        if frame is not None:
            self._runs[name] = frame
            self.reused += 1
        return frame

    def _record(self, tested: list[str], replication: int, frame: pd.DataFrame) -> None:
        by_id = {s.id: s for s in self.states}
        for cid in tested:
            rows = frame[frame["community"] == cid]
            workers = int(rows["workers"].iloc[0])
            by_id[cid].full_values.setdefault(workers, {})[replication] = rows.drop(
                columns=["replication", "workers"])


def with_levels(loaded: LoadedScenario, levels: Vector) -> LoadedScenario:
    """The whole scenario with each community at its number of community workers.

    Every community is simulated, always: they share departments (escalations), so one
    community's resolution times depend on the others' demand. A community's own workers and
    random streams are its own, so its numbers do not depend on the *levels* of the others,
    except through such shared resources.
    """
    return loaded.with_overrides(
        {f"communities.{cid}.community_workers": n for cid, n in levels.items()},
        label=loaded.source)
