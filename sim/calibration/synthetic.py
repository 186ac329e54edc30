"""An issue log written by the model: per-issue records of a run in the log's columns.

A log whose truth is known: calibrating it back must recover the scenario's rates, profiles
and handling times within the calibration's intervals (tests/test_calibration.py), and a
planner can try the commands before the district's own export arrives.
"""

from __future__ import annotations

import pandas as pd

from sim.scenario.loading import LoadedScenario


def model_log(records: pd.DataFrame, scenario: LoadedScenario, replication: int = 0,
              as_of_day: float | None = None) -> pd.DataFrame:
    """One replication's issues as a log: ``created`` (the report), ``closed`` (empty for cases
    still open at ``as_of_day``, default the horizon's end), ``category``, ``area`` (the
    community's name, else its id); times as text, as a platform exports them."""
    rows = records[records["replication"] == replication]
    rows = rows[rows["category"].astype(str) != "care_visit"]
    horizon = scenario.scenario.horizon
    start = pd.Timestamp(horizon.start)
    as_of = start + pd.Timedelta(days=horizon.days if as_of_day is None else as_of_day)
    created = start + pd.to_timedelta(rows["reported_min"].to_numpy(), unit="min")
    closed = pd.Series(start + pd.to_timedelta(rows["closed_min"].to_numpy(), unit="min"))
    keep = created < as_of
    closed = closed.where(closed <= as_of)
    names = {c.id: c.name or c.id for c in scenario.scenario.communities}
    return pd.DataFrame({
        "created": created.strftime("%Y-%m-%d %H:%M:%S")[keep],
        "closed": closed.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("").to_numpy()[keep],
        "category": rows["category"].astype(str).to_numpy()[keep],
        "area": rows["community"].astype(str).map(names).to_numpy()[keep],
    }).reset_index(drop=True)
