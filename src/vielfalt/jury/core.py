"""The jury stage: site-visit verification, the recommendation, the vote tally and agreement (METHODS.md §6).

- :func:`read_site_visits` reads ``data/<ed>/site_visits.csv`` (or the filled-in XLSX): one row per check of a
  claimed measure on a visited entry, plus optional rows that carry only a visit rating or a note. Every row
  ends accepted or reported with a German (or English) reason.
- :func:`apply_verification` multiplies the verified sections (C and E by default, DOMAIN.md §7.4) by the
  mean verification factor of their checks and recomputes the total from the section scores with the
  category's section weights and the edition's aggregation, so pre and post totals are comparable.
- :func:`recommend` proposes a label where the final total reaches the edition's threshold and no legal gap
  is left unresolved; the jury decides.
- :func:`read_votes` and :func:`tally_votes`: simple majority per entry (yes > no; abstentions do not count),
  conflicted members excluded from that entry, ties by the edition's rule.
- :func:`precision_at_k` and :func:`agreement`: how far the jury followed the recommendation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from vielfalt.columns import CATEGORY, ENTRY_ID, FAILURE_COLUMNS
from vielfalt.composite import engine as composite
from vielfalt.config._yaml import did_you_mean
from vielfalt.config.edition import Person, VerificationSettings
from vielfalt.config.questionnaire import Questionnaire
from vielfalt.exceptions import DataError
from vielfalt.intake.read import parse_bool, parse_number, read_table, resolve_headings, strip_injection_mask

__all__ = [
    "RESULT_CODES",
    "SITE_VISIT_HEADINGS",
    "VOTE_CODES",
    "VOTE_HEADINGS",
    "SiteVisitResults",
    "VoteInput",
    "agreement",
    "apply_verification",
    "kendall_tau",
    "legal_gaps",
    "precision_at_k",
    "read_site_visits",
    "read_votes",
    "recommend",
    "section_totals",
    "section_weights",
    "tally_votes",
]

RESULT_CODES = ("confirmed", "partly", "refuted")
VOTE_CODES = ("yes", "no", "abstain")

#: Site-visit columns (English codes) and their German / English headings.
SITE_VISIT_HEADINGS: dict[str, dict[str, str]] = {
    "de": {
        ENTRY_ID: "Eintrag",
        "measure": "Maßnahme",
        "result": "Ergebnis",
        "rating": "Besuchsbewertung (0–4)",
        "note": "Notiz",
        "visitor": "Besucht von",
        "legal_resolved": "Pflichten geklärt",
    },
    "en": {
        ENTRY_ID: "Entry",
        "measure": "Measure",
        "result": "Result",
        "rating": "Visit rating (0–4)",
        "note": "Note",
        "visitor": "Visited by",
        "legal_resolved": "Legal duties resolved",
    },
}
VOTE_HEADINGS: dict[str, dict[str, str]] = {
    "de": {"member": "Mitglied", ENTRY_ID: "Eintrag", "vote": "Stimme"},
    "en": {"member": "Member", ENTRY_ID: "Entry", "vote": "Vote"},
}

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
_VOTE_ALIASES = {"jurymitglied": "member", "juror": "member", "entry": ENTRY_ID, "votum": "vote"}

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
_VOTE_ALIASES_VALUES = {
    "yes": "yes",
    "ja": "yes",
    "j": "yes",
    "y": "yes",
    "dafür": "yes",
    "no": "no",
    "nein": "no",
    "n": "no",
    "dagegen": "no",
    "abstain": "abstain",
    "enthaltung": "abstain",
    "enthalten": "abstain",
    "e": "abstain",
}

_M: dict[str, dict[str, str]] = {
    "no_entry": {
        "de": "Die Zeile nennt keinen Eintrag.",
        "en": "The row names no entry.",
    },
    "unknown_entry": {
        "de": "„{value}“ ist kein angenommener Eintrag dieser Edition.{hint}",
        "en": "'{value}' is not an accepted entry of this edition.{hint}",
    },
    "not_selected": {
        "de": "Eintrag {value} stand nicht auf der Besuchsliste; das Besuchsergebnis wird nicht verwendet.",
        "en": "Entry {value} was not on the visit list; the visit result is not used.",
    },
    "unknown_measure": {
        "de": "„{value}“ ist keine Maßnahme des Fragebogens (erwartet z. B. C05[kinderbetreuung], C05 oder C).{hint}",
        "en": "'{value}' is not a measure of the questionnaire (expected e.g. C05[kinderbetreuung], C05 or C).{hint}",
    },
    "section_not_verified": {
        "de": "„{value}“ gehört zu Abschnitt {section}; geprüft und gewichtet werden nur die Abschnitte {sections}.",
        "en": "'{value}' belongs to section {section}; only sections {sections} are verified.",
    },
    "not_claimed": {
        "de": "Die Maßnahme {value} war im Teilnahmebogen nicht angegeben; bestätigt werden können nur angegebene Maßnahmen.",
        "en": "The measure {value} was not claimed in the form; only claimed measures can be verified.",
    },
    "bad_result": {
        "de": "„{value}“ ist kein Ergebnis (erlaubt: bestätigt, teilweise, nicht bestätigt).",
        "en": "'{value}' is not a result (allowed: confirmed, partly, refuted).",
    },
    "result_without_measure": {
        "de": "Ein Ergebnis ohne Maßnahme: bitte angeben, was geprüft wurde.",
        "en": "A result without a measure: please say what was checked.",
    },
    "measure_without_result": {
        "de": "Die Maßnahme {value} hat kein Ergebnis.",
        "en": "The measure {value} has no result.",
    },
    "bad_rating": {
        "de": "„{value}“ ist keine Besuchsbewertung von 0 bis 4.",
        "en": "'{value}' is not a visit rating from 0 to 4.",
    },
    "bad_bool": {
        "de": "„{value}“ ist weder ja noch nein.",
        "en": "'{value}' is neither yes nor no.",
    },
    "empty_row": {
        "de": "Die Zeile enthält weder ein Ergebnis noch eine Bewertung oder Notiz.",
        "en": "The row holds neither a result nor a rating or a note.",
    },
    "superseded": {
        "de": "{value} steht später noch einmal (Zeile {later}); die spätere Zeile gilt.",
        "en": "{value} appears again later (row {later}); the later row counts.",
    },
    "unknown_column": {
        "de": "Die Spalte „{value}“ ist unbekannt und wird nicht ausgewertet.",
        "en": "The column '{value}' is unknown and not used.",
    },
    "not_visited": {
        "de": "Eintrag {value} stand auf der Besuchsliste, hat aber keine Besuchsergebnisse; seine Punkte bleiben unverändert.",
        "en": "Entry {value} was on the visit list but has no visit results; its scores stay unchanged.",
    },
    "unknown_member": {
        "de": "„{value}“ ist kein Mitglied der Jury dieser Edition.{hint}",
        "en": "'{value}' is not a member of this edition's jury.{hint}",
    },
    "bad_vote": {
        "de": "„{value}“ ist keine Stimme (erlaubt: ja, nein, Enthaltung).",
        "en": "'{value}' is not a vote (allowed: yes, no, abstain).",
    },
    "conflicted_vote": {
        "de": "{member} hat für Eintrag {value} eine Befangenheit erklärt; die Stimme wird nicht gezählt.",
        "en": "{member} declared a conflict for entry {value}; the vote is not counted.",
    },
    "vote_superseded": {
        "de": "Stimme von {member} zu {value} steht später noch einmal (Zeile {later}); die spätere gilt.",
        "en": "The vote of {member} on {value} appears again later (row {later}); the later one counts.",
    },
    "no_votes": {
        "de": "Für Eintrag {value} liegt keine gültige Stimme vor; er wird nicht ausgezeichnet.",
        "en": "Entry {value} has no valid vote; it is not awarded.",
    },
}
_FIX: dict[str, dict[str, str]] = {
    "entry": {
        "de": "Die Eintrags-ID aus dem Besuchsplan übernehmen (Spalte Eintrag).",
        "en": "Copy the entry id from the visit plan (column Entry).",
    },
    "selected": {
        "de": "Nur besuchte Einträge der Besuchsliste eintragen; einen zusätzlichen Besuch vorher im Besuchsplan aufnehmen.",
        "en": "Enter only entries on the visit list; add an extra visit to the visit plan first.",
    },
    "measure": {
        "de": "Code der Maßnahme wie im Codebuch angeben (z. B. C05[kinderbetreuung]) oder den Abschnitt (C, E).",
        "en": "Give the measure's code as in the codebook (e.g. C05[kinderbetreuung]) or the section (C, E).",
    },
    "result": {
        "de": "In der Spalte Ergebnis bestätigt, teilweise oder nicht bestätigt eintragen.",
        "en": "Enter confirmed, partly or refuted in the Result column.",
    },
    "rating": {"de": "Eine ganze Zahl von 0 bis 4 eintragen.", "en": "Enter a whole number from 0 to 4."},
    "bool": {"de": "ja oder nein eintragen.", "en": "Enter yes or no."},
    "none": {"de": "", "en": ""},
    "member": {
        "de": "Kennung wie in der Editionsdatei unter jury angeben (z. B. J1).",
        "en": "Use the id from the edition file's jury list (e.g. J1).",
    },
    "vote": {"de": "ja, nein oder Enthaltung eintragen.", "en": "Enter yes, no or abstain."},
    "votes": {
        "de": "Die Stimmen zu diesem Eintrag in jury_votes.csv nachtragen, falls abgestimmt wurde.",
        "en": "Add the votes on this entry to jury_votes.csv if the jury voted on it.",
    },
}


def _msg(key: str, lang: str, **kw: Any) -> str:
    return _M[key][lang].format(**kw)


def _fix(key: str, lang: str) -> str:
    return _FIX[key][lang]


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
    rows_accepted : int
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


def _failure(
    source: str,
    row: Any,
    entry: Any,
    column: str,
    check: str,
    value: Any,
    reason: str,
    fix: str,
    *,
    severity: str = "error",
    item: str | None = None,
) -> dict[str, Any]:
    return {
        "source": source,
        "row": row,
        ENTRY_ID: entry or None,
        "item": item,
        "column": column,
        "check": check,
        "value": None if value is None else str(value),
        "severity": severity,
        "reason": reason,
        "fix": fix,
    }


def _failure_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=FAILURE_COLUMNS)
    if len(df):
        df["row"] = df["row"].astype("Int64")
    return df.astype({c: object for c in df.columns if c != "row"})


def _resolve(
    raw: pd.DataFrame, headings: Mapping[str, Mapping[str, str]], aliases: Mapping[str, str]
) -> tuple[pd.DataFrame, list[str]]:
    """Rename the columns of `raw` to codes; return the frame and the headings that matched nothing."""
    known = list(headings["de"])
    mapping: dict[str, str | None] = {}
    for lang_heads in headings.values():
        for code, head in lang_heads.items():
            mapping[head] = code
    for h in raw.columns:
        key = str(h).strip().casefold()
        if key in aliases:
            mapping[str(h)] = aliases[key]
        for code, head in headings["de"].items():
            if key in (head.casefold(), headings["en"][code].casefold(), code.casefold()):
                mapping[str(h)] = code
    mapping = {k: v for k, v in mapping.items() if k in set(map(str, raw.columns))}
    res = resolve_headings([str(c) for c in raw.columns], known, mapping=mapping)
    if res.collisions:
        c = res.collisions[0]
        msg = (
            f"Die Spalten {', '.join(map(repr, c['headings']))} meinen beide „{c['canonical']}“; "
            "bitte eine davon entfernen."
        )
        raise DataError(msg)
    out = raw.rename(columns=res.mapping)
    unknown = [u for u in res.unknown if not str(u).startswith("__")]
    return out, unknown


def _cell(row: pd.Series, col: str) -> str:
    v = row.get(col, "")
    return str(strip_injection_mask(str(v))).strip() if v is not None else ""


def _section_of(
    measure: str, q: Questionnaire, columns: set[str]
) -> tuple[str | None, str | None, str | None]:
    """Return (section, item, column) of a measure code ``C05[opt]``, ``C05`` or ``C``; None when unknown."""
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


def _read_visit_table(path: Path, lang: str) -> tuple[pd.DataFrame, list[str]]:
    """Read one site-visit file; the heading row may sit below title lines (the visit plan XLSX)."""
    raw = read_table(path, lang=lang)
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
    df, unknown = _resolve(raw, SITE_VISIT_HEADINGS, _SITE_ALIASES)
    # the visit plan's own columns (priority, contact, …) are known and simply not needed here
    plan_heads = {h.casefold() for h in _PLAN_COLUMNS}
    unknown = [
        u for u in unknown if str(u).strip().casefold() not in plan_heads and not str(u).startswith("col_")
    ]
    return df, unknown


#: Headings of the visit plan (site_visits/besuchsplan_<ed>.xlsx) that carry nothing for verification.
_PLAN_COLUMNS = (
    "Priorität", "Kategorie", "Organisation", "Einstufung", "Punkte (0–100)", "Rang (nominal; 5–95 %)",
    "P(Rang ≤ k)", "Gründe und zu Prüfendes", "Ansprechperson", "Funktion", "Telefon", "E-Mail",
    "Besuch zugestimmt", "Termin", "Angabe im Bogen", "Claimed in the form",
    "Priority", "Category", "Status", "Points (0–100)", "Rank (nominal; 5–95 %)", "P(rank ≤ k)",
    "Reasons and what to check", "Contact person", "Role", "Phone", "E-mail", "Visit agreed", "Date",
)  # fmt: skip


def _unknown_column_warnings(src: str, unknown: Iterable[Any], lang: str) -> list[dict[str, Any]]:
    """A warning per column of a file that vielfalt does not know (it is not read, and the report says so)."""
    return [
        _failure(
            src,
            None,
            None,
            str(u),
            "unknown_column",
            u,
            _msg("unknown_column", lang, value=u),
            "",
            severity="warning",
        )  # fmt: skip
        for u in unknown
    ]


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
        codes): ``Eintrag`` (entry_id, required), ``Maßnahme`` (measure: ``C05[kinderbetreuung]``, an item
        ``C05`` or a section ``C``), ``Ergebnis`` (result: bestätigt / teilweise / nicht bestätigt, or
        confirmed / partly / refuted), ``Besuchsbewertung (0–4)`` (rating), ``Notiz`` (note), ``Besucht von``
        (visitor), ``Pflichten geklärt`` (legal_resolved: ja / nein — the legal gaps flagged at scoring were
        clarified on site).
    entries : DataFrame
        The accepted entries (``intake/entries``), to check ids and which measures were claimed.
    selected : iterable of str
        Entry ids on the visit list (``site_visits/candidates`` with ``selected``).
    q : Questionnaire
    settings : VerificationSettings, optional
        Factors and verified sections (default 1.0 / 0.75 / 0.5 on C and E).
    lang : {"de", "en"}

    Returns
    -------
    SiteVisitResults

    Raises
    ------
    DataError
        When a file cannot be read or has no ``Eintrag`` column.
    """
    settings = settings or VerificationSettings()
    files = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    selected = set(selected)
    ids = set(entries.index)
    factor = {"confirmed": settings.confirmed, "partly": settings.partly, "refuted": settings.refuted}
    failures: list[dict[str, Any]] = []
    accepted: list[dict[str, Any]] = []
    n_read = 0
    for order, path in enumerate(files):
        src = path.name
        df, unknown = _read_visit_table(path, lang)
        if ENTRY_ID not in df.columns:
            heads = SITE_VISIT_HEADINGS[lang]
            msg = (
                f"{path}: die Spalte „{heads[ENTRY_ID]}“ fehlt. Erwartet werden die Spalten "
                f"{', '.join(heads.values())} (eine Zeile je geprüfter Maßnahme eines besuchten Eintrags)."
                if lang == "de"
                else f"{path}: the column '{heads[ENTRY_ID]}' is missing. "
                f"Expected columns: {', '.join(heads.values())}."
            )
            raise DataError(msg, path=str(path))
        failures += _unknown_column_warnings(src, unknown, lang)
        n_read += len(df)
        accepted += _check_visit_rows(
            df, src, order, ids, selected, entries, q, settings, factor, failures, lang
        )
    # the same measure of the same entry twice: the later row counts, the earlier is reported
    latest: dict[tuple[str, str], tuple[int, int, str]] = {}
    for rec in accepted:
        if rec["measure"]:
            latest[(rec[ENTRY_ID], rec["measure"])] = (rec["_order"], rec["row"], rec["source"])
    kept = []
    for rec in accepted:
        later = latest.get((rec[ENTRY_ID], rec["measure"])) if rec["measure"] else None
        if later is not None and later[:2] != (rec["_order"], rec["row"]):
            where = str(later[1]) if later[0] == rec["_order"] else f"{later[1]}, {later[2]}"
            failures.append(
                _failure(
                    rec["source"],
                    rec["row"],
                    rec[ENTRY_ID],
                    "measure",
                    "duplicate",
                    rec["measure"],
                    _msg("superseded", lang, value=rec["measure"], later=where),
                    _fix("none", lang),
                )
            )
        else:
            kept.append(rec)
    cols = ["source", "row", ENTRY_ID, "measure", "section", "item", "result", "factor", "rating", "note",
            "visitor", "legal_resolved"]  # fmt: skip
    all_rows = pd.DataFrame(kept, columns=cols)
    visits = _per_entry(all_rows, settings)
    for e in sorted(selected - set(visits.index)):
        if e in ids:
            failures.append(
                _failure(
                    ", ".join(p.name for p in files),
                    None,
                    e,
                    ENTRY_ID,
                    "not_visited",
                    e,
                    _msg("not_visited", lang, value=e),
                    "",
                    severity="warning",
                )  # fmt: skip
            )
    checks = all_rows[all_rows["measure"].notna()][
        ["source", "row", ENTRY_ID, "measure", "section", "item", "result", "factor"]
    ]
    rejected = {
        (f["source"], f["row"]) for f in failures if f["severity"] == "error" and f["row"] is not None
    }
    assert n_read == len(kept) + len(rejected), "every site-visit row is accepted or reported"
    return SiteVisitResults(
        checks=checks.reset_index(drop=True),
        visits=visits,
        failures=_failure_frame(failures),
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
    settings: VerificationSettings,
    factor: dict[str, float],
    failures: list[dict[str, Any]],
    lang: str,
) -> list[dict[str, Any]]:
    """Check the rows of one site-visit table; append a failure for every row not used."""
    columns = set(entries.columns)
    accepted: list[dict[str, Any]] = []
    for row_no, row in df.iterrows():
        entry = _cell(row, ENTRY_ID)
        measure = _cell(row, "measure")
        result_raw = _cell(row, "result")
        rating_raw = _cell(row, "rating")
        note = _cell(row, "note")
        legal_raw = _cell(row, "legal_resolved")

        def reject(col: str, check: str, value: Any, reason: str, fix: str, _row=row_no, _e=entry) -> None:
            failures.append(_failure(src, _row, _e, col, check, value, reason, fix))

        if not entry:
            if not any(_cell(row, c) for c in row.index if not str(c).startswith("__")):
                # a completely empty line in a spreadsheet (e.g. below the table) is still reported
                reject(ENTRY_ID, "empty_row", "", _msg("empty_row", lang), _fix("none", lang))
            else:
                reject(ENTRY_ID, "required", "", _msg("no_entry", lang), _fix("entry", lang))
            continue
        if entry not in ids:
            reject(
                ENTRY_ID,
                "unknown_entry",
                entry,
                _msg("unknown_entry", lang, value=entry, hint=did_you_mean(entry, ids)),
                _fix("entry", lang),
            )
            continue
        if entry not in selected:
            reject(
                ENTRY_ID,
                "not_selected",
                entry,
                _msg("not_selected", lang, value=entry),
                _fix("selected", lang),
            )
            continue
        section = item = None
        result = None
        if measure:
            section, item, col = _section_of(measure, q, columns)
            if section is None:
                known = [s.id for s in q.sections] + list(q.items)
                reject(
                    "measure",
                    "unknown_measure",
                    measure,
                    _msg("unknown_measure", lang, value=measure, hint=did_you_mean(measure, known)),
                    _fix("measure", lang),
                )
                continue
            if section not in settings.sections:
                reject(
                    "measure",
                    "section_not_verified",
                    measure,
                    _msg(
                        "section_not_verified",
                        lang,
                        value=measure,
                        section=section,
                        sections=", ".join(settings.sections),
                    ),
                    _fix("measure", lang),
                )
                continue
            if col is not None and entries[col].dtype == bool and not bool(entries.at[entry, col]):
                reject(
                    "measure",
                    "not_claimed",
                    measure,
                    _msg("not_claimed", lang, value=measure),
                    _fix("measure", lang),
                )
                continue
            if not result_raw:
                reject(
                    "result",
                    "required",
                    "",
                    _msg("measure_without_result", lang, value=measure),
                    _fix("result", lang),
                )
                continue
        if result_raw:
            result = _RESULT_ALIASES.get(result_raw.casefold())
            if result is None:
                reject(
                    "result",
                    "bad_result",
                    result_raw,
                    _msg("bad_result", lang, value=result_raw),
                    _fix("result", lang),
                )
                continue
            if not measure:
                reject(
                    "result",
                    "required",
                    result_raw,
                    _msg("result_without_measure", lang),
                    _fix("measure", lang),
                )
                continue
        rating = None
        if rating_raw:
            num = parse_number(rating_raw)
            if not num.ok or num.value is None or not (0 <= num.value <= 4) or num.approximate:
                reject(
                    "rating",
                    "bad_rating",
                    rating_raw,
                    _msg("bad_rating", lang, value=rating_raw),
                    _fix("rating", lang),
                )
                continue
            rating = float(num.value)
        legal = None
        if legal_raw:
            legal = parse_bool(legal_raw)
            if legal is None:
                reject(
                    "legal_resolved",
                    "bad_bool",
                    legal_raw,
                    _msg("bad_bool", lang, value=legal_raw),
                    _fix("bool", lang),
                )
                continue
        if not measure and rating is None and not note and legal is None:
            reject(ENTRY_ID, "empty_row", entry, _msg("empty_row", lang), _fix("none", lang))
            continue
        accepted.append(
            {
                "source": src,
                "_order": order,
                "row": int(row_no),
                ENTRY_ID: entry,
                "measure": measure or None,
                "section": section,
                "item": item,
                "result": result,
                "factor": factor[result] if result else np.nan,
                "rating": rating,
                "note": note or None,
                "visitor": _cell(row, "visitor") or None,
                "legal_resolved": legal,
            }
        )
    return accepted


def _per_entry(rows: pd.DataFrame, settings: VerificationSettings) -> pd.DataFrame:
    """Aggregate accepted site-visit rows per entry (factors per section, counts, rating, notes)."""
    out = []
    for entry, part in rows.groupby(ENTRY_ID, sort=True):
        rec: dict[str, Any] = {ENTRY_ID: entry}
        for s in settings.sections:
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
        *[f"factor_{s}" for s in settings.sections],
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


# --- scores -------------------------------------------------------------------------------------------


def section_weights(weights: pd.DataFrame, category: str, sections: Sequence[str]) -> dict[str, float]:
    """Section weights of one category from the ``scoring/weights`` artefact (code column + one per category)."""
    w = weights.set_index("code")[str(category)]
    return {s: float(w.get(s, 0.0)) for s in sections}


def section_totals(
    sections: pd.DataFrame,
    category: pd.Series,
    weights: pd.DataFrame | Mapping[str, Mapping[str, float]],
    *,
    aggregation: str = "amean",
) -> pd.Series:
    """Total score from section scores with each category's section weights (the scoring's top level).

    The same aggregation as :func:`vielfalt.scoring.scores.score_entries` at its top level (weights renormalised
    over the sections present), so the total of unchanged sections reproduces the scoring stage's total.

    Parameters
    ----------
    sections : DataFrame
        Entries × section ids (scores 0–100; NaN = section not scored for the entry).
    category : Series
        Category per entry.
    weights : DataFrame or mapping
        The ``scoring/weights`` artefact, or ``{category: {section: weight}}`` (e.g. a "what if" change).
    aggregation : {"amean", "gmean", "hmean", "median"}, default "amean"

    Returns
    -------
    Series
        Total per entry.

    Examples
    --------
    >>> s = pd.DataFrame({"C": [50.0], "E": [100.0]}, index=["e1"])
    >>> section_totals(s, pd.Series(["k"], index=["e1"]), {"k": {"C": 3, "E": 1}}).round(2).tolist()
    [62.5]
    """
    secs = list(sections.columns)
    parents = {s: "total" for s in secs}
    out = pd.Series(np.nan, index=sections.index, dtype=float)
    for c in pd.unique(category.dropna()):
        rows = (category == c).to_numpy()
        if isinstance(weights, pd.DataFrame):
            w = section_weights(weights, str(c), secs)
        else:
            w = {s: float(weights[str(c)].get(s, 0.0)) for s in secs}
        total_w = sum(w.values()) or 1.0
        w = {s: v / total_w for s, v in w.items()}
        agg = composite.aggregate(sections.loc[rows], parents, weights=w, method=aggregation)
        out.loc[rows] = agg["total"].to_numpy()
    return out


def apply_verification(
    scores: pd.DataFrame,
    visits: pd.DataFrame,
    weights: pd.DataFrame | Mapping[str, Mapping[str, float]],
    *,
    settings: VerificationSettings | None = None,
    aggregation: str = "amean",
) -> pd.DataFrame:
    """Scores before and after the site visits.

    Each verified section S of a visited entry becomes ``S · factor_S`` (the mean factor of its checks,
    DOMAIN.md §7.4); the total is recomputed from the section scores with the category's section weights.

    Parameters
    ----------
    scores : DataFrame
        ``scoring/scores``: entries × sections, ``total`` and ``category``.
    visits : DataFrame
        :attr:`SiteVisitResults.visits` (may be empty).
    weights : DataFrame or mapping
        ``scoring/weights`` or ``{category: {section: weight}}``.
    settings : VerificationSettings, optional
    aggregation : str, default "amean"
        The edition's ``scoring.aggregation``.

    Returns
    -------
    DataFrame
        Index ``entry_id``: ``category``, ``total_pre`` (the scoring total), ``total_post``, ``delta``,
        ``visited`` and per section ``<S>_pre`` / ``<S>_post``, and ``factor_<S>`` for the verified ones.
    """
    settings = settings or VerificationSettings()
    secs = [c for c in scores.columns if c not in ("total", CATEGORY)]
    pre = scores[secs].astype(float)
    post = pre.copy()
    factors = pd.DataFrame(1.0, index=scores.index, columns=settings.sections)
    for s in settings.sections:
        col = f"factor_{s}"
        if col in visits.columns:
            f = visits[col].reindex(scores.index).fillna(1.0)
            factors[s] = f
            if s in post.columns:
                post[s] = pre[s] * f
    cat = scores[CATEGORY]
    recomputed_pre = section_totals(pre, cat, weights, aggregation=aggregation)
    recomputed_post = section_totals(post, cat, weights, aggregation=aggregation)
    # delta from one computation on both sides: exactly 0 where nothing changed
    delta = recomputed_post - recomputed_pre
    total_pre = scores["total"].astype(float)
    out = pd.DataFrame(
        {
            CATEGORY: cat,
            "total_pre": total_pre,
            "total_post": total_pre + delta,
            "delta": delta,
            "visited": scores.index.isin(visits.index),
        },
        index=scores.index,
    )
    for s in secs:
        out[f"{s}_pre"] = pre[s]
        out[f"{s}_post"] = post[s]
    for s in settings.sections:
        out[f"factor_{s}"] = factors[s]
    out.index.name = ENTRY_ID
    return out


def legal_gaps(flags: pd.DataFrame) -> pd.Series:
    """Whether each entry has a legal gap flagged at scoring (a missing legal duty, the SGB IX quota)."""
    cols = [c for c in flags.columns if str(c).startswith("legal_gap") or str(c) == "sgb9_quota"]
    if not cols:
        return pd.Series(False, index=flags.index)
    return flags[cols].fillna(False).astype(bool).any(axis=1)


def recommend(
    final: pd.DataFrame,
    *,
    threshold: float,
    flags: pd.DataFrame | None = None,
    legal_resolved: pd.Series | None = None,
    lang: str = "de",
) -> pd.DataFrame:
    """Rank within category by the final total and propose a label (DOMAIN.md §7.4).

    An entry is recommended when ``total_post ≥ threshold`` and it has no unresolved legal gap (a gap
    flagged at scoring counts as resolved when the site visit says ``Pflichten geklärt: ja``).

    Returns
    -------
    DataFrame
        `final` with ``rank`` (within category, 1 = best, ties share the lowest), ``legal_gap``,
        ``legal_open``, ``recommended`` (bool) and ``recommendation`` (a sentence).
    """
    out = final.copy()
    out["rank"] = out.groupby(CATEGORY)["total_post"].rank(ascending=False, method="min").astype("Int64")
    gap = (
        legal_gaps(flags).reindex(out.index).fillna(False).astype(bool)
        if flags is not None
        else pd.Series(False, index=out.index)
    )
    resolved = (
        legal_resolved.reindex(out.index).fillna(False).astype(bool)
        if legal_resolved is not None
        else pd.Series(False, index=out.index)
    )
    out["legal_gap"] = gap
    out["legal_open"] = gap & ~resolved
    above = out["total_post"] >= threshold
    out["recommended"] = (above & ~out["legal_open"]).astype(bool)
    t = f"{threshold:g}"
    text = []
    for a, open_ in zip(above, out["legal_open"], strict=True):
        if lang == "de":
            text.append(
                "Label empfohlen"
                if a and not open_
                else (
                    f"nicht empfohlen: Schwelle {t} erreicht, aber eine gesetzliche Pflicht ist nicht geklärt"
                    if a
                    else f"nicht empfohlen: unter der Schwelle {t}"
                )
            )
        else:
            text.append(
                "label recommended"
                if a and not open_
                else (
                    f"not recommended: threshold {t} reached but a legal duty is unresolved"
                    if a
                    else f"not recommended: below the threshold {t}"
                )
            )
    out["recommendation"] = text
    return out


# --- votes --------------------------------------------------------------------------------------------


@dataclass
class VoteInput:
    """The valid votes and what could not be counted."""

    votes: pd.DataFrame  # row, member, entry_id, vote
    failures: pd.DataFrame
    rows_read: int


def read_votes(
    path: str | Path,
    *,
    jury: Sequence[Person],
    entries: Iterable[str],
    conflicts: Mapping[str, Sequence[str]] | None = None,
    lang: str = "de",
) -> VoteInput:
    """Read ``data/<ed>/jury_votes.csv``: one row per member and entry, vote yes / no / abstain.

    Columns (German headings or codes): ``Mitglied`` (member: jury id as in the edition), ``Eintrag``
    (entry_id), ``Stimme`` (vote: ja / nein / Enthaltung or yes / no / abstain). A vote of a member on an
    entry they declared a conflict with is ignored and reported; a vote by someone not on the jury, on an
    unknown entry or with an unreadable value is reported and not counted.
    """
    src = Path(path).name
    raw = read_table(path, lang=lang)
    df, unknown = _resolve(raw, VOTE_HEADINGS, _VOTE_ALIASES)
    heads = VOTE_HEADINGS[lang]
    missing = [heads[c] for c in ("member", ENTRY_ID, "vote") if c not in df.columns]
    if missing:
        msg = (
            f"{path}: es fehlen die Spalten {', '.join(missing)}. Erwartet: {', '.join(heads.values())} "
            "(eine Zeile je Jurymitglied und Eintrag, Stimme ja/nein/Enthaltung)."
            if lang == "de"
            else f"{path}: missing columns {', '.join(missing)}. Expected: {', '.join(heads.values())}."
        )
        raise DataError(msg, path=str(path))
    members = {p.id for p in jury}
    ids = set(entries)
    conflicts = {m: set(v) for m, v in (conflicts or {}).items()}
    failures = _unknown_column_warnings(src, unknown, lang)
    valid = []
    for row_no, row in df.iterrows():
        member, entry, vote_raw = _cell(row, "member"), _cell(row, ENTRY_ID), _cell(row, "vote")
        if member not in members:
            failures.append(
                _failure(
                    src,
                    row_no,
                    entry,
                    "member",
                    "unknown_member",
                    member,
                    _msg("unknown_member", lang, value=member, hint=did_you_mean(member, members)),
                    _fix("member", lang),
                )
            )
            continue
        if not entry or entry not in ids:
            failures.append(
                _failure(
                    src,
                    row_no,
                    entry,
                    ENTRY_ID,
                    "unknown_entry",
                    entry,
                    _msg("unknown_entry", lang, value=entry, hint=did_you_mean(entry, ids))
                    if entry
                    else _msg("no_entry", lang),
                    _fix("entry", lang),
                )
            )
            continue
        vote = _VOTE_ALIASES_VALUES.get(vote_raw.casefold())
        if vote is None:
            failures.append(
                _failure(
                    src,
                    row_no,
                    entry,
                    "vote",
                    "bad_vote",
                    vote_raw,
                    _msg("bad_vote", lang, value=vote_raw),
                    _fix("vote", lang),
                )
            )
            continue
        if entry in conflicts.get(member, set()):
            failures.append(
                _failure(
                    src,
                    row_no,
                    entry,
                    "member",
                    "conflict",
                    member,
                    _msg("conflicted_vote", lang, member=member, value=entry),
                    _fix("none", lang),
                )
            )
            continue
        valid.append({"row": int(row_no), "member": member, ENTRY_ID: entry, "vote": vote})
    latest = {(v["member"], v[ENTRY_ID]): v["row"] for v in valid}
    kept = []
    for v in valid:
        later = latest[(v["member"], v[ENTRY_ID])]
        if later != v["row"]:
            failures.append(
                _failure(
                    src,
                    v["row"],
                    v[ENTRY_ID],
                    "member",
                    "duplicate",
                    v["member"],
                    _msg("vote_superseded", lang, member=v["member"], value=v[ENTRY_ID], later=later),
                    _fix("none", lang),
                )
            )
        else:
            kept.append(v)
    votes = pd.DataFrame(kept, columns=["row", "member", ENTRY_ID, "vote"])
    assert len(df) == len(kept) + len({f["row"] for f in failures if f["row"] is not None}), (
        "every vote row is counted or reported"
    )
    return VoteInput(votes=votes, failures=_failure_frame(failures), rows_read=len(df))


TieRule = Literal["no_award", "chair_decides", "higher_score"]

_DECISION_TEXT = {
    "majority": {"de": "Mehrheit", "en": "majority"},
    "no_votes": {"de": "keine Stimmen", "en": "no votes"},
    "tie_no_award": {
        "de": "Stimmengleichheit: keine Auszeichnung (Regel der Edition)",
        "en": "tie: no award (edition rule)",
    },
    "tie_chair": {
        "de": "Stimmengleichheit: Stimme des Vorsitzes entscheidet",
        "en": "tie: the chair's vote decides",
    },
    "tie_chair_missing": {
        "de": "Stimmengleichheit: keine gültige Ja/Nein-Stimme des Vorsitzes, daher keine Auszeichnung",
        "en": "tie: no valid yes/no vote of the chair, hence no award",
    },
    "tie_score": {
        "de": "Stimmengleichheit: die Punktzahl entscheidet (Label bei Erreichen der Schwelle)",
        "en": "tie: the score decides (label when the threshold is reached)",
    },
}


def tally_votes(
    votes: pd.DataFrame,
    final: pd.DataFrame,
    *,
    tie_rule: TieRule,
    threshold: float,
    chair: str | None = None,
    lang: str = "de",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Awards per entry by simple majority (yes > no; abstentions do not count) and the edition's tie rule.

    Parameters
    ----------
    votes : DataFrame
        Valid votes (:attr:`VoteInput.votes`; conflicted votes already removed).
    final : DataFrame
        ``jury/final_scores``: ``category``, ``total_post``, ``recommended``.
    tie_rule : {"no_award", "chair_decides", "higher_score"}
        For yes = no > 0: ``no_award`` — not awarded; ``chair_decides`` — the chair's valid yes/no vote on
        the entry decides (without one: not awarded); ``higher_score`` — the score decides: awarded when the
        final total reaches the label threshold.
    threshold : float
        The edition's ``label_threshold``.
    chair : str, optional
        Jury id of the chair (``jury_chair``).

    Returns
    -------
    (awards, reports)
        awards: index ``entry_id`` with ``category``, ``yes``, ``no``, ``abstain``, ``awarded``,
        ``recommended``, ``tie``, ``decided_by`` (code) and ``decision`` (text); reports: entries with no
        valid vote that were recommended or voted on by nobody (failure-table shape, severity warning).
    """
    counts = (
        votes.groupby([ENTRY_ID, "vote"])
        .size()
        .unstack("vote")
        .reindex(columns=list(VOTE_CODES))
        .fillna(0)
        .astype("int64")
        if len(votes)
        else pd.DataFrame(0, index=pd.Index([], name=ENTRY_ID), columns=list(VOTE_CODES))
    )
    counts = counts.reindex(final.index).fillna(0).astype("int64")
    chair_votes = (
        votes[votes["member"] == chair].set_index(ENTRY_ID)["vote"]
        if chair is not None and len(votes)
        else pd.Series(dtype=object)
    )
    rows = []
    reports = []
    for e in final.index:
        y, n, a = (int(counts.at[e, c]) for c in VOTE_CODES)
        tie = y == n and y > 0
        if y + n + a == 0:
            awarded, by = False, "no_votes"
            if bool(final.at[e, "recommended"]):
                reports.append(
                    _failure(
                        "jury_votes.csv",
                        None,
                        e,
                        ENTRY_ID,
                        "no_votes",
                        e,
                        _msg("no_votes", lang, value=e),
                        _fix("votes", lang),
                        severity="warning",
                    )
                )
        elif not tie:
            awarded, by = y > n, "majority"
        elif tie_rule == "no_award":
            awarded, by = False, "tie_no_award"
        elif tie_rule == "chair_decides":
            cv = chair_votes.get(e)
            if cv in ("yes", "no"):
                awarded, by = cv == "yes", "tie_chair"
            else:
                awarded, by = False, "tie_chair_missing"
        else:
            awarded, by = bool(final.at[e, "total_post"] >= threshold), "tie_score"
        rows.append(
            {
                ENTRY_ID: e,
                CATEGORY: final.at[e, CATEGORY],
                "yes": y,
                "no": n,
                "abstain": a,
                "awarded": bool(awarded),
                "recommended": bool(final.at[e, "recommended"]),
                "tie": bool(tie),
                "decided_by": by,
                "decision": _DECISION_TEXT[by][lang],
            }
        )
    # entries nobody voted on at all are listed once, so a forgotten ballot is visible
    unvoted = [r[ENTRY_ID] for r in rows if r["decided_by"] == "no_votes" and not r["recommended"]]
    if unvoted and len(votes):
        n_un = len(unvoted)
        reports.append(
            _failure(
                "jury_votes.csv",
                None,
                None,
                ENTRY_ID,
                "no_votes",
                n_un,
                (
                    f"{n_un} nicht empfohlene Einträge ohne Stimmen (nicht ausgezeichnet): {', '.join(unvoted)}."
                    if lang == "de"
                    else f"{n_un} entries not recommended and without votes (not awarded): {', '.join(unvoted)}."
                ),
                "",
                severity="warning",
            )
        )
    awards = pd.DataFrame(rows).set_index(ENTRY_ID)
    return awards, _failure_frame(reports)


# --- agreement ----------------------------------------------------------------------------------------


def precision_at_k(ranking: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Share of the first `k` entries of `ranking` that are in `relevant` (NaN for k = 0).

    Examples
    --------
    >>> precision_at_k(["a", "b", "c", "d"], {"a", "c"}, 2)
    0.5
    """
    if k <= 0:
        return float("nan")
    top = list(ranking)[:k]
    rel = set(relevant)
    return sum(1 for x in top if x in rel) / k


def kendall_tau(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's τ-b between two scorings (scipy.stats.kendalltau; ties corrected, Kendall 1945).

    τ_b = (C − D) / sqrt((n₀ − n₁)(n₀ − n₂)) with C concordant and D discordant pairs, n₀ = n(n−1)/2 and
    n₁, n₂ the pairs tied in x and in y. NaN for fewer than two values or a constant input.
    """
    from scipy.stats import kendalltau

    xa, ya = np.asarray(x, float), np.asarray(y, float)
    if len(xa) < 2 or np.all(xa == xa[0]) or np.all(ya == ya[0]):
        return float("nan")
    return float(kendalltau(xa, ya).statistic)


def agreement(
    final: pd.DataFrame, awards: pd.DataFrame, *, categories: Sequence[str] | None = None
) -> pd.DataFrame:
    """Agreement between the recommendation and the jury's decision, per category.

    - ``precision_at_k``: k = the number of labels the jury awarded in the category; the share of the k
      entries ranked best by the recommendation (recommended first, then by final total) that were
      awarded (R-precision; NaN when nothing was awarded).
    - ``kendall_tau``: τ-b between the final total and the jury's net votes (yes − no) over the entries
      that received at least one valid vote (NaN for fewer than two or constant values).

    Returns
    -------
    DataFrame
        ``category``, ``k``, ``precision_at_k``, ``kendall_tau``, ``n_entries``, ``n_voted``,
        ``n_recommended``, ``n_awarded``, ``n_recommended_awarded``.
    """
    cats = list(categories) if categories is not None else list(pd.unique(final[CATEGORY]))
    rows = []
    for c in cats:
        f = final[final[CATEGORY] == c]
        a = awards.reindex(f.index)
        order = f.assign(_r=f["recommended"].astype(int)).sort_values(
            ["_r", "total_post"], ascending=[False, False], kind="mergesort"
        )
        awarded = set(a.index[a["awarded"].fillna(False).astype(bool)])
        k = len(awarded)
        voted = a[(a[["yes", "no", "abstain"]].sum(axis=1) > 0)]
        tau = (
            kendall_tau(f.loc[voted.index, "total_post"], voted["yes"] - voted["no"])
            if len(voted)
            else float("nan")
        )
        rec = set(f.index[f["recommended"].astype(bool)])
        rows.append(
            {
                CATEGORY: c,
                "k": int(k),
                "precision_at_k": precision_at_k(list(order.index), awarded, k),
                "kendall_tau": tau,
                "n_entries": len(f),
                "n_voted": len(voted),
                "n_recommended": len(rec),
                "n_awarded": k,
                "n_recommended_awarded": len(rec & awarded),
            }
        )
    return pd.DataFrame(rows)
