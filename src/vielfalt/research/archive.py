"""The pseudonymised research archive of closed editions, and the ``research`` export profile.

``vielfalt archive ED`` adds the latest complete run of an edition to ``archive/``: one Parquet file per table
and edition, ``archive/<table>/edition=<ed>/part.parquet``, written with the fixed writer options of
:func:`vielfalt.runs.manifest.parquet_bytes` (same tables in, same bytes out), plus ``archive/_archive.json``
recording for every edition the run it came from and the sha256 of every part. ``vielfalt export ED
--profile research`` writes the same tables for one edition as CSV and XLSX, with summary tables and a data
dictionary generated from the codebook. Everything follows DOMAIN.md §6.4 (profile ``research``).

Pseudonym
    ``key`` = HMAC-SHA256(secret, normalised name ␟ WZ section letter), first 16 hex digits. The name is the
    organisation's (``A01``) with markup, punctuation, case, umlauts and the legal form removed, so that a
    participant who moves from "GmbH" to "GmbH & Co. KG" or writes "Köln" once as "Koeln" keeps its key
    across editions. The WZ 2008 section letter (``A03`` at whatever depth it was written: ``J``, ``62``,
    ``62.01``) tells apart organisations of the same name in different sectors; it is stable because an
    organisation's main activity rarely changes its section, unlike headcount, legal form or category,
    which are therefore not part of the key. The secret lives outside the repository (environment variable
    ``VIELFALT_ARCHIVE_SECRET_FILE`` or ``archive.secret_file`` in the edition), so the key cannot be
    recomputed from names without it (Art. 4 Nr. 5 DSGVO: the re-identification key is kept separately).
    The edition's ``entry_id`` (salted with a value in the repository) never enters the archive.

What is archived
    ``entries`` (key, edition, category, harmonised size band instead of the headcount, WZ section letter,
    public flag, research consent, coarsening level), ``answers`` (item answers the instrument allows for
    ``research``, only for entries that ticked the research consent), ``scores``, ``ranks``, ``reliability``
    and, when the run has them, ``intervals`` (``robustness/rank_stats``), ``selection``
    (``site_visits/candidates``), ``decisions`` (``close/awards``) and ``agreement`` (``close/agreement``).
    Never names, contacts, free texts (also not "other" texts: only whether one was given), exact headcounts
    or the jurors' vote counts (with five jurors a 5:0 tally would disclose every juror's vote).

Answers
    An item is left out when it is personal data (``pii``), when its ``exports`` list does not name
    ``research``, when it is redacted for research or a free text, and when it feeds a quasi-identifier
    (name, WZ code, public-body item, the headcount behind the category: these appear only in coarsened form
    in ``entries``). Ticks become 1/0; codes stay codes. Counts of persons become shares of their reference
    count (the ``le``/``sum_eq`` check that bounds them, e.g. ``A07[weiblich]`` of ``A05[total]``) rounded
    to 10 percentage points, or bands (``3–9``, ``10–49``, …) when the item is a special category
    (Art. 9 DSGVO) or has ``small_cell`` set.

Small cells (primary and secondary suppression)
    A count of persons below the edition's ``archive.min_cell`` (3, DOMAIN.md §6.4, like the Austrian rule
    of ``*`` for ≤ 2 units) is suppressed; for special-category items zero is suppressed too, because a
    shown 0 next to a suppressed value would reveal that the suppressed one is 1 or 2. Secondary suppression
    follows Destatis (service.destatis.de/eLearning/modul7, "Sekundäre Geheimhaltung"): a suppressed value
    must not be recoverable from a sum that is shown. Within one answer, the parts of a ``sum_eq`` check
    (gender, age bands) add up to the total: when exactly one part is suppressed, the smallest other part
    is suppressed too. In summary tables (:func:`suppress_table`) a cell with 1 ≤ n < 3 is suppressed, and
    every row or column whose margin is shown and which has exactly one suppressed cell gets a second one,
    the smallest positive unsuppressed cell (the margin only when no cell is left), until no line has a
    single suppressed cell. This stops recomputation by one subtraction along a line; it is not the full
    linear-programming audit of τ-ARGUS, which small tables like these do not need.

Quasi-identifiers
    With 13–25 entries per edition, category × public flag × WZ section often singles out one organisation
    (DOMAIN.md §6.4). Every entry is shown at the finest level of the hierarchy (category, public, size
    band, WZ) → (category, public, size band) → (category, public) → (category) → () whose group of
    entries sharing those values has at least ``min_cell`` members; the attributes dropped on the way are
    left empty (``qi_level`` says how far). An empty attribute matches any value, so every published row
    has at least ``min_cell`` rows it cannot be told apart from (k-anonymity with local suppression, as in
    sdcMicro's ``localSuppression``). Ranks, rank intervals and selection priority are left empty where the
    category is. The check protects each edition on its own; the key links editions, which can narrow a
    group again, so the archive stays pseudonymised personal data with controlled access (DOMAIN.md §6.4),
    not an anonymous data set.

Archiving twice
    The same run archived again gives the same bytes and is reported as unchanged (nothing is written). A
    different result for an edition already archived is refused unless ``replace`` is set; a partition is
    one file per edition, so an edition can never be in the archive twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from vielfalt.columns import CATEGORY
from vielfalt.config.edition import Edition
from vielfalt.config.questionnaire import Item, Questionnaire
from vielfalt.exceptions import ConfigError, DataError
from vielfalt.intake.categories import wz_section_of_division
from vielfalt.runs.manifest import (
    MANIFEST_NAME,
    _atomic_write_bytes,
    load_manifest,
    parquet_bytes,
    read_artefact,
    sha256_bytes,
    utc_now,
)

__all__ = [
    "ANSWER_COLUMNS",
    "ARCHIVE_META",
    "ARCHIVE_TABLES",
    "DEMO_SECRET",
    "IN_PROCESS_STAGES",
    "OPTIONAL_SOURCES",
    "QI_LEVELS",
    "SECRET_ENV",
    "SUPPRESSED",
    "ArchiveResult",
    "ArchiveTables",
    "ColumnRule",
    "DemoArchiveResult",
    "ExportResult",
    "archive_edition",
    "archive_run",
    "build_archive_tables",
    "build_demo_archive",
    "count_band",
    "export_research",
    "key_id",
    "load_secret",
    "normalise_name",
    "organisation_key",
    "qi_levels",
    "read_archive",
    "research_columns",
    "size_band",
    "summary_tables",
    "suppress_table",
    "wz_section",
]

#: Environment variable naming the file with the archive secret (takes precedence over the edition).
SECRET_ENV = "VIELFALT_ARCHIVE_SECRET_FILE"

#: The key the demo uses for its synthetic editions only. It is published here and therefore no secret:
#: real editions always need a secret file outside the repository.
DEMO_SECRET = b"vielfalt-demo-archive-key: synthetic data only, published, not a secret"

ARCHIVE_META = "_archive.json"
ARCHIVE_FORMAT = 1

#: Tables of the archive, in order.
ARCHIVE_TABLES = (
    "entries",
    "answers",
    "scores",
    "ranks",
    "reliability",
    "intervals",
    "selection",
    "decisions",
    "agreement",
)

#: Tables archived only when the run has the artefact (table → artefact of the run).
OPTIONAL_SOURCES = {
    "reliability": "ratings/reliability",
    "intervals": "robustness/rank_stats",
    "selection": "site_visits/candidates",
    "decisions": "close/awards",
    "agreement": "close/agreement",
}

#: Quasi-identifier hierarchy, finest first: each level keeps these attributes.
QI_LEVELS: tuple[tuple[str, ...], ...] = (
    ("category", "public", "size_band", "wz_section"),
    ("category", "public", "size_band"),
    ("category", "public"),
    ("category",),
    (),
)

#: Columns of the ``answers`` table.
ANSWER_COLUMNS = ["key", "edition", "questionnaire", "item", "column", "value", "number", "suppressed"]

#: How a suppressed cell is shown in summary tables (Destatis: "Zahlenwert geheim zu halten").
SUPPRESSED = "."

_SIZE_BANDS = ((1, 10, "1–9"), (10, 50, "10–49"), (50, 250, "50–249"), (250, math.inf, "250+"))
_COUNT_BANDS = ((3, 10, "3–9"), (10, 50, "10–49"), (50, 250, "50–249"), (250, math.inf, "250+"))


_TAG = re.compile(r"<[^>]*>")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_GMBH_CO = re.compile(r"gmbh\s*&\s*co\.?\s*(?:kgaa|kg|ohg)?")
_HAFTUNG = re.compile(r"\(\s*haftungsbeschraenkt\s*\)")
#: Legal-form words removed from names (after dots are dropped: "e.V." → "ev").
_LEGAL_TOKENS = frozenset(
    {
        *("gmbh", "ggmbh", "mbh", "ag", "kg", "kgaa", "ohg", "gbr", "ek", "ekfm", "ekfr", "ev", "eg", "ug"),
        *("partg", "partgmbb", "se", "aoer", "koer", "eigenbetrieb"),
    }
)

_KEY_DIGITS = 16


# =========================================================================================================
# the pseudonym
# =========================================================================================================


def normalise_name(name: Any) -> str:
    """Normalise an organisation name for the key: no markup, case, umlauts, punctuation or legal form.

    Parameters
    ----------
    name : object
        The name as entered (``A01``).

    Returns
    -------
    str
        Lower-case ASCII-ish words separated by single spaces; ``""`` for an empty name.

    Examples
    --------
    >>> normalise_name("<b>Kolvara</b> Spedition GmbH & Co. KG")
    'kolvara spedition'
    >>> normalise_name("KOLVARA  Spedition gGmbH") == normalise_name("Kolvara Spedition AG")
    True
    >>> normalise_name("Bäckerei Müller e.K.")
    'baeckerei mueller'
    """
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return ""
    text = unicodedata.normalize("NFKC", _TAG.sub(" ", str(name))).casefold().translate(_TRANSLIT)
    text = _HAFTUNG.sub(" ", _GMBH_CO.sub(" ", text)).replace(".", "")
    words = [w for w in re.split(r"[^0-9a-z]+", text) if w and w not in _LEGAL_TOKENS]
    return " ".join(words)


def wz_section(code: Any) -> str | None:
    """The WZ 2008 section letter of a sector code written at any depth.

    Parameters
    ----------
    code : object
        ``"J"``, ``"62"``, ``"62.01"``, ``"6201"``, ``"62.01.9"`` (or a number Excel made of it).

    Returns
    -------
    str or None
        ``"A"`` … ``"U"``, or None when the code is empty or names no WZ 2008 division.

    Examples
    --------
    >>> wz_section("62.01"), wz_section("J"), wz_section(6201.0), wz_section("00")
    ('J', 'J', 'J', None)
    """
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return None
    text = str(code).strip().upper()
    if re.fullmatch(r"[A-U]", text):
        return text
    digits = re.sub(r"\D", "", text)
    if len(digits) < 2:
        return None
    return wz_section_of_division(int(digits[:2]))


def organisation_key(secret: bytes, name: Any, sector: Any) -> str:
    """The archive key of an organisation: HMAC-SHA256 over its normalised name and WZ section.

    Parameters
    ----------
    secret : bytes
        The archive secret (see :func:`load_secret`).
    name : object
        The organisation's name.
    sector : object
        Its WZ code at any depth (see :func:`wz_section`); empty when unknown.

    Returns
    -------
    str
        16 upper-case hex digits; the same name and sector give the same key under the same secret.

    Examples
    --------
    >>> a = organisation_key(b"x" * 32, "Kolvara Spedition GmbH", "49.41")
    >>> a == organisation_key(b"x" * 32, "kolvara spedition gmbh & co. kg", "H")
    True
    >>> a == organisation_key(b"y" * 32, "Kolvara Spedition GmbH", "49.41")
    False
    """
    text = f"{normalise_name(name)}\x1f{wz_section(sector) or ''}"
    digest = hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:_KEY_DIGITS].upper()


def key_id(secret: bytes) -> str:
    """A fingerprint of the secret, stored in the archive so that all editions use the same key.

    Parameters
    ----------
    secret : bytes

    Returns
    -------
    str
        12 hex digits; reveals nothing about the secret.
    """
    return hmac.new(secret, b"vielfalt archive key id", hashlib.sha256).hexdigest()[:12]


def load_secret(
    edition: Edition,
    *,
    project_root: str | os.PathLike[str],
    environ: Mapping[str, str] | None = None,
) -> tuple[bytes, str]:
    """Read the archive secret of an edition from a file outside the project.

    Parameters
    ----------
    edition : Edition
        Its ``archive.secret_file`` is used when the environment variable is not set.
    project_root : path
        The project; the secret file must not lie inside it (it would end up in the repository).
    environ : mapping, optional
        The environment (default ``os.environ``); :data:`SECRET_ENV` takes precedence.

    Returns
    -------
    (bytes, str)
        The secret (surrounding whitespace stripped) and where it came from.

    Raises
    ------
    ConfigError
        No secret configured, the file missing, inside the project, unreadable or shorter than 16 bytes;
        the message says how to create one.
    """
    env = os.environ if environ is None else environ
    how = (
        'Einen Schlüssel anlegen, z. B.: mkdir -p ~/.config/vielfalt && python3 -c "import secrets; '
        'print(secrets.token_hex(32))" > ~/.config/vielfalt/archiv.key && chmod 600 '
        "~/.config/vielfalt/archiv.key — und diese Datei sicher aufbewahren: ohne sie lassen sich "
        "Wiederholungsteilnahmen späterer Editionen nicht mehr zuordnen."
    )
    if env.get(SECRET_ENV):
        raw, origin = env[SECRET_ENV], f"Umgebungsvariable {SECRET_ENV}"
    elif edition.archive.secret_file:
        raw, origin = (
            edition.archive.secret_file,
            f"params/editions/{edition.edition}.yaml, archive.secret_file",
        )
    else:
        msg = (
            f"Kein Schlüssel für das Forschungsarchiv der Edition {edition.edition}: weder die "
            f"Umgebungsvariable {SECRET_ENV} noch archive.secret_file in params/editions/{edition.edition}.yaml "
            f"nennt eine Schlüsseldatei. Es wurde nichts geschrieben. {how}"
        )
        raise ConfigError(msg)
    path = Path(raw).expanduser()
    if not path.is_absolute():
        msg = (
            f"Die Schlüsseldatei „{raw}“ ({origin}) muss als absoluter Pfad oder mit ~/ angegeben werden, "
            "damit sie außerhalb des Projekts liegt. Es wurde nichts geschrieben."
        )
        raise ConfigError(msg)
    path = path.resolve()
    root = Path(project_root).resolve()
    if path == root or root in path.parents:
        msg = (
            f"Die Schlüsseldatei {path} ({origin}) liegt im Projektordner {root}; ein Schlüssel gehört nie ins "
            f"Repository. Bitte außerhalb ablegen. Es wurde nichts geschrieben. {how}"
        )
        raise ConfigError(msg)
    try:
        data = path.read_bytes().strip()
    except OSError as err:
        msg = (
            f"Die Schlüsseldatei {path} ({origin}) fehlt oder ist nicht lesbar ({err.strerror or err}). "
            f"Es wurde nichts geschrieben. {how}"
        )
        raise ConfigError(msg) from err
    if len(data) < 16:
        msg = (
            f"Die Schlüsseldatei {path} ({origin}) enthält nur {len(data)} Bytes; nötig sind mindestens 16. "
            f"Es wurde nichts geschrieben. {how}"
        )
        raise ConfigError(msg)
    return data, origin


# =========================================================================================================
# coarsening and suppression
# =========================================================================================================


def size_band(headcount: Any) -> str | None:
    """The harmonised size band of a headcount (the 2015 classes, comparable across category schemes).

    Examples
    --------
    >>> size_band(9), size_band(10), size_band(250), size_band(None)
    ('1–9', '10–49', '250+', None)
    """
    return _band(headcount, _SIZE_BANDS)


def count_band(count: Any) -> str | None:
    """The band of a count of persons of at least 3 (smaller counts are suppressed before banding).

    Examples
    --------
    >>> count_band(3), count_band(49), count_band(1200)
    ('3–9', '10–49', '250+')
    """
    return _band(count, _COUNT_BANDS)


def _band(value: Any, bands: Sequence[tuple[float, float, str]]) -> str | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(x):
        return None
    for lo, hi, label in bands:
        if lo <= x < hi:
            return label
    return None


def qi_levels(quasi: pd.DataFrame, *, k: int = 3) -> pd.Series:
    """The finest level of :data:`QI_LEVELS` at which each entry's group has at least `k` members.

    Parameters
    ----------
    quasi : DataFrame
        One row per entry with the columns ``category``, ``public``, ``size_band``, ``wz_section`` (missing
        values form their own group, as they would be shown).
    k : int, default 3
        Smallest group shown.

    Returns
    -------
    Series of int
        0 (everything shown) … 4 (even the category left empty), indexed like `quasi`.

    Examples
    --------
    >>> q = pd.DataFrame({"category": ["a"] * 4, "public": [False] * 4,
    ...                   "size_band": ["1–9"] * 4, "wz_section": ["J", "J", "J", "C"]})
    >>> qi_levels(q).tolist()
    [0, 0, 0, 1]
    """
    frame = quasi.astype(object).where(quasi.notna(), "\x00missing")
    level = pd.Series(len(QI_LEVELS) - 1, index=quasi.index, dtype="int64")
    done = pd.Series(False, index=quasi.index)
    for i, cols in enumerate(QI_LEVELS):
        size = frame.groupby(list(cols), dropna=False)[frame.columns[0]].transform("size") if cols else None
        ok = (size >= k) if size is not None else pd.Series(True, index=quasi.index)
        take = ok & ~done
        level[take] = i
        done |= take
    return level


def _coarsen(quasi: pd.DataFrame, level: pd.Series) -> pd.DataFrame:
    """Empty the attributes each entry's level drops."""
    out = quasi.copy()
    for col in quasi.columns:
        keep = level.map(lambda lv, c=col: c in QI_LEVELS[lv])
        out[col] = out[col].where(keep.to_numpy())
    return out


def suppress_table(
    counts: pd.DataFrame,
    *,
    k: int = 3,
    row_margin: bool = True,
    col_margin: bool = False,
    margin_label: str = "Summe",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Primary and secondary suppression of a table of counts (Destatis cell suppression).

    Parameters
    ----------
    counts : DataFrame
        Non-negative integer counts.
    k : int, default 3
        Cells with ``1 <= n < k`` are suppressed (primary).
    row_margin, col_margin : bool
        Whether row totals (a column ``margin_label``) and column totals (a row ``margin_label``) are
        published; each published margin makes its line a constraint for secondary suppression.
    margin_label : str, default "Summe"

    Returns
    -------
    (DataFrame, DataFrame)
        The counts with the published margins added, and a boolean mask of the same shape, True where the
        cell must be shown as :data:`SUPPRESSED`.

    Examples
    --------
    >>> t = pd.DataFrame({"a": [5, 2, 7], "b": [4, 6, 8]}, index=["x", "y", "z"])
    >>> full, mask = suppress_table(t)
    >>> mask.loc["y"].tolist()  # 2 suppressed, and 6 with it: otherwise 8 − 6 would give it away
    [True, True, False]
    """
    table = counts.astype("int64").copy()
    if row_margin:
        table[margin_label] = table.sum(axis=1)
    if col_margin:
        table.loc[margin_label] = table.sum(axis=0)
    inner_rows = [r for r in table.index if not (col_margin and r == margin_label)]
    inner_cols = [c for c in table.columns if not (row_margin and c == margin_label)]
    values = table.to_numpy(copy=True)
    m = np.zeros(values.shape, dtype=bool)
    small = (values >= 1) & (values < k)
    for i, r in enumerate(table.index):
        for j, c in enumerate(table.columns):
            if r in inner_rows and c in inner_cols and small[i, j]:
                m[i, j] = True
    lines: list[list[tuple[int, int]]] = []
    if row_margin:  # every row with its total is one constraint
        lines += [[(i, j) for j in range(len(table.columns))] for i in range(len(table.index))]
    if col_margin:
        lines += [[(i, j) for i in range(len(table.index))] for j in range(len(table.columns))]
    margin_cells = {
        (i, j)
        for i, r in enumerate(table.index)
        for j, c in enumerate(table.columns)
        if r not in inner_rows or c not in inner_cols
    }
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [cell for cell in line if m[cell]]
            if len(hidden) != 1:
                continue
            open_cells = [cell for cell in line if not m[cell]]
            inner = [c for c in open_cells if c not in margin_cells and values[c] > 0]
            pool = inner or [c for c in open_cells if c not in margin_cells] or open_cells
            if not pool:
                continue
            pick = min(pool, key=lambda c: (values[c], c))
            m[pick] = True
            changed = True
    return table, pd.DataFrame(m, index=table.index, columns=table.columns)


def _masked(values: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """Values as objects with suppressed cells shown as :data:`SUPPRESSED`."""
    out = values.astype(object).copy()
    out[mask.reindex_like(out).fillna(False).to_numpy(dtype=bool)] = SUPPRESSED
    return out


# =========================================================================================================
# which answers go into the archive
# =========================================================================================================


@dataclass(frozen=True)
class ColumnRule:
    """How one response column enters the archive (or why it does not)."""

    item: str
    column: str
    kind: Literal["tick", "other_flag", "code", "share", "band", "band_floor", "excluded"]
    denominator: str | None = None
    floor: int = 3
    reason: str = ""


def _denominator(item: Item, column: str) -> str | None:
    """The column that bounds a count: the right side of an ``le`` check or the total of a ``sum_eq``."""
    for chk in item.checks:
        if chk.kind == "le" and chk.left == column:
            return chk.right
        if chk.kind == "sum_eq" and column in chk.parts:
            return chk.total
    return None


def research_columns(q: Questionnaire, ed: Edition, *, lang: str = "de") -> list[ColumnRule]:
    """Decide for every response column whether and how it enters the research archive.

    Parameters
    ----------
    q : Questionnaire
        The edition's instrument; its ``pii``, ``exports``, ``redact_for``, ``special_category`` and
        ``small_cell`` flags decide.
    ed : Edition
        For the quasi-identifier items (name, sector, public-body item, category basis) and the consent item.
    lang : {"de", "en"}, default "de"
        Language of the reasons.

    Returns
    -------
    list of ColumnRule
        In instrument order; ``kind == "excluded"`` with a reason for the columns left out.
    """
    de = lang != "en"
    k = ed.archive.min_cell
    scheme = ed.category_scheme
    qi_items = {ed.archive.name_item, ed.archive.sector_item}
    if scheme.public is not None:
        qi_items.add(scheme.public.item)
    consent_item = ed.archive.consent.split("[", 1)[0] if ed.archive.consent else None
    out: list[ColumnRule] = []
    for _, it in q.iter_items():
        cols = it.columns()
        why = ""
        if it.pii or any(s.pii for s in it.subs or []):
            why = "personenbezogen (pii)" if de else "personal data (pii)"
        elif it.exports is not None and "research" not in it.exports:
            why = (
                f"Exportprofile {', '.join(it.exports)} (nicht research)"
                if de
                else f"export profiles {', '.join(it.exports)} (not research)"
            )
        elif "research" in it.redact_for:
            why = "für research geschwärzt (Freitext)" if de else "redacted for research (free text)"
        elif it.type in ("text", "multitext"):
            why = "Freitext" if de else "free text"
        elif it.id in qi_items:
            why = (
                "Quasi-Identifikator: nur vergröbert in entries"
                if de
                else "quasi-identifier: only coarsened in entries"
            )
        elif it.id == consent_item:
            why = "Einwilligungen (Forschung: entries.research_consent)" if de else "consents"
        if why:
            out += [ColumnRule(item=it.id, column=c, kind="excluded", reason=why) for c in cols]
            continue
        for c in cols:
            if c == scheme.basis:
                reason = (
                    "Kategorie-Grundlage: nur als Größenband in entries"
                    if de
                    else "category basis: only as size band in entries"
                )
                out.append(ColumnRule(item=it.id, column=c, kind="excluded", reason=reason))
            elif c.endswith("[other]"):
                out.append(ColumnRule(item=it.id, column=c, kind="other_flag"))
            elif it.type == "multi":
                out.append(ColumnRule(item=it.id, column=c, kind="tick"))
            elif it.type in ("single", "yesno", "array"):
                out.append(ColumnRule(item=it.id, column=c, kind="code"))
            elif it.special_category or it.small_cell:
                floor = max(k, int(it.small_cell or k))
                out.append(ColumnRule(item=it.id, column=c, kind="band_floor", floor=floor))
            else:
                den = _denominator(it, c)
                kind: Literal["share", "band"] = "share" if den else "band"
                out.append(ColumnRule(item=it.id, column=c, kind=kind, denominator=den, floor=k))
    return out


def _num(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def _answers(
    entries: pd.DataFrame,
    keys: pd.Series,
    q: Questionnaire,
    ed: Edition,
    rules: list[ColumnRule],
) -> pd.DataFrame:
    """The long answers table for the given (consenting) entries."""
    blocks: list[pd.DataFrame] = []
    n = len(entries)
    suppressed_of: dict[str, np.ndarray] = {}
    raw_of: dict[str, np.ndarray] = {}
    na_codes = {code for s in q.scales.values() for code in s.not_applicable}
    for rule in rules:
        if rule.kind == "excluded":
            continue
        col = entries[rule.column] if rule.column in entries else pd.Series([None] * n, index=entries.index)
        value = np.full(n, "", dtype=object)
        number = np.full(n, np.nan)
        supp = np.zeros(n, dtype=bool)
        if rule.kind == "tick":
            ticked = col.fillna(False).astype(bool).to_numpy()
            value = np.where(ticked, "1", "0").astype(object)
            number = ticked.astype(float)
        elif rule.kind == "other_flag":
            given = col.fillna("").astype(str).str.strip().ne("").to_numpy()
            value = np.where(given, "1", "0").astype(object)
            number = given.astype(float)
        elif rule.kind == "code":
            text = col.astype(object).where(col.notna(), "").astype(str).to_numpy()
            value = text.astype(object)
            number = np.array(
                [float(t) if t.isdigit() and t not in na_codes else np.nan for t in text], dtype=float
            )
        else:
            raw = _num(col)
            raw_of[rule.column] = raw
            answered = ~np.isnan(raw)
            if rule.kind == "band_floor":
                supp = answered & (raw < rule.floor)
                value = np.array(
                    [
                        "" if (s or not a) else (count_band(x) or "")
                        for x, s, a in zip(raw, supp, answered, strict=True)
                    ],
                    dtype=object,
                )
            else:
                supp = answered & (raw >= 1) & (raw < rule.floor)
                if rule.kind == "share":
                    den = (
                        _num(entries[rule.denominator]) if rule.denominator in entries else np.full(n, np.nan)
                    )
                    with np.errstate(divide="ignore", invalid="ignore"):
                        share = np.where((den > 0) & answered, np.round(raw / den, 1), np.nan)
                    number = np.where(supp, np.nan, share)
                    value = np.array(["" if np.isnan(x) else f"{x:.1f}" for x in number], dtype=object)
                else:
                    value = np.array(
                        [
                            "" if (s or not a) else (count_band(x) or "0")
                            for x, s, a in zip(raw, supp, answered, strict=True)
                        ],
                        dtype=object,
                    )
            suppressed_of[rule.column] = supp
        blocks.append(
            pd.DataFrame(
                {
                    "key": keys.to_numpy(),
                    "column": rule.column,
                    "item": rule.item,
                    "value": value,
                    "number": number,
                    "suppressed": supp,
                }
            )
        )
    if not blocks:
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    long = pd.concat(blocks, ignore_index=True)
    # secondary suppression inside one answer: the parts of a sum add up to the total
    for _, it in q.iter_items():
        for chk in it.checks:
            if chk.kind != "sum_eq":
                continue
            parts = [p for p in chk.parts if p in suppressed_of]
            if len(parts) < 2:
                continue
            supp = np.column_stack([suppressed_of[p] for p in parts])
            raw = np.column_stack([raw_of[p] for p in parts])
            for row in np.flatnonzero(supp.sum(axis=1) == 1):
                open_ = [
                    (raw[row, j], j)
                    for j in range(len(parts))
                    if not supp[row, j] and not np.isnan(raw[row, j])
                ]
                if not open_:
                    continue
                _, j = min(open_)
                suppressed_of[parts[j]][row] = True
                sel = (long["column"] == parts[j]).to_numpy() & (long["key"] == keys.iloc[row]).to_numpy()
                long.loc[sel, ["value", "number", "suppressed"]] = ["", np.nan, True]
    long["edition"] = ed.edition
    long["questionnaire"] = q.meta.id
    order = {r.column: i for i, r in enumerate(rules)}
    long["_o"] = long["column"].map(order)
    long = long.sort_values(["key", "_o"], kind="mergesort").drop(columns="_o").reset_index(drop=True)
    long = long[ANSWER_COLUMNS]
    for c in ("key", "edition", "questionnaire", "item", "column", "value"):
        long[c] = long[c].astype(str)
    long["number"] = long["number"].astype("float64")
    long["suppressed"] = long["suppressed"].astype(bool)
    return long


# =========================================================================================================
# building the tables of one edition
# =========================================================================================================


@dataclass
class ArchiveTables:
    """The pseudonymised tables of one edition, ready to be archived or exported.

    Attributes
    ----------
    edition : str
    questionnaire : str
    tables : dict of str to DataFrame
        In the order of :data:`ARCHIVE_TABLES`, only those built.
    skipped : dict of str to str
        Tables not built and why (German).
    notes : list of str
        What was coarsened or suppressed (German).
    rules : list of ColumnRule
        The decision for every response column.
    """

    edition: str
    questionnaire: str
    tables: dict[str, pd.DataFrame]
    skipped: dict[str, str]
    notes: list[str]
    rules: list[ColumnRule] = field(default_factory=list)


def _str(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None).astype("string")


def build_archive_tables(
    run_dir: str | os.PathLike[str],
    ed: Edition,
    q: Questionnaire,
    *,
    secret: bytes,
    lang: str = "de",
) -> ArchiveTables:
    """Build the pseudonymised research tables of one run (see the module docstring for every rule).

    Parameters
    ----------
    run_dir : path
        A run with at least intake and scoring (``intake/entries``, ``scoring/scores``, ``scoring/ranks``).
    ed, q : Edition, Questionnaire
        The edition and its instrument.
    secret : bytes
        The archive secret.
    lang : {"de", "en"}, default "de"
        Language of reasons in the column rules.

    Returns
    -------
    ArchiveTables

    Raises
    ------
    DataError
        A required artefact is missing, two entries get the same key (the same organisation twice in one
        edition), or the edition has fewer entries than ``archive.min_cell``.
    """
    run = Path(run_dir)
    k = ed.archive.min_cell
    entries = read_artefact(run, "intake/entries")
    scores = read_artefact(run, "scoring/scores")
    ranks = read_artefact(run, "scoring/ranks")
    notes: list[str] = []
    skipped: dict[str, str] = {}
    if len(entries) < k:
        msg = (
            f"Die Edition {ed.edition} hat nur {len(entries)} angenommene Einträge; ein Forschungsarchiv braucht "
            f"mindestens {k}, sonst ist jede Zeile eine erkennbare Organisation."
        )
        raise DataError(msg)
    name_item = ed.archive.name_item
    sector_item = ed.archive.sector_item
    names = entries[name_item] if name_item in entries else pd.Series("", index=entries.index)
    sectors = (
        entries[sector_item]
        if sector_item and sector_item in entries
        else pd.Series(None, index=entries.index)
    )
    keys = pd.Series(
        [organisation_key(secret, n, s) for n, s in zip(names, sectors, strict=True)],
        index=entries.index,
        name="key",
    )
    dup = keys[keys.duplicated(keep=False)]
    if len(dup):
        pairs = ", ".join(f"{e} ({keys[e]})" for e in dup.index)
        msg = (
            f"Zwei Einträge der Edition {ed.edition} ergeben denselben Archivschlüssel, also dieselbe "
            f"Organisation (gleicher Name und Wirtschaftsabschnitt): {pairs}. Bitte die Einsendungen prüfen; "
            "eine Organisation gehört nur einmal in eine Edition."
        )
        raise DataError(msg)
    missing_sector = int(sectors.map(wz_section).isna().sum())
    if missing_sector:
        notes.append(
            f"{missing_sector} Einträge ohne gültigen Wirtschaftszweig: ihr Schlüssel beruht nur auf dem Namen."
        )
    scheme = ed.category_scheme
    public_codes = set(scheme.public.codes) if scheme.public else set()
    public_col = entries[scheme.public.item] if scheme.public and scheme.public.item in entries else None
    quasi = pd.DataFrame(
        {
            "category": entries[CATEGORY].astype(object),
            "public": public_col.isin(public_codes).astype(object) if public_col is not None else False,
            "size_band": entries[scheme.basis].map(size_band) if scheme.basis in entries else None,
            "wz_section": sectors.map(wz_section),
        },
        index=entries.index,
    )
    level = qi_levels(quasi, k=k)
    shown = _coarsen(quasi, level)
    counts = level.value_counts().to_dict()
    if any(lv > 0 for lv in counts):
        what = {
            1: "ohne Wirtschaftsabschnitt",
            2: "ohne Größenband",
            3: "ohne Trägerkennzeichen",
            4: "ohne Kategorie",
        }
        parts = [f"{counts[lv]} {what[lv]}" for lv in sorted(counts) if lv > 0]
        notes.append(
            f"Quasi-Identifikatoren vergröbert (Gruppen unter {k}): " + ", ".join(parts) + " (jeweils mit "
            "allen gröberen Stufen davor)."
        )
    consent_col = ed.archive.consent
    if consent_col is None:
        consent = pd.Series(True, index=entries.index)
    elif consent_col in entries:
        consent = entries[consent_col].fillna(False).astype(bool)
    else:
        consent = pd.Series(False, index=entries.index)
        notes.append(f"Einwilligungsspalte {consent_col} fehlt in den Daten: keine Antworten archiviert.")
    order = keys.sort_values(kind="mergesort").index
    category = _str(shown["category"]).reindex(order)

    ent = pd.DataFrame(
        {
            "key": keys[order].astype("string"),
            "edition": pd.Series(ed.edition, index=order, dtype="string"),
            "year": pd.Series(ed.year, index=order, dtype="int64"),
            "questionnaire": pd.Series(q.meta.id, index=order, dtype="string"),
            "category_scheme": pd.Series(scheme.id, index=order, dtype="string"),
            "category": category,
            "size_band": _str(shown["size_band"]).reindex(order),
            "wz_section": _str(shown["wz_section"]).reindex(order),
            "public": shown["public"].reindex(order).astype("boolean"),
            "research_consent": consent.reindex(order).astype(bool),
            "qi_level": level.reindex(order).astype("int64"),
        }
    ).reset_index(drop=True)
    tables: dict[str, pd.DataFrame] = {"entries": ent}

    rules = research_columns(q, ed, lang=lang)
    consenting = entries.loc[[e for e in order if consent[e]]]
    tables["answers"] = _answers(consenting, keys[consenting.index], q, ed, rules)
    n_without = int((~consent).sum())
    if n_without:
        notes.append(
            f"{n_without} Einträge ohne Forschungseinwilligung: ihre Antworten sind nicht archiviert."
        )

    def per_entry(frame: pd.DataFrame, columns: list[str], *, rank_like: Sequence[str] = ()) -> pd.DataFrame:
        unknown = [e for e in frame.index if e not in keys.index]
        if unknown:
            msg = f"Einträge {unknown[:5]} stehen nicht in intake/entries; der Lauf ist inkonsistent."
            raise DataError(msg)
        idx = [e for e in order if e in frame.index]
        out = pd.DataFrame(
            {
                "key": keys[idx].astype("string").to_numpy(),
                "edition": ed.edition,
                "category": category.reindex(idx).to_numpy(),
            }
        )
        out["edition"] = out["edition"].astype("string")
        out["category"] = out["category"].astype("string")
        hidden = out["category"].isna().to_numpy()
        for c in columns:
            values = frame.loc[idx, c].reset_index(drop=True)
            if c in rank_like:
                values = values.astype("Float64").mask(pd.Series(hidden))
            out[c] = values
        return out

    sections = [c for c in scores.columns if c != CATEGORY]
    sc = per_entry(scores, sections)
    for c in sections:
        sc[c] = sc[c].astype("float64").round(2)
    tables["scores"] = sc
    rk = per_entry(ranks, list(ranks.columns), rank_like=list(ranks.columns))
    for c in ranks.columns:
        rk[c] = rk[c].astype("Int64")
    tables["ranks"] = rk

    for name, artefact in OPTIONAL_SOURCES.items():
        try:
            frame = read_artefact(run, artefact)
        except DataError:
            skipped[name] = f"{artefact} fehlt im Lauf (Stufe {artefact.split('/')[0]} nicht gelaufen)"
            continue
        if name == "reliability":
            small = frame["n_entries"] < k if "n_entries" in frame else pd.Series(False, index=frame.index)
            if small.any():
                notes.append(
                    f"Reliabilität: {int(small.sum())} Zeilen mit weniger als {k} Einträgen weggelassen."
                )
            rel = frame[~small].reset_index(drop=True)
            rel.insert(0, "edition", ed.edition)
            rel["edition"] = rel["edition"].astype("string")
            tables[name] = rel
        elif name == "agreement":
            agr = frame.reset_index(drop=True).copy()
            agr.insert(0, "edition", ed.edition)
            agr["edition"] = agr["edition"].astype("string")
            tables[name] = agr
        elif name == "intervals":
            cols = [c for c in ("Nominal", "Mean", "Median", "Q5", "Q95", "P_topk", "k") if c in frame]
            iv = per_entry(
                frame, cols, rank_like=[c for c in cols if c in ("Nominal", "Mean", "Median", "Q5", "Q95")]
            )
            tables[name] = iv
        elif name == "selection":
            cols = [c for c in ("status", "selected", "priority", "reasons") if c in frame]
            tables[name] = per_entry(frame, cols, rank_like=["priority"] if "priority" in cols else [])
        elif name == "decisions":
            cols = [c for c in ("awarded", "recommended", "tie", "decided_by") if c in frame]
            tables[name] = per_entry(frame, cols)
    ordered = {t: tables[t] for t in ARCHIVE_TABLES if t in tables}
    return ArchiveTables(
        edition=ed.edition,
        questionnaire=q.meta.id,
        tables=ordered,
        skipped=skipped,
        notes=notes,
        rules=rules,
    )


# =========================================================================================================
# the archive on disk
# =========================================================================================================


@dataclass
class ArchiveResult:
    """What :func:`archive_run` did.

    Attributes
    ----------
    edition : str
    status : {"added", "unchanged", "replaced"}
    archive_dir : Path
    files : dict of str to Path
        Table → its partition file.
    skipped, notes
        As in :class:`ArchiveTables`.
    """

    edition: str
    status: Literal["added", "unchanged", "replaced"]
    archive_dir: Path
    files: dict[str, Path]
    skipped: dict[str, str]
    notes: list[str]
    rows: dict[str, int] = field(default_factory=dict)

    def summary(self, lang: str = "de") -> str:
        """A few lines for the terminal."""
        word = {
            "added": "aufgenommen",
            "unchanged": "unverändert (schon so im Archiv)",
            "replaced": "ersetzt",
        }
        lines = [f"Edition {self.edition}: {word[self.status]} in {self.archive_dir}"]
        lines += [f"  {t}: {n} Zeilen" for t, n in self.rows.items()]
        lines += [f"  nicht archiviert: {t} — {why}" for t, why in self.skipped.items()]
        lines += [f"  Hinweis: {n}" for n in self.notes]
        return "\n".join(lines)


def _partition(archive_dir: Path, table: str, edition: str) -> Path:
    return archive_dir / table / f"edition={edition}" / "part.parquet"


def _read_meta(archive_dir: Path) -> dict[str, Any]:
    path = archive_dir / ARCHIVE_META
    if not path.is_file():
        return {"format": ARCHIVE_FORMAT, "key_id": None, "editions": {}}
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        msg = f"{path} ist beschädigt ({err}); das Archiv kann so nicht ergänzt werden."
        raise DataError(msg, path=str(path)) from err
    if not isinstance(meta, dict) or "editions" not in meta:
        msg = f"{path} ist keine Archivbeschreibung von vielfalt."
        raise DataError(msg, path=str(path))
    return meta


def _run_source(run_dir: Path) -> dict[str, Any]:
    """What the archive records about the run an edition came from."""
    if not (run_dir / MANIFEST_NAME).is_file():
        return {"run_id": None, "mode": "in-process", "stages_completed": []}
    m = load_manifest(run_dir)
    logical: dict[str, str] = {}
    for name, path in m.inputs.items():
        if path in m.input_hashes:
            logical[name] = m.input_hashes[path]
        for p, h in m.input_hashes.items():
            if p.startswith(path.rstrip("/") + "/"):
                logical[f"{name}/{p[len(path.rstrip('/')) + 1 :]}"] = h
    return {
        "run_id": m.run_id,
        "mode": "pipeline",
        "stages_completed": list(m.stages_completed),
        "questionnaire_sha256": m.questionnaire_sha256,
        "inputs": dict(sorted(logical.items())),
        "git_commit": m.git.commit,
    }


def archive_run(
    run_dir: str | os.PathLike[str],
    ed: Edition,
    q: Questionnaire,
    *,
    archive_dir: str | os.PathLike[str],
    secret: bytes,
    replace: bool = False,
    source: Mapping[str, Any] | None = None,
) -> ArchiveResult:
    """Add the tables of one run to the archive (idempotent; a different result needs ``replace``).

    Parameters
    ----------
    run_dir : path
        The run to archive.
    ed, q : Edition, Questionnaire
    archive_dir : path
        The archive (``archive/``).
    secret : bytes
        The archive secret; the archive refuses an edition keyed with another secret than its others.
    replace : bool, default False
        Replace an edition already archived with a different result.
    source : mapping, optional
        What to record about the run; by default read from its manifest.

    Returns
    -------
    ArchiveResult

    Raises
    ------
    ConfigError
        The archive was built with another secret.
    DataError
        The edition is already archived with a different result and ``replace`` is not set (nothing is
        written), or a table cannot be built.
    """
    run = Path(run_dir)
    root = Path(archive_dir)
    meta = _read_meta(root)
    kid = key_id(secret)
    if meta.get("key_id") not in (None, kid):
        msg = (
            f"Das Archiv {root} wurde mit einem anderen Schlüssel angelegt (Kennung {meta['key_id']}, hier {kid}); "
            "mit verschiedenen Schlüsseln ließen sich Wiederholungsteilnahmen nicht zuordnen. Bitte die "
            f"Schlüsseldatei des Archivs verwenden ({SECRET_ENV}) oder ein anderes Archiv wählen (--archive DIR)."
        )
        raise ConfigError(msg)
    built = build_archive_tables(run, ed, q, secret=secret)
    blobs = {name: parquet_bytes(df, name=name) for name, df in built.tables.items()}
    hashes = {name: sha256_bytes(b) for name, b in blobs.items()}
    files = {name: _partition(root, name, ed.edition) for name in blobs}
    rows = {name: len(df) for name, df in built.tables.items()}
    before = meta["editions"].get(ed.edition)
    if before is not None:
        old = {t: v["sha256"] for t, v in before.get("tables", {}).items()}
        on_disk = all(
            _partition(root, t, ed.edition).is_file()
            and sha256_bytes(_partition(root, t, ed.edition).read_bytes()) == h
            for t, h in old.items()
        )
        if old == hashes and on_disk:
            return ArchiveResult(ed.edition, "unchanged", root, files, built.skipped, built.notes, rows)
        if not replace:
            diff = sorted(t for t in set(old) | set(hashes) if old.get(t) != hashes.get(t))
            was = before.get("source", {}).get("run_id") or "ohne Lauf-ID"
            msg = (
                f"Die Edition {ed.edition} ist schon im Archiv (aus Lauf {was}, archiviert {before.get('archived_at')}); "
                f"der neue Stand weicht ab in: {', '.join(diff)}. Es wurde nichts geschrieben. Zum Ersetzen "
                f"`vielfalt archive {ed.edition} --replace` aufrufen."
            )
            raise DataError(msg)
    for name, data in blobs.items():
        _atomic_write_bytes(files[name], data)
    for table in ARCHIVE_TABLES:
        stale = _partition(root, table, ed.edition)
        if table not in blobs and stale.is_file():
            stale.unlink()
    meta["format"] = ARCHIVE_FORMAT
    meta["key_id"] = kid
    meta["editions"][ed.edition] = {
        "year": ed.year,
        "questionnaire": q.meta.id,
        "questionnaire_sha256": q.sha256(),
        "category_scheme": ed.category_scheme.id,
        "min_cell": ed.archive.min_cell,
        "archived_at": utc_now(),
        "source": dict(source) if source is not None else _run_source(run),
        "tables": {t: {"sha256": hashes[t], "rows": rows[t]} for t in blobs},
        "skipped": built.skipped,
        "notes": built.notes,
    }
    meta["editions"] = dict(sorted(meta["editions"].items()))
    text = json.dumps(meta, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    _atomic_write_bytes(root / ARCHIVE_META, text.encode("utf-8"))
    status: Literal["added", "replaced"] = "replaced" if before is not None else "added"
    return ArchiveResult(ed.edition, status, root, files, built.skipped, built.notes, rows)


def _latest_scored_run(project_root: Path, edition: str) -> Path:
    from vielfalt.runs.runner import list_runs

    runs = [
        r
        for r in list_runs(project_root / "runs", edition)
        if r.status == "complete" and r.manifest is not None and "scoring" in _completed(r.path)
    ]
    if not runs:
        msg = (
            f"Kein vollständiger Lauf der Edition {edition} mit Scoring in {project_root / 'runs' / edition}. "
            f"Bitte zuerst: vielfalt run {edition}"
        )
        raise DataError(msg)
    return max(runs, key=lambda r: (r.started_at or "", r.run_id)).path


def _completed(run_dir: Path) -> list[str]:
    """Stages whose artefacts a run holds: its own and those of its base run."""
    m = load_manifest(run_dir)
    done = list(m.stages_completed)
    if m.base_run is not None:
        done += m.base_run.stages_completed
    return done


def archive_edition(
    project_root: str | os.PathLike[str],
    edition: str,
    *,
    archive_dir: str | os.PathLike[str] | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    replace: bool = False,
    allow_open: bool = False,
    environ: Mapping[str, str] | None = None,
) -> ArchiveResult:
    """Archive the latest complete run of a closed edition (``vielfalt archive ED``).

    Parameters
    ----------
    project_root : path
    edition : str
    archive_dir : path, optional
        Default ``<project_root>/archive``.
    run_dir : path, optional
        A specific complete run instead of the latest.
    replace : bool, default False
        Replace a different earlier result of the edition.
    allow_open : bool, default False
        Archive although the run has no jury decisions (``close/awards``).
    environ : mapping, optional
        Environment for :data:`SECRET_ENV` (default ``os.environ``).

    Returns
    -------
    ArchiveResult

    Raises
    ------
    ConfigError
        No usable secret (checked before anything else; nothing is written).
    DataError
        No complete run, the edition not closed (without ``allow_open``), or already archived differently.
    """
    from vielfalt.config.edition import load_context

    root = Path(project_root)
    ed, q = load_context(root, edition)
    secret, _ = load_secret(ed, project_root=root, environ=environ)
    run = Path(run_dir) if run_dir is not None else _latest_scored_run(root, ed.edition)
    if not allow_open and "close" not in _completed(run):
        msg = (
            f"Die Edition {ed.edition} ist nicht abgeschlossen: der Lauf {run.name} enthält keine Jury-"
            "Entscheidungen (Stufe close). Erst nach der Jurysitzung archivieren, oder bewusst ohne "
            f"Entscheidungen: vielfalt archive {ed.edition} --allow-open"
        )
        raise DataError(msg)
    target = Path(archive_dir) if archive_dir is not None else root / "archive"
    return archive_run(run, ed, q, archive_dir=target, secret=secret, replace=replace)


def read_archive(
    archive_dir: str | os.PathLike[str], table: str, *, editions: Sequence[str] | None = None
) -> pd.DataFrame:
    """Read one table of the archive over all (or the given) editions.

    Parameters
    ----------
    archive_dir : path
    table : str
        One of :data:`ARCHIVE_TABLES`.
    editions : sequence of str, optional
        Default: every edition in ``_archive.json``.

    Returns
    -------
    DataFrame
        The partitions concatenated in edition order; empty (no columns) when no edition has the table.

    Raises
    ------
    ConfigError
        Unknown table.
    DataError
        A partition that ``_archive.json`` lists is missing or differs from its recorded hash.
    """
    if table not in ARCHIVE_TABLES:
        from vielfalt.config._yaml import did_you_mean

        msg = f"Unbekannte Archivtabelle „{table}“ ({', '.join(ARCHIVE_TABLES)}).{did_you_mean(table, ARCHIVE_TABLES)}"
        raise ConfigError(msg)
    root = Path(archive_dir)
    meta = _read_meta(root)
    wanted = list(editions) if editions is not None else list(meta["editions"])
    frames = []
    for ed in wanted:
        info = meta["editions"].get(ed)
        if info is None:
            msg = f"Die Edition {ed} ist nicht im Archiv {root} (vorhanden: {', '.join(meta['editions']) or '—'})."
            raise DataError(msg)
        rec = info["tables"].get(table)
        if rec is None:
            continue
        path = _partition(root, table, ed)
        try:
            data = path.read_bytes()
        except OSError as err:
            msg = f"Archivteil {path} fehlt ({err.strerror or err})."
            raise DataError(msg, path=str(path)) from err
        if sha256_bytes(data) != rec["sha256"]:
            msg = f"Archivteil {path} wurde nach dem Archivieren verändert (Prüfsumme stimmt nicht)."
            raise DataError(msg, path=str(path))
        import io

        import pyarrow.parquet as pq

        frames.append(pq.read_table(io.BytesIO(data)).to_pandas())
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


# =========================================================================================================
# research export of one edition
# =========================================================================================================


def summary_tables(
    built: ArchiveTables, ed: Edition, q: Questionnaire, *, lang: str = "de"
) -> dict[str, pd.DataFrame]:
    """Summary tables for publication with primary and secondary suppression (see :func:`suppress_table`).

    Parameters
    ----------
    built : ArchiveTables
    ed, q : Edition, Questionnaire
    lang : {"de", "en"}, default "de"

    Returns
    -------
    dict of str to DataFrame
        ``participation`` (entries per category with total), ``scores_by_category`` (n, mean and median
        total per category, suppressed with the counts) and ``measures_by_category`` (entries with a
        research consent and at least one measure per field of action, per category, with total). Suppressed
        cells hold :data:`SUPPRESSED`.
    """
    de = lang != "en"
    k = ed.archive.min_cell
    total = "Summe" if de else "Total"
    ent = built.tables["entries"]
    cats = ed.categories()
    label = {c: ed.category_scheme.label(c, lang) for c in cats}
    hidden = "ohne Kategorie (vergröbert)" if de else "no category (coarsened)"
    cat = ent["category"].astype(object).where(ent["category"].notna(), hidden)
    order = [c for c in cats if (cat == c).any()] + ([hidden] if (cat == hidden).any() else [])
    counts = cat.value_counts().reindex(order).fillna(0).astype("int64")
    part_counts = pd.DataFrame({"n": counts}).T
    full, mask = suppress_table(part_counts, k=k, row_margin=True, margin_label=total)
    participation = _masked(full, mask).T.rename_axis("category").reset_index()
    participation.columns = ["Kategorie" if de else "Category", "Einträge" if de else "Entries"]
    participation.iloc[:, 0] = [label.get(c, c) for c in participation.iloc[:, 0]]

    scores = built.tables["scores"].set_index("key")["total"]
    by = cat.set_axis(ent["key"]).reindex(scores.index)
    grouped = scores.groupby(by)
    stats = pd.DataFrame(
        {
            "n": grouped.size().reindex(order).fillna(0).astype("int64"),
            "mean": grouped.mean().reindex(order).round(1),
            "median": grouped.median().reindex(order).round(1),
        }
    )
    stats.loc[total] = [len(scores), round(float(scores.mean()), 1), round(float(scores.median()), 1)]
    cell_mask = mask.T[["n"]].reindex(stats.index).fillna(False)["n"].to_numpy(dtype=bool)
    shown = stats.astype(object)
    shown.loc[cell_mask, :] = SUPPRESSED
    shown = shown.rename_axis("category").reset_index()
    shown["category"] = [label.get(c, c) for c in shown["category"]]
    shown.columns = (
        ["Kategorie", "Einträge", "Mittelwert Gesamtpunkte", "Median Gesamtpunkte"]
        if de
        else ["Category", "Entries", "Mean total", "Median total"]
    )

    ans = built.tables["answers"]
    fields = {it.id: it.field for _, it in q.iter_items() if it.field}
    baseline = {
        f"{it.id}[{o.code}]" for _, it in q.iter_items() if it.field for o in (it.options or []) if o.baseline
    }
    ticks = ans[
        ans["item"].isin(list(fields))
        & ~ans["column"].isin(list(baseline))
        & ~ans["column"].str.endswith("[other]")
    ]
    ticks = ticks.assign(field=ticks["item"].map(fields), ticked=ticks["number"].fillna(0) > 0)
    has = ticks.groupby(["key", "field"])["ticked"].any().unstack("field", fill_value=False)
    has_cat = cat.set_axis(ent["key"]).reindex(has.index)
    field_order = [f.code for f in q.fields_of_action if f.code in has.columns]
    table = has.groupby(has_cat).sum().T.reindex(index=field_order, columns=order).fillna(0).astype("int64")
    full, mask = suppress_table(table, k=k, row_margin=True, margin_label=total)
    measures = _masked(full, mask)
    measures.columns = [label.get(c, c) for c in measures.columns]
    names = {f.code: f.label.get(lang) for f in q.fields_of_action}
    measures.index = [names.get(i, i) for i in measures.index]
    measures = measures.rename_axis("Handlungsfeld" if de else "Field of action").reset_index()
    return {"participation": participation, "scores_by_category": shown, "measures_by_category": measures}


def _dictionary(built: ArchiveTables, q: Questionnaire, ed: Edition, *, lang: str = "de") -> pd.DataFrame:
    """The data dictionary: every column of every table, and every instrument column with its rule."""
    de = lang != "en"
    k = ed.archive.min_cell
    rows: list[dict[str, str]] = []
    fixed = {
        "key": (
            "Pseudonym der Organisation (HMAC-SHA256, stabil über Editionen)",
            "organisation pseudonym (HMAC-SHA256, stable across editions)",
        ),
        "edition": ("Edition", "edition"),
        "year": ("Jahr der Edition", "year of the edition"),
        "questionnaire": ("Fragebogen-Version", "questionnaire version"),
        "category_scheme": ("Kategorienschema der Edition", "category scheme of the edition"),
        "category": ("Größenkategorie der Edition (leer: vergröbert)", "size category (empty: coarsened)"),
        "size_band": (
            "Beschäftigte als Band 1–9, 10–49, 50–249, 250+ (leer: vergröbert)",
            "headcount band (empty: coarsened)",
        ),
        "wz_section": (
            "Abschnitt der WZ 2008 (A–U; leer: vergröbert oder unbekannt)",
            "WZ 2008 section (empty: coarsened or unknown)",
        ),
        "public": ("öffentliche Einrichtung (leer: vergröbert)", "public institution (empty: coarsened)"),
        "research_consent": (
            "Einwilligung in pseudonymisierte Forschung (nur dann Antworten)",
            "research consent (answers only then)",
        ),
        "qi_level": (
            "Vergröberungsstufe 0–4 der Quasi-Identifikatoren",
            "coarsening level 0–4 of the quasi-identifiers",
        ),
        "item": ("Item des Fragebogens", "questionnaire item"),
        "column": ("Antwortspalte (LimeSurvey-Code)", "response column (LimeSurvey code)"),
        "value": (
            "Antwort (Code, 1/0, Anteil oder Band; leer: keine Angabe oder gesperrt)",
            "answer (code, 1/0, share or band)",
        ),
        "number": (
            "Antwort als Zahl, wo sinnvoll (1/0, Anteil, Skalenwert)",
            "answer as number where meaningful",
        ),
        "suppressed": (
            f"gesperrt (kleine Zelle < {k} oder sekundär)",
            f"suppressed (small cell < {k} or secondary)",
        ),
        "total": ("Gesamtpunkte 0–100", "total score 0–100"),
    }
    i = 0 if de else 1
    for table, df in built.tables.items():
        for c in df.columns:
            text = fixed.get(c, (f"aus dem Lauf übernommen ({table})", f"from the run ({table})"))[i]
            if table in ("scores", "ranks") and c not in fixed:
                sec = next((s for s in q.sections if s.id == c), None)
                text = (
                    ("Punkte " if table == "scores" else "Rang in der Kategorie ")
                    if de
                    else ("score " if table == "scores" else "rank in category ")
                ) + (sec.label.get(lang) if sec else c)
            rows.append(
                {"table": table, "column": c, "item": "", "description": text, "values": "", "rule": ""}
            )
    kinds = {
        "tick": ("1 = angekreuzt, 0 = nicht", "1 = ticked, 0 = not"),
        "other_flag": (
            "1 = Sonstiges angegeben (Text nicht archiviert)",
            "1 = other given (text not archived)",
        ),
        "code": ("Antwortcode wie im Fragebogen", "answer code as in the questionnaire"),
        "share": (
            "Anteil an {den}, auf 0,1 gerundet; Zählung 1–{m} gesperrt",
            "share of {den}, rounded to 0.1; counts 1–{m} suppressed",
        ),
        "band": (
            "Band 3–9, 10–49, 50–249, 250+ (0 bleibt 0); 1–{m} gesperrt",
            "band; counts 1–{m} suppressed",
        ),
        "band_floor": (
            "Band 3–9, 10–49, 50–249, 250+; 0–{m} gesperrt (besondere Kategorie)",
            "band; 0–{m} suppressed (special category)",
        ),
    }
    for rule in built.rules:
        it = q.items[rule.item]
        label = it.label.get(lang)
        sub = rule.column[len(rule.item) + 1 : -1] if "[" in rule.column else ""
        for s in it.subs or []:
            if s.code == sub:
                label = f"{label}: {s.label.get(lang)}"
        for o in q.options_of(it):
            if o.code == sub:
                label = f"{label}: {o.label.get(lang)}"
        if rule.kind == "excluded":
            desc = ("nicht im Datensatz: " if de else "not in the data: ") + rule.reason
        else:
            desc = kinds[rule.kind][i].format(den=rule.denominator, m=rule.floor - 1)
        values = ""
        if rule.kind == "code" and it.type != "yesno":
            values = "; ".join(f"{o.code} = {o.label.get(lang)}" for o in q.options_of(it))
        elif rule.kind == "code":
            values = "Y = ja; N = nein" if de else "Y = yes; N = no"
        rows.append(
            {
                "table": "answers",
                "column": rule.column,
                "item": rule.item,
                "description": label,
                "values": values,
                "rule": desc,
            }
        )
    out = pd.DataFrame(rows, columns=["table", "column", "item", "description", "values", "rule"])
    if de:
        out.columns = ["Tabelle", "Spalte", "Item", "Beschreibung", "Werte", "Regel"]
    return out


@dataclass
class ExportResult:
    """What :func:`export_research` wrote."""

    edition: str
    out_dir: Path
    xlsx: Path
    csv: dict[str, Path]
    skipped: dict[str, str]
    notes: list[str]

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"Forschungsexport {self.edition}: {self.xlsx}",
            f"  CSV: {len(self.csv)} Dateien in {self.out_dir / 'csv'}",
        ]
        lines += [f"  nicht enthalten: {t} — {why}" for t, why in self.skipped.items()]
        lines += [f"  Hinweis: {n}" for n in self.notes]
        return "\n".join(lines)


def export_research(
    project_root: str | os.PathLike[str],
    edition: str,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    lang: str | None = None,
    environ: Mapping[str, str] | None = None,
    secret: bytes | None = None,
) -> ExportResult:
    """Write the pseudonymised research tables of one edition as CSV and XLSX (``--profile research``).

    Parameters
    ----------
    project_root : path
    edition : str
    out_dir : path, optional
        Default ``<project_root>/runs/exports/<edition>/research``.
    run_dir : path, optional
        Default: the latest complete run with scoring.
    lang : {"de", "en"}, optional
        Default: the edition's language.
    environ : mapping, optional
        Environment for :data:`SECRET_ENV`.
    secret : bytes, optional
        The archive secret; by default read by :func:`load_secret` (so the keys match the archive).

    Returns
    -------
    ExportResult
        One XLSX (a notes sheet, every table, the summary tables, the data dictionary) and one CSV per sheet
        (UTF-8 with BOM, ``;``), every cell formula-safe (:func:`vielfalt.outputs.spreadsheets.neutralise`), and the
        instrument's codebook (:func:`vielfalt.config.questionnaire.write_codebook`) beside them.
    """
    from vielfalt.config.edition import load_context
    from vielfalt.config.codebook import write_codebook
    from vielfalt.outputs.spreadsheets import write_csv, write_xlsx

    root = Path(project_root)
    ed, q = load_context(root, edition)
    lang = lang or ed.language
    if secret is None:
        secret, _ = load_secret(ed, project_root=root, environ=environ)
    run = Path(run_dir) if run_dir is not None else _latest_scored_run(root, ed.edition)
    built = build_archive_tables(run, ed, q, secret=secret, lang=lang)
    summaries = summary_tables(built, ed, q, lang=lang)
    dictionary = _dictionary(built, q, ed, lang=lang)
    out = Path(out_dir) if out_dir is not None else root / "runs" / "exports" / ed.edition / "research"
    de = lang != "en"
    notes = pd.DataFrame(
        {
            ("Hinweis" if de else "Note"): [
                (
                    f"Forschungsdatensatz der Edition {ed.edition} (pseudonymisiert, Profil research; DOMAIN §6.4)."
                    if de
                    else f"Research data of edition {ed.edition} (pseudonymised, profile research)."
                ),
                (
                    "Pseudonymisierte Daten bleiben personenbezogene Daten: nur für den vereinbarten Forschungszweck."
                    if de
                    else "Pseudonymised data remain personal data: use only for the agreed research purpose."
                ),
                (
                    f"Gesperrte Zellen: „{SUPPRESSED}“ (Zählung unter {ed.archive.min_cell} oder sekundär gesperrt)."
                    if de
                    else f"Suppressed cells: '{SUPPRESSED}' (count below {ed.archive.min_cell} or secondary)."
                ),
                *built.notes,
                *[f"nicht enthalten: {t} — {why}" for t, why in built.skipped.items()],
            ]
        }
    )
    sheets: dict[str, pd.DataFrame] = {"Hinweise" if de else "Notes": notes}
    sheets.update(built.tables)
    sheets.update(summaries)
    sheets["Datenwoerterbuch" if de else "Dictionary"] = dictionary
    xlsx = write_xlsx({name: _plain(df) for name, df in sheets.items()}, out / f"{ed.edition}_research.xlsx")
    csvs = {}
    for name, df in sheets.items():
        csvs[name] = write_csv(_plain(df), out / "csv" / f"{name}.csv")
    # the instrument itself (labels, codes, rules; no answers), which the dictionary refers to
    write_codebook(q, out / f"codebuch_{q.meta.id}.html", lang=lang)
    return ExportResult(ed.edition, out, xlsx, csvs, built.skipped, built.notes)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Nullable pandas types as plain objects (None for missing), so spreadsheets get empty cells."""
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.api.extensions.ExtensionDtype):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


# =========================================================================================================
# the demo's multi-edition archive
# =========================================================================================================

#: Stages the demo runs in-process for its synthetic editions (those whose stage function exists).
IN_PROCESS_STAGES = ("intake", "ratings", "scoring", "robustness", "site_visits")


@dataclass
class DemoArchiveResult:
    """What :func:`build_demo_archive` did."""

    archive_dir: Path
    results: dict[str, ArchiveResult]
    sources: dict[str, str]
    research: Any = None  # RunResult of the research stage, or None

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [f"\nForschungsarchiv (Demo, synthetische Editionen): {self.archive_dir}"]
        word = {"added": "aufgenommen", "unchanged": "unverändert", "replaced": "ersetzt"}
        for ed in sorted(self.results):
            res = self.results[ed]
            lines.append(
                f"  {ed}: {res.rows.get('entries', 0)} Einträge, {word[res.status]} (Quelle: {self.sources[ed]})"
            )
        if self.research is not None:
            lines.append(f"  Editionsvergleich (08_editions): {self.research.html.get('research')}")
        return "\n".join(lines)


def build_demo_archive(
    project_root: str | os.PathLike[str],
    *,
    archive_dir: str | os.PathLike[str] | None = None,
    run_research: bool = True,
    quiet: bool = False,
    lang: str = "de",
) -> DemoArchiveResult:
    """Build the demo's small multi-edition archive and run the research stage (``08_editions``) on it.

    The synthetic editions demo2009, demo2012 and demo2015 are generated (with repeat participants, the
    vg2015 instrument and the 2015 category scheme; :mod:`vielfalt.demo.editions`) and run through
    :data:`IN_PROCESS_STAGES` in-process with :mod:`vielfalt.stages.core`, which takes a few seconds per
    edition instead of a minute through papermill; the stage functions are exactly what the notebooks
    call, so the artefacts are the same, but these runs have no notebooks or manifest (the archive records
    them as ``in-process``). Synthetic jury decisions are added so that the comparison can show agreement.
    demo2010 comes from its latest complete pipeline run when there is one. The archive is keyed with
    :data:`DEMO_SECRET`, which is published and therefore only fit for synthetic data.

    Parameters
    ----------
    project_root : path
    archive_dir : path, optional
        Default ``<project_root>/archive``.
    run_research : bool, default True
        Also run notebook ``08_editions`` through the pipeline (``runs/research/<run-id>``).
    quiet : bool, default False
    lang : {"de", "en"}, default "de"

    Returns
    -------
    DemoArchiveResult
    """
    from vielfalt.demo import editions as _synth_editions
    from vielfalt import stages

    root = Path(project_root)
    target = Path(archive_dir) if archive_dir is not None else root / "archive"
    _synth_editions.write_multi_edition_inputs(root, write=_synth_editions.GENERATED_EDITIONS)
    results: dict[str, ArchiveResult] = {}
    sources: dict[str, str] = {}
    for edition in _synth_editions.DEMO_EDITIONS:
        ed, q = stages.load_context(root, edition)
        try:
            run = (
                _latest_scored_run(root, edition)
                if edition not in _synth_editions.GENERATED_EDITIONS
                else None
            )
        except DataError:
            run = None
        if run is not None:
            results[edition] = archive_run(run, ed, q, archive_dir=target, secret=DEMO_SECRET, replace=True)
            sources[edition] = f"Lauf {run.name}"
            continue
        with tempfile.TemporaryDirectory(prefix=f"vielfalt-{edition}-") as tmp:
            done = []
            for name in IN_PROCESS_STAGES:
                stage = getattr(stages, f"{name}_stage", None)
                if stage is not None:
                    stage(root, edition, tmp, lang=lang)
                    done.append(name)
            _synth_editions.write_synthetic_close(tmp, ed)
            source = {
                "run_id": None,
                "mode": "in-process",
                "stages_completed": [*done, "close (synthetisch)"],
            }
            results[edition] = archive_run(
                tmp, ed, q, archive_dir=target, secret=DEMO_SECRET, replace=True, source=source
            )
            sources[edition] = f"in-process ({', '.join(done)}; Jury synthetisch)"
    research = None
    if run_research and (root / "notebooks" / "08_editions.py").is_file():
        from vielfalt.research.compare import run_research as _run

        research = _run(root, archive_dir=target, lang=lang, quiet=quiet)
    return DemoArchiveResult(archive_dir=target, results=results, sources=sources, research=research)
