"""Throughput of the fast screen: issues per second for M/M/c inputs (c = 10, rho = 0.85).

Run from the repository root: ``PYTHONPATH=. python benchmarks/screen.py``. The last line,
``screen: issues_per_s=N``, is the R = 200 case.
"""

from __future__ import annotations

import time

import numpy as np

from sim.screen import screen

ISSUES = 20_000
SERVERS = 10
ARRIVAL_RATE = 8.5  # per unit time; handling times are exponential with mean 1
REPEATS = 3


def issues_per_second(replications: int, seed: int) -> float:
    """Best-of-REPEATS throughput of ``screen`` (waits and summaries; inputs excluded)."""
    rng = np.random.default_rng(seed)
    shape = (replications, ISSUES)
    arrivals = np.cumsum(rng.exponential(1 / ARRIVAL_RATE, size=shape), axis=1)
    handling = rng.exponential(1.0, size=shape)
    best = np.inf
    for _ in range(REPEATS):
        start = time.perf_counter()
        screen(arrivals, handling, SERVERS, target_wait=0.25, warmup=100.0)
        best = min(best, time.perf_counter() - start)
    return replications * ISSUES / best


def main() -> None:
    rates = {r: issues_per_second(r, seed=r) for r in (1, 200)}
    for replications, rate in rates.items():
        print(f"R={replications:>3} x {ISSUES} issues, c={SERVERS}: {rate:,.0f} issues/s")
    print(f"screen: issues_per_s={rates[200]:.0f}")


if __name__ == "__main__":
    main()
