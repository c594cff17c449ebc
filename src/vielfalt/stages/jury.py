"""The jury stage (``06_jury``): site-visit results applied, the recommendation and the jury's material.

- :func:`jury_stage` reads the site-visit results, applies the verification factors, writes the
  recommendation (``jury/final_scores``), the jury's self-contained HTML and the jury exports.
- :func:`jury_view` builds the :class:`~vielfalt.dashboard.view.JuryView` from a run's artefacts only
  (the Voilà app uses it read-only on a complete run); :func:`jury_live` is what that app shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vielfalt.columns import CATEGORY, ENTRY_ID
from vielfalt.config.edition import load_context
from vielfalt.dashboard.view import JuryView
from vielfalt.exceptions import DataError
from vielfalt.i18n import t
from vielfalt.jury import (
    SITE_VISIT_HEADINGS,
    SiteVisitResults,
    apply_verification,
    read_site_visits,
    recommend,
)
from vielfalt.runs.manifest import MANIFEST_NAME, read_artefact, write_artefact
from vielfalt.stages._common import conflicts_by_entry, failure_headings, headings, organisation_names

__all__ = [
    "FINAL_COLUMNS",
    "JuryResult",
    "jury_live",
    "jury_stage",
    "jury_view",
    "recommendation_table",
    "run_info",
    "site_visit_files",
]

#: The contract columns of ``jury/final_scores``, first in this order.
FINAL_COLUMNS = [CATEGORY, "total_pre", "total_post", "delta", "recommended"]
#: The columns of the recommendation table (headings: ``stages.recommendation_<column>``).
RECOMMENDATION_COLUMNS = [
    "category",
    "rank",
    ENTRY_ID,
    "name",
    "before",
    "after",
    "delta",
    "interval",
    "recommendation",
    "conflict",
]


def run_info(run_dir: str | Path) -> tuple[str, str]:
    """The run id and its start time from the run's manifest (UTC, minutes), for page headers.

    Reading them from the manifest, not the clock, keeps everything written from one run reproducible.

    Parameters
    ----------
    run_dir : path

    Returns
    -------
    (str, str)
        The run id and ``"YYYY-MM-DD HH:MM UTC"`` (``"–"`` without a manifest).
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
    """The site-visit inputs that exist: ``site_visits.csv``, ``site_visits.xlsx``, the filled-in plan.

    Parameters
    ----------
    project_root : path
    edition : str

    Returns
    -------
    list of Path
        In the order they are read (a later file's row wins).
    """
    base = Path(project_root) / "data" / edition
    names = ["site_visits.csv", "site_visits.xlsx", f"besuchsplan_{edition}.xlsx"]
    return [base / n for n in names if (base / n).is_file()]


def _missing_visits(project_root: str | Path, edition: str, lang: str) -> DataError:
    """The error when no site-visit results exist, naming the file and the columns it must have."""
    path = Path(project_root) / "data" / edition / "site_visits.csv"
    heads = ", ".join(SITE_VISIT_HEADINGS[lang].values())
    msg = t("stages.missing_visits", lang, path=path, edition=edition, heads=heads)
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
    """The recommendation per category for display: rank, scores before/after, interval, reason.

    Parameters
    ----------
    view : JuryView
        From :func:`jury_view`; its ``lang`` gives the headings' language.

    Returns
    -------
    DataFrame
        One row per entry, categories in the edition's order.
    """
    h = headings("recommendation", RECOMMENDATION_COLUMNS, view.lang)
    rows = []
    labels = dict(view.categories)
    for c, _ in view.categories:
        for e, r in view.in_category(c).iterrows():
            rows.append(
                {
                    h["category"]: labels[c],
                    h["rank"]: r["rank"],
                    h[ENTRY_ID]: e,
                    h["name"]: r["name"],
                    h["before"]: round(float(r["total_pre"]), 1),
                    h["after"]: round(float(r["total_post"]), 1),
                    h["delta"]: round(float(r["delta"]), 1),
                    h["interval"]: f"{r['Q5']:g}–{r['Q95']:g}",
                    h["recommendation"]: r["recommendation"],
                    h["conflict"]: ", ".join(view.conflicted_members(str(e))),
                }
            )
    return pd.DataFrame(rows)


def jury_live(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> JuryResult:
    """What the Voilà app shows: the jury stage's results of a finished run, read only (nothing written).

    Parameters
    ----------
    project_root : path
    edition : str
    run_dir : path
        The run folder with the jury stage's artefacts.
    lang : {"de", "en"}, optional
        Language of labels and texts; default the edition's.

    Returns
    -------
    JuryResult
        With ``visits`` None and no files.
    """
    view = jury_view(project_root, edition, run_dir, lang=lang)
    summary = [t("stages.live_view", view.lang, run_id=view.run_id, generated=view.generated)]
    return JuryResult(
        visits=None, final=view.final, view=view, summary=summary, table=recommendation_table(view)
    )


def _flags_text(flags: pd.DataFrame, resolved: pd.Series, lang: str) -> pd.Series:
    from vielfalt.scoring.items import FLAG_LABELS

    def describe(row: pd.Series) -> str:
        keys = sorted({str(k).split(":")[0] for k, v in row.items() if bool(v)})
        return "; ".join(FLAG_LABELS[k][lang] for k in keys if k in FLAG_LABELS)

    text = flags.apply(describe, axis=1) if len(flags.columns) else pd.Series("", index=flags.index)
    done = t("stages.resolved_on_site", lang)
    return pd.Series(
        [txt + (done if txt and bool(resolved.get(e, False)) else "") for e, txt in text.items()],
        index=text.index,
    )


def _checks_text(visits: pd.DataFrame, lang: str) -> pd.Series:
    """Per visited entry: how many claims were checked and how many confirmed, partly, refuted."""
    out = {
        e: t(
            "stages.checks_text",
            lang,
            n=r["n_checks"],
            confirmed=r["n_confirmed"],
            partly=r["n_partly"],
            refuted=r["n_refuted"],
        )
        for e, r in visits.iterrows()
    }
    return pd.Series(out, dtype=object)


def jury_view(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> JuryView:
    """Build the jury dashboards' data from a run's artefacts (read only; the jury stage must have run).

    Parameters
    ----------
    project_root : path
    edition : str
    run_dir : path
        The run folder with the jury stage's artefacts.
    lang : {"de", "en"}, optional
        Language of labels and texts; default the edition's.

    Returns
    -------
    JuryView
    """
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
    view_df["name"] = organisation_names(entries, q, final.index)
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
            notes.setdefault(str(e), []).append(t("stages.note_of_visit", lang, who=who, note=r["note"]))
    try:
        ratings = read_artefact(run_dir, "ratings/ratings", produced_by="ratings")
    except DataError:
        ratings = pd.DataFrame(columns=[ENTRY_ID, "item", "rater", "note"])
    for r in ratings.itertuples(index=False):
        if isinstance(r.note, str) and r.note.strip():
            note = t("stages.note_of_rating", lang, rater=r.rater, item=r.item, note=r.note.strip())
            notes.setdefault(str(r.entry_id), []).append(note)

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
        conflicts=conflicts_by_entry(ed.jury, entries, q),
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

    Parameters
    ----------
    project_root : path
    edition : str
    run_dir : path
        The run folder with the artefacts of intake, scoring, robustness and site_visits.
    lang : {"de", "en"}, optional
        Language of the files and the summary; default the edition's.

    Returns
    -------
    JuryResult

    Raises
    ------
    DataError
        When no site-visit results exist, naming the file and its columns.
    """
    from vielfalt.dashboard.static import write_jury_html
    from vielfalt.outputs.profiles import read_text_review, write_jury_exports
    from vielfalt.outputs.spreadsheets import write_xlsx

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
    sheet = t("stages.sheet_not_used", lang)
    report = write_xlsx(
        {sheet: res.failures},
        run_dir / "jury" / f"besuchsergebnisse_{ed.edition}.xlsx",
        headers={sheet: failure_headings(lang)},
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
        ids = f": {', '.join(rec.index)}" if len(rec) else ""
        summary.append(
            t("stages.jury_line", lang, label=label, n=len(part), visited=visited, k=len(rec), ids=ids)
        )
    n_err = int((res.failures["severity"] == "error").sum()) if len(res.failures) else 0
    summary.append(
        t(
            "stages.jury_visits",
            lang,
            read=res.rows_read,
            used=res.rows_accepted,
            unused=n_err,
            report=report.name,
        )
    )
    summary.append(t("stages.jury_dashboard", lang, name=html_path.name))
    return JuryResult(
        visits=res,
        final=final,
        view=view,
        summary=summary,
        table=recommendation_table(view),
        files={"html": html_path, "report": report, **exports},
    )
