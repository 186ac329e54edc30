"""Random numbers drawn in blocks are the numbers drawn at once.

The engine draws each source's handling times, reporting delays and escalation draws in blocks
(:func:`sim.model.distributions.block_iter`); the staffing screen draws the same streams ``n``
values at once and relies on getting the same numbers. That holds because numpy's generators
fill an array value by value; these tests pin it for every distribution kind.
"""

from __future__ import annotations

import datetime as dt
import math
from itertools import islice

import numpy as np
import pytest

from sim.model.arrivals import IntensityCurve, issue_values
from sim.model.distributions import BLOCK, FIRST_BLOCK, block_iter, block_sampler, block_sizes
from sim.scenario.common import Distribution
from sim.scenario.schema import ArrivalProfile

KINDS = {
    "exponential": {"exponential": {"mean": 30}},
    "lognormal": {"lognormal": {"mean": 30, "cv": 1.2}},
    "gamma, shape < 1": {"gamma": {"mean": 30, "cv": 1.5}},
    "gamma, shape > 1": {"gamma": {"mean": 30, "cv": 0.4}},
    "deterministic": {"deterministic": {"value": 12.5}},
    "empirical": {"empirical": {"values": [5, 10, 60], "weights": [0.5, 0.3, 0.2]}},
}


@pytest.mark.parametrize("expected", [None, 3.0, 100.0, 5000.0])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_blocks_give_the_numbers_of_one_draw(kind: str, expected: float | None) -> None:
    dist = Distribution.model_validate(KINDS[kind])
    n = 3 * BLOCK + 17  # several refills of every block size
    blocked = list(islice(block_iter(block_sampler(dist, np.random.default_rng(7)), expected), n))
    at_once = block_sampler(dist, np.random.default_rng(7))(n)
    np.testing.assert_array_equal(np.array(blocked), at_once)


def test_block_sizes_start_from_the_expected_count_and_double_to_the_cap() -> None:
    assert list(islice(block_sizes(), 8)) == [FIRST_BLOCK * 2**i for i in range(7)] + [BLOCK]
    first = next(block_sizes(100.0))
    assert first == math.ceil(100 + 4 * 10) + 1  # a Poisson count with four sd to spare
    assert list(islice(block_sizes(100.0), 4)) == [first, 2 * first, 4 * first, BLOCK]
    assert next(block_sizes(0.2)) == FIRST_BLOCK
    assert next(block_sizes(1e6)) == BLOCK


@pytest.mark.parametrize("per_min", [0.0, 0.01, 0.5])  # none, a few a day, several blocks
def test_issue_values_are_each_streams_own_numbers(per_min: float) -> None:
    # a source's interleaved values: its arrival times, and per issue one value of each stream
    # as block_iter draws it alone, then the next arrival (inf after the last)
    curve = IntensityCurve(ArrivalProfile(hour_of_day=[1.0] * 12 + [3.0] * 12),
                           dt.date(2026, 1, 5), 3 * 24 * 60.0)
    dists = [Distribution.model_validate(KINDS[k]) for k in ("lognormal", "empirical")]
    expected = curve.expected(per_min)
    times = list(curve.times(per_min, np.random.default_rng(1)))
    alone = [list(islice(block_iter(block_sampler(d, np.random.default_rng(2 + i)), expected),
                         len(times))) for i, d in enumerate(dists)]
    values = list(issue_values(curve.blocks(per_min, np.random.default_rng(1)),
                               [block_sampler(d, np.random.default_rng(2 + i))
                                for i, d in enumerate(dists)]))
    want = [*times[:1]]
    for k in range(len(times)):
        want += [alone[0][k], alone[1][k], times[k + 1] if k + 1 < len(times) else math.inf]
    assert len(times) > (2 * BLOCK if per_min == 0.5 else -1)
    assert values == want and all(type(v) is float for v in values)
