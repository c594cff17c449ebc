"""Stage functions: what each stage notebook calls, one call per step.

A stage reads its inputs (raw files or earlier artefacts), computes through the modules above, and writes
artefacts and evaluator files into the run directory. Notebooks stay thin: parameters, one call, display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from vielfalt.columns import CATEGORY, ENTRY_ID, REASON, ROW, SOURCE
from vielfalt.edition import Edition, edition_path, load_edition, resolve_data_path
from vielfalt.exceptions import DataError
from vielfalt.export import write_xlsx
from vielfalt.provenance import write_artefact
from vielfalt.questionnaire import Questionnaire
from vielfalt.raters import design_ratings
from vielfalt.validate import ValidationReport, validate_files

__all__ = [
    "IntakeResult",
    "RatingsResult",
    "ScoringResult",
    "category_source_counts",
    "intake_stage",
    "load_context",
    "conflicts_by_entry",
    "quarantine_table",
    "ratings_stage",
    "scoring_stage",
]

QUARANTINE_HEADINGS = {
    "de": {
        "source": "Quelle",
        "row": "Zeile",
        "entry_id": "Eintrag",
        "response_id": "Antwort-ID",
        "name": "Organisation",
        "reason": "Grund",
    },
    "en": {
        "source": "Source",
        "row": "Row",
        "entry_id": "Entry",
        "response_id": "Response ID",
        "name": "Organisation",
        "reason": "Reason",
    },
}
FAILURE_HEADINGS = {
    "de": ["Quelle", "Zeile", "Eintrag", "Item", "Spalte", "Prüfung", "Wert", "Schwere", "Grund", "Was tun"],
    "en": ["Source", "Row", "Entry", "Item", "Column", "Check", "Value", "Severity", "Reason", "Fix"],
}


def load_context(project_root: str | Path, edition: str) -> tuple[Edition, Questionnaire]:
    """Load an edition and its questionnaire from a project's ``params`` folder."""
    params = Path(project_root) / "params"
    ed, q = load_edition(edition_path(edition, params_dir=params), with_questionnaire=True)
    return ed, q


@dataclass
class IntakeResult:
    """What the intake stage produced."""

    report: ValidationReport
    counts: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    rating_sheets: dict[str, Path] = field(default_factory=dict)


def conflicts_by_entry(people: list, entries: pd.DataFrame) -> dict[str, list[str]]:
    """Person id → entry ids they declared a conflict with (by entry id or by organisation name)."""
    names = entries["A01"].fillna("").astype(str).str.casefold().str.strip() if "A01" in entries else None
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


def _write_rating_sheets(
    ed: Edition, q: Questionnaire, accepted: pd.DataFrame, run_dir: Path, lang: str
) -> dict[str, Path]:
    rubric_items = [it for _, it in q.iter_items() if it.scoring.kind == "rubric"]
    assignment = design_ratings(
        accepted,
        [e.id for e in ed.evaluators],
        per_text=ed.raters_per_text,
        seed=ed.seed,
        conflicts=conflicts_by_entry(ed.evaluators, accepted),
        groups=accepted[CATEGORY],
    )
    write_artefact(assignment, run_dir, "intake/rating_design")
    scale = (
        ", ".join(f"{o.code} = {o.label.get(lang)}" for o in q.scales["rubric5"].options)
        if "rubric5" in q.scales
        else "0–4"
    )
    out: dict[str, Path] = {}
    for rater, part in assignment.groupby("rater", sort=True):
        rows = []
        for eid in part[ENTRY_ID]:
            for it in rubric_items:
                rows.append(
                    {
                        "edition": ed.edition,
                        ENTRY_ID: eid,
                        "item": it.id,
                        "criterion": it.scoring.criterion or "",
                        "question": it.label.get(lang),
                        "text": accepted.at[eid, it.id] or "",
                        "rating": None,
                        "note": None,
                    }
                )
        df = pd.DataFrame(rows)
        heads = (
            ["Edition", "Eintrag", "Item", "Kriterium", "Frage", "Antworttext", "Bewertung (0–4)", "Notiz"]
            if lang == "de"
            else ["Edition", "Entry", "Item", "Criterion", "Question", "Answer text", "Rating (0–4)", "Note"]
        )
        title = [
            (
                f"Bewertungsbogen {ed.title.get(lang)} — Gutachter/in {rater}"
                if lang == "de"
                else f"Rating sheet {ed.title.get(lang)} — evaluator {rater}"
            ),
            (
                f"Skala: {scale}. Bitte nur Spalte G (Bewertung) und H (Notiz) ausfüllen."
                if lang == "de"
                else f"Scale: {scale}. Please fill in columns G (rating) and H (note) only."
            ),
        ]
        first, last = 4, 3 + len(df)
        path = run_dir / "rating_sheets" / f"bewertung_{ed.edition}_{rater}.xlsx"
        out[str(rater)] = write_xlsx(
            {"Bewertung": df},
            path,
            headers={"Bewertung": heads},
            title_rows={"Bewertung": title},
            column_widths={"Bewertung": {"B": 16, "D": 16, "E": 40, "F": 80, "G": 14, "H": 30}},
            validations={
                "Bewertung": [
                    (
                        f"G{first}:G{max(last, first)}",
                        "0,1,2,3,4",
                        "Bewertung 0–4" if lang == "de" else "rating 0–4",
                    )
                ]
            },
        )
    return out


def intake_stage(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> IntakeResult:
    """Run the intake stage: read and validate every input, assign categories, write artefacts.

    Writes ``artefacts/intake/entries.parquet`` (accepted, typed), ``intake/quarantine``,
    ``intake/failures``, ``intake/counts``, ``intake_report.xlsx`` for evaluators (quarantine and every finding,
    German headings) and one rating sheet per evaluator under ``rating_sheets/``.

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
            msg = (
                f"Eingabedatei fehlt: {path}. Erwartet wird der Export der Teilnahmebögen "
                f"({'LimeSurvey-CSV' if spec.dialect == 'limesurvey' else 'Excel/CSV'}) mit einer Zeile je "
                "Einsendung und Spalten mit den Codes des Fragebogens (siehe Codebuch). Datei ablegen oder "
                f"in params/editions/{ed.edition}.yaml unter inputs austragen."
            )
            raise DataError(msg, path=str(path))
        files.append((spec, path))
    report = validate_files(ed, q, files, lang=lang)

    write_artefact(report.accepted, run_dir, "intake/entries")
    write_artefact(
        report.quarantine.astype(object).where(report.quarantine.notna(), None), run_dir, "intake/quarantine"
    )
    write_artefact(
        report.failures.astype(object).where(report.failures.notna(), None), run_dir, "intake/failures"
    )

    counts = category_source_counts(report, ed, lang)
    write_artefact(counts, run_dir, "intake/counts")

    qh = QUARANTINE_HEADINGS[lang]
    qcols = list(qh)
    quarantine_view = report.quarantine[qcols] if len(report.quarantine) else pd.DataFrame(columns=qcols)
    xlsx = write_xlsx(
        {
            ("Zurückgestellt" if lang == "de" else "Quarantine"): quarantine_view,
            ("Alle Befunde" if lang == "de" else "All findings"): report.failures,
        },
        run_dir / "intake_report.xlsx",
        headers={
            ("Zurückgestellt" if lang == "de" else "Quarantine"): [qh[c] for c in qcols],
            ("Alle Befunde" if lang == "de" else "All findings"): FAILURE_HEADINGS[lang],
        },
    )
    sheets = _write_rating_sheets(ed, q, report.accepted, run_dir, lang)
    return IntakeResult(report=report, counts=counts, files={"intake_report": xlsx}, rating_sheets=sheets)


def category_source_counts(report: ValidationReport, ed: Edition, lang: str = "de") -> pd.DataFrame:
    """Accepted entries per category (rows) and source (columns), with totals and the quarantined count."""
    acc = report.accepted
    cats = ed.categories()
    sources = [s["source"] for s in report.sources]
    table = pd.crosstab(
        pd.Categorical(acc[CATEGORY], categories=cats),
        pd.Categorical(acc[SOURCE], categories=sources),
        dropna=False,
    )
    table.index = [ed.category_scheme.label(c, lang) for c in cats]
    table.index.name = "Kategorie" if lang == "de" else "Category"
    table.columns = [str(c) for c in table.columns]
    table["Summe" if lang == "de" else "Total"] = table.sum(axis=1)
    quarantined = report.quarantine[SOURCE].value_counts() if len(report.quarantine) else pd.Series(dtype=int)
    qrow = {s: int(quarantined.get(s, 0)) for s in sources}
    qrow["Summe" if lang == "de" else "Total"] = int(sum(qrow.values()))
    table.loc["zurückgestellt" if lang == "de" else "quarantined"] = qrow
    return table.astype("int64")


def quarantine_table(report: ValidationReport, lang: str = "de") -> pd.DataFrame:
    """The quarantine for display: source, row, organisation and the reasons, German headings."""
    qh = QUARANTINE_HEADINGS[lang]
    if not len(report.quarantine):
        return pd.DataFrame(columns=list(qh.values()))
    view = report.quarantine[[SOURCE, ROW, "name", REASON]].rename(columns=qh)
    return view.reset_index(drop=True)


# --- ratings ----------------------------------------------------------------------------------------


@dataclass
class RatingsResult:
    """What the ratings stage produced."""

    returned: Any
    design_check: Any
    reliability: pd.DataFrame
    effects: Any
    text_scores: pd.DataFrame  # entry_id, item, model, score (0–4)
    ranks: pd.DataFrame  # entry_id, category, model ranks of the text section, max shift


def ratings_stage(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> RatingsResult:
    """Read the returned rating sheets, check them, measure agreement and rater severity.

    Input: ``data/<ed>/ratings/`` with the sheets as handed out by the intake (XLSX, or saved as CSV).
    Partial returns are accepted and reported; missing ratings stay missing, never zero.
    """
    from vielfalt.provenance import read_artefact
    from vielfalt.raters import (
        RATER_MODELS,
        check_design,
        rater_effects,
        read_rating_sheets,
        reliability_table,
        text_scores,
    )

    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    folder = Path(project_root) / "data" / ed.edition / "ratings"
    paths = sorted([*folder.glob("*.xlsx"), *folder.glob("*.csv")]) if folder.is_dir() else []
    if not paths:
        msg = (
            f"Keine Bewertungsbögen in {folder}. Erwartet werden die ausgefüllten Bögen aus dem Intake-Lauf "
            f"(rating_sheets/bewertung_{ed.edition}_<Kürzel>.xlsx), eine Datei je Gutachter/in, Spalte "
            "„Bewertung (0–4)“ ausgefüllt."
        )
        raise DataError(msg, path=str(folder))
    entries = read_artefact(run_dir, "intake/entries")
    design = read_artefact(run_dir, "intake/rating_design")
    rubric = [it.id for _, it in q.iter_items() if it.scoring.kind == "rubric"]
    returned = read_rating_sheets(
        paths,
        edition=ed.edition,
        design=design,
        accepted=set(entries.index),
        rubric_items=rubric,
        raters=[e.id for e in ed.evaluators],
        lang=lang,
    )
    check = check_design(design)
    ratings = returned.ratings
    reliability = reliability_table(ratings, entries[CATEGORY])
    effects = rater_effects(ratings, connected=check.connected)
    long = []
    for model in RATER_MODELS:
        ts = text_scores(ratings, model).stack().rename("score").reset_index()
        long.append(ts.assign(model=model))
    scores = pd.concat(long, ignore_index=True)[[ENTRY_ID, "item", "model", "score"]]
    section = scores.groupby([ENTRY_ID, "model"])["score"].mean().unstack("model")
    cat = entries[CATEGORY].reindex(section.index)
    ranks = section.groupby(cat).rank(ascending=False, method="min").astype("Int64")
    ranks.columns = [f"rank_{c}" for c in ranks.columns]
    ranks.insert(0, CATEGORY, cat)
    ranks["max_shift"] = (
        ranks.filter(like="rank_").max(axis=1) - ranks.filter(like="rank_").min(axis=1)
    ).astype("Int64")
    ranks = ranks.reset_index()

    write_artefact(ratings, run_dir, "ratings/ratings")
    write_artefact(
        returned.failures.astype(object).where(returned.failures.notna(), None), run_dir, "ratings/failures"
    )
    write_artefact(returned.missing, run_dir, "ratings/missing")
    write_artefact(reliability, run_dir, "ratings/reliability")
    write_artefact(effects.table, run_dir, "ratings/rater_effects")
    write_artefact(scores, run_dir, "ratings/text_scores")
    write_artefact(ranks, run_dir, "ratings/rank_by_model")
    return RatingsResult(
        returned=returned,
        design_check=check,
        reliability=reliability,
        effects=effects,
        text_scores=scores,
        ranks=ranks,
    )


# --- scoring ----------------------------------------------------------------------------------------


@dataclass
class ScoringResult:
    """What the scoring stage produced."""

    result: Any
    ranking: pd.DataFrame
    analysis: pd.DataFrame
    notes: list[str]


def scoring_stage(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> ScoringResult:
    """Score every accepted entry with the edition's scoring settings and rank within categories."""
    from vielfalt.items import FLAG_LABELS, TOTAL
    from vielfalt.provenance import read_artefact
    from vielfalt.scoring import item_analysis, score_entries, top_contributors

    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    entries = read_artefact(run_dir, "intake/entries")
    notes = []
    text = None
    try:
        ts = read_artefact(run_dir, "ratings/text_scores")
        text = ts[ts["model"] == ed.scoring.rater_model].pivot_table(
            index=ENTRY_ID, columns="item", values="score"
        )
        notes.append(
            f"Freitexte: Bewertungen mit Modell „{ed.scoring.rater_model}“."
            if lang == "de"
            else f"Free texts: ratings adjusted with model '{ed.scoring.rater_model}'."
        )
    except DataError:
        notes.append(
            "Keine Bewertungen der Freitexte: Abschnitt F bleibt leer, sein Gewicht wird verteilt."
            if lang == "de"
            else "No free-text ratings: section F is empty and its weight is spread."
        )
    res = score_entries(entries, q, ed.scoring, text_scores=text)
    for c, n in entries[CATEGORY].value_counts().items():
        if n == 1:
            notes.append(
                f"Kategorie {ed.category_scheme.label(str(c), lang)} hat nur einen Eintrag: Rang 1 ohne Vergleich."
                if lang == "de"
                else f"Category {c} has a single entry: rank 1 without comparison."
            )
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
            "name": entries["A01"],
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
