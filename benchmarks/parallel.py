"""Speed-up of replications across cores: 40 replications of the baseline, serial vs 2 processes.

Run from the repository root: ``PYTHONPATH=. python benchmarks/parallel.py`` (options:
``--replications N``, ``--workers K``, ``--repeats R`` for the median of R timings each). Both
runs write a run folder (in a temporary directory), as ``gridsim run`` does, and the last line,
``parallel: serial_s=A process_s=B speedup=S``, is what benchmarks/README.md records. The two
summaries are checked to be byte-identical.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402

BASELINE = ROOT / "scenarios" / "chengcheng.yaml"


def timed(scenario: sim.LoadedScenario, replications: int, executor: str, workers: int,
          out: Path) -> float:
    start = time.perf_counter()
    sim.run(scenario, replications=replications, seed=1, out=out, executor=executor,
            workers=workers, progress=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    scenario = sim.load_scenario(BASELINE)
    serial, process = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            load = os.getloadavg()[0]  # other work on the machine takes cores from the pool
            serial.append(timed(scenario, args.replications, "serial", 1, Path(tmp) / f"s{i}"))
            process.append(timed(scenario, args.replications, "process", args.workers,
                                 Path(tmp) / f"p{i}"))
            print(f"repeat {i + 1}: serial {serial[-1]:.1f} s, process ({args.workers} workers) "
                  f"{process[-1]:.1f} s, speed-up {serial[-1] / process[-1]:.2f}x "
                  f"(load average before: {load:.2f})", flush=True)
            same = (Path(tmp) / f"s{i}" / "summary.csv").read_bytes() == (
                Path(tmp) / f"p{i}" / "summary.csv").read_bytes()
            if not same:
                sys.exit("serial and process summaries differ")
    s, p = statistics.median(serial), statistics.median(process)
    print(f"{args.replications} replications of {scenario.name}, median of {args.repeats}: "
          f"serial {s:.1f} s ({s / args.replications:.2f} s per replication), "
          f"{args.workers} processes {p:.1f} s")
    best = max(a / b for a, b in zip(serial, process, strict=True))
    print(f"best repeat: speed-up {best:.2f}x (the least disturbed by other work)")
    print(f"parallel: serial_s={s:.1f} process_s={p:.1f} speedup={s / p:.2f}")


if __name__ == "__main__":
    main()
