"""results.xlsx of a baseline run: how long its sheets take to build and to write, and its size.

The workbook is published with every run folder, so this is what it adds to a run. The run
itself (60 days, 2 replications) only provides the summary; the timing is of the workbook.

    .venv/bin/python benchmarks/workbook.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import sim
from sim.files.folder import COMPANIONS
from sim.report.workbook import RESULTS_XLSX, build_workbook

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    loaded = sim.load_scenario(ROOT / "scenarios" / "chengcheng.yaml").with_overrides(
        {"horizon.days": 60, "horizon.warmup_days": 7})
    with tempfile.TemporaryDirectory() as tmp:
        result = sim.run(loaded, replications=2, seed=1, executor="serial", progress=False,
                         out=Path(tmp) / "run")
        assert result.folder is not None
        data = {"summary.csv": result.summary, "scenario.yaml": loaded}
        make = COMPANIONS["run"]
        sheets_s, write_s = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            writer = make(result.folder, {}, data)[RESULTS_XLSX]
            sheets_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            writer(Path(tmp) / "x.xlsx")
            write_s.append(time.perf_counter() - started)
        size = (Path(tmp) / "x.xlsx").stat().st_size
        from sim.report.sheets import _run_workbook

        sheets, lang = _run_workbook(result.folder, {}, "", data)
        book = build_workbook(sheets, lang)
        cells = sum(ws.max_row * ws.max_column for ws in book)
    print(f"summary rows {len(result.summary):,}; sheets {len(sheets)}; cells {cells:,}; "
          f"size {size / 1e3:.0f} kB")
    print(f"sheets built: best {min(sheets_s):.2f} s; written: best {min(write_s):.2f} s "
          f"(of {args.repeat})")


if __name__ == "__main__":
    main()
