"""German and LimeSurvey values: numbers, yes/no ticks, dates, placeholders for "no answer", the formula mask.

The parsers of one cell (:func:`parse_number`, :func:`parse_bool`, :func:`strip_injection_mask`, …) are pure
functions, ``str`` in, value out. German Excel writes decimal commas and placeholders such as ``k.A.`` or
``ca. 120``; LimeSurvey writes decimal points, ``Y`` for a tick and masks a cell that starts like a formula
with ``'``. Validation applies them to whole columns through :class:`Cells`, once per distinct value
(:func:`parse_numbers`, :func:`parse_bools`, :func:`parse_dates`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from vielfalt._params import Options, check_param

__all__ = [
    "BOOL_FALSE",
    "BOOL_TRUE",
    "Cells",
    "DecimalSep",
    "FORMULA_PREFIXES",
    "PLACEHOLDERS",
    "ParsedNumber",
    "is_bool_token",
    "is_placeholder",
    "parse_bool",
    "parse_bools",
    "parse_dates",
    "parse_number",
    "parse_numbers",
    "per_value",
    "strip_injection_mask",
    "strip_one",
]

#: Cell starts a spreadsheet may run as a formula (CSV injection): masked on reading, neutralised on writing.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

# --- value parsers ------------------------------------------------------------------------------------------
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "",
        "k.A.",
        "k. A.",
        "k.A",
        "kA",
        "n.v.",
        "n. v.",
        "n/a",
        "n.a.",
        "-",
        "--",
        "–",
        "—",
        "keine Angabe",
        "keine Angaben",
        "unbekannt",
    }
)
"""Spellings of "no answer" (compared case-insensitively, ignoring spaces): a missing value, not an error."""

_PLACEHOLDER_KEYS = frozenset(re.sub(r"\s+", "", p).casefold() for p in PLACEHOLDERS)

BOOL_TRUE: frozenset[str] = frozenset({"y", "j", "ja", "x", "1", "wahr", "true", "yes"})
"""Tokens read as True by :func:`parse_bool` (case-insensitive): Y, J, Ja, x, 1, wahr, TRUE, Yes."""

BOOL_FALSE: frozenset[str] = frozenset({"n", "nein", "0", "falsch", "false", "no"})
"""Tokens read as False by :func:`parse_bool` (case-insensitive): N, Nein, 0, falsch, FALSE, No."""

#: A decimal separator: ``","`` (German Excel) or ``"."`` (LimeSurvey).
DecimalSep = Literal[",", "."]
_DECIMAL = Options({",", "."})
_SPACES = "\u0020\u00a0\u2007\u2009\u202f"
_APPROX_PREFIX = re.compile(
    r"^(?:ca\.?|circa|etwa|rund|ungefähr|~|≈|>=|<=|≥|≤|>|<|über|unter|mehr\s+als|weniger\s+als|"
    r"mind\.|mindestens)\s*",
    re.IGNORECASE,
)
_CURRENCY_SUFFIX = re.compile(r"\s*(?:€|eur|euro)$", re.IGNORECASE)
_BODY = re.compile(rf"[0-9.,'’{_SPACES}]+")
_GROUPED_SPACE = re.compile(r"(\d{1,3}(?: \d{3})+)([.,]\d+)?")


@dataclass(frozen=True)
class ParsedNumber:
    """A number read from a German or LimeSurvey cell, with the text it came from.

    Attributes
    ----------
    value : float or None
        The number as written (``12,5 %`` gives 12.5, not 0.125); None when missing or unreadable.
    approximate : bool
        Written with a marker such as ``ca.``, ``~``, ``>`` or a trailing ``+``.
    percent : bool
        Written with ``%``.
    ok : bool
        False only for text that is neither a number nor a placeholder.
    raw : str
        The text as given.
    ambiguous : bool
        A single separator followed by exactly three digits (``1.234``, ``1,234``) was read by the default
        rule because the source's decimal separator was not given (``decimal=None``).
    """

    value: float | None
    approximate: bool
    percent: bool
    ok: bool
    raw: str
    ambiguous: bool = False

    @property
    def missing(self) -> bool:
        """True for an empty cell or a placeholder such as ``k.A.``."""
        return self.ok and self.value is None


def strip_injection_mask(text: Any) -> Any:
    """Remove the ``'`` that LimeSurvey or Excel put before a leading ``=``, ``+``, ``-`` or ``@``.

    The mask keeps spreadsheets from running text as a formula (CSV injection); the value itself starts after
    it. Anything else, including non-strings, is returned unchanged.

    Parameters
    ----------
    text : str
        A cell.

    Returns
    -------
    str
        The cell without the mask.

    Examples
    --------
    >>> strip_injection_mask("'=SUMME(A1)"), strip_injection_mask("'Hallo")
    ('=SUMME(A1)', "'Hallo")
    """
    if isinstance(text, str) and len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def is_placeholder(text: Any) -> bool:
    """Return True for an empty cell or a spelling of "no answer" listed in :data:`PLACEHOLDERS`.

    Parameters
    ----------
    text : str
        A cell.

    Returns
    -------
    bool
    """
    if text is None:
        return True
    return re.sub(r"\s+", "", str(text)).casefold() in _PLACEHOLDER_KEYS


def parse_number(text: Any, *, decimal: DecimalSep | None = None) -> ParsedNumber:
    """Parse a number written the German way, the LimeSurvey way, or roughly.

    Rules, in order:

    * A CSV-injection mask or Excel's text apostrophe (a leading ``'``) is dropped; surrounding spaces too.
    * Placeholders (:data:`PLACEHOLDERS`: empty, ``k.A.``, ``n.v.``, ``-``, ``–``, ``keine Angabe``,
      ``unbekannt``, …) give ``value=None, ok=True``: a missing value, not an error.
    * ``ca.``, ``circa``, ``etwa``, ``rund``, ``~``, ``≈``, ``>``, ``<``, ``≥``, ``≤``, ``über``, ``unter``,
      ``mehr als``, ``weniger als``, ``mind.``, ``mindestens`` before, or ``+`` after, the number set
      ``approximate``. A trailing ``%`` sets ``percent`` (the value stays in percent). A trailing
      ``€``/``EUR`` is ignored. A leading ``+``, ``-`` or ``−`` is the sign.
    * Spaces (also non-breaking and thin ones) and apostrophes are thousands separators only: they must
      separate groups of three digits (``1 234 567``, ``1'234``).
    * With both ``.`` and ``,``, the last one is the decimal separator and the other must group thousands
      (``1.234,5`` and ``1,234.5`` are both 1234.5).
    * The same separator more than once groups thousands (``1.234.567``).
    * One separator: it is the decimal separator of the source (`decimal`), except that the other one
      followed by exactly three digits (and not after a lone ``0``) groups thousands. So with ``decimal=","``
      (German Excel) ``1.234`` is 1234 and ``12.5`` is 12.5; with ``decimal="."`` (LimeSurvey) ``1.234`` is
      1.234 and ``1,234`` is 1234. With ``decimal=None`` the German rule applies and ``ambiguous`` is set when
      it decided (``1.234`` → 1234, ``1,234`` → 1.234).
    * Anything else (letters, exponents, ``12-15``) gives ``ok=False``.

    Parameters
    ----------
    text : str
        The cell.
    decimal : {",", "."}, optional
        Decimal separator of the source dialect; None means unknown (German rule, flagged as ambiguous).

    Returns
    -------
    ParsedNumber

    Examples
    --------
    >>> parse_number("1.234,5").value, parse_number("ca. 120").approximate, parse_number("k.A.").missing
    (1234.5, True, True)
    >>> parse_number("12,5 %")
    ParsedNumber(value=12.5, approximate=False, percent=True, ok=True, raw='12,5 %', ambiguous=False)
    """
    if decimal not in (",", ".", None):
        # checked here, not by a decorator: parse_number runs once per distinct cell of a column
        check_param("decimal", decimal, [_DECIMAL, None], func="parse_number")
    raw = "" if text is None else str(text)
    s = raw.strip()
    if s.startswith("'"):
        s = s[1:].strip()
    if is_placeholder(s):
        return ParsedNumber(None, False, False, True, raw)
    bad = ParsedNumber(None, False, False, False, raw)
    approximate = percent = False
    m = _APPROX_PREFIX.match(s)
    if m:
        approximate, s = True, s[m.end() :]
    s = _CURRENCY_SUFFIX.sub("", s)
    if s.endswith("%"):
        percent, s = True, s[:-1].rstrip(_SPACES)
    if s.endswith("+"):
        approximate, s = True, s[:-1].rstrip(_SPACES)
    sign = 1.0
    if s[:1] in ("+", "-", "−"):
        sign = -1.0 if s[0] != "+" else 1.0
        s = s[1:].lstrip(_SPACES)
    if not s or not _BODY.fullmatch(s) or not any(c.isdigit() for c in s):
        return bad
    value, ambiguous = _parse_body(s, decimal)
    if value is None or not math.isfinite(value):
        return bad
    return ParsedNumber(sign * value, approximate, percent, True, raw, ambiguous)


def _parse_body(body: str, decimal: str | None) -> tuple[float | None, bool]:
    """Digits and separators → (value, ambiguous); see :func:`parse_number` for the rules."""
    b = re.sub(rf"[{_SPACES}'’]", " ", body).strip()
    if " " in b:
        m = _GROUPED_SPACE.fullmatch(b)
        if not m:
            return None, False
        frac = m.group(2)
        return float(m.group(1).replace(" ", "") + ("." + frac[1:] if frac else "")), False
    has_dot, has_comma = "." in b, "," in b
    if has_dot and has_comma:
        dec = "." if b.rfind(".") > b.rfind(",") else ","
        thou = "," if dec == "." else "."
        m = re.fullmatch(rf"(\d{{1,3}}(?:{re.escape(thou)}\d{{3}})+){re.escape(dec)}(\d*)", b)
        if not m:
            return None, False
        return float(m.group(1).replace(thou, "") + "." + (m.group(2) or "0")), False
    if not (has_dot or has_comma):
        return float(b), False
    sep = "." if has_dot else ","
    if b.count(sep) > 1:
        if re.fullmatch(rf"\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+", b):
            return float(b.replace(sep, "")), False
        return None, False
    left, right = b.split(sep)
    if not left and not right:
        return None, False
    grouping = 1 <= len(left) <= 3 and len(right) == 3 and left != "0"
    source = decimal if decimal is not None else ","
    if sep != source and grouping:
        return float(left + right), decimal is None
    return float((left or "0") + "." + (right or "0")), decimal is None and grouping


def is_bool_token(
    text: Any, *, true: Iterable[str] | None = None, false: Iterable[str] | None = None
) -> bool:
    """Return True when `text` is a yes/no token that :func:`parse_bool` reads (empty is not one).

    Parameters
    ----------
    text : str
        A cell.
    true, false : iterable of str, optional
        Replace :data:`BOOL_TRUE` / :data:`BOOL_FALSE` (compared case-insensitively).

    Returns
    -------
    bool
    """
    return _bool_value(text, true, false) is not None


def parse_bool(
    text: Any, *, true: Iterable[str] | None = None, false: Iterable[str] | None = None
) -> bool | None:
    """Read a tick or yes/no cell.

    ``Y J Ja x 1 wahr TRUE Yes`` (any case) give True, ``N Nein 0 falsch FALSE No`` give False. Everything
    else gives None: the empty cell (for a LimeSurvey multiple-choice column that means *not ticked*, which
    the caller decides) and unknown text alike; tell them apart with :func:`is_bool_token`. Surrounding
    spaces and a CSV-injection mask are ignored.

    Parameters
    ----------
    text : str
        A cell.
    true, false : iterable of str, optional
        Per-source replacements for :data:`BOOL_TRUE` / :data:`BOOL_FALSE` (compared case-insensitively).

    Returns
    -------
    bool or None

    Examples
    --------
    >>> parse_bool("Ja"), parse_bool("x"), parse_bool("nein"), parse_bool(""), parse_bool("vielleicht")
    (True, True, False, None, None)
    """
    return _bool_value(text, true, false)


def _bool_value(text: Any, true: Iterable[str] | None, false: Iterable[str] | None) -> bool | None:
    if text is None:
        return None
    key = str(strip_injection_mask(str(text).strip())).casefold()
    if not key:
        return None
    t = BOOL_TRUE if true is None else {str(x).strip().casefold() for x in true}
    f = BOOL_FALSE if false is None else {str(x).strip().casefold() for x in false}
    if key in t:
        return True
    if key in f:
        return False
    return None


# --- whole columns, computed once per distinct value ------------------------------------------------------
class Cells:
    """One column's cells and their distinct values, so that per-value work runs once per distinct value.

    A questionnaire column repeats a few values (codes, ticks, numbers), and the reader gives equal cells
    one shared object, so one hash pass (``pd.factorize``) finds them; a step is then computed on the
    distinct values and spread back with ``result[codes]``. :meth:`derive` maps the distinct values through
    a pure function and keeps the codes, so a column is hashed once however many steps follow.
    """

    __slots__ = ("_codes", "_distinct", "_values")

    def __init__(self, values: Any, *, codes: np.ndarray | None = None, distinct: np.ndarray | None = None):
        self._values = None if values is None else np.asarray(values, dtype=object)
        self._codes = codes
        self._distinct = distinct

    def _factorize(self) -> None:
        if self._codes is None:
            codes, uniques = pd.factorize(self._values)
            if len(codes) and codes.min() < 0:  # a missing value (not from read_table): keep it as a value
                codes, uniques = pd.factorize(self._values, use_na_sentinel=False)
            self._codes, self._distinct = codes, np.asarray(uniques, dtype=object)

    @property
    def codes(self) -> np.ndarray:
        """Position of each cell's value in :attr:`distinct`."""
        self._factorize()
        return self._codes  # type: ignore[return-value]

    @property
    def distinct(self) -> np.ndarray:
        """The distinct values (object array)."""
        self._factorize()
        return self._distinct  # type: ignore[return-value]

    @property
    def values(self) -> np.ndarray:
        """The cells (object array)."""
        if self._values is None:
            self._values = self.distinct[self.codes]
        return self._values

    def each(self, fn: Any, dtype: Any = object) -> np.ndarray:
        """Return ``fn`` of every cell, computed once per distinct value.

        Parameters
        ----------
        fn : callable
            A pure function of one cell.
        dtype : dtype, default object
            The result's dtype.

        Returns
        -------
        ndarray
        """
        out = np.empty(len(self.distinct), dtype=dtype)
        for i, u in enumerate(self.distinct):
            out[i] = fn(u)
        return out[self.codes]

    def derive(self, fn: Any) -> Cells:
        """Return the cells mapped through the pure function ``fn``, sharing this column's codes.

        Parameters
        ----------
        fn : callable
            A pure function of one cell.

        Returns
        -------
        Cells
        """
        out = np.empty(len(self.distinct), dtype=object)
        for i, u in enumerate(self.distinct):
            out[i] = fn(u)
        return Cells(None, codes=self.codes, distinct=out)

    def strip(self) -> Cells:
        """Cells without surrounding white space, like ``Series.str.strip`` (non-text cells stay)."""
        return self.derive(strip_one)


def strip_one(v: Any) -> Any:
    """Return ``v`` without surrounding white space when it is text, else unchanged."""
    return v.strip() if isinstance(v, str) else v


def per_value(values: Any, fn: Any) -> np.ndarray:
    """Return ``fn`` applied to every cell, computed once per distinct value.

    Parameters
    ----------
    values : array-like
        The cells.
    fn : callable
        A pure function of one cell.

    Returns
    -------
    ndarray
        Object array, one result per cell.
    """
    return Cells(values).each(fn)


def parse_numbers(cells: Cells, decimal: DecimalSep | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column of number strings via its distinct values (:func:`parse_number` on each).

    Parameters
    ----------
    cells : Cells
        The column.
    decimal : {",", "."} or None
        The source's decimal separator.

    Returns
    -------
    (value, ok, approximate)
        Float array (NaN when missing or unreadable) and two bool arrays, one entry per cell.
    """
    uniques = cells.distinct
    vals = np.empty(len(uniques), dtype=float)
    ok = np.empty(len(uniques), dtype=bool)
    approx = np.empty(len(uniques), dtype=bool)
    for i, u in enumerate(uniques):
        p = parse_number(u, decimal=decimal)
        vals[i] = np.nan if p.value is None else float(p.value)
        ok[i], approx[i] = bool(p.ok), bool(p.approximate)
    codes = cells.codes
    return vals[codes], ok[codes], approx[codes]


def parse_bools(cells: Cells) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse tick and yes/no tokens via their distinct values.

    Parameters
    ----------
    cells : Cells
        The column.

    Returns
    -------
    (value, ok, empty)
        Bool arrays, one entry per cell: the token's value, whether it is empty or a token, whether empty.
    """
    uniques = cells.distinct
    vals = np.zeros(len(uniques), dtype=bool)
    ok = np.zeros(len(uniques), dtype=bool)
    empty = np.zeros(len(uniques), dtype=bool)
    for i, u in enumerate(uniques):
        t = u.strip()
        if t == "":
            ok[i] = empty[i] = True
        elif is_bool_token(t):
            vals[i], ok[i] = bool(parse_bool(t)), True
    codes = cells.codes
    return vals[codes], ok[codes], empty[codes]


def parse_dates(cells: Cells, index: pd.Index) -> tuple[pd.Series, np.ndarray]:
    """Parse ISO (LimeSurvey) or German (TT.MM.JJJJ) dates; an empty cell is fine and gives NaT.

    Parameters
    ----------
    cells : Cells
        The column.
    index : Index
        The index of the result.

    Returns
    -------
    (timestamps, ok)
        A datetime Series (NaT where missing or unreadable) and a bool array (False: not a date).
    """
    s = pd.Series(cells.strip().values, index=index, dtype=object)
    blank = (s == "").to_numpy()
    # the first format sets the dtype (fillna keeps the caller's); later formats only parse what is left
    iso = pd.to_datetime(s, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        todo = iso.isna().to_numpy() & ~blank
        if not todo.any():
            break
        iso = iso.fillna(pd.to_datetime(s[todo], format=fmt, errors="coerce"))
    ok = blank | iso.notna().to_numpy()
    return iso, ok
