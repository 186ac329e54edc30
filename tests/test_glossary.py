"""One name per concept: the code names users see are the glossary's (docs/glossary.md), and the
project points at no file outside itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.model.measures import METRICS
from sim.model.plan import build_plan
from sim.model.recorder import Recorder
from sim.scenario import load_scenario
from sim.scenario.governance import ROLES
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
NAMED = set(re.findall(r"`([a-z_][a-z0-9_.]*)`", GLOSSARY))


def test_every_metric_of_a_run_is_defined_once_and_in_the_glossary():
    plan = build_plan(load_scenario(ROOT / "scenarios" / "chengcheng.yaml").scenario)
    columns = [c for c in Recorder(plan).metrics().columns
               if c not in ("community", "category", "grid")]
    assert set(columns) == set(METRICS), "the recorder's columns are the measures' METRICS"
    assert set(METRICS) <= NAMED, sorted(set(METRICS) - NAMED)


def test_roles_categories_and_scenario_keys_are_glossary_names():
    categories = set()
    for file in (ROOT / "scenarios").glob("*.yaml"):
        categories |= set(load_scenario(file).scenario.demand)
    missing = (set(ROLES) | categories | {"care_visit", "district", "community", "grid"}) - NAMED
    assert not missing, sorted(missing)
    assert {"households_per_worker", "dispatch.policy"} <= NAMED
    assert {"care_visits", "departments", "surges"} <= set(Scenario.model_fields)


TEXT_FILES = [p for pattern in ("sim/**/*.py", "docs/*.md", "README.md", "scenarios/**/*.yaml",
                                "notebooks/*.ipynb", "benchmarks/*")
              for p in ROOT.glob(pattern) if p.is_file()]


@pytest.mark.parametrize("path", TEXT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_file_points_outside_the_project(path: Path):
    text = path.read_text(encoding="utf-8", errors="replace")
    outside = re.findall(r"\.\./shared\b(?!/reallog)|\bshared/(?:GLOSSARY|DESIGN|seed)"
                         r"|\bDESIGN\.md\b|\bGLOSSARY\.md\b|/work/", text)
    assert not outside, f"{path.name} refers to {outside[0]}: point at docs/ instead"
