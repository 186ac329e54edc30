"""Numbers from replications: confidence intervals, paired differences, verdicts and the
planner's tables (pure functions of DataFrames; nothing here runs a simulation)."""
