"""The hour-by-hour requirement (the iterative staffing algorithm) and the roster (an integer
program): checked against theory and brute force, and end to end on a small scenario."""

from __future__ import annotations

import datetime as dt
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import stdtrit

import sim
from sim.analytic.erlang import erlang_c
from sim.scenario import load_scenario
from sim.scenario.policy import Shifts
from sim.screen import fifo_starts_ragged, fifo_starts_staffed
from sim.staffing.levels import Draws
from sim.staffing.requirement import Criterion, Iteration, hourly_performance
from sim.staffing.shifts import cheapest, tours

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "chengcheng.yaml"
START = dt.date(2026, 1, 5)  # a Monday


def sinusoidal(seed: int, replications: int, per_hour: float, amplitude: float,
               mean_min: float, days: int) -> Draws:
    """M(t)/M/s(t) issues: Poisson arrivals at per_hour (1 + amplitude sin(2 pi t / 24 h))
    (by thinning), exponential handling; everything reported at once, on the spot."""
    rng = np.random.default_rng(seed)
    times, handling = [], []
    for _ in range(replications):
        horizon = days * 1440.0
        top = per_hour / 60 * (1 + amplitude)
        t = np.sort(rng.uniform(0, horizon, rng.poisson(top * horizon)))
        keep = rng.uniform(size=t.size) < (1 + amplitude * np.sin(2 * np.pi * t / 1440)) / (
            1 + amplitude)
        times.append(t[keep])
        handling.append(rng.exponential(mean_min, keep.sum()))
    zeros = [np.zeros(t.size) for t in times]
    return Draws("c", times, times, handling, [z.astype(np.int64) for z in zeros], zeros,
                 handling, None, 0.0, (days + 20) * 1440.0)


def test_time_varying_servers_reduce_to_the_shared_calendar_recursion():
    """A constant staffing is the c-server recursion; staffing that is c in some hours and 0
    in the others is the recursion on that calendar (bit for bit)."""
    rng = np.random.default_rng(4)
    arrivals = [np.sort(rng.uniform(0, 20 * 1440, 1500)) for _ in range(3)]
    handling = [rng.exponential(40, a.size) for a in arrivals]
    steady = fifo_starts_staffed(arrivals, handling, np.full(40 * 24, 3))
    for ours, theirs in zip(steady, fifo_starts_ragged(arrivals, handling, 3), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    days = np.zeros(40 * 24, dtype=int)
    for d in range(40):
        days[d * 24 + 8:d * 24 + 18] = 3
    calendar = np.array([[d * 1440 + 480.0, d * 1440 + 1080.0] for d in range(40)])
    shifted = fifo_starts_staffed(arrivals, handling, days)
    for ours, theirs in zip(shifted, fifo_starts_ragged(arrivals, handling, 3, calendar),
                            strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_iterative_staffing_keeps_the_delay_probability_stable_where_sipp_does_not():
    """M(t)/M/s(t) with a strong daily cycle: 6 issues an hour on average, +-80% over the
    day, handling exponential with mean 4 hours (the load lags the arrivals by hours); target:
    at most 20% of arrivals wait at all, in every hour.

    The ISA's staffing (10 replications of 21 days) is checked on 20 fresh replications: in
    every hour the delay probability's interval reaches the target band: not above the target
    (its lower bound at most 0.20) and not more than one worker's worth below it (its upper
    bound at least Erlang C's drop from s-1 to s workers at the load where s just meets 0.20:
    whole workers cannot do better). The intervals are Student-t over replications,
    Bonferroni-adjusted for the 24 hours (each at 1 - 0.05/24). Per-hour stationary Erlang C
    (SIPP: each hour staffed for its own arrival rate) misses: after the peak, as the load
    still builds, hours wait far more often than the target (interval wholly above 0.20).
    """
    alpha, mean_min = 0.20, 240.0
    criterion = Criterion(np.ones(24, bool), np.zeros(24), np.full(24, alpha),
                          np.array([True]))

    def iteration(seed: int, replications: int) -> Iteration:
        draws = sinusoidal(seed, replications, 6.0, 0.8, mean_min, days=21)
        return Iteration(draws, criterion, START, 3 * 1440.0, 21 * 1440.0, mean_min, period=24)

    requirement = iteration(1, 10).run(ceiling=120)
    assert requirement.converged and requirement.iterations <= 10
    isa = requirement.week
    sipp = np.empty(24, dtype=int)
    for h in range(24):  # the hour's mean rate: the integral of the sine over the hour
        rate = 6.0 / 60 * (1 + 0.8 * (np.cos(2 * np.pi * h / 24) - np.cos(2 * np.pi * (h + 1)
                                                                          / 24)) * 24 / (2 * np.pi))
        load = rate * mean_min
        s = int(load) + 1
        while erlang_c(s, load) > alpha:
            s += 1
        sipp[h] = s
    fresh = iteration(99, 20)
    t = stdtrit(19, 1 - 0.05 / 24 / 2)

    def intervals(week: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        perf = hourly_performance(fresh, week)
        shares = perf.pivot(index="replication", columns="hour", values="delayed_share")
        mean, half = shares.mean(), t * shares.std(ddof=1) / np.sqrt(len(shares))
        return (mean - half).to_numpy(), (mean + half).to_numpy()

    low, high = intervals(isa)
    step = np.array([_one_worker(s, alpha) for s in isa])
    assert (low <= alpha).all(), f"ISA above the target: {np.round(low, 3)}"
    assert (high >= alpha - step).all(), f"ISA below the band: {np.round(high, 3)}"
    low, high = intervals(sipp)
    rush = np.flatnonzero(low > alpha)
    assert rush.size >= 3 and set(rush) <= set(range(9, 21)), rush  # after the 06:00 peak
    assert low.max() > 0.3


def _one_worker(servers: int, alpha: float) -> float:
    """Erlang C's drop in the delay probability from servers-1 to servers, at the load where
    ``servers`` just meets ``alpha``."""
    lo, hi = 0.0, float(servers)
    for _ in range(60):  # bisection on the load: erlang_c(servers, load) = alpha
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if erlang_c(servers, mid) < alpha else (lo, mid)
    below = erlang_c(servers - 1, lo) if servers - 1 > lo else 1.0
    return below - alpha


def test_roster_is_the_enumerated_optimum_and_covers_every_hour():
    """Two days, three patterns (morning, afternoon, a long Monday with a lunch break), at most
    two working days and 14 paid hours a week: 11 allowed weeks. The requirement (Monday
    mornings 2, afternoons 1; Tuesday mornings 1, afternoons 2) is covered in every hour, and
    the roster's cost is the least of all 3^11 rosters of up to 2 workers per week (more of
    one week is never needed: no requirement exceeds 2)."""
    shifts = Shifts.model_validate({
        "max_hours_per_week": 14, "rest_days_per_week": 5,
        "patterns": {
            "morning": {"days": ["mon", "tue"], "periods": ["08:00-12:00"], "cost": 40},
            "afternoon": {"days": ["mon", "tue"], "periods": ["14:00-18:00"], "cost": 44},
            "long": {"days": ["mon"], "periods": ["08:00-12:00", "13:00-18:00"], "cost": 75},
        }})
    weeks = tours(shifts)
    assert len(weeks) == 11
    need = np.zeros(168)
    need[8:12], need[14:18], need[24 + 8:24 + 12], need[24 + 14:24 + 18] = 2, 1, 1, 2
    roster = cheapest("c", need, shifts)
    assert (roster.covered >= need - 1e-9).all()
    cover = np.array([w.coverage(shifts) for w in weeks])  # (11, 168)
    cost = np.array([w.cost_per_year(shifts) for w in weeks])
    counts = np.array(list(product(range(3), repeat=len(weeks))))
    feasible = (counts @ cover >= need - 1e-9).all(axis=1)
    best = (counts[feasible] @ cost).min()
    assert roster.cost_per_year == pytest.approx(best, rel=1e-12)
    table = roster.table(shifts, "CNY")
    assert table["workers"].sum() == roster.workers
    assert table["cost_cny_per_year"].sum() == pytest.approx(best)


def test_labour_rules_bound_every_week():
    """Every allowed week keeps the hours and rest days, and none is left out."""
    spec = load_scenario(BASELINE).scenario.shifts
    weeks = tours(spec)
    assert weeks and all(spec.min_hours_per_week <= w.hours(spec) <= spec.max_hours_per_week
                         and w.days.count(None) >= spec.rest_days_per_week for w in weeks)
    options = [[None, *[n for n, p in spec.patterns.items() if d in p.days]]
               for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
    everything = [days for days in product(*options) if any(days)]
    kept = {w.days for w in weeks}
    for days in everything:
        hours = sum(spec.patterns[p].hours for p in days if p)
        ok = (spec.min_hours_per_week <= hours <= spec.max_hours_per_week
              and days.count(None) >= spec.rest_days_per_week)
        assert (days in kept) == ok


def test_roster_end_to_end(tmp_path: Path):
    """`gridsim recommend --roster` on two of the baseline's communities, 30 days, 3
    replications: requirement.csv has every hour of the week with required and covered
    (covered >= required), roster.csv the weeks of shifts and their workers, the full model
    checks the roster, and the report shows the requirement plot."""
    base = load_scenario(BASELINE)
    keep = [c for c in base.data["communities"] if c["id"] in ("dongguan", "yongan")]
    loaded = base.with_overrides({"horizon.days": 30, "horizon.warmup_days": 3,
                                  "communities": keep})
    result = sim.recommend(loaded, replications=3, out=tmp_path / "out", roster=True)
    folder = tmp_path / "out"
    requirement = pd.read_csv(folder / "requirement.csv", encoding="utf-8-sig")
    assert list(requirement.columns) == ["community", "day", "hour", "required", "covered"]
    assert len(requirement) == 2 * 168
    assert (requirement["covered"] >= requirement["required"] - 1e-9).all()
    assert requirement["required"].max() >= 1
    office = requirement[requirement["day"].isin(["sat", "sun"])
                         | ~requirement["hour"].between(8, 17)]
    assert (office["required"] == 0).all()  # the walk-in target counts office hours only
    roster = pd.read_csv(folder / "roster.csv", encoding="utf-8-sig")
    assert {"community", "shift", "workers", "mon", "sun", "paid_hours_per_week",
            "cost_cny_per_year"} <= set(roster.columns)
    check = pd.read_csv(folder / "roster_check.csv", encoding="utf-8-sig")
    assert set(check["community"]) == {"dongguan", "yongan"}
    assert (check["workers"].to_numpy() == roster.groupby("community")["workers"].sum()
            .reindex(check["community"]).to_numpy()).all()
    assert set(check["verdict"]) <= {"meets", "misses", "undecided"}
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "按小时：需求与排班" in page and 'id="roster"' in page
    assert result.roster is not None and result.roster.check.equals(result.roster.check)
