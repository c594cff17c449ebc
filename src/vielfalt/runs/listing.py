"""The runs of an edition: run ids, which runs exist and in what state, the newest complete one.

A run directory is ``<runs_root>/<edition>/<run-id>/`` when complete and ``.<run-id>.partial/`` while it runs
or after it failed or was killed (:mod:`vielfalt.runs.partial`). :func:`list_runs` tells them apart by name,
manifest and (for ``.partial`` ones) whether the runner process is still alive; :func:`latest_run` and
:func:`latest_run_with` pick the newest complete one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import secrets
import socket
from pathlib import Path
from typing import Literal

from vielfalt.exceptions import DataError
from vielfalt.runs.manifest import RunManifest, load_manifest

__all__ = [
    "RunInfo",
    "RunStatus",
    "completed_stages",
    "latest_run",
    "latest_run_with",
    "list_runs",
    "new_run_id",
]

_PARTIAL_RE = re.compile(r"^\.(?P<run_id>[A-Za-z0-9][A-Za-z0-9_.\-]*)\.partial$")

#: The state of a run directory (see :class:`RunInfo`).
RunStatus = Literal["complete", "failed", "incomplete", "running", "invalid"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunInfo:
    """One run directory of an edition and what state it is in.

    Attributes
    ----------
    run_id : str
        The run id.
    path : Path
        The directory (``<run_id>`` or ``.<run_id>.partial``).
    status : {"complete", "failed", "incomplete", "running", "invalid"}
        ``complete``: renamed, manifest complete. ``failed``: a stage failed or the run was interrupted.
        ``incomplete``: killed (``.partial`` whose manifest still says running, runner gone, or no manifest).
        ``running``: ``.partial`` whose runner process is still alive on this host. ``invalid``: a final
        directory without a complete manifest (edited by hand).
    manifest : RunManifest or None
        The manifest when readable.
    """

    run_id: str
    path: Path
    status: RunStatus
    manifest: RunManifest | None

    @property
    def started_at(self) -> str | None:
        """Start time (UTC ISO) from the manifest, or None."""
        return self.manifest.started_at if self.manifest else None


def new_run_id() -> str:
    """Return a new run id: UTC time to the second and a random suffix, e.g. ``20261122T184512Z-3f2a``.

    Returns
    -------
    str
        Sorts in start order (to the second); the suffix keeps runs started in the same second apart.
    """
    return f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def _runner_alive(manifest: RunManifest) -> bool:
    """Return True when the manifest's runner process still exists on this host."""
    if manifest.runner_pid is None or manifest.runner_host != socket.gethostname():
        return False
    try:
        os.kill(manifest.runner_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_manifest(path: Path) -> RunManifest | None:
    """Return the manifest of a run directory, or None when missing or unreadable."""
    try:
        return load_manifest(path)
    except DataError:
        return None


def list_runs(runs_root: str | os.PathLike[str], edition: str) -> list[RunInfo]:
    """List every run directory of an edition with its state.

    Parameters
    ----------
    runs_root : str or path-like
        The runs directory.
    edition : str
        Edition id.

    Returns
    -------
    list of RunInfo
        Sorted by run id (that is, by start time for generated ids).
    """
    edition_dir = Path(runs_root) / edition
    if not edition_dir.is_dir():
        return []
    runs: list[RunInfo] = []
    for path in edition_dir.iterdir():
        if not path.is_dir():
            continue
        partial = _PARTIAL_RE.match(path.name)
        if path.name.startswith(".") and not partial:
            continue  # not ours (e.g. .ipynb_checkpoints)
        manifest = _read_manifest(path)
        status: RunStatus
        if partial:
            run_id = partial["run_id"]
            if manifest is None:
                status = "incomplete"
            elif manifest.status == "failed":
                status = "failed"
            else:
                status = "running" if _runner_alive(manifest) else "incomplete"
        else:
            run_id = path.name
            ok = manifest is not None and manifest.status == "complete" and manifest.run_id == run_id
            status = "complete" if ok else "invalid"
        runs.append(RunInfo(run_id=run_id, path=path, status=status, manifest=manifest))
    return sorted(runs, key=lambda r: (r.run_id, r.path.name))


def _newest(runs: list[RunInfo]) -> Path | None:
    """The path of the run with the latest start time, or None."""
    if not runs:
        return None
    return max(runs, key=lambda r: (r.started_at or "", r.run_id)).path


def latest_run(runs_root: str | os.PathLike[str], edition: str) -> Path | None:
    """Return the newest complete run of an edition, ignoring failed, killed and running ones.

    Parameters
    ----------
    runs_root : str or path-like
        The runs directory.
    edition : str
        Edition id.

    Returns
    -------
    Path or None
        The run directory with the latest start time, or None when there is no complete run.
    """
    return _newest([r for r in list_runs(runs_root, edition) if r.status == "complete"])


def completed_stages(manifest: RunManifest) -> list[str]:
    """Return the stages whose artefacts a run holds: its own completed ones and those of its base run.

    Parameters
    ----------
    manifest : RunManifest
        The run's manifest.

    Returns
    -------
    list of str
        The run's completed stages, then its base run's.
    """
    done = list(manifest.stages_completed)
    if manifest.base_run is not None:
        done += manifest.base_run.stages_completed
    return done


def latest_run_with(runs_root: str | os.PathLike[str], edition: str, stage: str) -> Path | None:
    """Return the newest complete run of an edition that holds the artefacts of ``stage``.

    Parameters
    ----------
    runs_root : str or path-like
        The runs directory.
    edition : str
        Edition id.
    stage : str
        The stage whose artefacts are needed (run in the run itself or in its base run).

    Returns
    -------
    Path or None
        The run directory with the latest start time, or None when no complete run holds the stage.
    """
    return _newest(
        [
            r
            for r in list_runs(runs_root, edition)
            if r.status == "complete" and r.manifest is not None and stage in completed_stages(r.manifest)
        ]
    )
