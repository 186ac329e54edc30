"""`gridsim compare` and `sim.compare`: common random numbers, paired intervals, verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE, small
from scipy import stats

import sim
from sim.analysis.statistics import select, t_interval
from sim.cli import main


def workers(loaded: sim.LoadedScenario, community: str) -> int:
    """Community workers of one community under the scenario's staffing rule."""
    s = loaded.scenario
    return s.workers(next(c for c in s.communities if c.id == community))


@pytest.fixture(scope="module")
def base() -> sim.LoadedScenario:
    return small(40)


def test_a_scenario_against_itself_differs_by_exactly_zero(base, tmp_path: Path):
    result = sim.compare([base, base], replications=3, seed=11, out=tmp_path / "c",
                         executor="serial", progress=False)
    assert result.labels[1] == f"{result.labels[0]}-2"
    other = result.table[result.table.scenario == result.labels[1]]
    assert len(other) > 100
    assert (other["difference"] == 0).all()
    # the interval too, wherever there are two replications to make one
    paired = other[other.paired_replications >= 2]
    assert len(paired) > 100
    for column in ("difference_ci_low", "difference_ci_high", "difference_half_width"):
        assert (paired[column] == 0).all(), column
    assert set(other["verdict"]) == {"no clear difference", "-"}
    baseline = result.table[result.table.scenario == result.labels[0]]
    assert set(baseline["verdict"]) == {"baseline"}
    # the two sub-folders hold byte-identical numbers
    a, b = (tmp_path / "c" / label / "summary.csv" for label in result.labels)
    assert a.read_bytes() == b.read_bytes()


def test_common_random_numbers_sharpen_a_close_comparison(base):
    """One more worker in one community (xiguan: 2 -> 3): the paired interval of the
    district-wide difference is far narrower than the unpaired one from the same numbers."""
    plus = base.with_overrides({"communities.xiguan.community_workers":
                                workers(base, "xiguan") + 1})
    n = 8
    result = sim.compare([base, plus], replications=n, seed=3, save=False, executor="serial",
                         progress=False, labels=["policy", "xiguan+1"])
    reps = select(result.replications)  # community=all, category=all
    a = reps[reps.scenario == "policy"].sort_values("replication")["response_min_mean"]
    b = reps[reps.scenario == "xiguan+1"].sort_values("replication")["response_min_mean"]
    paired = t_interval(b.to_numpy() - a.to_numpy())[1]
    # unpaired (Welch) interval of the difference of the two means, same replications
    va, vb = a.var(ddof=1) / n, b.var(ddof=1) / n
    df = (va + vb) ** 2 / (va**2 / (n - 1) + vb**2 / (n - 1))
    unpaired = stats.t.ppf(0.975, df) * np.sqrt(va + vb)
    assert paired * 3 <= unpaired, (paired, unpaired)
    row = result.row("xiguan+1", "response_min_mean")
    assert row["difference_half_width"] == pytest.approx(paired)
    assert row["difference"] == pytest.approx((b.to_numpy() - a.to_numpy()).mean())
    assert row["verdict"] == "better"  # shorter response with one more worker
    assert result.row("xiguan+1", "response_min_mean", "xiguan")["verdict"] == "better"
    # communities that did not change: exactly zero difference (their streams are shared)
    assert result.row("xiguan+1", "response_min_mean", "nanguan")["difference"] == 0
    assert result.row("xiguan+1", "utilisation")["verdict"] == "-"


def test_verdict_directions_on_a_real_comparison(base):
    """Fewer workers: longer waits are 'worse', and lower within-target shares are 'worse'."""
    minus = base.with_overrides({"communities.dongguan.community_workers":
                                 workers(base, "dongguan") - 1})
    result = sim.compare([base, minus], replications=4, seed=5, save=False, executor="serial",
                         progress=False, labels=["policy", "dongguan-1"])
    for metric in ("wait_min_mean", "response_min_mean", "queue_mean"):
        assert result.row("dongguan-1", metric, "dongguan")["verdict"] == "worse", metric
    share = result.row("dongguan-1", "response_within_target_share", "dongguan")
    assert share["difference"] < 0 and share["verdict"] == "worse"
    verdicts = result.verdicts(community="dongguan")
    assert verdicts.loc["utilisation", "dongguan-1"] == "-"


def test_compare_command_prints_side_by_side_and_writes_a_run_folder(base, tmp_path: Path,
                                                                     capsys):
    files = []
    more = workers(base, "xiguan") + 1
    for name, overrides in (("policy", {}),
                            ("more", {"communities.xiguan.community_workers": more})):
        file = tmp_path / f"{name}.yaml"
        file.write_text(base.with_overrides(overrides).to_yaml(), encoding="utf-8")
        files.append(str(file))
    out = tmp_path / "cmp"
    argv = ["compare", *files, "-n", "3", "--seed", "2", "--out", str(out), "--quiet",
            "--executor", "serial", "--lang", "en"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "response_within_target_share:" in printed
    assert "resolution_within_target_share:" in printed
    livelihood = [line for line in printed.splitlines() if line.startswith("livelihood")]
    assert any(line.split()[1] == "more" and ("better" in line or "worse" in line
                                              or "no clear difference" in line)
               for line in livelihood)
    assert " ± " in printed and f"run folder: {out}" in printed
    assert (out / "report.html").exists()
    assert {p.name for p in out.iterdir()} >= {"compare.csv", "manifest.json", "policy", "more"}
    for label in ("policy", "more"):
        sub = json.loads((out / label / "manifest.json").read_text())
        assert sub["status"] == "complete" and sub["seed"] == 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["status"] == "complete"
    assert [m["label"] for m in manifest["members"]] == ["policy", "more"]
    table = pd.read_csv(out / "compare.csv")
    assert list(table.columns[:3]) == ["scenario", "community", "category"]
    assert "metric" in table.columns
    assert {"difference", "difference_ci_low", "difference_ci_high", "verdict"} <= set(
        table.columns)
    # running the same command again resumes: nothing recomputed, same table
    before = (out / "compare.csv").read_bytes()
    assert main(argv) == 0
    assert (out / "compare.csv").read_bytes() == before
    log = (out / "more" / "run.log").read_text()
    assert log.count("saved") == 3
    # a changed scenario file is refused
    Path(files[1]).write_text(base.with_overrides({"communities.xiguan.community_workers":
                                                   more + 1}).to_yaml(), encoding="utf-8")
    assert main(argv) == 2
    assert "refusing to resume" in capsys.readouterr().err


def test_compare_result_renders_in_a_notebook(base):
    result = sim.compare([base, base.with_overrides({"communities.nanguan.community_workers":
                                                     workers(base, "nanguan") + 1})],
                         replications=2, seed=1, save=False, executor="serial",
                         progress=False, labels=["a", "b"])
    page = result._repr_html_()
    assert "<table" in page and "Response time" in page and "Δ b" in page
    assert isinstance(result.table, pd.DataFrame)
    assert isinstance(result.side_by_side("resolution_h_mean"), pd.DataFrame)


def test_compare_needs_two_scenarios(base, capsys):
    with pytest.raises(sim.GridsimError):
        sim.compare([base], save=False)
    assert main(["compare", str(BASELINE)]) == 2
    assert "at least two" in capsys.readouterr().err


def test_worst_p90_grid_of_each_community_is_named(base, capsys):
    """`gridsim compare` names, per community and scenario, the grid with the worst p90 response:
    the grid row of the tidy table with the highest mean response_min_p90."""
    pooled = base.with_overrides({"dispatch.policy": "pooled"}, label="pooled")
    result = sim.compare([base, pooled], replications=2, seed=4, save=False, executor="serial",
                         progress=False, labels=["baseline", "pooled"])
    worst = result.worst_grids()
    t = result.table
    rows = t[(t.metric == "response_min_p90") & (t.category == "all") & (t.grid != "all")]
    assert list(worst.index) == ["dongguan", "xiguan", "nanguan"]
    for (community, label), part in rows.groupby(["community", "scenario"]):
        top = part.loc[part["mean"].idxmax()]
        assert worst.at[community, label].startswith(f"{top.grid} (")
    assert "Grid with the worst p90 response in each community" in result.text()
