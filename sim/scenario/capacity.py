"""Can a community's responders keep up with its demand, category by category?

A community can look staffed on the whole and still drown in the work only some of its roles
may take: walk-in services that only community workers handle, say, while grid members sit
idle. The backlog of a set of categories grows without bound when their load (average busy
responders they need) reaches the capacity of the responders able to take any of them; that
holds for every dispatch policy, so checking every set of categories finds every such shortfall
the averages can show (travel is left out of the load, so a flagged scenario is unstable for
sure).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from sim.scenario.common import MINUTES_PER_YEAR
from sim.scenario.governance import CARE_VISIT
from sim.scenario.roster import role_counts, role_spec
from sim.scenario.schema import Community, Scenario


@dataclass(frozen=True)
class Crew:
    """One role's responders in a community."""

    role: str  # code name, as in the glossary: "community_worker"
    count: int
    week_share: float  # share of the week on shift
    takes: frozenset[str]  # categories they may take
    on_duty: int = 0  # of them on the duty rota: urgent categories around the clock

    def describe(self) -> str:
        return f"{self.count} {self.role.replace('_', ' ')}{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class Shortfall:
    """A set of categories whose load reaches the capacity of the crews able to take them."""

    categories: tuple[str, ...]
    load: float  # busy responders needed on average
    capacity: float  # busy responders available on average
    crews: tuple[Crew, ...]
    yearly: float  # issues a year

    def message(self, community: Community) -> str:
        names, one = _join(self.categories), len(self.categories) == 1
        if not self.crews or self.capacity == 0:
            return (f"community '{community.id}' has {self.yearly:.0f} issues a year of {names} "
                    "but no responder who may take them (see each role's `categories` in "
                    "staffing)")
        return (f"unstable: community '{community.id}': {names} {'needs' if one else 'need'} "
                f"{self.load:.2f} busy responders on average, but only its "
                f"{_join([c.describe() for c in self.crews])} may take {'it' if one else 'them'}"
                f", giving {self.capacity:.2f} over the week (utilisation "
                f"{self.load / self.capacity:.0%}); the backlog would grow without bound")


def week_share(scenario: Scenario, calendar: str) -> float:
    """Share of the week a calendar works (1 for ``always``)."""
    if calendar not in scenario.calendars:
        return 1.0
    return scenario.calendars[calendar].weekly_hours() / 168.0


def yearly_work(scenario: Scenario, community: Community,
                staff: list[Crew]) -> dict[str, tuple[float, float]]:
    """Issues a year and mean handling minutes of each category in ``community``; care visits
    too when ``staff`` has someone of the visiting role to make them (else the loader's
    care-visit check speaks)."""
    work = {k: (scenario.issues_per_year(community, k), c.handling_min.mean)
            for k, c in scenario.demand.items()}
    care = scenario.care_visits
    if care is not None and care.share_of_households > 0 and any(
            c.role == care.by for c in staff):
        visits = community.households * care.share_of_households * 365 / care.every_days
        work[CARE_VISIT] = (visits, care.handling_min.mean)
    return work


def crews(scenario: Scenario, community: Community) -> list[Crew]:
    """The community's responders by role, as the plan counts them (without surges)."""
    staffing = scenario.staffing
    every = frozenset(scenario.demand)
    care = scenario.care_visits

    def takes(spec, role: str) -> frozenset[str]:
        skills = every if spec.categories == "all" else frozenset(spec.categories)
        skills -= {CARE_VISIT}
        return skills | {CARE_VISIT} if care is not None and care.by == role else skills

    counts = role_counts(scenario, community)
    on_duty = min(staffing.community_workers.on_duty, counts["community_worker"])
    return [
        Crew(role, count, week_share(scenario, role_spec(scenario, role).calendar),
             takes(role_spec(scenario, role), role),
             on_duty if role == "community_worker" else 0)
        for role, count in counts.items() if count > 0
    ]


def shortfall(scenario: Scenario, community: Community) -> Shortfall | None:
    """The set of categories whose load most exceeds what the crews able to take them give,
    or None when every set is carried.

    Categories taken by the same crews (and equally urgent) are checked together: adding one
    of them to a set adds load but no capacity, so the worst set is a union of such groups,
    and the search runs over the groups (a handful) rather than every set of categories.
    """
    staff = crews(scenario, community)
    work = yearly_work(scenario, community, staff)
    loads = {k: n * minutes / MINUTES_PER_YEAR for k, (n, minutes) in work.items() if n > 0}
    urgent = {k for k, c in scenario.demand.items() if c.urgent}
    groups: dict[tuple[tuple[int, ...], bool], list[str]] = {}
    for k in loads:
        takers = tuple(i for i, c in enumerate(staff) if k in c.takes)
        groups.setdefault((takers, k in urgent), []).append(k)
    worst: Shortfall | None = None
    for size in range(1, len(groups) + 1):
        for chosen in combinations(groups.values(), size):
            wanted = {k for group in chosen for k in group}
            subset = tuple(k for k in loads if k in wanted)
            able = tuple(c for c in staff if c.takes & wanted)
            capacity = sum(c.count * c.week_share for c in able)
            if wanted & urgent:  # the duty rota answers urgent issues off shift as well
                capacity += sum(c.on_duty * (1 - c.week_share) for c in able)
            load = sum(loads[k] for k in subset)
            if load >= capacity and (worst is None or _ratio(load, capacity)
                                     > _ratio(worst.load, worst.capacity)):
                yearly = sum(work[k][0] for k in subset)
                worst = Shortfall(subset, load, capacity, able, yearly)
    return worst


def _ratio(load: float, capacity: float) -> float:
    return load / capacity if capacity > 0 else float("inf")


def _join(items: list[str] | tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fewest_stable_workers(scenario: Scenario, community: Community, most: int) -> int | None:
    """The fewest community workers (0..``most``) with which no set of the community's
    categories outgrows the crews able to take it, or None when even ``most`` do not do."""
    for workers in range(most + 1):
        trial = community.model_copy(update={"community_workers": workers})
        if shortfall(scenario, trial) is None:
            return workers
    return None
