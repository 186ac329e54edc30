"""Plots for planners: each function takes DataFrames and returns a matplotlib Figure.

The figures are built without ``matplotlib.pyplot``: no global state, no GUI backend, nothing
shown; they render with the Agg canvas, so they work in scripts, worker processes, tests and
notebooks alike. In a notebook a returned figure displays itself (``_repr_png_``); elsewhere use
:func:`to_png` or ``fig.savefig(path)``.

Conventions: tidy input frames with ``mean``, ``ci_low``, ``ci_high`` columns for estimates
(the layout of ``summary.csv``); intervals drawn as error bars; targets as dashed lines; times
and shares on axes that start at zero. Labels are whatever the caller passes (reports pass
plain words in Chinese or English, :mod:`sim.report.i18n`); the few words a plot adds itself
(``target``, ``workers``) follow ``lang``.

Chinese is drawn with Noto Sans CJK SC, which the ``mplfonts`` package ships: importing this
module registers it with matplotlib's font manager and adds it to the font family as the
fallback after the default sans-serif font (Latin letters and digits stay in DejaVu Sans), so
plots render Chinese on a machine with no Chinese system font.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as _Figure

# the record analyses notebooks use beside the plots (``sim.plot.observed(records, s)``, ...)
from sim.analysis.records import (  # noqa: F401
    daily_mean,
    in_working_hours,
    observed,
    open_issues,
    recovery_day,
    spec_of,
    work_by_role,
)
from sim.report.fonts import CJK_FONT, cjk_font_path
from sim.report.i18n import DEFAULT_LANGUAGE, Texts

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.patches import Rectangle

def use_cjk_font() -> bool:
    """Register the CJK font and make it the fallback of the font family (once)."""
    path = cjk_font_path()
    if path is None:
        return False
    if CJK_FONT not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    family = list(matplotlib.rcParams["font.family"])
    if CJK_FONT not in family:
        matplotlib.rcParams["font.family"] = [*family, CJK_FONT]
    return True


use_cjk_font()

DPI = 100
COLOURS = {
    "analytic": "#7f7f7f",
    "screen": "#1f77b4",
    "full_model": "#d62728",
    "rule": "#7f7f7f",
    "recommended": "#2ca02c",
    "target": "#000000",
}
PALETTE = ["#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"]

class Figure(_Figure):
    """A matplotlib Figure on the Agg canvas that displays itself in notebooks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        FigureCanvasAgg(self)

    def _repr_png_(self) -> bytes:
        return to_png(self)


def to_png(fig: _Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _panels(n: int, columns: int = 5, width: float = 2.8, height: float = 2.4,
            sharey: bool = True) -> tuple[Figure, np.ndarray]:
    """A grid of panels with fixed margins (a layout engine costs seconds for many panels):
    a title above, room for a legend below."""
    ncols = max(1, min(columns, n))
    nrows = max(1, math.ceil(n / ncols))
    fig_w, fig_h = width * ncols + 0.8, height * nrows + 1.3
    fig = Figure(figsize=(fig_w, fig_h))
    fig.subplots_adjust(left=0.7 / fig_w, right=1 - 0.15 / fig_w, top=1 - 0.5 / fig_h,
                        bottom=1.05 / fig_h, wspace=0.12, hspace=0.5)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharey=sharey, squeeze=False)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes


def _errorbar(ax, x, frame: pd.DataFrame, **kwargs) -> None:
    mean = frame["mean"].to_numpy(float)
    low = frame["ci_low"].to_numpy(float) if "ci_low" in frame else np.full_like(mean, np.nan)
    high = frame["ci_high"].to_numpy(float) if "ci_high" in frame else np.full_like(mean, np.nan)
    err = np.vstack([np.where(np.isfinite(low), mean - low, 0),
                     np.where(np.isfinite(high), high - mean, 0)])
    ax.errorbar(x, mean, yerr=np.clip(err, 0, None), capsize=3, **kwargs)


def service_curves(
    levels: pd.DataFrame,
    key: str,
    target: float | None = None,
    marks: pd.DataFrame | None = None,
    title: str | None = None,
    ylabel: str = "share meeting the target",
    columns: int = 5,
    lang: str = "en",
    mark_labels: Mapping[str, str] | None = None,
) -> Figure:
    """A measure against the number of workers, one panel per community (words in ``lang``).

    ``levels``: tidy rows with ``community``, ``workers``, ``method`` (e.g. analytic, screen,
    full_model), ``key``, ``mean`` and optionally ``ci_low``/``ci_high``; rows whose ``key`` is
    ``key`` are drawn, each method as its own series with 95% intervals. ``target`` draws a
    dashed horizontal line. ``marks``: optional rows with ``community`` and columns such as
    ``rule`` and ``recommended`` (numbers of workers), drawn as vertical lines and named in
    the legend by ``mark_labels`` (default: the column's name).
    """
    t = Texts(lang)
    data = levels[levels["key"] == key]
    communities = list(dict.fromkeys(data["community"]))
    fig, axes = _panels(max(len(communities), 1), columns)
    for ax, community in zip(axes, communities, strict=False):
        part = data[data["community"] == community]
        for i, (method, rows) in enumerate(part.groupby("method", sort=False)):
            rows = rows.sort_values("workers")
            colour = COLOURS.get(str(method), PALETTE[i % len(PALETTE)])
            label = t(f"method.{method}") if t.has(f"method.{method}") else str(method)
            shift = {"screen": -0.06, "full_model": 0.06}.get(str(method), 0.0)
            if rows["ci_low"].notna().any() if "ci_low" in rows else False:
                _errorbar(ax, rows["workers"] + shift, rows, fmt="o", ms=4, color=colour,
                          label=label, lw=1)
            else:
                ax.plot(rows["workers"], rows["mean"], "--", marker=".", color=colour,
                        label=label, lw=1)
        if target is not None:
            ax.axhline(target, color=COLOURS["target"], ls=":", lw=1, label=t("word.target"))
        if marks is not None:
            row = marks[marks["community"] == community]
            for column in (c for c in marks.columns if c != "community"):
                if not row.empty and pd.notna(row[column].iloc[0]):
                    ax.axvline(float(row[column].iloc[0]), color=COLOURS.get(column, "#999999"),
                               lw=2 if column == "recommended" else 1,
                               ls="-" if column == "recommended" else "--", alpha=0.6,
                               label=(mark_labels or {}).get(column, column))
        ax.set_title(str(community), fontsize=10)
        ax.set_xlabel(t("word.workers"), fontsize=8)
        _integer_ticks(ax.xaxis)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    if communities:
        axes[0].set_ylabel(ylabel, fontsize=8)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncols=min(len(labels), 6),
                   fontsize=8, frameon=False)
    fig.suptitle(title or key, fontsize=11)
    return fig


def _integer_ticks(axis: Axis) -> None:
    """Ticks at whole numbers only (workers, years)."""
    from matplotlib.ticker import MaxNLocator

    locator = axis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # as matplotlib's default AutoLocator is
        locator.set_params(integer=True)


def _from_zero(ax, frame: pd.DataFrame) -> None:
    """Start the y axis at zero when every value is at least zero (times, shares, counts)."""
    values = frame["mean"].to_numpy(float)
    if len(values) and np.nanmin(values, initial=0.0) >= 0:
        ax.set_ylim(bottom=0)


def interval_chart(
    frame: pd.DataFrame,
    x: str,
    hue: str | None = None,
    target: float | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Means with 95% intervals for each value of ``x`` (e.g. per community).

    ``frame`` has columns ``x``, ``mean`` and optionally ``ci_low``, ``ci_high`` and ``hue``
    (series side by side, e.g. rule and recommended). ``target`` draws a dashed line;
    ``labels`` names the ticks (e.g. community names). The axis starts at zero when every
    value is at least zero.
    """
    order = list(dict.fromkeys(frame[x].astype(str)))
    fig = Figure(figsize=(max(4.0, 0.7 * len(order) + 1.5), 3.2), layout="constrained")
    ax = fig.add_subplot()
    groups = [(None, frame)] if hue is None else list(frame.groupby(hue, sort=False))
    width = 0.6 / max(len(groups), 1)
    for i, (name, rows) in enumerate(groups):
        pos = np.array([order.index(str(v)) for v in rows[x]], dtype=float)
        pos += (i - (len(groups) - 1) / 2) * width
        colour = COLOURS.get(str(name), PALETTE[i % len(PALETTE)])
        _errorbar(ax, pos, rows, fmt="o", ms=5, color=colour, lw=1.2,
                  label=None if name is None else str(name))
    if target is not None:
        ax.axhline(target, color=COLOURS["target"], ls=":", lw=1, label="target")
    ticks = [(labels or {}).get(o, o) for o in order]
    ax.set_xticks(range(len(order)), ticks, rotation=45 if len(order) > 6 else 0, ha="right"
                  if len(order) > 6 else "center", fontsize=8)
    ax.set_ylabel(ylabel or "", fontsize=9)
    ax.grid(alpha=0.3, axis="y")
    _from_zero(ax, frame)
    if hue is not None or target is not None:
        ax.legend(fontsize=8, frameon=False)
    ax.set_title(title or "", fontsize=11)
    return fig


def panel_intervals(
    frame: pd.DataFrame,
    panel: str,
    x: str,
    target: float | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    columns: int = 5,
) -> Figure:
    """Means with 95% intervals of ``x`` (e.g. grids) in one panel per ``panel`` value (e.g.
    community); ``frame`` has ``mean`` and optionally ``ci_low``, ``ci_high``."""
    names = list(dict.fromkeys(frame[panel].astype(str)))
    fig, axes = _panels(max(len(names), 1), columns, sharey=True)
    for ax, name in zip(axes, names, strict=False):
        rows = frame[frame[panel].astype(str) == name]
        labels = rows[x].astype(str).tolist()
        _errorbar(ax, np.arange(len(labels)), rows, fmt="o", ms=3, color=PALETTE[0], lw=1)
        if target is not None:
            ax.axhline(target, color=COLOURS["target"], ls=":", lw=1)
        short = [lab.removeprefix(f"{name}-") for lab in labels]
        ax.set_xticks(range(len(labels)), short, rotation=90, fontsize=7)
        ax.set_title(name, fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(alpha=0.3, axis="y")
        _from_zero(ax, rows)
    if names:
        axes[0].set_ylabel(ylabel or "", fontsize=8)
    fig.suptitle(title or "", fontsize=11)
    return fig


def grouped_bars(
    frame: pd.DataFrame,
    x: str,
    columns: Sequence[str] | Mapping[str, str],
    title: str | None = None,
    ylabel: str | None = None,
    line: float | None = None,
    line_label: str = "limit",
) -> Figure:
    """Bars of several columns side by side for each value of ``x``.

    ``columns`` lists the columns, or maps a label to each. ``line`` draws a dashed horizontal
    line (e.g. a maximum utilisation).
    """
    named = dict(columns) if isinstance(columns, Mapping) else {c: c for c in columns}
    order = frame[x].astype(str).tolist()
    fig = Figure(figsize=(max(4.0, 0.8 * len(order) + 1.5), 3.2), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / max(len(named), 1)
    base = np.arange(len(order), dtype=float)
    colours = ["#bbbbbb", COLOURS["recommended"], *PALETTE]
    top = 0.0
    for i, (label, column) in enumerate(named.items()):
        values = frame[column].to_numpy(float)
        ax.bar(base + (i - (len(named) - 1) / 2) * width, values,
               width=width, label=label, color=colours[i % len(colours)])
        top = max(top, float(np.nanmax(values, initial=0.0)))
    if line is not None:
        ax.axhline(line, color=COLOURS["target"], ls=":", lw=1, label=line_label)
        top = max(top, line)
    if top > 0:
        ax.set_ylim(0, top * 1.3)  # room for the legend above the bars
    ax.set_xticks(base, order, rotation=45 if len(order) > 6 else 0,
                  ha="right" if len(order) > 6 else "center", fontsize=8)
    ax.set_ylabel(ylabel or "", fontsize=9)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8, frameon=False, loc="upper left", ncols=len(named) + (line is not None))
    ax.set_title(title or "", fontsize=11)
    return fig


def summary_metric(
    summary: pd.DataFrame,
    metric: str,
    category: str = "all",
    by: str = "community",
    target: float | None = None,
    title: str | None = None,
) -> Figure:
    """One metric of a run's ``summary.csv`` per community (or per ``by``), with 95% CIs.

    Rows of the ``all`` group (``community == 'all'``) and per-grid rows are left out.
    """
    rows = summary[(summary["metric"] == metric) & (summary["category"] == category)]
    rows = rows[rows[by] != "all"]
    if by != "grid" and "grid" in rows.columns:
        rows = rows[rows["grid"].isna() | rows["grid"].astype(str).isin(["all", ""])]
    return interval_chart(rows, by, target=target, title=title or metric, ylabel=metric)


# ---------------------------------------------------------------- notebooks: grids, records
#
# The functions below serve the planner notebooks (notebooks/*.ipynb) and take a scenario,
# summary rows, or per-issue records (``sim.run(..., records=True).records``). Records hold every
# issue, the warm-up included: cut them with :func:`observed` where a number should match the
# summary's; :func:`open_issues` wants them all (issues of the warm-up are still open after it).


def grid_positions(scenario) -> pd.DataFrame:
    """The grids of a scenario, one row each, as the model sees them.

    Columns: ``grid``, ``community``, ``households``, ``x_m``, ``y_m`` (centre, metres east
    and north), ``area_m2``, ``issue_weight``, ``building_heads``. Lattices are generated, grid
    files read; a community without grids is one grid named after it (docs/grids.md).
    """
    from sim.scenario.grids import build_grids

    spec = spec_of(scenario)
    table = build_grids(spec)
    ids = [c.id for c in spec.communities]
    return pd.DataFrame({
        "grid": list(table.ids),
        "community": [ids[int(c)] for c in table.community],
        "households": np.asarray(table.households, dtype=int),
        "x_m": np.asarray(table.x_m, dtype=float),
        "y_m": np.asarray(table.y_m, dtype=float),
        "area_m2": np.asarray(table.area_m2, dtype=float),
        "issue_weight": np.asarray(table.issue_weight, dtype=float),
        "building_heads": np.asarray(table.building_heads, dtype=bool),
    })


def grid_values(table: pd.DataFrame, metric: str, value: str = "mean",
                **where: str) -> pd.Series:
    """One metric per grid from a summary (or a comparison table), indexed by grid id.

    ``where`` narrows the rows further, e.g. ``scenario="layout-pooled"`` for a row of
    ``sim.compare(...).table``. Only communities with more than one grid have grid rows.
    """
    rows = table[(table["metric"] == metric) & (table["grid"].astype(str) != "all")]
    if "category" in rows.columns:
        rows = rows[rows["category"] == "all"]
    for column, wanted in where.items():
        rows = rows[rows[column] == wanted]
    return pd.Series(rows[value].to_numpy(float), index=rows["grid"].astype(str).to_numpy(),
                     name=metric)


def _as_values(values) -> pd.Series:
    if isinstance(values, pd.DataFrame):
        return pd.Series(values["mean"].to_numpy(float),
                         index=values["grid"].astype(str).to_numpy())
    if isinstance(values, pd.Series):
        return values.astype(float)
    return pd.Series(dict(values), dtype=float)


def _placed(grids: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """Grid squares to draw (``x``, ``y`` centre, ``half`` side) and whether communities had to
    be set side by side because their footprints overlap in the scenario's coordinates (the
    lattices of communities that share an office position do)."""
    out = grids.copy()
    out["half"] = np.sqrt(out["area_m2"].clip(lower=1.0)) / 2
    out["x"], out["y"] = out["x_m"], out["y_m"]
    boxes = {}
    for community, rows in out.groupby("community", sort=False):
        boxes[community] = ((rows.x - rows.half).min(), (rows.x + rows.half).max(),
                            (rows.y - rows.half).min(), (rows.y + rows.half).max())
    names = list(boxes)
    overlap = any(
        min(boxes[a][1], boxes[b][1]) - max(boxes[a][0], boxes[b][0]) > 1e-6
        and min(boxes[a][3], boxes[b][3]) - max(boxes[a][2], boxes[b][2]) > 1e-6
        for i, a in enumerate(names) for b in names[i + 1:])
    if not overlap:
        return out, False
    width = max(b[1] - b[0] for b in boxes.values())
    height = max(b[3] - b[2] for b in boxes.values())
    gap = 0.35 * max(width, height)
    ncols = math.ceil(math.sqrt(len(names) * 1.6))
    for i, name in enumerate(names):
        x0, x1, y0, y1 = boxes[name]
        cx, cy = (i % ncols) * (width + gap), -(i // ncols) * (height + gap)
        mask = out["community"] == name
        out.loc[mask, "x"] += cx - (x0 + x1) / 2
        out.loc[mask, "y"] += cy - (y0 + y1) / 2
    return out, True


def grid_map(
    scenarios,
    values,
    titles: Sequence[str] | None = None,
    label: str | None = None,
    title: str | None = None,
    cmap: str = "YlOrRd",
    vmin: float | None = None,
    vmax: float | None = None,
    annotate: bool | None = None,
    digits: int = 0,
    norm=None,
    community_names: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANGUAGE,
    size: tuple[float, float] | None = None,
) -> Figure:
    """A map of grids coloured by one value per grid; several maps share one colour scale.

    ``scenarios``: a ``LoadedScenario`` (or a list, one map each); ``values``: per grid, a
    Series or mapping indexed by grid id (e.g. :func:`grid_values`), or a frame with ``grid``
    and ``mean`` columns (or a list, one per scenario). Each grid is a square of its area at its
    centre; grids without a value are grey. Where communities overlap in the scenario's
    coordinates (lattices around a shared office position), they are drawn side by side and the
    map says so. ``annotate`` writes each value in its square (default: maps of at most 40
    grids), with ``digits`` decimals. ``norm`` (a matplotlib ``Normalize``, e.g.
    :func:`attainment_norm`) replaces the scale from ``vmin`` to ``vmax``; ``community_names``
    labels the communities (default their ids); ``size`` is the figure's (width, height) in
    inches.
    """
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.collections import PatchCollection
    from matplotlib.colors import Normalize
    from matplotlib.patches import Rectangle

    many = isinstance(scenarios, list | tuple)
    scenario_list = list(scenarios) if many else [scenarios]
    value_list = [_as_values(v) for v in (values if many else [values])]
    if len(value_list) != len(scenario_list):
        raise ValueError(f"grid_map: {len(value_list)} value sets for {len(scenario_list)} maps")
    known = np.concatenate([v.to_numpy(float) for v in value_list])
    known = known[np.isfinite(known)]
    lo = vmin if vmin is not None else (float(known.min()) if known.size else 0.0)
    hi = vmax if vmax is not None else (float(known.max()) if known.size else 1.0)
    norm = norm or Normalize(lo, hi if hi > lo else lo + 1.0)
    colours = colormaps[cmap]
    t = Texts(lang)
    n = len(scenario_list)
    fig = Figure(figsize=size or (min(5.2 * n, 16) + 1.0, 4.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, n, squeeze=False)).ravel()
    side_by_side = False
    for i, (ax, scenario, vals) in enumerate(zip(axes, scenario_list, value_list, strict=True)):
        grids, moved = _placed(grid_positions(scenario))
        side_by_side |= moved
        value = grids["grid"].map(vals).to_numpy(float)
        patches = [Rectangle((x - h, y - h), 2 * h, 2 * h)
                   for x, y, h in zip(grids.x, grids.y, grids.half, strict=True)]
        face = [colours(norm(v)) if np.isfinite(v) else (0.87, 0.87, 0.87, 1.0) for v in value]
        ax.add_collection(PatchCollection(patches, facecolor=face, edgecolor="white", lw=0.6))
        show = annotate if annotate is not None else len(grids) <= 40
        if show:
            for x, y, v, f in zip(grids.x, grids.y, value, face, strict=True):
                if np.isfinite(v):
                    dark = 0.299 * f[0] + 0.587 * f[1] + 0.114 * f[2] < 0.5
                    ax.text(x, y, f"{v:.{digits}f}", ha="center", va="center", fontsize=6,
                            color="white" if dark else "black")
        for community, rows in grids.groupby("community", sort=False):
            ax.text(rows.x.mean(), (rows.y + rows.half).max() + 0.06 * rows.half.max() * 2,
                    (community_names or {}).get(str(community), str(community)), ha="center",
                    va="bottom", fontsize=8)
        pad = grids.half.max()
        ax.set_xlim((grids.x - grids.half).min() - pad, (grids.x + grids.half).max() + pad)
        ax.set_ylim((grids.y - grids.half).min() - pad, (grids.y + grids.half).max() + 2 * pad)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        name = titles[i] if titles is not None else getattr(scenario, "name", "")
        ax.set_title(str(name), fontsize=9)
        # a scale bar: 500 m (or 1 km on large maps)
        span = (grids.x + grids.half).max() - (grids.x - grids.half).min()
        bar = 1000.0 if span > 6000 else 500.0
        x0 = (grids.x - grids.half).min()
        y0 = (grids.y - grids.half).min() - 0.6 * pad
        ax.plot([x0, x0 + bar], [y0, y0], color="black", lw=2)
        ax.text(x0 + bar / 2, y0 - 0.15 * pad, f"{bar:.0f} {t('word.metres')}", ha="center",
                va="top", fontsize=7)
    fig.colorbar(ScalarMappable(norm, colours), ax=list(axes), shrink=0.8,
                 label=label or (value_list[0].name if value_list[0].name else ""))
    if side_by_side:
        fig.supxlabel(t("text.side_by_side"), fontsize=8, color="#555555")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def response_distribution(
    records: pd.DataFrame,
    by: str = "community",
    categories: Sequence[str] | None = None,
    target_min: float | Mapping[str, float] | None = None,
    share: float | None = None,
    metric: str = "response_min",
    xmax: float | Mapping[str, float] | None = None,
    columns: int = 3,
    title: str | None = None,
) -> Figure:
    """Cumulative distribution of a time per issue (default ``response_min``), one line per
    value of ``by``, one panel per category (``categories``; default: all issues together).

    A curve at height 0.9 above ``x`` minutes means 90% of issues took at most ``x``: where it
    crosses the dotted ``share`` line is that group's p90 (or other quantile). ``target_min``
    (one number, or one per category) draws the time limit as a dashed line; ``xmax`` (one, or
    one per category) ends the x axis (default: four times the limit). Issues pooled over
    replications; pass records already cut to the observation window (:func:`observed`).
    """
    panels = list(categories) if categories is not None else [None]
    fig, axes = _panels(len(panels), columns, width=4.0, height=3.0)
    groups = ["all"]
    if by:
        column = records[by]
        present = set(column.astype(str))
        order = column.cat.categories if isinstance(column.dtype, pd.CategoricalDtype) \
            else column.drop_duplicates()
        groups = [str(g) for g in order if str(g) in present]
    colours = [*PALETTE, "#17becf", "#bcbd22", "#7f7f7f"]
    for ax, category in zip(axes, panels, strict=False):
        part = records if category is None else records[records["category"] == category]
        name = category or "all"
        limit = target_min.get(name) if isinstance(target_min, Mapping) else target_min
        top = xmax.get(name) if isinstance(xmax, Mapping) else xmax
        if top is None:
            top = 4 * limit if limit else float(np.nanquantile(part[metric], 0.95)) \
                if len(part) else 1.0
        for i, group in enumerate(groups):
            rows = part[metric] if not by else part.loc[part[by].astype(str) == group, metric]
            times = np.sort(rows.dropna().to_numpy(float))
            if times.size == 0:
                continue
            heights = np.arange(1, times.size + 1) / times.size
            ax.step(np.concatenate([[0.0], times]), np.concatenate([[0.0], heights]),
                    where="post", lw=1, color=colours[i % len(colours)], label=group)
        if limit:
            ax.axvline(limit, color=COLOURS["target"], ls="--", lw=1, label="time limit")
            ax.annotate(f"{limit:g}", (limit, 0), xytext=(3, 3), textcoords="offset points",
                        fontsize=8)
        if share is not None:
            ax.axhline(share, color=COLOURS["target"], ls=":", lw=1, label=f"share {share:g}")
        ax.set_xlim(0, top)
        ax.set_ylim(0, 1.01)
        ax.set_title(category or "all issues", fontsize=10)
        ax.set_xlabel(metric, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of issues at most x", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=min(len(labels), 7), fontsize=7,
               frameon=False)
    fig.suptitle(title or f"{metric}: cumulative distribution", fontsize=11)
    return fig


def backlog_chart(
    frame: pd.DataFrame,
    hue: str | None = None,
    value: str = "open_issues",
    shade: tuple[float, float] | None = None,
    shade_label: str = "surge",
    marks: Mapping[str, float] | None = None,
    smooth_days: int = 1,
    title: str | None = None,
    ylabel: str = "open issues (mean over the day)",
) -> Figure:
    """A daily value over time (default the backlog of :func:`open_issues`): the mean over
    replications as a line, their range as a band, one series per ``hue``. ``shade`` marks a
    period (days), ``marks`` labelled days as vertical lines (e.g. ``{"recovered": 131}``)."""
    daily = daily_mean(frame, value, hue, smooth_days)
    fig = Figure(figsize=(8.0, 3.6), layout="constrained")
    ax = fig.add_subplot()
    if shade is not None:
        ax.axvspan(shade[0], shade[1], color="#ff7f0e", alpha=0.12, label=shade_label)
    series = [(None, daily)] if hue is None else list(daily.groupby(hue, sort=False))
    for i, (name, rows) in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        ax.fill_between(rows["day"], rows["min"], rows["max"], color=colour, alpha=0.2, lw=0)
        ax.plot(rows["day"], rows["mean"], color=colour, lw=1.5,
                label=None if name is None else str(name))
    for label, day in (marks or {}).items():
        if day is not None and np.isfinite(day):
            ax.axvline(day, color=COLOURS["target"], ls="--", lw=1)
            ax.annotate(label, (day, 1), xycoords=("data", "axes fraction"), xytext=(3, -12),
                        textcoords="offset points", fontsize=8)
    ax.set_xlabel("day", fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_title(title or "", fontsize=11)
    return fig


def role_chart(
    frame: pd.DataFrame,
    by: str = "responder_role",
    value: str = "issues",
    shade: tuple[float, float] | None = None,
    shade_label: str = "surge",
    title: str | None = None,
    ylabel: str = "issues taken per week",
) -> Figure:
    """Stacked areas of a value per period and role (from :func:`work_by_role`)."""
    wide = frame.pivot_table(index="day", columns=by, values=value, aggfunc="sum",
                             fill_value=0.0, observed=True)
    fig = Figure(figsize=(8.0, 3.6), layout="constrained")
    ax = fig.add_subplot()
    if shade is not None:
        ax.axvspan(shade[0], shade[1], color="#ff7f0e", alpha=0.12, label=shade_label)
    colours = {"community_worker": "#1f77b4", "grid_member": "#2ca02c",
               "volunteer": "#9467bd", "party_member": "#d62728"}
    ax.stackplot(wide.index.to_numpy(float), wide.to_numpy(float).T,
                 labels=[str(c) for c in wide.columns],
                 colors=[colours.get(str(c), PALETTE[i % len(PALETTE)])
                         for i, c in enumerate(wide.columns)], alpha=0.85)
    ax.set_xlabel("day", fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_title(title or "", fontsize=11)
    return fig


# ---------------------------------------------------------------- reports: targets


STATE_COLOURS = {"met": "#2ca02c", "missed": "#d62728", "unclear": "#f0b400", "": "#9e9e9e"}
VERDICT_COLOURS = {"better": "#2ca02c", "worse": "#d62728", "no clear difference": "#9e9e9e",
                   "-": "#9e9e9e"}


def attainment_norm(target: float):
    """A colour scale for shares (0 to 1) whose middle is the target share: red below, green
    above (a diverging map around the target)."""
    from matplotlib.colors import TwoSlopeNorm

    centre = min(max(target, 1e-6), 1 - 1e-6)
    return TwoSlopeNorm(vcenter=centre, vmin=0.0, vmax=1.0)


ATTAINMENT_CMAP = "RdYlGn"


def attainment_heatmap(
    values: pd.DataFrame,
    target: float | Mapping[str, float],
    marks: pd.DataFrame | None = None,
    title: str | None = None,
    colour_label: str = "",
) -> Figure:
    """Shares (rows, e.g. communities, by columns, e.g. categories) as coloured cells with the
    value written in each; colours are red below the column's ``target`` share, green above.
    ``marks`` (same shape) is text appended to a cell's value (e.g. ``*`` for missed)."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable

    n_rows, n_cols = values.shape
    longest = max((len(str(r)) for r in values.index), default=4)
    left = 0.35 + 0.14 * longest  # inches for the row labels (a CJK character ~0.14 in)
    width, height = min(1.25 * n_cols, 11.0) + left + 1.6, 0.36 * n_rows + 1.4
    fig = Figure(figsize=(width, height))  # fixed margins: a layout engine costs seconds here
    fig.subplots_adjust(left=left / width, right=1 - 1.5 / width, top=1 - 0.9 / height,
                        bottom=0.15 / height)
    ax = fig.add_subplot()
    cmap = colormaps[ATTAINMENT_CMAP]
    shares = values.to_numpy(float)
    for j, column in enumerate(values.columns):
        goal = target[column] if isinstance(target, Mapping) else target
        norm = attainment_norm(goal)
        for i in range(n_rows):
            v = shares[i, j]
            colour = cmap(norm(v)) if np.isfinite(v) else (0.9, 0.9, 0.9, 1.0)
            ax.add_patch(_cell(j, i, colour))
            text = "-" if not np.isfinite(v) else f"{v:.2f}"
            if marks is not None and np.isfinite(v):
                text += str(marks.iat[i, j])
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=8.5)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks(np.arange(n_cols) + 0.5, [str(c) for c in values.columns], fontsize=9)
    ax.set_yticks(np.arange(n_rows) + 0.5, [str(r) for r in values.index], fontsize=9)
    ax.tick_params(length=0)
    ax.xaxis.tick_top()
    for spine in ax.spines.values():
        spine.set_visible(False)
    single = target if not isinstance(target, Mapping) else next(iter(target.values()), 0.9)
    bar = fig.add_axes((1 - 1.1 / width, 0.15 / height, 0.18 / width, 1 - 1.05 / height))
    fig.colorbar(ScalarMappable(attainment_norm(single), cmap), cax=bar, label=colour_label)
    if title:
        fig.suptitle(title, fontsize=11, y=1 - 0.12 / height, va="top")
    return fig


def _cell(x: float, y: float, colour) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="white", lw=1.5)


def share_bars(
    frame: pd.DataFrame,
    label: str,
    targets: Sequence[float] | np.ndarray | float,
    title: str | None = None,
    xlabel: str = "",
    lang: str = DEFAULT_LANGUAGE,
    state: str | None = "state",
) -> Figure:
    """Horizontal bars of shares (``mean`` with ``ci_low``/``ci_high``), one per row of
    ``frame`` labelled by column ``label``, coloured by column ``state`` (met, missed,
    unclear), each with its target share as a black tick; the axis runs from 0 to 1."""
    t = Texts(lang)
    n = len(frame)
    fig = Figure(figsize=(7.5, 0.42 * n + 1.3), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(n)
    mean = frame["mean"].to_numpy(float)
    colours = [STATE_COLOURS.get(str(s), "#1f77b4") for s in frame[state]] if state else \
        PALETTE[0]
    ax.barh(y, np.nan_to_num(mean), color=colours, alpha=0.8, height=0.6)
    low, high = frame["ci_low"].to_numpy(float), frame["ci_high"].to_numpy(float)
    err = np.vstack([np.where(np.isfinite(low), mean - low, 0),
                     np.where(np.isfinite(high), high - mean, 0)])
    ax.errorbar(mean, y, xerr=np.clip(np.nan_to_num(err), 0, None), fmt="none", ecolor="black",
                capsize=3, lw=1)
    goals = np.broadcast_to(np.asarray(targets, dtype=float), (n,))
    for i, goal in enumerate(goals):
        ax.plot([goal, goal], [i - 0.4, i + 0.4], color=COLOURS["target"], lw=2,
                label=t("word.target") if i == 0 else None)
        if np.isfinite(mean[i]):
            ax.text(min(mean[i], 1.0) + 0.01, i + 0.32, f"{mean[i]:.2f}", fontsize=8, va="center")
    ax.set_yticks(y, frame[label].astype(str).tolist(), fontsize=9)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 1.08)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(title or "", fontsize=11, loc="left")
    return fig


def limit_panels(
    frame: pd.DataFrame,
    panel: str,
    x: str,
    limits: Mapping[str, float | None],
    titles: Mapping[str, str] | None = None,
    title: str | None = None,
    ylabel: str = "",
    lang: str = DEFAULT_LANGUAGE,
    columns: int = 3,
) -> Figure:
    """One panel per value of ``panel`` (e.g. category): bars of ``mean`` (with intervals) per
    ``x`` (e.g. community), the axis from zero, the panel's limit as a dashed line."""
    t = Texts(lang)
    names = list(dict.fromkeys(frame[panel].astype(str)))
    fig, axes = _panels(max(len(names), 1), columns, width=4.2, height=2.9, sharey=False)
    height = fig.get_figheight()
    fig.subplots_adjust(bottom=0.28 if len(names) <= columns else 0.16, left=0.07, wspace=0.25,
                        hspace=0.8, top=1 - 0.8 / height)
    for ax, name in zip(axes, names, strict=False):
        rows = frame[frame[panel].astype(str) == name]
        labels = rows[x].astype(str).tolist()
        pos = np.arange(len(labels))
        mean = rows["mean"].to_numpy(float)
        ax.bar(pos, np.nan_to_num(mean), color=PALETTE[0], alpha=0.75, width=0.7)
        _errorbar(ax, pos, rows, fmt="none", ecolor="black", lw=0.8)
        limit = limits.get(name)
        top = float(np.nanmax(rows["ci_high"].to_numpy(float), initial=0.0)) \
            if "ci_high" in rows else 0.0
        top = max(top, float(np.nanmax(mean, initial=0.0)))
        if limit is not None and np.isfinite(limit):
            ax.axhline(limit, color=COLOURS["target"], ls="--", lw=1.2, label=t("word.time_limit"))
            top = max(top, limit)
        ax.set_ylim(0, top * 1.15 if top > 0 else 1)
        ax.set_xticks(pos, labels, rotation=45, ha="right", fontsize=8)
        ax.set_title((titles or {}).get(name, name), fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(alpha=0.3, axis="y")
    if names:
        axes[0].set_ylabel(ylabel, fontsize=9)
        handles, labels = axes[0].get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="upper right", fontsize=8, frameon=False)
    fig.suptitle(title or "", fontsize=11)
    return fig


def difference_chart(
    frame: pd.DataFrame,
    label: str,
    hue: str | None = None,
    title: str | None = None,
    xlabel: str = "",
) -> Figure:
    """Paired differences (``difference`` with ``difference_ci_low``/``_high``) as points
    with intervals, one row per ``label`` (several ``hue`` series side by side), coloured by
    ``verdict``; the zero line is drawn: an interval that excludes it is a real difference."""
    rows = list(dict.fromkeys(frame[label].astype(str)))
    groups = [(None, frame)] if hue is None else list(frame.groupby(hue, sort=False))
    fig = Figure(figsize=(7.5, 0.45 * len(rows) * max(1, len(groups)) ** 0.5 + 1.4),
                 layout="constrained")
    ax = fig.add_subplot()
    step = 0.7 / max(len(groups), 1)
    markers = ["o", "s", "D", "^", "v"]
    for g, (name, part) in enumerate(groups):
        pos = np.array([rows.index(str(v)) for v in part[label]], float)
        pos += (g - (len(groups) - 1) / 2) * step
        d = part["difference"].to_numpy(float)
        lo = part["difference_ci_low"].to_numpy(float)
        hi = part["difference_ci_high"].to_numpy(float)
        colours = [VERDICT_COLOURS.get(str(v), "#1f77b4") for v in part["verdict"]]
        for y, di, a, b, c in zip(pos, d, lo, hi, colours, strict=True):
            if np.isfinite(a) and np.isfinite(b):
                ax.plot([a, b], [y, y], color=c, lw=2)
            ax.plot([di], [y], marker=markers[g % len(markers)], color=c, ms=6,
                    label=None if name is None else str(name))
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(range(len(rows)), rows, fontsize=9)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.grid(alpha=0.3, axis="x")
    if hue is not None:
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        ax.legend(unique.values(), unique.keys(), fontsize=8, frameon=False, loc="best")
    ax.set_title(title or "", fontsize=11)
    return fig


def setting_lines(
    frame: pd.DataFrame,
    x: str,
    hue: str,
    targets: Mapping[str, float],
    order: Sequence[str] | None = None,
    title: str | None = None,
    xlabel: str = "",
    ylabel: str = "",
    lang: str = DEFAULT_LANGUAGE,
) -> Figure:
    """Shares (``mean`` with intervals) against settings ``x`` (in ``order``), one line per
    ``hue`` (e.g. category), each with its target share dotted in its colour; the axis runs
    from 0 to 1."""
    t = Texts(lang)
    ticks = list(order) if order is not None else list(dict.fromkeys(frame[x].astype(str)))
    fig = Figure(figsize=(max(6.0, 0.9 * len(ticks) + 3.5), 4.0), layout="constrained")
    ax = fig.add_subplot()
    for i, (name, rows) in enumerate(frame.groupby(hue, sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        pos = np.array([ticks.index(str(v)) for v in rows[x]], float)
        _errorbar(ax, pos, rows, fmt="-o", ms=4, color=colour, lw=1.3, label=str(name))
        goal = targets.get(str(name))
        if goal is not None:
            ax.axhline(goal, color=colour, ls=":", lw=1)
    ax.plot([], [], color="black", ls=":", lw=1, label=t("word.target"))
    ax.set_xticks(range(len(ticks)), ticks, rotation=30 if len(ticks) > 4 else 0,
                  ha="right" if len(ticks) > 4 else "center", fontsize=8)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title(title or "", fontsize=11)
    return fig


# ---------------------------------------------------------------- labels in Chinese

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei",
                "PingFang SC", "Heiti SC")


def cjk_font() -> str | None:
    """The family name of an installed font that draws Chinese, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FAMILIES if name in names), None)


def label_language(lang: str) -> str:
    """The language plot labels can be drawn in: ``lang``, or ``en`` when ``lang`` is ``zh``
    and no font that draws Chinese is installed (the labels would be empty boxes)."""
    return lang if lang != "zh" or cjk_font() else "en"


def _font_context():
    """Figures made inside draw Chinese with the installed CJK font (if any)."""
    import contextlib

    from matplotlib import rc_context

    family = cjk_font()
    if family is None or CJK_FONT in matplotlib.rcParams["font.family"]:
        return contextlib.nullcontext()  # no such font, or already the fallback (use_cjk_font)
    return rc_context({"font.family": "sans-serif",
                       "font.sans-serif": [family, "DejaVu Sans"]})


# ---------------------------------------------------------------- the living circle

KIND_MARKERS = {"rainbow_pavilion": "*", "party_mass_home": "s", "day_care_centre": "^",
                "service_centre": "D"}


def coverage_map(
    grids: pd.DataFrame,
    points: pd.DataFrame,
    radius_m: float,
    metric: str = "euclidean",
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    circles: bool = True,
) -> Figure:
    """Grids covered and left out, the service points and their walking circles.

    ``grids``: ``grid``, ``x_m``, ``y_m``, ``area_m2`` and ``covered`` (bool) per grid;
    ``points``: ``x_m``, ``y_m``, ``kind`` and ``new`` (bool: a proposed point, drawn hollow
    with a dashed circle). ``radius_m`` is the distance walked within the time limit, as the
    crow flies (``manhattan``: a diamond). ``labels`` names the legend entries: ``covered``,
    ``left_out``, ``new``, and each kind.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Patch, Polygon, Rectangle

    names = {"covered": "covered", "left_out": "left out", "new": "proposed",
             **dict(labels or {})}
    half = np.sqrt(grids["area_m2"].to_numpy(float).clip(1.0)) / 2
    x, y = grids["x_m"].to_numpy(float), grids["y_m"].to_numpy(float)
    pad = max(float(half.max()), 0.15 * radius_m)
    span_x = float((x + half).max() - (x - half).min()) + 2 * pad
    span_y = float((y + half).max() - (y - half).min()) + 2 * pad
    with _font_context():
        fig = Figure(figsize=(9.0, min(max(6.6 * span_y / span_x + 0.9, 3.0), 9.0)),
                     layout="constrained")
        ax = fig.subplots()
        covered = grids["covered"].to_numpy(bool)
        squares = [Rectangle((a - h, b - h), 2 * h, 2 * h) for a, b, h in zip(x, y, half,
                                                                              strict=True)]
        face = np.where(covered[:, None], [[0.70, 0.87, 0.70, 1.0]], [[0.98, 0.62, 0.50, 1.0]])
        ax.add_collection(PatchCollection(squares, facecolor=face, edgecolor="white", lw=0.5))
        kinds = list(dict.fromkeys(points["kind"]))
        for i, kind in enumerate(kinds):
            colour = PALETTE[i % len(PALETTE)]
            for row in points[points["kind"] == kind].itertuples():
                new = bool(getattr(row, "new", False))
                if circles:
                    shape: Patch
                    if metric == "manhattan":
                        r = radius_m
                        shape = Polygon([(row.x_m + r, row.y_m), (row.x_m, row.y_m + r),
                                         (row.x_m - r, row.y_m), (row.x_m, row.y_m - r)])
                    else:
                        shape = Circle((row.x_m, row.y_m), radius_m)
                    shape.set(fill=False, edgecolor=colour, lw=1.0, alpha=0.8,
                              linestyle="--" if new else "-")
                    ax.add_patch(shape)
                ax.plot(row.x_m, row.y_m, KIND_MARKERS.get(kind, "o"), ms=9 if new else 8,
                        mfc="white" if new else colour, mec=colour, mew=1.6, zorder=5)
        handles: list[Artist] = [Patch(color=(0.70, 0.87, 0.70), label=names["covered"]),
                                 Patch(color=(0.98, 0.62, 0.50), label=names["left_out"])]
        handles += [Line2D([], [], ls="", marker=KIND_MARKERS.get(k, "o"),
                           color=PALETTE[i % len(PALETTE)], label=names.get(k, k))
                    for i, k in enumerate(kinds)]
        if "new" in points and points["new"].any():
            handles.append(Line2D([], [], ls="--", marker="o", mfc="white", color="#555555",
                                  label=names["new"]))
        ax.set_xlim(float((x - half).min()) - pad, float((x + half).max()) + pad)
        ax.set_ylim(float((y - half).min()) - pad, float((y + half).max()) + pad)
        ax.set_aspect("equal")
        ax.set_xlabel("x (m)")
        ax.set_ylabel("y (m)")
        fig.legend(handles=handles, fontsize=8, loc="outside right upper")
        if title:
            ax.set_title(title, fontsize=10)
    return fig


# ---------------------------------------------------------------- projections with bands


def band_chart(
    frame: pd.DataFrame,
    x: str,
    value: str,
    low: str,
    high: str,
    hue: str | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    line: float | None = None,
    line_label: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Lines of ``value`` over ``x`` with shaded bands from ``low`` to ``high``, one per
    ``hue`` (e.g. a projection and the interval of its simulated paths); ``line`` draws a
    dashed horizontal target. ``labels`` renames the hue values in the legend."""
    with _font_context():
        fig = Figure(figsize=(7.5, 4.2), layout="constrained")
        ax = fig.subplots()
        groups = frame.groupby(hue, sort=False) if hue else [(None, frame)]
        for i, (name, rows) in enumerate(groups):
            colour = PALETTE[i % len(PALETTE)]
            shown = None if name is None else (labels or {}).get(str(name), str(name))
            ax.fill_between(rows[x], rows[low], rows[high], color=colour, alpha=0.18, lw=0)
            ax.plot(rows[x], rows[value], "-o", color=colour, ms=3, label=shown)
        if line is not None:
            ax.axhline(line, color=COLOURS["target"], ls="--", lw=1, label=line_label)
        ax.set_xlabel(x)
        if ylabel:
            ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        _integer_ticks(ax.xaxis)
        if hue or line is not None:
            ax.legend(fontsize=8)
    return fig


# ---------------------------------------------------------------- calibration and back-test


def profile_chart(frame: pd.DataFrame, x: str = "index", hue: str = "category",
                  title: str | None = None, ylabel: str = "relative rate (mean 1)",
                  labels: Sequence[str] | None = None) -> Figure:
    """Fitted profile factors with their 95% intervals as bands, one line per ``hue``.

    ``frame``: columns ``x``, ``value``, ``ci_low``, ``ci_high`` and ``hue`` (e.g. the
    ``hour_of_day`` rows of a calibration's profile table); ``labels`` name the x values.
    """
    fig = Figure(figsize=(7.0, 3.6))
    fig.subplots_adjust(left=0.09, right=0.98, top=0.91, bottom=0.27)
    ax = fig.add_subplot()
    for i, (name, rows) in enumerate(frame.groupby(hue, sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        xs = rows[x].to_numpy()
        ax.plot(xs, rows["value"], "o-", ms=3, lw=1.2, color=colour, label=str(name)[:30])
        ax.fill_between(xs, rows["ci_low"], rows["ci_high"], color=colour, alpha=0.2, lw=0)
    ax.axhline(1.0, color="#999", lw=0.8, ls=":")
    values = sorted(frame[x].unique())
    if labels is not None:
        ax.set_xticks(values, [labels[int(v) % len(labels)] for v in values], fontsize=8)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.grid(alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", fontsize=7,
               frameon=False, ncol=3)
    ax.set_title(title or "", fontsize=11)
    return fig


def week_chart(counted: Sequence[float] | np.ndarray, fitted: Sequence[float] | np.ndarray,
               title: str | None = None) -> Figure:
    """Issues by hour of the week (168 values, Monday 00:00 first): counted and fitted."""
    fig = Figure(figsize=(9.0, 3.0))
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.12)
    ax = fig.add_subplot()
    hours = np.arange(len(counted))
    ax.plot(hours, counted, color=PALETTE[0], lw=1.2, label="counted")
    ax.plot(hours, fitted, color=PALETTE[2], lw=1.2, ls="--", label="hour x day fit")
    ax.set_xticks(np.arange(0, 168, 24), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    ax.set_ylabel("issues", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(title or "", fontsize=11)
    return fig


def survival_chart(logged: pd.DataFrame, fitted: pd.DataFrame, columns: int = 4) -> Figure:
    """Resolution-time CDFs per category: Kaplan-Meier with its 95% band, and the fit.

    ``logged``: category, time_h, cdf, ci_low, ci_high; ``fitted``: category, time_h, cdf,
    family. Hours on a log scale.
    """
    names = list(dict.fromkeys(logged["category"]))
    fig, axes = _panels(len(names), columns=columns, width=2.8, height=2.2)
    for ax, name in zip(axes, names, strict=False):
        rows = logged[logged["category"] == name]
        fit = fitted[fitted["category"] == name]
        t = np.maximum(rows["time_h"].to_numpy(float), 1 / 60)
        ax.step(t, rows["cdf"], where="post", color=PALETTE[0], lw=1.2, label="Kaplan-Meier")
        ax.fill_between(t, rows["ci_low"], rows["ci_high"], step="post", color=PALETTE[0],
                        alpha=0.2, lw=0)
        family = fit["family"].iloc[0] if len(fit) else ""
        ax.plot(np.maximum(fit["time_h"], 1 / 60), fit["cdf"], color=PALETTE[2], lw=1.2,
                ls="--", label="fitted")
        _log_hours(ax)
        ax.set_title(f"{str(name)[:28]} ({family})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, frameon=False, loc="upper left")
    fig.suptitle("Resolution time (h): share closed", fontsize=10)
    return fig


def _log_hours(ax: Axes) -> None:
    """A log-scale x axis of hours with plain labels (0.1, 1, 10, 1k) at the decades and no
    minor ticks (a tick is an artist: the default minor ticks of many decades cost a second)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, numticks=8))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: f"{v / 1000:g}k" if v >= 1000 else f"{v:g}"))


def backtest_chart(frame: pd.DataFrame, columns: int = 4) -> Figure:
    """Weekly counts per category: observed dots over the 95% prediction band and mean.

    ``frame``: category, week_start, observed, predicted_mean, predicted_low, predicted_high.
    """
    names = list(dict.fromkeys(frame["category"]))
    fig, axes = _panels(len(names), columns=columns, width=2.8, height=2.2, sharey=False)
    for ax, name in zip(axes, names, strict=False):
        rows = frame[frame["category"] == name]
        x = np.arange(len(rows))
        inside = ((rows["observed"] >= rows["predicted_low"])
                  & (rows["observed"] <= rows["predicted_high"])).to_numpy()
        ax.fill_between(x, rows["predicted_low"], rows["predicted_high"], color=PALETTE[0],
                        alpha=0.25, lw=0)
        ax.plot(x, rows["predicted_mean"], color=PALETTE[0], lw=1)
        ax.scatter(x[inside], rows["observed"].to_numpy()[inside], s=10, color="#222",
                   zorder=3)
        ax.scatter(x[~inside], rows["observed"].to_numpy()[~inside], s=14, color=PALETTE[2],
                   marker="x", zorder=3)
        ax.set_title(str(name)[:32], fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle("Issues per week: observed (x outside the band) and 95% prediction band",
                 fontsize=10)
    return fig
