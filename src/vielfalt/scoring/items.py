"""From questionnaire answers to indicators in [0, 1], with the hierarchy indicator → section → total.

The rule kinds of METHODS.md §1 are implemented here; which item uses which rule, with which caps, points
and exceptions per category, comes only from the questionnaire YAML. Items "not expected" for an entry's
category become NaN, so that aggregation drops them and spreads their weight over the rest of the section
(a 5-person firm is never penalised for lacking a diversity budget). Legal baselines give no points; a
missing baseline raises a flag.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from vielfalt._params import Predicate, check_param
from vielfalt.columns import CATEGORY
from vielfalt.config.questionnaire import Item, Questionnaire, per_category
from vielfalt.exceptions import ConfigError, DataError
from vielfalt.i18n import LANGUAGES, t

__all__ = [
    "FLAG_LABELS",
    "ItemScores",
    "TOTAL",
    "field_scores",
    "sgb9_required",
    "score_items",
]

TOTAL = "total"
BEST_N_SUFFIX = "_bestN"

#: The flags scoring raises (the part of a flag code before the first ``:``) → label per language.
FLAG_LABELS: dict[str, dict[str, str]] = {
    flag: {lang: t(f"scoring.flag_{flag}", lang) for lang in LANGUAGES}
    for flag in ("legal_gap", "sgb9_quota", "unvalidated_other")
}


@dataclass
class ItemScores:
    """Indicators and their hierarchy for one edition.

    Attributes
    ----------
    indicators : DataFrame
        Entries × leaf indicators in [0, 1]; NaN = not expected for the entry's category (or not ratable).
    parents : dict
        Every leaf indicator and section code → its parent (sections → ``total``; ``total`` → None).
    weights : dict
        Category → {code: weight}: item weights within sections and section points within the total.
    fields : DataFrame
        Entries × fields of action (the items scored as ``field``): each field's score min(count, cap)/cap,
        for display.
    flags : DataFrame
        Entries × flag codes (bool), e.g. ``legal_gap:Q8:duty`` (item and option), ``sgb9_quota``.
    labels : dict
        Code → readable label (German), for figures.
    """

    indicators: pd.DataFrame
    parents: dict[str, str | None]
    weights: dict[str, dict[str, float]]
    fields: pd.DataFrame
    flags: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)


def sgb9_required(places: float) -> float:
    """Places an employer must fill with severely disabled people (§ 154 SGB IX, formerly § 71 a.F.).

    Under 20 places: none; 20–39: one; 40–59: two; from 60: 5 % with fractions ≥ 0.5 rounded up
    (DOMAIN.md §4.6). NaN when `places` is missing.

    Parameters
    ----------
    places : float
        The employer's workplaces, counted as SGB IX counts them.

    Returns
    -------
    float
        The required number of places (an int for a number of places, NaN when it is missing).

    Examples
    --------
    >>> [sgb9_required(p) for p in (19, 20, 39, 40, 59, 60, 69, 70)]
    [0, 1, 1, 2, 2, 3, 3, 4]
    """
    if places is None or (isinstance(places, float) and math.isnan(places)):
        return float("nan")
    if places < 20:
        return 0
    if places < 40:
        return 1
    if places < 60:
        return 2
    return math.floor(0.05 * places + 0.5)


def _ticked(entries: pd.DataFrame, item: Item, codes: list[str]) -> np.ndarray:
    """Number of ticked options among `codes` per entry."""
    if not codes:
        return np.zeros(len(entries))
    cols = [f"{item.id}[{c}]" for c in codes]
    return entries[cols].fillna(False).astype(bool).to_numpy().sum(axis=1)


def _counted_options(q: Questionnaire, item: Item) -> list[str]:
    """Options that count: not excluded by the rule, not a legal baseline, not the exclusive "none"."""
    return [
        o.code
        for o in q.options_of(item)
        if o.code not in item.scoring.exclude and not o.baseline and not o.exclusive
    ]


def field_scores(entries: pd.DataFrame, q: Questionnaire, cap: pd.Series) -> pd.DataFrame:
    """Score of each field of action: min(count of measures, cap) / cap, cap by the entry's category.

    "Other" measures and legal baselines do not count (METHODS.md §1; DOMAIN.md §7.3).

    Parameters
    ----------
    entries : DataFrame
        Accepted, typed entries.
    q : Questionnaire
        The instrument; its items scored as ``field`` are the fields of action.
    cap : Series
        The cap per entry (from the entry's category), aligned to `entries`.

    Returns
    -------
    DataFrame
        Entries × field items, scores in [0, 1]; NaN where the cap is 0 (not expected).
    """
    out = {}
    capv = cap.to_numpy(float)
    for _, it in q.iter_items():
        if it.scoring.kind != "field":
            continue
        count = _ticked(entries, it, _counted_options(q, it))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[it.id] = np.where(capv > 0, np.minimum(count, capv) / capv, np.nan)
    return pd.DataFrame(out, index=entries.index)


def _best_n_mean(fields: pd.DataFrame, n: pd.Series) -> np.ndarray:
    """Mean of the n best field scores per row (n per row)."""
    vals = np.sort(np.nan_to_num(fields.to_numpy(float), nan=0.0), axis=1)[:, ::-1]
    nn = np.clip(n.to_numpy(int), 1, vals.shape[1]) if vals.shape[1] else n.to_numpy(int)
    csum = np.cumsum(vals, axis=1)
    return csum[np.arange(len(vals)), nn - 1] / nn


def score_items(
    entries: pd.DataFrame,
    q: Questionnaire,
    *,
    rubric: pd.DataFrame | None = None,
    missing: Literal["zero", "nan"] = "zero",
    categories: list[str] | None = None,
    lang: str = "de",
) -> ItemScores:
    """Turn accepted entries into indicators in [0, 1] following the questionnaire's rules.

    Parameters
    ----------
    entries : DataFrame
        Accepted, typed entries (as intake writes them), indexed by ``entry_id``, with a ``category``.
    q : Questionnaire
        The instrument with its rules.
    rubric : DataFrame, optional
        Entries × rated items (scoring kind ``rubric``): the (adjusted) evaluator rating on the 0–4 scale.
        Without it the rubric indicators are NaN (not yet rated) and their section weight is spread.
    missing : {"zero", "nan"}, default "zero"
        An expected but unanswered scored item counts 0 ("no claim, no points") or NaN (left to
        imputation — one of the assumptions the robustness stage varies).
    categories : list of str, optional
        Categories to produce weights for (default: those present in `entries`).
    lang : {"de", "en"}, default "de"
        Language of the error messages.

    Returns
    -------
    ItemScores

    Notes
    -----
    Rule kinds (METHODS.md §1): ``map`` (option → points, per category), ``yesno``, ``count_capped``
    (min(count, cap)/cap, cap per category, cap 0 = not expected), ``field`` + section ``best_n_fields``
    (mean of the N best fields, each min(count, cap)/cap), ``likert_mean`` (mean rescaled from 1..5 to
    0..1, "cannot judge" ignored), ``rubric`` (rating/4), ``baseline`` (flag only), ``context_only``/``none``.
    """
    rules = ("zero", "nan")
    described = tuple(t("params.one_of", lg, options=", ".join(map(repr, rules))) for lg in LANGUAGES)
    rule = Predicate(lambda m: m in rules, (described[0], described[1]))
    check_param("missing", missing, [rule], func="score_items")
    if CATEGORY not in entries.columns:
        msg = t("scoring.no_category", lang)
        raise DataError(msg)
    cat = entries[CATEGORY].astype(object)
    cats = categories or sorted(set(cat.dropna()))
    idx = entries.index
    ind: dict[str, np.ndarray] = {}
    parents: dict[str, str | None] = {TOTAL: None}
    item_w: dict[str, float] = {}
    labels: dict[str, str] = {TOTAL: t("scoring.total_label", "de")}
    flags: dict[str, np.ndarray] = {}
    fields = pd.DataFrame(index=idx)
    fill = 0.0 if missing == "zero" else np.nan

    def expected_mask(it: Item) -> np.ndarray:
        return ~cat.isin(it.not_expected_for).to_numpy()

    for sec in q.sections:
        if sec.scoring.kind == "none":
            for it in sec.items:  # baselines may sit in unscored sections
                _baseline(it, entries, flags)
            continue
        labels[sec.id] = sec.label.de
        has_leaf = False
        if sec.scoring.kind == "best_n_fields":
            cap = cat.map(lambda c, s=sec: per_category(s.scoring.cap_per_field, c, default=1)).astype(float)
            n = cat.map(lambda c, s=sec: per_category(s.scoring.n_fields, c, default=1)).astype(float)
            fields = field_scores(entries, q, cap)
            code = f"{sec.id}{BEST_N_SUFFIX}"
            ind[code] = (
                _best_n_mean(fields, n.fillna(1)) if len(fields.columns) else np.full(len(idx), np.nan)
            )
            parents[code] = sec.id
            item_w[code] = 1.0
            labels[code] = t("scoring.best_fields", "de", section=sec.label.de)
            has_leaf = True
        for it in sec.items:
            kind = it.scoring.kind
            _baseline(it, entries, flags)
            if it.other and it.type == "multi" and kind in ("field", "count_capped"):
                flags[f"unvalidated_other:{it.id}"] = (
                    entries[f"{it.id}[other]"].fillna("").astype(str).str.strip().ne("").to_numpy()
                )
            if kind in ("none", "context_only", "baseline", "field"):
                continue
            exp = expected_mask(it)
            if kind == "map":
                table = {
                    c: (it.scoring.points or {}).get(c, (it.scoring.points or {}).get("default", {}))
                    for c in set(cat.dropna())
                }
                ans = entries[it.id].astype(object).to_numpy()
                vals = np.array(
                    [
                        fill
                        if a is None or (isinstance(a, float) and math.isnan(a))
                        else table.get(c, {}).get(a, 0.0)
                        for a, c in zip(ans, cat.to_numpy(), strict=True)
                    ],
                    dtype=float,
                )
            elif kind == "yesno":
                ans = entries[it.id].astype(object).to_numpy()
                vals = np.array(
                    [
                        fill
                        if a is None or (isinstance(a, float) and math.isnan(a))
                        else (it.scoring.yes if bool(a) else it.scoring.no)
                        for a in ans
                    ],
                    dtype=float,
                )
            elif kind == "count_capped":
                capc = (
                    cat.map(lambda c, i=it: per_category(i.scoring.cap, c, default=1))
                    .astype(float)
                    .to_numpy()
                )
                count = _ticked(entries, it, _counted_options(q, it))
                with np.errstate(invalid="ignore", divide="ignore"):
                    vals = np.where(capc > 0, np.minimum(count, capc) / capc, np.nan)
            elif kind == "likert_mean":
                opts = [o.code for o in q.options_of(it) if o.code not in it.scoring.not_applicable]
                lo, hi = float(min(opts, key=float)), float(max(opts, key=float))
                cols = [f"{it.id}[{s.code}]" for s in it.subs or []]
                m = (
                    entries[cols]
                    .apply(
                        lambda s, na=it.scoring.not_applicable: pd.to_numeric(
                            s.where(~s.isin(na)), errors="coerce"
                        )
                    )
                    .to_numpy(float)
                )
                with np.errstate(invalid="ignore"):
                    vals = (
                        np.nanmean(np.where(np.isnan(m).all(axis=1, keepdims=True), 0, m), axis=1) - lo
                    ) / (hi - lo)
                vals[np.isnan(m).all(axis=1)] = np.nan  # nothing judged: not scored, weight spread
            elif kind == "rubric":
                if rubric is not None and it.id in rubric.columns:
                    vals = rubric[it.id].reindex(idx).to_numpy(float) / 4.0
                else:
                    vals = np.full(len(idx), np.nan)
            else:  # pragma: no cover - the model restricts kinds
                msg = t("scoring.unknown_rule", lang, kind=kind)
                raise ConfigError(msg)
            vals = np.where(exp, vals, np.nan)
            ind[it.id] = np.clip(vals, 0.0, 1.0)
            parents[it.id] = sec.id
            item_w[it.id] = it.weight
            labels[it.id] = it.label.de
            has_leaf = True
        if has_leaf:
            parents[sec.id] = TOTAL

    weights = {}
    sections = [c for c, p in parents.items() if p == TOTAL]
    for c in cats:
        sw = q.section_weights(c)
        weights[c] = {**item_w, **{s: float(sw.get(s, 0.0)) for s in sections}}
    flag_df = pd.DataFrame(flags, index=idx) if flags else pd.DataFrame(index=idx)
    return ItemScores(
        indicators=pd.DataFrame(ind, index=idx),
        parents=parents,
        weights=weights,
        fields=fields,
        flags=flag_df.astype(bool),
        labels=labels,
    )


def _baseline(it: Item, entries: pd.DataFrame, flags: dict[str, np.ndarray]) -> None:
    """Record legal-baseline flags: a baseline option not ticked, or the SGB IX quota not met."""
    for o in it.options or []:
        if o.baseline:
            flags[f"legal_gap:{it.id}:{o.code}"] = (
                ~entries[f"{it.id}[{o.code}]"].fillna(False).astype(bool).to_numpy()
            )
    if it.scoring.kind == "baseline" and it.scoring.check == "sgb9_quota":
        places = entries[it.scoring.places].to_numpy(float)
        holders = entries[it.scoring.holders].to_numpy(float)
        required = np.array([sgb9_required(p) for p in places], dtype=float)
        flags["sgb9_quota"] = np.isfinite(required) & np.isfinite(holders) & (holders < required)
