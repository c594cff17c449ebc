"""Rank statistics of many draws: ranks within groups, the mean absolute rank shift, rank intervals, P(top k).

- :func:`ranks_within_groups` — ranks of every draw at once, within size categories;
- :func:`mean_abs_rank_shift` — the scalar output y of a draw: mean |rank − nominal rank|;
- :func:`rank_stats` — nominal, mean, median, 5th/95th percentile rank and P(rank ≤ k) per unit.

The conventions are METHODS.md §3 and reproduce COINr's ``get_sensitivity`` (its ``RankStats``; Becker et
al., COINr 1.1.14), recomputed exactly from COINr's stored ranks in ``tests/test_uncertainty.py``. The column
names are COINr's, so that tables can be compared side by side. Inputs are never modified.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from vielfalt._params import check_param
from vielfalt.exceptions import ConfigError, DataError, VielfaltWarning
from vielfalt.sensitivity._checks import check_int, described, message

__all__ = [
    "MEAN",
    "MEDIAN",
    "NOMINAL",
    "P_TOPK",
    "Q5",
    "Q95",
    "RANK_STATS_COLUMNS",
    "mean_abs_rank_shift",
    "rank_stats",
    "ranks_within_groups",
]

# Column names of the rank statistics, as COINr names them.
NOMINAL = "Nominal"
MEAN = "Mean"
MEDIAN = "Median"
Q5 = "Q5"
Q95 = "Q95"
P_TOPK = "P_topk"
RANK_STATS_COLUMNS = [NOMINAL, MEAN, MEDIAN, Q5, Q95]

# Draws ranked together in one block of ranks_within_groups: about 4 M cells (32 MB of float64) keeps the
# temporaries of a block in cache-friendly sizes instead of allocating several copies of the whole matrix.
_BLOCK_CELLS = 1 << 22


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
    other_than_0 = described(
        "not_zero", lambda j: isinstance(j, Integral) and not isinstance(j, bool) and j != 0
    )
    check_param("n_jobs", n_jobs, [other_than_0, None], func="ranks_within_groups")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, int(n_jobs) if n_jobs > 0 else cpus + 1 + int(n_jobs))


def ranks_within_groups(
    scores: ArrayLike, groups: ArrayLike | None = None, *, n_jobs: int | None = -1
) -> np.ndarray:
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


def mean_abs_rank_shift(ranks: ArrayLike | pd.DataFrame, nominal: ArrayLike | pd.Series) -> np.ndarray:
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
    ranks: ArrayLike | pd.DataFrame,
    nominal: ArrayLike | pd.Series,
    *,
    k: int | Mapping[Hashable, int] | pd.Series | None = None,
    groups: ArrayLike | None = None,
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
        warnings.warn(message("single_draw"), VielfaltWarning, stacklevel=2)
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
            raise ConfigError(message("k_per_group", func=func, value=kmap))
        return np.array([kmap[x] for x in g], dtype=np.float64)
    return np.full(n_units, float(check_int(k, "k", func, 1)))
