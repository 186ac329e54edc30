"""Named random streams: one numpy generator per source of randomness, all from one seed.

A stream's state depends only on (seed, replication, name), never on which other streams exist
or in what order they are asked for. Two scenarios run with the same seed therefore share every
stream they have in common (common random numbers), and adding a grid or a category does not
shift the numbers of the others.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 64-bit integer for a stream name (independent of Python's hash seed)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


class Streams:
    """The random streams of one replication."""

    def __init__(self, seed: int, replication: int):
        self.seed = int(seed)
        self.replication = int(replication)
        self._cache: dict[str, np.random.Generator] = {}

    def __call__(self, name: str) -> np.random.Generator:
        """The generator of stream ``name`` (created on first use, then reused)."""
        rng = self._cache.get(name)
        if rng is None:
            seq = np.random.SeedSequence(self.seed, spawn_key=(self.replication, stream_key(name)))
            rng = self._cache[name] = np.random.Generator(np.random.PCG64(seq))
        return rng
