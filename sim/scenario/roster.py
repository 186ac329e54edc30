"""Who answers issues in a community: how many responders of each role it has.

One count for everyone: the model plan creates exactly these responders, the capacity check
weighs them, and the loader checks that care visits have someone to make them.
"""

from __future__ import annotations

from sim.scenario.governance import ROLES, RoleBase
from sim.scenario.schema import Community, Scenario

STAFFING_KEY = {role: f"{role}s" for role in ROLES}
"""The ``staffing:`` key of each role: ``community_worker`` -> ``community_workers``."""


def role_spec(scenario: Scenario, role: str) -> RoleBase:
    """The ``staffing:`` settings of ``role`` (calendar, categories, speed, ...)."""
    spec: RoleBase = getattr(scenario.staffing, STAFFING_KEY[role])
    return spec


def grid_count(community: Community) -> int:
    """Grids of ``community`` (1 when it has no ``grids``: one grid of all its households)."""
    grids = community.grids
    if grids is None:
        return 1
    return grids.rows * grids.cols if grids.layout == "lattice" else len(grids.grids)


def per_households(community: Community, per_1000: float, share: float = 1.0) -> int:
    """Whole responders at ``per_1000`` per 1000 households, of whom ``share`` serve (rounded
    to the nearest)."""
    return int(round(community.households / 1000 * per_1000 * share))


def role_counts(scenario: Scenario, community: Community) -> dict[str, int]:
    """Responders of each role in ``community`` outside surges, by role code name.

    Community workers by the staffing rule (or the community's own count), grid members per
    grid, volunteers per 1000 households (each as the community sets it, else as staffing
    does), Party members per 1000 households times their availability.
    """
    staffing = scenario.staffing
    party = staffing.party_members
    per_grid = community.grid_members_per_grid
    volunteers = community.volunteers_per_1000_households
    return {
        "community_worker": scenario.workers(community),
        "grid_member": (staffing.grid_members.per_grid if per_grid is None else per_grid)
        * grid_count(community),
        "volunteer": per_households(community, staffing.volunteers.per_1000_households
                                    if volunteers is None else volunteers),
        "party_member": per_households(community, party.per_1000_households,
                                       party.availability),
    }
