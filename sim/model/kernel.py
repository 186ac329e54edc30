"""SimPy's environment with bare calls on its schedule: the engine's per-issue events.

SimPy keeps one heap of ``(time, priority, id, event)`` and, for each entry, calls the event's
callbacks. An issue needs no event object (nothing waits on it), so :class:`Kernel` lets the
engine put ``fn(arg)`` on the heap directly. To keep a single loop, SimPy's own events are
entries too: :meth:`Kernel.schedule` files an event as a call of :meth:`Kernel._fire`, which does
what :meth:`simpy.Environment.step` does with it. Order stays SimPy's — time, then priority,
then scheduling order — so processes (shift calendars), timeouts and the engine's calls
interleave exactly as in plain SimPy; the loop of :meth:`Kernel.run` just saves an event object,
a callback list and two method calls per issue event.

A year's model keeps one pending arrival per grid and category (hundreds), mostly days ahead.
On one heap, every near event (a worker finishing in half an hour) would sift past all of them.
Entries filed with :meth:`Kernel.later` therefore wait in buckets of :attr:`Kernel.window`
(whole) minutes and join the heap when their window opens (a two-level calendar queue); the order of
processing is unchanged.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from heapq import heappop, heappush
from math import inf
from typing import Any

import simpy
from simpy.core import EmptySchedule, SimTime, StopSimulation
from simpy.events import NORMAL, URGENT, Event, EventPriority

Entry = tuple  # (time, priority, id, fn, arg)


class Kernel(simpy.Environment):
    """A :class:`simpy.Environment` whose schedule also holds bare calls.

    Hot paths may hand ``(time, NORMAL, next(kernel.ids), fn, arg)`` to :meth:`later` (what
    :meth:`call` does, minus a method call), or push an entry due soon straight onto
    :attr:`heap`: either way it is processed in the same order. They read the clock as
    ``_now``, the attribute SimPy's own code reads (``now`` is a property: a Python call).
    """

    def __init__(self, window: int = 60) -> None:
        super().__init__()
        self.heap: list[Entry] = self._queue
        self.ids = self._eid
        self.window = window
        self.edge: float = window  # every entry due before the edge is on the heap
        self._buckets: dict[int, list[Entry]] = {}
        self._slots: list[int] = []  # keys of _buckets, as a heap

    def call(self, delay: float, fn: Callable[[Any], None], arg: Any = None) -> None:
        """Run ``fn(arg)`` ``delay`` after now, after anything already due then."""
        self.later((self._now + delay, NORMAL, next(self._eid), fn, arg))

    def later(self, entry: Entry) -> None:
        """Schedule ``entry``: on the heap if due before :attr:`edge` (or never), else in its
        bucket."""
        if entry[0] < self.edge or entry[0] == inf:
            heappush(self.heap, entry)
            return
        slot = int(entry[0] // self.window)
        bucket = self._buckets.get(slot)
        if bucket is None:
            self._buckets[slot] = [entry]
            heappush(self._slots, slot)
        else:
            bucket.append(entry)

    def _advance(self) -> None:
        """Open the window of the earliest pending entry: its bucket joins the heap."""
        queue, slots = self.heap, self._slots
        top = queue[0][0] if queue else inf
        slot: float = int(top // self.window) if top < inf else inf
        if slots and slots[0] <= slot:
            slot = heappop(slots)
            for entry in self._buckets.pop(slot):
                heappush(queue, entry)
        self.edge = (slot + 1) * self.window

    def schedule(self, event: Event, priority=NORMAL, delay: float = 0) -> None:
        heappush(self.heap, (self._now + delay, priority, next(self._eid), self._fire, event))

    def _fire(self, event: Event) -> None:
        """Process a SimPy event: run its callbacks, crash on an undefused failure."""
        callbacks = event.callbacks
        event.callbacks = None  # type: ignore[assignment]  # processed, as SimPy marks it
        try:
            for callback in callbacks:
                callback(event)
        except StopSimulation:
            event.callbacks = callbacks[callbacks.index(callback) + 1:]
            self.schedule(event, EventPriority(-1))  # before anything else due now, as SimPy
            raise
        if not event._ok and not hasattr(event, "_defused"):
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc

    def _open(self) -> None:
        """Bring the earliest pending entry onto the heap (if any is pending)."""
        while self._slots and (not self._queue or self._queue[0][0] >= self.edge):
            self._advance()

    def peek(self) -> float:
        self._open()
        return self._queue[0][0] if self._queue else inf

    def step(self) -> None:
        self._open()
        if not self._queue:
            raise EmptySchedule
        self._now, _, _, fn, arg = heappop(self.heap)
        fn(arg)

    def run(self, until: SimTime | Event | None = None) -> Any:
        """Process the schedule as :meth:`simpy.Environment.run` does: until it is empty
        (``None``), until a time (a stop filed URGENT, so before NORMAL entries due then), or
        until an event has been processed (its value; at once if processed already)."""
        if until is not None:
            if not isinstance(until, Event):
                at: SimTime = until if isinstance(until, int) else float(until)
                if at <= self._now:
                    raise ValueError(
                        f"until ({at}) must be greater than the current simulation time")
                until = Event(self)
                until._ok, until._value = True, None
                self.schedule(until, URGENT, at - self._now)
            elif until.callbacks is None:
                return until.value
            until.callbacks.append(StopSimulation.callback)
        queue, slots = self.heap, self._slots
        try:
            while True:
                if not queue or queue[0][0] >= self.edge:
                    if slots:
                        self._advance()
                        continue
                    if not queue:
                        break
                self._now, _, _, fn, arg = heappop(queue)
                fn(arg)
        except StopSimulation as stop:
            return stop.args[0]
        if until is not None:
            raise RuntimeError(
                f'No scheduled events left but "until" event was not triggered: {until}')
        return None


YOUNG_OBJECTS = 100_000
"""Python's cyclic collector runs when this many more container objects were made than freed
(its default is 700) while a replication runs."""

_relaxed = 0
_relaxed_lock = threading.Lock()
_saved_threshold: tuple[int, ...] = ()


@contextmanager
def rare_collections() -> Iterator[None]:
    """Let Python's cyclic garbage collector run rarely, then restore its thresholds.

    A replication makes and drops millions of small objects, few of them in cycles; with the
    default thresholds the collector scans the young ones every 700 allocations and the whole
    heap (every grid's sources, closures and random blocks) every few hundred thousand, a cost
    that grows with the model: a quarter of the CPU time of a 5,000-grid city. Collections
    still run (every :data:`YOUNG_OBJECTS`, the old generations every 10 of those), so memory
    held by cycles stays bounded. Nested and concurrent uses restore once, at the last exit.
    """
    global _relaxed, _saved_threshold
    with _relaxed_lock:
        if _relaxed == 0:
            _saved_threshold = gc.get_threshold()
            gc.set_threshold(YOUNG_OBJECTS, 10, 10)
        _relaxed += 1
    try:
        yield
    finally:
        with _relaxed_lock:
            _relaxed -= 1
            if _relaxed == 0:
                gc.set_threshold(*_saved_threshold)
