"""Shared fixtures of the browser tests: Debian's chromium through pytest-playwright, never a download.

pytest-playwright launches the browser with ``browser_type_launch_args``; overriding that session fixture
points it at ``/usr/bin/chromium`` (NOTEBOOKS.md §1.10). ``playwright install`` is never run. Without a
chromium the tests skip and say how to get one (``make test`` installs it with apt-get when run as root).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
NO_CHROMIUM = (
    "Debian's chromium is not installed, so the browser tests cannot run: as root `make test` installs it "
    "(apt-get install chromium); otherwise install the package `chromium` by hand."
)


def skip_without_chromium() -> None:
    """Skip the calling test module when no chromium is on PATH."""
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM, allow_module_level=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's chromium instead of a browser downloaded by playwright."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


def block_network(page, allowed: tuple[str, ...]) -> list[str]:
    """Abort every request whose URL does not start with one of `allowed`; return the list of those aborted."""
    blocked: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(allowed):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    return blocked


@contextlib.contextmanager
def voila_server(notebook: Path, cwd: Path, log_path: Path) -> Iterator[tuple[str, int]]:
    """Voilà serving ``notebook`` on a free port of 127.0.0.1 during the block: (url, port)."""
    from vielfalt.dashboard.serve import free_port, voila_command, voila_env

    port = free_port()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            voila_command(notebook, port), cwd=cwd, env=voila_env(), stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}/"
        # a static file, not the app: every request of "/" starts a kernel and runs the notebook, and one
        # that the probe gives up on keeps running next to the page's own
        probe = f"{url}voila/static/voila.js"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(probe, timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.flush()
                        pytest.fail("Voilà did not start:\n" + log_path.read_text()[-3000:])
                    time.sleep(0.5)
            yield url, port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
