"""Reading scenario files: safe YAML, ``extends:`` chains, overrides, messages naming the key.

Every problem is reported as ``file: key.path: what is wrong``; all problems of a file are
collected before :class:`~sim.errors.ScenarioError` is raised.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError, UnstableScenarioError
from sim.scenario.capacity import shortfall
from sim.scenario.common import IDENTIFIER_PATTERN
from sim.scenario.facilities import place_problems
from sim.scenario.files import is_regular, parse_yaml, read_text
from sim.scenario.governance import GRID_ID_PATTERN, Department
from sim.scenario.gridfiles import inline_grid_file
from sim.scenario.grids import build_grids
from sim.scenario.limits import limit_problems
from sim.scenario.roster import role_counts
from sim.scenario.schema import Scenario
from sim.scenario.workforce import workforce_problems

EXTENDS = "extends"
MAX_EXTENDS = 32
"""The longest ``extends:`` chain followed."""
GRID_FILE = "grid_file"
_THOUSANDS = "write numbers without thousands separators (1250, not 1,250)"
_KEYED = re.compile(r"^[a-z_][\w\[\].]*: ")
PATTERN_TEXTS = {
    IDENTIFIER_PATTERN: "must be a code name: letters of any script (lower-case where the "
    "script has case, e.g. dongguan or 红旗), digits and '_', starting with a letter",
    GRID_ID_PATTERN: "must be a grid id: letters of any script or digits, then also '_', '.' "
    "or '-' (no spaces or slashes)",
}


class LoadedScenario:
    """A validated scenario together with where it came from.

    ``scenario`` is the validated model; ``data`` the resolved mapping (``extends:`` applied),
    which is what run folders store and what overrides start from. ``unstable`` holds the
    capacity problems (``file: key: unstable: ...``) of a scenario loaded with
    ``allow_unstable``; its variants (:meth:`with_overrides`) allow them too.
    """

    def __init__(self, scenario: Scenario, data: dict[str, Any], source: str,
                 unstable: tuple[str, ...] = (), allow_unstable: bool = False):
        self.scenario = scenario
        self.data = data
        self.source = source
        self.unstable = unstable
        self.allow_unstable = allow_unstable

    @property
    def name(self) -> str:
        return self.scenario.name

    def with_overrides(
        self, overrides: Mapping[str, Any], label: str | None = None,
        allow_unstable: bool | None = None,
    ) -> LoadedScenario:
        """A new scenario with dotted keys replaced, e.g. ``{"horizon.days": 90}``.

        A list of communities is addressed by id: ``communities.dongguan.households``.
        ``allow_unstable`` (default: as this scenario was loaded) keeps capacity problems as
        :attr:`unstable` instead of refusing them. An estimate (``estimates:``) whose key the
        overrides removed (a community left out) is dropped from the variant's list.
        """
        data = copy.deepcopy(self.data)
        for key, value in overrides.items():
            set_dotted(data, key, value, self.source)
        allow = self.allow_unstable if allow_unstable is None else allow_unstable
        return from_mapping(data, label or self.source, drop_lost_estimates=True,
                            allow_unstable=allow)

    def to_yaml(self) -> str:
        """The fully resolved scenario (``extends:`` applied, defaults filled) as YAML."""
        resolved = self.scenario.model_dump(mode="json", exclude_none=True)
        return yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True)

    def digest(self) -> str:
        """SHA-256 of the resolved scenario's canonical JSON: equal digests, equal scenarios."""
        canonical = json.dumps(self.scenario.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def __repr__(self) -> str:
        return f"LoadedScenario({self.name!r}, source={self.source!r})"


def load_scenario(path: str | Path, allow_unstable: bool = False) -> LoadedScenario:
    """Load, resolve ``extends:`` and ``grid_file:``, and validate a scenario file.

    A scenario whose demand outgrows its capacity (:func:`instabilities`) is refused with
    :class:`~sim.errors.UnstableScenarioError`, unless ``allow_unstable``: then it loads, with
    the problems in :attr:`LoadedScenario.unstable`.
    """
    path = Path(path)
    return from_mapping(_resolve(path, ()), str(path), allow_unstable=allow_unstable)


def from_mapping(data: dict[str, Any], source: str = "<mapping>",
                 drop_lost_estimates: bool = False, allow_unstable: bool = False
                 ) -> LoadedScenario:
    """Validate a resolved scenario mapping; ``source`` names it in messages; capacity
    problems as in :func:`load_scenario`.

    Every key of ``estimates:`` must exist in the scenario; with ``drop_lost_estimates`` (a
    variant made by overrides) those that do not are dropped instead.
    """
    try:
        data = copy.deepcopy(data)
    except RecursionError:
        raise ScenarioError([f"{source}: nested too deeply to be a scenario"]) from None
    data.pop(EXTENDS, None)
    grid_file = data.pop(GRID_FILE, None)
    grid_problems: list[str] = []
    if grid_file is not None:  # relative paths: to the file that named it, else to here
        if not isinstance(grid_file, str):
            raise ScenarioError([f"{source}: {GRID_FILE}: must be a file path, not "
                                 f"{type(grid_file).__name__}"])
        try:
            inline_grid_file(data, Path(grid_file), source)
        except ScenarioError as exc:  # reported after the scenario's own problems
            grid_problems = exc.problems
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError([_format(source, err, data) for err in exc.errors()]
                            + grid_problems) from None
    except RecursionError:
        raise ScenarioError([f"{source}: nested too deeply to be a scenario"]) from None
    if grid_problems:
        raise ScenarioError(grid_problems)
    problems = [f"{source}: {key}: {msg}" for key, msg in semantic_problems(scenario)]
    lost = [key for key in scenario.estimates if not key_exists(scenario, key)]
    if lost and drop_lost_estimates:
        kept = {k: v for k, v in scenario.estimates.items() if k not in lost}
        scenario = scenario.model_copy(update={"estimates": kept})
        data["estimates"] = kept
    else:
        problems += [f"{source}: estimates.{key}: no such key in the scenario" for key in lost]
    checked = not limit_problems(scenario)  # (the limits keep the checks small)
    unstable = [f"{source}: {key}: {msg}" for key, msg in instabilities(scenario)] if checked \
        else []
    if problems:
        raise ScenarioError(problems + unstable)
    if unstable and not allow_unstable:
        raise UnstableScenarioError(unstable)
    return LoadedScenario(scenario, data, source, tuple(unstable), allow_unstable)


def semantic_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """Problems the schema alone cannot see: limits, grid ids, the workforce, demand without
    staff, care visits without anyone to make them. Demand above capacity is
    :func:`instabilities`."""
    problems = limit_problems(scenario)
    if problems:  # checked before anything is allocated by grid or by responder
        return problems
    try:
        build_grids(scenario)  # grid ids unique across lattices and tables
    except ScenarioError as exc:
        problems.extend(("communities", p) for p in exc.problems)
    if scenario.workforce is not None:
        problems.extend(_keyed(p) for p in workforce_problems(scenario.workforce, scenario.pay))
    queueing = scenario.dispatch.overflow == "queue"
    # (with `overflow: escalate` nothing waits locally: a loss system is always stable)
    for i, community in enumerate(scenario.communities):
        counts = role_counts(scenario, community)
        unstaffed = counts["community_worker"] + counts["grid_member"] == 0
        if unstaffed and scenario.offered_load(community) > 0:
            yearly = sum(scenario.issues_per_year(community, k) for k in scenario.demand)
            problems.append(
                (f"communities[{i}].community_workers",
                 f"community '{community.id}' has 0 community workers and no grid members but "
                 f"{yearly:.0f} issues per year of demand")
            )
        elif queueing and (short := shortfall(scenario, community)) is not None \
                and short.capacity == 0:
            problems.append((f"communities[{i}]", short.message(community)))
    care = scenario.care_visits
    if care is not None and care.share_of_households > 0 and not problems:
        for community in scenario.communities:
            if role_counts(scenario, community)[care.by] == 0:
                problems.append(
                    ("care_visits.by",
                     f"care visits are made by {care.by} but community '{community.id}' has "
                     "none (see staffing)")
                )
    return problems


def instabilities(scenario: Scenario) -> list[tuple[str, str]]:
    """Demand above capacity: a community whose responders cannot keep up with some set of
    categories, checked for every set against the roles that may take any of them, each for
    the share of the week its calendar works (:mod:`sim.scenario.capacity`); a department
    receiving more escalated work than it handles. The backlog would grow without bound.
    Nothing is unstable with ``overflow: escalate`` (nothing waits locally: a loss system).
    """
    out = []
    if scenario.dispatch.overflow == "queue":
        for i, community in enumerate(scenario.communities):
            short = shortfall(scenario, community)
            if short is not None and short.capacity > 0:
                out.append((f"communities[{i}]", short.message(community)))
    return out + _department_problems(scenario)


def _department_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """Departments of limited capacity whose escalated load reaches it: the county's, from
    the communities whose district has no department of that name, and each district's own."""
    district_of = scenario.district_of()
    escalated: dict[tuple[str | None, str], float] = {}  # (district or None, name) -> cases
    for c, community in enumerate(scenario.communities):
        for k, category in scenario.demand.items():
            if category.escalation is None:
                continue
            name = category.escalation.department
            owner, _ = scenario.department(district_of[c], name)
            cases = scenario.issues_per_year(community, k) * category.escalation.share
            escalated[owner, name] = escalated.get((owner, name), 0.0) + cases
    scopes: list[tuple[str, str | None, str, Department]] = [
        (f"departments.{name}", None, name, d) for name, d in scenario.departments.items()]
    scopes += [(f"districts[{i}].departments.{name}", district.id, name, d)
               for i, district in enumerate(scenario.districts)
               for name, d in district.departments.items()]
    problems = []
    for key, owner, name, department in scopes:
        if department.capacity is None:
            continue
        cases = escalated.get((owner, name), 0.0)
        load = cases * department.handling_h.mean / (365 * 24)
        if load >= department.capacity:
            of = f" of district '{owner}'" if owner else ""
            problems.append(
                (f"{key}.capacity",
                 f"unstable: department '{name}'{of} receives {cases:.0f} escalated issues a "
                 f"year, {load:.2f} cases in hand on average, but handles "
                 f"{department.capacity} at once (utilisation {load / department.capacity:.0%})")
            )
    return problems


def key_exists(scenario: Scenario, key: str) -> bool:
    """Whether dotted ``key`` names something in ``scenario`` (defaults included): list items by
    id or index, ``*`` for any item or key."""

    def find(node: Any, parts: list[str]) -> bool:
        if not parts:
            return True
        part, rest = parts[0], parts[1:]
        if isinstance(node, dict):
            if part == "*":
                return any(find(v, rest) for v in node.values())
            return part in node and find(node[part], rest)
        if isinstance(node, list):
            if part == "*":
                return any(find(v, rest) for v in node)
            items = [v for v in node if isinstance(v, dict) and v.get("id") == part]
            if not items and part.isdigit() and int(part) < len(node):
                items = [node[int(part)]]
            return any(find(v, rest) for v in items)
        return False

    return find(scenario.model_dump(mode="json"), key.split("."))


def _keyed(problem: str) -> tuple[str, str]:
    """``"key.path: what"`` as (key, what)."""
    key, _, what = problem.partition(": ")
    return key, what


def facility_problems(loaded: LoadedScenario) -> list[str]:
    """Service points and candidate sites naming an unknown grid or lying outside every grid,
    as ``file: key: what``. Checked by ``gridsim coverage`` and ``gridsim validate``, not when
    loading: a simulation does not use the points, and a variant with fewer communities (or a
    test cutting the baseline down) need not move them."""
    scenario = loaded.scenario
    grids = build_grids(scenario)
    problems = []
    for key, items in (("facilities", scenario.facilities),
                       ("coverage.candidate_sites", scenario.coverage.candidate_sites)):
        problems.extend(place_problems(list(items), key, grids.ids, grids.x_m, grids.y_m,
                                       grids.area_m2))
    return [f"{loaded.source}: {key}: {what}" for key, what in problems]


# ---------------------------------------------------------------- files and extends


def _read_yaml(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    where = str(path)
    via = f"extended by {chain[-1]}" if chain else ""
    data = parse_yaml(read_text(path, "scenario file", via), where)
    if not isinstance(data, dict):
        raise ScenarioError([f"{where}: a scenario file must be a mapping of keys, not "
                             f"{type(data).__name__}"])
    return data


def _resolve(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    resolved = path.resolve()
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError([f"{chain[0]}: extends: a chain of more than {MAX_EXTENDS} files "
                             f"(at {path})"])
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain, resolved))
        raise ScenarioError([f"{path}: extends: circular chain {cycle}"])
    data = _read_yaml(path, chain)
    if isinstance(data.get(GRID_FILE), str):  # relative to the file that names it
        data[GRID_FILE] = str(path.parent / data[GRID_FILE])
    elif GRID_FILE in data and data[GRID_FILE] is not None:
        raise ScenarioError([f"{path}: {GRID_FILE}: must be a file path, not "
                             f"{type(data[GRID_FILE]).__name__}"])
    parent = data.pop(EXTENDS, None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        shown = repr(parent) if isinstance(parent, str) else type(parent).__name__
        raise ScenarioError([f"{path}: extends: must be the path of a scenario file, not "
                             f"{shown}"])
    parent_path = path.parent / parent
    if not is_regular(parent_path):
        problem = ("a folder, not a scenario file" if parent_path.is_dir() else
                   "no such file" if not parent_path.exists() else "not a regular file")
        raise ScenarioError([f"{path}: extends: {problem}: {parent!r} ({parent_path})"])
    return merge(_resolve(parent_path, (*chain, resolved)), data)


def merge(base: Any, override: Any) -> Any:
    """Deep-merge ``override`` onto ``base``.

    Mappings merge key by key. Lists of mappings that all have an ``id`` merge by id (entries
    with a new id are appended); any other list is replaced whole.
    """
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    if _is_id_list(base) and _is_id_list(override):
        items = list(base)
        index = {item["id"]: i for i, item in enumerate(items)}
        for item in override:
            if item["id"] in index:
                items[index[item["id"]]] = merge(items[index[item["id"]]], item)
            else:
                items.append(item)
        return items
    return override


def _is_id_list(value: Any) -> bool:
    """A list of mappings that each have a (text or number) ``id``."""
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, dict) and isinstance(v.get("id"), str | int | float) for v in value
    )


def set_dotted(data: dict[str, Any], key: str, value: Any, source: str = "<overrides>") -> None:
    """Set ``a.b.c`` in nested ``data``; list items of mappings with an ``id`` are named by id."""
    parts = key.split(".")
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        node = _child(node, part, ".".join(parts[: depth + 1]), source, create=True)
    last = parts[-1]
    if isinstance(node, list):
        index = _list_index(node, last, key, source)
        node[index] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ScenarioError([f"{source}: {key}: cannot set a key inside a {type(node).__name__}"])


def _child(node: Any, part: str, path: str, source: str, create: bool) -> Any:
    if isinstance(node, dict):
        if part not in node or node[part] is None:
            if not create:
                raise ScenarioError([f"{source}: {path}: no such key"])
            node[part] = {}
        return node[part]
    if isinstance(node, list):
        return node[_list_index(node, part, path, source)]
    raise ScenarioError([f"{source}: {path}: cannot go inside a {type(node).__name__}"])


def _list_index(node: list[Any], part: str, path: str, source: str) -> int:
    for i, item in enumerate(node):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    if part.isdigit() and int(part) < len(node):
        return int(part)
    ids = [str(item.get("id")) for item in node if isinstance(item, dict)]
    raise ScenarioError(
        [f"{source}: {path}: no list item with id '{part}' (ids: {', '.join(ids)})"]
    )


# ---------------------------------------------------------------- messages


def _format(source: str, err: Any, data: dict[str, Any]) -> str:
    loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
    path = _loc_to_path(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = ""
        if allowed:
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(allowed)}"
        if str(loc[-1]).isdigit():
            hint = f"; {_THOUSANDS}" + hint
        return f"{source}: {path}: unknown key{hint}"
    if kind == "invalid_key" and isinstance(err.get("input"), int):
        where = _loc_to_path(loc[:-1])
        return (f"{source}: {where}: a key {err['input']} where a key name belongs; "
                f"{_THOUSANDS}")
    if kind == "missing":
        return f"{source}: {path}: required key is missing"
    msg = err["msg"]
    if kind == "string_pattern_mismatch":
        msg = PATTERN_TEXTS.get(str(err.get("ctx", {}).get("pattern")), msg)
    msg = msg.removeprefix("Value error, ")
    value = err.get("input")
    shown = "" if isinstance(value, dict | list) or value is None else f" (got {value!r})"
    if isinstance(value, str) and re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d*)?", value.strip()):
        shown += f"; {_THOUSANDS}"
    if not path and _KEYED.match(msg):  # a whole-scenario check that names its own key
        return f"{source}: {msg}"
    return f"{source}: {path or '(top level)'}: {msg[0].lower() + msg[1:]}{shown}"


def _is_union_tag(part: Any) -> bool:
    # pydantic adds the union member's type name to loc (e.g. 'list[...]', 'function-after[...]')
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "none"})


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model found at ``loc`` in the schema, or [] where it is not a model."""
    target: Any = Scenario
    for part in loc:
        target = _unwrap(target, part)
        if target is None:
            return []
    target = _unwrap(target, None)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(target.model_fields)
    return []


def _unwrap(annotation: Any, part: Any) -> Any:
    """Step from ``annotation`` into ``part`` (a field name, list index or dict key)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = members[0] if len(members) == 1 else annotation
            if len(members) != 1:
                return None
        else:
            break
    if part is None:
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return field.annotation if field else None
    if origin is list and isinstance(part, int):
        return typing.get_args(annotation)[0]
    if origin is dict:
        return typing.get_args(annotation)[1]
    return None
