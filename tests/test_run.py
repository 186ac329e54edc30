"""`gridsim run` and `sim.run`: run folders, determinism, records, the printed table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import mmc_scenario

import sim
from sim.cli import main
from sim.model.recorder import QUANTILE_RELATIVE_ERROR, _bin, _quantile


def test_same_seed_same_numbers(small_baseline, tmp_path: Path):
    a = sim.run(small_baseline, replications=2, seed=5, out=tmp_path / "a", executor="serial")
    b = sim.run(small_baseline, replications=2, seed=5, out=tmp_path / "b", executor="serial")
    c = sim.run(small_baseline, replications=2, seed=6, out=tmp_path / "c", executor="serial")
    summary = (tmp_path / "a" / "summary.csv").read_bytes()
    assert summary == (tmp_path / "b" / "summary.csv").read_bytes()
    assert summary != (tmp_path / "c" / "summary.csv").read_bytes()
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert not a.summary.equals(c.summary)


def test_run_folder_contents(small_baseline, tmp_path: Path, capsys):
    file = tmp_path / "scenario.yaml"
    file.write_text(small_baseline.to_yaml(), encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(file), "-n", "2", "--seed", "3", "--out", str(out), "--records",
                 "--quiet", "--executor", "serial", "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert f"run folder: {out}" in printed and "dongguan" in printed and " ± " in printed
    assert f"report: {out / 'report.html'}" in printed
    assert {p.name for p in out.iterdir()} >= {
        "scenario.yaml", "summary.csv", "replications.csv", "manifest.json", "issues.parquet",
        "report.html"
    }
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["seed"] == 3
    assert manifest["scenario_sha256"] == small_baseline.digest()
    assert manifest["versions"]["simpy"]
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["community", "category", "grid", "metric", "mean", "ci_low",
                                     "ci_high", "half_width", "std", "replications"]
    # a group with no issue in a replication (security, over 60 days) has fewer values
    assert summary["replications"].max() == 2
    assert (summary.query("category == 'all' and grid == 'all'")["replications"] == 2).all()
    issues = pd.read_parquet(out / "issues.parquet")
    replications = pd.read_csv(out / "replications.csv")
    window = issues[issues["occurred_min"] >= 7 * 24 * 60]
    counted = replications.query("community == 'all' and category == 'all'")["issues"].sum()
    assert len(window) == counted


def test_records_reproduce_the_summary_statistics():
    """Means and shares from the streaming statistics equal those recomputed from records."""
    scenario = mmc_scenario(8.0, 60, 10, 20, warmup_days=1)
    result = sim.run(scenario, replications=1, seed=9, records=True, save=False,
                     executor="serial")
    issues = result.records
    seen = issues[issues["occurred_min"] >= 24 * 60]
    row = result.replications.query("community == 'all' and category == 'all'").iloc[0]
    assert row["issues"] == len(seen)
    np.testing.assert_allclose(row["wait_min_mean"], seen["wait_min"].mean(), rtol=1e-12)
    np.testing.assert_allclose(row["wait_probability"], (seen["wait_min"] > 0).mean())
    np.testing.assert_allclose(row["resolution_h_mean"], seen["resolution_h"].mean(), rtol=1e-12)
    exact = np.quantile(seen["resolution_h"], 0.9)
    assert abs(row["resolution_h_p90"] / exact - 1) <= QUANTILE_RELATIVE_ERROR * 2


def test_histogram_quantiles_are_within_the_stated_error():
    rng = np.random.default_rng(1)
    values = np.concatenate([np.zeros(300), rng.lognormal(2, 1.5, 5000)])
    hist = np.bincount(_bin(values), minlength=2001)[None, :]
    for q in (0.5, 0.9, 0.99):
        exact = np.quantile(values, q, method="inverted_cdf")
        assert abs(_quantile(hist, q)[0] / exact - 1) <= 2 * QUANTILE_RELATIVE_ERROR
    assert _quantile(hist, 0.05)[0] == 0.0  # inside the mass at zero


def test_grid_and_category_rows_reproduce_the_records(small_baseline):
    """Each grid's rows per category (shares and means, no quantiles) equal what its records
    give, judged against each category's own limits; summed over categories they are the
    grid's all-category row."""
    scenario = small_baseline.with_overrides({"horizon.days": 30, "horizon.warmup_days": 3})
    result = sim.run(scenario, replications=1, seed=4, records=True, save=False,
                     executor="serial", progress=False)
    spec = scenario.scenario
    seen = result.records[result.records["occurred_min"] >= 3 * 24 * 60]
    rows = result.replications.set_index(["community", "category", "grid"])
    checked = 0
    for (grid, category), issues in seen.groupby(["grid", "category"], observed=True):
        row = rows.loc[(str(issues["community"].iloc[0]), str(category), str(grid))]
        assert row["issues"] == len(issues)
        assert np.isnan(row["response_min_p90"])  # no quantiles per grid and category
        served = issues[issues["onsite_min"].notna()]
        np.testing.assert_allclose(row["response_min_mean"], served["response_min"].mean(),
                                   rtol=1e-12)
        limit = (spec.care_visits.on_time_days * 1440 if category == "care_visit"
                 else spec.demand[str(category)].respond_within_min)
        np.testing.assert_allclose(row["response_within_target_share"],
                                   (served["response_min"] <= limit).mean(), rtol=1e-12)
        checked += 1
    assert checked > 100
    grids = result.replications[result.replications["grid"] != "all"]
    by_grid = grids[grids["category"] != "all"].groupby("grid")["issues"].sum()
    whole = grids[grids["category"] == "all"].set_index("grid")["issues"]
    pd.testing.assert_series_equal(by_grid.sort_index(), whole.sort_index(), check_names=False)
