"""Freezing the candidate list: the sha256 of the selection rule and of the list, before names are joined."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["freeze"]


def freeze(rule: Mapping[str, Any], candidates: pd.DataFrame) -> dict[str, str]:
    """sha256 of the selection rule (canonical JSON) and of the candidate list (CSV of its rows).

    Both are computed on pseudonyms before any name is joined, so that a later change of the list — or of
    the rule that produced it — shows up as a different hash in the run's manifest.

    Parameters
    ----------
    rule : mapping
        The selection rule as written to ``site_visits/rule.json``.
    candidates : DataFrame
        The candidate list by ``entry_id`` (:func:`~vielfalt.selection.candidates.select_site_visits`).

    Returns
    -------
    dict
        ``rule_sha256`` and ``candidates_sha256`` (hex digests).

    Examples
    --------
    >>> freeze({}, pd.DataFrame({"x": [1]}))["rule_sha256"][:12]
    '44136fa355b3'
    """
    rule_bytes = json.dumps(rule, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    table = candidates.reset_index().to_csv(index=False, lineterminator="\n", float_format="%.12g")
    return {
        "rule_sha256": hashlib.sha256(rule_bytes).hexdigest(),
        "candidates_sha256": hashlib.sha256(table.encode()).hexdigest(),
    }
