"""Shared fixtures: paths of the project and of the reference data beside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path | None:
    """Return ``../shared`` beside the project (or ``$VIELFALT_SHARED``) when it exists."""
    env = os.environ.get("VIELFALT_SHARED")
    candidates = [Path(env)] if env else []
    candidates.append(PROJECT_ROOT.parent / "shared")
    for c in candidates:
        if c.is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root."""
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The reference data beside the project; tests using it skip when it is absent."""
    d = _shared_dir()
    if d is None:
        pytest.skip("../shared (reference data beside the project) is not present")
    return d


@pytest.fixture(scope="session")
def research_project(tmp_path_factory) -> Path:
    """A copy of the project with the four demo editions generated and archived in-process (no papermill).

    Built once per session: synthetic inputs of demo2009/2010/2012/2015, intake → ratings → scoring with
    synthetic jury decisions, archived into ``<copy>/archive`` with the published demo key.
    """
    import shutil

    from vielfalt.research.archive import build_demo_archive

    root = tmp_path_factory.mktemp("research")
    for d in ("params", "notebooks", "data"):
        shutil.copytree(PROJECT_ROOT / d, root / d)
    build_demo_archive(root, run_research=False, quiet=True)
    return root
