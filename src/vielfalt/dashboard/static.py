"""One self-contained HTML file for the jury: no Python, no network, no widgets (NOTEBOOKS.md §1.8).

The page holds plotly.js once (inlined from the installed plotly), the figures as JSON (built by
:mod:`vielfalt.dashboard.figures`, drawn on demand), a sortable and filterable shortlist table with a little
dependency-free JavaScript, entry profiles, a comparison of two or three entries, the site-visit changes,
the evaluators' notes and conflict marks. The HTML comes from the jinja2 template
``dashboard/templates/jury.html.j2`` with autoescape, so every company or evaluator text is escaped where
it appears; the page's CSS and JS are the files ``dashboard/static/jury.css`` and ``jury.js``, inlined by the
template. JSON inside ``<script>`` goes through :func:`script_json` (``<``, ``>``, ``&`` and the JavaScript
line separators written as ``\\u`` escapes), so no text can close the script or inject markup.

The page is a pure function of the :class:`~vielfalt.dashboard.view.JuryView`: its header shows the run id
and the run's start time from the manifest (not the time of writing), and figure ids are derived from the
data, so the same run always gives the same bytes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.io as pio
from markupsafe import Markup

from vielfalt.dashboard import figures
from vielfalt.dashboard._render import environment, script_json
from vielfalt.dashboard.figures import PLOTLY_CONFIG
from vielfalt.dashboard.figures.jury import entry_label, post_sections
from vielfalt.dashboard.view import TABLE_COLUMNS, JuryView
from vielfalt.i18n import t

__all__ = ["build_jury_html", "script_json", "write_jury_html"]

#: The page's words: template name → catalogue key.
_TEXT = {
    "title": "dashboard.page_title",
    "edition": "dashboard.page_edition",
    "run": "dashboard.page_run",
    "generated": "dashboard.page_generated",
    "confidential": "dashboard.page_confidential",
    "category": "dashboard.category",
    "juror": "dashboard.juror",
    "all": "dashboard.page_all",
    "filter": "dashboard.page_filter",
    "filter_placeholder": "dashboard.page_filter_placeholder",
    "only_recommended": "dashboard.page_only_recommended",
    "shortlist": "dashboard.page_shortlist",
    "compare": "dashboard.page_compare",
    "compare_hint": "dashboard.page_compare_hint",
    "intervals": "dashboard.intervals",
    "visits": "dashboard.page_visits",
    "profile": "dashboard.page_profile",
    "profile_hint": "dashboard.page_profile_hint",
    "notes": "dashboard.page_notes",
    "no_notes": "dashboard.page_no_notes",
    "visited": "dashboard.page_visited",
    "not_visited": "dashboard.page_not_visited",
    "conflict": "dashboard.conflict",
    "conflict_banner": "dashboard.page_conflict_banner",
    "threshold": "dashboard.page_threshold",
    "rows": "dashboard.page_rows",
    "sort": "dashboard.page_sort",
    "recommendation": "dashboard.recommendation",
    "visit_rating": "dashboard.page_visit_rating",
    "flags": "dashboard.page_flags",
    "why": "dashboard.page_why",
    "status": "dashboard.page_status",
    "checks": "dashboard.page_checks",
    "yes": "common.yes",
    "no": "common.no",
    "none": "common.missing",
}

#: Site-visit selection statuses (``site_visits/candidates``) with a message.
_STATUSES = ("clear", "borderline", "verify", "out")


@dataclass(frozen=True)
class _Cell:
    """A table cell: its sort key (``data-value``) and the text shown."""

    value: str
    text: str


@dataclass(frozen=True)
class _Row:
    """One row of the shortlist table, every value plain text (the template escapes)."""

    entry: str
    category: str
    recommended: int
    recommended_text: str
    recommendation: str
    conflicts: str
    conflicts_text: str
    name: str
    rank: _Cell
    total_pre: _Cell
    total_post: _Cell
    delta: _Cell
    interval: _Cell
    p_topk: _Cell
    visit: str


@dataclass(frozen=True)
class _Detail:
    """One entry's hidden detail block: facts (label, text) and the evaluators' notes."""

    entry: str
    name: str
    facts: list[tuple[str, str]]
    notes: list[str]


def _fig_json(fig: Any) -> dict[str, Any]:
    """A figure as plain JSON with its template left out (the page applies one shared template)."""
    obj = json.loads(pio.to_json(fig, validate=False, pretty=False, remove_uids=True))
    obj.get("layout", {}).pop("template", None)
    return {"data": obj.get("data", []), "layout": obj.get("layout", {})}


def _fmt(value: Any, digits: int = 1) -> str:
    """A value as shown in the page: decimal comma, `digits` places; "–" when missing."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}".replace(".", ",")
    return str(value)


def _num(value: Any) -> str:
    """A sort key for data-value (plain decimal point; empty for missing)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if pd.isna(v) else repr(round(v, 6))


def _str(value: Any) -> str:
    """A value as text; missing (None, ``pd.NA``) is empty."""
    return "" if value is None or value is pd.NA else str(value)


def _rows(view: JuryView, text: dict[str, str], status: dict[str, str]) -> list[_Row]:
    """The shortlist's rows: every entry, category by category, best first."""
    rows = []
    order = [e for c, _ in view.categories for e in view.in_category(c).index]
    for e in order:
        r = view.final.loc[e]
        conflicted = view.conflicted_members(e)
        visit = text["visited"] if bool(r.get("visited", False)) else text["not_visited"]
        state = status.get(str(r.get("status", "")), "")
        rec = bool(r.get("recommended", False))
        interval = f"{_fmt(r.get('Q5'), 0)}–{_fmt(r.get('Q95'), 0)}" if "Q5" in r else "–"
        rows.append(
            _Row(
                entry=_str(e),
                category=_str(r["category"]),
                recommended=1 if rec else 0,
                recommended_text=text["yes"] if rec else text["no"],
                recommendation=_str(r.get("recommendation", "")),
                conflicts=" ".join(conflicted),
                conflicts_text=", ".join(conflicted),
                name=_str(r.get("name", "")),
                rank=_Cell(_num(r.get("rank")), _fmt(r.get("rank"))),
                total_pre=_Cell(_num(r.get("total_pre")), _fmt(r.get("total_pre"))),
                total_post=_Cell(_num(r.get("total_post")), _fmt(r.get("total_post"))),
                delta=_Cell(_num(r.get("delta")), _fmt(r.get("delta"))),
                interval=_Cell(_num(r.get("Median")), interval),
                p_topk=_Cell(_num(r.get("P_topk")), _fmt(r.get("P_topk"), 2)),
                visit=f"{visit} ({state})" if state else visit,
            )
        )
    return rows


def _details(view: JuryView, text: dict[str, str], status: dict[str, str]) -> list[_Detail]:
    """Every entry's detail block (facts and notes), in the order of ``view.final``."""
    out = []
    for e in view.final.index:
        r = view.final.loc[e]
        facts = [
            (text["recommendation"], r.get("recommendation", "")),
            (text["status"], status.get(str(r.get("status", "")), r.get("status", ""))),
            (text["visit_rating"], _fmt(r.get("visit_rating"))),
            (text["checks"], r.get("checks_text", "")),
            (text["flags"], r.get("flags_text", "")),
            (text["why"], r.get("why", "")),
        ]
        out.append(
            _Detail(
                entry=_str(e),
                name=_str(r.get("name", "")),
                facts=[(k, _str(v)) for k, v in facts],
                notes=[_str(n) for n in view.notes.get(e, [])],
            )
        )
    return out


def _figures(view: JuryView) -> dict[str, Any]:
    """The page's figures as JSON: per category its rank intervals, site-visit changes and comparison."""
    labels = view.labels()
    lang = view.lang
    out: dict[str, Any] = {}
    for code, _ in view.categories:
        part = view.in_category(code)
        if not len(part):
            continue
        stats = view.rank_stats[view.rank_stats.index.isin(part.index)]
        if len(stats):
            out[f"ranks:{code}"] = _fig_json(
                figures.category_rank_intervals(stats, labels=labels, k=view.capacity.get(code), lang=lang)
            )
        out[f"visits:{code}"] = _fig_json(figures.site_visit_changes(part, labels=labels, lang=lang))
        out[f"compare:{code}"] = _fig_json(
            figures.compare_entries(
                view.final,
                list(part.index),
                section_labels=view.section_labels,
                labels=labels,
                visible=[],
                lang=lang,
            )
        )
    out.update(_profiles(view, labels))
    return out


def _profiles(view: JuryView, labels: dict[str, str]) -> dict[str, Any]:
    """``profile:<entry>`` → the JSON of :func:`figures.entry_profile`, one plotly build per category.

    Within a category the profiles differ only in the entry's bar (its name and its section scores); the
    category's mean and range, the axes and the layout are the same. So the figure is built with plotly
    once per category and copied with the entry's bar filled in — the same JSON as building each entry's
    figure, without 10³ plotly validations (the jury stage's hot spot at 10³ entries).
    """
    final = view.final
    cols = [f"{s}_post" for s in post_sections(final)]
    shared: dict[Any, dict[str, Any]] = {}
    out: dict[str, Any] = {}
    for e in final.index:
        cat = final.at[e, "category"]
        if cat not in shared:
            fig = figures.entry_profile(
                final, e, section_labels=view.section_labels, labels=labels, lang=view.lang
            )
            shared[cat] = _fig_json(fig)
            out[f"profile:{e}"] = shared[cat]
            continue
        base = shared[cat]
        bar = dict(base["data"][0])
        bar["name"] = entry_label(e, labels)
        bar["y"] = [_json_number(round(float(final.at[e, c]), 1)) for c in cols]
        out[f"profile:{e}"] = {"data": [bar, *base["data"][1:]], "layout": base["layout"]}
    return out


def _json_number(v: float) -> float | None:
    """A float as plotly's JSON has it after a round trip (NaN and ±inf become null)."""
    return None if v != v or v in (float("inf"), float("-inf")) else v


def _asset(name: str) -> Markup:
    """A file of ``dashboard/static`` (the page's own CSS or JS), to be inlined as it is."""
    return Markup((resources.files("vielfalt.dashboard") / "static" / name).read_text(encoding="utf-8"))


def build_jury_html(view: JuryView) -> str:
    """The jury's page as one HTML string (see the module docstring).

    Parameters
    ----------
    view : JuryView

    Returns
    -------
    str
    """
    from plotly.offline import get_plotlyjs
    from plotly.utils import PlotlyJSONEncoder

    lang = view.lang
    text = {name: t(key, lang) for name, key in _TEXT.items()}
    status = {s: t(f"dashboard.status_{s}", lang) for s in _STATUSES}
    figs = _figures(view)
    for code, _ in view.categories:
        if f"compare:{code}" in figs:
            figs[f"compare:{code}"]["ids"] = list(view.in_category(code).index)
    template = json.loads(json.dumps(pio.templates["plotly_white"].to_plotly_json(), cls=PlotlyJSONEncoder))
    meta = {
        "config": PLOTLY_CONFIG,
        "template": template,
        "lang": lang,
        "text": {"rows": text["rows"], "conflict": text["conflict"], "none": text["none"]},
    }
    categories = [
        {"code": c, "label": label, "count": int((view.final["category"] == c).sum())}
        for c, label in view.categories
        if (view.final["category"] == c).any()
    ]
    columns = [
        {"code": code, "kind": kind, "heading": t(f"dashboard.column_{code}", lang)}
        for code, kind in TABLE_COLUMNS.items()
    ]
    return (
        environment()
        .get_template("jury.html.j2")
        .render(
            lang=lang,
            text=text,
            edition=view.edition,
            title=view.title,
            run_id=view.run_id,
            generated=view.generated,
            threshold=_fmt(float(view.threshold), 0),
            categories=categories,
            jury=view.jury,
            columns=columns,
            rows=_rows(view, text, status),
            details=_details(view, text, status),
            figures=figs,
            meta=meta,
            css=_asset("jury.css"),
            js=_asset("jury.js"),
            plotlyjs=Markup(get_plotlyjs()),
        )
    )


def write_jury_html(view: JuryView, path: str | os.PathLike[str]) -> Path:
    """Write :func:`build_jury_html` to `path` (UTF-8, atomically) and return the path.

    Parameters
    ----------
    view : JuryView
    path : str or PathLike

    Returns
    -------
    Path
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.tmp")
    tmp.write_text(build_jury_html(view), encoding="utf-8", newline="\n")
    os.replace(tmp, p)
    return p
