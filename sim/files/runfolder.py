"""Run folders: what a run writes, written so that nothing finished is lost.

Layout of a run of one scenario::

    scenario.yaml       the fully resolved scenario
    manifest.json       versions, seed, command, times, scenario hash, status, sessions
    run.log             one line per event: start, resume, each replication saved, end
    parts/              one file per finished replication (written as it finishes)
    replications.csv    one row per replication and group       (written when complete)
    summary.csv         one row per group and metric, with CIs  (written when complete)
    issues.parquet      per-issue records, with --records        (written when complete)
    results.xlsx        the tables as wide sheets, where sim.report is loaded (when complete)

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
- One process at a time (:mod:`sim.files.folder`), and ``summary.csv`` is written after
  everything else, so it never stands in an unfinished folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import RunFolderError
from sim.files.atomic import atomic_write, csv_writer, write_text
from sim.files.folder import MANIFEST, Folder, now_text, unfinished_folder, versions
from sim.files.interrupt import deferred_signals
from sim.scenario.loading import LoadedScenario

PARTS = "parts"
SUMMARY = "summary.csv"
TABLES = (SUMMARY, "replications.csv", "issues.parquet")
# written by a completion; cleared when a folder is reopened
RESULT_KEYS = ("replications", "target_met", "half_width_achieved", "replications_needed")
STREAMS = ("numpy PCG64 per named source, from SeedSequence(seed, spawn_key=(replication, "
           "blake2b-64(source name)))")


class RunFolder(Folder):
    """The run folder of one scenario, being written or resumed."""

    loaded: LoadedScenario | None = None
    """The scenario it runs (as in its scenario.yaml)."""

    @staticmethod
    def unfinished(loaded: LoadedScenario, seed: int, records: bool) -> Path | None:
        """The newest unfinished run folder (under ``runs/``) of this scenario, seed and records
        setting, which the same command continues when no output folder is given."""
        digest = loaded.digest()
        return unfinished_folder("run", lambda m: m.get("scenario_sha256") == digest
                                 and m.get("seed") == seed
                                 and bool(m.get("records")) == records)

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
                folder._check_kind("run")
                _check_same(path / MANIFEST, manifest, digest, seed, records)
                folder._check_versions()
                kept = len(folder.finished())
                manifest.update(command=command, **(extra or {}))
                folder._start_session({"kept": kept, **(session or {})}, RESULT_KEYS)
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
                    "started": now_text(),
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
            folder.loaded = loaded
            return folder
        except BaseException:
            if lock is not None:
                os.close(lock)
            raise

    def _part(self, replication: int, kind: str, suffix: str) -> Path:
        return self.path / PARTS / f"{kind}-{replication:05d}.{suffix}"

    def finished(self, limit: int | None = None) -> dict[int, pd.DataFrame]:
        """Metrics of the replications already on disk (below ``limit``), by number."""
        out: dict[int, pd.DataFrame] = {}
        if not (self.path / PARTS).is_dir():
            return out
        for file in sorted((self.path / PARTS).glob("replication-*.csv")):
            number = file.stem.removeprefix("replication-")
            if not number.isdigit():
                continue  # not a part this toolkit wrote
            replication = int(number)
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
            (self.path / PARTS).mkdir(exist_ok=True)
            if records is not None:
                atomic_write(self._part(replication, "issues", "parquet"),
                             lambda p: records.to_parquet(p, index=False))
            atomic_write(self._part(replication, "replication", "csv"), csv_writer(metrics))
            self.session["computed"] = self.session.get("computed", 0) + 1
            self.log(f"replication {replication} saved")

    def complete(
        self, replications: pd.DataFrame, summary: pd.DataFrame, done: list[int], **extra: Any
    ) -> None:
        """Write the combined tables and mark the run complete (``summary.csv`` last)."""
        files = {"replications.csv": csv_writer(replications)}
        if self.manifest.get("records"):
            parts = [pd.read_parquet(self._part(r, "issues", "parquet")) for r in done]
            records = pd.concat(parts, ignore_index=True)
            files["issues.parquet"] = lambda p: records.to_parquet(p, index=False)
        files[SUMMARY] = csv_writer(summary)
        data = {SUMMARY: summary, "replications.csv": replications, "scenario.yaml": self.loaded}
        self.publish(files, SUMMARY, data, replications=len(done), **extra)


class StudyFolder(Folder):
    """The top folder of a comparison or a sweep: a manifest, the combined table, and one run
    folder per scenario inside it."""

    @staticmethod
    def unfinished(kind: str, members: list[dict[str, Any]], seed: int) -> Path | None:
        """The newest unfinished ``kind`` folder (under ``runs/``) of these members and seed."""
        wanted = [(m["folder"], m["scenario_sha256"]) for m in members]

        def matches(manifest: Mapping[str, Any]) -> bool:
            then = manifest.get("members")
            return manifest.get("seed") == seed and isinstance(then, list) and all(
                isinstance(m, dict) for m in then) and [
                (m.get("folder"), m.get("scenario_sha256")) for m in then] == wanted

        return unfinished_folder(kind, matches)

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
                folder._check_kind(kind)
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
                folder._check_versions()
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
                    "started": now_text(),
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
        """Write the combined table ``name`` and mark the study complete."""
        self.publish({name: csv_writer(table)}, name, {name: table}, **extra)


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
