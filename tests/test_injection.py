"""Hostile text in every free-text and name field of the inputs, through every stage that exists (papermill):
no CSV or XLSX the suite writes has a cell a spreadsheet would run as a formula, and the HTML reports show
the markup only escaped. Files are found by globbing the run directory, so later stages are covered as they
land."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

from tests import hostile_helpers
from tests.hostile_helpers import IMG, XSS
from vielfalt.intake.read import FORMULA_PREFIXES

NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?$")


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose demo inputs carry hostile text in every free-text field, run through every stage."""
    return hostile_helpers.hostile_run(tmp_path_factory.mktemp("hostile"))[1]


def _csv_cells(path: Path):
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("utf-8", "replace")
    delimiter = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    for r, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        for c, value in enumerate(row, start=1):
            yield f"{path.name}:{r}:{c}", value


def _xlsx_cells(path: Path):
    wb = openpyxl.load_workbook(path)  # not data_only: a formula would show as one
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                yield f"{path.name}!{ws.title}!{cell.coordinate}", cell


def test_no_written_cell_starts_a_formula(hostile_run: Path) -> None:
    """Every CSV and XLSX in the run, found by globbing: no formula cell and no text starting with = + - @
    tab or CR (numbers excepted); and the hostile texts did reach them, neutralised."""
    csvs = sorted(hostile_run.rglob("*.csv"))
    xlsxs = sorted(hostile_run.rglob("*.xlsx"))
    assert len(csvs) + len(xlsxs) >= 5, [p.name for p in csvs + xlsxs]
    bad, neutralised = [], 0
    for path in csvs:
        for where, value in _csv_cells(path):
            if value.startswith(FORMULA_PREFIXES) and not NUMBER.match(value):
                bad.append((where, value[:40]))
            neutralised += value.startswith("'") and value[1:2] in "=+-@\t\r"
    for path in xlsxs:
        for where, cell in _xlsx_cells(path):
            if cell.data_type == "f":
                bad.append((where, str(cell.value)[:40]))
            elif isinstance(cell.value, str):
                if cell.value.startswith(FORMULA_PREFIXES):
                    bad.append((where, cell.value[:40]))
                neutralised += cell.value.startswith("'") and cell.value[1:2] in "=+-@\t\r"
    assert bad == []
    assert neutralised >= 20  # the hostile values really were written (and guarded)


def test_hostile_markup_is_escaped_in_the_html_reports(hostile_run: Path) -> None:
    """Every HTML page of the run (stage reports, and whatever later stages write: the jury page, letters)
    never carries the injected markup raw, and the reports show it escaped."""
    pages = sorted(hostile_run.rglob("*.html"))
    assert len([p for p in pages if p.parent == hostile_run]) >= 5
    shown = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for raw in (XSS, IMG, "<script>alert(", "onerror=alert(2)>"):
            assert raw not in html, f"{page.name} contains {raw!r} unescaped"
        shown += html.count("&lt;script&gt;alert(") + html.count("\\u003cscript\\u003ealert(")
    assert shown > 0  # the hostile names are displayed somewhere, escaped
