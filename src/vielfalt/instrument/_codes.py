"""LimeSurvey's vocabulary and code rules, shared by the writer, the reader, the skeleton and the forms.

LimeSurvey's code rules (read from its source, ``application/models/Question.php`` and
``application/helpers/admin/import_helper.php``): question codes start with a letter, are alphanumeric and
at most 20 characters long, unique in the survey and not one of the Expression Manager's reserved words;
subquestion codes are alphanumeric, at most 20 characters, unique within their question *ignoring case*, not
``time`` and not ``other`` when the question has an "other" option; answer codes are stored in a
``varchar(5)`` column (unique per question and scale under a case-insensitive collation). The importer
repairs an invalid code by deleting every non-alphanumeric character and prefixing ``q``/``sq`` to a leading
digit (:func:`limesurvey_code`).
"""

from __future__ import annotations

import re
from typing import Literal

from vielfalt._params import Options, validate_params
from vielfalt.i18n import t

__all__ = [
    "LANGS",
    "LIMESURVEY_TYPES",
    "STRUCTURE_COLUMNS",
    "CodeKind",
    "Lang",
    "fmt_number",
    "letters",
    "limesurvey_code",
    "number_rule",
]

Lang = Literal["de", "en"]
CodeKind = Literal["question", "subquestion", "answer"]

#: The languages of messages, labels and forms.
LANGS = frozenset({"de", "en"})

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
FIXED_COLUMNS = frozenset(STRUCTURE_COLUMNS[:14])

#: LimeSurvey question-type letters (``Question::QT_*``) with a German and an English description
#: (catalogue ``instrument.type_<letter>``).
LIMESURVEY_TYPES: dict[str, tuple[str, str]] = {
    letter: (t(f"instrument.type_{letter}", "de"), t(f"instrument.type_{letter}", "en"))
    for letter in "15ABCDEFGHIKLMNOPQRSTUXY!|*:;"
}

#: question attributes that are translated texts (one per language row); all others go on the base rows only
I18N_ATTRIBUTES = frozenset(
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

# Expression Manager words a question code may not be (Question::rules, 'ExpressionManager reserved word')
RESERVED_QUESTION = frozenset(
    {"LANG", "SID", "SAVEDID", "TOKEN", "QID", "GID", "SGQ", "self", "that", "this"}
)
CODE_LIMITS: dict[str, int] = {"question": 20, "subquestion": 20, "answer": 5}

SHORT_TEXT_MAX = 255  # LimeSurvey's "short free text" (S) up to this length, "long free text" (T) above

#: LimeSurvey's row classes in a structure file: survey settings, language settings, groups, questions,
#: subquestions, answers (letters are spelt out as strings of several, so no questionnaire-like code stands
#: alone in quotes)
_ROW_CLASS_NAMES = "S SL G Q SQ A"
ROW_SETTING, ROW_LANGUAGE, ROW_GROUP, ROW_QUESTION, ROW_SUBQUESTION, ROW_ANSWER = _ROW_CLASS_NAMES.split()
ROW_CLASSES = (ROW_SETTING, ROW_LANGUAGE, ROW_GROUP, ROW_QUESTION, ROW_SUBQUESTION, ROW_ANSWER)

#: the item type of each LimeSurvey question type the instrument can express
ITEM_KINDS: dict[str, str] = {
    **dict.fromkeys("L!5G", "single"),  # radio list, dropdown, five-point choice, gender
    "M": "multi",
    "Y": "yesno",
    "N": "numeric",
    "K": "multinumeric",
    **dict.fromkeys("STU", "text"),  # short, long, huge free text
    "Q": "multitext",
    **dict.fromkeys("FABCE", "array"),  # array; its 5-point, 10-point, yes/uncertain/no, more/same/less forms
}
_ONE_TO_FIVE: list[tuple[str, str | None]] = [(str(i), None) for i in range(1, 6)]
#: fixed answer scales of LimeSurvey's built-in choice and array types (five-point choice, 5-point,
#: 10-point, yes/uncertain/no and more/same/less arrays, gender): (code as LimeSurvey stores it, catalogue
#: key of its label or None for the code itself)
FIXED_SCALES: dict[str, list[tuple[str, str | None]]] = dict(
    zip(
        "5ABCEG",
        (
            _ONE_TO_FIVE,
            _ONE_TO_FIVE,
            [(str(i), None) for i in range(1, 11)],
            list(zip("YUN", ("fixed_yes", "fixed_uncertain", "fixed_no"), strict=True)),
            list(zip("ISD", ("fixed_increase", "fixed_same", "fixed_decrease"), strict=True)),
            list(zip("FM", ("fixed_female", "fixed_male"), strict=True)),
        ),
        strict=True,
    )
)
# attributes that only change how LimeSurvey shows a question; listed in the report as display settings
DISPLAY_ATTRIBUTES = frozenset(
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


@validate_params({"kind": [Options(CODE_LIMITS)]})
def limesurvey_code(code: str, *, kind: CodeKind) -> str:
    """Return what LimeSurvey makes of a code when a survey is imported.

    A valid code stays as it is. An invalid question or subquestion code loses every character that is not
    a letter or digit (the importer's repair in ``import_helper.php``), and a leading digit gets the prefix
    ``q`` (questions; subquestions only when they had to be repaired: ``sq``). Answer codes are cut to the
    five characters of LimeSurvey's ``answers.code`` column.

    Parameters
    ----------
    code : str
        The code as the instrument or the structure file has it.
    kind : {"question", "subquestion", "answer"}
        Which of LimeSurvey's code rules applies.

    Returns
    -------
    str
        The code LimeSurvey stores.

    Examples
    --------
    >>> limesurvey_code("Q7", kind="question"), limesurvey_code("1a_b", kind="question")
    ('Q7', 'q1ab')
    >>> limesurvey_code("ABCDE2", kind="answer")
    'ABCDE'
    """
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
    return re.sub(r"[^A-Za-z0-9]", "", code)[: CODE_LIMITS["answer"]]


def fmt_number(x: float) -> str:
    """Return a bound as a person writes it: ``1`` for 1.0, ``2.5`` for 2.5.

    Examples
    --------
    >>> fmt_number(1.0), fmt_number(2.5)
    ('1', '2.5')
    """
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def letters(n: int) -> str:
    """Return the spreadsheet-style name of the ``n``-th position, counted from 0.

    Examples
    --------
    >>> " ".join(letters(n) for n in (0, 25, 26, 701, 702))
    'A Z AA ZZ AAA'
    """
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def number_rule(integer: bool, lo: float | None, hi: float | None, lang: str) -> str:
    """Return the rule of a number field as the forms show it (``"ganze Zahl ≥ 0"``).

    Examples
    --------
    >>> number_rule(True, 0, None, "de"), number_rule(False, 1, 5, "en")
    ('ganze Zahl ≥ 0', 'number 1–5')
    """
    word = t("instrument.form_whole" if integer else "instrument.form_number", lang)
    if lo is not None and hi is not None:
        return f"{word} {fmt_number(lo)}–{fmt_number(hi)}"
    if lo is not None:
        return f"{word} ≥ {fmt_number(lo)}"
    if hi is not None:
        return f"{word} ≤ {fmt_number(hi)}"
    return word
