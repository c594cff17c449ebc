"""What went wrong in a run, and how to say it: the failing cell, the stage failure summaries, OS errors.

A failed stage is summarised in one paragraph in German and in English (both go into the manifest's
:class:`~vielfalt.runs.manifest.StageFailure`; the error raised and printed is in the run's language): which
stage failed in which cell of which source notebook, with what error, where the executed notebook is, and
that the run stays ``.partial`` while earlier runs are unchanged. A full disk or a folder that cannot be
written gets a sentence that says what to do.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vielfalt.exceptions import PipelineError
from vielfalt.i18n import LANGUAGES, t
from vielfalt.runs.notebooks import INJECTED_TAGS

__all__ = [
    "EarlyExit",
    "check_all_cells_ran",
    "failing_cell",
    "os_error_text",
    "start_error",
    "summaries",
]

_PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"

#: Longest error value quoted in a summary (the executed notebook has it in full).
_SUMMARY_EVALUE_LIMIT = 400

_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_NOT_WRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


class EarlyExit(Exception):
    """A notebook ended early without an error (``sys.exit()``), which papermill counts as success (P7)."""


def os_error_text(err: BaseException, where: Path, lang: str) -> str | None:
    """Say what to do about a full disk or a folder that cannot be written, else return None.

    Parameters
    ----------
    err : BaseException
        The error: an ``OSError``, or an error raised in a kernel whose text names ``[Errno N]``.
    where : Path
        The folder the run writes to.
    lang : {"de", "en"}
        The language of the sentence.

    Returns
    -------
    str or None
        One or two sentences, or None for any other error.
    """
    code = getattr(err, "errno", None)
    if code is None:  # raised in a kernel: only its text travels (PapermillExecutionError.evalue)
        text = f"{getattr(err, 'ename', '')} {getattr(err, 'evalue', '')} {err}"
        match = re.search(r"\[Errno (\d+)\]", text)
        code = int(match.group(1)) if match else None
    if code in _DISK_FULL:
        return t("runs.disk_full", lang, where=where)
    if code in _NOT_WRITABLE:
        return t("runs.not_writable", lang, where=where)
    return None


def start_error(err: OSError, edition_dir: Path, lang: str) -> PipelineError:
    """Return the error for a run directory (or its first manifest) that cannot be written.

    Parameters
    ----------
    err : OSError
        What the file system said.
    edition_dir : Path
        The folder the run directory was to be created in.
    lang : {"de", "en"}
        The language of the message.

    Returns
    -------
    PipelineError
        Says that no stage ran and earlier runs are unchanged.
    """
    hint = os_error_text(err, edition_dir, lang)
    if hint is None:
        hint = t("runs.run_dir_not_created", lang, where=edition_dir, error=err)
    return PipelineError(t("runs.no_stage_run", lang, hint=hint))


def failing_cell(output_nb: Path) -> tuple[int | None, int | None, int | None]:
    """Find the failing cell in a saved output notebook.

    The executed notebook has papermill's injected-parameters cell and the runner's setup cell, which the
    source has not; papermill's error banner cells are not counted.

    Parameters
    ----------
    output_nb : Path
        The executed notebook as papermill saved it.

    Returns
    -------
    tuple of (int or None, int or None, int or None)
        The cell index in the executed notebook, the 1-based cell number in the source notebook and the
        execution count; Nones when the notebook cannot be read or no cell failed.
    """
    import nbformat

    try:
        nb = nbformat.read(output_nb, as_version=4)
    except (OSError, ValueError):
        return None, None, None
    cells = [c for c in nb.cells if _PAPERMILL_ERROR_TAG not in c.get("metadata", {}).get("tags", [])]
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        errored = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        if meta.get("exception") or errored or meta.get("status") == "running":
            return index, _source_cell_number(cells, index), cell.get("execution_count")
    return None, None, None


def _source_cell_number(cells: Sequence[Any], index: int) -> int | None:
    """Map an executed-notebook cell index to its 1-based number in the source notebook."""
    tags = cells[index].get("metadata", {}).get("tags", [])
    if INJECTED_TAGS.intersection(tags):
        return None
    injected = sum(
        1 for c in cells[:index] if INJECTED_TAGS.intersection(c.get("metadata", {}).get("tags", []))
    )
    return index - injected + 1


def check_all_cells_ran(output_nb: Path, lang: str) -> None:
    """Raise :class:`EarlyExit` when a code cell of the executed notebook did not run (``sys.exit()``).

    Parameters
    ----------
    output_nb : Path
        The executed notebook.
    lang : {"de", "en"}
        The language of the error's text (it becomes the failure's ``evalue``).
    """
    import nbformat

    nb = nbformat.read(output_nb, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip() and cell.get("execution_count") is None:
            raise EarlyExit(t("runs.notebook_exited_early", lang, index=index))


def _summary(
    lang: str,
    *,
    stage: str,
    source: str,
    source_cell: int | None,
    error: str,
    output_nb: Path,
    run_dir: Path,
    interrupted: bool,
    hint: str | None,
) -> str:
    """One failure summary in ``lang``."""
    if source_cell is not None:
        where = t("runs.failure_in_cell", lang, cell=source_cell, source=source)
    else:
        where = f" ({source})"
    if interrupted:
        head = t("runs.stage_interrupted", lang, stage=stage, where=where, error=error)
        what = t("runs.notebook_so_far", lang)
    else:
        head = t("runs.stage_failed", lang, stage=stage, where=where, error=error)
        what = t("runs.notebook_with_traceback", lang)
    found = f" {what}: {output_nb}." if output_nb.is_file() else ""
    told = f" {hint}" if hint is not None else ""
    return head + told + found + t("runs.failure_tail", lang, name=run_dir.name)


def summaries(
    *,
    stage: str,
    source: str,
    source_cell: int | None,
    ename: str,
    evalue: str,
    output_nb: Path,
    run_dir: Path,
    interrupted: bool,
    err: BaseException | None = None,
) -> dict[str, str]:
    """Build the one-paragraph failure summary of a stage in every language.

    Parameters
    ----------
    stage : str
        The stage's name.
    source : str
        Its source notebook as shown (relative to the project when inside it).
    source_cell : int or None
        The failing cell's number in the source notebook.
    ename, evalue : str
        The error's type and text; a long text is cut (the executed notebook has it in full).
    output_nb : Path
        The executed notebook (named when it exists).
    run_dir : Path
        The ``.partial`` run directory.
    interrupted : bool
        Ctrl-C or SIGTERM rather than an error.
    err : BaseException or None, default None
        The error itself, for the sentence on a full disk or a folder that cannot be written.

    Returns
    -------
    dict of str to str
        Language → summary, for every language of the catalogue.
    """
    value = " ".join(evalue.split())
    if len(value) > _SUMMARY_EVALUE_LIMIT:
        value = value[: _SUMMARY_EVALUE_LIMIT - 1] + "…"
    error = f"{ename}: {value}" if value else ename
    error = error.rstrip(".")  # the sentence supplies its own full stop
    return {
        lang: _summary(
            lang,
            stage=stage,
            source=source,
            source_cell=source_cell,
            error=error,
            output_nb=output_nb,
            run_dir=run_dir,
            interrupted=interrupted,
            hint=None if err is None else os_error_text(err, run_dir.parent, lang),
        )
        for lang in LANGUAGES
    }
