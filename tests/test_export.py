"""Tests of the guarded, deterministic writers (vielfalt.outputs.spreadsheets)."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from openpyxl import load_workbook

from vielfalt.outputs.spreadsheets import neutralise, write_csv, write_xlsx

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", "harmlos"]


@pytest.mark.parametrize("value", HOSTILE[:-1])
def test_formula_starts_are_neutralised(value):
    """Text starting like a formula gets a leading apostrophe."""
    assert neutralise(value) == "'" + value


def test_numbers_and_plain_text_pass():
    """Negative numbers stay numbers; ordinary text is unchanged."""
    assert neutralise(-3) == -3 and neutralise(2.5) == 2.5 and neutralise("harmlos") == "harmlos"


def test_xlsx_cells_read_back_as_text_not_formulas(tmp_path):
    """Read back with openpyxl, no written cell is a formula and the hostile text is preserved after the apostrophe."""
    df = pd.DataFrame({"text": HOSTILE, "n": range(len(HOSTILE))})
    p = write_xlsx({"S": df}, tmp_path / "x.xlsx")
    ws = load_workbook(p)["S"]
    values = [c.value for c in ws["A"]][1:]
    for v in values:
        assert not (isinstance(v, str) and v.startswith(("=", "+", "-", "@", "\t", "\r")))
    assert values[0] == "'=1+1"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_xlsx_is_byte_deterministic(tmp_path):
    """The same table written twice gives identical bytes (fixed timestamps)."""
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "ü"]})
    a = write_xlsx({"S": df}, tmp_path / "a.xlsx").read_bytes()
    time.sleep(1.1)  # openpyxl stamps the save time (to the second) into docProps/core.xml
    b = write_xlsx({"S": df}, tmp_path / "b.xlsx").read_bytes()
    assert a == b


def test_csv_is_guarded_and_excel_friendly(tmp_path):
    """The CSV has a BOM, semicolons, CRLF and neutralised cells, headings included."""
    df = pd.DataFrame({"=head": ["=1+1", "ok"]})
    raw = write_csv(df, tmp_path / "x.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.split("\r\n")[0] == "'=head" and "'=1+1" in text
