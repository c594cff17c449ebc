"""Start a stage's kernel ahead of time and hand it to papermill so that nbclient owns it like its own.

Every stage runs in a fresh kernel process of its own. Starting that process (≈1 s) and importing numpy,
pandas, plotly and vielfalt in it (0.5–1.8 s) used to happen while nothing else ran. :class:`WarmKernel`
starts the kernel of the *next* stage in a background thread with a synchronous ``KernelManager`` (its own
zmq context, its own event loop in that thread) and imports the heavy modules there, silently (no execution
count, no history), while the current stage runs.

The hand-over passes no zmq socket and no manager across threads or event loops: inside papermill's event
loop, nbclient creates its ordinary ``AsyncKernelManager`` as always (so it owns it: timeouts interrupt the
kernel, the failing cell is recorded, shutdown and cleanup are nbclient's), and
:class:`PrewarmedNotebookClient` loads the connection info (ports, session key, CurveZMQ keys) and the
provisioner (the ``Popen`` of the kernel process) into it instead of launching a new process. Its control
socket is then created in papermill's loop, as for a kernel it started itself.

``VIELFALT_NO_PREWARM=1`` switches this off (every stage starts its kernel itself, as before).
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

__all__ = ["PREWARM_IMPORTS", "PrewarmedNotebookClient", "WarmKernel", "prewarm_enabled", "register_engine"]

#: Imported in every pre-started kernel (only sys.modules is filled: no names, no options, no output).
PREWARM_IMPORTS = (
    # first, as the injected setup cell does: keep jsonschema from compiling lark grammars
    "import vielfalt.pipeline\n"
    "vielfalt.pipeline._skip_slow_optional_imports()\n"
    "import numpy, pandas, plotly.graph_objects, plotly.io, plotly.io._base_renderers, nbformat.v4\n"
    "import vielfalt.stages, vielfalt.stages_jury, vielfalt.dashboard.figures\n"
    # imported inside stage functions (ratings: rater statistics; exports: xlsx)
    "import scipy.stats, scipy.sparse.linalg, openpyxl\n"
)

#: nbclient adds this argument to every ipykernel it starts (NotebookClient.ipython_hist_file).
_EXTRA_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]

ENGINE_NAME = "vielfalt_prewarmed"


def prewarm_enabled() -> bool:
    """Return False when ``VIELFALT_NO_PREWARM`` is set to anything but ``""`` or ``"0"``."""
    return os.environ.get("VIELFALT_NO_PREWARM", "") in ("", "0")


class WarmKernel:
    """One kernel process started (and its imports loaded) in a background thread.

    Parameters
    ----------
    kernel_name : str
        The kernelspec.
    cwd : Path
        Working directory of the kernel (the run directory, as papermill's ``cwd``).
    encryption : str
        ``transport_encryption`` of the manager (``"auto"`` or ``"disabled"``).
    """

    def __init__(self, *, kernel_name: str, cwd: Path, encryption: str) -> None:
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.encryption = encryption
        self.km: Any = None
        self.error: BaseException | None = None
        self.adopted = False
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._start, name="vielfalt-prewarm", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        """Start the kernel, wait until it answers and import the heavy modules (in the thread)."""
        from jupyter_client.manager import KernelManager
        from traitlets.config import Config

        try:
            km = KernelManager(
                kernel_name=self.kernel_name,
                config=Config({"KernelManager": {"transport_encryption": self.encryption}}),
            )
            with self._lock:
                if self._closed:
                    return
                km.start_kernel(extra_arguments=list(_EXTRA_ARGUMENTS), cwd=str(self.cwd))
                self.km = km
            kc = km.blocking_client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=60)
                kc.execute_interactive(
                    PREWARM_IMPORTS, silent=True, store_history=False, timeout=60, output_hook=lambda m: None
                )
            finally:
                kc.stop_channels()
        except BaseException as err:  # noqa: BLE001 - reported to the main thread, which falls back
            self.error = err

    def take(self, timeout: float = 90) -> Any:
        """Wait for the thread and return its started sync manager, or None when it failed or is closed."""
        self._thread.join(timeout)
        if self._thread.is_alive() or self.error is not None or self.km is None or self._closed:
            return None
        if not self.km.is_alive():
            return None
        return self.km

    def adopt_into(self, km: Any) -> bool:
        """Move the started kernel into nbclient's (async, not started) manager ``km``; True on success."""
        warm = self.take()
        if warm is None:
            self.close()
            return False
        info = warm.get_connection_info()
        km.transport_encryption = self.encryption
        km.load_connection_info(info)
        km.connection_file = warm.connection_file
        km._connection_file_written = True  # noqa: SLF001 - nbclient's manager now removes the file
        warm._connection_file_written = False  # noqa: SLF001
        km.kernel_id = warm.kernel_id
        km._launch_args = dict(warm._launch_args)  # noqa: SLF001 - as if km had started it (restarts)
        provisioner = warm.provisioner
        provisioner.parent = km
        km.provisioner = provisioner
        km._attempted_start = True  # noqa: SLF001
        warm.provisioner = None
        warm._close_control_socket()  # noqa: SLF001
        with self._lock:
            self.adopted = True
            self._closed = True
            self.km = None
        return True

    def close(self) -> None:
        """Kill the kernel unless it was adopted; safe to call more than once and from any state."""
        with self._lock:
            self._closed = True
            km, self.km = self.km, None
        if km is None:
            self._thread.join(5)
            with self._lock:
                km, self.km = self.km, None
        if km is None or self.adopted:
            return
        process = getattr(km.provisioner, "process", None) if km.provisioner is not None else None
        if process is not None:
            with contextlib.suppress(OSError):
                process.kill()
            with contextlib.suppress(Exception):
                process.wait(timeout=10)
        with contextlib.suppress(Exception):
            km._close_control_socket()  # noqa: SLF001
        with contextlib.suppress(Exception):
            km.cleanup_connection_file()


def _client_class() -> type:
    """Build the papermill client subclass (papermill is imported only when a run starts)."""
    from jupyter_core.utils import run_sync
    from papermill.clientwrap import PapermillNotebookClient

    class _Client(PapermillNotebookClient):  # type: ignore[misc]
        """papermill's client whose kernel start adopts a :class:`WarmKernel` when one is given."""

        def __init__(self, nb_man: Any, warm_kernel: WarmKernel | None = None, **kw: Any) -> None:
            super().__init__(nb_man, **kw)
            self.warm_kernel = warm_kernel
            self.prewarmed = False

        async def async_start_new_kernel(self, **kwargs: Any) -> None:
            """Adopt the warm kernel into ``self.km`` (created by nbclient); otherwise start one as usual."""
            if self.warm_kernel is not None and self.warm_kernel.adopt_into(self.km):
                self.prewarmed = True
                await self.km._async_post_start_kernel(**self.km._launch_args)  # noqa: SLF001 - control socket
                return
            await super().async_start_new_kernel(**kwargs)

        def papermill_execute_cells(self) -> None:
            """Run the cells; once all have replied, let the kernel be killed instead of shut down politely.

            A polite shutdown only waits (0.4-0.9 s a stage) for ipykernel to exit by itself; every output is
            in the notebook already (an error output included). After a cell timeout or an interrupt the
            exception leaves this method early and the polite shutdown stays: it interrupts the cell first,
            and the interrupted cell's error output is what names the failing cell in the saved notebook.
            """
            super().papermill_execute_cells()
            self.shutdown_kernel = "immediate"

        # nbclient's sync setup_kernel calls start_new_kernel, bound to the base class's coroutine
        start_new_kernel = run_sync(async_start_new_kernel)

    return _Client


class PrewarmedNotebookClient:
    """The papermill client subclass, built on first use (papermill is imported only when a run starts)."""

    _cls: type | None = None
    last: Any = None
    """The client of the latest execution (its ``prewarmed`` says which path was taken)."""

    @classmethod
    def cls(cls) -> type:
        """Return the subclass, building it once."""
        if cls._cls is None:
            cls._cls = _client_class()
        return cls._cls


def register_engine() -> str:
    """Register the papermill engine ``vielfalt_prewarmed`` (idempotent) and return its name."""
    from papermill.engines import NBClientEngine, papermill_engines

    if ENGINE_NAME in papermill_engines._engines:  # noqa: SLF001
        return ENGINE_NAME

    class _Engine(NBClientEngine):  # type: ignore[misc]
        """papermill's nbclient engine with :class:`PrewarmedNotebookClient` (kwarg ``warm_kernel``)."""

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            **kwargs: Any,
        ) -> Any:
            """Execute like NBClientEngine, passing ``warm_kernel`` to the client."""
            from papermill.engines import logger
            from papermill.utils import merge_kwargs, remove_args

            warm = kwargs.pop("warm_kernel", None)
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client = PrewarmedNotebookClient.cls()(nb_man, warm_kernel=warm, **final_kwargs)
            PrewarmedNotebookClient.last = client
            return client.execute()

    papermill_engines.register(ENGINE_NAME, _Engine)
    return ENGINE_NAME
