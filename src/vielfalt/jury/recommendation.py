"""The recommendation: a label where the final total reaches the threshold and no legal gap is left open.

The jury decides; :func:`recommend` only proposes (DOMAIN.md §7.4). A legal gap flagged at scoring (a missing
legal duty, the SGB IX quota) blocks the recommendation until the site visit reports it resolved.
"""

from __future__ import annotations

import pandas as pd

from vielfalt.columns import CATEGORY
from vielfalt.i18n import t

__all__ = ["legal_gaps", "recommend"]


def legal_gaps(flags: pd.DataFrame) -> pd.Series:
    """Whether each entry has a legal gap flagged at scoring (a missing legal duty, the SGB IX quota).

    Parameters
    ----------
    flags : DataFrame
        ``scoring/flags``: one boolean column per flag (``legal_gap:…``, ``sgb9_quota``, others ignored).

    Returns
    -------
    Series
        Bool per entry.

    Examples
    --------
    >>> f = pd.DataFrame({"legal_gap:Q9:x": [True, False], "other": [True, True]}, index=["e1", "e2"])
    >>> legal_gaps(f).tolist()
    [True, False]
    """
    cols = [c for c in flags.columns if str(c).startswith("legal_gap") or str(c) == "sgb9_quota"]
    if not cols:
        return pd.Series(False, index=flags.index)
    return flags[cols].fillna(False).astype(bool).any(axis=1)


def recommend(
    final: pd.DataFrame,
    *,
    threshold: float,
    flags: pd.DataFrame | None = None,
    legal_resolved: pd.Series | None = None,
    lang: str = "de",
) -> pd.DataFrame:
    """Rank within category by the final total and propose a label (DOMAIN.md §7.4).

    An entry is recommended when ``total_post ≥ threshold`` and it has no unresolved legal gap (a gap
    flagged at scoring counts as resolved when the site visit says ``Pflichten geklärt: ja``).

    Parameters
    ----------
    final : DataFrame
        :func:`~vielfalt.jury.verification.apply_verification`'s result (``category``, ``total_post``).
    threshold : float
        The edition's ``label_threshold``.
    flags : DataFrame, optional
        ``scoring/flags`` (see :func:`legal_gaps`); without it no entry has a legal gap.
    legal_resolved : Series, optional
        Per visited entry whether the legal gaps were resolved on site.
    lang : {"de", "en"}, default "de"
        Language of the ``recommendation`` sentence.

    Returns
    -------
    DataFrame
        `final` with ``rank`` (within category, 1 = best, ties share the lowest), ``legal_gap``,
        ``legal_open``, ``recommended`` (bool) and ``recommendation`` (a sentence).
    """
    out = final.copy()
    out["rank"] = out.groupby(CATEGORY)["total_post"].rank(ascending=False, method="min").astype("Int64")
    gap = (
        legal_gaps(flags).reindex(out.index).fillna(False).astype(bool)
        if flags is not None
        else pd.Series(False, index=out.index)
    )
    resolved = (
        legal_resolved.reindex(out.index).fillna(False).astype(bool)
        if legal_resolved is not None
        else pd.Series(False, index=out.index)
    )
    out["legal_gap"] = gap
    out["legal_open"] = gap & ~resolved
    above = out["total_post"] >= threshold
    out["recommended"] = (above & ~out["legal_open"]).astype(bool)
    shown = f"{threshold:g}"
    out["recommendation"] = [
        t("jury.recommended", lang)
        if a and not open_
        else t("jury.not_recommended_legal" if a else "jury.not_recommended_below", lang, threshold=shown)
        for a, open_ in zip(above, out["legal_open"], strict=True)
    ]
    return out
