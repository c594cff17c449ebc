"""Provenance of a run: artefacts, hashes and the run manifest.

Stages talk to each other only through files in the run directory (DESIGN.md §4). This module owns the
format of those files:

- artefacts are tables written to ``<run_dir>/artefacts/<name>.parquet`` by :func:`write_artefact` and
  read back by :func:`read_artefact`; the same DataFrame always gives a byte-identical file, so that two
  runs of the same inputs, parameters and seed give identical artefact hashes;
- ``<run_dir>/manifest.json`` (:class:`RunManifest`) records what ran, on what, with which packages, and the
  sha256 of every input, artefact and output file.

The manifest is written atomically (temporary file, ``fsync``, ``os.replace``), so a reader never sees half
of it, even when the process writing it is killed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import re
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vielfalt.exceptions import ConfigError, DataError

__all__ = [
    "ARTEFACTS_DIR",
    "MANIFEST_NAME",
    "TRACKED_PACKAGES",
    "BaseRunRecord",
    "GitInfo",
    "RunManifest",
    "StageFailure",
    "StageRecord",
    "artefact_hashes",
    "artefact_path",
    "file_hashes",
    "fsync_dir",
    "git_info",
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

ARTEFACTS_DIR = "artefacts"
MANIFEST_NAME = "manifest.json"
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

# Fixed Parquet settings: same table in, same bytes out. zstd at a fixed level; no statistics that depend on
# anything but the data; pyarrow writes no timestamps into the file.
_PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "version": "2.6",
    "data_page_version": "1.0",
    "use_dictionary": True,
    "write_statistics": True,
    "store_schema": True,
}

# Artefact names: one or more path components of letters, digits, '_', '-', '.', never starting with '.',
# so that a name can neither escape the artefacts directory nor hide a file.
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*(/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*$")

_CHUNK = 1 << 20


# --------------------------------------------------------------------------------------------- hashing


def sha256_bytes(data: bytes) -> str:
    """Return the hex sha256 of a byte string.

    Parameters
    ----------
    data : bytes
        The bytes to hash.

    Returns
    -------
    str
        64 lowercase hex digits.

    Examples
    --------
    >>> sha256_bytes(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex sha256 of a file's contents, read in chunks.

    Parameters
    ----------
    path : str or path-like
        The file to hash.

    Returns
    -------
    str
        64 lowercase hex digits.

    Raises
    ------
    DataError
        If the file does not exist or cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    except OSError as err:
        msg = f"Die Datei {os.fspath(path)!r} kann nicht gelesen werden: {err.strerror or err}."
        raise DataError(msg, path=os.fspath(path)) from err
    return digest.hexdigest()


def file_hashes(root: str | os.PathLike[str], *, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """Hash every regular file below a directory.

    Parameters
    ----------
    root : str or path-like
        The directory to walk. A missing directory gives an empty mapping.
    exclude : tuple of str, default ()
        Relative POSIX paths (from ``root``) to leave out, e.g. ``("manifest.json",)``.

    Returns
    -------
    dict of str to str
        Relative POSIX path → sha256, sorted by path.
    """
    base = Path(root)
    if not base.is_dir():
        return {}
    hashes: dict[str, str] = {}
    for path in base.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(base).as_posix()
        if rel in exclude:
            continue
        hashes[rel] = sha256_file(path)
    return dict(sorted(hashes.items()))


def artefact_hashes(run_dir: str | os.PathLike[str]) -> dict[str, str]:
    """Hash every file in a run's ``artefacts/`` directory.

    Parameters
    ----------
    run_dir : str or path-like
        The run directory.

    Returns
    -------
    dict of str to str
        Path relative to ``artefacts/`` (POSIX, e.g. ``"intake_accepted.parquet"``) → sha256, sorted by path.
        Empty when the run has no artefacts.
    """
    return file_hashes(Path(run_dir) / ARTEFACTS_DIR)


# ------------------------------------------------------------------------------------------- artefacts


def _check_name(name: str) -> None:
    """Raise ConfigError unless ``name`` is a safe artefact name."""
    if not isinstance(name, str) or not _NAME_RE.match(name) or ".." in name.split("/"):
        msg = (
            "The 'name' parameter of an artefact must be one or more path components of letters, digits, "
            f"'_', '-' and '.', not starting with '.', separated by '/'. Got {name!r} instead."
        )
        raise ConfigError(msg)


def artefact_path(run_dir: str | os.PathLike[str], name: str, *, suffix: str = ".parquet") -> Path:
    """Return the path of an artefact inside a run directory.

    Parameters
    ----------
    run_dir : str or path-like
        The run directory.
    name : str
        The artefact name without suffix, e.g. ``"intake_accepted"`` or ``"intake/accepted"``.
    suffix : str, default ".parquet"
        The file suffix; ``""`` when ``name`` already carries its own.

    Returns
    -------
    Path
        ``<run_dir>/artefacts/<name><suffix>``.

    Examples
    --------
    >>> artefact_path("/runs/demo/r1", "intake_accepted").as_posix()
    '/runs/demo/r1/artefacts/intake_accepted.parquet'
    """
    _check_name(name)
    return Path(run_dir) / ARTEFACTS_DIR / f"{name}{suffix}"


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``, fsyncing the file first.

    A reader (or a run killed mid-write) sees either the old file or the complete new one, never half.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates the file with mode 0600; artefacts are ordinary files for the user.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_artefact(df: pd.DataFrame, run_dir: str | os.PathLike[str], name: str) -> Path:
    """Write a table as a deterministic Parquet artefact.

    The same DataFrame (values, dtypes, index, column order) always gives a byte-identical file: the
    compression and writer options are fixed, pyarrow writes no timestamps, and ``df.attrs`` is left out
    (pandas stores it in the file's metadata, and it may hold anything, including run-dependent values). The
    remaining metadata names only the pandas and pyarrow versions, which the manifest records anyway.

    Parameters
    ----------
    df : pandas.DataFrame
        The table. Its index is stored and restored by :func:`read_artefact` (a plain ``RangeIndex`` is
        stored as metadata only).
    run_dir : str or path-like
        The run directory; the file goes to ``<run_dir>/artefacts/<name>.parquet``.
    name : str
        Artefact name, by convention starting with the stage that writes it (``"intake_accepted"``).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ConfigError
        If ``df`` is not a DataFrame or ``name`` is not a safe artefact name.
    DataError
        If pyarrow cannot store a column (e.g. an object column of mixed types).
    """
    if not isinstance(df, pd.DataFrame):
        msg = (
            "The 'df' parameter of write_artefact must be a pandas DataFrame. "
            f"Got {type(df).__name__} instead."
        )
        raise ConfigError(msg)
    path = artefact_path(run_dir, name)
    _atomic_write_bytes(path, parquet_bytes(df, name=name, path=str(path)))
    return path


def parquet_bytes(df: pd.DataFrame, *, name: str = "table", path: str | None = None) -> bytes:
    """Serialise a table to Parquet bytes with the fixed writer options of :func:`write_artefact`.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; ``df.attrs`` is left out.
    name : str, default "table"
        What the table is, for the error message.
    path : str or None, default None
        Where it will be written, for the error.

    Returns
    -------
    bytes
        The same DataFrame always gives the same bytes.

    Raises
    ------
    DataError
        If pyarrow cannot store a column (e.g. an object column of mixed types).
    """
    frame = df.copy(deep=False)
    frame.attrs = {}
    try:
        table = pa.Table.from_pandas(frame, preserve_index=None)
    except (pa.ArrowException, TypeError, ValueError) as err:
        msg = (
            f"Das Zwischenergebnis {name!r} kann nicht als Parquet gespeichert werden: {err}. "
            "Bitte jede Spalte auf einen einheitlichen Typ bringen."
        )
        raise DataError(msg, path=path) from err
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **_PARQUET_OPTIONS)
    return bytes(sink.getvalue().to_pybytes())


def _producer_of(run_dir: Path, name: str, produced_by: str | None) -> str | None:
    """Return the stage expected to have written artefact ``name``.

    By convention an artefact's name starts with the name of the stage that writes it. With a ``/``
    (``"intake/accepted"``) the first component is the stage. Without one (``"site_visits_candidates"``)
    the stage names known to the run's manifest are tried, longest first, because stage names may contain
    ``_``; this fails when the run did not request the producing stage, hence the ``/`` convention.
    """
    if produced_by:
        return produced_by
    if "/" in name:
        return name.split("/", 1)[0]
    try:
        manifest = json.loads((run_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        stages = list(manifest.get("stages_requested") or [])
        stages += list((manifest.get("base_run") or {}).get("stages_completed") or [])
    except (OSError, ValueError, AttributeError):
        stages = []
    for stage in sorted(set(stages), key=len, reverse=True):
        if name == stage or name.startswith((f"{stage}_", f"{stage}/")):
            return str(stage)
    return None


def _missing_artefact(run_dir: Path, name: str, path: Path, produced_by: str | None) -> DataError:
    """Build the DataError for an artefact that does not exist, naming the stage that should write it."""
    stage = _producer_of(run_dir, name, produced_by)
    if stage is None:
        msg = (
            f"Das Zwischenergebnis {name!r} fehlt: {path} existiert nicht. Es wird von einer früheren Stufe "
            "erzeugt; bitte diese zuerst ausführen oder auf einem vollständigen Lauf aufbauen, der sie "
            "enthält. "
            f"(The artefact {name!r} is missing; run the stage that writes it first.)"
        )
    else:
        msg = (
            f"Das Zwischenergebnis {name!r} fehlt: {path} existiert nicht. Es wird von der Stufe {stage!r} "
            f"erzeugt; bitte zuerst die Stufe {stage!r} ausführen oder auf einem vollständigen Lauf "
            f"aufbauen, der sie enthält. (The artefact {name!r} is missing; run the stage {stage!r} first.)"
        )
    return DataError(msg, path=str(path))


def read_artefact(
    run_dir: str | os.PathLike[str], name: str, *, produced_by: str | None = None
) -> pd.DataFrame:
    """Read back a Parquet artefact written by :func:`write_artefact`.

    This is the one helper stage notebooks use to read the output of an earlier stage.

    Parameters
    ----------
    run_dir : str or path-like
        The run directory.
    name : str
        Artefact name as given to :func:`write_artefact`.
    produced_by : str or None, default None
        The stage that should have written the artefact, named in the error when it is missing. By default
        the first component of ``name`` (``"intake"`` for ``"intake_accepted"`` or ``"intake/accepted"``).

    Returns
    -------
    pandas.DataFrame
        The table with its index restored.

    Raises
    ------
    DataError
        If the artefact is missing (naming the file and the stage that should have produced it) or unreadable.
    """
    path = artefact_path(run_dir, name)
    if not path.is_file():
        raise _missing_artefact(Path(run_dir), name, path, produced_by)
    try:
        return pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError) as err:
        msg = f"Das Zwischenergebnis {name!r} ({path}) ist beschädigt und kann nicht gelesen werden: {err}."
        raise DataError(msg, path=str(path)) from err


def _json_text(obj: Any) -> str:
    """Serialise ``obj`` as stable JSON: sorted keys, indent 2, UTF-8 text, trailing newline."""
    return json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_json_artefact(obj: Any, run_dir: str | os.PathLike[str], name: str) -> Path:
    """Write a small JSON artefact deterministically (sorted keys, indent 2).

    Parameters
    ----------
    obj : JSON-compatible object
        Plain dicts, lists, strings, numbers, booleans and None; NaN and infinity are refused.
    run_dir : str or path-like
        The run directory.
    name : str
        Artefact name; the file is ``<run_dir>/artefacts/<name>.json``.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ConfigError
        If ``obj`` is not JSON-compatible.
    """
    path = artefact_path(run_dir, name, suffix=".json")
    try:
        text = _json_text(obj)
    except (TypeError, ValueError) as err:
        msg = f"The 'obj' parameter of write_json_artefact must be plain JSON. Got an error instead: {err}."
        raise ConfigError(msg) from err
    _atomic_write_bytes(path, text.encode("utf-8"))
    return path


def read_json_artefact(run_dir: str | os.PathLike[str], name: str, *, produced_by: str | None = None) -> Any:
    """Read a JSON artefact written by :func:`write_json_artefact`.

    Parameters
    ----------
    run_dir : str or path-like
        The run directory.
    name : str
        Artefact name without ``.json``.
    produced_by : str or None, default None
        The stage that should have written it (see :func:`read_artefact`).

    Returns
    -------
    object
        The decoded JSON value.

    Raises
    ------
    DataError
        If the artefact is missing or not valid JSON.
    """
    path = artefact_path(run_dir, name, suffix=".json")
    if not path.is_file():
        raise _missing_artefact(Path(run_dir), name, path, produced_by)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        msg = f"Das Zwischenergebnis {name!r} ({path}) ist kein gültiges JSON: {err}."
        raise DataError(msg, path=str(path)) from err


def write_text_artefact(text: str, run_dir: str | os.PathLike[str], name: str) -> Path:
    """Write a small UTF-8 text artefact (name with its own suffix, e.g. ``"site_visits/plan.md"``).

    Parameters
    ----------
    text : str
        The text; written byte for byte as UTF-8 with ``\\n`` line ends (no platform translation).
    run_dir : str or path-like
        The run directory.
    name : str
        Artefact name including its suffix.

    Returns
    -------
    Path
        The path written.
    """
    if not isinstance(text, str):
        msg = f"The 'text' parameter of write_text_artefact must be a str. Got {type(text).__name__} instead."
        raise ConfigError(msg)
    path = artefact_path(run_dir, name, suffix="")
    _atomic_write_bytes(path, text.encode("utf-8"))
    return path


# -------------------------------------------------------------------------------------------- manifest


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
    _atomic_write_bytes(path, _json_text(manifest.model_dump(mode="json")).encode("utf-8"))
    fsync_dir(path.parent)
    return path


def load_manifest(run_dir: str | os.PathLike[str]) -> RunManifest:
    """Read and validate a run's ``manifest.json``.

    Parameters
    ----------
    run_dir : str or path-like
        The run directory.

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
        msg = (
            f"{path} fehlt oder ist nicht lesbar: {run_dir} ist kein Lauf von vielfalt "
            f"({err.strerror or err})."
        )
        raise DataError(msg, path=str(path)) from err
    try:
        return RunManifest.model_validate_json(text)
    except ValidationError as err:
        msg = f"{path} ist kein gültiges Lauf-Manifest: {err}"
        raise DataError(msg, path=str(path)) from err


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Flush a directory entry to disk so that a rename or new file in it survives a crash.

    Parameters
    ----------
    path : str or path-like
        The directory. Platforms that cannot open directories (Windows) are skipped.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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
