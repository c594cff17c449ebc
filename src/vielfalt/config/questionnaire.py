"""The instrument as data: validated model of ``params/questionnaire/<id>.yaml`` and its codebook.

The questionnaire (Teilnahmebogen) declares sections, items, options, validation rules, scoring rules,
per-category expectations and privacy flags. Scoring rules are declarative (a rule *kind* with parameters);
nothing in the YAML is ever evaluated as code (METHODS.md §1).

Codes follow LimeSurvey's rules so that the instrument can be fielded without a mapping (DOMAIN.md §5.1):
item ids start with a letter and are alphanumeric; sub-question and multiple-choice option codes are
alphanumeric (≤ 20 characters); answer-option codes of single-choice lists are alphanumeric (≤ 5 characters).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vielfalt.config._yaml import did_you_mean, model_from_yaml
from vielfalt.exceptions import InstrumentError

__all__ = [
    "CATEGORY_CODES",
    "Check",
    "Item",
    "Label",
    "Option",
    "Questionnaire",
    "Roles",
    "Scoring",
    "Section",
    "Sub",
    "column_name",
    "load_questionnaire",
    "questionnaire_path",
]

ITEM_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,19}$")
SUB_CODE = re.compile(r"^[A-Za-z0-9]{1,20}$")
ANSWER_CODE = re.compile(r"^[A-Za-z0-9]{1,5}$")

#: Category codes the instrument may key expectations by (a superset of every edition's scheme).
CATEGORY_CODES = ("kleinst", "klein", "mittel", "gross", "oeffentlich")

EXPORT_PROFILES = ("institute_full", "jury_blind", "jury_named", "research", "public")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Frozen):
    """A text in German and English."""

    de: str
    en: str | None = None

    def get(self, lang: str = "de") -> str:
        """Return the text in `lang`, falling back to German."""
        return (self.en if lang == "en" else self.de) or self.de


PerCategory = float | dict[str, float]
"""A number, or per-category numbers with an optional ``default``."""


def per_category(value: PerCategory | None, category: str, *, default: float | None = None) -> float | None:
    """Resolve a :data:`PerCategory` value for one category."""
    if value is None:
        return default
    if isinstance(value, dict):
        if category in value:
            return value[category]
        return value.get("default", default)
    return value


class Option(_Frozen):
    """One answer option (a list answer or a multiple-choice sub-question)."""

    code: str
    label: Label
    baseline: bool = False  # a legal duty: scores nothing, its absence raises a flag
    exclusive: bool = False  # "keine"/"keines": may not be ticked together with others
    dimension: str | None = None


class Sub(_Frozen):
    """A sub-question of a multinumeric, array or multitext item."""

    code: str
    label: Label
    integer: bool = True
    min: float | None = None
    max: float | None = None
    required: bool = False
    pii: bool = False


class Scale(_Frozen):
    """A named answer scale (e.g. a status, an agreement or a rating scale)."""

    label: Label
    options: list[Option]
    not_applicable: list[str] = Field(default_factory=list)  # e.g. "9" = kann ich nicht beurteilen


class Check(_Frozen):
    """A cross-field consistency check. ``le``: left ≤ right; ``sum_eq``: Σ parts = total."""

    kind: Literal["le", "sum_eq"]
    left: str | None = None
    right: str | None = None
    parts: list[str] = Field(default_factory=list)
    total: str | None = None
    severity: Literal["error", "warning"] = "error"
    reason: Label | None = None


RuleKind = Literal[
    "map", "yesno", "count_capped", "field", "likert_mean", "rubric", "baseline", "context_only", "none"
]


class Scoring(_Frozen):
    """A declarative scoring rule (METHODS.md §1). Only the keys of its kind are used."""

    kind: RuleKind = "none"
    points: dict[str, dict[str, float]] | None = None  # map: category|default -> option -> points
    yes: float = 1.0
    no: float = 0.0
    cap: PerCategory | None = None  # count_capped
    exclude: list[str] = Field(default_factory=list)  # count_capped: options that do not count
    criterion: str | None = None  # rubric
    check: Literal["sgb9_quota", "options_present"] | None = None  # baseline
    places: str | None = None
    holders: str | None = None
    not_applicable: list[str] = Field(default_factory=list)  # likert_mean: codes ignored


class Item(_Frozen):
    """One question of the instrument."""

    id: str
    type: Literal["text", "single", "multi", "yesno", "numeric", "multinumeric", "array", "multitext"]
    label: Label
    help: Label | None = None
    required: bool = False
    options: list[Option] | None = None
    scale: str | None = None  # array/single items may take their options from a named scale
    other: bool = False
    subs: list[Sub] | None = None
    field: str | None = None  # field of action (C items)
    checks: list[Check] = Field(default_factory=list)
    scoring: Scoring = Field(default_factory=Scoring)
    weight: float = 1.0  # within its section
    not_expected_for: list[str] = Field(default_factory=list)
    pii: bool = False
    special_category: bool = False
    small_cell: int | None = None
    maxlen: int | None = None
    pattern: str | None = None
    integer: bool = True  # numeric items
    min: float | None = None
    max: float | None = None
    exports: list[str] | None = None  # profiles that may carry the raw answer; None = by flags
    redact_for: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_is_limesurvey_code(cls, v: str) -> str:
        if not ITEM_ID.match(v):
            msg = (
                f"Item-Code „{v}“: muss mit einem Buchstaben beginnen und nur Buchstaben/Ziffern enthalten "
                "(≤ 20)."
            )
            raise ValueError(msg)
        return v

    @field_validator("exports")
    @classmethod
    def _known_profiles(cls, v: list[str] | None) -> list[str] | None:
        for p in v or []:
            if p not in EXPORT_PROFILES:
                msg = f"unbekanntes Exportprofil „{p}“.{did_you_mean(p, EXPORT_PROFILES)}"
                raise ValueError(msg)
        return v

    @model_validator(mode="after")
    def _shape(self) -> Item:
        if self.type in ("single", "multi") and not self.options and not self.scale:
            msg = f"Item {self.id}: Typ {self.type} braucht options oder scale"
            raise ValueError(msg)
        if self.type in ("multinumeric", "array", "multitext") and not self.subs:
            msg = f"Item {self.id}: Typ {self.type} braucht subs"
            raise ValueError(msg)
        pattern = ANSWER_CODE if self.type == "single" else SUB_CODE
        for o in self.options or []:
            if not pattern.match(o.code):
                limit = 5 if self.type == "single" else 20
                msg = f"Item {self.id}, Option „{o.code}“: nur Buchstaben/Ziffern, höchstens {limit} Zeichen"
                raise ValueError(msg)
        for s in self.subs or []:
            if not SUB_CODE.match(s.code):
                msg = f"Item {self.id}, Unterfrage „{s.code}“: nur Buchstaben/Ziffern, höchstens 20 Zeichen"
                raise ValueError(msg)
        codes = [o.code for o in self.options or []] + [s.code for s in self.subs or []]
        dup = {c for c in codes if codes.count(c) > 1}
        if dup:
            msg = f"Item {self.id}: doppelte Codes {sorted(dup)}"
            raise ValueError(msg)
        if self.other and "other" in codes:
            msg = f"Item {self.id}: der Code „other“ ist für die Sonstiges-Antwort reserviert"
            raise ValueError(msg)
        return self

    def option_codes(self, scales: dict[str, Scale]) -> list[str]:
        """The answer codes of this item (from its options or its scale)."""
        if self.options:
            return [o.code for o in self.options]
        if self.scale:
            return [o.code for o in scales[self.scale].options]
        return []

    def columns(self) -> list[str]:
        """The response columns of this item in LimeSurvey code form (``Q5[total]``, ``Q2[other]``)."""
        if self.type in ("multinumeric", "array", "multitext"):
            return [column_name(self.id, s.code) for s in self.subs or []]
        if self.type == "multi":
            cols = [column_name(self.id, o.code) for o in self.options or []]
            return cols + ([column_name(self.id, "other")] if self.other else [])
        cols = [self.id]
        if self.type == "single" and self.other:
            cols.append(column_name(self.id, "other"))
        return cols

    def expected_for(self, category: str) -> bool:
        """Whether the item is expected (scored) for organisations of `category`."""
        return category not in self.not_expected_for


class SectionScoring(_Frozen):
    """Section-level rule: ``weighted_mean`` of item scores, or ``best_n_fields`` over field items."""

    kind: Literal["weighted_mean", "best_n_fields", "rubric_mean", "none"] = "weighted_mean"
    n_fields: PerCategory | None = None
    cap_per_field: PerCategory | None = None


class Section(_Frozen):
    """A section of the instrument (e.g. profile, measures, free texts, contact)."""

    id: str
    label: Label
    scoring: SectionScoring = Field(default_factory=SectionScoring)
    items: list[Item]


class Roles(_Frozen):
    """The part items play in the evaluation, declared in the questionnaire's ``roles:`` block.

    The package looks every such part up here and never names an item code: a questionnaire with other
    codes runs unchanged. Values are response columns (``Q5[total]``) or item ids (``Q1``); each is
    checked against the instrument when it is loaded. A role left out switches its feature off; the roles
    every edition needs (``organisation_name``, ``headcount``) are asked for with
    :meth:`Questionnaire.require_role` where they are used, so that a fresh skeleton still loads.
    """

    organisation_name: str | None = None  # the organisation's name: profiles, conflicts, letters
    headcount: str | None = None  # the column whose number sorts an entry into a size category
    ownership: str | None = None  # the item whose answer marks a public body (codes: the edition's)
    legal_form: str | None = None  # shown to a named jury
    sector: str | None = None  # the WZ sector (research archive, synthetic data)
    contact: str | None = None  # the contact person's item: its columns never leave the institute
    consent_publication: str | None = None  # tick: name may be published if awarded
    consent_visit: str | None = None  # tick: site visit and interview agreed
    consent_research: str | None = None  # tick: answers may enter the research archive
    measures_section: str | None = None  # the section of claimed measures (site-visit plausibility)
    effects: str | None = None  # the item of claimed effects (a claim without measures is flagged)
    evidence_section: str | None = None  # the section whose evidence a site visit checks first
    rating_scale: str | None = None  # the scale evaluators rate free texts on (default: the rated items')


class Meta(_Frozen):
    """Identity of the instrument."""

    id: str
    version: str
    title: Label
    reference_date: str | None = None
    notes: Label | None = None


class Questionnaire(_Frozen):
    """A validated questionnaire. Load it with :func:`load_questionnaire`."""

    meta: Meta
    dimensions: list[Option] = Field(default_factory=list)
    fields_of_action: list[Option] = Field(default_factory=list)
    scales: dict[str, Scale] = Field(default_factory=dict)
    weights: dict[str, dict[str, float]]  # default|category -> section -> points
    sections: list[Section]
    roles: Roles = Field(default_factory=Roles)
    source_sha256: str | None = None

    @field_validator("roles", mode="before")
    @classmethod
    def _roles_block_may_be_empty(cls, v: Any) -> Any:
        """A ``roles:`` block whose lines are all commented out (as in a fresh skeleton) is no roles."""
        return {} if v is None else v

    @model_validator(mode="after")
    def _references(self) -> Questionnaire:
        ids = [i.id for s in self.sections for i in s.items]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            msg = f"doppelte Item-Codes: {dup}"
            raise ValueError(msg)
        columns = {c for s in self.sections for i in s.items for c in i.columns()}
        items = {i.id: i for s in self.sections for i in s.items}
        section_ids = {s.id for s in self.sections}
        for cat, table in self.weights.items():
            _require_category(cat, "weights")
            for sec in table:
                if sec not in section_ids:
                    msg = f"weights.{cat}: unbekannter Abschnitt „{sec}“.{did_you_mean(sec, section_ids)}"
                    raise ValueError(msg)
        for s in self.sections:
            for it in s.items:
                _check_item_refs(it, columns, items, self.scales)
        _check_roles(self.roles, columns, items, section_ids, self.scales)
        return self

    # --- lookups -----------------------------------------------------------------------------
    @cached_property
    def items(self) -> dict[str, Item]:
        """All items by id, in instrument order."""
        return {i.id: i for s in self.sections for i in s.items}

    def item(self, item_id: str) -> Item:
        """Return one item; InstrumentError with a did-you-mean when it does not exist."""
        try:
            return self.items[item_id]
        except KeyError:
            msg = (
                f"Item „{item_id}“ gibt es im Fragebogen {self.meta.id} "
                f"nicht.{did_you_mean(item_id, self.items)}"
            )
            raise InstrumentError(msg) from None

    def iter_items(self) -> Iterator[tuple[Section, Item]]:
        """Yield (section, item) pairs in order."""
        for s in self.sections:
            for i in s.items:
                yield s, i

    def columns(self) -> list[str]:
        """Every response column the instrument defines, in order."""
        return [c for _, i in self.iter_items() for c in i.columns()]

    def section_weights(self, category: str) -> dict[str, float]:
        """Section points for a category (the category's overrides on top of the defaults)."""
        out = dict(self.weights.get("default", {}))
        out.update(self.weights.get(category, {}))
        return out

    def options_of(self, item: Item) -> list[Option]:
        """The options of an item, from the item or its scale."""
        if item.options:
            return list(item.options)
        if item.scale:
            return list(self.scales[item.scale].options)
        return []

    def sha256(self) -> str:
        """Hash of the YAML source this instrument was loaded from (for manifests)."""
        return self.source_sha256 or ""

    # --- roles -------------------------------------------------------------------------------
    def role_columns(self, role: str) -> list[str]:
        """The response columns of a role (an item's columns, or the one column named), ``[]`` when unset."""
        ref = getattr(self.roles, role)
        if ref is None:
            return []
        return self.items[ref].columns() if ref in self.items else [ref]

    def require_role(self, role: str) -> str:
        """Return the column or item of ``role``; InstrumentError naming the key to add when it is unset."""
        ref = getattr(self.roles, role)
        if ref is None:
            msg = (
                f"Der Fragebogen {self.meta.id} legt die Rolle „{role}“ nicht fest. Bitte unter roles: "
                f"„{role}: <Item-Code>“ ergänzen (siehe docs/architecture.md)."
            )
            raise InstrumentError(msg)
        return str(ref)

    def contact_columns(self) -> list[str]:
        """Every column of contact data: the ``contact`` role's columns and every column flagged ``pii``."""
        cols = list(self.role_columns("contact"))
        for _, it in self.iter_items():
            flagged = [column_name(it.id, s.code) for s in it.subs or [] if s.pii]
            for c in it.columns() if it.pii else flagged:
                if c not in cols:
                    cols.append(c)
        return cols

    def rated_items(self) -> list[Item]:
        """The free-text items evaluators rate (scoring kind ``rubric``), in instrument order."""
        return [it for _, it in self.iter_items() if it.scoring.kind == "rubric"]

    def rated_section(self) -> Section | None:
        """The section holding the rated free texts (``None`` when nothing is rated)."""
        rated = {it.id for it in self.rated_items()}
        return next((s for s in self.sections if any(i.id in rated for i in s.items)), None)

    def rating_scale(self) -> Scale | None:
        """The scale the free texts are rated on: the ``rating_scale`` role, else ``None``."""
        return self.scales.get(self.roles.rating_scale) if self.roles.rating_scale else None

    def section(self, section_id: str) -> Section:
        """Return one section by id; InstrumentError with a did-you-mean when it does not exist."""
        for s in self.sections:
            if s.id == section_id:
                return s
        ids = [s.id for s in self.sections]
        msg = (
            f"Abschnitt „{section_id}“ gibt es im Fragebogen {self.meta.id} "
            f"nicht.{did_you_mean(section_id, ids)}"
        )
        raise InstrumentError(msg)


def _require_category(cat: str, where: str) -> None:
    """A category key must be ``default`` or one of :data:`CATEGORY_CODES` (did-you-mean otherwise)."""
    if cat != "default" and cat not in CATEGORY_CODES:
        msg = f"{where}: unbekannte Kategorie „{cat}“.{did_you_mean(cat, CATEGORY_CODES)}"
        raise ValueError(msg)


def _check_item_refs(it: Item, columns: set[str], items: dict[str, Item], scales: dict[str, Scale]) -> None:
    """Every column a check or rule names must exist; every named scale too."""

    def known(ref: str | None, where: str) -> None:
        if ref is not None and ref not in columns:
            msg = (
                f"Item {it.id}, {where}: verweist auf unbekannte Spalte „{ref}“.{did_you_mean(ref, columns)}"
            )
            raise ValueError(msg)

    if it.scale and it.scale not in scales:
        msg = f"Item {it.id}: unbekannte Skala „{it.scale}“.{did_you_mean(it.scale, scales)}"
        raise ValueError(msg)
    for k, chk in enumerate(it.checks):
        known(chk.left, f"checks[{k}].left")
        known(chk.right, f"checks[{k}].right")
        known(chk.total, f"checks[{k}].total")
        for p in chk.parts:
            known(p, f"checks[{k}].parts")
    sc = it.scoring
    known(sc.places, "scoring.places")
    known(sc.holders, "scoring.holders")
    codes = set(it.option_codes(scales))
    for code in sc.exclude + sc.not_applicable:
        if code not in codes:
            msg = f"Item {it.id}, scoring: unbekannte Option „{code}“.{did_you_mean(code, codes)}"
            raise ValueError(msg)
    for cat, table in (sc.points or {}).items():
        _require_category(cat, f"Item {it.id}, scoring.points")
        for code in table:
            if code not in codes:
                msg = (
                    f"Item {it.id}, scoring.points.{cat}: unbekannte Option "
                    f"„{code}“.{did_you_mean(code, codes)}"
                )
                raise ValueError(msg)
    for cat in it.not_expected_for:
        _require_category(cat, f"Item {it.id}, not_expected_for")
    rule_needs = {"map": ("single",), "yesno": ("yesno",), "count_capped": ("multi",), "field": ("multi",)}
    allowed = rule_needs.get(sc.kind)
    if allowed and it.type not in allowed:
        msg = f"Item {it.id}: Regel {sc.kind} passt nicht zum Typ {it.type} (erlaubt: {', '.join(allowed)})"
        raise ValueError(msg)


_SECTION_ROLES = ("measures_section", "evidence_section")


def _check_roles(
    roles: Roles, columns: set[str], items: dict[str, Item], section_ids: set[str], scales: dict[str, Scale]
) -> None:
    """Raise ValueError unless every role names a column, item, section or scale of the instrument."""
    for role, ref in roles.model_dump().items():
        if ref is None:
            continue
        if role in _SECTION_ROLES:
            known, what = section_ids, "Abschnitt"
        elif role == "rating_scale":
            known, what = set(scales), "Skala"
        else:
            known, what = columns | set(items), "Item oder Spalte"
        if ref not in known:
            msg = f"roles.{role}: „{ref}“ ist kein {what} dieses Fragebogens.{did_you_mean(ref, known)}"
            raise ValueError(msg)


def column_name(item_id: str, sub: str) -> str:
    """The LimeSurvey code column of a sub-question: ``column_name("Q5", "total") == "Q5[total]"``."""
    return f"{item_id}[{sub}]"


def questionnaire_path(qid: str, *, params_dir: str | Path) -> Path:
    """Where the questionnaire `qid` lives below a project's ``params`` folder."""
    if not ITEM_ID.match(qid.replace("-", "").replace("_", "")):
        msg = f"Fragebogen-Kennung „{qid}“ ist ungültig (nur Buchstaben, Ziffern, - und _)."
        raise InstrumentError(msg)
    path = Path(params_dir) / "questionnaire" / f"{qid}.yaml"
    base, target = Path(params_dir).resolve(), path.resolve()
    if base not in target.parents:
        msg = (
            f"{path} verweist auf {target}, außerhalb von {base}. Einstellungen werden nur aus dem "
            "params-Ordner des Projekts gelesen; bitte die Datei selbst dorthin kopieren."
        )
        raise InstrumentError(msg)
    return path


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Load and validate a questionnaire YAML file.

    Parameters
    ----------
    path : str or Path
        ``params/questionnaire/<id>.yaml``.

    Returns
    -------
    Questionnaire
        The frozen, validated instrument, with the sha256 of its source.

    Raises
    ------
    InstrumentError
        Naming the item and the key of every problem (unknown keys get a did-you-mean).
    """
    q = model_from_yaml(Questionnaire, path, kind="Fragebogen")
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return q.model_copy(update={"source_sha256": digest})


# --- codebook ----------------------------------------------------------------------------------
