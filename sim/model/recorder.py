"""Statistics accumulated as a run goes: flat memory in the number of issues.

The engine appends one row of :data:`~sim.model.records.RECORD_FIELDS` per closed issue (a plain
tuple) to its district's buffer (:attr:`Recorder.buffers`; one buffer without districts); every
:data:`PACK` rows a buffer becomes a numpy array (so that few rows, and the floats they hold,
stay alive as Python objects however many districts fill buffers at once), and every
:data:`FLUSH` issues of a district are folded into sums per grid x category cell and
histograms. A district's numbers are folded in batches of its own issues, so they come
out bit for bit the same whether the district runs alone or in the city's one loop
(sim.model.parts). Means, shares, utilisation and time-averages are exact; p50 and p90 come
from log-spaced histograms (2000 bins from 0.001 to 10^6, relative error at most 0.52%), kept
per community x category and per grid (int32 counts: a replication has fewer than 2^31 issues,
see sim.scenario.limits) and added up into the other groups when metrics are read.

Groups: everything (``all``), each community, each category, each community and category,
each grid of a community that has more than one grid (column ``grid``), and each such grid and
category (no quantiles: a grid sees few issues of a category; its shares and means are what
say whether it meets the category's targets).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd

from sim.model.measures import (
    ALL,
    observed,
    overlap,
    report_delay_min,
    resolution_h,
    response_min,
    visit_late,
    visit_missed,
    wait_min,
    within,
)
from sim.model.plan import ModelPlan
from sim.model.records import ESCALATE, ON_TIME, OVERFLOW, PREEMPTED, RECORD_FIELDS, Column
from sim.scenario.governance import CARE_VISIT, ROLES

FLUSH = 8192
PACK = 256  # divides FLUSH: a district's batches are the same whatever PACK is

_LO, _HI, _BINS = 1e-3, 1e6, 2000
_LOG_LO, _LOG_STEP = np.log(_LO), np.log(_HI / _LO) / _BINS
QUANTILE_RELATIVE_ERROR = float(np.expm1(_LOG_STEP / 2))
_ONE = np.int32(1)
_SUMS = (
    "issues", "served", "wait", "waited", "response", "response_targeted", "response_ok",
    "resolved", "resolution", "resolution_targeted", "resolution_ok", "report_delay",
    "escalated", "on_time", "overflow", "preempted", "cross_grid", "county_review",
    "open", "queue", "visits", "visits_late", "visits_missed",
)


def _bin(values: np.ndarray) -> np.ndarray:
    """Histogram bin of each value: 0 for exactly zero, 1.._BINS on a log scale."""
    out = np.zeros(values.shape, dtype=np.int64)
    positive = values > 0
    logs = (np.log(np.maximum(values[positive], _LO)) - _LOG_LO) / _LOG_STEP
    out[positive] = 1 + np.minimum(logs.astype(np.int64), _BINS - 1)
    return out


def _quantile(hist: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile of each row of ``hist`` (NaN for an empty row), geometric within a bin."""
    total = hist.sum(axis=1)
    cum = np.cumsum(hist, axis=1)
    rank = q * total
    b = np.minimum((cum < rank[:, None]).sum(axis=1), hist.shape[1] - 1)
    below = np.where(b > 0, np.take_along_axis(cum, np.maximum(b - 1, 0)[:, None], 1)[:, 0], 0)
    inside = np.take_along_axis(hist, b[:, None], 1)[:, 0]
    frac = np.where(inside > 0, (rank - below) / np.maximum(inside, 1), 0.0)
    value = np.exp(_LOG_LO + (b - 1 + np.clip(frac, 0, 1)) * _LOG_STEP)
    value = np.where(b == 0, 0.0, value)
    return np.where(total > 0, value, np.nan)


@dataclass
class Part:
    """The statistics of one district's part of a replication (:meth:`Recorder.part`), by the
    positions of its own plan: cell sums, the non-zero histogram counts, busy minutes per
    responder, issues left unfinished, and the per-issue records (if kept)."""

    cell_sums: np.ndarray
    hist_at: np.ndarray
    hist_count: np.ndarray
    busy: np.ndarray
    unfinished: int
    chunks: list[np.ndarray]


def utilisation(busy_min: np.ndarray, scheduled_min: np.ndarray) -> np.ndarray:
    """Busy over scheduled time, NaN where nothing was scheduled."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scheduled_min > 0, busy_min / scheduled_min, np.nan)


class Recorder:
    """Per-group statistics of one replication."""

    def __init__(self, plan: ModelPlan, keep_records: bool = False):
        self.plan = plan
        parts = max(len(plan.districts), 1)
        self.buffers: list[list[tuple]] = [[] for _ in range(parts)]
        self.buffer = self.buffers[0]  # the only one without districts
        self.buffer_of_grid = [self.buffers[plan.community_district[c]]
                               for c in plan.grids.community.tolist()]
        self._part_of = {id(b): d for d, b in enumerate(self.buffers)}
        self._packed: list[list[np.ndarray]] = [[] for _ in range(parts)]  # rows, by district
        self.keep_records = keep_records
        self._chunks: list[list[np.ndarray]] = [[] for _ in range(parts)]
        self.unfinished = 0
        communities, categories, grids = plan.communities, plan.categories, plan.grids
        nc, nk = len(communities), len(categories)
        grid_rows = np.flatnonzero(np.bincount(grids.community, minlength=nc)[grids.community] > 1
                                   ).tolist()  # the grids of communities with more than one
        self.groups: list[tuple[str, str, str]] = (
            [(ALL, ALL, ALL)]
            + [(c, ALL, ALL) for c in communities]
            + [(ALL, k, ALL) for k in categories]
            + [(c, k, ALL) for c in communities for k in categories]
            + [(communities[grids.community[g]], ALL, grids.ids[g]) for g in grid_rows]
        )
        quantiled = len(self.groups)  # groups with histograms (p50, p90): all but grid x category
        self.groups += [(communities[grids.community[g]], k, grids.ids[g])
                        for g in grid_rows for k in categories]
        spare = len(self.groups)
        self._grid_gid = np.full(len(grids.ids) + 1, spare, dtype=np.int64)
        self._grid_gid[grid_rows] = 1 + nc + nk + nc * nk + np.arange(len(grid_rows))
        self._grid_category_gid = np.full((len(grids.ids) + 1, nk), spare, dtype=np.int64)
        self._grid_category_gid[grid_rows] = quantiled + np.arange(len(grid_rows) * nk).reshape(
            len(grid_rows), nk)
        self._community_of_grid = grids.community.astype(np.int64)
        self._home = np.array([r.grid for r in plan.responders] + [-1], dtype=np.int64)
        n = len(self.groups) + 1  # a spare group that grid-less rows fall into
        self._n = n
        # statistics are kept per cell (grid x category) and summed into groups when read
        n_cells = len(grids.ids) * nk
        cell_grid, cell_category = np.divmod(np.arange(n_cells), nk)
        self._cell_groups = self._levels(cell_category, cell_grid)  # (levels, cells)
        self._cell_sums = np.zeros((len(_SUMS), n_cells))
        # histograms of each community x category and each grid row, and a spare row for the
        # grid of a one-grid community: the other groups' are their sums
        self._quantiled = quantiled
        n_cc = nc * nk
        grid_row = np.full(len(grids.ids), n_cc + len(grid_rows), dtype=np.int64)
        grid_row[grid_rows] = n_cc + np.arange(len(grid_rows))
        self._hist_rows = np.stack([self._community_of_grid[cell_grid] * nk + cell_category,
                                    grid_row[cell_grid]])
        self._n_hist = n_cc + len(grid_rows) + 1
        self._grid_hist_row = grid_row
        self._hist = np.zeros((3, self._n_hist * (_BINS + 1)), dtype=np.int32)
        self._busy = np.zeros(len(plan.responders) + 1)  # + a spare for "no responder"
        self._care = categories.index(CARE_VISIT) if CARE_VISIT in categories else -1

    def _levels(self, category: np.ndarray, grid: np.ndarray) -> np.ndarray:
        nc, nk = len(self.plan.communities), len(self.plan.categories)
        community = self._community_of_grid[grid]
        return np.stack([
            np.zeros_like(category), 1 + community, 1 + nc + category,
            1 + nc + nk + community * nk + category, self._grid_gid[grid],
            self._grid_category_gid[grid, category],
        ])

    def flush(self) -> None:
        """Fold every buffered issue into the statistics, district by district."""
        for d, buffer in enumerate(self.buffers):
            self._pack(buffer, d)
            if self._packed[d]:
                self._fold(d)

    def pack(self, buffer: list[tuple]) -> None:
        """Turn the rows of one district's buffer into an array; fold the district's issues
        once :data:`FLUSH` of them wait."""
        d = self._part_of[id(buffer)]
        self._pack(buffer, d)
        if sum(map(len, self._packed[d])) >= FLUSH:
            self._fold(d)

    def _pack(self, buffer: list[tuple], d: int) -> None:
        if buffer:
            fields = len(RECORD_FIELDS)
            self._packed[d].append(np.fromiter(chain.from_iterable(buffer), dtype=float,
                                               count=len(buffer) * fields).reshape(-1, fields))
            buffer.clear()

    def _fold(self, d: int) -> None:
        """Fold the packed issues of district ``d`` into the statistics."""
        packed = self._packed[d]
        rows = packed[0] if len(packed) == 1 else np.concatenate(packed)
        packed.clear()
        if self.keep_records:
            self._chunks[d].append(rows)
        columns = rows.T.copy()  # one contiguous array per field
        plan = self.plan
        category = columns[Column.CATEGORY].astype(np.int64)
        grid = columns[Column.GRID].astype(np.int64)
        occurred, reported = columns[Column.OCCURRED], columns[Column.REPORTED]
        start, onsite = columns[Column.START], columns[Column.ONSITE]
        closed = columns[Column.CLOSED]
        # -1 (no responder) -> the spare
        responder = columns[Column.RESPONDER].astype(np.int64) % len(self._busy)
        flags = columns[Column.FLAGS].astype(np.int64)
        lo, hi = plan.warmup_min, plan.horizon_min
        busy = overlap(columns[Column.BUSY_FROM], columns[Column.BUSY_TO], lo, hi)
        self._busy += np.bincount(responder, weights=busy, minlength=len(self._busy))
        served = ~np.isnan(start)
        resolved = ~np.isnan(closed)
        seen = observed(occurred, lo, hi)
        s_served, s_resolved = seen & served, seen & resolved
        wait = np.where(served, wait_min(reported, start), 0.0)
        response = np.where(served, response_min(reported, onsite), 0.0)
        resolution = np.where(resolved, resolution_h(reported, closed), 0.0)
        r_target = plan.respond_target_min[category]
        z_target = plan.resolve_target_h[category]
        county = plan.county_review_after_h
        end = np.where(resolved, closed, reported)
        visits = seen & (category == self._care)
        care_response = np.where(served, response, np.nan)
        per_issue = {
            "issues": seen,
            "served": s_served,
            "wait": np.where(s_served, wait, 0.0),
            "waited": s_served & (wait > 0),
            "response": np.where(s_served, response, 0.0),
            "response_targeted": s_served & ~np.isnan(r_target),
            "response_ok": s_served & within(response, r_target),
            "resolved": s_resolved,
            "resolution": np.where(s_resolved, resolution, 0.0),
            "resolution_targeted": s_resolved & ~np.isnan(z_target),
            "resolution_ok": s_resolved & within(resolution, z_target),
            "report_delay": np.where(seen, report_delay_min(occurred, reported), 0.0),
            "escalated": seen & ((flags & ESCALATE) > 0),
            "on_time": seen & ((flags & ON_TIME) > 0),
            "overflow": seen & ((flags & OVERFLOW) > 0),
            "preempted": seen & ((flags & PREEMPTED) > 0),
            "cross_grid": s_served & (self._home[responder] >= 0)
            & (self._home[responder] != grid),
            "county_review": s_resolved & (resolution > (county if county else np.inf)),
            "open": overlap(reported, end, lo, hi),
            "queue": overlap(reported, np.where(served, start, end), lo, hi),
            "visits": visits,
            "visits_late": visits & visit_late(care_response, r_target, plan.care_every_min),
            "visits_missed": visits & visit_missed(care_response, plan.care_every_min),
        }
        cell = grid * len(plan.categories) + category
        # only the cells of this batch (one district's): the cost does not grow with the city
        present, at = np.unique(cell, return_inverse=True)
        for i, key in enumerate(_SUMS):
            self._cell_sums[i, present] += np.bincount(at, weights=per_issue[key],
                                                       minlength=len(present))
        width = _BINS + 1
        for m, (mask, values) in enumerate(((s_served, wait), (s_served, response),
                                            (s_resolved, resolution))):
            cells = self._hist_rows[:, cell[mask]] * width + _bin(values[mask])
            np.add.at(self._hist[m], cells.ravel(), _ONE)  # a scalar of its dtype: fast path

    def part(self) -> Part:
        """This replication's statistics (all of them folded) for :meth:`absorb`: what a
        district's task sends back."""
        self.flush()
        hist = self._hist.ravel()
        at = np.flatnonzero(hist)
        return Part(self._cell_sums, at, hist[at], self._busy[:-1].copy(), self.unfinished,
                    [c for part in self._chunks for c in part])

    def absorb(self, part: Part, district: int, grids: np.ndarray, communities: np.ndarray,
               responders: np.ndarray) -> None:
        """Take in district ``district``'s ``part``, computed on its own plan, whose grids,
        communities and responders are ``grids``, ``communities``, ``responders`` here (by
        their positions in the district's plan). Every cell, histogram row and responder of
        the district is the district's alone, so the numbers are those of one loop."""
        nk = len(self.plan.categories)
        cells = (grids[:, None] * nk + np.arange(nk)).ravel()
        self._cell_sums[:, cells] = part.cell_sums
        # the part's histogram rows: community x category, its grid rows (grids of communities
        # with more than one), the spare
        spare = self._n_hist - 1
        grid_rows = self._grid_hist_row[grids]
        rows = np.concatenate([(communities[:, None] * nk + np.arange(nk)).ravel(),
                               grid_rows[grid_rows != spare], [spare]])
        width = _BINS + 1
        metric, rest = np.divmod(part.hist_at, len(rows) * width)
        row, bins = np.divmod(rest, width)
        np.add.at(self._hist, (metric, rows[row] * width + bins), part.hist_count)
        self._busy[responders] = part.busy
        self.unfinished += part.unfinished
        for chunk in part.chunks:
            chunk = chunk.copy()
            chunk[:, Column.GRID] = grids[chunk[:, Column.GRID].astype(np.int64)]
            served = chunk[:, Column.RESPONDER] >= 0
            chunk[served, Column.RESPONDER] = responders[
                chunk[served, Column.RESPONDER].astype(np.int64)]
            self._chunks[district].append(chunk)

    def _group_sums(self) -> np.ndarray:
        """The per-cell sums added up into groups: (sums, groups)."""
        levels = len(self._cell_groups)
        index = (np.arange(len(_SUMS))[:, None, None] * self._n + self._cell_groups).ravel()
        weights = np.broadcast_to(self._cell_sums[:, None, :], (len(_SUMS), levels,
                                                               self._cell_sums.shape[1]))
        sums = np.bincount(index, weights=weights.ravel(), minlength=len(_SUMS) * self._n)
        return sums.reshape(len(_SUMS), self._n)[:, :-1]

    def finish(self, busy_min: np.ndarray, unfinished: int) -> None:
        """Add busy minutes the engine kept itself (pre-empted segments, issues still open at the
        end) and note how many issues were left unfinished."""
        self.flush()
        self._busy[:-1] += busy_min
        self.unfinished = unfinished

    def metrics(self) -> pd.DataFrame:
        """One row per group with every metric of this replication (tidy, units in names)."""
        self.flush()
        s = dict(zip(_SUMS, self._group_sums(), strict=True))
        p50, p90 = zip(*(self._quantiles(m) for m in range(3)), strict=True)

        window = self.plan.window_min
        with np.errstate(invalid="ignore", divide="ignore"):
            issues, served, resolved = s["issues"], s["served"], s["resolved"]
            escalated = s["escalated"]
            columns = {
                "community": [g[0] for g in self.groups],
                "category": [g[1] for g in self.groups],
                "grid": [g[2] for g in self.groups],
                "issues": issues,
                "wait_min_mean": s["wait"] / served,
                "wait_min_p50": p50[0],
                "wait_min_p90": p90[0],
                "wait_probability": s["waited"] / served,
                "response_min_mean": s["response"] / served,
                "response_min_p50": p50[1],
                "response_min_p90": p90[1],
                "response_within_target_share": s["response_ok"] / s["response_targeted"],
                "resolution_h_mean": s["resolution"] / resolved,
                "resolution_h_p50": p50[2],
                "resolution_h_p90": p90[2],
                "resolution_within_target_share": s["resolution_ok"] / s["resolution_targeted"],
                "report_delay_min_mean": s["report_delay"] / issues,
                "escalated_share": escalated / issues,
                "department_on_time_share": s["on_time"] / escalated,
                "overflow_share": s["overflow"] / issues,
                "preempted_share": s["preempted"] / issues,
                "cross_grid_share": s["cross_grid"] / served,
                "county_review_share": s["county_review"] / resolved
                if self.plan.county_review_after_h else np.full(len(issues), np.nan),
                "backlog_mean": s["open"] / window,
                "queue_mean": s["queue"] / window,
                # issues still open DRAIN_DAYS after the horizon (0 unless demand outgrew
                # capacity): not in the other metrics, so a planner must see the count
                "unfinished": np.where(np.arange(len(issues)) == 0, self.unfinished, np.nan),
            }
            columns.update(self._capacity_metrics())
            columns["care_visit_late_share"] = s["visits_late"] / s["visits"]
            columns["care_visit_missed_share"] = s["visits_missed"] / s["visits"]
        return pd.DataFrame(columns)

    def _quantiles(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        """p50 and p90 of measure ``m`` (wait, response, resolution) for every group, in the
        order of :attr:`groups` (NaN for grid x category)."""
        nc, nk = len(self.plan.communities), len(self.plan.categories)
        hist = self._hist.reshape(3, self._n_hist, _BINS + 1)[m]
        cc = hist[:nc * nk].reshape(nc, nk, _BINS + 1)
        parts = (cc.sum(axis=(0, 1))[None], cc.sum(axis=1), cc.sum(axis=0), hist[:nc * nk],
                 hist[nc * nk:-1])
        unquantiled = np.full(len(self.groups) - self._quantiled, np.nan)
        return tuple(np.concatenate([*(_quantile(p, q) for p in parts), unquantiled])
                     for q in (0.5, 0.9))  # type: ignore[return-value]

    def _capacity_metrics(self) -> dict[str, np.ndarray]:
        """Utilisation (busy / scheduled time) overall and by role; volunteer hours and points."""
        plan = self.plan
        groups = len(self.groups)
        index = {g: i for i, g in enumerate(self.groups)}
        busy = np.zeros((len(ROLES) + 1, groups))
        scheduled = np.zeros((len(ROLES) + 1, groups))
        for r in plan.responders:
            community = plan.communities[r.community]
            rows = [0, index[(community, ALL, ALL)]]
            if r.grid >= 0 and (community, ALL, plan.grids.ids[r.grid]) in index:
                rows.append(index[(community, ALL, plan.grids.ids[r.grid])])
            for role_row in (0, 1 + ROLES.index(r.role)):
                busy[role_row, rows] += self._busy[r.index]
                scheduled[role_row, rows] += r.scheduled_min
        ratio = utilisation(busy, scheduled)
        out = {"utilisation": ratio[0]}
        for i, role in enumerate(ROLES):
            out[f"utilisation_{role}"] = ratio[1 + i]
        volunteer = busy[1 + ROLES.index("volunteer")] / 60.0
        has = scheduled[1 + ROLES.index("volunteer")] > 0
        out["volunteer_hours"] = np.where(has, volunteer, np.nan)
        out["volunteer_points"] = np.where(
            has, volunteer * plan.points_per_hour.get("volunteer", 0.0), np.nan)
        return out

    def role_utilisation(self, role: str) -> np.ndarray:
        """The ``utilisation_<role>`` of each community's row of :meth:`metrics`, by community
        number, without the rest of the metrics."""
        plan = self.plan
        busy, scheduled = np.zeros(len(plan.communities)), np.zeros(len(plan.communities))
        for r in plan.responders:
            if r.role == role:
                busy[r.community] += self._busy[r.index]
                scheduled[r.community] += r.scheduled_min
        return utilisation(busy, scheduled)

    def records(self) -> pd.DataFrame:
        """Per-issue records (only when ``keep_records``), one row per issue, by occurrence."""
        self.flush()
        chunks = [c for part in self._chunks for c in part]  # district by district
        rows = np.concatenate(chunks) if chunks else np.zeros((0, len(RECORD_FIELDS)))
        plan = self.plan
        category = rows[:, Column.CATEGORY].astype(np.int64)
        grid = rows[:, Column.GRID].astype(np.int64)
        responder = rows[:, Column.RESPONDER].astype(np.int64)
        flags = rows[:, Column.FLAGS].astype(np.int64)
        reported, start = rows[:, Column.REPORTED], rows[:, Column.START]
        onsite, closed = rows[:, Column.ONSITE], rows[:, Column.CLOSED]
        roles = np.array([r.role for r in plan.responders] + [""], dtype=object)
        frame = pd.DataFrame({
            "community": pd.Categorical.from_codes(
                self._community_of_grid[grid], pd.Index(plan.communities)),
            "grid": pd.Categorical.from_codes(grid, pd.Index(plan.grids.ids)),
            "category": pd.Categorical.from_codes(category, pd.Index(plan.categories)),
            "occurred_min": rows[:, Column.OCCURRED],
            "reported_min": reported,
            "start_min": start,
            "onsite_min": onsite,
            "closed_min": closed,
            "wait_min": wait_min(reported, start),
            "response_min": response_min(reported, onsite),
            "resolution_h": resolution_h(reported, closed),
            "responder": responder,
            "responder_role": roles[responder],
            "escalated": (flags & ESCALATE) > 0,
            "department_on_time": (flags & ON_TIME) > 0,
            "overflow": (flags & OVERFLOW) > 0,
            "preempted": (flags & PREEMPTED) > 0,
        })
        return frame.sort_values("occurred_min", kind="stable", ignore_index=True)
