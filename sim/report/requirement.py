"""The hour-by-hour requirement against what a roster covers, one panel per community.

Input is requirement.csv's layout: ``community``, ``day`` (mon..sun), ``hour`` (0..23),
``required`` and ``covered`` (workers on duty). Panel titles are the ``community`` values;
``labels`` and ``days`` give the legend and the day ticks in the report's language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.report.plots import COLOURS, Figure
from sim.scenario.governance import WEEKDAYS


def requirement_chart(table: pd.DataFrame, title: str = "workers on duty, hour by hour",
                      columns: int = 2, labels: Mapping[str, str] | None = None,
                      days: Sequence[str] = WEEKDAYS) -> Figure:
    """Steps of the workers required and covered over the 168 hours of the week."""
    communities = list(dict.fromkeys(table["community"]))
    n = max(len(communities), 1)
    ncols = min(columns, n)
    nrows = math.ceil(n / ncols)
    width, height = 6.2 * ncols + 0.6, 1.9 * nrows + 1.2
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=0.5 / width, right=1 - 0.15 / width, top=1 - 0.5 / height,
                        bottom=0.9 / height, wspace=0.08, hspace=0.55)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True, squeeze=False)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax, community in zip(axes, communities, strict=False):
        rows = table[table["community"] == community]
        week = rows["day"].map(WEEKDAYS.index) * 24 + rows["hour"]
        order = np.argsort(week.to_numpy())
        x = np.append(week.to_numpy()[order], 168)
        for column, colour, style in (("required", COLOURS["full_model"], "-"),
                                      ("covered", COLOURS["recommended"], "--")):
            if column in rows:
                y = rows[column].to_numpy(float)[order]
                ax.step(x, np.append(y, y[-1]), where="post", color=colour, ls=style, lw=1.2,
                        label=(labels or {}).get(column, column))
        ax.set_xlim(0, 168)
        ax.set_xticks([24 * d + 12 for d in range(7)], list(days), fontsize=8)
        for d in range(1, 7):
            ax.axvline(24 * d, color="#cccccc", lw=0.6)
        ax.set_title(str(community), fontsize=10)
        ax.tick_params(labelsize=8)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3, axis="y")
    if communities:
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncols=2, fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=11)
    return fig
