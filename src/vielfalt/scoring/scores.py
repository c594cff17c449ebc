"""Scores of one edition: indicators from the instrument's rules, then the composite engine, by category.

Item scores come from :mod:`vielfalt.scoring.items`; text scores from :mod:`vielfalt.ratings.reliability`
under the edition's rater model. The edition's ``scoring`` settings choose imputation, normalisation,
aggregation and the missing-answer rule, so a researcher changes the method in YAML, not in code. Ranks are
always within the size category; each category is aggregated with its own weights
(:func:`vielfalt.composite.aggregate_by_group`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vielfalt import composite
from vielfalt.columns import CATEGORY
from vielfalt.config.edition import ScoringSettings
from vielfalt.config.questionnaire import Questionnaire
from vielfalt.exceptions import DataError
from vielfalt.i18n import t
from vielfalt.scoring.items import TOTAL, ItemScores, score_items

__all__ = [
    "ScoreResult",
    "category_weights",
    "cronbach_alpha",
    "item_analysis",
    "normalised_weights",
    "prepare_indicators",
    "score_entries",
    "score_scale",
    "section_weights",
    "top_contributors",
]

#: aggregation methods defined for positive values only (indicators are rescaled to [1, 100] for them)
POSITIVE_ONLY = ("gmean", "hmean")


@dataclass
class ScoreResult:
    """Scores, ranks and contributions of every accepted entry.

    Attributes
    ----------
    items : ItemScores
        Raw indicators (0–1), hierarchy and weights from the instrument's rules.
    indicators : DataFrame
        Indicators after the missing-answer rule, imputation and normalisation (what was aggregated).
    scores : DataFrame
        Entry × (sections …, ``total``) on 0–100 (with the nominal settings), plus ``category``.
    ranks : DataFrame
        Entry × (sections …, ``total``): rank within the category (1 = best; ties share the lowest rank).
    contributions : DataFrame
        Entry × leaf indicator: points of the total each indicator carried (arithmetic mean only; they
        add up to the total), NaN for other aggregation methods.
    settings : ScoringSettings
        The settings the scores were computed with.
    """

    items: ItemScores
    indicators: pd.DataFrame
    scores: pd.DataFrame
    ranks: pd.DataFrame
    contributions: pd.DataFrame
    settings: ScoringSettings


def _sections(parents: dict[str, str | None]) -> list[str]:
    return [c for c, p in parents.items() if p == TOTAL]


def score_entries(
    entries: pd.DataFrame,
    q: Questionnaire,
    settings: ScoringSettings | None = None,
    *,
    text_scores: pd.DataFrame | None = None,
    lang: str = "de",
) -> ScoreResult:
    """Score accepted entries: items → indicators → sections → total, ranked within each category.

    Parameters
    ----------
    entries : DataFrame
        Accepted entries from the intake (indexed by ``entry_id``, with ``category``).
    q : Questionnaire
    settings : ScoringSettings, optional
        The edition's ``scoring`` block (defaults = the nominal method).
    text_scores : DataFrame, optional
        Entries × rated items, rating on 0–4 (already adjusted for rater effects).
    lang : {"de", "en"}, default "de"
        Language of the error messages.

    Returns
    -------
    ScoreResult
    """
    settings = settings or ScoringSettings()
    if len(entries) == 0:
        msg = t("scoring.no_entries", lang)
        raise DataError(msg)
    its = score_items(entries, q, rubric=text_scores, missing=settings.missing_answers, lang=lang)
    cat = entries[CATEGORY].reindex(its.indicators.index)
    ind = prepare_indicators(its, cat, q, settings)
    agg_all = composite.aggregate_by_group(
        ind, its.parents, groups=cat, weights=category_weights(its), method=settings.aggregation
    )
    levels = [*_sections(its.parents), TOTAL]
    scores = agg_all[levels] * score_scale(settings)
    ranks = composite.rank(scores, groups=cat)
    contributions = (
        _contributions(ind, its, cat, score_scale(settings))
        if settings.aggregation == "amean"
        else pd.DataFrame(np.nan, index=ind.index, columns=ind.columns)
    )
    scores = scores.assign(**{CATEGORY: cat})
    return ScoreResult(
        items=its, indicators=ind, scores=scores, ranks=ranks, contributions=contributions, settings=settings
    )


def score_scale(settings: ScoringSettings) -> float:
    """Factor that puts the aggregate on the 0–100 scale of the report.

    Indicators on [0, 1] (no normalisation or min–max) give totals × 100; the geometric and harmonic means
    run on indicators rescaled to [1, 100] (see :func:`prepare_indicators`), which are already on that
    scale; other normalisations (z-scores, ranks) keep their own scale.

    Parameters
    ----------
    settings : ScoringSettings
        The scoring settings (normalisation and aggregation matter).

    Returns
    -------
    float
        100.0 or 1.0.
    """
    if settings.aggregation in POSITIVE_ONLY:
        return 1.0
    return 100.0 if settings.normalisation in ("none", "minmax") else 1.0


def prepare_indicators(
    its: ItemScores, cat: pd.Series, q: Questionnaire, settings: ScoringSettings
) -> pd.DataFrame:
    """Indicators as they are aggregated: imputation, then normalisation, under the edition's settings.

    Indicators that are NaN because the item is not expected for the category stay NaN through imputation
    and normalisation, so their weight is spread over the rest of the section (METHODS.md §1). For the
    geometric and harmonic means, which are defined for positive values only, the indicators are rescaled
    to [1, 100] as the JRC/OECD Handbook (2008, step 6) and COINr recommend: ``1 + 99·x`` for indicators
    on [0, 1], a min–max rescaling to [1, 100] (within the category when normalising within) otherwise.

    Parameters
    ----------
    its : ItemScores
        The raw indicators and their hierarchy.
    cat : Series
        Category per entry, aligned to ``its.indicators``.
    q : Questionnaire
        The instrument (which items are not expected for which category).
    settings : ScoringSettings
        Imputation, normalisation (and whether within the category) and aggregation.

    Returns
    -------
    DataFrame
        Entries × indicators as they are aggregated.
    """
    ind = its.indicators.copy()
    not_expected = ind.isna() & _not_expected_mask(ind, cat, q)
    within = cat if settings.normalise_within == "category" else None
    if settings.imputation != "none":
        groups = cat if settings.imputation.startswith("group_") else None
        ind = composite.impute(ind, method=settings.imputation, groups=groups).mask(not_expected)
    if settings.normalisation != "none":
        kw = {"lower": 0, "upper": 1} if settings.normalisation == "minmax" else {}
        ind = composite.normalise(ind, method=settings.normalisation, within=within, **kw)
        ind = ind.mask(not_expected)
    if settings.aggregation in POSITIVE_ONLY:
        if settings.normalisation in ("none", "minmax"):
            ind = 1.0 + 99.0 * ind
        else:
            ind = composite.normalise(ind, method="minmax", within=within, lower=1, upper=100)
            ind = ind.mask(not_expected)
    return ind


def normalised_weights(weights: Mapping[str, float], parents: Mapping[str, str | None]) -> dict[str, float]:
    """Rescale weights to sum to 1 within each parent: the one weight normalisation of the scoring.

    The instrument states section points out of 100 and item weights of any scale on purpose; rescaling
    here keeps the composite engine's warning for weights that do not sum to 1 for genuinely inconsistent
    input.

    Parameters
    ----------
    weights : mapping
        Code → weight; a code not named weighs 1 (as in :func:`vielfalt.composite.aggregate`).
    parents : mapping
        Code → parent code (None at the top), the hierarchy of :class:`~vielfalt.scoring.items.ItemScores`.

    Returns
    -------
    dict
        Every code with a parent → its weight divided by the sum over its siblings (0 when that sum is 0),
        in the order of `parents`.

    Examples
    --------
    >>> normalised_weights({"Q1": 1, "Q2": 3, "S": 40}, {"Q1": "S", "Q2": "S", "S": "total", "total": None})
    {'Q1': 0.25, 'Q2': 0.75, 'S': 1.0}
    """
    sums: dict[str | None, float] = {}
    for k, p in parents.items():
        if p is not None:
            sums[p] = sums.get(p, 0.0) + weights.get(k, 1.0)
    return {
        k: (weights.get(k, 1.0) / sums[p] if sums.get(p) else 0.0)
        for k, p in parents.items()
        if p is not None
    }


def category_weights(its: ItemScores) -> dict[str, dict[str, float]]:
    """Every category's weights rescaled within each parent: what :func:`score_entries` aggregates with.

    Parameters
    ----------
    its : ItemScores
        Indicators, hierarchy and per-category weights from :func:`~vielfalt.scoring.items.score_items`.

    Returns
    -------
    dict
        Category → {code: weight}, as :func:`vielfalt.composite.aggregate_by_group` takes them.
    """
    return {c: normalised_weights(w, its.parents) for c, w in its.weights.items()}


def section_weights(
    weights: Mapping[str, Mapping[str, float]] | pd.DataFrame, category: str, sections: Sequence[str]
) -> dict[str, float]:
    """One category's section weights, rescaled to sum to 1: the weights of the total.

    Parameters
    ----------
    weights : mapping or DataFrame
        The weights of every category: :attr:`ItemScores.weights` (category → {code: weight}) or the
        ``scoring/weights`` artefact (column ``code`` and one column per category).
    category : str
        The category.
    sections : sequence of str
        The section codes, in order (e.g. the sections of the scores table).

    Returns
    -------
    dict
        Section → weight / (sum over `sections`); a section without a weight weighs 0, and all weights
        are 0 when they sum to 0.

    Examples
    --------
    >>> section_weights({"klein": {"S1": 30, "S2": 10, "Q1": 1}}, "klein", ["S1", "S2"])
    {'S1': 0.75, 'S2': 0.25}
    """
    if isinstance(weights, pd.DataFrame):
        column = weights.set_index("code")[str(category)]
        raw = {s: float(column.get(s, 0.0)) for s in sections}
    else:
        points = weights[str(category)]
        raw = {s: float(points.get(s, 0.0)) for s in sections}
    return normalised_weights(raw, dict.fromkeys(sections, TOTAL))


def _not_expected_mask(ind: pd.DataFrame, cat: pd.Series, q: Questionnaire) -> pd.DataFrame:
    mask = pd.DataFrame(False, index=ind.index, columns=ind.columns)
    for col in ind.columns:
        if col in q.items:
            mask[col] = cat.isin(q.items[col].not_expected_for).to_numpy()
    return mask


def _contributions(ind: pd.DataFrame, its: ItemScores, cat: pd.Series, scale: float) -> pd.DataFrame:
    """Points of the total carried by each indicator under the weighted arithmetic mean.

    total = Σ_S (w_S / Σ w_S) · Σ_i (w_i / Σ w_i) · x_i over the present sections and items, so the
    contribution of item i in section S is that product; they add up to the total exactly.
    """
    out = pd.DataFrame(0.0, index=ind.index, columns=ind.columns)
    sections = _sections(its.parents)
    for c in cat.dropna().unique():
        rows = (cat == c).to_numpy()
        w = its.weights[str(c)]
        x = ind.loc[rows]
        sec_present = {}
        for s in sections:
            kids = [k for k in ind.columns if its.parents.get(k) == s]
            wk = np.array([w.get(k, 1.0) for k in kids])
            present = x[kids].notna().to_numpy()
            denom = (present * wk).sum(axis=1)
            sec_present[s] = (denom, kids, wk, present)
        sw = np.array([w.get(s, 0.0) for s in sections])
        has = np.column_stack([sec_present[s][0] > 0 for s in sections])
        total_w = (has * sw).sum(axis=1)
        for j, s in enumerate(sections):
            denom, kids, wk, present = sec_present[s]
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(has[:, j], sw[j] / total_w, 0.0)
                for k_i, k in enumerate(kids):
                    val = np.where(present[:, k_i], x[k].to_numpy(float) * wk[k_i] / denom, 0.0)
                    out.loc[rows, k] = share * np.nan_to_num(val) * scale
    return out


def top_contributors(contributions: pd.DataFrame, labels: dict[str, str], n: int = 3) -> pd.Series:
    """The `n` indicators that carried each entry's total, as a readable string ("Q1 (21.3); X05 (8.0)").

    Parameters
    ----------
    contributions : DataFrame
        Entries × indicators: points of the total (:attr:`ScoreResult.contributions`).
    labels : dict
        Indicator code → readable label (codes without one are shown as they are).
    n : int, default 3
        How many indicators to name.

    Returns
    -------
    Series
        Per entry the `n` largest positive contributions, ``"label (points)"`` joined by ``"; "``.
    """

    def describe(row: pd.Series) -> str:
        top = row.dropna().sort_values(ascending=False).head(n)
        return "; ".join(f"{labels.get(k, k)} ({v:.1f})" for k, v in top.items() if v > 0)

    return contributions.apply(describe, axis=1)


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's α of a set of items (complete cases): k/(k−1) · (1 − Σ var_i / var_total).

    Sample variances (ddof = 1), as in Cronbach (1951) and SPSS RELIABILITY. NaN for fewer than two items
    or two complete rows, or a constant total.

    Parameters
    ----------
    items : DataFrame
        Persons (rows) × items (columns); rows with a missing value are dropped.

    Returns
    -------
    float

    Examples
    --------
    >>> cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4]}))
    1.0
    """
    x = items.dropna()
    k = x.shape[1]
    if k < 2 or len(x) < 2:
        return float("nan")
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(ddof=1).sum() / total_var))


def item_analysis(result: ScoreResult) -> pd.DataFrame:
    """Item statistics per category: which questions discriminate.

    Per category and indicator: ``n`` (expected and answered), ``mean``, ``sd``, ``floor`` (share at 0),
    ``ceiling`` (share at 1), ``na_share`` (share not expected or not ratable), ``item_total`` (Pearson
    correlation with the total *without* this item's contribution — the corrected item–total correlation),
    and per section ``alpha`` (Cronbach's α of its indicators in that category).

    Parameters
    ----------
    result : ScoreResult
        The scores of an edition.

    Returns
    -------
    DataFrame
        One row per category and indicator: ``category``, ``indicator``, ``section``, ``label``, ``n``,
        ``mean``, ``sd``, ``floor``, ``ceiling``, ``na_share``, ``item_total``, ``section_alpha``.
    """
    its = result.items
    ind = its.indicators
    cat = result.scores[CATEGORY]
    total = result.scores[TOTAL]
    rows = []
    for c in sorted(cat.dropna().unique()):
        m = (cat == c).to_numpy()
        x = ind.loc[m]
        contrib = result.contributions.loc[m]
        alphas = {
            s: cronbach_alpha(x[[k for k in x.columns if its.parents.get(k) == s]])
            for s in _sections(its.parents)
        }
        for k in ind.columns:
            v = x[k]
            rest = total.loc[m] - contrib[k].fillna(0)
            ok = v.notna()
            with np.errstate(invalid="ignore", divide="ignore"):
                r = (
                    float(np.corrcoef(v[ok], rest[ok])[0, 1])
                    if ok.sum() >= 3 and v[ok].std() > 0 and rest[ok].std() > 0
                    else np.nan
                )
            rows.append(
                {
                    CATEGORY: c,
                    "indicator": k,
                    "section": its.parents.get(k),
                    "label": its.labels.get(k, k),
                    "n": int(ok.sum()),
                    "mean": float(v.mean()) if ok.any() else np.nan,
                    "sd": float(v.std(ddof=1)) if ok.sum() > 1 else np.nan,
                    "floor": float((v[ok] == 0).mean()) if ok.any() else np.nan,
                    "ceiling": float((v[ok] == 1).mean()) if ok.any() else np.nan,
                    "na_share": float((~ok).mean()),
                    "item_total": r,
                    "section_alpha": alphas.get(str(its.parents.get(k)), np.nan),
                }
            )
    return pd.DataFrame(rows)
