"""Property tests: whatever the bytes, read_table returns a table of strings or raises a VielfaltError."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vielfalt.exceptions import DataError, VielfaltError
from vielfalt.intake.read import DELIMITER_CANDIDATES, read_table, source_info

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_counter = itertools.count()


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory) -> Path:
    """One directory per module; hypothesis examples must not share pytest's function-scoped tmp_path."""
    return tmp_path_factory.mktemp("ingest_fuzz")


def _file(directory: Path, data: bytes, suffix: str) -> Path:
    p = directory / f"f{next(_counter)}{suffix}"
    p.write_bytes(data)
    return p


def _read_or_vielfalt_error(path: Path, **kwargs) -> pd.DataFrame | None:
    """Read `path`; a VielfaltError is an allowed outcome (None), any other exception fails the test."""
    try:
        return read_table(path, **kwargs)
    except VielfaltError:
        return None
    finally:
        path.unlink()


def _check_invariants(df: pd.DataFrame) -> None:
    """The contract of every successful read: strings only, row numbers, unique names, matching info."""
    info = source_info(df)
    assert df.index.name == "row"
    assert list(df.index) == list(range(info.header_row + 1, info.header_row + 1 + len(df)))
    assert info.n_rows == len(df) and info.n_columns == df.shape[1]
    assert df.columns.is_unique
    assert all(type(c) is str and c for c in df.columns)
    assert all(df[c].dtype == object for c in df.columns)
    assert all(type(v) is str for c in df.columns for v in df[c].tolist())
    assert all("\r" not in v for c in df.columns for v in df[c].tolist())
    for r in info.ragged_rows:
        assert r["row"] in df.index and r["fields"] != r["expected"]


SUFFIXES = st.sampled_from([".csv", ".txt", ".xlsx", ".xls", ".tsv", ""])


@FUZZ
@given(data=st.binary(max_size=4096), suffix=SUFFIXES)
def test_arbitrary_bytes(fuzz_dir, data, suffix):
    """Arbitrary bytes under any file name give a table of strings or a VielfaltError, nothing else."""
    df = _read_or_vielfalt_error(_file(fuzz_dir, data, suffix))
    if df is not None:
        _check_invariants(df)


@FUZZ
@given(
    data=st.binary(max_size=2048),
    magic=st.sampled_from(
        [b"PK\x03\x04", b"PK\x05\x06", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xd0\xcf\x11\xe0"]
    ),
    suffix=SUFFIXES,
)
def test_bytes_behind_magic_numbers(fuzz_dir, data, magic, suffix):
    """Random bytes behind a ZIP, BOM or OLE signature still give only strings or a VielfaltError."""
    df = _read_or_vielfalt_error(_file(fuzz_dir, magic + data, suffix))
    if df is not None:
        _check_invariants(df)


def _small_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "A01", "A05[total]"])
    ws.append([1, "Müller GmbH", 120])
    ws.append([2, None, 3.5])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


WORKBOOK = _small_workbook()


@FUZZ
@given(
    cut=st.integers(min_value=0, max_value=len(WORKBOOK)),
    flips=st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), max_size=8),
)
def test_damaged_workbooks(fuzz_dir, cut, flips):
    """A real workbook truncated or with bytes overwritten gives a table of strings or a VielfaltError."""
    data = bytearray(WORKBOOK)
    for pos, value in flips:
        data[pos] = value
    df = _read_or_vielfalt_error(_file(fuzz_dir, bytes(data[: max(cut, 4)]), ".xlsx"))
    if df is not None:
        _check_invariants(df)


@FUZZ
@given(
    members=st.lists(
        st.tuples(
            st.sampled_from(["xl/workbook.xml", "[Content_Types].xml", "xl/x.xml", "a"]),
            st.binary(max_size=300),
        ),
        max_size=4,
    )
)
def test_random_zip_archives(fuzz_dir, members):
    """Valid ZIP archives with random members (a workbook.xml or not) give strings or a VielfaltError."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        seen: set[str] = set()
        for i, (name, payload) in enumerate(members):
            # a repeated name gets a suffix (zipfile warns about duplicates)
            zf.writestr(name if name not in seen else f"{name}.{i}", payload)
            seen.add(name)
    df = _read_or_vielfalt_error(_file(fuzz_dir, buf.getvalue(), ".xlsx"))
    if df is not None:
        _check_invariants(df)


# --- structured tables -------------------------------------------------------------------------------------
# chunks a cell is built from: text, umlauts, NBSP, delimiters, quotes, line breaks (never a lone CR: Python's
# csv writer only quotes the line terminator's characters, and Excel never writes one)
CHUNKS = st.sampled_from(
    [
        "a",
        "Z",
        "7",
        "1.234,5",
        " ",
        "ä",
        "Ö",
        "ß",
        "€",
        "é",
        "\u00a0",
        ";",
        ",",
        "\t",
        "|",
        '"',
        "'",
        "=",
        "\n",
        "\r\n",
        "k.A.",
        "GmbH & Co. KG",
    ]
)
CELL = st.lists(CHUNKS, max_size=6).map("".join)
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789[]_", min_size=1, max_size=8)


@st.composite
def tables(draw):
    n_cols = draw(st.integers(1, 6))
    header = draw(st.lists(WORD, min_size=n_cols, max_size=n_cols, unique=True))
    rows = draw(st.lists(st.lists(CELL, min_size=n_cols, max_size=n_cols), max_size=8))
    return header, rows


def _render(header, rows, delimiter, quoting, terminator, blank_at_eof) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator=terminator).writerows(
        [header, *rows]
    )
    return buf.getvalue() + (terminator if blank_at_eof else "")


def _encode(text: str, encoding: str) -> bytes | None:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return None


@FUZZ
@given(
    table=tables(),
    delimiter=st.sampled_from(DELIMITER_CANDIDATES),
    quoting=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]),
    terminator=st.sampled_from(["\r\n", "\n"]),
    blank_at_eof=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    explicit=st.booleans(),
)
def test_written_tables_read_back(
    fuzz_dir, table, delimiter, quoting, terminator, blank_at_eof, encoding, explicit
):
    """A table written by the csv module reads back with one row per record and the same cells."""
    header, rows = table
    text = _render(header, rows, delimiter, quoting, terminator, blank_at_eof)
    data = _encode(text, encoding)
    if data is None:
        return  # a character cp1252 lacks
    kwargs = {"delimiter": delimiter} if explicit else {}
    df = read_table(_file(fuzz_dir, data, ".csv"), **kwargs)
    _check_invariants(df)
    info = source_info(df)
    assert len(df) == len(rows)
    assert list(df.columns) == header
    assert info.ragged_rows == []
    if len(header) > 1:
        assert info.delimiter == delimiter
    # UTF-8 and cp1252 byte strings can coincide; compare cells only where the detected codec reads the text
    decoded = data.decode(info.encoding)
    if decoded.removeprefix("\ufeff") == text:
        expected = [[c.replace("\r\n", "\n") for c in r] for r in rows]
        assert df.to_numpy().tolist() == expected


@FUZZ
@given(table=tables(), position=st.floats(0, 1), count=st.integers(1, 3))
def test_nul_bytes_are_refused(fuzz_dir, table, position, count):
    """NUL bytes anywhere in a UTF-8 table make it 'not a text table'."""
    header, rows = table
    data = _render(header, rows, ";", csv.QUOTE_MINIMAL, "\r\n", False).encode("utf-8")
    at = int(position * len(data))
    data = data[:at] + b"\x00" * count + data[at:]
    with pytest.raises(DataError, match="keine Texttabelle"):
        read_table(_file(fuzz_dir, data, ".csv"))


@settings(max_examples=25, deadline=None)
@given(size=st.integers(0, 400_000), delimiter=st.sampled_from(DELIMITER_CANDIDATES), quoted=st.booleans())
def test_huge_fields(fuzz_dir, size, delimiter, quoted):
    """A field of up to 400,000 characters reads back intact (beyond the csv module's default limit)."""
    big = "ä" * size
    cell = f'"{big}"' if quoted else big
    text = f"id{delimiter}text\r\n1{delimiter}{cell}\r\n"
    df = read_table(_file(fuzz_dir, text.encode("utf-8"), ".csv"), delimiter=delimiter)
    assert df.loc[2, "text"] == big
    assert len(df) == 1


@FUZZ
@given(
    table=tables(),
    max_bytes=st.integers(min_value=1, max_value=5000),
)
def test_size_limit_holds(fuzz_dir, table, max_bytes):
    """Files over max_bytes are always refused, files within it never for their size."""
    header, rows = table
    data = _render(header, rows, ";", csv.QUOTE_ALL, "\r\n", True).encode("utf-8-sig")
    path = _file(fuzz_dir, data, ".csv")
    try:
        if len(data) > max_bytes:
            with pytest.raises(DataError, match="erlaubt sind höchstens"):
                read_table(path, max_bytes=max_bytes)
        else:
            _check_invariants(read_table(path, max_bytes=max_bytes))
    finally:
        path.unlink()
