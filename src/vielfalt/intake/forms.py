"""Filled Teilnahmebogen: read a fillable XLSX form back as one response, and check that it belongs here.

``vielfalt field ED --to xlsx`` writes a workbook whose hidden sheet :data:`vielfalt.columns.FORM_META_SHEET`
names the edition, the instrument and every answer cell. :func:`read_form` reads one filled copy as a
one-row string table, like :func:`~vielfalt.intake.read.read_table` reads a file of many; validation then
refuses a form of another edition or instrument version and names the sheet and cell of every finding.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from vielfalt._params import validate_params
from vielfalt.columns import CHECK, COLUMN, FIX, FORM_FORMAT, FORM_META_SHEET, REASON, ROW, VALUE
from vielfalt.exceptions import DataError
from vielfalt.failures import failure_row
from vielfalt.i18n import t
from vielfalt.intake.read.decode import DEFAULT_MAX_BYTES, read_bytes
from vielfalt.intake.read.frame import SourceInfo, newlines
from vielfalt.intake.read.sniff import ZIP_MAGIC
from vielfalt.intake.read.table import LANG, MAX_BYTES, PATH
from vielfalt.intake.read.xlsx import xlsx_records
from vielfalt.intake.values import strip_injection_mask

if TYPE_CHECKING:
    from vielfalt.config.edition import Edition
    from vielfalt.config.questionnaire import Questionnaire

__all__ = [
    "check_form",
    "form_changed_row",
    "form_failures",
    "form_files",
    "form_paths",
    "is_form",
    "read_form",
]

_FORM_KEYS = ("format", "format_version", "edition", "questionnaire", "version", "sha256", "lang")
_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_WORKBOOK_XML_MAX = 10_000_000
_ANSWER_COLUMN = "C"  # the spreadsheet column of the answers, when the metadata names no cell


def _workbook_sheet_names(data: bytes) -> list[str] | None:
    """Sheet names from ``xl/workbook.xml`` (None when the bytes are no readable workbook)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("xl/workbook.xml")
            if info.file_size > _WORKBOOK_XML_MAX:
                return None
            xml = zf.read(info).decode("utf-8", "replace")
    except Exception:  # not a zip, no workbook part, damaged: not a form
        return None
    return [html.unescape(m) for m in re.findall(r"<(?:\w+:)?sheet\b[^>]*\bname=\"([^\"]*)\"", xml)]


def is_form(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is an XLSX workbook written by ``vielfalt field --to xlsx`` (it has the metadata sheet).

    Reads only the workbook's sheet list; never raises for unreadable files (they are simply not forms).

    Examples
    --------
    >>> is_form("no-such-file.xlsx")
    False
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
            if not head.startswith(b"PK"):
                return False
            fh.seek(0)
            data = fh.read(DEFAULT_MAX_BYTES + 1)
    except OSError:
        return False
    names = _workbook_sheet_names(data)
    return bool(names) and FORM_META_SHEET in names  # type: ignore[operator]


@validate_params({"lang": [LANG], "max_bytes": [MAX_BYTES], "path": [PATH]})
def read_form(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    lang: Literal["de", "en"] = "de",
) -> pd.DataFrame:
    """Read one filled Teilnahmebogen (``vielfalt field --to xlsx``) as a one-row string table.

    The hidden sheet :data:`vielfalt.columns.FORM_META_SHEET` names edition, instrument and every answer
    cell (code, sheet, cell). Each answer is looked up by its code in column A of its sheet (so a row the
    institute inserted after unprotecting a sheet does not shift anything) and read from the answer column
    as Excel shows it (:func:`~vielfalt.intake.read.read_table`'s rules for XLSX cells). The workbook passes
    the same zip-bomb and size checks as :func:`~vielfalt.intake.read.read_table`.

    Parameters
    ----------
    path : str or path-like
        The filled workbook.
    max_bytes : int, default DEFAULT_MAX_BYTES
        Larger files are refused before being read.
    lang : {"de", "en"}, default "de"
        Language of error messages.

    Returns
    -------
    DataFrame
        One row (index ``row`` = 2, as the first record of a table), all cells ``str``: ``id`` (the file
        name without suffix: one form is one response), then one column per answer code found (``submitdate``,
        ``Q1``, ``X05[total]``, …). ``df.attrs["source_info"]`` carries ``form`` (see
        :class:`~vielfalt.intake.read.SourceInfo`).

    Raises
    ------
    DataError
        When the file cannot be read, is not a form, or its metadata or sheets are missing.
    """
    shown = os.fspath(path)
    data = read_bytes(Path(path), shown, max_bytes, lang)
    names = _workbook_sheet_names(data) if data.startswith(ZIP_MAGIC) else None
    if not names or FORM_META_SHEET not in names:
        msg = t("intake.not_form", lang, path=shown, sheet=FORM_META_SHEET, format=FORM_FORMAT)
        raise DataError(msg, path=shown)
    records, _ = xlsx_records(data, shown, FORM_META_SHEET, max_bytes, lang)
    meta: dict[str, str] = {}
    cells: list[tuple[str, str, str]] = []
    in_table = False
    for rec in records:
        rec = [str(x).strip() for x in rec] + ["", "", ""]
        if not in_table:
            if rec[0] == "code" and rec[1] == "sheet" and rec[2] == "cell":
                in_table = True
            elif rec[0] in _FORM_KEYS:
                meta[rec[0]] = strip_injection_mask(rec[1])
        elif rec[0]:
            cells.append((strip_injection_mask(rec[0]), strip_injection_mask(rec[1]), rec[2]))
    if meta.get("format") != FORM_FORMAT:
        msg = t("intake.not_form", lang, path=shown, sheet=FORM_META_SHEET, format=FORM_FORMAT)
        raise DataError(msg, path=shown)
    absent = [k for k in ("edition", "questionnaire", "version") if not meta.get(k)]
    if absent or not cells:
        what = ", ".join(absent) or t("intake.form_answer_cells", lang)
        detail = t("intake.form_meta_lacks", lang, sheet=FORM_META_SHEET, what=what)
        raise DataError(t("intake.form_broken", lang, path=shown, detail=detail), path=shown)
    by_sheet: dict[str, list[tuple[str, str]]] = {}
    for code, sheet, ref in cells:
        by_sheet.setdefault(sheet, []).append((code, ref))
    values: dict[str, str] = {"id": Path(shown).stem}
    found: dict[str, list[str]] = {}
    for sheet, wanted in by_sheet.items():
        if sheet not in names:
            detail = t("intake.form_sheet_missing", lang, sheet=sheet)
            raise DataError(t("intake.form_broken", lang, path=shown, detail=detail), path=shown)
        grid, _ = xlsx_records(data, shown, sheet, max_bytes, lang)
        row_of: dict[str, int] = {}
        for r, rec in enumerate(grid, start=1):
            key = strip_injection_mask(rec[0]).strip() if rec else ""
            if key:
                row_of.setdefault(key, r)
        for code, ref in wanted:
            m = _CELL_REF.fullmatch(ref)
            col = m.group(1) if m else _ANSWER_COLUMN
            pos = 0
            for ch in col:
                pos = pos * 26 + (ord(ch) - 64)
            at = row_of.get(code)
            if at is None:
                continue  # the answer cell is gone; validation reports the column as missing
            rec = grid[at - 1]
            values[code] = newlines(rec[pos - 1]) if len(rec) >= pos else ""
            found[code] = [sheet, f"{col}{at}"]
    info: dict[str, Any] = {
        "path": shown,
        "format": "xlsx",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size_bytes": len(data),
        "n_rows": 1,
        "n_columns": len(values),
        "sheet": None,
        "form": {**{k: meta.get(k, "") for k in _FORM_KEYS}, "cells": found},
    }
    df = pd.DataFrame([values], columns=pd.Index(list(values), dtype=object), dtype=object)
    df.index = pd.RangeIndex(2, 3, name=ROW)
    df.attrs["source_info"] = SourceInfo(**info).to_dict()
    return df


# --- validating filled forms ---------------------------------------------------------------------------
# checks whose value came from a selection list of the fillable form (written by vielfalt.instrument.field)
_FORM_LIST_CHECKS = frozenset({"unknown_option", "unknown_tick", "not_yesno"})


def form_paths(path: Path, lang: str) -> list[Path]:
    """Return the workbooks of a ``dialect: form`` input: the file itself, or every ``.xlsx`` in the folder.

    Parameters
    ----------
    path : Path
        A filled form or a folder of them.
    lang : {"de", "en"}
        Language of the message for an empty folder.

    Returns
    -------
    list of Path
        Sorted by name; Excel's lock files (``~$…``) and hidden files are left out.

    Raises
    ------
    DataError
        When the folder holds no workbook.
    """
    if not path.is_dir():
        return [path]
    found = sorted(
        p
        for p in path.iterdir()
        if p.is_file() and p.suffix.lower() == ".xlsx" and not p.name.startswith(("~$", "."))
    )
    if not found:
        raise DataError(t("intake.form_folder_empty", lang, path=str(path)), path=str(path))
    return found


def check_form(form: dict[str, Any], edition: Edition, q: Questionnaire, file: str, lang: str) -> bool:
    """Refuse a form of another edition or instrument version.

    Parameters
    ----------
    form : dict
        The ``form`` part of the form's source info (:func:`read_form`).
    edition : Edition
        The edition being read.
    q : Questionnaire
        Its instrument.
    file : str
        The workbook's name, for messages.
    lang : {"de", "en"}
        Language of the messages.

    Returns
    -------
    bool
        True when only the questionnaire YAML's hash differs (question texts may have changed).

    Raises
    ------
    DataError
        When the form belongs to another edition, instrument or instrument version.
    """
    if form.get("edition") != edition.edition:
        msg = t("intake.form_edition", lang, file=file, form=form.get("edition"), edition=edition.edition)
        raise DataError(msg, path=file)
    if form.get("questionnaire") != q.meta.id or form.get("version") != q.meta.version:
        msg = t(
            "intake.form_instrument",
            lang,
            file=file,
            form_id=form.get("questionnaire"),
            form_version=form.get("version"),
            edition=edition.edition,
            qid=q.meta.id,
            version=q.meta.version,
        )
        raise DataError(msg, path=file)
    return bool(form.get("sha256")) and bool(q.sha256()) and form.get("sha256") != q.sha256()


def form_changed_row(source: str, file: str, q: Questionnaire, lang: str) -> dict[str, Any]:
    """Return the warning row for a form made from another state of the questionnaire's YAML file.

    Parameters
    ----------
    source : str
        The input's source label.
    file : str
        The workbook's name (the row's value).
    q : Questionnaire
        The instrument, named in the reason.
    lang : {"de", "en"}
        Language of reason and fix.

    Returns
    -------
    dict
        A row of the failure table (:func:`vielfalt.failures.failure_row`), severity ``warning``.
    """
    return failure_row(
        source=source,
        check="form_changed",
        value=file,
        severity="warning",
        reason=t("intake.form_changed", lang, qid=q.meta.id, version=q.meta.version),
        fix=t("intake.fix_form_changed", lang),
    )


def _form_choices(q: Questionnaire, column: str, form_lang: str, lang: str) -> str:
    """The entries of a form cell's selection list, as the fix names them."""
    it = q.items.get(column.split("[")[0])
    if it is None:
        return ""
    if it.type == "multi":
        entries = ["x"]
    elif it.type == "yesno":
        entries = [t("common.yes", form_lang), t("common.no", form_lang)]
    else:
        entries = [o.label.get(form_lang) for o in q.options_of(it)]
        if it.other:
            entries.append(t("intake.form_other", form_lang))
    shown = ", ".join(t("intake.quoted", lang, text=e) for e in entries[:6])
    if len(entries) > 6:
        shown += t("intake.form_more_entries", lang, n=len(entries))
    return shown


def form_failures(
    failures: pd.DataFrame, form: dict[str, Any], q: Questionnaire, *, file: str, lang: str
) -> pd.DataFrame:
    """Name the sheet and cell of the form in every failure of a filled Teilnahmebogen.

    Parameters
    ----------
    failures : DataFrame
        The failure table of the form's one row.
    form : dict
        The ``form`` part of the form's source info: ``cells`` maps a column to its sheet and cell.
    q : Questionnaire
        The instrument (for the entries of a selection list).
    file : str
        The workbook's name.
    lang : {"de", "en"}
        Language of reasons and fixes.

    Returns
    -------
    DataFrame
        A copy of ``failures``: a value typed over a selection list says so and lists the entries; every
        other finding is prefixed with file, sheet and cell.
    """
    cells = form.get("cells") or {}
    out = failures.copy()
    for i in range(len(out)):
        column = out.at[i, COLUMN]
        if column not in cells:
            continue
        sheet, cell = cells[column]
        if out.at[i, CHECK] in _FORM_LIST_CHECKS:
            out.at[i, REASON] = t(
                "intake.form_not_in_list", lang, file=file, sheet=sheet, cell=cell, value=out.at[i, VALUE]
            )
            allowed = _form_choices(q, str(column), str(form.get("lang") or "de"), lang)
            out.at[i, FIX] = t("intake.fix_form_not_in_list", lang, allowed=allowed)
        else:
            out.at[i, REASON] = t(
                "intake.form_location", lang, file=file, sheet=sheet, cell=cell, reason=out.at[i, REASON]
            )
    return out


def form_files(parsed_all: list[pd.DataFrame], sources: list[dict[str, Any]], rows: int) -> np.ndarray:
    """Per row of the concatenated entries: the workbook of a form row, ``""`` for rows of other files.

    Parameters
    ----------
    parsed_all : list of DataFrame
        The parsed entries of each file, in order.
    sources : list of dict
        The files, in the same order (``dialect`` and ``file``).
    rows : int
        Rows of the concatenated entries.

    Returns
    -------
    ndarray
        Object array of length ``rows``.
    """
    if len(parsed_all) != len(sources):
        return np.full(rows, "", dtype=object)
    parts = [
        np.full(len(p), s.get("file", "") if s.get("dialect") == "form" else "", dtype=object)
        for p, s in zip(parsed_all, sources, strict=True)
    ]
    out = np.concatenate(parts) if parts else np.array([], dtype=object)
    return out if len(out) == rows else np.full(rows, "", dtype=object)
