"""Site-visit candidates per category, with every reason that applies (METHODS.md §5).

Per category, with the edition's capacity k:

1. **clear** — the entry's 95th-percentile rank is ≤ k: it stays among the first k under almost every
   combination of assumptions;
2. **borderline** — not clear, but P(rank ≤ k) reaches the lower edge of the borderline band (default
   0.2–0.8); inside the band the reason is ``BORDERLINE``, above it ``LIKELY``;
3. **verify** — neither, but a plausibility check asks for its claims to be verified;
4. **out** — none of these.

Plausibility checks (each a reason code, several per entry where they apply): counts that contradict each
other (the intake's cross-field checks), measures claimed without any option ticked, a multivariate outlier
within the category (isolation forest on the indicators), and legal baselines not evident.

The visit list fills each category's capacity in a stated priority order: clear entries by nominal rank,
then borderline entries by P(rank ≤ k), then any free place by P(rank ≤ k) and nominal rank. Entries that
tie exactly at the cut are resolved by the edition's tie rule and the resolution is shown.

Everything here works on pseudonyms (``entry_id``): names are joined only after the rule and the list have
been frozen and hashed (:func:`~vielfalt.selection.freeze.freeze`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from vielfalt._params import Options, check_param
from vielfalt.columns import CATEGORY
from vielfalt.config.edition import SelectionSettings
from vielfalt.i18n import t
from vielfalt.selection.reasons import (
    BORDERLINE,
    CLEAR,
    OUT,
    STATUS_ORDER,
    TIE_RULES,
    VERIFY,
    VERIFY_CODES,
    reason_text,
    tie_rule_text,
)

if TYPE_CHECKING:
    from vielfalt.config.questionnaire import Questionnaire

__all__ = [
    "claims_without_measures",
    "inconsistent_counts",
    "outliers_within_category",
    "plausibility_flags",
    "select_site_visits",
]


# --------------------------------------------------------------------------------------------------------
# plausibility checks


def inconsistent_counts(failures: pd.DataFrame, accepted: pd.Index) -> pd.Series:
    """Entries whose accepted answers failed a cross-field count check (``le``, ``sum_eq``) as a warning.

    Parameters
    ----------
    failures : DataFrame or None
        The intake's failure table (``intake/failures``).
    accepted : Index
        The accepted entry ids.

    Returns
    -------
    Series
        By ``entry_id``: the items concerned (e.g. ``"Q10"``), empty string when none.
    """
    out = pd.Series("", index=accepted, dtype=object)
    if failures is None or not len(failures):
        return out
    f = failures[failures["check"].astype(str).str.startswith("check_") & failures["entry_id"].isin(accepted)]
    for eid, part in f.groupby("entry_id", sort=True):
        out[eid] = ", ".join(sorted(set(part["item"].astype(str))))
    return out


def claims_without_measures(entries: pd.DataFrame, q: Questionnaire, lang: str = "de") -> pd.Series:
    """Fields of action where a measure is described under "other" but no option is ticked.

    Also flags effects claimed in the questionnaire's ``effects`` item (its role) by an entry that ticked no
    measure in any field of action; without that role the second check is off.

    Parameters
    ----------
    entries : DataFrame
        The accepted entries on pseudonyms.
    q : Questionnaire
        Gives the fields of action (multiple-choice items with a ``field``) and the ``effects`` role.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    Series
        By ``entry_id``: the fields (and the effects item) concerned, empty string when none.
    """
    out = pd.Series("", index=entries.index, dtype=object)
    found: dict[Any, list[str]] = {eid: [] for eid in entries.index}
    any_measure = pd.Series(False, index=entries.index)
    field_sections = []
    for section, item in q.iter_items():
        if item.type != "multi" or not getattr(item, "field", None):
            continue
        field_sections.append(section)
        cols = [f"{item.id}[{o.code}]" for o in item.options or [] if f"{item.id}[{o.code}]" in entries]
        ticked = entries[cols].eq(True).any(axis=1) if cols else pd.Series(False, entries.index)
        any_measure |= ticked
        other = f"{item.id}[other]"
        if other in entries:
            text = entries[other].fillna("").astype(str).str.strip()
            for eid in entries.index[(text != "") & ~ticked]:
                found[eid].append(f"{item.id} {item.label.get(lang)}")
    effects = [c for c in q.role_columns("effects") if c in entries]
    if effects and q.roles.effects:
        claimed = entries[effects].eq(True).any(axis=1)
        measures = (
            q.section(q.roles.measures_section)
            if q.roles.measures_section
            else (field_sections[0] if field_sections else None)
        )
        what = t(
            "selection.effects_without_measure",
            lang,
            item=q.roles.effects,
            section=measures.id if measures else "–",
            label=measures.label.get(lang) if measures else "–",
        )
        for eid in entries.index[claimed & ~any_measure]:
            found[eid].append(what)
    for eid, parts in found.items():
        out[eid] = "; ".join(parts)
    return out


def outliers_within_category(
    indicators: pd.DataFrame,
    category: pd.Series,
    *,
    seed: int,
    min_entries: int = 5,
    contamination: str | float = "auto",
) -> pd.DataFrame:
    """Isolation-forest outliers of the indicator profile, fitted separately inside each category.

    Liu, Ting & Zhou (2008), "Isolation Forest", as ``sklearn.ensemble.IsolationForest`` (seeded). Missing
    indicators (not expected for the category) are filled with the category's column mean, or 0 when the
    whole column is missing. Categories with fewer than `min_entries` entries are not checked (an isolation
    forest on three points says nothing) and get ``checked = False``.

    Parameters
    ----------
    indicators : DataFrame
        Indicator profile (0–1) by ``entry_id``.
    category : Series
        Category per ``entry_id``.
    seed : int
        ``random_state`` of the forest.
    min_entries : int, default 5
        Smallest category that is checked.
    contamination : "auto" or float, default "auto"
        As in scikit-learn.

    Returns
    -------
    DataFrame
        By ``entry_id``: ``checked`` (bool), ``outlier`` (bool) and ``score`` (sklearn's
        ``score_samples``, lower = more anomalous; NaN when not checked).
    """
    from sklearn.ensemble import IsolationForest

    out = pd.DataFrame({"checked": False, "outlier": False, "score": np.nan}, index=indicators.index)
    for _, block in indicators.groupby(category.reindex(indicators.index), sort=True):
        if len(block) < min_entries:
            continue
        x = block.apply(lambda col: col.fillna(col.mean())).fillna(0.0).to_numpy(np.float64)
        forest = IsolationForest(n_estimators=200, contamination=contamination, random_state=seed)
        labels = forest.fit_predict(x)
        out.loc[block.index, "checked"] = True
        out.loc[block.index, "outlier"] = labels == -1
        out.loc[block.index, "score"] = forest.score_samples(x)
    return out


def plausibility_flags(
    entries: pd.DataFrame,
    q: Questionnaire,
    *,
    indicators: pd.DataFrame,
    flags: pd.DataFrame,
    failures: pd.DataFrame | None,
    settings: SelectionSettings,
    seed: int,
    lang: str = "de",
) -> pd.DataFrame:
    """Every plausibility check per entry: one column per verification code, the detail as text.

    Parameters
    ----------
    entries : DataFrame
        The accepted entries on pseudonyms (no names, no contact data).
    q : Questionnaire
    indicators, flags : DataFrame
        From the scoring stage (``scoring/indicators``, ``scoring/flags``).
    failures : DataFrame or None
        The intake's failure table.
    settings : SelectionSettings
        The outlier method and its parameters.
    seed : int
        Seeds the isolation forest.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    DataFrame
        By ``entry_id``: ``INCONSISTENT_COUNTS``, ``CLAIM_WITHOUT_MEASURE``, ``OUTLIER``, ``LEGAL_GAP`` (str,
        empty when the check passed) and ``outlier_score``.
    """
    idx = entries.index
    out = pd.DataFrame(index=idx)
    out["INCONSISTENT_COUNTS"] = inconsistent_counts(failures, idx)
    out["CLAIM_WITHOUT_MEASURE"] = claims_without_measures(entries, q, lang)
    out["OUTLIER"] = ""
    out["outlier_score"] = np.nan
    if settings.outliers.method == "isolation_forest":
        o = outliers_within_category(
            indicators.reindex(idx),
            entries[CATEGORY],
            seed=seed,
            min_entries=settings.outliers.min_entries,
            contamination=settings.outliers.contamination,
        )
        out["outlier_score"] = o["score"]
        out.loc[o["outlier"], "OUTLIER"] = "x"
    gaps = pd.Series("", index=idx, dtype=object)
    legal = [c for c in flags.columns if c.startswith("legal_gap:") or c == "sgb9_quota"]
    for eid in idx:
        hit = [c for c in legal if bool(flags.at[eid, c])] if eid in flags.index else []
        gaps[eid] = ", ".join(_legal_label(c, q, lang) for c in hit)
    out["LEGAL_GAP"] = gaps
    return out


def _legal_label(flag: str, q: Questionnaire, lang: str) -> str:
    """The legal duty behind a scoring flag, as evaluators read it (``Q8: complaints office``)."""
    if flag == "sgb9_quota":
        return t("selection.legal_sgb9_quota", lang)
    _, item_id, code = flag.split(":", 2)
    try:
        item = q.item(item_id)
        label = next(o.label.get(lang) for o in item.options or [] if o.code == code)
    except (KeyError, StopIteration, AttributeError):
        label = code
    return f"{item_id}: {label}"


# --------------------------------------------------------------------------------------------------------
# the selection


def _order_key(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": frame["status"].map(STATUS_ORDER).where(frame["status"] != VERIFY, STATUS_ORDER[OUT]),
            "p": -frame["P_topk"].round(12),
            "nominal": frame["Nominal"],
        },
        index=frame.index,
    )


def select_site_visits(
    rank_stats: pd.DataFrame,
    totals: pd.Series,
    plausibility: pd.DataFrame,
    *,
    capacity: Mapping[str, int],
    settings: SelectionSettings,
    tie_rule: str = "higher_score",
    lang: str = "de",
) -> pd.DataFrame:
    """Classify every entry and fill each category's visit places, with every reason that applies.

    Parameters
    ----------
    rank_stats : DataFrame
        From the robustness stage, by ``entry_id``: ``category``, ``Nominal``, ``Median``, ``Q5``, ``Q95``,
        ``P_topk``, ``k``.
    totals : Series
        Nominal total score (0–100) by ``entry_id``; used by the tie rule ``higher_score``.
    plausibility : DataFrame
        From :func:`plausibility_flags`.
    capacity : mapping
        Visit places per category (a category without an entry has k = the ``k`` column of rank_stats).
    settings : SelectionSettings
    tie_rule : {"higher_score", "no_award", "chair_decides"}
    lang : {"de", "en"}

    Returns
    -------
    DataFrame
        By ``entry_id`` (sorted by category and priority): ``category``, ``total``, ``Nominal``, ``Median``,
        ``Q5``, ``Q95``, ``P_topk``, ``k``, ``status``, ``selected`` (bool), ``priority`` (Int64, 1 = first
        within the category, NA when not selected), ``reasons`` (comma-separated codes) and ``reason_text``.

    Examples
    --------
    >>> rs = pd.DataFrame({"category": ["a", "a", "a"], "Nominal": [1.0, 2.0, 3.0], "Median": [1.0, 2.0, 3.0],
    ...     "Q5": [1.0, 1.0, 2.0], "Q95": [1.0, 3.0, 3.0], "P_topk": [1.0, 0.5, 0.1], "k": [1, 1, 1]},
    ...     index=pd.Index(["x", "y", "z"], name="entry_id"))
    >>> plaus = pd.DataFrame({c: "" for c in VERIFY_CODES}, index=rs.index)
    >>> out = select_site_visits(rs, pd.Series([70.0, 60.0, 50.0], index=rs.index), plaus,
    ...     capacity={"a": 1}, settings=SelectionSettings())
    >>> out["status"].tolist(), out["selected"].tolist()
    (['clear', 'borderline', 'out'], [True, False, False])
    >>> out["reasons"].tolist()
    ['CLEAR', 'BORDERLINE,CAPACITY', '']
    """
    check_param("tie_rule", tie_rule, [Options(TIE_RULES)], func="select_site_visits", lang=lang)
    lo, hi = settings.borderline
    frame = rank_stats.copy()
    frame["total"] = totals.reindex(frame.index).astype(float)
    frame["k"] = [int(capacity.get(str(c), k)) for c, k in zip(frame[CATEGORY], frame["k"], strict=True)]
    sizes = frame[CATEGORY].map(frame[CATEGORY].value_counts())
    reasons: dict[Any, list[str]] = {eid: [] for eid in frame.index}
    texts: dict[Any, list[str]] = {eid: [] for eid in frame.index}

    def add(eid: Any, code: str, **fields: Any) -> None:
        reasons[eid].append(code)
        texts[eid].append(reason_text(code, lang, **fields))

    status = pd.Series(OUT, index=frame.index, dtype=object)
    for eid, r in frame.iterrows():
        k, p, q95 = int(r["k"]), float(r["P_topk"]), float(r["Q95"])
        if sizes[eid] <= k:
            status[eid] = CLEAR
            add(eid, "ALL_IN", n=int(sizes[eid]), k=k)
        elif q95 <= k:
            status[eid] = CLEAR
            add(eid, "CLEAR", q95=q95, k=k)
        elif p >= lo:
            status[eid] = BORDERLINE
            add(eid, "BORDERLINE" if p <= hi else "LIKELY", p=p, k=k, lo=lo, hi=hi, q95=q95)
    for code in VERIFY_CODES:
        col = plausibility.reindex(frame.index)[code].fillna("").astype(str)
        for eid in frame.index[col != ""]:
            if code == "OUTLIER":
                add(eid, code, score=float(plausibility.at[eid, "outlier_score"]))
            else:
                add(eid, code, what=col[eid])
            if status[eid] == OUT:
                status[eid] = VERIFY
    frame["status"] = status

    selected = pd.Series(False, index=frame.index)
    priority = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    for _, block in frame.groupby(CATEGORY, sort=True):
        k = int(block["k"].iloc[0])
        key = _order_key(block)
        order = key.sort_values(["group", "p", "nominal"], kind="mergesort").index
        chosen, tie_note = _cut(block, key, list(order), k, tie_rule, lang)
        for pos, eid in enumerate(chosen, start=1):
            selected[eid] = True
            priority[eid] = pos
            if block.at[eid, "status"] in (VERIFY, OUT):
                add(eid, "FILL", k=k)
        for eid, note in tie_note.items():
            reasons[eid].append("TIE_AT_CUT")
            texts[eid].append(note)
        for eid in order:
            if not selected[eid] and eid not in tie_note and block.at[eid, "status"] in (CLEAR, BORDERLINE):
                add(eid, "CAPACITY", k=k)
    frame["selected"] = selected
    frame["priority"] = priority
    frame["reasons"] = [",".join(reasons[e]) for e in frame.index]
    frame["reason_text"] = ["; ".join(texts[e]) for e in frame.index]
    cols = [CATEGORY, "total", "Nominal", "Median", "Q5", "Q95", "P_topk", "k", "status", "selected",
            "priority", "reasons", "reason_text"]  # fmt: skip
    frame = frame[cols]
    frame["_p"] = frame["priority"].fillna(10**9)
    frame["_s"] = frame["status"].map(STATUS_ORDER)
    frame = frame.sort_values([CATEGORY, "_p", "_s", "Nominal"], kind="mergesort").drop(columns=["_p", "_s"])
    return frame


def _cut(
    block: pd.DataFrame, key: pd.DataFrame, order: list[Any], k: int, tie_rule: str, lang: str
) -> tuple[list[Any], dict[Any, str]]:
    """The first k of `order`, with ties across the cut resolved by the tie rule; notes for the tied."""
    if len(order) <= k:
        return order, {}
    ktuple = [tuple(key.loc[e]) for e in order]
    boundary = ktuple[k - 1]
    if ktuple[k] != boundary:
        return order[:k], {}
    tied = [e for e, t in zip(order, ktuple, strict=True) if t == boundary]
    before = [e for e, t in zip(order[:k], ktuple[:k], strict=True) if t != boundary]
    free = k - len(before)
    notes: dict[Any, str] = {}

    def note(eid: Any, how: str) -> str:
        others = ", ".join(str(o) for o in tied if o != eid)
        rule = tie_rule_text(tie_rule, lang, how=how)
        return reason_text("TIE_AT_CUT", lang, others=others, rule=rule)

    if tie_rule == "higher_score":
        by_score = sorted(tied, key=lambda e: (-block.at[e, "total"], str(e)))
        scores = [block.at[e, "total"] for e in by_score]
        cutoff = scores[free - 1]
        winners = [e for e in by_score if block.at[e, "total"] > cutoff]
        at_cut = [e for e in by_score if block.at[e, "total"] == cutoff]
        if len(winners) + len(at_cut) <= free or len(at_cut) == 1:
            winners = by_score[:free]
            how = t("selection.tie_higher_total", lang)
        else:
            winners += at_cut  # same score too: all are visited, the capacity is exceeded and said so
            how = t("selection.tie_equal_totals", lang, n=len(winners) - free)
        for e in tied:
            notes[e] = note(e, how)
        return before + winners, notes
    for e in tied:
        notes[e] = note(e, "")
    return before, notes
