"""What the commands print: the headline and tables that fit the terminal.

Column headings are the files' column names (``response_within_target_share``), wrapped at
underscores over a few lines; a table wider than the terminal (``COLUMNS``, else its real
width) is cut into blocks of columns, each repeating the key columns. Widths count Chinese
characters as two columns, as terminals draw them. Cells of a share that misses its target end
in ``*``, unclear ones in ``?``.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis.attainment import (
    INTERVAL,
    MISSED,
    RESOLUTION,
    RESPONSE,
    TIMES,
    UNCLEAR,
    VISITS,
)
from sim.analysis.tables import with_ci
from sim.model.measures import ALL
from sim.report.names import Names

GAP = 2
MARKS = {MISSED: "*", UNCLEAR: "?"}


def terminal_width(default: int = 100) -> int:
    """The terminal's width in columns (``COLUMNS`` first), at least 40."""
    return max(40, shutil.get_terminal_size((default, 24)).columns)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide East Asian characters count two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(0, width - display_width(text))
    return space + text if right else text + space


def _wrap_heading(name: str, width: int) -> list[str]:
    """``name`` over lines of at most ``width`` columns, broken after underscores."""
    parts = [p + "_" for p in name.split("_")]
    parts[-1] = parts[-1][:-1]
    lines = [""]
    for part in parts:
        if lines[-1] and display_width(lines[-1] + part) > width:
            lines.append(part)
        else:
            lines[-1] += part
    return lines


def render(frame: pd.DataFrame, width: int | None = None, keys: int = 1,
           heading_width: int = 16) -> str:
    """``frame`` (cells already text) as fixed-width text no wider than ``width``.

    The first ``keys`` columns are left-aligned and repeated in every block; the others are
    right-aligned, their headings wrapped to ``heading_width`` (or the cells' width if wider).
    """
    width = width or terminal_width()
    cells = frame.astype(str)
    columns = list(cells.columns)
    widths, heads = {}, {}
    for i, column in enumerate(columns):
        content = max((display_width(v) for v in cells[column]), default=0)
        limit = max(content, heading_width) if i >= keys else max(content, len(column))
        heads[column] = _wrap_heading(str(column), limit)
        widths[column] = max(content, *(display_width(h) for h in heads[column]))
    key_columns, others = columns[:keys], columns[keys:]
    base = sum(widths[c] + GAP for c in key_columns)
    blocks: list[list[str]] = [[]]
    used = base
    for column in others:
        if blocks[-1] and used + widths[column] + GAP > width:
            blocks.append([])
            used = base
        blocks[-1].append(column)
        used += widths[column] + GAP
    out = []
    for block in blocks:
        shown = key_columns + block
        depth = max(len(heads[c]) for c in shown)
        for line in range(depth):
            row = []
            for i, c in enumerate(shown):
                head = heads[c]
                text = head[line - (depth - len(head))] if line >= depth - len(head) else ""
                row.append(_pad(text, widths[c], i >= keys))
            out.append((" " * GAP).join(row).rstrip())
        for _, values in cells[shown].iterrows():
            out.append((" " * GAP).join(
                _pad(v, widths[c], i >= keys)
                for i, (c, v) in enumerate(zip(shown, values, strict=True))
            ).rstrip())
        out.append("")
    return "\n".join(out).rstrip("\n")


def wrap(text: str, width: int | None = None, indent: str = "") -> str:
    """``text`` in lines of at most ``width`` columns: broken at spaces, or between any two
    Chinese characters; later lines indented by ``indent``."""
    width = width or terminal_width()
    tokens = re.findall(r"\S+\s*|\s+", text) if text else [""]
    pieces: list[str] = []
    for token in tokens:
        if display_width(token) > width // 2 and any(display_width(c) == 2 for c in token):
            pieces.extend(token)  # a long run of Chinese: any character may end a line
        else:
            pieces.append(token)
    lines, line = [], ""
    for piece in pieces:
        if line and display_width((line + piece).rstrip()) > width:
            lines.append(line.rstrip())
            line = indent + piece.lstrip()
        else:
            line += piece
    lines.append(line.rstrip())
    return "\n".join(lines)


def _compact(mean: float, half: float, low: float, high: float, digits: int) -> str:
    return with_ci(mean, half, digits, low, high).replace(" ± ", "±")


def _digits(value: float) -> int:
    return 0 if not np.isfinite(value) or abs(value) >= 100 else 1


def attainment_cells(table: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """The columns ``names`` of an attainment table as terminal text: shares with intervals and
    their mark, times and counts rounded."""
    out = pd.DataFrame(index=table.index)
    for name in names:
        if name in (RESPONSE, RESOLUTION, *VISITS):
            state = table.get(name.split("_")[0] + "_attainment") if name != VISITS[0] and \
                name != VISITS[1] else None
            marks = [""] * len(table) if state is None else [MARKS.get(s, "") for s in state]
            texts = []
            for (_, row), mark in zip(table.iterrows(), marks, strict=True):
                text = _compact(row[name], row[f"{name}_half_width"], row[f"{name}_ci_low"],
                                row[f"{name}_ci_high"], 2)
                texts.append(text + mark if text != "-" else text)
            out[name] = texts
        elif name in TIMES or name == "issues":
            out[name] = [f"{v:,.0f}" if np.isfinite(v) and abs(v) >= 100 else
                         f"{v:.1f}" if np.isfinite(v) else "-" for v in table[name]]
        elif name in ("respond_within_min", "resolve_within_h"):
            out[name] = [f"{v:g}" if pd.notna(v) else "-" for v in table[name]]
        else:
            out[name] = table[name].astype(str)
    return out


def category_block(table: pd.DataFrame, width: int) -> str:
    """The whole district, one row per category: limits, shares, mean and p90 times."""
    whole = table[table["community"] == ALL]
    columns = ["issues", "respond_within_min", RESPONSE, "response_min_mean", "response_min_p90",
               "resolve_within_h", RESOLUTION, "resolution_h_mean", "resolution_h_p90"]
    cells = attainment_cells(whole, columns)
    cells.insert(0, "category", whole["category"].to_numpy())
    return render(cells, width)


def community_block(table: pd.DataFrame, width: int) -> str:
    """Each community and reactive category (care visits apart): shares, mean and p90."""
    part = table[(table["community"] != ALL) & (table["category"] != "care_visit")]
    columns = [RESPONSE, "response_min_mean", "response_min_p90", RESOLUTION,
               "resolution_h_mean", "resolution_h_p90"]
    cells = attainment_cells(part, columns)
    cells.insert(0, "category", part["category"].to_numpy())
    community = part["community"].to_numpy()
    shown = [c if i == 0 or community[i - 1] != c else "" for i, c in enumerate(community)]
    cells.insert(0, "community", shown)
    return render(cells, width, keys=2)


def visits_block(table: pd.DataFrame, width: int) -> str:
    """Care visits per community: visits due, on time (the response share), late, missed."""
    part = table[table["category"] == "care_visit"]
    if part.empty:
        return ""
    cells = attainment_cells(part, ["issues", RESPONSE, *VISITS])
    cells.insert(0, "community", part["community"].to_numpy())
    return render(cells, width)


def interval_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.endswith(tuple(f"_{s}" for s in INTERVAL[1:]))]


def run_text(table: pd.DataFrame, headline: Sequence[str], mix_line: str, names: Names,
             width: int | None = None, districts: pd.DataFrame | None = None) -> str:
    """What ``gridsim run`` prints before the folder: the headline, then each category against
    its own targets for the district, per community (or, given the ``districts`` attainment
    table of a city, per sub-district) and category, care visits, and the mix."""
    t = names.t
    width = width or terminal_width()
    city = districts is not None and not districts.empty
    by = districts if districts is not None and city else table
    parts = [*(wrap(x, width, "  ") for x in headline), "",
             wrap(t("cli.categories",
                    whole=t("community.all_city" if city else "community.all")), width),
             category_block(table, width), "",
             wrap(t("cli.by_district" if city else "cli.by_community"), width),
             community_block(by, width)]
    visits = visits_block(by, width)
    if visits:
        parts += ["", wrap(t("cli.care_visits"), width), visits]
    parts += ["", wrap(mix_line, width), wrap(t("text.interval_legend"), width)]
    if city:
        parts.append(wrap(t("cli.city_detail"), width))
    return "\n".join(parts)
