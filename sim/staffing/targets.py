"""Targets compiled against a scenario, measured on issue arrays, and parsed from their text form.

The same :class:`TargetSet` measures the fast screen's issues and the full model's per-issue
records, with the definitions of :mod:`sim.model.measures`: an issue counts when it occurs in
the observation window (for ``hours: working`` also when it is reported in working hours), and
it meets a response (resolution) target when its response (resolution) time, counted from the
report, is within the limit of its category.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import OptionError
from sim.model.measures import in_working_hours, observed, within
from sim.model.plan import Categories, scheduled_care
from sim.scenario.governance import Calendar
from sim.scenario.policy import ALL, Target, describe_calendar, target_problems
from sim.scenario.schema import Scenario

UTILISATION = "utilisation"
PARAMETER = "targets"


@dataclass(frozen=True)
class TargetSet:
    """The targets of one recommendation, with each target's time limit per category.

    ``categories`` are the model's (the scenario's, then ``care_visit`` when visits are
    scheduled). ``limits[i][k]`` is target i's limit for category k (minutes for response,
    hours for resolution), NaN where the category does not count. A target on each category's
    own limit counts care visits too (against ``on_time_days``), as the summary metric of the
    same name does; a target with its own limit counts issues only.
    """

    targets: tuple[Target, ...]
    categories: tuple[str, ...]
    limits: tuple[np.ndarray, ...]
    windows: tuple[Calendar | None, ...]
    start: dt.date
    warmup_min: float
    horizon_min: float

    @classmethod
    def compile(cls, targets: Sequence[Target], scenario: Scenario) -> TargetSet:
        model = Categories.of(scenario, scheduled_care(scenario))
        categories = model.names
        limits = []
        for target in targets:
            limit = np.full(len(categories), np.nan)
            if target.metric != UTILISATION:
                scope = [k for k, name in enumerate(categories)
                         if target.category in (ALL, name)]
                if target.limit is not None:
                    scope = [k for k in scope if categories[k] in scenario.demand]
                    limit[scope] = target.limit
                else:
                    own = (model.respond_target_min if target.metric == "response"
                           else model.resolve_target_h)
                    limit[scope] = own[scope]
            limits.append(limit)
        horizon = scenario.horizon
        workers = scenario.staffing.community_workers.calendar
        windows = tuple(t.window(scenario.calendars, workers) for t in targets)
        return cls(tuple(targets), categories, tuple(limits), windows, horizon.start,
                   horizon.warmup_days * 1440.0, horizon.days * 1440.0)

    def describe(self, index: int) -> str:
        """Target ``index`` in plain words, with its working hours."""
        return self.targets[index].describe(self.windows[index])

    def descriptions(self) -> list[str]:
        return [self.describe(i) for i in range(len(self.targets))]

    def identity(self) -> list[dict[str, object]]:
        """The targets exactly as given (for a result folder's identity)."""
        return [t.model_dump(exclude_none=True) for t in self.targets]

    @property
    def service(self) -> list[tuple[int, Target]]:
        """(index, target) of the response and resolution targets."""
        return [(i, t) for i, t in enumerate(self.targets) if t.metric != UTILISATION]

    @property
    def max_utilisation(self) -> float | None:
        caps = [t.at_most for t in self.targets if t.metric == UTILISATION]
        return caps[0] if caps else None

    @property
    def keys(self) -> list[str]:
        """Column names of the measured quantities: service targets, then utilisation."""
        return [t.key for _, t in self.service] + [UTILISATION]

    def goal(self, key: str) -> tuple[float, str] | None:
        """(bound, '>=' or '<=') that the mean of ``key`` must satisfy, or None (no bound)."""
        for target in self.targets:
            if target.key == key:
                if target.metric == UTILISATION:
                    return float(target.at_most), "<="  # type: ignore[arg-type]
                return float(target.share), ">="  # type: ignore[arg-type]
        return None

    def meets(self, means: Mapping[Any, Any]) -> bool:
        """Whether mean values (by key) meet every target; a missing or NaN value misses."""
        for key in self.keys:
            goal = self.goal(key)
            if goal is None:
                continue
            value = means.get(key, np.nan)
            if not np.isfinite(value):
                return False
            bound, sense = goal
            if (sense == ">=" and value < bound) or (sense == "<=" and value > bound):
                return False
        return True

    def masks(
        self,
        category: np.ndarray,
        occurred_min: np.ndarray,
        reported_min: np.ndarray,
        response_min: np.ndarray,
        resolution_h: np.ndarray,
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """For each service target, (counted, met): which issues count and which meet it.

        ``category`` holds category indices (positions in ``categories``; -1 for an issue of
        no category here, which never counts). Times are those of :mod:`sim.model.measures`:
        response and resolution from the report, NaN for an issue not responded to (resolved),
        which does not count. An issue counts when it occurs in the observation window, and
        for a working-hours target when it is reported in working hours.
        """
        seen = observed(occurred_min, self.warmup_min, self.horizon_min)
        office: dict[str, np.ndarray] = {}
        out = {}
        for i, target in self.service:
            limit = np.append(self.limits[i], np.nan)[category]  # -1 -> NaN
            value = response_min if target.metric == "response" else resolution_h
            counted = seen & np.isfinite(limit) & np.isfinite(value)
            window = self.windows[i]
            if window is not None:
                name = describe_calendar(window)
                if name not in office:
                    office[name] = in_working_hours(window, reported_min, self.start)
                counted &= office[name]
            out[target.key] = (counted, counted & within(value, limit))
        return out

    def shares(self, *issues: np.ndarray) -> dict[str, float]:
        """Each service target's share met by these issues (NaN when no issue counts); the
        arguments are those of :meth:`masks`."""
        out = {}
        for key, (counted, met) in self.masks(*issues).items():
            n = int(np.count_nonzero(counted))
            out[key] = np.count_nonzero(met) / n if n else np.nan
        return out


# ---------------------------------------------------------------- the text form

FORMS = ("response_within_min=MIN@SHARE", "resolution_within_h=H@SHARE", "response@SHARE",
         "resolution@SHARE", "utilisation_at_most=U")
"""How a target is written (the command line's ``--target``), then optionally
``,category=NAME``, ``,hours=working`` and ``,calendar=NAME``."""

_SPEC = re.compile(
    r"^(?P<name>response_within_min|resolution_within_h|response|resolution"
    r"|utilisation_at_most)(?:=(?P<limit>[^@]+))?(?:@(?P<share>.+))?$"
)
_OLD = {"respond_within_min": "response_within_min", "resolve_within_h": "resolution_within_h",
        "respond": "response", "resolve": "resolution", "max_utilisation": "utilisation_at_most"}
_OLD_SPEC = re.compile(r"^(?P<name>" + "|".join(sorted(_OLD, key=len, reverse=True))
                       + r")(?=$|[=@])")


def _problem(text: str, what: str) -> OptionError:
    return OptionError(f"`{PARAMETER}`: target '{text}': {what}", PARAMETER)


def _number(text: str, option: str, what: str) -> float:
    text = text.strip()
    percent = text.endswith("%")
    try:
        value = float(text[:-1] if percent else text)
    except ValueError:
        raise _problem(option, f"{what} '{text}' is not a number") from None
    return value / 100 if percent else value


def parse_target(text: str, categories: Sequence[str] | None = None) -> Target:
    """A :class:`Target` from its text form (:data:`FORMS`), e.g.
    ``"response_within_min=30@0.90,category=public_service,hours=working"``.

    ``categories`` (the scenario's) are checked when given. Raises :class:`OptionError` for
    parameter ``targets`` on any problem; the spellings of earlier versions
    (``respond_within_min=...``) are refused with the new one.
    """
    head, *options = [part.strip() for part in text.split(",")]
    old = _OLD_SPEC.match(head)
    if old:
        new = _OLD[old["name"]] + head[old.end():]
        raise _problem(text, f"'{old['name']}' is now written '{_OLD[old['name']]}': "
                             f"write '{new}'")
    match = _SPEC.match(head)
    if not match:
        raise _problem(text, "expected " + ", ".join(FORMS[:-1]) + " or " + FORMS[-1])
    name, limit, share = match["name"], match["limit"], match["share"]
    fields: dict[str, object]
    if name == "utilisation_at_most":
        if limit is None or share is not None:
            raise _problem(text, "write utilisation_at_most=U, e.g. utilisation_at_most=0.85")
        fields = {"metric": UTILISATION, "at_most": _number(limit, text, "utilisation")}
    else:
        if share is None:
            raise _problem(text, f"missing @SHARE, e.g. {name}{'=30' if limit is None else ''}"
                                 f"@0.90")
        metric = name.split("_")[0]
        fields = {"metric": metric, "share": _number(share, text, "share")}
        if name.endswith(("_min", "_h")):
            if limit is None:
                raise _problem(text, f"missing the time limit after {name}=")
            fields["within_min" if metric == "response" else "within_h"] = _number(
                limit, text, "time limit")
        elif limit is not None:
            unit = "min" if metric == "response" else "h"
            raise _problem(text, f"{name}@SHARE takes no time limit; use "
                                 f"{name}_within_{unit}={limit}@SHARE")
    for option in options:
        key, _, value = option.partition("=")
        if key not in ("category", "hours", "calendar") or not value:
            raise _problem(text, f"unknown option '{option}' (use category=NAME, "
                                 "hours=working|around_the_clock or calendar=NAME)")
        fields[key] = value
    try:
        target = Target.model_validate(fields)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        errors: list[dict[str, Any]] = getattr(exc, "errors", lambda: [])()
        why = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'target'}: "
            f"{e['msg'].removeprefix('Value error, ')}" for e in errors
        ) or str(exc)
        raise _problem(text, why) from None
    if categories is not None and target.category not in (ALL, *categories):
        raise _problem(text, f"unknown category '{target.category}' "
                             f"(categories: all, {', '.join(categories)})")
    return target


def resolve_targets(scenario: Scenario, given: Sequence[str | Target] | None) -> list[Target]:
    """The targets of a recommendation: ``given`` (strings or Targets) or the scenario's."""
    if not given:
        if not scenario.targets:
            raise OptionError(
                f"`{PARAMETER}`: none given and the scenario has no targets: list (e.g. "
                "response_within_min=30@0.90)", PARAMETER)
        return list(scenario.targets)
    targets = [t if isinstance(t, Target) else parse_target(t, list(scenario.demand))
               for t in given]
    problems = target_problems(targets, scenario.demand, scenario.calendars)
    if problems:
        shown = [g if isinstance(g, str) else g.key for g in given]
        raise OptionError(f"`{PARAMETER}`: " + "; ".join(
            _named(p, shown) for p in problems), PARAMETER)
    return targets


def _named(problem: str, shown: list[str]) -> str:
    """A problem of ``target_problems`` (``[i].key: what``) as ``target 'TEXT': what``."""
    where, _, what = problem.partition(": ")
    i = int(where[1:where.index("]")])
    what = re.sub(r"\[(\d+)\]", lambda m: f"'{shown[int(m[1])]}'", what)
    return f"target '{shown[i]}': {what}"
