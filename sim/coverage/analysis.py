"""``sim.measure_coverage`` (``gridsim coverage``): households within a walk of each kind of point.

For each kind of service point (and ``all``: any point), every grid is covered or left out by
the rule of :mod:`sim.coverage.walk`; households and elderly households (households x elderly
share) are added up by community and over the district. With ``add=n`` the best 1, ..., n new
points of each kind are placed exactly (:mod:`sim.coverage.placement`) among the grid centres or
the scenario's candidate sites. Results: ``coverage.csv``, ``placement.csv``, ``report.html``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.coverage import CANDIDATES, MAX_ADD, WEIGHTS
from sim.coverage.placement import max_cover
from sim.coverage.walk import WalkModel, covers
from sim.errors import GridsimError, OptionError, ScenarioError
from sim.experiment.runner import default_command, resolve
from sim.files.folder import default_folder
from sim.files.results import ResultFolder
from sim.report.i18n import DEFAULT_LANGUAGE, LANGUAGES
from sim.scenario.facilities import FACILITY_KINDS, inside_grid
from sim.scenario.grids import GridTable, build_grids
from sim.scenario.loading import LoadedScenario, facility_problems

KIND = "coverage"
ALL = "all"
COVERAGE_CSV = "coverage.csv"
PLACEMENT_CSV = "placement.csv"
REPORT_HTML = "report.html"
NEAR_MIN = 2.0
"""Grids whose mean walk is within this many minutes of the limit are shown as near it."""

COVERAGE_COLUMNS = [
    "kind", "community", "grid", "households", "elderly_households", "covered",
    "covered_households", "covered_elderly_households", "covered_share", "covered_elderly_share",
    "walk_min", "nearest_point"]
PLACEMENT_COLUMNS = [
    "kind", "points_added", "rank", "site", "grid", "x_m", "y_m", "new_households",
    "new_elderly_households", "new_grids", "covered_households_after", "covered_share_after",
    "covered_elderly_share_after"]


@dataclass
class CoverageResult:
    """What ``sim.measure_coverage`` returns.

    ``coverage``: coverage.csv, tidy: one row per kind (each kind and ``all``) and grid, then
    per community (``grid`` = all) and the district (``community`` = all). ``placement``:
    placement.csv, one row per new point of the best plan of 1, ..., ``add`` points per kind.
    ``points``: the service points and candidate sites with their grids. ``grids``: each grid
    with its position and community.
    """

    scenario: LoadedScenario
    within_min: float
    walk: WalkModel
    weight: str
    kinds: list[str]
    add: int
    candidates: str
    coverage: pd.DataFrame
    placement: pd.DataFrame
    points: pd.DataFrame
    grids: pd.DataFrame
    seconds: float = 0.0
    folder: Path | None = None
    manifest: dict[str, Any] = field(default_factory=dict)

    def left_out(self, kind: str = ALL) -> pd.DataFrame:
        """The grids of ``kind`` left out (not covered), most households first."""
        rows = self.grid_rows(kind)
        return rows[~rows["covered"].astype(bool)].sort_values(
            ["households", "grid"], ascending=[False, True])

    def grid_rows(self, kind: str = ALL) -> pd.DataFrame:
        c = self.coverage
        return c[(c["kind"] == kind) & (c["grid"] != ALL)]

    def map(self, kind: str = ALL, lang: str = "en"):
        """The map of the report: grids covered and left out by ``kind``, its points (and the
        proposed ones), their walking circles."""
        from sim.coverage.report import coverage_map

        return coverage_map(self, kind, lang)

    def totals(self) -> pd.DataFrame:
        """One row per kind: the district's households, covered households and shares."""
        c = self.coverage
        return c[(c["community"] == ALL)].set_index("kind")

    def total(self, kind: str = ALL) -> pd.Series:
        """The row of :meth:`totals` for ``kind``."""
        row = self.totals().loc[kind]
        assert isinstance(row, pd.Series)  # one district row per kind
        return row


def measure_coverage(
    scenario: str | Path | LoadedScenario,
    within_min: float | None = None,
    kinds: str | Sequence[str] | None = None,
    add: int = 0,
    candidates: str = "grids",
    weight: str = "households",
    out: str | Path | None = None,
    save: bool = True,
    lang: str | None = None,
) -> CoverageResult:
    """Households within ``within_min`` minutes' walk (default: the scenario's
    ``coverage.within_min``) of each kind of point; with ``add`` > 0 also the best 1, ...,
    ``add`` new points of each kind among ``candidates`` (``grids``: grid centres; ``sites``:
    ``coverage.candidate_sites``), maximising covered ``weight`` (``households`` or
    ``elderly``). Writes coverage.csv, placement.csv and report.html (``lang`` zh or en) into
    ``out`` unless ``save`` is False."""
    started = time.perf_counter()
    loaded = resolve(scenario)
    spec = loaded.scenario
    limit = _check_options(within_min, spec.coverage.within_min, add, candidates, weight, lang)
    chosen = _kinds(kinds, loaded)
    problems = facility_problems(loaded)
    if problems:
        raise ScenarioError(problems)
    grids = build_grids(spec)
    _check_overlap(grids, loaded)
    walk = WalkModel.of(spec)
    elderly = grids.households * grids.elderly_share
    if weight == "elderly" and not np.isfinite(elderly).all():
        missing = [grids.ids[i] for i in np.flatnonzero(~np.isfinite(elderly))][:3]
        raise OptionError(
            f"`weight`: elderly weights need an elderly share for every grid (none for "
            f"{', '.join(missing)}, ...): give coverage.elderly_share, or elderly_share per "
            f"community or grid, in {loaded.source}", "weight")
    points = _points(loaded, grids)
    existing = points[points["role"] == "point"]
    minutes = walk.minutes(existing["x_m"].to_numpy(), existing["y_m"].to_numpy(), grids)
    frames, covered_by = [], {}
    for kind in [*chosen, ALL]:
        rows = np.flatnonzero(existing["kind"].to_numpy() == kind) if kind != ALL else (
            np.flatnonzero(existing["kind"].isin(chosen).to_numpy()))
        covered, nearest, walk_min = _nearest(minutes[rows], limit)
        covered_by[kind] = covered
        ids = existing["point"].to_numpy()[rows]
        frames.append(_coverage_rows(kind, grids, loaded, elderly, covered, walk_min,
                                     [ids[k] if k >= 0 else "" for k in nearest]))
    coverage = pd.concat(frames, ignore_index=True)[COVERAGE_COLUMNS]
    placement = _placement(chosen, add, candidates, weight, walk, limit, grids, elderly,
                           covered_by, points, loaded)
    result = CoverageResult(
        scenario=loaded, within_min=limit, walk=walk, weight=weight, kinds=chosen, add=add,
        candidates=candidates, coverage=coverage, placement=placement, points=points,
        grids=_grid_frame(grids, loaded), seconds=time.perf_counter() - started)
    if save:
        _publish(result, out, lang or _language(loaded))
    return result


# ---------------------------------------------------------------- options


def _check_options(within_min: float | None, default: float, add: int, candidates: str,
                   weight: str, lang: str | None) -> float:
    limit = default if within_min is None else within_min
    if not (isinstance(limit, int | float) and np.isfinite(limit) and limit > 0):
        raise OptionError(f"`within_min`: must be a positive number of minutes (got {limit!r})",
                          "within_min")
    if not isinstance(add, int) or isinstance(add, bool) or not 0 <= add <= MAX_ADD:
        raise OptionError(f"`add`: must be a whole number from 0 to {MAX_ADD} (got {add!r})",
                          "add")
    if candidates not in CANDIDATES:
        raise OptionError(f"`candidates`: use {' or '.join(CANDIDATES)} (got {candidates!r})",
                          "candidates")
    if weight not in WEIGHTS:
        raise OptionError(f"`weight`: use {' or '.join(WEIGHTS)} (got {weight!r})", "weight")
    if lang is not None and lang not in LANGUAGES:
        raise OptionError(f"`lang`: use {' or '.join(LANGUAGES)} (got {lang!r})", "lang")
    return float(limit)


def _kinds(kinds: str | Sequence[str] | None, loaded: LoadedScenario) -> list[str]:
    """The kinds asked for, or every kind the scenario has points or candidate sites of."""
    if kinds is None:
        present = {f.kind for f in loaded.scenario.facilities}
        chosen: list[str] = [k for k in FACILITY_KINDS if k in present]
        if not chosen:
            raise GridsimError(f"{loaded.source}: facilities: no service points; list them "
                               "(docs/coverage.md), or name a kind to place new ones")
        return chosen
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = [k for k in wanted if k not in FACILITY_KINDS]
    if unknown or not wanted:
        raise OptionError(f"`kind`: unknown facility kind {', '.join(map(repr, unknown))} "
                          f"(kinds: {', '.join(FACILITY_KINDS)})", "kind")
    return [k for k in FACILITY_KINDS if k in wanted]


def _language(loaded: LoadedScenario) -> str:
    return str(getattr(loaded.scenario, "language", None) or DEFAULT_LANGUAGE)


def _check_overlap(grids: GridTable, loaded: LoadedScenario) -> None:
    """Coverage needs a real map: communities whose grids overlap have no positions yet."""
    half = np.sqrt(grids.area_m2) / 2
    names = [c.id for c in loaded.scenario.communities]
    for a in range(len(names)):
        ga = grids.of_community(a)
        for b in range(a + 1, len(names)):
            gb = grids.of_community(b)
            wide = np.minimum(grids.x_m[ga, None] + half[ga, None], grids.x_m[gb] + half[gb]) \
                - np.maximum(grids.x_m[ga, None] - half[ga, None], grids.x_m[gb] - half[gb])
            high = np.minimum(grids.y_m[ga, None] + half[ga, None], grids.y_m[gb] + half[gb]) \
                - np.maximum(grids.y_m[ga, None] - half[ga, None], grids.y_m[gb] - half[gb])
            shared = np.clip(wide, 0, None) * np.clip(high, 0, None)
            smaller = np.minimum(grids.area_m2[ga, None], grids.area_m2[gb])
            if (shared > 0.1 * smaller).any():
                raise GridsimError(
                    f"{loaded.source}: communities: the grids of '{names[a]}' and '{names[b]}' "
                    "overlap on the map, so walking distances between them mean nothing; give "
                    "each community its office_m (lattices are centred on it) or a grid file "
                    "with real positions")


# ---------------------------------------------------------------- points and coverage


def _points(loaded: LoadedScenario, grids: GridTable) -> pd.DataFrame:
    """Service points (role ``point``) and candidate sites (role ``site``) with positions."""
    spec = loaded.scenario
    rows = []
    items: list[tuple[str, Any]] = [("point", f) for f in spec.facilities]
    items += [("site", s) for s in spec.coverage.candidate_sites]
    for role, item in items:
        if item.grid is not None:
            g = grids.index(item.grid)
            x, y = float(grids.x_m[g]), float(grids.y_m[g])
        else:
            x, y = float(item.x_m), float(item.y_m)
            g = inside_grid(x, y, grids.x_m, grids.y_m, grids.area_m2)
        rows.append({
            "role": role, "point": item.id, "name": item.name or item.id,
            "kind": getattr(item, "kind", ""),
            "kinds": " ".join(getattr(item, "kinds", None) or []),
            "opening_hours": getattr(item, "opening_hours", ""),
            "weekly_open_h": _weekly_hours(spec, getattr(item, "opening_hours", None)),
            "offers": " ".join(getattr(item, "offers", [])),
            "grid": grids.ids[g], "community": spec.communities[int(grids.community[g])].id,
            "x_m": x, "y_m": y})
    columns = ["role", "point", "name", "kind", "kinds", "opening_hours", "weekly_open_h",
               "offers", "grid", "community", "x_m", "y_m"]
    return pd.DataFrame(rows, columns=columns)


def _weekly_hours(spec, calendar: str | None) -> float:
    if calendar is None:
        return float("nan")
    if calendar == "always":
        return 168.0
    return float(spec.calendars[calendar].weekly_hours())


def _nearest(minutes: np.ndarray, limit: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per grid: covered, the nearest point's row (-1: none) and its walk (NaN: none)."""
    grids = minutes.shape[1]
    if minutes.shape[0] == 0:
        return np.zeros(grids, bool), np.full(grids, -1), np.full(grids, np.nan)
    nearest = np.argmin(minutes, axis=0)
    walk_min = minutes[nearest, np.arange(grids)]
    return covers(walk_min, limit), nearest, walk_min


def _coverage_rows(kind: str, grids: GridTable, loaded: LoadedScenario, elderly: np.ndarray,
                   covered: np.ndarray, walk_min: np.ndarray, nearest: list[str]
                   ) -> pd.DataFrame:
    names = [c.id for c in loaded.scenario.communities]
    households = grids.households.astype(float)
    frame = pd.DataFrame({
        "kind": kind, "community": [names[int(c)] for c in grids.community],
        "grid": list(grids.ids), "households": grids.households.astype(int),
        "elderly_households": elderly, "covered": covered,
        "covered_households": np.where(covered, households, 0.0).astype(int),
        "covered_elderly_households": np.where(covered, elderly, 0.0),
        "walk_min": walk_min, "nearest_point": nearest})
    by_community = frame.groupby("community", sort=False)[
        ["households", "elderly_households", "covered_households",
         "covered_elderly_households"]].sum(min_count=1).reset_index()
    by_community["grid"] = ALL
    total = by_community.drop(columns=["community", "grid"]).sum(min_count=1).to_frame().T
    total["community"], total["grid"] = ALL, ALL
    sums = pd.concat([by_community, total], ignore_index=True)
    sums["kind"] = kind
    out = pd.concat([frame, sums], ignore_index=True)
    out["covered_share"] = out["covered_households"] / out["households"].where(
        out["households"] > 0)
    out["covered_elderly_share"] = out["covered_elderly_households"] / out[
        "elderly_households"].where(out["elderly_households"] > 0)
    out["covered"] = out["covered"].astype("boolean")  # aggregates: <NA>
    out["nearest_point"] = out["nearest_point"].fillna("")
    for column in ("households", "covered_households"):
        out[column] = out[column].astype(int)
    return out


def _grid_frame(grids: GridTable, loaded: LoadedScenario) -> pd.DataFrame:
    names = [c.id for c in loaded.scenario.communities]
    return pd.DataFrame({
        "grid": list(grids.ids), "community": [names[int(c)] for c in grids.community],
        "households": grids.households.astype(int), "x_m": grids.x_m, "y_m": grids.y_m,
        "area_m2": grids.area_m2, "elderly_share": grids.elderly_share})


# ---------------------------------------------------------------- placement


def _placement(kinds: list[str], add: int, candidates: str, weight: str, walk: WalkModel,
               limit: float, grids: GridTable, elderly: np.ndarray,
               covered_by: dict[str, np.ndarray], points: pd.DataFrame,
               loaded: LoadedScenario) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    if add == 0:
        return pd.DataFrame(rows, columns=PLACEMENT_COLUMNS)
    households = grids.households.astype(float)
    value = households if weight == "households" else elderly
    elderly_known = np.where(np.isfinite(elderly), elderly, 0.0)
    for kind in kinds:
        sites = _sites(kind, candidates, grids, points, loaded)
        cover = covers(walk.minutes(sites["x_m"].to_numpy(), sites["y_m"].to_numpy(), grids),
                       limit)
        base = covered_by[kind]
        gain = np.where(base, 0.0, value)
        for n in range(1, add + 1):
            plan = max_cover(cover, gain, n)
            covered = base.copy()
            for rank, s in enumerate(plan.sites, start=1):
                new = cover[s] & ~covered
                covered |= cover[s]
                rows.append({
                    "kind": kind, "points_added": n, "rank": rank,
                    "site": sites["site"].iloc[s], "grid": sites["grid"].iloc[s],
                    "x_m": sites["x_m"].iloc[s], "y_m": sites["y_m"].iloc[s],
                    "new_households": int(households[new].sum()),
                    "new_elderly_households": float(elderly[new].sum()),
                    "new_grids": int(new.sum()),
                    "covered_households_after": int(households[covered].sum()),
                    "covered_share_after": float(households[covered].sum() / households.sum()),
                    "covered_elderly_share_after": float(
                        elderly_known[covered].sum() / elderly.sum()),
                })
    return pd.DataFrame(rows, columns=PLACEMENT_COLUMNS)


def _sites(kind: str, candidates: str, grids: GridTable, points: pd.DataFrame,
           loaded: LoadedScenario) -> pd.DataFrame:
    if candidates == "grids":
        return pd.DataFrame({"site": list(grids.ids), "grid": list(grids.ids),
                             "x_m": grids.x_m, "y_m": grids.y_m})
    sites = points[points["role"] == "site"]
    fits = sites["kinds"].map(lambda k: not k or kind in k.split())
    sites = sites[fits]
    if sites.empty:
        raise OptionError(f"`candidates`: no candidate site may host a {kind} "
                          f"(coverage.candidate_sites in {loaded.source})", "candidates")
    return sites.rename(columns={"point": "site"})[["site", "grid", "x_m", "y_m"]]


# ---------------------------------------------------------------- the folder


def _publish(result: CoverageResult, out: str | Path | None, lang: str) -> None:
    from sim.coverage.report import coverage_report

    loaded = result.scenario
    path = Path(out) if out is not None else default_folder(loaded.name, kind=KIND)
    identity = {"scenario_sha256": loaded.digest(), "within_min": result.within_min,
                "kinds": result.kinds, "add": result.add, "candidates": result.candidates,
                "weight": result.weight}
    folder = ResultFolder.open(
        path, kind=KIND, identity=identity,
        command=default_command("measure_coverage", loaded, within_min=result.within_min,
                                kinds=result.kinds, add=result.add),
        inputs={"scenario.yaml": lambda p: p.write_text(loaded.to_yaml(), encoding="utf-8")},
        info={"scenario": loaded.name, "scenario_file": loaded.source, "lang": lang})
    with folder.guarded():
        result.folder = path
        result.manifest = folder.manifest
        html = coverage_report(result, lang)
        folder.publish_tables(
            {PLACEMENT_CSV: result.placement, COVERAGE_CSV: result.coverage},
            marker=COVERAGE_CSV,
            others={REPORT_HTML: lambda p: p.write_text(html, encoding="utf-8")})
