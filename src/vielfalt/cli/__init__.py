"""The ``vielfalt`` command: parser and dispatch (:mod:`~vielfalt.cli.commands`) and the commands."""

from vielfalt.cli.commands import find_project_root, main, run_edition

__all__ = ["find_project_root", "main", "run_edition"]
