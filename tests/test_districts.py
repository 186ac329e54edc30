"""Sub-districts (街道): a city whose districts have their own departments gives the same bytes
run as one loop and split into one task per district, on every executor; a county-wide
department keeps one loop and says why; a city beyond the limits is refused before anything
large is allocated."""

from __future__ import annotations

import copy
import tracemalloc
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import small

import sim
from sim.cli import main
from sim.model.plan import build_plan
from sim.scenario import LoadedScenario, from_mapping
from sim.scenario.districts import split_of
from sim.scenario.roster import grid_count


def city(own_departments: dict[str, bool], days: float = 21) -> LoadedScenario:
    """The baseline's first three communities in two districts (the first and third in one:
    a district's communities need not be neighbours in the list), each with its own
    departments (``own_departments[district]``) or escalating to the county's."""
    data: dict[str, Any] = copy.deepcopy(small(days).data)
    ids = [c["id"] for c in data["communities"]]
    districts = {"chengguan": [ids[0], ids[2]], "east": [ids[1]]}
    data["districts"] = [
        {"id": d, "communities": members,
         **({"departments": copy.deepcopy(data["departments"])} if own_departments[d] else {})}
        for d, members in districts.items()]
    return from_mapping(data, "<city>")


@pytest.fixture(scope="module")
def own() -> LoadedScenario:
    return city({"chengguan": True, "east": True})


@pytest.fixture(scope="module")
def one_loop(own, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("loop") / "run"
    result = sim.run(own, replications=3, seed=5, out=out, executor="serial", progress=False,
                     split_districts=False)
    assert result.split is not None and not result.split.split and result.split.asked
    return out


@pytest.mark.parametrize("options", [
    {"executor": "serial"},
    {"executor": "process", "workers": 2},
    {"executor": "dask", "workers": 2},
], ids=["serial", "process", "dask"])
def test_split_by_district_gives_the_bytes_of_one_loop(own, one_loop, options, tmp_path):
    result = sim.run(own, replications=3, seed=5, out=tmp_path / "split", progress=False,
                     **options)
    assert result.split is not None and result.split.split and result.split.parts == 2
    for file in ("summary.csv", "replications.csv"):
        assert (tmp_path / "split" / file).read_bytes() == (one_loop / file).read_bytes(), file


def test_split_records_are_those_of_one_loop(own):
    runs = [sim.run(own, replications=2, seed=9, save=False, executor="serial", records=True,
                    progress=False, split_districts=split) for split in (False, True)]
    loop, split = (r.records for r in runs)
    assert loop is not None and split is not None and len(loop) > 1000
    pd.testing.assert_frame_equal(loop, split, check_exact=True)
    # both districts' issues, and escalations that went to each district's own department
    assert set(loop["community"]) == {c.id for c in own.scenario.communities}
    plan = build_plan(own.scenario)
    names = [d.name for d in plan.departments]
    assert {"chengguan/urban_management", "east/urban_management"} <= set(names)


def test_a_county_department_keeps_one_loop_and_the_report_says_why(tmp_path, capsys):
    shared = city({"chengguan": True, "east": False})
    split = split_of(shared.scenario)
    assert not split.split and split.parts == 1
    assert split.shared == {"urban_management": ["east"], "justice": ["east"]}
    assert "urban_management (districts east)" in split.reason()
    path = tmp_path / "shared.yaml"
    path.write_text(yaml.safe_dump(shared.data, allow_unicode=True), encoding="utf-8")
    assert main(["run", str(path), "-n", "2", "--executor", "serial", "-q", "--lang", "en",
                 "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "one loop, not split by district: districts share the county's departments" in out
    assert "urban_management: east" in out
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "districts share the county&#x27;s departments" in html or \
        "districts share the county's departments" in html


def test_a_district_department_takes_its_own_escalations_only(own):
    plan = build_plan(own.scenario)
    names = [d.name for d in plan.departments]
    k = plan.categories.index("livelihood")
    chengguan, east = (plan.escalate_to[d][k] for d in range(2))
    assert names[chengguan] == "chengguan/urban_management"
    assert names[east] == "east/urban_management"


# ---------------------------------------------------------------- limits


def _refused_small(tmp_path: Path, capsys, text: str, file: str = "s.yaml") -> tuple[str, int]:
    """``gridsim validate`` of ``text``: exit 2, stderr, and the peak traced allocation."""
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    tracemalloc.start()
    try:
        code = main(["validate", str(path)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    return err, peak


GOOD = """name: city
horizon: {days: 20, warmup_days: 1}
communities:
  - {id: a, households: 3000}
demand:
  livelihood:
    per_1000_households_per_year: 100
    handling_min: {lognormal: {mean: 60, cv: 0.8}}
"""


def test_a_100000_grid_file_is_refused_before_any_large_allocation(tmp_path, capsys):
    rows = ["grid_id,community_id,households,x_m,y_m"]
    rows += [f"g{i},a,30,{i % 300 * 100},{i // 300 * 100}" for i in range(100_000)]
    (tmp_path / "g.csv").write_text("\n".join(rows), encoding="utf-8")
    err, peak = _refused_small(tmp_path, capsys,
                               GOOD.replace("name: city", "name: city\ngrid_file: g.csv"))
    assert "100,000 rows are more than the 50,000 grids one scenario may have" in err
    assert peak < 200 * 2**20  # the file's rows as text, nothing by grid count (GiB)


def test_a_100000_grid_lattice_and_an_overlong_horizon_are_refused_with_the_limit(
        tmp_path, capsys, monkeypatch):
    def by_grid(*_):
        raise AssertionError("grids built for a scenario beyond the limits")

    monkeypatch.setattr("sim.scenario.loading.build_grids", by_grid)  # nothing by grid count
    communities = "".join(f"  - {{id: c{i}, households: 40000, grids: {{layout: lattice, "
                          f"rows: 10, cols: 10, spacing_m: 100}}}}\n" for i in range(1000))
    path = tmp_path / "city.yaml"
    path.write_text(GOOD.replace("  - {id: a, households: 3000}\n", communities), "utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "communities: 100,000 grids are more than the 50,000 one scenario may have" in err
    err, peak = _refused_small(tmp_path, capsys, GOOD.replace("days: 20,", "days: 100000,"))
    assert "horizon.days: 100000 days is longer than the 3660 days one run may simulate" in err
    assert peak < 200 * 2**20  # the command's imports, about 50 MB traced


def test_the_shipped_city_splits_by_district_and_marks_its_figures():
    from conftest import ROOT

    from sim.scenario import load_scenario

    loaded = load_scenario(ROOT / "scenarios" / "city-5000.yaml")
    s = loaded.scenario
    assert {grid_count(c) for c in s.communities} == {10}
    assert len(s.communities) == 500 and len(s.districts) == 50
    split = split_of(s)
    assert split.split and split.parts == 50 and not split.shared
    assert {"communities", "districts", "districts.*.departments", "demand"} <= set(s.estimates)
