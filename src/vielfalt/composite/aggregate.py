"""Aggregation: indicators up a hierarchy, level by level, with weights renormalised within each parent.

COINr's ``Aggregate`` step (``a_amean``, ``a_gmean``, ``a_hmean``, ``a_genmean``, ``a_median``; JRC/OECD
Handbook 2008, step 6), in three shapes:

- :func:`aggregate` — one set of weights for every unit;
- :func:`aggregate_by_group` — each group of units (e.g. a size category) with its own weights;
- :func:`aggregate_draws` — one level for a whole stack of weight vectors at once (the draws of an
  uncertainty analysis), units × draws without a loop over draws.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping
from typing import TypeVar, cast

import numpy as np
import pandas as pd

from vielfalt._params import check_param
from vielfalt.composite._checks import as_float_frame, check_option, check_real, described, is_real, message
from vielfalt.exceptions import ConfigError, DataError, VielfaltWarning

__all__ = ["AGGREGATE_METHODS", "DRAW_METHODS", "aggregate", "aggregate_by_group", "aggregate_draws"]

#: The aggregation methods of :func:`aggregate` and :func:`aggregate_by_group`.
AGGREGATE_METHODS = ("amean", "gmean", "hmean", "genmean", "median")
#: The aggregation methods of :func:`aggregate_draws` (those without a further parameter).
DRAW_METHODS = ("amean", "gmean", "hmean", "median")

K = TypeVar("K", bound=Hashable)  # a code of the hierarchy
G = TypeVar("G", bound=Hashable)  # a group label


def _hierarchy(
    columns: pd.Index, parents: object
) -> tuple[dict[Hashable, list[Hashable]], list[list[Hashable]]]:
    """Children of every aggregate, and the aggregates level by level (level 2 first)."""
    func = "aggregate"
    if isinstance(parents, pd.Series):
        parents = dict(parents.items())
    check_param(
        "parents", parents, [described("parents_expected", lambda p: isinstance(p, Mapping))], func=func
    )
    pmap = {
        k: (None if v is None or (isinstance(v, float) and np.isnan(v)) else v)
        for k, v in cast(Mapping[Hashable, Hashable | None], parents).items()
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
    check_param(
        "weights", weights, [described("weights_expected", lambda w: isinstance(w, Mapping))], func=func
    )
    weights = cast(Mapping[Hashable, object], weights)
    unknown = [str(k) for k in weights if k not in codes]
    if unknown:
        msg = f"aggregate: weights names codes that are not in the hierarchy: {unknown}."
        raise ConfigError(msg)
    w: dict[Hashable, float] = {}
    for k, v in weights.items():
        if not is_real(v) or cast(float, v) < 0:
            msg = f"aggregate: every weight must be a finite number >= 0; got {v!r} for {k!r}."
            raise ConfigError(msg)
        w[k] = float(cast(float, v))
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
    parents: Mapping[K, K | None],
    weights: Mapping[K, float] | pd.Series | None = None,
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
    method = check_option(func, "method", method, AGGREGATE_METHODS)
    if isinstance(parents, pd.Series):
        parents = dict(parents.items())
    if method == "genmean":
        if p is None:
            msg = "aggregate(method='genmean') needs the exponent p (p=1 is the arithmetic mean)."
            raise ConfigError(msg)
        p = check_real(func, "p", p)
    elif p is not None:
        msg = f"aggregate: p is used only by method='genmean', not by {method!r}. Drop p or use 'genmean'."
        raise ConfigError(msg)
    x = as_float_frame(df, func)
    children, levels = _hierarchy(x.columns, parents)
    codes = set(x.columns) | set(children) | {c for c in parents if c is not None}
    w, off = _weights(weights, children, codes)
    if off:
        text = message("weights_sum", parents=", ".join(repr(a) for a in off))
        warnings.warn(text, VielfaltWarning, stacklevel=2)
    if method == "median" and weights is not None:
        uneven = [a for a, kids in children.items() if len({w.get(k, 1.0) for k in kids}) > 1]
        if uneven:
            text = message("median_weights", parents=", ".join(repr(a) for a in uneven))
            warnings.warn(text, VielfaltWarning, stacklevel=2)
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
                    raise ConfigError(_domain_message(method, p, m, bad, kids, positive_only))
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
                elif method == "genmean" and p is not None:
                    val = ((wp * mz**p).sum(axis=1) / den) ** (1.0 / p)
                elif method == "median":
                    any_present = present.any(axis=1)
                    val = np.full(len(x), np.nan)
                    if any_present.any():
                        val[any_present] = np.nanmedian(m[any_present], axis=1)
                else:  # pragma: no cover - check_option admits AGGREGATE_METHODS only, genmean needs p
                    msg = f"{func}: no rule for method {method!r}."
                    raise ConfigError(msg)
                val = np.where(den > 0, val, np.nan) if method != "median" else val
            out[agg] = val.astype("float64")
    ordered = [*x.columns, *(a for level_codes in levels for a in level_codes)]
    return pd.DataFrame({c: out[c] for c in ordered}, index=x.index, columns=pd.Index(ordered))


def _domain_message(
    method: str, p: float | None, m: np.ndarray, bad: np.ndarray, kids: list[Hashable], positive_only: bool
) -> str:
    """Say which children have values outside the domain of the geometric, harmonic or generalised mean."""
    op = "<= 0" if positive_only else "< 0"
    where = ", ".join(
        message("bad_values", code=kids[j], n=int(bad[:, j].sum()), op=op, low=np.nanmin(m[:, j]))
        for j in np.flatnonzero(bad.any(axis=0))
    )
    names = {"gmean": "mean_geometric", "hmean": "mean_harmonic"}
    name = message(names[method]) if method in names else message("mean_generalised", p=p)
    domain = message("domain_positive" if positive_only else "domain_non_negative")
    return message("positive", method=name, domain=domain, where=where)


def aggregate_by_group(
    df: pd.DataFrame,
    parents: Mapping[K, K | None],
    *,
    groups: pd.Series | np.ndarray | list[Hashable],
    weights: Mapping[G, Mapping[K, float]],
    method: str = "amean",
    p: float | None = None,
) -> pd.DataFrame:
    """Aggregate every group of units with that group's own weights (e.g. section points per size category).

    The units of each group are aggregated by :func:`aggregate` with ``weights[group]``, so every method
    behaves exactly as there (weights renormalised within each parent and over the children present).
    Units without a group label get NaN in every column.

    Parameters
    ----------
    df : DataFrame
        Rows = units, columns = the indicators (the leaves of the hierarchy).
    parents : dict
        Every indicator and aggregate code → its parent code (see :func:`aggregate`).
    groups : Series or array-like
        Group label of every unit: a Series aligned to ``df.index`` (by label) or an array-like in row order.
    weights : mapping
        Group label → {code: weight >= 0} (codes not named weigh 1), one entry for every group in `groups`.
        Codes outside the hierarchy are an error, as in :func:`aggregate`.
    method : {"amean", "gmean", "hmean", "genmean", "median"}, default "amean"
    p : float, optional
        Exponent of the generalised mean; only with ``method="genmean"``.

    Returns
    -------
    DataFrame
        As :func:`aggregate`: the indicators followed by every aggregate, rows in the order of `df`.

    Raises
    ------
    ConfigError
        Unknown method, `weights` not a mapping or without an entry for a group, or what
        :func:`aggregate` refuses.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [20.0, 60.0, 80.0], "b": [40.0, 20.0, 0.0]})
    >>> w = {"x": {"a": 3, "b": 1}, "y": {"a": 1, "b": 1}}
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # 3 + 1 is not 1: renormalised, which aggregate warns about
    ...     out = aggregate_by_group(df, {"a": "T", "b": "T"}, groups=["x", "x", "y"], weights=w)
    >>> out["T"].tolist()
    [25.0, 50.0, 40.0]
    """
    func = "aggregate_by_group"
    method = check_option(func, "method", method, AGGREGATE_METHODS)
    nested = described("group_weights_expected", lambda w: isinstance(w, Mapping))
    check_param("weights", weights, [nested], func=func)
    if isinstance(groups, pd.Series):
        labels = groups.reindex(df.index) if not groups.index.equals(df.index) else groups
    else:
        arr = np.asarray(groups, dtype=object)
        if arr.ndim != 1 or len(arr) != len(df):
            msg = f"{func}: groups must hold one group label per row: got {arr.shape} for {len(df)} rows."
            raise DataError(msg)
        labels = pd.Series(arr, index=df.index)
    absent = [str(g) for g in pd.unique(labels.dropna()) if g not in weights]
    if absent:
        msg = f"{func}: weights has no entry for the group(s) {absent}; give the weights of every group."
        raise ConfigError(msg)
    parts = [
        aggregate(block, parents, weights=weights[g], method=method, p=p)
        for g, block in df.groupby(labels, sort=True)
    ]
    if not parts:  # no unit has a group: the columns of the result, all NaN
        return aggregate(df.iloc[:0], parents, method=method, p=p).reindex(df.index)
    return pd.concat(parts).reindex(df.index)


def aggregate_draws(values: np.ndarray, weights: np.ndarray, method: str = "amean") -> np.ndarray:
    """Aggregate one level for a stack of weight vectors at once: draws × units, without a loop over draws.

    For draw d and unit u the value is the method's weighted mean of the children present (not NaN) with
    ``weights[d]`` renormalised over them, as :func:`aggregate` computes it for one weight vector (the sums
    are matrix products here, so results agree with :func:`aggregate` to rounding, not bit for bit):

    - ``"amean"``: ``Σ w_i x_i / Σ w_i``; ``"gmean"``: ``exp(Σ w_i ln x_i / Σ w_i)``;
      ``"hmean"``: ``Σ w_i / Σ (w_i / x_i)`` (gmean and hmean for positive values only);
    - ``"median"``: the unweighted median of the children present, the same in every draw.

    A unit whose children are all missing (or all present children weigh 0) gets NaN.

    Parameters
    ----------
    values : ndarray of shape (n_units, n_children)
        Children's values per unit; NaN = missing.
    weights : ndarray of shape (n_draws, n_children) or (n_children,)
        One weight vector per draw, finite and >= 0.
    method : {"amean", "gmean", "hmean", "median"}, default "amean"

    Returns
    -------
    ndarray of shape (n_draws, n_units)
        One row per draw (a single row for a 1-D `weights`).

    Raises
    ------
    ConfigError
        Unknown method, weights of the wrong shape or not finite and >= 0, or values <= 0 under
        gmean/hmean.

    Examples
    --------
    >>> x = np.array([[20.0, 40.0], [60.0, np.nan]])
    >>> aggregate_draws(x, np.array([[1.0, 1.0], [3.0, 1.0]]))
    array([[30., 60.],
           [25., 60.]])
    """
    func = "aggregate_draws"
    method = check_option(func, "method", method, DRAW_METHODS)
    block = np.asarray(values, dtype=np.float64)
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64))

    def fits(_w: object) -> bool:
        return (
            w.ndim == 2
            and block.ndim == 2
            and w.shape[1] == block.shape[1]
            and bool(np.isfinite(w).all() and (w >= 0).all())
        )

    check_param("weights", weights, [described("stack_weights_expected", fits)], func=func)
    present = ~np.isnan(block)
    positive_only = method in ("gmean", "hmean")
    if positive_only:
        bad = present & (block <= 0)
        if bad.any():
            kids: list[Hashable] = list(range(block.shape[1]))
            raise ConfigError(_domain_message(method, None, block, bad, kids, positive_only))
    n_draws = w.shape[0]
    den = w @ present.T.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "amean":
            val = w @ np.where(present, block, 0.0).T / den
        elif method == "gmean":
            val = np.exp(w @ np.where(present, np.log(np.where(present, block, 1.0)), 0.0).T / den)
        elif method == "hmean":
            val = den / (w @ np.where(present, 1.0 / np.where(present, block, 1.0), 0.0).T)
        elif method == "median":  # the median is unweighted (COINr's a_median)
            val = np.broadcast_to(np.nanmedian(block, axis=1), (n_draws, len(block)))
        else:  # pragma: no cover - check_option admits DRAW_METHODS only
            msg = f"{func}: no rule for method {method!r}."
            raise ConfigError(msg)
    return np.where(den > 0, val, np.nan)
