"""One edition of the competition as data: validated model of ``params/editions/<ed>.yaml``.

An edition names its questionnaire, its category scheme (half-open headcount bins plus an optional
public-institution rule — the 2012 and the 2015 Cologne schemes are both expressible), its input files,
capacities, evaluators, jury, tie rule, label threshold and seed. Unknown keys are errors with a
did-you-mean suggestion, because papermill itself only warns about unknown parameters (NOTEBOOKS.md P2).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Literal, overload

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vielfalt.config._yaml import did_you_mean, model_from_yaml
from vielfalt.config.questionnaire import (
    CATEGORY_CODES,
    Label,
    Questionnaire,
    load_questionnaire,
    questionnaire_path,
)
from vielfalt.exceptions import InstrumentError

__all__ = [
    "ArchiveSettings",
    "Bin",
    "CategoryScheme",
    "Edition",
    "InputFile",
    "Person",
    "PublicRule",
    "RobustnessSettings",
    "ScoringSettings",
    "SelectionSettings",
    "VerificationSettings",
    "edition_path",
    "load_context",
    "load_edition",
    "resolve_data_path",
    "with_roles",
]

EDITION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bin(_Frozen):
    """A half-open headcount interval [gte, lt) mapped to a category code."""

    code: str
    label: Label | None = None
    gte: float = 0
    lt: float | None = None

    @field_validator("code")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in CATEGORY_CODES:
            msg = (
                f"unbekannte Kategorie „{v}“ (erlaubt: "
                f"{', '.join(CATEGORY_CODES)}).{did_you_mean(v, CATEGORY_CODES)}"
            )
            raise ValueError(msg)
        return v

    def contains(self, headcount: float) -> bool:
        """Whether `headcount` falls into [gte, lt)."""
        return headcount >= self.gte and (self.lt is None or headcount < self.lt)


class PublicRule(_Frozen):
    """Which answers make an entry a public institution, and which category that gives.

    ``category: null`` sorts public bodies by size like everyone else (the 2015 scheme).
    """

    item: str | None = None  # None: the questionnaire's ``ownership`` role
    codes: list[str]
    category: str | None = "oeffentlich"
    label: Label | None = None


class CategoryScheme(_Frozen):
    """Size categories of an edition: headcount bins plus the public-institution rule."""

    id: str
    basis: str | None = None  # None: the questionnaire's ``headcount`` role
    public: PublicRule | None = None
    bins: list[Bin]

    @model_validator(mode="after")
    def _contiguous(self) -> CategoryScheme:
        bins = self.bins
        if not bins:
            msg = "category_scheme.bins ist leer"
            raise ValueError(msg)
        if bins[0].gte > 1:
            msg = (
                f"category_scheme.bins: die erste Klasse beginnt bei {bins[0].gte}; kleinere Betriebe "
                "hätten keine Kategorie"
            )
            raise ValueError(msg)
        for a, b in zip(bins, bins[1:], strict=False):
            if a.lt is None or a.lt != b.gte:
                msg = (
                    f"category_scheme.bins: Klasse {a.code} endet bei {a.lt}, {b.code} beginnt bei {b.gte}; "
                    "die Klassen müssen lückenlos und überschneidungsfrei sein (halboffen: gte ≤ x < lt)."
                )
                raise ValueError(msg)
        if bins[-1].lt is not None:
            msg = (
                f"category_scheme.bins: die letzte Klasse ({bins[-1].code}) muss nach oben offen sein (kein "
                "lt)."
            )
            raise ValueError(msg)
        codes = [b.code for b in bins]
        if len(set(codes)) != len(codes):
            msg = f"category_scheme.bins: doppelte Kategorien {codes}"
            raise ValueError(msg)
        if self.public and self.public.category in codes:
            msg = f"category_scheme.public.category „{self.public.category}“ ist schon eine Größenklasse"
            raise ValueError(msg)
        return self

    def categories(self) -> list[str]:
        """All category codes of the scheme, in display order."""
        extra = [self.public.category] if self.public and self.public.category else []
        return [b.code for b in self.bins] + extra

    def bin_for(self, headcount: float) -> str | None:
        """The category code for a headcount, or None when it fits no bin (negative, NaN)."""
        if headcount is None or (isinstance(headcount, float) and math.isnan(headcount)):
            return None
        for b in self.bins:
            if b.contains(headcount):
                return b.code
        return None

    def label(self, code: str, lang: str = "de") -> str:
        """A readable name of a category."""
        for b in self.bins:
            if b.code == code:
                if b.label:
                    return b.label.get(lang)
                upper = f"bis {int(b.lt) - 1}" if b.lt is not None else "und mehr"
                return (
                    f"{code} ({int(b.gte)} {upper})" if b.lt is not None else f"{code} ({int(b.gte)} {upper})"
                )
        if self.public and code == self.public.category:
            return self.public.label.get(lang) if self.public.label else code
        return code


class InputFile(_Frozen):
    """One responses file of the edition, relative to ``data/<edition>/``."""

    file: str
    dialect: Literal["limesurvey", "excel", "form", "auto"] = "auto"  # form: vielfalt field --to xlsx
    source: str
    sheet: str | None = None
    mapping: dict[str, str] = Field(default_factory=dict)  # heading -> canonical column
    decimal: Literal[",", "."] | None = None


class Person(_Frozen):
    """An evaluator or jury member (names stay in the edition file, never in exports)."""

    id: str
    name: str
    organisation: str | None = None
    conflicts: list[str] = Field(default_factory=list)  # organisation names or entry ids declared


RaterModel = Literal["none", "mean_shift", "zscore", "additive"]
MissingRule = Literal["zero", "nan"]
Imputation = Literal["none", "mean", "median", "group_mean", "group_median"]
Normalisation = Literal["none", "minmax", "zscore", "rank", "prank", "borda"]
Aggregation = Literal["amean", "gmean", "hmean", "median"]


class ScoringSettings(_Frozen):
    """The assumptions of the scoring stage; a researcher swaps them here without touching code.

    The nominal choices: indicators are already on [0, 1] by the instrument's rules (no further
    normalisation), unanswered expected items count 0, sections and the total are weighted arithmetic
    means, and text scores are corrected for rater severity by the additive model.
    """

    rater_model: RaterModel = "additive"
    missing_answers: MissingRule = "zero"
    imputation: Imputation = "none"
    normalisation: Normalisation = "none"
    normalise_within: Literal["category", "all"] = "category"
    aggregation: Aggregation = "amean"


class FactorSettings(_Frozen):
    """The assumptions the robustness stage varies (METHODS.md §3), each with its alternatives.

    A list with one alternative, or ``weights: 0``, switches that factor off (its Sobol' indices are then
    exactly 0). The nominal choice of the ``scoring`` block must be among the alternatives.
    """

    weights: float = Field(default=0.25, ge=0, lt=1)
    rater_model: list[RaterModel] = Field(default_factory=lambda: list(_DEFAULT_RATER_MODELS))
    missing_answers: list[MissingRule] = Field(default_factory=lambda: list(_DEFAULT_MISSING))
    imputation: list[Imputation] = Field(default_factory=lambda: list(_DEFAULT_IMPUTATION))
    normalisation: list[Normalisation] = Field(default_factory=lambda: list(_DEFAULT_NORMALISATION))
    aggregation: list[Aggregation] = Field(default_factory=lambda: list(_DEFAULT_AGGREGATION))

    @field_validator("rater_model", "missing_answers", "imputation", "normalisation", "aggregation")
    @classmethod
    def _non_empty_unique(cls, v: list[str]) -> list[str]:
        if not v:
            msg = "mindestens eine Alternative angeben (eine einzige schaltet den Faktor ab)"
            raise ValueError(msg)
        if len(set(v)) != len(v):
            msg = f"eine Alternative ist doppelt aufgeführt ({v})"
            raise ValueError(msg)
        return v


_DEFAULT_RATER_MODELS: tuple[RaterModel, ...] = ("additive", "mean_shift", "zscore", "none")
_DEFAULT_MISSING: tuple[MissingRule, ...] = ("zero", "nan")
_DEFAULT_IMPUTATION: tuple[Imputation, ...] = ("none", "group_mean")
_DEFAULT_NORMALISATION: tuple[Normalisation, ...] = ("none", "minmax")
_DEFAULT_AGGREGATION: tuple[Aggregation, ...] = ("amean", "gmean")


class RobustnessSettings(_Frozen):
    """Uncertainty and sensitivity analysis of the ranking (METHODS.md §3)."""

    draws: int = Field(default=1000, ge=1, le=100_000)
    sensitivity_n: int = Field(default=256, ge=0, le=100_000)
    design: Literal["random", "sobol"] = "random"
    factors: FactorSettings = Field(default_factory=FactorSettings)


class OutlierSettings(_Frozen):
    """Multivariate outliers within a category (isolation forest on the indicators)."""

    method: Literal["isolation_forest", "none"] = "isolation_forest"
    min_entries: int = Field(default=5, ge=3)
    contamination: Literal["auto"] | float = "auto"

    @field_validator("contamination")
    @classmethod
    def _share(cls, v: str | float) -> str | float:
        if not isinstance(v, str) and not 0 < v <= 0.5:
            msg = f"contamination muss „auto“ oder ein Anteil in (0, 0.5] sein, nicht {v}"
            raise ValueError(msg)
        return v


class SelectionSettings(_Frozen):
    """Site-visit selection (METHODS.md §5): borderline band and plausibility checks."""

    borderline: tuple[float, float] = (0.2, 0.8)
    outliers: OutlierSettings = Field(default_factory=OutlierSettings)

    @field_validator("borderline")
    @classmethod
    def _band(cls, v: tuple[float, float]) -> tuple[float, float]:
        lo, hi = v
        if not 0 <= lo < hi <= 1:
            msg = f"borderline: zwei Anteile 0 ≤ unten < oben ≤ 1 angeben, z. B. [0.2, 0.8]; nicht {list(v)}"
            raise ValueError(msg)
        return v


class VerificationSettings(_Frozen):
    """How site-visit findings change the scores (METHODS.md §6, DOMAIN.md §7.4).

    A claimed measure the visit confirms keeps its points (factor ``confirmed``), one it partly confirms
    keeps ``partly`` of them, one it refutes ``refuted``. Each listed section of a visited entry is
    multiplied by the mean factor of its checks; unchecked sections and entries keep factor 1.
    """

    confirmed: float = Field(default=1.0, ge=0, le=1)
    partly: float = Field(default=0.75, ge=0, le=1)
    refuted: float = Field(default=0.5, ge=0, le=1)
    sections: list[str] = Field(
        default_factory=list
    )  # empty: the questionnaire's measures and evidence sections

    @model_validator(mode="after")
    def _ordered(self) -> VerificationSettings:
        if not (self.confirmed >= self.partly >= self.refuted):
            msg = (
                f"verification: die Faktoren müssen confirmed ≥ partly ≥ refuted erfüllen "
                f"(angegeben: {self.confirmed}, {self.partly}, {self.refuted})."
            )
            raise ValueError(msg)
        return self


class ArchiveSettings(_Frozen):
    """How ``vielfalt archive`` pseudonymises this edition for the research archive (DOMAIN.md §6.4).

    ``secret_file`` names the file holding the HMAC key (absolute or ``~/…``, outside the project); the
    environment variable ``VIELFALT_ARCHIVE_SECRET_FILE`` takes precedence. ``consent`` is the column whose
    tick allows item answers to be archived (``null``: no consent item). ``min_cell`` is the smallest group
    size shown (never below 3). ``name_item`` and ``sector_item`` feed the organisation key.
    """

    secret_file: str | None = None
    consent: str | None = None  # not given: the questionnaire's ``consent_research`` role; null: none
    min_cell: int = Field(default=3, ge=3)
    name_item: str | None = None  # None: the questionnaire's ``organisation_name`` role
    sector_item: str | None = None  # not given: the questionnaire's ``sector`` role


class Edition(_Frozen):
    """A validated edition. Load it with :func:`load_edition`."""

    edition: str
    year: int
    title: Label
    questionnaire: str
    language: Literal["de", "en"] = "de"
    seed: int = Field(ge=0)
    pseudonym_salt: str = Field(min_length=8)
    category_scheme: CategoryScheme
    inputs: list[InputFile]
    capacity: dict[str, int] = Field(default_factory=dict)
    label_threshold: float = Field(default=60, ge=0, le=100)
    raters_per_text: int = Field(default=2, ge=1)
    evaluators: list[Person] = Field(default_factory=list)
    jury: list[Person] = Field(default_factory=list)
    tie_rule: Literal["no_award", "chair_decides", "higher_score"] = "higher_score"
    max_input_mb: float = Field(default=150, gt=0)
    scoring: ScoringSettings = Field(default_factory=ScoringSettings)
    verification: VerificationSettings = Field(default_factory=VerificationSettings)
    jury_chair: str | None = None  # id of the jury member whose vote breaks a tie (tie_rule chair_decides)
    robustness: RobustnessSettings = Field(default_factory=RobustnessSettings)
    selection: SelectionSettings = Field(default_factory=SelectionSettings)
    archive: ArchiveSettings = Field(default_factory=ArchiveSettings)

    @field_validator("edition", mode="before")
    @classmethod
    def _edition_id(cls, v: str) -> str:
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)  # `edition: 2011` in YAML is an int; an edition id is text
        if not EDITION_ID.match(v):
            msg = f"Editionskennung „{v}“: nur Buchstaben, Ziffern, - und _ (z. B. 2010 oder demo2010)"
            raise ValueError(msg)
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Edition:
        cats = self.category_scheme.categories()
        for c in self.capacity:
            if c not in cats:
                msg = (
                    f"capacity: Kategorie „{c}“ gibt es im Schema {self.category_scheme.id} "
                    f"nicht.{did_you_mean(c, cats)}"
                )
                raise ValueError(msg)
        names = [i.file for i in self.inputs]
        if len(set(names)) != len(names):
            msg = f"inputs: eine Datei ist doppelt aufgeführt ({names})"
            raise ValueError(msg)
        for i in self.inputs:
            _safe_relative(i.file)
        jury_ids = [p.id for p in self.jury]
        if len(set(jury_ids)) != len(jury_ids):
            msg = f"jury: eine Kennung ist doppelt vergeben ({jury_ids})"
            raise ValueError(msg)
        if self.jury_chair is not None and self.jury_chair not in jury_ids:
            msg = (
                f"jury_chair: „{self.jury_chair}“ ist kein "
                f"Jurymitglied.{did_you_mean(self.jury_chair, jury_ids)}"
            )
            raise ValueError(msg)
        if self.tie_rule == "chair_decides" and self.jury_chair is None:
            msg = "tie_rule: chair_decides braucht jury_chair (die Kennung des/der Vorsitzenden, z. B. J1)."
            raise ValueError(msg)
        factors = self.robustness.factors
        for key in ("rater_model", "missing_answers", "imputation", "normalisation", "aggregation"):
            nominal = getattr(self.scoring, key)
            alternatives = getattr(factors, key)
            if nominal not in alternatives:
                msg = (
                    f"robustness.factors.{key}: die nominale Wahl „{nominal}“ aus scoring.{key} fehlt unter "
                    f"den Alternativen {alternatives}; bitte ergänzen (die Robustheitsanalyse variiert um "
                    "die nominale Methode herum)."
                )
                raise ValueError(msg)
        return self

    def categories(self) -> list[str]:
        """Category codes of this edition."""
        return self.category_scheme.categories()


def _safe_relative(name: str) -> None:
    """Input files must stay inside ``data/<edition>/`` (no absolute paths, no ``..``)."""
    p = Path(name)
    if p.is_absolute() or ".." in p.parts or name.startswith("~"):
        msg = (
            f"inputs: „{name}“ muss ein Dateiname im Datenordner der Edition sein (kein absoluter Pfad, "
            "kein ..)."
        )
        raise ValueError(msg)


def edition_path(edition: str, *, params_dir: str | Path) -> Path:
    """Where the edition file lives below a project's ``params`` folder."""
    if not EDITION_ID.match(edition):
        msg = f"Editionskennung „{edition}“ ist ungültig (nur Buchstaben, Ziffern, - und _)."
        raise InstrumentError(msg)
    return _inside_params(Path(params_dir) / "editions" / f"{edition}.yaml", params_dir)


def _inside_params(path: Path, params_dir: str | Path) -> Path:
    """Return ``path`` when it (followed through any symlink) lies inside ``params_dir``; else refuse it.

    Raises
    ------
    InstrumentError
        When a link in ``params/`` leads out of it: settings are read only from the project's own params.
    """
    base = Path(params_dir).resolve()
    target = Path(path).resolve()
    if base not in target.parents:
        msg = (
            f"{path} verweist auf {target}, außerhalb von {base}. Einstellungen werden nur aus dem "
            "params-Ordner des Projekts gelesen; bitte die Datei selbst dorthin kopieren."
        )
        raise InstrumentError(msg)
    return Path(path)


def resolve_data_path(project_root: str | Path, edition: Edition, name: str) -> Path:
    """Absolute path of an input file; refuses anything outside ``data/<edition>/``."""
    base = (Path(project_root) / "data" / edition.edition).resolve()
    p = (base / name).resolve()
    if base != p and base not in p.parents:
        msg = f"Datei „{name}“ liegt außerhalb von {base}; Eingaben gehören in den Datenordner der Edition."
        raise InstrumentError(msg)
    return p


@overload
def load_edition(path: str | Path, *, with_questionnaire: Literal[False] = ...) -> Edition: ...


@overload
def load_edition(path: str | Path, *, with_questionnaire: Literal[True]) -> tuple[Edition, Questionnaire]: ...


def load_edition(
    path: str | Path, *, with_questionnaire: bool = False
) -> Edition | tuple[Edition, Questionnaire]:
    """Load and validate an edition YAML file.

    Parameters
    ----------
    path : str or Path
        ``params/editions/<ed>.yaml``.
    with_questionnaire : bool, default False
        Also load ``params/questionnaire/<id>.yaml`` beside it, fill every setting left to the
        questionnaire's roles (headcount basis, ownership item, archive consent, name and sector items) and
        check that the category scheme names items of that questionnaire.

    Returns
    -------
    Edition or (Edition, Questionnaire)
        Without the questionnaire, settings left to its roles stay ``None``.
    """
    ed = model_from_yaml(Edition, path, kind="Editions")
    stem = Path(path).stem
    if stem != ed.edition:
        msg = (
            f"Editions-Datei {path}: der Dateiname „{stem}“ und edition: „{ed.edition}“ müssen "
            "übereinstimmen."
        )
        raise InstrumentError(msg)
    if not with_questionnaire:
        return ed
    params_dir = Path(path).resolve().parent.parent
    q = load_questionnaire(questionnaire_path(ed.questionnaire, params_dir=params_dir))
    ed = with_roles(ed, q)
    cols = set(q.columns())
    scheme = ed.category_scheme
    if scheme.basis not in cols:
        basis = str(scheme.basis)
        msg = (
            f"Editions-Datei {path}: category_scheme.basis „{basis}“ ist keine Spalte von "
            f"{q.meta.id}.{did_you_mean(basis, cols)}"
        )
        raise InstrumentError(msg)
    if scheme.public:
        if scheme.public.item is None:
            msg = (
                f"Editions-Datei {path}: category_scheme.public nennt kein item, und der Fragebogen "
                f"{q.meta.id} hat keine Rolle „ownership“. Bitte item: angeben."
            )
            raise InstrumentError(msg)
        item = q.item(scheme.public.item)
        codes = set(item.option_codes(q.scales))
        bad = [c for c in scheme.public.codes if c not in codes]
        if bad:
            msg = (
                f"Editions-Datei {path}: category_scheme.public.codes {bad} sind keine Optionen von "
                f"{item.id}."
            )
            raise InstrumentError(msg)
    return ed, q


def with_roles(ed: Edition, q: Questionnaire) -> Edition:
    """Return ``ed`` with every setting it leaves to the questionnaire filled from ``q.roles``.

    Explicit settings win; ``archive.consent: null`` given explicitly stays "no consent item".
    """
    scheme = ed.category_scheme
    public = scheme.public
    if public is not None and public.item is None:
        public = public.model_copy(update={"item": q.roles.ownership})
    basis = scheme.basis or q.require_role("headcount")
    scheme = scheme.model_copy(update={"basis": basis, "public": public})
    given = ed.archive.model_fields_set
    archive = ed.archive.model_copy(
        update={
            "consent": ed.archive.consent if "consent" in given else q.roles.consent_research,
            "name_item": ed.archive.name_item or q.roles.organisation_name,
            "sector_item": ed.archive.sector_item if "sector_item" in given else q.roles.sector,
        }
    )
    verification = ed.verification
    if not verification.sections:
        sections = [s for s in (q.roles.measures_section, q.roles.evidence_section) if s is not None]
        if not sections:
            msg = (
                f"Editions-Datei {ed.edition}: verification.sections fehlt, und der Fragebogen {q.meta.id} "
                "legt weder measures_section noch evidence_section fest. Bitte die Abschnitte angeben, deren "
                "Punkte ein Betriebsbesuch bestätigen kann."
            )
            raise InstrumentError(msg)
        verification = verification.model_copy(update={"sections": sections})
    unknown = [s for s in verification.sections if s not in {sec.id for sec in q.sections}]
    if unknown:
        msg = (
            f"Editions-Datei {ed.edition}: verification.sections nennt {unknown}, die der Fragebogen "
            f"{q.meta.id} nicht hat (Abschnitte: {', '.join(sec.id for sec in q.sections)})."
        )
        raise InstrumentError(msg)
    return ed.model_copy(update={"category_scheme": scheme, "archive": archive, "verification": verification})


def load_context(project_root: str | Path, edition: str) -> tuple[Edition, Questionnaire]:
    """Load an edition and its questionnaire (roles filled in) from a project's ``params`` folder."""
    params = Path(project_root) / "params"
    return load_edition(edition_path(edition, params_dir=params), with_questionnaire=True)
