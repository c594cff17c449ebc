"""Round trip: instrument → LimeSurvey structure file → responses as LimeSurvey exports them → intake.

The structure file is written, then parsed back with :func:`vielfalt.instrument.read_limesurvey_structure`;
the response exports are rendered from the *parsed* structure (its question types, codes and answer texts),
not from the instrument in memory, so a broken structure file breaks the round trip. The exports follow
LimeSurvey's writer (DOMAIN.md §5.1): UTF-8 with BOM, ``;``, every value quoted, CRLF and a blank line at the
end for CSV; a workbook for XLSX; headings as codes ``A05[total]`` or Expression-Manager codes
``A05_total``; answers as short codes or as full answer texts (``SurveyObj::getFullAnswer``: the answer
text, "Ja"/"Nein" for multiple choice and yes/no, "Sonstiges" for ``-oth-``, "N/A" for an unanswered
yes/no). Rendering reuses the LimeSurvey helpers of :mod:`vielfalt.demo.synth`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vielfalt import instrument
from vielfalt.config.edition import InputFile, load_edition
from vielfalt.demo import synth
from vielfalt.exceptions import DataError
from vielfalt.intake.validate import validate_files

ROOT = Path(__file__).resolve().parents[1]
N = 30


@pytest.fixture(scope="module")
def ctx():
    """The demo edition and its questionnaire."""
    return load_edition(ROOT / "params" / "editions" / "demo2010.yaml", with_questionnaire=True)


@pytest.fixture(scope="module")
def structure(ctx, tmp_path_factory):
    """The structure file of the instrument, written and parsed back."""
    ed, q = ctx
    path = instrument.write_limesurvey_structure(q, tmp_path_factory.mktemp("ls") / "vg2010.txt", edition=ed)
    return instrument.read_limesurvey_structure(path)


@pytest.fixture(scope="module")
def entries(ctx):
    """Thirty valid synthetic entries in canonical form (numbers, ticks, codes, Y/N, texts)."""
    ed, q = ctx
    df = synth.generate_entries(q, ed.category_scheme, n=N, seed=7, year=2010).reset_index(drop=True)
    # the cases a full-text export writes differently: "other" ("Sonstiges"), an unanswered yes/no ("N/A"),
    # an answer text with "&" (GmbH & Co. KG, stored as HTML), quotes and a line break inside a text
    df.loc[0, ["A02", "A02[other]"]] = ["-oth-", "UG (haftungsbeschränkt)"]
    df.loc[1, "D02"] = ""
    df.loc[2, "A02"] = "GMBHK"
    df.loc[3, "B01[other]"] = "Lebensphasen"
    df.loc[4, "F01"] = 'Wir sagen "Vielfalt gewinnt".\nUnd meinen es; wirklich.'
    return df


LONG_WORDS = {
    "de": {"yes": "Ja", "no": "Nein", "na": "N/A", "other": "Sonstiges"},
    "en": {"yes": "Yes", "no": "No", "na": "N/A", "other": "Other"},
}


def render_export(
    s: instrument.SurveyStructure, entries: pd.DataFrame, *, heading: str, answers: str, lang: str = "de"
) -> tuple[list[str], list[list[object]], list[np.ndarray]]:
    """Headings, records and metadata columns of a LimeSurvey response export of structure `s`."""
    words = LONG_WORDS[lang]
    columns = instrument.response_columns(s)
    by_code = {qq.code: qq for qq in s.questions}
    cells = []
    for col in columns:
        qq = by_code[col.split("[")[0]]
        values = entries[col] if col in entries else pd.Series([""] * len(entries))
        sub = col[len(qq.code) + 1 : -1] if "[" in col else ""
        if qq.type in ("K", "N"):
            out = synth._num_text(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float))
        elif qq.type == "M" and sub != "other":
            ticked = values.to_numpy(dtype=bool) if col in entries else np.zeros(len(entries), bool)
            yes, no = ("Y", "") if answers == "short" else (words["yes"], words["no"])
            out = np.where(ticked, yes, no).astype(object)
        elif qq.type == "Y":
            v = values.to_numpy(dtype=object)
            if answers == "long":
                v = np.array(
                    [{"Y": words["yes"], "N": words["no"]}.get(x, words["na"]) for x in v], dtype=object
                )
            out = v
        elif qq.type in ("L", "!", "F") and sub != "other":
            v = values.to_numpy(dtype=object)
            if answers == "long":
                texts = {a.code: a.texts[lang] for a in qq.answers}  # as LimeSurvey stores them (HTML)
                v = np.array(
                    [words["other"] if x == "-oth-" else texts.get(x, "") if x else "" for x in v],
                    dtype=object,
                )
            out = np.array(["" if x is None else x for x in v], dtype=object)
        else:
            out = np.array(["" if x is None else str(x) for x in values], dtype=object)
        cells.append(out)
    rng = np.random.default_rng(3)
    meta = synth._ls_meta(entries, np.arange(1, len(entries) + 1), rng, lastpage=len(s.groups))
    meta_names = ["id", "submitdate", "lastpage", "startlanguage", "seed"]
    heads = meta_names + [synth.em_heading(c) if heading == "em" else c for c in columns]
    return heads, cells, meta


def write_export(
    path: Path, heads: list[str], cells: list[np.ndarray], meta: list[np.ndarray], fmt: str
) -> Path:
    """Write the export as LimeSurvey's CsvWriter (BOM, ';', all quoted, CRLF, blank last line) or as XLSX."""
    if fmt == "csv":
        header = ("\ufeff" + ";".join(f'"{h}"' for h in heads) + "\r\n").encode("utf-8")
        escaped = [np.array([synth._ls_text(x) for x in c], dtype=object) for c in cells]
        path.write_bytes(header + synth._ls_bytes_rows(meta, escaped) + b"\r\n")
    else:
        # LimeSurvey's spreadsheet export: numbers as numbers, everything else as text
        def cell(v: str) -> object:
            try:
                x = float(v)
            except ValueError:
                return v
            return int(x) if x.is_integer() and v.lstrip("-").isdigit() else v

        rows = [[cell(v) for v in rec] for rec in zip(*meta, *cells, strict=True)]
        path.write_bytes(synth._xlsx_bytes(heads, rows, year=2010, sheet="Ergebnisse"))
    return path


def _expected(entries: pd.DataFrame, col: str, kind: str) -> list[object]:
    v = entries[col].tolist()
    if kind == "yesno":
        return [{"Y": True, "N": False}.get(x) for x in v]
    if kind == "number":
        return [None if pd.isna(x) else float(x) for x in v]
    return v


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("heading", ["code", "em"])
@pytest.mark.parametrize("answers", ["short", "long"])
def test_export_of_the_fielded_survey_comes_back_with_every_answer_in_its_item(
    ctx, structure, entries, tmp_path, fmt, heading, answers
):
    """A LimeSurvey export of the structure file's survey is accepted whole and gives the same answers."""
    ed, q = ctx
    heads, cells, meta = render_export(structure, entries, heading=heading, answers=answers)
    path = write_export(tmp_path / f"results.{fmt}", heads, cells, meta, fmt)
    spec = InputFile(file=path.name, dialect="limesurvey", source="online")
    report = validate_files(ed, q, [(spec, path)])
    errors = report.failures[report.failures["severity"] == "error"]
    assert errors.empty, errors[["column", "value", "reason"]].head().to_string()
    assert report.rows_read == N and report.n_accepted == N
    unknown = report.failures[report.failures["check"].isin(["unknown_column", "missing_column"])]
    assert unknown.empty, unknown[["column", "reason"]].to_string()
    got = report.accepted.sort_values("response_id", key=lambda s: s.astype(int))
    kinds = synth._column_kinds(q)
    for col in q.columns():
        kind = kinds[col]
        want = _expected(entries, col, kind)
        have = got[col].tolist()
        if kind == "number":
            have = [None if pd.isna(x) else float(x) for x in have]
        elif kind == "tick":
            have = [bool(x) for x in have]
            want = [bool(x) for x in want]
        elif kind == "text":
            have = ["" if x is None else str(x) for x in have]
            want = ["" if x is None else str(x).replace("\r\n", "\n") for x in want]
        elif kind == "code":
            have = [None if x is None or (isinstance(x, float) and np.isnan(x)) else x for x in have]
            want = [x if x not in ("", None) else None for x in want]
        assert have == want, f"{col}: {have[:5]} != {want[:5]}"


def test_round_trip_needs_no_mapping_and_resolves_every_heading(ctx, structure):
    """The export columns of the parsed structure are exactly the instrument's columns, in order."""
    _, q = ctx
    assert instrument.response_columns(structure) == q.columns()


def test_english_long_answers_come_back_too(ctx, structure, entries, tmp_path):
    """An export in English with full answer texts (Yes/No/Other and English labels) is accepted whole."""
    ed, q = ctx
    heads, cells, meta = render_export(structure, entries, heading="em", answers="long", lang="en")
    path = write_export(tmp_path / "results_en.csv", heads, cells, meta, "csv")
    report = validate_files(ed, q, [(InputFile(file=path.name, dialect="limesurvey", source="online"), path)])
    assert report.n_accepted == N
    got = report.accepted.sort_values("response_id", key=lambda s: s.astype(int))
    assert got["A04"].tolist() == entries["A04"].tolist()
    assert got["D02"].tolist() == [{"Y": True, "N": False}.get(x) for x in entries["D02"]]


def test_a_broken_structure_file_breaks_the_round_trip(ctx, entries, tmp_path):
    """A structure file whose subquestion code was changed gives an export intake cannot take."""
    ed, q = ctx
    good = instrument.write_limesurvey_structure(q, tmp_path / "good.txt", edition=ed)
    text = good.read_bytes().decode("utf-8").replace("\tSQ\t\ttotal\t", "\tSQ\t\tgesamt\t")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(text.encode("utf-8"))
    s = instrument.read_limesurvey_structure(broken)
    assert "A05[gesamt]" in instrument.response_columns(s)
    heads, cells, meta = render_export(s, entries, heading="code", answers="short")
    path = write_export(tmp_path / "results.csv", heads, cells, meta, "csv")
    with pytest.raises(DataError, match=r"Pflichtspalte\(n\) A05\[total\]"):
        validate_files(ed, q, [(InputFile(file=path.name, dialect="limesurvey", source="online"), path)])


def test_structure_to_skeleton_gives_back_the_instrument(ctx, structure, tmp_path):
    """Instrument → structure file → skeleton: same sections, items, types, codes, labels and answer rules."""
    _, q = ctx
    from vielfalt.config.questionnaire import load_questionnaire

    res = instrument.write_questionnaire_skeleton(structure.path, tmp_path)
    k = load_questionnaire(res.questionnaire)
    assert res.untranslated == []
    assert [(s.id, s.label) for s in q.sections] == [(s.id, s.label) for s in k.sections]
    assert k.columns() == q.columns()
    for (_, a), (_, b) in zip(q.iter_items(), k.iter_items(), strict=True):
        for attr in (
            "id",
            "type",
            "label",
            "help",
            "required",
            "other",
            "maxlen",
            "pattern",
            "integer",
            "min",
            "max",
        ):
            assert getattr(a, attr) == getattr(b, attr), (a.id, attr)
        assert [(o.code, o.label, o.exclusive) for o in q.options_of(a)] == [
            (o.code, o.label, o.exclusive) for o in k.options_of(b)
        ], a.id
        assert [(s.code, s.label, s.min, s.max, s.required, s.integer) for s in a.subs or []] == [
            (s.code, s.label, s.min, s.max, s.required, s.integer) for s in b.subs or []
        ], a.id
        assert b.scoring.kind == "none"
