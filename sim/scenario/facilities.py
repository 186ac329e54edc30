"""Scenario keys of the 15-minute living circle (15分钟便民生活圈): service points and coverage.

``facilities:`` lists the service points (facility, docs/glossary.md), each of a ``facility_kind``;
``coverage:`` holds the options of ``gridsim coverage`` (walking speed, time limit, elderly
share, candidate sites for new points). docs/coverage.md explains how a grid counts as covered.

:func:`place_problems` checks what needs the grids (a point inside some grid, a named grid
that exists); ``gridsim coverage`` and ``gridsim validate`` call it
(:func:`sim.scenario.loading.facility_problems`), a simulation does not need it.

This module imports nothing from :mod:`sim.scenario.schema` (which imports it).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from sim.scenario.common import Identifier, PositiveFloat, Share, StrictModel
from sim.scenario.governance import GridId

FACILITY_KINDS = ("rainbow_pavilion", "party_mass_home", "day_care_centre", "service_centre")
"""彩虹庭 Rainbow pavilion, 党群之家 Party-mass home, 日间照料中心 day-care centre, 党群服务中心
(一厅式服务) Party-mass service centre."""
FacilityKind = Literal["rainbow_pavilion", "party_mass_home", "day_care_centre", "service_centre"]


class _Placed(StrictModel):
    """Something with a position: ``x_m`` and ``y_m``, or the centre of a ``grid``."""

    x_m: float | None = Field(default=None, description="Easting (metres, the grids' frame).")
    y_m: float | None = Field(default=None, description="Northing (metres, the grids' frame).")
    grid: GridId | None = Field(
        default=None, description="A grid id: the point stands at the grid's centre "
        "(instead of x_m, y_m).")

    @model_validator(mode="after")
    def _one_position(self) -> _Placed:
        xy = (self.x_m is not None, self.y_m is not None)
        if xy[0] != xy[1]:
            raise ValueError("give both x_m and y_m")
        if xy[0] == (self.grid is not None):
            raise ValueError("give a position: x_m and y_m, or grid (not both)")
        return self


class Facility(_Placed):
    """One service point (facility) where residents are served or gather."""

    id: Identifier = Field(description="Code name, unique among the facilities.")
    kind: FacilityKind = Field(
        description="`rainbow_pavilion` (彩虹庭), `party_mass_home` (党群之家), "
        "`day_care_centre` (日间照料中心), `service_centre` (党群服务中心, one-hall service).")
    name: str | None = Field(default=None, description="Display name, e.g. in Chinese.")
    opening_hours: Identifier = Field(
        default="always", description="Name of a calendar in `calendars`, or `always`.")
    offers: list[Identifier] = Field(
        default_factory=list,
        description="What it offers, as code names (e.g. water, umbrella, charging, medicine).")


class CandidateSite(_Placed):
    """A site where a new point could be built (``gridsim coverage --candidates sites``)."""

    id: Identifier = Field(description="Code name, unique among the candidate sites.")
    name: str | None = Field(default=None, description="Display name, e.g. in Chinese.")
    kinds: list[FacilityKind] | None = Field(
        default=None, description="Kinds of point the site could host; default: any kind.")


class CoverageOptions(StrictModel):
    """Options of ``gridsim coverage``: who walks how fast, how far, weighted how."""

    within_min: PositiveFloat = Field(
        default=15.0, description="Walking time that counts as covered (minutes).")
    walking_speed_kmh: PositiveFloat = Field(
        default=4.3, description="Residents' walking speed (km/h), as grid members walk.")
    elderly_share: Share | None = Field(
        default=None, description="Share of households with an elderly member, where neither "
        "the grid nor its community gives one (`--weight elderly`).")
    candidate_sites: list[CandidateSite] = Field(
        default_factory=list, description="Sites for new points (`--candidates sites`).")


def check_facilities(facilities: list[Facility], calendars: set[str]) -> list[str]:
    """Problems of ``facilities`` the schema alone cannot see, without the grids."""
    problems = []
    seen: set[str] = set()
    for i, facility in enumerate(facilities):
        if facility.id in seen:
            problems.append(f"facilities[{i}].id: '{facility.id}' appears more than once")
        seen.add(facility.id)
        if facility.opening_hours not in calendars:
            problems.append(f"facilities[{i}].opening_hours: unknown calendar "
                            f"'{facility.opening_hours}' (known: {', '.join(sorted(calendars))})")
    return problems


# ---------------------------------------------------------------- positions against the grids


def inside_grid(x: float, y: float, grid_x: np.ndarray, grid_y: np.ndarray,
                area_m2: np.ndarray, tolerance_m: float = 1.0) -> int:
    """Row of the grid whose square (side √area, at its centre) holds (x, y), the nearest
    centre among several; -1 when the point lies outside every grid."""
    half = np.sqrt(area_m2) / 2 + tolerance_m
    inside = (np.abs(grid_x - x) <= half) & (np.abs(grid_y - y) <= half)
    if not inside.any():
        return -1
    rows = np.flatnonzero(inside)
    return int(rows[np.argmin(np.hypot(grid_x[rows] - x, grid_y[rows] - y))])


def place_problems(items: list[_Placed], key: str, ids: tuple[str, ...], x: np.ndarray,
                   y: np.ndarray, area_m2: np.ndarray) -> list[tuple[str, str]]:
    """(key, problem) for items naming an unknown grid or lying outside every grid."""
    problems = []
    known = set(ids)
    for i, item in enumerate(items):
        if item.grid is not None:
            if item.grid not in known:
                close = [g for g in ids if g.startswith(item.grid.rsplit("-", 1)[0])][:3]
                hint = f" (e.g. {', '.join(close)})" if close else ""
                problems.append((f"{key}[{i}].grid", f"no grid '{item.grid}'{hint}"))
        elif inside_grid(float(item.x_m), float(item.y_m), x, y, area_m2) < 0:  # type: ignore[arg-type]
            problems.append((f"{key}[{i}]", f"({item.x_m:g}, {item.y_m:g}) m lies outside "
                             "every grid (each grid is the square of its area around its "
                             "centre); check x_m, y_m against the grids' frame"))
    return problems
