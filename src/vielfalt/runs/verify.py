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
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from vielfalt.exceptions import DataError, PipelineError
from vielfalt.i18n import t
from vielfalt.runs.artefacts import MANIFEST_NAME, artefact_hashes, file_hashes, sha256_file
from vielfalt.runs.manifest import RunManifest, git_info, load_manifest, package_versions
from vielfalt.runs.notebooks import RESERVED_PARAMETERS, StageSpec
from vielfalt.runs.runner import ProgressCallback, run_stages

__all__ = ["REPLAY_DIR", "Check", "VerifyReport", "logical_inputs", "verify_run"]

#: Folder below the runs root that receives the replays.
REPLAY_DIR = "_verify"

Status = Literal["identical", "changed", "different", "missing", "new"]


@dataclass(frozen=True)
class Check:
    """One compared thing: an input file, a notebook or an artefact, with both hashes.

    Attributes
    ----------
    name : str
        The logical input name, the notebook's path or the artefact's path below ``artefacts/``.
    status : {"identical", "changed", "different", "missing", "new"}
        How the current (or replayed) thing compares with the recorded one.
    recorded, current : str or None
        The two sha256 (None where the thing does not exist).
    """

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

    def differences(self, lang: str = "de") -> list[str]:
        """One line per difference, in the order inputs, notebooks, questionnaire, artefacts.

        Parameters
        ----------
        lang : {"de", "en"}, default "de"
            The language of the lines.

        Returns
        -------
        list of str
            E.g. ``"Eingabe data/demo2010/responses.csv: geändert"``.
        """

        def line(key: str, check: Check) -> str:
            return t(key, lang, name=check.name, status=t(f"runs.verify_status_{check.status}", lang))

        lines = [line("runs.verify_input", c) for c in self.inputs if c.status != "identical"]
        lines += [line("runs.verify_notebook", c) for c in self.notebooks if c.status != "identical"]
        if self.questionnaire is not None and self.questionnaire.status != "identical":
            lines.append(line("runs.verify_questionnaire", self.questionnaire))
        lines += [line("runs.verify_artefact", c) for c in self.artefacts if c.status != "identical"]
        lines += [t("runs.verify_tampered", lang, name=name) for name in self.tampered]
        return lines

    def text(self, lang: str = "de") -> str:
        """Return the report for the terminal in ``lang`` (``"de"`` or ``"en"``)."""
        lines = [
            t("runs.verify_heading", lang, run_id=self.run_id, edition=self.edition),
            t("runs.verify_replay", lang, path=self.replay_dir),
            t(
                "runs.verify_inputs",
                lang,
                same=sum(c.status == "identical" for c in self.inputs),
                total=len(self.inputs),
            ),
            t(
                "runs.verify_artefacts",
                lang,
                same=sum(c.status == "identical" for c in self.artefacts),
                total=len(self.artefacts),
            ),
        ]
        if self.failure:
            lines.append(t("runs.verify_replay_failed", lang, reason=self.failure))
        diffs = self.differences(lang)
        if diffs:
            lines.append(t("runs.verify_differences", lang))
            lines += [f"    - {d}" for d in diffs]
        if self.versions:
            lines.append(t("runs.verify_versions", lang))
            lines += [f"    - {n}: {a} → {b}" for n, (a, b) in sorted(self.versions.items())]
        if self.git[0] != self.git[1]:
            lines.append(f"  git: {self.git[0] or '—'} → {self.git[1] or '—'}")
        lines.append(t("runs.verify_identical" if self.identical else "runs.verify_not_identical", lang))
        return "\n".join(lines)

    def to_dict(self, lang: str = "de") -> dict[str, Any]:
        """Return the report as plain JSON (for ``vielfalt verify --json``; differences in ``lang``)."""
        data = asdict(self)
        data["run_dir"] = str(self.run_dir)
        data["replay_dir"] = None if self.replay_dir is None else str(self.replay_dir)
        data["identical"] = self.identical
        data["differences"] = self.differences(lang)
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
    """Compare two name → sha256 mappings name by name."""
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


def _stages_to_replay(
    m: RunManifest, root: Path, notebooks: Mapping[str, Path] | None, report: VerifyReport
) -> list[StageSpec]:
    """The recorded stages with their parameters, moved into the current project; notebooks compared."""
    specs = []
    for name in m.stages_requested:
        rec = m.stages[name]
        rel = _under(rec.notebook, m.project_root)
        if notebooks is not None and name in notebooks:
            notebook = Path(notebooks[name])
        else:
            notebook = root / rel if rel is not None else Path(rec.notebook)
        digest = sha256_file(notebook) if notebook.is_file() else None
        status: Status = (
            "missing" if digest is None else ("identical" if digest == rec.notebook_sha256 else "changed")
        )
        report.notebooks.append(
            Check(name=rel or rec.notebook, status=status, recorded=rec.notebook_sha256, current=digest)
        )
        params = {
            k: _rebase(v, m.project_root, root)
            for k, v in rec.parameters.items()
            if k not in RESERVED_PARAMETERS and not (k == "seed" and m.seed is not None)
        }
        specs.append(StageSpec(name=name, notebook=notebook, parameters=params))
    return specs


def _current_questionnaire(m: RunManifest, root: Path, report: VerifyReport) -> str | None:
    """Compare the recorded questionnaire hash with the project's file; return the current hash."""
    qid = m.extra.get("questionnaire")
    if m.questionnaire_sha256 is None or not isinstance(qid, str):
        return m.questionnaire_sha256
    qpath = root / "params" / "questionnaire" / f"{qid}.yaml"
    q_now = sha256_file(qpath) if qpath.is_file() else None
    status: Status = (
        "missing" if q_now is None else ("identical" if q_now == m.questionnaire_sha256 else "changed")
    )
    report.questionnaire = Check(name=qid, status=status, recorded=m.questionnaire_sha256, current=q_now)
    return q_now


def _base_of(m: RunManifest, run: Path, lang: str) -> Path | None:
    """The base run the verified run built on (where recorded, or beside it); DataError when it is gone."""
    if m.base_run is None:
        return None
    candidates = [Path(m.base_run.path), run.parent / m.base_run.run_id]
    base = next((c for c in candidates if (c / MANIFEST_NAME).is_file()), None)
    if base is None:
        msg = t("runs.base_run_gone", lang, run_id=m.run_id, base_id=m.base_run.run_id, path=m.base_run.path)
        raise DataError(msg)
    return base


def verify_run(
    run_dir: str | os.PathLike[str],
    *,
    project_root: str | os.PathLike[str] | None = None,
    runs_root: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
    kernel_name: str | None = None,
    notebooks: Mapping[str, Path] | None = None,
    lang: str = "de",
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
    notebooks : mapping of str to path, optional
        The current notebook of each stage by name (the command line takes them from the stage registry);
        by default the recorded notebook path, moved into the current project.
    lang : {"de", "en"}, default "de"
        The language of the errors (the replay's too).

    Returns
    -------
    VerifyReport
        ``exit_code`` 0 when identical, 1 when not (also when the replay fails).

    Raises
    ------
    DataError
        `run_dir` is not a complete run, or the base run it built on is gone (nothing to replay from).
    """
    run = Path(run_dir).resolve()
    if run.name.startswith(".") or not run.is_dir():
        raise DataError(t("runs.not_a_complete_run", lang, run=run), path=str(run))
    m = load_manifest(run, lang=lang)
    if m.status != "complete":
        raise DataError(t("runs.run_not_complete", lang, run=run, status=m.status), path=str(run))
    root = (
        Path(project_root).resolve()
        if project_root is not None
        else Path(m.project_root or run.parent.parent.parent)
    )
    report = VerifyReport(run_dir=run, replay_dir=None, edition=m.edition, run_id=m.run_id)

    current_inputs, paths = _current_inputs(m, root)
    report.inputs = _compare(logical_inputs(m), current_inputs, changed="changed")
    specs = _stages_to_replay(m, root, notebooks, report)
    q_now = _current_questionnaire(m, root, report)
    now = package_versions()
    report.versions = {
        k: (m.versions.get(k), now.get(k))
        for k in sorted(set(m.versions) | set(now))
        if m.versions.get(k) != now.get(k)
    }
    report.git = (m.git.commit, git_info(root).commit)
    on_disk = artefact_hashes(run)
    report.tampered = sorted(
        k for k in set(on_disk) | set(m.artefacts) if on_disk.get(k) != m.artefacts.get(k)
    )

    base = _base_of(m, run, lang)
    extra = dict(m.extra)
    extra["replay_of"] = m.run_id
    if q_now is not None:
        extra["questionnaire_sha256"] = q_now
    replay_root = (Path(runs_root) if runs_root is not None else run.parent.parent) / REPLAY_DIR
    try:
        result = run_stages(
            specs,
            runs_root=replay_root,
            edition=m.edition,
            inputs={name: p for name, p in paths.items() if p.exists()},
            seed=m.seed,
            kernel_name=kernel_name or m.kernel_name or "vielfalt",
            execution_timeout=m.execution_timeout or 600,
            extra_manifest=extra,
            progress=progress,
            base_run=base,
            project_root=root,
            lang=lang,
        )
        report.replay_dir = result.run_dir
        replayed = result.manifest.artefacts
    except PipelineError as err:
        report.failure = str(err).split("\n\n", 1)[0]
        report.replay_dir = Path(err.run_dir) if err.run_dir else None
        replayed = artefact_hashes(report.replay_dir) if report.replay_dir is not None else {}
    report.artefacts = _compare(m.artefacts, replayed, changed="different")
    return report
