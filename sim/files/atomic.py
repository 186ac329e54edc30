"""Writing files so that a file that exists is whole: temporary name, flush, rename."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sim.errors import RunFolderError

Writer = Callable[[Path], object]
"""Writes a file at the path it is given."""


def atomic_write(path: Path, write: Writer) -> None:
    """Call ``write(tmp_path)``, flush it to disk and rename onto ``path``.

    Readers never see half a file, and after a crash the file is either the old or the new one.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:  # a full disk, a read-only folder, a folder removed meanwhile
        raise RunFolderError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


CSV_ENCODING = "utf-8-sig"
"""Result CSVs: UTF-8 with a byte-order mark, so Excel (which takes a CSV without one for the
local code page, GBK on Chinese Windows) shows 东关社区, not 涓滃叧绀惧尯. pandas and
Python's ``utf-8-sig`` read it back unchanged."""


def csv_writer(frame: pd.DataFrame) -> Writer:
    """A :data:`Writer` of ``frame`` as CSV without its index, UTF-8 with a byte-order mark."""
    return lambda p: frame.to_csv(p, index=False, encoding=CSV_ENCODING)
