"""From answers to indicators, sections and totals (via the composite engine).

:mod:`~vielfalt.scoring.items` turns answers into indicators in [0, 1] by the instrument's rules;
:mod:`~vielfalt.scoring.scores` prepares them under the edition's scoring settings, aggregates each size
category with its own weights and ranks within the category. The one weight normalisation
(:func:`normalised_weights`) and the section weights of a category (:func:`section_weights`) live here.
"""

from vielfalt.scoring.items import FLAG_LABELS, TOTAL, ItemScores, field_scores, score_items, sgb9_required
from vielfalt.scoring.scores import (
    ScoreResult,
    category_weights,
    cronbach_alpha,
    item_analysis,
    normalised_weights,
    prepare_indicators,
    score_entries,
    score_scale,
    section_weights,
    top_contributors,
)

__all__ = [
    "FLAG_LABELS",
    "TOTAL",
    "ItemScores",
    "ScoreResult",
    "category_weights",
    "cronbach_alpha",
    "field_scores",
    "item_analysis",
    "normalised_weights",
    "prepare_indicators",
    "score_entries",
    "score_items",
    "score_scale",
    "section_weights",
    "sgb9_required",
    "top_contributors",
]
