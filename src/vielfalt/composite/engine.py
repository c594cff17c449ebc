"""Composite-indicator engine: impute, treat outliers, normalise, aggregate and rank.

The semantics follow the JRC/OECD *Handbook on Constructing Composite Indicators* (OECD/JRC 2008) as
implemented by the R package COINr (Becker et al.; functions ``Impute``, ``Treat``, ``Normalise``,
``Aggregate``), so a result can be checked against COINr on the same data (METHODS.md §2). The test suite
reproduces COINr's ASEM example stage by stage.

Every function takes a DataFrame with one row per unit and one column per indicator, returns new objects
(the input is never modified), and keeps the index and the column order. Problems that leave a defined but
possibly surprising result (an all-missing column, a constant column, weights that do not sum to 1) are
reported as :class:`~vielfalt.exceptions.VielfaltWarning`; bad parameters raise
:class:`~vielfalt.exceptions.ConfigError`, unusable data :class:`~vielfalt.exceptions.DataError`.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from vielfalt.exceptions import ConfigError, DataError, VielfaltWarning

__all__ = [
    "AGGREGATE_METHODS",
    "IMPUTE_METHODS",
    "NORMALISE_METHODS",
    "TREAT_REPORT_COLUMNS",
    "TREAT_STATUSES",
    "aggregate",
    "impute",
    "kurtosis_type2",
    "normalise",
    "rank",
    "skewness_type2",
    "treat",
]

IMPUTE_METHODS = ("mean", "median", "group_mean", "group_median")
NORMALISE_METHODS = ("minmax", "zscore", "goalposts", "dist2targ", "rank", "prank", "borda")
AGGREGATE_METHODS = ("amean", "gmean", "hmean", "genmean", "median")

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

# keyword parameters each normalisation method accepts through ``**params`` (with their defaults)
_NORMALISE_PARAMS: dict[str, dict[str, Any]] = {
    "minmax": {},
    "zscore": {"mean": 0.0, "sd": 1.0},
    "goalposts": {"lo": None, "hi": None, "scale": 100.0},
    "dist2targ": {"targets": None, "cap_max": False, "scale": 100.0},
    "rank": {},
    "prank": {},
    "borda": {},
}

# one message shape for every bad parameter value (scikit-learn's)
PARAM_MSG = "The {param!r} parameter of {func} must be {expected}. Got {got!r} instead."
POSITIVE_MSG = (
    "The {method} mean is defined for {domain} values only, but {where}. "
    "Normalise to a strictly positive scale first, e.g. normalise(df, 'minmax', lower=1, upper=100)."
)
WEIGHTS_SUM_MSG = (
    "aggregate: the weights of the children of {parents} do not sum to 1; they are renormalised within "
    "each parent (and over the children present for each unit)."
)
MEDIAN_WEIGHTS_MSG = (
    "aggregate(method='median'): the median is unweighted, so the unequal weights of the children of "
    "{parents} are ignored."
)
IMPUTE_ALL_MISSING_MSG = (
    "impute(method={method!r}): {what} cannot be imputed because every value is missing; it stays NaN."
)
CONSTANT_MSG = (
    "normalise(method={method!r}): {cases} {verb} no spread (a single value or all values equal); "
    "{result}. Check whether the indicator discriminates at all."
)
DIST2TARG_WRONG_MSG = (
    "normalise(method='dist2targ'): for {cases} the target lies beyond the worst value observed, which "
    "gives negative scores. Check the targets and the directions."
)
DIST2TARG_AT_MSG = (
    "normalise(method='dist2targ'): for {cases} the target equals the worst value observed, so the "
    "distance is undefined; every unit there has reached the target and scores {scale:g}."
)
TREAT_SKIPPED_MSG = (
    "treat: {cols} {verb} not checked for outliers (fewer than 4 values, or all values equal, so skewness "
    "and kurtosis are undefined); left unchanged."
)
TREAT_STILL_FAILS_MSG = (
    "treat: {cols} still {verb} |skew| >= {skew_thresh:g} and kurtosis >= {kurt_thresh:g} after the log "
    "transform; consider an individual treatment."
)


# --------------------------------------------------------------------------------------------------------
# validation helpers


def _options(values: tuple[str, ...]) -> str:
    return "one of {" + ", ".join(repr(v) for v in values) + "}"


def _check_option(func: str, param: str, value: object, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        msg = PARAM_MSG.format(param=param, func=func, expected=_options(options), got=value)
        raise ConfigError(msg)
    return value


def _check_real(
    func: str, param: str, value: object, *, low: float | None = None, strict: bool = False
) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    ok = ok and bool(np.isfinite(value))  # type: ignore[arg-type]
    if ok and low is not None:
        ok = value > low if strict else value >= low  # type: ignore[operator]
    if not ok:
        bound = "" if low is None else (f" > {low}" if strict else f" >= {low}")
        expected = f"a finite real number{bound}"
        msg = PARAM_MSG.format(param=param, func=func, expected=expected, got=value)
        raise ConfigError(msg)
    return float(value)  # type: ignore[arg-type]


def _as_float_frame(df: object, func: str) -> pd.DataFrame:
    """Return a float64 copy of `df`, or raise DataError naming what is wrong."""
    if not isinstance(df, pd.DataFrame):
        msg = (
            f"{func} expects a pandas DataFrame (rows = units, columns = indicators); got "
            f"{type(df).__name__}. Wrap the data with pd.DataFrame(...) first."
        )
        raise DataError(msg)
    if df.columns.has_duplicates:
        dup = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        msg = f"{func}: column names must be unique; duplicated: {dup}. Rename or drop the duplicates."
        raise DataError(msg)
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        msg = (
            f"{func} needs numeric indicator columns; these are not: {[str(c) for c in bad]}. "
            "Drop label columns (unit names, groups) or convert them with pd.to_numeric first."
        )
        raise DataError(msg)
    values = df.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    return pd.DataFrame(values, index=df.index.copy(), columns=df.columns.copy())


def _group_codes(groups: object, index: pd.Index, func: str, param: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer group codes aligned to `index`, and the group labels they stand for."""
    if isinstance(groups, str) or not hasattr(groups, "__len__"):
        expected = "a Series aligned to the data's index or an array-like of group labels (one per row)"
        msg = PARAM_MSG.format(param=param, func=func, expected=expected, got=groups)
        raise ConfigError(msg)
    if isinstance(groups, pd.Series):
        if not groups.index.equals(index):
            missing = index.difference(groups.index)
            if len(missing):
                msg = (
                    f"{func}: {param} has no label for {len(missing)} unit(s), e.g. "
                    f"{[str(u) for u in missing[:5]]}. Give one group label per row of the data."
                )
                raise DataError(msg)
            if groups.index.has_duplicates:
                msg = f"{func}: the index of {param} has duplicates, so it cannot be aligned to the data."
                raise DataError(msg)
            groups = groups.reindex(index)
        labels = pd.Series(groups.to_numpy(), index=index)
    else:
        arr = np.asarray(groups, dtype=object)
        if arr.ndim != 1 or len(arr) != len(index):
            msg = (
                f"{func}: {param} must hold one group label per row: got {arr.shape} labels for "
                f"{len(index)} rows."
            )
            raise DataError(msg)
        labels = pd.Series(arr, index=index)
    na = labels.isna().to_numpy()
    if na.any():
        msg = (
            f"{func}: {param} has missing labels for {int(na.sum())} unit(s), e.g. "
            f"{[str(u) for u in index[na][:5]]}. Every unit needs a group."
        )
        raise DataError(msg)
    codes, uniques = pd.factorize(labels, sort=False)
    return codes, np.asarray(uniques, dtype=object)


def _per_column(value: object, columns: pd.Index, func: str, param: str) -> np.ndarray:
    """A float per column from a scalar, a dict or a Series keyed by column."""
    if isinstance(value, (Mapping, pd.Series)):
        mapping = dict(value.items())
        unknown = [k for k in mapping if k not in columns]
        missing = [c for c in columns if c not in mapping]
        if unknown or missing:
            msg = (
                f"{func}: {param} must give a value for every column and only for columns; "
                f"missing: {[str(c) for c in missing]}, unknown: {[str(k) for k in unknown]}."
            )
            raise ConfigError(msg)
        out = np.array([mapping[c] for c in columns], dtype=object)
    elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        out = np.full(len(columns), value, dtype=object)
    else:
        expected = "a number or a dict/Series with one number per column"
        msg = PARAM_MSG.format(param=param, func=func, expected=expected, got=value)
        raise ConfigError(msg)
    try:
        arr = out.astype("float64")
    except (TypeError, ValueError) as err:
        msg = PARAM_MSG.format(param=param, func=func, expected="numbers", got=value)
        raise ConfigError(msg) from err
    if not np.isfinite(arr).all():
        bad = [str(c) for c, v in zip(columns, arr, strict=True) if not np.isfinite(v)]
        msg = f"{func}: {param} must be finite for every column; not finite for {bad}."
        raise ConfigError(msg)
    return arr


def _directions(directions: object, columns: pd.Index, func: str) -> np.ndarray:
    """±1 per column (default +1)."""
    if directions is None:
        return np.ones(len(columns))
    if not isinstance(directions, (Mapping, pd.Series)):
        expected = "None or a dict/Series mapping columns to +1 or -1"
        msg = PARAM_MSG.format(param="directions", func=func, expected=expected, got=directions)
        raise ConfigError(msg)
    mapping = dict(directions.items())
    unknown = [str(k) for k in mapping if k not in columns]
    if unknown:
        msg = f"{func}: directions names columns that are not in the data: {unknown}."
        raise ConfigError(msg)
    bad = {str(k): v for k, v in mapping.items() if v not in (1, -1) or isinstance(v, bool)}
    if bad:
        msg = f"{func}: every direction must be +1 or -1; got {bad}."
        raise ConfigError(msg)
    return np.array([float(mapping.get(c, 1)) for c in columns])


def _describe_cases(cases: list[tuple[Hashable, Hashable | None]]) -> str:
    parts = [repr(c) if g is None else f"{c!r} in group {g!r}" for c, g in cases]
    if len(parts) > 10:
        parts = [*parts[:10], f"… ({len(cases)} in all)"]
    return "column " + ", ".join(parts) if len(cases) == 1 else "columns " + ", ".join(parts)


# --------------------------------------------------------------------------------------------------------
# skewness and kurtosis


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


# --------------------------------------------------------------------------------------------------------
# imputation


def impute(df: pd.DataFrame, method: str = "mean", *, groups: object = None) -> pd.DataFrame:
    """Fill missing values by the column mean or median, overall or within groups.

    Follows COINr's ``Impute`` (methods ``i_mean``, ``i_median``, ``i_mean_grp``, ``i_median_grp``) and
    the JRC/OECD Handbook (2008, step 3, single imputation). The COINr ASEM example imputes by the mean of
    the unit's ``Group_EurAsia`` group (``method="group_mean"``).

    A column that is entirely missing (or, for group methods, entirely missing within a group that has
    gaps) cannot be imputed: its values stay NaN and a :class:`VielfaltWarning` names it.

    Parameters
    ----------
    df : DataFrame
        Rows = units, columns = numeric indicators.
    method : {"mean", "median", "group_mean", "group_median"}, default "mean"
        Fill value: the column mean or median over all units, or over the units of the same group.
    groups : Series or array-like, optional
        Group label of every unit, required by the group methods: a Series aligned to ``df.index`` (by
        label) or an array-like in row order. Missing labels raise :class:`DataError`.

    Returns
    -------
    DataFrame
        A float64 copy of `df` with missing values filled; same index and columns.

    Raises
    ------
    ConfigError
        Unknown method; `groups` missing for a group method or given for a non-group method.
    DataError
        `df` is not a numeric DataFrame, or the group labels do not fit.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, None, 3.0, 10.0], "b": [2.0, 4.0, None, 8.0]})
    >>> impute(df, "group_mean", groups=["x", "x", "x", "y"])["a"].tolist()
    [1.0, 2.0, 3.0, 10.0]
    """
    func = "impute"
    method = _check_option(func, "method", method, IMPUTE_METHODS)
    x = _as_float_frame(df, func)
    stat = "mean" if method.endswith("mean") else "median"
    if method.startswith("group_"):
        if groups is None:
            msg = PARAM_MSG.format(
                param="groups", func=func, expected=f"the units' group labels for method={method!r}", got=None
            )
            raise ConfigError(msg)
        codes, uniques = _group_codes(groups, x.index, func, "groups")
        fill = x.groupby(codes).transform(stat)
        # a group with gaps but no observed value has nothing to average
        lost = x.isna() & fill.isna()
        if lost.to_numpy().any():
            cases = [
                (c, uniques[g])
                for c in x.columns[lost.any().to_numpy()]
                for g in np.unique(codes[lost[c].to_numpy()])
            ]
            warnings.warn(
                IMPUTE_ALL_MISSING_MSG.format(method=method, what=_describe_cases(cases)),
                VielfaltWarning,
                stacklevel=2,
            )
        return x.where(x.notna(), fill)
    if groups is not None:
        msg = (
            f"impute: groups is used only by the methods 'group_mean' and 'group_median', not by "
            f"{method!r}. Drop groups or choose a group method."
        )
        raise ConfigError(msg)
    fill_values = x.agg(stat)
    lost_cols = x.columns[(x.isna().all() & (len(x) > 0)).to_numpy()]
    if len(lost_cols):
        cases = [(c, None) for c in lost_cols]
        warnings.warn(
            IMPUTE_ALL_MISSING_MSG.format(method=method, what=_describe_cases(cases)),
            VielfaltWarning,
            stacklevel=2,
        )
    return x.fillna(fill_values)


# --------------------------------------------------------------------------------------------------------
# outlier treatment


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
    if not isinstance(winmax, (int, np.integer)) or isinstance(winmax, bool) or winmax < 0:
        msg = PARAM_MSG.format(param="winmax", func=func, expected="an integer >= 0", got=winmax)
        raise ConfigError(msg)
    skew_thresh = _check_real(func, "skew_thresh", skew_thresh, low=0, strict=True)
    kurt_thresh = _check_real(func, "kurt_thresh", kurt_thresh)
    x = _as_float_frame(df, func)
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
        cols = _describe_cases([(c, None) for c in skipped])
        verb = "is" if len(skipped) == 1 else "are"
        warnings.warn(TREAT_SKIPPED_MSG.format(cols=cols, verb=verb), VielfaltWarning, stacklevel=2)
    still = report.index[report["fails_after"].to_numpy(dtype=bool)]
    if len(still):
        cols = _describe_cases([(c, None) for c in still])
        verb = "has" if len(still) == 1 else "have"
        warnings.warn(
            TREAT_STILL_FAILS_MSG.format(
                cols=cols, verb=verb, skew_thresh=skew_thresh, kurt_thresh=kurt_thresh
            ),
            VielfaltWarning,
            stacklevel=2,
        )
    return out, report


# --------------------------------------------------------------------------------------------------------
# normalisation


def _check_normalise_params(method: str, params: dict[str, Any]) -> dict[str, Any]:
    allowed = _NORMALISE_PARAMS[method]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        accepts = sorted(allowed) or "no further keywords"
        msg = f"normalise(method={method!r}) got unexpected keyword(s) {unknown}; it accepts {accepts}" + (
            "." if allowed else " (lower and upper apply to minmax only)."
        )
        raise ConfigError(msg)
    return {**allowed, **params}


def normalise(
    df: pd.DataFrame,
    method: str = "minmax",
    lower: float = 0,
    upper: float = 100,
    directions: Mapping[Hashable, int] | pd.Series | None = None,
    within: object = None,
    **params: Any,
) -> pd.DataFrame:
    """Bring indicators onto a common scale, optionally inside each group.

    Methods, as COINr's ``Normalise`` functions ``n_minmax``, ``n_zscore``, ``n_goalposts``,
    ``n_dist2targ``, ``n_rank``, ``n_prank``, ``n_borda`` and the JRC/OECD Handbook (2008, step 5), with
    ``x`` the indicator after applying its direction:

    - ``"minmax"``: ``(x − min)/(max − min) · (upper − lower) + lower``.
    - ``"zscore"``: ``(x − mean(x))/sd(x) · sd + mean`` (keywords ``mean=0``, ``sd=1``; sample sd, n − 1).
    - ``"goalposts"``: ``(x − lo)/(hi − lo)`` for direction +1, ``(hi − x)/(hi − lo)`` for −1, truncated to
      [0, 1] and times ``scale`` (keywords ``lo``, ``hi`` in the indicator's own units, a number or one per
      column as dict/Series, with lo < hi; ``scale=100``).
    - ``"dist2targ"``: ``(x − min)/(target − min)`` for direction +1, ``(max − x)/(max − target)`` for −1,
      times ``scale`` (COINr 1.1 ``n_dist2targ``; keywords ``targets`` in the indicator's units, a number or
      one per column; ``cap_max=False`` caps values past the target at 1; ``scale=100`` — COINr's
      function is ``scale=1``). A target on the wrong side of the data gives negative scores (warned).
    - ``"rank"``: rank, 1 = lowest, ties share the lowest rank (``min``); ``"prank"``:
      ``(rank − 1)/(n − 1)``; ``"borda"``: ``rank − 1`` (n = values present).

    Directions (±1) are applied here only: COINr multiplies the column by −1 before normalising.
    Missing values stay missing and do not count in ``n``, ``min`` or ``max``.

    A column (or a group) without spread — one value present, or all values equal — has no defined
    scale. It is never turned into NaN silently: minmax gives the midpoint ``(lower + upper)/2`` (neither
    rewarded nor penalised), zscore gives ``mean``, dist2targ gives ``scale`` when the target equals the
    only value, and the rank methods give the shared rank (rank 1, prank 0, borda 0, as COINr); each such
    case is named in a :class:`VielfaltWarning`.

    Parameters
    ----------
    df : DataFrame
        Rows = units, columns = numeric indicators.
    method : {"minmax", "zscore", "goalposts", "dist2targ", "rank", "prank", "borda"}, default "minmax"
    lower, upper : float, default 0 and 100
        Target interval of minmax (lower < upper); ignored by the other methods.
    directions : dict or Series, optional
        +1 or −1 per column (default +1 for every column not named).
    within : Series or array-like, optional
        Group label of every unit (e.g. the size category): normalise inside each group separately.
    **params
        Method keywords as listed above; anything else raises :class:`ConfigError`.

    Returns
    -------
    DataFrame
        Normalised float64 values; same index and columns.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 5.0], "b": [10.0, 20.0, 30.0]})
    >>> normalise(df, directions={"b": -1})["b"].tolist()
    [100.0, 50.0, 0.0]
    >>> normalise(df, "goalposts", lo=0, hi=4)["a"].tolist()
    [25.0, 50.0, 100.0]
    """
    func = "normalise"
    method = _check_option(func, "method", method, NORMALISE_METHODS)
    para = _check_normalise_params(method, params)
    x = _as_float_frame(df, func)
    cols = x.columns
    dirs = _directions(directions, cols, func)
    if within is None:
        codes, uniques = np.zeros(len(x), dtype=np.intp), np.array([None], dtype=object)
    else:
        codes, uniques = _group_codes(within, x.index, func, "within")

    # the data-dependent methods need the spread of each column within each group
    xd = x * dirs
    grouped = xd.groupby(codes)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "minmax":
            lo = _check_real(func, "lower", lower)
            hi = _check_real(func, "upper", upper)
            if not lo < hi:
                msg = PARAM_MSG.format(
                    param="upper", func=func, expected=f"greater than lower={lo}", got=upper
                )
                raise ConfigError(msg)
            mn, mx = grouped.transform("min"), grouped.transform("max")
            flat = mx == mn
            out = (xd - mn) / (mx - mn) * (hi - lo) + lo
            out = out.mask(flat & xd.notna(), (lo + hi) / 2)
            result_note = f"their scores are set to the midpoint {(lo + hi) / 2:g} of [{lo:g}, {hi:g}]"
        elif method == "zscore":
            m = _check_real(func, "mean", para["mean"])
            s = _check_real(func, "sd", para["sd"], low=0, strict=True)
            mean, sd = grouped.transform("mean"), grouped.transform("std")  # std: n − 1, as R's sd()
            mn, mx = grouped.transform("min"), grouped.transform("max")
            flat = mx == mn
            out = ((xd - mean) / sd * s + m).mask(flat & xd.notna(), m)
            result_note = f"their scores are set to the mean {m:g}"
        elif method == "goalposts":
            if para["lo"] is None or para["hi"] is None:
                msg = (
                    "normalise(method='goalposts') needs the keywords lo and hi (a number or one per column)."
                )
                raise ConfigError(msg)
            gl = _per_column(para["lo"], cols, func, "lo")
            gh = _per_column(para["hi"], cols, func, "hi")
            if not (gl < gh).all():
                bad = [str(c) for c, a, b in zip(cols, gl, gh, strict=True) if not a < b]
                msg = f"normalise(method='goalposts'): lo must be below hi for every column; not for {bad}."
                raise ConfigError(msg)
            scale = _check_real(func, "scale", para["scale"], low=0, strict=True)
            # the posts are in the indicator's own units, so use the raw values; direction −1 flips the
            # scale so that lo scores 1 (COINr n_goalposts negates both values and posts)
            y = np.where(dirs > 0, (x - gl) / (gh - gl), (gh - x) / (gh - gl))
            out = pd.DataFrame(np.clip(y, 0.0, 1.0) * scale, index=x.index, columns=cols)
            flat = None
            result_note = ""
        elif method == "dist2targ":
            if para["targets"] is None:
                msg = "normalise(method='dist2targ') needs the keyword targets (a number or one per column)."
                raise ConfigError(msg)
            targ = _per_column(para["targets"], cols, func, "targets")
            scale = _check_real(func, "scale", para["scale"], low=0, strict=True)
            cap = para["cap_max"]
            if not isinstance(cap, (bool, np.bool_)):
                msg = PARAM_MSG.format(param="cap_max", func=func, expected="True or False", got=cap)
                raise ConfigError(msg)
            graw = x.groupby(codes)
            mn, mx = graw.transform("min"), graw.transform("max")
            # the reference end: the worst value observed in the group, in the indicator's units
            ref = pd.DataFrame(np.where(dirs > 0, mn, mx), index=x.index, columns=cols)
            denom = targ - ref
            wrong = (denom * dirs < 0) & x.notna()
            y = (x - ref) / denom
            at_target = (denom == 0) & x.notna()
            # target = worst value: every unit has reached it, so all score the full scale
            y = y.mask(at_target, 1.0)
            if cap:
                y = y.clip(upper=1.0)
            out = y * scale
            flat, result_note = None, ""
            for mask, text in ((wrong, DIST2TARG_WRONG_MSG), (at_target, DIST2TARG_AT_MSG)):
                if mask.to_numpy().any():
                    cases = [
                        (c, uniques[g] if within is not None else None)
                        for c in cols[mask.any().to_numpy()]
                        for g in np.unique(codes[mask[c].to_numpy()])
                    ]
                    warnings.warn(
                        text.format(cases=_describe_cases(cases), scale=scale), VielfaltWarning, stacklevel=2
                    )
        else:  # rank, prank, borda
            r = grouped.rank(method="min", ascending=True, na_option="keep")
            n = grouped.transform("count")
            mn, mx = grouped.transform("min"), grouped.transform("max")
            flat = mx == mn
            if method == "rank":
                out = r
            elif method == "borda":
                out = r - 1
            else:
                # a single value has n − 1 = 0: give it the tied rank's prank, 0, like a constant column
                out = ((r - 1) / (n - 1)).mask(flat & xd.notna(), 0.0)
            result_note = "they share one rank (rank 1, prank 0, borda 0)"

    if flat is not None:
        flat = flat & x.notna()
        if flat.to_numpy().any():
            cases = [
                (c, uniques[g] if within is not None else None)
                for c in cols[flat.any().to_numpy()]
                for g in np.unique(codes[flat[c].to_numpy()])
            ]
            verb = "has" if len(cases) == 1 else "have"
            warnings.warn(
                CONSTANT_MSG.format(
                    method=method, cases=_describe_cases(cases), verb=verb, result=result_note
                ),
                VielfaltWarning,
                stacklevel=2,
            )
    out = out.astype("float64")
    out.index, out.columns = x.index, cols
    return out


# --------------------------------------------------------------------------------------------------------
# aggregation


def _hierarchy(
    columns: pd.Index, parents: object
) -> tuple[dict[Hashable, list[Hashable]], list[list[Hashable]]]:
    """Children of every aggregate, and the aggregates level by level (level 2 first)."""
    func = "aggregate"
    if isinstance(parents, pd.Series):
        parents = dict(parents.items())
    if not isinstance(parents, Mapping):
        expected = "a dict mapping every indicator and aggregate code to its parent code (None at the top)"
        msg = PARAM_MSG.format(param="parents", func=func, expected=expected, got=parents)
        raise ConfigError(msg)
    pmap = {
        k: (None if v is None or (isinstance(v, float) and np.isnan(v)) else v) for k, v in parents.items()
    }
    children: dict[Hashable, list[Hashable]] = {}
    for code, parent in pmap.items():
        if parent is not None:
            children.setdefault(parent, []).append(code)
    colset = set(columns)
    clash = [str(c) for c in columns if c in children]
    if clash:
        msg = (
            f"aggregate: {clash} are columns of the data but also parents in the hierarchy; an aggregate is "
            "computed, so drop those columns or rename the aggregates."
        )
        raise ConfigError(msg)
    orphans = [str(c) for c in columns if pmap.get(c) is None]
    if orphans:
        msg = f"aggregate: every indicator needs a parent in parents; none for {orphans}."
        raise ConfigError(msg)
    dangling = [str(k) for k in pmap if k not in colset and k not in children]
    if dangling:
        msg = (
            f"aggregate: {dangling} appear in parents but are neither columns of the data nor the parent of "
            "anything. Add their data or remove them from the hierarchy."
        )
        raise ConfigError(msg)
    # level of every node: indicators 1, an aggregate one above its highest child
    level: dict[Hashable, int] = {c: 1 for c in columns}
    pending = list(children)
    while pending:
        ready = [a for a in pending if all(ch in level for ch in children[a])]
        if not ready:
            msg = f"aggregate: the hierarchy has a cycle among {[str(a) for a in pending]}."
            raise ConfigError(msg)
        for a in ready:
            level[a] = 1 + max(level[ch] for ch in children[a])
        pending = [a for a in pending if a not in level]
    # within a level, aggregates keep their order as keys of `parents` (the order of a metadata table);
    # a top that is not a key follows
    order = [k for k in pmap if k in children] + [a for a in children if a not in pmap]
    by_level: dict[int, list[Hashable]] = {}
    for a in order:
        by_level.setdefault(level[a], []).append(a)
    return children, [by_level[k] for k in sorted(by_level)]


def _weights(
    weights: object, children: dict[Hashable, list[Hashable]], codes: set[Hashable]
) -> tuple[dict[Hashable, float], list[Hashable]]:
    """Weight of every code (default 1) and the parents whose child weights do not sum to 1."""
    func = "aggregate"
    if weights is None:
        return {}, []
    if isinstance(weights, pd.Series):
        weights = dict(weights.items())
    if not isinstance(weights, Mapping):
        expected = "None or a dict/Series mapping codes to non-negative weights"
        msg = PARAM_MSG.format(param="weights", func=func, expected=expected, got=weights)
        raise ConfigError(msg)
    unknown = [str(k) for k in weights if k not in codes]
    if unknown:
        msg = f"aggregate: weights names codes that are not in the hierarchy: {unknown}."
        raise ConfigError(msg)
    w: dict[Hashable, float] = {}
    for k, v in weights.items():
        ok = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        if not ok or not np.isfinite(v) or v < 0:
            msg = f"aggregate: every weight must be a finite number >= 0; got {v!r} for {k!r}."
            raise ConfigError(msg)
        w[k] = float(v)
    off = []
    for parent, kids in children.items():
        total = sum(w.get(k, 1.0) for k in kids)
        if total == 0:
            msg = (
                f"aggregate: the weights of the children of {parent!r} are all 0, so it has no defined value."
            )
            raise ConfigError(msg)
        if not np.isclose(total, 1.0, rtol=0, atol=1e-9):
            off.append(parent)
    return w, off


def aggregate(
    df: pd.DataFrame,
    parents: Mapping[Hashable, Hashable | None],
    weights: Mapping[Hashable, float] | pd.Series | None = None,
    method: str = "amean",
    *,
    p: float | None = None,
) -> pd.DataFrame:
    """Aggregate indicators up a hierarchy, level by level, with weights renormalised within each parent.

    Follows the JRC/OECD Handbook (2008, step 6) as implemented by COINr's ``Aggregate`` (``a_amean``,
    ``a_gmean``, ``a_hmean``, ``a_genmean``, ``a_median``). For one unit and one parent with children
    values ``x_i`` present and weights ``w_i`` (renormalised over the children present, so a missing value
    spreads its weight over its siblings):

    - ``"amean"``: ``Σ w_i x_i / Σ w_i``;
    - ``"gmean"``: ``exp(Σ w_i ln x_i / Σ w_i)``, for positive values only;
    - ``"hmean"``: ``Σ w_i / Σ (w_i / x_i)``, for positive values only;
    - ``"genmean"``: ``(Σ w_i x_i^p / Σ w_i)^(1/p)`` (keyword ``p``; p = 1 is amean, p = −1 hmean, p = 0 is
      taken as gmean); values must be >= 0 for p > 0 and > 0 for p <= 0;
    - ``"median"``: the unweighted median of the children present (weights are ignored, with a warning
      when they differ within a parent).

    A unit whose children are all missing (or all present children weigh 0) gets NaN for that parent.
    Values <= 0 under gmean/hmean (or p <= 0) raise :class:`ConfigError`: normalise to [1, 100] first.

    Parameters
    ----------
    df : DataFrame
        Rows = units, columns = the indicators (the leaves of the hierarchy), e.g. normalised scores.
    parents : dict
        Every indicator and aggregate code → its parent code; the top maps to None or is absent as a key.
        Every column of `df` needs a parent; aggregates may have children of different levels.
    weights : dict or Series, optional
        Code → weight >= 0 (codes not named weigh 1). Only the ratios within a parent matter; when the
        weights given for a parent's children do not sum to 1 a :class:`VielfaltWarning` says that they
        are renormalised. Default: equal weights (no warning).
    method : {"amean", "gmean", "hmean", "genmean", "median"}, default "amean"
    p : float, optional
        Exponent of the generalised mean; required by and only allowed with ``method="genmean"``.

    Returns
    -------
    DataFrame
        The indicators (float64 copies, as given) followed by every aggregate column, level by level from
        the bottom, within a level in their order as keys of `parents` (a top that is no key comes
        last) — like COINr's ``Aggregated`` data set. Select the aggregate codes for the scores alone.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [20.0, 60.0], "b": [40.0, None], "c": [90.0, 30.0]})
    >>> out = aggregate(df, {"a": "S1", "b": "S1", "c": "S2", "S1": "Index", "S2": "Index"})
    >>> out[["S1", "S2", "Index"]].to_numpy().tolist()
    [[30.0, 90.0, 60.0], [60.0, 30.0, 45.0]]
    """
    func = "aggregate"
    method = _check_option(func, "method", method, AGGREGATE_METHODS)
    if isinstance(parents, pd.Series):
        parents = dict(parents.items())
    if method == "genmean":
        if p is None:
            msg = "aggregate(method='genmean') needs the exponent p (p=1 is the arithmetic mean)."
            raise ConfigError(msg)
        p = _check_real(func, "p", p)
    elif p is not None:
        msg = f"aggregate: p is used only by method='genmean', not by {method!r}. Drop p or use 'genmean'."
        raise ConfigError(msg)
    x = _as_float_frame(df, func)
    children, levels = _hierarchy(x.columns, parents)
    codes = set(x.columns) | set(children) | {c for c in parents if c is not None}
    w, off = _weights(weights, children, codes)
    if off:
        warnings.warn(
            WEIGHTS_SUM_MSG.format(parents=", ".join(repr(a) for a in off)), VielfaltWarning, stacklevel=2
        )
    if method == "median" and weights is not None:
        uneven = [a for a, kids in children.items() if len({w.get(k, 1.0) for k in kids}) > 1]
        if uneven:
            warnings.warn(
                MEDIAN_WEIGHTS_MSG.format(parents=", ".join(repr(a) for a in uneven)),
                VielfaltWarning,
                stacklevel=2,
            )
    positive_only = method in ("gmean", "hmean") or (method == "genmean" and p is not None and p <= 0)
    nonneg_only = method == "genmean" and p is not None and p > 0

    out = {c: x[c].to_numpy() for c in x.columns}
    for level_codes in levels:
        for agg in level_codes:
            kids = children[agg]
            m = np.column_stack([out[k] for k in kids])
            present = ~np.isnan(m)
            if positive_only or nonneg_only:
                bad = present & ((m <= 0) if positive_only else (m < 0))
                if bad.any():
                    where = ", ".join(
                        f"{kids[j]!r} has {int(bad[:, j].sum())} value(s) "
                        + ("<= 0" if positive_only else "< 0")
                        + f" (min {np.nanmin(m[:, j]):g})"
                        for j in np.flatnonzero(bad.any(axis=0))
                    )
                    name = {"gmean": "geometric", "hmean": "harmonic"}.get(method) or f"generalised (p={p:g})"
                    domain = "positive" if positive_only else "non-negative"
                    msg = POSITIVE_MSG.format(method=name, domain=domain, where=where)
                    raise ConfigError(msg)
            wk = np.array([w.get(k, 1.0) for k in kids])
            wp = np.where(present, wk, 0.0)  # weights of the children present, per unit
            den = wp.sum(axis=1)
            mz = np.where(present, m, 1.0)  # neutral filler, multiplied by weight 0 below
            with np.errstate(invalid="ignore", divide="ignore"):
                if method == "amean" or (method == "genmean" and p == 1):
                    val = (wp * np.where(present, m, 0.0)).sum(axis=1) / den
                elif method == "gmean" or (method == "genmean" and p == 0):
                    val = np.exp((wp * np.log(mz)).sum(axis=1) / den)
                elif method == "hmean":
                    val = den / (wp / mz).sum(axis=1)
                elif method == "genmean":
                    val = ((wp * mz**p).sum(axis=1) / den) ** (1.0 / p)
                else:  # median
                    any_present = present.any(axis=1)
                    val = np.full(len(x), np.nan)
                    if any_present.any():
                        val[any_present] = np.nanmedian(m[any_present], axis=1)
                val = np.where(den > 0, val, np.nan) if method != "median" else val
            out[agg] = val.astype("float64")
    ordered = [*x.columns, *(a for level_codes in levels for a in level_codes)]
    return pd.DataFrame({c: out[c] for c in ordered}, index=x.index, columns=pd.Index(ordered))


# --------------------------------------------------------------------------------------------------------
# ranks


def rank(scores: pd.Series | pd.DataFrame, groups: object = None) -> pd.Series | pd.DataFrame:
    """Rank scores in descending order: 1 = best, ties share the lowest rank number, NaN stays NaN.

    "Sport" ranking (1, 2, 2, 4), as R's ``rank(-x, ties.method = "min", na.last = "keep")`` used by COINr
    (``rankDF``, ``get_results``); overall or within each group.

    Parameters
    ----------
    scores : Series or DataFrame
        Scores (a DataFrame is ranked column by column).
    groups : Series or array-like, optional
        Group label of every unit: rank within each group (e.g. the size category).

    Returns
    -------
    Series or DataFrame
        Float64 ranks of the same shape, index and names as `scores`.

    Examples
    --------
    >>> rank(pd.Series([70.0, 85.0, 85.0, 90.0, None])).tolist()
    [4.0, 2.0, 2.0, 1.0, nan]
    """
    func = "rank"
    if isinstance(scores, pd.Series):
        frame = _as_float_frame(scores.to_frame(), func)
    elif isinstance(scores, pd.DataFrame):
        frame = _as_float_frame(scores, func)
    else:
        msg = f"rank expects a pandas Series or DataFrame of scores; got {type(scores).__name__}."
        raise DataError(msg)
    if groups is None:
        r = frame.rank(method="min", ascending=False, na_option="keep")
    else:
        codes, _ = _group_codes(groups, frame.index, func, "groups")
        r = frame.groupby(codes).rank(method="min", ascending=False, na_option="keep")
    r = r.astype("float64")
    r.index, r.columns = frame.index, frame.columns
    if isinstance(scores, pd.Series):
        out = r.iloc[:, 0]
        out.name = scores.name
        return out
    return r
