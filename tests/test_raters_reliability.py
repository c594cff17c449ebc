"""Tests of the reliability and agreement statistics in vielfalt.ratings, against published worked examples.

Every expected number below is copied from a publication or from the documented output of the reference
implementation (R's irr / psych), never from this package's own output. Sources, short names used below:

- Krippendorff (2011): K. Krippendorff, "Computing Krippendorff's Alpha-Reliability", Annenberg School for
  Communication, https://repository.upenn.edu/asc_papers/43 — the same examples are in Krippendorff (2004),
  *Content Analysis*, 2nd ed., pp. 224–230, and are the fixtures of DKPro Statistics
  (dkpro/dkpro-statistics, ``.../coding/Krippendorff2004Test.java``).
- Shrout & Fleiss (1979), Psychological Bulletin 86(2), Table 2 (data) and Table 4 (ICCs); psych::ICC output
  on the same data as printed in D. Wollschläger's R examples (dwoll/RExRepos, ``md/interRaterICC.md``).
- Fleiss (1971), Psychological Bulletin 76(5), p. 379 (30 patients × 6 psychiatrists); DKPro Statistics
  ``Fleiss1971Test.java``; irr::kappam.fleiss output in dwoll/RExRepos.
- Wikipedia, "Fleiss' kappa", worked example (10 subjects × 14 raters × 5 categories).
- Wikipedia, "Cohen's kappa", example 1 (50 grant proposals); Cohen (1960), p. 45 (200 items).
- R package irr, data set ``anxiety`` (20 subjects × 3 raters): irr::kappa2, irr::kendall and psych::ICC
  output as recorded in sophiedkk/pyirr ``tests/test_kappa2.py``, ``tests/test_kendall.py``,
  ``tests/test_icc.py`` and in the tutorial "Agreement and Reliability (Kappa and ICC)" (psych::ICC to 7
  digits, irr::kappa2 with all three weightings).
"""

from __future__ import annotations

import doctest
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import cohen_kappa_score

from vielfalt import ratings
from vielfalt.exceptions import ConfigError, DataError, VielfaltWarning
from vielfalt.ratings import (
    KendallW,
    agreement,
    cohen_kappa,
    fleiss_kappa,
    icc,
    kendall_w,
    krippendorff_alpha,
)
from vielfalt.ratings import reliability as raters

NAN = np.nan

# Krippendorff (2011), section "C. Nominal data, any number of observers, missing values" (and the
# following sections for the other metrics): observers A–D × units 1–12, "." = missing.
KRIPP_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
)

# irr::anxiety (20 subjects × 3 raters), as shipped with R's irr and DescTools::KendallW's example.
ANXIETY = np.array(
    [
        [3, 3, 2], [3, 6, 1], [3, 4, 4], [4, 6, 4], [5, 2, 3], [5, 4, 2], [2, 2, 1], [3, 4, 6], [5, 3, 1],
        [2, 3, 1], [2, 2, 1], [6, 3, 2], [1, 3, 3], [5, 3, 3], [2, 2, 1], [2, 2, 1], [1, 1, 3], [2, 3, 3],
        [4, 3, 2], [3, 4, 2],
    ]
)  # fmt: skip

# Shrout & Fleiss (1979), Table 2: 6 targets × 4 judges.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], dtype=float
)

# Fleiss (1971), p. 379: diagnoses of 30 patients by 6 of 43 psychiatrists; 1 depression, 2 personality
# disorder, 3 schizophrenia, 4 neurosis, 5 other (as in DKPro's Fleiss1971Test and irr::diagnoses).
FLEISS_1971 = [
    (4, 4, 4, 4, 4, 4), (2, 2, 2, 5, 5, 5), (2, 3, 3, 3, 3, 5), (5, 5, 5, 5, 5, 5), (2, 2, 2, 4, 4, 4),
    (1, 1, 3, 3, 3, 3), (3, 3, 3, 3, 5, 5), (1, 1, 3, 3, 3, 4), (1, 1, 4, 4, 4, 4), (5, 5, 5, 5, 5, 5),
    (1, 4, 4, 4, 4, 4), (1, 2, 4, 4, 4, 4), (2, 2, 2, 3, 3, 3), (1, 4, 4, 4, 4, 4), (2, 2, 4, 4, 4, 5),
    (3, 3, 3, 3, 3, 5), (1, 1, 1, 4, 5, 5), (1, 1, 1, 1, 1, 2), (2, 2, 4, 4, 4, 4), (1, 3, 3, 5, 5, 5),
    (5, 5, 5, 5, 5, 5), (2, 4, 4, 4, 4, 4), (2, 2, 4, 5, 5, 5), (1, 1, 4, 4, 4, 4), (1, 4, 4, 4, 4, 5),
    (2, 2, 2, 2, 2, 4), (1, 1, 1, 1, 5, 5), (2, 2, 4, 4, 4, 4), (1, 3, 3, 3, 3, 3), (5, 5, 5, 5, 5, 5),
]  # fmt: skip

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories (counts).
FLEISS_WIKIPEDIA = np.array(
    [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
)  # fmt: skip


def _counts(rows: list[tuple[int, ...]], categories: list[int]) -> np.ndarray:
    """Turn one label per rater and subject into the subjects × categories count table."""
    return np.array([[row.count(c) for c in categories] for row in rows])


def _expand(table: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Turn a two-rater contingency table into the two label vectors it counts."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return np.array(a), np.array(b)


# ---------------------------------------------------------------------------------------------------------
# Krippendorff's alpha
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_reproduces_krippendorff_2011_four_observers_with_missing_values(level, published):
    """Krippendorff (2011) 4 observers × 12 units with missing data: α = .743/.815/.849/.797 by level."""
    assert round(krippendorff_alpha(KRIPP_2011, level), 3) == published


def test_alpha_reproduces_krippendorff_binary_example():
    """Krippendorff (2011; 2004, p. 224) binary data, 2 observers × 10 units: α = 0.095."""
    data = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert round(krippendorff_alpha(data, "nominal"), 3) == 0.095


def test_alpha_reproduces_krippendorff_2004_three_categories():
    """Krippendorff (2004, p. 227) nominal a/b/c, 2 observers × 12 units: α = 0.734 (DKPro fixture)."""
    pairs = ["aa", "ab", "bb", "bb", "bb", "bb", "bc", "cc", "cc", "cc", "cc", "cc"]
    code = {"a": 1, "b": 2, "c": 3}
    data = [[code[p[0]] for p in pairs], [code[p[1]] for p in pairs]]
    assert round(krippendorff_alpha(data, "nominal"), 3) == 0.734


@pytest.mark.parametrize("level", raters.LEVELS)
def test_alpha_drops_units_with_a_single_value(level):
    """Unit 12 of the 2011 example has one value; dropping it or adding more such units changes nothing."""
    full = krippendorff_alpha(KRIPP_2011, level)
    without = krippendorff_alpha(KRIPP_2011[:, :11], level)
    # a lone extreme value must not enter the ordinal value domain or the expected disagreement
    lone = np.column_stack([KRIPP_2011, [NAN, 9, NAN, NAN]])
    assert full == pytest.approx(without, abs=1e-12)
    assert krippendorff_alpha(lone, level) == pytest.approx(full, abs=1e-12)


def test_alpha_ignores_a_rater_who_rated_nothing():
    """An all-missing row (a rater without ratings) leaves α unchanged."""
    padded = np.vstack([KRIPP_2011, np.full(12, NAN)])
    assert krippendorff_alpha(padded, "ordinal") == pytest.approx(krippendorff_alpha(KRIPP_2011, "ordinal"))


def test_alpha_is_one_when_all_raters_agree():
    """Identical raters on varying units: observed disagreement 0, α = 1 at every level."""
    data = [[0, 1, 2, 3, 4, 2], [0, 1, 2, 3, 4, 2], [0, 1, NAN, 3, 4, 2]]
    for level in raters.LEVELS:
        assert krippendorff_alpha(data, level) == 1.0


def test_alpha_is_nan_without_variation():
    """All pairable values equal: expected disagreement 0, α undefined → NaN with a warning."""
    with pytest.warns(VielfaltWarning, match="no variation"):
        assert np.isnan(krippendorff_alpha([[2, 2, 2, 1], [2, 2, 2, NAN]], "interval"))


def test_alpha_is_nan_without_pairable_units():
    """No unit rated twice: nothing to pair, α undefined → NaN with a warning."""
    with pytest.warns(VielfaltWarning, match="no unit has values from two or more raters"):
        assert np.isnan(krippendorff_alpha([[1, NAN, 3], [NAN, 2, NAN]], "nominal"))


def test_alpha_rejects_an_unknown_level_with_the_sklearn_message():
    """A wrong level name gets the one message shape for bad parameters, verbatim."""
    msg = (
        "The 'level' parameter of krippendorff_alpha must be one of "
        "{'nominal', 'ordinal', 'interval', 'ratio'}. Got 'metric' instead."
    )
    with pytest.raises(ConfigError) as err:
        krippendorff_alpha(KRIPP_2011, "metric")
    assert str(err.value) == msg


def test_alpha_accepts_a_dataframe_with_pd_na():
    """A raters × units DataFrame with nullable integers and pd.NA gives the array's result."""
    frame = pd.DataFrame(KRIPP_2011, index=list("ABCD")).astype("Int64")
    assert krippendorff_alpha(frame, "ordinal") == pytest.approx(krippendorff_alpha(KRIPP_2011, "ordinal"))


@pytest.mark.parametrize(
    ("data", "level", "match"),
    [
        ([1, 2, 3], "nominal", "must be a 2-D table"),
        ([["a", "b"], ["a", "a"]], "nominal", "must hold numbers"),
        ([[-1, 2], [-1, 2]], "ratio", "values >= 0"),
    ],
)
def test_alpha_rejects_unusable_data(data, level, match):
    """1-D input, text and negative ratio data raise DataError saying what to do."""
    with pytest.raises(DataError, match=match):
        krippendorff_alpha(data, level)


# ---------------------------------------------------------------------------------------------------------
# ICC
# ---------------------------------------------------------------------------------------------------------


def test_icc_reproduces_shrout_fleiss_1979_table_4():
    """Shrout & Fleiss (1979) data: ICC(1,1)=.17, (2,1)=.29, (3,1)=.71, (1,4)=.44, (2,4)=.62, (3,4)=.91."""
    table = icc(SHROUT_FLEISS)
    published = {"ICC1": 0.17, "ICC2": 0.29, "ICC3": 0.71, "ICC1k": 0.44, "ICC2k": 0.62, "ICC3k": 0.91}
    assert table["value"].round(2).to_dict() == published


def test_icc_reproduces_psych_tests_and_intervals_on_shrout_fleiss_data():
    """psych::ICC on the Shrout & Fleiss data (RExRepos): F, df, p and 95 % bounds as printed."""
    table = icc(SHROUT_FLEISS)
    assert table["F"].round(1).tolist() == [1.8, 11.0, 11.0, 1.8, 11.0, 11.0]
    assert table["df1"].tolist() == [5, 5, 5, 5, 5, 5]
    assert table["df2"].tolist() == [18, 15, 15, 18, 15, 15]
    assert table["p_value"].round(5).tolist() == [0.16477, 0.00013, 0.00013, 0.16477, 0.00013, 0.00013]
    assert table["ci_lower"].round(3).tolist() == [-0.133, 0.019, 0.342, -0.884, 0.071, 0.676]
    assert table["ci_upper"].round(2).tolist() == [0.72, 0.76, 0.95, 0.91, 0.93, 0.99]


def test_icc_reproduces_psych_on_irr_anxiety_to_seven_digits():
    """psych::ICC(irr::anxiety) to 6 of its 7 digits; irr::icc ICC(A,1) = .198 [-.039, .494].

    psych's 7th digit is off the exact ANOVA value (ICC3 = 35/162 = 0.21604938…, printed 0.2160493),
    presumably because current psych takes the mean squares from lme4 variance components by default.
    """
    table = icc(ANXIETY)
    values = [0.1750225, 0.1979983, 0.2160493, 0.3889259, 0.4254988, 0.4525861]
    lower = [-0.07744650, -0.03891068, -0.04625793, -0.27492318, -0.12658288, -0.15292145]
    upper = [0.4843362, 0.4935740, 0.5222590, 0.7380652, 0.7451493, 0.7663308]
    np.testing.assert_allclose(table["value"], values, rtol=0, atol=5e-7)
    np.testing.assert_allclose(table["ci_lower"], lower, rtol=0, atol=5e-7)
    np.testing.assert_allclose(table["ci_upper"], upper, rtol=0, atol=5e-7)
    assert table.loc["ICC3", "value"] == pytest.approx(35 / 162, rel=1e-12)
    assert table.loc["ICC2", ["value", "ci_lower", "ci_upper"]].round(3).tolist() == [0.198, -0.039, 0.494]


def test_icc_matches_an_independent_anova_from_statsmodels():
    """Mean squares from statsmodels' two-way ANOVA, put into Shrout & Fleiss' Table 1 formulas, agree."""
    smf = pytest.importorskip("statsmodels.formula.api")
    sm_stats = pytest.importorskip("statsmodels.stats.api")
    n, k = SHROUT_FLEISS.shape
    long = pd.DataFrame(
        {
            "y": SHROUT_FLEISS.ravel(),
            "target": np.repeat(np.arange(n), k),
            "judge": np.tile(np.arange(k), n),
        }
    )
    aov = sm_stats.anova_lm(smf.ols("y ~ C(target) + C(judge)", data=long).fit())
    bms, jms, ems = aov["mean_sq"]
    oneway = sm_stats.anova_lm(smf.ols("y ~ C(target)", data=long).fit())
    wms = oneway.loc["Residual", "mean_sq"]
    expected = [
        (bms - wms) / (bms + (k - 1) * wms),
        (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
        (bms - ems) / (bms + (k - 1) * ems),
        (bms - wms) / bms,
        (bms - ems) / (bms + (jms - ems) / n),
        (bms - ems) / bms,
    ]
    table = icc(SHROUT_FLEISS)
    np.testing.assert_allclose(table["value"], expected, rtol=1e-10)
    np.testing.assert_allclose(table.loc["ICC1", "F"], bms / wms, rtol=1e-10)
    np.testing.assert_allclose(table.loc["ICC3", "F"], bms / ems, rtol=1e-10)


def test_icc_labels_every_form_both_ways():
    """Rows ICC1…ICC3k carry the Shrout & Fleiss and the McGraw & Wong names, and the documented columns."""
    table = icc(pd.DataFrame(SHROUT_FLEISS, columns=list("ABCD")))
    assert table.index.tolist() == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    assert table["shrout_fleiss"].tolist() == [
        "ICC(1,1)",
        "ICC(2,1)",
        "ICC(3,1)",
        "ICC(1,k)",
        "ICC(2,k)",
        "ICC(3,k)",
    ]
    assert table["mcgraw_wong"].tolist() == [
        "ICC(1)",
        "ICC(A,1)",
        "ICC(C,1)",
        "ICC(k)",
        "ICC(A,k)",
        "ICC(C,k)",
    ]
    assert table.columns.tolist() == list(raters.ICC_COLUMNS)
    assert table.attrs == {"n_targets": 6, "n_raters": 4, "confidence": 0.95}


def test_icc_names_the_targets_with_missing_values():
    """Incomplete rows raise DataError naming them (no silent listwise deletion)."""
    frame = pd.DataFrame(SHROUT_FLEISS, index=[f"VG-{i}" for i in range(6)])
    frame.iloc[2, 1] = NAN
    frame.iloc[4, 3] = NAN
    with pytest.raises(DataError, match=r"targets \['VG-2', 'VG-4'\] have missing values") as err:
        icc(frame)
    assert err.value.failures["target"].tolist() == ["VG-2", "VG-4"]


def test_icc_narrower_confidence_gives_narrower_intervals():
    """confidence=0.90 intervals lie inside the 95 % ones; the estimates are unchanged."""
    wide, narrow = icc(SHROUT_FLEISS), icc(SHROUT_FLEISS, confidence=0.90)
    assert (narrow["ci_lower"] > wide["ci_lower"]).all() and (narrow["ci_upper"] < wide["ci_upper"]).all()
    pd.testing.assert_series_equal(narrow["value"], wide["value"])


@pytest.mark.parametrize("bad", [0, 1, 1.5, "0.95", True])
def test_icc_rejects_a_confidence_outside_zero_one(bad):
    """confidence must be a float in (0, 1); the message follows the sklearn template."""
    msg = f"The 'confidence' parameter of icc must be a float in the range (0.0, 1.0). Got {bad!r} instead."
    with pytest.raises(ConfigError) as err:
        icc(SHROUT_FLEISS, confidence=bad)
    assert str(err.value) == msg


def test_icc_needs_two_targets_and_two_raters():
    """A single rater column cannot give an ICC."""
    with pytest.raises(DataError, match="at least 2 targets"):
        icc(SHROUT_FLEISS[:, :1])


def test_icc_without_any_variation_is_nan():
    """All ratings equal: every ICC is 0/0 → NaN with a VielfaltWarning, no numpy RuntimeWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = icc(np.full((5, 3), 2.0))
    assert table["value"].isna().all()
    assert [w.category for w in caught] == [VielfaltWarning]


def test_icc_of_raters_who_differ_only_by_a_constant():
    """Rater B = rater A + 1: consistency ICC(3,1) = 1 exactly, agreement ICC(2,1) < 1, with a warning."""
    a = np.array([1.0, 2.0, 4.0, 0.0, 3.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = icc(np.column_stack([a, a + 1]))
    assert table.loc["ICC3", "value"] == 1.0 and table.loc["ICC3k", "value"] == 1.0
    assert table.loc["ICC2", "value"] < 1
    assert table.loc["ICC3", ["ci_lower", "ci_upper"]].tolist() == [1.0, 1.0]
    assert {w.category for w in caught} == {VielfaltWarning}


# ---------------------------------------------------------------------------------------------------------
# Fleiss' kappa
# ---------------------------------------------------------------------------------------------------------


def test_fleiss_kappa_reproduces_fleiss_1971():
    """Fleiss (1971, p. 379), 30 patients × 6 raters × 5 diagnoses: κ = 0.430 (P̄ = .5556, P̄e = .2201)."""
    assert round(fleiss_kappa(_counts(FLEISS_1971, [1, 2, 3, 4, 5])), 3) == 0.430


def test_fleiss_kappa_reproduces_the_wikipedia_example():
    """Wikipedia "Fleiss' kappa", 10 subjects × 14 raters: P̄ = 0.378, P̄e = 0.213, κ = 0.210."""
    n = 14
    p_bar = ((FLEISS_WIKIPEDIA**2).sum(axis=1) - n).mean() / (n * (n - 1))
    p_e = ((FLEISS_WIKIPEDIA.sum(axis=0) / FLEISS_WIKIPEDIA.sum()) ** 2).sum()
    # the published intermediate values confirm the transcription of the table
    assert (round(p_bar, 3), round(p_e, 3)) == (0.378, 0.213)
    assert round(fleiss_kappa(FLEISS_WIKIPEDIA), 3) == 0.210


def test_fleiss_kappa_is_nan_when_chance_agreement_is_one():
    """Every rating in one category: P̄e = 1, κ = 0/0 → NaN with a warning, no division by zero."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = fleiss_kappa([[0, 4, 0], [0, 4, 0], [0, 4, 0]])
    assert np.isnan(value)
    assert [w.category for w in caught] == [VielfaltWarning]
    assert "chance agreement is 1" in str(caught[0].message)


def test_fleiss_kappa_names_rows_with_another_number_of_raters():
    """Rows must sum to the same n; the message and failure table name the odd rows and their sums."""
    counts = pd.DataFrame(FLEISS_WIKIPEDIA, index=[f"S{i}" for i in range(1, 11)])
    counts.iloc[3, 0] += 1
    with pytest.raises(DataError, match=r"most rows sum to 14, rows \{'S4': 15\} do not") as err:
        fleiss_kappa(counts)
    assert err.value.failures.to_dict("list") == {"subject": ["S4"], "row_sum": [15]}


@pytest.mark.parametrize(
    ("counts", "match"),
    [
        ([[1.5, 0.5], [1, 1]], "whole numbers"),
        ([[-1, 3], [1, 1]], "whole numbers"),
        ([[NAN, 2], [1, 1]], "whole numbers"),
        ([[1, 0], [0, 1]], "at least 2 raters"),
    ],
)
def test_fleiss_kappa_rejects_unusable_counts(counts, match):
    """Fractional, negative or missing counts and single-rater rows raise DataError."""
    with pytest.raises(DataError, match=match):
        fleiss_kappa(counts)


# ---------------------------------------------------------------------------------------------------------
# Cohen's kappa
# ---------------------------------------------------------------------------------------------------------


def test_cohen_kappa_reproduces_the_wikipedia_grant_proposal_example():
    """Wikipedia "Cohen's kappa": 50 proposals, yes/yes 20, yes/no 5, no/yes 10, no/no 15 → κ = 0.4."""
    a, b = _expand([[20, 5], [10, 15]])
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-12)


def test_cohen_kappa_reproduces_cohen_1960():
    """Cohen (1960, p. 45), 200 items in 3 categories: p_o = .70, p_e = .41, κ = .492."""
    a, b = _expand([[88, 14, 18], [10, 40, 10], [2, 6, 12]])
    assert round(cohen_kappa(a, b), 3) == 0.492


def test_cohen_kappa_reproduces_irr_kappa2_examples():
    """irr::kappa2 (RExRepos): unweighted κ = 0.429 (3 categories), linear ("equal") κ = 0.316 (6 ordered)."""
    a, b = _expand([[53, 5, 2], [11, 14, 5], [1, 6, 3]])
    assert round(cohen_kappa(a, b), 3) == 0.429
    table = [
        [5, 8, 1, 2, 4, 2], [3, 5, 3, 5, 5, 0], [1, 2, 6, 11, 2, 1],
        [0, 1, 5, 4, 3, 3], [0, 0, 1, 2, 5, 2], [0, 0, 1, 2, 1, 4],
    ]  # fmt: skip
    a, b = _expand(table)
    assert round(cohen_kappa(a, b, weights="linear"), 3) == 0.316


@pytest.mark.parametrize(
    ("weights", "published"), [(None, 0.1195), ("linear", 0.1892), ("quadratic", 0.2968)]
)
def test_cohen_kappa_reproduces_irr_kappa2_on_anxiety(weights, published):
    """irr::kappa2(anxiety[, 1:2]): unweighted 0.1195, "equal" 0.1892, "squared" 0.2968 (pyirr: 0.297)."""
    assert round(cohen_kappa(ANXIETY[:, 0], ANXIETY[:, 1], weights=weights), 4) == published


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cohen_kappa_matches_scikit_learn(weights, seed):
    """Independent computation: sklearn's cohen_kappa_score on random 0–4 ratings, all weightings."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 5, size=40)
    b = np.clip(a + rng.integers(-2, 3, size=40), 0, 4)
    assert cohen_kappa(a, b, weights=weights) == pytest.approx(cohen_kappa_score(a, b, weights=weights))


def test_cohen_kappa_uses_explicit_labels_for_unused_categories():
    """With category 2 never used, labels=range(5) keeps it in the weight distances (as sklearn does)."""
    a = np.array([0, 1, 3, 4, 4, 1, 0, 3])
    b = np.array([1, 1, 4, 3, 4, 0, 0, 1])
    full = cohen_kappa(a, b, weights="linear", labels=range(5))
    assert full == pytest.approx(cohen_kappa_score(a, b, weights="linear", labels=list(range(5))))
    assert full != pytest.approx(cohen_kappa(a, b, weights="linear"))


def test_cohen_kappa_drops_pairs_with_a_missing_label():
    """A NaN, None or pd.NA on either side drops that subject only."""
    a = [1, 2, 3, 3, NAN, 2, None]
    b = pd.Series([1, 2, 3, 1, 2, pd.NA, 3], dtype="Int64")
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score([1, 2, 3, 3], [1, 2, 3, 1]))


def test_cohen_kappa_is_nan_when_both_raters_use_one_category():
    """Both raters always say 2: chance agreement 1, κ undefined → NaN with a warning."""
    with pytest.warns(VielfaltWarning, match="chance agreement is 1"):
        assert np.isnan(cohen_kappa([2, 2, 2], [2, 2, 2], weights="quadratic"))


def test_cohen_kappa_rejects_an_unknown_weighting():
    """A wrong weights value gets the sklearn-style message, verbatim."""
    msg = (
        "The 'weights' parameter of cohen_kappa must be one of {None, 'linear', 'quadratic'}. "
        "Got 'squared' instead."
    )
    with pytest.raises(ConfigError) as err:
        cohen_kappa([1, 2], [1, 2], weights="squared")
    assert str(err.value) == msg


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "match"),
    [
        ([1, 2, 3], [1, 2], {}, "same subjects"),
        ([1, 2], [3, 4], {"labels": [1, 2, 3]}, "4 occur in the data but not in labels"),
        ([1, 2], [1, 2], {"labels": [1, 2, 1]}, "must not repeat"),
        ([NAN, 1], [2, NAN], {}, "no subject has labels from both raters"),
        ([[1, 2]], [[1, 2]], {}, "must be 1-D"),
        (["a", 1], ["a", 1], {}, "cannot be ordered"),
    ],
)
def test_cohen_kappa_rejects_unusable_labels(a, b, kwargs, match):
    """Length mismatch, unknown or repeated labels, nothing left, tables, unorderable labels: DataError."""
    with pytest.raises(DataError, match=match):
        cohen_kappa(a, b, **kwargs)


def test_cohen_kappa_accepts_text_labels():
    """Nominal text labels work unweighted (the Wikipedia example as yes/no)."""
    a, b = _expand([[20, 5], [10, 15]])
    yes_no = np.array(["yes", "no"])
    assert cohen_kappa(yes_no[a], yes_no[b]) == pytest.approx(0.4)


# ---------------------------------------------------------------------------------------------------------
# Kendall's W
# ---------------------------------------------------------------------------------------------------------


def test_kendall_w_reproduces_irr_without_ties():
    """irr::kendall, 3 raters × 6 subjects without ties (RExRepos): W = 0.568, χ²(5) = 8.52, p = 0.13."""
    ranks = [[1, 6, 3, 2, 5, 4], [1, 5, 6, 2, 4, 3], [2, 3, 6, 5, 4, 1]]
    for correct in (True, False):
        result = kendall_w(ranks, correct_ties=correct)
        assert (round(result.w, 3), round(result.chi2, 2), result.df, round(result.p_value, 2)) == (
            0.568,
            8.52,
            5,
            0.13,
        )
        assert result.tie_corrected is correct


def test_kendall_w_reproduces_irr_tie_corrected_on_anxiety():
    """irr::kendall(anxiety, TRUE), 3 raters × 20 subjects with ties: Wt = 0.54, χ²(19) = 30.8, p = .0429."""
    result = kendall_w(ANXIETY.T)
    assert result.tie_corrected
    assert (round(result.w, 2), round(result.chi2, 1), result.df, round(result.p_value, 4)) == (
        0.54,
        30.8,
        19,
        0.0429,
    )


def test_kendall_w_tie_corrected_equals_friedman():
    """Independent: W = χ²_F / (m(n − 1)) with scipy's tie-corrected Friedman statistic."""
    m, n = ANXIETY.T.shape
    friedman = stats.friedmanchisquare(*ANXIETY)  # one sample per subject, measured by each rater
    result = kendall_w(ANXIETY.T)
    assert result.w == pytest.approx(friedman.statistic / (m * (n - 1)))
    assert result.p_value == pytest.approx(friedman.pvalue)


def test_kendall_w_without_correction_uses_the_plain_denominator():
    """Uncorrected W = 12 S / (m²(n³ − n)) on average ranks, smaller than the tie-corrected W."""
    x = ANXIETY.T
    m, n = x.shape
    rank_sums = stats.rankdata(x, axis=1).sum(axis=0)
    s = ((rank_sums - m * (n + 1) / 2) ** 2).sum()
    plain = kendall_w(x, correct_ties=False)
    assert plain.w == pytest.approx(12 * s / (m**2 * (n**3 - n)))
    assert not plain.tie_corrected and plain.w < kendall_w(x).w


def test_kendall_w_turns_scores_into_ranks():
    """Scores and the ranks they imply give the same W (any monotone rescaling per rater)."""
    scores = ANXIETY.T.astype(float)
    rescaled = scores * np.array([[1.0], [10.0], [0.5]]) + np.array([[0.0], [3.0], [-7.0]])
    assert kendall_w(rescaled).w == pytest.approx(kendall_w(stats.rankdata(scores, axis=1)).w)


def test_kendall_w_is_nan_when_every_rater_ties_everything():
    """With the tie correction and all objects tied for each rater, W is 0/0 → NaN with a warning."""
    with pytest.warns(VielfaltWarning, match="same score"):
        result = kendall_w([[3, 3, 3], [1, 1, 1]])
    assert np.isnan(result.w) and np.isnan(result.p_value)


def test_kendall_w_result_is_a_frozen_dataclass():
    """The result says which W it is and cannot be changed afterwards."""
    result = kendall_w([[1, 2, 3], [1, 3, 2]])
    assert isinstance(result, KendallW)
    with pytest.raises(AttributeError):
        result.w = 0.0  # type: ignore[misc]


def test_kendall_w_names_objects_with_missing_values():
    """Missing scores raise DataError naming the objects (columns)."""
    frame = pd.DataFrame([[1, 2, NAN], [1, 2, 3]], columns=["VG-1", "VG-2", "VG-3"])
    with pytest.raises(DataError, match=r"objects \['VG-3'\] have missing values"):
        kendall_w(frame)


def test_kendall_w_rejects_a_non_bool_correct_ties():
    """correct_ties must be True or False; 1 is refused with the sklearn-style message."""
    msg = "The 'correct_ties' parameter of kendall_w must be one of {True, False}. Got 1 instead."
    with pytest.raises(ConfigError) as err:
        kendall_w([[1, 2], [2, 1]], correct_ties=1)
    assert str(err.value) == msg


def test_kendall_w_needs_two_raters_and_two_objects():
    """One rater cannot concord."""
    with pytest.raises(DataError, match="at least 2 raters"):
        kendall_w([[1, 2, 3]])


# ---------------------------------------------------------------------------------------------------------
# All functions
# ---------------------------------------------------------------------------------------------------------

CALLS = {
    "krippendorff_alpha": (lambda d: krippendorff_alpha(d, "ordinal"), KRIPP_2011),
    "icc": (icc, SHROUT_FLEISS),
    "fleiss_kappa": (fleiss_kappa, FLEISS_WIKIPEDIA.astype(float)),
    "kendall_w": (kendall_w, ANXIETY.T.astype(float)),
}


@pytest.mark.parametrize("name", CALLS)
def test_inputs_are_never_modified(name):
    """Arrays and DataFrames passed in are unchanged afterwards (values, NaNs and dtypes)."""
    func, data = CALLS[name]
    array, frame = data.copy(), pd.DataFrame(data.copy())
    func(array)
    func(frame)
    np.testing.assert_array_equal(array, data)
    pd.testing.assert_frame_equal(frame, pd.DataFrame(data))


@pytest.mark.parametrize("name", CALLS)
def test_arrays_and_dataframes_give_the_same_result(name):
    """A non-square DataFrame with labels gives the same statistic as the bare array."""
    func, data = CALLS[name]
    frame = pd.DataFrame(data, index=[f"r{i}" for i in range(data.shape[0])])
    from_array, from_frame = func(data), func(frame)
    if isinstance(from_array, pd.DataFrame):
        pd.testing.assert_frame_equal(from_array, from_frame)
    else:
        assert from_array == from_frame


def test_cohen_kappa_does_not_modify_its_inputs():
    """Label arrays with NaNs are unchanged after the NaN pairs were dropped internally."""
    a, b = np.array([1.0, 2.0, NAN, 3.0]), np.array([1.0, NAN, 2.0, 3.0])
    a0, b0 = a.copy(), b.copy()
    cohen_kappa(a, b)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


def test_public_functions_have_numpydoc_docstrings_with_sources_and_examples():
    """Each public function cites its source (References) and has a doctested Examples section."""
    for name in ["krippendorff_alpha", "icc", "fleiss_kappa", "cohen_kappa", "kendall_w"]:
        doc = getattr(ratings, name).__doc__
        for section in ("Parameters\n", "Returns\n", "References\n", "Examples\n"):
            assert section in doc, (name, section)
    # a subset: the rating-design and rater-effect sections will export more names
    assert {"KendallW", "cohen_kappa", "fleiss_kappa", "icc", "kendall_w", "krippendorff_alpha"} <= set(
        ratings.__all__
    )


def test_docstring_examples_run():
    """The doctest examples of the reliability and agreement statistics give the printed results."""
    results = [doctest.testmod(m, optionflags=doctest.NORMALIZE_WHITESPACE) for m in (raters, agreement)]
    assert sum(r.attempted for r in results) >= 5 and sum(r.failed for r in results) == 0
