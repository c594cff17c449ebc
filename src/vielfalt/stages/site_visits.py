"""Stage functions: what each stage notebook calls, one call per step.

A stage reads its inputs (raw files or earlier artefacts), computes through the modules above, and writes
artefacts and evaluator files into the run directory. Notebooks stay thin: parameters, one call, display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vielfalt.columns import CATEGORY, ENTRY_ID, REASON, ROW, SOURCE
from vielfalt.config.edition import Edition, load_context, resolve_data_path
from vielfalt.config.questionnaire import Questionnaire
from vielfalt.exceptions import DataError
from vielfalt.intake.validate import ValidationReport, validate_files
from vielfalt.outputs.spreadsheets import write_xlsx
from vielfalt.ratings.reliability import design_ratings
from vielfalt.runs.manifest import write_artefact

__all__ = [
    "IntakeResult",
    "RatingsResult",
    "RobustnessResult",
    "ScoringResult",
    "SiteVisitsResult",
    "category_source_counts",
    "intake_stage",
    "load_context",
    "conflicts_by_entry",
    "quarantine_table",
    "ratings_stage",
    "robustness_stage",
    "scoring_stage",
    "selection_summary",
    "sensitivity_summary",
    "site_visits_stage",
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
    from vielfalt.ratings.reliability import (
        RATER_MODELS,
        check_design,
        rater_effects,
        read_rating_sheets,
        reliability_table,
        text_scores,
    )
    from vielfalt.runs.manifest import read_artefact

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
    from vielfalt.runs.manifest import read_artefact
    from vielfalt.scoring.items import FLAG_LABELS, TOTAL
    from vielfalt.scoring.scores import item_analysis, score_entries, top_contributors

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


# --- robustness -------------------------------------------------------------------------------------

#: Headings of the rank-statistics and candidate tables as evaluators read them.
RANK_HEADINGS = {
    "de": {
        ENTRY_ID: "Eintrag",
        "name": "Organisation",
        "category": "Kategorie",
        "total": "Punkte",
        "Nominal": "Rang",
        "Mean": "Rang Ø",
        "Median": "Rang Median",
        "Q5": "Rang 5 %",
        "Q95": "Rang 95 %",
        "P_topk": "P(Rang ≤ k)",
        "k": "k (Plätze)",
        "status": "Einstufung",
        "selected": "besucht",
        "priority": "Priorität",
        "reasons": "Codes",
        "reason_text": "Gründe",
    },
    "en": {
        ENTRY_ID: "Entry",
        "name": "Organisation",
        "category": "Category",
        "total": "Points",
        "Nominal": "Rank",
        "Mean": "Mean rank",
        "Median": "Median rank",
        "Q5": "Rank 5 %",
        "Q95": "Rank 95 %",
        "P_topk": "P(rank ≤ k)",
        "k": "k (places)",
        "status": "Status",
        "selected": "visited",
        "priority": "Priority",
        "reasons": "Codes",
        "reason_text": "Reasons",
    },
}


@dataclass
class RobustnessResult:
    """What the robustness stage produced."""

    result: Any  # vielfalt.robustness.factors.UncertaintyResult
    table: pd.DataFrame  # for display: name, category and the rank statistics
    notes: list[str]
    summary: str


def _text_scores_by_model(run_dir: Path) -> dict[str, pd.DataFrame] | None:
    from vielfalt.runs.manifest import read_artefact

    try:
        ts = read_artefact(run_dir, "ratings/text_scores")
    except DataError:
        return None
    return {
        str(m): part.pivot_table(index=ENTRY_ID, columns="item", values="score")
        for m, part in ts.groupby("model", sort=True)
    }


def sensitivity_summary(sensitivity: pd.DataFrame, lang: str = "de") -> str:
    """One sentence: which assumption moves the ranking most (by total Sobol' index)."""
    valid = sensitivity.dropna(subset=["STi"])
    valid = valid[valid["STi"] > 0].sort_values("STi", ascending=False)
    if not len(valid):
        return (
            "Keine der variierten Annahmen verändert die Rangfolge."
            if lang == "de"
            else "None of the varied assumptions changes the ranking."
        )
    parts = [f"{r.label} (Sᴛ = {r.STi:.2f})" for r in valid.head(3).itertuples()]
    head, rest = parts[0], parts[1:]
    if lang == "de":
        return f"Am stärksten bewegt die Rangfolge: {head}" + (
            f"; danach {', '.join(rest)}." if rest else "."
        )
    return f"What moves the ranking most: {head}" + (f"; then {', '.join(rest)}." if rest else ".")


def robustness_stage(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> RobustnessResult:
    """Vary the scoring assumptions: rank intervals, P(rank ≤ k) per entry and Sobol' indices.

    Reads ``intake/entries``, ``scoring/ranks`` and (when present) ``ratings/text_scores``; writes
    ``robustness/rank_stats``, ``robustness/sensitivity``, ``robustness/draws`` and ``robustness/settings``.
    """
    from vielfalt.runs.manifest import read_artefact, write_json_artefact
    from vielfalt.runs.progress import ProgressReporter
    from vielfalt.sensitivity.core import run_uncertainty

    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    entries = read_artefact(run_dir, "intake/entries", produced_by="intake")
    ranks = read_artefact(run_dir, "scoring/ranks", produced_by="scoring")
    text = _text_scores_by_model(run_dir)
    with ProgressReporter(run_dir, "Robustheit" if lang == "de" else "Robustness", lang=lang) as report:
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
    table = res.rank_stats.copy()
    table.insert(0, "name", entries["A01"].reindex(table.index))
    table["category"] = [ed.category_scheme.label(str(c), lang) for c in table["category"]]
    table = table.sort_values(["category", "Nominal", "Median"]).rename(columns=RANK_HEADINGS[lang])
    table.index.name = RANK_HEADINGS[lang][ENTRY_ID]
    return RobustnessResult(
        result=res, table=table, notes=res.notes, summary=sensitivity_summary(res.sensitivity, lang)
    )


# --- site visits ------------------------------------------------------------------------------------

PLAN_HEADINGS = {
    "de": {
        "priority": "Priorität",
        "category": "Kategorie",
        ENTRY_ID: "Eintrag",
        "name": "Organisation",
        "status": "Einstufung",
        "total": "Punkte (0–100)",
        "interval": "Rang (nominal; 5–95 %)",
        "P_topk": "P(Rang ≤ k)",
        "reason_text": "Gründe und zu Prüfendes",
        "contact": "Ansprechperson",
        "phone": "Telefon",
        "email": "E-Mail",
        "visit_consent": "Besuch zugestimmt",
        "date": "Termin",
        "visitors": "Besucht von",
        "visit_note": "Notiz zum Besuch",
    },
    "en": {
        "priority": "Priority",
        "category": "Category",
        ENTRY_ID: "Entry",
        "name": "Organisation",
        "status": "Status",
        "total": "Points (0–100)",
        "interval": "Rank (nominal; 5–95 %)",
        "P_topk": "P(rank ≤ k)",
        "reason_text": "Reasons and what to check",
        "contact": "Contact person",
        "phone": "Phone",
        "email": "E-mail",
        "visit_consent": "Visit agreed",
        "date": "Date",
        "visitors": "Visited by",
        "visit_note": "Visit note",
    },
}
BLIND_COLUMNS = [
    ENTRY_ID,
    CATEGORY,
    "status",
    "selected",
    "priority",
    "reasons",
    "Nominal",
    "Q5",
    "Q95",
    "P_topk",
]


@dataclass
class SiteVisitsResult:
    """What the site_visits stage produced."""

    candidates: pd.DataFrame  # on pseudonyms, as frozen
    table: pd.DataFrame  # for display, with names joined after freezing
    plan: pd.DataFrame
    plan_view: pd.DataFrame  # the plan for the report: headings in the reader's language, no contact data
    summary: list[str]
    freeze: dict[str, str]
    files: dict[str, Path] = field(default_factory=dict)


def selection_summary(candidates: pd.DataFrame, ed: Edition, lang: str = "de") -> list[str]:
    """One line per category: capacity, how many clear / borderline / verify, who is on the list."""
    from vielfalt.selection.candidates import STATUS_LABELS

    lines = []
    for c, part in candidates.groupby(CATEGORY, sort=True):
        k = int(part["k"].iloc[0])
        counts = part["status"].value_counts()
        chosen = part[part["selected"]].sort_values("priority")
        status_txt = ", ".join(
            f"{int(counts.get(s, 0))} {STATUS_LABELS[s][lang]}"
            for s in ("clear", "borderline", "verify", "out")
        )
        label = ed.category_scheme.label(str(c), lang)
        ties = part["reasons"].str.contains("TIE_AT_CUT").sum()
        tie_txt = (
            f"; Gleichstand an der Grenze bei {ties} Einträgen (Regel {ed.tie_rule})"
            if ties and lang == "de"
            else (f"; tie at the cut for {ties} entries (rule {ed.tie_rule})" if ties else "")
        )
        if lang == "de":
            lines.append(
                f"{label}: {len(part)} Einträge, {k} Besuchsplätze — {status_txt}; besucht werden "
                f"{len(chosen)}: {', '.join(map(str, chosen.index)) or '—'}{tie_txt}."
            )
        else:
            lines.append(
                f"{label}: {len(part)} entries, {k} visit places — {status_txt}; visited: "
                f"{len(chosen)}: {', '.join(map(str, chosen.index)) or '—'}{tie_txt}."
            )
    return lines


def _visit_plan(candidates: pd.DataFrame, entries: pd.DataFrame, ed: Edition, lang: str) -> pd.DataFrame:
    """The selected entries with names and contacts joined (institute only), sorted for scheduling."""
    from vielfalt.selection.candidates import STATUS_LABELS

    chosen = candidates[candidates["selected"]].copy()
    e = entries.reindex(chosen.index)

    def col(name: str) -> pd.Series:
        return e[name] if name in e else pd.Series(None, index=e.index, dtype=object)

    consent = col("G02[besuch]")
    yes, no = ("ja", "nein — vorher klären") if lang == "de" else ("yes", "no — ask first")
    plan = pd.DataFrame(
        {
            "priority": chosen["priority"].astype("Int64"),
            "category": [ed.category_scheme.label(str(c), lang) for c in chosen[CATEGORY]],
            ENTRY_ID: chosen.index,
            "name": col("A01"),
            "status": [STATUS_LABELS[s][lang] for s in chosen["status"]],
            "total": chosen["total"].round(1),
            "interval": [
                f"{r.Nominal:g} ({r.Q5:g}–{r.Q95:g})" for r in chosen[["Nominal", "Q5", "Q95"]].itertuples()
            ],
            "P_topk": chosen["P_topk"].round(2),
            "reason_text": chosen["reason_text"],
            "contact": col("G01[name]"),
            "phone": col("G01[telefon]"),
            "email": col("G01[email]"),
            "visit_consent": [yes if v else no for v in consent.eq(True)],
            "date": None,
            "visitors": None,
            "visit_note": None,
        },
        index=chosen.index,
    )
    return plan.reset_index(drop=True)


def _visit_checklist(
    candidates: pd.DataFrame, entries: pd.DataFrame, q: Questionnaire, lang: str
) -> pd.DataFrame:
    """One row per claimed measure (a ticked option in section C) of each visited entry, plus one row for
    the evidence of results (section E): the form the jury stage reads back as ``site_visits.xlsx``."""
    rows = []
    chosen = candidates[candidates["selected"]].sort_values([CATEGORY, "priority"])
    c_items = [it for sec, it in q.iter_items() if sec.id == "C" and it.type == "multi"]
    for eid in chosen.index:
        e = entries.loc[eid]
        for it in c_items:
            for o in it.options:
                col = f"{it.id}[{o.code}]"
                if col in e.index and isinstance(e[col], bool | np.bool_) and e[col]:
                    rows.append((eid, e.get("A01"), col, f"{it.label.get(lang)}: {o.label.get(lang)}"))
        rows.append(
            (
                eid,
                e.get("A01"),
                "E",
                "Ergebnisse und Wirkung (Belege)" if lang == "de" else "Results (evidence)",
            )
        )
    heads = [
        "entry_id",
        "name",
        "measure",
        "measure_text",
        "result",
        "rating",
        "note",
        "visitor",
        "legal_resolved",
    ]
    return pd.DataFrame([(*r, None, None, None, None, None) for r in rows], columns=heads)


CHECKLIST_HEADINGS = {
    "de": ["Eintrag", "Organisation", "Maßnahme", "Angabe im Bogen", "Ergebnis", "Besuchsbewertung (0–4)",
           "Notiz", "Besucht von", "Pflichten geklärt"],
    "en": ["Entry", "Organisation", "Measure", "Claimed in the form", "Result", "Visit rating (0–4)", "Note",
           "Visited by", "Legal duties resolved"],
}  # fmt: skip


def site_visits_stage(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> SiteVisitsResult:
    """Select site-visit candidates per category with reasons; freeze them; then write the visit plan.

    The rule and the candidate list are computed on pseudonyms and written with their sha256
    (``site_visits/rule.json``, ``site_visits/candidates.parquet``, ``site_visits/freeze.json``; all three
    are hashed in the manifest) before names are joined for ``site_visits/besuchsplan_<ed>.xlsx`` (institute
    only: names and contact persons, to schedule from) and ``site_visits/blind_<ed>.csv`` (pseudonyms only).
    """
    from vielfalt.outputs.spreadsheets import write_csv
    from vielfalt.runs.manifest import read_artefact, sha256_file, write_json_artefact
    from vielfalt.selection.candidates import freeze, plausibility_flags, select_site_visits

    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    stats = read_artefact(run_dir, "robustness/rank_stats", produced_by="robustness")
    scores = read_artefact(run_dir, "scoring/scores", produced_by="scoring")
    indicators = read_artefact(run_dir, "scoring/indicators", produced_by="scoring")
    flags = read_artefact(run_dir, "scoring/flags", produced_by="scoring")
    failures = read_artefact(run_dir, "intake/failures", produced_by="intake")
    entries = read_artefact(run_dir, "intake/entries", produced_by="intake")
    pseudonymous = entries.drop(columns=[c for c in entries.columns if c.startswith(("A01", "G01"))])

    plaus = plausibility_flags(
        pseudonymous,
        q,
        indicators=indicators,
        flags=flags,
        failures=failures,
        settings=ed.selection,
        seed=ed.seed,
        lang=lang,
    )
    candidates = select_site_visits(
        stats,
        scores["total"],
        plaus,
        capacity=ed.capacity,
        settings=ed.selection,
        tie_rule=ed.tie_rule,
        lang=lang,
    )
    rule = {
        "method": "METHODS.md §5",
        "capacity": dict(ed.capacity),
        "selection": ed.selection.model_dump(mode="json"),
        "tie_rule": ed.tie_rule,
        "seed": ed.seed,
        "priority": ["clear by nominal rank", "borderline by P(rank<=k)", "free places by P(rank<=k), rank"],
    }
    write_artefact(plaus, run_dir, "site_visits/plausibility")
    write_json_artefact(rule, run_dir, "site_visits/rule")
    cand_path = write_artefact(candidates, run_dir, "site_visits/candidates")
    frozen = freeze(rule, candidates)
    frozen["candidates_artefact_sha256"] = sha256_file(cand_path)
    write_json_artefact(frozen, run_dir, "site_visits/freeze")

    # names are joined only now, after the list is frozen
    plan = _visit_plan(candidates, entries, ed, lang)
    heads = PLAN_HEADINGS[lang]
    sheet = "Besuchsplan" if lang == "de" else "Visit plan"
    all_sheet = "Alle Einträge" if lang == "de" else "All entries"
    rule_sheet = "Regel" if lang == "de" else "Rule"
    everyone = candidates.assign(name=entries["A01"].reindex(candidates.index)).reset_index()[
        [
            ENTRY_ID,
            "name",
            CATEGORY,
            "status",
            "selected",
            "priority",
            "total",
            "Nominal",
            "Q5",
            "Q95",
            "P_topk",
            "reasons",
            "reason_text",
        ]  # fmt: skip
    ]
    rule_rows = pd.DataFrame(
        {
            "key": ["rule_sha256", "candidates_sha256", "tie_rule", "borderline", "capacity"],
            "value": [
                frozen["rule_sha256"],
                frozen["candidates_sha256"],
                ed.tie_rule,
                f"{ed.selection.borderline[0]:g}–{ed.selection.borderline[1]:g}",
                ", ".join(f"{c}: {k}" for c, k in sorted(ed.capacity.items())),
            ],
        }
    )
    title = (
        f"Besuchsplan {ed.title.get(lang)} — nur für das Auswertungsinstitut (enthält Kontaktdaten)"
        if lang == "de"
        else f"Visit plan {ed.title.get(lang)} — institute only (contains contact data)"
    )
    xlsx = write_xlsx(
        {sheet: plan, all_sheet: everyone, rule_sheet: rule_rows},
        run_dir / "site_visits" / f"besuchsplan_{ed.edition}.xlsx",
        headers={
            sheet: [heads[c] for c in plan.columns],
            all_sheet: [heads.get(c, c) for c in everyone.columns],
            rule_sheet: ["Schlüssel", "Wert"] if lang == "de" else ["Key", "Value"],
        },
        title_rows={sheet: [title]},
        column_widths={
            sheet: {"B": 22, "C": 16, "D": 30, "I": 80, "J": 22, "K": 16, "L": 26, "N": 14, "P": 40}
        },
    )
    checklist = _visit_checklist(candidates, entries, q, lang)
    first, last = 3, 2 + max(1, len(checklist))
    results = "bestätigt,teilweise,nicht bestätigt" if lang == "de" else "confirmed,partly,refuted"
    yes_no = "ja,nein" if lang == "de" else "yes,no"
    check_sheet = "Prüfliste" if lang == "de" else "Checklist"
    checklist_xlsx = write_xlsx(
        {check_sheet: checklist},
        run_dir / "site_visits" / f"pruefliste_{ed.edition}.xlsx",
        headers={check_sheet: CHECKLIST_HEADINGS[lang]},
        title_rows={
            check_sheet: [
                f"Prüfliste der Betriebsbesuche {ed.title.get(lang)}: beim Besuch Spalten E–I ausfüllen und die "
                f"Datei als data/{ed.edition}/site_visits.xlsx ablegen (dann: vielfalt run {ed.edition} --until jury)."
                if lang == "de"
                else f"Site-visit checklist {ed.title.get(lang)}: fill in columns E–I at the visit and save the "
                f"file as data/{ed.edition}/site_visits.xlsx (then: vielfalt run {ed.edition} --until jury)."
            ]
        },
        column_widths={
            check_sheet: {"A": 16, "B": 30, "C": 28, "D": 60, "E": 18, "F": 12, "G": 50, "H": 14, "I": 14}
        },
        validations={
            check_sheet: [
                (f"E{first}:E{last}", results, "Ergebnis" if lang == "de" else "result"),
                (f"F{first}:F{last}", "0,1,2,3,4", "0–4"),
                (f"I{first}:I{last}", yes_no, "ja/nein" if lang == "de" else "yes/no"),
            ]
        },
    )
    blind = write_csv(
        candidates.reset_index()[BLIND_COLUMNS],
        run_dir / "site_visits" / f"blind_{ed.edition}.csv",
    )
    from vielfalt.selection.candidates import STATUS_LABELS

    table = everyone.copy()
    table["category"] = [ed.category_scheme.label(str(c), lang) for c in table["category"]]
    table["status"] = [STATUS_LABELS[s][lang] for s in table["status"]]
    table["selected"] = table["selected"].map(
        {True: "ja", False: "nein"} if lang == "de" else {True: "yes", False: "no"}
    )
    table = table.rename(columns=RANK_HEADINGS[lang])
    return SiteVisitsResult(
        candidates=candidates,
        table=table,
        plan=plan,
        plan_view=plan.drop(columns=["contact", "phone", "email"]).rename(columns=heads),
        summary=[
            *selection_summary(candidates, ed, lang),
            (
                f"Festgeschrieben vor dem Hinzufügen der Namen (SHA-256): Regel {frozen['rule_sha256'][:16]}…, "
                f"Liste {frozen['candidates_sha256'][:16]}…"
                if lang == "de"
                else f"Frozen before names were joined (sha256): rule {frozen['rule_sha256'][:16]}…, "
                f"list {frozen['candidates_sha256'][:16]}…"
            ),
        ],
        freeze=frozen,
        files={"plan": xlsx, "checklist": checklist_xlsx, "blind": blind},
    )
