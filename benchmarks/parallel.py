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


def cpu_seconds() -> float:
    """CPU time of this process, of the pool's fork server (its imports are part of starting
    the pool) and of the pool workers that have ended so far.

    Pool workers are children of the fork server, which reaps them: their time shows in the
    server's children times (psutil comes with Dask's distributed)."""
    own = os.times()
    total = own.user + own.system
    try:
        from multiprocessing import forkserver

        import psutil

        pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
        if pid:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    except Exception:  # noqa: BLE001 - only an indicator
        pass
    return total


def timed(scenario: sim.LoadedScenario, replications: int, executor: str, workers: int,
          out: Path) -> tuple[float, float]:
    """(wall seconds, cores obtained on average: CPU seconds / wall seconds).

    With 2 workers on an otherwise idle 2-core machine the process run obtains close to 2
    cores; much less means other programs took the machine and the speed-up is theirs to
    explain, not the pool's."""
    cpu, start = cpu_seconds(), time.perf_counter()
    sim.run(scenario, replications=replications, seed=1, out=out, executor=executor,
            workers=workers, progress=False)
    wall = time.perf_counter() - start
    time.sleep(0.5)  # let the fork server reap the workers
    return wall, (cpu_seconds() - cpu) / wall


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
            s_wall, s_cores = timed(scenario, args.replications, "serial", 1, Path(tmp) / f"s{i}")
            p_wall, p_cores = timed(scenario, args.replications, "process", args.workers,
                                    Path(tmp) / f"p{i}")
            serial.append(s_wall)
            process.append(p_wall)
            print(f"repeat {i + 1}: serial {s_wall:.1f} s ({s_cores:.2f} cores obtained), "
                  f"process ({args.workers} workers) {p_wall:.1f} s ({p_cores:.2f} cores "
                  f"obtained), speed-up {s_wall / p_wall:.2f}x (load average before: {load:.2f})",
                  flush=True)
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
