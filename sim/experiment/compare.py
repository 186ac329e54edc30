"""``sim.compare``: several scenarios with the same seeds, paired differences to the first.

Replication ``r`` of every scenario uses the same random streams (common random numbers): the
same residents raise the same issues at the same moments, needing the same handling times.
The difference of a metric between a scenario and the baseline is therefore taken replication
by replication, and its 95% interval is a paired Student-t interval over replications, much
narrower than what two independent runs would give. The verdict reads that interval:

- "better" / "worse": the interval excludes zero, in the metric's good / bad direction (lower
  is better for waits, response, resolution, backlog and queue; higher for the
  ``*_within_target_share`` metrics);
- "no clear difference": the interval contains zero;
- "-": the metric has no better direction (utilisation, issues);
- "baseline": the rows of the first scenario.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.statistics import (
    BASELINE,
    DIFFERENCE_COLUMNS,
    SUMMARY_COLUMNS,
    paired_differences,
    select,
    summarise,
)
from sim.analysis.tables import with_ci
from sim.errors import UsageError
from sim.experiment.options import Execution, Output
from sim.experiment.runner import (
    Member,
    default_command,
    defaults,
    resolve,
    run_study,
    unique_labels,
)
from sim.scenario.loading import LoadedScenario

KEY_METRICS = {"response_min_mean": ("Response time, minutes", 1),
               "resolution_h_mean": ("Resolution time, hours", 2)}


def compare_table(members: Sequence[Member], replications: int) -> pd.DataFrame:
    """The tidy comparison: per scenario, group and metric, the mean with its 95% CI and the
    paired difference to the first scenario with its 95% CI and verdict."""
    baseline = members[0].table(replications)
    frames = []
    for member in members:
        table = member.table(replications)
        summary = summarise(table)
        diff = paired_differences(table, baseline)
        keys = [c for c in summary.columns if c not in SUMMARY_COLUMNS]
        merged = summary.merge(diff, on=keys, how="left", sort=False)
        merged.insert(0, "scenario", member.label)
        merged.insert(len(keys) + 1 + len(SUMMARY_COLUMNS), "baseline", members[0].label)
        if member is members[0]:
            merged["verdict"] = BASELINE
        merged["verdict"] = merged["verdict"].fillna("-")
        frames.append(merged)
    out = pd.concat(frames, ignore_index=True)
    out["paired_replications"] = out["paired_replications"].fillna(0).astype(int)
    return out


def signed(difference: float, half: float, digits: int) -> str:
    """``+1.2 ± 0.3``; differences too small for ``digits`` decimals keep two significant
    digits (``-0.0031 ± 0.0012``) rather than showing as a zero that is not one."""
    if difference != 0 and abs(difference) < 0.5 * 10.0**-digits:
        digits = min(max(1 - int(np.floor(np.log10(abs(difference)))), digits), 12)
    text = with_ci(difference, half, digits)
    return text if text.startswith("-") else "+" + text


@dataclass
class CompareResult:
    """What ``sim.compare`` returns.

    ``table`` is compare.csv: one row per scenario, group (community, category) and metric with
    ``mean``, ``ci_low``, ``ci_high`` ... and ``difference``, ``difference_ci_low``,
    ``difference_ci_high`` (paired, to the baseline: the first scenario) and ``verdict``.
    ``replications`` holds every replication of every scenario (column ``scenario``).
    """

    scenarios: list[LoadedScenario]
    labels: list[str]
    seed: int
    n_replications: int
    table: pd.DataFrame
    replications: pd.DataFrame
    folder: Path | None = None
    seconds: float = 0.0

    @property
    def baseline(self) -> str:
        return self.labels[0]

    def row(self, scenario: str, metric: str, community: str = "all",
            category: str = "all", grid: str = "all") -> pd.Series:
        """The row of one scenario, metric and group."""
        hit = select(self.table, community, category, grid, scenario=scenario, metric=metric)
        if hit.empty:
            raise KeyError(f"no row for scenario={scenario}, metric={metric}, "
                           f"community={community}, category={category}")
        return hit.iloc[0]

    def side_by_side(self, metric: str = "response_min_mean", category: str = "all",
                     digits: int = 1) -> pd.DataFrame:
        """One row per community: ``mean ± half-width`` per scenario, then per other scenario
        ``Δ <label>``: the paired difference to the baseline ± half-width and the verdict."""
        t = self.table[(self.table.metric == metric) & (self.table.category == category)]
        if "grid" in t.columns:
            t = t[t.grid == "all"]
        communities = list(dict.fromkeys(t.community))
        communities = [c for c in communities if c != "all"] + (
            ["all"] if "all" in communities else [])
        rows = []
        for community in communities:
            part = t[t.community == community].set_index("scenario")
            row: dict[str, Any] = {"community": community}
            for label in self.labels:
                row[label] = (with_ci(part.at[label, "mean"], part.at[label, "half_width"],
                                      digits) if label in part.index else "-")
            for label in self.labels[1:]:
                if label not in part.index or not np.isfinite(part.at[label, "difference"]):
                    row[f"Δ {label}"] = "-"
                    continue
                d, h = part.at[label, "difference"], part.at[label, "difference_half_width"]
                text = signed(d, h, digits)
                row[f"Δ {label}"] = f"{text} {part.at[label, 'verdict']}"
            rows.append(row)
        return pd.DataFrame(rows).set_index("community")

    def worst_grids(self, metric: str = "response_min_p90", digits: int = 1) -> pd.DataFrame:
        """One row per community: per scenario, the grid with the highest mean ``metric``
        (``grid (mean ± half-width)``); empty where the scenarios have no grid rows."""
        t = self.table[(self.table.metric == metric) & (self.table.category == "all")]
        if "grid" not in t.columns:
            return pd.DataFrame()
        t = t[(t.grid != "all") & np.isfinite(t["mean"])]
        rows = []
        for community in dict.fromkeys(t.community):
            row: dict[str, Any] = {"community": community}
            for label in self.labels:
                part = t[(t.community == community) & (t.scenario == label)]
                if part.empty:
                    row[label] = "-"
                    continue
                worst = part.loc[part["mean"].idxmax()]
                row[label] = (f"{worst.grid} "
                              f"({with_ci(worst['mean'], worst['half_width'], digits)})")
            rows.append(row)
        return pd.DataFrame(rows).set_index("community") if rows else pd.DataFrame()

    def verdicts(self, community: str = "all", category: str = "all") -> pd.DataFrame:
        """Metric by scenario: the verdict of each scenario against the baseline, one group."""
        t = select(self.table, community, category)
        t = t[t.scenario != self.baseline]
        return t.pivot(index="metric", columns="scenario", values="verdict")

    def text(self) -> str:
        """What ``gridsim compare`` prints."""
        lines = [
            f"{len(self.labels)} scenarios, {self.n_replications} replications each, seed "
            f"{self.seed}, common random numbers; baseline: {self.baseline}",
            "means ± 95% confidence half-widths; Δ = difference to the baseline, paired over "
            "replications, ± its 95% half-width",
        ]
        with pd.option_context("display.width", 250, "display.max_columns", 30,
                               "display.max_colwidth", 40):
            for metric, (title, digits) in KEY_METRICS.items():
                lines += ["", f"{title} ({metric}):",
                          self.side_by_side(metric, digits=digits).to_string()]
            worst = self.worst_grids()
            if not worst.empty:
                lines += ["", "Grid with the worst p90 response in each community "
                              "(response_min_p90, minutes):", worst.to_string()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        names = "".join(f"<li><b>{html.escape(label)}</b>: {html.escape(s.name)}</li>"
                        for label, s in zip(self.labels, self.scenarios, strict=True))
        where = f"<p>Run folder: <code>{html.escape(str(self.folder))}</code></p>" \
            if self.folder else ""
        parts = [
            f"<h4>Comparison: {len(self.labels)} scenarios, {self.n_replications} replications, "
            f"seed {self.seed} (common random numbers)</h4><ul>{names}</ul>",
            "<p>Means ± 95% half-widths; Δ: paired difference to the baseline "
            f"(<b>{html.escape(self.baseline)}</b>) ± 95% half-width, with the verdict.</p>",
        ]
        for metric, (title, digits) in KEY_METRICS.items():
            parts += [f"<h5>{title}</h5>", self.side_by_side(metric, digits=digits).to_html()]
        return "".join(parts) + where


def compare(
    scenarios: Sequence[str | Path | LoadedScenario],
    replications: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    save: bool = True,
    labels: Sequence[str] | None = None,
    command: str | None = None,
) -> CompareResult:
    """Run every scenario with the same seeds; compare each with the first (the baseline).

    ``replications`` and ``seed`` default to the baseline's ``experiment`` settings and apply to
    every scenario. With ``save`` the run folder (``out``, default
    ``runs/<date>-<time>-compare-<name>``) holds ``compare.csv``, a manifest and one run folder
    per scenario (named by its label); running the same call again resumes it.
    """
    loaded = [resolve(s) for s in scenarios]
    if len(loaded) < 2:
        raise UsageError("compare: give at least two scenarios (the first is the baseline)")
    if labels is None:
        names = [Path(s.source).stem if s.source and not s.source.startswith("<") else s.name
                 for s in loaded]
    else:
        names = list(labels)
        if len(names) != len(loaded):
            raise UsageError(f"compare: {len(names)} labels for {len(loaded)} scenarios")
    unique = unique_labels(names)
    n, seed = defaults(loaded[0], replications, seed)
    command = command or default_command("compare", *loaded, replications=replications,
                                         seed=seed)
    study = run_study("compare", [(u, s, {}) for u, s in zip(unique, loaded, strict=True)],
                      compare_table, n, seed, Output.of(out, save, command),
                      Execution(executor, workers, scheduler, progress))
    reps = pd.concat([m.table(n).assign(scenario=m.label) for m in study.members],
                     ignore_index=True)
    reps = reps[["scenario", *[c for c in reps.columns if c != "scenario"]]]
    return CompareResult(loaded, unique, seed, n, study.table, reps, study.folder,
                         study.seconds)


__all__ = ["DIFFERENCE_COLUMNS", "CompareResult", "compare", "compare_table"]
