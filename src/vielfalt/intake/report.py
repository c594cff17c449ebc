"""The outcome of an intake: accepted entries, quarantined rows with their reasons, and the failure table.

Validation collects every problem as a row of the failure table (:mod:`vielfalt.failures`) through a
:class:`Collector`; :func:`build_report` then splits the entries into accepted and quarantined — a row with
an error is quarantined, a warning keeps it — and checks that rows in = accepted + quarantined.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from vielfalt.columns import ENTRY_ID, FIX, REASON, RESPONSE_ID, ROW, SEVERITY, SOURCE
from vielfalt.exceptions import DataError
from vielfalt.failures import failure_frame, failure_row
from vielfalt.i18n import t

__all__ = ["NAME", "Collector", "ValidationReport", "build_report"]

#: Column of the quarantine table holding the organisation's name (the ``organisation_name`` role).
NAME = "name"


@dataclass
class ValidationReport:
    """The outcome of one intake: accepted entries, quarantined rows, and every problem found.

    Attributes
    ----------
    accepted : DataFrame
        The parsed entries without an error, indexed by entry id, with their size category.
    quarantine : DataFrame
        One row per entry with an error: entry id, source, row, response id, name, the reasons, and the raw
        cells (``raw:<column>``).
    failures : DataFrame
        Every problem found (:data:`vielfalt.columns.FAILURE_COLUMNS`).
    rows_read : int
        Rows read from all files.
    sources : list of dict
        Per file: source, file, dialect, rows, encoding, delimiter, format, sha256.
    lang : {"de", "en"}
        The language of reasons, fixes and the summary.
    """

    accepted: pd.DataFrame
    quarantine: pd.DataFrame
    failures: pd.DataFrame
    rows_read: int
    sources: list[dict[str, Any]] = field(default_factory=list)
    lang: str = "de"

    @property
    def n_accepted(self) -> int:
        """Rows accepted."""
        return len(self.accepted)

    @property
    def n_quarantined(self) -> int:
        """Rows quarantined."""
        return len(self.quarantine)

    def check_balance(self) -> None:
        """Assert rows in = accepted + quarantined (raise DataError otherwise: a bug, never silent)."""
        if self.rows_read != self.n_accepted + self.n_quarantined:
            msg = t(
                "intake.internal_balance",
                self.lang,
                read=self.rows_read,
                accepted=self.n_accepted,
                quarantined=self.n_quarantined,
            )
            raise DataError(msg)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary (for ``vielfalt validate --json``)."""
        fails = self.failures.copy()
        fails = fails.astype(object).where(fails.notna(), None)
        return {
            "rows_read": int(self.rows_read),
            "accepted": int(self.n_accepted),
            "quarantined": int(self.n_quarantined),
            "sources": self.sources,
            "quarantine": [
                {k: _plain(v) for k, v in r.items()}
                for r in self.quarantine[[SOURCE, ROW, ENTRY_ID, RESPONSE_ID, NAME, REASON]].to_dict(
                    "records"
                )
            ],
            "failures": [{k: _plain(v) for k, v in r.items()} for r in fails.to_dict("records")],
        }

    def summary(self) -> str:
        """Return a short text for evaluators, in the report's language."""
        lang = self.lang
        lines = [
            t(
                "intake.summary_read",
                lang,
                read=self.rows_read,
                accepted=self.n_accepted,
                quarantined=self.n_quarantined,
            )
        ]
        for s in self.sources:
            if s.get("format") == "xlsx":
                how = t("intake.summary_workbook", lang)
            else:
                how = t(
                    "intake.summary_text_file",
                    lang,
                    encoding=s.get("encoding"),
                    delimiter=repr(s.get("delimiter")),
                )
            lines.append(
                t(
                    "intake.summary_source",
                    lang,
                    source=s["source"],
                    file=s["file"],
                    rows=s.get("rows", 0),
                    how=how,
                )
            )
        if self.n_quarantined:
            lines.append(t("intake.summary_quarantined", lang))
            for r in self.quarantine.itertuples():
                lines.append(
                    t(
                        "intake.summary_row",
                        lang,
                        source=r.source,
                        row=r.row,
                        name=r.name or "—",
                        reason=r.reason,
                    )
                )
        warns = self.failures[self.failures[SEVERITY] == "warning"]
        if len(warns):
            lines.append(t("intake.summary_warnings", lang, n=len(warns)))
        return "\n".join(lines)


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


class Collector:
    """Collect the failure rows of one validation and build the failure table once.

    Parameters
    ----------
    lang : {"de", "en"}
        The language of reasons and fixes.
    """

    def __init__(self, lang: str) -> None:
        self.rows: list[dict[str, Any]] = []
        self.lang = lang

    def add(
        self,
        key: str,
        *,
        source: str,
        rows: Sequence[Any] | np.ndarray,
        entry_ids: Sequence[Any] | np.ndarray,
        item: str | None,
        column: str | None,
        values: Sequence[Any] | np.ndarray,
        severity: str,
        reasons: Sequence[str] | None = None,
        **fmt: Any,
    ) -> None:
        """Add one failure row per (row, entry id, value) for the check ``key``.

        Parameters
        ----------
        key : str
            The check; its reason is the message ``intake.<key>`` (filled with ``value`` and ``fmt``), its
            fix ``intake.fix_<key>``.
        source : str
            The input's source label.
        rows, entry_ids, values : sequence
            Per failure: the spreadsheet row (None for the whole file), the entry and the offending value.
        item, column : str or None
            Where in the instrument and in the file.
        severity : {"error", "warning"}
            ``error`` quarantines the entry, ``warning`` keeps it.
        reasons : sequence of str, optional
            Ready-made reasons, one per failure, instead of the message.
        **fmt
            Further placeholders of the message.
        """
        fix = t(f"intake.fix_{key}", self.lang)
        for i, (r, e, v) in enumerate(zip(rows, entry_ids, values, strict=True)):
            reason = reasons[i] if reasons is not None else t(f"intake.{key}", self.lang, value=v, **fmt)
            self.rows.append(
                failure_row(
                    source=source,
                    row=r,
                    entry_id=e,
                    item=item,
                    column=column,
                    check=key,
                    value=v,
                    severity=severity,  # type: ignore[arg-type]
                    reason=reason,
                    fix=fix,
                )
            )

    def frame(self) -> pd.DataFrame:
        """Return the failure table of the rows collected (``row`` a nullable integer)."""
        return failure_frame(self.rows)


def build_report(
    entries: pd.DataFrame,
    raw: pd.DataFrame,
    failures: pd.DataFrame,
    *,
    name_column: str,
    sources: list[dict[str, Any]],
    lang: str,
) -> ValidationReport:
    """Split the entries into accepted and quarantined by the errors among ``failures``.

    Parameters
    ----------
    entries : DataFrame
        The parsed entries of all files (a RangeIndex), with ``entry_id``, ``source``, ``row``,
        ``response_id`` and the organisation's name in ``name_column``.
    raw : DataFrame
        The raw cells under canonical names, row for row with ``entries``.
    failures : DataFrame
        Every problem found; rows of severity ``error`` quarantine their entry.
    name_column : str
        The column of the organisation's name (the questionnaire's ``organisation_name`` role).
    sources : list of dict
        The files read, for the report.
    lang : {"de", "en"}
        The language of the reasons.

    Returns
    -------
    ValidationReport
        With rows in = accepted + quarantined checked.
    """
    rows_read = len(entries)
    errors = failures[failures[SEVERITY] == "error"] if len(failures) else failures
    bad_ids = set(errors[ENTRY_ID].dropna())
    if rows_read:
        is_bad = entries[ENTRY_ID].isin(bad_ids).to_numpy()
        accepted = entries[~is_bad].set_index(ENTRY_ID)
        # every error of an entry once, in the order found: "Spalte X: reason fix | …"
        texts: dict[Any, dict[str, None]] = {}
        for eid, column, reason, fix in zip(
            errors[ENTRY_ID], errors["column"], errors[REASON], errors[FIX], strict=True
        ):
            if eid is None or eid != eid:  # no entry (file-level) or NaN: groupby drops these keys
                continue
            where = t("intake.reason_column", lang, column=column) if column else ""
            texts.setdefault(eid, {})[f"{where}{reason} {fix}"] = None
        reasons = {eid: " | ".join(parts) for eid, parts in texts.items()}
        q_rows = raw[is_bad].copy()
        quarantine = pd.DataFrame(
            {
                ENTRY_ID: entries.loc[is_bad, ENTRY_ID].to_numpy(),
                SOURCE: entries.loc[is_bad, SOURCE].to_numpy(),
                ROW: entries.loc[is_bad, ROW].to_numpy(),
                RESPONSE_ID: entries.loc[is_bad, RESPONSE_ID].to_numpy(),
                NAME: entries.loc[is_bad, name_column].to_numpy(),
            }
        )
        quarantine[REASON] = quarantine[ENTRY_ID].map(reasons).to_numpy()
        quarantine = pd.concat(
            [quarantine, q_rows.drop(columns=[ENTRY_ID]).reset_index(drop=True).add_prefix("raw:")], axis=1
        )
    else:
        accepted = entries
        quarantine = pd.DataFrame(columns=[ENTRY_ID, SOURCE, ROW, RESPONSE_ID, NAME, REASON])
    report = ValidationReport(
        accepted=accepted,
        quarantine=quarantine,
        failures=failures,
        rows_read=rows_read,
        sources=sources,
        lang=lang,
    )
    report.check_balance()
    return report
