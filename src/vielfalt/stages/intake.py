"""The intake stage (``01_intake``): read and validate the inputs, assign categories, write rating sheets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vielfalt.columns import CATEGORY, ENTRY_ID, REASON, ROW, SOURCE
from vielfalt.config.edition import Edition, load_context, resolve_data_path
from vielfalt.config.questionnaire import Questionnaire
from vielfalt.exceptions import DataError
from vielfalt.i18n import t
from vielfalt.intake.validate import ValidationReport, validate_files
from vielfalt.outputs.spreadsheets import write_xlsx
from vielfalt.ratings import design_ratings, rating_sheets
from vielfalt.runs.manifest import write_artefact
from vielfalt.stages._common import conflicts_by_entry, failure_headings, headings, nulls_as_none

__all__ = ["IntakeResult", "category_source_counts", "intake_stage", "quarantine_table"]

#: The columns of the quarantine as evaluators read it (headings: ``stages.quarantine_<column>``).
QUARANTINE_COLUMNS = [SOURCE, ROW, ENTRY_ID, "response_id", "name", REASON]


@dataclass
class IntakeResult:
    """What the intake stage produced."""

    report: ValidationReport
    counts: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    rating_sheets: dict[str, Path] = field(default_factory=dict)


def _write_rating_sheets(
    ed: Edition, q: Questionnaire, accepted: pd.DataFrame, run_dir: Path, lang: str
) -> dict[str, Path]:
    """Assign the raters (``intake/rating_design``) and write one rating sheet per evaluator."""
    assignment = design_ratings(
        accepted,
        [e.id for e in ed.evaluators],
        per_text=ed.raters_per_text,
        seed=ed.seed,
        conflicts=conflicts_by_entry(ed.evaluators, accepted, q),
        groups=accepted[CATEGORY],
        lang=lang,
    )
    write_artefact(assignment, run_dir, "intake/rating_design")
    out: dict[str, Path] = {}
    for sheet in rating_sheets(
        assignment, accepted, q, edition=ed.edition, title=ed.title.get(lang), lang=lang
    ):
        out[sheet.rater] = write_xlsx(
            {sheet.sheet: sheet.table},
            run_dir / "rating_sheets" / sheet.file_name,
            headers={sheet.sheet: sheet.headings},
            title_rows={sheet.sheet: sheet.title},
            column_widths={sheet.sheet: sheet.column_widths},
            validations={sheet.sheet: sheet.validations},
        )
    return out


def intake_stage(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> IntakeResult:
    """Run the intake stage: read and validate every input, assign categories, write artefacts.

    Writes ``artefacts/intake/entries.parquet`` (accepted, typed), ``intake/quarantine``,
    ``intake/failures``, ``intake/counts``, ``intake_report.xlsx`` for evaluators (quarantine and every
    finding) and one rating sheet per evaluator under ``rating_sheets/``.

    Parameters
    ----------
    project_root : path
        The project (``params/``, ``data/``).
    edition : str
        The edition id (``params/editions/<edition>.yaml``).
    run_dir : path
        The run folder the artefacts and files are written to.
    lang : {"de", "en"}, optional
        Language of the evaluators' files; default the edition's.

    Returns
    -------
    IntakeResult

    Raises
    ------
    DataError
        When an input file named in the edition does not exist, naming it and what it must contain.
    """
    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    files = []
    for spec in ed.inputs:
        path = resolve_data_path(project_root, ed, spec.file)
        if not (path.is_file() or (spec.dialect == "form" and path.is_dir())):  # forms: a file or a folder
            kind = "LimeSurvey-CSV" if spec.dialect == "limesurvey" else "Excel/CSV"
            msg = t("stages.input_missing", lang, path=path, kind=kind, edition=ed.edition)
            raise DataError(msg, path=str(path))
        files.append((spec, path))
    report = validate_files(ed, q, files, lang=lang)

    write_artefact(report.accepted, run_dir, "intake/entries")
    write_artefact(nulls_as_none(report.quarantine), run_dir, "intake/quarantine")
    write_artefact(nulls_as_none(report.failures), run_dir, "intake/failures")

    counts = category_source_counts(report, ed, lang)
    write_artefact(counts, run_dir, "intake/counts")

    qh = headings("quarantine", QUARANTINE_COLUMNS, lang)
    quarantine_view = (
        report.quarantine[QUARANTINE_COLUMNS]
        if len(report.quarantine)
        else pd.DataFrame(columns=QUARANTINE_COLUMNS)
    )
    s_quarantine, s_findings = t("stages.sheet_quarantine", lang), t("stages.sheet_findings", lang)
    xlsx = write_xlsx(
        {s_quarantine: quarantine_view, s_findings: report.failures},
        run_dir / "intake_report.xlsx",
        headers={s_quarantine: list(qh.values()), s_findings: failure_headings(lang)},
    )
    sheets = _write_rating_sheets(ed, q, report.accepted, run_dir, lang)
    return IntakeResult(report=report, counts=counts, files={"intake_report": xlsx}, rating_sheets=sheets)


def category_source_counts(report: ValidationReport, ed: Edition, lang: str = "de") -> pd.DataFrame:
    """Accepted entries per category (rows) and source (columns), with totals and the quarantined count.

    Parameters
    ----------
    report : ValidationReport
        The intake's validation report.
    ed : Edition
        Gives the categories, in order, and their labels.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    DataFrame
        int64 counts; a total column and a last row with the quarantined rows per source.
    """
    acc = report.accepted
    cats = ed.categories()
    sources = [s["source"] for s in report.sources]
    table = pd.crosstab(
        pd.Categorical(acc[CATEGORY], categories=cats),
        pd.Categorical(acc[SOURCE], categories=sources),
        dropna=False,
    )
    table.index = [ed.category_scheme.label(c, lang) for c in cats]
    table.index.name = t("stages.counts_category", lang)
    table.columns = [str(c) for c in table.columns]
    total = t("stages.counts_total", lang)
    table[total] = table.sum(axis=1)
    quarantined = report.quarantine[SOURCE].value_counts() if len(report.quarantine) else pd.Series(dtype=int)
    qrow = {s: int(quarantined.get(s, 0)) for s in sources}
    qrow[total] = int(sum(qrow.values()))
    table.loc[t("stages.counts_quarantined", lang)] = qrow
    return table.astype("int64")


def quarantine_table(report: ValidationReport, lang: str = "de") -> pd.DataFrame:
    """The quarantine for display: source, row, organisation and the reasons, headings in ``lang``.

    Parameters
    ----------
    report : ValidationReport
    lang : {"de", "en"}, default "de"

    Returns
    -------
    DataFrame
        One row per quarantined row of an input.
    """
    qh = headings("quarantine", QUARANTINE_COLUMNS, lang)
    if not len(report.quarantine):
        return pd.DataFrame(columns=list(qh.values()))
    view = report.quarantine[[SOURCE, ROW, "name", REASON]].rename(columns=qh)
    return view.reset_index(drop=True)
