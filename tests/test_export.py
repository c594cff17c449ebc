"""Tests of vielfalt.outputs: the guarded, deterministic writers, the export profiles and the letters."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from vielfalt.outputs.spreadsheets import neutralise, write_csv, write_xlsx

ROOT = Path(__file__).resolve().parents[1]

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", "harmlos"]


@pytest.mark.parametrize("value", HOSTILE[:-1])
def test_formula_starts_are_neutralised(value):
    """Text starting like a formula gets a leading apostrophe."""
    assert neutralise(value) == "'" + value


def test_numbers_and_plain_text_pass():
    """Negative numbers stay numbers; ordinary text is unchanged."""
    assert neutralise(-3) == -3 and neutralise(2.5) == 2.5 and neutralise("harmlos") == "harmlos"


def test_xlsx_cells_read_back_as_text_not_formulas(tmp_path):
    """Read back with openpyxl, no cell is a formula and the hostile text is kept after the apostrophe."""
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


# --- export profiles and letters -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def q():
    """The shipped questionnaire vg2010."""
    from vielfalt.config.questionnaire import load_questionnaire, questionnaire_path

    return load_questionnaire(questionnaire_path("vg2010", params_dir=ROOT / "params"))


@pytest.fixture(scope="module")
def ed():
    """The demo edition."""
    from vielfalt.config.edition import load_edition

    return load_edition(ROOT / "params" / "editions" / "demo2010.yaml")


def _winners(q):
    awards = pd.DataFrame(
        {"category": ["klein", "mittel"], "awarded": [True, True]},
        index=pd.Index(["e1", "e2"], name="entry_id"),
    )
    consent = q.roles.consent_publication
    entries = pd.DataFrame(
        {q.roles.organisation_name: ["Beta AG", "Alpha GmbH"], consent: [True, False]}, index=awards.index
    )
    return awards, entries


def test_public_export_follows_the_consent_role(q, ed):
    """Only the winner who ticked the questionnaire's publication consent is listed; the other is excluded."""
    from vielfalt.outputs import public_export

    awards, entries = _winners(q)
    table, excluded = public_export(awards, entries, ed=ed, q=q, lang="en")
    assert table.to_dict("list") == {
        "Organisation": ["Beta AG"],
        "Category": [ed.category_scheme.label("klein", "en")],
        "Award": [f"Label {ed.title.get('en')}"],
    }
    consent = q.roles.consent_publication
    item = consent.split("[")[0]
    option = next(o.label.get("en") for o in q.options_of(q.item(item)) if f"{item}[{o.code}]" == consent)
    assert excluded.to_dict("index") == {
        "e2": {"reason": f"no consent to publication ({item} '{option}' not ticked)"}
    }


def test_public_export_without_a_consent_role_publishes_nobody(q, ed):
    """A questionnaire that does not ask for publication consent gets an empty public list, and says why."""
    from vielfalt.outputs import public_export

    awards, entries = _winners(q)
    no_consent = q.model_copy(update={"roles": q.roles.model_copy(update={"consent_publication": None})})
    public = public_export(awards, entries, ed=ed, q=no_consent)
    assert len(public.table) == 0 and list(public.excluded.index) == ["e1", "e2"]
    assert public.excluded["reason"].str.contains("keine Rolle consent_publication").all()


def test_jury_export_rejects_an_unknown_profile(q):
    """A profile that is not a jury profile is a ConfigError in the common parameter message."""
    from vielfalt.exceptions import ConfigError
    from vielfalt.outputs import jury_export

    with pytest.raises(ConfigError, match=r"^The 'profile' parameter of jury_export must be one of \{"):
        jury_export("public", None, pd.DataFrame(), q, lang="en")


def _letter(**kw):
    from vielfalt.outputs import Letter

    base = dict(
        entry_id="VG-1",
        name="<script>alert('x')</script> & Söhne",
        category="Klein",
        awarded=True,
        sections=[("Maßnahmen", 80.0, 60.0), ("Wirkung", 40.0, None)],
        total=66.0,
        others=3,
        strengths=["stark"],
        improvements=[],
        legal=[],
        visit=None,
    )
    return Letter(**{**base, **kw})


def test_letter_is_one_escaped_file_with_its_stylesheet_inlined():
    """The letter inlines letter.css (one style block, no link), escapes the name and keeps the table rows."""
    from importlib import resources

    from vielfalt.outputs import build_letter

    html = build_letter(_letter(), title="VG 2010", edition="demo2010")
    css = (resources.files("vielfalt") / "outputs" / "templates" / "letter.css").read_text(encoding="utf-8")
    assert f"<style>{css.replace(chr(10), '')}</style>" in html
    assert html.count("<style>") == 1 and "<link" not in html and "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Söhne" in html
    assert (
        "<tbody><tr><th scope='row'>Maßnahmen</th><td><span class='num'>80</span>"
        '<span class="bar" style="width:80.0%;background:#1f5fa8"></span></td>'
        "<td><span class='num'>60</span>" in html
    )
    assert "<td>–</td></tr><tr><th scope='row'>Gesamtpunkte</th>" in html
    assert "<h2>Ansatzpunkte für die Weiterentwicklung</h2><p>–</p>\n\n<p>Mit freundlichen Grüßen" in html
    assert html.startswith('<!DOCTYPE html>\n<html lang="de">') and html.endswith("</html>\n")


def test_letter_shows_legal_duties_and_the_visit_only_when_there_are_some():
    """Legal duties and the site visit get their headings only when the letter has them."""
    from vielfalt.outputs import build_letter

    plain = build_letter(_letter(), title="T", edition="e", lang="en")
    full = build_letter(_letter(legal=["duty"], visit="checked"), title="T", edition="e", lang="en")
    assert "Please check these legal duties" not in plain and "Site visit" not in plain
    assert (
        "<h2>Please check these legal duties</h2><ul><li>duty</li></ul><h2>Site visit</h2><p>checked</p>"
        in full
    )


def test_letter_takes_the_name_from_the_role_column(q):
    """letter_data reads the organisation's name from the column it is given, whatever its code."""
    from vielfalt.outputs import letter_data

    idx = pd.Index(["e1"], name="entry_id")
    final = pd.DataFrame({"category": ["k"], "S1_post": [50.0], "total_post": [50.0]}, index=idx)
    letter = letter_data(
        "e1",
        final=final,
        entries=pd.DataFrame({"Q1": ["Gamma KG"]}, index=idx),
        awards=pd.DataFrame({"awarded": [False]}, index=idx),
        contributions=pd.DataFrame({"x": [1.0]}, index=idx),
        indicators=pd.DataFrame({"x": [0.0]}, index=idx),
        flags=pd.DataFrame(index=idx),
        labels={},
        section_labels={},
        category_label="K",
        name_column="Q1",
    )
    assert letter.name == "Gamma KG" and letter.sections == [("S1", 50.0, None)] and not letter.awarded
