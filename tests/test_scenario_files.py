"""Scenario files: the shipped ones validate, extends and overrides merge as documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASELINE, ROOT

from sim.errors import ScenarioError
from sim.scenario import load_scenario
from sim.scenario.reference import reference


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_validate(path: Path):
    loaded = load_scenario(path)
    assert loaded.scenario.communities


def test_reference_is_generated_from_schema():
    committed = (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    assert committed == reference(), "run `make docs` to regenerate docs/scenario-reference.md"


def test_baseline_households_follow_the_census_estimate():
    """138,600 urban residents / 2.71 persons per household (docs/calibration.md)."""
    households = sum(c.households for c in load_scenario(BASELINE).scenario.communities)
    assert households == round(138_600 / 2.71, -1)


def test_baseline_workers_follow_the_3000_household_policy():
    s = load_scenario(BASELINE).scenario
    for community in s.communities:
        assert s.workers(community) == -(-community.households // 3000)


def test_extends_merges_by_id_and_overrides(tmp_path: Path):
    base = tmp_path / "base.yaml"
    base.write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    variant = tmp_path / "sub" / "variant.yaml"
    variant.parent.mkdir()
    variant.write_text(
        "extends: ../base.yaml\n"
        "name: variant\n"
        "staffing: {community_workers: {households_per_worker: 1500}}\n"
        "communities:\n  - {id: dongguan, households: 7000}\n  - {id: newtown, households: 900}\n"
        "demand: {dispute: {per_1000_households_per_year: 30}}\n",
        encoding="utf-8",
    )
    s = load_scenario(variant).scenario
    ids = [c.id for c in s.communities]
    assert ids[0] == "dongguan" and ids[-1] == "newtown" and len(ids) == 11
    assert s.communities[0].households == 7000 and s.communities[0].name == "东关社区"
    assert s.staffing.community_workers.households_per_worker == 1500
    assert s.staffing.community_workers.rounding == "ceil"  # kept from the base
    assert s.demand["dispute"].per_1000_households_per_year == 30
    assert s.demand["dispute"].handling_min.kind == "lognormal"  # kept from the base


def test_extends_cycle_is_an_error(tmp_path: Path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n")
    with pytest.raises(ScenarioError, match="circular"):
        load_scenario(tmp_path / "a.yaml")


def test_with_overrides_addresses_list_items_by_id():
    loaded = load_scenario(BASELINE)
    changed = loaded.with_overrides({"communities.xiguan.community_workers": 5,
                                     "horizon.days": 30})
    xiguan = next(c for c in changed.scenario.communities if c.id == "xiguan")
    assert changed.scenario.workers(xiguan) == 5 and changed.scenario.horizon.days == 30
    assert changed.digest() != loaded.digest()
    with pytest.raises(ScenarioError, match="no list item with id 'nowhere'"):
        loaded.with_overrides({"communities.nowhere.households": 1})
    with pytest.raises(ScenarioError, match="horizon.days: input should be greater than 0"):
        loaded.with_overrides({"horizon.days": -1})


def test_resolved_yaml_round_trips(tmp_path: Path):
    loaded = load_scenario(BASELINE)
    copy = tmp_path / "resolved.yaml"
    copy.write_text(loaded.to_yaml(), encoding="utf-8")
    assert load_scenario(copy).digest() == loaded.digest()
