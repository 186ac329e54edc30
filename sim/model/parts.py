"""One replication of a city split by district: each district's part on its own plan, and the
parts merged into the city's statistics, with the numbers of the city run as one loop.

Why the numbers are the same, bit for bit (tests/test_districts.py checks it, serially, in a
process pool and on Dask):

- random numbers come from named streams (sim.model.streams): a grid's arrivals, handling
  times and reporting delays, a district's own departments and its care visits have streams
  of their own, whichever other districts run beside them;
- within a replication, districts interact only through departments; a district that
  escalates only to its own (sim.scenario.districts) sees exactly the events it would see in
  the city's loop, in the same order: the loop runs a calendar process and a chain of care
  visits per district, and orders events by (time, priority, scheduling order), which keeps
  each district's own order;
- the recorder folds each district's issues in batches of its own (a buffer per district,
  sim.model.recorder), so every floating-point sum adds the same numbers in the same order;
  the city's groups are summed from the cells when metrics are read, as in one loop.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.model.engine import simulate
from sim.model.plan import ModelPlan, build_plan
from sim.model.recorder import Part, Recorder
from sim.scenario.schema import Scenario

__all__ = ["Part", "district_positions", "merge", "run_part"]


def run_part(part: Scenario, seed: int, replication: int, keep_records: bool = False) -> Part:
    """Simulate one district's part of one replication: ``part`` is the scenario cut to the
    district (:func:`sim.scenario.districts.district_part`; what a task is sent, a fraction of
    the city)."""
    return simulate(build_plan(part), seed, replication, keep_records).part()


def district_positions(plan: ModelPlan) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per district: the city plan's (grids, communities, responders) of the district, in the
    order of the district's own plan (communities in the scenario's order, each one's grids
    and responders in turn)."""
    district = np.asarray(plan.community_district)
    community_of = np.array([r.community for r in plan.responders], dtype=np.int64)
    out = []
    for d in range(max(len(plan.districts), 1)):
        communities = np.flatnonzero(district == d)
        grids = np.concatenate([plan.grids.of_community(int(c)) for c in communities])
        responders = np.flatnonzero(np.isin(community_of, communities))
        out.append((grids, communities, responders))
    return out


def merge(plan: ModelPlan, parts: Mapping[int, Part], keep_records: bool = False) -> Recorder:
    """The city's recorder of one replication from every district's part."""
    recorder = Recorder(plan, keep_records)
    for d, (grids, communities, responders) in enumerate(district_positions(plan)):
        recorder.absorb(parts[d], d, grids, communities, responders)
    return recorder
