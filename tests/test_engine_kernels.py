"""The fast pooled kernel is the general engine, only faster: on plain pooled plans both give
identical records, column by column, and the fast kernel refuses any plan it does not cover.

``PooledEngine`` takes the lowest-numbered idle responder of the community and serves the
community queue by priority, then report time, exactly as ``Engine`` does with a pooled
preference list, so with the same seed both draw the same random numbers in the same order.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd
import pytest

from sim.model.engine import POOLED_ACCEPTS, Engine, PooledEngine, simulate
from sim.model.plan import ModelPlan, build_plan
from sim.model.streams import Streams
from sim.scenario import from_mapping
from sim.scenario.loading import merge

PLAIN: dict[str, Any] = {
    "name": "plain pooled",
    "horizon": {"days": 40, "warmup_days": 2},
    "communities": [
        {"id": "north", "households": 4000, "community_workers": 3,
         "grids": {"layout": "lattice", "rows": 2, "cols": 2, "spacing_m": 300,
                   "building_heads": False}},
        {"id": "south", "households": 2500, "community_workers": 2,
         "grids": {"layout": "lattice", "rows": 1, "cols": 2, "spacing_m": 300}},
        {"id": "east", "households": 1800, "community_workers": 1},
    ],
    "staffing": {"grid_members": {"per_grid": 0}},
    "reporting": {"building_head_factor": 0.3},
    "departments": {
        "housing": {"handling_h": {"lognormal": {"mean": 4, "cv": 1.0}},
                    "report_within_h": 8, "capacity": 4},
        "police": {"handling_h": {"exponential": {"mean": 3}}, "report_within_h": 2},
    },
    "demand": {
        "livelihood": {"per_1000_households_per_year": 2250,
                       "handling_min": {"lognormal": {"mean": 60, "cv": 0.8}},
                       "report_delay_min": {"exponential": {"mean": 90}},
                       "escalation": {"share": 0.3, "department": "housing"}},
        "dispute": {"per_1000_households_per_year": 1000, "priority": 3,
                    "handling_min": {"gamma": {"mean": 90, "cv": 0.5}},
                    "report_delay_min": {"deterministic": {"value": 30}}},
        "security": {"per_1000_households_per_year": 100, "priority": 0,
                     "handling_min": {"exponential": {"mean": 45}},
                     "escalation": {"share": 0.5, "department": "police"}},
        "micro_wish": {"per_1000_households_per_year": 750, "priority": 8,
                       "handling_min": {"deterministic": {"value": 30}}},
    },
    "arrival_profile": {"hour_of_day": [0.2] * 7 + [1.5] * 12 + [0.5] * 5},
    "surges": [{"name": "flood", "start_day": 10, "end_day": 14, "demand": {"all": 1.5}}],
}


def _plan(changes: dict[str, Any] | None = None):
    data = merge(copy.deepcopy(PLAIN), changes or {})
    return build_plan(from_mapping(data, "<kernels>").scenario)


def _run(kind: type[Engine], plan, seed: int, replication: int):
    engine = kind(plan, Streams(seed, replication), keep_records=True)
    engine.add_issue(100.0, "security", "east", 30.0, report_delay_min=5.0, escalate=True)
    engine.add_issue(200.0, "livelihood", "north-r1c1", 45.0)
    return engine.run()


@pytest.mark.parametrize("changes", [
    pytest.param(None, id="workers"),
    pytest.param({"staffing": {"grid_members": {"per_grid": 1}}}, id="workers-and-members"),
])
@pytest.mark.parametrize("replication", [0, 1])
def test_pooled_kernel_gives_identical_records(changes, replication: int):
    plan = _plan(changes)
    assert PooledEngine.applies(plan)
    fast = _run(PooledEngine, plan, 99, replication)
    general = _run(Engine, plan, 99, replication)
    a, b = fast.records(), general.records()
    assert len(a) > 3000
    assert a["escalated"].any() and (a["wait_min"] > 0).mean() > 0.05  # queues and whistles
    assert (a["reported_min"] > a["occurred_min"]).any()
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(fast.metrics(), general.metrics(), check_exact=True)
    assert fast.unfinished == general.unfinished == 0


def test_simulate_picks_the_pooled_kernel_only_when_it_applies():
    plan = _plan()
    pd.testing.assert_frame_equal(
        simulate(plan, 5, 0, keep_records=True).records(),
        Engine(plan, Streams(5, 0), keep_records=True).run().records(), check_exact=True)


CALENDAR = {"calendars": {"office": {}}, "communities": [  # office hours need more staff
    {"id": "north", "community_workers": 12}, {"id": "south", "community_workers": 8},
    {"id": "east", "community_workers": 6}]}
NOT_COVERED = {
    "travel": {"travel": {"metric": "euclidean"}},
    "calendar": {**CALENDAR, "staffing": {"community_workers": {"calendar": "office"}}},
    "member calendar": {**CALENDAR, "staffing": {"grid_members": {
        "per_grid": 1, "calendar": "office"}}},
    "skills": {"staffing": {"grid_members": {"per_grid": 1, "categories": ["dispute"]}}},
    "volunteers": {"staffing": {"volunteers": {"per_1000_households": 1}}},
    "pre-emption": {"demand": {"security": {"preempt": True}}},
    "care visits": {"care_visits": {"share_of_households": 0.01, "by": "community_worker"}},
    "overflow escalate": {"dispatch": {"overflow": "escalate"}},
    "escalate after wait": {"dispatch": {"escalate_after_wait_min": 120}},
    "own_grid_first": {"dispatch": {"policy": "own_grid_first"}},
    "nearest_free": {"dispatch": {"policy": "nearest_free"}},
    "dedicated": {"dispatch": {"policy": "dedicated"}},
    "surge staff": {"surges": [{"name": "flood", "start_day": 10, "end_day": 14,
                                "extra": {"community_worker": 0.5}}]},
}


def test_pooled_kernel_applies_to_the_plain_plan():
    assert PooledEngine.applies(_plan())
    assert PooledEngine.applies(_plan({"staffing": {"grid_members": {"per_grid": 1}}}))


@pytest.mark.parametrize("feature", NOT_COVERED)
def test_pooled_kernel_refuses_every_feature_it_does_not_cover(feature: str):
    assert not PooledEngine.applies(_plan(NOT_COVERED[feature]))


def test_pooled_kernel_has_been_told_about_every_field_of_the_plan():
    # a new field of ModelPlan (a new engine feature) needs a word in POOLED_ACCEPTS
    assert {f.name for f in fields(ModelPlan)} == set(POOLED_ACCEPTS)


@dataclass(frozen=True)
class _GrownPlan(ModelPlan):
    feature_the_pooled_kernel_has_not_heard_of: bool = False


def test_pooled_kernel_refuses_a_field_it_has_not_been_told_about():
    plan = _plan()
    grown = _GrownPlan(**{f.name: getattr(plan, f.name) for f in fields(plan)})
    assert not PooledEngine.applies(grown)
