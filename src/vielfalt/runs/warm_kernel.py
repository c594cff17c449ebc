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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "BASE_MODULES",
    "PREWARM_CODE",
    "PrewarmedNotebookClient",
    "WarmKernel",
    "preload_code",
    "prewarm_enabled",
    "register_engine",
    "start_early",
    "transport_encryption",
]

#: Imported in every pre-started kernel first, whatever the notebook: the stack of every stage and the setup
#: cell's renderer (vielfalt.runs.runner first, as in the setup cell: jsonschema must not compile lark
#: grammars).
BASE_MODULES = (
    "vielfalt.runs.runner",
    "numpy",
    "pandas",
    "plotly.graph_objects",
    "plotly.io",
    "plotly.io._base_renderers",
    "nbformat.v4",
)

#: Notebook metadata ``vielfalt: {preload: [...]}`` names modules a stage imports inside the package's
#: functions (scipy.stats for rater statistics, sklearn for outliers, openpyxl for workbooks): the notebook's
#: own import statements are found without it.
PRELOAD_KEY = "preload"


def _import_code(
    modules: Sequence[str], from_imports: Sequence[tuple[str, str]], *, warm_plotly: bool
) -> str:
    """Silent code importing ``modules`` (and ``from x import y``: x, and x.y when that is a module).

    Everything happens inside a function that is deleted afterwards, so the kernel's namespace stays exactly
    that of a fresh kernel (a notebook that forgets an import fails in both); only caches fill: sys.modules,
    and with ``warm_plotly`` plotly's validators and default template (the first figure of a stage costs
    0.1-0.2 s otherwise).
    """
    lines = [
        "def _vielfalt_prewarm():",
        "    import importlib",
        "    import importlib.util",
        f"    for name in {tuple(modules)!r}:",
        "        module = importlib.import_module(name)",
        '        if name == "vielfalt.runs.runner":',
        "            module.skip_slow_optional_imports()",
        f"    for parent, child in {tuple(from_imports)!r}:",
        "        module = importlib.import_module(parent)",
        '        if not hasattr(module, child) and hasattr(module, "__path__"):',
        '            if importlib.util.find_spec(f"{parent}.{child}") is not None:',
        '                importlib.import_module(f"{parent}.{child}")',
    ]
    if warm_plotly:
        lines += [
            "    import plotly.graph_objects as go",
            "    go.Figure(",
            "        [go.Bar(x=[1], y=[1]), go.Scatter(x=[1], y=[1]), go.Heatmap(z=[[1]])],",
            '        layout={"template": "plotly_white", "xaxis": {"title": {"text": ""}}},',
            "    ).to_json()",
        ]
    lines += ["_vielfalt_prewarm()", "del _vielfalt_prewarm", ""]
    return "\n".join(lines)


#: Run first in every pre-started kernel.
PREWARM_CODE = _import_code(BASE_MODULES, (), warm_plotly=True)


def preload_code(nb: Any) -> str:
    """Silent code importing what the notebook ``nb`` will import: its import statements and its metadata.

    Only statements at the top level of a code cell count (cells that are not Python, such as magics, are
    skipped); modules already in :data:`BASE_MODULES` are left out. Empty when there is nothing more.
    """
    import ast

    modules: list[str] = []
    from_imports: list[tuple[str, str]] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.append(node.module)
                from_imports += [(node.module, alias.name) for alias in node.names if alias.name != "*"]
    extra = (nb.metadata.get("vielfalt") or {}).get(PRELOAD_KEY) or []
    modules += [m for m in extra if isinstance(m, str)]
    modules = [m for m in dict.fromkeys(modules) if m not in BASE_MODULES]
    from_imports = list(dict.fromkeys(from_imports))
    if not modules and not from_imports:
        return ""
    return _import_code(modules, from_imports, warm_plotly=False)


def _chdir_code(path: Path) -> str:
    """Silent code that moves the kernel into ``path`` and leaves no name behind."""
    return f"__import__('os').chdir({os.fspath(path)!r})\n"


def transport_encryption() -> str:
    """Kernels listen on localhost TCP: CurveZMQ where pyzmq supports it (jupyter_client provisions keys)."""
    import zmq

    return "auto" if zmq.has("curve") else "disabled"


#: nbclient adds this argument to every ipykernel it starts (NotebookClient.ipython_hist_file).
_EXTRA_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]

ENGINE_NAME = "vielfalt_prewarmed"


def start_early(kernel_name: str, launch_dir: Path) -> WarmKernel | None:
    """Start the first stage's kernel now, before its run directory exists (None when pre-starting is off).

    Called first thing by a command that will run stages, so that the kernel's start overlaps the command's
    own imports and checks; hand the result to ``run_stages(first_kernel=...)``, which moves the kernel into
    the run directory, and close it in any case (closing an adopted kernel does nothing).
    """
    if not prewarm_enabled():
        return None
    return WarmKernel(
        kernel_name=kernel_name, cwd=launch_dir, encryption=transport_encryption(), move_later=True
    )


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
        Working directory the kernel is started in (the run directory, as papermill's ``cwd``).
    encryption : str
        ``transport_encryption`` of the manager (``"auto"`` or ``"disabled"``).
    preload : str, default ""
        Silent code run after :data:`PREWARM_CODE` (see :func:`preload_code`).
    move_later : bool, default False
        Started before its run directory exists (the first stage's kernel, started as the command begins):
        after the imports the thread waits for :meth:`move_to`, which moves the kernel into the run directory
        (and preloads what its notebook needs), before it can be taken.
    """

    def __init__(
        self, *, kernel_name: str, cwd: Path, encryption: str, preload: str = "", move_later: bool = False
    ) -> None:
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.encryption = encryption
        self.km: Any = None
        self.error: BaseException | None = None
        self.adopted = False
        self._lock = threading.Lock()
        self._closed = False
        self._target: Path | None = None
        self._preload = preload
        self._moved = threading.Event()
        self.base_loaded = threading.Event()  # PREWARM_CODE has run (the thread may wait for move_to now)
        if not move_later:
            self._moved.set()
        self._thread = threading.Thread(target=self._start, name="vielfalt-prewarm", daemon=True)
        self._thread.start()

    def move_to(self, cwd: Path, preload: str = "") -> None:
        """Let the thread move the kernel into ``cwd`` and run ``preload`` (a kernel started move_later)."""
        self._target = cwd
        self._preload = preload
        self._moved.set()

    def _start(self) -> None:
        """Start the kernel, wait until it answers and import the heavy modules (in the thread)."""
        from jupyter_client.manager import KernelManager
        from jupyter_core.utils import run_sync
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
                run_sync(_wait_until_subscribed)(kc, timeout=60)  # no 0.2 s idle wait here either
                self._silently(kc, PREWARM_CODE)
                self.base_loaded.set()
                self._moved.wait()
                if self._closed:
                    return
                if self._target is not None:
                    self._silently(kc, _chdir_code(self._target))
                if self._preload:
                    self._silently(kc, self._preload)
            finally:
                kc.stop_channels()
        except BaseException as err:  # noqa: BLE001 - reported to the main thread, which falls back
            self.error = err

    @staticmethod
    def _silently(kc: Any, code: str) -> None:
        """Execute ``code`` without output, execution count or history; raise when it fails."""
        reply = kc.execute_interactive(
            code, silent=True, store_history=False, timeout=60, output_hook=lambda m: None
        )
        content = reply.get("content", {})
        if content.get("status") != "ok":
            msg = f"pre-start code failed: {content.get('ename')}: {content.get('evalue')}"
            raise RuntimeError(msg)

    def take(self, timeout: float = 90) -> Any:
        """Wait for the thread and return its started sync manager, or None when it failed or is closed."""
        if not self._moved.is_set():
            return None  # started for a run directory it was never told about
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
        self._moved.set()  # a thread still waiting for its run directory ends now
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


async def _wait_until_subscribed(kc: Any, *, timeout: float) -> None:
    """Send ``kernel_info`` until its reply arrives on shell and its idle status on IOPub (then return).

    A status published before this client's IOPub subscription was live is lost. ipykernel greets every new
    subscription (``iopub_welcome``); a request whose reply came before that greeting is sent again at once,
    and any request is sent again after half a second without both answers (a kernel that does not greet, or
    one still starting). Messages of other requests are dropped, as ``wait_for_ready`` drops them.
    """
    import time
    from queue import Empty

    from jupyter_core.utils import ensure_async

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg_id = kc.kernel_info()
        reply = None
        idle = False
        round_end = time.monotonic() + 0.5
        while time.monotonic() < round_end and not (reply is not None and idle):
            if reply is None:
                try:
                    msg = await ensure_async(kc.shell_channel.get_msg(timeout=0.02))
                except Empty:
                    pass
                else:
                    if (
                        msg["parent_header"].get("msg_id") == msg_id
                        and msg["msg_type"] == "kernel_info_reply"
                    ):
                        reply = msg
            try:
                msg = await ensure_async(kc.iopub_channel.get_msg(timeout=0.02))
            except Empty:
                continue
            if msg["msg_type"] == "iopub_welcome" and reply is not None and not idle:
                break  # subscribed only after this request's status went out: ask again
            if (
                msg["msg_type"] == "status"
                and msg["parent_header"].get("msg_id") == msg_id
                and msg["content"].get("execution_state") == "idle"
            ):
                idle = True
        if reply is not None and idle:
            kc._handle_kernel_info_reply(reply)  # noqa: SLF001 - as wait_for_ready does (protocol version)
            return
        if not await ensure_async(kc.is_alive()):
            msg = "Kernel died before replying to kernel_info"
            raise RuntimeError(msg)
    msg = f"Kernel didn't respond in {timeout:.0f} seconds"
    raise RuntimeError(msg)


def _client_class() -> type:
    """Build the papermill client subclass (papermill is imported only when a run starts)."""
    from jupyter_core.utils import ensure_async, run_sync
    from nbclient.util import run_hook
    from papermill.clientwrap import PapermillNotebookClient

    class _Client(PapermillNotebookClient):
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

        async def async_start_new_kernel_client(self) -> Any:
            """Connect to the adopted kernel: as nbclient does, with a ready check that does not idle 0.2 s.

            jupyter_client's ``wait_for_ready`` ends with 0.2 s of waiting for IOPub to fall silent, in every
            stage. A pre-started kernel has answered and is idle already; what must still be proven is that
            this client's IOPub subscription is live, so that no output of the first cell is lost. The idle
            status that answers our own ``kernel_info`` request proves it, and nothing is left to flush.
            """
            if not self.prewarmed:
                return await super().async_start_new_kernel_client()
            try:
                self.kc = self.km.client()
                await ensure_async(self.kc.start_channels())
                await _wait_until_subscribed(self.kc, timeout=self.startup_timeout)
            except Exception:
                await self._async_cleanup_kernel()
                raise
            self.kc.allow_stdin = False
            await run_hook(self.on_notebook_start, notebook=self.nb)
            return self.kc

        # nbclient's sync setup_kernel calls start_new_kernel, bound to the base class's coroutine
        start_new_kernel = run_sync(async_start_new_kernel)
        start_new_kernel_client = run_sync(async_start_new_kernel_client)

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


def _skip_redundant_saves(nb_man: Any) -> None:
    """Let papermill's ``cell_complete`` update the notebook without writing it to disk.

    papermill writes the whole notebook at every cell's start and again at its end (27 writes a stage, about
    7 ms each). Every ``cell_complete`` is followed at once by the next ``cell_start`` or by
    ``notebook_complete`` (also on errors, timeouts and interrupts: papermill calls it in a ``finally``),
    which write the same state; only the second write of each pair is skipped.
    """
    complete = nb_man.cell_complete

    def cell_complete(cell: Any, cell_index: int | None = None, **kwargs: Any) -> Any:
        nb_man.save = lambda **_: None
        try:
            return complete(cell, cell_index=cell_index, **kwargs)
        finally:
            del nb_man.save  # the class's save again

    nb_man.cell_complete = cell_complete


def register_engine() -> str:
    """Register the papermill engine ``vielfalt_prewarmed`` (idempotent) and return its name."""
    from papermill.engines import NBClientEngine, papermill_engines

    if ENGINE_NAME in papermill_engines._engines:  # noqa: SLF001
        return ENGINE_NAME

    class _Engine(NBClientEngine):
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
            _skip_redundant_saves(nb_man)
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
