"""Tables a planner keeps in Excel or CSV (grids, communities, the pay table), read cell by cell.

:func:`read_table` reads a CSV file (UTF-8 with or without a byte-order mark, else GB18030,
which covers the GBK that Chinese Excel saves, and says which) or one sheet of an ``.xlsx``
workbook (openpyxl) into a :class:`Table`: the header (row 1) and the rows below it, each with
the row number a spreadsheet shows. Every problem names the file, the sheet, the row and the
column (``district.xlsx: sheet 'grids': row 5: households (C): ...``), and whole-table problems
(no such sheet, a merged or empty header cell, an undecodable byte) are raised at once as
:class:`~sim.errors.ScenarioError`.

A scenario names such a table by a path or a mapping ``{path: FILE, sheet: NAME}``
(:func:`table_ref`); a workbook without ``sheet`` gives the sheet named after the table
(``grids`` or ``网格``, ...) or its only sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.scenario.files import check_regular

CSV_SUFFIXES = (".csv",)
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
MERGED_SHOWN = 5
"""Merged ranges named in one message (a sheet can have hundreds)."""


# ---------------------------------------------------------------- text encodings


class UndecodableText(ValueError):
    """Bytes that are neither UTF-8 nor GB18030 text: where reading stopped, and how far each
    encoding got."""

    def __init__(self, position: int, encoding: str):
        super().__init__(f"byte {position}")
        self.position = position
        self.encoding = encoding  # the encoding that read furthest


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and how it was read: ``UTF-8 with BOM``, ``UTF-8`` or
    ``GB18030`` (a superset of GBK, as Chinese Excel saves CSV). Raises
    :class:`UndecodableText` at the bad byte of the encoding that read furthest."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            raise UndecodableText(exc.start + 3, "UTF-8") from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as utf8:
        try:
            return data.decode("gb18030"), "GB18030"
        except UnicodeDecodeError as gb:
            if gb.start >= utf8.start:
                raise UndecodableText(gb.start, "GB18030") from None
            raise UndecodableText(utf8.start, "UTF-8") from None


def column_letter(index: int) -> str:
    """The spreadsheet name of column ``index`` (0-based): A, B, ..., Z, AA, ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------- where a table is


@dataclass(frozen=True)
class TableRef:
    """A table in a file: a CSV file, or a sheet of a workbook (``sheet`` None: the default)."""

    path: Path
    sheet: str | None = None

    def shown(self) -> str:
        return f"{self.path}" + (f" (sheet {self.sheet!r})" if self.sheet else "")


def table_ref(value: Any, key: str, source: str, folder: Path | None = None) -> TableRef:
    """``value`` of scenario key ``key`` (a path, or ``{path: FILE, sheet: NAME}``) as a
    :class:`TableRef`, relative paths taken from ``folder``; ScenarioError naming
    ``source: key`` when it is neither."""
    if isinstance(value, TableRef):
        return value
    sheet = None
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"path", "sheet"})
        if unknown:
            raise ScenarioError([f"{source}: {key}: unknown key {unknown[0]!r} (give path and, "
                                 "for a workbook, sheet)"])
        sheet = value.get("sheet")
        if sheet is not None and (not isinstance(sheet, str | int) or isinstance(sheet, bool)):
            raise ScenarioError([f"{source}: {key}.sheet: must be the name of a sheet, not "
                                 f"{type(sheet).__name__}"])
        sheet = None if sheet is None else str(sheet)
        value = value.get("path")
        key = f"{key}.path"
    if not isinstance(value, str) or not value.strip():
        shown = repr(value) if isinstance(value, str) else type(value).__name__
        raise ScenarioError([f"{source}: {key}: must be a file path (or {{path: FILE, sheet: "
                             f"NAME}} for a sheet of a workbook), not {shown}"])
    path = Path(value)
    if folder is not None and not path.is_absolute():
        path = folder / path
    if sheet is not None and path.suffix.lower() not in EXCEL_SUFFIXES:
        raise ScenarioError([f"{source}: {key.removesuffix('.path')}.sheet: {path} is not a "
                             "workbook (.xlsx); only a workbook has sheets"])
    return TableRef(path, sheet)


def ref_mapping(ref: TableRef) -> str | dict[str, str]:
    """``ref`` as the scenario writes it."""
    return str(ref.path) if ref.sheet is None else {"path": str(ref.path), "sheet": ref.sheet}


# ---------------------------------------------------------------- the table


@dataclass
class Table:
    """The header and rows of one table, as read.

    ``where`` starts every message (``grids.csv`` or ``district.xlsx: sheet 'grids'``);
    ``read_as`` says how the file was read (``UTF-8``, ``GB18030``, ``Excel workbook``);
    ``rows`` holds (row number as a spreadsheet shows it, cells); CSV cells are text, Excel
    cells as stored (numbers, text, booleans, dates); ``letters`` names columns by letter
    (workbooks), so messages say ``households (C)``.
    """

    path: Path
    where: str
    read_as: str
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    letters: bool = False
    sheet: str | None = None

    def column(self, name: str) -> str:
        """How messages name column ``name``: ``households``, in a workbook ``households (C)``."""
        if not self.letters or name not in self.header:
            return name
        return f"{name} ({column_letter(self.header.index(name))})"

    def describe(self) -> str:
        """E.g. ``district.xlsx, sheet 'grids' (Excel workbook)`` or ``grids.csv (GB18030)``."""
        sheet = f", sheet {self.sheet!r}" if self.sheet else ""
        return f"{self.path.name}{sheet} ({self.read_as})"

    def cells(self) -> list[tuple[int, dict[str, Any]]]:
        """Each non-blank row as (row number, {column: cell}), blank rows left out."""
        out = []
        for row, cells in self.rows:
            if all(_blank(c) for c in cells):
                continue
            out.append((row, {name: cells[i] if i < len(cells) else None
                              for i, name in enumerate(self.header) if name}))
        return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(ref: TableRef, what: str, named_by: str = "", sheets: Sequence[str] = (),
               columns: Sequence[str] = ()) -> Table:
    """The table ``ref`` names: a CSV file or a sheet of an ``.xlsx`` workbook (``sheets``: the
    default sheet names of this kind of table, e.g. ``("grids", "网格")``). ``what`` names the
    table in messages (``grid file``), ``named_by`` the key and file that named it,
    ``columns`` the required columns (named when the table is empty)."""
    path = ref.path
    check_regular(path, what, named_by)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        table = _read_sheet(path, ref.sheet, sheets, what)
    else:
        table = _read_csv(path)
    _check_header(table, columns)
    return table


# ---------------------------------------------------------------- CSV


def _read_csv(path: Path) -> Table:
    where = str(path)
    try:
        data = path.read_bytes()  # at most MAX_FILE_BYTES (check_regular)
    except OSError as exc:
        raise ScenarioError([f"{where}: cannot be read ({exc.strerror or exc})"]) from None
    try:
        text, read_as = decode_text(data)
    except UndecodableText as exc:
        raise ScenarioError([_undecodable(path, data, exc)]) from None
    reader = csv.reader(text.splitlines(keepends=True))
    rows: list[tuple[int, list[Any]]] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        line = reader.line_num
        for cells in reader:
            rows.append((line + 1, cells))  # a record starts on the line after the last one
            line = reader.line_num
    except csv.Error as exc:
        raise ScenarioError([f"{where}: line {reader.line_num}: malformed CSV ({exc})"]) from None
    return Table(path, where, read_as, header, rows)


def _undecodable(path: Path, data: bytes, exc: UndecodableText) -> str:
    """Where the byte is (row, column by counting commas) and what to do about it."""
    start = data.rfind(b"\n", 0, exc.position) + 1
    row = data.count(b"\n", 0, exc.position) + 1
    index = data[start:exc.position].count(b",")  # a comma is one byte in UTF-8 and GB18030
    first = data.split(b"\n", 1)[0]
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(csv.reader(
            [first.decode(exc.encoding.lower(), errors="replace")]))]
    except (StopIteration, csv.Error):
        header = []
    name = f"{header[index]} " if index < len(header) and header[index] and row > 1 else ""
    return (f"{path}: row {row}: {name}({column_letter(index)}): byte {data[exc.position]:#04x} "
            f"cannot be read as UTF-8 or GB18030/GBK text (read as {exc.encoding} up to there): "
            "save the file as 'CSV UTF-8' or as an Excel workbook (.xlsx)")


# ---------------------------------------------------------------- Excel


def _read_sheet(path: Path, sheet: str | None, defaults: Sequence[str], what: str) -> Table:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    where = str(path)
    try:
        book = load_workbook(path, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError,
            TypeError) as exc:
        raise ScenarioError([f"{where}: not a readable Excel workbook ({exc}); save it from "
                             "Excel as .xlsx"]) from None
    try:
        name = _choose_sheet(book.sheetnames, sheet, defaults, where, what)
        ws = book[name]
        label = f"{where}: sheet {name!r}"
        _check_merged(ws, label)
        rows = [(i, list(cells)) for i, cells in enumerate(
            ws.iter_rows(values_only=True), start=1)]
    finally:
        book.close()
    header_cells = rows[0][1] if rows else []
    header = [_header_text(c) for c in header_cells]
    while header and not header[-1]:
        header.pop()
    rows = [(i, [_cell(c) for c in cells]) for i, cells in rows[1:]]
    return Table(path, label, "Excel workbook", header, rows, letters=True, sheet=name)


def _choose_sheet(names: list[str], sheet: str | None, defaults: Sequence[str], where: str,
                  what: str) -> str:
    shown = ", ".join(repr(n) for n in names)
    if sheet is not None:
        if sheet in names:
            return sheet
        raise ScenarioError([f"{where}: no sheet {sheet!r} (its sheets: {shown})"])
    for default in defaults:
        for name in names:
            if name.strip().lower() == default.lower():
                return name
    if len(names) == 1:
        return names[0]
    wanted = " or ".join(repr(d) for d in defaults) or "the table's"
    raise ScenarioError([f"{where}: which sheet holds the {what}? It has sheets {shown} and none "
                         f"is named {wanted}: name it with {{path: {Path(where).name}, sheet: "
                         "NAME}"])


def _check_merged(ws: Any, label: str) -> None:
    ranges = sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
    if not ranges:
        return
    shown = ", ".join(r.coord for r in ranges[:MERGED_SHOWN])
    more = f" and {len(ranges) - MERGED_SHOWN} more" if len(ranges) > MERGED_SHOWN else ""
    first = ranges[0]
    if first.min_row == 1:
        why = ("a merged cell in row 1 (a title above the table, or one header over two "
               "columns?): row 1 must hold the column names, one per cell")
    else:
        why = "a merged cell keeps its value only in its first cell"
    raise ScenarioError([f"{label}: row {first.min_row}: cells {shown}{more} are merged: {why}; "
                         "unmerge them and fill every cell"])


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell(value: Any) -> Any:
    """A cell as the parsers take it: text stripped, whole floats as int, dates as ISO text."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- header checks


def _check_header(table: Table, columns: Sequence[str]) -> None:
    """Refuse an empty table or header row, and a column with values but no name."""
    expected = f": {', '.join(columns)}" if columns else ""
    if not any(table.header) and not any(
            not _blank(c) for _, cells in table.rows for c in cells):
        what = "sheet" if table.letters else "file"
        raise ScenarioError([f"{table.where}: empty {what} (expected a header line{expected})"])
    if not any(table.header):
        raise ScenarioError([f"{table.where}: row 1: no column names (the first row must hold "
                             f"the header{expected})"])
    for index, name in enumerate(table.header):
        if name:
            continue
        row = next((r for r, cells in table.rows
                    if index < len(cells) and not _blank(cells[index])), None)
        if row is not None:
            raise ScenarioError([f"{table.where}: row 1: column {column_letter(index)}: empty "
                                 f"header over values (row {row} has one): name the column or "
                                 "delete it"])
