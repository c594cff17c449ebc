"""The robustness stage (``04_robustness``): how far the ranking moves when the scoring assumptions vary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from vielfalt.columns import ENTRY_ID
from vielfalt.config.edition import load_context
from vielfalt.exceptions import DataError
from vielfalt.i18n import t
from vielfalt.runs.manifest import read_artefact, write_artefact, write_json_artefact
from vielfalt.stages._common import headings, organisation_names

if TYPE_CHECKING:
    from vielfalt.robustness.factors import UncertaintyResult

__all__ = ["RANK_COLUMNS", "RobustnessResult", "rank_headings", "robustness_stage", "sensitivity_summary"]

#: The columns of the rank-statistics and candidate tables (headings: ``stages.rank_<column>``).
RANK_COLUMNS = [
    ENTRY_ID,
    "name",
    "category",
    "total",
    "Nominal",
    "Mean",
    "Median",
    "Q5",
    "Q95",
    "P_topk",
    "k",
    "status",
    "selected",
    "priority",
    "reasons",
    "reason_text",
]


def rank_headings(lang: str = "de") -> dict[str, str]:
    """Headings of the rank-statistics and candidate tables as evaluators read them.

    Examples
    --------
    >>> rank_headings("de")["P_topk"]
    'P(Rang ≤ k)'
    """
    return headings("rank", RANK_COLUMNS, lang)


@dataclass
class RobustnessResult:
    """What the robustness stage produced."""

    result: UncertaintyResult
    table: pd.DataFrame  # for display: name, category and the rank statistics
    notes: list[str]
    summary: str


def _text_scores_by_model(run_dir: Path) -> dict[str, pd.DataFrame] | None:
    """The text scores (entries × rated items) under every rater model; None without a ratings stage."""
    try:
        ts = read_artefact(run_dir, "ratings/text_scores")
    except DataError:
        return None
    return {
        str(m): part.pivot_table(index=ENTRY_ID, columns="item", values="score")
        for m, part in ts.groupby("model", sort=True)
    }


def sensitivity_summary(sensitivity: pd.DataFrame, lang: str = "de") -> str:
    """One sentence: which assumption moves the ranking most (by total Sobol' index).

    Parameters
    ----------
    sensitivity : DataFrame
        ``robustness/sensitivity``: one row per factor with ``label`` and ``STi``.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    str
        The three factors with the largest total index, or that none moves the ranking.
    """
    valid = sensitivity.dropna(subset=["STi"])
    valid = valid[valid["STi"] > 0].sort_values("STi", ascending=False)
    if not len(valid):
        return t("stages.sensitivity_none", lang)
    parts = [f"{r.label} (Sᴛ = {r.STi:.2f})" for r in valid.head(3).itertuples()]
    head, rest = parts[0], parts[1:]
    then = t("stages.sensitivity_then", lang, rest=", ".join(rest)) if rest else "."
    return t("stages.sensitivity_most", lang, head=head) + then


def robustness_stage(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> RobustnessResult:
    """Vary the scoring assumptions: rank intervals, P(rank ≤ k) per entry and Sobol' indices.

    Reads ``intake/entries``, ``scoring/ranks`` and (when present) ``ratings/text_scores``; writes
    ``robustness/rank_stats``, ``robustness/sensitivity``, ``robustness/draws`` and ``robustness/settings``.

    Parameters
    ----------
    project_root : path
    edition : str
    run_dir : path
    lang : {"de", "en"}, optional
        Language of the notes, labels and headings; default the edition's.

    Returns
    -------
    RobustnessResult
    """
    from vielfalt.robustness import run_uncertainty
    from vielfalt.runs.progress import ProgressReporter

    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    entries = read_artefact(run_dir, "intake/entries", produced_by="intake")
    ranks = read_artefact(run_dir, "scoring/ranks", produced_by="scoring")
    text = _text_scores_by_model(run_dir)
    with ProgressReporter(run_dir, t("stages.progress_robustness", lang), lang=lang) as report:
        res = run_uncertainty(
            entries,
            q,
            ed.scoring,
            ed.robustness,
            nominal_ranks=ranks["total"].astype(float),
            capacity=ed.capacity,
            seed=ed.seed,
            text_scores=text,
            lang=lang,
            progress=report,
        )
    write_artefact(res.rank_stats, run_dir, "robustness/rank_stats")
    write_artefact(res.sensitivity, run_dir, "robustness/sensitivity")
    write_artefact(res.draws, run_dir, "robustness/draws")
    write_json_artefact(
        {
            "robustness": ed.robustness.model_dump(mode="json"),
            "scoring": ed.scoring.model_dump(mode="json"),
            "seed": ed.seed,
            "capacity": dict(ed.capacity),
            "notes": res.notes,
        },
        run_dir,
        "robustness/settings",
    )
    heads = rank_headings(lang)
    table = res.rank_stats.copy()
    table.insert(0, "name", organisation_names(entries, q, table.index))
    table["category"] = [ed.category_scheme.label(str(c), lang) for c in table["category"]]
    table = table.sort_values(["category", "Nominal", "Median"]).rename(columns=heads)
    table.index.name = heads[ENTRY_ID]
    return RobustnessResult(
        result=res, table=table, notes=res.notes, summary=sensitivity_summary(res.sensitivity, lang)
    )
