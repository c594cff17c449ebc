"""Tests of the jury module: site-visit input, verification, recommendation, votes, ties and agreement."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vielfalt.config.edition import Person, VerificationSettings, load_edition
from vielfalt.config.questionnaire import load_questionnaire, questionnaire_path
from vielfalt.exceptions import DataError
from vielfalt.jury import (
    agreement,
    apply_verification,
    kendall_tau,
    precision_at_k,
    read_site_visits,
    read_votes,
    recommend,
    section_totals,
    tally_votes,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def q():
    """The shipped questionnaire vg2010."""
    return load_questionnaire(questionnaire_path("vg2010", params_dir=ROOT / "params"))


@pytest.fixture
def entries():
    """Four accepted entries of two categories with a few claimed measures (the contract's intake shape)."""
    return pd.DataFrame(
        {
            "A01": ["Alpha GmbH", "Beta AG", "<script>alert(1)</script> KG", "Delta e.V."],
            "category": ["klein", "klein", "mittel", "mittel"],
            "C05[kinderbetreuung]": [True, False, True, True],
            "C05[flexArbeitszeit]": [True, True, False, True],
            "E02[kennzahlen]": [True, False, True, False],
        },
        index=pd.Index(["VG-A", "VG-B", "VG-C", "VG-D"], name="entry_id"),
    )


@pytest.fixture
def scores():
    """scoring/scores of the four entries: sections B–F on 0–100, total by the weights below."""
    s = pd.DataFrame(
        {
            "B": [80.0, 60.0, 50.0, 90.0],
            "C": [60.0, 40.0, 80.0, 70.0],
            "D": [50.0, 50.0, 40.0, 60.0],
            "E": [40.0, 20.0, 100.0, 50.0],
            "F": [70.0, 30.0, 60.0, 80.0],
        },
        index=pd.Index(["VG-A", "VG-B", "VG-C", "VG-D"], name="entry_id"),
    )
    w = {"B": 10, "C": 35, "D": 15, "E": 10, "F": 30}
    s["total"] = sum(s[k] * v for k, v in w.items()) / 100
    s["category"] = ["klein", "klein", "mittel", "mittel"]
    return s


@pytest.fixture
def weights():
    """scoring/weights: code column and one column per category (section points, item weights)."""
    rows = {"B": 10, "C": 35, "D": 15, "E": 10, "F": 30, "B01": 0.7, "C_bestN": 1.0}
    return pd.DataFrame({"code": list(rows), "klein": list(rows.values()), "mittel": list(rows.values())})


def _csv(tmp_path: Path, text: str, name: str = "site_visits.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_site_visits_german_headings_and_factors(tmp_path, entries, q):
    """German headings and words are read; the section factor is the mean factor of its checks."""
    p = _csv(
        tmp_path,
        "Eintrag;Maßnahme;Ergebnis;Besuchsbewertung (0–4);Notiz\n"
        "VG-A;C05[kinderbetreuung];bestätigt;3;Kita im Haus\n"
        "VG-A;C05[flexArbeitszeit];nicht bestätigt;;\n"
        "VG-A;E02[kennzahlen];teilweise;;\n"
        "VG-C;C;teilweise;2;\n",
    )
    res = read_site_visits(p, entries=entries, selected={"VG-A", "VG-C"}, q=q)
    assert res.rows_read == 4 and res.rows_accepted == 4
    v = res.visits
    assert v.at["VG-A", "factor_C"] == pytest.approx((1.0 + 0.5) / 2)
    assert v.at["VG-A", "factor_E"] == pytest.approx(0.75)
    assert v.at["VG-C", "factor_C"] == pytest.approx(0.75) and v.at["VG-C", "factor_E"] == 1.0
    assert v.at["VG-A", "n_refuted"] == 1 and v.at["VG-A", "visit_rating"] == 3.0
    assert v.at["VG-A", "note"] == "Kita im Haus"


def test_site_visit_for_unselected_entry_is_rejected_with_reason(tmp_path, entries, q):
    """A visit result for an entry not on the visit list is not used, and the reason says so in German."""
    p = _csv(tmp_path, "entry_id;measure;result\nVG-B;C05[flexArbeitszeit];confirmed\nVG-A;C;confirmed\n")
    res = read_site_visits(p, entries=entries, selected={"VG-A"}, q=q)
    assert res.rows_accepted == 1 and "VG-B" not in res.visits.index
    err = res.failures[res.failures["severity"] == "error"]
    assert err["row"].tolist() == [2] and err["check"].tolist() == ["not_selected"]
    assert err["reason"].iloc[0] == (
        "Eintrag VG-B stand nicht auf der Besuchsliste; das Besuchsergebnis wird nicht verwendet."
    )


@pytest.mark.parametrize(
    ("line", "check"),
    [
        ("VG-X;C;bestätigt;;", "unknown_entry"),
        ("VG-A;Z99;bestätigt;;", "unknown_measure"),
        ("VG-A;D01;bestätigt;;", "section_not_verified"),
        ("VG-B;C05[kinderbetreuung];bestätigt;;", "not_claimed"),
        ("VG-A;C05[kinderbetreuung];vielleicht;;", "bad_result"),
        ("VG-A;C05[kinderbetreuung];;;", "required"),
        ("VG-A;;;7;", "bad_rating"),
        (";C;bestätigt;;", "required"),
        ("VG-A;;;;", "empty_row"),
    ],
)
def test_every_bad_site_visit_row_is_reported(tmp_path, entries, q, line, check):
    """Each kind of bad row ends in the failure table with its check code; nothing is dropped silently."""
    p = _csv(tmp_path, "Eintrag;Maßnahme;Ergebnis;Besuchsbewertung (0–4);Notiz\n" + line + "\n")
    res = read_site_visits(p, entries=entries, selected={"VG-A", "VG-B"}, q=q)
    errs = res.failures[res.failures["severity"] == "error"]
    assert res.rows_accepted == 0 and errs["check"].tolist() == [check]
    assert errs["reason"].iloc[0] and errs["row"].iloc[0] == 2


def test_site_visit_duplicate_measure_later_row_counts(tmp_path, entries, q):
    """The same measure checked twice: the later row counts and the earlier is reported as superseded."""
    p = _csv(tmp_path, "Eintrag;Maßnahme;Ergebnis\nVG-A;C;bestätigt\nVG-A;C;nicht bestätigt\n")
    res = read_site_visits(p, entries=entries, selected={"VG-A"}, q=q)
    assert res.visits.at["VG-A", "factor_C"] == 0.5
    assert res.failures["check"].tolist() == ["duplicate"] and "Zeile 3" in res.failures["reason"].iloc[0]


def test_selected_but_not_visited_is_a_warning(tmp_path, entries, q):
    """An entry on the visit list without any row is reported as a warning, its scores unchanged."""
    p = _csv(tmp_path, "Eintrag;Maßnahme;Ergebnis\nVG-A;C;bestätigt\n")
    res = read_site_visits(p, entries=entries, selected={"VG-A", "VG-C"}, q=q)
    w = res.failures[res.failures["check"] == "not_visited"]
    assert w["entry_id"].tolist() == ["VG-C"] and w["severity"].tolist() == ["warning"]


def test_site_visits_missing_entry_column_is_a_data_error(tmp_path, entries, q):
    """A file without the entry column stops with a DataError naming the expected columns."""
    p = _csv(tmp_path, "Organisation;Ergebnis\nAlpha;bestätigt\n")
    with pytest.raises(DataError, match="Spalte „Eintrag“ fehlt"):
        read_site_visits(p, entries=entries, selected=set(), q=q)


def test_section_totals_reproduce_weighted_mean_by_hand(scores, weights):
    """Totals from sections equal Σ w·s / Σ w computed by hand (10·80+35·60+15·50+10·40+30·70)/100 = 61.5."""
    secs = scores[["B", "C", "D", "E", "F"]]
    tot = section_totals(secs, scores["category"], weights)
    assert tot["VG-A"] == pytest.approx(61.5)
    np.testing.assert_allclose(tot.to_numpy(), scores["total"].to_numpy())


def test_verification_multiplies_c_and_e_and_recomputes_total(scores, weights):
    """C·0.75 and E·0.5 for VG-A lower the total by (35·60·0.25 + 10·40·0.5)/100 = 7.25 points."""
    visits = pd.DataFrame({"factor_C": [0.75], "factor_E": [0.5]}, index=pd.Index(["VG-A"], name="entry_id"))
    final = apply_verification(scores, visits, weights)
    assert final.at["VG-A", "delta"] == pytest.approx(-7.25)
    assert final.at["VG-A", "total_post"] == pytest.approx(61.5 - 7.25)
    assert final.at["VG-A", "C_post"] == 45.0 and final.at["VG-A", "E_post"] == 20.0
    assert (final.loc[["VG-B", "VG-C", "VG-D"], "delta"] == 0).all()
    assert final["visited"].tolist() == [True, False, False, False]


def test_verification_factors_are_configurable():
    """The edition's verification block sets the factors; their order is checked."""
    s = VerificationSettings(confirmed=1.0, partly=0.8, refuted=0.2)
    assert s.partly == 0.8
    with pytest.raises(ValueError, match="confirmed ≥ partly ≥ refuted"):
        VerificationSettings(confirmed=0.5, partly=0.9, refuted=0.1)


def test_recommendation_needs_threshold_and_no_open_legal_gap(scores, weights):
    """Above the threshold with an open legal gap: not recommended; resolved on site: recommended."""
    final = apply_verification(scores, pd.DataFrame(), weights)
    flags = pd.DataFrame(
        {"legal_gap:C08:beschwerdestelle": [True, False, False, True], "unvalidated_other:C01": [True] * 4},
        index=scores.index,
    )
    rec = recommend(final, threshold=60, flags=flags)
    # totals: A 61.5, B 38.0, C 65.0, D 70.0
    assert rec["recommended"].tolist() == [False, False, True, False]
    assert "gesetzliche Pflicht" in rec.at["VG-A", "recommendation"]
    resolved = pd.Series([True], index=["VG-A"])
    rec2 = recommend(final, threshold=60, flags=flags, legal_resolved=resolved)
    assert rec2["recommended"].tolist() == [True, False, True, False]
    assert rec2["rank"].tolist() == [1, 2, 2, 1]


JURY = [Person(id=f"J{i}", name=f"Juror {i}") for i in range(1, 6)]


def _final(recommended=(True, False, True, True), totals=(70.0, 40.0, 65.0, 55.0)):
    return pd.DataFrame(
        {
            "category": ["klein", "klein", "mittel", "mittel"],
            "total_post": list(totals),
            "recommended": list(recommended),
        },
        index=pd.Index(["VG-A", "VG-B", "VG-C", "VG-D"], name="entry_id"),
    )


def test_votes_by_unknown_member_and_conflicted_member_are_reported(tmp_path):
    """A vote by someone not on the jury is not counted; a conflicted member's vote is ignored, reported."""
    p = _csv(
        tmp_path,
        "Mitglied;Eintrag;Stimme\nJ1;VG-A;ja\nJ9;VG-A;ja\nJ2;VG-A;nein\nJ3;VG-A;Enthaltung\nJ4;VG-Q;ja\nJ5;VG-A;vielleicht\n",
        "jury_votes.csv",
    )
    vi = read_votes(p, jury=JURY, entries=["VG-A", "VG-B"], conflicts={"J2": ["VG-A"]})
    assert vi.votes["member"].tolist() == ["J1", "J3"]
    checks = dict(zip(vi.failures["row"], vi.failures["check"], strict=True))
    assert checks == {3: "unknown_member", 4: "conflict", 6: "unknown_entry", 7: "bad_vote"}
    reason = vi.failures.loc[vi.failures["check"] == "conflict", "reason"].iloc[0]
    assert reason == "J2 hat für Eintrag VG-A eine Befangenheit erklärt; die Stimme wird nicht gezählt."


def test_simple_majority_abstentions_do_not_count():
    """2 yes, 1 no, 2 abstentions: awarded by majority; 1 yes, 2 no: not awarded."""
    votes = pd.DataFrame(
        {
            "member": ["J1", "J2", "J3", "J4", "J5", "J1", "J2", "J3"],
            "entry_id": ["VG-A"] * 5 + ["VG-C"] * 3,
            "vote": ["yes", "yes", "no", "abstain", "abstain", "yes", "no", "no"],
        }
    )
    awards, _ = tally_votes(votes, _final(), tie_rule="no_award", threshold=60)
    assert awards.loc["VG-A", ["yes", "no", "abstain"]].tolist() == [2, 1, 2]
    assert bool(awards.at["VG-A", "awarded"]) and awards.at["VG-A", "decided_by"] == "majority"
    assert not bool(awards.at["VG-C", "awarded"])


def test_entry_with_no_votes_is_not_awarded_and_reported():
    """A recommended entry nobody voted on: not awarded, decided_by no_votes, reported as a warning."""
    votes = pd.DataFrame({"member": ["J1"], "entry_id": ["VG-A"], "vote": ["yes"]})
    awards, reports = tally_votes(votes, _final(), tie_rule="no_award", threshold=60)
    assert awards.at["VG-C", "decided_by"] == "no_votes" and not bool(awards.at["VG-C", "awarded"])
    assert "VG-C" in reports["entry_id"].tolist() and "VG-D" in reports["entry_id"].tolist()
    assert any("VG-B" in r for r in reports["reason"])


TIE = pd.DataFrame(
    {
        "member": ["J1", "J2", "J3", "J4", "J1", "J2"],
        "entry_id": ["VG-A", "VG-A", "VG-A", "VG-A", "VG-D", "VG-D"],
        "vote": ["yes", "no", "yes", "no", "no", "yes"],
    }
)


def test_tie_no_award():
    """Under no_award a 2:2 tie gives no label."""
    awards, _ = tally_votes(TIE, _final(), tie_rule="no_award", threshold=60)
    assert bool(awards.at["VG-A", "tie"]) and not bool(awards.at["VG-A", "awarded"])
    assert awards.at["VG-A", "decided_by"] == "tie_no_award"


def test_tie_chair_decides():
    """Under chair_decides the chair's vote breaks the tie: J1 yes on VG-A, no on VG-D; J5 never voted."""
    awards, _ = tally_votes(TIE, _final(), tie_rule="chair_decides", chair="J1", threshold=60)
    assert bool(awards.at["VG-A", "awarded"]) and not bool(awards.at["VG-D", "awarded"])
    assert awards.at["VG-A", "decided_by"] == "tie_chair"
    awards5, _ = tally_votes(TIE, _final(), tie_rule="chair_decides", chair="J5", threshold=60)
    assert awards5.at["VG-A", "decided_by"] == "tie_chair_missing" and not bool(awards5.at["VG-A", "awarded"])


def test_tie_higher_score():
    """Under higher_score the score decides: VG-A (70 ≥ 60) is awarded, VG-D (55 < 60) is not."""
    awards, _ = tally_votes(TIE, _final(), tie_rule="higher_score", threshold=60)
    assert bool(awards.at["VG-A", "awarded"]) and not bool(awards.at["VG-D", "awarded"])
    assert set(awards.loc[["VG-A", "VG-D"], "decided_by"]) == {"tie_score"}


def test_precision_at_k_by_hand():
    """Top 3 of a, b, c, d, e with awarded {a, c, e}: a and c hit, b misses → 2/3."""
    assert precision_at_k(list("abcde"), {"a", "c", "e"}, 3) == pytest.approx(2 / 3)
    assert np.isnan(precision_at_k(list("abc"), set(), 0))


def test_kendall_tau_hand_computed_without_ties():
    """x = 1..5, y = 3,1,2,5,4: 7 concordant and 3 discordant of 10 pairs, τ = (7 − 3)/10 = 0.4."""
    assert kendall_tau([1, 2, 3, 4, 5], [3, 1, 2, 5, 4]) == pytest.approx(0.4)


def test_kendall_tau_b_with_ties_by_hand():
    """x = 1,2,2,3 and y = 1,3,2,3: C = 4, D = 0, x ties 1 pair, y ties 1 pair → τ_b = 4/√(5·5) = 0.8."""
    # pairs: (1,2) C, (1,3) C, (1,4) C, (2,3) x-tie, (2,4) y-tie, (3,4) C
    assert kendall_tau([1, 2, 2, 3], [1, 3, 2, 3]) == pytest.approx(0.8)


def test_kendall_tau_published_example():
    """Hollander & Wolfe (1973), p. 187f. (tuna quality; R's ?cor.test): T = 26 of 36 pairs, τ = 0.444."""
    x = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1]
    y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8]
    # 26 concordant, 10 discordant: (26 - 10) / 36
    assert kendall_tau(x, y) == pytest.approx(16 / 36)


def test_agreement_per_category():
    """Awards A (klein) and C, D (mittel); the recommendation ranks A, then C and D first: precision 1."""
    final = _final(recommended=(True, False, True, False))
    awards = pd.DataFrame(
        {
            "category": ["klein", "klein", "mittel", "mittel"],
            "yes": [4, 1, 3, 2],
            "no": [1, 4, 2, 3],
            "abstain": [0, 0, 0, 0],
            "awarded": [True, False, True, False],
        },
        index=final.index,
    )
    ag = agreement(final, awards).set_index("category")
    assert ag.at["klein", "k"] == 1 and ag.at["klein", "precision_at_k"] == 1.0
    assert ag.at["klein", "kendall_tau"] == pytest.approx(1.0)
    assert ag.at["mittel", "kendall_tau"] == pytest.approx(1.0)
    awards.loc["VG-D", "awarded"] = True
    awards.loc["VG-C", "awarded"] = False
    ag2 = agreement(final, awards).set_index("category")
    assert ag2.at["mittel", "precision_at_k"] == 0.0


def test_demo_edition_has_a_chair_and_verification_block():
    """The demo edition names its chair among the jury and the default verification factors."""
    ed = load_edition(ROOT / "params" / "editions" / "demo2010.yaml")
    assert ed.verification.sections == ["C", "E"]
    assert ed.jury_chair in {p.id for p in ed.jury}


def test_demo_visits_and_votes_regenerate_identically(tmp_path):
    """The committed demo site_visits.csv and jury_votes.csv are exactly what _synth_jury writes."""
    from vielfalt.demo.jury import write_jury_inputs
    from vielfalt.stages import load_context

    ed, q = load_context(ROOT, "demo2010")
    visits, votes = write_jury_inputs(ed, q, tmp_path, project_root=ROOT)
    data = ROOT / "data" / "demo2010"
    assert visits.read_bytes() == (data / "site_visits.csv").read_bytes()
    assert votes.read_bytes() == (data / "jury_votes.csv").read_bytes()
    text = visits.read_text(encoding="utf-8-sig")
    assert text.startswith(
        "Eintrag;Maßnahme;Ergebnis;Besuchsbewertung (0–4);Notiz;Besucht von;Pflichten geklärt"
    )


def test_jury_modules_public_names_have_docstrings():
    """Every name in the __all__ of the jury modules imports and has a docstring."""
    import importlib

    for m in (
        "vielfalt.jury",
        "vielfalt.jury.visits",
        "vielfalt.jury.verification",
        "vielfalt.jury.recommendation",
        "vielfalt.jury.votes",
        "vielfalt.jury.agreement",
        "vielfalt.stages.jury",
        "vielfalt.outputs.letters",
        "vielfalt.dashboard.figures",
        "vielfalt.dashboard.static",
        "vielfalt.dashboard.view",
        "vielfalt.dashboard.widgets",
        "vielfalt.dashboard.serve",
    ):
        mod = importlib.import_module(m)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if callable(obj):
                assert (obj.__doc__ or "").strip(), f"{m}.{name} has no docstring"


def _edition_dict():
    import yaml

    return yaml.safe_load((ROOT / "params" / "editions" / "demo2010.yaml").read_text(encoding="utf-8"))


def test_jury_chair_must_be_a_jury_member():
    """jury_chair names a jury id, with a did-you-mean for a typo."""
    from vielfalt.config.edition import Edition

    data = _edition_dict() | {"jury_chair": "J11"}
    with pytest.raises(ValueError, match="jury_chair: „J11“ ist kein Jurymitglied"):
        Edition.model_validate(data)


def test_chair_decides_needs_a_chair():
    """tie_rule chair_decides without jury_chair is refused at load time, not at the tie."""
    from vielfalt.config.edition import Edition

    data = _edition_dict() | {"tie_rule": "chair_decides"}
    data.pop("jury_chair")
    with pytest.raises(ValueError, match="chair_decides braucht jury_chair"):
        Edition.model_validate(data)


def test_unknown_tie_rule_is_a_config_error():
    """A misspelt tie rule raises ConfigError instead of silently deciding ties by the score."""
    from vielfalt.exceptions import ConfigError

    with pytest.raises(ConfigError, match=r"The 'tie_rule' parameter of tally_votes must be one of"):
        tally_votes(TIE, _final(), tie_rule="higher_scores", threshold=60, lang="en")


def test_tally_is_a_named_result_that_still_unpacks():
    """tally_votes returns a Tally whose fields are the awards and the reports, unpacking as before."""
    tally = tally_votes(TIE, _final(), tie_rule="no_award", threshold=60)
    awards, reports = tally
    assert awards is tally.awards and reports is tally.reports
    assert list(reports.columns)[:3] == ["source", "row", "entry_id"]


def test_unknown_measure_example_comes_from_the_questionnaire(tmp_path, entries, q):
    """The example of a measure code is the first item of the first verified section, not a fixed code."""
    p = _csv(tmp_path, "Eintrag;Maßnahme;Ergebnis\nVG-A;Z99;bestätigt\n")
    res = read_site_visits(
        p, entries=entries, selected={"VG-A"}, q=q, settings=VerificationSettings(sections=["E"])
    )
    first = q.section("E").items[0]
    reason, fix = res.failures.loc[0, ["reason", "fix"]]
    assert f"(erwartet z. B. {first.columns()[0]}, {first.id} oder E)" in reason
    assert fix.endswith(f"(z. B. {first.columns()[0]}) oder den Abschnitt (E).")


def test_section_not_verified_names_the_section_label(tmp_path, entries, q):
    """A measure of a section the visit does not verify is reported with the section's label."""
    p = _csv(tmp_path, "Eintrag;Maßnahme;Ergebnis\nVG-A;D01;bestätigt\n")
    res = read_site_visits(p, entries=entries, selected={"VG-A"}, q=q, lang="en")
    label = q.section("D").label.get("en")
    assert (
        res.failures.loc[0, "reason"]
        == f"'D01' belongs to section D ('{label}'); only sections C, E are verified."
    )


def test_verified_sections_default_to_the_questionnaire_roles(q):
    """An edition without its own list verifies the questionnaire's measures and evidence sections."""
    from vielfalt.jury import verified_sections

    unset = VerificationSettings.model_construct(sections=[], confirmed=1.0, partly=0.75, refuted=0.5)
    assert verified_sections(unset, q) == [q.roles.measures_section, q.roles.evidence_section]
    assert verified_sections(VerificationSettings(sections=["E"]), q) == ["E"]


def test_verification_without_a_section_list_uses_the_visits_factors(scores, weights):
    """With no verified sections given, apply_verification applies every factor_<S> the visits carry."""
    visits = pd.DataFrame({"factor_C": [0.75]}, index=pd.Index(["VG-A"], name="entry_id"))
    unset = VerificationSettings.model_construct(sections=[], confirmed=1.0, partly=0.75, refuted=0.5)
    final = apply_verification(scores, visits, weights, settings=unset)
    assert final.at["VG-A", "C_post"] == 45.0 and "factor_E" not in final.columns
    assert final.at["VG-A", "delta"] == pytest.approx(-35 * 60 * 0.25 / 100)


def test_two_columns_for_one_heading_are_reported_in_english(tmp_path, entries, q):
    """Two columns meaning the entry are a DataError in the reader's language (it was German only)."""
    p = _csv(tmp_path, "Eintrag;Entry;Maßnahme\nVG-A;VG-A;C\n")
    with pytest.raises(DataError, match=r"^The columns 'Eintrag', 'Entry' both mean 'entry_id'"):
        read_site_visits(p, entries=entries, selected={"VG-A"}, q=q, lang="en")
