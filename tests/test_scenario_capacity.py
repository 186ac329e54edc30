"""The loader's capacity check looks at every set of categories and the roles that may take it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sim.errors import ScenarioError
from sim.scenario import from_mapping
from sim.scenario.capacity import shortfall

YEAR_MIN = 365 * 24 * 60


def scenario(**changes: Any) -> dict[str, Any]:
    """One community of 1000 households, one worker (always on), demand set by ``changes``."""
    data: dict[str, Any] = {
        "name": "capacity",
        "horizon": {"days": 30, "warmup_days": 0},
        "communities": [{"id": "c", "households": 1000, "community_workers": 1}],
        "demand": {},
    }
    for key, value in changes.items():
        data[key] = copy.deepcopy(value)
    return data


def rate_for(erlangs: float, mean_min: float = 60.0) -> float:
    """Issues per 1000 households a year that keep ``erlangs`` responders busy on average."""
    return erlangs * YEAR_MIN / mean_min


def category(erlangs: float, **extra: Any) -> dict[str, Any]:
    return {"per_1000_households_per_year": rate_for(erlangs),
            "handling_min": {"exponential": {"mean": 60}}, **extra}


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        from_mapping(data, "s.yaml")
    return info.value.problems


def test_a_set_of_categories_can_exceed_its_roles_when_each_alone_does_not():
    """0.6 + 0.6 erlangs of two categories only the worker takes: each alone fits one worker,
    together they do not, however many grid members take the third category."""
    data = scenario(
        demand={"a": category(0.6), "b": category(0.6), "c": category(0.1)},
        staffing={"grid_members": {"per_grid": 3, "categories": ["c"]}},
        communities=[{"id": "c", "households": 1000, "community_workers": 1,
                      "grids": {"layout": "lattice", "rows": 1, "cols": 2, "spacing_m": 100}}],
    )
    (message,) = problems(data)
    assert message == (
        "s.yaml: communities[0]: unstable: community 'c': a and b need 1.20 busy responders on "
        "average, but only its 1 community worker may take them, giving 1.00 over the week "
        "(utilisation 120%); the backlog would grow without bound")
    data["demand"]["b"] = category(0.3)
    from_mapping(data)  # 0.9 of a worker: carried


def test_the_duty_rota_carries_urgent_work_off_shift():
    """An urgent category needing 0.5 erlangs, workers on office hours (40 of 168 hours a week):
    the shift alone gives 0.24, the duty worker the rest of the week."""
    office = {"office": {"days": ["mon", "tue", "wed", "thu", "fri"], "periods": ["09:00-17:00"]}}
    data = scenario(calendars=office, demand={"alarm": category(0.5, urgent=True)},
                    staffing={"community_workers": {"calendar": "office", "on_duty": 1}})
    loaded = from_mapping(data).scenario
    assert shortfall(loaded, loaded.communities[0]) is None
    data["staffing"]["community_workers"]["on_duty"] = 0
    (message,) = problems(data)
    assert "alarm needs 0.50 busy responders on average, but only its 1 community worker" in message
    assert "giving 0.24 over the week (utilisation 210%)" in message


def test_volunteers_count_for_the_categories_they_may_take():
    """A micro-wish load of 1.5 erlangs the worker alone could not carry, with 4 volunteers per
    1000 households always on call: carried; the message names every role that may take it."""
    data = scenario(demand={"micro_wish": category(1.5)},
                    staffing={"volunteers": {"per_1000_households": 4}})
    loaded = from_mapping(data).scenario
    assert shortfall(loaded, loaded.communities[0]) is None
    data["staffing"]["volunteers"]["per_1000_households"] = 0.4  # rounds to no volunteer
    (message,) = problems(data)
    assert "micro_wish needs 1.50 busy responders on average, but only its 1 community worker " \
        "may take it, giving 1.00" in message
    data["staffing"]["volunteers"]["per_1000_households"] = 0.6  # rounds to one volunteer
    data["demand"]["micro_wish"] = category(2.5)
    (message,) = problems(data)
    assert "its 1 community worker and 1 volunteer may take it, giving 2.00" in message


def test_overflow_escalate_is_never_unstable():
    data = scenario(demand={"a": category(3.0)}, dispatch={"overflow": "escalate"})
    from_mapping(data)
