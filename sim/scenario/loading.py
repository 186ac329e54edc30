"""Reading scenario files: safe YAML, ``extends:`` chains (``replace:`` for keys taken whole),
tables in files (``grid_file:``, ``communities_file:``, ``pay_file:``), overrides, messages
naming the key, and warnings where the scenario leaves something out that the model then
assumes.

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
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError, ScenarioWarning, UnstableScenarioError
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
from sim.scenario.tablefiles import read_communities, read_pay
from sim.scenario.tables import table_ref
from sim.scenario.workforce import workforce_problems

EXTENDS = "extends"
REPLACE = "replace"
MAX_EXTENDS = 32
"""The longest ``extends:`` chain followed."""
GRID_FILE = "grid_file"
COMMUNITIES_FILE = "communities_file"
PAY_FILE = "pay_file"
TABLE_FILES = (GRID_FILE, COMMUNITIES_FILE, PAY_FILE)
ROLE_KEYS = ("community_workers", "grid_members", "volunteers", "party_members")
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
    which is what run folders store and what overrides start from. ``warnings``: what the
    model assumes because the scenario leaves it out (staff on duty around the clock, no
    travel), as ``file: key: what``; ``tables``: the table files read and how (``grids.csv
    (GB18030)``). ``unstable`` holds the capacity problems (``file: key: unstable: ...``) of a
    scenario loaded with ``allow_unstable``; its variants (:meth:`with_overrides`) allow them
    too.
    """

    def __init__(self, scenario: Scenario, data: dict[str, Any], source: str,
                 warnings: list[str] | None = None, tables: list[str] | None = None,
                 unstable: tuple[str, ...] = (), allow_unstable: bool = False):
        self.scenario = scenario
        self.data = data
        self.source = source
        self.warnings = list(warnings or [])
        self.tables = list(tables or [])
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
        variant = from_mapping(data, label or self.source, drop_lost_estimates=True,
                               allow_unstable=allow)
        variant.tables = list(self.tables)
        return variant

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


@dataclass
class _Reading:
    """What resolving a chain of files found besides the mapping: grid-file problems (reported
    after the schema's) and the table files read."""

    problems: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    own_estimates: set[str] = field(default_factory=set)  # of the file loaded, not its bases


def load_scenario(path: str | Path, allow_unstable: bool = False) -> LoadedScenario:
    """Load, resolve ``extends:`` and the table files, and validate a scenario file.

    What the scenario leaves out and the model assumes is in ``.warnings`` and is also issued
    as a :class:`~sim.errors.ScenarioWarning` (``warnings.warn``). A scenario whose demand
    outgrows its capacity (:func:`instabilities`) is refused with
    :class:`~sim.errors.UnstableScenarioError`, unless ``allow_unstable``: then it loads, with
    the problems in :attr:`LoadedScenario.unstable`.
    """
    path = Path(path)
    reading = _Reading()
    data = _resolve(path, (), reading)
    loaded = from_mapping(data, str(path), pending=reading.problems,
                          own_estimates=reading.own_estimates, allow_unstable=allow_unstable)
    loaded.tables = reading.tables
    for warning in loaded.warnings:
        warnings.warn(warning, ScenarioWarning, stacklevel=2)
    return loaded


def from_mapping(data: dict[str, Any], source: str = "<mapping>",
                 drop_lost_estimates: bool = False, pending: list[str] | None = None,
                 own_estimates: set[str] | None = None, allow_unstable: bool = False
                 ) -> LoadedScenario:
    """Validate a resolved scenario mapping; ``source`` names it in messages; capacity
    problems as in :func:`load_scenario`.

    Every key of ``estimates:`` must exist in the scenario; with ``drop_lost_estimates`` (a
    variant made by overrides) those that do not are dropped instead, and so are those not in
    ``own_estimates`` when it is given (inherited through ``extends:`` from a base whose
    communities or grids the file replaced). Table files still named
    in ``data`` are read relative to the working folder; ``pending`` problems (of grid files
    read while resolving) are reported after the schema's.
    """
    try:
        data = copy.deepcopy(data)
    except RecursionError:
        raise ScenarioError([f"{source}: nested too deeply to be a scenario"]) from None
    data.pop(EXTENDS, None)
    data.pop(REPLACE, None)
    reading = _Reading(list(pending or []))
    _inline_tables(data, source, None, reading)
    grid_problems = reading.problems
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
    checked = set() if drop_lost_estimates else (
        set(scenario.estimates) if own_estimates is None else own_estimates)
    problems += [f"{source}: estimates.{key}: no such key in the scenario"
                 for key in lost if key in checked]
    if any(key not in checked for key in lost):
        kept = {k: v for k, v in scenario.estimates.items() if k in checked or k not in lost}
        scenario = scenario.model_copy(update={"estimates": kept})
        data["estimates"] = kept
    within_limits = not limit_problems(scenario)  # (the limits keep the checks small)
    unstable = [f"{source}: {key}: {msg}" for key, msg in instabilities(scenario)] \
        if within_limits else []
    if problems:
        raise ScenarioError(problems + unstable)
    if unstable and not allow_unstable:
        raise UnstableScenarioError(unstable)
    return LoadedScenario(scenario, data, source, assumption_warnings(scenario, data, source),
                          reading.tables, tuple(unstable), allow_unstable)


def assumption_warnings(scenario: Scenario, data: Mapping[str, Any], source: str) -> list[str]:
    """What the model assumes because ``data`` leaves it out: a staffed role without a
    ``calendar`` (on duty around the clock) and no ``travel`` (responders on the spot), as
    ``file: key: what``. Writing the key (``calendar: always``, ``travel: null``) says it is
    meant, and silences the warning."""
    out = []
    staffing = _mapping(data.get("staffing"))
    for key in ROLE_KEYS:
        given = _mapping(staffing.get(key))
        role = key.removesuffix("s")
        staffed = sum(role_counts(scenario, c)[role] for c in scenario.communities)
        if "calendar" not in given and staffed:
            out.append(f"{source}: staffing.{key}.calendar: not given, so the {staffed} "
                       f"{key.replace('_', ' ')} are assumed on duty around the clock, every "
                       "day (`always`); give their calendar (the baseline's office hours: "
                       "mon-fri 08:00-12:00, 14:00-18:00) or write `calendar: always`")
    travelling = any(not c.walk_in for c in scenario.demand.values()) or (
        scenario.care_visits is not None and scenario.care_visits.share_of_households > 0)
    if "travel" not in data and travelling:
        out.append(f"{source}: travel: not given, so responders are assumed on the spot the "
                   "moment they start (no travel time: response equals the wait); give "
                   "`travel: {metric: euclidean, detour_factor: 1.3}` (the baseline's) or "
                   "write `travel: null`")
    return out


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


def _resolve(path: Path, chain: tuple[Path, ...], reading: _Reading) -> dict[str, Any]:
    """The mapping of ``path`` with its ``extends:`` chain merged in and its table files read
    (each relative to the file that names it)."""
    resolved = path.resolve()
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError([f"{chain[0]}: extends: a chain of more than {MAX_EXTENDS} files "
                             f"(at {path})"])
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain, resolved))
        raise ScenarioError([f"{path}: extends: circular chain {cycle}"])
    data = _read_yaml(path, chain)
    where = str(path)
    if not chain and isinstance(data.get("estimates"), dict):
        reading.own_estimates = set(data["estimates"])
    for key in TABLE_FILES:  # relative to the file that names it
        if data.get(key) is not None:
            data[key] = table_ref(data[key], key, where, path.parent)
        else:
            data.pop(key, None)
    grid_file = data.pop(GRID_FILE, None)
    _inline_tables(data, where, path.parent, reading)  # communities and pay of this file
    replaced = _replaced_keys(data, where)
    parent = data.pop(EXTENDS, None)
    inherited: set[str] = set()
    if parent is None:
        if replaced:
            raise ScenarioError([f"{path}: {REPLACE}: only with {EXTENDS} (there is nothing to "
                                 "replace)"])
    else:
        if not isinstance(parent, str) or not parent.strip():
            shown = repr(parent) if isinstance(parent, str) else type(parent).__name__
            raise ScenarioError([f"{path}: extends: must be the path of a scenario file, not "
                                 f"{shown}"])
        parent_path = path.parent / parent
        if not is_regular(parent_path):
            problem = ("a folder, not a scenario file" if parent_path.is_dir() else
                       "no such file" if not parent_path.exists() else "not a regular file")
            raise ScenarioError([f"{path}: extends: {problem}: {parent!r} ({parent_path})"])
        base = _resolve(parent_path, (*chain, resolved), reading)
        for key in replaced:
            _drop(base, key)
        inherited = _inherited_grids(base, data)
        data = merge(base, data)
    if grid_file is not None:
        data[GRID_FILE] = grid_file
        _inline_tables(data, where, path.parent, reading, inherited)
    return data


def _inline_tables(data: dict[str, Any], source: str, folder: Path | None, reading: _Reading,
                   inherited: set[str] | None = None) -> None:
    """Read the table files ``data`` names into it: ``communities_file`` as ``communities``
    (items of ``communities:`` beside it merge onto its rows by id), ``pay_file`` as
    ``pay.posts`` and ``pay.grade_pay``, ``grid_file`` as the listed communities' grids (its
    problems go to ``reading``; ``inherited`` grids are replaced, not refused)."""
    ref = data.pop(COMMUNITIES_FILE, None)
    if ref is not None:
        ref = table_ref(ref, COMMUNITIES_FILE, source, folder)
        items, table = read_communities(ref, f"named by {COMMUNITIES_FILE} in {source}")
        reading.tables.append(f"{COMMUNITIES_FILE}: {table.describe()}")
        own = data.get("communities")
        if own is not None and not _is_id_list(own):
            raise ScenarioError([f"{source}: communities: with {COMMUNITIES_FILE}, give only "
                                 "items with an id (they merge onto the table's rows)"])
        data["communities"] = merge(items, own) if own else items
    ref = data.pop(PAY_FILE, None)
    if ref is not None:
        ref = table_ref(ref, PAY_FILE, source, folder)
        amounts, table = read_pay(ref, f"named by {PAY_FILE} in {source}")
        reading.tables.append(f"{PAY_FILE}: {table.describe()}")
        pay = data.get("pay") if data.get("pay") is not None else {}
        if not isinstance(pay, dict):
            raise ScenarioError([f"{source}: pay: must be a mapping (with {PAY_FILE}: currency, "
                                 "months_per_year, on_cost_share, roster, added_worker, ...)"])
        twice = ["grade_pay"] if "grade_pay" in pay else []
        posts = _mapping(pay.get("posts"))
        twice += [f"posts.{p}.{k}" for p, spec in posts.items() if isinstance(spec, dict)
                  for k in ("monthly_post_pay", "min_grade", "max_grade") if k in spec]
        if twice:
            raise ScenarioError([f"{source}: pay.{twice[0]}: given here and in {PAY_FILE} "
                                 f"({ref.shown()}); give the pay amounts in one place"])
        data["pay"] = merge(pay, amounts)
    ref = data.pop(GRID_FILE, None)
    if ref is not None:
        ref = table_ref(ref, GRID_FILE, source, folder)
        try:
            reading.tables.append(f"{GRID_FILE}: "
                                  f"{inline_grid_file(data, ref, source, inherited or set())}")
        except ScenarioError as exc:  # reported after the scenario's own problems
            reading.problems.extend(exc.problems)


def _mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one (the schema reports what it is)."""
    return value if isinstance(value, dict) else {}


def _replaced_keys(data: dict[str, Any], where: str) -> list[str]:
    """The keys of ``replace:`` (taken whole from this file, not merged onto the base's)."""
    keys = data.pop(REPLACE, None)
    if keys is None:
        return []
    if isinstance(keys, str):
        keys = [keys]
    if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
        raise ScenarioError([f"{where}: {REPLACE}: must be a list of keys, e.g. "
                             "[communities, demand]"])
    for key in keys:
        if not _has_dotted(data, key):
            raise ScenarioError([f"{where}: {REPLACE}: {key!r} is not given in this file (a "
                                 "replaced key takes this file's value whole)"])
    return keys


def _has_dotted(data: Any, key: str) -> bool:
    for part in key.split("."):
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True


def _drop(data: Any, key: str) -> None:
    """Remove dotted ``key`` from nested mappings ``data`` (nothing when it is not there)."""
    *parents, last = key.split(".")
    for part in parents:
        data = data.get(part) if isinstance(data, dict) else None
    if isinstance(data, dict):
        data.pop(last, None)


def _inherited_grids(base: dict[str, Any], data: dict[str, Any]) -> set[str]:
    """Ids of the base's communities with grids that ``data`` does not give grids for: a grid
    file of ``data`` replaces them."""
    mine = {c["id"] for c in data.get("communities") or [] if isinstance(c, dict)
            and "grids" in c and "id" in c} if isinstance(data.get("communities"), list) else set()
    theirs = base.get("communities")
    if not isinstance(theirs, list):
        return set()
    return {c["id"] for c in theirs if isinstance(c, dict) and isinstance(c.get("id"), str)
            and c.get("grids") is not None} - mine


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
