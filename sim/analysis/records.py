"""Per-issue records (``issues.parquet``, ``RunResult.records``) turned into what planners
look at: the issues a summary counts, working hours, the backlog day by day, work by role.

The definitions are those of :mod:`sim.model.measures` (the observation window, working hours
judged at the report, an issue open from its report to its close), so a number read here
matches the summary's.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
import pandas as pd

from sim.model import measures
from sim.scenario.common import MINUTES_PER_DAY
from sim.scenario.governance import ALWAYS
from sim.scenario.policy import working_hours
from sim.scenario.schema import Scenario


def spec_of(scenario: object) -> Scenario:
    """The validated ``Scenario`` of a ``LoadedScenario`` (or the ``Scenario`` itself)."""
    spec = getattr(scenario, "scenario", scenario)
    assert isinstance(spec, Scenario)
    return spec


def observed(records: pd.DataFrame, scenario: object) -> pd.DataFrame:
    """The issues the summary counts: those occurring in the observation window (records hold
    every issue, warm-up included)."""
    horizon = spec_of(scenario).horizon
    keep = measures.observed(records["occurred_min"].to_numpy(float),
                             horizon.warmup_days * MINUTES_PER_DAY, horizon.days * MINUTES_PER_DAY)
    return records[keep]


def in_working_hours(records: pd.DataFrame, scenario: object, calendar: str | None = None,
                       column: str = "reported_min") -> pd.Series:
    """Whether each issue's ``column`` (default: its report) falls in working hours: those of
    the calendar ``calendar``, else the community workers', else (workers ``always`` on)
    Monday-Friday 08:00-12:00 and 14:00-18:00, as working-hours targets count them."""
    spec = spec_of(scenario)
    if calendar == ALWAYS:
        return pd.Series(True, index=records.index, name="working_hours")
    if calendar is not None and calendar not in spec.calendars:
        known = ", ".join(sorted(spec.calendars)) or "none"
        raise KeyError(f"no calendar {calendar!r} in the scenario (calendars: {known})")
    hours = working_hours(spec.calendars, spec.staffing.community_workers.calendar, calendar)
    inside = measures.in_working_hours(hours, records[column].to_numpy(float),
                                       spec.horizon.start)
    return pd.Series(inside, index=records.index, name="working_hours")


def _integral_open(start: np.ndarray, end: np.ndarray, at: np.ndarray) -> np.ndarray:
    """For each time in ``at``: the integral from 0 to it of the number of intervals
    [start, end) open (issue-minutes)."""
    start, end = np.sort(start), np.sort(end)
    cs, ce = np.concatenate([[0.0], np.cumsum(start)]), np.concatenate([[0.0], np.cumsum(end)])
    ks, ke = np.searchsorted(start, at), np.searchsorted(end, at)
    return (ks * at - cs[ks]) - (ke * at - ce[ke])


def open_issues(records: pd.DataFrame, days: int | None = None, by: str | None = None,
                since: str = "reported_min") -> pd.DataFrame:
    """The backlog day by day: the mean number of issues open during each day.

    An issue is open from ``since`` (default: its report, as the summary's ``backlog_mean``)
    until it is closed (never closed: open to the end). Returns a tidy frame with
    ``replication`` (if the records have it), ``by`` (if given), ``day`` (0 is the first day of
    the horizon) and ``open_issues``; ``days`` defaults to the last day an issue occurred. Use
    all records here, not only observed ones: issues of the warm-up are still open after it.
    """
    if days is None:
        days = int(math.ceil(records["occurred_min"].max() / MINUTES_PER_DAY)) \
            if len(records) else 0
    edges = np.arange(days + 1) * MINUTES_PER_DAY
    keys = [k for k in ("replication", by) if k and k in records.columns]
    frames = []
    groups = records.groupby(keys, sort=True, observed=True) if keys else [((), records)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        start = part[since].to_numpy(float)
        end = part["closed_min"].to_numpy(float)
        end = np.where(np.isnan(end), np.inf, end)
        inside = np.isfinite(start)
        total = _integral_open(start[inside], np.minimum(end[inside], edges[-1] + 1), edges)
        frame = pd.DataFrame({"day": np.arange(days),
                              "open_issues": np.maximum(np.diff(total) / MINUTES_PER_DAY, 0.0)})
        for name, value in zip(keys, key, strict=True):
            frame[name] = cast(Any, value)
        frames.append(frame)
    columns = [*keys, "day", "open_issues"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(
        columns=columns)


def daily_mean(frame: pd.DataFrame, value: str = "open_issues", hue: str | None = None,
               smooth_days: int = 1) -> pd.DataFrame:
    """Mean, minimum and maximum over replications of a daily value (e.g. from
    :func:`open_issues`), per day (and ``hue``), optionally as a centred rolling mean over
    ``smooth_days`` (missing at the first and last days, where the window is incomplete)."""
    keys = [k for k in (hue, "day") if k]
    out = frame.groupby(keys, sort=True, observed=True)[value].agg(["mean", "min", "max"])
    out = out.reset_index()
    if smooth_days > 1:
        roll = out.groupby(hue, observed=True) if hue else out
        def smooth(values: pd.Series) -> pd.Series:
            return values.rolling(smooth_days, center=True).mean()

        for column in ("mean", "min", "max"):
            out[column] = roll[column].transform(smooth)
    return out


def recovery_day(level: pd.Series, reference: pd.Series, after_day: float,
                 tolerance: float = 0.10) -> int | None:
    """The first day from ``after_day`` on after which ``level`` (e.g. the mean backlog per day
    in a surge) stays within ``tolerance`` (relative) of ``reference`` (the same without the
    surge, same seeds) to the last day of both; None if it never does. Both are indexed by
    day."""
    both = pd.concat([level.rename("level"), reference.rename("reference")], axis=1).dropna()
    both = both[both.index >= after_day]
    if both.empty:
        return None
    outside = both["level"] > both["reference"] * (1 + tolerance)
    if not outside.any():
        return int(both.index[0])
    last = both.index[outside.to_numpy()].max()
    later = both.index[both.index > last]
    return int(later[0]) if len(later) else None


def work_by_role(records: pd.DataFrame, every_days: int = 7, days: float | None = None,
                 by: str = "responder_role") -> pd.DataFrame:
    """Issues taken by each role (``by``) in each period of ``every_days`` days, by when the
    responder started; the mean per replication. Columns: ``day`` (first day of the period),
    ``by``, ``issues``. Issues no one took (never started) are left out, and with ``days``
    (e.g. the horizon) periods that do not end by then."""
    taken = records[records["start_min"].notna()]
    period = (taken["start_min"] // (every_days * MINUTES_PER_DAY)).astype(int) * every_days
    if days is not None:
        keep = (period + every_days) <= days
        taken, period = taken[keep], period[keep]
    reps = records["replication"].nunique() if "replication" in records.columns else 1
    counts = taken.groupby([period.rename("day"), taken[by].astype(str).rename(by)],
                           sort=True).size() / max(reps, 1)
    return counts.rename("issues").reset_index()
