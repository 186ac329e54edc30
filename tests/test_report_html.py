"""HTML reports: self-contained files that open in a browser without a server.

The browser test opens the reports from ``file://`` in headless Chromium (Debian's
``chromium``) and checks the DOM the browser built: the tables are there, every image decoded
(the page records ``data-images-loaded="k/n"`` on load), every image is a ``data:`` PNG, and
nothing refers to an external resource. Without Chromium that test skips, saying why.
"""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import sim
from sim.cli import main
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "chengcheng.yaml"


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def small_baseline():
    """Two communities of the baseline over 20 days: seconds, not minutes."""
    return load_scenario(BASELINE).with_overrides({
        "horizon.days": 20, "horizon.warmup_days": 2,
        "communities": [{"id": "dongguan", "name": "东关社区", "households": 6200},
                        {"id": "chengnan", "name": "城南社区", "households": 4300}],
    })


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """A recommend folder and an ordinary run folder with its report."""
    base = tmp_path_factory.mktemp("reports")
    loaded = small_baseline()
    sim.recommend(loaded, replications=3, seed=3, out=base / "recommend", executor="serial")
    sim.run(loaded, replications=3, seed=3, out=base / "run", executor="serial")
    assert main(["report", str(base / "run")]) == 0
    return {"recommend": base / "recommend", "run": base / "run"}


class Resources(HTMLParser):
    """Collects images, tables and every reference to another resource."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.tables: list[str] = []
        self.references: list[str] = []
        self.body: dict[str, str | None] = {}
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img":
            self.images.append(values.get("src") or "")
        if tag == "table":
            self.tables.append(values.get("id") or "")
        if tag == "body":
            self.body = values
        if tag in ("link", "iframe", "object", "embed", "base"):
            self.references.append(f"<{tag}>")
        if tag == "script" and values.get("src"):
            self.references.append(f"script src={values['src']}")
        for key in ("href", "src", "srcset", "poster", "action", "data", "background"):
            value = values.get(key)
            if value and not (tag == "img" and key == "src" and value.startswith("data:")):
                self.references.append(f"{tag} {key}={value[:60]}")
        self._in_cell = tag == "td"

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.cells.append(data.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_cell = False


def inspect(markup: str) -> Resources:
    parser = Resources()
    parser.feed(markup)
    css_urls = [u for u in re.findall(r"url\(([^)]*)\)", markup) if "data:" not in u]
    parser.references.extend(f"css url({u})" for u in css_urls)
    parser.references.extend(f"@import {m}" for m in re.findall(r"@import[^;]*", markup))
    return parser


def check_png(src: str) -> tuple[int, int]:
    """Decode a data: URI as a PNG image; returns its size."""
    from PIL import Image

    prefix = "data:image/png;base64,"
    assert src.startswith(prefix), src[:40]
    raw = base64.b64decode(src[len(prefix):], validate=True)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(raw)) as image:
        image.verify()
    with Image.open(io.BytesIO(raw)) as image:
        assert image.format == "PNG"
        return image.size


def dump_dom(page: Path, profile: Path) -> str:
    exe = chromium()
    assert exe is not None
    command = [
        exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--virtual-time-budget=10000", "--dump-dom",
        page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize(("kind", "table_id"), [("recommend", "recommendation"),
                                                ("run", "summary")])
def test_report_is_self_contained(folders, kind: str, table_id: str) -> None:
    """Without a browser: images are data: PNGs, and nothing points outside the file."""
    markup = (folders[kind] / "report.html").read_text(encoding="utf-8")
    found = inspect(markup)
    assert table_id in found.tables
    assert found.images, "the report should have plots"
    for src in found.images:
        width, height = check_png(src)
        assert width > 100 and height > 100
    assert found.references == []
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:|//|file:)", markup)


@pytest.mark.skipif(chromium() is None, reason="no Chromium (install Debian's `chromium`: "
                    "apt-get install chromium) to open the reports in a real browser")
@pytest.mark.parametrize(("kind", "table_id", "expect"), [
    ("recommend", "recommendation", ["dongguan", "chengnan"]),
    ("run", "summary", ["东关社区", "城南社区"]),
])
def test_report_opens_in_headless_chromium(folders, tmp_path, kind: str, table_id: str,
                                           expect: list[str]) -> None:
    dom = dump_dom(folders[kind] / "report.html", tmp_path / "profile")
    found = inspect(dom)
    assert table_id in found.tables, "the browser's DOM has no table " + table_id
    for community in expect:
        assert community in found.cells
    loaded = found.body.get("data-images-loaded")
    assert loaded is not None, "the page's load handler did not run"
    ok, total = (int(x) for x in loaded.split("/"))
    assert total == len(found.images) > 0 and ok == total, f"images drawn: {loaded}"
    for src in found.images:
        check_png(src)
    assert found.references == []


def test_recommend_folder_contents(folders) -> None:
    folder = folders["recommend"]
    for name in ("recommendation.csv", "levels.csv", "report.html", "scenario.yaml",
                 "manifest.json"):
        assert (folder / name).exists(), name
    import json

    import pandas as pd

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "recommend" and manifest["status"] == "complete"
    assert manifest["scenario_sha256"] and manifest["seed"] == 3
    table = pd.read_csv(folder / "recommendation.csv")
    assert list(table["community"]) == ["dongguan", "chengnan", "all"]
    markup = (folder / "report.html").read_text(encoding="utf-8")
    for fact in ("假设", "来源与可重复性", manifest["scenario_sha256"], "PLACEHOLDER",
                 "CNY", "占位薪酬表"):  # the scenario's language: zh
        assert fact in markup


def test_report_command_rejects_what_is_not_a_finished_run(tmp_path, capsys, folders) -> None:
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert "not a result folder" in capsys.readouterr().err
    assert main(["report", str(folders["recommend"]), "--lang", "en"]) == 0
    assert "Assumptions" in (folders["recommend"] / "report.html").read_text(encoding="utf-8")


def test_plot_functions_return_figures_without_pyplot() -> None:
    import sys

    import pandas as pd
    from matplotlib.figure import Figure

    from sim.report import plots as plot

    levels = pd.DataFrame({
        "community": ["a", "a", "a", "b"], "workers": [1, 2, 2, 3],
        "method": ["analytic", "analytic", "full_model", "full_model"], "key": "k",
        "mean": [0.5, 0.9, 0.88, 0.95], "ci_low": [None, None, 0.86, 0.93],
        "ci_high": [None, None, 0.9, 0.97]})
    figures = [
        plot.service_curves(levels, "k", target=0.9,
                            marks=pd.DataFrame({"community": ["a"], "recommended": [2.0]})),
        plot.interval_chart(levels[levels.method == "full_model"], "community", target=0.9),
        plot.grouped_bars(pd.DataFrame({"c": ["a", "b"], "x": [1, 2], "y": [2, 1]}), "c",
                          ["x", "y"], line=1.5),
    ]
    for figure in figures:
        assert isinstance(figure, Figure)
        assert plot.to_png(figure)[:4] == b"\x89PNG"
        assert figure._repr_png_()[:4] == b"\x89PNG"
    # sim.report.plots never imports pyplot (no global figure state, no GUI backend)
    code = ("import sys, sim.report.plots, sim.report.html, sim.staffing.report; "
            "sys.exit('matplotlib.pyplot' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_drawings_made_by_workers_are_the_drawings_made_here() -> None:
    """A page's drawings and font, made in a process pool, give the page made in one process;
    building a recommendation's report needs no matplotlib in the page's own process."""
    import sys

    import pandas as pd

    from sim.experiment.executors import ProcessExecutor
    from sim.report.html import Drawing, Report

    def page(executor=None) -> str:
        report = Report("社区工作者 workers", lang="zh")
        frame = pd.DataFrame({"c": ["东关", "西关"], "x": [1.0, 2.0], "y": [2.0, 1.0]})
        for line in (None, 1.5):
            report.figure(Drawing("sim.report.plots.grouped_bars", (frame, "c", ["x", "y"]),
                                  {"line": line, "title": "利用率"}), caption="利用率")
        text = report.html(executor)
        assert "\x00" not in text and text.count("data:image/png;base64,") == 2
        assert "@font-face" in text  # (its bytes hold the time the subset was saved)
        return text.split("<body>")[1].split('<p style="color:#888')[0]  # nor the footer

    with ProcessExecutor(2) as ex:
        assert page(ex) == page()
    code = ("import sys, sim.staffing.recommend, sim.staffing.report, sim.staffing.workbook; "
            "sys.exit('matplotlib' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
