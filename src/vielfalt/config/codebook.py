"""The codebook: the instrument as a readable table of sections, items, columns, answers and scoring rules.

Written by ``vielfalt codebook`` and beside the research archive, as HTML (from a jinja2 template with
autoescape, so no label can inject markup) or Markdown, in German or English.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from vielfalt._params import Options, validate_params
from vielfalt.config.questionnaire import Questionnaire
from vielfalt.i18n import t

__all__ = ["codebook_rows", "write_codebook"]

KEYS = ("section", "item", "columns", "label", "type", "answers", "scoring", "flags")


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("vielfalt", "config/templates"),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def codebook_rows(q: Questionnaire, lang: str = "de") -> list[dict[str, str]]:
    """Return one row per item: section, item, columns, question, type, answers, scoring rule and notes.

    Parameters
    ----------
    q : Questionnaire
        The instrument.
    lang : {"de", "en"}, default "de"
        Language of the labels.

    Returns
    -------
    list of dict
        Keyed by ``section, item, columns, label, type, answers, scoring, flags``.
    """
    duty = t("config.codebook_duty", lang)
    rows = []
    for sec, it in q.iter_items():
        detail = "; ".join(
            f"{o.code} = {o.label.get(lang)}" + (duty if o.baseline else "") for o in q.options_of(it)
        )
        if it.subs:
            detail = "; ".join(f"[{s.code}] {s.label.get(lang)}" for s in it.subs)
        flags = []
        if it.required:
            flags.append(t("config.codebook_required", lang))
        if it.pii:
            flags.append(t("config.codebook_pii", lang))
        if it.special_category:
            flags.append(t("config.codebook_special", lang))
        if it.not_expected_for:
            flags.append(t("config.codebook_not_expected", lang, categories=", ".join(it.not_expected_for)))
        rows.append(
            {
                "section": f"{sec.id} {sec.label.get(lang)}",
                "item": it.id,
                "columns": ", ".join(it.columns()),
                "label": it.label.get(lang),
                "type": t(f"config.type_{it.type}", lang),
                "answers": detail,
                "scoring": t(f"config.rule_{it.scoring.kind}", lang),
                "flags": ", ".join(flags),
            }
        )
    return rows


@validate_params({"lang": [Options({"de", "en"})]})
def write_codebook(q: Questionnaire, path: str | Path, *, lang: str = "de") -> Path:
    """Write the instrument as a readable codebook (``.html`` or ``.md`` by the suffix of ``path``).

    Parameters
    ----------
    q : Questionnaire
        The instrument.
    path : str or Path
        Target file; ``.md``/``.markdown`` gives Markdown, anything else HTML.
    lang : {"de", "en"}, default "de"
        Language of the headings and labels.

    Returns
    -------
    Path
        The file written.
    """
    p = Path(path)
    rows = codebook_rows(q, lang)
    heads = [t(f"config.codebook_head_{k}", lang) for k in KEYS]
    title = t("config.codebook_title", lang, title=q.meta.title.get(lang), version=q.meta.version)
    if p.suffix.lower() in (".md", ".markdown"):
        lines = [f"# {title}", "", "| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
        for r in rows:
            cells = [r[k].replace("|", "\\|").replace("\n", " ") for k in KEYS]
            lines.append("| " + " | ".join(cells) + " |")
        text = "\n".join(lines) + "\n"
    else:
        table = [[r[k] for k in KEYS] for r in rows]
        template = _environment().get_template("codebook.html.j2")
        text = template.render(lang=lang, title=title, heads=heads, rows=table)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p
