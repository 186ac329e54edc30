"""The 15-minute living circle (15分钟便民生活圈): which households are within a walk of each kind
of service point, which grids are left out, and where new points would cover the most.

``sim.measure_coverage`` (``gridsim coverage``) in :mod:`sim.coverage.analysis`; walking times
over the engine's distance model in :mod:`sim.coverage.walk`; the maximal covering location
problem, solved exactly with HiGHS, in :mod:`sim.coverage.placement`. See docs/coverage.md.
"""

CANDIDATES = ("grids", "sites")
"""Where new points may go: grid centres, or the scenario's ``coverage.candidate_sites``."""
WEIGHTS = ("households", "elderly")
"""What new points should cover most: households, or elderly households."""
MAX_ADD = 20
"""Most new points of a kind placed at once."""
