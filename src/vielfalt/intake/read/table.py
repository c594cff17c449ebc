"""The entry point of the raw layer: read a response table (CSV, TSV, XLSX) into strings.

:func:`read_table` reads the bytes (:mod:`~vielfalt.intake.read.decode`), tells the format from them
(:mod:`~vielfalt.intake.read.sniff`), and hands a workbook to :mod:`~vielfalt.intake.read.xlsx` or a text
table to :mod:`~vielfalt.intake.read.csv`; :mod:`~vielfalt.intake.read.frame` builds the table. Nothing here
knows the questionnaire.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from vielfalt._params import Interval, Options, Predicate, validate_params
from vielfalt.exceptions import DataError
from vielfalt.i18n import t
from vielfalt.intake.read.csv import fast_frame, field_limit, parse_records
from vielfalt.intake.read.decode import DEFAULT_MAX_BYTES, ENCODING, decode_text, read_bytes
from vielfalt.intake.read.frame import build_frame
from vielfalt.intake.read.sniff import sniff_delimiter, sniff_format
from vielfalt.intake.read.xlsx import xlsx_records

__all__ = ["LANG", "MAX_BYTES", "PATH", "read_table"]


def _predicate(test: Callable[[Any], bool], key: str) -> Predicate:
    """A parameter constraint described by the catalogue's ``intake.<key>``."""
    return Predicate(test, (t(f"intake.{key}", "de"), t(f"intake.{key}", "en")))


#: What the parameters of the readers must be (:mod:`vielfalt._params`).
LANG = Options({"de", "en"})
MAX_BYTES = Interval(int, 1, None)
PATH = _predicate(lambda v: isinstance(v, str | os.PathLike), "param_path")
_SHEET = _predicate(lambda v: isinstance(v, str | int) and not isinstance(v, bool), "param_sheet")
_DELIMITER = _predicate(lambda v: isinstance(v, str) and len(v) == 1 and v not in '"\r\n', "param_delimiter")


@validate_params(
    {
        "lang": [LANG],
        "max_bytes": [MAX_BYTES],
        "sheet": [_SHEET, None],
        "encoding": [ENCODING, None],
        "delimiter": [_DELIMITER, None],
        "path": [PATH],
    }
)
def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    lang: Literal["de", "en"] = "de",
) -> pd.DataFrame:
    """Read a CSV/TSV or XLSX response table with every cell as a Python ``str``.

    No value is converted and no record is dropped: empty cells are ``""``, a record of empty fields is kept,
    only blank lines before the header and after the last record (LimeSurvey ends its export with one) are
    skipped. Line breaks inside quoted cells stay, normalised to ``\\n``.

    Parameters
    ----------
    path : str or path-like
        The file. The format is detected from its bytes: a ZIP archive is read as XLSX, an OLE file (old .xls)
        is refused, anything else is read as delimited text.
    sheet : str or int, optional
        XLSX worksheet by name (exact, else case-insensitive) or 0-based position; default the first.
        Ignored for text files. Worksheet cells become the text Excel shows, except that number formats are
        not applied (a cell showing ``12,5 %`` stores and gives ``0.125``); formulas give their last
        calculated result, or ``""`` when the file was never calculated (written by a program).
    encoding : str, optional
        Codec of a text file. Default: a BOM decides (UTF-8, UTF-16, UTF-32), else strict UTF-8, else cp1252
        (Windows "ANSI", as German Excel writes "CSV (Trennzeichen-getrennt)").
    delimiter : str, optional
        One character. Default: sniffed over :data:`~vielfalt.intake.read.sniff.DELIMITER_CANDIDATES` by
        parsing the first records with each (quotes respected) and taking the one giving the most consistent
        field count above 1.
    max_bytes : int, default DEFAULT_MAX_BYTES
        Larger files are refused before being read. An XLSX may unpack to at most ``20 * max_bytes``
        (capped at 2 GB), and no large member may be compressed more than 100:1.
    lang : {"de", "en"}, default "de"
        Language of error messages.

    Returns
    -------
    DataFrame
        Object dtype, every cell a ``str``. Index ``"row"``: the spreadsheet row (header = 1, first record =
        2, counted in records, not physical lines). Columns: the headings without BOM and surrounding
        whitespace; repeated headings become ``name__2``, …; an empty heading becomes ``col_<n>`` (1-based
        position). Records with more fields than the header keep the surplus in
        :data:`~vielfalt.intake.read.frame.EXTRA_COLUMN`; short records are padded with ``""``; both are
        listed in ``ragged_rows``. Provenance is in ``df.attrs["source_info"]`` (see
        :class:`~vielfalt.intake.read.frame.SourceInfo`).

    Raises
    ------
    DataError
        When the file is missing, unreadable, too large, empty, binary, an old .xls, a damaged or suspicious
        XLSX, or not decodable; the message names the file and says what to do.
    ConfigError
        When a parameter has a value that is not allowed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes(b'\\xef\\xbb\\xbf"id";"Q1"\\r\\n"1";"M\\xc3\\xbcller"\\r\\n\\r\\n')
    >>> df = read_table(p)
    >>> df.loc[2, "Q1"], df.attrs["source_info"]["delimiter"]
    ('Müller', ';')
    """
    shown = os.fspath(path)
    data = read_bytes(Path(path), shown, max_bytes, lang)
    info: dict[str, Any] = {
        "path": shown,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size_bytes": len(data),
    }
    if len(data) == 0:
        msg = t("intake.empty", lang, path=shown)
        raise DataError(msg, path=shown)
    if sniff_format(data, shown, lang) == "xlsx":
        cells, sheet_name = xlsx_records(data, shown, sheet, max_bytes, lang)
        info.update(format="xlsx", encoding=None, encoding_source=None, delimiter=None, sheet=sheet_name)
        return build_frame(cells, info, grid=True, delimiter=None, lang=lang)

    text, used, how = decode_text(data, shown, encoding, lang)
    del data  # the text replaces the bytes; keep peak memory near two copies of the file
    if not text.strip():
        msg = t("intake.empty", lang, path=shown)
        raise DataError(msg, path=shown)
    with field_limit(len(text) + 1):
        delim = delimiter if delimiter is not None else sniff_delimiter(text)
        info.update(format="csv", encoding=used, encoding_source=how, delimiter=delim, sheet=None)
        fast = fast_frame(text, delim, info)
        if fast is not None:
            return fast
        records = parse_records(text, delim, shown, lang)
        return build_frame(records, info, grid=False, delimiter=delim, lang=lang)
