"""``sim.calibrate``: a runnable scenario fitted to a district's issue log.

From the log: one community per area, and per category the rate per 1000 households per year,
the arrival profile (hour of day, day of week, month) and the resolution-time distribution, each
with a 95% interval and the count behind it (sim.calibration.demand, .durations). From the base
scenario: staffing, calendars, dispatch, travel, departments (sim.calibration.scenario).

**Handling times.** The log's close minus create is a resolution time, waiting included; the
model's ``handling_min`` is the time a responder is busy with one issue. The rule: a category
keeps the base's handling time (of the base category it is mapped onto, else
:data:`DEFAULT_HANDLING`, both ESTIMATES), capped at the log's Kaplan-Meier 25th percentile of
resolution time: a quarter of the cases were closed within it, waiting included, so the typical
handling time cannot be longer. Using the resolution time itself would count every day spent
waiting for a department or a part as a worker's working time and make any district look short
of staff by orders of magnitude.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.calibration.demand import (
    BOOTSTRAP,
    Dispersion,
    ProfileFit,
    Rate,
    dispersion,
    exposure_years,
    fit_profile,
    poisson_interval,
    rate,
)
from sim.calibration.durations import Durations, ResolutionFit, fit_resolution, km_quantiles
from sim.calibration.logfile import (
    UNKNOWN_AREA,
    IssueLog,
    LogColumns,
    read_category_map,
    read_households,
    read_log,
)
from sim.calibration.scenario import copied_sections, make_ids, write_yaml
from sim.errors import GridsimError, OptionError, ScenarioError
from sim.files.folder import default_folder
from sim.scenario.capacity import shortfall
from sim.scenario.governance import WEEKDAYS
from sim.scenario.loading import LoadedScenario, from_mapping, load_scenario
from sim.scenario.schema import ArrivalProfile

KIND = "calibrate"
MIN_ISSUES = 30
"""Categories with fewer issues in the window are pooled into ``other``: below 30 the rate's
95% interval spans more than +-40% and a distribution fit is mostly the prior's shape."""
PROFILE_MIN = 500
"""A category gets its own arrival profile from this many issues (about 20 an hour of the day);
fewer follow the profile fitted to all issues."""
NOMINAL_HOUSEHOLDS = 5000
"""Households per area, on average, when the log comes without household counts (about a
Chengcheng community): areas get households in proportion to their issues."""
DEFAULT_HANDLING = {"lognormal": {"mean": 60.0, "cv": 1.0}}
"""ESTIMATE: an hour with the resident, as the baseline's field categories (45-120 min)."""
OTHER = "other"
BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "chengcheng.yaml"
MAX_WORKERS = 1000
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, where it is built


@dataclass
class CategoryFit:
    """Everything fitted for one of the scenario's categories."""

    code: str
    names: list[str]
    n: int
    own_profile: ProfileFit | None
    profile: ArrivalProfile
    years: float
    rate: Rate
    dispersion: Dispersion
    resolution: ResolutionFit
    handling_min: dict[str, Any]
    handling_note: str
    base_key: str | None


@dataclass
class CalibrateResult:
    """What ``sim.calibrate`` returns: the calibrated scenario and every fitted figure.

    ``table`` is calibration.csv (category, area, quantity, value, ci_low, ci_high, n,
    method); ``areas`` one row per community (area, community, households, households_source,
    issues); ``log.quality`` the data-quality counts.
    """

    log: IssueLog
    base: LoadedScenario
    scenario: LoadedScenario
    yaml: str
    profile: ProfileFit
    categories: dict[str, CategoryFit]
    areas: pd.DataFrame
    table: pd.DataFrame
    pooled: list[str]
    notes: list[str]
    folder: Path | None = None
    seconds: float = 0.0
    manifest: dict[str, Any] = field(default_factory=dict, repr=False)

    def rates(self) -> pd.DataFrame:
        """Rate per 1000 households per year by category, with 95% interval and n."""
        t = self.table
        return t[(t.quantity == "rate_per_1000_households_per_year") & (t.area == "all")
                 ].drop(columns=["area", "quantity"]).reset_index(drop=True)

    def category_map(self) -> pd.DataFrame:
        """The log's categories and the scenario's they became (rare ones pooled into
        ``other``), with their issues in the window: ``log_category, category, issues``; what
        ``sim.backtest(category_map=...)`` takes (as category_map.csv or as this frame)."""
        issues = self.log.issues
        pairs = issues.groupby(["category_log", "code"]).size().reset_index(name="issues")
        pairs = pairs.sort_values("issues", ascending=False, kind="stable")
        return pairs.rename(columns={"category_log": "log_category", "code": "category"})

    def _repr_html_(self) -> str:
        return (f"<h4>Calibrated from {self.log.describe()}</h4>"
                f"<p>{len(self.categories)} categories, {len(self.areas)} communities"
                + (f"; folder <code>{self.folder}</code>" if self.folder else "") + "</p>"
                + self.rates().to_html(index=False))


# ---------------------------------------------------------------- the entry point


def calibrate(
    log: str | Path,
    created: str,
    closed: str,
    category: str,
    area: str | None = None,
    status: str | None = None,
    location: tuple[str, ...] | list[str] = (),
    where: tuple[str, ...] | list[str] = (),
    first: dt.date | str | None = None,
    last: dt.date | str | None = None,
    households: str | Path | None = None,
    category_map: str | Path | None = None,
    base: str | Path | LoadedScenario | None = None,
    out: str | Path | None = None,
    save: bool = True,
    lang: str | None = None,
    command: str | None = None,
) -> CalibrateResult:
    """Fit a scenario to an issue log (CSV in UTF-8 or GB18030, or .xlsx).

    ``created``, ``closed``, ``category`` (and ``area``, ``status``, ``location``) name the
    log's columns; ``where`` filters rows (e.g. ``'source != "Employee Generated"'``);
    ``first``/``last`` bound the window (days, inclusive); ``households`` is a table of area
    and households; ``category_map`` a table of the log's category and the scenario's; ``base``
    the scenario whose staffing is kept (default: the shipped baseline). With ``save``, writes
    calibrated.yaml, calibration.csv, quality.csv and report.html to ``out``.
    """
    started = time.perf_counter()
    columns = LogColumns(created, closed, category, area, status, tuple(location))
    mapping = read_category_map(category_map) if category_map else None
    issue_log = read_log(log, columns, tuple(where), _date(first, "first"), _date(last, "last"),
                         mapping)
    base_loaded = base if isinstance(base, LoadedScenario) else load_scenario(base or BASELINE)
    table_households = read_households(households) if households else None
    result = fit(issue_log, base_loaded, table_households, mapping or {})
    result.seconds = time.perf_counter() - started
    if save:
        from sim.calibration.output import save_calibration

        save_calibration(result, out or default_folder(Path(log).stem, kind=KIND), lang,
                         command, {"households": households, "category_map": category_map})
    result.seconds = time.perf_counter() - started
    return result


def _date(value: dt.date | str | None, parameter: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise OptionError(f"`{parameter}`: {value!r} is not a date (YYYY-MM-DD)",
                          parameter) from None


# ---------------------------------------------------------------- fitting


def fit(log: IssueLog, base: LoadedScenario, households: dict[str, int] | None,
        mapping: dict[str, str]) -> CalibrateResult:
    """Fit every figure of the calibrated scenario from a read log."""
    issues = log.issues
    codes = _category_codes(issues, mapping)
    issues = issues.assign(code=issues["category"].map(codes))
    counts = issues["code"].value_counts()
    rare = sorted(counts[counts < MIN_ISSUES].index)
    pooled = sorted(set(issues.loc[issues["code"].isin(rare), "category_log"]))
    in_rare = issues["code"].isin(rare).to_numpy()
    if rare and len(rare) < len(counts):
        if in_rare.sum() >= MIN_ISSUES:
            issues.loc[in_rare, "code"] = OTHER
        else:  # too few even together: left out, and said so
            issues = issues[~in_rare]
            log.quality = pd.concat([log.quality, pd.DataFrame(
                [("rare", ", ".join(pooled), int(in_rare.sum()), "dropped")],
                columns=log.quality.columns)], ignore_index=True)
            pooled = []
    if not log.columns.area:  # one community, named after the file
        issues = issues.assign(area=log.path.name.split(".")[0])
    log.issues = issues
    areas = _areas(issues, households, log)
    total_households = float(areas["households"].sum())
    overall = fit_profile(issues["created"], log.first, log.last)
    overall_profile = overall.profile()
    base_demand = base.data.get("demand", {})
    categories: dict[str, CategoryFit] = {}
    for label, group in sorted(issues.groupby("code"), key=lambda kv: -len(kv[1])):
        code = str(label)
        own = fit_profile(group["created"], log.first, log.last, seed=len(categories)) \
            if len(group) >= PROFILE_MIN else None
        profile = own.profile() if own else overall_profile
        years = exposure_years(profile, log.first, log.last)
        parameters = 7 + (len(own.months_observed) if own else 0)
        spread = dispersion(group["created"], profile, log.first, log.last, parameters)
        fitted_rate = rate(len(group), total_households, years, spread)
        resolution = fit_resolution(Durations.of(group["created"], group["closed"],
                                                 log.as_of))
        base_key = code if code in base_demand else None
        handling, note = handling_rule(base_demand.get(base_key), resolution)
        categories[code] = CategoryFit(
            code, sorted(set(group["category_log"])), len(group), own, profile, years,
            fitted_rate, spread, resolution, handling, note, base_key)
    result = CalibrateResult(log, base, base, "", overall, categories, areas,
                             pd.DataFrame(), pooled, [])
    result.yaml, result.notes = build_yaml(result)
    result.scenario = _load(result.yaml, log)
    result.table = calibration_table(result)
    return result


def _category_codes(issues: pd.DataFrame, mapping: dict[str, str]) -> dict[str, str]:
    mapped = set(mapping.values())
    names = [c for c in issues["category"].value_counts().index if c not in mapped]
    codes = make_ids(names, "category")
    used = set(mapped)
    for name, code in codes.items():  # a made-up id must not take a mapped one's name
        ident, k = code, 2
        while ident in used:
            ident, k = f"{code}_{k}", k + 1
        codes[name] = ident
        used.add(ident)
    codes.update({c: c for c in mapped})
    return codes


def _areas(issues: pd.DataFrame, households: dict[str, int] | None, log: IssueLog
           ) -> pd.DataFrame:
    """One row per area: its community id, households (given or nominal) and issues."""
    located = issues[issues["area"] != UNKNOWN_AREA]
    counts = located["area"].value_counts()
    if counts.empty:
        raise GridsimError(f"{log.path}: column {log.columns.area!r} (`area`): no issue in the "
                           "window has an area")
    names = [str(a) for a in counts.index]
    ids = make_ids(names, "area")
    if households is not None:
        missing = [a for a in names if a not in households]
        if missing:
            raise GridsimError(
                f"households table: no households for {len(missing)} areas of the log: "
                + ", ".join(repr(a) for a in missing[:10]) + (" ..." if len(missing) > 10
                                                              else ""))
        held = [households[a] for a in names]
        source = "given"
    else:
        share = counts.to_numpy() / counts.sum()
        total = NOMINAL_HOUSEHOLDS * len(names)
        held = [max(int(round(s * total)), 1) for s in share]
        source = "nominal"
    return pd.DataFrame({"area": names, "community": [ids[a] for a in names],
                         "households": held, "households_source": source,
                         "issues": counts.to_numpy()})


def handling_rule(base: dict[str, Any] | None, resolution: ResolutionFit
                  ) -> tuple[dict[str, Any], str]:
    """The handling time of a category (see the module docstring) and what it came from."""
    handling = base.get("handling_min") if base else None
    source = "the base category's handling time (ESTIMATE)" if handling else \
        f"the default handling time {DEFAULT_HANDLING} (ESTIMATE)"
    handling = dict(handling or DEFAULT_HANDLING)
    q25 = km_quantiles(resolution.durations, (0.25,), resolution.km).value_h.iloc[0]
    kind, params = next(iter(handling.items()))
    mean = params.get("mean", params.get("value"))
    if mean is None or not np.isfinite(q25) or mean <= q25 * 60:
        return handling, source
    cap = float(max(round(q25 * 60, 1), 1.0))
    if kind in ("lognormal", "gamma", "exponential"):
        capped = {kind: {**params, "mean": cap}}
    else:
        capped = {"lognormal": {"mean": cap, "cv": 1.0}}
    return capped, (f"{source}, capped at the log's Kaplan-Meier 25th percentile of resolution "
                    f"time ({q25 * 60:.1f} min)")


# ---------------------------------------------------------------- the scenario file


def _fmt_ci(value: float, low: float, high: float, digits: int = 3) -> str:
    return f"{value:.{digits}g} (95% interval {low:.{digits}g} to {high:.{digits}g})"


def build_yaml(result: CalibrateResult) -> tuple[str, list[str]]:
    """The calibrated scenario as commented YAML, and the notes on what was copied."""
    log, base = result.log, result.base
    window = f"created {log.first} to {log.last} ({log.days} days)"
    source = f"{log.path.name}, {len(log.issues):,} rows used of {log.rows_read:,}, {window}"
    header = [
        f"Calibrated from the issue log {log.path.name} ({log.encoding}).",
        f"Window: {window}; rows used: {len(log.issues):,} of {log.rows_read:,} "
        "(quality.csv and report.html: what was dropped and why).",
        *(f"Filter: {w}" for w in log.where),
        "Every fitted figure is followed by its 95% interval and the count it rests on; the",
        "rest is copied from the base scenario or marked ESTIMATE.",
        "",
        "Close minus create is a RESOLUTION time (waiting included), not a handling time.",
        "handling_min: the base's handling time (else a default), an ESTIMATE, capped at the",
        "log's Kaplan-Meier 25th percentile of resolution time (see each category).",
    ]
    if result.pooled:
        header.append(f"Categories with fewer than {MIN_ISSUES} issues in the window are pooled "
                      f"into '{OTHER}': {len(result.pooled)} of the log's categories.")
    spec = base.scenario
    start = log.first
    horizon = {"days": log.days, "warmup_days": min(14, max(log.days // 10, 1)),
               "start": start.isoformat()}
    communities = []
    base_communities = {c["id"]: c for c in base.data.get("communities", [])}
    households_text = ("households from the households table" if
                       (result.areas["households_source"] == "given").all() else
                       f"NOMINAL households ({NOMINAL_HOUSEHOLDS:,} per area on average, "
                       "in proportion to the area's issues; give --households for real ones)")
    for row in result.areas.to_dict("records"):
        entry: dict[str, Any] = {"id": row["community"], "name": row["area"],
                                 "households": int(row["households"])}
        kept = base_communities.get(row["community"])
        if kept and kept.get("grids") and row["households_source"] != "nominal":
            entry["grids"] = kept["grids"]
        communities.append((entry, f"{row['issues']:,} issues in the log"))
    overall = result.profile
    profile_values = {"hour_of_day": list(overall.hour_of_day),
                      "day_of_week": list(overall.day_of_week)}
    if overall.month is not None:
        profile_values["month"] = list(overall.month)
    profile_comments = [
        f"Arrival profile of all {overall.n:,} issues ({source}); Poisson MLE, 95% bootstrap "
        f"intervals ({BOOTSTRAP} draws) in calibration.csv.",
        f"hour_of_day x day_of_week reproduces the hour-of-week counts with correlation "
        f"{overall.correlation:.3f} (Pearson chi2 {overall.chi2:.0f} on {overall.df} df, "
        f"p = {overall.p_value:.2g}).",
    ]
    profile_comments += _interval_comments(overall)
    if overall.month is not None:
        missing = [m for m in range(1, 13) if m not in overall.months_observed]
        profile_comments.append(
            f"month: fitted for months {overall.months_observed}; months {missing} are not in "
            "the log and get the mean of those that are (ESTIMATE).")
    else:
        profile_comments.append("month: not fitted (the window holds fewer than two months "
                                "of 14 days): flat.")
    demand = []
    new = [c for c, f in result.categories.items() if f.base_key is None]
    for code, f in result.categories.items():
        base_spec = base.data.get("demand", {}).get(f.base_key, {}) if f.base_key else {}
        entry = {"per_1000_households_per_year": round(f.rate.value, 4),
                 "handling_min": f.handling_min}
        entry.update({k: base_spec[k] for k in ("priority", "urgent", "preempt", "walk_in",
                                                "escalation", "respond_within_min",
                                                "resolve_within_h") if k in base_spec})
        if f.own_profile is not None:
            own = {"hour_of_day": list(f.own_profile.hour_of_day),
                   "day_of_week": list(f.own_profile.day_of_week)}
            if f.own_profile.month is not None:
                own["month"] = list(f.own_profile.month)
            entry["arrival_profile"] = own
        best = f.resolution.best
        value_h = f.resolution.km_quantiles.set_index("quantile")["value_h"]  # Kaplan-Meier
        names = ", ".join(repr(n) for n in f.names[:3]) + (
            f" and {len(f.names) - 3} more" if len(f.names) > 3 else "")
        comments = [
            f"{code}: the log's {names}: {f.n:,} issues in the window.",
            f"per_1000_households_per_year: {_fmt_ci(f.rate.value, f.rate.ci_low, f.rate.ci_high)}"
            f" ({f.rate.method}); daily counts: dispersion index {f.dispersion.index:.2f}, "
            f"{f.dispersion.verdict.replace('_', '-')} (p = {f.dispersion.p_value:.2g}).",
            "arrival_profile: " + ("fitted to this category's issues; 95% intervals:"
                                   if f.own_profile else
                                   f"the scenario's (fewer than {PROFILE_MIN} issues)."),
            *(_interval_comments(f.own_profile, "  ") if f.own_profile else []),
            f"resolution time (close - create, waiting included; "
            f"{len(f.resolution.durations.open_h):,} still open, right-censored): "
            f"{best.family} by AIC, mean "
            f"{_fmt_ci(best.mean_h, *best.mean_ci)} h, cv {_fmt_ci(best.cv, *best.cv_ci)}; "
            f"Kaplan-Meier p50 {value_h.loc[0.5]:.3g} h, p90 {value_h.loc[0.9]:.3g} h.",
            f"handling_min: {f.handling_note}.",
        ]
        if f.base_key is None:
            comments.append("priority and targets: defaults (ESTIMATE); the log's category is "
                            "not one of the base's.")
        else:
            comments.append(f"priority, escalation and targets: the base's {f.base_key}.")
        if code == OTHER:
            comments.append(f"{OTHER}: pooled from {len(result.pooled)} categories with fewer "
                            f"than {MIN_ISSUES} issues each.")
        demand.append((code, entry, comments))
    notes = ["surges: left out (they are the base's, of the base's categories)",
             "care_visits: left out (scheduled visits are not in an issue log; copy the base's "
             "care_visits: if the district makes them)",
             "report_delay_min: none; the log's created time is the report, and the rates and "
             "profiles above are those of reports"]
    copied = copied_sections(base.data, list(result.categories), new, base.source, notes)
    name = f"Calibrated from {log.path.name}"
    description = (f"Communities and demand fitted to {source}; staffing, calendars, dispatch, "
                   f"travel and departments from {Path(base.source).name} ({spec.name}).")
    areas_comment = (f"One community per area of the log (column {log.columns.area!r}); "
                     if log.columns.area else "One community: the log names no areas; ")
    text = write_yaml(header, name, description, horizon, (areas_comment + households_text,
                                                           communities),
                      (profile_values, profile_comments), demand, copied, base.source, notes)
    text = _with_workers_for_demand(text, notes, log)
    return text, notes


def _interval_comments(fit: ProfileFit, indent: str = "") -> list[str]:
    """One comment line per fitted list: each factor's 95% bootstrap interval."""
    lines = []
    for quantity in ("hour_of_day", "day_of_week", "month"):
        rows = fit.table[fit.table["quantity"] == quantity]
        if quantity == "month":
            rows = rows[rows["index"].isin(fit.months_observed)]
        if rows.empty:
            continue
        spans = " ".join(f"{r.ci_low:.2f}-{r.ci_high:.2f}" for r in rows.itertuples())
        months = f" (months {fit.months_observed})" if quantity == "month" else ""
        lines.append(f"{indent}{quantity} 95% intervals{months}: {spans}")
    return lines


def _with_workers_for_demand(text: str, notes: list[str], log: IssueLog) -> str:
    """Raise the community workers of a community whose demand the base's staffing rule
    cannot carry (the scenario would not validate) to the fewest that can, and say so."""
    from pydantic import ValidationError

    from sim.scenario.schema import Scenario

    data = yaml.load(text, Loader=SAFE_LOADER)
    raised: dict[str, int] = {}
    while True:
        try:
            spec = Scenario.model_validate(data)
        except ValidationError as exc:
            raise GridsimError(f"the calibrated scenario does not validate: {exc}") from None
        short = [c for c in spec.communities if shortfall(spec, c) is not None]
        if not short:
            return _mark(text, raised, notes) if raised else text
        for community in short:
            entry = next(c for c in data["communities"] if c["id"] == community.id)
            entry["community_workers"] = spec.workers(community) + 1
            raised[community.id] = entry["community_workers"]
            if entry["community_workers"] > MAX_WORKERS:
                raise GridsimError(f"community {community.id}: its demand needs more than "
                                   f"{MAX_WORKERS} workers under the base's staffing; check "
                                   "the households and the handling times")


def _mark(text: str, raised: dict[str, int], notes: list[str]) -> str:
    lines = text.split("\n")
    out = []
    for line in lines:
        for community, workers in raised.items():
            marker = f"{{id: {community},"
            if line.startswith(f"  - {marker}"):
                line = line[:-1] + f", community_workers: {workers}}}"
                out.append(line)
                out.append(f"    # community_workers: {workers}, the fewest that carry the "
                           "log's demand (the base's households-per-worker rule gives too few "
                           "for the scenario to be stable): ESTIMATE")
                break
        else:
            out.append(line)
    notes.append(f"community_workers raised for {len(raised)} communities whose demand the "
                 "base's rule cannot carry")
    return "\n".join(out)


def _load(text: str, log: IssueLog) -> LoadedScenario:
    try:
        return from_mapping(yaml.load(text, Loader=SAFE_LOADER),
                            f"{log.path.name} (calibrated.yaml)")
    except ScenarioError as exc:
        raise GridsimError("the calibrated scenario does not validate: "
                           + "; ".join(exc.problems)) from None


# ---------------------------------------------------------------- calibration.csv


def calibration_table(result: CalibrateResult) -> pd.DataFrame:
    """Every fitted figure, tidy: category, area, quantity, value, ci_low, ci_high, n, method."""
    rows: list[tuple[Any, ...]] = []
    log = result.log

    def add(category: str, area: str, quantity: str, value: float, low: float = math.nan,
            high: float = math.nan, n: int = 0, method: str = "") -> None:
        rows.append((category, area, quantity, float(value), float(low), float(high), int(n),
                     method))

    for row in result.areas.to_dict("records"):
        add("all", row["community"], "households", row["households"], n=row["issues"],
            method=row["households_source"])
    _profile_rows(add, "all", result.profile)
    issues = log.issues
    located = issues[issues["area"] != UNKNOWN_AREA]
    by_area = pd.crosstab(located["code"], located["area"]).reindex(
        index=list(result.categories), columns=result.areas["area"], fill_value=0)
    lows, highs = poisson_interval(by_area.to_numpy())
    communities = result.areas["community"].tolist()
    per_household = 1000.0 / result.areas["households"].to_numpy(float)
    for k, (code, f) in enumerate(result.categories.items()):
        r = f.rate
        add(code, "all", "rate_per_1000_households_per_year", r.value, r.ci_low, r.ci_high,
            r.n, r.method)
        n = by_area.iloc[k].to_numpy()
        scale = per_household / f.years
        for i, community in enumerate(communities):
            add(code, community, "rate_per_1000_households_per_year", n[i] * scale[i],
                lows[k, i] * scale[i], highs[k, i] * scale[i], int(n[i]),
                "poisson_exact (this area's issues)")
        d = f.dispersion
        from scipy import stats

        add(code, "all", "daily_dispersion_index", d.index,
            d.chi2 / stats.chi2.ppf(0.975, d.df), d.chi2 / stats.chi2.ppf(0.025, d.df),
            f.n, f"pearson_chi2 {d.chi2:.1f} on {d.df} df, p={d.p_value:.3g}: {d.verdict}")
        if f.own_profile is not None:
            _profile_rows(add, code, f.own_profile)
        durations = f.resolution.durations
        for family, fit in f.resolution.fits.items():
            chosen = " (chosen: lowest AIC)" if family == f.resolution.chosen else ""
            method = f"censored_mle_{family}{chosen}"
            add(code, "all", f"resolution_h_mean_{family}", fit.mean_h, *fit.mean_ci,
                durations.n, method)
            if family != "exponential":
                add(code, "all", f"resolution_h_cv_{family}", fit.cv, *fit.cv_ci, durations.n,
                    method)
            add(code, "all", f"resolution_aic_{family}", fit.aic, n=durations.n, method=method)
        for q in f.resolution.km_quantiles.to_dict("records"):
            percent = round(q["quantile"] * 100)
            add(code, "all", f"resolution_h_p{percent}", q["value_h"], q["ci_low_h"],
                q["ci_high_h"], durations.n, "kaplan_meier (right-censored)")
            add(code, "all", f"resolution_h_p{percent}_fitted",
                float(f.resolution.best.ppf(q["quantile"])), n=durations.n,
                method=f"fitted_{f.resolution.chosen}")
        add(code, "all", "resolution_open_at_export", len(durations.open_h), n=durations.n,
            method=f"censored at {log.as_of:%Y-%m-%d %H:%M}")
        add(code, "all", "resolution_zero_length", durations.zero, n=durations.n,
            method="under one minute (left-censored)")
        kind, params = next(iter(f.handling_min.items()))
        add(code, "all", "handling_min_mean", params.get("mean", params.get("value", math.nan)),
            n=f.n, method=f"rule: {f.handling_note}")
    return pd.DataFrame(rows, columns=["category", "area", "quantity", "value", "ci_low",
                                       "ci_high", "n", "method"])


def _profile_rows(add: Callable[..., None], category: str, p: ProfileFit) -> None:
    method = f"poisson_mle, bootstrap {BOOTSTRAP}"
    for r in p.table.to_dict("records"):
        if r["quantity"] == "hour_of_day":
            name = f"hour_of_day_{r['index']:02d}"
        elif r["quantity"] == "day_of_week":
            name = f"day_of_week_{WEEKDAYS[r['index']]}"
        else:
            name = f"month_{r['index']:02d}"
            if r["index"] not in p.months_observed:
                add(category, "all", name, r["value"], n=p.n,
                    method="not in the log: mean of the fitted months (ESTIMATE)")
                continue
        add(category, "all", name, r["value"], r["ci_low"], r["ci_high"], p.n, method)
    add(category, "all", "week_profile_correlation", p.correlation, n=p.n,
        method="hour of week: counts against hour_of_day x day_of_week")
    add(category, "all", "week_profile_chi2_p_value", p.p_value, n=p.n,
        method=f"pearson_chi2 {p.chi2:.1f} on {p.df} df")


def sha256_file(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
