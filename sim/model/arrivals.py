"""Time-varying Poisson arrivals by inversion of the cumulative intensity.

The rate is piecewise constant by hour (hour of day x day of week x month, each rescaled to mean
1). Unit-rate exponential gaps are summed and mapped through the inverse cumulative intensity,
which gives an exact non-homogeneous Poisson process. Because each source turns its own stream of
unit gaps into times, two scenarios that differ only in rates keep their arrivals coupled
(common random numbers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np

from sim.model.distributions import Draw, block_sizes, floats
from sim.scenario.schema import ArrivalProfile

MINUTES_PER_HOUR = 60.0
END = np.array([np.inf])  # after a source's last arrival
END.setflags(write=False)


def _unit_mean(values: list[float] | None, size: int) -> np.ndarray:
    if values is None:
        return np.ones(size)
    array = np.asarray(values, dtype=float)
    return array / array.mean()


def hourly_multipliers(profile: ArrivalProfile, start: dt.date, hours: int) -> np.ndarray:
    """Relative rate of each simulated hour (mean about 1 over whole weeks and years)."""
    hour = np.arange(hours)
    day = hour // 24
    dates = np.datetime64(start, "D") + day
    weekday = (dates.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
    month = dates.astype("datetime64[M]").astype(int) % 12
    return (
        _unit_mean(profile.hour_of_day, 24)[hour % 24]
        * _unit_mean(profile.day_of_week, 7)[weekday]
        * _unit_mean(profile.month, 12)[month]
    )


class IntensityCurve:
    """Cumulative relative intensity at hour boundaries over the horizon, for one profile.

    ``surges`` multiply the rate between two days (whole hours; surge days are whole days in
    practice).
    """

    def __init__(
        self,
        profile: ArrivalProfile,
        start: dt.date,
        horizon_min: float,
        surges: tuple[tuple[float, float, float], ...] = (),
    ):
        hours = int(np.ceil(horizon_min / MINUTES_PER_HOUR))
        self.grid_min = np.minimum(np.arange(hours + 1) * MINUTES_PER_HOUR, horizon_min)
        widths = np.diff(self.grid_min)
        self.multipliers = hourly_multipliers(profile, start, hours)
        day = self.grid_min[:-1] / (24 * MINUTES_PER_HOUR)
        for first, last, factor in surges:  # (start day, end day, rate multiplier)
            self.multipliers[(day >= first) & (day < last)] *= factor
        self.cumulative = np.concatenate([[0.0], np.cumsum(self.multipliers * widths)])

    def expected(self, rate_per_min: float) -> float:
        """Expected arrivals over the horizon at a base rate of ``rate_per_min``."""
        return float(self.cumulative[-1] * rate_per_min)

    def times(self, rate_per_min: float, rng: np.random.Generator) -> Iterator[float]:
        """Arrival times (minutes, increasing) over the horizon at base rate ``rate_per_min``."""
        return floats(times for _, times in self.blocks(rate_per_min, rng))

    def blocks(self, rate_per_min: float, rng: np.random.Generator
               ) -> Iterator[tuple[int, np.ndarray]]:
        """The arrival times of :meth:`times` block by block: ``(n, times)``, the times given by
        ``n`` unit gaps (those inside the horizon; the last block is the first one short)."""
        if rate_per_min <= 0:
            return
        total = self.cumulative[-1] * rate_per_min
        level = 0.0
        for block in block_sizes(total):
            points = level + np.cumsum(rng.exponential(1.0, block))
            level = points[-1]
            inside = points[: np.searchsorted(points, total, side="right")]
            yield block, np.interp(inside / rate_per_min, self.cumulative, self.grid_min)
            if len(inside) < block:
                return


def issue_values(blocks: Iterator[tuple[int, np.ndarray]], draws: list[Draw]
                 ) -> Iterator[float]:
    """A source's numbers in the order its issues take them, from its arrival ``blocks``
    (:meth:`IntensityCurve.blocks`) and one function per further stream drawing ``n`` values:
    the first arrival time, then for each issue one value of each draw and the next arrival
    time (``inf`` after the last).

    Each stream is drawn in the blocks :func:`~sim.model.distributions.block_iter` would draw
    it in (a block of ``n`` with each block of ``n`` gaps), so the numbers are those of one
    iterator per stream; held in one array, a source's numbers lie side by side.
    """
    return floats(_value_blocks(blocks, draws))


def _value_blocks(blocks: Iterator[tuple[int, np.ndarray]], draws: list[Draw]
                  ) -> Iterator[np.ndarray]:
    """The arrays of :func:`issue_values`: per block, a row (arrival time, draws...) an issue."""
    for n, times in blocks:
        rows = np.empty((len(times), 1 + len(draws)))
        rows[:, 0] = times
        if len(times):
            for column, draw in enumerate(draws, 1):
                rows[:, column] = draw(n)[: len(times)]
        yield rows.ravel()
        if len(times) < n:  # the last block
            yield END
            return
