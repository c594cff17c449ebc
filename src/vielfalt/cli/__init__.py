"""The ``vielfalt`` command."""

from vielfalt.cli.commands import find_project_root, main, run_edition

__all__ = ["find_project_root", "main", "run_edition"]
