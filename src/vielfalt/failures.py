"""The failure table: one row per problem found in an input, built one way everywhere.

Every stage that reads something a person made (responses, rating sheets, site-visit results, votes) reports
each problem as a row of :data:`~vielfalt.columns.FAILURE_COLUMNS` — source, row, entry, item, column, check,
value, severity, reason, fix — after pandera's ``failure_cases``. ``severity`` is ``"error"`` when the row was
not used and ``"warning"`` when it was used with a note.

Examples
--------
>>> rows = [failure_row(source="a.xlsx", row=3, check="not_number", value="ca. 50", reason="…", fix="…")]
>>> failure_frame(rows)[["source", "row", "check", "severity"]].to_dict("records")
[{'source': 'a.xlsx', 'row': 3, 'check': 'not_number', 'severity': 'error'}]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import pandas as pd

from vielfalt.columns import (
    CHECK,
    COLUMN,
    ENTRY_ID,
    FAILURE_COLUMNS,
    FIX,
    ITEM,
    REASON,
    ROW,
    SEVERITY,
    SOURCE,
    VALUE,
)

__all__ = ["failure_frame", "failure_row"]


def failure_row(
    *,
    source: str | None,
    row: int | None = None,
    entry_id: str | None = None,
    item: str | None = None,
    column: str | None = None,
    check: str,
    value: Any = None,
    severity: Literal["error", "warning"] = "error",
    reason: str,
    fix: str,
    value_as_text: bool = False,
) -> dict[str, Any]:
    """Return one row of the failure table.

    Parameters
    ----------
    source : str or None
        The file (or input) the problem is in.
    row : int or None
        The row as a person counts it in that file (heading row = 1), ``None`` for a whole-file problem.
    entry_id, item, column : str or None
        Where in the data; ``None`` when it does not apply (an empty entry id counts as none).
    check : str
        A stable key of the check that failed (for filters and tests).
    value : object
        The offending value; with ``value_as_text`` it is stored as text (``None`` stays ``None``).
    severity : {"error", "warning"}
        ``error``: the row was not used; ``warning``: it was used with a note.
    reason, fix : str
        What is wrong and what to do, in the reader's language.
    value_as_text : bool, default False
        Store ``value`` as ``str`` so that one column holds one type.

    Returns
    -------
    dict
        Keyed by :data:`~vielfalt.columns.FAILURE_COLUMNS`.
    """
    if value_as_text and value is not None:
        value = str(value)
    return {
        SOURCE: source,
        ROW: row,
        ENTRY_ID: entry_id or None,
        ITEM: item,
        COLUMN: column,
        CHECK: check,
        VALUE: value,
        SEVERITY: severity,
        REASON: reason,
        FIX: fix,
    }


def failure_frame(rows: Iterable[Mapping[str, Any] | tuple[Any, ...]]) -> pd.DataFrame:
    """Return the failure table of ``rows`` (dicts from :func:`failure_row` or tuples in column order).

    The ``row`` column is a nullable integer, so that a whole-file problem (no row) and row numbers can
    stand in one column; an empty table still has every column.
    """
    df = pd.DataFrame(list(rows), columns=FAILURE_COLUMNS)
    return df.astype({ROW: "Int64"}) if len(df) else df
