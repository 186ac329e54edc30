"""Calibration and back-test: a district's own issue log fitted into a scenario, and a scenario
checked against the log's records.

``sim.calibrate(log, created=..., closed=..., category=...)`` reads the log (sim.calibration
.logfile; row filters in .where), fits arrivals (.demand: rates, hour-of-day, day-of-week and
month profiles, dispersion of daily counts) and resolution times with right-censoring
(.durations), and writes a complete, commented scenario on the base scenario's staffing
(.scenario, .calibrate). ``sim.backtest(scenario, log, ...)`` simulates the log's window and
compares weekly counts and resolution-time quantiles with prediction intervals (.backtest).
Result folders and reports: .output; texts: .texts.
"""
