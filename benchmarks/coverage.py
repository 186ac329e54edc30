"""Wall-clock time of ``gridsim coverage FILE --add 3`` on a district of 500 grids (budget: 10 s).

Run from the repository root: ``PYTHONPATH=. python benchmarks/coverage.py`` (``--repeats R``
for the median of R runs, ``--kinds`` to place points of all four kinds instead of one). The
district: 5 communities of 10 x 10 lattice grids (250 m apart, 400 households each) side by
side, 2 points of each kind. Each run is the command a planner types, in a fresh process
(imports, the exact placements for 1, 2 and 3 points, the CSVs and the HTML report with its maps
included). The last line, ``coverage: seconds=N``, is what benchmarks/README.md records.
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

import yaml

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("rainbow_pavilion", "party_mass_home", "day_care_centre", "service_centre")


def district() -> dict:
    communities, facilities = [], []
    for c in range(5):
        x0 = c * 2500.0
        communities.append({"id": f"c{c}", "households": 40_000, "office_m": [x0, 0.0],
                            "grids": {"layout": "lattice", "rows": 10, "cols": 10,
                                      "spacing_m": 250}})
    for k, kind in enumerate(KINDS):
        for j in range(2):
            facilities.append({"id": f"{kind}_{j}", "kind": kind,
                               "x_m": 1000.0 + 2500 * (k + j) % 12_000, "y_m": 500.0 * j})
    return {"name": "district of 500 grids", "communities": communities,
            "demand": {"livelihood": {"per_1000_households_per_year": 10,
                                      "handling_min": {"exponential": {"mean": 30}}}},
            "travel": {"metric": "euclidean", "detour_factor": 1.3},
            "facilities": facilities}


def timed(file: Path, out: Path, every_kind: bool) -> float:
    command = [sys.executable, "-m", "sim", "coverage", str(file), "--add", "3", "--out",
               str(out)]
    if not every_kind:
        command += ["--kind", "day_care_centre"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or not (out / "placement.csv").exists():
        sys.exit(f"coverage failed ({done.returncode}):\n{done.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    print(f"  cpu {cpu:.1f} s", flush=True)
    return seconds


def help_seconds() -> float:
    """A yardstick of the machine's state: ``gridsim --help`` (0.4 s on a quiet machine)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", "--help"], cwd=ROOT, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--kinds", action="store_true", help="place points of all four kinds")
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "district.yaml"
        file.write_text(yaml.safe_dump(district()), encoding="utf-8")
        for i in range(args.repeats):
            seconds = timed(file, Path(tmp) / f"run{i}", args.kinds)
            times.append(seconds)
            print(f"run {i + 1}: {seconds:.1f} s", flush=True)
    print(f"cores: {len(os.sched_getaffinity(0))}; gridsim --help: {help_seconds():.1f} s")
    print(f"coverage: seconds={statistics.median(times):.1f}")


if __name__ == "__main__":
    main()
