"""The model plan: a validated scenario compiled into the arrays and indices the engine uses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.arrivals import MINUTES_PER_YEAR, IntensityCurve
from sim.scenario.schema import Distribution, Scenario


@dataclass(frozen=True)
class Source:
    """One stream of issues: a category arising in a community."""

    index: int
    community: int
    category: int
    rate_per_min: float
    curve: IntensityCurve
    stream: str


@dataclass(frozen=True)
class ModelPlan:
    """Everything the engine needs, as plain tuples and arrays indexed by position."""

    horizon_min: float
    warmup_min: float
    communities: tuple[str, ...]
    workers: tuple[int, ...]
    categories: tuple[str, ...]
    priorities: tuple[int, ...]
    handling: tuple[Distribution, ...]
    respond_target_min: np.ndarray
    resolve_target_h: np.ndarray
    sources: tuple[Source, ...]

    @property
    def window_min(self) -> float:
        """Length of the observation window (after the warm-up), minutes."""
        return self.horizon_min - self.warmup_min


def build_plan(scenario: Scenario) -> ModelPlan:
    """Compile ``scenario`` into a :class:`ModelPlan`."""
    horizon = scenario.horizon
    horizon_min = horizon.days * 24 * 60
    categories = tuple(scenario.demand)
    curves: dict[int, IntensityCurve] = {}

    def curve_for(category: str) -> IntensityCurve:
        profile = scenario.demand[category].arrival_profile or scenario.arrival_profile
        key = id(profile)
        if key not in curves:
            curves[key] = IntensityCurve(profile, horizon.start, horizon_min)
        return curves[key]

    sources = []
    for ci, community in enumerate(scenario.communities):
        for ki, category in enumerate(categories):
            yearly = scenario.issues_per_year(community, category)
            if yearly <= 0:
                continue
            sources.append(
                Source(
                    index=len(sources),
                    community=ci,
                    category=ki,
                    rate_per_min=yearly / MINUTES_PER_YEAR,
                    curve=curve_for(category),
                    stream=f"{community.id}/{category}",
                )
            )
    demand = [scenario.demand[k] for k in categories]
    return ModelPlan(
        horizon_min=horizon_min,
        warmup_min=horizon.warmup_days * 24 * 60,
        communities=tuple(c.id for c in scenario.communities),
        workers=tuple(scenario.workers(c) for c in scenario.communities),
        categories=categories,
        priorities=tuple(c.priority for c in demand),
        handling=tuple(c.handling_min for c in demand),
        respond_target_min=np.array([c.respond_within_min or np.nan for c in demand]),
        resolve_target_h=np.array([c.resolve_within_h or np.nan for c in demand]),
        sources=tuple(sources),
    )
