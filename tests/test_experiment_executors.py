"""Executors: the same seed gives byte-identical files whatever runs the replications."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pandas as pd
import pytest
from conftest import BASELINE, small

import sim
from sim.cli import main
from sim.experiment.executors import ProcessExecutor, open_executor


@pytest.fixture(scope="module")
def short() -> sim.LoadedScenario:
    return small(30)


def test_serial_process_and_dask_give_byte_identical_files(short, tmp_path: Path):
    runs = {
        "serial": {"executor": "serial"},
        "process-2": {"executor": "process", "workers": 2},
        "dask-local-2": {"executor": "dask", "workers": 2},
    }
    for name, options in runs.items():
        sim.run(short, replications=5, seed=21, out=tmp_path / name, progress=False, **options)
    for file in ("summary.csv", "replications.csv"):
        contents = {name: (tmp_path / name / file).read_bytes() for name in runs}
        assert len(set(contents.values())) == 1, file
    # and the numbers in memory (no folder) are those on disk
    memory = sim.run(short, replications=5, seed=21, save=False, executor="serial",
                     progress=False)
    pd.testing.assert_frame_equal(memory.summary,
                                  pd.read_csv(tmp_path / "serial" / "summary.csv",
                                              keep_default_na=False, na_values=[""]),
                                  check_dtype=False)


def test_comparison_is_identical_across_executors(short, tmp_path: Path):
    other = short.with_overrides({"communities.nanguan.community_workers": 3})
    for executor in ("serial", "process"):
        sim.compare([short, other], replications=3, seed=8, out=tmp_path / executor,
                    executor=executor, workers=2, progress=False)
    assert (tmp_path / "serial" / "compare.csv").read_bytes() == (
        tmp_path / "process" / "compare.csv").read_bytes()


def _crash_once(i: int, marker: str) -> int:
    """Kill the worker process the first time task 3 runs."""
    if i == 3 and not os.path.exists(marker):
        Path(marker).touch()
        os._exit(9)
    return i * i


def test_a_dead_worker_is_replaced_and_its_task_run_again(tmp_path: Path):
    with ProcessExecutor(2) as ex:
        results = sorted(ex.imap(_crash_once, [(i, str(tmp_path / "m")) for i in range(8)]))
        assert ex.restarts == 1
    assert results == [i * i for i in range(8)]


def test_unreachable_dask_scheduler_is_a_clear_error(short, tmp_path: Path, capsys):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    file = tmp_path / "s.yaml"
    file.write_text(short.to_yaml(), encoding="utf-8")
    out = tmp_path / "never"
    code = main(["run", str(file), "-n", "2", "--executor", "dask", "--scheduler",
                 f"tcp://127.0.0.1:{port}", "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in err
    assert "Traceback" not in err
    assert not out.exists()  # nothing written before the executor is there


@pytest.mark.parametrize(("argv", "message"), [
    (["--executor", "serial", "--scheduler", "tcp://x:1"], "--scheduler: only with"),
    (["--executor", "dask", "--scheduler", "no-port"], "not an address"),
])
def test_executor_options_are_checked(argv, message, tmp_path: Path, capsys):
    assert main(["run", str(BASELINE), "-n", "1", "--out", str(tmp_path / "x"), "-q",
                 *argv]) == 2
    assert message in capsys.readouterr().err


def test_an_executor_is_reused_across_batches():
    with open_executor("process", 2) as ex:
        first = sorted(ex.imap(pow, [(2, i) for i in range(4)]))
        pool = ex._pool
        second = sorted(ex.imap(pow, [(3, i) for i in range(4)]))
        assert ex._pool is pool  # the same worker processes: started once
    assert first == [1, 2, 4, 8] and second == [1, 3, 9, 27]


def _pause(seconds: float) -> int:
    import time

    time.sleep(seconds)
    return os.getpid()


def _imported(module: str) -> tuple[int, bool]:
    import sys

    return os.getpid(), module in sys.modules


def test_workers_import_what_they_are_warmed_with_when_they_fall_idle():
    # one import task a worker; a worker done importing at once may take the other's too, so
    # the test asks only that the workers have it (a worker without imports it on first use)
    with ProcessExecutor(2) as ex:
        ex.warm(["xml.dom.minidom"])  # no pool yet: handed over at the first batch's tail
        assert len(set(ex.imap(_pause, [(0.3,)] * 3))) == 2
        seen = dict(ex.imap(_imported, [("xml.dom.minidom",)] * 8))
        ex.warm(["tomllib"])  # between batches: handed over at once
        seen_later = dict(ex.imap(_imported, [("tomllib",)] * 8))
    assert any(seen.values()), seen
    assert any(seen_later.values()), seen_later
