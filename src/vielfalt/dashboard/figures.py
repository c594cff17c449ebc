"""Pure functions from data to plotly figures; no I/O, no widgets.

Every figure carries ``config`` defaults without the "Share chart" cloud button (NOTEBOOKS.md P21) when shown
through :func:`show_config`. Company text never enters a figure unescaped: plotly renders trace text as
text, and hover templates here only use numbers and codes.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

__all__ = ["PLOTLY_CONFIG", "intake_overview"]

PLOTLY_CONFIG = {"showSendToCloud": False, "displaylogo": False, "responsive": True}

SOURCE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"]


def intake_overview(counts: pd.DataFrame, *, lang: str = "de") -> go.Figure:
    """Stacked bars: accepted entries per category, split by source, plus the quarantined count.

    Parameters
    ----------
    counts : DataFrame
        As written by :func:`vielfalt.stages.category_source_counts` (categories × sources, a total column
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
        fig.add_bar(name=str(src), x=list(body.index), y=body[src].tolist(),
                    marker_color=SOURCE_COLOURS[k % len(SOURCE_COLOURS)],
                    hovertemplate="%{x}: %{y}<extra>" + str(src) + "</extra>")
    q = int(counts.iloc[-1][total_col])
    fig.add_bar(name=("zurückgestellt" if lang == "de" else "quarantined"), x=[counts.index[-1]], y=[q],
                marker_color="#d62728")
    fig.update_layout(
        barmode="stack",
        title=("Einsendungen nach Kategorie und Quelle" if lang == "de" else "Entries by category and source"),
        yaxis_title=("Anzahl" if lang == "de" else "Count"),
        legend_title=("Quelle" if lang == "de" else "Source"),
        template="plotly_white", height=380, margin={"t": 60, "l": 50, "r": 20, "b": 40},
    )
    return fig
