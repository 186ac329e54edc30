"""The full model reduced to M/M/c agrees with Erlang C (DESIGN.md section 3).

For each case each kernel (the general ``Engine`` and the fast ``PooledEngine``) runs R
independent replications; the theoretical mean wait and wait probability must lie inside the 99%
Student-t confidence interval of the replication means.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import mmc_scenario
from scipy import stats

from sim.analytic.erlang import mmc
from sim.model.engine import Engine, PooledEngine
from sim.model.plan import ModelPlan, build_plan
from sim.model.streams import Streams

CASES = [
    # arrivals per hour, handling mean (min), workers, days, warm-up days
    pytest.param(8.5, 60.0, 10, 40, 2, id="rho0.85-c10"),
    pytest.param(4.5, 60.0, 5, 60, 3, id="rho0.90-c5"),
    pytest.param(54.0, 60.0, 60, 8, 0.5, id="rho0.90-c60"),
]
REPLICATIONS = 16
KERNELS = [pytest.param(Engine, id="general"), pytest.param(PooledEngine, id="pooled")]


def _ci99(values: np.ndarray) -> tuple[float, float]:
    n = len(values)
    half = stats.t.ppf(0.995, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return values.mean() - half, values.mean() + half


def _replications(kind: type[Engine], plan: ModelPlan, seed: int) -> list:
    """The ``all`` row of each replication's metrics on kernel ``kind``."""
    assert PooledEngine.applies(plan)
    return [kind(plan, Streams(seed, r)).run().metrics().iloc[0] for r in range(REPLICATIONS)]


@pytest.mark.parametrize("kind", KERNELS)
@pytest.mark.parametrize(("lam", "mean_min", "c", "days", "warmup"), CASES)
def test_mmc_matches_erlang_c(lam: float, mean_min: float, c: int, days: float, warmup: float,
                              kind: type[Engine]):
    plan = build_plan(mmc_scenario(lam, mean_min, c, days, warmup).scenario)
    rows = _replications(kind, plan, seed=7)
    theory = mmc(lam / 60, 1 / mean_min, c)
    waits = np.array([row["wait_min_mean"] for row in rows])
    probs = np.array([row["wait_probability"] for row in rows])
    util = np.array([row["utilisation"] for row in rows])
    lo, hi = _ci99(waits)
    assert lo <= theory.mean_wait <= hi, (theory.mean_wait, lo, hi)
    lo, hi = _ci99(probs)
    assert lo <= theory.wait_probability <= hi, (theory.wait_probability, lo, hi)
    lo, hi = _ci99(util)
    assert lo <= theory.utilisation <= hi, (theory.utilisation, lo, hi)


@pytest.mark.parametrize("kind", KERNELS)
def test_littles_law_for_backlog(kind: type[Engine]):
    """Time-average open issues = arrival rate x mean time to resolution (Little's law)."""
    plan = build_plan(mmc_scenario(8.5, 60.0, 10, 40, 2).scenario)
    rows = _replications(kind, plan, seed=3)
    backlog = np.array([row["backlog_mean"] for row in rows])
    theory = mmc(8.5 / 60, 1 / 60, 10)
    lo, hi = _ci99(backlog)
    assert lo <= theory.mean_in_system <= hi
    queue = np.array([row["queue_mean"] for row in rows])
    lo, hi = _ci99(queue)
    assert lo <= theory.mean_queue <= hi
