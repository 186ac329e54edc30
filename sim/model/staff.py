"""The responders of a plan: who they are, where they are based, what they may take, and when
they work; and the pairing of care-visit households with them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from sim.model.measures import DRAIN_DAYS
from sim.scenario.common import MINUTES_PER_DAY
from sim.scenario.governance import CareVisits, RoleBase
from sim.scenario.grids import GridTable
from sim.scenario.roster import per_households, role_counts, role_spec
from sim.scenario.schema import Scenario

Window = tuple[float, float]


@dataclass(frozen=True)
class Responder:
    """One person who can answer issues."""

    index: int
    role: str
    community: int
    grid: int  # home grid, -1 for community workers (based at the office)
    x_m: float
    y_m: float
    speed_m_per_min: float
    skills: frozenset[int]  # category indices
    shifts: np.ndarray | None  # working intervals [[from, to], ...]; None: always
    shift_key: str  # responders with the same key share one calendar process
    on_duty: bool  # answers urgent categories outside its shifts
    scheduled_min: float  # working minutes inside the observation window


@dataclass(frozen=True)
class CareHousehold:
    """A registered special-group household and the responder paired with it."""

    grid: int
    responder: int


def build_responders(scenario: Scenario, grids: GridTable, categories: tuple[str, ...]
                     ) -> tuple[Responder, ...]:
    """Every responder of every community, community by community: community workers (at the
    office), grid members (in their grid), volunteers and Party members (spread over the
    grids in turn), then each surge's temporary responders."""
    roster = _Roster(scenario, categories)
    staffing = scenario.staffing
    for ci, community in enumerate(scenario.communities):
        office = community.office_m
        members = grids.of_community(ci)
        counts = role_counts(scenario, community)
        for w in range(counts["community_worker"]):
            roster.add("community_worker", ci, -1, office,
                       on_duty=w < staffing.community_workers.on_duty)
        per_grid = counts["grid_member"] // max(len(members), 1)
        for g in members:
            for _ in range(per_grid):
                roster.add("grid_member", ci, int(g), grids.centre(g))
        for role in ("volunteer", "party_member"):
            for j in range(counts[role]):
                g = int(members[j % len(members)])
                roster.add(role, ci, g, grids.centre(g))
        for s_index, surge in enumerate(scenario.surges):
            window = (surge.start_day * MINUTES_PER_DAY, surge.end_day * MINUTES_PER_DAY)
            for role, per_1000 in surge.extra.items():
                for j in range(per_households(community, per_1000)):
                    g = int(members[j % len(members)])
                    worker = role == "community_worker"
                    roster.add(role, ci, -1 if worker else g,
                               office if worker else grids.centre(g), window=window,
                               tag=f"surge{s_index}", calendar=surge.calendar)
    return tuple(roster.responders)


class _Roster:
    """Responders as they are added, with each calendar's working intervals worked out once."""

    def __init__(self, scenario: Scenario, categories: tuple[str, ...]):
        self.scenario = scenario
        self.categories = categories
        horizon = scenario.horizon
        self.warmup_min = horizon.warmup_days * MINUTES_PER_DAY
        self.horizon_min = horizon.days * MINUTES_PER_DAY
        self.end_min = self.horizon_min + DRAIN_DAYS * MINUTES_PER_DAY
        self.responders: list[Responder] = []
        self._shifts: dict[tuple[str, Window | None], tuple[np.ndarray | None, float]] = {}

    def add(self, role: str, community: int, grid: int, at: tuple[float, float],
            window: Window | None = None, on_duty: bool = False, tag: str = "base",
            calendar: str | None = None) -> None:
        spec = role_spec(self.scenario, role)
        calendar = calendar or spec.calendar
        shifts, scheduled = self.shifts(calendar, window)
        self.responders.append(Responder(
            index=len(self.responders), role=role, community=community, grid=grid,
            x_m=float(at[0]), y_m=float(at[1]), speed_m_per_min=spec.speed_kmh * 1000 / 60,
            skills=self.skills(spec), shifts=shifts, shift_key=f"{calendar}@{tag}",
            on_duty=on_duty, scheduled_min=scheduled,
        ))

    def skills(self, spec: RoleBase) -> frozenset[int]:
        """Category indices a role may take."""
        if spec.categories == "all":
            return frozenset(range(len(self.categories)))
        index = {k: i for i, k in enumerate(self.categories)}
        return frozenset(index[k] for k in spec.categories if k in index)

    def shifts(self, calendar: str, window: Window | None) -> tuple[np.ndarray | None, float]:
        """Working intervals of ``calendar`` (None: always), cut to ``window`` if given, and
        the working minutes inside the observation window."""
        key = (calendar, window)
        if key not in self._shifts:
            named = self.scenario.calendars.get(calendar)  # None: `always`
            base = None if named is None else named.intervals(self.scenario.horizon.start,
                                                               self.end_min)
            shifts = base if window is None else _clip(base, window, self.end_min)
            self._shifts[key] = (shifts, _scheduled(shifts, self.warmup_min, self.horizon_min))
        return self._shifts[key]


def _clip(intervals: np.ndarray | None, window: Window, end_min: float) -> np.ndarray:
    """Intersect working intervals (None: always) with ``window``."""
    lo, hi = window
    if intervals is None:
        return np.array([[lo, min(hi, end_min)]])
    starts = np.maximum(intervals[:, 0], lo)
    ends = np.minimum(intervals[:, 1], hi)
    keep = ends > starts
    return np.stack([starts[keep], ends[keep]], axis=1)


def _scheduled(intervals: np.ndarray | None, lo: float, hi: float) -> float:
    if intervals is None:
        return hi - lo
    return float(np.clip(np.minimum(intervals[:, 1], hi) - np.maximum(intervals[:, 0], lo),
                         0, None).sum())


def pair_care_households(care: CareVisits, grids: GridTable,
                         responders: tuple[Responder, ...]) -> tuple[CareHousehold, ...]:
    """Each grid's special-group households paired in turn with the visiting role's responders
    of the grid (or, for community workers, of its community); with none in the grid, those of
    the community. Temporary (surge) responders make no visits."""
    in_grid: dict[int, list[int]] = defaultdict(list)
    in_community: dict[int, list[int]] = defaultdict(list)
    at_office: dict[int, list[int]] = defaultdict(list)
    for r in responders:
        if r.role == care.by and r.shift_key.endswith("@base"):
            in_community[r.community].append(r.index)
            (in_grid[r.grid] if r.grid >= 0 else at_office[r.community]).append(r.index)
    pairs = []
    for g in range(len(grids)):
        count = int(round(grids.households[g] * care.share_of_households))
        c = int(grids.community[g])
        partners = sorted(in_grid.get(g, []) + at_office.get(c, [])) or in_community.get(c, [])
        for h in range(count if partners else 0):
            pairs.append(CareHousehold(g, partners[h % len(partners)]))
    return tuple(pairs)
