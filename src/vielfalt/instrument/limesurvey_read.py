"""Reading a LimeSurvey survey-structure file (``.txt``) back, as LimeSurvey's importer reads it.

:func:`read_limesurvey_structure` parses the tab-separated structure export the way LimeSurvey's importer
(``TSVImportSurvey``) does, into a :class:`SurveyStructure` of groups, questions, subquestions and answers
with their texts per language; :func:`response_columns` lists the columns a response export of that survey
has.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from vielfalt._params import Options, validate_params
from vielfalt.exceptions import DataError
from vielfalt.i18n import t
from vielfalt.instrument._codes import (
    FIXED_COLUMNS,
    I18N_ATTRIBUTES,
    LANGS,
    ROW_ANSWER,
    ROW_GROUP,
    ROW_LANGUAGE,
    ROW_QUESTION,
    ROW_SETTING,
    ROW_SUBQUESTION,
    Lang,
)

__all__ = [
    "LSAnswer",
    "LSGroup",
    "LSQuestion",
    "LSSubquestion",
    "SurveyStructure",
    "number_value",
    "plain_text",
    "question_columns",
    "read_limesurvey_structure",
    "response_columns",
]

_MAX_STRUCTURE_BYTES = 50_000_000
_NEEDED = ("class", "type/scale", "name", "text", "language")
_TAG = re.compile(r"<[^>]+>")
# question types with one response column per subquestion: multiple numbers, multiple texts, the arrays
_ONE_COLUMN_PER_PART = frozenset("KQABCEFH")


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
        """Return one question by code (KeyError when absent)."""
        for qq in self.questions:
            if qq.code == code:
                return qq
        raise KeyError(code)


def _read_bytes(p: Path, shown: str, lang: str) -> bytes:
    """The file's bytes; DataError when it is missing, unreadable or far too large for a structure."""
    try:
        size = p.stat().st_size
        if size > _MAX_STRUCTURE_BYTES:
            error = t("instrument.structure_too_large", lang, size=size)
            raise DataError(t("instrument.structure_unreadable", lang, path=shown, error=error), path=shown)
        return p.read_bytes()
    except DataError:
        raise
    except FileNotFoundError as err:
        raise DataError(t("instrument.structure_not_found", lang, path=shown), path=shown) from err
    except OSError as err:
        raise DataError(
            t("instrument.structure_unreadable", lang, path=shown, error=err), path=shown
        ) from err


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
            msg = t("instrument.structure_unreadable", lang, path=shown, error=err)
            raise DataError(msg, path=shown) from err


def _records(text: str, shown: str, lang: str) -> tuple[list[str], list[list[str]]]:
    """The header (trimmed, BOM and junk before ``class`` removed) and the records of the file."""
    text = re.sub(r"\r\n|\r|\n", "\n", text.replace("\u00c2\u00a0", " "))
    try:
        records = list(csv.reader(io.StringIO(text), delimiter="\t", quotechar='"'))
    except csv.Error as err:
        raise DataError(
            t("instrument.structure_unreadable", lang, path=shown, error=err), path=shown
        ) from err
    header = [h.strip() for h in records[0]] if records else []
    if header:
        header[0] = re.sub(r"^\W+", "", header[0])
        if header[0].endswith("class"):
            header[0] = "class"
    if not records or any(c not in header for c in _NEEDED):
        msg = t("instrument.not_structure", lang, path=shown, columns=", ".join(_NEEDED))
        raise DataError(msg, path=shown)
    return header, records[1:]


def _value(rec: list[str], i: int) -> str:
    """Field ``i`` of a record; a value still wholly in quotes loses them (the importer's fix for Excel)."""
    v = rec[i] if i < len(rec) else ""
    if len(v) >= 2 and v.startswith('"') and v.endswith('"'):
        v = v[1:-1].replace('""', '"')
    return v


class _Assembler:
    """Joins the ``G``/``Q``/``SQ``/``A`` rows of every language into groups and questions.

    Groups are joined by their ``type/scale`` number (or their order within a language), questions by group
    and code, subquestions by question, scale and code — the importer's own keys.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.groups: dict[str, LSGroup] = {}
        self.order: list[str] = []
        self.questions: dict[tuple[str, str], LSQuestion] = {}
        self.other_rows: list[dict[str, str]] = []
        self.group: LSGroup | None = None
        self.question: LSQuestion | None = None
        self.last_lang = ""
        self.counter = 0

    def add(self, lineno: int, r: dict[str, str]) -> None:
        """Take one row (any class but ``S``/``SL``, which the caller keeps)."""
        cls = r.get("class", "")
        language = r.get("language") or self.base
        if cls == ROW_GROUP:
            self._group(r, language)
        elif cls == ROW_QUESTION:
            self._question(lineno, r, language)
        elif cls in (ROW_SUBQUESTION, ROW_ANSWER):
            self._part(lineno, r, cls, language)
        elif cls not in (ROW_SETTING, ROW_LANGUAGE):
            self.other_rows.append(dict(r, line=str(lineno)))

    def _group(self, r: dict[str, str], language: str) -> None:
        if language != self.last_lang:
            self.counter = 0
        self.last_lang = language
        key = r.get("type/scale") or f"G{self.counter}"
        if not r.get("type/scale") or r.get("type/scale") == "0":
            key = f"G{self.counter}"
            self.counter += 1
        if key not in self.groups:
            gid = r.get("id", "") or str(len(self.groups) + 1)
            self.groups[key] = LSGroup(key=key, gid=gid, relevance=r.get("relevance", ""))
            self.order.append(key)
        self.group = self.groups[key]
        self.group.names[language] = r.get("name", "")
        self.group.descriptions[language] = r.get("text", "")
        self.question = None

    def _question(self, lineno: int, r: dict[str, str], language: str) -> None:
        if self.group is None:
            self.group = LSGroup(key="G0", gid="0")
            self.groups["G0"] = self.group
            self.order.append("G0")
        code = r.get("name", "")
        qkey = (self.group.key, code)
        if qkey not in self.questions:
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
            self.questions[qkey] = qq
            self.group.questions.append(qq)
        current = self.question = self.questions[qkey]
        current.texts[language] = r.get("text", "")
        current.helps[language] = r.get("help", "")
        for k, v in r.items():
            if k in FIXED_COLUMNS or v == "":
                continue
            if k in I18N_ATTRIBUTES:
                current.i18n.setdefault(k, {})[language] = v
            else:
                current.attributes.setdefault(k, v)

    def _part(self, lineno: int, r: dict[str, str], cls: str, language: str) -> None:
        current = self.question
        if current is None:
            self.other_rows.append(dict(r, line=str(lineno)))
            return
        code = r.get("name", "")
        scale = r.get("type/scale", "") or "0"
        if cls == ROW_SUBQUESTION:
            if code == "other" and current.other == "Y":
                return  # a row naming the "other" field, not a subquestion (importer: same rule)
            sq = next((s for s in current.subquestions if s.code == code and s.scale == scale), None)
            if sq is None:
                sq = LSSubquestion(code=code, scale=scale, relevance=r.get("relevance", ""))
                current.subquestions.append(sq)
            sq.texts[language] = r.get("text", "")
        else:
            a = next((x for x in current.answers if x.code == code and x.scale == scale), None)
            if a is None:
                a = LSAnswer(code=code, scale=scale)
                current.answers.append(a)
            a.texts[language] = r.get("text", "")


@validate_params({"lang": [Options(LANGS)]})
def read_limesurvey_structure(path: str | Path, *, lang: Lang = "de") -> SurveyStructure:
    """Parse a LimeSurvey survey-structure file as LimeSurvey's importer (``TSVImportSurvey``) reads it.

    Tab-separated with ``"`` quotes, header cells trimmed and a BOM removed, line breaks of any style; a
    value that still starts and ends with ``"`` after parsing loses them (the importer's fix for Excel).
    Groups are joined across languages by their ``type/scale`` number (or their order within a language),
    questions by group and code, subquestions by question, scale and code — the importer's own keys.

    Parameters
    ----------
    path : str or Path
        The structure file.
    lang : {"de", "en"}, default "de"
        Language of error messages.

    Returns
    -------
    SurveyStructure
        Groups, questions, settings, the rows it did not read and the number of rows per class.

    Raises
    ------
    DataError
        When the file is missing, unreadable, not a structure file or has no questions.
    """
    shown = str(path)
    text = _decode_structure(_read_bytes(Path(path), shown, lang), shown, lang)
    header, records = _records(text, shown, lang)
    settings: dict[str, str] = {}
    lsettings: dict[str, dict[str, str]] = {}
    rows: list[tuple[int, dict[str, str]]] = []
    counts: dict[str, int] = {}
    for lineno, rec in enumerate(records, start=2):
        if not any(x.strip() for x in rec):
            continue
        r = {h: _value(rec, i) for i, h in enumerate(header) if h}
        cls = r.get("class", "").strip()
        counts[cls] = counts.get(cls, 0) + 1
        if cls == ROW_SETTING:
            settings[r.get("name", "")] = r.get("text", "")
        elif cls == ROW_LANGUAGE:
            lsettings.setdefault(r.get("language", ""), {})[r.get("name", "")] = r.get("text", "")
        rows.append((lineno, r))
    base = settings.get("language") or next(
        (r.get("language", "") for _, r in rows if r.get("class") == ROW_QUESTION and r.get("language")), "en"
    )
    languages = [base] + [x for x in settings.get("additional_languages", "").split() if x and x != base]
    parts = _Assembler(base)
    for lineno, r in rows:
        parts.add(lineno, r)
    structure = SurveyStructure(
        path=shown,
        settings=settings,
        language_settings=lsettings,
        languages=languages,
        groups=[parts.groups[k] for k in parts.order],
        other_rows=parts.other_rows,
        row_counts=counts,
    )
    if not structure.questions:
        raise DataError(t("instrument.structure_empty", lang, path=shown), path=shown)
    return structure


def response_columns(structure: SurveyStructure) -> list[str]:
    """Return the columns of a response export of `structure` in LimeSurvey's code form (``Q``, ``Q[SQ]``).

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
        cols += question_columns(qq)
    return cols


def question_columns(qq: LSQuestion) -> list[str]:
    """Return the response columns of one question (see :func:`response_columns`).

    Parameters
    ----------
    qq : LSQuestion
        One question of a structure.

    Returns
    -------
    list of str
        Its columns in LimeSurvey's code form.
    """
    typ, c = qq.type, qq.code
    sq0 = [s.code for s in qq.subquestions if s.scale in ("", "0")]
    sq1 = [s.code for s in qq.subquestions if s.scale == "1"]
    if typ == "X":
        return []
    if typ == "M":
        return [f"{c}[{s}]" for s in sq0] + ([f"{c}[other]"] if qq.other == "Y" else [])
    if typ == "P":
        cols = [x for s in sq0 for x in (f"{c}[{s}]", f"{c}[{s}comment]")]
        return cols + ([f"{c}[other]", f"{c}[othercomment]"] if qq.other == "Y" else [])
    if typ in _ONE_COLUMN_PER_PART:
        return [f"{c}[{s}]" for s in sq0]
    if typ in (":", ";"):
        return [f"{c}[{y}_{x}]" for y in sq0 for x in sq1]
    if typ == "1":
        return [x for s in sq0 for x in (f"{c}[{s}][1]", f"{c}[{s}][2]")]
    if typ == "R":
        return [f"{c}[{i}]" for i in range(1, len(qq.answers) + 1)]
    if typ == "O":
        return [c, f"{c}[comment]"]
    if typ == "|":
        return [c, f"{c}[filecount]"]
    if typ in ("L", "!") and qq.other == "Y":
        return [c, f"{c}[other]"]
    return [c]


def plain_text(text: str) -> str:
    """Return LimeSurvey HTML as a plain label: tags removed, entities decoded, spaces collapsed.

    Examples
    --------
    >>> plain_text("<p>Anzahl der<br/>Standorte &amp; Filialen</p>")
    'Anzahl der Standorte & Filialen'
    """
    s = re.sub(r"<br\s*/?>|</p>", " ", text or "", flags=re.IGNORECASE)
    s = html.unescape(_TAG.sub("", s))
    return re.sub(r"\s+", " ", s).strip()


def number_value(text: str) -> float | int | None:
    """Return a number attribute (``"5"``, ``"2,5"``) as an int or float; None when it is not a finite number.

    Examples
    --------
    >>> number_value("5"), number_value("2,5"), number_value("inf"), number_value("viele")
    (5, 2.5, None, None)
    """
    try:
        x = float(text.replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(x):
        return None
    return int(x) if x.is_integer() else x
