"""A run while it is not complete: the ``.partial`` directory, its manifest, failures and signals.

Everything a run does happens in ``<runs_root>/<edition>/.<run-id>.partial/``. :class:`PartialRun` holds its
manifest and rewrites it after every change, so a run killed at any moment is listed as incomplete; a failed
stage is recorded with its summaries (:mod:`vielfalt.runs.failures`) and the run marked failed. SIGTERM is
turned into :class:`RunTerminated` while a run executes, so that it too is marked failed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vielfalt.runs.artefacts import fsync_dir
from vielfalt.runs.failures import EarlyExit, failing_cell, summaries
from vielfalt.runs.manifest import RunManifest, StageFailure, StageRecord, utc_now, write_manifest
from vielfalt.runs.notebooks import PreparedStage, display_path
from vielfalt.runs.reports import export_html

__all__ = ["PartialRun", "RunTerminated", "fsync_tree", "sigterm_as_interrupt"]


class RunTerminated(KeyboardInterrupt):
    """Raised inside :func:`~vielfalt.runs.runner.run_stages` on SIGTERM, so the run is marked failed."""


class PartialRun:
    """The mutable state of one run: its directory and its (frozen) manifest, rewritten on every change.

    Parameters
    ----------
    run_dir : Path
        The ``.partial`` run directory (it exists).
    manifest : RunManifest
        The first manifest (status ``"running"``); written at once.
    """

    def __init__(self, run_dir: Path, manifest: RunManifest) -> None:
        self.run_dir = run_dir
        self.manifest = manifest
        self.current: PreparedStage | None = None  # the stage executing now (recorded when interrupted)
        write_manifest(manifest, run_dir)

    def update(self, **changes: Any) -> None:
        """Replace manifest fields and write the manifest."""
        self.manifest = self.manifest.model_copy(update=changes)
        write_manifest(self.manifest, self.run_dir)

    def update_stage(self, name: str, **changes: Any) -> StageRecord:
        """Replace fields of one stage record and write the manifest; returns the new record."""
        record = self.manifest.stages[name].model_copy(update=changes)
        self.update(stages={**self.manifest.stages, name: record})
        return record

    def fail(self, prepared: PreparedStage, err: BaseException, *, project_root: Path) -> StageFailure:
        """Record a failed stage and a failed run; returns the failure.

        Parameters
        ----------
        prepared : PreparedStage
            The stage that failed.
        err : BaseException
            What it raised (an error in the notebook, a timeout, an early exit, an interrupt).
        project_root : Path
            The project, for showing the notebook's path.

        Returns
        -------
        StageFailure
            Where and why, with the summaries in German and English.
        """
        from nbclient.exceptions import CellTimeoutError
        from papermill.exceptions import PapermillExecutionError

        output_nb = self.run_dir / f"{prepared.stem}.ipynb"
        cell_index, source_cell, exec_count = failing_cell(output_nb)
        if isinstance(err, PapermillExecutionError):
            ename, evalue = err.ename, err.evalue
            cell_index, exec_count = err.cell_index, err.exec_count
        elif isinstance(err, EarlyExit):
            ename, evalue = "SystemExit", str(err)
        elif isinstance(err, CellTimeoutError):
            # nbclient appends a preview of the cell's code; the first sentence says what happened
            ename, evalue = type(err).__name__, re.split(r"\s+The message was", str(err), maxsplit=1)[0]
        else:
            ename, evalue = type(err).__name__, str(err)
        texts = summaries(
            stage=prepared.spec.name,
            source=display_path(prepared.source, project_root),
            source_cell=source_cell,
            ename=ename,
            evalue=evalue,
            output_nb=output_nb,
            run_dir=self.run_dir,
            interrupted=not isinstance(err, Exception),
            err=err,
        )
        failure = StageFailure(
            stage=prepared.spec.name,
            cell_index=cell_index,
            source_cell=source_cell,
            exec_count=exec_count,
            ename=ename,
            evalue=evalue,
            summary_de=texts["de"],
            summary_en=texts["en"],
        )
        html = self.run_dir / f"{prepared.stem}.html"
        with contextlib.suppress(Exception):  # the report of a failed stage is a courtesy
            if output_nb.is_file():
                export_html(output_nb, html, title=prepared.spec.name)
        record = self.manifest.stages[prepared.spec.name]
        ended = utc_now()
        stage = record.model_copy(
            update={
                "status": "failed",
                "ended_at": ended,
                "duration_s": _duration(record.started_at, ended),
                "failure": failure,
                "output_html": html.name if html.is_file() else None,
            }
        )
        # one write; on a full disk it may fail, and the .partial name still says "not complete"
        with contextlib.suppress(OSError):
            self.update(
                stages={**self.manifest.stages, prepared.spec.name: stage},
                status="failed",
                failure=failure,
                ended_at=ended,
            )
        return failure


def _duration(start: str | None, end: str) -> float | None:
    """Seconds between two :func:`~vielfalt.runs.manifest.utc_now` stamps."""
    if start is None:
        return None
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
    delta = dt.datetime.strptime(end, fmt) - dt.datetime.strptime(start, fmt)
    return round(delta.total_seconds(), 3)


def fsync_tree(root: Path) -> None:
    """Flush every file and directory below ``root`` so that the final rename publishes durable contents.

    Parameters
    ----------
    root : Path
        The run directory.
    """
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        elif path.is_dir():
            fsync_dir(path)
    fsync_dir(root)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`RunTerminated` while a run executes, so that it is marked failed.

    Only in the main thread (Python delivers signals there); elsewhere the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        # A second SIGTERM while the failure is being recorded kills the process: the .partial name
        # already guarantees the run cannot look complete.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        msg = "SIGTERM"
        raise RunTerminated(msg)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
