"""Annual cost of staffing levels from the scenario's pay table (四岗十八级)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sim.scenario.policy import PayTable


def cost_column(pay: PayTable | None, which: str) -> str:
    """Column name of a yearly cost, with the currency in it: ``cost_rule_cny_per_year``."""
    currency = (pay.currency if pay else "cny").lower()
    return f"cost_{which}_{currency}_per_year"


def staffing_costs(pay: PayTable | None, levels: Mapping[str, Mapping[str, int | None]]
                   ) -> pd.DataFrame:
    """Yearly cost of each named staffing level of each community.

    ``levels`` maps a community id to {name: workers}, e.g. {"rule": 2, "recommended": 3}.
    Returns one row per community, one ``cost_<name>_<currency>_per_year`` column per name
    (NaN without a pay table or a level).
    """
    rows = []
    for community, named in levels.items():
        row: dict[str, object] = {"community": community}
        for name, workers in named.items():
            value = float("nan") if pay is None or workers is None else pay.cost(int(workers))
            row[cost_column(pay, name)] = value
        rows.append(row)
    return pd.DataFrame(rows)
