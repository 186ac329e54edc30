"""What the toolkit measures, defined once. The recorder, the staffing targets, the fast screen,
the full-model levels, the tables and the plots all take their definitions from here.

An issue's moments, in minutes after day 0::

    occurred --> reported --> start --> on site --> closed
      (the problem)  (the platform knows)  (a responder sets off)  (arrives)  (resolved)

- ``wait_min`` = start - reported; ``response_min`` = on site - reported;
  ``resolution_h`` = (closed - reported) / 60. The clocks start at the **report**, the moment
  the platform (民情直通车) knows, which is what service targets and the departments'
  deadlines measure; ``report_delay_min`` = reported - occurred is its own measure (what
  building heads shorten).
- The **observation window** is [warm-up, horizon]: an issue counts when it *occurs* inside
  it, whenever it is answered or closed.
- **Working hours**, for targets that count only the issues of working hours, are judged at the
  report: an issue counts when it is reported while the calendar is open.
- A time is **within target** when it is at most the limit (a category's own
  ``respond_within_min`` / ``resolve_within_h``, or a target's ``within_min`` / ``within_h``).
- A scheduled **care visit** falls due (its "report") every ``every_days``; it is **on time**
  when a responder is on site within ``on_time_days`` of the due date (its response target),
  **late** when after that but before the next visit falls due, and **missed** when it is made
  only after the next one fell due, or never before the run stops.
- **Time averages** (``backlog_mean``, ``queue_mean``): the minutes each issue is open (report
  to close) or waiting (report to start) inside the window, summed and divided by the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.scenario.governance import ROLES, Calendar

ALL = "all"
"""The group of every community, category or grid, in every table."""

MINUTES_PER_HOUR = 60.0
DRAIN_DAYS = 90.0
"""After the horizon, open issues may take this long to close before the run stops; those still
open then are counted as ``unfinished`` and left out of the other measures."""


def wait_min(reported: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Minutes from the report to a responder setting off."""
    return start - reported


def response_min(reported: np.ndarray, onsite: np.ndarray) -> np.ndarray:
    """Minutes from the report to a responder on site."""
    return onsite - reported


def resolution_h(reported: np.ndarray, closed: np.ndarray) -> np.ndarray:
    """Hours from the report to the issue closed."""
    return (closed - reported) / MINUTES_PER_HOUR


def report_delay_min(occurred: np.ndarray, reported: np.ndarray) -> np.ndarray:
    """Minutes from the problem to its report."""
    return reported - occurred


def visit_late(response: np.ndarray, on_time_min: float, every_min: float) -> np.ndarray:
    """Whether each care visit (by its response time) is late: after ``on_time_min``, no later
    than ``every_min`` (when the next visit falls due); False for a visit never made (NaN)."""
    return (response > on_time_min) & (response <= every_min)


def visit_missed(response: np.ndarray, every_min: float) -> np.ndarray:
    """Whether each care visit is missed: made only after the next visit fell due
    (``every_min`` after this one), or never (NaN response)."""
    return ~(response <= every_min)


def observed(occurred: np.ndarray, warmup_min: float, horizon_min: float) -> np.ndarray:
    """Whether each issue occurs in the observation window (and so counts)."""
    return (occurred >= warmup_min) & (occurred <= horizon_min)


def within(value: np.ndarray, limit: np.ndarray | float) -> np.ndarray:
    """Whether each time is within its limit (False where either is NaN)."""
    return value <= limit


def in_working_hours(calendar: Calendar, reported: np.ndarray, start: dt.date) -> np.ndarray:
    """Whether each issue is reported in the calendar's working hours (day 0 is ``start``)."""
    return calendar.contains(reported, start)


def overlap(start: np.ndarray, end: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Minutes of each interval [start, end) inside [lo, hi)."""
    return np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0.0, None)


# ---------------------------------------------------------------- the metrics of a run


@dataclass(frozen=True)
class Metric:
    """One column of a run's metrics: its unit, which way is better, and its possible range."""

    name: str
    unit: str  # "min", "h", "share", "issues", "responders", "hours", "points"
    better: int  # -1 lower is better, +1 higher is better, 0 neither
    low: float = 0.0
    high: float = np.inf
    text: str = ""


def _metrics() -> dict[str, Metric]:
    out: list[Metric] = [Metric("issues", "issues", 0, text="issues occurring in the window")]
    for name, unit, what in (("wait", "min", "report to a responder setting off"),
                             ("response", "min", "report to a responder on site"),
                             ("resolution", "h", "report to closed")):
        for stat in ("mean", "p50", "p90"):
            out.append(Metric(f"{name}_{unit}_{stat}", unit, -1, text=f"{what}, {stat}"))
        if name != "wait":
            out.append(Metric(f"{name}_within_target_share", "share", 1, 0.0, 1.0,
                              f"{what} within the category's own target"))
    out += [
        Metric("wait_probability", "share", -1, 0.0, 1.0, "share of issues that wait"),
        Metric("report_delay_min_mean", "min", -1, text="problem to report, mean"),
        Metric("escalated_share", "share", 0, 0.0, 1.0, "share escalated to a department"),
        Metric("department_on_time_share", "share", 1, 0.0, 1.0,
               "escalated issues the department reports on within its deadline"),
        Metric("overflow_share", "share", 0, 0.0, 1.0, "escalated because nobody was free"),
        Metric("preempted_share", "share", 0, 0.0, 1.0, "interrupted by more urgent work"),
        Metric("cross_grid_share", "share", 0, 0.0, 1.0, "answered by another grid's member"),
        Metric("county_review_share", "share", 0, 0.0, 1.0, "resolved issues open so long "
               "that they go to county review"),
        Metric("backlog_mean", "issues", -1, text="open issues, time average"),
        Metric("queue_mean", "issues", -1, text="issues waiting, time average"),
        Metric("unfinished", "issues", -1, text="issues still open when the run stops"),
        Metric("utilisation", "share", 0, text="busy share of working time, all responders"),
        *(Metric(f"utilisation_{role}", "share", 0, text=f"busy share of working time, {role}")
          for role in ROLES),
        Metric("volunteer_hours", "hours", 0, text="hours volunteers served"),
        Metric("volunteer_points", "points", 0, text="love-supermarket points earned"),
        Metric("care_visit_late_share", "share", -1, 0.0, 1.0,
               "care visits due that were made late (after on_time_days, before the next)"),
        Metric("care_visit_missed_share", "share", -1, 0.0, 1.0,
               "care visits due that were missed (made only after the next fell due, or never)"),
    ]
    return {m.name: m for m in out}


METRICS = _metrics()
"""Every metric of a replication (the recorder's columns), by name."""
