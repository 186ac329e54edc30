"""The Chinese characters of a page as an embedded web font, so it reads on any machine.

A report must open offline on a machine that has no Chinese font (a fresh Linux box, a
browser in a container). The page therefore carries the glyphs it uses: the Noto Sans CJK SC
font that the ``mplfonts`` package ships (the one the plots use) cut down with fontTools to the
page's own CJK characters, as a WOFF ``data:`` URI in an ``@font-face`` rule. A page of a few
hundred distinct characters carries about 40-80 KB. The embedded family comes first in the
page's font list: it holds only CJK glyphs, so Latin text falls through to the system's font,
and a system font list cannot shadow it (a browser may take an absent family such as
"Microsoft YaHei" for a substitute without the glyphs). Without CJK characters, or without the
font, nothing is embedded.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache

from sim.report.fonts import cjk_font_path

FAMILY = "gridsim-cjk"
FIRST_CJK = 0x2E80  # CJK radicals; everything above is drawn from the embedded font


def cjk_characters(text: str) -> frozenset[str]:
    """The characters of ``text`` the embedded font must draw."""
    return frozenset(c for c in text if ord(c) >= FIRST_CJK)


@lru_cache(maxsize=32)
def subset_woff(characters: frozenset[str]) -> bytes | None:
    """The CJK font cut down to ``characters``, as WOFF bytes (None without the font)."""
    path = cjk_font_path()
    if path is None or not characters:
        return None
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []  # horizontal text needs no substitutions
    options.hinting = False
    buffer = io.BytesIO()
    # the full font's bounding boxes stand (recomputing them for the subset costs a third)
    with TTFont(str(path), lazy=True, recalcBBoxes=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(ord(c) for c in characters))
        subsetter.subset(font)
        font.save(buffer)
    return buffer.getvalue()


def font_face(text: str) -> str:
    """An ``@font-face`` rule embedding the CJK glyphs of ``text`` ('' when none)."""
    woff = subset_woff(cjk_characters(text))
    if woff is None:
        return ""
    data = base64.b64encode(woff).decode("ascii")
    return (f'@font-face {{ font-family: "{FAMILY}"; src: url(data:font/woff;base64,{data}) '
            'format("woff"); font-display: block; }\n')
