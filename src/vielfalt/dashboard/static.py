"""One self-contained HTML file for the jury: no Python, no network, no widgets (NOTEBOOKS.md §1.8).

The page holds plotly.js once (inlined from the installed plotly), the figures as JSON (built by
:mod:`vielfalt.dashboard.figures`, drawn on demand), a sortable and filterable shortlist table with a little
dependency-free JavaScript, entry profiles, a comparison of two or three entries, the site-visit changes,
the evaluators' notes and conflict marks. Every company or evaluator text is escaped with
:func:`html.escape` where it appears in HTML, and JSON inside ``<script>`` has ``<``, ``>`` and ``&``
written as ``\\u003c``, ``\\u003e``, ``\\u0026``, so no text can close the script or inject markup.

The page is a pure function of the :class:`~vielfalt.dashboard.view.JuryView`: its header shows the run id
and the run's start time from the manifest (not the time of writing), and figure ids are derived from the
data, so the same run always gives the same bytes.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.io as pio

from vielfalt.dashboard import figures
from vielfalt.dashboard.view import TABLE_COLUMNS, JuryView

__all__ = ["PLOTLY_CONFIG", "build_jury_html", "script_json", "write_jury_html"]

#: plotly config of every figure on the page (no "Share chart" upload to Plotly Cloud, P21).
PLOTLY_CONFIG = {"showSendToCloud": False, "displaylogo": False, "responsive": True}

_T = {
    "de": {
        "title": "Jury-Dashboard",
        "edition": "Edition",
        "run": "Lauf",
        "generated": "erstellt",
        "confidential": "Vertraulich – nur für die Mitglieder der Jury. Kontaktdaten sind nicht enthalten.",
        "category": "Kategorie",
        "juror": "Ich bin",
        "all": "— alle Einträge zeigen —",
        "filter": "Filter",
        "filter_ph": "Name, Eintrag, Notiz …",
        "only_rec": "nur Empfehlungen",
        "shortlist": "Rangliste und Empfehlung",
        "compare": "Vergleich",
        "compare_hint": "Bis zu drei Einträge in der Spalte „Vergleich“ ankreuzen.",
        "intervals": "Rangintervalle",
        "visits": "Änderungen durch die Betriebsbesuche",
        "profile": "Profil des Eintrags",
        "profile_hint": "Eine Zeile der Tabelle anklicken, um ihr Profil und die Notizen zu sehen.",
        "notes": "Notizen der Gutachtenden",
        "no_notes": "keine Notizen",
        "yes": "ja",
        "no": "nein",
        "visited": "besucht",
        "not_visited": "nicht besucht",
        "conflict": "befangen – ausgeschlossen",
        "conflict_banner": "Sie haben zu diesem Eintrag eine Befangenheit erklärt; er ist für Sie ausgeschlossen.",
        "threshold": "Label-Schwelle",
        "rows": "Einträge",
        "sort": "Zum Sortieren auf eine Spaltenüberschrift klicken.",
        "recommendation": "Empfehlung",
        "visit_rating": "Besuchsbewertung (0–4)",
        "flags": "Hinweise",
        "why": "Getragen von",
        "status": "Status Besuchsauswahl",
        "checks": "Geprüfte Maßnahmen",
        "none": "–",
    },
    "en": {
        "title": "Jury dashboard",
        "edition": "Edition",
        "run": "Run",
        "generated": "generated",
        "confidential": "Confidential – for the members of the jury only. No contact data included.",
        "category": "Category",
        "juror": "I am",
        "all": "— show all entries —",
        "filter": "Filter",
        "filter_ph": "name, entry, note …",
        "only_rec": "recommended only",
        "shortlist": "Ranking and recommendation",
        "compare": "Compare",
        "compare_hint": "Tick up to three entries in the column 'Compare'.",
        "intervals": "Rank intervals",
        "visits": "Changes from the site visits",
        "profile": "Profile of the entry",
        "profile_hint": "Click a row of the table to see its profile and the notes.",
        "notes": "Evaluators' notes",
        "no_notes": "no notes",
        "yes": "yes",
        "no": "no",
        "visited": "visited",
        "not_visited": "not visited",
        "conflict": "conflict – excluded",
        "conflict_banner": "You declared a conflict with this entry; it is excluded for you.",
        "threshold": "label threshold",
        "rows": "entries",
        "sort": "Click a column heading to sort.",
        "recommendation": "Recommendation",
        "visit_rating": "Visit rating (0–4)",
        "flags": "Flags",
        "why": "Carried by",
        "status": "Site-visit selection status",
        "checks": "Measures checked",
        "none": "–",
    },
}

_STATUS = {
    "de": {"clear": "klar vorn", "borderline": "Grenzfall", "verify": "prüfen", "out": "nicht ausgewählt"},
    "en": {"clear": "clear", "borderline": "borderline", "verify": "verify", "out": "not selected"},
}


def script_json(obj: Any) -> str:
    """JSON that is safe inside ``<script>``: ``<``, ``>``, ``&`` and the JS line separators escaped.

    Examples
    --------
    >>> script_json({"name": "</script><b>"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, allow_nan=False, separators=(", ", ": "))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _fig_json(fig: Any) -> dict[str, Any]:
    """A figure as plain JSON with its template left out (the page applies one shared template)."""
    obj = json.loads(pio.to_json(fig, validate=False, pretty=False, remove_uids=True))
    obj.get("layout", {}).pop("template", None)
    return {"data": obj.get("data", []), "layout": obj.get("layout", {})}


def _fmt(value: Any, digits: int = 1) -> str:
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


def _esc(value: Any) -> str:
    return html.escape("" if value is None or value is pd.NA else str(value), quote=True)


def _table(view: JuryView, t: dict[str, str]) -> str:
    lang = view.lang
    heads = [f'<th scope="col" class="nosort">{_esc(t["compare"])}</th>']
    for code, (de, en, kind) in TABLE_COLUMNS.items():
        heads.append(
            f'<th scope="col" data-key="{code}" data-type="{kind}" aria-sort="none" tabindex="0">'
            f"{_esc(de if lang == 'de' else en)}</th>"
        )
    rows = []
    order = [e for c, _ in view.categories for e in view.in_category(c).index]
    for e in order:
        r = view.final.loc[e]
        conflicted = view.conflicted_members(e)
        visit = t["visited"] if bool(r.get("visited", False)) else t["not_visited"]
        status = _STATUS[lang].get(str(r.get("status", "")), "")
        visit_text = f"{visit} ({status})" if status else visit
        rec = bool(r.get("recommended", False))
        interval = f"{_fmt(r.get('Q5'), 0)}–{_fmt(r.get('Q95'), 0)}" if "Q5" in r else "–"
        cells = [
            f'<td><input type="checkbox" class="cmp" value="{_esc(e)}" aria-label="{_esc(t["compare"])} {_esc(e)}"></td>',
            f'<td data-value="{_num(r.get("rank"))}">{_fmt(r.get("rank"))}</td>',
            f'<td data-value="{_esc(e)}"><code>{_esc(e)}</code></td>',
            f'<td data-value="{_esc(r.get("name", ""))}" class="name">{_esc(r.get("name", ""))}</td>',
            f'<td data-value="{_num(r.get("total_pre"))}">{_fmt(r.get("total_pre"))}</td>',
            f'<td data-value="{_num(r.get("total_post"))}"><strong>{_fmt(r.get("total_post"))}</strong></td>',
            f'<td data-value="{_num(r.get("delta"))}">{_fmt(r.get("delta"))}</td>',
            f'<td data-value="{_num(r.get("Median"))}">{_esc(interval)}</td>',
            f'<td data-value="{_num(r.get("P_topk"))}">{_fmt(r.get("P_topk"), 2)}</td>',
            f'<td data-value="{_esc(visit_text)}">{_esc(visit_text)}</td>',
            f'<td data-value="{1 if rec else 0}" title="{_esc(r.get("recommendation", ""))}">'
            f"{_esc(t['yes'] if rec else t['no'])}</td>",
            f'<td data-value="{_esc(" ".join(conflicted))}" class="conf">{_esc(", ".join(conflicted))}</td>',
        ]
        rows.append(
            f'<tr data-entry="{_esc(e)}" data-category="{_esc(r["category"])}" '
            f'data-recommended="{1 if rec else 0}" data-conflicts="{_esc(" ".join(conflicted))}" tabindex="0">'
            + "".join(cells)
            + "</tr>"
        )
    return (
        '<table id="shortlist"><thead><tr>'
        + "".join(heads)
        + "</tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>"
    )


def _details(view: JuryView, t: dict[str, str]) -> str:
    blocks = []
    for e in view.final.index:
        r = view.final.loc[e]
        notes = view.notes.get(e, [])
        note_html = (
            "<ul>" + "".join(f"<li>{_esc(n)}</li>" for n in notes) + "</ul>"
            if notes
            else f"<p class='muted'>{_esc(t['no_notes'])}</p>"
        )
        facts = [
            (t["recommendation"], r.get("recommendation", "")),
            (t["status"], _STATUS[view.lang].get(str(r.get("status", "")), r.get("status", ""))),
            (t["visit_rating"], _fmt(r.get("visit_rating"))),
            (t["checks"], r.get("checks_text", "")),
            (t["flags"], r.get("flags_text", "")),
            (t["why"], r.get("why", "")),
        ]
        dl = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v) or t['none']}</dd>" for k, v in facts)
        blocks.append(
            f'<section class="detail" data-entry="{_esc(e)}" hidden>'
            f'<p class="banner" hidden>{_esc(t["conflict_banner"])}</p>'
            f"<h3>{_esc(r.get('name', ''))} <code>{_esc(e)}</code></h3>"
            f"<dl>{dl}</dl><h4>{_esc(t['notes'])}</h4>{note_html}</section>"
        )
    return "\n".join(blocks)


def _figures(view: JuryView) -> dict[str, Any]:
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
    secs = [c.removesuffix("_post") for c in final.columns if c.endswith("_post") and c != "total_post"]
    cols = [f"{s}_post" for s in secs]
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
        bar["name"] = figures._entry_label(e, labels)
        bar["y"] = [_json_number(round(float(final.at[e, c]), 1)) for c in cols]
        out[f"profile:{e}"] = {"data": [bar, *base["data"][1:]], "layout": base["layout"]}
    return out


def _json_number(v: float) -> float | None:
    """A float as plotly's JSON has it after a round trip (NaN and ±inf become null)."""
    return None if v != v or v in (float("inf"), float("-inf")) else v


_CSS = """
:root { --fg:#1d2733; --muted:#5b6b7b; --line:#d9e0e7; --accent:#1f5fa8; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--fg);
       margin: 0; background: var(--bg); }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 12px 24px; }
header h1 { margin: 0 0 4px; font-size: 1.4rem; }
header p { margin: 2px 0; color: var(--muted); font-size: .9rem; }
main { padding: 16px 24px; max-width: 1400px; margin: 0 auto; }
.controls { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; background: #fff;
            border: 1px solid var(--line); padding: 10px 14px; border-radius: 6px; position: sticky; top: 0; z-index: 5; }
.controls label { font-size: .95rem; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin-top: 16px; }
.panel h2 { font-size: 1.1rem; margin: 0 0 8px; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media (max-width: 1000px) { .grid { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th[data-key] { cursor: pointer; user-select: none; white-space: nowrap; }
th[aria-sort="ascending"]::after { content: " ▲"; }
th[aria-sort="descending"]::after { content: " ▼"; }
tbody tr { cursor: pointer; }
tbody tr:hover { background: #eef4fb; }
tbody tr.selected { background: #dde9f7; }
tr.conflict td { color: #9aa5b1; text-decoration: line-through; }
tr.conflict td.conf::after { content: attr(data-label); text-decoration: none; color: #b3261e; margin-left: 4px; }
.muted { color: var(--muted); }
.banner { background: #fdecea; color: #b3261e; padding: 6px 10px; border-radius: 4px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; }
dt { font-weight: 600; } dd { margin: 0; }
.fig { min-height: 120px; }
footer { color: var(--muted); font-size: .8rem; padding: 16px 24px; }
"""

_JS = r"""
(function () {
  "use strict";
  var FIGS = JSON.parse(document.getElementById("vf-figures").textContent);
  var META = JSON.parse(document.getElementById("vf-meta").textContent);
  var CONFIG = META.config, TEMPLATE = META.template;
  var table = document.getElementById("shortlist");
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var catSel = document.getElementById("vf-category");
  var jurorSel = document.getElementById("vf-juror");
  var filterIn = document.getElementById("vf-filter");
  var onlyRec = document.getElementById("vf-only-rec");
  var current = null;

  function draw(divId, key) {
    var div = document.getElementById(divId);
    if (window.Plotly && div.classList.contains("js-plotly-plot")) { Plotly.purge(div); }
    div.textContent = "";
    var fig = FIGS[key];
    if (!fig) { div.textContent = META.text.none; return; }
    var layout = JSON.parse(JSON.stringify(fig.layout));
    layout.template = TEMPLATE;
    Plotly.newPlot(div, JSON.parse(JSON.stringify(fig.data)), layout, CONFIG);
  }
  function conflictsOf(tr) {
    var c = tr.getAttribute("data-conflicts");
    return c ? c.split(" ") : [];
  }
  function excluded(tr) {
    var me = jurorSel.value;
    return me !== "" && conflictsOf(tr).indexOf(me) >= 0;
  }
  function applyFilter() {
    var cat = catSel.value, q = filterIn.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (tr) {
      var ok = tr.getAttribute("data-category") === cat;
      if (ok && onlyRec.checked) { ok = tr.getAttribute("data-recommended") === "1"; }
      if (ok && q) { ok = tr.textContent.toLowerCase().indexOf(q) >= 0; }
      tr.hidden = !ok;
      var ex = excluded(tr);
      tr.classList.toggle("conflict", ex);
      var conf = tr.querySelector("td.conf");
      if (ex) { conf.setAttribute("data-label", META.text.conflict); } else { conf.removeAttribute("data-label"); }
      var box = tr.querySelector("input.cmp");
      box.disabled = ex;
      if (ex) { box.checked = false; }
      if (ok) { n += 1; }
    });
    document.getElementById("vf-count").textContent = n + " " + META.text.rows;
  }
  function showCategory() {
    rows.forEach(function (tr) { tr.querySelector("input.cmp").checked = false; });
    applyFilter();
    draw("vf-fig-ranks", "ranks:" + catSel.value);
    draw("vf-fig-visits", "visits:" + catSel.value);
    draw("vf-fig-compare", "compare:" + catSel.value);
    var first = rows.filter(function (tr) { return !tr.hidden; })[0];
    select(first ? first.getAttribute("data-entry") : null);
  }
  function select(entry) {
    current = entry;
    rows.forEach(function (tr) { tr.classList.toggle("selected", tr.getAttribute("data-entry") === entry); });
    Array.prototype.forEach.call(document.querySelectorAll("section.detail"), function (s) {
      var mine = s.getAttribute("data-entry") === entry;
      s.hidden = !mine;
      if (mine) {
        var tr = tbody.querySelector('tr[data-entry="' + CSS.escape(entry) + '"]');
        s.querySelector(".banner").hidden = !(tr && excluded(tr));
      }
    });
    if (entry) { draw("vf-fig-profile", "profile:" + entry); }
  }
  function updateCompare() {
    var div = document.getElementById("vf-fig-compare");
    if (!div.data) { return; }
    var picked = rows.filter(function (tr) { return !tr.hidden && tr.querySelector("input.cmp").checked; })
                     .map(function (tr) { return tr.getAttribute("data-entry"); });
    if (picked.length > 3) { return false; }
    var ids = FIGS["compare:" + catSel.value].ids;
    var vis = ids.map(function (id) { return picked.indexOf(id) >= 0 ? true : "legendonly"; });
    Plotly.restyle(div, { visible: vis });
    return true;
  }
  function sortBy(th) {
    var key = th.getAttribute("data-key"), num = th.getAttribute("data-type") === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
      if (c.hasAttribute("data-key")) { c.setAttribute("aria-sort", "none"); }
    });
    th.setAttribute("aria-sort", dir);
    var idx = th.cellIndex, sign = dir === "ascending" ? 1 : -1;
    rows.sort(function (a, b) {
      var va = a.cells[idx].getAttribute("data-value"), vb = b.cells[idx].getAttribute("data-value");
      if (num) {
        var fa = va === "" ? Infinity : parseFloat(va), fb = vb === "" ? Infinity : parseFloat(vb);
        if (fa === fb) { return 0; }
        if (fa === Infinity) { return 1; }
        if (fb === Infinity) { return -1; }
        return sign * (fa - fb);
      }
      return sign * va.localeCompare(vb, META.lang);
    });
    rows.forEach(function (tr) { tbody.appendChild(tr); });
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    if (!th.hasAttribute("data-key")) { return; }
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { sortBy(th); } });
  });
  rows.forEach(function (tr) {
    tr.addEventListener("click", function (ev) {
      if (ev.target.classList.contains("cmp")) { return; }
      select(tr.getAttribute("data-entry"));
    });
    tr.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { select(tr.getAttribute("data-entry")); } });
    tr.querySelector("input.cmp").addEventListener("change", function (ev) {
      if (updateCompare() === false) { ev.target.checked = false; updateCompare(); }
    });
  });
  catSel.addEventListener("change", showCategory);
  jurorSel.addEventListener("change", function () { applyFilter(); updateCompare(); select(current); });
  filterIn.addEventListener("input", applyFilter);
  onlyRec.addEventListener("change", applyFilter);
  showCategory();
  document.body.setAttribute("data-ready", "1");
})();
"""


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

    lang = view.lang
    t = _T[lang]
    figs = _figures(view)
    for code, _ in view.categories:
        if f"compare:{code}" in figs:
            figs[f"compare:{code}"]["ids"] = list(view.in_category(code).index)
    from plotly.utils import PlotlyJSONEncoder

    template = json.loads(json.dumps(pio.templates["plotly_white"].to_plotly_json(), cls=PlotlyJSONEncoder))
    meta = {
        "config": PLOTLY_CONFIG,
        "template": template,
        "lang": lang,
        "text": {"rows": t["rows"], "conflict": t["conflict"], "none": t["none"]},
    }
    cat_opts = "".join(
        f'<option value="{_esc(c)}">{_esc(label)} ({int((view.final["category"] == c).sum())})</option>'
        for c, label in view.categories
        if (view.final["category"] == c).any()
    )
    juror_opts = f'<option value="">{_esc(t["all"])}</option>' + "".join(
        f'<option value="{_esc(j)}">{_esc(j)} – {_esc(n)}</option>' for j, n in view.jury
    )
    head = (
        f"<h1>{_esc(t['title'])} – {_esc(view.title)}</h1>"
        f"<p>{_esc(t['edition'])} <strong>{_esc(view.edition)}</strong> · {_esc(t['run'])} "
        f"<code id='vf-run'>{_esc(view.run_id)}</code> · {_esc(t['generated'])} "
        f"<time id='vf-generated'>{_esc(view.generated)}</time> · {_esc(t['threshold'])} "
        f"{_esc(_fmt(float(view.threshold), 0))}</p>"
        f"<p>{_esc(t['confidential'])}</p>"
    )
    body = f"""<header>{head}</header>
<main>
<div class="controls">
<label>{_esc(t["category"])} <select id="vf-category">{cat_opts}</select></label>
<label>{_esc(t["juror"])} <select id="vf-juror">{juror_opts}</select></label>
<label>{_esc(t["filter"])} <input id="vf-filter" type="search" placeholder="{_esc(t["filter_ph"])}"></label>
<label><input id="vf-only-rec" type="checkbox"> {_esc(t["only_rec"])}</label>
<span id="vf-count" class="muted"></span>
</div>
<section class="panel"><h2>{_esc(t["shortlist"])}</h2><p class="muted">{_esc(t["sort"])}</p>
{_table(view, t)}
</section>
<div class="grid">
<section class="panel"><h2>{_esc(t["profile"])}</h2><p class="muted">{_esc(t["profile_hint"])}</p>
<div id="vf-fig-profile" class="fig"></div>
{_details(view, t)}
</section>
<section class="panel"><h2>{_esc(t["compare"])}</h2><p class="muted">{_esc(t["compare_hint"])}</p>
<div id="vf-fig-compare" class="fig"></div></section>
<section class="panel"><h2>{_esc(t["intervals"])}</h2><div id="vf-fig-ranks" class="fig"></div></section>
<section class="panel"><h2>{_esc(t["visits"])}</h2><div id="vf-fig-visits" class="fig"></div></section>
</div>
</main>
<footer>vielfalt · {_esc(view.edition)} · {_esc(view.run_id)}</footer>"""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; font-src data:\">\n"
        f"<title>{_esc(t['title'])} – {_esc(view.edition)}</title>\n<style>{_CSS}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n</head>\n<body>\n{body}\n'
        f'<script type="application/json" id="vf-figures">{script_json(figs)}</script>\n'
        f'<script type="application/json" id="vf-meta">{script_json(meta)}</script>\n'
        f"<script>{_JS}</script>\n</body>\n</html>\n"
    )


def write_jury_html(view: JuryView, path: str | os.PathLike[str]) -> Path:
    """Write :func:`build_jury_html` to `path` (UTF-8, atomically) and return the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.tmp")
    tmp.write_text(build_jury_html(view), encoding="utf-8", newline="\n")
    os.replace(tmp, p)
    return p
