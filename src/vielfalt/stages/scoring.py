"""The scoring stage (``03_scoring``): score every accepted entry and rank it within its category."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from vielfalt.columns import CATEGORY, ENTRY_ID
from vielfalt.config.edition import Edition, load_context
from vielfalt.config.questionnaire import Questionnaire
from vielfalt.exceptions import DataError
from vielfalt.i18n import t
from vielfalt.runs.manifest import read_artefact, write_artefact
from vielfalt.stages._common import organisation_names

if TYPE_CHECKING:
    from vielfalt.scoring.scores import ScoreResult

__all__ = ["ScoringResult", "scoring_stage"]


@dataclass
class ScoringResult:
    """What the scoring stage produced."""

    result: ScoreResult
    ranking: pd.DataFrame
    analysis: pd.DataFrame
    notes: list[str]


def _text_scores(run_dir: Path, ed: Edition, q: Questionnaire, lang: str) -> tuple[pd.DataFrame | None, str]:
    """The rated free texts under the edition's rater model and a note saying so (or why there are none)."""
    try:
        ts = read_artefact(run_dir, "ratings/text_scores")
    except DataError:
        section = q.rated_section()
        if section is None:
            return None, t("stages.note_no_rated_items", lang)
        return None, t("stages.note_no_ratings", lang, section=section.label.get(lang))
    text = ts[ts["model"] == ed.scoring.rater_model].pivot_table(
        index=ENTRY_ID, columns="item", values="score"
    )
    return text, t("stages.note_rater_model", lang, model=ed.scoring.rater_model)


def scoring_stage(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> ScoringResult:
    """Score every accepted entry with the edition's scoring settings and rank within categories.

    Reads ``intake/entries`` and (when the ratings stage ran) ``ratings/text_scores``; writes the
    ``scoring/*`` artefacts: indicators, scores, ranks, contributions, fields, flags, item analysis,
    hierarchy and weights.

    Parameters
    ----------
    project_root : path
    edition : str
    run_dir : path
    lang : {"de", "en"}, optional
        Language of the notes and labels; default the edition's.

    Returns
    -------
    ScoringResult
    """
    from vielfalt.scoring.items import FLAG_LABELS, TOTAL
    from vielfalt.scoring.scores import item_analysis, score_entries, top_contributors

    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    entries = read_artefact(run_dir, "intake/entries")
    text, note = _text_scores(run_dir, ed, q, lang)
    notes = [note]
    res = score_entries(entries, q, ed.scoring, text_scores=text)
    for c, n in entries[CATEGORY].value_counts().items():
        if n == 1:
            notes.append(t("stages.note_single_entry", lang, category=ed.category_scheme.label(str(c), lang)))
    why = top_contributors(res.contributions, res.items.labels)
    flags = res.items.flags
    flag_text = (
        flags.apply(
            lambda r: "; ".join(sorted({FLAG_LABELS[k.split(":")[0]][lang] for k, v in r.items() if v})),
            axis=1,
        )
        if len(flags.columns)
        else pd.Series("", index=entries.index)
    )
    ranking = pd.DataFrame(
        {
            "name": organisation_names(entries, q),
            CATEGORY: entries[CATEGORY],
            "total": res.scores[TOTAL].round(2),
            "rank": res.ranks[TOTAL].astype("Int64"),
            "why": why,
            "flags": flag_text.reindex(entries.index),
        }
    ).sort_values([CATEGORY, "rank", "name"])
    analysis = item_analysis(res)

    write_artefact(res.indicators, run_dir, "scoring/indicators")
    write_artefact(res.items.indicators, run_dir, "scoring/indicators_raw")
    write_artefact(res.scores, run_dir, "scoring/scores")
    write_artefact(res.ranks.astype("Int64"), run_dir, "scoring/ranks")
    write_artefact(res.contributions, run_dir, "scoring/contributions")
    write_artefact(res.items.fields, run_dir, "scoring/fields")
    write_artefact(flags, run_dir, "scoring/flags")
    write_artefact(analysis, run_dir, "scoring/item_analysis")
    hierarchy = pd.DataFrame(
        {
            "code": list(res.items.parents),
            "parent": list(res.items.parents.values()),
            "label": [res.items.labels.get(k, k) for k in res.items.parents],
        }
    )
    write_artefact(hierarchy, run_dir, "scoring/hierarchy")
    weights = pd.DataFrame(res.items.weights).rename_axis("code").reset_index()
    write_artefact(weights, run_dir, "scoring/weights")
    return ScoringResult(result=res, ranking=ranking, analysis=analysis, notes=notes)
