"""A file's headings → the instrument's column names: LimeSurvey's heading forms, metadata, explicit mappings.

LimeSurvey exports headings as codes (``Q1[SQ1]``), as Expression-Manager codes (``Q1_SQ1``), as
"codetext" (``Q1[SQ1]. Text``) or as full texts, and names its metadata columns in the installation's
language (DOMAIN.md §5.1). :func:`resolve_headings` maps each to a canonical name, reports collisions instead
of merging them, and never guesses beyond the rules it lists.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from vielfalt.exceptions import ConfigError
from vielfalt.i18n import t

__all__ = ["LIMESURVEY_METADATA", "LIMESURVEY_METADATA_HEADINGS", "HeadingResolution", "resolve_headings"]

# --- LimeSurvey metadata ------------------------------------------------------------------------------------
LIMESURVEY_METADATA: tuple[str, ...] = (
    "id",
    "submitdate",
    "lastpage",
    "startlanguage",
    "seed",
    "token",
    "startdate",
    "datestamp",
    "ipaddr",
    "refurl",
)
"""Metadata columns of a LimeSurvey response export (heading type "code"), DOMAIN.md §5.1."""

LIMESURVEY_METADATA_HEADINGS: dict[str, str] = {
    # English "full" headings (LimeSurvey's source strings)
    "Response ID": "id",
    "Date submitted": "submitdate",
    "Last page": "lastpage",
    "Start language": "startlanguage",
    "Seed": "seed",
    "Token": "token",
    "Date started": "startdate",
    "Date last action": "datestamp",
    "IP address": "ipaddr",
    "Referrer URL": "refurl",
    # German translations as found in real exports ("results-survey….csv" of German installations)
    "Antwort ID": "id",
    "Datum Abgeschickt": "submitdate",
    "Letzte Seite": "lastpage",
    "Start-Sprache": "startlanguage",
    "Zufallsstartwert": "seed",
    "Zufallsgeneratorstartwert": "seed",
    "Zugangsschlüssel": "token",
    "Datum gestartet": "startdate",
    "Datum letzte Aktivität": "datestamp",
    "IP-Adresse": "ipaddr",
    "Weiterleitungs-URL": "refurl",
}
"""Full ("full"/"abbreviated" heading type) metadata headings → metadata code, compared case-insensitively."""


@dataclass(frozen=True)
class HeadingResolution:
    """How the headings of one file map to canonical column names.

    Attributes
    ----------
    mapping : dict
        Heading (as in the table) → canonical name, for every heading that resolved without a collision.
    unknown : list of str
        Headings that map to nothing (in table order).
    missing : list of str
        Known names that no heading maps to (in the order of `known`); a name involved in a collision is not
        missing.
    collisions : list of dict
        ``{"canonical": name, "headings": [h1, h2, …]}`` where several headings map to the same name; those
        headings are in neither `mapping` nor `unknown`: the caller must refuse or ask, never merge.
    how : dict
        Heading → the rule that resolved it: "mapping", "exact", "em_code", "casefold", "codetext",
        "metadata".
    ignored : list of str
        Headings the explicit mapping sends to None (deliberately not evaluated).
    unused_mapping : list of str
        Keys of the explicit mapping that match no heading.
    """

    mapping: dict[str, str]
    unknown: list[str]
    missing: list[str]
    collisions: list[dict[str, Any]]
    how: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    unused_mapping: list[str] = field(default_factory=list)


_EM_CODE = re.compile(r"([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9]+)(?:_(\d+))?")
# code, then the separator LimeSurvey's "codetext" headings use (". " by default), " - " or ": "
_CODETEXT = re.compile(r"(\S+?)(?:\.\s|\s+[-–]\s|:\s|\.$|:$)")
_METADATA_BY_KEY = {
    unicodedata.normalize("NFC", k).casefold(): v for k, v in LIMESURVEY_METADATA_HEADINGS.items()
}


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", str(s)).strip()


def resolve_headings(
    headings: Sequence[str],
    known: Collection[str],
    *,
    mapping: Mapping[str, str | None] | None = None,
    lang: Literal["de", "en"] = "de",
) -> HeadingResolution:
    """Map a file's headings to canonical column names (LimeSurvey bracket form and metadata codes).

    Each heading is tried against these rules, first match wins:

    1. the explicit `mapping` (heading → canonical, or None to ignore the heading);
    2. exact match with a name in `known`;
    3. the Expression-Manager form: ``X05_total`` → ``X05[total]``, ``Q1_SQ1_0`` → ``Q1[SQ1][1]`` (scale
       0-based there, 1-based in brackets), only if that canonical name is known;
    4. case-insensitive match (only when it identifies one known name);
    5. a full LimeSurvey metadata heading (:data:`LIMESURVEY_METADATA_HEADINGS`, English or German, e.g.
       "Response ID" → ``id``, "Datum Abgeschickt" → ``submitdate``), if that metadata name is known;
    6. the "codetext" forms: a code followed by ``. ``, `` - `` or ``: `` and text
       (``X05[total]. Beschäftigte``, ``X05 - Text``, ``id. Response ID``), the code resolved by rules 2-5.

    Comparisons ignore surrounding spaces and Unicode normalisation (NFC). Two headings reaching the same name
    are reported as a collision, never merged.

    Parameters
    ----------
    headings : sequence of str
        Column names of the raw table.
    known : collection of str
        Canonical names (``X01``, ``X05[total]``, ``Y01[other]``, ``id``, ``submitdate``, …).
    mapping : mapping, optional
        Per-source heading → canonical name (or None to ignore the heading); it wins over every rule.
    lang : {"de", "en"}, default "de"
        Language of error messages.

    Returns
    -------
    HeadingResolution

    Raises
    ------
    ConfigError
        When `mapping` points to a name that is not in `known`.

    Examples
    --------
    >>> r = resolve_headings(["Response ID", "X05_total", "X01. Name"], ["id", "X01", "X05[total]", "X02"])
    >>> r.mapping, r.missing
    ({'Response ID': 'id', 'X05_total': 'X05[total]', 'X01. Name': 'X01'}, ['X02'])
    """
    known_list = [str(k) for k in known]
    by_nfc = {_nfc(k): k for k in known_list}
    by_fold: dict[str, list[str]] = {}
    for k in known_list:
        by_fold.setdefault(_nfc(k).casefold(), []).append(k)
    explicit = {_nfc(k): v for k, v in (mapping or {}).items()}
    for h, target in explicit.items():
        if target is not None and _nfc(target) not in by_nfc:
            close = difflib.get_close_matches(str(target), known_list, n=1)
            hint = ""
            if close:
                hint = t("intake.mapping_hint", lang, name=close[0])
            msg = t("intake.mapping_target", lang, heading=h, target=target, hint=hint)
            raise ConfigError(msg)

    def lookup(code: str) -> tuple[str, str] | None:
        if code in by_nfc:
            return by_nfc[code], "exact"
        m = _EM_CODE.fullmatch(code)
        if m:
            q, sq, scale = m.groups()
            cand = f"{q}[{sq}]" + (f"[{int(scale) + 1}]" if scale is not None else "")
            if cand in by_nfc:
                return by_nfc[cand], "em_code"
            folded = by_fold.get(cand.casefold(), [])
            if len(folded) == 1:
                return folded[0], "em_code"
        folded = by_fold.get(code.casefold(), [])
        if len(folded) == 1:
            return folded[0], "casefold"
        meta = _METADATA_BY_KEY.get(code.casefold())
        if meta is not None and meta in by_nfc:
            return by_nfc[meta], "metadata"
        return None

    resolved: dict[str, tuple[str, str]] = {}
    unknown: list[str] = []
    ignored: list[str] = []
    used_keys: set[str] = set()
    for heading in headings:
        h = _nfc(heading)
        if h in explicit:
            used_keys.add(h)
            target = explicit[h]
            if target is None:
                ignored.append(heading)
            else:
                resolved[heading] = (by_nfc[_nfc(target)], "mapping")
            continue
        hit = lookup(h)
        if hit is None:
            m = _CODETEXT.match(h)
            if m:
                inner = lookup(m.group(1))
                if inner is not None:
                    hit = (inner[0], "codetext")
        if hit is None:
            unknown.append(heading)
        else:
            resolved[heading] = hit

    targets: dict[str, list[str]] = {}
    for heading, (canon, _) in resolved.items():
        targets.setdefault(canon, []).append(heading)
    collisions = [{"canonical": c, "headings": hs} for c, hs in targets.items() if len(hs) > 1]
    clashing = {h for c in collisions for h in c["headings"]}
    out = {h: c for h, (c, _) in resolved.items() if h not in clashing}
    how = {h: rule for h, (_, rule) in resolved.items() if h not in clashing}
    missing = [k for k in known_list if k not in targets]
    unused = [k for k in explicit if k not in used_keys]
    return HeadingResolution(
        mapping=out,
        unknown=unknown,
        missing=missing,
        collisions=collisions,
        how=how,
        ignored=ignored,
        unused_mapping=unused,
    )
