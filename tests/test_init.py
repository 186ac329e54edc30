"""``gridsim init``: a starting scenario from a district's grid table that validates and runs
as written, on the baseline's figures and comments; the shipped template is its output."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import BASELINE, ROOT
from openpyxl import Workbook

import sim
from sim.cli import main
from sim.scenario import load_scenario
from sim.scenario.starter import COPIED

EXAMPLES = ROOT / "scenarios" / "examples"


@pytest.fixture
def grids(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLES / "district-grids.csv", tmp_path)
    return tmp_path / "district-grids.csv"


def test_init_writes_a_scenario_that_validates_and_runs_as_written(grids: Path, capsys):
    out = grids.parent / "my-district.yaml"
    assert main(["init", "--grids", str(grids), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"{out}: 3 communities, 16,400 households")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing left for the model to assume
        loaded = load_scenario(out)
    spec, base = loaded.scenario, load_scenario(BASELINE).scenario
    assert [(c.id, c.households) for c in spec.communities] == [
        ("dongguan", 6200), ("xiguan", 5400), ("nanguan", 4800)]
    assert spec.communities[0].office_m == (1185, 403)  # the households' centre of its grids
    assert sum(len(c.grids.grids) for c in spec.communities) == 15
    for key in COPIED:  # the baseline's figures, as they are
        assert getattr(spec, key) == getattr(base, key), key
    # departments: the baseline's, cases at once scaled from 51,140 households to 16,400
    assert {k: d.capacity for k, d in spec.departments.items()} == {"urban_management": 2,
                                                                    "justice": 1}
    assert spec.departments["justice"].handling_h == base.departments["justice"].handling_h
    text = out.read_text(encoding="utf-8")
    for line in ("    speed_kmh: 15                # ESTIMATE: e-bike",
                 "travel: {metric: euclidean, detour_factor: 1.3, return_to_base: true}",
                 "    walk_in: true              # served at the service hall (一厅式服务)",
                 "  placeholder: true"):
        assert line in text.splitlines()
    assert "communities.*.office_m" in spec.estimates and "facilities" not in text.split(
        "# Not taken")[0]
    result = sim.run(loaded, replications=1, executor="serial", save=False, progress=False)
    within = result.metric("response_within_target_share", category="public_service")
    assert 0 < within["mean"] <= 1 and result.metric("response_min_mean")["mean"] > 0


def test_a_workbook_or_geojson_gives_the_same_district(tmp_path: Path, grids: Path):
    rows = [line.split(",") for line in grids.read_text(encoding="utf-8").splitlines()]
    book = Workbook()
    book.active.title = "网格"
    for i, row in enumerate(rows):
        book.active.append(row if i == 0 else [row[0], row[1], int(row[2]), float(row[3]),
                                               float(row[4]), *row[5:]])
    book.save(tmp_path / "d.xlsx")
    shutil.copy(EXAMPLES / "district-grids.geojson", tmp_path)
    outs = {}
    for name, source in (("csv", grids), ("xlsx", tmp_path / "d.xlsx"),
                         ("geo", tmp_path / "district-grids.geojson")):
        outs[name] = sim.init_scenario(source, tmp_path / f"{name}.yaml")
    spec = {k: load_scenario(v).scenario for k, v in outs.items()}
    for other in ("xlsx", "geo"):
        assert [(c.id, c.households) for c in spec[other].communities] == [
            (c.id, c.households) for c in spec["csv"].communities]
        assert np.allclose([c.office_m for c in spec[other].communities],
                           [c.office_m for c in spec["csv"].communities], atol=1)


def test_the_shipped_template_is_what_init_writes(tmp_path: Path):
    for name in ("district-grids.csv", "district-communities.csv"):
        shutil.copy(EXAMPLES / name, tmp_path)
    out = sim.init_scenario(tmp_path / "district-grids.csv", tmp_path / "your-district.yaml",
                            name="Your district, three communities with grids",
                            communities=tmp_path / "district-communities.csv")
    assert out.read_text(encoding="utf-8") == (EXAMPLES / "your-district.yaml").read_text(
        encoding="utf-8"), "regenerate the template with the gridsim init line at its top"


def test_a_large_district_still_validates(tmp_path: Path):
    lines = ["grid_id,community_id,households,x_m,y_m"]
    lines += [f"c{c}-{g},c{c},500,{c * 1000 + g * 200},0" for c in range(40) for g in range(10)]
    (tmp_path / "big.csv").write_text("\n".join(lines), encoding="utf-8")
    spec = load_scenario(sim.init_scenario(tmp_path / "big.csv", tmp_path / "big.yaml")).scenario
    assert sum(c.households for c in spec.communities) == 200_000
    assert spec.departments["urban_management"].capacity == 24  # ceil(6 x 200,000 / 51,140)


def test_init_refuses_to_overwrite_and_names_bad_rows(grids: Path, capsys):
    out = grids.parent / "s.yaml"
    out.write_text("mine", encoding="utf-8")
    assert main(["init", "--grids", str(grids), "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"{out}: exists already; choose another output file or delete it")
    assert out.read_text(encoding="utf-8") == "mine"
    grids.write_text(grids.read_text(encoding="utf-8").replace("dongguan-02,dongguan,980",
                                                               "dongguan-02,Dong Guan,980"),
                     encoding="utf-8")
    assert main(["init", "--grids", str(grids), "--out", str(out), "--force"]) == 2
    assert capsys.readouterr().err.strip().startswith(
        f"{grids}: row 3: community_id: must be a code name")
    assert out.read_text(encoding="utf-8") == "mine" and len(list(grids.parent.iterdir())) == 2
