"""``sim.sweep``: one scenario per combination of values of some keys, one tidy table.

Keys are the dotted paths of ``LoadedScenario.with_overrides`` (list items by id):
``staffing.community_workers.households_per_worker`` or ``communities.dongguan.community_workers``.
Every combination (full factorial) is checked before anything runs, and every setting runs with
the same seeds (common random numbers), so neighbouring settings differ only by the keys.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.statistics import select, summarise
from sim.analysis.tables import with_ci
from sim.errors import OptionError, ScenarioError
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

RESERVED = {"experiment.seed": "seed", "experiment.replications": "replications"}
OVERVIEW = {"response_min_mean": 1, "response_min_p90": 1, "response_within_target_share": 2,
            "resolution_h_mean": 1, "resolution_within_target_share": 2, "utilisation": 2}


def settings_of(
    base: LoadedScenario, values: Mapping[str, Sequence[Any]]
) -> list[tuple[dict[str, Any], LoadedScenario]]:
    """Every combination of ``values`` applied to ``base``, each validated.

    All problems of all combinations are collected and raised together as one
    :class:`ScenarioError` (``file: key.path: what is wrong``), so nothing runs on a bad sweep.
    """
    if not values:
        raise OptionError("`settings`: give at least one key to vary", "settings")
    for key, vals in values.items():
        if key in RESERVED:
            raise OptionError(f"`settings` {key}: every setting runs with the same seeds and "
                              f"replications; use `{RESERVED[key]}`", "settings", RESERVED[key])
        if isinstance(vals, str | bytes) or not isinstance(vals, Sequence) or not vals:
            raise OptionError(f"`settings` {key}: give a non-empty list of values", "settings")
    keys = list(values)
    out: list[tuple[dict[str, Any], LoadedScenario]] = []
    problems: list[str] = []
    # each key and value alone first, so that every bad one is named, not just the first
    for key in keys:
        for value in values[key]:
            try:
                base.with_overrides({key: value})
            except ScenarioError as exc:
                problems += [p for p in _by_id(exc.problems, base) if p not in problems]
    if problems:
        raise ScenarioError(problems)
    for combo in itertools.product(*(values[k] for k in keys)):
        overrides = dict(zip(keys, combo, strict=True))
        try:
            out.append((overrides, base.with_overrides(overrides)))
        except ScenarioError as exc:
            problems += [p for p in _by_id(exc.problems, base) if p not in problems]
    if problems:
        raise ScenarioError(problems)
    return out


def _by_id(problems: list[str], base: LoadedScenario) -> list[str]:
    """Name list items by id, as overrides do: ``communities.dongguan`` for ``communities[0]``."""

    def name(match: re.Match[str]) -> str:
        items = base.data.get(match.group(1))
        i = int(match.group(2))
        if isinstance(items, list) and i < len(items) and isinstance(items[i], dict) \
                and "id" in items[i]:
            return f"{match.group(1)}.{items[i]['id']}"
        return match.group(0)

    return [re.sub(r"\b(\w+)\[(\d+)\]", name, p) for p in problems]


def setting_labels(keys: Sequence[str], combos: Sequence[Mapping[str, Any]]) -> list[str]:
    """Readable, unique labels such as ``01-households_per_worker=1500``."""
    short = [k.rsplit(".", 1)[-1] for k in keys]
    if len(set(short)) < len(short):
        short = list(keys)
    names = [
        f"{i + 1:02d}-" + ",".join(f"{s}={_show(c[k])}" for s, k in zip(short, keys, strict=True))
        for i, c in enumerate(combos)
    ]
    return unique_labels(names, limit=100)


def _show(value: Any) -> str:
    return "null" if value is None else str(value).lower() if isinstance(value, bool) \
        else str(value)


@dataclass
class SweepResult:
    """What ``sim.sweep`` returns.

    ``table`` is sweep.csv: one row per setting, group (community, category) and metric, with a
    column per swept key, then mean and 95% CI. ``settings`` has one row per setting (label,
    swept values, total community workers).
    """

    scenario: LoadedScenario
    keys: list[str]
    settings: pd.DataFrame
    seed: int
    n_replications: int
    table: pd.DataFrame
    replications: pd.DataFrame
    folder: Path | None = None
    seconds: float = 0.0

    def pivot(self, metric: str, community: str = "all", category: str = "all",
              value: str = "mean") -> pd.DataFrame:
        """One row per setting (indexed by the swept keys): ``value`` of ``metric``."""
        t = select(self.table, community, category, metric=metric)
        return t.set_index(self.keys)[value].to_frame(metric)

    def overview(self, community: str = "all", category: str = "all") -> pd.DataFrame:
        """One row per setting: key metrics as ``mean ± half-width`` for one group."""
        t = select(self.table, community, category)
        rows = []
        for _, setting in self.settings.iterrows():
            part = t[t.setting == setting["setting"]].set_index("metric")
            row = {k: setting[k] for k in self.keys}
            row["community_workers"] = setting["community_workers"]
            for metric, digits in OVERVIEW.items():
                row[metric] = with_ci(part.at[metric, "mean"], part.at[metric, "half_width"],
                                      digits) if metric in part.index else "-"
            rows.append(row)
        return pd.DataFrame(rows).set_index(self.keys)

    def text(self) -> str:
        """What ``gridsim sweep`` prints."""
        head = (f"{self.scenario.name}: {len(self.settings)} settings, {self.n_replications} "
                f"replications each, seed {self.seed}, common random numbers; all communities, "
                "means ± 95% confidence half-widths")
        with pd.option_context("display.width", 250, "display.max_columns", 30):
            return head + "\n" + self.overview().to_string()

    def _repr_html_(self) -> str:
        where = f"<p>Run folder: <code>{html.escape(str(self.folder))}</code></p>" \
            if self.folder else ""
        return (f"<h4>Sweep of {html.escape(self.scenario.name)}: {len(self.settings)} "
                f"settings, {self.n_replications} replications, seed {self.seed} (common random"
                " numbers)</h4><p>All communities; means ± 95% half-widths.</p>"
                + self.overview().to_html() + where)


def sweep(
    scenario: str | Path | LoadedScenario,
    settings: Mapping[str, Sequence[Any]],
    replications: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    save: bool = True,
    command: str | None = None,
) -> SweepResult:
    """Run every combination of ``settings`` (``{dotted key: [values]}``) with the same seeds.

    Example: ``sim.sweep("scenarios/chengcheng.yaml",
    {"staffing.community_workers.households_per_worker": [1500, 3000]})``. With ``save`` the
    run folder (``out``, default ``runs/<date>-<time>-sweep-<name>``) holds ``sweep.csv``, a
    manifest and one run folder per setting.
    """
    base = resolve(scenario)
    variants = settings_of(base, settings)
    keys = list(settings)
    labels = setting_labels(keys, [o for o, _ in variants])
    n, seed = defaults(base, replications, seed)
    command = command or default_command("sweep", base, dict(settings),
                                         replications=replications, seed=seed)
    by_label = {label: overrides for label, (overrides, _) in zip(labels, variants, strict=True)}

    def combine(members: Sequence[Member], replications: int) -> pd.DataFrame:
        frames = []
        for m in members:
            summary = summarise(m.table(replications))
            for i, key in enumerate(keys):
                summary.insert(i, key, [by_label[m.label][key]] * len(summary))
            summary.insert(0, "setting", m.label)
            frames.append(summary)
        return pd.concat(frames, ignore_index=True)

    study = run_study(
        "sweep",
        [(label, loaded, {"overrides": overrides})
         for label, (overrides, loaded) in zip(labels, variants, strict=True)],
        combine, n, seed, Output.of(out, save, command),
        Execution(executor, workers, scheduler, progress),
    )
    table = pd.DataFrame([
        {"setting": label, **by_label[label],
         "community_workers": sum(loaded.scenario.workers(c)
                                  for c in loaded.scenario.communities)}
        for label, (_, loaded) in zip(labels, variants, strict=True)
    ])
    reps = pd.concat([m.table(n).assign(setting=m.label) for m in study.members],
                     ignore_index=True)
    reps = reps[["setting", *[c for c in reps.columns if c != "setting"]]]
    return SweepResult(base, keys, table, seed, n, study.table, reps, study.folder,
                       study.seconds)


__all__ = ["SweepResult", "settings_of", "sweep"]
