"""A LimeSurvey survey structure a city already has → a questionnaire YAML skeleton and what it left out.

:func:`questionnaire_skeleton` translates a parsed structure (:mod:`vielfalt.instrument.limesurvey_read`)
into the questionnaire's plain data — items, types, options, labels, ``scoring: {kind: none}`` — and lists
everything it could not carry over; :func:`write_questionnaire_skeleton` writes it as YAML (with a commented
``roles:`` block to fill in) next to a report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vielfalt._params import Options, validate_params
from vielfalt.config.questionnaire import Roles, load_questionnaire
from vielfalt.exceptions import DataError, InstrumentError
from vielfalt.i18n import t
from vielfalt.instrument._codes import (
    DISPLAY_ATTRIBUTES,
    FIXED_SCALES,
    ITEM_KINDS,
    LANGS,
    LIMESURVEY_TYPES,
    ROW_GROUP,
    Lang,
    letters,
    limesurvey_code,
)
from vielfalt.instrument.limesurvey_read import (
    LSGroup,
    LSQuestion,
    SurveyStructure,
    number_value,
    plain_text,
    question_columns,
    read_limesurvey_structure,
)

__all__ = [
    "SkeletonResult",
    "Untranslated",
    "questionnaire_skeleton",
    "roles_block",
    "write_questionnaire_skeleton",
]


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


_EM_PART = re.compile(
    r"!is_empty\((?P<req>[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9]+)\)"
    r"|\(is_empty\((?P<v1>[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9]+)\) or (?P<v2>[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9]+) "
    r"(?P<op>>=|<=) (?P<num>-?\d+(?:\.\d+)?)\)"
)


def _labels(texts: Mapping[str, str], languages: Sequence[str], fallback: str) -> tuple[dict[str, str], bool]:
    """A label {de, en} from per-language texts; True when German had to be taken from another language."""
    de = plain_text(texts.get("de", ""))
    en = plain_text(texts.get("en", ""))
    borrowed = False
    if not de:
        for language in languages:
            if plain_text(texts.get(language, "")):
                de = plain_text(texts[language])
                borrowed = language != "de"
                break
    de = de or fallback
    out = {"de": de}
    if en:
        out["en"] = en
    return out, borrowed


@dataclass
class _Question:
    """One question being translated: where it is, and the list its notes go to."""

    qq: LSQuestion
    structure: SurveyStructure
    group: str
    lang: str
    missing: list[Untranslated]

    def note(self, kind: str, detail: str, key: str, *, at: str | None = None, **values: Any) -> None:
        """List something of this question (or of its part ``at``) that is not carried over; the reason is the
        catalogue's ``instrument.<key>`` filled with ``values``."""
        reason = t(f"instrument.{key}", self.lang, **values)
        self.missing.append(Untranslated(at or self.qq.code, self.group, kind, detail, reason))

    def type_detail(self) -> str:
        """``"D (Datum/Uhrzeit)"``: the type letter and its name."""
        typ = self.qq.type
        return f"{typ} ({LIMESURVEY_TYPES.get(typ, (typ, typ))[0 if self.lang == 'de' else 1]})"

    def checked_code(self, raw: str, code: str, seen: dict[str, str], *, what: str) -> str:
        """Return ``code``, LimeSurvey's form of ``raw``: noted when it differs; refused, naming both, when
        another code of the same list folds to it too (``seen``: case-folded code → the code in the file).

        ``what`` is ``"answer"`` or ``"subquestion"``.
        """
        if code != raw:
            self.note("code", raw, f"{what}_code_repaired", code=raw, new=code)
        first = seen.get(code.casefold())
        if first is not None:
            where = t(f"instrument.where_{what}s", self.lang, code=self.qq.code)
            msg = t(
                "instrument.skeleton_collision",
                self.lang,
                path=self.structure.path,
                first=first,
                second=raw,
                where=where,
                norm=code,
            )
            raise DataError(msg, path=self.structure.path)
        seen[code.casefold()] = raw
        return code


@validate_params({"lang": [Options(LANGS)]})
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
        From :func:`vielfalt.instrument.limesurvey_read.read_limesurvey_structure`.
    qid : str, optional
        Instrument id; default ``ls<survey id>``.
    version : str, default "0.1"
        The skeleton's version.
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
    langs = structure.languages
    missing: list[Untranslated] = []
    sid = structure.settings.get("sid", "")
    qid = qid or (
        f"ls{sid}"
        if sid.isdigit()
        else re.sub(r"[^A-Za-z0-9_-]", "", Path(structure.path).stem) or "limesurvey"
    )
    title_texts = {x: s.get("surveyls_title", "") for x, s in structure.language_settings.items()}
    title, _ = _labels(title_texts, langs, qid)
    if "de" not in langs:
        reason = t("instrument.no_german", lang, language=langs[0])
        missing.append(Untranslated("—", "—", "text", ", ".join(langs), reason))
    meta: dict[str, Any] = {"id": qid, "version": version, "title": title}
    welcome = {x: s.get("surveyls_welcometext", "") for x, s in structure.language_settings.items()}
    if any(plain_text(v) for v in welcome.values()):
        meta["notes"], _ = _labels(welcome, langs, "")

    scales: dict[str, dict[str, Any]] = {}
    sections: list[dict[str, Any]] = []
    seen_codes: dict[str, str] = {}
    for gi, g in enumerate(structure.groups):
        section = _section(g, gi, structure, scales, seen_codes, missing, lang)
        if section is not None:
            sections.append({"id": letters(len(sections)), **section})
    for r in structure.other_rows:
        cls = r.get("class", "")
        where = t("instrument.row_where", lang, cls=cls, line=r.get("line"))
        missing.append(
            Untranslated(r.get("name", "") or cls, "—", "row", where, t("instrument.row_not_carried", lang))
        )
    data: dict[str, Any] = {"meta": meta}
    if scales:
        data["scales"] = scales
    data["weights"] = {"default": {}}
    data["sections"] = sections
    return data, missing


def _section(
    g: LSGroup,
    gi: int,
    structure: SurveyStructure,
    scales: dict[str, dict[str, Any]],
    seen_codes: dict[str, str],
    missing: list[Untranslated],
    lang: str,
) -> dict[str, Any] | None:
    """The section of one group (without its id), or None when none of its questions translates."""
    langs = structure.languages
    gname = plain_text(g.names.get(langs[0], "")) or g.key
    glabel, _ = _labels(g.names, langs, t("instrument.group_fallback", lang, n=gi + 1))
    if g.relevance not in ("", "1"):
        reason = t("instrument.group_condition", lang)
        missing.append(Untranslated(gname, gname, "setting", f"relevance = {g.relevance}", reason))
    items: list[dict[str, Any]] = []
    for qq in g.questions:
        item = _skeleton_item(_Question(qq, structure, gname, lang, missing), scales)
        if item is None:
            continue
        key = item["id"]
        if key in seen_codes and seen_codes[key] != qq.code:
            msg = t(
                "instrument.skeleton_collision",
                lang,
                path=structure.path,
                first=seen_codes[key],
                second=qq.code,
                where=t("instrument.where_questions", lang),
                norm=key,
            )
            raise DataError(msg, path=structure.path)
        seen_codes[key] = qq.code
        items.append(item)
    if not items:
        missing.append(Untranslated(gname, gname, "question", ROW_GROUP, t("instrument.group_empty", lang)))
        return None
    return {"label": glabel, "scoring": {"kind": "none"}, "items": items}


# --- one question ---------------------------------------------------------------------------------------
def _skeleton_item(qc: _Question, scales: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The item of one question (None when the instrument cannot express it; then it is noted)."""
    qq = qc.qq
    code = limesurvey_code(qq.code, kind="question")[:20]
    if code != qq.code:
        qc.note("code", code, "question_code_repaired", code=qq.code, new=code)
    kind = ITEM_KINDS.get(qq.type)
    if kind is None:
        why = {"X": "why_display", "*": "why_equation"}.get(qq.type, "why_unknown_type")
        columns = ", ".join(question_columns(qq)) or "—"
        qc.note(
            "question",
            qc.type_detail(),
            "type_not_translated",
            why=t(f"instrument.{why}", qc.lang),
            columns=columns,
        )
        return None
    item = _item_head(qc, code, kind)
    attrs = dict(qq.attributes)
    handled: set[str] = set()
    if kind in ("single", "array"):
        opts = _answer_options(qc)
        if not opts:
            qc.note("question", qc.type_detail(), "no_options")
            return None
        if kind == "single":
            item["options"] = opts
            if qq.other == "Y":
                item["other"] = True
        else:
            scales[f"s_{code}"] = {"label": dict(item["label"]), "options": opts}
            item["scale"] = f"s_{code}"
    if kind in ("multi", "multinumeric", "multitext", "array"):
        parts = _subquestion_parts(qc)
        if not parts:
            qc.note("question", qc.type_detail(), "no_subquestions")
            return None
        if kind == "multi":
            handled |= _multi_options(qc, item, parts, attrs)
        else:
            item["subs"] = parts
    if kind == "text":
        handled |= _text_rules(qc, item, attrs)
    elif qq.validation:
        qc.note("setting", f"validation = {qq.validation}", "validation_not_carried")
    if kind in ("numeric", "multinumeric"):
        handled |= _number_rules(qc, item, attrs, code)
    for k, v in sorted(attrs.items()):
        if k not in handled:
            key = "display_setting" if k in DISPLAY_ATTRIBUTES else "other_setting"
            qc.note("setting", f"{k} = {v}", key)
    item["scoring"] = {"kind": "none"}
    return item


def _item_head(qc: _Question, code: str, kind: str) -> dict[str, Any]:
    """Id, type, label and help of an item; notes on a missing text, soft mandatory, condition, default."""
    qq = qc.qq
    langs = qc.structure.languages
    label, _ = _labels(qq.texts, langs, qq.code)
    if not any(plain_text(v) for v in qq.texts.values()):
        qc.note("text", "text", "no_text")
    item: dict[str, Any] = {"id": code, "type": kind, "label": label}
    helps = {k: v for k, v in qq.helps.items() if plain_text(v)}
    if helps:
        item["help"], _ = _labels(helps, langs, "")
    if qq.mandatory == "Y":
        item["required"] = True
    elif qq.mandatory == "S":
        qc.note("setting", "mandatory = S", "soft_mandatory")
    if qq.relevance not in ("", "1"):
        qc.note("setting", f"relevance = {qq.relevance}", "question_condition")
    if qq.default:
        qc.note("setting", f"default = {qq.default}", "default_answer")
    return item


def _answer_options(qc: _Question) -> list[dict[str, Any]]:
    """The answer options of a list or array: LimeSurvey's fixed scale of the type, or the ``A`` rows."""
    fixed = FIXED_SCALES.get(qc.qq.type)
    if fixed is not None:
        return [
            {
                "code": c,
                "label": {"de": t(f"instrument.{k}", "de"), "en": t(f"instrument.{k}", "en")}
                if k
                else {"de": c, "en": c},
            }
            for c, k in fixed
        ]
    opts = []
    seen: dict[str, str] = {}  # normalised code (case-folded) → the code in the file
    for a in qc.qq.answers:
        if a.scale not in ("", "0"):
            continue
        acode = qc.checked_code(a.code, limesurvey_code(a.code, kind="answer"), seen, what="answer")
        alabel, _ = _labels(a.texts, qc.structure.languages, a.code)
        opts.append({"code": acode, "label": alabel})
    return opts


def _subquestion_parts(qc: _Question) -> list[dict[str, Any]]:
    """The subquestions (scale 0) as ``{code, label}``; a condition on one is noted."""
    parts = []
    seen: dict[str, str] = {}  # normalised code (case-folded) → the code in the file
    for s in qc.qq.subquestions:
        if s.scale not in ("", "0"):
            continue
        new = limesurvey_code(s.code, kind="subquestion")[:20]
        scode = qc.checked_code(s.code, new, seen, what="subquestion")
        slabel, _ = _labels(s.texts, qc.structure.languages, s.code)
        parts.append({"code": scode, "label": slabel})
        if s.relevance not in ("", "1"):
            detail = f"relevance = {s.relevance}"
            qc.note("setting", detail, "subquestion_condition", at=f"{qc.qq.code}[{s.code}]")
    return parts


def _multi_options(
    qc: _Question, item: dict[str, Any], parts: list[dict[str, Any]], attrs: Mapping[str, str]
) -> set[str]:
    """A multiple choice's options with their exclusive flags; returns the attributes it used."""
    exclusive = set(attrs.get("exclude_all_others", "").replace(",", ";").split(";")) - {""}
    for p in parts:
        if p["code"] in exclusive:
            p["exclusive"] = True
    if "other" in {p["code"] for p in parts} and qc.qq.other == "Y":
        qc.note("code", "other", "other_subquestion")
    item["options"] = parts
    if qc.qq.other == "Y":
        item["other"] = True
    return {"exclude_all_others"}


def _text_rules(qc: _Question, item: dict[str, Any], attrs: Mapping[str, str]) -> set[str]:
    """A free text's length limit and pattern (a plain ``/regex/`` only); returns the attributes it used."""
    if attrs.get("maximum_chars", "").isdigit() and int(attrs["maximum_chars"]) > 0:
        item["maxlen"] = int(attrs["maximum_chars"])
    validation = qc.qq.validation
    if validation:
        m = re.fullmatch(r"/(.*)/([a-zA-Z]*)", validation, flags=re.DOTALL)
        pattern = m.group(1).replace("\\/", "/") if m and not m.group(2) else None
        try:
            if pattern is not None:
                re.compile(pattern)
        except re.error:
            pattern = None
        if pattern is not None:
            item["pattern"] = pattern
        else:
            qc.note("setting", f"validation = {validation}", "validation_not_regex")
    return {"maximum_chars"}


def _number_rules(qc: _Question, item: dict[str, Any], attrs: Mapping[str, str], code: str) -> set[str]:
    """Bounds and the integer flag of numbers, per-part rules from ``em_validation_q``; returns the attributes
    it used."""
    handled = {"num_value_int_only", "min_num_value_n", "max_num_value_n"}
    integer = attrs.get("num_value_int_only", "") == "1"
    lo = number_value(attrs.get("min_num_value_n", "")) if attrs.get("min_num_value_n") else None
    hi = number_value(attrs.get("max_num_value_n", "")) if attrs.get("max_num_value_n") else None
    for target in item.get("subs") or [item]:
        if not integer:
            target["integer"] = False
        if lo is not None:
            target["min"] = lo
        if hi is not None:
            target["max"] = hi
    em = attrs.get("em_validation_q", "")
    if em and item["type"] == "multinumeric":
        handled.add("em_validation_q")
        rest = _apply_em(em, code, item)
        if rest:
            qc.note("setting", f"em_validation_q = {rest}", "em_rest")
        if any(s.get("required") for s in item["subs"]):
            item["required"] = True
    if "em_validation_q_tip" in qc.qq.i18n:
        handled.add("em_validation_q_tip")
    return handled


def _apply_em(expr: str, code: str, item: dict[str, Any]) -> str:
    """Read back the per-subquestion rules the structure writer puts into ``em_validation_q``; returns what it
    did not read."""
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
            target["min" if m.group("op") == ">=" else "max"] = number_value(m.group("num"))
    return " and ".join(rest)


# --- writing the skeleton -------------------------------------------------------------------------------
def roles_block(lang: str = "de") -> str:
    """Return the ``roles:`` block of a skeleton: every role commented out, with a comment on what to fill in.

    The block loads as "no roles" until a line is uncommented and given a code of the skeleton.

    Parameters
    ----------
    lang : {"de", "en"}, default "de"
        Language of the comments.

    Returns
    -------
    str
        YAML text ending in a newline.

    Examples
    --------
    >>> block = roles_block("en").splitlines()
    >>> block[0], block[2].split("#")[1].strip()
    ('roles:', 'organisation_name:')
    """
    names = list(Roles.model_fields)
    width = max(len(n) for n in names) + 1
    lines = ["roles:", f"  # {t('instrument.roles_intro', lang)}"]
    lines += [f"  # {name + ':':<{width}}  # {t(f'instrument.role_{name}', lang)}" for name in names]
    return "\n".join(lines) + "\n"


def _dump(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, width=120, default_flow_style=None)


def _report(
    structure_name: str, yaml_name: str, data: Mapping[str, Any], missing: list[Untranslated], lang: str
) -> str:
    """The Markdown list of what was not translated."""
    heads = t("instrument.report_heads", lang).split("|")
    n_items = sum(len(s["items"]) for s in data["sections"])
    summary = t(
        "instrument.report_summary",
        lang,
        n_items=n_items,
        n_sections=len(data["sections"]),
        n_missing=len(missing),
        name=yaml_name,
    )
    lines = [
        f"# {t('instrument.report_title', lang, name=structure_name)}",
        "",
        summary,
        "",
        "| " + " | ".join(heads) + " |",
        "|" + "---|" * len(heads),
    ]
    for m in missing:
        cells = [m.code, m.group, m.kind, m.detail, m.reason]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) + "\n"


@validate_params({"lang": [Options(LANGS)]})
def write_questionnaire_skeleton(
    structure_path: str | Path,
    out_dir: str | Path,
    *,
    qid: str | None = None,
    lang: Lang = "de",
) -> SkeletonResult:
    """Read a LimeSurvey structure file and write a questionnaire YAML skeleton and its report.

    Writes ``<out_dir>/<qid>.yaml`` (loads with :func:`vielfalt.config.questionnaire.load_questionnaire`;
    copy it to ``params/questionnaire/`` and add the scoring rules, section points and roles) and
    ``<out_dir>/<qid>_nicht_uebersetzt.md`` listing every question, setting and row the skeleton leaves out.
    The untranslated parts are also listed as comments at the top of the YAML; the ``roles:`` block lists
    every role commented out, each with what to fill in.

    Parameters
    ----------
    structure_path : str or Path
        LimeSurvey's survey-structure export (``.txt``).
    out_dir : str or Path
        The folder to write to (created when missing).
    qid : str, optional
        Instrument id; default ``ls<survey id>``.
    lang : {"de", "en"}, default "de"
        Language of comments, reasons and messages.

    Returns
    -------
    SkeletonResult
        The files written, what was not translated and how many items and sections there are.

    Raises
    ------
    DataError
        When the file is not a structure file, or two codes collide under LimeSurvey's rules.
    """
    structure = read_limesurvey_structure(structure_path, lang=lang)
    data, missing = questionnaire_skeleton(structure, qid=qid, lang=lang)
    qid = data["meta"]["id"]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ypath = out / f"{qid}.yaml"
    rpath = out / f"{qid}_nicht_uebersetzt.md"
    name = Path(structure_path).name
    head = [
        t("instrument.skeleton_head_from", lang, name=name),
        t("instrument.skeleton_head_add", lang),
        t("instrument.skeleton_head_add_more", lang),
        t("instrument.skeleton_head_missing", lang, n=len(missing), report=rpath.name),
    ]
    head = [f"# {line}" for line in head]
    head += [f"#   {m.code} [{m.kind}] {m.detail}: {m.reason}".replace("\n", " ") for m in missing]
    body = _dump({k: v for k, v in data.items() if k != "sections"}) + roles_block(lang)
    body += _dump({"sections": data["sections"]})
    ypath.write_text("\n".join(head) + "\n" + body, encoding="utf-8")
    try:
        load_questionnaire(ypath)
    except InstrumentError as err:  # a bug in the translation, never the city's file
        msg = t("instrument.skeleton_invalid", lang, path=ypath, error=err)
        raise DataError(msg, path=str(ypath)) from err
    rpath.write_text(_report(name, ypath.name, data, missing, lang), encoding="utf-8")
    return SkeletonResult(
        questionnaire=ypath,
        report=rpath,
        untranslated=missing,
        n_items=sum(len(s["items"]) for s in data["sections"]),
        n_sections=len(data["sections"]),
    )
