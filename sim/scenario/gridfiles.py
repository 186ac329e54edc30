"""Grid files: a CSV or GeoJSON of the grids of all communities, inlined into the scenario.

A scenario names one with ``grid_file:`` (a path relative to the scenario file that names it).
:func:`inline_grid_file` reads it and sets each listed community's ``grids`` to a ``table``
layout, so the rest of the toolkit only ever sees :class:`~sim.scenario.governance.TableGrids`.

CSV columns: ``grid_id, community_id, households, x_m, y_m`` (required) and ``name, area_m2,
issue_weight, building_heads, elderly_share`` (optional; an empty cell takes the default).
GeoJSON: a FeatureCollection of Polygon/MultiPolygon features with those properties except
``x_m, y_m``; the centre (centroid) and area come from the geometry. Coordinates are projected
metres, or WGS84 longitude/latitude degrees when every coordinate lies within |x| <= 180,
|y| <= 90 (or the file's ``crs`` member names CRS84/EPSG:4326); degrees are projected with a
local equirectangular projection (:func:`project_lonlat`). See docs/grids.md.

Every problem of the file is collected and raised together as one
:class:`~sim.errors.ScenarioError`, each message naming the file and the row (CSV: its line
number, the header is line 1) or feature (1-based, with its grid id) and the column.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import ScenarioError
from sim.scenario import cells
from sim.scenario.common import is_grid_id
from sim.scenario.files import read_text
from sim.scenario.limits import MAX_GRIDS
from sim.scenario.tables import CSV_SUFFIXES, EXCEL_SUFFIXES, Table, TableRef, read_table

REQUIRED = ("grid_id", "community_id", "households", "x_m", "y_m")
OPTIONAL = ("name", "area_m2", "issue_weight", "building_heads", "elderly_share")
GEOJSON_REQUIRED = ("grid_id", "community_id", "households")
SHEETS = ("grids", "网格")
"""The sheet of a workbook that holds the grids when the scenario names none (or its only
sheet)."""
GEOJSON_SUFFIXES = (".geojson", ".json")

_GRID_ID_MAX = 60
_LONLAT_CRS = re.compile(r"(CRS84|EPSG:+4326)\b", re.IGNORECASE)

# WGS84 ellipsoid
WGS84_A = 6_378_137.0
WGS84_F = 1 / 298.257223563
WGS84_E2 = WGS84_F * (2 - WGS84_F)


# ---------------------------------------------------------------- entry point


def inline_grid_file(data: dict[str, Any], path: Path | TableRef, source: str,
                     inherited: Collection[str] = ()) -> str:
    """Read the grid file ``path`` and set ``data["communities"][i]["grids"]`` from it; return
    how it was read (``grids.csv (GB18030)``).

    ``source`` is the scenario file that named it (for messages). Communities without rows in
    the file keep what they have; one with both rows and its own ``grids`` is an error, unless
    its grids are ``inherited`` (came from a file the scenario extends): the rows replace them.
    Raises :class:`ScenarioError` with every problem found.
    """
    ref = path if isinstance(path, TableRef) else TableRef(Path(path))
    path = ref.path
    where = str(path)
    named = f"named by grid_file in {source}"
    if not path.exists():
        raise ScenarioError([f"{where}: no such file ({named})"])
    if path.is_dir():
        raise ScenarioError([f"{where}: is a folder, not a grid file ({named})"])
    suffix = path.suffix.lower()
    if suffix in GEOJSON_SUFFIXES:
        records, problems = read_geojson_grids(path)
        read_as = f"{path.name} (GeoJSON)"
    elif suffix in CSV_SUFFIXES + EXCEL_SUFFIXES:
        records, problems, table = read_table_grids(ref, named)
        read_as = table.describe()
    else:
        kind = repr(path.suffix) if path.suffix else "(no suffix)"
        old = "; save an .xls workbook as .xlsx from Excel" if suffix == ".xls" else ""
        raise ScenarioError([f"{where}: unknown grid file type {kind}: use .csv, .xlsx, "
                             f".geojson or .json ({named}){old}"])
    communities = data.get("communities")
    if isinstance(communities, list) and inherited:
        listed = {r.community_id for r in records}
        for i, c in enumerate(communities):
            if isinstance(c, dict) and c.get("id") in listed and c.get("id") in inherited:
                communities[i] = {k: v for k, v in c.items() if k != "grids"}
    problems += _check_against_scenario(records, data, where, source)
    if problems:
        raise ScenarioError(problems)
    by_community: dict[int, list[dict[str, Any]]] = {}
    for record in records:
        assert record.community_index is not None and record.item is not None
        by_community.setdefault(record.community_index, []).append(record.item)
    communities = data["communities"]
    for index, items in by_community.items():
        communities[index] = {**communities[index], "grids": {"layout": "table", "grids": items}}
    return read_as


# ---------------------------------------------------------------- one grid of the file


@dataclass
class GridRecord:
    """One row or feature: where it is, its community and the ``GridItem`` mapping it gives."""

    where: str  # "row 3" or "feature 2 (grid_id g1)"
    grid_id: str | None
    community_id: str | None
    households: int | None
    item: dict[str, Any] | None = None  # None when the row has problems
    community_index: int | None = None


def _read_fields(
    get: Callable[[str], Any], label: str, file: str, required: tuple[str, ...],
    problems: list[str], shown: Callable[[str], str] = str,
) -> GridRecord:
    """One row/feature: ``get(column)`` gives a raw value; problems go to ``problems``, the
    column named by ``shown(column)`` (a workbook adds its letter)."""
    before = len(problems)
    values: dict[str, Any] = {}
    for column in (*required, *OPTIONAL):
        value, error = _PARSERS[column](get(column), column in required)
        if error:
            problems.append(f"{file}: {label}: {shown(column)}: {error}")
        elif value is not None:
            values[column] = value
    record = GridRecord(label, values.get("grid_id"), values.get("community_id"),
                        values.get("households"))
    ok = len(problems) == before
    if ok:
        record.item = {"id": values["grid_id"], "households": values["households"]}
        for key in ("x_m", "y_m", *OPTIONAL):
            if key in values:
                record.item[key] = values[key]
    return record


def _parse_grid_id(value: Any, required: bool) -> tuple[Any, str | None]:
    if cells.missing(value):
        return None, "missing"
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None, f"must be a text id (got {cells.shown(value)})"
    text = value.strip()
    if not is_grid_id(text):
        return None, (f"must be 1-{_GRID_ID_MAX} letters (of any script), digits, '_', '.' or "
                      f"'-', starting with a letter or digit (got {cells.shown(value)})")
    return text, None


def _parse_bool(value: Any, required: bool) -> tuple[Any, str | None]:
    return cells.boolean(value, False)  # an empty cell: the default (true)


def _parse_community_id(value: Any, required: bool) -> tuple[Any, str | None]:
    if cells.missing(value):
        return None, "missing"
    if not isinstance(value, str):
        return None, f"must be a community id (got {cells.shown(value)})"
    return value.strip(), None


_PARSERS: dict[str, cells.Parser] = {
    "grid_id": _parse_grid_id,
    "community_id": _parse_community_id,
    "name": cells.text,
    "households": cells.whole("households"),
    "x_m": cells.real(),
    "y_m": cells.real(),
    "area_m2": cells.real(0.0, inclusive=False),
    "issue_weight": cells.real(0.0),
    "building_heads": _parse_bool,
    "elderly_share": cells.share,
}


def _near_misses(names: list[str], known: tuple[str, ...], what: str, where: str) -> list[str]:
    """Problems for names that look like typos of known ones (other extra names are ignored)."""
    out = []
    for name in names:
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
        if close and close[0] not in names:
            out.append(f"{where}: unknown {what} {name!r}; did you mean {close[0]!r}?")
    return out


# ---------------------------------------------------------------- CSV and Excel


def read_table_grids(ref: TableRef, named_by: str = "") -> tuple[list[GridRecord], list[str],
                                                                  Table]:
    """The grids of a CSV file or a workbook's sheet, the problems found (whole-table problems
    raise at once) and the table as read (how: its encoding)."""
    table = read_table(ref, "grid file", named_by, SHEETS, REQUIRED)
    where = table.where
    rows = table.rows
    if len(rows) > MAX_GRIDS:
        raise ScenarioError([f"{where}: {len(rows):,} rows are more than the {MAX_GRIDS:,} grids "
                             "one scenario may have"])
    header = table.header
    problems: list[str] = []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        hint = ""
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            sep = "';'" if ";" in header[0] else "a tab"
            hint = f" (the header seems separated by {sep}; use commas)"
        problems.append(f"{where}: missing columns: {', '.join(missing)}{hint}")
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        problems.append(f"{where}: columns named more than once: {', '.join(twice)}")
    problems += _near_misses(header, REQUIRED + OPTIONAL, "column", where)
    if problems:
        raise ScenarioError(problems)
    column = {name: i for i, name in enumerate(header)}

    records = []
    for line, row in rows:
        if all(cells.missing(c) for c in row):
            continue  # blank lines and rows of empty cells
        label = f"row {line}"
        if len(row) > len(header) and not all(cells.missing(c) for c in row[len(header):]):
            problems.append(f"{where}: {label}: has {len(row)} cells but the header has "
                            f"{len(header)} columns")
            continue

        def get(name: str, row: list[Any] = row) -> Any:
            i = column.get(name)
            return row[i] if i is not None and i < len(row) else None

        record = _read_fields(get, label, where, REQUIRED, problems, table.column)
        records.append(record)
    if not records and not problems:
        raise ScenarioError([f"{where}: no grid rows after the header"])
    return records, problems, table


# ---------------------------------------------------------------- GeoJSON


def read_geojson_grids(path: Path) -> tuple[list[GridRecord], list[str]]:
    """The grids of a GeoJSON FeatureCollection and the problems found.

    Centre and area come from the geometry (shapely); an ``area_m2`` property overrides the
    computed area.
    """
    import shapely
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    where = str(path)
    text = read_text(path, "grid file", encoding="utf-8-sig")
    if not text.strip():
        raise ScenarioError([f"{where}: empty file (expected a GeoJSON FeatureCollection)"])
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError([f"{where}: malformed GeoJSON: line {exc.lineno}, column "
                             f"{exc.colno}: {exc.msg}"]) from None
    except RecursionError:
        raise ScenarioError([f"{where}: malformed GeoJSON: nested too deeply"]) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise ScenarioError([f"{where}: malformed GeoJSON: expected a FeatureCollection "
                             f"(got {got!r})"])
    features = doc.get("features")
    if not isinstance(features, list):
        raise ScenarioError([f"{where}: malformed GeoJSON: 'features' must be a list"])
    if not features:
        raise ScenarioError([f"{where}: no features in the FeatureCollection"])
    if len(features) > MAX_GRIDS:
        raise ScenarioError([f"{where}: {len(features):,} features are more than the "
                             f"{MAX_GRIDS:,} grids one scenario may have"])

    problems: list[str] = []
    records: list[GridRecord] = []
    geometries: list[Any] = []  # shapely geometry per record, None if unusable
    seen_names: set[str] = set()
    for n, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"{where}: feature {n}: malformed GeoJSON: not a Feature")
            continue
        props = feature.get("properties")
        if props is None:
            props = {}
        if not isinstance(props, dict):
            problems.append(f"{where}: feature {n}: properties: must be a mapping")
            props = {}
        seen_names.update(props)
        gid, _ = _parse_grid_id(props.get("grid_id"), True)
        label = f"feature {n} (grid_id {gid})" if gid else f"feature {n}"
        before = len(problems)
        record = _read_fields(props.get, label, where, GEOJSON_REQUIRED, problems)
        geometry = _geometry(feature.get("geometry"), shape, explain_validity)
        if isinstance(geometry, str):
            problems.append(f"{where}: {label}: geometry: {geometry}")
            geometry = None
        if len(problems) > before:
            record.item = None
        records.append(record)
        geometries.append(geometry)
    problems[:0] = _near_misses(sorted(seen_names), GEOJSON_REQUIRED + OPTIONAL, "property",
                                where)

    if doc.get("crs") is None:
        problems += _mixed_units(records, geometries, where)
    usable = [g for g in geometries if g is not None]
    if usable and not problems:
        project = _projection(doc, usable, shapely)
        for record, geometry in zip(records, geometries, strict=True):
            if record.item is None or geometry is None:
                continue
            metric = shapely.transform(geometry, project) if project else geometry
            centre = metric.centroid
            record.item["x_m"] = float(centre.x)
            record.item["y_m"] = float(centre.y)
            record.item.setdefault("area_m2", float(metric.area))
    return records, problems


def _geometry(raw: Any, shape: Any, explain_validity: Any) -> Any:
    """A valid shapely (Multi)Polygon, or a message saying what is wrong with ``raw``."""
    if raw is None:
        return "missing (a Polygon or MultiPolygon is needed)"
    if not isinstance(raw, dict) or "type" not in raw:
        return "malformed geometry (expected a mapping with 'type' and 'coordinates')"
    kind = raw["type"]
    if kind not in ("Polygon", "MultiPolygon"):
        return f"must be a Polygon or MultiPolygon (got {kind})"
    if not isinstance(raw.get("coordinates"), list):
        return f"malformed {kind}: 'coordinates' must be a list of rings"
    try:
        geometry = shape(raw)
    except Exception as exc:  # shapely raises ValueError, TypeError, GEOSException, ...
        return f"invalid coordinates ({exc})"
    open_ring = _open_ring(raw)
    if open_ring:
        return open_ring
    if geometry.is_empty:
        return f"empty {kind}"
    coords = np.asarray(_coordinates(geometry))
    if not np.all(np.isfinite(coords)):
        return "invalid coordinates (not finite numbers)"
    if not geometry.is_valid:
        return f"invalid {kind}: {explain_validity(geometry)}"
    if geometry.area <= 0:
        return f"invalid {kind}: zero area"
    return geometry


def _open_ring(raw: dict[str, Any]) -> str:
    """'' when every ring ends where it starts (as GeoJSON requires), else what is wrong."""
    polygons = raw["coordinates"] if raw["type"] == "MultiPolygon" else [raw["coordinates"]]
    for p, polygon in enumerate(polygons, start=1):
        for r, ring in enumerate(polygon if isinstance(polygon, list) else [], start=1):
            if isinstance(ring, list) and len(ring) >= 2 and ring[0] != ring[-1]:
                where = f"polygon {p}, ring {r}" if raw["type"] == "MultiPolygon" else f"ring {r}"
                return (f"{where} is not closed: a GeoJSON ring ends at the point it starts "
                        f"({ring[0]} ... {ring[-1]})")
    return ""


def _in_degrees(geometry: Any) -> bool:
    coords = _coordinates(geometry)
    return bool(np.all(np.abs(coords[:, 0]) <= 180) and np.all(np.abs(coords[:, 1]) <= 90))


def _mixed_units(records: list[GridRecord], geometries: list[Any], where: str) -> list[str]:
    """Features outside longitude/latitude ranges in a file whose other features are within
    them: one stray feature must not turn the whole file into metres."""
    placed = [(r, g) for r, g in zip(records, geometries, strict=True) if g is not None]
    degrees = [_in_degrees(g) for _, g in placed]
    if not placed or all(degrees) or sum(degrees) < len(placed) / 2:
        return []
    return [f"{where}: {r.where}: geometry: coordinates outside longitude/latitude degrees "
            f"(e.g. {tuple(float(v) for v in _coordinates(g)[0])}) while the other features "
            "are in degrees; give every feature in one system (or name a projected `crs`)"
            for (r, g), inside in zip(placed, degrees, strict=True) if not inside]


def _coordinates(geometry: Any) -> Any:
    import shapely

    return shapely.get_coordinates(geometry)


def _projection(doc: dict[str, Any], geometries: list[Any], shapely: Any) -> Any:
    """The lon/lat -> metres function for this file, or None when it is in metres already."""
    origin = _lonlat_origin(doc, geometries, shapely)
    if origin is None:
        return None
    lon0, lat0 = origin

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = project_lonlat(xy[:, 0], xy[:, 1], lon0, lat0)
        return np.column_stack([x, y])

    return project


def _lonlat_origin(doc: dict[str, Any], geometries: list[Any], shapely: Any
                   ) -> tuple[float, float] | None:
    """Middle of the bounding box if the coordinates are degrees, else None (metres)."""
    coords = np.concatenate([shapely.get_coordinates(g) for g in geometries])
    crs = doc.get("crs")
    if crs is not None:
        degrees = bool(_LONLAT_CRS.search(json.dumps(crs)))
    else:
        degrees = bool(np.all(np.abs(coords[:, 0]) <= 180) and np.all(np.abs(coords[:, 1]) <= 90))
    if not degrees:
        return None
    lon0 = float(coords[:, 0].min() + coords[:, 0].max()) / 2
    lat0 = float(coords[:, 1].min() + coords[:, 1].max()) / 2
    return lon0, lat0


def geojson_origin(path: str | Path) -> tuple[float, float] | None:
    """(lon0, lat0) of a longitude/latitude grid file: the point its positions are measured from.

    None when the file is in projected metres. Use it with :func:`project_lonlat` to give
    ``office_m`` in the grids' frame. Raises :class:`ScenarioError` if the file has problems
    that leave no usable polygon.
    """
    import shapely
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    path = Path(path)
    _, problems = read_geojson_grids(path)
    doc = json.loads(path.read_text(encoding="utf-8-sig"))
    geometries = [g for f in doc["features"] if isinstance(f, dict)
                  for g in [_geometry(f.get("geometry"), shape, explain_validity)]
                  if not isinstance(g, str)]
    if not geometries:
        raise ScenarioError(problems or [f"{path}: no usable polygons"])
    return _lonlat_origin(doc, geometries, shapely)


def local_radii(lat0_deg: float) -> tuple[float, float]:
    """WGS84 meridional (north-south) and prime-vertical radii of curvature at ``lat0`` (m)."""
    s = math.sin(math.radians(lat0_deg))
    w = math.sqrt(1 - WGS84_E2 * s * s)
    return WGS84_A * (1 - WGS84_E2) / w**3, WGS84_A / w


def project_lonlat(
    lon: Any, lat: Any, lon0: float, lat0: float
) -> tuple[np.ndarray, np.ndarray]:
    """Local equirectangular projection: metres east and north of (``lon0``, ``lat0``).

    ``x = N(lat0) cos(lat0) (lon - lon0)``, ``y = M(lat0) (lat - lat0)`` (angles in radians,
    M, N the WGS84 radii of curvature at lat0). Distances and areas are exact at lat0; the
    east-west scale is off by about ``tan(lat0) * (lat - lat0)``: 0.1% at 10 km north or south
    of lat0 at 35°N, i.e. over a county.
    """
    m, n = local_radii(lat0)
    x = n * math.cos(math.radians(lat0)) * np.radians(np.asarray(lon, dtype=float) - lon0)
    y = m * np.radians(np.asarray(lat, dtype=float) - lat0)
    return x, y


def unproject_lonlat(
    x: Any, y: Any, lon0: float, lat0: float
) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of :func:`project_lonlat`: degrees of metres east/north of the origin."""
    m, n = local_radii(lat0)
    lon = lon0 + np.degrees(np.asarray(x, dtype=float) / (n * math.cos(math.radians(lat0))))
    lat = lat0 + np.degrees(np.asarray(y, dtype=float) / m)
    return lon, lat


# ---------------------------------------------------------------- against the scenario


def _check_against_scenario(
    records: list[GridRecord], data: dict[str, Any], where: str, source: str
) -> list[str]:
    """Duplicate ids, unknown communities, communities with grids twice, household totals."""
    problems: list[str] = []
    communities = data.get("communities")
    known: dict[str, int] = {}
    if isinstance(communities, list):
        for i, c in enumerate(communities):
            if isinstance(c, dict) and isinstance(c.get("id"), str):
                known.setdefault(c["id"], i)
    names = ", ".join(sorted(known)) or "none"

    first: dict[str, str] = {}
    for record in records:
        if record.grid_id is not None:
            if record.grid_id in first:
                problems.append(f"{where}: {record.where}: grid_id: duplicate of "
                                f"{first[record.grid_id]} (got {record.grid_id!r})")
                record.item = None
            else:
                first[record.grid_id] = record.where.split(" (")[0]
        if record.community_id is not None:
            if record.community_id in known:
                record.community_index = known[record.community_id]
            else:
                problems.append(f"{where}: {record.where}: community_id: unknown community "
                                f"(got {record.community_id!r}; known in {source}: {names})")
                record.item = None

    listed: dict[str, list[GridRecord]] = {}
    for record in records:
        if record.community_index is not None:
            listed.setdefault(record.community_id or "", []).append(record)
    for cid, rows in listed.items():
        community = communities[known[cid]]  # type: ignore[index]
        if community.get("grids") is not None:
            problems.append(f"{where}: community '{cid}': has rows here and its own grids in "
                            f"{source}; give its grids in one place")
            continue
        wanted = community.get("households")
        if any(r.households is None for r in rows) or type(wanted) is not int:
            continue  # a row's households are already wrong, or the schema will say
        total = sum(r.households for r in rows)  # type: ignore[misc]
        if total != wanted:
            problems.append(f"{where}: community '{cid}': its {len(rows)} grids hold {total} "
                            f"households but {source} gives the community {wanted}")
    return problems
