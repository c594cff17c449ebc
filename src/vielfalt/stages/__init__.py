"""The stage functions the notebooks call: ``from vielfalt import stages``; ``stages.intake_stage(...)``.

One module per stage (intake, ratings, scoring, robustness, site_visits, jury, close); each function reads
its inputs, computes through the subpackages below and writes artefacts and files into the run folder.
"""

from vielfalt.config.edition import load_context
from vielfalt.stages._common import conflicts_by_entry
from vielfalt.stages.close import CloseResult, close_stage
from vielfalt.stages.intake import IntakeResult, category_source_counts, intake_stage, quarantine_table
from vielfalt.stages.jury import (
    JuryResult,
    jury_live,
    jury_stage,
    jury_view,
    recommendation_table,
    run_info,
    site_visit_files,
)
from vielfalt.stages.ratings import RatingsResult, ratings_stage
from vielfalt.stages.robustness import RobustnessResult, robustness_stage, sensitivity_summary
from vielfalt.stages.scoring import ScoringResult, scoring_stage
from vielfalt.stages.site_visits import SiteVisitsResult, selection_summary, site_visits_stage

__all__ = [
    # the stages, in order
    "IntakeResult",
    "intake_stage",
    "RatingsResult",
    "ratings_stage",
    "ScoringResult",
    "scoring_stage",
    "RobustnessResult",
    "robustness_stage",
    "SiteVisitsResult",
    "site_visits_stage",
    "JuryResult",
    "jury_stage",
    "CloseResult",
    "close_stage",
    # what the notebooks and the Voilà app display
    "category_source_counts",
    "quarantine_table",
    "sensitivity_summary",
    "selection_summary",
    "jury_live",
    "jury_view",
    "recommendation_table",
    "run_info",
    "site_visit_files",
    # shared
    "conflicts_by_entry",
    "load_context",
]
