"""Tests of the pre-started stage kernels (vielfalt.runs.warm_kernel, used by run_stages)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.process_helpers import wait_gone
from vielfalt.exceptions import PipelineError
from vielfalt.runs.manifest import load_manifest
from vielfalt.runs.runner import StageSpec, run_stages
from vielfalt.runs.warm_kernel import PrewarmedNotebookClient, preload_code, prewarm_enabled, start_early

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
EDITION = "warm"


def _sleep_stage(tmp_path: Path, name: str, seconds: float) -> tuple[StageSpec, Path]:
    """A copy of the sleeping test notebook named after the stage (stems must differ); and its pid file."""
    notebook = tmp_path / "nb" / f"{name}_stage.py"
    notebook.parent.mkdir(exist_ok=True)
    shutil.copy(NOTEBOOKS / "sleep_stage.py", notebook)
    pid_file = tmp_path / f"{name}.pid"
    spec = StageSpec(name=name, notebook=notebook, parameters={"seconds": seconds, "pid_file": str(pid_file)})
    return spec, pid_file


def _kernel_children() -> list[int]:
    """Pids of ipykernel processes whose parent is this test process."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        state = stat.rsplit(")", 1)[1].split()[0]
        if ppid == os.getpid() and state != "Z" and b"ipykernel_launcher" in cmdline:
            pids.append(int(entry.name))
    return pids


def test_prewarm_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    """VIELFALT_NO_PREWARM=1 switches pre-starting off; unset or 0 leaves it on."""
    monkeypatch.delenv("VIELFALT_NO_PREWARM", raising=False)
    assert prewarm_enabled()
    monkeypatch.setenv("VIELFALT_NO_PREWARM", "0")
    assert prewarm_enabled()
    monkeypatch.setenv("VIELFALT_NO_PREWARM", "1")
    assert not prewarm_enabled()


def test_every_stage_runs_in_a_prewarmed_kernel_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each stage records its pre-started kernel, has a process of its own; no kernel outlives the run."""
    monkeypatch.delenv("VIELFALT_NO_PREWARM", raising=False)
    first, first_pid = _sleep_stage(tmp_path, "first", 0)
    second, second_pid = _sleep_stage(tmp_path, "second", 0)
    result = run_stages([first, second], runs_root=tmp_path / "runs", edition=EDITION)
    prewarmed = {k: v.kernel_prewarmed for k, v in result.manifest.stages.items()}
    assert prewarmed == {"first": True, "second": True}
    pids = int(first_pid.read_text()), int(second_pid.read_text())
    assert pids[0] != pids[1]
    assert all(wait_gone(pid) for pid in pids)
    assert _kernel_children() == []


def test_no_prewarm_starts_kernels_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the switch set, the stage runs in a kernel nbclient starts itself, and the manifest says so."""
    monkeypatch.setenv("VIELFALT_NO_PREWARM", "1")
    first, _ = _sleep_stage(tmp_path, "first", 0)
    result = run_stages([first], runs_root=tmp_path / "runs", edition=EDITION)
    assert result.manifest.stages["first"].kernel_prewarmed is False
    assert PrewarmedNotebookClient.last is not None and PrewarmedNotebookClient.last.prewarmed is False


def test_cell_timeout_in_a_prewarmed_kernel_names_the_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A timeout in the second stage (pre-started while the first ran) names cell 4 and kills its kernel."""
    monkeypatch.delenv("VIELFALT_NO_PREWARM", raising=False)
    first, _ = _sleep_stage(tmp_path, "first", 0)
    second, second_pid = _sleep_stage(tmp_path, "second", 60)
    with pytest.raises(
        PipelineError, match=r"Stufe 'second' ist in Zelle 4 .* fehlgeschlagen: CellTimeoutError"
    ):
        run_stages([first, second], runs_root=tmp_path / "runs", edition=EDITION, execution_timeout=6)
    assert PrewarmedNotebookClient.last is not None and PrewarmedNotebookClient.last.prewarmed is True
    (partial,) = (tmp_path / "runs" / EDITION).glob(".*.partial")
    manifest = load_manifest(partial)
    assert manifest.stages["first"].kernel_prewarmed is True
    assert manifest.failure is not None and manifest.failure.source_cell == 4
    assert wait_gone(int(second_pid.read_text()))
    assert _kernel_children() == []


def test_failed_stage_leaves_no_unused_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the first stage fails, the kernel already started for the second one is killed as well."""
    monkeypatch.delenv("VIELFALT_NO_PREWARM", raising=False)
    second, second_pid = _sleep_stage(tmp_path, "second", 0)
    stages = [StageSpec(name="intake", notebook=NOTEBOOKS / "fail_stage.py"), second]
    with pytest.raises(PipelineError, match="Zelle 4"):
        run_stages(stages, runs_root=tmp_path / "runs", edition=EDITION)
    assert not second_pid.exists()  # the second stage never ran
    assert _kernel_children() == []


def _env_stage(tmp_path: Path, name: str) -> tuple[StageSpec, Path]:
    """A copy of the environment-reporting test notebook for stage ``name``, and the file it writes."""
    notebook = tmp_path / "nb" / f"{name}_env.py"
    notebook.parent.mkdir(exist_ok=True)
    shutil.copy(NOTEBOOKS / "env_stage.py", notebook)
    out = tmp_path / f"{name}.json"
    return StageSpec(name=name, notebook=notebook, parameters={"out_file": str(out)}), out


def _first_output(run_dir: Path, stem: str) -> list[str]:
    """The stdout of the first code cell after the runner's setup cell, from the saved notebook."""
    nb = json.loads((run_dir / f"{stem}.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code" and "first output" in "".join(c["source"]))
    return ["".join(o.get("text", "")) for o in cell["outputs"]]


def test_prestarted_kernels_look_like_fresh_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernel started early (before its run directory exists) and one started a stage ahead each run in the
    run directory, lose no output of the first cell, and leave no name behind: a notebook sees exactly the
    namespace of a kernel nbclient started itself. Their preload (notebook metadata) did run."""
    monkeypatch.delenv("VIELFALT_NO_PREWARM", raising=False)
    early = start_early("vielfalt", tmp_path)
    first, first_out = _env_stage(tmp_path, "first")
    second, second_out = _env_stage(tmp_path, "second")
    warm = run_stages([first, second], runs_root=tmp_path / "runs", edition=EDITION, first_kernel=early)
    assert {k: v.kernel_prewarmed for k, v in warm.manifest.stages.items()} == {"first": True, "second": True}

    monkeypatch.setenv("VIELFALT_NO_PREWARM", "1")
    cold_stage, cold_out = _env_stage(tmp_path, "cold")
    cold = run_stages([cold_stage], runs_root=tmp_path / "runs", edition=EDITION)
    assert cold.manifest.stages["cold"].kernel_prewarmed is False

    cold_seen = json.loads(cold_out.read_text(encoding="utf-8"))
    assert cold_seen["preloaded"] is False
    for name, out in (("first", first_out), ("second", second_out)):
        seen = json.loads(out.read_text(encoding="utf-8"))
        # run_dir is the .partial directory while the stage runs; the published run is its rename
        assert Path(seen["cwd"]).name == f".{warm.run_id}.partial", name
        assert seen["names"] == cold_seen["names"], name
        assert seen["preloaded"] is True, name
        assert _first_output(warm.run_dir, f"{name}_env") == ["first output\n"], name
    assert _kernel_children() == []


def test_an_early_kernel_that_is_never_used_is_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command failed before any stage ran: closing the early kernel ends it (no thread left waiting)."""
    monkeypatch.delenv("VIELFALT_NO_PREWARM", raising=False)
    early = start_early("vielfalt", tmp_path)
    assert early is not None
    assert early.base_loaded.wait(60)  # started and preloaded: its thread waits for a run directory now
    started = time.monotonic()
    early.close()
    assert time.monotonic() - started < 10
    assert _kernel_children() == []
    assert early.take() is None


def test_preload_code_imports_what_the_notebook_imports_and_leaves_no_name() -> None:
    """Top-level imports of code cells and the metadata's preload list are imported, inside a function that
    is gone afterwards; magics and relative imports are skipped; modules of the base preload are left out."""
    import nbformat.v4 as v4

    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell("import json.decoder\nfrom email import message, utils\nx = 1"),
            v4.new_code_cell("%time import nothing_like_this"),
            v4.new_code_cell("from . import sibling\nimport numpy"),
            v4.new_markdown_cell("import not_code"),
        ],
        metadata={"vielfalt": {"preload": ["html.parser"]}},
    )
    code = preload_code(nb)
    for name in ("'json.decoder'", "'email'", "('email', 'message')", "'html.parser'"):
        assert name in code
    for name in ("nothing_like_this", "sibling", "not_code", "'numpy'"):
        assert name not in code
    namespace: dict[str, object] = {}
    exec(code, namespace)  # noqa: S102 - the generated preload code, as a kernel would run it
    assert set(namespace) == {"__builtins__"}
    assert {"json.decoder", "email.message", "email.utils", "html.parser"} <= set(sys.modules)
    assert preload_code(v4.new_notebook(cells=[v4.new_code_cell("import numpy\nimport pandas")])) == ""
