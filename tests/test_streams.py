"""Named random streams seeded many at once give numpy's own seeding, word for word."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.streams import Streams, seed_words, stream_key


@pytest.mark.parametrize("seed", [0, 1, 20240601, 2**32 - 1, 2**32, 2**40 + 5, 2**130 + 7])
@pytest.mark.parametrize("replication", [0, 1, 9, 2**32 + 3])
def test_bulk_seeding_is_numpys_seed_sequence(seed: int, replication: int) -> None:
    names = [f"{kind}/g{g:03d}/{c}" for kind in ("arrivals", "handling", "report", "escalate")
             for g in range(40) for c in ("livelihood", "dispute", "安全")]
    keys = [(replication, stream_key(n)) for n in names]
    want = np.array([np.random.SeedSequence(seed, spawn_key=k).generate_state(4, np.uint64)
                     for k in keys])
    assert np.array_equal(seed_words(seed, replication, names), want)


def test_a_key_of_one_word_or_of_the_extremes_too() -> None:
    # stream keys are 64-bit: those below 2**32 make a shorter entropy (rows grouped by length)
    from sim.model import streams as module

    keys = {"small": 5, "zero": 0, "largest": 2**64 - 1}
    real = module.stream_key
    try:
        module.stream_key = lambda name: keys.get(name, real(name))
        got = module.seed_words(7, 2, [*keys, "other"])
    finally:
        module.stream_key = real
    want = [np.random.SeedSequence(7, spawn_key=(2, k)).generate_state(4, np.uint64)
            for k in [*keys.values(), real("other")]]
    assert np.array_equal(got, np.array(want))


def test_prepared_streams_draw_what_unprepared_ones_draw() -> None:
    names = ["arrivals/a", "handling/a", "care/first_due/d1"]
    prepared, plain = Streams(11, 3), Streams(11, 3)
    prepared.prepare([*names, "never/used"])
    for name in names:
        assert prepared(name) is prepared(name)  # one generator per name
        assert np.array_equal(prepared(name).random(50), plain(name).random(50))
    assert np.array_equal(prepared("not/prepared").random(5), plain("not/prepared").random(5))


def test_a_negative_seed_is_refused_as_numpy_refuses_it() -> None:
    streams = Streams(-1, 0)
    streams.prepare(["arrivals/a"])
    with pytest.raises(ValueError):
        streams("arrivals/a")
