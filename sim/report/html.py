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
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import RunFolderError

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
       "Microsoft YaHei", sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 1.6em;
     border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; vertical-align: top;
         white-space: nowrap; }
th { background: #f3f3f3; } td.text, th.text { text-align: left; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0.3em 0; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #555; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.4em 0.8em; }
.scroll { overflow-x: auto; } code { font-size: 0.9em; }
dl.kv { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dl.kv dt { font-weight: 600; } dl.kv dd { margin: 0; }
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


class Report:
    """An HTML page built section by section; :meth:`html` gives the whole document."""

    def __init__(self, title: str, subtitle: str | None = None):
        self.title = title
        self.parts: list[str] = [f"<h1>{escape(title)}</h1>"]
        if subtitle:
            self.parts.append(f"<p>{escape(subtitle)}</p>")

    def heading(self, text: str, level: int = 2) -> Report:
        self.parts.append(f"<h{level}>{escape(text)}</h{level}>")
        return self

    def paragraph(self, text: str, note: bool = False) -> Report:
        cls = ' class="note"' if note else ""
        self.parts.append(f"<p{cls}>{escape(text)}</p>")
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
              table_id: str | None = None, digits: int = 3) -> Report:
        """A DataFrame as a table: numbers right-aligned, text left-aligned, NaN as '-'."""
        frame = frame.reset_index() if index else frame
        head = "".join(
            f'<th class="{"text" if not _numeric(frame[c]) else "num"}">{escape(c)}</th>'
            for c in frame.columns
        )
        rows = []
        for values in frame.itertuples(index=False):
            cells = []
            for column, value in zip(frame.columns, values, strict=True):
                numeric = _numeric(frame[column])
                cells.append(f'<td class="{"num" if numeric else "text"}">'
                             f"{escape(_format(value, digits))}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        ident = f' id="{escape(table_id)}"' if table_id else ""
        cap = f"<caption>{escape(caption)}</caption>" if caption else ""
        self.parts.append(
            f'<div class="scroll"><table{ident}>{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
        return self

    def figure(self, fig: Any, caption: str | None = None, alt: str | None = None) -> Report:
        """A matplotlib figure (or PNG bytes) embedded as a base64 PNG."""
        from sim.report.plots import to_png

        png = fig if isinstance(fig, bytes | bytearray) else to_png(fig)
        alt_text = escape(alt or caption or "plot")
        cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
        self.parts.append(
            f'<figure><img alt="{alt_text}" src="{png_data_uri(bytes(png))}">{cap}</figure>'
        )
        return self

    def raw(self, markup: str) -> Report:
        """Markup that is already safe HTML (no external resources!)."""
        self.parts.append(markup)
        return self

    def html(self) -> str:
        generated = dt.datetime.now().isoformat(timespec="seconds")
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(self.title)}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(self.parts)
            + f'\n<p style="color:#888;font-size:0.8em">Generated {generated} by gridsim.</p>'
            + f"\n<script>{IMAGE_CHECK}</script>\n</body></html>\n"
        )

    def write(self, path: Path) -> Path:
        from sim.files.atomic import write_text

        write_text(path, self.html())
        return path


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


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


def provenance(manifest: Mapping[str, Any]) -> dict[str, str]:
    """The facts of a manifest that make a result reproducible, as label: text."""
    out = {
        "scenario": manifest.get("scenario", "-"),
        "scenario file": manifest.get("scenario_file", "-"),
        "scenario SHA-256": manifest.get("scenario_sha256", "-"),
        "seed": manifest.get("seed", "-"),
        "replications": manifest.get("replications", "-"),
        "command": manifest.get("command", "-"),
        "started": manifest.get("started", "-"),
        "finished": manifest.get("finished", "-"),
    }
    versions = manifest.get("versions") or {}
    out["versions"] = ", ".join(f"{k} {v}" for k, v in versions.items()) or "-"
    return {k: str(v) for k, v in out.items()}


# ---------------------------------------------------------------- run folders

SUMMARY_PLOTS = (
    ("response_min_p90", "Response time, 90th percentile (minutes)"),
    ("resolution_h_p90", "Resolution time, 90th percentile (hours)"),
)
UTILISATION_METRICS = (
    ("utilisation_community_worker", "Utilisation of community workers (busy share of shifts)"),
    ("utilisation", "Utilisation of all responders (busy share of shifts)"),
)


def run_report(folder: str | Path) -> Path:
    """Write ``report.html`` in a finished run folder and return its path.

    Shows the summary table per community, response and resolution p90 per community with 95%
    CIs, utilisation, and the run's provenance.
    """
    from sim.analysis.tables import community_table
    from sim.report import plots as plot
    from sim.scenario.loading import load_scenario

    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not folder.is_dir():
        raise RunFolderError(f"{folder}: no such run folder")
    if not manifest_path.exists():
        raise RunFolderError(f"{folder}: not a run folder (no manifest.json)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"{manifest_path}: unreadable manifest ({exc})") from None
    if manifest.get("kind") == "recommend":
        raise RunFolderError(f"{folder}: a recommend folder already has its report.html")
    if manifest.get("status") != "complete" or not (folder / "summary.csv").exists():
        raise RunFolderError(
            f"{folder}: the run is not complete (status {manifest.get('status')!r}); run the "
            "same command again to finish it"
        )
    summary = pd.read_csv(folder / "summary.csv", keep_default_na=False, na_values=[""])
    loaded = load_scenario(folder / "scenario.yaml")
    report = Report(f"Run report: {loaded.name}",
                    f"{manifest.get('replications', '?')} replications, seed "
                    f"{manifest.get('seed', '?')}; means with 95% confidence intervals.")
    report.heading("Summary per community")
    report.table(community_table(summary, loaded.scenario), index=True, table_id="summary",
                 caption="Key metrics per community (mean ± 95% half-width)")
    report.heading("Plots")
    utilisation = next(((m, t) for m, t in UTILISATION_METRICS
                        if (summary["metric"] == m).any()), None)
    for metric, title in (*SUMMARY_PLOTS, *([utilisation] if utilisation else [])):
        if (summary["metric"] == metric).any():
            report.figure(plot.summary_metric(summary, metric, title=title), caption=title)
    if "grid" in summary.columns:
        grids = summary[summary["grid"].notna() & ~summary["grid"].astype(str).isin(["all", ""])
                        & (summary["category"] == "all")]
        for metric, title in SUMMARY_PLOTS:
            rows = grids[grids["metric"] == metric]
            if not rows.empty:
                report.figure(plot.panel_intervals(rows, "community", "grid",
                                                   title=f"{title}, per grid", ylabel=metric),
                              caption=f"{title}, grid by grid (95% intervals)")
    report.heading("Provenance")
    report.facts(provenance(manifest))
    return report.write(folder / "report.html")
