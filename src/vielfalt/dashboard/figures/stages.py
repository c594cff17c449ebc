"""Figures of the evaluation stages: intake, ratings, scoring and robustness (notebooks 01–04).

Pure functions from a stage's tables to plotly figures; no I/O, no widgets. Show them with
``fig.show(config=PLOTLY_CONFIG)`` (:mod:`vielfalt.dashboard.figures._style`). Every text a person reads comes
from the message catalogue (``dashboard.*``).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from vielfalt.dashboard.figures._style import SOURCE_COLOURS
from vielfalt.i18n import t

__all__ = [
    "intake_overview",
    "p_topk_bars",
    "rank_intervals",
    "rank_shift",
    "ranking_bars",
    "rater_severity",
    "reliability_bars",
    "section_profile",
    "sobol_bars",
]


def intake_overview(counts: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Stacked bars: accepted entries per category, split by source, plus the quarantined count.

    Parameters
    ----------
    counts : DataFrame
        As written by :func:`vielfalt.stages.category_source_counts` (categories × sources, a total
        column and a final "zurückgestellt" row).
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
        name=t("dashboard.intake_quarantined", lang),
        x=[counts.index[-1]],
        y=[q],
        marker_color="#d62728",
    )
    fig.update_layout(
        barmode="stack",
        title=t("dashboard.intake_title", lang),
        yaxis_title=t("dashboard.intake_count", lang),
        legend_title=t("dashboard.intake_source", lang),
        template="plotly_white",
        height=380,
        margin={"t": 60, "l": 50, "r": 20, "b": 40},
    )
    return fig


def reliability_bars(reliability: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Krippendorff's α (ordinal) per criterion, overall and per category, with the usual 0.667/0.8 marks.

    Parameters
    ----------
    reliability : DataFrame
        ``group, item, alpha_ordinal``: one row per criterion and group (overall or a category).
    lang : {"de", "en"}, default "de"

    Returns
    -------
    plotly.graph_objects.Figure
    """
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
        title=t("dashboard.reliability_title", lang),
        yaxis={"title": "α", "range": [-0.2, 1]},
        legend_title=t("dashboard.category", lang),
    )
    return fig


def rater_severity(effects: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Rater effect (additive model) with 95 % intervals: below 0 = stricter than average.

    Parameters
    ----------
    effects : DataFrame
        ``rater, severity, lower, upper`` (the rater-effects table of the ratings stage).
    lang : {"de", "en"}, default "de"

    Returns
    -------
    plotly.graph_objects.Figure
    """
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
        title=t("dashboard.severity_title", lang),
        xaxis_title=t("dashboard.severity_axis", lang),
    )
    return fig


def rank_shift(ranks: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Rank of each entry's text score within its category under the four rater models.

    Parameters
    ----------
    ranks : DataFrame
        ``entry_id, category`` and one ``rank_<model>`` column per rater model.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    plotly.graph_objects.Figure
    """
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
        yaxis={"autorange": "reversed", "title": t("dashboard.rank", lang)},
        title=t("dashboard.rank_shift_title", lang),
        showlegend=len(ranks) <= 30,
    )
    return fig


def section_profile(scores: pd.DataFrame, labels: dict[str, str], *, lang: str = "de") -> go.Figure:
    """Heatmap entries × sections (0–100), entries grouped by category: each entry's score profile.

    Parameters
    ----------
    scores : DataFrame
        By entry: one column per section (0–100), ``total`` and ``category``.
    labels : dict
        Section id → readable name.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    plotly.graph_objects.Figure
    """
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
        title=t("dashboard.section_profile_title", lang),
    )
    return fig


def ranking_bars(ranking: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Total score per entry, one panel (dropdown) per category, best at the top.

    Parameters
    ----------
    ranking : DataFrame
        By entry: ``category``, ``rank`` and ``total``.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    plotly.graph_objects.Figure
    """
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
        xaxis={"range": [0, 100], "title": t("dashboard.points", lang)},
        title=t("dashboard.ranking_title", lang),
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
    lang : {"de", "en"}, default "de"

    Returns
    -------
    plotly.graph_objects.Figure
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
            name=t("dashboard.intervals_median", lang),
            visible=(k == 0),
            hovertemplate="%{y}: Median %{x}<extra></extra>",
        )
        fig.add_scatter(
            x=part["Nominal"].tolist(),
            y=ids,
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 16, "color": "#d62728", "line": {"width": 3}},
            name=t("dashboard.intervals_nominal", lang),
            visible=(k == 0),
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    first = stats[stats["category"].astype(str) == cats[0]] if cats else stats
    kcap = int(first["k"].iloc[0]) if len(first) else 1
    fig.update_layout(
        template="plotly_white",
        height=200 + 28 * int(stats["category"].value_counts().max() if len(stats) else 1),
        title=t("dashboard.intervals_title", lang, k=kcap),
        xaxis={
            "title": t("dashboard.intervals_axis", lang),
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
    """Per category (dropdown): P(rank ≤ k) per entry, with the borderline band shaded.

    Parameters
    ----------
    stats : DataFrame
        By ``entry_id``: ``category``, ``Nominal``, ``P_topk``.
    band : (float, float), default (0.2, 0.8)
        The borderline band of P(rank ≤ k), shaded.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    plotly.graph_objects.Figure
    """
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
        title=t("dashboard.p_topk_title", lang, lo=lo, hi=hi),
        yaxis={"range": [0, 1.05], "title": t("dashboard.p_topk_axis", lang)},
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
    """First-order and total Sobol' indices per assumption: which one moves the ranking most.

    Parameters
    ----------
    sensitivity : DataFrame
        ``factor`` (and ``label`` if there is one), ``Si``, ``STi``: one row per assumption.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    plotly.graph_objects.Figure
    """
    data = sensitivity.sort_values("STi", ascending=True)
    labels = data["label"].astype(str).tolist() if "label" in data else data["factor"].astype(str).tolist()
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=data["Si"].tolist(),
        orientation="h",
        name=t("dashboard.sobol_first", lang),
        marker_color=SOURCE_COLOURS[0],
        hovertemplate="%{y}: %{x:.3f}<extra>Si</extra>",
    )
    fig.add_bar(
        y=labels,
        x=data["STi"].tolist(),
        orientation="h",
        name=t("dashboard.sobol_total", lang),
        marker_color=SOURCE_COLOURS[1],
        hovertemplate="%{y}: %{x:.3f}<extra>STi</extra>",
    )
    fig.update_layout(
        template="plotly_white",
        barmode="group",
        height=160 + 50 * max(1, len(data)),
        title=t("dashboard.sobol_title", lang),
        xaxis={"title": t("dashboard.sobol_axis", lang)},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig
