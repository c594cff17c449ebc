"""Reliability of the evaluators' ratings: Krippendorff's α and the intraclass correlations (METHODS.md §4).

Free-text answers are rated 0–4 by at least two evaluators each. This module says how far those ratings
can be trusted, each statistic with the convention of its reference source so that a number here can be
checked against the published tables and against R (``irr``, ``psych``):

- :func:`krippendorff_alpha` — Krippendorff's α for nominal, ordinal, interval and ratio data, missing
  values allowed (Krippendorff 2011);
- :func:`icc` — the six intraclass correlations of Shrout & Fleiss (1979), also named as in McGraw & Wong
  (1996), with the F tests and confidence intervals of ``psych::ICC``;
- :func:`reliability_table` — both per criterion and size category, as the ratings stage reports them.

The agreement coefficients (Fleiss' and Cohen's κ, Kendall's W) are in :mod:`vielfalt.ratings.agreement`.
Where a statistic is undefined (no variation) the functions return NaN and warn with
:class:`~vielfalt.exceptions.VielfaltWarning`; they never divide by zero. Inputs (numpy arrays or pandas
DataFrames) are never modified.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd

from vielfalt._params import Interval, check_param
from vielfalt.exceptions import DataError, VielfaltWarning
from vielfalt.ratings._common import as_matrix, one_of, warn_undefined

__all__ = ["ICC_COLUMNS", "LEVELS", "icc", "krippendorff_alpha", "reliability_table"]

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
    check_param("level", level, [one_of(LEVELS)], func="krippendorff_alpha")
    values, _, _ = as_matrix(reliability_data, name="reliability_data", func="krippendorff_alpha")
    if level == "ratio" and np.nanmin(values, initial=0.0) < 0:
        msg = (
            "krippendorff_alpha: the ratio level needs values >= 0 (an absolute zero); "
            f"got {np.nanmin(values)}. Use level='interval' for data with negative values."
        )
        raise DataError(msg)

    # Krippendorff (2011): a unit with fewer than two values cannot be paired and does not count.
    pairable = np.count_nonzero(~np.isnan(values), axis=0) >= 2
    if not pairable.any():
        warn_undefined("krippendorff_alpha", "no unit has values from two or more raters")
        return float("nan")
    kept = values[:, pairable]
    if np.unique(kept[~np.isnan(kept)]).size < 2:
        warn_undefined("krippendorff_alpha", "all pairable values are equal, so there is no variation")
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

    check_param("confidence", confidence, [Interval(float, 0, 1, closed="neither")], func="icc")
    x, rows, _ = as_matrix(ratings, name="ratings", func="icc")
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
        warn_undefined("icc", "all ratings are equal, so there is no variation")
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
