"""Wall-clock time of ``gridsim calibrate`` on the 58,251-row Boston 311 log (budget: 10 s).

Run from the repository root: ``PYTHONPATH=. python benchmarks/calibrate.py`` (``--repeats R``
for the median of R runs). Each run is the command a planner types, in a fresh process
(interpreter start, imports, reading and decoding the gzipped CSV, filters, every fit, the
scenario file, calibration.csv and the HTML report with its figures), writing into a temporary
folder: calibration on July-October 2011 with the filters the log's README asks for. The log
is read from ../shared/reallog/ beside the repository. The last line,
``calibrate: seconds=N``, is what benchmarks/README.md records.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "boston311_2011H2.csv.gz"
LOG = next((p / NAME for p in (ROOT.parent / "shared" / "reallog",)
            if (p / NAME).exists()), None)
OPTIONS = ["--created", "open_dt", "--closed", "closed_dt", "--category", "type",
           "--area", "neighborhood", "--status", "case_status", "--location", "latitude",
           "--location", "longitude", "--where", 'source != "Employee Generated"',
           "--where", 'type != "Schedule a Bulk Item Pickup"', "--from", "2011-07-01",
           "--to", "2011-10-31", "--lang", "en"]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(out: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one command (CPU ~ wall on an idle machine: the
    command is one process on one core; under load the wall time grows, the CPU time not)."""
    command = [sys.executable, "-m", "sim", "calibrate", str(LOG), *OPTIONS, "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cpu = _cpu()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    cpu = _cpu() - cpu
    if done.returncode != 0:
        sys.exit(f"calibrate failed ({done.returncode}):\n{done.stderr}")
    if not (out / "calibration.csv").exists() or not (out / "report.html").exists():
        sys.exit(f"calibrate wrote no calibration.csv/report.html in {out}")
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if LOG is None:
        sys.exit(f"the log {NAME} is not in ../shared/reallog/ beside the repository")
    times, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            load = os.getloadavg()[0]
            seconds, cpu = timed(Path(tmp) / f"run{i}")
            times.append(seconds)
            cpus.append(cpu)
            print(f"run {i + 1}: {seconds:.1f} s wall, {cpu:.1f} s CPU (load average before "
                  f"{load:.1f})", flush=True)
    print(f"cores: {len(os.sched_getaffinity(0))}")
    print(f"calibrate: seconds={statistics.median(times):.1f} "
          f"cpu_seconds={statistics.median(cpus):.1f}")


if __name__ == "__main__":
    main()
