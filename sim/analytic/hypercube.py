"""Larson's hypercube queueing model, exact loss variant (no queue: overflow is lost).

N distinguishable responders, J atoms (grids). Arrivals at atom j are Poisson with rate λ_j
and go to the first free responder in the atom's preference list (a permutation of all
responders); if every responder is busy the issue overflows. Responder n serves at the
exponential rate μ_n. The state is the busy set, encoded as an integer whose bit n is 1 when
responder n is busy; the 2^N-state CTMC is solved exactly with a sparse direct solver.
Rates are per unit time in any consistent unit.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

MAX_RESPONDERS = 12


@dataclass(frozen=True, eq=False)
class HypercubeResult:
    """Steady state of the hypercube loss model; all arrays are read-only.

    - ``state_probabilities[s]``: P(busy set = s), bit n of s set when responder n is busy.
    - ``utilisation[n]``: P(responder n busy), its workload.
    - ``dispatch_fractions[j, n]``: fraction of atom j's arrivals served by responder n
      (PASTA); row j sums to 1 - ``overflow_probability``.
    - ``overflow_probability``: P(all busy) = fraction of arrivals lost; the same for every
      atom because preference lists contain all responders.
    - ``served_rates[n]``: issues per unit time served by responder n (= μ_n·utilisation_n).
    - ``busy_count_distribution[k]``: P(k responders busy), k = 0..N.
    - ``cross_grid_share``: share of all served issues handled by a responder whose home atom
      differs from the issue's atom; ``atom_cross_grid_share[j]`` the same for atom j's issues.
    """

    state_probabilities: np.ndarray
    utilisation: np.ndarray
    dispatch_fractions: np.ndarray
    overflow_probability: float
    served_rates: np.ndarray
    busy_count_distribution: np.ndarray
    cross_grid_share: float
    atom_cross_grid_share: np.ndarray


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _validate(
    arrival_rates: Sequence[float] | np.ndarray,
    service_rates: float | Sequence[float] | np.ndarray,
    preferences: Sequence[Sequence[int]],
    home: Sequence[int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    lam = np.asarray(arrival_rates, dtype=float)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"arrival_rates must be a non-empty 1-D sequence, got shape {lam.shape}")
    if not np.all(np.isfinite(lam)) or np.any(lam < 0.0) or lam.sum() <= 0.0:
        raise ValueError("arrival_rates must be finite, >= 0 and not all zero")
    atoms = lam.size
    homes = np.asarray(home)
    if homes.ndim != 1 or homes.size == 0:
        raise ValueError(f"home must be a non-empty 1-D sequence, got shape {homes.shape}")
    responders = homes.size
    if responders > MAX_RESPONDERS:
        raise ValueError(
            f"at most {MAX_RESPONDERS} responders are supported (2^N states), got {responders}"
        )
    if not np.issubdtype(homes.dtype, np.integer) or np.any((homes < 0) | (homes >= atoms)):
        raise ValueError(f"home must hold atom indices in [0, {atoms}), got {list(home)}")
    mu = np.asarray(service_rates, dtype=float)
    if mu.ndim == 0:
        mu = np.full(responders, float(mu))
    elif mu.shape != (responders,):
        raise ValueError(
            f"service_rates must be a scalar or have one rate per responder ({responders}), "
            f"got shape {mu.shape}"
        )
    if not np.all(np.isfinite(mu)) or np.any(mu <= 0.0):
        raise ValueError("service_rates must be finite and > 0")
    if len(preferences) != atoms:
        raise ValueError(
            f"preferences must have one list per atom ({atoms}), got {len(preferences)}"
        )
    order = np.empty((atoms, responders), dtype=np.int64)
    for j, ranking in enumerate(preferences):
        try:
            valid = sorted(operator.index(n) for n in ranking) == list(range(responders))
        except TypeError:
            valid = False
        if not valid:
            raise ValueError(
                f"preferences[{j}] must be a permutation of 0..{responders - 1}, "
                f"got {list(ranking)}"
            )
        order[j] = ranking
    return lam, mu, order, homes.astype(np.int64)


def hypercube(
    arrival_rates: Sequence[float] | np.ndarray,
    service_rates: float | Sequence[float] | np.ndarray,
    preferences: Sequence[Sequence[int]],
    home: Sequence[int],
) -> HypercubeResult:
    """Solve the hypercube loss model exactly.

    ``arrival_rates[j]``: Poisson rate of issues at atom j (>= 0, not all zero).
    ``service_rates``: exponential service rate per responder (scalar = common μ, > 0).
    ``preferences[j]``: dispatch order for atom j, a permutation of range(N).
    ``home[n]``: home atom of responder n; N = len(home) <= 12.
    Solves πQ = 0 with Σπ = 1 (one balance equation replaced by normalisation).
    """
    lam, mu, order, homes = _validate(arrival_rates, service_rates, preferences, home)
    atoms, responders = order.shape
    states = np.arange(1 << responders, dtype=np.int64)
    bits = 1 << np.arange(responders, dtype=np.int64)
    busy = (states[:, None] & bits[None, :]) != 0  # states x responders

    # dispatch[j, s]: responder taking an atom-j arrival in state s, or -1 if all are busy.
    dispatch = np.full((atoms, states.size), -1, dtype=np.int64)
    for j in range(atoms):
        for n in order[j][::-1]:
            dispatch[j, ~busy[:, n]] = n

    rows, cols, rates = [], [], []
    for n in range(responders):
        holders = states[busy[:, n]]
        rows.append(holders)
        cols.append(holders ^ bits[n])
        rates.append(np.full(holders.size, mu[n]))
    for j in range(atoms):
        if lam[j] == 0.0:
            continue
        open_states = states[dispatch[j] >= 0]
        rows.append(open_states)
        cols.append(open_states | bits[dispatch[j, open_states]])
        rates.append(np.full(open_states.size, lam[j]))
    transitions = sp.coo_matrix(
        (np.concatenate(rates), (np.concatenate(rows), np.concatenate(cols))),
        shape=(states.size, states.size),
    ).tocsr()
    generator = transitions - sp.diags(np.asarray(transitions.sum(axis=1)).ravel())
    # πQ = 0 has rank S - 1 (unique stationary law), so replacing one balance equation by
    # Σπ = 1 gives a nonsingular system. Minimum-degree ordering on AᵀA + A keeps the LU's
    # fill-in down (default COLAMD is about 10x slower at N = 12).
    ones = sp.csr_matrix(np.ones((1, states.size)))
    balance = sp.vstack([generator.T.tocsr()[:-1], ones]).tocsc()
    rhs = np.zeros(states.size)
    rhs[-1] = 1.0
    pi = np.clip(spsolve(balance, rhs, permc_spec="MMD_AT_PLUS_A"), 0.0, None)
    pi /= pi.sum()

    utilisation = pi @ busy
    fractions = np.zeros((atoms, responders))
    for j in range(atoms):
        served = dispatch[j] >= 0
        fractions[j] = np.bincount(dispatch[j, served], weights=pi[served], minlength=responders)
    overflow = float(pi[-1])
    cross = homes[None, :] != np.arange(atoms)[:, None]  # atoms x responders
    atom_cross = (fractions * cross).sum(axis=1) / (1.0 - overflow)
    busy_counts = np.bincount(busy.sum(axis=1), weights=pi, minlength=responders + 1)
    return HypercubeResult(
        state_probabilities=_read_only(pi),
        utilisation=_read_only(utilisation),
        dispatch_fractions=_read_only(fractions),
        overflow_probability=overflow,
        served_rates=_read_only(lam @ fractions),
        busy_count_distribution=_read_only(busy_counts),
        cross_grid_share=float(lam @ atom_cross / lam.sum()),
        atom_cross_grid_share=_read_only(atom_cross),
    )


def preferences_by_distance(
    responder_xy: Sequence[Sequence[float]] | np.ndarray,
    atom_xy: Sequence[Sequence[float]] | np.ndarray,
    home: Sequence[int],
) -> list[list[int]]:
    """Preference list per atom: responders based in that atom first, then the rest.

    Within each group responders are ordered by Euclidean distance from their position
    (``responder_xy[n]``) to the atom centroid (``atom_xy[j]``), ties broken by index.
    Coordinates are in any common length unit.
    """
    responders = np.asarray(responder_xy, dtype=float)
    atoms = np.asarray(atom_xy, dtype=float)
    homes = list(home)
    if responders.ndim != 2 or atoms.ndim != 2 or responders.shape[1] != atoms.shape[1]:
        raise ValueError("responder_xy and atom_xy must be 2-D arrays with the same column count")
    if len(homes) != responders.shape[0]:
        raise ValueError(f"home must have one entry per responder ({responders.shape[0]})")
    result = []
    for j, centre in enumerate(atoms):
        distance = [math.dist(point, centre) for point in responders]
        result.append(sorted(range(len(homes)), key=lambda n: (homes[n] != j, distance[n], n)))
    return result
