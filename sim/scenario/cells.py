"""Parsers of one table cell (a grid file's, a communities or pay table's): each takes the raw
value (text from a CSV, a number, text or boolean from a workbook or GeoJSON) and whether the
column is required, and returns ``(value, None)`` or ``(None, what is wrong)``; an empty cell
of an optional column is ``(None, None)``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Parser = Callable[[Any, bool], tuple[Any, str | None]]

_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}


def missing(value: Any) -> bool:
    """An empty cell."""
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: Any) -> str:
    """A cell as messages quote it."""
    return repr(value.strip() if isinstance(value, str) else value)


def number(value: Any) -> float | None:
    """``value`` as a finite float, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        out = float(value)
    elif isinstance(value, str):
        try:
            out = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return out if math.isfinite(out) else None


def text(value: Any, required: bool) -> tuple[Any, str | None]:
    """Any text (a number is taken as its digits)."""
    if missing(value):
        return None, "missing" if required else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip(), None


def whole(what: str, lowest: int = 0) -> Parser:
    """A parser of a whole number of ``what`` (e.g. households) of at least ``lowest``."""

    def parse(value: Any, required: bool) -> tuple[Any, str | None]:
        if missing(value):
            return None, "missing" if required else None
        got = number(value)
        if got is None or got != int(got):
            return None, f"must be a whole number of {what} (got {shown(value)})"
        if got < lowest:
            return None, (f"must not be negative (got {shown(value)})" if lowest == 0 else
                          f"must be at least {lowest} (got {shown(value)})")
        return int(got), None

    return parse


def real(lowest: float | None = None, inclusive: bool = True) -> Parser:
    """A parser of a real number, optionally bounded below (``> lowest`` when not inclusive)."""

    def parse(value: Any, required: bool) -> tuple[Any, str | None]:
        if missing(value):
            return None, "missing" if required else None
        got = number(value)
        if got is None:
            return None, f"not a number (got {shown(value)})"
        if lowest is not None and inclusive and got < lowest:
            return None, f"must not be negative (got {shown(value)})"
        if lowest is not None and not inclusive and got <= lowest:
            return None, f"must be greater than {lowest:g} (got {shown(value)})"
        return got, None

    return parse


def share(value: Any, required: bool) -> tuple[Any, str | None]:
    """A share between 0 and 1."""
    got, error = real(0.0)(value, required)
    if error is None and got is not None and got > 1:
        return None, f"must be a share between 0 and 1 (got {shown(value)})"
    return got, error


def boolean(value: Any, required: bool) -> tuple[Any, str | None]:
    """true/false, yes/no, 1/0 (an empty cell: None, the column's default)."""
    if missing(value):
        return None, "missing" if required else None
    if isinstance(value, bool):
        return value, None
    word = str(value).strip().lower() if isinstance(value, str | int) else None
    if word in _TRUE:
        return True, None
    if word in _FALSE:
        return False, None
    return None, f"must be true/false, yes/no or 1/0 (got {shown(value)})"
