"""Run stage notebooks with papermill into a run directory that becomes visible only when complete.

A run of one edition executes one or more stage notebooks (jupytext percent files in ``notebooks/``) on the
``vielfalt`` kernel. Everything happens in ``<runs_root>/<edition>/.<run-id>.partial/``:

- ``manifest.json`` is written at once with status ``"running"`` and rewritten after every stage;
- ``_src/<stem>.ipynb`` is the notebook converted from its jupytext source, exactly as handed to papermill
  (:mod:`vielfalt.runs.notebooks`);
- ``<stem>.ipynb`` is the executed notebook and ``<stem>.html`` its HTML export without code
  (:mod:`vielfalt.runs.reports`);
- ``artefacts/`` holds the tables the stages exchange (:mod:`vielfalt.runs.artefacts`).

Only when every requested stage has finished are the hashes of all files written into the final manifest and
the directory renamed to ``<runs_root>/<edition>/<run-id>/`` (one atomic ``rename`` on the same file system).
A failed, interrupted or killed run therefore never looks complete (:mod:`vielfalt.runs.partial`), and
earlier runs are never touched.

The runner knows no stage by name: the caller (the command line, from the stage registry) hands it
:class:`StageSpec` objects. Papermill, nbconvert and jupytext are imported inside the functions that use
them: the stage notebooks import this module (see :func:`configure_notebook_display`) and should not pay for
them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

from vielfalt.exceptions import DataError, PipelineError, VielfaltError
from vielfalt.i18n import LANGUAGES, t
from vielfalt.runs.artefacts import ARTEFACTS_DIR, MANIFEST_NAME, artefact_hashes, file_hashes, fsync_dir
from vielfalt.runs.failures import check_all_cells_ran, os_error_text
from vielfalt.runs.listing import RunInfo, latest_run, list_runs, new_run_id
from vielfalt.runs.manifest import RunManifest, StageFailure, utc_now
from vielfalt.runs.notebooks import (
    INJECTED_SETUP_TAG,
    RESERVED_PARAMETERS,
    PreparedStage,
    StageSpec,
    skip_slow_optional_imports,
    to_json_parameter,
)
from vielfalt.runs.partial import PartialRun, RunTerminated, fsync_tree, sigterm_as_interrupt
from vielfalt.runs.plan import (
    ProgressCallback,
    RunOptions,
    RunPlan,
    RunSettings,
    first_manifest,
    hash_inputs,
    open_run,
    plan_run,
)
from vielfalt.runs.reports import configure_notebook_display, export_html

if TYPE_CHECKING:
    from vielfalt.runs.warm_kernel import WarmKernel

__all__ = [
    "INJECTED_SETUP_TAG",
    "RESERVED_PARAMETERS",
    "WARM_AHEAD",
    "ProgressCallback",
    "RunInfo",
    "RunOptions",
    "RunResult",
    "RunSettings",
    "RunTerminated",
    "StageSpec",
    "configure_notebook_display",
    "export_html",
    "latest_run",
    "list_runs",
    "new_run_id",
    "run_stages",
    "skip_slow_optional_imports",
    "to_json_parameter",
]

#: How many stages ahead kernels are pre-started (see vielfalt.runs.warm_kernel).
WARM_AHEAD = 2


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


# ----------------------------------------------------------------------------------------- kernels


class _Kernels:
    """The pre-started kernel of each stage, :data:`WARM_AHEAD` stages ahead; all closed at the end."""

    def __init__(self, kernel_name: str, prepared: list[PreparedStage]) -> None:
        self.kernel_name = kernel_name
        self.prepared = prepared
        self.warm: list[WarmKernel | None] = []

    def start_first(self, run_dir: Path, first: WarmKernel | None) -> None:
        """Adopt the caller's first kernel (moved into ``run_dir``) or start the first stage's kernel."""
        if first is not None and first.kernel_name == self.kernel_name:
            from vielfalt.runs.warm_kernel import preload_code

            first.move_to(run_dir, preload_code(self.prepared[0].nb))
            prewarm: WarmKernel | None = first
        else:
            if first is not None:
                first.close()
            prewarm = _start_warm_kernel(self.kernel_name, run_dir, self.prepared[0])
        if prewarm is not None:
            self.warm.append(prewarm)

    def for_stage(self, index: int, run_dir: Path) -> WarmKernel | None:
        """The kernel of stage ``index`` (1-based); the next stages' kernels start now."""
        this = self.warm[index - 1] if len(self.warm) >= index else None
        # a stage is often shorter than a kernel start
        while this is not None and len(self.warm) < min(index + WARM_AHEAD, len(self.prepared)):
            self.warm.append(_start_warm_kernel(self.kernel_name, run_dir, self.prepared[len(self.warm)]))
        return this

    def close(self) -> None:
        """Close every kernel (an adopted one is left to papermill): none outlives the run."""
        for w in self.warm:
            if w is not None:
                w.close()


def _start_warm_kernel(kernel_name: str, run_dir: Path, stage: PreparedStage) -> WarmKernel | None:
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


# ----------------------------------------------------------------------------------------- the run


def _execute(
    prepared: PreparedStage,
    *,
    src: Path,
    out: Path,
    run_dir: Path,
    opts: RunOptions,
    warm: WarmKernel | None = None,
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
        kernel_name=opts.kernel_name,
        language="python",
        cwd=str(run_dir),
        execution_timeout=opts.execution_timeout,
        start_timeout=60,
        log_output=False,
        progress_bar=False,
        report_mode=False,
        request_save_on_cell_execute=True,
        config=Config({"KernelManager": {"transport_encryption": encryption}}),
        engine_name=register_engine(),
        warm_kernel=warm,
    )
    check_all_cells_ran(out, opts.lang)
    client = PrewarmedNotebookClient.last
    return bool(client is not None and client.prewarmed)


def _run_stage(
    run: PartialRun, plan: RunPlan, opts: RunOptions, kernels: _Kernels, index: int, stage: PreparedStage
) -> None:
    """Execute stage number ``index`` (1-based) and record it; PipelineError when it fails."""
    name, total = stage.spec.name, len(plan.prepared)
    run.current = stage
    if opts.progress is not None:
        opts.progress(name, index, total, "running")
    run.update_stage(name, status="running", started_at=utc_now())
    out = plan.run_dir / f"{stage.stem}.ipynb"
    tick = time.monotonic()
    warm = kernels.for_stage(index, plan.run_dir)
    try:
        src = plan.run_dir / "_src" / f"{stage.stem}.ipynb"
        prewarmed = _execute(stage, src=src, out=out, run_dir=plan.run_dir, opts=opts, warm=warm)
        html = export_html(out, plan.run_dir / f"{stage.stem}.html", title=name)
    except Exception as err:
        failure = run.fail(stage, err, project_root=plan.root)
        if opts.progress is not None:
            opts.progress(name, index, total, "failed")
        raise PipelineError(failure.summary(opts.lang), stage=name, run_dir=str(plan.run_dir)) from err
    run.update_stage(
        name,
        status="complete",
        ended_at=utc_now(),
        duration_s=round(time.monotonic() - tick, 3),
        output_html=html.name,
        kernel_prewarmed=prewarmed,
    )
    run.update(stages_completed=[*run.manifest.stages_completed, name])
    if opts.progress is not None:
        opts.progress(name, index, total, "complete")
    run.current = None


def _check_inputs_unchanged(run: PartialRun, plan: RunPlan, opts: RunOptions) -> None:
    """Refuse to publish a run whose inputs changed or vanished while it ran (its manifest would lie)."""
    try:
        _, now = hash_inputs(opts.inputs or {}, opts.lang)
    except DataError:
        now = {}
    changed = sorted(set(plan.input_hashes.items()) ^ set(now.items()))
    if not changed:
        return
    files = ", ".join(sorted({path for path, _ in changed}))
    texts = {lang: t("runs.inputs_changed", lang, files=files, name=run.run_dir.name) for lang in LANGUAGES}
    last = plan.prepared[-1].spec.name
    failure = StageFailure(
        stage=last, ename="InputChanged", evalue=files, summary_de=texts["de"], summary_en=texts["en"]
    )
    with contextlib.suppress(OSError):
        run.update(status="failed", failure=failure, ended_at=utc_now())
    raise PipelineError(failure.summary(opts.lang), stage=last, run_dir=str(run.run_dir))


def _publish(run: PartialRun, plan: RunPlan, opts: RunOptions) -> None:
    """Hash everything into the final manifest and rename the run directory: the run is complete."""
    _check_inputs_unchanged(run, plan, opts)
    fsync_tree(plan.run_dir)
    run.update(
        status="complete",
        ended_at=utc_now(),
        artefacts=artefact_hashes(plan.run_dir),
        files=file_hashes(plan.run_dir, exclude=(MANIFEST_NAME,)),
    )
    # Everything is on disk; one rename makes the run visible as complete.
    os.rename(plan.run_dir, plan.final_dir)
    fsync_dir(plan.edition_dir)


def _unexpected(run: PartialRun, plan: RunPlan, opts: RunOptions, err: BaseException) -> BaseException:
    """Mark the run failed after an interrupt or an error outside a notebook; return what to raise."""
    if run.manifest.status == "running":  # never leave "running"
        if run.current is not None:
            with contextlib.suppress(Exception):
                run.fail(run.current, err, project_root=plan.root)
        else:
            with contextlib.suppress(Exception):
                run.update(status="failed", ended_at=utc_now())
    if isinstance(err, VielfaltError | KeyboardInterrupt) or not isinstance(err, Exception):
        return err
    hint = os_error_text(err, plan.edition_dir, opts.lang)
    error = f"{type(err).__name__}: {err}"
    if hint is None:
        msg = t("runs.run_failed", opts.lang, run_id=plan.run_id, error=error, name=plan.run_dir.name)
    else:
        name = plan.run_dir.name
        msg = t("runs.run_failed_hint", opts.lang, run_id=plan.run_id, hint=hint, error=error, name=name)
    return PipelineError(msg, run_dir=str(plan.run_dir))


def run_stages(
    stages: Sequence[StageSpec],
    *,
    runs_root: str | os.PathLike[str],
    edition: str,
    options: RunOptions | None = None,
    **settings: Unpack[RunSettings],
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
    options : RunOptions or None, default None
        How to run (run id, inputs, seed, kernel, timeout, manifest extras, progress, base run, project root,
        first kernel, language); defaults as documented there.
    **settings
        Any field of :class:`RunOptions` as a keyword (``seed=2010, progress=...``); overrides ``options``.

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
        A missing kernel, an unusable base run, or a failed stage (message: the summary in the run's
        language; ``stage`` and ``run_dir`` set). The run directory stays ``.<run_id>.partial`` with a
        failed manifest.
    KeyboardInterrupt
        On Ctrl-C or SIGTERM (:class:`RunTerminated`), after marking the run failed.
    """
    base = options if options is not None else RunOptions()
    opts = dataclasses.replace(base, **settings) if settings else base
    skip_slow_optional_imports()
    import nbformat

    started = utc_now()
    kernels: _Kernels | None = None
    try:
        plan = plan_run(stages, runs_root=Path(runs_root), edition=edition, opts=opts)
        run = open_run(plan, first_manifest(plan, edition, opts, started), opts.lang)
        kernels = _Kernels(opts.kernel_name, plan.prepared)
        try:
            with sigterm_as_interrupt():
                kernels.start_first(plan.run_dir, opts.first_kernel)
                if plan.base_path is not None and (plan.base_path / ARTEFACTS_DIR).is_dir():
                    shutil.copytree(
                        plan.base_path / ARTEFACTS_DIR, plan.run_dir / ARTEFACTS_DIR, dirs_exist_ok=True
                    )
                src_dir = plan.run_dir / "_src"
                src_dir.mkdir(exist_ok=True)
                for p in plan.prepared:
                    nbformat.write(p.nb, src_dir / f"{p.stem}.ipynb")
                for index, stage in enumerate(plan.prepared, start=1):
                    _run_stage(run, plan, opts, kernels, index, stage)
                _publish(run, plan, opts)
        except PipelineError:
            raise
        except BaseException as err:
            raised = _unexpected(run, plan, opts, err)
            if raised is err:
                raise
            raise raised from err
    finally:
        if kernels is not None:
            kernels.close()
        if opts.first_kernel is not None:
            opts.first_kernel.close()  # closing an adopted kernel does nothing
    return RunResult(
        run_dir=plan.final_dir,
        run_id=plan.run_id,
        manifest=run.manifest,
        notebooks={p.spec.name: plan.final_dir / f"{p.stem}.ipynb" for p in plan.prepared},
        html={p.spec.name: plan.final_dir / f"{p.stem}.html" for p in plan.prepared},
    )
