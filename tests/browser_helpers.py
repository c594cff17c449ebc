"""Shared fixtures of the browser tests: Debian's chromium through pytest-playwright, never a download.

pytest-playwright launches the browser with ``browser_type_launch_args``; overriding that session fixture
points it at ``/usr/bin/chromium`` (NOTEBOOKS.md §1.10). ``playwright install`` is never run. Without a
chromium the tests skip and say how to get one (``make test`` installs it with apt-get when run as root).
"""

from __future__ import annotations

import shutil

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
