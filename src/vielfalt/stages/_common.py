"""Helpers the stage functions share: conflicts of interest, organisation names, headings, artefact tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from vielfalt.columns import FAILURE_COLUMNS
from vielfalt.i18n import t

if TYPE_CHECKING:
    from vielfalt.config.edition import Person
    from vielfalt.config.questionnaire import Questionnaire

__all__ = [
    "conflicts_by_entry",
    "failure_headings",
    "headings",
    "nulls_as_none",
    "organisation_names",
]


def organisation_names(
    entries: pd.DataFrame, q: Questionnaire, index: Iterable[object] | None = None
) -> pd.Series:
    """The organisation's name per entry, from the questionnaire's ``organisation_name`` role.

    Parameters
    ----------
    entries : DataFrame
        The accepted entries (``intake/entries``).
    q : Questionnaire
    index : iterable, optional
        The entry ids to return the names for (default: every entry).

    Returns
    -------
    Series
        By entry id; missing (None) where the role is unset or the entry is unknown.
    """
    ref = q.roles.organisation_name
    idx = entries.index if index is None else pd.Index(index)
    if ref is None or ref not in entries:
        return pd.Series(None, index=idx, dtype=object)
    return entries[ref].reindex(idx)


def conflicts_by_entry(
    people: Sequence[Person], entries: pd.DataFrame, q: Questionnaire
) -> dict[str, list[str]]:
    """Person id → entry ids they declared a conflict with (by entry id or by organisation name).

    Parameters
    ----------
    people : sequence
        The edition's evaluators or jury members (each with ``id`` and ``conflicts``).
    entries : DataFrame
        The accepted entries, indexed by ``entry_id``.
    q : Questionnaire
        Names come from its ``organisation_name`` role; without it conflicts match entry ids only.

    Returns
    -------
    dict
        Sorted entry ids per person.
    """
    ref = q.roles.organisation_name
    names = entries[ref].fillna("").astype(str).str.casefold().str.strip() if ref and ref in entries else None
    out: dict[str, list[str]] = {}
    for p in people:
        hits = set()
        for c in p.conflicts:
            if c in entries.index:
                hits.add(c)
            elif names is not None:
                hits.update(entries.index[names == c.casefold().strip()])
        out[p.id] = sorted(hits)
    return out


def headings(group: str, keys: Iterable[str], lang: str) -> dict[str, str]:
    """Column → heading for people, from the catalogue's ``stages.<group>_<column>`` messages.

    Examples
    --------
    >>> headings("rank", ["Nominal", "Q95"], "en")
    {'Nominal': 'Rank', 'Q95': 'Rank 95 %'}
    """
    return {k: t(f"stages.{group}_{k}", lang) for k in keys}


def failure_headings(lang: str) -> list[str]:
    """The headings of the failure table (:data:`~vielfalt.columns.FAILURE_COLUMNS`) in ``lang``.

    Examples
    --------
    >>> failure_headings("de")[:3]
    ['Quelle', 'Zeile', 'Eintrag']
    """
    return list(headings("failure", FAILURE_COLUMNS, lang).values())


def nulls_as_none(table: pd.DataFrame) -> pd.DataFrame:
    """The table as objects with every missing value ``None``: how problem tables are written as artefacts."""
    return table.astype(object).where(table.notna(), None)
