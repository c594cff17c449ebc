"""Tests of the one stage registry (vielfalt.stages.registry) and of who reads it."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from vielfalt.i18n import LANGUAGES, t
from vielfalt.stages.registry import (
    RESEARCH,
    STAGE_NAMES,
    STAGES,
    declared_artefacts,
    producer,
    stage,
    stages_until,
)

ROOT = Path(__file__).resolve().parents[1]


def test_stages_have_unique_names_notebooks_and_artefacts():
    """Names, notebooks and artefacts are unique; every artefact lies in its stage's folder."""
    everything = (*STAGES, RESEARCH)
    assert len({s.name for s in everything}) == len({s.notebook for s in everything}) == len(everything)
    artefacts = [a for s in everything for a in s.artefacts]
    assert len(artefacts) == len(set(artefacts)) == len(declared_artefacts())
    for s in everything:
        assert s.artefacts and all(a.split("/", 1)[0] == s.name for a in s.artefacts), s.name
        assert all(a.endswith((".parquet", ".json")) for a in s.artefacts), s.name


def test_every_notebook_exists_and_calls_its_stage_function():
    """Each stage's notebook is in notebooks/, and its stage function exists and is named in the notebook."""
    for s in (*STAGES, RESEARCH):
        source = s.notebook_path(ROOT).read_text(encoding="utf-8")
        module, _, name = s.function.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), s.function
        assert f".{name}" in source, (s.name, s.function)


def test_inputs_come_from_data_or_from_earlier_stages_only():
    """An artefact input is declared by an earlier stage; every input has a sentence in both languages."""
    for i, s in enumerate(STAGES):
        assert set(s.needs) <= set(STAGE_NAMES[:i]), s.name
        for inp in s.inputs:
            if inp.kind == "artefact":
                assert producer(inp.path) == inp.stage, inp.path
            for lang in LANGUAGES:
                text = inp.describe(lang, edition="ed1")
                assert text and "{" not in text, (s.name, inp.path, lang)
        for out in s.outputs:
            assert all("{" not in t(out.label, lang, n=2) for lang in LANGUAGES), out.label


def test_lookups():
    """stage() finds every stage (the research stage too); stages_until() is a prefix in pipeline order."""
    assert stage("research") is RESEARCH and stage("jury").notebook == "06_jury"
    assert [s.name for s in stages_until("scoring")] == ["intake", "ratings", "scoring"]
    assert producer("intake/entries.parquet") == "intake" and producer("nowhere/x.parquet") is None
    with pytest.raises(KeyError):
        stage("intak")


def test_the_registry_is_plain_data_and_the_runner_knows_no_stage():
    """Importing the registry loads no stage code (nor pandas); the runner does not import vielfalt.stages."""
    code = (
        "import sys, vielfalt.stages.registry; "
        "assert 'pandas' not in sys.modules and 'vielfalt.stages.intake' not in sys.modules; "
        "import vielfalt.runs.runner, vielfalt.runs.verify; "
        "assert [m for m in sys.modules if m.startswith('vielfalt.stages.')] == ['vielfalt.stages.registry']"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)


def test_the_command_line_reads_the_registry():
    """The CLI's stage list and the export profiles' stages come from the registry."""
    from vielfalt.cli.commands import STAGE_NAMES as cli_names
    from vielfalt.cli.export import PROFILE_STAGES

    assert cli_names == list(STAGE_NAMES)
    assert PROFILE_STAGES == {"jury_blind": "jury", "jury_named": "jury", "public": "close"}
