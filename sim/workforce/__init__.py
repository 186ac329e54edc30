"""The workforce pipeline of community workers (职业体系): head count, grade mix and cost year by
year, and the cheapest hiring plan that reaches a target head count.

``sim.project_workforce`` (``gridsim workforce``) in :mod:`sim.workforce.projection`; the Markov
manpower model (expected and simulated) in :mod:`sim.workforce.markov`; the hiring plan, an
integer program solved by HiGHS, in :mod:`sim.workforce.plan`. See docs/workforce.md.
"""

MAX_YEARS = 50
"""Most years projected."""
TARGET_ON = ("headcount", "on_duty")
"""What a target counts: head count, or workers on duty after training absence."""
