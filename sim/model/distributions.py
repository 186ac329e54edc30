"""Random durations drawn in blocks: numpy does the work, the engine takes one float at a time."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from itertools import chain

import numpy as np

from sim.scenario.common import Distribution, Empirical, Fixed, MeanCv

FIRST_BLOCK, BLOCK = 16, 1024

Draw = Callable[[int], np.ndarray]


def block_sampler(dist: Distribution, rng: np.random.Generator) -> Draw:
    """A function drawing ``n`` values of ``dist`` from ``rng`` at once."""
    kind, p = dist.kind, dist.params
    if kind == "exponential":
        mean = dist.mean
        return lambda n: rng.exponential(mean, n)
    if kind == "lognormal":
        assert isinstance(p, MeanCv)
        mu, sigma = p.lognormal()
        return lambda n: rng.lognormal(mu, sigma, n)
    if kind == "gamma":
        assert isinstance(p, MeanCv)
        shape, scale = p.gamma()
        return lambda n: rng.gamma(shape, scale, n)
    if kind == "deterministic":
        assert isinstance(p, Fixed)
        value = p.value
        return lambda n: np.full(n, value)
    assert isinstance(p, Empirical)
    values = np.asarray(p.values, dtype=float)
    weights = None if p.weights is None else np.asarray(p.weights) / sum(p.weights)
    return lambda n: rng.choice(values, size=n, p=weights)


def block_sizes(expected: float | None = None) -> Iterator[int]:
    """Block sizes that double up to :data:`BLOCK`, from :data:`FIRST_BLOCK` or from enough for
    ``expected`` values (with four standard deviations to spare, as for a Poisson count): a
    source that needs a hundred values (a year's grid x category source) draws them at once."""
    block = FIRST_BLOCK
    if expected is not None:
        block = min(max(math.ceil(expected + 4 * math.sqrt(expected)) + 1, FIRST_BLOCK), BLOCK)
    while True:
        yield block
        block = min(2 * block, BLOCK)


def block_iter(draw: Draw, expected: float | None = None) -> Iterator[float]:
    """An endless iterator of floats, drawn in blocks of :func:`block_sizes`.

    numpy's generators fill an array value by value, so the numbers do not depend on the
    blocks: ``draw(n)`` gives the first ``n`` values this iterator yields. A block stays a
    numpy array until its values are taken (:func:`floats`).
    """
    return floats(map(draw, block_sizes(expected)))


def floats(blocks: Iterable[np.ndarray]) -> Iterator[float]:
    """The values of float64 ``blocks`` one after another, as Python floats made when taken.

    An array holds a value in 8 bytes where a list of floats holds 32 (a pointer and the
    object), the values of a block lie side by side, and taking one runs no Python code: the
    many sources of a large city keep a small working set.
    """
    # a memoryview of float64 iterates as floats (typeshed cannot say so)
    return chain.from_iterable(map(memoryview, blocks))  # type: ignore[arg-type]
