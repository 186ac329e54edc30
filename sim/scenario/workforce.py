"""Scenario key ``workforce:``: the community workers' career system (职业体系) over the years.

Today's head count by post and grade (the posts and grades of ``pay:``, 四岗十八级), what
happens to a worker in a year (leaves; is promoted out to the sub-district or civil service; steps
up a grade or to the post above, once eligible by years in grade), the entry routes (内选、外引、
下派) with their yearly caps, lead times and entry post and grade, and time away from duty
(上挂、轮岗、外出学习). ``gridsim workforce`` projects it (docs/workforce.md). Every share is a
share of the workers in a post and grade at the start of a year.

This module imports nothing from :mod:`sim.scenario.schema` (which imports it).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.common import NonNegativeFloat, Share, StrictModel
from sim.scenario.policy import GRADES, POSTS, PayTable

PostName = Literal["chief", "deputy", "full_time", "member"]
POST_RANK = {"full_time": 0, "member": 1, "deputy": 2, "chief": 3}
"""Step-by-step promotion (渐进式晋升): full-time worker (专职) -> committee member (委员) ->
deputy (副职) -> chief (正职); the posts above a post rank higher."""
ENTRY_ROUTES = ("internal_selection", "outside_recruitment", "assignment")
"""内选 internal selection, 外引 outside recruitment, 下派 assignment from above."""
EntryRouteName = Literal["internal_selection", "outside_recruitment", "assignment"]


class HeadcountRow(StrictModel):
    """Workers today in one post and grade."""

    post: PostName = Field(description="The post: chief, deputy, member or full_time.")
    grade: int = Field(ge=1, le=GRADES, description="The pay grade (1-18), within the post's.")
    count: int = Field(ge=0, description="Workers in this post and grade today (workers).")
    years_in_grade: int = Field(
        default=0, ge=0, le=40, description="Years they have held the grade (years).")


class PostRules(StrictModel):
    """What happens in a year to the workers of one post."""

    attrition_share: Share = Field(
        default=0.0, description="Share leaving community work a year (quit, retire, dismissed).")
    promotion_out_share: Share = Field(
        default=0.0, description="Share promoted out a year: civil service, public institution "
        "or sub-district leadership (公务员/事业单位/镇街领导); they leave the communities.")
    years_in_grade: int = Field(
        default=2, ge=0, le=20,
        description="Years in a grade before a step up (in grade or to the post above).")
    grade_step_share: Share = Field(
        default=0.0, description="Share of the eligible stepping up one grade a year "
        "(after assessment, 考核); none at the post's highest grade.")
    to_post: PostName | None = Field(
        default=None, description="The post above that promotion leads to (none: the top).")
    to_post_share: Share = Field(
        default=0.0, description="Share of the eligible promoted to `to_post` a year; they keep "
        "their grade, raised to the new post's lowest.")
    training_absence_share: Share = Field(
        default=0.0, description="Share of the year away from duty: secondment, rotation, "
        "study (上挂、轮岗、外出学习).")

    @model_validator(mode="after")
    def _check(self) -> PostRules:
        total = (self.attrition_share + self.promotion_out_share + self.grade_step_share
                 + self.to_post_share)
        if total > 1 + 1e-12:
            raise ValueError(
                f"attrition_share + promotion_out_share + grade_step_share + to_post_share = "
                f"{total:g}, more than 1 (they are shares of the same workers)")
        if self.to_post_share > 0 and self.to_post is None:
            raise ValueError("to_post_share needs to_post (the post above)")
        return self


class EntryRoute(StrictModel):
    """One way into community work, with its yearly cap."""

    cap_per_year: int = Field(ge=0, description="Most hires a year by this route (workers).")
    lead_time_years: int = Field(
        default=0, ge=0, le=10,
        description="Years from deciding a hire to the worker starting (years).")
    post: PostName = Field(description="Post a hire starts in.")
    grade: int = Field(ge=1, le=GRADES, description="Grade a hire starts at.")
    one_off_cost: NonNegativeFloat = Field(
        default=0.0, description="Cost of one hire on top of pay: exams, training "
        "(currency of `pay:`).")


class Workforce(StrictModel):
    """Community workers by post and grade, and how the career system moves them."""

    start_year: int | None = Field(
        default=None, ge=1900, le=2200,
        description="Calendar year of today's head count; default: the horizon's start year.")
    headcount: list[HeadcountRow] = Field(
        min_length=1, description="Today's workers by post and grade.")
    posts: dict[PostName, PostRules] = Field(
        default_factory=dict, description="Rules per post; a post not given keeps its workers.")
    entry_routes: dict[EntryRouteName, EntryRoute] = Field(
        default_factory=dict, description="`internal_selection` (内选), `outside_recruitment` "
        "(外引), `assignment` (下派).")

    @model_validator(mode="after")
    def _check(self) -> Workforce:
        for name, rules in self.posts.items():
            if rules.to_post is not None and POST_RANK[rules.to_post] <= POST_RANK[name]:
                above = [p for p in POSTS if POST_RANK[p] > POST_RANK[name]]
                raise ValueError(
                    f"posts.{name}.to_post: '{rules.to_post}' is not above {name} "
                    f"(above: {', '.join(above) or 'none'})")
        return self


def workforce_problems(workforce: Workforce, pay: PayTable | None) -> list[str]:
    """Problems of ``workforce`` against the pay table (the one source of posts, grades, pay)."""
    if pay is None:
        return ["workforce: needs `pay:` (the pay table prices the workforce and sets each "
                "post's grades)"]
    problems = []

    def grade_problem(where: str, post: str, grade: int) -> None:
        rule = pay.posts[post]  # type: ignore[index]
        if not rule.min_grade <= grade <= rule.max_grade:
            problems.append(f"{where}: grade {grade} does not exist for the {post} post "
                            f"(pay.posts.{post}: grades {rule.min_grade}-{rule.max_grade})")

    for i, row in enumerate(workforce.headcount):
        grade_problem(f"workforce.headcount[{i}].grade", row.post, row.grade)
    for name, route in workforce.entry_routes.items():
        grade_problem(f"workforce.entry_routes.{name}.grade", route.post, route.grade)
    if sum(row.count for row in workforce.headcount) == 0 and not workforce.entry_routes:
        problems.append("workforce.headcount: no workers today and no entry_routes")
    return problems
