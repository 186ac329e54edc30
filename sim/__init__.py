"""gridsim: simulation and staffing toolkit for grid-based community governance.

The public API for notebooks::

    import sim
    scenario = sim.load_scenario("scenarios/chengcheng.yaml")
    result = sim.run(scenario, replications=10, seed=1)
    result.summary          # tidy DataFrame: community, category, metric, mean, ci_low, ci_high

The names below are imported on first use, so ``import sim`` (and every ``gridsim`` command)
pays only for what it touches.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from sim.errors import GridsimError, ScenarioError

__version__ = "0.2.0"

_LAZY = {
    "CompareResult": "sim.experiment.compare",
    "compare": "sim.experiment.compare",
    "RunResult": "sim.experiment.runner",
    "run": "sim.experiment.runner",
    "HalfWidthTarget": "sim.analysis.statistics",
    "SweepResult": "sim.experiment.sweep",
    "sweep": "sim.experiment.sweep",
    "LoadedScenario": "sim.scenario.loading",
    "load_scenario": "sim.scenario.loading",
    "RecommendResult": "sim.staffing.result",
    "recommend": "sim.staffing.recommend",
    "WhatIf": "sim.staffing.whatif",
    "what_if": "sim.staffing.whatif",
    "CoverageResult": "sim.coverage.analysis",
    "measure_coverage": "sim.coverage.analysis",
    "WorkforceResult": "sim.workforce.projection",
    "project_workforce": "sim.workforce.projection",
    "CalibrateResult": "sim.calibration.calibrate",
    "calibrate": "sim.calibration.calibrate",
    "BacktestResult": "sim.calibration.backtest",
    "backtest": "sim.calibration.backtest",
    "model_log": "sim.calibration.synthetic",
    "write_report": "sim.report.folders",
}
_MODULES = {"plot": "sim.report.plots"}  # the plot helpers notebooks use: ``sim.plot``

__all__ = [
    "BacktestResult",
    "CalibrateResult",
    "CompareResult",
    "CoverageResult",
    "GridsimError",
    "HalfWidthTarget",
    "LoadedScenario",
    "RecommendResult",
    "RunResult",
    "ScenarioError",
    "SweepResult",
    "WhatIf",
    "WorkforceResult",
    "__version__",
    "backtest",
    "calibrate",
    "compare",
    "plot",
    "load_scenario",
    "measure_coverage",
    "project_workforce",
    "model_log",
    "recommend",
    "run",
    "sweep",
    "what_if",
    "write_report",
]

if TYPE_CHECKING:  # for type checkers and editors: the same names, eagerly
    from sim.analysis.statistics import HalfWidthTarget
    from sim.calibration.backtest import BacktestResult, backtest
    from sim.calibration.calibrate import CalibrateResult, calibrate
    from sim.calibration.synthetic import model_log
    from sim.coverage.analysis import CoverageResult, measure_coverage
    from sim.experiment.compare import CompareResult, compare
    from sim.experiment.runner import RunResult, run
    from sim.experiment.sweep import SweepResult, sweep
    from sim.report import plots as plot
    from sim.report.folders import write_report
    from sim.scenario.loading import LoadedScenario, load_scenario
    from sim.staffing.recommend import recommend
    from sim.staffing.result import RecommendResult
    from sim.staffing.whatif import WhatIf, what_if
    from sim.workforce.projection import WorkforceResult, project_workforce


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = import_module(_MODULES[name])
        globals()[name] = value
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_MODULES))
