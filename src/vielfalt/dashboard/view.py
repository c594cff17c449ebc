"""What the jury dashboards show, as one plain data object shared by the static page and the Voilà app.

:class:`JuryView` is built from a run's artefacts by :func:`vielfalt.stages.jury.jury_view`; the static
HTML (:mod:`vielfalt.dashboard.static`) and the widgets (:mod:`vielfalt.dashboard.widgets`) only read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["JuryView", "TABLE_COLUMNS"]

#: Columns of the shortlist table: code → kind (``num`` sorts as numbers, ``text`` as text). The heading of
#: a column is the message ``dashboard.column_<code>``.
TABLE_COLUMNS: dict[str, str] = {
    "rank": "num",
    "entry_id": "text",
    "name": "text",
    "total_pre": "num",
    "total_post": "num",
    "delta": "num",
    "interval": "num",
    "P_topk": "num",
    "visit": "text",
    "recommended": "text",
    "conflicts": "text",
}


@dataclass
class JuryView:
    """Everything the jury dashboards display for one edition and run.

    Attributes
    ----------
    edition, title : str
        Edition id and its title in the display language.
    run_id, generated : str
        The run and its start time (from the manifest), shown in the header; never "now", so the same
        run always gives the same page.
    final : DataFrame
        Index ``entry_id``: ``jury/final_scores`` columns plus ``name``, ``rank``, ``recommendation``,
        ``Nominal``, ``Median``, ``Q5``, ``Q95``, ``P_topk``, ``status`` (site-visit status),
        ``visit_rating``, ``visit_note``, ``flags_text``, ``why``.
    rank_stats : DataFrame
        ``robustness/rank_stats``.
    categories : list of (code, label)
        In display order.
    capacity : dict
        Category → site-visit capacity k.
    section_labels : dict
        Section id → readable name.
    jury : list of (id, name)
    conflicts : dict
        Jury id → entry ids they declared a conflict with.
    weights : dict
        Category → {section: weight} (the edition's section points).
    threshold : float
        Label threshold.
    aggregation : str
        The edition's aggregation method (for "what if" totals).
    notes : dict
        Entry id → list of evaluators' notes (visit notes, rating-sheet notes), plain text.
    lang : str
    """

    edition: str
    title: str
    run_id: str
    generated: str
    final: pd.DataFrame
    rank_stats: pd.DataFrame
    categories: list[tuple[str, str]]
    capacity: dict[str, int]
    section_labels: dict[str, str]
    jury: list[tuple[str, str]]
    conflicts: dict[str, list[str]]
    weights: dict[str, dict[str, float]]
    threshold: float
    aggregation: str = "amean"
    notes: dict[str, list[str]] = field(default_factory=dict)
    lang: str = "de"

    def labels(self, *, named: bool = True) -> dict[str, str]:
        """Entry id → display label: the organisation's name (named) or the pseudonym."""
        if not named or "name" not in self.final:
            return {e: e for e in self.final.index}
        return {e: f"{n} ({e})" for e, n in self.final["name"].items()}

    def in_category(self, category: str) -> pd.DataFrame:
        """The entries of one category, best first."""
        part = self.final[self.final["category"] == category]
        return part.sort_values(["rank", "total_post"], ascending=[True, False], kind="mergesort")

    def conflicted_members(self, entry_id: str) -> list[str]:
        """Jury ids who declared a conflict with `entry_id`."""
        return sorted(m for m, es in self.conflicts.items() if entry_id in es)

    def sections(self) -> list[str]:
        """Section ids, in order."""
        return [
            c.removesuffix("_post") for c in self.final.columns if c.endswith("_post") and c != "total_post"
        ]
