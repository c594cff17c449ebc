"""Tests of site-visit selection (vielfalt.selection): statuses, reasons, capacity, ties, plausibility."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from vielfalt.config.edition import SelectionSettings
from vielfalt.config.questionnaire import load_questionnaire, questionnaire_path
from vielfalt.exceptions import ConfigError
from vielfalt.selection import (
    VERIFY_CODES,
    claims_without_measures,
    freeze,
    inconsistent_counts,
    outliers_within_category,
    select_site_visits,
)

SETTINGS = SelectionSettings()


def _stats(rows, k=2, category="a"):
    """rows: (id, nominal, median, q5, q95, p_topk)."""
    df = pd.DataFrame(rows, columns=["entry_id", "Nominal", "Median", "Q5", "Q95", "P_topk"]).set_index(
        "entry_id"
    )
    df.insert(0, "category", category)
    df["k"] = k
    return df


def _plaus(index, **flags):
    p = pd.DataFrame({c: "" for c in VERIFY_CODES}, index=index)
    p["outlier_score"] = np.nan
    for eid, (code, what) in flags.items():
        p.loc[eid, code] = what
        if code == "OUTLIER":
            p.loc[eid, "outlier_score"] = -0.7
    return p


def _select(stats, totals=None, plaus=None, *, k=None, tie_rule="higher_score", lang="de", settings=SETTINGS):
    totals = pd.Series(totals if totals is not None else np.linspace(90, 10, len(stats)), index=stats.index)
    cap = {c: int(k if k is not None else stats["k"].iloc[0]) for c in stats["category"].unique()}
    return select_site_visits(
        stats, totals, plaus if plaus is not None else _plaus(stats.index), capacity=cap, settings=settings,
        tie_rule=tie_rule, lang=lang,
    )  # fmt: skip


def test_statuses_follow_the_rules_of_methods_section_5():
    """Q95 ≤ k is clear; P in the band borderline; above the band LIKELY; below the band out."""
    s = _stats([("a", 1, 1, 1, 1, 1.0), ("b", 2, 2, 1, 2, 0.99), ("c", 3, 3, 2, 4, 0.9),
                ("d", 4, 4, 2, 5, 0.5), ("e", 5, 5, 3, 6, 0.1)])  # fmt: skip
    out = _select(s)
    assert out["status"].to_dict() == {
        "a": "clear",
        "b": "clear",
        "c": "borderline",
        "d": "borderline",
        "e": "out",
    }
    assert out.loc["c", "reasons"].startswith("LIKELY") and out.loc["d", "reasons"].startswith("BORDERLINE")
    assert "P(Rang ≤ 2) = 0.50 im Grenzbereich 0.2–0.8" in out.loc["d", "reason_text"]


def test_capacity_is_respected_in_the_stated_priority_order():
    """Clear entries first by nominal rank, then borderline by P(rank ≤ k); the rest: the places are taken."""
    s = _stats(
        [("a", 2, 2, 1, 2, 1.0), ("b", 1, 1, 1, 2, 1.0), ("c", 3, 3, 2, 5, 0.4), ("d", 4, 3, 2, 5, 0.6)], k=3
    )
    out = _select(s)
    chosen = out[out["selected"]].sort_values("priority")
    assert list(chosen.index) == ["b", "a", "d"]
    assert list(chosen["priority"]) == [1, 2, 3]
    assert out.loc["c", "reasons"] == "BORDERLINE,CAPACITY" and not out.loc["c", "selected"]
    assert out["priority"].isna().sum() == 1


def test_free_places_are_filled_by_probability_and_rank():
    """Fewer clear and borderline entries than places: the next entries fill them with the reason FILL."""
    s = _stats(
        [("a", 1, 1, 1, 1, 1.0), ("b", 2, 2, 2, 4, 0.1), ("c", 3, 3, 2, 4, 0.15), ("d", 4, 4, 3, 4, 0.0)], k=2
    )
    out = _select(s)
    assert list(out[out["selected"]].sort_values("priority").index) == ["a", "c"]
    assert "FILL" in out.loc["c", "reasons"] and "freier Besuchsplatz" in out.loc["c", "reason_text"]


def test_category_smaller_than_capacity_is_all_in_and_said_so():
    """Two entries for three places: both clear with ALL_IN and both visited."""
    s = _stats([("a", 1, 1, 1, 2, 1.0), ("b", 2, 2, 1, 2, 1.0)], k=3)
    out = _select(s)
    assert out["selected"].all() and (out["status"] == "clear").all()
    assert all(r.startswith("ALL_IN") for r in out["reasons"])
    assert "2 Einträge bei 3 Besuchsplätzen" in out.loc["a", "reason_text"]


def _tied():
    # b and c tie exactly at the cut (k = 2): same status, P and nominal rank
    return _stats(
        [("a", 1, 1, 1, 1, 1.0), ("b", 2, 2, 2, 3, 0.5), ("c", 2, 2, 2, 3, 0.5), ("d", 4, 4, 3, 4, 0.0)]
    )


def test_tie_at_the_cut_higher_score_decides():
    """higher_score: the tied entry with the higher total gets the place; both say TIE_AT_CUT and the rule."""
    out = _select(_tied(), totals=[80, 50, 55, 20])
    assert list(out[out["selected"]].index) == ["a", "c"]
    for e in ("b", "c"):
        assert "TIE_AT_CUT" in out.loc[e, "reasons"]
        assert "höhere Punktzahl" in out.loc[e, "reason_text"]
    assert "c" in out.loc["b", "reason_text"]  # names the other tied entry


def test_tie_with_equal_scores_visits_all_and_says_capacity_is_exceeded():
    """higher_score with equal totals too: all tied entries are visited and the text says by how many."""
    out = _select(_tied(), totals=[80, 50, 50, 20])
    assert set(out[out["selected"]].index) == {"a", "b", "c"}
    assert "Kapazität um 1 überschritten" in out.loc["b", "reason_text"]


def test_tie_under_no_award_leaves_the_place_free():
    """no_award: none of the tied entries gets the place."""
    out = _select(_tied(), totals=[80, 50, 55, 20], tie_rule="no_award")
    assert list(out[out["selected"]].index) == ["a"]
    assert "bleibt frei" in out.loc["b", "reason_text"] and "CAPACITY" not in out.loc["b", "reasons"]


def test_tie_under_chair_decides_leaves_the_place_open_for_the_chair():
    """chair_decides: the tied entries wait for the chair; the text says so."""
    out = _select(_tied(), totals=[80, 50, 55, 20], tie_rule="chair_decides", lang="en")
    assert list(out[out["selected"]].index) == ["a"]
    assert "until the chair has decided" in out.loc["c", "reason_text"]


def test_unknown_tie_rule_is_a_config_error():
    """A tie rule outside the three known ones is refused, listing them, in the one message shape."""
    with pytest.raises(ConfigError, match="higher_score"):
        _select(_tied(), tie_rule="coin_flip")
    with pytest.raises(ConfigError) as err:
        _select(_tied(), tie_rule="coin_flip", lang="en")
    assert str(err.value) == (
        "The 'tie_rule' parameter of select_site_visits must be one of "
        "{'chair_decides', 'higher_score', 'no_award'}. Got 'coin_flip' instead."
    )


def test_every_applicable_reason_is_listed_and_flags_make_out_entries_verify():
    """A clear entry keeps its verification reasons; an out entry with a flag becomes 'verify'."""
    s = _stats([("a", 1, 1, 1, 1, 1.0), ("b", 2, 2, 2, 3, 0.0), ("c", 3, 3, 3, 3, 0.0)], k=1)
    plaus = _plaus(s.index, a=("LEGAL_GAP", "C08: Beschwerdestelle"), b=("OUTLIER", "x"))
    plaus.loc["a", "INCONSISTENT_COUNTS"] = "A10"
    out = _select(s, plaus=plaus)
    assert out.loc["a", "reasons"] == "CLEAR,INCONSISTENT_COUNTS,LEGAL_GAP"
    assert "Angaben zur Belegschaft widersprechen sich (A10)" in out.loc["a", "reason_text"]
    assert out.loc["b", "status"] == "verify" and out.loc["b", "reasons"] == "OUTLIER"
    assert "Isolation Forest, Wert -0.70" in out.loc["b", "reason_text"]
    assert out.loc["c", "status"] == "out"


def test_categories_are_selected_independently():
    """Each category fills its own capacity."""
    a = _stats([("a1", 1, 1, 1, 1, 1.0), ("a2", 2, 2, 2, 2, 0.0)], k=1, category="a")
    b = _stats([("b1", 1, 1, 1, 1, 1.0), ("b2", 2, 2, 1, 2, 1.0)], k=2, category="b")
    s = pd.concat([a, b])
    out = select_site_visits(
        s, pd.Series(50.0, index=s.index), _plaus(s.index), capacity={"a": 1, "b": 2}, settings=SETTINGS
    )
    assert set(out[out["selected"]].index) == {"a1", "b1", "b2"}


def test_inconsistent_counts_come_from_the_intakes_cross_field_warnings():
    """Warnings of the le/sum_eq checks of accepted entries are collected per entry, other checks are not."""
    failures = pd.DataFrame(
        {"entry_id": ["x", "x", "y", "z"], "item": ["A10", "A07", "A09", "A10"],
         "check": ["check_sum_eq", "check_le", "approximate", "check_sum_eq"]}
    )  # fmt: skip
    got = inconsistent_counts(failures, pd.Index(["x", "y"]))
    assert got.to_dict() == {"x": "A07, A10", "y": ""}


@pytest.fixture(scope="module")
def q(project_root):
    return load_questionnaire(questionnaire_path("vg2010", params_dir=project_root / "params"))


def test_claim_without_measure_other_text_without_ticks(q):
    """A field described under 'other' with no option ticked is a claim without measure; with a tick not."""
    e = pd.DataFrame(
        {"C01[stellenanzDivers]": [False, True], "C01[other]": ["Paten-Programm", "Paten-Programm"]},
        index=["x", "y"],
    )
    got = claims_without_measures(e, q)
    assert got["x"].startswith("C01 Personalgewinnung") and got["y"] == ""


def test_claim_without_measure_effects_without_any_measure(q):
    """Effects claimed in E01 by an entry that ticked no measure in C are flagged."""
    e = pd.DataFrame({"C01[stellenanzDivers]": [False, True], "E01[bindung]": [True, True]}, index=["x", "y"])
    got = claims_without_measures(e, q)
    assert "E01 ohne Maßnahme in C „Maßnahmen je Handlungsfeld“" in got["x"] and got["y"] == ""


def test_claim_without_measure_uses_the_effects_role_of_a_vg2015_questionnaire(project_root):
    """vg2015 asks for effects in E04: a claim there without a measure is flagged (the old code read E01)."""
    q15 = load_questionnaire(questionnaire_path("vg2015", params_dir=project_root / "params"))
    assert q15.roles.effects == "E04"
    e = pd.DataFrame({"C01[stellenanzDivers]": [False, True], "E04[bindung]": [True, True]}, index=["x", "y"])
    got = claims_without_measures(e, q15, lang="en")
    assert got["x"] == "E04 without any measure in C 'Measures by field of action'" and got["y"] == ""


def test_claim_without_measure_check_is_off_without_an_effects_role(q):
    """A questionnaire that declares no effects item flags no effects, whatever the columns are called."""
    q_off = q.model_copy(update={"roles": q.roles.model_copy(update={"effects": None})})
    e = pd.DataFrame({"C01[stellenanzDivers]": [False], "E01[bindung]": [True]}, index=["x"])
    assert claims_without_measures(e, q_off)["x"] == ""


def test_isolation_forest_finds_a_planted_outlier_and_skips_small_categories():
    """A far-off profile among 30 similar ones is an outlier; a category of 3 is not checked."""
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.normal(0.5, 0.02, (33, 6)), index=[f"e{i}" for i in range(33)])
    x.iloc[0] = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    cat = pd.Series(["big"] * 30 + ["small"] * 3, index=x.index)
    out = outliers_within_category(x, cat, seed=1, contamination=0.05)
    assert out.loc["e0", "outlier"] and out.loc["e0", "score"] == out.loc[cat == "big", "score"].min()
    assert not out.loc[cat == "small", "checked"].any() and out.loc[cat == "small", "score"].isna().all()
    again = outliers_within_category(x, cat, seed=1, contamination=0.05)
    pd.testing.assert_frame_equal(out, again)


def test_freeze_hashes_are_the_sha256_of_canonical_json_and_csv():
    """The rule hash is sha256 of its canonical JSON; changing one candidate row changes the list hash."""
    rule = {"b": 1, "a": [0.2, 0.8], "ä": "x"}
    cands = _select(_stats([("a", 1, 1, 1, 1, 1.0), ("b", 2, 2, 2, 3, 0.5)]))
    h = freeze(rule, cands)
    canon = json.dumps(rule, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert h["rule_sha256"] == hashlib.sha256(canon).hexdigest()
    assert freeze(rule, cands) == h
    changed = cands.copy()
    changed.loc["b", "total"] += 0.5
    assert freeze(rule, changed)["candidates_sha256"] != h["candidates_sha256"]
    assert freeze({**rule, "b": 2}, cands)["rule_sha256"] != h["rule_sha256"]


def test_borderline_band_is_validated():
    """A band outside [0, 1] or in the wrong order is refused with an example."""
    with pytest.raises(ValueError, match=r"z\. B\. \[0.2, 0.8\]"):
        SelectionSettings(borderline=(0.8, 0.2))


def test_summaries_name_the_strongest_assumption_and_the_visit_list(project_root):
    """sensitivity_summary names the factor with the largest total index; selection_summary counts."""
    from vielfalt.stages import load_context, selection_summary, sensitivity_summary

    sens = pd.DataFrame({"factor": ["w", "a"], "label": ["Gewichte", "Aggregation"], "Si": [0.1, 0.5],
                         "STi": [0.2, 0.7]})  # fmt: skip
    assert sensitivity_summary(sens).startswith("Am stärksten bewegt die Rangfolge: Aggregation (Sᴛ = 0.70)")
    assert (
        sensitivity_summary(sens.assign(STi=0.0)) == "Keine der variierten Annahmen verändert die Rangfolge."
    )
    ed, _ = load_context(project_root, "demo2010")
    s = _stats(
        [("a", 1, 1, 1, 1, 1.0), ("b", 2, 2, 2, 3, 0.5), ("c", 3, 3, 3, 3, 0.0)], k=1, category="klein"
    )
    line = selection_summary(_select(s), ed)[0]
    assert line.startswith("Kleine Unternehmen (bis 49): 3 Einträge, 1 Besuchsplätze — 1 sicher, 1 Grenzfall")
    assert "besucht werden 1: a" in line
