"""Site-visit verification, the recommendation, the vote tally and agreement."""

from vielfalt.jury.core import section_totals

__all__ = ["section_totals"]
