"""The ratings stage (``02_ratings``): read the returned rating sheets, measure agreement and severity."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from vielfalt.columns import CATEGORY, ENTRY_ID
from vielfalt.config.edition import load_context
from vielfalt.exceptions import DataError
from vielfalt.i18n import t
from vielfalt.ratings import (
    RATER_MODELS,
    DesignCheck,
    RaterEffects,
    RatingReturn,
    check_design,
    rater_effects,
    read_rating_sheets,
    reliability_table,
    text_scores,
)
from vielfalt.runs.manifest import read_artefact, write_artefact
from vielfalt.stages._common import nulls_as_none

__all__ = ["RatingsResult", "ratings_stage"]


@dataclass
class RatingsResult:
    """What the ratings stage produced."""

    returned: RatingReturn
    design_check: DesignCheck
    reliability: pd.DataFrame
    effects: RaterEffects
    text_scores: pd.DataFrame  # entry_id, item, model, score (0–4)
    ranks: pd.DataFrame  # entry_id, category, model ranks of the text section, max shift


def _rank_by_model(scores: pd.DataFrame, category: pd.Series) -> pd.DataFrame:
    """Rank of each entry's mean text score within its category under every rater model, and the spread."""
    section = scores.groupby([ENTRY_ID, "model"])["score"].mean().unstack("model")
    cat = category.reindex(section.index)
    ranks = section.groupby(cat).rank(ascending=False, method="min").astype("Int64")
    ranks.columns = [f"rank_{c}" for c in ranks.columns]
    ranks.insert(0, CATEGORY, cat)
    ranks["max_shift"] = (
        ranks.filter(like="rank_").max(axis=1) - ranks.filter(like="rank_").min(axis=1)
    ).astype("Int64")
    return ranks.reset_index()


def ratings_stage(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> RatingsResult:
    """Read the returned rating sheets, check them, measure agreement and rater severity.

    Input: ``data/<ed>/ratings/`` with the sheets as handed out by the intake (XLSX, or saved as CSV).
    Partial returns are accepted and reported; missing ratings stay missing, never zero.

    Parameters
    ----------
    project_root : path
    edition : str
    run_dir : path
        The run folder with the intake's artefacts.
    lang : {"de", "en"}, optional
        Language of the reasons and messages; default the edition's.

    Returns
    -------
    RatingsResult

    Raises
    ------
    DataError
        When the ratings folder holds no sheet.
    """
    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    folder = Path(project_root) / "data" / ed.edition / "ratings"
    paths = sorted([*folder.glob("*.xlsx"), *folder.glob("*.csv")]) if folder.is_dir() else []
    if not paths:
        msg = t("stages.no_rating_sheets", lang, folder=folder, edition=ed.edition)
        raise DataError(msg, path=str(folder))
    entries = read_artefact(run_dir, "intake/entries")
    design = read_artefact(run_dir, "intake/rating_design")
    returned = read_rating_sheets(
        paths,
        edition=ed.edition,
        design=design,
        accepted=set(entries.index),
        rubric_items=[it.id for it in q.rated_items()],
        raters=[e.id for e in ed.evaluators],
        lang=lang,
    )
    check = check_design(design)
    ratings = returned.ratings
    reliability = reliability_table(ratings, entries[CATEGORY])
    effects = rater_effects(ratings, connected=check.connected, lang=lang)
    long = []
    for model in RATER_MODELS:
        ts = text_scores(ratings, model).stack().rename("score").reset_index()
        long.append(ts.assign(model=model))
    scores = pd.concat(long, ignore_index=True)[[ENTRY_ID, "item", "model", "score"]]
    ranks = _rank_by_model(scores, entries[CATEGORY])

    write_artefact(ratings, run_dir, "ratings/ratings")
    write_artefact(nulls_as_none(returned.failures), run_dir, "ratings/failures")
    write_artefact(returned.missing, run_dir, "ratings/missing")
    write_artefact(reliability, run_dir, "ratings/reliability")
    write_artefact(effects.table, run_dir, "ratings/rater_effects")
    write_artefact(scores, run_dir, "ratings/text_scores")
    write_artefact(ranks, run_dir, "ratings/rank_by_model")
    return RatingsResult(
        returned=returned,
        design_check=check,
        reliability=reliability,
        effects=effects,
        text_scores=scores,
        ranks=ranks,
    )
