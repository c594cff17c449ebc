"""How far the jury followed the recommendation: precision at k and Kendall's τ-b, per category."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from vielfalt.columns import CATEGORY

__all__ = ["agreement", "kendall_tau", "precision_at_k"]


def precision_at_k(ranking: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Share of the first `k` entries of `ranking` that are in `relevant` (NaN for k = 0).

    Parameters
    ----------
    ranking : sequence of str
        Entries, best first.
    relevant : iterable of str
        The entries that count as hits (those awarded).
    k : int
        How many of the first entries to look at.

    Returns
    -------
    float
        Hits among the first `k`, divided by `k`.

    Examples
    --------
    >>> precision_at_k(["a", "b", "c", "d"], {"a", "c"}, 2)
    0.5
    """
    if k <= 0:
        return float("nan")
    top = list(ranking)[:k]
    rel = set(relevant)
    return sum(1 for x in top if x in rel) / k


def kendall_tau(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's τ-b between two scorings (scipy.stats.kendalltau; ties corrected, Kendall 1945).

    τ_b = (C − D) / sqrt((n₀ − n₁)(n₀ − n₂)) with C concordant and D discordant pairs, n₀ = n(n−1)/2 and
    n₁, n₂ the pairs tied in x and in y. NaN for fewer than two values or a constant input.

    Parameters
    ----------
    x, y : sequence of float
        Two scorings of the same entries, in the same order.

    Returns
    -------
    float
        τ-b in [−1, 1], or NaN.

    Examples
    --------
    >>> round(kendall_tau([1, 2, 3], [1, 3, 2]), 3)
    0.333
    """
    from scipy.stats import kendalltau

    xa, ya = np.asarray(x, float), np.asarray(y, float)
    if len(xa) < 2 or np.all(xa == xa[0]) or np.all(ya == ya[0]):
        return float("nan")
    return float(kendalltau(xa, ya).statistic)


def agreement(
    final: pd.DataFrame, awards: pd.DataFrame, *, categories: Sequence[str] | None = None
) -> pd.DataFrame:
    """Agreement between the recommendation and the jury's decision, per category.

    - ``precision_at_k``: k = the number of labels the jury awarded in the category; the share of the k
      entries ranked best by the recommendation (recommended first, then by final total) that were
      awarded (R-precision; NaN when nothing was awarded).
    - ``kendall_tau``: τ-b between the final total and the jury's net votes (yes − no) over the entries
      that received at least one valid vote (NaN for fewer than two or constant values).

    Parameters
    ----------
    final : DataFrame
        ``jury/final_scores``: ``category``, ``total_post``, ``recommended``.
    awards : DataFrame
        :func:`~vielfalt.jury.votes.tally_votes`' awards: ``yes``, ``no``, ``abstain``, ``awarded``.
    categories : sequence of str, optional
        Categories in display order (default: as they appear in `final`).

    Returns
    -------
    DataFrame
        ``category``, ``k``, ``precision_at_k``, ``kendall_tau``, ``n_entries``, ``n_voted``,
        ``n_recommended``, ``n_awarded``, ``n_recommended_awarded``.
    """
    cats = list(categories) if categories is not None else list(pd.unique(final[CATEGORY]))
    rows = []
    for c in cats:
        f = final[final[CATEGORY] == c]
        a = awards.reindex(f.index)
        order = f.assign(_r=f["recommended"].astype(int)).sort_values(
            ["_r", "total_post"], ascending=[False, False], kind="mergesort"
        )
        awarded = set(a.index[a["awarded"].fillna(False).astype(bool)])
        k = len(awarded)
        voted = a[(a[["yes", "no", "abstain"]].sum(axis=1) > 0)]
        tau = (
            kendall_tau(f.loc[voted.index, "total_post"], voted["yes"] - voted["no"])
            if len(voted)
            else float("nan")
        )
        rec = set(f.index[f["recommended"].astype(bool)])
        rows.append(
            {
                CATEGORY: c,
                "k": int(k),
                "precision_at_k": precision_at_k(list(order.index), awarded, k),
                "kendall_tau": tau,
                "n_entries": len(f),
                "n_voted": len(voted),
                "n_recommended": len(rec),
                "n_awarded": k,
                "n_recommended_awarded": len(rec & awarded),
            }
        )
    return pd.DataFrame(rows)
