"""Staffing recommendations: how many community workers each community needs.

``sim.recommend(scenario, targets=...)`` searches per community with the analytic answer
(Erlang C), the fast screen (the FIFO recursion) and the full SimPy model, compares the result
with the households-per-worker staffing rule and prices both with the scenario's pay table.

Modules: ``recommend`` (the entry point and its result folder), ``search`` (the search, one
state per community), ``levels`` (evaluating a level: the screen and the full model),
``analytic`` (Erlang C on the pooled load), ``targets`` (service targets), ``tables`` (the
result tables), ``result`` (what ``sim.recommend`` returns), ``cost`` (the pay table),
``report`` (its HTML).
"""
