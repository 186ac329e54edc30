"""The plain-language headline of a result: which targets are met, and where they are missed.

Each function returns sentences in the language of the :class:`~sim.report.names.Names` it is
given; the terminal prints them and the reports open with them. Numbers carry their interval
(:func:`share_text`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analysis.attainment import (
    MET,
    MISSED,
    RESOLUTION,
    RESPONSE,
    UNCLEAR,
    Shortfall,
    grid_shortfalls,
    mix,
    shortfalls,
    states,
)
from sim.analysis.tables import with_ci
from sim.model.measures import ALL
from sim.report.names import Names
from sim.scenario.schema import Scenario


def share_text(mean: float, low: float, high: float, half: float) -> str:
    """A share with its interval: ``0.41 ± 0.02`` or ``0.99 (0.97–1.00)``."""
    return with_ci(mean, half, 2, low, high)


def number(value: float) -> str:
    """A limit or time for a sentence: ``120``, ``1.5``."""
    if value is None or not np.isfinite(value):
        return "-"
    return f"{value:g}" if value == int(value) or value < 10 else f"{value:.0f}"


def _part(s: Shortfall, names: Names, row: pd.Series) -> str:
    t = names.t
    value = share_text(row[s.metric], row[f"{s.metric}_ci_low"], row[f"{s.metric}_ci_high"],
                       row[f"{s.metric}_half_width"])
    share = f"{s.share:.2f}"
    if s.scheduled:
        late = row.get("care_visit_late_share", math.nan)
        missed = row.get("care_visit_missed_share", math.nan)
        return t("text.visits_part", days=number(s.limit / 1440), value=value, share=share,
                 late=f"{late:.2f}", missed=f"{missed:.2f}")
    key = "text.response_part" if s.metric == RESPONSE else "text.resolution_part"
    return t(key, limit=number(s.limit), value=value, share=share)


def sentence_case(text: str) -> str:
    """``text`` with its first letter capitalised (English sentences start with a category)."""
    return text[:1].upper() + text[1:]


def target_sentences(table: pd.DataFrame, scenario: Scenario, names: Names) -> list[str]:
    """The categories that miss a target (worst first, where), those unclear, those met."""
    t = names.t
    out = []
    whole = table[table["community"] == ALL].set_index("category")
    for s in shortfalls(table, scenario):
        row = whole.loc[s.category]
        assert isinstance(row, pd.Series)  # one district row per category
        what = _part(s, names, row)
        if s.communities and len(s.communities) == s.of:
            where = t("text.where_every")
        elif s.communities and is_city(scenario):
            where = city_where(s, table, scenario, names)
        elif s.communities:
            where = t("text.where_some", names=names.join(
                [names.community(c) for c in s.communities]))
        else:
            where = ""
        what = what + ("；" if t.lang == "zh" else "; ") + where if where else what
        out.append(t("text.misses", category=names.category(s.category), what=what))
    judged = states(table)
    unclear = [names.category(k) for k, v in judged.items() if v == UNCLEAR]
    met = [names.category(k) for k, v in judged.items() if v == MET]
    if not out and not unclear:
        out.append(t("text.all_met"))
    if unclear:
        out.append(t("text.unclear", names=names.join(unclear, 10)))
    if met and (out or unclear):
        out.append(t("text.met_list", names=names.join(met, 10)))
    return [sentence_case(s) for s in out]


CITY_COMMUNITIES = 30
"""More communities than this (or any districts) and a run reads as a city's."""


def is_city(scenario: Scenario) -> bool:
    """Whether a run of ``scenario`` is reported as a city's (by district, misses only)."""
    return bool(scenario.districts) or len(scenario.communities) > CITY_COMMUNITIES


def city_where(s: Shortfall, table: pd.DataFrame, scenario: Scenario, names: Names) -> str:
    """Where a city misses: how many communities (in how many districts), naming the three
    with the most issues short of the target."""
    t = names.t
    rows = table[(table["category"] == s.category) & table["community"].isin(s.communities)]
    short = (s.share - rows[s.metric]) * rows["issues"]
    worst = [names.community(str(c)) for c in rows.loc[
        short.sort_values(ascending=False, kind="stable").index, "community"]]
    of = {c: d.id for d in scenario.districts for c in d.communities}
    districts = len({of[c] for c in s.communities if c in of})
    key = "text.where_city_districts" if districts else "text.where_city"
    return t(key, k=len(s.communities), n=s.of, d=districts, m=len(scenario.districts),
             names=names.join(worst, 3 if len(worst) > 4 else 4))


def target_lines(table: pd.DataFrame, scenario: Scenario, names: Names
                 ) -> tuple[list[str], list[bool]]:
    """:func:`target_sentences` and, for each, whether it names a target missed."""
    lines = target_sentences(table, scenario, names)
    missed = len(shortfalls(table, scenario))
    return lines, [i < missed for i in range(len(lines))]


def grid_sentences(grid_table: pd.DataFrame, names: Names, limit: int = 3,
                   city: bool = False) -> list[str]:
    """Per category, how many grids miss its response target, naming the worst (in a
    ``city`` those with the most issues short of the target)."""
    t = names.t
    if grid_table.empty:
        return [t("text.no_grids")]
    out = []
    for metric in (RESPONSE, RESOLUTION):
        found = grid_shortfalls(grid_table, metric, by_issues_short=city)
        for row in found.to_dict("records"):
            if row["grids_missing"] == 0:
                continue
            worst = names.join([names.grid(g) for g in row["worst"]], limit)
            out.append(t("text.grids_missing", category=names.category(row["category"]),
                         k=row["grids_missing"], n=row["grids"], worst=worst)
                       + ("" if metric == RESPONSE else f" ({t('text.what_resolution')})"))
    return [sentence_case(s) for s in out] or [t("text.grids_all_met")]


def mix_sentence(summary: pd.DataFrame, names: Names) -> str:
    """The all-issue figures, labelled as the mix they are."""
    m = mix(summary)
    return names.t("text.mix", share=f"{m['largest_share']:.0%}",
                   largest=names.category(m["largest"]), response=f"{m['response']:.2f}",
                   resolution=f"{m['resolution']:.2f}")


def misses(table: pd.DataFrame) -> bool:
    """Whether any category misses a target in the whole district."""
    return MISSED in states(table).values()
