"""Where new points cover the most: the maximal covering location problem, solved exactly.

Given which candidate sites cover which grids, the weight of each grid not yet covered, and a
number of new points ``n``: choose at most ``n`` sites to maximise the weight they newly cover
(Church & ReVelle 1974)::

    maximise   Σ_g w_g y_g
    subject to y_g ≤ Σ_s a_sg x_s   for every grid g not yet covered
               Σ_s x_s ≤ n,   x_s ∈ {0, 1},   0 ≤ y_g ≤ 1

With x binary the best y is 0 or 1 by itself, so only x is declared integer. Solved by HiGHS
(``scipy.optimize.milp``) with a relative gap of 0: the optimum, not a near one. One point
needs no solver: the best single site is found by trying each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, hstack, identity, vstack

from sim.errors import GridsimError

TIME_LIMIT_S = 600.0


@dataclass(frozen=True)
class Placement:
    """The best ``n`` sites: their indices in the order each adds most to those before it,
    what each adds, and the total weight newly covered."""

    sites: tuple[int, ...]
    gains: tuple[float, ...]
    covered_weight: float


def max_cover(cover: np.ndarray, weight: np.ndarray, n: int) -> Placement:
    """The sites (rows of ``cover``, sites x grids, bool) that newly cover the most ``weight``
    (per grid; 0 for grids already covered) with at most ``n`` new points. Sites that add
    nothing are left out, so fewer than ``n`` may come back."""
    cover = np.asarray(cover, dtype=bool)
    weight = np.asarray(weight, dtype=float)
    useful_grids = np.flatnonzero((weight > 0) & cover.any(axis=0))
    useful_sites = np.flatnonzero(cover[:, useful_grids].any(axis=1))
    if n <= 0 or useful_sites.size == 0:
        return Placement((), (), 0.0)
    a = cover[np.ix_(useful_sites, useful_grids)]
    w = weight[useful_grids]
    if n == 1:  # one point: the best single site, by trying each
        chosen = useful_sites[[int(np.argmax(a.astype(float) @ w))]]
    else:
        chosen = useful_sites[_solve(a, w, n)]
    return _ranked(cover, weight, chosen)


def _solve(a: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    """Indices (rows of ``a``) of the optimal sites."""
    sites, grids = a.shape
    objective = np.concatenate([np.zeros(sites), -w])
    # y_g - Σ_s a_sg x_s <= 0, one row per grid; Σ_s x_s <= n
    link = hstack([-csr_array(a.T.astype(float)), identity(grids, format="csr")])
    count = hstack([csr_array(np.ones((1, sites))), csr_array((1, grids))])
    matrix = vstack([link, count]).tocsr()
    upper = np.concatenate([np.zeros(grids), [float(n)]])
    result = milp(objective, constraints=LinearConstraint(matrix, -np.inf, upper),
                  integrality=np.concatenate([np.ones(sites), np.zeros(grids)]),
                  bounds=Bounds(0, 1),
                  options={"mip_rel_gap": 0.0, "time_limit": TIME_LIMIT_S, "presolve": True})
    if result.status != 0 or result.x is None:
        raise GridsimError(f"placing {n} points: the solver stopped without a proven optimum "
                           f"({result.message}); use fewer candidate sites")
    return np.flatnonzero(result.x[:sites] > 0.5)


def _ranked(cover: np.ndarray, weight: np.ndarray, chosen: np.ndarray) -> Placement:
    """``chosen`` ordered by what each adds to those before it (ties: the lower index)."""
    covered = np.zeros(cover.shape[1], dtype=bool)
    left = sorted(int(s) for s in chosen)
    order, gains = [], []
    while left:
        adds = [float(weight[cover[s] & ~covered].sum()) for s in left]
        best = int(np.argmax(adds))
        if adds[best] <= 0:
            break
        site = left.pop(best)
        order.append(site)
        gains.append(adds[best])
        covered |= cover[site]
    return Placement(tuple(order), tuple(gains), float(sum(gains)))
