"""Shared fixtures: small scenarios built in code, so each test states what it simulates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.scenario import LoadedScenario, from_mapping

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "chengcheng.yaml"


def mmc_scenario(
    arrivals_per_h: float,
    handling_mean_min: float,
    servers: int,
    days: float,
    warmup_days: float = 0.0,
    handling: dict[str, Any] | None = None,
    profile: dict[str, Any] | None = None,
) -> LoadedScenario:
    """One community, one category, ``servers`` workers: the engine reduced to a G/G/c queue."""
    data: dict[str, Any] = {
        "name": "reduced",
        "horizon": {"days": days, "warmup_days": warmup_days},
        "communities": [{"id": "c", "households": 1000, "community_workers": servers}],
        "demand": {
            "livelihood": {
                "per_1000_households_per_year": arrivals_per_h * 24 * 365,
                "handling_min": handling or {"exponential": {"mean": handling_mean_min}},
            }
        },
    }
    if profile:
        data["arrival_profile"] = profile
    return from_mapping(data, "<test>")


def small(days: float) -> LoadedScenario:
    """The baseline's first three communities over ``days`` days: the real model, kept small."""
    from sim.scenario import load_scenario

    base = load_scenario(BASELINE)
    return base.with_overrides({"horizon.days": days, "horizon.warmup_days": 3,
                                "communities": base.data["communities"][:3]})


@pytest.fixture
def small_baseline() -> LoadedScenario:
    """The baseline over 60 days: the real file, a shorter horizon."""
    from sim.scenario import load_scenario

    return load_scenario(BASELINE).with_overrides({"horizon.days": 60, "horizon.warmup_days": 7})
