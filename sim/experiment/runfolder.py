"""Run folders: what a run writes, written so that nothing finished is lost.

Layout::

    scenario.yaml       the fully resolved scenario
    manifest.json       versions, seed, command, times, scenario hash, status
    parts/              one file per finished replication (written as it finishes)
    replications.csv    one row per replication and group       (written when complete)
    summary.csv         one row per group and metric, with CIs  (written when complete)
    issues.parquet      per-issue records, with --records        (written when complete)

Every file is written to a temporary name and renamed, so a file that exists is whole. A folder
whose manifest says ``running`` is unfinished; running the same command again resumes it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import RunFolderError
from sim.scenario.loading import LoadedScenario

MANIFEST = "manifest.json"
PARTS = "parts"
LIBRARIES = ("gridsim", "numpy", "scipy", "pandas", "simpy", "pydantic", "pyarrow")


def default_folder(name: str, now: dt.datetime | None = None) -> Path:
    """``runs/<date>-<time>-<scenario name>``, the default output folder."""
    now = now or dt.datetime.now()
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "scenario"
    return Path("runs") / f"{now:%Y%m%d-%H%M%S}-{slug}"


def atomic_write(path: Path, write: Any) -> None:
    """Call ``write(tmp_path)`` then rename onto ``path``: readers never see half a file."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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


class RunFolder:
    """A run folder being written (or resumed)."""

    def __init__(self, path: Path, manifest: dict[str, Any]):
        self.path = path
        self.manifest = manifest

    @classmethod
    def open(
        cls,
        path: Path,
        loaded: LoadedScenario,
        seed: int,
        records: bool,
        command: str,
        extra: dict[str, Any] | None = None,
    ) -> RunFolder:
        """Create ``path``, or reopen it to resume when it holds the same scenario and seed."""
        digest = loaded.digest()
        manifest_path = path / MANIFEST
        if manifest_path.exists():
            try:
                manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise RunFolderError(f"{manifest_path}: unreadable manifest ({exc})") from None
            _check_same(manifest_path, manifest, digest, seed, records)
            manifest.update(status="running", resumed=_now())
            folder = cls(path, manifest)
            folder._write_manifest()
            return folder
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise RunFolderError(
                f"{path}: exists and is not a run folder (no {MANIFEST}); choose another --out"
            )
        try:
            (path / PARTS).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunFolderError(f"{path}: cannot create the run folder ({exc})") from None
        write_text(path / "scenario.yaml", loaded.to_yaml())
        manifest = {
            "scenario": loaded.name,
            "scenario_file": loaded.source,
            "scenario_sha256": digest,
            "seed": seed,
            "records": records,
            "command": command,
            "started": _now(),
            "finished": None,
            "status": "running",
            "versions": versions(),
            **(extra or {}),
        }
        folder = cls(path, manifest)
        folder._write_manifest()
        return folder

    def _write_manifest(self) -> None:
        write_text(self.path / MANIFEST, json.dumps(self.manifest, indent=2, default=str) + "\n")

    def _part(self, replication: int, kind: str, suffix: str) -> Path:
        return self.path / PARTS / f"{kind}-{replication:05d}.{suffix}"

    def finished(self) -> dict[int, pd.DataFrame]:
        """Metrics of the replications already on disk, by replication number."""
        out = {}
        for file in sorted((self.path / PARTS).glob("replication-*.csv")):
            replication = int(file.stem.split("-")[1])
            if self.manifest.get("records") and not self._part(replication, "issues",
                                                                "parquet").exists():
                continue
            out[replication] = pd.read_csv(file, keep_default_na=False, na_values=[""])
        return out

    def save_replication(
        self, replication: int, metrics: pd.DataFrame, records: pd.DataFrame | None
    ) -> None:
        """Write one finished replication (its records first, so a metrics part implies both)."""
        if records is not None:
            atomic_write(self._part(replication, "issues", "parquet"),
                         lambda p: records.to_parquet(p, index=False))
        atomic_write(self._part(replication, "replication", "csv"),
                     lambda p: metrics.to_csv(p, index=False))

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
        self.manifest.update(
            status="complete",
            finished=_now(),
            replications=len(done),
            **extra,
        )
        self._write_manifest()


def _check_same(
    where: Path, manifest: dict[str, Any], digest: str, seed: int, records: bool
) -> None:
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


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def command_line() -> str:
    """The command as typed (for the manifest)."""
    return " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
