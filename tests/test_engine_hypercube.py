"""The full model reduced to Larson's hypercube loss model agrees with its exact solution.

Three grids with one grid member each and no community workers; Poisson issues, exponential
handling, no travel; ``overflow: escalate`` with no department for the category, so an issue
arriving when every member is busy leaves the model (the hypercube's loss). The preference lists
are recomputed here from the policy's definition (and checked against the plan's), the
hypercube is solved exactly, and for each case the engine runs R independent replications: each
member's utilisation, the cross-grid share of served issues and the share of issues lost must
hold the exact value inside the 99% Student-t confidence interval of the replication values.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.analytic.hypercube import hypercube
from sim.model.engine import simulate
from sim.model.plan import build_plan
from sim.scenario import from_mapping

HOUSEHOLDS = (1000, 1500, 2500)
ARRIVALS_PER_H = 1.2  # all grids together
HANDLING_MIN = 60.0
DAYS, WARMUP_DAYS = 120, 5
REPLICATIONS = 12


def _scenario(policy: str, arrivals_per_h: float = ARRIVALS_PER_H) -> dict:
    return {
        "name": "hypercube",
        "horizon": {"days": DAYS, "warmup_days": WARMUP_DAYS},
        "communities": [{
            "id": "c", "households": sum(HOUSEHOLDS), "community_workers": 0,
            "grids": {"layout": "table", "grids": [
                {"id": f"g{j}", "households": h, "x_m": 400.0 * j, "y_m": 0.0}
                for j, h in enumerate(HOUSEHOLDS)
            ]},
        }],
        "staffing": {"grid_members": {"per_grid": 1}},
        "dispatch": {"policy": policy, "overflow": "escalate"},
        "demand": {"livelihood": {
            "per_1000_households_per_year": arrivals_per_h * 24 * 365 / (sum(HOUSEHOLDS) / 1000),
            "handling_min": {"exponential": {"mean": HANDLING_MIN}},
        }},
    }


def _preferences(policy: str, atoms: int) -> list[list[int]]:
    """Without travel every trip takes 0 minutes: `own_grid_first` is the grid's own member,
    then the others by roster order; `nearest_free` is roster order for every grid."""
    if policy == "own_grid_first":
        return [[j] + [n for n in range(atoms) if n != j] for j in range(atoms)]
    return [list(range(atoms)) for _ in range(atoms)]


def _ci99(values: np.ndarray) -> tuple[float, float]:
    n = len(values)
    half = stats.t.ppf(0.995, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return values.mean() - half, values.mean() + half


@pytest.mark.parametrize(("policy", "arrivals_per_h"), [
    pytest.param("own_grid_first", ARRIVALS_PER_H, id="own_grid_first"),
    pytest.param("nearest_free", ARRIVALS_PER_H, id="nearest_free"),
    # offered load 3.6 erlangs on 3 members: accepted (a loss system is stable), a third lost
    pytest.param("own_grid_first", 3 * ARRIVALS_PER_H, id="own_grid_first-overloaded"),
])
def test_engine_matches_hypercube(policy: str, arrivals_per_h: float):
    plan = build_plan(from_mapping(_scenario(policy, arrivals_per_h), "<hypercube>").scenario)
    atoms = len(HOUSEHOLDS)
    home = [r.grid for r in plan.responders]
    assert home == list(range(atoms)) and all(r.role == "grid_member" for r in plan.responders)
    preferences = _preferences(policy, atoms)
    assert [list(p) for p in plan.preferences] == preferences
    assert not plan.travel_blocks and plan.escalate_to == ((-1,),)
    per_grid = np.array([s.rate_per_min for s in sorted(plan.sources, key=lambda s: s.grid)])
    np.testing.assert_allclose(per_grid * 60, arrivals_per_h * np.array(HOUSEHOLDS)
                               / sum(HOUSEHOLDS), rtol=1e-12)
    exact = hypercube(per_grid * 60, 60 / HANDLING_MIN, preferences, home)

    utilisation, cross, lost = [], [], []
    for r in range(REPLICATIONS):
        metrics = simulate(plan, seed=2024, replication=r).metrics()
        grids = metrics[(metrics["grid"] != "all") & (metrics["category"] == "all")].set_index(
            "grid")
        utilisation.append([grids.loc[f"g{j}", "utilisation"] for j in range(atoms)])
        overall = metrics[(metrics["community"] == "all") & (metrics["category"] == "all")].iloc[0]
        cross.append(overall["cross_grid_share"])
        lost.append(overall["overflow_share"])
    utilisation = np.array(utilisation)
    for n in range(atoms):
        lo, hi = _ci99(utilisation[:, n])
        assert lo <= exact.utilisation[n] <= hi, (n, exact.utilisation[n], lo, hi)
    lo, hi = _ci99(np.array(cross))
    assert lo <= exact.cross_grid_share <= hi, (exact.cross_grid_share, lo, hi)
    other = "nearest_free" if policy == "own_grid_first" else "own_grid_first"
    wrong = hypercube(per_grid * 60, 60 / HANDLING_MIN, _preferences(other, atoms), home)
    assert not lo <= wrong.cross_grid_share <= hi  # the interval tells the policies apart
    lo, hi = _ci99(np.array(lost))
    assert lo <= exact.overflow_probability <= hi, (exact.overflow_probability, lo, hi)
    if policy == "nearest_free":  # roster order loads the first member most
        assert exact.utilisation[0] > exact.utilisation[1] > exact.utilisation[2]


def test_lost_issues_leave_the_model():
    """With every member busy an issue with no department is lost: never started, never
    closed, counted as overflow, not as escalated."""
    plan = build_plan(from_mapping(_scenario("own_grid_first"), "<hypercube>").scenario)
    records = simulate(plan, seed=2024, replication=0, keep_records=True).records()
    lost = records[records["overflow"]]
    assert len(lost) > 0
    assert lost["start_min"].isna().all() and lost["closed_min"].isna().all()
    assert (lost["responder"] == -1).all() and not lost["escalated"].any()
    kept = records[~records["overflow"]]
    assert kept["closed_min"].notna().all() and (kept["wait_min"] == 0).all()
