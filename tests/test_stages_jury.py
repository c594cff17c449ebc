"""The jury and close stage functions on the demo edition (in-process): artefacts, HTML, exports, letters."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from tests.jury_helpers import demo_project, run_until_site_visits
from vielfalt import stages
from vielfalt.dashboard.static import build_jury_html
from vielfalt.exceptions import DataError
from vielfalt.runs.manifest import read_artefact


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A project copy and a run directory through site_visits."""
    tmp = tmp_path_factory.mktemp("jury")
    root = demo_project(tmp)
    run = run_until_site_visits(root, tmp / "run")
    return root, run


@pytest.fixture(scope="module")
def done(base, tmp_path_factory):
    """The jury and close stages run on a copy of the base run with the committed demo visits and votes."""
    root, run = base
    run2 = tmp_path_factory.mktemp("done") / "run"
    shutil.copytree(run, run2)
    jury = stages.jury_stage(root, "demo2010", run2)
    close = stages.close_stage(root, "demo2010", run2)
    return root, run2, jury, close


def test_final_scores_follow_the_contract(done):
    """jury/final_scores: entry_id index with category, total_pre, total_post, delta, recommended (bool)."""
    _, run, _, _ = done
    f = read_artefact(run, "jury/final_scores")
    assert f.index.name == "entry_id" and len(f) == 19
    assert list(f.columns[:5]) == ["category", "total_pre", "total_post", "delta", "recommended"]
    assert f["recommended"].dtype == bool
    assert ((f["total_post"] - f["total_pre"] - f["delta"]).abs() < 1e-9).all()
    assert (f.loc[~f["visited"], "delta"] == 0).all() and (f.loc[f["visited"], "delta"] <= 0).any()


def test_unselected_visit_row_is_reported_in_the_stage(done):
    """The demo's one visit row for an entry off the list is not used and is in the report with its reason."""
    _, run, jury, _ = done
    fails = read_artefact(run, "jury/site_visit_failures")
    bad = fails[fails["check"] == "not_selected"]
    assert len(bad) == 1 and "nicht auf der Besuchsliste" in bad["reason"].iloc[0]
    assert jury.visits.rows_read == jury.visits.rows_accepted + 1
    ws = load_workbook(run / "jury" / "besuchsergebnisse_demo2010.xlsx").worksheets[0]
    assert [c.value for c in ws[1]][:3] == ["Quelle", "Zeile", "Eintrag"]


def test_awards_and_agreement_follow_the_contract(done):
    """close/awards and close/agreement have the columns the research helper relies on."""
    _, run, _, close = done
    a = read_artefact(run, "close/awards")
    assert list(a.columns[:8]) == [
        "category",
        "yes",
        "no",
        "abstain",
        "awarded",
        "recommended",
        "tie",
        "decided_by",
    ]
    assert a["awarded"].dtype == bool and a.index.name == "entry_id"
    ag = read_artefact(run, "close/agreement")
    assert list(ag.columns[:4]) == ["category", "k", "precision_at_k", "kendall_tau"]
    assert set(ag["category"]) == {"klein", "mittel", "gross", "oeffentlich"}
    assert (ag["k"] == a.groupby("category")["awarded"].sum().reindex(ag["category"]).to_numpy()).all()


def test_conflicted_vote_is_ignored_in_the_stage(done):
    """J2 declared a conflict with Sülzlicht Gastronomie; the demo's vote of J2 on it is not counted."""
    _, run, _, close = done
    entries = read_artefact(run, "intake/entries")
    e = entries.index[entries["A01"] == "Sülzlicht Gastronomie GmbH & Co. KG"][0]
    votes = read_artefact(run, "close/votes")
    assert not ((votes["member"] == "J2") & (votes["entry_id"] == e)).any()
    f = close.failures
    assert ((f["check"] == "conflict") & (f["entry_id"] == e)).sum() == 1


def test_missing_consent_excludes_a_winner_from_public(done):
    """An awarded entry without publication consent is not in the public export, and the stage says so."""
    _, run, _, close = done
    entries = read_artefact(run, "intake/entries")
    awards = read_artefact(run, "close/awards")
    no_consent = set(entries.index[~entries["G02[veroeffentlichung]"]]) & set(awards.index[awards["awarded"]])
    assert no_consent and set(close.public_excluded.index) == no_consent
    ws = load_workbook(run / "exports" / "public_demo2010.xlsx").worksheets[0]
    names = {r[0] for r in ws.iter_rows(min_row=2, values_only=True)}
    winners = set(entries.loc[awards.index[awards["awarded"]], "A01"])
    assert names == {entries.at[e, "A01"] for e in winners_ids(awards) - no_consent} and names < winners
    assert any("Einwilligung" in s for s in close.summary)


def winners_ids(awards: pd.DataFrame) -> set[str]:
    return set(awards.index[awards["awarded"]])


def _all_cells(path: Path) -> list:
    wb = load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


@pytest.mark.parametrize("profile", ["jury_blind", "jury_named", "public"])
def test_exports_have_no_formulas_and_no_contact_data(done, profile):
    """Read back with openpyxl: no formula cell, no contact person, e-mail or phone anywhere."""
    _, run, _, _ = done
    entries = read_artefact(run, "intake/entries")
    cols = ["G01[name]", "G01[email]", "G01[telefon]"]  # the role ("Inhaber") also occurs in free texts
    contact = {str(v) for c in cols for v in entries[c].dropna() if str(v)}
    assert len(contact) > 10
    cells = _all_cells(run / "exports" / f"{profile}_demo2010.xlsx")
    assert all(c.data_type != "f" for c in cells)
    values = {str(c.value) for c in cells if c.value is not None}
    assert not (values & contact)
    csv = (run / "exports" / f"{profile}_demo2010.csv").read_text(encoding="utf-8-sig")
    assert not any(v in csv for v in contact if len(v) > 4)
    assert not any(line.startswith(("=", "+", "@")) for line in csv.splitlines())


def test_jury_blind_has_pseudonyms_only_and_no_free_texts_without_review(done):
    """jury_blind: no organisation names, no free texts (no review file), a note saying why."""
    _, run, _, _ = done
    entries = read_artefact(run, "intake/entries")
    wb = load_workbook(run / "exports" / "jury_blind_demo2010.xlsx")
    values = {
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    }
    assert not (values & set(entries["A01"]))
    assert not any(str(t) in values for t in entries["F01"].dropna() if len(str(t)) > 20)
    assert any("erst nach Prüfung" in v for v in values)
    heads = [c.value for c in wb.worksheets[0][1]]
    assert heads[0] == "Eintrag" and "Organisation" not in heads


def test_jury_blind_takes_reviewed_texts(base, tmp_path):
    """With data/<ed>/text_review.csv the reviewed text (not the raw one) appears in jury_blind."""
    root, run = base
    run2 = tmp_path / "run"
    shutil.copytree(run, run2)
    entries = read_artefact(run2, "intake/entries")
    e = entries.index[0]
    review = root / "data" / "demo2010" / "text_review.csv"
    review.write_text(
        f"Eintrag;Item;Geprüfter Text\n{e};F01;[Name entfernt] bietet Sprachkurse an.\n", "utf-8"
    )
    try:
        stages.jury_stage(root, "demo2010", run2)
    finally:
        review.unlink()
    ws = load_workbook(run2 / "exports" / "jury_blind_demo2010.xlsx").worksheets[0]
    heads = [c.value for c in ws[1]]
    col = next(i for i, h in enumerate(heads) if str(h).startswith("F01"))
    texts = [r[col] for r in ws.iter_rows(min_row=2, values_only=True) if r[col]]
    assert texts == ["[Name entfernt] bietet Sprachkurse an."]


def test_jury_named_has_names_and_notes(done):
    """jury_named carries the organisation's name and the evaluators' visit notes."""
    _, run, _, _ = done
    ws = load_workbook(run / "exports" / "jury_named_demo2010.xlsx").worksheets[0]
    heads = [c.value for c in ws[1]]
    assert heads[:3] == ["Eintrag", "Organisation", "Rechtsform"]
    assert "Notizen der Gutachtenden" in heads


def test_letters_one_per_participant_without_other_participants(done):
    """One letter per accepted entry; no letter names another participant or their entry id."""
    _, run, _, close = done
    entries = read_artefact(run, "intake/entries")
    assert set(close.letters) == set(entries.index)
    for e, path in close.letters.items():
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text and 'lang="de"' in text
        others = entries.drop(index=e)
        for o, name in others["A01"].items():
            assert o not in text
            assert name not in text and re.sub("<[^>]+>", "", name) not in text


def test_letter_escapes_the_hostile_name(done):
    """The demo's name with <b> appears escaped in its own letter."""
    _, run, _, close = done
    entries = read_artefact(run, "intake/entries")
    e = entries.index[entries["A01"].str.contains("<b>")][0]
    text = close.letters[e].read_text(encoding="utf-8")
    assert "&lt;b&gt;Eifelbach&lt;/b&gt;" in text and "<b>Eifelbach" not in text


def test_jury_html_is_one_file_without_network_and_escaped(done):
    """plotly.js inlined once, no http(s) resource, the config without the cloud button, names escaped."""
    _, run, _, _ = done
    html = (run / "jury" / "jury_demo2010.html").read_text(encoding="utf-8")
    start = html.index('<script type="text/javascript">')
    end = html.index("</script>", start)
    page = html[:start] + html[end:]  # the page without the inlined plotly.js bundle
    assert html.count('<script type="text/javascript">') == 1 and end - start > 3_000_000
    assert not re.search(r"""(src|href)=["']?https?://""", page) and "cdn" not in page.lower()
    assert '"showSendToCloud": false' in html
    assert "&lt;b&gt;Eifelbach&lt;/b&gt;" in html and "<b>Eifelbach</b>" not in html
    assert 'lang="de"' in html and "Jury-Dashboard" in html


def test_jury_html_is_a_pure_function_of_the_view(done):
    """Built twice from the same view: identical text (no clock, no random ids)."""
    _, _, jury, _ = done
    assert build_jury_html(jury.view) == build_jury_html(jury.view)


def test_jury_stage_without_visit_file_names_it(base, tmp_path):
    """No site_visits.csv: a DataError naming the file and the columns it must have."""
    root, run = base
    proj = tmp_path / "p"
    shutil.copytree(root, proj)
    (proj / "data" / "demo2010" / "site_visits.csv").unlink()
    with pytest.raises(DataError, match=r"site_visits\.csv existiert nicht.*Eintrag, Maßnahme, Ergebnis"):
        stages.jury_stage(proj, "demo2010", run)


def test_filled_in_visit_plan_xlsx_is_read(base, tmp_path):
    """The visit plan XLSX as handed out (title line, its own columns) with notes filled in is accepted."""
    root, run = base
    plan = load_workbook(run / "site_visits" / "besuchsplan_demo2010.xlsx")
    ws = plan["Besuchsplan"]
    heads = [c.value for c in ws[2]]
    col_note = heads.index("Notiz zum Besuch") + 1
    col_entry = heads.index("Eintrag") + 1
    entry = ws.cell(3, col_entry).value
    ws.cell(3, col_note).value = "Alles wie beschrieben."
    # evaluators add the check columns they need
    ws.cell(2, len(heads) + 1).value = "Maßnahme"
    ws.cell(2, len(heads) + 2).value = "Ergebnis"
    ws.cell(3, len(heads) + 1).value = "C"
    ws.cell(3, len(heads) + 2).value = "teilweise"
    path = tmp_path / "besuchsplan_demo2010.xlsx"
    plan.save(path)
    from vielfalt.jury import read_site_visits
    from vielfalt.stages import load_context

    ed, q = load_context(root, "demo2010")
    entries = read_artefact(run, "intake/entries")
    cand = read_artefact(run, "site_visits/candidates")
    res = read_site_visits(path, entries=entries, selected=cand.index[cand["selected"]], q=q)
    assert res.visits.at[entry, "note"] == "Alles wie beschrieben."
    assert res.visits.at[entry, "factor_C"] == 0.75
    assert not (res.failures["check"] == "unknown_column").any()
    errors = res.failures[res.failures["severity"] == "error"]
    assert set(errors["check"]) <= {"empty_row"}


def test_site_visits_xlsx_with_german_headings(base, tmp_path):
    """A plain site_visits.xlsx (headings in row 1) reads like the CSV."""
    root, run = base
    cand = read_artefact(run, "site_visits/candidates")
    e = cand.index[cand["selected"]][0]
    wb = Workbook()
    ws = wb.active
    ws.append(["Eintrag", "Maßnahme", "Ergebnis", "Notiz"])
    ws.append([e, "E", "nicht bestätigt", "Belege fehlten"])
    path = tmp_path / "site_visits.xlsx"
    wb.save(path)
    from vielfalt.jury import read_site_visits
    from vielfalt.stages import load_context

    ed, q = load_context(root, "demo2010")
    res = read_site_visits(path, entries=read_artefact(run, "intake/entries"), selected=[e], q=q)
    assert res.visits.at[e, "factor_E"] == 0.5 and res.rows_accepted == 1


def test_live_view_reads_without_writing(done):
    """jury_live builds the view from the artefacts and writes nothing."""
    root, run, _, _ = done
    before = sorted(p.relative_to(run) for p in run.rglob("*"))
    live = stages.jury_live(root, "demo2010", run)
    assert len(live.view.final) == 19 and "Live-Ansicht" in live.summary[0]
    assert sorted(p.relative_to(run) for p in run.rglob("*")) == before


def test_close_summary_says_who_is_not_published_without_an_item_code(done):
    """The entry without consent to publication is named; the summary names no questionnaire item."""
    _, _, _, close = done
    lines = [s for s in close.summary if s.startswith("Nicht veröffentlicht")]
    ids = ", ".join(close.public_excluded.index)
    assert ids and lines == [f"Nicht veröffentlicht (keine Einwilligung zur Veröffentlichung): {ids}."]
