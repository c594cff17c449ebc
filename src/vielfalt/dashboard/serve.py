"""Serving the live jury dashboard with Voilà on 127.0.0.1, with every resource local.

Voilà 0.5.13's ``lab`` template links the Font Awesome 5 CSS (``all.min.css`` and ``v4-shims.min.css``) from
cdn.jsdelivr.net: the two requests a plain setup sends to the network. The template ``vielfalt``
(``vielfalt/dashboard/templates/jupyter/voila/templates/vielfalt``, found through ``JUPYTER_PATH``) is the
lab template without those links. MathJax is not loaded by the lab template, and plotly figures in output
widgets are drawn by the locally installed ``jupyterlab-plotly`` extension. The ``jupyterlab-jupytext`` lab
extension fails to load inside Voilà (a console error, "shared module is not a function"), so it is disabled
for the app.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Any

__all__ = [
    "TEMPLATE",
    "TEMPLATE_ROOT",
    "dashboard_notebook",
    "free_port",
    "voila_command",
    "voila_env",
]

TEMPLATE = "vielfalt"
TEMPLATE_ROOT = Path(__file__).resolve().parent / "templates" / "jupyter"
NOTEBOOK = "06_jury"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now.

    Returns
    -------
    int
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dashboard_notebook(
    project_root: str | Path,
    edition: str,
    run_dir: str | Path,
    out_dir: str | Path,
    *,
    lang: str = "de",
    kernel_name: str = "vielfalt",
) -> Path:
    """Convert ``notebooks/06_jury.py`` to ``<out_dir>/06_jury.ipynb`` with the live parameters injected.

    The parameters (``edition``, ``project_root``, ``run_dir``, ``lang``, ``live=True``) are injected the way
    papermill does (a tagged cell after the parameters cell); nothing is executed here.

    Parameters
    ----------
    project_root : str or Path
        The project (``notebooks/``, ``params/``, ``data/``).
    edition : str
    run_dir : str or Path
        The run whose artefacts the dashboard shows.
    out_dir : str or Path
        Where the notebook is written.
    lang : {"de", "en"}, default "de"
    kernel_name : str, default "vielfalt"

    Returns
    -------
    Path
        The written notebook.
    """
    import jupytext
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    source = Path(project_root) / "notebooks" / f"{NOTEBOOK}.py"
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": kernel_name, "display_name": kernel_name, "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    params: dict[str, Any] = {
        "edition": edition,
        "project_root": str(Path(project_root).resolve()),
        "run_dir": str(Path(run_dir).resolve()),
        "lang": lang,
        "live": True,
    }
    # papermill's own loader adds the metadata its parameterizer expects (tags on every cell, papermill block)
    out = Path(out_dir) / f"{NOTEBOOK}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    nb = load_notebook_node(str(out))
    nb = parameterize_notebook(nb, params, kernel_name=kernel_name, language="python")
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    nbformat.write(nb, out)
    return out


def voila_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for Voilà: our template directory first on ``JUPYTER_PATH``.

    Parameters
    ----------
    base : dict, optional
        The environment to start from; default ``os.environ``.

    Returns
    -------
    dict
    """
    env = dict(os.environ if base is None else base)
    parts = [str(TEMPLATE_ROOT), *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]]
    env["JUPYTER_PATH"] = os.pathsep.join(parts)
    return env


def voila_command(notebook: str | Path, port: int) -> list[str]:
    """The Voilà command line serving `notebook` on 127.0.0.1:`port` with local resources only.

    Parameters
    ----------
    notebook : str or Path
    port : int

    Returns
    -------
    list of str
    """
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={int(port)}",
        "--Voila.ip=127.0.0.1",
        f"--template={TEMPLATE}",
        "--theme=light",
        '--VoilaConfiguration.extension_denylist=["jupyterlab-jupytext"]',
        "--VoilaConfiguration.show_tracebacks=False",
    ]
