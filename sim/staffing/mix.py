"""The roles besides community workers that a recommendation may vary: grid members per grid
and volunteers, where the scenario marks them variable (``staffing.grid_members.vary``,
``staffing.volunteers.vary``), each with its yearly cost.

A :class:`Mix` is one setting of those roles for one community; the search finds the fewest
community workers for each mix the scenario allows and recommends the cheapest in all.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any

from sim.scenario.roster import grid_count, per_households
from sim.scenario.schema import Community, Scenario


@dataclass(frozen=True, order=True)
class Mix:
    """Grid members per grid and volunteers per 1000 households of one community (None: as
    the scenario has them)."""

    grid_members_per_grid: int | None = None
    volunteers_per_1000_households: float | None = None

    @property
    def default(self) -> bool:
        return self == Mix()

    def key(self) -> tuple[Any, ...]:
        """A JSON-able identity (for the names of full-model parts)."""
        return (self.grid_members_per_grid, self.volunteers_per_1000_households)

    def label(self) -> str:
        """E.g. 'grid members 2 per grid, volunteers 4 per 1000 households' ('' for the
        scenario's own)."""
        parts = []
        if self.grid_members_per_grid is not None:
            parts.append(f"grid members {self.grid_members_per_grid} per grid")
        if self.volunteers_per_1000_households is not None:
            parts.append(f"volunteers {self.volunteers_per_1000_households:g} per 1000 "
                         "households")
        return ", ".join(parts)

    def overrides(self, community: str) -> dict[str, Any]:
        """Scenario overrides that give ``community`` this mix."""
        out: dict[str, Any] = {}
        if self.grid_members_per_grid is not None:
            out[f"communities.{community}.grid_members_per_grid"] = self.grid_members_per_grid
        if self.volunteers_per_1000_households is not None:
            out[f"communities.{community}.volunteers_per_1000_households"] = (
                self.volunteers_per_1000_households)
        return out

    def counts(self, scenario: Scenario, community: Community) -> tuple[int, int]:
        """(grid members, volunteers) of ``community`` with this mix."""
        staffing = scenario.staffing
        per_grid = (staffing.grid_members.per_grid if self.grid_members_per_grid is None
                    else self.grid_members_per_grid)
        per_1000 = (staffing.volunteers.per_1000_households
                    if self.volunteers_per_1000_households is None
                    else self.volunteers_per_1000_households)
        return per_grid * grid_count(community), per_households(community, per_1000)

    def cost(self, scenario: Scenario, community: Community) -> float:
        """Yearly cost of the variable roles in this mix (0 for roles not marked variable)."""
        members, volunteers = self.counts(scenario, community)
        staffing = scenario.staffing
        total = 0.0
        if staffing.grid_members.vary is not None:
            total += members * staffing.grid_members.vary.cost_per_year
        if staffing.volunteers.vary is not None:
            total += volunteers * staffing.volunteers.vary.cost_per_year
        return total


def mixes(scenario: Scenario) -> list[Mix]:
    """Every mix the scenario allows: the product of the variable roles' levels (the
    scenario's own setting alone when nothing is marked variable)."""
    staffing = scenario.staffing
    members = staffing.grid_members.vary
    volunteers = staffing.volunteers.vary
    if members is None and volunteers is None:
        return [Mix()]
    per_grid = list(members.per_grid) if members is not None else [None]
    per_1000 = list(volunteers.per_1000_households) if volunteers is not None else [None]
    return [Mix(g, v) for g, v in product(per_grid, per_1000)]
