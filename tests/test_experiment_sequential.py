"""Sequential replications: run until a metric's 95% half-width is small enough, within a cap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import small

import sim
from sim.analysis.statistics import next_total, select, summarise
from sim.cli import main

METRIC = "response_min_mean"


@pytest.fixture(scope="module")
def short() -> sim.LoadedScenario:
    return small(30)


@pytest.fixture(scope="module")
def pilot(short) -> sim.RunResult:
    """Twelve replications: the half-widths a sequential run will see along the way."""
    return sim.run(short, replications=12, seed=5, save=False, executor="serial",
                   progress=False)


def half_width(result: sim.RunResult, n: int, group: tuple[str, str] = ("all", "all")) -> float:
    table = result.replications[result.replications.replication < n]
    row = select(summarise(table), *group, metric=METRIC)
    return float(row["half_width"].iloc[0])


def test_stops_as_soon_as_the_target_is_met(short, pilot, tmp_path: Path):
    # a target between the half-widths after 3 and after 12 replications
    start = 3
    target = (half_width(pilot, start) + half_width(pilot, 12)) / 2
    assert half_width(pilot, start) > target
    result = sim.run(short, replications=start, seed=5, out=tmp_path / "run",
                     until_half_width=(METRIC, target), max_replications=12,
                     executor="serial", progress=False)
    n = result.n_replications
    assert result.target_met and start < n <= 12
    # the batches it went through, replayed from the pilot: it stopped at the first check
    # where the target was met
    expected, checks = start, [start]
    while half_width(pilot, expected) > target:
        expected = next_total(expected, half_width(pilot, expected), target, 12)
        checks.append(expected)
    assert n == expected
    assert all(half_width(pilot, k) > target for k in checks[:-1])
    assert result.half_width_achieved <= target
    assert result.half_width_achieved == pytest.approx(half_width(pilot, n))
    # the numbers are those of a plain run of n replications
    reps = select(pilot.replications)
    assert result.metric(METRIC)["mean"] == pytest.approx(
        reps[reps.replication < n][METRIC].mean())
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["replications"] == manifest["replications_needed"] == n
    assert manifest["target_met"] is True
    assert manifest["until_half_width"]["metric"] == METRIC
    assert "met with" in result.target_text()


def test_never_exceeds_the_cap(short, tmp_path: Path):
    result = sim.run(short, replications=2, seed=5, out=tmp_path / "run",
                     until_half_width=f"{METRIC}=0.000001", max_replications=5,
                     executor="serial", progress=False)
    assert result.n_replications == 5 and result.target_met is False
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["replications"] == 5 and manifest["target_met"] is False
    assert manifest["replications_needed"] is None
    assert len(list((tmp_path / "run" / "parts").glob("replication-*.csv"))) == 5
    assert "NOT met" in result.target_text()


def test_relative_target_for_one_community(short, pilot):
    result = sim.run(short, replications=3, seed=5, save=False, executor="process", workers=2,
                     until_half_width=sim.HalfWidthTarget(METRIC, 0.15, "dongguan",
                                                          relative=True),
                     max_replications=12, progress=False)
    n = result.n_replications
    mean = result.metric(METRIC, "dongguan")["mean"]
    if result.target_met:
        assert half_width(pilot, n, ("dongguan", "all")) / mean <= 0.15
    else:
        assert n == 12


def test_command_line_options(short, tmp_path: Path, capsys):
    file = tmp_path / "s.yaml"
    file.write_text(short.to_yaml(), encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(file), "-n", "2", "--seed", "5", "--until-half-width",
                 f"{METRIC}=0.000001", "--max-replications", "3", "--out", str(out), "-q",
                 "--executor", "serial"]) == 0
    assert "NOT met (cap reached) with 3 replications" in capsys.readouterr().out
    for argv, message in [
        (["--until-half-width", "nonsense=1"], "unknown metric 'nonsense'"),
        (["--until-half-width", f"{METRIC}=0"], "must be positive"),
        (["--until-half-width", f"{METRIC}=1", "--target-group", "nowhere"],
         "unknown community 'nowhere'"),
        (["--max-replications", "4"], "only with --until-half-width"),
        (["--until-half-width", f"{METRIC}=1", "-n", "9", "--max-replications", "4"],
         "below --replications"),
    ]:
        assert main(["run", str(file), "--out", str(tmp_path / "x"), "-q", *argv]) == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
