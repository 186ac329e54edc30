"""The 15-minute living circle (15分钟便民生活圈): which households are within a walk of each kind
of service point, which grids are left out, and where new points would cover the most.

``sim.measure_coverage`` (``gridsim coverage``) in :mod:`sim.coverage.analysis`; walking times
over the engine's distance model in :mod:`sim.coverage.walk`; the maximal covering location
problem, solved exactly with HiGHS, in :mod:`sim.coverage.placement`. See docs/coverage.md.
"""
