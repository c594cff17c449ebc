"""What every figure of the suite shares: the plotly config and the colour lists.

:data:`PLOTLY_CONFIG` is the one config of every figure shown in a notebook, in the static jury page and in
the live dashboard: no "Share chart" upload to Plotly Cloud (NOTEBOOKS.md P21), no plotly logo, responsive.
"""

from __future__ import annotations

__all__ = ["JURY_COLOURS", "PLOTLY_CONFIG", "SOURCE_COLOURS"]

#: plotly config of every figure (no "Share chart" upload to Plotly Cloud, P21).
PLOTLY_CONFIG = {"showSendToCloud": False, "displaylogo": False, "responsive": True}

#: Colours of sources, categories and editions in the stage figures, in order.
SOURCE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"]

#: Colours of the entries in the jury's figures, in order.
JURY_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"]
