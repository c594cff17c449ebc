"""Schema checks of responses against the instrument: every row ends accepted or quarantined, with reasons.

Validation is lazy (pandera-style): every problem of every row is collected into one failure table with the
columns :data:`vielfalt.columns.FAILURE_COLUMNS` — source, row, entry, item, column, check, value, severity,
reason, fix — before anything is decided. Structural problems (unreadable file, a required column missing,
a column present twice) stop the file with a :class:`DataError` instead.

Severity "error" quarantines the row; "warning" keeps it and reports the problem. Type problems in optional,
unscored context items are warnings (the value is treated as missing); everywhere else they are errors.
Rows in = rows accepted + rows quarantined, asserted at the end of every intake.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vielfalt.columns import (
    CATEGORY,
    ENTRY_ID,
    FAILURE_COLUMNS,
    REASON,
    RESPONSE_ID,
    ROW,
    SEVERITY,
    SOURCE,
    SUBMITDATE,
)
from vielfalt.config.edition import Edition, InputFile
from vielfalt.config.questionnaire import Item, Questionnaire, Sub
from vielfalt.exceptions import DataError
from vielfalt.intake import read as ingest
from vielfalt.intake.categories import CATEGORY_REASON, assign_categories

__all__ = [
    "MESSAGES",
    "ValidationReport",
    "entry_id_for",
    "validate_files",
    "validate_table",
]

# --- messages (German default, English with lang="en"); asserted in tests ------------------------
MESSAGES: dict[str, dict[str, str]] = {
    "not_integer": {
        "de": "„{value}“ ist keine ganze Zahl.",
        "en": "'{value}' is not a whole number.",
    },
    "not_number": {"de": "„{value}“ ist keine Zahl.", "en": "'{value}' is not a number."},
    "approximate": {
        "de": "„{value}“ ist nur ungefähr angegeben.",
        "en": "'{value}' is only approximate.",
    },
    "below_min": {"de": "{value} ist kleiner als {limit}.", "en": "{value} is less than {limit}."},
    "above_max": {"de": "{value} ist größer als {limit}.", "en": "{value} is greater than {limit}."},
    "unknown_option": {
        "de": "„{value}“ ist keine Antwortmöglichkeit dieser Frage (erlaubt: {allowed}).",
        "en": "'{value}' is not an answer option of this question (allowed: {allowed}).",
    },
    "unknown_tick": {
        "de": "„{value}“ ist kein Ankreuzwert (erwartet: Y, x oder leer).",
        "en": "'{value}' is not a tick (expected: Y, x or empty).",
    },
    "not_yesno": {
        "de": "„{value}“ ist weder Ja noch Nein.",
        "en": "'{value}' is neither yes nor no.",
    },
    "required": {"de": "Pflichtangabe fehlt.", "en": "Required answer is missing."},
    "pattern": {
        "de": "„{value}“ hat nicht die erwartete Form.",
        "en": "'{value}' does not have the expected form.",
    },
    "too_long": {
        "de": "Text ist {length} Zeichen lang (höchstens {limit}).",
        "en": "Text is {length} characters long (at most {limit}).",
    },
    "check_le": {
        "de": "{reason}: {left_col} = {left} ist größer als {right_col} = {right}.",
        "en": "{reason}: {left_col} = {left} is greater than {right_col} = {right}.",
    },
    "check_sum_eq": {
        "de": "{reason}: Summe {total_sum} statt {total}.",
        "en": "{reason}: sum {total_sum} instead of {total}.",
    },
    "exclusive": {
        "de": "„{option}“ ist zusammen mit anderen Optionen angekreuzt.",
        "en": "'{option}' is ticked together with other options.",
    },
    "other_without_text": {
        "de": "„Sonstiges“ gewählt, aber kein Text angegeben.",
        "en": "'Other' chosen but no text given.",
    },
    "duplicate_submission": {
        "de": "{where}Doppelte Einsendung von „{name}“: eine neuere Einsendung ({kept}) wird verwendet.",
        "en": "{where}Duplicate submission of '{name}': a newer submission ({kept}) is used.",
    },
    "duplicate_id": {
        "de": "Antwort-ID „{value}“ kommt in dieser Datei mehrfach vor.",
        "en": "Response ID '{value}' occurs more than once in this file.",
    },
    "incomplete": {
        "de": "Die Antwort wurde nicht abgeschlossen (kein Absendedatum).",
        "en": "The response was not completed (no submission date).",
    },
    "bad_date": {"de": "„{value}“ ist kein Datum.", "en": "'{value}' is not a date."},
    "ragged": {
        "de": "Die Zeile hat {fields} Felder statt {expected}.",
        "en": "The row has {fields} fields instead of {expected}.",
    },
    "unknown_column": {
        "de": "Spalte „{value}“ gehört nicht zum Fragebogen und wird nicht ausgewertet.",
        "en": "Column '{value}' is not part of the questionnaire and is not evaluated.",
    },
    "missing_column": {
        "de": "Spalte {value} fehlt; die Angaben gelten als leer.",
        "en": "Column {value} is missing; its answers count as empty.",
    },
    "category_undecidable": {
        "de": "Größenkategorie nicht bestimmbar: {why}.",
        "en": "Size category cannot be decided: {why}.",
    },
    "formula_like": {
        "de": "Text beginnt mit „{start}“ (wie eine Formel); er wird in Exporten entschärft.",
        "en": "Text starts with '{start}' (like a formula); it is neutralised in exports.",
    },
    "form_not_in_list": {
        "de": "Datei {file}, Blatt „{sheet}“, Zelle {cell}: „{value}“ steht nicht in der Auswahlliste dieses "
        "Feldes (überschrieben oder hineinkopiert).",
        "en": "File {file}, sheet '{sheet}', cell {cell}: '{value}' is not in this cell's selection list "
        "(typed over or pasted in).",
    },
    "form_location": {
        "de": "Datei {file}, Blatt „{sheet}“, Zelle {cell}: {reason}",
        "en": "File {file}, sheet '{sheet}', cell {cell}: {reason}",
    },
    "form_edition": {
        "de": "{file}: Das Formular gehört zur Edition „{form}“, eingelesen wird die Edition „{edition}“; es "
        "wird nicht übernommen. Bitte die Datei in den Datenordner der Edition {form} legen oder die Angaben "
        "in das Formular der Edition {edition} übertragen (vielfalt field {edition} --to xlsx).",
        "en": "{file}: The form belongs to the edition '{form}', the edition being read is '{edition}'; it "
        "is not taken. Please put the file into the data folder of edition {form}, or copy the answers into "
        "the form of edition {edition} (vielfalt field {edition} --to xlsx).",
    },
    "form_instrument": {
        "de": "{file}: Das Formular wurde für den Fragebogen {form_id} Version {form_version} erstellt, die "
        "Edition {edition} verwendet {qid} Version {version}; es wird nicht übernommen. Bitte die Angaben in "
        "das aktuelle Formular übertragen (vielfalt field {edition} --to xlsx).",
        "en": "{file}: The form was made for the questionnaire {form_id} version {form_version}, the edition "
        "{edition} uses {qid} version {version}; it is not taken. Please copy the answers into the current "
        "form (vielfalt field {edition} --to xlsx).",
    },
    "form_changed": {
        "de": "Das Formular wurde mit einer anderen Fassung der Datei {qid}.yaml (Version {version}) "
        "erstellt; Fragetexte können sich geändert haben.",
        "en": "The form was made from another state of {qid}.yaml (version {version}); question texts may "
        "have changed.",
    },
    "form_folder_empty": {
        "de": "{path}: Der Ordner enthält keine ausgefüllten Formulare (.xlsx). Bitte die zurückgeschickten "
        "Teilnahmebögen dort ablegen.",
        "en": "{path}: The folder contains no filled forms (.xlsx). Please put the returned forms there.",
    },
}

FIXES: dict[str, dict[str, str]] = {
    "not_integer": {"de": "Bitte eine ganze Zahl eintragen.", "en": "Please enter a whole number."},
    "not_number": {"de": "Bitte eine Zahl eintragen (z. B. 12 oder 12,5).", "en": "Please enter a number."},
    "approximate": {
        "de": "Bitte die genaue Zahl laut Personalstatistik eintragen.",
        "en": "Please enter the exact number from the HR records.",
    },
    "below_min": {"de": "Bitte den Wert prüfen.", "en": "Please check the value."},
    "above_max": {"de": "Bitte den Wert prüfen.", "en": "Please check the value."},
    "unknown_option": {
        "de": "Bitte einen der erlaubten Codes eintragen (siehe Codebuch).",
        "en": "Please enter one of the allowed codes (see the codebook).",
    },
    "unknown_tick": {"de": "Angekreuzt = x oder Y, sonst leer lassen.", "en": "Ticked = x or Y, else empty."},
    "not_yesno": {"de": "Bitte ja oder nein eintragen.", "en": "Please enter yes or no."},
    "required": {
        "de": "Bitte beim Teilnehmer nachfragen und eintragen.",
        "en": "Please ask the participant.",
    },
    "pattern": {"de": "Bitte das Format prüfen (siehe Codebuch).", "en": "Please check the format."},
    "too_long": {"de": "Bitte kürzen.", "en": "Please shorten it."},
    "check_le": {"de": "Bitte beide Zahlen prüfen.", "en": "Please check both numbers."},
    "check_sum_eq": {"de": "Bitte die Teilzahlen prüfen.", "en": "Please check the parts."},
    "exclusive": {
        "de": "Bitte entweder „keine“ oder die zutreffenden Optionen ankreuzen.",
        "en": "Tick either 'none' or the options that apply.",
    },
    "other_without_text": {"de": "Bitte den Text nachtragen.", "en": "Please add the text."},
    "duplicate_submission": {
        "de": "Keine Aktion nötig, falls die neuere Einsendung gilt; sonst die ältere Zeile löschen.",
        "en": "No action needed if the newer one counts; else delete the older row.",
    },
    "duplicate_id": {"de": "Bitte die IDs eindeutig machen.", "en": "Please make the IDs unique."},
    "incomplete": {
        "de": "Teilnehmer um Abschluss des Fragebogens bitten oder Zeile entfernen.",
        "en": "Ask the participant to complete the form, or remove the row.",
    },
    "bad_date": {"de": "Datum als TT.MM.JJJJ eintragen.", "en": "Enter the date as DD.MM.YYYY."},
    "ragged": {
        "de": "Bitte die Zeile in Excel prüfen: vermutlich ein Trennzeichen (;) im Text ohne Anführungszeichen.",
        "en": "Check the row: probably a separator inside unquoted text.",
    },
    "unknown_column": {
        "de": "Spalte umbenennen (Zuordnung in der Editionsdatei) oder ignorieren.",
        "en": "Rename it (mapping in the edition file) or ignore it.",
    },
    "missing_column": {
        "de": "Falls Angaben vorliegen, Spalte ergänzen.",
        "en": "Add the column if data exist.",
    },
    "category_undecidable": {
        "de": "Bitte die Zahl der Beschäftigten (Köpfe am Stichtag) eintragen.",
        "en": "Please enter the number of employees (heads on the reference date).",
    },
    "formula_like": {"de": "Keine Aktion nötig.", "en": "No action needed."},
    "form_not_in_list": {
        "de": "Bitte die Zelle leeren und einen Eintrag aus der Auswahlliste wählen ({allowed}).",
        "en": "Please clear the cell and choose an entry from the selection list ({allowed}).",
    },
    "form_changed": {
        "de": "Bitte die Antworten dieses Formulars mit dem aktuellen Codebuch vergleichen.",
        "en": "Please compare this form's answers with the current codebook.",
    },
}

# checks whose value came from a selection list of the fillable form (vielfalt.instrument.field.write_form_xlsx)
_FORM_LIST_CHECKS = frozenset({"unknown_option", "unknown_tick", "not_yesno"})
# what LimeSurvey's export with full answer texts writes for "-oth-" (its translation of "Other")
_OTHER_WORDS = frozenset({"-oth-", "other", "sonstiges", "sonstige"})
# what it writes for an unanswered yes/no question (its translation of "N/A")
_NO_ANSWER_WORDS = frozenset({"n/a", "keine antwort", "k. a.", "k.a."})

CATEGORY_WHY = {
    "headcount_missing": {"de": "Zahl der Beschäftigten fehlt", "en": "number of employees missing"},
    "headcount_invalid": {
        "de": "Zahl der Beschäftigten ist keine ganze Zahl ab 1",
        "en": "number of employees is not a whole number ≥ 1",
    },
}

META_COLUMNS = ingest.LIMESURVEY_METADATA
FORMULA_START = ingest.FORMULA_PREFIXES  # the same starts export neutralises
_NAME_NORMALISE = re.compile(r"[^0-9a-zäöüß]+")


def _msg(key: str, lang: str, table: dict[str, dict[str, str]] = MESSAGES, **kw: Any) -> str:
    return table[key].get(lang, table[key]["de"]).format(**kw)


def entry_id_for(salt: str, source: str, response_id: str) -> str:
    """Stable pseudonym of one response: the same salt, source and response id give the same id.

    Examples
    --------
    >>> entry_id_for("demo2010-3b9f0c1e", "online", "7")
    'VG-...'
    """
    digest = hashlib.sha256(f"{salt}\x1f{source}\x1f{response_id}".encode()).hexdigest()
    return "VG-" + digest[:10].upper()


@dataclass
class ValidationReport:
    """The outcome of one intake: accepted entries, quarantined rows, and every problem found."""

    accepted: pd.DataFrame
    quarantine: pd.DataFrame
    failures: pd.DataFrame
    rows_read: int
    sources: list[dict[str, Any]] = field(default_factory=list)
    lang: str = "de"

    @property
    def n_accepted(self) -> int:
        """Rows accepted."""
        return len(self.accepted)

    @property
    def n_quarantined(self) -> int:
        """Rows quarantined."""
        return len(self.quarantine)

    def check_balance(self) -> None:
        """Assert rows in = accepted + quarantined (raise DataError otherwise: a bug, never silent)."""
        if self.rows_read != self.n_accepted + self.n_quarantined:
            msg = (
                f"Interner Fehler: {self.rows_read} Zeilen gelesen, aber {self.n_accepted} angenommen und "
                f"{self.n_quarantined} zurückgestellt. Bitte melden."
            )
            raise DataError(msg)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (for ``vielfalt validate --json``)."""
        fails = self.failures.copy()
        fails = fails.astype(object).where(fails.notna(), None)
        return {
            "rows_read": int(self.rows_read),
            "accepted": int(self.n_accepted),
            "quarantined": int(self.n_quarantined),
            "sources": self.sources,
            "quarantine": [
                {k: _plain(v) for k, v in r.items()}
                for r in self.quarantine[[SOURCE, ROW, ENTRY_ID, RESPONSE_ID, "name", REASON]].to_dict(
                    "records"
                )
            ],
            "failures": [{k: _plain(v) for k, v in r.items()} for r in fails.to_dict("records")],
        }

    def summary(self) -> str:
        """A short text for evaluators (German by default)."""
        de = self.lang != "en"
        lines = [
            (
                f"Gelesen: {self.rows_read} Zeilen — angenommen: {self.n_accepted}, zurückgestellt: {self.n_quarantined}."
                if de
                else f"Read: {self.rows_read} rows — accepted: {self.n_accepted}, quarantined: {self.n_quarantined}."
            )
        ]
        for s in self.sources:
            if s.get("format") == "xlsx":
                how = "Excel-Arbeitsmappe" if de else "Excel workbook"
            else:
                how = (
                    f"{s.get('encoding')}, Trennzeichen {s.get('delimiter')!r}"
                    if de
                    else f"{s.get('encoding')}, delimiter {s.get('delimiter')!r}"
                )
            lines.append(
                f"  {s['source']}: {s['file']} ({s.get('rows', 0)} {'Zeilen' if de else 'rows'}, {how})"
            )
        if self.n_quarantined:
            lines.append("Zurückgestellt:" if de else "Quarantined:")
            for r in self.quarantine.itertuples():
                lines.append(
                    f"  - {r.source}, Zeile {r.row} ({r.name or '—'}): {r.reason}"
                    if de
                    else f"  - {r.source}, row {r.row} ({r.name or '—'}): {r.reason}"
                )
        warns = self.failures[self.failures[SEVERITY] == "warning"]
        if len(warns):
            lines.append(
                f"Hinweise ohne Zurückstellung: {len(warns)} (siehe Fehlertabelle)."
                if de
                else f"Warnings (row kept): {len(warns)} (see the failure table)."
            )
        return "\n".join(lines)


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


class _Collector:
    """Collects failure rows as plain tuples (fast) and builds the table once."""

    def __init__(self, lang: str) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.lang = lang

    def add(
        self,
        key: str,
        *,
        source: str,
        rows: Sequence[Any],
        entry_ids: Sequence[Any],
        item: str | None,
        column: str | None,
        values: Sequence[Any],
        severity: str,
        reasons: Sequence[str] | None = None,
        **fmt: Any,
    ) -> None:
        fix = FIXES[key].get(self.lang, FIXES[key]["de"])
        for i, (r, e, v) in enumerate(zip(rows, entry_ids, values, strict=True)):
            reason = reasons[i] if reasons is not None else _msg(key, self.lang, value=v, **fmt)
            self.rows.append((source, r, e, item, column, key, v, severity, reason, fix))

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=FAILURE_COLUMNS)
        return df.astype({ROW: "Int64"}) if len(df) else df


def _where(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)


def _is_soft(item: Item, sub: Sub | None = None) -> bool:
    """Type problems in optional, unscored context items only warn (the value counts as missing)."""
    required = item.required or (sub is not None and sub.required)
    return (not required) and item.scoring.kind in ("none", "context_only") and item.type != "single"


class _Cells:
    """One column's cells and their distinct values, so that per-value work runs once per distinct value.

    A questionnaire column repeats a few values (codes, ticks, numbers), and the reader gives equal cells
    one shared object, so one hash pass (``pd.factorize``) finds them; a step is then computed on the
    distinct values and spread back with ``result[codes]``. :meth:`derive` maps the distinct values through
    a pure function and keeps the codes, so a column is hashed once however many steps follow.
    """

    __slots__ = ("_codes", "_distinct", "_values")

    def __init__(self, values: Any, *, codes: np.ndarray | None = None, distinct: np.ndarray | None = None):
        self._values = None if values is None else np.asarray(values, dtype=object)
        self._codes = codes
        self._distinct = distinct

    def _factorize(self) -> None:
        if self._codes is None:
            codes, uniques = pd.factorize(self._values)
            if len(codes) and codes.min() < 0:  # a missing value (not from read_table): keep it as a value
                codes, uniques = pd.factorize(self._values, use_na_sentinel=False)
            self._codes, self._distinct = codes, np.asarray(uniques, dtype=object)

    @property
    def codes(self) -> np.ndarray:
        """Position of each cell's value in :attr:`distinct`."""
        self._factorize()
        return self._codes  # type: ignore[return-value]

    @property
    def distinct(self) -> np.ndarray:
        """The distinct values (object array)."""
        self._factorize()
        return self._distinct  # type: ignore[return-value]

    @property
    def values(self) -> np.ndarray:
        """The cells (object array)."""
        if self._values is None:
            self._values = self.distinct[self.codes]
        return self._values

    def each(self, fn: Any, dtype: Any = object) -> np.ndarray:
        """``fn`` of every cell, computed once per distinct value."""
        out = np.empty(len(self.distinct), dtype=dtype)
        for i, u in enumerate(self.distinct):
            out[i] = fn(u)
        return out[self.codes]

    def derive(self, fn: Any) -> _Cells:
        """The cells mapped through the pure function ``fn``, sharing this column's codes."""
        out = np.empty(len(self.distinct), dtype=object)
        for i, u in enumerate(self.distinct):
            out[i] = fn(u)
        return _Cells(None, codes=self.codes, distinct=out)

    def strip(self) -> _Cells:
        """Cells without surrounding white space, like ``Series.str.strip`` (non-text cells stay)."""
        return self.derive(_strip_one)


def _strip_one(v: Any) -> Any:
    return v.strip() if isinstance(v, str) else v


def _strip(values: Any) -> np.ndarray:
    """Cells without surrounding white space, like ``Series.str.strip`` (non-text cells stay as they are)."""
    return _Cells(values).strip().values


def _per_value(values: Any, fn: Any) -> np.ndarray:
    """``fn`` applied to every cell (an object array), computed once per distinct value."""
    return _Cells(values).each(fn)


def _parse_numbers(cells: _Cells, decimal: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column of number strings via its distinct values; returns (value, ok, approximate)."""
    uniques = cells.distinct
    vals = np.empty(len(uniques), dtype=float)
    ok = np.empty(len(uniques), dtype=bool)
    approx = np.empty(len(uniques), dtype=bool)
    for i, u in enumerate(uniques):
        p = ingest.parse_number(u, decimal=decimal)
        vals[i] = np.nan if p.value is None else float(p.value)
        ok[i], approx[i] = bool(p.ok), bool(p.approximate)
    codes = cells.codes
    return vals[codes], ok[codes], approx[codes]


def _parse_bools(cells: _Cells) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse tick/yes-no tokens via their distinct values; returns (value (True/False), ok, empty)."""
    uniques = cells.distinct
    vals = np.zeros(len(uniques), dtype=bool)
    ok = np.zeros(len(uniques), dtype=bool)
    empty = np.zeros(len(uniques), dtype=bool)
    for i, u in enumerate(uniques):
        t = u.strip()
        if t == "":
            ok[i] = empty[i] = True
        elif ingest.is_bool_token(t):
            vals[i], ok[i] = bool(ingest.parse_bool(t)), True
    codes = cells.codes
    return vals[codes], ok[codes], empty[codes]


def _option_lookup(item: Item, q: Questionnaire) -> dict[str, str]:
    """Accepted spellings → code: the code itself (any case) and the full label texts (LimeSurvey 'long')."""
    out: dict[str, str] = {}
    for o in q.options_of(item):
        out[o.code] = o.code
        out[o.code.casefold()] = o.code
        out[o.label.de.casefold()] = o.code
        if o.label.en:
            out[o.label.en.casefold()] = o.code
    return out


def _lookup_option(lookup: dict[str, str], value: str) -> str | None:
    """Code of a cell: the code, a label (any case) or a label as LimeSurvey's HTML (``&amp;``)."""
    hit = lookup.get(value)
    if hit is None:
        hit = lookup.get(str(value).casefold())
    if hit is None and "&" in str(value):
        hit = lookup.get(html.unescape(str(value)).strip().casefold())
    if hit is None and str(value).startswith("'"):
        # a label starting like a formula is written neutralised ("'- keine -") in the form's list
        hit = lookup.get(str(ingest.strip_injection_mask(value)).casefold())
    return hit


def _parse_date(cells: _Cells, index: pd.Index) -> tuple[pd.Series, np.ndarray]:
    """Parse ISO (LimeSurvey) or German (TT.MM.JJJJ) dates; returns (timestamps, ok). Empty is ok/NaT."""
    s = pd.Series(cells.strip().values, index=index, dtype=object)
    blank = (s == "").to_numpy()
    # the first format sets the dtype (fillna keeps the caller's); later formats only parse what is left
    iso = pd.to_datetime(s, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        todo = iso.isna().to_numpy() & ~blank
        if not todo.any():
            break
        iso = iso.fillna(pd.to_datetime(s[todo], format=fmt, errors="coerce"))
    ok = blank | iso.notna().to_numpy()
    return iso, ok


def _norm_name(name: str) -> str:
    return _NAME_NORMALISE.sub("", str(name).casefold())


def validate_table(
    raw: pd.DataFrame,
    q: Questionnaire,
    *,
    source: str,
    file: str,
    salt: str,
    dialect: str = "auto",
    mapping: dict[str, str] | None = None,
    decimal: str | None = None,
    lang: str = "de",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Validate one raw table (all strings, as :func:`vielfalt.intake.read.read_table` returns it).

    Parameters
    ----------
    raw : DataFrame
        Every cell a str; index = spreadsheet row number.
    q : Questionnaire
        The instrument.
    source : str
        Source label of the file (from the edition), part of the entry pseudonym.
    file : str
        File name for messages.
    salt : str
        The edition's pseudonym salt.
    dialect : {"limesurvey", "excel", "form", "auto"}
        Decides the decimal separator (unless `decimal` is given) and whether a missing submit date
        means an incomplete response (LimeSurvey) or just an unknown date (Excel, forms). For a filled
        form (:func:`vielfalt.intake.read.read_form`) every finding names the sheet and cell.
    mapping : dict, optional
        Per-source heading → canonical column.
    decimal : {",", "."}, optional
        Decimal separator of the source.
    lang : {"de", "en"}
        Language of reasons and fixes.

    Returns
    -------
    (parsed, failures, raw_canonical)
        `parsed`: typed values by canonical column plus metadata (source, row, response_id, submitdate,
        entry_id), one row per input row; `failures`: the failure table; `raw_canonical`: the raw strings
        under canonical names (for the quarantine).

    Raises
    ------
    DataError
        When a required column is missing or an instrument column appears twice.
    """
    col = _Collector(lang)
    if decimal is None:
        decimal = {"limesurvey": ".", "excel": ","}.get(dialect)
    info = raw.attrs.get("source_info", {}) or {}
    n = len(raw)
    rows = raw.index.to_numpy()

    # -- headings -----------------------------------------------------------------------------
    known = list(q.columns()) + list(META_COLUMNS)
    res = ingest.resolve_headings(list(raw.columns), known, mapping=mapping or {})
    if res.collisions:
        pairs = "; ".join(_describe_collision(c) for c in res.collisions)
        msg = (
            f"{file}: mehrere Spalten meinen dieselbe Frage ({pairs}). Bitte in der Datei eine davon löschen "
            "oder umbenennen; vielfalt entscheidet nicht, welche gilt."
        )
        raise DataError(msg, path=file)
    dup_instrument = [
        h for h in (info.get("duplicate_headings") or []) if res.mapping.get(str(h)) or str(h) in known
    ]
    if dup_instrument:
        msg = (
            f"{file}: die Spalte(n) {', '.join(map(str, dup_instrument))} kommen mehrfach vor. "
            "Bitte die doppelte Spalte löschen; vielfalt entscheidet nicht, welche gilt."
        )
        raise DataError(msg, path=file)
    known_set = set(known)
    renamed = [res.mapping.get(h, h) for h in raw.columns]
    present = [c for c in renamed if c in known_set]
    required_missing = [c for _, it in q.iter_items() for c in _required_columns(it) if c not in present]
    if required_missing:
        msg = (
            f"{file}: Pflichtspalte(n) {', '.join(required_missing)} fehlen. Bitte die Spalten mit diesen "
            "Überschriften ergänzen (Codes wie im Codebuch, z. B. A05[total] oder A05_total) oder in der "
            "Editionsdatei unter inputs.mapping zuordnen."
        )
        raise DataError(msg, path=file)
    # canonical name -> cells; a column missing from the file is empty (one shared array)
    canon: dict[str, _Cells] = {}
    if len(set(present)) == len(present):
        for pos, c in enumerate(renamed):
            if c in known_set:
                canon[c] = _Cells(raw.iloc[:, pos].to_numpy(dtype=object))
    else:  # resolve_headings reports collisions; keep pandas' own selection should one slip through
        frame = raw.set_axis(renamed, axis=1)
        for c in dict.fromkeys(present):
            canon[c] = _Cells(frame[c].to_numpy(dtype=object))
    blank = np.full(n, "", dtype=object)
    for c in known:
        if c not in canon:
            canon[c] = _Cells(blank)
    for h in res.unknown:
        if h == "__extra__":
            continue
        col.add(
            "unknown_column",
            source=source,
            rows=[None],
            entry_ids=[None],
            item=None,
            column=h,
            values=[h],
            severity="warning",
        )
    for c in res.missing:
        if c in META_COLUMNS or c.endswith("[other]"):
            continue
        col.add(
            "missing_column",
            source=source,
            rows=[None],
            entry_ids=[None],
            item=c.split("[")[0],
            column=c,
            values=[c],
            severity="warning",
        )

    # -- identity -----------------------------------------------------------------------------
    rid = pd.Series(canon["id"].strip().values, index=raw.index, dtype=object)
    rid = rid.where(rid != "", pd.Series([f"row{r}" for r in rows], index=raw.index))
    entry_ids = np.array([entry_id_for(salt, source, r) for r in rid.to_numpy()], dtype=object)
    dup_rid = rid.duplicated(keep=False).to_numpy()
    if dup_rid.any():
        idx = _where(dup_rid)
        col.add(
            "duplicate_id",
            source=source,
            rows=rows[idx],
            entry_ids=entry_ids[idx],
            item=None,
            column="id",
            values=rid.to_numpy()[idx],
            severity="error",
        )
        # keep pseudonyms unique even for the duplicated ids so nothing collides downstream
        entry_ids[idx] = [f"{e}-{r}" for e, r in zip(entry_ids[idx], rows[idx], strict=True)]
    heading_of = {v: k for k, v in res.mapping.items()}

    parsed: dict[str, Any] = {}
    ragged = info.get("ragged_rows") or []
    position = {int(r): i for i, r in enumerate(rows)} if ragged else {}
    for r in ragged:
        pos = np.array([position[r["row"]]] if r["row"] in position else [], dtype=int)
        col.add(
            "ragged",
            source=source,
            rows=rows[pos],
            entry_ids=entry_ids[pos],
            item=None,
            column=None,
            values=[""] * len(pos),
            severity="error",
            fields=r.get("fields"),
            expected=r.get("expected"),
        )

    submit, ok = _parse_date(canon["submitdate"], raw.index)
    bad = _where(~ok)
    col.add(
        "bad_date",
        source=source,
        rows=rows[bad],
        entry_ids=entry_ids[bad],
        item=None,
        column="submitdate",
        values=canon["submitdate"].values[bad],
        severity="warning",
    )
    if dialect == "limesurvey":
        inc = _where(canon["submitdate"].strip().values == "")
        col.add(
            "incomplete",
            source=source,
            rows=rows[inc],
            entry_ids=entry_ids[inc],
            item=None,
            column="submitdate",
            values=[""] * len(inc),
            severity="error",
        )

    def shown(c: str) -> str:
        return heading_of.get(c, c)

    # -- items ----------------------------------------------------------------------------------
    for _, it in q.iter_items():
        _validate_item(
            it,
            q,
            canon,
            parsed,
            col,
            source=source,
            rows=rows,
            entry_ids=entry_ids,
            decimal=decimal,
            shown=shown,
            lang=lang,
        )

    out = pd.DataFrame(parsed, index=raw.index)
    out.insert(0, SUBMITDATE, submit.to_numpy())
    out.insert(0, RESPONSE_ID, rid.to_numpy())
    out.insert(0, ROW, rows)
    out.insert(0, SOURCE, source)
    out.insert(0, ENTRY_ID, entry_ids)

    # -- cross-field checks ---------------------------------------------------------------------
    for _, it in q.iter_items():
        for chk in it.checks:
            _run_check(
                chk, it, out, col, source=source, rows=rows, entry_ids=entry_ids, shown=shown, lang=lang
            )

    cells = np.empty((n, len(known) + 1), dtype=object)  # one block, filled column by column
    cells[:, 0] = entry_ids
    for pos, c in enumerate(known, start=1):
        cells[:, pos] = canon[c].values
    raw_canonical = pd.DataFrame(
        cells, index=raw.index, columns=pd.Index([ENTRY_ID, *known], dtype=object), dtype=object, copy=False
    )
    failures = col.frame()
    if info.get("form") and len(failures):
        failures = _form_failures(failures, info["form"], q, file=file, lang=lang)
    return out, failures, raw_canonical


def _form_choices(q: Questionnaire, column: str, form_lang: str, lang: str) -> str:
    """The entries of a form cell's selection list, as the fix names them."""
    it = q.items.get(column.split("[")[0])
    if it is None:
        return ""
    quote = (lambda x: f"„{x}“") if lang == "de" else (lambda x: f"'{x}'")
    if it.type == "multi":
        entries = ["x"]
    elif it.type == "yesno":
        entries = ["ja", "nein"] if form_lang == "de" else ["yes", "no"]
    else:
        entries = [o.label.get(form_lang) for o in q.options_of(it)]
        if it.other:
            entries.append("Sonstiges" if form_lang == "de" else "Other")
    shown = ", ".join(quote(e) for e in entries[:6])
    if len(entries) > 6:
        shown += f", … ({len(entries)} {'Einträge' if lang == 'de' else 'entries'})"
    return shown


def _form_failures(
    failures: pd.DataFrame, form: dict[str, Any], q: Questionnaire, *, file: str, lang: str
) -> pd.DataFrame:
    """Name the sheet and cell of the form in every failure of a filled Teilnahmebogen."""
    cells = form.get("cells") or {}
    out = failures.copy()
    for i in range(len(out)):
        column = out.at[i, "column"]
        if column not in cells:
            continue
        sheet, cell = cells[column]
        if out.at[i, "check"] in _FORM_LIST_CHECKS:
            out.at[i, REASON] = _msg(
                "form_not_in_list", lang, file=file, sheet=sheet, cell=cell, value=out.at[i, "value"]
            )
            allowed = _form_choices(q, str(column), str(form.get("lang") or "de"), lang)
            out.at[i, "fix"] = _msg("form_not_in_list", lang, FIXES, allowed=allowed)
        else:
            out.at[i, REASON] = _msg(
                "form_location", lang, file=file, sheet=sheet, cell=cell, reason=out.at[i, REASON]
            )
    return out


def _describe_collision(c: Any) -> str:
    if isinstance(c, dict):
        return f"{', '.join(map(str, c.get('headings', [])))} → {c.get('canonical')}"
    if isinstance(c, tuple | list):
        return " / ".join(map(str, c))
    return str(c)


def _required_columns(it: Item) -> list[str]:
    if it.type in ("multinumeric", "multitext", "array"):
        return [f"{it.id}[{s.code}]" for s in it.subs or [] if s.required]
    return [it.id] if it.required else []


def _validate_item(
    it: Item,
    q: Questionnaire,
    canon: dict[str, _Cells],
    parsed: dict[str, Any],
    col: _Collector,
    *,
    source: str,
    rows: np.ndarray,
    entry_ids: np.ndarray,
    decimal: str | None,
    shown: Any,
    lang: str,
) -> None:
    """Parse one item's columns into `parsed` and record its failures."""

    def add(key: str, mask: np.ndarray, column: str, values: np.ndarray, severity: str, **fmt: Any) -> None:
        idx = _where(mask)
        if len(idx):
            col.add(
                key,
                source=source,
                rows=rows[idx],
                entry_ids=entry_ids[idx],
                item=it.id,
                column=shown(column),
                values=values[idx],
                severity=severity,
                **fmt,
            )

    if it.type in ("numeric", "multinumeric"):
        subs = it.subs or [
            Sub(code="", label=it.label, integer=it.integer, min=it.min, max=it.max, required=it.required)
        ]
        for sub in subs:
            c = f"{it.id}[{sub.code}]" if sub.code else it.id
            cells = canon[c]
            values = cells.values
            num, ok, approx = _parse_numbers(cells, decimal)
            soft = _is_soft(it, sub)
            sev = "warning" if soft else "error"
            empty = cells.each(lambda v: _strip_one(v) == "", bool)
            is_int = np.isnan(num) | (np.floor(num) == num)
            bad = ~ok
            add("not_number", bad, c, values, sev)
            not_int = ok & ~is_int & sub.integer
            add("not_integer", not_int, c, values, sev)
            # an approximate count is a guess: fine for context, not for a number that decides the category
            approx_err = ok & approx & (sub.required or it.required)
            add("approximate", approx_err, c, values, "error")
            add("approximate", ok & approx & ~approx_err, c, values, "warning")
            if sub.min is not None:
                add("below_min", ok & (num < sub.min), c, values, sev, limit=_fmt_num(sub.min))
            if sub.max is not None:
                add("above_max", ok & (num > sub.max), c, values, sev, limit=_fmt_num(sub.max))
            if sub.required or (it.required and not it.subs):
                add("required", np.isnan(num) & ok & empty, c, values, "error")
                add("required", np.isnan(num) & ok & ~empty & ~approx, c, values, "error")
            num = np.where(ok & (is_int | ~sub.integer), num, np.nan)
            if soft:
                num = np.where(
                    (sub.min is None) | ~(num < (sub.min if sub.min is not None else -np.inf)), num, np.nan
                )
            parsed[c] = num
    elif it.type == "multi":
        options = q.options_of(it)
        ticks = {}
        for o in options:
            c = f"{it.id}[{o.code}]"
            val, ok, _ = _parse_bools(canon[c])
            add("unknown_tick", ~ok, c, canon[c].values, "error")
            parsed[c] = val & ok
            ticks[o.code] = val & ok
        if it.other:
            c = f"{it.id}[other]"
            parsed[c] = canon[c].values
            _formula_warning(canon[c], add, c)
        exclusive = [o.code for o in options if o.exclusive]
        if exclusive and ticks:
            others = np.sum([v for k, v in ticks.items() if k not in exclusive], axis=0)
            for ex in exclusive:
                add(
                    "exclusive",
                    ticks[ex] & (others > 0),
                    f"{it.id}[{ex}]",
                    np.array(["Y"] * len(rows), dtype=object),
                    "error",
                    option=ex,
                )
    elif it.type in ("single", "array"):
        lookup = _option_lookup(it, q)
        allowed = ", ".join(o.code for o in q.options_of(it))
        targets = (
            [(f"{it.id}[{s.code}]", s) for s in it.subs or []] if it.type == "array" else [(it.id, None)]
        )
        for c, _sub in targets:
            stripped = canon[c].strip()
            values = stripped.values
            empty = stripped.each(lambda v: v == "", bool)
            mapped = stripped.each(lambda v: _lookup_option(lookup, v))
            is_other = (
                pd.isna(mapped) & stripped.each(lambda v: str(v).lower() in _OTHER_WORDS, bool)
                if it.other
                else np.zeros(len(values), bool)
            )
            unknown = ~empty & ~is_other & pd.isna(mapped)
            add("unknown_option", unknown, c, values, "error", allowed=allowed)
            if it.required:
                add("required", empty, c, values, "error")
            codes = np.where(is_other, "-oth-", mapped)
            codes = np.where(unknown | empty, None, codes)
            parsed[c] = codes.astype(object)
        if it.type == "single" and it.other:
            c = f"{it.id}[other]"
            parsed[c] = canon[c].values
            add(
                "other_without_text",
                (parsed[it.id] == "-oth-") & canon[c].each(lambda v: _strip_one(v) == "", bool),
                c,
                canon[c].values,
                "warning",
            )
    elif it.type == "yesno":
        # LimeSurvey's export with full answer texts writes "N/A" (translated) for an unanswered yes/no
        cells = canon[it.id].derive(
            lambda v: "" if isinstance(v, str) and v.strip().casefold() in _NO_ANSWER_WORDS else v
        )
        val, ok, empty = _parse_bools(cells)
        add("not_yesno", ~ok, it.id, cells.values, "error")
        if it.required:
            add("required", empty, it.id, cells.values, "error")
        out = np.where(ok & ~empty, val, None).astype(object)
        parsed[it.id] = out
    else:  # text, multitext
        targets = [f"{it.id}[{s.code}]" for s in it.subs or []] if it.type == "multitext" else [it.id]
        for c in targets:
            text = canon[c].derive(ingest.strip_injection_mask)
            values = text.values
            empty = text.each(lambda v: _strip_one(v) == "", bool)
            if it.required:
                add("required", empty, c, values, "error")
            if it.maxlen:
                lengths = text.each(len, int)
                for i in _where(lengths > it.maxlen):  # one message per over-long text, with its own length
                    col.add(
                        "too_long",
                        source=source,
                        rows=rows[[i]],
                        entry_ids=entry_ids[[i]],
                        item=it.id,
                        column=shown(c),
                        values=[values[i][:40] + "…"],
                        severity="warning",
                        length=int(lengths[i]),
                        limit=it.maxlen,
                    )
            if it.pattern:
                pat = re.compile(it.pattern)
                matches = text.each(lambda v, p=pat: bool(p.match(v.strip())), bool)
                add("pattern", ~empty & ~matches, c, values, "warning")
            _formula_warning(text, add, c)
            parsed[c] = values


def _formula_warning(cells: _Cells, add: Any, c: str) -> None:
    """Warn once per formula-like start character about the texts of a column that begin with it."""
    codes = cells.codes
    texts = [str(u) for u in cells.distinct]
    first = np.array([t[:1] for t in texts], dtype=object)
    starts_u = np.array([t[:1] in FORMULA_START and len(t) > 1 for t in texts], dtype=bool)
    if starts_u.any():
        starts = starts_u[codes]
        shown = np.array([t[:40] for t in texts], dtype=object)[codes]
        for ch in sorted(set(first[starts_u])):
            add(
                "formula_like",
                starts & (first[codes] == ch),
                c,
                shown,
                "warning",
                start=ch.replace("\t", "\\t").replace("\r", "\\r"),
            )


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x).replace(".", ",")


def _run_check(
    chk: Any,
    it: Item,
    out: pd.DataFrame,
    col: _Collector,
    *,
    source: str,
    rows: np.ndarray,
    entry_ids: np.ndarray,
    shown: Any,
    lang: str,
) -> None:
    reason = chk.reason.get(lang) if chk.reason else ("Prüfung" if lang == "de" else "check")
    if chk.kind == "le":
        left = out[chk.left].to_numpy(float)
        right = out[chk.right].to_numpy(float)
        mask = np.isfinite(left) & np.isfinite(right) & (left > right)
        idx = _where(mask)
        reasons = [
            _msg(
                "check_le",
                lang,
                reason=reason,
                left_col=shown(chk.left),
                left=_fmt_num(left[i]),
                right_col=shown(chk.right),
                right=_fmt_num(right[i]),
            )
            for i in idx
        ]
        col.add(
            "check_le",
            source=source,
            rows=rows[idx],
            entry_ids=entry_ids[idx],
            item=it.id,
            column=shown(chk.left),
            values=[_fmt_num(left[i]) for i in idx],
            severity=chk.severity,
            reasons=reasons,
        )
    else:
        parts = np.vstack([out[p].to_numpy(float) for p in chk.parts])
        total = out[chk.total].to_numpy(float)
        given = np.isfinite(parts).all(axis=0) & np.isfinite(total)
        sums = np.nansum(parts, axis=0)
        idx = _where(given & (sums != total))
        reasons = [
            _msg("check_sum_eq", lang, reason=reason, total_sum=_fmt_num(sums[i]), total=_fmt_num(total[i]))
            for i in idx
        ]
        col.add(
            "check_sum_eq",
            source=source,
            rows=rows[idx],
            entry_ids=entry_ids[idx],
            item=it.id,
            column=shown(chk.parts[0]),
            values=[_fmt_num(sums[i]) for i in idx],
            severity=chk.severity,
            reasons=reasons,
        )


def validate_files(
    edition: Edition,
    q: Questionnaire,
    files: Iterable[tuple[InputFile, Path]],
    *,
    lang: str | None = None,
    max_bytes: int | None = None,
) -> ValidationReport:
    """Read and validate every input file of an edition, then decide duplicates and categories.

    Parameters
    ----------
    edition : Edition
    q : Questionnaire
    files : iterable of (InputFile, Path)
        The edition's inputs with their resolved absolute paths. An input with ``dialect: form`` (or
        ``auto`` when the workbook is a filled Teilnahmebogen) is read with :func:`vielfalt.intake.read.read_form`;
        its path may be a folder, whose every ``.xlsx`` is one response. A form of another edition or
        instrument version is refused with a DataError naming both.
    lang : {"de", "en"}, optional
        Defaults to the edition's language.
    max_bytes : int, optional
        Refuse files larger than this (default: the edition's ``max_input_mb``).

    Returns
    -------
    ValidationReport
        With rows in = accepted + quarantined checked.
    """
    lang = lang or edition.language
    limit = max_bytes or int(edition.max_input_mb * 1_000_000)
    parsed_all, fails_all, raw_all, sources = [], [], [], []
    for spec, path in files:
        if spec.dialect == "form" or (spec.dialect == "auto" and path.is_file() and ingest.is_form(path)):
            for form_path in _form_paths(path, lang):
                raw = ingest.read_form(form_path, max_bytes=limit, lang=lang)
                info = dict(raw.attrs.get("source_info", {}) or {})
                changed = _check_form(info["form"], edition, q, form_path.name, lang)
                parsed, fails, raw_c = validate_table(
                    raw,
                    q,
                    source=spec.source,
                    file=form_path.name,
                    salt=edition.pseudonym_salt,
                    dialect="form",
                    mapping=spec.mapping,
                    decimal=spec.decimal,
                    lang=lang,
                )
                if changed:
                    fix = FIXES["form_changed"].get(lang, FIXES["form_changed"]["de"])
                    reason = _msg("form_changed", lang, qid=q.meta.id, version=q.meta.version)
                    row = [spec.source, None, None, None, None, "form_changed", form_path.name, "warning"]
                    row += [reason, fix]
                    extra = pd.DataFrame([row], columns=FAILURE_COLUMNS)
                    fails = pd.concat([fails, extra], ignore_index=True) if len(fails) else extra
                parsed_all.append(parsed)
                fails_all.append(fails)
                raw_all.append(raw_c)
                sources.append(
                    {
                        "source": spec.source,
                        "file": form_path.name,
                        "dialect": "form",
                        "rows": len(raw),
                        "encoding": None,
                        "delimiter": None,
                        "format": "xlsx",
                        "sha256": info.get("sha256"),
                    }
                )
            continue
        raw = ingest.read_table(path, sheet=spec.sheet, max_bytes=limit, lang=lang)
        info = dict(raw.attrs.get("source_info", {}) or {})
        parsed, fails, raw_c = validate_table(
            raw,
            q,
            source=spec.source,
            file=path.name,
            salt=edition.pseudonym_salt,
            dialect=spec.dialect,
            mapping=spec.mapping,
            decimal=spec.decimal,
            lang=lang,
        )
        parsed_all.append(parsed)
        fails_all.append(fails)
        raw_all.append(raw_c)
        sources.append(
            {
                "source": spec.source,
                "file": path.name,
                "dialect": spec.dialect,
                "rows": len(raw),
                "encoding": info.get("encoding"),
                "delimiter": info.get("delimiter"),
                "format": info.get("format"),
                "sha256": info.get("sha256"),
            }
        )
    return _finish(edition, q, parsed_all, fails_all, raw_all, sources, lang)


def _form_paths(path: Path, lang: str) -> list[Path]:
    """The workbooks of a ``dialect: form`` input: the file itself, or every ``.xlsx`` in the folder."""
    if not path.is_dir():
        return [path]
    found = sorted(
        p
        for p in path.iterdir()
        if p.is_file() and p.suffix.lower() == ".xlsx" and not p.name.startswith(("~$", "."))
    )
    if not found:
        raise DataError(_msg("form_folder_empty", lang, path=str(path)), path=str(path))
    return found


def _check_form(form: dict[str, Any], edition: Edition, q: Questionnaire, file: str, lang: str) -> bool:
    """Refuse a form of another edition or instrument version; True when only the YAML's hash differs."""
    if form.get("edition") != edition.edition:
        msg = _msg("form_edition", lang, file=file, form=form.get("edition"), edition=edition.edition)
        raise DataError(msg, path=file)
    if form.get("questionnaire") != q.meta.id or form.get("version") != q.meta.version:
        msg = _msg(
            "form_instrument",
            lang,
            file=file,
            form_id=form.get("questionnaire"),
            form_version=form.get("version"),
            edition=edition.edition,
            qid=q.meta.id,
            version=q.meta.version,
        )
        raise DataError(msg, path=file)
    return bool(form.get("sha256")) and bool(q.sha256()) and form.get("sha256") != q.sha256()


def _form_files(parsed_all: list[pd.DataFrame], sources: list[dict[str, Any]], rows: int) -> np.ndarray:
    """Per row of the concatenated entries: the workbook of a form row, "" for rows of other files."""
    if len(parsed_all) != len(sources):
        return np.full(rows, "", dtype=object)
    parts = [
        np.full(len(p), s.get("file", "") if s.get("dialect") == "form" else "", dtype=object)
        for p, s in zip(parsed_all, sources, strict=True)
    ]
    out = np.concatenate(parts) if parts else np.array([], dtype=object)
    return out if len(out) == rows else np.full(rows, "", dtype=object)


def _finish(
    edition: Edition,
    q: Questionnaire,
    parsed_all: list[pd.DataFrame],
    fails_all: list[pd.DataFrame],
    raw_all: list[pd.DataFrame],
    sources: list[dict[str, Any]],
    lang: str,
) -> ValidationReport:
    entries = pd.concat(parsed_all, ignore_index=True) if parsed_all else pd.DataFrame()
    raw = pd.concat(raw_all, ignore_index=True) if raw_all else pd.DataFrame()
    failures = (
        pd.concat([f for f in fails_all if len(f)], ignore_index=True)
        if any(len(f) for f in fails_all)
        else pd.DataFrame(columns=FAILURE_COLUMNS)
    )
    rows_read = len(entries)
    col = _Collector(lang)
    if rows_read:
        # duplicates: the same organisation more than once (across all files) -> keep the latest
        # entries has a RangeIndex (concatenated with ignore_index): label and position agree
        source_of = entries[SOURCE].to_numpy()
        row_of = entries[ROW].to_numpy()
        form_file_of = _form_files(parsed_all, sources, rows_read)
        entry_of = entries[ENTRY_ID].to_numpy()
        name_of = entries["A01"].to_numpy()
        names = pd.Series(_per_value(name_of, _norm_name), index=entries.index, dtype=object)
        has_name = names != ""
        order = (
            entries[[SUBMITDATE]]
            .assign(_n=names, _pos=np.arange(rows_read))
            .sort_values([SUBMITDATE, "_pos"], na_position="first", kind="mergesort")
        )
        latest = order[has_name.loc[order.index]].groupby("_n", sort=False).tail(1)
        keep_by_name = dict(zip(latest["_n"], latest.index, strict=True))
        named = np.flatnonzero(has_name.to_numpy())
        keep = np.array([keep_by_name[n] for n in names.to_numpy()[named]], dtype=np.int64)
        de = lang == "de"
        for i, k in zip(named[keep != named], keep[keep != named], strict=True):
            # a form's row number says nothing without its workbook (every form has its answers in row 2)
            kept = (
                f"{source_of[k]}, {'Datei' if de else 'file'} {form_file_of[k]}"
                if form_file_of[k]
                else f"{source_of[k]}, {'Zeile' if de else 'row'} {row_of[k]}"
            )
            col.add(
                "duplicate_submission",
                source=source_of[i],
                rows=[row_of[i]],
                entry_ids=[entry_of[i]],
                item="A01",
                column="A01",
                values=[name_of[i]],
                severity="error",
                name=name_of[i],
                kept=kept,
                where=f"{'Datei' if de else 'File'} {form_file_of[i]}: " if form_file_of[i] else "",
            )
        cats = assign_categories(entries, edition.category_scheme)
        entries[CATEGORY] = cats[CATEGORY].to_numpy()
        basis = edition.category_scheme.basis
        basis_bad = (
            set(
                failures.loc[
                    (failures[SEVERITY] == "error") & (failures["item"] == basis.split("[")[0]), ENTRY_ID
                ]
            )
            if len(failures)
            else set()
        )
        und = np.flatnonzero(cats[CATEGORY].isna().to_numpy())
        why_of = cats[CATEGORY_REASON].to_numpy()
        basis_raw = raw[basis].to_numpy()
        for i in und:
            if entry_of[i] in basis_bad:
                continue  # the headcount problem is already reported; its consequence needs no second line
            why = CATEGORY_WHY[why_of[i]].get(lang)
            col.add(
                "category_undecidable",
                source=source_of[i],
                rows=[row_of[i]],
                entry_ids=[entry_of[i]],
                item=basis.split("[")[0],
                column=basis,
                values=[basis_raw[i]],
                severity="error",
                why=why,
            )
    extra = col.frame()
    if len(extra):
        failures = pd.concat([failures, extra], ignore_index=True)
    if len(failures):
        failures = failures.astype({ROW: "Int64"})
    errors = failures[failures[SEVERITY] == "error"] if len(failures) else failures
    bad_ids = set(errors[ENTRY_ID].dropna())
    if rows_read:
        is_bad = entries[ENTRY_ID].isin(bad_ids).to_numpy()
        accepted = entries[~is_bad].set_index(ENTRY_ID)
        col_word = "Spalte" if lang == "de" else "column"
        # every error of an entry once, in the order found: "Spalte X: reason fix | …"
        texts: dict[Any, dict[str, None]] = {}
        for eid, column, reason, fix in zip(
            errors[ENTRY_ID], errors["column"], errors[REASON], errors["fix"], strict=True
        ):
            if eid is None or eid != eid:  # no entry (file-level) or NaN: groupby drops these keys
                continue
            texts.setdefault(eid, {})[(f"{col_word} {column}: " if column else "") + f"{reason} {fix}"] = None
        reasons = {eid: " | ".join(parts) for eid, parts in texts.items()}
        q_rows = raw[is_bad].copy()
        quarantine = pd.DataFrame(
            {
                ENTRY_ID: entries.loc[is_bad, ENTRY_ID].to_numpy(),
                SOURCE: entries.loc[is_bad, SOURCE].to_numpy(),
                ROW: entries.loc[is_bad, ROW].to_numpy(),
                RESPONSE_ID: entries.loc[is_bad, RESPONSE_ID].to_numpy(),
                "name": entries.loc[is_bad, "A01"].to_numpy(),
            }
        )
        quarantine[REASON] = quarantine[ENTRY_ID].map(reasons).to_numpy()
        quarantine = pd.concat(
            [quarantine, q_rows.drop(columns=[ENTRY_ID]).reset_index(drop=True).add_prefix("raw:")], axis=1
        )
    else:
        accepted = entries
        quarantine = pd.DataFrame(columns=[ENTRY_ID, SOURCE, ROW, RESPONSE_ID, "name", REASON])
    report = ValidationReport(
        accepted=accepted,
        quarantine=quarantine,
        failures=failures,
        rows_read=rows_read,
        sources=sources,
        lang=lang,
    )
    report.check_balance()
    return report
