"""Sobol' sensitivity indices from the outputs of a Saltelli design (METHODS.md §3).

First-order and total indices with optional bootstrap percentiles, by exactly the estimators of COINr's
``SA_estimate`` (Becker et al., COINr 1.1.14), recomputed from COINr's stored analyses in
``tests/test_uncertainty.py``. They differ from SALib's defaults: the first-order estimator of Saltelli et
al. (2010) is applied to the raw output (SALib standardises y first, which changes this estimator in finite
samples), and V is the sample variance with ddof = 1 of [y_A; y_B] (SALib: ddof = 0). Inputs are never
modified.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from vielfalt._params import check_param
from vielfalt.exceptions import DataError, VielfaltWarning
from vielfalt.sensitivity._checks import check_int, described, message, rng

__all__ = ["FACTOR", "SI", "SI_Q5", "SI_Q95", "STI", "STI_Q5", "STI_Q95", "sobol_indices"]

# Column names of the result, as COINr names them.
FACTOR = "factor"
SI = "Si"
STI = "STi"
SI_Q5 = "Si_q5"
SI_Q95 = "Si_q95"
STI_Q5 = "STi_q5"
STI_Q95 = "STi_q95"


def _indices(ya: np.ndarray, yb: np.ndarray, yab: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (Si, STi, V) over the last axis; yab carries the factor axis before the row axis."""
    n = ya.shape[-1]
    var = np.var(np.concatenate([ya, yb], axis=-1), axis=-1, ddof=1)
    v = var[..., None, None] if np.ndim(var) else var
    si = np.mean(yb[..., None, :] * (yab - ya[..., None, :]), axis=-1, keepdims=True) / v
    sti = np.sum((ya[..., None, :] - yab) ** 2, axis=-1, keepdims=True) / (2 * n * v)
    return si[..., 0], sti[..., 0], var


def sobol_indices(
    y: ArrayLike,
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
    >>> from vielfalt.sensitivity.design import saltelli_design
    >>> X = saltelli_design(2048, 2, seed=0)
    >>> y = 3 * X[:, 0] + X[:, 1]  # Si = STi = 9/10 and 1/10
    >>> sobol_indices(y, 2048, 2).round(1).to_numpy()
    array([[0.9, 0.9],
           [0.1, 0.1]])
    """
    func = "sobol_indices"
    n = check_int(n, "n", func, 2)
    d = check_int(d, "d", func, 1)
    nboot = check_int(nboot, "nboot", func, 0)
    generator = rng(seed, func)
    if names is None:
        index = pd.Index(range(1, d + 1), name=FACTOR)
    else:
        labels = list(names)
        check_param("names", labels, [described("names_expected", lambda x: len(x) == d, d=d)], func=func)
        index = pd.Index(labels, name=FACTOR)
    yy = np.asarray(y, dtype=np.float64).ravel()
    if yy.size != n * (d + 2):
        msg = message("design_length", got=yy.size, n=n, d=d, want=n * (d + 2))
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
        warnings.warn(message("zero_variance", var=var), VielfaltWarning, stacklevel=2)
        nan = np.full(d, np.nan)
        cols = {SI: nan, STI: nan}
        if nboot:
            cols |= {SI_Q5: nan, SI_Q95: nan, STI_Q5: nan, STI_Q95: nan}
        return pd.DataFrame(cols, index=index)
    si, sti, _ = _indices(ya, yb, yab)
    cols = {SI: si, STI: sti}
    if nboot:
        rows = generator.integers(0, n, size=(nboot, n))
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
