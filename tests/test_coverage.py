"""The 15-minute living circle: exact counts by hand, placement against brute force, the baseline,
and bad input."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import BASELINE
from openpyxl import load_workbook

import sim
from sim.cli import main
from sim.coverage.analysis import measure_coverage
from sim.coverage.placement import max_cover
from sim.coverage.walk import WalkModel, covers
from sim.scenario import from_mapping
from sim.scenario.grids import CENTRE_TO_SQUARE, build_grids

SPEED = 4300 / 60  # m per minute at 4.3 km/h


def tiny(**extra) -> dict:
    """Two communities, four 100 m grids on a line at x = 0, 500, 1000, 2000 m."""
    data = {
        "name": "tiny",
        "communities": [
            {"id": "a", "households": 300, "elderly_share": 0.5, "grids": {
                "layout": "table", "grids": [
                    {"id": "g1", "households": 100, "x_m": 0, "y_m": 0, "area_m2": 10000},
                    {"id": "g2", "households": 200, "x_m": 500, "y_m": 0, "area_m2": 10000}]}},
            {"id": "b", "households": 700, "grids": {
                "layout": "table", "grids": [
                    {"id": "g3", "households": 300, "x_m": 1000, "y_m": 0, "area_m2": 10000},
                    {"id": "g4", "households": 400, "x_m": 2000, "y_m": 0, "area_m2": 10000,
                     "elderly_share": 0.1}]}}],
        "demand": {"livelihood": {"per_1000_households_per_year": 10,
                                  "handling_min": {"exponential": {"mean": 30}}}},
        "travel": {"metric": "euclidean", "detour_factor": 1.3},
        "coverage": {"elderly_share": 0.2},
        "facilities": [
            {"id": "pavilion", "kind": "rainbow_pavilion", "x_m": 0, "y_m": 0},
            {"id": "daycare", "kind": "day_care_centre", "grid": "g4"}],
    }
    data.update(extra)
    return data


def test_hand_checked_counts() -> None:
    """15 min at 4.3 km/h with detour 1.3 reaches 826.9 m as the crow flies: g1 and g2 from the
    pavilion (mean distances √(0² + (0.3826·100)²) and √(500² + 38.26²) m), g4 from the
    day-care centre in it; g3 (1000.7 m from the pavilion, 1000.7 from the centre) is left out."""
    result = measure_coverage(from_mapping(tiny()), save=False)
    c = result.coverage.set_index(["kind", "community", "grid"])
    pavilion = c.loc["rainbow_pavilion"]
    assert pavilion["covered"].loc[("a", "g1")] and pavilion["covered"].loc[("a", "g2")]
    assert not pavilion["covered"].loc[("b", "g3")] and not pavilion["covered"].loc[("b", "g4")]
    assert pavilion.loc[("a", "all"), "covered_households"] == 300
    assert pavilion.loc[("b", "all"), "covered_households"] == 0
    assert pavilion.loc[("all", "all"), "covered_households"] == 300
    assert pavilion.loc[("all", "all"), "covered_share"] == pytest.approx(0.3)
    expected = math.hypot(500, CENTRE_TO_SQUARE * 100) * 1.3 / SPEED
    assert pavilion.loc[("a", "g2"), "walk_min"] == pytest.approx(expected, rel=1e-12)
    assert pavilion.loc[("a", "g2"), "nearest_point"] == "pavilion"
    any_point = c.loc["all"]
    assert any_point.loc[("all", "all"), "covered_households"] == 700  # g1, g2, g4
    assert list(result.left_out("all")["grid"]) == ["g3"]
    # elderly households: a's share 0.5 for g1, g2; g3 the scenario default 0.2; g4 its own 0.1
    elderly = c.loc["all"]["elderly_households"]
    assert elderly.loc[("a", "g1")] == 50 and elderly.loc[("b", "g3")] == 60
    assert elderly.loc[("b", "g4")] == pytest.approx(40)
    assert any_point.loc[("all", "all"), "covered_elderly_households"] == pytest.approx(190)
    assert any_point.loc[("all", "all"), "covered_elderly_share"] == pytest.approx(190 / 250)


def test_the_limit_and_the_metric_decide() -> None:
    """Within 9 minutes g2 (9.10 min away) is out; Manhattan distance to a grid 500 m east and
    500 m north is 1000 m (out), as the crow flies 707 m (in)."""
    data = tiny()
    result = measure_coverage(from_mapping(data), within_min=9.0, save=False)
    assert result.totals().loc["rainbow_pavilion", "covered_households"] == 100
    grid = {"id": "g5", "households": 50, "x_m": 500, "y_m": 500, "area_m2": 10000}
    data["communities"][1]["grids"]["grids"].append(grid)
    data["communities"][1]["households"] += 50
    for metric, inside in (("euclidean", True), ("manhattan", False)):
        data["travel"]["metric"] = metric
        rows = measure_coverage(from_mapping(data), kinds="rainbow_pavilion",
                                save=False).grid_rows("rainbow_pavilion").set_index("grid")
        assert bool(rows.loc["g5", "covered"]) is inside


def test_engine_and_coverage_share_one_distance_model() -> None:
    """The walking time equals the engine's travel time of a walker from the same point."""
    from sim.model.plan import build_plan

    data = tiny(staffing={"grid_members": {"per_grid": 1, "speed_kmh": 4.3}})
    loaded = from_mapping(data)
    plan = build_plan(loaded.scenario)
    member = next(r for r in plan.responders if r.role == "grid_member" and r.grid == 0)
    grids = build_grids(loaded.scenario)
    minutes = WalkModel.of(loaded.scenario).minutes(np.array([0.0]), np.array([0.0]), grids)
    assert minutes[0, 1] == pytest.approx(plan.travel_minutes(member.index, 1), rel=1e-12)


# ---------------------------------------------------------------- placement


def brute_force(cover: np.ndarray, weight: np.ndarray, n: int) -> float:
    best = 0.0
    for sites in itertools.combinations(range(cover.shape[0]), n):
        best = max(best, float(weight[cover[list(sites)].any(axis=0)].sum()))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_max_cover_is_the_brute_force_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cover = rng.random((9, 16)) < 0.25
    weight = rng.integers(0, 50, 16).astype(float)
    weight[rng.random(16) < 0.2] = 0  # grids already covered
    for n in (1, 2, 3):
        plan = max_cover(cover, weight, n)
        assert plan.covered_weight == pytest.approx(brute_force(cover, weight, n))
        assert len(plan.sites) <= n and sum(plan.gains) == pytest.approx(plan.covered_weight)
        assert list(plan.gains) == sorted(plan.gains, reverse=True)


def test_add_equals_brute_force_over_grid_centres() -> None:
    """On a 5 x 5 lattice with one point, --add 2 covers what the best pair of grid centres
    covers, found by trying every pair."""
    data = tiny(communities=[{"id": "a", "households": 2500, "grids": {
        "layout": "lattice", "rows": 5, "cols": 5, "spacing_m": 250,
        "household_weights": list(range(1, 26))}}],
        facilities=[{"id": "p", "kind": "party_mass_home", "grid": "a-r1c1"}])
    loaded = from_mapping(data)
    result = measure_coverage(loaded, within_min=6.0, add=2, save=False)
    grids = build_grids(loaded.scenario)
    walk = WalkModel.of(loaded.scenario)
    cover = covers(walk.minutes(grids.x_m, grids.y_m, grids), 6.0)
    base = cover[grids.index("a-r1c1")]
    weight = np.where(base, 0.0, grids.households.astype(float))
    plan = result.placement[result.placement["points_added"] == 2]
    assert plan["new_households"].sum() == brute_force(cover, weight, 2)
    assert plan["covered_households_after"].iloc[-1] == (
        grids.households[base].sum() + brute_force(cover, weight, 2))


@pytest.fixture(scope="module")
def baseline() -> sim.LoadedScenario:
    return sim.load_scenario(BASELINE)


def test_baseline_points_added_never_lower_coverage(baseline) -> None:
    result = measure_coverage(baseline, add=3, save=False)
    totals = result.totals()
    assert set(result.kinds) == {"rainbow_pavilion", "party_mass_home", "day_care_centre",
                                 "service_centre"}
    assert (totals.loc[result.kinds, "covered_share"] < 1).all()  # room for new points
    for kind in result.kinds:
        plans = result.placement[result.placement["kind"] == kind]
        after = [int(totals.loc[kind, "covered_households"])] + [
            int(plans[plans["points_added"] == n]["covered_households_after"].iloc[-1])
            for n in (1, 2, 3)]
        assert after == sorted(after) and after[1] > after[0], (kind, after)
        first, second = after[1] - after[0], after[2] - after[1]
        assert first >= second, (kind, first, second)
        pair = plans[plans["points_added"] == 2]["new_households"].tolist()
        assert pair[0] >= pair[1]


def test_baseline_elderly_weights_and_candidate_sites(baseline) -> None:
    result = measure_coverage(baseline, kinds="day_care_centre", add=1, candidates="sites",
                              weight="elderly", save=False)
    sites = {s.id for s in baseline.scenario.coverage.candidate_sites}
    assert set(result.placement["site"]) <= sites
    by_grid = measure_coverage(baseline, kinds="day_care_centre", add=1, weight="elderly",
                               save=False)
    # grid centres include the candidates' grids' centres, so they cover at least as much
    best = by_grid.placement["new_elderly_households"].iloc[0]
    assert best >= result.placement["new_elderly_households"].iloc[0] - 1e-9


# ---------------------------------------------------------------- the command


def test_command_writes_tables_and_reports(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(tiny(), allow_unicode=True), encoding="utf-8")
    for lang in ("zh", "en"):
        out = tmp_path / lang
        assert main(["coverage", str(scenario), "--add", "1", "--lang", lang,
                     "--out", str(out)]) == 0
        coverage = pd.read_csv(out / "coverage.csv", encoding="utf-8-sig")
        assert {"covered_households", "covered_share", "walk_min"} <= set(coverage.columns)
        placement = pd.read_csv(out / "placement.csv", encoding="utf-8-sig")
        # a new pavilion: at g4 (400 households) beats g3 (300); a new day-care centre at g2
        # reaches g1, g2 and g3 (500 m either side)
        assert placement["site"].tolist() == ["g4", "g2"]
        html = (out / "report.html").read_text(encoding="utf-8")
        assert "g3" in html and ("未覆盖" if lang == "zh" else "left out") in html
        book = load_workbook(out / "results.xlsx")  # each community's shares, every grid
        shares = book["覆盖率" if lang == "zh" else "Coverage"]
        assert shares.cell(2, 1).value == ("全街道" if lang == "zh" else "whole district")
        assert shares.cell(2, 3).number_format == "0.0%" and shares.freeze_panes == "B2"
        assert book.sheetnames[-1] == ("说明" if lang == "zh" else "About")
    printed = capsys.readouterr().out
    assert "all: 70% (700 of 1,000); 1 grids left out" in printed
    assert "folder:" in printed


def bad(tmp_path: Path, data: dict, *args: str) -> tuple[int, str, Path]:
    file = tmp_path / "bad.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return main(["coverage", str(file), "--out", str(tmp_path / "out"), *args]), str(file), \
        tmp_path / "out"


@pytest.mark.parametrize("change, args, message", [
    (lambda d: d["facilities"][0].update(kind="kiosk"), (),
     "facilities[0].kind: input should be 'rainbow_pavilion'"),
    (lambda d: d["facilities"][0].update(x_m=5000), (),
     "facilities[0]: (5000, 0) m lies outside every grid"),
    (lambda d: d["facilities"][1].update(grid="g9"), (), "facilities[1].grid: no grid 'g9'"),
    (lambda d: d["facilities"][1].update(x_m=1, y_m=2), (),
     "facilities[1]: give a position: x_m and y_m, or grid (not both)"),
    (lambda d: d["facilities"][0].update(opening_hours="evening"), (),
     "facilities[0].opening_hours: unknown calendar 'evening'"),
    (lambda d: d["facilities"][1].update(id="pavilion"), (),
     "facilities[1].id: 'pavilion' appears more than once"),
    (lambda d: d["coverage"].update(candidate_sites=[{"id": "s", "x_m": 9e4, "y_m": 0}]), (),
     "coverage.candidate_sites[0]: (90000, 0) m lies outside every grid"),
    (lambda d: d["coverage"].pop("elderly_share"), ("--weight", "elderly"),
     "--weight: elderly weights need an elderly share for every grid"),
    (lambda d: None, ("--add", "1", "--candidates", "sites"),
     "--candidates: no candidate site may host a rainbow_pavilion"),
])
def test_bad_input_names_file_and_key(tmp_path: Path, capsys, change, args, message) -> None:
    data = tiny()
    change(data)
    code, file, out = bad(tmp_path, data, *args)
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert "Traceback" not in err
    assert not (out / "coverage.csv").exists()
    if "--weight" not in message and "--candidates" not in message:
        assert file in err


def test_overlapping_communities_are_refused(tmp_path: Path, capsys) -> None:
    data = tiny(communities=[
        {"id": "a", "households": 900, "grids": {"layout": "lattice", "rows": 3, "cols": 3,
                                                "spacing_m": 200}},
        {"id": "b", "households": 400, "grids": {"layout": "lattice", "rows": 2, "cols": 2,
                                                "spacing_m": 200}}],
        facilities=[{"id": "p", "kind": "rainbow_pavilion", "x_m": 0, "y_m": 0}])
    code, file, _ = bad(tmp_path, data)
    err = capsys.readouterr().err
    assert code == 2 and f"{file}: communities: the grids of 'a' and 'b' overlap" in err


def test_unknown_kind_option_and_nothing_to_measure(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["coverage", str(BASELINE), "--kind", "kiosk"])
    assert exit_info.value.code == 2
    data = tiny(facilities=[])
    code, file, _ = bad(tmp_path, data)
    assert code == 2 and f"{file}: facilities: no service points" in capsys.readouterr().err


def test_validate_checks_the_points_and_a_cut_down_baseline_still_runs(tmp_path: Path,
                                                                       capsys) -> None:
    data = tiny()
    data["facilities"][0]["x_m"] = 5000
    file = tmp_path / "points.yaml"
    file.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["validate", str(file)]) == 2
    assert f"{file}: facilities[0]: (5000, 0) m lies outside every grid" in \
        capsys.readouterr().err
    # the points name grids of communities a variant may leave out: simulating it is fine
    cut = sim.load_scenario(BASELINE).with_overrides(
        {"communities": [{"id": "yongan", "households": 4140}]})
    assert cut.scenario.facilities
