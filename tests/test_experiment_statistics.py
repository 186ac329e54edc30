"""Intervals, paired differences, verdicts, the sequential schedule (sim.analysis.statistics)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.statistics import (
    HalfWidthTarget,
    direction,
    next_total,
    paired_differences,
    summarise,
    t_interval,
    verdict,
)


def test_t_interval_matches_scipy():
    values = np.array([3.1, 2.7, 3.9, 3.3, np.nan, 2.2])
    mean, half, std, n = t_interval(values)
    finite = values[np.isfinite(values)]
    low, high = stats.t.interval(0.95, len(finite) - 1, loc=finite.mean(),
                                 scale=stats.sem(finite))
    assert n == 5 and mean == pytest.approx(finite.mean())
    assert (mean - half, mean + half) == pytest.approx((low, high), rel=1e-12)
    assert std == pytest.approx(finite.std(ddof=1))
    assert np.isnan(t_interval(np.array([1.0]))[1])


def replications_table(values: dict[str, list[float]]) -> pd.DataFrame:
    n = len(next(iter(values.values())))
    return pd.DataFrame({"replication": range(n), "community": "all", "category": "all",
                         **values})


def test_summary_interval_is_the_student_t_interval():
    table = replications_table({"wait_min_mean": [1.0, 2.0, 4.0, 3.5]})
    row = summarise(table).iloc[0]
    mean, half, _, n = t_interval(np.array([1.0, 2.0, 4.0, 3.5]))
    assert row["mean"] == mean and row["half_width"] == pytest.approx(half, rel=1e-14)
    assert row["replications"] == n


def test_intervals_are_cut_at_the_possible_range():
    """A share near 1 and a time near 0 over three replications: the t interval reaches past 1
    and below 0; the summary's bounds are the t interval intersected with [0, 1] and [0, inf),
    the half-width and the mean unchanged; an interval inside the range is the t interval."""
    shares, times, inside = [1.0, 1.0, 0.94], [0.0, 0.0, 9.0], [10.0, 12.0, 11.0]
    table = replications_table({"response_within_target_share": shares, "wait_min_p50": times,
                                "response_min_mean": inside, "something_new": [-5.0, 0.0, 1.0]})
    summary = summarise(table).set_index("metric")
    for metric, values, low, high in (("response_within_target_share", shares, 0.0, 1.0),
                                      ("wait_min_p50", times, 0.0, np.inf),
                                      ("response_min_mean", inside, 0.0, np.inf),
                                      ("something_new", [-5.0, 0.0, 1.0], -np.inf, np.inf)):
        mean, half, _, _ = t_interval(np.array(values))
        row = summary.loc[metric]
        assert row["mean"] == mean and row["half_width"] == pytest.approx(half, rel=1e-14)
        assert row["ci_low"] == pytest.approx(max(mean - half, low), rel=1e-14)
        assert row["ci_high"] == pytest.approx(min(mean + half, high), rel=1e-14)
    assert summary.loc["response_within_target_share", "ci_high"] == 1.0
    assert summary.loc["wait_min_p50", "ci_low"] == 0.0
    assert summary.loc["response_min_mean", "ci_low"] > 0  # inside: the t interval itself
    one = summarise(replications_table({"wait_min_p50": [3.0]})).iloc[0]
    assert np.isnan(one["ci_low"]) and np.isnan(one["ci_high"])  # no interval from one value


def test_interval_text_shows_a_cut_interval_as_its_bounds():
    from sim.analysis.tables import with_ci

    assert with_ci(0.4, 0.02, 2, 0.38, 0.42) == "0.40 ± 0.02"
    assert with_ci(0.99, 0.03, 2, 0.96, 1.0) == "0.99 (0.96–1.00)"
    assert with_ci(3.0, np.nan, 1) == "3.0" and with_ci(np.nan, 1.0, 1) == "-"


@pytest.mark.parametrize(("metric", "sign"), [
    ("wait_min_mean", -1), ("wait_probability", -1), ("response_min_p90", -1),
    ("resolution_h_mean", -1), ("backlog_mean", -1), ("queue_mean", -1),
    ("response_within_target_share", 1), ("resolution_within_target_share", 1),
    ("report_delay_min_mean", -1), ("department_on_time_share", 1),
    ("utilisation", 0), ("utilisation_volunteer", 0), ("escalated_share", 0), ("issues", 0),
    ("volunteer_points", 0), ("something_new", 0),
])
def test_direction_of_each_metric(metric, sign):
    assert direction(metric) == sign


def test_verdict_rule():
    assert verdict("response_min_mean", -3.0, -1.0) == "better"   # clearly lower
    assert verdict("response_min_mean", 1.0, 3.0) == "worse"
    assert verdict("response_min_mean", -1.0, 3.0) == "no clear difference"
    assert verdict("response_within_target_share", 0.01, 0.02) == "better"  # clearly higher
    assert verdict("response_within_target_share", -0.02, -0.01) == "worse"
    assert verdict("utilisation", 0.1, 0.2) == "-"  # no better direction
    assert verdict("response_min_mean", np.nan, np.nan) == "no clear difference"
    assert verdict("response_min_mean", 0.0, 0.0) == "no clear difference"


def test_paired_difference_is_the_paired_t_interval():
    base = [10.0, 12.0, 9.0, 15.0, 11.0]
    other = [9.0, 11.5, 8.2, 14.1, 10.3]
    diff = paired_differences(replications_table({"wait_min_mean": other}),
                              replications_table({"wait_min_mean": base})).iloc[0]
    d = np.subtract(other, base)
    mean, half, _, n = t_interval(d)
    assert diff["difference"] == pytest.approx(mean)
    assert diff["difference_half_width"] == pytest.approx(half)
    assert diff["paired_replications"] == n == 5
    assert diff["verdict"] == "better"
    # the same scenario against itself: exactly zero
    same = paired_differences(replications_table({"wait_min_mean": base}),
                              replications_table({"wait_min_mean": base})).iloc[0]
    assert (same["difference"], same["difference_ci_low"], same["difference_ci_high"]) == (0, 0, 0)
    assert same["verdict"] == "no clear difference"


def test_rounding_noise_is_no_difference():
    """The same issues summed in another order differ in the last bits: not a difference."""
    base = np.array([0.1 + 0.2, 7.0, 3.3])
    noisy = base * (1 + 4e-16)
    diff = paired_differences(replications_table({"resolution_h_mean": list(noisy)}),
                              replications_table({"resolution_h_mean": list(base)})).iloc[0]
    assert diff["difference"] == 0 and diff["verdict"] == "no clear difference"


def test_half_width_target_parsing():
    t = HalfWidthTarget.parse("response_min_p90=1.5")
    assert (t.metric, t.half_width, t.community, t.category, t.relative) == (
        "response_min_p90", 1.5, "all", "all", False)
    t = HalfWidthTarget.parse("resolution_h_mean = 5%", "dongguan/livelihood")
    assert (t.half_width, t.community, t.category, t.relative) == (
        0.05, "dongguan", "livelihood", True)
    for bad in ("response_min_p90", "=1", "x=abc", "x=-1", "x=0"):
        with pytest.raises(ValueError):
            HalfWidthTarget.parse(bad)


def test_sequential_schedule():
    assert next_total(10, 2.0, 1.0, 200) == 20          # needs ~40: at most doubles
    assert next_total(10, 1.1, 1.0, 200) == 13          # 10 * 1.21 -> 13
    assert next_total(10, 1.0001, 1.0, 200) == 11       # at least one more
    assert next_total(150, 2.0, 1.0, 200) == 200        # never past the cap
    assert next_total(1, np.nan, 1.0, 200) == 2         # no interval yet: double
