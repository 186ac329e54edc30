"""Fast screen for staffing searches: exact FCFS waits of a pooled c-server queue."""

from __future__ import annotations

from sim.screen.recursion import (
    ScreenResult,
    fifo_waits,
    fifo_waits_ragged,
    kiefer_wolfowitz_reference,
    screen,
)

__all__ = [
    "ScreenResult",
    "fifo_waits",
    "fifo_waits_ragged",
    "kiefer_wolfowitz_reference",
    "screen",
]
