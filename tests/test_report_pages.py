"""Results planners read: each category against its own targets, in Chinese and English.

One baseline run (the real file, a year, 2 replications), one comparison and one sweep (the
baseline over 60 days, 2 replications) are made once for the module through the command line;
each writes its report, and ``gridsim report`` writes it again in the other language. The
browser test opens every page in one headless Chromium (Debian's, driven by Playwright, as
tests/test_lab_browser.py does), checks that every image decodes, that the page does not
scroll sideways at 1280 px, that the headline names a category the baseline misses, that a
``zh`` page's headings and category names are Chinese, and writes a screenshot of each page
into the test's temporary folder.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE, ROOT

from sim.cli import main
from sim.model.measures import METRICS
from sim.scenario import load_scenario

CHROMIUM = Path("/usr/bin/chromium")
MISSED = {"zh": ["民生问题", "矛盾纠纷"], "en": ["Livelihood problems", "Disputes"]}
# a recommendation judges its targets: the baseline's response target is on public services
TARGETED = {"zh": ["公共服务事项"], "en": ["public services"]}
CJK = re.compile(r"[\u4e00-\u9fff]")


def cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, object]:
    """Result folders of run, compare and sweep, each with report.html in en (by the command)
    and a copy of its zh report (by ``gridsim report``); the run's printed text."""
    base = tmp_path_factory.mktemp("results")
    short = base / "baseline-60d.yaml"
    short.write_text(load_scenario(BASELINE).with_overrides(
        {"horizon.days": 60, "horizon.warmup_days": 7}).to_yaml(), encoding="utf-8")
    small = base / "small-grids-60d.yaml"
    small.write_text(load_scenario(ROOT / "scenarios" / "layout-small-grids.yaml").with_overrides(
        {"horizon.days": 60, "horizon.warmup_days": 7}).to_yaml(), encoding="utf-8")
    common = ["-n", "2", "--quiet", "--lang", "en"]
    os.environ["COLUMNS"] = "80"
    try:
        code, printed, _ = cli(["run", str(BASELINE), "--out", str(base / "run"), *common])
        assert code == 0
        assert cli(["compare", str(short), str(small), "--out", str(base / "compare"),
                    *common])[0] == 0
        assert cli(["sweep", str(short), "--set",
                    "staffing.community_workers.households_per_worker=1500,3000",
                    "--out", str(base / "sweep"), *common])[0] == 0
        code, recommended, _ = cli(["recommend", str(short), "--out", str(base / "recommend"),
                                    *common])
        assert code == 0
    finally:
        del os.environ["COLUMNS"]
    pages = {}
    for kind in ("run", "compare", "sweep", "recommend"):
        folder = base / kind
        pages[(kind, "en")] = folder / "report.html"
        english = (folder / "report.html").read_text(encoding="utf-8")
        code, said, _ = cli(["report", str(folder), "--lang", "zh"])
        assert code == 0 and "report.html" in said
        pages[(kind, "zh")] = folder / "report-zh.html"
        (folder / "report.html").rename(pages[(kind, "zh")])
        pages[(kind, "en")].write_text(english, encoding="utf-8")
    return {"base": base, "printed": printed, "pages": pages, "recommended": recommended}


# ---------------------------------------------------------------- numbers and the terminal


def test_no_interval_of_the_baseline_leaves_its_possible_range(results):
    summary = pd.read_csv(results["base"] / "run" / "summary.csv", keep_default_na=False,
                          na_values=[""])
    low = summary["metric"].map(lambda m: METRICS[m].low).to_numpy(float)
    high = summary["metric"].map(lambda m: METRICS[m].high).to_numpy(float)
    lo, hi = summary["ci_low"].to_numpy(float), summary["ci_high"].to_numpy(float)
    finite = np.isfinite(lo)
    assert finite.sum() > 1000
    assert (lo[finite] >= low[finite]).all() and (hi[finite] <= high[finite]).all()
    # the t interval itself did leave the range somewhere (the test is not empty)
    t_low = summary["mean"] - summary["half_width"]
    assert (t_low.to_numpy(float)[finite] < low[finite]).any()


def test_the_first_table_of_a_baseline_run_shows_livelihood_against_its_own_target(results):
    """The first table printed is per category against its own limits; livelihood's share
    within 120 minutes is about 0.4 (a year of the baseline), marked missed; the headline says
    so; every line fits the 80 columns of COLUMNS."""
    printed = str(results["printed"])
    lines = printed.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("Each category"))
    block = lines[first:first + 12]
    assert any("response_" in line for line in block)  # the files' column name, wrapped
    livelihood = next(line for line in block if line.startswith("livelihood"))
    cells = livelihood.split()
    assert cells[2] == "120"
    share = float(cells[3].split("±")[0])
    assert 0.3 < share < 0.5 and cells[3].endswith("*")
    assert any(line.startswith("Livelihood problems miss their target") for line in
               lines[:first])
    assert "All issues together (a mix" in printed
    from sim.report.terminal import display_width

    shown = [line for line in lines if not line.startswith(("run folder", "report:"))]
    assert max(display_width(line) for line in shown) <= 80


def test_cost_figures_of_a_placeholder_pay_table_carry_their_caveat(results):
    printed = str(results["recommended"])
    costs = [line for line in printed.splitlines() if "148,720" in line or "206,180" in line]
    assert costs and all("*" in line for line in costs)
    assert "* Note: the pay table is a placeholder" in printed.replace("\n", " ")
    markup = results["pages"][("recommend", "en")].read_text(encoding="utf-8")
    headline = markup[markup.index('id="headline"'):markup.index("</div>", markup.index(
        'id="headline"'))]
    assert "(placeholder pay table)" in headline
    assert 'class="caveat"' in markup


def test_the_run_report_says_livelihood_misses_its_target(results):
    for lang, words in (("en", "Livelihood problems miss their target"),
                        ("zh", "民生问题未达标")):
        markup = results["pages"][("run", lang)].read_text(encoding="utf-8")
        headline = markup[markup.index('id="headline"'):]
        assert words in headline[:3000]
        assert 'title="response_within_target_share"' in markup  # code names as tooltips


# ---------------------------------------------------------------- gridsim report


def test_report_command_on_compare_and_sweep_folders_and_what_is_not_a_result(results,
                                                                               tmp_path):
    # the fixture ran `gridsim report FOLDER --lang zh` on every kind of folder
    for kind in ("compare", "sweep", "recommend"):
        assert results["pages"][(kind, "zh")].exists()
    code, _, err = cli(["report", str(tmp_path / "missing")])
    assert code == 2 and "no such folder" in err
    (tmp_path / "empty").mkdir()
    code, _, err = cli(["report", str(tmp_path / "empty")])
    assert code == 2 and "not a result folder (no manifest.json)" in err
    (tmp_path / "file.txt").write_text("x")
    code, _, err = cli(["report", str(tmp_path / "file.txt")])
    assert code == 2 and "not a folder" in err
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    (unfinished / "manifest.json").write_text('{"kind": "sweep", "status": "interrupted"}')
    code, _, err = cli(["report", str(unfinished)])
    assert code == 2 and "this sweep is not finished (status 'interrupted')" in err


# ---------------------------------------------------------------- results.xlsx and the CSVs


def _sheet(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    width = len(rows[0])
    body = [r[:width] for r in rows[1:] if any(v is not None for v in r[1:width])]
    return pd.DataFrame(body, columns=list(rows[0]))


def _column(ws, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def test_every_folder_has_a_workbook_a_planner_reads_in_chinese(results):
    """results.xlsx of run, compare, sweep and recommend (rewritten in Chinese by `gridsim
    report --lang zh`): wide sheets with Chinese names, shares as percentages, times with
    their unit, judgements coloured, frozen headers; the same numbers as the CSVs."""
    from openpyxl import load_workbook

    base = results["base"]
    books = {kind: load_workbook(base / kind / "results.xlsx") for kind in
             ("run", "compare", "sweep", "recommend")}
    run = books["run"]
    assert run.sheetnames == ["目标达成", "网格达标", "说明"]
    targets = run["目标达成"]
    frame = _sheet(targets)
    assert frame["社区"].iloc[0] == "全街道" and "东关社区" in set(frame["社区"])
    share = _column(targets, "时限内响应比例")
    assert targets.cell(2, share).number_format == "0.0%"
    assert "分钟" in targets.cell(2, _column(targets, "平均响应时间（分钟）")).number_format
    assert targets.freeze_panes == "C2" and targets.auto_filter.ref.startswith("A1:")
    livelihood = frame[(frame["社区"] == "全街道") & (frame["事项类别"] == "民生问题")].iloc[0]
    summary = pd.read_csv(base / "run" / "summary.csv", keep_default_na=False, na_values=[""])
    expected = summary[(summary.community == "all") & (summary.category == "livelihood")
                       & (summary.grid == "all")
                       & (summary.metric == "response_within_target_share")]["mean"].iloc[0]
    assert livelihood["时限内响应比例"] == pytest.approx(expected)
    assert livelihood["响应达标"] == "未达标"
    row = frame.index[(frame["社区"] == "全街道") & (frame["事项类别"] == "民生问题")][0] + 2
    assert targets.cell(row, share).fill.fgColor.rgb.endswith("FFC7CE")  # missed: red
    assert targets.column_dimensions["B"].width >= 12  # 结对帮扶走访: seven wide characters

    members = [d for d in (base / "compare").iterdir() if d.is_dir()]
    assert len(members) == 2 and all(  # each scenario's run folder has its own
        load_workbook(d / "results.xlsx").sheetnames[0] == "目标达成" for d in members)
    compare = books["compare"]
    assert compare.sheetnames[:2] == ["时限内响应比例", "时限内办结比例"]
    assert compare.sheetnames[-1] == "说明"
    heads = [c.value for c in compare["时限内响应比例"][1]]
    assert heads[:7] == ["社区", "事项类别", "响应时限（分钟）", "按时时限（天）", "目标比例",
                         "澄城县城关街道 基线", "小网格专人负责（每格约200户）"]
    first = compare["时限内响应比例"]  # each category's own limit and target beside its shares
    assert [first.cell(2, j).value for j in (2, 3, 5)] == ["公共服务事项", 30, 0.9]
    assert first.cell(2, 5).number_format == "0.0%"
    assert any("结论" in str(h) for h in heads)
    verdicts = _sheet(compare["时限内响应比例"]).iloc[:, -1].dropna()  # none without issues
    assert set(verdicts) <= {"更好", "更差", "无明显差异"} and len(verdicts) > 10
    assert "更好" in set(verdicts) | set(_sheet(compare["时限内办结比例"]).iloc[:, -1])

    sweep = books["sweep"]
    assert sweep.sheetnames[0] == "设置" and "时限内响应比例" in sweep.sheetnames
    assert [c.value for c in sweep["时限内响应比例"][1]][5:] == [
        "households_per_worker=3000", "households_per_worker=1500"]  # fewest workers first

    recommend = books["recommend"]
    assert recommend.sheetnames[:3] == ["建议人数", "成本", "各人数水平"]
    cost = recommend["成本"]
    assert all("（占位估计）" in str(c.value) for c in cost[1][3:])
    table = pd.read_csv(base / "recommend" / "recommendation.csv", encoding="utf-8")
    shown = _sheet(recommend["建议人数"])
    assert list(shown["建议人数"]) == list(table["recommended_workers"])
    assert shown["社区"].iloc[0] == "东关社区" and shown["社区"].iloc[-1] == "全街道"
    manifest = json.loads((base / "recommend" / "manifest.json").read_text(encoding="utf-8"))
    assert "results.xlsx" in manifest["results"] and manifest["marker"] == "recommendation.csv"


def test_result_csvs_open_in_excel_with_chinese(results):
    """A byte-order mark first, so Excel reads UTF-8 (东关社区, not 涓滃叧绀惧尯); pandas reads
    the files unchanged."""
    for name in ("run/summary.csv", "compare/compare.csv", "sweep/sweep.csv",
                 "recommend/recommendation.csv", "run/replications.csv"):
        data = (results["base"] / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), name
    text = (results["base"] / "recommend" / "recommendation.csv").read_text(encoding="utf-8-sig")
    assert "东关社区" in text and pd.read_csv(results["base"] / "run" / "summary.csv").columns[
        0] == "community"


# ---------------------------------------------------------------- Chinese in plots


def test_every_plot_draws_chinese_with_the_installed_font():
    """Drawing each plot with Chinese labels gives no missing-glyph warning (warnings are
    errors), with the Noto Sans CJK SC that mplfonts installs."""
    from matplotlib import font_manager

    from sim.report import plots as plot

    path = plot.cjk_font_path()
    assert path is not None and "mplfonts" in str(path)
    found = font_manager.findfont(font_manager.FontProperties(family=plot.CJK_FONT),
                                  fallback_to_default=False)
    assert Path(found) == path
    loaded = load_scenario(BASELINE).with_overrides({
        "communities": [{"id": "东关", "name": "东关社区", "households": 1200,
                         "grids": {"layout": "lattice", "rows": 2, "cols": 2,
                                   "spacing_m": 250}},
                        {"id": "西关", "name": "西关社区", "households": 900}]})
    shares = pd.DataFrame({"label": ["民生问题", "矛盾纠纷"], "mean": [0.4, 0.95],
                           "ci_low": [0.35, 0.9], "ci_high": [0.45, 1.0],
                           "state": ["missed", "met"]})
    panels = pd.DataFrame({"类别": ["民生问题"] * 2 + ["微心愿"] * 2,
                           "社区": ["东关社区", "西关社区"] * 2, "mean": [700.0, 800, 100, 120],
                           "ci_low": [650.0, 760, 90, 110], "ci_high": [750.0, 840, 110, 130]})
    diffs = pd.DataFrame({"label": ["民生问题", "矛盾纠纷"], "difference": [0.1, -0.02],
                          "difference_ci_low": [0.05, -0.05], "difference_ci_high": [0.15, 0.01],
                          "verdict": ["better", "no clear difference"], "方案": ["小网格"] * 2})
    lines = pd.DataFrame({"设置": ["每1500户", "每3000户"] * 2,
                          "类别": ["民生问题", "民生问题", "矛盾纠纷", "矛盾纠纷"],
                          "mean": [0.5, 0.4, 0.6, 0.55], "ci_low": [0.45, 0.35, 0.5, 0.5],
                          "ci_high": [0.55, 0.45, 0.7, 0.6]})
    grid_values = {g: 0.5 for g in plot.grid_positions(loaded)["grid"]}
    figures = [
        plot.share_bars(shares, "label", 0.9, title="时限内响应比例", xlabel="比例", lang="zh"),
        plot.attainment_heatmap(pd.DataFrame({"民生问题": [0.4, 0.5]},
                                             index=["东关社区", "西关社区"]),
                                0.9, title="时限内响应比例", colour_label="比例"),
        plot.limit_panels(panels, "类别", "社区", {"民生问题": 120, "微心愿": 1440},
                          title="响应时间 P90（分钟）", ylabel="分钟", lang="zh"),
        plot.difference_chart(diffs, "label", hue="方案", title="配对差值", xlabel="差值"),
        plot.setting_lines(lines, "设置", "类别", {"民生问题": 0.9, "矛盾纠纷": 0.9},
                           title="各设置", xlabel="设置", ylabel="比例", lang="zh"),
        plot.grid_map(loaded, grid_values, titles=["东关与西关"], label="比例", title="网格地图",
                      norm=plot.attainment_norm(0.9), cmap=plot.ATTAINMENT_CMAP,
                      community_names={"东关": "东关社区", "西关": "西关社区"}, lang="zh"),
        plot.interval_chart(panels.rename(columns={"社区": "x"}), "x", title="忙碌率",
                            ylabel="比例"),
        plot.grouped_bars(pd.DataFrame({"社区": ["东关社区", "西关社区"], "a": [1, 2],
                                        "b": [2, 1]}), "社区", {"现行": "a", "建议": "b"},
                          title="社区工作者", ylabel="人", line=1.5, line_label="上限"),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for figure in figures:
            assert plot.to_png(figure)[:4] == b"\x89PNG"


# ---------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("no /usr/bin/chromium: install Debian's chromium (apt-get update -qq && "
                    "apt-get install -y -qq chromium) to open the reports in a browser")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is in the dev extras")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "recommend"])
def test_report_pages_in_a_browser(results, browser, tmp_path, kind: str, lang: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(results["pages"][(kind, lang)].resolve().as_uri())
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready.then(() => true)")
        loaded = page.evaluate("document.body.getAttribute('data-images-loaded')")
        ok, total = (int(x) for x in loaded.split("/"))
        assert total > 0 and ok == total, f"images drawn: {loaded}"
        decoded = page.evaluate("Array.from(document.images).every(i => i.naturalWidth > 0)")
        assert decoded
        wide = page.evaluate("document.scrollingElement.scrollWidth")
        assert wide <= page.evaluate("innerWidth"), f"the page scrolls sideways: {wide} px"
        headline = page.inner_text("#headline")
        named = TARGETED if kind == "recommend" else MISSED
        assert any(name in headline for name in named[lang]), headline
        if lang == "zh":
            headings = page.eval_on_selector_all("h1, h2", "els => els.map(e => e.innerText)")
            assert headings and all(CJK.search(h) for h in headings), headings
            body = page.inner_text("body")
            assert all(name in body for name in named["zh"])
            assert not any(name in body for name in ("livelihood problems", "public services",
                                                     "disputes", "care visits"))
        page.screenshot(path=str(tmp_path / f"{kind}-{lang}.png"), full_page=True)
        assert (tmp_path / f"{kind}-{lang}.png").stat().st_size > 10_000
    finally:
        page.close()
