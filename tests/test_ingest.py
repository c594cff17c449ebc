"""Tests of the raw layer: read_table over every input dialect, the value parsers and heading resolution."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import struct
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from vielfalt.exceptions import ConfigError, DataError, VielfaltError
from vielfalt.i18n import catalogue, t
from vielfalt.intake import read as ingest
from vielfalt.intake.read import (
    EXTRA_COLUMN,
    LIMESURVEY_METADATA,
    HeadingResolution,
    ParsedNumber,
    SourceInfo,
    is_bool_token,
    is_placeholder,
    parse_bool,
    parse_number,
    read_table,
    resolve_headings,
    source_info,
    strip_injection_mask,
)

DATA = Path(__file__).parent / "data" / "ingest"


def _write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return p


def _all_str(df: pd.DataFrame) -> bool:
    return all(type(v) is str for col in df.columns for v in df[col].tolist())


# --- dialects ---------------------------------------------------------------------------------------------
def test_limesurvey_dialect_fixture():
    """A LimeSurvey export (BOM, ';', all quoted, CRLF, blank line at EOF) reads with Excel row numbers."""
    p = DATA / "limesurvey_semicolon.csv"
    df = read_table(p)
    assert list(df.columns[:3]) == ["id", "submitdate", "lastpage"]  # BOM gone from the first heading
    assert df.shape == (3, 10)  # the trailing blank line is not a record, the all-empty record is
    assert list(df.index) == [2, 3, 4]
    assert df.index.name == "row"
    assert (df.dtypes == "object").all()
    assert _all_str(df)
    assert df.loc[2, "A01"] == "Müller Bäckerei GmbH & Co. KG"
    assert df.loc[2, "D01"] == "Zeile eins\nZeile zwei"
    assert df.loc[3, "C01[other]"] == 'Ein "Zitat"'
    assert df.loc[3, "D01"] == "'=1+1"  # no conversion, the mask stays for the validation layer
    assert df.loc[2, "C01[SQ001]"] == "Y" and df.loc[3, "C01[SQ001]"] == ""
    assert df.loc[4].tolist() == [""] * 10
    info = df.attrs["source_info"]
    assert info["format"] == "csv"
    assert info["encoding"] == "utf-8-sig" and info["encoding_source"] == "bom"
    assert info["delimiter"] == ";"
    assert info["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()
    assert info["n_rows"] == 3 and info["n_columns"] == 10
    assert info["ragged_rows"] == [] and info["duplicate_headings"] == []
    assert info["sheet"] is None and info["header_row"] == 1
    json.dumps(info)  # plain, serialisable


def test_german_excel_cp1252_fixture():
    """A German Excel CSV in Windows-1252 falls back to cp1252 and decodes umlauts and the euro sign."""
    df = read_table(DATA / "excel_de_cp1252.csv")
    info = source_info(df)
    assert info.encoding == "cp1252" and info.encoding_source == "fallback"
    assert info.delimiter == ";"
    assert list(df.columns) == ["Firma", "Rechtsform", "Beschäftigte", "Umsatz in €", "Frauenanteil"]
    assert df.loc[2, "Firma"] == "Müller Bäckerei GmbH & Co. KG"
    assert df.loc[3, "Firma"] == "Schulz; Söhne"
    assert df.loc[2, "Beschäftigte"] == "1.234" and df.loc[3, "Umsatz in €"] == "1.234.567,89"
    assert df.loc[4].tolist() == ["Öko-Genossenschaft Köln", "eG", "-", "", "n.v."]


def test_utf16_tab_separated_fixture():
    """Excel's "Unicode-Text" (UTF-16 LE, BOM, tabs) is detected by its BOM and sniffed as tab-separated."""
    df = read_table(DATA / "excel_unicode_text.txt")
    info = source_info(df)
    assert info.encoding == "utf-16" and info.encoding_source == "bom"
    assert info.delimiter == "\t"
    assert list(df.columns) == ["Firma", "Ort", "Anzahl"]
    assert df.loc[2].tolist() == ["Müller Bäckerei GmbH & Co. KG", "Köln", "12"]
    assert df.loc[3, "Firma"] == "Text mit\tTab"


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_sniffs_each_candidate_delimiter(tmp_path, delim):
    """The sniffer finds each candidate delimiter, even with the other candidates inside quoted text."""
    rows = [["id", "name", "note"], ["1", "a;b,c|d\te", "x"], ["2", "Zeile\nzwei", "1,5"]]
    buf = io.StringIO()
    csv.writer(buf, delimiter=delim, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(rows)
    df = read_table(_write(tmp_path, "t.csv", buf.getvalue()))
    assert source_info(df).delimiter == delim
    assert df.shape == (2, 3)
    assert df.loc[2, "name"] == "a;b,c|d\te"
    assert df.loc[3, "name"] == "Zeile\nzwei"


def test_sniffer_not_fooled_by_decimal_commas(tmp_path):
    """German Excel rows full of decimal commas still sniff as ';' (the header decides the width)."""
    text = "Firma;Anteil;Umsatz\r\nA;12,5;1.234,56\r\nB;0,3;7,1\r\nC;1,0;2,0\r\n"
    df = read_table(_write(tmp_path, "de.csv", text))
    assert source_info(df).delimiter == ";"
    assert df.loc[2].tolist() == ["A", "12,5", "1.234,56"]


def test_single_column_file_keeps_commas_in_values(tmp_path):
    """A single-column file is allowed, and a comma inside a value does not split it."""
    df = read_table(_write(tmp_path, "one.csv", "Umsatz\n1,5\n2\n3,25\n"))
    assert list(df.columns) == ["Umsatz"]
    assert df["Umsatz"].tolist() == ["1,5", "2", "3,25"]
    assert source_info(df).ragged_rows == []


def test_single_column_keeps_delimiter_characters(tmp_path):
    """In a single-column file the sniffer prefers a candidate that splits nothing, so ';' stays a value."""
    df = read_table(_write(tmp_path, "one.csv", "0\r\n;\r\na,b\r\n"))
    assert df["0"].tolist() == [";", "a,b"]
    assert source_info(df).delimiter == "\t"


def test_trailing_delimiter_in_data_rows(tmp_path):
    """Excel's trailing ';' on data rows (not on the header) changes neither the sniff nor raggedness."""
    df = read_table(_write(tmp_path, "t.csv", "a;b\r\n1;2;\r\n3;4;\r\n"))
    assert list(df.columns) == ["a", "b"]
    assert df.to_numpy().tolist() == [["1", "2"], ["3", "4"]]
    assert source_info(df).ragged_rows == []


def test_explicit_delimiter_wins(tmp_path):
    """An explicit delimiter is used even where the sniffer would choose another."""
    p = _write(tmp_path, "t.csv", "a;b,c\n1;2,3\n")
    assert list(read_table(p).columns) == ["a", "b,c"]
    df = read_table(p, delimiter=",")
    assert list(df.columns) == ["a;b", "c"]
    assert source_info(df).delimiter == ","


def test_explicit_encoding_wins(tmp_path):
    """An explicit encoding is used as given: a UTF-8 file read as cp1252 gives the mojibake it asks for."""
    p = _write(tmp_path, "t.csv", "Firma;Ort\nMüller;Köln\n")
    assert read_table(p).loc[2, "Firma"] == "Müller"
    df = read_table(p, encoding="cp1252")
    assert df.loc[2, "Firma"] == "MÃ¼ller"
    assert source_info(df).encoding_source == "explicit"


def test_explicit_encoding_that_does_not_fit_names_line(tmp_path):
    """Bytes that do not fit an explicit encoding give a DataError naming the line and what to do."""
    p = _write(tmp_path, "t.csv", "Firma;Ort\nA;B\nMüller;Köln\n", encoding="cp1252")
    with pytest.raises(DataError, match=r"Zeile 3: Die Datei lässt sich nicht als utf-8 lesen") as exc:
        read_table(p, encoding="utf-8")
    assert "encoding='cp1252'" in str(exc.value)
    assert exc.value.path == str(p)


def test_neither_utf8_nor_cp1252(tmp_path):
    """Bytes undefined in cp1252 (0x81, 0x8d) that are not UTF-8 either give an 'unknown encoding' error."""
    p = _write(tmp_path, "t.csv", b"a;b\r\nx\x81y;z\x8d\r\n")
    with pytest.raises(
        DataError, match=r"Zeile 2: Die Kodierung der Datei ist weder UTF-8 noch Windows-1252"
    ):
        read_table(p)


def test_utf8_without_bom(tmp_path):
    """A UTF-8 file without BOM is read as strict UTF-8 and recorded as such."""
    df = read_table(_write(tmp_path, "t.csv", "a,b\nä,ß\n"))
    assert source_info(df).encoding == "utf-8" and source_info(df).encoding_source == "utf-8"
    assert df.loc[2].tolist() == ["ä", "ß"]


def test_utf16_big_endian_and_utf32(tmp_path):
    """UTF-16 BE and UTF-32 files with a BOM decode via their BOM."""
    text = "Name\tOrt\r\nÄrzte GmbH\tGöttingen\r\n"
    be = read_table(_write(tmp_path, "be.txt", b"\xfe\xff" + text.encode("utf-16-be")))
    assert be.loc[2].tolist() == ["Ärzte GmbH", "Göttingen"]
    u32 = read_table(_write(tmp_path, "u32.txt", text.encode("utf-32")))
    assert source_info(u32).encoding == "utf-32"
    assert u32.loc[2, "Ort"] == "Göttingen"


def test_line_breaks_inside_cells_normalised(tmp_path):
    """CRLF and lone CR inside a quoted cell become LF; the record still counts as one row."""
    p = _write(tmp_path, "t.csv", b'"a";"b"\r\n"eins\r\nzwei";"drei\rvier"\r\n"x";"y"\r\n')
    df = read_table(p)
    assert df.loc[2].tolist() == ["eins\nzwei", "drei\nvier"]
    assert df.loc[3].tolist() == ["x", "y"]


def test_headings_cleaned(tmp_path):
    """Headings lose surrounding whitespace and a BOM, even when the encoding is given without '-sig'."""
    p = _write(tmp_path, "t.csv", b"\xef\xbb\xbf  id ;\tA01\r\n1;2\r\n")
    df = read_table(p, encoding="utf-8")
    assert list(df.columns) == ["id", "A01"]


def test_duplicate_and_empty_headings(tmp_path):
    """Repeated headings are kept apart as name__2, name__3; an empty one becomes col_<n>; all are listed."""
    p = _write(tmp_path, "t.csv", "a;b;a;;a;a__2\n1;2;3;4;5;6\n")
    df = read_table(p)
    assert list(df.columns) == ["a", "b", "a__3", "col_4", "a__4", "a__2"]
    assert df.loc[2].tolist() == ["1", "2", "3", "4", "5", "6"]
    info = source_info(df)
    assert info.duplicate_headings == ["a"]
    assert info.renamed_headings == {"a__3": "a", "col_4": "", "a__4": "a"}


def test_ragged_rows_are_padded_or_kept_in_extra(tmp_path):
    """Short rows are padded, surplus fields go to __extra__, both are listed; nothing shifts or vanishes."""
    text = "a;b;c\n1;2;3\n4;5\n6;7;8;9;10\n11;12;13;;\n"
    df = read_table(_write(tmp_path, "t.csv", text))
    assert list(df.columns) == ["a", "b", "c", EXTRA_COLUMN]
    assert df.loc[2].tolist() == ["1", "2", "3", ""]
    assert df.loc[3].tolist() == ["4", "5", "", ""]
    assert df.loc[4].tolist() == ["6", "7", "8", "9;10"]
    assert df.loc[5].tolist() == ["11", "12", "13", ""]  # empty surplus (trailing ';') loses nothing
    info = source_info(df)
    assert info.ragged_rows == [
        {"row": 3, "fields": 2, "expected": 3},
        {"row": 4, "fields": 5, "expected": 3},
    ]
    assert info.extra_column == EXTRA_COLUMN
    assert info.n_columns == 4


def test_no_extra_column_without_long_rows(tmp_path):
    """The __extra__ column only appears when some row has non-empty surplus fields."""
    df = read_table(_write(tmp_path, "t.csv", "a;b\n1;2\n3\n4;5\n"))
    assert list(df.columns) == ["a", "b"]
    assert source_info(df).extra_column is None
    assert source_info(df).ragged_rows == [{"row": 3, "fields": 1, "expected": 2}]


def test_blank_lines_inside_and_before_the_table(tmp_path):
    """A blank line inside the table is an empty row; blank lines before the header shift the row numbers."""
    df = read_table(_write(tmp_path, "t.csv", "\r\n\r\na;b\r\n1;2\r\n\r\n3;4\r\n\r\n\r\n"))
    assert source_info(df).header_row == 3
    assert list(df.index) == [4, 5, 6]
    assert df.loc[5].tolist() == ["", ""]
    assert df.loc[6].tolist() == ["3", "4"]
    assert source_info(df).ragged_rows == []


def test_header_only_gives_zero_rows(tmp_path):
    """A file with only a header is a table with no rows, not an error."""
    df = read_table(_write(tmp_path, "t.csv", '\ufeff"id";"A01"\r\n\r\n'))
    assert df.shape == (0, 2)
    assert list(df.columns) == ["id", "A01"]
    assert df.index.name == "row"
    assert (df.dtypes == "object").all()
    assert source_info(df).n_rows == 0


def test_unclosed_quote_is_refused_with_line(tmp_path):
    """A quote left open until EOF would swallow later records, so it is refused naming its line."""
    p = _write(tmp_path, "t.csv", 'a;b\r\n1;2\r\n"3;4\r\n5;6\r\n')
    with pytest.raises(DataError, match=r"Zeile 3: Ein Anführungszeichen"):
        read_table(p)


def test_text_after_closing_quote_read_leniently(tmp_path):
    """Text after a closing quote ("a"b) is read as Excel shows it rather than refused."""
    df = read_table(_write(tmp_path, "t.csv", 'x;y\r\n"a"b;c\r\n'))
    assert df.loc[2].tolist() == ["ab", "c"]


def test_huge_field_and_csv_limit_restored(tmp_path):
    """A cell longer than the csv module's default limit is read, and the global limit is restored."""
    before = csv.field_size_limit()
    big = "x" * 300_000
    df = read_table(_write(tmp_path, "t.csv", f'a;b\n"{big}";1\n'))
    assert df.loc[2, "a"] == big
    assert csv.field_size_limit() == before


def test_no_type_conversion(tmp_path):
    """Numbers, dates, booleans, 'NA' and leading zeros stay exactly as written."""
    df = read_table(_write(tmp_path, "t.csv", "a,b,c,d,e,f\n007,1e5,NA,TRUE,2024-01-02,nan\n"))
    assert df.loc[2].tolist() == ["007", "1e5", "NA", "TRUE", "2024-01-02", "nan"]
    assert _all_str(df)


# --- XLSX -------------------------------------------------------------------------------------------------
def _workbook(path: Path, **sheets: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def test_xlsx_cells_as_the_user_sees_them(tmp_path):
    """XLSX values become display strings: ints without .0, short floats, ISO dates, TRUE/FALSE, None ''."""
    rows = [
        ["Firma", "Anzahl", "Anteil", "Datum", "Zeit", "Aktiv", "Leer"],
        [
            "Müller Bäckerei GmbH & Co. KG",
            120,
            0.125,
            dt.date(2024, 3, 1),
            dt.datetime(2024, 3, 1, 13, 5),
            True,
            None,
        ],
        ["Öko eG", 7.0, 1 / 3, dt.datetime(2023, 12, 31), dt.datetime(2024, 1, 2, 0, 0, 30), False, "x"],
    ]
    p = _workbook(tmp_path / "t.xlsx", Daten=rows)
    df = read_table(p)
    info = source_info(df)
    assert info.format == "xlsx" and info.sheet == "Daten"
    assert info.encoding is None and info.delimiter is None
    assert list(df.index) == [2, 3]
    assert df.loc[2].tolist() == [
        "Müller Bäckerei GmbH & Co. KG",
        "120",
        "0.125",
        "2024-03-01",
        "2024-03-01 13:05:00",
        "TRUE",
        "",
    ]
    assert df.loc[3].tolist() == [
        "Öko eG",
        "7",
        "0.3333333333333333",
        "2023-12-31",
        "2024-01-02 00:00:30",
        "FALSE",
        "x",
    ]
    assert _all_str(df)
    assert (df.dtypes == "object").all()


def test_xlsx_sheet_selection(tmp_path):
    """sheet= picks a worksheet by name (exact, else any case) or position; a wrong name lists the sheets."""
    p = _workbook(tmp_path / "t.xlsx", Erste=[["a"], [1]], Zweite=[["b"], [2]])
    assert read_table(p)["a"].tolist() == ["1"]
    assert read_table(p, sheet="Zweite")["b"].tolist() == ["2"]
    assert read_table(p, sheet="zweite")["b"].tolist() == ["2"]
    assert read_table(p, sheet=1)["b"].tolist() == ["2"]
    with pytest.raises(
        DataError, match=r"Das Tabellenblatt „Dritte“ gibt es nicht \(vorhanden: „Erste“, „Zweite“\)"
    ):
        read_table(p, sheet="Dritte")


def test_xlsx_detected_by_magic_not_name(tmp_path):
    """A workbook is recognised by its ZIP bytes whatever its file name says."""
    p = _workbook(tmp_path / "t.xlsx", S=[["a", "b"], [1, 2]])
    renamed = p.rename(tmp_path / "export.dat")
    assert source_info(read_table(renamed)).format == "xlsx"


def test_xlsx_grid_semantics(tmp_path):
    """In a worksheet, blank leading rows shift the header, a value beyond the headings gets col_<n>."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A3"], ws["B3"] = "id", "Name"
    ws["A4"], ws["B4"], ws["D4"] = 1, "Köln", "Notiz"
    ws["A6"] = 2
    wb.save(tmp_path / "t.xlsx")
    df = read_table(tmp_path / "t.xlsx")
    assert source_info(df).header_row == 3
    assert list(df.columns) == ["id", "Name", "col_3", "col_4"]
    assert list(df.index) == [4, 5, 6]
    assert df.loc[4].tolist() == ["1", "Köln", "", "Notiz"]
    assert df.loc[5].tolist() == ["", "", "", ""]
    assert source_info(df).ragged_rows == []


def test_xlsx_header_only(tmp_path):
    """A worksheet with only a header row gives zero rows."""
    df = read_table(_workbook(tmp_path / "t.xlsx", S=[["id", "A01"]]))
    assert df.shape == (0, 2)


def test_xlsx_empty_sheet_is_empty(tmp_path):
    """A workbook whose sheet has no cells is reported as empty."""
    p = _workbook(tmp_path / "t.xlsx", S=[])
    with pytest.raises(DataError, match="Die Datei ist leer"):
        read_table(p)


def _patched_zip_sizes(data: bytes, size: int) -> bytes:
    """Set every central-directory 'uncompressed size' to `size` (a member that lies about its size)."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        struct.pack_into("<I", out, pos + 24, size)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def test_zip_bomb_declared_size(tmp_path):
    """An archive declaring a huge unpacked size is refused before openpyxl sees it."""
    p = _workbook(tmp_path / "t.xlsx", S=[["a"], [1]])
    p.write_bytes(_patched_zip_sizes(p.read_bytes(), 0xF0000000))
    with pytest.raises(
        DataError, match=r"würde entpackt [\d.]+ Bytes belegen, erlaubt sind [\d.]+ Bytes"
    ) as exc:
        read_table(p)
    assert "max_bytes=" in str(exc.value)


def test_zip_bomb_compression_ratio(tmp_path):
    """A 50 MB member of zeros (a few KB on disk) exceeds the compression-ratio limit and is refused."""
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = b"\0" * 1_000_000
            for _ in range(50):
                fh.write(chunk)
    assert p.stat().st_size < 200_000
    with pytest.raises(DataError, match=r"„xl/worksheets/sheet1.xml“ .* ungewöhnlich stark komprimiert"):
        read_table(p)


def test_corrupt_zip_with_xlsx_suffix(tmp_path):
    """Truncated ZIP bytes named .xlsx give a DataError about a damaged archive."""
    good = _workbook(tmp_path / "good.xlsx", S=[["a"], [1]]).read_bytes()
    p = _write(tmp_path, "bad.xlsx", good[: len(good) // 2])
    with pytest.raises(
        DataError, match=r"keine gültige Excel-Datei \(.xlsx\), das ZIP-Archiv ist beschädigt"
    ):
        read_table(p)


def test_zip_that_is_not_a_workbook(tmp_path):
    """A ZIP archive without a workbook (e.g. a .docx) is not taken for one."""
    p = tmp_path / "t.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("word/document.xml", "<doc/>")
    with pytest.raises(
        DataError, match=r"keine Excel-Arbeitsmappe \(.xlsx\) \(ein ZIP-Archiv ohne Arbeitsmappe"
    ):
        read_table(p)


def test_zip_with_broken_workbook_xml(tmp_path):
    """openpyxl's own errors on a broken workbook arrive as DataError."""
    p = tmp_path / "t.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "not xml at all <")
        zf.writestr("xl/workbook.xml", "<<<")
    with pytest.raises(DataError, match="Die Excel-Datei kann nicht gelesen werden"):
        read_table(p)


def test_text_with_xlsx_suffix(tmp_path):
    """A text file named .xlsx is refused as not a workbook rather than guessed at."""
    p = _write(tmp_path, "t.xlsx", "a;b\n1;2\n")
    with pytest.raises(DataError, match=r"keine Excel-Arbeitsmappe \(.xlsx\) \(sie ist kein ZIP-Archiv\)"):
        read_table(p)


@pytest.mark.parametrize(
    ("name", "data", "pattern"),
    [
        ("alt.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Das alte Excel-Format .xls"),
        ("alt.xls", b"a;b\n1;2\n", "Das alte Excel-Format .xls"),
        ("geschuetzt.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "passwortgeschützt"),
        ("ole.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Das alte Excel-Format .xls"),
    ],
)
def test_legacy_xls_refused(tmp_path, name, data, pattern):
    """Old .xls (by OLE bytes or by name) and encrypted workbooks are refused with 'save as .xlsx or CSV'."""
    with pytest.raises(DataError, match=pattern) as exc:
        read_table(_write(tmp_path, name, data))
    assert ".xlsx" in str(exc.value) and "CSV UTF-8" in str(exc.value)


# --- refusals ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \r\n\t\n",
        b"\xef\xbb\xbf",
        b"\xef\xbb\xbf\r\n",
        b"\xff\xfe",
        b"\xff\xfe" + " \r\n".encode("utf-16-le"),
    ],
    ids=["zero-bytes", "whitespace", "bom-only", "bom-newline", "utf16-bom-only", "utf16-whitespace"],
)
def test_empty_file(tmp_path, data):
    """A file of nothing, whitespace or only a BOM is 'leer'."""
    p = _write(tmp_path, "t.csv", data)
    with pytest.raises(DataError) as exc:
        read_table(p)
    assert str(exc.value) == t("intake.empty", "de", path=str(p))
    assert str(exc.value).startswith(f"{p}: Die Datei ist leer.")


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00",
        b"a;b\n1;\x002\n",
        b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20 + b"a;b\n",
        b"\xef\xbb\xbfa;b\n\x00\x00\n",
    ],
    ids=["all-bytes", "png", "nul-in-text", "control-chars", "bom-then-nul"],
)
def test_binary_junk_refused(tmp_path, data):
    """Binary data (NUL bytes, many control characters, a PNG) is 'keine Texttabelle'."""
    with pytest.raises(DataError, match=r"Die Datei ist keine Texttabelle \(sie enthält Binärdaten\)"):
        read_table(_write(tmp_path, "t.csv", data))


def test_file_over_max_bytes(tmp_path):
    """A file over max_bytes is refused naming its size, the limit and how to raise it."""
    p = _write(tmp_path, "gross.csv", "a;b\n" + "1;2\n" * 500)
    size = p.stat().st_size
    assert size == 2004
    with pytest.raises(DataError) as exc:
        read_table(p, max_bytes=1000)
    assert str(exc.value) == (
        f"{p}: Die Datei ist 2.004 Bytes groß, erlaubt sind höchstens 1.000 Bytes. Falls die Datei "
        "wirklich so groß sein soll, die Grenze mit max_bytes= (Kommandozeile: --max-mb) erhöhen."
    )
    assert exc.value.path == str(p)
    assert read_table(p, max_bytes=size).shape == (500, 2)


def test_directory_refused(tmp_path):
    """A directory is refused with a message saying it is a folder."""
    with pytest.raises(DataError, match=r": Das ist ein Ordner, keine Datei\."):
        read_table(tmp_path)


def test_missing_path_refused(tmp_path):
    """A missing file gives a DataError naming the path and asking to check it."""
    p = tmp_path / "fehlt.csv"
    with pytest.raises(DataError) as exc:
        read_table(p)
    assert (
        str(exc.value)
        == f"{p}: Die Datei wurde nicht gefunden. Bitte den Pfad prüfen (Ordner, Schreibweise, Endung)."
    )
    assert isinstance(exc.value.__cause__, FileNotFoundError)


def test_permission_error_converted(tmp_path, monkeypatch):
    """A PermissionError while opening becomes a DataError (simulated: tests may run as root)."""
    p = _write(tmp_path, "t.csv", "a;b\n1;2\n")

    def deny(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(DataError, match="Keine Berechtigung, die Datei zu lesen"):
        read_table(p)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_refused_without_blocking(tmp_path):
    """A named pipe is refused instead of blocking on read."""
    p = tmp_path / "pipe.csv"
    os.mkfifo(p)
    with pytest.raises(DataError, match="keine gewöhnliche Datei"):
        read_table(p)


def test_nul_in_path(tmp_path):
    """A path containing NUL gives a DataError, not a ValueError."""
    with pytest.raises(DataError):
        read_table(str(tmp_path / "a\0b.csv"))


def test_english_messages(tmp_path):
    """lang='en' gives English messages."""
    p = _write(tmp_path, "t.csv", b"")
    with pytest.raises(DataError, match=r": The file is empty\. Please give the right file"):
        read_table(p, lang="en")
    with pytest.raises(
        DataError, match=r"at most 1 bytes are allowed.*max_bytes= \(command line: --max-mb\)"
    ):
        read_table(_write(tmp_path, "u.csv", "ab"), max_bytes=1, lang="en")


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (
            {"lang": "fr"},
            r"^The 'lang' parameter of read_table must be one of \{'de', 'en'\}\. Got 'fr' instead\.$",
        ),
        (
            {"delimiter": ";;"},
            r"The 'delimiter' parameter of read_table must be a single character other than",
        ),
        ({"delimiter": '"'}, r"'delimiter'"),
        ({"max_bytes": 0}, r"'max_bytes' parameter of read_table must be an int in the range \[1, inf\)\."),
        ({"max_bytes": True}, r"'max_bytes'"),
        (
            {"encoding": "keine-kodierung"},
            r"'encoding' parameter of read_table must be the name of a text encoding",
        ),
        ({"encoding": "rot13"}, r"'encoding'"),
        ({"sheet": 1.5}, r"'sheet'"),
        (
            {"lang": "de", "delimiter": ";;"},
            r"^Der Parameter „delimiter“ von read_table muss ein einzelnes Zeichen",
        ),
    ],
)
def test_bad_parameters(tmp_path, kwargs, pattern):
    """Bad parameter values raise ConfigError with one message shape."""
    p = _write(tmp_path, "t.csv", "a;b\n1;2\n")
    with pytest.raises(ConfigError, match=pattern):
        read_table(p, **kwargs)


def test_bad_parameter_english(tmp_path):
    """The parameter message follows sklearn's template in English."""
    with pytest.raises(
        ConfigError,
        match=r"^The 'max_bytes' parameter of read_table must be an int in the range \[1, inf\)\. "
        r"Got -1 instead\.$",
    ):
        read_table(_write(tmp_path, "t.csv", "a\n"), max_bytes=-1, lang="en")


def test_bad_path_type():
    """A path that is not str or PathLike is a ConfigError."""
    with pytest.raises(
        ConfigError, match=r"^The 'path' parameter of read_table must be a path \(str or Path\)\."
    ):
        read_table(123)  # type: ignore[arg-type]


def test_every_message_has_both_languages():
    """Every intake message exists in German and English with the same placeholders."""
    import string

    messages = {k: v for k, v in catalogue().items() if k.startswith("intake.")}
    assert "intake.empty" in messages and "intake.not_number" in messages
    for key, texts in messages.items():
        assert set(texts) == {"de", "en"}, key
        fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in texts.values()]
        assert fields[0] == fields[1], key


def test_source_info_accessor(tmp_path):
    """source_info() returns a frozen SourceInfo equal to the attrs dict; a foreign DataFrame is refused."""
    df = read_table(_write(tmp_path, "t.csv", "a;b\n1;2\n"))
    info = source_info(df)
    assert isinstance(info, SourceInfo)
    assert info.to_dict() == df.attrs["source_info"]
    with pytest.raises(AttributeError):
        info.n_rows = 5  # type: ignore[misc]
    with pytest.raises(ConfigError, match="stammt nicht von read_table"):
        source_info(pd.DataFrame({"a": [1]}))


# --- value parsers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "decimal", "value", "approximate", "percent"),
    [
        ("120", None, 120.0, False, False),
        ("1.234,5", None, 1234.5, False, False),
        ("1,234.5", None, 1234.5, False, False),
        ("1.234,5", ".", 1234.5, False, False),  # both separators: the last one is decimal, hint or not
        ("1234.5", None, 1234.5, False, False),
        ("1234,5", None, 1234.5, False, False),
        ("1.234.567", None, 1234567.0, False, False),
        ("1,234,567", ".", 1234567.0, False, False),
        ("1.234", ",", 1234.0, False, False),
        ("1.234", ".", 1.234, False, False),
        ("1,234", ",", 1.234, False, False),
        ("1,234", ".", 1234.0, False, False),
        ("12.5", ",", 12.5, False, False),  # cannot be thousands: read as a decimal point
        ("12,5", ".", 12.5, False, False),
        ("0.234", ",", 0.234, False, False),  # a lone 0 never starts a thousands group
        ("12,5 %", None, 12.5, False, True),
        ("12,5%", None, 12.5, False, True),
        ("12,5\u00a0%", None, 12.5, False, True),
        ("ca. 120", None, 120.0, True, False),
        ("ca 120", None, 120.0, True, False),
        ("Ca. 1.200", ",", 1200.0, True, False),
        ("~120", None, 120.0, True, False),
        ("≈ 40", None, 40.0, True, False),
        (">250", None, 250.0, True, False),
        ("> 250", None, 250.0, True, False),
        ("<10", None, 10.0, True, False),
        ("über 500", None, 500.0, True, False),
        ("mehr als 30", None, 30.0, True, False),
        ("250+", None, 250.0, True, False),
        ("ca. 12,5 %", None, 12.5, True, True),
        ("'120", None, 120.0, False, False),
        ("'-5", None, -5.0, False, False),
        ("-5", None, -5.0, False, False),
        ("−3,5", None, -3.5, False, False),
        ("+7", None, 7.0, False, False),
        ("1 234", None, 1234.0, False, False),
        ("1\u00a0234,50", None, 1234.5, False, False),
        ("1\u202f234\u202f567", None, 1234567.0, False, False),
        ("1'234.50", None, 1234.5, False, False),
        ("  42  ", None, 42.0, False, False),
        ("1.200.000 €", None, 1200000.0, False, False),
        ("12.", None, 12.0, False, False),
        (",5", None, 0.5, False, False),
        ("007", None, 7.0, False, False),
    ],
)
def test_parse_number_values(text, decimal, value, approximate, percent):
    """German, LimeSurvey and approximate spellings parse to the documented value and flags."""
    p = parse_number(text, decimal=decimal)
    assert p.ok and p.value == pytest.approx(value)
    assert (p.approximate, p.percent) == (approximate, percent)
    assert p.raw == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "k.A.",
        "k. A.",
        "K.A.",
        "ka",
        "n.v.",
        "N.V.",
        "-",
        "–",
        "—",
        "keine Angabe",
        "Unbekannt",
        "n/a",
        None,
    ],
)
def test_parse_number_placeholders(text):
    """Placeholders are missing values (value None, ok True), not errors."""
    p = parse_number(text)
    assert p.ok and p.value is None and p.missing
    assert is_placeholder(text)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "12a",
        "1e5",
        "12-15",
        "1.2.3",
        "1,23,4",
        "12 34",
        "1.23,4",
        "1,234.567,8",
        "ca.",
        "%",
        "nan",
        "inf",
        "1" * 400,
        "1.2345,6",
        "zwölf",
        "--5",
        "++5",
        "5 5 5",
    ],
)
def test_parse_number_garbage(text):
    """Text that is neither a number nor a placeholder gives ok False and no value."""
    p = parse_number(text)
    assert not p.ok and p.value is None and not p.missing
    assert p.raw == text


@pytest.mark.parametrize(
    ("text", "value", "ambiguous"),
    [("1.234", 1234.0, True), ("1,234", 1.234, True), ("12,34", 12.34, False), ("1.2345", 1.2345, False)],
)
def test_parse_number_ambiguity_flag(text, value, ambiguous):
    """Without a source decimal, one separator before exactly 3 digits follows German use and is flagged."""
    p = parse_number(text)
    assert p.value == pytest.approx(value) and p.ambiguous is ambiguous
    assert parse_number(text, decimal=",").ambiguous is False


def test_parse_number_bad_decimal():
    """An unknown decimal separator is a ConfigError."""
    with pytest.raises(ConfigError, match="'decimal'"):
        parse_number("1", decimal=";")  # type: ignore[arg-type]


def test_parsed_number_is_frozen():
    """ParsedNumber is immutable."""
    with pytest.raises(AttributeError):
        parse_number("1").value = 2.0  # type: ignore[misc]
    assert isinstance(parse_number("1"), ParsedNumber)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Y", True),
        ("J", True),
        ("Ja", True),
        ("ja", True),
        ("x", True),
        ("X", True),
        ("1", True),
        ("wahr", True),
        ("TRUE", True),
        ("true", True),
        ("Yes", True),
        (" y ", True),
        ("N", False),
        ("Nein", False),
        ("0", False),
        ("falsch", False),
        ("FALSE", False),
        ("No", False),
        ("", None),
        ("   ", None),
        (None, None),
        ("vielleicht", None),
        ("2", None),
        ("Yess", None),
    ],
)
def test_parse_bool(text, expected):
    """Tick and yes/no tokens map to True/False; empty and unknown text give None."""
    assert parse_bool(text) is expected
    assert is_bool_token(text) is (expected is not None)


def test_parse_bool_overrides():
    """Per-source token sets replace the defaults, case-insensitively."""
    assert parse_bool("ok", true={"OK"}, false={"nö"}) is True
    assert parse_bool("NÖ", true={"OK"}, false={"nö"}) is False
    assert parse_bool("Y", true={"OK"}, false={"nö"}) is None
    assert is_bool_token("ok", true=["ok"]) and not is_bool_token("Y", true=["ok"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'=SUMME(A1:A3)", "=SUMME(A1:A3)"),
        ("'+49 221 123", "+49 221 123"),
        ("'-5", "-5"),
        ("'@user", "@user"),
        ("'Hallo", "'Hallo"),
        ("'", "'"),
        ("''=1", "''=1"),
        ("=1+1", "=1+1"),
        ("", ""),
        (None, None),
    ],
)
def test_strip_injection_mask(text, expected):
    """Only a single ' before =, +, - or @ is removed."""
    assert strip_injection_mask(text) == expected


# --- headings ---------------------------------------------------------------------------------------------
KNOWN = ["A01", "A05[total]", "A05[female]", "C01[SQ001]", "C01[other]", "D02[SQ1][1]", *LIMESURVEY_METADATA]


def test_resolve_code_headings_and_em_form():
    """Bracket codes match exactly; Expression-Manager codes (A05_total, D02_SQ1_0) map to bracket form."""
    r = resolve_headings(["id", "A01", "A05_total", "A05[female]", "C01_other", "D02_SQ1_0"], KNOWN)
    assert r.mapping == {
        "id": "id",
        "A01": "A01",
        "A05_total": "A05[total]",
        "A05[female]": "A05[female]",
        "C01_other": "C01[other]",
        "D02_SQ1_0": "D02[SQ1][1]",
    }
    assert r.how["A05_total"] == "em_code" and r.how["A01"] == "exact"
    assert r.unknown == []
    assert r.missing == [
        "C01[SQ001]",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "token",
        "startdate",
        "datestamp",
        "ipaddr",
        "refurl",
    ]
    assert r.collisions == []


def test_resolve_em_form_only_for_known_canonical():
    """An underscore heading whose bracket form is not known stays unknown."""
    r = resolve_headings(["A05_other", "entry_id", "X_1_2_3"], KNOWN)
    assert r.mapping == {} and r.unknown == ["A05_other", "entry_id", "X_1_2_3"]


def test_resolve_case_insensitive():
    """Headings differing only in case match when they identify one known name."""
    r = resolve_headings(["a01", "SUBMITDATE", "c01[sq001]"], KNOWN)
    assert r.mapping == {"a01": "A01", "SUBMITDATE": "submitdate", "c01[sq001]": "C01[SQ001]"}
    assert set(r.how.values()) == {"casefold"}
    ambiguous = resolve_headings(["abc"], ["ABC", "Abc"])
    assert ambiguous.unknown == ["abc"]


def test_resolve_codetext_headings():
    """LimeSurvey 'codetext' headings (code + '. ', ' - ' or ': ' + text) resolve by their code."""
    heads = [
        "id. Response ID",
        "A05[total]. Beschäftigte insgesamt",
        "A01 - Name der Organisation",
        "C01[SQ001]: Maßnahme 1",
        "A05_female. Frauen",
        "seed.",
        "Kein Code hier. Text",
    ]
    r = resolve_headings(heads, KNOWN)
    assert r.mapping == {
        "id. Response ID": "id",
        "A05[total]. Beschäftigte insgesamt": "A05[total]",
        "A01 - Name der Organisation": "A01",
        "C01[SQ001]: Maßnahme 1": "C01[SQ001]",
        "A05_female. Frauen": "A05[female]",
        "seed.": "seed",
    }
    assert r.how["id. Response ID"] == "codetext"
    assert r.unknown == ["Kein Code hier. Text"]


def test_resolve_full_metadata_headings_english_and_german():
    """Full metadata headings in English and German map to the metadata codes."""
    en = [
        "Response ID",
        "Date submitted",
        "Last page",
        "Start language",
        "Seed",
        "Token",
        "Date started",
        "Date last action",
        "IP address",
        "Referrer URL",
    ]
    de = [
        "Antwort ID",
        "Datum Abgeschickt",
        "Letzte Seite",
        "Start-Sprache",
        "Zufallsstartwert",
        "Zugangsschlüssel",
        "Datum gestartet",
        "Datum letzte Aktivität",
        "IP-Adresse",
        "Weiterleitungs-URL",
    ]
    for heads in (en, de):
        r = resolve_headings(heads, LIMESURVEY_METADATA)
        assert [r.mapping[h] for h in heads] == list(LIMESURVEY_METADATA)
        assert r.missing == [] and r.unknown == []


def test_resolve_metadata_heading_needs_known_code():
    """A metadata heading maps only when the caller lists that metadata name."""
    r = resolve_headings(["Response ID"], ["A01"])
    assert r.unknown == ["Response ID"] and r.missing == ["A01"]


def test_resolve_nfc_and_whitespace():
    """Decomposed umlauts (NFD) and surrounding spaces do not prevent a match."""
    r = resolve_headings(["  Datum letzte Aktivita\u0308t "], ["datestamp"])
    assert r.mapping == {"  Datum letzte Aktivita\u0308t ": "datestamp"}


def test_resolve_mapping_override_wins():
    """The explicit mapping wins over every rule and can ignore a heading with None."""
    r = resolve_headings(
        ["Firma", "A05_total", "Bemerkung"],
        KNOWN,
        mapping={"Firma": "A01", "A05_total": "A05[female]", "Bemerkung": None, "Nicht da": "A01"},
    )
    assert r.mapping == {"Firma": "A01", "A05_total": "A05[female]"}
    assert r.how == {"Firma": "mapping", "A05_total": "mapping"}
    assert r.ignored == ["Bemerkung"] and r.unknown == []
    assert r.unused_mapping == ["Nicht da"]
    assert "A05[total]" in r.missing


def test_resolve_mapping_collision_reported():
    """A mapped heading and a heading matching the same name by code collide; neither is mapped."""
    r = resolve_headings(["Firma", "A01"], KNOWN, mapping={"Firma": "A01"})
    assert r.collisions == [{"canonical": "A01", "headings": ["Firma", "A01"]}]
    assert r.mapping == {} and r.unknown == []
    assert "A01" not in r.missing


def test_resolve_mapping_to_unknown_name_is_config_error():
    """A mapping pointing to a name that does not exist is a bug in the edition file, with a suggestion."""
    with pytest.raises(
        ConfigError, match=r"„Firma“ → „A1“ zeigt auf keine bekannte Spalte \(gemeint: „A01“\?\)"
    ):
        resolve_headings(["Firma"], KNOWN, mapping={"Firma": "A1"})


def test_resolve_collisions_never_merged():
    """Two headings reaching the same canonical name are a collision and neither is mapped."""
    r = resolve_headings(["A05[total]", "A05_total", "a05[TOTAL]", "A01"], KNOWN)
    assert r.collisions == [
        {"canonical": "A05[total]", "headings": ["A05[total]", "A05_total", "a05[TOTAL]"]}
    ]
    assert r.mapping == {"A01": "A01"}
    assert "A05[total]" not in r.missing
    assert r.unknown == []


def test_resolution_is_a_frozen_dataclass():
    """HeadingResolution is a frozen result object."""
    r = resolve_headings(["A01"], KNOWN)
    assert isinstance(r, HeadingResolution)
    with pytest.raises(AttributeError):
        r.mapping = {}  # type: ignore[misc]


def test_read_then_resolve_duplicates(tmp_path):
    """After read_table renames a duplicate to name__2, the copy stays unknown instead of colliding."""
    df = read_table(_write(tmp_path, "t.csv", "id;A01;A01\n1;x;y\n"))
    r = resolve_headings(list(df.columns), KNOWN)
    assert r.mapping == {"id": "id", "A01": "A01"} and r.unknown == ["A01__2"]
    assert source_info(df).duplicate_headings == ["A01"]


# --- real exports from other installations -----------------------------------------------------------------
# Expected shapes were counted by hand, independently of read_table: `file`/`xxd` for BOM, line endings and
# delimiter, then Python's csv.reader configured explicitly per file (encoding, delimiter, quotechar '"'),
# dropping the one blank record LimeSurvey writes at EOF. Spot-check cells are (spreadsheet row, column
# position, text) as that reader returned them.
REAL = [
    (
        "Multilab/Exp02_Mid_Codes.csv",
        66,
        150,
        "utf-8-sig",
        ",",
        [(6, 67, "Fahrer fährt"), (26, 142, "Sensorstörung")],
    ),
    ("Multilab/Exp02_Mid_CompleteReplies.csv", 66, 150, "utf-8-sig", ",", [(3, 10, "Stark bewölkt")]),
    (
        "Multilab/Exp03_Mid_Codes.csv",
        42,
        159,
        "utf-8-sig",
        ",",
        [
            (30, 158, "Zufällig hingeschaut"),
            (
                3,
                61,
                "The more I get used to the car, I get more comfortable I get with letting the car drive\n"
                "Feel guilty about giving the responsibility away",
            ),
        ],
    ),
    (
        "SportundUmwelt/results-survey926142.csv",
        59,
        37,
        "utf-8-sig",
        ",",
        [(39, 7, "Schutt\xe4"), (3, 34, "M\xe4nnlich")],
    ),
    ("VDA_Sim/NDRA.csv", 59, 5, "utf-8", ";", [(2, 1, "Manuell"), (60, 4, "89")]),
    ("VDA_Sim/VPCodes.csv", 79, 5, "utf-8-sig", ";", [(40, 1, "negü18")]),
    (
        "gender_climate_change/Umfrage_Corona_Klimawandel.csv",
        788,
        187,
        "cp1252",
        ";",
        [
            (
                308,
                121,
                "wenn überhaupt: 2 (eigentlich nur ein bis zwei Mal im Monat!) ansonsten laufe ich, auch "
                "längere Strecken von 10, 12 km...",
            )
        ],
    ),
    ("how_r_r_you/survey_795331_R_data_file.csv", 670, 193, "utf-8-sig", ";", [(634, 111, "Fl\xf6te")]),
    (
        "limonaid/export-of-minimal-survey-as-tsv.txt",
        312,
        146,
        "utf-8",
        "\t",
        [
            (80, 6, "Uitnodiging om deel te nemen aan een enquête"),
            (164, 6, "I don\u2019t do any of the above"),
        ],
    ),
    ("limonaid/survey_100001_R_data_file.csv", 3, 646, "utf-8-sig", ",", [(2, 1, "2022-03-15 10:50:10")]),
    ("limonaid/survey_998192_R_data_file.csv", 7, 71, "utf-8-sig", ",", [(2, 1, "2021-09-24 11:39:34")]),
    (
        "pulsemanager/rc2_export_responses_base64_decoded.csv",
        1,
        79,
        "utf-8-sig",
        ";",
        [(2, 0, "2543"), (2, 1, "1980-01-01 00:00:00"), (2, 5, "4")],
    ),
    # the demo questionnaire fielded in a real LimeSurvey 6.4.2 (see that folder's README): 23 responses
    (
        "limesurvey-6.4.2-vg2010/rpc_csv_code_long_en.csv",
        23,
        160,
        "utf-8-sig",
        ";",
        [
            (15, 7, "Zeilenumbruch & S\xf6hne e.K."),
            (15, 148, 'Zeile 1\nZeile 2; mit Semikolon, "Zitat"\tTab'),
            (15, 149, "=1+1"),
            (15, 150, "Emoji \U0001f642 und \xdf"),
            (15, 15, "up to \u20ac10m"),
        ],
    ),
    (
        "limesurvey-6.4.2-vg2010/ui_default_csv_full_long_comma.csv",
        23,
        160,
        "utf-8-sig",
        ",",
        [
            (16, 11, "\xf6ffentlich-rechtlich (Verwaltung, K\xf6rperschaft, Anstalt)"),
            (15, 148, 'Zeile 1\nZeile 2; mit Semikolon, "Zitat"\tTab'),
            (15, 150, "Emoji \U0001f642 und \xdf"),
            (13, 9, 'Stiftung & Co. KG; "gemeinn\xfctzig"'),
        ],
    ),
]

# non-ASCII headings, by column position, as csv.reader gave them (surrounding whitespace stripped)
REAL_HEADINGS = {
    "SportundUmwelt/results-survey926142.csv": [(8, "\xdcbst du deine Hauptsportart in einem Verein aus?")],
    "how_r_r_you/survey_795331_R_data_file.csv": [(105, "G6Q00003. At the peak of my interest, I practiced")],
    "limonaid/survey_100001_R_data_file.csv": [(36, "Where are you planning to stay? [I don\u2019t know]")],
    "limonaid/survey_998192_R_data_file.csv": [(20, "Please\xa0 describe your current mood.")],
    "limesurvey-6.4.2-vg2010/ui_default_csv_full_long_comma.csv": [
        (6, "Datum letzte Aktivit\xe4t"),
        (7, "Name der Organisation / K\xf6lner Niederlassung"),
    ],
}

# workbooks, counted with openpyxl (read_only, data_only): (name, rows, columns, sheet, cells)
REAL_XLSX = [
    (
        "limesurvey-6.4.2-vg2010/rpc_xls_code_short_de.xlsx",
        23,
        160,
        "Vielfalt gewinnt 2010 (Demo-Edi",
        [
            (2, 10, "49.41"),  # a text answer LimeSurvey stored as a number
            (16, 10, "55.9"),  # typed as 55.90
            (2, 149, ""),  # a formula without a cached value
            (15, 148, 'Zeile 1\nZeile 2; mit Semikolon, "Zitat"\tTab'),
            (21, 7, "Fisch & Chips <Rhein> GmbH"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "n_rows", "n_cols", "encoding", "delimiter", "cells"), REAL, ids=[r[0] for r in REAL]
)
def test_real_exports(shared_dir, name, n_rows, n_cols, encoding, delimiter, cells):
    """Each real export reads with the hand-counted shape, encoding, delimiter and correctly decoded text."""
    path = shared_dir / "real-exports" / name
    df = read_table(path)
    assert df.shape == (n_rows, n_cols)
    assert list(df.index) == list(range(2, n_rows + 2))
    info = source_info(df)
    assert (info.encoding, info.delimiter) == (encoding, delimiter)
    assert info.ragged_rows == []
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    for row, pos, text in cells:
        assert df.iloc[:, pos].loc[row] == text
    for pos, heading in REAL_HEADINGS.get(name, []):
        assert df.columns[pos] == heading
    assert _all_str(df)


@pytest.mark.parametrize(
    ("name", "n_rows", "n_cols", "sheet", "cells"), REAL_XLSX, ids=[r[0] for r in REAL_XLSX]
)
def test_real_xlsx_exports(shared_dir, name, n_rows, n_cols, sheet, cells):
    """Each real workbook reads with the counted shape, its first sheet, and cells as Excel shows them."""
    path = shared_dir / "real-exports" / name
    df = read_table(path)
    assert df.shape == (n_rows, n_cols)
    assert list(df.index) == list(range(2, n_rows + 2))
    info = source_info(df)
    assert (info.format, info.sheet, info.encoding, info.delimiter) == ("xlsx", sheet, None, None)
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    for row, pos, text in cells:
        assert df.iloc[:, pos].loc[row] == text
    assert _all_str(df)


def test_real_exports_complete(shared_dir):
    """The parametrised lists cover every data file in real-exports (all *.csv and *.xlsx plus the TSV)."""
    root = shared_dir / "real-exports"
    found = {p.relative_to(root).as_posix() for p in root.glob("*/*.csv")}
    found.add("limonaid/export-of-minimal-survey-as-tsv.txt")
    assert found == {r[0] for r in REAL}
    workbooks = {p.relative_to(root).as_posix() for p in root.glob("*/*.xlsx")}
    assert workbooks == {r[0] for r in REAL_XLSX}


def test_real_limesurvey_headings_resolve(shared_dir):
    """Real LimeSurvey exports with code, codetext, English and German full headings resolve metadata."""
    root = shared_dir / "real-exports"
    expected = ["id", "submitdate", "lastpage", "startlanguage", "seed"]
    for name in (
        "Multilab/Exp03_Mid_Codes.csv",
        "how_r_r_you/survey_795331_R_data_file.csv",
        "limonaid/survey_998192_R_data_file.csv",
        "SportundUmwelt/results-survey926142.csv",
    ):
        cols = list(read_table(root / name).columns)
        r = resolve_headings(cols, LIMESURVEY_METADATA)
        assert [r.mapping[c] for c in cols[:5]] == expected, name
        assert r.collisions == []


def test_only_vielfalt_errors_escape_for_real_dirs(shared_dir):
    """Reading the real-exports folder itself gives a DataError (a folder), nothing else."""
    with pytest.raises(VielfaltError):
        read_table(shared_dir / "real-exports")


def test_module_exports_documented():
    """Every name in ingest.__all__ exists and public callables and classes have a docstring."""
    for name in ingest.__all__:
        obj = getattr(ingest, name)
        if callable(obj):
            assert obj.__doc__, name


# --- the package layout of the raw layer --------------------------------------------------------------------
def test_read_keeps_the_names_of_the_former_module():
    """vielfalt.intake.read still offers every public name the single module read.py had (but MESSAGES)."""
    former = {
        "BOOL_FALSE", "BOOL_TRUE", "DEFAULT_MAX_BYTES", "DELIMITER_CANDIDATES", "EXTRA_COLUMN",
        "FORMULA_PREFIXES", "LIMESURVEY_METADATA", "LIMESURVEY_METADATA_HEADINGS", "PLACEHOLDERS",
        "HeadingResolution", "ParsedNumber", "SourceInfo", "is_bool_token", "is_form", "is_placeholder",
        "parse_bool", "parse_number", "read_form", "read_table", "resolve_headings", "source_info",
        "strip_injection_mask",
    }  # fmt: skip
    assert former <= set(ingest.__all__)
    import vielfalt.intake as intake

    assert all(getattr(ingest, n) is getattr(intake, n) for n in former if n in intake.__all__)


def test_intake_doctests():
    """The examples in the docstrings of every intake module run and give what they show."""
    import doctest
    import importlib
    import pkgutil

    import vielfalt.intake as intake

    names = [m.name for m in pkgutil.walk_packages(intake.__path__, "vielfalt.intake.")]
    assert "vielfalt.intake.read.decode" in names and "vielfalt.intake.values" in names
    for name in names:
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, name


def test_intake_names_no_questionnaire_code():
    """No item code or scale id of the shipped questionnaires appears in the intake sources or messages."""
    import re

    from vielfalt.config.questionnaire import load_questionnaire

    root = Path(__file__).resolve().parents[1]
    codes: set[str] = set()
    for qid in ("vg2010", "vg2015"):
        q = load_questionnaire(root / "params" / "questionnaire" / f"{qid}.yaml")
        codes |= {it.id for _, it in q.iter_items()} | set(q.scales)
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, codes))) + r")\b")
    files = [*sorted((root / "src" / "vielfalt" / "intake").rglob("*.py"))]
    files.append(root / "src" / "vielfalt" / "messages" / "intake.yaml")
    found = {
        f"{p.name}: {m.group(0)}" for p in files for m in pattern.finditer(p.read_text(encoding="utf-8"))
    }
    assert not found, sorted(found)
