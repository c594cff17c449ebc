"""``vielfalt export ED --profile P``: the jury and public profiles (research: its own, in the archive).

- ``jury_blind`` / ``jury_named``: the jury stage's exports
  (:func:`vielfalt.outputs.spreadsheets.jury_export`) rebuilt from a run's artefacts
  (:func:`vielfalt.stages.jury.jury_view`); needs the jury stage.
- ``public``: the winners with consent to publication (:func:`vielfalt.outputs.spreadsheets.public_export`);
  needs the close stage.

Which stage a profile needs comes from the stage registry: the stage that writes the artefact the profile
is built from. Source: the newest complete run of the edition that holds that stage, or ``--run``; output:
``--out`` or the run's ``exports/`` (where the stages write the same files, byte for byte).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path

from vielfalt.cli.project import edition_language, find_project_root, holds, newest_run_holding
from vielfalt.exceptions import ConfigError, DataError
from vielfalt.i18n import t
from vielfalt.runs.manifest import load_manifest
from vielfalt.stages.registry import producer, stage

__all__ = ["PROFILE_ARTEFACTS", "PROFILE_STAGES", "ProfileExport", "cmd_export", "export_profile"]

#: profile → the artefact it is built from
PROFILE_ARTEFACTS = {
    "jury_blind": "jury/final_scores.parquet",
    "jury_named": "jury/final_scores.parquet",
    "public": "close/awards.parquet",
}

#: profile → the stage whose artefacts it needs (the registry's producer of its artefact)
PROFILE_STAGES: dict[str, str] = {p: str(producer(a)) for p, a in PROFILE_ARTEFACTS.items()}


@dataclass
class ProfileExport:
    """What :func:`export_profile` wrote.

    Attributes
    ----------
    edition, profile : str
        The edition and the profile.
    run_dir : Path
        The run the tables come from.
    out_dir : Path
        Where the files went.
    files : dict of str to Path
        Format (``xlsx``, ``csv``) → file.
    rows : int
        Rows of the exported table.
    notes : list of str
        Notes for the reader (e.g. winners left out for lack of consent).
    lang : {"de", "en"}, default "de"
        The language of the files and of :meth:`summary`.
    """

    edition: str
    profile: str
    run_dir: Path
    out_dir: Path
    files: dict[str, Path]
    rows: int
    notes: list[str] = field(default_factory=list)
    lang: str = "de"

    def summary(self) -> str:
        """Return a few lines for the terminal, in the export's language."""
        head = t(
            "cli.export_summary",
            self.lang,
            profile=self.profile,
            edition=self.edition,
            run=self.run_dir.name,
            rows=self.rows,
        )
        lines = [head, *[f"  {p}" for p in self.files.values()]]
        lines += [t("cli.export_note", self.lang, note=n) for n in self.notes]
        return "\n".join(lines)


def _missing(edition: str, stage_name: str, where: str, lang: str) -> DataError:
    """The error for a run (or runs folder) without the stage a profile needs."""
    return DataError(t("cli.export_stage_missing", lang, where=where, stage=stage_name, edition=edition))


def _source_run(
    root: Path, edition: str, stage_name: str, run_dir: str | os.PathLike[str] | None, lang: str
) -> Path:
    """The run to export from: ``run_dir`` (a path or a run id) or the newest complete run with the stage."""
    needed = [stage(stage_name)]
    if run_dir is not None:
        run = Path(run_dir)
        if not run.is_dir() and (root / "runs" / edition / str(run_dir)).is_dir():
            run = root / "runs" / edition / str(run_dir)
        if not run.is_dir():
            raise DataError(t("cli.export_no_run", lang, run=run_dir, edition=edition))
        try:
            manifest = load_manifest(run, lang=lang)
        except DataError as err:  # no or unreadable manifest
            raise DataError(t("cli.export_bad_manifest", lang, run=run, error=err)) from err
        if not holds(manifest, needed):
            raise _missing(edition, stage_name, t("cli.export_where_run", lang, run=run), lang)
        return run
    found = newest_run_holding(root, edition, needed)
    if found is None:
        where = t("cli.export_where_none", lang, edition=edition, path=root / "runs" / edition)
        raise _missing(edition, stage_name, where, lang)
    return found


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
        The project folder.
    edition : str
        The edition id.
    profile : {"jury_blind", "jury_named", "public"}
        The export profile.
    out_dir : path, optional
        Default: the source run's ``exports/``.
    run_dir : path or run id, optional
        Default: the newest complete run holding the stage the profile needs (:data:`PROFILE_STAGES`).
    lang : {"de", "en"}, optional
        Default: the edition's language.

    Returns
    -------
    ProfileExport
        The files written and the rows exported.

    Raises
    ------
    ConfigError
        An unknown profile.
    DataError
        No such run, or the run lacks the needed stage (the message names the command to run first).
    """
    from vielfalt.config.edition import load_context
    from vielfalt.outputs.profiles import jury_export, public_export, read_text_review, write_profile
    from vielfalt.runs.artefacts import read_artefact

    if profile not in PROFILE_STAGES:
        raise ConfigError(
            t("cli.export_unknown_profile", lang or "de", profile=profile, profiles=", ".join(PROFILE_STAGES))
        )
    root = Path(project_root)
    ed, q = load_context(root, edition)
    lang = lang or ed.language
    run = _source_run(root, ed.edition, PROFILE_STAGES[profile], run_dir, lang)
    out = Path(out_dir) if out_dir is not None else run / "exports"
    entries = read_artefact(run, "intake/entries", produced_by="intake", lang=lang)
    notes: list[str] = []
    if profile == "public":
        awards = read_artefact(run, "close/awards", produced_by="close", lang=lang)
        table, excluded = public_export(awards, entries, ed=ed, q=q, lang=lang)
        files = write_profile(table, out, f"public_{ed.edition}", lang=lang)
        if len(excluded):
            item = q.roles.consent_publication
            why = t("cli.no_publication_consent", lang, item=item) if item else t("cli.no_consent", lang)
            notes.append(t("cli.export_not_published", lang, reason=why, entries=", ".join(excluded.index)))
    else:
        from vielfalt.stages.jury import jury_view

        view = jury_view(root, ed.edition, run, lang=lang)
        review = read_text_review(root, ed.edition, entries=entries, q=q, lang=lang)
        table, notes = jury_export(profile, view, entries, q, reviewed=review, lang=lang)
        files = write_profile(table, out, f"{profile}_{ed.edition}", notes=notes, lang=lang)
    return ProfileExport(ed.edition, profile, run, out, files, len(table), list(notes), lang)


def cmd_export(args: argparse.Namespace) -> int:
    """Write an export profile of one edition: research, jury_blind, jury_named or public."""
    root = find_project_root(args.project, lang=args.lang or "de")
    args.lang = args.lang or edition_language(root, args.edition)  # main() reports errors in it too
    if args.profile == "research":
        from vielfalt.research.archive import export_research

        research = export_research(root, args.edition, out_dir=args.out, run_dir=args.run, lang=args.lang)
        print(research.summary())
        return 0
    result = export_profile(
        root, args.edition, args.profile, out_dir=args.out, run_dir=args.run, lang=args.lang
    )
    print(result.summary())
    return 0
