"""Outlier treatment: Winsorisation with a log fallback, judged by skewness and kurtosis of "type 2".

COINr's ``Treat`` step (``winsorise`` + ``log_CT``; JRC/OECD Handbook 2008 and the JRC COIN Tool).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from vielfalt._params import check_param
from vielfalt.composite._checks import as_float_frame, check_real, describe_cases, described, message, verb
from vielfalt.exceptions import VielfaltWarning

__all__ = ["TREAT_REPORT_COLUMNS", "TREAT_STATUSES", "kurtosis_type2", "skewness_type2", "treat"]

#: Columns of the report returned by :func:`treat`, in order.
TREAT_REPORT_COLUMNS = (
    "n",
    "skew_before",
    "kurt_before",
    "skew_after",
    "kurt_after",
    "n_low",
    "n_high",
    "n_winsorised",
    "log_applied",
    "fails_after",
    "status",
)
#: Values of the ``status`` column of the :func:`treat` report.
TREAT_STATUSES = ("pass", "winsorised", "log", "skipped")


def skewness_type2(x: np.ndarray) -> float:
    """Sample skewness G1, the "type 2" estimator of Excel's SKEW and ``e1071::skewness(type = 2)``.

    ``G1 = g1 · sqrt(n (n − 1)) / (n − 2)`` with ``g1 = m3 / m2^1.5`` (moments about the mean); equal to
    ``scipy.stats.skew(x, bias=False)``. Missing values are ignored; NaN for fewer than 3 values or zero
    variance (Joanes & Gill 1998; COINr ``skew``).

    Parameters
    ----------
    x : array-like
        Values.

    Returns
    -------
    float

    Examples
    --------
    >>> round(skewness_type2([1.0, 2.0, 3.0, 10.0]), 6)
    1.763633
    """
    v = np.asarray(x, dtype="float64")
    v = v[~np.isnan(v)]
    n = v.size
    if n < 3:
        return float("nan")
    d = v - v.mean()
    m2 = np.mean(d**2)
    if m2 == 0:
        return float("nan")
    g1 = np.mean(d**3) / m2**1.5
    return float(g1 * np.sqrt(n * (n - 1)) / (n - 2))


def kurtosis_type2(x: np.ndarray) -> float:
    """Sample excess kurtosis G2, the "type 2" estimator of Excel's KURT and ``e1071::kurtosis(type = 2)``.

    ``G2 = ((n + 1) g2 + 6) (n − 1) / ((n − 2)(n − 3))`` with ``g2 = m4 / m2² − 3``; equal to
    ``scipy.stats.kurtosis(x, bias=False)``. Missing values are ignored; NaN for fewer than 4 values or
    zero variance (Joanes & Gill 1998; COINr ``kurt``).

    Parameters
    ----------
    x : array-like
        Values.

    Returns
    -------
    float

    Examples
    --------
    >>> round(kurtosis_type2([1.0, 2.0, 3.0, 10.0]), 6)
    3.228
    """
    v = np.asarray(x, dtype="float64")
    v = v[~np.isnan(v)]
    n = v.size
    if n < 4:
        return float("nan")
    d = v - v.mean()
    m2 = np.mean(d**2)
    if m2 == 0:
        return float("nan")
    g2 = np.mean(d**4) / m2**2 - 3.0
    return float(((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3)))


def _fails(skew: float, kurt: float, skew_thresh: float, kurt_thresh: float) -> bool:
    # NaN statistics (constant column) never fail: there is nothing to treat
    return bool(abs(skew) >= skew_thresh and kurt >= kurt_thresh)


def _treat_column(
    v: np.ndarray, winmax: int, skew_thresh: float, kurt_thresh: float
) -> tuple[np.ndarray, dict[str, Any]]:
    """Treat the observed values `v` of one indicator; return the treated values and a report row."""
    n = v.size
    sk0, kt0 = skewness_type2(v), kurtosis_type2(v)
    row: dict[str, Any] = {
        "n": n,
        "skew_before": sk0,
        "kurt_before": kt0,
        "skew_after": sk0,
        "kurt_after": kt0,
        "n_low": 0,
        "n_high": 0,
        "n_winsorised": 0,
        "log_applied": False,
        "fails_after": False,
        "status": "pass",
    }
    if n < 4 or np.isnan(sk0) or np.isnan(kt0):
        row["status"] = "skipped"
        return v, row
    if not _fails(sk0, kt0, skew_thresh, kurt_thresh):
        return v, row

    y = v.copy()
    sk, kt = sk0, kt0
    n_changed = 0
    n_distinct = np.unique(y).size
    failing = True
    # Winsorise one extreme at a time: every point at the current maximum (skew >= 0) or minimum takes
    # the value of the nearest remaining point, as COINr's winsorise() does (ties move together and all
    # count towards winmax). Stop before the column would collapse to a single value.
    while failing and n_changed < winmax and n_distinct > 2:
        if sk >= 0:
            at = y == y.max()
            y[at] = y[~at].max()
        else:
            at = y == y.min()
            y[at] = y[~at].min()
        n_distinct -= 1
        n_changed = int(np.count_nonzero(y != v))
        sk, kt = skewness_type2(y), kurtosis_type2(y)
        failing = _fails(sk, kt, skew_thresh, kurt_thresh)

    if failing:
        # winsorising up to winmax did not help: the COIN Tool log of the *original* values instead
        lo, hi = v.min(), v.max()
        y = np.log(v - lo + 0.01 * (hi - lo))
        sk, kt = skewness_type2(y), kurtosis_type2(y)
        row.update(
            skew_after=sk,
            kurt_after=kt,
            log_applied=True,
            fails_after=_fails(sk, kt, skew_thresh, kurt_thresh),
            status="log",
        )
        return y, row
    n_high = int(np.count_nonzero(y < v))
    n_low = int(np.count_nonzero(y > v))
    row.update(
        skew_after=sk,
        kurt_after=kt,
        n_low=n_low,
        n_high=n_high,
        n_winsorised=n_low + n_high,
        status="winsorised",
    )
    return y, row


def treat(
    df: pd.DataFrame, winmax: int = 5, skew_thresh: float = 2, kurt_thresh: float = 3.5
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Treat outliers by Winsorisation, falling back to a log transform.

    An indicator *fails* when ``|skew| >= skew_thresh`` **and** ``kurtosis >= kurt_thresh``, with the
    sample skewness and excess kurtosis of "type 2" (Excel SKEW/KURT, ``e1071`` type 2; see
    :func:`skewness_type2`). While it fails and fewer than `winmax` points were changed, the current
    maximum (skew >= 0) or minimum (skew < 0) is replaced by the next value inward, i.e. the largest
    (smallest) of the remaining points, and the test is repeated. Tied extremes are replaced together
    and all count as changed points, so with ties the count can pass `winmax` in the last step. If the
    indicator still fails, the Winsorisation is discarded and ``log(x − min + 0.01·(max − min))`` is
    applied to the original column. Missing values are ignored and stay missing.

    Source: JRC/OECD Handbook (2008) and the JRC COIN Tool, as implemented by COINr's ``Treat``
    (``winsorise`` + ``log_CT``; the COINr6 ``treat`` used by the ASEM example reproduces identically).

    Parameters
    ----------
    df : DataFrame
        Rows = units, columns = numeric indicators.
    winmax : int, default 5
        Largest number of points to Winsorise per indicator (0 = go straight to the log fallback).
    skew_thresh : float, default 2
        Threshold of the absolute skewness.
    kurt_thresh : float, default 3.5
        Threshold of the excess kurtosis.

    Returns
    -------
    treated : DataFrame
        A float64 copy of `df` with treated columns replaced; same index and columns.
    report : DataFrame
        One row per indicator (index = the columns of `df`), columns :data:`TREAT_REPORT_COLUMNS`: ``n``
        (values observed), skewness and kurtosis before and after, ``n_low``/``n_high`` (points
        Winsorised at each end, COINr's ``Low``/``High``), ``n_winsorised``, ``log_applied``,
        ``fails_after`` and ``status``: ``"pass"`` (no treatment needed), ``"winsorised"``, ``"log"`` or
        ``"skipped"`` (fewer than 4 values or all equal: the test is undefined, left unchanged, with a
        warning). A column that still fails after the log transform is also warned about.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 100]})
    >>> treated, report = treat(df)
    >>> float(treated["x"].max()), int(report.loc["x", "n_high"]), report.loc["x", "status"]
    (9.0, 1, 'winsorised')
    """
    func = "treat"
    whole = described(
        "winmax_expected",
        lambda w: isinstance(w, int | np.integer) and not isinstance(w, bool) and bool(w >= 0),
    )
    check_param("winmax", winmax, [whole], func=func)
    skew_thresh = check_real(func, "skew_thresh", skew_thresh, low=0, strict=True)
    kurt_thresh = check_real(func, "kurt_thresh", kurt_thresh)
    x = as_float_frame(df, func)
    values = x.to_numpy(copy=True)  # a private, writable copy
    rows = []
    for j in range(values.shape[1]):  # one loop per indicator; the work inside is vectorised
        col = values[:, j]
        obs = ~np.isnan(col)
        treated, row = _treat_column(col[obs], int(winmax), skew_thresh, kurt_thresh)
        col[obs] = treated
        rows.append(row)
    out = pd.DataFrame(values, index=x.index, columns=x.columns)
    report = pd.DataFrame(
        rows, index=pd.Index(x.columns, name="indicator"), columns=list(TREAT_REPORT_COLUMNS)
    )
    report = report.astype(
        {"n": "int64", "n_low": "int64", "n_high": "int64", "n_winsorised": "int64", "log_applied": bool}
    )
    skipped = report.index[(report["status"] == "skipped").to_numpy()]
    if len(skipped):
        cols = describe_cases([(c, None) for c in skipped])
        text = message("treat_skipped", cols=cols, verb=verb("is", len(skipped)))
        warnings.warn(text, VielfaltWarning, stacklevel=2)
    still = report.index[report["fails_after"].to_numpy(dtype=bool)]
    if len(still):
        cols = describe_cases([(c, None) for c in still])
        text = message(
            "treat_still_fails",
            cols=cols,
            verb=verb("has", len(still)),
            skew_thresh=skew_thresh,
            kurt_thresh=kurt_thresh,
        )
        warnings.warn(text, VielfaltWarning, stacklevel=2)
    return out, report
