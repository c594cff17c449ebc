"""Records → the string table: row numbers, cleaned headings, ragged rows, and the provenance of the read.

Whatever the format, the reader ends here: a list of records (each a list of ``str``) becomes a DataFrame
whose every cell is a ``str``, indexed by the row an evaluator sees in Excel, with its provenance in
``df.attrs["source_info"]`` (:class:`SourceInfo`).

Examples
--------
>>> df = build_frame([["id", "Q1", "Q1"], ["1", "a", "b"]], {"path": "a.csv", "format": "csv"},
...                  grid=False, delimiter=";", lang="de")
>>> list(df.columns), df.attrs["source_info"]["duplicate_headings"]
(['id', 'Q1', 'Q1__2'], ['Q1'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd

from vielfalt.columns import ROW
from vielfalt.exceptions import ConfigError, DataError
from vielfalt.i18n import t

__all__ = ["EXTRA_COLUMN", "SourceInfo", "build_frame", "clean_headings", "newlines", "source_info"]

EXTRA_COLUMN = "__extra__"
"""Column holding the surplus fields of rows longer than the header, joined by the delimiter."""


# --- provenance ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceInfo:
    """Provenance of a table read by :func:`read_table`, kept as a dict in ``df.attrs["source_info"]``.

    Attributes
    ----------
    path : str
        The path as given.
    format : {"csv", "xlsx"}
        Detected from the file's bytes, not only its name.
    encoding : str or None
        Codec used for a text file (``utf-8-sig``, ``utf-8``, ``cp1252``, ``utf-16``, …); None for XLSX.
    encoding_source : {"explicit", "bom", "utf-8", "fallback"} or None
        How the encoding was found; "fallback" means the file was not UTF-8 and was read as cp1252.
    delimiter : str or None
        Field delimiter of a text file; None for XLSX.
    sha256 : str
        Hex digest of the file's bytes.
    size_bytes : int
        Size of the file.
    n_rows, n_columns : int
        Shape of the returned table (``n_columns`` includes :data:`EXTRA_COLUMN` when present).
    header_row : int
        Spreadsheet row of the header (1 unless blank lines precede it).
    duplicate_headings : list of str
        Headings occurring more than once; their later copies are named ``name__2``, ``name__3``, ….
    renamed_headings : dict
        Column name → the heading as written, for every column whose name differs from its cleaned heading
        (duplicates and empty headings, which become ``col_<n>``).
    ragged_rows : list of dict
        ``{"row": r, "fields": n, "expected": m}`` for each record with more or fewer fields than the header.
    extra_column : str or None
        Name of the column holding surplus fields of long rows, or None when there were none.
    sheet : str or None
        Worksheet read (XLSX only).
    form : dict or None
        For a filled Teilnahmebogen (:func:`read_form`): ``edition``, ``questionnaire``, ``version``,
        ``sha256``, ``lang``, ``format_version`` from its metadata sheet and ``cells`` (code → [sheet, cell]).
    """

    path: str
    format: str
    encoding: str | None = None
    encoding_source: str | None = None
    delimiter: str | None = None
    sha256: str = ""
    size_bytes: int = 0
    n_rows: int = 0
    n_columns: int = 0
    header_row: int = 1
    duplicate_headings: list[str] = field(default_factory=list)
    renamed_headings: dict[str, str] = field(default_factory=dict)
    ragged_rows: list[dict[str, int]] = field(default_factory=list)
    extra_column: str | None = None
    sheet: str | None = None
    form: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the info as a JSON-serialisable dict (deep copy)."""
        return asdict(self)


def source_info(df: pd.DataFrame, *, lang: Literal["de", "en"] = "de") -> SourceInfo:
    """Return the provenance that :func:`read_table` stored on `df`.

    Parameters
    ----------
    df : DataFrame
        A table returned by :func:`read_table` (attrs survive most pandas operations).
    lang : {"de", "en"}, default "de"
        Language of the error message.

    Returns
    -------
    SourceInfo

    Raises
    ------
    ConfigError
        When `df` carries no source info.
    """
    info = getattr(df, "attrs", {}).get("source_info")
    if not isinstance(info, Mapping):
        msg = t("intake.not_read_table", lang)
        raise ConfigError(msg)
    known = SourceInfo.__dataclass_fields__
    return SourceInfo(**{k: v for k, v in info.items() if k in known})


def newlines(cell: str) -> str:
    """Normalise CRLF and lone CR inside a cell to LF (LimeSurvey's own convention).

    Examples
    --------
    >>> newlines("a\\r\\nb\\rc")
    'a\\nb\\nc'
    """
    if "\r" in cell:
        return cell.replace("\r\n", "\n").replace("\r", "\n")
    return cell


def clean_headings(raw: Sequence[str]) -> tuple[list[str], list[str], dict[str, str]]:
    """Return (column names, duplicated headings, renamed column → heading as written).

    Headings lose a BOM and surrounding white space; an empty one becomes ``col_<n>`` (1-based position),
    a repeated one ``name__2``, ``name__3``, … (skipping suffixes a real heading already uses).

    Examples
    --------
    >>> clean_headings(["\\ufeffid ", "Q1", "Q1", ""])
    (['id', 'Q1', 'Q1__2', 'col_4'], ['Q1'], {'Q1__2': 'Q1', 'col_4': ''})
    """
    cleaned = [newlines(h).replace("\ufeff", "").strip() for h in raw]
    base = [h if h else f"col_{i}" for i, h in enumerate(cleaned, start=1)]
    reserved = set(base)
    seen: dict[str, int] = {}
    names: list[str] = []
    used: set[str] = set()
    duplicates: list[str] = []
    renamed: dict[str, str] = {}
    for h, c, b in zip(raw, cleaned, base, strict=True):
        if b not in used:
            name = b
        else:
            if b not in seen:
                duplicates.append(b)
            k = seen.get(b, 1) + 1
            # skip suffixes a real heading already uses (a file may contain both "x" twice and "x__2")
            while f"{b}__{k}" in reserved or f"{b}__{k}" in used:
                k += 1
            seen[b] = k
            name = f"{b}__{k}"
        used.add(name)
        names.append(name)
        if name != c:
            renamed[name] = h
    return names, duplicates, renamed


def build_frame(
    records: Iterable[list[str]], info: dict[str, Any], *, grid: bool, delimiter: str | None, lang: str
) -> pd.DataFrame:
    """Turn parsed records into the string table with row numbers and source info.

    `records` is consumed once, so a text file is never held as records and rows at the same time. Blank
    records before the header are skipped (the row numbers still count them), blank records at the end are
    dropped (LimeSurvey ends with one), blank records in between become empty rows, as Excel shows them.

    `grid` is True for worksheets: there a row has no "field count", trailing empty cells are not fields,
    and the table is as wide as its widest row (missing headings become ``col_<n>``); text files are as wide
    as their header, and deviating records are ragged.

    Parameters
    ----------
    records : iterable of list of str
        The parsed records, the header first.
    info : dict
        The provenance gathered so far (path, format, …); shape, headings and ragged rows are added.
    grid : bool
        True for a worksheet, False for a text table.
    delimiter : str or None
        Joins the surplus fields of a long record (text tables).
    lang : {"de", "en"}
        Language of the messages.

    Returns
    -------
    DataFrame
        Every cell a ``str``, index ``row``, provenance in ``df.attrs["source_info"]``.

    Raises
    ------
    DataError
        When there is no header (only blank records).
    """
    shown = info["path"]
    width = 0
    if grid:
        trimmed = [_rstrip_empty(r) for r in records]
        width = max(map(len, trimmed), default=0)
        records = trimmed
    it = iter(records)
    header: list[str] | None = None
    header_row = 0
    for rec in it:
        header_row += 1
        if rec:
            header = rec
            break
    if header is None:
        msg = t("intake.empty", lang, path=shown)
        raise DataError(msg, path=shown)
    if not grid:
        width = len(header)
    names, duplicates, renamed = clean_headings(header + [""] * (width - len(header)))

    rows: list[list[str]] = []
    ragged: list[dict[str, int]] = []
    extras: dict[int, str] = {}
    # one object per distinct short value ("", "Y", "de", …): questionnaire columns repeat a few codes, and a
    # str per cell would dominate memory
    shared: dict[str, str] = {}
    blank = 0
    for rec in it:
        if not rec:
            blank += 1  # kept only if a record follows
            continue
        for _ in range(blank):
            rows.append([""] * width)
        blank = 0
        n = len(rec)
        if n == width or (n > width and not any(rec[width:])):
            row = rec[:width] if n > width else rec
        elif n < width:
            row = rec + [""] * (width - n)
            if not grid:  # a worksheet row just ends at its last filled cell
                ragged.append({"row": header_row + 1 + len(rows), "fields": n, "expected": width})
        else:
            row = rec[:width]
            extras[len(rows)] = newlines(delimiter.join(rec[width:]) if delimiter else "")
            ragged.append({"row": header_row + 1 + len(rows), "fields": n, "expected": width})
        rows.append([shared.setdefault(c, c) if len(c) <= 64 else c for c in map(newlines, row)])

    extra_name = None
    if extras:
        # never shift: the surplus stays visible in its own column
        names_all, _, _ = clean_headings([*names, EXTRA_COLUMN])
        extra_name = names_all[-1]
        names = [*names, extra_name]
        for pos, row in enumerate(rows):
            row.append(extras.get(pos, ""))

    index = pd.RangeIndex(header_row + 1, header_row + 1 + len(rows), name=ROW)
    if rows:
        df = pd.DataFrame(rows, columns=pd.Index(names, dtype=object), index=index, dtype=object)
    else:
        df = pd.DataFrame(
            {n: pd.Series([], dtype=object) for n in names},
            index=index,
            columns=pd.Index(names, dtype=object),
        )
    info.update(
        n_rows=len(df),
        n_columns=len(names),
        header_row=header_row,
        duplicate_headings=duplicates,
        renamed_headings=renamed,
        ragged_rows=ragged,
        extra_column=extra_name,
    )
    df.attrs["source_info"] = SourceInfo(**info).to_dict()
    return df


def _rstrip_empty(rec: list[str]) -> list[str]:
    end = len(rec)
    while end and rec[end - 1] == "":
        end -= 1
    return rec[:end]
