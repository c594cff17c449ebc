"""The vocabulary of the site-visit selection: statuses, reason codes and tie rules, and their texts.

Codes are stable (artefacts, filters, tests); the texts a person reads come from the message catalogue
(``selection.status_*``, ``selection.reason_*``, ``selection.tie_rule_*``) in the reader's language.
"""

from __future__ import annotations

from typing import Any

from vielfalt.i18n import t

__all__ = [
    "BORDERLINE",
    "CLEAR",
    "OUT",
    "REASON_CODES",
    "STATUSES",
    "STATUS_ORDER",
    "TIE_RULES",
    "VERIFY",
    "VERIFY_CODES",
    "reason_text",
    "status_label",
    "tie_rule_text",
]

CLEAR, BORDERLINE, VERIFY, OUT = "clear", "borderline", "verify", "out"
#: The statuses in the order the reports list them.
STATUSES = (CLEAR, BORDERLINE, VERIFY, OUT)
STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}

#: The plausibility checks that ask for an entry's claims to be verified at a visit.
VERIFY_CODES = ("INCONSISTENT_COUNTS", "CLAIM_WITHOUT_MEASURE", "OUTLIER", "LEGAL_GAP")
#: Every reason code of the candidate list (METHODS.md §5).
REASON_CODES = ("CLEAR", "ALL_IN", "BORDERLINE", "LIKELY", "FILL", "CAPACITY", "TIE_AT_CUT", *VERIFY_CODES)

#: The edition's tie rules at the capacity cut.
TIE_RULES = ("higher_score", "no_award", "chair_decides")


def status_label(status: str, lang: str = "de") -> str:
    """The status as evaluators read it.

    Examples
    --------
    >>> status_label("borderline", "de")
    'Grenzfall'
    """
    return t(f"selection.status_{status}", lang)


def reason_text(code: str, lang: str = "de", **fields: Any) -> str:
    """The text of a reason code with its fields (``k``, ``q95``, ``p``, ``what``, …) filled in.

    Examples
    --------
    >>> reason_text("CAPACITY", "en", k=3)
    "the category's visit places (3) are taken"
    """
    return t(f"selection.reason_{code}", lang, **fields)


def tie_rule_text(rule: str, lang: str = "de", how: str = "") -> str:
    """How the tie rule ``rule`` resolved a tie at the cut (``how``: the detail of ``higher_score``)."""
    return t(f"selection.tie_rule_{rule}", lang, how=how)
