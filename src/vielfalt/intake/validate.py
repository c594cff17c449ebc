"""Schema checks of responses against the instrument: every row ends accepted or quarantined, with reasons.

Validation is lazy (pandera-style): every problem of every row is collected into one failure table with the
columns :data:`vielfalt.columns.FAILURE_COLUMNS` — source, row, entry, item, column, check, value, severity,
reason, fix — before anything is decided. Structural problems (unreadable file, a required column missing,
a column present twice) stop the file with a :class:`DataError` instead.

Severity "error" quarantines the row; "warning" keeps it and reports the problem. Type problems in optional,
unscored context items are warnings (the value is treated as missing); everywhere else they are errors.
Rows in = rows accepted + rows quarantined, asserted at the end of every intake.

:func:`validate_table` checks one file (headings, identity, every item through :mod:`vielfalt.intake.checks`);
:func:`validate_files` reads every input of an edition, then decides what needs all files at once —
duplicate submissions (by the questionnaire's ``organisation_name`` role) and size categories — and builds
the :class:`~vielfalt.intake.report.ValidationReport`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from vielfalt.columns import (
    CATEGORY,
    ENTRY_ID,
    ITEM,
    RESPONSE_ID,
    ROW,
    SEVERITY,
    SOURCE,
    SUBMITDATE,
)
from vielfalt.config.edition import Edition, InputFile, with_roles
from vielfalt.config.questionnaire import Item, Questionnaire
from vielfalt.exceptions import DataError
from vielfalt.failures import failure_frame
from vielfalt.i18n import t
from vielfalt.intake.categories import CATEGORY_REASON, assign_categories
from vielfalt.intake.checks import check_item, run_check, where
from vielfalt.intake.forms import (
    check_form,
    form_changed_row,
    form_failures,
    form_files,
    form_paths,
    is_form,
    read_form,
)
from vielfalt.intake.headings import LIMESURVEY_METADATA, resolve_headings
from vielfalt.intake.read import EXTRA_COLUMN, read_table
from vielfalt.intake.report import Collector, ValidationReport, build_report
from vielfalt.intake.values import Cells, DecimalSep, parse_dates, per_value

__all__ = ["META_COLUMNS", "ValidationReport", "entry_id_for", "validate_files", "validate_table"]

#: Metadata columns of a response table besides the instrument's (LimeSurvey's).
META_COLUMNS = LIMESURVEY_METADATA
Lang = Literal["de", "en"]  # checked by the readers: another value is a ConfigError there
_DIALECT_DECIMAL: dict[str, DecimalSep] = {"limesurvey": ".", "excel": ","}
_NAME_NORMALISE = re.compile(r"[^0-9a-zäöüß]+")


def entry_id_for(salt: str, source: str, response_id: str) -> str:
    """Return the stable pseudonym of one response: the same salt, source and response id give the same id.

    Parameters
    ----------
    salt : str
        The edition's pseudonym salt.
    source : str
        The input's source label.
    response_id : str
        The response's id in that source (``row<n>`` when the file has none).

    Returns
    -------
    str
        ``VG-`` and ten hex digits.

    Examples
    --------
    >>> entry_id_for("demo2010-3b9f0c1e", "online", "7")
    'VG-...'
    """
    digest = hashlib.sha256(f"{salt}\x1f{source}\x1f{response_id}".encode()).hexdigest()
    return "VG-" + digest[:10].upper()


def _norm_name(name: str) -> str:
    return _NAME_NORMALISE.sub("", str(name).casefold())


def validate_table(
    raw: pd.DataFrame,
    q: Questionnaire,
    *,
    source: str,
    file: str,
    salt: str,
    dialect: str = "auto",
    mapping: dict[str, str] | None = None,
    decimal: DecimalSep | None = None,
    lang: str = "de",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Validate one raw table (all strings, as :func:`vielfalt.intake.read.read_table` returns it).

    Parameters
    ----------
    raw : DataFrame
        Every cell a str; index = spreadsheet row number.
    q : Questionnaire
        The instrument.
    source : str
        Source label of the file (from the edition), part of the entry pseudonym.
    file : str
        File name for messages.
    salt : str
        The edition's pseudonym salt.
    dialect : {"limesurvey", "excel", "form", "auto"}
        Decides the decimal separator (unless `decimal` is given) and whether a missing submit date
        means an incomplete response (LimeSurvey) or just an unknown date (Excel, forms). For a filled
        form (:func:`vielfalt.intake.read.read_form`) every finding names the sheet and cell.
    mapping : dict, optional
        Per-source heading → canonical column.
    decimal : {",", "."}, optional
        Decimal separator of the source.
    lang : {"de", "en"}
        Language of reasons and fixes.

    Returns
    -------
    (parsed, failures, raw_canonical)
        `parsed`: typed values by canonical column plus metadata (source, row, response_id, submitdate,
        entry_id), one row per input row; `failures`: the failure table; `raw_canonical`: the raw strings
        under canonical names (for the quarantine).

    Raises
    ------
    DataError
        When a required column is missing or an instrument column appears twice.
    """
    col = Collector(lang)
    if decimal is None:
        decimal = _DIALECT_DECIMAL.get(dialect)
    info = raw.attrs.get("source_info", {}) or {}
    n = len(raw)
    rows = raw.index.to_numpy()

    # -- headings -----------------------------------------------------------------------------
    known = list(q.columns()) + list(META_COLUMNS)
    res = resolve_headings(list(raw.columns), known, mapping=mapping or {}, lang=cast(Lang, lang))
    if res.collisions:
        pairs = "; ".join(_describe_collision(c) for c in res.collisions)
        msg = t("intake.collision", lang, file=file, pairs=pairs)
        raise DataError(msg, path=file)
    dup_instrument = [
        h for h in (info.get("duplicate_headings") or []) if res.mapping.get(str(h)) or str(h) in known
    ]
    if dup_instrument:
        msg = t("intake.duplicate_columns", lang, file=file, columns=", ".join(map(str, dup_instrument)))
        raise DataError(msg, path=file)
    known_set = set(known)
    renamed = [res.mapping.get(h, h) for h in raw.columns]
    present = [c for c in renamed if c in known_set]
    required_missing = [c for _, it in q.iter_items() for c in _required_columns(it) if c not in present]
    if required_missing:
        example = _heading_example(required_missing, q)
        msg = t(
            "intake.required_columns",
            lang,
            file=file,
            columns=", ".join(required_missing),
            example=example,
            example_em=_em_code(example),
        )
        raise DataError(msg, path=file)
    # canonical name -> cells; a column missing from the file is empty (one shared array)
    canon: dict[str, Cells] = {}
    if len(set(present)) == len(present):
        for pos, c in enumerate(renamed):
            if c in known_set:
                canon[c] = Cells(raw.iloc[:, pos].to_numpy(dtype=object))
    else:  # resolve_headings reports collisions; keep pandas' own selection should one slip through
        frame = raw.set_axis(renamed, axis=1)
        for c in dict.fromkeys(present):
            canon[c] = Cells(frame[c].to_numpy(dtype=object))
    blank = np.full(n, "", dtype=object)
    for c in known:
        if c not in canon:
            canon[c] = Cells(blank)
    for h in res.unknown:
        if h == EXTRA_COLUMN:
            continue
        col.add(
            "unknown_column",
            source=source,
            rows=[None],
            entry_ids=[None],
            item=None,
            column=h,
            values=[h],
            severity="warning",
        )
    for c in res.missing:
        if c in META_COLUMNS or c.endswith("[other]"):
            continue
        col.add(
            "missing_column",
            source=source,
            rows=[None],
            entry_ids=[None],
            item=c.split("[")[0],
            column=c,
            values=[c],
            severity="warning",
        )

    # -- identity -----------------------------------------------------------------------------
    rid = pd.Series(canon["id"].strip().values, index=raw.index, dtype=object)
    rid = rid.where(rid != "", pd.Series([f"row{r}" for r in rows], index=raw.index))
    entry_ids = np.array([entry_id_for(salt, source, r) for r in rid.to_numpy()], dtype=object)
    dup_rid = rid.duplicated(keep=False).to_numpy()
    if dup_rid.any():
        idx = where(dup_rid)
        col.add(
            "duplicate_id",
            source=source,
            rows=rows[idx],
            entry_ids=entry_ids[idx],
            item=None,
            column="id",
            values=rid.to_numpy()[idx],
            severity="error",
        )
        # keep pseudonyms unique even for the duplicated ids so nothing collides downstream
        entry_ids[idx] = [f"{e}-{r}" for e, r in zip(entry_ids[idx], rows[idx], strict=True)]
    heading_of = {v: k for k, v in res.mapping.items()}

    parsed: dict[str, Any] = {}
    ragged = info.get("ragged_rows") or []
    position = {int(r): i for i, r in enumerate(rows)} if ragged else {}
    for r in ragged:
        at = np.array([position[r["row"]]] if r["row"] in position else [], dtype=int)
        col.add(
            "ragged",
            source=source,
            rows=rows[at],
            entry_ids=entry_ids[at],
            item=None,
            column=None,
            values=[""] * len(at),
            severity="error",
            fields=r.get("fields"),
            expected=r.get("expected"),
        )

    submit, ok = parse_dates(canon["submitdate"], raw.index)
    bad = where(~ok)
    col.add(
        "bad_date",
        source=source,
        rows=rows[bad],
        entry_ids=entry_ids[bad],
        item=None,
        column="submitdate",
        values=canon["submitdate"].values[bad],
        severity="warning",
    )
    if dialect == "limesurvey":
        inc = where(canon["submitdate"].strip().values == "")
        col.add(
            "incomplete",
            source=source,
            rows=rows[inc],
            entry_ids=entry_ids[inc],
            item=None,
            column="submitdate",
            values=[""] * len(inc),
            severity="error",
        )

    def shown(c: str) -> str:
        return heading_of.get(c, c)

    # -- items ----------------------------------------------------------------------------------
    for _, it in q.iter_items():
        check_item(
            it,
            q,
            canon,
            parsed,
            col,
            source=source,
            rows=rows,
            entry_ids=entry_ids,
            decimal=decimal,
            shown=shown,
            lang=lang,
        )

    out = pd.DataFrame(parsed, index=raw.index)
    out.insert(0, SUBMITDATE, submit.to_numpy())
    out.insert(0, RESPONSE_ID, rid.to_numpy())
    out.insert(0, ROW, rows)
    out.insert(0, SOURCE, source)
    out.insert(0, ENTRY_ID, entry_ids)

    # -- cross-field checks ---------------------------------------------------------------------
    for _, it in q.iter_items():
        for chk in it.checks:
            run_check(
                chk, it, out, col, source=source, rows=rows, entry_ids=entry_ids, shown=shown, lang=lang
            )

    cells = np.empty((n, len(known) + 1), dtype=object)  # one block, filled column by column
    cells[:, 0] = entry_ids
    for pos, c in enumerate(known, start=1):
        cells[:, pos] = canon[c].values
    raw_canonical = pd.DataFrame(
        cells, index=raw.index, columns=pd.Index([ENTRY_ID, *known], dtype=object), dtype=object, copy=False
    )
    failures = col.frame()
    if info.get("form") and len(failures):
        failures = form_failures(failures, info["form"], q, file=file, lang=lang)
    return out, failures, raw_canonical


def _describe_collision(c: Any) -> str:
    if isinstance(c, dict):
        return f"{', '.join(map(str, c.get('headings', [])))} → {c.get('canonical')}"
    if isinstance(c, tuple | list):
        return " / ".join(map(str, c))
    return str(c)


def _heading_example(columns: list[str], q: Questionnaire) -> str:
    """A column to show a heading's two spellings with: a missing one with a sub-question, else any such."""
    bracketed = [c for c in columns if "[" in c] or [c for c in q.columns() if "[" in c]
    return (bracketed or columns)[0]


def _em_code(column: str) -> str:
    """LimeSurvey's Expression-Manager spelling of a column: ``X05[total]`` → ``X05_total``."""
    return column.replace("][", "_").replace("[", "_").replace("]", "")


def _required_columns(it: Item) -> list[str]:
    if it.type in ("multinumeric", "multitext", "array"):
        return [f"{it.id}[{s.code}]" for s in it.subs or [] if s.required]
    return [it.id] if it.required else []


def validate_files(
    edition: Edition,
    q: Questionnaire,
    files: Iterable[tuple[InputFile, Path]],
    *,
    lang: str | None = None,
    max_bytes: int | None = None,
) -> ValidationReport:
    """Read and validate every input file of an edition, then decide duplicates and categories.

    Parameters
    ----------
    edition : Edition
    q : Questionnaire
    files : iterable of (InputFile, Path)
        The edition's inputs with their resolved absolute paths. An input with ``dialect: form`` (or
        ``auto`` when the workbook is a filled Teilnahmebogen) is read with
        :func:`vielfalt.intake.forms.read_form`; its path may be a folder, whose every ``.xlsx`` is one
        response. A form of another edition or instrument version is refused with a DataError naming both.
    lang : {"de", "en"}, optional
        Defaults to the edition's language.
    max_bytes : int, optional
        Refuse files larger than this (default: the edition's ``max_input_mb``).

    Returns
    -------
    ValidationReport
        With rows in = accepted + quarantined checked.
    """
    lang = lang or edition.language
    limit = max_bytes or int(edition.max_input_mb * 1_000_000)
    parsed_all: list[pd.DataFrame] = []
    fails_all: list[pd.DataFrame] = []
    raw_all: list[pd.DataFrame] = []
    sources: list[dict[str, Any]] = []
    for spec, path in files:
        if spec.dialect == "form" or (spec.dialect == "auto" and path.is_file() and is_form(path)):
            for form_path in form_paths(path, lang):
                raw = read_form(form_path, max_bytes=limit, lang=cast(Lang, lang))
                info = dict(raw.attrs.get("source_info", {}) or {})
                changed = check_form(info["form"], edition, q, form_path.name, lang)
                parsed, fails, raw_c = validate_table(
                    raw,
                    q,
                    source=spec.source,
                    file=form_path.name,
                    salt=edition.pseudonym_salt,
                    dialect="form",
                    mapping=spec.mapping,
                    decimal=spec.decimal,
                    lang=lang,
                )
                if changed:
                    extra = failure_frame([form_changed_row(spec.source, form_path.name, q, lang)])
                    fails = pd.concat([fails, extra], ignore_index=True) if len(fails) else extra
                parsed_all.append(parsed)
                fails_all.append(fails)
                raw_all.append(raw_c)
                sources.append(
                    {
                        "source": spec.source,
                        "file": form_path.name,
                        "dialect": "form",
                        "rows": len(raw),
                        "encoding": None,
                        "delimiter": None,
                        "format": "xlsx",
                        "sha256": info.get("sha256"),
                    }
                )
            continue
        raw = read_table(path, sheet=spec.sheet, max_bytes=limit, lang=cast(Lang, lang))
        info = dict(raw.attrs.get("source_info", {}) or {})
        parsed, fails, raw_c = validate_table(
            raw,
            q,
            source=spec.source,
            file=path.name,
            salt=edition.pseudonym_salt,
            dialect=spec.dialect,
            mapping=spec.mapping,
            decimal=spec.decimal,
            lang=lang,
        )
        parsed_all.append(parsed)
        fails_all.append(fails)
        raw_all.append(raw_c)
        sources.append(
            {
                "source": spec.source,
                "file": path.name,
                "dialect": spec.dialect,
                "rows": len(raw),
                "encoding": info.get("encoding"),
                "delimiter": info.get("delimiter"),
                "format": info.get("format"),
                "sha256": info.get("sha256"),
            }
        )
    return _finish(edition, q, parsed_all, fails_all, raw_all, sources, lang)


def _finish(
    edition: Edition,
    q: Questionnaire,
    parsed_all: list[pd.DataFrame],
    fails_all: list[pd.DataFrame],
    raw_all: list[pd.DataFrame],
    sources: list[dict[str, Any]],
    lang: str,
) -> ValidationReport:
    """Decide across all files (duplicate submissions, size categories), then build the report."""
    edition = with_roles(edition, q)
    q.require_role("organisation_name")  # duplicates are found and quarantined rows named by it
    name_column = q.role_columns("organisation_name")[0]
    entries = pd.concat(parsed_all, ignore_index=True) if parsed_all else pd.DataFrame()
    raw = pd.concat(raw_all, ignore_index=True) if raw_all else pd.DataFrame()
    failures = (
        pd.concat([f for f in fails_all if len(f)], ignore_index=True)
        if any(len(f) for f in fails_all)
        else failure_frame([])
    )
    col = Collector(lang)
    if len(entries):
        _duplicates(entries, name_column, form_files(parsed_all, sources, len(entries)), col)
        _categories(entries, raw, failures, edition, col)
    extra = col.frame()
    if len(extra):
        failures = pd.concat([failures, extra], ignore_index=True)
    if len(failures):
        failures = failures.astype({ROW: "Int64"})
    return build_report(entries, raw, failures, name_column=name_column, sources=sources, lang=lang)


def _duplicates(entries: pd.DataFrame, name_column: str, form_file_of: np.ndarray, col: Collector) -> None:
    """The same organisation more than once (across all files): keep the latest, report the others."""
    # entries has a RangeIndex (concatenated with ignore_index): label and position agree
    lang = col.lang
    source_of = entries[SOURCE].to_numpy()
    row_of = entries[ROW].to_numpy()
    entry_of = entries[ENTRY_ID].to_numpy()
    name_of = entries[name_column].to_numpy()
    names = pd.Series(per_value(name_of, _norm_name), index=entries.index, dtype=object)
    has_name = names != ""
    order = (
        entries[[SUBMITDATE]]
        .assign(_n=names, _pos=np.arange(len(entries)))
        .sort_values([SUBMITDATE, "_pos"], na_position="first", kind="mergesort")
    )
    latest = order[has_name.loc[order.index]].groupby("_n", sort=False).tail(1)
    keep_by_name = dict(zip(latest["_n"], latest.index, strict=True))
    named = np.flatnonzero(has_name.to_numpy())
    keep = np.array([keep_by_name[n] for n in names.to_numpy()[named]], dtype=np.int64)
    item = name_column.split("[")[0]
    for i, k in zip(named[keep != named], keep[keep != named], strict=True):
        # a form's row number says nothing without its workbook (every form has its answers in row 2)
        kept = (
            t("intake.kept_file", lang, source=source_of[k], file=form_file_of[k])
            if form_file_of[k]
            else t("intake.kept_row", lang, source=source_of[k], row=row_of[k])
        )
        col.add(
            "duplicate_submission",
            source=source_of[i],
            rows=[row_of[i]],
            entry_ids=[entry_of[i]],
            item=item,
            column=name_column,
            values=[name_of[i]],
            severity="error",
            name=name_of[i],
            kept=kept,
            where=t("intake.where_file", lang, file=form_file_of[i]) if form_file_of[i] else "",
        )


def _categories(
    entries: pd.DataFrame, raw: pd.DataFrame, failures: pd.DataFrame, edition: Edition, col: Collector
) -> None:
    """Assign the size categories (a column of ``entries``) and report every entry without one."""
    lang = col.lang
    cats = assign_categories(entries, edition.category_scheme)
    entries[CATEGORY] = cats[CATEGORY].to_numpy()
    basis = str(edition.category_scheme.basis)
    item = basis.split("[")[0]
    basis_bad = (
        set(failures.loc[(failures[SEVERITY] == "error") & (failures[ITEM] == item), ENTRY_ID])
        if len(failures)
        else set()
    )
    source_of = entries[SOURCE].to_numpy()
    row_of = entries[ROW].to_numpy()
    entry_of = entries[ENTRY_ID].to_numpy()
    und = np.flatnonzero(cats[CATEGORY].isna().to_numpy())
    why_of = cats[CATEGORY_REASON].to_numpy()
    basis_raw = raw[basis].to_numpy()
    for i in und:
        if entry_of[i] in basis_bad:
            continue  # the headcount problem is already reported; its consequence needs no second line
        col.add(
            "category_undecidable",
            source=source_of[i],
            rows=[row_of[i]],
            entry_ids=[entry_of[i]],
            item=item,
            column=basis,
            values=[basis_raw[i]],
            severity="error",
            why=t(f"intake.why_{why_of[i]}", lang),
        )
