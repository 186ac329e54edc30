"""The SimPy engine: issue arrivals, dispatch to workers, handling, statistics.

Design for speed (DESIGN.md section 7): the per-issue path schedules two SimPy events (the
arrival and the end of handling) as bare callback events through ``Environment.schedule``
instead of one generator process and a ``Resource`` request per issue. Issues are plain tuples,
random numbers come in numpy blocks from named streams, and statistics go to a buffer folded
into numpy sums every few thousand issues. Rare, stateful behaviour (shifts, surges, visits)
can still be written as ordinary SimPy processes in the same environment.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import simpy
from simpy.events import NORMAL

from sim.experiment.streams import Streams
from sim.model.distributions import block_iter, block_sampler
from sim.model.plan import ModelPlan, Source
from sim.model.recorder import FLUSH, Recorder

Issue = tuple[float, float, int, int]
"""An issue as the engine carries it: (arrival_min, handling_min, source index, queue level)."""


class Call:
    """A bare SimPy event that calls ``fn(event)`` when processed; ``value`` rides along."""

    __slots__ = ("_ok", "_value", "callbacks")

    def __init__(self, fn: Callable[[Any], None], value: Any = None):
        self.callbacks = [fn]
        self._ok = True
        self._value = value


class PooledDispatch:
    """Each community's workers serve one queue: by priority, first come first served within it.

    ``take(issue, community)`` returns a free worker or queues the issue; ``release(worker,
    community)`` returns the next issue for a worker that has just finished, or frees it.
    """

    def __init__(self, plan: ModelPlan):
        levels = sorted(set(plan.priorities))
        self.level_of_category = [levels.index(p) for p in plan.priorities]
        self.idle = [list(range(n))[::-1] for n in plan.workers]
        self.queues = [[deque() for _ in levels] for _ in plan.workers]

    def take(self, issue: Issue, community: int) -> int | None:
        idle = self.idle[community]
        if idle:
            return idle.pop()
        self.queues[community][issue[3]].append(issue)
        return None

    def release(self, worker: int, community: int) -> Issue | None:
        for queue in self.queues[community]:
            if queue:
                return queue.popleft()
        self.idle[community].append(worker)
        return None


class Engine:
    """One replication of a :class:`ModelPlan` with the random streams of ``streams``."""

    def __init__(self, plan: ModelPlan, streams: Streams, keep_records: bool = False):
        self.plan = plan
        self.env = simpy.Environment()
        self.recorder = Recorder(plan, keep_records)
        self.dispatch = PooledDispatch(plan)
        self._schedule = self.env.schedule
        self._buffer = self.recorder.buffer
        self._community_of = [s.community for s in plan.sources]
        self._level_of = [self.dispatch.level_of_category[s.category] for s in plan.sources]
        self._arrivals: list[Iterator[float]] = []
        self._handling: list[Iterator[float]] = []
        for source in plan.sources:
            self._arrivals.append(self._arrival_times(source, streams))
            self._handling.append(
                block_iter(block_sampler(plan.handling[source.category],
                                         streams(f"handling/{source.stream}")))
            )

    @staticmethod
    def _arrival_times(source: Source, streams: Streams) -> Iterator[float]:
        return source.curve.times(source.rate_per_min, streams(f"arrivals/{source.stream}"))

    def run(self) -> Recorder:
        """Simulate the horizon, let the issues still open finish, and return the statistics."""
        for source in self.plan.sources:
            first = next(self._arrivals[source.index], None)
            if first is not None:
                self._schedule(Call(self._arrive, source.index), NORMAL, first)
        self.env.run()
        self.recorder.flush()
        return self.recorder

    # -- the per-issue path

    def _arrive(self, event: Call) -> None:
        source = event._value
        now = self.env.now
        following = next(self._arrivals[source], None)
        if following is not None:
            self._schedule(Call(self._arrive, source), NORMAL, following - now)
        issue = (now, next(self._handling[source]), source, self._level_of[source])
        community = self._community_of[source]
        worker = self.dispatch.take(issue, community)
        if worker is not None:
            self._start(issue, worker, community)

    def _start(self, issue: Issue, worker: int, community: int) -> None:
        self._schedule(
            Call(self._finish, (issue, worker, community, self.env.now)), NORMAL, issue[1]
        )

    def _finish(self, event: Call) -> None:
        issue, worker, community, start = event._value
        buffer = self._buffer
        buffer.append((issue[2], issue[0], start, self.env.now, worker))
        if len(buffer) >= FLUSH:
            self.recorder.flush()
        following = self.dispatch.release(worker, community)
        if following is not None:
            self._start(following, worker, community)


def simulate(plan: ModelPlan, seed: int, replication: int, keep_records: bool = False) -> Recorder:
    """Run one replication and return its :class:`Recorder`."""
    return Engine(plan, Streams(seed, replication), keep_records).run()
