"""Feedback letters: one self-contained HTML page per participant (German by default).

A letter shows the participant's own section scores against their category — only as the mean of the *other*
participants of that category, and only when there are at least :data:`MIN_OTHERS` of them, so that no other
participant's values can be read or worked out — then strengths, areas for improvement and legal duties to
check, all from the participant's own data, and the outcome. The page is rendered from the jinja2 template
``outputs/templates/letter.html.j2`` with autoescape (every text is escaped) and its stylesheet
``letter.css`` inlined, so each letter is one file that needs nothing else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from vielfalt.i18n import t
from vielfalt.runs.manifest import read_artefact

__all__ = ["MIN_OTHERS", "Letter", "build_letter", "letter_data", "write_letters"]

#: Fewest other participants in a category for their mean to be shown (DOMAIN.md §6.1: cells < 3).
MIN_OTHERS = 3

#: The fixed texts of a letter (catalogue keys ``outputs.letter_<name>``), handed to the template as ``text``.
_TEXTS = (
    "title", "hello", "profile", "section", "yours", "mean", "total", "strengths", "improve", "legal",
    "visit", "privacy", "regards", "sender", "entry",
)  # fmt: skip


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("vielfalt", "outputs/templates"),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


@dataclass
class Letter:
    """The content of one letter (own data and category means only).

    Attributes
    ----------
    entry_id, name, category : str
        The participant's pseudonym, organisation name and category label.
    awarded : bool
        Whether the jury awarded the label.
    sections : list of (label, own score, mean of the others or None)
        The profile by section.
    total : float
        The final total.
    others : int
        How many other participants the category has.
    strengths, improvements, legal : list of str
        Sentences for the three lists.
    visit : str or None
        What the site visit found (None when not visited).
    """

    entry_id: str
    name: str
    category: str
    awarded: bool
    sections: list[tuple[str, float, float | None]]
    total: float
    others: int
    strengths: list[str]
    improvements: list[str]
    legal: list[str]
    visit: str | None


def letter_data(
    entry_id: str,
    *,
    final: pd.DataFrame,
    entries: pd.DataFrame,
    awards: pd.DataFrame,
    contributions: pd.DataFrame,
    indicators: pd.DataFrame,
    flags: pd.DataFrame,
    labels: dict[str, str],
    section_labels: dict[str, str],
    category_label: str,
    name_column: str,
    visits: pd.DataFrame | None = None,
    option_labels: dict[str, str] | None = None,
    lang: str = "de",
) -> Letter:
    """Collect what one participant's letter says; nothing of another participant enters except a mean.

    Parameters
    ----------
    entry_id : str
        The participant.
    final : DataFrame
        ``jury/final_scores`` (``category``, ``<S>_post`` per section, ``total_post``).
    entries : DataFrame
        The accepted entries (the organisation's name).
    awards : DataFrame
        ``close/awards`` (``awarded``).
    contributions, indicators, flags : DataFrame
        ``scoring/contributions``, ``scoring/indicators_raw`` and ``scoring/flags``.
    labels : dict
        Indicator and section code → readable name.
    section_labels : dict
        Section id → readable name.
    category_label : str
        The category's label in ``lang``.
    name_column : str
        The response column with the organisation's name (the questionnaire's ``organisation_name`` role).
    visits : DataFrame, optional
        ``jury/visits`` (counts of the checks).
    option_labels : dict, optional
        ``"<item>:<option>"`` → label, for legal duties.
    lang : {"de", "en"}, default "de"
        Language of the sentences.

    Returns
    -------
    Letter
        What the letter says.
    """
    from vielfalt.scoring.items import FLAG_LABELS

    def say(key: str, **values: object) -> str:
        return t(f"outputs.letter_{key}", lang, **values)

    cat = final.at[entry_id, "category"]
    others = final[(final["category"] == cat) & (final.index != entry_id)]
    show_mean = len(others) >= MIN_OTHERS
    secs = [c.removesuffix("_post") for c in final.columns if c.endswith("_post") and c != "total_post"]
    rows = []
    diffs = {}
    for s in secs:
        own = float(final.at[entry_id, f"{s}_post"])
        if np.isnan(own):
            continue
        mean = float(others[f"{s}_post"].mean()) if show_mean else None
        rows.append((section_labels.get(s, s), own, mean))
        diffs[s] = own - mean if mean is not None else own - 50.0
    ranked = sorted(diffs, key=lambda s: (-diffs[s], s))
    strengths, improvements = [], []
    for s in ranked[:2]:
        own = float(final.at[entry_id, f"{s}_post"])
        if show_mean and diffs[s] > 5:
            strengths.append(say("above", section=section_labels.get(s, s)))
        elif own >= 50:
            strengths.append(say("high", section=section_labels.get(s, s), score=f"{own:.0f}"))
    for s in reversed(ranked[-2:]):
        own = float(final.at[entry_id, f"{s}_post"])
        if show_mean and diffs[s] < -5:
            improvements.append(say("below", section=section_labels.get(s, s)))
        elif own < 50:
            improvements.append(say("low", section=section_labels.get(s, s), score=f"{own:.0f}"))
    own_c = contributions.loc[entry_id].dropna().sort_values(ascending=False)
    top = [labels.get(k, k) for k, v in own_c.head(3).items() if v > 0]
    if top:
        strengths.append(say("carried", items=", ".join(top)))
    own_i = indicators.loc[entry_id]
    zeros = [labels.get(k, k) for k, v in own_i.items() if not pd.isna(v) and v == 0]
    if zeros:
        improvements.append(say("unused", items=", ".join(zeros[:5])))
    legal = []
    if entry_id in flags.index:
        for k, v in flags.loc[entry_id].items():
            key = str(k).split(":")[0]
            if bool(v) and key in ("legal_gap", "sgb9_quota"):
                what = FLAG_LABELS[key][lang]
                parts = str(k).split(":")
                detail = (
                    (option_labels or {}).get(":".join(parts[1:]), labels.get(parts[1], parts[1]))
                    if len(parts) > 1
                    else ""
                )
                legal.append(f"{what}" + (f": {detail}" if detail else ""))
    visit = None
    if visits is not None and entry_id in visits.index:
        v = visits.loc[entry_id]
        visit = say("visit_text", n=v["n_checks"], c=v["n_confirmed"], p=v["n_partly"], r=v["n_refuted"])
    return Letter(
        entry_id=entry_id,
        name=str(entries.at[entry_id, name_column]),
        category=category_label,
        awarded=bool(awards.at[entry_id, "awarded"]) if entry_id in awards.index else False,
        sections=rows,
        total=float(final.at[entry_id, "total_post"]),
        others=len(others),
        strengths=strengths,
        improvements=improvements,
        legal=sorted(dict.fromkeys(legal)),
        visit=visit,
    )


def build_letter(letter: Letter, *, title: str, edition: str, lang: str = "de") -> str:
    """One letter as self-contained HTML (no script, no external resource), every text escaped.

    Parameters
    ----------
    letter : Letter
        What the letter says (:func:`letter_data`).
    title : str
        The competition's title in ``lang``.
    edition : str
        The edition id (in the footer).
    lang : {"de", "en"}, default "de"
        Language of the fixed texts.

    Returns
    -------
    str
        The HTML page.
    """
    enough = letter.others >= MIN_OTHERS
    return (
        _environment()
        .get_template("letter.html.j2")
        .render(
            lang=lang,
            letter=letter,
            title=title,
            edition=edition,
            text={key: t(f"outputs.letter_{key}", lang) for key in _TEXTS},
            thanks=t("outputs.letter_thanks", lang, title=title, category=letter.category),
            outcome=(
                t("outputs.letter_awarded", lang, title=title)
                if letter.awarded
                else t("outputs.letter_not_awarded", lang)
            ),
            note=(
                t("outputs.letter_mean_note", lang, n=letter.others)
                if enough
                else t("outputs.letter_no_mean", lang, n=MIN_OTHERS)
            ),
        )
    )


def write_letters(
    project_root: str | Path,
    edition: str,
    run_dir: str | Path,
    *,
    awards: pd.DataFrame,
    lang: str | None = None,
) -> dict[str, Path]:
    """Write ``<run_dir>/letters/brief_<entry_id>.html`` for every accepted entry; returns entry → path."""
    from vielfalt.config.edition import load_context

    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    final = read_artefact(run_dir, "jury/final_scores", produced_by="jury")
    entries = read_artefact(run_dir, "intake/entries", produced_by="intake")
    contributions = read_artefact(run_dir, "scoring/contributions", produced_by="scoring")
    indicators = read_artefact(run_dir, "scoring/indicators_raw", produced_by="scoring")
    flags = read_artefact(run_dir, "scoring/flags", produced_by="scoring")
    hierarchy = read_artefact(run_dir, "scoring/hierarchy", produced_by="scoring")
    visits = read_artefact(run_dir, "jury/visits", produced_by="jury")
    labels = dict(zip(hierarchy["code"], hierarchy["label"], strict=True))
    secs = [c.removesuffix("_post") for c in final.columns if c.endswith("_post") and c != "total_post"]
    section_labels = {s: labels.get(s, s) for s in secs}
    option_labels = {
        f"{it.id}:{o.code}": o.label.get(lang) for _, it in q.iter_items() for o in q.options_of(it)
    }
    name_column = q.require_role("organisation_name")
    out_dir = run_dir / "letters"
    out_dir.mkdir(parents=True, exist_ok=True)
    title = ed.title.get(lang)
    written = {}
    for e in sorted(final.index):
        letter = letter_data(
            e,
            final=final,
            entries=entries,
            awards=awards,
            contributions=contributions,
            indicators=indicators,
            flags=flags,
            labels=labels,
            section_labels=section_labels,
            category_label=ed.category_scheme.label(str(final.at[e, "category"]), lang),
            name_column=name_column,
            visits=visits,
            option_labels=option_labels,
            lang=lang,
        )
        path = out_dir / f"brief_{e}.html"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(build_letter(letter, title=title, edition=ed.edition, lang=lang), encoding="utf-8")
        os.replace(tmp, path)
        written[e] = path
    return written
