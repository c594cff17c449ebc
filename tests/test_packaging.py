"""Tests that keep the project's setup honest: dependency lists in step, notebooks in one source form."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_deps() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    specs = data["project"]["dependencies"] + data["project"]["optional-dependencies"]["test"]
    out = {}
    for s in specs:
        m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", s)
        out[_norm(m.group(1))] = m.group(2).replace(" ", "")
    return out


def _conda_deps() -> dict[str, str]:
    data = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for d in data["dependencies"]:
        if not isinstance(d, str) or d == "pip" or d.startswith("python="):
            continue
        m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", d)
        spec = m.group(2).replace(" ", "")
        # conda's "=X" pins like pip's "==X"
        spec = re.sub(r"^=(?!=)", "==", spec)
        out[_norm(m.group(1))] = spec
    return out


def test_environment_yml_lists_the_same_packages_as_pyproject():
    """environment.yml and pyproject.toml name the same packages with the same version constraints."""
    assert _conda_deps() == _pyproject_deps()


def test_environment_yml_channels_and_editable_install():
    """conda-forge only (no defaults mixing, P23) and the package installed with --no-deps (P24)."""
    data = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert data["channels"] == ["conda-forge", "nodefaults"]
    pip = next(d for d in data["dependencies"] if isinstance(d, dict))["pip"]
    assert "-e . --no-deps" in pip
    assert "python=3.11" in data["dependencies"]


def test_execution_stack_is_pinned():
    """The execution stack (papermill, nbclient, jupyter_client, ipykernel, …, voila) is pinned exactly."""
    deps = _pyproject_deps()
    for name in (
        "papermill",
        "nbclient",
        "jupyter-client",
        "ipykernel",
        "ipywidgets",
        "plotly",
        "nbconvert",
        "voila",
    ):
        assert deps[name].startswith("=="), name


def test_notebooks_have_one_source_form():
    """Notebooks are jupytext percent files only: no .ipynb in notebooks/, each .py has a parameters cell."""
    nb_dir = ROOT / "notebooks"
    assert not list(nb_dir.glob("*.ipynb")), "commit notebooks as jupytext percent .py files, not .ipynb"
    files = sorted(nb_dir.glob("[0-9][0-9]_*.py"))
    assert files, "no stage notebooks found"
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "format_name: percent" in text, f.name
        assert '# %% tags=["parameters"]' in text, f.name


def test_notebooks_are_thin():
    """Stage notebooks define no functions or classes and have no loops: logic lives in the package."""
    for f in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        code = [line for line in f.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        for line in code:
            assert not re.match(r"^\s*(def|class|for|while)\s", line), f"{f.name}: {line}"


def test_public_names_import_and_have_docstrings():
    """Every name in a module's __all__ imports and has a docstring."""
    import importlib

    mods = [
        "vielfalt",
        "vielfalt.exceptions",
        "vielfalt.config.questionnaire",
        "vielfalt.config.edition",
        "vielfalt.intake.validate",
        "vielfalt.intake.categories",
        "vielfalt.outputs.spreadsheets",
        "vielfalt.stages",
    ]
    for m in mods:
        mod = importlib.import_module(m)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if callable(obj) and not isinstance(obj, type(re)):
                assert (obj.__doc__ or "").strip(), f"{m}.{name} has no docstring"


def test_readme_names_the_two_commands():
    """README tells a new user exactly `make demo` and `make test`; .ci/run calls make test."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
