"""results.xlsx: written from a finished folder in either language, sheet names Excel accepts,
widths that fit Chinese, number formats from the columns' units, refused where a kind has
none. The sheets of every command's folder are checked where the folders are made
(test_report_pages, test_coverage, test_workforce, test_calibration)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import small
from openpyxl import load_workbook

import sim
from sim.cli import main
from sim.errors import RunFolderError
from sim.report.i18n import Texts
from sim.report.workbook import Formats, Sheet, write_sheets


def test_a_run_publishes_its_workbook_and_write_workbook_rewrites_it(tmp_path: Path, capsys):
    result = sim.run(small(10), replications=2, seed=3, executor="serial", progress=False,
                     out=tmp_path / "run")
    path = result.folder / "results.xlsx"  # published with the folder, in its language (zh)
    assert load_workbook(path).sheetnames == ["目标达成", "网格达标", "说明"]
    assert sim.write_workbook(result.folder, lang="en") == path
    book = load_workbook(path)
    assert book.sheetnames == ["Targets", "Grids", "About"]
    heads = [c.value for c in book["Targets"][1]]
    assert heads[:3] == ["community", "category", "issues"]
    assert book["Targets"].cell(2, 1).value == "whole district"
    assert main(["report", str(tmp_path / "run"), "--lang", "zh"]) == 0
    assert f"workbook: {path}" in capsys.readouterr().out
    assert load_workbook(path).sheetnames == ["目标达成", "网格达标", "说明"]


def test_a_workbook_that_fails_leaves_the_run_unfinished(tmp_path: Path, monkeypatch):
    """results.xlsx is written before the marker: when writing it stops, summary.csv is not
    there and the manifest does not say complete; the same command then finishes the run."""
    import sim.report.workbook as workbook

    def stop(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(workbook, "write_sheets", stop)
    with pytest.raises(KeyboardInterrupt):
        sim.run(small(10), replications=2, seed=3, executor="serial", progress=False,
                out=tmp_path / "run")
    folder = tmp_path / "run"
    assert not (folder / "summary.csv").exists() and not (folder / "results.xlsx").exists()
    assert not (folder / "replications.csv").exists()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "interrupted"
    monkeypatch.undo()
    sim.run(small(10), replications=2, seed=3, executor="serial", progress=False, out=folder)
    assert (folder / "summary.csv").exists() and (folder / "results.xlsx").exists()


def test_a_folder_without_a_workbook_kind_is_refused(tmp_path: Path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "marker.csv").write_text("x\n", encoding="utf-8")
    (folder / "manifest.json").write_text(
        '{"kind": "coverage", "status": "complete", "marker": "marker.csv"}', encoding="utf-8")
    with pytest.raises(RunFolderError, match="results.xlsx is rebuilt for .* not for a "
                                             "coverage folder"):
        sim.write_workbook(folder)


def test_sheet_names_widths_and_formats(tmp_path: Path):
    t = Texts("zh")
    frame = pd.DataFrame({"community": ["结对帮扶走访东关社区", "x"],
                          "response_within_target_share": [0.91, float("nan")],
                          "response_min_p90": [12.5, 3.0], "households": [6200, 10],
                          "cost_rule_cny_per_year": [206180.0, 1.0], "ok": [True, False]})
    long = "a/b:c*d?e[f]g\\h and a name longer than thirty-one characters"
    write_sheets([Sheet(long, frame), Sheet(long, frame)], "zh", tmp_path / "w.xlsx")
    book = load_workbook(tmp_path / "w.xlsx")
    first, second = book.sheetnames
    assert len(first) <= 31 and not set("[]:*?/\\") & set(first) and second != first
    ws = book[first]
    assert ws.column_dimensions["A"].width >= 20  # ten wide characters
    assert ws.cell(3, 2).value is None  # NaN: an empty cell
    assert [ws.cell(2, 6).value, ws.cell(3, 6).value] == ["是", "否"]
    f = Formats(t)
    assert [f.of(c) for c in frame.columns] == [None, "0.0%", '0.0 "分钟"', "#,##0", "#,##0",
                                                None]
    assert f.of("resolution_h_mean_ci_low") == '0.0 "小时"'
    assert f.of("respond_within_min") == '0 "分钟"'
