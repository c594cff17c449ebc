"""The rating design, the rating sheets, reliability and agreement statistics and rater models."""

from vielfalt.ratings.agreement import KendallW, cohen_kappa, fleiss_kappa, kendall_w
from vielfalt.ratings.design import DesignCheck, check_design, design_ratings
from vielfalt.ratings.effects import RATER_MODELS, RaterEffects, adjust_ratings, rater_effects, text_scores
from vielfalt.ratings.reliability import icc, krippendorff_alpha, reliability_table
from vielfalt.ratings.sheets import (
    RatingReturn,
    RatingSheet,
    rating_sheets,
    read_rating_sheets,
    sheet_headings,
)

__all__ = [
    # rating design
    "DesignCheck",
    "check_design",
    "design_ratings",
    # rating sheets
    "RatingReturn",
    "RatingSheet",
    "rating_sheets",
    "read_rating_sheets",
    "sheet_headings",
    # reliability and agreement
    "KendallW",
    "cohen_kappa",
    "fleiss_kappa",
    "icc",
    "kendall_w",
    "krippendorff_alpha",
    "reliability_table",
    # rater-effect models
    "RATER_MODELS",
    "RaterEffects",
    "adjust_ratings",
    "rater_effects",
    "text_scores",
]
