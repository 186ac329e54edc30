"""Every word a planner reads, in Chinese and English: one table of texts by key.

``Texts(lang)`` reads the table in one language: ``t = Texts("zh"); t("heading.targets")``,
``t.metric("response_min_p90")``, ``t.category("livelihood")``, ``t.role("grid_member")``.
Keys are dotted: ``metric.<name>``, ``category.<code>``, ``role.<code>``, ``heading.<name>``,
``unit.<unit>``, and each feature's own (``coverage.<...>``, ``calibration.<...>``), which its
package adds with :func:`register` when it is imported. A text may hold ``{placeholders}``,
filled from the keyword arguments. A missing key is an error (``KeyError``), so a test that
renders every report in both languages finds a text left untranslated.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

TEXTS: dict[str, dict[str, str]] = {}


def register(table: Mapping[str, Mapping[str, str]]) -> None:
    """Add texts ``{key: {"zh": ..., "en": ...}}``; each key once, in both languages."""
    for key, texts in table.items():
        missing = [lang for lang in LANGUAGES if not texts.get(lang)]
        if missing:
            raise ValueError(f"text {key!r}: no {', '.join(missing)} text")
        if key in TEXTS and TEXTS[key] != dict(texts):
            raise ValueError(f"text {key!r} is registered twice, differently")
        TEXTS[key] = dict(texts)


def check_language(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else ValueError naming them."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (use {' or '.join(LANGUAGES)})")
    return lang


class Texts:
    """The table in one language."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE):
        self.lang = check_language(lang)

    def __call__(self, key: str, **values: object) -> str:
        text = TEXTS[key][self.lang]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in TEXTS

    def _named(self, kind: str, code: str) -> str:
        key = f"{kind}.{code}"
        return self(key) if key in TEXTS else code

    def metric(self, name: str) -> str:
        """A metric in plain words with its unit, e.g. '响应时间 P90（分钟）'."""
        return self(f"metric.{name}")

    def category(self, code: str) -> str:
        """An issue category's name (the code name itself for a category of a user's own)."""
        return self._named("category", code)

    def role(self, code: str) -> str:
        return self._named("role", code)


register({
    # roles (docs/glossary.md)
    "role.community_worker": {"zh": "社区工作者", "en": "community workers"},
    "role.grid_member": {"zh": "网格员", "en": "grid members"},
    "role.volunteer": {"zh": "彩虹志愿者", "en": "Rainbow volunteers"},
    "role.party_member": {"zh": "报到党员", "en": "registered Party members"},
    # categories of the shipped scenarios (docs/glossary.md)
    "category.all": {"zh": "全部民情", "en": "all issues"},
    "category.public_service": {"zh": "公共服务事项", "en": "public services"},
    "category.livelihood": {"zh": "民生问题", "en": "livelihood problems"},
    "category.dispute": {"zh": "矛盾纠纷", "en": "disputes"},
    "category.security": {"zh": "社会治安事件", "en": "security incidents"},
    "category.micro_wish": {"zh": "微心愿", "en": "micro-wishes"},
    "category.care_visit": {"zh": "结对帮扶走访", "en": "care visits"},
    # units
    "unit.min": {"zh": "分钟", "en": "min"},
    "unit.h": {"zh": "小时", "en": "h"},
    "unit.share": {"zh": "比例", "en": "share"},
    "unit.issues": {"zh": "件", "en": "issues"},
    "unit.hours": {"zh": "小时", "en": "hours"},
    "unit.points": {"zh": "积分", "en": "points"},
})
