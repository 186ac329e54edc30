"""Service targets and the pay table: the scenario keys that staffing recommendations read.

``targets:`` is a list; each item is one target that every community must meet::

    targets:
      - {metric: response, within_min: 30, share: 0.90, hours: working}
      - {metric: resolution, within_h: 72, share: 0.95}
      - {metric: utilisation, at_most: 0.85}

A response or resolution target without ``within_min`` / ``within_h`` uses each category's own
``respond_within_min`` / ``resolve_within_h`` (the thresholds behind the
``*_within_target_share`` metrics), so the target only states the share.

``pay:`` is the cost model after the seed's 四岗十八级 (four posts x eighteen grades): a worker
costs (post pay + grade pay) x months per year x (1 + employer on-cost share). The first
workers of a community hold the posts of ``roster`` in order; every worker beyond the roster is
an ``added_worker``.

``shifts:`` are the shift patterns a roster may use (``gridsim recommend --roster``) and the
labour rules every worker's week must keep: each pattern is a calendar (days and periods)
with its paid hours and cost per shift; a worker works at most one shift a day.

This module imports nothing from :mod:`sim.scenario.schema` (which imports it).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from sim.scenario.governance import ALWAYS, WEEKDAYS, Calendar, Weekday

ALL = "all"
OFFICE_HOURS = Calendar()
"""Working hours when a target names no calendar and community workers work always:
Monday to Friday, 08:00-12:00 and 14:00-18:00."""
POSTS = ("chief", "deputy", "full_time", "member")
"""The four posts (四岗): 正职 chief, 副职 deputy, 专职 full-time, 委员 member."""
GRADES = 18
"""The eighteen pay grades (十八级), grade 1 lowest."""

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, allow_inf_nan=False)


# ---------------------------------------------------------------- targets


class Target(_Strict):
    """One service target: response and resolution need ``share``, utilisation ``at_most``."""

    metric: Literal["response", "resolution", "utilisation"] = Field(
        description="`response`: the model's response_min (from the report to a responder on "
        "site, minutes); `resolution`: its resolution_h (from the report to closed, hours); "
        "`utilisation`: busy share of the community workers' working time."
    )
    share: float | None = Field(
        default=None, gt=0, lt=1,
        description="Share of issues that must meet the time limit (e.g. 0.90).",
    )
    within_min: float | None = Field(
        default=None, gt=0, allow_inf_nan=False,
        description="Response time limit (minutes); default: each category's respond_within_min.",
    )
    within_h: float | None = Field(
        default=None, gt=0, allow_inf_nan=False,
        description="Resolution time limit (hours); default: each category's resolve_within_h.",
    )
    at_most: float | None = Field(
        default=None, gt=0, le=1, description="Highest allowed utilisation (utilisation only)."
    )
    category: str = Field(
        default=ALL, description="An issue category, or `all` for issues of every category."
    )
    hours: Literal["around_the_clock", "working"] = Field(
        default="around_the_clock",
        description="`working`: only issues REPORTED in working hours count (see `calendar`).",
    )
    calendar: str | None = Field(
        default=None,
        description="Working hours of `hours: working`: a calendar in `calendars`; default the "
        "community workers' calendar, or Mon-Fri 08:00-12:00, 14:00-18:00 if they work always.",
    )

    @model_validator(mode="after")
    def _check(self) -> Target:
        given = {k for k in ("share", "within_min", "within_h", "at_most")
                 if getattr(self, k) is not None}
        if self.metric == "utilisation":
            wrong = given - {"at_most"}
            if wrong:
                raise ValueError(f"a utilisation target takes at_most only, not {sorted(wrong)}")
            if self.at_most is None:
                raise ValueError("a utilisation target needs at_most (e.g. 0.85)")
            if self.category != ALL or self.hours != "around_the_clock":
                raise ValueError("a utilisation target applies to the whole community: "
                                 "leave out category and hours")
        else:
            if self.share is None:
                raise ValueError(f"a {self.metric} target needs share (e.g. 0.90)")
            if self.at_most is not None:
                raise ValueError("at_most belongs to utilisation targets")
            if self.metric == "response" and self.within_h is not None:
                raise ValueError("a response target is in minutes: use within_min")
            if self.metric == "resolution" and self.within_min is not None:
                raise ValueError("a resolution target is in hours: use within_h")
        if self.calendar is not None and self.hours != "working":
            raise ValueError("calendar needs hours: working")
        return self

    def window(self, calendars: dict[str, Calendar], workers_calendar: str = ALWAYS
               ) -> Calendar | None:
        """The working hours whose reports count, or None (around the clock).

        ``calendars`` are the scenario's named calendars; ``workers_calendar`` the community
        workers' calendar name.
        """
        if self.hours != "working":
            return None
        return working_hours(calendars, workers_calendar, self.calendar)

    @property
    def limit(self) -> float | None:
        """The explicit time limit in the metric's unit (None: each category's own)."""
        return self.within_min if self.metric == "response" else self.within_h

    @property
    def key(self) -> str:
        """The column of what the target measures, in the words of the metrics: a response
        target on each category's own limit, all categories, around the clock is
        ``response_within_target_share`` (the summary metric); with a limit
        ``response_within_30min_share``; then ``_<category>`` when not all, ``_working`` for
        working hours; ``utilisation``."""
        if self.metric == "utilisation":
            return "utilisation"
        unit = "min" if self.metric == "response" else "h"
        limit = f"{self.limit:g}{unit}" if self.limit is not None else "target"
        key = f"{self.metric}_within_{limit}_share"
        if self.category != ALL:
            key += f"_{self.category}"
        return key + ("_working" if self.hours == "working" else "")

    def describe(self, window: Calendar | None = None) -> str:
        """Plain words, e.g. '90% of all issues responded to within 30 min (working hours)'.

        ``window`` is the calendar of a working-hours target (default office hours).
        """
        if self.metric == "utilisation":
            return f"utilisation at most {self.at_most:.0%}"
        what = "responded to" if self.metric == "response" else "resolved"
        unit = "min" if self.metric == "response" else "h"
        own = "respond_within_min" if unit == "min" else "resolve_within_h"
        limit = (f"within {self.limit:g} {unit}" if self.limit is not None
                 else f"within their category's {own}")
        issues = "all issues" if self.category == ALL else f"{self.category} issues"
        if self.hours == "working":
            hours = f" (reported in working hours: {describe_calendar(window or OFFICE_HOURS)})"
        else:
            hours = " (around the clock)"
        return f"{self.share:.0%} of {issues} {what} {limit}{hours}"

    def thresholds(self, demand: dict[str, Any]) -> dict[str, float]:
        """Time limit per category counted by this target (categories without one are left out).

        ``demand`` maps category names to their schema models; units are the metric's.
        """
        names = list(demand) if self.category == ALL else [self.category]
        own = "respond_within_min" if self.metric == "response" else "resolve_within_h"
        out = {}
        for name in names:
            limit = self.limit if self.limit is not None else getattr(demand[name], own)
            if limit is not None:
                out[name] = float(limit)
        return out


def working_hours(calendars: dict[str, Calendar], workers_calendar: str = ALWAYS,
                  name: str | None = None) -> Calendar:
    """The calendar whose open hours are "working hours": the calendar ``name``, else the
    community workers' calendar, else (workers on ``always``) :data:`OFFICE_HOURS`."""
    return calendars.get(name or workers_calendar, OFFICE_HOURS)


def describe_calendar(calendar: Calendar) -> str:
    """E.g. 'mon-fri 08:00-12:00, 14:00-18:00'."""
    days = calendar.days
    index = sorted(WEEKDAYS.index(d) for d in set(days))
    if len(index) > 2 and index == list(range(index[0], index[-1] + 1)):
        text = f"{WEEKDAYS[index[0]]}-{WEEKDAYS[index[-1]]}"
    else:
        text = ", ".join(WEEKDAYS[i] for i in index)
    return f"{text} {', '.join(sorted(calendar.periods))}"


def target_problems(targets: list[Target], demand: dict[str, Any],
                    calendars: dict[str, Any] | None = None) -> list[str]:
    """Problems of ``targets`` against the scenario's categories and calendars."""
    problems = []
    keys: dict[str, int] = {}
    for i, target in enumerate(targets):
        where = f"[{i}]"
        if target.key in keys:
            problems.append(f"{where}: measures the same as [{keys[target.key]}] "
                            f"({target.key}); give each target once")
            continue
        keys[target.key] = i
        if target.metric == "utilisation":
            continue
        if target.calendar is not None and target.calendar not in (calendars or {}):
            known = ", ".join(sorted(calendars or {})) or "none"
            problems.append(f"{where}.calendar: unknown calendar '{target.calendar}' "
                            f"(calendars: {known})")
        if target.category != ALL and target.category not in demand:
            problems.append(f"{where}.category: unknown category '{target.category}' "
                            f"(categories: all, {', '.join(demand)})")
            continue
        if target.limit is None and not target.thresholds(demand):
            own = "respond_within_min" if target.metric == "response" else "resolve_within_h"
            unit = "within_min" if target.metric == "response" else "within_h"
            problems.append(f"{where}: no time limit: give {unit}, or {own} on the category")
    return problems


def _check_against_scenario(targets: list[Target], info: ValidationInfo) -> list[Target]:
    demand = info.data.get("demand")
    if demand:  # when demand itself is invalid its own errors are reported
        problems = target_problems(targets, demand, info.data.get("calendars"))
        if problems:
            raise ValueError("; ".join(problems))
    return targets


Targets = Annotated[list[Target], AfterValidator(_check_against_scenario)]
"""The ``targets`` key of a scenario: checked against its ``demand`` and ``calendars``."""


# ---------------------------------------------------------------- pay table


class Post(_Strict):
    """One of the four posts (四岗)."""

    name: str | None = Field(default=None, description="Display name, e.g. 正职.")
    monthly_post_pay: float = Field(
        ge=0, allow_inf_nan=False, description="Post pay per month (currency / month)."
    )
    min_grade: int = Field(default=1, ge=1, le=GRADES, description="Lowest grade of the post.")
    max_grade: int = Field(default=GRADES, ge=1, le=GRADES, description="Highest grade.")

    @model_validator(mode="after")
    def _range(self) -> Post:
        if self.min_grade > self.max_grade:
            raise ValueError(f"min_grade {self.min_grade} is above max_grade {self.max_grade}")
        return self


class Position(_Strict):
    """A post and a grade held by one worker."""

    post: Literal["chief", "deputy", "full_time", "member"] = Field(description="The post.")
    grade: int = Field(ge=1, le=GRADES, description="The pay grade, 1 to 18.")


class PayTable(_Strict):
    """Annual cost of community workers after 四岗十八级 (four posts x eighteen grades)."""

    currency: str = Field(default="CNY", description="Currency of every amount.")
    placeholder: bool = Field(
        default=True, description="True while the figures are estimates to be replaced."
    )
    assumptions: list[str] = Field(
        default_factory=list, description="Where the figures come from; shown in reports."
    )
    posts: dict[Literal["chief", "deputy", "full_time", "member"], Post] = Field(
        description="The four posts: chief (正职), deputy (副职), full_time (专职), member (委员)."
    )
    grade_pay: list[float] = Field(
        min_length=GRADES, max_length=GRADES,
        description="Grade pay per month of grades 1 to 18 (currency / month), grade 1 first.",
    )
    months_per_year: float = Field(
        default=12, gt=0, le=24, description="Monthly pays per year (e.g. 13 with a bonus month)."
    )
    on_cost_share: float = Field(
        default=0.0, ge=0, le=2,
        description="Employer social insurance and housing fund, as a share of gross pay.",
    )
    roster: list[Position] = Field(
        default_factory=list,
        description="Posts and grades of a community's first workers, in order.",
    )
    added_worker: Position = Field(
        description="Post and grade of every worker beyond the roster (e.g. a new full-time hire)."
    )

    @model_validator(mode="after")
    def _check(self) -> PayTable:
        missing = [p for p in POSTS if p not in self.posts]
        if missing:
            raise ValueError(f"posts: missing {', '.join(missing)} (give all four posts)")
        if any(v < 0 for v in self.grade_pay):
            raise ValueError("grade_pay: amounts must not be negative")
        for where, position in [*((f"roster[{i}]", p) for i, p in enumerate(self.roster)),
                                ("added_worker", self.added_worker)]:
            post = self.posts[position.post]
            if not post.min_grade <= position.grade <= post.max_grade:
                raise ValueError(
                    f"{where}: grade {position.grade} is outside the {position.post} post's "
                    f"grades {post.min_grade}-{post.max_grade}"
                )
        return self

    def annual_cost(self, position: Position) -> float:
        """Employer's yearly cost of one worker in ``position``."""
        monthly = self.posts[position.post].monthly_post_pay + self.grade_pay[position.grade - 1]
        return monthly * self.months_per_year * (1 + self.on_cost_share)

    def positions(self, workers: int) -> list[Position]:
        """Who ``workers`` workers are: the roster in order, then added workers."""
        extra = max(workers - len(self.roster), 0)
        return [*self.roster[:workers], *[self.added_worker] * extra]

    def cost(self, workers: int) -> float:
        """Employer's yearly cost of a community with ``workers`` workers."""
        return sum(self.annual_cost(p) for p in self.positions(workers))


# ---------------------------------------------------------------- shifts


class ShiftPattern(Calendar):
    """One kind of shift: the days it may be worked, its periods (a lunch break is the gap
    between two periods), its paid hours and its cost."""

    days: list[Weekday] = Field(
        default=list(get_args(Weekday)), min_length=1,
        description="Days the shift may be worked.")
    name: str | None = Field(default=None, description="Display name, e.g. 办公日.")
    paid_hours: float | None = Field(
        default=None, gt=0, le=24, allow_inf_nan=False,
        description="Paid hours of one shift (hours); default: the length of its periods.")
    cost: float = Field(
        ge=0, allow_inf_nan=False,
        description="Cost of one shift worked (the pay table's currency): pay for its hours "
        "and any allowance (evening, weekend).")

    @property
    def hours(self) -> float:
        """Paid hours of one shift."""
        if self.paid_hours is not None:
            return self.paid_hours
        return sum(b - a for a, b in self.minutes()) / 60


class Shifts(_Strict):
    """The shift patterns a roster may use and the labour rules of a worker's week."""

    patterns: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)],
                   ShiftPattern] = Field(
        min_length=1, max_length=6, description="Shift patterns by code name.")
    max_hours_per_week: float = Field(
        default=40, gt=0, le=84, allow_inf_nan=False,
        description="Most paid hours a worker works in a week (hours).")
    min_hours_per_week: float = Field(
        default=0, ge=0, allow_inf_nan=False,
        description="Fewest paid hours of a worker's week, e.g. 40 for full-time posts (hours).")
    rest_days_per_week: int = Field(
        default=2, ge=0, le=6, description="Days without a shift in every worker's week.")

    @model_validator(mode="after")
    def _check(self) -> Shifts:
        if self.min_hours_per_week > self.max_hours_per_week:
            raise ValueError(f"min_hours_per_week ({self.min_hours_per_week:g}) is above "
                             f"max_hours_per_week ({self.max_hours_per_week:g})")
        return self
