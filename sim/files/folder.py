"""The part every result folder shares: a manifest, a lock, sessions, and results published last.

A folder belongs to one command (its ``kind``: run, compare, sweep, recommend, ...) and one
*identity*: what must be equal for a second run of the command to continue it (scenario
digest, seed, options). It is finished when its manifest says ``complete`` **and** its marker
file (e.g. ``summary.csv``) exists: :meth:`Folder.publish` writes every other result file
first, then the manifest, then the marker, so a marker never stands in an unfinished folder,
however the process dies.

One process at a time: a folder in use by a running process is refused (an advisory lock
that the operating system releases when the process dies, however it dies). A folder made by
other model sources (:func:`sources_digest`) or another numpy is not continued: its numbers
could differ.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.errors import RunFolderError
from sim.files.atomic import Writer, atomic_write, write_text
from sim.files.interrupt import deferred_signals, interruptible

MANIFEST = "manifest.json"
LOG = "run.log"
LIBRARIES = ("gridsim", "numpy", "scipy", "pandas", "simpy", "pydantic", "pyarrow", "dask",
             "distributed")
SOURCES = "sim_sources_sha256"
# a continued run must produce numbers from the same model and the same random streams
MUST_MATCH = ("gridsim", SOURCES, "numpy")
COMPLETE = "complete"

Companion = Callable[[Path, Mapping[str, Any], Mapping[str, Any]], Mapping[str, Writer]]
"""``companion(folder, manifest, data)``: more files a kind of folder publishes with its own
(``results.xlsx``), made from the finished ``manifest`` and the ``data`` in memory (file name
-> its table, or the scenario). Higher layers register them (:func:`register_companion`): a
run folder is written by :mod:`sim.experiment`, its workbook by :mod:`sim.report`."""

COMPANIONS: dict[str, Companion] = {}


def register_companion(kind: str, make: Companion) -> None:
    """Publish the files ``make`` returns with every folder of ``kind``."""
    COMPANIONS[kind] = make


RUNS = Path("runs")
"""Where result folders go when no output folder is given."""


def default_folder(name: str, now: dt.datetime | None = None, kind: str = "") -> Path:
    """``runs/<date>-<time>-[<kind>-]<scenario name>``, the default output folder."""
    now = now or dt.datetime.now()
    slug = slugify(name) or "scenario"
    return RUNS / f"{now:%Y%m%d-%H%M%S}-{kind + '-' if kind else ''}{slug}"


def unfinished_folder(kind: str, matches: Callable[[Mapping[str, Any]], bool],
                      root: Path = RUNS) -> Path | None:
    """The newest folder under ``root`` holding an unfinished ``kind`` of results that
    ``matches`` and that this toolkit can continue (same sources and numpy; not being written
    by another process): where the same command, run again without an output folder, goes on.
    """
    found = []
    for file in root.glob(f"*/{MANIFEST}") if root.is_dir() else ():
        try:
            manifest = read_manifest(file.parent)
        except RunFolderError:
            continue
        if (manifest is None or manifest.get("kind", "run") != kind
                or is_finished(file.parent, manifest) or not _same_versions(manifest)
                or not matches(manifest) or _locked(file.parent)):
            continue
        found.append(file.parent)
    return max(found, key=lambda p: p.name, default=None)


def _same_versions(manifest: Mapping[str, Any]) -> bool:
    then = manifest.get("versions")
    now = versions()
    return isinstance(then, dict) and all(then.get(k) == now.get(k) for k in MUST_MATCH)


def slugify(text: str, limit: int = 40) -> str:
    """A folder name from ``text``: letters and digits of any script (lower-case; Chinese kept:
    ``澄城县-基线``) and ``_.=+-``, every other run of characters (spaces, commas, slashes,
    quotes, colons) one ``-``; at most ``limit`` characters. NFKC-normalised, so full-width
    forms and composed/decomposed accents give one name on every system."""
    text = unicodedata.normalize("NFKC", text).lower()
    slug = "".join(c if c.isalnum() or c in "_.=+-" else " " for c in text)
    return re.sub(r"\s+", "-", slug.strip()).strip("-.")[:limit].strip("-.")


@cache
def sources_digest() -> str:
    """SHA-256 of the toolkit's own source files (``sim/**/*.py``, by relative path)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for file in sorted(root.rglob("*.py")):
        digest.update(file.relative_to(root).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def versions() -> dict[str, str]:
    """Python, the toolkit's sources and the libraries that shape the numbers."""
    out = {"python": platform.python_version(), SOURCES: sources_digest()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def command_line() -> str:
    """The command as typed (for the manifest); ``python -m sim ...`` for the module."""
    program = Path(sys.argv[0])
    name = "python -m sim" if program.name == "__main__.py" and program.parent.name == "sim" \
        else program.name
    return " ".join([name, *sys.argv[1:]])


def now_text() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of result folder ``path``, or None when there is none."""
    file = path / MANIFEST
    if not file.exists():
        return None
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"{file}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise RunFolderError(f"{file}: not a manifest (a JSON object was expected)")
    return manifest


def is_finished(path: Path, manifest: Mapping[str, Any]) -> bool:
    """Whether the folder at ``path`` holds finished results: status complete, marker there."""
    marker = manifest.get("marker")
    return manifest.get("status") == COMPLETE and isinstance(marker, str) and (
        path / marker).exists()


class Folder:
    """A result folder with a manifest, locked while this process writes it."""

    def __init__(self, path: Path, manifest: dict[str, Any], lock: int | None):
        self.path = path
        self.manifest = manifest
        self._lock = lock

    @staticmethod
    def _prepare(path: Path) -> tuple[dict[str, Any] | None, int | None]:
        """Create or reopen ``path``; return its manifest (None if new) and the held lock.

        A new folder gets its manifest before anything else, so a folder without one that is
        not empty is not ours.
        """
        manifest = read_manifest(path)
        if manifest is None and path.exists() and (not path.is_dir() or _holds_files(path)):
            raise RunFolderError(
                f"{path}: exists and is not a result folder (no {MANIFEST}); choose another "
                "output folder"
            )
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunFolderError(f"{path}: cannot create the folder ({exc.strerror or exc})"
                                 ) from None
        if not os.access(path, os.W_OK):
            raise RunFolderError(f"{path}: the folder is not writable; choose another output "
                                 "folder")
        lock = _lock_folder(path)
        if manifest is None:
            manifest = read_manifest(path)  # another process may have created it meanwhile
        return manifest, lock

    def _check_kind(self, kind: str) -> None:
        then = self.manifest.get("kind", "run")
        if then != kind:
            raise RunFolderError(
                f"{self.path / MANIFEST}: this folder holds a {then}, not a {kind}; choose "
                "another output folder"
            )

    def _check_versions(self) -> None:
        then = self.manifest.get("versions")
        then = then if isinstance(then, dict) else {}
        now = versions()
        for name in MUST_MATCH:
            if then.get(name) != now.get(name):
                made = (f"other toolkit sources (sha256 {str(then.get(name))[:12]}, these are "
                        f"{str(now.get(name))[:12]})" if name == SOURCES else
                        f"{name} {then.get(name)}, this is {name} {now.get(name)}")
                raise RunFolderError(
                    f"{self.path / MANIFEST}: this folder was made with {made}; its numbers "
                    "could differ, so it is not continued. Choose another output folder, or "
                    "delete this one."
                )

    def _start_session(self, info: Mapping[str, Any], clear: Sequence[str] = ()) -> None:
        for key in clear:  # what the last completion said no longer holds
            self.manifest.pop(key, None)
        session = {"pid": os.getpid(), "started": now_text(), **info}
        self.manifest.setdefault("sessions", []).append(session)
        self.manifest["status"] = "running"
        self.manifest["finished"] = None
        self.write_manifest()

    def _drop(self, names: Sequence[str]) -> None:
        """Remove result files of an earlier completion: a folder that is not complete has
        none, so no file can be taken for the result of the run under way."""
        for name in names:
            (self.path / name).unlink(missing_ok=True)

    def _clean_temporaries(self) -> None:
        """Remove temporary files left by a process that was killed while writing."""
        for tmp in self.path.rglob(".*.tmp-*"):
            tmp.unlink(missing_ok=True)

    @property
    def session(self) -> dict[str, Any]:
        session: dict[str, Any] = self.manifest["sessions"][-1]
        return session

    def write_manifest(self) -> None:
        write_text(self.path / MANIFEST, json.dumps(self.manifest, indent=2, default=str) + "\n")

    def log(self, message: str) -> None:
        """Append one line to run.log (flushed at once; a killed run may cut the last line)."""
        with open(self.path / LOG, "a", encoding="utf-8") as f:
            f.write(f"{now_text()} pid {os.getpid()}: {message}\n")

    def advice(self) -> str:
        """What running the same command again does, truthfully."""
        return "run the same command again to resume: finished replications are kept"

    def interrupted(self, reason: str) -> None:
        """Record that this session stopped before the end (it can be continued)."""
        self._end("interrupted", reason, self.advice())

    def failed(self, reason: str) -> None:
        """Record that this session failed (bad input found late, a full disk, ...)."""
        self._end("failed", reason)

    def _end(self, status: str, reason: str, advice: str = "") -> None:
        self.session.update(ended=now_text(), outcome=f"{status} ({reason})")
        self.manifest["status"] = status
        with contextlib.suppress(OSError, RunFolderError):  # e.g. the disk is still full
            self.write_manifest()
            self.log(f"{status} ({reason})" + (f"; {advice}" if advice else ""))

    def publish(self, files: Mapping[str, Writer], marker: str,
                data: Mapping[str, Any] | None = None, **extra: Any) -> None:
        """Write the result ``files`` (name -> writer) and those of the kind's companion (made
        from ``data``), mark the folder complete, and write the ``marker`` file (one of
        ``files``) last; signals wait until all is written."""
        finished = {**self.manifest, "status": COMPLETE, "finished": now_text(),
                    "marker": marker, **extra}
        make = COMPANIONS.get(str(self.manifest.get("kind", "")))
        if make is not None:
            files = {**make(self.path, finished, data or {}), **files}
        with deferred_signals():
            written = []
            try:
                for name, write in files.items():
                    if name != marker:
                        atomic_write(self.path / name, write)
                        written.append(name)
                write_text(self.path / MANIFEST, json.dumps(finished, indent=2, default=str)
                           + "\n")
            except BaseException:
                self._drop(written)  # no result stands without the manifest saying so
                raise
            self.manifest.clear()
            self.manifest.update(finished)
            self.session.update(ended=now_text(), outcome=COMPLETE)
            atomic_write(self.path / marker, files[marker])
            self.write_manifest()
            self.log(COMPLETE)

    def close(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            os.close(lock)

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def guarded(folders: Sequence[Folder | None],
            interrupting: tuple[type[BaseException], ...] = (KeyboardInterrupt,),
            keep_open: bool = False) -> Iterator[None]:
    """Inside: Ctrl-C and SIGTERM stop cleanly (:mod:`sim.files.interrupt`). Each folder
    records how its session ended — ``interrupted`` (by one of ``interrupting``: it can be
    continued) or ``failed`` — and is unlocked at the end, whatever happens (with
    ``keep_open``: only when it ends by an exception)."""
    live = [f for f in folders if f is not None]
    ended = True
    try:
        with interruptible():
            yield
        ended = not keep_open
    except interrupting as exc:
        unfinished = [f for f in live if not is_finished(f.path, f.manifest)]
        for folder in unfinished:
            folder.interrupted(getattr(exc, "reason", None) or str(exc) or "SIGINT")
        if unfinished:  # what the command line prints
            exc.advice = unfinished[0].advice()  # type: ignore[attr-defined]
        raise
    except BaseException as exc:
        for folder in live:
            if not is_finished(folder.path, folder.manifest):
                folder.failed(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        raise
    finally:
        for folder in live if ended else ():
            folder.close()


def _holds_files(path: Path) -> bool:
    """Whether ``path`` holds anything but temporaries left by a killed writer."""
    return any(not (p.name.startswith(".") and ".tmp-" in p.name) for p in path.iterdir())


def _locked(path: Path) -> bool:
    """Whether another process holds ``path``'s lock now."""
    try:
        fd = _lock_folder(path)
    except RunFolderError:
        return True
    if fd is not None:
        os.close(fd)
    return False


def _lock_folder(path: Path) -> int | None:
    """Hold an exclusive advisory lock on ``path`` (a directory) until closed (or death)."""
    try:
        import fcntl

        fd = os.open(path, os.O_RDONLY)
    except (ImportError, OSError):  # pragma: no cover - Windows: no directory locks
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        owner = ""
        with contextlib.suppress(RunFolderError, AttributeError, KeyError, IndexError,
                                 TypeError):
            owner = f" (pid {read_manifest(path)['sessions'][-1]['pid']})"  # type: ignore[index]
        raise RunFolderError(
            f"{path}: another gridsim process{owner} is writing this folder; wait for it to "
            "end or stop it first"
        ) from None
    return fd
