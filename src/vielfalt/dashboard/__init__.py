"""Figures and dashboards: pure data → plotly figures (`figures`), widgets, self-contained HTML."""
