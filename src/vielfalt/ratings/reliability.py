"""Evaluator ratings: reliability statistics (METHODS.md §4).

Free-text answers are rated 0–4 by at least two evaluators each. This module says how far those ratings
can be trusted, each statistic with the convention of its reference source so that a number here can be
checked against the published tables and against R (``irr``, ``psych``):

- :func:`krippendorff_alpha` — Krippendorff's α for nominal, ordinal, interval and ratio data, missing
  values allowed (Krippendorff 2011);
- :func:`icc` — the six intraclass correlations of Shrout & Fleiss (1979), also named as in McGraw & Wong
  (1996), with the F tests and confidence intervals of ``psych::ICC``;
- :func:`fleiss_kappa` — Fleiss' κ for many raters (Fleiss 1971);
- :func:`cohen_kappa` — Cohen's κ for two raters, unweighted (Cohen 1960) or weighted (Cohen 1968);
- :func:`kendall_w` — Kendall's coefficient of concordance W, with or without the tie correction.

Where a statistic is undefined (no variation, chance agreement of 1) the functions return NaN and warn
with :class:`~vielfalt.exceptions.VielfaltWarning`; they never divide by zero. Inputs (numpy arrays or
pandas DataFrames) are never modified.

The module is organised in sections; rating design and rater-effect models get sections of their own.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from vielfalt.exceptions import ConfigError, DataError, VielfaltWarning
from vielfalt.ratings.design import (
    DesignCheck,
    RatingReturn,
    check_design,
    design_ratings,
    read_rating_sheets,
)
from vielfalt.ratings.effects import RATER_MODELS, RaterEffects, adjust_ratings, rater_effects, text_scores

__all__ = [
    # reliability statistics
    "KendallW",
    "cohen_kappa",
    "fleiss_kappa",
    "icc",
    "kendall_w",
    "krippendorff_alpha",
    # rating design and returned sheets
    "DesignCheck",
    "RatingReturn",
    "check_design",
    "design_ratings",
    "read_rating_sheets",
    # rater-effect models
    "RATER_MODELS",
    "RaterEffects",
    "adjust_ratings",
    "rater_effects",
    "text_scores",
    # reports
    "reliability_table",
]

# Message templates, asserted verbatim in tests (sklearn's shape for bad parameters).
PARAM_OPTIONS_MSG = "The {param!r} parameter of {func} must be one of {{{options}}}. Got {value!r} instead."
PARAM_RANGE_MSG = (
    "The {param!r} parameter of {func} must be a float in the range (0.0, 1.0). Got {value!r} instead."
)
UNDEFINED_MSG = "{func} is undefined for these data ({reason}); returning NaN."


def _options_msg(param: str, func: str, options: Iterable[Any], value: Any) -> str:
    """Build the message for a parameter outside its declared options."""
    return PARAM_OPTIONS_MSG.format(
        param=param, func=func, options=", ".join(repr(o) for o in options), value=value
    )


def _warn_undefined(func: str, reason: str) -> None:
    """Warn that a statistic is undefined; the caller then returns NaN."""
    msg = UNDEFINED_MSG.format(func=func, reason=reason)
    # stacklevel 3: point at the user's call, not at this helper or the public function
    warnings.warn(msg, VielfaltWarning, stacklevel=3)


def _as_matrix(data: Any, *, name: str, func: str) -> tuple[np.ndarray, list[Any], list[Any]]:
    """Return a float copy of a 2-D array-like or DataFrame with its row and column labels.

    Missing values (``None``, ``pd.NA``, NaN) become NaN. The copy means no caller's data can be changed.
    """
    try:
        if isinstance(data, pd.DataFrame):
            values = data.to_numpy(dtype=float, na_value=np.nan, copy=True)
        elif isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
            values = data.astype(float, copy=True)
        else:
            # via object dtype so that None and pd.NA become NaN like np.nan does
            raw = np.array(data, dtype=object, copy=True)
            raw[pd.isna(raw)] = np.nan
            values = raw.astype(float)
    except (TypeError, ValueError) as err:
        msg = f"{func}: {name} must hold numbers (NaN for missing); {str(err).rstrip('.')}."
        raise DataError(msg) from err
    if values.ndim != 2:
        msg = (
            f"{func}: {name} must be a 2-D table, got an array of shape {values.shape}. "
            "Reshape your data, e.g. with np.atleast_2d for a single row."
        )
        raise DataError(msg)
    if isinstance(data, pd.DataFrame):
        return values, list(data.index), list(data.columns)
    return values, list(range(values.shape[0])), list(range(values.shape[1]))


# ---------------------------------------------------------------------------------------------------------
# Reliability statistics
# ---------------------------------------------------------------------------------------------------------

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def krippendorff_alpha(
    reliability_data: Any, level: Literal["nominal", "ordinal", "interval", "ratio"]
) -> float:
    """Krippendorff's alpha for reliability data with missing values.

    Computed from the coincidence matrix with the difference function of the chosen level of
    measurement, following Krippendorff (2011): units (columns) with fewer than two values are not
    pairable and are dropped; the ordinal metric uses the marginal frequencies of the pairable values,
    so its value domain is the set of values in the data.

    Parameters
    ----------
    reliability_data : array-like or DataFrame of shape (raters, units)
        One row per rater (observer), one column per unit; NaN (or ``None``/``pd.NA``) where a rater did
        not rate a unit. Values must be numbers; for ``level="ratio"`` they must not be negative.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement, which selects the difference function δ².

    Returns
    -------
    float
        α in (−1, 1]; NaN with a :class:`~vielfalt.exceptions.VielfaltWarning` when α is undefined: no
        unit has two values, or all pairable values are equal (no variation, expected disagreement 0).

    Raises
    ------
    ConfigError
        If ``level`` is not one of the four levels.
    DataError
        If the data are not a 2-D numeric table, or negative at the ratio level.

    Notes
    -----
    The arithmetic is delegated to the ``krippendorff`` package (Castro), whose coincidence matrix,
    ordinal metric and treatment of single-valued units match Krippendorff (2011); this function adds
    the input checks, drops the unpairable units explicitly and handles the undefined cases.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
    Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43

    Examples
    --------
    >>> round(krippendorff_alpha([[1, 2, 3, 3], [1, 2, 3, 4]], "interval"), 3)
    0.889
    """
    if level not in LEVELS:
        msg = _options_msg("level", "krippendorff_alpha", LEVELS, level)
        raise ConfigError(msg)
    values, _, _ = _as_matrix(reliability_data, name="reliability_data", func="krippendorff_alpha")
    if level == "ratio" and np.nanmin(values, initial=0.0) < 0:
        msg = (
            "krippendorff_alpha: the ratio level needs values >= 0 (an absolute zero); "
            f"got {np.nanmin(values)}. Use level='interval' for data with negative values."
        )
        raise DataError(msg)

    # Krippendorff (2011): a unit with fewer than two values cannot be paired and does not count.
    pairable = np.count_nonzero(~np.isnan(values), axis=0) >= 2
    if not pairable.any():
        _warn_undefined("krippendorff_alpha", "no unit has values from two or more raters")
        return float("nan")
    kept = values[:, pairable]
    if np.unique(kept[~np.isnan(kept)]).size < 2:
        _warn_undefined("krippendorff_alpha", "all pairable values are equal, so there is no variation")
        return float("nan")

    import krippendorff  # deferred: only this function needs it

    return float(krippendorff.alpha(reliability_data=kept, level_of_measurement=level))


ICC_ROWS = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
ICC_SHROUT_FLEISS = ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)")
ICC_MCGRAW_WONG = ("ICC(1)", "ICC(A,1)", "ICC(C,1)", "ICC(k)", "ICC(A,k)", "ICC(C,k)")
ICC_COLUMNS = ("shrout_fleiss", "mcgraw_wong", "value", "F", "df1", "df2", "p_value", "ci_lower", "ci_upper")


def icc(ratings: Any, *, confidence: float = 0.95) -> pd.DataFrame:
    """Intraclass correlations in the six forms of Shrout & Fleiss (1979).

    From the two-way ANOVA of a complete targets × raters table: mean squares between targets (MSB),
    between raters (MSJ), residual (MSE) and within targets (MSW, the one-way residual).

    ========  ==========  ===========  ================================================
    row       S & F       McGraw-Wong  model
    ========  ==========  ===========  ================================================
    ICC1      ICC(1,1)    ICC(1)       one-way random, single rater
    ICC2      ICC(2,1)    ICC(A,1)     two-way random, absolute agreement, single rater
    ICC3      ICC(3,1)    ICC(C,1)     two-way mixed, consistency, single rater
    ICC1k     ICC(1,k)    ICC(k)       as ICC1, mean of the k raters
    ICC2k     ICC(2,k)    ICC(A,k)     as ICC2, mean of the k raters
    ICC3k     ICC(3,k)    ICC(C,k)     as ICC3, mean of the k raters
    ========  ==========  ===========  ================================================

    Parameters
    ----------
    ratings : array-like or DataFrame of shape (targets, raters)
        Complete ratings: every rater rated every target. At least two targets and two raters.
    confidence : float, default 0.95
        Level of the two-sided confidence intervals.

    Returns
    -------
    DataFrame
        Indexed by ``ICC1 … ICC3k`` with columns ``shrout_fleiss`` and ``mcgraw_wong`` (the names of each
        form), ``value``, ``F``, ``df1``, ``df2``, ``p_value`` and ``ci_lower``/``ci_upper``. ``attrs``
        hold ``n_targets``, ``n_raters`` and ``confidence``.

    Raises
    ------
    ConfigError
        If ``confidence`` is not in (0, 1).
    DataError
        If the table is not 2-D and numeric, is smaller than 2 × 2, or has missing values (the message
        names the targets; drop or complete them first — there is no silent listwise deletion).

    Notes
    -----
    Conventions of R's ``psych::ICC`` (Revelle): the F test of ICC1/ICC1k is MSB/MSW on
    (n − 1, n(k − 1)) df, that of all two-way forms MSB/MSE on (n − 1, (n − 1)(k − 1)) df. Confidence
    intervals: Shrout & Fleiss (1979) for ICC1, ICC3 and their k-rater forms (from the F distribution
    quantiles); McGraw & Wong (1996, Table 7) for ICC2 and ICC2k, with Satterthwaite's approximate df
    for the denominator. Where MSE is 0 (raters agree perfectly up to a constant) F is infinite and the
    ICC2 intervals are undefined (NaN, with a warning).

    References
    ----------
    Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing rater reliability.
    Psychological Bulletin, 86(2), 420–428.
    McGraw, K. O. & Wong, S. P. (1996). Forming inferences about some intraclass correlation
    coefficients. Psychological Methods, 1(1), 30–46.
    Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality Research, ``ICC``.

    Examples
    --------
    >>> table = icc([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])
    >>> table["value"].round(2).tolist()
    [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    """
    from scipy import stats  # deferred: scipy.stats takes half a second to import

    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        msg = PARAM_RANGE_MSG.format(param="confidence", func="icc", value=confidence)
        raise ConfigError(msg)
    x, rows, _ = _as_matrix(ratings, name="ratings", func="icc")
    n, k = x.shape
    if n < 2 or k < 2:
        msg = f"icc: ratings must have at least 2 targets (rows) and 2 raters (columns); got {n} × {k}."
        raise DataError(msg)
    incomplete = [rows[i] for i in np.flatnonzero(np.isnan(x).any(axis=1))]
    if incomplete:
        msg = (
            f"icc: ratings must be complete, but targets {incomplete} have missing values. "
            "Drop those rows (listwise deletion) or use krippendorff_alpha, which allows missing values."
        )
        raise DataError(msg, failures=pd.DataFrame({"target": incomplete}))

    if np.ptp(x) == 0:
        _warn_undefined("icc", "all ratings are equal, so there is no variation")
        table = pd.DataFrame(np.nan, index=list(ICC_ROWS), columns=list(ICC_COLUMNS))
        table["shrout_fleiss"], table["mcgraw_wong"] = ICC_SHROUT_FLEISS, ICC_MCGRAW_WONG
        table.attrs.update(n_targets=n, n_raters=k, confidence=confidence)
        return table

    grand = x.mean()
    row_means, col_means = x.mean(axis=1), x.mean(axis=0)
    ss_targets = k * ((row_means - grand) ** 2).sum()
    ss_raters = n * ((col_means - grand) ** 2).sum()
    # The residual sum of squares from the residuals themselves, not as a difference of totals, and
    # rounding noise set to 0: a perfectly additive table must give MSE = 0 exactly (handled below).
    ss_error = ((x - row_means[:, None] - col_means[None, :] + grand) ** 2).sum()
    if ss_error <= 1e-12 * ((x - grand) ** 2).sum():
        ss_error = 0.0
    msb = ss_targets / (n - 1)
    msj = ss_raters / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    msw = (ss_raters + ss_error) / (n * (k - 1))

    if msb == 0:
        msg = (
            "icc: all targets have the same mean rating (MSB = 0), so the ratings cannot tell targets "
            "apart; the ICCs are not informative (the k-rater forms are -inf)."
        )
        warnings.warn(msg, VielfaltWarning, stacklevel=2)
    if mse == 0:
        msg = (
            "icc: the residual mean square is 0 (raters agree perfectly up to a constant); F is infinite "
            "and the ICC2/ICC2k confidence intervals are undefined (NaN)."
        )
        warnings.warn(msg, VielfaltWarning, stacklevel=2)

    with np.errstate(divide="ignore", invalid="ignore"):
        icc1 = (msb - msw) / (msb + (k - 1) * msw)
        icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
        icc3 = (msb - mse) / (msb + (k - 1) * mse)
        icc1k = (msb - msw) / msb
        icc2k = (msb - mse) / (msb + (msj - mse) / n)
        icc3k = (msb - mse) / msb

        df1n, df1d = n - 1, n * (k - 1)
        df2n, df2d = n - 1, (n - 1) * (k - 1)
        f1 = msb / msw if msw > 0 else np.inf
        f2 = msb / mse if mse > 0 else np.inf
        p1 = stats.f.sf(f1, df1n, df1d)
        p2 = stats.f.sf(f2, df2n, df2d)

        # Shrout & Fleiss (1979) intervals, as in psych::ICC. Written as 1 - k/(F + k - 1) and 1 - 1/F
        # (equal to (F - 1)/(F + k - 1) and 1 - 1/F) so that an infinite F gives 1, not inf/inf.
        q = 1 - (1 - confidence) / 2
        f1l, f1u = f1 / stats.f.ppf(q, df1n, df1d), f1 * stats.f.ppf(q, df1d, df1n)
        f3l, f3u = f2 / stats.f.ppf(q, df2n, df2d), f2 * stats.f.ppf(q, df2d, df2n)
        ci1 = (1 - k / (f1l + k - 1), 1 - k / (f1u + k - 1))
        ci3 = (1 - k / (f3l + k - 1), 1 - k / (f3u + k - 1))
        ci1k = (1 - 1 / f1l, 1 - 1 / f1u)
        ci3k = (1 - 1 / f3l, 1 - 1 / f3u)

        # McGraw & Wong (1996) interval for ICC(A,1), with Satterthwaite df v, as in psych::ICC.
        fj = msj / mse
        vn = (k - 1) * (n - 1) * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        v = vn / vd
        f2u = stats.f.ppf(q, n - 1, v)
        f2l = stats.f.ppf(q, v, n - 1)
        l2 = n * (msb - f2u * mse) / (f2u * (k * msj + (k * n - k - n) * mse) + n * msb)
        u2 = n * (f2l * msb - mse) / (k * msj + (k * n - k - n) * mse + n * f2l * msb)
        ci2 = (l2, u2)
        ci2k = (l2 * k / (1 + l2 * (k - 1)), u2 * k / (1 + u2 * (k - 1)))

    table = pd.DataFrame(
        {
            "shrout_fleiss": ICC_SHROUT_FLEISS,
            "mcgraw_wong": ICC_MCGRAW_WONG,
            "value": [icc1, icc2, icc3, icc1k, icc2k, icc3k],
            "F": [f1, f2, f2, f1, f2, f2],
            "df1": [df1n, df2n, df2n, df1n, df2n, df2n],
            "df2": [df1d, df2d, df2d, df1d, df2d, df2d],
            "p_value": [p1, p2, p2, p1, p2, p2],
            "ci_lower": [ci1[0], ci2[0], ci3[0], ci1k[0], ci2k[0], ci3k[0]],
            "ci_upper": [ci1[1], ci2[1], ci3[1], ci1k[1], ci2k[1], ci3k[1]],
        },
        index=list(ICC_ROWS),
    ).astype({c: float for c in ICC_COLUMNS[2:]})
    table.attrs.update(n_targets=n, n_raters=k, confidence=confidence)
    return table


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
    table, rows, _ = _as_matrix(counts, name="counts", func="fleiss_kappa")
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
        _warn_undefined("fleiss_kappa", "every rating is in one category, so chance agreement is 1")
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
    if weights not in WEIGHTS:
        msg = _options_msg("weights", "cohen_kappa", WEIGHTS, weights)
        raise ConfigError(msg)
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
        _warn_undefined("cohen_kappa", "both raters used one and the same category, so chance agreement is 1")
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

    if not isinstance(correct_ties, (bool, np.bool_)):
        msg = _options_msg("correct_ties", "kendall_w", (True, False), correct_ties)
        raise ConfigError(msg)
    x, _, cols = _as_matrix(ranks_or_scores, name="ranks_or_scores", func="kendall_w")
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
        _warn_undefined("kendall_w", "every rater gave all objects the same score")
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


# ---------------------------------------------------------------------------------------------------
# Reliability per criterion and group (what the ratings stage reports)
# ---------------------------------------------------------------------------------------------------


def reliability_table(ratings: pd.DataFrame, groups: pd.Series | None = None) -> pd.DataFrame:
    """Agreement of the raters per criterion (item) and, optionally, per group (size category).

    Parameters
    ----------
    ratings : DataFrame
        Long table with ``entry_id``, ``item``, ``rater``, ``rating`` (0–4).
    groups : Series, optional
        Group label per entry id; adds rows per (item, group) besides the overall row per item.

    Returns
    -------
    DataFrame
        One row per item (``group`` = "alle") and per item × group: ``n_entries``, ``n_ratings``,
        ``alpha_ordinal`` and ``alpha_interval`` (Krippendorff, raters × entries with missing values),
        ``icc1`` and ``icc1k`` (Shrout & Fleiss one-way forms — each text is rated by a different pair of
        raters, so the raters are the "slots" 1..k of each entry; entries with fewer ratings are left out),
        ``exact`` (share of entries whose ratings all agree) and ``within1`` (max − min ≤ 1).
    """
    rows = []
    keys: list[tuple[str, str, pd.DataFrame]] = []
    for item, part in ratings.groupby("item", sort=True):
        keys.append((str(item), "alle", part))
        if groups is not None:
            g = part["entry_id"].map(groups)
            for label, sub in part.groupby(g, sort=True):
                keys.append((str(item), str(label), sub))
    for item, label, part in keys:
        wide = part.pivot_table(index="rater", columns="entry_id", values="rating", aggfunc="mean")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", VielfaltWarning)
            a_ord = krippendorff_alpha(wide, "ordinal") if wide.shape[1] >= 2 else float("nan")
            a_int = krippendorff_alpha(wide, "interval") if wide.shape[1] >= 2 else float("nan")
            slots = (
                part.sort_values(["entry_id", "rater"])
                .assign(slot=lambda d: d.groupby("entry_id").cumcount())
                .pivot_table(index="entry_id", columns="slot", values="rating", aggfunc="first")
            )
            slots = slots.dropna()
            icc1 = icc1k = float("nan")
            if slots.shape[0] >= 3 and slots.shape[1] >= 2:
                try:
                    res = icc(slots)
                    icc1, icc1k = float(res.loc["ICC1", "value"]), float(res.loc["ICC1k", "value"])
                except (DataError, ValueError):
                    pass
        spread = part.groupby("entry_id")["rating"].agg(lambda s: s.max() - s.min())
        multi = part.groupby("entry_id")["rating"].size() >= 2
        spread = spread[multi]
        rows.append(
            {
                "item": item,
                "group": label,
                "n_entries": int(part["entry_id"].nunique()),
                "n_ratings": len(part),
                "alpha_ordinal": a_ord,
                "alpha_interval": a_int,
                "icc1": icc1,
                "icc1k": icc1k,
                "exact": float((spread == 0).mean()) if len(spread) else float("nan"),
                "within1": float((spread <= 1).mean()) if len(spread) else float("nan"),
            }
        )
    return pd.DataFrame(rows)
