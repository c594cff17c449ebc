"""The fillable Teilnahmebogen: an Excel workbook written from the instrument.

:func:`write_form_xlsx` writes one sheet per section with labels in German (or English), selection lists,
locked labels (sheet protection, answer cells unlocked) and a hidden sheet naming edition and instrument. A
filled copy comes back through intake as ``dialect: form`` (:func:`vielfalt.intake.read.read_form`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vielfalt._params import Options, validate_params
from vielfalt.columns import FORM_FORMAT, FORM_META_SHEET, SUBMITDATE
from vielfalt.config.edition import Edition
from vielfalt.config.questionnaire import Item, Questionnaire, Section
from vielfalt.i18n import t
from vielfalt.instrument._codes import LANGS, SHORT_TEXT_MAX, Lang, fmt_number, letters, number_rule
from vielfalt.instrument.limesurvey_write import check_limesurvey_codes
from vielfalt.outputs import spreadsheets as export

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["FORM_LAYOUT_VERSION", "write_form_xlsx"]

FORM_LAYOUT_VERSION = "1"
"""Version of the form layout written on the metadata sheet (``format_version``)."""

#: the columns of a section sheet: response code, question, answer cell, rule
_CODE_COL, _LABEL_COL, _ANSWER_COL, _NOTE_COL = "ABCD"


def _t(key: str, lang: str, **values: Any) -> str:
    return t(f"instrument.form_{key}", lang, **values)


@dataclass
class _FormRow:
    """One row of a section sheet: a heading (no answer cell) or an answer cell of one response column."""

    code: str | None
    label: str
    hint: str = ""
    choices: list[str] | None = None
    number: tuple[bool, float | None, float | None] | None = None  # (integer, min, max)
    maxlen: int | None = None
    heading: bool = False
    indent: int = 0
    height: float | None = None


def _join_hint(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _item_rows(it: Item, q: Questionnaire, lang: str) -> list[_FormRow]:
    """The rows of one item: one answer row, or a heading and a row per part."""
    star = " *" if it.required else ""
    label = f"{it.id}  {it.label.get(lang)}{star}"
    help_text = it.help.get(lang) if it.help else ""
    pii = _t("pii", lang) if it.pii else ""
    if it.type == "text":
        height = None if not it.maxlen or it.maxlen <= SHORT_TEXT_MAX else min(300.0, 45 + it.maxlen / 20)
        hint = _t("at_most_chars", lang, n=it.maxlen) if it.maxlen else ""
        return [_FormRow(it.id, label, _join_hint(hint, help_text, pii), maxlen=it.maxlen, height=height)]
    if it.type == "single":
        choices = [o.label.get(lang) for o in q.options_of(it)]
        if it.other:
            choices.append(_t("other", lang))
        rows = [_FormRow(it.id, label, _join_hint(_t("choose", lang), help_text, pii), choices=choices)]
        if it.other:
            rows.append(_FormRow(f"{it.id}[other]", _t("other_text", lang), indent=2))
        return rows
    if it.type == "yesno":
        choices = [_t("yes", lang), _t("no", lang)]
        return [_FormRow(it.id, label, _join_hint(_t("choose", lang), help_text, pii), choices=choices)]
    if it.type == "numeric":
        rule = number_rule(it.integer, it.min, it.max, lang)
        return [_FormRow(it.id, label, _join_hint(rule, help_text, pii), number=(it.integer, it.min, it.max))]
    head_hint = {
        "multi": _join_hint(_t("tick_head", lang), t("instrument.several", lang)),
        "array": _t("choose", lang),
    }.get(it.type, "")
    return [
        _FormRow(None, label, _join_hint(head_hint, help_text, pii), heading=True),
        *_part_rows(it, q, lang),
    ]


def _part_rows(it: Item, q: Questionnaire, lang: str) -> list[_FormRow]:
    """The indented rows below an item's heading: ticks, array rows, numbers or texts."""
    rows: list[_FormRow] = []
    if it.type == "multi":
        for o in q.options_of(it):
            tick = [_t("tick_value", lang)]
            rows.append(
                _FormRow(f"{it.id}[{o.code}]", o.label.get(lang), _t("tick", lang), choices=tick, indent=2)
            )
        if it.other:
            rows.append(_FormRow(f"{it.id}[other]", _t("other_text", lang), indent=2))
    elif it.type == "array":
        choices = [o.label.get(lang) for o in q.options_of(it)]
        for s in it.subs or []:
            rows.append(_FormRow(f"{it.id}[{s.code}]", s.label.get(lang), choices=choices, indent=2))
    elif it.type == "multinumeric":
        for s in it.subs or []:
            label = s.label.get(lang) + (" *" if s.required else "")
            rule = number_rule(s.integer, s.min, s.max, lang)
            rows.append(
                _FormRow(f"{it.id}[{s.code}]", label, rule, number=(s.integer, s.min, s.max), indent=2)
            )
    else:  # multitext
        for s in it.subs or []:
            label = s.label.get(lang) + (" *" if s.required else "")
            rows.append(_FormRow(f"{it.id}[{s.code}]", label, _t("pii", lang) if s.pii else "", indent=2))
    return rows


def _form_rows(sec: Section, q: Questionnaire, lang: str) -> list[_FormRow]:
    """The rows of one section sheet (labels in `lang`)."""
    return [row for it in sec.items for row in _item_rows(it, q, lang)]


def _sheet_title(sec: Section, lang: str, used: set[str]) -> str:
    """A worksheet name for a section: ``"<id> <label>"``, at most 31 characters, unique, no ``[]:*?/\\``."""
    label = re.sub(r"[\[\]:*?/\\]", "", sec.label.get(lang))
    name = f"{sec.id} {label}".strip()
    if len(name) > 31:
        name = re.sub(r"\s*\(.*$", "", name)
    if len(name) > 31:
        name = name[:31].rsplit(" ", 1)[0] if " " in name[:31] else name[:31]
    base, k = name, 2
    while name.casefold() in used:
        name = f"{base[: 31 - len(str(k)) - 1]} {k}"
        k += 1
    used.add(name.casefold())
    return name


def _sheets_hint(q: Questionnaire) -> str:
    """How the instructions name the section sheets: the first two section ids, then an ellipsis."""
    ids = [s.id for s in q.sections]
    return ", ".join(ids[:2]) + (", …" if len(ids) > 2 else "")


class _FormBook:
    """The workbook being written: styles, the hidden list and metadata sheets, validations, answer cells."""

    def __init__(self, q: Questionnaire, edition: Edition, lang: str) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

        self.q, self.edition, self.lang = q, edition, lang
        self.answer_fill = PatternFill("solid", fgColor="FFF2CC")
        self.heading_fill = PatternFill("solid", fgColor="DDEBF7")
        thin = Side(style="thin", color="A6A6A6")
        self.box = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.code_font = Font(color="808080", size=8)
        self.unlocked = Protection(locked=False)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.wb: Workbook = Workbook()
        self.intro: Worksheet = self.wb.active
        self.intro.title = _t("intro_sheet", lang)
        self.lists_ws = self.wb.create_sheet(_t("lists_sheet", lang))
        self.meta_ws = self.wb.create_sheet(FORM_META_SHEET)
        self.title = f"{_t('title', lang)} {edition.title.get(lang)}"
        self.cells: list[tuple[str, str, str]] = []  # (code, sheet, cell) of every answer cell
        self.list_names: dict[tuple[str, ...], str] = {}
        self.validations: dict[str, dict[tuple[Any, ...], DataValidation]] = {}

    def list_name(self, choices: Sequence[str]) -> str:
        """The defined name of a selection list on the hidden list sheet (one column per distinct list)."""
        from openpyxl.workbook.defined_name import DefinedName

        key = tuple(choices)
        if key not in self.list_names:
            n = len(self.list_names) + 1
            col = letters(n - 1)
            for r, v in enumerate(key, start=1):
                self.lists_ws.cell(row=r, column=n, value=export.neutralise(v))
            name = f"vf_liste_{n}"
            ref = f"'{self.lists_ws.title}'!${col}$1:${col}${len(key)}"
            self.wb.defined_names[name] = DefinedName(name, attr_text=ref)
            self.list_names[key] = name
        return self.list_names[key]

    def _new_validation(self, spec: tuple[Any, ...]) -> DataValidation:
        from openpyxl.worksheet.datavalidation import DataValidation

        lang = self.lang
        kind = spec[0]
        if kind == "list":
            dv = DataValidation(type="list", formula1=spec[1], allow_blank=True)
            dv.error = _t("list_error", lang)
        elif kind == "number":
            integer, lo, hi, rule = spec[1:]
            dv = DataValidation(
                type="whole" if integer else "decimal",
                operator="between",
                formula1=fmt_number(lo) if lo is not None else "-1000000000",
                formula2=fmt_number(hi) if hi is not None else "1000000000",
                allow_blank=True,
            )
            dv.error = _t("number_error", lang, rule=rule)
        elif kind == "text":
            dv = DataValidation(
                type="textLength", operator="lessThanOrEqual", formula1=str(spec[1]), allow_blank=True
            )
            dv.error = _t("text_error", lang, rule=_t("at_most_chars", lang, n=spec[1]))
        else:
            dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
            dv.error = _t("date_error", lang)
        dv.showErrorMessage = True
        dv.errorStyle = "stop"
        return dv

    def validate(self, ws: Worksheet, ref: str, spec: tuple[Any, ...]) -> None:
        """Add cell ``ref`` to the sheet's validation of kind ``spec`` (one validation per sheet and spec)."""
        per = self.validations.setdefault(ws.title, {})
        dv = per.get(spec)
        if dv is None:
            dv = per[spec] = self._new_validation(spec)
            ws.add_data_validation(dv)
        dv.add(ref)

    def answer_cell(self, ws: Worksheet, r: int) -> Cell:
        """Style the answer cell of row ``r``: yellow, boxed, unlocked, wrapped."""
        c = ws[f"{_ANSWER_COL}{r}"]
        c.fill = self.answer_fill
        c.border = self.box
        c.protection = self.unlocked
        c.alignment = self.wrap
        return c

    def write_intro(self) -> None:
        """The instructions sheet: title, edition, instrument, how to fill it in, the date cell."""
        from openpyxl.styles import Font

        neut, lang, intro, q, ed = export.neutralise, self.lang, self.intro, self.q, self.edition
        intro.append([neut(self.title)])
        intro["A1"].font = Font(bold=True, size=14)
        intro.append([])
        intro.append([_t("edition", lang), neut(f"{ed.edition} — {ed.title.get(lang)}")])
        version = _t("instrument_version", lang, qid=q.meta.id, version=q.meta.version)
        intro.append([_t("instrument", lang), neut(version)])
        intro.append([])
        if q.meta.notes:
            intro.append(["", neut(q.meta.notes.get(lang))])
        intro.append(["", _t("fill", lang)])
        for step in _t("steps", lang, sheets=_sheets_hint(q)).split("|"):
            intro.append(["", neut(step)])
        intro.append([])
        intro.append([SUBMITDATE, _t("date", lang)])
        r = intro.max_row
        intro[f"A{r}"].font = self.code_font
        date_cell = self.answer_cell(intro, r)
        date_cell.number_format = "DD.MM.YYYY"
        self.validate(intro, date_cell.coordinate, ("date",))
        self.cells.append((SUBMITDATE, intro.title, date_cell.coordinate))
        for col, width in zip("ABC", (14, 70, 22), strict=True):
            intro.column_dimensions[col].width = width
        for row in intro.iter_rows(min_row=2, max_col=2):
            for c in row:
                c.alignment = self.wrap

    def write_section(self, sec: Section, used: set[str]) -> None:
        """One section's sheet: title, how to fill in, headings, then a row per answer or heading."""
        from openpyxl.styles import Font

        neut, lang = export.neutralise, self.lang
        ws = self.wb.create_sheet(_sheet_title(sec, lang, used))
        ws.append([neut(f"{self.title} — {sec.id}: {sec.label.get(lang)}")])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([_t("fill", lang)])
        ws.append(_t("heads", lang).split("|"))
        for c in ws[3]:
            c.font = Font(bold=True)
        for fr in _form_rows(sec, self.q, lang):
            ws.append([neut(fr.code or ""), neut(fr.label), None, neut(fr.hint)])
            self._style_row(ws, ws.max_row, fr)
        for col, width in zip((_CODE_COL, _LABEL_COL, _ANSWER_COL, _NOTE_COL), (24, 62, 36, 44), strict=True):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = "A4"

    def _style_row(self, ws: Worksheet, r: int, fr: _FormRow) -> None:
        """Style a row just appended; an answer row also gets its cell, validation and metadata line."""
        from openpyxl.styles import Alignment, Font

        ws[f"A{r}"].font = self.code_font
        ws[f"B{r}"].alignment = Alignment(wrap_text=True, vertical="top", indent=fr.indent)
        ws[f"D{r}"].alignment = self.wrap
        ws[f"D{r}"].font = Font(color="595959", size=9)
        if fr.heading:
            for col in "ABCD":
                ws[f"{col}{r}"].fill = self.heading_fill
            ws[f"B{r}"].font = Font(bold=True)
            return
        if fr.indent == 0:
            ws[f"B{r}"].font = Font(bold=True)
        cell = self.answer_cell(ws, r)
        ref = cell.coordinate
        if fr.choices is not None:
            self.validate(ws, ref, ("list", self.list_name(fr.choices)))
        elif fr.number is not None:
            integer, lo, hi = fr.number
            self.validate(ws, ref, ("number", integer, lo, hi, number_rule(integer, lo, hi, self.lang)))
            cell.number_format = "0" if integer else "General"
        elif fr.maxlen:
            self.validate(ws, ref, ("text", fr.maxlen))
        if fr.height:
            ws.row_dimensions[r].height = fr.height
        self.cells.append((str(fr.code), ws.title, ref))

    def write_meta(self) -> None:
        """Fill the hidden metadata sheet: format, edition, instrument, then every answer cell."""
        neut, q, meta_ws = export.neutralise, self.q, self.meta_ws
        for key, value in (
            ("format", FORM_FORMAT),
            ("format_version", FORM_LAYOUT_VERSION),
            ("edition", self.edition.edition),
            ("questionnaire", q.meta.id),
            ("version", q.meta.version),
            ("sha256", q.sha256()),
            ("lang", self.lang),
        ):
            meta_ws.append([key, neut(value)])
        meta_ws.append([])
        meta_ws.append(["code", "sheet", "cell"])
        for code, sheet, ref in self.cells:
            meta_ws.append([neut(code), neut(sheet), ref])

    def finish(self) -> bytes:
        """Order and protect the sheets, fix the timestamps; the workbook's bytes."""
        from openpyxl.workbook.protection import WorkbookProtection

        wb = self.wb
        wb.move_sheet(self.lists_ws, offset=len(wb.sheetnames))
        wb.move_sheet(self.meta_ws, offset=len(wb.sheetnames))
        for ws in wb.worksheets:
            ws.protection.sheet = True
            ws.protection.formatCells = True  # may still not be changed; only the answer cells are unlocked
        self.lists_ws.sheet_state = "hidden"
        self.meta_ws.sheet_state = "hidden"
        wb.active = 0
        wb.security = WorkbookProtection(lockStructure=True)
        wb.properties.created = export.FIXED_TIME
        wb.properties.modified = export.FIXED_TIME
        wb.properties.creator = "vielfalt"
        wb.properties.title = self.title
        buf = io.BytesIO()
        wb.save(buf)
        return export.normalise_zip(buf.getvalue())


@validate_params({"lang": [Options(LANGS)]})
def write_form_xlsx(
    q: Questionnaire,
    path: str | Path,
    *,
    edition: Edition,
    lang: Lang = "de",
) -> Path:
    """Write the fillable Teilnahmebogen as an Excel workbook.

    A sheet "Hinweise" (how to fill it in, the date), then one sheet per section: column A the response
    code, B the question, C the answer cell (yellow, unlocked), D the rule (list, number range, length).
    Answer cells carry data validation (selection lists from a hidden list sheet, whole numbers with their
    bounds, text length); the sheets are protected (no password) so only answer cells can be changed, and
    the workbook structure is locked. The hidden sheet ``_vielfalt`` names the edition, the instrument id,
    version and sha256, and lists every answer cell (code, sheet, cell); intake reads a filled copy back
    through it (``dialect: form``). Every text passes :func:`vielfalt.outputs.spreadsheets.neutralise`; the
    file has fixed timestamps, so the same instrument and edition give the same bytes.

    Parameters
    ----------
    q : Questionnaire
        The instrument.
    path : str or Path
        The workbook to write.
    edition : Edition
        Its id and title are on the form.
    lang : {"de", "en"}, default "de"
        Language of labels and hints.

    Returns
    -------
    Path
        The workbook written.

    Raises
    ------
    InstrumentError
        When codes or answer texts could not be told apart (:func:`check_limesurvey_codes`).
    """
    check_limesurvey_codes(q, lang=lang)  # the form identifies answers by code and text, like LimeSurvey
    book = _FormBook(q, edition, lang)
    book.write_intro()
    used = {book.intro.title.casefold(), book.lists_ws.title.casefold(), book.meta_ws.title.casefold()}
    for sec in q.sections:
        book.write_section(sec, used)
    book.write_meta()
    data = book.finish()
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p
