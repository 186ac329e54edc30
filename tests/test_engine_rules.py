"""Hand-checked rules of the engine: tiny scenarios whose every time follows by hand.

Demand rates are 0, so no random issues arise; issues are scripted with ``Engine.add_issue``.
Handling, department and visit times are ``deterministic``, so every expected time below is
exact arithmetic (compared to 1e-9 minutes, i.e. up to floating-point rounding).

The shared map (``BASE``): day 0 is Monday 2026-01-05; one community ``c`` with two square
grids of 1 km² each, ``g1`` centred at (0, 0) and ``g2`` 3 km east; the community office is
1 km south of g1's centre. Travel is
Manhattan with detour factor 1.5, responders return to base. Hence, one way:

- a grid member (6 km/h = 100 m/min) in its own grid walks (2/3)·1000 m·1.5 = 1000 m: 10 min;
- a grid member to the other grid: 3000 m·1.5 = 4500 m: 45 min;
- a community worker (15 km/h = 250 m/min) from the office to g1: 1000 m·1.5 = 1500 m: 6 min;
  to g2: 4000 m·1.5 = 6000 m: 24 min (far enough that the walk within the grid adds nothing).
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.model.engine import Engine
from sim.model.plan import CareHousehold, ModelPlan, build_plan
from sim.model.recorder import Recorder
from sim.model.streams import Streams
from sim.scenario import from_mapping
from sim.scenario.loading import merge

DAY = 1440.0
HORIZON_DAYS = 14
OWN, CROSS = 10.0, 45.0  # grid member: own grid, other grid (minutes, one way)
OFFICE_G1, OFFICE_G2 = 6.0, 24.0  # community worker from the office (minutes, one way)
W = OFFICE_G1
MONDAY, FRIDAY, SATURDAY = 0, 4, 5  # day numbers in the first week


def fixed(minutes: float) -> dict[str, Any]:
    return {"deterministic": {"value": minutes}}


def at(day: int, hh: int, mm: int = 0) -> float:
    """Simulation minute of ``day`` at ``hh:mm``."""
    return day * DAY + hh * 60 + mm


BASE: dict[str, Any] = {
    "name": "hand-checked",
    "horizon": {"days": HORIZON_DAYS, "warmup_days": 0},
    "communities": [{
        "id": "c", "households": 1000, "community_workers": 0, "office_m": [0, -1000],
        "grids": {"layout": "table", "grids": [
            {"id": "g1", "households": 500, "x_m": 0, "y_m": 0, "area_m2": 1e6},
            {"id": "g2", "households": 500, "x_m": 3000, "y_m": 0, "area_m2": 1e6},
        ]},
    }],
    "staffing": {"grid_members": {"per_grid": 1, "speed_kmh": 6}},
    "travel": {"metric": "manhattan", "detour_factor": 1.5, "return_to_base": True},
    "dispatch": {"policy": "own_grid_first"},
    "demand": {
        "livelihood": {"per_1000_households_per_year": 0, "handling_min": fixed(60)},
    },
}


def plan_of(changes: dict[str, Any] | None = None) -> ModelPlan:
    """``BASE`` with ``changes`` deep-merged in (a key set to None is removed)."""
    data = merge(copy.deepcopy(BASE), changes or {})
    data = {k: v for k, v in data.items() if v is not None}
    return build_plan(from_mapping(data, "<rules>").scenario)


def run_all(plan: ModelPlan, issues: list[tuple], seed: int = 1) -> tuple[pd.DataFrame, Recorder]:
    """Run ``plan`` with scripted ``issues`` (``add_issue`` arguments); records by occurrence."""
    engine = Engine(plan, Streams(seed, 0), keep_records=True)
    for issue in issues:
        engine.add_issue(*issue)
    recorder = engine.run()
    assert engine.open == 0  # every issue closed exactly once
    return recorder.records(), recorder


def run(plan: ModelPlan, issues: list[tuple], seed: int = 1) -> tuple[pd.DataFrame, Recorder]:
    """Like :func:`run_all`, when the scripted issues are the only ones."""
    records, recorder = run_all(plan, issues, seed)
    assert len(records) == len(issues)
    return records, recorder


def check(row: pd.Series, **expected: float) -> None:
    """Each ``column=value`` of ``row`` equals the hand-computed value (NaN matches NaN)."""
    for column, value in expected.items():
        got = row[column]
        if isinstance(value, bool):
            assert bool(got) == value, (column, got)
        elif isinstance(value, float) and math.isnan(value):
            assert math.isnan(got), (column, got)
        else:
            assert got == pytest.approx(value, abs=1e-9), (column, got, value)


def row(metrics: pd.DataFrame, community="all", category="all", grid="all") -> pd.Series:
    found = metrics[(metrics["community"] == community) & (metrics["category"] == category)
                    & (metrics["grid"] == grid)]
    assert len(found) == 1
    return found.iloc[0]


def home_grid(plan: ModelPlan, responder: int) -> str | None:
    g = plan.responders[responder].grid
    return plan.grids.ids[g] if g >= 0 else None


# ---------------------------------------------------------------- one issue's life


WITHIN_EUCLIDEAN = (2 + math.sqrt(2) + 5 * math.log(1 + math.sqrt(2))) / 15  # 0.5214...


@pytest.mark.parametrize(("metric", "walk_m"), [
    pytest.param("manhattan", 2 / 3 * 1000, id="manhattan"),
    pytest.param("euclidean", WITHIN_EUCLIDEAN * 1000, id="euclidean"),
])
def test_single_issue_timeline(metric: str, walk_m: float):
    """occurred -> reported (delay) -> start -> on site (travel = within-grid distance x detour
    / speed) -> done -> back at base (busy) -> closed; response, wait, resolution, utilisation."""
    plan = plan_of({"travel": {"metric": metric}})
    travel = walk_m * 1.5 / 100.0  # detour 1.5, 6 km/h = 100 m/min
    assert plan.travel_minutes(0, plan.grids.index("g1")) == pytest.approx(travel, abs=1e-12)
    records, recorder = run(plan, [(100.0, "livelihood", "g1", 60.0, 20.0)])
    issue = records.iloc[0]
    check(issue, occurred_min=100, reported_min=120, start_min=120, onsite_min=120 + travel,
          closed_min=120 + travel + 60, wait_min=0, response_min=travel,
          resolution_h=(travel + 60) / 60)
    assert issue["responder"] == 0 and issue["responder_role"] == "grid_member"
    assert not (issue["escalated"] or issue["overflow"] or issue["preempted"])
    metrics = recorder.metrics()
    window = HORIZON_DAYS * DAY
    # busy = there, handling, and back: utilisation of g1's member; g2's member idle
    check(row(metrics, "c", grid="g1"), utilisation=(travel + 60 + travel) / window)
    check(row(metrics, "c", grid="g2"), utilisation=0.0)
    check(row(metrics), utilisation_grid_member=(2 * travel + 60) / (2 * window),
          response_min_mean=travel, wait_min_mean=0, report_delay_min_mean=20,
          resolution_h_mean=(travel + 60) / 60, cross_grid_share=0)


def test_report_delay_with_and_without_building_heads():
    """Random issues with a fixed 40-minute report delay: grids with building heads report in
    40 x building_head_factor = 10 minutes, grids without in 40."""
    plan = plan_of({
        "communities": [{"id": "c", "grids": {"layout": "table", "grids": [
            {"id": "g1", "households": 500, "x_m": 0, "y_m": 0, "area_m2": 1e6,
             "building_heads": True},
            {"id": "g2", "households": 500, "x_m": 3000, "y_m": 0, "area_m2": 1e6,
             "building_heads": False},
        ]}}],
        "reporting": {"building_head_factor": 0.25},
        "demand": {"livelihood": {"per_1000_households_per_year": 2000,
                                  "report_delay_min": fixed(40)}},
    })
    records, recorder = run_all(plan, [])
    delay = records["reported_min"] - records["occurred_min"]
    heads = records["grid"] == "g1"
    assert heads.sum() > 10 and (~heads).sum() > 10
    np.testing.assert_allclose(delay[heads], 10.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(delay[~heads], 40.0, rtol=0, atol=1e-9)
    metrics = recorder.metrics()
    check(row(metrics, "c", grid="g1"), report_delay_min_mean=10)
    check(row(metrics, "c", grid="g2"), report_delay_min_mean=40)


# ---------------------------------------------------------------- dispatch policies


def test_own_grid_first():
    """Own member first; when busy, the other grid's member (a cross-grid dispatch); when both
    are busy the issue waits in the community queue for the first to come back."""
    plan = plan_of({"dispatch": {"policy": "own_grid_first"}})
    assert plan.preferences == ((0, 1), (1, 0))  # member of g1 is 0, member of g2 is 1
    records, recorder = run(plan, [
        (0.0, "livelihood", "g1", 60.0),   # A: member 1 of g1, back at 10 + 60 + 10 = 80
        (5.0, "livelihood", "g1", 60.0),   # B: g1's member busy -> g2's member, 45 min away
        (10.0, "livelihood", "g2", 60.0),  # C: both busy; g1's member takes it at 80
        (300.0, "livelihood", "g1", 60.0),  # D: both free -> own member
    ])
    a, b, c, d = (records.iloc[i] for i in range(4))
    check(a, responder=0, start_min=0, onsite_min=OWN, closed_min=OWN + 60)
    check(b, responder=1, start_min=5, onsite_min=5 + CROSS, closed_min=5 + CROSS + 60)
    check(c, responder=0, start_min=2 * OWN + 60, wait_min=2 * OWN + 60 - 10,
          onsite_min=2 * OWN + 60 + CROSS, closed_min=2 * OWN + 60 + CROSS + 60)
    check(d, responder=0, start_min=300)
    cross = [home_grid(plan, r) != g for r, g in zip(records["responder"], records["grid"],
                                                      strict=True)]
    assert cross == [False, True, True, False]
    check(row(recorder.metrics()), cross_grid_share=0.5)


def test_nearest_free_goes_by_travel_minutes():
    """With an e-bike community worker at the office (in g1), `nearest_free` sends g1's issue
    to the worker (6 min) before g1's own walking member (10 min); `own_grid_first` sends it to
    the member. g2's issue goes to g2's member (10 min) before the worker (24 min) in both."""
    changes: dict[str, Any] = {"communities": [{"id": "c", "community_workers": 1}]}
    issues = [(0.0, "livelihood", "g1", 60.0), (1.0, "livelihood", "g2", 60.0),
              (2.0, "livelihood", "g1", 60.0)]
    worker, m1, m2 = 0, 1, 2
    nearest = plan_of({**changes, "dispatch": {"policy": "nearest_free"}})
    assert nearest.preferences == ((worker, m1, m2), (m2, worker, m1))
    records, _ = run(nearest, issues)
    check(records.iloc[0], responder=worker, onsite_min=OFFICE_G1)
    check(records.iloc[1], responder=m2, onsite_min=1 + OWN)
    check(records.iloc[2], responder=m1, onsite_min=2 + OWN)  # worker busy: next nearest
    own = plan_of({**changes, "dispatch": {"policy": "own_grid_first"}})
    assert own.preferences == ((m1, worker, m2), (m2, worker, m1))
    records, _ = run(own, issues)
    check(records.iloc[0], responder=m1, onsite_min=OWN)
    check(records.iloc[1], responder=m2, onsite_min=1 + OWN)
    check(records.iloc[2], responder=worker, onsite_min=2 + OFFICE_G1)


def test_pooled_sends_the_responder_idle_longest():
    """`pooled`: one community queue, whatever the grid; a new issue goes to the free responder
    idle longest, the first on the roster among equals: g2's issue goes to g1's member (listed
    first) while both have been free since the start."""
    plan = plan_of({"dispatch": {"policy": "pooled"}})
    assert plan.preferences == ((0, 1), (0, 1))
    records, recorder = run(plan, [(0.0, "livelihood", "g2", 60.0),
                                   (1.0, "livelihood", "g2", 60.0),
                                   (2.0, "livelihood", "g1", 60.0),
                                   (240.0, "livelihood", "g1", 60.0),
                                   (400.0, "livelihood", "g1", 60.0)])
    check(records.iloc[0], responder=0, onsite_min=CROSS)
    check(records.iloc[1], responder=1, onsite_min=1 + OWN)
    # both busy: the first back (g2's member at 1 + 10 + 60 + 10 = 81) takes it
    check(records.iloc[2], responder=1, start_min=81, onsite_min=81 + CROSS)
    # at 240 member 0 has been idle since 2 x 45 + 60 = 150, member 1 since 81 + 150 = 231
    check(records.iloc[3], responder=0, start_min=240, onsite_min=240 + OWN)
    # at 400 member 1 (idle since 231) has waited longer than member 0 (back at 320)
    check(records.iloc[4], responder=1, start_min=400, onsite_min=400 + CROSS)
    check(row(recorder.metrics()), cross_grid_share=3 / 5)


def test_dedicated_waits_for_its_own_member():
    """`dedicated`: g1's second issue waits for g1's member (back from the first at 80, the
    return walk included) although g2's member is free all along."""
    plan = plan_of({"dispatch": {"policy": "dedicated"}})
    assert plan.preferences == ((0,), (1,))
    records, recorder = run(plan, [(0.0, "livelihood", "g1", 60.0),
                                   (5.0, "livelihood", "g1", 60.0),
                                   (6.0, "livelihood", "g2", 60.0)])
    back = OWN + 60 + OWN
    check(records.iloc[0], responder=0, closed_min=OWN + 60)
    check(records.iloc[1], responder=0, start_min=back, wait_min=back - 5,
          onsite_min=back + OWN, closed_min=back + OWN + 60)
    check(records.iloc[2], responder=1, start_min=6, onsite_min=6 + OWN)
    check(row(recorder.metrics()), cross_grid_share=0)


# ---------------------------------------------------------------- calendars


OFFICE_CALENDAR = {"office": {"days": ["mon", "tue", "wed", "thu", "fri"],
                              "periods": ["08:00-12:00", "14:00-18:00"]}}


def office_plan() -> ModelPlan:
    """Two office-hours community workers, the first on the duty rota; security is urgent."""
    return plan_of({
        "calendars": OFFICE_CALENDAR,
        "communities": [{"id": "c", "community_workers": 2}],
        "staffing": {"grid_members": {"per_grid": 0},
                     "community_workers": {"calendar": "office", "on_duty": 1}},
        "demand": {"security": {"per_1000_households_per_year": 0, "handling_min": fixed(60),
                                "priority": 0, "urgent": True}},
    })


def test_off_hours_issue_waits_for_the_next_shift():
    """Office calendar: a livelihood issue of Saturday 10:00 waits to Monday 08:00; one of
    Tuesday 12:30 waits out the lunch break to 14:00."""
    plan = office_plan()
    saturday, monday = at(SATURDAY, 10), at(MONDAY + 7, 8)
    records, _ = run(plan, [(saturday, "livelihood", "g1", 60.0)])
    check(records.iloc[0], start_min=monday, wait_min=monday - saturday,
          onsite_min=monday + OFFICE_G1, closed_min=monday + OFFICE_G1 + 60)
    # the lunch break: 12:30 waits to 14:00
    records, _ = run(plan, [(at(1, 12, 30), "livelihood", "g1", 60.0)])
    check(records.iloc[0], start_min=at(1, 14))


def test_urgent_issue_is_answered_off_hours_by_the_duty_worker():
    """Saturday 11:00 security goes at once to the duty worker (responder 0); a livelihood issue
    reported an hour earlier still waits for Monday 08:00, and the free duty worker does not
    take it."""
    plan = office_plan()
    assert [r.on_duty for r in plan.responders] == [True, False]
    records, _ = run(plan, [(at(SATURDAY, 10), "livelihood", "g1", 60.0),
                            (at(SATURDAY, 11), "security", "g1", 60.0)])
    livelihood, security = records.iloc[0], records.iloc[1]
    check(security, responder=0, start_min=at(SATURDAY, 11), wait_min=0,
          onsite_min=at(SATURDAY, 11) + OFFICE_G1)
    check(livelihood, start_min=at(MONDAY + 7, 8))


def test_shift_end_lets_the_issue_finish():
    """Friday 17:30: the issue started before 18:00 is finished after it (closed 18:36); one
    reported at 17:50 with both workers busy waits to Monday 08:00, the oldest first."""
    plan = office_plan()
    records, _ = run(plan, [
        (at(FRIDAY, 17, 30), "livelihood", "g1", 60.0),
        (at(FRIDAY, 17, 40), "livelihood", "g1", 60.0),
        (at(FRIDAY, 17, 50), "livelihood", "g1", 60.0),
        (at(SATURDAY, 10), "livelihood", "g1", 60.0),
    ])
    check(records.iloc[0], responder=0, start_min=at(FRIDAY, 17, 30),
          closed_min=at(FRIDAY, 17, 30) + OFFICE_G1 + 60)
    check(records.iloc[1], responder=1, start_min=at(FRIDAY, 17, 40))
    check(records.iloc[2], responder=0, start_min=at(MONDAY + 7, 8))
    check(records.iloc[3], responder=1, start_min=at(MONDAY + 7, 8))


# ---------------------------------------------------------------- priorities and pre-emption


def single_worker(demand: dict[str, Any], **changes: Any) -> ModelPlan:
    """One always-working community worker (6 min to g1), no grid members."""
    return plan_of({
        "communities": [{"id": "c", "community_workers": 1}],
        "staffing": {"grid_members": {"per_grid": 0}},
        "demand": demand, **changes,
    })


def test_priorities_then_first_come_first_served():
    """Lower priority number first; equal priorities (even of two categories) by report time."""
    plan = single_worker({
        "dispute": {"per_1000_households_per_year": 0, "handling_min": fixed(60), "priority": 3},
        "environment": {"per_1000_households_per_year": 0, "handling_min": fixed(60),
                        "priority": 5},
        "micro_wish": {"per_1000_households_per_year": 0, "handling_min": fixed(60),
                       "priority": 8},
    })
    cycle = W + 60 + W  # 72 minutes per issue, there and back
    records, _ = run(plan, [
        (0.0, "livelihood", "g1", 60.0),     # in hand until 72
        (10.0, "micro_wish", "g1", 60.0),
        (11.0, "livelihood", "g1", 60.0),
        (12.0, "dispute", "g1", 60.0),
        (13.0, "environment", "g1", 60.0),
        (14.0, "dispute", "g1", 60.0),
    ])
    starts = dict(zip(records["occurred_min"], records["start_min"], strict=True))
    order = [12.0, 14.0, 11.0, 13.0, 10.0]  # disputes, then priority 5 by time, the wish last
    for k, occurred in enumerate(order, start=1):
        assert starts[occurred] == pytest.approx(k * cycle, abs=1e-9), occurred


PREEMPT_DEMAND = {"security": {"per_1000_households_per_year": 0, "handling_min": fixed(60),
                               "priority": 0, "preempt": True}}


def test_preemption_resumes_the_remaining_handling():
    """Security at 30 interrupts the livelihood issue on site since 6 (24 of 100 minutes done);
    after security (30..96, back 102) the livelihood issue resumes with 76 minutes left."""
    plan = single_worker(PREEMPT_DEMAND)
    records, recorder = run(plan, [(0.0, "livelihood", "g1", 100.0),
                                   (30.0, "security", "g1", 60.0)])
    livelihood, security = records.iloc[0], records.iloc[1]
    check(security, start_min=30, onsite_min=30 + W, closed_min=30 + W + 60, preempted=False)
    back = 30 + W + 60 + W
    left = 100 - (30 - W)
    check(livelihood, start_min=0, onsite_min=W, response_min=W,
          closed_min=back + W + left, preempted=True)
    metrics = recorder.metrics()
    # busy: 0..30 cut short, the security issue there and back, the rest there and back
    busy = 30 + (back - 30) + (W + left + W)
    check(row(metrics), preempted_share=0.5, utilisation=busy / (HORIZON_DAYS * DAY))


def test_preemption_on_the_way_restarts_the_response():
    """Interrupted at 2, before reaching the site (due at 6), the livelihood issue has not been
    answered: its start and on-site times are those of the trip that reaches it."""
    plan = single_worker(PREEMPT_DEMAND)
    records, _ = run(plan, [(0.0, "livelihood", "g1", 100.0),
                            (2.0, "security", "g1", 60.0)])
    back = 2 + W + 60 + W
    check(records.iloc[0], start_min=back, wait_min=back, onsite_min=back + W,
          response_min=back + W, closed_min=back + W + 100, preempted=True)


def test_no_preemption_of_equal_priority_or_of_the_walk_back():
    """Security does not interrupt security, nor a responder on the way back to base (its issue
    is closed): both wait, and every issue is closed once."""
    plan = single_worker(PREEMPT_DEMAND)
    records, _ = run(plan, [
        (0.0, "security", "g1", 60.0),      # 0..66, back 72
        (10.0, "security", "g1", 60.0),     # waits: 72..138, back 144
        (200.0, "livelihood", "g1", 60.0),  # 200..266, on the way back 266..272
        (268.0, "security", "g1", 60.0),    # waits for the way back: starts 272
    ])
    check(records.iloc[1], start_min=2 * W + 60, preempted=False)
    check(records.iloc[2], closed_min=200 + W + 60, preempted=False)
    check(records.iloc[3], start_min=200 + 2 * W + 60, closed_min=200 + 3 * W + 120)


# ---------------------------------------------------------------- escalation


def escalation_plan(capacity: int | None = 1, **dispatch: Any) -> ModelPlan:
    """One worker; livelihood may go to the housing department (2 h, report within 2.5 h)."""
    department: dict[str, Any] = {"handling_h": fixed(2), "report_within_h": 2.5}
    if capacity is not None:
        department["capacity"] = capacity
    return single_worker(
        {"livelihood": {"escalation": {"share": 0, "department": "housing"}}},
        departments={"housing": department}, dispatch={"policy": "pooled", **dispatch},
    )


def test_overflow_escalates_at_once_and_the_department_queues():
    """`overflow: escalate`: with the worker busy, issues go straight to the department
    (capacity 1): the first is done at 10 + 120 = 130 (on time: 120 <= 150 min), the second
    waits for it and is done at 250 (230 > 150: late)."""
    plan = escalation_plan(overflow="escalate")
    records, recorder = run(plan, [(0.0, "livelihood", "g1", 60.0),
                                   (10.0, "livelihood", "g1", 60.0),
                                   (20.0, "livelihood", "g1", 60.0)])
    local, first, second = (records.iloc[i] for i in range(3))
    check(local, start_min=0, closed_min=W + 60, escalated=False, overflow=False)
    for issue, closed, on_time in ((first, 130.0, True), (second, 250.0, False)):
        check(issue, start_min=math.nan, onsite_min=math.nan, closed_min=closed, responder=-1,
              escalated=True, overflow=True, department_on_time=on_time)
    check(row(recorder.metrics()), overflow_share=2 / 3, escalated_share=2 / 3,
          department_on_time_share=0.5)


def test_escalate_after_waiting_too_long():
    """`escalate_after_wait_min: 30`: reported at 10 and still waiting at 40, the issue goes to
    the department (done 160); one reported at 50 is taken at 72, before its limit."""
    plan = escalation_plan(capacity=None, escalate_after_wait_min=30)
    records, _ = run(plan, [(0.0, "livelihood", "g1", 60.0),
                            (10.0, "livelihood", "g1", 60.0),
                            (50.0, "livelihood", "g1", 60.0)])
    check(records.iloc[1], start_min=math.nan, closed_min=40 + 120, responder=-1,
          escalated=True, overflow=True, department_on_time=True)
    check(records.iloc[2], start_min=2 * W + 60, closed_min=3 * W + 120, escalated=False)


def test_wait_limit_counts_from_the_report_until_a_responder_arrives():
    """An issue pre-empted on the way (at 2, due on site at 6) is not yet reached: still not
    reached 30 minutes after its report, it is escalated at 30. An issue pre-empted on site
    stays with the community past the limit and resumes when the worker is free."""
    plan = single_worker({**PREEMPT_DEMAND, "livelihood": {
        "escalation": {"share": 0, "department": "housing"}}},
        departments={"housing": {"handling_h": fixed(2), "report_within_h": 2.5}},
        dispatch={"policy": "pooled", "escalate_after_wait_min": 30})
    records, _ = run(plan, [(0.0, "livelihood", "g1", 100.0),
                            (2.0, "security", "g1", 60.0)])
    check(records.iloc[0], start_min=math.nan, responder=-1, closed_min=30 + 120,
          preempted=True, overflow=True, escalated=True)
    records, _ = run(plan, [(0.0, "livelihood", "g1", 100.0),
                            (10.0, "security", "g1", 60.0)])
    back = 10 + W + 60 + W
    check(records.iloc[0], start_min=0, onsite_min=W, closed_min=back + W + 100 - (10 - W),
          preempted=True, overflow=False, escalated=False)


def test_whistle_after_local_handling_and_department_deadline():
    """Issues marked for escalation are handled locally, then the whistle blows when the worker
    is done; the department (capacity 1, 2 h) reports within 2.5 h or is late."""
    plan = escalation_plan()
    records, recorder = run(plan, [(0.0, "livelihood", "g1", 60.0, 0.0, True),
                                   (100.0, "livelihood", "g1", 60.0, 0.0, True),
                                   (200.0, "livelihood", "g1", 60.0, 0.0, True)])
    whistle = [66.0, 166.0, 266.0]  # local handling ends
    closed = [66.0 + 120, 186.0 + 120, 306.0 + 120]  # the department works one at a time
    for k in range(3):
        check(records.iloc[k], start_min=100.0 * k, onsite_min=100.0 * k + W,
              closed_min=closed[k], resolution_h=(closed[k] - 100.0 * k) / 60,
              escalated=True, overflow=False,
              department_on_time=closed[k] - whistle[k] <= 150)
    assert list(records["department_on_time"]) == [True, True, False]
    check(row(recorder.metrics()), escalated_share=1.0, department_on_time_share=2 / 3)


# ---------------------------------------------------------------- volunteers


def test_volunteers_take_only_claimable_categories():
    """The volunteer (home g1, 10 min away) takes the micro-wish while the worker is busy, but
    never a livelihood issue, which waits for the worker; hours and points follow busy time."""
    plan = plan_of({
        "communities": [{"id": "c", "community_workers": 1}],
        "dispatch": {"policy": "pooled"},
        "staffing": {"grid_members": {"per_grid": 0},
                     "volunteers": {"per_1000_households": 1, "speed_kmh": 6,
                                    "points_per_hour": 10}},
        "demand": {"micro_wish": {"per_1000_households_per_year": 0, "handling_min": fixed(30),
                                  "priority": 8}},
    })
    worker, volunteer = 0, 1
    assert plan.responders[volunteer].role == "volunteer"
    records, recorder = run(plan, [
        (0.0, "livelihood", "g1", 60.0),    # worker until 72
        (5.0, "micro_wish", "g1", 30.0),    # volunteer: 5..45, back 55
        (10.0, "livelihood", "g1", 60.0),   # volunteer free at 55 but may not: worker at 72
        (200.0, "livelihood", "g1", 60.0),  # worker 200..272 (the queued one: 72..144)
        (250.0, "livelihood", "g1", 60.0),  # volunteer free, not allowed: worker at 272
    ])
    check(records.iloc[1], responder=volunteer, start_min=5, closed_min=5 + OWN + 30)
    assert records.iloc[1]["responder_role"] == "volunteer"
    check(records.iloc[2], responder=worker, start_min=2 * W + 60)
    check(records.iloc[4], responder=worker, start_min=200 + 2 * W + 60)
    hours = (OWN + 30 + OWN) / 60
    check(row(recorder.metrics()), volunteer_hours=hours, volunteer_points=hours * 10,
          utilisation_volunteer=hours * 60 / (HORIZON_DAYS * DAY))


# ---------------------------------------------------------------- care visits


def care_plan(priority: int = 6, policy: str = "own_grid_first") -> ModelPlan:
    """One special-group household per grid (500 x 0.002), visited every 7 days by its grid's
    member; a visit lasts 30 minutes and is on time if started within a day of falling due."""
    return plan_of({
        "care_visits": {"share_of_households": 0.002, "every_days": 7, "on_time_days": 1,
                        "handling_min": fixed(30), "by": "grid_member", "priority": priority},
        "dispatch": {"policy": policy},
    })


def visits(records: pd.DataFrame, grid: str) -> pd.DataFrame:
    return records[(records["category"] == "care_visit") & (records["grid"] == grid)]


def test_care_visits_go_to_the_paired_member_every_period():
    plan = care_plan()
    assert plan.care_households == (CareHousehold(0, 0), CareHousehold(1, 1))
    records, recorder = run_all(plan, [])
    for grid, partner in (("g1", 0), ("g2", 1)):
        mine = visits(records, grid)
        due = mine["occurred_min"].to_numpy()
        assert len(mine) == 2 and 0 <= due[0] < 7 * DAY
        assert due[1] - due[0] == pytest.approx(7 * DAY, abs=1e-9)
        assert (mine["responder"] == partner).all()
        np.testing.assert_allclose(mine["start_min"], due, atol=1e-9)
        np.testing.assert_allclose(mine["onsite_min"], due + OWN, atol=1e-9)
    check(row(recorder.metrics(), category="care_visit"), response_within_target_share=1.0)


def test_care_visit_is_missed_when_the_partner_is_swamped():
    """g1's member is busy for 8 days from day 0: g1's first visit starts only when the member
    is back (more than a day late: missed) although g2's member is free; g2's visits are on
    time."""
    plan = care_plan()
    long = 8 * DAY
    records, recorder = run_all(plan, [(0.0, "livelihood", "g1", long)])
    free = OWN + long + OWN
    mine = visits(records, "g1")
    due = mine["occurred_min"].to_numpy()
    start = mine["start_min"].to_numpy()
    assert (mine["responder"] == 0).all()
    assert start[0] == pytest.approx(free, abs=1e-9)
    visit_back = free + OWN + 30 + OWN
    assert start[1] == pytest.approx(max(due[1], visit_back), abs=1e-9)
    on_time = (start + OWN - due) <= DAY
    assert not on_time[0]
    expected_share = (on_time.sum() + 2) / 4  # g2's two visits are on time
    check(row(recorder.metrics(), category="care_visit"),
          response_within_target_share=expected_share)


@pytest.mark.parametrize("busy_days", [8, 13])
def test_care_visits_late_and_missed(busy_days: int):
    """g1's member is busy from day 0 for ``busy_days``: a visit is late when its member is on
    site more than a day (on_time_days) after it fell due, missed when more than 7 days
    (every_days: the next visit was due by then); g2's two visits are on time. The shares
    count the four visits due; the other categories have no care-visit shares."""
    plan = care_plan()
    records, recorder = run_all(plan, [(0.0, "livelihood", "g1", busy_days * DAY)])
    mine = visits(records, "g1")
    response = (mine["onsite_min"] - mine["occurred_min"]).to_numpy()
    late = int(((response > DAY) & (response <= 7 * DAY)).sum())
    missed = int((response > 7 * DAY).sum())
    assert late + missed >= 1  # the busy member makes at least one visit not on time
    if busy_days == 13:
        assert missed >= 1  # due before day 6 and made after day 13
    metrics = recorder.metrics()
    check(row(metrics, category="care_visit"), care_visit_late_share=late / 4,
          care_visit_missed_share=missed / 4)
    check(row(metrics), care_visit_late_share=late / 4, care_visit_missed_share=missed / 4)
    assert np.isnan(row(metrics, category="livelihood")["care_visit_missed_share"])


@pytest.mark.parametrize("priority", [4, 6])
def test_care_visit_competes_by_priority(priority: int):
    """A due visit waits for its busy partner; when the partner is free it takes the visit
    before a queued livelihood issue (priority 5) only if the visit's priority is more urgent."""
    plan = care_plan(priority, policy="dedicated")
    first, _ = run_all(plan, [])
    due = visits(first, "g1")["occurred_min"].iloc[0]  # the same seed gives the same due time
    assert due > 10
    records, _ = run_all(plan, [(due - 5, "livelihood", "g1", 60.0),   # member busy to due+75
                                (due - 1, "livelihood", "g1", 60.0)])  # queued for the member
    free = due - 5 + OWN + 60 + OWN
    queued = records[records["occurred_min"] == due - 1].iloc[0]
    visit = visits(records, "g1").iloc[0]
    if priority < 5:
        check(visit, start_min=free)
        check(queued, start_min=free + OWN + 30 + OWN)
    else:
        check(queued, start_min=free)
        check(visit, start_min=free + OWN + 60 + OWN)


# ---------------------------------------------------------------- surges


SURGE = {"name": "epidemic", "start_day": 3, "end_day": 5, "demand": {"all": 2.0}}


def test_surge_doubles_the_expected_arrivals():
    """The plan's intensity curve doubles between day 3 and day 5; the simulated counts agree:
    given the total, the number in the surge window is binomial with p = 4/16 (not 2/14), and
    the 99% Clopper-Pearson interval of the observed share must hold p."""
    plan = plan_of({
        "communities": [{"id": "c", "community_workers": 3}],
        "staffing": {"grid_members": {"per_grid": 0}},
        "travel": None,
        "demand": {"livelihood": {"per_1000_households_per_year": 100 * 365,
                                  "handling_min": fixed(5)}},
        "surges": [SURGE],
    })
    source = plan.sources[0]
    base = source.curve.expected(source.rate_per_min)
    assert base == pytest.approx(source.rate_per_min * (HORIZON_DAYS + 2) * DAY, rel=1e-12)
    cumulative = np.interp([3 * DAY, 5 * DAY], source.curve.grid_min, source.curve.cumulative)
    assert cumulative[1] - cumulative[0] == pytest.approx(2 * 2 * DAY, rel=1e-12)
    records, _ = run_all(plan, [])
    occurred = records["occurred_min"].to_numpy()
    inside = int(((occurred >= 3 * DAY) & (occurred < 5 * DAY)).sum())
    p = (2 * 2) / (HORIZON_DAYS + 2)
    interval = stats.binomtest(inside, len(occurred), p).proportion_ci(0.99)
    assert interval.low <= p <= interval.high, (inside, len(occurred), interval)
    assert not interval.low <= 2 / HORIZON_DAYS <= interval.high  # the test has power


def test_temporary_responders_work_only_during_the_surge():
    """A temporary community worker exists from day 3 (Thursday) to day 5: its working time is
    the surge's office hours (2 days x 8 h); two issues at once are both taken on Thursday,
    but not on the Wednesday before or the Monday after."""
    plan = plan_of({
        "calendars": OFFICE_CALENDAR,
        "communities": [{"id": "c", "community_workers": 1}],
        "staffing": {"grid_members": {"per_grid": 0},
                     "community_workers": {"calendar": "office"}},
        "surges": [{**SURGE, "demand": {}, "extra": {"community_worker": 1}}],
    })
    assert [r.shift_key for r in plan.responders] == ["office@base", "office@surge0"]
    temporary = plan.responders[1]
    expected = [[at(d, 8), at(d, 12)] for d in (3, 4)] + [[at(d, 14), at(d, 18)] for d in (3, 4)]
    np.testing.assert_array_equal(temporary.shifts, sorted(expected))
    assert temporary.scheduled_min == 2 * 8 * 60
    assert plan.workers == (1,)  # the temporary worker is not on the staffing count
    records, recorder = run(plan, [(at(day, 9), "livelihood", "g1", 60.0)
                                   for day in (2, 2, 3, 3, 7, 7)])
    starts = records["start_min"].to_numpy()
    cycle = OFFICE_G1 + 60 + OFFICE_G1
    np.testing.assert_allclose(starts, [at(2, 9), at(2, 9) + cycle, at(3, 9), at(3, 9),
                                        at(7, 9), at(7, 9) + cycle], atol=1e-9)
    assert list(records["responder"]) == [0, 0, 0, 1, 0, 0]
    # the temporary worker's utilisation is over its surge hours only
    metrics = recorder.metrics()
    busy = np.array([cycle * 5, cycle])
    scheduled = np.array([plan.responders[0].scheduled_min, 2 * 8 * 60])
    check(row(metrics), utilisation=busy.sum() / scheduled.sum())
