"""The model plan: a validated scenario compiled into the arrays and indices the engine uses.

Everything the engine looks up per issue is precomputed here: the categories, sources of
issues (a category in a grid), responders with their roles, positions, calendars and skills
(:mod:`sim.model.staff`), travel times and dispatch preference lists per grid
(:mod:`sim.model.dispatch`), departments and care visits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.model.arrivals import IntensityCurve
from sim.model.dispatch import TravelBlock, dispatch_lists, travel_blocks
from sim.model.measures import DRAIN_DAYS
from sim.model.staff import CareHousehold, Responder, build_responders, pair_care_households
from sim.scenario.common import MINUTES_PER_DAY, MINUTES_PER_YEAR, Distribution
from sim.scenario.governance import CARE_VISIT, CareVisits
from sim.scenario.grids import GridTable, build_grids
from sim.scenario.schema import Scenario

__all__ = ["DRAIN_DAYS", "MINUTES_PER_DAY", "CareHousehold", "ModelPlan", "Responder",
           "Source", "build_plan"]


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

    def stream_names(self, prefix: str = "") -> tuple[str, str, str, str]:
        """Its streams (sim.model.streams): arrival gaps, handling times, reporting delays and
        escalation draws, each name after ``prefix``."""
        s = self.stream
        return (f"{prefix}arrivals/{s}", f"{prefix}handling/{s}", f"{prefix}report/{s}",
                f"{prefix}escalate/{s}")


@dataclass(frozen=True)
class DepartmentPlan:
    """A department: the county's (``name``), or a district's own (``<district>/<name>``)."""

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
    districts: tuple[str, ...]  # the scenario's district ids (none: one district, unnamed)
    community_district: tuple[int, ...]  # per community: its district (0 without districts)
    categories: tuple[str, ...]  # the scenario's, plus care_visit when visits are scheduled
    priorities: tuple[int, ...]
    urgent: tuple[bool, ...]
    preempt: tuple[bool, ...]
    walk_in: tuple[bool, ...]
    handling: tuple[Distribution, ...]
    escalate_share: tuple[float, ...]
    escalate_to: tuple[tuple[int, ...], ...]  # per district, per category: department, -1 none
    respond_target_min: np.ndarray
    resolve_target_h: np.ndarray
    grids: GridTable
    sources: tuple[Source, ...]
    responders: tuple[Responder, ...]
    preferences: tuple[tuple[int, ...], ...]  # per grid: responders in dispatch order
    queue_scope: tuple[int, ...]  # per grid: the queue its issues wait in
    scopes_of: tuple[tuple[int, ...], ...]  # per responder: the queues it serves
    travel_blocks: tuple[TravelBlock, ...]  # per community: its responders x its grids
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

    def travel_minutes(self, responder: int, grid: int) -> float:
        """One-way minutes from ``responder``'s base to ``grid`` (0 without travel or outside
        its community)."""
        for block in self.travel_blocks:
            rows, cols = block.minutes.shape
            if (0 <= responder - block.first_responder < rows
                    and 0 <= grid - block.first_grid < cols):
                return float(block.minutes[responder - block.first_responder,
                                           grid - block.first_grid])
        return 0.0

    @property
    def workers(self) -> tuple[int, ...]:
        """Community workers per community (for reports)."""
        counts = [0] * len(self.communities)
        for r in self.responders:
            if r.role == "community_worker" and r.shift_key.endswith("@base"):
                counts[r.community] += 1
        return tuple(counts)


@dataclass(frozen=True)
class Categories:
    """The categories of a plan, each attribute a tuple in category order: the scenario's
    categories, then ``care_visit`` when visits are scheduled."""

    names: tuple[str, ...]
    priorities: tuple[int, ...]
    urgent: tuple[bool, ...]
    preempt: tuple[bool, ...]
    walk_in: tuple[bool, ...]
    handling: tuple[Distribution, ...]
    escalate_share: tuple[float, ...]
    escalate_department: tuple[str | None, ...]  # the department's name, None: no escalation
    respond_target_min: np.ndarray
    resolve_target_h: np.ndarray

    @classmethod
    def of(cls, scenario: Scenario, care: CareVisits | None) -> Categories:
        demand = scenario.demand
        names = (*demand, *([CARE_VISIT] if care is not None else []))
        own = [demand.get(k) for k in names]  # None for care visits
        escalations = [c.escalation if c else None for c in own]

        def flag(attr: str) -> tuple[bool, ...]:
            return tuple(bool(getattr(c, attr)) if c is not None else False for c in own)

        return cls(
            names=names,
            priorities=tuple(c.priority if c is not None else care.priority  # type: ignore[union-attr]
                             for c in own),
            urgent=flag("urgent"), preempt=flag("preempt"), walk_in=flag("walk_in"),
            handling=tuple(c.handling_min if c is not None else care.handling_min  # type: ignore[union-attr]
                           for c in own),
            escalate_share=tuple(e.share if e else 0.0 for e in escalations),
            escalate_department=tuple(e.department if e else None for e in escalations),
            respond_target_min=_targets([
                c.respond_within_min if c is not None
                else care.on_time_days * MINUTES_PER_DAY  # type: ignore[union-attr]
                for c in own]),
            resolve_target_h=_targets([c.resolve_within_h if c is not None else None
                                       for c in own]),
        )


def _targets(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values])


def scheduled_care(scenario: Scenario) -> CareVisits | None:
    """The scenario's care visits, or None when no household is visited."""
    care = scenario.care_visits
    return care if care is not None and care.share_of_households > 0 else None


def department_plans(scenario: Scenario, escalation: tuple[str | None, ...]
                     ) -> tuple[tuple[DepartmentPlan, ...], tuple[tuple[int, ...], ...]]:
    """(the county's departments, then each district's own; per district and category: the
    department its escalations go to, -1 for none)."""
    plans = [DepartmentPlan(name, d.handling_h, d.report_within_h, d.capacity)
             for name, d in scenario.departments.items()]
    index: dict[tuple[str | None, str], int] = {
        (None, name): i for i, name in enumerate(scenario.departments)}
    for district in scenario.districts:
        for name, d in district.departments.items():
            index[district.id, name] = len(plans)
            plans.append(DepartmentPlan(f"{district.id}/{name}", d.handling_h,
                                        d.report_within_h, d.capacity))
    escalate_to = tuple(
        tuple(-1 if name is None else index[scenario.department(d, name)[0], name]
              for name in escalation)
        for d in range(max(len(scenario.districts), 1)))
    return tuple(plans), escalate_to


def build_plan(scenario: Scenario) -> ModelPlan:
    """Compile ``scenario`` into a :class:`ModelPlan` (the whole scenario, or the part of one
    district that :func:`sim.scenario.districts.district_part` cut from it)."""
    horizon = scenario.horizon
    horizon_min = horizon.days * MINUTES_PER_DAY
    warmup_min = horizon.warmup_days * MINUTES_PER_DAY
    grids = build_grids(scenario)
    care = scheduled_care(scenario)
    categories = Categories.of(scenario, care)
    responders = build_responders(scenario, grids, categories.names)
    blocks = travel_blocks(scenario, grids, responders)
    preferences, queue_scope, scopes_of = dispatch_lists(scenario, grids, responders, blocks)
    travel = scenario.travel
    departments, escalate_to = department_plans(scenario, categories.escalate_department)
    return ModelPlan(
        horizon_min=horizon_min,
        warmup_min=warmup_min,
        communities=tuple(c.id for c in scenario.communities),
        districts=tuple(d.id for d in scenario.districts),
        community_district=tuple(scenario.district_of()),
        categories=categories.names,
        priorities=categories.priorities,
        urgent=categories.urgent,
        preempt=categories.preempt,
        walk_in=categories.walk_in,
        handling=categories.handling,
        escalate_share=categories.escalate_share,
        escalate_to=escalate_to,
        respond_target_min=categories.respond_target_min,
        resolve_target_h=categories.resolve_target_h,
        grids=grids,
        sources=build_sources(scenario, grids, categories.names),
        responders=responders,
        preferences=preferences,
        queue_scope=queue_scope,
        scopes_of=scopes_of,
        travel_blocks=blocks,
        return_to_base=bool(travel and travel.return_to_base),
        policy=scenario.dispatch.policy,
        overflow=scenario.dispatch.overflow,
        escalate_after_wait_min=scenario.dispatch.escalate_after_wait_min,
        departments=departments,
        county_review_after_h=scenario.county_review_after_h,
        care_households=pair_care_households(care, grids, responders) if care else (),
        care_every_min=(care.every_days * MINUTES_PER_DAY) if care else math.inf,
        points_per_hour={"volunteer": scenario.staffing.volunteers.points_per_hour},
    )


def build_sources(scenario: Scenario, grids: GridTable, categories: tuple[str, ...]
                  ) -> tuple[Source, ...]:
    """A source per category and grid, its rate in proportion to households x issue weight."""
    demand, horizon = scenario.demand, scenario.horizon
    horizon_min = horizon.days * MINUTES_PER_DAY
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

    sources: list[Source] = []
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
    return tuple(sources)
