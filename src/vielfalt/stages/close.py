"""The close stage (``07_results``): tally the jury's votes, measure agreement, write letters and exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vielfalt.columns import CATEGORY, ENTRY_ID
from vielfalt.config.edition import load_context
from vielfalt.exceptions import DataError
from vielfalt.i18n import t
from vielfalt.jury import VOTE_HEADINGS, agreement, read_votes, tally_votes
from vielfalt.runs.manifest import read_artefact, write_artefact
from vielfalt.stages._common import conflicts_by_entry, failure_headings, headings, organisation_names

__all__ = ["AWARD_COLUMNS", "CloseResult", "close_stage"]

#: The contract columns of ``close/awards``.
AWARD_COLUMNS = [CATEGORY, "yes", "no", "abstain", "awarded", "recommended", "tie", "decided_by"]
#: The columns of the awards table people read (headings: ``stages.awards_<column>``).
AWARD_TABLE_COLUMNS = [
    ENTRY_ID,
    "name",
    CATEGORY,
    "total_post",
    "recommended",
    "yes",
    "no",
    "abstain",
    "tie",
    "awarded",
    "decision",
]
#: The columns of ``close/agreement`` people read (headings: ``stages.agreement_<column>``).
AGREEMENT_COLUMNS = [
    CATEGORY,
    "k",
    "precision_at_k",
    "kendall_tau",
    "n_entries",
    "n_voted",
    "n_recommended",
    "n_awarded",
    "n_recommended_awarded",
]


@dataclass
class CloseResult:
    """What the close stage produced."""

    awards: pd.DataFrame
    agreement: pd.DataFrame
    failures: pd.DataFrame
    table: pd.DataFrame
    agreement_table: pd.DataFrame
    letters: dict[str, Path]
    public_excluded: pd.DataFrame
    summary: list[str]
    files: dict[str, Path] = field(default_factory=dict)


def close_stage(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> CloseResult:
    """Tally the jury's votes, measure agreement, write the letters and the public export.

    Reads ``data/<ed>/jury_votes.csv`` (member, entry, yes/no/abstain) and ``jury/final_scores``. Writes
    ``close/votes``, ``close/vote_failures``, ``close/awards`` (contract: ``category``, ``yes``, ``no``,
    ``abstain``, ``awarded``, ``recommended``, ``tie``, ``decided_by``), ``close/agreement`` (``category``,
    ``k``, ``precision_at_k``, ``kendall_tau``), ``letters/brief_<entry>.html`` (one per participant),
    ``exports/public_<ed>.{xlsx,csv}`` (winners with consent only) and ``close/ergebnis_<ed>.xlsx``.

    Parameters
    ----------
    project_root : path
    edition : str
    run_dir : path
        The run folder with the jury stage's artefacts.
    lang : {"de", "en"}, optional
        Language of the letters, files and summary; default the edition's.

    Returns
    -------
    CloseResult

    Raises
    ------
    DataError
        When the votes file does not exist, naming it and its columns.
    """
    from vielfalt.outputs.letters import write_letters
    from vielfalt.outputs.profiles import public_export, write_profile
    from vielfalt.outputs.spreadsheets import write_xlsx

    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    final = read_artefact(run_dir, "jury/final_scores", produced_by="jury")
    entries = read_artefact(run_dir, "intake/entries", produced_by="intake")
    path = Path(project_root) / "data" / ed.edition / "jury_votes.csv"
    if not path.is_file():
        msg = t("stages.missing_votes", lang, path=path, heads=", ".join(VOTE_HEADINGS[lang].values()))
        raise DataError(msg, path=str(path))
    conflicts = conflicts_by_entry(ed.jury, entries, q)
    vi = read_votes(path, jury=ed.jury, entries=final.index, conflicts=conflicts, lang=lang)
    awards, reports = tally_votes(
        vi.votes, final, tie_rule=ed.tie_rule, threshold=ed.label_threshold, chair=ed.jury_chair, lang=lang
    )
    awards = awards[[*AWARD_COLUMNS, "decision"]]
    ag = agreement(final, awards, categories=[c for c in ed.categories() if (final[CATEGORY] == c).any()])
    failures = pd.concat([vi.failures, reports], ignore_index=True) if len(reports) else vi.failures

    write_artefact(vi.votes, run_dir, "close/votes")
    write_artefact(failures, run_dir, "close/vote_failures")
    write_artefact(awards, run_dir, "close/awards")
    write_artefact(ag, run_dir, "close/agreement")

    letters = write_letters(project_root, ed.edition, run_dir, awards=awards, lang=lang)
    public, excluded = public_export(awards, entries, ed=ed, q=q, lang=lang)
    pub_files = write_profile(public, run_dir / "exports", f"public_{ed.edition}", lang=lang)
    labels = {c: ed.category_scheme.label(c, lang) for c in ed.categories()}
    yes, no = t("common.yes", lang), t("common.no", lang)
    order = sorted(
        awards.index,
        key=lambda e: (ed.categories().index(awards.at[e, CATEGORY]), -float(final.at[e, "total_post"]), e),
    )
    ordered = awards.loc[order]
    table = pd.DataFrame(
        {
            ENTRY_ID: order,
            "name": organisation_names(entries, q, order).tolist(),
            CATEGORY: [labels.get(c, c) for c in ordered[CATEGORY]],
            "total_post": final["total_post"].reindex(order).round(1).tolist(),
            "recommended": [yes if v else no for v in ordered["recommended"]],
            "yes": ordered["yes"].tolist(),
            "no": ordered["no"].tolist(),
            "abstain": ordered["abstain"].tolist(),
            "tie": [yes if v else no for v in ordered["tie"]],
            "awarded": [yes if v else no for v in ordered["awarded"]],
            "decision": ordered["decision"].tolist(),
        }
    )
    heads = list(headings("awards", AWARD_TABLE_COLUMNS, lang).values())
    s_awards, s_fail = t("stages.sheet_awards", lang), t("stages.sheet_not_counted", lang)
    result_xlsx = write_xlsx(
        {s_awards: table, s_fail: failures},
        run_dir / "close" / f"ergebnis_{ed.edition}.xlsx",
        headers={s_awards: heads, s_fail: failure_headings(lang)},
    )
    summary = []
    for c in ed.categories():
        part = awards[awards[CATEGORY] == c]
        if not len(part):
            continue
        won = list(part.index[part["awarded"]])
        ids = f" ({', '.join(won)})" if won else ""
        summary.append(t("stages.close_line", lang, label=labels[c], n=len(won), ids=ids))
    n_bad = int((vi.failures["severity"] == "error").sum()) if len(vi.failures) else 0
    summary.append(t("stages.close_votes", lang, read=vi.rows_read, counted=len(vi.votes), bad=n_bad))
    if len(excluded):
        summary.append(t("stages.not_published", lang, ids=", ".join(excluded.index)))
    ag_table = (
        ag.assign(**{CATEGORY: [labels.get(c, c) for c in ag[CATEGORY]]})
        .round(3)
        .rename(columns=headings("agreement", AGREEMENT_COLUMNS, lang))
    )
    summary.append(t("stages.close_letters", lang, n=len(letters)))
    return CloseResult(
        awards=awards,
        agreement=ag,
        failures=failures,
        table=table.set_axis(heads, axis=1),
        agreement_table=ag_table,
        letters=letters,
        public_excluded=excluded,
        summary=summary,
        files={"result": result_xlsx, **pub_files, "letters": run_dir / "letters"},
    )
