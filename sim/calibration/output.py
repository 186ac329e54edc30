"""The calibration's result folder (kind ``calibrate``) and its report.html."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

import sim.calibration.texts  # noqa: F401  (registers the texts)
from sim.calibration.durations import km_band
from sim.files.atomic import Writer, csv_writer
from sim.files.folder import command_line
from sim.files.results import ResultFolder
from sim.report import plots as plot
from sim.report.html import Report, provenance
from sim.report.i18n import DEFAULT_LANGUAGE, Texts
from sim.report.workbook import (
    RESULTS_XLSX,
    Sheet,
    about_sheet,
    headers_of,
    table_sheet,
    workbook_writer,
)

if TYPE_CHECKING:
    from sim.calibration.backtest import BacktestResult
    from sim.calibration.calibrate import CalibrateResult

TOP = 8  # categories shown in the back-test's figure
QUANTILES_SHOWN = 20  # categories (the largest) in the back-test's quantile table
SURVIVAL_SHOWN = 4  # categories whose resolution-time curves the calibration report draws
SHOWN_PROFILES = 5  # all issues and the four largest categories with their own profile


def file_digest(path: str | Path | None) -> str | None:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else None


def save_calibration(result: CalibrateResult, out: str | Path, lang: str | None,
                     command: str | None, tables: dict[str, Any]) -> Path:
    """Write calibrated.yaml, calibration.csv, quality.csv, category_map.csv, report.html and
    results.xlsx to ``out``."""
    log = result.log
    identity = {"log_sha256": file_digest(log.path),
                "options": json.dumps({"columns": log.columns.flags(), "where": log.where,
                                       "from": str(log.first), "to": str(log.last)},
                                      sort_keys=True),
                "base_sha256": result.base.digest(),
                "households_sha256": file_digest(tables.get("households")),
                "category_map_sha256": file_digest(tables.get("category_map"))}
    lang = lang or result.base.scenario.model_dump().get("language") or DEFAULT_LANGUAGE
    folder = ResultFolder.open(out, kind="calibrate", identity=identity,
                               command=command or command_line(),
                               info={"log": str(log.path), "encoding": log.encoding,
                                     "rows_read": log.rows_read, "rows_used": len(log.issues)})
    with folder.guarded():
        html = calibration_report(result, lang, folder.manifest)
        files: dict[str, Writer] = {
            "calibrated.yaml": lambda p: p.write_text(result.yaml, encoding="utf-8"),
            "quality.csv": csv_writer(log.quality),
            "report.html": lambda p: p.write_text(html, encoding="utf-8"),
            "category_map.csv": csv_writer(result.category_map()),
            RESULTS_XLSX: workbook_writer(calibration_sheets(result, lang), lang),
            "calibration.csv": csv_writer(result.table),
        }
        folder.publish(files, marker="calibration.csv")
    result.folder = folder.path
    result.manifest = folder.manifest
    return folder.path


def save_backtest(result: BacktestResult, out: str | Path | None, lang: str | None,
                  command: str | None) -> Path:
    """Write backtest.csv, verdicts.csv, quantiles.csv, report.html and results.xlsx to
    ``out``."""
    from sim.files.folder import default_folder

    log = result.log
    identity = {"scenario_sha256": result.scenario.digest(), "log_sha256": file_digest(log.path),
                "options": json.dumps({"columns": log.columns.flags(), "where": log.where,
                                       "from": str(log.first), "to": str(log.last)},
                                      sort_keys=True),
                "seed": result.seed, "replications": result.replications}
    path = out or default_folder(result.scenario.name, kind="backtest")
    folder = ResultFolder.open(path, kind="backtest", identity=identity,
                               command=command or command_line(),
                               inputs={"scenario.yaml": lambda p: p.write_text(
                                   result.scenario.to_yaml(), encoding="utf-8")},
                               info={"log": str(log.path), "scenario": result.scenario.name})
    with folder.guarded():
        language = lang or DEFAULT_LANGUAGE
        html = backtest_report(result, language, folder.manifest)
        folder.publish_tables({"verdicts.csv": result.verdicts,
                               "quantiles.csv": result.quantiles,
                               "backtest.csv": result.weeks}, marker="backtest.csv",
                              others={"report.html": lambda p: p.write_text(html, "utf-8"),
                                      RESULTS_XLSX: workbook_writer(
                                          backtest_sheets(result, language), language)})
    result.folder = folder.path
    result.manifest = folder.manifest
    return folder.path


def backtest_report(result: BacktestResult, lang: str, manifest: dict[str, Any]) -> str:
    """The back-test report as one self-contained HTML page."""
    t = Texts(lang)
    log = result.log
    report = Report(t("backtest.title", scenario=result.scenario.name),
                    t("backtest.subtitle", log=log.path.name, first=log.first, last=log.last,
                      n=f"{len(log.issues):,}", replications=result.replications,
                      seed=result.seed))
    weeks = result.weeks[result.weeks["area"] == "all"]
    report.paragraph(t("backtest.lead", inside=int(weeks["inside"].sum()), weeks=len(weeks)))
    report.heading(t("backtest.heading.verdicts"))
    v = result.verdicts
    v = v[v["area"] == "all"].sort_values("observed_total", ascending=False, kind="stable")
    areas = int((result.verdicts["area"] != "all").sum())
    if areas:
        report.paragraph(t("backtest.by_community", n=areas))
    shown = pd.DataFrame({
        t("backtest.column.category"): [t.category(c) for c in v["category"]],
        t("backtest.column.weeks"): v["weeks"],
        t("backtest.column.inside_share"): v["inside_share"].round(2),
        t("backtest.column.observed"): v["observed_total"],
        t("backtest.column.predicted"): [_ci(m, lo, hi) for m, lo, hi in zip(
            v["predicted_total"], v["predicted_total_low"], v["predicted_total_high"],
            strict=True)],
        t("backtest.column.ratio"): v["observed_over_predicted"].round(2),
        t("backtest.column.verdict"): [t(f"backtest.verdict.{x}") for x in v["verdict"]]})
    report.table(shown, table_id="verdicts")
    report.heading(t("backtest.heading.weeks"))
    top = list(weeks.groupby("category")["observed"].sum().sort_values(ascending=False)
               .index[:TOP * 2])
    report.figure(plot.backtest_chart(weeks[weeks["category"].isin(top)]),
                  caption=t("backtest.figure.weeks"))
    report.heading(t("backtest.heading.quantiles"))
    report.paragraph(t("backtest.quantiles_intro"), note=True)
    q = result.quantiles
    largest = q.drop_duplicates("category").nlargest(QUANTILES_SHOWN, "n_observed")["category"]
    if q["category"].nunique() > QUANTILES_SHOWN:
        report.paragraph(t("backtest.quantiles_shown", n=QUANTILES_SHOWN))
    q = q[q["category"].isin(set(largest))]
    report.table(pd.DataFrame({
        t("backtest.column.category"): [t.category(c) for c in q["category"]],
        t("backtest.column.quantile"): q["quantile"],
        t("backtest.column.observed_h"): [_ci(a, b, c) for a, b, c in zip(
            q["observed_h"], q["observed_low_h"], q["observed_high_h"], strict=True)],
        t("backtest.column.simulated_h"): [_ci(a, b, c) for a, b, c in zip(
            q["simulated_mean_h"], q["simulated_low_h"], q["simulated_high_h"], strict=True)],
        t("backtest.column.verdict"): [t(f"backtest.verdict.{x}") for x in q["verdict"]]}),
        table_id="quantiles")
    report.heading(t("backtest.heading.provenance"))
    report.facts({**provenance(manifest), "log": str(log.path), "encoding": log.encoding,
                  **{k: str(n) for k, n in result.dropped.items()}})
    return report.html()


def _ci(value: float, low: float, high: float, digits: int = 3) -> str:
    if not np.isfinite(value):
        return "-"
    low_text = f"{low:.{digits}g}" if np.isfinite(low) else "?"
    high_text = f"{high:.{digits}g}" if np.isfinite(high) else "?"
    return f"{value:.{digits}g} [{low_text}, {high_text}]"


def quality_table(quality: pd.DataFrame, t: Texts) -> pd.DataFrame:
    """The data-quality counts in words."""
    rows = []
    for r in quality.to_dict("records"):
        action = t(f"calibration.action.{r['action']}",
                   **({"as_of": r["detail"]} if r["action"] == "censored" else {}))
        rows.append({t("calibration.column.check"): t(f"calibration.quality.{r['check']}"),
                     t("calibration.column.detail"): r["detail"],
                     t("calibration.column.rows"): int(r["rows"]),
                     t("calibration.column.action"): action})
    return pd.DataFrame(rows)


def calibration_report(result: CalibrateResult, lang: str, manifest: dict[str, Any]) -> str:
    """The calibration report as one self-contained HTML page."""
    from sim.calibration.calibrate import MIN_ISSUES, NOMINAL_HOUSEHOLDS

    t = Texts(lang)
    log = result.log
    report = Report(
        t("calibration.title", log=log.path.name),
        t("calibration.subtitle", file=log.path.name, encoding=log.encoding,
          rows=f"{log.rows_read:,}", used=f"{len(log.issues):,}", first=log.first,
          last=log.last, days=log.days))
    report.paragraph(t("calibration.lead", communities=len(result.areas),
                       categories=len(result.categories)))
    report.paragraph(t("calibration.resolution_note"), note=True)
    # rates
    given = (result.areas["households_source"] == "given").all()
    households = t("calibration.households.given") if given else t(
        "calibration.households.nominal", n=f"{NOMINAL_HOUSEHOLDS:,}")
    report.heading(t("calibration.heading.rates"))
    report.paragraph(t("calibration.rates_intro", households=households))
    rows = []
    for code, f in result.categories.items():
        rows.append({t("calibration.column.category"): t.category(code),
                     t("calibration.column.issues"): f.n,
                     t("calibration.column.rate"): _ci(f.rate.value, f.rate.ci_low,
                                                       f.rate.ci_high),
                     t("calibration.column.method"): f.rate.method,
                     t("calibration.column.dispersion"): round(f.dispersion.index, 2),
                     t("calibration.column.p"): f"{f.dispersion.p_value:.2g}",
                     t("calibration.column.verdict"): t(
                         f"calibration.verdict.{f.dispersion.verdict}")})
    report.table(pd.DataFrame(rows), table_id="rates")
    if result.pooled:
        report.paragraph(t("calibration.pooled", n=MIN_ISSUES, k=len(result.pooled),
                           names=", ".join(result.pooled[:30])
                           + (" ..." if len(result.pooled) > 30 else "")))
    _profiles(report, result, t)
    _resolution(report, result, t)
    report.heading(t("calibration.heading.quality"))
    report.paragraph(t("calibration.quality_intro"))
    report.table(quality_table(log.quality, t), table_id="quality")
    report.heading(t("calibration.heading.areas"))
    areas = result.areas.rename(columns={
        "area": t("calibration.column.area"), "community": t("calibration.column.community"),
        "households": t("calibration.column.households"),
        "households_source": t("calibration.column.source"),
        "issues": t("calibration.column.issues")})
    report.table(areas, table_id="areas")
    report.heading(t("calibration.heading.notes"))
    report.items(result.notes)
    report.heading(t("calibration.heading.provenance"))
    report.facts({**provenance(manifest), "log": str(log.path), "encoding": log.encoding,
                  "as of": f"{log.as_of:%Y-%m-%d %H:%M}",
                  "seconds": f"{result.seconds:.1f}"})
    return report.html()


def _profiles(report: Report, result: CalibrateResult, t: Texts) -> None:
    from sim.calibration.demand import BOOTSTRAP

    report.heading(t("calibration.heading.profiles"))
    report.paragraph(t("calibration.profiles_intro", b=BOOTSTRAP))
    fits = [("all", result.profile)] + [(c, f.own_profile) for c, f in result.categories.items()
                                        if f.own_profile is not None]
    stats_rows = [{t("calibration.column.profile"): t("calibration.all_issues") if c == "all"
                   else t.category(c), t("calibration.column.issues"): p.n,
                   t("calibration.column.correlation"): round(p.correlation, 3),
                   t("calibration.column.chi2"): round(p.chi2, 1),
                   t("calibration.column.df"): p.df,
                   t("calibration.column.p"): f"{p.p_value:.2g}"} for c, p in fits]
    report.table(pd.DataFrame(stats_rows), table_id="profile-fit")
    shown = fits[:SHOWN_PROFILES]
    tables = pd.concat([p.table.assign(category=c) for c, p in shown], ignore_index=True)
    labels = {"hour_of_day": [f"{h:02d}" for h in range(24)],
              "day_of_week": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
              "month": ["Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
                        "Oct", "Nov"]}
    for quantity, key in (("hour_of_day", "hour"), ("day_of_week", "day"), ("month", "month")):
        rows = tables[tables["quantity"] == quantity]
        if quantity == "month":
            observed = set(result.profile.months_observed)
            rows = rows[rows["index"].isin(observed)]
        if not rows.empty:
            report.figure(plot.profile_chart(rows, title=quantity, labels=labels[quantity]),
                          caption=t(f"calibration.figure.{key}"))
    report.figure(plot.week_chart(result.profile.week_observed, result.profile.week_fitted,
                                  title="all issues"), caption=t("calibration.figure.week"))


def _resolution(report: Report, result: CalibrateResult, t: Texts) -> None:
    report.heading(t("calibration.heading.resolution"))
    report.paragraph(t("calibration.resolution_intro"))
    rows = []
    observed: list[pd.DataFrame] = []
    fitted: list[pd.DataFrame] = []
    for code, f in result.categories.items():
        best = f.resolution.best
        km = f.resolution.km_quantiles.set_index("quantile")
        kind, params = next(iter(f.handling_min.items()))
        rows.append({
            t("calibration.column.category"): t.category(code),
            t("calibration.column.issues"): f.resolution.durations.n,
            t("calibration.column.open"): len(f.resolution.durations.open_h),
            t("calibration.column.family"): best.family,
            t("calibration.column.p50"): _ci(*km.loc[0.5, ["value_h", "ci_low_h", "ci_high_h"]]),
            t("calibration.column.p50_fitted"): f"{float(best.ppf(0.5)):.3g}",
            t("calibration.column.p90"): _ci(*km.loc[0.9, ["value_h", "ci_low_h", "ci_high_h"]]),
            t("calibration.column.p90_fitted"): f"{float(best.ppf(0.9)):.3g}",
            t("calibration.column.gap"): round(f.resolution.distance, 3),
            t("calibration.column.handling"): f"{params.get('mean', params.get('value'))} "
                                              f"({f.handling_note})"})
        km_fit = f.resolution.km
        if len(observed) < SURVIVAL_SHOWN and len(f.resolution.durations.closed_h) > 0 \
                and km_fit is not None:
            times = km_fit.cdf.quantiles
            band = km_band(km_fit)
            step = max(len(times) // 200, 1)
            times = times[::step]
            observed.append(pd.DataFrame({"category": code, "time_h": times,
                                          "cdf": km_fit.cdf.evaluate(times),
                                          "ci_low": 1 - band.high.evaluate(times),
                                          "ci_high": 1 - band.low.evaluate(times)}))
            grid = np.geomspace(max(times.min(), 1 / 60), max(times.max(), 1), 120)
            fitted.append(pd.DataFrame({"category": code, "time_h": grid,
                                        "cdf": best.cdf(grid), "family": best.family}))
    report.table(pd.DataFrame(rows), table_id="resolution")
    if observed:
        report.figure(plot.survival_chart(pd.concat(observed), pd.concat(fitted), columns=2),
                      caption=t("calibration.figure.survival"))


# ---------------------------------------------------------------- results.xlsx


def calibration_sheets(result: CalibrateResult, lang: str) -> list[Sheet]:
    """results.xlsx of a calibration: the rates per category (all areas, then each area side
    by side), every fitted figure, the data-quality account, the category map, about."""
    t = Texts(lang)
    prefixes = ("calibration.column",)
    table = result.table
    rates = table[table.quantity == "rate_per_1000_households_per_year"]
    whole = rates[rates.area == "all"].set_index("category")
    wide = whole[["value", "ci_low", "ci_high", "n"]].reset_index()
    headers = headers_of(wide.columns, t, prefixes)
    headers["value"] = t("calibration.column.rate_value")
    areas = [a for a in dict.fromkeys(rates.area) if a != "all"]
    per_area = rates.pivot_table(index="category", columns="area", values="value",
                                 aggfunc="first")
    for area in areas:
        wide[f"area:{area}"] = per_area[area].reindex(wide["category"]).to_numpy()
        headers[f"area:{area}"] = t("calibration.column.rate_in", area=area)
    formats = {c: "0.0" for c in wide.columns if c not in ("category", "n")}
    formats["n"] = "#,##0"
    sheets = [Sheet(t("calibration.sheet.rates"), wide, headers, formats,
                    notes=[t("calibration.note.rates")]),
              table_sheet(t("calibration.sheet.figures"), table, t, labels=3,
                          prefixes=prefixes),
              table_sheet(t("calibration.sheet.quality"), result.log.quality, t,
                          prefixes=prefixes),
              table_sheet(t("calibration.sheet.map"), result.category_map(), t,
                          prefixes=prefixes)]
    facts = [(t("calibration.column.source"), result.log.describe()), *(
        (t("calibration.sheet.notes"), note) for note in result.notes)]
    sheets.append(about_sheet(t, t("calibration.sheet.title", log=result.log.path.name),
                              result.manifest, result.folder, facts))
    return sheets


def backtest_sheets(result: BacktestResult, lang: str) -> list[Sheet]:
    """results.xlsx of a back-test: the verdicts, every week's counts against their
    prediction intervals, the resolution-time quantiles, about."""
    t = Texts(lang)
    prefixes = ("backtest.xlsx", "backtest.column", "calibration.column")

    def verdict(v: Any) -> str:
        return t(f"backtest.verdict.{v}") if t.has(f"backtest.verdict.{v}") else str(v)

    values = {"verdict": verdict}
    sheets = [table_sheet(t("backtest.sheet.verdicts"), result.verdicts, t, labels=2,
                          prefixes=prefixes, values=values, states=["verdict"]),
              table_sheet(t("backtest.sheet.weeks"), result.weeks, t, labels=3,
                          prefixes=prefixes),
              table_sheet(t("backtest.sheet.quantiles"), result.quantiles, t, labels=2,
                          prefixes=prefixes, values=values, states=["verdict"])]
    log = result.log
    sheets.append(about_sheet(
        t, t("backtest.title", scenario=result.scenario.name), result.manifest, result.folder,
        [(t("calibration.column.source"), log.describe())]))
    return sheets
