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


def chinese_district() -> dict:
    """A community, its grids and a category with Chinese code names."""
    return {
        "name": "红旗街道", "language": "zh",
        "titles": {"zh": "红旗街道 基线", "en": "Hongqi sub-district, baseline"},
        "communities": [{"id": "红旗", "name": "红旗社区", "households": 2000, "grids": {
            "layout": "table", "grids": [
                {"id": "红旗-1", "name": "红旗一网格", "households": 1000, "x_m": 0, "y_m": 0},
                {"id": "红旗-2", "households": 1000, "x_m": 300, "y_m": 0}]}}],
        "staffing": {"grid_members": {"per_grid": 1}},
        "demand": {"民生": {"per_1000_households_per_year": 50,
                          "handling_min": {"exponential": {"mean": 30}}}},
        "estimates": {"communities.*.households": "split by hand",
                      "demand.民生.handling_min": "a guess"},
    }


def test_chinese_code_names_are_accepted_and_run():
    from sim.experiment.runner import run
    from sim.scenario import from_mapping

    loaded = from_mapping(chinese_district(), "<红旗>")
    spec = loaded.scenario
    assert spec.title("zh") == "红旗街道 基线" and spec.title("en").startswith("Hongqi")
    assert spec.communities[0].grids.grids[0].name == "红旗一网格"
    summary = loaded.with_overrides({"horizon.days": 10, "horizon.warmup_days": 1})
    result = run(summary, replications=1, save=False, executor="serial", progress=False)
    assert {"红旗-1", "红旗-2"} <= set(result.summary["grid"])
    assert "民生" in set(result.summary["category"])


@pytest.mark.parametrize(("where", "value", "expected"), [
    ("community", "Dongguan", "communities[0].id: must be a code name"),
    ("community", "东 关", "communities[0].id: must be a code name"),
    ("grid", "红旗/1", "grids[0].id: must be a grid id"),
    ("estimate", "communities.*.household", "estimates.communities.*.household: no such key"),
])
def test_bad_code_names_and_estimate_keys_are_named(where: str, value: str, expected: str):
    from sim.scenario import from_mapping

    data = chinese_district()
    if where == "community":
        data["communities"][0]["id"] = value
    elif where == "grid":
        data["communities"][0]["grids"]["grids"][0]["id"] = value
    else:
        data["estimates"][value] = "?"
    with pytest.raises(ScenarioError) as error:
        from_mapping(data, "<红旗>")
    assert any(expected in p for p in error.value.problems), error.value.problems


@pytest.mark.parametrize(("name", "slug"), [
    ("Chengcheng county seat, baseline", "chengcheng-county-seat-baseline"),
    ("澄城县城关街道 基线", "澄城县城关街道-基线"),
    ("a/b:c\"d*e", "a-b-c-d-e"),
    ("Ｆｕｌｌ　ｗｉｄｔｈ", "full-width"),
    ("..hidden..", "hidden"),
    ("01-households_per_worker=1500", "01-households_per_worker=1500"),
])
def test_folder_names_keep_chinese_and_drop_what_a_file_name_cannot_hold(name: str, slug: str):
    from sim.files.folder import slugify

    assert slugify(name) == slug
