"""Issues per second of the full model reduced to M/M/c, beside idiomatic SimPy, in one run.

    .venv/bin/python benchmarks/mmc.py [--issues 200000]

The reduction: one community, one category, exponential handling, constant rate, no records;
lambda = 8.5/h, mu = 1/h, c = 10. The idiomatic SimPy model is the textbook one: a Resource
and one process per issue, the same random numbers, waits appended to a list. Peak memory is
traced for the engine at a quarter and at all of the issues, to show it does not grow with them.
Prints one line at the end:

    mmc: issues_per_s=N simpy_idiomatic_per_s=M ratio=R peak_mb=P
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import simpy

from sim.model.engine import simulate
from sim.model.plan import build_plan
from sim.scenario import from_mapping

LAMBDA_PER_H, MEAN_MIN, SERVERS = 8.5, 60.0, 10


def engine_plan(issues: int):
    days = issues / LAMBDA_PER_H / 24
    data = {
        "name": "mmc benchmark",
        "horizon": {"days": days, "warmup_days": 0},
        "communities": [{"id": "c", "households": 1000, "community_workers": SERVERS}],
        "demand": {"livelihood": {"per_1000_households_per_year": LAMBDA_PER_H * 24 * 365,
                                  "handling_min": {"exponential": {"mean": MEAN_MIN}}}},
    }
    return build_plan(from_mapping(data).scenario)


def run_engine(issues: int, seed: int = 1) -> tuple[int, float]:
    plan = engine_plan(issues)
    start = time.perf_counter()
    count = int(simulate(plan, seed, 0).metrics().at[0, "issues"])
    return count, time.perf_counter() - start


def run_idiomatic(issues: int, seed: int = 1) -> tuple[int, float]:
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(60 / LAMBDA_PER_H, issues).tolist()
    handling = rng.exponential(MEAN_MIN, issues).tolist()
    start = time.perf_counter()
    env = simpy.Environment()
    workers = simpy.Resource(env, SERVERS)
    waits: list[float] = []

    def issue(handling_min: float):
        arrived = env.now
        with workers.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(handling_min)

    def arrivals():
        for gap, h in zip(gaps, handling, strict=True):
            yield env.timeout(gap)
            env.process(issue(h))

    env.process(arrivals())
    env.run()
    return len(waits), time.perf_counter() - start


def peak_mb(issues: int) -> float:
    tracemalloc.start()
    run_engine(issues)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--only", choices=("engine", "idiomatic"),
                        help="run one side once (to time whole processes against each other)")
    args = parser.parse_args()
    issues, repeat = args.issues, args.repeat
    if args.only:
        count, seconds = (run_engine if args.only == "engine" else run_idiomatic)(issues)
        print(f"{args.only}: issues={count} seconds={seconds:.3f} "
              f"issues_per_s={count / seconds:.0f}")
        return
    engine = max(n / s for n, s in (run_engine(issues, seed) for seed in range(repeat)))
    idiomatic = max(n / s for n, s in (run_idiomatic(issues, seed) for seed in range(repeat)))
    quarter, full = peak_mb(issues // 4), peak_mb(issues)
    print(f"engine:         {engine:12,.0f} issues/s")
    print(f"idiomatic SimPy:{idiomatic:12,.0f} issues/s")
    print(f"peak traced memory: {quarter:.1f} MB at {issues // 4:,} issues, "
          f"{full:.1f} MB at {issues:,} issues")
    print(f"mmc: issues_per_s={engine:.0f} simpy_idiomatic_per_s={idiomatic:.0f} "
          f"ratio={engine / idiomatic:.2f} peak_mb={full:.1f}")


if __name__ == "__main__":
    main()
