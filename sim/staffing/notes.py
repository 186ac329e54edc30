"""What a recommendation notes about a community, in either language: a code and its figures,
put into words by :func:`words` (recommendation.csv's ``notes`` in the scenario's language)."""

from __future__ import annotations

from typing import Any

from sim.report.i18n import Texts, register

Note = tuple[str, tuple[tuple[str, Any], ...]]


def note(code: str, **fields: Any) -> Note:
    """A note of kind ``code`` (``staffing.note.<code>``) with the figures its text names."""
    return code, tuple(sorted(fields.items()))


def words(notes: list[Note], t: Texts) -> str:
    """The notes as one line of text, ``; `` between them (a ``level`` field is the code of a
    level of the recommendation table: rule, recommended or below)."""
    def one(code: str, fields: dict[str, Any]) -> str:
        if "level" in fields:
            fields["level"] = t(f"staffing.note.level.{fields['level']}")
        return t(f"staffing.note.{code}", **fields)

    return t("staffing.note.separator").join(one(code, dict(fields)) for code, fields in notes)


register({
    "staffing.note.separator": {"zh": "；", "en": "; "},
    "staffing.note.unstable_proven": {
        "zh": "{level}（{workers} 名）不稳定（容量核算：忙碌率 ≥ 100%）",
        "en": "{level} level {workers} is unstable (by the capacity check: utilisation >= "
              "100%)"},
    "staffing.note.unstable_estimated": {
        "zh": "{level}（{workers} 名）不稳定（按校准后的负荷估计：忙碌率 ≥ 100%）",
        "en": "{level} level {workers} is unstable (estimated from the calibrated load: "
              "utilisation >= 100%)"},
    "staffing.note.level.rule": {"zh": "现行标准", "en": "the rule's"},
    "staffing.note.level.recommended": {"zh": "建议人数", "en": "the recommended"},
    "staffing.note.level.below": {"zh": "少一名时", "en": "below"},
    "staffing.note.unattainable": {
        "zh": "{target}无法达到：仅办理时间本身就只能达到 {share}",
        "en": "{target} unattainable: handling alone meets it for only {share}"},
    "staffing.note.rule_overloaded": {
        "zh": "现行标准的 {workers} 名工作者超负荷：需要 {needed} 名同时忙碌，仅有 {available} 名"
              "（忙碌率 {utilisation}）",
        "en": "staffing rule overloaded: {workers} workers; {needed} busy workers needed on "
              "average, {available} available (utilisation {utilisation})"},
    "staffing.note.no_level": {"zh": "至多 {workers} 名时仍无法达到目标",
                               "en": "no level up to {workers} workers meets the targets"},
    "staffing.note.unsettled": {"zh": "完整模型在 {rounds} 轮内未收敛",
                                "en": "the full model did not settle in {rounds} rounds"},
    "staffing.note.no_response_target": {
        "zh": "社区工作者承担的事项没有响应目标：无逐小时需求",
        "en": "no response target on the community workers' work: no hour-by-hour "
              "requirement"},
    "staffing.note.requirement_unsettled": {
        "zh": "逐小时排班迭代未收敛；取最后两步中较大者",
        "en": "the staffing iteration did not settle; the larger of its last two steps is "
              "taken"},
    "staffing.note.uncovered_hours": {
        "zh": "每周有 {hours} 个小时需要人员在岗，但没有班次覆盖",
        "en": "{hours} hour(s) of the week need workers but no shift pattern covers them"},
})
