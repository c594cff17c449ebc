"""Tests of scoring (vielfalt.scoring.scores): totals, ranks within category, contributions, item analysis."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.test_items import Q, entries, ticks
from vielfalt.config.edition import ScoringSettings
from vielfalt.exceptions import VielfaltWarning
from vielfalt.scoring.scores import cronbach_alpha, item_analysis, score_entries


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
    """With amean, the total equals Σ points_S · section_S / Σ points over the present sections (hand formula)."""
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
    for c, part in res.scores.groupby("category"):
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
