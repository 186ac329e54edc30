"""Scenario keys of the grid-governance model: grids, calendars, roles, dispatch, travel,
escalation, care visits and surges (docs/glossary.md names throughout).

Imported by :mod:`sim.scenario.schema`, which assembles the whole scenario.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from sim.scenario.common import (
    Distribution,
    Identifier,
    MeanCv,
    NonNegativeFloat,
    PositiveFloat,
    Share,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
GRID_ID_PATTERN = r"^[\p{L}\p{N}][\p{L}\p{N}\p{M}_.-]*$"
GridId = Annotated[
    str, StringConstraints(pattern=GRID_ID_PATTERN, min_length=1, max_length=60)
]
"""A grid id: letters or digits of any script (``dongguan-r1c2``, ``东关1``), then also ``_``,
``.`` or ``-``; no spaces or slashes (safe in file names and YAML keys)."""
_PERIOD = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
ALWAYS = "always"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# ---------------------------------------------------------------- calendars


class Calendar(_Strict):
    """Weekly working hours: open days and the periods of an open day."""

    days: list[Weekday] = Field(
        default=["mon", "tue", "wed", "thu", "fri"], min_length=1, description="Working weekdays."
    )
    periods: list[str] = Field(
        default=["08:00-12:00", "14:00-18:00"], min_length=1,
        description="Working periods of a working day, local time `HH:MM-HH:MM`.",
    )

    @model_validator(mode="after")
    def _check(self) -> Calendar:
        spans = []
        for period in self.periods:
            match = _PERIOD.match(period)
            if not match:
                raise ValueError(f"period {period!r} is not HH:MM-HH:MM (e.g. 08:00-12:00)")
            h0, m0, h1, m1 = (int(g) for g in match.groups())
            if h1 * 60 + m1 <= h0 * 60 + m0 or h1 * 60 + m1 > 1440:
                raise ValueError(f"period {period!r} must end after it starts, by 24:00")
            spans.append((h0 * 60 + m0, h1 * 60 + m1))
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            if start < end:
                raise ValueError("periods must not overlap")
        return self

    def minutes(self) -> list[tuple[int, int]]:
        """The periods as (start, end) minutes after midnight, in order."""
        out = []
        for period in self.periods:
            h0, m0, h1, m1 = (int(g) for g in _PERIOD.match(period).groups())  # type: ignore[union-attr]
            out.append((h0 * 60 + m0, h1 * 60 + m1))
        return sorted(out)

    def weekly_hours(self) -> float:
        return len(set(self.days)) * sum(b - a for a, b in self.minutes()) / 60

    def intervals(self, start: dt.date, horizon_min: float) -> np.ndarray:
        """Working intervals ``[[from, to], ...]`` in simulation minutes over the horizon."""
        weekdays = {WEEKDAYS.index(d) for d in self.days}
        spans: list[list[float]] = []
        first = start.weekday()
        for day in range(int(np.ceil(horizon_min / 1440)) + 1):
            if (first + day) % 7 not in weekdays:
                continue
            for a, b in self.minutes():
                lo, hi = day * 1440 + a, min(day * 1440 + b, horizon_min)
                if lo < hi:
                    if spans and spans[-1][1] == lo:  # 22:00-24:00 then 00:00-06:00
                        spans[-1][1] = hi
                    else:
                        spans.append([lo, hi])
        return np.array(spans, dtype=float).reshape(-1, 2)

    def contains(self, minutes: np.ndarray, start: dt.date) -> np.ndarray:
        """Whether each time (minutes after day 0 began) falls in working hours."""
        minutes = np.asarray(minutes, dtype=float)
        day = np.floor(minutes / 1440.0)
        weekday = ((start.weekday() + day) % 7).astype(np.int64)
        open_day = np.isin(weekday, [WEEKDAYS.index(d) for d in self.days])
        clock = minutes - day * 1440.0
        inside = np.zeros(minutes.shape, dtype=bool)
        for lo, hi in self.minutes():
            inside |= (clock >= lo) & (clock < hi)
        return open_day & inside


# ---------------------------------------------------------------- grids


class GridItem(_Strict):
    """One grid (网格): the block of households a grid team covers."""

    id: GridId = Field(description="Grid id, unique in the scenario.")
    name: str | None = Field(
        default=None, description="Display name in reports, e.g. 东关一网格; default: the id."
    )
    households: int = Field(ge=0, description="Households in the grid (households).")
    x_m: float = Field(description="Easting of the grid's centre (metres).")
    y_m: float = Field(description="Northing of the grid's centre (metres).")
    area_m2: PositiveFloat | None = Field(
        default=None, description="Area (m²); default: spacing² of its nearest neighbour."
    )
    issue_weight: NonNegativeFloat = Field(
        default=1.0, description="Issues per household relative to the community (e.g. elderly)."
    )
    building_heads: bool = Field(
        default=True, description="Whether building heads (楼栋长) report the grid's issues."
    )
    elderly_share: Share | None = Field(
        default=None, description="Share of households with an elderly member (aged 60+); "
        "default: the community's (coverage weights)."
    )


class LatticeGrids(_Strict):
    """Grids generated on a rows x cols lattice around the community's office."""

    layout: Literal["lattice"] = Field(description="`lattice`.")
    rows: int = Field(ge=1, le=100, description="Lattice rows.")
    cols: int = Field(ge=1, le=100, description="Lattice columns.")
    spacing_m: PositiveFloat = Field(description="Distance between neighbouring grids (metres).")
    household_weights: list[NonNegativeFloat] | None = Field(
        default=None, description="rows x cols relative sizes, row by row; default even."
    )
    issue_weights: list[NonNegativeFloat] | None = Field(
        default=None, description="rows x cols issue-rate weights per household; default 1."
    )
    building_heads: bool = Field(default=True, description="Building heads in every grid.")

    @model_validator(mode="after")
    def _sizes(self) -> LatticeGrids:
        n = self.rows * self.cols
        for key in ("household_weights", "issue_weights"):
            values = getattr(self, key)
            if values is not None and len(values) != n:
                raise ValueError(f"{key} needs rows x cols = {n} values, got {len(values)}")
        if self.household_weights is not None and sum(self.household_weights) <= 0:
            raise ValueError("household_weights must not all be zero")
        return self


class TableGrids(_Strict):
    """Grids listed one by one (what a grid CSV or GeoJSON file becomes when loaded)."""

    layout: Literal["table"] = Field(description="`table`.")
    grids: list[GridItem] = Field(min_length=1, description="The grids.")


GridLayout = Annotated[LatticeGrids | TableGrids, Field(discriminator="layout")]


# ---------------------------------------------------------------- roles


class RoleBase(_Strict):
    calendar: Identifier = Field(
        default=ALWAYS, description="Name of a calendar in `calendars`, or `always`."
    )
    categories: list[Identifier] | Literal["all"] = Field(
        default="all", description="Issue categories this role may take (its skills)."
    )
    speed_kmh: PositiveFloat = Field(default=4.3, description="Travel speed (km/h).")


ROUNDING: dict[str, Callable[[float], int]] = {"ceil": math.ceil, "floor": math.floor,
                                              "round": round}
"""How households / households_per_worker becomes whole workers."""


class CommunityWorkerRole(RoleBase):
    households_per_worker: PositiveFloat = Field(
        default=3000, description="The staffing ratio: households per community worker."
    )
    rounding: Literal["ceil", "round", "floor"] = Field(
        default="ceil", description="How households / households_per_worker becomes whole workers."
    )
    minimum: int = Field(default=1, ge=0, description="At least this many workers per community.")
    on_duty: int = Field(
        default=0, ge=0,
        description="Workers on the duty rota: they answer urgent categories outside the calendar.",
    )
    speed_kmh: PositiveFloat = Field(default=15.0, description="Travel speed, e-bike (km/h).")

    def workers_for(self, households: int) -> int:
        """Whole workers the ratio gives a community of ``households`` households."""
        exact = households / self.households_per_worker
        whole = ROUNDING[self.rounding](exact)
        return max(int(whole), self.minimum)


class GridMembersVary(_Strict):
    """Grid members per grid as a decision of ``gridsim recommend``: the levels to try."""

    per_grid: list[Annotated[int, Field(ge=0, le=10)]] = Field(
        min_length=1, max_length=6, description="Grid members per grid to try, e.g. [1, 2]."
    )
    cost_per_year: NonNegativeFloat = Field(
        description="Yearly cost of one grid member (the pay table's currency / year)."
    )


class VolunteersVary(_Strict):
    """Volunteers as a decision of ``gridsim recommend``: the levels to try."""

    per_1000_households: list[NonNegativeFloat] = Field(
        min_length=1, max_length=6,
        description="Volunteers on the roster per 1000 households to try, e.g. [2, 4].",
    )
    cost_per_year: NonNegativeFloat = Field(
        description="Yearly cost of one volunteer on the roster: points redeemed and "
        "organising (the pay table's currency / year).",
    )


class GridMemberRole(RoleBase):
    per_grid: int = Field(
        default=0, ge=0, le=10, description="Grid members (网格员) per grid; first responders."
    )
    vary: GridMembersVary | None = Field(
        default=None, description="Let `gridsim recommend` choose grid members per grid "
        "per community (with their cost); default: fixed at per_grid."
    )


class VolunteerRole(RoleBase):
    per_1000_households: NonNegativeFloat = Field(
        default=0.0,
        description="Rainbow volunteers (彩虹志愿者) on the roster per 1000 households."
    )
    vary: VolunteersVary | None = Field(
        default=None, description="Let `gridsim recommend` choose volunteers per community "
        "(with their cost); default: fixed at per_1000_households."
    )
    categories: list[Identifier] | Literal["all"] = Field(
        default=["micro_wish", "care_visit"], description="Claimable categories they may take."
    )
    points_per_hour: NonNegativeFloat = Field(
        default=10.0, description="Love-supermarket points (爱心超市积分) earned per hour served."
    )


class PartyMemberRole(RoleBase):
    per_1000_households: NonNegativeFloat = Field(
        default=0.0, description="Registered serving Party members (双报到) per 1000 households."
    )
    availability: Share = Field(
        default=0.1, description="Share of registered members available in their calendar."
    )
    categories: list[Identifier] | Literal["all"] = Field(
        default=["micro_wish", "care_visit"], description="Claimable categories they may take."
    )


ROLES = ("community_worker", "grid_member", "volunteer", "party_member")


# ---------------------------------------------------------------- dispatch, travel, escalation


class Dispatch(_Strict):
    policy: Literal["pooled", "own_grid_first", "nearest_free", "dedicated"] = Field(
        default="pooled",
        description=(
            "`pooled`: one community queue, the free responder idle longest; `own_grid_first`: "
            "the grid's member, then the nearest free responder; `nearest_free`: the nearest "
            "free responder; `dedicated`: grid members serve only their own grid, whose issues "
            "go to them first and otherwise wait for the community's workers."
        ),
    )
    overflow: Literal["queue", "escalate"] = Field(
        default="queue",
        description="When no responder is free: wait in queue, or escalate at once.",
    )
    escalate_after_wait_min: PositiveFloat | None = Field(
        default=None, description="Escalate an issue still waiting after this long (minutes)."
    )


class Travel(_Strict):
    metric: Literal["euclidean", "manhattan"] = Field(
        default="euclidean", description="Distance between grid centres."
    )
    detour_factor: float = Field(default=1.3, ge=1, description="Road distance / straight line.")
    return_to_base: bool = Field(
        default=True, description="Responders travel back to base after an issue (busy time)."
    )


class Department(_Strict):
    """A functional department that must report when the sub-district blows the whistle."""

    handling_h: Distribution = Field(description="Department's handling time (hours).")
    report_within_h: PositiveFloat = Field(description="Report deadline after the whistle (hours).")
    capacity: int | None = Field(
        default=None, ge=1, description="Cases handled at once; default unlimited."
    )


class District(_Strict):
    """A sub-district (街道): communities grouped under one office, with departments of its own.

    A category's issues escalate to the department of that name of the community's district
    when the district has one, else to the county's (``departments``). A district whose every
    department it escalates to is its own is independent of the others within a replication,
    and its part runs as a task of its own on the executor."""

    id: Identifier = Field(description="Code name, unique among the districts.")
    name: str | None = Field(default=None, description="Display name, e.g. 城关街道.")
    communities: list[Identifier] = Field(
        min_length=1, description="Ids of the communities it groups (each in one district).")
    departments: dict[Identifier, Department] = Field(
        default_factory=dict,
        description="The district's own departments, by the name categories escalate to; "
        "they take the district's escalations in place of the county's of the same name.",
    )


class Escalation(_Strict):
    share: Share = Field(
        default=0.0, description="Share of the category's issues escalated after first handling."
    )
    department: Identifier = Field(description="Department in `departments` that takes them.")


CARE_VISIT = "care_visit"  # the category of scheduled care visits


class CareVisits(_Strict):
    """Scheduled one-to-one visits (一对一结对帮扶) to registered special-group households."""

    share_of_households: Share = Field(
        default=0.0, description="Special-group households (elderly alone, disabled) per household."
    )
    every_days: PositiveFloat = Field(default=14, description="A visit every this many days.")
    on_time_days: PositiveFloat = Field(
        default=2, description="A visit started within this many days of its due date is on time."
    )
    handling_min: Distribution = Field(
        default_factory=lambda: Distribution(lognormal=MeanCv(mean=40, cv=0.5)),
        description="Length of a visit (minutes).",
    )
    by: Literal["grid_member", "volunteer", "party_member", "community_worker"] = Field(
        default="grid_member", description="The paired role that makes the visits."
    )
    priority: int = Field(default=6, ge=0, le=9, description="Queue priority of a visit.")


class Reporting(_Strict):
    building_head_factor: Share = Field(
        default=0.3, description="Reporting delay in grids with building heads, times this factor."
    )


class Surge(_Strict):
    """A period of extra demand and temporary capacity (e.g. the epidemic in the seed)."""

    name: str = Field(description="Label, e.g. epidemic.")
    start_day: NonNegativeFloat = Field(description="First day (days after day 0).")
    end_day: PositiveFloat = Field(description="Day the surge ends.")
    demand: dict[str, PositiveFloat] = Field(
        default_factory=dict, description="Rate multiplier per category (or `all`)."
    )
    extra: dict[Literal["community_worker", "grid_member", "volunteer", "party_member"],
                NonNegativeFloat] = Field(
        default_factory=dict,
        description="Temporary responders per 1000 households, by role, during the surge.",
    )
    calendar: Identifier | None = Field(
        default=None, description="Calendar of the temporary responders; default: their role's."
    )

    @model_validator(mode="after")
    def _order(self) -> Surge:
        if self.end_day <= self.start_day:
            raise ValueError(f"end_day ({self.end_day:g}) must be after start_day")
        return self
