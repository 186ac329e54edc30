"""Run folders lose nothing: real `python -m sim run` processes killed by real signals, then
started again with the same command, give the summary.csv of an uninterrupted run without
computing any replication twice."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BASELINE, ROOT

import sim
from sim.cli import main
from sim.files.runfolder import RunFolder

REPLICATIONS = 12
SEED = 77
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory) -> Path:
    """The baseline's first three communities over 45 days."""
    base = sim.load_scenario(BASELINE)
    small = base.with_overrides({"horizon.days": 45, "horizon.warmup_days": 3,
                                 "communities": base.data["communities"][:3]})
    file = tmp_path_factory.mktemp("scenario") / "resume.yaml"
    file.write_text(small.to_yaml(), encoding="utf-8")
    return file


@pytest.fixture(scope="module")
def reference(scenario_file, tmp_path_factory) -> bytes:
    """summary.csv of an uninterrupted run (serial, in this process)."""
    out = tmp_path_factory.mktemp("reference") / "run"
    sim.run(scenario_file, replications=REPLICATIONS, seed=SEED, out=out, executor="serial",
            progress=False)
    return (out / "summary.csv").read_bytes()


def command(scenario_file: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "sim", "run", str(scenario_file), "-n", str(REPLICATIONS),
            "--seed", str(SEED), "--out", str(out), "--executor", "process", "--workers", "2"]


STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_stray_processes():
    """Whatever a test asserts, no process it started outlives it."""
    yield
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def start(argv: list[str]) -> subprocess.Popen[str]:
    """Start the command in its own process group (as a terminal would), Ctrl-C enabled."""
    process = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    STARTED.append(process)
    return process


def parts(out: Path) -> list[Path]:
    return sorted((out / "parts").glob("replication-*.csv")) if (out / "parts").exists() else []


def wait_for_parts(process: subprocess.Popen[str], out: Path, n: int) -> None:
    deadline = time.monotonic() + 120
    while len(parts(out)) < n:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.02)


def group_gone(pgid: int, timeout: float = 10) -> bool:
    """True once no process of the group is left (the workers exited with their parent)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def fingerprints(files: list[Path]) -> dict[str, tuple[int, int]]:
    return {f.name: (f.stat().st_ino, f.stat().st_mtime_ns) for f in files}


def resume_and_check(scenario_file: Path, out: Path, kept: dict[str, tuple[int, int]],
                     reference: bytes) -> None:
    """Run the same command again; it keeps the finished parts and ends as a clean run."""
    result = subprocess.run(command(scenario_file, out) + ["--quiet"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (out / "summary.csv").read_bytes() == reference
    after = fingerprints(parts(out))
    assert len(after) == REPLICATIONS
    assert {name: after[name] for name in kept} == kept  # finished parts untouched
    # no replication computed twice: the resumed session computed only the missing ones, and
    # the log names none twice (a SIGKILL may cut the log line of the last part saved)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    session = manifest["sessions"][-1]
    assert (session["kept"], session["computed"]) == (len(kept), REPLICATIONS - len(kept))
    saved = [int(line.rsplit(" ", 2)[-2])
             for line in (out / "run.log").read_text().splitlines() if line.endswith(" saved")]
    assert len(saved) == len(set(saved)) >= REPLICATIONS - 1
    assert not list(out.rglob(".*.tmp-*"))  # no temporary file left behind


def test_sigkill_then_resume(scenario_file, reference, tmp_path: Path):
    out = tmp_path / "run"
    process = start(command(scenario_file, out) + ["--quiet"])
    wait_for_parts(process, out, 3)
    process.kill()  # SIGKILL to the main process only: no chance to clean up
    process.communicate()
    assert group_gone(process.pid), "worker processes outlived their killed parent"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"
    assert not (out / "summary.csv").exists()
    kept = fingerprints(parts(out))
    assert 3 <= len(kept) < REPLICATIONS
    resume_and_check(scenario_file, out, kept, reference)


@pytest.mark.parametrize("how", ["SIGINT to the group (Ctrl-C)", "SIGTERM"])
def test_interrupt_then_resume(scenario_file, reference, tmp_path: Path, how):
    out = tmp_path / "run"
    process = start(command(scenario_file, out))
    wait_for_parts(process, out, 3)
    if how == "SIGTERM":
        process.send_signal(signal.SIGTERM)
        expected = 128 + signal.SIGTERM
    else:
        os.killpg(process.pid, signal.SIGINT)
        expected = 128 + signal.SIGINT
    _, err = process.communicate(timeout=60)
    assert process.returncode == expected, err
    assert "interrupted; run the same command again to resume: finished replications" in err
    assert "Traceback" not in err, err
    assert group_gone(process.pid)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert not (out / "summary.csv").exists()
    kept = fingerprints(parts(out))
    assert manifest["sessions"][-1]["computed"] == len(kept)
    resume_and_check(scenario_file, out, kept, reference)


def test_a_killed_worker_does_not_stop_the_run(scenario_file, reference, tmp_path: Path):
    out = tmp_path / "run"
    process = start(command(scenario_file, out) + ["--quiet"])
    wait_for_parts(process, out, 2)
    workers = [pid for pid in descendants(process.pid) if is_pool_worker(pid)]
    assert workers
    os.kill(workers[0], signal.SIGKILL)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert (out / "summary.csv").read_bytes() == reference


def parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def descendants(pid: int) -> list[int]:
    procs = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    parents = {p: parent_of(p) for p in procs}
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        kids = [p for p, q in parents.items() if q == parent]
        out += kids
        todo += kids
    return out


def is_pool_worker(pid: int) -> bool:
    """A worker is a child of the fork server (not the server or the resource tracker)."""
    parent = parent_of(pid)
    try:
        return parent is not None and "forkserver" in Path(f"/proc/{parent}/cmdline").read_text()
    except OSError:
        return False


def test_resuming_a_changed_scenario_is_refused(scenario_file, tmp_path: Path, capsys):
    out = tmp_path / "run"
    file = tmp_path / "s.yaml"
    file.write_text(scenario_file.read_text(), encoding="utf-8")
    assert main(["run", str(file), "-n", "2", "--out", str(out), "-q", "--executor",
                 "serial"]) == 0
    changed = sim.load_scenario(file).with_overrides(
        {"staffing.community_workers.households_per_worker": 2500})
    file.write_text(changed.to_yaml(), encoding="utf-8")
    assert main(["run", str(file), "-n", "3", "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "holds a run of a different scenario" in err and "refusing to resume" in err
    assert len(parts(out)) == 2


def test_a_folder_in_use_is_refused(scenario_file, tmp_path: Path, capsys):
    """Two processes never write one folder; the lock goes with the process that held it."""
    out = tmp_path / "run"
    holder = RunFolder.open(out, sim.load_scenario(scenario_file), SEED, False, "test")
    try:
        assert main(["run", str(scenario_file), "-n", "1", "--seed", str(SEED), "--out",
                     str(out), "-q", "--executor", "serial"]) == 2
        assert "another gridsim process" in capsys.readouterr().err
    finally:
        holder.close()
    assert main(["run", str(scenario_file), "-n", "1", "--seed", str(SEED), "--out", str(out),
                 "-q", "--executor", "serial"]) == 0


def test_a_numpy_upgrade_is_refused(scenario_file, tmp_path: Path, capsys):
    out = tmp_path / "run"
    sim.run(scenario_file, replications=1, out=out, executor="serial", progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["versions"]["numpy"] = "1.0.0"
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main(["run", str(scenario_file), "-n", "1", "--out", str(out), "-q"]) == 2
    assert "numpy 1.0.0" in capsys.readouterr().err


def test_a_damaged_part_is_computed_again(scenario_file, tmp_path: Path):
    out = tmp_path / "run"
    sim.run(scenario_file, replications=3, seed=SEED, out=out, executor="serial",
            progress=False)
    complete = (out / "summary.csv").read_bytes()
    part = out / "parts" / "replication-00001.csv"
    part.write_text(part.read_text()[:50])  # cut short, as a failing disk might leave it
    sim.run(scenario_file, replications=3, seed=SEED, out=out, executor="serial",
            progress=False)
    assert (out / "summary.csv").read_bytes() == complete
    assert "replication 1: part unreadable" in (out / "run.log").read_text()
