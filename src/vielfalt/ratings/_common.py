"""Helpers the reliability and agreement statistics share: input tables, undefined cases, option checks."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from vielfalt._params import Predicate
from vielfalt.exceptions import DataError, VielfaltWarning
from vielfalt.i18n import t

__all__ = ["UNDEFINED_MSG", "as_matrix", "one_of", "warn_undefined"]

UNDEFINED_MSG = "{func} is undefined for these data ({reason}); returning NaN."


def _is_one_of(value: Any, options: Sequence[Any]) -> bool:
    """Whether ``value`` is one of ``options``; a bool never equals 0 or 1 here, numpy bools are bools."""
    is_bool = isinstance(value, bool | np.bool_)
    for option in options:
        if option is None:
            if value is None:
                return True
        elif isinstance(option, bool):
            if is_bool and bool(value) is option:
                return True
        elif not is_bool and isinstance(value, type(option)) and value == option:
            return True
    return False


def one_of(options: Sequence[Any]) -> Predicate:
    """A parameter constraint "one of {…}" that shows the options in their declared order.

    :class:`vielfalt._params.Options` sorts its options; the statistics here name theirs in the order of
    their documentation (``{'nominal', 'ordinal', 'interval', 'ratio'}``, ``{None, 'linear', …}``).

    Examples
    --------
    >>> from vielfalt._params import check_param
    >>> check_param("weights", "linear", [one_of((None, "linear", "quadratic"))], func="f")
    'linear'
    """
    shown = ", ".join(repr(o) for o in options)
    texts = (t("params.one_of", "de", options=shown), t("params.one_of", "en", options=shown))
    return Predicate(lambda v: _is_one_of(v, tuple(options)), texts)


def warn_undefined(func: str, reason: str) -> None:
    """Warn that a statistic is undefined; the caller then returns NaN."""
    msg = UNDEFINED_MSG.format(func=func, reason=reason)
    # stacklevel 3: point at the user's call, not at this helper or the public function
    warnings.warn(msg, VielfaltWarning, stacklevel=3)


def as_matrix(data: Any, *, name: str, func: str) -> tuple[np.ndarray, list[Any], list[Any]]:
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
