"""Progress bars: tqdm on a terminal or in a notebook, nothing when output goes to a file."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import std


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook, VS Code)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except AttributeError:  # pragma: no cover - a stand-in IPython module
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def show_progress(progress: bool | None) -> bool:
    """``progress`` if given; otherwise on when stderr is a terminal or we run in a notebook."""
    if progress is not None:
        return progress
    return in_notebook() or (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())


def progress_bar(total: int, initial: int, desc: str, progress: bool | None) -> Any:
    """A tqdm bar counting replications (a disabled one when progress is off).

    In a notebook the bar is a widget when ipywidgets is installed, plain text otherwise.
    """
    options = dict(total=total, initial=initial, desc=desc[:30], unit="rep", leave=False)
    if not show_progress(progress):
        return std.tqdm(disable=True, **options)
    if in_notebook():
        try:
            import ipywidgets  # noqa: F401
            from tqdm.notebook import tqdm as notebook_tqdm

            return notebook_tqdm(**options)
        except ImportError:
            pass
    return std.tqdm(file=sys.stderr, **options)
