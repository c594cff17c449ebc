"""Run folders, artefacts, the run manifest, the papermill runner, replay and progress.

``runs`` knows no stage by name: it runs the :class:`StageSpec` objects it is given (the command line builds
them from :mod:`vielfalt.stages.registry`). Modules: :mod:`~vielfalt.runs.artefacts` (files of a run
directory), :mod:`~vielfalt.runs.manifest` (``manifest.json``), :mod:`~vielfalt.runs.notebooks` (jupytext →
ipynb, parameters), :mod:`~vielfalt.runs.reports` (HTML), :mod:`~vielfalt.runs.failures` and
:mod:`~vielfalt.runs.partial` (failed and unfinished runs), :mod:`~vielfalt.runs.listing` (the runs of an
edition), :mod:`~vielfalt.runs.runner` (``run_stages``), :mod:`~vielfalt.runs.verify` (replay),
:mod:`~vielfalt.runs.progress` and :mod:`~vielfalt.runs.warm_kernel`.
"""

from vielfalt.runs.artefacts import (
    ARTEFACTS_DIR,
    MANIFEST_NAME,
    artefact_hashes,
    artefact_path,
    atomic_write_bytes,
    file_hashes,
    fsync_dir,
    parquet_bytes,
    read_artefact,
    read_json_artefact,
    sha256_bytes,
    sha256_file,
    write_artefact,
    write_json_artefact,
    write_text_artefact,
)
from vielfalt.runs.listing import (
    RunInfo,
    completed_stages,
    latest_run,
    latest_run_with,
    list_runs,
    new_run_id,
)
from vielfalt.runs.manifest import (
    BaseRunRecord,
    RunManifest,
    StageFailure,
    StageRecord,
    load_manifest,
    utc_now,
    write_manifest,
)
from vielfalt.runs.notebooks import StageSpec, to_json_parameter
from vielfalt.runs.reports import configure_notebook_display, export_html
from vielfalt.runs.runner import RunOptions, RunResult, RunTerminated, run_stages

__all__ = [
    "ARTEFACTS_DIR",
    "MANIFEST_NAME",
    "BaseRunRecord",
    "RunInfo",
    "RunManifest",
    "RunOptions",
    "RunResult",
    "RunTerminated",
    "StageFailure",
    "StageRecord",
    "StageSpec",
    "artefact_hashes",
    "artefact_path",
    "atomic_write_bytes",
    "completed_stages",
    "configure_notebook_display",
    "export_html",
    "file_hashes",
    "fsync_dir",
    "latest_run",
    "latest_run_with",
    "list_runs",
    "load_manifest",
    "new_run_id",
    "parquet_bytes",
    "read_artefact",
    "read_json_artefact",
    "run_stages",
    "sha256_bytes",
    "sha256_file",
    "to_json_parameter",
    "utc_now",
    "write_artefact",
    "write_json_artefact",
    "write_manifest",
    "write_text_artefact",
]
