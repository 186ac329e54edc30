"""Every role that may vary: grid members per grid as a decision of the recommendation, with
their cost; the cheapest mix that meets the targets."""

from __future__ import annotations

from typing import Any

import pytest

import sim
from sim.scenario import from_mapping

WORKER_CNY = 48_000.0  # the test's pay table: every worker 4000 a month, 12 months
MEMBER_CNY = 10_000.0


def district() -> Any:
    """One community of 3000 households in 3 grids, livelihood issues only (2.05 an hour,
    60-minute exponential handling, on the spot, around the clock: about 2 busy responders);
    target 90% responded to within 30 minutes. Grid members take their grid's issues first
    (own_grid_first); 0, 1 or 2 of them per grid may be hired at 10,000 a year each, a
    community worker costs 48,000."""
    data: dict[str, Any] = {
        "name": "grid members vary",
        "horizon": {"days": 20, "warmup_days": 2},
        "communities": [{"id": "c", "households": 3000,
                         "grids": {"layout": "lattice", "rows": 1, "cols": 3,
                                   "spacing_m": 300}}],
        "staffing": {"community_workers": {"households_per_worker": 3000},
                     "grid_members": {"per_grid": 1, "categories": ["livelihood"],
                                      "vary": {"per_grid": [0, 1, 2],
                                               "cost_per_year": MEMBER_CNY}}},
        "dispatch": {"policy": "own_grid_first"},
        "demand": {"livelihood": {"per_1000_households_per_year": 6000,
                                  "handling_min": {"exponential": {"mean": 60}}}},
        "targets": [{"metric": "response", "within_min": 30, "share": 0.90}],
        "pay": {"placeholder": False, "months_per_year": 12,
                "posts": {p: {"monthly_post_pay": 0} for p in
                          ("chief", "deputy", "member", "full_time")},
                "grade_pay": [4000] * 18, "added_worker": {"post": "full_time", "grade": 1}},
    }
    return from_mapping(data, "<test>")


def test_the_cheapest_mix_of_workers_and_grid_members_is_recommended():
    """Each level of grid members per grid is searched by the full model (its fewest workers
    meet the target, one fewer does not or cannot be told apart), more grid members never need
    more workers, and the mix recommended is the one of least yearly cost in all: the workers'
    pay plus the grid members'. 20 days, 4 replications first."""
    loaded = district()
    result = sim.recommend(loaded, replications=4, seed=3, save=False, executor="serial")
    mixes = result.mixes.set_index("grid_members")
    assert list(mixes.index) == [0, 3, 6]
    workers = mixes["recommended_workers"]
    assert workers.notna().all() and workers.is_monotonic_decreasing
    assert workers.loc[0] > workers.loc[6]  # members carry part of the work
    total = workers * WORKER_CNY + mixes.index.to_numpy() * MEMBER_CNY
    assert mixes["cost_total_cny_per_year"].to_numpy() == pytest.approx(total.to_numpy())
    best = total.idxmin()
    assert mixes["chosen"].sum() == 1 and bool(mixes.loc[best, "chosen"])
    row = result.table.set_index("community").loc["c"]
    assert row["grid_members_recommended"] == best
    assert row["recommended_workers"] == workers.loc[best]
    assert row["verdict_recommended"] == "meets"
    decisions = result.decisions
    for members, n in workers.items():
        mine = decisions[decisions["mix"] == mixes.loc[members, "mix"]].set_index("workers")
        assert mine.loc[n, "verdict"] == "meets"
        if n - 1 in mine.index:
            assert mine.loc[n - 1, "verdict"] in ("misses", "undecided")
