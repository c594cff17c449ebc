"""Where plotly.js lives: never in the executed notebooks (saved after every cell), once per report."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from plotly.offline import get_plotlyjs

from vielfalt.runs.runner import StageSpec, export_html, run_stages

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
FIGURE = '<div id="f"></div><script>Plotly.newPlot("f", [])</script>'


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of the stage that shows a plotly figure."""
    stage = StageSpec(name="write", notebook=NOTEBOOKS / "write_stage.py")
    return run_stages([stage], runs_root=tmp_path_factory.mktemp("runs"), edition="reports").run_dir


def test_executed_notebook_does_not_carry_plotlyjs(run_dir: Path) -> None:
    """The executed notebook keeps the figure (mimetype and div) but not the 4.8 MB library."""
    text = (run_dir / "write_stage.ipynb").read_text(encoding="utf-8")
    assert "application/vnd.plotly.v1+json" in text and "Plotly.newPlot" in text
    assert get_plotlyjs()[:2000] not in text
    assert (run_dir / "write_stage.ipynb").stat().st_size < 500_000


def test_report_has_plotlyjs_once_in_its_head(run_dir: Path) -> None:
    """The HTML report embeds plotly.js once, inline, in the head, before the first figure is drawn."""
    html = (run_dir / "write_stage.html").read_text(encoding="utf-8")
    library = get_plotlyjs()
    assert html.count(library) == 1
    assert html.index(library) < html.index("</head>") < html.index("Plotly.newPlot")


def test_old_notebook_with_plotlyjs_in_its_outputs_is_not_doubled(tmp_path: Path) -> None:
    """A notebook executed by an earlier version (plotly.js in an output) exports with the library once."""
    library = get_plotlyjs()
    nb = new_notebook(cells=[new_code_cell("fig", outputs=[
        new_output("display_data", data={"text/html": f"<script>{library}</script>"}),
        new_output("display_data", data={"text/html": FIGURE}),
    ])])  # fmt: skip
    src = tmp_path / "old.ipynb"
    nbformat.write(nb, src)
    html = export_html(src, tmp_path / "old.html").read_text(encoding="utf-8")
    assert html.count(library) == 1


def test_report_without_figures_gets_no_plotlyjs(tmp_path: Path) -> None:
    """A report without plotly figures stays small: no library is added."""
    nb = new_notebook(
        cells=[new_code_cell("1", outputs=[new_output("execute_result", data={"text/plain": "1"})])]
    )
    src = tmp_path / "plain.ipynb"
    nbformat.write(nb, src)
    html = export_html(src, tmp_path / "plain.html").read_text(encoding="utf-8")
    assert get_plotlyjs()[:2000] not in html and len(html) < 1_000_000
