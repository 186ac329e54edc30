"""A city's run report: by sub-district (街道), only what misses, small; the district figures
pool their communities exactly as the recorder pools the whole city."""

from __future__ import annotations

import importlib.util
import re
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.attainment import RESOLUTION, RESPONSE, grid_shortfalls
from sim.analysis.districts import district_replications, shortfall_rows
from sim.model.measures import ALL
from sim.report.city import SHOWN
from sim.report.folders import write_report
from sim.report.i18n import Texts
from sim.scenario import from_mapping

ROOT = Path(__file__).resolve().parents[1]


def lattice_city(grids: int, days: float) -> dict:
    spec = importlib.util.spec_from_file_location("city", ROOT / "benchmarks" / "city.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lattice_city(grids, days=days)


@pytest.fixture(scope="module")
def city_run(tmp_path_factory):
    """200 grids: 20 communities in 2 districts, a week, 2 replications."""
    loaded = from_mapping(lattice_city(200, days=7), "<city>")
    out = tmp_path_factory.mktemp("city") / "run"
    result = sim.run(loaded, replications=2, seed=3, out=out, executor="serial",
                     progress=False)
    return loaded, result, out


def rows_of(html: str, table_id: str) -> int:
    found = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert found, table_id
    return found.group(1).count("<tr>")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_city_report_leads_by_district_and_stays_small(city_run, lang):
    loaded, result, out = city_run
    path = write_report(out, lang)
    html = path.read_text("utf-8")
    t = Texts(lang)
    assert path.stat().st_size < 1_000_000
    assert 'id="categories"' in html  # each category against its own target first
    assert html.index('id="categories"') < html.index('id="by-district"')
    assert rows_of(html, "by-district") == len(loaded.scenario.districts) == 2
    assert 'id="by-community"' not in html and 'id="care-visits"' not in html
    assert rows_of(html, "communities-missing") <= SHOWN
    assert escape(t("city.detail")) in html
    assert escape(t("community.all_city")) in html
    if 'id="grids-missing"' in html:
        assert rows_of(html, "grids-missing") <= SHOWN


def test_pooling_every_community_gives_the_whole_city(city_run):
    """One district of all communities pools to the recorder's whole-city rows: issues add up,
    each category's shares and mean times are those of all the city's issues of it."""
    loaded, result, _ = city_run
    spec = loaded.scenario.model_copy(update={"districts": [
        loaded.scenario.districts[0].model_copy(
            update={"communities": [c.id for c in loaded.scenario.communities]})]})
    table = result.replications
    pooled = district_replications(table, spec)
    whole = table[(table["community"] == ALL) & (table["grid"] == ALL)]
    keys = ["replication", "category"]
    both = pooled.merge(whole, on=keys, suffixes=("", "_whole"))
    assert len(both) == len(whole) > 10
    assert (table["unfinished"].fillna(0) == 0).all()  # else resolution weights differ
    np.testing.assert_allclose(both["issues"], both["issues_whole"], rtol=1e-9)
    categories = both[both["category"] != ALL]  # "all" mixes in care visits, not resolved
    for metric in (RESPONSE, RESOLUTION, "response_min_mean", "resolution_h_mean"):
        np.testing.assert_allclose(categories[metric], categories[f"{metric}_whole"],
                                   rtol=1e-9, err_msg=metric)


def test_the_worst_miss_is_the_one_with_most_issues_short():
    table = pd.DataFrame({
        "community": ["a", "b", ALL], "category": ["x", "x", "x"], "issues": [2.0, 40.0, 42.0],
        "target_share": [0.9] * 3, RESPONSE: [0.0, 0.5, 0.48], RESOLUTION: [1.0] * 3,
        "response_attainment": ["missed"] * 3, "resolution_attainment": ["met"] * 3})
    rows = shortfall_rows(table)
    assert list(rows["community"]) == ["b", "a"]  # 0.4 x 40 issues short before 0.9 x 2
    np.testing.assert_allclose(rows["issues_short"], [16.0, 1.8])
    grids = table.assign(grid=["g1", "g2", "g3"]).iloc[:2]
    assert grid_shortfalls(grids)["worst"].iloc[0] == ["g1", "g2"]  # lowest share first
    assert grid_shortfalls(grids, by_issues_short=True)["worst"].iloc[0] == ["g2", "g1"]


def test_the_terminal_shows_districts_not_communities(city_run):
    from sim.report.run import RunView
    from sim.report.terminal import run_text

    loaded, result, _ = city_run
    view = RunView.of(loaded, result.summary, "en", result.replications)
    text = run_text(view.table, view.headline, view.mix_line, view.names, 100,
                    districts=view.districts)
    assert Texts("en")("cli.by_district") in text
    assert "d001c01  " not in text and re.search(r"^d001 ", text, re.M)


def test_a_city_headline_counts_the_communities_and_names_the_worst_first(city_run):
    from sim.analysis.attainment import Shortfall
    from sim.report.headline import city_where
    from sim.report.names import Names

    spec = city_run[0].scenario
    ids = [c.id for c in spec.communities[:6]]  # the first district's
    table = pd.DataFrame({"community": ids, "category": "livelihood",
                          "issues": [10.0] * 5 + [100.0], RESPONSE: [0.5] * 5 + [0.85]})
    short = Shortfall("livelihood", RESPONSE, 120.0, 0.9, 0.6, np.nan, np.nan, tuple(ids), 20)
    text = city_where(short, table, spec, Names(spec, Texts("en")))
    # 0.05 x 100 = 5 issues short in the sixth, 0.4 x 10 = 4 in each of the others
    assert text == ("missed in 6 of 20 communities (in 1 of 2 sub-districts), most issues "
                    f"short in {ids[5]}, {ids[0]}, {ids[1]} and 3 more")
