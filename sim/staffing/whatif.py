"""What if: a planner's own setting answered at once by the fast tiers, then checked by the
full model.

``sim.what_if(result)`` takes a recommendation and keeps what it learnt (each community's
share of the work and travel, measured by the full model, and its mix of roles). For any
number of workers per community and a demand factor, :meth:`WhatIf.fast` gives Erlang C's
and the screen's value of every target in well under a second (the screen with few
replications, its issues drawn once per demand factor and kept), and :meth:`WhatIf.verify`
runs the full model on that setting, whole scenario, with the recommendation's seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.errors import OptionError
from sim.experiment.executors import open_executor
from sim.model.plan import build_plan
from sim.scenario.loading import LoadedScenario
from sim.staffing.analytic import PooledLoad, analytic_values
from sim.staffing.decide import Decision
from sim.staffing.levels import Draws, draw_community, run_task, screen_level
from sim.staffing.mix import Mix
from sim.staffing.result import RecommendResult
from sim.staffing.search import with_levels
from sim.staffing.tables import setting_table
from sim.staffing.targets import TargetSet
from sim.staffing.workload import WorkerShare

SCREEN_REPLICATIONS = 3


@dataclass
class WhatIf:
    """Fast answers for one recommendation's scenario (see the module docstring)."""

    result: RecommendResult
    replications: int = SCREEN_REPLICATIONS
    _draws: dict[tuple[str, float], Draws] = field(default_factory=dict, repr=False)

    @property
    def loaded(self) -> LoadedScenario:
        return self.result.scenario

    @property
    def targets(self) -> TargetSet:
        return self.result.target_set

    @property
    def communities(self) -> list[str]:
        return [c.id for c in self.loaded.scenario.communities]

    def recommended(self) -> dict[str, int]:
        """The recommendation's workers per community (the rule's where none was found)."""
        table = self.result.table.set_index("community")
        chosen = table["recommended_workers"].fillna(table["rule_workers"])
        return {cid: int(chosen[cid]) for cid in self.communities}

    def _setting(self, cid: str) -> tuple[WorkerShare, Mix]:
        return self.result.calibration[cid]

    def _draw(self, cid: str, demand: float) -> Draws:
        key = (cid, round(demand, 6))
        if key not in self._draws:
            shares, mix = self._setting(cid)
            scenario = with_levels(self.loaded, {cid: (1, mix)}).scenario
            index = self.communities.index(cid)
            self._draws[key] = draw_community(scenario, build_plan(scenario), index,
                                              self.result.seed, self.replications, shares,
                                              demand)
        return self._draws[key]

    def fast(self, workers: Mapping[str, int], demand: float = 1.0) -> pd.DataFrame:
        """Erlang C and the screen at ``workers`` per community and ``demand`` times the
        scenario's demand: community, workers, method, key, value, target, meets."""
        spec = self.loaded.scenario
        rows = []
        for index, cid in enumerate(self.communities):
            n = int(workers.get(cid, self.recommended()[cid]))
            shares, _ = self._setting(cid)
            load = PooledLoad.of(spec, spec.communities[index], shares, demand)
            values: dict[str, dict[Any, Any]] = {
                "analytic": analytic_values(self.targets, load, n)}
            if n > load.offered_load:
                screened = screen_level(self._draw(cid, demand), n, self.targets)
                values["screen"] = screened.drop(columns="replication").mean().to_dict()
            for method, found in values.items():
                meets = self.targets.meets(found)
                for key in self.targets.keys:
                    goal = self.targets.goal(key)
                    rows.append({"community": cid, "workers": n, "method": method, "key": key,
                                 "value": found.get(key, float("nan")),
                                 "target": goal[0] if goal else float("nan"),
                                 "meets": meets})
        return pd.DataFrame(rows)

    def verify(self, workers: Mapping[str, int], demand: float = 1.0,
               replications: int | None = None, executor: str = "process") -> pd.DataFrame:
        """The full model at this setting (every community at once, the recommendation's
        seed): community, workers, replications, verdict (one-sided bounds, one look), then
        each target key's mean with its 95% interval."""
        spec = self.loaded.scenario
        n = replications or self.result.replications
        vector = {cid: (int(workers.get(cid, self.recommended()[cid])),
                        self._setting(cid)[1]) for cid in self.communities}
        loaded = with_levels(self.loaded, vector)
        if demand != 1.0:
            loaded = loaded.with_overrides(
                {f"demand.{k}.per_1000_households_per_year": c.per_1000_households_per_year
                 * demand for k, c in spec.demand.items()}, allow_unstable=True)
        tasks = [("full", str(r), loaded.scenario, self.result.seed, r, self.targets)
                 for r in range(n)]
        with open_executor(executor) as ex:
            frames = [frame for _, (_, frame) in ex.imap(run_task, tasks)]
        every = pd.concat(frames, ignore_index=True)
        return setting_table(every, {cid: w for cid, (w, _) in vector.items()}, self.targets,
                             Decision(n, n))


def what_if(result: RecommendResult, replications: int = SCREEN_REPLICATIONS) -> WhatIf:
    """A :class:`WhatIf` for ``result`` (a recommendation made in this session)."""
    if not result.calibration:
        raise OptionError("`result`: what_if needs a recommendation made in this session "
                          "(sim.recommend), which keeps its calibration", "result")
    return WhatIf(result, replications)
