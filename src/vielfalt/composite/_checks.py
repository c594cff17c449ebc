"""Checks shared by the steps of the composite engine: the data frame, group labels, per-column values.

The engine's messages are for researchers and programmers, so they are emitted in English (:data:`LANG`),
like the parameter messages of :mod:`vielfalt._params`; their texts live in the catalogue
(``vielfalt/messages/composite.yaml``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from vielfalt._params import Predicate, check_param
from vielfalt.exceptions import ConfigError, DataError
from vielfalt.i18n import LANGUAGES, t

#: The language of the engine's messages.
LANG = "en"


def message(key: str, **values: Any) -> str:
    """Return the composite message ``key`` in :data:`LANG`."""
    return t(f"composite.{key}", LANG, **values)


def described(key: str, test: Callable[[Any], bool], **values: Any) -> Predicate:
    """A constraint accepting what ``test`` accepts, described by the composite message ``key``."""
    de, en = (t(f"composite.{key}", lang, **values) for lang in LANGUAGES)
    return Predicate(test, (de, en))


def one_of(options: tuple[str, ...]) -> Predicate:
    """A constraint accepting one of ``options``, which the message lists in their given order."""
    listing = ", ".join(repr(o) for o in options)
    de, en = (t("params.one_of", lang, options=listing) for lang in LANGUAGES)
    return Predicate(lambda v: isinstance(v, str) and v in options, (de, en))


def is_real(value: object) -> bool:
    """Whether ``value`` is a finite real number (a bool is not)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        return False
    return bool(np.isfinite(value))


def check_option(func: str, param: str, value: object, options: tuple[str, ...]) -> str:
    """Return ``value`` when it is one of ``options``, else raise ConfigError (scikit-learn's shape)."""
    check_param(param, value, [one_of(options)], func=func)
    return str(value)


def check_real(
    func: str, param: str, value: object, *, low: float | None = None, strict: bool = False
) -> float:
    """Return ``value`` as a float when it is finite (and above ``low``), else raise ConfigError."""
    bound = "" if low is None else (f" > {low}" if strict else f" >= {low}")

    def test(v: object) -> bool:
        if not is_real(v):
            return False
        if low is None:
            return True
        return bool(v > low) if strict else bool(v >= low)  # type: ignore[operator]

    check_param(param, value, [described("finite_real", test, bound=bound)], func=func)
    return float(value)  # type: ignore[arg-type]


def as_float_frame(df: object, func: str) -> pd.DataFrame:
    """Return a float64 copy of `df`, or raise DataError naming what is wrong."""
    if not isinstance(df, pd.DataFrame):
        text = (
            f"{func} expects a pandas DataFrame (rows = units, columns = indicators); got "
            f"{type(df).__name__}. Wrap the data with pd.DataFrame(...) first."
        )
        raise DataError(text)
    if df.columns.has_duplicates:
        dup = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        text = f"{func}: column names must be unique; duplicated: {dup}. Rename or drop the duplicates."
        raise DataError(text)
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        text = (
            f"{func} needs numeric indicator columns; these are not: {[str(c) for c in bad]}. "
            "Drop label columns (unit names, groups) or convert them with pd.to_numeric first."
        )
        raise DataError(text)
    values = df.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    return pd.DataFrame(values, index=df.index.copy(), columns=df.columns.copy())


def group_codes(groups: object, index: pd.Index, func: str, param: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer group codes aligned to `index`, and the group labels they stand for."""
    check_param(
        param,
        groups,
        [described("groups_expected", lambda g: not isinstance(g, str) and hasattr(g, "__len__"))],
        func=func,
    )
    if isinstance(groups, pd.Series):
        if not groups.index.equals(index):
            missing = index.difference(groups.index)
            if len(missing):
                text = (
                    f"{func}: {param} has no label for {len(missing)} unit(s), e.g. "
                    f"{[str(u) for u in missing[:5]]}. Give one group label per row of the data."
                )
                raise DataError(text)
            if groups.index.has_duplicates:
                text = f"{func}: the index of {param} has duplicates, so it cannot be aligned to the data."
                raise DataError(text)
            groups = groups.reindex(index)
        labels = pd.Series(cast(pd.Series, groups).to_numpy(), index=index)
    else:
        arr = np.asarray(groups, dtype=object)
        if arr.ndim != 1 or len(arr) != len(index):
            text = (
                f"{func}: {param} must hold one group label per row: got {arr.shape} labels for "
                f"{len(index)} rows."
            )
            raise DataError(text)
        labels = pd.Series(arr, index=index)
    na = labels.isna().to_numpy()
    if na.any():
        text = (
            f"{func}: {param} has missing labels for {int(na.sum())} unit(s), e.g. "
            f"{[str(u) for u in index[na][:5]]}. Every unit needs a group."
        )
        raise DataError(text)
    codes, uniques = pd.factorize(labels, sort=False)
    return codes, np.asarray(uniques, dtype=object)


def _floats(value: object) -> bool:
    try:
        np.asarray(value, dtype=object).astype("float64")
    except (TypeError, ValueError):
        return False
    return True


def per_column(value: object, columns: pd.Index, func: str, param: str) -> np.ndarray:
    """A float per column from a scalar, a dict or a Series keyed by column."""
    if isinstance(value, Mapping | pd.Series):
        mapping = dict(value.items())
        unknown = [k for k in mapping if k not in columns]
        missing = [c for c in columns if c not in mapping]
        if unknown or missing:
            text = (
                f"{func}: {param} must give a value for every column and only for columns; "
                f"missing: {[str(c) for c in missing]}, unknown: {[str(k) for k in unknown]}."
            )
            raise ConfigError(text)
        out = np.array([mapping[c] for c in columns], dtype=object)
    else:
        scalar = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
        check_param(param, value, [described("per_column_expected", lambda _v: scalar)], func=func)
        out = np.full(len(columns), value, dtype=object)
    check_param(param, value, [described("numbers", lambda _v: _floats(out))], func=func)
    arr = out.astype("float64")
    if not np.isfinite(arr).all():
        bad = [str(c) for c, v in zip(columns, arr, strict=True) if not np.isfinite(v)]
        text = f"{func}: {param} must be finite for every column; not finite for {bad}."
        raise ConfigError(text)
    return arr


def directions_of(directions: object, columns: pd.Index, func: str) -> np.ndarray:
    """±1 per column (default +1)."""
    if directions is None:
        return np.ones(len(columns))
    check_param(
        "directions",
        directions,
        [described("directions_expected", lambda d: isinstance(d, Mapping | pd.Series))],
        func=func,
    )
    mapping = dict(directions.items())  # type: ignore[attr-defined]
    unknown = [str(k) for k in mapping if k not in columns]
    if unknown:
        text = f"{func}: directions names columns that are not in the data: {unknown}."
        raise ConfigError(text)
    bad = {str(k): v for k, v in mapping.items() if v not in (1, -1) or isinstance(v, bool)}
    if bad:
        text = f"{func}: every direction must be +1 or -1; got {bad}."
        raise ConfigError(text)
    return np.array([float(mapping.get(c, 1)) for c in columns])


def describe_cases(cases: list[tuple[Hashable, Hashable | None]]) -> str:
    """Name the columns (and groups) a warning is about: ``column 'a' in group 'x'``, at most ten."""
    parts = [
        repr(c) if g is None else message("case_in_group", column=repr(c), group=repr(g)) for c, g in cases
    ]
    if len(parts) > 10:
        parts = [*parts[:10], message("cases_more", n=len(cases))]
    return message("case_column" if len(cases) == 1 else "case_columns", cases=", ".join(parts))


def verb(singular: str, n: int) -> str:
    """``has``/``have`` or ``is``/``are`` for ``n`` cases."""
    plural = {"has": "have", "is": "are"}[singular]
    return message(f"verb_{singular}" if n == 1 else f"verb_{plural}")
