"""The scoring assumptions as factors of an uncertainty and sensitivity analysis (METHODS.md §3).

The pure statistics (designs, ranks of many draws, rank statistics, Sobol' indices) live in
:mod:`vielfalt.sensitivity`; this module wires them to the scoring method of an edition. A draw is one value
per factor: section weights with uniform noise of ±f, and one alternative each for the rater-effect model,
the N/A rule (unanswered expected items count 0, or are left out), imputation, normalisation and aggregation.

Vectorised across draws: the discrete factors have few combinations, so the section scores of each
combination that occurs are computed once (with the scoring stage's own functions), and the totals of
all draws sharing it are one matrix product with their weight vectors per category
(:func:`vielfalt.composite.aggregate_draws`) — never a re-run of the pipeline or a notebook per draw.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd

from vielfalt.columns import CATEGORY
from vielfalt.composite import aggregate_by_group, aggregate_draws
from vielfalt.config.edition import MissingRule, RobustnessSettings, ScoringSettings
from vielfalt.config.questionnaire import Questionnaire
from vielfalt.exceptions import DataError, VielfaltWarning
from vielfalt.i18n import t
from vielfalt.scoring import (
    TOTAL,
    ItemScores,
    category_weights,
    prepare_indicators,
    score_items,
    score_scale,
    section_weights,
)
from vielfalt.sensitivity import (
    FACTOR,
    P_TOPK,
    mean_abs_rank_shift,
    perturb_weights,
    pick,
    rank_stats,
    ranks_within_groups,
    saltelli_design,
    sobol_indices,
)

__all__ = [
    "DISCRETE_FACTORS",
    "WEIGHTS",
    "AssumptionModel",
    "UncertaintyResult",
    "all_combinations",
    "factor_label",
    "run_uncertainty",
]

#: The discrete factors, in design-column order after ``weights``.
DISCRETE_FACTORS = ("rater_model", "missing_answers", "imputation", "normalisation", "aggregation")
#: The continuous factor: noise on the section weights.
WEIGHTS = "weights"

#: How many weight vectors the weight factor chooses from (COINr's ``Nrep`` bank of noisy weights).
WEIGHT_BANK = 1000

Progress = Callable[[int, int, str], None]


def factor_label(name: str, lang: str = "de") -> str:
    """The readable name of a factor, from the message catalogue.

    Parameters
    ----------
    name : str
        ``weights`` or one of :data:`DISCRETE_FACTORS`.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    str
        E.g. ``"Normierung"`` / ``"normalisation"``.
    """
    return t(f"robustness.factor_{name}", lang)


@dataclass
class UncertaintyResult:
    """What the robustness analysis found.

    Attributes
    ----------
    rank_stats : DataFrame
        Indexed by ``entry_id``: ``category``, ``Nominal``, ``Mean``, ``Median``, ``Q5``, ``Q95``, ``P_topk``
        and ``k`` (the category's site-visit capacity), ranks within the category.
    sensitivity : DataFrame
        One row per factor: ``factor``, ``label``, ``alternatives``, ``Si``, ``STi``; empty when the
        sensitivity analysis is switched off.
    draws : DataFrame
        The uncertainty draws: one row per draw with the alternative each factor took (weights: the index
        of the weight vector in the bank) and ``mean_abs_shift``.
    ranks : ndarray
        Entries × draws ranks of the uncertainty analysis, rows in the order of ``ranks_index`` (entries
        sorted by category, which keeps each category one block and saves a copy of the largest matrix).
    ranks_index : Index
        The ``entry_id`` of each row of ``ranks``.
    notes : list of str
        What the reader must know (degenerate intervals, factors switched off, …), in the chosen language.
    combinations : int
        How many combinations of the discrete factors' alternatives exist.
    seconds : float
        Wall-clock time of the analysis.
    """

    rank_stats: pd.DataFrame
    sensitivity: pd.DataFrame
    draws: pd.DataFrame
    ranks: np.ndarray
    ranks_index: pd.Index
    notes: list[str] = field(default_factory=list)
    combinations: int = 0
    seconds: float = 0.0


class AssumptionModel:
    """Totals of every entry under any combination of the scoring assumptions.

    Parameters
    ----------
    entries : DataFrame
        Accepted entries (index ``entry_id``, with ``category``).
    q : Questionnaire
    nominal : ScoringSettings
        The edition's scoring block; fixes ``normalise_within``.
    text_scores : Mapping[str, DataFrame], optional
        Rater model → entries × rubric items (0–4). Missing models fall back to no text scores.
    """

    def __init__(
        self,
        entries: pd.DataFrame,
        q: Questionnaire,
        nominal: ScoringSettings,
        *,
        text_scores: Mapping[str, pd.DataFrame] | None = None,
    ) -> None:
        self.entries = entries
        self.q = q
        self.nominal = nominal
        self.text_scores = dict(text_scores or {})
        self.category = entries[CATEGORY]
        self._items: dict[tuple[str, str], ItemScores] = {}
        self._sections: dict[tuple[str, ...], np.ndarray] = {}
        first = self.items(nominal.rater_model, nominal.missing_answers)
        self.sections = [c for c, p in first.parents.items() if p == TOTAL]
        self.categories = sorted(self.category.dropna().astype(str).unique())
        codes = self.category.astype(str).to_numpy()
        # entries sorted by category, so that every category is one contiguous slice of the draw matrices
        self.order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[self.order], self.categories + [chr(0x10FFFF)], side="left")
        self.slices = {c: slice(int(bounds[i]), int(bounds[i + 1])) for i, c in enumerate(self.categories)}
        self.nominal_weights = {
            c: np.array(list(section_weights(first.weights, c, self.sections).values()))
            for c in self.categories
        }

    def items(self, rater_model: str, missing: MissingRule) -> ItemScores:
        """Indicators under a rater model and N/A rule (cached).

        Parameters
        ----------
        rater_model : str
            The rater-effect model whose text scores enter (none when it has none).
        missing : {"zero", "nan"}
            The N/A rule.

        Returns
        -------
        ItemScores
        """
        key = (rater_model, missing)
        if key not in self._items:
            self._items[key] = score_items(
                self.entries, self.q, rubric=self.text_scores.get(rater_model), missing=missing
            )
        return self._items[key]

    def settings(self, combo: Mapping[str, str]) -> ScoringSettings:
        """The scoring settings of one combination of the discrete factors.

        Parameters
        ----------
        combo : mapping
            Factor → alternative, for the factors of :data:`DISCRETE_FACTORS` (others stay nominal).

        Returns
        -------
        ScoringSettings
        """
        return ScoringSettings(**{**self.nominal.model_dump(), **combo})

    def section_scores(self, combo: Mapping[str, str]) -> np.ndarray:
        """Entries × sections scores of one combination (cached), NaN where a section has no indicator.

        Parameters
        ----------
        combo : mapping
            Factor → alternative for every factor of :data:`DISCRETE_FACTORS`.

        Returns
        -------
        ndarray of shape (n_entries, n_sections)
            Rows in the order of ``entries``, columns in the order of ``sections``, on the indicators' scale.
        """
        key = tuple(combo[f] for f in DISCRETE_FACTORS)
        if key not in self._sections:
            settings = self.settings(combo)
            its = self.items(settings.rater_model, settings.missing_answers)
            cat = self.category.reindex(its.indicators.index)
            with warnings.catch_warnings():
                # constant columns under normalisation are reported once by the scoring stage itself
                warnings.simplefilter("ignore", VielfaltWarning)
                ind = prepare_indicators(its, cat, self.q, settings)
                agg = aggregate_by_group(
                    ind, its.parents, groups=cat, weights=category_weights(its), method=settings.aggregation
                )
            self._sections[key] = agg[self.sections].reindex(self.entries.index).to_numpy(np.float64)
        return self._sections[key]

    def totals(self, combo: Mapping[str, str], weights: Mapping[str, np.ndarray]) -> np.ndarray:
        """Entries × draws totals of one combination for a stack of section-weight vectors per category.

        ``weights[c]`` has shape (draws, sections). The aggregation of the combination is applied at the
        total with those weights, as :func:`vielfalt.composite.aggregate` does for one vector: weights
        renormalised over the sections present. Rows are in the order of ``entries``.

        Parameters
        ----------
        combo : mapping
            Factor → alternative for every factor of :data:`DISCRETE_FACTORS`.
        weights : mapping
            Category → section-weight vectors, shape (draws, sections).

        Returns
        -------
        ndarray of shape (n_entries, n_draws)
            Totals on the report's scale (see :func:`vielfalt.scoring.score_scale`).
        """
        out = np.empty((len(self.entries), next(iter(weights.values())).shape[0]))
        out[self.order] = self.totals_sorted(combo, weights).T
        return out

    def totals_sorted(self, combo: Mapping[str, str], weights: Mapping[str, np.ndarray]) -> np.ndarray:
        """Draws × entries totals, entries sorted by category (``self.order``): each category is a slice.

        Parameters
        ----------
        combo : mapping
            Factor → alternative for every factor of :data:`DISCRETE_FACTORS`.
        weights : mapping
            Category → section-weight vectors, shape (draws, sections).

        Returns
        -------
        ndarray of shape (n_draws, n_entries)
            Totals per draw by :func:`vielfalt.composite.aggregate_draws`, entries in ``self.order``.
        """
        s = self.section_scores(combo)[self.order]
        method = combo["aggregation"]
        n_draws = next(iter(weights.values())).shape[0]
        out = np.empty((n_draws, len(s)))
        for c, sl in self.slices.items():
            out[:, sl] = aggregate_draws(s[sl], weights[c], method)
        out *= score_scale(self.settings(combo))
        return out

    def ranks_sorted(self, totals_sorted: np.ndarray) -> np.ndarray:
        """Entries (sorted) × draws ranks within the category, one contiguous block per category.

        Parameters
        ----------
        totals_sorted : ndarray of shape (n_draws, n_entries)
            As returned by :meth:`totals_sorted`.

        Returns
        -------
        ndarray of shape (n_entries, n_draws)
            Ranks within the category (1 = best, ties share the lowest rank), entries in ``self.order``.
        """
        ranks = np.empty((totals_sorted.shape[1], totals_sorted.shape[0]))
        for sl in self.slices.values():
            ranks[sl] = ranks_within_groups(totals_sorted[:, sl].T)
        return ranks


def _alternatives(settings: RobustnessSettings) -> dict[str, list[str]]:
    return {f: list(getattr(settings.factors, f)) for f in DISCRETE_FACTORS}


def _weight_bank(model: AssumptionModel, f: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """WEIGHT_BANK noisy section-weight vectors per category (COINr's ``get_noisy_weights``)."""
    bank = {}
    for c in model.categories:
        w = model.nominal_weights[c]
        u = rng.random((WEIGHT_BANK, w.size))
        bank[c] = perturb_weights(w, f, u) if f > 0 else np.tile(w, (WEIGHT_BANK, 1))
    return bank


def _evaluate(
    model: AssumptionModel,
    design: np.ndarray,
    names: list[str],
    alternatives: dict[str, list[str]],
    bank: dict[str, np.ndarray],
    *,
    progress: Progress | None,
    label: str,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Totals (runs × entries sorted by category) for a design of uniforms (runs × factors), and the factor
    values per run."""
    runs = design.shape[0]
    chosen = {}
    for j, name in enumerate(names):
        if name == WEIGHTS:
            chosen[name] = np.minimum(np.floor(design[:, j] * WEIGHT_BANK).astype(np.int64), WEIGHT_BANK - 1)
        else:
            chosen[name] = np.asarray(pick(design[:, j], alternatives[name]), dtype=object)
    for name in DISCRETE_FACTORS:
        if name not in chosen:  # switched off: the nominal choice in every run
            chosen[name] = np.full(runs, alternatives[name][0], dtype=object)
    if WEIGHTS not in chosen:
        chosen[WEIGHTS] = np.full(runs, -1, dtype=np.int64)
    table = pd.DataFrame(chosen)[[WEIGHTS, *DISCRETE_FACTORS]]
    keys = table[list(DISCRETE_FACTORS)].astype(str).agg("|".join, axis=1)
    totals = np.empty((runs, len(model.entries)))  # runs × entries sorted by category
    groups = list(pd.Series(np.arange(runs)).groupby(keys.to_numpy(), sort=True))
    for i, (_, idx) in enumerate(groups):
        cols = idx.to_numpy()
        combo = {f: str(table.iloc[cols[0]][f]) for f in DISCRETE_FACTORS}
        wi = table[WEIGHTS].to_numpy()[cols]
        weights = {
            c: (np.tile(model.nominal_weights[c], (cols.size, 1)) if wi[0] < 0 else bank[c][wi])
            for c in model.categories
        }
        totals[cols] = model.totals_sorted(combo, weights)
        if progress:
            progress(i + 1, len(groups), label)
    return totals, table


def run_uncertainty(
    entries: pd.DataFrame,
    q: Questionnaire,
    scoring: ScoringSettings,
    robustness: RobustnessSettings,
    *,
    nominal_ranks: pd.Series,
    capacity: Mapping[str, int],
    seed: int,
    text_scores: Mapping[str, pd.DataFrame] | None = None,
    lang: str = "de",
    progress: Progress | None = None,
) -> UncertaintyResult:
    """Uncertainty and sensitivity analysis of the within-category ranking (METHODS.md §3).

    Parameters
    ----------
    entries : DataFrame
        Accepted entries (index ``entry_id``, with ``category``).
    q : Questionnaire
    scoring : ScoringSettings
        The nominal method (the edition's ``scoring`` block).
    robustness : RobustnessSettings
        Draws, Saltelli block size, design and the factors with their alternatives.
    nominal_ranks : Series
        The scoring stage's rank of the total within the category, by ``entry_id``.
    capacity : mapping
        Site-visit capacity k per category (P(rank ≤ k)); a category without one uses k = 1.
    seed : int
        The edition's seed; the weight bank, the uncertainty draws and the Saltelli design each get an
        independent stream spawned from it (``numpy.random.SeedSequence``).
    text_scores : mapping, optional
        Rater model → entries × rubric items (0–4) from the ratings stage.
    lang : {"de", "en"}
    progress : callable, optional
        Called as ``progress(done, total, phase)`` after each combination of assumptions.

    Returns
    -------
    UncertaintyResult
    """
    t0 = time.perf_counter()
    notes: list[str] = []
    model = AssumptionModel(entries, q, scoring, text_scores=text_scores)
    alternatives = _alternatives(robustness)
    # nominal first: the design's "first alternative" is the nominal choice when a factor is switched off
    for name in DISCRETE_FACTORS:
        nominal = getattr(scoring, name)
        alternatives[name] = [nominal, *[a for a in alternatives[name] if a != nominal]]
    missing_models = [m for m in alternatives["rater_model"] if m not in model.text_scores]
    if text_scores is not None and missing_models:
        rated = q.rated_section()
        section = (
            t("robustness.rated_section", lang, label=rated.label.get(lang))
            if rated is not None
            else t("robustness.rated_texts", lang)
        )
        notes.append(t("robustness.no_text_scores_for", lang, models=missing_models, section=section))
    if not model.text_scores:
        alternatives["rater_model"] = alternatives["rater_model"][:1]
        notes.append(t("robustness.no_text_ratings", lang))
    f = robustness.factors.weights
    active = ([WEIGHTS] if f > 0 else []) + [n for n in DISCRETE_FACTORS if len(alternatives[n]) > 1]
    off = [n for n in [WEIGHTS, *DISCRETE_FACTORS] if n not in active]
    if off:
        notes.append(t("robustness.not_varied", lang, factors=", ".join(factor_label(n, lang) for n in off)))
    seeds = np.random.SeedSequence(seed).spawn(3)
    bank = _weight_bank(model, f, np.random.default_rng(seeds[0]))
    cat = entries[CATEGORY].astype(str).to_numpy()[model.order]
    nominal = nominal_ranks.reindex(entries.index).to_numpy(np.float64)[model.order]
    if np.isnan(nominal).any():
        msg = t("robustness.nominal_ranks_missing", lang)
        raise DataError(msg)
    k = {c: int(capacity.get(c, 1)) for c in model.categories}

    n = robustness.draws
    ua_design = np.random.default_rng(seeds[1]).random((n, len(active)))
    totals, draws = _evaluate(model, ua_design, active, alternatives, bank, progress=progress, label="UA")
    ranks = model.ranks_sorted(totals)
    del totals  # the largest temporary: free it before the quantiles need their own
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VielfaltWarning)
        stats = rank_stats(ranks, nominal, k=k, groups=cat)
    stats.index = entries.index[model.order]
    stats = stats.reindex(entries.index)
    stats.insert(0, CATEGORY, entries[CATEGORY].to_numpy())
    stats["k"] = [k[str(c)] for c in entries[CATEGORY]]
    draws["mean_abs_shift"] = mean_abs_rank_shift(ranks, nominal)
    if n == 1:
        notes.append(t("robustness.single_draw", lang))
    for c in model.categories:
        size = model.slices[c].stop - model.slices[c].start
        if size <= k[c]:
            notes.append(t("robustness.all_within_k", lang, category=c, size=size, k=k[c]))

    sens = pd.DataFrame(columns=[FACTOR, "label", "alternatives", "Si", "STi"])
    nsa = robustness.sensitivity_n
    if nsa >= 2 and active:
        design = saltelli_design(
            nsa, len(active), seed=np.random.default_rng(seeds[2]), method=robustness.design
        )
        sa_totals, _ = _evaluate(model, design, active, alternatives, bank, progress=progress, label="SA")
        y = mean_abs_rank_shift(model.ranks_sorted(sa_totals), nominal)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", VielfaltWarning)
            idx = sobol_indices(y, nsa, len(active), names=active)
        if caught:
            notes.append(t("robustness.sobol_undefined", lang))
        sens = idx.reset_index()
        sens.insert(1, "label", [factor_label(a, lang) for a in active])
        sens.insert(
            2,
            "alternatives",
            [f"±{f:.0%}" if a == WEIGHTS else ", ".join(alternatives[a]) for a in active],
        )
        for name in off:
            row = {
                FACTOR: name,
                "label": factor_label(name, lang),
                "alternatives": "—",
                "Si": 0.0,
                "STi": 0.0,
            }
            sens.loc[len(sens)] = row
    elif nsa >= 2:
        notes.append(t("robustness.no_factor_varies", lang))
    else:
        notes.append(t("robustness.sa_off", lang))
    stats = stats[[CATEGORY, "Nominal", "Mean", "Median", "Q5", "Q95", P_TOPK, "k"]]
    return UncertaintyResult(
        rank_stats=stats,
        sensitivity=sens.reset_index(drop=True),
        draws=draws,
        ranks=ranks,
        ranks_index=entries.index[model.order],
        notes=notes,
        combinations=int(np.prod([len(alternatives[a]) for a in DISCRETE_FACTORS])),
        seconds=time.perf_counter() - t0,
    )


def all_combinations(alternatives: Mapping[str, list[str]]) -> list[dict[str, str]]:
    """Every combination of the discrete factors' alternatives (for tests and reports).

    Parameters
    ----------
    alternatives : mapping
        Factor → its alternatives, for every factor of :data:`DISCRETE_FACTORS`.

    Returns
    -------
    list of dict
        One factor → alternative mapping per combination, in the order of :func:`itertools.product`.
    """
    names = list(DISCRETE_FACTORS)
    return [dict(zip(names, vals, strict=True)) for vals in product(*(alternatives[n] for n in names))]
