"""Run stage notebooks with papermill into a run directory that becomes visible only when complete.

A run of one edition executes one or more stage notebooks (jupytext percent files in ``notebooks/``) on the
``vielfalt`` kernel. Everything happens in ``<runs_root>/<edition>/.<run-id>.partial/``:

- ``manifest.json`` is written at once with status ``"running"`` and rewritten after every stage;
- ``_src/<stem>.ipynb`` is the notebook converted from its jupytext source, exactly as handed to papermill;
- ``<stem>.ipynb`` is the executed notebook and ``<stem>.html`` its HTML export without code;
- ``artefacts/`` holds the tables the stages exchange (:mod:`vielfalt.runs.manifest`).

Only when every requested stage has finished are the hashes of all files written into the final manifest and
the directory renamed to ``<runs_root>/<edition>/<run-id>/`` (one atomic ``rename`` on the same file system).
A failed, interrupted or killed run therefore never looks complete, and earlier runs are never touched.

Papermill, nbconvert and jupytext are imported inside the functions that use them: the stage notebooks
import this module (see :func:`configure_notebook_display`) and should not pay for them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import errno
import functools
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any, Literal

import numpy as np

from vielfalt.exceptions import ConfigError, DataError, PipelineError, VielfaltError
from vielfalt.runs.manifest import (
    ARTEFACTS_DIR,
    MANIFEST_NAME,
    BaseRunRecord,
    RunManifest,
    StageFailure,
    StageRecord,
    artefact_hashes,
    file_hashes,
    fsync_dir,
    git_info,
    load_manifest,
    package_versions,
    sha256_file,
    utc_now,
    write_manifest,
)

__all__ = [
    "INJECTED_SETUP_TAG",
    "RESERVED_PARAMETERS",
    "ProgressCallback",
    "RunInfo",
    "RunResult",
    "RunTerminated",
    "StageSpec",
    "configure_notebook_display",
    "export_html",
    "latest_run",
    "list_runs",
    "new_run_id",
    "run_stages",
    "to_json_parameter",
]

#: Parameters the runner injects into every stage notebook; each stage notebook must declare both.
RESERVED_PARAMETERS = ("run_dir", "project_root")

#: Tag of the cell the runner adds after the parameters cell to set up display (plotly renderer).
INJECTED_SETUP_TAG = "injected-vielfalt-setup"

_PAPERMILL_PARAMS_TAG = "injected-parameters"
_PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
_INJECTED_TAGS = frozenset({_PAPERMILL_PARAMS_TAG, INJECTED_SETUP_TAG})

_SETUP_SOURCE = """\
# Added by vielfalt.runs.runner (not part of the source notebook): plotly figures are rendered as HTML with
# plotly.js embedded once, so that they appear in the offline HTML report (NOTEBOOKS.md P17, P20).
from vielfalt.runs.runner import configure_notebook_display

configure_notebook_display()"""

# Names of editions and runs become directory names: no separators, no leading dot (hidden / .partial).
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_STAGE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_PARTIAL_RE = re.compile(r"^\.(?P<run_id>[A-Za-z0-9][A-Za-z0-9_.\-]*)\.partial$")

_SUMMARY_EVALUE_LIMIT = 400

#: How many stages ahead kernels are pre-started (see vielfalt.runs.warm_kernel).
WARM_AHEAD = 2

ProgressCallback = Callable[[str, int, int, str], None]
"""``progress(stage, index, total, status)``: index is 1-based, status ``"running"``, ``"complete"`` or
``"failed"``."""


class RunTerminated(KeyboardInterrupt):
    """Raised inside :func:`run_stages` when the process receives SIGTERM, so the run is marked failed."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class StageSpec:
    """One stage to run: its name, its jupytext notebook and the parameters to inject.

    Parameters
    ----------
    name : str
        Stage name (``"intake"``); letters, digits and ``_``, starting with a letter.
    notebook : Path
        The jupytext percent source (``notebooks/01_intake.py``); the executed notebook and its HTML are named
        after its stem.
    parameters : Mapping, default {}
        Values to inject; converted to plain JSON by :func:`to_json_parameter`. ``run_dir`` and
        ``project_root`` are added by the runner and must not be given here.
    """

    name: str
    notebook: Path
    parameters: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        """Validate the stage name."""
        if not isinstance(self.name, str) or not _STAGE_RE.match(self.name):
            msg = (
                "The 'name' parameter of StageSpec must consist of letters, digits and '_', starting with a "
                f"letter. Got {self.name!r} instead."
            )
            raise ConfigError(msg)


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunResult:
    """The outcome of a complete run.

    Attributes
    ----------
    run_dir : Path
        The final run directory ``<runs_root>/<edition>/<run_id>``.
    run_id : str
        The run id.
    manifest : RunManifest
        The final manifest (status ``"complete"``).
    notebooks : dict of str to Path
        Executed notebook per stage.
    html : dict of str to Path
        HTML report (without code) per stage.
    """

    run_dir: Path
    run_id: str
    manifest: RunManifest
    notebooks: dict[str, Path]
    html: dict[str, Path]


RunStatus = Literal["complete", "failed", "incomplete", "running", "invalid"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunInfo:
    """One run directory of an edition and what state it is in.

    Attributes
    ----------
    run_id : str
        The run id.
    path : Path
        The directory (``<run_id>`` or ``.<run_id>.partial``).
    status : {"complete", "failed", "incomplete", "running", "invalid"}
        ``complete``: renamed, manifest complete. ``failed``: a stage failed or the run was interrupted.
        ``incomplete``: killed (``.partial`` whose manifest still says running, runner gone, or no manifest).
        ``running``: ``.partial`` whose runner process is still alive on this host. ``invalid``: a final
        directory without a complete manifest (edited by hand).
    manifest : RunManifest or None
        The manifest when readable.
    """

    run_id: str
    path: Path
    status: RunStatus
    manifest: RunManifest | None

    @property
    def started_at(self) -> str | None:
        """Start time (UTC ISO) from the manifest, or None."""
        return self.manifest.started_at if self.manifest else None


# ---------------------------------------------------------------------------------------------- params


def to_json_parameter(value: Any, *, name: str = "value", stage: str | None = None) -> Any:
    """Convert a parameter value to plain JSON types before papermill injects it.

    papermill writes parameters as Python literals and fails on ``Path``, ``date`` or ``numpy.int64`` with a
    JSON TypeError, and turns a tuple into its string (NOTEBOOKS.md P3). Converting first gives every
    notebook the same plain types, and the manifest records exactly what was injected.

    Parameters
    ----------
    value : object
        ``None``, ``bool``, ``int``, finite ``float``, ``str``; ``pathlib`` paths become absolute path strings
        (relative to the caller's working directory, because notebooks run with the run directory as
        working directory, P25); ``date``/``datetime`` become ISO strings; numpy scalars become Python
        scalars; tuples and lists become lists; mappings with string keys become dicts, recursively.
    name : str, default "value"
        Parameter name, for the error message.
    stage : str or None, default None
        Stage name, for the error message.

    Returns
    -------
    object
        The converted value.

    Raises
    ------
    ConfigError
        For any other type, non-string keys, NaN or infinity.

    Examples
    --------
    >>> import datetime, numpy
    >>> to_json_parameter((numpy.int64(3), datetime.date(2010, 5, 1)))
    [3, '2010-05-01']
    """
    where = f"stage {stage!r}" if stage else "the stage"
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.datetime64 | np.timedelta64):
        msg = (
            f"The {name!r} parameter of {where} must not be a numpy datetime64/timedelta64 (its unit makes "
            f"the conversion ambiguous); pass a datetime.date or an ISO string. Got {value!r} instead."
        )
        raise ConfigError(msg)
    if isinstance(value, np.generic):
        return to_json_parameter(value.item(), name=name, stage=stage)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not np.isfinite(value):
            msg = f"The {name!r} parameter of {where} must be a finite number. Got {value!r} instead."
            raise ConfigError(msg)
        return float(value)
    if isinstance(value, PurePath):
        return os.path.abspath(value)
    if isinstance(value, dt.date):  # datetime is a subclass of date
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json_parameter(v, name=f"{name}[{i}]", stage=stage) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                msg = f"The {name!r} parameter of {where} must have string keys. Got key {key!r} instead."
                raise ConfigError(msg)
            out[key] = to_json_parameter(item, name=f"{name}[{key!r}]", stage=stage)
        return out
    msg = (
        f"The {name!r} parameter of {where} must be None, bool, int, float, str, a path, a date, a numpy "
        f"scalar, or a list/tuple/dict of these. Got {value!r} of type {type(value).__name__} instead."
    )
    raise ConfigError(msg)


def _skip_slow_optional_imports() -> None:
    """Keep jsonschema (imported by nbformat, papermill, nbconvert) from loading ``rfc3987_syntax``.

    jsonschema imports that optional package for its "iri" format checkers, and importing it compiles lark
    grammars: 2.4 s of every ``vielfalt run`` before the first kernel starts. No notebook schema uses a
    "format" keyword, so nothing here needs the checkers; ``sys.modules[name] = None`` is Python's way to make
    an import fail (jsonschema then simply registers no iri checker). Done only before jsonschema is loaded.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


# ---------------------------------------------------------------------------------------- kernel side


_OFFLINE_RENDERER = "vielfalt_offline"


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
    _skip_slow_optional_imports()  # plotly imports nbformat (and so jsonschema) for fig.show
    import pandas as pd
    import plotly.io as pio
    from plotly.io._base_renderers import NotebookRenderer  # plotly is pinned (pyproject.toml)

    # evaluators read reasons and "why" columns in full; pandas would cut them at 50 characters
    pd.set_option("display.max_colwidth", 400)
    pd.set_option("display.max_rows", 500)

    class OfflineNotebookRenderer(NotebookRenderer):  # type: ignore[misc]
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

_HTML_TEMPLATE_NAME = "vielfalt_offline.html.j2"

# JupyterLab's template loads require.js, MathJax, mermaid and the widget manager from CDNs. The jury and
# the evaluators read the reports offline, and plotly.js (embedded by configure_notebook_display) defines
# window.Plotly only when require.js is absent, so these blocks are emptied. Widgets are not shipped (P16).
_HTML_TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
"""


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
    _skip_slow_optional_imports()
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
        extra_loaders=[jinja2.DictLoader({_HTML_TEMPLATE_NAME: _HTML_TEMPLATE})],
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


# ------------------------------------------------------------------------------------------ preparing


@dataclasses.dataclass(kw_only=True)
class _Prepared:
    """A stage checked and converted, ready to run."""

    spec: StageSpec
    source: Path
    source_sha256: str
    stem: str
    nb: Any  # nbformat.NotebookNode
    parameters: dict[str, Any]


def _display_path(path: Path, project_root: Path) -> str:
    """Return ``path`` relative to the project when inside it (shorter in messages), else absolute."""
    try:
        return path.relative_to(project_root).as_posix()
    except ValueError:
        return str(path)


def _read_source(spec: StageSpec, kernel_name: str) -> tuple[Path, Any]:
    """Read a jupytext percent notebook into nbformat, with deterministic cell ids and our kernelspec."""
    import jupytext

    source = Path(spec.notebook).absolute()
    if not source.is_file():
        msg = f"The notebook of stage {spec.name!r} does not exist: {source}."
        raise ConfigError(msg)
    try:
        nb = jupytext.read(source, fmt="py:percent" if source.suffix == ".py" else None)
    except Exception as err:  # jupytext raises many kinds of errors for broken files
        msg = f"The notebook of stage {spec.name!r} ({source}) cannot be read by jupytext: {err}."
        raise ConfigError(msg) from err
    # Kernel names from notebook metadata break in CI (P5): always ours.
    nb.metadata["kernelspec"] = {"name": kernel_name, "display_name": kernel_name, "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    # jupytext gives random cell ids; fixed ids keep the converted notebooks comparable between runs.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return source, nb


def _parameters_cell_index(nb: Any) -> int:
    """Return the index of the first cell tagged ``parameters``, or -1."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return i
    return -1


def _declared_parameters(nb: Any) -> set[str]:
    """Return the names the parameters cell declares, as papermill infers them."""
    import nbformat
    import papermill

    with tempfile.TemporaryDirectory(prefix="vielfalt-inspect-") as tmp:
        path = Path(tmp) / "notebook.ipynb"
        nbformat.write(nb, path)
        return set(papermill.inspect_notebook(str(path)))


def _prepare(
    spec: StageSpec,
    *,
    kernel_name: str,
    run_dir: Path,
    project_root: Path,
    seed: int | None,
) -> _Prepared:
    """Convert a stage's notebook and parameters and check them before any kernel starts."""
    import nbformat

    source, nb = _read_source(spec, kernel_name)
    shown = _display_path(source, project_root)
    index = _parameters_cell_index(nb)
    if index < 0:
        msg = (
            f"The notebook of stage {spec.name!r} ({shown}) has no code cell tagged 'parameters'. Mark its "
            "first code cell with '# %% tags=[\"parameters\"]'."
        )
        raise ConfigError(msg)

    for reserved in RESERVED_PARAMETERS:
        if reserved in spec.parameters:
            msg = (
                f"The {reserved!r} parameter of stage {spec.name!r} is set by the runner and must not be "
                "given. Remove it from the stage parameters."
            )
            raise ConfigError(msg)
    params = {k: to_json_parameter(v, name=k, stage=spec.name) for k, v in spec.parameters.items()}

    declared = _declared_parameters(nb)
    missing = [r for r in RESERVED_PARAMETERS if r not in declared]
    if missing:
        msg = (
            f"The notebook of stage {spec.name!r} ({shown}) must declare {', '.join(map(repr, missing))} in "
            "its parameters cell (every stage notebook declares run_dir and project_root)."
        )
        raise ConfigError(msg)
    if seed is not None and "seed" in declared:
        if "seed" in params and params["seed"] != seed:
            msg = (
                f"The 'seed' parameter of stage {spec.name!r} must equal the run's seed {seed}. "
                f"Got {params['seed']!r} instead."
            )
            raise ConfigError(msg)
        params["seed"] = seed
    unknown = sorted(set(params) - declared)
    if unknown:
        lines = []
        for name in unknown:
            close = difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            lines.append(
                f"The notebook of stage {spec.name!r} ({shown}) declares no parameter {name!r}.{hint}"
            )
        lines.append(f"Declared parameters: {', '.join(sorted(declared))}.")
        msg = "\n".join(lines)
        raise ConfigError(msg)

    params["run_dir"] = str(run_dir)
    params["project_root"] = str(project_root)

    setup = nbformat.v4.new_code_cell(_SETUP_SOURCE)
    setup["id"] = "vielfalt-setup"
    setup.metadata["tags"] = [INJECTED_SETUP_TAG]
    setup.metadata["jupyter"] = {"source_hidden": True}
    nb.cells.insert(index + 1, setup)
    return _Prepared(
        spec=spec,
        source=source,
        source_sha256=sha256_file(source),
        stem=source.stem,
        nb=nb,
        parameters=dict(sorted(params.items())),
    )


# ----------------------------------------------------------------------------------------- the run


def new_run_id() -> str:
    """Return a new run id: UTC time to the second and a random suffix, e.g. ``20261122T184512Z-3f2a``.

    Returns
    -------
    str
        Sorts in start order (to the second); the suffix keeps runs started in the same second apart.
    """
    return f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def _default_project_root() -> Path:
    """Return the directory holding ``pyproject.toml`` above this package (src layout), else the cwd."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd()


def _check_id(value: str, what: str) -> None:
    """Raise ConfigError unless ``value`` can serve as a directory name for an edition or run."""
    if not isinstance(value, str) or not _ID_RE.match(value) or value.endswith(".partial"):
        msg = (
            f"The {what!r} parameter of run_stages must consist of letters, digits, '_', '-' and '.', start "
            f"with a letter or digit and not end in '.partial'. Got {value!r} instead."
        )
        raise ConfigError(msg)


def _check_kernel(kernel_name: str) -> None:
    """Raise PipelineError when the kernel is not installed: a missing kernel must fail, not skip (P10)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel as err:
        msg = (
            f"Der Jupyter-Kernel {kernel_name!r} ist nicht installiert; es wurde keine Stufe ausgeführt. "
            "Bitte `make setup` ausführen (registriert den Kernel 'vielfalt'). "
            f"(The Jupyter kernel {kernel_name!r} is not installed; no stage was run.)"
        )
        raise PipelineError(msg) from err


def _hash_inputs(inputs: Mapping[str, str | os.PathLike[str]]) -> tuple[dict[str, str], dict[str, str]]:
    """Return (name → absolute path, absolute file path → sha256); directories are hashed file by file."""
    paths: dict[str, str] = {}
    hashes: dict[str, str] = {}
    for name, value in sorted(inputs.items()):
        path = Path(os.path.abspath(value))
        if path.is_file():
            hashes[path.as_posix()] = sha256_file(path)
        elif path.is_dir():
            for rel, digest in file_hashes(path).items():
                hashes[(path / rel).as_posix()] = digest
        else:
            msg = (
                f"Die Eingabe {name!r} fehlt: {path} existiert nicht. Bitte die Datei dort ablegen. "
                f"(Input {name!r} is missing: {path}.)"
            )
            raise DataError(msg, path=str(path))
        paths[name] = path.as_posix()
    return paths, dict(sorted(hashes.items()))


def _check_base_run(base_run: str | os.PathLike[str], edition: str) -> tuple[Path, BaseRunRecord]:
    """Check that ``base_run`` is a complete, unmodified run of the edition and describe it."""
    path = Path(base_run).absolute()
    if path.name.startswith(".") or not path.is_dir():
        msg = f"Der Basislauf {path} ist kein abgeschlossener Lauf (fehlt oder ist unvollständig)."
        raise PipelineError(msg)
    manifest = load_manifest(path)
    if manifest.status != "complete" or manifest.edition != edition:
        msg = (
            f"Der Basislauf {path} ist nicht verwendbar: Status {manifest.status!r}, Ausgabe "
            f"{manifest.edition!r} (erwartet: abgeschlossener Lauf der Ausgabe {edition!r})."
        )
        raise PipelineError(msg)
    current = artefact_hashes(path)
    if current != manifest.artefacts:
        changed = sorted(set(current.items()) ^ set(manifest.artefacts.items()))
        msg = (
            f"Die Zwischenergebnisse des Basislaufs {path} wurden nach seinem Abschluss verändert "
            f"({', '.join(sorted({name for name, _ in changed}))}); er kann nicht als Basis dienen."
        )
        raise PipelineError(msg)
    record = BaseRunRecord(
        run_id=manifest.run_id,
        path=path.as_posix(),
        stages_completed=list(manifest.stages_completed),
        artefacts=current,
    )
    return path, record


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`RunTerminated` while a run executes, so that it is marked failed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        # A second SIGTERM while the failure is being recorded kills the process: the .partial name
        # already guarantees the run cannot look complete.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        msg = "SIGTERM"
        raise RunTerminated(msg)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_NOT_WRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def _os_error_text(err: BaseException, where: Path) -> tuple[str, str] | None:
    """German and English sentences for a full disk or a folder that cannot be written, else None."""
    code = getattr(err, "errno", None)
    if code is None:  # raised in a kernel: only its text travels (PapermillExecutionError.evalue)
        text = f"{getattr(err, 'ename', '')} {getattr(err, 'evalue', '')} {err}"
        match = re.search(r"\[Errno (\d+)\]", text)
        code = int(match.group(1)) if match else None
    if code in _DISK_FULL:
        return (
            f"Auf dem Datenträger von {where} ist kein Platz mehr frei. Bitte Platz schaffen (z. B. alte "
            "Läufe in runs/ löschen) und den Lauf neu starten.",
            f"The disk holding {where} is full. Free some space (e.g. delete old runs in runs/) and start "
            "the run again.",
        )
    if code in _NOT_WRITABLE:
        return (
            f"In {where} kann nicht geschrieben werden (schreibgeschützt oder keine Rechte). Bitte einen "
            "beschreibbaren Ordner für runs/ verwenden oder die Rechte prüfen.",
            f"{where} cannot be written (read-only or no permission). Use a writable folder for runs/ or "
            "check the permissions.",
        )
    return None


def _failing_cell(output_nb: Path) -> tuple[int | None, int | None, int | None]:
    """Find the failing cell in a saved output notebook.

    Returns (cell index in the executed notebook, 1-based cell number in the source notebook, execution
    count). The executed notebook has papermill's injected-parameters cell and our setup cell, which the
    source has not; papermill's error banner cells are not counted.
    """
    import nbformat

    try:
        nb = nbformat.read(output_nb, as_version=4)
    except (OSError, ValueError):
        return None, None, None
    cells = [c for c in nb.cells if _PAPERMILL_ERROR_TAG not in c.get("metadata", {}).get("tags", [])]
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        errored = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        if meta.get("exception") or errored or meta.get("status") == "running":
            return index, _source_cell_number(cells, index), cell.get("execution_count")
    return None, None, None


def _source_cell_number(cells: Sequence[Any], index: int) -> int | None:
    """Map an executed-notebook cell index to its 1-based number in the source notebook."""
    tags = cells[index].get("metadata", {}).get("tags", [])
    if _INJECTED_TAGS.intersection(tags):
        return None
    injected = sum(
        1 for c in cells[:index] if _INJECTED_TAGS.intersection(c.get("metadata", {}).get("tags", []))
    )
    return index - injected + 1


def _summaries(
    *,
    stage: str,
    source: str,
    source_cell: int | None,
    ename: str,
    evalue: str,
    output_nb: Path,
    run_dir: Path,
    interrupted: bool,
    hint: tuple[str, str] | None = None,
) -> tuple[str, str]:
    """Build the one-paragraph German and English failure summaries (``hint``: full disk, read-only)."""
    value = " ".join(evalue.split())
    if len(value) > _SUMMARY_EVALUE_LIMIT:
        value = value[: _SUMMARY_EVALUE_LIMIT - 1] + "…"
    error = f"{ename}: {value}" if value else ename
    error = error.rstrip(".")  # the sentence supplies its own full stop
    cell_de = f" in Zelle {source_cell} von {source}" if source_cell is not None else f" ({source})"
    cell_en = f" in cell {source_cell} of {source}" if source_cell is not None else f" ({source})"
    if interrupted:
        head_de = f"Stufe {stage!r} wurde{cell_de} abgebrochen ({error})."
        head_en = f"Stage {stage!r} was interrupted{cell_en} ({error})."
        what_de, what_en = "Das bis dahin ausgeführte Notizbuch", "The notebook as executed so far"
    else:
        head_de = f"Stufe {stage!r} ist{cell_de} fehlgeschlagen: {error}."
        head_en = f"Stage {stage!r} failed{cell_en}: {error}."
        what_de = "Das ausgeführte Notizbuch mit der vollständigen Fehlermeldung"
        what_en = "The executed notebook with the full traceback"
    if output_nb.is_file():
        where_de, where_en = f" {what_de}: {output_nb}.", f" {what_en}: {output_nb}."
    else:
        where_de = where_en = ""
    tail_de = (
        f" Der Lauf ist nicht abgeschlossen und bleibt als {run_dir.name} erhalten; frühere Läufe sind "
        "unverändert."
    )
    tail_en = f" The run is not complete and stays as {run_dir.name}; earlier runs are unchanged."
    hint_de = hint_en = ""
    if hint is not None:
        hint_de, hint_en = f" {hint[0]}", f" {hint[1]}"
    return head_de + hint_de + where_de + tail_de, head_en + hint_en + where_en + tail_en


class _Run:
    """The mutable state of one run: its directory and its (frozen) manifest, rewritten on every change."""

    def __init__(self, run_dir: Path, manifest: RunManifest) -> None:
        self.run_dir = run_dir
        self.manifest = manifest
        write_manifest(manifest, run_dir)

    def update(self, **changes: Any) -> None:
        """Replace manifest fields and write the manifest."""
        self.manifest = self.manifest.model_copy(update=changes)
        write_manifest(self.manifest, self.run_dir)

    def update_stage(self, name: str, **changes: Any) -> StageRecord:
        """Replace fields of one stage record and write the manifest."""
        record = self.manifest.stages[name].model_copy(update=changes)
        self.update(stages={**self.manifest.stages, name: record})
        return record

    def fail(self, prepared: _Prepared, err: BaseException, *, project_root: Path) -> StageFailure:
        """Record a failed stage and a failed run; returns the failure."""
        from nbclient.exceptions import CellTimeoutError
        from papermill.exceptions import PapermillExecutionError

        output_nb = self.run_dir / f"{prepared.stem}.ipynb"
        interrupted = not isinstance(err, Exception)
        cell_index, source_cell, exec_count = _failing_cell(output_nb)
        if isinstance(err, PapermillExecutionError):
            ename, evalue = err.ename, err.evalue
            cell_index, exec_count = err.cell_index, err.exec_count
        elif isinstance(err, _EarlyExit):
            ename, evalue = "SystemExit", str(err)
        elif isinstance(err, CellTimeoutError):
            # nbclient appends a preview of the cell's code; the first sentence says what happened
            ename, evalue = type(err).__name__, re.split(r"\s+The message was", str(err), maxsplit=1)[0]
        else:
            ename, evalue = type(err).__name__, str(err)
        de, en = _summaries(
            stage=prepared.spec.name,
            source=_display_path(prepared.source, project_root),
            source_cell=source_cell,
            ename=ename,
            evalue=evalue,
            output_nb=output_nb,
            run_dir=self.run_dir,
            interrupted=interrupted,
            hint=_os_error_text(err, self.run_dir.parent),
        )
        failure = StageFailure(
            stage=prepared.spec.name,
            cell_index=cell_index,
            source_cell=source_cell,
            exec_count=exec_count,
            ename=ename,
            evalue=evalue,
            summary_de=de,
            summary_en=en,
        )
        html = self.run_dir / f"{prepared.stem}.html"
        with contextlib.suppress(Exception):  # the report of a failed stage is a courtesy
            if output_nb.is_file():
                export_html(output_nb, html, title=prepared.spec.name)
        record = self.manifest.stages[prepared.spec.name]
        ended = utc_now()
        stage = record.model_copy(
            update={
                "status": "failed",
                "ended_at": ended,
                "duration_s": _duration(record.started_at, ended),
                "failure": failure,
                "output_html": html.name if html.is_file() else None,
            }
        )
        # one write; on a full disk it may fail, and the .partial name still says "not complete"
        with contextlib.suppress(OSError):
            self.update(
                stages={**self.manifest.stages, prepared.spec.name: stage},
                status="failed",
                failure=failure,
                ended_at=ended,
            )
        return failure


class _EarlyExit(Exception):
    """A notebook ended early without an error (``sys.exit()``), which papermill counts as success (P7)."""


def _duration(start: str | None, end: str) -> float | None:
    """Seconds between two :func:`~vielfalt.runs.manifest.utc_now` stamps."""
    if start is None:
        return None
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
    delta = dt.datetime.strptime(end, fmt) - dt.datetime.strptime(start, fmt)
    return round(delta.total_seconds(), 3)


def _check_all_cells_ran(output_nb: Path) -> None:
    """Raise _EarlyExit when a code cell of the executed notebook did not run (``sys.exit()`` in a cell)."""
    import nbformat

    nb = nbformat.read(output_nb, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip() and cell.get("execution_count") is None:
            msg = (
                f"Das Notizbuch wurde vor Zelle {index} beendet (sys.exit), die folgenden Zellen liefen "
                f"nicht. (The notebook stopped before cell {index}.)"
            )
            raise _EarlyExit(msg)


def _execute(
    prepared: _Prepared,
    *,
    src: Path,
    out: Path,
    run_dir: Path,
    kernel_name: str,
    timeout: int,
    warm: Any = None,
) -> bool:
    """Execute one converted notebook with papermill; True when it ran in the pre-started kernel ``warm``."""
    import papermill
    from traitlets.config import Config

    from vielfalt.runs.warm_kernel import PrewarmedNotebookClient, register_engine, transport_encryption

    # Where pyzmq supports it, jupyter_client provisions CurveZMQ keys for kernels that declare support (ours
    # does), so the traffic is encrypted (and ipykernel does not warn).
    encryption = transport_encryption()
    PrewarmedNotebookClient.last = None
    papermill.execute_notebook(
        str(src),
        str(out),
        parameters=prepared.parameters,
        kernel_name=kernel_name,
        language="python",
        cwd=str(run_dir),
        execution_timeout=timeout,
        start_timeout=60,
        log_output=False,
        progress_bar=False,
        report_mode=False,
        request_save_on_cell_execute=True,
        config=Config({"KernelManager": {"transport_encryption": encryption}}),
        engine_name=register_engine(),
        warm_kernel=warm,
    )
    _check_all_cells_ran(out)
    client = PrewarmedNotebookClient.last
    return bool(client is not None and client.prewarmed)


def _start_warm_kernel(kernel_name: str, run_dir: Path, stage: _Prepared) -> Any:
    """Start the kernel of ``stage`` in the background (None when ``VIELFALT_NO_PREWARM`` is set)."""
    from vielfalt.runs.warm_kernel import WarmKernel, preload_code, prewarm_enabled, transport_encryption

    if not prewarm_enabled():
        return None
    return WarmKernel(
        kernel_name=kernel_name,
        cwd=run_dir,
        encryption=transport_encryption(),
        preload=preload_code(stage.nb),
    )


def _start_error(err: OSError, edition_dir: Path) -> PipelineError:
    """The message when the run directory or its first manifest cannot be written."""
    hint = _os_error_text(err, edition_dir)
    if hint is None:
        hint = (
            f"Der Laufordner in {edition_dir} kann nicht angelegt werden ({err}).",
            f"The run directory in {edition_dir} cannot be created ({err}).",
        )
    msg = f"{hint[0]} Es wurde keine Stufe ausgeführt; frühere Läufe sind unverändert. ({hint[1]})"
    return PipelineError(msg)


def _check_inputs_unchanged(
    inputs: Mapping[str, str | os.PathLike[str]], hashes: Mapping[str, str], run: _Run, last: _Prepared
) -> None:
    """Refuse to publish a run whose inputs changed or vanished while it ran (its manifest would lie)."""
    try:
        _, now = _hash_inputs(inputs)
    except DataError:
        now = {}
    changed = sorted(set(hashes.items()) ^ set(now.items()))
    if not changed:
        return
    files = ", ".join(sorted({path for path, _ in changed}))
    de = (
        f"Eingabedateien wurden während des Laufs verändert, ersetzt oder gelöscht: {files}. Der Lauf wird "
        f"nicht veröffentlicht und bleibt als {run.run_dir.name} liegen; bitte die Dateien in Ruhe lassen "
        "und den Lauf neu starten."
    )
    en = (
        f"Input files were changed, replaced or deleted while the run was executing: {files}. The run is not "
        f"published and stays as {run.run_dir.name}; leave the files alone and start the run again."
    )
    failure = StageFailure(
        stage=last.spec.name, ename="InputChanged", evalue=files, summary_de=de, summary_en=en
    )
    with contextlib.suppress(OSError):
        run.update(status="failed", failure=failure, ended_at=utc_now())
    msg = f"{de}\n\n{en}"
    raise PipelineError(msg, stage=last.spec.name, run_dir=str(run.run_dir))


def _fsync_tree(root: Path) -> None:
    """Flush every file and directory below ``root`` so that the final rename publishes durable contents."""
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        elif path.is_dir():
            fsync_dir(path)
    fsync_dir(root)


def run_stages(
    stages: Sequence[StageSpec],
    *,
    runs_root: str | os.PathLike[str],
    edition: str,
    run_id: str | None = None,
    inputs: Mapping[str, str | os.PathLike[str]] | None = None,
    seed: int | None = None,
    kernel_name: str = "vielfalt",
    execution_timeout: int = 600,
    extra_manifest: Mapping[str, Any] | None = None,
    progress: ProgressCallback | None = None,
    base_run: str | os.PathLike[str] | None = None,
    project_root: str | os.PathLike[str] | None = None,
    first_kernel: Any = None,
) -> RunResult:
    """Execute stage notebooks into a new run directory and publish it only when all have finished.

    Parameters
    ----------
    stages : sequence of StageSpec
        The stages to run, in order; names and notebook stems must be unique.
    runs_root : str or path-like
        The runs directory (``runs/``); the run goes to ``<runs_root>/<edition>/<run_id>/``.
    edition : str
        Edition id, used as directory name.
    run_id : str or None, default None
        Run id; by default :func:`new_run_id`. The run id appears only in the manifest and in the
        ``run_dir`` parameter, never in what the runner writes into artefacts.
    inputs : mapping of str to path, or None, default None
        Named input files or directories (``{"responses": data/demo2010/responses.csv}``). They are not
        copied: their absolute paths and the sha256 of every file are recorded in the manifest.
    seed : int or None, default None
        The run's seed, recorded in the manifest and injected as ``seed`` into every notebook that declares
        it (a stage parameter ``seed`` must then agree).
    kernel_name : str, default "vielfalt"
        The Jupyter kernel; a missing kernel raises PipelineError before anything runs (P10).
    execution_timeout : int, default 600
        Seconds one cell may run (P6).
    extra_manifest : mapping or None, default None
        ``questionnaire_sha256`` sets that manifest field; every other key goes into the manifest's
        ``extra`` (plain JSON, converted like parameters).
    progress : callable or None, default None
        ``progress(stage, index, total, status)`` before and after each stage (index 1-based; status
        ``"running"``, ``"complete"`` or ``"failed"``).
    base_run : path or None, default None
        A complete earlier run of the same edition whose ``artefacts/`` are copied into the new run first,
        so that later stages can run without repeating earlier ones; recorded in the manifest.
    project_root : path or None, default None
        Injected as ``project_root`` and used for the git commit; by default the directory holding
        ``pyproject.toml`` above the installed package.
    first_kernel : WarmKernel or None, default None
        The first stage's kernel, started by the caller before this call with
        :func:`vielfalt.runs.warm_kernel.start_early` (its start then overlaps the caller's imports and checks);
        moved into the run directory once that exists. Closed by this function in every case; ignored (and
        closed) when it is for another kernel.

    Returns
    -------
    RunResult
        The final run directory, manifest and per-stage outputs.

    Raises
    ------
    ConfigError
        Before anything runs: a bad stage list, notebook or parameter (unknown names get a did-you-mean).
    DataError
        Before anything runs: a missing input.
    PipelineError
        A missing kernel, an unusable base run, or a failed stage (message: the German and English summary;
        ``stage`` and ``run_dir`` set). The run directory stays ``.<run_id>.partial`` with a failed manifest.
    KeyboardInterrupt
        On Ctrl-C or SIGTERM (:class:`RunTerminated`), after marking the run failed.
    """
    _skip_slow_optional_imports()
    import nbformat

    started = utc_now()
    _check_id(edition, "edition")
    run_id = new_run_id() if run_id is None else run_id
    _check_id(run_id, "run_id")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        msg = f"The 'seed' parameter of run_stages must be an int or None. Got {seed!r} instead."
        raise ConfigError(msg)
    seed = None if seed is None else int(seed)
    if isinstance(execution_timeout, bool) or not isinstance(execution_timeout, int) or execution_timeout < 1:
        msg = (
            "The 'execution_timeout' parameter of run_stages must be a positive int (seconds). "
            f"Got {execution_timeout!r} instead."
        )
        raise ConfigError(msg)
    if not stages:
        msg = "The 'stages' parameter of run_stages must name at least one stage. Got an empty list instead."
        raise ConfigError(msg)
    names = [s.name for s in stages]
    stems = [Path(s.notebook).stem for s in stages]
    for label, values in (("stage names", names), ("notebook stems", stems)):
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            msg = f"The 'stages' parameter of run_stages must have unique {label}. Got {duplicates} twice."
            raise ConfigError(msg)
    root = Path(os.path.abspath(project_root)) if project_root is not None else _default_project_root()
    edition_dir = Path(os.path.abspath(runs_root)) / edition
    run_dir = edition_dir / f".{run_id}.partial"
    final_dir = edition_dir / run_id
    # papermill formats its input and output paths with the parameters (str.format): braces would break them.
    if "{" in str(run_dir) or "}" in str(run_dir):
        msg = (
            "The 'runs_root' parameter of run_stages must not contain braces. "
            f"Got {os.fspath(runs_root)!r} instead."
        )
        raise ConfigError(msg)

    _check_kernel(kernel_name)
    input_paths, input_hashes = _hash_inputs(inputs or {})
    base_path, base_record = _check_base_run(base_run, edition) if base_run is not None else (None, None)
    extra = {k: to_json_parameter(v, name=k) for k, v in (extra_manifest or {}).items()}
    questionnaire_sha256 = extra.pop("questionnaire_sha256", None)
    if questionnaire_sha256 is not None and not isinstance(questionnaire_sha256, str):
        msg = (
            "The 'questionnaire_sha256' entry of extra_manifest must be a str. "
            f"Got {questionnaire_sha256!r} instead."
        )
        raise ConfigError(msg)
    prepared = [
        _prepare(s, kernel_name=kernel_name, run_dir=run_dir, project_root=root, seed=seed) for s in stages
    ]

    manifest = RunManifest(
        edition=edition,
        run_id=run_id,
        status="running",
        stages_requested=names,
        stages={
            p.spec.name: StageRecord(
                name=p.spec.name,
                notebook=p.source.as_posix(),
                notebook_sha256=p.source_sha256,
                output_notebook=f"{p.stem}.ipynb",
                parameters=p.parameters,
            )
            for p in prepared
        },
        params={p.spec.name: p.parameters for p in prepared},
        seed=seed,
        questionnaire_sha256=questionnaire_sha256,
        inputs=input_paths,
        input_hashes=input_hashes,
        base_run=base_record,
        versions=package_versions(),
        git=git_info(root),
        kernel_name=kernel_name,
        execution_timeout=execution_timeout,
        project_root=root.as_posix(),
        platform=platform.platform(),
        runner_pid=os.getpid(),
        runner_host=socket.gethostname(),
        started_at=started,
        extra=extra,
    )

    if final_dir.exists() or run_dir.exists():
        msg = f"The run id {run_id!r} is already used in {edition_dir}. Choose another run id."
        raise ConfigError(msg)
    try:
        edition_dir.mkdir(parents=True, exist_ok=True)
        run_dir.mkdir()
        fsync_dir(edition_dir)
        # The manifest (status "running") exists from the first moment: a run killed from here on is listed
        # as incomplete, never mistaken for anything else.
        run = _Run(run_dir, manifest)
    except OSError as err:
        with contextlib.suppress(OSError):
            shutil.rmtree(run_dir)  # nothing of this run is left (it never started)
        raise _start_error(err, edition_dir) from err

    current: _Prepared | None = None
    warm: list[Any] = []  # WarmKernel per stage, started one stage ahead (see vielfalt.runs.warm_kernel)
    try:
        with _sigterm_as_interrupt():
            if first_kernel is not None and first_kernel.kernel_name == kernel_name:
                from vielfalt.runs.warm_kernel import preload_code

                prewarm, first_kernel = first_kernel, None
                prewarm.move_to(run_dir, preload_code(prepared[0].nb))
            else:
                prewarm = _start_warm_kernel(kernel_name, run_dir, prepared[0])
            if prewarm is not None:
                warm.append(prewarm)
            if base_path is not None and (base_path / ARTEFACTS_DIR).is_dir():
                shutil.copytree(base_path / ARTEFACTS_DIR, run_dir / ARTEFACTS_DIR, dirs_exist_ok=True)
            src_dir = run_dir / "_src"
            src_dir.mkdir(exist_ok=True)
            for p in prepared:
                nbformat.write(p.nb, src_dir / f"{p.stem}.ipynb")

            for index, p in enumerate(prepared, start=1):
                current = p
                name = p.spec.name
                if progress is not None:
                    progress(name, index, len(prepared), "running")
                run.update_stage(name, status="running", started_at=utc_now())
                out = run_dir / f"{p.stem}.ipynb"
                tick = time.monotonic()
                this_warm = warm[index - 1] if len(warm) >= index else None
                # the next WARM_AHEAD stages' kernels start now (a stage is often shorter than a kernel start)
                while this_warm is not None and len(warm) < min(index + WARM_AHEAD, len(prepared)):
                    warm.append(_start_warm_kernel(kernel_name, run_dir, prepared[len(warm)]))
                try:
                    prewarmed = _execute(
                        p,
                        src=src_dir / f"{p.stem}.ipynb",
                        out=out,
                        run_dir=run_dir,
                        kernel_name=kernel_name,
                        timeout=execution_timeout,
                        warm=this_warm,
                    )
                    html = export_html(out, run_dir / f"{p.stem}.html", title=name)
                except Exception as err:
                    failure = run.fail(p, err, project_root=root)
                    if progress is not None:
                        progress(name, index, len(prepared), "failed")
                    msg = f"{failure.summary_de}\n\n{failure.summary_en}"
                    raise PipelineError(msg, stage=name, run_dir=str(run_dir)) from err
                run.update_stage(
                    name,
                    status="complete",
                    ended_at=utc_now(),
                    duration_s=round(time.monotonic() - tick, 3),
                    output_html=html.name,
                    kernel_prewarmed=prewarmed,
                )
                run.update(stages_completed=[*run.manifest.stages_completed, name])
                if progress is not None:
                    progress(name, index, len(prepared), "complete")
                current = None

            _check_inputs_unchanged(inputs or {}, input_hashes, run, prepared[-1])
            _fsync_tree(run_dir)
            run.update(
                status="complete",
                ended_at=utc_now(),
                artefacts=artefact_hashes(run_dir),
                files=file_hashes(run_dir, exclude=(MANIFEST_NAME,)),
            )
            # Everything is on disk; one rename makes the run visible as complete.
            os.rename(run_dir, final_dir)
            fsync_dir(edition_dir)
    except PipelineError:
        raise
    except BaseException as err:
        # Interrupts (Ctrl-C, SIGTERM) and unexpected errors outside a notebook: never leave "running".
        if run.manifest.status == "running":
            if current is not None:
                with contextlib.suppress(Exception):
                    run.fail(current, err, project_root=root)
            else:
                with contextlib.suppress(Exception):
                    run.update(status="failed", ended_at=utc_now())
        if isinstance(err, VielfaltError | KeyboardInterrupt) or not isinstance(err, Exception):
            raise
        hint = _os_error_text(err, edition_dir)
        msg = f"Der Lauf {run_id} ist fehlgeschlagen: {type(err).__name__}: {err}"
        if hint is not None:
            msg = f"Der Lauf {run_id} ist fehlgeschlagen: {hint[0]} ({hint[1]}) [{type(err).__name__}: {err}]"
        msg += f" Der Lauf bleibt als {run_dir.name} liegen und gilt nicht als vollständig."
        raise PipelineError(msg, run_dir=str(run_dir)) from err
    finally:
        for w in [*warm, first_kernel]:
            if w is not None:
                w.close()  # an unused pre-started kernel never outlives the run

    return RunResult(
        run_dir=final_dir,
        run_id=run_id,
        manifest=run.manifest,
        notebooks={p.spec.name: final_dir / f"{p.stem}.ipynb" for p in prepared},
        html={p.spec.name: final_dir / f"{p.stem}.html" for p in prepared},
    )


# ----------------------------------------------------------------------------------------- listing


def _runner_alive(manifest: RunManifest) -> bool:
    """Return True when the manifest's runner process still exists on this host."""
    if manifest.runner_pid is None or manifest.runner_host != socket.gethostname():
        return False
    try:
        os.kill(manifest.runner_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_manifest(path: Path) -> RunManifest | None:
    """Return the manifest of a run directory, or None when missing or unreadable."""
    try:
        return load_manifest(path)
    except DataError:
        return None


def list_runs(runs_root: str | os.PathLike[str], edition: str) -> list[RunInfo]:
    """List every run directory of an edition with its state.

    Parameters
    ----------
    runs_root : str or path-like
        The runs directory.
    edition : str
        Edition id.

    Returns
    -------
    list of RunInfo
        Sorted by run id (that is, by start time for generated ids).
    """
    edition_dir = Path(runs_root) / edition
    if not edition_dir.is_dir():
        return []
    runs: list[RunInfo] = []
    for path in edition_dir.iterdir():
        if not path.is_dir():
            continue
        partial = _PARTIAL_RE.match(path.name)
        if path.name.startswith(".") and not partial:
            continue  # not ours (e.g. .ipynb_checkpoints)
        manifest = _read_manifest(path)
        status: RunStatus
        if partial:
            run_id = partial["run_id"]
            if manifest is None:
                status = "incomplete"
            elif manifest.status == "failed":
                status = "failed"
            else:
                status = "running" if _runner_alive(manifest) else "incomplete"
        else:
            run_id = path.name
            ok = manifest is not None and manifest.status == "complete" and manifest.run_id == run_id
            status = "complete" if ok else "invalid"
        runs.append(RunInfo(run_id=run_id, path=path, status=status, manifest=manifest))
    return sorted(runs, key=lambda r: (r.run_id, r.path.name))


def latest_run(runs_root: str | os.PathLike[str], edition: str) -> Path | None:
    """Return the newest complete run of an edition, ignoring failed, killed and running ones.

    Parameters
    ----------
    runs_root : str or path-like
        The runs directory.
    edition : str
        Edition id.

    Returns
    -------
    Path or None
        The run directory with the latest start time, or None when there is no complete run.
    """
    complete = [r for r in list_runs(runs_root, edition) if r.status == "complete"]
    if not complete:
        return None
    return max(complete, key=lambda r: (r.started_at or "", r.run_id)).path
