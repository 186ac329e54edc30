"""Display names of a scenario's communities, grids and categories in one language.

Communities and grids are named by the scenario's ``name:`` fields (``东关社区``); in English a
named community shows its code name beside (``东关社区 (dongguan)``), since the name is often
Chinese. A lattice grid without a name is its community's name and its place on the lattice
(``东关社区 第1行第2列`` / ``dongguan r1c2``); any other grid without a name is its id.
Categories and roles come from the translation table (:mod:`sim.report.i18n`).
"""

from __future__ import annotations

import re

from sim.model.measures import ALL
from sim.report.i18n import Texts
from sim.scenario.schema import Scenario

_LATTICE = re.compile(r"^(?P<community>.+)-r(?P<row>\d+)c(?P<col>\d+)$")


class Names:
    """Names of one scenario's places and categories in the language of ``texts``."""

    def __init__(self, scenario: Scenario, texts: Texts):
        self.t = texts
        self._communities = {c.id: c.name for c in scenario.communities}
        self._districts = {d.id: d.name for d in scenario.districts}
        self.city = bool(scenario.districts)  # the whole is a city of sub-districts
        self._whole = "community.all_city" if self.city else "community.all"
        self._grids: dict[str, str] = {}
        for c in scenario.communities:
            grids = c.grids
            if grids is not None and grids.layout == "table":
                self._grids.update({g.id: g.name for g in grids.grids if g.name})

    def community(self, code: str) -> str:
        """A community's display name (``all``: the whole district, or the whole city of a
        scenario with districts)."""
        if code == ALL:
            return self.t(self._whole)
        return self._named(self._communities.get(code), code)

    def district(self, code: str) -> str:
        """A sub-district's display name (its ``name:``; in English with its code beside)."""
        return self._named(self._districts.get(code), code)

    def _named(self, name: str | None, code: str) -> str:
        if not name or name == code:
            return code
        return name if self.t.lang == "zh" else f"{name} ({code})"

    def grid(self, code: str) -> str:
        """A grid's display name."""
        if code in self._grids:
            return self._grids[code]
        lattice = _LATTICE.match(code)
        if lattice and lattice["community"] in self._communities:
            row, col = int(lattice["row"]), int(lattice["col"])
            if self.t.lang == "zh":
                return f"{self.community(lattice['community'])} 第{row}行第{col}列"
            return f"{lattice['community']} r{row}c{col}"
        return code

    def category(self, code: str) -> str:
        return self.t.category(code)

    def join(self, names: list[str], limit: int = 6) -> str:
        """``a, b, c and 3 more`` (``、`` in Chinese)."""
        shown = self.t("word.and").join(names[:limit])
        if len(names) > limit:
            more = self.t("word.more", n=len(names) - limit)
            shown += more if self.t.lang == "zh" else f" {more}"
        return shown
