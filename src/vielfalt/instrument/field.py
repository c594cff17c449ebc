"""Fielding the instrument: a LimeSurvey survey structure, a fillable Teilnahmebogen, a printable form.

Every hand-made mapping between a form and the instrument is a place where answers get lost. This module
writes the forms *from* the instrument (``params/questionnaire/<id>.yaml``), with the instrument's own codes,
so that what comes back needs no mapping:

* :func:`write_limesurvey_structure` writes LimeSurvey's tab-separated survey-structure file (rows of class
  ``S``, ``SL``, ``G``, ``Q``, ``SQ``, ``A``; the 146 columns of LimeSurvey's own export, in its order) with
  German and English texts. A response export of that survey has the headings of
  :meth:`vielfalt.config.questionnaire.Questionnaire.columns` (``A05[total]``, or ``A05_total`` with
  Expression-Manager codes), which intake resolves without a mapping file.
* :func:`read_limesurvey_structure` parses such a file the way LimeSurvey's importer (``TSVImportSurvey``)
  does, and :func:`write_questionnaire_skeleton` turns a structure file a city already has into a
  questionnaire YAML skeleton (items, types, options, labels; ``scoring: {kind: none}``) plus a list of what
  could not be translated.
* :func:`write_form_xlsx` writes a fillable workbook: one sheet per section, German labels, selection lists,
  locked labels (sheet protection, answer cells unlocked) and a hidden sheet naming edition and instrument.
  A filled copy comes back through intake as ``dialect: form`` (:func:`vielfalt.intake.read.read_form`).
* :func:`write_form_html` (and :func:`write_form_pdf`, printed by Debian's ``chromium`` when installed) writes
  a printable form for paper returns.

LimeSurvey's code rules (read from its source, ``application/models/Question.php`` and
``application/helpers/admin/import_helper.php``): question codes start with a letter, are alphanumeric and
at most 20 characters long, unique in the survey and not one of the Expression Manager's reserved words;
subquestion codes are alphanumeric, at most 20 characters, unique within their question *ignoring case*, not
``time`` and not ``other`` when the question has an "other" option; answer codes are stored in a
``varchar(5)`` column (unique per question and scale under a case-insensitive collation). The importer
repairs an invalid code by deleting every non-alphanumeric character and prefixing ``q``/``sq`` to a leading
digit (:func:`limesurvey_code`); :func:`check_limesurvey_codes` refuses an instrument whose codes LimeSurvey
would change or merge.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from vielfalt.columns import FORM_FORMAT, FORM_META_SHEET, SUBMITDATE
from vielfalt.config.edition import Edition
from vielfalt.config.questionnaire import Item, Label, Questionnaire, Section, Sub, load_questionnaire
from vielfalt.exceptions import ConfigError, DataError, InstrumentError
from vielfalt.outputs import spreadsheets as export

__all__ = [
    "FORM_LAYOUT_VERSION",
    "LIMESURVEY_TYPES",
    "MESSAGES",
    "STRUCTURE_COLUMNS",
    "LSAnswer",
    "LSGroup",
    "LSQuestion",
    "LSSubquestion",
    "SkeletonResult",
    "SurveyStructure",
    "Untranslated",
    "check_limesurvey_codes",
    "describe_skeleton",
    "find_browser",
    "item_question_type",
    "limesurvey_code",
    "questionnaire_skeleton",
    "read_limesurvey_structure",
    "response_columns",
    "structure_rows",
    "write_demo_forms",
    "write_field_files",
    "write_form_html",
    "write_form_pdf",
    "write_form_xlsx",
    "write_limesurvey_structure",
    "write_questionnaire_skeleton",
]

Lang = Literal["de", "en"]

# --- messages (German default, English with lang="en") --------------------------------------------------
MESSAGES: dict[str, dict[str, str]] = {
    "code_changed": {
        "de": "Item {item}: der Code „{code}“ verstößt gegen LimeSurveys Code-Regeln ({rule}); LimeSurvey "
        "würde daraus „{new}“ machen, und die Antworten kämen unter einem anderen Code zurück. Bitte den "
        "Code im Fragebogen ändern.",
        "en": "Item {item}: the code '{code}' breaks LimeSurvey's code rules ({rule}); LimeSurvey would turn "
        "it into '{new}', and the answers would come back under another code. Please change the code in the "
        "questionnaire.",
    },
    "code_collision": {
        "de": "Item {item}: die Codes „{first}“ und „{second}“ sind nach LimeSurveys Code-Regeln derselbe "
        "Code („{norm}“; {rule}). Bitte einen der beiden im Fragebogen umbenennen.",
        "en": "Item {item}: the codes '{first}' and '{second}' are the same code under LimeSurvey's code "
        "rules ('{norm}'; {rule}). Please rename one of them in the questionnaire.",
    },
    "code_reserved": {
        "de": "Item {item}: „{code}“ ist in LimeSurvey ein reserviertes Wort ({rule}). Bitte den Code im "
        "Fragebogen umbenennen.",
        "en": "Item {item}: '{code}' is a reserved word in LimeSurvey ({rule}). Please rename it in the "
        "questionnaire.",
    },
    "label_collision": {
        "de": "Item {item}: die Antworten „{first}“ und „{second}“ haben denselben Text „{label}“ "
        "({language}); im LimeSurvey-Export mit vollen Antworttexten und im Formular wären sie nicht zu "
        "unterscheiden. Bitte einen der Texte ändern.",
        "en": "Item {item}: the answers '{first}' and '{second}' have the same text '{label}' ({language}); "
        "in a LimeSurvey export with full answer texts and in the form they could not be told apart. Please "
        "change one of the texts.",
    },
    "codes_refused": {
        "de": "Der Fragebogen {qid} lässt sich so nicht in LimeSurvey anlegen:\n{problems}",
        "en": "The questionnaire {qid} cannot be set up in LimeSurvey as it is:\n{problems}",
    },
    "text_quote": {
        "de": "Item {item}: der Text „{text}“ {why}; LimeSurveys Import würde ihn verändern. Bitte den Text "
        "anpassen (z. B. typografische Anführungszeichen „…“ verwenden).",
        "en": "Item {item}: the text '{text}' {why}; LimeSurvey's import would change it. Please adjust the "
        "text (e.g. use typographic quotes “…”).",
    },
    "not_structure": {
        "de": "{path}: Das ist keine LimeSurvey-Strukturdatei (erwartet: tabulatorgetrennt, mit den Spalten "
        "{columns}). Bitte in LimeSurvey die Umfrage als „Umfragestruktur (.txt)“ exportieren.",
        "en": "{path}: This is not a LimeSurvey survey-structure file (expected: tab-separated, with the "
        "columns {columns}). Please export the survey in LimeSurvey as 'Survey structure (.txt)'.",
    },
    "structure_not_found": {
        "de": "{path}: Die Datei wurde nicht gefunden. Bitte den Pfad prüfen (Ordner, Schreibweise, Endung).",
        "en": "{path}: The file was not found. Please check the path (folder, spelling, extension).",
    },
    "structure_unreadable": {
        "de": "{path}: Die Strukturdatei kann nicht gelesen werden ({error}). Bitte den Export wiederholen.",
        "en": "{path}: The structure file cannot be read ({error}). Please repeat the export.",
    },
    "structure_empty": {
        "de": "{path}: Die Strukturdatei enthält keine Fragen (keine Zeilen der Klasse Q). Bitte die ganze "
        "Umfrage exportieren.",
        "en": "{path}: The structure file contains no questions (no rows of class Q). Please export the "
        "whole survey.",
    },
    "skeleton_collision": {
        "de": "{path}: die Codes „{first}“ und „{second}“ ({where}) ergeben nach LimeSurveys Code-Regeln "
        "denselben Code „{norm}“. Bitte einen der beiden in LimeSurvey umbenennen und die Struktur neu "
        "exportieren.",
        "en": "{path}: the codes '{first}' and '{second}' ({where}) become the same code '{norm}' under "
        "LimeSurvey's code rules. Please rename one of them in LimeSurvey and export the structure again.",
    },
    "skeleton_invalid": {
        "de": "{path}: das erzeugte Fragebogen-Gerüst ist ungültig ({error}). Bitte melden.",
        "en": "{path}: the generated questionnaire skeleton is invalid ({error}). Please report this.",
    },
    "no_browser": {
        "de": "Für --to pdf wird Chromium benötigt (Debian: apt-get install chromium), es wurde nicht "
        "gefunden. Bitte --to html verwenden und die Seite im Browser als PDF drucken.",
        "en": "--to pdf needs Chromium (Debian: apt-get install chromium), which was not found. Please use "
        "--to html and print the page to PDF in a browser.",
    },
    "pdf_failed": {
        "de": "Chromium konnte das Formular nicht als PDF drucken ({error}). Bitte --to html verwenden und "
        "die Seite im Browser als PDF drucken.",
        "en": "Chromium could not print the form to PDF ({error}). Please use --to html and print the page "
        "to PDF in a browser.",
    },
    "bad_param": {
        "de": "Der Parameter '{name}' von {func} muss {expected} sein. Erhalten: {value!r}.",
        "en": "The '{name}' parameter of {func} must be {expected}. Got {value!r} instead.",
    },
}


def _msg(key: str, lang: str, **kw: Any) -> str:
    return MESSAGES[key].get(lang, MESSAGES[key]["de"]).format(**kw)


def _check_lang(func: str, lang: Any) -> None:
    if lang not in ("de", "en"):
        msg = _msg("bad_param", "de", name="lang", func=func, expected="'de' oder 'en'", value=lang)
        raise ConfigError(msg)


# --- LimeSurvey's vocabulary ------------------------------------------------------------------------------
#: The columns of LimeSurvey's tab-separated survey-structure export, in its order (146 columns, as in
#: limonaid's ``export-of-minimal-survey-as-tsv.txt``): the fixed ones, then the question attributes.
STRUCTURE_COLUMNS: tuple[str, ...] = tuple(
    re.split(
        r"\s+",
        """id related_id class type/scale name relevance text help language validation mandatory other default
    same_default allowed_filetypes alphasort answer_width answer_width_bycolumn array_filter
    array_filter_exclude array_filter_style assessment_value category_separator choice_input_columns
    choice_title code_filter commented_checkbox commented_checkbox_auto cssclass date_format date_max date_min
    display_columns display_rows display_type dropdown_dates dropdown_dates_minute_step
    dropdown_dates_month_style dropdown_prefix dropdown_prepostfix dropdown_separators dropdown_size
    dualscale_headerA dualscale_headerB em_validation_q em_validation_q_tip em_validation_sq
    em_validation_sq_tip equals_num_value equation exclude_all_others exclude_all_others_auto hidden hide_tip
    input_boxes input_size label_input_columns location_city location_country location_defaultcoordinates
    location_mapheight location_mapservice location_mapwidth location_mapzoom location_nodefaultfromip
    location_postal location_state max_answers max_filesize max_num_of_files max_num_value max_num_value_n
    max_subquestions maximum_chars min_answers min_num_of_files min_num_value min_num_value_n
    multiflexible_checkbox multiflexible_max multiflexible_min multiflexible_step num_value_int_only
    numbers_only other_comment_mandatory other_numbers_only other_replace_text page_break parent_order prefix
    printable_help public_statistics question_template random_group random_order rank_title repeat_headings
    reverse samechoiceheight samelistheight scale_export show_comment show_grand_total show_title show_totals
    showpopups slider_accuracy slider_custom_handle slider_default slider_default_set slider_handle
    slider_layout slider_max slider_middlestart slider_min slider_orientation slider_rating slider_reset
    slider_reversed slider_separator slider_showminmax statistics_graphtype statistics_showgraph
    statistics_showmap suffix text_input_columns text_input_width time_limit time_limit_action
    time_limit_countdown_message time_limit_disable_next time_limit_disable_prev time_limit_message
    time_limit_message_delay time_limit_message_style time_limit_timer_style time_limit_warning
    time_limit_warning_2 time_limit_warning_2_display_time time_limit_warning_2_message
    time_limit_warning_2_style time_limit_warning_display_time time_limit_warning_message
    time_limit_warning_style use_dropdown value_range_allows_missing""".strip(),
    )
)
_FIXED_COLUMNS = frozenset(STRUCTURE_COLUMNS[:14])

#: LimeSurvey question-type letters (``Question::QT_*``) with a German and an English description.
LIMESURVEY_TYPES: dict[str, tuple[str, str]] = {
    "1": ("Matrix mit zwei Skalen", "array dual scale"),
    "5": ("Fünf-Punkte-Auswahl", "5 point choice"),
    "A": ("Matrix (5 Punkte)", "array (5 point choice)"),
    "B": ("Matrix (10 Punkte)", "array (10 point choice)"),
    "C": ("Matrix (Ja/Unsicher/Nein)", "array (yes/uncertain/no)"),
    "D": ("Datum/Uhrzeit", "date/time"),
    "E": ("Matrix (Mehr/Gleich/Weniger)", "array (increase/same/decrease)"),
    "F": ("Matrix", "array"),
    "G": ("Geschlecht", "gender"),
    "H": ("Matrix nach Spalten", "array by column"),
    "I": ("Sprachwechsel", "language switch"),
    "K": ("Mehrere Zahlen", "multiple numerical input"),
    "L": ("Liste (Optionsfelder)", "list (radio)"),
    "M": ("Mehrfachauswahl", "multiple choice"),
    "N": ("Zahl", "numerical input"),
    "O": ("Liste mit Kommentar", "list with comment"),
    "P": ("Mehrfachauswahl mit Kommentaren", "multiple choice with comments"),
    "Q": ("Mehrere kurze Texte", "multiple short text"),
    "R": ("Rangfolge", "ranking"),
    "S": ("Kurzer Freitext", "short free text"),
    "T": ("Langer Freitext", "long free text"),
    "U": ("Sehr langer Freitext", "huge free text"),
    "X": ("Textanzeige", "text display"),
    "Y": ("Ja/Nein", "yes/no"),
    "!": ("Liste (Aufklappmenü)", "list (dropdown)"),
    "|": ("Datei-Upload", "file upload"),
    "*": ("Gleichung", "equation"),
    ":": ("Matrix (Zahlen)", "array (numbers)"),
    ";": ("Matrix (Texte)", "array (texts)"),
}

# Expression Manager words a question code may not be (Question::rules, 'ExpressionManager reserved word')
_RESERVED_QUESTION = frozenset(
    {"LANG", "SID", "SAVEDID", "TOKEN", "QID", "GID", "SGQ", "self", "that", "this"}
)
_CODE_LIMITS = {"question": 20, "subquestion": 20, "answer": 5}
_CODE_RULES = {
    "question": (
        "Fragecodes: Buchstabe, dann Buchstaben/Ziffern, höchstens 20 Zeichen",
        "question codes: a letter, then letters/digits, at most 20 characters",
    ),
    "subquestion": (
        "Unterfragen-Codes: Buchstaben/Ziffern, höchstens 20 Zeichen, Groß-/Kleinschreibung zählt nicht",
        "subquestion codes: letters/digits, at most 20 characters, case does not count",
    ),
    "answer": (
        "Antwortcodes: Buchstaben/Ziffern, LimeSurvey speichert höchstens 5 Zeichen, Groß-/Kleinschreibung "
        "zählt nicht",
        "answer codes: letters/digits, LimeSurvey stores at most 5 characters, case does not count",
    ),
}
# question attributes that are translated texts (one per language row); all others go on the base rows only
_I18N_ATTRIBUTES = frozenset(
    {
        "em_validation_q_tip",
        "em_validation_sq_tip",
        "other_replace_text",
        "prefix",
        "suffix",
        "dualscale_headerA",
        "dualscale_headerB",
        "choice_title",
        "rank_title",
        "time_limit_message",
        "time_limit_warning_message",
        "time_limit_warning_2_message",
        "time_limit_countdown_message",
        "equation",
    }
)

_SHORT_TEXT_MAX = 255  # LimeSurvey's "short free text" (S) up to this length, "long free text" (T) above
_DROPDOWN_FROM = 11  # a single choice with this many options becomes a dropdown list (!) instead of radios


# --- code rules -------------------------------------------------------------------------------------------
def limesurvey_code(code: str, *, kind: Literal["question", "subquestion", "answer"]) -> str:
    """What LimeSurvey makes of a code when a survey is imported.

    A valid code stays as it is. An invalid question or subquestion code loses every character that is not
    a letter or digit (the importer's repair in ``import_helper.php``), and a leading digit gets the prefix
    ``q`` (questions; subquestions only when they had to be repaired: ``sq``). Answer codes are cut to the
    five characters of LimeSurvey's ``answers.code`` column.

    Parameters
    ----------
    code : str
    kind : {"question", "subquestion", "answer"}

    Returns
    -------
    str

    Examples
    --------
    >>> limesurvey_code("A05", kind="question"), limesurvey_code("1a_b", kind="question")
    ('A05', 'q1ab')
    >>> limesurvey_code("GMBHK2", kind="answer")
    'GMBHK'
    """
    if kind not in _CODE_LIMITS:
        msg = _msg(
            "bad_param",
            "de",
            name="kind",
            func="limesurvey_code",
            expected="question, subquestion oder answer",
            value=kind,
        )
        raise ConfigError(msg)
    if kind == "question":
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", code):
            return code
        new = re.sub(r"[^A-Za-z0-9]", "", code)
        return "q" + new if new[:1].isdigit() or not new else new
    if kind == "subquestion":
        if re.fullmatch(r"[A-Za-z0-9]+", code):
            return code
        new = re.sub(r"[^A-Za-z0-9]", "", code)
        return "sq" + new if new[:1].isdigit() or not new else new
    return re.sub(r"[^A-Za-z0-9]", "", code)[: _CODE_LIMITS["answer"]]


def _scopes(q: Questionnaire) -> Iterable[tuple[str, str, list[str]]]:
    """(where, kind, codes) for every code scope LimeSurvey checks: all questions, then each item's parts."""
    yield "—", "question", [it.id for _, it in q.iter_items()]
    for _, it in q.iter_items():
        if it.type == "multi":
            yield it.id, "subquestion", [o.code for o in q.options_of(it)]
        elif it.subs:
            yield it.id, "subquestion", [s.code for s in it.subs]
        if it.type in ("single", "array"):
            yield it.id, "answer", [o.code for o in q.options_of(it)]


def check_limesurvey_codes(q: Questionnaire, *, lang: Lang = "de") -> None:
    """Refuse an instrument whose codes LimeSurvey would change, merge or reject.

    Checks every question, subquestion (multiple-choice option, sub-question) and answer code against the
    rules in the module docstring, and every pair of answer texts of one question (a LimeSurvey export with
    full answer texts and the fillable form identify answers by their text).

    Parameters
    ----------
    q : Questionnaire
    lang : {"de", "en"}, default "de"

    Raises
    ------
    InstrumentError
        Listing every problem, each naming the item, both codes of a collision and the fix.
    """
    _check_lang("check_limesurvey_codes", lang)
    i = 0 if lang == "de" else 1
    problems: list[str] = []
    for where, kind, codes in _scopes(q):
        rule = _CODE_RULES[kind][i]
        seen: dict[str, str] = {}
        for code in codes:
            new = limesurvey_code(code, kind=kind)  # type: ignore[arg-type]
            too_long = len(new) > _CODE_LIMITS[kind]
            if new != code or too_long:
                shown_new = new[: _CODE_LIMITS[kind]] if too_long else new
                problems.append(
                    _msg(
                        "code_changed",
                        lang,
                        item=code if kind == "question" else where,
                        code=code,
                        rule=rule,
                        new=shown_new,
                    )
                )
            if kind == "question" and code in _RESERVED_QUESTION:
                problems.append(_msg("code_reserved", lang, item=code, code=code, rule=rule))
            if kind == "subquestion" and code.casefold() == "time":
                problems.append(_msg("code_reserved", lang, item=where, code=code, rule=rule))
            key = new if kind == "question" else new.casefold()
            if key in seen and seen[key] != code:
                problems.append(
                    _msg(
                        "code_collision", lang, item=where, first=seen[key], second=code, norm=new, rule=rule
                    )
                )
            seen.setdefault(key, code)
    for _, it in q.iter_items():
        if it.type not in ("single", "array"):
            continue
        for language in ("de", "en"):
            texts: dict[str, str] = {}
            for o in q.options_of(it):
                label = o.label.get(language)
                key = html.unescape(label).strip().casefold()
                if key in texts:
                    problems.append(
                        _msg(
                            "label_collision",
                            lang,
                            item=it.id,
                            first=texts[key],
                            second=o.code,
                            label=label,
                            language=language,
                        )
                    )
                texts.setdefault(key, o.code)
    if problems:
        msg = _msg("codes_refused", lang, qid=q.meta.id, problems="\n".join(f"- {p}" for p in problems))
        raise InstrumentError(msg)


# --- writing the structure --------------------------------------------------------------------------------
def item_question_type(item: Item, q: Questionnaire) -> str:
    """The LimeSurvey question-type letter for an instrument item.

    ``text`` → ``S`` (short free text, ``maxlen`` ≤ 255) or ``T`` (long free text); ``single`` → ``L`` (radio
    list; ``!`` dropdown from 11 options); ``multi`` → ``M``; ``yesno`` → ``Y``; ``numeric`` → ``N``;
    ``multinumeric`` → ``K``; ``array`` → ``F``; ``multitext`` → ``Q``.

    Examples
    --------
    >>> from vielfalt.config.questionnaire import load_questionnaire
    >>> q = load_questionnaire("params/questionnaire/vg2010.yaml")  # doctest: +SKIP
    >>> item_question_type(q.item("A05"), q)  # doctest: +SKIP
    'K'
    """
    if item.type == "text":
        return "S" if item.maxlen is not None and item.maxlen <= _SHORT_TEXT_MAX else "T"
    if item.type == "single":
        return "!" if len(q.options_of(item)) >= _DROPDOWN_FROM else "L"
    return {"multi": "M", "yesno": "Y", "numeric": "N", "multinumeric": "K", "array": "F", "multitext": "Q"}[
        item.type
    ]


def _html_text(text: str) -> str:
    """A plain label as LimeSurvey's question/answer HTML (``&``, ``<``, ``>`` escaped)."""
    return html.escape(text, quote=False)


def _fmt_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _em_var(item_id: str, sub: str) -> str:
    return f"{item_id}_{sub}"


def _numeric_rules(item: Item, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """Attributes of a K/N question: common bounds, integer flag, and an EM check for per-sub rules.

    LimeSurvey has one min/max per question; per-subquestion minimums and required subquestions (the
    instrument's ``A05[total]``: required, at least 1) go into ``em_validation_q`` with a tip, in the one
    small grammar :func:`questionnaire_skeleton` reads back.
    """
    subs = item.subs or []
    attrs: dict[str, str] = {}
    tips: dict[str, str] = {}
    if not subs:
        if item.min is not None:
            attrs["min_num_value_n"] = _fmt_number(item.min)
        if item.max is not None:
            attrs["max_num_value_n"] = _fmt_number(item.max)
        if item.integer:
            attrs["num_value_int_only"] = "1"
        return attrs, tips
    mins = [s.min for s in subs]
    maxs = [s.max for s in subs]
    common_min = min(mins) if all(m is not None for m in mins) else None  # type: ignore[type-var]
    common_max = max(maxs) if all(m is not None for m in maxs) else None  # type: ignore[type-var]
    if common_min is not None:
        attrs["min_num_value_n"] = _fmt_number(common_min)
    if common_max is not None:
        attrs["max_num_value_n"] = _fmt_number(common_max)
    if all(s.integer for s in subs):
        attrs["num_value_int_only"] = "1"
    parts: list[str] = []
    tip_de: list[str] = []
    tip_en: list[str] = []
    for s in subs:
        var = _em_var(item.id, s.code)
        if s.required and not all(x.required for x in subs):
            parts.append(f"!is_empty({var})")
            tip_de.append(f"„{s.label.get('de')}“ ist eine Pflichtangabe.")
            tip_en.append(f"'{s.label.get('en')}' is required.")
        if s.min is not None and (common_min is None or s.min > common_min):
            parts.append(f"(is_empty({var}) or {var} >= {_fmt_number(s.min)})")
            tip_de.append(f"„{s.label.get('de')}“: mindestens {_fmt_number(s.min)}.")
            tip_en.append(f"'{s.label.get('en')}': at least {_fmt_number(s.min)}.")
        if s.max is not None and (common_max is None or s.max < common_max):
            parts.append(f"(is_empty({var}) or {var} <= {_fmt_number(s.max)})")
            tip_de.append(f"„{s.label.get('de')}“: höchstens {_fmt_number(s.max)}.")
            tip_en.append(f"'{s.label.get('en')}': at most {_fmt_number(s.max)}.")
    if parts:
        attrs["em_validation_q"] = " and ".join(parts)
        tips = {"de": " ".join(tip_de), "en": " ".join(tip_en)}
    return attrs, tips


def _survey_id(q: Questionnaire, edition: str | None) -> str:
    """A stable six-digit survey id (LimeSurvey picks another one when it is taken)."""
    digest = hashlib.sha256(f"{q.meta.id}\x1f{q.meta.version}\x1f{edition or ''}".encode()).hexdigest()
    return str(100000 + int(digest[:12], 16) % 900000)


def _check_text(item_id: str, text: str, lang: str) -> str:
    # TSVImportSurvey strips the quotes of a value that, once parsed, still starts and ends with one, and
    # PHP's fgetcsv reads \" inside a quoted field as an escape: refuse both instead of losing characters
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        why = "steht ganz in geraden Anführungszeichen" if lang == "de" else "is wholly in straight quotes"
        raise InstrumentError(_msg("text_quote", lang, item=item_id, text=text, why=why))
    if '\\"' in text:
        why = 'enthält \\"' if lang == "de" else 'contains \\"'
        raise InstrumentError(_msg("text_quote", lang, item=item_id, text=text, why=why))
    return text


def structure_rows(
    q: Questionnaire,
    *,
    title: Label | None = None,
    edition: str | None = None,
    languages: Sequence[str] = ("de", "en"),
    lang: Lang = "de",
) -> list[dict[str, str]]:
    """The rows of LimeSurvey's survey-structure file for an instrument, as dicts over STRUCTURE_COLUMNS.

    Layout as in LimeSurvey's own export: survey settings (``S``), then the language settings (``SL``) of
    each language, then for each language the groups (``G``, one per section) each followed by its
    questions (``Q``, one per item) with their subquestions (``SQ``) and answer options (``A``). Groups,
    questions and subquestions carry the same ids in every language, which is how the importer joins the
    translations. Non-translated question attributes are written on the base-language rows only.

    Parameters
    ----------
    q : Questionnaire
    title : Label, optional
        Survey title; default the instrument's title.
    edition : str, optional
        Edition id (part of the stable survey id).
    languages : sequence of str, default ("de", "en")
        Base language first.
    lang : {"de", "en"}, default "de"
        Language of error messages.

    Returns
    -------
    list of dict

    Raises
    ------
    InstrumentError
        When a code breaks LimeSurvey's rules (:func:`check_limesurvey_codes`) or a text would be altered.
    """
    _check_lang("structure_rows", lang)
    check_limesurvey_codes(q, lang=lang)
    langs = list(languages)
    base = langs[0]
    title = title or q.meta.title
    sid = _survey_id(q, edition)
    rows: list[dict[str, str]] = []

    def row(**kw: str) -> None:
        rows.append({k: str(v) for k, v in kw.items()})

    settings = [
        ("sid", sid),
        ("gsid", "1"),
        ("admin", ""),
        ("adminemail", ""),
        ("anonymized", "N"),
        ("format", "G"),  # one page per section, as on paper
        ("savetimings", "N"),
        ("language", base),
        ("additional_languages", " ".join(langs[1:])),
        ("datestamp", "Y"),  # a real submit date: intake keeps the latest of two submissions
        ("usecookie", "N"),
        ("allowregister", "N"),
        ("allowsave", "Y"),  # a long form: participants may save and come back
        ("allowprev", "Y"),
        ("printanswers", "Y"),
        ("ipaddr", "N"),  # data protection: no IP addresses, no referrer
        ("refurl", "N"),
        ("publicstatistics", "N"),
        ("publicgraphs", "N"),
        ("listpublic", "N"),
        ("htmlemail", "Y"),
        ("sendconfirmation", "Y"),
        ("tokenanswerspersistence", "N"),
        ("assessments", "N"),
        ("usecaptcha", "N"),
        ("usetokens", "N"),
        ("showxquestions", "Y"),
        ("showgroupinfo", "B"),
        ("shownoanswer", "N"),  # no extra "no answer" option: an empty answer is the missing value
        ("showqnumcode", "C"),  # show the codes, so paper and web form can be compared
        ("showwelcome", "Y"),
        ("showprogress", "Y"),
        ("questionindex", "1"),
        ("navigationdelay", "0"),
        ("nokeyboard", "N"),
        ("alloweditaftercompletion", "N"),
    ]
    for name, value in settings:
        row(**{"class": "S", "name": name, "text": value})
    for language in langs:
        notes = q.meta.notes.get(language) if q.meta.notes else ""
        for name, value in (
            ("surveyls_survey_id", sid),
            ("surveyls_language", language),
            ("surveyls_title", title.get(language)),
            ("surveyls_description", ""),
            ("surveyls_welcometext", _html_text(notes)),
            ("surveyls_endtext", ""),
            ("surveyls_dateformat", "1"),  # dd.mm.yyyy
            ("surveyls_numberformat", "1" if language == "de" else "0"),  # decimal comma / point in the form
        ):
            row(**{"class": "SL", "name": name, "text": value, "language": language})

    # ids: groups 1…, questions and subquestions share one sequence (both are rows of LimeSurvey's questions)
    qid: dict[str, int] = {}
    sqid: dict[tuple[str, str], int] = {}
    nxt = 1
    for _, it in q.iter_items():
        qid[it.id] = nxt
        nxt += 1
    for _, it in q.iter_items():
        parts = [o.code for o in q.options_of(it)] if it.type == "multi" else [s.code for s in it.subs or []]
        for code in parts:
            sqid[(it.id, code)] = nxt
            nxt += 1

    for language in langs:
        is_base = language == base
        for gseq, sec in enumerate(q.sections, start=1):
            # type/scale numbers the groups from 1: the importer reads an empty() value as "no number", and
            # PHP's empty("0") is true
            row(
                **{
                    "id": str(gseq),
                    "class": "G",
                    "type/scale": str(gseq),
                    "name": sec.label.get(language),
                    "language": language,
                }
            )
            for it in sec.items:
                rows.extend(_question_rows(it, q, language, is_base, qid[it.id], sqid, lang))
    return rows


def _question_rows(
    it: Item,
    q: Questionnaire,
    language: str,
    is_base: bool,
    qid: int,
    sqid: Mapping[tuple[str, str], int],
    lang: str,
) -> list[dict[str, str]]:
    qtype = item_question_type(it, q)
    attrs: dict[str, str] = {}
    tips: dict[str, str] = {}
    validation = ""
    if it.type == "text":
        if it.maxlen:
            attrs["maximum_chars"] = str(it.maxlen)
        if it.pattern:
            validation = "/" + it.pattern.replace("/", "\\/") + "/"
    elif it.type in ("numeric", "multinumeric"):
        attrs, tips = _numeric_rules(it, language)
    elif it.type == "multi":
        exclusive = [o.code for o in q.options_of(it) if o.exclusive]
        if exclusive:
            attrs["exclude_all_others"] = ";".join(exclusive)
    mandatory = it.required
    if it.subs and it.type in ("multinumeric", "multitext", "array"):
        # LimeSurvey's mandatory means every subquestion; a partly required item is checked by em_validation_q
        mandatory = all(s.required for s in it.subs) and bool(it.subs)
    q_row: dict[str, str] = {
        "id": str(qid),
        "class": "Q",
        "type/scale": qtype,
        "name": it.id,
        "relevance": "1",
        "text": _html_text(_check_text(it.id, it.label.get(language), lang)),
        "help": _html_text(it.help.get(language)) if it.help else "",
        "language": language,
        "validation": validation,
        "mandatory": "Y" if mandatory else "N",
        "other": "Y" if it.other else "N",
        "same_default": "0",
    }
    if is_base:
        q_row.update(attrs)
    if tips:
        q_row["em_validation_q_tip"] = tips[language] if language in tips else tips["de"]
    out = [q_row]
    if it.type == "multi":
        parts: list[tuple[str, Label]] = [(o.code, o.label) for o in q.options_of(it)]
    else:
        parts = [(s.code, s.label) for s in it.subs or []]
    for code, label in parts:
        out.append(
            {
                "id": str(sqid[(it.id, code)]),
                "class": "SQ",
                "name": code,
                "relevance": "1",
                "text": _html_text(_check_text(it.id, label.get(language), lang)),
                "language": language,
                "other": "N",
                "same_default": "0",
            }
        )
    if it.type in ("single", "array"):
        for o in q.options_of(it):
            out.append(
                {
                    "id": str(qid),
                    "class": "A",
                    "type/scale": "0",
                    "name": o.code,
                    "text": _html_text(_check_text(it.id, o.label.get(language), lang)),
                    "language": language,
                    "assessment_value": "0",
                }
            )
    return out


def _tsv_field(value: str) -> str:
    """One field as PHP's fputcsv writes it with a tab delimiter (how LimeSurvey writes this export)."""
    if value == "":
        return ""
    if any(c in value for c in ('"', "\\", "\t", "\n", "\r", " ")):
        return '"' + value.replace('"', '""') + '"'
    return value


def write_limesurvey_structure(
    q: Questionnaire,
    path: str | Path,
    *,
    edition: Edition | None = None,
    languages: Sequence[str] = ("de", "en"),
    lang: Lang = "de",
) -> Path:
    """Write LimeSurvey's tab-separated survey-structure file (``.txt``) for the instrument.

    Import it in LimeSurvey under "Umfrage erstellen → Importieren". The file is UTF-8 without BOM, CRLF,
    every row as wide as the header, fields quoted like PHP's ``fputcsv`` (as in LimeSurvey's own export).
    The same instrument and edition give the same bytes.

    Parameters
    ----------
    q : Questionnaire
    path : str or Path
    edition : Edition, optional
        Its title becomes the survey title; its id is part of the stable survey id.
    languages : sequence of str, default ("de", "en")
        Base language first.
    lang : {"de", "en"}, default "de"
        Language of error messages.

    Returns
    -------
    Path

    Raises
    ------
    InstrumentError
        When LimeSurvey would change or merge a code (the message names both codes).
    """
    rows = structure_rows(
        q,
        title=edition.title if edition else None,
        edition=edition.edition if edition else None,
        languages=languages,
        lang=lang,
    )
    lines = ["\t".join(STRUCTURE_COLUMNS)]
    for r in rows:
        unknown = set(r) - set(STRUCTURE_COLUMNS)
        if unknown:  # a programming error, not the user's
            msg = f"unbekannte Spalten der Strukturdatei: {sorted(unknown)}"
            raise AssertionError(msg)
        lines.append("\t".join(_tsv_field(r.get(c, "")) for c in STRUCTURE_COLUMNS))
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return p


# --- reading a structure ----------------------------------------------------------------------------------
@dataclass
class LSAnswer:
    """An answer option (row of class ``A``): code, scale and text per language."""

    code: str
    scale: str = "0"
    texts: dict[str, str] = field(default_factory=dict)


@dataclass
class LSSubquestion:
    """A subquestion (row of class ``SQ``): code, scale and text per language."""

    code: str
    scale: str = "0"
    texts: dict[str, str] = field(default_factory=dict)
    relevance: str = ""


@dataclass
class LSQuestion:
    """A question (row of class ``Q``) with its subquestions and answers, texts per language."""

    qid: str
    code: str
    type: str
    texts: dict[str, str] = field(default_factory=dict)
    helps: dict[str, str] = field(default_factory=dict)
    mandatory: str = ""
    other: str = "N"
    relevance: str = ""
    validation: str = ""
    default: str = ""
    attributes: dict[str, str] = field(default_factory=dict)  # non-translated attributes
    i18n: dict[str, dict[str, str]] = field(default_factory=dict)  # attribute → language → text
    subquestions: list[LSSubquestion] = field(default_factory=list)
    answers: list[LSAnswer] = field(default_factory=list)
    line: int = 0  # line of its first row in the file


@dataclass
class LSGroup:
    """A question group (row of class ``G``) with its questions."""

    key: str
    gid: str
    names: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    relevance: str = ""
    questions: list[LSQuestion] = field(default_factory=list)


@dataclass
class SurveyStructure:
    """A parsed LimeSurvey survey structure (see :func:`read_limesurvey_structure`)."""

    path: str
    settings: dict[str, str]
    language_settings: dict[str, dict[str, str]]
    languages: list[str]
    groups: list[LSGroup]
    other_rows: list[dict[str, str]] = field(default_factory=list)  # classes not translated (C, AS, QTA…)
    row_counts: dict[str, int] = field(default_factory=dict)

    @property
    def questions(self) -> list[LSQuestion]:
        """Every question in order."""
        return [qq for g in self.groups for qq in g.questions]

    def question(self, code: str) -> LSQuestion:
        """One question by code (KeyError when absent)."""
        for qq in self.questions:
            if qq.code == code:
                return qq
        raise KeyError(code)


def _decode_structure(data: bytes, shown: str, lang: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as err:
            raise DataError(_msg("structure_unreadable", lang, path=shown, error=err), path=shown) from err


_MAX_STRUCTURE_BYTES = 50_000_000


def read_limesurvey_structure(path: str | Path, *, lang: Lang = "de") -> SurveyStructure:
    """Parse a LimeSurvey survey-structure file as LimeSurvey's importer (``TSVImportSurvey``) reads it.

    Tab-separated with ``"`` quotes, header cells trimmed and a BOM removed, line breaks of any style; a
    value that still starts and ends with ``"`` after parsing loses them (the importer's fix for Excel).
    Groups are joined across languages by their ``type/scale`` number (or their order within a language),
    questions by group and code, subquestions by question, scale and code — the importer's own keys.

    Parameters
    ----------
    path : str or Path
    lang : {"de", "en"}, default "de"
        Language of error messages.

    Returns
    -------
    SurveyStructure

    Raises
    ------
    DataError
        When the file is missing, unreadable, not a structure file or has no questions.
    """
    _check_lang("read_limesurvey_structure", lang)
    p = Path(path)
    shown = str(path)
    try:
        size = p.stat().st_size
        if size > _MAX_STRUCTURE_BYTES:
            raise DataError(_msg("structure_unreadable", lang, path=shown, error=f"{size} Bytes"), path=shown)
        data = p.read_bytes()
    except DataError:
        raise
    except FileNotFoundError as err:
        raise DataError(_msg("structure_not_found", lang, path=shown), path=shown) from err
    except OSError as err:
        raise DataError(_msg("structure_unreadable", lang, path=shown, error=err), path=shown) from err
    text = _decode_structure(data, shown, lang)
    text = re.sub(r"\r\n|\r|\n", "\n", text.replace("\u00c2\u00a0", " "))
    try:
        records = list(csv.reader(io.StringIO(text), delimiter="\t", quotechar='"'))
    except csv.Error as err:
        raise DataError(_msg("structure_unreadable", lang, path=shown, error=err), path=shown) from err
    need = ("class", "type/scale", "name", "text", "language")
    if not records:
        raise DataError(_msg("not_structure", lang, path=shown, columns=", ".join(need)), path=shown)
    header = [h.strip() for h in records[0]]
    if header:
        header[0] = re.sub(r"^\W+", "", header[0])
        if header[0].endswith("class"):
            header[0] = "class"
    if any(c not in header for c in need):
        raise DataError(_msg("not_structure", lang, path=shown, columns=", ".join(need)), path=shown)

    def value(rec: list[str], i: int) -> str:
        v = rec[i] if i < len(rec) else ""
        if len(v) >= 2 and v.startswith('"') and v.endswith('"'):
            v = v[1:-1].replace('""', '"')
        return v

    settings: dict[str, str] = {}
    lsettings: dict[str, dict[str, str]] = {}
    rows: list[tuple[int, dict[str, str]]] = []
    counts: dict[str, int] = {}
    for lineno, rec in enumerate(records[1:], start=2):
        if not any(x.strip() for x in rec):
            continue
        r = {h: value(rec, i) for i, h in enumerate(header) if h}
        cls = r.get("class", "").strip()
        counts[cls] = counts.get(cls, 0) + 1
        if cls == "S":
            settings[r.get("name", "")] = r.get("text", "")
        elif cls == "SL":
            lsettings.setdefault(r.get("language", ""), {})[r.get("name", "")] = r.get("text", "")
        rows.append((lineno, r))
    base = settings.get("language") or next(
        (r.get("language", "") for _, r in rows if r.get("class") == "Q" and r.get("language")), "en"
    )
    languages = [base] + [x for x in settings.get("additional_languages", "").split() if x and x != base]

    groups: dict[str, LSGroup] = {}
    order: list[str] = []
    questions: dict[tuple[str, str], LSQuestion] = {}
    other_rows: list[dict[str, str]] = []
    current_group: LSGroup | None = None
    current_q: LSQuestion | None = None
    last_lang = ""
    counter = 0
    for lineno, r in rows:
        cls = r.get("class", "")
        language = r.get("language") or base
        if cls == "G":
            if language != last_lang:
                counter = 0
            last_lang = language
            key = r.get("type/scale") or f"G{counter}"
            if not r.get("type/scale") or r.get("type/scale") == "0":
                key = f"G{counter}"
                counter += 1
            if key not in groups:
                groups[key] = LSGroup(
                    key=key, gid=r.get("id", "") or str(len(groups) + 1), relevance=r.get("relevance", "")
                )
                order.append(key)
            current_group = groups[key]
            current_group.names[language] = r.get("name", "")
            current_group.descriptions[language] = r.get("text", "")
            current_q = None
        elif cls == "Q":
            if current_group is None:
                current_group = LSGroup(key="G0", gid="0")
                groups["G0"] = current_group
                order.append("G0")
            code = r.get("name", "")
            qkey = (current_group.key, code)
            if qkey not in questions:
                qq = LSQuestion(
                    qid=r.get("id", ""),
                    code=code,
                    type=r.get("type/scale", "") or "T",
                    mandatory=r.get("mandatory", ""),
                    other=r.get("other", "") or "N",
                    relevance=r.get("relevance", ""),
                    validation=r.get("validation", ""),
                    default=r.get("default", ""),
                    line=lineno,
                )
                questions[qkey] = qq
                current_group.questions.append(qq)
            current_q = questions[qkey]
            current_q.texts[language] = r.get("text", "")
            current_q.helps[language] = r.get("help", "")
            for k, v in r.items():
                if k in _FIXED_COLUMNS or v == "":
                    continue
                if k in _I18N_ATTRIBUTES:
                    current_q.i18n.setdefault(k, {})[language] = v
                else:
                    current_q.attributes.setdefault(k, v)
        elif cls in ("SQ", "A"):
            if current_q is None:
                other_rows.append(dict(r, line=str(lineno)))
                continue
            code = r.get("name", "")
            scale = r.get("type/scale", "") or "0"
            if cls == "SQ":
                if code == "other" and current_q.other == "Y":
                    continue  # a row naming the "other" field, not a subquestion (importer: same rule)
                sq = next((s for s in current_q.subquestions if s.code == code and s.scale == scale), None)
                if sq is None:
                    sq = LSSubquestion(code=code, scale=scale, relevance=r.get("relevance", ""))
                    current_q.subquestions.append(sq)
                sq.texts[language] = r.get("text", "")
            else:
                a = next((x for x in current_q.answers if x.code == code and x.scale == scale), None)
                if a is None:
                    a = LSAnswer(code=code, scale=scale)
                    current_q.answers.append(a)
                a.texts[language] = r.get("text", "")
        elif cls not in ("S", "SL"):
            other_rows.append(dict(r, line=str(lineno)))
    structure = SurveyStructure(
        path=shown,
        settings=settings,
        language_settings=lsettings,
        languages=languages,
        groups=[groups[k] for k in order],
        other_rows=other_rows,
        row_counts=counts,
    )
    if not structure.questions:
        raise DataError(_msg("structure_empty", lang, path=shown), path=shown)
    return structure


def response_columns(structure: SurveyStructure) -> list[str]:
    """The columns of a response export of `structure` in LimeSurvey's code form (``Q``, ``Q[SQ]``).

    Follows ``createFieldMap``: one column per single-answer question; ``Q[other]`` after a list or
    multiple choice with "other"; one column per subquestion of multiple-choice, multiple-numerical,
    multiple-short-text and array questions; ``Q[SQ][1]``/``Q[SQ][2]`` for dual-scale arrays,
    ``Q[Y_X]`` for number/text arrays, ``Q[SQcomment]`` for multiple choice with comments, ``Q[comment]``
    for a list with comment, ``Q[1]``… for rankings. Text displays (``X``) have none.

    Parameters
    ----------
    structure : SurveyStructure
        From :func:`read_limesurvey_structure`.

    Returns
    -------
    list of str
        In survey order; intake resolves them (and their ``Q_SQ`` forms) against the instrument's columns.
    """
    cols: list[str] = []
    for qq in structure.questions:
        t, c = qq.type, qq.code
        sq0 = [s.code for s in qq.subquestions if s.scale in ("", "0")]
        sq1 = [s.code for s in qq.subquestions if s.scale == "1"]
        if t == "X":
            continue
        if t in ("M",):
            cols += [f"{c}[{s}]" for s in sq0]
            if qq.other == "Y":
                cols.append(f"{c}[other]")
        elif t == "P":
            for s in sq0:
                cols += [f"{c}[{s}]", f"{c}[{s}comment]"]
            if qq.other == "Y":
                cols += [f"{c}[other]", f"{c}[othercomment]"]
        elif t in ("K", "Q", "A", "B", "C", "E", "F", "H"):
            cols += [f"{c}[{s}]" for s in sq0]
        elif t in (":", ";"):
            cols += [f"{c}[{y}_{x}]" for y in sq0 for x in sq1]
        elif t == "1":
            for s in sq0:
                cols += [f"{c}[{s}][1]", f"{c}[{s}][2]"]
        elif t == "R":
            cols += [f"{c}[{i}]" for i in range(1, len(qq.answers) + 1)]
        elif t == "O":
            cols += [c, f"{c}[comment]"]
        elif t == "|":
            cols += [c, f"{c}[filecount]"]
        else:
            cols.append(c)
            if t in ("L", "!") and qq.other == "Y":
                cols.append(f"{c}[other]")
    return cols


# --- structure → questionnaire skeleton ------------------------------------------------------------------
@dataclass(frozen=True)
class Untranslated:
    """Something in a structure file the skeleton does not carry over, and why."""

    code: str
    group: str
    kind: str  # question | setting | code | text | row
    detail: str
    reason: str


@dataclass
class SkeletonResult:
    """What :func:`write_questionnaire_skeleton` wrote."""

    questionnaire: Path
    report: Path
    untranslated: list[Untranslated]
    n_items: int
    n_sections: int


_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    """LimeSurvey HTML as a plain label: tags removed, entities decoded, spaces collapsed."""
    t = re.sub(r"<br\s*/?>|</p>", " ", text or "", flags=re.IGNORECASE)
    t = html.unescape(_TAG.sub("", t))
    return re.sub(r"\s+", " ", t).strip()


# fixed answer scales of LimeSurvey's built-in array and choice types (codes as LimeSurvey stores them)
_FIXED_SCALES: dict[str, list[tuple[str, str, str]]] = {
    "5": [(str(i), str(i), str(i)) for i in range(1, 6)],
    "A": [(str(i), str(i), str(i)) for i in range(1, 6)],
    "B": [(str(i), str(i), str(i)) for i in range(1, 11)],
    "C": [("Y", "Ja", "Yes"), ("U", "Unsicher", "Uncertain"), ("N", "Nein", "No")],
    "E": [("I", "Mehr", "Increase"), ("S", "Gleich", "Same"), ("D", "Weniger", "Decrease")],
    "G": [("F", "weiblich", "female"), ("M", "männlich", "male")],
}
_TRANSLATED_ATTRIBUTES = frozenset(
    {
        "maximum_chars",
        "num_value_int_only",
        "min_num_value_n",
        "max_num_value_n",
        "exclude_all_others",
        "em_validation_q",
        "em_validation_q_tip",
    }
)
# attributes that only change how LimeSurvey shows a question; listed in the report as display settings
_DISPLAY_ATTRIBUTES = frozenset(
    {
        "hide_tip",
        "cssclass",
        "display_columns",
        "display_rows",
        "text_input_width",
        "text_input_columns",
        "input_size",
        "answer_width",
        "answer_width_bycolumn",
        "label_input_columns",
        "choice_input_columns",
        "use_dropdown",
        "dropdown_size",
        "dropdown_prefix",
        "alphasort",
        "hidden",
        "page_break",
        "printable_help",
        "public_statistics",
        "statistics_showgraph",
        "statistics_graphtype",
        "statistics_showmap",
        "question_template",
        "repeat_headings",
        "samechoiceheight",
        "samelistheight",
        "scale_export",
        "other_replace_text",
        "prefix",
        "suffix",
        "numbers_only",
        "input_boxes",
    }
    | {c for c in STRUCTURE_COLUMNS if c.startswith("slider_")}
)
_EM_PART = re.compile(
    r"!is_empty\((?P<req>[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9]+)\)"
    r"|\(is_empty\((?P<v1>[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9]+)\) or (?P<v2>[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9]+) "
    r"(?P<op>>=|<=) (?P<num>-?\d+(?:\.\d+)?)\)"
)


def _labels(texts: Mapping[str, str], languages: Sequence[str], fallback: str) -> tuple[dict[str, str], bool]:
    """A label {de, en} from per-language texts; True when German had to be taken from another language."""
    de = _plain(texts.get("de", ""))
    en = _plain(texts.get("en", ""))
    borrowed = False
    if not de:
        for language in languages:
            if _plain(texts.get(language, "")):
                de = _plain(texts[language])
                borrowed = language != "de"
                break
    de = de or fallback
    out = {"de": de}
    if en:
        out["en"] = en
    return out, borrowed


def _letters(n: int) -> str:
    """0 → A, 25 → Z, 26 → AA (spreadsheet-style section ids)."""
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _number(text: str) -> float | int | None:
    try:
        x = float(text.replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(x):
        return None
    return int(x) if x.is_integer() else x


def questionnaire_skeleton(
    structure: SurveyStructure,
    *,
    qid: str | None = None,
    version: str = "0.1",
    lang: Lang = "de",
) -> tuple[dict[str, Any], list[Untranslated]]:
    """Translate a parsed survey structure into a questionnaire dict and the list of what it left out.

    Question types: ``L``/``!``/``5``/``G`` → ``single``, ``M`` → ``multi``, ``Y`` → ``yesno``, ``N`` →
    ``numeric``, ``K`` → ``multinumeric``, ``S``/``T``/``U`` → ``text``, ``Q`` → ``multitext``, ``F``/``A``/
    ``B``/``C``/``E`` → ``array`` over a named scale. Every other type (dates, rankings, uploads, equations,
    dual-scale and number/text arrays, lists and multiple choices with comments, text displays) is listed,
    not dropped. So are conditions (``relevance``), settings without an instrument equivalent and codes the
    instrument's rules had to repair. Codes stay LimeSurvey's codes, so the survey's response exports map
    onto the skeleton without a mapping file. Groups become sections ``A``, ``B``, …; every item and section
    gets ``scoring: {kind: none}`` for the evaluators to replace.

    Parameters
    ----------
    structure : SurveyStructure
    qid : str, optional
        Instrument id; default ``ls<survey id>``.
    version : str, default "0.1"
    lang : {"de", "en"}, default "de"
        Language of the reasons.

    Returns
    -------
    (dict, list of Untranslated)
        The questionnaire as plain data (what the YAML holds) and the untranslated parts.

    Raises
    ------
    DataError
        When two codes become one under LimeSurvey's rules (naming both).
    """
    _check_lang("questionnaire_skeleton", lang)
    de = lang == "de"
    langs = structure.languages
    missing: list[Untranslated] = []

    def note(code: str, group: str, kind: str, detail: str, reason_de: str, reason_en: str) -> None:
        missing.append(Untranslated(code, group, kind, detail, reason_de if de else reason_en))

    sid = structure.settings.get("sid", "")
    qid = qid or (
        f"ls{sid}"
        if sid.isdigit()
        else re.sub(r"[^A-Za-z0-9_-]", "", Path(structure.path).stem) or "limesurvey"
    )
    title_texts = {x: s.get("surveyls_title", "") for x, s in structure.language_settings.items()}
    title, borrowed = _labels(title_texts, langs, qid)
    if "de" not in langs:
        note(
            "—",
            "—",
            "text",
            ", ".join(langs),
            f"Die Datei enthält keine deutschen Texte; die Texte in „{langs[0]}“ sind als deutsche Texte "
            "übernommen und müssen übersetzt werden.",
            f"The file has no German texts; the '{langs[0]}' texts were taken as German and need "
            "translating.",
        )
    meta: dict[str, Any] = {"id": qid, "version": version, "title": title}
    welcome = {x: s.get("surveyls_welcometext", "") for x, s in structure.language_settings.items()}
    if any(_plain(v) for v in welcome.values()):
        meta["notes"], _ = _labels(welcome, langs, "")

    scales: dict[str, dict[str, Any]] = {}
    sections: list[dict[str, Any]] = []
    seen_codes: dict[str, str] = {}
    for gi, g in enumerate(structure.groups):
        gname = _plain(g.names.get(langs[0], "")) or g.key
        glabel, _ = _labels(g.names, langs, f"Gruppe {gi + 1}" if de else f"Group {gi + 1}")
        items: list[dict[str, Any]] = []
        if g.relevance not in ("", "1"):
            note(
                gname,
                gname,
                "setting",
                f"relevance = {g.relevance}",
                "Bedingung der Gruppe nicht übernommen (das Instrument kennt keine Filter).",
                "Group condition not carried over (the instrument has no filters).",
            )
        for qq in g.questions:
            item = _skeleton_item(qq, structure, gname, scales, note, lang)
            if item is None:
                continue
            key = item["id"]
            if key in seen_codes and seen_codes[key] != qq.code:
                msg = _msg(
                    "skeleton_collision",
                    lang,
                    path=structure.path,
                    first=seen_codes[key],
                    second=qq.code,
                    where="Fragecodes" if de else "question codes",
                    norm=key,
                )
                raise DataError(msg, path=structure.path)
            seen_codes[key] = qq.code
            items.append(item)
        if items:
            sections.append(
                {"id": _letters(len(sections)), "label": glabel, "scoring": {"kind": "none"}, "items": items}
            )
        else:
            note(
                gname,
                gname,
                "question",
                "G",
                "Gruppe ohne übersetzbare Fragen: kein Abschnitt angelegt.",
                "Group without translatable questions: no section created.",
            )
    for r in structure.other_rows:
        cls = r.get("class", "")
        note(
            r.get("name", "") or cls,
            "—",
            "row",
            f"Klasse {cls}, Zeile {r.get('line')}" if de else f"class {cls}, line {r.get('line')}",
            "Zeile dieser Klasse (z. B. Bedingung, Bewertung, Quote) nicht übernommen.",
            "Row of this class (e.g. condition, assessment, quota) not carried over.",
        )
    data: dict[str, Any] = {"meta": meta}
    if scales:
        data["scales"] = scales
    data["weights"] = {"default": {}}
    data["sections"] = sections
    return data, missing


def _skeleton_item(
    qq: LSQuestion,
    structure: SurveyStructure,
    group: str,
    scales: dict[str, dict[str, Any]],
    note: Any,
    lang: str,
) -> dict[str, Any] | None:
    langs = structure.languages
    t = qq.type
    tname = LIMESURVEY_TYPES.get(t, (t, t))
    code = limesurvey_code(qq.code, kind="question")[:20]
    if code != qq.code:
        note(
            qq.code,
            group,
            "code",
            code,
            f"Fragecode „{qq.code}“ an die Code-Regeln angepasst: „{code}“.",
            f"Question code '{qq.code}' repaired to '{code}'.",
        )
    kind = {
        "L": "single",
        "!": "single",
        "5": "single",
        "G": "single",
        "M": "multi",
        "Y": "yesno",
        "N": "numeric",
        "K": "multinumeric",
        "S": "text",
        "T": "text",
        "U": "text",
        "Q": "multitext",
        "F": "array",
        "A": "array",
        "B": "array",
        "C": "array",
        "E": "array",
    }.get(t)
    if kind is None:
        why_de = {"X": "Textanzeige ohne Antwort", "*": "Gleichung (berechneter Wert)"}.get(
            t, "diesen Fragetyp kennt das Instrument nicht"
        )
        why_en = {"X": "text display without an answer", "*": "equation (computed value)"}.get(
            t, "the instrument does not know this question type"
        )
        note(
            qq.code,
            group,
            "question",
            f"{t} ({tname[0]})",
            f"Nicht übersetzt: {why_de}. Spalten im Export: {', '.join(_columns_of(qq)) or '—'}.",
            f"Not translated: {why_en}. Export columns: {', '.join(_columns_of(qq)) or '—'}.",
        )
        return None
    label, _ = _labels(qq.texts, langs, qq.code)
    if not any(_plain(v) for v in qq.texts.values()):
        note(
            qq.code,
            group,
            "text",
            "text",
            "Frage ohne Text: der Code ist als Text eingesetzt.",
            "Question without text: the code is used as its text.",
        )
    item: dict[str, Any] = {"id": code, "type": kind, "label": label}
    helps = {k: v for k, v in qq.helps.items() if _plain(v)}
    if helps:
        item["help"], _ = _labels(helps, langs, "")
    if qq.mandatory == "Y":
        item["required"] = True
    elif qq.mandatory == "S":
        note(
            qq.code,
            group,
            "setting",
            "mandatory = S",
            "„Sanfte“ Pflicht (Hinweis) als freiwillig übernommen.",
            "Soft mandatory taken as optional.",
        )
    if qq.relevance not in ("", "1"):
        note(
            qq.code,
            group,
            "setting",
            f"relevance = {qq.relevance}",
            "Bedingung (relevance) nicht übernommen: die Frage gilt für alle.",
            "Condition (relevance) not carried over: the question applies to everyone.",
        )
    if qq.default:
        note(
            qq.code,
            group,
            "setting",
            f"default = {qq.default}",
            "Vorbelegung nicht übernommen.",
            "Default answer not carried over.",
        )
    attrs = dict(qq.attributes)
    handled: set[str] = set()

    def checked_code(
        raw: str, code: str, seen: dict[str, str], *, name: tuple[str, str], where: tuple[str, str]
    ) -> str:
        """``code``, LimeSurvey's form of ``raw``: noted when it differs; refused, naming both, when another
        code of the same list folds to it too (``seen``: case-folded code → the code in the file)."""
        if code != raw:
            note(
                qq.code,
                group,
                "code",
                raw,
                f"{name[0]} „{raw}“ angepasst: „{code}“.",
                f"{name[1]} '{raw}' repaired to '{code}'.",
            )
        first = seen.get(code.casefold())
        if first is not None:
            msg = _msg(
                "skeleton_collision",
                lang,
                path=structure.path,
                first=first,
                second=raw,
                where=where[0] if lang == "de" else where[1],
                norm=code,
            )
            raise DataError(msg, path=structure.path)
        seen[code.casefold()] = raw
        return code

    if kind in ("single", "array"):
        fixed = _FIXED_SCALES.get(t)
        if fixed is not None:
            opts = [{"code": c, "label": {"de": d, "en": e}} for c, d, e in fixed]
        else:
            opts = []
            original: dict[str, str] = {}  # normalised code (case-folded) → the code in the file
            for a in qq.answers:
                if a.scale not in ("", "0"):
                    continue
                acode = checked_code(
                    a.code,
                    limesurvey_code(a.code, kind="answer"),
                    original,
                    name=("Antwortcode", "Answer code"),
                    where=(f"Antworten von {qq.code}", f"answers of {qq.code}"),
                )
                alabel, _ = _labels(a.texts, langs, a.code)
                opts.append({"code": acode, "label": alabel})
        if not opts:
            note(
                qq.code,
                group,
                "question",
                f"{t} ({tname[0]})",
                "Liste ohne Antwortoptionen: nicht übersetzt.",
                "List without answer options: not translated.",
            )
            return None
        if kind == "single":
            item["options"] = opts
            if qq.other == "Y":
                item["other"] = True
        else:
            name = f"s_{code}"
            scales[name] = {"label": dict(label), "options": opts}
            item["scale"] = name
    if kind in ("multi", "multinumeric", "multitext", "array"):
        parts = []
        seen: dict[str, str] = {}  # normalised code (case-folded) → the code in the file
        for s in qq.subquestions:
            if s.scale not in ("", "0"):
                continue
            scode = checked_code(
                s.code,
                limesurvey_code(s.code, kind="subquestion")[:20],
                seen,
                name=("Unterfragen-Code", "Subquestion code"),
                where=(f"Unterfragen von {qq.code}", f"subquestions of {qq.code}"),
            )
            slabel, _ = _labels(s.texts, langs, s.code)
            parts.append({"code": scode, "label": slabel})
            if s.relevance not in ("", "1"):
                note(
                    f"{qq.code}[{s.code}]",
                    group,
                    "setting",
                    f"relevance = {s.relevance}",
                    "Bedingung der Unterfrage nicht übernommen.",
                    "Subquestion condition not carried over.",
                )
        if not parts:
            note(
                qq.code,
                group,
                "question",
                f"{t} ({tname[0]})",
                "Frage ohne Unterfragen: nicht übersetzt.",
                "Question without subquestions: not translated.",
            )
            return None
        if kind == "multi":
            exclusive = set(attrs.get("exclude_all_others", "").replace(",", ";").split(";")) - {""}
            handled.add("exclude_all_others")
            for p in parts:
                if p["code"] in exclusive:
                    p["exclusive"] = True
            if "other" in {p["code"] for p in parts} and qq.other == "Y":
                note(
                    qq.code,
                    group,
                    "code",
                    "other",
                    "Unterfrage „other“ neben „Sonstiges“ nicht möglich.",
                    "Subquestion 'other' next to 'Other' is not possible.",
                )
            item["options"] = parts
            if qq.other == "Y":
                item["other"] = True
        else:
            item["subs"] = parts
    if kind == "text":
        if attrs.get("maximum_chars", "").isdigit() and int(attrs["maximum_chars"]) > 0:
            item["maxlen"] = int(attrs["maximum_chars"])
        handled.add("maximum_chars")
        if qq.validation:
            m = re.fullmatch(r"/(.*)/([a-zA-Z]*)", qq.validation, flags=re.DOTALL)
            pattern = m.group(1).replace("\\/", "/") if m and not m.group(2) else None
            try:
                if pattern is not None:
                    re.compile(pattern)
            except re.error:
                pattern = None
            if pattern is not None:
                item["pattern"] = pattern
            else:
                note(
                    qq.code,
                    group,
                    "setting",
                    f"validation = {qq.validation}",
                    "Prüfausdruck nicht übernommen (kein einfacher regulärer Ausdruck).",
                    "Validation not carried over (not a plain regular expression).",
                )
    elif qq.validation:
        note(
            qq.code,
            group,
            "setting",
            f"validation = {qq.validation}",
            "Prüfausdruck nicht übernommen.",
            "Validation not carried over.",
        )
    if kind in ("numeric", "multinumeric"):
        integer = attrs.get("num_value_int_only", "") == "1"
        lo = _number(attrs.get("min_num_value_n", "")) if attrs.get("min_num_value_n") else None
        hi = _number(attrs.get("max_num_value_n", "")) if attrs.get("max_num_value_n") else None
        handled |= {"num_value_int_only", "min_num_value_n", "max_num_value_n"}
        targets = item.get("subs") or [item]
        for tgt in targets:
            if not integer:
                tgt["integer"] = False
            if lo is not None:
                tgt["min"] = lo
            if hi is not None:
                tgt["max"] = hi
        em = attrs.get("em_validation_q", "")
        if em and kind == "multinumeric":
            handled |= {"em_validation_q"}
            rest = _apply_em(em, code, item)
            if rest:
                note(
                    qq.code,
                    group,
                    "setting",
                    f"em_validation_q = {rest}",
                    "Teil der Prüfregel nicht übernommen.",
                    "Part of the validation rule not carried over.",
                )
            if any(s.get("required") for s in item["subs"]):
                item["required"] = True
        if "em_validation_q_tip" in qq.i18n:
            handled.add("em_validation_q_tip")
    for k, v in sorted(attrs.items()):
        if k in handled:
            continue
        display = k in _DISPLAY_ATTRIBUTES
        note(
            qq.code,
            group,
            "setting",
            f"{k} = {v}",
            "Darstellungseinstellung nicht übernommen." if display else "Einstellung nicht übernommen.",
            "Display setting not carried over." if display else "Setting not carried over.",
        )
    item["scoring"] = {"kind": "none"}
    return item


def _apply_em(expr: str, code: str, item: dict[str, Any]) -> str:
    """Read back the per-subquestion rules :func:`_numeric_rules` writes; returns what it did not read."""
    subs = {f"{code}_{s['code']}": s for s in item.get("subs", [])}
    rest = []
    for part in (p.strip() for p in expr.split(" and ")):
        m = _EM_PART.fullmatch(part)
        if not m:
            rest.append(part)
            continue
        if m.group("req"):
            target = subs.get(m.group("req"))
            if target is None:
                rest.append(part)
                continue
            target["required"] = True
        else:
            if m.group("v1") != m.group("v2") or m.group("v1") not in subs:
                rest.append(part)
                continue
            target = subs[m.group("v1")]
            target["min" if m.group("op") == ">=" else "max"] = _number(m.group("num"))
    return " and ".join(rest)


def _columns_of(qq: LSQuestion) -> list[str]:
    return response_columns(
        SurveyStructure(
            path="",
            settings={},
            language_settings={},
            languages=[],
            groups=[LSGroup(key="", gid="", questions=[qq])],
        )
    )


def write_questionnaire_skeleton(
    structure_path: str | Path,
    out_dir: str | Path,
    *,
    qid: str | None = None,
    lang: Lang = "de",
) -> SkeletonResult:
    """Read a LimeSurvey structure file and write a questionnaire YAML skeleton and its report.

    Writes ``<out_dir>/<qid>.yaml`` (loads with :func:`vielfalt.config.questionnaire.load_questionnaire`; copy it to
    ``params/questionnaire/`` and add the scoring rules and section points) and
    ``<out_dir>/<qid>_nicht_uebersetzt.md`` listing every question, setting and row the skeleton leaves out.
    The untranslated parts are also listed as comments at the top of the YAML.

    Parameters
    ----------
    structure_path : str or Path
    out_dir : str or Path
    qid : str, optional
        Instrument id; default ``ls<survey id>``.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    SkeletonResult

    Raises
    ------
    DataError
        When the file is not a structure file, or two codes collide under LimeSurvey's rules.
    """
    _check_lang("write_questionnaire_skeleton", lang)
    structure = read_limesurvey_structure(structure_path, lang=lang)
    data, missing = questionnaire_skeleton(structure, qid=qid, lang=lang)
    qid = data["meta"]["id"]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ypath = out / f"{qid}.yaml"
    rpath = out / f"{qid}_nicht_uebersetzt.md"
    de = lang == "de"
    n_items = sum(len(s["items"]) for s in data["sections"])
    head = [
        f"# Fragebogen-Gerüst aus der LimeSurvey-Struktur {Path(structure_path).name} (vielfalt field)."
        if de
        else f"# Questionnaire skeleton from the LimeSurvey structure {Path(structure_path).name} "
        "(vielfalt field).",
        "# Bitte ergänzen: Bewertungsregeln (scoring, jetzt kind: none), Abschnittspunkte (weights, Summe "
        "100),"
        if de
        else "# To add: scoring rules (scoring, now kind: none), section points (weights, sum 100),",
        "# Datenschutz-Merkmale (pii, special_category, exports) und Erwartungen je Größenkategorie."
        if de
        else "# privacy flags (pii, special_category, exports) and expectations per size category.",
        f"# Nicht übersetzt ({len(missing)}; Einzelheiten in {rpath.name}):"
        if de
        else f"# Not translated ({len(missing)}; details in {rpath.name}):",
    ]
    head += [f"#   {m.code} [{m.kind}] {m.detail}: {m.reason}".replace("\n", " ") for m in missing]
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None)
    ypath.write_text("\n".join(head) + "\n" + body, encoding="utf-8")
    try:
        load_questionnaire(ypath)
    except InstrumentError as err:  # a bug in the translation, never the city's file
        raise DataError(_msg("skeleton_invalid", lang, path=ypath, error=err), path=str(ypath)) from err
    heads = ("Code", "Gruppe", "Art", "Was", "Grund") if de else ("Code", "Group", "Kind", "What", "Reason")
    lines = [
        f"# {'Nicht übersetzt aus' if de else 'Not translated from'} {Path(structure_path).name}",
        "",
        (
            f"{n_items} Fragen in {len(data['sections'])} Abschnitten übernommen, {len(missing)} Punkte "
            "nicht "
            f"übernommen (Fragebogen: {ypath.name})."
            if de
            else f"{n_items} questions in {len(data['sections'])} sections carried over, {len(missing)} "
            "items not "
            f"(questionnaire: {ypath.name})."
        ),
        "",
        "| " + " | ".join(heads) + " |",
        "|" + "---|" * len(heads),
    ]
    for m in missing:
        cells = [m.code, m.group, m.kind, m.detail, m.reason]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    rpath.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return SkeletonResult(
        questionnaire=ypath,
        report=rpath,
        untranslated=missing,
        n_items=n_items,
        n_sections=len(data["sections"]),
    )


# --- the fillable Teilnahmebogen (XLSX) ------------------------------------------------------------------
FORM_LAYOUT_VERSION = "1"
"""Version of the form layout written on the metadata sheet (``format_version``)."""

_ANSWER_COLUMN = "C"
_FORM_TEXT: dict[str, dict[str, str]] = {
    "intro_sheet": {"de": "Hinweise", "en": "Instructions"},
    "lists_sheet": {"de": "_listen", "en": "_lists"},
    "heads": {"de": "Code|Frage|Ihre Angabe|Hinweis", "en": "Code|Question|Your answer|Note"},
    "fill": {
        "de": "Bitte nur die gelben Felder ausfüllen; * = Pflichtangabe. Auswahlfelder: Eintrag aus der "
        "Liste wählen. Ankreuzen: „x“ wählen.",
        "en": "Please fill in the yellow cells only; * = required. Selection cells: choose an entry from the "
        "list. Ticks: choose 'x'.",
    },
    "steps": {
        "de": "1. Datum unten eintragen.|2. Auf jedem Blatt (A, B, …) die gelben Felder ausfüllen.|3. Die "
        "Datei speichern (Format .xlsx, Name gern mit Ihrer Organisation) und an das Institut "
        "zurückschicken.|Die Blätter sind geschützt, damit Fragen und Codes erhalten bleiben; nur die gelben "
        "Felder sind veränderbar.",
        "en": "1. Enter the date below.|2. On every sheet (A, B, …) fill in the yellow cells.|3. Save the "
        "file (format .xlsx, ideally named after your organisation) and send it back to the institute.|The "
        "sheets are protected so that questions and codes stay intact; only the yellow cells can be changed.",
    },
    "date": {"de": "Datum des Ausfüllens (TT.MM.JJJJ)", "en": "Date filled in (DD.MM.YYYY)"},
    "edition": {"de": "Edition", "en": "Edition"},
    "instrument": {"de": "Fragebogen", "en": "Questionnaire"},
    "choose": {"de": "Bitte aus der Liste wählen.", "en": "Please choose from the list."},
    "tick": {"de": "x = trifft zu, sonst leer lassen.", "en": "x = applies, else leave empty."},
    "tick_head": {"de": "Zutreffendes mit x markieren.", "en": "Mark what applies with x."},
    "several": {"de": "Mehrfachnennung möglich.", "en": "Several answers possible."},
    "other": {"de": "Sonstiges", "en": "Other"},
    "other_text": {"de": "Falls „Sonstiges“: bitte angeben", "en": "If 'Other': please specify"},
    "whole": {"de": "ganze Zahl", "en": "whole number"},
    "number": {"de": "Zahl", "en": "number"},
    "at_most_chars": {"de": "höchstens {n} Zeichen", "en": "at most {n} characters"},
    "pii": {
        "de": "personenbezogen: nur für das auswertende Institut",
        "en": "personal data: for the evaluating institute only",
    },
    "yes": {"de": "ja", "en": "yes"},
    "no": {"de": "nein", "en": "no"},
    "tick_value": {"de": "x", "en": "x"},
    "list_error": {
        "de": "Bitte einen Eintrag aus der Liste wählen.",
        "en": "Please choose an entry from the list.",
    },
    "number_error": {"de": "Bitte eine Zahl eintragen ({rule}).", "en": "Please enter a number ({rule})."},
    "text_error": {"de": "Der Text ist zu lang ({rule}).", "en": "The text is too long ({rule})."},
    "date_error": {
        "de": "Bitte ein Datum eintragen (TT.MM.JJJJ).",
        "en": "Please enter a date (DD.MM.YYYY).",
    },
    "sheet_title": {"de": "Teilnahmebogen", "en": "Participation form"},
}


def _t(key: str, lang: str, **kw: Any) -> str:
    return _FORM_TEXT[key][lang].format(**kw)


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


def _number_rule(integer: bool, lo: float | None, hi: float | None, lang: str) -> str:
    word = _t("whole" if integer else "number", lang)
    if lo is not None and hi is not None:
        return f"{word} {_fmt_number(lo)}–{_fmt_number(hi)}"
    if lo is not None:
        return f"{word} ≥ {_fmt_number(lo)}"
    if hi is not None:
        return f"{word} ≤ {_fmt_number(hi)}"
    return word


def _join_hint(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _form_rows(sec: Section, q: Questionnaire, lang: str) -> list[_FormRow]:
    """The rows of one section sheet (labels in `lang`)."""
    rows: list[_FormRow] = []
    for it in sec.items:
        star = " *" if it.required else ""
        label = f"{it.id}  {it.label.get(lang)}{star}"
        help_text = it.help.get(lang) if it.help else ""
        pii = _t("pii", lang) if it.pii else ""
        if it.type == "text":
            height = (
                None if not it.maxlen or it.maxlen <= _SHORT_TEXT_MAX else min(300.0, 45 + it.maxlen / 20)
            )
            hint = _t("at_most_chars", lang, n=it.maxlen) if it.maxlen else ""
            rows.append(
                _FormRow(it.id, label, _join_hint(hint, help_text, pii), maxlen=it.maxlen, height=height)
            )
        elif it.type == "single":
            choices = [o.label.get(lang) for o in q.options_of(it)]
            if it.other:
                choices.append(_t("other", lang))
            rows.append(
                _FormRow(it.id, label, _join_hint(_t("choose", lang), help_text, pii), choices=choices)
            )
            if it.other:
                rows.append(_FormRow(f"{it.id}[other]", _t("other_text", lang), indent=2))
        elif it.type == "yesno":
            rows.append(
                _FormRow(
                    it.id,
                    label,
                    _join_hint(_t("choose", lang), help_text, pii),
                    choices=[_t("yes", lang), _t("no", lang)],
                )
            )
        elif it.type == "numeric":
            rule = _number_rule(it.integer, it.min, it.max, lang)
            rows.append(
                _FormRow(it.id, label, _join_hint(rule, help_text, pii), number=(it.integer, it.min, it.max))
            )
        else:
            head_hint = {
                "multi": _join_hint(_t("tick_head", lang), _t("several", lang)),
                "array": _t("choose", lang),
            }.get(it.type, "")
            rows.append(_FormRow(None, label, _join_hint(head_hint, help_text, pii), heading=True))
            if it.type == "multi":
                for o in q.options_of(it):
                    rows.append(
                        _FormRow(
                            f"{it.id}[{o.code}]",
                            o.label.get(lang),
                            _t("tick", lang),
                            choices=[_t("tick_value", lang)],
                            indent=2,
                        )
                    )
                if it.other:
                    rows.append(_FormRow(f"{it.id}[other]", _t("other_text", lang), indent=2))
            elif it.type == "array":
                choices = [o.label.get(lang) for o in q.options_of(it)]
                for s in it.subs or []:
                    rows.append(_FormRow(f"{it.id}[{s.code}]", s.label.get(lang), choices=choices, indent=2))
            elif it.type == "multinumeric":
                for s in it.subs or []:
                    rule = _number_rule(s.integer, s.min, s.max, lang)
                    rows.append(
                        _FormRow(
                            f"{it.id}[{s.code}]",
                            s.label.get(lang) + (" *" if s.required else ""),
                            rule,
                            number=(s.integer, s.min, s.max),
                            indent=2,
                        )
                    )
            else:  # multitext
                for s in it.subs or []:
                    rows.append(
                        _FormRow(
                            f"{it.id}[{s.code}]",
                            s.label.get(lang) + (" *" if s.required else ""),
                            _t("pii", lang) if s.pii else "",
                            indent=2,
                        )
                    )
    return rows


def _sheet_title(sec: Section, lang: str, used: set[str]) -> str:
    """A worksheet name for a section: ``"A Profil"``, at most 31 characters, unique, no ``[]:*?/\\``."""
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
    through it (``dialect: form``). Every text passes :func:`vielfalt.outputs.spreadsheets.neutralise`; the file has fixed
    timestamps, so the same instrument and edition give the same bytes.

    Parameters
    ----------
    q : Questionnaire
    path : str or Path
    edition : Edition
    lang : {"de", "en"}, default "de"
        Language of labels and hints.

    Returns
    -------
    Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    _check_lang("write_form_xlsx", lang)
    check_limesurvey_codes(q, lang=lang)  # the form identifies answers by code and text, like LimeSurvey
    neut = export.neutralise
    answer_fill = PatternFill("solid", fgColor="FFF2CC")
    heading_fill = PatternFill("solid", fgColor="DDEBF7")
    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    code_font = Font(color="808080", size=8)
    unlocked = Protection(locked=False)
    wrap = Alignment(wrap_text=True, vertical="top")

    wb = Workbook()
    intro = wb.active
    intro.title = _t("intro_sheet", lang)
    lists_ws = wb.create_sheet(_t("lists_sheet", lang))
    meta_ws = wb.create_sheet(FORM_META_SHEET)
    title = f"{_t('sheet_title', lang)} {edition.title.get(lang)}"
    cells: list[tuple[str, str, str]] = []
    list_names: dict[tuple[str, ...], str] = {}

    def list_name(choices: Sequence[str]) -> str:
        key = tuple(choices)
        if key not in list_names:
            n = len(list_names) + 1
            col = _col_letter(n)
            for r, v in enumerate(key, start=1):
                lists_ws.cell(row=r, column=n, value=neut(v))
            name = f"vf_liste_{n}"
            ref = f"'{lists_ws.title}'!${col}$1:${col}${len(key)}"
            wb.defined_names[name] = DefinedName(name, attr_text=ref)
            list_names[key] = name
        return list_names[key]

    validations: dict[Any, dict[tuple[Any, ...], DataValidation]] = {}

    def validate(ws: Any, ref: str, spec: tuple[Any, ...]) -> None:
        per = validations.setdefault(ws.title, {})
        dv = per.get(spec)
        if dv is None:
            kind = spec[0]
            if kind == "list":
                dv = DataValidation(type="list", formula1=spec[1], allow_blank=True)
                dv.error = _t("list_error", lang)
            elif kind == "number":
                integer, lo, hi, rule = spec[1:]
                lo_s = _fmt_number(lo) if lo is not None else "-1000000000"
                hi_s = _fmt_number(hi) if hi is not None else "1000000000"
                dv = DataValidation(
                    type="whole" if integer else "decimal",
                    operator="between",
                    formula1=lo_s,
                    formula2=hi_s,
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
            ws.add_data_validation(dv)
            per[spec] = dv
        dv.add(ref)

    def answer_cell(ws: Any, r: int) -> Any:
        c = ws[f"{_ANSWER_COLUMN}{r}"]
        c.fill = answer_fill
        c.border = box
        c.protection = unlocked
        c.alignment = wrap
        return c

    # -- instructions sheet --------------------------------------------------------------------------
    intro.append([neut(title)])
    intro["A1"].font = Font(bold=True, size=14)
    intro.append([])
    intro.append([_t("edition", lang), neut(f"{edition.edition} — {edition.title.get(lang)}")])
    intro.append([_t("instrument", lang), neut(f"{q.meta.id}, Version {q.meta.version}")])
    intro.append([])
    if q.meta.notes:
        intro.append(["", neut(q.meta.notes.get(lang))])
    intro.append(["", _t("fill", lang)])
    for step in _t("steps", lang).split("|"):
        intro.append(["", neut(step)])
    intro.append([])
    intro.append([SUBMITDATE, _t("date", lang)])
    r = intro.max_row
    intro[f"A{r}"].font = code_font
    date_cell = answer_cell(intro, r)
    date_cell.number_format = "DD.MM.YYYY"
    validate(intro, date_cell.coordinate, ("date",))
    cells.append((SUBMITDATE, intro.title, date_cell.coordinate))
    intro.column_dimensions["A"].width = 14
    intro.column_dimensions["B"].width = 70
    intro.column_dimensions["C"].width = 22
    for row in intro.iter_rows(min_row=2, max_col=2):
        for c in row:
            c.alignment = wrap

    # -- one sheet per section ---------------------------------------------------------------------------
    used = {intro.title.casefold(), lists_ws.title.casefold(), meta_ws.title.casefold()}
    heads = _t("heads", lang).split("|")
    for sec in q.sections:
        ws = wb.create_sheet(_sheet_title(sec, lang, used))
        ws.append([neut(f"{title} — {sec.id}: {sec.label.get(lang)}")])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([_t("fill", lang)])
        ws.append(heads)
        for c in ws[3]:
            c.font = Font(bold=True)
        for fr in _form_rows(sec, q, lang):
            ws.append([neut(fr.code or ""), neut(fr.label), None, neut(fr.hint)])
            r = ws.max_row
            ws[f"A{r}"].font = code_font
            ws[f"B{r}"].alignment = Alignment(wrap_text=True, vertical="top", indent=fr.indent)
            ws[f"D{r}"].alignment = wrap
            ws[f"D{r}"].font = Font(color="595959", size=9)
            if fr.heading:
                for col in "ABCD":
                    ws[f"{col}{r}"].fill = heading_fill
                ws[f"B{r}"].font = Font(bold=True)
                continue
            if fr.indent == 0:
                ws[f"B{r}"].font = Font(bold=True)
            cell = answer_cell(ws, r)
            ref = cell.coordinate
            if fr.choices is not None:
                validate(ws, ref, ("list", list_name(fr.choices)))
            elif fr.number is not None:
                integer, lo, hi = fr.number
                validate(ws, ref, ("number", integer, lo, hi, _number_rule(integer, lo, hi, lang)))
                cell.number_format = "0" if integer else "General"
            elif fr.maxlen:
                validate(ws, ref, ("text", fr.maxlen))
            if fr.height:
                ws.row_dimensions[r].height = fr.height
            cells.append((str(fr.code), ws.title, ref))
        ws.column_dimensions["A"].width = 24
        ws.column_dimensions["B"].width = 62
        ws.column_dimensions["C"].width = 36
        ws.column_dimensions["D"].width = 44
        ws.freeze_panes = "A4"

    # -- metadata (hidden) -----------------------------------------------------------------------------
    for key, value in (
        ("format", FORM_FORMAT),
        ("format_version", FORM_LAYOUT_VERSION),
        ("edition", edition.edition),
        ("questionnaire", q.meta.id),
        ("version", q.meta.version),
        ("sha256", q.sha256()),
        ("lang", lang),
    ):
        meta_ws.append([key, neut(value)])
    meta_ws.append([])
    meta_ws.append(["code", "sheet", "cell"])
    for code, sheet, ref in cells:
        meta_ws.append([neut(code), neut(sheet), ref])

    wb.move_sheet(lists_ws, offset=len(wb.sheetnames))
    wb.move_sheet(meta_ws, offset=len(wb.sheetnames))
    for ws in wb.worksheets:
        ws.protection.sheet = True
        ws.protection.formatCells = True  # may still not be changed; only the answer cells are unlocked
    lists_ws.sheet_state = "hidden"
    meta_ws.sheet_state = "hidden"
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.created = export.FIXED_TIME
    wb.properties.modified = export.FIXED_TIME
    wb.properties.creator = "vielfalt"
    wb.properties.title = title
    buf = io.BytesIO()
    wb.save(buf)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(export.normalise_zip(buf.getvalue()))
    return p


def _col_letter(n: int) -> str:
    """1 → A, 27 → AA."""
    return _letters(n - 1)


# --- the printable form (HTML, PDF) ----------------------------------------------------------------------
_CSS = """
@page { size: A4; margin: 15mm 14mm 16mm 14mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #111; margin: 0 auto;
       max-width: 190mm; }
h1 { font-size: 16pt; margin: 0 0 4pt 0; }
h2 { font-size: 13pt; border-bottom: 1.5pt solid #333; padding-bottom: 2pt; margin: 14pt 0 6pt 0; }
section + section { break-before: page; }
.meta, .note { color: #444; font-size: 9pt; margin: 2pt 0; }
.item { break-inside: avoid; margin: 0 0 9pt 0; }
.q { font-weight: bold; margin-bottom: 3pt; }
.code { color: #777; font-weight: normal; font-size: 8pt; margin-right: 4pt; }
.req { color: #a00; }
.help { font-size: 9pt; color: #444; margin: 0 0 3pt 0; }
ul.opts { list-style: none; margin: 0; padding: 0 0 0 8pt; columns: 2; column-gap: 16pt; }
ul.opts li { margin: 1pt 0; break-inside: avoid; }
.box { display: inline-block; width: 9pt; height: 9pt; border: 0.8pt solid #222; margin-right: 5pt;
       vertical-align: -1pt; }
.line { border-bottom: 0.7pt solid #555; height: 15pt; }
.num { display: inline-block; width: 28mm; height: 13pt; border: 0.8pt solid #222; vertical-align: middle; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: 2pt 4pt; vertical-align: middle; font-size: 9.5pt; }
table.num td:first-child { width: 62%; }
table.arr th { font-weight: normal; font-size: 8pt; text-align: center; }
table.arr td.c { text-align: center; }
table.arr tr:nth-child(even) { background: #f3f3f3; }
footer { margin-top: 14pt; font-size: 8pt; color: #666; border-top: 0.5pt solid #999; padding-top: 3pt; }
"""

_HTML_TEXT: dict[str, dict[str, str]] = {
    "intro": {
        "de": "Bitte in Druckschrift ausfüllen und Zutreffendes ankreuzen. * = Pflichtangabe. Die kleinen "
        "Codes (z. B. A05[total]) helfen dem Institut beim Übertragen.",
        "en": "Please fill in in block letters and tick what applies. * = required. The small codes (e.g. "
        "A05[total]) help the institute to key in the answers.",
    },
    "one": {"de": "Bitte eine Antwort ankreuzen.", "en": "Please tick one answer."},
    "several": {"de": "Mehrfachnennung möglich.", "en": "Several answers possible."},
    "footer": {
        "de": "Edition {edition} · Fragebogen {qid}, Version {version} · SHA-256 {sha}",
        "en": "Edition {edition} · questionnaire {qid}, version {version} · SHA-256 {sha}",
    },
    "date": {"de": "Datum", "en": "Date"},
}


def _h(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _form_html(q: Questionnaire, edition: Edition, lang: str) -> str:
    e = _h
    title = f"{_t('sheet_title', lang)} {edition.title.get(lang)}"
    parts = [
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{_CSS}</style></head><body>",
        f"<header><h1>{e(title)}</h1>",
        f'<p class="meta">{e(_t("edition", lang))}: {e(edition.edition)} · {e(_t("instrument", lang))}: '
        f"{e(q.meta.id)}, Version {e(q.meta.version)}</p>",
    ]
    if q.meta.notes:
        parts.append(f'<p class="note">{e(q.meta.notes.get(lang))}</p>')
    parts.append(f'<p class="note">{e(_HTML_TEXT["intro"][lang])}</p></header>')

    def lines(n: int) -> str:
        return '<div class="line"></div>' * n

    for sec in q.sections:
        parts.append(f"<section><h2>{e(sec.id)} {e(sec.label.get(lang))}</h2>")
        for it in sec.items:
            req = ' <span class="req">*</span>' if it.required else ""
            parts.append(
                f'<div class="item"><div class="q"><span class="code">{e(it.id)}</span>'
                f"{e(it.label.get(lang))}{req}</div>"
            )
            if it.help:
                parts.append(f'<p class="help">{e(it.help.get(lang))}</p>')
            if it.type == "text":
                n = 1 if not it.maxlen else max(1, min(12, math.ceil(it.maxlen / 110)))
                parts.append(lines(n))
            elif it.type in ("single", "multi", "yesno"):
                if it.type == "yesno":
                    opts = [(None, _t("yes", lang)), (None, _t("no", lang))]
                else:
                    opts = [(o.code, o.label.get(lang)) for o in q.options_of(it)]
                hint = _HTML_TEXT["several" if it.type == "multi" else "one"][lang]
                parts.append(f'<p class="help">{e(hint)}</p><ul class="opts">')
                for code, label in opts:
                    tag = f' <span class="code">{e(code)}</span>' if code else ""
                    parts.append(f'<li><span class="box"></span>{e(label)}{tag}</li>')
                if it.other:
                    parts.append(f'<li><span class="box"></span>{e(_t("other", lang))}: ______________</li>')
                parts.append("</ul>")
            elif it.type in ("numeric", "multinumeric"):
                subs = it.subs or [
                    Sub(
                        code="",
                        label=Label(de="", en=""),
                        integer=it.integer,
                        min=it.min,
                        max=it.max,
                        required=it.required,
                    )
                ]
                parts.append('<table class="num">')
                for s in subs:
                    code = f"{it.id}[{s.code}]" if s.code else it.id
                    star = ' <span class="req">*</span>' if s.required and it.subs else ""
                    parts.append(
                        f'<tr><td><span class="code">{e(code)}</span>{e(s.label.get(lang))}{star}</td>'
                        f'<td><span class="num"></span> <span class="code">'
                        f"{e(_number_rule(s.integer, s.min, s.max, lang))}</span></td></tr>"
                    )
                parts.append("</table>")
            elif it.type == "array":
                opts = q.options_of(it)
                parts.append(
                    '<table class="arr"><tr><th></th>'
                    + "".join(f"<th>{e(o.label.get(lang))}</th>" for o in opts)
                    + "</tr>"
                )
                for s in it.subs or []:
                    parts.append(
                        f'<tr><td><span class="code">{e(it.id)}[{e(s.code)}]</span>{e(s.label.get(lang))}'
                        "</td>" + '<td class="c"><span class="box"></span></td>' * len(opts) + "</tr>"
                    )
                parts.append("</table>")
            else:  # multitext
                parts.append("<table>")
                for s in it.subs or []:
                    parts.append(
                        f'<tr><td style="width:35%"><span class="code">{e(it.id)}[{e(s.code)}]</span>'
                        f"{e(s.label.get(lang))}</td><td>{lines(1)}</td></tr>"
                    )
                parts.append("</table>")
            parts.append("</div>")
        parts.append("</section>")
    sha = (q.sha256() or "")[:12]
    parts.append(f'<p class="q">{e(_HTML_TEXT["date"][lang])}: ____________________</p>')
    parts.append(
        "<footer>"
        + e(
            _HTML_TEXT["footer"][lang].format(
                edition=edition.edition, qid=q.meta.id, version=q.meta.version, sha=sha
            )
        )
        + "</footer>"
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_form_html(q: Questionnaire, path: str | Path, *, edition: Edition, lang: Lang = "de") -> Path:
    """Write the printable Teilnahmebogen as one self-contained HTML page (A4 print layout).

    Every text is HTML-escaped. Each section starts on a new printed page; options are boxes to tick,
    numbers boxes, free texts ruled lines in proportion to their length limit, and every answer shows its
    response code so the institute can key it in (or scan it) under the instrument's column names.

    Parameters
    ----------
    q : Questionnaire
    path : str or Path
    edition : Edition
    lang : {"de", "en"}, default "de"

    Returns
    -------
    Path
    """
    _check_lang("write_form_html", lang)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(_form_html(q, edition, lang), encoding="utf-8")
    return p


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


def find_browser() -> str | None:
    """The path of an installed Chromium/Chrome (Debian's ``chromium`` first), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def write_form_pdf(
    q: Questionnaire,
    path: str | Path,
    *,
    edition: Edition,
    lang: Lang = "de",
    browser: str | None = None,
    timeout: float = 120.0,
) -> Path:
    """Print the HTML form to PDF with a headless Chromium (Debian's ``chromium`` package).

    Nothing is downloaded: the browser must already be installed. The PDF's creation and modification
    dates are set to a fixed value (same length, so the file's cross-references stay valid).

    Parameters
    ----------
    q : Questionnaire
    path : str or Path
    edition : Edition
    lang : {"de", "en"}, default "de"
    browser : str, optional
        Path of the browser; default :func:`find_browser`.
    timeout : float, default 120
        Seconds to wait for the browser.

    Returns
    -------
    Path

    Raises
    ------
    ConfigError
        When no browser is installed or it fails (the message says to use ``--to html``).
    """
    _check_lang("write_form_pdf", lang)
    exe = browser or find_browser()
    if exe is None:
        raise ConfigError(_msg("no_browser", lang))
    p = Path(path).resolve()
    p.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vielfalt-pdf-") as tmp:
        page = write_form_html(q, Path(tmp) / "form.html", edition=edition, lang=lang)
        out = Path(tmp) / "form.pdf"
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--no-first-run",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ConfigError(_msg("pdf_failed", lang, error=err)) from err
        if not out.is_file() or not out.read_bytes().startswith(b"%PDF"):
            tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [
                f"exit {proc.returncode}"
            ]
            raise ConfigError(_msg("pdf_failed", lang, error=tail[0]))
        data = _PDF_DATE.sub(
            lambda m: b"/" + m.group(1) + b" (D:20000101000000" + m.group(3) + b")", out.read_bytes()
        )
    p.write_bytes(data)
    return p


# --- demo -----------------------------------------------------------------------------------------------
def write_demo_forms(root: str | Path, edition: str) -> dict[str, Path]:
    """Write the LimeSurvey structure file and the fillable workbook of an edition (for ``vielfalt demo``).

    Both go to ``runs/field/<edition>/`` below the project `root`: ``limesurvey_<ed>.txt`` and
    ``teilnahmebogen_<ed>.xlsx`` (and ``teilnahmebogen_<ed>.html``).

    Parameters
    ----------
    root : str or Path
        The project folder (with ``params/``).
    edition : str
        Edition id, e.g. ``"demo2010"``.

    Returns
    -------
    dict of str → Path
        ``{"limesurvey": …, "xlsx": …, "html": …}``.
    """
    from vielfalt.config.edition import edition_path, load_edition

    root = Path(root)
    ed, q = load_edition(edition_path(edition, params_dir=root / "params"), with_questionnaire=True)
    out = root / "runs" / "field" / ed.edition
    return {
        "limesurvey": write_limesurvey_structure(q, out / f"limesurvey_{ed.edition}.txt", edition=ed),
        "xlsx": write_form_xlsx(q, out / f"teilnahmebogen_{ed.edition}.xlsx", edition=ed),
        "html": write_form_html(q, out / f"teilnahmebogen_{ed.edition}.html", edition=ed),
    }


# --- command line helpers ------------------------------------------------------------------------------
def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(Path(path).resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return str(path)


def write_field_files(
    q: Questionnaire,
    edition: Edition,
    out_dir: str | Path,
    *,
    to: str,
    lang: Lang = "de",
    root: str | Path | None = None,
) -> tuple[dict[str, Path], list[str]]:
    """Write what ``vielfalt field ED --to …`` asks for and say what was written (German or English).

    Parameters
    ----------
    q : Questionnaire
    edition : Edition
    out_dir : str or Path
    to : {"limesurvey", "xlsx", "html", "pdf", "all"}
        ``all`` = LimeSurvey structure, workbook and HTML.
    lang : {"de", "en"}, default "de"
    root : str or Path, optional
        Paths in the lines are shown relative to it.

    Returns
    -------
    (dict of target → Path, list of str)
    """
    _check_lang("write_field_files", lang)
    targets = ["limesurvey", "xlsx", "html"] if to == "all" else [to]
    if any(t not in ("limesurvey", "xlsx", "html", "pdf") for t in targets):
        expected = "limesurvey, xlsx, html, pdf oder all"
        raise ConfigError(
            _msg("bad_param", lang, name="to", func="write_field_files", expected=expected, value=to)
        )
    out = Path(out_dir)
    base = Path(root) if root is not None else None
    de = lang == "de"
    ed = edition.edition
    paths: dict[str, Path] = {}
    lines: list[str] = []
    for target in targets:
        if target == "limesurvey":
            p = write_limesurvey_structure(q, out / f"limesurvey_{ed}.txt", edition=edition, lang=lang)
            counts = read_limesurvey_structure(p, lang=lang).row_counts
            rows = ", ".join(f"{k} {counts.get(k, 0)}" for k in ("S", "SL", "G", "Q", "SQ", "A"))
            lines.append(
                f"{'LimeSurvey-Struktur' if de else 'LimeSurvey structure'}: {_shown(p, base)} ({rows})"
            )
            lines.append(
                "  In LimeSurvey: Umfrage erstellen → Importieren; die Antwort-Exporte liest vielfalt ohne "
                "Zuordnung."
                if de
                else "  In LimeSurvey: create survey → import; vielfalt reads its response exports without a "
                "mapping."
            )
        elif target == "xlsx":
            p = write_form_xlsx(q, out / f"teilnahmebogen_{ed}.xlsx", edition=edition, lang=lang)
            lines.append(f"{'Ausfüllbarer Teilnahmebogen' if de else 'Fillable form'}: {_shown(p, base)}")
            lines.append(
                f"  Ausgefüllte Bögen in data/{ed}/ ablegen (Datei oder Ordner) und in der Editionsdatei mit "
                "dialect: form eintragen."
                if de
                else f"  Put filled forms into data/{ed}/ (a file or a folder) and list them in the "
                "edition file with dialect: form."
            )
        elif target == "html":
            p = write_form_html(q, out / f"teilnahmebogen_{ed}.html", edition=edition, lang=lang)
            lines.append(f"{'Druckfassung' if de else 'Printable form'} (HTML): {_shown(p, base)}")
        else:
            p = write_form_pdf(q, out / f"teilnahmebogen_{ed}.pdf", edition=edition, lang=lang)
            lines.append(f"{'Druckfassung' if de else 'Printable form'} (PDF): {_shown(p, base)}")
        paths[target] = p
    return paths, lines


def describe_skeleton(res: SkeletonResult, *, lang: Lang = "de", root: str | Path | None = None) -> list[str]:
    """The lines ``vielfalt field ED --from-limesurvey FILE`` prints: what was written and what was left "
    "out."""
    base = Path(root) if root is not None else None
    de = lang == "de"
    lines = [
        (
            f"Fragebogen-Gerüst: {_shown(res.questionnaire, base)} ({res.n_items} Fragen, {res.n_sections} "
            "Abschnitte)"
            if de
            else f"Questionnaire skeleton: {_shown(res.questionnaire, base)} ({res.n_items} items, "
            f"{res.n_sections} sections)"
        ),
        (
            f"Nicht übersetzt: {len(res.untranslated)} (Liste: {_shown(res.report, base)})"
            if de
            else f"Not translated: {len(res.untranslated)} (list: {_shown(res.report, base)})"
        ),
    ]
    lines += [f"  {u.code} [{u.kind}] {u.detail}: {u.reason}" for u in res.untranslated]
    lines.append(
        "Nächster Schritt: die Datei nach params/questionnaire/ kopieren, Bewertungsregeln und Punkte "
        "ergänzen."
        if de
        else "Next: copy the file to params/questionnaire/ and add scoring rules and points."
    )
    return lines
