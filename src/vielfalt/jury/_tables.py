"""What reading the site-visit results and the votes share: headings, cells, the failure table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from vielfalt.columns import ROW
from vielfalt.exceptions import DataError
from vielfalt.failures import failure_frame, failure_row
from vielfalt.i18n import LANGUAGES, t
from vielfalt.intake.read import resolve_headings, strip_injection_mask


def headings(keys: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Return ``{lang: {code: heading}}`` for columns ``{code: catalogue key}`` (every language)."""
    return {lang: {code: t(key, lang) for code, key in keys.items()} for lang in LANGUAGES}


def resolve_columns(
    raw: pd.DataFrame,
    heads: Mapping[str, Mapping[str, str]],
    aliases: Mapping[str, str],
    *,
    lang: str,
) -> tuple[pd.DataFrame, list[str]]:
    """Rename the columns of `raw` to codes; return the frame and the headings that matched nothing.

    A column is recognised by its heading in any language, its code or one of `aliases` (compared
    case-insensitively); two columns meaning the same code raise :class:`DataError`.
    """
    known = list(heads["de"])
    mapping: dict[str, str | None] = {}
    for lang_heads in heads.values():
        for code, head in lang_heads.items():
            mapping[head] = code
    for h in raw.columns:
        key = str(h).strip().casefold()
        if key in aliases:
            mapping[str(h)] = aliases[key]
        for code, head in heads["de"].items():
            if key in (head.casefold(), heads["en"][code].casefold(), code.casefold()):
                mapping[str(h)] = code
    mapping = {k: v for k, v in mapping.items() if k in set(map(str, raw.columns))}
    res = resolve_headings([str(c) for c in raw.columns], known, mapping=mapping)
    if res.collisions:
        c = res.collisions[0]
        msg = t(
            "jury.column_collision",
            lang,
            headings=", ".join(map(repr, c["headings"])),
            canonical=c["canonical"],
        )
        raise DataError(msg)
    out = raw.rename(columns=res.mapping)
    unknown = [u for u in res.unknown if not str(u).startswith("__")]
    return out, unknown


def cell(row: pd.Series, col: str) -> str:
    """The text of one cell, stripped, with the injection guard's apostrophe removed ('' when absent)."""
    v = row.get(col, "")
    return str(strip_injection_mask(str(v))).strip() if v is not None else ""


def unknown_column_warnings(src: str, unknown: Iterable[Any], lang: str) -> list[dict[str, Any]]:
    """A warning per column of a file that vielfalt does not know (it is not read, and the report says so)."""
    return [
        failure_row(
            source=src,
            column=str(u),
            check="unknown_column",
            value=u,
            severity="warning",
            reason=t("jury.unknown_column", lang, value=u),
            fix="",
            value_as_text=True,
        )
        for u in unknown
    ]


def failure_table(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The failure table of `rows`, every column but ``row`` stored as text objects.

    The jury's artefacts (``jury/site_visit_failures``, ``close/vote_failures``) have always kept their text
    columns as ``object``, also where pandas would infer its string dtype; the bytes stay the same.
    """
    df = failure_frame(rows)
    return df.astype({c: object for c in df.columns if c != ROW})
