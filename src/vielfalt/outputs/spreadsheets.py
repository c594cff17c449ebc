"""Writing tables for people: XLSX and CSV with a formula-injection guard, byte-deterministic.

Every cell the suite writes passes :func:`neutralise`: text starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return gets a leading apostrophe, so a spreadsheet never evaluates it as a formula (OWASP
"CSV Injection"). Numbers stay numbers. XLSX files are written with fixed document and zip timestamps, so the
same table gives the same bytes (a requirement for reproducible runs).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vielfalt.intake.read import FORMULA_PREFIXES

__all__ = [
    "CONSENT_COLUMN",
    "FORMULA_PREFIXES",
    "JURY_PROFILES",
    "TextReview",
    "free_text_items",
    "jury_export",
    "neutralise",
    "neutralise_frame",
    "normalise_zip",
    "public_export",
    "raw_columns",
    "read_text_review",
    "write_csv",
    "write_jury_exports",
    "write_profile",
    "write_xlsx",
]

FIXED_TIME = datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# openpyxl overwrites properties.modified with the save time, so the stamp is fixed in the XML itself
_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def neutralise(value: Any) -> Any:
    """Make one cell value safe for spreadsheets.

    Text that a spreadsheet would read as a formula gets a leading ``'``; numbers, booleans and empty
    values pass unchanged. Negative numbers stay numbers (they are not text).

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise(-3)
    -3
    >>> neutralise("-")
    "'-"
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells and column headings are neutralised."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutralise).astype(object)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def _cell(value: Any) -> Any:
    """Convert pandas/numpy values into what openpyxl writes plainly."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _cell(value.item())
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, list | tuple | dict | set):
        return str(value)
    return neutralise(value)


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip (an XLSX) with fixed member timestamps and order, so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            data = src.read(name)
            if name == "docProps/core.xml":
                data = _CORE_TIME.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            dst.writestr(info, data)
    return out.getvalue()


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    headers: Mapping[str, Sequence[str]] | None = None,
    title_rows: Mapping[str, Sequence[str]] | None = None,
    column_widths: Mapping[str, Mapping[str, float]] | None = None,
    validations: Mapping[str, Sequence[tuple[str, str, str]]] | None = None,
    index: bool = False,
) -> Path:
    """Write one or more tables to an XLSX file, guarded and deterministic.

    Parameters
    ----------
    sheets : mapping of sheet name → DataFrame
    path : str or Path
    headers : mapping of sheet name → headings, optional
        Headings to show instead of the column names (e.g. German).
    title_rows : mapping of sheet name → lines, optional
        Lines written above the table (edition, generation note).
    column_widths : mapping of sheet name → {column letter: width}, optional
    validations : mapping of sheet name → [(cell range, comma list, prompt)], optional
        Data-validation lists (e.g. ratings 0–4).
    index : bool, default False
        Write the index as the first column.

    Returns
    -------
    Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=str(name)[:31])
        frame = df.reset_index() if index else df
        for line in (title_rows or {}).get(name, []):
            ws.append([_cell(line)])
        head = list((headers or {}).get(name, [str(c) for c in frame.columns]))
        ws.append([_cell(h) for h in head])
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
        # freeze below the heading; set after appending, since touching a cell would move max_row
        ws.freeze_panes = f"A{header_row + 1}"
        for letter, width in (column_widths or {}).get(name, {}).items():
            ws.column_dimensions[letter].width = width
        for rng, options, prompt in (validations or {}).get(name, []):
            dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True, showErrorMessage=True)
            dv.error = prompt
            dv.prompt = prompt
            ws.add_data_validation(dv)
            dv.add(rng)
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "vielfalt"
    buf = io.BytesIO()
    wb.save(buf)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(normalise_zip(buf.getvalue()))
    return p


def write_csv(
    df: pd.DataFrame, path: str | Path, *, headers: Sequence[str] | None = None, index: bool = False
) -> Path:
    """Write a guarded CSV for Excel users: UTF-8 with BOM, ``;``, CRLF (what German Excel opens cleanly)."""
    frame = neutralise_frame(df.reset_index() if index else df)
    if headers is not None:
        frame.columns = [neutralise(h) for h in headers]
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(p, sep=";", index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return p


# --- export profiles for the jury and the public (DOMAIN.md §6.4) ---------------------------------------

#: Profiles written by the jury and close stages.
JURY_PROFILES = ("jury_blind", "jury_named")


def raw_columns(q: Any, profile: str) -> list[str]:
    """Response columns whose raw answer `profile` may carry: items that name it under ``exports``.

    Contact data (``pii`` items and sub-questions) never leaves ``institute_full``; items without an
    ``exports`` list carry no raw answer outside ``institute_full`` (scores are exported instead).
    """
    cols: list[str] = []
    for _, it in q.iter_items():
        if profile != "institute_full" and (it.pii or any(s.pii for s in it.subs or [])):
            continue
        if profile == "institute_full" or (it.exports is not None and profile in it.exports):
            cols += it.columns()
    return cols


def free_text_items(q: Any) -> list[Any]:
    """The instrument's free texts: text items marked ``redact_for`` (they may name people)."""
    return [it for _, it in q.iter_items() if it.type == "text" and it.redact_for and not it.pii]


@dataclass
class TextReview:
    """Free texts as reviewed (redacted) by the institute, for profiles that may show them only so."""

    texts: pd.DataFrame  # index entry_id, one column per item id
    failures: pd.DataFrame


def read_text_review(
    project_root: str | Path, edition: str, *, entries: pd.DataFrame, q: Any, lang: str = "de"
) -> TextReview | None:
    """Read ``data/<ed>/text_review.csv`` (Eintrag; Item; Geprüfter Text), or None when it does not exist.

    Each row gives the reviewed version of one free text (names of people and companies removed). Rows for
    unknown entries or items that are not free texts are reported, never used.
    """
    from vielfalt.columns import ENTRY_ID, FAILURE_COLUMNS
    from vielfalt.intake.read import read_table

    path = Path(project_root) / "data" / edition / "text_review.csv"
    if not path.is_file():
        return None
    raw = read_table(path, lang=lang)
    names = {str(c).strip().casefold(): c for c in raw.columns}
    pick = {
        ENTRY_ID: next((names[k] for k in ("eintrag", "entry_id", "entry") if k in names), None),
        "item": next((names[k] for k in ("item", "frage") if k in names), None),
        "text": next((names[k] for k in ("geprüfter text", "reviewed text", "text") if k in names), None),
    }
    missing = [k for k, v in pick.items() if v is None]
    if missing:
        from vielfalt.exceptions import DataError

        msg = (
            f"{path}: es fehlen die Spalten {', '.join(missing)}; erwartet: Eintrag, Item, Geprüfter Text."
            if lang == "de"
            else f"{path}: missing columns {', '.join(missing)}; expected: Entry, Item, Reviewed text."
        )
        raise DataError(msg, path=str(path))
    allowed = {it.id for it in free_text_items(q)}
    texts: dict[str, dict[str, str]] = {}
    failures = []
    for row_no, r in raw.iterrows():
        e, item, text = (str(r[pick[k]]).strip() for k in (ENTRY_ID, "item", "text"))
        problem = None
        if e not in entries.index:
            problem = (
                f"„{e}“ ist kein angenommener Eintrag."
                if lang == "de"
                else f"'{e}' is not an accepted entry."
            )
        elif item not in allowed:
            problem = (
                f"„{item}“ ist kein Freitext ({', '.join(sorted(allowed))})."
                if lang == "de"
                else f"'{item}' is not a free text ({', '.join(sorted(allowed))})."
            )
        if problem:
            failures.append({"source": path.name, "row": row_no, ENTRY_ID: e, "item": item, "column": None,
                             "check": "text_review", "value": item, "severity": "error", "reason": problem,
                             "fix": ""})  # fmt: skip
            continue
        texts.setdefault(e, {})[item] = text
    frame = pd.DataFrame.from_dict(texts, orient="index").reindex(columns=sorted(allowed))
    frame.index.name = ENTRY_ID
    return TextReview(texts=frame.sort_index(), failures=pd.DataFrame(failures, columns=FAILURE_COLUMNS))


_JURY_HEADS = {
    "de": {
        "entry_id": "Eintrag",
        "name": "Organisation",
        "A02": "Rechtsform",
        "category": "Kategorie",
        "rank": "Rang",
        "total_pre": "Punkte vor dem Besuch",
        "total_post": "Punkte nach dem Besuch",
        "delta": "Änderung durch den Besuch",
        "recommended": "Label empfohlen",
        "recommendation": "Empfehlung",
        "Q5": "Rang 5 %",
        "Q95": "Rang 95 %",
        "P_topk": "P(Rang ≤ k)",
        "visited": "besucht",
        "visit_rating": "Besuchsbewertung (0–4)",
        "checks_text": "Geprüfte Maßnahmen",
        "flags_text": "Hinweise",
        "visit_note": "Notizen der Gutachtenden",
    },
    "en": {
        "entry_id": "Entry",
        "name": "Organisation",
        "A02": "Legal form",
        "category": "Category",
        "rank": "Rank",
        "total_pre": "Score before the visit",
        "total_post": "Score after the visit",
        "delta": "Change from the visit",
        "recommended": "Label recommended",
        "recommendation": "Recommendation",
        "Q5": "Rank 5 %",
        "Q95": "Rank 95 %",
        "P_topk": "P(rank ≤ k)",
        "visited": "visited",
        "visit_rating": "Visit rating (0–4)",
        "checks_text": "Measures checked",
        "flags_text": "Flags",
        "visit_note": "Evaluators' notes",
    },
}


def jury_export(
    profile: str,
    view: Any,
    entries: pd.DataFrame,
    q: Any,
    *,
    reviewed: TextReview | None = None,
    lang: str = "de",
) -> tuple[pd.DataFrame, list[str]]:
    """The table of a jury export profile and the notes that go with it.

    ``jury_blind``: pseudonym, category, scores before/after the visit, rank interval, recommendation,
    site-visit counts; free texts only in their reviewed form (``data/<ed>/text_review.csv``), otherwise
    left out and said so. ``jury_named``: additionally the organisation's name and legal form (the
    instrument's ``exports`` lists), the evaluators' notes and the free texts. Neither ever holds contact
    data (questionnaire section G) or exact headcounts.

    Returns
    -------
    (DataFrame, list of str)
        Columns already under their German (or English) headings; notes for the reader.
    """
    if profile not in JURY_PROFILES:
        from vielfalt.exceptions import ConfigError

        msg = (
            f"The 'profile' parameter of jury_export must be one of {JURY_PROFILES}. Got {profile!r} instead."
        )
        raise ConfigError(msg)
    heads = _JURY_HEADS[lang]
    f = view.final
    order = [e for c, _ in view.categories for e in view.in_category(c).index]
    f = f.loc[order]
    yes, no = ("ja", "nein") if lang == "de" else ("yes", "no")
    cat_label = dict(view.categories)
    data: dict[str, Any] = {heads["entry_id"]: list(f.index)}
    allowed = set(raw_columns(q, profile))
    if profile == "jury_named":
        if "A01" in allowed:
            data[heads["name"]] = entries["A01"].reindex(f.index).tolist()
        if "A02" in allowed and "A02" in entries:
            opts = {o.code: o.label.get(lang) for o in q.options_of(q.item("A02"))}
            data[heads["A02"]] = [opts.get(v, v) for v in entries["A02"].reindex(f.index)]
    data[heads["category"]] = [cat_label.get(c, c) for c in f["category"]]
    for c in ("rank", "total_pre", "total_post", "delta"):
        data[heads[c]] = f[c].astype(float).round(2).tolist() if c != "rank" else f[c].tolist()
    for s in view.sections():
        data[view.section_labels.get(s, s)] = f[f"{s}_post"].astype(float).round(1).tolist()
    for c in ("Q5", "Q95", "P_topk"):
        data[heads[c]] = f[c].tolist()
    data[heads["recommended"]] = [yes if bool(v) else no for v in f["recommended"]]
    data[heads["recommendation"]] = f["recommendation"].tolist()
    data[heads["visited"]] = [yes if bool(v) else no for v in f["visited"]]
    data[heads["visit_rating"]] = f["visit_rating"].tolist()
    data[heads["checks_text"]] = f["checks_text"].tolist()
    data[heads["flags_text"]] = f["flags_text"].tolist()
    notes: list[str] = []
    if profile == "jury_named":
        data[heads["visit_note"]] = [" | ".join(view.notes.get(e, [])) for e in f.index]
    texts = free_text_items(q)
    if profile == "jury_named":
        for it in texts:
            if it.id in entries:
                col = entries[it.id].reindex(f.index)
                data[f"{it.id} {it.label.get(lang)}"] = [v if isinstance(v, str) else "" for v in col]
    elif reviewed is not None and len(reviewed.texts):
        for it in texts:
            if it.id in reviewed.texts:
                col = reviewed.texts[it.id].reindex(f.index)
                data[f"{it.id} {it.label.get(lang)}"] = [v if isinstance(v, str) else "" for v in col]
        notes.append(
            "Freitexte in der geprüften Fassung (data/<Edition>/text_review.csv)."
            if lang == "de"
            else "Free texts in their reviewed form (data/<edition>/text_review.csv)."
        )
    else:
        notes.append(
            "Freitexte fehlen in dieser Fassung: sie werden erst nach Prüfung (Namen entfernt) aufgenommen "
            "(data/<Edition>/text_review.csv)."
            if lang == "de"
            else "Free texts are left out: they are included only after review (names removed)."
        )
    notes.append(
        "Keine Kontaktdaten, keine genauen Beschäftigtenzahlen (nur die Kategorie)."
        if lang == "de"
        else "No contact data, no exact headcounts (only the category)."
    )
    return pd.DataFrame(data), notes


def write_profile(
    table: pd.DataFrame, out_dir: str | Path, stem: str, *, notes: Sequence[str] = (), lang: str = "de"
) -> dict[str, Path]:
    """Write one export table as ``<stem>.xlsx`` (with a notes sheet) and ``<stem>.csv`` (guarded writers)."""
    out = Path(out_dir)
    sheet = "Daten" if lang == "de" else "Data"
    sheets = {sheet: table}
    if notes:
        sheets["Hinweise" if lang == "de" else "Notes"] = pd.DataFrame({"": list(notes)})
    xlsx = write_xlsx(sheets, out / f"{stem}.xlsx")
    csv = write_csv(table, out / f"{stem}.csv")
    return {f"{stem}_xlsx": xlsx, f"{stem}_csv": csv}


def write_jury_exports(
    view: Any,
    entries: pd.DataFrame,
    q: Any,
    out_dir: str | Path,
    *,
    reviewed: TextReview | None = None,
    lang: str = "de",
) -> dict[str, Path]:
    """Write the ``jury_blind`` and ``jury_named`` profiles (XLSX and CSV) into `out_dir`."""
    files: dict[str, Path] = {}
    for profile in JURY_PROFILES:
        table, notes = jury_export(profile, view, entries, q, reviewed=reviewed, lang=lang)
        files.update(write_profile(table, out_dir, f"{profile}_{view.edition}", notes=notes, lang=lang))
    return files


CONSENT_COLUMN = "G02[veroeffentlichung]"


def public_export(
    awards: pd.DataFrame, entries: pd.DataFrame, *, ed: Any, q: Any, lang: str = "de"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``public`` profile: winners that consented to publication (G02 "Veröffentlichung bei Auszeichnung").

    Only columns the instrument lists for ``public`` (the organisation's name) plus category and label.
    Winners without that consent are left out and returned with the reason.

    Returns
    -------
    (public, excluded)
        ``excluded`` has index ``entry_id`` and a ``reason`` column.
    """
    won = awards[awards["awarded"].astype(bool)]
    consent = (
        entries[CONSENT_COLUMN].reindex(won.index).fillna(False).astype(bool)
        if CONSENT_COLUMN in entries
        else pd.Series(False, index=won.index)
    )
    reason = (
        "keine Einwilligung zur Veröffentlichung (G02 „Veröffentlichung bei Auszeichnung“ nicht angekreuzt)"
        if lang == "de"
        else "no consent to publication (G02 'publication if awarded' not ticked)"
    )
    excluded = pd.DataFrame({"reason": reason}, index=won.index[~consent.to_numpy()])
    excluded.index.name = "entry_id"
    ok = won[consent.to_numpy()]
    allowed = set(raw_columns(q, "public"))
    label = ed.title.get(lang)
    heads = (
        ("Organisation", "Kategorie", "Auszeichnung")
        if lang == "de"
        else ("Organisation", "Category", "Award")
    )
    order = sorted(
        ok.index, key=lambda e: (ed.categories().index(ok.at[e, "category"]), str(entries.at[e, "A01"]))
    )
    table = pd.DataFrame(
        {
            heads[0]: [entries.at[e, "A01"] if "A01" in allowed else "" for e in order],
            heads[1]: [ed.category_scheme.label(ok.at[e, "category"], lang) for e in order],
            heads[2]: [f"Label {label}" for _ in order],
        }
    )
    return table, excluded
