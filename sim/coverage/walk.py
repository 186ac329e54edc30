"""Walking times from points to grids over the engine's distance model, and the covering rule.

A grid counts as **covered** by a point when the mean walk from the point to a household of the
grid (households spread uniformly over the grid's square) is within the limit: the distance the
engine uses for travel from a base to an issue in a grid (``from_point_distance_m``: metric and
area), times the detour factor, at the walking speed. A grid is covered whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.governance import Travel
from sim.scenario.grids import GridTable, distance_m, from_point_distance_m
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class WalkModel:
    """How residents walk: the scenario's travel metric and detour factor, a walking speed."""

    metric: str
    detour_factor: float
    speed_kmh: float

    @classmethod
    def of(cls, scenario: Scenario) -> WalkModel:
        """The scenario's ``travel:`` (its defaults when it has none) and walking speed."""
        travel = scenario.travel or Travel()
        return cls(travel.metric, travel.detour_factor, scenario.coverage.walking_speed_kmh)

    @property
    def metres_per_min(self) -> float:
        return self.speed_kmh * 1000 / 60

    def radius_m(self, within_min: float) -> float:
        """Straight-line (or Manhattan) distance walked within ``within_min`` minutes."""
        return within_min * self.metres_per_min / self.detour_factor

    def minutes(self, x_m: np.ndarray, y_m: np.ndarray, grids: GridTable) -> np.ndarray:
        """Mean walking minutes from each point (rows) to a household of each grid (columns)."""
        x = np.asarray(x_m, dtype=float)[:, None]
        y = np.asarray(y_m, dtype=float)[:, None]
        centre = distance_m(x, y, grids.x_m[None, :], grids.y_m[None, :], self.metric)
        mean = from_point_distance_m(centre, grids.area_m2[None, :], self.metric)
        return mean * self.detour_factor / self.metres_per_min


def covers(minutes: np.ndarray, within_min: float) -> np.ndarray:
    """Whether each point covers each grid: its mean walk is within the limit."""
    return minutes <= within_min * (1 + 1e-12)
