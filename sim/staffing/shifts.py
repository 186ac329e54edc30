"""A roster that covers the hour-by-hour requirement at least cost: an integer program.

A worker's week (a :class:`Tour`) is one shift pattern or a rest day for each day; the labour
rules of ``shifts:`` (paid hours per week between the minimum and the maximum, rest days)
decide which weeks are allowed (:func:`tours`). The roster is how many workers work each
week, ``x_t >= 0`` whole, minimising the yearly cost ``sum_t c_t x_t`` (``c_t`` the cost of
the week's shifts, times 365/7) subject to ``sum_t a_ht x_t >= r_h`` in every hour ``h`` of
the week with a requirement ``r_h`` (``a_ht`` the share of hour ``h`` that week ``t`` works).
Solved by HiGHS (``scipy.optimize.milp``) to optimality.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from sim.errors import GridsimError
from sim.scenario.governance import WEEKDAYS
from sim.scenario.policy import Shifts
from sim.staffing.requirement import HOURS

WEEKS_PER_YEAR = 365 / 7
MAX_TOURS = 20_000


@dataclass(frozen=True)
class Tour:
    """A worker's week: the shift pattern worked on each day, Monday first (None: rest)."""

    days: tuple[str | None, ...]

    def hours(self, shifts: Shifts) -> float:
        """Paid hours a week."""
        return sum(shifts.patterns[p].hours for p in self.days if p is not None)

    def cost_per_year(self, shifts: Shifts) -> float:
        return WEEKS_PER_YEAR * sum(shifts.patterns[p].cost for p in self.days if p is not None)

    def coverage(self, shifts: Shifts) -> np.ndarray:
        """The share of each hour of the week (168, Monday 00:00 first) that this week works."""
        out = np.zeros(HOURS)
        for day, pattern in enumerate(self.days):
            if pattern is None:
                continue
            for lo, hi in shifts.patterns[pattern].minutes():
                for hour in range(lo // 60, math.ceil(hi / 60)):
                    overlap = min(hi, (hour + 1) * 60) - max(lo, hour * 60)
                    out[day * 24 + hour] += max(overlap, 0) / 60
        return out

    def label(self) -> str:
        """E.g. 'office_day mon-fri' or 'office_day mon-thu, weekend_duty sat'."""
        parts = []
        for pattern in dict.fromkeys(p for p in self.days if p is not None):
            days = [WEEKDAYS[d] for d, p in enumerate(self.days) if p == pattern]
            parts.append(f"{pattern} {_days(days)}")
        return ", ".join(parts)

    def intervals(self, shifts: Shifts, start: dt.date, end_min: float) -> np.ndarray:
        """Working intervals in simulation minutes from day 0 (``start``) to ``end_min``."""
        spans: list[list[float]] = []
        for day in range(math.ceil(end_min / 1440)):
            pattern = self.days[(start.weekday() + day) % 7]
            if pattern is None:
                continue
            for lo, hi in shifts.patterns[pattern].minutes():
                a, b = day * 1440 + lo, min(day * 1440 + hi, end_min)
                if a < b:
                    if spans and spans[-1][1] == a:
                        spans[-1][1] = b
                    else:
                        spans.append([a, b])
        return np.array(spans, dtype=float).reshape(-1, 2)


def _days(days: list[str]) -> str:
    index = [WEEKDAYS.index(d) for d in days]
    if len(index) > 2 and index == list(range(index[0], index[-1] + 1)):
        return f"{days[0]}-{days[-1]}"
    return ",".join(days)


def tours(shifts: Shifts) -> list[Tour]:
    """Every week the labour rules allow: at most one shift a day, on the pattern's days, at
    least ``rest_days_per_week`` days off, paid hours from the minimum to the maximum."""
    options = [[None, *[name for name, p in shifts.patterns.items() if day in p.days]]
               for day in WEEKDAYS]
    count = math.prod(len(o) for o in options)
    if count > MAX_TOURS * 20:
        raise GridsimError(f"shifts: {count:,} ways to fill a week; give fewer patterns or "
                           "fewer days per pattern")
    out = []
    for days in product(*options):
        worked = sum(p is not None for p in days)
        if worked == 0 or 7 - worked < shifts.rest_days_per_week:
            continue
        tour = Tour(days)
        if shifts.min_hours_per_week - 1e-9 <= tour.hours(shifts) <= \
                shifts.max_hours_per_week + 1e-9:
            out.append(tour)
    if not out:
        raise GridsimError("shifts: no week of shifts keeps the labour rules (hours per week "
                           f"{shifts.min_hours_per_week:g}-{shifts.max_hours_per_week:g}, "
                           f"{shifts.rest_days_per_week} rest days)")
    if len(out) > MAX_TOURS:
        raise GridsimError(f"shifts: {len(out):,} allowed weeks; give fewer patterns")
    return out


@dataclass(frozen=True)
class Roster:
    """How many workers work each week, what that covers and costs."""

    community: str
    weeks: tuple[tuple[Tour, int], ...]
    covered: np.ndarray  # workers on duty in each hour of the week (sum of shares)
    cost_per_year: float
    uncovered_hours: tuple[int, ...] = ()  # hours with a requirement no pattern covers

    @property
    def workers(self) -> int:
        return sum(n for _, n in self.weeks)

    def table(self, shifts: Shifts, currency: str) -> pd.DataFrame:
        """roster.csv's rows: community, shift (the week), workers, days, paid hours a week,
        cost a year."""
        rows = []
        for tour, n in self.weeks:
            row: dict[str, object] = {"community": self.community, "shift": tour.label(),
                                      "workers": n}
            for day, pattern in zip(WEEKDAYS, tour.days, strict=True):
                row[day] = pattern or ""
            row["paid_hours_per_week"] = tour.hours(shifts)
            row[f"cost_{currency.lower()}_per_year"] = n * tour.cost_per_year(shifts)
            rows.append(row)
        return pd.DataFrame(rows)


def cheapest(community: str, required: np.ndarray, shifts: Shifts, weeks: list[Tour] | None = None
             ) -> Roster:
    """The least-cost roster covering ``required`` (168) with the allowed weeks."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    weeks = tours(shifts) if weeks is None else weeks
    cover = np.array([t.coverage(shifts) for t in weeks]).T  # (168, weeks)
    cost = np.array([t.cost_per_year(shifts) for t in weeks])
    need = np.asarray(required, dtype=float)
    uncovered = tuple(int(h) for h in np.flatnonzero((need > 0) & (cover.sum(axis=1) == 0)))
    rows = np.flatnonzero((need > 0) & (cover.sum(axis=1) > 0))
    if rows.size == 0:
        return Roster(community, (), np.zeros(HOURS), 0.0, uncovered)
    # a week used more often than the largest requirement is never needed (costs are >= 0)
    top = float(need.max()) / max(float(cover[rows].max()), 1e-9)
    found = milp(cost + 1e-6,  # the tiny term: among equal costs, fewer workers
                 constraints=LinearConstraint(cover[rows], lb=need[rows], ub=np.inf),
                 integrality=np.ones(len(weeks)), bounds=Bounds(0, math.ceil(top)),
                 options={"mip_rel_gap": 0.0, "time_limit": 60.0})
    if found.x is None:
        raise GridsimError(f"{community}: no roster found ({found.message})")
    x = np.round(found.x).astype(int)
    chosen = tuple((weeks[i], int(x[i])) for i in np.flatnonzero(x))
    return Roster(community, chosen, cover @ x, float(cost @ x), uncovered)
