"""Delimited text → records: Excel's lenient quoting, a refused unclosed quote, a fast path for clean files.

The csv module's reader (:func:`parse_records`, then :func:`~vielfalt.intake.read.frame.build_frame`) is the
reference: it reports ragged rows, keeps blank records and refuses an unclosed quote. Most files have none
of these, and :func:`fast_frame` reads them with pandas' C tokenizer instead, taken only when its result is
provably the reference's.

Examples
--------
>>> list(parse_records('id;Q1\\r\\n1;"a; b"\\r\\n', ";", "a.csv", "de"))
[['id', 'Q1'], ['1', 'a; b']]
"""

from __future__ import annotations

import contextlib
import csv
import io
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from vielfalt.columns import ROW
from vielfalt.exceptions import DataError
from vielfalt.i18n import t
from vielfalt.intake.read.frame import SourceInfo, clean_headings, newlines
from vielfalt.intake.read.sniff import Lines, csv_reader

__all__ = ["fast_frame", "field_limit", "parse_records"]


@contextlib.contextmanager
def field_limit(n: int) -> Iterator[None]:
    """Raise the csv module's field size limit for one read, then restore it.

    The default (128 KiB) would reject long free-text cells; the limit is process-wide, so it is not left
    raised for other code.
    """
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, min(n, 2**31 - 1)))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def parse_records(text: str, delimiter: str, shown: str, lang: str) -> Iterator[list[str]]:
    """Yield the records, read as leniently as Excel (``"a"b`` gives ``ab``), but refuse an unclosed quote.

    A quote left open runs to the end of the file and would swallow every later record into one cell; the
    lenient reader does that silently, so the last record is re-read strictly to find it.

    Parameters
    ----------
    text : str
        The decoded table.
    delimiter : str
        The field delimiter.
    shown : str
        The path, for messages.
    lang : {"de", "en"}
        Language of the messages.

    Yields
    ------
    list of str
        One record (an empty list for a blank line).

    Raises
    ------
    DataError
        When the csv module refuses the text, or a quote is never closed.
    """
    lines = Lines(text)
    reader = csv_reader(lines, delimiter, strict=False)
    start, line = 0, 1
    last_start, last_line = 0, 1
    try:
        for rec in reader:
            last_start, last_line = start, line
            yield rec
            start, line = lines.consumed, reader.line_num + 1
    except csv.Error as err:
        msg = t("intake.csv_error", lang, path=shown, line=reader.line_num, error=err)
        raise DataError(msg, path=shown) from err
    tail = text[last_start:]
    if '"' in tail:
        try:
            for _ in csv_reader(Lines(tail), delimiter, strict=True):
                pass
        except csv.Error as err:
            if "end of data" in str(err):
                msg = t("intake.unclosed_quote", lang, path=shown, line=last_line)
                raise DataError(msg, path=shown) from err
            # other strict complaints (text after a closing quote) were read leniently on purpose


def fast_frame(text: str, delimiter: str, info: dict[str, Any]) -> pd.DataFrame | None:
    """Read a regular text table with pandas' C parser, or return None when the file needs the full reader.

    The csv-module reader (:func:`parse_records` and :func:`~vielfalt.intake.read.frame.build_frame`) is the
    reference: it reports ragged rows, keeps blank records and refuses unclosed quotes, one Python object per
    record. Most files have
    none of these, and pandas' tokenizer (derived from the csv module's, with the same lenient quoting) reads
    them several times faster, with equal values interned per column. This path is taken only when the
    result is provably the reference's:

    - no blank record before the header (the row numbers would shift) and none between records (a blank
      record is a row of empty strings here, indistinguishable from ``;;``); trailing blank records are
      dropped by both;
    - every record has exactly as many fields as the header: pandas refuses longer records and pads shorter
      ones, so the delimiters outside cell values must number (width - 1) per record;
    - whatever pandas refuses (an unclosed quote, a long record, bytes it cannot encode) goes to the
      reference.

    Cells with a carriage return are normalised to ``\\n`` as the reference does. A property test compares
    both readers on arbitrary text (``tests/test_ingest_fuzz.py``).

    Parameters
    ----------
    text : str
        The decoded table.
    delimiter : str
        The field delimiter.
    info : dict
        The provenance gathered so far; the table's shape is added.

    Returns
    -------
    DataFrame or None
        The table as :func:`~vielfalt.intake.read.frame.build_frame` would give it, or None.
    """
    if not text or text[0] in "\r\n":
        return None
    try:
        # trailing blank records are dropped by both readers (bytes: cheaper to copy than the str)
        data = text.encode("utf-8").rstrip(b"\r\n")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = pd.read_csv(
                io.BytesIO(data),
                sep=delimiter,
                header=None,
                dtype=object,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
                quotechar='"',
                quoting=csv.QUOTE_MINIMAL,
                doublequote=True,
                escapechar=None,
                skipinitialspace=False,
                comment=None,
                encoding="utf-8",
                index_col=False,
            )
    except Exception:  # any complaint of pandas: the reference reader decides and explains
        return None
    n_records, width = table.shape
    if n_records < 2 or width < 1:
        return None
    columns = [table[c].to_numpy(dtype=object, copy=False) for c in table.columns]
    inner_delimiters = 0
    with_cr: list[int] = []
    quoted = b'"' in data
    separators = data.count(delimiter.encode("utf-8"))
    del data
    for pos, values in enumerate(columns):
        joined = "\x00".join(values)
        if quoted:
            inner_delimiters += joined.count(delimiter)
        if "\r" in joined:
            with_cr.append(pos)
    if separators - inner_delimiters != n_records * (width - 1):
        return None
    # a blank record gives a row of empty strings; look only at rows whose first cell is empty
    first_empty = np.flatnonzero(columns[0] == "")
    if len(first_empty):
        blank = np.ones(len(first_empty), dtype=bool)
        for values in columns[1:]:
            blank &= values[first_empty] == ""
        if blank.any():
            return None
    for pos in with_cr:
        columns[pos] = np.array([newlines(v) for v in columns[pos]], dtype=object)
    header = [str(v) for v in table.iloc[0].tolist()]
    names, duplicates, renamed = clean_headings(header)
    del table
    # one 2-D block, as the reference builds it (a frame of many blocks is slow to add columns to)
    cells = np.empty((n_records - 1, width), dtype=object)
    for pos, values in enumerate(columns):
        cells[:, pos] = values[1:]
    del columns
    index = pd.RangeIndex(2, n_records + 1, name=ROW)
    df = pd.DataFrame(cells, columns=pd.Index(names, dtype=object), index=index, dtype=object, copy=False)
    info.update(
        n_rows=len(df),
        n_columns=len(names),
        header_row=1,
        duplicate_headings=duplicates,
        renamed_headings=renamed,
        ragged_rows=[],
        extra_column=None,
    )
    df.attrs["source_info"] = SourceInfo(**info).to_dict()
    return df
