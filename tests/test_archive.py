"""Research archive: pseudonym, secret handling, coarsening and suppression by hand, idempotent archiving."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vielfalt.exceptions import ConfigError, DataError
from vielfalt.research.archive import (
    ARCHIVE_META,
    DEMO_SECRET,
    SECRET_ENV,
    SUPPRESSED,
    archive_edition,
    archive_run,
    build_archive_tables,
    load_secret,
    normalise_name,
    organisation_key,
    qi_levels,
    read_archive,
    suppress_table,
    wz_section,
)
from vielfalt.runs.manifest import RunManifest, artefact_hashes, utc_now, write_artefact, write_manifest
from vielfalt.stages import load_context

ROOT = Path(__file__).resolve().parents[1]
SECRET = b"0123456789abcdef0123456789abcdef"

# --------------------------------------------------------------------------------------------- toy run

TOY = [
    # id,  category, A04,  headcount, WZ,     consent
    ("E1", "klein", "PRIV", 20, "62.01", True),
    ("E2", "klein", "PRIV", 30, "J", True),
    ("E3", "klein", "PRIV", 40, "63", False),
    ("E4", "klein", "PRIV", 5, "10.71", True),
    ("E5", "mittel", "PRIV", 100, "47", True),
    ("E6", "mittel", "PRIV", 120, "49.41", True),
    ("E7", "mittel", "PRIV", 200, "64", True),
    ("E8", "gross", "PRIV", 800, "C", True),
]


def _toy_entries() -> pd.DataFrame:
    rows = []
    for i, (eid, cat, a04, hc, wz, consent) in enumerate(TOY):
        rows.append(
            {
                "entry_id": eid,
                "source": "online",
                "A01": f"<b>Toyfirma{i}</b> Handel GmbH",
                "A03": wz,
                "A04": a04,
                "A05[total]": float(hc),
                "A05[teilzeit]": float(hc // 4),
                "A07[weiblich]": float(hc // 2),
                "A07[maennlich]": float(hc - hc // 2),
                "A07[divers]": 0.0,
                "A11[plaetze]": float(hc),
                "A11[sb]": float(i % 4),  # 0, 1, 2, 3, 0, 1, 2, 3
                "C01[stellenanzDivers]": i % 2 == 0,
                "C01[other]": "Projekt mit Frau Erika Muster" if i == 1 else "",
                "D01": str(i % 4),
                "F01": "Unsere Ansprechpartnerin Frau Erika Muster leitet das Projekt.",
                "G01[name]": "Erika Muster",
                "G01[email]": "erika.muster@example.org",
                "G01[telefon]": "0221 4710-123",
                "G02[forschung]": consent,
                "category": cat,
            }
        )
    df = pd.DataFrame(rows).set_index("entry_id")
    # E1: 50 staff, 2 "divers" -> primary suppression, and its sum partner with the smallest count too
    df.loc["E1", ["A05[total]", "A07[weiblich]", "A07[maennlich]", "A07[divers]"]] = [50.0, 10.0, 38.0, 2.0]
    return df


def _toy_run(path: Path, *, total_shift: float = 0.0, optional: bool = False) -> Path:
    entries = _toy_entries()
    write_artefact(entries, path, "intake/entries")
    totals = np.linspace(30, 80, len(entries)) + total_shift
    scores = pd.DataFrame(
        {
            "B": totals,
            "C": totals,
            "D": totals,
            "E": totals,
            "F": totals,
            "total": totals,
            "category": entries["category"],
        },
        index=entries.index,
    )
    write_artefact(scores, path, "scoring/scores")
    ranks = scores.groupby("category")["total"].rank(ascending=False).astype("Int64").to_frame("total")
    write_artefact(ranks, path, "scoring/ranks")
    if optional:
        rs = pd.DataFrame(
            {
                "category": entries["category"],
                "Nominal": ranks["total"].astype(float),
                "Mean": ranks["total"].astype(float),
                "Median": ranks["total"].astype(float),
                "Q5": 1.0,
                "Q95": 3.0,
                "P_topk": 0.5,
                "k": 2,
            },
            index=entries.index,
        )
        write_artefact(rs, path, "robustness/rank_stats")
        cand = pd.DataFrame(
            {
                "category": entries["category"],
                "total": totals,
                "status": "clear",
                "selected": True,
                "priority": pd.array([1, 2, 3, 4, 1, 2, 3, 1], dtype="Int64"),
                "reasons": "CLEAR_TOPK",
                "reason_text": "Toyfirma liegt sicher vorn (Frau Erika Muster)",
            },
            index=entries.index,
        )
        write_artefact(cand, path, "site_visits/candidates")
        awards = pd.DataFrame(
            {
                "category": entries["category"],
                "yes": 5,
                "no": 0,
                "abstain": 0,
                "awarded": True,
                "recommended": True,
                "tie": False,
                "decided_by": "Mehrheit",
            },
            index=entries.index,
        )
        write_artefact(awards, path, "close/awards")
    return path


@pytest.fixture(scope="module")
def demo():
    """The demo2010 edition and its instrument."""
    return load_context(ROOT, "demo2010")


@pytest.fixture
def toy_tables(tmp_path, demo):
    """The archive tables of the toy run with every optional artefact."""
    ed, q = demo
    run = _toy_run(tmp_path / "run", optional=True)
    return build_archive_tables(run, ed, q, secret=SECRET)


# ------------------------------------------------------------------------------------------ pseudonym


def test_name_normalisation_drops_markup_case_umlauts_and_legal_form():
    """The same organisation written differently gives the same normalised name."""
    same = [
        "<b>Kölner</b> Spedition GmbH",
        "KOELNER SPEDITION GMBH & CO. KG",
        "Kölner Spedition UG (haftungsbeschränkt)",
        "kölner  spedition  AG",
    ]
    assert {normalise_name(n) for n in same} == {"koelner spedition"}
    assert normalise_name("Stiftung Kölner Spedition") == "stiftung koelner spedition"


def test_wz_section_from_codes_of_any_depth():
    """J, 62, 62.01, 6201 and 62.01.9 are all section J; 49.41 is H; an unknown division is None."""
    assert {wz_section(c) for c in ("J", "62", "62.01", "6201", "62.01.9", 6201.0)} == {"J"}
    assert wz_section("49.41") == "H" and wz_section("00") is None and wz_section("") is None


def test_key_is_keyed_stable_and_sector_aware():
    """The key survives a legal-form change, differs by sector, and changes with the secret."""
    k = organisation_key(SECRET, "Kolvara Spedition GmbH", "49.41")
    assert k == organisation_key(SECRET, "Kolvara Spedition GmbH & Co. KG", "H")
    assert k != organisation_key(SECRET, "Kolvara Spedition GmbH", "62")
    assert k != organisation_key(b"another secret of enough length", "Kolvara Spedition GmbH", "49.41")
    assert len(k) == 16 and k.isupper()


# --------------------------------------------------------------------------------------------- secret


def test_missing_secret_is_a_clear_german_error_and_nothing_is_written(tmp_path, demo):
    """No environment variable and no secret_file: ConfigError in German, and no archive folder appears."""
    ed, _ = demo
    with pytest.raises(
        ConfigError, match="Kein Schlüssel für das Forschungsarchiv der Edition demo2010"
    ) as err:
        load_secret(ed, project_root=ROOT, environ={})
    assert "Es wurde nichts geschrieben" in str(err.value) and "secrets.token_hex" in str(err.value)


def test_secret_inside_the_project_is_refused(tmp_path, demo):
    """A secret file inside the project directory would land in the repository: refused."""
    ed, _ = demo
    inside = tmp_path / "proj" / "archiv.key"
    inside.parent.mkdir()
    inside.write_bytes(SECRET)
    with pytest.raises(ConfigError, match="liegt im Projektordner"):
        load_secret(ed, project_root=tmp_path / "proj", environ={SECRET_ENV: str(inside)})


def test_secret_from_environment_wins_and_must_be_long_enough(tmp_path, demo):
    """The environment variable is read first; a secret under 16 bytes is refused."""
    ed, _ = demo
    good = tmp_path / "good.key"
    good.write_bytes(SECRET + b"\n")
    short = tmp_path / "short.key"
    short.write_bytes(b"abc")
    edition = ed.model_copy(update={"archive": ed.archive.model_copy(update={"secret_file": str(short)})})
    data, origin = load_secret(edition, project_root=ROOT, environ={SECRET_ENV: str(good)})
    assert data == SECRET and SECRET_ENV in origin
    with pytest.raises(ConfigError, match="nur 3 Bytes"):
        load_secret(edition, project_root=ROOT, environ={})


def test_relative_secret_path_is_refused(demo):
    """archive.secret_file must be absolute or start with ~/ so that it lies outside the project."""
    ed, _ = demo
    edition = ed.model_copy(update={"archive": ed.archive.model_copy(update={"secret_file": "archiv.key"})})
    with pytest.raises(ConfigError, match="absoluter Pfad"):
        load_secret(edition, project_root=ROOT, environ={})


# ----------------------------------------------------------------------------------- coarsening by hand


def test_quasi_identifier_levels_by_hand():
    """E1–E3 share everything (level 0); E4 only its category and flag (2); E5–E7 drop WZ (1); E8 is alone (4)."""
    entries = _toy_entries()
    entries.loc["E1", "A05[total]"] = 20.0
    from vielfalt.research.archive import size_band

    quasi = pd.DataFrame(
        {
            "category": entries["category"],
            "public": False,
            "size_band": entries["A05[total]"].map(size_band),
            "wz_section": entries["A03"].map(wz_section),
        }
    )
    assert qi_levels(quasi).to_dict() == {
        "E1": 0,
        "E2": 0,
        "E3": 0,
        "E4": 2,
        "E5": 1,
        "E6": 1,
        "E7": 1,
        "E8": 4,
    }


def test_every_published_row_hides_among_at_least_three(toy_tables):
    """With empty attributes matching anything, each row of entries has at least 3 indistinguishable rows."""
    ent = toy_tables.tables["entries"]
    qi = ["category", "public", "size_band", "wz_section"]
    for _, row in ent.iterrows():
        compatible = np.ones(len(ent), dtype=bool)
        for c in qi:
            if pd.notna(row[c]):
                compatible &= (ent[c].isna() | (ent[c] == row[c])).to_numpy()
        assert compatible.sum() >= 3, row["key"]
    lone = ent[ent["qi_level"] == 4]
    assert len(lone) == 1 and lone["category"].isna().all()


def test_rank_and_priority_are_empty_where_the_category_is(toy_tables):
    """The entry whose category was suppressed has no rank, no rank interval and no visit priority."""
    t = toy_tables.tables
    hidden = t["entries"].loc[t["entries"]["category"].isna(), "key"]
    for name, col in (("ranks", "total"), ("intervals", "Median"), ("selection", "priority")):
        part = t[name].set_index("key").loc[hidden]
        assert part[col].isna().all(), name
    assert t["ranks"]["total"].notna().sum() == 7


def test_answers_follow_the_export_flags(toy_tables):
    """No name, WZ code, ownership, headcount, contact, consent or free text; 'other' only as a flag."""
    ans = toy_tables.tables["answers"]
    items = set(ans["item"])
    assert not items & {"A01", "A02", "A03", "A04", "G01", "G02", "F01", "F02", "E03"}
    assert "A05[total]" not in set(ans["column"]) and "A05[teilzeit]" in set(ans["column"])
    other = ans[ans["column"] == "C01[other]"]
    assert set(other["value"]) <= {"0", "1"} and "Muster" not in " ".join(ans["value"])
    keys = toy_tables.tables["entries"].set_index("key")["research_consent"]
    assert set(ans["key"]) == set(keys[keys].index)


def test_small_special_category_counts_are_suppressed_with_zero(toy_tables):
    """A11[sb] (Art. 9): 0, 1 and 2 are all suppressed, 3 becomes the band 3–9."""
    ans = toy_tables.tables["answers"]
    sb = ans[ans["column"] == "A11[sb]"]
    raw = {
        organisation_key(SECRET, n, s): v
        for n, s, v in zip(
            _toy_entries()["A01"], _toy_entries()["A03"], _toy_entries()["A11[sb]"], strict=True
        )
    }
    for _, r in sb.iterrows():
        if raw[r["key"]] < 3:
            assert r["suppressed"] and r["value"] == ""
        else:
            assert not r["suppressed"] and r["value"] == "3–9"


def test_secondary_suppression_inside_a_sum(toy_tables):
    """E1: 2 of 50 'divers' is suppressed, and so is the smallest other part (10 women); men show 38/50 → 0.8."""
    ans = toy_tables.tables["answers"]
    e1 = organisation_key(SECRET, _toy_entries().at["E1", "A01"], "62.01")
    part = ans[(ans["key"] == e1) & (ans["item"] == "A07")].set_index("column")
    assert part.at["A07[divers]", "suppressed"] and part.at["A07[weiblich]", "suppressed"]
    assert not part.at["A07[maennlich]", "suppressed"] and part.at["A07[maennlich]", "value"] == "0.8"
    e2 = organisation_key(SECRET, _toy_entries().at["E2", "A01"], "J")
    other = ans[(ans["key"] == e2) & (ans["item"] == "A07")].set_index("column")
    assert not other["suppressed"].any() and other.at["A07[weiblich]", "value"] == "0.5"


def test_optional_tables_leave_out_votes_and_texts(toy_tables):
    """Decisions carry no vote counts (a 5:0 tally reveals every juror) and selection no reason text."""
    t = toy_tables.tables
    assert {"intervals", "selection", "decisions"} <= set(t)
    assert not {"yes", "no", "abstain"} & set(t["decisions"].columns)
    assert "reason_text" not in t["selection"].columns and "reasons" in t["selection"].columns
    assert "entry_id" not in set().union(*(df.columns for df in t.values()))


def test_absent_optional_tables_are_named(tmp_path, demo):
    """A run with only intake and scoring skips intervals, selection, decisions and says why."""
    ed, q = demo
    built = build_archive_tables(_toy_run(tmp_path / "run"), ed, q, secret=SECRET)
    assert {"intervals", "selection", "decisions", "agreement", "reliability"} <= set(built.skipped)
    assert "robustness/rank_stats fehlt" in built.skipped["intervals"]


def test_suppress_table_by_hand():
    """Primary 1–2; secondary along each line whose total is shown, the smallest positive cell."""
    t = pd.DataFrame({"a": [5, 2, 7], "b": [4, 6, 8], "c": [0, 9, 1]}, index=["x", "y", "z"])
    full, mask = suppress_table(t, row_margin=True)
    assert full.loc["y", "Summe"] == 17
    # row y: 2 primary -> 6 secondary; row z: 1 primary -> 7 secondary; row x untouched
    assert mask.loc["y"].tolist() == [True, True, False, False]
    assert mask.loc["z"].tolist() == [True, False, True, False]
    assert not mask.loc["x"].any()
    full, mask = suppress_table(t, row_margin=True, col_margin=True)
    for line in [mask.loc[r] for r in mask.index] + [mask[c] for c in mask.columns]:
        assert line.sum() != 1


def test_suppress_table_falls_back_to_the_margin():
    """A row whose other cell is zero: that zero is suppressed too, so the total no longer equals the cell."""
    t = pd.DataFrame({"a": [2], "b": [0]}, index=["x"])
    full, mask = suppress_table(t, row_margin=True)
    assert mask.loc["x"].tolist() == [True, True, False]


# ------------------------------------------------------------------------------------ archiving twice


def test_archiving_twice_is_idempotent_and_a_change_is_refused(tmp_path, demo):
    """Same run again: 'unchanged', same bytes. Different scores: refused, nothing written; replace writes."""
    ed, q = demo
    run = _toy_run(tmp_path / "run")
    archive = tmp_path / "archive"
    first = archive_run(run, ed, q, archive_dir=archive, secret=SECRET)
    assert first.status == "added"
    before = {p: p.read_bytes() for p in archive.rglob("*") if p.is_file()}
    again = archive_run(run, ed, q, archive_dir=archive, secret=SECRET)
    assert again.status == "unchanged"
    assert {p: p.read_bytes() for p in archive.rglob("*") if p.is_file()} == before
    assert len(list((archive / "entries").glob("edition=*/part.parquet"))) == 1

    changed = _toy_run(tmp_path / "run2", total_shift=1.0)
    with pytest.raises(
        DataError, match=r"schon im Archiv .* weicht ab in: scores\. Es wurde nichts geschrieben"
    ):
        archive_run(changed, ed, q, archive_dir=archive, secret=SECRET)
    assert {p: p.read_bytes() for p in archive.rglob("*") if p.is_file()} == before
    assert archive_run(changed, ed, q, archive_dir=archive, secret=SECRET, replace=True).status == "replaced"
    assert read_archive(archive, "scores")["total"].min() == pytest.approx(31.0)
    assert len(read_archive(archive, "entries")) == len(TOY)


def test_archive_refuses_another_secret(tmp_path, demo):
    """An edition keyed with a different secret than the archive's would break the links: refused."""
    ed, q = demo
    run = _toy_run(tmp_path / "run")
    archive_run(run, ed, q, archive_dir=tmp_path / "a", secret=SECRET)
    with pytest.raises(ConfigError, match="anderen Schlüssel"):
        archive_run(run, ed, q, archive_dir=tmp_path / "a", secret=DEMO_SECRET)


def test_read_archive_detects_a_changed_partition(tmp_path, demo):
    """A partition edited after archiving no longer matches _archive.json."""
    ed, q = demo
    res = archive_run(_toy_run(tmp_path / "run"), ed, q, archive_dir=tmp_path / "a", secret=SECRET)
    path = res.files["scores"]
    data = bytearray(path.read_bytes())
    data[-20] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="verändert"):
        read_archive(tmp_path / "a", "scores")


def _project_with_run(tmp_path: Path, *, close: bool) -> Path:
    """A project copy with one complete (hand-made) run of demo2010."""
    proj = tmp_path / "proj"
    for d in ("params",):
        shutil.copytree(ROOT / d, proj / d)
    run = proj / "runs" / "demo2010" / "r1"
    _toy_run(run, optional=close)
    stages = ["intake", "ratings", "scoring"] + (
        ["robustness", "site_visits", "jury", "close"] if close else []
    )
    m = RunManifest(
        edition="demo2010",
        run_id="r1",
        status="complete",
        stages_requested=stages,
        stages_completed=stages,
        started_at=utc_now(),
        artefacts=artefact_hashes(run),
    )
    write_manifest(m, run)
    return proj


def test_archive_edition_needs_a_closed_edition_and_a_secret(tmp_path):
    """Without close/awards the edition is refused unless allow_open; without a secret nothing is written."""
    proj = _project_with_run(tmp_path, close=False)
    key = tmp_path / "archiv.key"
    key.write_bytes(SECRET)
    env = {SECRET_ENV: str(key)}
    with pytest.raises(ConfigError, match="Kein Schlüssel"):
        archive_edition(proj, "demo2010", environ={})
    assert not (proj / "archive").exists()
    with pytest.raises(DataError, match="nicht abgeschlossen.*--allow-open"):
        archive_edition(proj, "demo2010", environ=env)
    assert not (proj / "archive").exists()
    res = archive_edition(proj, "demo2010", environ=env, allow_open=True)
    assert res.status == "added" and (proj / "archive" / ARCHIVE_META).is_file()
    assert "decisions" in res.skipped


def test_archive_edition_of_a_closed_run_records_its_source(tmp_path):
    """A closed run is archived with its run id, and its decisions table is present."""
    import json

    proj = _project_with_run(tmp_path, close=True)
    key = tmp_path / "archiv.key"
    key.write_bytes(SECRET)
    res = archive_edition(proj, "demo2010", environ={SECRET_ENV: str(key)})
    meta = json.loads((proj / "archive" / ARCHIVE_META).read_text(encoding="utf-8"))
    assert meta["editions"]["demo2010"]["source"]["run_id"] == "r1"
    assert "decisions" in res.files and res.rows["decisions"] == len(TOY)


def test_summary_tables_mark_suppressed_cells(tmp_path, demo):
    """Participation of the toy edition: 1 entry without category → suppressed, and mittel (3) with it."""
    from vielfalt.research.archive import summary_tables

    ed, q = demo
    built = build_archive_tables(_toy_run(tmp_path / "run"), ed, q, secret=SECRET)
    part = summary_tables(built, ed, q)["participation"].set_index("Kategorie")["Einträge"]
    # the toy's gross entry lost its category (qi level 4): it counts under "ohne Kategorie"
    assert part["ohne Kategorie (vergröbert)"] == SUPPRESSED
    assert (part == SUPPRESSED).sum() == 2 and part["Summe"] == len(TOY)
    assert part[part == SUPPRESSED].index.tolist()[0].startswith("Mittlere")


def test_cli_archive_without_secret_exits_2_and_writes_nothing(tmp_path, monkeypatch, capsys):
    """`vielfalt archive demo2010` with no secret: German error on stderr, exit 2, no archive folder."""
    from vielfalt.cli import main

    proj = _project_with_run(tmp_path, close=True)
    monkeypatch.delenv(SECRET_ENV, raising=False)
    assert main(["--project", str(proj), "archive", "demo2010"]) == 2
    assert "Kein Schlüssel für das Forschungsarchiv" in capsys.readouterr().err
    assert not (proj / "archive").exists()


def test_cli_archive_twice_then_export(tmp_path, monkeypatch, capsys):
    """archive → added, again → unchanged; export --profile research writes XLSX and CSVs."""
    from vielfalt.cli import main

    proj = _project_with_run(tmp_path, close=True)
    key = tmp_path / "archiv.key"
    key.write_bytes(SECRET)
    monkeypatch.setenv(SECRET_ENV, str(key))
    assert main(["--project", str(proj), "archive", "demo2010"]) == 0
    assert "aufgenommen" in capsys.readouterr().out
    assert main(["--project", str(proj), "archive", "demo2010"]) == 0
    assert "unverändert" in capsys.readouterr().out
    assert main(["--project", str(proj), "export", "demo2010", "--profile", "research"]) == 0
    out = proj / "runs" / "exports" / "demo2010" / "research"
    assert (out / "demo2010_research.xlsx").is_file() and (out / "csv" / "answers.csv").is_file()
