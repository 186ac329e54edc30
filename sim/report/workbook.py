"""``results.xlsx``: the result folder's tables as wide sheets a planner reads in Excel without
pivoting, in Chinese or English.

A :class:`Sheet` is one table: code-named columns with plain-word headers (the translation
table's ``column.*`` and ``metric.*`` texts), an Excel number format per column (shares as
percentages, times with their unit, counts with thousands separators), judgements coloured
(met, missed, unclear; better, worse), the label columns and the header row frozen, an
autofilter, and column widths that fit the text (Chinese characters count double). Notes go
below the table.

Each kind of result folder has its list of sheets. The one-go commands (recommend, coverage,
workforce, calibrate, backtest) build theirs from their results and publish ``results.xlsx``
with their other files (:meth:`~sim.files.folder.Folder.publish`: written before the marker).
Run, compare and sweep folders are written by :mod:`sim.experiment`, below this package, so
their workbook, like their report, is written from the finished folder
(:func:`write_workbook`, by the command line right after the folder is complete, and by
``gridsim report``); kinds :func:`register` how to read their folder into sheets.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import RunFolderError
from sim.files.atomic import Writer, atomic_write
from sim.model.measures import METRICS
from sim.report.i18n import Texts
from sim.report.i18n import register as register_texts

RESULTS_XLSX = "results.xlsx"
MAX_WIDTH = 60
"""Widest column (characters); longer text wraps."""
HEADER_WIDTH = 24
"""A header wider than its column's values wraps at about this width."""
_DATE = "yyyy-mm-dd hh:mm"
MAX_TITLE = 31  # Excel's limit on a sheet's name
_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
FILLS = {"met": "C6EFCE", "better": "C6EFCE", "missed": "FFC7CE", "worse": "FFC7CE",
         "unclear": "FFEB9C", "too_high": "FFC7CE", "too_low": "FFC7CE",
         "too_variable": "FFEB9C", "too_fast": "FFC7CE", "too_slow": "FFC7CE",
         "consistent": "C6EFCE"}
"""Cell colours of judgements (Excel's good, bad and neutral styles)."""

register_texts({
    "workbook.sheet.about": {"zh": "说明", "en": "About"},
    "workbook.about.item": {"zh": "项目", "en": "item"},
    "workbook.about.value": {"zh": "内容", "en": "value"},
    "workbook.about.title": {"zh": "结果", "en": "results"},
    "workbook.about.folder": {"zh": "结果文件夹", "en": "result folder"},
    "workbook.about.command": {"zh": "命令", "en": "command"},
    "workbook.about.finished": {"zh": "完成时间", "en": "finished"},
    "workbook.about.seed": {"zh": "随机种子", "en": "seed"},
    "workbook.about.replications": {"zh": "重复次数", "en": "replications"},
    "workbook.about.estimate": {"zh": "估计值：{name}", "en": "estimate: {name}"},
    "workbook.about.reading": {
        "zh": "阅读方法",
        "en": "how to read"},
    "workbook.about.reading_text": {
        "zh": "比例以百分数显示；“下限”“上限”为95%置信区间（比例截断在0–100%）；达标判定："
              "区间整体不低于目标为“达标”，整体低于目标为“未达标”，跨越目标为“难以判定”"
              "（增加重复次数可判定）。全部明细在文件夹的 CSV 文件中。",
        "en": "Shares are shown as percentages; 'low' and 'high' bound the 95% confidence "
              "interval (shares cut at 0-100%); a target is met when the whole interval is at "
              "or above it, missed when the whole interval is below it, unclear when the "
              "interval spans it (more replications would decide). Every detail is in the "
              "folder's CSV files."},
    "column.ci_low": {"zh": "95%下限", "en": "95% low"},
    "column.ci_high": {"zh": "95%上限", "en": "95% high"},
})


@dataclass
class Sheet:
    """One sheet of the workbook.

    ``frame`` has code-named columns; ``headers`` the plain words shown for them (others show
    their code name); ``formats`` an Excel number format per column (:class:`Formats`);
    ``states`` per column the judgement of each row (``met``, ``missed``, ...), which colours
    the cell; ``labels`` how many leading columns stay in view when scrolling right.
    """

    title: str
    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    states: Mapping[str, Sequence[str]] = field(default_factory=dict)
    labels: int = 1
    notes: list[str] = field(default_factory=list)


class Formats:
    """Excel number formats in one language: ``f.share``, ``f.minutes``, ``f.hours``, ..."""

    def __init__(self, t: Texts):
        self.share = "0.0%"
        self.count = "#,##0"
        self.money = "#,##0"
        self.decimal = "0.00"
        self.number = "0.###"
        self.minutes = f'0.0 "{t("unit.min")}"'
        self.hours = f'0.0 "{t("unit.h")}"'
        self.limit_minutes = f'0 "{t("unit.min")}"'
        self.limit_hours = f'0 "{t("unit.h")}"'
        self.days = f'0 "{t("word.day")}"' if t.lang == "zh" else '0 "days"'
        self.metres = f'#,##0 "{t("word.metres")}"'

    def of(self, column: str) -> str | None:
        """The format a column's name implies (units are in the names: ``_share``, ``_min``,
        ``_h``, ``_days``, ``_m``, ``cost_..._per_year``; a metric's own unit); None for text
        and plain numbers."""
        base = column
        for suffix in ("_ci_low", "_ci_high", "_half_width"):
            base = base.removesuffix(suffix)
        metric = METRICS.get(base)
        unit = metric.unit if metric is not None else None
        limits = {"respond_within_min": self.limit_minutes, "resolve_within_h": self.limit_hours}
        if base in limits:
            return limits[base]
        if unit == "share" or base.endswith("_share") or base.startswith("utilisation"):
            return self.share
        if base.startswith("cost_") and base.endswith("_per_year"):
            return self.money
        if unit == "min" or re.search(r"_min(_|$)", base):
            return self.minutes
        if unit == "h" or re.search(r"_h(_|$)", base):
            return self.hours
        if base.endswith("_days"):
            return self.days
        if base.endswith("_m"):
            return self.metres
        if unit in ("issues", "responders") or base in ("households", "replications") or \
                base.endswith(("_workers", "_households")):
            return self.count
        return None


def headers_of(columns: Iterable[str], t: Texts, prefixes: Sequence[str] = ()
               ) -> dict[str, str]:
    """Plain words of columns: a feature's ``<prefix>.<name>`` (``prefixes``, first found),
    else ``metric.<name>``, else ``column.<name>``, else the name; a ``_ci_low`` / ``_ci_high``
    column as its metric's 95% bound."""
    out = {}
    for column in columns:
        for suffix, key in (("_ci_low", "column.ci_low"), ("_ci_high", "column.ci_high")):
            if column.endswith(suffix) and not _known(column, t, prefixes):
                out[column] = f"{_header(column.removesuffix(suffix), t, prefixes)} {t(key)}"
                break
        else:
            out[column] = _header(column, t, prefixes)
    return out


def _known(column: str, t: Texts, prefixes: Sequence[str]) -> bool:
    return any(t.has(f"{p}.{column}") for p in (*prefixes, "metric", "column"))


def _header(column: str, t: Texts, prefixes: Sequence[str] = ()) -> str:
    for prefix in (*prefixes, "metric", "column"):
        if t.has(f"{prefix}.{column}"):
            return t(f"{prefix}.{column}")
    return column


def auto_formats(columns: Iterable[str], t: Texts) -> dict[str, str]:
    """Number formats of columns by their names (:meth:`Formats.of`)."""
    f = Formats(t)
    return {c: fmt for c in columns if (fmt := f.of(c)) is not None}


def table_sheet(title: str, frame: pd.DataFrame, t: Texts, labels: int = 1,
                notes: Sequence[str] = (), prefixes: Sequence[str] = (),
                values: Mapping[str, Callable[[Any], Any]] | None = None,
                states: Sequence[str] = ()) -> Sheet:
    """A sheet of a result table, its rows as they are: headers from the column names (a
    feature's texts under ``prefixes`` first), formats from their units, code values shown
    by ``values`` (column -> function, e.g. a community's name), and the judgement columns
    ``states`` coloured by their code values."""
    shown = frame.copy()
    for column, show in (values or {}).items():
        if column in shown:
            shown[column] = shown[column].map(show)
    colours = {c: [str(v) for v in frame[c]] for c in states if c in frame}
    return Sheet(title, shown, headers_of(frame.columns, t, prefixes),
                 auto_formats(frame.columns, t), colours, labels, list(notes))


def clipped(values: Any) -> np.ndarray:
    """Shares and their interval bounds cut to 0-1, the range a share can take (as the
    reports show them)."""
    return np.clip(np.asarray(values, dtype=float), 0.0, 1.0)


def about_sheet(t: Texts, title: str, manifest: Mapping[str, Any], folder: Path | None,
                facts: Sequence[tuple[str, Any]] = (), estimates: Mapping[str, str] | None = None
                ) -> Sheet:
    """What the workbook holds: the title, the folder, command, seed and replications, the
    facts a kind adds, how to read it, and the estimates the results rest on."""
    rows: list[tuple[str, Any]] = [(t("workbook.about.title"), title)]
    if folder is not None:
        rows.append((t("workbook.about.folder"), str(folder)))
    for key in ("command", "finished", "seed", "replications"):
        if manifest.get(key) not in (None, ""):
            rows.append((t(f"workbook.about.{key}"), manifest[key]))
    rows += list(facts)
    rows.append((t("workbook.about.reading"), t("workbook.about.reading_text")))
    for key, why in (estimates or {}).items():
        rows.append((t("workbook.about.estimate", name=key), why))
    frame = pd.DataFrame(rows, columns=["item", "value"])
    return Sheet(t("workbook.sheet.about"), frame, {"item": t("workbook.about.item"),
                                                   "value": t("workbook.about.value")})


# ---------------------------------------------------------------- writing


def workbook_writer(sheets: Sequence[Sheet], lang: str) -> Writer:
    """A :data:`~sim.files.atomic.Writer` of the sheets as one ``.xlsx`` workbook."""

    def write(path: Path) -> None:
        write_sheets(sheets, lang, path)

    return write


def write_sheets(sheets: Sequence[Sheet], lang: str, path: Path) -> None:
    """Write ``sheets`` (in order; the first is the one that opens) as the workbook ``path``.

    XlsxWriter writes (about three times faster than openpyxl on a calibration's 30,000
    cells); openpyxl reads the workbooks planners bring."""
    import xlsxwriter

    t = Texts(lang)
    book = xlsxwriter.Workbook(str(path), {"remove_timezone": True})
    styles = _Styles(book)
    used: set[str] = set()
    try:
        for sheet in sheets:
            _fill(book.add_worksheet(_title(sheet.title, used)), sheet, t, styles)
    finally:
        book.close()


def _title(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    base = title.translate(_FORBIDDEN).strip("'")[:MAX_TITLE] or "sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: MAX_TITLE - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _fill(ws: Any, sheet: Sheet, t: Texts, styles: _Styles) -> None:
    """One sheet: the header row, the rows (numbers formatted, judgements coloured, long
    text wrapped), widths that fit, the header and label columns frozen, a filter, the
    notes below."""
    columns = list(sheet.frame.columns)
    heads = [sheet.headers.get(c, c) for c in columns]
    values = [[_value(v, t) for v in row] for row in sheet.frame.itertuples(index=False)]
    formats = [sheet.formats.get(c) for c in columns]
    states = [sheet.states.get(c) for c in columns]
    for j, head in enumerate(heads):
        ws.write_string(0, j, str(head), styles.header)
    for i, row in enumerate(values, start=1):
        for j, value in enumerate(row):
            column_states = states[j]
            state = column_states[i - 1] if column_states is not None else None
            styles.write(ws, i, j, value, formats[j], state)
    for j, width in enumerate(_widths(heads, values, formats)):
        ws.set_column(j, j, width)
    ws.freeze_panes(1, min(max(sheet.labels, 0), len(columns)))
    if values:
        ws.autofilter(0, 0, len(values), len(columns) - 1)
    for k, note in enumerate(sheet.notes):
        ws.write_string(len(values) + 2 + k, 0, note)


def _widths(heads: Sequence[str], values: Sequence[Sequence[Any]],
            formats: Sequence[str | None]) -> list[float]:
    """Column widths that fit the shown values (longer headers wrap; at most MAX_WIDTH).

    A column's numbers are as wide as its largest or its most negative one; its texts are
    measured once each."""
    widths = [min(_width(h), HEADER_WIDTH) for h in heads]
    for j, column in enumerate(zip(*values, strict=True)):
        numbers = [v for v in column if isinstance(v, int | float)]
        texts = {v for v in column if v is not None and not isinstance(v, int | float)}
        shown = [_shown(v, formats[j]) for v in texts]
        if numbers:
            shown += [_shown(max(numbers), formats[j]), _shown(min(numbers), formats[j])]
        widths[j] = max([widths[j], *(_width(text) for text in shown)])
    return [min(w + 2, MAX_WIDTH) for w in widths]


class _Styles:
    """The workbook's cell formats, each made once: the header's, and one per number format,
    judgement colour and wrapping in use."""

    def __init__(self, book: Any):
        self._book = book
        self._made: dict[tuple[str | None, str | None, bool], Any] = {}
        self.header = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                       "bg_color": "#D9E1F2"})

    def _style(self, fmt: str | None, fill: str | None, wrap: bool) -> Any:
        key = (fmt, fill, wrap)
        if key not in self._made:
            spec: dict[str, Any] = {}
            if fmt is not None:
                spec["num_format"] = fmt
            if fill is not None:
                spec.update(pattern=1, bg_color=f"#{fill}")
            if wrap:
                spec.update(text_wrap=True, valign="top")
            self._made[key] = self._book.add_format(spec) if spec else None
        return self._made[key]

    def write(self, ws: Any, i: int, j: int, value: Any, fmt: str | None,
              state: str | None) -> None:
        """Write one cell: numbers as numbers, dates as dates, anything else as text (never
        as a formula)."""
        fill = FILLS.get(state) if state is not None else None
        if value is None or value == "":
            if fill is not None:
                ws.write_blank(i, j, None, self._style(None, fill, False))
        elif isinstance(value, int | float):
            ws.write_number(i, j, value, self._style(fmt, fill, False))
        elif isinstance(value, dt.datetime | dt.date):
            ws.write_datetime(i, j, value, self._style(fmt or _DATE, fill, False))
        else:
            text = str(value)
            ws.write_string(i, j, text, self._style(None, fill, _width(text) > MAX_WIDTH))


def _value(value: Any, t: Texts) -> Any:
    """A cell's value: numbers as numbers (NaN empty), booleans as yes/no, judgements and
    other text as they are."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return t("word.yes") if value else t("word.no")
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, list | tuple):
        return t("word.and").join(str(v) for v in value)
    return value


def _shown(value: Any, fmt: str | None) -> str:
    """About the text Excel shows for a cell (for its column's width)."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if fmt == "0.0%":
            return f"{value:.1%}"
        unit = fmt.split('"')[1] if fmt and '"' in fmt else ""
        digits = 0 if (fmt or "").startswith(("#,##0", "0 ")) else (
            1 if (fmt or "").startswith("0.0") else 3)
        return f"{value:,.{digits}f} {unit}".strip()
    return str(value)


def _width(text: str) -> int:
    """Display width: East Asian wide characters count two."""
    line = max(str(text).splitlines() or [""], key=len)
    if line.isascii():
        return len(line)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


# ---------------------------------------------------------------- folders

WorkbookBuilder = Callable[[Path, dict[str, Any], str], tuple[list[Sheet], str]]
"""``builder(folder, manifest, lang)`` reads a finished folder into its sheets and the
language they are in."""

WORKBOOKS: dict[str, WorkbookBuilder] = {}


def register(kind: str, builder: WorkbookBuilder) -> None:
    """Make ``builder`` the workbook of result folders of ``kind``."""
    WORKBOOKS[kind] = builder


def write_workbook(folder: str | Path, lang: str | None = None) -> Path:
    """Write ``results.xlsx`` of the finished result folder ``folder`` in ``lang`` (default
    the scenario's ``language:``) and return its path."""
    from sim.report import sheets  # noqa: F401  (registers run, compare and sweep)
    from sim.report.folders import finished_manifest
    from sim.report.i18n import check_language

    folder = Path(folder)
    manifest = finished_manifest(folder)
    kind = str(manifest.get("kind", "run"))
    builder = WORKBOOKS.get(kind)
    if builder is None:
        known = ", ".join(sorted(WORKBOOKS))
        made = (f"; its {RESULTS_XLSX} was written by gridsim {kind}"
                if (folder / RESULTS_XLSX).exists() else "")
        raise RunFolderError(f"{folder}: {RESULTS_XLSX} is rebuilt for {known} folders, not "
                             f"for a {kind} folder{made}")
    built, language = builder(folder, manifest, check_language(lang) if lang else "")
    path = folder / RESULTS_XLSX
    atomic_write(path, workbook_writer(built, language))
    return path
