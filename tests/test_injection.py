"""Hostile text in every free-text and name field of the inputs, through every stage that exists (papermill):
no CSV or XLSX the suite writes has a cell a spreadsheet would run as a formula, and the HTML reports show
the markup only escaped. Files are found by globbing the run directory, so later stages are covered as they
land."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from vielfalt import ingest, synth
from vielfalt.ingest import FORMULA_PREFIXES

ROOT = Path(__file__).resolve().parents[1]
XSS = '<script>alert("vielfalt-xss")</script>'
IMG = "<img src=x onerror=alert(2)>"
# what an attacker puts at the start of a cell (OWASP CSV injection), and markup for the HTML reports
PREFIXES = [
    '=HYPERLINK("http://evil.example","klick")&',
    "+SUM(1;2)+",
    "-2+3+cmd|' /C calc'!A0 ",
    "@SUM(1)+",
    "\t=1+",
    "\r=2+",
    XSS,
    IMG,
]
NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?$")


def _free_text_columns(q) -> set[str]:
    """Canonical columns holding free text or names: text and multitext items and every 'other' field."""
    cols = set()
    for _, it in q.iter_items():
        if it.type == "text":
            cols.add(it.id)
        elif it.type == "multitext":
            cols.update(f"{it.id}[{s.code}]" for s in it.subs or [])
        if it.other:
            cols.add(f"{it.id}[other]")
    return cols


def _hostile(value: str, k: int) -> str:
    """The value behind a hostile prefix (kept unique, so names do not become duplicates)."""
    return PREFIXES[k % len(PREFIXES)] + value


def _targets(headings: list[str], q, free: set[str]) -> dict[int, str]:
    """Position of each free-text column in a file, whatever heading style the file uses."""
    known = [*q.columns(), *ingest.LIMESURVEY_METADATA]
    res = ingest.resolve_headings(headings, known, mapping={})
    canon = [res.mapping.get(h, h) for h in headings]
    return {i: c for i, c in enumerate(canon) if c in free}


def _inject_csv(path: Path, q, free: set[str], encoding: str, quoting: int) -> int:
    text = path.read_bytes().decode(encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    rows = [r for r in rows if r]
    targets = _targets(rows[0], q, free)
    n = 0
    for i, row in enumerate(rows[1:], start=1):
        for pos in targets:
            row[pos] = _hostile(row[pos], i + pos)
            n += 1
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", quoting=quoting, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    return n


def _inject_xlsx(path: Path, q, free: set[str]) -> int:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows())
    targets = _targets([str(c.value or "") for c in rows[0]], q, free)
    n = 0
    for i, row in enumerate(rows[1:], start=1):
        for pos in targets:
            cell = row[pos]
            cell.value = _hostile(str(cell.value or ""), i + pos)
            cell.data_type = "s"  # stored as text, as a hostile workbook would (not as a formula)
            n += 1
    wb.save(path)
    return n


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose demo inputs carry hostile text in every free-text field, run through every stage."""
    from vielfalt.cli import _available_stages, run_edition
    from vielfalt.stages import load_context

    root = tmp_path_factory.mktemp("hostile")
    for d in ("params", "notebooks"):
        shutil.copytree(ROOT / d, root / d, ignore=shutil.ignore_patterns("*.ipynb"))
    ed, q = load_context(root, "demo2010")
    data = root / "data" / "demo2010"
    synth.write_edition_inputs(ed, q, data)
    free = _free_text_columns(q)
    injected = 0
    for spec in ed.inputs:
        path = data / spec.file
        if path.suffix == ".xlsx":
            injected += _inject_xlsx(path, q, free)
        elif spec.dialect == "limesurvey":
            injected += _inject_csv(path, q, free, "utf-8-sig", csv.QUOTE_ALL)
        else:
            injected += _inject_csv(path, q, free, "cp1252", csv.QUOTE_MINIMAL)
    assert injected > 200
    synth.write_returned_ratings(ed, q, data, project_root=root)
    try:  # visit results and jury votes, for the jury and close stages (as `vielfalt synth` writes them)
        from vielfalt._synth_jury import write_jury_inputs
    except ImportError:
        pass
    else:
        write_jury_inputs(ed, q, data, project_root=root)
    result = run_edition(root, "demo2010", _available_stages(root), quiet=True)
    return Path(result.run_dir)


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
