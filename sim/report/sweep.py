"""The report and terminal output of a sweep (``gridsim sweep``).

Settings are read in order of the community workers they need (fewest first; the sweep's own
order among equals): the headline names, for each category, the first setting from which it
meets its targets at that and every setting with more workers, and the first setting where
every category does. Then each share against the settings with its target, a table of
judgements, the mix, and provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.attainment import (
    MET,
    RESOLUTION,
    RESPONSE,
    attainment_table,
    category_targets,
    states,
)
from sim.model.measures import ALL
from sim.report import plots as plot
from sim.report import sections
from sim.report.folders import register, scenario_language
from sim.report.headline import mix_sentence, sentence_case, share_text
from sim.report.html import Report
from sim.report.i18n import Texts
from sim.report.names import Names
from sim.report.run import read_summary
from sim.report.terminal import render, terminal_width, wrap
from sim.scenario.loading import LoadedScenario, load_scenario


@dataclass
class SweepView:
    """A sweep as its reports show it."""

    base: LoadedScenario
    settings: pd.DataFrame  # setting, the swept keys, community_workers; in reading order
    keys: list[str]
    table: pd.DataFrame  # sweep.csv
    attainment: dict[str, pd.DataFrame]
    names: Names
    headline: list[str]

    @classmethod
    def of(cls, table: pd.DataFrame, base: LoadedScenario, settings: pd.DataFrame,
           keys: list[str], lang: str) -> SweepView:
        names = Names(base.scenario, Texts(lang))
        ordered = settings.sort_values("community_workers", kind="stable").reset_index(drop=True)
        attainment = {s: attainment_table(table[table["setting"] == s], base.scenario)
                      for s in ordered["setting"]}
        view = cls(base, ordered, keys, table, attainment, names, [])
        view.headline = view._headline()
        return view

    def label(self, setting: str) -> str:
        """``households_per_worker=1500`` (the swept values, short key names)."""
        row = self.settings[self.settings["setting"] == setting].iloc[0]
        return ", ".join(f"{k.rsplit('.', 1)[-1]}={row[k]}" for k in self.keys)

    def judged(self) -> pd.DataFrame:
        """Category by setting (reading order): the judgement in the whole district."""
        return pd.DataFrame({s: states(self.attainment[s]) for s in self.settings["setting"]})

    def _headline(self) -> list[str]:
        t, names = self.names.t, self.names
        judged = self.judged()
        order = list(self.settings["setting"])
        lines = []
        tables = [self.attainment[s] for s in order]
        for key, row in judged.iterrows():
            category = str(key)
            met = [row[s] == MET for s in order]
            first = next((i for i in range(len(order)) if all(met[i:])), None)
            if first is None:
                shares = [_district(a, category)[RESPONSE] for a in tables]
                best = max(range(len(order)), key=shares.__getitem__)
                lines.append(t("text.never_met", category=names.category(category),
                               value=_response_text(tables[best], category),
                               setting=self.label(order[best])))
            elif first > 0:
                lines.append(t("text.first_met", category=names.category(category),
                               setting=self.label(order[first]),
                               value=_response_text(tables[first], category)))
        every = [all(judged[s] == MET) for s in order]
        first_all = next((i for i in range(len(order)) if all(every[i:])), None)
        lines.append(t("text.never_all_met") if first_all is None else
                     t("text.all_met_from", setting=self.label(order[first_all])))
        return [sentence_case(x) for x in lines]


def _district(attainment: pd.DataFrame, category: str) -> pd.Series:
    """The whole district's row of ``category`` in an attainment table."""
    return attainment[(attainment["community"] == ALL)
                      & (attainment["category"] == category)].iloc[0]


def _response_text(attainment: pd.DataFrame, category: str) -> str:
    """The district's response share of ``category``, with its interval."""
    hit = _district(attainment, category)
    return share_text(hit[RESPONSE], hit[f"{RESPONSE}_ci_low"], hit[f"{RESPONSE}_ci_high"],
                      hit[f"{RESPONSE}_half_width"])


def sweep_page(view: SweepView, manifest: dict[str, Any]) -> Report:
    t, names = view.names.t, view.names
    spec = view.base.scenario
    n = int(manifest.get("replications") or 0)
    report = Report(t("report.sweep", name=spec.title(t.lang)),
                    t("text.sweep_intro", k=len(view.settings), n=n, keys=", ".join(view.keys)),
                    lang=t.lang)
    flags = [line.startswith(tuple(names.category(c) for c in spec.demand)) and
             ("未" in line or "not met" in line) for line in view.headline]
    sections.first_screen(report, view.headline, flags, spec, t)
    report.heading(t("heading.settings"))
    settings = view.settings.copy()
    report.table(settings, headers=sections.headers(list(settings.columns), t),
                 table_id="settings")
    order = [view.label(s) for s in view.settings["setting"]]
    targets = {names.category(x.category): x.share for x in category_targets(spec)}
    for metric, state, what in ((RESPONSE, "response_attainment", "text.what_response"),
                                (RESOLUTION, "resolution_attainment", "text.what_resolution")):
        frames = []
        for s in view.settings["setting"]:
            a = view.attainment[s]
            rows = a[(a["community"] == ALL) & (a[state] != "")]
            frames.append(pd.DataFrame({
                "setting": view.label(s), "category": [names.category(c) for c in rows["category"]],
                "mean": rows[metric].to_numpy(float),
                "ci_low": rows[f"{metric}_ci_low"].to_numpy(float),
                "ci_high": rows[f"{metric}_ci_high"].to_numpy(float), "state": rows[state]}))
        frame = pd.concat(frames, ignore_index=True)
        report.figure(plot.setting_lines(frame, "setting", "category", targets, order,
                                         title=t.metric(metric), ylabel=t("unit.share"),
                                         lang=t.lang),
                      caption=t("text.sweep_caption", what=t(what),
                                share=f"{spec.target_share:.2f}"))
        shown = frame.pivot(index="category", columns="setting", values="mean")[order]
        cls = frame.pivot(index="category", columns="setting", values="state")[order]
        cells = shown.map(lambda v: f"{v:.2f}")
        cells.index.name = "category"
        report.table(cells.reset_index(), classes=cls.reset_index().assign(category=""),
                     headers={"category": t("column.category")}, caption=t.metric(metric),
                     table_id=f"sweep-{metric}")
    report.heading(t("heading.mix"))
    report.items([view.label(s) + t("word.colon")
                  + mix_sentence(view.table[view.table["setting"] == s], names)
                  for s in view.settings["setting"]])
    sections.provenance_section(report, manifest, t)
    return report


def sweep_text(view: SweepView, width: int | None = None) -> str:
    """What ``gridsim sweep`` prints: the headline, then for each share a table of settings by
    category (missed ``*``, unclear ``?``)."""
    t = view.names.t
    width = width or terminal_width()
    n = int(view.table["replications"].max()) if len(view.table) else 0
    parts = [wrap(t("text.sweep_intro", k=len(view.settings), n=n, keys=", ".join(view.keys)),
                  width), *(wrap(x, width, "  ") for x in view.headline), "",
             wrap(t("cli.sweep_head"), width)]
    marks = {"missed": "*", "unclear": "?"}
    for metric, state in ((RESPONSE, "response_attainment"),
                          (RESOLUTION, "resolution_attainment")):
        rows = []
        for s in view.settings["setting"]:
            a = view.attainment[s]
            a = a[(a["community"] == ALL) & (a[state] != "")]
            row = {"setting": s}
            for _, r in a.iterrows():
                row[r["category"]] = f"{r[metric]:.2f}{marks.get(r[state], '')}"
            rows.append(row)
        parts += ["", f"{metric}:", render(pd.DataFrame(rows).fillna("-"), width)]
    return "\n".join(parts)


def read_sweep(folder: Path, manifest: dict[str, Any], lang: str) -> SweepView:
    members = manifest.get("members") or []
    table = read_summary(folder / "sweep.csv")
    keys = list((members[0].get("overrides") or {}).keys()) if members else []
    rows = []
    base = None
    for m in members:
        loaded = load_scenario(folder / m["folder"] / "scenario.yaml")
        base = base or loaded
        spec = loaded.scenario
        rows.append({"setting": m["label"], **(m.get("overrides") or {}),
                     "community_workers": sum(spec.workers(c) for c in spec.communities)})
    assert base is not None
    return SweepView.of(table, base, pd.DataFrame(rows), keys,
                        scenario_language(base.scenario, lang))


def write_sweep_report(folder: Path, manifest: dict[str, Any], lang: str = "") -> Path:
    """Write ``report.html`` of a finished sweep folder."""
    view = read_sweep(folder, manifest, lang)
    return sweep_page(view, manifest).write(folder / "report.html")


register("sweep", write_sweep_report)
