"""Exact FCFS waiting times for a pooled queue with c identical servers.

For a first-come-first-served queue with ``c`` identical servers, every issue's waiting time
follows from the Kiefer–Wolfowitz workload recursion, whatever the arrival process and the
handling-time distribution. This module tracks the equivalent next-free times ``F`` of the
servers: for issue ``n`` in arrival order, ``start = max(A_n, min F)``, ``wait = start - A_n``
and the server that was freest becomes free again at ``start + S_n``. Servers are free from
``-inf``, so the first ``c`` issues never wait and absolute time origins do not matter.

**Working hours.** When the servers share a calendar (``calendar``: sorted, disjoint working
intervals ``[from, to)``), nobody starts work outside it, and a job running at closing time is
finished: ``start = next_open(max(A_n, min F))`` with ``next_open(t) = t`` inside an interval,
else the next opening (``+inf`` after the last interval: the issue is never started). The
server freest first is still the right one, because ``next_open`` never decreases. This is what
the full model does with workers on one calendar and no duty rota.

Time units are whatever the inputs use (arrivals and handling times must share them).
"""

from __future__ import annotations

import bisect
import heapq
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

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

# Below this many replications a per-replication heap loop in plain Python beats the numpy
# loop over replications, whose cost per issue is a fixed handful of numpy calls (measured
# crossover 16-24 replications for c in 3..50).
_VECTOR_LOOP_MIN_REPLICATIONS = 16


def _check_servers(servers: int) -> int:
    servers = operator.index(servers)
    if servers < 1:
        raise ValueError(f"servers must be >= 1, got {servers}")
    return servers


def _check_pair(arrivals: np.ndarray, handling: np.ndarray, what: str) -> None:
    """Validate one (arrivals, handling) pair; ``what`` names it in error messages."""
    if arrivals.shape != handling.shape:
        raise ValueError(
            f"{what}: arrivals and handling must have the same shape, "
            f"got {arrivals.shape} and {handling.shape}"
        )
    if not np.all(np.isfinite(arrivals)):
        raise ValueError(f"{what}: arrivals must be finite")
    if not np.all(np.isfinite(handling)):
        raise ValueError(f"{what}: handling times must be finite")
    if np.any(handling < 0):
        raise ValueError(f"{what}: handling times must be >= 0")
    unsorted = np.argwhere(np.diff(arrivals, axis=-1) < 0)
    if unsorted.size:
        index = tuple(int(i) for i in unsorted[0])
        index = (*index[:-1], index[-1] + 1)
        raise ValueError(
            f"{what}: arrivals must be sorted non-decreasing along the last axis; "
            f"arrivals[{', '.join(map(str, index))}] is smaller than its predecessor"
        )


class WorkingHours:
    """Working intervals ``[from, to)`` shared by all servers: sorted, disjoint, finite."""

    def __init__(self, intervals: np.ndarray):
        spans = np.asarray(intervals, dtype=float)
        if spans.ndim != 2 or spans.shape[1] != 2:
            raise ValueError(f"calendar must be an (m, 2) array of [from, to) intervals, "
                             f"got shape {spans.shape}")
        if not np.all(np.isfinite(spans)):
            raise ValueError("calendar intervals must be finite")
        if np.any(spans[:, 1] <= spans[:, 0]):
            raise ValueError("calendar intervals must end after they start")
        if np.any(spans[1:, 0] < spans[:-1, 1]):
            raise ValueError("calendar intervals must be sorted and must not overlap")
        self.opens = spans[:, 0]
        self.closes = spans[:, 1]
        self._opens = np.append(self.opens, np.inf)  # after the last interval: never
        # next_open as plain Python lists, for a loop over single issues
        self._open_list = self._opens.tolist()
        self._close_list = self.closes.tolist()

    def next_open(self, times: np.ndarray) -> np.ndarray:
        """Each time if it falls in working hours, else the next opening (+inf if none)."""
        i = np.searchsorted(self.closes, times, side="right")
        return np.maximum(times, self._opens[i])


def _heap_rows(arrivals: np.ndarray, handling: np.ndarray, servers: int,
               hours: WorkingHours | None = None) -> np.ndarray:
    """Start times by the scalar recursion per replication, with a heap of next-free times.

    ``arrivals`` is (R, n); +inf entries are trailing padding and start at +inf.
    """
    starts = np.full(arrivals.shape, np.inf)
    reuse = heapq.heapreplace
    for row, (a_row, s_row) in enumerate(zip(arrivals, handling, strict=True)):
        present = int(np.searchsorted(a_row, np.inf))
        free = [-math.inf] * servers  # a valid heap: all equal
        row_starts: list[float] = []
        add = row_starts.append
        # the loop runs once an issue: no call in it but the heap's (next_open written out)
        if hours is None:
            for a, s in zip(a_row[:present].tolist(), s_row[:present].tolist(), strict=True):
                freest = free[0]
                start = a if a > freest else freest
                add(start)
                reuse(free, start + s)
        else:
            opens, closes, after = hours._open_list, hours._close_list, bisect.bisect_right
            for a, s in zip(a_row[:present].tolist(), s_row[:present].tolist(), strict=True):
                freest = free[0]
                start = a if a > freest else freest
                opening = opens[after(closes, start)]
                if opening > start:
                    start = opening
                add(start)
                reuse(free, start + s)
        starts[row, :present] = row_starts
    return starts


def _vector_loop(arrivals: np.ndarray, handling: np.ndarray, servers: int,
                 hours: WorkingHours | None = None) -> np.ndarray:
    """Start times by the recursion with a Python loop over issues and numpy ops across
    replications.

    ``arrivals`` is (R, n); +inf entries are trailing padding: they start at +inf and the
    server they occupy becomes free at +inf, which later real issues cannot reach because
    padding only follows a replication's last real issue.
    """
    a_cols = np.ascontiguousarray(arrivals.T)
    s_cols = np.ascontiguousarray(handling.T)
    starts = np.empty(a_cols.shape)
    free = np.full((arrivals.shape[0], servers), -np.inf)
    rows = np.arange(arrivals.shape[0])
    for j in range(a_cols.shape[0]):
        k = free.argmin(axis=1)  # ties: lowest server index
        start = np.maximum(a_cols[j], free[rows, k])
        if hours is not None:
            start = hours.next_open(start)
        starts[j] = start
        free[rows, k] = start + s_cols[j]
    return np.ascontiguousarray(starts.T)


def _waits(starts: np.ndarray, arrivals: np.ndarray) -> np.ndarray:
    """Start minus arrival, 0 for the +inf padding (no inf - inf)."""
    waits = np.zeros(arrivals.shape)
    np.subtract(starts, arrivals, out=waits, where=np.isfinite(arrivals))
    return waits


def _lindley(arrivals: np.ndarray, handling: np.ndarray) -> np.ndarray:
    """Single-server waits in closed form: ``W_n = P_n - min_{i<=n} P_i``.

    ``P`` is the cumulative sum of ``S_{i-1} - (A_i - A_{i-1})`` with ``P_1 = 0``. Exact in
    real arithmetic; in floating point it differs from the recursion by the cumsum rounding
    error, at most about ``n * eps * max|P|``. +inf arrivals (trailing padding) get a zero
    inter-arrival time, so no inf - inf arises.
    """
    gaps = np.zeros((arrivals.shape[0], max(arrivals.shape[1] - 1, 0)))
    np.subtract(arrivals[:, 1:], arrivals[:, :-1], out=gaps, where=np.isfinite(arrivals[:, 1:]))
    steps = np.zeros(arrivals.shape)
    np.subtract(handling[:, :-1], gaps, out=steps[:, 1:])
    partial = np.cumsum(steps, axis=1)
    return partial - np.minimum.accumulate(partial, axis=1)


def _starts_2d(arrivals: np.ndarray, handling: np.ndarray, servers: int,
               hours: WorkingHours | None) -> np.ndarray:
    """Start times of validated (R, n) float arrays (+inf only as trailing padding)."""
    if arrivals.shape[0] < _VECTOR_LOOP_MIN_REPLICATIONS:
        return _heap_rows(arrivals, handling, servers, hours)
    return _vector_loop(arrivals, handling, servers, hours)


def _waits_2d(arrivals: np.ndarray, handling: np.ndarray, servers: int,
              hours: WorkingHours | None) -> np.ndarray:
    """Waits of validated (R, n) float arrays (+inf only as trailing padding)."""
    if servers == 1 and hours is None:
        return _lindley(arrivals, handling)
    return _waits(_starts_2d(arrivals, handling, servers, hours), arrivals)


def _hours(calendar: np.ndarray | WorkingHours | None) -> WorkingHours | None:
    if calendar is None or isinstance(calendar, WorkingHours):
        return calendar
    return WorkingHours(calendar)


def _validated(arrivals: np.ndarray, handling: np.ndarray, servers: int
               ) -> tuple[np.ndarray, np.ndarray, int]:
    servers = _check_servers(servers)
    a = np.asarray(arrivals, dtype=float)
    s = np.asarray(handling, dtype=float)
    if a.ndim not in (1, 2):
        raise ValueError(f"arrivals must be 1-D or 2-D (replications, issues), got {a.ndim}-D")
    _check_pair(a, s, "fifo_waits")
    return a, s, servers


def fifo_waits(arrivals: np.ndarray, handling: np.ndarray, servers: int,
               calendar: np.ndarray | WorkingHours | None = None) -> np.ndarray:
    """Waiting time of every issue in an FCFS queue with ``servers`` identical servers.

    Args:
        arrivals: arrival times, shape (n,) or (R, n) for R independent replications, sorted
            non-decreasing along the last axis, finite.
        handling: handling (service) times, same shape as ``arrivals``, finite, >= 0.
        servers: number of servers c >= 1.
        calendar: optional working intervals ``[[from, to], ...]`` of all servers (see the
            module docstring); None: always working.

    Returns:
        Waits (time from arrival to start of handling), same shape as ``arrivals``; +inf for
        an issue no working interval is left for.

    Valid for any arrival process and handling-time distribution. Issues are served in array
    order (ties in arrival time keep their order); all servers are idle before the first
    issue. An issue starts on the server that becomes free first, ties going to the lowest
    index — server identity never changes the waits. For c >= 2 the result is bit-for-bit the
    scalar recursion ``start = max(A_n, min F); F_k = start + S_n`` (with a calendar,
    ``start = next_open(max(A_n, min F))``, for any c). For c == 1 without a calendar the
    O(n) closed-form Lindley path is used; it matches that recursion up to cumulative-sum
    rounding (relative error ~ n * eps of the partial sums of S_i - (A_{i+1} - A_i)).
    """
    a, s, servers = _validated(arrivals, handling, servers)
    waits = _waits_2d(np.atleast_2d(a), np.atleast_2d(s), servers, _hours(calendar))
    return waits[0] if a.ndim == 1 else waits


def fifo_starts(arrivals: np.ndarray, handling: np.ndarray, servers: int,
                calendar: np.ndarray | WorkingHours | None = None) -> np.ndarray:
    """Start time of every issue: as :func:`fifo_waits`, but the recursion's own start times
    (bit-for-bit ``start = [next_open](max(A_n, min F))`` for every c, also c == 1), so that
    ``start + S_n`` is exactly the time the issue ends; +inf for an issue never started."""
    a, s, servers = _validated(arrivals, handling, servers)
    starts = _starts_2d(np.atleast_2d(a), np.atleast_2d(s), servers, _hours(calendar))
    return starts[0] if a.ndim == 1 else starts


def _padded(arrivals: Sequence[np.ndarray], handling: Sequence[np.ndarray]
            ) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Ragged replications padded to one (R, n) pair: +inf arrivals and zero handling."""
    if len(arrivals) != len(handling):
        raise ValueError(f"got {len(arrivals)} arrival arrays but {len(handling)} handling arrays")
    a_rows = [np.asarray(a, dtype=float) for a in arrivals]
    s_rows = [np.asarray(s, dtype=float) for s in handling]
    for r, (a, s) in enumerate(zip(a_rows, s_rows, strict=True)):
        if a.ndim != 1:
            raise ValueError(f"replication {r}: arrivals must be 1-D, got {a.ndim}-D")
        _check_pair(a, s, f"replication {r}")
    lengths = [a.size for a in a_rows]
    width = max(lengths, default=0)
    a_pad = np.full((len(a_rows), width), np.inf)
    s_pad = np.zeros((len(a_rows), width))
    for r, (a, s) in enumerate(zip(a_rows, s_rows, strict=True)):
        a_pad[r, : a.size] = a
        s_pad[r, : s.size] = s
    return a_pad, s_pad, lengths


def fifo_waits_ragged(
    arrivals: Sequence[np.ndarray], handling: Sequence[np.ndarray], servers: int,
    calendar: np.ndarray | WorkingHours | None = None,
) -> list[np.ndarray]:
    """:func:`fifo_waits` for replications with different numbers of issues.

    Each ``arrivals[r]`` / ``handling[r]`` is a 1-D pair obeying the rules of
    :func:`fifo_waits`. Replications are padded to a common length with +inf arrivals and
    zero handling (padding never produces NaN and never affects real issues), computed
    together, and sliced back. Returns one 1-D waits array per replication. ``calendar`` as
    for :func:`fifo_waits`.
    """
    servers = _check_servers(servers)
    hours = _hours(calendar)
    a_pad, s_pad, lengths = _padded(arrivals, handling)
    waits = _waits_2d(a_pad, s_pad, servers, hours)
    return [waits[r, :n].copy() for r, n in enumerate(lengths)]


def fifo_starts_ragged(
    arrivals: Sequence[np.ndarray], handling: Sequence[np.ndarray], servers: int,
    calendar: np.ndarray | WorkingHours | None = None,
) -> list[np.ndarray]:
    """:func:`fifo_starts` for replications with different numbers of issues (padded as in
    :func:`fifo_waits_ragged`)."""
    servers = _check_servers(servers)
    hours = _hours(calendar)
    a_pad, s_pad, lengths = _padded(arrivals, handling)
    starts = _starts_2d(a_pad, s_pad, servers, hours)
    return [starts[r, :n].copy() for r, n in enumerate(lengths)]


def fifo_starts_staffed(
    arrivals: Sequence[np.ndarray], handling: Sequence[np.ndarray], staffing: np.ndarray,
    slot_min: float = 60.0, servers_too: bool = False,
) -> list[np.ndarray] | tuple[list[np.ndarray], list[np.ndarray]]:
    """Start times in an FCFS queue whose number of servers changes slot by slot.

    ``staffing[h]`` servers work in slot ``h`` (``[h * slot_min, (h + 1) * slot_min)``), none
    after the last slot. Server ``k`` works in the slots where ``staffing > k``, so the servers
    on duty are always the lowest-numbered ones, and a server going off duty finishes the job
    in hand (the full model's rule for calendars). Issue ``n`` starts on the server that can
    start it first, ``start = min_k next_on_k(max(A_n, F_k))`` (ties: the lowest-numbered,
    who works the most), +inf if none is left; issues start in arrival order. With one
    calendar for all servers this is :func:`fifo_starts` on that calendar.

    One list entry per replication (1-D arrivals sorted, handling times as in
    :func:`fifo_waits_ragged`); computed across replications at once, issue by issue. With
    ``servers_too`` also the server of each issue (as a second list).
    """
    staffing = np.asarray(staffing)
    if staffing.ndim != 1 or np.any(staffing < 0):
        raise ValueError("staffing must be a 1-D array of non-negative server counts")
    a_pad, s_pad, lengths = _padded(arrivals, handling)
    servers = int(staffing.max(initial=0))
    if servers == 0:
        never = [np.full(n, np.inf) for n in lengths]
        return (never, [np.zeros(n, np.int64) for n in lengths]) if servers_too else never
    slots = staffing.size
    on = staffing[None, :] > np.arange(servers)[:, None]  # (servers, slots)
    index = np.where(on, np.arange(slots), slots)
    next_on = np.minimum.accumulate(index[:, ::-1], axis=1)[:, ::-1]
    # when server k can next start work from slot h on: the slot's start if it works then (a
    # time before the job is ready), the start of its next slot on duty, or never
    open_at = np.where(next_on < slots, next_on * float(slot_min), np.inf)
    open_at = np.concatenate([open_at, np.full((servers, 1), np.inf)], axis=1)
    free = np.full((a_pad.shape[0], servers), -np.inf)
    rows = np.arange(a_pad.shape[0])
    column = np.arange(servers)[None, :]
    a_cols = np.ascontiguousarray(a_pad.T)
    s_cols = np.ascontiguousarray(s_pad.T)
    starts = np.empty(a_cols.shape)
    chosen_by = np.empty(a_cols.shape, dtype=np.int64)
    for j in range(a_cols.shape[0]):
        ready = np.maximum(a_cols[j][:, None], free)
        # (a division, exact at a slot's edge: work ready as a shift ends waits for the next)
        slot = np.minimum(ready / slot_min, slots).astype(np.int64)  # beyond the last: never
        start = np.maximum(ready, open_at[column, slot])
        k = start.argmin(axis=1)
        chosen = start[rows, k]
        starts[j] = chosen
        chosen_by[j] = k
        free[rows, k] = chosen + s_cols[j]
    starts, chosen_by = starts.T, chosen_by.T
    out = [starts[r, :n].copy() for r, n in enumerate(lengths)]
    if servers_too:
        return out, [chosen_by[r, :n].copy() for r, n in enumerate(lengths)]
    return out


def kiefer_wolfowitz_reference(
    arrivals: np.ndarray, handling: np.ndarray, servers: int
) -> np.ndarray:
    """Textbook Kiefer–Wolfowitz recursion in plain Python (reference for tests).

    Keeps the sorted workload vector W (work each server still has, ascending) seen by each
    arrival. Issue n waits W[0]; then W <- sort((W + S_n e_1 - (A_{n+1} - A_n) 1)^+).
    1-D inputs, arrivals sorted; returns the waits as a 1-D array.
    """
    a = np.asarray(arrivals, dtype=float).tolist()
    s = np.asarray(handling, dtype=float).tolist()
    workload = [0.0] * _check_servers(servers)
    waits = []
    for n in range(len(a)):
        waits.append(workload[0])
        gap = a[n + 1] - a[n] if n + 1 < len(a) else 0.0
        workload[0] += s[n]
        workload = sorted(max(w - gap, 0.0) for w in workload)
    return np.array(waits)


@dataclass(frozen=True, eq=False)
class ScreenResult:
    """Per-replication summaries of FCFS waits (all arrays have shape (R,), read-only).

    Attributes:
        servers: number of servers screened.
        warmup: issues arriving before this time were excluded.
        target_wait: service-level target used for ``within_target``, or None.
        issues: number of issues summarised per replication.
        mean_wait: mean wait.
        wait_probability: share of issues with wait > 0.
        p90_wait: 90th percentile of the waits (linear interpolation, ``np.quantile``).
        within_target: share of issues with wait <= ``target_wait``; None without a target.
    """

    servers: int
    warmup: float
    target_wait: float | None
    issues: np.ndarray
    mean_wait: np.ndarray
    wait_probability: np.ndarray
    p90_wait: np.ndarray
    within_target: np.ndarray | None

    @property
    def replications(self) -> int:
        """Number of replications R."""
        return int(self.issues.size)


def screen(
    arrivals: np.ndarray | Sequence[np.ndarray],
    handling: np.ndarray | Sequence[np.ndarray],
    servers: int,
    target_wait: float | None = None,
    warmup: float = 0.0,
) -> ScreenResult:
    """Compute exact FCFS waits and summarise them per replication.

    Args:
        arrivals: (n,) or (R, n) array as for :func:`fifo_waits`, or a sequence of 1-D
            arrays (one per replication, lengths may differ) as for :func:`fifo_waits_ragged`.
        handling: handling times matching ``arrivals`` in type and shape.
        servers: number of servers c >= 1.
        target_wait: optional service-level target (time units of the inputs), >= 0.
        warmup: only issues arriving at or after this time are summarised; earlier issues
            still occupy servers.

    Raises:
        ValueError: on invalid inputs or if a replication has no issue at or after warmup.
    """
    if target_wait is not None and not (math.isfinite(target_wait) and target_wait >= 0):
        raise ValueError(f"target_wait must be finite and >= 0, got {target_wait}")
    if not math.isfinite(warmup):
        raise ValueError(f"warmup must be finite, got {warmup}")
    if isinstance(arrivals, np.ndarray):
        waits_all = fifo_waits(arrivals, np.asarray(handling), servers)
        a_rows = list(np.atleast_2d(arrivals))
        w_rows = list(np.atleast_2d(waits_all))
    else:
        a_rows = [np.asarray(a, dtype=float) for a in arrivals]
        w_rows = fifo_waits_ragged(a_rows, list(handling), servers)

    n_rep = len(a_rows)
    issues = np.zeros(n_rep, dtype=np.int64)
    mean_wait, wait_probability, p90_wait, within = (np.zeros(n_rep) for _ in range(4))
    for r, (a, w_row) in enumerate(zip(a_rows, w_rows, strict=True)):
        w = w_row[np.searchsorted(a, warmup, side="left") :]
        if w.size == 0:
            raise ValueError(f"replication {r} has no issue arriving at or after {warmup=}")
        issues[r] = w.size
        mean_wait[r] = w.mean()
        wait_probability[r] = np.count_nonzero(w > 0) / w.size
        p90_wait[r] = np.quantile(w, 0.9)
        if target_wait is not None:
            within[r] = np.count_nonzero(w <= target_wait) / w.size
    arrays = (issues, mean_wait, wait_probability, p90_wait, within)
    for arr in arrays:
        arr.setflags(write=False)
    return ScreenResult(
        servers=operator.index(servers),
        warmup=float(warmup),
        target_wait=None if target_wait is None else float(target_wait),
        issues=issues,
        mean_wait=mean_wait,
        wait_probability=wait_probability,
        p90_wait=p90_wait,
        within_target=None if target_wait is None else within,
    )
