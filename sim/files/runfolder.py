"""Run folders: what a run writes, written so that nothing finished is lost.

Layout of a run of one scenario::

    scenario.yaml       the fully resolved scenario
    manifest.json       versions, seed, command, times, scenario hash, status, sessions
    run.log             one line per event: start, resume, each replication saved, end
    parts/              one file per finished replication (written as it finishes)
    replications.csv    one row per replication and group       (written when complete)
    summary.csv         one row per group and metric, with CIs  (written when complete)
    issues.parquet      per-issue records, with --records        (written when complete)

A comparison or a sweep writes one such folder per scenario, inside a folder of its own with a
manifest and the combined table (compare.csv, sweep.csv).

Guarantees:

- Every file is written to a temporary name, flushed to disk and renamed, so a file that exists
  is whole. A replication's part is saved the moment it finishes.
- ``status`` in the manifest is ``running`` (or ``interrupted``) until the tables are written;
  only then does it become ``complete``.
- Running the same command again resumes: parts already on disk are kept, never recomputed.
  A folder holding another scenario, seed, records setting or toolkit/numpy version is refused
  (random streams of another numpy may differ, and numbers must not be mixed).
- One process at a time: a folder in use by a running process is refused (an advisory lock
  that the operating system releases when the process dies, however it dies).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import re
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import RunFolderError
from sim.files.interrupt import deferred_signals
from sim.scenario.loading import LoadedScenario

MANIFEST = "manifest.json"
PARTS = "parts"
LOG = "run.log"
LIBRARIES = ("gridsim", "numpy", "scipy", "pandas", "simpy", "pydantic", "pyarrow", "dask",
             "distributed")
# a resumed run must produce numbers from the same model and the same random streams
MUST_MATCH = ("gridsim", "numpy")
TABLES = ("summary.csv", "replications.csv", "issues.parquet")
# written by a completion; cleared when a folder is reopened
RESULT_KEYS = ("replications", "target_met", "half_width_achieved", "replications_needed")
STREAMS = ("numpy PCG64 per named source, from SeedSequence(seed, spawn_key=(replication, "
           "blake2b-64(source name)))")


def default_folder(name: str, now: dt.datetime | None = None, kind: str = "") -> Path:
    """``runs/<date>-<time>-[<kind>-]<scenario name>``, the default output folder."""
    now = now or dt.datetime.now()
    slug = slugify(name) or "scenario"
    return Path("runs") / f"{now:%Y%m%d-%H%M%S}-{kind + '-' if kind else ''}{slug}"


def slugify(text: str, limit: int = 40) -> str:
    """Lower-case letters, digits and ``_.=+,-`` only, at most ``limit`` characters."""
    return re.sub(r"[^a-z0-9_.=+,-]+", "-", text.lower()).strip("-.")[:limit]


# ---------------------------------------------------------------- writing files


def atomic_write(path: Path, write: Any) -> None:
    """Call ``write(tmp_path)``, flush it to disk and rename onto ``path``.

    Readers never see half a file, and after a crash the file is either the old or the new one.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
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
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
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


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest of run folder ``path``, or None when there is none."""
    file = path / MANIFEST
    if not file.exists():
        return None
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"{file}: unreadable manifest ({exc})") from None


# ---------------------------------------------------------------- folders


class Folder:
    """A folder with a manifest, locked while this process writes it."""

    kind = "run"

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
        if manifest is None and path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise RunFolderError(
                f"{path}: exists and is not a run folder (no {MANIFEST}); choose another --out"
            )
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunFolderError(f"{path}: cannot create the run folder ({exc})") from None
        lock = _lock_folder(path)
        if manifest is None:
            manifest = read_manifest(path)  # another process may have created it meanwhile
        return manifest, lock

    def _check_versions(self, manifest: dict[str, Any]) -> None:
        then, now = manifest.get("versions", {}), versions()
        for name in MUST_MATCH:
            if then.get(name) != now.get(name):
                raise RunFolderError(
                    f"{self.path / MANIFEST}: this folder was run with {name} {then.get(name)}, "
                    f"this is {name} {now.get(name)}; its numbers could differ, so it is not "
                    "resumed. Use another --out, or delete the folder."
                )

    def _start_session(self, info: dict[str, Any]) -> None:
        for key in RESULT_KEYS:  # what the last completion said no longer holds
            self.manifest.pop(key, None)
        session = {"pid": os.getpid(), "started": _now(), **info}
        self.manifest.setdefault("sessions", []).append(session)
        self.manifest["status"] = "running"
        self.manifest["finished"] = None
        self.write_manifest()

    def _drop(self, names: Sequence[str]) -> None:
        """Remove result tables of an earlier completion: a folder that is not complete has
        none, so no table can be taken for the result of the run under way."""
        for name in names:
            (self.path / name).unlink(missing_ok=True)

    @property
    def session(self) -> dict[str, Any]:
        return self.manifest["sessions"][-1]

    def write_manifest(self) -> None:
        write_text(self.path / MANIFEST, json.dumps(self.manifest, indent=2, default=str) + "\n")

    def log(self, message: str) -> None:
        """Append one line to run.log (flushed at once; a killed run may cut the last line)."""
        with open(self.path / LOG, "a", encoding="utf-8") as f:
            f.write(f"{_now()} pid {os.getpid()}: {message}\n")

    def interrupted(self, reason: str) -> None:
        """Record that this session stopped before the end (the folder stays resumable)."""
        self.session.update(ended=_now(), outcome=f"interrupted ({reason})")
        self.manifest["status"] = "interrupted"
        self.write_manifest()
        self.log(f"interrupted ({reason}); run the same command again to resume")

    def finish(self, **extra: Any) -> None:
        """Mark the folder complete (call after its tables are written)."""
        self.session.update(ended=_now(), outcome="complete")
        self.manifest.update(status="complete", finished=_now(), **extra)
        self.write_manifest()
        self.log("complete")

    def close(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            os.close(lock)

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RunFolder(Folder):
    """The run folder of one scenario, being written or resumed."""

    @classmethod
    def open(
        cls,
        path: Path,
        loaded: LoadedScenario,
        seed: int,
        records: bool,
        command: str,
        extra: dict[str, Any] | None = None,
        session: dict[str, Any] | None = None,
    ) -> RunFolder:
        """Create ``path``, or reopen it to resume when it holds the same scenario and seed.

        ``extra`` goes into the manifest (updated on resume: the request may change);
        ``session`` describes this session (executor, workers) in the manifest's sessions.
        """
        path = Path(path)
        digest = loaded.digest()
        manifest, lock = cls._prepare(path)
        try:
            if manifest is not None:
                folder = cls(path, manifest, lock)
                _check_same(path / MANIFEST, manifest, digest, seed, records)
                folder._check_versions(manifest)
                kept = len(folder.finished())
                manifest.update(command=command, **(extra or {}))
                folder._start_session({"kept": kept, **(session or {})})
                folder._drop(TABLES)  # rebuilt from the parts when this session completes
                folder.log(f"resumed by: {command} ({kept} replications already finished)")
            else:
                manifest = {
                    "kind": "run",
                    "scenario": loaded.name,
                    "scenario_file": loaded.source,
                    "scenario_sha256": digest,
                    "seed": seed,
                    "streams": STREAMS,
                    "records": records,
                    "command": command,
                    "started": _now(),
                    "finished": None,
                    "status": "running",
                    "versions": versions(),
                    **(extra or {}),
                }
                folder = cls(path, manifest, lock)
                folder._start_session({"kept": 0, **(session or {})})
                (path / PARTS).mkdir(exist_ok=True)
                write_text(path / "scenario.yaml", loaded.to_yaml())
                folder.log(f"started by: {command}")
            folder._clean_temporaries()
            return folder
        except BaseException:
            if lock is not None:
                os.close(lock)
            raise

    def _clean_temporaries(self) -> None:
        """Remove temporary files left by a process that was killed while writing."""
        for folder in (self.path, self.path / PARTS):
            for tmp in folder.glob(".*.tmp-*"):
                tmp.unlink(missing_ok=True)

    def _part(self, replication: int, kind: str, suffix: str) -> Path:
        return self.path / PARTS / f"{kind}-{replication:05d}.{suffix}"

    def finished(self, limit: int | None = None) -> dict[int, pd.DataFrame]:
        """Metrics of the replications already on disk (below ``limit``), by number."""
        out: dict[int, pd.DataFrame] = {}
        if not (self.path / PARTS).is_dir():
            return out
        for file in sorted((self.path / PARTS).glob("replication-*.csv")):
            replication = int(file.stem.split("-")[1])
            if limit is not None and replication >= limit:
                continue
            if self.manifest.get("records") and not self._part(replication, "issues",
                                                                "parquet").exists():
                continue
            part = self._read_part(file, replication)
            if part is not None:
                out[replication] = part
        return out

    def _read_part(self, file: Path, replication: int) -> pd.DataFrame | None:
        """A part as a table, or None (and the file set aside) when it cannot be one.

        Parts are written atomically and flushed, so this takes a damaged disk or a hand edit;
        the replication is then simply computed again.
        """
        try:
            part = pd.read_csv(file, keep_default_na=False, na_values=[""])
            if part.empty or (part["replication"] != replication).any():
                raise ValueError("not this replication's numbers")
        except (OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
            aside = file.with_name(f".{file.name}.unreadable")
            os.replace(file, aside)
            self.log(f"replication {replication}: part unreadable ({exc}); moved to "
                     f"{aside.name}, will compute it again")
            return None
        return part

    def save_replication(
        self, replication: int, metrics: pd.DataFrame, records: pd.DataFrame | None
    ) -> None:
        """Write one finished replication (its records first, so a metrics part implies both).

        Ctrl-C and SIGTERM wait until the part, its count and its log line are all written.
        """
        with deferred_signals():
            if records is not None:
                atomic_write(self._part(replication, "issues", "parquet"),
                             lambda p: records.to_parquet(p, index=False))
            atomic_write(self._part(replication, "replication", "csv"),
                         lambda p: metrics.to_csv(p, index=False))
            self.session["computed"] = self.session.get("computed", 0) + 1
            self.log(f"replication {replication} saved")

    def complete(
        self, replications: pd.DataFrame, summary: pd.DataFrame, done: list[int], **extra: Any
    ) -> None:
        """Write the combined tables and mark the run complete."""
        atomic_write(self.path / "replications.csv",
                     lambda p: replications.to_csv(p, index=False))
        atomic_write(self.path / "summary.csv", lambda p: summary.to_csv(p, index=False))
        if self.manifest.get("records"):
            parts = [pd.read_parquet(self._part(r, "issues", "parquet")) for r in done]
            records = pd.concat(parts, ignore_index=True)
            atomic_write(self.path / "issues.parquet",
                         lambda p: records.to_parquet(p, index=False))
        self.finish(replications=len(done), **extra)


class StudyFolder(Folder):
    """The top folder of a comparison or a sweep: a manifest, the combined table, and one run
    folder per scenario inside it."""

    @classmethod
    def open(
        cls, path: Path, kind: str, members: list[dict[str, Any]], seed: int, command: str,
        extra: dict[str, Any] | None = None, session: dict[str, Any] | None = None,
    ) -> StudyFolder:
        """Create or reopen ``path`` for a ``kind`` ('compare', 'sweep') of ``members``.

        Each member is a mapping with at least ``folder`` and ``scenario_sha256``.
        """
        path = Path(path)
        manifest, lock = cls._prepare(path)
        try:
            if manifest is not None:
                folder = cls(path, manifest, lock)
                where = path / MANIFEST
                if manifest.get("kind") != kind:
                    raise RunFolderError(
                        f"{where}: this folder holds a {manifest.get('kind', 'run')}, not a "
                        f"{kind}; use another --out"
                    )
                then = [(m.get("folder"), m.get("scenario_sha256"))
                        for m in manifest.get("members", [])]
                now = [(m["folder"], m["scenario_sha256"]) for m in members]
                if then != now:
                    raise RunFolderError(
                        f"{where}: this folder holds a {kind} of other scenarios (or settings); "
                        "refusing to resume into it. Use another --out, or delete the folder."
                    )
                if manifest.get("seed") != seed:
                    raise RunFolderError(
                        f"{where}: this folder holds a {kind} with seed {manifest.get('seed')}, "
                        f"not {seed}; refusing to resume into it"
                    )
                folder._check_versions(manifest)
                manifest.update(command=command, **(extra or {}))
                folder._start_session(session or {})
                folder._drop([f"{kind}.csv"])
                folder.log(f"resumed by: {command}")
            else:
                manifest = {
                    "kind": kind,
                    "seed": seed,
                    "streams": STREAMS,
                    "command": command,
                    "started": _now(),
                    "finished": None,
                    "status": "running",
                    "versions": versions(),
                    "members": members,
                    **(extra or {}),
                }
                folder = cls(path, manifest, lock)
                folder._start_session(session or {})
                folder.log(f"started by: {command}")
            return folder
        except BaseException:
            if lock is not None:
                os.close(lock)
            raise

    def complete(self, name: str, table: pd.DataFrame, **extra: Any) -> None:
        atomic_write(self.path / name, lambda p: table.to_csv(p, index=False))
        self.finish(**extra)


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
            owner = f" (pid {read_manifest(path)['sessions'][-1]['pid']})"
        raise RunFolderError(
            f"{path}: another gridsim process{owner} is writing this folder; wait for it to "
            "end or stop it first"
        ) from None
    return fd


def _check_same(
    where: Path, manifest: dict[str, Any], digest: str, seed: int, records: bool
) -> None:
    if manifest.get("kind", "run") != "run":
        raise RunFolderError(
            f"{where}: this folder holds a {manifest.get('kind')}, not a run; use another --out"
        )
    if manifest.get("scenario_sha256") != digest:
        raise RunFolderError(
            f"{where}: this folder holds a run of a different scenario (hash "
            f"{str(manifest.get('scenario_sha256'))[:12]}, now {digest[:12]}); refusing to resume "
            "into it. Use another --out, or delete the folder."
        )
    if manifest.get("seed") != seed:
        raise RunFolderError(
            f"{where}: this folder holds a run with seed {manifest.get('seed')}, not {seed}; "
            "refusing to resume into it"
        )
    if bool(manifest.get("records")) != records:
        raise RunFolderError(
            f"{where}: this folder was run {'with' if manifest.get('records') else 'without'} "
            "--records; resume it the same way"
        )
