"""The report of a run folder (``gridsim run``, ``gridsim report RUN_DIR``).

It opens with what a leader needs: which categories miss their own targets and where, the
estimates the results rest on; then each category against its targets for the district and per
community, care visits apart (on time, late, missed), the grids on maps, times with their
limits, and only then the all-issue mix, labelled as one; the provenance last. A city (a
scenario with districts, or many communities) reads by district instead and lists only the
communities and grids that miss (:mod:`sim.report.city`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.attainment import attainment_table
from sim.analysis.districts import district_summary
from sim.report import city, sections
from sim.report.folders import register, scenario_language
from sim.report.headline import grid_sentences, is_city, mix_sentence, target_lines
from sim.report.html import Report
from sim.report.i18n import Texts
from sim.report.i18n import register as register_texts
from sim.report.names import Names
from sim.scenario.loading import LoadedScenario, load_scenario


def read_summary(path: Path) -> pd.DataFrame:
    """A ``summary.csv`` (or ``compare.csv``, ``sweep.csv``) as written: ``all`` stays text."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def read_replications(path: Path) -> pd.DataFrame:
    """The community rows of a ``replications.csv`` with the columns a district is pooled
    from (:mod:`sim.analysis.districts`)."""
    from sim.analysis.districts import POOLED

    wanted = {"replication", "community", "category", "grid", "issues", "unfinished", *POOLED}
    frame = pd.read_csv(path, usecols=lambda c: c in wanted, keep_default_na=False,
                        na_values=[""], encoding="utf-8-sig")
    return frame[frame["grid"] == "all"] if "grid" in frame else frame


@dataclass
class RunView:
    """What a run's report and terminal output show, computed once from its summary."""

    loaded: LoadedScenario
    summary: pd.DataFrame
    names: Names
    table: pd.DataFrame  # categories against their targets per community (attainment_table)
    grids: pd.DataFrame  # the same per grid
    headline: list[str]
    flags: list[bool]  # which headline sentences name a target missed
    grid_lines: list[str]
    mix_line: str
    district_summary: pd.DataFrame  # per district (in `community`), from the replications
    districts: pd.DataFrame  # categories against their targets per district

    @classmethod
    def of(cls, loaded: LoadedScenario, summary: pd.DataFrame, lang: str,
           replications: pd.DataFrame | None = None) -> RunView:
        """The view of a run; with its ``replications`` table, also per district (a
        scenario with districts)."""
        spec = loaded.scenario
        names = Names(spec, Texts(lang))
        table = attainment_table(summary, spec)
        grids = attainment_table(summary, spec, grids=True)
        targets, flags = target_lines(table, spec, names)
        lines = grid_sentences(grids, names, city=is_city(spec))
        flags = flags + [False] * len(lines)
        by_district = district_summary(replications, spec) \
            if replications is not None and spec.districts else pd.DataFrame()
        districts = attainment_table(by_district, spec, order=[d.id for d in spec.districts]) \
            if not by_district.empty else pd.DataFrame()
        return cls(loaded, summary, names, table, grids, targets + lines, flags, lines,
                   mix_sentence(summary, names), by_district, districts)


def run_page(view: RunView, manifest: dict[str, Any]) -> Report:
    """The whole run report."""
    t = view.names.t
    spec = view.loaded.scenario
    n = int(manifest.get("replications") or view.table["replications"].max())
    report = Report(t("report.run", name=spec.title(t.lang)),
                    t("text.replications", n=n, seed=manifest.get("seed", "?")), lang=t.lang)
    sections.first_screen(report, view.headline, view.flags, spec, t)
    for problem in manifest.get("unstable") or []:  # run as asked (--allow-unstable)
        report.caveat(t("report.unstable", problem=problem))
    if is_city(spec):
        city_sections(report, view, n)
    else:
        county_sections(report, view, n)
    split = sections.split_sentence(sections.split_info(manifest), t)
    sections.provenance_section(report, manifest, t,
                                {t("fact.districts"): split} if split else None)
    return report


def county_sections(report: Report, view: RunView, n: int) -> None:
    """A county's few communities: each with its table, heat map row and bars."""
    spec = view.loaded.scenario
    sections.category_section(report, view.table, spec, view.names, n)
    sections.community_section(report, view.table, spec, view.names)
    sections.care_section(report, view.table, view.names)
    sections.grid_section(report, view.grids, view.loaded, view.names, view.grid_lines)
    sections.times_section(report, view.table, spec, view.names)
    sections.mix_section(report, view.summary, view.loaded, view.names, view.mix_line)


def city_sections(report: Report, view: RunView, n: int) -> None:
    """A city: the whole city per category, then by district, then only what misses."""
    spec, names = view.loaded.scenario, view.names
    city.detail_note(report, names)
    sections.category_section(report, view.table, spec, names, n)
    city.district_section(report, view.districts, view.district_summary, view.table,
                          view.grids, spec, names)
    city.community_misses(report, view.table, spec, names)
    city.grid_misses(report, view.grids, names, view.grid_lines)
    city.mix_section(report, view.summary, spec, names, view.mix_line)


def write_run_report(folder: Path, manifest: dict[str, Any], lang: str = "") -> Path:
    """Write ``report.html`` of a finished run folder."""
    loaded = load_scenario(folder / "scenario.yaml",
                           allow_unstable=bool(manifest.get("unstable")))
    summary = read_summary(folder / "summary.csv")
    replications = read_replications(folder / "replications.csv") \
        if loaded.scenario.districts else None
    view = RunView.of(loaded, summary, scenario_language(loaded.scenario, lang), replications)
    return run_page(view, manifest).write(folder / "report.html")


register("run", write_run_report)
register_texts({
    "report.unstable": {
        "zh": "不稳定，按要求仍然运行：{problem}。积压无限增长，以下数字随时间越来越差，并非稳态。",
        "en": "Unstable, run as asked: {problem}. The backlog grows without bound: the numbers "
              "get worse the longer the horizon and are not a steady state."},
})
