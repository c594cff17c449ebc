"""Sampling for uncertainty and sensitivity analysis: Saltelli designs and draws of the factors.

Each run of an analysis draws one value per factor from a uniform number in [0, 1) (METHODS.md §3):

- :func:`saltelli_design` — the Monte Carlo (or Sobol' quasi-random) design [A; B; AB₁ … AB_d]
  (Saltelli et al. 2010), the order :func:`~vielfalt.sensitivity.sobol.sobol_indices` expects;
- :func:`pick` — a discrete factor (e.g. a method name) from a uniform draw;
- :func:`perturb_weights` — a continuous factor: nominal weights with uniform noise of ± f.

Inputs are never modified.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeVar, overload

import numpy as np
from numpy.typing import ArrayLike

from vielfalt._params import Interval, Options, check_param
from vielfalt.exceptions import DataError
from vielfalt.sensitivity._checks import check_int, described, rng

__all__ = ["DESIGN_METHODS", "perturb_weights", "pick", "saltelli_design"]

#: The sampling methods of :func:`saltelli_design`.
DESIGN_METHODS = ("random", "sobol")

T = TypeVar("T")


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
    n = check_int(n, "n", func, 1)
    d = check_int(d, "d", func, 1)
    check_param("method", method, [Options(DESIGN_METHODS)], func=func)
    generator = rng(seed, func)
    if method == "random":
        base = generator.random((n, 2 * d))
    else:
        from scipy.stats import qmc

        # one 2d-dimensional sequence, not two d-dimensional ones: A and B must be independent of each
        # other, which the columns of a single Sobol' sequence are and two equally seeded sequences are not.
        base = qmc.Sobol(2 * d, scramble=True, seed=generator).random(n)
    a, b = base[:, :d], base[:, d:]
    ab = np.tile(a, (d, 1))
    for i in range(d):  # a loop over factors (few), not over draws
        ab[i * n : (i + 1) * n, i] = b[:, i]
    return np.vstack([a, b, ab])


@overload
def pick(u: float, alternatives: Sequence[T]) -> T: ...
@overload
def pick(u: Sequence[float] | np.ndarray, alternatives: Sequence[T]) -> list[T]: ...
def pick(u: ArrayLike, alternatives: Sequence[T]) -> T | list[T]:
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
    check_param("alternatives", alts, [described("non_empty", lambda a: len(a) > 0)], func="pick")
    arr = _uniform(u, "u", "pick")
    idx = np.minimum(np.floor(arr * m).astype(np.int64), m - 1)
    if idx.ndim == 0:
        return alts[int(idx)]
    return [alts[i] for i in idx.ravel()]


def perturb_weights(weights: ArrayLike, f: float, u: ArrayLike) -> np.ndarray:
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
    f = float(check_param("f", f, [Interval(float, 0.0, 1.0, closed="left")], func=func))
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
