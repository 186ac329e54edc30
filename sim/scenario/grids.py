"""The engine's view of the grids (网格) of a scenario: one flat table over all communities.

:func:`build_grids` turns each community's ``grids`` (none, a ``lattice`` or a ``table``) into
rows of a :class:`GridTable`; :func:`distance_m` and :func:`within_grid_distance_m` give travel
distances between and inside grids. docs/grids.md describes the rules and estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from sim.errors import ScenarioError
from sim.scenario.governance import LatticeGrids, TableGrids
from sim.scenario.schema import Community, Scenario

M2_PER_HOUSEHOLD = 100.0
"""ESTIMATE: land per household (m²) for a grid whose area is not known: a community's single
default grid, a lone table grid without ``area_m2``. About 100 m² of block per household is
mid-rise urban housing (5-6 storeys, ~100 m² flats, roads and open space included)."""

MEAN_DISTANCE_UNIT_SQUARE = (2 + math.sqrt(2) + 5 * math.log(1 + math.sqrt(2))) / 15
"""Mean Euclidean distance between two independent uniform points in the unit square,
(2 + √2 + 5 ln(1 + √2)) / 15 ≈ 0.5214 (the square line picking constant; e.g. Weisstein,
"Square Line Picking", MathWorld)."""

MEAN_MANHATTAN_UNIT_SQUARE = 2 / 3
"""Mean Manhattan distance between two uniform points in the unit square: E|Δx| + E|Δy| = 2/3."""

METRICS = ("euclidean", "manhattan")


@dataclass(frozen=True, eq=False)
class GridTable:
    """All grids of a scenario, one row per grid, in community order then layout order.

    Arrays are read-only. ``community`` is the index into ``scenario.communities``.
    """

    ids: tuple[str, ...]
    community: np.ndarray  # int
    households: np.ndarray  # int
    x_m: np.ndarray  # centre, easting (m)
    y_m: np.ndarray  # centre, northing (m)
    area_m2: np.ndarray
    issue_weight: np.ndarray
    building_heads: np.ndarray  # bool
    elderly_share: np.ndarray  # households with an elderly member; NaN where none is given

    def __len__(self) -> int:
        return len(self.ids)

    def of_community(self, c: int) -> np.ndarray:
        """Grid indices (rows of this table) of community ``c``, in layout order."""
        bounds = self._bounds
        if not 0 <= c < len(bounds) - 1:
            return np.arange(0)
        return np.arange(bounds[c], bounds[c + 1])

    @cached_property
    def _bounds(self) -> np.ndarray:
        """Where each community's rows begin (rows come community by community)."""
        if np.any(np.diff(self.community) < 0):
            raise ValueError("a GridTable's rows come community by community")
        top = int(self.community.max()) + 2 if len(self.community) else 1
        return np.searchsorted(self.community, np.arange(top))

    def centre(self, g: int) -> tuple[float, float]:
        """Position (x, y) of grid ``g``'s centre, metres."""
        return float(self.x_m[g]), float(self.y_m[g])

    def index(self, grid_id: str) -> int:
        """Row of the grid ``grid_id``."""
        return self.ids.index(grid_id)


def build_grids(scenario: Scenario) -> GridTable:
    """The grids of every community of ``scenario``.

    - no ``grids``: one grid with the community's id, all its households, centred at its office,
      area = households × :data:`M2_PER_HOUSEHOLD` (an ESTIMATE);
    - ``lattice``: rows × cols grids ``<community>-r<row>c<col>`` (1-based, zero-padded), row 1
      the northernmost, column 1 the westernmost, ``spacing_m`` apart and centred on the office;
      households split by ``household_weights`` with the largest-remainder method (exact sum);
      area = spacing²;
    - ``table``: as given; a missing area is (distance to the nearest other grid centre of the
      community)², or households × :data:`M2_PER_HOUSEHOLD` for a lone grid.

    ``elderly_share`` is the grid's, else its community's, else ``coverage.elderly_share``.

    Raises :class:`ScenarioError` if two grids of the scenario share an id.
    """
    ids: list[str] = []
    columns: dict[str, list] = {k: [] for k in (
        "community", "households", "x_m", "y_m", "area_m2", "issue_weight", "building_heads",
        "elderly_share")}
    for c, community in enumerate(scenario.communities):
        rows = _community_grids(community)
        default = _first(community.elderly_share, scenario.coverage.elderly_share)
        for row in rows:
            ids.append(row.pop("id"))
            row["community"] = c
            row["elderly_share"] = _first(row.pop("elderly_share", None), default)
            for key, value in row.items():
                columns[key].append(value)
    _check_unique(ids, columns["community"], scenario)

    def frozen(values: list[Any], dtype: type) -> np.ndarray:
        array: np.ndarray = np.asarray(values, dtype=dtype)
        array.setflags(write=False)
        return array

    return GridTable(
        ids=tuple(ids),
        community=frozen(columns["community"], np.int64),
        households=frozen(columns["households"], np.int64),
        x_m=frozen(columns["x_m"], float),
        y_m=frozen(columns["y_m"], float),
        area_m2=frozen(columns["area_m2"], float),
        issue_weight=frozen(columns["issue_weight"], float),
        building_heads=frozen(columns["building_heads"], bool),
        elderly_share=frozen(columns["elderly_share"], float),
    )


def _first(*values: float | None) -> float:
    """The first value given, else NaN."""
    return next((float(v) for v in values if v is not None), math.nan)


def _community_grids(community: Community) -> list[dict]:
    grids = community.grids
    x0, y0 = community.office_m
    if grids is None:
        return [dict(id=community.id, households=community.households, x_m=x0, y_m=y0,
                     area_m2=community.households * M2_PER_HOUSEHOLD, issue_weight=1.0,
                     building_heads=True)]
    if isinstance(grids, LatticeGrids):
        return _lattice(community.id, community.households, grids, x0, y0)
    assert isinstance(grids, TableGrids)
    return _table(grids)


def _lattice(cid: str, households: int, grids: LatticeGrids, x0: float, y0: float) -> list[dict]:
    rows, cols, spacing = grids.rows, grids.cols, grids.spacing_m
    n = rows * cols
    weights = grids.household_weights or [1.0] * n
    split = largest_remainder(households, weights)
    issue = grids.issue_weights or [1.0] * n
    rw, cw = len(str(rows)), len(str(cols))
    out = []
    for k in range(n):
        i, j = divmod(k, cols)
        out.append(dict(
            id=f"{cid}-r{i + 1:0{rw}d}c{j + 1:0{cw}d}",
            households=split[k],
            x_m=x0 + (j - (cols - 1) / 2) * spacing,
            y_m=y0 + ((rows - 1) / 2 - i) * spacing,  # row 1 is the northernmost
            area_m2=spacing * spacing,
            issue_weight=float(issue[k]),
            building_heads=grids.building_heads,
        ))
    return out


def _table(grids: TableGrids) -> list[dict]:
    items = grids.grids
    x = np.array([g.x_m for g in items])
    y = np.array([g.y_m for g in items])
    out = []
    for k, g in enumerate(items):
        area = g.area_m2
        if area is None:
            nearest = _nearest_other(x, y, k)  # 0 for a lone grid or one sharing its centre
            area = nearest**2 if nearest > 0 else max(g.households, 1) * M2_PER_HOUSEHOLD
        out.append(dict(id=g.id, households=g.households, x_m=g.x_m, y_m=g.y_m,
                        area_m2=float(area), issue_weight=g.issue_weight,
                        building_heads=g.building_heads, elderly_share=g.elderly_share))
    return out


def _nearest_other(x: np.ndarray, y: np.ndarray, k: int) -> float:
    if len(x) < 2:
        return 0.0
    d = np.hypot(x - x[k], y - y[k])
    d[k] = np.inf
    return float(d.min())


def _check_unique(ids: list[str], community: list[int], scenario: Scenario) -> None:
    first: dict[str, int] = {}
    problems = []
    for gid, c in zip(ids, community, strict=True):
        if gid in first:
            a, b = scenario.communities[first[gid]].id, scenario.communities[c].id
            problems.append(
                f"grid id '{gid}' appears more than once (communities '{a}' and '{b}'; lattice "
                "grids are named <community>-r<row>c<col>, a community without grids has one "
                "grid named after it)")
        else:
            first[gid] = c
    if problems:
        raise ScenarioError(problems)


def largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` that sum exactly to ``total``.

    Each share gets the floor of its exact quota ``total * w / sum(w)``; the units left go one
    each to the largest fractional remainders (ties: the earlier share). Exact arithmetic
    (fractions), so a quota that is a whole number is never rounded the wrong way.
    """
    exact = [Fraction(w) for w in weights]
    whole = sum(exact)
    if total < 0 or whole <= 0:
        raise ValueError("total must be >= 0 and the weights must not all be zero")
    quotas = [total * w / whole for w in exact]
    shares = [math.floor(q) for q in quotas]
    left = total - sum(shares)
    order = sorted(range(len(quotas)), key=lambda k: (-(quotas[k] - shares[k]), k))
    for k in order[:left]:
        shares[k] += 1
    return shares


# ---------------------------------------------------------------- distances


def distance_m(x1, y1, x2, y2, metric: str = "euclidean") -> np.ndarray:
    """Straight-line (``euclidean``) or grid-street (``manhattan``) distance; broadcasts."""
    dx = np.asarray(x2, dtype=float) - np.asarray(x1, dtype=float)
    dy = np.asarray(y2, dtype=float) - np.asarray(y1, dtype=float)
    if metric == "euclidean":
        return np.hypot(dx, dy)
    if metric == "manhattan":
        return np.abs(dx) + np.abs(dy)
    raise ValueError(f"unknown metric {metric!r} (known: {', '.join(METRICS)})")


def within_grid_distance_m(area_m2, metric: str = "euclidean") -> np.ndarray:
    """Mean distance between two uniform random points in a square of ``area_m2``.

    0.5214·√A for ``euclidean`` (:data:`MEAN_DISTANCE_UNIT_SQUARE`), (2/3)·√A for
    ``manhattan``: the travel inside one grid, e.g. from a grid member to an issue in it.
    """
    side = np.sqrt(np.asarray(area_m2, dtype=float))
    if metric == "euclidean":
        return MEAN_DISTANCE_UNIT_SQUARE * side
    if metric == "manhattan":
        return MEAN_MANHATTAN_UNIT_SQUARE * side
    raise ValueError(f"unknown metric {metric!r} (known: {', '.join(METRICS)})")


CENTRE_TO_SQUARE = (math.sqrt(2) + math.log(1 + math.sqrt(2))) / 6
"""Mean Euclidean distance from the centre of a unit square to a uniform point in it (0.3826)."""


def from_point_distance_m(centre_m, area_m2, metric: str = "euclidean") -> np.ndarray:
    """Mean distance from a point ``centre_m`` away from a square grid's centre to a uniform
    point of the grid: exact when the point is the centre (0.3826·√A euclidean, √A/2
    manhattan), tending to ``centre_m`` far away (a smooth approximation between).

    The engine's travel from a responder's base to an issue in a grid, and coverage's walk
    from a service point to a household of a grid: one distance model for both.
    """
    centre_m = np.asarray(centre_m, dtype=float)
    side = np.sqrt(np.asarray(area_m2, dtype=float))
    if metric == "manhattan":
        return np.maximum(centre_m, side / 2)
    if metric == "euclidean":
        return np.hypot(centre_m, CENTRE_TO_SQUARE * side)
    raise ValueError(f"unknown metric {metric!r} (known: {', '.join(METRICS)})")
