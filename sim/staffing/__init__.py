"""Staffing recommendations: how many community workers each community needs.

``sim.recommend(scenario, targets=...)`` searches per community with the analytic answer
(Erlang C), the fast screen (Kiefer-Wolfowitz recursion) and the full SimPy model, compares the
result with the households-per-worker policy and prices both with the scenario's pay table.

Modules: ``recommend`` (the search), ``targets`` (service targets), ``analytic`` (Erlang C on
the pooled load), ``search`` (the screen), ``cost`` (the pay table), ``report`` (its HTML),
``command`` (the ``gridsim recommend`` and ``report`` commands); ``sim.recommend`` is the
entry point.
"""
