"""SimPy's environment with bare calls on its schedule: the engine's per-issue events.

SimPy keeps one heap of ``(time, priority, id, event)`` and, for each entry, calls the event's
callbacks. An issue needs no event object (nothing waits on it), so :class:`Kernel` lets the
engine put ``fn(arg)`` on the heap directly. To keep a single loop, SimPy's own events are
entries too: :meth:`Kernel.schedule` files an event as a call of :meth:`Kernel._fire`, which does
what :meth:`simpy.Environment.step` does with it. Order stays SimPy's — time, then priority,
then scheduling order — so processes (shift calendars, care-visit rounds), timeouts and the
engine's calls interleave exactly as in plain SimPy; the loop of :meth:`Kernel.run` just saves
an event object, a callback list and two method calls per issue event.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL, URGENT, Event


class Kernel(simpy.Environment):
    """A :class:`simpy.Environment` whose schedule also holds bare calls.

    Hot paths may push ``(time, NORMAL, next(kernel.ids), fn, arg)`` onto :attr:`heap`
    themselves (what :meth:`call` does, minus a method call).
    """

    def __init__(self) -> None:
        super().__init__()
        self.heap: list[tuple] = self._queue
        self.ids = self._eid

    def call(self, delay: float, fn: Callable[[Any], None], arg: Any = None) -> None:
        """Run ``fn(arg)`` ``delay`` after now, after anything already due then."""
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid), fn, arg))

    def schedule(self, event: Event, priority=NORMAL, delay: float = 0) -> None:
        heappush(self._queue, (self._now + delay, priority, next(self._eid), self._fire, event))

    def _fire(self, event: Event) -> None:
        """Process a SimPy event: run its callbacks, crash on an undefused failure."""
        callbacks, event.callbacks = event.callbacks, None
        try:
            for callback in callbacks:
                callback(event)
        except StopSimulation:
            event.callbacks = callbacks[callbacks.index(callback) + 1:]
            self.schedule(event, URGENT)
            raise
        if not event._ok and not hasattr(event, "_defused"):
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc

    def step(self) -> None:
        try:
            self._now, _, _, fn, arg = heappop(self._queue)
        except IndexError:
            raise EmptySchedule from None
        fn(arg)

    def run(self, until: Event) -> Any:
        """Process the schedule until ``until`` has been processed; return its value."""
        if until.callbacks is None:
            return until.value
        until.callbacks.append(StopSimulation.callback)
        queue = self._queue
        try:
            while queue:
                self._now, _, _, fn, arg = heappop(queue)
                fn(arg)
        except StopSimulation as stop:
            return stop.args[0]
        raise RuntimeError(f"no scheduled events left but {until} was not triggered")
