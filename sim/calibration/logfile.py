"""Reading a district's issue log: CSV (UTF-8 or GB18030/GBK) or Excel, a column mapping,
filters, a window, and an account of every row dropped and why.

Rows are named as a spreadsheet shows them: the header is row 1, the first issue row 2.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.where import WhereError, evaluate, parse
from sim.errors import GridsimError, OptionError
from sim.scenario.tables import UndecodableText, decode_text

EXCEL = (".xlsx", ".xlsm")
UNKNOWN_AREA = ""
DEFAULT_LOCATION_SHARE = 0.02
"""A location value shared by more than this share of rows, and by ten times as many rows as
the next one, is taken for the platform's default (e.g. the city hall's coordinates)."""

_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                 "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y %H:%M:%S",
                 "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y")
_CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?")
HEADER_ROWS = 1
MIN_YEAR, MAX_YEAR = 1970, 2200  # a date outside is a misreading (e.g. "5th of Jan" as year 1)


class LogError(GridsimError):
    """A log that cannot be read as asked: the message names the file, row and column, and the
    ``parameters`` that named the column (the command line shows them as its flags)."""

    def __init__(self, message: str, *parameters: str):
        super().__init__(message)
        self.parameters = parameters


@dataclass(frozen=True)
class LogColumns:
    """Which column of the log holds what (the log's own header names)."""

    created: str
    closed: str
    category: str
    area: str | None = None
    status: str | None = None
    location: tuple[str, ...] = ()

    def flags(self) -> dict[str, str]:
        """Column name by the parameter that named it."""
        named = {"created": self.created, "closed": self.closed, "category": self.category,
                 "area": self.area, "status": self.status}
        out = {k: v for k, v in named.items() if v}
        out.update({f"location{'' if i == 0 else i + 1}": c for i, c in enumerate(self.location)})
        return out


@dataclass
class IssueLog:
    """The issues of a log that a calibration uses, and how they were chosen.

    ``issues``: one row per issue: ``row`` (in the file), ``created``, ``closed`` (NaT while
    open), ``category`` (after the category map), ``category_log`` (as in the log), ``area``
    (``""`` when unknown). ``quality``: tidy counts (check, rows, action). ``first``/``last``:
    the window's first and last day (inclusive); ``as_of``: when the log was exported (its
    latest time), where still-open cases are censored.
    """

    path: Path
    encoding: str
    rows_read: int
    issues: pd.DataFrame
    quality: pd.DataFrame
    first: dt.date
    last: dt.date
    as_of: pd.Timestamp
    columns: LogColumns
    where: tuple[str, ...] = ()
    default_location: str | None = None
    category_names: dict[str, str] = field(default_factory=dict)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def describe(self) -> str:
        """One line: the file, how it was read, the rows used and the window."""
        return (f"{self.path.name} ({self.encoding}): {len(self.issues):,} of "
                f"{self.rows_read:,} rows, created {self.first} to {self.last}")


# ---------------------------------------------------------------- the file


def read_table(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Every cell of a CSV or Excel file as text, and how it was read ("UTF-8", ...)."""
    path = Path(path)
    if not path.exists():
        raise LogError(f"{path}: no such file")
    if path.is_dir():
        raise LogError(f"{path}: is a folder, not a log file")
    if path.suffix.lower() in EXCEL:
        return _read_excel(path), "Excel workbook"
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise LogError(f"{path}: not a readable gzip file ({exc})") from None
    text, encoding = decode(data, path)
    try:
        frame = _parse_csv(text)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LogError(f"{path}: not a readable CSV file ({str(exc).strip()})") from None
    return frame, encoding


def _parse_csv(text: str) -> pd.DataFrame:
    """Every cell as text: pyarrow's parser (about four times faster on a 58k-row log), else
    pandas' own where pyarrow refuses the file (rows shorter than the header, which pandas
    reads as empty cells)."""
    try:
        return pd.read_csv(io.BytesIO(text.encode("utf-8")), engine="pyarrow", dtype=str,
                           keep_default_na=False)
    except pd.errors.ParserError:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                           skipinitialspace=False)


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """The text of a CSV file: UTF-8 (with or without BOM), else GB18030 (which covers GBK, as
    Chinese Excel saves CSV); :func:`sim.scenario.tables.decode_text`, as scenario tables."""
    try:
        return decode_text(data)
    except UndecodableText as exc:
        line = data[: exc.position].count(b"\n") + 1
        raise LogError(
            f"{path}: row {line}: unknown text encoding (neither UTF-8 nor GB18030/GBK; "
            f"byte {data[exc.position]:#04x} at offset {exc.position}); save the file as "
            "'CSV UTF-8' or as an Excel workbook") from None


def _read_excel(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
    except (OSError, ValueError, KeyError) as exc:
        raise LogError(f"{path}: not a readable Excel workbook ({exc})") from None
    for column in frame.columns:
        values = frame[column]
        frame[column] = values.map(_cell_text)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------- columns and dates


def check_columns(frame: pd.DataFrame, columns: LogColumns, path: Path) -> None:
    """Every mapped column is in the file; else an error naming the parameter and the columns."""
    for parameter, name in columns.flags().items():
        if name not in frame.columns:
            shown = ", ".join(repr(c) for c in frame.columns[:40])
            raise OptionError(f"{path}: `{parameter.rstrip('0123456789')}`: no column {name!r} "
                              f"in the log (its columns: {shown})",
                              parameter.rstrip("0123456789"))


def parse_times(values: pd.Series, column: str, parameter: str, path: Path,
                rows: np.ndarray, required: bool) -> pd.Series:
    """Dates and times of one column (NaT where empty); an error names the first bad cell."""
    text = values.str.strip()
    text = text.str.replace(_CHINESE_DATE, r"\1-\2-\3", regex=True)
    empty = text == ""
    if required and empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        raise LogError(f"{path}: row {rows[i]}, column {column!r} (`{parameter}`): empty; every "
                       f"issue needs a time here ({int(empty.sum())} rows are empty)", parameter)
    filled = text[~empty]
    parsed = None
    for fmt in _DATE_FORMATS:
        attempt = pd.to_datetime(filled, format=fmt, errors="coerce")
        if attempt.notna().all():
            parsed = attempt
            break
    if parsed is None:
        parsed = pd.to_datetime(filled, format="mixed", errors="coerce")
        years = parsed.dt.year
        bad = (parsed.isna() | (years < MIN_YEAR) | (years > MAX_YEAR)).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            where = np.flatnonzero(~empty.to_numpy())[i]
            raise LogError(
                f"{path}: row {rows[where]}, column {column!r} (`{parameter}`): cannot read "
                f"{filled.iloc[i]!r} as a date and time (e.g. 2024-03-05 08:07); "
                f"{int(bad.sum())} rows cannot be read", parameter)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    out[~empty] = parsed.astype("datetime64[ns]")
    return out


# ---------------------------------------------------------------- the whole log


def read_log(
    path: str | Path,
    columns: LogColumns,
    where: tuple[str, ...] = (),
    first: dt.date | None = None,
    last: dt.date | None = None,
    category_map: dict[str, str] | None = None,
) -> IssueLog:
    """Read, filter and check an issue log; see :class:`IssueLog`.

    ``where`` filters rows (:mod:`sim.calibration.where`); ``first``/``last`` bound the window
    by the day an issue was created (both inclusive; default: the log's first and last day).
    Exact duplicates (same created time, category, area and location) are dropped and counted.
    """
    path = Path(path)
    frame, encoding = read_table(path)
    rows_read = len(frame)
    if rows_read == 0:
        raise LogError(f"{path}: holds no rows below its header")
    check_columns(frame, columns, path)
    rows = np.arange(len(frame)) + 1 + HEADER_ROWS
    quality: list[tuple[str, str, int, str]] = []  # check, detail, rows, action
    keep = np.ones(len(frame), dtype=bool)
    for text in where:
        try:
            tree = parse(text, list(frame.columns))
        except WhereError as exc:
            raise OptionError(f"`where`: {exc}", "where") from None
        hit = evaluate(tree, frame)
        quality.append(("where", text, int((keep & ~hit).sum()), "dropped"))
        keep &= hit
    frame, rows = frame[keep].reset_index(drop=True), rows[keep]
    created = parse_times(frame[columns.created], columns.created, "created", path, rows, True)
    closed = parse_times(frame[columns.closed], columns.closed, "closed", path, rows, False)
    backwards = (closed < created).to_numpy()
    if backwards.any():
        i = int(np.flatnonzero(backwards)[0])
        raise LogError(
            f"{path}: row {rows[i]}, column {columns.closed!r} (`closed`): closed "
            f"{closed.iloc[i]} before it was created ({created.iloc[i]}, column "
            f"{columns.created!r}); {int(backwards.sum())} rows close before they open. Are the "
            "two columns swapped?", "closed", "created")
    as_of = max(created.max(), closed.max()) if closed.notna().any() else created.max()
    category_log = frame[columns.category].str.strip()
    area = frame[columns.area].str.strip() if columns.area else pd.Series(
        UNKNOWN_AREA, index=frame.index)
    issues = pd.DataFrame({"row": rows, "created": created, "closed": closed,
                           "category_log": category_log, "area": area})
    no_category = (category_log == "").to_numpy()
    quality.append(("no_category", columns.category, int(no_category.sum()), "dropped"))
    issues = issues[~no_category]
    location = _location_text(frame.loc[issues.index], columns)
    default = _default_location(location)
    if default is not None:
        at_default = (location == default).to_numpy()
        quality.append(("default_location", default, int(at_default.sum()),
                        "unknown_area"))
        issues.loc[at_default, "area"] = UNKNOWN_AREA
    if columns.area:
        quality.append(("no_area", columns.area, int((issues["area"] == UNKNOWN_AREA).sum()),
                        "spread"))
    key = ["created", "category_log", "area"]
    duplicate = issues.assign(location=location).duplicated([*key, "location"]).to_numpy()
    quality.append(("duplicates", "", int(duplicate.sum()), "dropped"))
    issues = issues[~duplicate]
    first = first or issues["created"].min().date()
    last = last or issues["created"].max().date()
    if last < first:
        raise OptionError(f"`last` ({last}) is before `first` ({first})", "last", "first")
    day = issues["created"].dt.normalize()
    inside = ((day >= pd.Timestamp(first)) & (day <= pd.Timestamp(last))).to_numpy()
    quality.append(("outside", f"{first} - {last}", int((~inside).sum()), "dropped"))
    issues = issues[inside]
    if issues.empty:
        span = f"{created.min():%Y-%m-%d} to {created.max():%Y-%m-%d}"
        raise LogError(f"{path}: column {columns.created!r} (`created`): no issue created "
                       f"between {first} and {last} (after the filters; the log's rows were "
                       f"created {span})", "created")
    duration = (issues["closed"] - issues["created"]).dt.total_seconds()
    quality.append(("zero", "", int((duration < 60).sum()), "zero"))
    quality.append(("open", f"{as_of:%Y-%m-%d %H:%M}", int(issues["closed"].isna().sum()),
                    "censored"))
    if columns.status:
        status = frame.loc[issues.index, columns.status].str.strip().str.lower()
        open_words = status.isin(["open", "未办结", "办理中", "处理中", "待处理", "未结"])
        quality.append(("status_open", columns.status,
                        int((open_words & issues["closed"].notna()).sum()), "close_counts"))
    mapping = category_map or {}
    issues = issues.assign(category=issues["category_log"].map(lambda c: mapping.get(c, c)))
    issues = issues.sort_values("created", kind="stable", ignore_index=True)
    table = pd.DataFrame(quality, columns=["check", "detail", "rows", "action"])
    return IssueLog(path, encoding, rows_read, issues, table, first, last, as_of, columns,
                    tuple(where), default)


def _location_text(frame: pd.DataFrame, columns: LogColumns) -> pd.Series:
    if not columns.location:
        return pd.Series("", index=frame.index)
    parts = [frame[c].str.strip() for c in columns.location]
    out = parts[0]
    for part in parts[1:]:
        out = out + "," + part
    return out


def _default_location(location: pd.Series) -> str | None:
    counts = location[location.str.strip(",") != ""].value_counts()
    if len(counts) < 2:
        return None
    top, second = int(counts.iloc[0]), int(counts.iloc[1])
    if top > DEFAULT_LOCATION_SHARE * len(location) and top >= 10 * second:
        return str(counts.index[0])
    return None


def read_category_map(path: str | Path) -> dict[str, str]:
    """A two-column table (the log's category, the scenario's category code name)."""
    frame, _ = read_table(path)
    path = Path(path)
    if frame.shape[1] < 2:
        raise LogError(f"{path}: a category map needs two columns (the log's category, the "
                       "scenario's category), found {frame.shape[1]}")
    out: dict[str, str] = {}
    for i, (source, target) in enumerate(zip(frame.iloc[:, 0], frame.iloc[:, 1],
                                             strict=True)):
        source, target = str(source).strip(), str(target).strip()
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", target):
            raise LogError(f"{path}: row {i + 1 + HEADER_ROWS}, column {frame.columns[1]!r}: "
                           f"{target!r} is not a category code name (lower-case letters, "
                           "digits and _, starting with a letter)")
        if source:
            out[source] = target
    return out


def read_households(path: str | Path) -> dict[str, int]:
    """A two-column table (area as in the log, households)."""
    frame, _ = read_table(path)
    path = Path(path)
    if frame.shape[1] < 2:
        raise LogError(f"{path}: a households table needs two columns (area, households)")
    out: dict[str, int] = {}
    for i, (area, value) in enumerate(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True)):
        text = str(value).strip().replace(",", "")
        try:
            households = int(float(text))
        except ValueError:
            households = 0
        if households <= 0:
            raise LogError(f"{path}: row {i + 1 + HEADER_ROWS}, column {frame.columns[1]!r}: "
                           f"{value!r} is not a positive number of households")
        out[str(area).strip()] = households
    return out
