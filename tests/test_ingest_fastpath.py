"""The fast CSV path of read_table (pandas' C parser) equals the reference reader, or steps aside."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vielfalt.exceptions import DataError
from vielfalt.intake import read as ingest
from vielfalt.intake.read import csv as read_csv
from vielfalt.intake.read import frame, table

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# pieces that stress the tokenizers: delimiters, quotes in every position, all line breaks, blanks, umlauts
PIECES = st.sampled_from(
    [
        "a",
        "Z",
        "7",
        " ",
        "ä",
        "€",
        ";",
        ",",
        "\t",
        "|",
        '"',
        '""',
        "'",
        "=",
        "\n",
        "\r",
        "\r\n",
        "\u2028",
        "x;y",
    ]
)
TEXT = st.lists(PIECES, min_size=1, max_size=40).map("".join)


def _info() -> dict[str, object]:
    return {"path": "t.csv", "sha256": "", "size_bytes": 0, "format": "csv", "encoding": "utf-8",
            "encoding_source": "utf-8", "sheet": None}  # fmt: skip


def _reference(text: str, delimiter: str) -> pd.DataFrame | None:
    """The csv-module reader, or None where it refuses the text."""
    info = {**_info(), "delimiter": delimiter}
    try:
        with read_csv.field_limit(len(text) + 1):
            records = read_csv.parse_records(text, delimiter, "t.csv", "de")
            return frame.build_frame(records, info, grid=False, delimiter=delimiter, lang="de")
    except DataError:
        return None


def _fast(text: str, delimiter: str) -> pd.DataFrame | None:
    return read_csv.fast_frame(text, delimiter, {**_info(), "delimiter": delimiter})


def _same(fast: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert list(fast.columns) == list(ref.columns)
    assert fast.columns.dtype == ref.columns.dtype == object
    assert fast.index.equals(ref.index) and fast.index.name == ref.index.name == "row"
    assert [fast[c].dtype for c in fast.columns] == [ref[c].dtype for c in ref.columns]
    assert fast.to_numpy().tolist() == ref.to_numpy().tolist()
    assert fast.attrs == ref.attrs


@FUZZ
@given(text=TEXT, delimiter=st.sampled_from(ingest.DELIMITER_CANDIDATES))
def test_fast_path_equals_reference_on_arbitrary_text(text: str, delimiter: str) -> None:
    """Whenever the fast path returns a table, the reference reader returns the same table and attrs."""
    fast = _fast(text, delimiter)
    if fast is not None:
        ref = _reference(text, delimiter)
        assert ref is not None, "the fast path accepted a text the reference refuses"
        _same(fast, ref)


CELL = st.lists(st.sampled_from(["a", "ä", " ", ";", '"', "\n", "\r\n", "=1", "k.A.", ""]), max_size=5).map(
    "".join
)


@FUZZ
@given(
    width=st.integers(1, 5),
    rows=st.lists(st.lists(CELL, min_size=5, max_size=5), min_size=1, max_size=6),
    quoting=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]),
    terminator=st.sampled_from(["\r\n", "\n"]),
)
def test_fast_path_reads_regular_tables(
    width: int, rows: list[list[str]], quoting: int, terminator: str
) -> None:
    """A table as LimeSurvey or Excel write it (no blank rows) reads fast and equals the reference."""
    header = [f"h{i}" for i in range(width)]
    body = [r[:width] for r in rows]
    if any(all(c == "" for c in r) for r in body):
        return  # a record of empty fields may be a blank line: the reference decides
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", quoting=quoting, lineterminator=terminator).writerows([header, *body])
    text = buf.getvalue() + terminator
    fast = _fast(text, ";")
    assert fast is not None
    _same(fast, _reference(text, ";"))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("\r\nid;a\r\n1;2\r\n", "blank record before the header shifts the row numbers"),
        ("id;a\r\n\r\n1;2\r\n", "a blank record between records is kept as an empty row"),
        ("id;a\r\n1\r\n", "a short record is ragged"),
        ("id;a\r\n1;2;3\r\n", "a long record keeps its surplus in __extra__"),
        ("id;a\r\n1;2;\r\n", "a trailing empty field is dropped by the reference"),
        ('id;a\r\n1;"open\r\n', "an unclosed quote is refused with its line"),
        ("id;a\r\n", "a header alone gives an empty table"),
    ],
)
def test_irregular_files_take_the_reference_path(text: str, why: str) -> None:
    """Files with blank, ragged or broken records are left to the reference reader."""
    assert _fast(text, ";") is None, why


def test_read_table_reports_ragged_rows_and_blank_records(tmp_path) -> None:
    """Through read_table, a ragged and a blank record are still reported and kept as before."""
    p = tmp_path / "r.csv"
    p.write_bytes(b'"id";"A01"\r\n"1";"a"\r\n\r\n"2"\r\n"3";"c";"x"\r\n\r\n')
    df = ingest.read_table(p, delimiter=";")
    info = ingest.source_info(df)
    assert df.index.tolist() == [2, 3, 4, 5]
    assert df["A01"].tolist() == ["a", "", "", "c"]
    assert [(r["row"], r["fields"]) for r in info.ragged_rows] == [(4, 1), (5, 3)]
    assert df[ingest.EXTRA_COLUMN].tolist() == ["", "", "", "x"]


def test_read_table_normalises_carriage_returns_on_the_fast_path(tmp_path) -> None:
    """CRLF and lone CR inside quoted cells become LF, as in the reference reader."""
    p = tmp_path / "n.csv"
    p.write_bytes('"id";"F01"\r\n"1";"Zeile 1\r\nZeile 2\rZeile 3"\r\n"2";"ä"\r\n'.encode())
    assert _fast(p.read_bytes().decode("utf-8"), ";") is not None
    df = ingest.read_table(p)
    assert df["F01"].tolist() == ["Zeile 1\nZeile 2\nZeile 3", "ä"]


def test_real_exports_read_the_same_on_both_paths(shared_dir, monkeypatch) -> None:
    """Every real export beside the project gives the same table with and without the fast path."""
    files = sorted(
        p for p in (shared_dir / "real-exports").rglob("*") if p.suffix.lower() in {".csv", ".txt", ".tsv"}
    )
    assert files
    for path in files:
        try:
            fast = ingest.read_table(path)
        except DataError:
            fast = None
        with monkeypatch.context() as m:
            m.setattr(table, "fast_frame", lambda *a, **k: None)
            try:
                ref = ingest.read_table(path)
            except DataError:
                ref = None
        assert (fast is None) == (ref is None), path
        if fast is not None:
            _same(fast, ref)
