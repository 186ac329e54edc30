"""Seconds per replication for a year of the Chengcheng baseline (budget: under 1 s).

    .venv/bin/python benchmarks/baseline.py [--replications 3]

Times plan building and simulation of one replication at a time in this process (no
executor), and prints one line at the end:

    baseline: seconds_per_replication=S issues_per_replication=N issues_per_s=R
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sim.model.engine import simulate
from sim.model.plan import build_plan
from sim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "chengcheng.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=3)
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
    print(f"baseline: seconds_per_replication={median:.2f} "
          f"issues_per_replication={int(statistics.median(issues))} "
          f"issues_per_s={statistics.median(issues) / median:.0f}")


if __name__ == "__main__":
    main()
