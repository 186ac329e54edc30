"""Self-contained HTML reports: one file, plots embedded as base64 PNG, no external resources.

A report opens from ``file://`` in any browser without a server or a network: the styles are
inline, images are ``data:`` URIs, and there are no links to other files or sites. The small
inline script only records, on the page itself, how many images the browser could draw.

:class:`Report` is the builder; :func:`run_report` writes the report of an ordinary run folder
(``gridsim report RUN_DIR``). The staffing report (``gridsim recommend``) uses the same builder.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from sim.experiment.executors import Executor

STYLE = """
body { font-family: "gridsim-cjk", system-ui, -apple-system, "Segoe UI", "Noto Sans",
       "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em auto;
       max-width: 1200px; padding: 0 1em; color: #222; line-height: 1.5; overflow-wrap: anywhere; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 1.6em;
     border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; vertical-align: top; }
td.num { white-space: nowrap; } th { background: #f3f3f3; font-weight: 600; max-width: 11em;
     overflow-wrap: anywhere; } td.text, th.text { text-align: left; }
th[title] { text-decoration: underline dotted #999; cursor: help; }
tbody td:first-child { white-space: nowrap; }
td.missed { background: #fde0dc; } td.met { background: #e3f4e1; }
td.unclear { background: #fff3c4; } td.better { color: #1b7a1b; } td.worse { color: #b3261e; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0.3em 0; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #555; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.4em 0.8em; }
.caveat { background: #fdecea; border-left: 4px solid #d62728; padding: 0.4em 0.8em; }
.headline { background: #f4f7fb; border: 1px solid #c9d6e8; border-radius: 6px;
            padding: 0.5em 1em; font-size: 1.05em; }
.headline li { margin: 0.3em 0; } .headline li.missed { font-weight: 600; color: #8c1d18; }
.scroll { overflow-x: auto; max-width: 100%; } code { font-size: 0.9em; }
dl.kv { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.2em 1em; }
dl.kv dt { font-weight: 600; } dl.kv dd { margin: 0; }
details { margin: 0.8em 0; } summary { cursor: pointer; font-weight: 600; }
"""

IMAGE_CHECK = """
addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.body.setAttribute("data-images-loaded", ok + "/" + imgs.length);
});
"""


def escape(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@dataclass(frozen=True)
class Drawing:
    """A figure to draw when the page is assembled, maybe in a worker process: the dotted name
    of a plot function (``sim.report.plots.grouped_bars``) and its arguments. By name, the
    page's process need not import matplotlib when its workers draw."""

    plot: str
    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def png(self) -> bytes:
        from sim.report.plots import to_png

        module, _, name = self.plot.rpartition(".")
        return to_png(getattr(importlib.import_module(module), name)(*self.args, **self.kwargs))


def _piece(kind: str, value: Any) -> tuple[str, Any]:
    """One piece of a page made apart from it: a :class:`Drawing`'s PNG (``kind`` its slot) or
    the ``@font-face`` rule of the page's text (``kind`` 'font')."""
    from sim.report.webfont import font_face

    return kind, font_face(value) if kind == "font" else value.png()


def _slot(i: int) -> str:
    """The placeholder of the ``i``-th drawing's data URI until the page is assembled."""
    return f"\x00drawing-{i}\x00"


class Report:
    """An HTML page built section by section; :meth:`html` gives the whole document.

    The builder's methods each add one block and return the report, so calls chain:
    :meth:`heading`, :meth:`paragraph` (``note=True`` for a yellow note), :meth:`caveat` (a
    red box for what limits a number), :meth:`headline` (the plain-language summary a report
    opens with), :meth:`items`, :meth:`facts` (label: value pairs), :meth:`table`,
    :meth:`figure`, :meth:`details` / :meth:`end_details` (a block the reader unfolds) and
    :meth:`raw`. ``lang`` is the page's language (``zh`` or ``en``); texts are the caller's
    (:class:`sim.report.i18n.Texts`).
    """

    def __init__(self, title: str, subtitle: str | None = None, lang: str = "en"):
        self.title = title
        self.lang = lang
        self.parts: list[str] = [f"<h1>{escape(title)}</h1>"]
        self.drawings: list[Drawing] = []  # drawn by html(), each into its _slot
        if subtitle:
            self.parts.append(f"<p>{escape(subtitle)}</p>")

    def heading(self, text: str, level: int = 2) -> Report:
        self.parts.append(f"<h{level}>{escape(text)}</h{level}>")
        return self

    def paragraph(self, text: str, note: bool = False) -> Report:
        cls = ' class="note"' if note else ""
        self.parts.append(f"<p{cls}>{escape(text)}</p>")
        return self

    def caveat(self, text: str) -> Report:
        """A caveat next to the numbers it limits (e.g. a placeholder pay table)."""
        self.parts.append(f'<p class="caveat">{escape(text)}</p>')
        return self

    def headline(self, sentences: Iterable[str], missed: Iterable[bool] | None = None,
                 title: str | None = None) -> Report:
        """The plain-language headline: one sentence a line; those flagged in ``missed`` are
        emphasised (a target missed)."""
        lines = list(sentences)
        flags = list(missed) if missed is not None else [False] * len(lines)
        body = "".join(f'<li{" class=missed" if flag else ""}>{escape(x)}</li>'
                       for x, flag in zip(lines, flags, strict=True))
        head = f"<h2>{escape(title)}</h2>" if title else ""
        self.parts.append(f'{head}<div class="headline" id="headline"><ul>{body}</ul></div>')
        return self

    def details(self, summary: str) -> Report:
        """Open a block the reader unfolds (closed by :meth:`end_details`)."""
        self.parts.append(f"<details><summary>{escape(summary)}</summary>")
        return self

    def end_details(self) -> Report:
        self.parts.append("</details>")
        return self

    def items(self, lines: Iterable[str]) -> Report:
        self.parts.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in lines) + "</ul>")
        return self

    def facts(self, pairs: Mapping[str, Any]) -> Report:
        """A list of label: value pairs (e.g. provenance)."""
        body = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in pairs.items())
        self.parts.append(f'<dl class="kv">{body}</dl>')
        return self

    def table(self, frame: pd.DataFrame, caption: str | None = None, index: bool = False,
              table_id: str | None = None, digits: int = 3,
              headers: Mapping[str, str] | None = None,
              classes: pd.DataFrame | None = None) -> Report:
        """A DataFrame as a table: numbers right-aligned, text left-aligned, NaN as '-'.

        ``headers`` gives a column its heading in plain words (the column's own name, the name
        in the files, becomes the heading's tooltip); ``classes`` (same shape as the shown
        frame) gives cells a CSS class: ``met``, ``missed``, ``unclear``, ``better``,
        ``worse``. A table wider than the page scrolls inside its box.
        """
        frame = frame.reset_index() if index else frame
        names = headers or {}

        def head_cell(c: object) -> str:
            kind = "text" if not _numeric(frame[c]) else "num"
            shown = names.get(str(c))
            tip = f' title="{escape(c)}"' if shown and shown != str(c) else ""
            return f'<th class="{kind}"{tip}>{escape(shown or c)}</th>'

        head = "".join(head_cell(c) for c in frame.columns)
        marks = classes.to_numpy() if classes is not None else None
        rows = []
        for r, values in enumerate(frame.itertuples(index=False)):
            cells = []
            for k, (column, value) in enumerate(zip(frame.columns, values, strict=True)):
                kind = "num" if _numeric(frame[column]) or _numeric_text(value) else "text"
                extra = f" {marks[r, k]}" if marks is not None and marks[r, k] else ""
                cells.append(f'<td class="{kind}{extra}">{escape(_format(value, digits))}</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")
        ident = f' id="{escape(table_id)}"' if table_id else ""
        cap = f"<caption>{escape(caption)}</caption>" if caption else ""
        self.parts.append(
            f'<div class="scroll"><table{ident}>{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
        return self

    def figure(self, fig: Any, caption: str | None = None, alt: str | None = None) -> Report:
        """A matplotlib figure, PNG bytes or a :class:`Drawing` (drawn by :meth:`html`),
        embedded as a base64 PNG."""
        if isinstance(fig, Drawing):
            source = _slot(len(self.drawings))
            self.drawings.append(fig)
        else:
            from sim.report.plots import to_png

            png = fig if isinstance(fig, bytes | bytearray) else to_png(fig)
            source = png_data_uri(bytes(png))
        alt_text = escape(alt or caption or "plot")
        cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
        self.parts.append(f'<figure><img alt="{alt_text}" src="{source}">{cap}</figure>')
        return self

    def raw(self, markup: str) -> Report:
        """Markup that is already safe HTML (no external resources!)."""
        self.parts.append(markup)
        return self

    def html(self, executor: Executor | None = None) -> str:
        """The whole page. Its drawings and its font are made side by side on ``executor``'s
        workers when given (else here, one after another)."""
        from sim.report.i18n import Texts

        generated = dt.datetime.now().isoformat(timespec="seconds")
        footer = Texts(self.lang if self.lang in ("zh", "en") else "en")("text.generated",
                                                                           when=generated)
        body = "\n".join(self.parts)
        tasks = [("font", self.title + body + footer),
                 *((_slot(i), d) for i, d in enumerate(self.drawings))]
        pieces = dict(executor.imap(_piece, tasks) if executor is not None
                      else (_piece(*task) for task in tasks))
        fonts = pieces.pop("font")
        for slot, png in pieces.items():
            body = body.replace(slot, png_data_uri(png), 1)
        return (
            f"<!DOCTYPE html>\n<html lang=\"{escape(self.lang)}\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(self.title)}</title><style>{fonts}{STYLE}</style></head>\n<body>\n"
            + body
            + f'\n<p style="color:#888;font-size:0.8em">{escape(footer)}</p>'
            + f"\n<script>{IMAGE_CHECK}</script>\n</body></html>\n"
        )

    def write(self, path: Path) -> Path:
        from sim.files.atomic import write_text

        write_text(path, self.html())
        return path


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _numeric_text(value: Any) -> bool:
    """Whether a text cell shows a number (``0.41 ± 0.02``, ``1,200``): right-aligned."""
    return isinstance(value, str) and bool(value) and (value[0].isdigit() or value[0] in "+-−")


def _format(value: Any, digits: int) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    if isinstance(value, int) and abs(value) >= 10000:
        return f"{value:,}"
    return str(value)


def provenance(manifest: Mapping[str, Any], lang: str = "en") -> dict[str, str]:
    """The facts of a manifest that make a result reproducible, as label: text in ``lang``."""
    from sim.report.i18n import Texts

    t = Texts(lang)
    keys = ("scenario", "scenario_file", "scenario_sha256", "seed", "replications", "command",
            "started", "finished")
    out = {t(f"fact.{key}"): str(manifest.get(key, "-")) for key in keys}
    versions = manifest.get("versions") or {}
    out[t("fact.versions")] = ", ".join(f"{k} {v}" for k, v in versions.items()) or "-"
    return out
