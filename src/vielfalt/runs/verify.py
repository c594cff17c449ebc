"""Replay a run from its manifest and verify that it gives the same artefacts (``vielfalt verify RUN``).

A complete run's ``manifest.json`` records what is needed to repeat it: the stages and their notebooks (with
sha256), the parameters injected, the seed, the inputs (logical name → path, and the sha256 of every file),
the questionnaire hash, the base run it built on, the package versions and the git commit. :func:`verify_run`
checks the inputs, notebooks and questionnaire of the current project against that record, runs the same
stages with the same parameters and seed through :func:`vielfalt.runs.runner.run_stages` into a fresh run
directory (``<runs>/_verify/<edition>/<run-id>/``, so the edition's own runs are untouched), and compares
the artefacts file by file (sha256).

Inputs are compared by logical name and hash, never by absolute path or host, so a project that moved
(another clone, another machine) verifies as long as its files are the same: a logical name that is a path
relative to the project (``data/demo2010/responses_limesurvey.csv``, ``params/editions/demo2010.yaml``) is
looked up in the current project, an absolute one where it is, and anything else at the recorded path; a
file inside an input directory is named ``<input>/<relative path>``. Parameters that are paths inside the
recorded project are moved to the current one the same way.

The report names every difference: each input file that changed, is missing or is new, each notebook that
changed, the questionnaire hash, the package versions and the git commit, and for each artefact whether it
is identical, different, missing from the replay or new in it. A run is verified (exit code 0) only when its
inputs, notebooks and questionnaire are unchanged and every artefact is identical; package versions and the
git commit are reported but do not decide, because the artefacts show whether they mattered.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from vielfalt.exceptions import DataError, PipelineError
from vielfalt.runs.manifest import (
    RunManifest,
    artefact_hashes,
    file_hashes,
    load_manifest,
    package_versions,
    sha256_file,
)

__all__ = ["REPLAY_DIR", "Check", "VerifyReport", "logical_inputs", "verify_run"]

#: Folder below the runs root that receives the replays.
REPLAY_DIR = "_verify"

Status = Literal["identical", "changed", "different", "missing", "new"]


@dataclass(frozen=True)
class Check:
    """One compared thing: an input file, a notebook or an artefact, with both hashes."""

    name: str
    status: Status
    recorded: str | None = None
    current: str | None = None


@dataclass
class VerifyReport:
    """The result of :func:`verify_run`.

    Attributes
    ----------
    run_dir, replay_dir : Path
        The verified run and its replay (None when the replay could not start).
    edition, run_id : str
    inputs, notebooks, artefacts : list of Check
        Inputs and notebooks: ``identical``, ``changed``, ``missing`` or ``new``. Artefacts: ``identical``,
        ``different``, ``missing`` (not written by the replay) or ``new`` (only in the replay).
    questionnaire : Check or None
        The questionnaire hash, when the run recorded one.
    versions : dict of str to (str, str)
        Package versions that differ: name → (recorded, current).
    git : (str or None, str or None)
        Recorded and current commit.
    tampered : list of str
        Artefacts of the original run whose files no longer match its manifest.
    failure : str or None
        Why the replay did not complete.
    """

    run_dir: Path
    replay_dir: Path | None
    edition: str
    run_id: str
    inputs: list[Check] = field(default_factory=list)
    notebooks: list[Check] = field(default_factory=list)
    questionnaire: Check | None = None
    artefacts: list[Check] = field(default_factory=list)
    versions: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    git: tuple[str | None, str | None] = (None, None)
    tampered: list[str] = field(default_factory=list)
    failure: str | None = None

    @property
    def identical(self) -> bool:
        """True when inputs, notebooks and questionnaire are unchanged and every artefact is identical."""
        same_in = all(c.status == "identical" for c in self.inputs + self.notebooks)
        same_q = self.questionnaire is None or self.questionnaire.status == "identical"
        same_out = bool(self.artefacts) and all(c.status == "identical" for c in self.artefacts)
        return same_in and same_q and same_out and not self.tampered and self.failure is None

    @property
    def exit_code(self) -> int:
        """0 when identical, 1 otherwise."""
        return 0 if self.identical else 1

    def differences(self) -> list[str]:
        """One German line per difference, in the order inputs, notebooks, questionnaire, artefacts."""
        lines = []
        words = {"changed": "geändert", "missing": "fehlt", "new": "neu", "different": "abweichend"}
        for c in self.inputs:
            if c.status != "identical":
                lines.append(f"Eingabe {c.name}: {words[c.status]}")
        for c in self.notebooks:
            if c.status != "identical":
                lines.append(f"Notebook {c.name}: {words[c.status]}")
        if self.questionnaire is not None and self.questionnaire.status != "identical":
            lines.append(f"Fragebogen {self.questionnaire.name}: Hash {words[self.questionnaire.status]}")
        for c in self.artefacts:
            if c.status != "identical":
                lines.append(f"Zwischenergebnis {c.name}: {words[c.status]}")
        lines += [f"Zwischenergebnis {t}: im Originallauf nachträglich verändert" for t in self.tampered]
        return lines

    def text(self, lang: str = "de") -> str:
        """The report for the terminal."""
        de = lang != "en"
        n_same = sum(c.status == "identical" for c in self.artefacts)
        lines = [
            (
                f"Prüfung des Laufs {self.run_id} ({self.edition})"
                if de
                else f"Verifying run {self.run_id} ({self.edition})"
            ),
            (f"  Wiederholung: {self.replay_dir}" if de else f"  replay: {self.replay_dir}"),
            (
                f"  Eingaben: {sum(c.status == 'identical' for c in self.inputs)} von {len(self.inputs)} unverändert"
                if de
                else f"  inputs: {sum(c.status == 'identical' for c in self.inputs)} of {len(self.inputs)} unchanged"
            ),
            (
                f"  Zwischenergebnisse: {n_same} von {len(self.artefacts)} identisch"
                if de
                else f"  artefacts: {n_same} of {len(self.artefacts)} identical"
            ),
        ]
        if self.failure:
            lines.append(("  Wiederholung fehlgeschlagen: " if de else "  replay failed: ") + self.failure)
        diffs = self.differences()
        if diffs:
            lines.append("  Unterschiede:" if de else "  differences:")
            lines += [f"    - {d}" for d in diffs]
        if self.versions:
            lines.append("  Andere Paketversionen als im Lauf:" if de else "  package versions differ:")
            lines += [f"    - {n}: {a} → {b}" for n, (a, b) in sorted(self.versions.items())]
        if self.git[0] != self.git[1]:
            lines.append(f"  git: {self.git[0] or '—'} → {self.git[1] or '—'}")
        verdict = (
            ("ERGEBNIS: identisch" if de else "RESULT: identical")
            if self.identical
            else ("ERGEBNIS: nicht identisch" if de else "RESULT: not identical")
        )
        lines.append(verdict)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON (for ``vielfalt verify --json``)."""
        data = asdict(self)
        data["run_dir"] = str(self.run_dir)
        data["replay_dir"] = None if self.replay_dir is None else str(self.replay_dir)
        data["identical"] = self.identical
        data["differences"] = self.differences()
        return json.loads(json.dumps(data, default=str))


def _under(path: str, root: str | None) -> str | None:
    """`path` relative to `root` (POSIX) when inside it, else None."""
    if not root:
        return None
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return None


def logical_inputs(manifest: RunManifest) -> dict[str, str]:
    """The recorded input hashes keyed by logical name (``<input>/<file>`` inside input directories).

    Parameters
    ----------
    manifest : RunManifest

    Returns
    -------
    dict of str to str
        Logical name → sha256, sorted.
    """
    out: dict[str, str] = {}
    for name, path in manifest.inputs.items():
        if path in manifest.input_hashes:
            out[name] = manifest.input_hashes[path]
            continue
        prefix = path.rstrip("/") + "/"
        for p, digest in manifest.input_hashes.items():
            if p.startswith(prefix):
                out[f"{name}/{p[len(prefix) :]}"] = digest
    return dict(sorted(out.items()))


def _resolve(name: str, recorded: str, root: Path) -> Path:
    """Where logical input `name` lives in the current project."""
    if os.path.isabs(name):
        return Path(name)
    here = root / name
    if here.exists():
        return here
    return Path(recorded)


def _current_inputs(manifest: RunManifest, root: Path) -> tuple[dict[str, str], dict[str, Path]]:
    """Current logical hashes and the resolved path of every input."""
    hashes: dict[str, str] = {}
    paths: dict[str, Path] = {}
    for name, recorded in manifest.inputs.items():
        path = _resolve(name, recorded, root)
        paths[name] = path
        if path.is_file():
            hashes[name] = sha256_file(path)
        elif path.is_dir():
            for rel, digest in file_hashes(path).items():
                hashes[f"{name}/{rel}"] = digest
    return dict(sorted(hashes.items())), paths


def _compare(recorded: dict[str, str], current: dict[str, str], *, changed: Status) -> list[Check]:
    out = []
    for name in sorted(set(recorded) | set(current)):
        a, b = recorded.get(name), current.get(name)
        if a is not None and b is None:
            status: Status = "missing"
        elif a is None:
            status = "new"
        else:
            status = "identical" if a == b else changed
        out.append(Check(name=name, status=status, recorded=a, current=b))
    return out


def _rebase(value: Any, old_root: str | None, new_root: Path) -> Any:
    """Move path parameters inside the recorded project into the current one."""
    if isinstance(value, str) and old_root:
        rel = _under(value, old_root)
        if rel is not None and os.path.isabs(value):
            return str(new_root / rel) if rel != "." else str(new_root)
    if isinstance(value, list):
        return [_rebase(v, old_root, new_root) for v in value]
    if isinstance(value, dict):
        return {k: _rebase(v, old_root, new_root) for k, v in value.items()}
    return value


def verify_run(
    run_dir: str | os.PathLike[str],
    *,
    project_root: str | os.PathLike[str] | None = None,
    runs_root: str | os.PathLike[str] | None = None,
    progress: Callable[[str, int, int, str], None] | None = None,
    kernel_name: str | None = None,
) -> VerifyReport:
    """Re-run a complete run from its manifest and compare it artefact by artefact.

    Parameters
    ----------
    run_dir : path
        A complete run (``runs/<ed>/<run-id>``).
    project_root : path, optional
        The current project; default the one the manifest names.
    runs_root : path, optional
        Where ``_verify/`` goes; default the runs folder holding `run_dir`.
    progress : callable, optional
        Passed to :func:`vielfalt.runs.runner.run_stages`.
    kernel_name : str, optional
        Default: the kernel the run used.

    Returns
    -------
    VerifyReport
        ``exit_code`` 0 when identical, 1 when not (also when the replay fails).

    Raises
    ------
    DataError
        `run_dir` is not a complete run, or the base run it built on is gone (nothing to replay from).
    """
    from vielfalt.runs import runner as pipeline

    run = Path(run_dir).resolve()
    if run.name.startswith(".") or not run.is_dir():
        msg = f"{run} ist kein abgeschlossener Lauf (fehlt, oder .partial: abgebrochen oder fehlgeschlagen)."
        raise DataError(msg, path=str(run))
    m = load_manifest(run)
    if m.status != "complete":
        msg = f"Der Lauf {run} ist nicht abgeschlossen (Status {m.status!r}); nur vollständige Läufe lassen sich prüfen."
        raise DataError(msg, path=str(run))
    root = (
        Path(project_root).resolve()
        if project_root is not None
        else Path(m.project_root or run.parent.parent.parent)
    )
    report = VerifyReport(run_dir=run, replay_dir=None, edition=m.edition, run_id=m.run_id)

    current_inputs, paths = _current_inputs(m, root)
    report.inputs = _compare(logical_inputs(m), current_inputs, changed="changed")
    specs = []
    for name in m.stages_requested:
        rec = m.stages[name]
        rel = _under(rec.notebook, m.project_root)
        notebook = root / rel if rel is not None else Path(rec.notebook)
        digest = sha256_file(notebook) if notebook.is_file() else None
        shown = rel or rec.notebook
        status: Status = (
            "missing" if digest is None else ("identical" if digest == rec.notebook_sha256 else "changed")
        )
        report.notebooks.append(
            Check(name=shown, status=status, recorded=rec.notebook_sha256, current=digest)
        )
        params = {
            k: _rebase(v, m.project_root, root)
            for k, v in rec.parameters.items()
            if k not in pipeline.RESERVED_PARAMETERS and not (k == "seed" and m.seed is not None)
        }
        specs.append(pipeline.StageSpec(name=name, notebook=notebook, parameters=params))
    qid = m.extra.get("questionnaire")
    q_now = m.questionnaire_sha256
    if m.questionnaire_sha256 is not None and isinstance(qid, str):
        qpath = root / "params" / "questionnaire" / f"{qid}.yaml"
        q_now = sha256_file(qpath) if qpath.is_file() else None
        q_status: Status = (
            "missing" if q_now is None else ("identical" if q_now == m.questionnaire_sha256 else "changed")
        )
        report.questionnaire = Check(
            name=qid, status=q_status, recorded=m.questionnaire_sha256, current=q_now
        )
    now = package_versions()
    report.versions = {
        k: (m.versions.get(k), now.get(k))
        for k in sorted(set(m.versions) | set(now))
        if m.versions.get(k) != now.get(k)
    }
    from vielfalt.runs.manifest import git_info

    report.git = (m.git.commit, git_info(root).commit)
    on_disk = artefact_hashes(run)
    report.tampered = sorted(
        k for k in set(on_disk) | set(m.artefacts) if on_disk.get(k) != m.artefacts.get(k)
    )

    base = None
    if m.base_run is not None:
        candidates = [Path(m.base_run.path), run.parent / m.base_run.run_id]
        base = next((c for c in candidates if (c / "manifest.json").is_file()), None)
        if base is None:
            msg = (
                f"Der Lauf {m.run_id} baut auf dem Lauf {m.base_run.run_id} auf, der nicht mehr da ist "
                f"({m.base_run.path}); ohne ihn lässt er sich nicht wiederholen."
            )
            raise DataError(msg)
    extra = {k: v for k, v in m.extra.items()}
    extra["replay_of"] = m.run_id
    if q_now is not None:
        extra["questionnaire_sha256"] = q_now
    replay_root = Path(runs_root) if runs_root is not None else run.parent.parent
    replay_root = replay_root / REPLAY_DIR
    inputs = {name: p for name, p in paths.items() if p.exists()}
    try:
        result = pipeline.run_stages(
            specs,
            runs_root=replay_root,
            edition=m.edition,
            inputs=inputs,
            seed=m.seed,
            kernel_name=kernel_name or m.kernel_name or "vielfalt",
            execution_timeout=m.execution_timeout or 600,
            extra_manifest=extra,
            progress=progress,
            base_run=base,
            project_root=root,
        )
        report.replay_dir = result.run_dir
        replayed = result.manifest.artefacts
    except PipelineError as err:
        report.failure = str(err).split("\n\n", 1)[0]
        report.replay_dir = Path(err.run_dir) if err.run_dir else None
        replayed = artefact_hashes(report.replay_dir) if report.replay_dir is not None else {}
    report.artefacts = _compare(m.artefacts, replayed, changed="different")
    return report
