"""Tests of vielfalt.sensitivity against analytic values and against COINr's stored analyses.

Expected numbers come from closed forms or from published tables, never from this package's output:

- Additive model and dummy factors: Sᵢ = Sᴛᵢ = aᵢ² Var(xᵢ) / Σ aⱼ² Var(xⱼ); 0 for a factor y ignores.
- Ishigami function with a = 7, b = 0.1 (Ishigami & Homma 1990): S = (0.3139, 0.4424, 0),
  Sᴛ = (0.5576, 0.4424, 0.2437), as tabulated in Saltelli et al. (2008), *Global Sensitivity Analysis. The
  Primer*, and Sobol' & Levitan (1999).
- COINr 1.1.14 (bluefoxr/COINr, commit b968203), the sensitivity vignette's ``UA_results.RDS`` and
  ``SA_results.RDS`` exported to CSV in ``../shared/peers/coinr/csv``: ``Ranks`` (51 units × runs, plus the
  nominal rank), ``RankStats`` and ``Sensitivity`` computed by ``get_sensitivity`` / ``SA_estimate``.

What the COINr files show (checked below): the SA ran N = 100, d = 4 (Winmax, Normalisation, Weights,
Aggregation), so ``Ranks`` has 600 runs r_1 … r_600 stacked A (r_1–r_100), B (r_101–r_200), then AB_1 …
AB_4 (100 runs each) as ``SA_sample`` builds them; the output y of a run is its mean absolute rank shift
against the nominal ranking over the 51 units; the SA's ``RankStats`` summarise only the 2N runs of A and
B. COINr's point estimators are exactly those of METHODS.md §3; only its bootstrap differs (see
``test_sobol_bootstrap_bounds_near_coinr``).
"""

from __future__ import annotations

import doctest
import warnings

import numpy as np
import pandas as pd
import pytest

from vielfalt import sensitivity as uncertainty
from vielfalt.exceptions import ConfigError, DataError, VielfaltWarning
from vielfalt.i18n import t
from vielfalt.sensitivity import design as design_module
from vielfalt.sensitivity import (
    mean_abs_rank_shift,
    perturb_weights,
    pick,
    rank_stats,
    ranks_within_groups,
    saltelli_design,
    sobol_indices,
)
from vielfalt.sensitivity import ranks as ranks_module
from vielfalt.sensitivity import sobol as sobol_module

NAN = np.nan
COINR_FACTORS = ["Winmax", "Normalisation", "Weights", "Aggregation"]
COINR_N, COINR_D = 100, 4


# --------------------------------------------------------------------------------------------------------
# COINr fixtures


@pytest.fixture(scope="session")
def coinr_csv(shared_dir):
    """Directory of COINr's exported CSV files."""
    return shared_dir / "peers" / "coinr" / "csv"


def _read(coinr_csv, analysis: str, table: str) -> pd.DataFrame:
    return pd.read_csv(coinr_csv / f"vignette_{analysis}_results_{table}.csv", index_col="uCode")


@pytest.fixture(scope="session")
def coinr_sa(coinr_csv):
    """COINr's SA: ranks per run (without the nominal column), nominal ranks, scores, stats, indices."""
    ranks = _read(coinr_csv, "SA", "Ranks")
    scores = _read(coinr_csv, "SA", "Scores")
    nominal = _read(coinr_csv, "SA", "Nominal")["Rank"]
    stats = _read(coinr_csv, "SA", "RankStats")
    sens = pd.read_csv(coinr_csv / "vignette_SA_results_Sensitivity.csv", index_col="Variable")
    return {
        "ranks": ranks.drop(columns="Nominal"),
        "ranks_nominal": ranks["Nominal"],
        "scores": scores,
        "nominal": nominal,
        "stats": stats,
        "sens": sens,
    }


@pytest.fixture(scope="session")
def coinr_ua(coinr_csv):
    """COINr's UA: ranks per run (without the nominal column), nominal ranks, scores and rank stats."""
    ranks = _read(coinr_csv, "UA", "Ranks")
    return {
        "ranks": ranks.drop(columns="Nominal"),
        "scores": _read(coinr_csv, "UA", "Scores"),
        "nominal": _read(coinr_csv, "UA", "Nominal")["Rank"],
        "stats": _read(coinr_csv, "UA", "RankStats"),
    }


# --------------------------------------------------------------------------------------------------------
# rank_stats


def test_rank_stats_reproduces_coinr_ua(coinr_ua):
    """rank_stats of COINr's 100 UA runs equals COINr's stored RankStats (Nominal, Mean, Median, Q5, Q95)."""
    got = rank_stats(coinr_ua["ranks"], coinr_ua["nominal"])
    expected = coinr_ua["stats"]
    assert list(got.columns) == list(expected.columns) == ["Nominal", "Mean", "Median", "Q5", "Q95"]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12, atol=1e-12)


def test_rank_stats_reproduces_coinr_sa_from_a_and_b_blocks(coinr_sa):
    """COINr's SA RankStats are the statistics of the 2N runs of blocks A and B only, not of all N(d+2)."""
    ranks = coinr_sa["ranks"]
    assert ranks.shape == (51, COINR_N * (COINR_D + 2))
    got = rank_stats(ranks.iloc[:, : 2 * COINR_N], coinr_sa["nominal"])
    pd.testing.assert_frame_equal(got, coinr_sa["stats"], check_dtype=False, rtol=1e-12, atol=1e-12)
    # with all 600 runs the means differ: the AB_i blocks are not what COINr summarises
    all_runs = rank_stats(ranks, coinr_sa["nominal"])
    assert not np.allclose(all_runs["Mean"], coinr_sa["stats"]["Mean"])


def test_rank_stats_aligns_nominal_by_unit(coinr_ua):
    """A nominal Series in another order is aligned to the units of a ranks DataFrame."""
    shuffled = coinr_ua["nominal"].sample(frac=1.0, random_state=3)
    got = rank_stats(coinr_ua["ranks"], shuffled)
    np.testing.assert_array_equal(got["Nominal"], coinr_ua["stats"]["Nominal"])


def test_rank_stats_hand_example_with_p_topk():
    """A 3-unit, 4-draw example: means, linear-interpolated percentiles and P(rank <= k) by hand."""
    ranks = np.array([[1, 1, 2, 1], [2, 3, 1, 2], [3, 2, 3, 3]])
    got = rank_stats(ranks, [1, 2, 3], k=2)
    # sorted ranks of unit 1: 1 1 1 2 → Q5 at position 0.15 → 1, Q95 at 2.85 → 1 + 0.85 = 1.85
    expected = pd.DataFrame(
        {
            "Nominal": [1, 2, 3],
            "Mean": [1.25, 2.0, 2.75],
            "Median": [1.0, 2.0, 3.0],
            "Q5": [1.0, 1.15, 2.15],
            "Q95": [1.85, 2.85, 3.0],
            "P_topk": [1.0, 0.75, 0.25],
        }
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_rank_stats_k_per_group():
    """k given per group applies each unit's own category capacity; missing ranks leave the denominator."""
    ranks = pd.DataFrame(
        [[1, 2, 1, 1], [2, 1, 2, NAN], [1, 1, 3, 2], [2, 2, 1, 1]],
        index=pd.Index(["a1", "a2", "b1", "b2"], name="entry_id"),
    )
    got = rank_stats(ranks, [1, 2, 1, 2], k={"A": 1, "B": 2}, groups=["A", "A", "B", "B"])
    # a1: 3 of 4 draws at rank 1; a2: 1 of 3 non-missing; b1: 3 of 4 ≤ 2; b2: 4 of 4 ≤ 2
    np.testing.assert_allclose(got["P_topk"], [0.75, 1 / 3, 0.75, 1.0])
    assert got.index.name == "entry_id" and list(got.index) == ["a1", "a2", "b1", "b2"]
    series_k = rank_stats(ranks, [1, 2, 1, 2], k=pd.Series({"A": 1, "B": 2}), groups=["A", "A", "B", "B"])
    pd.testing.assert_frame_equal(series_k, got)


def test_rank_stats_single_draw_warns_and_degenerates():
    """With N = 1 every statistic equals the single draw's rank and a VielfaltWarning says so."""
    with pytest.warns(VielfaltWarning, match="single draw") as record:
        got = rank_stats([[2], [1], [3]], [1, 2, 3], k=1)
    assert str(record[0].message) == t("sensitivity.single_draw", "en")
    for col in ("Mean", "Median", "Q5", "Q95"):
        np.testing.assert_array_equal(got[col], [2.0, 1.0, 3.0])
    np.testing.assert_array_equal(got["P_topk"], [0.0, 1.0, 0.0])


def test_rank_stats_unit_missing_everywhere_gives_nan_quietly():
    """A unit without any simulated rank gets NaN statistics and no numpy warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = rank_stats([[1, 1], [NAN, NAN]], [1, 2], k=1)
    assert got.iloc[1, 1:].isna().all()


@pytest.mark.parametrize("k", [0, 1.5, True])
def test_rank_stats_rejects_bad_k(k):
    """A capacity k that is not a positive int is a ConfigError in sklearn's message shape."""
    with pytest.raises(ConfigError) as info:
        rank_stats([[1, 2], [2, 1]], [1, 2], k=k)
    assert str(info.value) == (
        f"The 'k' parameter of rank_stats must be an int in the range [1, inf). Got {k!r} instead."
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": {"A": 1}}, r"k is given per group .* but groups is None"),
        ({"k": {"A": 1}, "groups": ["A", "B"]}, r"no capacity for group\(s\) \['B'\]"),
        (
            {"k": {"A": 0}, "groups": ["A", "A"]},
            r"must map each group to an int in the range \[1, inf\)\. Got \{'A': 0\} instead",
        ),
    ],
)
def test_rank_stats_rejects_bad_k_per_group(kwargs, message):
    """k per group needs the groups, a value for every group, and positive ints."""
    with pytest.raises(ConfigError, match=message):
        rank_stats([[1, 2], [2, 1]], [1, 2], **kwargs)


def test_rank_stats_rejects_bad_shapes():
    """Ranks that are not units × draws, or a nominal vector of another length, are DataErrors."""
    with pytest.raises(DataError, match="must be 2-D"):
        rank_stats([1, 2, 3], [1, 2, 3])
    with pytest.raises(DataError, match="has no draws"):
        rank_stats(np.empty((3, 0)), [1, 2, 3])
    with pytest.raises(DataError, match="nominal has shape"):
        rank_stats([[1], [2]], [1, 2, 3])
    with pytest.raises(DataError, match="no rank for 1 unit"):
        rank_stats(pd.DataFrame([[1], [2]], index=["x", "y"]), pd.Series([1], index=["x"]))


# --------------------------------------------------------------------------------------------------------
# ranks_within_groups


def test_ranks_within_groups_hand_example():
    """Descending sport ranks (1, 2, 2, 4) per group and draw; NaN scores and NaN groups give NaN ranks."""
    scores = np.array(
        [
            [9.0, 1.0],
            [7.0, 2.0],
            [7.0, NAN],
            [3.0, 2.0],
            [5.0, 5.0],
            [5.0, 4.0],
            [NAN, 6.0],
            [1.0, 1.0],
        ]
    )
    groups = ["small", "small", "small", "small", "large", "large", "large", None]
    expected = np.array(
        [
            [1.0, 3.0],
            [2.0, 1.0],
            [2.0, NAN],
            [4.0, 1.0],
            [1.0, 2.0],
            [1.0, 3.0],
            [NAN, 1.0],
            [NAN, NAN],
        ]
    )
    np.testing.assert_array_equal(ranks_within_groups(scores, groups), expected)


def test_ranks_within_groups_matches_pandas_on_random_matrix():
    """Equal to pandas rank(method='min', ascending=False) per group and column, with ties, NaN and ±inf."""
    rng = np.random.default_rng(7)
    scores = np.round(rng.normal(size=(600, 40)), 1)  # rounding makes many ties
    scores[rng.random(scores.shape) < 0.05] = NAN
    scores[rng.random(scores.shape) < 0.01] = np.inf
    scores[rng.random(scores.shape) < 0.01] = -np.inf
    groups = rng.choice(["micro", "small", "medium", "large"], size=600)
    frame = pd.DataFrame(scores)
    expected = frame.groupby(groups).rank(method="min", ascending=False).to_numpy()
    np.testing.assert_array_equal(ranks_within_groups(scores, groups, n_jobs=None), expected)
    np.testing.assert_array_equal(ranks_within_groups(scores, groups, n_jobs=2), expected)


def test_ranks_within_groups_reproduces_coinr_ranks(coinr_sa, coinr_ua):
    """Ranking COINr's stored scores of every run gives COINr's stored ranks (rank_df, ties at minimum)."""
    for run in (coinr_sa, coinr_ua):
        scores = run["scores"]
        ranks = _read_ranks_with_nominal(run)
        np.testing.assert_array_equal(ranks_within_groups(scores.to_numpy()), ranks.to_numpy(dtype=float))


def _read_ranks_with_nominal(run):
    """The stored ranks with COINr's nominal rank as first column, in the column order of the scores."""
    ranks = run["ranks"].copy()
    ranks.insert(0, "Nominal", run["nominal"])
    assert list(ranks.columns) == list(run["scores"].columns)
    return ranks


def test_ranks_within_groups_one_draw_and_blocks():
    """A 1-D score vector is one draw; splitting the draws into many blocks does not change the ranks."""
    np.testing.assert_array_equal(ranks_within_groups([2.0, 8.0, 2.0]), [2.0, 1.0, 2.0])
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 5, size=(50, 30)).astype(float)
    whole = pd.DataFrame(scores).rank(method="min", ascending=False).to_numpy()
    old = ranks_module._BLOCK_CELLS
    try:
        ranks_module._BLOCK_CELLS = 60  # one draw per block
        np.testing.assert_array_equal(ranks_within_groups(scores), whole)
    finally:
        ranks_module._BLOCK_CELLS = old


def test_ranks_within_groups_rejects_bad_input():
    """Scores of the wrong dimension, groups of the wrong length and n_jobs=0 are rejected."""
    with pytest.raises(DataError, match="1-D or 2-D"):
        ranks_within_groups(np.zeros((2, 2, 2)))
    with pytest.raises(DataError, match="one group label per unit"):
        ranks_within_groups(np.zeros((3, 2)), ["a", "b"])
    with pytest.raises(ConfigError) as info:
        ranks_within_groups(np.zeros((3, 2)), n_jobs=0)
    assert str(info.value) == (
        "The 'n_jobs' parameter of ranks_within_groups must be an int other than 0 or None. Got 0 instead."
    )


# --------------------------------------------------------------------------------------------------------
# mean_abs_rank_shift and COINr's Sobol' indices


def test_mean_abs_rank_shift_hand_example():
    """Mean |rank − nominal| per draw, ignoring a missing rank."""
    ranks = np.array([[1, 2, 1], [2, 1, NAN], [3, 3, 2]])
    np.testing.assert_allclose(mean_abs_rank_shift(ranks, [1, 2, 3]), [0.0, 2 / 3, 0.5])


def test_sobol_indices_reproduce_coinr(coinr_sa):
    """COINr's Si and STi follow from its ranks: y = mean |rank − nominal| per run, runs [A; B; AB_i]."""
    ranks = coinr_sa["ranks"]
    # the Ranks file's own nominal column is the Nominal table's rank
    np.testing.assert_array_equal(coinr_sa["ranks_nominal"], coinr_sa["nominal"])
    assert list(ranks.columns) == [f"r_{i}" for i in range(1, COINR_N * (COINR_D + 2) + 1)]
    y = mean_abs_rank_shift(ranks, coinr_sa["nominal"])
    got = sobol_indices(y, COINR_N, COINR_D, names=COINR_FACTORS)
    expected = coinr_sa["sens"]
    assert list(expected.index) == COINR_FACTORS
    np.testing.assert_allclose(got["Si"], expected["Si"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got["STi"], expected["STi"], rtol=1e-12, atol=1e-15)


def test_coinr_run_order_is_blockwise(coinr_sa):
    """Reading the runs factor-interleaved instead of block-wise does not give COINr's numbers."""
    y = mean_abs_rank_shift(coinr_sa["ranks"], coinr_sa["nominal"])
    n, d = COINR_N, COINR_D
    interleaved = np.concatenate([y[: 2 * n], y[2 * n :].reshape(n, d).T.ravel()])
    got = sobol_indices(interleaved, n, d, names=COINR_FACTORS)
    assert not np.allclose(got["STi"], coinr_sa["sens"]["STi"], rtol=0.05)


def test_sobol_bootstrap_bounds_near_coinr(coinr_sa):
    """Bootstrap bounds agree with COINr's only up to Monte Carlo error: other RNG, other resampling.

    COINr's SA_estimate resamples the terms of each index separately (one ``sample()`` per factor and per
    Si/STi) and divides by the full-sample V; METHODS.md leaves the scheme open, and sobol_indices
    resamples the n rows of all blocks jointly and recomputes V per replicate. Both target the same
    sampling distribution of each index, so the bounds agree up to the error of COINr's percentiles from
    its Nboot = 100 replicates (a percentile from 100 draws has a standard error of roughly a fifth of the
    bootstrap standard deviation): here within 30 % of COINr's interval width.
    """
    y = mean_abs_rank_shift(coinr_sa["ranks"], coinr_sa["nominal"])
    got = sobol_indices(y, COINR_N, COINR_D, nboot=20_000, seed=0, names=COINR_FACTORS)
    exp = coinr_sa["sens"]
    for index in ("Si", "STi"):
        width = exp[f"{index}_q95"] - exp[f"{index}_q5"]
        for q in ("q5", "q95"):
            col = f"{index}_{q}"
            assert (abs(got[col] - exp[col]) <= 0.3 * width).all(), col
    # the point estimates do not depend on the bootstrap
    np.testing.assert_allclose(got["Si"], exp["Si"], rtol=1e-12)


# --------------------------------------------------------------------------------------------------------
# sobol_indices on analytic models


def _evaluate(model, n, d, seed, method="random"):
    """Run ``model`` on a Saltelli design and return its Sobol' indices."""
    x = saltelli_design(n, d, seed=seed, method=method)
    return sobol_indices(model(x), n, d)


def test_sobol_additive_model():
    """y = 2·x1 + x2 on uniforms: Si = STi = 4/5 and 1/5; a third, unused factor has both exactly 0."""
    got = _evaluate(lambda x: 2.0 * x[:, 0] + x[:, 1], 2**16, 3, seed=11)
    # Monte Carlo standard errors at n = 2^16 (measured over 40 seeds at n = 2^14, halved): Si 0.010 and
    # 0.006 — the first-order estimator on an uncentred y is noisy — and STi 0.003 and 0.001; the
    # tolerances are four of the larger one
    np.testing.assert_allclose(got["Si"].iloc[:2], [0.8, 0.2], atol=0.04)
    np.testing.assert_allclose(got["STi"].iloc[:2], [0.8, 0.2], atol=0.012)
    # a dummy factor: y_AB3 == y_A row by row, so both estimators are exactly 0, not just small
    assert got.loc[3, "Si"] == 0.0 and got.loc[3, "STi"] == 0.0


def test_sobol_factor_with_one_alternative_is_exactly_zero():
    """A discrete factor with a single alternative never changes y, so its indices are exactly 0."""

    def model(x):
        method = pick(x[:, 1], ["only"])
        scale = np.where(np.array(method) == "only", 1.0, 2.0)
        return scale * np.sin(2 * np.pi * x[:, 0]) + x[:, 2]

    got = _evaluate(model, 512, 3, seed=5)
    assert got.loc[2, "Si"] == 0.0 and got.loc[2, "STi"] == 0.0
    assert got.loc[1, "STi"] > 0.5


def _ishigami(x, a=7.0, b=0.1):
    z = -np.pi + 2 * np.pi * x
    return np.sin(z[:, 0]) + a * np.sin(z[:, 1]) ** 2 + b * z[:, 2] ** 4 * np.sin(z[:, 0])


ISHIGAMI_S = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]


@pytest.mark.parametrize("method", ["random", "sobol"])
def test_sobol_ishigami(method):
    """The Ishigami function (a=7, b=0.1) gives its published S and ST within the estimators' error."""
    got = _evaluate(_ishigami, 2**17, 3, seed=2024, method=method)
    # Monte Carlo standard errors of these estimators at n = 2^17 are at most 0.004 (measured over 30
    # seeds at n = 2^15: ≤ 0.0073, shrinking as 1/√n); 0.015 leaves about four standard errors
    np.testing.assert_allclose(got["Si"], ISHIGAMI_S, atol=0.015)
    np.testing.assert_allclose(got["STi"], ISHIGAMI_ST, atol=0.015)


def test_ishigami_published_values_match_closed_form():
    """The tabulated Ishigami indices are the closed-form variances V1/V, V2/V, (V1+V13)/V and V13/V."""
    a, b = 7.0, 0.1
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    np.testing.assert_allclose([v1 / v, v2 / v, 0.0], ISHIGAMI_S, atol=5e-5)
    np.testing.assert_allclose([(v1 + v13) / v, v2 / v, v13 / v], ISHIGAMI_ST, atol=5e-5)


def test_sobol_bootstrap_is_seeded_and_brackets_estimate():
    """Equal seeds give equal bounds; the percentile interval contains the point estimate here."""
    x = saltelli_design(1024, 2, seed=3)
    y = 2.0 * x[:, 0] + x[:, 1] + x[:, 0] * x[:, 1]
    first = sobol_indices(y, 1024, 2, nboot=500, seed=9)
    again = sobol_indices(y, 1024, 2, nboot=500, seed=9)
    pd.testing.assert_frame_equal(first, again)
    assert list(first.columns) == ["Si", "STi", "Si_q5", "Si_q95", "STi_q5", "STi_q95"]
    assert (first["Si_q5"] <= first["Si"]).all() and (first["Si"] <= first["Si_q95"]).all()
    assert (first["STi_q5"] <= first["STi"]).all() and (first["STi"] <= first["STi_q95"]).all()


def test_sobol_constant_output_warns_and_returns_nan():
    """A y that does not vary over A and B has undefined indices: NaN and a VielfaltWarning."""
    with pytest.warns(VielfaltWarning, match="undefined"):
        got = sobol_indices(np.ones(4 * 5), 4, 3, nboot=10, seed=0)
    assert got.isna().all().all() and got.shape == (3, 6)


def test_sobol_rejects_bad_input():
    """Wrong length, missing outputs and bad parameters are rejected with exact messages."""
    with pytest.raises(DataError) as info:
        sobol_indices(np.zeros(599), 100, 4)
    assert str(info.value) == t("sensitivity.design_length", "en", got=599, n=100, d=4, want=600)
    assert "n*(d+2) = 600" in str(info.value)
    y = np.arange(12.0)
    y[7] = NAN
    with pytest.raises(DataError, match="first at run 8"):
        sobol_indices(y, 3, 2)
    with pytest.raises(ConfigError) as info:
        sobol_indices(np.zeros(12), 3, 2, nboot=-1)
    assert str(info.value) == (
        "The 'nboot' parameter of sobol_indices must be an int in the range [0, inf). Got -1 instead."
    )
    with pytest.raises(ConfigError, match="sequence of d=2 factor names"):
        sobol_indices(np.arange(12.0), 3, 2, names=["w"])
    with pytest.raises(ConfigError) as info:
        sobol_indices(np.arange(12.0), 3, 2, nboot=5, seed="x")
    assert str(info.value) == (
        "The 'seed' parameter of sobol_indices must be an int, a numpy.random.Generator or None. "
        "Got 'x' instead."
    )


# --------------------------------------------------------------------------------------------------------
# designs and draws


@pytest.mark.parametrize("method", ["random", "sobol"])
def test_saltelli_design_structure(method):
    """Blocks [A; B; AB_1 … AB_d]: AB_i is A with column i from B; values in [0, 1); seeded."""
    n, d = 16, 3
    x = saltelli_design(n, d, seed=42, method=method)
    assert x.shape == (n * (d + 2), d)
    assert ((x >= 0) & (x < 1)).all()
    a, b = x[:n], x[n : 2 * n]
    for i in range(d):
        ab = x[(2 + i) * n : (3 + i) * n]
        expected = a.copy()
        expected[:, i] = b[:, i]
        np.testing.assert_array_equal(ab, expected)
    np.testing.assert_array_equal(x, saltelli_design(n, d, seed=42, method=method))
    assert not np.array_equal(x, saltelli_design(n, d, seed=43, method=method))


def test_saltelli_design_rejects_bad_parameters():
    """n, d and method outside their ranges give sklearn-shaped ConfigErrors."""
    with pytest.raises(ConfigError) as info:
        saltelli_design(0, 2, seed=1)
    assert str(info.value) == (
        "The 'n' parameter of saltelli_design must be an int in the range [1, inf). Got 0 instead."
    )
    with pytest.raises(ConfigError) as info:
        saltelli_design(4, 2, seed=1, method="lhs")
    assert str(info.value) == (
        "The 'method' parameter of saltelli_design must be one of {'random', 'sobol'}. Got 'lhs' instead."
    )


def test_pick_maps_uniform_draws_to_alternatives():
    """floor(u·m) picks the alternative; u = 1 is the last; one alternative is always chosen."""
    alts = ["mean", "median", "group_mean", "group_median"]
    assert pick([0.0, 0.2499, 0.25, 0.5, 0.9999, 1.0], alts) == [
        "mean",
        "mean",
        "median",
        "group_mean",
        "group_median",
        "group_median",
    ]
    assert pick(0.73, ["only"]) == "only"
    assert pick(np.array([[0.1, 0.9]]), [1, 2]) == [1, 2]


def test_pick_rejects_bad_input():
    """No alternatives is a ConfigError; a draw outside [0, 1] is a DataError."""
    with pytest.raises(ConfigError, match="non-empty sequence"):
        pick(0.5, [])
    with pytest.raises(DataError, match="uniform draws in"):
        pick([0.5, 1.2], ["a", "b"])


def test_perturb_weights_zero_noise_is_nominal():
    """f = 0 returns the nominal weights in every draw."""
    w = np.array([0.5, 0.3, 0.2])
    u = np.random.default_rng(0).random((20, 3))
    np.testing.assert_allclose(perturb_weights(w, 0.0, u), np.tile(w, (20, 1)), rtol=1e-15)


def test_perturb_weights_sum_and_bounds():
    """Each draw sums to the nominal sum; w'/w lies in [(1−f)/(1+f), (1+f)/(1−f)]; extremes by hand."""
    w = np.array([2.0, 1.0, 1.0, 0.0])
    f = 0.25
    u = np.random.default_rng(1).random((1000, 4))
    got = perturb_weights(w, f, u)
    np.testing.assert_allclose(got.sum(axis=1), w.sum(), rtol=1e-14)
    ratio = got[:, :3] / w[:3]
    assert (ratio >= (1 - f) / (1 + f)).all() and (ratio <= (1 + f) / (1 - f)).all()
    assert (got[:, 3] == 0).all()
    # u = (1, 0, 0.5, ·): 2·1.25, 1·0.75, 1·1 → 2.5, 0.75, 1 (sum 4.25) rescaled to sum 4
    np.testing.assert_allclose(
        perturb_weights(w, f, [1.0, 0.0, 0.5, 0.3]), np.array([2.5, 0.75, 1.0, 0.0]) * 4 / 4.25
    )


def test_perturb_weights_rejects_bad_input():
    """f outside [0, 1), negative weights and mismatched draws are rejected."""
    with pytest.raises(ConfigError) as info:
        perturb_weights([1.0, 1.0], 1.0, [[0.5, 0.5]])
    assert str(info.value) == (
        "The 'f' parameter of perturb_weights must be a float in the range [0.0, 1.0). Got 1.0 instead."
    )
    with pytest.raises(DataError, match="non-negative"):
        perturb_weights([1.0, -1.0], 0.1, [[0.5, 0.5]])
    with pytest.raises(DataError, match="there are 2 weights"):
        perturb_weights([1.0, 1.0], 0.1, [[0.5, 0.5, 0.5]])


# --------------------------------------------------------------------------------------------------------
# module contract


def test_public_functions_are_documented():
    """Each public function has Parameters, Returns and Examples sections and the module exports them."""
    for name in (
        "saltelli_design",
        "pick",
        "perturb_weights",
        "ranks_within_groups",
        "mean_abs_rank_shift",
        "rank_stats",
        "sobol_indices",
    ):
        assert name in uncertainty.__all__
        doc = getattr(uncertainty, name).__doc__
        for section in ("Parameters\n", "Returns\n", "Examples\n"):
            assert section in doc, (name, section)
    for name in ("saltelli_design", "sobol_indices"):
        assert "References\n" in getattr(uncertainty, name).__doc__


def test_doctests():
    """The doctest examples in the modules of vielfalt.sensitivity give the printed results."""
    attempted = 0
    for module in (design_module, ranks_module, sobol_module):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted >= 7


def test_no_run_of_an_edition_in_the_generic_statistics():
    """The edition's analysis lives in vielfalt.robustness; the generic subpackage does not forward to it."""
    import vielfalt.robustness

    assert not hasattr(uncertainty, "run_uncertainty")
    assert callable(vielfalt.robustness.run_uncertainty)
