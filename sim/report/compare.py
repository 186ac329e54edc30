"""The report and terminal output of a comparison (``gridsim compare``).

It says what changed (the keys in which each scenario's resolved file differs from the
baseline's), which differences are real (the paired verdicts on each category's share within
its own limits), and whether each scenario meets the targets the baseline misses; then the
differences with their intervals, the shares per scenario, the grids, the mix, provenance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.attainment import RESOLUTION, RESPONSE, attainment_table, category_targets
from sim.analysis.statistics import BASELINE
from sim.experiment.compare import signed
from sim.model.measures import ALL
from sim.report import plots as plot
from sim.report import sections
from sim.report.folders import register, scenario_language
from sim.report.headline import mix_sentence, sentence_case, share_text, target_lines
from sim.report.html import Report
from sim.report.i18n import Texts
from sim.report.names import Names
from sim.report.run import read_summary
from sim.report.terminal import render, terminal_width, wrap
from sim.scenario.loading import LoadedScenario, load_scenario

SHARES = (RESPONSE, RESOLUTION)


def changed_keys(base: Any, other: Any, prefix: str = "") -> list[str]:
    """Dotted keys where two resolved scenario mappings differ (list items by id); ``name``,
    ``titles``, ``description`` and ``estimates`` are left out."""
    out: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in dict.fromkeys([*a, *b]):
                if not path and key in ("name", "titles", "description", "estimates"):
                    continue
                walk(a.get(key), b.get(key), f"{path}.{key}" if path else str(key))
        elif (isinstance(a, list) and isinstance(b, list) and a and b
              and all(isinstance(x, dict) and "id" in x for x in (*a, *b))):
            left, right = {x["id"]: x for x in a}, {x["id"]: x for x in b}
            for key in dict.fromkeys([*left, *right]):
                walk(left.get(key), right.get(key), f"{path}.{key}")
        elif a != b:
            out.append(path)

    walk(base, other, prefix)
    return out


def _collapse(keys: list[str], limit: int = 12) -> list[str]:
    """``communities.*.grids.rows`` for a key changed in several list items alike; at most
    ``limit`` keys (then ``...``)."""
    shown: list[str] = []
    for key in keys:
        parts = key.split(".")
        general = ".".join([parts[0], "*", *parts[2:]]) if len(parts) > 2 else key
        same = [k for k in keys if len(k.split(".")) == len(parts)
                and ".".join([k.split(".")[0], "*", *k.split(".")[2:]]) == general]
        item = general if len(same) > 1 else key
        if item not in shown:
            shown.append(item)
    return shown if len(shown) <= limit else [*shown[:limit], "..."]


@dataclass
class CompareView:
    """A comparison as its reports show it."""

    labels: list[str]
    scenarios: dict[str, LoadedScenario]
    table: pd.DataFrame  # compare.csv
    attainment: dict[str, pd.DataFrame]  # per scenario, attainment_table
    grids: dict[str, pd.DataFrame]
    names: Names
    changes: dict[str, list[str]]
    headline: list[str]
    flags: list[bool]

    @property
    def baseline(self) -> str:
        return self.labels[0]

    @classmethod
    def of(cls, table: pd.DataFrame, scenarios: dict[str, LoadedScenario], lang: str
           ) -> CompareView:
        labels = list(scenarios)
        base = scenarios[labels[0]]
        names = Names(base.scenario, Texts(lang))
        attainment, grids = {}, {}
        for label, loaded in scenarios.items():
            rows = table[table["scenario"] == label]
            attainment[label] = attainment_table(rows, loaded.scenario)
            grids[label] = attainment_table(rows, loaded.scenario, grids=True)
        changes = {label: _collapse(changed_keys(base.data, scenarios[label].data))
                   for label in labels[1:]}
        view = cls(labels, scenarios, table, attainment, grids, names, changes, [], [])
        view.headline, view.flags = view._headline()
        return view

    def title(self, label: str) -> str:
        return self.scenarios[label].scenario.title(self.names.t.lang)

    def differences(self, community: str = ALL) -> pd.DataFrame:
        """The paired differences of each category's two shares (not the baseline's rows)."""
        t = self.table
        rows = t[(t["community"] == community) & (t["metric"].isin(SHARES))
                 & (t["scenario"] != self.baseline)]
        if "grid" in rows:
            rows = rows[rows["grid"] == ALL]
        known = [x.category for x in category_targets(self.scenarios[self.baseline].scenario)]
        return rows[rows["category"].isin(known)]

    def _headline(self) -> tuple[list[str], list[bool]]:
        t, names = self.names.t, self.names
        base = self.scenarios[self.baseline].scenario
        lines, flags = [], []
        found, missed = target_lines(self.attainment[self.baseline], base, names)
        lines += [f"{self.title(self.baseline)}{t('word.colon')}{s}" for s in found]
        flags += missed
        diffs = self.differences()
        for label in self.labels[1:]:
            part = diffs[(diffs["scenario"] == label)
                         & diffs["verdict"].isin(["better", "worse"])]
            if part.empty:
                lines.append(t("text.no_real_change", scenario=self.title(label)))
                flags.append(False)
            for row in part.to_dict("records"):
                before = self.table[(self.table["scenario"] == self.baseline)
                                    & (self.table["community"] == ALL)
                                    & (self.table["category"] == row["category"])
                                    & (self.table["metric"] == row["metric"])]
                if "grid" in before:
                    before = before[before["grid"] == ALL]
                what = (f"{names.category(row['category'])} {t.metric(row['metric'])} "
                        f"{before['mean'].iloc[0]:.2f} → {row['mean']:.2f}")
                diff = signed(row["difference"], row["difference_half_width"], 2)
                lines.append(sentence_case(t("text.change_line", scenario=self.title(label),
                                             baseline=self.title(self.baseline), what=what,
                                             diff=diff, verdict=t(f"verdict.{row['verdict']}"))))
                flags.append(row["verdict"] == "worse")
            found, missed = target_lines(self.attainment[label],
                                         self.scenarios[label].scenario, names)
            lines += [f"{self.title(label)}{t('word.colon')}{s}" for s in found]
            flags += missed
        return lines, flags


def share_table(view: CompareView, metric: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per category (whole district): each scenario's share, and the paired difference with
    its verdict for each other scenario; the cells' CSS classes."""
    t, names = view.names.t, view.names
    rows, classes = [], []
    base = view.attainment[view.baseline]
    state = "response_attainment" if metric == RESPONSE else "resolution_attainment"
    diffs = view.differences()
    for category in base[base["community"] == ALL]["category"]:
        row: dict[str, str] = {"category": names.category(category)}
        cls: dict[str, str] = {}
        for label in view.labels:
            a = view.attainment[label]
            hit = a[(a["community"] == ALL) & (a["category"] == category)]
            if hit.empty or not np.isfinite(hit[metric].iloc[0]):
                row[label] = "-"
                continue
            h = hit.iloc[0]
            row[label] = share_text(h[metric], h[f"{metric}_ci_low"], h[f"{metric}_ci_high"],
                                    h[f"{metric}_half_width"])
            cls[label] = h[state]
        for label in view.labels[1:]:
            d = diffs[(diffs["scenario"] == label) & (diffs["category"] == category)
                      & (diffs["metric"] == metric)]
            key = f"Δ {label}"
            if d.empty:
                row[key] = "-"
                continue
            r = d.iloc[0]
            row[key] = f"{signed(r.difference, r.difference_half_width, 2)} " \
                f"{t(f'verdict.{r.verdict}')}"
            cls[key] = r.verdict if r.verdict in ("better", "worse") else ""
        rows.append(row)
        classes.append(cls)
    frame = pd.DataFrame(rows)
    return frame, pd.DataFrame(classes, columns=frame.columns, dtype=object).fillna("")


def compare_page(view: CompareView, manifest: dict[str, Any]) -> Report:
    t, names = view.names.t, view.names
    base = view.scenarios[view.baseline]
    n = int(manifest.get("replications") or 0)
    report = Report(t("report.compare", name=view.title(view.baseline)),
                    t("text.compare_intro", k=len(view.labels), n=n,
                      baseline=view.title(view.baseline)), lang=t.lang)
    sections.first_screen(report, view.headline, view.flags, base.scenario, t)
    report.heading(t("heading.changes"))
    report.items([t("text.differs_in", scenario=view.title(label),
                    keys=", ".join(keys) or "-") for label, keys in view.changes.items()])
    report.heading(t("heading.differences"))
    diffs = view.differences()
    for metric in SHARES:
        part = diffs[diffs["metric"] == metric]
        if part.empty:
            continue
        frame = part.assign(label=[names.category(c) for c in part["category"]],
                            series=[view.title(s) for s in part["scenario"]])
        report.figure(plot.difference_chart(frame, "label", hue="series"
                                            if len(view.labels) > 2 else None,
                                            title=t.metric(metric), xlabel=t("column.difference")),
                      caption=t("text.paired_caption"))
        shown, classes = share_table(view, metric)
        head = {"category": t("column.category"),
                **{label: view.title(label) for label in view.labels},
                **{f"Δ {label}": f"Δ {view.title(label)}" for label in view.labels[1:]}}
        report.table(shown, headers=head, classes=classes, caption=t.metric(metric),
                     table_id=f"compare-{metric}")
    for label in view.labels:
        report.heading(f"{t('heading.targets_by_category')}: {view.title(label)}")
        sections.category_section(report, view.attainment[label], view.scenarios[label].scenario,
                                  Names(view.scenarios[label].scenario, t), n)
    report.heading(t("heading.grids"))
    _grid_maps(report, view)
    report.heading(t("heading.mix"))
    report.items([view.title(label) + t("word.colon") + mix_sentence(
        view.table[view.table["scenario"] == label], names) for label in view.labels])
    sections.provenance_section(report, manifest, t, {
        t("column.scenario"): "; ".join(f"{label}: {view.title(label)}"
                                        for label in view.labels)})
    return report


def _grid_maps(report: Report, view: CompareView) -> None:
    """For the category with most grids below target in the baseline, its response share per
    grid in every scenario, on one colour scale around the target."""
    t, names = view.names.t, view.names
    base = view.grids[view.baseline]
    if base.empty:
        report.paragraph(t("text.no_grids"))
        return
    reactive = [x for x in category_targets(view.scenarios[view.baseline].scenario)
                if not x.walk_in and x.respond_within_min is not None]
    counts = {x.category: int((base[(base["category"] == x.category)]["response_attainment"]
                               == "missed").sum()) for x in reactive}
    if not counts:
        return
    worst = max(counts, key=lambda c: counts[c])
    target = next(x for x in reactive if x.category == worst)
    values = []
    for label in view.labels:
        rows = view.grids[label]
        rows = rows[rows["category"] == worst]
        values.append(pd.Series(rows[RESPONSE].to_numpy(float), index=rows["grid"].astype(str)))
    scenarios = [view.scenarios[label] for label in view.labels]
    community_names = {c.id: names.community(c.id)
                       for c in view.scenarios[view.baseline].scenario.communities}
    report.figure(plot.grid_map(scenarios, values, titles=[view.title(x) for x in view.labels],
                                label=t("unit.share"), cmap=plot.ATTAINMENT_CMAP,
                                norm=plot.attainment_norm(target.share), annotate=False,
                                community_names=community_names, lang=t.lang,
                                title=f"{names.category(worst)}: {t.metric(RESPONSE)}"),
                  caption=t("text.map_caption", category=names.category(worst),
                            what=t("text.what_response"), share=f"{target.share:.2f}"))


def compare_text(view: CompareView, width: int | None = None) -> str:
    """What ``gridsim compare`` prints: the headline, then per share the scenarios' values and
    the paired differences with their verdicts (compare.csv's columns)."""
    t = view.names.t
    width = width or terminal_width()
    n = int(view.table["paired_replications"].max()) if len(view.table) else 0
    parts = [wrap(t("text.compare_intro", k=len(view.labels), n=n, baseline=view.baseline),
                  width), *(wrap(x, width, "  ") for x in view.headline), "",
             wrap(t("cli.compare_head"), width)]
    for metric in SHARES:
        rows = view.table[(view.table["community"] == ALL) & (view.table["metric"] == metric)]
        if "grid" in rows:
            rows = rows[rows["grid"] == ALL]
        known = [x.category for x in category_targets(view.scenarios[view.baseline].scenario)]
        rows = rows[rows["category"].isin(known)].copy()
        rows["_k"] = rows["category"].map(known.index)
        rows = rows.sort_values(["_k"], kind="stable")
        cells = pd.DataFrame({
            "category": rows["category"], "scenario": rows["scenario"],
            "mean": [share_text(m, lo, hi, h).replace(" ± ", "±") for m, lo, hi, h in zip(
                rows["mean"], rows["ci_low"], rows["ci_high"], rows["half_width"], strict=True)],
            "difference": ["" if v == BASELINE else signed(d, h, 2).replace(" ± ", "±")
                           for d, h, v in zip(rows["difference"], rows["difference_half_width"],
                                              rows["verdict"], strict=True)],
            "verdict": rows["verdict"]})
        parts += ["", f"{metric}:", render(cells, width, keys=2)]
    real = view.table[(view.table["community"] != ALL) & view.table["metric"].isin(SHARES)
                      & view.table["verdict"].isin(["better", "worse"])]
    if "grid" in real:
        real = real[real["grid"] == ALL]
    if not real.empty:
        cells = pd.DataFrame({
            "community": real["community"], "category": real["category"],
            "scenario": real["scenario"], "metric": real["metric"],
            "difference": [signed(d, h, 2).replace(" ± ", "±") for d, h in zip(
                real["difference"], real["difference_half_width"], strict=True)],
            "verdict": real["verdict"]})
        parts += ["", t("cli.compare_communities"), render(cells, width, keys=3)]
    parts += ["", wrap(t("text.interval_legend"), width)]
    return "\n".join(parts)


def read_compare(folder: Path, manifest: dict[str, Any], lang: str) -> CompareView:
    """A comparison folder as a :class:`CompareView`."""
    members = manifest.get("members") or []
    scenarios = {m["label"]: load_scenario(folder / m["folder"] / "scenario.yaml")
                 for m in members}
    table = read_summary(folder / "compare.csv")
    base = next(iter(scenarios.values()))
    return CompareView.of(table, scenarios, scenario_language(base.scenario, lang))


def write_compare_report(folder: Path, manifest: dict[str, Any], lang: str = "") -> Path:
    """Write ``report.html`` of a finished comparison folder."""
    view = read_compare(folder, manifest, lang)
    return compare_page(view, manifest).write(folder / "report.html")


def manifest_of(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


register("compare", write_compare_report)
