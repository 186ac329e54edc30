"""Row filters of ``gridsim calibrate --where``: a small, safe expression language.

An expression compares columns of the log with literal values::

    source != "Employee Generated"
    type not in ["Schedule a Bulk Item Pickup", "Pothole Repair (Internal)"]
    `case status` == "Closed" and (priority >= 2 or urgent == "yes")

Allowed: column names (bare, or in backticks when they hold spaces or other characters), string
and number literals, lists of literals, the comparisons ``== != < <= > >= in not in``, and
``and``, ``or``, ``not`` with parentheses. The text is parsed with Python's :mod:`ast` and every
node is checked against this grammar before anything is evaluated; evaluation is numpy over the
columns, so no code of the user ever runs (no calls, attributes, subscripts or names that are
not columns). Values are compared as text, except when the literal is a number: then the column
is read as numbers (cells that are not numbers compare false).
"""

from __future__ import annotations

import ast
import re

import numpy as np
import pandas as pd

_BACKTICK = re.compile(r"`([^`]+)`")
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
            ast.GtE: ">=", ast.In: "in", ast.NotIn: "not in"}


class WhereError(ValueError):
    """An expression outside the grammar, or naming a column the log does not have."""


def parse(text: str, columns: list[str]) -> ast.Expression:
    """Parse and check ``text``; WhereError names what is not allowed."""
    names: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        name = f"_col{len(names)}"
        names[name] = match.group(1)
        return name

    source = _BACKTICK.sub(placeholder, text.strip())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise WhereError(f"not an expression ({exc.msg}): {text!r}") from None
    tree.names = names  # type: ignore[attr-defined]
    _check(tree.body, names, columns, text)
    return tree


def _check(node: ast.AST, names: dict[str, str], columns: list[str], text: str) -> None:
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, names, columns, text)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, names, columns, text)
    elif isinstance(node, ast.Compare):
        if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
            raise WhereError(f"use one comparison at a time (==, !=, <, <=, >, >=, in, not in):"
                             f" {text!r}")
        column = _column(node.left, names)
        if column is None:
            raise WhereError(f"the left side of a comparison must be a column: {text!r}")
        if column not in columns:
            raise WhereError(f"no column {column!r} in the log (columns: {', '.join(columns)})")
        _literal(node.comparators[0], isinstance(node.ops[0], ast.In | ast.NotIn), text)
    else:
        raise WhereError(f"only comparisons joined by and/or/not are allowed, not "
                         f"{type(node).__name__}: {text!r}")


def _column(node: ast.AST, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return names.get(node.id, node.id)
    return None


def _literal(node: ast.AST, is_list: bool, text: str) -> object:
    if is_list:
        if not isinstance(node, ast.List | ast.Tuple):
            raise WhereError(f"`in` needs a list of values, e.g. [\"a\", \"b\"]: {text!r}")
        return [_literal(item, False, text) for item in node.elts]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _literal(node.operand, False, text)
        if isinstance(value, int | float):
            return -value
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float) \
            and not isinstance(node.value, bool):
        return node.value
    raise WhereError(f"the right side must be a quoted text, a number or a list of them: "
                     f"{text!r}")


def evaluate(tree: ast.Expression, frame: pd.DataFrame) -> np.ndarray:
    """The rows of ``frame`` (text columns) where the checked expression holds."""
    names: dict[str, str] = tree.names  # type: ignore[attr-defined]
    return _evaluate(tree.body, names, frame)


def _evaluate(node: ast.AST, names: dict[str, str], frame: pd.DataFrame) -> np.ndarray:
    if isinstance(node, ast.BoolOp):
        parts = [_evaluate(v, names, frame) for v in node.values]
        join = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = parts[0]
        for part in parts[1:]:
            out = join(out, part)
        return out
    if isinstance(node, ast.UnaryOp):
        return ~_evaluate(node.operand, names, frame)
    assert isinstance(node, ast.Compare)
    column = frame[_column(node.left, names)]
    op = _COMPARE[type(node.ops[0])]
    value = _literal(node.comparators[0], op in ("in", "not in"), "")
    if op in ("in", "not in"):
        values = list(value)  # type: ignore[call-overload]
        numeric = [v for v in values if not isinstance(v, str)]
        hit = column.isin([str(v) for v in values]).to_numpy()
        if numeric:
            hit |= pd.to_numeric(column, errors="coerce").isin(numeric).to_numpy()
        return ~hit if op == "not in" else hit
    if isinstance(value, str):
        left: pd.Series = column.fillna("")
    else:
        left = pd.to_numeric(column, errors="coerce")
    result = {"==": left == value, "!=": left != value, "<": left < value,
              "<=": left <= value, ">": left > value, ">=": left >= value}[op]
    return result.fillna(False).to_numpy(dtype=bool)
