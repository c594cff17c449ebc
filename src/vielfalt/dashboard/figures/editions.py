"""Figures of editions over the years: participation, repeat entrants, measures, scores, agreement.

Pure functions from the tables of :mod:`vielfalt.research.compare` to plotly figures (research stage,
notebook 08_editions); no I/O, no widgets.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from vielfalt.dashboard.figures._style import SOURCE_COLOURS
from vielfalt.i18n import t

__all__ = [
    "adoption_heatmap",
    "agreement_by_edition",
    "edition_scores",
    "participation_bars",
    "reliability_by_edition",
    "repeat_slopes",
]


def participation_bars(participation: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Stacked bars: entries per edition, split by the edition's own categories (schemes may differ).

    Parameters
    ----------
    participation : DataFrame
        ``edition, year, category, label, n`` (:func:`vielfalt.research.compare.participation`).
    lang : {"de", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
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
        title=t("dashboard.participation_title", lang),
        yaxis_title=t("dashboard.participation_axis", lang),
        legend_title=t("dashboard.category", lang),
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

    Returns
    -------
    plotly.graph_objects.Figure
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
        title=t("dashboard.repeat_title", lang),
        xaxis={"title": t("dashboard.repeat_year", lang), "dtick": 1},
        yaxis={"title": t("dashboard.points", lang), "range": [0, 100]},
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

    Returns
    -------
    plotly.graph_objects.Figure
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
        title=t("dashboard.adoption_title", lang),
    )
    return fig


def edition_scores(scores: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Distribution of total scores per edition (box with every entry as a point).

    Parameters
    ----------
    scores : DataFrame
        ``edition, year, key, category, size_band, total``
        (:func:`vielfalt.research.compare.score_distribution`).
    lang : {"de", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
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
        title=t("dashboard.edition_scores_title", lang),
        yaxis={"title": t("dashboard.points", lang), "range": [0, 100]},
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

    Returns
    -------
    plotly.graph_objects.Figure
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
        title=t("dashboard.agreement_title", lang),
        yaxis={"title": "%", "range": [0, 100]},
        legend_title=t("dashboard.category", lang),
    )
    return fig


def reliability_by_edition(reliability: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Krippendorff's α (ordinal) per free-text criterion over the editions, with the 0.667/0.8 marks.

    Parameters
    ----------
    reliability : DataFrame
        ``edition, year, item, alpha_ordinal, …`` (:func:`vielfalt.research.compare.reliability_by_edition`).
    lang : {"de", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
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
        title=t("dashboard.reliability_editions_title", lang),
        yaxis={"title": "α", "range": [-0.2, 1]},
        legend_title=t("dashboard.criterion", lang),
    )
    return fig
