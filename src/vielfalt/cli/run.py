"""``vielfalt run``, ``status``, ``verify`` and ``dashboard``: running an edition's stages, looking at runs.

The stages, their order, notebooks and required inputs come from :mod:`vielfalt.stages.registry`;
:func:`run_edition` turns them into :class:`~vielfalt.runs.notebooks.StageSpec` objects for the runner. A run
that starts after the first stage builds on the newest complete run that holds the artefacts of every
earlier stage.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vielfalt.cli.project import (
    STAGE_NAMES,
    available_stages,
    did_you_mean,
    edition_language,
    find_project_root,
    holds,
    newest_run_holding,
    rel,
)
from vielfalt.exceptions import VielfaltError
from vielfalt.i18n import t
from vielfalt.stages.registry import STAGES, stage, stages_until

if TYPE_CHECKING:
    from vielfalt.runs.runner import ProgressCallback, RunResult
    from vielfalt.runs.warm_kernel import WarmKernel

__all__ = [
    "base_run_for",
    "cmd_dashboard",
    "cmd_run",
    "cmd_status",
    "cmd_verify",
    "print_run",
    "run_edition",
    "select_stages",
]


def select_stages(root: Path, stage_name: str | None, until: str | None, *, lang: str = "de") -> list[str]:
    """Return the stages ``vielfalt run`` runs: ``--stage S``, ``--until S``, or every available stage.

    Parameters
    ----------
    root : Path
        The project folder.
    stage_name, until : str or None
        The ``--stage`` and ``--until`` values (at most one is given).
    lang : {"de", "en"}, default "de"
        The language of the errors.

    Returns
    -------
    list of str
        Stage names in pipeline order.

    Raises
    ------
    VielfaltError
        An unknown stage (with a did-you-mean), or one whose notebook this project does not have.
    """
    available = available_stages(root)
    for s in (stage_name, until):
        if s is not None and s not in STAGE_NAMES:
            hint = did_you_mean(s, STAGE_NAMES, lang)
            raise VielfaltError(
                t("cli.unknown_stage", lang, stage=s, stages=", ".join(STAGE_NAMES), hint=hint)
            )
        if s is not None and s not in available:
            raise VielfaltError(t("cli.stage_not_available", lang, stage=s, stages=", ".join(available)))
    if stage_name:
        return [stage_name]
    if until:
        return [s for s in available if STAGE_NAMES.index(s) <= STAGE_NAMES.index(until)]
    return available


def base_run_for(root: Path, edition: str, first: str, *, lang: str = "de") -> Path | None:
    """Return the run a run starting at stage ``first`` builds on (None when ``first`` is the first stage).

    Parameters
    ----------
    root : Path
        The project folder.
    edition : str
        The edition id.
    first : str
        The first stage to run.
    lang : {"de", "en"}, default "de"
        The language of the error.

    Returns
    -------
    Path or None
        The newest complete run that holds the artefacts of every stage before ``first``.

    Raises
    ------
    VielfaltError
        No complete run holds them (the message names the command to run first).
    """
    index = STAGE_NAMES.index(first)
    if index == 0:
        return None
    earlier = stages_until(STAGE_NAMES[index - 1])
    base = newest_run_holding(root, edition, earlier)
    if base is None:
        msg = t("cli.no_base_run", lang, stage=first, edition=edition, previous=STAGE_NAMES[index - 1])
        raise VielfaltError(msg)
    return base


def _stage_progress(lang: str, quiet: bool, *, replay: bool = False) -> ProgressCallback:
    """A progress callback that prints one line when a stage starts and one when it ends."""
    tick = {"t": time.monotonic()}

    def progress(name: str, index: int, total: int, status: str) -> None:
        if quiet:
            return
        if status == "running":
            tick["t"] = time.monotonic()
            key = "cli.replay_running" if replay else "cli.stage_running"
            print(t(key, lang, index=index, total=total, name=name), flush=True)
            return
        word = t(f"cli.status_{status}", lang) if status in ("complete", "failed") else status
        seconds = time.monotonic() - tick["t"]
        line = t("cli.stage_ended", lang, index=index, total=total, name=name, status=word, seconds=seconds)
        print(line, flush=True)

    return progress


def run_edition(
    root: Path,
    edition: str,
    stages: list[str],
    *,
    lang: str | None = None,
    quiet: bool = False,
    run_id: str | None = None,
    first_kernel: WarmKernel | None = None,
) -> RunResult:
    """Run ``stages`` of ``edition`` through papermill into a new run directory.

    Parameters
    ----------
    root : Path
        The project folder.
    edition : str
        The edition id.
    stages : list of str
        Stage names in pipeline order (see :func:`select_stages`).
    lang : {"de", "en"} or None, default None
        The language of the notebooks and messages; the edition's by default.
    quiet : bool, default False
        Print no progress.
    run_id : str or None, default None
        The run id; a new one by default.
    first_kernel : WarmKernel or None, default None
        The first stage's kernel, started by the caller; by default started here, at once, so that its start
        overlaps loading and checking the edition. Closed in every case.

    Returns
    -------
    RunResult
        The complete run.
    """
    from vielfalt.runs.warm_kernel import start_early

    # the first stage's kernel starts now, while the edition is loaded and checked (closed in every case)
    first_kernel = first_kernel or start_early("vielfalt", root)
    try:
        return _run_edition(
            root, edition, stages, lang=lang, quiet=quiet, run_id=run_id, first_kernel=first_kernel
        )
    finally:
        if first_kernel is not None:
            first_kernel.close()


def _edition_inputs(root: Path, ed: Any, q: Any) -> dict[str, Path]:
    """The run's inputs by logical name: the edition's files, all else in its data folder, the YAMLs."""
    from vielfalt.config.edition import resolve_data_path

    inputs = {f"data/{ed.edition}/{i.file}": resolve_data_path(root, ed, i.file) for i in ed.inputs}
    # everything else in the edition's data folder is an input of some stage too (returned rating
    # sheets, site-visit results, votes): hash it all, files and folders, so a replay can name a change
    data_dir = root / "data" / ed.edition
    if data_dir.is_dir():
        for p in sorted(data_dir.iterdir()):
            if not p.name.startswith("."):
                inputs.setdefault(f"data/{ed.edition}/{p.name}", p)
    inputs = {k: v for k, v in inputs.items() if v.is_file() or v.is_dir()}
    inputs[f"params/editions/{ed.edition}.yaml"] = root / "params" / "editions" / f"{ed.edition}.yaml"
    inputs[f"params/questionnaire/{q.meta.id}.yaml"] = root / "params" / "questionnaire" / f"{q.meta.id}.yaml"
    return inputs


def _run_edition(
    root: Path,
    edition: str,
    stages: list[str],
    *,
    lang: str | None,
    quiet: bool,
    run_id: str | None,
    first_kernel: WarmKernel | None,
) -> RunResult:
    """:func:`run_edition` once the first kernel is starting."""
    from vielfalt.config.edition import load_context
    from vielfalt.runs.listing import new_run_id
    from vielfalt.runs.notebooks import StageSpec
    from vielfalt.runs.runner import run_stages

    ed, q = load_context(root, edition)
    lang = lang or ed.language
    specs = [
        StageSpec(
            name=s,
            notebook=stage(s).notebook_path(root),
            parameters={"edition": ed.edition, "lang": lang},
        )
        for s in stages
    ]
    base = base_run_for(root, ed.edition, stages[0], lang=lang)
    run_id = run_id or new_run_id()
    watcher = (
        None
        if quiet or not sys.stderr.isatty()
        else _ProgressWatcher(root / "runs" / ed.edition / f".{run_id}.partial")
    )
    try:
        return run_stages(
            specs,
            runs_root=root / "runs",
            edition=ed.edition,
            inputs=_edition_inputs(root, ed, q),
            seed=ed.seed,
            run_id=run_id,
            extra_manifest={
                "questionnaire": q.meta.id,
                "questionnaire_version": q.meta.version,
                "questionnaire_sha256": q.sha256(),
            },
            progress=_stage_progress(lang, quiet),
            base_run=base,
            project_root=root,
            first_kernel=first_kernel,
            lang=lang,
        )
    finally:
        if watcher is not None:
            watcher.stop()


class _ProgressWatcher:
    """Draws the progress a stage's kernel publishes (see :mod:`vielfalt.runs.progress`) as a terminal bar."""

    def __init__(self, run_dir: Path) -> None:
        from vielfalt.runs.progress import progress_file

        self.path = progress_file(run_dir)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        """Poll the published state twice a second and redraw the bar."""
        from tqdm.std import tqdm

        from vielfalt.runs.progress import read_progress

        bar: Any = None
        key = None
        while not self._stop.wait(0.5):
            state = read_progress(self.path)
            if state is None:
                continue
            if bar is None or (state["description"], state["phase"]) != key:
                if bar is not None:
                    bar.close()
                key = (state["description"], state["phase"])
                bar = tqdm(total=state["total"], desc=f"    {key[0]} ({key[1]})", ascii=True, leave=False)
            bar.n = state["done"]
            bar.refresh()
        if bar is not None:
            bar.close()

    def stop(self) -> None:
        """Stop drawing (the thread ends within two seconds)."""
        self._stop.set()
        self._thread.join(timeout=2)


def cmd_run(args: argparse.Namespace) -> int:
    """Run stages of an edition (``--stage S``, ``--until S`` or all)."""
    from vielfalt.runs.warm_kernel import start_early

    root = find_project_root(args.project, lang=args.lang or "de")
    stages = select_stages(root, args.stage, args.until, lang=args.lang or "de")
    first_kernel = start_early("vielfalt", root)  # starts while the edition is read
    try:
        args.lang = args.lang or edition_language(root, args.edition)  # main() reports errors in it too
        result = run_edition(root, args.edition, stages, lang=args.lang, first_kernel=first_kernel)
    finally:
        if first_kernel is not None:
            first_kernel.close()
    print_run(result, root, lang=args.lang)
    return 0


def print_run(result: Any, root: Path, *, lang: str = "de") -> None:
    """Print where a complete run is: its notebooks, HTML reports and the files for people (registry).

    Parameters
    ----------
    result : RunResult
        The run.
    root : Path
        The project folder (paths are shown relative to it).
    lang : {"de", "en"}, default "de"
        The language of the lines.
    """
    run_dir = Path(result.run_dir)
    print()
    print(t("cli.run_complete", lang, path=rel(run_dir, root)))
    for name in result.notebooks:
        print(t("cli.run_notebook", lang, stage=name, path=rel(result.notebooks[name], root)))
        if name in result.html:
            print(t("cli.run_html", lang, stage=name, path=rel(result.html[name], root)))
    for s in STAGES:
        for out in s.outputs:
            files = sorted(run_dir.glob(out.pattern))
            if out.folder and files:
                label = t(out.label, lang, n=len(files))
                print(t("cli.run_output", lang, label=label, path=f"{rel(files[0].parent, root)}/"))
            elif not out.folder:
                for f in files:
                    print(t("cli.run_output", lang, label=t(out.label, lang, n=1), path=rel(f, root)))


def cmd_status(args: argparse.Namespace) -> int:
    """Say which inputs exist, which runs there are, what is next and what the next stage needs."""
    from vielfalt.config.edition import load_context, resolve_data_path
    from vielfalt.runs.listing import list_runs

    root = find_project_root(args.project, lang=args.lang or "de")
    ed, _ = load_context(root, args.edition)
    lang = args.lang = args.lang or ed.language
    print(t("cli.status_edition", lang, edition=ed.edition, title=ed.title.get(lang)))
    print(t("cli.status_inputs", lang))
    missing = []
    for i in ed.inputs:
        p = resolve_data_path(root, ed, i.file)
        ok = p.is_file() or (i.dialect == "form" and p.is_dir())
        mark = "x" if ok else " "
        print(t("cli.status_input", lang, mark=mark, edition=ed.edition, file=i.file, dialect=i.dialect,
                source=i.source))  # fmt: skip
        if not ok:
            missing.append(i.file)
    runs = list_runs(root / "runs", ed.edition)
    print(t("cli.status_runs" if runs else "cli.status_no_runs", lang))
    for r in runs[-10:]:
        m = r.manifest
        done_here = ", ".join(m.stages_completed) if m else ""
        status = t(f"cli.run_status_{r.status}", lang)
        line = t("cli.status_run", lang, run_id=r.run_id, status=status, stages=done_here or "—")
        if r.status == "failed" and m is not None and m.failure is not None:
            line += f"\n      {m.failure.summary(lang)}"
        print(line)
    _print_next(root, ed.edition, missing, lang)
    return 0


def _print_next(root: Path, edition: str, missing: list[str], lang: str) -> None:
    """Print the next step: missing inputs, else the next stage with the data it needs, else done."""
    nxt = next(
        (s for s in available_stages(root) if newest_run_holding(root, edition, stages_until(s)) is None),
        None,
    )
    if missing:
        print(t("cli.status_next_inputs", lang, files=", ".join(missing), edition=edition))
    elif nxt is None:
        print(t("cli.status_all_done", lang))
    else:
        print(t("cli.status_next_stage", lang, edition=edition, stage=nxt))
        needs = [i for i in stage(nxt).data_inputs if i.path]
        if needs:
            print(t("cli.status_stage_needs", lang, stage=nxt))
        for i in needs:
            ok = any(p.is_file() or (p.is_dir() and any(p.iterdir())) for p in i.paths(root, edition))
            mark = "x" if ok else " "
            print(t("cli.status_need", lang, mark=mark, what=i.describe(lang, edition=edition)))


def cmd_verify(args: argparse.Namespace) -> int:
    """Re-run a run from its manifest and compare its artefacts; exit 0 identical, 1 not, 2 error."""
    from vielfalt.runs.verify import verify_run
    from vielfalt.stages.registry import RESEARCH

    root = find_project_root(args.project, lang=args.lang)
    run = Path(args.run)
    run = run if run.is_absolute() else (Path.cwd() / run)
    notebooks = {s.name: s.notebook_path(root) for s in (*STAGES, RESEARCH)}
    progress = _stage_progress(args.lang, args.json, replay=True)
    report = verify_run(run, project_root=root, progress=progress, notebooks=notebooks, lang=args.lang)
    if args.json:
        print(json.dumps(report.to_dict(args.lang), ensure_ascii=False, indent=2))
    else:
        print(report.text(args.lang))
    return report.exit_code


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Serve the jury dashboard (the jury stage's notebook as a Voilà app) of the latest run on 127.0.0.1."""
    import subprocess

    from vielfalt.config.edition import load_context
    from vielfalt.dashboard.serve import dashboard_notebook, free_port, voila_command, voila_env
    from vielfalt.runs.manifest import load_manifest

    root = find_project_root(args.project, lang=args.lang or "de")
    ed, _ = load_context(root, args.edition)
    lang = args.lang = args.lang or ed.language
    jury = stage("jury")
    run = Path(args.run) if args.run else newest_run_holding(root, ed.edition, [jury])
    if run is None or not (run / "manifest.json").is_file() or not holds(load_manifest(run), [jury]):
        raise VielfaltError(t("cli.no_jury_run", lang, edition=ed.edition, stage=jury.name))
    run = run.resolve()
    # beside the run, not inside it: a finished run directory is never changed
    out_dir = root / "runs" / ed.edition / ".dashboard" / run.name  # a dot: not listed as a run
    nb = dashboard_notebook(root, ed.edition, run, out_dir, lang=lang)
    port = args.port or free_port()
    print(t("cli.dashboard_url", lang, run=run.name, port=port))
    cmd = voila_command(nb, port)
    if args.print_command:
        print(" ".join(cmd))
        return 0
    return subprocess.call(cmd, cwd=out_dir, env=voila_env())
