"""What one replication on one machine can hold. A scenario beyond a limit is refused when it
is loaded, with the key and the limit named, before anything large is allocated."""

from __future__ import annotations

from sim.scenario.common import MINUTES_PER_DAY, MINUTES_PER_YEAR
from sim.scenario.roster import STAFFING_KEY, grid_count, per_households, role_counts
from sim.scenario.schema import Scenario

MAX_HORIZON_DAYS = 3660
"""About ten years: longer horizons add nothing a planner can use and only cost memory."""
MAX_GRIDS = 50_000
"""Grids in one scenario (a city of 20 million households at 400 households a grid)."""
MAX_HOUSEHOLDS = 50_000_000
"""Households in one scenario."""
MAX_RESPONDERS = 500_000
"""Responders of every role in one scenario, surges included."""
MAX_ISSUES = 50_000_000
"""Expected issues in one replication (care visits included): about ten minutes of simulation."""
MAX_REPLICATIONS = 10_000
"""Replications of one run."""


def limit_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """(key, message) for each limit the scenario exceeds (empty when it fits)."""
    problems = []
    days = scenario.horizon.days
    if days > MAX_HORIZON_DAYS:
        problems.append(("horizon.days", f"{days:g} days is longer than the {MAX_HORIZON_DAYS} "
                                         "days one run may simulate"))
    grids = sum(grid_count(c) for c in scenario.communities)
    if grids > MAX_GRIDS:
        problems.append(("communities", f"{grids:,} grids are more than the {MAX_GRIDS:,} one "
                                        "scenario may have"))
    households = sum(c.households for c in scenario.communities)
    if households > MAX_HOUSEHOLDS:
        problems.append(("communities", f"{households:,} households are more than the "
                                        f"{MAX_HOUSEHOLDS:,} one scenario may have"))
    if problems:  # the counts below would be meaningless or huge
        return problems
    by_key = _responders(scenario)
    responders = sum(by_key.values())
    if responders > MAX_RESPONDERS:
        most = max(by_key, key=by_key.__getitem__)
        problems.append((most, f"{responders:,} responders ({by_key[most]:,} of them here) "
                               f"are more than the {MAX_RESPONDERS:,} one scenario may have"))
    issues = _expected_issues(scenario)
    if issues > MAX_ISSUES:
        problems.append(("demand", f"about {issues:,.0f} issues in one replication are more "
                                   f"than the {MAX_ISSUES:,} the model runs at once; shorten "
                                   "horizon.days or split the district"))
    return problems


def _responders(scenario: Scenario) -> dict[str, int]:
    """Responders by the key that sets their number (``staffing.<role>s``, ``surges``)."""
    out: dict[str, int] = {}
    for community in scenario.communities:
        for role, count in role_counts(scenario, community).items():
            key = f"staffing.{STAFFING_KEY[role]}"
            out[key] = out.get(key, 0) + count
        out["surges"] = out.get("surges", 0) + sum(
            per_households(community, per_1000)
            for surge in scenario.surges for per_1000 in surge.extra.values())
    return out


def _expected_issues(scenario: Scenario) -> float:
    """Issues a year times the horizon in years (surges and profiles left out), plus visits."""
    years = scenario.horizon.days * MINUTES_PER_DAY / MINUTES_PER_YEAR
    yearly = sum(scenario.issues_per_year(c, k) for c in scenario.communities
                 for k in scenario.demand)
    care = scenario.care_visits
    if care is not None:
        households = sum(c.households for c in scenario.communities)
        yearly += households * care.share_of_households * 365 / care.every_days
    return yearly * years
