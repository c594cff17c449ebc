"""Exceptions and warnings of vielfalt.

One base class, :class:`VielfaltError`, with a family for each kind of problem, so that the CLI can turn
every expected failure into a message for the user and reserve tracebacks for bugs.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConfigError",
    "DataError",
    "InstrumentError",
    "PipelineError",
    "VielfaltError",
    "VielfaltWarning",
]


class VielfaltError(Exception):
    """Base class of every error vielfalt raises on purpose."""


class ConfigError(VielfaltError, ValueError):
    """A parameter or setting has a value that is not allowed."""


class InstrumentError(VielfaltError):
    """A questionnaire or edition YAML file is broken; the message names the item and the key."""


class DataError(VielfaltError):
    """Input data cannot be read or used; carries an optional failure table."""

    def __init__(self, msg: str, *, failures: Any = None, path: str | None = None) -> None:
        super().__init__(msg)
        self.failures = failures
        self.path = path


class PipelineError(VielfaltError):
    """A stage failed or a run could not be completed."""

    def __init__(self, msg: str, *, stage: str | None = None, run_dir: str | None = None) -> None:
        super().__init__(msg)
        self.stage = stage
        self.run_dir = run_dir


class VielfaltWarning(UserWarning):
    """A non-fatal problem that is also recorded in the report it concerns."""
