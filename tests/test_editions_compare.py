"""Editions over the years from the archive: counts by hand, crosswalk use, and the research stage (papermill)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vielfalt.exceptions import DataError
from vielfalt.research import compare as ec
from vielfalt.research.archive import read_archive
from vielfalt.runs.manifest import load_manifest, read_artefact


@pytest.fixture(scope="module")
def cmp(research_project):
    """The four archived demo editions, loaded for comparison."""
    return ec.load_comparison(research_project / "archive", project_root=research_project)


def test_editions_in_year_order_compared_in_the_newest_instrument(cmp):
    """demo2009 … demo2015 in year order; the reference instrument is vg2015."""
    assert cmp.editions == ["demo2009", "demo2010", "demo2012", "demo2015"]
    assert cmp.reference.meta.id == "vg2015"


def test_participation_counts_every_entry_once(cmp):
    """Per edition the category counts add up to the archived entries (14, 19, 20, 22)."""
    part = ec.participation(cmp)
    assert part.groupby("edition")["n"].sum().to_dict() == {
        "demo2009": 14,
        "demo2010": 19,
        "demo2012": 20,
        "demo2015": 22,
    }
    assert set(part.loc[part["edition"] == "demo2015", "category"]) >= {"kleinst", "klein", "mittel", "gross"}


def test_repeat_entrants_and_score_change_by_hand(cmp):
    """Each repeater's change is its last minus its first total, taken from the archived scores."""
    summary, long = ec.repeat_entrants(cmp)
    scores = cmp.tables["scores"].merge(
        cmp.tables["entries"][["key", "edition", "year"]], on=["key", "edition"]
    )
    for _, row in summary.iterrows():
        mine = scores[scores["key"] == row["key"]].sort_values("year")
        assert len(mine) == row["n_editions"] >= 2
        assert row["change"] == pytest.approx(
            round(round(mine["total"].iloc[-1], 1) - round(mine["total"].iloc[0], 1), 1)
        )
    assert set(long["key"]) == set(summary["key"])


def test_adoption_uses_only_options_every_instrument_has(cmp):
    """C05[mobilesArbeiten] exists only in vg2015 and is left out; a share checks against a hand count."""
    adoption, left_out = ec.measure_adoption(cmp)
    assert "C05[mobilesArbeiten]" in left_out
    ans = cmp.tables["answers"]
    part = ans[
        (ans["edition"] == "demo2012")
        & ans["column"].str.startswith("C05[")
        & ~ans["column"].isin(["C05[other]"])
    ]
    per_key = part.groupby("key")["number"].max()
    expected = (per_key > 0).mean()
    got = adoption[(adoption["edition"] == "demo2012") & (adoption["field"] == "VER")]["share"].iloc[0]
    assert got == pytest.approx(expected)


def test_harmonised_answers_map_renamed_items(cmp):
    """vg2010's D06[keines] appears as D10[keine], E01 as E04; B02 has no counterpart and is dropped."""
    h = ec.harmonised_answers(cmp)
    old = h[h["edition"] == "demo2010"]
    assert set(old.loc[old["column"] == "D06[keines]", "ref_column"]) == {"D10[keine]"}
    assert set(old.loc[old["column"].str.startswith("E01["), "ref_item"]) == {"E04"}
    assert "B02" not in set(old["column"])


def test_comparability_names_what_could_not_be_compared(cmp):
    """The dropped B02, the new D08 and the new option are listed with their reason."""
    table = ec.comparability(cmp)
    status = dict(zip(table["item"] + "|" + table["column"], table["status"], strict=True))
    assert (
        status["B02|"] == "dropped"
        and status["D08|"] == "new"
        and status["C05|C05[mobilesArbeiten]"] == "column_only"
    )
    assert table.loc[table["item"] == "B02", "reason"].iloc[0].startswith("Schwerpunktdimension")


def test_agreement_and_reliability_per_edition(cmp):
    """Every edition has agreement rows (synthetic jury) and reliability per criterion F01–F04."""
    agreement, missing = ec.agreement_by_edition(cmp)
    assert not missing and set(agreement["edition"]) == set(cmp.editions)
    dec = cmp.tables["decisions"]
    d12 = dec[(dec["edition"] == "demo2012") & dec["recommended"]]
    overall = agreement[(agreement["edition"] == "demo2012") & (agreement["category"] == "alle")]
    assert overall["precision_at_k"].iloc[0] == pytest.approx(d12["awarded"].mean())
    rel = ec.reliability_by_edition(cmp)
    assert rel.groupby("edition")["item"].apply(set).map(len).eq(4).all()


def test_missing_edition_is_named(research_project):
    """Asking for an edition that is not archived names it and lists the archived ones."""
    with pytest.raises(DataError, match="fehlen die Editionen demo2011"):
        ec.load_comparison(research_project / "archive", project_root=research_project, editions=["demo2011"])


def test_research_stage_through_papermill_and_verify(research_project):
    """Notebook 08 runs as stage 'research' on the archive; its report and artefacts exist; verify replays it."""
    from vielfalt.runs.verify import verify_run

    result = ec.run_research(research_project, quiet=True)
    run = Path(result.run_dir)
    assert run.parent.name == "research"
    m = load_manifest(run)
    assert m.stages_completed == ["research"] and any(k.startswith("archive/") for k in _logical(m))
    html = (run / "08_editions.html").read_text(encoding="utf-8")
    assert html.count("plotly-graph-div") >= 6 and "from vielfalt import" not in html
    assert "@example.org" not in html
    assert "Anzahl Editionen" in html and "Präzision@k" in html  # displayed tables under German headings
    comp = read_artefact(run, "research/comparability")
    assert {"B02", "D08"} <= set(comp["item"])
    part = read_artefact(run, "research/participation")
    assert part["n"].sum() == len(read_archive(research_project / "archive", "entries"))
    report = verify_run(run, project_root=research_project)
    assert report.identical, report.text()


def _logical(m) -> list[str]:
    from vielfalt.runs.verify import logical_inputs

    return list(logical_inputs(m))


def test_scores_table_shape(cmp):
    """score_distribution gives one row per archived score with year and size band."""
    s = ec.score_distribution(cmp)
    assert len(s) == len(cmp.tables["scores"]) and s["year"].notna().all()
    assert isinstance(s, pd.DataFrame) and s["total"].between(0, 100).all()


def test_display_table_german_and_english_headings_artefact_unchanged(cmp):
    """display_table renames the repeat-entrant columns (German; English with lang="en"); values are kept."""
    reps, _ = ec.repeat_entrants(cmp)
    before = list(reps.columns)
    de = ec.display_table(reps)
    assert list(de.columns) == [
        "Archivschlüssel", "Editionen", "Anzahl Editionen", "Gesamtpunkte zuerst", "Gesamtpunkte zuletzt",
        "Veränderung",
    ]  # fmt: skip
    en = ec.display_table(reps, lang="en")
    assert list(en.columns)[:3] == ["archive key", "editions", "number of editions"]
    assert list(reps.columns) == before and de.to_numpy().tolist() == reps.to_numpy().tolist()
    agr, _ = ec.agreement_by_edition(cmp)
    assert list(ec.display_table(agr).columns) == ["Edition", "Jahr", "Kategorie", "k (Empfehlungen)",
                                                    "Präzision@k", "Kendalls τ"]  # fmt: skip
