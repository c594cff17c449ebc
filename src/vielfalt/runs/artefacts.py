"""The files of a run directory: artefacts, their hashes and the one way to write a file atomically.

Stages talk to each other only through files in the run directory (docs/architecture.md). This module owns
the format of those files:

- artefacts are tables written to ``<run_dir>/artefacts/<name>.parquet`` by :func:`write_artefact` and
  read back by :func:`read_artefact`; the same DataFrame always gives a byte-identical file, so that two
  runs of the same inputs, parameters and seed give identical artefact hashes;
- small JSON and text artefacts (:func:`write_json_artefact`, :func:`write_text_artefact`);
- sha256 of bytes, files and whole directories, which the run manifest (:mod:`vielfalt.runs.manifest`)
  records.

Every file is written atomically (temporary file, ``fsync``, ``os.replace``: :func:`atomic_write_bytes`),
so a reader never sees half of it, even when the process writing it is killed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from vielfalt._params import check_param
from vielfalt.exceptions import ConfigError, DataError
from vielfalt.i18n import t

__all__ = [
    "ARTEFACTS_DIR",
    "MANIFEST_NAME",
    "artefact_hashes",
    "artefact_path",
    "atomic_write_bytes",
    "file_hashes",
    "fsync_dir",
    "json_text",
    "parquet_bytes",
    "read_artefact",
    "read_json_artefact",
    "sha256_bytes",
    "sha256_file",
    "write_artefact",
    "write_json_artefact",
    "write_text_artefact",
]

#: The folder of a run directory that holds the artefacts.
ARTEFACTS_DIR = "artefacts"
#: The run manifest's file name in a run directory (see :mod:`vielfalt.runs.manifest`).
MANIFEST_NAME = "manifest.json"

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
        msg = t("runs.file_unreadable", "de", path=os.fspath(path), reason=err.strerror or err)
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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``, fsyncing the file first.

    A reader (or a run killed mid-write) sees either the old file or the complete new one, never half.

    Parameters
    ----------
    path : Path
        The file to write; missing parent directories are created.
    data : bytes
        The complete new contents.
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
    atomic_write_bytes(path, parquet_bytes(df, name=name, path=str(path)))
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
        msg = t("runs.artefact_not_parquet", "de", name=name, error=err)
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


def _missing_artefact(run_dir: Path, name: str, path: Path, produced_by: str | None, lang: str) -> DataError:
    """Build the DataError for an artefact that does not exist, naming the stage that should write it."""
    stage = _producer_of(run_dir, name, produced_by)
    if stage is None:
        msg = t("runs.artefact_missing", lang, name=name, path=path)
    else:
        msg = t("runs.artefact_missing_stage", lang, name=name, path=path, stage=stage)
    return DataError(msg, path=str(path))


def read_artefact(
    run_dir: str | os.PathLike[str], name: str, *, produced_by: str | None = None, lang: str = "de"
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
    lang : {"de", "en"}, default "de"
        The language of the error message.

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
        raise _missing_artefact(Path(run_dir), name, path, produced_by, lang)
    try:
        return pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError) as err:
        msg = t("runs.artefact_corrupt", lang, name=name, path=path, error=err)
        raise DataError(msg, path=str(path)) from err


def json_text(obj: Any) -> str:
    """Serialise ``obj`` as stable JSON: sorted keys, indent 2, UTF-8 text, trailing newline.

    Parameters
    ----------
    obj : JSON-compatible object
        Plain dicts, lists, strings, numbers, booleans and None; NaN and infinity raise ValueError.

    Returns
    -------
    str
        The same object always gives the same text.

    Examples
    --------
    >>> json_text({"b": 1, "a": 2}).splitlines()
    ['{', '  "a": 2,', '  "b": 1', '}']
    """
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
        text = json_text(obj)
    except (TypeError, ValueError) as err:
        msg = f"The 'obj' parameter of write_json_artefact must be plain JSON. Got an error instead: {err}."
        raise ConfigError(msg) from err
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def read_json_artefact(
    run_dir: str | os.PathLike[str], name: str, *, produced_by: str | None = None, lang: str = "de"
) -> Any:
    """Read a JSON artefact written by :func:`write_json_artefact`.

    Parameters
    ----------
    run_dir : str or path-like
        The run directory.
    name : str
        Artefact name without ``.json``.
    produced_by : str or None, default None
        The stage that should have written it (see :func:`read_artefact`).
    lang : {"de", "en"}, default "de"
        The language of the error message.

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
        raise _missing_artefact(Path(run_dir), name, path, produced_by, lang)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        msg = t("runs.artefact_not_json", lang, name=name, path=path, error=err)
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
    check_param("text", text, [str], func="write_text_artefact")
    path = artefact_path(run_dir, name, suffix="")
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


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
