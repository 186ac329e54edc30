"""Fast screen for staffing searches: exact FCFS waits of a pooled c-server queue, around the
clock, on one shared working calendar, or with a number of servers that changes by the
hour."""

from __future__ import annotations

from sim.screen.recursion import (
    ScreenResult,
    WorkingHours,
    fifo_starts,
    fifo_starts_ragged,
    fifo_starts_staffed,
    fifo_waits,
    fifo_waits_ragged,
    kiefer_wolfowitz_reference,
    screen,
)

__all__ = [
    "ScreenResult",
    "WorkingHours",
    "fifo_starts",
    "fifo_starts_ragged",
    "fifo_starts_staffed",
    "fifo_waits",
    "fifo_waits_ragged",
    "kiefer_wolfowitz_reference",
    "screen",
]
