"""Tests of answers → indicators (vielfalt.scoring.items) on hand-made answers with hand-computed scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vielfalt.config.questionnaire import load_questionnaire
from vielfalt.scoring.items import TOTAL, score_items, sgb9_required

Q = load_questionnaire(Path(__file__).resolve().parents[1] / "params" / "questionnaire" / "vg2010.yaml")


def entries(*rows: dict) -> pd.DataFrame:
    """Typed entries as intake writes them: multi → bool, single → code or None, numbers → float."""
    base = {}
    for _, it in Q.iter_items():
        for c in it.columns():
            if it.type == "multi" and not c.endswith("[other]"):
                base[c] = False
            elif it.type in ("numeric", "multinumeric"):
                base[c] = np.nan
            elif c.endswith("[other]") or it.type in ("text", "multitext"):
                base[c] = ""
            else:
                base[c] = None
    data = [{**base, **r} for r in rows]
    return pd.DataFrame(data, index=[f"E{i}" for i in range(len(rows))])


def ticks(item: str, *codes: str) -> dict:
    """Tick the given options of a multiple-choice item."""
    return {f"{item}[{c}]": True for c in codes}


def test_map_rule_depends_on_category():
    """D03 'Inhaber/in' gives 1.0 in a small firm, 0.5 in a medium one, 0.3 in a large one (YAML points)."""
    e = entries(*({"category": c, "D03": "INH"} for c in ("klein", "mittel", "gross")))
    s = score_items(e, Q).indicators["D03"]
    assert s.tolist() == [1.0, 0.5, 0.3]


def test_not_expected_item_is_nan_for_small_firms():
    """The budget item D04 is not expected of small firms: NaN (weight spread), not zero."""
    e = entries({"category": "klein", "D04": "KEIN"}, {"category": "mittel", "D04": "B5"})
    s = score_items(e, Q).indicators["D04"]
    assert np.isnan(s.iloc[0]) and s.iloc[1] == 0.6


def test_missing_answer_zero_or_nan():
    """An unanswered expected item counts 0 by default, NaN when missing='nan'."""
    e = entries({"category": "gross", "D01": None})
    assert score_items(e, Q).indicators["D01"].iloc[0] == 0.0
    assert np.isnan(score_items(e, Q, missing="nan").indicators["D01"].iloc[0])


def test_yesno_points():
    """D02 Charta signed: yes = 1, no = 0."""
    e = entries({"category": "gross", "D02": True}, {"category": "gross", "D02": False})
    assert score_items(e, Q).indicators["D02"].tolist() == [1.0, 0.0]


def test_count_capped_per_category():
    """B01: 3 dimensions ticked → klein (cap 3) 1.0, gross (cap 5) 0.6."""
    t = ticks("B01", "alter", "herkunft", "familie")
    e = entries({"category": "klein", **t}, {"category": "gross", **t})
    assert score_items(e, Q).indicators["B01"].tolist() == pytest.approx([1.0, 0.6])


def test_count_capped_excludes_options():
    """B03: only 'recht' ticked gives 0 (motivation beyond legal duty); any other reason gives 1."""
    e = entries(
        {"category": "gross", **ticks("B03", "recht")},
        {"category": "gross", **ticks("B03", "recht", "werte")},
    )
    assert score_items(e, Q).indicators["B03"].tolist() == [0.0, 1.0]


def test_exclusive_none_option_counts_nothing():
    """D07 'keine' ticked alone scores 0."""
    e = entries({"category": "gross", **ticks("D07", "keine")})
    assert score_items(e, Q).indicators["D07"].iloc[0] == 0.0


def test_best_n_fields_small_firm():
    """Klein: N = 4 best fields, cap 2 each. Fields with 1, 3, 2 measures → (0.5 + 1 + 1 + 0)/4 = 0.625."""
    e = entries(
        {
            "category": "klein",
            **ticks("C01", "stellenanzDivers"),
            **ticks("C03", "sprachkurse", "mentoring", "wbAeltere"),
            **ticks("C05", "flexArbeitszeit", "telearbeit"),
        }
    )
    s = score_items(e, Q)
    assert s.fields.loc["E0", "C01"] == 0.5 and s.fields.loc["E0", "C03"] == 1.0
    assert s.indicators["C_bestN"].iloc[0] == pytest.approx(0.625)


def test_best_n_fields_large_firm():
    """Gross: N = 8, cap 4. The same three fields → (0.25 + 0.75 + 0.5)/8 = 0.1875."""
    e = entries(
        {
            "category": "gross",
            **ticks("C01", "stellenanzDivers"),
            **ticks("C03", "sprachkurse", "mentoring", "wbAeltere"),
            **ticks("C05", "flexArbeitszeit", "telearbeit"),
        }
    )
    assert score_items(e, Q).indicators["C_bestN"].iloc[0] == pytest.approx(0.1875)


def test_baseline_options_score_nothing_and_flag_when_missing():
    """The AGG complaints body is a duty: ticking it adds no points; not ticking it raises legal_gap."""
    e = entries(
        {"category": "klein", **ticks("C08", "beschwerdestelle")},
        {"category": "klein", **ticks("C08", "aggSchulung")},
    )
    s = score_items(e, Q)
    assert s.fields["C08"].tolist() == [0.0, 0.5]
    assert s.flags["legal_gap:C08:beschwerdestelle"].tolist() == [False, True]


def test_other_measures_do_not_count_until_checked():
    """A free 'other' measure adds nothing and raises unvalidated_other."""
    e = entries({"category": "klein", "C01[other]": "Patenschaften"})
    s = score_items(e, Q)
    assert s.fields.loc["E0", "C01"] == 0.0
    assert s.flags["unvalidated_other:C01"].iloc[0]


def test_likert_mean_ignores_cannot_judge():
    """E01 answers 5, 3, 9 (cannot judge): mean of 5 and 3 = 4 → (4−1)/4 = 0.75; all 9 → NaN."""
    r1 = {"category": "gross", "E01[bewerberlage]": "5", "E01[bindung]": "3", "E01[klima]": "9"}
    r2 = {"category": "gross", **{f"E01[{s.code}]": "9" for s in Q.item("E01").subs}}
    vals = score_items(entries(r1, r2), Q).indicators["E01"]
    assert vals.iloc[0] == pytest.approx(0.75) and np.isnan(vals.iloc[1])


def test_rubric_from_ratings():
    """F01 rated 3 on 0–4 → 0.75; without ratings the rubric indicators are NaN."""
    e = entries({"category": "gross"})
    rub = pd.DataFrame({"F01": [3.0]}, index=["E0"])
    assert score_items(e, Q, rubric=rub).indicators["F01"].iloc[0] == 0.75
    assert np.isnan(score_items(e, Q).indicators["F01"].iloc[0])


@pytest.mark.parametrize(
    ("places", "req"),
    [(0, 0), (19, 0), (20, 1), (39, 1), (40, 2), (59, 2), (60, 3), (69, 3), (70, 4), (250, 13)],
)
def test_sgb9_quota(places, req):
    """§ 154 SGB IX: 1 place from 20, 2 from 40, 5 % rounded half up from 60 (69 → 3.45 → 3; 70 → 3.5 → 4)."""
    assert sgb9_required(places) == req


def test_sgb9_flag():
    """Quota missed → flag; quota met or not applicable → no flag."""
    e = entries(
        {"category": "mittel", "A11[plaetze]": 100.0, "A11[sb]": 4.0},
        {"category": "mittel", "A11[plaetze]": 100.0, "A11[sb]": 5.0},
        {"category": "klein", "A11[plaetze]": 15.0, "A11[sb]": 0.0},
    )
    assert score_items(e, Q).flags["sgb9_quota"].tolist() == [True, False, False]


def test_hierarchy_and_category_weights():
    """Leaves point to sections, sections to the total; section points come from the category's weights."""
    s = score_items(entries({"category": "klein"}, {"category": "gross"}), Q)
    assert s.parents["C_bestN"] == "C" and s.parents["C"] == TOTAL and s.parents[TOTAL] is None
    assert s.parents["D04"] == "D" and "A01" not in s.parents
    assert s.weights["klein"]["D"] == 11 and s.weights["gross"]["D"] == 15
    assert s.weights["gross"]["D02"] == 0.5


def test_indicators_in_unit_interval():
    """Every indicator is within [0, 1] or NaN."""
    e = entries({"category": "gross", **ticks("B01", *[o.code for o in Q.item("B01").options])})
    v = score_items(e, Q).indicators.to_numpy(float)
    assert np.all((v[~np.isnan(v)] >= 0) & (v[~np.isnan(v)] <= 1))
