"""Verification: the site visits' factors applied to the section scores, and the total recomputed.

:func:`apply_verification` multiplies each verified section of a visited entry by the mean verification
factor of its checks (DOMAIN.md §7.4) and recomputes the total from the section scores with the category's
section weights and the edition's aggregation (:func:`section_totals`), so totals before and after the
visit are comparable.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from vielfalt import composite
from vielfalt.columns import CATEGORY, ENTRY_ID
from vielfalt.config.edition import VerificationSettings
from vielfalt.scoring import section_weights

__all__ = ["apply_verification", "section_totals"]


def section_totals(
    sections: pd.DataFrame,
    category: pd.Series,
    weights: pd.DataFrame | Mapping[str, Mapping[str, float]],
    *,
    aggregation: str = "amean",
) -> pd.Series:
    """Total score from section scores with each category's section weights (the scoring's top level).

    The same aggregation as :func:`vielfalt.scoring.scores.score_entries` at its top level (weights
    renormalised over the sections present), so the total of unchanged sections reproduces the scoring
    stage's total.

    Parameters
    ----------
    sections : DataFrame
        Entries × section ids (scores 0–100; NaN = section not scored for the entry).
    category : Series
        Category per entry.
    weights : DataFrame or mapping
        The ``scoring/weights`` artefact, or ``{category: {section: weight}}`` (e.g. a "what if" change).
    aggregation : {"amean", "gmean", "hmean", "median"}, default "amean"
        The edition's ``scoring.aggregation``.

    Returns
    -------
    Series
        Total per entry.

    Examples
    --------
    >>> s = pd.DataFrame({"S1": [50.0], "S2": [100.0]}, index=["e1"])
    >>> section_totals(s, pd.Series(["k"], index=["e1"]), {"k": {"S1": 3, "S2": 1}}).round(2).tolist()
    [62.5]
    """
    secs = list(sections.columns)
    # the one aggregation by group of the composite engine, with the scoring's one section_weights
    # (weights already sum to 1 per category: no second normalisation, which could change the last bit)
    w = {str(c): section_weights(weights, str(c), secs) for c in pd.unique(category.dropna())}
    if not w:
        return pd.Series(np.nan, index=sections.index, dtype=float)
    totals = composite.aggregate_by_group(
        sections, dict.fromkeys(secs, "total"), groups=category, weights=w, method=aggregation
    )
    return totals["total"].rename(None)


def apply_verification(
    scores: pd.DataFrame,
    visits: pd.DataFrame,
    weights: pd.DataFrame | Mapping[str, Mapping[str, float]],
    *,
    settings: VerificationSettings | None = None,
    aggregation: str = "amean",
) -> pd.DataFrame:
    """Scores before and after the site visits.

    Each verified section S of a visited entry becomes ``S · factor_S`` (the mean factor of its checks,
    DOMAIN.md §7.4); the total is recomputed from the section scores with the category's section weights.

    Parameters
    ----------
    scores : DataFrame
        ``scoring/scores``: entries × sections, ``total`` and ``category``.
    visits : DataFrame
        :attr:`SiteVisitResults.visits <vielfalt.jury.visits.SiteVisitResults.visits>` (may be empty).
    weights : DataFrame or mapping
        ``scoring/weights`` or ``{category: {section: weight}}``.
    settings : VerificationSettings, optional
        The verified sections; when it lists none, the sections `visits` carries a ``factor_<S>`` for.
    aggregation : str, default "amean"
        The edition's ``scoring.aggregation``.

    Returns
    -------
    DataFrame
        Index ``entry_id``: ``category``, ``total_pre`` (the scoring total), ``total_post``, ``delta``,
        ``visited`` and per section ``<S>_pre`` / ``<S>_post``, and ``factor_<S>`` for the verified ones.
    """
    settings = settings or VerificationSettings()
    verified = list(settings.sections) or [
        str(c).removeprefix("factor_") for c in visits.columns if str(c).startswith("factor_")
    ]
    secs = [c for c in scores.columns if c not in ("total", CATEGORY)]
    pre = scores[secs].astype(float)
    post = pre.copy()
    factors = pd.DataFrame(1.0, index=scores.index, columns=verified)
    for s in verified:
        col = f"factor_{s}"
        if col in visits.columns:
            f = visits[col].reindex(scores.index).fillna(1.0)
            factors[s] = f
            if s in post.columns:
                post[s] = pre[s] * f
    cat = scores[CATEGORY]
    recomputed_pre = section_totals(pre, cat, weights, aggregation=aggregation)
    recomputed_post = section_totals(post, cat, weights, aggregation=aggregation)
    # delta from one computation on both sides: exactly 0 where nothing changed
    delta = recomputed_post - recomputed_pre
    total_pre = scores["total"].astype(float)
    out = pd.DataFrame(
        {
            CATEGORY: cat,
            "total_pre": total_pre,
            "total_post": total_pre + delta,
            "delta": delta,
            "visited": scores.index.isin(visits.index),
        },
        index=scores.index,
    )
    for s in secs:
        out[f"{s}_pre"] = pre[s]
        out[f"{s}_post"] = post[s]
    for s in verified:
        out[f"factor_{s}"] = factors[s]
    out.index.name = ENTRY_ID
    return out
