"""City scale: lattice cities of 1,000, 5,000 and 20,000 grids (benchmarks/city.py: 400
households a grid, districts of 100 grids with their own departments), timing validation, plan,
a year of simulation and metrics, with peak memory, beside idiomatic SimPy timed in the same run.

    .venv/bin/python benchmarks/scale.py [--sizes 1000 5000 20000] [--days 365] [--split 5000]

Each size runs in a fresh process, so its peak memory is that process's maximum resident set
(imports included). Wall and CPU seconds are both reported: on a shared machine the CPU seconds
are what the work needs. Idiomatic SimPy (the M/M/c model of benchmarks/mmc.py, 50,000 issues,
median of 3) is timed right after each size, as a yardstick of the machine's speed in those
minutes. ``--split G`` also times one replication of the G-grid city through ``sim.run``: as one
loop (serial) and split by district on a process pool of 2 workers. Ends with one line per size:

    scale: grids=G households=H validate_s=V run_s=R peak_mb=M issues_per_s=I
           simpy_idiomatic_per_s=S  (on one line)

and, with ``--split``, ``split: grids=G one_loop_s=A split_s=B speedup=X ...``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from city import GRID_HOUSEHOLDS, lattice_city
from mmc import run_idiomatic

HERE = Path(__file__).resolve().parent


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write_city(grids: int, days: float, folder: Path) -> Path:
    path = folder / f"city-{grids}.yaml"
    text = yaml.safe_dump(lattice_city(grids, days=days), sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def child_phases(grids: int, days: float) -> dict[str, float]:
    """Validate (as ``gridsim validate``), plan, simulate one replication, metrics: wall and
    CPU seconds of each, peak resident memory after validation and at the end."""
    from sim.model.engine import simulate
    from sim.model.plan import build_plan
    from sim.scenario.loading import facility_problems, load_scenario

    with tempfile.TemporaryDirectory() as folder:
        path = _write_city(grids, days, Path(folder))
        out: dict[str, float] = {"grids": grids, "households": grids * GRID_HOUSEHOLDS,
                                 "days": days, "start_mb": _peak_mb()}

        def timed(name: str, fn, *args):
            wall, cpu = time.perf_counter(), time.process_time()
            value = fn(*args)
            out[f"{name}_s"] = time.perf_counter() - wall
            out[f"{name}_cpu_s"] = time.process_time() - cpu
            return value

        loaded = timed("validate", load_scenario, path)
        assert not timed("facilities", facility_problems, loaded)
        out["validate_peak_mb"] = _peak_mb()
        plan = timed("plan", build_plan, loaded.scenario)
        recorder = timed("run", simulate, plan, loaded.scenario.experiment.seed, 0)
        metrics = timed("metrics", recorder.metrics)
        out["issues"] = int(metrics.at[0, "issues"])
        out["peak_mb"] = _peak_mb()
    return out


def child_split(grids: int, days: float, split: bool) -> dict[str, float]:
    """One replication through ``sim.run``: one loop (serial) or split by district (2 processes)."""
    import sim

    with tempfile.TemporaryDirectory() as folder:
        path = _write_city(grids, days, Path(folder))
        options = {"executor": "process", "workers": 2} if split else {"executor": "serial"}
        wall = time.perf_counter()
        result = sim.run(path, replications=1, save=False, progress=False,
                         split_districts=split, **options)
        seconds = time.perf_counter() - wall
        assert result.split is not None and result.split.split == split
        issues = int(result.summary.query("community == 'all' and category == 'all'")
                     ["issues_mean"].iloc[0]) if "issues_mean" in result.summary else -1
    return {"seconds": seconds, "issues": issues, "peak_mb": _peak_mb()}


def child_split_cpu(grids: int, days: float) -> dict[str, float]:
    """CPU seconds of the split's pieces, run one after another in this process: each
    district's part, and the merge (the city's plan, the parts into its recorder, metrics);
    what 2 idle cores would take is the longer worker's share (the parts dealt out in order
    to whichever worker is free) plus the merge."""
    from sim.model.parts import merge, run_part
    from sim.model.plan import build_plan
    from sim.scenario.districts import district_part
    from sim.scenario.loading import load_scenario

    with tempfile.TemporaryDirectory() as folder:
        scenario = load_scenario(_write_city(grids, days, Path(folder))).scenario
    seed, parts, cpu = scenario.experiment.seed, {}, []
    for d in range(len(scenario.districts)):
        start = time.process_time()
        parts[d] = run_part(district_part(scenario, d), seed, 0)
        cpu.append(time.process_time() - start)
    start = time.process_time()
    merge(build_plan(scenario), parts).metrics()
    merge_cpu = time.process_time() - start
    workers = [0.0, 0.0]
    for c in cpu:
        workers[workers.index(min(workers))] += c
    return {"parts_cpu_s": sum(cpu), "merge_cpu_s": merge_cpu,
            "two_cores_s": max(workers) + merge_cpu}


def _in_child(*args: str) -> tuple[dict[str, float], float]:
    """Run this script with ``args`` in a fresh process: its JSON line and the CPU seconds
    of it and every process it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args],
                          capture_output=True, text=True, check=True, cwd=HERE)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return json.loads(done.stdout.strip().splitlines()[-1]), cpu


def _idiomatic() -> float:
    return statistics.median(n / s for n, s in map(run_idiomatic, [50_000] * 3, range(3)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--days", type=float, default=365)
    parser.add_argument("--split", type=int, help="also time one replication of this city "
                        "as one loop and split by district on 2 processes")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-split", choices=("loop", "split", "cpu"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        if args.child_split == "cpu":
            result = child_split_cpu(args.child, args.days)
        elif args.child_split is None:
            result = child_phases(args.child, args.days)
        else:
            result = child_split(args.child, args.days, args.child_split == "split")
        print(json.dumps(result))
        return
    lines, rows = [], []
    for grids in args.sizes:
        r, cpu = _in_child("--child", str(grids), "--days", str(args.days))
        simpy_rate = _idiomatic()
        rows.append(r)
        print(f"{grids:>6,} grids: validate {r['validate_s']:.2f} s ({r['validate_cpu_s']:.2f} "
              f"CPU, peak {r['validate_peak_mb']:.0f} MB), plan {r['plan_s']:.2f} s "
              f"({r['plan_cpu_s']:.2f} CPU), run {r['run_s']:.1f} s ({r['run_cpu_s']:.1f} CPU), "
              f"metrics {r['metrics_s']:.2f} s, {r['issues']:,} issues, peak {r['peak_mb']:.0f}"
              f" MB, process CPU {cpu:.1f} s; idiomatic SimPy {simpy_rate:,.0f} issues/s",
              flush=True)
        lines.append(f"scale: grids={grids} households={grids * GRID_HOUSEHOLDS} "
                     f"validate_s={r['validate_s']:.2f} run_s={r['run_s']:.1f} "
                     f"peak_mb={r['peak_mb']:.0f} issues_per_s={r['issues'] / r['run_s']:.0f} "
                     f"simpy_idiomatic_per_s={simpy_rate:.0f}")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        k = last["grids"] / first["grids"]
        for key in ("validate_cpu_s", "plan_cpu_s", "run_cpu_s", "peak_mb"):
            print(f"linearity {key}: x{last[key] / first[key]:.1f} for x{k:.0f} grids "
                  f"({last[key] / first[key] / k:.2f} of linear)")
    if args.split:
        loop, loop_cpu = _in_child("--child", str(args.split), "--child-split", "loop",
                                   "--days", str(args.days))
        split, split_cpu = _in_child("--child", str(args.split), "--child-split", "split",
                                     "--days", str(args.days))
        pieces, _ = _in_child("--child", str(args.split), "--child-split", "cpu",
                              "--days", str(args.days))
        print(f"split pieces, CPU: districts' parts {pieces['parts_cpu_s']:.1f} s, merge "
              f"{pieces['merge_cpu_s']:.1f} s; on 2 idle cores about {pieces['two_cores_s']:.1f}"
              f" s, {loop_cpu / pieces['two_cores_s']:.2f}x the one loop's {loop_cpu:.1f} CPU s")
        lines.append(f"split: grids={args.split} one_loop_s={loop['seconds']:.1f} "
                     f"split_s={split['seconds']:.1f} "
                     f"speedup={loop['seconds'] / split['seconds']:.2f} "
                     f"one_loop_cpu_s={loop_cpu:.1f} split_cpu_s={split_cpu:.1f}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
