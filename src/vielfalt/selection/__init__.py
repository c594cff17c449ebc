"""Site-visit candidates per category with reasons, frozen before names are shown."""

from vielfalt.selection.candidates import (
    claims_without_measures,
    inconsistent_counts,
    outliers_within_category,
    plausibility_flags,
    select_site_visits,
)
from vielfalt.selection.freeze import freeze
from vielfalt.selection.reasons import (
    REASON_CODES,
    STATUSES,
    TIE_RULES,
    VERIFY_CODES,
    reason_text,
    status_label,
    tie_rule_text,
)

__all__ = [
    # plausibility checks and the selection
    "claims_without_measures",
    "inconsistent_counts",
    "outliers_within_category",
    "plausibility_flags",
    "select_site_visits",
    # freezing the list
    "freeze",
    # statuses, reasons, tie rules
    "REASON_CODES",
    "STATUSES",
    "TIE_RULES",
    "VERIFY_CODES",
    "reason_text",
    "status_label",
    "tie_rule_text",
]
