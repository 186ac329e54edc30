"""What community workers carry of each category, as the full model measures it.

In the full model community workers share the work with grid members (own grid first), Rainbow
volunteers and Party members (micro-wishes), and they travel to field work. The fast tiers
(Erlang C and the screen) are one queue of community workers; to measure the same thing they
take from a full-model run, per community and category, the share of the issues the workers
answered and their mean travel to them (:class:`WorkerShare`). Every full-model replication
records these counts beside the target shares (:func:`role_columns`), so any level simulated
can calibrate the fast tiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.model.measures import observed

ISSUES, WORKER_ISSUES, WORKER_TRAVEL = "issues", "worker_issues", "worker_travel_min"
ROLE_FIELDS = (ISSUES, WORKER_ISSUES, WORKER_TRAVEL)


def role_column(field: str, category: str) -> str:
    """The column of one count in a full-model frame: ``worker_issues/livelihood``."""
    return f"{field}/{category}"


def codes_of(values: pd.Series, names: Sequence[str]) -> np.ndarray:
    """Position of each value in ``names`` (-1 where it is not there), fast for categoricals."""
    lookup = {name: i for i, name in enumerate(names)}
    series = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    table = np.array([lookup.get(str(c), -1) for c in series.cat.categories] + [-1],
                     dtype=np.int64)
    return table[np.asarray(series.cat.codes)]  # code -1 (missing) picks the final -1


def role_columns(records: pd.DataFrame, category: np.ndarray, community: np.ndarray,
                 communities: int, categories: Sequence[str], warmup_min: float,
                 horizon_min: float) -> dict[str, np.ndarray]:
    """Per community (index 0..communities-1) and category: issues occurring in the
    observation window, those a community worker answered, and the workers' one-way travel
    minutes to them (summed). ``category`` and ``community`` hold each record's position in
    ``categories`` and among the communities (:func:`codes_of`)."""
    seen = observed(records["occurred_min"].to_numpy(float), warmup_min, horizon_min)
    seen &= community >= 0
    worker = (records["responder_role"] == "community_worker").to_numpy(bool, na_value=False)
    travel = (records["onsite_min"].to_numpy(float) - records["start_min"].to_numpy(float))
    travel = np.where(np.isfinite(travel), travel, 0.0)
    out = {}
    for k, name in enumerate(categories):
        mine = seen & (category == k)
        ours = mine & worker
        out[role_column(ISSUES, name)] = np.bincount(community[mine], minlength=communities)
        out[role_column(WORKER_ISSUES, name)] = np.bincount(community[ours],
                                                            minlength=communities)
        out[role_column(WORKER_TRAVEL, name)] = np.bincount(
            community[ours], weights=travel[ours], minlength=communities)
    return out


@dataclass(frozen=True)
class WorkerShare:
    """Per category (the model's categories, in order): the share of a community's issues its
    community workers answer, and their mean one-way travel to one (minutes; 0 for walk-in
    services). ``back_min``: the way back, when responders return to base."""

    share: np.ndarray
    travel_min: np.ndarray
    back_min: np.ndarray
    measured_at: int | None = None  # workers of the full-model level it was measured at

    @classmethod
    def everything(cls, categories: int) -> WorkerShare:
        """Workers take every issue they may, on the spot (the uncalibrated fast tiers)."""
        return cls(np.ones(categories), np.zeros(categories), np.zeros(categories))

    @classmethod
    def measured(cls, frame: pd.DataFrame, categories: Sequence[str], return_to_base: bool,
                 workers: int | None = None) -> WorkerShare:
        """From full-model rows of one community (any number of replications): counts are
        summed over them. A category with no issue keeps share 1 and no travel."""
        def total(field: str, name: str) -> float:
            column = role_column(field, name)
            return float(frame[column].sum()) if column in frame else 0.0

        share, travel = [], []
        for name in categories:
            issues, ours = total(ISSUES, name), total(WORKER_ISSUES, name)
            share.append(ours / issues if issues > 0 else 1.0)
            travel.append(total(WORKER_TRAVEL, name) / ours if ours > 0 else 0.0)
        travel_min = np.array(travel)
        return cls(np.array(share), travel_min,
                   travel_min if return_to_base else np.zeros_like(travel_min), workers)

    def describe(self, categories: Sequence[str], takes: Sequence[int]) -> str:
        """E.g. 'livelihood 59% (3.9 min away), dispute 49% (4.0 min away)'."""
        parts = []
        for k in takes:
            away = f", {self.travel_min[k]:.1f} min away" if self.travel_min[k] > 0 else ""
            parts.append(f"{categories[k]} {self.share[k]:.0%}{away}")
        return ", ".join(parts)
