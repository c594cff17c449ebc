"""The stage functions the notebooks call: ``from vielfalt import stages``; ``stages.intake_stage(...)``.

One module per stage (intake, ratings, scoring, robustness, site_visits, jury, close); each function reads
its inputs, computes through the subpackages below and writes artefacts and files into the run folder.
:mod:`vielfalt.stages.registry` is the one list of stages.

The names below are imported on first use (PEP 562), so that importing the registry — which the command
line does before anything else — does not load pandas and every stage's dependencies.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: public name → module that defines it
_HOME = {
    "load_context": "vielfalt.config.edition",
    "conflicts_by_entry": "vielfalt.stages._common",
    "CloseResult": "vielfalt.stages.close",
    "close_stage": "vielfalt.stages.close",
    "IntakeResult": "vielfalt.stages.intake",
    "category_source_counts": "vielfalt.stages.intake",
    "intake_stage": "vielfalt.stages.intake",
    "quarantine_table": "vielfalt.stages.intake",
    "JuryResult": "vielfalt.stages.jury",
    "jury_live": "vielfalt.stages.jury",
    "jury_stage": "vielfalt.stages.jury",
    "jury_view": "vielfalt.stages.jury",
    "recommendation_table": "vielfalt.stages.jury",
    "run_info": "vielfalt.stages.jury",
    "site_visit_files": "vielfalt.stages.jury",
    "RatingsResult": "vielfalt.stages.ratings",
    "ratings_stage": "vielfalt.stages.ratings",
    "RobustnessResult": "vielfalt.stages.robustness",
    "robustness_stage": "vielfalt.stages.robustness",
    "sensitivity_summary": "vielfalt.stages.robustness",
    "ScoringResult": "vielfalt.stages.scoring",
    "scoring_stage": "vielfalt.stages.scoring",
    "SiteVisitsResult": "vielfalt.stages.site_visits",
    "selection_summary": "vielfalt.stages.site_visits",
    "site_visits_stage": "vielfalt.stages.site_visits",
}

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


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _HOME.get(name)
    if module is None:
        msg = f"module 'vielfalt.stages' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, for tab completion in JupyterLab."""
    return sorted(__all__)
