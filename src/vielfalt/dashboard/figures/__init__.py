"""Pure functions from data to plotly figures; no I/O, no widgets.

``from vielfalt.dashboard import figures`` gives every figure of the suite as ``figures.<name>``: the
evaluation stages' (:mod:`~vielfalt.dashboard.figures.stages`), the jury's
(:mod:`~vielfalt.dashboard.figures.jury`) and the editions' over the years
(:mod:`~vielfalt.dashboard.figures.editions`), with :data:`PLOTLY_CONFIG`, the one plotly config of every
figure (show with ``fig.show(config=figures.PLOTLY_CONFIG)``).
"""

from vielfalt.dashboard.figures._style import PLOTLY_CONFIG
from vielfalt.dashboard.figures.editions import (
    adoption_heatmap,
    agreement_by_edition,
    edition_scores,
    participation_bars,
    reliability_by_edition,
    repeat_slopes,
)
from vielfalt.dashboard.figures.jury import (
    category_rank_intervals,
    compare_entries,
    entry_profile,
    site_visit_changes,
    total_bars,
)
from vielfalt.dashboard.figures.stages import (
    intake_overview,
    p_topk_bars,
    rank_intervals,
    rank_shift,
    ranking_bars,
    rater_severity,
    reliability_bars,
    section_profile,
    sobol_bars,
)

__all__ = [
    "PLOTLY_CONFIG",
    "adoption_heatmap",
    "agreement_by_edition",
    "category_rank_intervals",
    "compare_entries",
    "edition_scores",
    "entry_profile",
    "intake_overview",
    "p_topk_bars",
    "participation_bars",
    "rank_intervals",
    "rank_shift",
    "ranking_bars",
    "rater_severity",
    "reliability_bars",
    "reliability_by_edition",
    "repeat_slopes",
    "section_profile",
    "site_visit_changes",
    "sobol_bars",
    "total_bars",
]
