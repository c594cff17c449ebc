"""The live jury dashboard for Voilà: ipywidgets controls wired to the pure figures, nothing else.

Every figure is a plain ``go.Figure`` shown into an ``Output`` widget with plotly's mimetype renderer and the
page's config (no ``FigureWidget``: it needs a kernel-side widget model that static exports cannot show and
that has rendering bugs in Voilà, NOTEBOOKS.md P16). The app keeps the figures it drew last in
:attr:`JuryApp.figures`, so the wiring can be tested without a browser. "What if this weight were
higher": sliders change the category's section weights and the totals are recomputed from the section
scores after the site visit (:func:`vielfalt.jury.core.section_totals`), next to the totals with the edition's
weights.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import pandas as pd

from vielfalt.dashboard import figures
from vielfalt.dashboard.static import PLOTLY_CONFIG
from vielfalt.dashboard.view import JuryView
from vielfalt.jury import section_totals

__all__ = ["JuryApp", "jury_app", "what_if_totals"]

_T = {
    "de": {
        "category": "Kategorie",
        "juror": "Ich bin",
        "all": "— alle —",
        "entry": "Eintrag",
        "compare": "Vergleich (bis 3)",
        "weights": "Was wäre, wenn ein Gewicht höher wäre? (Punkte je Abschnitt)",
        "reset": "Gewichte der Edition",
        "ranking": "Rangliste",
        "profile": "Profil",
        "comparison": "Vergleich",
        "intervals": "Rangintervalle",
        "visits": "Betriebsbesuche",
        "rank": "Rang",
        "name": "Organisation",
        "after": "Punkte nachher",
        "whatif": "mit geänderten Gewichten",
        "rec": "Empfehlung",
        "conflict": "befangen – ausgeschlossen",
        "yes": "ja",
        "no": "nein",
        "moved": "Rang ändert sich für {n} Einträge.",
        "same": "Die Rangfolge bleibt gleich.",
    },
    "en": {
        "category": "Category",
        "juror": "I am",
        "all": "— all —",
        "entry": "Entry",
        "compare": "Compare (up to 3)",
        "weights": "What if a weight were higher? (points per section)",
        "reset": "Edition's weights",
        "ranking": "Ranking",
        "profile": "Profile",
        "comparison": "Comparison",
        "intervals": "Rank intervals",
        "visits": "Site visits",
        "rank": "Rank",
        "name": "Organisation",
        "after": "Score after",
        "whatif": "with changed weights",
        "rec": "Recommendation",
        "conflict": "conflict – excluded",
        "yes": "yes",
        "no": "no",
        "moved": "The rank changes for {n} entries.",
        "same": "The ranking stays the same.",
    },
}


def what_if_totals(view: JuryView, category: str, weights: dict[str, float]) -> pd.Series:
    """Totals of one category's entries after the site visit, with section weights `weights`.

    Parameters
    ----------
    view : JuryView
    category : str
    weights : dict
        Section id → points (only ratios matter).

    Returns
    -------
    Series
        Total per entry (0–100).
    """
    part = view.in_category(category)
    secs = view.sections()
    sections = part[[f"{s}_post" for s in secs]].set_axis(secs, axis=1)
    return section_totals(sections, part["category"], {category: weights}, aggregation=view.aggregation)


class JuryApp:
    """The widgets of the live dashboard for one :class:`JuryView`; display it or use :attr:`widget`."""

    def __init__(self, view: JuryView) -> None:
        self.view = view
        self.t = _T[view.lang]
        self.labels = view.labels()
        self.figures: dict[str, Any] = {}
        cats = [(label, c) for c, label in view.categories if (view.final["category"] == c).any()]
        self.category = w.Dropdown(options=cats, description=self.t["category"], layout={"width": "420px"})
        self.juror = w.Dropdown(
            options=[(self.t["all"], "")] + [(f"{j} – {n}", j) for j, n in view.jury],
            description=self.t["juror"],
        )
        self.entry = w.Dropdown(description=self.t["entry"], layout={"width": "520px"})
        self.compare = w.SelectMultiple(description=self.t["compare"], rows=6, layout={"width": "520px"})
        self.sliders = {
            s: w.FloatSlider(min=0, max=60, step=1, description=s, continuous_update=False)
            for s in view.sections()
        }
        self.reset = w.Button(description=self.t["reset"])
        self.table = w.HTML()
        self.whatif_note = w.HTML()
        self.out = {k: w.Output() for k in ("ranking", "profile", "comparison", "intervals", "visits")}
        self._quiet = False
        self.category.observe(self._on_category, "value")
        self.juror.observe(lambda _: self._draw_table_and_compare(), "value")
        self.entry.observe(lambda _: self._draw_profile(), "value")
        self.compare.observe(self._on_compare, "value")
        for sl in self.sliders.values():
            sl.observe(lambda _: self._draw_ranking(), "value")
        self.reset.on_click(lambda _: self._reset_weights())
        self._on_category()

    # --- wiring --------------------------------------------------------------------------------
    def _show(self, key: str, fig: Any) -> None:
        self.figures[key] = fig
        out = self.out[key]
        out.clear_output(wait=True)
        with out:
            fig.show(renderer="plotly_mimetype", config=PLOTLY_CONFIG)

    def _excluded(self) -> set[str]:
        me = self.juror.value
        return set(self.view.conflicts.get(me, [])) if me else set()

    def _on_category(self, *_: Any) -> None:
        c = self.category.value
        part = self.view.in_category(c)
        self._quiet = True
        self.entry.options = [(self.labels[e], e) for e in part.index]
        self.entry.value = part.index[0] if len(part) else None
        self.compare.options = [(self.labels[e], e) for e in part.index]
        self.compare.value = ()
        for s, sl in self.sliders.items():
            sl.value = float(self.view.weights.get(c, {}).get(s, 0.0))
        self._quiet = False
        stats = self.view.rank_stats[self.view.rank_stats.index.isin(part.index)]
        self._show(
            "intervals",
            figures.category_rank_intervals(
                stats, labels=self.labels, k=self.view.capacity.get(c), lang=self.view.lang
            ),
        )
        self._show("visits", figures.site_visit_changes(part, labels=self.labels, lang=self.view.lang))
        self._draw_ranking()
        self._draw_table_and_compare()
        self._draw_profile()

    def _on_compare(self, change: dict) -> None:
        if len(change["new"]) > 3:
            self.compare.value = tuple(change["new"])[:3]
            return
        self._draw_table_and_compare()

    def _reset_weights(self) -> None:
        c = self.category.value
        for s, sl in self.sliders.items():
            sl.value = float(self.view.weights.get(c, {}).get(s, 0.0))

    def _draw_ranking(self) -> None:
        if self._quiet:
            return
        c = self.category.value
        weights = {s: sl.value for s, sl in self.sliders.items()}
        changed = what_if_totals(self.view, c, weights)
        base = self.view.in_category(c)["total_post"]
        fig = figures.total_bars(
            changed, labels=self.labels, threshold=self.view.threshold, reference=base, lang=self.view.lang
        )
        self._show("ranking", fig)
        r_new = changed.rank(ascending=False, method="min")
        r_old = base.rank(ascending=False, method="min")
        moved = int((r_new != r_old).sum())
        self.whatif_note.value = html.escape(self.t["moved"].format(n=moved) if moved else self.t["same"])

    def _draw_table_and_compare(self) -> None:
        c = self.category.value
        part = self.view.in_category(c)
        ex = self._excluded()
        t = self.t
        rows = []
        for e, r in part.iterrows():
            style = ' style="color:#9aa5b1;text-decoration:line-through"' if e in ex else ""
            mark = f" <em style='color:#b3261e'>{html.escape(t['conflict'])}</em>" if e in ex else ""
            rows.append(
                f"<tr{style} data-entry='{html.escape(str(e))}'><td>{html.escape(str(r['rank']))}</td>"
                f"<td><code>{html.escape(str(e))}</code></td><td>{html.escape(str(r.get('name', '')))}{mark}</td>"
                f"<td>{float(r['total_post']):.1f}</td>"
                f"<td>{html.escape(t['yes'] if bool(r['recommended']) else t['no'])}</td></tr>"
            )
        self.table.value = (
            "<table class='vf-table'><thead><tr>"
            + "".join(
                f"<th>{html.escape(h)}</th>" for h in (t["rank"], t["entry"], t["name"], t["after"], t["rec"])
            )
            + "</tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
        )
        picked = [e for e in self.compare.value if e not in ex]
        self._show(
            "comparison",
            figures.compare_entries(
                self.view.final,
                list(part.index),
                section_labels=self.view.section_labels,
                labels=self.labels,
                visible=picked,
                lang=self.view.lang,
            ),
        )

    def _draw_profile(self) -> None:
        e = self.entry.value
        if e is None:
            return
        self._show(
            "profile",
            figures.entry_profile(
                self.view.final,
                e,
                section_labels=self.view.section_labels,
                labels=self.labels,
                lang=self.view.lang,
            ),
        )

    # --- layout --------------------------------------------------------------------------------
    @property
    def widget(self) -> w.Widget:
        """The whole app as one widget tree."""
        t = self.t
        weights = w.VBox(
            [
                w.HTML(f"<b>{html.escape(t['weights'])}</b>"),
                *self.sliders.values(),
                self.reset,
                self.whatif_note,
            ]
        )
        tabs = w.Tab(
            children=[
                w.HBox([w.VBox([self.table, self.out["ranking"]], layout={"width": "62%"}), weights]),
                w.VBox([self.entry, self.out["profile"]]),
                w.VBox([self.compare, self.out["comparison"]]),
                self.out["intervals"],
                self.out["visits"],
            ]
        )
        for i, k in enumerate(("ranking", "profile", "comparison", "intervals", "visits")):
            tabs.set_title(i, t[k])
        box = w.VBox([w.HBox([self.category, self.juror]), tabs])
        box.add_class("vf-jury-app")
        return box

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def jury_app(view: JuryView) -> JuryApp:
    """Build the live dashboard for `view` (display the result in a notebook or in Voilà)."""
    return JuryApp(view)
