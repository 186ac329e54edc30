"""Wall-clock and CPU time of ``gridsim recommend scenarios/chengcheng.yaml`` (budget: under
30 s), and with ``--roster`` (budget: under 120 s).

Run from the repository root: ``PYTHONPATH=. python benchmarks/recommend.py`` (options:
``--repeats R`` for the median of R runs, ``--replications N``, ``--roster``). Each run is the
command a planner types, in a fresh process (interpreter start, imports, worker pool, the
search, the CSVs and the HTML report included), writing into a temporary folder. Beside the
wall time it reports the CPU seconds of the command and its worker processes, the load average
of the machine, and the wall seconds of each step as the manifest records them (``stages``:
each named by the engine it runs: the full model, Erlang C, the screen's FIFO recursion, the
iterative staffing algorithm on the screen, HiGHS). The last line, ``recommend: seconds=N``, is
what benchmarks/README.md records.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "chengcheng.yaml"


def timed(out: Path, replications: int | None, roster: bool) -> tuple[float, float, dict]:
    """(wall seconds, CPU seconds of the command and its children, the manifest's stages)."""
    command = [sys.executable, "-m", "sim", "recommend", str(BASELINE), "--out", str(out),
               "--quiet"]
    if replications:
        command += ["--replications", str(replications)]
    if roster:
        command.append("--roster")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        sys.exit(f"recommend failed ({done.returncode}):\n{done.stderr}")
    needed = ["recommendation.csv", "report.html"] + (["roster.csv"] if roster else [])
    if not all((out / name).exists() for name in needed):
        sys.exit(f"recommend wrote no {', '.join(needed)} in {out}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return seconds, cpu, manifest.get("stages", {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--replications", type=int, default=None,
                        help="default: the scenario's experiment.replications")
    parser.add_argument("--roster", action="store_true", help="time `recommend --roster`")
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            load = os.getloadavg()[0]
            seconds, cpu, stages = timed(Path(tmp) / f"run{i}", args.replications,
                                         args.roster)
            times.append(seconds)
            steps = ", ".join(f"{name} {value:.1f} s" for name, value in stages.items())
            print(f"run {i + 1}: {seconds:.1f} s wall, {cpu:.1f} s CPU (load average "
                  f"{load:.1f} before); {steps}", flush=True)
    print(f"cores: {len(os.sched_getaffinity(0))}")
    print(f"recommend{' --roster' if args.roster else ''}: "
          f"seconds={statistics.median(times):.1f}")


if __name__ == "__main__":
    main()
