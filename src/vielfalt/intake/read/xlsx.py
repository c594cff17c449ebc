"""XLSX workbooks → records: zip-bomb and size guards, then one worksheet's cells as the text Excel shows.

A workbook is a ZIP archive; before openpyxl sees it, the archive must unpack to at most
``XLSX_UNPACK_FACTOR * max_bytes`` (capped at ``XLSX_UNPACK_CAP``) and no large member may be compressed
more than ``XLSX_MAX_RATIO``:1. Cells become the text Excel shows, except that number formats are not
applied (a cell showing ``12,5 %`` gives ``0.125``); formulas give their last calculated result.

Examples
--------
>>> cell_text(120.0), cell_text(0.125), cell_text(True), cell_text(None)
('120', '0.125', 'TRUE', '')
"""

from __future__ import annotations

import datetime as _dt
import io
import warnings
import zipfile
from typing import Any

from vielfalt.exceptions import DataError
from vielfalt.i18n import t
from vielfalt.intake.read.decode import fmt_int

__all__ = ["XLSX_MAX_RATIO", "XLSX_UNPACK_CAP", "XLSX_UNPACK_FACTOR", "cell_text", "xlsx_records"]


#: Unpacked, an XLSX may be this many times ``max_bytes`` (real workbooks unpack 5-10x) …
XLSX_UNPACK_FACTOR = 20
#: … but never more than this many bytes.
XLSX_UNPACK_CAP = 2_000_000_000
#: Largest compression ratio of a member; members smaller than 1 MB cannot hurt whatever their ratio.
XLSX_MAX_RATIO = 100
_XLSX_RATIO_MIN_MEMBER = 1_000_000


# --- XLSX ---------------------------------------------------------------------------------------------------
def xlsx_records(
    data: bytes, shown: str, sheet: str | int | None, max_bytes: int, lang: str
) -> tuple[list[list[str]], str]:
    """Check the archive for zip bombs, then read one worksheet's cells as display strings.

    Parameters
    ----------
    data : bytes
        The workbook.
    shown : str
        The path, for messages.
    sheet : str or int or None
        Worksheet by name (exact, else case-insensitive) or 0-based position; None: the first.
    max_bytes : int
        The size limit of the file; the archive may unpack to ``XLSX_UNPACK_FACTOR`` times as much.
    lang : {"de", "en"}
        Language of the messages.

    Returns
    -------
    (records, title)
        Every row as a list of cell texts, and the title of the worksheet read.

    Raises
    ------
    DataError
        When the archive is damaged or suspicious, holds no workbook, or the sheet does not exist.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            names = {m.filename for m in members}
    except Exception as err:
        # BadZipFile mostly, but zipfile also raises OSError, ValueError, EOFError, NotImplementedError, …
        msg = t("intake.bad_zip", lang, path=shown, error=err)
        raise DataError(msg, path=shown) from err
    limit = min(XLSX_UNPACK_FACTOR * max_bytes, XLSX_UNPACK_CAP)
    total = sum(m.file_size for m in members)
    if total > limit:
        msg = t("intake.zip_too_big", lang, path=shown, size=fmt_int(total, lang), limit=fmt_int(limit, lang))
        raise DataError(msg, path=shown)
    for m in members:
        if m.file_size > _XLSX_RATIO_MIN_MEMBER:
            ratio = m.file_size / max(m.compress_size, 1)
            if ratio > XLSX_MAX_RATIO:
                msg = t(
                    "intake.zip_ratio",
                    lang,
                    path=shown,
                    member=m.filename,
                    ratio=fmt_int(round(ratio), lang),
                    limit=XLSX_MAX_RATIO,
                )
                raise DataError(msg, path=shown)
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        detail = t("intake.zip_without_workbook_detail", lang)
        msg = t("intake.not_workbook", lang, path=shown, detail=detail)
        raise DataError(msg, path=shown)

    import openpyxl  # imported here: only XLSX inputs pay for it

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not concern cell values
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                ws = _pick_sheet(wb, sheet, shown, lang)
                # stored dimensions are often wrong (written by other tools); read what is there
                ws.reset_dimensions()
                records = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
                title = str(ws.title)
            finally:
                wb.close()
    except DataError:
        raise
    except Exception as err:
        # openpyxl raises KeyError, ValueError, TypeError, XML parser errors, …: whatever the bytes, the
        # caller gets a DataError (the boundary contract of read_table)
        msg = t("intake.xlsx_error", lang, path=shown, error=f"{type(err).__name__}: {err}")
        raise DataError(msg, path=shown) from err
    return records, title


def _pick_sheet(wb: Any, sheet: str | int | None, shown: str, lang: str) -> Any:
    sheets = [ws for ws in wb.worksheets if hasattr(ws, "iter_rows")]
    if not sheets:
        msg = t("intake.no_sheet", lang, path=shown)
        raise DataError(msg, path=shown)
    if sheet is None:
        return sheets[0]
    if isinstance(sheet, int):
        if 0 <= sheet < len(sheets):
            return sheets[sheet]
    else:
        exact = [ws for ws in sheets if ws.title == sheet]
        if exact:
            return exact[0]
        folded = [ws for ws in sheets if ws.title.casefold() == sheet.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
    available = ", ".join(t("intake.quoted", lang, text=ws.title) for ws in sheets)
    msg = t("intake.sheet_missing", lang, path=shown, sheet=sheet, available=available)
    raise DataError(msg, path=shown)


def cell_text(v: Any) -> str:
    """A cell value as the user reads it in Excel (apart from number formats, which are not applied)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        # Excel stores every number as a double; 120.0 is shown as 120
        if v.is_integer() and abs(v) < 1e16:
            return str(int(v))
        return repr(v)
    if isinstance(v, _dt.datetime):
        if v.time() == _dt.time(0, 0) and v.tzinfo is None:
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, _dt.date | _dt.time):
        return v.isoformat()
    return str(v)
