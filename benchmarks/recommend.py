"""Wall-clock time of ``gridsim recommend scenarios/chengcheng.yaml`` (budget: under 30 s).

Run from the repository root: ``PYTHONPATH=. python benchmarks/recommend.py`` (options:
``--repeats R`` for the median of R runs, ``--replications N``). Each run is the command a
planner types, in a fresh process (interpreter start, imports, worker pool, the search, the
CSV and the HTML report included), writing into a temporary folder. The last line,
``recommend: seconds=N``, is what benchmarks/README.md records.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "chengcheng.yaml"


def timed(out: Path, replications: int | None) -> float:
    command = [sys.executable, "-m", "sim", "recommend", str(BASELINE), "--out", str(out),
               "--quiet"]
    if replications:
        command += ["--replications", str(replications)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"recommend failed ({done.returncode}):\n{done.stderr}")
    if not (out / "recommendation.csv").exists() or not (out / "report.html").exists():
        sys.exit(f"recommend wrote no recommendation.csv/report.html in {out}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--replications", type=int, default=None,
                        help="default: the scenario's experiment.replications")
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            seconds = timed(Path(tmp) / f"run{i}", args.replications)
            times.append(seconds)
            print(f"run {i + 1}: {seconds:.1f} s", flush=True)
    print(f"cores: {len(os.sched_getaffinity(0))}")
    print(f"recommend: seconds={statistics.median(times):.1f}")


if __name__ == "__main__":
    main()
