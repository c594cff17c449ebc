"""What kind of table a file holds: its format from the bytes, and a text table's delimiter.

The format comes from the file's bytes, not its name: a ZIP archive is read as XLSX, an OLE file (the old
.xls, or an encrypted workbook) is refused, anything else is delimited text. The delimiter of a text table
is sniffed by parsing its first records with every candidate (quotes respected) and taking the one that
gives the most consistent field count above 1 — LimeSurvey and German Excel write ``;``.

Examples
--------
>>> sniff_delimiter('"id";"Q1"\\r\\n"1";"a, b"\\r\\n')
';'
>>> sniff_delimiter("id,Q1\\n1,x\\n")
','
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from vielfalt.exceptions import DataError
from vielfalt.i18n import t

__all__ = ["DELIMITER_CANDIDATES", "ZIP_MAGIC", "Lines", "csv_reader", "sniff_delimiter", "sniff_format"]

DELIMITER_CANDIDATES: tuple[str, ...] = (";", ",", "\t", "|")
"""Delimiters the sniffer tries, in order of preference on a tie (``;``: LimeSurvey, German Excel)."""

#: The first bytes of a ZIP archive (an XLSX workbook is one).
ZIP_MAGIC: tuple[bytes, ...] = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}

_SNIFF_RECORDS = 50
_SNIFF_CHARS = 1 << 20


def sniff_format(data: bytes, shown: str, lang: str) -> Literal["xlsx", "csv"]:
    """Return the format of a file's bytes: ``"xlsx"`` for a ZIP archive, else ``"csv"`` (delimited text).

    Parameters
    ----------
    data : bytes
        The file's content (not empty).
    shown : str
        The path as given; its suffix decides the message for a file that is no workbook.
    lang : {"de", "en"}
        Language of the messages.

    Returns
    -------
    {"xlsx", "csv"}

    Raises
    ------
    DataError
        For an old .xls or encrypted workbook (OLE), and for a file named like a workbook that is no ZIP.
    """
    suffix = Path(shown).suffix.lower()
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(_OLE_MAGIC):
        key = "encrypted" if suffix in _XLSX_SUFFIXES else "xls"
        msg = t(f"intake.{key}", lang, path=shown)
        raise DataError(msg, path=shown)
    if suffix == ".xls":
        msg = t("intake.xls", lang, path=shown)
        raise DataError(msg, path=shown)
    if suffix in _XLSX_SUFFIXES:
        msg = t("intake.not_workbook", lang, path=shown, detail=t("intake.not_zip_detail", lang))
        raise DataError(msg, path=shown)
    return "csv"


# one physical line with its terminator (CRLF, LF or a lone CR), as csv.reader expects its input
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class Lines:
    """Iterate over the lines of a str without copying it (io.StringIO would hold 4 bytes per character).

    ``consumed`` counts the characters handed out, so the caller knows where the next record starts.

    Examples
    --------
    >>> lines = Lines("a\\r\\nb\\nc")
    >>> list(lines), lines.consumed
    (['a\\r\\n', 'b\\n', 'c'], 6)
    """

    def __init__(self, text: str) -> None:
        self._matches = _LINE.finditer(text)
        self.consumed = 0

    def __iter__(self) -> Lines:
        return self

    def __next__(self) -> str:
        line = next(self._matches).group()
        self.consumed += len(line)
        return line


def csv_reader(lines: Iterable[str], delimiter: str, *, strict: bool) -> Any:
    """Return a ``csv.reader`` in the dialect of spreadsheets: ``"`` quotes, ``""`` inside a quoted cell.

    Parameters
    ----------
    lines : iterable of str
        Physical lines with their terminators (:class:`Lines`).
    delimiter : str
        The field delimiter.
    strict : bool
        Raise on text after a closing quote or an unclosed quote, instead of reading leniently as Excel does.

    Returns
    -------
    csv.reader
    """
    return csv.reader(
        lines,
        delimiter=delimiter,
        quotechar='"',
        doublequote=True,
        skipinitialspace=False,
        strict=strict,
    )


def _consistent(rec: list[str], width: int) -> bool:
    """A record fits the header if it has as many fields, or more whose surplus is empty."""
    n = len(rec)
    return n == width or (n > width and not any(rec[width:]))


def sniff_delimiter(text: str) -> str:
    """Choose the delimiter giving the most consistent field count > 1 over the first records.

    Every candidate parses the same sample with the csv module, so quoted delimiters and quoted line breaks
    count correctly. A candidate is eligible when the header has more than one field and at least half of the
    sampled records fit it (a record also fits when its only surplus fields are empty, as after Excel's
    trailing ``;``); among eligible ones the most consistent wins, then the one with most exact field counts,
    then the widest header, then the order of :data:`DELIMITER_CANDIDATES`. With no eligible candidate (a
    single-column file) the same order picks a candidate that splits no record, where there is one.

    Parameters
    ----------
    text : str
        The decoded table (only its first MiB is looked at).

    Returns
    -------
    str
        One of :data:`DELIMITER_CANDIDATES`.
    """
    truncated = len(text) > _SNIFF_CHARS
    sample = text[:_SNIFF_CHARS]
    scored = []
    for prio, cand in enumerate(DELIMITER_CANDIDATES):
        try:
            reader = csv_reader(Lines(sample), cand, strict=False)
            recs = [r for r in itertools.islice(reader, _SNIFF_RECORDS + 2) if r]
        except csv.Error:
            continue
        if truncated and len(recs) > 1:
            recs = recs[:-1]  # the last record may be cut in the middle
        if not recs:
            continue
        header, body = recs[0], recs[1 : _SNIFF_RECORDS + 1]
        width = len(header)
        consistency = sum(_consistent(r, width) for r in body) / len(body) if body else 1.0
        # exact field counts break ties: a candidate that splits nothing beats one whose only surplus is
        # empty fields (which would lose the delimiter characters of a single-column file)
        exact = sum(len(r) == width for r in body) / len(body) if body else 1.0
        eligible = width > 1 and consistency >= 0.5
        scored.append(((eligible, consistency, exact, width if eligible else 0, -prio), cand))
    if not scored:
        return DELIMITER_CANDIDATES[0]
    return max(scored)[1]
