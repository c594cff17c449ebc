"""Reading the site-visit results: one row per check of a claimed measure, every row accepted or reported.

:func:`read_site_visits` reads ``data/<ed>/site_visits.csv`` (or the filled-in XLSX, or the visit plan filled
in): one row per check of a claimed measure on a visited entry, plus optional rows that carry only a visit
rating or a note. Every row ends accepted or reported with a German (or English) reason; the accepted
checks give each visited entry a verification factor per verified section (METHODS.md §6).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vielfalt.columns import ENTRY_ID, ROW, SEVERITY, SOURCE
from vielfalt.config._yaml import did_you_mean
from vielfalt.config.edition import VerificationSettings
from vielfalt.config.questionnaire import Questionnaire
from vielfalt.exceptions import DataError
from vielfalt.failures import failure_row
from vielfalt.i18n import t
from vielfalt.intake.read import parse_bool, parse_number, read_table
from vielfalt.jury._tables import cell, failure_table, headings, resolve_columns, unknown_column_warnings

__all__ = ["RESULT_CODES", "SITE_VISIT_HEADINGS", "SiteVisitResults", "read_site_visits"]

#: What a site visit found for a claimed measure.
RESULT_CODES = ("confirmed", "partly", "refuted")

#: Site-visit columns (English codes) and their German / English headings (from the message catalogue).
SITE_VISIT_HEADINGS: dict[str, dict[str, str]] = headings(
    {
        ENTRY_ID: "jury.head_entry",
        "measure": "jury.head_measure",
        "result": "jury.head_result",
        "rating": "jury.head_rating",
        "note": "jury.head_note",
        "visitor": "jury.head_visitor",
        "legal_resolved": "jury.head_legal_resolved",
    }
)

# further headings people write for the same columns (compared case-insensitively)
_SITE_ALIASES = {
    "eintrags-id": ENTRY_ID,
    "eintrag (pseudonym)": ENTRY_ID,
    "pseudonym": ENTRY_ID,
    "entry": ENTRY_ID,
    "massnahme": "measure",
    "geprüfte maßnahme": "measure",
    "befund": "result",
    "bewertung": "rating",
    "besuchsbewertung": "rating",
    "bewertung (0–4)": "rating",
    "bewertung (0-4)": "rating",
    "besuchsbewertung (0-4)": "rating",
    "anmerkung": "note",
    "bemerkung": "note",
    "notiz zum besuch": "note",
    "besucher/in": "visitor",
    "gutachter/in": "visitor",
    "rechtspflichten geklärt": "legal_resolved",
}

_RESULT_ALIASES = {
    "confirmed": "confirmed",
    "bestätigt": "confirmed",
    "bestaetigt": "confirmed",
    "voll bestätigt": "confirmed",
    "ja": "confirmed",
    "yes": "confirmed",
    "partly": "partly",
    "partial": "partly",
    "partly confirmed": "partly",
    "teilweise": "partly",
    "teils": "partly",
    "teilweise bestätigt": "partly",
    "refuted": "refuted",
    "not confirmed": "refuted",
    "nicht bestätigt": "refuted",
    "nicht bestaetigt": "refuted",
    "widerlegt": "refuted",
    "nein": "refuted",
    "no": "refuted",
}

#: Headings of the visit plan (site_visits/besuchsplan_<ed>.xlsx) that carry nothing for verification.
_PLAN_COLUMNS = (
    "Priorität", "Kategorie", "Organisation", "Einstufung", "Punkte (0–100)", "Rang (nominal; 5–95 %)",
    "P(Rang ≤ k)", "Gründe und zu Prüfendes", "Besuch zugestimmt",
    "Termin", "Angabe im Bogen", "Claimed in the form",
    "Priority", "Category", "Status", "Points (0–100)", "Rank (nominal; 5–95 %)", "P(rank ≤ k)",
    "Reasons and what to check", "Visit agreed", "Date",
)  # fmt: skip


@dataclass
class SiteVisitResults:
    """What the site-visit file said, per check and per entry, and what it could not use.

    Attributes
    ----------
    checks : DataFrame
        One row per accepted check: ``row``, ``entry_id``, ``measure``, ``section``, ``result``, ``factor``.
    visits : DataFrame
        Index ``entry_id`` (visited entries): ``factor_<S>`` per verified section (1.0 when unchecked),
        ``n_checks``, ``n_confirmed``, ``n_partly``, ``n_refuted``, ``visit_rating`` (mean, 0–4),
        ``note``, ``visitor``, ``legal_resolved`` (bool or NA).
    failures : DataFrame
        :data:`vielfalt.columns.FAILURE_COLUMNS`; severity ``error`` = the row was not used.
    rows_read : int
        Data rows in the files.
    rows_accepted : int
        Rows used.
    """

    checks: pd.DataFrame
    visits: pd.DataFrame
    failures: pd.DataFrame
    rows_read: int
    rows_accepted: int

    @property
    def rows_rejected(self) -> int:
        """Rows not used (each with a reason in `failures`)."""
        return self.rows_read - self.rows_accepted


def verified_sections(settings: VerificationSettings, q: Questionnaire) -> list[str]:
    """The sections a site visit verifies: the edition's list, else the questionnaire's measures and evidence.

    Parameters
    ----------
    settings : VerificationSettings
        The edition's ``verification`` block.
    q : Questionnaire
        The instrument, whose roles ``measures_section`` and ``evidence_section`` are the default.

    Returns
    -------
    list of str
        Section ids (empty when neither the edition nor the questionnaire names one: nothing is verified).
    """
    if settings.sections:
        return list(settings.sections)
    return [s for s in (q.roles.measures_section, q.roles.evidence_section) if s is not None]


def _section_of(
    measure: str, q: Questionnaire, columns: set[str]
) -> tuple[str | None, str | None, str | None]:
    """Return (section, item, column) of a measure ``Q5[opt]``, ``Q5`` or a section id; None when unknown."""
    section_ids = {s.id for s in q.sections}
    if measure in section_ids:
        return measure, None, None
    item_id = measure.split("[", 1)[0]
    if item_id not in q.items:
        return None, None, None
    section = next(s.id for s, it in q.iter_items() if it.id == item_id)
    if "[" in measure:
        if measure not in columns:
            return None, None, None
        return section, item_id, measure
    return section, item_id, None


def _measure_example(q: Questionnaire, sections: Sequence[str]) -> tuple[str, str, str]:
    """A column, its item and its section, to show how a measure is named (the first verified section's)."""
    order = {sid: k for k, sid in enumerate(sections)}
    for s in sorted(q.sections, key=lambda s: order.get(s.id, len(order))):
        if s.items:
            return s.items[0].columns()[0], s.items[0].id, s.id
    return "", "", ""


def _contact_headings(q: Questionnaire) -> set[str]:
    """Headings the visit plan gives the contact columns: the contact item's and its subs' labels."""
    item = q.items.get(q.roles.contact or "")
    if item is None:
        return set()
    labels = [item.label, *(s.label for s in item.subs or [])]
    return {label.get(lang) for label in labels for lang in ("de", "en")}


def _read_visit_table(
    path: Path, lang: str, known: set[str] | frozenset[str] = frozenset()
) -> tuple[pd.DataFrame, list[str]]:
    """Read one site-visit file; the heading row may sit below title lines (the visit plan XLSX)."""
    raw = read_table(path, lang="en" if lang == "en" else "de")
    heads = {h.casefold() for lang_heads in SITE_VISIT_HEADINGS.values() for h in (lang_heads[ENTRY_ID],)}
    heads |= {ENTRY_ID, *[k for k, v in _SITE_ALIASES.items() if v == ENTRY_ID]}
    if not any(str(c).strip().casefold() in heads for c in raw.columns):
        # a title row above the table: take the first of the next rows that names the entry column
        for offset, (_, row) in enumerate(raw.head(5).iterrows()):
            if any(str(v).strip().casefold() in heads for v in row.to_numpy()):
                body = raw.iloc[offset + 1 :].copy()
                names = [str(v).strip() or f"col_{j + 1}" for j, v in enumerate(row.to_numpy())]
                body.columns = names
                body.index = pd.Index(body.index, name=raw.index.name)
                raw = body
                break
    df, unknown = resolve_columns(raw, SITE_VISIT_HEADINGS, _SITE_ALIASES, lang=lang)
    # the visit plan's own columns (priority, contact, …) are known and simply not needed here
    plan_heads = {h.casefold() for h in (*_PLAN_COLUMNS, *known)}
    unknown = [
        u for u in unknown if str(u).strip().casefold() not in plan_heads and not str(u).startswith("col_")
    ]
    return df, unknown


def read_site_visits(
    paths: str | Path | Sequence[str | Path],
    *,
    entries: pd.DataFrame,
    selected: Iterable[str],
    q: Questionnaire,
    settings: VerificationSettings | None = None,
    lang: str = "de",
) -> SiteVisitResults:
    """Read the evaluators' site-visit results and check every row.

    Parameters
    ----------
    paths : path or sequence of paths
        ``data/<ed>/site_visits.csv`` (``;`` or ``,``, UTF-8 or Windows-1252), an XLSX with the same
        headings, or the visit plan ``besuchsplan_<ed>.xlsx`` filled in (its title line and its own columns
        are skipped; ``Besucht von`` and ``Notiz zum Besuch`` are read). Several files are read in order; for
        the same measure of the same entry the later row counts. Columns (German headings or the English
        codes): ``Eintrag`` (entry_id, required), ``Maßnahme`` (measure: a response column such as
        ``Q5[opt]``, an item ``Q5`` or a section id), ``Ergebnis`` (result: bestätigt / teilweise / nicht
        bestätigt, or confirmed / partly / refuted), ``Besuchsbewertung (0–4)`` (rating), ``Notiz`` (note),
        ``Besucht von`` (visitor), ``Pflichten geklärt`` (legal_resolved: ja / nein — the legal gaps flagged
        at scoring were clarified on site).
    entries : DataFrame
        The accepted entries (``intake/entries``), to check ids and which measures were claimed.
    selected : iterable of str
        Entry ids on the visit list (``site_visits/candidates`` with ``selected``).
    q : Questionnaire
        The instrument: which measures exist and which section each belongs to.
    settings : VerificationSettings, optional
        Factors and verified sections (default 1.0 / 0.75 / 0.5 on the questionnaire's measures and
        evidence sections).
    lang : {"de", "en"}
        Language of the reasons.

    Returns
    -------
    SiteVisitResults
        The accepted checks, the per-entry factors and the failure table.

    Raises
    ------
    DataError
        When a file cannot be read or has no ``Eintrag`` column.
    """
    settings = settings or VerificationSettings()
    sections = verified_sections(settings, q)
    files = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    selected = set(selected)
    ids = set(entries.index)
    factor = {"confirmed": settings.confirmed, "partly": settings.partly, "refuted": settings.refuted}
    failures: list[dict[str, Any]] = []
    accepted: list[dict[str, Any]] = []
    n_read = 0
    for order, path in enumerate(files):
        src = path.name
        df, unknown = _read_visit_table(path, lang, _contact_headings(q))
        if ENTRY_ID not in df.columns:
            heads = SITE_VISIT_HEADINGS[lang]
            msg = t(
                "jury.visits_no_entry_column",
                lang,
                path=path,
                entry=heads[ENTRY_ID],
                columns=", ".join(heads.values()),
            )
            raise DataError(msg, path=str(path))
        failures += unknown_column_warnings(src, unknown, lang)
        n_read += len(df)
        accepted += _check_visit_rows(
            df, src, order, ids, selected, entries, q, sections, factor, failures, lang
        )
    # the same measure of the same entry twice: the later row counts, the earlier is reported
    latest: dict[tuple[str, str], tuple[int, int, str]] = {}
    for rec in accepted:
        if rec["measure"]:
            latest[(rec[ENTRY_ID], rec["measure"])] = (rec["_order"], rec[ROW], rec[SOURCE])
    kept = []
    for rec in accepted:
        later = latest.get((rec[ENTRY_ID], rec["measure"])) if rec["measure"] else None
        if later is not None and later[:2] != (rec["_order"], rec[ROW]):
            where = str(later[1]) if later[0] == rec["_order"] else f"{later[1]}, {later[2]}"
            failures.append(
                failure_row(
                    source=rec[SOURCE],
                    row=rec[ROW],
                    entry_id=rec[ENTRY_ID],
                    column="measure",
                    check="duplicate",
                    value=rec["measure"],
                    reason=t("jury.superseded", lang, value=rec["measure"], later=where),
                    fix="",
                    value_as_text=True,
                )
            )
        else:
            kept.append(rec)
    cols = [SOURCE, ROW, ENTRY_ID, "measure", "section", "item", "result", "factor", "rating", "note",
            "visitor", "legal_resolved"]  # fmt: skip
    all_rows = pd.DataFrame(kept, columns=cols)
    visits = _per_entry(all_rows, sections)
    for e in sorted(selected - set(visits.index)):
        if e in ids:
            failures.append(
                failure_row(
                    source=", ".join(p.name for p in files),
                    entry_id=e,
                    column=ENTRY_ID,
                    check="not_visited",
                    value=e,
                    severity="warning",
                    reason=t("jury.not_visited", lang, value=e),
                    fix="",
                    value_as_text=True,
                )
            )
    checks = all_rows[all_rows["measure"].notna()][
        [SOURCE, ROW, ENTRY_ID, "measure", "section", "item", "result", "factor"]
    ]
    rejected = {(f[SOURCE], f[ROW]) for f in failures if f[SEVERITY] == "error" and f[ROW] is not None}
    assert n_read == len(kept) + len(rejected), "every site-visit row is accepted or reported"
    return SiteVisitResults(
        checks=checks.reset_index(drop=True),
        visits=visits,
        failures=failure_table(failures),
        rows_read=n_read,
        rows_accepted=len(kept),
    )


def _check_visit_rows(
    df: pd.DataFrame,
    src: str,
    order: int,
    ids: set[str],
    selected: set[str],
    entries: pd.DataFrame,
    q: Questionnaire,
    sections: list[str],
    factor: dict[str, float],
    failures: list[dict[str, Any]],
    lang: str,
) -> list[dict[str, Any]]:
    """Check the rows of one site-visit table; append a failure for every row not used."""
    columns = set(entries.columns)
    example, example_item, example_section = _measure_example(q, sections)
    fix_measure = t("jury.fix_measure", lang, column=example, sections=", ".join(sections))
    accepted: list[dict[str, Any]] = []
    for row_no, row in df.iterrows():
        entry = cell(row, ENTRY_ID)
        measure = cell(row, "measure")
        result_raw = cell(row, "result")
        rating_raw = cell(row, "rating")
        note = cell(row, "note")
        legal_raw = cell(row, "legal_resolved")

        def reject(
            col: str, check: str, value: Any, reason: str, fix: str, _row: Any = row_no, _e: str = entry
        ) -> None:
            failures.append(
                failure_row(
                    source=src,
                    row=_row,
                    entry_id=_e,
                    column=col,
                    check=check,
                    value=value,
                    reason=reason,
                    fix=fix,
                    value_as_text=True,
                )
            )

        if not entry:
            if not any(cell(row, c) for c in row.index if not str(c).startswith("__")):
                # a completely empty line in a spreadsheet (e.g. below the table) is still reported
                reject(ENTRY_ID, "empty_row", "", t("jury.empty_row", lang), "")
            else:
                reject(ENTRY_ID, "required", "", t("jury.no_entry", lang), t("jury.fix_entry", lang))
            continue
        if entry not in ids:
            reason = t("jury.unknown_entry", lang, value=entry, hint=did_you_mean(entry, ids))
            reject(ENTRY_ID, "unknown_entry", entry, reason, t("jury.fix_entry", lang))
            continue
        if entry not in selected:
            reason = t("jury.not_selected", lang, value=entry)
            reject(ENTRY_ID, "not_selected", entry, reason, t("jury.fix_selected", lang))
            continue
        section = item = None
        result = None
        if measure:
            section, item, col = _section_of(measure, q, columns)
            if section is None:
                known = [s.id for s in q.sections] + list(q.items)
                reason = t(
                    "jury.unknown_measure",
                    lang,
                    value=measure,
                    column=example,
                    item=example_item,
                    section=example_section,
                    hint=did_you_mean(measure, known),
                )
                reject("measure", "unknown_measure", measure, reason, fix_measure)
                continue
            if section not in sections:
                reason = t(
                    "jury.section_not_verified",
                    lang,
                    value=measure,
                    section=section,
                    label=q.section(section).label.get(lang),
                    sections=", ".join(sections),
                )
                reject("measure", "section_not_verified", measure, reason, fix_measure)
                continue
            if col is not None and entries[col].dtype == bool and not bool(entries.at[entry, col]):
                reject(
                    "measure", "not_claimed", measure, t("jury.not_claimed", lang, value=measure), fix_measure
                )
                continue
            if not result_raw:
                reason = t("jury.measure_without_result", lang, value=measure)
                reject("result", "required", "", reason, t("jury.fix_result", lang))
                continue
        if result_raw:
            result = _RESULT_ALIASES.get(result_raw.casefold())
            if result is None:
                reason = t("jury.bad_result", lang, value=result_raw)
                reject("result", "bad_result", result_raw, reason, t("jury.fix_result", lang))
                continue
            if not measure:
                reason = t("jury.result_without_measure", lang)
                reject("result", "required", result_raw, reason, fix_measure)
                continue
        rating = None
        if rating_raw:
            num = parse_number(rating_raw)
            if not num.ok or num.value is None or not (0 <= num.value <= 4) or num.approximate:
                reason = t("jury.bad_rating", lang, value=rating_raw)
                reject("rating", "bad_rating", rating_raw, reason, t("jury.fix_rating", lang))
                continue
            rating = float(num.value)
        legal = None
        if legal_raw:
            legal = parse_bool(legal_raw)
            if legal is None:
                reason = t("jury.bad_bool", lang, value=legal_raw)
                reject("legal_resolved", "bad_bool", legal_raw, reason, t("jury.fix_bool", lang))
                continue
        if not measure and rating is None and not note and legal is None:
            reject(ENTRY_ID, "empty_row", entry, t("jury.empty_row", lang), "")
            continue
        accepted.append(
            {
                SOURCE: src,
                "_order": order,
                ROW: int(row_no),
                ENTRY_ID: entry,
                "measure": measure or None,
                "section": section,
                "item": item,
                "result": result,
                "factor": factor[result] if result else np.nan,
                "rating": rating,
                "note": note or None,
                "visitor": cell(row, "visitor") or None,
                "legal_resolved": legal,
            }
        )
    return accepted


def _per_entry(rows: pd.DataFrame, sections: Sequence[str]) -> pd.DataFrame:
    """Aggregate accepted site-visit rows per entry (factors per section, counts, rating, notes)."""
    out = []
    for entry, part in rows.groupby(ENTRY_ID, sort=True):
        rec: dict[str, Any] = {ENTRY_ID: entry}
        for s in sections:
            f = part.loc[part["section"] == s, "factor"].dropna()
            rec[f"factor_{s}"] = float(f.mean()) if len(f) else 1.0
        res = part["result"].dropna()
        rec["n_checks"] = len(res)
        for code in RESULT_CODES:
            rec[f"n_{code}"] = int((res == code).sum())
        ratings = part["rating"].dropna()
        rec["visit_rating"] = float(ratings.mean()) if len(ratings) else np.nan
        notes = [str(n) for n in part["note"].dropna()]
        rec["note"] = " · ".join(dict.fromkeys(notes))
        rec["visitor"] = ", ".join(dict.fromkeys(str(v) for v in part["visitor"].dropna()))
        legal = part["legal_resolved"].dropna()
        rec["legal_resolved"] = bool(legal.iloc[-1]) if len(legal) else pd.NA
        out.append(rec)
    cols = [
        ENTRY_ID,
        *[f"factor_{s}" for s in sections],
        "n_checks",
        *[f"n_{c}" for c in RESULT_CODES],
        "visit_rating",
        "note",
        "visitor",
        "legal_resolved",
    ]
    df = pd.DataFrame(out, columns=cols).set_index(ENTRY_ID)
    df["legal_resolved"] = df["legal_resolved"].astype("boolean")
    for c in ("n_checks", *[f"n_{c}" for c in RESULT_CODES]):
        df[c] = df[c].astype("int64")
    return df
