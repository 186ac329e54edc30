"""Scenario files: schema, loading with ``extends:`` and overrides, and the generated reference."""

from sim.scenario.loading import LoadedScenario, from_mapping, load_scenario
from sim.scenario.schema import Scenario

__all__ = ["LoadedScenario", "Scenario", "from_mapping", "load_scenario"]
