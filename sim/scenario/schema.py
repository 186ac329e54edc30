"""The scenario schema: every key a scenario file may hold, with its type, default and meaning.

The models are strict (unknown keys and wrong types are errors) and frozen. Their field
descriptions are the source of docs/scenario-reference.md, so the reference cannot drift.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.common import (
    DISTRIBUTION_KINDS,
    MINUTES_PER_YEAR,
    Distribution,
    Empirical,
    Fixed,
    Identifier,
    MeanCv,
    MeanOnly,
    NonNegativeFloat,
    PositiveFloat,
    Share,
    StrictModel,
)
from sim.scenario.facilities import CoverageOptions, Facility, check_facilities
from sim.scenario.governance import (
    ALWAYS,
    Calendar,
    CareVisits,
    CommunityWorkerRole,
    Department,
    Dispatch,
    District,
    Escalation,
    GridLayout,
    GridMemberRole,
    PartyMemberRole,
    Reporting,
    Surge,
    Travel,
    VolunteerRole,
)
from sim.scenario.policy import PayTable, Shifts, Targets
from sim.scenario.workforce import Workforce

__all__ = [
    "DISTRIBUTION_KINDS", "Distribution", "Empirical", "Fixed", "MeanCv", "MeanOnly", "Scenario"
]

# ---------------------------------------------------------------- time and demand


class Horizon(StrictModel):
    days: PositiveFloat = Field(default=365, description="Simulated days after day 0 (days).")
    warmup_days: NonNegativeFloat = Field(
        default=14, description="Days cut from the start before statistics are kept (days)."
    )
    start: dt.date = Field(
        default=dt.date(2026, 1, 5),
        description="Calendar date of day 0 (ISO date); sets weekdays and months.",
    )

    @model_validator(mode="after")
    def _warmup_inside(self) -> Horizon:
        if self.warmup_days >= self.days:
            raise ValueError(
                f"warmup_days ({self.warmup_days:g}) must be shorter than days ({self.days:g})"
            )
        return self


class ArrivalProfile(StrictModel):
    """Relative arrival rates. Each list is rescaled to mean 1, so the yearly rate is kept."""

    hour_of_day: list[NonNegativeFloat] | None = Field(
        default=None, min_length=24, max_length=24,
        description="24 relative rates, hour 0 (00:00-01:00) first.",
    )
    day_of_week: list[NonNegativeFloat] | None = Field(
        default=None, min_length=7, max_length=7, description="7 relative rates, Monday first."
    )
    month: list[NonNegativeFloat] | None = Field(
        default=None, min_length=12, max_length=12,
        description="12 relative rates, January first (season).",
    )

    @model_validator(mode="after")
    def _not_all_zero(self) -> ArrivalProfile:
        for key in ("hour_of_day", "day_of_week", "month"):
            values = getattr(self, key)
            if values is not None and sum(values) <= 0:
                raise ValueError(f"{key} must not be all zero")
        return self


class Category(StrictModel):
    """One category of residents' issues (民情), e.g. livelihood, dispute, security."""

    per_1000_households_per_year: NonNegativeFloat = Field(
        description="Issues per 1000 households per year (issues / 1000 households / year)."
    )
    handling_min: Distribution = Field(description="Handling time of one issue (minutes).")
    priority: int = Field(
        default=5, ge=0, le=9,
        description="Queue priority, 0 most urgent; issues of equal priority are served FIFO.",
    )
    respond_within_min: PositiveFloat | None = Field(
        default=None, description="Service target: a responder starts within this time (minutes)."
    )
    resolve_within_h: PositiveFloat | None = Field(
        default=None, description="Service target: resolved within this time (hours)."
    )
    arrival_profile: ArrivalProfile | None = Field(
        default=None, description="This category's own profile; default: the scenario's."
    )
    urgent: bool = Field(
        default=False, description="Answered outside working hours by the duty rota."
    )
    preempt: bool = Field(
        default=False,
        description="When nobody is free, interrupts a responder busy with less urgent work.",
    )
    walk_in: bool = Field(
        default=False,
        description="Served at the community's service hall (一厅式服务): no travel.",
    )
    report_delay_min: Distribution | None = Field(
        default=None,
        description="Delay from the problem to its report (minutes), without building heads.",
    )
    escalation: Escalation | None = Field(
        default=None, description="Blow the whistle: a share goes on to a department."
    )
    target_share: Share | None = Field(
        default=None,
        description="Share of this category's issues that must be within respond_within_min "
        "and resolve_within_h for the category to meet its targets; default: the scenario's "
        "`target_share`.",
    )


# ---------------------------------------------------------------- places and staff


class Community(StrictModel):
    """A residential community (社区): owns a pool of community workers and its grids."""

    id: Identifier = Field(description="Code name, unique in the scenario.")
    name: str | None = Field(default=None, description="Display name, e.g. in Chinese.")
    households: int = Field(gt=0, description="Resident households (households).")
    community_workers: int | None = Field(
        default=None, ge=0,
        description="Community workers, overriding the households_per_worker rule (workers).",
    )
    grid_members_per_grid: int | None = Field(
        default=None, ge=0, le=10,
        description="Grid members per grid here, overriding staffing.grid_members.per_grid.",
    )
    volunteers_per_1000_households: NonNegativeFloat | None = Field(
        default=None,
        description="Volunteers per 1000 households here, overriding "
        "staffing.volunteers.per_1000_households.",
    )
    grids: GridLayout | None = Field(
        default=None, description="The community's grids; default: one grid of all households."
    )
    office_m: tuple[float, float] = Field(
        default=(0.0, 0.0), description="Position of the community office, workers' base (m)."
    )
    elderly_share: Share | None = Field(
        default=None, description="Share of households with an elderly member (aged 60+), for "
        "grids that give none (coverage weights)."
    )

    @model_validator(mode="after")
    def _grid_households(self) -> Community:
        grids = self.grids
        if grids is not None and grids.layout == "table":
            total = sum(g.households for g in grids.grids)
            if total != self.households:
                raise ValueError(
                    f"grids hold {total} households but the community has {self.households}"
                )
        return self


class Staffing(StrictModel):
    community_workers: CommunityWorkerRole = Field(
        default_factory=CommunityWorkerRole, description="Paid community workers (社区工作者)."
    )
    grid_members: GridMemberRole = Field(
        default_factory=GridMemberRole, description="Grid members (网格员), per grid."
    )
    volunteers: VolunteerRole = Field(
        default_factory=VolunteerRole, description="Rainbow volunteers (彩虹志愿服务队)."
    )
    party_members: PartyMemberRole = Field(
        default_factory=PartyMemberRole, description="Registered serving Party members (双报到)."
    )


class Experiment(StrictModel):
    replications: int = Field(default=10, ge=1, le=10_000, description="Default replications.")
    seed: int = Field(default=20261127, ge=0, description="Default root seed.")


# ---------------------------------------------------------------- the scenario


class TableFile(StrictModel):
    """A table in a file: a CSV file, or one sheet of an .xlsx workbook."""

    path: str = Field(min_length=1, description="The file, relative to the scenario file.")
    sheet: str | None = Field(
        default=None, description="The workbook's sheet; default: the sheet named after the "
        "table (`communities`/`社区`, `grids`/`网格`, `pay`/`薪酬`) or the only sheet.",
    )



class Scenario(StrictModel):
    """A district, its staffing and its demand: everything one simulation needs."""

    name: str = Field(min_length=1, description="Title shown in tables and reports.")
    description: str | None = Field(default=None, description="Free text: purpose, sources.")
    titles: dict[Literal["zh", "en"], str] = Field(
        default_factory=dict,
        description="The scenario's title in each report language (`zh`, `en`); default: name.",
    )
    language: Literal["zh", "en"] = Field(
        default="zh", description="Language of reports and terminal output (`zh` Chinese, `en` "
        "English); a command's `--lang` overrides it.",
    )
    estimates: dict[str, str] = Field(
        default_factory=dict,
        description="Inputs that are estimates, not measured or cited: dotted key (list items "
        "by id, `*` for every item, e.g. `communities.*.households`) -> why it is an estimate. "
        "Reports list them on their first screen; every key must exist in the scenario.",
    )
    target_share: Share = Field(
        default=0.9,
        description="Share of a category's issues that must be within its own "
        "respond_within_min and resolve_within_h (and of care visits on time) for it to meet "
        "its targets: reports name the categories and grids below it.",
    )
    horizon: Horizon = Field(default_factory=Horizon, description="Simulated period.")
    communities: list[Community] = Field(min_length=1, description="The communities simulated.")
    staffing: Staffing = Field(default_factory=Staffing, description="Staffing rules.")
    demand: dict[Identifier, Category] = Field(
        min_length=1, description="Issue categories by code name (see docs/glossary.md)."
    )
    arrival_profile: ArrivalProfile = Field(
        default_factory=ArrivalProfile, description="Default relative arrival rates over time."
    )
    experiment: Experiment = Field(
        default_factory=Experiment, description="Defaults for replications and seed."
    )
    replace: list[str] | None = Field(
        default=None,
        description="With `extends:`: keys this file gives whole, replacing the base's instead "
        "of merging onto it (e.g. `[communities]`: only this file's communities; dotted keys "
        "for nested ones, e.g. `staffing.volunteers`).",
    )
    communities_file: str | TableFile | None = Field(
        default=None,
        description="CSV or .xlsx table of the communities (community_id, households, name, "
        "office_x_m, office_y_m, elderly_share, community_workers), relative to the file; "
        "loading puts its rows in as `communities` (items of `communities:` beside it merge "
        "onto them by id). docs/grids.md.",
    )
    grid_file: str | TableFile | None = Field(
        default=None,
        description="CSV, .xlsx or GeoJSON of grids for all communities, relative to the file; "
        "loading inlines it as each listed community's `grids` (replacing grids the "
        "community inherits through `extends:`). docs/grids.md.",
    )
    pay_file: str | TableFile | None = Field(
        default=None,
        description="CSV or .xlsx pay schedule: one row per grade (grade, grade_pay) and one "
        "column per post (chief, deputy, member, full_time: monthly pay, post pay included); "
        "loading puts it in as `pay.posts` and `pay.grade_pay`. docs/grids.md.",
    )
    calendars: dict[Identifier, Calendar] = Field(
        default_factory=dict, description="Named working calendars (`always` is built in)."
    )
    dispatch: Dispatch = Field(default_factory=Dispatch, description="Who answers an issue.")
    travel: Travel | None = Field(
        default=None, description="Travel between grids; none: responders are on the spot."
    )
    departments: dict[Identifier, Department] = Field(
        default_factory=dict,
        description="The county's departments, which report when the whistle blows (a "
        "district's own departments of the same name take its escalations instead).",
    )
    districts: list[District] = Field(
        default_factory=list,
        description="Sub-districts (街道) grouping the communities, each community in one; "
        "default: none (the scenario is one district).",
    )
    county_review_after_h: PositiveFloat | None = Field(
        default=None, description="Issues open longer than this go to county review (hours)."
    )
    care_visits: CareVisits | None = Field(
        default=None, description="Scheduled visits to special-group households."
    )
    reporting: Reporting = Field(default_factory=Reporting, description="Reporting delays.")
    surges: list[Surge] = Field(default_factory=list, description="Surges of demand and capacity.")
    targets: Targets = Field(
        default_factory=list,
        description="Service targets every community must meet (gridsim recommend).",
    )
    pay: PayTable | None = Field(
        default=None, description="Cost of community workers by post and grade (四岗十八级)."
    )
    shifts: Shifts | None = Field(
        default=None,
        description="Shift patterns and labour rules for rosters (gridsim recommend --roster).",
    )
    facilities: list[Facility] = Field(
        default_factory=list,
        description="Service points of the 15-minute living circle (gridsim coverage).",
    )
    coverage: CoverageOptions = Field(
        default_factory=CoverageOptions, description="Options of gridsim coverage."
    )
    workforce: Workforce | None = Field(
        default=None,
        description="Community workers by post and grade and their careers (gridsim workforce).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        seen: set[str] = set()
        for c in self.communities:
            if c.id in seen:
                raise ValueError(f"community id '{c.id}' appears more than once")
            seen.add(c.id)
        grid_ids: set[str] = set()
        for c in self.communities:
            if c.grids is not None and c.grids.layout == "table":
                for g in c.grids.grids:
                    if g.id in grid_ids:
                        raise ValueError(f"grid id '{g.id}' appears more than once")
                    grid_ids.add(g.id)
        names = {ALWAYS, *self.calendars}
        for role in ("community_workers", "grid_members", "volunteers", "party_members"):
            spec = getattr(self.staffing, role)
            if spec.calendar not in names:
                raise ValueError(
                    f"staffing.{role}.calendar: unknown calendar '{spec.calendar}' "
                    f"(known: {', '.join(sorted(names))})"
                )
            staffed = getattr(spec, "per_grid", None) or getattr(spec, "per_1000_households", 1)
            if spec.categories != "all" and staffed:
                unknown = set(spec.categories) - set(self.demand) - {"care_visit"}
                if unknown:
                    raise ValueError(
                        f"staffing.{role}.categories: unknown categories {sorted(unknown)}"
                    )
        _check_districts(self)
        for key, category in self.demand.items():
            name = category.escalation.department if category.escalation else None
            if name is None or name in self.departments:
                continue
            lacking = [d.id for d in self.districts if name not in d.departments]
            if not self.districts or len(lacking) == len(self.districts):
                raise ValueError(
                    f"demand.{key}.escalation.department: no department '{name}' in departments"
                )
            if lacking:
                raise ValueError(
                    f"demand.{key}.escalation.department: no department '{name}' in departments "
                    f"(the county's) nor in the departments of district"
                    f"{'s' if len(lacking) > 1 else ''} {', '.join(lacking[:5])}"
                    f"{' ...' if len(lacking) > 5 else ''}"
                )
        for i, surge in enumerate(self.surges):
            unknown = set(surge.demand) - set(self.demand) - {"all"}
            if unknown:
                raise ValueError(f"surges[{i}].demand: unknown categories {sorted(unknown)}")
            if surge.calendar is not None and surge.calendar not in names:
                raise ValueError(f"surges[{i}].calendar: unknown calendar '{surge.calendar}'")
        problems = check_facilities(self.facilities, names)
        if problems:
            raise ValueError("; ".join(problems))
        if "care_visit" in self.demand:
            raise ValueError("demand.care_visit: care visits are scheduled; use `care_visits`")
        return self

    # -- derived quantities used by the model, the analytic checks and the reports

    def district_of(self) -> list[int]:
        """Per community (in order): the index of its district (0 for all when the scenario
        has no districts: it is one district)."""
        index = {cid: d for d, district in enumerate(self.districts)
                 for cid in district.communities}
        return [index.get(c.id, 0) for c in self.communities]

    def department(self, district: int, name: str) -> tuple[str | None, Department]:
        """The department ``name`` that takes escalations from district ``district``: (the
        district's id, its own), or (None, the county's)."""
        if self.districts and name in self.districts[district].departments:
            own = self.districts[district]
            return own.id, own.departments[name]
        return None, self.departments[name]

    def title(self, lang: str) -> str:
        """The scenario's title in ``lang`` (its ``titles`` entry, else ``name``)."""
        return self.titles.get(lang, self.name)  # type: ignore[call-overload]

    def category_target_share(self, category: str) -> float:
        """The share of ``category``'s issues (or of care visits) that must meet its own time
        limits: the category's ``target_share``, else the scenario's."""
        own = self.demand[category].target_share if category in self.demand else None
        return self.target_share if own is None else own

    def workers(self, community: Community) -> int:
        """Community workers of ``community``: its explicit count, else the staffing ratio."""
        if community.community_workers is not None:
            return community.community_workers
        return self.staffing.community_workers.workers_for(community.households)

    def issues_per_year(self, community: Community, category: str) -> float:
        """Expected issues per year of ``category`` in ``community``."""
        return community.households / 1000 * self.demand[category].per_1000_households_per_year

    def offered_load(self, community: Community) -> float:
        """Average busy workers the community's demand needs (erlangs)."""
        minutes = sum(
            self.issues_per_year(community, k) * c.handling_min.mean
            for k, c in self.demand.items()
        )
        return minutes / MINUTES_PER_YEAR


def _check_districts(scenario: Scenario) -> None:
    """District ids unique, every community in exactly one district (when there are any)."""
    if not scenario.districts:
        return
    known = {c.id for c in scenario.communities}
    seen: dict[str, str] = {}
    ids: set[str] = set()
    for i, district in enumerate(scenario.districts):
        if district.id in ids:
            raise ValueError(f"districts[{i}].id: district id '{district.id}' appears more "
                             "than once")
        ids.add(district.id)
        for cid in district.communities:
            if cid not in known:
                raise ValueError(f"districts[{i}].communities: no community '{cid}' in "
                                 "communities")
            if cid in seen:
                raise ValueError(f"districts[{i}].communities: community '{cid}' is in "
                                 f"district '{seen[cid]}' already; each community is in one")
            seen[cid] = district.id
    missing = [c.id for c in scenario.communities if c.id not in seen]
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        are = "community is" if len(missing) == 1 else "communities are"
        raise ValueError(f"districts: {len(missing)} {are} in no district ({shown}); with "
                         "districts, each community is in one")
