"""``vielfalt export ED --profile P`` for the jury and public profiles (research: :mod:`vielfalt.research.archive`).

- ``jury_blind`` / ``jury_named``: the jury stage's exports (:func:`vielfalt.outputs.spreadsheets.jury_export`) rebuilt
  from a run's artefacts (:func:`vielfalt.stages.jury.jury_view`); needs the jury stage.
- ``public``: the winners with consent to publication (:func:`vielfalt.outputs.spreadsheets.public_export`); needs the
  close stage.

Source: the latest complete run of the edition that holds the needed stage, or ``--run``; output: ``--out``
or the run's ``exports/`` (where the stages write the same files, byte for byte).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from vielfalt.exceptions import DataError

__all__ = ["PROFILE_STAGES", "ProfileExport", "export_profile"]

#: profile → the stage whose artefacts it needs
PROFILE_STAGES = {"jury_blind": "jury", "jury_named": "jury", "public": "close"}


@dataclass
class ProfileExport:
    """What :func:`export_profile` wrote."""

    edition: str
    profile: str
    run_dir: Path
    out_dir: Path
    files: dict[str, Path]
    rows: int
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few German lines for the terminal."""
        lines = [
            f"Export {self.profile} der Edition {self.edition} aus Lauf {self.run_dir.name}: "
            f"{self.rows} Zeilen",
            *[f"  {p}" for p in self.files.values()],
        ]
        lines += [f"  Hinweis: {n}" for n in self.notes]
        return "\n".join(lines)


def _missing(edition: str, stage: str, where: str) -> DataError:
    return DataError(
        f"{where} enthält die Stufe {stage} nicht (nötig für diesen Export). "
        f"Bitte zuerst: vielfalt run {edition} --until {stage}"
    )


def _source_run(root: Path, edition: str, stage: str, run_dir: str | os.PathLike[str] | None) -> Path:
    """The run to export from: `run_dir` (a path or a run id) or the latest complete run with `stage`."""
    from vielfalt.research.archive import _completed
    from vielfalt.runs.runner import list_runs

    if run_dir is not None:
        run = Path(run_dir)
        if not run.is_dir() and (root / "runs" / edition / str(run_dir)).is_dir():
            run = root / "runs" / edition / str(run_dir)
        if not run.is_dir():
            msg = f"Der Lauf {run_dir} existiert nicht (erwartet: ein Laufordner unter runs/{edition}/)."
            raise DataError(msg)
        try:
            done = _completed(run)
        except Exception as err:  # no or unreadable manifest
            msg = f"Der Lauf {run} hat kein lesbares Manifest: {err}"
            raise DataError(msg) from err
        if stage not in done:
            raise _missing(edition, stage, f"Der Lauf {run}")
        return run
    runs = [
        r
        for r in list_runs(root / "runs", edition)
        if r.status == "complete" and r.manifest is not None and stage in _completed(r.path)
    ]
    if not runs:
        where = f"Kein vollständiger Lauf der Edition {edition} in {root / 'runs' / edition}"
        raise _missing(edition, stage, where)
    return max(runs, key=lambda r: (r.started_at or "", r.run_id)).path


def export_profile(
    project_root: str | os.PathLike[str],
    edition: str,
    profile: str,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    lang: str | None = None,
) -> ProfileExport:
    """Write one of the profiles ``jury_blind``, ``jury_named``, ``public`` as XLSX and CSV.

    Parameters
    ----------
    project_root : path
    edition : str
    profile : {"jury_blind", "jury_named", "public"}
    out_dir : path, optional
        Default: the source run's ``exports/``.
    run_dir : path or run id, optional
        Default: the latest complete run holding the stage the profile needs (:data:`PROFILE_STAGES`).
    lang : {"de", "en"}, optional
        Default: the edition's language.

    Raises
    ------
    DataError
        No such run, or the run lacks the needed stage (the message names the command to run first).
    """
    from vielfalt.config.edition import load_context
    from vielfalt.outputs.profiles import jury_export, public_export, read_text_review, write_profile
    from vielfalt.runs.manifest import read_artefact

    if profile not in PROFILE_STAGES:
        from vielfalt.exceptions import ConfigError

        msg = f"Unbekanntes Exportprofil {profile!r}; möglich: {', '.join(PROFILE_STAGES)}, research."
        raise ConfigError(msg)
    root = Path(project_root)
    ed, q = load_context(root, edition)
    lang = lang or ed.language
    run = _source_run(root, ed.edition, PROFILE_STAGES[profile], run_dir)
    out = Path(out_dir) if out_dir is not None else run / "exports"
    entries = read_artefact(run, "intake/entries", produced_by="intake")
    notes: list[str] = []
    if profile == "public":
        awards = read_artefact(run, "close/awards", produced_by="close")
        table, excluded = public_export(awards, entries, ed=ed, q=q, lang=lang)
        files = write_profile(table, out, f"public_{ed.edition}", lang=lang)
        if len(excluded):
            why = "keine Einwilligung zur Veröffentlichung, G02"
            notes.append(f"nicht veröffentlicht ({why}): {', '.join(excluded.index)}")
    else:
        from vielfalt.stages.jury import jury_view

        view = jury_view(root, ed.edition, run, lang=lang)
        review = read_text_review(root, ed.edition, entries=entries, q=q, lang=lang)
        table, notes = jury_export(profile, view, entries, q, reviewed=review, lang=lang)
        files = write_profile(table, out, f"{profile}_{ed.edition}", notes=notes, lang=lang)
    return ProfileExport(ed.edition, profile, run, out, files, len(table), list(notes))
