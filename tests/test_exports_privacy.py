"""Every research export and the archive: no contact data, names or free texts, and no unsuppressed small cell."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from vielfalt.demo import synth
from vielfalt.demo.editions import DEMO_EDITIONS, write_synthetic_close
from vielfalt.research.archive import (
    DEMO_SECRET,
    IN_PROCESS_STAGES,
    SUPPRESSED,
    export_research,
    read_archive,
    research_columns,
)
from vielfalt import stages

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"0221[\s/-]*4710|\+49")
TEXT_ITEMS = ("F01", "F02", "F03", "F04", "E03")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def raw(research_project, tmp_path_factory):
    """The accepted entries of every demo edition as intake reads them (names, contacts, texts included)."""
    out = {}
    for ed in DEMO_EDITIONS:
        tmp = tmp_path_factory.mktemp(f"intake-{ed}")
        out[ed] = stages.intake_stage(research_project, ed, tmp).report.accepted
    return out


@pytest.fixture(scope="module")
def exports(research_project, tmp_path_factory):
    """Research exports of demo2010 (committed inputs) and demo2015 (new instrument, new scheme)."""
    out = {}
    for ed in ("demo2010", "demo2015"):
        run = tmp_path_factory.mktemp(f"run-{ed}")
        for name in IN_PROCESS_STAGES:
            getattr(stages, f"{name}_stage")(research_project, ed, run)
        edition, _ = stages.load_context(research_project, ed)
        write_synthetic_close(run, edition)
        out[ed] = export_research(research_project, ed, run_dir=run, secret=DEMO_SECRET)
    return out


def _forbidden(raw: dict[str, pd.DataFrame]) -> set[str]:
    """Every contact value, organisation-name stem and free text of the demo editions."""
    bad: set[str] = set()
    for entries in raw.values():
        for col in entries.columns:
            if col.startswith("G01[") and not col.endswith("[funktion]"):
                bad |= {str(v) for v in entries[col] if isinstance(v, str) and len(v) > 3}
            if col.endswith("[other]") or col in TEXT_ITEMS:
                bad |= {str(v)[:40] for v in entries[col] if isinstance(v, str) and len(v) > 12}
        bad |= {synth.name_stem(str(n)) or str(n) for n in entries["A01"]}
    # free texts are composed from templates that quote option labels: the instrument's own words are public
    instrument = " ".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "params" / "questionnaire").glob("vg*.yaml")
    )
    return {b for b in bad if b not in instrument}


def _archive_texts(archive: Path) -> list[str]:
    texts = [(archive / "_archive.json").read_text(encoding="utf-8")]
    for part in sorted(archive.rglob("*.parquet")):
        df = pq.read_table(io.BytesIO(part.read_bytes())).to_pandas()
        texts += [" ".join(map(str, df.columns))]
        texts += [" ".join(str(v) for v in df[c]) for c in df.columns]
    return texts


def _export_texts(result) -> list[str]:
    texts = [p.read_text(encoding="utf-8-sig") for p in result.csv.values()]
    wb = load_workbook(result.xlsx)
    for ws in wb.worksheets:
        texts.append(" ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None))
    return texts


def test_no_contact_data_names_or_free_texts_in_archive_or_exports(research_project, raw, exports):
    """No e-mail, phone number, contact name, organisation name or free text anywhere in what researchers get."""
    bad = _forbidden(raw)
    assert len(bad) > 100  # the scan has something to look for
    texts = _archive_texts(research_project / "archive")
    for res in exports.values():
        texts += _export_texts(res)
    blob = "\n".join(texts)
    assert not EMAIL.search(blob), EMAIL.search(blob)
    assert not PHONE.search(blob), PHONE.search(blob)
    hits = sorted(b for b in bad if b in blob)
    assert not hits, hits[:5]


def test_no_exact_headcount_in_archive(research_project, raw):
    """The category basis A05[total] is never archived; only the size band is."""
    ans = read_archive(research_project / "archive", "answers")
    assert "A05[total]" not in set(ans["column"])
    ent = read_archive(research_project / "archive", "entries")
    assert set(ent["size_band"].dropna()) <= {"1–9", "10–49", "50–249", "250+"}


def test_every_archived_row_hides_among_three(research_project):
    """Per edition, each entry row has at least three rows it cannot be told apart from on the quasi-identifiers."""
    ent = read_archive(research_project / "archive", "entries")
    qi = ["category", "public", "size_band", "wz_section"]
    for _, part in ent.groupby("edition"):
        for _, row in part.iterrows():
            ok = np.ones(len(part), dtype=bool)
            for c in qi:
                if pd.notna(row[c]):
                    ok &= (part[c].isna() | (part[c] == row[c])).to_numpy()
            assert ok.sum() >= 3


def test_small_person_counts_never_appear(research_project, raw):
    """Counts of persons of 1–2 (special categories: 0–2) are suppressed in every archived answer."""
    ans = read_archive(research_project / "archive", "answers")
    checked = 0
    for ed, entries in raw.items():
        edition, q = stages.load_context(research_project, ed)
        from vielfalt.research.archive import organisation_key

        keys = {
            organisation_key(DEMO_SECRET, n, s): i
            for i, (n, s) in enumerate(zip(entries["A01"], entries["A03"], strict=True))
        }
        rules = [r for r in research_columns(q, edition) if r.kind in ("band_floor", "share", "band")]
        part = ans[ans["edition"] == ed]
        for rule in rules:
            rows = part[part["column"] == rule.column]
            for _, r in rows.iterrows():
                value = entries[rule.column].iloc[keys[r["key"]]]
                if pd.isna(value):
                    continue
                small = value < rule.floor if rule.kind == "band_floor" else 1 <= value < rule.floor
                if small:
                    assert r["suppressed"] and r["value"] == "", (ed, rule.column, value)
                    checked += 1
    assert checked > 20


def _lines_ok(table: pd.DataFrame) -> None:
    """Every count cell is 0, ≥ 3 or suppressed, and no row has exactly one suppressed cell."""
    body = table.iloc[:, 1:]
    for _, row in body.iterrows():
        cells = list(row)
        assert sum(c == SUPPRESSED for c in cells) != 1, cells
        for c in cells:
            assert c == SUPPRESSED or int(c) == 0 or int(c) >= 3, cells


def test_summary_tables_have_no_unsuppressed_small_cell(exports):
    """Participation and measures per category: small cells suppressed, with a second cell in their line."""
    for res in exports.values():
        part = pd.read_csv(res.csv["participation"], sep=";", encoding="utf-8-sig", dtype=str)
        measures = pd.read_csv(res.csv["measures_by_category"], sep=";", encoding="utf-8-sig", dtype=str)
        body = part.iloc[:-1, 1]
        assert sum(v == SUPPRESSED for v in body) != 1
        for v in body:
            assert v == SUPPRESSED or int(v) >= 3 or int(v) == 0
        _lines_ok(measures)
        scores = pd.read_csv(res.csv["scores_by_category"], sep=";", encoding="utf-8-sig", dtype=str)
        for _, row in scores.iterrows():
            assert row.iloc[1] == SUPPRESSED or int(row.iloc[1]) >= 3


def test_export_writes_the_archive_tables_and_a_dictionary(research_project, exports):
    """The export holds the same entries as the archive, a dictionary row for every answer column, no formulas."""
    res = exports["demo2015"]
    ent = pd.read_csv(res.csv["entries"], sep=";", encoding="utf-8-sig", dtype=str)
    arch = read_archive(research_project / "archive", "entries", editions=["demo2015"])
    assert sorted(ent["key"]) == sorted(arch["key"])
    dictionary = pd.read_csv(res.csv["Datenwoerterbuch"], sep=";", encoding="utf-8-sig", dtype=str)
    ans = pd.read_csv(res.csv["answers"], sep=";", encoding="utf-8-sig", dtype=str)
    described = set(dictionary.loc[dictionary["Tabelle"] == "answers", "Spalte"])
    assert set(ans["column"]) <= described
    assert "D10[keine]" in described and "B02" not in described
    excluded = dictionary[dictionary["Regel"].fillna("").str.startswith("nicht im Datensatz")]
    assert {"A01", "G01[email]", "F01"} <= set(excluded["Spalte"])
    wb = load_workbook(res.xlsx)
    assert {"entries", "answers", "scores", "decisions", "Datenwoerterbuch", "Hinweise"} <= set(wb.sheetnames)
    assert {"intervals", "selection"} <= set(wb.sheetnames)
    assert (res.out_dir / "codebuch_vg2015.html").is_file()
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_archive_json_records_sources_and_hashes(research_project):
    """_archive.json names every edition, its questionnaire, the in-process source and a hash per table."""
    meta = json.loads((research_project / "archive" / "_archive.json").read_text(encoding="utf-8"))
    assert set(meta["editions"]) == set(DEMO_EDITIONS)
    info = meta["editions"]["demo2015"]
    assert info["questionnaire"] == "vg2015" and info["source"]["mode"] == "in-process"
    assert all(len(t["sha256"]) == 64 for t in info["tables"].values())
