"""Helpers for the jury tests: a demo run through site_visits built in-process by the stage functions."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def demo_project(tmp: Path) -> Path:
    """A copy of the project's params, notebooks and demo data under `tmp`."""
    root = tmp / "proj"
    for d in ("params", "notebooks", "data"):
        shutil.copytree(ROOT / d, root / d)
    return root


def run_until_site_visits(root: Path, run_dir: Path, edition: str = "demo2010") -> Path:
    """Run intake … site_visits in-process into `run_dir` (no kernel), quietly; returns `run_dir`."""
    from vielfalt import stages

    run_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.redirect_stderr(io.StringIO()):
        stages.intake_stage(root, edition, run_dir)
        stages.ratings_stage(root, edition, run_dir)
        stages.scoring_stage(root, edition, run_dir)
        stages.robustness_stage(root, edition, run_dir)
        stages.site_visits_stage(root, edition, run_dir)
    return run_dir
