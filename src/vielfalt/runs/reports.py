"""The HTML report of an executed stage notebook, and the display setup that makes its figures survive.

:func:`configure_notebook_display` runs inside the stage's kernel (the runner's setup cell calls it); it makes
plotly write each figure as HTML that needs no CDN. :func:`export_html` turns the executed notebook into one
self-contained HTML file without code, with plotly.js embedded once in its head.

nbconvert and plotly are imported inside the functions: the kernel imports this module and should not pay
for nbconvert.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from vielfalt.runs.notebooks import skip_slow_optional_imports

__all__ = ["configure_notebook_display", "export_html"]

_OFFLINE_RENDERER = "vielfalt_offline"

# JupyterLab's template loads require.js, MathJax, mermaid and the widget manager from CDNs. The jury and
# the evaluators read the reports offline, and plotly.js (embedded by configure_notebook_display) defines
# window.Plotly only when require.js is absent, so the template (runs/templates/) empties these blocks.
# Widgets are not shipped (P16).
_HTML_TEMPLATE_NAME = "vielfalt_offline.html.j2"


# ---------------------------------------------------------------------------------------- kernel side


def configure_notebook_display() -> None:
    """Make plotly figures in a stage notebook survive the export to offline HTML.

    Called by the cell the runner injects after the parameters cell, inside the kernel. Under papermill
    plotly's default renderer is ``plotly_mimetype``, which nbconvert drops (NOTEBOOKS.md P17), and plotly's
    own ``notebook`` renderer loads MathJax from a CDN for every figure (P20). This registers a renderer that
    writes each figure as a ``div`` with an inline script, with ``showSendToCloud`` off (P21), and makes it
    the default together with ``plotly_mimetype`` (so JupyterLab still shows the executed notebook natively,
    through its plotly extension). plotly.js itself (4.8 MB) is not put into the notebook: papermill saves
    the notebook after every cell, and :func:`export_html` embeds plotly.js once in the report's head.
    Notebooks need no change: ``fig.show()`` or a figure as the last expression of a cell both work.
    """
    skip_slow_optional_imports()  # plotly imports nbformat (and so jsonschema) for fig.show
    import pandas as pd
    import plotly.io as pio
    from plotly.io._base_renderers import NotebookRenderer  # plotly is pinned (pyproject.toml)

    # evaluators read reasons and "why" columns in full; pandas would cut them at 50 characters
    pd.set_option("display.max_colwidth", 400)
    pd.set_option("display.max_rows", 500)

    class OfflineNotebookRenderer(NotebookRenderer):
        """plotly's notebook renderer without CDN MathJax, the share button or plotly.js in the notebook."""

        def activate(self) -> None:
            """Embed nothing: the HTML export adds plotly.js once (see export_html)."""

        def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, str]:
            """Return the figure as a ``text/html`` div that uses the plotly.js of the report's head."""
            html = pio.to_html(
                fig_dict,
                config={**self.config, "showSendToCloud": False},
                auto_play=self.auto_play,
                include_plotlyjs=False,
                include_mathjax=False,
                post_script=self.post_script,
                full_html=False,
                animation_opts=self.animation_opts,
                default_width="100%",
                default_height=525,
                validate=False,
            )
            return {"text/html": html}

    pio.renderers[_OFFLINE_RENDERER] = OfflineNotebookRenderer()
    pio.renderers.default = f"plotly_mimetype+{_OFFLINE_RENDERER}"


# ------------------------------------------------------------------------------------------------ HTML


def export_html(
    notebook: str | os.PathLike[str], html: str | os.PathLike[str], *, title: str | None = None
) -> Path:
    """Export an executed notebook to self-contained HTML without code cells.

    Parameters
    ----------
    notebook : str or path-like
        The executed ``.ipynb``.
    html : str or path-like
        Where to write the HTML (atomically).
    title : str or None, default None
        Page title; the notebook's stem by default.

    Returns
    -------
    Path
        The HTML path.

    Notes
    -----
    Uses nbconvert's ``lab`` template with ``exclude_input`` and both prompts excluded (papermill's
    ``report_mode`` only hides code in the editor, P8), and without any script loaded from the network.
    """
    skip_slow_optional_imports()
    import nbformat

    nb = nbformat.read(os.fspath(notebook), as_version=4)
    name = title or Path(notebook).stem
    body, _ = _html_exporter().from_notebook_node(nb, resources={"metadata": {"name": name}})
    body = _with_plotlyjs(body)
    out = Path(html)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, out)
    return out


@functools.cache
def _html_exporter() -> Any:
    """The report exporter, built once per process: its templates compile on first use (0.05-0.1 s)."""
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file=_HTML_TEMPLATE_NAME,
        extra_loaders=[jinja2.PackageLoader("vielfalt", "runs/templates")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="de",
    )


def _with_plotlyjs(body: str) -> str:
    """Put plotly.js (inline, never a CDN) into the head of a report that draws plotly figures, once.

    Figures are drawn by inline scripts as the page is parsed, so the library must come before them. A
    notebook executed by an older version carries plotly.js in its outputs already; it is not added twice.
    """
    if "Plotly.newPlot" not in body:
        return body
    from plotly.offline import get_plotlyjs

    library = get_plotlyjs()
    if library in body:
        return body
    script = (
        '<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: "local"};</script>\n'
        f'<script type="text/javascript">{library}</script>\n'
    )
    head = body.find("</head>")
    return body[:head] + script + body[head:] if head >= 0 else script + body
