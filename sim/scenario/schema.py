"""The scenario schema: every key a scenario file may hold, with its type, default and meaning.

The models are strict (unknown keys and wrong types are errors) and frozen. Their field
descriptions are the source of docs/scenario-reference.md, so the reference cannot drift.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=40)
]
"""A code name: lower-case letters, digits and underscores, starting with a letter."""

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1)]


class StrictModel(BaseModel):
    """Base of all scenario models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


# ---------------------------------------------------------------- distributions


class MeanOnly(StrictModel):
    mean: PositiveFloat = Field(description="Mean, in the unit of the key that holds it.")


class MeanCv(StrictModel):
    mean: PositiveFloat = Field(description="Mean, in the unit of the key that holds it.")
    cv: PositiveFloat = Field(description="Coefficient of variation (standard deviation / mean).")


class Fixed(StrictModel):
    value: PositiveFloat = Field(description="The constant value, in the unit of the key.")


class Empirical(StrictModel):
    values: list[NonNegativeFloat] = Field(
        min_length=1, description="Observed values (e.g. from an issue log), resampled at random."
    )
    weights: list[NonNegativeFloat] | None = Field(
        default=None, description="Optional relative weight of each value; same length as values."
    )

    @model_validator(mode="after")
    def _check(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("weights must have as many entries as values")
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        if self.mean_value() <= 0:
            raise ValueError("values must have a positive mean")
        return self

    def mean_value(self) -> float:
        w = self.weights or [1.0] * len(self.values)
        return sum(v * x for v, x in zip(self.values, w, strict=True)) / sum(w)

    def second_moment(self) -> float:
        w = self.weights or [1.0] * len(self.values)
        return sum(v * v * x for v, x in zip(self.values, w, strict=True)) / sum(w)


DISTRIBUTION_KINDS = ("exponential", "lognormal", "gamma", "deterministic", "empirical")


class Distribution(StrictModel):
    """A positive random duration. Give exactly one kind."""

    exponential: MeanOnly | None = Field(default=None, description="Exponential with this mean.")
    lognormal: MeanCv | None = Field(default=None, description="Lognormal by mean and cv.")
    gamma: MeanCv | None = Field(default=None, description="Gamma by mean and cv.")
    deterministic: Fixed | None = Field(default=None, description="Always the same value.")
    empirical: Empirical | None = Field(default=None, description="Resampled observations.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Distribution:
        given = [k for k in DISTRIBUTION_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(DISTRIBUTION_KINDS)} (got {len(given)})"
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in DISTRIBUTION_KINDS if getattr(self, k) is not None)

    @property
    def params(self) -> MeanOnly | MeanCv | Fixed | Empirical:
        return getattr(self, self.kind)

    @property
    def mean(self) -> float:
        p = self.params
        if isinstance(p, Fixed):
            return p.value
        if isinstance(p, Empirical):
            return p.mean_value()
        return p.mean

    @property
    def cv(self) -> float:
        p = self.params
        if isinstance(p, MeanCv):
            return p.cv
        if isinstance(p, MeanOnly):
            return 1.0
        if isinstance(p, Fixed):
            return 0.0
        m = p.mean_value()
        return math.sqrt(max(p.second_moment() - m * m, 0.0)) / m


# ---------------------------------------------------------------- time and demand


class Horizon(StrictModel):
    days: PositiveFloat = Field(default=365, description="Simulated days after day 0 (days).")
    warmup_days: NonNegativeFloat = Field(
        default=14, description="Days cut from the start before statistics are kept (days)."
    )
    start: dt.date = Field(
        default=dt.date(2026, 1, 5),
        description="Calendar date of day 0 (ISO date); sets weekdays and months.",
    )

    @model_validator(mode="after")
    def _warmup_inside(self) -> Horizon:
        if self.warmup_days >= self.days:
            raise ValueError(
                f"warmup_days ({self.warmup_days:g}) must be shorter than days ({self.days:g})"
            )
        return self


class ArrivalProfile(StrictModel):
    """Relative arrival rates. Each list is rescaled to mean 1, so the yearly rate is kept."""

    hour_of_day: list[NonNegativeFloat] | None = Field(
        default=None, min_length=24, max_length=24,
        description="24 relative rates, hour 0 (00:00-01:00) first.",
    )
    day_of_week: list[NonNegativeFloat] | None = Field(
        default=None, min_length=7, max_length=7, description="7 relative rates, Monday first."
    )
    month: list[NonNegativeFloat] | None = Field(
        default=None, min_length=12, max_length=12,
        description="12 relative rates, January first (season).",
    )

    @model_validator(mode="after")
    def _not_all_zero(self) -> ArrivalProfile:
        for key in ("hour_of_day", "day_of_week", "month"):
            values = getattr(self, key)
            if values is not None and sum(values) <= 0:
                raise ValueError(f"{key} must not be all zero")
        return self


class Category(StrictModel):
    """One category of residents' issues (民情), e.g. livelihood, dispute, security."""

    per_1000_households_per_year: NonNegativeFloat = Field(
        description="Issues per 1000 households per year (issues / 1000 households / year)."
    )
    handling_min: Distribution = Field(description="Handling time of one issue (minutes).")
    priority: int = Field(
        default=5, ge=0, le=9,
        description="Queue priority, 0 most urgent; issues of equal priority are served FIFO.",
    )
    respond_within_min: PositiveFloat | None = Field(
        default=None, description="Service target: a responder starts within this time (minutes)."
    )
    resolve_within_h: PositiveFloat | None = Field(
        default=None, description="Service target: resolved within this time (hours)."
    )
    arrival_profile: ArrivalProfile | None = Field(
        default=None, description="This category's own profile; default: the scenario's."
    )


# ---------------------------------------------------------------- places and staff


class Community(StrictModel):
    """A residential community (社区): owns a pool of community workers."""

    id: Identifier = Field(description="Code name, unique in the scenario.")
    name: str | None = Field(default=None, description="Display name, e.g. in Chinese.")
    households: int = Field(gt=0, description="Resident households (households).")
    community_workers: int | None = Field(
        default=None, ge=0,
        description="Community workers, overriding the households_per_worker rule (workers).",
    )


class CommunityWorkers(StrictModel):
    households_per_worker: PositiveFloat = Field(
        default=3000, description="The staffing ratio: households per community worker."
    )
    rounding: Literal["ceil", "round", "floor"] = Field(
        default="ceil", description="How households / households_per_worker becomes whole workers."
    )
    minimum: int = Field(default=1, ge=0, description="At least this many workers per community.")

    def workers_for(self, households: int) -> int:
        """Whole workers the ratio gives a community of ``households`` households."""
        exact = households / self.households_per_worker
        whole = {"ceil": math.ceil, "floor": math.floor, "round": round}[self.rounding](exact)
        return max(int(whole), self.minimum)


class Staffing(StrictModel):
    community_workers: CommunityWorkers = Field(
        default_factory=CommunityWorkers, description="How community workers are staffed."
    )


class Experiment(StrictModel):
    replications: int = Field(default=10, ge=1, le=10_000, description="Default replications.")
    seed: int = Field(default=20261127, ge=0, description="Default root seed.")


# ---------------------------------------------------------------- the scenario


class Scenario(StrictModel):
    """A district, its staffing and its demand: everything one simulation needs."""

    name: str = Field(min_length=1, description="Title shown in tables and reports.")
    description: str | None = Field(default=None, description="Free text: purpose, sources.")
    horizon: Horizon = Field(default_factory=Horizon, description="Simulated period.")
    communities: list[Community] = Field(min_length=1, description="The communities simulated.")
    staffing: Staffing = Field(default_factory=Staffing, description="Staffing rules.")
    demand: dict[Identifier, Category] = Field(
        min_length=1, description="Issue categories by code name (see GLOSSARY)."
    )
    arrival_profile: ArrivalProfile = Field(
        default_factory=ArrivalProfile, description="Default relative arrival rates over time."
    )
    experiment: Experiment = Field(
        default_factory=Experiment, description="Defaults for replications and seed."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        seen: set[str] = set()
        for c in self.communities:
            if c.id in seen:
                raise ValueError(f"community id '{c.id}' appears more than once")
            seen.add(c.id)
        return self

    # -- derived quantities used by the model, the analytic checks and the reports

    def workers(self, community: Community) -> int:
        """Community workers of ``community``: its explicit count, else the staffing ratio."""
        if community.community_workers is not None:
            return community.community_workers
        return self.staffing.community_workers.workers_for(community.households)

    def issues_per_year(self, community: Community, category: str) -> float:
        """Expected issues per year of ``category`` in ``community``."""
        return community.households / 1000 * self.demand[category].per_1000_households_per_year

    def offered_load(self, community: Community) -> float:
        """Average busy workers the community's demand needs (erlangs)."""
        minutes = sum(
            self.issues_per_year(community, k) * c.handling_min.mean
            for k, c in self.demand.items()
        )
        return minutes / (365 * 24 * 60)
