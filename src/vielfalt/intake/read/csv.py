"""The raw layer: read a response table into strings, parse German/LimeSurvey values, resolve headings.

Nothing here knows the questionnaire. :func:`read_table` turns a file (LimeSurvey CSV, German Excel CSV,
Excel "Unicode-Text", XLSX) into a DataFrame whose every cell is a Python ``str``, indexed by the row number
an evaluator sees in Excel, with provenance in ``df.attrs["source_info"]``. The value parsers
(:func:`parse_number`, :func:`parse_bool`, :func:`strip_injection_mask`) and :func:`resolve_headings` are pure
functions the validation layer applies column by column.

The dialects are those of DOMAIN.md §5: LimeSurvey writes UTF-8 with BOM, quotes every value, ends records
with CRLF and adds a blank line at EOF; German Excel writes ``;``-separated Windows-1252 with decimal commas
and placeholders such as ``k.A.`` or ``ca. 120``.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as _dt
import hashlib
import html
import io
import itertools
import math
import os
import re
import stat
import unicodedata
import warnings
import zipfile
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from vielfalt.columns import FORM_FORMAT, FORM_META_SHEET, ROW
from vielfalt.exceptions import ConfigError, DataError

__all__ = [
    "BOOL_FALSE",
    "BOOL_TRUE",
    "DEFAULT_MAX_BYTES",
    "DELIMITER_CANDIDATES",
    "EXTRA_COLUMN",
    "LIMESURVEY_METADATA",
    "LIMESURVEY_METADATA_HEADINGS",
    "MESSAGES",
    "PLACEHOLDERS",
    "HeadingResolution",
    "ParsedNumber",
    "SourceInfo",
    "is_bool_token",
    "is_form",
    "is_placeholder",
    "parse_bool",
    "parse_number",
    "read_form",
    "read_table",
    "resolve_headings",
    "source_info",
    "strip_injection_mask",
]

Lang = Literal["de", "en"]

# --- messages (German default, English with lang="en"); asserted in tests -------------------------------
MESSAGES: dict[str, dict[str, str]] = {
    "not_found": {
        "de": "{path}: Die Datei wurde nicht gefunden. Bitte den Pfad prüfen (Ordner, Schreibweise, Endung).",
        "en": "{path}: The file was not found. Please check the path (folder, spelling, extension).",
    },
    "is_dir": {
        "de": "{path}: Das ist ein Ordner, keine Datei. "
        "Bitte den Pfad zur Tabelle (.csv oder .xlsx) angeben.",
        "en": "{path}: This is a folder, not a file. Please give the path of the table (.csv or .xlsx).",
    },
    "not_regular": {
        "de": "{path}: Das ist keine gewöhnliche Datei (z. B. ein Gerät oder eine Pipe). "
        "Bitte eine .csv- oder .xlsx-Datei angeben.",
        "en": "{path}: This is not a regular file (e.g. a device or a pipe). "
        "Please give a .csv or .xlsx file.",
    },
    "permission": {
        "de": "{path}: Keine Berechtigung, die Datei zu lesen. Bitte die Dateirechte prüfen "
        "oder die Datei in einen eigenen Ordner kopieren.",
        "en": "{path}: No permission to read the file. Please check its permissions "
        "or copy it to a folder of your own.",
    },
    "os_error": {
        "de": "{path}: Die Datei kann nicht gelesen werden ({error}). "
        "Bitte prüfen, ob sie vorhanden und lesbar ist.",
        "en": "{path}: The file cannot be read ({error}). Please check that it exists and is readable.",
    },
    "too_large": {
        "de": "{path}: Die Datei ist {size} Bytes groß, erlaubt sind höchstens {limit} Bytes. "
        "Falls die Datei wirklich so groß sein soll, die Grenze mit max_bytes= (Kommandozeile: --max-mb) "
        "erhöhen.",
        "en": "{path}: The file has {size} bytes; at most {limit} bytes are allowed. If the file really is "
        "that large, raise the limit with max_bytes= (command line: --max-mb).",
    },
    "empty": {
        "de": "{path}: Die Datei ist leer. Bitte die richtige Datei angeben oder den Export wiederholen.",
        "en": "{path}: The file is empty. Please give the right file or repeat the export.",
    },
    "binary": {
        "de": "{path}: Die Datei ist keine Texttabelle (sie enthält Binärdaten). Bitte die Tabelle als "
        "„CSV UTF-8 (durch Trennzeichen getrennt)“ oder als Excel-Arbeitsmappe (.xlsx) speichern.",
        "en": "{path}: The file is not a text table (it contains binary data). Please save the table as "
        "'CSV UTF-8 (comma delimited)' or as an Excel workbook (.xlsx).",
    },
    "xls": {
        "de": "{path}: Das alte Excel-Format .xls wird nicht gelesen. Bitte die Datei in Excel öffnen und "
        "als Excel-Arbeitsmappe (.xlsx) oder als „CSV UTF-8“ speichern.",
        "en": "{path}: The old Excel format .xls is not supported. Please open the file in Excel and save "
        "it as an Excel workbook (.xlsx) or as 'CSV UTF-8'.",
    },
    "encrypted": {
        "de": "{path}: Die Excel-Datei ist passwortgeschützt oder im alten .xls-Format gespeichert. "
        "Bitte den Kennwortschutz entfernen und als Excel-Arbeitsmappe (.xlsx) oder „CSV UTF-8“ speichern.",
        "en": "{path}: The Excel file is password-protected or in the old .xls format. Please remove the "
        "password and save it as an Excel workbook (.xlsx) or 'CSV UTF-8'.",
    },
    "bad_zip": {
        "de": "{path}: Die Datei ist keine gültige Excel-Datei (.xlsx), das ZIP-Archiv ist beschädigt "
        "({error}). "
        "Bitte die Datei in Excel öffnen und neu speichern oder als „CSV UTF-8“ exportieren.",
        "en": "{path}: The file is not a valid Excel file (.xlsx); the ZIP archive is damaged ({error}). "
        "Please open it in Excel and save it again, or export it as 'CSV UTF-8'.",
    },
    "not_workbook": {
        "de": "{path}: Die Datei ist keine Excel-Arbeitsmappe (.xlsx){detail}. "
        "Bitte die Tabelle in Excel als Excel-Arbeitsmappe (.xlsx) oder als „CSV UTF-8“ speichern.",
        "en": "{path}: The file is not an Excel workbook (.xlsx){detail}. "
        "Please save the table in Excel as an Excel workbook (.xlsx) or as 'CSV UTF-8'.",
    },
    "zip_too_big": {
        "de": "{path}: Die Excel-Datei würde entpackt {size} Bytes belegen, erlaubt sind {limit} "
        "Bytes; sie wird aus Sicherheitsgründen nicht geöffnet. Bitte die Datei prüfen oder als „CSV UTF-8“ "
        "exportieren; bei "
        "echten großen Tabellen die Grenze mit max_bytes= (Kommandozeile: --max-mb) erhöhen.",
        "en": "{path}: Unpacked, the Excel file would take {size} bytes; {limit} bytes are allowed, "
        "so it is not opened, for safety. Please check the file or export it as 'CSV UTF-8'; for genuinely "
        "large tables "
        "raise the limit with max_bytes= (command line: --max-mb).",
    },
    "zip_ratio": {
        "de": "{path}: Der Teil „{member}“ der Excel-Datei ist ungewöhnlich stark komprimiert "
        "(Faktor {ratio}, erlaubt {limit}); die Datei wird aus Sicherheitsgründen nicht geöffnet. Bitte die "
        "Datei prüfen oder "
        "als „CSV UTF-8“ exportieren.",
        "en": "{path}: The part '{member}' of the Excel file is unusually highly compressed (ratio {ratio}, "
        "allowed {limit}); the file is not opened, for safety. Please check the file or export it as "
        "'CSV UTF-8'.",
    },
    "xlsx_error": {
        "de": "{path}: Die Excel-Datei kann nicht gelesen werden ({error}). Bitte die Datei in Excel öffnen "
        "und neu speichern oder als „CSV UTF-8“ exportieren.",
        "en": "{path}: The Excel file cannot be read ({error}). Please open it in Excel and save it again, "
        "or export it as 'CSV UTF-8'.",
    },
    "sheet_missing": {
        "de": "{path}: Das Tabellenblatt „{sheet}“ gibt es nicht (vorhanden: {available}). "
        "Bitte den Namen des Blatts (sheet) in der Editionsdatei anpassen.",
        "en": "{path}: There is no sheet '{sheet}' (present: {available}). Please correct the sheet name "
        "in the edition file.",
    },
    "no_sheet": {
        "de": "{path}: Die Excel-Datei enthält kein Tabellenblatt mit Zellen. Bitte die Tabelle auf ein "
        "normales Tabellenblatt kopieren und neu speichern.",
        "en": "{path}: The Excel file contains no worksheet with cells. "
        "Please copy the table onto an ordinary worksheet and save again.",
    },
    "decode_explicit": {
        "de": "{path}: Zeile {line}: Die Datei lässt sich nicht als {encoding} lesen "
        "(Byte {offset}). Bitte die richtige Kodierung angeben (z. B. encoding='cp1252') oder die Datei als "
        "„CSV UTF-8“ speichern.",
        "en": "{path}: line {line}: The file cannot be read as {encoding} (byte {offset}). Please give the "
        "right encoding (e.g. encoding='cp1252') or save the file as 'CSV UTF-8'.",
    },
    "unknown_encoding": {
        "de": "{path}: Zeile {line}: Die Kodierung der Datei ist weder UTF-8 noch Windows-1252 "
        "(Byte {offset}). "
        "Bitte die Datei in Excel als „CSV UTF-8 (durch Trennzeichen getrennt)“ speichern oder die "
        "Kodierung mit encoding= angeben.",
        "en": "{path}: line {line}: The file's encoding is neither UTF-8 nor Windows-1252 (byte {offset}). "
        "Please save it in Excel as 'CSV UTF-8 (comma delimited)' or give the encoding with encoding=.",
    },
    "unclosed_quote": {
        "de": '{path}: Zeile {line}: Ein Anführungszeichen (") wird bis zum Dateiende nicht '
        "geschlossen; alle folgenden Zeilen wären in einer Zelle gelandet. Bitte das Anführungszeichen in "
        "Zeile {line} "
        'prüfen (Text in Anführungszeichen, inneres " verdoppeln) und die Datei neu speichern.',
        "en": '{path}: line {line}: A quotation mark (") is never closed; all following lines would have '
        "ended up in one cell. Please check the quotation mark in line {line} (quote the text, double an "
        'inner ") and save the file again.',
    },
    "csv_error": {
        "de": "{path}: Zeile {line}: Die CSV-Datei ist fehlerhaft ({error}). Bitte die Datei in Excel öffnen "
        "und neu speichern.",
        "en": "{path}: line {line}: The CSV file is malformed ({error}). Please open it in Excel and save it "
        "again.",
    },
    "bad_param": {
        "de": "Der Parameter '{name}' von {func} muss {expected} sein. Erhalten: {value!r}.",
        "en": "The '{name}' parameter of {func} must be {expected}. Got {value!r} instead.",
    },
    "not_read_table": {
        "de": "Die Tabelle stammt nicht von read_table (df.attrs['source_info'] fehlt). "
        "Bitte die Datei mit vielfalt.intake.read.read_table lesen.",
        "en": "The table does not come from read_table (df.attrs['source_info'] is missing). "
        "Please read the file with vielfalt.intake.read.read_table.",
    },
    "not_form": {
        "de": "{path}: Die Arbeitsmappe ist kein vielfalt-Teilnahmebogen (das verborgene Blatt „{sheet}“ "
        "fehlt oder nennt kein Format {format}). Bitte das Formular verwenden, das "
        "„vielfalt field ED --to xlsx“ geschrieben hat, oder die Datei mit dialect: excel einlesen.",
        "en": "{path}: The workbook is not a vielfalt participation form (the hidden sheet '{sheet}' is "
        "missing or names no format {format}). Please use the form written by 'vielfalt field ED --to xlsx', "
        "or read the file with dialect: excel.",
    },
    "form_broken": {
        "de": "{path}: Das Formular ist beschädigt: {detail}. Bitte die Angaben in ein neues Formular "
        "übertragen (vielfalt field ED --to xlsx).",
        "en": "{path}: The form is damaged: {detail}. Please copy the answers into a new form "
        "(vielfalt field ED --to xlsx).",
    },
    "mapping_target": {
        "de": "Die Zuordnung „{heading}“ → „{target}“ zeigt auf keine bekannte Spalte{hint}. "
        "Bitte die Zuordnung (inputs.mapping) in der Editionsdatei korrigieren.",
        "en": "The mapping '{heading}' → '{target}' points to no known column{hint}. "
        "Please correct the mapping (inputs.mapping) in the edition file.",
    },
}

DEFAULT_MAX_BYTES = 150_000_000
"""Largest input file read by default (150 MB); raise it with ``max_bytes=`` or the CLI's ``--max-mb``."""

DELIMITER_CANDIDATES: tuple[str, ...] = (";", ",", "\t", "|")
"""Delimiters the sniffer tries, in order of preference on a tie (``;``: LimeSurvey, German Excel)."""

EXTRA_COLUMN = "__extra__"
"""Column holding the surplus fields of rows longer than the header, joined by the delimiter."""

# Unpacked XLSX may be this many times max_bytes, but never more than the cap: real workbooks unpack 5-10x.
XLSX_UNPACK_FACTOR = 20
XLSX_UNPACK_CAP = 2_000_000_000
# Members smaller than this cannot hurt whatever their ratio; larger ones over the ratio are refused.
XLSX_MAX_RATIO = 100
_XLSX_RATIO_MIN_MEMBER = 1_000_000

_SNIFF_RECORDS = 50
_SNIFF_CHARS = 1 << 20
_CONTROL_SAMPLE = 1 << 20
_CONTROL_SHARE = 0.05
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
# UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Cell starts a spreadsheet may run as a formula (CSV injection): masked on reading, neutralised on writing.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

# --- LimeSurvey metadata ------------------------------------------------------------------------------------
LIMESURVEY_METADATA: tuple[str, ...] = (
    "id",
    "submitdate",
    "lastpage",
    "startlanguage",
    "seed",
    "token",
    "startdate",
    "datestamp",
    "ipaddr",
    "refurl",
)
"""Metadata columns of a LimeSurvey response export (heading type "code"), DOMAIN.md §5.1."""

LIMESURVEY_METADATA_HEADINGS: dict[str, str] = {
    # English "full" headings (LimeSurvey's source strings)
    "Response ID": "id",
    "Date submitted": "submitdate",
    "Last page": "lastpage",
    "Start language": "startlanguage",
    "Seed": "seed",
    "Token": "token",
    "Date started": "startdate",
    "Date last action": "datestamp",
    "IP address": "ipaddr",
    "Referrer URL": "refurl",
    # German translations as found in real exports ("results-survey….csv" of German installations)
    "Antwort ID": "id",
    "Datum Abgeschickt": "submitdate",
    "Letzte Seite": "lastpage",
    "Start-Sprache": "startlanguage",
    "Zufallsstartwert": "seed",
    "Zufallsgeneratorstartwert": "seed",
    "Zugangsschlüssel": "token",
    "Datum gestartet": "startdate",
    "Datum letzte Aktivität": "datestamp",
    "IP-Adresse": "ipaddr",
    "Weiterleitungs-URL": "refurl",
}
"""Full ("full"/"abbreviated" heading type) metadata headings → metadata code, compared case-insensitively."""


def _msg(key: str, lang: str, **kw: Any) -> str:
    return MESSAGES[key][lang].format(**kw)


def _fmt_int(n: int, lang: str) -> str:
    """Group digits the reader's way: 1.234.567 in German, 1,234,567 in English."""
    s = f"{n:,}"
    return s.replace(",", ".") if lang == "de" else s


# what each parameter must be, for the sklearn-style message of a bad value
_PARAM_EXPECTED: dict[str, tuple[str, str]] = {
    "lang": ("'de' oder 'en'", "'de' or 'en'"),
    "path": ("ein Pfad (str oder Path)", "a path (str or Path)"),
    "max_bytes": ("eine ganze Zahl > 0", "an int > 0"),
    "sheet": ("ein Blattname, eine Position oder None", "a sheet name, a position or None"),
    "encoding": (
        "der Name einer Textkodierung (z. B. 'cp1252') oder None",
        "the name of a text encoding (e.g. 'cp1252') or None",
    ),
    "delimiter": (
        'ein einzelnes Zeichen außer " und Zeilenumbruch, oder None',
        'a single character other than " and line breaks, or None',
    ),
    "decimal": ("',' oder '.' oder None", "',' or '.' or None"),
}


def _param_msg(func: str, name: str, value: Any, lang: str) -> str:
    de, en = _PARAM_EXPECTED[name]
    return _msg("bad_param", lang, func=func, name=name, value=value, expected=de if lang == "de" else en)


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


def source_info(df: pd.DataFrame, *, lang: Lang = "de") -> SourceInfo:
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
        msg = _msg("not_read_table", lang)
        raise ConfigError(msg)
    known = SourceInfo.__dataclass_fields__
    return SourceInfo(**{k: v for k, v in info.items() if k in known})


# --- reading ------------------------------------------------------------------------------------------------
def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    lang: Lang = "de",
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
        One character. Default: sniffed over :data:`DELIMITER_CANDIDATES` by parsing the first records with
        each (quotes respected) and taking the one giving the most consistent field count above 1.
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
        position). Records with more fields than the header keep the surplus in :data:`EXTRA_COLUMN`; short
        records are padded with ``""``; both are listed in ``ragged_rows``. Provenance is in
        ``df.attrs["source_info"]`` (see :class:`SourceInfo` and :func:`source_info`).

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
    >>> _ = p.write_bytes(b'\\xef\\xbb\\xbf"id";"A01"\\r\\n"1";"M\\xc3\\xbcller"\\r\\n\\r\\n')
    >>> df = read_table(p)
    >>> df.loc[2, "A01"], df.attrs["source_info"]["delimiter"]
    ('Müller', ';')
    """
    if lang not in ("de", "en"):
        msg = _param_msg("read_table", "lang", lang, "de")
        raise ConfigError(msg)
    _check_params(sheet=sheet, encoding=encoding, delimiter=delimiter, max_bytes=max_bytes, lang=lang)
    if isinstance(path, bytes) or not isinstance(path, str | os.PathLike):
        msg = _param_msg("read_table", "path", path, lang)
        raise ConfigError(msg)
    shown = os.fspath(path)
    data = _read_bytes(Path(path), shown, max_bytes, lang)
    info: dict[str, Any] = {
        "path": shown,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size_bytes": len(data),
    }
    if len(data) == 0:
        msg = _msg("empty", lang, path=shown)
        raise DataError(msg, path=shown)
    suffix = Path(shown).suffix.lower()
    if data.startswith(_ZIP_MAGIC):
        records, sheet_name = _xlsx_records(data, shown, sheet, max_bytes, lang)
        info.update(format="xlsx", encoding=None, encoding_source=None, delimiter=None, sheet=sheet_name)
        return _build_frame(records, info, grid=True, delimiter=None, lang=lang)
    if data.startswith(_OLE_MAGIC):
        key = "encrypted" if suffix in _XLSX_SUFFIXES else "xls"
        msg = _msg(key, lang, path=shown)
        raise DataError(msg, path=shown)
    if suffix == ".xls":
        msg = _msg("xls", lang, path=shown)
        raise DataError(msg, path=shown)
    if suffix in _XLSX_SUFFIXES:
        detail = " (sie ist kein ZIP-Archiv)" if lang == "de" else " (it is not a ZIP archive)"
        msg = _msg("not_workbook", lang, path=shown, detail=detail)
        raise DataError(msg, path=shown)

    text, used, how = _decode(data, shown, encoding, lang)
    del data  # the text replaces the bytes; keep peak memory near two copies of the file
    if not text.strip():
        msg = _msg("empty", lang, path=shown)
        raise DataError(msg, path=shown)
    with _field_limit(len(text) + 1):
        delim = delimiter if delimiter is not None else _sniff(text)
        info.update(format="csv", encoding=used, encoding_source=how, delimiter=delim, sheet=None)
        fast = _fast_frame(text, delim, info)
        if fast is not None:
            return fast
        records = _parse_csv(text, delim, shown, lang)
        return _build_frame(records, info, grid=False, delimiter=delim, lang=lang)


def _check_params(*, sheet: Any, encoding: Any, delimiter: Any, max_bytes: Any, lang: str) -> None:
    """Check read_table's parameters, sklearn-style: one message shape for every bad value."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        msg = _param_msg("read_table", "max_bytes", max_bytes, lang)
        raise ConfigError(msg)
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, str | int)):
        msg = _param_msg("read_table", "sheet", sheet, lang)
        raise ConfigError(msg)
    if encoding is not None:
        ok = isinstance(encoding, str)
        if ok:
            try:
                codecs.lookup(encoding)
            except LookupError:
                ok = False
        if not ok:
            msg = _param_msg("read_table", "encoding", encoding, lang)
            raise ConfigError(msg)
    if delimiter is not None and (
        not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n'
    ):
        msg = _param_msg("read_table", "delimiter", delimiter, lang)
        raise ConfigError(msg)


def _read_bytes(path: Path, shown: str, max_bytes: int, lang: str) -> bytes:
    """Read the whole file after checking that it is a regular file within the size limit."""
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            key = "is_dir"
        elif not stat.S_ISREG(st.st_mode):
            # a FIFO or device could block or never end
            key = "not_regular"
        else:
            key = ""
        if key:
            msg = _msg(key, lang, path=shown)
            raise DataError(msg, path=shown)
        if st.st_size > max_bytes:
            raise _too_large(shown, st.st_size, max_bytes, lang)
        with path.open("rb") as fh:
            # read one byte more than allowed: the file may have grown since stat()
            data = fh.read(max_bytes + 1)
    except FileNotFoundError as err:
        msg = _msg("not_found", lang, path=shown)
        raise DataError(msg, path=shown) from err
    except IsADirectoryError as err:
        msg = _msg("is_dir", lang, path=shown)
        raise DataError(msg, path=shown) from err
    except PermissionError as err:
        msg = _msg("permission", lang, path=shown)
        raise DataError(msg, path=shown) from err
    except (OSError, ValueError) as err:
        # ValueError: e.g. an embedded NUL in the path
        msg = _msg("os_error", lang, path=shown, error=err)
        raise DataError(msg, path=shown) from err
    if len(data) > max_bytes:
        raise _too_large(shown, len(data), max_bytes, lang)
    return data


def _too_large(shown: str, size: int, limit: int, lang: str) -> DataError:
    msg = _msg("too_large", lang, path=shown, size=_fmt_int(size, lang), limit=_fmt_int(limit, lang))
    return DataError(msg, path=shown)


def _position(data: bytes, offset: int) -> int:
    """1-based physical line of a byte offset, for messages."""
    return data.count(b"\n", 0, offset) + 1


def _decode_error(data: bytes, err: UnicodeDecodeError, shown: str, encoding: str, lang: str) -> DataError:
    """The message for bytes that do not decode with the chosen encoding, naming line and byte offset."""
    msg = _msg(
        "decode_explicit",
        lang,
        path=shown,
        encoding=encoding,
        line=_position(data, err.start),
        offset=err.start,
    )
    return DataError(msg, path=shown)


def _decode(data: bytes, shown: str, encoding: str | None, lang: str) -> tuple[str, str, str]:
    """Decode the bytes; return (text, codec, how it was chosen)."""
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as err:
            raise _decode_error(data, err, shown, encoding, lang) from err
        except LookupError as err:
            # a codec that is no text encoding, e.g. 'rot13' or 'zlib'
            msg = _param_msg("read_table", "encoding", encoding, lang)
            raise ConfigError(msg) from err
        except Exception as err:  # a non-text codec (e.g. 'hex', 'zlib') raises its own types
            msg = _msg("os_error", lang, path=shown, error=err)
            raise DataError(msg, path=shown) from err
        if not isinstance(text, str):
            msg = _msg("binary", lang, path=shown)
            raise DataError(msg, path=shown)
        used, how = encoding, "explicit"
    else:
        bom = next((enc for b, enc in _BOMS if data.startswith(b)), None)
        if bom is not None:
            try:
                text = data.decode(bom)
            except UnicodeDecodeError as err:
                raise _decode_error(data, err, shown, bom, lang) from err
            used, how = bom, "bom"
        else:
            if b"\x00" in data:
                # NUL never occurs in a UTF-8 or ANSI text table; UTF-16 without BOM would need encoding=
                msg = _msg("binary", lang, path=shown)
                raise DataError(msg, path=shown)
            try:
                text, used, how = data.decode("utf-8"), "utf-8", "utf-8"
            except UnicodeDecodeError as err:
                try:
                    text, used, how = data.decode("cp1252"), "cp1252", "fallback"
                except UnicodeDecodeError:
                    if _looks_binary(data[:_CONTROL_SAMPLE].decode("latin-1")):
                        msg = _msg("binary", lang, path=shown)
                    else:
                        msg = _msg(
                            "unknown_encoding",
                            lang,
                            path=shown,
                            line=_position(data, err.start),
                            offset=err.start,
                        )
                    raise DataError(msg, path=shown) from err
    # a BOM decoded by a BOM-less codec (explicit "utf-8", "utf-16-le") is not part of the first heading
    text = text.removeprefix("\ufeff")
    if "\x00" in text or _looks_binary(text[:_CONTROL_SAMPLE]):
        msg = _msg("binary", lang, path=shown)
        raise DataError(msg, path=shown)
    return text, used, how


def _looks_binary(sample: str) -> bool:
    """A text table has (almost) no control characters other than tab and line breaks."""
    if not sample:
        return False
    n = sum(1 for _ in _CONTROL_CHARS.finditer(sample))
    return n / len(sample) > _CONTROL_SHARE


@contextlib.contextmanager
def _field_limit(n: int) -> Iterator[None]:
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


# one physical line with its terminator (CRLF, LF or a lone CR), as csv.reader expects its input
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class _Lines:
    """Iterate over the lines of a str without copying it (io.StringIO would hold 4 bytes per character).

    ``consumed`` counts the characters handed out, so the caller knows where the next record starts.
    """

    def __init__(self, text: str) -> None:
        self._matches = _LINE.finditer(text)
        self.consumed = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._matches).group()
        self.consumed += len(line)
        return line


def _reader(lines: Iterable[str], delimiter: str, *, strict: bool) -> Any:
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


def _sniff(text: str) -> str:
    """Choose the delimiter giving the most consistent field count > 1 over the first records.

    Every candidate parses the same sample with the csv module, so quoted delimiters and quoted line breaks
    count correctly. A candidate is eligible when the header has more than one field and at least half of the
    sampled records fit it (a record also fits when its only surplus fields are empty, as after Excel's
    trailing ``;``); among eligible ones the most consistent wins, then the one with most exact field counts,
    then the widest header, then the order of :data:`DELIMITER_CANDIDATES`. With no eligible candidate (a
    single-column file) the same order picks a candidate that splits no record, where there is one.
    """
    truncated = len(text) > _SNIFF_CHARS
    sample = text[:_SNIFF_CHARS]
    scored = []
    for prio, cand in enumerate(DELIMITER_CANDIDATES):
        try:
            reader = _reader(_Lines(sample), cand, strict=False)
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


def _parse_csv(text: str, delimiter: str, shown: str, lang: str) -> Iterator[list[str]]:
    """Yield the records, read as leniently as Excel (``"a"b`` gives ``ab``), but refuse an unclosed quote.

    A quote left open runs to the end of the file and would swallow every later record into one cell; the
    lenient reader does that silently, so the last record is re-read strictly to find it.
    """
    lines = _Lines(text)
    reader = _reader(lines, delimiter, strict=False)
    start, line = 0, 1
    last_start, last_line = 0, 1
    try:
        for rec in reader:
            last_start, last_line = start, line
            yield rec
            start, line = lines.consumed, reader.line_num + 1
    except csv.Error as err:
        msg = _msg("csv_error", lang, path=shown, line=reader.line_num, error=err)
        raise DataError(msg, path=shown) from err
    tail = text[last_start:]
    if '"' in tail:
        try:
            for _ in _reader(_Lines(tail), delimiter, strict=True):
                pass
        except csv.Error as err:
            if "end of data" in str(err):
                msg = _msg("unclosed_quote", lang, path=shown, line=last_line)
                raise DataError(msg, path=shown) from err
            # other strict complaints (text after a closing quote) were read leniently on purpose


def _fast_frame(text: str, delimiter: str, info: dict[str, Any]) -> pd.DataFrame | None:
    """Read a regular text table with pandas' C parser, or return None when the file needs the full reader.

    The csv-module reader (:func:`_parse_csv` and :func:`_build_frame`) is the reference: it reports ragged
    rows, keeps blank records and refuses unclosed quotes, one Python object per record. Most files have
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
        columns[pos] = np.array([_newlines(v) for v in columns[pos]], dtype=object)
    header = [str(v) for v in table.iloc[0].tolist()]
    names, duplicates, renamed = _clean_headings(header)
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


def _newlines(cell: str) -> str:
    """Normalise CRLF and lone CR inside a cell to LF (LimeSurvey's own convention)."""
    if "\r" in cell:
        return cell.replace("\r\n", "\n").replace("\r", "\n")
    return cell


def _clean_headings(raw: Sequence[str]) -> tuple[list[str], list[str], dict[str, str]]:
    """Return (column names, duplicated headings, renamed column → heading as written)."""
    cleaned = [_newlines(h).replace("\ufeff", "").strip() for h in raw]
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


def _build_frame(
    records: Iterable[list[str]], info: dict[str, Any], *, grid: bool, delimiter: str | None, lang: str
) -> pd.DataFrame:
    """Turn parsed records into the string table with row numbers and source info.

    `records` is consumed once, so a text file is never held as records and rows at the same time. Blank
    records before the header are skipped (the row numbers still count them), blank records at the end are
    dropped (LimeSurvey ends with one), blank records in between become empty rows, as Excel shows them.

    `grid` is True for worksheets: there a row has no "field count", trailing empty cells are not fields,
    and the table is as wide as its widest row (missing headings become ``col_<n>``); text files are as wide
    as their header, and deviating records are ragged.
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
        msg = _msg("empty", lang, path=shown)
        raise DataError(msg, path=shown)
    if not grid:
        width = len(header)
    names, duplicates, renamed = _clean_headings(header + [""] * (width - len(header)))

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
            extras[len(rows)] = _newlines(delimiter.join(rec[width:]) if delimiter else "")
            ragged.append({"row": header_row + 1 + len(rows), "fields": n, "expected": width})
        rows.append([shared.setdefault(c, c) if len(c) <= 64 else c for c in map(_newlines, row)])

    extra_name = None
    if extras:
        # never shift: the surplus stays visible in its own column
        names_all, _, _ = _clean_headings([*names, EXTRA_COLUMN])
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


# --- XLSX ---------------------------------------------------------------------------------------------------
def _xlsx_records(
    data: bytes, shown: str, sheet: str | int | None, max_bytes: int, lang: str
) -> tuple[list[list[str]], str]:
    """Check the archive for zip bombs, then read one worksheet's cells as display strings."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            names = {m.filename for m in members}
    except Exception as err:
        # BadZipFile mostly, but zipfile also raises OSError, ValueError, EOFError, NotImplementedError, …
        msg = _msg("bad_zip", lang, path=shown, error=err)
        raise DataError(msg, path=shown) from err
    limit = min(XLSX_UNPACK_FACTOR * max_bytes, XLSX_UNPACK_CAP)
    total = sum(m.file_size for m in members)
    if total > limit:
        msg = _msg("zip_too_big", lang, path=shown, size=_fmt_int(total, lang), limit=_fmt_int(limit, lang))
        raise DataError(msg, path=shown)
    for m in members:
        if m.file_size > _XLSX_RATIO_MIN_MEMBER:
            ratio = m.file_size / max(m.compress_size, 1)
            if ratio > XLSX_MAX_RATIO:
                msg = _msg(
                    "zip_ratio",
                    lang,
                    path=shown,
                    member=m.filename,
                    ratio=_fmt_int(round(ratio), lang),
                    limit=XLSX_MAX_RATIO,
                )
                raise DataError(msg, path=shown)
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        detail = (
            " (ein ZIP-Archiv ohne Arbeitsmappe, z. B. .docx oder .ods)"
            if lang == "de"
            else " (a ZIP archive without a workbook, e.g. .docx or .ods)"
        )
        msg = _msg("not_workbook", lang, path=shown, detail=detail)
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
                records = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
                title = str(ws.title)
            finally:
                wb.close()
    except DataError:
        raise
    except Exception as err:
        # openpyxl raises KeyError, ValueError, TypeError, XML parser errors, …: whatever the bytes, the
        # caller gets a DataError (the boundary contract of read_table)
        msg = _msg("xlsx_error", lang, path=shown, error=f"{type(err).__name__}: {err}")
        raise DataError(msg, path=shown) from err
    return records, title


def _pick_sheet(wb: Any, sheet: str | int | None, shown: str, lang: str) -> Any:
    sheets = [ws for ws in wb.worksheets if hasattr(ws, "iter_rows")]
    if not sheets:
        msg = _msg("no_sheet", lang, path=shown)
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
    available = ", ".join(f"„{ws.title}“" if lang == "de" else f"'{ws.title}'" for ws in sheets)
    msg = _msg("sheet_missing", lang, path=shown, sheet=sheet, available=available)
    raise DataError(msg, path=shown)


def _cell_text(v: Any) -> str:
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


# --- value parsers ------------------------------------------------------------------------------------------
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "",
        "k.A.",
        "k. A.",
        "k.A",
        "kA",
        "n.v.",
        "n. v.",
        "n/a",
        "n.a.",
        "-",
        "--",
        "–",
        "—",
        "keine Angabe",
        "keine Angaben",
        "unbekannt",
    }
)
"""Spellings of "no answer" (compared case-insensitively, ignoring spaces): a missing value, not an error."""

_PLACEHOLDER_KEYS = frozenset(re.sub(r"\s+", "", p).casefold() for p in PLACEHOLDERS)

BOOL_TRUE: frozenset[str] = frozenset({"y", "j", "ja", "x", "1", "wahr", "true", "yes"})
"""Tokens read as True by :func:`parse_bool` (case-insensitive): Y, J, Ja, x, 1, wahr, TRUE, Yes."""

BOOL_FALSE: frozenset[str] = frozenset({"n", "nein", "0", "falsch", "false", "no"})
"""Tokens read as False by :func:`parse_bool` (case-insensitive): N, Nein, 0, falsch, FALSE, No."""

_SPACES = "\u0020\u00a0\u2007\u2009\u202f"
_APPROX_PREFIX = re.compile(
    r"^(?:ca\.?|circa|etwa|rund|ungefähr|~|≈|>=|<=|≥|≤|>|<|über|unter|mehr\s+als|weniger\s+als|"
    r"mind\.|mindestens)\s*",
    re.IGNORECASE,
)
_CURRENCY_SUFFIX = re.compile(r"\s*(?:€|eur|euro)$", re.IGNORECASE)
_BODY = re.compile(rf"[0-9.,'’{_SPACES}]+")
_GROUPED_SPACE = re.compile(r"(\d{1,3}(?: \d{3})+)([.,]\d+)?")


@dataclass(frozen=True)
class ParsedNumber:
    """A number read from a German or LimeSurvey cell, with the text it came from.

    Attributes
    ----------
    value : float or None
        The number as written (``12,5 %`` gives 12.5, not 0.125); None when missing or unreadable.
    approximate : bool
        Written with a marker such as ``ca.``, ``~``, ``>`` or a trailing ``+``.
    percent : bool
        Written with ``%``.
    ok : bool
        False only for text that is neither a number nor a placeholder.
    raw : str
        The text as given.
    ambiguous : bool
        A single separator followed by exactly three digits (``1.234``, ``1,234``) was read by the default
        rule because the source's decimal separator was not given (``decimal=None``).
    """

    value: float | None
    approximate: bool
    percent: bool
    ok: bool
    raw: str
    ambiguous: bool = False

    @property
    def missing(self) -> bool:
        """True for an empty cell or a placeholder such as ``k.A.``."""
        return self.ok and self.value is None


def strip_injection_mask(text: Any) -> Any:
    """Remove the ``'`` that LimeSurvey or Excel put before a leading ``=``, ``+``, ``-`` or ``@``.

    The mask keeps spreadsheets from running text as a formula (CSV injection); the value itself starts after
    it. Anything else, including non-strings, is returned unchanged.

    Parameters
    ----------
    text : str
        A cell.

    Returns
    -------
    str
        The cell without the mask.

    Examples
    --------
    >>> strip_injection_mask("'=SUMME(A1)"), strip_injection_mask("'Hallo")
    ('=SUMME(A1)', "'Hallo")
    """
    if isinstance(text, str) and len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def is_placeholder(text: Any) -> bool:
    """Return True for an empty cell or a spelling of "no answer" listed in :data:`PLACEHOLDERS`.

    Parameters
    ----------
    text : str
        A cell.

    Returns
    -------
    bool
    """
    if text is None:
        return True
    return re.sub(r"\s+", "", str(text)).casefold() in _PLACEHOLDER_KEYS


def parse_number(text: Any, *, decimal: Literal[",", "."] | None = None) -> ParsedNumber:
    """Parse a number written the German way, the LimeSurvey way, or roughly.

    Rules, in order:

    * A CSV-injection mask or Excel's text apostrophe (a leading ``'``) is dropped; surrounding spaces too.
    * Placeholders (:data:`PLACEHOLDERS`: empty, ``k.A.``, ``n.v.``, ``-``, ``–``, ``keine Angabe``,
      ``unbekannt``, …) give ``value=None, ok=True``: a missing value, not an error.
    * ``ca.``, ``circa``, ``etwa``, ``rund``, ``~``, ``≈``, ``>``, ``<``, ``≥``, ``≤``, ``über``, ``unter``,
      ``mehr als``, ``weniger als``, ``mind.``, ``mindestens`` before, or ``+`` after, the number set
      ``approximate``. A trailing ``%`` sets ``percent`` (the value stays in percent). A trailing
      ``€``/``EUR`` is ignored. A leading ``+``, ``-`` or ``−`` is the sign.
    * Spaces (also non-breaking and thin ones) and apostrophes are thousands separators only: they must
      separate groups of three digits (``1 234 567``, ``1'234``).
    * With both ``.`` and ``,``, the last one is the decimal separator and the other must group thousands
      (``1.234,5`` and ``1,234.5`` are both 1234.5).
    * The same separator more than once groups thousands (``1.234.567``).
    * One separator: it is the decimal separator of the source (`decimal`), except that the other one
      followed by exactly three digits (and not after a lone ``0``) groups thousands. So with ``decimal=","``
      (German Excel) ``1.234`` is 1234 and ``12.5`` is 12.5; with ``decimal="."`` (LimeSurvey) ``1.234`` is
      1.234 and ``1,234`` is 1234. With ``decimal=None`` the German rule applies and ``ambiguous`` is set when
      it decided (``1.234`` → 1234, ``1,234`` → 1.234).
    * Anything else (letters, exponents, ``12-15``) gives ``ok=False``.

    Parameters
    ----------
    text : str
        The cell.
    decimal : {",", "."}, optional
        Decimal separator of the source dialect; None means unknown (German rule, flagged as ambiguous).

    Returns
    -------
    ParsedNumber

    Examples
    --------
    >>> parse_number("1.234,5").value, parse_number("ca. 120").approximate, parse_number("k.A.").missing
    (1234.5, True, True)
    >>> parse_number("12,5 %")
    ParsedNumber(value=12.5, approximate=False, percent=True, ok=True, raw='12,5 %', ambiguous=False)
    """
    if decimal not in (",", ".", None):
        msg = _param_msg("parse_number", "decimal", decimal, "de")
        raise ConfigError(msg)
    raw = "" if text is None else str(text)
    s = raw.strip()
    if s.startswith("'"):
        s = s[1:].strip()
    if is_placeholder(s):
        return ParsedNumber(None, False, False, True, raw)
    bad = ParsedNumber(None, False, False, False, raw)
    approximate = percent = False
    m = _APPROX_PREFIX.match(s)
    if m:
        approximate, s = True, s[m.end() :]
    s = _CURRENCY_SUFFIX.sub("", s)
    if s.endswith("%"):
        percent, s = True, s[:-1].rstrip(_SPACES)
    if s.endswith("+"):
        approximate, s = True, s[:-1].rstrip(_SPACES)
    sign = 1.0
    if s[:1] in ("+", "-", "−"):
        sign = -1.0 if s[0] != "+" else 1.0
        s = s[1:].lstrip(_SPACES)
    if not s or not _BODY.fullmatch(s) or not any(c.isdigit() for c in s):
        return bad
    value, ambiguous = _parse_body(s, decimal)
    if value is None or not math.isfinite(value):
        return bad
    return ParsedNumber(sign * value, approximate, percent, True, raw, ambiguous)


def _parse_body(body: str, decimal: str | None) -> tuple[float | None, bool]:
    """Digits and separators → (value, ambiguous); see :func:`parse_number` for the rules."""
    b = re.sub(rf"[{_SPACES}'’]", " ", body).strip()
    if " " in b:
        m = _GROUPED_SPACE.fullmatch(b)
        if not m:
            return None, False
        frac = m.group(2)
        return float(m.group(1).replace(" ", "") + ("." + frac[1:] if frac else "")), False
    has_dot, has_comma = "." in b, "," in b
    if has_dot and has_comma:
        dec = "." if b.rfind(".") > b.rfind(",") else ","
        thou = "," if dec == "." else "."
        m = re.fullmatch(rf"(\d{{1,3}}(?:{re.escape(thou)}\d{{3}})+){re.escape(dec)}(\d*)", b)
        if not m:
            return None, False
        return float(m.group(1).replace(thou, "") + "." + (m.group(2) or "0")), False
    if not (has_dot or has_comma):
        return float(b), False
    sep = "." if has_dot else ","
    if b.count(sep) > 1:
        if re.fullmatch(rf"\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+", b):
            return float(b.replace(sep, "")), False
        return None, False
    left, right = b.split(sep)
    if not left and not right:
        return None, False
    grouping = 1 <= len(left) <= 3 and len(right) == 3 and left != "0"
    source = decimal if decimal is not None else ","
    if sep != source and grouping:
        return float(left + right), decimal is None
    return float((left or "0") + "." + (right or "0")), decimal is None and grouping


def is_bool_token(
    text: Any, *, true: Iterable[str] | None = None, false: Iterable[str] | None = None
) -> bool:
    """Return True when `text` is a yes/no token that :func:`parse_bool` reads (empty is not one).

    Parameters
    ----------
    text : str
        A cell.
    true, false : iterable of str, optional
        Replace :data:`BOOL_TRUE` / :data:`BOOL_FALSE` (compared case-insensitively).

    Returns
    -------
    bool
    """
    return _bool_value(text, true, false) is not None


def parse_bool(
    text: Any, *, true: Iterable[str] | None = None, false: Iterable[str] | None = None
) -> bool | None:
    """Read a tick or yes/no cell.

    ``Y J Ja x 1 wahr TRUE Yes`` (any case) give True, ``N Nein 0 falsch FALSE No`` give False. Everything
    else gives None: the empty cell (for a LimeSurvey multiple-choice column that means *not ticked*, which
    the caller decides) and unknown text alike; tell them apart with :func:`is_bool_token`. Surrounding
    spaces and a CSV-injection mask are ignored.

    Parameters
    ----------
    text : str
        A cell.
    true, false : iterable of str, optional
        Per-source replacements for :data:`BOOL_TRUE` / :data:`BOOL_FALSE` (compared case-insensitively).

    Returns
    -------
    bool or None

    Examples
    --------
    >>> parse_bool("Ja"), parse_bool("x"), parse_bool("nein"), parse_bool(""), parse_bool("vielleicht")
    (True, True, False, None, None)
    """
    return _bool_value(text, true, false)


def _bool_value(text: Any, true: Iterable[str] | None, false: Iterable[str] | None) -> bool | None:
    if text is None:
        return None
    key = str(strip_injection_mask(str(text).strip())).casefold()
    if not key:
        return None
    t = BOOL_TRUE if true is None else {str(x).strip().casefold() for x in true}
    f = BOOL_FALSE if false is None else {str(x).strip().casefold() for x in false}
    if key in t:
        return True
    if key in f:
        return False
    return None


# --- headings -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HeadingResolution:
    """How the headings of one file map to canonical column names.

    Attributes
    ----------
    mapping : dict
        Heading (as in the table) → canonical name, for every heading that resolved without a collision.
    unknown : list of str
        Headings that map to nothing (in table order).
    missing : list of str
        Known names that no heading maps to (in the order of `known`); a name involved in a collision is not
        missing.
    collisions : list of dict
        ``{"canonical": name, "headings": [h1, h2, …]}`` where several headings map to the same name; those
        headings are in neither `mapping` nor `unknown`: the caller must refuse or ask, never merge.
    how : dict
        Heading → the rule that resolved it: "mapping", "exact", "em_code", "casefold", "codetext",
        "metadata".
    ignored : list of str
        Headings the explicit mapping sends to None (deliberately not evaluated).
    unused_mapping : list of str
        Keys of the explicit mapping that match no heading.
    """

    mapping: dict[str, str]
    unknown: list[str]
    missing: list[str]
    collisions: list[dict[str, Any]]
    how: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    unused_mapping: list[str] = field(default_factory=list)


_EM_CODE = re.compile(r"([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9]+)(?:_(\d+))?")
# code, then the separator LimeSurvey's "codetext" headings use (". " by default), " - " or ": "
_CODETEXT = re.compile(r"(\S+?)(?:\.\s|\s+[-–]\s|:\s|\.$|:$)")
_METADATA_BY_KEY = {
    unicodedata.normalize("NFC", k).casefold(): v for k, v in LIMESURVEY_METADATA_HEADINGS.items()
}


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", str(s)).strip()


def resolve_headings(
    headings: Sequence[str],
    known: Collection[str],
    *,
    mapping: Mapping[str, str | None] | None = None,
    lang: Lang = "de",
) -> HeadingResolution:
    """Map a file's headings to canonical column names (LimeSurvey bracket form and metadata codes).

    Each heading is tried against these rules, first match wins:

    1. the explicit `mapping` (heading → canonical, or None to ignore the heading);
    2. exact match with a name in `known`;
    3. the Expression-Manager form: ``A05_total`` → ``A05[total]``, ``Q1_SQ1_0`` → ``Q1[SQ1][1]`` (scale
       0-based there, 1-based in brackets), only if that canonical name is known;
    4. case-insensitive match (only when it identifies one known name);
    5. a full LimeSurvey metadata heading (:data:`LIMESURVEY_METADATA_HEADINGS`, English or German, e.g.
       "Response ID" → ``id``, "Datum Abgeschickt" → ``submitdate``), if that metadata name is known;
    6. the "codetext" forms: a code followed by ``. ``, `` - `` or ``: `` and text
       (``A05[total]. Beschäftigte``, ``A05 - Text``, ``id. Response ID``), the code resolved by rules 2-5.

    Comparisons ignore surrounding spaces and Unicode normalisation (NFC). Two headings reaching the same name
    are reported as a collision, never merged.

    Parameters
    ----------
    headings : sequence of str
        Column names of the raw table.
    known : collection of str
        Canonical names (``A01``, ``A05[total]``, ``C01[other]``, ``id``, ``submitdate``, …).
    mapping : mapping, optional
        Per-source heading → canonical name (or None to ignore the heading); it wins over every rule.
    lang : {"de", "en"}, default "de"
        Language of error messages.

    Returns
    -------
    HeadingResolution

    Raises
    ------
    ConfigError
        When `mapping` points to a name that is not in `known`.

    Examples
    --------
    >>> r = resolve_headings(["Response ID", "A05_total", "A01. Name"], ["id", "A01", "A05[total]", "A02"])
    >>> r.mapping, r.missing
    ({'Response ID': 'id', 'A05_total': 'A05[total]', 'A01. Name': 'A01'}, ['A02'])
    """
    known_list = [str(k) for k in known]
    by_nfc = {_nfc(k): k for k in known_list}
    by_fold: dict[str, list[str]] = {}
    for k in known_list:
        by_fold.setdefault(_nfc(k).casefold(), []).append(k)
    explicit = {_nfc(k): v for k, v in (mapping or {}).items()}
    for h, target in explicit.items():
        if target is not None and _nfc(target) not in by_nfc:
            import difflib

            close = difflib.get_close_matches(str(target), known_list, n=1)
            hint = ""
            if close:
                hint = f" (gemeint: „{close[0]}“?)" if lang == "de" else f" (did you mean '{close[0]}'?)"
            msg = _msg("mapping_target", lang, heading=h, target=target, hint=hint)
            raise ConfigError(msg)

    def lookup(code: str) -> tuple[str, str] | None:
        if code in by_nfc:
            return by_nfc[code], "exact"
        m = _EM_CODE.fullmatch(code)
        if m:
            q, sq, scale = m.groups()
            cand = f"{q}[{sq}]" + (f"[{int(scale) + 1}]" if scale is not None else "")
            if cand in by_nfc:
                return by_nfc[cand], "em_code"
            folded = by_fold.get(cand.casefold(), [])
            if len(folded) == 1:
                return folded[0], "em_code"
        folded = by_fold.get(code.casefold(), [])
        if len(folded) == 1:
            return folded[0], "casefold"
        meta = _METADATA_BY_KEY.get(code.casefold())
        if meta is not None and meta in by_nfc:
            return by_nfc[meta], "metadata"
        return None

    resolved: dict[str, tuple[str, str]] = {}
    unknown: list[str] = []
    ignored: list[str] = []
    used_keys: set[str] = set()
    for heading in headings:
        h = _nfc(heading)
        if h in explicit:
            used_keys.add(h)
            target = explicit[h]
            if target is None:
                ignored.append(heading)
            else:
                resolved[heading] = (by_nfc[_nfc(target)], "mapping")
            continue
        hit = lookup(h)
        if hit is None:
            m = _CODETEXT.match(h)
            if m:
                inner = lookup(m.group(1))
                if inner is not None:
                    hit = (inner[0], "codetext")
        if hit is None:
            unknown.append(heading)
        else:
            resolved[heading] = hit

    targets: dict[str, list[str]] = {}
    for heading, (canon, _) in resolved.items():
        targets.setdefault(canon, []).append(heading)
    collisions = [{"canonical": c, "headings": hs} for c, hs in targets.items() if len(hs) > 1]
    clashing = {h for c in collisions for h in c["headings"]}
    out = {h: c for h, (c, _) in resolved.items() if h not in clashing}
    how = {h: rule for h, (_, rule) in resolved.items() if h not in clashing}
    missing = [k for k in known_list if k not in targets]
    unused = [k for k in explicit if k not in used_keys]
    return HeadingResolution(
        mapping=out,
        unknown=unknown,
        missing=missing,
        collisions=collisions,
        how=how,
        ignored=ignored,
        unused_mapping=unused,
    )


# --- filled forms ---------------------------------------------------------------------------------------
_FORM_KEYS = ("format", "format_version", "edition", "questionnaire", "version", "sha256", "lang")
_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_WORKBOOK_XML_MAX = 10_000_000


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


def read_form(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    lang: Lang = "de",
) -> pd.DataFrame:
    """Read one filled Teilnahmebogen (``vielfalt field --to xlsx``) as a one-row string table.

    The hidden sheet :data:`vielfalt.columns.FORM_META_SHEET` names edition, instrument and every answer
    cell (code, sheet, cell). Each answer is looked up by its code in column A of its sheet (so a row the
    institute inserted after unprotecting a sheet does not shift anything) and read from the answer column
    as Excel shows it (:func:`read_table`'s rules for XLSX cells). The workbook passes the same zip-bomb and
    size checks as :func:`read_table`.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int, default DEFAULT_MAX_BYTES
    lang : {"de", "en"}, default "de"

    Returns
    -------
    DataFrame
        One row (index ``row`` = 2, as the first record of a table), all cells ``str``: ``id`` (the file
        name without suffix: one form is one response), then one column per answer code found (``submitdate``,
        ``A01``, ``A05[total]``, …). ``df.attrs["source_info"]`` carries ``form`` (see :class:`SourceInfo`).

    Raises
    ------
    DataError
        When the file cannot be read, is not a form, or its metadata or sheets are missing.
    """
    if lang not in ("de", "en"):
        msg = _param_msg("read_form", "lang", lang, "de")
        raise ConfigError(msg)
    shown = os.fspath(path)
    data = _read_bytes(Path(path), shown, max_bytes, lang)
    names = _workbook_sheet_names(data) if data.startswith(_ZIP_MAGIC) else None
    if not names or FORM_META_SHEET not in names:
        msg = _msg("not_form", lang, path=shown, sheet=FORM_META_SHEET, format=FORM_FORMAT)
        raise DataError(msg, path=shown)
    records, _ = _xlsx_records(data, shown, FORM_META_SHEET, max_bytes, lang)
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
        msg = _msg("not_form", lang, path=shown, sheet=FORM_META_SHEET, format=FORM_FORMAT)
        raise DataError(msg, path=shown)
    absent = [k for k in ("edition", "questionnaire", "version") if not meta.get(k)]
    if absent or not cells:
        detail = (
            f"auf dem Blatt „{FORM_META_SHEET}“ fehlen {', '.join(absent) or 'die Antwortzellen'}"
            if lang == "de"
            else f"the sheet '{FORM_META_SHEET}' lacks {', '.join(absent) or 'the answer cells'}"
        )
        raise DataError(_msg("form_broken", lang, path=shown, detail=detail), path=shown)
    by_sheet: dict[str, list[tuple[str, str]]] = {}
    for code, sheet, ref in cells:
        by_sheet.setdefault(sheet, []).append((code, ref))
    values: dict[str, str] = {"id": Path(shown).stem}
    found: dict[str, list[str]] = {}
    for sheet, wanted in by_sheet.items():
        if sheet not in names:
            detail = f"das Blatt „{sheet}“ fehlt" if lang == "de" else f"the sheet '{sheet}' is missing"
            raise DataError(_msg("form_broken", lang, path=shown, detail=detail), path=shown)
        grid, _ = _xlsx_records(data, shown, sheet, max_bytes, lang)
        row_of = {}
        for r, rec in enumerate(grid, start=1):
            key = strip_injection_mask(rec[0]).strip() if rec else ""
            if key:
                row_of.setdefault(key, r)
        for code, ref in wanted:
            m = _CELL_REF.fullmatch(ref)
            col = m.group(1) if m else "C"
            pos = 0
            for ch in col:
                pos = pos * 26 + (ord(ch) - 64)
            r = row_of.get(code)
            if r is None:
                continue  # the answer cell is gone; validation reports the column as missing
            rec = grid[r - 1]
            values[code] = _newlines(rec[pos - 1]) if len(rec) >= pos else ""
            found[code] = [sheet, f"{col}{r}"]
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
