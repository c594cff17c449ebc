"""Tests of the composite-indicator engine (vielfalt.composite): worked examples, edge cases, properties."""

from __future__ import annotations

import doctest
import importlib
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from vielfalt import composite
from vielfalt.composite import (
    AGGREGATE_METHODS,
    DRAW_METHODS,
    IMPUTE_METHODS,
    NORMALISE_METHODS,
    TREAT_REPORT_COLUMNS,
    aggregate,
    aggregate_by_group,
    aggregate_draws,
    impute,
    kurtosis_type2,
    normalise,
    rank,
    skewness_type2,
    treat,
)
from vielfalt.exceptions import ConfigError, DataError, VielfaltWarning

NAN = np.nan


# ------------------------------------------------------------------------------------------------------
# worked examples (arithmetic in the comments)


def test_minmax_with_direction_minus_one():
    """Min-max to [0, 100] reverses a direction −1 indicator, as COINr does by multiplying by −1 first."""
    df = pd.DataFrame({"a": [1.0, 2.0, 5.0], "b": [10.0, 20.0, 30.0]}, index=["u1", "u2", "u3"])
    out = normalise(df, "minmax", directions={"b": -1})
    # a: (x − 1)/(5 − 1)·100 → 0, 25, 100
    assert out["a"].tolist() == [0.0, 25.0, 100.0]
    # b·(−1) = −10, −20, −30: min −30, max −10 → (−10 + 30)/20·100 = 100, (−20 + 30)/20·100 = 50, 0
    assert out["b"].tolist() == [100.0, 50.0, 0.0]
    assert list(out.index) == ["u1", "u2", "u3"]


def test_minmax_custom_interval():
    """Min-max maps onto [lower, upper] exactly."""
    out = normalise(pd.DataFrame({"a": [0.0, 5.0, 10.0]}), "minmax", lower=1, upper=10)
    # (x − 0)/10·(10 − 1) + 1 → 1, 5.5, 10
    assert out["a"].tolist() == [1.0, 5.5, 10.0]


def test_zscore_uses_sample_sd_and_target_mean_sd():
    """The z-score uses the sample standard deviation (n − 1) and rescales to the requested mean and sd."""
    df = pd.DataFrame({"a": [2.0, 4.0, 6.0]})
    # mean 4; sd = sqrt((4 + 0 + 4)/(3 − 1)) = 2 → z = −1, 0, 1
    assert normalise(df, "zscore")["a"].tolist() == [-1.0, 0.0, 1.0]
    # z·10 + 50 → 40, 50, 60
    assert normalise(df, "zscore", mean=50, sd=10)["a"].tolist() == [40.0, 50.0, 60.0]
    # direction −1: −x has mean −4, same sd → 1, 0, −1
    assert normalise(df, "zscore", directions={"a": -1})["a"].tolist() == [1.0, 0.0, -1.0]


def test_goalposts_truncate_to_the_posts():
    """Goalposts scale (x − lo)/(hi − lo), truncated to [0, 1], times the scale; −1 flips the posts."""
    df = pd.DataFrame({"a": [-1.0, 0.0, 2.0, 4.0, 7.0], "b": [-1.0, 0.0, 2.0, 4.0, 7.0]})
    out = normalise(df, "goalposts", lo={"a": 0, "b": 0}, hi={"a": 4, "b": 4}, directions={"b": -1})
    # a: x/4 = −0.25, 0, 0.5, 1, 1.75 → truncated 0, 0, 0.5, 1, 1 → ·100
    assert out["a"].tolist() == [0.0, 0.0, 50.0, 100.0, 100.0]
    # b: (4 − x)/4 = 1.25, 1, 0.5, 0, −0.75 → 1, 1, 0.5, 0, 0 → ·100
    assert out["b"].tolist() == [100.0, 100.0, 50.0, 0.0, 0.0]
    # scale 1 and scalar posts
    assert normalise(df[["a"]], "goalposts", lo=0, hi=4, scale=1)["a"].tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]


def test_dist2targ_as_coinr():
    """Distance to target: (x − min)/(targ − min) for +1, (max − x)/(max − targ) for −1, capped on request."""
    df = pd.DataFrame({"a": [2.0, 4.0, 6.0, 10.0], "b": [2.0, 4.0, 6.0, 10.0]})
    out = normalise(df, "dist2targ", targets={"a": 8, "b": 3}, directions={"b": -1}, scale=1)
    # a: (x − 2)/(8 − 2) = 0, 1/3, 2/3, 4/3
    np.testing.assert_allclose(out["a"], [0, 1 / 3, 2 / 3, 4 / 3], rtol=1e-15)
    # b: (10 − x)/(10 − 3) = 8/7, 6/7, 4/7, 0
    np.testing.assert_allclose(out["b"], [8 / 7, 6 / 7, 4 / 7, 0], rtol=1e-15)
    capped = normalise(df, "dist2targ", targets=8, cap_max=True)
    # default scale 100; 4/3 capped at 1
    np.testing.assert_allclose(capped["a"], [0, 100 / 3, 200 / 3, 100], rtol=1e-15)


def test_rank_prank_borda_with_ties():
    """Rank normalisations give ties the lowest rank (1, 2, 2, 4); borda = rank − 1, prank (r − 1)/(n − 1)."""
    df = pd.DataFrame({"a": [10.0, 20.0, 20.0, 30.0, NAN]})
    assert normalise(df, "rank")["a"].tolist()[:4] == [1.0, 2.0, 2.0, 4.0]
    assert normalise(df, "borda")["a"].tolist()[:4] == [0.0, 1.0, 1.0, 3.0]
    # n = 4 values present: (1 − 1)/3, (2 − 1)/3, (2 − 1)/3, (4 − 1)/3
    np.testing.assert_allclose(normalise(df, "prank")["a"].to_numpy()[:4], [0, 1 / 3, 1 / 3, 1])
    assert np.isnan(normalise(df, "prank")["a"].iloc[4])
    # direction −1 ranks the smallest highest: −x = −10, −20, −20, −30 → 4, 2, 2, 1
    assert normalise(df, "rank", directions={"a": -1})["a"].tolist()[:4] == [4.0, 2.0, 2.0, 1.0]


def test_normalise_within_groups():
    """Normalising within groups scales every group on its own."""
    df = pd.DataFrame({"a": [0.0, 10.0, 5.0, 100.0, 200.0]})
    out = normalise(df, "minmax", within=["s", "s", "s", "l", "l"])
    # group s: 0..10 → 0, 100, 50; group l: 100..200 → 0, 100
    assert out["a"].tolist() == [0.0, 100.0, 50.0, 0.0, 100.0]


def test_amean_with_missing_value_and_renormalised_weights():
    """The weighted arithmetic mean drops a missing child and renormalises the remaining weights."""
    df = pd.DataFrame({"a": [20.0, 60.0], "b": [40.0, NAN], "c": [90.0, 30.0]})
    parents = {"a": "S1", "b": "S1", "c": "S2", "S1": "T", "S2": "T", "T": None}
    with pytest.warns(VielfaltWarning, match=r"children of 'S1' do not sum to 1"):
        out = aggregate(df, parents, weights={"a": 1, "b": 3, "S1": 0.5, "S2": 0.5})
    # S1, unit 1: (1·20 + 3·40)/(1 + 3) = 140/4 = 35; unit 2: b missing → a alone → 60
    assert out["S1"].tolist() == [35.0, 60.0]
    # S2 = c; T: 0.5·35 + 0.5·90 = 62.5 and 0.5·60 + 0.5·30 = 45
    assert out["T"].tolist() == [62.5, 45.0]


def test_gmean_hmean_genmean_median_of_known_numbers():
    """Geometric, harmonic, generalised means and the median match hand-computed values."""
    df = pd.DataFrame({"a": [4.0, 1.0, 1.0], "b": [16.0, 10.0, 4.0], "c": [NAN, 100.0, 4.0]})
    parents = {"a": "T", "b": "T", "c": "T"}
    # gmean: sqrt(4·16) = 8; (1·10·100)^(1/3) = 10; (1·4·4)^(1/3) = 16^(1/3)
    np.testing.assert_allclose(
        aggregate(df, parents, method="gmean")["T"], [8, 10, 16 ** (1 / 3)], rtol=1e-14
    )
    # hmean: 2/(1/4 + 1/16) = 2/0.3125 = 6.4; 3/(1 + 0.1 + 0.01) = 3/1.11; 3/(1 + 0.25 + 0.25) = 2
    np.testing.assert_allclose(aggregate(df, parents, method="hmean")["T"], [6.4, 3 / 1.11, 2], rtol=1e-14)
    # genmean p = 2: sqrt((16 + 256)/2) = sqrt(136); p = 1 is the arithmetic mean, p = 0 the geometric
    np.testing.assert_allclose(aggregate(df, parents, method="genmean", p=2)["T"].iloc[0], np.sqrt(136))
    np.testing.assert_allclose(
        aggregate(df, parents, method="genmean", p=1)["T"], aggregate(df, parents)["T"], rtol=1e-15
    )
    np.testing.assert_allclose(
        aggregate(df, parents, method="genmean", p=0)["T"], aggregate(df, parents, method="gmean")["T"]
    )
    np.testing.assert_allclose(
        aggregate(df, parents, method="genmean", p=-1)["T"], aggregate(df, parents, method="hmean")["T"]
    )
    # median of present children: (4 + 16)/2 = 10; median(1, 10, 100) = 10; median(1, 4, 4) = 4
    assert aggregate(df, parents, method="median")["T"].tolist() == [10.0, 10.0, 4.0]


def test_weighted_gmean():
    """Weights enter the geometric mean as exponents: 2^(1/4)·8^(3/4) = 2^(1/4 + 9/4) = 2^2.5."""
    df = pd.DataFrame({"a": [2.0], "b": [8.0]})
    with pytest.warns(VielfaltWarning):
        out = aggregate(df, {"a": "T", "b": "T"}, weights={"a": 1, "b": 3}, method="gmean")
    np.testing.assert_allclose(out["T"], [2**2.5], rtol=1e-14)


def test_aggregate_returns_indicators_then_aggregates_level_by_level():
    """The result holds the indicators, then every aggregate from the lowest level up."""
    df = pd.DataFrame({"i1": [1.0], "i2": [2.0], "i3": [3.0]})
    parents = {"Index": None, "P2": "Index", "i1": "P1", "i2": "P1", "i3": "P2", "P1": "Index"}
    out = aggregate(df, parents)
    assert list(out.columns) == ["i1", "i2", "i3", "P2", "P1", "Index"]
    assert out["Index"].iloc[0] == (1.5 + 3.0) / 2


def test_rank_ties_share_lowest_rank():
    """Descending ranks with ties at the lowest rank number (1, 2, 2, 4); NaN stays NaN."""
    s = pd.Series([90.0, 85.0, 85.0, 70.0, NAN], index=list("abcde"), name="total")
    r = rank(s)
    assert isinstance(r, pd.Series)
    assert r.name == "total"
    assert list(r.index) == list("abcde")
    assert r.tolist()[:4] == [1.0, 2.0, 2.0, 4.0]
    assert np.isnan(r.iloc[4])


def test_rank_within_groups_and_dataframe():
    """Ranks within groups restart at 1 in every group; a DataFrame is ranked column by column."""
    df = pd.DataFrame({"x": [10.0, 20.0, 30.0, 40.0], "y": [4.0, 3.0, 2.0, 1.0]}, index=list("pqrs"))
    r = rank(df, groups=pd.Series(["a", "b", "a", "b"], index=list("pqrs")))
    # group a: p = 10, r = 30 → 2, 1; group b: q = 20, s = 40 → 2, 1
    assert r["x"].tolist() == [2.0, 2.0, 1.0, 1.0]
    assert r["y"].tolist() == [1.0, 1.0, 2.0, 2.0]
    assert list(r.columns) == ["x", "y"]


def test_impute_group_mean():
    """Group-mean imputation fills a gap with the mean of the unit's group only."""
    df = pd.DataFrame({"a": [1.0, NAN, 3.0, 10.0], "b": [2.0, 4.0, NAN, 8.0]})
    out = impute(df, "group_mean", groups=["x", "x", "x", "y"])
    # a: unit 2 ← mean(1, 3) = 2 (not the overall mean 14/3); b: unit 3 ← mean(2, 4) = 3
    assert out["a"].tolist() == [1.0, 2.0, 3.0, 10.0]
    assert out["b"].tolist() == [2.0, 4.0, 3.0, 8.0]


def test_impute_mean_median_group_median():
    """Mean, median and group-median imputation use the matching statistic."""
    df = pd.DataFrame({"a": [1.0, 2.0, 9.0, NAN]})
    # mean of 1, 2, 9 = 4; median = 2
    assert impute(df)["a"].iloc[3] == 4.0
    assert impute(df, "median")["a"].iloc[3] == 2.0
    # group g = {1, 2, NaN}: median 1.5
    assert impute(df, "group_median", groups=["g", "g", "h", "g"])["a"].iloc[3] == 1.5


def test_impute_groups_series_is_aligned_by_label():
    """A groups Series is aligned by index label, not by position."""
    df = pd.DataFrame({"a": [1.0, NAN, 3.0, 10.0]}, index=["u1", "u2", "u3", "u4"])
    groups = pd.Series({"u4": "y", "u3": "x", "u2": "x", "u1": "x"})
    assert impute(df, "group_mean", groups=groups)["a"].iloc[1] == 2.0


def test_skew_and_kurtosis_are_type2():
    """The skewness and kurtosis are the bias-corrected type-2 estimators (scipy with bias=False)."""
    rng = np.random.default_rng(7)
    for x in (rng.lognormal(size=30), rng.normal(size=12), np.r_[np.arange(1, 10.0), 100.0]):
        assert skewness_type2(x) == pytest.approx(stats.skew(x, bias=False), rel=1e-12)
        assert kurtosis_type2(x) == pytest.approx(stats.kurtosis(x, bias=False), rel=1e-12)
    # Excel: SKEW(1, 2, 3, 10) = 1.763632615, KURT(1, 2, 3, 10) = 3.228
    assert skewness_type2([1, 2, 3, 10]) == pytest.approx(1.763632615, rel=1e-9)
    assert kurtosis_type2([1, 2, 3, 10]) == pytest.approx(3.228, rel=1e-12)
    assert np.isnan(skewness_type2([1.0, 2.0])) and np.isnan(kurtosis_type2([1.0, 2.0, 3.0]))


def test_treat_winsorises_the_maximum_to_the_next_value():
    """A high outlier is replaced by the next largest value, then the test passes."""
    x = np.r_[np.arange(1, 10.0), 100.0]  # skew 3.12, kurtosis 9.80: fails
    treated, report = treat(pd.DataFrame({"x": x}))
    assert treated["x"].tolist() == [*range(1, 10), 9]
    row = report.loc["x"]
    assert (row["n_high"], row["n_low"], row["n_winsorised"], row["status"]) == (1, 0, 1, "winsorised")
    assert row["skew_before"] == pytest.approx(3.1188957452390875)
    assert row["skew_after"] == pytest.approx(skewness_type2([*range(1, 10), 9]))
    assert list(report.columns) == list(TREAT_REPORT_COLUMNS)


def test_treat_negative_skew_winsorises_the_minimum():
    """With negative skew the minimum is raised to the next smallest value."""
    x = np.r_[-100.0, np.arange(1, 10.0)]
    treated, report = treat(pd.DataFrame({"x": x}))
    assert treated["x"].tolist() == [1.0, *range(1, 10)]
    assert (report.loc["x", "n_low"], report.loc["x", "n_high"]) == (1, 0)


def test_treat_ties_move_together_and_count_as_points():
    """Tied maxima are replaced in one step and each counts as a Winsorised point, even past winmax."""
    x = np.r_[np.arange(1, 20.0), 100.0, 100.0]
    treated, report = treat(pd.DataFrame({"x": x}), winmax=1)
    assert treated["x"].tolist()[-2:] == [19.0, 19.0]
    assert report.loc["x", "n_high"] == 2
    assert report.loc["x", "status"] == "winsorised"


def test_treat_falls_back_to_log_of_the_original_column():
    """When winmax points do not suffice the log transform is applied to the original values."""
    x = np.r_[np.arange(1, 61.0), 1000 + 100 * np.arange(8)]  # still fails after 5 points
    treated, report = treat(pd.DataFrame({"x": x}))
    expected = np.log(x - x.min() + 0.01 * (x.max() - x.min()))
    np.testing.assert_allclose(treated["x"], expected, rtol=1e-15)
    row = report.loc["x"]
    assert bool(row["log_applied"]) and row["status"] == "log" and row["n_winsorised"] == 0
    assert not row["fails_after"]


def test_treat_winmax_zero_goes_straight_to_log_and_warns_if_still_failing():
    """With winmax=0 a failing column is log-transformed; if it still fails a warning names it."""
    x = np.r_[np.arange(1, 61.0), 1000 + 100 * np.arange(6)]  # the log does not cure this one
    with pytest.warns(VielfaltWarning, match=r"column 'x' still has \|skew\| >= 2 and kurtosis >= 3.5"):
        treated, report = treat(pd.DataFrame({"x": x}), winmax=0)
    assert report.loc["x", "status"] == "log" and bool(report.loc["x", "fails_after"])


def test_treat_keeps_missing_values_and_passing_columns():
    """Missing values stay missing and a column that passes is returned unchanged."""
    df = pd.DataFrame({"x": [*range(1, 10), 100.0, NAN], "y": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]})
    treated, report = treat(df)
    assert np.isnan(treated["x"].iloc[10])
    assert treated["x"].iloc[9] == 9.0
    assert treated["y"].tolist() == df["y"].tolist()
    assert report.loc["y", "status"] == "pass" and report.loc["x", "n"] == 10


# ------------------------------------------------------------------------------------------------------
# edge cases


@pytest.mark.parametrize(
    ("method", "expected"),
    [("minmax", 50.0), ("zscore", 0.0), ("rank", 1.0), ("prank", 0.0), ("borda", 0.0)],
)
def test_constant_column_is_defined_and_warned(method, expected):
    """A constant column gets a defined score (minmax: the midpoint) and a warning naming it, never NaN."""
    df = pd.DataFrame({"flat": [3.0, 3.0, NAN, 3.0], "ok": [1.0, 2.0, 3.0, 4.0]})
    with pytest.warns(VielfaltWarning, match=rf"normalise\(method='{method}'\): column 'flat' has no spread"):
        out = normalise(df, method)
    assert out["flat"].iloc[[0, 1, 3]].tolist() == [expected] * 3
    assert np.isnan(out["flat"].iloc[2])


def test_group_with_one_unit_is_defined_and_warned():
    """A group with a single unit is scored like a constant column and the warning names the group."""
    df = pd.DataFrame({"a": [0.0, 10.0, 7.0]})
    with pytest.warns(VielfaltWarning, match=r"column 'a' in group 'solo' has no spread"):
        out = normalise(df, "minmax", within=["g", "g", "solo"])
    assert out["a"].tolist() == [0.0, 100.0, 50.0]
    with pytest.warns(VielfaltWarning, match=r"'a' in group 'solo'"):
        assert normalise(df, "zscore", within=["g", "g", "solo"])["a"].iloc[2] == 0.0


def test_dist2targ_target_at_worst_value_is_defined_and_warned():
    """A target equal to the worst value gives every unit the full scale, with a warning."""
    df = pd.DataFrame({"a": [2.0, 4.0, 6.0]})
    with pytest.warns(VielfaltWarning, match=r"column 'a' the target equals the worst value"):
        out = normalise(df, "dist2targ", targets=2)
    assert out["a"].tolist() == [100.0, 100.0, 100.0]
    with pytest.warns(VielfaltWarning, match=r"negative scores"):
        normalise(df, "dist2targ", targets=1)


def test_all_missing_unit_gets_nan_aggregate():
    """A unit whose children are all missing gets NaN for that parent, and the parent above renormalises."""
    df = pd.DataFrame({"a": [NAN, 10.0], "b": [NAN, 20.0], "c": [40.0, 40.0]})
    parents = {"a": "S1", "b": "S1", "c": "S2", "S1": "T", "S2": "T"}
    for method in AGGREGATE_METHODS:
        out = aggregate(df, parents, method=method, p=2 if method == "genmean" else None)
        assert np.isnan(out["S1"].iloc[0]), method
        # T for unit 1 rests on S2 alone
        assert out["T"].iloc[0] == pytest.approx(40.0), method
    all_nan = aggregate(df.assign(c=[NAN, 1.0]), parents)
    assert np.isnan(all_nan["T"].iloc[0])


@pytest.mark.parametrize(("method", "p"), [("gmean", None), ("hmean", None), ("genmean", 0), ("genmean", -1)])
def test_zeros_under_geometric_mean_raise(method, p):
    """Zero or negative values under the geometric/harmonic mean raise ConfigError that says how to fix it."""
    df = pd.DataFrame({"a": [0.0, 50.0], "b": [10.0, 20.0]})
    with pytest.raises(
        ConfigError, match=r"positive values only, but 'a' has 1 value\(s\) <= 0 .*lower=1, upper=100"
    ):
        aggregate(df, {"a": "T", "b": "T"}, method=method, p=p)


def test_negative_values_under_positive_power_mean_raise():
    """The generalised mean with p > 0 refuses negative values."""
    df = pd.DataFrame({"a": [-1.0, 50.0], "b": [10.0, 20.0]})
    with pytest.raises(ConfigError, match="non-negative values only"):
        aggregate(df, {"a": "T", "b": "T"}, method="genmean", p=0.5)


def test_weights_summing_to_one_do_not_warn():
    """Weights that sum to 1 in every parent pass silently; equal default weights too."""
    df = pd.DataFrame({"a": [1.0], "b": [3.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", VielfaltWarning)
        out = aggregate(df, {"a": "T", "b": "T"}, weights={"a": 0.25, "b": 0.75})
        assert aggregate(df, {"a": "T", "b": "T"})["T"].iloc[0] == 2.0
    # 0.25·1 + 0.75·3 = 2.5
    assert out["T"].iloc[0] == 2.5


def test_weights_not_summing_to_one_warn_once_naming_parents():
    """Weights that do not sum to 1 are renormalised and one warning names every such parent."""
    df = pd.DataFrame({"a": [1.0], "b": [3.0], "c": [5.0]})
    parents = {"a": "S", "b": "S", "c": "R", "S": "T", "R": "T"}
    with pytest.warns(VielfaltWarning) as rec:
        out = aggregate(df, parents, weights={"a": 2, "b": 2, "S": 30, "R": 10})
    msgs = [str(w.message) for w in rec if issubclass(w.category, VielfaltWarning)]
    assert msgs == [
        "aggregate: the weights of the children of 'S', 'T' do not sum to 1; they are renormalised within "
        "each parent (and over the children present for each unit)."
    ]
    # S = 2, R = 5 (its own weight 1 alone), T = (30·2 + 10·5)/40 = 110/40
    assert out["T"].iloc[0] == 110 / 40


def test_median_ignores_weights_with_a_warning():
    """The median is unweighted; unequal weights within a parent are reported."""
    df = pd.DataFrame({"a": [1.0], "b": [2.0], "c": [9.0]})
    with pytest.warns(VielfaltWarning, match="median is unweighted"):
        out = aggregate(
            df, {"a": "T", "b": "T", "c": "T"}, weights={"a": 0.5, "b": 0.25, "c": 0.25}, method="median"
        )
    assert out["T"].iloc[0] == 2.0


@pytest.mark.parametrize(
    ("call", "func", "options"),
    [
        (lambda df: impute(df, "mode"), "impute", IMPUTE_METHODS),
        (lambda df: normalise(df, "mode"), "normalise", NORMALISE_METHODS),
        (lambda df: aggregate(df, {"a": "T"}, method="mode"), "aggregate", AGGREGATE_METHODS),
    ],
)
def test_unknown_method_names(call, func, options):
    """An unknown method raises ConfigError with the scikit-learn message shape."""
    expected = (
        f"The 'method' parameter of {func} must be one of {{"
        + ", ".join(repr(o) for o in options)
        + "}. Got 'mode' instead."
    )
    with pytest.raises(ConfigError) as err:
        call(pd.DataFrame({"a": [1.0, 2.0]}))
    assert str(err.value) == expected


def test_normalise_method_message_verbatim():
    """The normalise message reads exactly as documented."""
    with pytest.raises(ConfigError) as err:
        normalise(pd.DataFrame({"a": [1.0, 2.0]}), method="x")
    assert str(err.value) == (
        "The 'method' parameter of normalise must be one of {'minmax', 'zscore', 'goalposts', 'dist2targ', "
        "'rank', 'prank', 'borda'}. Got 'x' instead."
    )


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (
            lambda df: normalise(df, "zscore", lo=1),
            r"unexpected keyword\(s\) \['lo'\]; it accepts \['mean', 'sd'\]",
        ),
        (lambda df: normalise(df, "rank", scale=2), r"lower and upper apply to minmax only"),
        (lambda df: normalise(df, "goalposts", lo=0), "needs the keywords lo and hi"),
        (lambda df: normalise(df, "goalposts", lo=5, hi=1), "lo must be below hi for every column; not for"),
        (lambda df: normalise(df, "goalposts", lo={"a": 0}, hi=1), r"missing: \['b'\]"),
        (lambda df: normalise(df, "dist2targ"), "needs the keyword targets"),
        (lambda df: normalise(df, "minmax", lower=5, upper=5), "The 'upper' parameter of normalise"),
        (lambda df: normalise(df, "zscore", sd=0), "The 'sd' parameter of normalise must be a finite real"),
        (lambda df: normalise(df, directions={"a": 2}), "every direction must be"),
        (lambda df: normalise(df, directions={"zz": 1}), "not in the data"),
        (lambda df: normalise(df, within="category"), "The 'within' parameter of normalise"),
        (lambda df: impute(df, "group_mean"), "The 'groups' parameter of impute"),
        (lambda df: impute(df, "mean", groups=["x", "y"]), "groups is used only by the methods"),
        (lambda df: treat(df, winmax=-1), "The 'winmax' parameter of treat must be an integer >= 0. Got -1"),
        (lambda df: treat(df, skew_thresh=0), "The 'skew_thresh' parameter of treat"),
        (
            lambda df: aggregate(df, {"a": "T"}),
            r"every indicator needs a parent in parents; none for \['b'\]",
        ),
        (lambda df: aggregate(df, {"a": "T", "b": "T", "z": "T"}), r"\['z'\] appear in parents"),
        (lambda df: aggregate(df, {"a": "b", "b": "T"}), "columns of the data but also parents"),
        (lambda df: aggregate(df, {"a": "S", "b": "S", "S": "R", "R": "S"}), "cycle"),
        (lambda df: aggregate(df, {"a": "T", "b": "T"}, weights={"a": -1}), "finite number >= 0"),
        (lambda df: aggregate(df, {"a": "T", "b": "T"}, weights={"q": 1}), "not in the hierarchy"),
        (lambda df: aggregate(df, {"a": "T", "b": "T"}, weights={"a": 0, "b": 0}), "are all 0"),
        (lambda df: aggregate(df, {"a": "T", "b": "T"}, method="genmean"), "needs the exponent p"),
        (lambda df: aggregate(df, {"a": "T", "b": "T"}, p=2), "p is used only by method='genmean'"),
    ],
)
def test_bad_parameters_raise_config_error(call, pattern):
    """Every bad parameter raises ConfigError with a message that names it."""
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    with pytest.raises(ConfigError, match=pattern):
        call(df)


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: normalise([[1.0]]), "expects a pandas DataFrame"),
        (
            lambda: normalise(pd.DataFrame({"n": ["x", "y"]})),
            r"numeric indicator columns; these are not: \['n'\]",
        ),
        (lambda: impute(pd.DataFrame({"a": [1.0, NAN]}), "group_mean", groups=["x", None]), "missing labels"),
        (
            lambda: impute(pd.DataFrame({"a": [1.0, NAN]}), "group_mean", groups=["x"]),
            "one group label per row",
        ),
        (
            lambda: rank(pd.Series([1.0, 2.0], index=["p", "q"]), groups=pd.Series({"p": "a"})),
            r"no label for 1 unit\(s\)",
        ),
        (lambda: rank([1, 2]), "expects a pandas Series or DataFrame"),
    ],
)
def test_unusable_data_raise_data_error(call, pattern):
    """Data that cannot be used raise DataError saying what to do."""
    with pytest.raises(DataError, match=pattern):
        call()


def test_impute_all_missing_column_stays_nan_and_warns():
    """An all-missing column cannot be imputed: it stays NaN and a warning names it."""
    df = pd.DataFrame({"a": [1.0, NAN], "gone": [NAN, NAN]})
    with pytest.warns(VielfaltWarning, match=r"impute\(method='mean'\): column 'gone' cannot be imputed"):
        out = impute(df)
    assert out["gone"].isna().all() and out["a"].tolist() == [1.0, 1.0]


def test_impute_all_missing_within_group_stays_nan_and_warns():
    """A group with gaps and no observed value keeps NaN and is named in the warning."""
    df = pd.DataFrame({"a": [1.0, NAN, NAN, NAN]})
    with pytest.warns(VielfaltWarning, match=r"column 'a' in group 'y' cannot be imputed"):
        out = impute(df, "group_mean", groups=["x", "x", "y", "y"])
    assert out["a"].tolist()[:2] == [1.0, 1.0] and np.isnan(out["a"].iloc[2])


def test_treat_skips_too_short_or_constant_columns_with_warning():
    """Columns whose skewness or kurtosis is undefined are left alone and reported as skipped."""
    df = pd.DataFrame({"short": [1.0, 2.0, 100.0, NAN, NAN], "flat": [2.0] * 5})
    with pytest.warns(VielfaltWarning, match=r"columns 'short', 'flat' are not checked"):
        treated, report = treat(df)
    assert report["status"].tolist() == ["skipped", "skipped"]
    pd.testing.assert_frame_equal(treated, df)


def _calls():
    df = pd.DataFrame(
        {"a": [1.0, NAN, 3.0, 50.0, 5.0, 6.0], "b": [2.0, 2.0, NAN, 4.0, 1.0, 0.5]},
        index=pd.Index(list("uvwxyz"), name="entry_id"),
    )
    groups = pd.Series(["s", "s", "s", "l", "l", "l"], index=df.index)
    return (
        df,
        groups,
        [
            lambda d: impute(d, "group_median", groups=groups),
            lambda d: treat(d),
            lambda d: normalise(d, "minmax", directions={"b": -1}, within=groups),
            lambda d: normalise(d, "goalposts", lo=0, hi=10),
            lambda d: aggregate(d, {"a": "T", "b": "T"}, weights={"a": 2, "b": 1}),
            lambda d: rank(d, groups=groups),
            lambda d: rank(d["a"]),
        ],
    )


@pytest.mark.parametrize("i", range(7))
def test_input_not_modified_and_index_kept(i):
    """No function modifies its input, and every result keeps the index and the column order."""
    df, _, calls = _calls()
    before = df.copy(deep=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VielfaltWarning)
        out = calls[i](df)
    pd.testing.assert_frame_equal(df, before)
    out = out[0] if isinstance(out, tuple) else out
    assert out.index.equals(df.index) and out.index.name == "entry_id"
    if isinstance(out, pd.DataFrame):
        assert list(out.columns[:2]) == ["a", "b"]


def test_result_is_not_a_view_of_the_input():
    """Changing a result leaves the input alone."""
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]})
    out = impute(df)
    out.iloc[0, 0] = 99.0
    assert df.iloc[0, 0] == 1.0


def test_nullable_dtypes_are_accepted():
    """Nullable integer and float columns (pd.NA) are read as float with NaN."""
    df = pd.DataFrame(
        {"a": pd.array([1, None, 3], dtype="Int64"), "b": pd.array([0.5, 1.5, None], dtype="Float64")}
    )
    out = impute(df)
    assert out.dtypes.tolist() == [np.float64, np.float64]
    assert out["a"].tolist() == [1.0, 2.0, 3.0] and out["b"].tolist() == [0.5, 1.5, 1.0]


STEPS = ("impute", "treat", "normalise", "aggregate", "rank")


def test_docstring_examples_run():
    """The examples in the docstrings of every step's module run as written."""
    attempted = 0
    for step in STEPS:
        module = importlib.import_module(f"vielfalt.composite.{step}")
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, step
        attempted += result.attempted
    assert attempted >= 9


def test_package_exports_one_function_per_step():
    """``from vielfalt import composite`` gives each step as a function named like its module."""
    for step in STEPS:
        assert callable(getattr(composite, step)) and step in composite.__all__
        assert importlib.import_module(f"vielfalt.composite.{step}").__name__ == f"vielfalt.composite.{step}"


def test_public_functions_have_numpydoc_sections():
    """Every public function documents its parameters, returns and an example, and cites its source."""
    for name in STEPS:
        doc = getattr(composite, name).__doc__
        for section in ("Parameters\n", "Returns\n", "Examples\n"):
            assert section in doc, (name, section)
        assert re.search(r"COINr|Handbook", doc), name


# ------------------------------------------------------------------------------------------------------
# aggregation by group and for stacks of weights


GROUP_DF = pd.DataFrame(
    {"a": [20.0, 60.0, 80.0, 10.0], "b": [40.0, NAN, 0.0, 30.0], "c": [90.0, 30.0, 50.0, NAN]},
    index=["u1", "u2", "u3", "u4"],
)
GROUP_PARENTS = {"a": "S1", "b": "S1", "c": "S2", "S1": "T", "S2": "T"}
GROUP_WEIGHTS = {
    "x": {"a": 0.25, "b": 0.75, "c": 1.0, "S1": 0.6, "S2": 0.4},
    "y": {"a": 0.5, "b": 0.5, "c": 1.0, "S1": 0.2, "S2": 0.8},
}


@pytest.mark.parametrize("method", ["amean", "gmean", "hmean", "median"])
def test_aggregate_by_group_is_aggregate_per_group_bit_for_bit(method):
    """Each group's rows equal aggregate() on that group alone with its weights, to the last bit."""
    df = GROUP_DF + 1.0  # positive for gmean/hmean
    groups = pd.Series(["x", "y", "x", "y"], index=df.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VielfaltWarning)  # median ignores the weights, and says so
        got = aggregate_by_group(df, GROUP_PARENTS, groups=groups, weights=GROUP_WEIGHTS, method=method)
        for g in ("x", "y"):
            rows = (groups == g).to_numpy()
            alone = aggregate(df[rows], GROUP_PARENTS, weights=GROUP_WEIGHTS[g], method=method)
            pd.testing.assert_frame_equal(got[rows], alone, check_exact=True)
    assert list(got.index) == list(df.index)


def test_aggregate_by_group_by_hand():
    """Group x weighs a:b 1:3 and S1:S2 3:2, group y equally: the hand formula per group."""
    out = aggregate_by_group(
        GROUP_DF, GROUP_PARENTS, groups=["x", "y", "x", "y"], weights=GROUP_WEIGHTS, method="amean"
    )
    # u1 (x): S1 = 0.25·20 + 0.75·40 = 35, S2 = 90, T = 0.6·35 + 0.4·90 = 57
    # u2 (y): S1 = 60 (b missing), S2 = 30, T = 0.2·60 + 0.8·30 = 36
    assert out.loc["u1", ["S1", "S2"]].tolist() == [35.0, 90.0]
    assert out.loc["u1", "T"] == pytest.approx(57.0)
    assert out.loc["u2", "T"] == pytest.approx(36.0)


def test_aggregate_by_group_unit_without_group_is_nan_and_weights_cover_every_group():
    """A unit without a group gets NaN; a group without weights is named in a ConfigError."""
    out = aggregate_by_group(
        GROUP_DF, GROUP_PARENTS, groups=["x", None, "x", "y"], weights=GROUP_WEIGHTS, method="amean"
    )
    assert out.loc["u2"].isna().all() and out.loc["u1"].notna().all()
    with pytest.raises(ConfigError, match=r"no entry for the group\(s\) \['z'\]"):
        aggregate_by_group(GROUP_DF, GROUP_PARENTS, groups=["x", "z", "x", "y"], weights=GROUP_WEIGHTS)
    with pytest.raises(ConfigError, match="The 'method' parameter of aggregate_by_group must be one of"):
        aggregate_by_group(GROUP_DF, GROUP_PARENTS, groups=["x"] * 4, weights=GROUP_WEIGHTS, method="mode")


def test_aggregate_draws_by_hand():
    """Two draws of weights over two children, one unit with a missing child, one with none present."""
    x = np.array([[1.0, 4.0], [2.0, NAN], [NAN, NAN]])
    w = np.array([[1.0, 1.0], [3.0, 1.0]])
    amean = aggregate_draws(x, w, "amean")
    # unit 1: (1 + 4)/2 = 2.5 and (3·1 + 4)/4 = 1.75; unit 2: 2 alone; unit 3: nothing present → NaN
    np.testing.assert_allclose(amean[:, :2], [[2.5, 2.0], [1.75, 2.0]])
    assert np.isnan(amean[:, 2]).all()
    # gmean: sqrt(1·4) = 2 and (1³·4)^(1/4) = √2; hmean: 2/(1 + 1/4) = 1.6 and 4/(3 + 1/4) = 16/13
    np.testing.assert_allclose(aggregate_draws(x, w, "gmean")[:, 0], [2.0, np.sqrt(2.0)])
    np.testing.assert_allclose(aggregate_draws(x, w, "hmean")[:, 0], [1.6, 16 / 13])
    # the median is unweighted: the same in every draw
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy: all-NaN slice of unit 3
        median = aggregate_draws(x, w, "median")
    np.testing.assert_array_equal(median[:, :2], [[2.5, 2.0], [2.5, 2.0]])


@pytest.mark.parametrize("method", ["genmean", "mode", None])
def test_aggregate_draws_refuses_a_method_without_a_rule(method):
    """Every method is handled explicitly: anything else is a ConfigError, never the median."""
    with pytest.raises(ConfigError) as err:
        aggregate_draws(np.ones((2, 2)), np.ones((1, 2)), method)
    expected = "one of {" + ", ".join(repr(m) for m in DRAW_METHODS) + "}"
    assert (
        str(err.value)
        == f"The 'method' parameter of aggregate_draws must be {expected}. Got {method!r} instead."
    )


def test_aggregate_draws_checks_weights_and_domain():
    """Weights of the wrong shape or negative, and values <= 0 under gmean, are refused."""
    with pytest.raises(ConfigError, match="The 'weights' parameter of aggregate_draws must be a vector"):
        aggregate_draws(np.ones((2, 2)), np.ones((1, 3)))
    with pytest.raises(ConfigError, match="The 'weights' parameter of aggregate_draws"):
        aggregate_draws(np.ones((2, 2)), np.array([1.0, -1.0]))
    with pytest.raises(ConfigError, match="geometric mean is defined for positive values only"):
        aggregate_draws(np.array([[0.0, 1.0]]), np.ones(2), "gmean")


@pytest.mark.parametrize("method", DRAW_METHODS)
def test_aggregate_draws_agrees_with_aggregate_draw_by_draw(method):
    """Each draw's row equals aggregate() with that weight vector, to rounding (matrix products sum apart)."""
    rng = np.random.default_rng(4)
    x = rng.uniform(1, 100, (30, 4))
    x[rng.random(x.shape) < 0.2] = NAN
    w = rng.uniform(0.1, 2.0, (5, 4))
    got = aggregate_draws(x, w, method)
    df = pd.DataFrame(x, columns=list("abcd"))
    parents = dict.fromkeys("abcd", "T")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for d in range(len(w)):
            one = aggregate(df, parents, weights=dict(zip("abcd", w[d], strict=True)), method=method)["T"]
            np.testing.assert_allclose(got[d], one.to_numpy(), rtol=1e-12)


# ------------------------------------------------------------------------------------------------------
# properties

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    x=arrays(np.float64, st.integers(2, 30), elements=finite),
    lower=st.floats(-100, 100),
    width=st.floats(0.5, 1000),
    direction=st.sampled_from([1, -1]),
)
def test_minmax_within_bounds(x, lower, width, direction):
    """Min-max output stays within [lower, upper] whatever the data and direction."""
    upper = lower + width
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VielfaltWarning)
        out = normalise(
            pd.DataFrame({"a": x}), "minmax", lower=lower, upper=upper, directions={"a": direction}
        )
    v = out["a"].to_numpy()
    assert not np.isnan(v).any()
    tol = 1e-9 * max(1.0, abs(lower), abs(upper))
    assert (v >= lower - tol).all() and (v <= upper + tol).all()


@settings(max_examples=60, deadline=None)
@given(
    data=arrays(
        np.float64, st.tuples(st.integers(1, 20), st.just(4)), elements=st.floats(0, 100) | st.just(NAN)
    ),
    w=st.lists(st.floats(0.01, 10), min_size=4, max_size=4),
)
def test_amean_of_scores_in_0_100_stays_in_0_100(data, w):
    """The weighted arithmetic mean of scores in [0, 100] stays in [0, 100] at every level."""
    df = pd.DataFrame(data, columns=["a", "b", "c", "d"])
    parents = {"a": "S1", "b": "S1", "c": "S2", "d": "S2", "S1": "T", "S2": "T"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VielfaltWarning)
        out = aggregate(df, parents, weights=dict(zip("abcd", w, strict=True)))
    agg = out[["S1", "S2", "T"]].to_numpy()
    present = agg[~np.isnan(agg)]
    assert (present >= 0).all() and (present <= 100 + 1e-12).all()
    # NaN only where every child is missing
    assert np.array_equal(np.isnan(out["S1"]), df[["a", "b"]].isna().all(axis=1))


@settings(max_examples=60, deadline=None)
@given(
    x=arrays(np.float64, st.integers(1, 25), elements=st.integers(0, 5).map(float) | st.just(NAN)),
    seed=st.integers(0, 2**32 - 1),
    grouped=st.booleans(),
)
def test_rank_invariant_to_row_order(x, seed, grouped):
    """Shuffling the rows does not change anyone's rank, overall or within groups."""
    idx = pd.Index([f"u{i}" for i in range(len(x))])
    s = pd.Series(x, index=idx)
    groups = pd.Series(np.where(np.arange(len(x)) % 2 == 0, "a", "b"), index=idx) if grouped else None
    perm = np.random.default_rng(seed).permutation(len(x))
    base = rank(s, groups=groups)
    shuffled = rank(s.iloc[perm], groups=None if groups is None else groups.iloc[perm])
    pd.testing.assert_series_equal(shuffled.reindex(idx), base)
