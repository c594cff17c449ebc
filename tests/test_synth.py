"""Tests of the synthetic editions (vielfalt.demo.synth): demo inputs, dialects, realism, determinism, scale."""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vielfalt.config.edition import InputFile, load_edition
from vielfalt.demo import synth
from vielfalt.exceptions import ConfigError
from vielfalt.intake import read as ingest
from vielfalt.intake.validate import validate_files

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "params" / "editions" / "demo2010.yaml"
DEMO_DATA = ROOT / "data" / "demo2010"


@pytest.fixture(scope="module")
def ctx():
    """The demo edition and its questionnaire."""
    return load_edition(DEMO, with_questionnaire=True)


@pytest.fixture(scope="module")
def demo(ctx, tmp_path_factory):
    """The demo inputs regenerated into a temporary folder, with their SynthResult."""
    ed, q = ctx
    out = tmp_path_factory.mktemp("demo2010")
    return synth.write_edition_inputs(ed, q, out), out


@pytest.fixture(scope="module")
def many(ctx):
    """2 000 generated entries (seed 11) and the time it took."""
    ed, q = ctx
    t0 = time.perf_counter()
    df = synth.generate_entries(q, ed.category_scheme, n=2000, seed=11, year=2010)
    return df, time.perf_counter() - t0


def _ls_records(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def _multi_columns(q) -> list[str]:
    return [
        c for _, it in q.iter_items() if it.type == "multi" for c in it.columns() if not c.endswith("[other]")
    ]


def _measure_columns(q) -> list[str]:
    return [
        c
        for s in q.sections
        if s.id == "C"
        for it in s.items
        for c in it.columns()
        if not c.endswith("[other]")
    ]


# --- the committed demo ---------------------------------------------------------------------------------


def test_committed_demo_inputs_regenerate_byte_identically(ctx, demo):
    """Regenerating the demo edition gives exactly the bytes committed under data/demo2010/."""
    ed, _ = ctx
    _, out = demo
    for spec in ed.inputs:
        committed = DEMO_DATA / spec.file
        assert committed.is_file(), f"{committed} fehlt; `vielfalt synth` erzeugt die Demo-Eingaben"
        assert (out / spec.file).read_bytes() == committed.read_bytes(), spec.file


def test_demo_writes_exactly_the_files_the_edition_lists(ctx, demo):
    """Only the three input files of the edition are written, in the edition's order."""
    ed, _ = ctx
    result, out = demo
    assert [p.name for p in result.files] == [i.file for i in ed.inputs]
    assert sorted(p.name for p in out.iterdir()) == sorted(i.file for i in ed.inputs)


def test_same_seed_same_bytes_and_another_seed_other_bytes(ctx, demo, tmp_path):
    """A second run with the demo seed repeats every byte; another seed changes every file."""
    ed, q = ctx
    _, first = demo
    synth.write_edition_inputs(ed, q, tmp_path / "again")
    synth.write_edition_inputs(ed, q, tmp_path / "other", seed=ed.seed + 1)
    for spec in ed.inputs:
        assert (tmp_path / "again" / spec.file).read_bytes() == (first / spec.file).read_bytes()
        assert (tmp_path / "other" / spec.file).read_bytes() != (first / spec.file).read_bytes()


def test_xlsx_timestamps_are_fixed_from_the_edition_year(demo):
    """The workbook's document times and every zip entry carry 1 March of the edition year, not the clock."""
    _, out = demo
    with zipfile.ZipFile(out / "responses_excel.xlsx") as zf:
        assert {i.date_time for i in zf.infolist()} == {(2010, 3, 1, 9, 0, 0)}
        assert zf.namelist()[0] == "[Content_Types].xml"
        core = zf.read("docProps/core.xml").decode("utf-8")
    stamps = re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core)
    assert stamps == ["2010-03-01T09:00:00Z", "2010-03-01T09:00:00Z"]


# --- dialects ---------------------------------------------------------------------------------------------

_LS_RECORD = re.compile(r'(?:"(?:[^"]|"")*";)*"(?:[^"]|"")*"\r\n')


def test_limesurvey_file_is_written_like_limesurveys_csvwriter(demo):
    """BOM, every field quoted with doubled inner quotes, CRLF after each record, a blank line at the end."""
    _, out = demo
    raw = (out / "responses_limesurvey.csv").read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"id";"submitdate";"lastpage";"startlanguage";"seed";')
    assert raw.endswith(b'"\r\n\r\n')
    text = raw[3:-2].decode("utf-8")
    records = _LS_RECORD.findall(text)
    assert "".join(records) == text  # nothing outside quoted fields but ; and CRLF
    assert len(records) == 1 + len(_ls_records(out / "responses_limesurvey.csv"))
    assert "\r" not in "".join(v for r in _ls_records(out / "responses_limesurvey.csv") for v in r.values())


def test_limesurvey_answers_use_short_codes(ctx, demo):
    """Multiple choice is Y or empty, yes/no Y/N, submitdate ISO, and an -oth- answer carries its text."""
    _, q = ctx
    _, out = demo
    recs = _ls_records(out / "responses_limesurvey.csv")
    header = list(recs[0])
    assert header == ["id", "submitdate", "lastpage", "startlanguage", "seed", *q.columns()]
    multi = _multi_columns(q)
    assert {r[c] for r in recs for c in multi} == {"Y", ""}
    not_multi = [c for c in q.columns() if c not in multi]
    ys = {c for r in recs for c in not_multi if r[c] == "Y"}
    assert ys <= {c for _, it in q.iter_items() if it.type == "yesno" for c in it.columns()}
    assert {r["D02"] for r in recs} <= {"Y", "N", ""}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r["submitdate"]) for r in recs)
    assert [r["id"] for r in recs] == [str(i) for i in range(1, len(recs) + 1)]
    oth = [r for r in recs if r["A02"] == "-oth-"]
    assert oth and all(r["A02[other]"].strip() for r in oth)
    assert all(r["A02[other]"] == "" for r in recs if r["A02"] != "-oth-")


def test_excel_csv_is_cp1252_with_semicolons_and_em_headings(ctx, demo):
    """The Excel CSV decodes as cp1252 but not as UTF-8, uses ; and CRLF, and has A05_total-style headings."""
    _, q = ctx
    _, out = demo
    raw = (out / "responses_excel.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert not text.startswith("\ufeff")
    assert re.search("[äöüÄÖÜß]", text)
    assert "\r\n" in text and text.endswith("\r\n") and not text.endswith("\r\n\r\n")
    header = text.split("\r\n", 1)[0].split(";")
    assert header == ["id", "submitdate", *(synth.em_heading(c) for c in q.columns())]
    assert "A05_total" in header and "C01_stellenanzDivers" in header and "A02_other" in header
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1:]
    assert all(re.fullmatch(r"C-\d{3}", r[0]) for r in rows)
    assert all(re.fullmatch(r"\d\d\.\d\d\.2010", r[1]) for r in rows)
    ticks = {
        v
        for r in rows
        for h, v in zip(header, r, strict=True)
        if h.startswith("C0") and not h.endswith("_other")
    }
    assert ticks <= {"x", "X", ""} and "x" in {t.lower() for t in ticks}


def test_xlsx_opens_with_openpyxl_and_has_numeric_cells(demo):
    """The XLSX opens with openpyxl; typed numbers are numeric cells, ids and codes are text."""
    import openpyxl

    _, out = demo
    wb = openpyxl.load_workbook(out / "responses_excel.xlsx")
    ws = wb.worksheets[0]
    assert ws.title == "Teilnahmebögen"
    header = [c.value for c in ws[1]]
    total = header.index("A05_total") + 1
    values = [ws.cell(row=r, column=total).value for r in range(2, ws.max_row + 1)]
    assert sum(isinstance(v, int) for v in values) >= len(values) - 2  # all but the broken ones
    assert all(str(ws.cell(row=r, column=1).value).startswith("P-") for r in range(2, ws.max_row + 1))
    assert isinstance(ws.cell(row=2, column=header.index("A04") + 1).value, str)


# --- realism -----------------------------------------------------------------------------------------------


def test_demo_has_19_valid_entries_in_the_intended_categories(ctx, demo):
    """Nineteen valid entries, klein 6, mittel 5, gross 4, oeffentlich 4, and intake accepts exactly those."""
    ed, q = ctx
    result, out = demo
    assert result.entries_per_category == synth.DEMO_COUNTS
    assert result.n_valid == 19 == sum(result.entries_per_file.values())
    rep = validate_files(ed, q, [(i, out / i.file) for i in ed.inputs])
    assert rep.n_accepted == 19
    assert rep.accepted["category"].value_counts().to_dict() == synth.DEMO_COUNTS


def test_demo_entries_are_split_about_40_30_30(demo):
    """Online entries go to the LimeSurvey file (about 40 %), paper ones evenly to XLSX and CSV."""
    result, _ = demo
    per = result.entries_per_file
    assert per["responses_limesurvey.csv"] in (7, 8)
    assert abs(per["responses_excel.xlsx"] - per["responses_excel.csv"]) <= 1


def test_headcounts_fall_into_their_category(ctx, many):
    """Every headcount lies in its category's bin; public bodies have 40–12 000 staff and a public A04."""
    ed, _ = ctx
    df, _ = many
    scheme = ed.category_scheme
    hc = df["A05[total]"].to_numpy()
    cat = df["category_intended"].to_numpy()
    public = cat == "oeffentlich"
    assert all(scheme.bin_for(h) == c for h, c in zip(hc[~public], cat[~public], strict=True))
    assert hc[public].min() >= 40 and hc[public].max() <= 12_000
    assert set(df.loc[public, "A04"]) <= {"OER", "OEU"}
    assert "OER" not in set(df.loc[~public, "A04"]) and "OEU" not in set(df.loc[~public, "A04"])
    klein = hc[cat == "klein"]
    assert klein.min() >= 3 and (klein < 10).mean() > 0.3  # many small firms under 10
    assert hc[cat == "gross"].max() <= 8000


def test_measures_and_dimensions_grow_with_size(ctx, many):
    """Large organisations tick more measures over more fields and more dimensions than small ones."""
    _, q = ctx
    df, _ = many
    measures = df[_measure_columns(q)].sum(axis=1)
    dims = df[[c for c in q.item("B01").columns() if not c.endswith("[other]")]].sum(axis=1)
    cat = df["category_intended"]
    assert (
        measures[cat == "gross"].median()
        > measures[cat == "mittel"].median()
        > measures[cat == "klein"].median()
    )
    assert dims[cat == "gross"].median() > dims[cat == "klein"].median()
    tiny = df["A05[total]"] < 10
    assert measures[tiny].between(1, 3).all()  # a 5-person firm ticks one to three measures
    big = df["A05[total]"] >= 2000
    fields = pd.DataFrame(
        {
            it.id: df[[c for c in it.columns() if not c.endswith("[other]")]].any(axis=1)
            for s in q.sections
            if s.id == "C"
            for it in s.items
        }
    )
    assert big.any() and (fields[big].sum(axis=1) >= 8).all()


def test_demo_measures_grow_with_size(ctx, demo):
    """In the demo too, the median number of measures of large firms exceeds that of small ones."""
    _, q = ctx
    result, _ = demo
    e = result.entries[result.entries["valid"]]
    measures = e[_measure_columns(q)].sum(axis=1)
    assert (
        measures[e["category_intended"] == "gross"].median()
        > measures[e["category_intended"] == "klein"].median()
    )


def test_names_are_composed_only_from_invented_material(ctx, demo, many):
    """Every organisation name holds exactly one invented stem, and every other word comes from our lists."""
    result, _ = demo
    df, _ = many
    vocab = synth._name_vocabulary()
    names = list(df["A01"]) + list(result.entries["A01"])
    for name in names:
        stem = synth.name_stem(name)
        assert stem in synth.NAME_STEMS, name
        rest = [t for t in synth._name_tokens(name) if t != stem]
        assert all(t in vocab or t.isdigit() for t in rest), name
    assert df["A01"].nunique() == len(df)
    stems = set(synth.NAME_STEMS)
    assert len(stems) > 500 and any(set(st) & set("äöü") for st in stems)  # umlauts sometimes
    assert stems <= {p + s for p in synth.NAME_PREFIXES for s in synth.NAME_SUFFIXES}
    assert not any(b in s.casefold() for s in stems for b in synth.REAL_NAME_BLOCKLIST)
    assert "rheinmetall" in synth.REAL_NAME_BLOCKLIST and "rewe" in synth.REAL_NAME_BLOCKLIST


def test_contacts_are_fictional(many):
    """E-mails end in @example.org and telephone numbers lie in the fiction range 0221 4710 000–999."""
    df, _ = many
    assert df["G01[email]"].str.endswith("@example.org").all()
    phones = df["G01[telefon]"][df["G01[telefon]"] != ""]
    digits = phones.str.replace(r"\D", "", regex=True).str.replace(r"^49", "0", regex=True)
    assert digits.str.fullmatch(r"02214710\d{3}").all()


def test_generated_values_are_valid_and_consistent(ctx, many):
    """2 000 entries are generated quickly, parts stay below totals and every code is an answer option."""
    _, q = ctx
    df, seconds = many
    assert seconds < 20
    assert len(df) == 2000 and list(df.columns[3:]) == q.columns()
    total = df["A05[total]"]
    assert (total >= 1).all()

    def le(a, b):
        x, y = df[a], df[b]
        ok = x.isna() | y.isna() | (x <= y)
        return ok.all()

    for part in (
        "A05[teilzeit]",
        "A05[azubis]",
        "A08[gesamt]",
        "A09[nichtdeutsch]",
        "A11[plaetze]",
        "A07[weiblich]",
        "A10[u25]",
    ):
        assert le(part, "A05[total]"), part
    assert le("A08[frauen]", "A08[gesamt]") and le("A11[sb]", "A11[plaetze]")
    numbers = [c for _, it in q.iter_items() if it.type == "multinumeric" for c in it.columns()]
    assert (df[numbers].fillna(0) >= 0).all().all()
    for _, it in q.iter_items():
        if it.type in ("single", "array"):
            allowed = {o.code for o in q.options_of(it)} | {""} | ({"-oth-"} if it.other else set())
            for c in it.columns():
                if not c.endswith("[other]"):
                    assert set(df[c]) <= allowed, c
        if it.type == "text" and it.maxlen and it.id != "A03":
            assert df[it.id].str.len().max() <= it.maxlen, it.id
    for item_id, none in (("D06", "keines"), ("D07", "keine")):
        others = [c for c in _multi_columns(q) if c.startswith(item_id) and not c.endswith(f"[{none}]")]
        assert not (df[f"{item_id}[{none}]"] & df[others].any(axis=1)).any()
    sums = df[["A07[weiblich]", "A07[maennlich]", "A07[divers]"]].fillna(0).sum(axis=1)
    complete = df[["A07[weiblich]", "A07[maennlich]"]].notna().all(axis=1)
    share_equal = (sums[complete] == total[complete]).mean()
    assert 0.8 < share_equal < 1.0  # mostly adds up, sometimes a sum_eq warning case
    places = df["A11[plaetze]"]
    required = np.where(
        places < 20, 0, np.where(places < 40, 1, np.where(places < 60, 2, np.floor(0.05 * places + 0.5)))
    )
    below = (df["A11[sb]"] < required) & (places >= 20)
    assert 0.05 < below.mean() < 0.6  # some miss the SGB IX quota
    likert = [c for c in q.item("E01").columns()]
    assert (df[likert] == "9").any().any()


def test_free_texts_are_german_and_vary_in_length(many):
    """Free texts are German sentences of varying length; small firms leave some empty."""
    df, _ = many
    f01 = df["F01"]
    assert f01.str.contains("Maßnahme|Vielfalt|Beschäftigte", regex=True).mean() > 0.5
    lengths = f01.str.len()
    assert lengths.quantile(0.9) > 3 * max(lengths.quantile(0.1), 1)
    small = df["A05[total]"] < 50
    assert (df.loc[small, "F03"] == "").mean() > (df.loc[~small, "F03"] == "").mean()
    assert df["F04"].str.contains("\n").any()


def test_generate_entries_is_deterministic(ctx):
    """The same seed gives the same frame, another seed a different one."""
    ed, q = ctx
    a = synth.generate_entries(q, ed.category_scheme, n=50, seed=5, year=2010)
    b = synth.generate_entries(q, ed.category_scheme, n=50, seed=5, year=2010)
    c = synth.generate_entries(q, ed.category_scheme, n=50, seed=6, year=2010)
    pd.testing.assert_frame_equal(a, b)
    assert not a["A01"].equals(c["A01"])


def test_counts_fix_the_categories(ctx):
    """Explicit counts give exactly that many entries per category; wrong counts are refused."""
    ed, q = ctx
    df = synth.generate_entries(
        q,
        ed.category_scheme,
        n=10,
        seed=1,
        year=2010,
        counts={"klein": 1, "mittel": 2, "gross": 3, "oeffentlich": 4},
    )
    assert df["category_intended"].value_counts().to_dict() == {
        "oeffentlich": 4,
        "gross": 3,
        "mittel": 2,
        "klein": 1,
    }
    with pytest.raises(ConfigError, match="'counts'"):
        synth.generate_entries(q, ed.category_scheme, n=10, seed=1, year=2010, counts={"klein": 3})


def test_bad_parameters_get_one_message_shape(ctx):
    """A negative n is refused with the package's parameter message."""
    ed, q = ctx
    with pytest.raises(ConfigError) as err:
        synth.generate_entries(q, ed.category_scheme, n=-1, seed=1, year=2010)
    assert (
        str(err.value)
        == "Der Parameter 'n' von generate_entries muss eine ganze Zahl ≥ 0 sein. Erhalten: -1."
    )


# --- the broken and hostile rows ---------------------------------------------------------------------------


def _read(out: Path, name: str) -> pd.DataFrame:
    return ingest.read_table(out / name)


def test_broken_rows_are_where_the_result_says(demo):
    """Each broken row holds its mistake at the spreadsheet row SynthResult names."""
    result, out = demo
    kinds = {b.kind for b in result.broken}
    assert kinds == {
        "approximate_headcount",
        "duplicate_submission",
        "unknown_option",
        "parttime_gt_total",
        "headcount_zero",
    }
    assert len({b.file for b in result.broken}) == 3  # spread over the files
    for b in result.broken:
        t = _read(out, b.file)
        row = t.loc[b.row]
        total = row.get("A05[total]", row.get("A05_total"))
        if b.kind == "approximate_headcount":
            assert total == "ca. 50" and b.file.endswith((".xlsx", ".csv")) and "limesurvey" not in b.file
        elif b.kind == "unknown_option":
            assert row["A04"] == "PRIVAT"
        elif b.kind == "parttime_gt_total":
            assert float(row.get("A05[teilzeit]", row.get("A05_teilzeit"))) > float(total)
        elif b.kind == "headcount_zero":
            assert float(total) <= 0
        else:
            same = t[t["A01"] == row["A01"]]
            assert b.file == "responses_limesurvey.csv" and len(same) == 2
            assert row["submitdate"] == min(same["submitdate"])  # the earlier one is the broken one
        assert b.what


def test_intake_quarantines_exactly_the_broken_rows(ctx, demo):
    """Validation quarantines the broken rows and nothing else; the hostile row is accepted."""
    ed, q = ctx
    result, out = demo
    rep = validate_files(ed, q, [(i, out / i.file) for i in ed.inputs])
    source = {i.file: i.source for i in ed.inputs}
    expected = {(source[b.file], b.row) for b in result.broken}
    got = set(zip(rep.quarantine["source"], rep.quarantine["row"].astype(int), strict=True))
    assert got == expected
    (h,) = result.hostile
    accepted = rep.accepted
    row = accepted[(accepted["source"] == source[h.file]) & (accepted["row"] == h.row)]
    assert len(row) == 1
    assert "<b>" in row["A01"].iloc[0] and row["F02"].iloc[0].startswith("=")


def test_without_broken_rows_only_valid_entries_are_written(ctx, tmp_path):
    """broken=False writes the 19 valid entries and no broken row (the hostile one stays, it is valid)."""
    ed, q = ctx
    result = synth.write_edition_inputs(ed, q, tmp_path, broken=False)
    assert result.broken == [] and len(result.hostile) == 1
    assert sum(result.rows_per_file.values()) == 19


def test_demo_summary_is_german_and_lists_the_broken_rows(demo):
    """The summary names every file, the 19 entries and each broken row with its file and row."""
    result, _ = demo
    text = synth.demo_summary(result)
    assert "Gültige Einsendungen: 19" in text
    for b in result.broken:
        assert f"{b.file}, Zeile {b.row}: {b.what}" in text
    assert "erfunden" in text


# --- large files ---------------------------------------------------------------------------------------


def test_streamed_limesurvey_file_is_valid_across_chunks(ctx, tmp_path):
    """A file written in several chunks has one header, ids 1..n, unique names, and intake accepts it."""
    ed, q = ctx
    path = synth.write_limesurvey_csv(tmp_path / "big.csv", q, ed.category_scheme, n=1500, seed=3, chunk=400)
    raw = path.read_bytes()
    assert raw.count(b"\xef\xbb\xbf") == 1 and raw.endswith(b'"\r\n\r\n')
    recs = _ls_records(path)
    assert [r["id"] for r in recs] == [str(i) for i in range(1, 1501)]
    assert len({r["A01"] for r in recs}) == 1500
    rep = validate_files(ed, q, [(InputFile(file="big.csv", dialect="limesurvey", source="online"), path)])
    assert rep.n_accepted == 1500
    again = synth.write_limesurvey_csv(
        tmp_path / "again.csv", q, ed.category_scheme, n=1500, seed=3, chunk=400
    )
    assert again.read_bytes() == raw


def test_names_stay_unique_beyond_the_number_of_stems(ctx):
    """Past the last stem a district qualifier keeps names unique, still built from our material."""
    ed, q = ctx
    n = len(synth.NAME_STEMS) + 300
    df = synth.generate_entries(q, ed.category_scheme, n=n, seed=2, year=2010)
    assert df["A01"].nunique() == n
    assert df["A01"].str.contains(", Standort Köln-").sum() == 300


def test_incomplete_responses_have_no_submitdate(ctx, tmp_path):
    """With incomplete=0.2 about a fifth of the responses lack a submit date and later answers."""
    ed, q = ctx
    path = synth.write_limesurvey_csv(
        tmp_path / "inc.csv", q, ed.category_scheme, n=500, seed=4, incomplete=0.2
    )
    recs = _ls_records(path)
    unfinished = [r for r in recs if r["submitdate"] == ""]
    assert 50 < len(unfinished) < 150
    assert all(r["F01"] == "" and int(r["lastpage"]) < len(q.sections) for r in unfinished)
