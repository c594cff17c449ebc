"""Feedback letters: one self-contained HTML page per participant (German by default).

A letter shows the participant's own section scores against their category — only as the mean of the *other*
participants of that category, and only when there are at least :data:`MIN_OTHERS` of them, so that no other
participant's values can be read or worked out — then strengths, areas for improvement and legal duties to
check, all from the participant's own data, and the outcome. Every text is escaped.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from vielfalt.runs.manifest import read_artefact

__all__ = ["MIN_OTHERS", "Letter", "build_letter", "letter_data", "write_letters"]

#: Fewest other participants in a category for their mean to be shown (DOMAIN.md §6.1: cells < 3).
MIN_OTHERS = 3

_T = {
    "de": {
        "title": "Rückmeldung zu Ihrer Teilnahme",
        "hello": "Sehr geehrte Damen und Herren,",
        "thanks": "vielen Dank für Ihre Teilnahme am Wettbewerb „{title}“. Hier finden Sie die Auswertung Ihres "
        "Teilnahmebogens in der Kategorie „{category}“.",
        "awarded": "Die Jury hat Ihnen das Label „{title}“ verliehen. Herzlichen Glückwunsch!",
        "not_awarded": "In diesem Jahr hat die Jury Ihnen kein Label verliehen. Die folgenden Hinweise sollen "
        "Ihnen helfen, Ihre Arbeit für Vielfalt weiterzuentwickeln.",
        "profile": "Ihr Profil nach Abschnitten",
        "section": "Abschnitt",
        "yours": "Ihre Punkte (0–100)",
        "mean": "Mittel der übrigen Teilnehmenden Ihrer Kategorie",
        "no_mean": "Vergleichswerte werden erst ab {n} weiteren Teilnehmenden einer Kategorie gezeigt.",
        "mean_note": "Vergleich: Mittel der übrigen {n} Teilnehmenden Ihrer Kategorie.",
        "total": "Gesamtpunkte",
        "strengths": "Stärken",
        "improve": "Ansatzpunkte für die Weiterentwicklung",
        "legal": "Bitte prüfen Sie diese gesetzlichen Pflichten",
        "visit": "Betriebsbesuch",
        "visit_text": "Beim Besuch wurden {n} Angaben geprüft: {c} bestätigt, {p} teilweise, {r} nicht bestätigt.",
        "carried": "Besonders viele Punkte brachten: {items}.",
        "unused": "Noch nicht genutzt oder nicht angegeben: {items}.",
        "above": "{section}: deutlich über dem Mittel Ihrer Kategorie",
        "high": "{section}: {score} Punkte",
        "below": "{section}: unter dem Mittel Ihrer Kategorie",
        "low": "{section}: {score} Punkte",
        "privacy": "Dieses Schreiben enthält nur Ihre eigenen Angaben und zusammengefasste Werte Ihrer "
        "Kategorie; es nennt keine anderen Teilnehmenden.",
        "regards": "Mit freundlichen Grüßen",
        "sender": "Das Auswertungsteam",
        "entry": "Ihr Eintrag",
    },
    "en": {
        "title": "Feedback on your participation",
        "hello": "Dear Sir or Madam,",
        "thanks": "thank you for taking part in '{title}'. Here is the evaluation of your form in the category "
        "'{category}'.",
        "awarded": "The jury has awarded you the label '{title}'. Congratulations!",
        "not_awarded": "This year the jury did not award you a label. The notes below are meant to help you "
        "develop your work for diversity.",
        "profile": "Your profile by section",
        "section": "Section",
        "yours": "Your points (0–100)",
        "mean": "Mean of the other participants in your category",
        "no_mean": "Comparisons are shown only with at least {n} other participants in a category.",
        "mean_note": "Comparison: mean of the other {n} participants in your category.",
        "total": "Total",
        "strengths": "Strengths",
        "improve": "Where to develop further",
        "legal": "Please check these legal duties",
        "visit": "Site visit",
        "visit_text": "The visit checked {n} claims: {c} confirmed, {p} partly, {r} not confirmed.",
        "carried": "Most points came from: {items}.",
        "unused": "Not yet used or not stated: {items}.",
        "above": "{section}: clearly above your category's mean",
        "high": "{section}: {score} points",
        "below": "{section}: below your category's mean",
        "low": "{section}: {score} points",
        "privacy": "This letter holds only your own answers and summary values of your category; it names no "
        "other participant.",
        "regards": "Kind regards",
        "sender": "The evaluation team",
        "entry": "Your entry",
    },
}


@dataclass
class Letter:
    """The content of one letter (own data and category means only)."""

    entry_id: str
    name: str
    category: str
    awarded: bool
    sections: list[tuple[str, float, float | None]]  # (label, own score, mean of others or None)
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
    visits: pd.DataFrame | None = None,
    option_labels: dict[str, str] | None = None,
    lang: str = "de",
) -> Letter:
    """Collect what one participant's letter says; nothing of another participant enters except a mean."""
    from vielfalt.scoring.items import FLAG_LABELS

    t = _T[lang]
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
            strengths.append(t["above"].format(section=section_labels.get(s, s)))
        elif own >= 50:
            strengths.append(t["high"].format(section=section_labels.get(s, s), score=f"{own:.0f}"))
    for s in reversed(ranked[-2:]):
        own = float(final.at[entry_id, f"{s}_post"])
        if show_mean and diffs[s] < -5:
            improvements.append(t["below"].format(section=section_labels.get(s, s)))
        elif own < 50:
            improvements.append(t["low"].format(section=section_labels.get(s, s), score=f"{own:.0f}"))
    own_c = contributions.loc[entry_id].dropna().sort_values(ascending=False)
    top = [labels.get(k, k) for k, v in own_c.head(3).items() if v > 0]
    if top:
        strengths.append(t["carried"].format(items=", ".join(top)))
    own_i = indicators.loc[entry_id]
    zeros = [labels.get(k, k) for k, v in own_i.items() if not pd.isna(v) and v == 0]
    if zeros:
        improvements.append(t["unused"].format(items=", ".join(zeros[:5])))
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
        visit = t["visit_text"].format(n=v["n_checks"], c=v["n_confirmed"], p=v["n_partly"], r=v["n_refuted"])
    return Letter(
        entry_id=entry_id,
        name=str(entries.at[entry_id, "A01"]),
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


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _bar(value: float | None, colour: str) -> str:
    if value is None:
        return ""
    w = max(0.0, min(100.0, value))
    return f'<span class="bar" style="width:{w:.1f}%;background:{colour}"></span>'


def build_letter(letter: Letter, *, title: str, edition: str, lang: str = "de") -> str:
    """One letter as self-contained HTML (no script, no external resource)."""
    t = _T[lang]
    rows = []
    for label, own, mean in letter.sections:
        rows.append(
            "<tr>"
            f"<th scope='row'>{_e(label)}</th>"
            f"<td><span class='num'>{own:.0f}</span>{_bar(own, '#1f5fa8')}</td>"
            + (
                f"<td><span class='num'>{mean:.0f}</span>{_bar(mean, '#9aa5b1')}</td>"
                if mean is not None
                else "<td>–</td>"
            )
            + "</tr>"
        )

    def items(xs: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{_e(x)}</li>" for x in xs) + "</ul>" if xs else "<p>–</p>"

    note = (
        t["mean_note"].format(n=letter.others)
        if letter.others >= MIN_OTHERS
        else t["no_mean"].format(n=MIN_OTHERS)
    )
    outcome = t["awarded"] if letter.awarded else t["not_awarded"]
    css = (
        "body{font-family:Georgia,'Times New Roman',serif;color:#1d2733;max-width:46rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.45}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}"
        "table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d9e0e7;padding:4px 6px;"
        "text-align:left;vertical-align:middle}td{width:35%}.bar{display:inline-block;height:.7rem;"
        "margin-left:.5rem;vertical-align:middle;max-width:70%}.num{display:inline-block;width:2.2rem;"
        "text-align:right}.muted{color:#5b6b7b;font-size:.9rem}"
    )
    legal = f"<h2>{_e(t['legal'])}</h2>{items(letter.legal)}" if letter.legal else ""
    visit = f"<h2>{_e(t['visit'])}</h2><p>{_e(letter.visit)}</p>" if letter.visit else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{_e(t['title'])} – {_e(letter.name)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f"<p class='muted'>{_e(title)} · {_e(t['entry'])} {_e(letter.entry_id)}</p>\n"
        f"<h1>{_e(t['title'])}: {_e(letter.name)}</h1>\n"
        f"<p>{_e(t['hello'])}</p>\n<p>{_e(t['thanks'].format(title=title, category=letter.category))}</p>\n"
        f"<p><strong>{_e(outcome.format(title=title))}</strong></p>\n"
        f"<h2>{_e(t['profile'])}</h2>\n<table><thead><tr><th>{_e(t['section'])}</th><th>{_e(t['yours'])}</th>"
        f"<th>{_e(t['mean'])}</th></tr></thead><tbody>{''.join(rows)}"
        f"<tr><th scope='row'>{_e(t['total'])}</th><td><span class='num'><strong>{letter.total:.0f}</strong>"
        f"</span></td><td></td></tr></tbody></table>\n<p class='muted'>{_e(note)}</p>\n"
        f"<h2>{_e(t['strengths'])}</h2>{items(letter.strengths)}\n"
        f"<h2>{_e(t['improve'])}</h2>{items(letter.improvements)}\n{legal}{visit}\n"
        f"<p>{_e(t['regards'])}<br>{_e(t['sender'])}</p>\n<p class='muted'>{_e(t['privacy'])}</p>\n"
        f"<p class='muted'>vielfalt · {_e(edition)}</p>\n</body>\n</html>\n"
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
