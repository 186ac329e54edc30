"""Named random streams: one numpy generator per source of randomness, all from one seed.

A stream's state depends only on (seed, replication, name), never on which other streams exist
or in what order they are asked for. Two scenarios run with the same seed therefore share every
stream they have in common (common random numbers), and adding a grid or a category does not
shift the numbers of the others.

Stream ``name`` of replication ``r`` is ``PCG64(SeedSequence(seed, spawn_key=(r, key(name))))``.
A replication of a large model asks for thousands of streams, and numpy seeds each in about
27 µs. :meth:`Streams.prepare` seeds many at once: :func:`seed_words` runs SeedSequence's
hash, whose constants do not depend on the data, across all their keys in numpy, giving the
same four words numpy's ``generate_state(4, uint64)`` gives (checked against numpy once per
process, and by the tests), so a prepared stream costs about 7 µs and draws the same numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
from numpy.random.bit_generator import ISeedSequence

# numpy's SeedSequence (numpy/random/bit_generator.pyx): a pool of 4 uint32 words
MASK32 = 0xFFFFFFFF
POOL_SIZE = 4
INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875
INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED
MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
XSHIFT = 16


def stream_key(name: str) -> int:
    """A stable 64-bit integer for a stream name (independent of Python's hash seed)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def _words(n: int) -> list[int]:
    """A non-negative integer as uint32 words, lowest first (at least one), as numpy does."""
    out = [n & MASK32]
    n >>= 32
    while n:
        out.append(n & MASK32)
        n >>= 32
    return out


def _pools(entropy: np.ndarray) -> list[np.ndarray]:
    """SeedSequence's mixed pool (4 words) of each row of ``entropy`` ((n, L) words, L >= 4,
    as uint64 holding uint32 values)."""
    hash_const = INIT_A

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal hash_const
        value = value ^ hash_const
        hash_const = (hash_const * MULT_A) & MASK32
        value = (value * hash_const) & MASK32
        return value ^ (value >> XSHIFT)

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        result = (MIX_MULT_L * x - MIX_MULT_R * y) & MASK32
        return result ^ (result >> XSHIFT)

    pool = [hashmix(entropy[:, i]) for i in range(POOL_SIZE)]
    for src in range(POOL_SIZE):
        for dst in range(POOL_SIZE):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(POOL_SIZE, entropy.shape[1]):
        for dst in range(POOL_SIZE):
            pool[dst] = mix(pool[dst], hashmix(entropy[:, src]))
    return pool


def seed_words(seed: int, replication: int, names: Sequence[str]) -> np.ndarray:
    """``SeedSequence(seed, spawn_key=(replication, stream_key(name))).generate_state(4,
    np.uint64)`` of every name at once: an (n, 4) uint64 array (``seed``, ``replication``
    non-negative)."""
    run = _words(seed)
    run += [0] * (POOL_SIZE - len(run))  # a spawn key follows a run entropy of the pool's size
    head = run + _words(replication)
    rows = [head + _words(stream_key(name)) for name in names]
    out = np.empty((len(rows), 4), dtype=np.uint64)
    by_length: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        by_length.setdefault(len(row), []).append(i)
    for indices in by_length.values():
        pool = _pools(np.array([rows[i] for i in indices], dtype=np.uint64))
        hash_const, state = INIT_B, []
        for i in range(8):  # generate_state: 8 uint32 words, paired little-endian
            value = pool[i % POOL_SIZE] ^ hash_const
            hash_const = (hash_const * MULT_B) & MASK32
            value = (value * hash_const) & MASK32
            state.append(value ^ (value >> XSHIFT))
        for j in range(4):
            out[indices, j] = state[2 * j] | (state[2 * j + 1] << np.uint64(32))
    return out


@cache
def _bulk_agrees() -> bool:
    """Whether :func:`seed_words` gives numpy's words here (else streams seed one by one)."""
    names = ["arrivals/check", "handling/检查"]
    want = [np.random.SeedSequence(20240601, spawn_key=(3, stream_key(n))).generate_state(
        4, np.uint64) for n in names]
    return bool(np.array_equal(seed_words(20240601, 3, names), np.array(want)))


class _Seeded(ISeedSequence):
    """A seed sequence whose state words were made already (by :func:`seed_words`)."""

    __slots__ = ("words",)

    def __init__(self, words: np.ndarray):
        self.words = words

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        if n_words != 4 or np.dtype(dtype) != np.uint64:
            raise ValueError("a prepared stream seeds PCG64 only (4 uint64 words)")
        return self.words


class Streams:
    """The random streams of one replication."""

    def __init__(self, seed: int, replication: int):
        self.seed = int(seed)
        self.replication = int(replication)
        self._cache: dict[str, np.random.Generator] = {}
        self._prepared: dict[str, np.ndarray] = {}

    def __call__(self, name: str) -> np.random.Generator:
        """The generator of stream ``name`` (created on first use, then reused)."""
        rng = self._cache.get(name)
        if rng is None:
            words = self._prepared.pop(name, None)
            seq = _Seeded(words) if words is not None else np.random.SeedSequence(
                self.seed, spawn_key=(self.replication, stream_key(name)))
            # numpy takes any ISeedSequence (its stubs name SeedSequence only)
            rng = self._cache[name] = np.random.Generator(np.random.PCG64(seq))  # type: ignore[arg-type]
        return rng

    def prepare(self, names: Iterable[str]) -> None:
        """Seed the streams ``names`` at once, for a quick first use (the same numbers)."""
        if self.seed < 0 or self.replication < 0 or not _bulk_agrees():
            return  # numpy refuses a negative seed; let it say so
        todo = [n for n in dict.fromkeys(names) if n not in self._cache
                and n not in self._prepared]
        if todo:
            self._prepared.update(zip(todo, seed_words(self.seed, self.replication, todo),
                                      strict=True))
