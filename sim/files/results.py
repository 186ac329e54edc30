"""The folder of a command that computes its results in one go: recommend, coverage,
workforce, calibrate, backtest.

:meth:`ResultFolder.open` refuses a folder that holds another command's results, or results of
other inputs (its *identity*: scenario digest, seed, options), and names the difference. The
results appear together at the end (:meth:`~sim.files.folder.Folder.publish`); until then the
folder holds only the manifest, the inputs and ``parts/``, where a command may keep finished
pieces of work (:meth:`ResultFolder.save_part`) that the same command, run again, reuses.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import RunFolderError
from sim.files.atomic import Writer, atomic_write, csv_writer
from sim.files.folder import MANIFEST, Folder, guarded, now_text, versions
from sim.files.interrupt import deferred_signals

PARTS = "parts"


class ResultFolder(Folder):
    """One command's result folder, locked while this process writes it."""

    @classmethod
    def open(
        cls,
        path: str | Path,
        kind: str,
        identity: Mapping[str, Any],
        command: str,
        inputs: Mapping[str, Writer] | None = None,
        info: Mapping[str, Any] | None = None,
    ) -> ResultFolder:
        """Create ``path`` for a ``kind`` of results, or reopen it when it holds the same kind
        and ``identity``; write ``inputs`` (e.g. ``scenario.yaml``) and record ``info`` in the
        manifest. Results of an earlier completion are removed: they are published again."""
        path = Path(path)
        manifest, lock = cls._prepare(path)
        try:
            if manifest is None:
                manifest = {"kind": kind, **identity, "command": command,
                            "started": now_text(), "finished": None, "status": "running",
                            "versions": versions()}
                folder = cls(path, manifest, lock)
            else:
                folder = cls(path, manifest, lock)
                folder._check_kind(kind)
                folder._check_identity(identity)
                folder._check_versions()
                folder._drop(_names(manifest.get("results")))
                manifest["command"] = command
        except BaseException:
            if lock is not None:
                os.close(lock)
            raise
        with guarded([folder], keep_open=True):  # interrupted here: the folder says so
            manifest.update(info or {})
            folder._start_session({"kept": len(folder.parts())}, ("results", "marker"))
            folder._clean_temporaries()
            for name, write in (inputs or {}).items():
                atomic_write(path / name, write)
            folder.log(f"started by: {command}")
        return folder

    def _check_identity(self, identity: Mapping[str, Any]) -> None:
        for key, value in identity.items():
            then = self.manifest.get(key)
            if then != value:
                raise RunFolderError(
                    f"{self.path / MANIFEST}: this folder holds {self.manifest.get('kind')} "
                    f"results with another {key} ({_short(then)}, now {_short(value)}); "
                    "refusing to replace them. Choose another output folder, or delete this one."
                )

    # -- finished pieces of work, kept for a second run of the same command

    def parts(self) -> list[str]:
        """Names of the saved parts."""
        folder = self.path / PARTS
        return sorted(p.stem for p in folder.glob("*.parquet")) if folder.is_dir() else []

    def save_part(self, name: str, frame: pd.DataFrame) -> None:
        """Keep ``frame`` as part ``name`` (a file-safe name), whole or not at all."""
        with deferred_signals():
            (self.path / PARTS).mkdir(exist_ok=True)
            atomic_write(self.path / PARTS / f"{name}.parquet",
                         lambda p: frame.to_parquet(p, index=False))

    def load_part(self, name: str) -> pd.DataFrame | None:
        """Part ``name``, or None when it is not there (or cannot be read: then it is redone)."""
        file = self.path / PARTS / f"{name}.parquet"
        if not file.exists():
            return None
        try:
            return pd.read_parquet(file)
        except (OSError, ValueError) as exc:
            self.log(f"part {name} unreadable ({exc}); it is computed again")
            file.unlink(missing_ok=True)
            return None

    # -- the end

    def publish(self, files: Mapping[str, Writer], marker: str,
                data: Mapping[str, Any] | None = None, **extra: Any) -> None:
        super().publish(files, marker, data, results=list(files), **extra)

    def publish_tables(self, tables: Mapping[str, pd.DataFrame], marker: str,
                       others: Mapping[str, Writer] | None = None, **extra: Any) -> None:
        """:meth:`publish` DataFrames as CSV (and ``others`` as given)."""
        files = {name: csv_writer(frame) for name, frame in tables.items()}
        files.update(others or {})
        self.publish(files, marker, **extra)

    @contextlib.contextmanager
    def guarded(self) -> Iterator[ResultFolder]:
        """Inside: Ctrl-C and SIGTERM stop cleanly; the folder records how the session ended
        and is unlocked at the end, whatever happens (:func:`sim.files.folder.guarded`)."""
        with guarded([self]):
            yield self

    def advice(self) -> str:
        """What running the same command again does, truthfully."""
        if self.parts():
            return "run the same command again to continue: finished work is kept"
        return "run the same command again to start over"


def _names(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str) and "/" not in v] if isinstance(
        value, list) else []


def _short(value: Any) -> str:
    text = str(value)
    return text[:12] if len(text) == 64 else text
