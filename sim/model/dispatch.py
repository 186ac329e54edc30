"""Who is asked first: travel minutes from each responder's base to the grids of its
community, each grid's preference list under the dispatch policy, and the queues."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sim.model.staff import Responder
from sim.scenario.grids import (
    GridTable,
    distance_m,
    from_point_distance_m,
    within_grid_distance_m,
)
from sim.scenario.schema import Scenario


def travel_minutes(scenario: Scenario, grids: GridTable, responders: tuple[Responder, ...]
                   ) -> tuple[dict[int, float], ...]:
    """Per responder: one-way minutes to each grid of its community (empty without travel).

    From the base to a random point of the grid; inside its own grid, a member goes between
    two random points of it; road distance is the straight (or Manhattan) one times the detour
    factor.
    """
    travel = scenario.travel
    if travel is None:
        return tuple({} for _ in responders)
    out = []
    for r in responders:
        members = grids.of_community(r.community)
        d = distance_m(r.x_m, r.y_m, grids.x_m[members], grids.y_m[members], travel.metric)
        d = from_point_distance_m(d, grids.area_m2[members], travel.metric)
        if r.grid >= 0:
            inside = within_grid_distance_m(grids.area_m2[members], travel.metric)
            d = np.where(members == r.grid, inside, d)
        minutes = d * travel.detour_factor / r.speed_m_per_min
        out.append({int(g): float(t) for g, t in zip(members, minutes, strict=True)})
    return tuple(out)


def dispatch_lists(
    scenario: Scenario, grids: GridTable, responders: tuple[Responder, ...],
    travel_min: tuple[dict[int, float], ...],
) -> tuple[tuple[tuple[int, ...], ...], tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """(per grid: responders in dispatch order; per grid: the queue its issues wait in; per
    responder: the queues it serves). Queues 0..C-1 are the communities'; under ``dedicated``
    each grid has its own queue, C + grid."""
    policy = scenario.dispatch.policy
    by_community: dict[int, list[Responder]] = defaultdict(list)
    for r in responders:
        by_community[r.community].append(r)
    n_communities = len(scenario.communities)
    preferences, queue_scope = [], []
    for g in range(len(grids)):
        c = int(grids.community[g])
        preferences.append(_order(policy, by_community.get(c, []), g, travel_min))
        queue_scope.append(n_communities + g if policy == "dedicated" else c)
    scopes_of: list[tuple[int, ...]] = []
    for r in responders:
        if policy != "dedicated":
            scopes_of.append((r.community,))
        elif r.grid >= 0:
            scopes_of.append((n_communities + r.grid,))
        else:
            scopes_of.append(tuple(n_communities + int(g) for g in grids.of_community(r.community)))
    return tuple(preferences), tuple(queue_scope), tuple(scopes_of)


def _order(policy: str, pool: list[Responder], g: int, travel_min: tuple[dict[int, float], ...]
           ) -> tuple[int, ...]:
    """Responders of grid ``g``'s community in the order the policy asks them."""

    def minutes(r: Responder) -> float:
        return travel_min[r.index].get(g, 0.0)

    if policy == "pooled":  # the engine takes the one idle longest
        return tuple(r.index for r in pool)
    if policy == "nearest_free":
        return tuple(r.index for r in sorted(pool, key=lambda r: (minutes(r), r.index)))
    if policy == "own_grid_first":
        return tuple(r.index for r in sorted(
            pool, key=lambda r: (r.grid != g, minutes(r), r.index)))
    # dedicated: the grid's own members, then the community's (pooled) workers
    return tuple(r.index for r in sorted(
        (r for r in pool if r.grid == g or r.grid < 0),
        key=lambda r: (r.grid != g, minutes(r), r.index)))
