"""Uncertainty and sensitivity analysis of the rankings: the pure statistical core (METHODS.md §3).

The assumptions behind a ranking (weights, normalisation, aggregation, imputation, rater-effect model, the N/A
rule) are *factors*. Each run of the analysis draws one value per factor from a uniform number in [0, 1):
continuous factors such as weights through :func:`perturb_weights`, discrete ones through :func:`pick`. This
module holds everything that does not need the pipeline itself:

- :func:`saltelli_design` — the Monte Carlo design [A; B; AB₁ … AB_d] (Saltelli et al. 2010);
- :func:`ranks_within_groups` — ranks of every draw at once, within size categories;
- :func:`mean_abs_rank_shift` — the scalar output y of a draw: mean |rank − nominal rank|;
- :func:`rank_stats` — nominal, mean, median, 5th/95th percentile rank and P(rank ≤ k) per entry;
- :func:`sobol_indices` — first-order and total Sobol' indices with optional bootstrap percentiles.

The conventions are METHODS.md §3 and reproduce the R package COINr (``get_sensitivity``, ``SA_estimate``,
``SA_sample``; Becker et al., COINr 1.1.14): its stored ``RankStats`` and ``Sensitivity`` tables are
recomputed exactly from its stored ranks in ``tests/test_uncertainty.py``. They differ from SALib's defaults:
the first-order estimator of Saltelli et al. (2010) is applied to the raw output (SALib standardises y
first, which changes this estimator in finite samples), and V is the sample variance with ddof = 1 of
[y_A; y_B] (SALib: ddof = 0).

Inputs (numpy arrays or pandas objects) are never modified.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np
import pandas as pd

from vielfalt.exceptions import ConfigError, DataError, VielfaltWarning

__all__ = [
    # designs and draws
    "pick",
    "perturb_weights",
    "saltelli_design",
    # ranks of many draws
    "mean_abs_rank_shift",
    "rank_stats",
    "ranks_within_groups",
    # sensitivity indices
    "sobol_indices",
    # the analysis of an edition
    "run_uncertainty",
    # column names
    "NOMINAL",
    "MEAN",
    "MEDIAN",
    "Q5",
    "Q95",
    "P_TOPK",
    "RANK_STATS_COLUMNS",
    "FACTOR",
    "SI",
    "STI",
    "SI_Q5",
    "SI_Q95",
    "STI_Q5",
    "STI_Q95",
]

# Column names of the result tables, as COINr names them so that tables can be compared side by side.
NOMINAL = "Nominal"
MEAN = "Mean"
MEDIAN = "Median"
Q5 = "Q5"
Q95 = "Q95"
P_TOPK = "P_topk"
RANK_STATS_COLUMNS = [NOMINAL, MEAN, MEDIAN, Q5, Q95]
FACTOR = "factor"
SI = "Si"
STI = "STi"
SI_Q5 = "Si_q5"
SI_Q95 = "Si_q95"
STI_Q5 = "STi_q5"
STI_Q95 = "STi_q95"

# Message templates, asserted verbatim in tests (sklearn's shape for bad parameters).
PARAM_INT_MSG = (
    "The {param!r} parameter of {func} must be an int in the range [{low}, inf). Got {value!r} instead."
)
PARAM_FLOAT_MSG = (
    "The {param!r} parameter of {func} must be a float in the range [0.0, 1.0). Got {value!r} instead."
)
PARAM_OPTIONS_MSG = "The {param!r} parameter of {func} must be one of {{{options}}}. Got {value!r} instead."
PARAM_SEED_MSG = (
    "The 'seed' parameter of {func} must be an int, a numpy.random.Generator or None. Got {value!r} instead."
)
SINGLE_DRAW_MSG = (
    "rank_stats got a single draw: Mean, Median, Q5 and Q95 all equal that draw's rank, so the rank "
    "intervals are degenerate. Use more draws for an uncertainty analysis."
)
ZERO_VARIANCE_MSG = (
    "sobol_indices: the output y does not vary over the A and B blocks (V = {var!r}), so the Sobol' "
    "indices are undefined; returning NaN."
)
DESIGN_LENGTH_MSG = (
    "sobol_indices got {got} output values; a Saltelli design with n={n} and d={d} has n*(d+2) = {want} "
    "runs. Pass the outputs stacked as [A; B; AB_1 ... AB_d], n rows each."
)

_DESIGN_METHODS = ("random", "sobol")
# Draws ranked together in one block of ranks_within_groups: about 4 M cells (32 MB of float64) keeps the
# temporaries of a block in cache-friendly sizes instead of allocating several copies of the whole matrix.
_BLOCK_CELLS = 1 << 22


# --------------------------------------------------------------------------------------------------------
# parameter checks


def _check_int(value: Any, param: str, func: str, low: int) -> int:
    """Return ``value`` as an int or raise ConfigError in sklearn's message shape."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        msg = PARAM_INT_MSG.format(param=param, func=func, low=low, value=value)
        raise ConfigError(msg)
    return int(value)


def _check_unit_float(value: Any, param: str, func: str) -> float:
    """Return ``value`` as a float in [0, 1) or raise ConfigError in sklearn's message shape."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0.0 <= float(value) < 1.0:
        msg = PARAM_FLOAT_MSG.format(param=param, func=func, value=value)
        raise ConfigError(msg)
    return float(value)


def _rng(seed: Any, func: str) -> np.random.Generator:
    """Turn an int, Generator or None into a Generator; anything else is a ConfigError."""
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, Integral) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    msg = PARAM_SEED_MSG.format(func=func, value=seed)
    raise ConfigError(msg)


def _uniform(u: Any, name: str, func: str) -> np.ndarray:
    """Return uniform draws as a float array, checking they lie in [0, 1]."""
    arr = np.asarray(u, dtype=float)
    bad = ~((arr >= 0.0) & (arr <= 1.0))
    if bad.any():
        first = arr[bad].flat[0]
        msg = (
            f"{func}: {name} must hold uniform draws in [0, 1]; found {int(bad.sum())} value(s) outside, "
            f"e.g. {first!r}. Pass the columns of saltelli_design or numpy's Generator.random()."
        )
        raise DataError(msg)
    return arr


# --------------------------------------------------------------------------------------------------------
# designs and draws


def saltelli_design(
    n: int, d: int, *, seed: int | np.random.Generator | None, method: Literal["random", "sobol"] = "random"
) -> np.ndarray:
    """Draw the Monte Carlo design [A; B; AB_1 ... AB_d] for Sobol' indices.

    A and B are two independent n × d samples of uniforms in [0, 1). AB_i is A with its i-th column taken
    from B (Saltelli et al. 2010, section 3). The blocks are stacked in this order, n rows each, which is
    the order :func:`sobol_indices` expects and the order of COINr's ``SA_sample``.

    Parameters
    ----------
    n : int
        Rows per block (COINr's ``N``), at least 1.
    d : int
        Number of factors, at least 1.
    seed : int, numpy.random.Generator or None
        Seed of the draw; required so that a run can be replayed from its manifest. ``None`` draws fresh
        entropy and should only be used interactively.
    method : {"random", "sobol"}, default="random"
        ``"random"`` draws A and B with ``numpy.random.default_rng(seed).random`` — plain Monte Carlo, as
        COINr's ``SA_sample`` does with ``runif``. ``"sobol"`` takes A and B as the first and last d columns
        of one scrambled 2d-dimensional Sobol' sequence (``scipy.stats.qmc.Sobol``, seeded), the
        quasi-random design recommended by Saltelli et al. (2010); use n a power of 2 for its balance
        properties (scipy warns otherwise).

    Returns
    -------
    numpy.ndarray
        Array of shape (n·(d+2), d) with values in [0, 1).

    Raises
    ------
    ConfigError
        If ``n``, ``d``, ``seed`` or ``method`` is not allowed.

    References
    ----------
    A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola (2010). Variance based
    sensitivity analysis of model output. Design and estimator for the total sensitivity index. Computer
    Physics Communications 181(2), 259–270.

    Examples
    --------
    >>> X = saltelli_design(4, 2, seed=1)
    >>> X.shape
    (16, 2)
    >>> bool((X[8:12, 1] == X[:4, 1]).all() and (X[8:12, 0] == X[4:8, 0]).all())
    True
    """
    func = "saltelli_design"
    n = _check_int(n, "n", func, 1)
    d = _check_int(d, "d", func, 1)
    if method not in _DESIGN_METHODS:
        msg = PARAM_OPTIONS_MSG.format(
            param="method", func=func, options=", ".join(map(repr, _DESIGN_METHODS)), value=method
        )
        raise ConfigError(msg)
    rng = _rng(seed, func)
    if method == "random":
        base = rng.random((n, 2 * d))
    else:
        from scipy.stats import qmc

        # one 2d-dimensional sequence, not two d-dimensional ones: A and B must be independent of each
        # other, which the columns of a single Sobol' sequence are and two equally seeded sequences are not.
        base = qmc.Sobol(2 * d, scramble=True, seed=rng).random(n)
    a, b = base[:, :d], base[:, d:]
    ab = np.tile(a, (d, 1))
    for i in range(d):  # a loop over factors (few), not over draws
        ab[i * n : (i + 1) * n, i] = b[:, i]
    return np.vstack([a, b, ab])


def pick(u: Any, alternatives: Sequence[Any]) -> Any:
    """Map uniform draws to one of several discrete alternatives.

    Alternative ``floor(u·m)`` is chosen among the m alternatives (u = 1 maps to the last), so each has
    probability 1/m under a uniform u. A factor with a single alternative never changes the output, and its
    Sobol' indices are exactly 0.

    COINr's ``sample_2_para`` uses ``cut(x, m)`` instead, which splits the observed range of the sample
    (not [0, 1]) into m bins; for a uniform sample of realistic size the two agree except for draws within
    about 1/(sample size) of a bin edge.

    Parameters
    ----------
    u : float or array-like of float
        Uniform draw(s) in [0, 1].
    alternatives : sequence
        The m ≥ 1 alternatives, e.g. method names.

    Returns
    -------
    object or list
        The chosen alternative for a scalar ``u``; a list of alternatives, one per draw, for an array.

    Raises
    ------
    ConfigError
        If ``alternatives`` is empty.
    DataError
        If a draw lies outside [0, 1].

    Examples
    --------
    >>> pick(0.5, ["minmax", "zscore", "rank"])
    'zscore'
    >>> pick([0.0, 0.34, 0.99], ["minmax", "zscore", "rank"])
    ['minmax', 'zscore', 'rank']
    """
    alts = list(alternatives)
    m = len(alts)
    if m == 0:
        msg = "The 'alternatives' parameter of pick must be a non-empty sequence. Got [] instead."
        raise ConfigError(msg)
    arr = _uniform(u, "u", "pick")
    idx = np.minimum(np.floor(arr * m).astype(np.int64), m - 1)
    if idx.ndim == 0:
        return alts[int(idx)]
    return [alts[i] for i in idx.ravel()]


def perturb_weights(weights: Any, f: float, u: Any) -> np.ndarray:
    """Perturb nominal weights by uniform noise of ± f × weight, renormalised to the original sum.

    Draw j gives ``w · (1 + f·(2u_j − 1))`` rescaled so that its sum equals ``sum(w)``: each weight moves by
    up to ±f of its nominal value before renormalisation (COINr's ``get_noisy_weights``; COINr leaves the
    sum to the aggregation, which renormalises within each parent — the same weights in effect).

    Parameters
    ----------
    weights : array-like of shape (d_w,)
        Nominal weights, finite, non-negative, with a positive sum.
    f : float
        Noise factor in [0, 1): 0.25 lets a weight vary by ±25 %. Below 1 every positive weight stays
        positive.
    u : array-like of shape (draws, d_w) or (d_w,)
        Uniform draws in [0, 1], one column per weight.

    Returns
    -------
    numpy.ndarray
        Perturbed weights with the shape of ``u``; each row sums to ``sum(weights)``.

    Raises
    ------
    ConfigError
        If ``f`` is outside [0, 1).
    DataError
        If the weights are not finite and non-negative with a positive sum, or ``u`` does not match them.

    Examples
    --------
    >>> perturb_weights([1.0, 1.0], 0.5, [[1.0, 0.0], [0.5, 0.5]])
    array([[1.5, 0.5],
           [1. , 1. ]])
    """
    func = "perturb_weights"
    f = _check_unit_float(f, "f", func)
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0 or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        msg = (
            f"{func}: weights must be a non-empty 1-D vector of finite, non-negative numbers with a positive "
            f"sum; got {w!r}. Check the nominal weights of the edition."
        )
        raise DataError(msg)
    uu = _uniform(u, "u", func)
    if uu.shape[-1:] != w.shape or uu.ndim > 2:
        msg = (
            f"{func}: u has shape {uu.shape} but there are {w.size} weights; pass one row of {w.size} "
            "uniform draws per draw (shape (draws, d_w))."
        )
        raise DataError(msg)
    noisy = w * (1.0 + f * (2.0 * uu - 1.0))
    return noisy * (w.sum() / noisy.sum(axis=-1, keepdims=True))


# --------------------------------------------------------------------------------------------------------
# ranks of many draws


def _rank_block(keys: np.ndarray) -> np.ndarray:
    """Rank each row of ``keys`` ascending, ties sharing the lowest rank (1, 2, 2, 4); no NaN allowed."""
    order = np.argsort(keys, axis=1)
    srt = np.take_along_axis(keys, order, axis=1)
    starts = np.empty(srt.shape, dtype=bool)
    starts[:, 0] = True
    np.not_equal(srt[:, 1:], srt[:, :-1], out=starts[:, 1:])
    # the rank of a sorted position is the 1-based position where its run of equal values starts: mark run
    # starts with their position and carry it forward over the run.
    pos = np.where(starts, np.arange(1, srt.shape[1] + 1, dtype=np.float64), 0.0)
    np.maximum.accumulate(pos, axis=1, out=pos)
    ranks = np.empty_like(pos)
    np.put_along_axis(ranks, order, pos, axis=1)
    return ranks


def _n_threads(n_jobs: int | None) -> int:
    """Resolve ``n_jobs`` with joblib's conventions (None → 1, −1 → all CPUs, −2 → all but one)."""
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs == 0:
        msg = (
            "The 'n_jobs' parameter of ranks_within_groups must be an int other than 0 or None. "
            f"Got {n_jobs!r} instead."
        )
        raise ConfigError(msg)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, int(n_jobs) if n_jobs > 0 else cpus + 1 + int(n_jobs))


def ranks_within_groups(scores: Any, groups: Any = None, *, n_jobs: int | None = -1) -> np.ndarray:
    """Rank every draw's scores within groups: descending, ties sharing the lowest rank, NaN kept.

    The ranking of METHODS.md §2 ("sport" ranking 1, 2, 2, 4; COINr's ``rank_df``, R's
    ``rank(-x, ties.method = "min")``, pandas' ``rank(method="min", ascending=False)``) applied to each
    column of a units × draws matrix, separately inside each group (size category). A NaN score (an entry
    missing in a draw) gets a NaN rank and is not counted in the ranks of the others; so does a unit whose
    group is missing.

    All draws of a group are sorted with one ``argsort`` per block of draws (no Python loop over draws);
    the blocks go to a thread pool, since numpy's sort releases the GIL. Measured for 100 000 units ×
    1 000 draws in four groups with 0.1 % NaN: 5–11 s on a 2-vCPU x86-64 VM shared with other jobs (numpy
    2.4 with AVX-512; 5 s when the second core was free, 8–11 s single-threaded), of which numpy's
    argsort alone takes about 4.5 s per thread; 9–12 s as one group of 100 000. Memory: the float64
    result (800 MB at that size) plus about 200 MB of temporaries per thread.

    Parameters
    ----------
    scores : array-like of shape (n_units, n_draws) or (n_units,)
        Scores, higher is better. A DataFrame is used through its values.
    groups : array-like of shape (n_units,), default=None
        Group label per unit; ``None`` ranks all units together.
    n_jobs : int or None, default=-1
        Threads for the sort (joblib's convention: −1 all CPUs, None one). The result does not depend on it.

    Returns
    -------
    numpy.ndarray
        Float array with the shape of ``scores``: ranks 1, 2, … within each group and draw, NaN for NaN.

    Raises
    ------
    DataError
        If ``scores`` is not 1-D or 2-D numeric, or ``groups`` does not have one label per unit.

    Examples
    --------
    >>> ranks_within_groups([[3.0], [5.0], [5.0], [1.0], [float("nan")]]).ravel()
    array([ 3.,  1.,  1.,  4., nan])
    >>> ranks_within_groups([1.0, 2.0, 3.0, 4.0], ["a", "b", "a", "b"])
    array([2., 2., 1., 1.])
    """
    func = "ranks_within_groups"
    try:
        s = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as err:
        msg = f"{func}: scores must be numeric (units × draws); {err}."
        raise DataError(msg) from err
    if s.ndim not in (1, 2):
        msg = f"{func}: scores must be 1-D or 2-D (units × draws); got shape {s.shape}."
        raise DataError(msg)
    one_d = s.ndim == 1
    s2 = s[:, None] if one_d else s
    n_units, n_draws = s2.shape
    if groups is None:
        codes = np.zeros(n_units, dtype=np.int64)
    else:
        g = np.asarray(groups, dtype=object)
        if g.shape != (n_units,):
            msg = (
                f"{func}: groups has shape {g.shape} but scores has {n_units} units; pass one group label "
                "per unit (row of scores)."
            )
            raise DataError(msg)
        codes, _ = pd.factorize(g, use_na_sentinel=True)
    out = np.full(s2.shape, np.nan)
    if n_units == 0 or n_draws == 0:
        return out[:, 0] if one_d else out

    def rank_task(rows: Any, j0: int, j1: int) -> None:
        # negate for a descending rank; a NaN key becomes +inf so that it sorts last and never counts as
        # greater than another score. A −inf score ties with those +inf keys and still gets the right rank
        # (1 + number of greater scores), because its run starts before any NaN position.
        keys = np.negative(s2[rows, j0:j1].T, order="C")
        missing = np.isnan(keys)
        keys[missing] = np.inf
        ranks = _rank_block(keys)
        ranks[missing] = np.nan
        out[rows, j0:j1] = ranks.T

    tasks: list[tuple[Any, int, int]] = []
    for code in np.unique(codes[codes >= 0]):
        rows: Any = np.flatnonzero(codes == code)
        size = rows.size
        if size == n_units:
            rows = slice(None)  # one group: a view instead of a fancy-indexed copy
        step = max(1, _BLOCK_CELLS // size)
        tasks.extend((rows, j0, min(j0 + step, n_draws)) for j0 in range(0, n_draws, step))
    threads = min(_n_threads(n_jobs), len(tasks))
    if threads <= 1:
        for task in tasks:
            rank_task(*task)
    else:
        # tasks write disjoint blocks of `out`, so the result is independent of scheduling
        with ThreadPoolExecutor(threads) as pool:
            for fut in [pool.submit(rank_task, *task) for task in tasks]:
                fut.result()
    return out[:, 0] if one_d else out


def _as_units_by_draws(ranks: Any, nominal: Any, func: str) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Align ranks (units × draws) and nominal ranks by unit; return arrays and the unit index."""
    if isinstance(ranks, pd.DataFrame):
        index = ranks.index
        r = ranks.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        r = np.asarray(ranks, dtype=np.float64)
        index = nominal.index if isinstance(nominal, pd.Series) else pd.RangeIndex(r.shape[0])
    if r.ndim != 2:
        msg = f"{func}: ranks must be 2-D (units × draws); got shape {r.shape}."
        raise DataError(msg)
    if r.shape[1] == 0:
        msg = f"{func}: ranks has no draws (shape {r.shape}); pass at least one column of simulated ranks."
        raise DataError(msg)
    if isinstance(nominal, pd.Series) and isinstance(ranks, pd.DataFrame):
        missing = index.difference(nominal.index)
        if len(missing):
            msg = (
                f"{func}: nominal has no rank for {len(missing)} unit(s) of ranks, e.g. {missing[0]!r}; "
                "pass the nominal rank of every unit."
            )
            raise DataError(msg)
        nom = nominal.reindex(index)
    else:
        nom = nominal
    nom_arr = np.asarray(nom)
    if nom_arr.shape != (r.shape[0],):
        msg = (
            f"{func}: nominal has shape {nom_arr.shape} but ranks has {r.shape[0]} units; pass one per unit."
        )
        raise DataError(msg)
    return r, nom_arr, index


def mean_abs_rank_shift(ranks: Any, nominal: Any) -> np.ndarray:
    """Compute the mean absolute rank shift against the nominal ranking, per draw.

    y_j = mean over units of |rank_uj − nominal_u|, ignoring missing ranks — the scalar output of the
    sensitivity analysis (METHODS.md §3) and exactly COINr's ``get_sensitivity`` target
    ``mean(abs(x - Nominal), na.rm = TRUE)``.

    Parameters
    ----------
    ranks : DataFrame or array-like of shape (n_units, n_draws)
        Simulated ranks; a DataFrame is aligned with a Series ``nominal`` by index.
    nominal : Series or array-like of shape (n_units,)
        Nominal rank per unit.

    Returns
    -------
    numpy.ndarray
        Shape (n_draws,); NaN for a draw without any ranked unit.

    Raises
    ------
    DataError
        If the shapes do not match or a unit has no nominal rank.

    Examples
    --------
    >>> mean_abs_rank_shift([[1, 2], [2, 1], [3, 3]], [1, 2, 3])
    array([0.        , 0.66666667])
    """
    r, nom, _ = _as_units_by_draws(ranks, nominal, "mean_abs_rank_shift")
    dev = np.abs(r - nom.astype(np.float64)[:, None])
    with warnings.catch_warnings():
        # an all-NaN draw (every regeneration failed) yields NaN, which sobol_indices then reports
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(dev, axis=0)


def rank_stats(
    ranks: Any,
    nominal: Any,
    *,
    k: int | Mapping[Hashable, int] | pd.Series | None = None,
    groups: Any = None,
) -> pd.DataFrame:
    """Summarise simulated ranks per unit: nominal, mean, median, 5th and 95th percentile, P(rank ≤ k).

    The statistics of COINr's ``get_sensitivity`` (its ``RankStats``): missing ranks are ignored
    (``na.rm = TRUE``) and the percentiles are R's type 7, i.e. numpy's default "linear" method. In a
    sensitivity analysis COINr summarises only the 2N independent runs of blocks A and B (not the AB_i
    blocks, which repeat A's values of all but one factor); pass ``ranks[:, :2 * n]`` to do the same.

    Parameters
    ----------
    ranks : DataFrame or array-like of shape (n_units, n_draws)
        Simulated ranks, already within the unit's category (see :func:`ranks_within_groups`).
    nominal : Series or array-like of shape (n_units,)
        Nominal rank per unit; a Series is aligned with a DataFrame ``ranks`` by index.
    k : int, dict or Series, default=None
        Site-visit capacity. An int applies to every unit; a mapping or Series gives k per group and needs
        ``groups``. When given, the column ``P_topk`` holds the share of (non-missing) draws with rank ≤ k.
    groups : array-like of shape (n_units,), default=None
        Group (category) per unit, to look up k from a mapping.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit (the index of ``ranks`` or ``nominal``) with columns ``Nominal, Mean, Median, Q5,
        Q95`` and ``P_topk`` when ``k`` is given.

    Raises
    ------
    ConfigError
        If ``k`` is not a positive int, or a mapping without ``groups`` or without a group's value.
    DataError
        If the shapes do not match.

    Warns
    -----
    VielfaltWarning
        With a single draw, whose intervals are degenerate.

    Examples
    --------
    >>> rank_stats([[1, 1, 2, 1], [2, 3, 1, 2], [3, 2, 3, 3]], [1, 2, 3], k=1)
       Nominal  Mean  Median    Q5   Q95  P_topk
    0        1  1.25     1.0  1.00  1.85    0.75
    1        2  2.00     2.0  1.15  2.85    0.25
    2        3  2.75     3.0  2.15  3.00    0.00
    """
    func = "rank_stats"
    r, nom, index = _as_units_by_draws(ranks, nominal, func)
    if r.shape[1] == 1:
        warnings.warn(SINGLE_DRAW_MSG, VielfaltWarning, stacklevel=2)
    with warnings.catch_warnings():
        # a unit missing in every draw gets NaN statistics rather than numpy's "empty slice" warnings
        warnings.simplefilter("ignore", RuntimeWarning)
        table = {NOMINAL: nom, **_summaries(r)}
        if k is not None:
            kk = _k_per_unit(k, groups, r.shape[0], func)
            observed = ~np.isnan(r)
            table[P_TOPK] = (r <= kk[:, None]).sum(axis=1) / observed.sum(axis=1)
    return pd.DataFrame(table, index=index)


def _summaries(r: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, median, 5th and 95th percentile per row, ignoring NaN.

    numpy's nan-aware quantiles loop over rows in Python; rows without NaN (usually all of them) take the
    vectorised functions instead, which give the same values (numpy "linear" method).
    """
    out = {c: np.full(r.shape[0], np.nan) for c in (MEAN, MEDIAN, Q5, Q95)}
    gaps = np.isnan(r).any(axis=1)
    for rows, nan_aware in ((~gaps, False), (gaps, True)):
        if not rows.any():
            continue
        x = r[rows] if not rows.all() else r
        if nan_aware:
            out[MEAN][rows] = np.nanmean(x, axis=1)
            out[MEDIAN][rows] = np.nanmedian(x, axis=1)
            out[Q5][rows], out[Q95][rows] = np.nanquantile(x, [0.05, 0.95], axis=1)
        else:
            out[MEAN][rows] = x.mean(axis=1)
            out[MEDIAN][rows] = np.median(x, axis=1)
            out[Q5][rows], out[Q95][rows] = np.quantile(x, [0.05, 0.95], axis=1)
    return out


def _k_per_unit(k: Any, groups: Any, n_units: int, func: str) -> np.ndarray:
    """Resolve ``k`` (an int, or a mapping group → k with ``groups``) to one capacity per unit."""
    if isinstance(k, Mapping | pd.Series):
        if groups is None:
            msg = (
                f"{func}: k is given per group ({dict(k)!r}) but groups is None; pass the group of each unit "
                "or a single int k."
            )
            raise ConfigError(msg)
        g = np.asarray(groups, dtype=object)
        if g.shape != (n_units,):
            msg = f"{func}: groups has shape {g.shape} but ranks has {n_units} units; pass one per unit."
            raise DataError(msg)
        kmap = dict(k.items())
        absent = sorted({str(x) for x in g if x not in kmap})
        if absent:
            known = sorted(map(str, kmap))
            msg = f"{func}: k has no capacity for group(s) {absent}; add them to k (known: {known})."
            raise ConfigError(msg)
        if any(isinstance(v, bool) or not isinstance(v, Integral) or v < 1 for v in kmap.values()):
            msg = (
                f"The 'k' parameter of {func} must map each group to an int in the range [1, inf). "
                f"Got {kmap!r} instead."
            )
            raise ConfigError(msg)
        return np.array([kmap[x] for x in g], dtype=np.float64)
    return np.full(n_units, float(_check_int(k, "k", func, 1)))


# --------------------------------------------------------------------------------------------------------
# sensitivity indices


def _indices(ya: np.ndarray, yb: np.ndarray, yab: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (Si, STi, V) over the last axis; yab carries the factor axis before the row axis."""
    n = ya.shape[-1]
    var = np.var(np.concatenate([ya, yb], axis=-1), axis=-1, ddof=1)
    v = var[..., None, None] if np.ndim(var) else var
    si = np.mean(yb[..., None, :] * (yab - ya[..., None, :]), axis=-1, keepdims=True) / v
    sti = np.sum((ya[..., None, :] - yab) ** 2, axis=-1, keepdims=True) / (2 * n * v)
    return si[..., 0], sti[..., 0], var


def sobol_indices(
    y: Any,
    n: int,
    d: int,
    *,
    nboot: int = 0,
    seed: int | np.random.Generator | None = None,
    names: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Estimate first-order and total Sobol' indices from the outputs of a Saltelli design.

    With y stacked as [y_A; y_B; y_AB_1 … y_AB_d] (n values each, see :func:`saltelli_design`) and V the
    sample variance (ddof = 1) of [y_A; y_B] (METHODS.md §3):

    - first order  Sᵢ  = mean(y_B · (y_ABᵢ − y_A)) / V   (Saltelli et al. 2010, Table 2);
    - total effect Sᴛᵢ = Σ (y_A − y_ABᵢ)² / (2n·V)       (Jansen 1999; Saltelli et al. 2010, Table 2).

    These are exactly the estimators of COINr's ``SA_estimate`` (no centring of y, unlike SALib). A factor
    that does not change the output has y_ABᵢ = y_A and both indices exactly 0.

    Bootstrap bounds resample the n rows of all blocks jointly (row j of A, B and every AB_i belong
    together) and recompute V in each replicate; the bounds are the 5th and 95th percentiles (numpy
    "linear"). COINr instead resamples each index's terms independently and keeps V fixed, so its bounds
    agree with these only up to Monte Carlo error.

    Parameters
    ----------
    y : array-like of shape (n·(d+2),)
        Model outputs in design order.
    n : int
        Rows per block (COINr's ``N``), at least 2.
    d : int
        Number of factors, at least 1.
    nboot : int, default=0
        Bootstrap replicates; 0 for none.
    seed : int, numpy.random.Generator or None, default=None
        Seed of the bootstrap.
    names : sequence of length d, default=None
        Factor names for the index; ``None`` numbers them 1 … d.

    Returns
    -------
    pandas.DataFrame
        Indexed by factor (index name ``factor``), columns ``Si, STi`` and, when ``nboot > 0``,
        ``Si_q5, Si_q95, STi_q5, STi_q95``.

    Raises
    ------
    ConfigError
        If ``n``, ``d``, ``nboot``, ``seed`` or ``names`` is not allowed.
    DataError
        If y has the wrong length or contains NaN or infinite values (a failed run).

    Warns
    -----
    VielfaltWarning
        If y does not vary over A and B (V = 0): the indices are then NaN.

    References
    ----------
    A. Saltelli et al. (2010). Variance based sensitivity analysis of model output. Design and estimator
    for the total sensitivity index. Computer Physics Communications 181(2), 259–270.
    M. J. W. Jansen (1999). Analysis of variance designs for model output. Computer Physics Communications
    117(1–2), 35–43.
    W. Becker et al., COINr: ``get_sensitivity`` and ``SA_estimate`` (R/sensitivity.R), version 1.1.14.

    Examples
    --------
    >>> X = saltelli_design(2048, 2, seed=0)
    >>> y = 3 * X[:, 0] + X[:, 1]  # Si = STi = 9/10 and 1/10
    >>> sobol_indices(y, 2048, 2).round(1).to_numpy()
    array([[0.9, 0.9],
           [0.1, 0.1]])
    """
    func = "sobol_indices"
    n = _check_int(n, "n", func, 2)
    d = _check_int(d, "d", func, 1)
    nboot = _check_int(nboot, "nboot", func, 0)
    rng = _rng(seed, func)
    if names is None:
        index = pd.Index(range(1, d + 1), name=FACTOR)
    else:
        labels = list(names)
        if len(labels) != d:
            msg = (
                f"The 'names' parameter of {func} must be a sequence of d={d} factor names. "
                f"Got {labels!r} instead."
            )
            raise ConfigError(msg)
        index = pd.Index(labels, name=FACTOR)
    yy = np.asarray(y, dtype=np.float64).ravel()
    if yy.size != n * (d + 2):
        msg = DESIGN_LENGTH_MSG.format(got=yy.size, n=n, d=d, want=n * (d + 2))
        raise DataError(msg)
    bad = np.flatnonzero(~np.isfinite(yy))
    if bad.size:
        msg = (
            f"{func}: y has {bad.size} missing or infinite value(s), first at run {int(bad[0]) + 1} "
            "(1-based). Every run of the design needs an output: re-run the failed draws."
        )
        raise DataError(msg)
    ya, yb, yab = yy[:n], yy[n : 2 * n], yy[2 * n :].reshape(d, n)
    var = float(np.var(np.concatenate([ya, yb]), ddof=1))
    if not var > 0:
        warnings.warn(ZERO_VARIANCE_MSG.format(var=var), VielfaltWarning, stacklevel=2)
        nan = np.full(d, np.nan)
        cols = {SI: nan, STI: nan}
        if nboot:
            cols |= {SI_Q5: nan, SI_Q95: nan, STI_Q5: nan, STI_Q95: nan}
        return pd.DataFrame(cols, index=index)
    si, sti, _ = _indices(ya, yb, yab)
    cols = {SI: si, STI: sti}
    if nboot:
        rows = rng.integers(0, n, size=(nboot, n))
        with np.errstate(divide="ignore", invalid="ignore"):
            # a replicate may draw a constant [y_A; y_B] (V = 0); it is left out of the percentiles
            si_b, sti_b, _ = _indices(ya[rows], yb[rows], yab[:, rows].transpose(1, 0, 2))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            cols |= {
                SI_Q5: np.nanquantile(si_b, 0.05, axis=0),
                SI_Q95: np.nanquantile(si_b, 0.95, axis=0),
                STI_Q5: np.nanquantile(sti_b, 0.05, axis=0),
                STI_Q95: np.nanquantile(sti_b, 0.95, axis=0),
            }
    return pd.DataFrame(cols, index=index)


# --------------------------------------------------------------------------------------------------------
# the analysis of an edition's ranking


def run_uncertainty(*args: Any, **kwargs: Any) -> Any:
    """Uncertainty and sensitivity analysis of an edition's within-category ranking.

    Varies the scoring assumptions of the edition's ``robustness.factors`` (section weights, rater-effect
    model, N/A rule, imputation, normalisation, aggregation) over ``robustness.draws`` draws and a Saltelli
    design of ``robustness.sensitivity_n`` rows per block, vectorised across draws, and returns rank
    statistics per entry and Sobol' indices per factor. See :func:`vielfalt.robustness.factors.run_uncertainty` for
    the parameters; it lives there because it needs the scoring functions, which this module's pure
    statistics do not.
    """
    from vielfalt.robustness.factors import run_uncertainty as _run

    return _run(*args, **kwargs)
