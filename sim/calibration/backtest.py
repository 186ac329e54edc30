"""``sim.backtest``: a scenario simulated over a log's period and set against what happened.

The scenario's horizon is moved onto the log's window (its warm-up before the window's first
day), replications are run with per-issue records, and per category (and per community when the
log's areas are the scenario's communities) the simulated and observed counts per week and the
resolution-time quantiles are compared.

**Prediction intervals are for one realisation**, not for the mean: the replications' weekly
counts have mean m and variance s²; a new week's count is taken as negative binomial with that
mean and variance max(s², m) x (1 + 1/R) (at least Poisson; the 1/R for the mean estimated from
R replications), Poisson where that variance is m. Resolution quantiles: the replications'
quantiles q_r give mean ± t(R-1) x s x sqrt(1 + 1/R). Observed quantiles are Kaplan–Meier (cases
still open right-censored).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.calibration.calibrate import OTHER, _category_codes, _date
from sim.calibration.demand import LEVEL
from sim.calibration.durations import QUANTILES, Durations, km_quantiles
from sim.calibration.logfile import UNKNOWN_AREA, IssueLog, LogColumns, read_category_map, read_log
from sim.calibration.scenario import make_ids
from sim.errors import GridsimError
from sim.experiment.runner import resolve, run
from sim.scenario.loading import LoadedScenario

KIND = "backtest"
ALL = "all"
MIN_RESOLVED = 10
"""Fewer closed cases than this in a category: its quantiles are not compared."""


@dataclass
class BacktestResult:
    """What ``sim.backtest`` returns.

    ``weeks`` (backtest.csv): category, area, week_start, days, observed, predicted_mean,
    predicted_low, predicted_high, inside. ``verdicts``: per category (and area) the weeks,
    share inside, totals with their interval, and the verdict. ``quantiles``: observed
    (Kaplan–Meier, 95% CI) and simulated (95% prediction interval) resolution-time quantiles.
    """

    scenario: LoadedScenario
    log: IssueLog
    replications: int
    seed: int
    weeks: pd.DataFrame
    verdicts: pd.DataFrame
    quantiles: pd.DataFrame
    dropped: dict[str, int]
    folder: Path | None = None
    seconds: float = 0.0
    manifest: dict[str, Any] = field(default_factory=dict, repr=False)

    def inside_share(self, category: str, area: str = ALL) -> float:
        """Share of weeks whose observed count lies in the 95% prediction interval."""
        rows = self.weeks[(self.weeks.category == category) & (self.weeks.area == area)]
        return float(rows["inside"].mean())

    def _repr_html_(self) -> str:
        v = self.verdicts[self.verdicts.area == ALL]
        return (f"<h4>Back-test of {self.scenario.name} on {self.log.describe()}</h4>"
                f"<p>{self.replications} replications, seed {self.seed}"
                + (f"; folder <code>{self.folder}</code>" if self.folder else "") + "</p>"
                + v.to_html(index=False))


def backtest(
    scenario: str | Path | LoadedScenario,
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
    category_map: str | Path | pd.DataFrame | None = None,
    replications: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    save: bool = True,
    lang: str | None = None,
    executor: str = "process",
    workers: int | None = None,
    progress: bool | None = None,
    command: str | None = None,
) -> BacktestResult:
    """Simulate the log's window with ``scenario`` and compare counts and resolution times.

    The column options are those of :func:`sim.calibrate`; ``first``/``last`` bound the test
    window. ``category_map`` maps the log's categories onto the scenario's (a calibration
    writes one: ``category_map.csv``, or ``CalibrateResult.category_map()``); without it the
    log's names are made into code names as ``calibrate`` does. With ``save``, writes
    backtest.csv, verdicts.csv, quantiles.csv and report.html to ``out``.
    """
    started = time.perf_counter()
    loaded = resolve(scenario)
    columns = LogColumns(created, closed, category, area, status, tuple(location))
    if isinstance(category_map, pd.DataFrame):
        mapping = dict(zip(category_map.iloc[:, 0].astype(str), category_map.iloc[:, 1],
                           strict=True))
    else:
        mapping = read_category_map(category_map) if category_map else {}
    issue_log = read_log(log, columns, tuple(where), _date(first, "first"), _date(last, "last"),
                         mapping)
    observed, dropped = _observed(issue_log, loaded, mapping)
    replications = replications or loaded.scenario.experiment.replications
    seed = loaded.scenario.experiment.seed if seed is None else seed
    moved = over_window(loaded, issue_log.first, issue_log.last)
    records = run(moved, replications=replications, seed=seed, records=True, save=False,
                  executor=executor, workers=workers, progress=progress).records
    assert records is not None  # asked for with records=True
    simulated = _simulated(records, moved, issue_log)
    weeks = weekly(observed, simulated, issue_log, replications)
    verdicts = verdict_table(weeks, replications)
    quantiles = quantile_table(observed, simulated, issue_log, replications)
    result = BacktestResult(loaded, issue_log, replications, seed, weeks, verdicts, quantiles,
                            dropped)
    if save:
        from sim.calibration.output import save_backtest

        save_backtest(result, out, lang, command)
    result.seconds = time.perf_counter() - started
    return result


def over_window(loaded: LoadedScenario, first: dt.date, last: dt.date) -> LoadedScenario:
    """The scenario with its horizon on the window: warm-up before ``first``, to ``last``."""
    warmup = float(loaded.scenario.horizon.warmup_days)
    warmup_days = math.ceil(warmup)
    days = (last - first).days + 1
    return loaded.with_overrides({
        "horizon.start": (first - dt.timedelta(days=warmup_days)).isoformat(),
        "horizon.days": days + warmup_days, "horizon.warmup_days": warmup_days})


def _observed(log: IssueLog, loaded: LoadedScenario, mapping: dict[str, str]
              ) -> tuple[pd.DataFrame, dict[str, int]]:
    """The log's issues with the scenario's category and community codes."""
    issues = log.issues
    demand = set(loaded.scenario.demand)
    codes = _category_codes(issues, mapping)
    code = issues["category"].map(codes)
    unknown = ~code.isin(demand)
    if OTHER in demand:
        code = code.where(~unknown, OTHER)
        unknown = ~code.isin(demand)
    dropped = {"categories not in the scenario": int(unknown.sum())}
    # an area is a community when the scenario names it so (a calibrated scenario keeps the
    # log's area as the community's name), else when its code name is the community's id
    named = {c.name: c.id for c in loaded.scenario.communities if c.name}
    ids = {c.id for c in loaded.scenario.communities}
    names = [a for a in issues["area"].unique() if a != UNKNOWN_AREA]
    made = make_ids(names, "area")
    lookup = {a: named.get(a, made[a] if made[a] in ids else "") for a in names}
    community = issues["area"].map(lambda a: lookup.get(a, ""))
    frame = issues.assign(code=code, community=community)[~unknown.to_numpy()]
    if frame.empty:
        raise GridsimError(f"{log.path}: none of the log's categories is one of the "
                           f"scenario's ({', '.join(sorted(demand))}); give a category map")
    return frame, dropped


def _simulated(records: pd.DataFrame, moved: LoadedScenario, log: IssueLog) -> pd.DataFrame:
    """Simulated issues reported inside the window, with their date and resolution time."""
    start = pd.Timestamp(moved.scenario.horizon.start)
    created = start + pd.to_timedelta(records["reported_min"].to_numpy(), unit="min")
    day = created.normalize()
    inside = (day >= pd.Timestamp(log.first)) & (day <= pd.Timestamp(log.last))
    return pd.DataFrame({"replication": records["replication"].to_numpy()[inside],
                         "code": records["category"].astype(str).to_numpy()[inside],
                         "community": records["community"].astype(str).to_numpy()[inside],
                         "created": created[inside],
                         "resolution_h": records["resolution_h"].to_numpy()[inside]})


def _week_starts(log: IssueLog) -> pd.DatetimeIndex:
    first = pd.Timestamp(log.first)
    monday = first - pd.Timedelta(days=first.weekday())
    return pd.date_range(monday, pd.Timestamp(log.last), freq="7D")


def _week_of(times: pd.Series, log: IssueLog) -> np.ndarray:
    monday = pd.Timestamp(log.first) - pd.Timedelta(days=log.first.weekday())
    return ((times.dt.normalize() - monday).dt.days // 7).to_numpy()


def predictive_interval(counts: np.ndarray, replications: int
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% prediction interval of one new realisation, from the replications' counts
    along the last axis (see the module docstring)."""
    counts = np.asarray(counts, dtype=float)
    m = counts.mean(axis=-1)
    s2 = counts.var(axis=-1, ddof=1) if counts.shape[-1] > 1 else m
    variance = np.maximum(s2, m) * (1 + 1 / replications)
    alpha = (1 - LEVEL) / 2
    safe = np.maximum(m, 1e-12)
    extra = variance > m * (1 + 1e-9)
    n = np.where(extra, safe * safe / np.maximum(variance - m, 1e-12), 1.0)
    p = np.where(extra, safe / np.maximum(variance, 1e-12), 0.5)
    low = np.where(extra, stats.nbinom.ppf(alpha, n, p), stats.poisson.ppf(alpha, safe))
    high = np.where(extra, stats.nbinom.ppf(1 - alpha, n, p), stats.poisson.ppf(1 - alpha, safe))
    zero = m <= 0
    return m, np.where(zero, 0.0, low), np.where(zero, 0.0, high)


def weekly(observed: pd.DataFrame, simulated: pd.DataFrame, log: IssueLog,
           replications: int) -> pd.DataFrame:
    """Observed and predicted counts per category (and community) and week."""
    starts = _week_starts(log)
    n_weeks = len(starts)
    ends = [min((s + pd.Timedelta(days=7)).date(), log.last + dt.timedelta(days=1))
            for s in starts]
    days = [(e - max(s.date(), log.first)).days for s, e in zip(starts, ends, strict=True)]
    obs = observed.assign(week=_week_of(observed["created"], log), area=ALL)
    sim = simulated.assign(week=_week_of(simulated["created"], log), area=ALL)
    groups = [(code, ALL) for code in sorted(obs["code"].unique())]
    located = obs[obs["community"] != ""]
    groups += sorted(set(zip(located["code"], located["community"], strict=True)))
    index = {g: i for i, g in enumerate(groups)}
    observed_counts = np.zeros((len(groups), n_weeks))
    simulated_counts = np.zeros((len(groups), replications, n_weeks))
    for frame, by_area in ((obs, False), (located, True)):
        keys = zip(frame["code"], frame["community"] if by_area else frame["area"],
                   strict=True)
        g = np.array([index.get(k, -1) for k in keys], dtype=int)
        np.add.at(observed_counts, (g, frame["week"].to_numpy()), 1)
    for by_area in (False, True):
        frame = sim[sim["community"] != ""] if by_area else sim
        keys = zip(frame["code"], frame["community"] if by_area else frame["area"],
                   strict=True)
        g = np.array([index.get(k, -1) for k in keys], dtype=int)
        keep = g >= 0
        np.add.at(simulated_counts, (g[keep], frame["replication"].to_numpy()[keep],
                                     frame["week"].to_numpy()[keep]), 1)
    mean, low, high = predictive_interval(np.moveaxis(simulated_counts, 1, 2), replications)
    return pd.DataFrame({
        "category": np.repeat([g[0] for g in groups], n_weeks),
        "area": np.repeat([g[1] for g in groups], n_weeks),
        "week_start": np.tile([s.date() for s in starts], len(groups)),
        "days": np.tile(days, len(groups)),
        "observed": observed_counts.ravel().astype(int),
        "predicted_mean": mean.ravel(), "predicted_low": low.ravel(),
        "predicted_high": high.ravel(),
        "inside": ((low <= observed_counts) & (observed_counts <= high)).ravel()})


def verdict_table(weeks: pd.DataFrame, replications: int) -> pd.DataFrame:
    """Per category (and area): share of weeks inside, totals with their interval, verdict.

    ``too_high``/``too_low``: the window's observed total lies outside the total's 95%
    prediction interval (sum of the weeks' means; variance from the weeks' intervals, at
    least Poisson); ``too_variable``: totals agree but more weeks fall outside than a correct
    model leaves with 95% probability (binomial, 5% a week); else ``consistent``.
    """
    z = stats.norm.ppf((1 + LEVEL) / 2)
    frame = weeks.assign(
        misses=~weeks["inside"],
        spread=((weeks["predicted_high"] - weeks["predicted_low"]) / (2 * z)) ** 2)
    g = frame.groupby(["category", "area"], sort=False).agg(
        weeks=("observed", "size"), misses=("misses", "sum"), observed_total=("observed", "sum"),
        predicted_total=("predicted_mean", "sum"), spread=("spread", "sum")).reset_index()
    half = z * np.sqrt(np.maximum(g["spread"], g["predicted_total"]))
    low = np.maximum(g["predicted_total"] - half, 0.0)
    high = g["predicted_total"] + half
    allowed = stats.binom.ppf(LEVEL, g["weeks"], 1 - LEVEL)
    verdict = np.select([g["observed_total"] > high, g["observed_total"] < low,
                         g["misses"] > allowed], ["too_low", "too_high", "too_variable"],
                        "consistent")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(g["predicted_total"] > 0,
                         g["observed_total"] / g["predicted_total"], np.nan)
    return pd.DataFrame({"category": g["category"], "area": g["area"], "weeks": g["weeks"],
                         "inside_share": 1 - g["misses"] / g["weeks"],
                         "observed_total": g["observed_total"],
                         "predicted_total": g["predicted_total"],
                         "predicted_total_low": low, "predicted_total_high": high,
                         "observed_over_predicted": ratio, "verdict": verdict})


def quantile_table(observed: pd.DataFrame, simulated: pd.DataFrame, log: IssueLog,
                   replications: int) -> pd.DataFrame:
    """Observed (Kaplan–Meier) against simulated resolution-time quantiles, per category."""
    rows = []
    t = stats.t.ppf((1 + LEVEL) / 2, max(replications - 1, 1))
    per_code = simulated.groupby(["code", "replication"])["resolution_h"].quantile(
        np.array(QUANTILES)).unstack()
    for code, g in observed.groupby("code"):
        durations = Durations.of(g["created"], g["closed"], log.as_of)
        km = km_quantiles(durations).set_index("quantile")
        simulated_q = per_code.loc[code] if code in per_code.index.get_level_values(0) \
            else pd.DataFrame(columns=list(QUANTILES))
        for q in QUANTILES:
            per_rep = simulated_q[q].dropna()
            mean = float(per_rep.mean()) if len(per_rep) else math.nan
            sd = float(per_rep.std(ddof=1)) if len(per_rep) > 1 else math.nan
            half = t * sd * math.sqrt(1 + 1 / replications) if np.isfinite(sd) else math.nan
            o = km.loc[q]
            resolved = len(durations.closed_h) + durations.zero
            if resolved < MIN_RESOLVED or not np.isfinite(o["value_h"]) or not np.isfinite(mean):
                verdict = "no_data"
            elif o["value_h"] > mean + half:
                verdict = "too_fast"
            elif o["value_h"] < mean - half:
                verdict = "too_slow"
            else:
                verdict = "consistent"
            rows.append((code, q, o["value_h"], o["ci_low_h"], o["ci_high_h"], durations.n,
                         mean, max(mean - half, 0.0) if np.isfinite(half) else math.nan,
                         mean + half, verdict))
    return pd.DataFrame(rows, columns=["category", "quantile", "observed_h", "observed_low_h",
                                       "observed_high_h", "n_observed", "simulated_mean_h",
                                       "simulated_low_h", "simulated_high_h", "verdict"])
