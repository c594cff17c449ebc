"""Rater-effect models: how much stricter or milder each evaluator rates, and ratings adjusted for it.

Four models, reported side by side with the raw scores (METHODS.md §4): ``none``; ``mean_shift`` (each
rater's mean moved to the grand mean: severity); ``zscore`` (each rater's ratings standardised, then put
back on the grand mean and SD); ``additive`` (rating = unit effect + rater effect, fitted by least squares
with the rater effects summing to zero; identifiable only on a connected design).
A unit is one (entry, item) pair: severity is a trait of the rater across all criteria.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

import numpy as np
import pandas as pd

from vielfalt._params import check_param
from vielfalt.columns import ENTRY_ID, ITEM
from vielfalt.exceptions import VielfaltWarning
from vielfalt.i18n import t
from vielfalt.ratings._common import one_of
from vielfalt.ratings.design import RATER
from vielfalt.ratings.sheets import RATING

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["RATER_MODELS", "RaterEffects", "RaterModel", "adjust_ratings", "rater_effects", "text_scores"]

RaterModel: TypeAlias = Literal["none", "mean_shift", "zscore", "additive"]
#: The rater-effect models, in the order the reports show them.
RATER_MODELS: tuple[RaterModel, ...] = ("none", "mean_shift", "zscore", "additive")


@dataclass
class RaterEffects:
    """Estimated severity per rater (negative = stricter than average) with a 95 % interval."""

    table: pd.DataFrame  # rater, n, mean, severity, se, lower, upper
    model: str
    connected: bool


def _check_model(model: str, func: str) -> None:
    """Raise ConfigError in the one message shape unless ``model`` is one of :data:`RATER_MODELS`."""
    check_param("model", model, [one_of(RATER_MODELS)], func=func)


def _additive_fit(
    ratings: pd.DataFrame, *, with_se: bool = True
) -> tuple[pd.Series, pd.Series, float, np.ndarray]:
    """Least squares for rating = unit + rater, Σ rater = 0.

    Returns (rater effect, its SE, sigma², residuals); ``with_se=False`` skips the standard errors (NaN),
    which only :func:`rater_effects` reports.
    """
    from scipy import sparse  # deferred: only the ratings stage fits rater effects
    from scipy.sparse.linalg import lsqr

    units = pd.factorize(ratings[ENTRY_ID].astype(str) + "\x1f" + ratings[ITEM].astype(str))[0]
    raters, rater_names = pd.factorize(ratings[RATER], sort=True)
    n, n_u, n_r = len(ratings), units.max() + 1, len(rater_names)
    y = ratings[RATING].to_numpy(float)
    # sum-to-zero coding: rater j < R-1 gets its own column; the last rater is −(sum of the others)
    rows = np.arange(n)
    xu = sparse.csr_matrix((np.ones(n), (rows, units)), shape=(n, n_u))
    data, cols, rr = [], [], []
    for i, j in enumerate(raters):
        if j < n_r - 1:
            data.append(1.0)
            cols.append(j)
            rr.append(i)
        else:
            data.extend([-1.0] * (n_r - 1))
            cols.extend(range(n_r - 1))
            rr.extend([i] * (n_r - 1))
    xr = sparse.csr_matrix((data, (rr, cols)), shape=(n, max(n_r - 1, 0)))
    x = sparse.hstack([xu, xr]).tocsr()
    sol = lsqr(x, y, atol=1e-12, btol=1e-12, iter_lim=10_000)[0]
    b = sol[n_u:]
    effects = np.append(b, -b.sum()) if n_r > 1 else np.zeros(1)
    resid = y - x @ sol
    dof = max(n - n_u - (n_r - 1), 1)
    sigma2 = float(resid @ resid / dof)
    se = np.full(n_r, np.nan)
    if with_se and n_r > 1:
        cb = _rater_block_inverse(xu, xr, n_u)
        if cb is not None:
            c = np.vstack([np.eye(n_r - 1), -np.ones((1, n_r - 1))])
            se = np.sqrt(np.clip(np.diag(c @ (sigma2 * cb) @ c.T), 0, None))
    return pd.Series(effects, index=rater_names), pd.Series(se, index=rater_names), sigma2, resid


def _rater_block_inverse(xu: sparse.csr_matrix, xr: sparse.csr_matrix, n_u: int) -> np.ndarray | None:
    """The rater block of (XᵀX)⁺ for X = [Xu Xr], the block the standard errors need.

    XuᵀXu is diagonal (each rating belongs to one unit), so when the design identifies the rater effects
    the block is the inverse of the Schur complement S = XrᵀXr − XrᵀXu (XuᵀXu)⁻¹ XuᵀXr, a raters × raters
    matrix: exact, and without the dense (units + raters)² pseudo-inverse, which took minutes at a thousand
    entries. When S is singular (a design that does not identify the effects) the dense pseudo-inverse is
    kept for small designs, as before; above 20 000 units the errors stay unknown (None).
    """
    from scipy import sparse

    counts = np.asarray(xu.sum(axis=0)).ravel()
    b = (xu.T @ xr).toarray()  # units × (raters − 1)
    schur = (xr.T @ xr).toarray() - b.T @ (b / counts[:, None])
    if np.linalg.matrix_rank(schur) == schur.shape[0]:
        return np.linalg.inv(schur)
    if n_u >= 20_000:
        return None
    x = sparse.hstack([xu, xr]).toarray()
    try:
        return np.linalg.pinv(x.T @ x)[n_u:, n_u:]
    except np.linalg.LinAlgError:  # pragma: no cover
        return None


def rater_effects(ratings: pd.DataFrame, *, connected: bool = True, lang: str = "de") -> RaterEffects:
    """Severity per rater from the additive model (positive = more lenient), with 95 % intervals.

    Parameters
    ----------
    ratings : DataFrame
        Long table with ``entry_id``, ``item``, ``rater``, ``rating``.
    connected : bool
        Whether the design is connected (from :func:`check_design`); when it is not, effects are only
        comparable within components and a warning is issued.
    lang : {"de", "en"}, default "de"
        Language of that warning.

    Returns
    -------
    RaterEffects
        ``table`` with ``rater``, ``n``, ``mean``, ``severity``, ``se``, ``lower``, ``upper``.
    """
    import warnings

    if not connected:
        warnings.warn(t("ratings.effects_not_connected", lang), VielfaltWarning, stacklevel=2)
    eff, se, _, _ = _additive_fit(ratings)
    g = ratings.groupby(RATER)[RATING]
    table = pd.DataFrame(
        {
            RATER: eff.index,
            "n": g.size().reindex(eff.index).to_numpy(),
            "mean": g.mean().reindex(eff.index).to_numpy(),
            "severity": eff.to_numpy(),
            "se": se.to_numpy(),
        }
    )
    table["lower"] = table["severity"] - 1.96 * table["se"]
    table["upper"] = table["severity"] + 1.96 * table["se"]
    return RaterEffects(table=table, model="additive", connected=connected)


def adjust_ratings(ratings: pd.DataFrame, model: RaterModel = "none") -> pd.Series:
    """Adjusted rating per row of `ratings` under one rater-effect model (clipped to 0–4).

    Parameters
    ----------
    ratings : DataFrame
        Long table with ``entry_id``, ``item``, ``rater``, ``rating``.
    model : {"none", "mean_shift", "zscore", "additive"}, default "none"
        The rater-effect model (see the module docstring).

    Returns
    -------
    Series
        ``adjusted``, aligned with the rows of `ratings`.

    Raises
    ------
    ConfigError
        If ``model`` is not one of :data:`RATER_MODELS`.

    Examples
    --------
    >>> r = pd.DataFrame({"entry_id": ["a", "a", "b", "b"], "item": ["Q1"] * 4,
    ...                   "rater": ["R1", "R2", "R1", "R2"], "rating": [2.0, 4.0, 1.0, 3.0]})
    >>> adjust_ratings(r, "mean_shift").tolist()
    [3.0, 3.0, 2.0, 2.0]
    """
    _check_model(model, "adjust_ratings")
    y = ratings[RATING].astype(float)
    if model == "none" or len(ratings) == 0:
        return y.rename("adjusted")
    grand = y.mean()
    by = ratings.groupby(RATER)[RATING]
    if model == "mean_shift":
        out = y - (by.transform("mean") - grand)
    elif model == "zscore":
        sd = by.transform(lambda s: s.std(ddof=1))
        gsd = y.std(ddof=1)
        z = (y - by.transform("mean")) / sd.replace(0, np.nan)
        # a rater with constant ratings has no spread: keep the mean shift for them
        out = (z * gsd + grand).where(sd > 0, y - (by.transform("mean") - grand))
    else:
        eff, _, _, _ = _additive_fit(ratings, with_se=False)
        out = y - ratings[RATER].map(eff).to_numpy()
    return out.clip(0, 4).rename("adjusted")


def text_scores(ratings: pd.DataFrame, model: RaterModel = "none") -> pd.DataFrame:
    """Entries × rated items: mean adjusted rating (0–4) under `model`.

    Parameters
    ----------
    ratings : DataFrame
        Long table with ``entry_id``, ``item``, ``rater``, ``rating``.
    model : {"none", "mean_shift", "zscore", "additive"}, default "none"

    Returns
    -------
    DataFrame
        Indexed by ``entry_id``, one column per rated item.

    Examples
    --------
    >>> r = pd.DataFrame({"entry_id": ["a", "a"], "item": ["Q1", "Q1"], "rater": ["R1", "R2"],
    ...                   "rating": [2.0, 3.0]})
    >>> text_scores(r).loc["a", "Q1"]
    np.float64(2.5)
    """
    _check_model(model, "text_scores")
    adj = ratings.assign(adjusted=adjust_ratings(ratings, model).to_numpy())
    return adj.pivot_table(index=ENTRY_ID, columns=ITEM, values="adjusted", aggfunc="mean")
