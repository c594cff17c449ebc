"""Tests of the robustness analysis wiring (vielfalt.robustness.run_uncertainty over vielfalt.sensitivity)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from vielfalt import composite
from vielfalt.config.edition import InputFile, RobustnessSettings, ScoringSettings
from vielfalt.exceptions import ConfigError, DataError, VielfaltWarning
from vielfalt.intake.validate import validate_files
from vielfalt.robustness import DISCRETE_FACTORS, AssumptionModel, run_uncertainty
from vielfalt.scoring import (
    TOTAL,
    category_weights,
    normalised_weights,
    prepare_indicators,
    score_entries,
    score_scale,
)
from vielfalt.sensitivity import rank_stats
from vielfalt.stages import load_context

NOMINAL_COMBO = {f: getattr(ScoringSettings(), f) for f in DISCRETE_FACTORS}


@pytest.fixture(scope="module")
def demo(project_root):
    """The demo edition's accepted entries, instrument, settings and simple text scores per rater model."""
    ed, q = load_context(project_root, "demo2010")
    files = [(spec, project_root / "data" / "demo2010" / spec.file) for spec in ed.inputs]
    report = validate_files(ed, q, files)
    e = report.accepted
    rng = np.random.default_rng(7)
    base = pd.DataFrame(
        rng.integers(0, 5, (len(e), 4)).astype(float), index=e.index, columns=["F01", "F02", "F03", "F04"]
    )
    text = {
        "none": base,
        "mean_shift": (base + 0.5).clip(0, 4),
        "zscore": base[::-1].set_axis(e.index),
        "additive": base,
    }
    return ed, q, e, text


def _nominal_ranks(e, q, settings, text):
    res = score_entries(e, q, settings, text_scores=text.get(settings.rater_model))
    return res.ranks[TOTAL]


def _settings(**kw):
    return RobustnessSettings(**kw)


@pytest.mark.filterwarnings("ignore::vielfalt.exceptions.VielfaltWarning")
def test_nominal_combination_reproduces_the_scoring_stage(demo):
    """Every combination of assumptions, with nominal weights, gives score_entries' totals to 1e-12."""
    ed, q, e, text = demo
    model = AssumptionModel(e, q, ScoringSettings(), text_scores=text)
    combos = [
        NOMINAL_COMBO,
        {**NOMINAL_COMBO, "aggregation": "gmean"},
        {**NOMINAL_COMBO, "aggregation": "hmean", "normalisation": "minmax"},
        {**NOMINAL_COMBO, "aggregation": "median"},
        {**NOMINAL_COMBO, "missing_answers": "nan", "imputation": "group_mean"},
        {**NOMINAL_COMBO, "normalisation": "rank", "rater_model": "zscore"},
    ]
    for combo in combos:
        settings = ScoringSettings(**combo)
        expected = score_entries(e, q, settings, text_scores=text[combo["rater_model"]]).scores[TOTAL]
        weights = {c: model.nominal_weights[c][None, :] for c in model.categories}
        got = model.totals(combo, weights)[:, 0]
        np.testing.assert_allclose(got, expected.to_numpy(), rtol=1e-12, atol=1e-12, err_msg=str(combo))


def test_vectorised_totals_equal_the_composite_engine_draw_by_draw(demo):
    """Totals for a stack of perturbed weights equal composite.aggregate run once per weight vector."""
    ed, q, e, text = demo
    model = AssumptionModel(e, q, ScoringSettings(), text_scores=text)
    rng = np.random.default_rng(3)
    for method in ("amean", "gmean", "hmean"):
        combo = {**NOMINAL_COMBO, "aggregation": method}
        weights = {c: rng.uniform(0.2, 1.0, (4, len(model.sections))) for c in model.categories}
        got = model.totals(combo, weights)
        settings = ScoringSettings(**combo)
        its = model.items(settings.rater_model, settings.missing_answers)
        cat = e["category"]
        ind = prepare_indicators(its, cat, q, settings)
        for j in range(4):
            for c in model.categories:
                rows = (cat == c).to_numpy()
                w = normalised_weights(its.weights[c], its.parents)
                w.update({s: float(weights[c][j, i]) for i, s in enumerate(model.sections)})
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", VielfaltWarning)  # the section weights do not sum to 1
                    agg = composite.aggregate(ind[rows], its.parents, weights=w, method=method)
                expected = agg[TOTAL].to_numpy() * score_scale(settings)
                np.testing.assert_allclose(got[rows, j], expected, rtol=1e-12, err_msg=f"{method} {c} {j}")


def test_amean_total_by_hand():
    """Two sections, one present for the second entry only: Σ w s / Σ w over present sections (by hand)."""
    model = AssumptionModel.__new__(AssumptionModel)
    model.entries = pd.DataFrame(index=["a", "b"])
    model.order = np.array([0, 1])
    model.slices = {"x": slice(0, 2)}
    model.nominal = ScoringSettings()
    model._sections = {
        tuple(NOMINAL_COMBO[f] for f in DISCRETE_FACTORS): np.array([[0.5, 1.0], [np.nan, 0.2]])
    }
    w = {"x": np.array([[0.25, 0.75], [1.0, 1.0]])}
    got = model.totals(NOMINAL_COMBO, w)
    # a: (0.25·0.5 + 0.75·1.0)/1 = 0.875 and (0.5 + 1.0)/2 = 0.75; b: only section 2 present → 0.2
    np.testing.assert_allclose(got, [[87.5, 75.0], [20.0, 20.0]])


def test_single_alternatives_give_sobol_indices_of_exactly_zero(demo):
    """A factor with one alternative (and weights: 0) is not varied: Si = STi = 0 exactly."""
    ed, q, e, text = demo
    settings = _settings(
        draws=50,
        sensitivity_n=64,
        factors={"weights": 0.0, "rater_model": ["additive"], "missing_answers": ["zero"],
                 "imputation": ["none"], "normalisation": ["none", "minmax"],
                 "aggregation": ["amean", "gmean"]},
    )  # fmt: skip
    res = run_uncertainty(
        e, q, ScoringSettings(), settings, nominal_ranks=_nominal_ranks(e, q, ScoringSettings(), text),
        capacity=ed.capacity, seed=1, text_scores=text,
    )  # fmt: skip
    sens = res.sensitivity.set_index("factor")
    for off in ("weights", "rater_model", "missing_answers", "imputation"):
        assert sens.loc[off, "Si"] == 0.0 and sens.loc[off, "STi"] == 0.0
    assert sens.loc["aggregation", "STi"] > 0
    assert any("Nicht variiert" in n for n in res.notes)


def test_dummy_factor_has_zero_indices_when_it_is_varied_but_has_no_effect(demo):
    """Imputation varies but nothing is missing under the N/A rule 'zero': its indices are exactly 0."""
    ed, q, e, text = demo
    settings = _settings(
        draws=20,
        sensitivity_n=32,
        factors={"weights": 0.3, "rater_model": ["additive"], "missing_answers": ["zero"],
                 "imputation": ["none", "group_mean", "median"], "normalisation": ["none"],
                 "aggregation": ["amean"]},
    )  # fmt: skip
    res = run_uncertainty(
        e, q, ScoringSettings(), settings, nominal_ranks=_nominal_ranks(e, q, ScoringSettings(), text),
        capacity=ed.capacity, seed=2, text_scores=text,
    )  # fmt: skip
    sens = res.sensitivity.set_index("factor")
    assert sens.loc["imputation", "Si"] == 0.0 and sens.loc["imputation", "STi"] == 0.0
    assert sens.loc["weights", "STi"] > 0


def test_rank_statistics_match_an_independent_recomputation_from_the_draws(demo):
    """Median, Q5, Q95 and P(rank ≤ k) equal numpy/pandas applied to the returned rank matrix."""
    ed, q, e, text = demo
    nominal = _nominal_ranks(e, q, ScoringSettings(), text)
    res = run_uncertainty(
        e, q, ScoringSettings(), _settings(draws=200, sensitivity_n=0), nominal_ranks=nominal,
        capacity=ed.capacity, seed=5, text_scores=text,
    )  # fmt: skip
    ranks = pd.DataFrame(res.ranks, index=res.ranks_index).reindex(e.index)
    stats = res.rank_stats
    np.testing.assert_array_equal(stats["Median"], ranks.median(axis=1))
    np.testing.assert_array_equal(stats["Q5"], np.quantile(ranks.to_numpy(), 0.05, axis=1))
    k = e["category"].map(ed.capacity)
    np.testing.assert_array_equal(stats["P_topk"], (ranks.le(k, axis=0)).mean(axis=1))
    assert (stats["Nominal"] == nominal).all()
    assert ((stats["Q5"] <= stats["Median"]) & (stats["Median"] <= stats["Q95"])).all()
    # ranks are within the category: a draw's ranks of a category of size m are a permutation-like set in 1..m
    for _, part in ranks.groupby(e["category"]):
        assert part.min().min() == 1 and part.max().max() <= len(part)


def test_same_seed_same_result_other_seed_other_draws(demo):
    """The analysis is seeded: identical inputs give identical tables; another seed draws differently."""
    ed, q, e, text = demo
    nominal = _nominal_ranks(e, q, ScoringSettings(), text)
    kw = dict(nominal_ranks=nominal, capacity=ed.capacity, text_scores=text)
    a = run_uncertainty(e, q, ScoringSettings(), _settings(draws=100, sensitivity_n=16), seed=9, **kw)
    b = run_uncertainty(e, q, ScoringSettings(), _settings(draws=100, sensitivity_n=16), seed=9, **kw)
    c = run_uncertainty(e, q, ScoringSettings(), _settings(draws=100, sensitivity_n=16), seed=10, **kw)
    pd.testing.assert_frame_equal(a.rank_stats, b.rank_stats)
    pd.testing.assert_frame_equal(a.sensitivity, b.sensitivity)
    assert not a.draws.equals(c.draws)


def test_one_draw_works_and_says_the_intervals_are_degenerate(demo):
    """N = 1: every interval collapses onto the single draw, and a note says so."""
    ed, q, e, text = demo
    res = run_uncertainty(
        e, q, ScoringSettings(), _settings(draws=1, sensitivity_n=0),
        nominal_ranks=_nominal_ranks(e, q, ScoringSettings(), text), capacity=ed.capacity, seed=1,
        text_scores=text,
    )  # fmt: skip
    s = res.rank_stats
    assert (s["Q5"] == s["Q95"]).all() and (s["Median"] == s["Q95"]).all()
    assert any("entartet" in n for n in res.notes)
    assert any("abgeschaltet" in n for n in res.notes)


def test_category_smaller_than_capacity_is_all_in(demo):
    """A capacity above the category size puts every entry at P(rank ≤ k) = 1, and a note says so."""
    ed, q, e, text = demo
    cap = {**ed.capacity, "oeffentlich": 10}
    res = run_uncertainty(
        e, q, ScoringSettings(), _settings(draws=30, sensitivity_n=0),
        nominal_ranks=_nominal_ranks(e, q, ScoringSettings(), text), capacity=cap, seed=1, text_scores=text,
    )  # fmt: skip
    pub = res.rank_stats[res.rank_stats["category"] == "oeffentlich"]
    assert (pub["P_topk"] == 1.0).all() and (pub["k"] == 10).all()
    assert any("oeffentlich" in n and "alle" in n for n in res.notes)


def test_without_text_scores_the_rater_factor_is_switched_off(demo):
    """No ratings at all: the rater model cannot vary, said in the notes, its indices are 0."""
    ed, q, e, _ = demo
    nominal = score_entries(e, q, ScoringSettings()).ranks[TOTAL]
    res = run_uncertainty(
        e, q, ScoringSettings(), _settings(draws=20, sensitivity_n=8), nominal_ranks=nominal,
        capacity=ed.capacity, seed=1,
    )  # fmt: skip
    assert any("Keine Textbewertungen" in n for n in res.notes)
    assert res.sensitivity.set_index("factor").loc["rater_model", "STi"] == 0.0


def test_missing_nominal_rank_is_a_data_error(demo):
    """An entry without a nominal rank (scoring not re-run after intake) is refused with a clear message."""
    ed, q, e, text = demo
    nominal = _nominal_ranks(e, q, ScoringSettings(), text).iloc[1:]
    with pytest.raises(DataError, match="Nominale Ränge fehlen"):
        run_uncertainty(
            e, q, ScoringSettings(), _settings(draws=5, sensitivity_n=0), nominal_ranks=nominal,
            capacity=ed.capacity, seed=1, text_scores=text,
        )  # fmt: skip


def test_progress_is_reported_per_combination(demo):
    """The progress callback runs through each phase and ends at its total."""
    ed, q, e, text = demo
    calls = []
    run_uncertainty(
        e, q, ScoringSettings(), _settings(draws=40, sensitivity_n=8),
        nominal_ranks=_nominal_ranks(e, q, ScoringSettings(), text), capacity=ed.capacity, seed=1,
        text_scores=text,
        progress=lambda done, total, phase: calls.append((done, total, phase)),
    )  # fmt: skip
    phases = {p for _, _, p in calls}
    assert phases == {"UA", "SA"}
    for p in phases:
        last = [c for c in calls if c[2] == p][-1]
        assert last[0] == last[1]


def test_nominal_choice_must_be_among_the_alternatives():
    """An edition whose nominal method is not among the factor's alternatives is refused, naming both."""
    from vielfalt.config.edition import Edition

    with pytest.raises(ValueError, match="robustness.factors.aggregation.*amean"):
        Edition(
            edition="x1", year=2010, title={"de": "x", "en": "x"}, questionnaire="vg2010", seed=1,
            pseudonym_salt="abcdefgh", category_scheme={"id": "s", "basis": "A05[total]", "bins": [
                {"code": "klein", "label": {"de": "k", "en": "k"}, "gte": 0}]},
            inputs=[InputFile(file="a.csv", source="s")],
            robustness={"factors": {"aggregation": ["gmean"]}},
        )  # fmt: skip


def test_rank_stats_fast_path_equals_the_nan_aware_functions():
    """Rows without NaN (vectorised numpy) and with NaN (nan-aware) give the nan-aware values."""
    rng = np.random.default_rng(0)
    r = rng.integers(1, 7, (50, 101)).astype(float)
    r[::7, ::13] = np.nan
    s = rank_stats(r, np.ones(50))
    np.testing.assert_allclose(s["Median"], np.nanmedian(r, axis=1))
    np.testing.assert_allclose(s["Q5"], np.nanquantile(r, 0.05, axis=1))
    np.testing.assert_allclose(s["Q95"], np.nanquantile(r, 0.95, axis=1))
    np.testing.assert_allclose(s["Mean"], np.nanmean(r, axis=1))


def test_aggregate_by_group_uses_each_categorys_weights(demo):
    """The section weights of the category enter its totals (klein weighs section F 34, the others 30)."""
    ed, q, e, text = demo
    settings = ScoringSettings()
    res = score_entries(e, q, settings, text_scores=text["additive"])
    its = res.items
    agg = composite.aggregate_by_group(
        res.indicators, its.parents, groups=e["category"], weights=category_weights(its), method="amean"
    )
    np.testing.assert_allclose(agg[TOTAL] * 100, res.scores[TOTAL], rtol=1e-12)


def test_progress_reporter_publishes_state_and_cleans_up(tmp_path):
    """Outside a kernel the reporter publishes done/total and the time left beside the run, then cleans up."""
    from vielfalt.runs.progress import ProgressReporter, progress_file, read_progress

    run = tmp_path / ".r1.partial"
    run.mkdir()
    rep = ProgressReporter(run, "Robustheit")
    rep(1, 4, "UA")
    rep.last = 0.0  # the next call is not throttled
    rep(2, 4, "UA")
    state = read_progress(progress_file(run))
    assert state["done"] == 2 and state["total"] == 4 and state["phase"] == "UA" and state["left_s"] >= 0
    rep.close()
    assert not progress_file(run).exists()


def test_note_names_the_rated_section_from_the_questionnaire(demo):
    """Rater models without text scores are noted with the rated section's label, in the reader's language."""
    ed, q, e, text = demo
    partial = {"additive": text["additive"]}  # the other rater models have no text scores
    settings = _settings(draws=5, sensitivity_n=0)
    nominal = _nominal_ranks(e, q, ScoringSettings(), text)
    for lang in ("de", "en"):
        res = run_uncertainty(
            e, q, ScoringSettings(), settings, nominal_ranks=nominal, capacity=ed.capacity, seed=1,
            text_scores=partial, lang=lang,
        )  # fmt: skip
        label = q.rated_section().label.get(lang)
        notes = [n for n in res.notes if label in n]
        assert len(notes) == 1, res.notes
        assert "Abschnitt F" not in notes[0] and "section F" not in notes[0]
    assert "these alternatives score without" in notes[0]


def test_notes_and_errors_follow_the_language(demo):
    """Under lang='en' the notes, factor labels and errors are English, not German."""
    ed, q, e, text = demo
    nominal = _nominal_ranks(e, q, ScoringSettings(), text)
    res = run_uncertainty(
        e, q, ScoringSettings(), _settings(draws=1, sensitivity_n=8), nominal_ranks=nominal,
        capacity=ed.capacity, seed=1, text_scores=text, lang="en",
    )  # fmt: skip
    assert any("A single draw" in n for n in res.notes)
    assert not any(word in " ".join(res.notes) for word in ("Ziehung", "Kategorie", "Nicht variiert"))
    assert "section weights (±noise)" in res.sensitivity["label"].tolist()
    with pytest.raises(DataError, match="Nominal ranks are missing"):
        run_uncertainty(
            e, q, ScoringSettings(), _settings(draws=5, sensitivity_n=0), nominal_ranks=nominal.iloc[1:],
            capacity=ed.capacity, seed=1, text_scores=text, lang="en",
        )  # fmt: skip


@pytest.mark.parametrize("aggregation", ["genmean", "mode"])
def test_totals_refuse_an_aggregation_without_a_rule(aggregation):
    """An aggregation the vectorised totals have no rule for is a ConfigError, not silently the median."""
    model = AssumptionModel.__new__(AssumptionModel)
    model.entries = pd.DataFrame(index=["a", "b"])
    model.order = np.array([0, 1])
    model.slices = {"x": slice(0, 2)}
    model.nominal = ScoringSettings()
    combo = {**NOMINAL_COMBO, "aggregation": aggregation}
    model._sections = {tuple(combo[f] for f in DISCRETE_FACTORS): np.array([[0.5, 1.0], [0.1, 0.2]])}
    with pytest.raises(ConfigError, match="The 'method' parameter of aggregate_draws must be one of"):
        model.totals_sorted(combo, {"x": np.array([[0.5, 0.5]])})
