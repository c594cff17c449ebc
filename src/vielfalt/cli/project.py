"""What every command needs: the project folder, its stages (from the registry) and the runs that hold them.

The stages come from :mod:`vielfalt.stages.registry`; a stage is *available* in a project when its notebook
exists there. A run *holds* a stage when its manifest lists every artefact the registry declares for it (its
own or copied from the run it built on).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vielfalt.exceptions import VielfaltError
from vielfalt.i18n import t
from vielfalt.runs.listing import list_runs
from vielfalt.runs.manifest import RunManifest
from vielfalt.stages.registry import STAGE_NAMES as _NAMES
from vielfalt.stages.registry import STAGES, StageDef

__all__ = [
    "STAGES",
    "STAGE_NAMES",
    "available_stages",
    "did_you_mean",
    "edition_language",
    "find_project_root",
    "holds",
    "newest_run_holding",
    "rel",
]

#: The stage names in pipeline order (from the stage registry).
STAGE_NAMES: list[str] = list(_NAMES)


def find_project_root(start: Path | None = None, *, lang: str = "de") -> Path:
    """Return the nearest folder upwards (from ``start`` or the working directory) with ``params/editions``.

    Parameters
    ----------
    start : Path or None, default None
        Where to start looking; ``$VIELFALT_PROJECT`` wins when set.
    lang : {"de", "en"}, default "de"
        The language of the error.

    Returns
    -------
    Path
        The project folder.

    Raises
    ------
    VielfaltError
        When no folder upwards has ``params/editions``.
    """
    env = os.environ.get("VIELFALT_PROJECT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "params" / "editions").is_dir():
            return d
    raise VielfaltError(t("cli.no_project", lang, here=here))


def rel(path: Any, root: Path) -> str:
    """Return ``path`` relative to the project folder when inside it (shorter to read), else as given."""
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return str(path)


def edition_language(root: Path, edition: str) -> str:
    """Return the edition's language (German when the edition cannot be read: its error follows later)."""
    from vielfalt.config.edition import edition_path, load_edition

    try:
        return str(load_edition(edition_path(edition, params_dir=root / "params")).language)
    except VielfaltError:
        return "de"


def did_you_mean(word: str, choices: Iterable[str], lang: str) -> str:
    """Return ``" Meinten Sie „x“?"`` (or its English form) for the closest choice, or ``""``."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return t("cli.did_you_mean", lang, name=close[0]) if close else ""


def available_stages(root: Path) -> list[str]:
    """Return the stages whose notebook exists in this project (the others are not built yet), in order."""
    return [s.name for s in STAGES if s.notebook_path(root).is_file()]


def holds(manifest: RunManifest, stages: Iterable[StageDef]) -> bool:
    """Return whether a run's manifest lists every artefact the registry declares for ``stages``."""
    return all(a in manifest.artefacts for s in stages for a in s.artefacts)


def newest_run_holding(root: Path, edition: str, stages: Iterable[StageDef]) -> Path | None:
    """Return the newest complete run of ``edition`` that holds the artefacts of ``stages``, or None.

    Parameters
    ----------
    root : Path
        The project folder (runs are in ``runs/<edition>/``).
    edition : str
        The edition id.
    stages : iterable of StageDef
        The stages whose artefacts the run must hold (none: any complete run).

    Returns
    -------
    Path or None
        The run directory with the latest start time.
    """
    wanted = list(stages)
    runs = [
        r
        for r in list_runs(root / "runs", edition)
        if r.status == "complete" and r.manifest is not None and holds(r.manifest, wanted)
    ]
    if not runs:
        return None
    return max(runs, key=lambda r: (r.started_at or "", r.run_id)).path
