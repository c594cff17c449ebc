"""The stage package without a run: its public names, roles instead of codes, messages in both languages."""

from __future__ import annotations

import importlib
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from vielfalt import stages
from vielfalt.config.questionnaire import load_questionnaire
from vielfalt.exceptions import DataError
from vielfalt.stages._common import conflicts_by_entry, failure_headings, organisation_names
from vielfalt.stages.scoring import _text_scores
from vielfalt.stages.site_visits import _contact_columns, _visit_checklist, _visit_plan

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "vielfalt"


def _renamed_questionnaire(tmp_path: Path):
    """vg2010 with the name item as Q1, the contact item as K7 (person, mobile, a plain note), no consent."""
    data = yaml.safe_load((ROOT / "params/questionnaire/vg2010.yaml").read_text(encoding="utf-8"))
    for sec in data["sections"]:
        for it in sec["items"]:
            if it["id"] == "A01":
                it["id"] = "Q1"
            if it["id"] == "G01":
                it["id"] = "K7"
                it["subs"] = [
                    {"code": "person", "label": {"de": "Person", "en": "Person"}, "pii": True},
                    {"code": "mobil", "label": {"de": "Mobil", "en": "Mobile"}, "pii": True},
                    {"code": "notiz", "label": {"de": "Notiz", "en": "Note"}},
                ]
    data["roles"].update(organisation_name="Q1", contact="K7", consent_visit=None)
    path = tmp_path / "renamed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_questionnaire(path)


def test_every_public_name_of_the_stage_modules_imports_and_has_a_docstring():
    """``from vielfalt import stages`` gives every stage function and result; public names are documented."""
    for name in ("intake_stage", "ratings_stage", "scoring_stage", "robustness_stage", "site_visits_stage",
                 "jury_stage", "close_stage", "IntakeResult", "CloseResult", "load_context"):  # fmt: skip
        assert name in stages.__all__ and callable(getattr(stages, name))
    for mod in ("intake", "ratings", "scoring", "robustness", "site_visits", "jury", "close", "_common"):
        m = importlib.import_module(f"vielfalt.stages.{mod}")
        assert (m.__doc__ or "").strip(), mod
        for name in getattr(m, "__all__", []):
            assert (getattr(m, name).__doc__ or "").strip(), f"{mod}.{name}"


@pytest.mark.parametrize("package", ["stages", "ratings", "selection"])
def test_no_module_names_a_questionnaire_code(package):
    """No item code (``A01``, ``G01[…]``), scale id or section letter in words is written in these modules."""
    pattern = re.compile(r"\b[A-G]\d{2}\b|rubric5|Abschnitt [A-G]\b|[Ss]ection [A-G]\b")
    hits = [
        f"{p.name}:{i}: {line.strip()}"
        for p in sorted((SRC / package).glob("*.py"))
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not hits, "\n".join(hits)


def test_names_and_conflicts_follow_the_organisation_name_role(tmp_path):
    """With the name item renamed, names and conflicts by name still resolve; without the role, ids only."""
    q = _renamed_questionnaire(tmp_path)
    entries = pd.DataFrame({"Q1": ["Alpha GmbH", "Beta AG"]}, index=pd.Index(["e1", "e2"], name="entry_id"))
    assert organisation_names(entries, q, ["e2"]).tolist() == ["Beta AG"]

    class P:
        id, conflicts = "J1", [" beta ag", "e1"]

    assert conflicts_by_entry([P()], entries, q) == {"J1": ["e1", "e2"]}
    bare = q.model_copy(update={"roles": q.roles.model_copy(update={"organisation_name": None})})
    assert conflicts_by_entry([P()], entries, bare) == {"J1": ["e1"]}
    assert organisation_names(entries, bare).isna().all()


def test_visit_plan_takes_the_contact_persons_columns_from_the_contact_items_pii_subs(tmp_path, project_root):
    """The plan lists the contact item's pii sub-questions (the first headed by the item), any codes."""
    from vielfalt.stages import load_context

    q = _renamed_questionnaire(tmp_path)
    ed, _ = load_context(project_root, "demo2010")
    assert _contact_columns(q, "de") == {"K7[person]": "Ansprechperson", "K7[mobil]": "Mobil"}
    cands = pd.DataFrame(
        {"category": ["klein"], "selected": [True], "priority": [1], "status": ["clear"], "total": [50.0],
         "Nominal": [1.0], "Q5": [1.0], "Q95": [2.0], "P_topk": [0.9], "reason_text": ["x"]},
        index=pd.Index(["e1"], name="entry_id"),
    )  # fmt: skip
    entries = pd.DataFrame(
        {"Q1": ["Alpha"], "K7[person]": ["A. Muster"], "K7[mobil]": ["0170"]}, index=["e1"]
    )
    plan = _visit_plan(cands, entries, ed, q, "de")
    assert plan.loc[0, "name"] == "Alpha" and plan.loc[0, "K7[person]"] == "A. Muster"
    assert "visit_consent" not in plan.columns  # no consent_visit role: the column is off


def test_checklist_rows_come_from_the_measures_and_evidence_roles(project_root):
    """A ticked option of the measures section is a row; the evidence row is named by its section's label."""
    q = load_questionnaire(ROOT / "params/questionnaire/vg2010.yaml")
    measure = next(it for s, it in q.iter_items() if s.id == q.roles.measures_section and it.type == "multi")
    col = f"{measure.id}[{measure.options[0].code}]"
    cands = pd.DataFrame({"category": ["klein"], "selected": [True], "priority": [1]}, index=["e1"])
    entries = pd.DataFrame({"A01": ["Alpha"], col: [True]}, index=["e1"])
    got = _visit_checklist(cands, entries, q, "en")
    assert got["measure"].tolist() == [col, q.roles.evidence_section]
    evidence = q.section(q.roles.evidence_section).label.get("en")
    assert got["measure_text"].iloc[-1] == f"{evidence} (evidence)" and got["name"].tolist() == ["Alpha"] * 2


def test_scoring_note_names_the_rated_section_by_its_label(tmp_path, project_root):
    """Without ratings the note names the rated section's label in the reader's language, not a letter."""
    from vielfalt.stages import load_context

    ed, q = load_context(project_root, "demo2010")
    text, note = _text_scores(tmp_path, ed, q, "en")
    label = q.rated_section().label.get("en")
    assert (
        text is None and note == f"No free-text ratings: section '{label}' is empty and its weight is spread."
    )


def test_missing_input_and_missing_sheets_are_explained_in_english(tmp_path):
    """lang='en' gets English errors for a missing input file and for a run without rating sheets."""
    for d in ("params", "data"):
        shutil.copytree(ROOT / d, tmp_path / d)
    (tmp_path / "data/demo2010/responses_excel.csv").unlink()
    with pytest.raises(
        DataError, match=r"^Input file missing: .*responses_excel\.csv\. Expected is the export"
    ):
        stages.intake_stage(tmp_path, "demo2010", tmp_path / "run", lang="en")
    shutil.rmtree(tmp_path / "data/demo2010/ratings")
    with pytest.raises(DataError, match=r"^No rating sheets in .*bewertung_demo2010_<id>\.xlsx"):
        stages.ratings_stage(tmp_path, "demo2010", tmp_path / "run", lang="en")


def test_failure_headings_follow_the_failure_columns():
    """The failure table's headings are the catalogue's, one per column, German and English."""
    de = ["Quelle", "Zeile", "Eintrag", "Item", "Spalte", "Prüfung", "Wert", "Schwere", "Grund", "Was tun"]
    assert failure_headings("de") == de
    assert failure_headings("en")[-2:] == ["Reason", "Fix"]
