"""What a run needs before it starts: its options, the checks, and the plan of where everything goes.

:func:`plan_run` checks everything before anything is written: the edition and run ids, the stage list
(unique names and notebook stems), the kernel, the inputs (hashed), the base run (complete and unchanged)
and every stage's notebook and parameters (:func:`vielfalt.runs.notebooks.prepare`). A bad value raises
ConfigError, a missing input DataError, a missing kernel or unusable base run PipelineError, and the runs
folder stays as it was. :func:`open_run` then creates the ``.partial`` directory with its first manifest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import platform
import re
import shutil
import socket
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from vielfalt._params import Interval, Options, Predicate, check_param
from vielfalt.exceptions import ConfigError, DataError, PipelineError
from vielfalt.i18n import LANGUAGES, t
from vielfalt.runs.artefacts import artefact_hashes, file_hashes, fsync_dir, sha256_file
from vielfalt.runs.failures import start_error
from vielfalt.runs.listing import new_run_id
from vielfalt.runs.manifest import (
    BaseRunRecord,
    RunManifest,
    StageRecord,
    git_info,
    load_manifest,
    package_versions,
)
from vielfalt.runs.notebooks import PreparedStage, StageSpec, prepare, to_json_parameter
from vielfalt.runs.partial import PartialRun

if TYPE_CHECKING:
    from vielfalt.runs.warm_kernel import WarmKernel

__all__ = [
    "ProgressCallback",
    "RunOptions",
    "RunPlan",
    "RunSettings",
    "first_manifest",
    "hash_inputs",
    "open_run",
    "plan_run",
]

ProgressCallback = Callable[[str, int, int, str], None]
"""``progress(stage, index, total, status)``: index is 1-based, status ``"running"``, ``"complete"`` or
``"failed"``."""

# Names of editions and runs become directory names: no separators, no leading dot (hidden / .partial).
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_ID = Predicate(
    lambda v: isinstance(v, str) and bool(_ID_RE.match(v)) and not v.endswith(".partial"),
    (
        "ein Name aus Buchstaben, Ziffern, '_', '-' und '.', der mit einem Buchstaben oder einer Ziffer "
        "beginnt und nicht auf '.partial' endet",
        "a name of letters, digits, '_', '-' and '.' that starts with a letter or digit and does not end in "
        "'.partial'",
    ),
)
_NOT_EMPTY = Predicate(
    lambda v: len(v) > 0, ("eine nicht leere Liste von Stufen", "a non-empty list of stages")
)


_NO_BRACES = Predicate(
    lambda v: "{" not in v and "}" not in v, ("ein Pfad ohne geschweifte Klammern", "a path without braces")
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunOptions:
    """How :func:`run_stages` runs: everything but the stages, the runs folder and the edition.

    Parameters
    ----------
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
        The first stage's kernel, started by the caller with :func:`vielfalt.runs.warm_kernel.start_early`
        (its start then overlaps the caller's imports and checks); moved into the run directory once that
        exists. Closed by :func:`run_stages` in every case; ignored (and closed) when it is for another
        kernel.
    lang : {"de", "en"}, default "de"
        The language of the errors a person reads (a failed stage, a missing input, a full disk); the
        manifest records a failed stage's summary in both languages.
    """

    run_id: str | None = None
    inputs: Mapping[str, str | os.PathLike[str]] | None = None
    seed: int | None = None
    kernel_name: str = "vielfalt"
    execution_timeout: int = 600
    extra_manifest: Mapping[str, Any] | None = None
    progress: ProgressCallback | None = None
    base_run: str | os.PathLike[str] | None = None
    project_root: str | os.PathLike[str] | None = None
    first_kernel: WarmKernel | None = None
    lang: str = "de"

    def __post_init__(self) -> None:
        """Check the options (messages as for any parameter of :func:`run_stages`)."""
        check_param("run_id", self.run_id, [_ID, None], func="run_stages")
        check_param("seed", self.seed, [int, None], func="run_stages")
        check_param("execution_timeout", self.execution_timeout, [Interval(int, 1, None)], func="run_stages")
        check_param("lang", self.lang, [Options(LANGUAGES)], func="run_stages")
        if self.seed is not None:
            object.__setattr__(self, "seed", int(self.seed))  # a numpy integer becomes a plain int


class RunSettings(TypedDict, total=False):
    """The fields of :class:`RunOptions` as keyword arguments of :func:`run_stages`."""

    run_id: str | None
    inputs: Mapping[str, str | os.PathLike[str]] | None
    seed: int | None
    kernel_name: str
    execution_timeout: int
    extra_manifest: Mapping[str, Any] | None
    progress: ProgressCallback | None
    base_run: str | os.PathLike[str] | None
    project_root: str | os.PathLike[str] | None
    first_kernel: WarmKernel | None
    lang: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunPlan:
    """Everything checked before a run starts: where it goes, its inputs, base run and prepared stages.

    Attributes
    ----------
    run_id : str
        The run id (generated unless given).
    root : Path
        The project root (injected as ``project_root``).
    edition_dir, run_dir, final_dir : Path
        ``<runs_root>/<edition>``, its ``.<run_id>.partial`` and ``<run_id>`` directories.
    input_paths, input_hashes : dict of str to str
        Logical input name → absolute path; absolute file path → sha256.
    base_path : Path or None
        The base run whose artefacts are copied first.
    base_record : BaseRunRecord or None
        Its description for the manifest.
    extra : dict
        The manifest's ``extra`` (plain JSON).
    questionnaire_sha256 : str or None
        The manifest's questionnaire hash.
    prepared : list of PreparedStage
        The stages, converted and checked, in order.
    """

    run_id: str
    root: Path
    edition_dir: Path
    run_dir: Path
    final_dir: Path
    input_paths: dict[str, str]
    input_hashes: dict[str, str]
    base_path: Path | None
    base_record: BaseRunRecord | None
    extra: dict[str, Any]
    questionnaire_sha256: str | None
    prepared: list[PreparedStage]


# ------------------------------------------------------------------------------------------ checks


def _default_project_root() -> Path:
    """Return the directory holding ``pyproject.toml`` above this package (src layout), else the cwd."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd()


def _check_kernel(kernel_name: str, lang: str) -> None:
    """Raise PipelineError when the kernel is not installed: a missing kernel must fail, not skip (P10)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel as err:
        raise PipelineError(t("runs.kernel_missing", lang, kernel=kernel_name)) from err


def hash_inputs(
    inputs: Mapping[str, str | os.PathLike[str]], lang: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Hash the named input files and directories; DataError naming the first one that is missing.

    Parameters
    ----------
    inputs : mapping of str to path
        Logical name → file or directory.
    lang : {"de", "en"}
        The language of the error.

    Returns
    -------
    tuple of (dict of str to str, dict of str to str)
        Name → absolute path, and absolute file path → sha256 (directories are hashed file by file).
    """
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
            raise DataError(t("runs.input_missing", lang, name=name, path=path), path=str(path))
        paths[name] = path.as_posix()
    return paths, dict(sorted(hashes.items()))


def _check_base_run(base_run: str | os.PathLike[str], edition: str, lang: str) -> tuple[Path, BaseRunRecord]:
    """Check that ``base_run`` is a complete, unmodified run of the edition and describe it."""
    path = Path(base_run).absolute()
    if path.name.startswith(".") or not path.is_dir():
        raise PipelineError(t("runs.base_run_missing", lang, path=path))
    manifest = load_manifest(path, lang=lang)
    if manifest.status != "complete" or manifest.edition != edition:
        msg = t(
            "runs.base_run_unusable",
            lang,
            path=path,
            status=manifest.status,
            found=manifest.edition,
            edition=edition,
        )
        raise PipelineError(msg)
    current = artefact_hashes(path)
    if current != manifest.artefacts:
        changed = sorted(set(current.items()) ^ set(manifest.artefacts.items()))
        names = ", ".join(sorted({name for name, _ in changed}))
        raise PipelineError(t("runs.base_run_changed", lang, path=path, names=names))
    record = BaseRunRecord(
        run_id=manifest.run_id,
        path=path.as_posix(),
        stages_completed=list(manifest.stages_completed),
        artefacts=current,
    )
    return path, record


def plan_run(stages: Sequence[StageSpec], *, runs_root: Path, edition: str, opts: RunOptions) -> RunPlan:
    """Check everything a run needs before anything is written.

    Parameters
    ----------
    stages : sequence of StageSpec
        The stages, in order.
    runs_root : Path
        The runs folder.
    edition : str
        The edition id.
    opts : RunOptions
        How to run.

    Returns
    -------
    RunPlan
        Where the run goes and what it runs.

    Raises
    ------
    ConfigError, DataError, PipelineError
        A bad stage list, id, notebook or parameter; a missing input; a missing kernel or unusable base run.
    """
    check_param("edition", edition, [_ID], func="run_stages")
    check_param("stages", stages, [_NOT_EMPTY], func="run_stages")
    names = [s.name for s in stages]
    stems = [Path(s.notebook).stem for s in stages]
    for label, values in (("stage names", names), ("notebook stems", stems)):
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            msg = f"The 'stages' parameter of run_stages must have unique {label}. Got {duplicates} twice."
            raise ConfigError(msg)
    run_id = opts.run_id if opts.run_id is not None else new_run_id()
    root = _default_project_root() if opts.project_root is None else Path(os.path.abspath(opts.project_root))
    edition_dir = Path(os.path.abspath(runs_root)) / edition
    run_dir = edition_dir / f".{run_id}.partial"
    # papermill formats its input and output paths with the parameters (str.format): braces would break them
    check_param("runs_root", os.fspath(edition_dir.parent), [_NO_BRACES], func="run_stages")
    _check_kernel(opts.kernel_name, opts.lang)
    input_paths, input_hashes = hash_inputs(opts.inputs or {}, opts.lang)
    base_path, base_record = (
        _check_base_run(opts.base_run, edition, opts.lang) if opts.base_run is not None else (None, None)
    )
    extra = {k: to_json_parameter(v, name=k) for k, v in (opts.extra_manifest or {}).items()}
    questionnaire_sha256 = extra.pop("questionnaire_sha256", None)
    if questionnaire_sha256 is not None and not isinstance(questionnaire_sha256, str):
        msg = (
            "The 'questionnaire_sha256' entry of extra_manifest must be a str. "
            f"Got {questionnaire_sha256!r} instead."
        )
        raise ConfigError(msg)
    prepared = [
        prepare(s, kernel_name=opts.kernel_name, run_dir=run_dir, project_root=root, seed=opts.seed)
        for s in stages
    ]
    return RunPlan(
        run_id=run_id,
        root=root,
        edition_dir=edition_dir,
        run_dir=run_dir,
        final_dir=edition_dir / run_id,
        input_paths=input_paths,
        input_hashes=input_hashes,
        base_path=base_path,
        base_record=base_record,
        extra=extra,
        questionnaire_sha256=questionnaire_sha256,
        prepared=prepared,
    )


def first_manifest(plan: RunPlan, edition: str, opts: RunOptions, started: str) -> RunManifest:
    """Return the manifest a run starts with (status ``"running"``, every stage ``"pending"``).

    Parameters
    ----------
    plan : RunPlan
        The checked plan.
    edition : str
        The edition id.
    opts : RunOptions
        How the run runs (seed, kernel, timeout are recorded).
    started : str
        The start time (:func:`~vielfalt.runs.manifest.utc_now`).

    Returns
    -------
    RunManifest
        The first manifest.
    """
    return RunManifest(
        edition=edition,
        run_id=plan.run_id,
        status="running",
        stages_requested=[p.spec.name for p in plan.prepared],
        stages={
            p.spec.name: StageRecord(
                name=p.spec.name,
                notebook=p.source.as_posix(),
                notebook_sha256=p.source_sha256,
                output_notebook=f"{p.stem}.ipynb",
                parameters=p.parameters,
            )
            for p in plan.prepared
        },
        params={p.spec.name: p.parameters for p in plan.prepared},
        seed=opts.seed,
        questionnaire_sha256=plan.questionnaire_sha256,
        inputs=plan.input_paths,
        input_hashes=plan.input_hashes,
        base_run=plan.base_record,
        versions=package_versions(),
        git=git_info(plan.root),
        kernel_name=opts.kernel_name,
        execution_timeout=opts.execution_timeout,
        project_root=plan.root.as_posix(),
        platform=platform.platform(),
        runner_pid=os.getpid(),
        runner_host=socket.gethostname(),
        started_at=started,
        extra=plan.extra,
    )


def open_run(plan: RunPlan, manifest: RunManifest, lang: str) -> PartialRun:
    """Create the ``.partial`` directory with its first manifest; nothing is left behind when that fails.

    Parameters
    ----------
    plan : RunPlan
        The checked plan.
    manifest : RunManifest
        The first manifest.
    lang : {"de", "en"}
        The language of the error when the directory cannot be written.

    Returns
    -------
    PartialRun
        The run, ready for its first stage.

    Raises
    ------
    ConfigError
        The run id is used already.
    PipelineError
        The directory or its manifest cannot be written (full disk, no permission).
    """
    if plan.final_dir.exists() or plan.run_dir.exists():
        msg = f"The run id {plan.run_id!r} is already used in {plan.edition_dir}. Choose another run id."
        raise ConfigError(msg)
    try:
        plan.edition_dir.mkdir(parents=True, exist_ok=True)
        plan.run_dir.mkdir()
        fsync_dir(plan.edition_dir)
        # The manifest (status "running") exists from the first moment: a run killed from here on is listed
        # as incomplete, never mistaken for anything else.
        return PartialRun(plan.run_dir, manifest)
    except OSError as err:
        with contextlib.suppress(OSError):
            shutil.rmtree(plan.run_dir)  # nothing of this run is left (it never started)
        raise start_error(err, plan.edition_dir, lang) from err
