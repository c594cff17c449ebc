"""The jury's figures: an entry's profile, rank intervals, comparisons, site-visit changes, totals.

Pure functions from ``jury/final_scores`` and ``robustness/rank_stats`` to plotly figures, shared by the
jury notebook, the static jury page (:mod:`vielfalt.dashboard.static`) and the live dashboard
(:mod:`vielfalt.dashboard.widgets`). Company text never enters a figure unescaped: plotly reads a subset of
HTML in strings, so names and section labels are escaped here (:func:`entry_label`), and hover templates
only use numbers and codes.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from vielfalt.dashboard.figures._style import JURY_COLOURS
from vielfalt.i18n import t

__all__ = [
    "category_rank_intervals",
    "compare_entries",
    "entry_label",
    "entry_profile",
    "post_sections",
    "site_visit_changes",
    "total_bars",
]


def _text(value: object) -> str:
    """Company text for a figure: plotly reads a subset of HTML in strings, so it is escaped first."""
    return html.escape(str(value), quote=False)


def _wrapped(value: object, width: int = 16) -> str:
    """Escaped text broken into lines of about `width` characters (plotly's ``<br>``), for axis ticks."""
    return "<br>".join(_text(line) for line in textwrap.wrap(str(value), width) or [""])


def entry_label(entry_id: str, labels: Mapping[str, str] | None) -> str:
    """The escaped display label of `entry_id`: its entry in `labels`, else the id itself.

    Examples
    --------
    >>> entry_label("E1", {"E1": "Müller & Co (E1)"})
    'Müller &amp; Co (E1)'
    >>> entry_label("E2", None)
    'E2'

    Parameters
    ----------
    entry_id : str
    labels : mapping or None
        Entry id → display name.

    Returns
    -------
    str
    """
    return _text(labels.get(entry_id, entry_id)) if labels else _text(entry_id)


def post_sections(final: pd.DataFrame) -> list[str]:
    """Section ids of `final`, in column order: every ``<section>_post`` column except ``total_post``.

    Examples
    --------
    >>> post_sections(pd.DataFrame(columns=["X_pre", "X_post", "Y_post", "total_post"]))
    ['X', 'Y']

    Parameters
    ----------
    final : DataFrame

    Returns
    -------
    list of str
    """
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
    secs = post_sections(final)
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
        name=entry_label(entry_id, labels),
        marker_color=JURY_COLOURS[0],
        hovertemplate="%{x}: %{y:.1f}<extra></extra>",
    )
    fig.add_scatter(
        x=x,
        y=[round(v, 1) for v in mean],
        mode="markers",
        name=t("dashboard.profile_mean", lang),
        marker={"symbol": "diamond", "size": 11, "color": "#333"},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [round(h - m, 1) for h, m in zip(hi, mean, strict=True)],
            "arrayminus": [round(m - low, 1) for m, low in zip(mean, lo, strict=True)],
            "color": "#777",
        },
        hovertemplate=f"%{{x}}: {t('dashboard.profile_mean_short', lang)} %{{y:.1f}}<extra></extra>",
    )
    fig.update_layout(
        template="plotly_white",
        height=420,
        title=t("dashboard.profile_title", lang),
        yaxis={"range": [0, 105], "title": t("dashboard.points_range", lang)},
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
    lang : {"de", "en"}, default "de"

    Returns
    -------
    plotly.graph_objects.Figure
    """
    data = rank_stats.sort_values(["Nominal", "Median"])
    y = [entry_label(e, labels) for e in data.index]
    fig = go.Figure()
    fig.add_scatter(
        x=data["Median"].tolist(),
        y=y,
        mode="markers",
        name=t("dashboard.category_intervals_median", lang),
        marker={"size": 10, "color": JURY_COLOURS[0]},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": (data["Q95"] - data["Median"]).round(2).tolist(),
            "arrayminus": (data["Median"] - data["Q5"]).round(2).tolist(),
        },
        customdata=data["P_topk"].round(2).tolist() if "P_topk" in data else None,
        hovertemplate=(
            f"%{{y}}: {t('dashboard.median', lang)} %{{x}}, {t('dashboard.p_topk', lang)} %{{customdata}}"
            "<extra></extra>"
        ),
    )
    fig.add_scatter(
        x=data["Nominal"].tolist(),
        y=y,
        mode="markers",
        name=t("dashboard.category_intervals_nominal", lang),
        marker={"symbol": "x", "size": 10, "color": "#d62728"},
        hovertemplate="%{y}: %{x}<extra></extra>",
    )
    if k:
        fig.add_vline(x=k + 0.5, line_dash="dot", line_color="grey", annotation_text=f"k = {k}")
    n = max(len(data), 1)
    fig.update_layout(
        template="plotly_white",
        height=140 + 34 * n,
        title=t("dashboard.category_intervals_title", lang),
        xaxis={"title": t("dashboard.rank", lang), "range": [0.5, n + 0.5], "dtick": 1},
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

    Parameters
    ----------
    final : DataFrame
        ``jury/final_scores`` (``<section>_post`` per section and ``total_post``).
    entry_ids : sequence of str
        The entries, one bar group each, in this order.
    section_labels : mapping, optional
        Section id → readable name.
    labels : mapping, optional
        Entry id → display name (escaped here).
    visible : sequence of str, optional
        The entries shown at first; default all.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    plotly.graph_objects.Figure
    """
    secs = [*post_sections(final), "total"]
    section_labels = {"total": t("dashboard.compare_total", lang), **(section_labels or {})}
    x = [_wrapped((section_labels or {}).get(s, s)) for s in secs]
    shown = set(entry_ids if visible is None else visible)
    fig = go.Figure()
    for j, e in enumerate(entry_ids):
        vals = [float(final.at[e, f"{s}_post"]) for s in secs]
        fig.add_bar(
            x=x,
            y=[round(v, 1) for v in vals],
            name=entry_label(e, labels),
            marker_color=JURY_COLOURS[j % len(JURY_COLOURS)],
            visible=True if e in shown else "legendonly",
            hovertemplate="%{x}: %{y:.1f}<extra>%{fullData.name}</extra>",
        )
    fig.update_layout(
        barmode="group",
        template="plotly_white",
        height=440,
        title=t("dashboard.compare_title", lang),
        yaxis={"range": [0, 105], "title": t("dashboard.points_range", lang)},
        xaxis={"tickangle": 0},
        legend={"orientation": "h", "y": -0.3},
        margin={"t": 60, "l": 50, "r": 20, "b": 40},
    )
    return fig


def site_visit_changes(
    final: pd.DataFrame, *, labels: Mapping[str, str] | None = None, lang: str = "de"
) -> go.Figure:
    """Total before and after the site visit for the visited entries (one line per entry, pre to post).

    Parameters
    ----------
    final : DataFrame
        ``jury/final_scores`` rows (``visited``, ``total_pre``, ``total_post``, ``delta``).
    labels : mapping, optional
        Entry id → display name (escaped here).
    lang : {"de", "en"}, default "de"

    Returns
    -------
    plotly.graph_objects.Figure
    """
    data = final[final["visited"].astype(bool)].sort_values("total_post")
    fig = go.Figure()
    y = [entry_label(e, labels) for e in data.index]
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
        name=t("dashboard.visits_before", lang),
        marker={"size": 10, "color": "#aaa"},
        hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    )
    fig.add_scatter(
        x=data["total_post"].round(1).tolist(),
        y=y,
        mode="markers",
        name=t("dashboard.visits_after", lang),
        marker={"size": 11, "color": JURY_COLOURS[0]},
        customdata=data["delta"].round(1).tolist(),
        hovertemplate="%{y}: %{x:.1f} (Δ %{customdata})<extra></extra>",
    )
    fig.update_layout(
        template="plotly_white",
        height=140 + 34 * max(len(data), 1),
        title=t("dashboard.visits_title", lang),
        xaxis={"range": [0, 100], "title": t("dashboard.points_range", lang)},
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

    Parameters
    ----------
    totals : Series
        Total per entry (0–100).
    labels : mapping, optional
        Entry id → display name (escaped here).
    threshold : float, optional
        Drawn as a dashed line (the label threshold).
    reference : Series, optional
        Totals to mark next to the bars.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    plotly.graph_objects.Figure
    """
    data = totals.sort_values()
    y = [entry_label(e, labels) for e in data.index]
    fig = go.Figure(
        go.Bar(
            x=data.round(1).tolist(),
            y=y,
            orientation="h",
            marker_color=JURY_COLOURS[0],
            name=t("dashboard.totals_name", lang),
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        )
    )
    if reference is not None:
        fig.add_scatter(
            x=reference.reindex(data.index).round(1).tolist(),
            y=y,
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 18, "color": "#d62728", "line": {"width": 3}},
            name=t("dashboard.totals_reference", lang),
        )
    if threshold is not None:
        fig.add_vline(x=threshold, line_dash="dash", line_color="grey", annotation_text=f"{threshold:g}")
    fig.update_layout(
        template="plotly_white",
        height=140 + 34 * max(len(data), 1),
        xaxis={"range": [0, 100], "title": t("dashboard.points_range", lang)},
        title=t("dashboard.totals_title", lang),
        legend={"orientation": "h", "y": -0.25},
        margin={"t": 60, "l": 10, "r": 20, "b": 40},
    )
    fig.update_yaxes(automargin=True)
    return fig
