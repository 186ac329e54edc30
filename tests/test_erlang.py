from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np
import pytest
from scipy.special import gammaln, logsumexp

from sim.analytic.erlang import (
    erlang_a,
    erlang_a_service_level,
    erlang_b,
    erlang_c,
    mmc,
    required_servers,
    service_level,
    wait_quantile,
)


def factorial_b(c: int, a: float) -> float:
    """Erlang B straight from its definition (only safe for small c)."""
    return (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))


def factorial_c(c: int, a: float) -> float:
    """Erlang C straight from its definition (only safe for small c)."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def birth_death_stationary(lam: float, mu: float, c: int, theta: float, states: int) -> np.ndarray:
    """Stationary law of the M/M/c+M chain truncated at `states` states, by a dense solve."""
    q = np.zeros((states, states))
    for n in range(states - 1):
        q[n, n + 1] = lam
        q[n + 1, n] = min(n + 1, c) * mu + max(n + 1 - c, 0) * theta
    q -= np.diag(q.sum(axis=1))
    system = q.T.copy()
    system[-1] = 1.0
    rhs = np.zeros(states)
    rhs[-1] = 1.0
    return np.linalg.solve(system, rhs)


def test_small_exact_values() -> None:
    assert erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-15)
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0, rel=1e-15)
    assert erlang_b(1, 0.0) == 0.0
    assert erlang_c(3, 0.0) == 0.0


def test_erlang_b_published_table() -> None:
    # Erlang B table, 10 circuits: 4.461 Erl at 1 % blocking, 5.084 Erl at 2 %. Loads are
    # printed to 3 decimals; dB/da < 0.02 there, so the rounding moves B by < 1e-5.
    assert erlang_b(10, 4.461) == pytest.approx(0.01, abs=1e-5)
    assert erlang_b(10, 5.084) == pytest.approx(0.02, abs=1e-5)


def test_erlang_c_published_call_centre_example() -> None:
    # Classic worked example: 10 Erlangs offered, P(wait) for 11..14 agents (4 decimals).
    expected = {11: 0.6821, 12: 0.4494, 13: 0.2853, 14: 0.1741}
    for agents, value in expected.items():
        assert erlang_c(agents, 10.0) == pytest.approx(value, abs=5e-5)


@pytest.mark.parametrize(("c", "a"), [(1, 0.3), (3, 2.4), (10, 8.5), (20, 12.0), (30, 29.5)])
def test_against_factorial_formulas(c: int, a: float) -> None:
    assert erlang_b(c, a) == pytest.approx(factorial_b(c, a), rel=1e-12)
    assert erlang_c(c, a) == pytest.approx(factorial_c(c, a), rel=1e-12)


def test_erlang_c_from_erlang_b_of_one_fewer_server() -> None:
    # Identity C(c, a) = a·B(c-1, a) / (c - a + a·B(c-1, a)); not the code's formula.
    for c in (2, 5, 17, 60, 200):
        for rho in (0.3, 0.8, 0.99):
            a = rho * c
            previous = erlang_b(c - 1, a)
            assert erlang_c(c, a) == pytest.approx(a * previous / (c - a + a * previous), rel=1e-12)


def test_overloaded_erlang_c_is_one() -> None:
    assert erlang_c(10, 10.0) == 1.0
    assert erlang_c(10, 12.5) == 1.0


def test_large_systems_match_log_space_formula() -> None:
    # Independent evaluation with log-gamma and logsumexp.
    for c, a in [(500, 480.0), (5000, 4950.0)]:
        log_terms = np.arange(c + 1) * math.log(a) - gammaln(np.arange(1, c + 2))
        log_b = log_terms[-1] - logsumexp(log_terms)
        log_top = log_terms[-1] + math.log(c / (c - a))
        log_c = log_top - np.logaddexp(logsumexp(log_terms[:-1]), log_top)
        assert erlang_b(c, a) == pytest.approx(math.exp(log_b), rel=1e-10)
        value = erlang_c(c, a)
        assert 0.0 < value < 1.0
        assert value == pytest.approx(math.exp(log_c), rel=1e-10)


def test_mmc_against_direct_state_sum_and_littles_law() -> None:
    lam, mu, c = 2.4, 1.0, 3
    a = lam / mu
    n = np.arange(4000)  # (a/c)^4000 underflows: the truncated tail is exactly negligible
    k = np.minimum(n, c)
    weights = a**k / np.array([math.factorial(x) for x in k]) * (a / c) ** np.maximum(n - c, 0)
    p = weights / weights.sum()
    metrics = mmc(lam, mu, c)
    assert metrics.stable
    assert metrics.utilisation == pytest.approx(0.8, rel=1e-15)
    assert metrics.wait_probability == pytest.approx(p[c:].sum(), rel=1e-12)
    assert metrics.mean_in_system == pytest.approx(n @ p, rel=1e-12)
    assert metrics.mean_queue == pytest.approx(np.maximum(n - c, 0) @ p, rel=1e-12)
    assert metrics.mean_sojourn == pytest.approx(metrics.mean_in_system / lam, rel=1e-12)
    assert metrics.mean_wait == pytest.approx(metrics.mean_queue / lam, rel=1e-12)
    assert metrics.mean_sojourn == pytest.approx(metrics.mean_wait + 1 / mu, rel=1e-12)


def test_unstable_mmc() -> None:
    metrics = mmc(12.0, 1.0, 10)
    assert not metrics.stable
    assert metrics.wait_probability == 1.0
    assert metrics.utilisation == pytest.approx(1.2)
    for value in (metrics.mean_wait, metrics.mean_queue, metrics.mean_in_system):
        assert value == math.inf
    assert metrics.mean_sojourn == math.inf
    assert service_level(12.0, 1.0, 10, 5.0) == 0.0
    assert wait_quantile(12.0, 1.0, 10, 0.5) == math.inf


def test_service_level_and_quantile_are_inverse() -> None:
    lam, mu, c = 8.5, 1.0, 10
    waiting = erlang_c(c, lam / mu)
    assert service_level(lam, mu, c, 0.0) == pytest.approx(1.0 - waiting, rel=1e-14)
    assert service_level(lam, mu, c, math.inf) == 1.0
    # Tail P(W > t) = C·exp(-(cμ-λ)t), evaluated independently.
    assert service_level(lam, mu, c, 0.7) == pytest.approx(1 - waiting * math.exp(-1.5 * 0.7))
    assert wait_quantile(lam, mu, c, 0.3) == 0.0  # 0.3 < 1 - C ≈ 0.47
    assert wait_quantile(lam, mu, c, 1.0) == math.inf
    for q in (0.5, 0.8, 0.95, 0.999):
        t = wait_quantile(lam, mu, c, q)
        assert t > 0.0
        assert service_level(lam, mu, c, t) == pytest.approx(q, rel=1e-12)


def _meets(lam: float, mu: float, c: int, wait: float, share: float, cap: float | None) -> bool:
    ok = lam < c * mu and service_level(lam, mu, c, wait) >= share
    return ok and (cap is None or lam / (c * mu) <= cap)


@pytest.mark.parametrize(
    ("lam", "mu", "wait", "share", "cap"),
    [
        (8.5, 1.0, 0.2, 0.8, None),
        (30.0, 2.0, 0.0, 0.9, None),
        (100.0, 0.5, 1.0, 0.95, None),
        (8.0, 1.0, 10.0, 0.5, 0.8),
        (0.0, 1.0, 0.1, 0.9, None),
    ],
)
def test_required_servers_is_minimal(
    lam: float, mu: float, wait: float, share: float, cap: float | None
) -> None:
    c = required_servers(lam, mu, wait, share, max_utilisation=cap)
    assert _meets(lam, mu, c, wait, share, cap)
    assert c == 1 or not _meets(lam, mu, c - 1, wait, share, cap)


def test_required_servers_utilisation_cap_binds() -> None:
    # 9 servers already answer 50 % within 10 time units, but 8/9 > 0.8 needs 10 servers.
    assert required_servers(8.0, 1.0, 10.0, 0.5) == 9
    assert required_servers(8.0, 1.0, 10.0, 0.5, max_utilisation=0.8) == 10


def test_required_servers_monotone() -> None:
    by_load = [required_servers(lam, 1.0, 0.1, 0.8) for lam in np.linspace(1, 300, 60)]
    assert all(x <= y for x, y in zip(by_load, by_load[1:], strict=False))
    by_share = [required_servers(50.0, 1.0, 0.1, s) for s in (0.5, 0.7, 0.8, 0.9, 0.99)]
    assert all(x <= y for x, y in zip(by_share, by_share[1:], strict=False))
    by_wait = [required_servers(50.0, 1.0, t, 0.9) for t in (1.0, 0.3, 0.1, 0.01, 0.0)]
    assert all(x <= y for x, y in zip(by_wait, by_wait[1:], strict=False))
    assert by_share[-1] > by_share[0]


def test_required_servers_large_load_is_fast() -> None:
    lam, mu, wait, share = 2000.0, 1.0, 0.05, 0.8
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        c = required_servers(lam, mu, wait, share)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.05
    assert _meets(lam, mu, c, wait, share, None)
    assert not _meets(lam, mu, c - 1, wait, share, None)


def test_erlang_a_tiny_patience_is_erlang_c() -> None:
    # θ = 1e-9 perturbs every quantity by O(θ × waits/queues of order 10), far below 1e-6.
    lam, mu, c = 8.5, 1.0, 10
    a_metrics = erlang_a(lam, mu, c, 1e-9)
    c_metrics = mmc(lam, mu, c)
    assert a_metrics.wait_probability == pytest.approx(c_metrics.wait_probability, rel=1e-6)
    assert a_metrics.mean_wait == pytest.approx(c_metrics.mean_wait, rel=1e-6)
    assert a_metrics.mean_queue == pytest.approx(c_metrics.mean_queue, rel=1e-6)
    assert a_metrics.utilisation == pytest.approx(c_metrics.utilisation, rel=1e-6)
    assert a_metrics.abandon_probability < 1e-8
    for t in (0.0, 0.05, 0.3, 2.0):
        assert a_metrics.service_level(t) == pytest.approx(service_level(lam, mu, c, t), rel=1e-6)


def test_erlang_a_huge_patience_is_erlang_b() -> None:
    # θ = 1e8: anyone who waits leaves at once, so M/M/c+M -> M/M/c/c with O((λ+cμ)/θ) error.
    lam, mu, c = 8.5, 1.0, 10
    blocking = erlang_b(c, lam / mu)
    metrics = erlang_a(lam, mu, c, 1e8)
    assert metrics.wait_probability == pytest.approx(blocking, rel=1e-5)
    assert metrics.abandon_probability == pytest.approx(blocking, rel=1e-5)
    assert metrics.utilisation == pytest.approx(lam / mu * (1 - blocking) / c, rel=1e-5)
    assert metrics.service_level(0.01) == pytest.approx(1 - blocking, rel=1e-5)


@pytest.mark.parametrize(("lam", "mu", "c", "theta"), [(4.0, 1.0, 3, 0.7), (2.0, 0.5, 5, 2.0)])
def test_erlang_a_against_dense_chain(lam: float, mu: float, c: int, theta: float) -> None:
    p = birth_death_stationary(lam, mu, c, theta, 120)
    n = np.arange(p.size)
    metrics = erlang_a(lam, mu, c, theta)
    assert metrics.wait_probability == pytest.approx(p[c:].sum(), rel=1e-10)
    assert metrics.mean_queue == pytest.approx(np.maximum(n - c, 0) @ p, rel=1e-10)
    assert metrics.utilisation == pytest.approx(np.minimum(n, c) @ p / c, rel=1e-10)
    assert metrics.mean_wait == pytest.approx(metrics.mean_queue / lam, rel=1e-12)


@pytest.mark.parametrize(
    ("lam", "mu", "c", "theta"),
    [(4.0, 1.0, 3, 0.7), (12.0, 1.0, 10, 0.5), (330.0, 1.0, 300, 0.05), (50.0, 2.0, 30, 3.0)],
)
def test_erlang_a_rate_balances(lam: float, mu: float, c: int, theta: float) -> None:
    metrics = erlang_a(lam, mu, c, theta)
    # Abandonments: per-arrival probability (PASTA) vs rate θ·E[queue] (rate conservation).
    assert lam * metrics.abandon_probability == pytest.approx(theta * metrics.mean_queue, rel=1e-10)
    # Services: accepted flow vs busy servers.
    assert lam * (1 - metrics.abandon_probability) == pytest.approx(
        c * mu * metrics.utilisation, rel=1e-10
    )
    assert metrics.state_probabilities.sum() == pytest.approx(1.0, rel=1e-14)


def hypoexponential_served_by(rates: list[Fraction], theta: Fraction, t: float) -> float:
    """P(S <= t, S < T) for S = Σ Exp(rates[i]) (distinct), T ~ Exp(theta): closed form
    Σ_i A_i·r_i/(r_i+θ)·(1 - e^{-(r_i+θ)t}), A_i = Π_{j≠i} r_j/(r_j - r_i), A_i exact."""
    terms = []
    for i, rate in enumerate(rates):
        weight = rate / (rate + theta)
        for j, other in enumerate(rates):
            if j != i:
                weight *= other / (other - rate)
        terms.append(float(weight) * -math.expm1(-float(rate + theta) * t))
    return math.fsum(terms)


def test_erlang_a_service_level_against_hypoexponential_closed_form() -> None:
    lam, mu, c, theta = 2.0, 1.0, 3, 0.5
    p = birth_death_stationary(lam, mu, c, theta, 34)  # P(more than 30 waiting) < 1e-20
    rates = [Fraction(c) * Fraction(mu) + m * Fraction(theta) for m in range(p.size - c)]
    for t in (0.1, 0.5, 1.0, 3.0):
        expected = p[:c].sum() + math.fsum(
            p[c + k] * hypoexponential_served_by(rates[: k + 1], Fraction(theta), t)
            for k in range(p.size - c)
        )
        assert erlang_a_service_level(lam, mu, c, theta, t) == pytest.approx(expected, rel=1e-10)


def test_erlang_a_service_level_limits_and_monotonicity() -> None:
    metrics = erlang_a(12.0, 1.0, 10, 0.5)
    assert metrics.service_level(0.0) == pytest.approx(1 - metrics.wait_probability, rel=1e-12)
    assert metrics.service_level(math.inf) == pytest.approx(1 - metrics.abandon_probability)
    assert metrics.service_level(1e4) == pytest.approx(1 - metrics.abandon_probability, rel=1e-12)
    levels = [metrics.service_level(t) for t in np.linspace(0, 5, 21)]
    assert all(x < y for x, y in zip(levels, levels[1:], strict=False))


def test_erlang_a_large_system_is_finite() -> None:
    metrics = erlang_a(480.0, 1.0, 500, 0.1)
    assert 0.0 < metrics.wait_probability < 1.0
    assert 0.0 < metrics.abandon_probability < metrics.wait_probability
    assert 0.0 < metrics.service_level(0.02) < 1.0
    overloaded = erlang_a(600.0, 1.0, 500, 0.2)
    # Heavy overload: P(idle server) is negligible, so 100 of every 600 arrivals abandon.
    assert overloaded.abandon_probability == pytest.approx(1 / 6, rel=1e-9)
    assert overloaded.utilisation <= 1.0


def test_validation() -> None:
    with pytest.raises(ValueError, match="servers"):
        erlang_b(0, 1.0)
    with pytest.raises(ValueError, match="servers"):
        erlang_c(2.5, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="offered_load"):
        erlang_b(3, -1.0)
    with pytest.raises(ValueError, match="service_rate"):
        mmc(1.0, 0.0, 2)
    with pytest.raises(ValueError, match="target_share"):
        required_servers(5.0, 1.0, 0.1, 1.0)
    with pytest.raises(ValueError, match="max_utilisation"):
        required_servers(5.0, 1.0, 0.1, 0.8, max_utilisation=1.5)
    with pytest.raises(ValueError, match="q must"):
        wait_quantile(5.0, 1.0, 6, 1.5)
    with pytest.raises(ValueError, match="patience_rate"):
        erlang_a(5.0, 1.0, 6, 0.0)
