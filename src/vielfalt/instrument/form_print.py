"""The printable Teilnahmebogen: one self-contained HTML page for paper returns, and its PDF.

:func:`write_form_html` renders ``templates/form.html.j2`` (jinja2, autoescaped; the CSS of
``templates/form.css`` inlined, so the page stays one file); :func:`write_form_pdf` prints that page with
Debian's ``chromium`` when it is installed.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import jinja2

from vielfalt._params import Options, validate_params
from vielfalt.config.edition import Edition
from vielfalt.config.questionnaire import Item, Questionnaire
from vielfalt.exceptions import ConfigError
from vielfalt.i18n import t
from vielfalt.instrument._codes import LANGS, Lang, number_rule

__all__ = ["find_browser", "form_html", "write_form_html", "write_form_pdf"]

_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


@dataclass(frozen=True)
class _Choice:
    """A box to tick: its text and the code the institute keys in (none for yes/no)."""

    label: str
    code: str | None = None


@dataclass(frozen=True)
class _Row:
    """A row of a table of parts: the response column, its label, and for numbers the rule."""

    code: str
    label: str
    required: bool = False
    rule: str = ""


@dataclass(frozen=True)
class _PrintItem:
    """One item as the page shows it; ``kind`` picks the template's block."""

    code: str
    label: str
    required: bool
    help: str
    kind: str  # lines | choices | numbers | array | multitext
    lines: int = 0
    hint: str = ""
    options: list[_Choice] = field(default_factory=list)
    other: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)


@dataclass(frozen=True)
class _PrintSection:
    id: str
    label: str
    items: list[_PrintItem]


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("vielfalt", "instrument/templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _example_code(q: Questionnaire) -> str:
    """A response code to show as an example: the first part of an item with parts, else the first item."""
    for _, it in q.iter_items():
        if it.subs:
            return f"{it.id}[{it.subs[0].code}]"
    return next((it.id for _, it in q.iter_items()), "")


def _print_item(it: Item, q: Questionnaire, lang: str) -> _PrintItem:
    """The template's view of one item: ruled lines, boxes to tick, number boxes or a table of parts."""
    head = _PrintItem(
        code=it.id,
        label=it.label.get(lang),
        required=it.required,
        help=it.help.get(lang) if it.help else "",
        kind="lines",
    )
    if it.type == "text":
        n = 1 if not it.maxlen else max(1, min(12, math.ceil(it.maxlen / 110)))
        return replace(head, lines=n)
    if it.type in ("single", "multi", "yesno"):
        if it.type == "yesno":
            options = [_Choice(t("instrument.form_yes", lang)), _Choice(t("instrument.form_no", lang))]
        else:
            options = [_Choice(o.label.get(lang), o.code) for o in q.options_of(it)]
        hint = t("instrument.several" if it.type == "multi" else "instrument.print_one", lang)
        other = t("instrument.form_other", lang) if it.other else ""
        return replace(head, kind="choices", hint=hint, options=options, other=other)
    if it.type in ("numeric", "multinumeric"):
        if it.subs:
            rows = [
                _Row(
                    f"{it.id}[{s.code}]",
                    s.label.get(lang),
                    s.required,
                    number_rule(s.integer, s.min, s.max, lang),
                )
                for s in it.subs
            ]
        else:
            rows = [_Row(it.id, "", False, number_rule(it.integer, it.min, it.max, lang))]
        return replace(head, kind="numbers", rows=rows)
    rows = [_Row(f"{it.id}[{s.code}]", s.label.get(lang)) for s in it.subs or []]
    if it.type == "array":
        return replace(head, kind="array", columns=[o.label.get(lang) for o in q.options_of(it)], rows=rows)
    return replace(head, kind="multitext", rows=rows)


@validate_params({"lang": [Options(LANGS)]})
def form_html(q: Questionnaire, *, edition: Edition, lang: Lang = "de") -> str:
    """Return the printable Teilnahmebogen as one self-contained HTML page (see :func:`write_form_html`).

    Parameters
    ----------
    q : Questionnaire
        The instrument.
    edition : Edition
        Its id and title are on the form.
    lang : {"de", "en"}, default "de"
        Language of the page.

    Returns
    -------
    str
        The page.
    """
    title = f"{t('instrument.form_title', lang)} {edition.title.get(lang)}"
    version = {"edition": edition.edition, "qid": q.meta.id, "version": q.meta.version}
    sections = [
        _PrintSection(sec.id, sec.label.get(lang), [_print_item(it, q, lang) for it in sec.items])
        for sec in q.sections
    ]
    return (
        _environment()
        .get_template("form.html.j2")
        .render(
            lang=lang,
            title=title,
            meta=t("instrument.print_meta", lang, **version),
            notes=q.meta.notes.get(lang) if q.meta.notes else "",
            intro=t("instrument.print_intro", lang, example=_example_code(q)),
            sections=sections,
            date=t("instrument.print_date", lang),
            footer=t("instrument.print_footer", lang, **version, sha=(q.sha256() or "")[:12]),
        )
    )


@validate_params({"lang": [Options(LANGS)]})
def write_form_html(q: Questionnaire, path: str | Path, *, edition: Edition, lang: Lang = "de") -> Path:
    """Write the printable Teilnahmebogen as one self-contained HTML page (A4 print layout).

    Every text is HTML-escaped (jinja2's autoescape). Each section starts on a new printed page; options are
    boxes to tick, numbers boxes, free texts ruled lines in proportion to their length limit, and every
    answer shows its response code so the institute can key it in (or scan it) under the instrument's
    column names.

    Parameters
    ----------
    q : Questionnaire
        The instrument.
    path : str or Path
        The page to write.
    edition : Edition
        Its id and title are on the form.
    lang : {"de", "en"}, default "de"
        Language of the page.

    Returns
    -------
    Path
        The page written.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(form_html(q, edition=edition, lang=lang), encoding="utf-8")
    return p


def find_browser() -> str | None:
    """Return the path of an installed Chromium/Chrome (Debian's ``chromium`` first), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@validate_params({"lang": [Options(LANGS)]})
def write_form_pdf(
    q: Questionnaire,
    path: str | Path,
    *,
    edition: Edition,
    lang: Lang = "de",
    browser: str | None = None,
    timeout: float = 120.0,
) -> Path:
    """Print the HTML form to PDF with a headless Chromium (Debian's ``chromium`` package).

    Nothing is downloaded: the browser must already be installed. The PDF's creation and modification
    dates are set to a fixed value (same length, so the file's cross-references stay valid).

    Parameters
    ----------
    q : Questionnaire
        The instrument.
    path : str or Path
        The PDF to write.
    edition : Edition
        Its id and title are on the form.
    lang : {"de", "en"}, default "de"
        Language of the form and of messages.
    browser : str, optional
        Path of the browser; default :func:`find_browser`.
    timeout : float, default 120
        Seconds to wait for the browser.

    Returns
    -------
    Path
        The PDF written.

    Raises
    ------
    ConfigError
        When no browser is installed or it fails (the message says to use ``--to html``).
    """
    exe = browser or find_browser()
    if exe is None:
        raise ConfigError(t("instrument.no_browser", lang))
    p = Path(path).resolve()
    p.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vielfalt-pdf-") as tmp:
        page = write_form_html(q, Path(tmp) / "form.html", edition=edition, lang=lang)
        out = Path(tmp) / "form.pdf"
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--no-first-run",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ConfigError(t("instrument.pdf_failed", lang, error=err)) from err
        if not out.is_file() or not out.read_bytes().startswith(b"%PDF"):
            tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [
                f"exit {proc.returncode}"
            ]
            raise ConfigError(t("instrument.pdf_failed", lang, error=tail[0]))
        data = _PDF_DATE.sub(
            lambda m: b"/" + m.group(1) + b" (D:20000101000000" + m.group(3) + b")", out.read_bytes()
        )
    p.write_bytes(data)
    return p
