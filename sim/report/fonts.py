"""The CJK font that plots and pages draw Chinese with: Noto Sans CJK SC, as the ``mplfonts``
package ships it. Finding it needs neither matplotlib nor the package's import."""

from __future__ import annotations

import importlib.util
from pathlib import Path

CJK_FONT = "Noto Sans CJK SC"
CJK_FONT_FILE = ("fonts", "NotoSansCJKsc-Regular.otf")


def cjk_font_path() -> Path | None:
    """The Noto Sans CJK SC font file that the ``mplfonts`` package ships (None without it)."""
    spec = importlib.util.find_spec("mplfonts")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*CJK_FONT_FILE)
    return path if path.exists() else None
