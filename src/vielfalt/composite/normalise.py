"""Normalisation: bring indicators onto a common scale, optionally inside each group.

COINr's ``Normalise`` step (``n_minmax``, ``n_zscore``, ``n_goalposts``, ``n_dist2targ``, ``n_rank``,
``n_prank``, ``n_borda``; JRC/OECD Handbook 2008, step 5).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from vielfalt._params import check_param
from vielfalt.composite._checks import (
    as_float_frame,
    check_option,
    check_real,
    describe_cases,
    described,
    directions_of,
    group_codes,
    message,
    per_column,
    verb,
)
from vielfalt.exceptions import ConfigError, VielfaltWarning

__all__ = ["NORMALISE_METHODS", "normalise"]

#: The normalisation methods of :func:`normalise`.
NORMALISE_METHODS = ("minmax", "zscore", "goalposts", "dist2targ", "rank", "prank", "borda")

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
    method = check_option(func, "method", method, NORMALISE_METHODS)
    para = _check_normalise_params(method, params)
    x = as_float_frame(df, func)
    cols = x.columns
    dirs = directions_of(directions, cols, func)
    if within is None:
        codes, uniques = np.zeros(len(x), dtype=np.intp), np.array([None], dtype=object)
    else:
        codes, uniques = group_codes(within, x.index, func, "within")

    # the data-dependent methods need the spread of each column within each group
    xd = x * dirs
    grouped = xd.groupby(codes)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "minmax":
            lo = check_real(func, "lower", lower)
            hi = check_real(func, "upper", upper)
            if not lo < hi:
                check_param(
                    "upper", upper, [described("upper_expected", lambda _u: False, lower=lo)], func=func
                )
            mn, mx = grouped.transform("min"), grouped.transform("max")
            flat = mx == mn
            out = (xd - mn) / (mx - mn) * (hi - lo) + lo
            out = out.mask(flat & xd.notna(), (lo + hi) / 2)
            result_note = message("constant_midpoint", midpoint=(lo + hi) / 2, lower=lo, upper=hi)
        elif method == "zscore":
            m = check_real(func, "mean", para["mean"])
            s = check_real(func, "sd", para["sd"], low=0, strict=True)
            mean, sd = grouped.transform("mean"), grouped.transform("std")  # std: n − 1, as R's sd()
            mn, mx = grouped.transform("min"), grouped.transform("max")
            flat = mx == mn
            out = ((xd - mean) / sd * s + m).mask(flat & xd.notna(), m)
            result_note = message("constant_mean", mean=m)
        elif method == "goalposts":
            if para["lo"] is None or para["hi"] is None:
                msg = (
                    "normalise(method='goalposts') needs the keywords lo and hi (a number or one per column)."
                )
                raise ConfigError(msg)
            gl = per_column(para["lo"], cols, func, "lo")
            gh = per_column(para["hi"], cols, func, "hi")
            if not (gl < gh).all():
                bad = [str(c) for c, a, b in zip(cols, gl, gh, strict=True) if not a < b]
                msg = f"normalise(method='goalposts'): lo must be below hi for every column; not for {bad}."
                raise ConfigError(msg)
            scale = check_real(func, "scale", para["scale"], low=0, strict=True)
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
            targ = per_column(para["targets"], cols, func, "targets")
            scale = check_real(func, "scale", para["scale"], low=0, strict=True)
            cap = para["cap_max"]
            boolean = described("cap_max_expected", lambda c: isinstance(c, bool | np.bool_))
            check_param("cap_max", cap, [boolean], func=func)
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
            for mask, key in ((wrong, "dist2targ_wrong"), (at_target, "dist2targ_at")):
                if mask.to_numpy().any():
                    cases = [
                        (c, uniques[g] if within is not None else None)
                        for c in cols[mask.any().to_numpy()]
                        for g in np.unique(codes[mask[c].to_numpy()])
                    ]
                    text = message(key, cases=describe_cases(cases), scale=scale)
                    warnings.warn(text, VielfaltWarning, stacklevel=2)
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
            result_note = message("constant_rank")

    if flat is not None:
        flat = flat & x.notna()
        if flat.to_numpy().any():
            cases = [
                (c, uniques[g] if within is not None else None)
                for c in cols[flat.any().to_numpy()]
                for g in np.unique(codes[flat[c].to_numpy()])
            ]
            text = message(
                "constant",
                method=method,
                cases=describe_cases(cases),
                verb=verb("has", len(cases)),
                result=result_note,
            )
            warnings.warn(text, VielfaltWarning, stacklevel=2)
    out = out.astype("float64")
    out.index, out.columns = x.index, cols
    return out
