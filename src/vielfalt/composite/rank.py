"""Ranks: descending, ties sharing the lowest rank ("sport" ranking), overall or within groups."""

from __future__ import annotations

import pandas as pd

from vielfalt.composite._checks import as_float_frame, group_codes
from vielfalt.exceptions import DataError

__all__ = ["rank"]


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
        frame = as_float_frame(scores.to_frame(), func)
    elif isinstance(scores, pd.DataFrame):
        frame = as_float_frame(scores, func)
    else:
        msg = f"rank expects a pandas Series or DataFrame of scores; got {type(scores).__name__}."
        raise DataError(msg)
    if groups is None:
        r = frame.rank(method="min", ascending=False, na_option="keep")
    else:
        codes, _ = group_codes(groups, frame.index, func, "groups")
        r = frame.groupby(codes).rank(method="min", ascending=False, na_option="keep")
    r = r.astype("float64")
    r.index, r.columns = frame.index, frame.columns
    if isinstance(scores, pd.Series):
        out = r.iloc[:, 0]
        out.name = scores.name
        return out
    return r
