"""The checks of one item: parse its columns by type and record every problem, then the instrument's rules.

:func:`check_item` parses the columns of one questionnaire item (numbers, ticks, single and array choices,
yes/no, texts) into typed values and adds a failure row for each problem: not a number, outside the
declared range, not an answer option, a required answer missing, a text that starts like a formula, ….
:func:`run_check` applies a cross-field rule the instrument declares (``le``: one number not above another,
``sum_eq``: parts adding up to a total). Nothing here names an item: the instrument says what to check.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from vielfalt.config.questionnaire import Check, Item, Questionnaire, Sub
from vielfalt.i18n import t
from vielfalt.intake.report import Collector
from vielfalt.intake.values import (
    FORMULA_PREFIXES,
    Cells,
    DecimalSep,
    parse_bools,
    parse_numbers,
    strip_injection_mask,
    strip_one,
)

__all__ = ["check_item", "fmt_num", "run_check", "where"]

# what LimeSurvey's export with full answer texts writes for "-oth-" (its translation of "Other")
_OTHER_WORDS = frozenset({"-oth-", "other", "sonstiges", "sonstige"})
# what it writes for an unanswered yes/no question (its translation of "N/A")
_NO_ANSWER_WORDS = frozenset({"n/a", "keine antwort", "k. a.", "k.a."})


def where(mask: np.ndarray) -> np.ndarray:
    """Return the positions where ``mask`` is true."""
    return np.flatnonzero(mask)


def _is_soft(item: Item, sub: Sub | None = None) -> bool:
    """Type problems in optional, unscored context items only warn (the value counts as missing)."""
    required = item.required or (sub is not None and sub.required)
    return (not required) and item.scoring.kind in ("none", "context_only") and item.type != "single"


def _option_lookup(item: Item, q: Questionnaire) -> dict[str, str]:
    """Accepted spellings → code: the code itself (any case) and the full label texts (LimeSurvey 'long')."""
    out: dict[str, str] = {}
    for o in q.options_of(item):
        out[o.code] = o.code
        out[o.code.casefold()] = o.code
        out[o.label.de.casefold()] = o.code
        if o.label.en:
            out[o.label.en.casefold()] = o.code
    return out


def _lookup_option(lookup: dict[str, str], value: str) -> str | None:
    """Code of a cell: the code, a label (any case) or a label as LimeSurvey's HTML (``&amp;``)."""
    hit = lookup.get(value)
    if hit is None:
        hit = lookup.get(str(value).casefold())
    if hit is None and "&" in str(value):
        hit = lookup.get(html.unescape(str(value)).strip().casefold())
    if hit is None and str(value).startswith("'"):
        # a label starting like a formula is written neutralised ("'- keine -") in the form's list
        hit = lookup.get(str(strip_injection_mask(value)).casefold())
    return hit


def check_item(
    it: Item,
    q: Questionnaire,
    canon: dict[str, Cells],
    parsed: dict[str, Any],
    col: Collector,
    *,
    source: str,
    rows: np.ndarray,
    entry_ids: np.ndarray,
    decimal: DecimalSep | None,
    shown: Callable[[str], str],
    lang: str,
) -> None:
    """Parse one item's columns into ``parsed`` and record its failures in ``col``.

    Type problems in optional, unscored context items only warn (the value counts as missing); everywhere
    else they are errors.

    Parameters
    ----------
    it : Item
        The item.
    q : Questionnaire
        The instrument (answer options, scales).
    canon : dict
        Canonical column → its cells (a column missing from the file is empty).
    parsed : dict
        Canonical column → typed values; this item's columns are added.
    col : Collector
        Receives the failure rows.
    source : str
        The input's source label.
    rows, entry_ids : ndarray
        Spreadsheet row and entry id of each cell.
    decimal : {",", "."} or None
        The source's decimal separator (None: unknown).
    shown : callable
        Canonical column → the heading as it stands in the file (for messages).
    lang : {"de", "en"}
        Language of reasons and fixes.
    """

    def add(key: str, mask: np.ndarray, column: str, values: np.ndarray, severity: str, **fmt: Any) -> None:
        """Record ``key`` for every cell where ``mask`` is true."""
        idx = where(mask)
        if len(idx):
            col.add(
                key,
                source=source,
                rows=rows[idx],
                entry_ids=entry_ids[idx],
                item=it.id,
                column=shown(column),
                values=values[idx],
                severity=severity,
                **fmt,
            )

    if it.type in ("numeric", "multinumeric"):
        subs = it.subs or [
            Sub(code="", label=it.label, integer=it.integer, min=it.min, max=it.max, required=it.required)
        ]
        for sub in subs:
            c = f"{it.id}[{sub.code}]" if sub.code else it.id
            cells = canon[c]
            values = cells.values
            num, ok, approx = parse_numbers(cells, decimal)
            soft = _is_soft(it, sub)
            sev = "warning" if soft else "error"
            empty = cells.each(lambda v: strip_one(v) == "", bool)
            is_int = np.isnan(num) | (np.floor(num) == num)
            bad = ~ok
            add("not_number", bad, c, values, sev)
            not_int = ok & ~is_int & sub.integer
            add("not_integer", not_int, c, values, sev)
            # an approximate count is a guess: fine for context, not for a number that decides the category
            approx_err = ok & approx & (sub.required or it.required)
            add("approximate", approx_err, c, values, "error")
            add("approximate", ok & approx & ~approx_err, c, values, "warning")
            if sub.min is not None:
                add("below_min", ok & (num < sub.min), c, values, sev, limit=fmt_num(sub.min))
            if sub.max is not None:
                add("above_max", ok & (num > sub.max), c, values, sev, limit=fmt_num(sub.max))
            if sub.required or (it.required and not it.subs):
                add("required", np.isnan(num) & ok & empty, c, values, "error")
                add("required", np.isnan(num) & ok & ~empty & ~approx, c, values, "error")
            num = np.where(ok & (is_int | ~sub.integer), num, np.nan)
            if soft:
                num = np.where(
                    (sub.min is None) | ~(num < (sub.min if sub.min is not None else -np.inf)), num, np.nan
                )
            parsed[c] = num
    elif it.type == "multi":
        options = q.options_of(it)
        ticks = {}
        for o in options:
            c = f"{it.id}[{o.code}]"
            val, ok, _ = parse_bools(canon[c])
            add("unknown_tick", ~ok, c, canon[c].values, "error")
            parsed[c] = val & ok
            ticks[o.code] = val & ok
        if it.other:
            c = f"{it.id}[other]"
            parsed[c] = canon[c].values
            _formula_warning(canon[c], add, c)
        exclusive = [o.code for o in options if o.exclusive]
        if exclusive and ticks:
            others = np.sum([v for k, v in ticks.items() if k not in exclusive], axis=0)
            for ex in exclusive:
                add(
                    "exclusive",
                    ticks[ex] & (others > 0),
                    f"{it.id}[{ex}]",
                    np.array(["Y"] * len(rows), dtype=object),
                    "error",
                    option=ex,
                )
    elif it.type in ("single", "array"):
        lookup = _option_lookup(it, q)
        allowed = ", ".join(o.code for o in q.options_of(it))
        targets = [f"{it.id}[{s.code}]" for s in it.subs or []] if it.type == "array" else [it.id]
        for c in targets:
            stripped = canon[c].strip()
            values = stripped.values
            empty = stripped.each(lambda v: v == "", bool)
            mapped = stripped.each(lambda v: _lookup_option(lookup, v))
            is_other = (
                pd.isna(mapped) & stripped.each(lambda v: str(v).lower() in _OTHER_WORDS, bool)
                if it.other
                else np.zeros(len(values), bool)
            )
            unknown = ~empty & ~is_other & pd.isna(mapped)
            add("unknown_option", unknown, c, values, "error", allowed=allowed)
            if it.required:
                add("required", empty, c, values, "error")
            codes = np.where(is_other, "-oth-", mapped)
            codes = np.where(unknown | empty, np.array(None, dtype=object), codes)
            parsed[c] = codes.astype(object)
        if it.type == "single" and it.other:
            c = f"{it.id}[other]"
            parsed[c] = canon[c].values
            add(
                "other_without_text",
                (parsed[it.id] == "-oth-") & canon[c].each(lambda v: strip_one(v) == "", bool),
                c,
                canon[c].values,
                "warning",
            )
    elif it.type == "yesno":
        # LimeSurvey's export with full answer texts writes "N/A" (translated) for an unanswered yes/no
        cells = canon[it.id].derive(
            lambda v: "" if isinstance(v, str) and v.strip().casefold() in _NO_ANSWER_WORDS else v
        )
        val, ok, empty = parse_bools(cells)
        add("not_yesno", ~ok, it.id, cells.values, "error")
        if it.required:
            add("required", empty, it.id, cells.values, "error")
        out = np.where(ok & ~empty, val, np.array(None, dtype=object)).astype(object)
        parsed[it.id] = out
    else:  # text, multitext
        texts = [f"{it.id}[{s.code}]" for s in it.subs or []] if it.type == "multitext" else [it.id]
        for c in texts:
            text = canon[c].derive(strip_injection_mask)
            values = text.values
            empty = text.each(lambda v: strip_one(v) == "", bool)
            if it.required:
                add("required", empty, c, values, "error")
            if it.maxlen:
                lengths = text.each(len, int)
                for i in where(lengths > it.maxlen):  # one message per over-long text, with its own length
                    col.add(
                        "too_long",
                        source=source,
                        rows=rows[[i]],
                        entry_ids=entry_ids[[i]],
                        item=it.id,
                        column=shown(c),
                        values=[values[i][:40] + "…"],
                        severity="warning",
                        length=int(lengths[i]),
                        limit=it.maxlen,
                    )
            if it.pattern:
                pat = re.compile(it.pattern)
                matches = text.each(lambda v, p=pat: bool(p.match(v.strip())), bool)
                add("pattern", ~empty & ~matches, c, values, "warning")
            _formula_warning(text, add, c)
            parsed[c] = values


def _formula_warning(cells: Cells, add: Callable[..., None], c: str) -> None:
    """Warn once per formula-like start character about the texts of a column that begin with it."""
    codes = cells.codes
    texts = [str(u) for u in cells.distinct]
    first = np.array([t[:1] for t in texts], dtype=object)
    starts_u = np.array([t[:1] in FORMULA_PREFIXES and len(t) > 1 for t in texts], dtype=bool)
    if starts_u.any():
        starts = starts_u[codes]
        shown = np.array([t[:40] for t in texts], dtype=object)[codes]
        for ch in sorted(set(first[starts_u])):
            add(
                "formula_like",
                starts & (first[codes] == ch),
                c,
                shown,
                "warning",
                start=ch.replace("\t", "\\t").replace("\r", "\\r"),
            )


def fmt_num(x: float) -> str:
    """Write a number for a German reader: ``12`` for 12.0, ``12,5`` for 12.5.

    Examples
    --------
    >>> fmt_num(12.0), fmt_num(12.5)
    ('12', '12,5')
    """
    return str(int(x)) if float(x).is_integer() else str(x).replace(".", ",")


def run_check(
    chk: Check,
    it: Item,
    out: pd.DataFrame,
    col: Collector,
    *,
    source: str,
    rows: np.ndarray,
    entry_ids: np.ndarray,
    shown: Callable[[str], str],
    lang: str,
) -> None:
    """Apply one cross-field rule of an item to the parsed entries and record where it fails.

    Parameters
    ----------
    chk : Check
        The rule: ``le`` (``left`` ≤ ``right``) or ``sum_eq`` (the ``parts`` add up to ``total``); rows with
        a missing number are not checked.
    it : Item
        The item declaring the rule.
    out : DataFrame
        The parsed entries (numbers as floats).
    col : Collector
        Receives the failure rows, with the rule's severity.
    source : str
        The input's source label.
    rows, entry_ids : ndarray
        Spreadsheet row and entry id of each entry.
    shown : callable
        Canonical column → the heading as it stands in the file.
    lang : {"de", "en"}
        Language of reasons and fixes.
    """
    reason = chk.reason.get(lang) if chk.reason else t("intake.check_default_reason", lang)
    if chk.kind == "le":
        left_col, right_col = str(chk.left), str(chk.right)  # the instrument's loader requires both
        left = out[left_col].to_numpy(float)
        right = out[right_col].to_numpy(float)
        mask = np.isfinite(left) & np.isfinite(right) & (left > right)
        idx = where(mask)
        reasons = [
            t(
                "intake.check_le",
                lang,
                reason=reason,
                left_col=shown(left_col),
                left=fmt_num(left[i]),
                right_col=shown(right_col),
                right=fmt_num(right[i]),
            )
            for i in idx
        ]
        col.add(
            "check_le",
            source=source,
            rows=rows[idx],
            entry_ids=entry_ids[idx],
            item=it.id,
            column=shown(left_col),
            values=[fmt_num(left[i]) for i in idx],
            severity=chk.severity,
            reasons=reasons,
        )
    else:
        parts = np.vstack([out[p].to_numpy(float) for p in chk.parts])
        total = out[chk.total].to_numpy(float)
        given = np.isfinite(parts).all(axis=0) & np.isfinite(total)
        sums = np.nansum(parts, axis=0)
        idx = where(given & (sums != total))
        reasons = [
            t("intake.check_sum_eq", lang, reason=reason, total_sum=fmt_num(sums[i]), total=fmt_num(total[i]))
            for i in idx
        ]
        col.add(
            "check_sum_eq",
            source=source,
            rows=rows[idx],
            entry_ids=entry_ids[idx],
            item=it.id,
            column=shown(chk.parts[0]),
            values=[fmt_num(sums[i]) for i in idx],
            severity=chk.severity,
            reasons=reasons,
        )
