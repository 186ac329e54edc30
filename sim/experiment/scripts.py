"""Is it safe to start worker processes from here? Worker processes (fork server, spawn) run
the main script again as they start; a script that calls ``sim.run`` at its top level, outside
``if __name__ == "__main__":``, would run again in every worker. :func:`unguarded_script`
finds that case, so the executors can run in this process instead and say why once."""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path


def unguarded_script() -> Path | None:
    """The main script when this call comes from its top level outside the main guard, else
    None (an interactive shell, a notebook, ``python -m``, or a guarded script)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main, "__spec__", None) is not None:
        return None
    frame = sys._getframe(1)
    line = None
    while frame is not None:  # the outermost frame running the script's top level
        if frame.f_globals is main.__dict__ and frame.f_code.co_name == "<module>":
            line = frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    if line is None:
        return None
    guarded = _guarded_lines(str(path))
    return None if guarded is None or any(a <= line <= b for a, b in guarded) else Path(path)


@cache
def _guarded_lines(path: str) -> tuple[tuple[int, int], ...] | None:
    """Line ranges of the script's ``if __name__ == "__main__":`` blocks (None: unreadable)."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    return tuple((node.lineno, node.end_lineno or node.lineno) for node in tree.body
                 if isinstance(node, ast.If) and _is_main_test(node.test))


def _is_main_test(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    texts = [s.value for s in sides if isinstance(s, ast.Constant)]
    return names == ["__name__"] and texts == ["__main__"]
