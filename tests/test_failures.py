"""Tests of the one failure-table builder (vielfalt.failures)."""

from __future__ import annotations

from vielfalt.columns import FAILURE_COLUMNS
from vielfalt.failures import failure_frame, failure_row


def test_frame_has_every_column_in_order_and_a_nullable_row():
    """Rows from dicts and tuples give one table; a whole-file problem has no row number."""
    rows = [
        failure_row(source="a.csv", row=2, check="x", value=12, reason="r", fix="f", value_as_text=True),
        failure_row(source="a.csv", check="file", reason="r", fix="f", severity="warning"),
    ]
    df = failure_frame(rows)
    assert list(df.columns) == FAILURE_COLUMNS
    assert str(df["row"].dtype) == "Int64"
    assert df["row"].isna().tolist() == [False, True]
    assert df["value"].tolist()[0] == "12"
    assert df["severity"].tolist() == ["error", "warning"]


def test_empty_entry_id_counts_as_none_and_empty_table_keeps_columns():
    """An empty entry id is stored as missing; no rows still give the full heading."""
    row = failure_row(source="s", entry_id="", check="c", reason="r", fix="f")
    assert row["entry_id"] is None
    assert list(failure_frame([]).columns) == FAILURE_COLUMNS
