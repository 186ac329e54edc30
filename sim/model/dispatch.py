"""Who is asked first: travel minutes from each responder's base to the grids of its
community, each grid's preference list under the dispatch policy, and the queues.

A community's responders only ever go to that community's grids, so travel is kept as one
block per community (its responders x its grids), never as a city-wide matrix: memory grows
with the grids, not with their square.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from sim.model.staff import Responder
from sim.scenario.grids import (
    GridTable,
    distance_m,
    from_point_distance_m,
    within_grid_distance_m,
)
from sim.scenario.schema import Scenario


@dataclass(frozen=True, eq=False)
class TravelBlock:
    """One-way minutes from each responder of one community to each of its grids: rows are
    responders ``first_responder, first_responder + 1, ...``, columns grids ``first_grid, ...``
    (a community's responders and grids are consecutive in the plan)."""

    community: int
    first_responder: int
    first_grid: int
    minutes: np.ndarray  # (responders, grids), read-only

    def row(self, r: int) -> dict[int, float]:
        """Responder ``r``'s minutes by grid index."""
        values = self.minutes[r - self.first_responder].tolist()
        return dict(zip(range(self.first_grid, self.first_grid + len(values)), values,
                        strict=True))


def travel_blocks(scenario: Scenario, grids: GridTable, responders: tuple[Responder, ...]
                  ) -> tuple[TravelBlock, ...]:
    """Per community: one-way minutes from each of its responders to each of its grids (none
    without travel).

    From the base to a random point of the grid; inside its own grid, a member goes between
    two random points of it; road distance is the straight (or Manhattan) one times the detour
    factor.
    """
    travel = scenario.travel
    if travel is None:
        return ()
    by_community = _consecutive(responders)
    out = []
    for c, (r0, r1) in by_community.items():
        members = grids.of_community(c)
        if r1 == r0 or len(members) == 0:
            continue
        assert np.array_equal(members, np.arange(members[0], members[0] + len(members)))
        staff = responders[r0:r1]
        x = np.array([r.x_m for r in staff])[:, None]
        y = np.array([r.y_m for r in staff])[:, None]
        home = np.array([r.grid for r in staff])[:, None]
        speed = np.array([r.speed_m_per_min for r in staff])[:, None]
        area = grids.area_m2[members][None, :]
        d = distance_m(x, y, grids.x_m[members][None, :], grids.y_m[members][None, :],
                       travel.metric)
        d = from_point_distance_m(d, area, travel.metric)
        inside = within_grid_distance_m(area, travel.metric)
        d = np.where(members[None, :] == home, inside, d)
        minutes = d * travel.detour_factor / speed
        minutes.setflags(write=False)
        out.append(TravelBlock(c, r0, int(members[0]), minutes))
    return tuple(out)


def _consecutive(responders: tuple[Responder, ...]) -> dict[int, tuple[int, int]]:
    """Per community: the range [first, last + 1) of its responders (they are consecutive)."""
    ranges: dict[int, tuple[int, int]] = {}
    for r in responders:
        first, end = ranges.get(r.community, (r.index, r.index))
        assert end == r.index, "a community's responders are consecutive"
        ranges[r.community] = (first, r.index + 1)
    return ranges


def dispatch_lists(
    scenario: Scenario, grids: GridTable, responders: tuple[Responder, ...],
    blocks: tuple[TravelBlock, ...],
) -> tuple[tuple[tuple[int, ...], ...], tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """(per grid: responders in dispatch order; per grid: the queue its issues wait in; per
    responder: the queues it serves). Queues 0..C-1 are the communities'; under ``dedicated``
    each grid has its own queue, C + grid.

    Orders go by (own grid first, where the policy says so; travel minutes; roster order),
    one community at a time over its block of travel minutes.
    """
    policy = scenario.dispatch.policy
    by_community: dict[int, list[Responder]] = defaultdict(list)
    for r in responders:
        by_community[r.community].append(r)
    block_of = {b.community: b for b in blocks}
    n_communities = len(scenario.communities)
    preferences: list[tuple[int, ...]] = [()] * len(grids)
    for c in range(n_communities):
        pool = by_community.get(c, [])
        members = grids.of_community(c)
        for j, g in enumerate(members.tolist()):
            preferences[g] = _order(policy, pool, g, j, block_of.get(c), preferences, members)
    if policy == "dedicated":
        queue_scope = tuple(range(n_communities, n_communities + len(grids)))
    else:
        queue_scope = tuple(grids.community.tolist())
    scopes_of: list[tuple[int, ...]] = []
    for r in responders:
        if policy != "dedicated":
            scopes_of.append((r.community,))
        elif r.grid >= 0:
            scopes_of.append((n_communities + r.grid,))
        else:
            scopes_of.append(tuple(n_communities + int(g) for g in grids.of_community(r.community)))
    return tuple(preferences), queue_scope, tuple(scopes_of)


def _order(policy: str, pool: list[Responder], g: int, j: int, block: TravelBlock | None,
           preferences: list[tuple[int, ...]], members: np.ndarray) -> tuple[int, ...]:
    """Responders of grid ``g``'s community (the ``j``-th of its grids) in the order the policy
    asks them."""
    if not pool:
        return ()
    index = np.array([r.index for r in pool])
    if policy == "pooled":  # the engine takes the one idle longest: one order for every grid
        return preferences[int(members[0])] if j else tuple(index.tolist())
    minutes = block.minutes[:, j] if block is not None else np.zeros(len(pool))
    home = np.array([r.grid for r in pool])
    if policy == "nearest_free":
        keys: tuple[np.ndarray, ...] = (index, minutes)
    else:  # own_grid_first; dedicated: only the grid's own members and the community's workers
        keys = (index, minutes, home != g)
    order = np.lexsort(keys)
    if policy == "dedicated":
        order = order[(home[order] == g) | (home[order] < 0)]
    return tuple(index[order].tolist())
