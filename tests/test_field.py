"""Tests of vielfalt.instrument: LimeSurvey structure file, code rules, skeletons, fillable and printable
forms."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml

from vielfalt import instrument
from vielfalt.config.edition import InputFile, load_edition
from vielfalt.config.questionnaire import Label, Option, Sub, load_questionnaire
from vielfalt.exceptions import ConfigError, DataError, InstrumentError
from vielfalt.i18n import catalogue, t
from vielfalt.instrument import (
    _codes,
    fielding,
    form_print,
    form_xlsx,
    limesurvey_read,
    limesurvey_write,
    skeleton,
)
from vielfalt.intake import read as ingest
from vielfalt.intake.validate import validate_files

ROOT = Path(__file__).resolve().parents[1]
LIMONAID = "real-exports/limonaid/export-of-minimal-survey-as-tsv.txt"
MODULES = (_codes, limesurvey_write, limesurvey_read, skeleton, form_xlsx, form_print, fielding)


@pytest.fixture(scope="module")
def ctx():
    """The demo edition and its questionnaire."""
    return load_edition(ROOT / "params" / "editions" / "demo2010.yaml", with_questionnaire=True)


@pytest.fixture(scope="module")
def structure_path(ctx, tmp_path_factory):
    """The instrument's structure file."""
    ed, q = ctx
    return instrument.write_limesurvey_structure(q, tmp_path_factory.mktemp("ls") / "vg2010.txt", edition=ed)


@pytest.fixture(scope="module")
def rows(structure_path):
    """The structure file's records as dicts (parsed with Python's csv module, independent of the reader)."""
    text = structure_path.read_bytes().decode("utf-8")
    recs = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
    head = recs[0]
    return [dict(zip(head, r, strict=True)) for r in recs[1:]]


@pytest.fixture(scope="module")
def form_path(ctx, tmp_path_factory):
    """The fillable workbook of the demo edition."""
    ed, q = ctx
    return instrument.write_form_xlsx(q, tmp_path_factory.mktemp("form") / "teilnahmebogen.xlsx", edition=ed)


def replace_item(q, item_id, **update):
    """A copy of `q` with one item changed (no validation, to build instruments the loader would refuse)."""
    sections = []
    for sec in q.sections:
        items = [it.model_copy(update=update) if it.id == item_id else it for it in sec.items]
        sections.append(sec.model_copy(update={"items": items}))
    return q.model_copy(update={"sections": sections})


def opt(code, de, en=None):
    """An answer option."""
    return Option(code=code, label=Label(de=de, en=en or de))


# --- the structure file ---------------------------------------------------------------------------------
def test_structure_columns_are_limesurveys_own_export_header(shared_dir, structure_path):
    """The 146 column names, in order, are those of LimeSurvey's real export (limonaid's file)."""
    real = (shared_dir / LIMONAID).read_bytes().decode("utf-8").split("\r\n", 1)[0].split("\t")
    assert list(instrument.STRUCTURE_COLUMNS) == real
    ours = structure_path.read_bytes().decode("utf-8").split("\r\n", 1)[0].split("\t")
    assert ours == real


def test_structure_file_bytes_follow_limesurveys_layout(structure_path, rows):
    """UTF-8 without BOM, CRLF records, every row 146 fields wide; same instrument gives the same bytes."""
    data = structure_path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    text = data.decode("utf-8")
    assert all(len(r) == 146 for r in csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
    assert {r["class"] for r in rows} == {"S", "SL", "G", "Q", "SQ", "A"}


def test_structure_is_deterministic(ctx, structure_path, tmp_path):
    """Writing the structure twice gives identical bytes."""
    ed, q = ctx
    again = instrument.write_limesurvey_structure(q, tmp_path / "again.txt", edition=ed)
    assert again.read_bytes() == structure_path.read_bytes()


def test_row_counts_match_the_instrument(ctx, rows):
    """Per language: a G per section, a Q per item, an SQ per sub-question/option, an A per list answer."""
    _, q = ctx
    counts = {c: sum(r["class"] == c for r in rows) for c in ("G", "Q", "SQ", "A")}
    n_sq = sum(
        len(q.options_of(it)) if it.type == "multi" else len(it.subs or []) for _, it in q.iter_items()
    )
    n_a = sum(len(q.options_of(it)) for _, it in q.iter_items() if it.type in ("single", "array"))
    assert counts == {"G": 2 * 7, "Q": 2 * 40, "SQ": 2 * n_sq, "A": 2 * n_a}
    assert (n_sq, n_a) == (124, 57)
    langs = {r["language"] for r in rows if r["class"] == "Q"}
    assert langs == {"de", "en"}


def test_settings_name_the_base_language_and_protect_data(rows):
    """S rows: German base, English added, date stamps, no IP address or referrer, no 'no answer' option."""
    s = {r["name"]: r["text"] for r in rows if r["class"] == "S"}
    assert s["language"] == "de" and s["additional_languages"] == "en"
    assert (s["datestamp"], s["ipaddr"], s["refurl"], s["shownoanswer"]) == ("Y", "N", "N", "N")
    sl = {(r["language"], r["name"]): r["text"] for r in rows if r["class"] == "SL"}
    assert sl[("de", "surveyls_title")] == "Vielfalt gewinnt 2010 (Demo-Edition, synthetische Daten)"
    assert sl[("en", "surveyls_title")] == "Vielfalt gewinnt 2010 (demo edition, synthetic data)"
    assert sl[("de", "surveyls_survey_id")] == s["sid"] and re.fullmatch(r"[1-9]\d{5}", s["sid"])


def _q(rows, code, lang="de"):
    return next(r for r in rows if r["class"] == "Q" and r["name"] == code and r["language"] == lang)


def test_question_types_codes_and_flags(rows):
    """Each item type gets LimeSurvey's letter, the item id as code and its mandatory/other flags."""
    types = {r["name"]: r["type/scale"] for r in rows if r["class"] == "Q" and r["language"] == "de"}
    assert types["A01"] == "S" and types["F01"] == "T" and types["E03"] == "T"
    assert types["A02"] == "!" and types["A04"] == "L" and types["D01"] == "L"
    assert types["B01"] == "M" and types["D02"] == "Y" and types["A05"] == "K"
    assert types["E01"] == "F" and types["G01"] == "Q"
    a01, a02, b01 = _q(rows, "A01"), _q(rows, "A02"), _q(rows, "B01")
    assert (a01["mandatory"], a01["maximum_chars"], a01["relevance"]) == ("Y", "200", "1")
    assert (a02["mandatory"], a02["other"]) == ("Y", "Y")
    assert (b01["mandatory"], b01["other"]) == ("N", "Y")
    assert _q(rows, "A03")["validation"] == r"/^([A-U]|\d{2}(\.?\d{1,2}(\.?\d)?)?)$/"
    assert _q(rows, "D06")["exclude_all_others"] == "keines"


def test_partly_required_numbers_become_an_expression_check(rows):
    """A05: total required and ≥ 1, the parts ≥ 0: common bounds plus an EM check LimeSurvey evaluates."""
    a05 = _q(rows, "A05")
    assert a05["mandatory"] == "N"
    assert (a05["min_num_value_n"], a05["num_value_int_only"]) == ("0", "1")
    assert a05["em_validation_q"] == "!is_empty(A05_total) and (is_empty(A05_total) or A05_total >= 1)"
    assert a05["em_validation_q_tip"] == "„insgesamt“ ist eine Pflichtangabe. „insgesamt“: mindestens 1."
    assert _q(rows, "A05", "en")["em_validation_q_tip"] == "'total' is required. 'total': at least 1."


def test_untranslated_attributes_only_on_the_base_language_rows(rows):
    """As in LimeSurvey's export: maximum_chars, bounds and checks on the German rows; tips on both."""
    en = _q(rows, "A01", "en")
    assert en["maximum_chars"] == "" and en["text"] == "Name of the organisation / Cologne branch"
    assert _q(rows, "A05", "en")["em_validation_q"] == ""


def test_texts_in_both_languages_and_as_html(rows):
    """Answer texts carry German and English, with & < > escaped as LimeSurvey stores HTML."""
    a = {
        (r["language"], r["name"]): r["text"]
        for r in rows
        if r["class"] == "A" and r["id"] == _q(rows, "A02")["id"]
    }
    assert a[("de", "GMBHK")] == "GmbH &amp; Co. KG"
    assert a[("en", "STIFT")] == "foundation (private)"
    sq = [r for r in rows if r["class"] == "SQ" and r["name"] == "total"]
    assert [r["text"] for r in sq] == ["insgesamt", "total"]
    assert len({r["id"] for r in sq}) == 1  # the same subquestion in both languages


def test_ids_join_translations_and_are_unique(rows):
    """Groups, questions, subquestions keep their id in every language; question and SQ ids never clash."""
    for cls in ("G", "Q", "SQ"):
        de = [r["id"] for r in rows if r["class"] == cls and r["language"] == "de"]
        en = [r["id"] for r in rows if r["class"] == cls and r["language"] == "en"]
        assert de == en and all(x.isdigit() for x in de)
    q_ids = [r["id"] for r in rows if r["class"] == "Q" and r["language"] == "de"]
    sq_ids = [r["id"] for r in rows if r["class"] == "SQ" and r["language"] == "de"]
    assert len(set(q_ids + sq_ids)) == len(q_ids) + len(sq_ids)
    groups = [r["type/scale"] for r in rows if r["class"] == "G" and r["language"] == "de"]
    assert groups == ["1", "2", "3", "4", "5", "6", "7"]  # never "0": PHP's empty("0") is true


def test_fields_are_quoted_like_phps_fputcsv(structure_path):
    """A value with a space or a quote is quoted (quotes doubled), a plain code is not (as LimeSurvey)."""
    text = structure_path.read_bytes().decode("utf-8")
    assert '\t"Name der Organisation / Kölner Niederlassung"\t' in text
    assert "\tA01\t" in text and '"A01"' not in text


# --- reading structures ---------------------------------------------------------------------------------
def test_reader_parses_our_file_back(ctx, structure_path):
    """Sections, questions, subquestions and answers come back in order with both languages."""
    _, q = ctx
    s = instrument.read_limesurvey_structure(structure_path)
    assert s.languages == ["de", "en"]
    assert [g.names["de"] for g in s.groups] == [sec.label.de for sec in q.sections]
    assert [qq.code for qq in s.questions] == [it.id for _, it in q.iter_items()]
    e01 = s.question("E01")
    assert [a.code for a in e01.answers] == ["1", "2", "3", "4", "5", "9"]
    assert e01.answers[-1].texts == {"de": "kann ich nicht beurteilen", "en": "cannot judge"}
    assert s.row_counts["Q"] == 80


def test_reader_parses_the_real_limonaid_export(shared_dir):
    """LimeSurvey's real export: 12 groups, 18 questions, English plus Dutch, types and answers."""
    s = instrument.read_limesurvey_structure(shared_dir / LIMONAID)
    assert s.languages == ["en", "nl"]
    assert len(s.groups) == 12 and len(s.questions) == 18
    assert s.row_counts == {"S": 48, "SL": 44, "G": 24, "Q": 36, "A": 98, "SQ": 62}
    assert [g.names["en"] for g in s.groups][:3] == ["country", "age", "gender"]
    country = s.question("country")
    assert (country.type, country.mandatory, [a.code for a in country.answers]) == ("!", "Y", ["1", "2"])
    assert s.question("gender").other == "Y"
    assert [x.code for x in s.question("work").subquestions] == ["ptnts", "chldr", "publc", "home"]
    k = s.question("nrOfDMQs")
    assert (k.type, k.attributes["min_num_value_n"], k.attributes["max_num_value_n"]) == ("K", "5", "50")
    assert s.question("gender").i18n["other_replace_text"] == {"en": "I am "}
    assert instrument.response_columns(s)[:6] == [
        "country",
        "localDistance",
        "age",
        "gender",
        "gender[other]",
        "work[ptnts]",
    ]


def test_reader_refuses_files_that_are_not_structures(tmp_path):
    """A missing file, a CSV table and a structure without questions are DataErrors naming the file."""
    with pytest.raises(DataError, match="nicht gefunden"):
        instrument.read_limesurvey_structure(tmp_path / "nope.txt")
    p = tmp_path / "table.csv"
    p.write_text("id;A01\n1;x\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"table\.csv: Das ist keine LimeSurvey-Strukturdatei"):
        instrument.read_limesurvey_structure(p)
    e = tmp_path / "empty.txt"
    e.write_text(
        "\t".join(instrument.STRUCTURE_COLUMNS) + "\r\n" + "\t\tS\t\tlanguage\t\tde" + "\r\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="keine Fragen"):
        instrument.read_limesurvey_structure(e, lang="de")
    with pytest.raises(DataError, match="no questions"):
        instrument.read_limesurvey_structure(e, lang="en")


def test_reader_applies_the_importers_bom_and_quote_rules(tmp_path):
    """A BOM before the header and Excel's extra quotes around a value go, as in TSVImportSurvey."""
    head = "\t".join(instrument.STRUCTURE_COLUMNS)
    row = ["", "", "Q", "S", "Q1", "1", '"""Quoted"""', "", "de"] + [""] * 137
    p = tmp_path / "s.txt"
    p.write_bytes(("\ufeff" + head + "\n" + "\t".join(row) + "\n").encode("utf-8"))
    s = instrument.read_limesurvey_structure(p)
    assert s.question("Q1").texts["de"] == "Quoted"


# --- code rules -----------------------------------------------------------------------------------------
def test_limesurvey_code_repairs_like_the_importer():
    """Non-alphanumerics dropped, a leading digit prefixed, answer codes cut to five characters."""
    assert instrument.limesurvey_code("A05", kind="question") == "A05"
    assert instrument.limesurvey_code("a_b-1", kind="question") == "ab1"
    assert instrument.limesurvey_code("1x", kind="question") == "q1x"
    assert (
        instrument.limesurvey_code("3a", kind="subquestion") == "3a"
    )  # valid: subquestions may start with a digit
    assert instrument.limesurvey_code("3-a", kind="subquestion") == "sq3a"
    assert instrument.limesurvey_code("GMBHK2", kind="answer") == "GMBHK"
    with pytest.raises(ConfigError, match="'kind'"):
        instrument.limesurvey_code("x", kind="group")  # type: ignore[arg-type]


def test_the_instrument_passes_limesurveys_code_rules_unchanged(ctx):
    """Every code of vg2010 is a valid LimeSurvey code as it is, so answers come back under the same code."""
    _, q = ctx
    instrument.check_limesurvey_codes(q)
    for _, it in q.iter_items():
        assert instrument.limesurvey_code(it.id, kind="question") == it.id


def test_codes_that_differ_only_in_case_collide(ctx, tmp_path):
    """Two multiple-choice options 'Team' and 'team' are one LimeSurvey subquestion: refused, naming both."""
    _, q = ctx
    bad = replace_item(
        q, "D07", options=[opt("Team", "Team"), opt("team", "Team klein"), opt("keine", "keine")]
    )
    with pytest.raises(InstrumentError) as exc:
        instrument.write_limesurvey_structure(bad, tmp_path / "x.txt")
    msg = str(exc.value)
    assert (
        "Item D07: die Codes „Team“ und „team“ sind nach LimeSurveys Code-Regeln derselbe Code („team“" in msg
    )
    assert not (tmp_path / "x.txt").exists()


def test_answer_codes_that_collide_after_truncation_are_refused(ctx):
    """Answer codes longer than five characters are cut by LimeSurvey; two that become one are named."""
    _, q = ctx
    bad = replace_item(q, "A06", options=[opt("U50PX1", "viel"), opt("U50PX2", "sehr viel")])
    with pytest.raises(InstrumentError) as exc:
        instrument.check_limesurvey_codes(bad, lang="en")
    msg = str(exc.value)
    assert "the code 'U50PX1' breaks LimeSurvey's code rules" in msg and "'U50PX'" in msg
    assert "the codes 'U50PX1' and 'U50PX2' are the same code under LimeSurvey's code rules ('U50PX'" in msg


def test_reserved_words_and_duplicate_answer_texts_are_refused(ctx):
    """A question code 'SID', a subquestion 'time' and two answers with one text are all listed."""
    _, q = ctx
    bad = replace_item(q, "A03", id="SID")
    bad = replace_item(bad, "A07", subs=[Sub(code="time", label=Label(de="Zeit", en="time"))])
    bad = replace_item(bad, "A04", options=[opt("PRIV", "privat"), opt("GEM", "Privat ")])
    with pytest.raises(InstrumentError) as exc:
        instrument.check_limesurvey_codes(bad)
    msg = str(exc.value)
    assert "Item SID: „SID“ ist in LimeSurvey ein reserviertes Wort" in msg
    assert "Item A07: „time“ ist in LimeSurvey ein reserviertes Wort" in msg
    assert "Item A04: die Antworten „PRIV“ und „GEM“ haben denselben Text" in msg


def test_texts_the_importer_would_alter_are_refused(ctx, tmp_path):
    """A label wholly in straight quotes would lose them in LimeSurvey's import: refused with the fix."""
    _, q = ctx
    bad = replace_item(q, "A01", label=Label(de='"Name"', en="Name"))
    with pytest.raises(InstrumentError, match="typografische Anführungszeichen"):
        instrument.write_limesurvey_structure(bad, tmp_path / "x.txt")


# --- structure → skeleton -------------------------------------------------------------------------------
def test_skeleton_from_the_real_limonaid_export_loads(shared_dir, tmp_path):
    """The real structure becomes a loadable questionnaire; equations are listed, not dropped."""
    res = instrument.write_questionnaire_skeleton(shared_dir / LIMONAID, tmp_path)
    assert res.questionnaire == tmp_path / "ls165572.yaml"
    k = load_questionnaire(res.questionnaire)
    assert (res.n_items, res.n_sections) == (15, 12) and len(k.items) == 15
    assert k.meta.title.de == "Your COVID-19 Risk: minimal survey"
    assert k.item("country").type == "single" and k.item("country").required
    assert k.item("gender").other and [o.code for o in k.options_of(k.item("gender"))] == [
        "fem",
        "male",
        "enby",
        "unknw",
    ]
    assert k.item("work").type == "multi" and k.item("siTrigger").other
    nr = k.item("nrOfDMQs")
    assert nr.type == "multinumeric" and [(s.code, s.min, s.max, s.integer) for s in nr.subs] == [
        ("nr", 5, 50, True)
    ]
    assert all(it.scoring.kind == "none" for _, it in k.iter_items())
    listed = {(u.code, u.kind) for u in res.untranslated}
    assert {
        ("localDistance", "question"),
        ("AttExWeirdSeq", "question"),
        ("AttExLonelySeq", "question"),
    } <= listed
    assert ("AttExExWeird", "setting") in listed and ("siIntention", "setting") in listed
    assert any("keine deutschen Texte" in u.reason for u in res.untranslated)
    text = res.questionnaire.read_text(encoding="utf-8")
    assert "#   localDistance [question] * (Gleichung)" in text
    report = res.report.read_text(encoding="utf-8")
    assert "| localDistance | country | question | * (Gleichung) |" in report
    # the survey's own response headings map onto the skeleton without a mapping
    s = instrument.read_limesurvey_structure(shared_dir / LIMONAID)
    translated = [c for c in instrument.response_columns(s) if c.split("[")[0] in k.items]
    assert translated == k.columns()


def _structure(tmp_path, questions, *, name="s.txt"):
    """A small structure file: one group, the given (code, type, subquestions, answers) questions."""
    head = list(instrument.STRUCTURE_COLUMNS)

    def row(**kw):
        return "\t".join(limesurvey_write._tsv_field(kw.get(c, "")) for c in head)

    lines = ["\t".join(head), row(**{"class": "S", "name": "language", "text": "de"})]
    lines.append(row(**{"id": "1", "class": "G", "type/scale": "1", "name": "Gruppe", "language": "de"}))
    for i, (code, qtype, subs, answers) in enumerate(questions, start=10):
        lines.append(
            row(
                **{
                    "id": str(i),
                    "class": "Q",
                    "type/scale": qtype,
                    "name": code,
                    "text": f"Frage {code}",
                    "language": "de",
                    "mandatory": "N",
                    "other": "N",
                }
            )
        )
        for j, sc in enumerate(subs):
            lines.append(
                row(
                    **{
                        "id": str(100 * i + j),
                        "class": "SQ",
                        "name": sc,
                        "text": f"Teil {sc}",
                        "language": "de",
                    }
                )
            )
        for ac in answers:
            lines.append(
                row(
                    **{
                        "id": str(i),
                        "class": "A",
                        "type/scale": "0",
                        "name": ac,
                        "text": f"Antwort {ac}",
                        "language": "de",
                    }
                )
            )
    p = tmp_path / name
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return p


def test_unknown_question_types_are_listed_not_dropped(tmp_path):
    """Dates, rankings, uploads, number arrays, comments, text displays: listed with type and columns."""
    p = _structure(
        tmp_path,
        [
            ("Q1", "L", [], ["a", "b"]),
            ("Datum", "D", [], []),
            ("Rang", "R", [], ["x", "y", "z"]),
            ("Datei", "|", [], []),
            ("Zahlen", ":", ["r1"], []),
            ("Kommentar", "O", [], ["a"]),
            ("Hinweis", "X", [], []),
            ("Q2", "M", ["m1", "m2"], []),
        ],
    )
    res = instrument.write_questionnaire_skeleton(p, tmp_path / "out", qid="stadt2011")
    k = load_questionnaire(res.questionnaire)
    assert list(k.items) == ["Q1", "Q2"]
    by_code = {u.code: u for u in res.untranslated if u.kind == "question"}
    assert set(by_code) == {"Datum", "Rang", "Datei", "Zahlen", "Kommentar", "Hinweis"}
    assert by_code["Datum"].detail == "D (Datum/Uhrzeit)"
    assert "Spalten im Export: Rang[1], Rang[2], Rang[3]" in by_code["Rang"].reason
    assert "Spalten im Export: Kommentar, Kommentar[comment]" in by_code["Kommentar"].reason
    assert "Textanzeige ohne Antwort" in by_code["Hinweis"].reason
    text = res.questionnaire.read_text(encoding="utf-8")
    assert all(f"#   {c} [question]" in text for c in by_code)


def test_codes_that_collide_after_the_rules_stop_the_skeleton(tmp_path):
    """Subquestions 'a_b' and 'ab' become one code under LimeSurvey's rules: a DataError names both."""
    p = _structure(tmp_path, [("Q1", "M", ["a_b", "ab"], [])])
    with pytest.raises(DataError) as exc:
        instrument.write_questionnaire_skeleton(p, tmp_path / "out")
    assert (
        "die Codes „a_b“ und „ab“ (Unterfragen von Q1) ergeben nach LimeSurveys Code-Regeln "
        "denselben Code „ab“" in str(exc.value)
    )
    p2 = _structure(tmp_path, [("Q1", "L", [], ["GMBHK1", "GMBHK2"])], name="s2.txt")
    with pytest.raises(DataError, match="„GMBHK“ und „GMBHK2“|„GMBHK1“ und „GMBHK2“"):
        instrument.write_questionnaire_skeleton(p2, tmp_path / "out2")


def test_skeleton_yaml_keeps_codes_as_strings(tmp_path):
    """Numeric answer codes and Y/N stay strings in the YAML (quoted where YAML would read a number)."""
    p = _structure(tmp_path, [("Q1", "L", [], ["1", "2", "no"]), ("Q2", "C", ["r1"], [])])
    res = instrument.write_questionnaire_skeleton(p, tmp_path / "out")
    data = yaml.safe_load(res.questionnaire.read_text(encoding="utf-8"))
    codes = [o["code"] for o in data["sections"][0]["items"][0]["options"]]
    assert codes == ["1", "2", "no"]
    k = load_questionnaire(res.questionnaire)
    assert [o.code for o in k.options_of(k.item("Q2"))] == ["Y", "U", "N"]


def test_skeleton_has_every_role_commented_out_and_loads(tmp_path):
    """The roles block names every role, commented out with what to fill in; it loads as no roles."""
    from vielfalt.config.questionnaire import Roles

    p = _structure(tmp_path, [("Q1", "S", [], []), ("Q2", "M", ["m1", "m2"], [])])
    res = instrument.write_questionnaire_skeleton(p, tmp_path / "out")
    text = res.questionnaire.read_text(encoding="utf-8")
    assert "\nroles:\n" in text
    for role in Roles.model_fields:
        (line,) = [x for x in text.splitlines() if x.startswith(f"  # {role}:")]
        assert len(line.split("#")[2].strip()) > 20, role  # a comment saying what to fill in
    k = load_questionnaire(res.questionnaire)
    assert all(v is None for v in k.roles.model_dump().values())


def test_skeleton_with_roles_filled_in_loads_and_exposes_them(tmp_path):
    """Role lines uncommented and filled in with the skeleton's codes give a questionnaire with the roles."""
    p = _structure(tmp_path, [("Q1", "S", [], []), ("Q2", "M", ["m1", "m2"], [])])
    res = instrument.write_questionnaire_skeleton(p, tmp_path / "out")
    text = res.questionnaire.read_text(encoding="utf-8")
    text = text.replace("  # organisation_name:", "  organisation_name: Q1", 1)
    text = text.replace("  # consent_publication:", '  consent_publication: "Q2[m1]"', 1)
    text = text.replace("  # measures_section:", "  measures_section: A", 1)
    filled = tmp_path / "filled.yaml"
    filled.write_text(text, encoding="utf-8")
    k = load_questionnaire(filled)
    assert (k.roles.organisation_name, k.roles.consent_publication) == ("Q1", "Q2[m1]")
    assert k.roles.measures_section == "A" and k.roles.headcount is None
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("organisation_name: Q1", "organisation_name: Q9"), encoding="utf-8")
    with pytest.raises(InstrumentError, match="Q9"):
        load_questionnaire(bad)


def test_untranslated_question_types_are_named_in_the_readers_language(tmp_path):
    """With lang='en' the type of an untranslated question is named in English (it was always German)."""
    p = _structure(tmp_path, [("Q1", "L", [], ["a"]), ("Datum", "D", [], []), ("Summe", "*", [], [])])
    en = instrument.write_questionnaire_skeleton(p, tmp_path / "en", lang="en")
    by_code = {u.code: u for u in en.untranslated}
    assert by_code["Datum"].detail == "D (date/time)" and by_code["Summe"].detail == "* (equation)"
    assert by_code["Summe"].reason == "Not translated: equation (computed value). Export columns: Summe."
    de = instrument.write_questionnaire_skeleton(p, tmp_path / "de")
    assert {u.code: u.detail for u in de.untranslated}["Datum"] == "D (Datum/Uhrzeit)"


# --- the fillable workbook ------------------------------------------------------------------------------
def test_workbook_has_a_sheet_per_section_and_hidden_metadata(ctx, form_path):
    """Hinweise, one sheet per section (German names), a hidden list sheet and a hidden metadata sheet."""
    _, q = ctx
    wb = openpyxl.load_workbook(form_path)
    assert wb.sheetnames == [
        "Hinweise",
        "A Profil",
        "B Vielfaltsdimensionen",
        "C Maßnahmen je Handlungsfeld",
        "D Strategie und Organisation",
        "E Ergebnisse und Wirkung",
        "F Freitexte",
        "G Kontakt und Einwilligungen",
        "_listen",
        "_vielfalt",
    ]
    assert wb["_vielfalt"].sheet_state == "hidden" and wb["_listen"].sheet_state == "hidden"
    assert wb.security.lockStructure
    meta = {
        r[0]: r[1] for r in wb["_vielfalt"].iter_rows(values_only=True) if r[0] and r[1] and r[0] != "code"
    }
    assert meta["format"] == "vielfalt-teilnahmebogen" and meta["edition"] == "demo2010"
    assert (meta["questionnaire"], meta["version"], meta["sha256"]) == ("vg2010", "1.0", q.sha256())
    codes = [r[0] for r in wb["_vielfalt"].iter_rows(min_row=10, values_only=True)]
    assert codes == ["submitdate", *q.columns()]


def test_labels_are_locked_and_answer_cells_unlocked(form_path):
    """Every sheet is protected; only the answer cells (column C of answer rows, the date) are unlocked."""
    wb = openpyxl.load_workbook(form_path)
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
    ws = wb["A Profil"]
    row = next(c.row for c in ws["A"] if c.value == "A05[total]")
    assert ws[f"A{row}"].protection.locked and ws[f"B{row}"].protection.locked
    assert not ws[f"C{row}"].protection.locked
    unlocked = [c.coordinate for r in ws.iter_rows() for c in r if not c.protection.locked]
    assert all(x.startswith("C") for x in unlocked)
    assert ws[f"B{row}"].value == "insgesamt *"


def _validation_of(ws, ref):
    return next(dv for dv in ws.data_validations.dataValidation if ref in dv.sqref)


def test_answer_cells_carry_data_validation(form_path):
    """Lists for options (German labels), whole numbers with their bounds, text lengths, a date."""
    wb = openpyxl.load_workbook(form_path)
    ws = wb["A Profil"]
    where = {c.value: c.row for c in ws["A"] if c.value}
    dv = _validation_of(ws, f"C{where['A04']}")
    assert dv.type == "list" and dv.showErrorMessage and dv.errorStyle == "stop"
    ref = wb.defined_names[dv.formula1].attr_text
    sheet, rng = ref.split("!")
    values = [c.value for row in wb[sheet.strip("'")][rng.replace("$", "")] for c in row]
    assert values == [
        "privatwirtschaftlich",
        "öffentlich-rechtlich (Verwaltung, Körperschaft, Anstalt)",
        "öffentliches Unternehmen (mehrheitlich in öffentlicher Hand)",
        "gemeinnützig, privat (Verein, gGmbH, kirchlich)",
    ]
    a02 = _validation_of(ws, f"C{where['A02']}")
    ref = wb.defined_names[a02.formula1].attr_text
    assert ref.endswith("$16")  # 15 legal forms plus "Sonstiges"
    n = _validation_of(ws, f"C{where['A05[total]']}")
    assert (n.type, n.operator, n.formula1) == ("whole", "between", "1")
    t = _validation_of(ws, f"C{where['A01']}")
    assert (t.type, t.formula1) == ("textLength", "200")
    d = _validation_of(
        wb["Hinweise"], next(c.coordinate for c in wb["Hinweise"]["C"] if not c.protection.locked)
    )
    assert d.type == "date"


def test_workbook_is_deterministic_and_formula_safe(ctx, form_path, tmp_path):
    """Same bytes twice; a hostile label starting with '=' is written as text with an apostrophe."""
    ed, q = ctx
    assert (
        instrument.write_form_xlsx(q, tmp_path / "again.xlsx", edition=ed).read_bytes()
        == form_path.read_bytes()
    )
    with zipfile.ZipFile(form_path) as zf:
        infos = zf.infolist()
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in zf.read("docProps/core.xml")
    hostile = replace_item(q, "F02", label=Label(de='=HYPERLINK("http://x";"klick")', en="x"))
    hostile = replace_item(
        hostile,
        "A04",
        options=[opt("PRIV", "- privat -"), opt("OER", "@öffentlich"), opt("GEM", "+gemeinnützig")],
    )
    p = instrument.write_form_xlsx(hostile, tmp_path / "hostile.xlsx", edition=ed)
    wb = openpyxl.load_workbook(p)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert not c.value.startswith(("=", "+", "-", "@")), (ws.title, c.coordinate, c.value)
    assert [c.value for c in wb["_listen"]["B"][:3]] == ["'- privat -", "'@öffentlich", "'+gemeinnützig"]
    # the neutralised list entry a person picks still reads as its option
    filled = fill(p, {**ANSWERS, "A04": "'- privat -"}, tmp_path / "hostile_filled.xlsx")
    report = validate_files(ed, hostile, [(InputFile(file=filled.name, dialect="form", source="f"), filled)])
    assert report.n_accepted == 1 and report.accepted.iloc[0]["A04"] == "PRIV"


def test_english_workbook(ctx, tmp_path):
    """With lang='en' the sheets, labels and lists are English."""
    ed, q = ctx
    wb = openpyxl.load_workbook(instrument.write_form_xlsx(q, tmp_path / "en.xlsx", edition=ed, lang="en"))
    assert wb.sheetnames[:2] == ["Instructions", "A Profile"]
    assert wb["A Profile"]["C3"].value == "Your answer"


def fill(path, answers, out):
    """Fill a form as a person would: find each code's row and type the answer into column C, save."""
    wb = openpyxl.load_workbook(path)
    for code, value in answers.items():
        for ws in wb.worksheets:
            hit = next((c.row for c in ws["A"] if c.value == code), None)
            if hit is not None:
                ws[f"C{hit}"] = value
                break
        else:
            raise KeyError(code)
    wb.save(out)
    return out


ANSWERS = {
    "submitdate": dt.datetime(2010, 2, 3),
    "A01": "Rheinufer Werkstätten GmbH & Co. KG",
    "A02": "GmbH & Co. KG",
    "A03": "62.01",
    "A04": "privatwirtschaftlich",
    "A05[total]": 48,
    "A05[teilzeit]": 12,
    "A05[azubis]": 3,
    "A06": "bis 10 Mio. €",
    "A07[weiblich]": 20,
    "A07[maennlich]": 28,
    "A07[divers]": 0,
    "B01[alter]": "x",
    "B01[familie]": "x",
    "B01[other]": "Lebensphasen",
    "B02": "Familie",
    "C01[stellenanzDivers]": "x",
    "C05[flexArbeitszeit]": "x",
    "D01": "teilweise/im Aufbau",
    "D02": "ja",
    "D03": "Inhaber/in bzw. Geschäftsführung",
    "D06[keines]": "x",
    "E01[klima]": "trifft eher zu",
    "E01[konflikte]": "kann ich nicht beurteilen",
    "F01": "Wir bieten Deutschkurse während der Arbeitszeit an.\nSeit 2008, zwei Gruppen.",
    "G01[name]": "Erika Beispiel",
    "G01[email]": "erika@example.org",
    "G02[besuch]": "x",
}


def test_a_filled_workbook_comes_back_through_intake(ctx, form_path, tmp_path):
    """Filled with openpyxl like a person would, the form is accepted with every answer under its code."""
    ed, q = ctx
    p = fill(form_path, ANSWERS, tmp_path / "rheinufer.xlsx")
    report = validate_files(ed, q, [(InputFile(file=p.name, dialect="form", source="formular"), p)])
    assert report.n_accepted == 1, report.failures.to_string()
    assert report.failures[report.failures["severity"] == "error"].empty
    got = report.accepted.iloc[0]
    assert got["response_id"] == "rheinufer" and str(got["submitdate"]) == "2010-02-03 00:00:00"
    assert (
        got["A01"] == "Rheinufer Werkstätten GmbH & Co. KG" and got["A02"] == "GMBHK" and got["A04"] == "PRIV"
    )
    assert (got["A05[total]"], got["A05[teilzeit]"], got["A06"]) == (48.0, 12.0, "U10")
    assert bool(got["B01[alter]"]) and not bool(got["B01[herkunft]"]) and got["B01[other]"] == "Lebensphasen"
    assert (got["B02"], got["D01"], got["D02"], got["D03"]) == ("FAM", "2", True, "INH")
    assert (got["E01[klima]"], got["E01[konflikte]"]) == ("4", "9")
    assert got["F01"] == ANSWERS["F01"] and got["G01[email]"] == "erika@example.org"
    assert got["category"] == "klein"


def test_filled_forms_in_a_folder_and_auto_detected(ctx, form_path, tmp_path):
    """A folder with dialect form reads every workbook; dialect auto recognises a form by its metadata."""
    ed, q = ctx
    folder = tmp_path / "formulare"
    folder.mkdir()
    fill(form_path, ANSWERS, folder / "a.xlsx")
    fill(form_path, {**ANSWERS, "A01": "Zweite Organisation e.V.", "A02": "e.V."}, folder / "b.xlsx")
    (folder / "~$a.xlsx").write_bytes(b"lock")  # Excel's lock file is skipped
    report = validate_files(ed, q, [(InputFile(file="formulare", dialect="form", source="formular"), folder)])
    assert report.n_accepted == 2 and sorted(report.accepted["response_id"]) == ["a", "b"]
    assert [s["file"] for s in report.sources] == ["a.xlsx", "b.xlsx"]
    auto = validate_files(ed, q, [(InputFile(file="a.xlsx", source="x"), folder / "a.xlsx")])
    assert auto.n_accepted == 1 and auto.sources[0]["dialect"] == "form"
    assert ingest.is_form(folder / "a.xlsx") and not ingest.is_form(
        ROOT / "data" / "demo2010" / "responses_excel.xlsx"
    )
    empty = tmp_path / "leer"
    empty.mkdir()
    with pytest.raises(DataError, match="keine ausgefüllten Formulare"):
        validate_files(ed, q, [(InputFile(file="leer", dialect="form", source="f"), empty)])


def test_the_same_organisation_on_two_forms_names_both_workbooks(ctx, form_path, tmp_path):
    """Every form has its answers in row 2, so the duplicate names the workbooks: the one set aside and the
    newer one that is used."""
    ed, q = ctx
    folder = tmp_path / "formulare"
    folder.mkdir()
    fill(form_path, ANSWERS, folder / "alt.xlsx")
    fill(form_path, {**ANSWERS, "submitdate": dt.datetime(2010, 3, 1)}, folder / "neu.xlsx")
    report = validate_files(ed, q, [(InputFile(file="formulare", dialect="form", source="formular"), folder)])
    assert report.n_accepted == 1 and list(report.accepted["response_id"]) == ["neu"]
    (reason,) = report.failures.query("check == 'duplicate_submission'")["reason"]
    assert reason.startswith("Datei alt.xlsx: Doppelte Einsendung von „Rheinufer Werkstätten")
    assert "(formular, Datei neu.xlsx)" in reason


def test_a_value_typed_over_a_list_is_quarantined_naming_sheet_cell_value_and_fix(ctx, form_path, tmp_path):
    """'vielleicht' pasted over the A04 list, 'jein' over a tick: quarantined, saying where and how."""
    ed, q = ctx
    p = fill(
        form_path, {**ANSWERS, "A04": "vielleicht", "C01[stellenanzDivers]": "jein"}, tmp_path / "f.xlsx"
    )
    report = validate_files(ed, q, [(InputFile(file=p.name, dialect="form", source="formular"), p)])
    assert report.n_quarantined == 1 and report.n_accepted == 0
    wb = openpyxl.load_workbook(p)
    row = next(c.row for c in wb["A Profil"]["A"] if c.value == "A04")
    f = report.failures.set_index("column")
    assert f.at["A04", "reason"] == t(
        "intake.form_not_in_list", "de", file="f.xlsx", sheet="A Profil", cell=f"C{row}", value="vielleicht"
    )
    assert f.at["A04", "fix"] == t(
        "intake.fix_form_not_in_list",
        "de",
        allowed="„privatwirtschaftlich“, „öffentlich-rechtlich (Verwaltung, Körperschaft, Anstalt)“, "
        "„öffentliches Unternehmen (mehrheitlich in öffentlicher Hand)“, "
        "„gemeinnützig, privat (Verein, gGmbH, kirchlich)“",
    )
    assert "Blatt „C Maßnahmen je Handlungsfeld“" in f.at["C01[stellenanzDivers]", "reason"]
    assert (
        "„jein“" in f.at["C01[stellenanzDivers]", "reason"]
        and "(„x“)" in f.at["C01[stellenanzDivers]", "fix"]
    )
    reason = report.quarantine.iloc[0]["reason"]
    assert f"Zelle C{row}: „vielleicht“ steht nicht in der Auswahlliste" in reason


def test_other_findings_of_a_form_name_the_cell(ctx, form_path, tmp_path):
    """A cross-field problem (part-timers above the total) names the sheet and cell of the form."""
    ed, q = ctx
    p = fill(form_path, {**ANSWERS, "A05[teilzeit]": 60}, tmp_path / "g.xlsx")
    report = validate_files(
        ed, q, [(InputFile(file=p.name, dialect="form", source="formular"), p)], lang="en"
    )
    reason = report.failures.set_index("check").at["check_le", "reason"]
    assert (
        reason.startswith("File g.xlsx, sheet 'A Profil', cell C")
        and "more part-timers than employees" in reason
    )


def test_a_workbook_from_another_edition_or_version_is_refused_naming_both(ctx, tmp_path):
    """Another edition's form and a form of another instrument version stop with a DataError naming both."""
    ed, q = ctx
    other = instrument.write_form_xlsx(
        q, tmp_path / "old.xlsx", edition=ed.model_copy(update={"edition": "demo2009"})
    )
    p = fill(other, ANSWERS, tmp_path / "old_filled.xlsx")
    with pytest.raises(DataError) as exc:
        validate_files(ed, q, [(InputFile(file=p.name, dialect="form", source="f"), p)])
    assert str(exc.value).startswith(
        "old_filled.xlsx: Das Formular gehört zur Edition „demo2009“, eingelesen wird die Edition „demo2010“"
    )
    older = q.model_copy(update={"meta": q.meta.model_copy(update={"version": "0.9"})})
    p2 = fill(
        instrument.write_form_xlsx(older, tmp_path / "v09.xlsx", edition=ed), ANSWERS, tmp_path / "v09_f.xlsx"
    )
    with pytest.raises(
        DataError,
        match=r"Fragebogen vg2010 Version 0\.9 erstellt, die Edition demo2010 verwendet "
        r"vg2010 Version 1\.0",
    ):
        validate_files(ed, q, [(InputFile(file=p2.name, dialect="form", source="f"), p2)])


def test_a_form_from_a_changed_yaml_of_the_same_version_warns(ctx, tmp_path):
    """Same id and version but another YAML hash: accepted, with a warning to compare against the codebook."""
    ed, q = ctx
    changed = q.model_copy(update={"source_sha256": "0" * 64})
    p = fill(
        instrument.write_form_xlsx(changed, tmp_path / "c.xlsx", edition=ed), ANSWERS, tmp_path / "c_f.xlsx"
    )
    report = validate_files(ed, q, [(InputFile(file=p.name, dialect="form", source="f"), p)])
    assert report.n_accepted == 1
    warn = report.failures[report.failures["check"] == "form_changed"]
    assert len(warn) == 1 and warn.iloc[0]["severity"] == "warning"


def test_a_workbook_that_is_no_form_is_refused(ctx):
    """The institute's transcription workbook read as dialect form: a DataError saying what to do."""
    ed, q = ctx
    p = ROOT / "data" / "demo2010" / "responses_excel.xlsx"
    with pytest.raises(DataError, match="ist kein vielfalt-Teilnahmebogen"):
        validate_files(ed, q, [(InputFile(file=p.name, dialect="form", source="f"), p)])


def test_a_damaged_form_is_refused(ctx, form_path, tmp_path):
    """A form whose metadata lost the edition is refused, naming what is missing."""
    ed, q = ctx
    wb = openpyxl.load_workbook(form_path)
    ws = wb["_vielfalt"]
    next(r for r in ws.iter_rows() if r[0].value == "edition")[1].value = None
    p = tmp_path / "d.xlsx"
    wb.save(p)
    with pytest.raises(
        DataError, match="Das Formular ist beschädigt: auf dem Blatt „_vielfalt“ fehlen edition"
    ):
        ingest.read_form(p)


# --- the printable form ---------------------------------------------------------------------------------
def test_html_form_is_german_escaped_and_shows_every_code(ctx, tmp_path):
    """The printable form names every response code, escapes hostile text and is German by default."""
    ed, q = ctx
    hostile = replace_item(q, "A01", label=Label(de="Name <script>alert(1)</script> & Co", en="Name"))
    p = instrument.write_form_html(hostile, tmp_path / "f.html", edition=ed)
    text = p.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "Name &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in text
    assert '<html lang="de">' in text and "Bitte eine Antwort ankreuzen." in text
    for col in q.columns():
        if col.endswith("[other]"):
            continue
        code = (
            col.split("[")[0]
            if q.item(col.split("[")[0]).type in ("single", "multi", "yesno", "text")
            else col
        )
        assert f">{code}<" in text.replace("</span>", "<") or f">{code.split('[')[0]}<" in text, col
    assert "Edition demo2010 · Fragebogen vg2010, Version 1.0" in text
    en = instrument.write_form_html(q, tmp_path / "e.html", edition=ed, lang="en").read_text(encoding="utf-8")
    assert "Please tick one answer." in en and '<html lang="en">' in en


@pytest.mark.browser
def test_pdf_form_when_chromium_is_installed(ctx, tmp_path):
    """With Debian's chromium the form prints to a PDF, byte-identical on a second run."""
    ed, q = ctx
    if instrument.find_browser() is None:
        pytest.skip(
            "no chromium installed (apt-get install chromium); --to pdf is then refused with a message"
        )
    a = instrument.write_form_pdf(q, tmp_path / "a.pdf", edition=ed)
    b = instrument.write_form_pdf(q, tmp_path / "b.pdf", edition=ed)
    assert a.read_bytes().startswith(b"%PDF") and len(a.read_bytes()) > 10_000
    assert a.read_bytes() == b.read_bytes()


def test_pdf_without_a_browser_says_to_use_html(ctx, tmp_path, monkeypatch):
    """Without chromium, --to pdf is a ConfigError that points to --to html."""
    ed, q = ctx
    monkeypatch.setattr(form_print.shutil, "which", lambda name: None)
    with pytest.raises(ConfigError, match="--to html"):
        instrument.write_form_pdf(q, tmp_path / "x.pdf", edition=ed)


def test_html_form_is_one_page_from_the_template_with_its_css(ctx, tmp_path):
    """The page inlines form.css (no link to another file) and shows an example code of this instrument."""
    from importlib import resources

    ed, q = ctx
    text = instrument.form_html(q, edition=ed)
    css = (resources.files("vielfalt") / "instrument" / "templates" / "form.css").read_text(encoding="utf-8")
    assert f"<style>\n{css}</style>" in text and "<link" not in text and "<script" not in text
    example = next(f"{it.id}[{it.subs[0].code}]" for _, it in q.iter_items() if it.subs)
    assert f"(z. B. {example})" in text
    hostile = replace_item(q, "A01", label=Label(de="Name \"x\" 'y' <b>", en="Name"))
    page = instrument.form_html(hostile, edition=ed)
    assert "Name &#34;x&#34; &#39;y&#39; &lt;b&gt;" in page and "<b>" not in page
    assert text.endswith("</footer>\n</body></html>\n")


# --- command line and demo ------------------------------------------------------------------------------
@pytest.fixture()
def project(tmp_path):
    """A fresh project with the shipped params."""
    import shutil

    shutil.copytree(ROOT / "params", tmp_path / "params")
    (tmp_path / "data" / "demo2010").mkdir(parents=True)
    return tmp_path


def test_cli_writes_structure_and_workbook_under_runs_field(project, capsys):
    """`vielfalt field ED --to all` writes the files under runs/field/<ed>/ and prints German lines."""
    from vielfalt.cli import main

    assert main(["--project", str(project), "field", "demo2010", "--to", "all"]) == 0
    out = capsys.readouterr().out
    base = project / "runs" / "field" / "demo2010"
    assert (base / "limesurvey_demo2010.txt").is_file() and (base / "teilnahmebogen_demo2010.xlsx").is_file()
    assert (base / "teilnahmebogen_demo2010.html").is_file()
    assert (
        "LimeSurvey-Struktur: runs/field/demo2010/limesurvey_demo2010.txt "
        "(S 36, SL 16, G 14, Q 80, SQ 248, A 114)" in out
    )
    assert "Ausfüllbarer Teilnahmebogen:" in out


def test_cli_reads_a_structure_into_a_skeleton(project, capsys, structure_path, tmp_path):
    """`--from-limesurvey FILE --out DIR` writes the YAML and the report and lists what was left out."""
    from vielfalt.cli import main

    out_dir = tmp_path / "gerüst"
    code = main(
        [
            "--project",
            str(project),
            "field",
            "koeln2011",
            "--from-limesurvey",
            str(structure_path),
            "--out",
            str(out_dir),
            "--id",
            "vg2011",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "Fragebogen-Gerüst:" in printed and "(40 Fragen, 7 Abschnitte)" in printed
    assert load_questionnaire(out_dir / "vg2011.yaml").meta.id == "vg2011"


def test_cli_errors_are_messages_with_exit_2(project, capsys, tmp_path):
    """A missing structure file, an unknown or bad edition id: exit 2 with a message, no traceback."""
    from vielfalt.cli import main

    assert (
        main(["--project", str(project), "field", "demo2010", "--from-limesurvey", str(tmp_path / "x.txt")])
        == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("Fehler: ") and "nicht gefunden" in err and "Traceback" not in err
    assert main(["--project", str(project), "field", "nope2099", "--to", "xlsx"]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert main(["--project", str(project), "field", "../etc", "--to", "xlsx"]) == 2
    assert "ungültig" in capsys.readouterr().err


def test_cli_field_runs_as_a_console_command(project):
    """The installed entry point prints German and exits 0 (subprocess, as a user runs it)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "vielfalt.cli.commands",
            "--project",
            str(project),
            "field",
            "demo2010",
            "--to",
            "limesurvey",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "In LimeSurvey: Umfrage erstellen → Importieren" in proc.stdout


def test_cli_validate_recognises_a_filled_form(project, form_path, tmp_path, capsys):
    """`vielfalt validate FORM --edition ED` reads a filled form without being told its dialect."""
    from vielfalt.cli import main

    p = fill(form_path, ANSWERS, tmp_path / "rheinufer.xlsx")
    assert main(["--project", str(project), "validate", str(p), "--edition", "demo2010"]) == 0
    assert "angenommen: 1, zurückgestellt: 0" in capsys.readouterr().out
    bad = fill(form_path, {**ANSWERS, "A04": "vielleicht"}, tmp_path / "bad.xlsx")
    assert main(["--project", str(project), "validate", str(bad), "--edition", "demo2010"]) == 1
    assert "Blatt „A Profil“, Zelle C" in capsys.readouterr().out


def test_write_demo_forms(project):
    """The demo writes the structure file, the workbook and the HTML form for the demo edition."""
    paths = instrument.write_demo_forms(project, "demo2010")
    assert set(paths) == {"limesurvey", "xlsx", "html"}
    assert all(p.is_file() and p.parent == project / "runs" / "field" / "demo2010" for p in paths.values())
    assert ingest.is_form(paths["xlsx"])


# --- hygiene --------------------------------------------------------------------------------------------
def test_bad_parameters_are_config_errors_in_one_shape(ctx, tmp_path):
    """A bad `to`, `lang` or `kind` is a ConfigError in the common shape, English under lang='en'."""
    ed, q = ctx
    with pytest.raises(ConfigError) as exc:
        instrument.write_field_files(q, ed, tmp_path, to="docx", lang="en")
    assert str(exc.value) == (
        "The 'to' parameter of write_field_files must be one of "
        "{'all', 'html', 'limesurvey', 'pdf', 'xlsx'}. Got 'docx' instead."
    )  # it said "… pdf oder all" in English
    with pytest.raises(ConfigError, match="parameter of write_form_html must be one of {'de', 'en'}"):
        instrument.write_form_html(q, tmp_path / "x.html", edition=ed, lang="fr")  # type: ignore[arg-type]


def test_every_message_has_both_languages():
    """The instrument's messages and validate's form messages exist in German and English, same fields."""
    ours = {k: v for k, v in catalogue().items() if k.startswith("instrument.")}
    assert len(ours) > 100
    intake_forms = {k: v for k, v in catalogue().items() if k.startswith(("intake.form", "intake.fix_form"))}
    for table in (ours, intake_forms):
        for key, texts in table.items():
            assert set(texts) == {"de", "en"}, key
            fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in texts.values()]
            assert fields[0] == fields[1], key


def test_public_names_have_docstrings():
    """Every name in instrument.__all__ exists; callables and classes have a docstring."""
    for name in instrument.__all__:
        obj = getattr(instrument, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), name


def test_the_instrument_is_data_no_demo_code_in_the_subpackage():
    """No module, template or message of vielfalt.instrument names an item, scale or section of the demo."""
    _, q = load_edition(ROOT / "params" / "editions" / "demo2010.yaml", with_questionnaire=True)
    codes = set(q.items) | set(q.scales) | {q.meta.id}
    folder = ROOT / "src" / "vielfalt" / "instrument"
    files = [
        *folder.glob("*.py"),
        *folder.glob("templates/*"),
        ROOT / "src" / "vielfalt" / "messages" / "instrument.yaml",
    ]
    found = [
        (f.name, code)
        for f in files
        for code in codes
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", f.read_text(encoding="utf-8"))
    ]
    found += [
        (f.name, m) for f in files for m in re.findall(r"Abschnitt [A-Z]\b", f.read_text(encoding="utf-8"))
    ]
    assert not found


def test_doctests():
    """The examples in the docstrings of every instrument module run as written."""
    import doctest

    for module in MODULES:
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__
