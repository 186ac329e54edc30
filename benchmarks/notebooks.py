"""How long each planner notebook takes to run from a clean kernel (what a planner waits for,
and what the test suite spends executing them). Ends with one line per notebook and a total:
``notebooks: name=seconds ... total_s=T``.

    .venv/bin/python benchmarks/notebooks.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    times = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as work:
            started = time.perf_counter()
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute(
                cwd=work)
            times[path.stem] = time.perf_counter() - started
        print(f"{path.name}: {times[path.stem]:.1f} s", flush=True)
    shown = " ".join(f"{name}={seconds:.1f}" for name, seconds in times.items())
    print(f"notebooks: {shown} total_s={sum(times.values()):.1f}")


if __name__ == "__main__":
    main()
