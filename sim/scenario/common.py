"""Building blocks shared by the scenario models: code names, numbers, distributions."""

from __future__ import annotations

import math
import unicodedata
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

MINUTES_PER_DAY = 1440.0
MINUTES_PER_YEAR = 365 * MINUTES_PER_DAY  # a year of 365 days, as rates per year are read

IDENTIFIER_PATTERN = r"^[\p{Ll}\p{Lo}\p{Lm}][\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}_]*$"
Identifier = Annotated[
    str, StringConstraints(pattern=IDENTIFIER_PATTERN, min_length=1, max_length=40)
]
"""A code name: letters of any script (lower-case where a script has case: ``dongguan``;
Chinese: ``红旗``), digits and underscores, starting with a letter. No spaces, dots or
slashes, so a code name is safe as a YAML key, in a dotted override key and in a file name."""


def is_grid_id(text: str) -> bool:
    """Whether ``text`` is a grid id (:data:`sim.scenario.governance.GridId`): letters or
    digits of any script, then also ``_``, ``.`` or ``-``; at most 60 characters."""
    return 0 < len(text) <= 60 and text[0].isalnum() and all(
        c.isalnum() or c in "_.-" or unicodedata.category(c).startswith("M") for c in text)

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1)]


class StrictModel(BaseModel):
    """Base of all scenario models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, allow_inf_nan=False)


# ---------------------------------------------------------------- distributions


class MeanOnly(StrictModel):
    mean: PositiveFloat = Field(description="Mean, in the unit of the key that holds it.")


class MeanCv(StrictModel):
    mean: PositiveFloat = Field(description="Mean, in the unit of the key that holds it.")
    cv: PositiveFloat = Field(description="Coefficient of variation (standard deviation / mean).")

    def lognormal(self) -> tuple[float, float]:
        """(mu, sigma) of the normal whose exponential has this mean and cv."""
        sigma2 = math.log1p(self.cv**2)
        return math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)

    def gamma(self) -> tuple[float, float]:
        """(shape, scale) of the gamma distribution with this mean and cv."""
        shape = 1 / self.cv**2
        return shape, self.mean / shape


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
