"""The research modules' public names are documented and their docstring examples run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "vielfalt.research.archive",
    "vielfalt.config.crosswalk",
    "vielfalt.runs.verify",
    "vielfalt.research.compare",
    "vielfalt.demo.editions",
]


@pytest.mark.parametrize("name", MODULES)
def test_public_names_import_and_have_docstrings(name):
    """Every name in __all__ exists; functions and classes have a docstring."""
    mod = importlib.import_module(name)
    assert (mod.__doc__ or "").strip()
    for attr in mod.__all__:
        obj = getattr(mod, attr)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), f"{name}.{attr} has no docstring"


@pytest.mark.parametrize("name", ["vielfalt.research.archive", "vielfalt.demo.editions"])
def test_docstring_examples_run(name):
    """The examples in the docstrings give what they show."""
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
