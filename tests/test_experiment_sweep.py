"""`gridsim sweep` and `sim.sweep`: full factorial over dotted keys, one tidy table, same seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import small

import sim
from sim.analysis.statistics import select
from sim.cli import main
from sim.cli.experiment import parse_set

RATIO = "staffing.community_workers.households_per_worker"
DONGGUAN = "communities.dongguan.community_workers"


@pytest.fixture(scope="module")
def short_file(tmp_path_factory) -> Path:
    file = tmp_path_factory.mktemp("scenario") / "short.yaml"
    file.write_text(small(30).to_yaml(), encoding="utf-8")
    return file


def test_set_values_are_yaml_scalars():
    assert parse_set([f"{RATIO}=1500,3000", "horizon.start=2026-03-02",
                      "communities.dongguan.community_workers=null,2"]) == {
        RATIO: [1500, 3000],
        "horizon.start": [pd.Timestamp("2026-03-02").date()],
        "communities.dongguan.community_workers": [None, 2],
    }
    for bad in (["horizon.days"], ["=1"], ["a=1,"], ["a=1", "a=2"], ["a=[1, 2]"]):
        with pytest.raises(sim.GridsimError):
            parse_set(bad)


def test_full_factorial_one_tidy_table_same_seeds(short_file, tmp_path: Path):
    result = sim.sweep(short_file, {RATIO: [2000, 3000], DONGGUAN: [3, 4]}, replications=2,
                       seed=4, out=tmp_path / "sw", executor="serial", progress=False)
    t = result.table
    assert list(t.columns[:3]) == ["setting", RATIO, DONGGUAN]
    assert list(t.columns[3:5]) == ["community", "category"] and "metric" in t.columns
    settings = t[[RATIO, DONGGUAN]].drop_duplicates().values.tolist()
    assert settings == [[2000, 3], [2000, 4], [3000, 3], [3000, 4]]
    # one row per setting, group and metric
    assert not t.duplicated(["setting", "community", "category", "grid", "metric"]).any()
    groups = t.groupby("setting").size()
    assert groups.nunique() == 1 and len(groups) == 4
    assert list(result.settings["community_workers"])[0] > list(
        result.settings["community_workers"])[2]  # 2000 households per worker: more workers
    # the 3000 / 3-worker setting is the scenario itself (dongguan: 6200 households -> 3):
    # with the same seed it gives exactly the numbers of a plain run
    plain = sim.run(short_file, replications=2, seed=4, save=False, executor="serial",
                    progress=False)
    mine = t[(t[RATIO] == 3000) & (t[DONGGUAN] == 3)].drop(columns=["setting", RATIO, DONGGUAN])
    pd.testing.assert_frame_equal(mine.reset_index(drop=True),
                                  plain.summary.reset_index(drop=True))
    # communities the keys do not touch see the same issues in every setting (same seeds)
    issues = select(t, "nanguan", metric="issues")
    assert issues["mean"].nunique() == 1
    out = tmp_path / "sw"
    on_disk = pd.read_csv(out / "sweep.csv")
    assert len(on_disk) == len(t)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and manifest["status"] == "complete"
    assert [m["overrides"] for m in manifest["members"]][1] == {RATIO: 2000, DONGGUAN: 4}
    assert "<table" in result._repr_html_()


def test_sweep_command(short_file, tmp_path: Path, capsys):
    out = tmp_path / "sw"
    assert main(["sweep", str(short_file), "--set", f"{DONGGUAN}=2,4", "-n", "2", "--out",
                 str(out), "--quiet", "--executor", "serial", "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "2 settings" in printed and DONGGUAN in printed and f"run folder: {out}" in printed
    assert "response_within_target_share:" in printed and (out / "report.html").exists()
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
        "01-community_workers=2", "02-community_workers=4"]


@pytest.mark.parametrize(("setting", "message"), [
    (f"{RATIO[:-1]}=1500", "staffing.community_workers.households_per_worke: unknown key; "
                           "did you mean 'households_per_worker'?"),
    (f"{RATIO}=1500,-3", f"{RATIO}: input should be greater than 0"),
    (f"{DONGGUAN}=two", f"{DONGGUAN}: input should be a valid integer"),
    ("communities.nowhere.households=10", "communities.nowhere: no list item with id 'nowhere'"),
    ("experiment.seed=1,2", "use --seed"),
])
def test_a_bad_key_or_value_stops_before_anything_runs(short_file, tmp_path: Path, capsys,
                                                       setting, message):
    out = tmp_path / "never"
    assert main(["sweep", str(short_file), "--set", setting, "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    if "use --seed" not in message:
        assert err.startswith(f"{short_file}: ")
    assert not out.exists()


def test_every_bad_key_is_named(short_file, capsys):
    assert main(["sweep", str(short_file), "--set", f"{DONGGUAN}=-1", "--set",
                 "horizon.dayz=3", "-q"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "communities.dongguan.community_workers" in err[0]
    assert "horizon.dayz: unknown key" in err[1]
