"""gridsim: simulation and staffing toolkit for grid-based community governance.

The public API for notebooks::

    import sim
    scenario = sim.load_scenario("scenarios/chengcheng.yaml")
    result = sim.run(scenario, replications=10, seed=1)
    result.summary          # tidy DataFrame: community, category, metric, mean, ci_low, ci_high
"""

from sim.errors import GridsimError, ScenarioError
from sim.experiment.compare import CompareResult, compare
from sim.experiment.runner import RunResult, run
from sim.experiment.statistics import HalfWidthTarget
from sim.experiment.sweep import SweepResult, sweep
from sim.scenario.loading import LoadedScenario, load_scenario
from sim.staffing import RecommendResult, recommend

__version__ = "0.1.0"

__all__ = [
    "CompareResult",
    "GridsimError",
    "HalfWidthTarget",
    "LoadedScenario",
    "RecommendResult",
    "RunResult",
    "ScenarioError",
    "SweepResult",
    "__version__",
    "compare",
    "load_scenario",
    "recommend",
    "run",
    "sweep",
]
