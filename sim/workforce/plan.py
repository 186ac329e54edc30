"""The cheapest hiring plan that reaches a target head count by year N, within the routes' caps.

Hires of route r joining in year y (y ≥ the route's lead time, y ≥ 1) are whole numbers
``h[r, y]`` in 0..cap. The expected head count is linear in them: one hire adds ``e_r P^(N-y)``
at year N (``e_r``: its entry state), and costs its one-off cost plus its expected pay in years
y..N. So the plan is a small integer program, solved exactly by HiGHS
(``scipy.optimize.milp``, relative gap 0)::

    minimise   Σ c[r, y] h[r, y]
    subject to base[N] + Σ a[r, y] h[r, y] ≥ target,   h[r, y] ∈ {0, ..., cap_r}

``a`` counts head count or workers on duty (after training absence), as asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from sim.errors import GridsimError
from sim.scenario.workforce import EntryRoute
from sim.workforce.markov import Chain, entry_state, expected

LONG_RUN_YEARS = 60
"""How far beyond year N to look for the year a target could be reached."""


@dataclass(frozen=True)
class HiringPlan:
    """Hires per route (rows, in ``routes`` order) and year (columns 0..N; column 0 is 0)."""

    routes: tuple[str, ...]
    hires: np.ndarray

    def states(self, chain: Chain, routes: dict[str, EntryRoute]) -> np.ndarray:
        """Hires per year and state (years + 1, states)."""
        out = np.zeros((self.hires.shape[1], len(chain)))
        for i, name in enumerate(self.routes):
            out[:, entry_state(chain, routes[name])] += self.hires[i]
        return out


def earliest_year(route: EntryRoute) -> int:
    return max(1, route.lead_time_years)


def at_caps(routes: dict[str, EntryRoute], years: int) -> HiringPlan:
    """Every route hiring its cap every year it can."""
    names = tuple(routes)
    hires = np.zeros((len(names), years + 1))
    for i, name in enumerate(names):
        hires[i, earliest_year(routes[name]):] = routes[name].cap_per_year
    return HiringPlan(names, hires)


def no_hiring(routes: dict[str, EntryRoute], years: int) -> HiringPlan:
    return HiringPlan(tuple(routes), np.zeros((len(routes), years + 1)))


def measure(chain: Chain, on_duty: bool) -> np.ndarray:
    """Per state, what one worker counts towards the target."""
    return chain.on_duty if on_duty else np.ones(len(chain))


def cheapest(chain: Chain, start: np.ndarray, routes: dict[str, EntryRoute], years: int,
             target: float, on_duty: bool) -> HiringPlan | None:
    """The cheapest plan reaching ``target`` at year ``years`` in expectation; None if the caps
    cannot reach it."""
    p = chain.matrix()
    weight = measure(chain, on_duty)
    base = expected(chain, start, np.zeros((years + 1, len(chain)))).headcount[years] @ weight
    need = target - base
    names = tuple(routes)
    plan = np.zeros((len(names), years + 1))
    if need <= 1e-9:
        return HiringPlan(names, plan)
    variables, adds, costs, caps = [], [], [], []
    for i, name in enumerate(names):
        route = routes[name]
        if route.cap_per_year == 0:
            continue
        state = np.zeros(len(chain))
        state[entry_state(chain, route)] = 1.0
        path = [state]  # one hire, k years after joining
        for _ in range(years):
            path.append(path[-1] @ p)
        for y in range(earliest_year(route), years + 1):
            variables.append((i, y))
            adds.append(path[years - y] @ weight)
            costs.append(route.one_off_cost + sum(path[k] @ chain.cost
                                                  for k in range(years - y + 1)))
            caps.append(route.cap_per_year)
    if not variables or float(np.dot(adds, caps)) < need - 1e-9:
        return None
    result = milp(np.array(costs), integrality=np.ones(len(variables)),
                  bounds=Bounds(0, np.array(caps, dtype=float)),
                  constraints=LinearConstraint(np.array([adds]), need, np.inf),
                  options={"mip_rel_gap": 0.0, "time_limit": 120.0})
    if result.status != 0 or result.x is None:
        raise GridsimError(f"hiring plan: the solver stopped without a proven optimum "
                           f"({result.message})")
    for (i, y), value in zip(variables, np.rint(result.x), strict=True):
        plan[i, y] = value
    return HiringPlan(names, plan)


def reachable_year(chain: Chain, start: np.ndarray, routes: dict[str, EntryRoute],
                   target: float, on_duty: bool, years: int = LONG_RUN_YEARS
                   ) -> tuple[int | None, float]:
    """The first year (after today, 0) in which hiring at every cap reaches ``target`` in
    expectation, or None within ``years``; and the level reached in the last year looked at."""
    plan = at_caps(routes, years)
    level = expected(chain, start, plan.states(chain, routes)).headcount @ measure(chain, on_duty)
    hits = np.flatnonzero(level[1:] >= target - 1e-9)
    return (int(hits[0]) + 1 if hits.size else None), float(level[-1])
