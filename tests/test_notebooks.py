"""The planner notebooks (notebooks/*.ipynb): committed clean, executed end to end, prose checked.

Each notebook runs top to bottom in a fresh ``python3`` kernel of this venv (nbclient, the way
JupyterLab's *Run All Cells* runs it, working directory notebooks/); a cell that raises fails
the test with the cell and its traceback.

**Numbers in the prose are checked against the code.** A notebook keeps every number its text
quotes in a dict ``facts`` (``facts["walk_in_p90_min"] = ...``), and its markdown marks each
quoted number with an HTML comment right after it, invisible when rendered::

    90% are answered within about **20**<!-- fact walk_in_p90_min ±4 --> minutes

After the notebook has run, the test executes one more cell in the same kernel that prints
``facts`` as JSON, and compares each marked number with its fact:

- ``±T``: within T, in the prose's units; ``±T%``: within T percent of the fact;
  no tolerance: equal to the fact rounded to the decimals the prose shows;
- a number written with ``%`` (``93%``) is compared with 100 × the fact (a share);
- thousands separators (``57,460``) are fine.

Every fact must be quoted somewhere and every marker must name a fact, so text and code cannot
drift apart silently: when a model change moves a number, this test names the notebook, the
fact, the prose and the new value.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = ["01-quickstart.ipynb", "02-grid-layouts.ipynb", "03-staffing.ipynb",
            "04-surge.ipynb", "05-your-district.ipynb", "06-your-issue-log.ipynb",
            "07-living-circle.ipynb", "08-workforce.ipynb"]
CELL_TIMEOUT_S = 300

FACT = re.compile(
    r"(?P<number>-?\d[\d,]*(?:\.\d+)?)(?P<percent>%?)[*_]*\s*"
    r"<!--\s*fact\s+(?P<name>[\w.-]+)\s*(?:±\s*(?P<tolerance>\d+(?:\.\d+)?)(?P<relative>%?))?"
    r"\s*-->"
)
MARKER = re.compile(r"<!--\s*fact\b")
GLUE = (
    "import json as _json, sys as _sys\n"
    "print(_json.dumps({'facts': {k: (None if v is None else float(v)) "
    "for k, v in facts.items()}, 'prefix': _sys.prefix}))"
)
INTERNAL = re.compile(
    r"\bsim\.(?!plot\b)(model|experiment|scenario|staffing|analytic|screen|report|cli|errors)\b"
    r"|\bfrom\s+sim\.(?!plot\b)\w+"
)


def notebooks_on_disk() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def notebooks_in_git() -> list[Path]:
    """Notebooks git tracks, and any new ones in the folder (they are about to be committed)."""
    try:
        listed = subprocess.run(["git", "ls-files", "notebooks/*.ipynb"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        listed = []
    paths = {ROOT / p for p in listed} | set(notebooks_on_disk())
    return sorted(p for p in paths if p.exists())


def test_the_planner_notebooks_are_there() -> None:
    names = [p.name for p in notebooks_on_disk()]
    assert [n for n in names if n in EXPECTED] == EXPECTED, names


ALL = [p.name for p in notebooks_on_disk()]  # every notebook is executed and checked


@pytest.mark.parametrize("path", notebooks_in_git(), ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    """Notebooks are committed clean: no outputs, no execution counts (diffs stay readable)."""
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs or execution counts; clear them before "
        "committing (JupyterLab: Edit > Clear Outputs of All Cells, then save; or "
        f".venv/bin/jupyter nbconvert --clear-output --inplace notebooks/{path.name})")
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", notebooks_on_disk(), ids=lambda p: p.name)
def test_uses_only_the_public_api(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            hit = INTERNAL.search(cell.source)
            assert hit is None, f"{path.name} cell {i}: '{hit.group(0)}' is not the public API " \
                "(use sim.* and sim.plot; add a helper to sim/report/plots.py if needed)"


# ---------------------------------------------------------------- executed notebooks


class Executed:
    def __init__(self, nb: nbformat.NotebookNode, facts: dict, prefix: str, seconds: float):
        self.nb, self.facts, self.prefix, self.seconds = nb, facts, prefix, seconds


_CACHE: dict[str, Executed | BaseException] = {}


def execute(name: str, tmp: Path) -> Executed:
    """Run a notebook once per test session in a clean kernel; cached for the other tests (a
    failure too: it is reported once, by test_runs_from_a_clean_kernel)."""
    if name not in _CACHE:
        try:
            _CACHE[name] = _execute(name, tmp)
        except Exception as exc:
            _CACHE[name] = exc
            raise
    done = _CACHE[name]
    if isinstance(done, BaseException):
        pytest.fail(f"{name} did not run (see test_runs_from_a_clean_kernel[{name}]): "
                    f"{type(done).__name__}", pytrace=False)
    return done


def _execute(name: str, tmp: Path) -> Executed:
    """Execute a notebook in a fresh python3 kernel, then read its ``facts``."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(GLUE))
    # a clean kernel: no IPython profile or startup files of the user
    env = {**os.environ, "IPYTHONDIR": str(tmp / "ipython"), "PYTHONWARNINGS": "default"}
    client = NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT_S,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    started = time.perf_counter()
    client.execute(env=env)
    seconds = time.perf_counter() - started
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs
                   if o.output_type == "stream" and o.name == "stdout")
    glued = json.loads(text.strip().splitlines()[-1])
    nb.cells.pop()
    return Executed(nb, glued["facts"], glued["prefix"], seconds)


@pytest.fixture(scope="session")
def kernel_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("kernel")


@pytest.mark.parametrize("name", ALL)
def test_runs_from_a_clean_kernel(name: str, kernel_home: Path) -> None:
    done = execute(name, kernel_home)
    assert Path(done.prefix).resolve() == Path(sys.prefix).resolve(), \
        f"the python3 kernel ran in {done.prefix}, not in this venv ({sys.prefix})"
    outputs = [o for cell in done.nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{name} shows no plot"
    stderr = "".join(o.get("text", "") for o in outputs
                     if o.output_type == "stream" and o.name == "stderr")
    assert "Traceback" not in stderr, stderr[-2000:]
    unexecuted = [i for i, cell in enumerate(done.nb.cells)
                  if cell.cell_type == "code" and cell.execution_count is None]
    assert not unexecuted, f"cells {unexecuted} did not run"


def quoted(nb: nbformat.NotebookNode) -> list[tuple[int, re.Match[str]]]:
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        matches = list(FACT.finditer(cell.source))
        assert len(matches) == len(MARKER.findall(cell.source)), (
            f"cell {i}: a '<!-- fact ... -->' marker must follow a number directly "
            "(e.g. '**20**<!-- fact name ±2 -->')")
        out += [(i, m) for m in matches]
    return out


def agrees(match: re.Match[str], fact: float) -> bool:
    number = float(match["number"].replace(",", ""))
    value = fact * 100 if match["percent"] else fact
    if match["tolerance"] is None:
        decimals = len(match["number"].partition(".")[2])
        return abs(number - value) <= 0.5 * 10.0**-decimals + 1e-9
    tolerance = float(match["tolerance"])
    if match["relative"]:
        tolerance = abs(value) * tolerance / 100
    return abs(number - value) <= tolerance + 1e-9


@pytest.mark.parametrize("name", ALL)
def test_prose_numbers_match_the_computed_ones(name: str, kernel_home: Path) -> None:
    done = execute(name, kernel_home)
    markers = quoted(done.nb)
    assert markers, f"{name} quotes no computed number"
    named = {m["name"] for _, m in markers}
    problems = [f"facts[{k!r}] = {v!r} is computed but never quoted in the text"
                for k, v in done.facts.items() if k not in named]
    for cell, m in markers:
        fact = done.facts.get(m["name"])
        if m["name"] not in done.facts:
            problems.append(f"cell {cell}: the text quotes fact {m['name']!r}, which the code "
                            "does not set")
        elif fact is None or not agrees(m, fact):
            shown = "None" if fact is None else f"{fact * (100 if m['percent'] else 1):.4g}"
            problems.append(f"cell {cell}: the text says {m['number']}{m['percent']} "
                            f"(±{m['tolerance'] or 'rounding'}{m['relative'] or ''}) for "
                            f"{m['name']!r}, the code computed {shown}{m['percent']}")
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


def test_fact_markers_are_read_as_documented() -> None:
    text = ("about **20**<!-- fact a ±4 --> minutes, **93%**<!-- fact b ±2 -->, "
            "**57,460**<!-- fact c ±1% --> CNY, **22**<!-- fact d -->, 0.5<!--fact e-->")
    found = {m["name"]: m for m in FACT.finditer(text)}
    assert set(found) == {"a", "b", "c", "d", "e"}
    assert agrees(found["a"], 23.9) and not agrees(found["a"], 24.1)
    assert agrees(found["b"], 0.929) and not agrees(found["b"], 0.90)
    assert agrees(found["c"], 58000) and not agrees(found["c"], 59000)
    assert agrees(found["d"], 22.4) and not agrees(found["d"], 21.4)
    assert agrees(found["e"], 0.54) and not agrees(found["e"], 0.56)


# ---------------------------------------------------------------- the plot helpers they use


@pytest.fixture(scope="module")
def small_run():
    """Two communities of the baseline for 30 days, with per-issue records."""
    import sim

    loaded = sim.load_scenario(ROOT / "scenarios" / "chengcheng.yaml").with_overrides({
        "horizon.days": 30, "horizon.warmup_days": 5,
        "communities": [{"id": "dongguan", "households": 6200,
                         "grids": {"layout": "lattice", "rows": 3, "cols": 5, "spacing_m": 250}},
                        {"id": "yongan", "households": 4140, "grids": {
                            "layout": "lattice", "rows": 2, "cols": 5, "spacing_m": 300,
                            "building_heads": False}}]})
    result = sim.run(loaded, replications=2, seed=5, records=True, executor="serial",
                     save=False, progress=False)
    return loaded, result


def test_open_issues_is_the_backlog_of_the_summary_day_by_day(small_run) -> None:
    import numpy as np

    from sim.report import plots as plot

    loaded, result = small_run
    horizon = loaded.scenario.horizon
    daily = plot.open_issues(result.records, days=int(horizon.days))
    assert list(daily.columns) == ["replication", "day", "open_issues"]
    window = daily[daily.day >= horizon.warmup_days]
    per_replication = window.groupby("replication").open_issues.mean()
    reps = result.replications
    expected = reps[(reps.community == "all") & (reps.category == "all")
                    & (reps.grid == "all")].set_index("replication").backlog_mean
    np.testing.assert_allclose(per_replication.sort_index(), expected.sort_index(), rtol=1e-9)
    by_category = plot.open_issues(result.records, days=int(horizon.days), by="category")
    total = by_category.groupby(["replication", "day"]).open_issues.sum()
    np.testing.assert_allclose(total.to_numpy(), daily.open_issues.to_numpy(), rtol=1e-9,
                               atol=1e-9)


def test_observed_keeps_the_issues_the_summary_counts(small_run) -> None:
    from sim.report import plots as plot

    loaded, result = small_run
    kept = plot.observed(result.records, loaded)
    assert len(kept) < len(result.records)  # the warm-up is cut
    per_replication = kept.groupby("replication").size().mean()
    assert per_replication == pytest.approx(result.metric("issues")["mean"])


def test_grid_positions_values_and_map(small_run) -> None:
    import sim
    from sim.report import plots as plot

    loaded, result = small_run
    grids = plot.grid_positions(loaded)
    assert len(grids) == 25 and grids.groupby("community").households.sum().to_dict() == {
        "dongguan": 6200, "yongan": 4140}
    assert grids.grid.iloc[0] == "dongguan-r1c1" and grids.area_m2.iloc[0] == 250.0**2
    assert not grids[grids.community == "yongan"].building_heads.any()
    values = plot.grid_values(result.summary, "response_min_p90")
    assert set(values.index) == set(grids.grid)
    row = result.metric("response_min_p90", community="yongan", grid="yongan-r2c5")
    assert values["yongan-r2c5"] == row["mean"]
    # lattices around one office overlap: drawn side by side; a grid file's real positions stay
    assert plot._placed(grids)[1]
    district = sim.load_scenario(ROOT / "scenarios" / "examples" / "your-district.yaml")
    placed, moved = plot._placed(plot.grid_positions(district))
    assert not moved and placed.x.tolist() == placed.x_m.tolist()
    for figure in (plot.grid_map(loaded, values, label="p90"),
                   plot.grid_map([loaded, district], [values, {"nanguan-01": 1.0}])):
        assert plot.to_png(figure)[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="2 value sets for 1 maps"):
        plot.grid_map([loaded], [values, values])


def test_record_charts(small_run) -> None:
    import pandas as pd

    from sim.report import plots as plot

    loaded, result = small_run
    records = result.records
    work = plot.work_by_role(records, every_days=7, days=28)
    assert work.day.max() == 21 and set(work.responder_role) <= {
        "community_worker", "grid_member", "volunteer", "party_member"}
    started = records[records.start_min.notna() & (records.start_min < 28 * 1440)]
    assert work.issues.sum() == pytest.approx(len(started) / 2)
    backlog = plot.open_issues(records, days=30)
    smooth = plot.daily_mean(backlog, smooth_days=7)
    inside = smooth.dropna()
    assert len(smooth) - len(inside) == 6 and (inside["min"] <= inside["max"]).all()
    figures = [
        plot.response_distribution(plot.observed(records, loaded),
                                   categories=["public_service", "livelihood"],
                                   target_min={"public_service": 30}, share=0.9),
        plot.backlog_chart(backlog.assign(s="a"), hue="s", shade=(10, 20), marks={"x": 25},
                           smooth_days=7),
        plot.role_chart(work, shade=(7, 14)),
    ]
    for figure in figures:
        assert plot.to_png(figure)[:4] == b"\x89PNG"
    level = pd.Series([50, 80, 60, 52, 49, 58, 50, 51], index=range(10, 18))
    reference = pd.Series(50.0, index=range(10, 18))
    assert plot.recovery_day(level, reference, after_day=11) == 16
    assert plot.recovery_day(level, reference, after_day=11, tolerance=0.2) == 12
    assert plot.recovery_day(level + 100, reference, after_day=11) is None
