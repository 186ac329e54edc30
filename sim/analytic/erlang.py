"""Pooled-queue formulas: Erlang B (M/M/c/c), Erlang C (M/M/c) and Erlang A (M/M/c+M).

Rates are per unit time in any consistent unit (e.g. per hour); waits come out in that unit.
Offered load ``a = arrival_rate / service_rate`` is in Erlangs. Every computation avoids
factorials and powers (Erlang-B recursion or log-space weights), so it is stable for
thousands of servers.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import gammaln, logsumexp, pdtrc, xlogy

_TAIL_TOLERANCE = 1e-14
_MAX_ERLANG_A_STATES = 5_000_000
_TRANSIENT_TOLERANCE = 1e-17


def _check_servers(servers: int) -> int:
    try:
        count = operator.index(servers)
    except TypeError:
        raise ValueError(f"servers must be an integer, got {servers!r}") from None
    if count < 1:
        raise ValueError(f"servers must be >= 1, got {count}")
    return count


def _check_rate(name: str, value: float, *, allow_zero: bool) -> float:
    rate = float(value)
    if not math.isfinite(rate) or rate < 0.0 or (rate == 0.0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
    return rate


def _check_wait(target_wait: float) -> float:
    wait = float(target_wait)
    if math.isnan(wait) or wait < 0.0:
        raise ValueError(f"target_wait must be >= 0 (math.inf allowed), got {target_wait!r}")
    return wait


def _next_erlang_b(blocking: float, servers: int, offered_load: float) -> float:
    """B(servers) from B(servers - 1) by the stable Erlang-B recursion."""
    return offered_load * blocking / (servers + offered_load * blocking)


def _c_from_b(blocking: float, servers: int, offered_load: float) -> float:
    """Erlang C from Erlang B for the same (servers, offered_load); needs offered_load < servers."""
    return servers * blocking / (servers - offered_load * (1.0 - blocking))


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of M/M/c/c (Erlang loss) with ``offered_load`` Erlangs.

    Uses the recursion B(0)=1, B(k) = a·B(k-1) / (k + a·B(k-1)); O(servers), no overflow.
    """
    count = _check_servers(servers)
    load = _check_rate("offered_load", offered_load, allow_zero=True)
    blocking = 1.0
    for k in range(1, count + 1):
        blocking = _next_erlang_b(blocking, k, load)
    return blocking


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in M/M/c; 1.0 when ``offered_load >= servers``."""
    count = _check_servers(servers)
    load = _check_rate("offered_load", offered_load, allow_zero=True)
    if load >= count:
        return 1.0
    return _c_from_b(erlang_b(count, load), count, load)


@dataclass(frozen=True)
class MMcMetrics:
    """Steady-state M/M/c metrics (FCFS, infinite queue).

    ``utilisation`` is the offered load per server ``λ/(cμ)``; it equals the busy fraction when
    ``stable`` and is >= 1 otherwise. For an unstable system the wait probability is 1.0 and
    every wait, queue and sojourn is ``math.inf``. Times are in the rates' time unit.
    """

    arrival_rate: float
    service_rate: float
    servers: int
    offered_load: float
    utilisation: float
    wait_probability: float
    mean_wait: float
    mean_queue: float
    mean_in_system: float
    mean_sojourn: float
    stable: bool


def mmc(arrival_rate: float, service_rate: float, servers: int) -> MMcMetrics:
    """Steady-state metrics of the M/M/c queue (Poisson arrivals, exponential service)."""
    lam = _check_rate("arrival_rate", arrival_rate, allow_zero=True)
    mu = _check_rate("service_rate", service_rate, allow_zero=False)
    count = _check_servers(servers)
    load = lam / mu
    common: dict[str, Any] = {
        "arrival_rate": lam,
        "service_rate": mu,
        "servers": count,
        "offered_load": load,
        "utilisation": load / count,
    }
    if load >= count:
        return MMcMetrics(
            **common,
            wait_probability=1.0,
            mean_wait=math.inf,
            mean_queue=math.inf,
            mean_in_system=math.inf,
            mean_sojourn=math.inf,
            stable=False,
        )
    wait_probability = erlang_c(count, load)
    mean_wait = wait_probability / (count * mu - lam)
    mean_queue = lam * mean_wait
    return MMcMetrics(
        **common,
        wait_probability=wait_probability,
        mean_wait=mean_wait,
        mean_queue=mean_queue,
        mean_in_system=mean_queue + load,
        mean_sojourn=mean_wait + 1.0 / mu,
        stable=True,
    )


def wait_quantile(arrival_rate: float, service_rate: float, servers: int, q: float) -> float:
    """The q-quantile (0 <= q <= 1) of the M/M/c waiting time, in the rates' time unit.

    P(W > t) = C·exp(-(cμ-λ)t), so the quantile is 0 when q <= 1 - C and
    ln(C / (1 - q)) / (cμ - λ) otherwise; ``math.inf`` for q = 1 or an unstable system (q > 0).
    """
    level = float(q)
    if not 0.0 <= level <= 1.0:
        raise ValueError(f"q must be in [0, 1], got {q!r}")
    metrics = mmc(arrival_rate, service_rate, servers)
    if level <= 1.0 - metrics.wait_probability:
        return 0.0
    if not metrics.stable or level == 1.0:
        return math.inf
    decay = servers * metrics.service_rate - metrics.arrival_rate
    return math.log(metrics.wait_probability / (1.0 - level)) / decay


def service_level(
    arrival_rate: float, service_rate: float, servers: int, target_wait: float
) -> float:
    """P(W <= target_wait) = 1 - C·exp(-(cμ-λ)t) for M/M/c; 0.0 if the system is unstable."""
    wait = _check_wait(target_wait)
    metrics = mmc(arrival_rate, service_rate, servers)
    if not metrics.stable:
        return 0.0
    decay = metrics.servers * metrics.service_rate - metrics.arrival_rate
    return 1.0 - metrics.wait_probability * math.exp(-decay * wait)


def required_servers(
    arrival_rate: float,
    service_rate: float,
    target_wait: float,
    target_share: float,
    max_utilisation: float | None = None,
) -> int:
    """Fewest servers c with P(W <= target_wait) >= target_share in M/M/c.

    ``target_share`` must be in [0, 1). If ``max_utilisation`` (in (0, 1]) is given, c must also
    satisfy λ/(cμ) <= max_utilisation. The search starts at the smallest stable c and updates
    Erlang B incrementally, so it costs O(answer) even for loads of thousands of Erlangs.
    """
    lam = _check_rate("arrival_rate", arrival_rate, allow_zero=True)
    mu = _check_rate("service_rate", service_rate, allow_zero=False)
    wait = _check_wait(target_wait)
    share = float(target_share)
    if not 0.0 <= share < 1.0:
        raise ValueError(f"target_share must be in [0, 1), got {target_share!r}")
    load = lam / mu
    count = math.floor(load) + 1
    if max_utilisation is not None:
        cap = float(max_utilisation)
        if not 0.0 < cap <= 1.0:
            raise ValueError(f"max_utilisation must be in (0, 1], got {max_utilisation!r}")
        count = max(count, math.ceil(load / cap))
        while count > 1 and load / (count - 1) <= cap:
            count -= 1
        while load / count > cap:
            count += 1
    blocking = erlang_b(count, load)
    while True:
        waiting = _c_from_b(blocking, count, load)
        if 1.0 - waiting * math.exp(-(count * mu - lam) * wait) >= share:
            return count
        count += 1
        blocking = _next_erlang_b(blocking, count, load)


@dataclass(frozen=True)
class ErlangAMetrics:
    """Steady-state metrics of M/M/c+M (Erlang A: exponential patience, FCFS).

    ``wait_probability`` is P(an arrival finds all servers busy); ``abandon_probability`` is
    P(an arrival abandons); ``mean_wait`` is the mean time in queue over all arrivals (served
    and abandoning; E[queue]/λ by Little's law); ``mean_queue`` the mean number waiting;
    ``utilisation`` the busy fraction of the servers (served load / c).
    ``state_probabilities[n]`` is P(n in system), truncated where the remaining tail (mass and
    first moment) is below 1e-14 of the total.
    """

    arrival_rate: float
    service_rate: float
    servers: int
    patience_rate: float
    offered_load: float
    wait_probability: float
    abandon_probability: float
    mean_wait: float
    mean_queue: float
    utilisation: float
    state_probabilities: np.ndarray = field(repr=False, compare=False)

    def service_level(self, target_wait: float) -> float:
        """P(an arrival is served and its wait is <= target_wait), target_wait in time units.

        By PASTA an arrival finding c + k in system has k customers ahead; its time to service
        is S_k = Σ_{m=0..k} Exp(cμ + mθ) (each stage ends by a service completion or an
        abandonment ahead), independent of its own patience T ~ Exp(θ). The result is
        Σ_{n<c} p_n + Σ_k p_{c+k}·P(S_k <= t, S_k < T): the mass absorbed in "served" by time
        t of the acyclic stage chain (m -> m-1 at cμ + mθ, 0 -> served at cμ, killed at θ),
        computed for all k at once by uniformisation (positive terms only, so no
        cancellation). The number of steps does not grow with t: about K stages when cμ
        dominates, up to about K·ln K in heavy overload where θ dominates.
        ``math.inf`` gives 1 - abandon_probability.
        """
        wait = _check_wait(target_wait)
        if math.isinf(wait):
            return 1.0 - self.abandon_probability
        c = self.servers
        immediate = float(self.state_probabilities[:c].sum())
        transient = self.state_probabilities[c:].copy()
        progress = c * self.service_rate + self.patience_rate * np.arange(transient.size)
        uniform = float(progress[-1]) + self.patience_rate
        move = progress / uniform
        stay = 1.0 - (progress + self.patience_rate) / uniform
        served = [0.0]  # served[n]: mass served within n uniformised jumps
        while transient.sum() > _TRANSIENT_TOLERANCE:
            served.append(served[-1] + float(transient[0] * move[0]))
            transient = stay * transient + np.append(move[1:] * transient[1:], 0.0)
        jumps = len(served) - 1
        mean_jumps = uniform * wait
        k = np.arange(jumps)
        weights = np.exp(xlogy(k, mean_jumps) - mean_jumps - gammaln(k + 1))  # Poisson pmf
        tail = float(pdtrc(jumps - 1, mean_jumps)) if jumps else 1.0  # P(at least jumps)
        return immediate + float(weights @ np.asarray(served[:-1])) + served[-1] * tail


def _erlang_a_log_weights(lam: float, mu: float, servers: int, theta: float) -> np.ndarray:
    """Unnormalised log P(n in system), n = 0..c+K, of the M/M/c+M birth-death chain.

    K is the first queue length k at which the ratio r = λ/(cμ + (k+1)θ) to the next state is
    below 1 and the tail bounds p·r/(1-r) (mass) and p·(k+1)·r/(1-r)² (queue first moment)
    are below 1e-14 of the total; the ratios decrease in k, so these bounds hold.
    """
    head = np.concatenate(
        [[0.0], np.cumsum(math.log(lam) - np.log(mu * np.arange(1, servers + 1)))]
    )
    pieces = [head]
    log_total = float(logsumexp(head))
    first, last = 0, float(head[-1])  # queue length k and log weight of the last state so far
    size = 256
    while True:
        waiting = np.arange(first, first + size, dtype=float)
        ratio = lam / (servers * mu + (waiting + 1.0) * theta)
        logs = last + np.concatenate([[0.0], np.cumsum(np.log(ratio[:-1]))])
        log_total = float(np.logaddexp(log_total, logsumexp(logs[1:])))
        with np.errstate(divide="ignore", invalid="ignore"):
            tail = logs + np.log(waiting + 1.0) + np.log(ratio) - 2.0 * np.log1p(-ratio)
        small = (ratio < 1.0) & (tail < math.log(_TAIL_TOLERANCE) + log_total)
        if small.any():
            pieces.append(logs[1 : int(np.argmax(small)) + 1])
            return np.concatenate(pieces)
        pieces.append(logs[1:])
        first, last = first + size - 1, float(logs[-1])
        if servers + first > _MAX_ERLANG_A_STATES:
            raise ValueError(
                "Erlang A chain too long: patience_rate is too small for this overload "
                "(arrival_rate > servers * service_rate); use a larger patience_rate or mmc()"
            )
        size *= 2


def erlang_a(
    arrival_rate: float, service_rate: float, servers: int, patience_rate: float
) -> ErlangAMetrics:
    """Steady-state metrics of M/M/c+M (Erlang A); patience ~ Exp(patience_rate), rate > 0.

    Solves the birth-death chain (birth λ, death min(n,c)μ + (n-c)⁺θ) normalised in log space.
    ``abandon_probability`` is computed per arrival (PASTA): with k ahead, an arrival is served
    with probability Π_{m=0..k} (cμ + mθ)/(cμ + (m+1)θ); it satisfies λ·P(ab) = θ·E[queue].
    """
    lam = _check_rate("arrival_rate", arrival_rate, allow_zero=False)
    mu = _check_rate("service_rate", service_rate, allow_zero=False)
    count = _check_servers(servers)
    theta = _check_rate("patience_rate", patience_rate, allow_zero=False)
    log_weights = _erlang_a_log_weights(lam, mu, count, theta)
    probabilities = np.exp(log_weights - log_weights.max())
    probabilities /= probabilities.sum()
    probabilities.setflags(write=False)
    queued = probabilities[count:]
    ahead = np.arange(queued.size)
    log_served = np.cumsum(-np.log1p(theta / (count * mu + ahead * theta)))
    mean_queue = float(ahead @ queued)
    wait_probability = float(queued.sum())
    busy = float(np.arange(count) @ probabilities[:count]) + count * wait_probability
    return ErlangAMetrics(
        arrival_rate=lam,
        service_rate=mu,
        servers=count,
        patience_rate=theta,
        offered_load=lam / mu,
        wait_probability=wait_probability,
        abandon_probability=float(queued @ -np.expm1(log_served)),
        mean_wait=mean_queue / lam,
        mean_queue=mean_queue,
        utilisation=busy / count,
        state_probabilities=probabilities,
    )


def erlang_a_service_level(
    arrival_rate: float,
    service_rate: float,
    servers: int,
    patience_rate: float,
    target_wait: float,
) -> float:
    """P(an arrival is served with wait <= target_wait) in M/M/c+M; see ErlangAMetrics."""
    return erlang_a(arrival_rate, service_rate, servers, patience_rate).service_level(target_wait)
