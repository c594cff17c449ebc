"""Pure functions from data to plotly figures; no I/O, no widgets.

Every figure carries ``config`` defaults without the "Share chart" cloud button (NOTEBOOKS.md P21) when shown
through :func:`show_config`. Company text never enters a figure unescaped: plotly renders trace text as
text, and hover templates here only use numbers and codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

__all__ = [
    "PLOTLY_CONFIG",
    "adoption_heatmap",
    "agreement_by_edition",
    "category_rank_intervals",
    "compare_entries",
    "edition_scores",
    "entry_profile",
    "intake_overview",
    "p_topk_bars",
    "participation_bars",
    "rank_intervals",
    "rank_shift",
    "ranking_bars",
    "rater_severity",
    "reliability_bars",
    "reliability_by_edition",
    "repeat_slopes",
    "section_profile",
    "site_visit_changes",
    "sobol_bars",
    "total_bars",
]

PLOTLY_CONFIG = {"showSendToCloud": False, "displaylogo": False, "responsive": True}

SOURCE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"]


def intake_overview(counts: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Stacked bars: accepted entries per category, split by source, plus the quarantined count.

    Parameters
    ----------
    counts : DataFrame
        As written by :func:`vielfalt.stages.core.category_source_counts` (categories × sources, a total column
        and a final "zurückgestellt" row).
    lang : {"de", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
    """
    total_col = counts.columns[-1]
    body = counts.iloc[:-1]
    fig = go.Figure()
    for k, src in enumerate(c for c in counts.columns if c != total_col):
        fig.add_bar(
            name=str(src),
            x=list(body.index),
            y=body[src].tolist(),
            marker_color=SOURCE_COLOURS[k % len(SOURCE_COLOURS)],
            hovertemplate="%{x}: %{y}<extra>" + str(src) + "</extra>",
        )
    q = int(counts.iloc[-1][total_col])
    fig.add_bar(
        name=("zurückgestellt" if lang == "de" else "quarantined"),
        x=[counts.index[-1]],
        y=[q],
        marker_color="#d62728",
    )
    fig.update_layout(
        barmode="stack",
        title=(
            "Einsendungen nach Kategorie und Quelle" if lang == "de" else "Entries by category and source"
        ),
        yaxis_title=("Anzahl" if lang == "de" else "Count"),
        legend_title=("Quelle" if lang == "de" else "Source"),
        template="plotly_white",
        height=380,
        margin={"t": 60, "l": 50, "r": 20, "b": 40},
    )
    return fig


def reliability_bars(reliability: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Krippendorff's α (ordinal) per criterion, overall and per category, with the usual 0.667/0.8 marks."""
    fig = go.Figure()
    for k, (group, part) in enumerate(reliability.groupby("group", sort=False)):
        fig.add_bar(
            name=str(group),
            x=part["item"].tolist(),
            y=part["alpha_ordinal"].round(3).tolist(),
            marker_color=SOURCE_COLOURS[k % len(SOURCE_COLOURS)],
        )
    for y, dash in ((0.667, "dot"), (0.8, "dash")):
        fig.add_hline(y=y, line_dash=dash, line_color="grey", annotation_text=f"α = {y}")
    fig.update_layout(
        barmode="group",
        template="plotly_white",
        height=380,
        title=(
            "Übereinstimmung der Gutachtenden (Krippendorffs α, ordinal)"
            if lang == "de"
            else "Rater agreement (Krippendorff's α, ordinal)"
        ),
        yaxis={"title": "α", "range": [-0.2, 1]},
        legend_title=("Kategorie" if lang == "de" else "Category"),
    )
    return fig


def rater_severity(effects: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Rater effect (additive model) with 95 % intervals: below 0 = stricter than average."""
    fig = go.Figure(
        go.Scatter(
            x=effects["severity"].round(3).tolist(),
            y=effects["rater"].astype(str).tolist(),
            mode="markers",
            marker={"size": 11, "color": "#1f77b4"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (effects["upper"] - effects["severity"]).round(3).tolist(),
                "arrayminus": (effects["severity"] - effects["lower"]).round(3).tolist(),
            },
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_color="grey")
    fig.update_layout(
        template="plotly_white",
        height=120 + 40 * len(effects),
        title=(
            "Strenge der Gutachtenden (Punkte auf der Skala 0–4; links = strenger)"
            if lang == "de"
            else "Rater severity (points on the 0–4 scale; left = stricter)"
        ),
        xaxis_title=("Abweichung vom Durchschnitt" if lang == "de" else "deviation from average"),
    )
    return fig


def rank_shift(ranks: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Rank of each entry's text score within its category under the four rater models."""
    models = [c for c in ranks.columns if c.startswith("rank_")]
    fig = go.Figure()
    for _, r in ranks.iterrows():
        fig.add_scatter(
            x=[m.removeprefix("rank_") for m in models],
            y=[r[m] for m in models],
            mode="lines+markers",
            name=f"{r['entry_id']} ({r['category']})",
            line={"width": 1},
        )
    fig.update_layout(
        template="plotly_white",
        height=420,
        yaxis={"autorange": "reversed", "title": "Rang" if lang == "de" else "rank"},
        title=(
            "Rang der Freitext-Bewertung je Modell (innerhalb der Kategorie)"
            if lang == "de"
            else "Rank of the text score by rater model (within category)"
        ),
        showlegend=len(ranks) <= 30,
    )
    return fig


def section_profile(scores: pd.DataFrame, labels: dict[str, str], *, lang: str = "de") -> go.Figure:
    """Heatmap entries × sections (0–100), entries grouped by category: each entry's score profile."""
    sections = [c for c in scores.columns if c not in ("total", "category")]
    data = scores.sort_values(["category", "total"], ascending=[True, False])
    ylab = [f"{c} · {e}" for e, c in zip(data.index, data["category"], strict=True)]
    fig = go.Figure(
        go.Heatmap(
            z=data[sections].round(1).to_numpy(),
            x=[labels.get(s, s) for s in sections],
            y=ylab,
            colorscale="Blues",
            zmin=0,
            zmax=100,
            colorbar={"title": "0–100"},
            hovertemplate="%{y}<br>%{x}: %{z}<extra></extra>",
        )
    )
    fig.update_layout(
        template="plotly_white",
        height=160 + 22 * len(data),
        yaxis={"autorange": "reversed"},
        title=(
            "Punktprofil je Eintrag und Abschnitt" if lang == "de" else "Score profile by entry and section"
        ),
    )
    return fig


def ranking_bars(ranking: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Total score per entry, one panel (dropdown) per category, best at the top."""
    fig = go.Figure()
    cats = list(dict.fromkeys(ranking["category"]))
    for k, c in enumerate(cats):
        part = ranking[ranking["category"] == c].sort_values("total")
        fig.add_bar(
            x=part["total"].tolist(),
            y=[f"{r}. {e}" for r, e in zip(part["rank"], part.index, strict=True)],
            orientation="h",
            name=str(c),
            visible=(k == 0),
            marker_color=SOURCE_COLOURS[k % len(SOURCE_COLOURS)],
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        )
    buttons = [
        {"label": str(c), "method": "update", "args": [{"visible": [j == k for j in range(len(cats))]}]}
        for k, c in enumerate(cats)
    ]
    fig.update_layout(
        template="plotly_white",
        height=420,
        xaxis={"range": [0, 100], "title": "Punkte (0–100)" if lang == "de" else "points"},
        title=("Rangfolge innerhalb der Kategorie" if lang == "de" else "Ranking within the category"),
        updatemenus=[{"buttons": buttons, "direction": "down", "x": 1.0, "y": 1.15, "xanchor": "right"}],
        showlegend=False,
    )
    return fig


def _category_buttons(cats: list[str], traces_per_cat: int) -> list[dict]:
    """Dropdown buttons that show one category's traces at a time (plotly's own updatemenus)."""
    n = len(cats) * traces_per_cat
    return [
        {
            "label": str(c),
            "method": "update",
            "args": [{"visible": [j // traces_per_cat == k for j in range(n)]}],
        }
        for k, c in enumerate(cats)
    ]


def rank_intervals(stats: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Per category (dropdown): each entry's nominal rank, median and 5–95 % interval of simulated ranks.

    Parameters
    ----------
    stats : DataFrame
        By ``entry_id``: ``category``, ``Nominal``, ``Median``, ``Q5``, ``Q95``, ``k``.
    """
    fig = go.Figure()
    cats = sorted(dict.fromkeys(stats["category"].astype(str)))
    for k, c in enumerate(cats):
        part = stats[stats["category"].astype(str) == c].sort_values(["Nominal", "Median"])
        ids = [str(e) for e in part.index]
        fig.add_scatter(
            x=part["Median"].tolist(),
            y=ids,
            mode="markers",
            marker={"symbol": "diamond", "size": 11, "color": SOURCE_COLOURS[0]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (part["Q95"] - part["Median"]).tolist(),
                "arrayminus": (part["Median"] - part["Q5"]).tolist(),
                "thickness": 2,
            },
            name="Median, 5–95 %" if lang == "de" else "median, 5–95 %",
            visible=(k == 0),
            hovertemplate="%{y}: Median %{x}<extra></extra>",
        )
        fig.add_scatter(
            x=part["Nominal"].tolist(),
            y=ids,
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 16, "color": "#d62728", "line": {"width": 3}},
            name="nominaler Rang" if lang == "de" else "nominal rank",
            visible=(k == 0),
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    first = stats[stats["category"].astype(str) == cats[0]] if cats else stats
    kcap = int(first["k"].iloc[0]) if len(first) else 1
    fig.update_layout(
        template="plotly_white",
        height=200 + 28 * int(stats["category"].value_counts().max() if len(stats) else 1),
        title=(
            f"Rangintervalle innerhalb der Kategorie (Besuchsplätze k = {kcap} in der ersten Kategorie)"
            if lang == "de"
            else f"Rank intervals within the category (visit places k = {kcap} in the first category)"
        ),
        xaxis={
            "title": "Rang (1 = bester)" if lang == "de" else "rank (1 = best)",
            "dtick": 1,
            "rangemode": "tozero",
        },
        yaxis={"autorange": "reversed", "type": "category"},
        updatemenus=[
            {
                "buttons": _category_buttons(cats, 2),
                "direction": "down",
                "x": 1.0,
                "y": 1.15,
                "xanchor": "right",
            }
        ],
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def p_topk_bars(
    stats: pd.DataFrame, band: tuple[float, float] = (0.2, 0.8), *, lang: str = "de"
) -> go.Figure:
    """Per category (dropdown): P(rank ≤ k) per entry, with the borderline band shaded."""
    fig = go.Figure()
    cats = sorted(dict.fromkeys(stats["category"].astype(str)))
    for k, c in enumerate(cats):
        part = stats[stats["category"].astype(str) == c].sort_values(
            ["P_topk", "Nominal"], ascending=[False, True]
        )
        fig.add_bar(
            x=[str(e) for e in part.index],
            y=part["P_topk"].tolist(),
            name=str(c),
            visible=(k == 0),
            marker_color=SOURCE_COLOURS[k % len(SOURCE_COLOURS)],
            hovertemplate="%{x}: %{y:.2f}<extra></extra>",
        )
    lo, hi = band
    fig.add_hrect(y0=lo, y1=hi, fillcolor="#ffbf00", opacity=0.25, line_width=0, layer="below")
    fig.update_layout(
        template="plotly_white",
        height=380,
        title=(
            f"Wahrscheinlichkeit, unter den ersten k zu sein (Grenzbereich {lo:g}–{hi:g} markiert)"
            if lang == "de"
            else f"Probability of being within the first k (borderline band {lo:g}–{hi:g} shaded)"
        ),
        yaxis={"range": [0, 1.05], "title": "P(Rang ≤ k)" if lang == "de" else "P(rank ≤ k)"},
        updatemenus=[
            {
                "buttons": _category_buttons(cats, 1),
                "direction": "down",
                "x": 1.0,
                "y": 1.15,
                "xanchor": "right",
            }
        ],
        showlegend=False,
    )
    return fig


def sobol_bars(sensitivity: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """First-order and total Sobol' indices per assumption: which one moves the ranking most."""
    data = sensitivity.sort_values("STi", ascending=True)
    labels = data["label"].astype(str).tolist() if "label" in data else data["factor"].astype(str).tolist()
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=data["Si"].tolist(),
        orientation="h",
        name="erster Ordnung Sᵢ" if lang == "de" else "first order Sᵢ",
        marker_color=SOURCE_COLOURS[0],
        hovertemplate="%{y}: %{x:.3f}<extra>Si</extra>",
    )
    fig.add_bar(
        y=labels,
        x=data["STi"].tolist(),
        orientation="h",
        name="total Sᴛᵢ" if lang == "de" else "total Sᴛᵢ",
        marker_color=SOURCE_COLOURS[1],
        hovertemplate="%{y}: %{x:.3f}<extra>STi</extra>",
    )
    fig.update_layout(
        template="plotly_white",
        barmode="group",
        height=160 + 50 * max(1, len(data)),
        title=(
            "Welche Annahme bewegt die Rangfolge? (Sobol'-Indizes der mittleren Rangverschiebung)"
            if lang == "de"
            else "Which assumption moves the ranking? (Sobol' indices of the mean rank shift)"
        ),
        xaxis={"title": "Anteil der Varianz" if lang == "de" else "share of variance"},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


# --- jury: profiles, rank intervals, comparisons, site-visit changes ------------------------------------

JURY_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"]


def _text(value: object) -> str:
    """Company text for a figure: plotly reads a subset of HTML in strings, so it is escaped first."""
    import html

    return html.escape(str(value), quote=False)


def _wrapped(value: object, width: int = 16) -> str:
    """Escaped text broken into lines of about `width` characters (plotly's ``<br>``), for axis ticks."""
    import textwrap

    return "<br>".join(_text(line) for line in textwrap.wrap(str(value), width) or [""])


def _entry_label(entry_id: str, labels: Mapping[str, str] | None) -> str:
    return _text(labels.get(entry_id, entry_id)) if labels else _text(entry_id)


def _post_sections(final: pd.DataFrame) -> list[str]:
    return [c.removesuffix("_post") for c in final.columns if c.endswith("_post") and c != "total_post"]


def entry_profile(
    final: pd.DataFrame,
    entry_id: str,
    *,
    section_labels: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    lang: str = "de",
) -> go.Figure:
    """One entry's section scores (after the site visit) against its category: mean and range.

    Parameters
    ----------
    final : DataFrame
        ``jury/final_scores`` (``category`` and ``<S>_post`` per section).
    entry_id : str
    section_labels : mapping, optional
        Section id → readable name.
    labels : mapping, optional
        Entry id → display name (escaped here).
    lang : {"de", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
    """
    secs = _post_sections(final)
    cat = final.at[entry_id, "category"]
    peers = final[final["category"] == cat]
    x = [_wrapped((section_labels or {}).get(s, s)) for s in secs]
    mean = [float(peers[f"{s}_post"].mean()) for s in secs]
    lo = [float(peers[f"{s}_post"].min()) for s in secs]
    hi = [float(peers[f"{s}_post"].max()) for s in secs]
    own = [float(final.at[entry_id, f"{s}_post"]) for s in secs]
    fig = go.Figure()
    fig.add_bar(
        x=x,
        y=[round(v, 1) for v in own],
        name=_entry_label(entry_id, labels),
        marker_color=JURY_COLOURS[0],
        hovertemplate="%{x}: %{y:.1f}<extra></extra>",
    )
    fig.add_scatter(
        x=x,
        y=[round(v, 1) for v in mean],
        mode="markers",
        name=("Mittel der Kategorie" if lang == "de" else "category mean"),
        marker={"symbol": "diamond", "size": 11, "color": "#333"},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [round(h - m, 1) for h, m in zip(hi, mean, strict=True)],
            "arrayminus": [round(m - low, 1) for m, low in zip(mean, lo, strict=True)],
            "color": "#777",
        },
        hovertemplate=(
            "%{x}: Mittel %{y:.1f}<extra></extra>" if lang == "de" else "%{x}: mean %{y:.1f}<extra></extra>"
        ),
    )
    fig.update_layout(
        template="plotly_white",
        height=420,
        title=(
            "Punkte je Abschnitt (Balken) und Kategorie (Mittel und Spanne)"
            if lang == "de"
            else "Points by section (bars) and category (mean and range)"
        ),
        yaxis={"range": [0, 105], "title": "Punkte (0–100)" if lang == "de" else "points (0–100)"},
        xaxis={"tickangle": 0},
        legend={"orientation": "h", "y": -0.3},
        margin={"t": 60, "l": 50, "r": 20, "b": 40},
    )
    return fig


def category_rank_intervals(
    rank_stats: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    k: int | None = None,
    lang: str = "de",
) -> go.Figure:
    """Rank interval per entry of one category: 5–95 % range, median and nominal rank (1 = best).

    Parameters
    ----------
    rank_stats : DataFrame
        ``robustness/rank_stats`` rows of one category (index ``entry_id``; ``Nominal``, ``Median``, ``Q5``,
        ``Q95``, ``P_topk``).
    labels : mapping, optional
        Entry id → display name.
    k : int, optional
        Site-visit capacity; drawn as a line.
    """
    data = rank_stats.sort_values(["Nominal", "Median"])
    y = [_entry_label(e, labels) for e in data.index]
    fig = go.Figure()
    fig.add_scatter(
        x=data["Median"].tolist(),
        y=y,
        mode="markers",
        name=("Median (5–95 %)" if lang == "de" else "median (5–95 %)"),
        marker={"size": 10, "color": JURY_COLOURS[0]},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": (data["Q95"] - data["Median"]).round(2).tolist(),
            "arrayminus": (data["Median"] - data["Q5"]).round(2).tolist(),
        },
        customdata=data["P_topk"].round(2).tolist() if "P_topk" in data else None,
        hovertemplate=(
            "%{y}: Median %{x}, P(Top-k) %{customdata}<extra></extra>"
            if lang == "de"
            else "%{y}: median %{x}, P(top-k) %{customdata}<extra></extra>"
        ),
    )
    fig.add_scatter(
        x=data["Nominal"].tolist(),
        y=y,
        mode="markers",
        name=("Rang nominal" if lang == "de" else "nominal rank"),
        marker={"symbol": "x", "size": 10, "color": "#d62728"},
        hovertemplate="%{y}: %{x}<extra></extra>",
    )
    if k:
        fig.add_vline(x=k + 0.5, line_dash="dot", line_color="grey", annotation_text=f"k = {k}")
    n = max(len(data), 1)
    fig.update_layout(
        template="plotly_white",
        height=140 + 34 * n,
        title=(
            "Rangintervalle in der Kategorie (1 = bester Rang)"
            if lang == "de"
            else "Rank intervals (1 = best)"
        ),
        xaxis={"title": "Rang" if lang == "de" else "rank", "range": [0.5, n + 0.5], "dtick": 1},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h", "y": -0.25},
        margin={"t": 60, "l": 10, "r": 20, "b": 40},
    )
    fig.update_yaxes(automargin=True)
    return fig


def compare_entries(
    final: pd.DataFrame,
    entry_ids: Sequence[str],
    *,
    section_labels: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    visible: Sequence[str] | None = None,
    lang: str = "de",
) -> go.Figure:
    """Section scores of several entries side by side (grouped bars; the jury compares two or three).

    `visible` names the entries shown at first; the others are in the legend only (the static dashboard
    switches them with ``Plotly.restyle``). By default all are shown.
    """
    secs = [*_post_sections(final), "total"]
    section_labels = {"total": "Gesamt" if lang == "de" else "Total", **(section_labels or {})}
    x = [_wrapped((section_labels or {}).get(s, s)) for s in secs]
    shown = set(entry_ids if visible is None else visible)
    fig = go.Figure()
    for j, e in enumerate(entry_ids):
        vals = [float(final.at[e, f"{s}_post"]) for s in secs]
        fig.add_bar(
            x=x,
            y=[round(v, 1) for v in vals],
            name=_entry_label(e, labels),
            marker_color=JURY_COLOURS[j % len(JURY_COLOURS)],
            visible=True if e in shown else "legendonly",
            hovertemplate="%{x}: %{y:.1f}<extra>%{fullData.name}</extra>",
        )
    fig.update_layout(
        barmode="group",
        template="plotly_white",
        height=440,
        title=(
            "Vergleich nach Abschnitt (nach dem Besuch)"
            if lang == "de"
            else "Comparison by section (after the visit)"
        ),
        yaxis={"range": [0, 105], "title": "Punkte (0–100)" if lang == "de" else "points (0–100)"},
        xaxis={"tickangle": 0},
        legend={"orientation": "h", "y": -0.3},
        margin={"t": 60, "l": 50, "r": 20, "b": 40},
    )
    return fig


def site_visit_changes(
    final: pd.DataFrame, *, labels: Mapping[str, str] | None = None, lang: str = "de"
) -> go.Figure:
    """Total before and after the site visit for the visited entries (one line per entry, arrow to "after")."""
    data = final[final["visited"].astype(bool)].sort_values("total_post")
    fig = go.Figure()
    y = [_entry_label(e, labels) for e in data.index]
    for e, label in zip(data.index, y, strict=True):
        fig.add_scatter(
            x=[float(data.at[e, "total_pre"]), float(data.at[e, "total_post"])],
            y=[label, label],
            mode="lines",
            line={"color": "#bbb", "width": 3},
            showlegend=False,
            hoverinfo="skip",
        )
    fig.add_scatter(
        x=data["total_pre"].round(1).tolist(),
        y=y,
        mode="markers",
        name=("vor dem Besuch" if lang == "de" else "before the visit"),
        marker={"size": 10, "color": "#aaa"},
        hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    )
    fig.add_scatter(
        x=data["total_post"].round(1).tolist(),
        y=y,
        mode="markers",
        name=("nach dem Besuch" if lang == "de" else "after the visit"),
        marker={"size": 11, "color": JURY_COLOURS[0]},
        customdata=data["delta"].round(1).tolist(),
        hovertemplate="%{y}: %{x:.1f} (Δ %{customdata})<extra></extra>",
    )
    fig.update_layout(
        template="plotly_white",
        height=140 + 34 * max(len(data), 1),
        title=(
            "Gesamtpunkte vor und nach dem Besuch" if lang == "de" else "Total before and after the visit"
        ),
        xaxis={"range": [0, 100], "title": "Punkte (0–100)" if lang == "de" else "points (0–100)"},
        legend={"orientation": "h", "y": -0.45},
        margin={"t": 60, "l": 10, "r": 20, "b": 70},
    )
    fig.update_yaxes(automargin=True)
    return fig


def total_bars(
    totals: pd.Series,
    *,
    labels: Mapping[str, str] | None = None,
    threshold: float | None = None,
    reference: pd.Series | None = None,
    lang: str = "de",
) -> go.Figure:
    """Totals of one category as horizontal bars, best at the top; optional threshold and reference marks.

    `reference` (e.g. the totals with the edition's weights) is drawn as markers, so a "what if" change of
    a weight shows how far each entry moved.
    """
    data = totals.sort_values()
    y = [_entry_label(e, labels) for e in data.index]
    fig = go.Figure(
        go.Bar(
            x=data.round(1).tolist(),
            y=y,
            orientation="h",
            marker_color=JURY_COLOURS[0],
            name=("Gesamtpunkte" if lang == "de" else "total"),
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        )
    )
    if reference is not None:
        fig.add_scatter(
            x=reference.reindex(data.index).round(1).tolist(),
            y=y,
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 18, "color": "#d62728", "line": {"width": 3}},
            name=("mit den Gewichten der Edition" if lang == "de" else "with the edition's weights"),
        )
    if threshold is not None:
        fig.add_vline(x=threshold, line_dash="dash", line_color="grey", annotation_text=f"{threshold:g}")
    fig.update_layout(
        template="plotly_white",
        height=140 + 34 * max(len(data), 1),
        xaxis={"range": [0, 100], "title": "Punkte (0–100)" if lang == "de" else "points (0–100)"},
        title=("Gesamtpunkte in der Kategorie" if lang == "de" else "Totals in the category"),
        legend={"orientation": "h", "y": -0.25},
        margin={"t": 60, "l": 10, "r": 20, "b": 40},
    )
    fig.update_yaxes(automargin=True)
    return fig


# --- editions over the years (research stage, notebook 08_editions) ---------------------------------------


def participation_bars(participation: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Stacked bars: entries per edition, split by the edition's own categories (schemes may differ).

    Parameters
    ----------
    participation : DataFrame
        ``edition, year, category, label, n`` (:func:`vielfalt.research.compare.participation`).
    lang : {"de", "en"}
    """
    fig = go.Figure()
    labels = list(dict.fromkeys(participation["label"]))
    editions = list(dict.fromkeys(participation["edition"]))
    for k, lab in enumerate(labels):
        part = participation[participation["label"] == lab].set_index("edition").reindex(editions)
        fig.add_bar(
            name=str(lab),
            x=editions,
            y=part["n"].fillna(0).astype(int).tolist(),
            marker_color=SOURCE_COLOURS[k % len(SOURCE_COLOURS)] if k < len(SOURCE_COLOURS) else None,
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        template="plotly_white",
        height=400,
        title=(
            "Teilnahme je Edition und Kategorie" if lang == "de" else "Participation by edition and category"
        ),
        yaxis_title=("Einsendungen" if lang == "de" else "entries"),
        legend_title=("Kategorie" if lang == "de" else "Category"),
    )
    return fig


def repeat_slopes(long: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Total score of every repeat participant over the years, one line per archive key.

    Parameters
    ----------
    long : DataFrame
        ``key, edition, year, category, total`` (second value of
        :func:`vielfalt.research.compare.repeat_entrants`).
    lang : {"de", "en"}
    """
    fig = go.Figure()
    for key, part in long.groupby("key", sort=True):
        fig.add_scatter(
            x=part["year"].tolist(),
            y=part["total"].round(1).tolist(),
            mode="lines+markers",
            name=str(key)[:8],
            line={"width": 1.5},
            hovertemplate="%{x}: %{y:.1f}<extra>" + str(key)[:8] + "</extra>",
        )
    fig.update_layout(
        template="plotly_white",
        height=420,
        title=(
            "Wiederholte Teilnahmen: Gesamtpunkte je Edition"
            if lang == "de"
            else "Repeat participants: total score by edition"
        ),
        xaxis={"title": "Jahr" if lang == "de" else "year", "dtick": 1},
        yaxis={"title": "Punkte (0–100)" if lang == "de" else "points", "range": [0, 100]},
        showlegend=len(long["key"].unique()) <= 25 if len(long) else False,
    )
    return fig


def adoption_heatmap(adoption: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Heatmap field of action × edition: share of entries with at least one measure in the field.

    Parameters
    ----------
    adoption : DataFrame
        ``field, label, edition, year, n, share`` (:func:`vielfalt.research.compare.measure_adoption`).
    lang : {"de", "en"}
    """
    table = adoption.pivot_table(index="label", columns="edition", values="share", sort=False)
    editions = list(dict.fromkeys(adoption["edition"]))
    table = table.reindex(columns=editions)
    fig = go.Figure(
        go.Heatmap(
            z=(table.to_numpy() * 100).round(0),
            x=editions,
            y=list(table.index),
            zmin=0,
            zmax=100,
            colorscale="Greens",
            text=(table * 100).round(0).astype("Int64").astype(str).to_numpy(),
            texttemplate="%{text} %",
            colorbar={"title": "%"},
            hovertemplate="%{y} · %{x}: %{z:.0f} %<extra></extra>",
        )
    )
    fig.update_layout(
        template="plotly_white",
        height=140 + 34 * len(table),
        yaxis={"autorange": "reversed"},
        title=(
            "Maßnahmen je Handlungsfeld: Anteil der Einsendungen mit mindestens einer Maßnahme"
            if lang == "de"
            else "Measures by field of action: share of entries with at least one measure"
        ),
    )
    return fig


def edition_scores(scores: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Distribution of total scores per edition (box with every entry as a point).

    Parameters
    ----------
    scores : DataFrame
        ``edition, year, key, category, size_band, total`` (:func:`vielfalt.research.compare.score_distribution`).
    lang : {"de", "en"}
    """
    fig = go.Figure()
    for k, (edition, part) in enumerate(scores.groupby("edition", sort=False)):
        fig.add_box(
            y=part["total"].round(1).tolist(),
            name=str(edition),
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker_color=SOURCE_COLOURS[k % len(SOURCE_COLOURS)],
            hovertemplate="%{y:.1f}<extra></extra>",
        )
    fig.update_layout(
        template="plotly_white",
        height=420,
        title=("Verteilung der Gesamtpunkte je Edition" if lang == "de" else "Total scores by edition"),
        yaxis={"title": "Punkte (0–100)" if lang == "de" else "points", "range": [0, 100]},
        showlegend=False,
    )
    return fig


def agreement_by_edition(agreement: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Share of the recommended entries the jury awarded (precision at k), per edition and category.

    Parameters
    ----------
    agreement : DataFrame
        ``edition, year, category, k, precision_at_k, kendall_tau``
        (:func:`vielfalt.research.compare.agreement_by_edition`).
    lang : {"de", "en"}
    """
    fig = go.Figure()
    for k, (cat, part) in enumerate(agreement.groupby("category", sort=False)):
        fig.add_bar(
            name=str(cat),
            x=part["edition"].tolist(),
            y=(part["precision_at_k"].astype(float) * 100).round(0).tolist(),
            marker_color=SOURCE_COLOURS[k % len(SOURCE_COLOURS)],
            hovertemplate="%{x}: %{y:.0f} %<extra>" + str(cat) + "</extra>",
        )
    fig.update_layout(
        barmode="group",
        template="plotly_white",
        height=400,
        title=(
            "Empfehlung und Jury: Anteil der Empfohlenen, die ausgezeichnet wurden"
            if lang == "de"
            else "Recommendation and jury: share of recommended entries awarded"
        ),
        yaxis={"title": "%", "range": [0, 100]},
        legend_title=("Kategorie" if lang == "de" else "Category"),
    )
    return fig


def reliability_by_edition(reliability: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Krippendorff's α (ordinal) per free-text criterion over the editions, with the 0.667/0.8 marks.

    Parameters
    ----------
    reliability : DataFrame
        ``edition, year, item, alpha_ordinal, …`` (:func:`vielfalt.research.compare.reliability_by_edition`).
    lang : {"de", "en"}
    """
    fig = go.Figure()
    for k, (item, part) in enumerate(reliability.groupby("item", sort=True)):
        fig.add_scatter(
            x=part["edition"].tolist(),
            y=part["alpha_ordinal"].astype(float).round(3).tolist(),
            mode="lines+markers",
            name=str(item),
            marker_color=SOURCE_COLOURS[k % len(SOURCE_COLOURS)],
            hovertemplate="%{x}: α = %{y:.2f}<extra>" + str(item) + "</extra>",
        )
    for y, dash in ((0.667, "dot"), (0.8, "dash")):
        fig.add_hline(y=y, line_dash=dash, line_color="grey", annotation_text=f"α = {y}")
    fig.update_layout(
        template="plotly_white",
        height=380,
        title=(
            "Übereinstimmung der Gutachtenden je Edition (Krippendorffs α, ordinal)"
            if lang == "de"
            else "Rater agreement by edition (Krippendorff's α, ordinal)"
        ),
        yaxis={"title": "α", "range": [-0.2, 1]},
        legend_title=("Kriterium" if lang == "de" else "Criterion"),
    )
    return fig
