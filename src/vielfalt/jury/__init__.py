"""The jury stage: site-visit results, verification, the recommendation, the vote tally and agreement.

- :mod:`~vielfalt.jury.visits` reads and checks the site-visit results;
- :mod:`~vielfalt.jury.verification` applies their factors and recomputes the totals;
- :mod:`~vielfalt.jury.recommendation` proposes a label (threshold, no open legal gap);
- :mod:`~vielfalt.jury.votes` reads the votes and tallies them (majority, tie rule, conflicts);
- :mod:`~vielfalt.jury.agreement` measures how far the jury followed the recommendation.
"""

from vielfalt.jury.agreement import agreement, kendall_tau, precision_at_k
from vielfalt.jury.recommendation import legal_gaps, recommend
from vielfalt.jury.verification import apply_verification, section_totals
from vielfalt.jury.visits import (
    RESULT_CODES,
    SITE_VISIT_HEADINGS,
    SiteVisitResults,
    read_site_visits,
    verified_sections,
)
from vielfalt.jury.votes import (
    TIE_RULES,
    VOTE_CODES,
    VOTE_HEADINGS,
    Tally,
    VoteInput,
    read_votes,
    tally_votes,
)

__all__ = [
    # site visits
    "RESULT_CODES",
    "SITE_VISIT_HEADINGS",
    "SiteVisitResults",
    "read_site_visits",
    "verified_sections",
    # verification
    "apply_verification",
    "section_totals",
    # recommendation
    "legal_gaps",
    "recommend",
    # votes
    "TIE_RULES",
    "VOTE_CODES",
    "VOTE_HEADINGS",
    "Tally",
    "VoteInput",
    "read_votes",
    "tally_votes",
    # agreement
    "agreement",
    "kendall_tau",
    "precision_at_k",
]
