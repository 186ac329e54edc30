"""The recommend folder: one scenario, seed, replications and targets per folder; nothing
that looks finished before the end; an interrupted recommendation continues where it stopped,
reusing every full-model evaluation it finished."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.errors import RunFolderError
from sim.scenario import LoadedScenario, from_mapping
from sim.staffing import levels

RESULTS = ("recommendation.csv", "levels.csv", "report.html")


def two_communities(households: int = 1000) -> LoadedScenario:
    """Two pooled communities (so a full-model run checks both at once), 30 days."""
    data: dict[str, Any] = {
        "name": "two communities",
        "horizon": {"days": 30, "warmup_days": 2},
        "communities": [{"id": "north", "households": households},
                        {"id": "south", "households": 700}],
        "staffing": {"grid_members": {"per_grid": 0},
                     "community_workers": {"households_per_worker": 300}},
        "demand": {"livelihood": {"per_1000_households_per_year": 2 * 24 * 365,
                                  "handling_min": {"exponential": {"mean": 60}}}},
        "targets": [{"metric": "response", "within_min": 20, "share": 0.8}],
    }
    return from_mapping(data, "<test>")


def recommend(loaded: LoadedScenario, out: Path) -> sim.RecommendResult:
    return sim.recommend(loaded, replications=3, seed=2, out=out, executor="serial",
                         progress=False)


def test_an_interrupted_recommendation_continues_where_it_stopped(tmp_path, monkeypatch,
                                                                  capsys) -> None:
    """Ctrl-C after two full-model evaluations: no result file, the manifest says interrupted,
    the command line says the finished work is kept. The same command again gives the table of
    an uninterrupted run with two full-model evaluations fewer."""
    loaded = two_communities()
    path = tmp_path / "scenario.yaml"
    path.write_text(loaded.to_yaml(), encoding="utf-8")
    whole = recommend(loaded, tmp_path / "whole")
    assert whole.simulations >= 6 and whole.reused == 0

    real = levels.full_model_replication
    calls = []

    def interrupted(*args):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(levels, "full_model_replication", interrupted)
    out = tmp_path / "out"
    args = ["recommend", str(path), "--out", str(out), "--replications", "3", "--seed", "2",
            "--executor", "serial", "--quiet"]
    assert main(args) == 130
    err = capsys.readouterr().err
    assert "run the same command again to continue: finished work is kept" in err
    assert not any((out / name).exists() for name in RESULTS)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "interrupted"
    assert len(list((out / "parts").glob("*.parquet"))) == 2

    monkeypatch.setattr(levels, "full_model_replication", real)
    again = recommend(from_mapping(loaded.data, str(path)), out)
    assert (again.reused, again.simulations) == (2, whole.simulations - 2)
    pd.testing.assert_frame_equal(again.table, whole.table)
    pd.testing.assert_frame_equal(again.levels, whole.levels)
    assert (out / "recommendation.csv").exists()
    once_more = recommend(loaded, out)  # a finished folder: everything is reused
    assert (once_more.reused, once_more.simulations) == (whole.simulations, 0)


def test_another_scenario_is_refused_in_the_same_folder(tmp_path) -> None:
    out = tmp_path / "out"
    first = recommend(two_communities(), out)
    table = (out / "recommendation.csv").read_text(encoding="utf-8")
    with pytest.raises(RunFolderError, match="another scenario_sha256"):
        recommend(two_communities(households=1200), out)
    with pytest.raises(RunFolderError, match="another targets"):
        sim.recommend(two_communities(), targets=["response_within_min=30@0.8"], replications=3,
                      seed=2, out=out, executor="serial", progress=False)
    assert (out / "recommendation.csv").read_text(encoding="utf-8") == table
    assert first.folder == out


def test_a_recommendation_interrupted_at_any_write_shows_no_results_and_true_advice(
        tmp_path, monkeypatch, capsys) -> None:
    """Ctrl-C just before each file the command writes appears: no result file unless the
    folder is complete, and the printed advice is what the folder allows (continue with the
    finished work, or start over); the same command then finishes with the uninterrupted
    table."""
    import os as real_os

    import sim.files.atomic as atomic

    loaded = two_communities()
    path = tmp_path / "scenario.yaml"
    path.write_text(loaded.to_yaml(), encoding="utf-8")
    whole = recommend(loaded, tmp_path / "whole")
    real = real_os.replace
    count = [0]

    def counting(src, dst):
        count[0] += 1
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", counting)
    recommend(loaded, tmp_path / "counted")
    renames = count[0]
    args = ["recommend", str(path), "--replications", "3", "--seed", "2", "--executor",
            "serial", "--quiet"]
    for stop in range(1, renames + 1):
        out = tmp_path / f"stop{stop}"
        count[0] = 0

        def interrupting(src, dst, stop=stop):
            count[0] += 1
            if count[0] == stop:
                raise KeyboardInterrupt
            real(src, dst)

        monkeypatch.setattr(atomic.os, "replace", interrupting)
        code = main([*args, "--out", str(out)])
        err = capsys.readouterr().err
        manifest = json.loads((out / "manifest.json").read_text()) if (
            out / "manifest.json").exists() else {}
        if manifest.get("status") != "complete":
            assert code == 130 and not (out / "recommendation.csv").exists(), stop
            parts = list((out / "parts").glob("*.parquet")) if (out / "parts").is_dir() else []
            advice = ("nothing was written" if not manifest else
                      "to continue: finished work is kept" if parts else "to start over")
            assert advice in err, (stop, err)
            assert manifest.get("status") in (None, "interrupted"), stop
    monkeypatch.setattr(atomic.os, "replace", real)
    again = recommend(from_mapping(loaded.data, str(path)), tmp_path / f"stop{renames}")
    pd.testing.assert_frame_equal(again.table, whole.table)
