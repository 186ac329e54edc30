"""The issue record: the layout of an open issue, its flags, and the row a closed one leaves.

An open issue is a plain list, indexed by the slot numbers below (a list is the fastest thing
to build and update once per issue); :func:`new_issue` builds one. The pooled kernel carries an
issue as a tuple of the first :data:`POOLED` slots only. A closed issue becomes one row of
:data:`RECORD_FIELDS` in the recorder's buffer; :class:`Column` names its columns.

The kernels' per-issue callbacks write these layouts out as literals (a call per issue would
cost about 1% of a replication); tests/test_records.py checks each literal against them.
"""

from __future__ import annotations

from enum import IntEnum

# slots of an open issue (a plain list); the first POOLED are the pooled kernel's issue tuple
(REPORTED, HANDLING, CATEGORY, GRID, OCCURRED, FLAGS, PAIR, START, ONSITE, RESPONDER, QUEUED,
 WHISTLE, BUSY_FROM, BUSY_TO) = range(14)
ISSUE_SLOTS = 14
POOLED = 6

# bits of FLAGS
ESCALATE, ON_TIME, PREEMPTED, OVERFLOW = 1, 2, 4, 8


def new_issue(reported: float, handling: float, category: int, grid: int, occurred: float,
              flags: int = 0, pair: int = -1) -> list:
    """An issue not yet started: handling minutes, category and grid indices, flag bits, and
    the responder it is paired with (a care visit; -1 for none)."""
    return [reported, handling, category, grid, occurred, flags, pair, None, None, -1, False,
            None, None, None]


RECORD_FIELDS = (
    "category", "grid", "occurred_min", "reported_min", "start_min", "onsite_min", "closed_min",
    "responder", "flags", "busy_from_min", "busy_to_min",
)
"""A closed issue's row: start and on-site NaN if no responder reached it (responder -1, busy
0 to 0), closed NaN if it left the model; busy from setting off until back at base."""


class Column(IntEnum):
    """Index of each field of :data:`RECORD_FIELDS` in a row."""

    CATEGORY = 0
    GRID = 1
    OCCURRED = 2
    REPORTED = 3
    START = 4
    ONSITE = 5
    CLOSED = 6
    RESPONDER = 7
    FLAGS = 8
    BUSY_FROM = 9
    BUSY_TO = 10
