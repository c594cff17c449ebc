"""Hostile inputs for the injection tests: the demo edition with attacker text in every free-text and name
field (formula prefixes of OWASP's CSV injection list, and markup), in every input format it has."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl

from vielfalt.demo import synth
from vielfalt.intake import read as ingest

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


def hostile_project(tmp: Path) -> Path:
    """A project under ``tmp`` whose demo inputs carry hostile text in every free-text and name field."""
    from vielfalt.stages import load_context

    root = tmp / "hostile"
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
        from vielfalt.demo.jury import write_jury_inputs
    except ImportError:
        pass
    else:
        write_jury_inputs(ed, q, data, project_root=root)
    return root


def hostile_run(tmp: Path) -> tuple[Path, Path]:
    """The hostile project under ``tmp`` run through every stage with papermill: (project root, run dir)."""
    from vielfalt.cli.commands import available_stages, run_edition

    root = hostile_project(tmp)
    result = run_edition(root, "demo2010", available_stages(root), quiet=True)
    return root, Path(result.run_dir)
