"""End-to-end: robustness and site_visits run through papermill on the demo and write what they promise."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from vielfalt.cli.commands import run_edition
from vielfalt.runs.manifest import load_manifest, read_artefact
from vielfalt.selection import freeze
from vielfalt.stages import load_context

ROOT = Path(__file__).resolve().parents[1]
STAGES = ["intake", "ratings", "scoring", "robustness", "site_visits"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The demo through site_visits, then robustness + site_visits again on top of it."""
    root = tmp_path_factory.mktemp("proj")
    for d in ("params", "notebooks", "data"):
        shutil.copytree(ROOT / d, root / d)
    full = run_edition(root, "demo2010", STAGES, quiet=True)
    again = run_edition(root, "demo2010", ["robustness", "site_visits"], quiet=True)
    return root, Path(full.run_dir), Path(again.run_dir)


def test_run_through_site_visits_is_complete_with_reports(runs):
    """Five stages complete; the robustness and site-visit reports are HTML with figures and no code."""
    _, run, _ = runs
    m = load_manifest(run)
    assert m.status == "complete" and m.stages_completed == STAGES
    for stem in ("04_robustness", "05_site_visits"):
        html = (run / f"{stem}.html").read_text(encoding="utf-8")
        assert "from vielfalt import stages" not in html
    assert (run / "04_robustness.html").read_text(encoding="utf-8").count("plotly-graph-div") >= 3
    assert not list(run.parent.glob("*.progress.json")), "progress state is removed when the stage ends"


def test_rank_statistics_cover_every_entry_within_its_category(runs):
    """Every accepted entry has nominal, median and 5–95 % ranks within its category and P(rank ≤ k)."""
    _, run, _ = runs
    stats = read_artefact(run, "robustness/rank_stats")
    ranks = read_artefact(run, "scoring/ranks")
    assert len(stats) == 19
    assert (stats["Nominal"] == ranks["total"].reindex(stats.index).astype(float)).all()
    assert stats["P_topk"].between(0, 1).all()
    sizes = stats["category"].map(stats["category"].value_counts())
    assert (stats["Q95"] <= sizes).all() and (stats["Q5"] >= 1).all()
    sens = read_artefact(run, "robustness/sensitivity")
    assert set(sens["factor"]) == {"weights", "rater_model", "missing_answers", "imputation", "normalisation",
                                   "aggregation"}  # fmt: skip
    assert (sens["STi"] >= 0).all()


def test_selection_respects_capacity_and_explains_every_row(runs):
    """Per category at most k visits (unless a tie is shown); every visited or flagged entry has reasons."""
    root, run, _ = runs
    ed, _ = load_context(root, "demo2010")
    cands = read_artefact(run, "site_visits/candidates")
    for c, part in cands.groupby("category"):
        n = int(part["selected"].sum())
        assert n <= ed.capacity[c] or part["reasons"].str.contains("TIE_AT_CUT").any()
        assert sorted(part.loc[part["selected"], "priority"]) == list(range(1, n + 1))
    explained = cands[cands["selected"] | (cands["status"] != "out")]
    assert (explained["reasons"] != "").all() and (explained["reason_text"] != "").all()
    assert (
        cands.loc[cands["status"] == "clear", "Q95"] <= cands.loc[cands["status"] == "clear", "k"]
    ).all() or (cands["reasons"].str.startswith("ALL_IN").any())


def test_candidate_list_is_frozen_on_pseudonyms_and_hashed_in_the_manifest(runs):
    """freeze.json holds the sha256 of rule and list (recomputed here); the manifest hashes all three."""
    _, run, _ = runs
    m = load_manifest(run)
    for name in ("site_visits/rule.json", "site_visits/candidates.parquet", "site_visits/freeze.json"):
        assert name in m.artefacts
    frozen = json.loads((run / "artefacts" / "site_visits" / "freeze.json").read_text(encoding="utf-8"))
    rule = json.loads((run / "artefacts" / "site_visits" / "rule.json").read_text(encoding="utf-8"))
    cands = read_artefact(run, "site_visits/candidates")
    assert {k: frozen[k] for k in ("rule_sha256", "candidates_sha256")} == freeze(rule, cands)
    assert frozen["candidates_artefact_sha256"] == m.artefacts["site_visits/candidates.parquet"]
    entries = read_artefact(run, "intake/entries")
    frozen_text = cands.to_csv()
    assert not any(str(n) in frozen_text for n in entries["A01"].dropna())


def test_visit_plan_has_german_headings_contacts_and_no_formulas(runs):
    """The plan lists the selected entries with names and contacts, German headings, and no formula cells."""
    _, run, _ = runs
    cands = read_artefact(run, "site_visits/candidates")
    wb = load_workbook(run / "site_visits" / "besuchsplan_demo2010.xlsx")
    ws = wb["Besuchsplan"]
    rows = list(ws.iter_rows(values_only=True))
    head_at = next(i for i, r in enumerate(rows) if r and r[0] == "Priorität")
    heads = rows[head_at]
    assert {"Kategorie", "Organisation", "Gründe und zu Prüfendes", "Ansprechperson", "Termin"} <= set(heads)
    body = [r for r in rows[head_at + 1 :] if any(v is not None for v in r)]
    assert len(body) == int(cands["selected"].sum())
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert not (
                    isinstance(cell.value, str) and cell.value[:1] in "=+-@\t\r" and cell.value != "-"
                )


def test_blind_csv_carries_no_names_or_contacts(runs):
    """The blind list has pseudonyms, categories and reasons only."""
    _, run, _ = runs
    entries = read_artefact(run, "intake/entries")
    with open(run / "site_visits" / "blind_demo2010.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0][:3] == ["entry_id", "category", "status"]
    assert len(rows) == 1 + len(entries)
    text = "\n".join(";".join(r) for r in rows)
    for col in ("A01", "G01[name]", "G01[email]", "G01[telefon]"):
        for v in entries[col].dropna().astype(str):
            if len(v) > 3:
                assert v not in text


def test_rerun_on_the_same_base_gives_identical_artefacts(runs):
    """robustness + site_visits again on the same inputs and seed: byte-identical artefacts."""
    _, a, b = runs
    ma, mb = load_manifest(a), load_manifest(b)
    keys = [k for k in ma.artefacts if k.startswith(("robustness/", "site_visits/"))]
    assert len(keys) >= 7
    assert {k: ma.artefacts[k] for k in keys} == {k: mb.artefacts[k] for k in keys}


def test_hostile_name_is_escaped_in_the_site_visit_report(runs):
    """The company name with <b> shows as text in the site-visit HTML."""
    _, run, _ = runs
    html = (run / "05_site_visits.html").read_text(encoding="utf-8")
    assert "<b>Eifelbach</b>" not in html and "&lt;b&gt;Eifelbach&lt;/b&gt;" in html


def test_checklist_filled_in_at_the_visit_is_read_back_by_the_jury_stage(runs, tmp_path):
    """The checklist lists each visited entry's claimed measures; filled in with openpyxl, all rows count."""
    from vielfalt.jury import read_site_visits

    root, run, _ = runs
    _, q = load_context(root, "demo2010")
    cands = read_artefact(run, "site_visits/candidates")
    entries = read_artefact(run, "intake/entries")
    wb = load_workbook(run / "site_visits" / "pruefliste_demo2010.xlsx")
    ws = wb.worksheets[0]
    heads = [c.value for c in ws[2]]
    assert heads[:5] == ["Eintrag", "Organisation", "Maßnahme", "Angabe im Bogen", "Ergebnis"]
    body = [r for r in ws.iter_rows(min_row=3) if r[0].value]
    assert {r[0].value for r in body} == set(cands.index[cands["selected"]])
    for r in body:  # every listed measure was ticked in the form
        assert r[2].value == "E" or bool(entries.at[r[0].value, r[2].value])
    for i, r in enumerate(body):
        r[4].value = ["bestätigt", "teilweise", "nicht bestätigt"][i % 3]
        r[5].value = 3 if r[2].value == "E" else None
        r[7].value = "G1"
    filled = tmp_path / "site_visits.xlsx"
    wb.save(filled)
    got = read_site_visits(filled, entries=entries, selected=cands.index[cands["selected"]], q=q)
    assert got.rows_read == len(body) and got.rows_accepted == len(body)
    assert (got.failures["severity"] != "error").all()
    assert set(got.checks["result"]) == {"confirmed", "partly", "refuted"}
