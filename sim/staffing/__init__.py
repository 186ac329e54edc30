"""Staffing recommendations: how many community workers each community needs.

``sim.recommend(scenario, targets=...)`` searches per community with the analytic answer
(Erlang C), the fast screen (the FIFO recursion) and the full SimPy model, the fast tiers
calibrated on the full model's shares of the work, each level decided by one-sided bounds over
replications; compares the result with the households-per-worker staffing rule (an overloaded
rule is a finding) and prices both with the scenario's pay table. With ``roster=True`` also
the hour-by-hour requirement and the cheapest roster of the scenario's shifts.

Modules: ``recommend`` (the entry point and its result folder), ``search`` (the search, one
state per community and mix), ``workload`` (what the workers carry, measured), ``levels``
(evaluating a level: the screen and the full model), ``decide`` (deciding a level from
replications), ``analytic`` (Erlang C on the pooled load), ``targets`` (service targets),
``agreement`` (where the tiers part), ``mix`` (roles that may vary), ``tables`` (the result
tables), ``result`` (what ``sim.recommend`` returns), ``cost`` (the pay table),
``requirement``, ``shifts`` and ``roster`` (``--roster``), ``whatif`` (``sim.what_if``),
``findings`` and ``report`` (its HTML and terminal output).
"""
