from __future__ import annotations

import math
import time

import numpy as np
import pytest

from sim.analytic.erlang import erlang_b
from sim.analytic.hypercube import hypercube, preferences_by_distance


def truncated_poisson(servers: int, load: float) -> np.ndarray:
    weights = np.array([load**k / math.factorial(k) for k in range(servers + 1)])
    return weights / weights.sum()


def test_single_responder_is_erlang_loss() -> None:
    lam, mu = [0.3, 0.5], 2.0
    rho = sum(lam) / mu
    result = hypercube(lam, mu, [[0], [0]], home=[0])
    assert result.utilisation[0] == pytest.approx(rho / (1 + rho), rel=1e-12)
    assert result.overflow_probability == pytest.approx(rho / (1 + rho), rel=1e-12)
    np.testing.assert_allclose(result.dispatch_fractions, [[1 / (1 + rho)]] * 2, rtol=1e-12)
    # Only atom 1's issues cross grids, and both atoms are served equally often (PASTA).
    assert result.cross_grid_share == pytest.approx(0.5 / 0.8, rel=1e-12)
    np.testing.assert_allclose(result.atom_cross_grid_share, [0.0, 1.0], atol=1e-15)


def test_identical_rates_busy_count_is_truncated_poisson() -> None:
    # With a common μ the number busy is M/M/N/N whatever the dispatch rules.
    lam = np.array([0.9, 0.2, 1.7, 0.4])
    mu = 0.8
    preferences = [[0, 1, 2, 3, 4], [4, 2, 0, 1, 3], [2, 3, 4, 1, 0], [1, 0, 4, 3, 2]]
    result = hypercube(lam, mu, preferences, home=[0, 3, 2, 2, 1])
    load = lam.sum() / mu
    np.testing.assert_allclose(
        result.busy_count_distribution, truncated_poisson(5, load), rtol=1e-12
    )
    assert result.overflow_probability == pytest.approx(erlang_b(5, load), rel=1e-12)
    assert result.utilisation.sum() == pytest.approx(load * (1 - erlang_b(5, load)), rel=1e-12)


def test_ordered_hunting_matches_erlang_b_differences() -> None:
    # One atom, fixed order, common μ: the k-th responder carries a·(B(k-1, a) - B(k, a)).
    lam, mu, servers = 3.0, 1.25, 6
    load = lam / mu
    result = hypercube([lam], mu, [list(range(servers))], home=[0] * servers)
    blocking = [1.0] + [erlang_b(k, load) for k in range(1, servers + 1)]
    expected = [load * (blocking[k] - blocking[k + 1]) for k in range(servers)]
    np.testing.assert_allclose(result.utilisation, expected, rtol=1e-12)
    assert result.cross_grid_share == 0.0


def test_two_responders_two_atoms_by_hand() -> None:
    lam0, lam1 = 1.0, 2.0
    mu0, mu1 = 1.5, 0.7
    # Responder 0 lives in atom 0, responder 1 in atom 1; each atom asks its own first.
    # States by busy set: s0 = {}, s1 = {0}, s2 = {1}, s3 = {0, 1}.
    q = np.array(
        [
            [0.0, lam0, lam1, 0.0],  # {}: atom 0 -> r0, atom 1 -> r1
            [mu0, 0.0, 0.0, lam0 + lam1],  # {0}: every arrival -> r1
            [mu1, 0.0, 0.0, lam0 + lam1],  # {1}: every arrival -> r0
            [0.0, mu1, mu0, 0.0],  # {0, 1}: a completion frees one
        ]
    )
    q -= np.diag(q.sum(axis=1))
    system = np.vstack([q.T[:-1], np.ones(4)])
    pi = np.linalg.solve(system, [0.0, 0.0, 0.0, 1.0])

    result = hypercube([lam0, lam1], [mu0, mu1], [[0, 1], [1, 0]], home=[0, 1])
    np.testing.assert_allclose(result.state_probabilities, pi, rtol=1e-12)
    np.testing.assert_allclose(result.utilisation, [pi[1] + pi[3], pi[2] + pi[3]], rtol=1e-12)
    expected_fractions = [[pi[0] + pi[2], pi[1]], [pi[2], pi[0] + pi[1]]]
    np.testing.assert_allclose(result.dispatch_fractions, expected_fractions, rtol=1e-12)
    assert result.overflow_probability == pytest.approx(pi[3], rel=1e-12)
    cross = (lam0 * pi[1] + lam1 * pi[2]) / ((lam0 + lam1) * (1 - pi[3]))
    assert result.cross_grid_share == pytest.approx(cross, rel=1e-12)


def _random_system(
    rng: np.random.Generator, responders: int, atoms: int
) -> tuple[np.ndarray, np.ndarray, list[list[int]], list[int]]:
    lam = rng.uniform(0.05, 0.6, atoms)
    mu = rng.uniform(0.5, 2.0, responders)
    preferences = [rng.permutation(responders).tolist() for _ in range(atoms)]
    home = rng.integers(0, atoms, responders).tolist()
    return lam, mu, preferences, home


def test_flow_balance_with_heterogeneous_rates() -> None:
    lam, mu, preferences, home = _random_system(np.random.default_rng(7), 6, 9)
    result = hypercube(lam, mu, preferences, home)
    pi = result.state_probabilities
    assert pi.min() >= 0.0
    assert pi.sum() == pytest.approx(1.0, rel=1e-14)
    served = lam.sum() * (1 - result.overflow_probability)
    assert served == pytest.approx(mu @ result.utilisation, rel=1e-12)
    # Per responder: dispatches in (by PASTA) equal completions out.
    np.testing.assert_allclose(result.served_rates, mu * result.utilisation, rtol=1e-12)
    np.testing.assert_allclose(
        result.dispatch_fractions.sum(axis=1), 1 - result.overflow_probability, rtol=1e-12
    )


def test_ten_responders_solve_quickly() -> None:
    lam, mu, preferences, home = _random_system(np.random.default_rng(3), 10, 40)
    start = time.perf_counter()
    result = hypercube(lam, mu, preferences, home)
    assert time.perf_counter() - start < 1.0
    assert result.state_probabilities.shape == (1024,)
    assert result.state_probabilities.sum() == pytest.approx(1.0, rel=1e-13)
    assert 0.0 < result.cross_grid_share < 1.0


def test_result_arrays_are_read_only() -> None:
    result = hypercube([1.0], 1.0, [[0]], [0])
    with pytest.raises(ValueError, match="read-only"):
        result.utilisation[0] = 0.5


def test_validation_messages() -> None:
    with pytest.raises(ValueError, match="permutation"):
        hypercube([1.0, 1.0], 1.0, [[0, 1], [0, 0]], [0, 1])
    with pytest.raises(ValueError, match="one list per atom"):
        hypercube([1.0, 1.0], 1.0, [[0, 1]], [0, 1])
    with pytest.raises(ValueError, match="at most 12"):
        hypercube([1.0], 1.0, [list(range(13))], [0] * 13)
    with pytest.raises(ValueError, match="atom indices"):
        hypercube([1.0], 1.0, [[0, 1]], [0, 1])
    with pytest.raises(ValueError, match="one rate per responder"):
        hypercube([1.0], [1.0, 2.0, 3.0], [[0, 1]], [0, 0])
    with pytest.raises(ValueError, match="service_rates"):
        hypercube([1.0], [1.0, 0.0], [[0, 1]], [0, 0])
    with pytest.raises(ValueError, match="arrival_rates"):
        hypercube([-1.0, 2.0], 1.0, [[0], [0]], [0])
    with pytest.raises(ValueError, match="arrival_rates"):
        hypercube([[1.0]], 1.0, [[0]], [0])


def test_preferences_by_distance() -> None:
    # Atoms at x = 0, 10, 20; responders at x = 4, 1, 14 based in atoms 1, 0, 2.
    atom_xy = [(0.0, 0.0), (10.0, 0.0), (20.0, 0.0)]
    responder_xy = [(4.0, 0.0), (1.0, 0.0), (14.0, 0.0)]
    preferences = preferences_by_distance(responder_xy, atom_xy, home=[1, 0, 2])
    assert preferences[0] == [1, 0, 2]  # own responder, then 4 < 14 away
    assert preferences[1] == [0, 2, 1]  # own responder (6 away) before a closer one (4)
    assert preferences[2] == [2, 0, 1]  # own responder, then 16 < 19 away
    # Equal distances break by index.
    assert preferences_by_distance([(1.0, 0.0), (-1.0, 0.0)], [(0.0, 0.0)], [0, 0]) == [[0, 1]]
