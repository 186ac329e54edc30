"""Grids: lattice and table layouts, grid files (CSV, GeoJSON), their messages, distances."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import from_mapping, load_scenario
from sim.scenario.gridfiles import (
    WGS84_A,
    WGS84_E2,
    geojson_origin,
    inline_grid_file,
    project_lonlat,
    unproject_lonlat,
)
from sim.scenario.grids import (
    MEAN_DISTANCE_UNIT_SQUARE,
    build_grids,
    distance_m,
    largest_remainder,
    within_grid_distance_m,
)

EXAMPLES = ROOT / "scenarios" / "examples"

BASE = """\
name: grids test
horizon: {days: 20, warmup_days: 1}
grid_file: GRIDFILE
communities:
  - {id: a, households: 3000, office_m: [0, 0]}
  - {id: b, households: 2000}
demand:
  livelihood:
    per_1000_households_per_year: 100
    handling_min: {lognormal: {mean: 60, cv: 0.8}}
"""

HEADER = "grid_id,community_id,households,x_m,y_m"
GOOD_CSV = f"{HEADER}\ng1,a,1000,0,0\ng2,a,2000,300,0\n"


def community(cid: str = "a", households: int = 3000, **extra) -> dict:
    return {"id": cid, "households": households, **extra}


def scenario(*communities: dict):
    return from_mapping({
        "name": "grids",
        "communities": list(communities),
        "demand": {"livelihood": {"per_1000_households_per_year": 10,
                                  "handling_min": {"exponential": {"mean": 30}}}},
    }).scenario


def write_scenario(folder: Path, grid_name: str, grid_text: str | None,
                   base: str = BASE) -> tuple[Path, Path]:
    """A scenario naming ``grid_name`` beside it, and the grid file (unless text is None)."""
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "scenario.yaml"
    file.write_text(base.replace("GRIDFILE", grid_name), encoding="utf-8")
    grid = folder / grid_name
    if grid_text is not None:
        grid.write_text(grid_text, encoding="utf-8")
    return file, grid


def square(x0: float, y0: float, side: float) -> list:
    return [[[x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side], [x0, y0]]]


def feature(grid_id: str | None, community_id: str, households, geometry, **props) -> dict:
    properties = {"community_id": community_id, "households": households, **props}
    if grid_id is not None:
        properties["grid_id"] = grid_id
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features: dict, **extra) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **extra})


def polygon(coordinates: list) -> dict:
    return {"type": "Polygon", "coordinates": coordinates}


# Projected metres (UTM-like numbers, outside the lon/lat range).
E0, N0 = 500_000.0, 3_900_000.0


def inline_geojson(tmp_path: Path, text: str, households: int) -> list[dict]:
    """The grid items a GeoJSON text gives community 'a' of ``households`` households."""
    path = tmp_path / "grids.geojson"
    path.write_text(text, encoding="utf-8")
    data = {"communities": [community(households=households)]}
    inline_grid_file(data, path, "scenario.yaml")
    return data["communities"][0]["grids"]["grids"]


# ---------------------------------------------------------------- lattice


def test_lattice_ids_positions_and_even_households():
    lattice = {"layout": "lattice", "rows": 2, "cols": 10, "spacing_m": 200}
    grids = build_grids(scenario(community(households=3001, office_m=[100, 50],
                                           grids=lattice)))
    assert len(grids) == 20
    assert grids.ids[:3] == ("a-r1c01", "a-r1c02", "a-r1c03")
    assert grids.ids[-1] == "a-r2c10"
    # centred on the office; row 1 north, column 1 west
    assert grids.x_m[0] == pytest.approx(100 - 4.5 * 200)
    assert grids.y_m[0] == pytest.approx(50 + 0.5 * 200)
    assert grids.x_m[9] == pytest.approx(100 + 4.5 * 200)
    assert grids.y_m[10] == pytest.approx(50 - 0.5 * 200)
    assert grids.x_m.mean() == pytest.approx(100) and grids.y_m.mean() == pytest.approx(50)
    assert np.all(grids.area_m2 == 200.0**2)
    # 3001 = 20 x 150 + 1: the one left goes to the first grid (ties: the earlier)
    assert grids.households.sum() == 3001
    assert grids.households[0] == 151 and set(grids.households[1:]) == {150}
    assert np.all(grids.issue_weight == 1.0) and np.all(grids.building_heads)


def test_lattice_zero_padding_follows_rows_and_cols_separately():
    lattice = {"layout": "lattice", "rows": 12, "cols": 3, "spacing_m": 100}
    ids = build_grids(scenario(community(grids=lattice))).ids
    assert ids[0] == "a-r01c1" and ids[-1] == "a-r12c3" and len(set(ids)) == 36


def test_largest_remainder_on_an_awkward_split():
    # quotas 2.8, 1.4, 1.4, 1.4: floors 2+1+1+1 = 5, the 2 left go to .8 then the first .4
    assert largest_remainder(7, [2, 1, 1, 1]) == [3, 2, 1, 1]
    assert largest_remainder(1000, [1, 1, 1]) == [334, 333, 333]
    assert largest_remainder(10, [0.1] * 10) == [1] * 10  # exact quotas stay exact
    assert largest_remainder(5, [0, 1, 0]) == [0, 5, 0]
    rng = np.random.default_rng(7)
    for _ in range(200):
        weights = list(rng.uniform(0, 3, size=rng.integers(1, 30)))
        total = int(rng.integers(0, 20_000))
        shares = largest_remainder(total, weights)
        quotas = total * np.array(weights) / sum(weights)
        assert sum(shares) == total
        assert np.all(np.abs(np.array(shares) - quotas) < 1)


def test_lattice_household_and_issue_weights():
    lattice = {"layout": "lattice", "rows": 2, "cols": 2, "spacing_m": 300,
               "household_weights": [2, 1, 1, 1], "issue_weights": [1.5, 1, 0, 2],
               "building_heads": False}
    grids = build_grids(scenario(community(households=7, grids=lattice)))
    assert list(grids.households) == [3, 2, 1, 1]
    assert list(grids.issue_weight) == [1.5, 1.0, 0.0, 2.0]
    assert not grids.building_heads.any()


# ---------------------------------------------------------------- table and defaults


def test_table_area_defaults_and_community_without_grids():
    table = {"layout": "table", "grids": [
        {"id": "t1", "households": 1000, "x_m": 0, "y_m": 0},
        {"id": "t2", "households": 1000, "x_m": 300, "y_m": 0},
        {"id": "t3", "households": 500, "x_m": 0, "y_m": 400},
        {"id": "t4", "households": 500, "x_m": 5000, "y_m": 0, "area_m2": 1234,
         "issue_weight": 1.4, "building_heads": False},
    ]}
    lone = {"layout": "table", "grids": [{"id": "l1", "households": 1234, "x_m": 9, "y_m": 9}]}
    s = scenario(community("a", 3000, grids=table), community("b", 1234, grids=lone),
                 community("c", 800, office_m=[50, -70]))
    grids = build_grids(s)
    assert grids.ids == ("t1", "t2", "t3", "t4", "l1", "c")
    # nearest other centre of the same community, squared; explicit areas are kept
    assert list(grids.area_m2[:4]) == [300.0**2, 300.0**2, 400.0**2, 1234.0]
    assert grids.area_m2[4] == 1234 * 100.0  # a lone grid: households x 100 m²
    assert grids.issue_weight[3] == 1.4 and not grids.building_heads[3]
    # no grids: one grid named after the community, at its office, households x 100 m²
    c = grids.index("c")
    assert (grids.households[c], grids.x_m[c], grids.y_m[c]) == (800, 50.0, -70.0)
    assert grids.area_m2[c] == 80_000.0
    assert list(grids.of_community(0)) == [0, 1, 2, 3]
    assert list(grids.of_community(2)) == [5]
    assert list(grids.community) == [0, 0, 0, 0, 1, 2]
    with pytest.raises(ValueError):
        grids.households[0] = 5  # read-only


def test_grid_ids_must_be_unique_across_layouts():
    lattice = {"layout": "lattice", "rows": 1, "cols": 1, "spacing_m": 100}
    clash = {"layout": "table", "grids": [{"id": "a-r1c1", "households": 10, "x_m": 0,
                                           "y_m": 0}]}
    with pytest.raises(ScenarioError, match="<mapping>: communities: grid id 'a-r1c1' appears "
                                            r"more than once \(communities 'a' and 'b'"):
        scenario(community("a", grids=lattice), community("b", 10, grids=clash))


# ---------------------------------------------------------------- distances


def test_distance_is_vectorised_for_both_metrics():
    x2 = np.array([3.0, 0.0, -3.0])
    y2 = np.array([4.0, 0.0, -4.0])
    assert list(distance_m(0, 0, x2, y2)) == [5.0, 0.0, 5.0]
    assert list(distance_m(0, 0, x2, y2, "manhattan")) == [7.0, 0.0, 7.0]
    table = distance_m(x2[:, None], y2[:, None], x2[None, :], y2[None, :])
    assert table.shape == (3, 3) and table[0, 2] == 10.0
    with pytest.raises(ValueError, match="unknown metric"):
        distance_m(0, 0, 1, 1, "chebyshev")


def test_within_grid_distance_matches_monte_carlo():
    """Mean distance of two uniform points in a square of area A, against a seeded estimate.

    The tolerance is 4 standard errors of the estimate (from the sample), so a correct
    constant fails with probability ~6e-5 and the seed makes the test deterministic anyway.
    """
    assert abs(MEAN_DISTANCE_UNIT_SQUARE - 0.521405433) < 1e-9
    area = 2500.0  # a 50 m square
    side = math.sqrt(area)
    rng = np.random.default_rng(20261127)
    n = 400_000
    p, q = rng.uniform(0, side, size=(2, n, 2))
    for metric in ("euclidean", "manhattan"):
        d = distance_m(p[:, 0], p[:, 1], q[:, 0], q[:, 1], metric)
        tolerance = 4 * d.std(ddof=1) / math.sqrt(n)
        assert abs(d.mean() - within_grid_distance_m(area, metric)) < tolerance, metric
    assert within_grid_distance_m(area, "manhattan") == pytest.approx(2 / 3 * side)
    assert list(within_grid_distance_m([1.0, 4.0])) == pytest.approx(
        [MEAN_DISTANCE_UNIT_SQUARE, 2 * MEAN_DISTANCE_UNIT_SQUARE])


# ---------------------------------------------------------------- GeoJSON geometry


def test_geojson_square_centroid_and_area_in_metres(tmp_path: Path):
    text = collection(feature("sq", "a", 3000, polygon(square(E0, N0, 100))))
    (item,) = inline_geojson(tmp_path, text, 3000)
    assert item == {"id": "sq", "households": 3000, "x_m": pytest.approx(E0 + 50),
                    "y_m": pytest.approx(N0 + 50), "area_m2": pytest.approx(10_000)}


def test_geojson_l_shape_and_multipolygon(tmp_path: Path):
    # an L of three 100 m squares: area 30000, centroid (250/3, 250/3) from the corner
    ell = [[[0, 0], [200, 0], [200, 100], [100, 100], [100, 200], [0, 200], [0, 0]]]
    ell = [[[E0 + x, N0 + y] for x, y in ell[0]]]
    # two squares 100 m and 200 m: area 50000, centroid weighted by area
    multi = {"type": "MultiPolygon",
             "coordinates": [square(E0 + 1000, N0, 100), square(E0 + 2000, N0, 200)]}
    text = collection(feature("ell", "a", 1000, polygon(ell)),
                      feature("multi", "a", 2000, multi, issue_weight=1.2,
                              building_heads="no"))
    ell_item, multi_item = inline_geojson(tmp_path, text, 3000)
    assert ell_item["area_m2"] == pytest.approx(30_000)
    assert ell_item["x_m"] == pytest.approx(E0 + 250 / 3)
    assert ell_item["y_m"] == pytest.approx(N0 + 250 / 3)
    assert multi_item["area_m2"] == pytest.approx(50_000)
    assert multi_item["x_m"] == pytest.approx(E0 + (10_000 * 1050 + 40_000 * 2100) / 50_000)
    assert multi_item["y_m"] == pytest.approx(N0 + (10_000 * 50 + 40_000 * 100) / 50_000)
    assert multi_item["issue_weight"] == 1.2 and multi_item["building_heads"] is False


def test_geojson_area_property_overrides_the_geometry(tmp_path: Path):
    text = collection(feature("sq", "a", 3000, polygon(square(E0, N0, 100)), area_m2=8000))
    (item,) = inline_geojson(tmp_path, text, 3000)
    assert item["area_m2"] == 8000


def _quadrangle_area(lat1: float, lat2: float, dlon: float) -> float:
    """Exact area (m²) of a lon/lat quadrangle on the WGS84 ellipsoid (Snyder 1987, eq. 3-12)."""
    e = math.sqrt(WGS84_E2)

    def q(lat: float) -> float:
        s = math.sin(math.radians(lat))
        return (1 - WGS84_E2) * (s / (1 - WGS84_E2 * s * s)
                                 - math.log((1 - e * s) / (1 + e * s)) / (2 * e))

    return WGS84_A**2 / 2 * math.radians(dlon) * (q(lat2) - q(lat1))


@pytest.mark.parametrize("lat", [0.0, 35.18, 60.0])
def test_lonlat_square_is_projected(tmp_path: Path, lat: float):
    text = collection(feature("deg", "a", 3000, polygon(square(109.9, lat, 0.01))))
    (item,) = inline_geojson(tmp_path, text, 3000)
    exact = _quadrangle_area(lat, lat + 0.01, 0.01)  # about 1 km²
    assert abs(item["area_m2"] / exact - 1) < 0.005  # the brief's bound
    assert abs(item["area_m2"] / exact - 1) < 1e-6  # what the local projection achieves
    # the origin is the middle of the collection's bounding box
    assert abs(item["x_m"]) < 1e-6 and abs(item["y_m"]) < 1e-6


def test_small_metre_coordinates_with_a_projected_crs_stay_metres(tmp_path: Path):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32649"}}
    text = collection(feature("sq", "a", 3000, polygon(square(10, 20, 50))), crs=crs)
    (item,) = inline_geojson(tmp_path, text, 3000)
    assert item["area_m2"] == pytest.approx(2500) and item["x_m"] == pytest.approx(35)
    crs84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    text = collection(feature("sq", "a", 3000, polygon(square(10, 20, 0.01))), crs=crs84)
    (item,) = inline_geojson(tmp_path, text, 3000)
    assert item["area_m2"] == pytest.approx(_quadrangle_area(20, 20.01, 0.01), rel=1e-6)


# ---------------------------------------------------------------- loading scenarios


def test_csv_is_inlined_relative_to_the_scenario(tmp_path: Path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "grids.csv").write_text(
        "grid_id,community_id,households,x_m,y_m,area_m2,issue_weight,building_heads,name\n"
        "g1,a,1000,0,0,,1.5,no,东一\n"
        "\n"
        "g2,a,2000,300,0,90000,,yes,东二\n", encoding="utf-8")
    file, _ = write_scenario(tmp_path / "scenarios", "../data/grids.csv", None)
    loaded = load_scenario(file)
    a, b = loaded.scenario.communities
    assert b.grids is None
    assert a.grids.layout == "table"
    assert [g.model_dump() for g in a.grids.grids] == [
        {"id": "g1", "name": "东一", "households": 1000, "x_m": 0.0, "y_m": 0.0,
         "area_m2": None, "issue_weight": 1.5, "building_heads": False, "elderly_share": None},
        {"id": "g2", "name": "东二", "households": 2000, "x_m": 300.0, "y_m": 0.0,
         "area_m2": 90000.0, "issue_weight": 1.0, "building_heads": True, "elderly_share": None},
    ]
    assert "grid_file" not in loaded.data  # inlined: run folders store the grids themselves
    grids = build_grids(loaded.scenario)
    assert grids.ids == ("g1", "g2", "b") and list(grids.area_m2[:2]) == [90000.0, 90000.0]


def test_grid_file_of_an_extended_scenario_is_relative_to_that_file(tmp_path: Path):
    parent, _ = write_scenario(tmp_path / "base", "grids.csv", GOOD_CSV)
    child = tmp_path / "variants" / "more.yaml"
    child.parent.mkdir()
    child.write_text("extends: ../base/scenario.yaml\nname: variant\n", encoding="utf-8")
    grids = load_scenario(child).scenario.communities[0].grids
    assert [g.id for g in grids.grids] == ["g1", "g2"]
    # a child naming its own grid file: relative to the child
    (child.parent / "own.csv").write_text(f"{HEADER}\nown,a,3000,0,0\n", encoding="utf-8")
    child.write_text("extends: ../base/scenario.yaml\ngrid_file: own.csv\n", encoding="utf-8")
    grids = load_scenario(child).scenario.communities[0].grids
    assert [g.id for g in grids.grids] == ["own"]


def test_example_scenario_loads_and_its_geojson_gives_the_same_grids(tmp_path: Path, capsys):
    example = EXAMPLES / "your-district.yaml"
    assert main(["validate", str(example)]) == 0
    assert "ok" in capsys.readouterr().out
    from_csv = build_grids(load_scenario(example).scenario)
    assert len(from_csv) == 15 and from_csv.households.sum() == 16_400
    variant = tmp_path / "geo.yaml"
    variant.write_text(f"extends: {example}\ngrid_file: {EXAMPLES / 'district-grids.geojson'}\n",
                       encoding="utf-8")
    from_geojson = build_grids(load_scenario(variant).scenario)
    assert from_geojson.ids == from_csv.ids
    assert np.array_equal(from_geojson.households, from_csv.households)
    assert np.array_equal(from_geojson.issue_weight, from_csv.issue_weight)
    assert np.array_equal(from_geojson.building_heads, from_csv.building_heads)
    # lon/lat rounded to 7 decimals (about 1 cm)
    assert np.allclose(from_geojson.x_m, from_csv.x_m, atol=0.02)
    assert np.allclose(from_geojson.y_m, from_csv.y_m, atol=0.02)
    assert np.allclose(from_geojson.area_m2, from_csv.area_m2, rtol=1e-4)


def test_offices_can_be_placed_in_the_frame_of_a_lonlat_file(tmp_path: Path):
    lon0, lat0 = geojson_origin(EXAMPLES / "district-grids.geojson")
    assert (lon0, lat0) == pytest.approx((109.93, 35.18), abs=1e-6)
    lon, lat = unproject_lonlat(1200, 400, 109.93, 35.18)  # dongguan's office
    assert np.allclose(project_lonlat(lon, lat, lon0, lat0), (1200, 400), atol=0.02)
    metres = tmp_path / "m.geojson"
    metres.write_text(collection(feature("sq", "a", 1, polygon(square(E0, N0, 100)))))
    assert geojson_origin(metres) is None


# ---------------------------------------------------------------- mistakes

SQ = polygon(square(E0, N0, 100))
BOWTIE = polygon([[[E0, N0], [E0 + 100, N0 + 100], [E0 + 100, N0], [E0, N0 + 100], [E0, N0]]])


def _geo(*features: dict) -> str:
    return collection(*features)


# kind: (grid file name, its text or None, expected lines with {grid} and {scenario})
MISTAKES = {
    "no such file": ("absent.csv", None,
                     ["{grid}: no such file (named by grid_file in {scenario})"]),
    "unknown file type": ("grids.txt", "x",
                          ["{grid}: unknown grid file type '.txt': use .csv, .xlsx, .geojson or "
                           ".json (named by grid_file in {scenario})"]),
    "old Excel format": ("grids.xls", "x",
                         ["{grid}: unknown grid file type '.xls': use .csv, .xlsx, .geojson or "
                          ".json (named by grid_file in {scenario}); save an .xls workbook as "
                          ".xlsx from Excel"]),
    "empty file": ("grids.csv", "",
                   ["{grid}: empty file (expected a header line: grid_id, community_id, "
                    "households, x_m, y_m)"]),
    "header only": ("grids.csv", HEADER + "\n", ["{grid}: no grid rows after the header"]),
    "missing columns": ("grids.csv", "grid_id,community_id,households\ng1,a,3000\n",
                        ["{grid}: missing columns: x_m, y_m"]),
    "semicolons": ("grids.csv", HEADER.replace(",", ";") + "\ng1;a;3000;0;0\n",
                   ["{grid}: missing columns: grid_id, community_id, households, x_m, y_m "
                    "(the header seems separated by ';'; use commas)"]),
    "misspelt column": ("grids.csv", HEADER + ",issue_wieght\ng1,a,3000,0,0,2\n",
                        ["{grid}: unknown column 'issue_wieght'; did you mean 'issue_weight'?"]),
    "duplicate grid id": ("grids.csv", f"{HEADER}\ng1,a,1000,0,0\ng2,a,1000,0,0\ng1,a,1000,0,0\n",
                          ["{grid}: row 4: grid_id: duplicate of row 2 (got 'g1')"]),
    "negative households": ("grids.csv", f"{HEADER}\ng1,a,-5,0,0\n",
                            ["{grid}: row 2: households: must not be negative (got '-5')"]),
    "non-integer households": ("grids.csv", f"{HEADER}\ng1,a,12.5,0,0\n",
                               ["{grid}: row 2: households: must be a whole number of households "
                                "(got '12.5')"]),
    "missing households": ("grids.csv", f"{HEADER}\ng1,a,,0,0\n",
                           ["{grid}: row 2: households: missing"]),
    "non-numeric coordinate": ("grids.csv", f"{HEADER}\ng1,a,3000,east,0\n",
                               ["{grid}: row 2: x_m: not a number (got 'east')"]),
    "bad grid id": ("grids.csv", f"{HEADER}\ngrid 1,a,3000,0,0\n",
                    ["{grid}: row 2: grid_id: must be 1-60 letters (of any script), digits, '_', "
                     "'.' or '-', starting with a letter or digit (got 'grid 1')"]),
    "bad building_heads": ("grids.csv", f"{HEADER},building_heads\ng1,a,3000,0,0,maybe\n",
                           ["{grid}: row 2: building_heads: must be true/false, yes/no or 1/0 "
                            "(got 'maybe')"]),
    "negative issue weight": ("grids.csv", f"{HEADER},issue_weight\ng1,a,3000,0,0,-1\n",
                              ["{grid}: row 2: issue_weight: must not be negative (got '-1')"]),
    "too many cells": ("grids.csv", f"{HEADER}\ng1,a,3000,0,0,7\n",
                       ["{grid}: row 2: has 6 cells but the header has 5 columns"]),
    "unknown community": ("grids.csv", f"{HEADER}\ng1,a,3000,0,0\ng2,c,10,0,0\n",
                          ["{grid}: row 3: community_id: unknown community (got 'c'; known in "
                           "{scenario}: a, b)"]),
    "households do not add up": ("grids.csv", f"{HEADER}\ng1,a,1000,0,0\ng2,a,1900,0,0\n",
                                 ["{grid}: community 'a': its 2 grids hold 2900 households but "
                                  "{scenario} gives the community 3000"]),
    "grids twice": ("grids.csv", f"{HEADER}\ng1,b,2000,0,0\ng2,a,3000,0,0\n",
                    ["{grid}: community 'b': has rows here and its own grids in {scenario}; "
                     "give its grids in one place"]),
    "every problem at once": (
        "grids.csv",
        f"{HEADER}\ng1,a,-1,0,0\ng2,a,1,north,0\ng1,zz,5,0,0\n",
        ["{grid}: row 2: households: must not be negative (got '-1')",
         "{grid}: row 3: x_m: not a number (got 'north')",
         "{grid}: row 4: grid_id: duplicate of row 2 (got 'g1')",
         "{grid}: row 4: community_id: unknown community (got 'zz'; known in {scenario}: a, b)"],
    ),
    "malformed GeoJSON": ("grids.geojson", '{"type": "FeatureCollection", "features": [\n',
                          ["{grid}: malformed GeoJSON: line 2, column 1: Expecting value"]),
    "not a FeatureCollection": ("grids.geojson", json.dumps({"type": "Feature"}),
                                ["{grid}: malformed GeoJSON: expected a FeatureCollection "
                                 "(got 'Feature')"]),
    "no features": ("grids.geojson", _geo(), ["{grid}: no features in the FeatureCollection"]),
    "missing property": ("grids.geojson", _geo(feature("g1", "a", None, SQ)),
                         ["{grid}: feature 1 (grid_id g1): households: missing"]),
    "missing grid_id property": ("grids.geojson", _geo(feature(None, "a", 3000, SQ)),
                                 ["{grid}: feature 1: grid_id: missing"]),
    "duplicate feature id": ("grids.geojson",
                             _geo(feature("g1", "a", 1500, SQ), feature("g1", "a", 1500, SQ)),
                             ["{grid}: feature 2 (grid_id g1): grid_id: duplicate of feature 1 "
                              "(got 'g1')"]),
    "non-integer households property": (
        "grids.geojson", _geo(feature("g1", "a", 2999.5, SQ)),
        ["{grid}: feature 1 (grid_id g1): households: must be a whole number of households "
         "(got 2999.5)"]),
    "unknown community property": (
        "grids.geojson", _geo(feature("g1", "a", 3000, SQ), feature("g2", "x", 1, SQ)),
        ["{grid}: feature 2 (grid_id g2): community_id: unknown community (got 'x'; known in "
         "{scenario}: a, b)"]),
    "point geometry": ("grids.geojson",
                       _geo(feature("g1", "a", 3000, {"type": "Point", "coordinates": [E0, N0]})),
                       ["{grid}: feature 1 (grid_id g1): geometry: must be a Polygon or "
                        "MultiPolygon (got Point)"]),
    "missing geometry": ("grids.geojson", _geo(feature("g1", "a", 3000, None)),
                         ["{grid}: feature 1 (grid_id g1): geometry: missing (a Polygon or "
                          "MultiPolygon is needed)"]),
    "self-intersecting polygon": ("grids.geojson", _geo(feature("g1", "a", 3000, BOWTIE)),
                                  ["{grid}: feature 1 (grid_id g1): geometry: invalid Polygon: "
                                   "Self-intersection[500050 3900050]"]),
    "empty polygon": ("grids.geojson", _geo(feature("g1", "a", 3000, polygon([]))),
                      ["{grid}: feature 1 (grid_id g1): geometry: empty Polygon"]),
    "bad coordinates": ("grids.geojson",
                        _geo(feature("g1", "a", 3000, polygon([[[E0, N0], ["x", 1], [0, 0]]]))),
                        ["{grid}: feature 1 (grid_id g1): geometry: invalid coordinates (could "
                         "not convert string to float: 'x')"]),
}


@pytest.mark.parametrize("kind", MISTAKES)
def test_grid_file_mistake_is_named_and_exits_2(kind: str, tmp_path: Path, capsys):
    name, text, expected = MISTAKES[kind]
    base = BASE
    if kind == "grids twice":
        base = BASE.replace("{id: b, households: 2000}",
                            "{id: b, households: 2000, grids: {layout: lattice, rows: 1, cols: 2,"
                            " spacing_m: 100}}")
    file, grid = write_scenario(tmp_path, name, text, base)
    assert main(["validate", str(file)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    for line in expected:
        assert line.format(grid=grid, scenario=file) in lines, err
    assert len(lines) == len(expected), err  # each problem once, nothing else
