"""Imputation: fill missing indicator values by the column mean or median, overall or within groups.

COINr's ``Impute`` step (JRC/OECD Handbook 2008, step 3, single imputation).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from vielfalt._params import check_param
from vielfalt.composite._checks import (
    as_float_frame,
    check_option,
    describe_cases,
    described,
    group_codes,
    message,
)
from vielfalt.exceptions import ConfigError, VielfaltWarning

__all__ = ["IMPUTE_METHODS", "impute"]

#: The imputation methods of :func:`impute`.
IMPUTE_METHODS = ("mean", "median", "group_mean", "group_median")


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
    method = check_option(func, "method", method, IMPUTE_METHODS)
    x = as_float_frame(df, func)
    stat = "mean" if method.endswith("mean") else "median"
    if method.startswith("group_"):
        required = described("groups_required", lambda g: g is not None, method=method)
        check_param("groups", groups, [required], func=func)
        codes, uniques = group_codes(groups, x.index, func, "groups")
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
                message("impute_all_missing", method=method, what=describe_cases(cases)),
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
            message("impute_all_missing", method=method, what=describe_cases(cases)),
            VielfaltWarning,
            stacklevel=2,
        )
    return x.fillna(fill_values)
