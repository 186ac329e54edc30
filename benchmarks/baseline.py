"""Seconds per replication for a year of the Chengcheng baseline (budget: under 1 s).

    .venv/bin/python benchmarks/baseline.py [--replications 5]

Times plan building, simulation and metrics of one replication at a time in this process (no
executor). As a yardstick of the machine's speed it also times idiomatic SimPy on the M/M/c
reduction of benchmarks/mmc.py (the reference machine measured 101k issues/s). Ends with
one line ``baseline: seconds_per_replication=S issues_per_replication=N issues_per_s=R
simpy_idiomatic_per_s=M``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from mmc import run_idiomatic

from sim.model.engine import simulate
from sim.model.plan import build_plan
from sim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "chengcheng.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=5)
    replications = parser.parse_args().replications
    scenario = load_scenario(BASELINE).scenario
    seconds, issues = [], []
    for replication in range(replications):
        start = time.perf_counter()
        recorder = simulate(build_plan(scenario), scenario.experiment.seed, replication)
        metrics = recorder.metrics()
        seconds.append(time.perf_counter() - start)
        issues.append(int(metrics.at[0, "issues"]))
        print(f"replication {replication}: {seconds[-1]:.2f} s, {issues[-1]:,} issues")
    median = statistics.median(seconds)
    idiomatic = statistics.median(n / s for n, s in map(run_idiomatic, [50_000] * 3, range(3)))
    print(f"baseline: seconds_per_replication={median:.2f} "
          f"issues_per_replication={int(statistics.median(issues))} "
          f"issues_per_s={statistics.median(issues) / median:.0f} "
          f"simpy_idiomatic_per_s={idiomatic:.0f}")


if __name__ == "__main__":
    main()
