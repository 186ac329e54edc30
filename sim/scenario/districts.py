"""Sub-districts (街道) and when a replication splits along them.

Within one replication, communities interact only through the departments they escalate to.
A district whose every department it may escalate to is its own (``districts[].departments``)
is therefore independent of the rest: its part of a replication can run as a task of its own
(:mod:`sim.model.parts`), with the same numbers as the whole city in one loop. A district that
escalates to one of the county's departments (``departments``) shares it with the others,
and the replication keeps one loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Split:
    """How a replication of a scenario runs: split into one task per district, or as one loop,
    and why."""

    districts: int  # the scenario's districts (0: none)
    split: bool
    shared: dict[str, list[str]] = field(default_factory=dict)  # county department -> districts
    asked: bool = False  # one loop because the caller asked for it

    @property
    def parts(self) -> int:
        """Tasks per replication."""
        return self.districts if self.split else 1

    def reason(self) -> str:
        """Why the replication runs as it does, in plain English (the report has it in zh and
        en: sim.report.i18n ``split.*``)."""
        if self.split:
            return (f"each replication runs as {self.districts} tasks, one per district: every "
                    "district has its own departments")
        if self.asked:
            return "each replication runs as one loop, as asked"
        if self.districts < 2:
            return "each replication runs as one loop: the scenario has no districts to split"
        shared = "; ".join(f"{name} (districts {', '.join(_few(ds))})"
                           for name, ds in self.shared.items())
        return ("each replication runs as one loop: districts share the county's departments "
                f"{shared}")

    def as_dict(self) -> dict[str, object]:
        """For the manifest."""
        return {"districts": self.districts, "split": self.split, "shared": self.shared,
                "asked": self.asked}


def _few(items: list[str], n: int = 5) -> list[str]:
    return items[:n] + (["..."] if len(items) > n else [])


def shared_departments(scenario: Scenario) -> dict[str, list[str]]:
    """County departments that districts escalate to: name -> the districts (ids) that do.

    A category with an escalation department can send issues there (a share of them, and any
    that overflow or wait too long), so every such category counts, whatever its share."""
    names = [c.escalation.department for c in scenario.demand.values() if c.escalation]
    shared: dict[str, list[str]] = {}
    for district in scenario.districts:
        for name in dict.fromkeys(names):
            if name not in district.departments:
                shared.setdefault(name, []).append(district.id)
    return shared


def split_of(scenario: Scenario, wanted: bool = True) -> Split:
    """Whether a replication of ``scenario`` splits by district (``wanted`` False: one loop)."""
    n = len(scenario.districts)
    shared = shared_departments(scenario)
    possible = n >= 2 and not shared
    return Split(n, possible and wanted, shared, asked=possible and not wanted)


def district_part(scenario: Scenario, district: int) -> Scenario:
    """The scenario cut to district ``district``: its communities (in the scenario's order) and
    itself as the only district. Its plan is that district's part of the city's (grid ids,
    streams, departments are the city's own); not validated again (nothing is added)."""
    own = scenario.districts[district]
    members = set(own.communities)
    return scenario.model_copy(update={
        "communities": [c for c in scenario.communities if c.id in members],
        "districts": [own],
    })
