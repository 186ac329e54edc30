"""Every promise the toolkit prints holds: "run the same command again to resume" without
--out, the README's Python example as a plain script, and a run killed at any moment never
leaves a summary.csv in an unfinished folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import BASELINE, ROOT

import sim

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
SEED, REPLICATIONS = 5, 6


@pytest.fixture(scope="module")
def small_file(tmp_path_factory) -> Path:
    """Two communities of the baseline over 30 days: a run of a few seconds."""
    base = sim.load_scenario(BASELINE)
    small = base.with_overrides({"horizon.days": 30, "horizon.warmup_days": 3,
                                 "communities": base.data["communities"][:2]})
    file = tmp_path_factory.mktemp("promises") / "small.yaml"
    file.write_text(small.to_yaml(), encoding="utf-8")
    return file


def _gridsim(*args: str, cwd: Path) -> list[str]:
    return [sys.executable, "-m", "sim", *args]


def _wait_for_parts(runs: Path, count: int, process: subprocess.Popen, timeout: float = 60
                    ) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        parts = list(runs.glob("*/parts/replication-*.csv"))
        if len(parts) >= count:
            return
        if process.poll() is not None:
            pytest.fail(f"the run ended before it could be interrupted: {process.stderr.read()}")
        time.sleep(0.05)
    pytest.fail("no replication finished in time")


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_same_command_without_out_resumes_the_interrupted_folder(
        signum: int, small_file: Path, tmp_path: Path):
    reference = tmp_path / "reference"
    reference.mkdir()
    run = ["run", str(small_file), "-n", str(REPLICATIONS), "--seed", str(SEED), "--executor",
           "serial", "-q"]
    done = subprocess.run(_gridsim(*run, cwd=reference), cwd=reference, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    expected = next((reference / "runs").glob("*/summary.csv")).read_bytes()

    work = tmp_path / "work"
    work.mkdir()
    process = subprocess.Popen(_gridsim(*run, cwd=work), cwd=work, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_parts(work / "runs", 2, process)
        process.send_signal(signum)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    folders = list((work / "runs").iterdir())
    assert len(folders) == 1 and not (folders[0] / "summary.csv").exists()
    if signum == signal.SIGTERM:
        assert "run the same command again to resume" in process.stderr.read()

    again = subprocess.run(_gridsim(*run, cwd=work), cwd=work, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"continuing the unfinished folder {Path('runs') / folders[0].name}" in again.stderr
    assert [p.name for p in (work / "runs").iterdir()] == [folders[0].name]  # no new folder
    assert (folders[0] / "summary.csv").read_bytes() == expected
    manifest = json.loads((folders[0] / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["sessions"][-1]["kept"] >= 2


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README shows a Python example"
    return blocks[0]


def test_the_readme_example_runs_as_a_plain_script(tmp_path: Path):
    """No main guard: the top level runs once, one complete folder, exit 0."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    code = _readme_example().replace('"horizon.days": 90', '"horizon.days": 20')
    script = tmp_path / "example.py"
    script.write_text('print("top level")\n' + code, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("top level") == 1
    assert "Traceback" not in done.stderr
    assert "outside `if __name__ == \"__main__\":`" in done.stderr  # said once
    folders = list((tmp_path / "runs").iterdir())
    assert len(folders) == 1
    assert json.loads((folders[0] / "manifest.json").read_text())["status"] == "complete"
    assert (folders[0] / "summary.csv").exists()


KILLER = textwrap.dedent("""
    import os, sys
    import sim
    calls, stop = [0], int(sys.argv[3])
    real = os.replace
    def replace(src, dst):
        calls[0] += 1
        if calls[0] == stop:
            os._exit(9)  # as SIGKILL: nothing runs after this
        real(src, dst)
        if calls[0] == -stop:
            os._exit(9)
    os.replace = replace
    sim.run(sys.argv[1], replications=2, seed=3, out=sys.argv[2], records=True,
            executor="serial", progress=False)
    print("replaces", calls[0])
""")


def test_a_run_with_records_killed_at_any_write_never_shows_a_summary_unfinished(
        small_file: Path, tmp_path: Path):
    """Killed just before each of the run's file renames, or after the last (the disk's state
    changes only when a file appears), the folder has no summary.csv unless its manifest says
    complete; and the same command then finishes it."""
    script = tmp_path / "killer.py"
    script.write_text(KILLER, encoding="utf-8")
    whole = subprocess.run([sys.executable, str(script), str(small_file), str(tmp_path / "all"),
                            "0"], capture_output=True, text=True, timeout=300)
    assert whole.returncode == 0, whole.stderr
    renames = int(whole.stdout.split()[-1])
    assert renames >= 6
    for stop in [*range(1, renames + 1), -renames]:
        out = tmp_path / f"kill{stop}"
        killed = subprocess.run([sys.executable, str(script), str(small_file), str(out),
                                 str(stop)], capture_output=True, text=True, timeout=300)
        assert killed.returncode == 9, killed.stderr
        manifest = json.loads((out / "manifest.json").read_text()) if (
            out / "manifest.json").exists() else {}
        if (out / "summary.csv").exists():
            assert manifest.get("status") == "complete", stop
    finished = subprocess.run([sys.executable, str(script), str(small_file),
                               str(tmp_path / f"kill{renames}"), "0"],
                              capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert (tmp_path / f"kill{renames}" / "summary.csv").read_bytes() == (
        tmp_path / "all" / "summary.csv").read_bytes()
    assert os.path.exists(tmp_path / f"kill{renames}" / "issues.parquet")
