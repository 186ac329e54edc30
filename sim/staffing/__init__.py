"""Staffing recommendations: how many community workers each community needs.

``sim.recommend(scenario, targets=...)`` searches per community with the analytic answer
(Erlang C), the fast screen (Kiefer-Wolfowitz recursion) and the full SimPy model, compares the
result with the households-per-worker policy and prices both with the scenario's pay table.
"""

from sim.staffing.recommend import RecommendResult, recommend
from sim.staffing.targets import TargetSet, parse_target

__all__ = ["RecommendResult", "TargetSet", "parse_target", "recommend"]
