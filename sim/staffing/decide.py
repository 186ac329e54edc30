"""When does a staffing level meet the targets? One-sided bounds over replications.

The full model's replications of a level are independent years of the same system (common
random numbers across levels, independent across replications). For each target the
recommendation asks whether the *mean* share (over years) reaches the target's share: a level

- **meets** when, for every target, the one-sided lower confidence bound of the mean share
  clears the share (for utilisation: the upper bound stays under ``at_most``);
- **misses** when, for some target, the one-sided upper bound is below the share (utilisation:
  the lower bound is above ``at_most``);
- is **undecided** otherwise: replications are added in batches until it is decided or the cap
  is reached (then the answer is *borderline*).

Bounds are Student-t over replications. "Meets" is an intersection-union test (every target
must be shown met), whose error is at most the level of each single test, so several targets
need no correction. The batches are repeated looks at growing data: to keep the chance of
wrongly declaring a level met at most ``alpha`` over the whole sequence, each of the at most
``looks`` looks tests at ``alpha / looks`` (Bonferroni over the looks). With the default cap of
twice the first batch, that is two looks at 2.5% each: each bound is then the end of the usual
two-sided 95% interval.

Beside the decision, :meth:`Decision.met_probability` counts the years in which every target
was met, with an exact (Clopper-Pearson) 95% interval: how often a planner would see the
targets met in a year at that level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import betaincinv

from sim.analysis.statistics import t_interval
from sim.staffing.targets import TargetSet

MEETS, MISSES, UNDECIDED = "meets", "misses", "undecided"
ALPHA = 0.05


@dataclass(frozen=True)
class Decision:
    """The decision rule: a first batch of ``replications``, then batches of as many until a
    level is decided or ``cap`` replications are done."""

    replications: int
    cap: int
    alpha: float = ALPHA

    @property
    def looks(self) -> int:
        """The most times a level is tested (batches up to the cap)."""
        return max(math.ceil(self.cap / self.replications), 1)

    @property
    def level(self) -> float:
        """One-sided level of each look: ``alpha / looks``."""
        return self.alpha / self.looks

    def more(self, n: int) -> int | None:
        """Replications of the next batch after ``n`` (None at the cap)."""
        return min(n + self.replications, self.cap) if n < self.cap else None

    def bounds(self, values: np.ndarray) -> tuple[float, float, float]:
        """(mean, lower, upper) one-sided bounds at :attr:`level` (infinite with fewer than
        two finite values; equal to the mean when the values do not vary)."""
        mean, half, _, n = t_interval(np.asarray(values, dtype=float), 1 - 2 * self.level)
        if n == 0:
            return math.nan, math.nan, math.nan
        if not np.isfinite(half):
            half = math.inf
        return mean, mean - half, mean + half

    def verdict(self, frame: pd.DataFrame, targets: TargetSet) -> str:
        """:data:`MEETS`, :data:`MISSES` or :data:`UNDECIDED` for the per-replication values
        of one level (a column per target key); a target with no value misses."""
        decided = True
        for key in targets.keys:
            goal = targets.goal(key)
            if goal is None:
                continue
            bound, sense = goal
            mean, low, high = self.bounds(frame[key].to_numpy(float))
            if not np.isfinite(mean):
                return MISSES
            if sense == "<=":  # utilisation at most
                low, high, bound = -high, -low, -bound
            if high < bound:
                return MISSES
            if low < bound:
                decided = False
        return MEETS if decided else UNDECIDED

    def straddling(self, frame: pd.DataFrame, targets: TargetSet) -> list[str]:
        """The targets whose bounds hold their goal: 'response_within_30min_share 0.901
        (0.896-0.907)'."""
        out = []
        for key in targets.keys:
            goal = targets.goal(key)
            if goal is None:
                continue
            mean, low, high = self.bounds(frame[key].to_numpy(float))
            if np.isfinite(mean) and low <= goal[0] <= high:
                out.append(f"{key} {mean:.3f} ({low:.3f}-{high:.3f})")
        return out


def met_years(frame: pd.DataFrame, targets: TargetSet) -> tuple[int, int]:
    """(years meeting every target, years): per replication, each target's own value."""
    ok = np.ones(len(frame), dtype=bool)
    for key in targets.keys:
        goal = targets.goal(key)
        if goal is None:
            continue
        values = frame[key].to_numpy(float)
        bound, sense = goal
        with np.errstate(invalid="ignore"):
            ok &= (values <= bound) if sense == "<=" else (values >= bound)
    return int(ok.sum()), len(frame)


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact two-sided interval of a binomial proportion k/n."""
    if n == 0:
        return math.nan, math.nan
    tail = (1 - level) / 2
    low = 0.0 if k == 0 else float(betaincinv(k, n - k + 1, tail))
    high = 1.0 if k == n else float(betaincinv(k + 1, n - k, 1 - tail))
    return low, high
