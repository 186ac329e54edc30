"""The model plan: a validated scenario compiled into the arrays and indices the engine uses.

Everything the engine looks up per issue is precomputed here: sources of issues (a category in
a grid), responders with their roles, positions, calendars and skills, dispatch preference lists
per grid, travel times, departments and care visits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.model.arrivals import IntensityCurve
from sim.scenario.common import MINUTES_PER_YEAR, Distribution
from sim.scenario.governance import CARE_VISIT, Calendar
from sim.scenario.grids import (
    GridTable,
    build_grids,
    distance_m,
    from_point_distance_m,
    within_grid_distance_m,
)
from sim.scenario.roster import per_households, role_counts, role_spec
from sim.scenario.schema import Scenario

MINUTES_PER_DAY = 1440.0
DRAIN_DAYS = 90.0
"""After the horizon, open issues may take this long to close before the run stops."""


@dataclass(frozen=True)
class Source:
    """One stream of random issues: a category arising in a grid."""

    index: int
    grid: int
    community: int
    category: int
    rate_per_min: float
    curve: IntensityCurve
    stream: str
    report_delay: Distribution | None
    report_factor: float


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


@dataclass(frozen=True)
class DepartmentPlan:
    name: str
    handling_h: Distribution
    report_within_h: float
    capacity: int | None


@dataclass(frozen=True)
class ModelPlan:
    """Everything the engine needs, as plain tuples and arrays indexed by position."""

    horizon_min: float
    warmup_min: float
    communities: tuple[str, ...]
    categories: tuple[str, ...]  # the scenario's, plus care_visit when visits are scheduled
    priorities: tuple[int, ...]
    urgent: tuple[bool, ...]
    preempt: tuple[bool, ...]
    walk_in: tuple[bool, ...]
    handling: tuple[Distribution, ...]
    escalate_share: tuple[float, ...]
    escalate_to: tuple[int, ...]  # department index, -1 none
    respond_target_min: np.ndarray
    resolve_target_h: np.ndarray
    grids: GridTable
    sources: tuple[Source, ...]
    responders: tuple[Responder, ...]
    preferences: tuple[tuple[int, ...], ...]  # per grid: responders in dispatch order
    queue_scope: tuple[int, ...]  # per grid: the queue its issues wait in
    scopes_of: tuple[tuple[int, ...], ...]  # per responder: the queues it serves
    travel_min: tuple[dict[int, float], ...]  # per responder: grid -> one-way minutes
    return_to_base: bool
    policy: str
    overflow: str
    escalate_after_wait_min: float | None
    departments: tuple[DepartmentPlan, ...]
    county_review_after_h: float | None
    care_households: tuple[CareHousehold, ...]
    care_every_min: float
    points_per_hour: dict[str, float] = field(default_factory=dict)

    @property
    def window_min(self) -> float:
        """Length of the observation window (after the warm-up), minutes."""
        return self.horizon_min - self.warmup_min

    @property
    def workers(self) -> tuple[int, ...]:
        """Community workers per community (for reports)."""
        counts = [0] * len(self.communities)
        for r in self.responders:
            if r.role == "community_worker" and r.shift_key.endswith("@base"):
                counts[r.community] += 1
        return tuple(counts)


def _intervals(calendar: Calendar | None, scenario: Scenario, end_min: float) -> np.ndarray | None:
    if calendar is None:
        return None
    return calendar.intervals(scenario.horizon.start, end_min)


def _clip(intervals: np.ndarray | None, lo: float, hi: float, end_min: float) -> np.ndarray:
    """Intersect working intervals (None: always) with [lo, hi)."""
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


def build_plan(scenario: Scenario) -> ModelPlan:
    """Compile ``scenario`` into a :class:`ModelPlan`."""
    horizon = scenario.horizon
    horizon_min = horizon.days * MINUTES_PER_DAY
    warmup_min = horizon.warmup_days * MINUTES_PER_DAY
    end_min = horizon_min + DRAIN_DAYS * MINUTES_PER_DAY
    grids = build_grids(scenario)
    demand = dict(scenario.demand)
    categories = list(demand)
    care = scenario.care_visits if scenario.care_visits and (
        scenario.care_visits.share_of_households > 0) else None
    if care is not None:
        categories.append(CARE_VISIT)
    cat_index = {k: i for i, k in enumerate(categories)}
    department_names = list(scenario.departments)

    # -- categories
    def per_category(attr: str, care_value):
        return tuple(
            getattr(demand[k], attr) if k in demand else care_value for k in categories
        )

    priorities = per_category("priority", care.priority if care else 0)
    handling = per_category("handling_min", care.handling_min if care else None)
    escalations = [demand[k].escalation if k in demand else None for k in categories]
    respond = [demand[k].respond_within_min if k in demand else (
        care.on_time_days * MINUTES_PER_DAY if care else None) for k in categories]
    resolve = [demand[k].resolve_within_h if k in demand else None for k in categories]

    # -- sources: a category in a grid, rate in proportion to households x issue weight
    curves: dict[tuple, IntensityCurve] = {}

    def curve_for(category: str) -> IntensityCurve:
        profile = demand[category].arrival_profile or scenario.arrival_profile
        windows = tuple(
            (s.start_day, s.end_day, s.demand.get(category, s.demand.get("all", 1.0)))
            for s in scenario.surges
        )
        key = (id(profile), windows)
        if key not in curves:
            curves[key] = IntensityCurve(profile, horizon.start, horizon_min, surges=windows)
        return curves[key]

    sources = []
    for ci, community in enumerate(scenario.communities):
        members = grids.of_community(ci)
        weight = grids.households[members] * grids.issue_weight[members]
        total = weight.sum()
        for ki, category in enumerate(categories):
            if category not in demand:
                continue
            yearly = scenario.issues_per_year(community, category)
            if yearly <= 0 or total <= 0:
                continue
            for g, w in zip(members, weight, strict=True):
                if w <= 0:
                    continue
                sources.append(Source(
                    index=len(sources), grid=int(g), community=ci, category=ki,
                    rate_per_min=yearly * (w / total) / MINUTES_PER_YEAR,
                    curve=curve_for(category), stream=f"{grids.ids[g]}/{category}",
                    report_delay=demand[category].report_delay_min,
                    report_factor=(scenario.reporting.building_head_factor
                                   if grids.building_heads[g] else 1.0),
                ))

    # -- responders
    staffing = scenario.staffing
    calendars = scenario.calendars

    def skills_of(spec) -> frozenset[int]:
        if spec.categories == "all":
            return frozenset(range(len(categories)))
        return frozenset(cat_index[k] for k in spec.categories if k in cat_index)

    responders: list[Responder] = []

    shift_cache: dict[tuple, tuple[np.ndarray | None, float]] = {}

    def shifts_of(calendar: str, window) -> tuple[np.ndarray | None, float]:
        key = (calendar, window)
        if key not in shift_cache:
            base = _intervals(calendars.get(calendar), scenario, end_min)
            shifts = base if window is None else _clip(base, window[0], window[1], end_min)
            shift_cache[key] = (shifts, _scheduled(shifts, warmup_min, horizon_min))
        return shift_cache[key]

    def add(role: str, spec, community: int, grid: int, x: float, y: float, window=None,
            on_duty: bool = False, tag: str = "base", calendar: str | None = None) -> None:
        calendar = calendar or spec.calendar
        shifts, scheduled = shifts_of(calendar, window)
        responders.append(Responder(
            index=len(responders), role=role, community=community, grid=grid, x_m=x, y_m=y,
            speed_m_per_min=spec.speed_kmh * 1000 / 60, skills=skills_of(spec), shifts=shifts,
            shift_key=f"{calendar}@{tag}", on_duty=on_duty, scheduled_min=scheduled,
        ))

    for ci, community in enumerate(scenario.communities):
        ox, oy = community.office_m
        members = grids.of_community(ci)
        workers = scenario.workers(community)
        for w in range(workers):
            add("community_worker", staffing.community_workers, ci, -1, ox, oy,
                on_duty=w < staffing.community_workers.on_duty)
        for g in members:
            for _ in range(staffing.grid_members.per_grid):
                add("grid_member", staffing.grid_members, ci, int(g), grids.x_m[g], grids.y_m[g])
        counts = role_counts(scenario, community)
        for role, spec in (("volunteer", staffing.volunteers),
                           ("party_member", staffing.party_members)):
            for j in range(counts[role]):
                g = members[j % len(members)]
                add(role, spec, ci, int(g), grids.x_m[g], grids.y_m[g])
        for s_index, surge in enumerate(scenario.surges):
            window = (surge.start_day * MINUTES_PER_DAY, surge.end_day * MINUTES_PER_DAY)
            for role, per_1000 in surge.extra.items():
                spec = role_spec(scenario, role)
                for j in range(per_households(community, per_1000)):
                    g = members[j % len(members)]
                    x, y = (ox, oy) if role == "community_worker" else (grids.x_m[g],
                                                                        grids.y_m[g])
                    add(role, spec, ci, -1 if role == "community_worker" else int(g), x, y,
                        window=window, tag=f"surge{s_index}", calendar=surge.calendar)

    # -- travel times from each responder's base to each grid of its community
    travel = scenario.travel
    travel_min: list[dict[int, float]] = []
    for r in responders:
        if travel is None:
            travel_min.append({})
            continue
        members = grids.of_community(r.community)
        d = distance_m(r.x_m, r.y_m, grids.x_m[members], grids.y_m[members], travel.metric)
        # from the base to a random point of the grid; in its own grid, a member goes between
        # two random points of it
        d = from_point_distance_m(d, grids.area_m2[members], travel.metric)
        if r.grid >= 0:
            inside = within_grid_distance_m(grids.area_m2[members], travel.metric)
            d = np.where(members == r.grid, inside, d)
        minutes = d * travel.detour_factor / r.speed_m_per_min
        travel_min.append({int(g): float(t) for g, t in zip(members, minutes, strict=True)})

    # -- dispatch: preference lists and queues
    policy = scenario.dispatch.policy
    by_community: dict[int, list[Responder]] = {}
    for r in responders:
        by_community.setdefault(r.community, []).append(r)
    preferences = []
    queue_scope = []
    n_communities = len(scenario.communities)
    for g in range(len(grids.ids)):
        c = int(grids.community[g])
        pool = by_community.get(c, [])

        def minutes(r: Responder, g: int = g) -> float:
            return travel_min[r.index].get(g, 0.0)

        if policy == "pooled":
            order = [r.index for r in pool]
        elif policy == "nearest_free":
            order = [r.index for r in sorted(pool, key=lambda r: (minutes(r), r.index))]
        elif policy == "own_grid_first":
            order = [r.index for r in sorted(
                pool, key=lambda r: (r.grid != g, minutes(r), r.index))]
        else:  # dedicated: the grid's own members, then the community's (pooled) workers
            order = [r.index for r in sorted(
                (r for r in pool if r.grid == g or r.grid < 0),
                key=lambda r: (r.grid != g, minutes(r), r.index))]
        preferences.append(tuple(order))
        queue_scope.append(n_communities + g if policy == "dedicated" else c)
    scopes_of = []
    for r in responders:
        if policy != "dedicated":
            scopes_of.append((r.community,))
        elif r.grid >= 0:
            scopes_of.append((n_communities + r.grid,))
        else:
            scopes_of.append(tuple(n_communities + int(g) for g in grids.of_community(r.community)))

    # -- care visits: households paired one-to-one with responders of the chosen role
    care_households: list[CareHousehold] = []
    if care is not None:
        for g in range(len(grids.ids)):
            count = int(round(grids.households[g] * care.share_of_households))
            partners = [r.index for r in responders if r.role == care.by and (
                r.grid == g or (r.grid < 0 and r.community == grids.community[g]))
                and r.shift_key.endswith("@base")]
            if count and not partners:
                partners = [r.index for r in responders if r.role == care.by and
                            r.community == grids.community[g] and r.shift_key.endswith("@base")]
            for h in range(count if partners else 0):
                care_households.append(CareHousehold(g, partners[h % len(partners)]))

    points = {"volunteer": staffing.volunteers.points_per_hour}
    return ModelPlan(
        horizon_min=horizon_min,
        warmup_min=warmup_min,
        communities=tuple(c.id for c in scenario.communities),
        categories=tuple(categories),
        priorities=priorities,
        urgent=tuple(bool(demand[k].urgent) if k in demand else False for k in categories),
        preempt=tuple(bool(demand[k].preempt) if k in demand else False for k in categories),
        walk_in=tuple(bool(demand[k].walk_in) if k in demand else False for k in categories),
        handling=handling,
        escalate_share=tuple(e.share if e else 0.0 for e in escalations),
        escalate_to=tuple(department_names.index(e.department) if e else -1
                          for e in escalations),
        respond_target_min=np.array([np.nan if v is None else v for v in respond]),
        resolve_target_h=np.array([np.nan if v is None else v for v in resolve]),
        grids=grids,
        sources=tuple(sources),
        responders=tuple(responders),
        preferences=tuple(preferences),
        queue_scope=tuple(queue_scope),
        scopes_of=tuple(scopes_of),
        travel_min=tuple(travel_min),
        return_to_base=bool(travel and travel.return_to_base),
        policy=policy,
        overflow=scenario.dispatch.overflow,
        escalate_after_wait_min=scenario.dispatch.escalate_after_wait_min,
        departments=tuple(
            DepartmentPlan(name, d.handling_h, d.report_within_h, d.capacity)
            for name, d in scenario.departments.items()
        ),
        county_review_after_h=scenario.county_review_after_h,
        care_households=tuple(care_households),
        care_every_min=(care.every_days * MINUTES_PER_DAY) if care else math.inf,
        points_per_hour=points,
    )

