"""Tests of scoring (vielfalt.scoring): totals, ranks within category, contributions, items, weights."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.test_items import Q, entries, ticks
from vielfalt import composite
from vielfalt.config.edition import ScoringSettings
from vielfalt.exceptions import ConfigError, DataError, VielfaltWarning
from vielfalt.i18n import t
from vielfalt.scoring import (
    FLAG_LABELS,
    category_weights,
    cronbach_alpha,
    item_analysis,
    normalised_weights,
    score_entries,
    score_items,
    section_weights,
)


def _demo_like():
    rows = []
    for i, c in enumerate(["klein"] * 4 + ["gross"] * 3):
        r = {
            "category": c,
            "D01": str(i % 4),
            "D02": bool(i % 2),
            "D03": "INH",
            **ticks("B01", "alter", "familie"),
        }
        r.update(ticks("C01", *["stellenanzDivers", "anonymBewerbung"][: i % 3]))
        rows.append(r)
    e = entries(*rows)
    text = pd.DataFrame({"F01": np.arange(7) % 5, "F02": 2.0}, index=e.index, dtype=float)
    return e, text


def test_total_is_weighted_mean_of_sections_on_0_100():
    """With amean, the total is Σ points_S · section_S / Σ points over the present sections (hand formula)."""
    e, text = _demo_like()
    res = score_entries(e, Q, text_scores=text)
    w = Q.section_weights("gross")
    row = res.scores.loc["E6"]
    secs = [s for s in ("B", "C", "D", "E", "F") if not np.isnan(row[s])]
    expected = sum(w[s] * row[s] for s in secs) / sum(w[s] for s in secs)
    assert row["total"] == pytest.approx(expected)
    assert ((res.scores["total"] >= 0) & (res.scores["total"] <= 100)).all()


def test_contributions_add_up_to_the_total():
    """The points each indicator carried sum to the entry's total."""
    e, text = _demo_like()
    res = score_entries(e, Q, text_scores=text)
    assert np.allclose(res.contributions.sum(axis=1), res.scores["total"])


def test_ranks_are_within_category_with_shared_ties():
    """Ranks restart in each category; equal totals share the lowest rank."""
    e, text = _demo_like()
    res = score_entries(e, Q, text_scores=text)
    for _, part in res.scores.groupby("category"):
        expected = part["total"].rank(ascending=False, method="min")
        assert res.ranks.loc[part.index, "total"].tolist() == expected.astype(int).tolist()


def test_no_weight_warning_for_points_out_of_100():
    """Section points of 100 are a stated convention, not an inconsistency: no warning."""
    e, text = _demo_like()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score_entries(e, Q, text_scores=text)


def test_settings_change_the_method_without_code():
    """Another normalisation or aggregation from the settings gives a different, still complete result."""
    e, text = _demo_like()
    nominal = score_entries(e, Q, text_scores=text)
    settings = ScoringSettings(normalisation="minmax", aggregation="median")
    # the hand data has constant indicators within categories: the engine must say so, not hide it
    with pytest.warns(VielfaltWarning, match="no spread"), pytest.warns(VielfaltWarning, match="unweighted"):
        other = score_entries(e, Q, settings, text_scores=text)
    assert other.scores["total"].notna().all()
    assert not np.allclose(other.scores["total"], nominal.scores["total"])


def test_cronbach_alpha_by_hand():
    """Three items over four persons: k/(k−1)·(1 − Σ var_i/var_total) computed by hand = 0.9."""
    x = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 3, 4, 4], "c": [1, 3, 3, 5]})
    # var a = 1.6667, var b = 0.9167, var c = 2.6667 → Σ = 5.25; totals 4, 8, 10, 13 → var = 14.25
    assert cronbach_alpha(x) == pytest.approx(1.5 * (1 - 5.25 / 14.25))


def test_item_analysis_reports_floor_ceiling_and_na():
    """Item analysis: D04 is not expected of small firms (na_share 1), shares lie in [0, 1]."""
    e, text = _demo_like()
    a = item_analysis(score_entries(e, Q, text_scores=text))
    d04 = a[(a["category"] == "klein") & (a["indicator"] == "D04")].iloc[0]
    assert d04["na_share"] == 1.0 and d04["n"] == 0
    shares = a[["floor", "ceiling", "na_share"]].stack().dropna()
    assert shares.between(0, 1).all()


# ------------------------------------------------------------------------------------------------------
# one weight normalisation, one section_weights, one aggregation by category


def test_section_weights_from_item_scores_and_from_the_weights_artefact_agree():
    """section_weights reads ItemScores.weights and the scoring/weights artefact alike; they sum to 1."""
    e, text = _demo_like()
    its = score_entries(e, Q, text_scores=text).items
    sections = [c for c, p in its.parents.items() if p == "total"]
    artefact = pd.DataFrame(its.weights).rename_axis("code").reset_index()
    for c in its.weights:
        from_items = section_weights(its.weights, c, sections)
        assert from_items == section_weights(artefact, c, sections)
        assert list(from_items) == sections and sum(from_items.values()) == pytest.approx(1.0)
        points = Q.section_weights(c)
        assert from_items[sections[0]] == points[sections[0]] / sum(points[s] for s in sections)


def test_section_weights_missing_or_zero_weigh_nothing():
    """A section without a weight weighs 0; weights that sum to 0 stay 0 (no division by zero)."""
    assert section_weights({"k": {"S1": 3.0}}, "k", ["S1", "S2"]) == {"S1": 1.0, "S2": 0.0}
    assert section_weights({"k": {"S1": 0.0, "S2": 0.0}}, "k", ["S1", "S2"]) == {"S1": 0.0, "S2": 0.0}


def test_normalised_weights_by_hand():
    """Weights sum to 1 within each parent; a code without a weight weighs 1, as in the composite engine."""
    parents = {"Q1": "S", "Q2": "S", "Q3": "R", "S": "total", "R": "total", "total": None}
    got = normalised_weights({"Q1": 1.0, "Q2": 3.0, "S": 60.0, "R": 20.0}, parents)
    assert got == {"Q1": 0.25, "Q2": 0.75, "Q3": 1.0, "S": 0.75, "R": 0.25}


def test_score_entries_totals_are_aggregate_by_group_with_category_weights():
    """The scoring totals are exactly composite.aggregate_by_group with category_weights, times the scale."""
    e, text = _demo_like()
    res = score_entries(e, Q, text_scores=text)
    agg = composite.aggregate_by_group(
        res.indicators, res.items.parents, groups=e["category"], weights=category_weights(res.items)
    )
    pd.testing.assert_series_equal(agg["total"] * 100.0, res.scores["total"], check_exact=True)


def test_jury_section_totals_equal_the_weighted_means_by_hand():
    """The jury's totals (composite.aggregate_by_group + section_weights) equal the formulas written out."""
    from vielfalt.jury import section_totals

    e, text = _demo_like()
    res = score_entries(e, Q, text_scores=text)
    artefact = pd.DataFrame(res.items.weights).rename_axis("code").reset_index()
    sections = [c for c in res.scores.columns if c not in ("total", "category")]
    cat = res.scores["category"]
    scores = res.scores[sections] + 1.0  # positive for gmean/hmean
    raw = artefact.set_index("code")
    for aggregation in ("amean", "gmean", "hmean", "median"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", VielfaltWarning)
            jury = section_totals(scores, cat, artefact, aggregation=aggregation)
        for entry, row in scores.iterrows():
            w = np.array([float(raw[cat[entry]].get(s, 0.0)) for s in sections])
            x = row.to_numpy(dtype=float)
            keep = ~np.isnan(x)
            w, x = w[keep] / w[keep].sum(), x[keep]
            expected = {
                "amean": float(np.sum(w * x)),
                "gmean": float(np.exp(np.sum(w * np.log(x)))),
                "hmean": float(1.0 / np.sum(w / x)),
                "median": float(np.median(x)),
            }[aggregation]
            assert jury[entry] == pytest.approx(expected, rel=1e-12), (aggregation, entry)


def test_messages_follow_the_language():
    """Scoring's errors and flag labels come from the catalogue in the reader's language."""
    e, _ = _demo_like()
    with pytest.raises(DataError, match="No accepted entries"):
        score_entries(e.iloc[:0], Q, lang="en")
    with pytest.raises(DataError, match="Keine angenommenen Einträge"):
        score_entries(e.iloc[:0], Q)
    with pytest.raises(DataError, match="needs the column 'category'"):
        score_items(e.drop(columns="category"), Q, lang="en")
    assert FLAG_LABELS["sgb9_quota"] == {
        "de": t("scoring.flag_sgb9_quota", "de"),
        "en": t("scoring.flag_sgb9_quota", "en"),
    }


def test_missing_rule_is_checked_in_the_common_shape():
    """An unknown N/A rule is a ConfigError in scikit-learn's message shape, options in their order."""
    e, _ = _demo_like()
    with pytest.raises(ConfigError) as err:
        score_items(e, Q, missing="skip")
    assert str(err.value) == (
        "The 'missing' parameter of score_items must be one of {'zero', 'nan'}. Got 'skip' instead."
    )


def test_no_questionnaire_codes_in_scoring_robustness_and_the_engines():
    """The instrument is data: no item code, section letter or scale id of the real instrument is named."""
    import re
    from pathlib import Path

    src = Path(composite.__file__).resolve().parents[1]
    files = [
        p for sub in ("composite", "sensitivity", "robustness", "scoring") for p in (src / sub).glob("*.py")
    ]
    files += [src / "messages" / f"{ns}.yaml" for ns in ("composite", "sensitivity", "robustness", "scoring")]
    items = "|".join(it.id for _, it in Q.iter_items())
    letters = "".join(s.id for s in Q.sections if len(s.id) == 1)
    scales = "|".join(map(re.escape, Q.scales))
    code = re.compile(rf"\b({items}|{scales})\b|(Abschnitt|[Ss]ection) [{letters}]\b")
    found = [f"{p.name}: {m.group()}" for p in files for m in code.finditer(p.read_text(encoding="utf-8"))]
    assert found == []
