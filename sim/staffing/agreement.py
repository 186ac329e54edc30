"""Where the fast tiers and the full model part, told with the numbers of both.

A fast tier (Erlang C, the screen) agrees when its number of workers is one the full model
cannot rule out: the recommendation, or, when the answer is borderline, the level below it.
Otherwise :func:`partings` finds, from the levels table, the level and the target on which the
tier and the full model differ most, and :func:`describe` says it in one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.report.i18n import Texts, register
from sim.staffing.targets import UTILISATION, TargetSet

TIERS = ("analytic", "screen")


@dataclass(frozen=True)
class Parting:
    """A fast tier's number against the full model's, and where they differ most."""

    community: str
    tier: str  # analytic | screen
    tier_workers: int | None
    full_workers: int
    level: int | None = None  # workers at which the values below are compared
    key: str | None = None
    tier_value: float = float("nan")
    full_value: float = float("nan")
    goal: float = float("nan")


def partings(row: pd.Series, levels: pd.DataFrame, targets: TargetSet) -> list[Parting]:
    """The fast tiers of one row of recommendation.csv that the full model contradicts."""
    rec = row["recommended_workers"]
    if pd.isna(rec):
        return []
    rec = int(rec)
    plausible = {rec} | ({rec - 1} if row.get("decision") == "borderline" else set())
    mine = levels[(levels["community"] == row["community"]) & (levels["mix"] == row.get(
        "mix", ""))] if "mix" in levels else levels[levels["community"] == row["community"]]
    out = []
    for tier in TIERS:
        value = row[f"{tier}_workers"]
        value = None if pd.isna(value) else int(value)
        if value in plausible:
            continue
        if value is None:
            out.append(Parting(row["community"], tier, None, rec))
            continue
        out.append(_where(row["community"], tier, value, rec, mine, targets))
    return out


def _where(community: str, tier: str, value: int, rec: int, levels: pd.DataFrame,
           targets: TargetSet) -> Parting:
    """The level between the two answers and the target at which the tier's value and the
    full model's are furthest apart (both measured), else the tier's number alone."""
    best = Parting(community, tier, value, rec)
    gap = -1.0
    for level in range(min(value, rec), max(value, rec)):
        here = levels[levels["workers"] == level]
        ours = here[here["method"] == tier].set_index("key")["mean"]
        full = here[here["method"] == "full_model"].set_index("key")["mean"]
        for key in targets.keys:
            goal = targets.goal(key)
            if goal is None or key not in ours or key not in full:
                continue
            if np.isfinite(ours[key]) and np.isfinite(full[key]) and \
                    abs(ours[key] - full[key]) > gap:
                gap = abs(ours[key] - full[key])
                best = Parting(community, tier, value, rec, level, key, float(ours[key]),
                               float(full[key]), goal[0])
    return best


def describe(parting: Parting, t: Texts) -> str:
    """One plain sentence, e.g. 'Erlang C says 3 workers, the full model 2: at 2 workers
    Erlang C expects 81.8% for ..., the full model measures 90.9% (target 90%), because ...'."""
    tier = t(f"staffing.tier.{parting.tier}")
    if parting.tier_workers is None:
        return t("staffing.parting.none", tier=tier, full=parting.full_workers)
    head = t("staffing.parting.head", tier=tier, workers=parting.tier_workers,
             full=parting.full_workers)
    if parting.key is None:
        return head
    return t("staffing.parting.numbers", head=head, level=parting.level, tier=tier,
             measure=parting.key, ours=_value(parting.key, parting.tier_value),
             theirs=_value(parting.key, parting.full_value),
             goal=_value(parting.key, parting.goal),
             cause=t(f"staffing.parting.cause.{parting.tier}"))


def _value(key: str, value: float) -> str:
    return f"{value:.2f}" if key == UTILISATION else f"{value:.1%}"


register({
    "staffing.tier.analytic": {"zh": "Erlang C 公式", "en": "Erlang C"},
    "staffing.tier.screen": {"zh": "快速筛查", "en": "the screen"},
    "staffing.parting.none": {
        "zh": "{tier}找不到达标的人数，完整模型为 {full} 名",
        "en": "{tier} finds no level that meets the targets, the full model {full} workers"},
    "staffing.parting.head": {
        "zh": "{tier}认为需 {workers} 名，完整模型为 {full} 名",
        "en": "{tier} says {workers} workers, the full model {full}"},
    "staffing.parting.numbers": {
        "zh": "{head}：{level} 名时{tier}估计 {measure} 为 {ours}，完整模型测得 {theirs}"
              "（目标 {goal}），原因是{cause}",
        "en": "{head}: at {level} workers {tier} expects {ours} for {measure}, the full model "
              "measures {theirs} (target {goal}), because {cause}"},
    "staffing.parting.cause.analytic": {
        "zh": "公式按全年平均的均匀到达和指数分布的办理时间计算，看不到事项集中的时段，也看不到"
              "下班后报来、等到上班才处理的事项",
        "en": "Erlang C sees a steady stream at the yearly average with exponential handling, "
              "not the hours when issues bunch up nor the work reported off shift"},
    "staffing.parting.cause.screen": {
        "zh": "快速筛查按上报先后排成一队，不分轻重缓急",
        "en": "the screen is one queue in order of report, without priorities"},
})
