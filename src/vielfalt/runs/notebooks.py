"""Stage notebooks before they run: jupytext source → ``.ipynb``, parameters converted and checked.

A stage is a jupytext percent file in ``notebooks/`` (:class:`StageSpec`). Before any kernel starts,
:func:`prepare` reads it into nbformat with deterministic cell ids and the run's kernelspec, checks the
parameters against the names its ``parameters`` cell declares (unknown names get a did-you-mean), converts
them to plain JSON (:func:`to_json_parameter`) and adds the runner's setup cell after the parameters cell.

jupytext, nbformat and papermill are imported inside the functions that use them: a stage notebook's kernel
imports this package and should not pay for them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from vielfalt._params import Predicate, check_param
from vielfalt.exceptions import ConfigError
from vielfalt.runs.artefacts import sha256_file

__all__ = [
    "INJECTED_SETUP_TAG",
    "INJECTED_TAGS",
    "RESERVED_PARAMETERS",
    "PreparedStage",
    "StageSpec",
    "display_path",
    "prepare",
    "skip_slow_optional_imports",
    "to_json_parameter",
]

#: Parameters the runner injects into every stage notebook; each stage notebook must declare both.
RESERVED_PARAMETERS = ("run_dir", "project_root")

#: Tag of the cell the runner adds after the parameters cell to set up display (plotly renderer).
INJECTED_SETUP_TAG = "injected-vielfalt-setup"

#: Tags of the cells a run adds to a notebook (papermill's parameters and the setup cell); the source
#: notebook has neither, so they are left out when a failing cell is numbered.
INJECTED_TAGS = frozenset({"injected-parameters", INJECTED_SETUP_TAG})

_SETUP_SOURCE = """\
# Added by vielfalt.runs.runner (not part of the source notebook): plotly figures are rendered as HTML with
# plotly.js embedded once, so that they appear in the offline HTML report (NOTEBOOKS.md P17, P20).
from vielfalt.runs.runner import configure_notebook_display

configure_notebook_display()"""

_STAGE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_STAGE_NAME = Predicate(
    lambda v: isinstance(v, str) and bool(_STAGE_RE.match(v)),
    (
        "ein Name aus Buchstaben, Ziffern und '_', der mit einem Buchstaben beginnt",
        "a name of letters, digits and '_' that starts with a letter",
    ),
)


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
        check_param("name", self.name, [_STAGE_NAME], func="StageSpec")


@dataclasses.dataclass(kw_only=True)
class PreparedStage:
    """A stage checked and converted, ready to run.

    Attributes
    ----------
    spec : StageSpec
        The stage as given.
    source : Path
        The absolute path of its jupytext source.
    source_sha256 : str
        The source's hash (recorded in the manifest).
    stem : str
        The source's stem: the executed notebook is ``<stem>.ipynb``, its report ``<stem>.html``.
    nb : nbformat.NotebookNode
        The converted notebook with the setup cell, exactly as handed to papermill.
    parameters : dict
        The plain-JSON values injected, ``run_dir`` and ``project_root`` included, sorted by name.
    """

    spec: StageSpec
    source: Path
    source_sha256: str
    stem: str
    nb: Any  # nbformat.NotebookNode
    parameters: dict[str, Any]


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


def skip_slow_optional_imports() -> None:
    """Keep jsonschema (imported by nbformat, papermill, nbconvert) from loading ``rfc3987_syntax``.

    jsonschema imports that optional package for its "iri" format checkers, and importing it compiles lark
    grammars: 2.4 s of every ``vielfalt run`` before the first kernel starts. No notebook schema uses a
    "format" keyword, so nothing here needs the checkers; ``sys.modules[name] = None`` is Python's way to make
    an import fail (jsonschema then simply registers no iri checker). Done only before jsonschema is loaded.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def display_path(path: Path, project_root: Path) -> str:
    """Return ``path`` relative to the project when inside it (shorter in messages), else absolute.

    Parameters
    ----------
    path, project_root : Path
        The path to show and the project it may lie in.

    Returns
    -------
    str
        A POSIX path relative to ``project_root``, or ``str(path)``.
    """
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


def _check_parameters(
    spec: StageSpec, declared: set[str], params: dict[str, Any], *, shown: str, seed: int | None
) -> None:
    """Check the converted ``params`` of ``spec`` against the ``declared`` names; add the run's seed."""
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


def prepare(
    spec: StageSpec,
    *,
    kernel_name: str,
    run_dir: Path,
    project_root: Path,
    seed: int | None,
) -> PreparedStage:
    """Convert a stage's notebook and parameters and check them before any kernel starts.

    Parameters
    ----------
    spec : StageSpec
        The stage.
    kernel_name : str
        The kernel written into the notebook's metadata.
    run_dir : Path
        The (``.partial``) run directory, injected as ``run_dir``.
    project_root : Path
        Injected as ``project_root``; notebook paths inside it are shown relative to it.
    seed : int or None
        The run's seed, injected as ``seed`` when the notebook declares it.

    Returns
    -------
    PreparedStage
        The converted notebook with the setup cell and the parameters to inject.

    Raises
    ------
    ConfigError
        A missing or unreadable notebook, no ``parameters`` cell, a reserved, conflicting or undeclared
        parameter.
    """
    import nbformat

    source, nb = _read_source(spec, kernel_name)
    shown = display_path(source, project_root)
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
    _check_parameters(spec, _declared_parameters(nb), params, shown=shown, seed=seed)
    params["run_dir"] = str(run_dir)
    params["project_root"] = str(project_root)

    setup = nbformat.v4.new_code_cell(_SETUP_SOURCE)
    setup["id"] = "vielfalt-setup"
    setup.metadata["tags"] = [INJECTED_SETUP_TAG]
    setup.metadata["jupyter"] = {"source_hidden": True}
    nb.cells.insert(index + 1, setup)
    return PreparedStage(
        spec=spec,
        source=source,
        source_sha256=sha256_file(source),
        stem=source.stem,
        nb=nb,
        parameters=dict(sorted(params.items())),
    )
