"""The issue record's layout has one owner, sim.model.records, and both kernels follow it.

``new_issue`` puts each value in its slot; the closed-issue columns are named in the order of
``RECORD_FIELDS``. The kernels' hot paths write issues and rows out as literals: the issues the
general kernel's arrivals and care visits build are checked slot by slot, the rows both kernels
file land in the recorder's columns of the same names, and scripted issues whose every time is
known by hand come back in ``Recorder.records`` exactly.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from conftest import small

from sim.model.engine import Engine, PooledEngine
from sim.model.plan import build_plan
from sim.model.records import (
    BUSY_FROM,
    BUSY_TO,
    CATEGORY,
    ESCALATE,
    FLAGS,
    GRID,
    HANDLING,
    ISSUE_SLOTS,
    OCCURRED,
    ON_TIME,
    ONSITE,
    OVERFLOW,
    PAIR,
    POOLED,
    PREEMPTED,
    QUEUED,
    RECORD_FIELDS,
    REPORTED,
    RESPONDER,
    START,
    WHISTLE,
    Column,
    new_issue,
)
from sim.model.streams import Streams
from sim.scenario import from_mapping

SLOTS = (REPORTED, HANDLING, CATEGORY, GRID, OCCURRED, FLAGS, PAIR, START, ONSITE, RESPONDER,
         QUEUED, WHISTLE, BUSY_FROM, BUSY_TO)


def test_issue_slots_are_the_positions_of_a_new_issue() -> None:
    assert sorted(SLOTS) == list(range(ISSUE_SLOTS))
    issue = new_issue(107.0, 30.0, 1, 2, 100.0, ESCALATE, 5)
    assert len(issue) == ISSUE_SLOTS
    assert (issue[REPORTED], issue[HANDLING], issue[CATEGORY], issue[GRID], issue[OCCURRED],
            issue[FLAGS], issue[PAIR]) == (107.0, 30.0, 1, 2, 100.0, ESCALATE, 5)
    assert (issue[START], issue[ONSITE], issue[RESPONDER], issue[QUEUED], issue[WHISTLE],
            issue[BUSY_FROM], issue[BUSY_TO]) == (None, None, -1, False, None, None, None)
    assert new_issue(1.0, 2.0, 0, 0, 1.0)[FLAGS:PAIR + 1] == [0, -1]


def test_pooled_issue_is_the_head_of_an_issue() -> None:
    # the pooled kernel's tuples hold the first POOLED slots, the arguments of new_issue
    assert POOLED == 6 and max(REPORTED, HANDLING, CATEGORY, GRID, OCCURRED, FLAGS) == POOLED - 1
    head = (107.0, 30.0, 1, 2, 100.0, ESCALATE)
    assert tuple(new_issue(*head)[:POOLED]) == head


def test_columns_name_the_record_fields_in_order() -> None:
    assert [c.value for c in Column] == list(range(len(RECORD_FIELDS)))
    assert [c.name.lower() for c in Column] == [f.removesuffix("_min") for f in RECORD_FIELDS]


def test_flags_are_distinct_bits() -> None:
    bits = [ESCALATE, ON_TIME, PREEMPTED, OVERFLOW]
    assert sum(bits) == 15 and all(b & (b - 1) == 0 for b in bits)


def fixed(value: float) -> dict[str, Any]:
    return {"deterministic": {"value": value}}


POOLED_PLAN: dict[str, Any] = {  # plain pooled queues: both kernels apply; no random issues
    "name": "layout",
    "horizon": {"days": 2, "warmup_days": 0},
    "communities": [{"id": "c", "households": 1000, "community_workers": 1}],
    "staffing": {"grid_members": {"per_grid": 0}},
    "departments": {"housing": {"handling_h": fixed(2), "report_within_h": 3}},
    "demand": {
        "dispute": {"per_1000_households_per_year": 0, "handling_min": fixed(30)},
        "livelihood": {"per_1000_households_per_year": 0, "handling_min": fixed(30),
                       "escalation": {"share": 0.0, "department": "housing"}},
    },
}


@pytest.mark.parametrize("kind", [Engine, PooledEngine])
def test_kernels_file_rows_in_the_record_layout(kind: type[Engine]) -> None:
    plan = build_plan(from_mapping(POOLED_PLAN, "<layout>").scenario)
    assert PooledEngine.applies(plan)
    engine = kind(plan, Streams(1, 0), keep_records=True)
    engine.add_issue(100.0, "livelihood", "c", 40.0, report_delay_min=7.0)  # 107 -> 147
    engine.add_issue(110.0, "dispute", "c", 20.0)  # waits for the worker: 147 -> 167
    engine.add_issue(500.0, "livelihood", "c", 25.0, escalate=True)  # 525, housing 2 h -> 645
    recorder = engine.run()
    frame = recorder.records()
    expected = {
        "occurred_min": [100.0, 110.0, 500.0],
        "reported_min": [107.0, 110.0, 500.0],
        "start_min": [107.0, 147.0, 500.0],
        "onsite_min": [107.0, 147.0, 500.0],
        "closed_min": [147.0, 167.0, 645.0],
        "wait_min": [0.0, 37.0, 0.0],
        "responder": [0, 0, 0],
        "category": ["livelihood", "dispute", "livelihood"],
        "grid": ["c", "c", "c"],
        "escalated": [False, False, True],
        "department_on_time": [False, False, True],
        "overflow": [False, False, False],
    }
    for column, values in expected.items():
        assert frame[column].tolist() == values, column
    # busy from setting off to done: (40 + 20 + 25) minutes of the two days
    assert recorder.metrics().at[0, "utilisation"] == pytest.approx(85 / 2880, abs=1e-12)


def _started(head: tuple) -> list:
    """An issue of ``head`` with a distinct value in every slot a responder fills."""
    issue = new_issue(*head)
    issue[START], issue[ONSITE], issue[RESPONDER] = 150.0, 160.0, 0
    issue[BUSY_FROM], issue[BUSY_TO] = 140.0, 230.0
    return issue


HEAD = (110.0, 30.0, 1, 0, 100.0, ESCALATE | ON_TIME)  # reported, handling, ..., flags


def test_general_kernel_files_an_issue_as_its_row() -> None:
    # the row is written out slot by slot in Engine._close
    engine = Engine(build_plan(from_mapping(POOLED_PLAN, "<layout>").scenario), Streams(1, 0))
    issue = _started(HEAD)
    engine._close(issue, 240.0)
    engine._close(new_issue(*HEAD), 250.0, lost=True)  # never reached, left the model
    reached, lost = engine.recorder.buffer
    for column, slot in ((Column.CATEGORY, CATEGORY), (Column.GRID, GRID),
                         (Column.OCCURRED, OCCURRED), (Column.REPORTED, REPORTED),
                         (Column.START, START), (Column.ONSITE, ONSITE),
                         (Column.RESPONDER, RESPONDER), (Column.FLAGS, FLAGS),
                         (Column.BUSY_FROM, BUSY_FROM), (Column.BUSY_TO, BUSY_TO)):
        assert reached[column] == issue[slot], column
    assert reached[Column.CLOSED] == 240.0 and len(reached) == len(RECORD_FIELDS)
    assert lost[:4] == reached[:4] and lost[Column.FLAGS] == HEAD[FLAGS]
    assert [lost[c] for c in (Column.RESPONDER, Column.BUSY_FROM, Column.BUSY_TO)] == [-1, 0, 0]
    assert all(math.isnan(lost[c]) for c in (Column.START, Column.ONSITE, Column.CLOSED))


def test_pooled_kernel_files_an_issue_as_its_row() -> None:
    # the pooled kernel's completion callback writes the row out from the issue's head
    engine = PooledEngine(build_plan(from_mapping(POOLED_PLAN, "<layout>").scenario),
                          Streams(1, 0))
    head = (*HEAD[:FLAGS], 0)  # not escalated: closed at once
    engine.finish[0]((head, 0, 150.0, 180.0))
    (row,) = engine.recorder.buffer
    assert len(row) == len(RECORD_FIELDS)
    assert (row[Column.CATEGORY], row[Column.GRID], row[Column.OCCURRED], row[Column.REPORTED],
            row[Column.FLAGS]) == (head[CATEGORY], head[GRID], head[OCCURRED], head[REPORTED], 0)
    assert (row[Column.START], row[Column.ONSITE], row[Column.CLOSED], row[Column.RESPONDER],
            row[Column.BUSY_FROM], row[Column.BUSY_TO]) == (150.0, 150.0, 180.0, 0, 150.0, 180.0)


def test_general_kernel_builds_issues_in_the_layout() -> None:
    # arrivals and care visits write new_issue out as a literal list
    plan = build_plan(small(14).scenario)
    engine = Engine(plan, Streams(1, 0))
    built: list[list] = []
    dispatch = engine._dispatch

    def capture(issue: list) -> None:
        built.append(list(issue))
        dispatch(issue)

    engine._dispatch = capture  # type: ignore[method-assign]
    engine.run()
    care = plan.categories.index("care_visit")
    homes = {(h.grid, h.responder) for h in plan.care_households}
    sources = {(s.category, s.grid) for s in plan.sources}
    blank = new_issue(0.0, 0.0, 0, 0, 0.0)
    for issue in built:
        assert len(issue) == ISSUE_SLOTS and issue[START:] == blank[START:]
        assert issue[OCCURRED] <= issue[REPORTED] and issue[HANDLING] >= 0
        if issue[CATEGORY] == care:
            assert (issue[GRID], issue[PAIR]) in homes and issue[FLAGS] == 0
            assert issue[REPORTED] == issue[OCCURRED]
        else:
            assert (issue[CATEGORY], issue[GRID]) in sources and issue[PAIR] == -1
            assert issue[FLAGS] in (0, ESCALATE)
    assert sum(i[CATEGORY] == care for i in built) > 50  # each kind seen
    assert sum(i[FLAGS] == ESCALATE for i in built) > 0
    assert sum(i[REPORTED] > i[OCCURRED] for i in built) > 50


def test_a_roles_utilisation_alone_is_the_metrics_one() -> None:
    """recorder.role_utilisation (what a recommendation reads) is metrics()' community rows."""
    from sim.model.engine import simulate
    from sim.model.measures import ALL

    plan = build_plan(small(21).scenario)
    recorder = simulate(plan, 5, 0)
    metrics = recorder.metrics()
    rows = metrics[(metrics["category"] == ALL) & (metrics["grid"] == ALL)
                   & (metrics["community"] != ALL)].set_index("community")
    for role in ("community_worker", "grid_member"):
        alone = dict(zip(plan.communities, recorder.role_utilisation(role), strict=True))
        for community, value in alone.items():
            assert value == pytest.approx(rows.at[community, f"utilisation_{role}"], rel=1e-12)
        assert not all(math.isnan(v) for v in alone.values())
