"""Writing tables for people: XLSX and CSV with a formula-injection guard, byte-deterministic.

Every cell the suite writes passes :func:`neutralise`: text starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return gets a leading apostrophe, so a spreadsheet never evaluates it as a formula (OWASP
"CSV Injection"). Numbers stay numbers. XLSX files are written with fixed document and zip timestamps, so the
same table gives the same bytes (a requirement for reproducible runs).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vielfalt.intake.read import FORMULA_PREFIXES

__all__ = [
    "FIXED_TIME",
    "FORMULA_PREFIXES",
    "neutralise",
    "neutralise_frame",
    "normalise_zip",
    "write_csv",
    "write_xlsx",
]

#: The document time of every XLSX (its zip members get 1980-01-01): the same table gives the same bytes.
FIXED_TIME = datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# openpyxl overwrites properties.modified with the save time, so the stamp is fixed in the XML itself
_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def neutralise(value: Any) -> Any:
    """Make one cell value safe for spreadsheets.

    Text that a spreadsheet would read as a formula gets a leading ``'``; numbers, booleans and empty
    values pass unchanged. Negative numbers stay numbers (they are not text).

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise(-3)
    -3
    >>> neutralise("-")
    "'-"
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells and column headings are neutralised.

    Parameters
    ----------
    df : DataFrame
        Any table.

    Returns
    -------
    DataFrame
        A copy; text columns hold objects, numbers are unchanged.

    Examples
    --------
    >>> neutralise_frame(pd.DataFrame({"=x": ["@a", "b"], "n": [-1, 2]})).to_dict("list")
    {"'=x": ["'@a", 'b'], 'n': [-1, 2]}
    """
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutralise).astype(object)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def _cell(value: Any) -> Any:
    """Convert pandas/numpy values into what openpyxl writes plainly."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _cell(value.item())
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, list | tuple | dict | set):
        return str(value)
    return neutralise(value)


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip (an XLSX) with fixed member timestamps and order, so equal content gives equal bytes.

    Parameters
    ----------
    data : bytes
        The zip as written (e.g. by openpyxl).

    Returns
    -------
    bytes
        The same members, ``[Content_Types].xml`` first, then by name, each dated 1980-01-01, and the
        document's created/modified stamps set to :data:`FIXED_TIME`.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            data = src.read(name)
            if name == "docProps/core.xml":
                data = _CORE_TIME.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            dst.writestr(info, data)
    return out.getvalue()


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    headers: Mapping[str, Sequence[str]] | None = None,
    title_rows: Mapping[str, Sequence[str]] | None = None,
    column_widths: Mapping[str, Mapping[str, float]] | None = None,
    validations: Mapping[str, Sequence[tuple[str, str, str]]] | None = None,
    index: bool = False,
) -> Path:
    """Write one or more tables to an XLSX file, guarded and deterministic.

    Parameters
    ----------
    sheets : mapping of sheet name → DataFrame
        The tables, one sheet each (names cut to Excel's 31 characters).
    path : str or Path
        The file to write (its folder is created).
    headers : mapping of sheet name → headings, optional
        Headings to show instead of the column names (e.g. German).
    title_rows : mapping of sheet name → lines, optional
        Lines written above the table (edition, generation note).
    column_widths : mapping of sheet name → {column letter: width}, optional
        Column widths in Excel's units.
    validations : mapping of sheet name → [(cell range, comma list, prompt)], optional
        Data-validation lists (e.g. ratings 0–4).
    index : bool, default False
        Write the index as the first column.

    Returns
    -------
    Path
        The file written.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=str(name)[:31])
        frame = df.reset_index() if index else df
        for line in (title_rows or {}).get(name, []):
            ws.append([_cell(line)])
        head = list((headers or {}).get(name, [str(c) for c in frame.columns]))
        ws.append([_cell(h) for h in head])
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
        # freeze below the heading; set after appending, since touching a cell would move max_row
        ws.freeze_panes = f"A{header_row + 1}"
        for letter, width in (column_widths or {}).get(name, {}).items():
            ws.column_dimensions[letter].width = width
        for rng, options, prompt in (validations or {}).get(name, []):
            dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True, showErrorMessage=True)
            dv.error = prompt
            dv.prompt = prompt
            ws.add_data_validation(dv)
            dv.add(rng)
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "vielfalt"
    buf = io.BytesIO()
    wb.save(buf)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(normalise_zip(buf.getvalue()))
    return p


def write_csv(
    df: pd.DataFrame, path: str | Path, *, headers: Sequence[str] | None = None, index: bool = False
) -> Path:
    """Write a guarded CSV for Excel users: UTF-8 with BOM, ``;``, CRLF (what German Excel opens cleanly).

    Parameters
    ----------
    df : DataFrame
        The table; every text cell and heading passes :func:`neutralise`.
    path : str or Path
        The file to write (its folder is created).
    headers : sequence of str, optional
        Headings to show instead of the column names.
    index : bool, default False
        Write the index as the first column.

    Returns
    -------
    Path
        The file written.
    """
    frame = neutralise_frame(df.reset_index() if index else df)
    if headers is not None:
        frame.columns = [neutralise(h) for h in headers]
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(p, sep=";", index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return p
