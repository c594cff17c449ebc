"""Stage functions of the jury and close stages (what ``06_jury`` and ``07_results`` call).

- :func:`jury_stage` reads the site-visit results, applies the verification factors, writes the
  recommendation (``jury/final_scores``), the jury's self-contained HTML and the jury exports.
- :func:`jury_view` builds the :class:`~vielfalt.dashboard.view.JuryView` from a run's artefacts only
  (the Voilà app uses it read-only on a complete run).
- :func:`close_stage` reads the votes, tallies them, measures agreement with the recommendation, writes one
  feedback letter per participant and the public export (winners with consent only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vielfalt.columns import CATEGORY, ENTRY_ID
from vielfalt.dashboard.view import JuryView
from vielfalt.exceptions import DataError
from vielfalt.jury import (
    SITE_VISIT_HEADINGS,
    VOTE_HEADINGS,
    SiteVisitResults,
    agreement,
    apply_verification,
    read_site_visits,
    read_votes,
    recommend,
    tally_votes,
)
from vielfalt.runs.manifest import MANIFEST_NAME, read_artefact, write_artefact
from vielfalt.stages.core import FAILURE_HEADINGS, conflicts_by_entry, load_context

__all__ = [
    "CloseResult",
    "JuryResult",
    "close_stage",
    "jury_live",
    "jury_stage",
    "jury_view",
    "recommendation_table",
    "run_info",
    "site_visit_files",
]

FINAL_COLUMNS = [CATEGORY, "total_pre", "total_post", "delta", "recommended"]
AWARD_COLUMNS = [CATEGORY, "yes", "no", "abstain", "awarded", "recommended", "tie", "decided_by"]


def run_info(run_dir: str | Path) -> tuple[str, str]:
    """The run id and its start time from the run's manifest (UTC, minutes), for page headers.

    Reading them from the manifest, not the clock, keeps everything written from one run reproducible.
    """
    run_dir = Path(run_dir)
    try:
        m = json.loads((run_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        name = run_dir.name.removeprefix(".").removesuffix(".partial")
        return name, "–"
    started = str(m.get("started_at") or "")
    shown = f"{started[:10]} {started[11:16]} UTC" if len(started) >= 16 else started or "–"
    return str(m.get("run_id") or run_dir.name), shown


def site_visit_files(project_root: str | Path, edition: str) -> list[Path]:
    """The site-visit inputs that exist: ``site_visits.csv``, ``site_visits.xlsx``, the filled-in plan."""
    base = Path(project_root) / "data" / edition
    names = ["site_visits.csv", "site_visits.xlsx", f"besuchsplan_{edition}.xlsx"]
    return [base / n for n in names if (base / n).is_file()]


def _missing_visits(project_root: str | Path, edition: str, lang: str) -> DataError:
    heads = ", ".join(SITE_VISIT_HEADINGS[lang].values())
    path = Path(project_root) / "data" / edition / "site_visits.csv"
    msg = (
        f"Die Ergebnisse der Betriebsbesuche fehlen: {path} existiert nicht (auch keine site_visits.xlsx oder "
        f"ausgefüllter besuchsplan_{edition}.xlsx). Erwartet wird eine Zeile je geprüfter Maßnahme eines "
        f"besuchten Eintrags mit den Spalten {heads}; Ergebnis: bestätigt, teilweise oder nicht bestätigt."
        if lang == "de"
        else f"The site-visit results are missing: {path} does not exist. Expected one row per checked measure "
        f"of a visited entry with the columns {heads}; result: confirmed, partly or refuted."
    )
    return DataError(msg, path=str(path))


@dataclass
class JuryResult:
    """What the jury stage produced (or, live, what a finished run holds: then `visits` is None)."""

    visits: SiteVisitResults | None
    final: pd.DataFrame
    view: JuryView
    summary: list[str]
    table: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)


def recommendation_table(view: JuryView) -> pd.DataFrame:
    """The recommendation per category for display: rank, scores before/after, interval, reason."""
    de = view.lang == "de"
    rows = []
    labels = dict(view.categories)
    for c, _ in view.categories:
        for e, r in view.in_category(c).iterrows():
            rows.append(
                {
                    ("Kategorie" if de else "Category"): labels[c],
                    ("Rang" if de else "Rank"): r["rank"],
                    ("Eintrag" if de else "Entry"): e,
                    "Organisation": r["name"],
                    ("vorher" if de else "before"): round(float(r["total_pre"]), 1),
                    ("nachher" if de else "after"): round(float(r["total_post"]), 1),
                    "Δ": round(float(r["delta"]), 1),
                    ("Rang 5–95 %" if de else "rank 5–95 %"): f"{r['Q5']:g}–{r['Q95']:g}",
                    ("Empfehlung" if de else "Recommendation"): r["recommendation"],
                    ("Befangen" if de else "Conflict"): ", ".join(view.conflicted_members(str(e))),
                }
            )
    return pd.DataFrame(rows)


def jury_live(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> JuryResult:
    """What the Voilà app shows: the jury stage's results of a finished run, read only (nothing written)."""
    view = jury_view(project_root, edition, run_dir, lang=lang)
    de = view.lang == "de"
    summary = [
        f"Live-Ansicht von Lauf {view.run_id} ({view.generated}); Änderungen hier verändern keine Dateien."
        if de
        else f"Live view of run {view.run_id} ({view.generated}); changes here alter no files."
    ]
    return JuryResult(
        visits=None, final=view.final, view=view, summary=summary, table=recommendation_table(view)
    )


def _flags_text(flags: pd.DataFrame, resolved: pd.Series, lang: str) -> pd.Series:
    from vielfalt.scoring.items import FLAG_LABELS

    def describe(row: pd.Series) -> str:
        keys = sorted({str(k).split(":")[0] for k, v in row.items() if bool(v)})
        return "; ".join(FLAG_LABELS[k][lang] for k in keys if k in FLAG_LABELS)

    text = flags.apply(describe, axis=1) if len(flags.columns) else pd.Series("", index=flags.index)
    done = " (vor Ort geklärt)" if lang == "de" else " (resolved on site)"
    return pd.Series(
        [t + (done if t and bool(resolved.get(e, False)) else "") for e, t in text.items()], index=text.index
    )


def _checks_text(visits: pd.DataFrame, lang: str) -> pd.Series:
    out = {}
    for e, r in visits.iterrows():
        if lang == "de":
            out[e] = (
                f"{r['n_checks']} geprüft: {r['n_confirmed']} bestätigt, {r['n_partly']} teilweise, "
                f"{r['n_refuted']} nicht bestätigt"
            )
        else:
            out[e] = (
                f"{r['n_checks']} checked: {r['n_confirmed']} confirmed, {r['n_partly']} partly, {r['n_refuted']} refuted"
            )
    return pd.Series(out, dtype=object)


def jury_view(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> JuryView:
    """Build the jury dashboards' data from a run's artefacts (read only; the jury stage must have run)."""
    from vielfalt.scoring.scores import top_contributors

    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    final = read_artefact(run_dir, "jury/final_scores", produced_by="jury")
    entries = read_artefact(run_dir, "intake/entries", produced_by="intake")
    stats = read_artefact(run_dir, "robustness/rank_stats", produced_by="robustness")
    candidates = read_artefact(run_dir, "site_visits/candidates", produced_by="site_visits")
    visits = read_artefact(run_dir, "jury/visits", produced_by="jury")
    flags = read_artefact(run_dir, "scoring/flags", produced_by="scoring")
    weights = read_artefact(run_dir, "scoring/weights", produced_by="scoring")
    hierarchy = read_artefact(run_dir, "scoring/hierarchy", produced_by="scoring")
    contributions = read_artefact(run_dir, "scoring/contributions", produced_by="scoring")

    labels = dict(zip(hierarchy["code"], hierarchy["label"], strict=True))
    view_df = final.copy()
    view_df["name"] = entries["A01"].reindex(final.index)
    for c in ("Nominal", "Median", "Q5", "Q95", "P_topk"):
        view_df[c] = stats[c].reindex(final.index)
    view_df["status"] = candidates["status"].reindex(final.index)
    view_df["visit_rating"] = visits["visit_rating"].reindex(final.index) if len(visits) else float("nan")
    view_df["checks_text"] = _checks_text(visits, lang).reindex(final.index).fillna("")
    resolved = visits["legal_resolved"].fillna(False).astype(bool) if len(visits) else pd.Series(dtype=bool)
    view_df["flags_text"] = _flags_text(flags, resolved, lang).reindex(final.index).fillna("")
    view_df["why"] = top_contributors(contributions, labels).reindex(final.index).fillna("")

    notes: dict[str, list[str]] = {}
    for e, r in visits.iterrows():
        if r["note"]:
            who = f" ({r['visitor']})" if r["visitor"] else ""
            notes.setdefault(str(e), []).append(f"{'Besuch' if lang == 'de' else 'Visit'}{who}: {r['note']}")
    try:
        ratings = read_artefact(run_dir, "ratings/ratings", produced_by="ratings")
    except DataError:
        ratings = pd.DataFrame(columns=[ENTRY_ID, "item", "rater", "note"])
    for r in ratings.itertuples(index=False):
        if isinstance(r.note, str) and r.note.strip():
            word = "Gutachten" if lang == "de" else "Rating"
            notes.setdefault(str(r.entry_id), []).append(f"{word} {r.rater} ({r.item}): {r.note.strip()}")

    sections = [c.removesuffix("_post") for c in final.columns if c.endswith("_post") and c != "total_post"]
    w = weights.set_index("code")
    run_id, generated = run_info(run_dir)
    return JuryView(
        edition=ed.edition,
        title=ed.title.get(lang),
        run_id=run_id,
        generated=generated,
        final=view_df,
        rank_stats=stats,
        categories=[(c, ed.category_scheme.label(c, lang)) for c in ed.categories()],
        capacity=dict(ed.capacity),
        section_labels={s: f"{s} {labels.get(s, s)}" for s in sections},
        jury=[(p.id, p.name) for p in ed.jury],
        conflicts=conflicts_by_entry(ed.jury, entries),
        weights={str(c): {s: float(w.at[s, c]) for s in sections if s in w.index} for c in w.columns},
        threshold=float(ed.label_threshold),
        aggregation=ed.scoring.aggregation,
        notes=notes,
        lang=lang,
    )


def jury_stage(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> JuryResult:
    """Apply the site-visit results and write the recommendation and the jury's material.

    Reads ``data/<ed>/site_visits.csv`` (or ``site_visits.xlsx`` / the filled-in visit plan) and the artefacts
    of intake, scoring, robustness and site_visits. Writes ``jury/site_visit_checks``, ``jury/visits``,
    ``jury/site_visit_failures``, ``jury/final_scores`` (contract: ``category``, ``total_pre``,
    ``total_post``, ``delta``, ``recommended`` plus section scores before/after and the rank), the jury's
    HTML ``jury/jury_<ed>.html``, ``jury/besuchsergebnisse_<ed>.xlsx`` (every row not used, with the reason)
    and the exports ``exports/jury_blind_<ed>.{xlsx,csv}`` and ``exports/jury_named_<ed>.{xlsx,csv}``.
    """
    from vielfalt.dashboard.static import write_jury_html
    from vielfalt.outputs.profiles import read_text_review, write_jury_exports
    from vielfalt.outputs.spreadsheets import write_xlsx as _write_xlsx

    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    entries = read_artefact(run_dir, "intake/entries", produced_by="intake")
    scores = read_artefact(run_dir, "scoring/scores", produced_by="scoring")
    weights = read_artefact(run_dir, "scoring/weights", produced_by="scoring")
    flags = read_artefact(run_dir, "scoring/flags", produced_by="scoring")
    candidates = read_artefact(run_dir, "site_visits/candidates", produced_by="site_visits")
    read_artefact(run_dir, "robustness/rank_stats", produced_by="robustness")  # fail early, naming the stage

    files = site_visit_files(project_root, ed.edition)
    if not files:
        raise _missing_visits(project_root, ed.edition, lang)
    selected = candidates.index[candidates["selected"].astype(bool)]
    res = read_site_visits(
        files, entries=entries, selected=selected, q=q, settings=ed.verification, lang=lang
    )
    final = apply_verification(
        scores, res.visits, weights, settings=ed.verification, aggregation=ed.scoring.aggregation
    )
    resolved = res.visits["legal_resolved"] if len(res.visits) else None
    final = recommend(final, threshold=ed.label_threshold, flags=flags, legal_resolved=resolved, lang=lang)
    final = final[[*FINAL_COLUMNS, *[c for c in final.columns if c not in FINAL_COLUMNS]]]

    write_artefact(res.checks, run_dir, "jury/site_visit_checks")
    write_artefact(res.visits, run_dir, "jury/visits")
    write_artefact(res.failures, run_dir, "jury/site_visit_failures")
    write_artefact(final, run_dir, "jury/final_scores")

    view = jury_view(project_root, edition, run_dir, lang=lang)
    html_path = write_jury_html(view, run_dir / "jury" / f"jury_{ed.edition}.html")
    sheet = "Nicht verwendet" if lang == "de" else "Not used"
    report = _write_xlsx(
        {sheet: res.failures},
        run_dir / "jury" / f"besuchsergebnisse_{ed.edition}.xlsx",
        headers={sheet: FAILURE_HEADINGS[lang]},
    )
    review = read_text_review(project_root, ed.edition, entries=entries, q=q, lang=lang)
    exports = write_jury_exports(view, entries, q, run_dir / "exports", reviewed=review, lang=lang)

    summary = []
    for c, label in view.categories:
        part = final[final[CATEGORY] == c]
        if not len(part):
            continue
        rec = part[part["recommended"]].sort_values("total_post", ascending=False)
        visited = int(part["visited"].sum())
        if lang == "de":
            summary.append(
                f"{label}: {len(part)} Einträge, {visited} besucht, Label empfohlen für {len(rec)}"
                + (f": {', '.join(rec.index)}" if len(rec) else "")
                + "."
            )
        else:
            summary.append(
                f"{label}: {len(part)} entries, {visited} visited, label recommended for {len(rec)}"
                + (f": {', '.join(rec.index)}" if len(rec) else "")
                + "."
            )
    n_err = int((res.failures["severity"] == "error").sum()) if len(res.failures) else 0
    summary.append(
        f"Besuchsergebnisse: {res.rows_read} Zeilen gelesen, {res.rows_accepted} verwendet, {n_err} nicht "
        f"verwendet (mit Grund in {report.name})."
        if lang == "de"
        else f"Site-visit results: {res.rows_read} rows read, {res.rows_accepted} used, {n_err} not used "
        f"(with the reason in {report.name})."
    )
    summary.append(
        f"Jury-Dashboard (eine HTML-Datei, ohne Netz zu öffnen): jury/{html_path.name} im Laufordner"
        if lang == "de"
        else f"Jury dashboard (one HTML file, opens offline): jury/{html_path.name} in the run folder"
    )
    return JuryResult(
        visits=res,
        final=final,
        view=view,
        summary=summary,
        table=recommendation_table(view),
        files={"html": html_path, "report": report, **exports},
    )


# --- close ----------------------------------------------------------------------------------------


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
    """
    from vielfalt.outputs.letters import write_letters
    from vielfalt.outputs.profiles import public_export, write_profile
    from vielfalt.outputs.spreadsheets import write_xlsx as _write_xlsx

    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    final = read_artefact(run_dir, "jury/final_scores", produced_by="jury")
    entries = read_artefact(run_dir, "intake/entries", produced_by="intake")
    path = Path(project_root) / "data" / ed.edition / "jury_votes.csv"
    if not path.is_file():
        heads = ", ".join(VOTE_HEADINGS[lang].values())
        msg = (
            f"Die Stimmen der Jury fehlen: {path} existiert nicht. Erwartet wird eine Zeile je Jurymitglied und "
            f"Eintrag mit den Spalten {heads} (Stimme: ja, nein oder Enthaltung; Mitglied wie in der "
            "Editionsdatei unter jury, z. B. J1)."
            if lang == "de"
            else f"The jury's votes are missing: {path} does not exist. Expected one row per member and entry "
            f"with the columns {heads} (vote: yes, no or abstain)."
        )
        raise DataError(msg, path=str(path))
    conflicts = conflicts_by_entry(ed.jury, entries)
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
    yes, no = ("ja", "nein") if lang == "de" else ("yes", "no")
    order = sorted(
        awards.index,
        key=lambda e: (ed.categories().index(awards.at[e, CATEGORY]), -float(final.at[e, "total_post"]), e),
    )
    ordered = awards.loc[order]
    table = pd.DataFrame(
        {
            ENTRY_ID: order,
            "name": entries["A01"].reindex(order).tolist(),
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
    heads = (
        [
            "Eintrag",
            "Organisation",
            "Kategorie",
            "Punkte",
            "empfohlen",
            "ja",
            "nein",
            "Enthaltung",
            "Stimmengleichheit",
            "ausgezeichnet",
            "Entscheidung",
        ]  # fmt: skip
        if lang == "de"
        else [
            "Entry",
            "Organisation",
            "Category",
            "Score",
            "recommended",
            "yes",
            "no",
            "abstain",
            "tie",
            "awarded",
            "decision",
        ]  # fmt: skip
    )
    s_awards = "Auszeichnungen" if lang == "de" else "Awards"
    s_fail = "Nicht gezählt" if lang == "de" else "Not counted"
    result_xlsx = _write_xlsx(
        {s_awards: table, s_fail: failures},
        run_dir / "close" / f"ergebnis_{ed.edition}.xlsx",
        headers={s_awards: heads, s_fail: FAILURE_HEADINGS[lang]},
    )
    summary = []
    for c in ed.categories():
        part = awards[awards[CATEGORY] == c]
        if not len(part):
            continue
        won = list(part.index[part["awarded"]])
        label = labels[c]
        summary.append(
            f"{label}: {len(won)} Label" + (f" ({', '.join(won)})" if won else "") + "."
            if lang == "de"
            else f"{label}: {len(won)} labels" + (f" ({', '.join(won)})" if won else "") + "."
        )
    n_bad = int((vi.failures["severity"] == "error").sum()) if len(vi.failures) else 0
    summary.append(
        f"Stimmen: {vi.rows_read} Zeilen, {len(vi.votes)} gezählt, {n_bad} nicht gezählt (mit Grund)."
        if lang == "de"
        else f"Votes: {vi.rows_read} rows, {len(vi.votes)} counted, {n_bad} not counted (with reasons)."
    )
    if len(excluded):
        summary.append(
            f"Nicht veröffentlicht (keine Einwilligung zur Veröffentlichung, G02): {', '.join(excluded.index)}."
            if lang == "de"
            else f"Not published (no consent to publication, G02): {', '.join(excluded.index)}."
        )
    ag_heads = (
        {CATEGORY: "Kategorie", "k": "k (vergebene Label)", "precision_at_k": "Präzision@k",
         "kendall_tau": "Kendalls τ", "n_entries": "Einträge", "n_voted": "mit Stimmen",
         "n_recommended": "empfohlen", "n_awarded": "ausgezeichnet", "n_recommended_awarded": "empfohlen und ausgezeichnet"}
        if lang == "de"
        else {CATEGORY: "Category", "k": "k (labels awarded)", "precision_at_k": "precision@k",
              "kendall_tau": "Kendall's τ", "n_entries": "entries", "n_voted": "with votes",
              "n_recommended": "recommended", "n_awarded": "awarded", "n_recommended_awarded": "recommended and awarded"}
    )  # fmt: skip
    ag_table = (
        ag.assign(**{CATEGORY: [labels.get(c, c) for c in ag[CATEGORY]]}).round(3).rename(columns=ag_heads)
    )
    summary.append(
        f"Briefe an die Teilnehmenden ({len(letters)}): letters/ im Laufordner"
        if lang == "de"
        else f"Letters to the participants ({len(letters)}): letters/ in the run folder"
    )
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
