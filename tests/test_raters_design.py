"""Tests of the rating design, sheet read-back and rater-effect models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vielfalt.exceptions import ConfigError
from vielfalt.outputs.spreadsheets import write_xlsx
from vielfalt.ratings import (
    adjust_ratings,
    check_design,
    design_ratings,
    rater_effects,
    read_rating_sheets,
    text_scores,
)

RATERS = ["G1", "G2", "G3", "G4"]
ENTRIES = [f"VG-{i:03d}" for i in range(19)]


def test_design_gives_every_text_two_raters_balanced_and_connected():
    """19 entries, 4 raters, 2 per text: each entry twice, loads within one, graph connected."""
    d = design_ratings(ENTRIES, RATERS, per_text=2, seed=1)
    assert (d.groupby("entry_id")["rater"].nunique() == 2).all()
    chk = check_design(d)
    assert chk.connected and chk.min_raters_per_entry == 2
    assert max(chk.load.values()) - min(chk.load.values()) <= 1
    assert sum(chk.load.values()) == 38


def test_design_is_seeded():
    """Same seed → same design; another seed → another order."""
    a = design_ratings(ENTRIES, RATERS, seed=3)
    assert a.equals(design_ratings(ENTRIES, RATERS, seed=3))
    assert not a.equals(design_ratings(ENTRIES, RATERS, seed=4))


def test_design_respects_conflicts():
    """A rater never gets an entry they declared a conflict with."""
    d = design_ratings(ENTRIES, RATERS, seed=1, conflicts={"G2": ENTRIES[:5]})
    assert d[(d["rater"] == "G2") & d["entry_id"].isin(ENTRIES[:5])].empty
    assert (d.groupby("entry_id")["rater"].nunique() == 2).all()


def test_disconnected_design_is_detected():
    """Two rater pairs that never share an entry form two components."""
    d = pd.DataFrame({"entry_id": ["a", "a", "b", "b"], "rater": ["R1", "R2", "R3", "R4"]})
    chk = check_design(d)
    assert not chk.connected and chk.components == [["R1", "R2"], ["R3", "R4"]]
    assert "NICHT verbunden" in chk.message()


def _ratings_with_known_effects():
    """rating = unit mean + rater effect exactly (effects +0.5, 0, −0.5, 0 sum to zero)."""
    effects = {"G1": 0.5, "G2": 0.0, "G3": -0.5, "G4": 0.0}
    d = design_ratings(ENTRIES, RATERS, seed=2)
    rng = np.random.default_rng(0)
    unit = {e: rng.uniform(1, 3) for e in ENTRIES}
    rows = [(e, "F01", r, unit[e] + effects[r]) for e, r in d.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["entry_id", "item", "rater", "rating"]), effects, unit


def test_additive_model_recovers_known_rater_effects():
    """On noise-free data from rating = unit + rater, least squares recovers the rater effects exactly."""
    r, effects, unit = _ratings_with_known_effects()
    eff = rater_effects(r).table.set_index("rater")["severity"]
    for k, v in effects.items():
        assert eff[k] == pytest.approx(v, abs=1e-8)
    adj = adjust_ratings(r, "additive")
    assert np.allclose(adj.to_numpy(), r["entry_id"].map(unit).to_numpy(), atol=1e-8)


def test_mean_shift_and_zscore_by_hand():
    """R1 rates 1, 3 (mean 2, sd √2); R2 rates 2, 4 (mean 3): grand mean 2.5, grand sd √(5/3)."""
    r = pd.DataFrame(
        {
            "entry_id": ["a", "b", "a", "b"],
            "item": ["F01"] * 4,
            "rater": ["R1", "R1", "R2", "R2"],
            "rating": [1.0, 3.0, 2.0, 4.0],
        }
    )
    assert adjust_ratings(r, "mean_shift").tolist() == [1.5, 3.5, 1.5, 3.5]
    z = adjust_ratings(r, "zscore").to_numpy()
    gsd = np.sqrt(5 / 3)
    expected = [2.5 - gsd / np.sqrt(2), 2.5 + gsd / np.sqrt(2)] * 2
    assert np.allclose(z, expected)


def test_text_scores_average_raters():
    """The text score is the mean of the (adjusted) ratings per entry and item."""
    r = pd.DataFrame(
        {"entry_id": ["a", "a"], "item": ["F01", "F01"], "rater": ["R1", "R2"], "rating": [2.0, 3.0]}
    )
    assert text_scores(r).loc["a", "F01"] == 2.5


def test_unknown_model_name():
    """An unknown model is a ConfigError in the sklearn message shape."""
    with pytest.raises(ConfigError, match="The 'model' parameter of adjust_ratings must be one of"):
        adjust_ratings(pd.DataFrame(columns=["entry_id", "item", "rater", "rating"]), "rasch")


def _sheet(tmp_path, rater, rows, edition="demo2010"):
    heads = ["Edition", "Eintrag", "Item", "Kriterium", "Frage", "Antworttext", "Bewertung (0–4)", "Notiz"]
    df = pd.DataFrame([[edition, e, i, "", "", "", v, ""] for e, i, v in rows], columns=heads)
    return write_xlsx(
        {"Bewertung": df},
        tmp_path / f"bewertung_{edition}_{rater}.xlsx",
        title_rows={"Bewertung": ["Bewertungsbogen", "Skala"]},
    )


def test_read_back_validates_every_row(tmp_path):
    """Unknown entries, ratings outside 0–4 and another edition's sheet are reported; blanks are missing."""
    design = pd.DataFrame({"entry_id": ["A", "A", "B", "B"], "rater": ["G1", "G2", "G1", "G2"]})
    p1 = _sheet(tmp_path, "G1", [("A", "F01", 3), ("B", "F01", 7), ("Q", "F01", 2)])
    p2 = _sheet(tmp_path, "G2", [("A", "F01", 2), ("B", "F01", None)])
    p3 = _sheet(tmp_path, "G3", [("A", "F01", 2)], edition="2009")
    ret = read_rating_sheets(
        [p1, p2, p3],
        edition="demo2010",
        design=design,
        accepted={"A", "B"},
        rubric_items=["F01"],
        raters=["G1", "G2", "G3"],
    )
    checks = set(ret.failures["check"])
    assert {"bad_rating", "unknown_entry", "other_edition"} <= checks
    assert len(ret.ratings) == 2  # A/G1 = 3, A/G2 = 2
    assert set(zip(ret.missing["entry_id"], ret.missing["rater"], strict=True)) == {("B", "G1"), ("B", "G2")}
    assert "fehlen" in ret.summary()


def test_per_text_below_one_is_a_config_error_with_the_one_message_shape():
    """per_text=0 is refused by the one parameter check, with the message it always had."""
    with pytest.raises(ConfigError) as err:
        design_ratings(ENTRIES, RATERS, per_text=0)
    assert str(err.value) == "The 'per_text' parameter of design_ratings must be ≥ 1. Got 0 instead."


def test_unknown_model_message_lists_the_models_in_order_and_names_the_function():
    """The options appear in their documented order (not a set's), and text_scores names itself."""
    empty = pd.DataFrame(columns=["entry_id", "item", "rater", "rating"])
    with pytest.raises(ConfigError) as err:
        text_scores(empty, "rasch")  # type: ignore[arg-type]
    assert str(err.value) == (
        "The 'model' parameter of text_scores must be one of "
        "{'none', 'mean_shift', 'zscore', 'additive'}. Got 'rasch' instead."
    )


def test_read_back_in_english_names_columns_and_reasons_in_english(tmp_path):
    """Under lang='en' every reason, fix and column of the failure table is English; rows are integers."""
    design = pd.DataFrame({"entry_id": ["A", "B"], "rater": ["G1", "G1"]})
    p1 = _sheet(tmp_path, "G1", [("A", "Q1", 9), ("Z", "Q1", 2)])
    ret = read_rating_sheets(
        [p1, tmp_path / "bewertung_demo2010_G7.csv"],
        edition="demo2010",
        design=design,
        accepted={"A", "B"},
        rubric_items=["Q1"],
        raters=["G1", "G2"],
        lang="en",
    )
    f = ret.failures.set_index("check")
    assert f.at["bad_rating", "column"] == "Rating" and f.at["unknown_entry", "column"] == "Entry"
    assert f.at["bad_rating", "reason"] == "'9' is not a rating from 0 to 4."
    assert f.at["unknown_rater", "fix"] == "Name the file bewertung_<edition>_<id>.xlsx."
    assert f.at["no_ratings", "reason"] == "Rater G1 rated nothing."
    assert ret.failures["row"].dtype == "Int64"
    assert ret.failures["row"].tolist()[:2] == [4, 5] and ret.failures["row"].isna().sum() == 2


def test_rating_sheets_list_the_rated_items_and_the_questionnaires_scale(project_root):
    """One sheet per evaluator: a row per entry and rated item; the scale comes from the rating_scale role."""
    from vielfalt.config.questionnaire import load_questionnaire, questionnaire_path
    from vielfalt.ratings import rating_sheets

    q = load_questionnaire(questionnaire_path("vg2010", params_dir=project_root / "params"))
    rated = [it.id for it in q.rated_items()]
    accepted = pd.DataFrame({i: [f"text {i}", None] for i in rated}, index=["A", "B"], dtype=object)
    design = pd.DataFrame({"entry_id": ["A", "B", "A"], "rater": ["G1", "G1", "G2"]})
    sheets = rating_sheets(design, accepted, q, edition="demo2010", title="VG 2010", lang="en")
    assert [s.rater for s in sheets] == ["G1", "G2"]
    g1 = sheets[0]
    assert g1.file_name == "bewertung_demo2010_G1.xlsx" and g1.sheet == "Rating"
    assert g1.table["item"].tolist() == rated * 2 and g1.table["text"].iloc[-1] == ""
    assert g1.headings[:2] == ["Edition", "Entry"] and g1.title[0] == "Rating sheet VG 2010 — evaluator G1"
    assert "0 = not evident" in g1.title[1] and "4 = outstanding" in g1.title[1]
    assert g1.validations == [(f"G4:G{3 + 2 * len(rated)}", "0,1,2,3,4", "rating 0–4")]
