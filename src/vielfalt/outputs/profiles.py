"""Export profiles for the jury and the public (DOMAIN.md §6.4): what each may see, and the files written.

- ``jury_blind`` / ``jury_named`` (:func:`jury_export`, :func:`write_jury_exports`): the recommendation with
  scores, rank interval and site-visit results; the named profile adds the organisation's name, its legal
  form and the evaluators' notes. Free texts appear in ``jury_blind`` only as reviewed by the institute
  (:func:`read_text_review`). Neither ever holds contact data or exact headcounts.
- ``public`` (:func:`public_export`): the winners that consented to publication.

Which raw answers a profile may carry is declared in the questionnaire (each item's ``exports`` list); the
organisation's name, the legal form and the publication consent are the questionnaire's roles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

import pandas as pd

from vielfalt._params import Options, validate_params
from vielfalt.columns import CATEGORY, ENTRY_ID
from vielfalt.exceptions import DataError
from vielfalt.failures import failure_frame, failure_row
from vielfalt.i18n import label, t
from vielfalt.intake.read import read_table
from vielfalt.outputs.spreadsheets import write_csv, write_xlsx

if TYPE_CHECKING:
    from vielfalt.config.edition import Edition
    from vielfalt.config.questionnaire import Item, Questionnaire

__all__ = [
    "JURY_PROFILES",
    "JuryTable",
    "ProfileTable",
    "PublicExport",
    "TextReview",
    "free_text_items",
    "jury_export",
    "public_export",
    "raw_columns",
    "read_text_review",
    "write_jury_exports",
    "write_profile",
]

#: Profiles written by the jury and close stages.
JURY_PROFILES = ("jury_blind", "jury_named")

# input headings of text_review.csv (compared case-insensitively), first match wins
_REVIEW_HEADS = {
    ENTRY_ID: ("eintrag", "entry_id", "entry"),
    "item": ("item", "frage"),
    "text": ("geprüfter text", "reviewed text", "text"),
}


class JuryTable(Protocol):
    """What a jury export reads of the jury's view (:class:`vielfalt.dashboard.view.JuryView` has it all)."""

    @property
    def edition(self) -> str:
        """The edition id (for file names)."""

    @property
    def final(self) -> pd.DataFrame:
        """Index ``entry_id``: final scores, rank interval, recommendation, site-visit texts."""

    @property
    def categories(self) -> list[tuple[str, str]]:
        """(code, label) of each category, in display order."""

    @property
    def section_labels(self) -> dict[str, str]:
        """Section id → readable name."""

    @property
    def notes(self) -> dict[str, list[str]]:
        """Entry id → the evaluators' notes."""

    def in_category(self, category: str) -> pd.DataFrame:
        """The entries of one category, best first."""

    def sections(self) -> list[str]:
        """Section ids, in order."""


class ProfileTable(NamedTuple):
    """An export table under its headings and the notes for its reader (unpacks as ``table, notes``)."""

    table: pd.DataFrame
    notes: list[str]


class PublicExport(NamedTuple):
    """The public list and the winners left out of it (unpacks as ``table, excluded``)."""

    table: pd.DataFrame
    excluded: pd.DataFrame


@dataclass
class TextReview:
    """Free texts as reviewed (redacted) by the institute, for profiles that may show them only so.

    Attributes
    ----------
    texts : DataFrame
        Index ``entry_id``, one column per free-text item id.
    failures : DataFrame
        :data:`vielfalt.columns.FAILURE_COLUMNS`; one row per line of the review file not used.
    """

    texts: pd.DataFrame
    failures: pd.DataFrame


def raw_columns(q: Questionnaire, profile: str) -> list[str]:
    """Response columns whose raw answer `profile` may carry: items that name it under ``exports``.

    Contact data (``pii`` items and sub-questions) never leaves ``institute_full``; items without an
    ``exports`` list carry no raw answer outside ``institute_full`` (scores are exported instead).

    Parameters
    ----------
    q : Questionnaire
        The instrument.
    profile : str
        An export profile (``institute_full``, ``jury_named``, ``public``, …).

    Returns
    -------
    list of str
        Response columns, in instrument order.
    """
    cols: list[str] = []
    for _, it in q.iter_items():
        if profile != "institute_full" and (it.pii or any(s.pii for s in it.subs or [])):
            continue
        if profile == "institute_full" or (it.exports is not None and profile in it.exports):
            cols += it.columns()
    return cols


def free_text_items(q: Questionnaire) -> list[Item]:
    """The instrument's free texts: text items marked ``redact_for`` (they may name people).

    Parameters
    ----------
    q : Questionnaire
        The instrument.

    Returns
    -------
    list of Item
        In instrument order.
    """
    return [it for _, it in q.iter_items() if it.type == "text" and it.redact_for and not it.pii]


def _item_of(q: Questionnaire, ref: str) -> Item:
    """The item a role names: by its id, or the item one of whose response columns it is."""
    if ref in q.items:
        return q.items[ref]
    return next(it for _, it in q.iter_items() if ref in it.columns())


def _column_label(q: Questionnaire, column: str, lang: str) -> str:
    """What a response column is called in the questionnaire: its option or sub-question, else its item."""
    it = _item_of(q, column)
    code = column[len(it.id) + 1 : -1] if column != it.id else None
    for o in q.options_of(it):
        if o.code == code:
            return o.label.get(lang)
    for s in it.subs or []:
        if s.code == code:
            return s.label.get(lang)
    return it.label.get(lang)


def read_text_review(
    project_root: str | Path, edition: str, *, entries: pd.DataFrame, q: Questionnaire, lang: str = "de"
) -> TextReview | None:
    """Read ``data/<ed>/text_review.csv`` (Eintrag; Item; Geprüfter Text), or None when it does not exist.

    Each row gives the reviewed version of one free text (names of people and companies removed). Rows for
    unknown entries or items that are not free texts are reported, never used.

    Parameters
    ----------
    project_root : str or Path
        The project folder (with ``data/``).
    edition : str
        The edition id.
    entries : DataFrame
        The accepted entries (``intake/entries``).
    q : Questionnaire
        The instrument (which items are free texts).
    lang : {"de", "en"}, default "de"
        Language of the reasons.

    Returns
    -------
    TextReview or None
        The reviewed texts and the rows not used; None without a review file.

    Raises
    ------
    DataError
        When the file lacks a column.
    """
    path = Path(project_root) / "data" / edition / "text_review.csv"
    if not path.is_file():
        return None
    raw = read_table(path, lang="en" if lang == "en" else "de")
    names = {str(c).strip().casefold(): c for c in raw.columns}
    pick = {key: next((names[k] for k in heads if k in names), None) for key, heads in _REVIEW_HEADS.items()}
    missing = [k for k, v in pick.items() if v is None]
    if missing:
        msg = t("outputs.review_missing_columns", lang, path=path, missing=", ".join(missing))
        raise DataError(msg, path=str(path))
    allowed = {it.id for it in free_text_items(q)}
    texts: dict[str, dict[str, str]] = {}
    failures = []
    for row_no, r in raw.iterrows():
        e, item, text = (str(r[pick[k]]).strip() for k in (ENTRY_ID, "item", "text"))
        problem = None
        if e not in entries.index:
            problem = t("outputs.review_unknown_entry", lang, value=e)
        elif item not in allowed:
            problem = t("outputs.review_not_free_text", lang, value=item, allowed=", ".join(sorted(allowed)))
        if problem:
            failures.append(
                failure_row(
                    source=path.name,
                    row=int(row_no),
                    entry_id=e,
                    item=item,
                    check="text_review",
                    value=item,
                    reason=problem,
                    fix="",
                )
            )
            continue
        texts.setdefault(e, {})[item] = text
    frame = pd.DataFrame.from_dict(texts, orient="index").reindex(columns=sorted(allowed))
    frame.index.name = ENTRY_ID
    return TextReview(texts=frame.sort_index(), failures=failure_frame(failures))


def _text_columns(
    items: Sequence[Item], source: pd.DataFrame, index: pd.Index, lang: str
) -> dict[str, list[object]]:
    """One column per free text in `source` (raw or reviewed), headed ``<item id> <label>``."""
    out: dict[str, list[object]] = {}
    for it in items:
        if it.id in source:
            col = source[it.id].reindex(index)
            out[f"{it.id} {it.label.get(lang)}"] = [v if isinstance(v, str) else "" for v in col]
    return out


@validate_params({"profile": [Options(JURY_PROFILES)]})
def jury_export(
    profile: str,
    view: JuryTable,
    entries: pd.DataFrame,
    q: Questionnaire,
    *,
    reviewed: TextReview | None = None,
    lang: str = "de",
) -> ProfileTable:
    """The table of a jury export profile and the notes that go with it.

    ``jury_blind``: pseudonym, category, scores before/after the visit, rank interval, recommendation,
    site-visit counts; free texts only in their reviewed form (``data/<ed>/text_review.csv``), otherwise
    left out and said so. ``jury_named``: additionally the organisation's name and legal form (the
    questionnaire's roles, when its ``exports`` lists allow them), the evaluators' notes and the free texts.
    Neither ever holds contact data or exact headcounts.

    Parameters
    ----------
    profile : {"jury_blind", "jury_named"}
        The profile.
    view : JuryTable
        The jury's view of the run (:func:`vielfalt.stages.jury.jury_view`).
    entries : DataFrame
        The accepted entries (``intake/entries``).
    q : Questionnaire
        The instrument: which raw answers the profile may carry, and its roles.
    reviewed : TextReview, optional
        The reviewed free texts (for ``jury_blind``).
    lang : {"de", "en"}, default "de"
        Language of the headings and notes.

    Returns
    -------
    ProfileTable
        Columns already under their German (or English) headings; notes for the reader.
    """

    def head(key: str) -> str:
        return t(f"outputs.jury_head_{key}", lang)

    f = view.final
    order = [e for c, _ in view.categories for e in view.in_category(c).index]
    f = f.loc[order]
    yes, no = label("common.yes", lang), label("common.no", lang)
    cat_label = dict(view.categories)
    data: dict[str, list[object]] = {head("entry_id"): list(f.index)}
    allowed = set(raw_columns(q, profile))
    if profile == "jury_named":
        name = q.require_role("organisation_name")
        if name in allowed:
            data[head("name")] = entries[name].reindex(f.index).tolist()
        legal_form = q.roles.legal_form
        if legal_form is not None and legal_form in allowed and legal_form in entries:
            item = _item_of(q, legal_form)
            opts = {o.code: o.label.get(lang) for o in q.options_of(item)}
            data[item.label.get(lang)] = [opts.get(v, v) for v in entries[legal_form].reindex(f.index)]
    data[head(CATEGORY)] = [cat_label.get(c, c) for c in f[CATEGORY]]
    for c in ("rank", "total_pre", "total_post", "delta"):
        data[head(c)] = f[c].astype(float).round(2).tolist() if c != "rank" else f[c].tolist()
    for s in view.sections():
        data[view.section_labels.get(s, s)] = f[f"{s}_post"].astype(float).round(1).tolist()
    for c in ("Q5", "Q95", "P_topk"):
        data[head(c)] = f[c].tolist()
    data[head("recommended")] = [yes if bool(v) else no for v in f["recommended"]]
    data[head("recommendation")] = f["recommendation"].tolist()
    data[head("visited")] = [yes if bool(v) else no for v in f["visited"]]
    for c in ("visit_rating", "checks_text", "flags_text"):
        data[head(c)] = f[c].tolist()
    notes: list[str] = []
    if profile == "jury_named":
        data[head("visit_note")] = [" | ".join(view.notes.get(e, [])) for e in f.index]
    texts = free_text_items(q)
    if profile == "jury_named":
        data.update(_text_columns(texts, entries, f.index, lang))
    elif reviewed is not None and len(reviewed.texts):
        data.update(_text_columns(texts, reviewed.texts, f.index, lang))
        notes.append(t("outputs.jury_note_reviewed_texts", lang))
    else:
        notes.append(t("outputs.jury_note_texts_left_out", lang))
    notes.append(t("outputs.jury_note_no_contact", lang))
    return ProfileTable(pd.DataFrame(data), notes)


def write_profile(
    table: pd.DataFrame, out_dir: str | Path, stem: str, *, notes: Sequence[str] = (), lang: str = "de"
) -> dict[str, Path]:
    """Write one export table as ``<stem>.xlsx`` (with a notes sheet) and ``<stem>.csv`` (guarded writers).

    Parameters
    ----------
    table : DataFrame
        The table under its headings.
    out_dir : str or Path
        The folder to write into.
    stem : str
        The file name without suffix.
    notes : sequence of str, optional
        Lines for a second sheet.
    lang : {"de", "en"}, default "de"
        Language of the sheet names.

    Returns
    -------
    dict
        ``{"<stem>_xlsx": path, "<stem>_csv": path}``.
    """
    out = Path(out_dir)
    sheets = {t("outputs.sheet_data", lang): table}
    if notes:
        sheets[t("outputs.sheet_notes", lang)] = pd.DataFrame({"": list(notes)})
    xlsx = write_xlsx(sheets, out / f"{stem}.xlsx")
    csv = write_csv(table, out / f"{stem}.csv")
    return {f"{stem}_xlsx": xlsx, f"{stem}_csv": csv}


def write_jury_exports(
    view: JuryTable,
    entries: pd.DataFrame,
    q: Questionnaire,
    out_dir: str | Path,
    *,
    reviewed: TextReview | None = None,
    lang: str = "de",
) -> dict[str, Path]:
    """Write the ``jury_blind`` and ``jury_named`` profiles (XLSX and CSV) into `out_dir`.

    Parameters
    ----------
    view : JuryTable
        The jury's view of the run.
    entries : DataFrame
        The accepted entries.
    q : Questionnaire
        The instrument.
    out_dir : str or Path
        The folder to write into (``<run>/exports``).
    reviewed : TextReview, optional
        The reviewed free texts.
    lang : {"de", "en"}, default "de"
        Language of headings, notes and sheet names.

    Returns
    -------
    dict
        File key → path, four files.
    """
    files: dict[str, Path] = {}
    for profile in JURY_PROFILES:
        table, notes = jury_export(profile, view, entries, q, reviewed=reviewed, lang=lang)
        files.update(write_profile(table, out_dir, f"{profile}_{view.edition}", notes=notes, lang=lang))
    return files


def public_export(
    awards: pd.DataFrame, entries: pd.DataFrame, *, ed: Edition, q: Questionnaire, lang: str = "de"
) -> PublicExport:
    """The ``public`` profile: the winners that consented to publication (the ``consent_publication`` role).

    Only columns the instrument lists for ``public`` (the organisation's name) plus category and label.
    Winners without that consent are left out and returned with the reason; a questionnaire without the
    role asks nobody, so nobody is published.

    Parameters
    ----------
    awards : DataFrame
        ``close/awards`` (``category``, ``awarded``).
    entries : DataFrame
        The accepted entries.
    ed : Edition
        The edition (title, category order and labels).
    q : Questionnaire
        The instrument.
    lang : {"de", "en"}, default "de"
        Language of headings and reasons.

    Returns
    -------
    PublicExport
        ``table`` under its headings; ``excluded`` with index ``entry_id`` and a ``reason`` column.
    """
    won = awards[awards["awarded"].astype(bool)]
    consent_col = q.roles.consent_publication
    consent = (
        entries[consent_col].reindex(won.index).fillna(False).astype(bool)
        if consent_col is not None and consent_col in entries
        else pd.Series(False, index=won.index)
    )
    reason = (
        t(
            "outputs.public_no_consent",
            lang,
            item=_item_of(q, consent_col).id,
            option=_column_label(q, consent_col, lang),
        )
        if consent_col is not None
        else t("outputs.public_no_consent_item", lang)
    )
    excluded = pd.DataFrame({"reason": reason}, index=won.index[~consent.to_numpy()])
    excluded.index.name = ENTRY_ID
    ok = won[consent.to_numpy()]
    name = q.require_role("organisation_name")
    allowed = set(raw_columns(q, "public"))
    title = ed.title.get(lang)
    order = sorted(
        ok.index, key=lambda e: (ed.categories().index(ok.at[e, CATEGORY]), str(entries.at[e, name]))
    )
    names = [entries.at[e, name] if name in allowed else "" for e in order]
    labels = [ed.category_scheme.label(ok.at[e, CATEGORY], lang) for e in order]
    award = t("outputs.public_award", lang, title=title)
    table = pd.DataFrame(
        {
            t("outputs.public_head_name", lang): names,
            t("outputs.public_head_category", lang): labels,
            t("outputs.public_head_award", lang): [award for _ in order],
        }
    )
    return PublicExport(table, excluded)
