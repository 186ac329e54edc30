"""The communities table and the pay table of a scenario, from CSV or a workbook's sheet.

``communities_file:`` names a table of the communities (one row each); loading puts it in the
scenario as ``communities:`` of the file that names it. ``pay_file:`` names the pay schedule
(四岗十八级: one row per grade, one column per post); loading puts it in as ``pay.posts`` and
``pay.grade_pay``. Both are read by :func:`sim.scenario.tables.read_table` (UTF-8 or
GB18030 CSV, or ``.xlsx``), and every problem names the file, sheet, row and column. See
docs/grids.md.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from sim.errors import ScenarioError
from sim.scenario import cells
from sim.scenario.common import Identifier
from sim.scenario.policy import GRADES
from sim.scenario.tables import Table, TableRef, read_table

COMMUNITY_SHEETS = ("communities", "社区")
COMMUNITY_REQUIRED = ("community_id", "households")
COMMUNITY_OPTIONAL = ("name", "office_x_m", "office_y_m", "elderly_share", "community_workers")
PAY_SHEETS = ("pay", "薪酬")
PAY_REQUIRED = ("grade", "grade_pay")
POST_ORDER = ("chief", "deputy", "member", "full_time")
"""The posts (四岗) as the schedule's columns read: 正职, 副职, 委员, 专职."""

_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)
_COMMUNITY_PARSERS: dict[str, cells.Parser] = {
    "name": cells.text,
    "households": cells.whole("households", lowest=1),
    "office_x_m": cells.real(),
    "office_y_m": cells.real(),
    "elderly_share": cells.share,
    "community_workers": cells.whole("workers"),
}


def _check_columns(table: Table, required: tuple[str, ...], known: tuple[str, ...]) -> None:
    """Refuse missing, repeated and misspelt columns (other columns are ignored)."""
    import difflib

    header = [h for h in table.header if h]
    problems = []
    missing = [c for c in required if c not in header]
    if missing:
        problems.append(f"{table.where}: missing columns: {', '.join(missing)} (row 1 holds "
                        f"{', '.join(header) or 'nothing'})")
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        problems.append(f"{table.where}: columns named more than once: {', '.join(twice)}")
    for name in header:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
        if name not in known and close and close[0] not in header:
            problems.append(f"{table.where}: unknown column {name!r}; did you mean "
                            f"{close[0]!r}?")
    if problems:
        raise ScenarioError(problems)


# ---------------------------------------------------------------- communities


def read_communities(ref: TableRef, named_by: str) -> tuple[list[dict[str, Any]], Table]:
    """The communities of a table, as scenario ``communities:`` items, and the table read.

    Columns: ``community_id``, ``households`` (required), ``name``, ``office_x_m`` and
    ``office_y_m`` (both or neither), ``elderly_share``, ``community_workers``.
    """
    known = COMMUNITY_REQUIRED + COMMUNITY_OPTIONAL
    table = read_table(ref, "communities table", named_by, COMMUNITY_SHEETS, COMMUNITY_REQUIRED)
    _check_columns(table, COMMUNITY_REQUIRED, known)
    problems: list[str] = []
    items: list[dict[str, Any]] = []
    first: dict[str, int] = {}
    for row, values in table.cells():
        at = f"{table.where}: row {row}"
        before = len(problems)
        item: dict[str, Any] = {}
        cid = _community_id(values.get("community_id"))
        if isinstance(cid, tuple):
            problems.append(f"{at}: {table.column('community_id')}: {cid[0]}")
        elif cid in first:
            problems.append(f"{at}: {table.column('community_id')}: duplicate of row "
                            f"{first[cid]} (got {cid!r})")
        else:
            first[cid] = row
            item["id"] = cid
        for column in ("households", *COMMUNITY_OPTIONAL):
            value, error = _COMMUNITY_PARSERS[column](values.get(column), column == "households")
            if error:
                problems.append(f"{at}: {table.column(column)}: {error}")
            elif value is not None:
                item[column] = value
        x, y = item.pop("office_x_m", None), item.pop("office_y_m", None)
        if x is not None and y is not None:
            item["office_m"] = [x, y]
        elif (x is None) != (y is None):
            absent = "office_y_m" if y is None else "office_x_m"
            if cells.missing(values.get(absent)):
                problems.append(f"{at}: {table.column(absent)}: missing (give the office as "
                                "office_x_m and office_y_m, or neither)")
        if len(problems) == before:
            items.append(item)
    if not items and not problems:
        raise ScenarioError([f"{table.where}: no community rows after the header"])
    if problems:
        raise ScenarioError(problems)
    return items, table


def _community_id(value: Any) -> str | tuple[str]:
    """The id, or (what is wrong,)."""
    if cells.missing(value):
        return ("missing",)
    text = str(value).strip()
    try:
        return _IDENTIFIER.validate_python(text)
    except ValidationError:
        return (f"must be a code name: letters of any script (lower-case where the script has "
                f"case, e.g. dongguan or 红旗), digits and '_', starting with a letter, at most "
                f"40 (got {cells.shown(value)})",)


# ---------------------------------------------------------------- the pay table


def read_pay(ref: TableRef, named_by: str) -> tuple[dict[str, Any], Table]:
    """``pay.posts`` and ``pay.grade_pay`` from the pay schedule, and the table read.

    One row per grade 1 to 18: ``grade``, ``grade_pay`` (等级工资, a month), and one column per
    post (``chief``, ``deputy``, ``member``, ``full_time``) holding that post's monthly pay at
    the grade, post pay included (岗位工资 + 等级工资, as the schedule prints it), empty where
    the grade is not open to the post. A post's column exceeds ``grade_pay`` by the same
    amount on every row it fills (its post pay), and it fills one run of grades (its
    ``min_grade`` to ``max_grade``).
    """
    table = read_table(ref, "pay table", named_by, PAY_SHEETS, PAY_REQUIRED)
    known = PAY_REQUIRED + POST_ORDER
    _check_columns(table, PAY_REQUIRED, known)
    missing_posts = [p for p in POST_ORDER if p not in table.header]
    if missing_posts:
        raise ScenarioError([f"{table.where}: missing columns: {', '.join(missing_posts)} (one "
                             "column per post: chief, deputy, member, full_time)"])
    problems: list[str] = []
    grade_pay: dict[int, float] = {}
    totals: dict[str, dict[int, tuple[int, float]]] = {p: {} for p in POST_ORDER}
    seen: dict[int, int] = {}
    for row, values in table.cells():
        at = f"{table.where}: row {row}"
        grade, error = cells.whole("grades", lowest=1)(values.get("grade"), True)
        if error is None and grade > GRADES:
            error = f"must be a grade from 1 to {GRADES} (got {cells.shown(values['grade'])})"
        if error:
            problems.append(f"{at}: {table.column('grade')}: {error}")
            continue
        if grade in seen:
            problems.append(f"{at}: {table.column('grade')}: grade {grade} is also on row "
                            f"{seen[grade]}")
            continue
        seen[grade] = row
        pay, error = cells.real(0.0)(values.get("grade_pay"), True)
        if error:
            problems.append(f"{at}: {table.column('grade_pay')}: {error}")
        else:
            grade_pay[grade] = pay
        for post in POST_ORDER:
            total, error = cells.real(0.0)(values.get(post), False)
            if error:
                problems.append(f"{at}: {table.column(post)}: {error}")
            elif total is not None:
                totals[post][grade] = (row, total)
    absent = [g for g in range(1, GRADES + 1) if g not in seen]
    if absent and not problems:
        which = f"grades {_runs(absent)} have" if len(absent) > 1 else f"grade {absent[0]} has"
        problems.append(f"{table.where}: {which} no row (give one row per grade, 1 to "
                        f"{GRADES})")
    if problems:
        raise ScenarioError(problems)
    posts = {post: _post(table, post, totals[post], grade_pay, problems) for post in POST_ORDER}
    if problems:
        raise ScenarioError(problems)
    return {"posts": posts, "grade_pay": [grade_pay[g] for g in range(1, GRADES + 1)]}, table


def _post(table: Table, post: str, totals: dict[int, tuple[int, float]],
          grade_pay: dict[int, float], problems: list[str]) -> dict[str, Any]:
    """One post's pay and grades from its column; problems go to ``problems``."""
    column = table.column(post)
    if not totals:
        problems.append(f"{table.where}: {column}: no grade is open to the post (every cell is "
                        "empty)")
        return {}
    grades = sorted(totals)
    gaps = [g for g in range(grades[0], grades[-1] + 1) if g not in totals]
    if gaps:
        problems.append(f"{table.where}: {column}: empty at grade{'s' if len(gaps) > 1 else ''} "
                        f"{_runs(gaps)}, between grades {grades[0]} and {grades[-1]}: a post is "
                        "open to one run of grades")
    first_row, first_total = totals[grades[0]]
    post_pay = first_total - grade_pay[grades[0]]
    if post_pay < 0:
        problems.append(f"{table.where}: row {first_row}: {column}: {first_total:g} is below the "
                        f"grade's grade_pay {grade_pay[grades[0]]:g} (the cell holds post pay + "
                        "grade pay)")
    for grade in grades[1:]:
        row, total = totals[grade]
        expected = post_pay + grade_pay[grade]
        if abs(total - expected) > 0.005:
            problems.append(
                f"{table.where}: row {row}: {column}: {total:g} is not the post pay "
                f"{post_pay:g} (row {first_row}: {first_total:g} - {grade_pay[grades[0]]:g}) + "
                f"this grade's grade_pay {grade_pay[grade]:g} = {expected:g}; the cost model "
                "prices a worker as post pay + grade pay")
    return {"monthly_post_pay": round(post_pay, 2), "min_grade": grades[0],
            "max_grade": grades[-1]}


def _runs(numbers: list[int]) -> str:
    """``1-3, 7`` for [1, 2, 3, 7] (sorted, distinct)."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}" if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def pay_rows(pay: Any) -> list[dict[str, Any]]:
    """The rows of the pay table file of a scenario's ``pay:`` (the inverse of
    :func:`read_pay`): grade, grade_pay, then each post's monthly pay where it is open."""
    rows = []
    for grade in range(1, GRADES + 1):
        row: dict[str, Any] = {"grade": grade, "grade_pay": pay.grade_pay[grade - 1]}
        for post in POST_ORDER:
            spec = pay.posts[post]
            open_ = spec.min_grade <= grade <= spec.max_grade
            row[post] = spec.monthly_post_pay + pay.grade_pay[grade - 1] if open_ else None
        rows.append(row)
    return rows

