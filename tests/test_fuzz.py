"""The bad-input contract under random damage: shipped scenarios and grid files, mutated, give
exit 0 or exit 2 with a message naming a file — never a traceback, never a hang, never a folder
with summary.csv after a failure.

Bounded so the suite stays fast (``GRIDSIM_FUZZ_EXAMPLES``, default 40 examples of each kind);
a longer campaign: ``GRIDSIM_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py``
(docs/validation.md).
"""

from __future__ import annotations

import copy
import math
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main

EXAMPLES = int(os.environ.get("GRIDSIM_FUZZ_EXAMPLES", "40"))
SECONDS = 30  # longest any one example may take: beyond it, a hang
# (not the generated 5,000-grid city: one run of it takes longer than an example may; its
# districts are checked by tests/test_districts.py)
SCENARIOS = sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if p.stem != "city-5000")
DISTRICT = ROOT / "scenarios" / "examples"
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


def _resolved(path: Path) -> dict[str, Any]:
    import sim

    return yaml.safe_load(sim.load_scenario(path).to_yaml())


BASES = {p.stem: _resolved(p) for p in SCENARIOS}

values = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-10, max_value=10), st.sampled_from([0, 1, 2**31, 2**63, 10**20]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e-300, 1e30, -0.0, 0.5]),
    st.text(max_size=12), st.sampled_from(["1,250", "", "2026-02-30", "always", "all", "东关"]),
    st.lists(st.integers(-3, 3), max_size=4), st.dictionaries(st.text(max_size=4),
                                                             st.integers(-3, 3), max_size=2),
)


def _paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


@st.composite
def mutated(draw: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASES[draw(st.sampled_from(sorted(BASES)))])
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = draw(values)
    return data


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    def hang(*_: Any) -> None:
        raise TimeoutError(f"no answer within {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _contract(code: int, err: str, files: list[Path], out: Path | None = None) -> None:
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        names = [str(f) for f in files] + [f.name for f in files]
        assert any(n in err for n in names) or err.startswith("gridsim "), err
        if out is not None:
            assert not (out / "summary.csv").exists()


def _short(data: dict[str, Any]) -> dict[str, Any]:
    """The same scenario over a few days, so that running it stays quick."""
    horizon = data.get("horizon")
    if isinstance(horizon, dict):
        days = horizon.get("days")
        if isinstance(days, int | float) and not isinstance(days, bool) and math.isfinite(days):
            horizon["days"] = min(days, 5)
            warmup = horizon.get("warmup_days")
            if isinstance(warmup, int | float) and not isinstance(warmup, bool):
                horizon["warmup_days"] = min(warmup, 1)
    return data


@SETTINGS
@given(data=mutated())
def test_mutated_scenarios_keep_the_contract(data: dict[str, Any], tmp_path_factory, capsys):
    work = tmp_path_factory.mktemp("fuzz")
    file = work / "s.yaml"
    file.write_text(yaml.safe_dump(_short(data), allow_unicode=True), encoding="utf-8")
    with deadline(SECONDS):
        code = main(["validate", str(file)])
    _contract(code, capsys.readouterr().err, [file])
    if code == 0:
        out = work / "run"
        with deadline(SECONDS):
            code = main(["run", str(file), "-n", "1", "--executor", "serial", "-q", "--out",
                         str(out)])
        _contract(code, capsys.readouterr().err, [file], out)


CSV_ROWS = (DISTRICT / "district-grids.csv").read_text(encoding="utf-8").splitlines()


@st.composite
def mutated_csv(draw: Any) -> str:
    rows = [row.split(",") for row in CSV_ROWS]
    for _ in range(draw(st.integers(1, 3))):
        r = draw(st.integers(0, len(rows) - 1))
        kind = draw(st.sampled_from(["cell", "drop_row", "add_cell", "drop_cell"]))
        if kind == "cell" and rows[r]:
            c = draw(st.integers(0, len(rows[r]) - 1))
            rows[r][c] = str(draw(values)).replace(",", ";").replace("\n", " ")
        elif kind == "drop_row" and len(rows) > 1:
            rows.pop(r)
        elif kind == "add_cell":
            rows[r].append(draw(st.text(max_size=5)).replace(",", ";").replace("\n", " "))
        elif rows[r]:
            rows[r].pop()
    return "\n".join(",".join(row) for row in rows) + "\n"


@SETTINGS
@given(text=mutated_csv())
def test_mutated_grid_files_keep_the_contract(text: str, tmp_path_factory, capsys):
    work = tmp_path_factory.mktemp("fuzzgrid")
    for name in ("your-district.yaml", "district-communities.csv"):
        shutil.copy(DISTRICT / name, work / name)
    (work / "district-grids.csv").write_text(text, encoding="utf-8")
    with deadline(SECONDS):
        code = main(["validate", str(work / "your-district.yaml")])
    _contract(code, capsys.readouterr().err,
              [work / "your-district.yaml", work / "district-grids.csv"])


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9])
def test_a_truncated_scenario_file(cut: float, tmp_path: Path, capsys):
    text = (ROOT / "scenarios" / "chengcheng.yaml").read_text(encoding="utf-8")
    file = tmp_path / "cut.yaml"
    file.write_text(text[: int(len(text) * cut)], encoding="utf-8")
    _contract(main(["validate", str(file)]), capsys.readouterr().err, [file])
