"""The run manifest: what a run did, on what, with which packages (``<run_dir>/manifest.json``).

:class:`RunManifest` records the stages and their notebooks, the parameters injected, the seed, the inputs
and the sha256 of every input, artefact and output file, the package versions and the git commit, so that
a run can be repeated and checked (:mod:`vielfalt.runs.verify`). It is written atomically
(:func:`~vielfalt.runs.artefacts.atomic_write_bytes`), so a reader never sees half of it, even when the
process writing it is killed.

The artefact helpers of :mod:`vielfalt.runs.artefacts` are re-exported here: stage code and notebooks have
always imported ``read_artefact`` and ``write_artefact`` from this module.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vielfalt.exceptions import DataError
from vielfalt.i18n import t
from vielfalt.runs.artefacts import (
    ARTEFACTS_DIR,
    MANIFEST_NAME,
    artefact_hashes,
    artefact_path,
    atomic_write_bytes,
    file_hashes,
    fsync_dir,
    json_text,
    parquet_bytes,
    read_artefact,
    read_json_artefact,
    sha256_bytes,
    sha256_file,
    write_artefact,
    write_json_artefact,
    write_text_artefact,
)

__all__ = [
    "ARTEFACTS_DIR",
    "MANIFEST_NAME",
    "MANIFEST_SCHEMA_VERSION",
    "TRACKED_PACKAGES",
    "BaseRunRecord",
    "GitInfo",
    "RunManifest",
    "StageFailure",
    "StageRecord",
    "artefact_hashes",
    "artefact_path",
    "atomic_write_bytes",
    "file_hashes",
    "fsync_dir",
    "git_info",
    "json_text",
    "load_manifest",
    "package_versions",
    "parquet_bytes",
    "read_artefact",
    "read_json_artefact",
    "sha256_bytes",
    "sha256_file",
    "utc_now",
    "write_artefact",
    "write_json_artefact",
    "write_manifest",
    "write_text_artefact",
]

#: The version of the manifest's format, recorded in every manifest.
MANIFEST_SCHEMA_VERSION = 1

#: Distributions whose versions go into every manifest: the execution stack first (it has broken notebook
#: execution on point releases before, NOTEBOOKS.md P19), then the scientific stack.
TRACKED_PACKAGES = (
    "vielfalt",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "jupyter_client",
    "ipykernel",
    "ipywidgets",
    "jupyterlab_widgets",
    "jupytext",
    "voila",
    "plotly",
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "statsmodels",
    "krippendorff",
    "pyarrow",
    "openpyxl",
    "pydantic",
    "pyyaml",
)

# The research archive has always imported the atomic writer under its private name.
_atomic_write_bytes = atomic_write_bytes


def utc_now() -> str:
    """Return the current UTC time as ISO 8601 with microseconds and a ``Z`` suffix.

    Returns
    -------
    str
        E.g. ``"2026-11-22T18:45:12.123456Z"``; sorts as text in time order.
    """
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Model(BaseModel):
    """Frozen, strict-keyed base of the manifest models."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class StageFailure(_Model):
    """Where and why a stage failed, with a one-paragraph summary in German and English."""

    stage: str
    cell_index: int | None = None
    """Index of the failing cell in the executed notebook (0-based, as papermill reports it)."""
    source_cell: int | None = None
    """Number of the failing cell in the source notebook (1-based, counting markdown cells)."""
    exec_count: int | None = None
    ename: str
    evalue: str
    summary_de: str
    summary_en: str

    def summary(self, lang: str = "de") -> str:
        """Return the summary in ``lang`` (``"en"``: English, anything else: German)."""
        return self.summary_en if lang == "en" else self.summary_de


class StageRecord(_Model):
    """What happened to one stage of a run."""

    name: str
    notebook: str
    """Absolute path of the jupytext source notebook."""
    notebook_sha256: str
    output_notebook: str
    """Executed notebook, relative to the run directory."""
    output_html: str | None = None
    """HTML export without code, relative to the run directory."""
    parameters: dict[str, Any] = Field(default_factory=dict)
    """Exactly the values injected into the notebook (plain JSON)."""
    status: Literal["pending", "running", "complete", "failed"] = "pending"
    started_at: str | None = None
    ended_at: str | None = None
    duration_s: float | None = None
    failure: StageFailure | None = None
    kernel_prewarmed: bool | None = None
    """True when the stage ran in a kernel started (and its imports loaded) while the previous stage ran."""


class GitInfo(_Model):
    """The project's git state: commit or None outside git, and whether the tree had changes."""

    commit: str | None = None
    dirty: bool | None = None


class BaseRunRecord(_Model):
    """The complete earlier run whose artefacts a run started from."""

    run_id: str
    path: str
    stages_completed: list[str]
    artefacts: dict[str, str]


class RunManifest(_Model):
    """Everything needed to say what a run did and to repeat it (``manifest.json``).

    Hashes map POSIX paths to sha256: ``inputs`` by absolute path, ``artefacts`` relative to ``artefacts/``,
    ``files`` relative to the run directory (every file except ``manifest.json``, computed at the end).
    """

    schema_version: int = MANIFEST_SCHEMA_VERSION
    edition: str
    run_id: str
    status: Literal["running", "complete", "failed"] = "running"
    stages_requested: list[str]
    stages_completed: list[str] = Field(default_factory=list)
    stages: dict[str, StageRecord] = Field(default_factory=dict)
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Resolved parameters per stage, as injected (plain JSON)."""
    seed: int | None = None
    questionnaire_sha256: str | None = None
    inputs: dict[str, str] = Field(default_factory=dict)
    """Logical input name → absolute path."""
    input_hashes: dict[str, str] = Field(default_factory=dict)
    """Absolute path of every input file (files inside input directories too) → sha256."""
    artefacts: dict[str, str] = Field(default_factory=dict)
    files: dict[str, str] = Field(default_factory=dict)
    base_run: BaseRunRecord | None = None
    failure: StageFailure | None = None
    versions: dict[str, str | None] = Field(default_factory=dict)
    git: GitInfo = Field(default_factory=GitInfo)
    kernel_name: str | None = None
    execution_timeout: int | None = None
    project_root: str | None = None
    platform: str | None = None
    runner_pid: int | None = None
    runner_host: str | None = None
    started_at: str
    ended_at: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


def write_manifest(manifest: RunManifest, run_dir: str | os.PathLike[str]) -> Path:
    """Write ``manifest.json`` atomically (temporary file, fsync, ``os.replace``; sorted keys, indent 2).

    Parameters
    ----------
    manifest : RunManifest
        The manifest.
    run_dir : str or path-like
        The run directory.

    Returns
    -------
    Path
        The path of ``manifest.json``.
    """
    path = Path(run_dir) / MANIFEST_NAME
    atomic_write_bytes(path, json_text(manifest.model_dump(mode="json")).encode("utf-8"))
    fsync_dir(path.parent)
    return path


def load_manifest(run_dir: str | os.PathLike[str], *, lang: str = "de") -> RunManifest:
    """Read and validate a run's ``manifest.json``.

    Parameters
    ----------
    run_dir : str or path-like
        The run directory.
    lang : {"de", "en"}, default "de"
        The language of the error message.

    Returns
    -------
    RunManifest
        The validated manifest.

    Raises
    ------
    DataError
        If the file is missing or not a valid manifest.
    """
    path = Path(run_dir) / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        msg = t("runs.manifest_unreadable", lang, path=path, run_dir=run_dir, reason=err.strerror or err)
        raise DataError(msg, path=str(path)) from err
    try:
        return RunManifest.model_validate_json(text)
    except ValidationError as err:
        msg = t("runs.manifest_invalid", lang, path=path, error=err)
        raise DataError(msg, path=str(path)) from err


def package_versions(names: tuple[str, ...] = TRACKED_PACKAGES) -> dict[str, str | None]:
    """Return the installed versions of the execution and scientific stack.

    Parameters
    ----------
    names : tuple of str, default TRACKED_PACKAGES
        Distribution names.

    Returns
    -------
    dict of str to str or None
        ``"python"`` and each name → version, or None when the distribution is not installed. These are the
        versions of the process that runs the pipeline; the ``vielfalt`` kernel runs in the same environment.
    """
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_info(project_root: str | os.PathLike[str]) -> GitInfo:
    """Return the git commit of the project and whether its tree has uncommitted changes.

    Parameters
    ----------
    project_root : str or path-like
        Any directory inside the work tree.

    Returns
    -------
    GitInfo
        ``commit`` and ``dirty`` are None when the directory is not in a git work tree or ``git`` is not
        installed; untracked files (not ignored ones) count as changes.
    """

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", os.fspath(project_root), *args],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    head = git("rev-parse", "--verify", "HEAD")
    if head is None:
        return GitInfo()
    status = git("status", "--porcelain")
    return GitInfo(commit=head.strip(), dirty=None if status is None else bool(status.strip()))
