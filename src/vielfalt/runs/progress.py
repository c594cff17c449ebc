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

from vielfalt.i18n import t

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
    """``reporter(done, total, phase)``: shows a text bar with the time left and publishes the state.

    Inside a notebook the bar is one display that is updated in place (``display_id``), so the executed
    notebook and its HTML keep only the final line instead of one line per refresh; elsewhere it is a
    tqdm bar on stderr when that is a terminal (and nothing in a log file).

    Parameters
    ----------
    run_dir : path or None
        The run directory; None publishes nothing (bar only).
    description : str
        What is running, e.g. "Robustheit".
    """

    #: Phases with a name in the catalogue (``runs.phase_<phase>``); any other is shown as given.
    PHASES = ("UA", "SA")
    INTERVAL = 0.5  # seconds between refreshes

    def __init__(self, run_dir: str | os.PathLike[str] | None, description: str, *, lang: str = "de") -> None:
        self.path = progress_file(run_dir) if run_dir else None
        self.description = description
        self.lang = lang
        self.phase: str | None = None
        self.t0 = self.last = time.monotonic()
        self._display: Any = None
        self._bar: Any = None
        self._in_kernel = _in_kernel()

    def _label(self, phase: str) -> str:
        """``"Robustheit (Unsicherheit)"``: the description and the phase in the reporter's language."""
        shown = t(f"runs.phase_{phase}", self.lang) if phase in self.PHASES else phase
        return f"{self.description} ({shown})"

    def __call__(self, done: int, total: int, phase: str) -> None:
        from tqdm.std import tqdm

        now = time.monotonic()
        if phase != self.phase:
            self._finish_bar()
            self.phase, self.t0, self.last = phase, now, 0.0
            if self._in_kernel:
                from IPython.display import display

                self._display = display(self._line(0, total, now), display_id=True)
            elif sys.stderr.isatty():  # a log file gets no bar: it would hold every refresh
                self._bar = tqdm(
                    total=total, desc=self._label(phase), file=sys.stderr, ascii=True, leave=False
                )
        if now - self.last < self.INTERVAL and done < total:
            return
        self.last = now
        if self._display is not None:
            self._display.update(self._line(done, total, now))
        elif self._bar is not None:
            self._bar.n = done
            self._bar.refresh()
        self._publish(done, total, phase, now)

    def _line(self, done: int, total: int, now: float) -> Any:
        from IPython.display import Pretty
        from tqdm.std import tqdm

        meter = tqdm.format_meter(
            done, total, now - self.t0, prefix=self._label(self.phase or ""), ascii=True
        )
        return Pretty(meter)

    def _publish(self, done: int, total: int, phase: str, now: float) -> None:
        if self.path is None:
            return
        elapsed = now - self.t0
        left = elapsed / done * (total - done) if done else None
        state = {
            "description": self.description,
            "phase": phase,
            "done": done,
            "total": total,
            "left_s": left,
        }
        tmp = self.path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(state), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # progress is a courtesy; never fail the analysis over it

    def _finish_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self._display = None

    def close(self) -> None:
        """Finish the bar and remove the published state."""
        self._finish_bar()
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (papermill or JupyterLab), where displays can be updated in place."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"
