"""Fed the same random numbers, the engine's waits equal the Kiefer-Wolfowitz recursion's.

A pooled FIFO queue (one category, so one priority) with lognormal handling and arrivals whose
rate varies by hour of day and day of week: the engine's per-issue records give the arrival and
handling times; the recursion recomputes every wait from them alone. Both kernels, the general
``Engine`` and the fast ``PooledEngine``, are checked.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import mmc_scenario

from sim.model.engine import Engine, PooledEngine
from sim.model.plan import build_plan
from sim.model.streams import Streams
from sim.screen.recursion import fifo_waits, kiefer_wolfowitz_reference

PROFILE = {
    "hour_of_day": [0.1] * 7 + [1, 2, 3, 3, 2, 1, 2, 3, 3, 2, 1] + [0.5] * 6,
    "day_of_week": [1.2, 1.2, 1.2, 1.2, 1.2, 0.6, 0.4],
}


@pytest.mark.parametrize("kind", [pytest.param(Engine, id="general"),
                                  pytest.param(PooledEngine, id="pooled")])
def test_engine_waits_equal_kiefer_wolfowitz(kind: type[Engine]):
    scenario = mmc_scenario(
        arrivals_per_h=2.4, handling_mean_min=60, servers=3, days=30,
        handling={"lognormal": {"mean": 60, "cv": 1.2}}, profile=PROFILE,
    )
    plan = build_plan(scenario.scenario)
    assert PooledEngine.applies(plan)
    records = kind(plan, Streams(11, 0), keep_records=True).run().records()
    arrivals = records["reported_min"].to_numpy()
    handling = (records["closed_min"] - records["start_min"]).to_numpy()
    waits = records["wait_min"].to_numpy()
    assert len(records) > 1000 and (waits > 0).mean() > 0.2  # a real queue, not an idle one
    reference = kiefer_wolfowitz_reference(arrivals, handling, 3)
    np.testing.assert_allclose(waits, reference, rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose(waits, fifo_waits(arrivals, handling, 3), rtol=1e-9, atol=1e-7)
