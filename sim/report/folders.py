"""``gridsim report FOLDER``: the report of any finished result folder, by its kind.

A folder's manifest says its kind (run, compare, sweep, recommend, ...); :data:`REPORTS` maps
each kind to the function that writes its ``report.html``. The run, compare and sweep reports
are built in; feature packages add theirs with :func:`register` when imported (the staffing
package registers ``recommend``). :func:`write_report` checks the folder first and says what is
wrong in words a planner can act on: no such folder, not a result folder, a kind without a
report, or results not finished (:func:`sim.files.folder.is_finished`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.errors import RunFolderError
from sim.files.folder import MANIFEST, is_finished, read_manifest
from sim.report.i18n import check_language

ReportWriter = Callable[[Path, dict[str, Any], str], Path]
"""``writer(folder, manifest, lang)`` writes ``folder/report.html`` and returns its path."""

REPORTS: dict[str, ReportWriter] = {}


def register(kind: str, writer: ReportWriter) -> None:
    """Make ``writer`` the report of result folders of ``kind``."""
    REPORTS[kind] = writer


def finished_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a finished result folder, or RunFolderError saying what it is not."""
    if not folder.exists():
        raise RunFolderError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise RunFolderError(f"{folder}: not a folder; give a result folder (written by "
                             "gridsim run, compare, sweep or recommend)")
    manifest = read_manifest(folder)
    if manifest is None:
        raise RunFolderError(f"{folder}: not a result folder (no {MANIFEST}); give a folder "
                             "written by gridsim run, compare, sweep or recommend")
    kind = str(manifest.get("kind", "run"))
    if not is_finished(folder, manifest):
        raise RunFolderError(
            f"{folder}: this {kind} is not finished (status {manifest.get('status')!r}); run "
            "the same command again to finish it")
    return manifest


def write_report(folder: str | Path, lang: str | None = None) -> Path:
    """Write ``report.html`` of the finished result folder ``folder`` in ``lang`` (default the
    scenario's ``language:``) and return its path."""
    from sim.report import compare, run, sweep  # noqa: F401  (they register their kinds)

    folder = Path(folder)
    manifest = finished_manifest(folder)
    kind = str(manifest.get("kind", "run"))
    writer = REPORTS.get(kind)
    if writer is None:
        known = ", ".join(sorted(REPORTS))
        made = (f"; its report.html was written by gridsim {kind}"
                if (folder / "report.html").exists() else "")
        raise RunFolderError(f"{folder}: gridsim report makes reports of {known} folders, not "
                             f"of a {kind} folder{made}")
    return writer(folder, manifest, check_language(lang) if lang else "")


def scenario_language(scenario: Any, lang: str) -> str:
    """``lang`` if given, else the scenario's ``language:``."""
    return lang or getattr(scenario, "language", "zh")
