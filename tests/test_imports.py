"""Every entry point imports on its own, in a fresh interpreter (no import cycles hidden by the
order the rest of the suite happens to import things in)."""

from __future__ import annotations

import subprocess
import sys

import pytest

ENTRY_POINTS = ["sim", "sim.cli", "sim.model.engine", "sim.model.kernel", "sim.scenario",
                "sim.analytic", "sim.screen", "sim.staffing.recommend", "sim.report.plots",
                "sim.coverage.analysis", "sim.workforce.projection",
                "sim.calibration.calibrate", "sim.calibration.backtest", "sim.cli.calibration"]


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_module_imports_first(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
