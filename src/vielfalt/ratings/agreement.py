"""Agreement among evaluators: Fleiss' and Cohen's κ and Kendall's W (METHODS.md §4).

Each statistic follows its reference source, so that a number here can be checked against the published
tables and against R (``irr``):

- :func:`fleiss_kappa` — Fleiss' κ for many raters (Fleiss 1971);
- :func:`cohen_kappa` — Cohen's κ for two raters, unweighted (Cohen 1960) or weighted (Cohen 1968);
- :func:`kendall_w` — Kendall's coefficient of concordance W, with or without the tie correction.

Where a statistic is undefined (chance agreement of 1, no rater ranks anything) the functions return NaN
and warn with :class:`~vielfalt.exceptions.VielfaltWarning`; they never divide by zero. Inputs are never
modified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from vielfalt._params import check_param
from vielfalt.exceptions import DataError
from vielfalt.ratings._common import as_matrix, one_of, warn_undefined

__all__ = ["WEIGHTS", "KendallW", "cohen_kappa", "fleiss_kappa", "kendall_w"]


def fleiss_kappa(counts: Any) -> float:
    """Fleiss' kappa for many raters and nominal categories.

    κ = (P̄ − P̄ₑ) / (1 − P̄ₑ), with P̄ the mean agreement per subject and P̄ₑ = Σⱼ pⱼ² the chance
    agreement from the overall category proportions pⱼ (Fleiss 1971).

    Parameters
    ----------
    counts : array-like or DataFrame of shape (subjects, categories)
        How many raters put each subject into each category: non-negative whole numbers, no missing
        values. Every row must sum to the same number of raters n ≥ 2 (the raters need not be the same
        people for each subject, but there must be equally many).

    Returns
    -------
    float
        κ; NaN with a :class:`~vielfalt.exceptions.VielfaltWarning` when every rating falls into one
        category, so that chance agreement P̄ₑ is 1 and κ is 0/0.

    Raises
    ------
    DataError
        If the table is not 2-D, holds missing, negative or fractional counts, or its row sums differ
        (the message names the rows and their sums).

    Notes
    -----
    The arithmetic is that of ``statsmodels.stats.inter_rater.fleiss_kappa`` (``method="fleiss"``),
    which this function calls after its own checks; statsmodels assumes, but does not check, equal
    row sums.

    References
    ----------
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological Bulletin,
    76(5), 378–382.

    Examples
    --------
    >>> round(fleiss_kappa([[3, 0], [0, 3], [2, 1]]), 3)
    0.55
    """
    table, rows, _ = as_matrix(counts, name="counts", func="fleiss_kappa")
    if np.isnan(table).any() or (table < 0).any() or (table != np.round(table)).any():
        msg = "fleiss_kappa: counts must be non-negative whole numbers without missing values."
        raise DataError(msg)
    if table.shape[0] < 1 or table.shape[1] < 1:
        msg = f"fleiss_kappa: counts must have at least one subject and one category; got {table.shape}."
        raise DataError(msg)
    row_sums = table.sum(axis=1)
    values, freq = np.unique(row_sums, return_counts=True)
    if values.size > 1:
        n_raters = values[np.argmax(freq)]
        odd = {rows[i]: int(row_sums[i]) for i in np.flatnonzero(row_sums != n_raters)}
        msg = (
            "fleiss_kappa: every subject (row) must be rated by the same number of raters, but the row "
            f"sums differ: most rows sum to {int(n_raters)}, rows {odd} do not. "
            "Drop or complete those subjects, or use krippendorff_alpha, which allows missing ratings."
        )
        raise DataError(msg, failures=pd.DataFrame({"subject": list(odd), "row_sum": list(odd.values())}))
    if values[0] < 2:
        msg = f"fleiss_kappa: each subject needs at least 2 raters; the rows sum to {int(values[0])}."
        raise DataError(msg)
    # P̄ₑ = Σ pⱼ² is 1 exactly when one category holds every rating: decided on counts, not on floats.
    if np.count_nonzero(table.sum(axis=0)) < 2:
        warn_undefined("fleiss_kappa", "every rating is in one category, so chance agreement is 1")
        return float("nan")

    from statsmodels.stats.inter_rater import fleiss_kappa as _sm_fleiss_kappa  # deferred: slow import

    return float(_sm_fleiss_kappa(table, method="fleiss"))


WEIGHTS = (None, "linear", "quadratic")


def _labels_1d(values: Any, *, name: str) -> np.ndarray:
    """Return a 1-D object array of labels (copy), rejecting tables."""
    arr = np.array(values, dtype=object, copy=True)
    if arr.ndim != 1:
        msg = f"cohen_kappa: {name} must be 1-D (one label per subject); got shape {arr.shape}."
        raise DataError(msg)
    return arr


def cohen_kappa(
    a: Any,
    b: Any,
    *,
    weights: Literal["linear", "quadratic"] | None = None,
    labels: Sequence[Any] | None = None,
) -> float:
    """Cohen's kappa for two raters, unweighted or with linear or quadratic weights.

    κ = 1 − Σ wᵢⱼ oᵢⱼ / Σ wᵢⱼ eᵢⱼ with observed proportions o, chance proportions e from the two
    raters' marginals, and disagreement weights w: 1 off the diagonal (unweighted, Cohen 1960), |i − j|
    (linear) or (i − j)² (quadratic) for categories at positions i, j (Cohen 1968).

    Parameters
    ----------
    a, b : array-like of shape (subjects,)
        The two raters' labels for the same subjects, in the same order. Pairs in which either label is
        missing (NaN, ``None``, ``pd.NA``) are dropped.
    weights : {None, "linear", "quadratic"}, default None
        Weighting of disagreements; weights need ordered categories.
    labels : sequence, optional
        The categories in their order. Default: the sorted union of the observed labels. Weights count
        *positions* in this list, not numeric differences (as scikit-learn and R's ``irr::kappa2`` do):
        if a category of the scale was never used, pass the full scale, e.g. ``labels=range(5)`` for
        ratings 0–4, or it will be skipped in the distances.

    Returns
    -------
    float
        κ; NaN with a :class:`~vielfalt.exceptions.VielfaltWarning` when chance disagreement is 0
        (both raters used one and the same category, so chance agreement is 1).

    Raises
    ------
    ConfigError
        If ``weights`` is not one of its options.
    DataError
        If ``a`` and ``b`` differ in length or are not 1-D, no complete pair is left, a label is not in
        ``labels``, ``labels`` has duplicates, or the labels cannot be sorted.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and Psychological
    Measurement, 20(1), 37–46.
    Cohen, J. (1968). Weighted kappa. Psychological Bulletin, 70(4), 213–220.

    Examples
    --------
    >>> round(cohen_kappa([0, 1, 2, 2], [0, 1, 2, 1]), 3)
    0.636
    >>> round(cohen_kappa([0, 1, 2, 2], [0, 1, 2, 1], weights="quadratic"), 3)
    0.8
    """
    check_param("weights", weights, [one_of(WEIGHTS)], func="cohen_kappa")
    x, y = _labels_1d(a, name="a"), _labels_1d(b, name="b")
    if x.shape != y.shape:
        msg = f"cohen_kappa: a and b must rate the same subjects; got {x.size} and {y.size} labels."
        raise DataError(msg)
    # Pairs with a missing label carry no agreement information (documented: they are dropped).
    complete = ~(pd.isna(x) | pd.isna(y))
    x, y = x[complete], y[complete]
    if x.size == 0:
        msg = "cohen_kappa: no subject has labels from both raters."
        raise DataError(msg)

    if labels is None:
        try:
            cats = sorted(set(x.tolist()) | set(y.tolist()))
        except TypeError as err:
            msg = f"cohen_kappa: the labels cannot be ordered ({err}); pass labels= in the intended order."
            raise DataError(msg) from err
    else:
        cats = list(labels)
        if len(set(cats)) != len(cats):
            msg = f"cohen_kappa: labels must not repeat a category; got {cats}."
            raise DataError(msg)
    position = {c: i for i, c in enumerate(cats)}
    unknown = sorted({repr(v) for v in np.concatenate([x, y]) if v not in position})
    if unknown:
        msg = f"cohen_kappa: labels {', '.join(unknown)} occur in the data but not in labels={cats}."
        raise DataError(msg)

    q = len(cats)
    i = np.array([position[v] for v in x], dtype=np.int64)
    j = np.array([position[v] for v in y], dtype=np.int64)
    observed = np.zeros((q, q), dtype=np.int64)
    np.add.at(observed, (i, j), 1)
    diff = np.subtract.outer(np.arange(q), np.arange(q))
    if weights is None:
        w = (diff != 0).astype(np.int64)
    elif weights == "linear":
        w = np.abs(diff)
    else:
        w = diff**2
    # Integer arithmetic: κ = 1 − N·Σ w·O / Σ w·(r cᵀ), so "chance disagreement is 0" is an exact test.
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    chance = int((w * expected).sum())
    if chance == 0:
        warn_undefined("cohen_kappa", "both raters used one and the same category, so chance agreement is 1")
        return float("nan")
    return float(1 - x.size * int((w * observed).sum()) / chance)


@dataclass(frozen=True)
class KendallW:
    """Kendall's coefficient of concordance with its chi-squared test.

    Attributes
    ----------
    w : float
        W in [0, 1]; NaN where undefined.
    chi2 : float
        m(n − 1)·W, approximately χ² with ``df`` degrees of freedom under no agreement.
    df : int
        n − 1.
    p_value : float
        Upper tail of χ²(df) at ``chi2`` (large-sample approximation).
    tie_corrected : bool
        Whether W was corrected for ties within raters.
    """

    w: float
    chi2: float
    df: int
    p_value: float
    tie_corrected: bool


def kendall_w(ranks_or_scores: Any, *, correct_ties: bool = True) -> KendallW:
    """Kendall's coefficient of concordance W among m raters of n objects.

    Each rater's scores are turned into ranks 1 … n (ties get their average rank), R is the vector of
    rank sums per object and S = Σ (Rᵢ − R̄)². Then W = 12 S / (m²(n³ − n) − m ΣT), where the tie
    correction ΣT sums T = Σ (t³ − t) over the groups of t tied objects of every rater (Kendall &
    Babington Smith 1939; Kendall 1948); without the correction ΣT = 0. With the correction, χ² = m(n − 1)W
    equals Friedman's tie-corrected statistic.

    Parameters
    ----------
    ranks_or_scores : array-like or DataFrame of shape (raters, objects)
        One row per rater, one column per object; ranks or any scores (higher or lower, only the order
        matters). At least 2 raters and 2 objects, no missing values.
    correct_ties : bool, default True
        Apply the tie correction (as ``irr::kendall(..., correct=TRUE)``). Ratings on a 0–4 scale are full
        of ties, so the uncorrected W understates the concordance.

    Returns
    -------
    KendallW
        ``w``, ``chi2``, ``df``, ``p_value`` and ``tie_corrected`` (says which W it is). W is NaN with a
        :class:`~vielfalt.exceptions.VielfaltWarning` when, with the correction, every rater tied all
        objects (no rater ranks anything).

    Raises
    ------
    ConfigError
        If ``correct_ties`` is not a bool.
    DataError
        If the table is not 2-D and numeric, smaller than 2 × 2, or has missing values (the message names
        the objects).

    References
    ----------
    Kendall, M. G. & Babington Smith, B. (1939). The problem of m rankings. Annals of Mathematical
    Statistics, 10(3), 275–287.
    Kendall, M. G. (1948). Rank Correlation Methods. London: Griffin.

    Examples
    --------
    >>> kendall_w([[1, 2, 3], [1, 2, 3]]).w
    1.0
    >>> kendall_w([[1, 1, 2], [1, 2, 3]], correct_ties=False).tie_corrected
    False
    """
    from scipy import stats  # deferred: scipy.stats takes half a second to import

    check_param("correct_ties", correct_ties, [one_of((True, False))], func="kendall_w")
    x, _, cols = as_matrix(ranks_or_scores, name="ranks_or_scores", func="kendall_w")
    m, n = x.shape
    if m < 2 or n < 2:
        msg = f"kendall_w: need at least 2 raters (rows) and 2 objects (columns); got {m} × {n}."
        raise DataError(msg)
    missing = [cols[i] for i in np.flatnonzero(np.isnan(x).any(axis=0))]
    if missing:
        msg = f"kendall_w: objects {missing} have missing values; drop those columns first."
        raise DataError(msg, failures=pd.DataFrame({"object": missing}))

    ranks = stats.rankdata(x, method="average", axis=1)
    rank_sums = ranks.sum(axis=0)
    s = float(((rank_sums - rank_sums.mean()) ** 2).sum())
    ties = 0
    if correct_ties:
        for row in ranks:
            t = np.unique(row, return_counts=True)[1]
            ties += int((t**3 - t).sum())
    denominator = m**2 * (n**3 - n) - m * ties
    df = n - 1
    if denominator == 0:
        warn_undefined("kendall_w", "every rater gave all objects the same score")
        return KendallW(w=float("nan"), chi2=float("nan"), df=df, p_value=float("nan"), tie_corrected=True)
    w = 12 * s / denominator
    chi2 = m * df * w
    return KendallW(
        w=float(w),
        chi2=float(chi2),
        df=df,
        p_value=float(stats.chi2.sf(chi2, df)),
        tie_corrected=correct_ties,
    )
