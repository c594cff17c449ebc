"""Synthetic editions: fictional organisations answering the Teilnahmebogen, in the dialects intake reads.

Every organisation, person and number here is invented. Names are composed from invented stems (two syllable
lists, screened against a block list of real company names) plus a sector word and a German legal form that
agrees with ``A02``; telephone numbers come from the Cologne range the Bundesnetzagentur keeps free for
films and books (0221 4710 000–999, Mitteilung 148/2021); e-mail addresses end in ``@example.org``
(RFC 2606).

What the answers look like follows DOMAIN.md §4, §5 and §7.2: headcounts per size category (small firms
mostly under 10, large ones log-uniform up to 8 000, public bodies 40–12 000), parts that stay below their
totals, gender and age counts that mostly add up, SGB IX places with holders sometimes below the quota,
more dimensions and measures the larger the organisation (a 5-person firm ticks one to three measures, a
5 000-person one covers at least eight fields of action), strategy answers plausible for the size, German
free texts composed from templates about the measures actually ticked.

Files are written in the two dialects of DOMAIN.md §5: LimeSurvey's CsvWriter (UTF-8 with BOM, ``;``,
every value quoted, CRLF, a blank line at the end, ``Y``/empty, ``-oth-``) and the institute's German
Excel transcription (XLSX with numeric cells, and ``;``-separated cp1252 CSV with decimal commas, ``x``
ticks, ``ja``/``nein``, ``k.A.``/``ca. 120`` placeholders). Everything is drawn from
``numpy.random.default_rng`` streams keyed by the seed, so the same seed gives the same bytes; XLSX files
get fixed document and zip timestamps derived from the edition year.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
import string
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vielfalt.columns import SOURCE, SUBMITDATE
from vielfalt.config.edition import CategoryScheme, Edition
from vielfalt.config.questionnaire import Item, Questionnaire
from vielfalt.demo.ratings import write_returned_ratings
from vielfalt.exceptions import ConfigError

__all__ = [
    "CATEGORY_INTENDED",
    "write_returned_ratings",
    "DEMO_COUNTS",
    "NAME_PREFIXES",
    "NAME_STEMS",
    "NAME_SUFFIXES",
    "REAL_NAME_BLOCKLIST",
    "BrokenRow",
    "SynthResult",
    "demo_summary",
    "em_heading",
    "generate_entries",
    "name_stem",
    "write_edition_inputs",
    "write_limesurvey_csv",
]

#: Metadata column: the category the generator meant the entry to fall into.
CATEGORY_INTENDED = "category_intended"

#: Valid entries of the demo edition per category (19, as in the 2010 edition; DOMAIN.md §1).
DEMO_COUNTS: dict[str, int] = {"klein": 6, "mittel": 5, "gross": 4, "oeffentlich": 4}

#: Share of each category when no counts are given (normalised over the scheme's categories).
_CATEGORY_WEIGHTS = {"kleinst": 0.2, "klein": 0.35, "mittel": 0.25, "gross": 0.2, "oeffentlich": 0.15}

_ONLINE, _PAPER = "online", "papier"
_ONLINE_SHARE = 0.4  # DOMAIN.md §5.3: ~40 % LimeSurvey, ~60 % keyed from paper forms
_LS_META = ("id", "submitdate", "lastpage", "startlanguage", "seed")
_RENDER_ROWS = 5_000  # rows rendered to text at once when streaming
_XL_META = ("id", "submitdate")

# independent random streams below one seed (numpy SeedSequence entropy words)
_STREAM_NAMES = 0x6E616D65
_STREAM_RENDER = 0x72656E64
_STREAM_BROKEN = 0x62726B6E
_STREAM_SPLIT = 0x73706C74

_MSG_PARAM = "Der Parameter '{name}' von {func} muss {expected} sein. Erhalten: {value!r}."


def _words(text: str) -> tuple[str, ...]:
    """A tuple of the whitespace-separated words of `text` (compact word lists)."""
    return tuple(text.split())


def _param_msg(func: str, name: str, value: Any, expected: str) -> str:
    return _MSG_PARAM.format(func=func, name=name, value=value, expected=expected)


# =========================================================================================================
# names
# =========================================================================================================

#: First syllables of the invented name stems (some with umlauts).
NAME_PREFIXES: tuple[str, ...] = _words(
    "Alden Basalt Belv Bröl Brück Dorn Eifel Elst Falk Farn Finken Grün Hasel Holler Kolv Kranich "
    "Lind Lorb Merl Mühl Nuss Quell Rhen Sülz Tann Ubier Veedel Zeder Ahr Kött"
)

#: Second syllables of the invented name stems.
NAME_SUFFIXES: tuple[str, ...] = _words(
    "ara au bach born eck feld hain horst ix kamp licht mar moor ona quell rath ried stein tal ven "
    "wald werth wiese"
)

#: Real company (and a few loaded place) names no stem may equal or contain (compared case-insensitively).
REAL_NAME_BLOCKLIST: frozenset[str] = frozenset(
    _words(
        "rheinmetall rheinenergie rheinwerk rewe lanxess ford deutz koelnmesse gerling axa toom lidl "
        "aldi bayer henkel haribo kaufhof dumont weidenfeld löwenstein amselfeld eichborn lindt falke "
        "grünwald rosenthal steigenberger merlin lindhorst tannenhof sülzbach haselhorst dornbach "
        "falkenstein quelle"
    )
)


def _build_stems() -> tuple[str, ...]:
    out = []
    for p in NAME_PREFIXES:
        for s in NAME_SUFFIXES:
            if p[-1].lower() == s[0]:
                continue  # "Merllicht", "Elsttal": awkward triple letters
            if p[-1] in "vb" and s[0] not in "aeiou":
                continue  # "Kolvbach": unpronounceable clusters
            stem = p + s
            low = stem.casefold()
            if any(b in low for b in REAL_NAME_BLOCKLIST):
                continue
            out.append(stem)
    return tuple(out)


#: Every invented stem (prefix + suffix, screened); an organisation name contains exactly one.
NAME_STEMS: tuple[str, ...] = _build_stems()
_STEM_SET = frozenset(NAME_STEMS)

#: Cologne districts, used to keep names unique beyond the number of stems ("…, Standort Köln-Kalk").
_DISTRICTS: tuple[str, ...] = _words(
    "Ehrenfeld Nippes Kalk Mülheim Porz Deutz Sülz Zollstock Bayenthal Riehl Longerich Bickendorf "
    "Braunsfeld Lindenthal Klettenberg Raderberg Poll Vingst Höhenberg Buchheim Dellbrück Holweide "
    "Dünnwald Stammheim Flittard Niehl Weidenpesch Bilderstöckchen Ossendorf Bocklemünd Vogelsang "
    "Müngersdorf Junkersdorf Lövenich Widdersdorf Rodenkirchen Sürth Godorf Rondorf Meschenich "
    "Zündorf Wahn Urbach Ensen Westhoven Chorweiler Worringen Merkenich Esch Pesch"
)

_TAG = re.compile(r"<[^>]*>")
_TOKEN_SPLIT = re.compile(r"[\s\-]+")


def _name_tokens(name: str) -> list[str]:
    """Words of an organisation name without HTML tags and punctuation around them."""
    plain = _TAG.sub("", str(name))
    return [t.strip(",()") for t in _TOKEN_SPLIT.split(plain) if t.strip(",()")]


def name_stem(name: str) -> str | None:
    """The invented stem of a generated organisation name (None when it has none).

    Examples
    --------
    >>> name_stem("Spedition Kolvara GmbH & Co. KG")
    'Kolvara'
    >>> name_stem("<b>Rhenix</b> Verlag GmbH")
    'Rhenix'
    >>> name_stem("Beispiel AG") is None
    True
    """
    stems = [t for t in _name_tokens(name) if t in _STEM_SET]
    return stems[0] if len(stems) == 1 else None


# =========================================================================================================
# sectors, legal forms, WZ 2008
# =========================================================================================================

# legal-form keys: the A02 codes plus forms people write under "Sonstige" (→ -oth- with text)
_LEGAL_KEYS: tuple[str, ...] = _words(
    "GMBH AG GMBHK KG OHG GBR EK EV GGMBH EG STIFT KOER AOER STOER EIGBT UG PARTG KGAA EINZEL"
)
_LEGAL_OTHER_TEXT = {
    "UG": "UG (haftungsbeschränkt)",
    "PARTG": "Partnerschaftsgesellschaft",
    "KGAA": "KGaA",
    "EINZEL": "Einzelunternehmen",
}
_LEGAL_NAME = {
    "GMBH": "{} GmbH",
    "AG": "{} AG",
    "GMBHK": "{} GmbH & Co. KG",
    "KG": "{} KG",
    "OHG": "{} OHG",
    "GBR": "{} GbR",
    "EK": "{} e.K.",
    "EV": "{} e.V.",
    "GGMBH": "{} gGmbH",
    "EG": "{} eG",
    "STIFT": "Stiftung {}",
    "KOER": "{}",
    "AOER": "{} AöR",
    "STOER": "{} (Stiftung des öffentlichen Rechts)",
    "EIGBT": "{} (Eigenbetrieb)",
    "UG": "{} UG (haftungsbeschränkt)",
    "PARTG": "{} PartG",
    "KGAA": "{} KGaA",
    "EINZEL": "{}",
}


def _wz_section(code: str) -> str:
    from vielfalt.intake.categories import wz_section_of_division

    div = int(code[:2])
    letter = wz_section_of_division(div)
    if letter is None:
        msg = f"WZ-Abteilung {div} gibt es nicht"
        raise ValueError(msg)
    return letter


@dataclass(frozen=True)
class _Word:
    word: str
    wz: str  # WZ 2008 class, e.g. "62.01"
    sub: str | None  # a subclass we are sure of, e.g. "62.01.9"
    order: str  # "sw": stem first ("Kolvix Logistik"), "ws": word first ("Bäckerei Kolvix")
    legal: Mapping[str, float] | None = None  # overrides the sector's legal forms


@dataclass(frozen=True)
class _Sector:
    key: str
    kind: str  # priv | gem | oer | oeu
    affinity: tuple[float, float, float]  # weight for <50, 50–249, ≥250 heads (private pool)
    p_female: float
    p_foreign: float
    p_parttime: float
    legal: Mapping[str, float]
    words: tuple[_Word, ...]


# One sector a line: key, kind (priv | gem | oer | oeu), affinity to <50 / 50–249 / ≥250 heads, share of
# women, of non-German nationals, of part-time staff, then its legal forms with weights.
_SECTOR_TABLE = """
it          priv  1.0  0.7  0.5   0.25 0.12 0.15  GMBH:0.7 GBR:0.08 AG:0.1 GMBHK:0.04 UG:0.08
baeckerei   priv  1.0  0.4  0.1   0.68 0.20 0.50  EK:0.5 GMBH:0.3 GMBHK:0.2
handwerk    priv  1.2  0.5  0.05  0.12 0.15 0.08  EK:0.35 GMBH:0.45 GMBHK:0.1 GBR:0.05 KG:0.05 EINZEL:0.03
logistik    priv  0.6  0.8  0.6   0.22 0.30 0.15  GMBH:0.5 GMBHK:0.3 AG:0.1 KG:0.1
gastro      priv  1.0  0.6  0.3   0.55 0.45 0.40  GMBH:0.5 EK:0.2 GMBHK:0.2 OHG:0.1
medien      priv  1.0  0.6  0.3   0.55 0.12 0.25  GMBH:0.7 GBR:0.1 GMBHK:0.1 AG:0.1
beratung    priv  1.0  0.6  0.3   0.50 0.10 0.25  GMBH:0.55 GBR:0.15 PARTG:0.12 AG:0.1 GMBHK:0.05 UG:0.03
gesundheit  priv  1.0  0.5  0.15  0.82 0.18 0.50  EK:0.3 GMBH:0.5 GBR:0.2
handel      priv  0.8  0.6  0.4   0.60 0.20 0.50  EK:0.3 GMBH:0.4 GMBHK:0.2 KG:0.1
industrie   priv  0.3  1.0  1.0   0.20 0.20 0.08  GMBH:0.45 GMBHK:0.3 AG:0.2 KG:0.05
facility    priv  0.4  0.8  0.8   0.65 0.55 0.55  GMBH:0.6 GMBHK:0.3 AG:0.1
finanz      priv  0.05 0.5  1.0   0.55 0.08 0.30  AG:0.6 GMBH:0.4
callcenter  priv  0.1  0.5  0.8   0.60 0.30 0.50  GMBH:0.7 AG:0.3
sozial      gem   1.0  0.8  0.5   0.78 0.15 0.55  EV:0.5 GGMBH:0.4 STIFT:0.1
oeu         oeu   0    0    0     0.50 0.08 0.30  GMBH:0.6 AG:0.4
oer         oer   0    0    0     0.60 0.06 0.35  KOER:1
"""

# One word a line: sector, word order in the name ("sw": stem first, "ws": word first), WZ 2008 class,
# a subclass we are sure of (or -), legal forms overriding the sector's (or -), then the word itself.
_WORD_TABLE = """
it          sw  62.01  62.01.9  -                  Softwarehaus
it          sw  62.02  -        -                  IT-Service
it          sw  62.09  -        -                  Datentechnik
baeckerei   ws  10.71  10.71.0  -                  Bäckerei
baeckerei   ws  10.71  10.71.0  -                  Konditorei
handwerk    sw  43.21  43.21.0  -                  Elektrotechnik
handwerk    sw  43.22  -        -                  Haustechnik
handwerk    ws  43.34  -        -                  Malerbetrieb
handwerk    ws  43.91  -        -                  Dachdeckerei
handwerk    ws  43.32  -        -                  Tischlerei
logistik    ws  52.29  -        -                  Spedition
logistik    sw  49.41  49.41.0  -                  Logistik
logistik    sw  53.20  -        -                  Kurierdienst
gastro      ws  55.10  55.10.1  -                  Hotel
gastro      sw  56.10  56.10.1  -                  Gastronomie
gastro      sw  56.21  -        -                  Catering
medien      sw  58.11  58.11.0  -                  Verlag
medien      sw  59.11  -        -                  Medienproduktion
medien      sw  73.11  73.11.0  -                  Werbeagentur
medien      sw  74.10  -        -                  Mediendesign
beratung    sw  70.22  70.22.0  -                  Unternehmensberatung
beratung    sw  69.20  -        -                  Steuerberatung
beratung    sw  71.12  -        -                  Ingenieurbüro
beratung    sw  71.11  -        -                  Architekten
beratung    sw  78.20  -        -                  Personaldienstleistungen
gesundheit  sw  88.10  88.10.1  -                  Pflegedienst
gesundheit  sw  32.50  -        -                  Zahntechnik
gesundheit  ws  86.90  -        -                  Physiotherapie
gesundheit  ws  47.73  47.73.0  -                  Apotheke
handel      sw  47.11  -        -                  Lebensmittelmarkt
handel      ws  47.61  -        -                  Buchhandlung
handel      sw  47.71  -        -                  Modehaus
handel      ws  45.11  -        -                  Autohaus
industrie   sw  28.29  -        -                  Maschinenbau
industrie   sw  22.29  -        -                  Kunststofftechnik
industrie   sw  25.11  -        -                  Metallbau
industrie   sw  20.59  -        -                  Chemie
facility    sw  81.21  81.21.0  -                  Gebäudeservice
facility    sw  81.10  -        -                  Facility Services
finanz      sw  65.12  -        -                  Versicherung
finanz      sw  64.19  -        EG:0.6,AG:0.4      Bank
callcenter  sw  82.20  -        -                  Kundenservice
callcenter  sw  82.20  -        -                  Dialogmarketing
sozial      ws  88.91  -        -                  Kita
sozial      sw  88.99  -        -                  Jugendhilfe
sozial      sw  85.59  -        -                  Bildungswerk
sozial      sw  88.99  -        -                  Integrationsdienst
sozial      sw  87.30  -        -                  Seniorenzentrum
oeu         ws  35.11  -        -                  Stadtwerke
oeu         sw  49.31  -        AG:1               Verkehrsbetriebe
oeu         ws  86.10  86.10.1  GGMBH:1            Kliniken
oeu         sw  68.20  -        -                  Wohnungsbau
oeu         sw  38.11  -        GMBH:1             Abfallwirtschaft
oeu         ws  52.22  -        -                  Hafengesellschaft
oer         ws  84.11  84.11.0  -                  Kreisverwaltung
oer         ws  64.19  -        AOER:1             Sparkasse
oer         ws  85.42  -        -                  Hochschule
oer         ws  55.90  -        AOER:1             Studentenwerk
oer         sw  91.02  -        EIGBT:1            Museumsdienst
oer         ws  93.11  -        EIGBT:1            Bäderbetriebe
oer         ws  90.04  -        STOER:1            Kulturstiftung
oer         ws  37.00  -        AOER:0.6,EIGBT:0.4  Stadtentwässerung
"""


def _weights(spec: str) -> dict[str, float]:
    return {k: float(v) for k, v in (pair.split(":") for pair in spec.replace(",", " ").split())}


def _parse_sectors() -> tuple[_Sector, ...]:
    words: dict[str, list[_Word]] = {}
    for line in _WORD_TABLE.strip().splitlines():
        key, order, wz, sub, legal, word = line.split(maxsplit=5)
        words.setdefault(key, []).append(
            _Word(
                word.strip(),
                wz,
                None if sub == "-" else sub,
                order,
                None if legal == "-" else _weights(legal),
            )
        )
    sectors = []
    for line in _SECTOR_TABLE.strip().splitlines():
        key, kind, a1, a2, a3, pf, pnd, ptz, legal = line.split(maxsplit=8)
        sectors.append(
            _Sector(
                key,
                kind,
                (float(a1), float(a2), float(a3)),
                float(pf),
                float(pnd),
                float(ptz),
                _weights(legal),
                tuple(words[key]),
            )
        )
    return tuple(sectors)


_SECTORS: tuple[_Sector, ...] = _parse_sectors()

_KIND_A04 = {"priv": "PRIV", "gem": "GEM", "oer": "OER", "oeu": "OEU"}
_WORDS: tuple[tuple[int, _Word], ...] = tuple((si, w) for si, s in enumerate(_SECTORS) for w in s.words)


def _name_vocabulary() -> frozenset[str]:
    """Every word a generated name may contain besides its stem (for tests)."""
    words: set[str] = {"Standort", "Köln"}
    for _, w in _WORDS:
        words.update(_name_tokens(w.word))
    for pattern in _LEGAL_NAME.values():
        words.update(_name_tokens(pattern.replace("{}", "")))
    for d in _DISTRICTS:
        words.update(_name_tokens(d))
    return frozenset(words)


# =========================================================================================================
# answer material (German)
# =========================================================================================================

_OTHER_B01 = ("Sprache", "Bildungsweg", "Elternschaft", "Erwerbsbiografie", "Lebensstil")
_OTHER_B03 = (
    "Vorgabe der Konzernmutter",
    "Anregung durch Kunden",
    "Erfahrungen aus dem Ausland",
    "Wettbewerb um Azubis",
)
_OTHER_C = {
    "REC": ("Stellenanzeigen in türkischsprachigen Zeitungen", "Jobmesse für Quereinsteigende"),
    "AUS": ("Ausbildungspatenschaften", "Nachhilfe für Auszubildende"),
    "PE": ("Computerkurse für Ältere", "Alphabetisierungskurs"),
    "FUE": ("Feedback für Führungskräfte", "Jobsharing in der Teamleitung"),
    "VER": ("Ferienbetreuung für Schulkinder", "Eltern-Kind-Büro"),
    "GES": ("Rückenschule", "Suchtberatung"),
    "KUL": ("Gebetsraum", "Kochabend mit Gerichten aus aller Welt"),
    "AGG": ("Leitfaden gegen Mobbing", "Ansprechperson im Betriebsrat"),
    "MKT": ("Speisekarte in mehreren Sprachen", "Angebote für ältere Kundschaft"),
    "GSE": ("Patenschaften für Flüchtlinge", "Beteiligung am CSD"),
}
_OTHER_GENERIC = ("weitere Maßnahme (siehe Freitext)", "eigenes Projekt")

# option popularity (relative, default 1); 2010: telework and anonymised CVs were still rare
_POPULARITY = {
    "koopAgentur": 1.6,
    "stellenanzDivers": 1.2,
    "anonymBewerbung": 0.3,
    "praktikaBenacht": 1.1,
    "sprachkurse": 1.3,
    "gleicherZugangWb": 1.2,
    "wissenstransfer": 1.2,
    "flexArbeitszeit": 3.0,
    "telearbeit": 0.8,
    "kinderbetreuung": 0.6,
    "wiedereinstieg": 1.4,
    "bgm": 1.6,
    "altersgerecht": 1.1,
    "festeKulturen": 1.3,
    "mehrsprachigeInfo": 1.1,
    "religioeseBed": 1.0,
    "inklusiveSprache": 0.4,
    "lieferanten": 0.3,
    "zielgruppenDivers": 1.3,
    "sprachkompetenz": 1.5,
}
_FIELD_WEIGHT = {
    "REC": 1.0,
    "AUS": 0.8,
    "PE": 1.0,
    "FUE": 0.6,
    "VER": 1.3,
    "GES": 1.0,
    "KUL": 1.0,
    "AGG": 0.7,
    "MKT": 0.6,
    "GSE": 0.7,
}
_FIELD_WEIGHT_SMALL = {"VER": 1.8, "KUL": 1.3, "AUS": 1.0, "AGG": 0.3, "FUE": 0.3, "MKT": 0.9}
_DIM_WEIGHT = {
    "alter": 1.4,
    "herkunft": 1.3,
    "geschlecht": 1.4,
    "behinderung": 1.0,
    "religion": 0.5,
    "sexidentitaet": 0.35,
    "sozherkunft": 0.4,
    "familie": 1.3,
}
_MOTIVE_WEIGHT = {
    "fachkraefte": 1.3,
    "kunden": 0.8,
    "innovation": 0.6,
    "werte": 1.2,
    "recht": 0.5,
    "wunsch": 0.6,
    "csr": 0.9,
}

_FIRST_F = _words(
    "Anna Sabine Claudia Petra Ayşe Fatma Katarzyna Monika Julia Sandra Elif Maria Ursula Hanna "
    "Nicole Stefanie Agnieszka Leyla Birgit Andrea"
)
_FIRST_M = _words(
    "Thomas Michael Andreas Mehmet Stefan Frank Jörg Hakan Piotr Klaus Markus Jürgen Ali Dirk "
    "Giuseppe Ralf Oliver Murat Uwe Christian"
)
_LAST = _words(
    "Schmitz Müller Becker Wagner Yılmaz Hoffmann Schäfer Koch Öztürk Nowak Richter Klein Wolf "
    "Neumann Schwarz Zimmermann Krüger Şahin Kowalski Hartmann Lange Esposito Jansen Heinrichs Weber "
    "Demir Lehmann Vogel"
)
_TITLE = ("", "", "", "", "", "", "", "", "Dr. ")
# (female, male) function titles by size group: 0 = <10, 1 = 10–49, 2 = 50–249, 3 = ≥250, 4 = public
_OWNER_FORMS = frozenset({"EK", "EINZEL", "GBR", "OHG", "PARTG"})  # owners run these themselves
_OWNER_FUNCTION = ("Inhaberin", "Inhaber")
_FUNCTIONS = (
    (("Geschäftsführerin", "Geschäftsführer"), ("Vorsitzende", "Vorsitzender")),
    (
        ("Geschäftsführerin", "Geschäftsführer"),
        ("Büroleitung", "Büroleitung"),
        ("Vorsitzende", "Vorsitzender"),
    ),
    (
        ("Personalleiterin", "Personalleiter"),
        ("Geschäftsführerin", "Geschäftsführer"),
        ("Assistentin der Geschäftsführung", "Assistent der Geschäftsführung"),
    ),
    (
        ("Diversity-Managerin", "Diversity-Manager"),
        ("Leiterin Personalentwicklung", "Leiter Personalentwicklung"),
        ("Referentin Personal", "Referent Personal"),
    ),
    (
        ("Gleichstellungsbeauftragte", "Gleichstellungsbeauftragter"),
        ("Leiterin Personal und Organisation", "Leiter Personal und Organisation"),
        ("Referentin Personalentwicklung", "Referent Personalentwicklung"),
    ),
)
_MONTHS = _words("Januar Februar März April Mai Juni Juli August September Oktober November Dezember")
_EUROS = ("500", "1.200", "2.500", "5.000", "12.000", "25.000", "60.000", "120.000")

_F01_INTRO = (
    "Unsere wichtigste Maßnahme: {m}.",
    "Seit {y0} gibt es bei uns die Maßnahme „{m}“.",
    "Besonders wichtig ist uns die Maßnahme „{m}“.",
    "Im Jahr {y0} haben wir mit der Maßnahme „{m}“ begonnen.",
    "{M} – das gehört bei uns seit {y0} fest zur Personalarbeit.",
)
_F01_GOAL = {  # per field of action, worded so that they fit every option of the field
    "REC": (
        "Ziel ist, offene Stellen auch mit Menschen zu besetzen, die sich bisher nicht beworben haben.",
        "Wir wollen mehr und vielfältigere Bewerbungen, gerade jetzt, wo Fachkräfte knapp werden.",
        "Bei der Auswahl soll nur zählen, was jemand kann und mitbringt.",
    ),
    "AUS": (
        "Ziel ist, Jugendlichen eine Chance zu geben, die bei anderen Betrieben durchs Raster fallen.",
        "Wir wollen unsere Fachkräfte selbst ausbilden und die Vielfalt der Kölner Schulabgänger nutzen.",
        "Auszubildende sollen die Ausbildung schaffen, auch wenn sie schlechtere Startbedingungen haben.",
    ),
    "PE": (
        "Ziel ist, dass alle Beschäftigten die gleichen Chancen auf Weiterbildung und Entwicklung haben.",
        "Wir wollen Wissen und Erfahrung im Betrieb halten und weitergeben.",
        "Alle sollen sich weiterentwickeln können, gleich in welcher Lebensphase sie gerade sind.",
    ),
    "FUE": (
        "Führungskräfte sollen Unterschiede im Team als Stärke sehen und fair führen.",
        "Ziel ist, dass Führung zu den unterschiedlichen Lebenslagen im Team passt.",
        "Unsere Führungskräfte sollen Vorbild für einen respektvollen Umgang sein.",
    ),
    "VER": (
        "Ziel ist, dass Eltern und pflegende Angehörige Beruf und Familie besser vereinbaren können.",
        "Wir wollen gute Leute halten, wenn sich ihre Lebenssituation ändert.",
        "Niemand soll wegen Kinderbetreuung oder der Pflege von Angehörigen kündigen müssen.",
    ),
    "GES": (
        "Ziel ist, dass unsere Beschäftigten bis zur Rente gesund arbeiten können.",
        "Alle sollen bei uns ohne unnötige Hindernisse arbeiten können, mit und ohne Einschränkungen.",
        "Wir wollen Arbeitsplätze an die Menschen anpassen, statt gute Leute zu verlieren.",
    ),
    "KUL": (
        "Wir wollen ein Klima, in dem sich alle mit ihren Unterschieden wohlfühlen.",
        "Ziel ist, dass sich alle Beschäftigten angesprochen und zugehörig fühlen.",
        "Die Vielfalt im Team soll sichtbar werden und nicht nur geduldet.",
    ),
    "AGG": (
        "Ziel ist, dass alle wissen, an wen sie sich bei Benachteiligung wenden können.",
        "Wir wollen Diskriminierung vorbeugen, bevor Konflikte entstehen.",
        "Beschwerden sollen ernst genommen und nachvollziehbar bearbeitet werden.",
    ),
    "MKT": (
        "Wir wollen Kundinnen und Kunden erreichen, die wir bisher nicht angesprochen haben.",
        "Ziel ist, dass sich unsere vielfältige Kundschaft bei uns gut beraten fühlt.",
        "Was unser Team an Erfahrungen mitbringt, soll auch den Kunden zugutekommen.",
    ),
    "GSE": (
        "Wir wollen im Veedel Verantwortung übernehmen und Netzwerke für Vielfalt stärken.",
        "Ziel ist, Menschen mit schwierigen Startbedingungen den Weg in Arbeit zu erleichtern.",
        "Wir möchten zeigen, dass sich Engagement für Vielfalt auch für Betriebe lohnt.",
    ),
}
_GOAL_GENERIC = ("Ziel ist, dass alle Beschäftigten die gleichen Chancen haben.",)
_F01_IMPL_SMALL = (
    "Als kleiner Betrieb haben wir das ohne großen Aufwand im Team abgesprochen.",
    "Die Idee kam aus dem Team, die Geschäftsführung hat sie gern aufgegriffen.",
    "Wir sprechen in der wöchentlichen Teambesprechung darüber, was gut läuft und was nicht.",
    "Bisher haben {n2} Beschäftigte davon profitiert.",
)
_F01_IMPL_LARGE = (
    "Eine Arbeitsgruppe aus Personalabteilung, Betriebsrat und Beschäftigten hat das Konzept erarbeitet.",
    "Die Umsetzung liegt bei der Personalentwicklung, die dafür {k} Stunden pro Woche einplant.",
    "Bisher haben {n2} Beschäftigte teilgenommen.",
    "Wir haben zuerst in einem Bereich getestet und die Maßnahme dann auf den ganzen Betrieb übertragen.",
    "Die Führungskräfte wurden vorab in einem halbtägigen Workshop informiert.",
    "Die Kosten von rund {euro} € im Jahr trägt der Betrieb.",
)
_F01_PERIOD = (
    "Die Maßnahme läuft seit {month} {y0} und ist unbefristet.",
    "Begonnen haben wir im {month} {y0}, eine erste Auswertung gab es Ende {y1}.",
    "Zeitraum: seit {y0}, einmal im Jahr überprüfen wir, ob es noch passt.",
)
_VAGUE = (
    "Bei uns ist Vielfalt selbstverständlich.",
    "Wir behandeln alle Mitarbeiter gleich, egal woher sie kommen.",
    "Vielfalt wird bei uns gelebt.",
    "Siehe Anlage.",
    "Wir sind ein offenes Unternehmen und machen keine Unterschiede.",
)
_F02_A = (
    "Andere Betriebe können die Maßnahme „{m}“ ohne großen Aufwand übernehmen.",
    "Übertragbar ist vor allem die Zusammenarbeit mit {partner}.",
    "Wer so etwas einführen will, sollte klein anfangen und die Beschäftigten früh einbeziehen.",
)
_F02_B = (
    "Die Kosten sind gering, entscheidend ist, dass die Geschäftsführung dahintersteht.",
    "Unsere Checkliste geben wir gern an andere Kölner Betriebe weiter.",
    "Auch für kleine Betriebe ist das machbar, wenn man sich mit anderen zusammentut.",
    "Wichtig ist ein fester Ansprechpartner, sonst schläft das Thema wieder ein.",
)
_F02_C = (
    "Gern stellen wir unser Konzept bei einem Treffen der Kölner Betriebe vor.",
    "Man muss nicht alles auf einmal machen, ein erster Schritt reicht.",
    "Hilfreich waren die Beratungsangebote von {partner}.",
)
_PARTNERS = (
    "der Agentur für Arbeit",
    "dem Jobcenter",
    "Migrantenorganisationen im Stadtteil",
    "der Handwerkskammer",
    "einer benachbarten Schule",
    "dem örtlichen Familienbüro",
    "dem Integrationsfachdienst",
)
_F03_A = (
    "Die Verantwortung liegt bei {role}.",
    "Die Zuständigkeit liegt bei {role}, die Maßnahme steht jedes Jahr auf der Tagesordnung.",
)
_F03_B = (
    "Dafür sind jährlich rund {euro} € eingeplant.",
    "Die Regelung ist in einer {agreement} festgeschrieben.",
    "Einmal im Jahr prüfen wir anhand von Kennzahlen, ob die Maßnahme wirkt.",
    "Die Maßnahme ist unbefristet und gehört inzwischen zum Alltag.",
)
_F03_C = (
    "Neue Beschäftigte lernen das Angebot schon bei der Einarbeitung kennen.",
    "Bis {y2} wollen wir das Angebot auf alle Standorte ausweiten.",
    "Für Vertretung ist gesorgt, damit das Thema nicht an einer Person hängt.",
)
_ROLES_OWNER = ("der Inhaberin", "dem Inhaber")
_ROLES_SMALL = ("der Geschäftsführung", "unserer Büroleitung", "der Geschäftsführung")
_ROLES_LARGE = (
    "der Personalabteilung",
    "unserer Diversity-Beauftragten",
    "einer Steuerungsgruppe",
    "der Personalentwicklung gemeinsam mit dem Betriebsrat",
)
_F04_A = (
    "Unser Betrieb hat {hc} Beschäftigte aus {nat} Nationen.",
    "Der Fachkräftemangel in unserer Branche ({sector}) zwingt uns, neue Wege zu gehen.",
    "Viele Beschäftigte sind über 50, in den nächsten Jahren geht ein großer Teil in Rente.",
    "Unsere Kundschaft ist so vielfältig wie Köln selbst.",
)
_F04_SMALL = (
    "Als kleiner Betrieb haben wir keine eigene Personalabteilung, alles läuft über die Geschäftsführung."
)
_F04_PUBLIC = "Als öffentlicher Arbeitgeber sind wir an Tarifrecht und Haushaltsvorgaben gebunden."
_F04_B = (
    "Hürden waren vor allem Zeit und Geld, anfangs auch Skepsis im Team.",
    "Der Schichtbetrieb macht flexible Arbeitszeiten schwierig.",
    "Schwierig war, alle Standorte zu erreichen.",
    "Am Anfang fehlte uns das Wissen, wo wir Unterstützung bekommen.",
)
_E03 = (
    "Fluktuation von {a} % ({ya}) auf {b} % ({yb}) gesunken.",
    "Krankenstand {ya}: {a} %, {yb}: {b} %.",
    "Anteil der Bewerbungen von Menschen mit Migrationsgeschichte von {b} % auf {a} % gestiegen.",
    "{k} Rückkehrerinnen aus der Elternzeit seit {ya}, alle weiterbeschäftigt.",
)

_HOSTILE_FORMULA = '=HYPERLINK("http://example.org/vielfalt";"Mehr zu unserem Projekt")'

# characters German Excel cannot write into a cp1252 CSV; a typist keys them the nearest way
_CP1252_FALLBACK = str.maketrans(
    {
        "ı": "i",
        "İ": "I",
        "ş": "s",
        "Ş": "S",
        "ğ": "g",
        "Ğ": "G",
        "ł": "l",
        "Ł": "L",
        "ń": "n",
        "ć": "c",
        "ę": "e",
        "ą": "a",
        "ś": "s",
        "ź": "z",
        "ż": "z",
        "ő": "ö",
        "ű": "ü",
        "č": "c",
        "ř": "r",
        "ě": "e",
        "ă": "a",
        "ț": "t",
        "ș": "s",
    }
)
_SLUG_MAP = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def _slug(text: str) -> str:
    """ASCII, lower-case form of a name for e-mail addresses (ä → ae, ş → s)."""
    t = text.translate(_SLUG_MAP).translate(_CP1252_FALLBACK)
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", t.lower()).strip("-")


# =========================================================================================================
# vectorised helpers
# =========================================================================================================


def _quota(n: int, weights: Sequence[float]) -> np.ndarray:
    """Split `n` into integer counts proportional to `weights` (largest remainder, ties by position)."""
    w = np.asarray(weights, dtype=float)
    raw = n * w / w.sum()
    counts = np.floor(raw).astype(np.int64)
    rest = n - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts


def _spread(keys: np.ndarray, weights: Sequence[float], rng: np.random.Generator) -> np.ndarray:
    """Assign rows to groups with exact quotas, spreading every key value (category) evenly over the groups.

    Rows are ordered by key (random within a key); the groups' slots are interleaved evenly
    (slot j of a group with c slots sits at (j + 0.5) / c) and dealt out in that order.
    """
    n = len(keys)
    counts = _quota(n, weights)
    groups = np.flatnonzero(counts)
    slot_group = np.repeat(groups, counts[groups])
    slot_key = (
        np.concatenate([(np.arange(counts[g]) + 0.5) / counts[g] for g in groups]) if n else np.zeros(0)
    )
    seq = slot_group[np.argsort(slot_key, kind="stable")]
    order = np.lexsort((rng.random(n), keys))
    out = np.empty(n, dtype=np.int64)
    out[order] = seq
    return out


def _pick(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """Sample one column index per row of a non-negative weight matrix."""
    c = np.cumsum(p, axis=1)
    c = c / c[:, -1:]
    u = rng.random(len(p))[:, None]
    return np.minimum((u >= c).sum(axis=1), p.shape[1] - 1)


def _topk(rng: np.random.Generator, w: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted sampling of `k[i]` distinct columns per row without replacement (Gumbel top-k).

    Returns the mask of chosen columns and the rank of every column (0 = drawn first).
    """
    n = len(k)
    w = np.broadcast_to(np.asarray(w, dtype=float), (n, np.shape(w)[-1]))
    m = w.shape[1]
    pos = w > 0
    keys = np.where(pos, np.log(np.where(pos, w, 1.0)) + rng.gumbel(size=(n, m)), -np.inf)
    order = np.argsort(-keys, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(m), (n, m)), axis=1)
    kk = np.minimum(k, pos.sum(axis=1))
    return ranks < kk[:, None], ranks


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _istr(a: np.ndarray) -> np.ndarray:
    """Integers as an object array of decimal strings."""
    return np.asarray(a).astype(np.int64).astype(str).astype(object)


def _lookup(table: Sequence[str], idx: np.ndarray) -> np.ndarray:
    return np.asarray(table, dtype=object)[idx]


_FORMATTER = string.Formatter()


def _fill(templates: Sequence[str], choice: np.ndarray, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """Fill ``{name}`` templates row by row, vectorised per template; ``choice[i]`` picks row i's template."""
    out = np.full(len(choice), "", dtype=object)
    for t, template in enumerate(templates):
        rows = np.flatnonzero(choice == t)
        if not len(rows):
            continue
        acc = np.full(len(rows), "", dtype=object)
        for literal, name, _, _ in _FORMATTER.parse(template):
            if literal:
                acc = acc + literal
            if name:
                acc = acc + values[name][rows]
        out[rows] = acc
    return out


def _join(parts: Sequence[np.ndarray], sep: np.ndarray | str = " ") -> np.ndarray:
    """Join per-row sentence arrays with `sep` (a string or one per row), skipping empty ones."""
    if isinstance(sep, str):
        joined = [sep.join([x for x in t if x]) for t in zip(*parts, strict=True)]
    else:
        joined = [t[0].join([x for x in t[1:] if x]) for t in zip(sep, *parts, strict=True)]
    return np.array(joined, dtype=object)


# =========================================================================================================
# generation
# =========================================================================================================


class _Draw:
    """One batch of synthetic entries; fills ``self.cols`` item by item."""

    def __init__(
        self,
        q: Questionnaire,
        scheme: CategoryScheme,
        *,
        n: int,
        seed: int,
        year: int,
        start: int,
        counts: Mapping[str, int] | None,
    ) -> None:
        self.q = q
        self.scheme = scheme
        self.n = n
        self.year = year
        self.start = start
        self.rng = np.random.default_rng([seed, start])
        names_rng = np.random.default_rng([seed, _STREAM_NAMES])
        m = len(NAME_STEMS)
        a = int(names_rng.integers(1, m))
        while math.gcd(a, m) != 1:
            a += 1
        self.name_perm = (a, int(names_rng.integers(0, m)))
        self.cols: dict[str, np.ndarray] = {}
        self.columns = q.columns()
        self._frame(counts)

    # -- who --------------------------------------------------------------------------------------------
    def _frame(self, counts: Mapping[str, int] | None) -> None:
        rng, n, scheme = self.rng, self.n, self.scheme
        cats = scheme.categories()
        if counts is None:
            weights = [_CATEGORY_WEIGHTS.get(c, 0.2) for c in cats]
            per = dict(zip(cats, _quota(n, weights).tolist(), strict=True))
        else:
            per = dict(counts)
        cat = np.repeat(np.array(list(per), dtype=object), list(per.values()))
        cat = cat[rng.permutation(n)]
        self.cat = cat
        public_cat = scheme.public.category if scheme.public else None
        public_codes = list(scheme.public.codes) if scheme.public else []
        hc = np.zeros(n)
        is_public = np.zeros(n, dtype=bool)
        for code in per:
            rows = np.flatnonzero(cat == code)
            if code == public_cat:
                lo, hi = 40.0, 12_000.0
                is_public[rows] = True
            else:
                b = next(b for b in scheme.bins if b.code == code)
                lo = max(float(b.gte), 3.0)
                hi = float(b.lt) if b.lt is not None else 8_000.0
                if public_codes and public_cat is None and hi > 60:  # public bodies sorted by size (2015)
                    is_public[rows] = rng.random(len(rows)) < 0.12
            hc[rows] = np.floor(np.exp(rng.uniform(np.log(lo), np.log(hi), len(rows))))
            if code != public_cat:
                hc[rows] = np.clip(hc[rows], lo, hi - 1)
        pub_small = is_public & (hc < 40)
        hc[pub_small] = np.maximum(hc[pub_small], 40)
        self.hc = hc
        self.is_public = is_public
        self.s = np.log10(hc)
        self.engagement = rng.normal(0.0, 0.45, n) + 0.1 * is_public
        # size group: 0 <10, 1 10–49, 2 50–249, 3 ≥250
        self.size = np.digitize(hc, [10, 50, 250])
        self.source = np.where(
            _spread(cat.astype(str), [_ONLINE_SHARE, 1 - _ONLINE_SHARE], rng) == 0, _ONLINE, _PAPER
        ).astype(object)

        # sector and word
        nsec = len(_SECTORS)
        w = np.zeros((n, nsec))
        for si, sec in enumerate(_SECTORS):
            if sec.kind in ("priv", "gem"):
                w[~is_public, si] = np.asarray(sec.affinity)[np.minimum(np.maximum(self.size - 1, 0), 2)][
                    ~is_public
                ]
                if sec.kind == "gem":
                    w[~is_public, si] *= 1.6
            else:
                w[is_public, si] = 0.55 if sec.kind == "oer" else 0.45
        sector = _pick(rng, w)
        nwords = np.array([len(s.words) for s in _SECTORS])
        offset = np.concatenate([[0], np.cumsum(nwords)[:-1]])
        word = offset[sector] + np.minimum(
            (rng.random(n) * nwords[sector]).astype(np.int64), nwords[sector] - 1
        )
        self.sector, self.word = sector, word
        kinds = np.array([s.kind for s in _SECTORS], dtype=object)[sector]
        self.kind = kinds
        self.sector_attr = {
            "pf": np.array([s.p_female for s in _SECTORS])[sector],
            "pnd": np.array([s.p_foreign for s in _SECTORS])[sector],
            "ptz": np.array([s.p_parttime for s in _SECTORS])[sector],
        }

        # legal form: the word's or sector's forms, adjusted for size
        lw = np.zeros((len(_WORDS), len(_LEGAL_KEYS)))
        for wi, (si, wd) in enumerate(_WORDS):
            for k, v in (wd.legal or _SECTORS[si].legal).items():
                lw[wi, _LEGAL_KEYS.index(k)] = v
        p = lw[word].copy()
        li = {k: i for i, k in enumerate(_LEGAL_KEYS)}
        big, mid, small = hc >= 250, (hc >= 50) & (hc < 250), hc < 50
        for k in ("EK", "GBR", "OHG", "UG", "EINZEL"):
            p[big, li[k]] = 0.0
        for k in ("EK", "GBR", "EINZEL"):
            p[mid, li[k]] *= 0.2
        p[small, li["AG"]] *= 0.1
        p[small, li["KGAA"]] = 0.0
        p[small, li["EG"]] *= 0.3
        empty = p.sum(axis=1) == 0
        p[empty, li["GMBH"]] = 1.0
        p[big & (kinds == "priv"), li["KGAA"]] += 0.01
        self.legal = np.asarray(_LEGAL_KEYS, dtype=object)[_pick(rng, p)]

    # -- helpers ------------------------------------------------------------------------------------------
    def has(self, item_id: str) -> bool:
        return item_id in self.q.items

    def put(self, column: str, values: np.ndarray) -> None:
        if column in self.columns:
            self.cols[column] = values

    def chance(self, p: np.ndarray | float) -> np.ndarray:
        return self.rng.random(self.n) < p

    def options(self, item_id: str) -> list[str]:
        return [o.code for o in self.q.options_of(self.q.items[item_id])]

    def other_text(self, item: Item, p: np.ndarray | float, texts: Sequence[str]) -> None:
        if item.other:
            col = f"{item.id}[other]"
            pick = _lookup(texts, self.rng.integers(0, len(texts), self.n))
            self.put(col, np.where(self.chance(p), pick, "").astype(object))

    def single(self, item_id: str, probs: np.ndarray, codes: Sequence[str]) -> None:
        """Draw one code per row; the last column of `probs` is the chance of leaving the item blank."""
        self.put(item_id, _lookup([*codes, ""], _pick(self.rng, probs)))

    # -- A: profile ---------------------------------------------------------------------------------------
    def profile(self) -> None:
        rng, n = self.rng, self.n
        hc = self.hc
        m = len(NAME_STEMS)
        a, b = self.name_perm
        idx = np.arange(self.start, self.start + n)
        stems = _lookup(NAME_STEMS, (a * (idx % m) + b) % m)
        words = _lookup([w.word for _, w in _WORDS], self.word)
        orders = _lookup([w.order for _, w in _WORDS], self.word)
        base = np.where(orders == "sw", stems + " " + words, words + " " + stems)
        name = np.empty(n, dtype=object)
        for key, pattern in _LEGAL_NAME.items():
            rows = np.flatnonzero(self.legal == key)
            if len(rows):
                pre, _, post = pattern.partition("{}")
                name[rows] = pre + base[rows] + post
        extra = idx // m  # beyond the stems: a branch qualifier keeps names unique
        if (extra > 0).any():
            d = len(_DISTRICTS)
            q = np.flatnonzero(extra > 0)
            district = _lookup(_DISTRICTS, (extra[q] - 1) % d)
            qual = ", Standort Köln-" + district
            more = (extra[q] - 1) // d
            qual = np.where(more > 0, qual + " " + _istr(more + 1), qual)
            name[q] = name[q] + qual
        self.put("A01", name)

        if self.has("A02"):
            codes = set(self.options("A02"))
            is_code = np.array([k in codes for k in self.legal])
            self.put("A02", np.where(is_code, self.legal, "-oth-").astype(object))
            other = np.array([_LEGAL_OTHER_TEXT.get(k, "") for k in self.legal], dtype=object)
            self.put("A02[other]", np.where(is_code, "", other).astype(object))

        if self.has("A03"):
            forms = []
            for _, w in _WORDS:
                cls = w.wz
                forms.append(
                    (cls, cls[:2], _wz_section(cls), cls.replace(".", ""), cls[:4], w.sub or cls, "", w.word)
                )
            table = np.array(forms, dtype=object)
            form = _pick(rng, np.tile([0.5, 0.14, 0.08, 0.1, 0.05, 0.08, 0.035, 0.015], (n, 1)))
            self.put("A03", table[self.word, form])

        if self.has("A04"):
            a04 = np.array([_KIND_A04[k] for k in self.kind], dtype=object)
            if self.scheme.public and self.scheme.public.category:
                codes = list(self.scheme.public.codes)
                wrong = self.is_public & ~np.isin(a04, codes)
                a04[wrong] = codes[0]
            self.put("A04", a04)

        # A05 counts
        ptz = np.clip(self.sector_attr["ptz"] + rng.normal(0, 0.1, n), 0.0, 0.95)
        tz = rng.binomial(hc.astype(np.int64), ptz).astype(float)
        p_az = np.where(hc < 10, 0.08, rng.uniform(0.01, 0.08, n))
        az = rng.binomial(hc.astype(np.int64), p_az).astype(float)
        self.put("A05[total]", hc.copy())
        self.put("A05[teilzeit]", np.where(self.chance(0.03), np.nan, tz))
        self.put("A05[azubis]", np.where(self.chance(0.03), np.nan, az))

        if self.has("A06"):
            codes = ["U2", "U10", "U50", "U50P", "NA", "KA"]
            p = np.zeros((n, 7))
            table = {
                0: [0.85, 0.05, 0, 0, 0, 0.1, 0.05],
                1: [0.45, 0.4, 0, 0, 0, 0.15, 0.05],
                2: [0, 0.45, 0.35, 0, 0, 0.2, 0.05],
                3: [0, 0, 0.3, 0.5, 0, 0.2, 0.05],
            }
            for g, row in table.items():
                p[self.size == g] = row
            p[self.kind == "oer"] = [0, 0, 0, 0.2, 0.6, 0.2, 0.05]
            p[(self.kind == "oeu") & (hc >= 500)] = [0, 0, 0.1, 0.7, 0, 0.2, 0.03]
            p[(self.kind == "oeu") & (hc < 500)] = [0, 0.1, 0.5, 0.2, 0, 0.2, 0.03]
            self.single("A06", p, codes)

        # A07 gender
        pf = np.clip(self.sector_attr["pf"] + rng.normal(0, 0.1, n), 0.02, 0.98)
        hci = hc.astype(np.int64)
        wf = rng.binomial(hci, pf)
        dv = np.where((self.size >= 3) & self.chance(0.05), rng.binomial(hci, 0.002), 0)
        if self.year >= 2019:
            dv = dv + rng.binomial(hci, 0.0005)
        mm = hci - wf - dv
        off = self.chance(0.07)  # a sum_eq warning case: the gender counts do not add up
        shift = rng.integers(1, 4, n) * np.where(self.chance(0.5), 1, -1)
        mm = np.where(off, np.maximum(mm + shift, 0), mm)
        miss = self.chance(np.where(self.size <= 1, 0.12, 0.05))
        self.put("A07[weiblich]", np.where(miss, np.nan, wf).astype(float))
        self.put("A07[maennlich]", np.where(miss, np.nan, mm).astype(float))
        self.put("A07[divers]", np.where(miss | ((dv == 0) & self.chance(0.5)), np.nan, dv).astype(float))

        # A08 managers
        mg = np.clip(np.round(hc / rng.uniform(5, 14, n)), 1, hc)
        mf = rng.binomial(mg.astype(np.int64), np.clip(pf * rng.uniform(0.3, 0.9, n), 0, 1)).astype(float)
        miss = self.chance(0.04)
        self.put("A08[gesamt]", np.where(miss, np.nan, mg))
        self.put("A08[frauen]", np.where(miss, np.nan, mf))

        # A09 nationality
        pnd = np.clip(self.sector_attr["pnd"] * rng.lognormal(0, 0.5, n), 0, 0.9)
        nd = rng.binomial(hci, pnd).astype(float)
        nat = np.where(nd == 0, 0, np.minimum(nd, 1 + rng.poisson(1.2 * np.sqrt(nd)))).astype(float)
        nat = np.minimum(nat, 80)
        est = (nd >= 20) & self.chance(0.15)  # estimated, written as a round number ("ca. 120" on paper)
        nd = np.where(est, np.minimum(np.round(nd / 10) * 10, np.floor(hc / 10) * 10), nd)
        miss = self.chance(np.where(self.size <= 1, 0.2, 0.08))
        self.nat = np.where(miss, np.nan, nat)
        self.put("A09[nichtdeutsch]", np.where(miss, np.nan, nd))
        self.put("A09[nationen]", np.where(miss | (est & self.chance(0.3)), np.nan, nat))

        # A10 age
        base = np.array([0.12, 0.33, 0.37, 0.18])
        young = np.isin(
            self.sector, [i for i, s in enumerate(_SECTORS) if s.key in ("gastro", "it", "callcenter")]
        )
        alpha = np.where(young[:, None], np.array([0.2, 0.45, 0.25, 0.1]), base) * 30
        probs = rng.gamma(alpha)
        probs = probs / probs.sum(axis=1, keepdims=True)
        left = hci.copy()
        rest = np.ones(n)
        bands = []
        for j in range(3):
            x = rng.binomial(left, np.clip(probs[:, j] / np.maximum(rest, 1e-9), 0, 1))
            bands.append(x)
            left = left - x
            rest = rest - probs[:, j]
        bands.append(left)
        ages = np.vstack(bands).astype(float)
        off = self.chance(0.09)
        j = rng.integers(0, 4, n)
        delta = np.maximum(1, np.round(hc * rng.uniform(0.01, 0.05, n))) * np.where(self.chance(0.5), 1, -1)
        cols = np.arange(n)
        ages[j[off], cols[off]] = np.maximum(ages[j[off], cols[off]] + delta[off], 0)
        miss = self.chance(np.where(self.size <= 1, 0.18, 0.08))
        for k, sub in enumerate(("u25", "a2539", "a4054", "a55plus")):
            self.put(f"A10[{sub}]", np.where(miss, np.nan, ages[k]))

        # A11 SGB IX: places exclude trainee posts and short part-time jobs (§ 156 SGB IX)
        places = np.maximum(hc - az - rng.binomial(tz.astype(np.int64), 0.12), 0)
        required = np.where(
            places < 20, 0, np.where(places < 40, 1, np.where(places < 60, 2, np.floor(0.05 * places + 0.5)))
        )
        ratio = np.where(
            self.is_public, rng.lognormal(np.log(1.3), 0.25, n), rng.lognormal(np.log(0.9), 0.5, n)
        )
        sb = np.where(
            places >= 20,
            np.round(ratio * np.maximum(required, 0.05 * places)),
            rng.binomial(places.astype(np.int64), 0.03),
        )
        sb = np.minimum(sb, places)
        self.sb = sb
        miss = self.chance(np.where(places < 20, 0.4, 0.04))
        self.put("A11[plaetze]", np.where(miss, np.nan, places).astype(float))
        self.put("A11[sb]", np.where(miss, np.nan, sb).astype(float))

    # -- B: dimensions ------------------------------------------------------------------------------------
    def dimensions(self) -> None:
        rng, n = self.rng, self.n
        if self.has("B01"):
            it = self.q.items["B01"]
            codes = self.options("B01")
            p = np.clip(0.08 + 0.12 * self.s + 0.15 * self.engagement, 0.02, 0.9)
            k = 1 + rng.binomial(len(codes) - 1, p)
            w = np.array([_DIM_WEIGHT.get(c, 1.0) for c in codes])
            mask, ranks = _topk(rng, w, k)
            for j, c in enumerate(codes):
                self.put(f"B01[{c}]", mask[:, j])
            self.other_text(it, 0.03, _OTHER_B01)
            if self.has("B02"):
                b02 = self.options("B02")
                main = np.argmin(ranks, axis=1)
                if len(b02) == len(codes):  # same order in both lists (vg2010: alter → ALTER, …)
                    values = _lookup(b02, main)
                else:
                    values = _lookup(b02, rng.integers(0, len(b02), n))
                self.put("B02", np.where(self.chance(0.06), "", values).astype(object))
        if self.has("B03"):
            it = self.q.items["B03"]
            codes = self.options("B03")
            w = np.array([_MOTIVE_WEIGHT.get(c, 1.0) for c in codes])
            w = np.broadcast_to(w, (n, len(codes))).copy()
            if "recht" in codes:
                w[self.is_public, codes.index("recht")] = 1.5
            if "fachkraefte" in codes:
                w[self.is_public, codes.index("fachkraefte")] = 0.6
            mask, _ = _topk(rng, w, 1 + rng.binomial(3, 0.35, n))
            for j, c in enumerate(codes):
                self.put(f"B03[{c}]", mask[:, j])
            self.other_text(it, 0.03, _OTHER_B03)

    # -- C: measures --------------------------------------------------------------------------------------
    def measures(self) -> None:
        rng, n, s, e = self.rng, self.n, self.s, self.engagement
        items = [it for sec in self.q.sections if sec.id == "C" for it in sec.items if it.type == "multi"]
        self.main_label = np.full(n, "", dtype=object)
        self.main_field = np.full(n, "", dtype=object)
        self.n_measures = np.zeros(n, dtype=np.int64)
        if not items:
            return
        nf = len(items)
        tiny = self.hc < 10
        # baseline options (legal duties) are ticked independently of the chosen fields
        p_base = np.where(tiny, 0.1, _sigmoid(-2.0 + 1.1 * s + e + 0.5 * self.is_public))
        base_ticks = {}
        n_base = np.zeros(n, dtype=np.int64)
        for it in items:
            for o in self.q.options_of(it):
                if o.baseline:
                    t = self.chance(p_base)
                    base_ticks[(it.id, o.code)] = t
                    n_base += t
        k_fields = np.round(0.4 + 2.2 * s + 1.2 * e + rng.normal(0, 0.6, n)).astype(np.int64)
        k_fields = np.clip(k_fields, 1, nf)
        k_fields = np.where(tiny, np.clip(k_fields, 1, np.maximum(3 - n_base, 1)), k_fields)
        k_fields = np.where(self.hc >= 2000, np.maximum(k_fields, min(8, nf)), k_fields)
        fields = [it.field or it.id for it in items]
        w = np.array([_FIELD_WEIGHT.get(f, 1.0) for f in fields])
        w_small = np.array([_FIELD_WEIGHT_SMALL.get(f, _FIELD_WEIGHT.get(f, 1.0)) for f in fields])
        wmat = np.where((self.size <= 1)[:, None], w_small, w)
        chosen, franks = _topk(rng, wmat, k_fields)
        lam = np.where(tiny, 0.0, np.clip(0.45 * (s - 1) + 0.5 * e, 0, 3))
        main_f = np.argmin(np.where(chosen, franks, nf + 1), axis=1)
        p_other = np.clip(0.02 + 0.03 * s, 0, 0.2)
        for fi, it in enumerate(items):
            opts = self.q.options_of(it)
            regular = np.array([0.0 if o.baseline else _POPULARITY.get(o.code, 1.0) for o in opts])
            m = np.where(chosen[:, fi], 1 + rng.poisson(lam), 0)
            mask, oranks = _topk(rng, regular, m)
            for j, o in enumerate(opts):
                col = mask[:, j]
                if o.baseline:
                    col = base_ticks[(it.id, o.code)]
                self.put(f"{it.id}[{o.code}]", col)
                self.n_measures += col
            is_main = main_f == fi
            top = np.argmin(np.where(regular > 0, oranks, len(opts) + 1), axis=1)
            labels = _lookup([o.label.de for o in opts], top)
            self.main_label = np.where(is_main, labels, self.main_label)
            self.main_field = np.where(is_main, fields[fi], self.main_field)
            self.other_text(
                it,
                np.where(chosen[:, fi] & ~tiny, p_other, 0.0),
                _OTHER_C.get(it.field or "", _OTHER_GENERIC),
            )

    # -- D: strategy --------------------------------------------------------------------------------------
    def strategy(self) -> None:
        rng, n, s, e = self.rng, self.n, self.s, self.engagement
        size, pub = self.size, self.is_public
        if self.has("D01"):
            lvl = np.clip(np.floor(0.3 + 0.75 * s + 1.2 * e + rng.normal(0, 0.7, n)), 0, 3).astype(np.int64)
            self.put("D01", np.where(self.chance(0.03), "", _istr(lvl)).astype(object))
        if self.has("D02"):
            p = _sigmoid(-4.2 + 1.1 * s + 1.5 * e + 1.0 * pub)
            yes = self.chance(p)
            self.put("D02", np.where(self.chance(0.03), "", np.where(yes, "Y", "N")).astype(object))
        if self.has("D03"):
            codes = ["NIEM", "INH", "TEIL", "STELL", "TEAM"]
            table = np.array(
                [
                    [0.25, 0.7, 0.05, 0, 0, 0.02],
                    [0.2, 0.55, 0.2, 0.02, 0.03, 0.02],
                    [0.1, 0.25, 0.45, 0.08, 0.12, 0.02],
                    [0.03, 0.05, 0.4, 0.25, 0.27, 0.01],
                ]
            )
            p = table[size]
            p[pub] = [0.05, 0, 0.35, 0.35, 0.25, 0.01]
            self.single("D03", p, codes)
        if self.has("D04"):
            codes = ["KEIN", "B5", "B50", "B50P", "KA"]
            table = np.array(
                [
                    [
                        0.35,
                        0.1,
                        0,
                        0,
                        0.05,
                        0.5,
                    ],  # budgets are not expected from small firms: often left blank
                    [0.35, 0.1, 0, 0, 0.05, 0.5],
                    [0.35, 0.35, 0.15, 0, 0.1, 0.05],
                    [0.1, 0.15, 0.4, 0.25, 0.1, 0.02],
                ]
            )
            p = table[size]
            p[pub] = [0.1, 0.2, 0.4, 0.2, 0.1, 0.02]
            self.single("D04", p, codes)
        if self.has("D05"):
            lvl = np.clip(np.floor(-0.3 + 0.7 * s + 1.2 * e + rng.normal(0, 0.7, n)), 0, 3).astype(np.int64)
            blank = self.chance(np.where(size == 0, 0.4, 0.03))
            self.put("D05", np.where(blank, "", _istr(lvl)).astype(object))
        if self.has("D06"):
            it = self.q.items["D06"]
            opts = self.q.options_of(it)
            excl = [j for j, o in enumerate(opts) if o.exclusive]
            w = np.array(
                [
                    0.0 if o.exclusive else {"personalstatistik": 1.2, "audit": 0.4}.get(o.code, 1.0)
                    for o in opts
                ]
            )
            k = rng.binomial(int((w > 0).sum()), np.clip(-0.15 + 0.2 * s + 0.2 * e, 0, 0.95))
            mask, _ = _topk(rng, w, k)
            none = (k == 0) & self.chance(0.7)
            for j in excl:
                mask[:, j] = none
            for j, o in enumerate(opts):
                self.put(f"D06[{o.code}]", mask[:, j])
        if self.has("D07"):
            it = self.q.items["D07"]
            p_br = np.array([0.05, 0.25, 0.7, 0.92])[size]
            p_br = np.where(pub, 1.0, p_br)
            ticks = {
                "betriebsrat": self.chance(p_br),
                "sbv": self.chance(np.where(self.sb >= 5, 0.9, 0.05)),
                "gleichstellung": self.chance(np.where(pub, 0.95, np.where(size >= 3, 0.35, 0.03))),
                "netzwerk": self.chance(_sigmoid(-4 + s + e)),
                "arbeitsgruppe": self.chance(_sigmoid(-2.5 + 0.8 * s + e)),
                "team": self.chance(np.where(size <= 1, 0.6, 0.25)),
            }
            any_tick = np.zeros(n, dtype=bool)
            for o in self.q.options_of(it):
                if not o.exclusive:
                    t = ticks.get(o.code, self.chance(0.2))
                    any_tick |= t
                    self.put(f"D07[{o.code}]", t)
            for o in self.q.options_of(it):
                if o.exclusive:
                    self.put(f"D07[{o.code}]", ~any_tick & self.chance(0.8))

    # -- E: results ---------------------------------------------------------------------------------------
    def results(self) -> None:
        rng, n, s, e = self.rng, self.n, self.s, self.engagement
        if self.has("E01"):
            it = self.q.items["E01"]
            na = set(self.q.scales[it.scale].not_applicable) if it.scale in self.q.scales else set()
            na_code = sorted(na)[0] if na else None
            for sub in it.subs or []:
                mu = 3.1 + 0.6 * e + 0.15 * (s - 2) + rng.normal(0, 0.9, n)
                v = _istr(np.clip(np.round(mu), 1, 5))
                p9 = np.where((sub.code == "kundenzugang") & self.is_public, 0.3, 0.08)
                if na_code is not None:
                    v = np.where(self.chance(p9), na_code, v)
                v = np.where(self.chance(np.where(self.size == 0, 0.05, 0.02)), "", v)
                self.put(f"E01[{sub.code}]", v.astype(object))
        if self.has("E02"):
            codes = self.options("E02")
            w = np.array([{"anerkennung": 0.7, "dokumente": 1.2}.get(c, 1.0) for c in codes])
            k = rng.binomial(len(codes), np.clip(0.05 + 0.12 * s + 0.15 * e, 0, 0.9))
            mask, _ = _topk(rng, w, k)
            for j, c in enumerate(codes):
                self.put(f"E02[{c}]", mask[:, j])
        if self.has("E03"):
            a = rng.integers(20, 180, n)
            b = np.maximum(a - rng.integers(3, 30, n), 5)
            values = {
                "a": _istr(a // 10) + "," + _istr(a % 10),
                "b": _istr(b // 10) + "," + _istr(b % 10),
                "ya": np.full(n, str(self.year - 3), dtype=object),
                "yb": np.full(n, str(self.year - 1), dtype=object),
                "k": _istr(rng.integers(2, 15, n)),
            }
            text = _fill(_E03, rng.integers(0, len(_E03), n), values)
            self.put("E03", np.where(self.chance(_sigmoid(-1.8 + 0.7 * s + e)), text, "").astype(object))

    # -- F: free texts -----------------------------------------------------------------------------------
    def texts(self) -> None:
        rng, n, s, e = self.rng, self.n, self.s, self.engagement
        small = self.hc < 50
        label = np.where(self.main_label == "", "Vielfalt im Alltag", self.main_label)
        y0 = self.year - 1 - np.minimum(rng.geometric(0.35, n) - 1, 7)
        hc_text = np.array([f"{int(h):,}".replace(",", ".") for h in self.hc], dtype=object)
        nat = np.where(np.isnan(self.nat) | (self.nat < 2), 0, self.nat)
        owner = np.isin(self.legal, list(_OWNER_FORMS)) & (self.hc < 50)
        roles = np.where(
            small,
            _lookup(_ROLES_SMALL, rng.integers(0, len(_ROLES_SMALL), n)),
            _lookup(_ROLES_LARGE, rng.integers(0, len(_ROLES_LARGE), n)),
        )
        roles = np.where(owner & self.chance(0.7), _lookup(_ROLES_OWNER, rng.integers(0, 2, n)), roles)
        euro_i = np.clip(np.round(self.s * 1.6 + rng.normal(0, 0.8, n)), 0, len(_EUROS) - 1).astype(np.int64)
        values = {
            "m": label,
            "M": np.array([t[:1].upper() + t[1:] for t in label], dtype=object),
            "y0": _istr(y0),
            "y1": _istr(np.minimum(y0 + 1, self.year - 1)),
            "y2": _istr(self.year + rng.integers(1, 3, n)),
            "month": _lookup(_MONTHS, rng.integers(0, 12, n)),
            "k": _istr(rng.integers(2, 10, n)),
            "n2": _istr(np.maximum(1, np.round(self.hc * rng.uniform(0.05, 0.5, n)))),
            "euro": _lookup(_EUROS, euro_i),
            "partner": _lookup(_PARTNERS, rng.integers(0, len(_PARTNERS), n)),
            "role": roles,
            "agreement": np.where(self.is_public, "Dienstvereinbarung", "Betriebsvereinbarung").astype(
                object
            ),
            "hc": hc_text,
            "nat": _istr(nat),
            "sector": _lookup([w.word for _, w in _WORDS], self.word),
        }
        # quality: 0 empty, 1 vague, 2 short, 3 medium, 4 long — better with size and engagement
        z = 0.9 * e + 0.35 * (s - 1.5) + rng.normal(0, 0.8, n)
        quality = np.digitize(z, [-1.6, -0.9, -0.2, 0.6])
        newline = np.where(self.chance(0.35), "\n", " ").astype(object)

        def pick(templates: Sequence[str]) -> np.ndarray:
            return _fill(templates, rng.integers(0, len(templates), n), values)

        goals = np.full(n, "", dtype=object)
        for fcode, sentences in _F01_GOAL.items():
            rows = self.main_field == fcode
            goals = np.where(rows, _lookup(sentences, rng.integers(0, len(sentences), n)), goals)
        goals = np.where(goals == "", _GOAL_GENERIC[0], goals)
        intro = pick(_F01_INTRO)
        impl = np.where(small, pick(_F01_IMPL_SMALL), pick(_F01_IMPL_LARGE))
        impl2 = np.where(small | self.chance(0.5), "", pick(_F01_IMPL_LARGE))
        impl2 = np.where(impl2 == impl, "", impl2)
        period = pick(_F01_PERIOD)
        vague = pick(_VAGUE)
        long_ = _join([intro, goals, impl, impl2, period], newline)
        f01 = np.select(
            [quality == 0, quality == 1, quality == 2, quality == 3],
            [np.full(n, "", dtype=object), vague, intro, _join([intro, goals, period])],
            long_,
        )
        f01 = np.where((quality == 0) & ~self.chance(0.6), intro, f01)  # F01 is rarely left empty
        self.put("F01", f01.astype(object))

        def blank(p_small: float, p_other: float) -> np.ndarray:
            return self.chance(np.where(small, p_small, p_other)) | (quality == 0)

        f02 = np.select(
            [quality <= 1, quality == 2],
            [pick(_VAGUE[:3] + _F02_B[:1]), pick(_F02_A)],
            _join([pick(_F02_A), pick(_F02_B), np.where(quality == 4, pick(_F02_C), "")]),
        )
        self.put("F02", np.where(blank(0.3, 0.08), "", f02).astype(object))
        f03 = np.select(
            [quality <= 1, quality == 2],
            [pick(_F03_B[3:]), pick(_F03_A)],
            _join([pick(_F03_A), pick(_F03_B), np.where(quality == 4, pick(_F03_C), "")]),
        )
        self.put("F03", np.where(blank(0.3, 0.08), "", f03).astype(object))
        situation = np.where(self.is_public, _F04_PUBLIC, np.where(self.hc < 25, _F04_SMALL, "")).astype(
            object
        )
        # the sentence on nationalities (template 0) only where at least two are known
        choice = np.where(nat > 0, rng.integers(0, len(_F04_A), n), rng.integers(1, len(_F04_A), n))
        f04a = _fill(_F04_A, choice, values)
        f04 = np.select(
            [quality <= 1, quality == 2],
            [pick(_F04_B), _join([situation, pick(_F04_B)])],
            _join([f04a, situation, pick(_F04_B)], newline),
        )
        self.put("F04", np.where(blank(0.35, 0.1), "", f04).astype(object))

    # -- G: contact ---------------------------------------------------------------------------------------
    def contact(self) -> None:
        rng, n = self.rng, self.n
        female = self.chance(0.62)
        fi = np.where(
            female, rng.integers(0, len(_FIRST_F), n), len(_FIRST_F) + rng.integers(0, len(_FIRST_M), n)
        )
        li = rng.integers(0, len(_LAST), n)
        firsts = (*_FIRST_F, *_FIRST_M)
        first, last = _lookup(firsts, fi), _lookup(_LAST, li)
        paper = self.source == _PAPER
        # typists key names from paper forms with a German keyboard (cp1252): Yılmaz → Yilmaz
        first = np.array(
            [f.translate(_CP1252_FALLBACK) if p else f for f, p in zip(first, paper, strict=True)],
            dtype=object,
        )
        last = np.array(
            [x.translate(_CP1252_FALLBACK) if p else x for x, p in zip(last, paper, strict=True)],
            dtype=object,
        )
        title = _lookup(_TITLE, rng.integers(0, len(_TITLE), n))
        self.put("G01[name]", title + first + " " + last)
        group = np.where(self.is_public, 4, self.size)
        funcs = np.empty(n, dtype=object)
        for g, options in enumerate(_FUNCTIONS):
            rows = np.flatnonzero(group == g)
            k = rng.integers(0, len(options), len(rows))
            funcs[rows] = [options[i][0 if f else 1] for i, f in zip(k, female[rows], strict=True)]
        # an owner signs for a sole trader or partnership; "Vorsitzende" only fits an association
        owner = np.isin(self.legal, list(_OWNER_FORMS)) & (self.size <= 1) & self.chance(0.8)
        funcs[owner] = np.where(female[owner], _OWNER_FUNCTION[0], _OWNER_FUNCTION[1])
        chair = np.isin(funcs, ["Vorsitzende", "Vorsitzender"]) & (self.legal != "EV")
        funcs[chair] = np.where(female[chair], "Geschäftsführerin", "Geschäftsführer")
        self.put("G01[funktion]", funcs)
        fs = _lookup([_slug(x) for x in firsts], fi)
        ls = _lookup([_slug(x) for x in _LAST], li)
        style = rng.integers(0, 3, n)
        local = np.select(
            [style == 0, style == 1],
            [fs + "." + ls, np.array([x[:1] for x in fs], dtype=object) + "." + ls],
            ls,
        )
        self.put("G01[email]", local + "@example.org")
        # the Bundesnetzagentur keeps 0221 4710 000–999 free for fiction ("Drama Numbers")
        ext = rng.integers(0, 1000, n)
        e3 = np.array([f"{x:03d}" for x in ext], dtype=object)
        fmt = _pick(rng, np.tile([0.4, 0.3, 0.22, 0.08], (n, 1)))
        phone = np.select(
            [fmt == 0, fmt == 1, fmt == 2],
            ["0221 4710" + e3, "0221/4710" + e3, "0221 4710-" + e3],
            "+49 221 4710 " + e3,
        )
        self.put("G01[telefon]", np.where(self.chance(0.04), "", phone).astype(object))
        if self.has("G02"):
            p = {"veroeffentlichung": 0.93, "foto": 0.85, "besuch": 0.92, "forschung": 0.8}
            for c in self.options("G02"):
                self.put(f"G02[{c}]", self.chance(p.get(c, 0.85)))

    # -- anything the model above does not know ----------------------------------------------------------
    def generic(self) -> None:
        rng, n = self.rng, self.n
        for _, it in self.q.iter_items():
            for c in it.columns():
                if c in self.cols:
                    continue
                if it.type == "multi":
                    self.cols[c] = np.full(n, "", dtype=object) if c.endswith("[other]") else self.chance(0.3)
                elif it.type in ("numeric", "multinumeric"):
                    self.cols[c] = np.floor(self.hc * rng.uniform(0, 0.3, n))
                elif it.type in ("single", "array") and not c.endswith("[other]"):
                    codes = [o.code for o in self.q.options_of(it)]
                    self.cols[c] = _lookup(codes, rng.integers(0, len(codes), n)) if codes else np.full(n, "")
                elif it.type == "yesno":
                    self.cols[c] = np.where(self.chance(0.5), "Y", "N").astype(object)
                else:
                    self.cols[c] = np.full(n, "", dtype=object)

    def frame(self) -> pd.DataFrame:
        self.profile()
        self.dimensions()
        self.measures()
        self.strategy()
        self.results()
        self.texts()
        self.contact()
        self.generic()
        rng, n = self.rng, self.n
        # submissions: after the reference date, until the end of February, most in the last weeks
        first = np.datetime64(f"{self.year}-01-04")
        days = (np.datetime64(f"{self.year}-02-28") - first).astype(int)
        day = np.floor(rng.beta(2.2, 1.0, n) * (days + 1)).astype("timedelta64[D]")
        hour = np.where(self.chance(0.8), rng.integers(8, 18, n), rng.integers(18, 23, n))
        secs = (hour * 3600 + rng.integers(0, 3600, n)).astype("timedelta64[s]")
        submit = (first + day).astype("datetime64[s]") + secs
        data: dict[str, Any] = {
            SOURCE: self.source,
            CATEGORY_INTENDED: self.cat.astype(object),
            SUBMITDATE: submit,
        }
        for c in self.columns:
            data[c] = self.cols[c]
        return pd.DataFrame(data, index=pd.RangeIndex(self.start, self.start + n, name="entry"))


def _check_common(func: str, n: Any, seed: Any, year: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        msg = _param_msg(func, "n", n, "eine ganze Zahl ≥ 0")
        raise ConfigError(msg)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        msg = _param_msg(func, "seed", seed, "eine ganze Zahl ≥ 0")
        raise ConfigError(msg)
    if isinstance(year, bool) or not isinstance(year, int | np.integer) or not 1990 <= year <= 2100:
        msg = _param_msg(func, "year", year, "ein Jahr zwischen 1990 und 2100")
        raise ConfigError(msg)


def generate_entries(
    q: Questionnaire,
    scheme: CategoryScheme,
    *,
    n: int,
    seed: int,
    year: int,
    counts: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Draw `n` fictional entries in canonical form.

    Parameters
    ----------
    q : Questionnaire
        The instrument; every column of ``q.columns()`` is filled (vg2010's items with a realistic model,
        unknown items with plain random answers).
    scheme : CategoryScheme
        The edition's categories; headcounts are drawn inside each category's bin (public bodies 40–12 000).
    n : int
        Number of entries (≥ 0).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same frame.
    year : int
        Edition year: submission dates fall between 4 January and 28 February of it; texts refer to it.
    counts : mapping of category → int, optional
        Exact number of entries per category (must sum to `n`); default: shares of about 35 % klein,
        25 % mittel, 20 % gross, 15 % public, normalised over the scheme's categories.

    Returns
    -------
    DataFrame
        One row per entry: ``source`` (``"online"`` ≈ 40 % or ``"papier"``, spread evenly over the
        categories), ``category_intended``, ``submitdate`` (datetime64), then ``q.columns()``: numbers as
        float (NaN = not answered), multiple-choice ticks as bool, single-choice and scale answers as codes,
        yes/no as ``"Y"``/``"N"``, texts as str (``""`` = not answered).

    Examples
    --------
    >>> from vielfalt.config.edition import load_edition
    >>> ed, q = load_edition("params/editions/demo2010.yaml", with_questionnaire=True)  # doctest: +SKIP
    >>> df = generate_entries(q, ed.category_scheme, n=100, seed=1, year=2010)  # doctest: +SKIP
    >>> bool((df["A05[teilzeit]"].fillna(0) <= df["A05[total]"]).all())  # doctest: +SKIP
    True
    """
    _check_common("generate_entries", n, seed, year)
    return _generate(q, scheme, n=int(n), seed=int(seed), year=int(year), start=0, counts=counts)


def _generate(
    q: Questionnaire,
    scheme: CategoryScheme,
    *,
    n: int,
    seed: int,
    year: int,
    start: int,
    counts: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    if counts is not None:
        cats = scheme.categories()
        bad = [c for c in counts if c not in cats]
        if bad or sum(counts.values()) != n or any(v < 0 for v in counts.values()):
            msg = _param_msg(
                "generate_entries",
                "counts",
                dict(counts),
                f"eine Zuordnung Kategorie → Anzahl über {cats} mit Summe n={n}",
            )
            raise ConfigError(msg)
    return _Draw(q, scheme, n=n, seed=seed, year=year, start=start, counts=counts).frame()


# =========================================================================================================
# rendering: canonical values → cells of a dialect
# =========================================================================================================


def _column_kinds(q: Questionnaire) -> dict[str, str]:
    """Kind of every instrument column: number, tick, code, yesno, text."""
    kinds: dict[str, str] = {}
    for _, it in q.iter_items():
        for c in it.columns():
            if c.endswith("[other]"):
                kinds[c] = "text"
            elif it.type in ("numeric", "multinumeric"):
                kinds[c] = "number"
            elif it.type == "multi":
                kinds[c] = "tick"
            elif it.type in ("single", "array"):
                kinds[c] = "code"
            elif it.type == "yesno":
                kinds[c] = "yesno"
            else:
                kinds[c] = "text"
    return kinds


def em_heading(column: str) -> str:
    """Expression-Manager heading of a code column: ``A05[total]`` → ``A05_total``."""
    return column.replace("[", "_").replace("]", "")


def _num_text(v: np.ndarray) -> np.ndarray:
    """Numbers as LimeSurvey writes them: dot decimal, trailing zeros trimmed, NaN as empty."""
    v = np.asarray(v, dtype=float)
    out = np.full(len(v), "", dtype=object)
    ok = np.isfinite(v)
    whole = ok & (np.floor(v) == v)
    out[whole] = _istr(v[whole])
    frac = ok & ~whole
    out[frac] = [repr(float(x)).rstrip("0").rstrip(".") for x in v[frac]]
    return out


def _ls_cells(df: pd.DataFrame, q: Questionnaire, kinds: Mapping[str, str]) -> list[np.ndarray]:
    """Instrument columns as LimeSurvey's short-answer strings, one object array per column."""
    out = []
    for c in q.columns():
        kind = kinds[c]
        col = df[c]
        if kind == "number":
            v = _num_text(col.to_numpy(dtype=float))
        elif kind == "tick":
            v = np.where(col.to_numpy(dtype=bool), "Y", "").astype(object)
        else:
            v = col.to_numpy(dtype=object)
            if kind == "text":  # CsvWriter normalises line breaks inside values to \n and doubles quotes
                v = np.array([_ls_text(x) for x in v], dtype=object)
        out.append(v)
    return out


def _ls_text(x: str) -> str:
    if "\r" in x:
        x = x.replace("\r\n", "\n").replace("\r", "\n")
    return x.replace('"', '""') if '"' in x else x


def _ls_bytes_rows(meta: Sequence[np.ndarray], cells: Sequence[np.ndarray]) -> bytes:
    """Records as LimeSurvey's CsvWriter writes them: every value quoted, CRLF (text cells come escaped)."""
    lines = ['"' + '";"'.join(rec) + '"\r\n' for rec in zip(*meta, *cells, strict=True)]
    return "".join(lines).encode("utf-8")


def _ls_header(q: Questionnaire) -> bytes:
    heads = [*_LS_META, *q.columns()]
    return ("\ufeff" + ";".join(f'"{h}"' for h in heads) + "\r\n").encode("utf-8")


def _ls_meta(
    df: pd.DataFrame, ids: np.ndarray, rng: np.random.Generator, *, lastpage: int
) -> list[np.ndarray]:
    n = len(df)
    submit = pd.to_datetime(df[SUBMITDATE])
    dates = np.where(submit.isna(), "", submit.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")).astype(object)
    page = np.where(dates == "", _istr(rng.integers(1, lastpage, n)), str(lastpage)).astype(object)
    return [
        _istr(ids),
        dates,
        page,
        np.full(n, "de", dtype=object),
        _istr(rng.integers(10**6, 2 * 10**9, n)),
    ]


def _excel_cells(
    df: pd.DataFrame,
    q: Questionnaire,
    kinds: Mapping[str, str],
    rng: np.random.Generator,
    *,
    for_csv: bool,
) -> list[np.ndarray]:
    """Instrument columns the way the institute's typists keyed paper forms (German Excel).

    Object arrays holding int (a typed number, XLSX only) or str. Ticks are ``x`` (some typists ``X``),
    yes/no ``ja``/``nein``, missing context numbers ``k.A.``, ``-`` or empty, estimated counts ``ca. 120``;
    in the CSV large numbers sometimes carry a thousands dot (``1.250``).
    """
    n = len(df)
    tick = np.where(rng.random(n) < 0.8, "x", "X").astype(object)
    yes, no = (np.where(rng.random(n) < 0.7, w, w.capitalize()).astype(object) for w in ("ja", "nein"))
    thousands = rng.random(n) < 0.5
    placeholder = _lookup(["k.A.", "-", "", "k.A."], rng.integers(0, 4, (len(q.columns()), n)))
    approx_cols = {"A09[nichtdeutsch]", "A09[nationen]"}
    out = []
    for ci, c in enumerate(q.columns()):
        kind = kinds[c]
        col = df[c]
        if kind == "number":
            v = col.to_numpy(dtype=float)
            cells = np.empty(n, dtype=object)
            miss = ~np.isfinite(v)
            cells[miss] = placeholder[ci][miss]
            if c.startswith("A05"):  # the headcount block is never left as "k.A." on a valid form
                cells[miss] = ""
            have = np.flatnonzero(~miss)
            for i in have:
                x = int(v[i]) if float(v[i]).is_integer() else float(v[i])
                if c in approx_cols and isinstance(x, int) and x >= 20 and x % 10 == 0 and rng.random() < 0.5:
                    cells[i] = f"ca. {x}"
                elif for_csv:
                    if isinstance(x, int):
                        cells[i] = f"{x:,}".replace(",", ".") if thousands[i] and x >= 1000 else str(x)
                    else:
                        cells[i] = f"{x:,}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
                else:
                    cells[i] = x
        elif kind == "tick":
            cells = np.where(col.to_numpy(dtype=bool), tick, "").astype(object)
        elif kind == "yesno":
            v = col.to_numpy(dtype=object)
            cells = np.select([v == "Y", v == "N"], [yes, no], "").astype(object)
        elif kind == "code":
            v = col.to_numpy(dtype=object)
            cells = v.copy()
            digits = np.array([isinstance(x, str) and x.isdigit() for x in v])
            if not for_csv:  # a scale answer typed as 4 is a number in Excel
                cells[digits] = [int(x) for x in v[digits]]
            lower = (rng.random(n) < 0.03) & ~digits & (v != "-oth-")
            cells[lower] = [x.lower() for x in v[lower]]
        else:
            v = col.to_numpy(dtype=object)
            cells = v.copy()
            if c == "A03" and not for_csv:  # Excel turns a typed 6201 into a number
                digits = np.array([isinstance(x, str) and x.isdigit() for x in v])
                cells[digits] = [int(x) for x in v[digits]]
        out.append(cells)
    return out


def _cp1252(text: str) -> bytes:
    return text.translate(_CP1252_FALLBACK).encode("cp1252", errors="replace")


def _excel_csv_bytes(headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """German Excel's "CSV (Trennzeichen-getrennt)": ``;``, quotes only where needed, CRLF, cp1252."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(headings)
    for r in rows:
        w.writerow(["" if x is None else str(x) for x in r])
    return _cp1252(buf.getvalue())


def _fixed_time(year: int) -> _dt.datetime:
    """When the institute saved the transcription: 1 March after the deadline, 09:00."""
    return _dt.datetime(year, 3, 1, 9, 0, 0)


_CORE_TIME = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _normalise_xlsx(data: bytes, when: _dt.datetime) -> bytes:
    """Rewrite an XLSX so that equal content gives equal bytes.

    openpyxl stamps the save time into ``docProps/core.xml`` and every zip entry; both are replaced by
    `when`, entries are written in a fixed order and stored uncompressed, so the bytes do not depend on
    the zlib build either.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as dst:
        names = sorted(
            src.namelist(), key=lambda x: (x != "[Content_Types].xml", not x.startswith("_rels/"), x)
        )
        for name in names:
            body = src.read(name)
            if name == "docProps/core.xml":
                body = _CORE_TIME.sub(lambda m: m.group(1) + stamp + m.group(2), body.decode("utf-8")).encode(
                    "utf-8"
                )
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, body)
    return out.getvalue()


def _xlsx_bytes(headings: Sequence[str], rows: Sequence[Sequence[Any]], *, year: int, sheet: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(headings))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([None if x == "" else x for x in r])  # an empty cell is absent, as in Excel
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, _dt.datetime):
                cell.number_format = "DD.MM.YYYY"
            elif isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text the typist keyed, not a formula
    ws.freeze_panes = "C2"
    when = _fixed_time(year)
    wb.properties.creator = "Erfassung Teilnahmebögen"
    wb.properties.lastModifiedBy = "Erfassung Teilnahmebögen"
    wb.properties.created = when
    wb.properties.modified = when
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_xlsx(buf.getvalue(), when)


# =========================================================================================================
# writing an edition
# =========================================================================================================


@dataclass(frozen=True)
class BrokenRow:
    """A row written on purpose with a mistake (or a hostile value): where it is and what it shows."""

    file: str
    row: int  # spreadsheet row, heading = 1
    what: str  # German description
    kind: str  # approximate_headcount | duplicate_submission | unknown_option | parttime_gt_total |
    # headcount_zero | hostile


@dataclass
class SynthResult:
    """What :func:`write_edition_inputs` wrote.

    Attributes
    ----------
    edition, seed, data_dir
        Which edition, with which seed, into which folder.
    files : list of Path
        The files written, in the order of the edition's ``inputs``.
    rows_per_file, entries_per_file : dict of file name → int
        All data rows, and the valid entries among them.
    entries_per_category : dict of category → int
        Valid entries per intended category.
    broken, hostile : list of BrokenRow
        The deliberately broken rows (to be quarantined) and the valid rows with hostile values.
    category_labels : dict of category → str
        Readable category names for :func:`demo_summary`.
    entries : DataFrame
        Every row written in canonical form, plus ``file``, ``row``, ``valid`` and ``broken`` (its kind).
    """

    edition: str
    seed: int
    data_dir: Path
    files: list[Path]
    rows_per_file: dict[str, int]
    entries_per_file: dict[str, int]  # valid entries (broken rows not counted)
    entries_per_category: dict[str, int]
    broken: list[BrokenRow]
    hostile: list[BrokenRow]
    category_labels: dict[str, str] = field(default_factory=dict)
    entries: pd.DataFrame | None = None  # canonical rows with ``file``, ``row``, ``valid``, ``broken``

    @property
    def n_valid(self) -> int:
        """Number of valid entries written."""
        return sum(self.entries_per_category.values())


def _file_kind(spec: Any) -> str:
    """How to write an input file: ``limesurvey``, ``xlsx`` or ``excel_csv``."""
    suffix = Path(spec.file).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if spec.dialect == "excel":
        return "excel_csv"
    return "limesurvey"


def _default_counts(scheme: CategoryScheme, n: int | None) -> dict[str, int]:
    cats = scheme.categories()
    if n is None:
        if sorted(cats) == sorted(DEMO_COUNTS):
            return {c: DEMO_COUNTS[c] for c in cats}
        n = 19
    return dict(zip(cats, _quota(n, [_CATEGORY_WEIGHTS.get(c, 0.2) for c in cats]).tolist(), strict=True))


def _broken_entries(
    valid: pd.DataFrame,
    q: Questionnaire,
    scheme: CategoryScheme,
    *,
    seed: int,
    year: int,
    kinds: Sequence[str],
) -> pd.DataFrame:
    """Fresh organisations for the broken rows (own random stream; names continue the valid ones')."""
    cats = scheme.categories()
    private = [c for c in cats if not (scheme.public and scheme.public.category == c)]
    want = {
        "approximate_headcount": "mittel",
        "unknown_option": "klein",
        "parttime_gt_total": "klein",
        "headcount_zero": "klein",
    }
    chosen = [want[k] if want[k] in private else private[0] for k in kinds]
    counts = {c: chosen.count(c) for c in dict.fromkeys(chosen)}
    df = _generate(q, scheme, n=len(kinds), seed=seed, year=year, start=len(valid), counts=counts)
    # one organisation per kind, matched by category in a fixed order
    rows, used = [], set()
    for c in chosen:
        i = next(j for j in range(len(df)) if j not in used and df[CATEGORY_INTENDED].iloc[j] == c)
        used.add(i)
        rows.append(i)
    out = df.iloc[rows].copy()
    out["_kind"] = list(kinds)
    return out


def write_edition_inputs(
    edition: Edition,
    q: Questionnaire,
    data_dir: str | Path,
    *,
    n_entries: int | None = None,
    seed: int | None = None,
    broken: bool = True,
    entries: pd.DataFrame | None = None,
) -> SynthResult:
    """Write the input files an edition lists, filled with synthetic entries.

    Parameters
    ----------
    edition : Edition
        Its ``inputs`` decide the files: ``dialect: limesurvey`` → LimeSurvey CSV; ``dialect: excel`` → the
        institute's transcription, as XLSX or cp1252 CSV by the file suffix.
    q : Questionnaire
        The edition's instrument.
    data_dir : str or Path
        Folder to write into (created when missing), normally ``data/<edition>/``.
    n_entries : int, optional
        Number of valid entries; default 19 spread klein 6, mittel 5, gross 4, oeffentlich 4 (the 2010
        edition) when the scheme has exactly those categories.
    seed : int, optional
        Default: the edition's seed. The same edition and seed give byte-identical files.
    broken : bool, default True
        Also write deliberately broken rows, each a realistic mistake, spread over the files: an
        approximate headcount (``ca. 50``), a duplicate online submission (the earlier one is the one to
        quarantine), an unknown answer code (``A04 = PRIVAT``), more part-timers than employees, a headcount
        of 0. One valid entry always carries hostile values (HTML in its name, a free text starting
        with ``=``) so that reports show them escaped.
    entries : DataFrame, optional
        The valid entries to write, in the canonical form :func:`generate_entries` returns (``source``,
        ``category_intended``, ``submitdate`` and every column of `q`); drawn here when omitted. Used by
        :mod:`vielfalt.demo.editions` for repeat participants across editions.

    Returns
    -------
    SynthResult
        Files, rows and valid entries per file, valid entries per category, the broken and hostile rows
        (file, spreadsheet row, what), and the canonical entries with their file and row.

    Notes
    -----
    Online entries (≈ 40 %) go to the LimeSurvey files, paper entries to the Excel files, split evenly
    between them; every category is dealt out evenly over the files. Rows in a file are in order of
    submission and numbered from 1 (LimeSurvey) or ``P-001``/``C-001`` (XLSX/CSV).
    """
    seed = edition.seed if seed is None else seed
    _check_common("write_edition_inputs", 0 if n_entries is None else n_entries, seed, edition.year)
    year = edition.year
    scheme = edition.category_scheme
    if entries is None:
        counts = _default_counts(scheme, n_entries)
        n = sum(counts.values())
        valid = _generate(q, scheme, n=n, seed=seed, year=year, start=0, counts=counts)
    else:
        valid = entries.reset_index(drop=True).rename_axis("entry")
        n = len(valid)
    valid["_kind"] = ""

    specs = list(edition.inputs)
    fkinds = [_file_kind(s) for s in specs]
    ls_files = [i for i, k in enumerate(fkinds) if k == "limesurvey"]
    xl_files = [i for i, k in enumerate(fkinds) if k != "limesurvey"]
    split_rng = np.random.default_rng([seed, _STREAM_SPLIT])
    target = np.empty(n, dtype=np.int64)
    for channel, group in ((_ONLINE, ls_files or xl_files), (_PAPER, xl_files or ls_files)):
        rows = np.flatnonzero(valid[SOURCE].to_numpy() == channel)
        if len(rows):
            g = _spread(valid[CATEGORY_INTENDED].to_numpy()[rows].astype(str), [1.0] * len(group), split_rng)
            target[rows] = np.asarray(group)[g]
    valid["_file"] = target

    brk_rng = np.random.default_rng([seed, _STREAM_BROKEN])
    _showcase_other(valid, np.isin(target, ls_files) if ls_files else np.ones(n, dtype=bool), brk_rng)
    frames = [valid]
    hostile_idx: int | None = None
    if n:
        # the hostile entry: online when possible (a web form is where such input comes from)
        pool = np.flatnonzero(np.isin(target, ls_files)) if ls_files else np.arange(n)
        hostile_idx = int(pool[brk_rng.integers(0, len(pool))])
        i = valid.index[hostile_idx]
        name = valid.at[i, "A01"]
        st = name_stem(name)
        if st is not None:
            valid.at[i, "A01"] = name.replace(st, f"<b>{st}</b>", 1)
        if "F02" in valid.columns:
            valid.at[i, "F02"] = _HOSTILE_FORMULA
        valid.at[i, "_kind"] = "hostile"
    if broken and n:
        kinds = ["approximate_headcount", "unknown_option", "parttime_gt_total", "headcount_zero"]
        extra = _broken_entries(valid, q, scheme, seed=seed, year=year, kinds=kinds)
        prefer = {
            "approximate_headcount": "xlsx",
            "unknown_option": "excel_csv",
            "parttime_gt_total": "xlsx",
            "headcount_zero": "limesurvey",
        }
        files = []
        for k in extra["_kind"]:
            same = [i for i, fk in enumerate(fkinds) if fk == prefer[k]]
            files.append(same[0] if same else 0)
        extra["_file"] = files
        extra[SOURCE] = [_ONLINE if fkinds[f] == "limesurvey" else _PAPER for f in files]
        for i in extra.index:
            k = extra.at[i, "_kind"]
            hc = extra.at[i, "A05[total]"]
            if k == "approximate_headcount":
                extra.at[i, "A05[total]"] = 50.0
            elif k == "parttime_gt_total":
                digits = str(int(hc))
                swapped = float(digits[::-1]) if len(digits) == 2 and digits[::-1] > digits else hc + 7
                extra.at[i, "A05[teilzeit]"] = swapped
            elif k == "headcount_zero":
                extra.at[i, "A05[total]"] = 0.0
        frames.append(extra)
        # the duplicate: an online entry submitted once too early, then again complete
        pool = [
            j
            for j in np.flatnonzero(np.isin(target, ls_files) if ls_files else np.ones(n, bool))
            if j != hostile_idx
        ]
        if pool:
            j = int(pool[brk_rng.integers(0, len(pool))])
            dup = valid.iloc[[j]].copy()
            dup["_kind"] = "duplicate_submission"
            earlier = pd.Timestamp(dup[SUBMITDATE].iloc[0]) - pd.Timedelta(
                days=int(brk_rng.integers(3, 12)), hours=int(brk_rng.integers(1, 5))
            )
            dup[SUBMITDATE] = earlier
            for c in ("F02", "F03", "F04", "E03"):  # sent off before the free texts were written
                if c in dup.columns:
                    dup[c] = ""
            dup.index = pd.Index([len(valid) + len(extra)], name="entry")
            frames.append(dup)
    allrows = pd.concat(frames)
    allrows["valid"] = ~allrows["_kind"].isin(
        [
            "approximate_headcount",
            "unknown_option",
            "parttime_gt_total",
            "headcount_zero",
            "duplicate_submission",
        ]
    )

    out_dir = Path(data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    kinds_of = _column_kinds(q)
    written, rows_per, valid_per = [], {}, {}
    broken_rows: list[BrokenRow] = []
    hostile_rows: list[BrokenRow] = []
    file_col = np.full(len(allrows), "", dtype=object)
    row_col = np.zeros(len(allrows), dtype=np.int64)
    for fi, spec in enumerate(specs):
        part = allrows[allrows["_file"] == fi]
        order = np.lexsort((part.index.to_numpy(), part[SUBMITDATE].to_numpy()))
        part = part.iloc[order].copy()
        kind = fkinds[fi]
        rng = np.random.default_rng([seed, _STREAM_RENDER, fi])
        path = out_dir / spec.file
        rows_no = np.arange(2, len(part) + 2)
        if kind == "limesurvey":
            ids = np.arange(1, len(part) + 1)
            meta = _ls_meta(part, ids, rng, lastpage=len(q.sections))
            cells = _ls_cells(part, q, kinds_of)
            for ci, c in enumerate(q.columns()):
                cells[ci] = _apply_broken(part, c, cells[ci], dialect="limesurvey")
            data = _ls_header(q) + _ls_bytes_rows(meta, cells) + b"\r\n"
        else:
            for_csv = kind == "excel_csv"
            prefix = "C" if for_csv else "P"
            ids = np.array([f"{prefix}-{i:03d}" for i in range(1, len(part) + 1)], dtype=object)
            dates = pd.to_datetime(part[SUBMITDATE])
            if for_csv:
                dcol = dates.dt.strftime("%d.%m.%Y").to_numpy(dtype=object)
            else:
                dcol = np.array([_dt.datetime(d.year, d.month, d.day) for d in dates], dtype=object)
            cells = _excel_cells(part, q, kinds_of, rng, for_csv=for_csv)
            for ci, c in enumerate(q.columns()):
                cells[ci] = _apply_broken(part, c, cells[ci], dialect="excel")
            headings = [*_XL_META, *(em_heading(c) for c in q.columns())]
            rows = [list(r) for r in zip(ids, dcol, *cells, strict=True)]
            if for_csv:
                data = _excel_csv_bytes(headings, rows)
            else:
                data = _xlsx_bytes(headings, rows, year=year, sheet="Teilnahmebögen")
        path.write_bytes(data)
        written.append(path)
        rows_per[spec.file] = len(part)
        valid_per[spec.file] = int(part["valid"].sum())
        pos = allrows.index.get_indexer(part.index)
        file_col[pos] = spec.file
        row_col[pos] = rows_no
        for r, (_, rec) in zip(rows_no, part.iterrows(), strict=True):
            k = rec["_kind"]
            if not k:
                continue
            what = _describe(k, rec, kind)
            (hostile_rows if k == "hostile" else broken_rows).append(BrokenRow(spec.file, int(r), what, k))
    allrows["file"] = file_col
    allrows["row"] = row_col
    allrows["broken"] = allrows["_kind"]
    allrows = allrows.drop(columns=["_kind", "_file"])
    per_cat = allrows.loc[allrows["valid"], CATEGORY_INTENDED].value_counts()
    entries_per_category = {c: int(per_cat.get(c, 0)) for c in scheme.categories()}
    return SynthResult(
        edition=edition.edition,
        seed=int(seed),
        data_dir=out_dir,
        files=written,
        rows_per_file=rows_per,
        entries_per_file=valid_per,
        entries_per_category=entries_per_category,
        broken=sorted(broken_rows, key=lambda b: (b.file, b.row)),
        hostile=hostile_rows,
        category_labels={c: scheme.label(c) for c in scheme.categories()},
        entries=allrows,
    )


def _showcase_other(valid: pd.DataFrame, online: np.ndarray, rng: np.random.Generator) -> None:
    """Make sure the online file shows a legal form written under "Sonstige" (``-oth-`` plus text).

    When no online entry has one, a small or medium GmbH becomes a UG (haftungsbeschränkt), the form
    founders have used since 2008; its name changes accordingly.
    """
    if "A02" not in valid.columns or "A02[other]" not in valid.columns:
        return
    a02 = valid["A02"].to_numpy(dtype=object)
    if (online & (a02 == "-oth-")).any():
        return
    names = valid["A01"].to_numpy(dtype=object)
    gmbh = online & (a02 == "GMBH") & np.array([str(x).endswith(" GmbH") for x in names])
    hc = valid["A05[total]"].to_numpy()
    pool = np.flatnonzero(gmbh & (hc < 50))  # a UG is a small founder's company
    if not len(pool):
        pool = np.flatnonzero(gmbh & (hc < 250))
    if not len(pool):
        return
    i = valid.index[int(pool[rng.integers(0, len(pool))])]
    valid.at[i, "A02"] = "-oth-"
    valid.at[i, "A02[other]"] = _LEGAL_OTHER_TEXT["UG"]
    valid.at[i, "A01"] = names[valid.index.get_loc(i)][: -len(" GmbH")] + " UG (haftungsbeschränkt)"


def _apply_broken(part: pd.DataFrame, column: str, cells: np.ndarray, *, dialect: str) -> np.ndarray:
    """Write the deliberate mistakes into the rendered cells of one column."""
    kinds = part["_kind"].to_numpy()
    out = cells
    if column == "A05[total]":
        out = cells.copy()
        out[kinds == "approximate_headcount"] = "ca. 50"
        out[kinds == "headcount_zero"] = "0" if dialect == "limesurvey" else 0
    elif column == "A04":
        out = cells.copy()
        out[kinds == "unknown_option"] = "PRIVAT"
    return out


def _describe(kind: str, rec: pd.Series, file_kind: str) -> str:
    name = str(rec.get("A01", ""))
    if kind == "approximate_headcount":
        return "Beschäftigte insgesamt als „ca. 50“ eingetragen (keine genaue Zahl)"
    if kind == "duplicate_submission":
        return f"doppelte Online-Einsendung von „{name}“, die frühere (unvollständige) Fassung"
    if kind == "unknown_option":
        return "Trägerschaft (A04) „PRIVAT“ – diesen Antwortcode gibt es nicht (richtig: PRIV)"
    if kind == "parttime_gt_total":
        return (
            f"mehr Teilzeitkräfte ({int(rec['A05[teilzeit]'])}) als Beschäftigte insgesamt "
            f"({int(rec['A05[total]'])}), Zahlendreher"
        )
    if kind == "headcount_zero":
        return "Beschäftigte insgesamt = 0"
    return f"gültig, aber feindselig: HTML im Namen „{name}“ und ein Freitext (F02), der mit „=“ beginnt"


# =========================================================================================================
# large files for benchmarks
# =========================================================================================================


def write_limesurvey_csv(
    path: str | Path,
    q: Questionnaire,
    scheme: CategoryScheme,
    *,
    n: int,
    seed: int,
    chunk: int = 50_000,
    year: int = 2010,
    incomplete: float = 0.0,
) -> Path:
    """Stream `n` synthetic entries into one LimeSurvey CSV, `chunk` entries at a time.

    Parameters
    ----------
    path : str or Path
        Output file (its folder is created).
    q, scheme
        Instrument and category scheme.
    n : int
        Number of responses.
    seed : int
        Seed; the file is determined by (`seed`, `chunk`, `year`, `incomplete`).
    chunk : int, default 50_000
        Entries generated and written per step; memory stays bounded by one chunk (about 1 KB per entry
        of text plus the numeric arrays).
    year : int, default 2010
        Edition year of the submission dates.
    incomplete : float, default 0.0
        Share of responses exported unfinished (empty ``submitdate``, lower ``lastpage``), which intake
        quarantines.

    Returns
    -------
    Path

    Notes
    -----
    Same format as the edition files: UTF-8 with BOM, ``;``, every value quoted, CRLF, a blank line at the
    end. Organisation names stay unique over all chunks (stems first, then a district qualifier). Measured
    on one core (Python 3.11, numpy 2.4, pandas 3.1): 10⁵ entries in about 5 s (133 MB), 10⁶ in about
    52 s (1.34 GB) with a peak of about 460 MB resident memory at the default chunk size.
    """
    _check_common("write_limesurvey_csv", n, seed, year)
    if isinstance(chunk, bool) or not isinstance(chunk, int | np.integer) or chunk < 1:
        msg = _param_msg("write_limesurvey_csv", "chunk", chunk, "eine ganze Zahl ≥ 1")
        raise ConfigError(msg)
    if not 0.0 <= float(incomplete) < 1.0:
        msg = _param_msg("write_limesurvey_csv", "incomplete", incomplete, "ein Anteil zwischen 0 und 1")
        raise ConfigError(msg)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    kinds = _column_kinds(q)
    cols = q.columns()
    # columns from this section on are empty in an unfinished response
    late = next((i for i, c in enumerate(cols) if c.startswith("C")), len(cols))
    with p.open("wb") as fh:
        fh.write(_ls_header(q))
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            df = _generate(q, scheme, n=m, seed=int(seed), year=int(year), start=start)
            rng = np.random.default_rng([int(seed), _STREAM_RENDER, start])
            if incomplete:
                unfinished = rng.random(m) < incomplete
                df[SUBMITDATE] = df[SUBMITDATE].where(~unfinished)
            else:
                unfinished = np.zeros(m, dtype=bool)
            meta = _ls_meta(df, np.arange(start + 1, start + m + 1), rng, lastpage=len(q.sections))
            # render a few thousand rows at a time: the per-cell strings are what costs memory
            for lo in range(0, m, _RENDER_ROWS):
                hi = min(lo + _RENDER_ROWS, m)
                cells = _ls_cells(df.iloc[lo:hi], q, kinds)
                cut = unfinished[lo:hi]
                if cut.any():
                    for ci in range(late, len(cols)):
                        cells[ci] = np.where(cut, "", cells[ci]).astype(object)
                fh.write(_ls_bytes_rows([x[lo:hi] for x in meta], cells))
            del df, meta
        fh.write(b"\r\n")
    return p


# =========================================================================================================
# summary for the command line
# =========================================================================================================


def demo_summary(result: SynthResult) -> str:
    """A German summary of what :func:`write_edition_inputs` wrote (for ``vielfalt synth``/``demo``)."""
    lines = [
        f"Synthetische Eingaben für {result.edition} (Seed {result.seed}) in {result.data_dir}:",
    ]
    width = max((len(f) for f in result.rows_per_file), default=0)
    for f, rows in result.rows_per_file.items():
        ok = result.entries_per_file.get(f, 0)
        lines.append(f"  {f:<{width}}  {rows:>4} Zeilen, davon {ok} gültige Einsendungen")
    cats = ", ".join(
        f"{result.category_labels.get(c, c)}: {k}" for c, k in result.entries_per_category.items()
    )
    lines.append(f"Gültige Einsendungen: {result.n_valid} ({cats})")
    if result.broken:
        lines.append("Absichtlich fehlerhafte Zeilen (gehören in die Quarantäne):")
        lines += [f"  {b.file}, Zeile {b.row}: {b.what}" for b in result.broken]
    if result.hostile:
        lines.append("Gültig, aber mit feindseligen Werten (müssen maskiert angezeigt werden):")
        lines += [f"  {b.file}, Zeile {b.row}: {b.what}" for b in result.hostile]
    lines.append("Alle Organisationen, Personen und Zahlen sind erfunden.")
    return "\n".join(lines)
