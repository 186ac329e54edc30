"""Tables in files: grids, communities and the pay table from CSV (UTF-8 or GBK) and Excel; the
same scenario whichever way they come; every bad table named by file, sheet, row and column;
``replace:`` beside ``extends:``; warnings for what a scenario leaves out."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import BASELINE, ROOT
from openpyxl import Workbook

from sim.cli import main
from sim.errors import ScenarioError, ScenarioWarning
from sim.scenario import load_scenario
from sim.scenario.governance import VolunteerRole
from sim.scenario.grids import build_grids
from sim.scenario.tablefiles import POST_ORDER, pay_rows

EXAMPLES = ROOT / "scenarios" / "examples"
GRID_COLUMNS = ("grid_id", "community_id", "households", "x_m", "y_m", "area_m2",
                "issue_weight", "building_heads", "elderly_share")


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], merge: str | None = None) -> Path:
    """A workbook of ``sheets`` (name -> rows, the first the header)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
        if merge:
            ws.merge_cells(merge)
    book.save(path)
    return path


def baseline_grid_rows() -> list[list[Any]]:
    """The baseline's grids (its lattices laid out) as a grid table, header first."""
    spec = load_scenario(BASELINE).scenario
    grids = build_grids(spec)
    rows: list[list[Any]] = [list(GRID_COLUMNS)]
    for g, grid_id in enumerate(grids.ids):
        share = float(grids.elderly_share[g])
        rows.append([grid_id, spec.communities[int(grids.community[g])].id,
                     int(grids.households[g]), float(grids.x_m[g]), float(grids.y_m[g]),
                     float(grids.area_m2[g]), float(grids.issue_weight[g]),
                     bool(grids.building_heads[g]), None if math.isnan(share) else share])
    return rows


def csv_text(rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        return "" if v is None else ("true" if v is True else "false" if v is False else
                                     repr(v) if isinstance(v, float) else str(v))
    return "".join(",".join(cell(v) for v in row) + "\n" for row in rows)


def variant(folder: Path, text: str, name: str = "district.yaml") -> Path:
    file = folder / name
    file.write_text(f"extends: {BASELINE}\n{text}", encoding="utf-8")
    return file


# ---------------------------------------------------------------- the same scenario either way


def test_baseline_grids_through_excel_and_csv_give_one_digest(tmp_path: Path):
    rows = baseline_grid_rows()
    write_xlsx(tmp_path / "grids.xlsx", {"Sheet1": [["ignored"]], "网格": rows})
    (tmp_path / "grids.csv").write_text(csv_text(rows), encoding="utf-8")
    # the grid file replaces the lattices the communities inherit (no `grids: null` needed)
    from_excel = load_scenario(variant(tmp_path, "grid_file: grids.xlsx\n", "x.yaml"))
    from_csv = load_scenario(variant(tmp_path, "grid_file: grids.csv\n", "c.yaml"))
    assert from_excel.digest() == from_csv.digest()
    assert from_excel.tables == ["grid_file: grids.xlsx, sheet '网格' (Excel workbook)"]
    lattice, table = build_grids(load_scenario(BASELINE).scenario), build_grids(
        from_excel.scenario)
    assert table.ids == lattice.ids and len(table) == len(rows) - 1
    for column in ("community", "households", "x_m", "y_m", "area_m2", "issue_weight",
                   "building_heads"):
        assert np.array_equal(getattr(table, column), getattr(lattice, column)), column
    # and the same digest as the grids written inline, in the scenario itself
    inline = from_excel.with_overrides({"communities": from_excel.data["communities"]})
    assert inline.digest() == from_excel.digest()


def test_one_workbook_of_communities_grids_and_pay_gives_the_baseline(tmp_path: Path):
    base = load_scenario(BASELINE)
    spec = base.scenario
    communities = [["community_id", "name", "households", "office_x_m", "office_y_m",
                    "elderly_share"]]
    communities += [[c.id, c.name, c.households, c.office_m[0], c.office_m[1], c.elderly_share]
                    for c in spec.communities]
    pay = [["grade", "grade_pay", *POST_ORDER]]
    pay += [[r["grade"], r["grade_pay"], *(r[p] for p in POST_ORDER)] for r in pay_rows(spec.pay)]
    write_xlsx(tmp_path / "district.xlsx", {"communities": communities, "pay": pay,
                                            "grids": baseline_grid_rows()})
    text = ("replace: [communities]\ncommunities_file: district.xlsx\ngrid_file: district.xlsx\n"
            "pay_file: {path: district.xlsx, sheet: pay}\n")
    loaded = load_scenario(variant(tmp_path, text))
    assert [t.split(" (")[0] for t in loaded.tables] == [
        "communities_file: district.xlsx, sheet 'communities'",
        "pay_file: district.xlsx, sheet 'pay'", "grid_file: district.xlsx, sheet 'grids'"]
    with_tables = base.with_overrides({"communities": loaded.data["communities"]})
    assert loaded.digest() == with_tables.digest()
    assert loaded.scenario.pay == spec.pay


def test_a_gbk_csv_reads_and_says_so(tmp_path: Path, capsys):
    text = (EXAMPLES / "district-grids.csv").read_text(encoding="utf-8")
    (tmp_path / "district-grids.csv").write_bytes(text.encode("gbk"))
    scenario = (EXAMPLES / "your-district.yaml").read_text(encoding="utf-8")
    (tmp_path / "d.yaml").write_text(scenario, encoding="utf-8")
    (tmp_path / "district-communities.csv").write_bytes(
        (EXAMPLES / "district-communities.csv").read_bytes())
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    gbk = load_scenario(tmp_path / "d.yaml")
    assert gbk.tables[-1] == "grid_file: district-grids.csv (GB18030)"
    names = {g.name for c in gbk.scenario.communities for g in c.grids.grids}
    assert "东关一网格" in names
    (tmp_path / "b.yaml").write_text(scenario.replace("grid_file: district-grids.csv",
                                                      "grid_file: bom.csv"),
                                     encoding="utf-8")
    bom = load_scenario(tmp_path / "b.yaml")
    assert bom.tables[-1] == "grid_file: bom.csv (UTF-8 with BOM)"
    assert bom.digest() == gbk.digest()
    assert main(["validate", str(tmp_path / "d.yaml")]) == 0
    assert "  grid_file: district-grids.csv (GB18030)" in capsys.readouterr().out.splitlines()


def test_a_communities_csv_in_gbk_with_rows_merged_by_id(tmp_path: Path):
    (tmp_path / "c.csv").write_bytes(
        "community_id,name,households,office_x_m,office_y_m\n"
        "dongguan,东关社区,6200,1200,400\nxiguan,西关社区,5400,-1200,400\n".encode("gbk"))
    file = variant(tmp_path, "replace: [communities]\ncommunities_file: c.csv\n"
                             "communities:\n  - {id: xiguan, community_workers: 3}\n")
    loaded = load_scenario(file)
    a, b = loaded.scenario.communities
    assert (a.id, a.name, a.households, a.office_m, a.grids) == ("dongguan", "东关社区", 6200,
                                                                 (1200.0, 400.0), None)
    assert (b.name, b.community_workers) == ("西关社区", 3)
    assert loaded.tables == ["communities_file: c.csv (GB18030)"]


# ---------------------------------------------------------------- replace: beside extends:


def test_extends_merges_communities_unless_replaced(tmp_path: Path):
    two = ("communities:\n  - {id: hongqi, name: 红旗社区, households: 3000}\n"
           "  - {id: xinmin, name: 新民社区, households: 2500}\n")
    merged = load_scenario(variant(tmp_path, two, "m.yaml"))
    assert len(merged.scenario.communities) == 12  # the base's ten and the two, merged by id
    replaced = load_scenario(variant(tmp_path, "replace: [communities]\n" + two, "r.yaml"))
    assert [c.id for c in replaced.scenario.communities] == ["hongqi", "xinmin"]
    # a nested key: volunteers only on micro-wishes, with the base's calendar gone
    loaded = load_scenario(variant(
        tmp_path, "replace: [staffing.volunteers]\nstaffing:\n  volunteers: {per_1000_households:"
        " 1, categories: [micro_wish], calendar: always}\n", "v.yaml"))
    assert loaded.scenario.staffing.volunteers == VolunteerRole(
        per_1000_households=1, categories=["micro_wish"], calendar="always")  # nothing merged
    assert loaded.scenario.staffing.community_workers.households_per_worker == 3000


@pytest.mark.parametrize(("text", "message"), [
    ("replace: [communities]\n", "replace: 'communities' is not given in this file (a replaced "
                                 "key takes this file's value whole)"),
    ("replace: {communities: true}\n", "replace: must be a list of keys, e.g. "
                                       "[communities, demand]"),
])
def test_replace_mistakes_are_named(tmp_path: Path, text: str, message: str, capsys):
    file = variant(tmp_path, text)
    assert main(["validate", str(file)]) == 2
    assert capsys.readouterr().err.strip() == f"{file}: {message}"


def test_replace_without_extends_is_refused(tmp_path: Path):
    file = tmp_path / "s.yaml"
    file.write_text("replace: [communities]\n" + BASELINE.read_text(encoding="utf-8"),
                    encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"s.yaml: replace: only with extends"):
        load_scenario(file)


# ---------------------------------------------------------------- what a scenario leaves out

MINIMAL = """\
name: minimal
communities: [{id: a, households: 3000}]
demand:
  livelihood: {per_1000_households_per_year: 100, handling_min: {exponential: {mean: 60}}}
"""


def test_left_out_calendars_and_travel_are_warned(tmp_path: Path, capsys):
    file = tmp_path / "minimal.yaml"
    file.write_text(MINIMAL, encoding="utf-8")
    with pytest.warns(ScenarioWarning) as caught:
        loaded = load_scenario(file)
    assert [str(w.message) for w in caught] == loaded.warnings
    assert loaded.warnings == [
        f"{file}: staffing.community_workers.calendar: not given, so the 1 community workers "
        "are assumed on duty around the clock, every day (`always`); give their calendar (the "
        "baseline's office hours: mon-fri 08:00-12:00, 14:00-18:00) or write `calendar: always`",
        f"{file}: travel: not given, so responders are assumed on the spot the moment they "
        "start (no travel time: response equals the wait); give `travel: {metric: euclidean, "
        "detour_factor: 1.3}` (the baseline's) or write `travel: null`"]
    assert main(["validate", str(file)]) == 0
    assert capsys.readouterr().err.splitlines() == [f"warning: {w}" for w in loaded.warnings]
    out = tmp_path / "run"
    assert main(["run", str(file), "-n", "1", "--executor", "serial", "-q", "--out",
                 str(out)]) == 0
    assert capsys.readouterr().err.splitlines()[:2] == [f"warning: {w}" for w in
                                                        loaded.warnings]
    # said on purpose: no warning
    file.write_text(MINIMAL + "staffing: {community_workers: {calendar: always}}\n"
                    "travel: null\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_scenario(file).warnings == []


def test_the_shipped_scenarios_leave_nothing_to_assume():
    for file in [*sorted((ROOT / "scenarios").glob("*.yaml")), EXAMPLES / "your-district.yaml"]:
        assert load_scenario(file).warnings == [], file


# ---------------------------------------------------------------- bad tables


GOOD_GRIDS = [list(GRID_COLUMNS[:5]), ["g1", "dongguan", 6200, 0, 0]]


def _one_community(folder: Path, key_and_file: str) -> Path:
    return variant(folder, "replace: [communities]\ncommunities: [{id: dongguan, households: "
                           f"6200}}]\n{key_and_file}\n")


@pytest.mark.parametrize("kind", ["no such sheet", "missing column", "merged header",
                                  "empty header", "bad cell", "which sheet"])
def test_a_bad_grid_sheet_names_file_sheet_row_and_column(tmp_path: Path, kind: str, capsys):
    book = tmp_path / "grids.xlsx"
    ref = "grid_file: grids.xlsx"
    rows = [list(r) for r in GOOD_GRIDS]
    merge = None
    if kind == "no such sheet":
        ref = "grid_file: {path: grids.xlsx, sheet: 网格表}"
        expected = f"{book}: no sheet '网格表' (its sheets: 'grids')"
    elif kind == "missing column":
        rows = [r[:3] for r in rows]
        expected = f"{book}: sheet 'grids': missing columns: x_m, y_m"
    elif kind == "merged header":
        rows.insert(0, ["澄城县网格表", None, None, None, None])
        merge = "A1:E1"
        expected = (f"{book}: sheet 'grids': row 1: cells A1:E1 are merged: a merged cell in "
                    "row 1 (a title above the table, or one header over two columns?): row 1 "
                    "must hold the column names, one per cell; unmerge them and fill every cell")
    elif kind == "empty header":
        rows[0][3] = None
        expected = (f"{book}: sheet 'grids': row 1: column D: empty header over values (row 2 "
                    "has one): name the column or delete it")
    elif kind == "bad cell":
        rows[1][2] = "六千"
        expected = (f"{book}: sheet 'grids': row 2: households (C): must be a whole number of "
                    "households (got '六千')")
    else:
        expected = (f"{book}: which sheet holds the grid file? It has sheets 'grids1', "
                    "'grids2' and none is named 'grids' or '网格': name it with "
                    "{path: grids.xlsx, sheet: NAME}")
    sheets = {"grids1": rows, "grids2": rows} if kind == "which sheet" else {"grids": rows}
    write_xlsx(book, sheets, merge)
    file = _one_community(tmp_path, ref)
    assert main(["validate", str(file)]) == 2
    assert capsys.readouterr().err.strip() == expected


def test_a_gbk_file_with_a_byte_neither_encoding_reads_is_named(tmp_path: Path, capsys):
    data = "grid_id,community_id,households,x_m,y_m,name\ng1,dongguan,6200,0,0,东关\n".encode(
        "gbk")
    bad = data.replace("东关".encode("gbk"), "东".encode("gbk") + b"\xff")
    (tmp_path / "g.csv").write_bytes(bad)
    file = _one_community(tmp_path, "grid_file: g.csv")
    assert main(["validate", str(file)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"{tmp_path / 'g.csv'}: row 2: name (F): byte 0xff cannot be read as UTF-8 or "
        "GB18030/GBK text (read as GB18030 up to there): save the file as 'CSV UTF-8' or as an "
        "Excel workbook (.xlsx)")


@pytest.mark.parametrize(("rows", "expected"), [
    ([["community_id", "households"], ["dongguan", 0]],
     "row 2: households (B): must be at least 1 (got 0)"),
    ([["community_id", "households"], ["Dong Guan", 6200]],
     "row 2: community_id (A): must be a code name"),
    ([["community_id", "households"], ["dongguan", 6200], ["dongguan", 1]],
     "row 3: community_id (A): duplicate of row 2 (got 'dongguan')"),
    ([["community_id", "households", "office_x_m"], ["dongguan", 6200, 5]],
     "row 2: office_y_m: missing (give the office as office_x_m and office_y_m, or neither)"),
    ([["community_id", "househols"], ["dongguan", 6200]],
     "missing columns: households (row 1 holds community_id, househols)"),
])
def test_a_bad_communities_sheet_is_named(tmp_path: Path, rows: list, expected: str):
    write_xlsx(tmp_path / "d.xlsx", {"社区": rows})
    file = variant(tmp_path, "replace: [communities]\ncommunities_file: d.xlsx\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    assert caught.value.problems[0].startswith(f"{tmp_path / 'd.xlsx'}: sheet '社区': {expected}")


def _pay_table() -> list[list[Any]]:
    pay = load_scenario(BASELINE).scenario.pay
    return [["grade", "grade_pay", *POST_ORDER]] + [
        [r["grade"], r["grade_pay"], *(r[p] for p in POST_ORDER)] for r in pay_rows(pay)]


@pytest.mark.parametrize("kind", ["not additive", "gap", "grade missing", "twice"])
def test_a_bad_pay_table_is_named(tmp_path: Path, kind: str):
    rows = _pay_table()
    text = "pay_file: pay.csv\n"
    if kind == "not additive":
        rows[9][3] = rows[9][3] + 100  # grade 9, deputy
        expected = ("row 10: deputy: 4300 is not the post pay 1400 (row 5: 3700 - 2300) + this "
                    "grade's grade_pay 2800 = 4200; the cost model prices a worker as post pay + "
                    "grade pay")
    elif kind == "gap":
        rows[3][5] = None  # grade 3, full_time
        expected = ("full_time: empty at grade 3, between grades 1 and 12: a post is open to "
                    "one run of grades")
    elif kind == "grade missing":
        del rows[17:19]
        expected = "grades 17-18 have no row (give one row per grade, 1 to 18)"
    else:
        text += "pay: {grade_pay: [1]}\n"
        expected = ""
    (tmp_path / "pay.csv").write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(variant(tmp_path, text))
    problem = caught.value.problems[0]
    if kind == "twice":
        assert problem.endswith("pay.grade_pay: given here and in pay_file "
                                f"({tmp_path / 'pay.csv'}); give the pay amounts in one place")
    else:
        assert problem == f"{tmp_path / 'pay.csv'}: {expected}"
