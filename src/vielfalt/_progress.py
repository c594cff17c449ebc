"""Progress of long analyses: a text bar with the time left, in the notebook and in the terminal.

The notebook runs in a kernel that papermill starts, so the terminal cannot see its bar directly. The
reporter therefore also writes its state to a small JSON file beside the run directory
(``runs/<ed>/.<run-id>.partial.progress.json``, outside the run so no artefact or hash depends on it),
which ``vielfalt run`` polls to draw its own bar; the file is removed when the analysis ends.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["ProgressReporter", "progress_file", "read_progress"]


def progress_file(run_dir: str | os.PathLike[str]) -> Path:
    """Where the progress of a run directory is published."""
    run_dir = Path(run_dir)
    return run_dir.parent / f"{run_dir.name}.progress.json"


def read_progress(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The last published state, or None when there is none (or it is being replaced)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class ProgressReporter:
    """``reporter(done, total, phase)``: draws a tqdm bar on stderr and publishes the state.

    Parameters
    ----------
    run_dir : path or None
        The run directory; None publishes nothing (bar only).
    description : str
        What is running, e.g. "Robustheit".
    """

    PHASES = {"UA": {"de": "Unsicherheit", "en": "uncertainty"}, "SA": {"de": "Sensitivität", "en": "sensitivity"}}

    def __init__(self, run_dir: str | os.PathLike[str] | None, description: str, *, lang: str = "de") -> None:
        from tqdm.std import tqdm

        self._tqdm = tqdm
        self.path = progress_file(run_dir) if run_dir else None
        self.description = description
        self.lang = lang
        self.bar: Any = None
        self.phase: str | None = None
        self.t0 = time.monotonic()

    def __call__(self, done: int, total: int, phase: str) -> None:
        if phase != self.phase:
            if self.bar is not None:
                self.bar.close()
            label = self.PHASES.get(phase, {}).get(self.lang, phase)
            self.bar = self._tqdm(
                total=total, desc=f"{self.description} ({label})", file=sys.stderr, mininterval=0.5, ascii=True
            )
            self.phase = phase
            self.t0 = time.monotonic()
        self.bar.n = done
        self.bar.refresh()
        if self.path is not None:
            elapsed = time.monotonic() - self.t0
            left = elapsed / done * (total - done) if done else None
            state = {"description": self.description, "phase": phase, "done": done, "total": total, "left_s": left}
            tmp = self.path.with_suffix(".tmp")
            try:
                tmp.write_text(json.dumps(state), encoding="utf-8")
                os.replace(tmp, self.path)
            except OSError:
                pass  # progress is a courtesy; never fail the analysis over it

    def close(self) -> None:
        """Finish the bar and remove the published state."""
        if self.bar is not None:
            self.bar.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
