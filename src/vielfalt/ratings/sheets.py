"""Rating sheets: the sheet each evaluator gets, and the sheets they return, read back and checked.

A sheet lists, for one evaluator, every rated free text of every entry assigned to them (one row per entry
and item) with the columns :data:`SHEET_KEYS`; the evaluator fills in the rating and a note. The layout is
defined here once, for writing (:func:`rating_sheets`, written to XLSX by the intake stage) and for reading
(:func:`read_rating_sheets`): the headings are the catalogue's ``ratings.sheet_*`` in either language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from vielfalt.columns import ENTRY_ID, ITEM
from vielfalt.exceptions import DataError
from vielfalt.failures import failure_frame, failure_row
from vielfalt.i18n import LANGUAGES, t
from vielfalt.ratings.design import RATER

if TYPE_CHECKING:
    from vielfalt.config.questionnaire import Questionnaire

__all__ = [
    "NOTE",
    "RATING",
    "SHEET_KEYS",
    "RatingReturn",
    "RatingSheet",
    "read_rating_sheets",
    "rating_sheets",
    "sheet_headings",
]

RATING = "rating"
NOTE = "note"

#: The columns of a rating sheet, in order (headings: ``ratings.sheet_<key>`` in the catalogue).
SHEET_KEYS = ["edition", ENTRY_ID, ITEM, "criterion", "question", "text", RATING, NOTE]

#: The scale shown on a sheet when the questionnaire declares no rating scale.
_DEFAULT_SCALE = "0–4"


def sheet_headings(lang: str = "de") -> list[str]:
    """The headings of a rating sheet in ``lang``, in the order of :data:`SHEET_KEYS`.

    Examples
    --------
    >>> sheet_headings("en")[:3]
    ['Edition', 'Entry', 'Item']
    """
    return [t(f"ratings.sheet_{k}", lang) for k in SHEET_KEYS]


@dataclass
class RatingSheet:
    """One evaluator's rating sheet as handed out: the rows to rate and how the sheet is laid out.

    The intake stage writes it to ``rating_sheets/<file_name>`` with the XLSX writer of
    :mod:`vielfalt.outputs.spreadsheets`.
    """

    rater: str
    file_name: str  # bewertung_<edition>_<rater>.xlsx: the reader takes the rater from it
    sheet: str
    table: pd.DataFrame  # columns SHEET_KEYS, rating and note empty
    headings: list[str]
    title: list[str]
    column_widths: dict[str, int]
    validations: list[tuple[str, str, str]]  # (cell range, allowed values, prompt)


def rating_sheets(
    assignment: pd.DataFrame,
    accepted: pd.DataFrame,
    q: Questionnaire,
    *,
    edition: str,
    title: str,
    lang: str = "de",
) -> list[RatingSheet]:
    """The rating sheet of every evaluator in ``assignment``, sorted by evaluator.

    Parameters
    ----------
    assignment : DataFrame
        ``entry_id``, ``rater``: the rating design (:func:`vielfalt.ratings.design.design_ratings`).
    accepted : DataFrame
        The accepted entries, indexed by ``entry_id``, with the answers of the rated items.
    q : Questionnaire
        Gives the rated items (:meth:`~vielfalt.config.questionnaire.Questionnaire.rated_items`) and the
        rating scale shown in the sheet's second title line.
    edition : str
        The edition id, written into every row and the file name.
    title : str
        The edition's title in ``lang``, for the first title line.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    list of RatingSheet
    """
    items = q.rated_items()
    scale_def = q.rating_scale()
    scale = (
        ", ".join(f"{o.code} = {o.label.get(lang)}" for o in scale_def.options)
        if scale_def is not None
        else _DEFAULT_SCALE
    )
    sheet = t("ratings.sheet_name", lang)
    out = []
    for rater, part in assignment.groupby(RATER, sort=True):
        rows = [
            {
                "edition": edition,
                ENTRY_ID: eid,
                ITEM: it.id,
                "criterion": it.scoring.criterion or "",
                "question": it.label.get(lang),
                "text": accepted.at[eid, it.id] or "",
                RATING: None,
                NOTE: None,
            }
            for eid in part[ENTRY_ID]
            for it in items
        ]
        table = pd.DataFrame(rows, columns=SHEET_KEYS)
        first, last = 4, 3 + len(table)  # two title lines and the heading above the first row
        out.append(
            RatingSheet(
                rater=str(rater),
                file_name=f"bewertung_{edition}_{rater}.xlsx",
                sheet=sheet,
                table=table,
                headings=sheet_headings(lang),
                title=[
                    t("ratings.sheet_title", lang, title=title, rater=rater),
                    t("ratings.sheet_instructions", lang, scale=scale),
                ],
                column_widths={"B": 16, "D": 16, "E": 40, "F": 80, "G": 14, "H": 30},
                validations=[
                    (f"G{first}:G{max(last, first)}", "0,1,2,3,4", t("ratings.sheet_validation", lang))
                ],
            )
        )
    return out


@dataclass
class RatingReturn:
    """Ratings read back from returned sheets, with everything that was wrong or missing."""

    ratings: pd.DataFrame  # entry_id, item, rater, rating, note
    failures: pd.DataFrame  # source, row, entry_id, item, column, check, value, severity, reason, fix
    missing: pd.DataFrame  # entry_id, item, rater: assigned but not rated
    sheets: list[dict[str, Any]] = field(default_factory=list)

    def summary(self, lang: str = "de") -> str:
        """Counts for evaluators."""
        errs = int((self.failures["severity"] == "error").sum()) if len(self.failures) else 0
        return t(
            "ratings.return_summary",
            lang,
            sheets=len(self.sheets),
            ratings=len(self.ratings),
            expected=len(self.ratings) + len(self.missing),
            missing=len(self.missing),
            errors=errs,
        )


def _sheet_table(path: Path, lang: str) -> tuple[pd.DataFrame, int]:
    """Read a returned sheet (XLSX as handed out, or CSV) into :data:`SHEET_KEYS`; (table, header row)."""
    from vielfalt.intake import read as ingest

    raw = ingest.read_table(path)
    # the handed-out sheets have two title lines above the heading: find the heading row
    known = [sheet_headings(language) for language in LANGUAGES]
    width = len(SHEET_KEYS)
    cols = [str(c) for c in raw.columns]
    if cols[:width] in known:
        table, header_row = raw.iloc[:, :width].copy(), 1
    else:
        for i, row in enumerate(raw.itertuples(index=False)):
            if [str(v) for v in row[:width]] in known:
                header_row = int(raw.index[i])
                table = raw.iloc[i + 1 :, :width].copy()
                break
        else:
            msg = t(
                "ratings.no_heading_row", lang, file=path.name, heads=" | ".join(sheet_headings(lang)[:3])
            )
            raise DataError(msg, path=str(path))
    table.columns = SHEET_KEYS
    table = table[(table[ENTRY_ID].astype(str).str.strip() != "")]
    return table, header_row


def read_rating_sheets(
    paths: list[Path],
    *,
    edition: str,
    design: pd.DataFrame,
    accepted: set[str],
    rubric_items: list[str],
    raters: list[str],
    lang: str = "de",
) -> RatingReturn:
    """Read returned rating sheets and validate every row; partial returns are accepted and reported.

    The rater is taken from the file name ``bewertung_<edition>_<rater>.xlsx`` (as handed out), so a sheet
    forwarded to a colleague still counts for the person it was assigned to. Missing ratings stay missing
    (never zero): they are listed in ``missing``.

    Parameters
    ----------
    paths : list of Path
        The returned sheets (XLSX as handed out, or saved as CSV).
    edition : str
        The edition every row must belong to.
    design : DataFrame
        ``entry_id``, ``rater``: who was to rate what.
    accepted : set of str
        The accepted entry ids.
    rubric_items : list of str
        The ids of the rated items.
    raters : list of str
        The edition's evaluators.
    lang : {"de", "en"}, default "de"
        Language of the reasons and fixes in ``failures``.

    Returns
    -------
    RatingReturn
    """
    fails: list[dict[str, Any]] = []
    good: list[tuple[str, str, str, float, str]] = []
    sheets = []
    column = {k: t(f"ratings.column_{k}", lang) for k in ("edition", ENTRY_ID, ITEM, RATING)}

    def fail(
        key: str,
        src: str | None,
        row: Any,
        entry: Any,
        item: Any,
        col: str | None,
        value: Any,
        severity: str = "error",
        shown: Any = None,
    ) -> None:
        fails.append(
            failure_row(
                source=src,
                row=row,
                entry_id=entry,
                item=item,
                column=col,
                check=key,
                value=value,
                severity="warning" if severity == "warning" else "error",
                reason=t(
                    f"ratings.check_{key}", lang, value=value if shown is None else shown, edition=edition
                ),
                fix=t(f"ratings.fix_{key}", lang),
            )
        )

    assigned = set(zip(design[ENTRY_ID].astype(str), design[RATER].astype(str), strict=True))
    for path in sorted(paths):
        rater = path.stem.rsplit("_", 1)[-1]  # bewertung_<edition>_<rater>: the edition is checked per row
        if rater not in raters:
            fail("unknown_rater", path.name, None, None, None, None, rater)
            continue
        if Path(path).resolve().parent != Path(path).parent.resolve():
            # a link to a file elsewhere: the ratings folder holds the sheets themselves, nothing it points to
            where = t("ratings.link_outside", lang, folder=Path(path).parent)
            fail("unreadable", path.name, None, None, None, None, where)
            continue
        try:
            table, _ = _sheet_table(path, lang)
        except DataError as err:
            fail("unreadable", path.name, None, None, None, None, str(err))
            continue
        sheets.append({"file": path.name, "rater": rater, "rows": len(table)})
        other_eds = set(table["edition"].astype(str).str.strip()) - {edition, ""}
        if other_eds:
            fail(
                "other_edition", path.name, None, None, None, column["edition"], ", ".join(sorted(other_eds))
            )
            continue
        for r, rec in table.iterrows():
            entry = str(rec[ENTRY_ID]).strip()
            item = str(rec[ITEM]).strip()
            value = str(rec[RATING]).strip()
            if item not in rubric_items:
                fail("unknown_item", path.name, r, entry, item, column[ITEM], item)
                continue
            if entry not in accepted:
                fail("unknown_entry", path.name, r, entry, item, column[ENTRY_ID], entry)
                continue
            if value == "":
                continue  # not rated yet: reported as missing below, never read as 0
            try:
                num = float(value.replace(",", "."))
            except ValueError:
                num = float("nan")
            if num not in (0, 1, 2, 3, 4):
                fail("bad_rating", path.name, r, entry, item, column[RATING], value)
                continue
            if (entry, rater) not in assigned:
                fail("not_assigned", path.name, r, entry, item, column[ENTRY_ID], entry, severity="warning")
            good.append((entry, item, rater, num, str(rec[NOTE] or "")))
    ratings = pd.DataFrame(good, columns=[ENTRY_ID, ITEM, RATER, RATING, NOTE])
    dup = ratings.duplicated([ENTRY_ID, ITEM, RATER], keep="last")
    for rec in ratings[dup].itertuples(index=False):
        fail(
            "duplicate",
            f"bewertung_{edition}_{rec.rater}",
            None,
            rec.entry_id,
            rec.item,
            column[RATING],
            rec.rating,
            severity="warning",
            shown=f"{rec.entry_id}/{rec.item}",
        )
    ratings = ratings[~dup].sort_values([ENTRY_ID, ITEM, RATER]).reset_index(drop=True)
    expected = design.merge(pd.DataFrame({ITEM: rubric_items}), how="cross")
    have = set(zip(ratings[ENTRY_ID], ratings[ITEM], ratings[RATER], strict=True))
    missing = expected[
        [
            (e, i, r) not in have
            for e, i, r in zip(expected[ENTRY_ID], expected[ITEM], expected[RATER], strict=True)
        ]
    ]
    for r in raters:
        if r in set(design[RATER]) and r not in set(ratings[RATER]):
            fail("no_ratings", None, None, None, None, None, r, severity="warning")
    return RatingReturn(
        ratings=ratings,
        failures=failure_frame(fails),
        missing=missing.reset_index(drop=True),
        sheets=sheets,
    )
