"""Process helpers shared by the tests that check that no kernel outlives a run."""

from __future__ import annotations

import os
import time


def wait_gone(pid: int, timeout: float = 15) -> bool:
    """Wait until a process no longer exists (or is a zombie of another parent); True when gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False
