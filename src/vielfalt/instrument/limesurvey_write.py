"""LimeSurvey's tab-separated survey-structure file, written from the instrument, and its code rules.

:func:`write_limesurvey_structure` writes LimeSurvey's survey-structure file (rows of class ``S``, ``SL``,
``G``, ``Q``, ``SQ``, ``A``; the 146 columns of LimeSurvey's own export, in its order) with German and
English texts and the instrument's own codes, so that a response export of that survey has the headings of
:meth:`vielfalt.config.questionnaire.Questionnaire.columns` (``X05[total]``, or ``X05_total`` with
Expression-Manager codes), which intake resolves without a mapping file.

:func:`check_limesurvey_codes` refuses an instrument whose codes LimeSurvey would change or merge (the rules
are in :mod:`vielfalt.instrument._codes`).
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from vielfalt._params import Options, validate_params
from vielfalt.config.edition import Edition
from vielfalt.config.questionnaire import Item, Label, Questionnaire
from vielfalt.exceptions import InstrumentError
from vielfalt.i18n import t
from vielfalt.instrument._codes import (
    CODE_LIMITS,
    LANGS,
    RESERVED_QUESTION,
    ROW_ANSWER,
    ROW_GROUP,
    ROW_LANGUAGE,
    ROW_QUESTION,
    ROW_SETTING,
    ROW_SUBQUESTION,
    SHORT_TEXT_MAX,
    STRUCTURE_COLUMNS,
    CodeKind,
    Lang,
    fmt_number,
    limesurvey_code,
)

__all__ = [
    "check_limesurvey_codes",
    "item_question_type",
    "structure_rows",
    "write_limesurvey_structure",
]

#: LimeSurvey's question type of each item type (text and single choice depend on the item, see below)
_QUESTION_TYPES = dict(
    zip(("multi", "yesno", "numeric", "multinumeric", "array", "multitext"), "MYNKFQ", strict=True)
)
_DROPDOWN_FROM = 11  # a single choice with this many options becomes a dropdown list (!) instead of radios

# LimeSurvey's survey settings (rows of class ``S``) in its ``name=value`` notation: those after the survey id
# and before the languages, then those after the languages. One page per group (``format``), as on paper; a
# real submit date (``datestamp``: intake keeps the latest of two submissions); participants may save and
# come back; no IP addresses, no referrer (data protection); no extra "no answer" option (an empty answer is
# the missing value); group names and descriptions (``showgroupinfo``) and question codes (``showqnumcode``)
# shown, so paper and web form can be compared.
_SETTINGS_BEFORE_LANGUAGES = "gsid=1 admin= adminemail= anonymized=N format=G savetimings=N"
_SETTINGS_AFTER_LANGUAGES = """
    datestamp=Y usecookie=N allowregister=N allowsave=Y allowprev=Y printanswers=Y ipaddr=N refurl=N
    publicstatistics=N publicgraphs=N listpublic=N htmlemail=Y sendconfirmation=Y tokenanswerspersistence=N
    assessments=N usecaptcha=N usetokens=N showxquestions=Y showgroupinfo=B shownoanswer=N showqnumcode=C
    showwelcome=Y showprogress=Y questionindex=1 navigationdelay=0 nokeyboard=N alloweditaftercompletion=N
"""


def _settings(text: str) -> list[tuple[str, str]]:
    """``"a=1 b="`` → ``[("a", "1"), ("b", "")]``."""
    return [(name, value) for name, _, value in (pair.partition("=") for pair in text.split())]


# --- code rules -------------------------------------------------------------------------------------------
def _scopes(q: Questionnaire) -> Iterable[tuple[str, CodeKind, list[str]]]:
    """(where, kind, codes) for every code scope LimeSurvey checks: all questions, then each item's parts."""
    yield "—", "question", [it.id for _, it in q.iter_items()]
    for _, it in q.iter_items():
        if it.type == "multi":
            yield it.id, "subquestion", [o.code for o in q.options_of(it)]
        elif it.subs:
            yield it.id, "subquestion", [s.code for s in it.subs]
        if it.type in ("single", "array"):
            yield it.id, "answer", [o.code for o in q.options_of(it)]


def _code_problems(where: str, kind: CodeKind, codes: list[str], lang: str) -> list[str]:
    """The problems of one scope's codes: changed by the importer, reserved, or merged with another."""
    rule = t(f"instrument.rule_{kind}", lang)
    problems: list[str] = []
    seen: dict[str, str] = {}
    for code in codes:
        new = limesurvey_code(code, kind=kind)
        too_long = len(new) > CODE_LIMITS[kind]
        item = code if kind == "question" else where
        if new != code or too_long:
            shown_new = new[: CODE_LIMITS[kind]] if too_long else new
            problems.append(
                t("instrument.code_changed", lang, item=item, code=code, rule=rule, new=shown_new)
            )
        if (kind == "question" and code in RESERVED_QUESTION) or (
            kind == "subquestion" and code.casefold() == "time"
        ):
            problems.append(t("instrument.code_reserved", lang, item=item, code=code, rule=rule))
        key = new if kind == "question" else new.casefold()
        if key in seen and seen[key] != code:
            problems.append(
                t(
                    "instrument.code_collision",
                    lang,
                    item=where,
                    first=seen[key],
                    second=code,
                    norm=new,
                    rule=rule,
                )
            )
        seen.setdefault(key, code)
    return problems


def _label_problems(q: Questionnaire, lang: str) -> list[str]:
    """Two answers of one question with the same text (in either language)."""
    problems: list[str] = []
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
                        t(
                            "instrument.label_collision",
                            lang,
                            item=it.id,
                            first=texts[key],
                            second=o.code,
                            label=label,
                            language=language,
                        )
                    )
                texts.setdefault(key, o.code)
    return problems


@validate_params({"lang": [Options(LANGS)]})
def check_limesurvey_codes(q: Questionnaire, *, lang: Lang = "de") -> None:
    """Refuse an instrument whose codes LimeSurvey would change, merge or reject.

    Checks every question, subquestion (multiple-choice option, sub-question) and answer code against
    LimeSurvey's rules (:mod:`vielfalt.instrument._codes`), and every pair of answer texts of one question (a
    LimeSurvey export with full answer texts and the fillable form identify answers by their text).

    Parameters
    ----------
    q : Questionnaire
        The instrument.
    lang : {"de", "en"}, default "de"
        Language of the message.

    Raises
    ------
    InstrumentError
        Listing every problem, each naming the item, both codes of a collision and the fix.
    """
    problems = [p for where, kind, codes in _scopes(q) for p in _code_problems(where, kind, codes, lang)]
    problems += _label_problems(q, lang)
    if problems:
        listed = "\n".join(f"- {p}" for p in problems)
        raise InstrumentError(t("instrument.codes_refused", lang, qid=q.meta.id, problems=listed))


# --- writing the structure --------------------------------------------------------------------------------
def item_question_type(item: Item, q: Questionnaire) -> str:
    """Return the LimeSurvey question-type letter for an instrument item.

    ``text`` → ``S`` (short free text, ``maxlen`` ≤ 255) or ``T`` (long free text); ``single`` → ``L`` (radio
    list; ``!`` dropdown from 11 options); ``multi`` → ``M``; ``yesno`` → ``Y``; ``numeric`` → ``N``;
    ``multinumeric`` → ``K``; ``array`` → ``F``; ``multitext`` → ``Q``.

    Parameters
    ----------
    item : Item
        One item of `q`.
    q : Questionnaire
        The instrument (for the item's options).

    Returns
    -------
    str
        One of LimeSurvey's type letters.

    Examples
    --------
    >>> from vielfalt.config.questionnaire import Item, Label, Meta, Questionnaire, Section
    >>> items = [
    ...     Item(id="Q1", type="text", label=Label(de="Name"), maxlen=200),
    ...     Item(id="Q9", type="numeric", label=Label(de="Anzahl")),
    ... ]
    >>> q = Questionnaire(
    ...     meta=Meta(id="x", version="1", title=Label(de="x")),
    ...     weights={"default": {}},
    ...     sections=[Section(id="S1", label=Label(de="Profil"), items=items)],
    ... )
    >>> [item_question_type(it, q) for _, it in q.iter_items()]
    ['S', 'N']
    """
    if item.type == "text":
        return "S" if item.maxlen is not None and item.maxlen <= SHORT_TEXT_MAX else "T"
    if item.type == "single":
        return "!" if len(q.options_of(item)) >= _DROPDOWN_FROM else "L"
    return _QUESTION_TYPES[item.type]


def _html_text(text: str) -> str:
    """A plain label as LimeSurvey's question/answer HTML (``&``, ``<``, ``>`` escaped)."""
    return html.escape(text, quote=False)


def _numeric_rules(item: Item) -> tuple[dict[str, str], dict[str, str]]:
    """Attributes of a K/N question: common bounds, integer flag, and an EM check for per-sub rules.

    LimeSurvey has one min/max per question; per-subquestion minimums and required subquestions (e.g. a
    ``total`` that is required and at least 1 beside parts that are at least 0) go into ``em_validation_q``
    with a tip per language, in the one small grammar
    :func:`vielfalt.instrument.skeleton.questionnaire_skeleton` reads back.
    """
    subs = item.subs or []
    attrs: dict[str, str] = {}
    if not subs:
        if item.min is not None:
            attrs["min_num_value_n"] = fmt_number(item.min)
        if item.max is not None:
            attrs["max_num_value_n"] = fmt_number(item.max)
        if item.integer:
            attrs["num_value_int_only"] = "1"
        return attrs, {}
    mins = [s.min for s in subs]
    maxs = [s.max for s in subs]
    common_min = min(m for m in mins if m is not None) if all(m is not None for m in mins) else None
    common_max = max(m for m in maxs if m is not None) if all(m is not None for m in maxs) else None
    if common_min is not None:
        attrs["min_num_value_n"] = fmt_number(common_min)
    if common_max is not None:
        attrs["max_num_value_n"] = fmt_number(common_max)
    if all(s.integer for s in subs):
        attrs["num_value_int_only"] = "1"
    parts: list[str] = []
    tips: dict[str, list[str]] = {"de": [], "en": []}

    def tip(key: str, s_label: Label, **values: str) -> None:
        for language, texts in tips.items():
            texts.append(t(f"instrument.{key}", language, label=s_label.get(language), **values))

    for s in subs:
        var = f"{item.id}_{s.code}"
        if s.required and not all(x.required for x in subs):
            parts.append(f"!is_empty({var})")
            tip("tip_required", s.label)
        if s.min is not None and (common_min is None or s.min > common_min):
            parts.append(f"(is_empty({var}) or {var} >= {fmt_number(s.min)})")
            tip("tip_min", s.label, n=fmt_number(s.min))
        if s.max is not None and (common_max is None or s.max < common_max):
            parts.append(f"(is_empty({var}) or {var} <= {fmt_number(s.max)})")
            tip("tip_max", s.label, n=fmt_number(s.max))
    if not parts:
        return attrs, {}
    attrs["em_validation_q"] = " and ".join(parts)
    return attrs, {language: " ".join(texts) for language, texts in tips.items()}


def _survey_id(q: Questionnaire, edition: str | None) -> str:
    """A stable six-digit survey id (LimeSurvey picks another one when it is taken)."""
    digest = hashlib.sha256(f"{q.meta.id}\x1f{q.meta.version}\x1f{edition or ''}".encode()).hexdigest()
    return str(100000 + int(digest[:12], 16) % 900000)


def _check_text(item_id: str, text: str, lang: str) -> str:
    # TSVImportSurvey strips the quotes of a value that, once parsed, still starts and ends with one, and
    # PHP's fgetcsv reads \" inside a quoted field as an escape: refuse both instead of losing characters
    why = None
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        why = t("instrument.quote_whole", lang)
    elif '\\"' in text:
        why = t("instrument.quote_escape", lang)
    if why is not None:
        raise InstrumentError(t("instrument.text_quote", lang, item=item_id, text=text, why=why))
    return text


def _setting_rows(q: Questionnaire, sid: str, title: Label, langs: list[str]) -> list[dict[str, str]]:
    """The survey settings (``S``) and the language settings (``SL``) of each language."""
    settings = [
        ("sid", sid),
        *_settings(_SETTINGS_BEFORE_LANGUAGES),
        ("language", langs[0]),
        ("additional_languages", " ".join(langs[1:])),
        *_settings(_SETTINGS_AFTER_LANGUAGES),
    ]
    rows = [{"class": ROW_SETTING, "name": name, "text": value} for name, value in settings]
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
            rows.append({"class": ROW_LANGUAGE, "name": name, "text": value, "language": language})
    return rows


def _parts(it: Item, q: Questionnaire) -> list[tuple[str, Label]]:
    """The subquestions of an item: a multiple choice's options, else its sub-questions."""
    if it.type == "multi":
        return [(o.code, o.label) for o in q.options_of(it)]
    return [(s.code, s.label) for s in it.subs or []]


@validate_params({"lang": [Options(LANGS)]})
def structure_rows(
    q: Questionnaire,
    *,
    title: Label | None = None,
    edition: str | None = None,
    languages: Sequence[str] = ("de", "en"),
    lang: Lang = "de",
) -> list[dict[str, str]]:
    """Return the rows of LimeSurvey's survey-structure file for an instrument, as dicts over the columns.

    Layout as in LimeSurvey's own export: survey settings (``S``), then the language settings (``SL``) of
    each language, then for each language the groups (``G``, one per section) each followed by its
    questions (``Q``, one per item) with their subquestions (``SQ``) and answer options (``A``). Groups,
    questions and subquestions carry the same ids in every language, which is how the importer joins the
    translations. Non-translated question attributes are written on the base-language rows only.

    Parameters
    ----------
    q : Questionnaire
        The instrument.
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
        One dict per row, keyed by column name (absent columns are empty).

    Raises
    ------
    InstrumentError
        When a code breaks LimeSurvey's rules (:func:`check_limesurvey_codes`) or a text would be altered.
    """
    check_limesurvey_codes(q, lang=lang)
    langs = list(languages)
    sid = _survey_id(q, edition)
    rows = _setting_rows(q, sid, title or q.meta.title, langs)

    # ids: groups 1…, questions and subquestions share one sequence (both are rows of LimeSurvey's questions)
    items = [it for _, it in q.iter_items()]
    qid = {it.id: n for n, it in enumerate(items, start=1)}
    sq_codes = [(it.id, code) for it in items for code, _ in _parts(it, q)]
    sqid = {key: n for n, key in enumerate(sq_codes, start=len(items) + 1)}

    for language in langs:
        for gseq, sec in enumerate(q.sections, start=1):
            # type/scale numbers the groups from 1: the importer reads an empty() value as "no number", and
            # PHP's empty("0") is true
            rows.append(
                {
                    "id": str(gseq),
                    "class": ROW_GROUP,
                    "type/scale": str(gseq),
                    "name": sec.label.get(language),
                    "language": language,
                }
            )
            for it in sec.items:
                rows.extend(_question_rows(it, q, language, language == langs[0], qid[it.id], sqid, lang))
    return rows


def _question_row(
    it: Item, q: Questionnaire, language: str, is_base: bool, qid: int, lang: str
) -> dict[str, str]:
    """The ``Q`` row of an item: type, code, texts, flags and (on the base language) its attributes."""
    attrs: dict[str, str] = {}
    tips: dict[str, str] = {}
    validation = ""
    if it.type == "text":
        if it.maxlen:
            attrs["maximum_chars"] = str(it.maxlen)
        if it.pattern:
            validation = "/" + it.pattern.replace("/", "\\/") + "/"
    elif it.type in ("numeric", "multinumeric"):
        attrs, tips = _numeric_rules(it)
    elif it.type == "multi":
        exclusive = [o.code for o in q.options_of(it) if o.exclusive]
        if exclusive:
            attrs["exclude_all_others"] = ";".join(exclusive)
    mandatory = it.required
    if it.subs and it.type in ("multinumeric", "multitext", "array"):
        # LimeSurvey's mandatory means every subquestion; a partly required item is checked by em_validation_q
        mandatory = all(s.required for s in it.subs)
    row: dict[str, str] = {
        "id": str(qid),
        "class": ROW_QUESTION,
        "type/scale": item_question_type(it, q),
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
        row.update(attrs)
    if tips:
        row["em_validation_q_tip"] = tips.get(language, tips["de"])
    return row


def _question_rows(
    it: Item,
    q: Questionnaire,
    language: str,
    is_base: bool,
    qid: int,
    sqid: Mapping[tuple[str, str], int],
    lang: str,
) -> list[dict[str, str]]:
    """The rows of one item in one language: its ``Q`` row, its ``SQ`` rows and its ``A`` rows."""
    out = [_question_row(it, q, language, is_base, qid, lang)]
    for code, label in _parts(it, q):
        out.append(
            {
                "id": str(sqid[(it.id, code)]),
                "class": ROW_SUBQUESTION,
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
                    "class": ROW_ANSWER,
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


@validate_params({"lang": [Options(LANGS)]})
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
        The instrument.
    path : str or Path
        The file to write.
    edition : Edition, optional
        Its title becomes the survey title; its id is part of the stable survey id.
    languages : sequence of str, default ("de", "en")
        Base language first.
    lang : {"de", "en"}, default "de"
        Language of error messages.

    Returns
    -------
    Path
        The file written.

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
            msg = f"unknown columns of the structure file: {sorted(unknown)}"
            raise AssertionError(msg)
        lines.append("\t".join(_tsv_field(r.get(c, "")) for c in STRUCTURE_COLUMNS))
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return p
