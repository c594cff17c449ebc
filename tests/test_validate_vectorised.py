"""Validation computes per distinct value and per column; these tests pin it to the per-cell rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_validate import ctx, raw_frame, run, valid_row  # noqa: F401 (ctx is a fixture)
from vielfalt.intake import read as ingest
from vielfalt.intake.values import Cells, parse_bools, parse_dates, parse_numbers

TOKENS = st.sampled_from(
    ["", " ", "Y", "y ", "x", "X", "ja", "Nein", "1", "0", "-1", "12", "12,5", "1.250", "ca. 40", "k.A.",
     "viele",     " 40 ", "1e3", "nan", "=1+1", "\tTab", "-oth-", "ä", "2010-01-14 10:23:45", "14.01.2010"]
)  # fmt: skip
COLUMN = st.lists(TOKENS, max_size=30)


@settings(max_examples=150, deadline=None)
@given(cells=COLUMN, decimal=st.sampled_from([",", ".", None]))
def test_numbers_per_distinct_value_equal_per_cell_parsing(cells: list[str], decimal: str | None) -> None:
    """Value, ok and approximate of every cell are those of ingest.parse_number on that cell."""
    value, ok, approx = parse_numbers(Cells(np.array(cells, dtype=object)), decimal)
    expected = [ingest.parse_number(c, decimal=decimal) for c in cells]
    assert ok.tolist() == [bool(p.ok) for p in expected]
    assert approx.tolist() == [bool(p.approximate) for p in expected]
    assert [None if np.isnan(v) else v for v in value] == [p.value for p in expected]
    assert value.dtype == float and ok.dtype == bool and len(value) == len(cells)


@settings(max_examples=150, deadline=None)
@given(cells=COLUMN)
def test_ticks_per_distinct_value_equal_per_cell_parsing(cells: list[str]) -> None:
    """A tick is empty (ok, False), a yes/no token (ok, its value) or unknown (not ok) cell by cell."""
    value, ok, empty = parse_bools(Cells(np.array(cells, dtype=object)))
    for c, v, o, e in zip(cells, value, ok, empty, strict=True):
        s = c.strip()
        assert e == (s == "")
        assert o == (s == "" or ingest.is_bool_token(s))
        assert v == (o and not e and bool(ingest.parse_bool(s)))


def test_cells_keep_missing_values_as_values() -> None:
    """A column with NaN or None (a hand-made table) still maps every cell; missing cells stay missing."""
    cells = Cells(np.array(["a", np.nan, " a ", None, "a"], dtype=object))
    stripped = cells.strip().values.tolist()
    assert stripped[0] == stripped[2] == stripped[4] == "a"
    assert pd.isna(stripped[1]) and pd.isna(stripped[3])
    assert cells.each(lambda v: isinstance(v, str), bool).tolist() == [True, False, True, False, True]
    derived = cells.derive(lambda v: f"<{v}>").values.tolist()
    assert derived[0] == "<a>" and derived[2] == "< a >" and derived[1] == derived[3] in ("<nan>", "<None>")


def test_dates_first_matching_format_wins() -> None:
    """ISO and German dates parse, blanks are ok and NaT, others not ok; the dtype is the first format's."""
    raw = ["2010-01-14 10:23:45", "2010-01-15", "16.01.2010", "17.01.2010 08:30", "18.01.2010 08:30:15",
           "2010-01-19T07:00:00", "", "  ", "gestern", "31.02.2010"]  # fmt: skip
    when, ok = parse_dates(Cells(np.array(raw, dtype=object)), pd.RangeIndex(2, 12))
    assert ok.tolist() == [True] * 8 + [False, False]
    assert when.dtype == "datetime64[us]"
    assert when.index.tolist() == list(range(2, 12))
    assert [str(t) for t in when[:6]] == [
        "2010-01-14 10:23:45", "2010-01-15 00:00:00", "2010-01-16 00:00:00", "2010-01-17 08:30:00",
        "2010-01-18 08:30:15", "2010-01-19 07:00:00",
    ]  # fmt: skip
    assert when[6:].isna().all()


def test_dates_only_german_keep_the_dtype_of_the_first_format() -> None:
    """A column of German dates only: the ISO format parses none, and its dtype is kept (as before)."""
    when, ok = parse_dates(Cells(np.array(["14.01.2010", ""], dtype=object)), pd.RangeIndex(2, 4))
    assert ok.all() and str(when.iloc[0]) == "2010-01-14 00:00:00"
    assert when.dtype == pd.to_datetime(pd.Series(["x"]), format="%Y-%m-%d %H:%M:%S", errors="coerce").dtype


def test_duplicates_across_rows_keep_the_latest_and_name_it(ctx) -> None:  # noqa: F811
    """Three submissions of one name (spelt differently): only the latest is kept, each other names it."""
    rows = [
        valid_row(id="1", A01="Muster GmbH", submitdate="2010-01-20 09:00:00"),
        valid_row(id="2", A01="MUSTER gmbh!", submitdate="2010-01-25 09:00:00"),
        valid_row(id="3", A01="Andere AG", submitdate="2010-01-21 09:00:00"),
        valid_row(id="4", A01="muster-GmbH", submitdate="2010-01-10 09:00:00"),
    ]
    rep = run(ctx, rows)
    assert rep.accepted["A01"].tolist() == ["MUSTER gmbh!", "Andere AG"]
    dup = rep.failures.query("check == 'duplicate_submission'")
    assert dup["row"].tolist() == [2, 5]
    assert all("online, Zeile 3" in r for r in dup["reason"])


def test_equal_submit_dates_keep_the_later_row(ctx) -> None:  # noqa: F811
    """With the same submit date the row further down the file counts as the newer one."""
    rows = [valid_row(id="1"), valid_row(id="2")]
    rep = run(ctx, rows)
    assert rep.quarantine["row"].tolist() == [2]
    assert "online, Zeile 3" in rep.quarantine.iloc[0]["reason"]


def test_quarantine_reason_lists_each_error_once_in_order(ctx) -> None:  # noqa: F811
    """Several errors of one row are joined by ' | ' in the order found, each once, with column and fix."""
    rep = run(ctx, [valid_row(A04="XX", **{"A05[total]": "viele", "A05[teilzeit]": "x"})])
    reason = rep.quarantine.iloc[0]["reason"]
    parts = reason.split(" | ")
    assert len(parts) == len(set(parts)) == 3
    assert parts[0].startswith("Spalte A04: „XX“ ist keine Antwortmöglichkeit")
    assert parts[1].startswith("Spalte A05[total]: „viele“ ist keine Zahl.")
    assert parts[2].startswith("Spalte A05[teilzeit]: „x“ ist keine Zahl.")


def test_formula_warnings_group_by_start_character(ctx) -> None:  # noqa: F811
    """Texts starting like a formula give one warning per row, grouped by the start character, sorted."""
    rows = [
        valid_row(id=str(i), A01=f"Firma {i}", F01=t) for i, t in enumerate(["=A1", "+49 221", "=B2", "ok"])
    ]
    rep = run(ctx, rows)
    f = rep.failures.query("check == 'formula_like' and column == 'F01'")
    assert f["value"].tolist() == ["+49 221", "=A1", "=B2"]
    assert f["reason"].str.contains("„+“", regex=False).tolist() == [True, False, False]


@pytest.mark.parametrize("rows", [0, 1, 3])
def test_raw_canonical_has_entry_id_first_and_every_column(ctx, rows: int) -> None:  # noqa: F811
    """The raw table under canonical names: entry_id first, every known column, object cells, any length."""
    from vielfalt.intake.validate import validate_table

    ed, q = ctx
    raw = raw_frame(q, [valid_row(id=str(i), A01=f"F {i}") for i in range(rows)], drop=("F01",))
    _, _, canonical = validate_table(raw, q, source="online", file="x.csv", salt="s")
    assert canonical.columns[0] == "entry_id" and canonical.columns.dtype == object
    assert "F01" in canonical.columns and (canonical["F01"] == "").all()
    assert len(canonical) == rows and all(canonical[c].dtype == object for c in canonical.columns)
    if rows:
        assert canonical["A01"].tolist() == [f"F {i}" for i in range(rows)]
