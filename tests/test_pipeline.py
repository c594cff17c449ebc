"""Tests of vielfalt.runs.runner: real papermill runs of tiny stage notebooks on the ``vielfalt`` kernel."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from tests.process_helpers import wait_gone
from vielfalt.exceptions import ConfigError, DataError, PipelineError
from vielfalt.runs.manifest import (
    RunManifest,
    artefact_hashes,
    file_hashes,
    load_manifest,
    read_artefact,
    read_json_artefact,
    utc_now,
    write_manifest,
)
from vielfalt.runs.runner import (
    RunResult,
    StageSpec,
    latest_run,
    list_runs,
    new_run_id,
    run_stages,
    to_json_parameter,
)

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
EDITION = "tested"


def _write_and_read(**write_parameters: object) -> list[StageSpec]:
    """The two-stage pipeline: 'write' writes an artefact and a figure, 'read' reads it back."""
    return [
        StageSpec(name="write", notebook=NOTEBOOKS / "write_stage.py", parameters=write_parameters),
        StageSpec(name="read", notebook=NOTEBOOKS / "read_stage.py"),
    ]


def _partial_dirs(runs_root: Path) -> list[Path]:
    """Run directories of the test edition that are still .partial."""
    return sorted((runs_root / EDITION).glob(".*.partial"))


def _final_dirs(runs_root: Path) -> list[Path]:
    """Run directories of the test edition without the .partial prefix."""
    return sorted(p for p in (runs_root / EDITION).iterdir() if not p.name.startswith("."))


@pytest.fixture(scope="module")
def input_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small input file the runs reference (and hash) but never copy."""
    path = tmp_path_factory.mktemp("data") / "responses.csv"
    path.write_text("id;A05\n1;12\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def write_parameters(input_file: Path) -> dict[str, object]:
    """Parameters of types papermill cannot inject by itself (NOTEBOOKS.md P3)."""
    return {
        "n_rows": np.int64(5),
        "reference_date": dt.date(2010, 5, 1),
        "weights": (1.0, np.float64(2.5)),
        "data_file": input_file,
        "label": "beta",
    }


@pytest.fixture(scope="module")
def completed(
    tmp_path_factory: pytest.TempPathFactory, input_file: Path, write_parameters: dict[str, object]
) -> tuple[RunResult, list[tuple[str, int, int, str]]]:
    """One complete two-stage run, shared by the tests that only read its files, with its progress events."""
    runs_root = tmp_path_factory.mktemp("runs")
    events: list[tuple[str, int, int, str]] = []
    result = run_stages(
        _write_and_read(**write_parameters),
        runs_root=runs_root,
        edition=EDITION,
        inputs={"responses": input_file},
        seed=7,
        extra_manifest={"questionnaire_sha256": "ab" * 32, "edition_config": {"tie_rule": "chair"}},
        progress=lambda *event: events.append(event),
    )
    return result, events


def test_complete_run_is_renamed_with_a_complete_manifest(completed: tuple[RunResult, list]) -> None:
    """A successful run is renamed to its run id, and its manifest is complete and hashes every file."""
    result, _ = completed
    run_dir = result.run_dir
    assert run_dir.name == result.run_id
    assert _partial_dirs(run_dir.parents[1]) == []
    manifest = load_manifest(run_dir)
    assert manifest == result.manifest
    assert manifest.status == "complete"
    assert manifest.stages_requested == manifest.stages_completed == ["write", "read"]
    assert {s.status for s in manifest.stages.values()} == {"complete"}
    assert manifest.ended_at is not None and manifest.ended_at >= manifest.started_at
    assert manifest.artefacts == artefact_hashes(run_dir)
    assert set(manifest.artefacts) == {"write_table.parquet", "write_params.json", "read_summary.parquet"}
    assert manifest.files == file_hashes(run_dir, exclude=("manifest.json",))
    assert {"write_stage.ipynb", "write_stage.html", "read_stage.ipynb", "_src/read_stage.ipynb"} <= set(
        manifest.files
    )
    assert result.notebooks["read"] == run_dir / "read_stage.ipynb"
    assert result.html["write"] == run_dir / "write_stage.html"


def test_manifest_records_provenance(completed: tuple[RunResult, list], input_file: Path) -> None:
    """The manifest records inputs by path and hash, seed, questionnaire hash, extras and versions."""
    manifest = completed[0].manifest
    assert manifest.inputs == {"responses": input_file.as_posix()}
    assert list(manifest.input_hashes) == [input_file.as_posix()]
    assert manifest.seed == 7
    assert manifest.questionnaire_sha256 == "ab" * 32
    assert manifest.extra == {"edition_config": {"tie_rule": "chair"}}
    assert manifest.versions["papermill"] == "2.7.0"
    assert manifest.kernel_name == "vielfalt"
    # the seed goes to the stage that declares it, run_dir and project_root to every stage
    assert manifest.params["write"]["seed"] == 7
    assert set(manifest.params["read"]) == {"run_dir", "project_root"}
    assert not list(completed[0].run_dir.rglob("responses.csv"))


def test_progress_reports_each_stage(completed: tuple[RunResult, list]) -> None:
    """The progress callback hears of every stage starting and completing, with 1-based indices."""
    assert completed[1] == [
        ("write", 1, 2, "running"),
        ("write", 1, 2, "complete"),
        ("read", 2, 2, "running"),
        ("read", 2, 2, "complete"),
    ]


def test_parameters_arrive_as_plain_json(completed: tuple[RunResult, list], input_file: Path) -> None:
    """Path, numpy.int64, date and tuple parameters reach the notebook as str, int, ISO str and list."""
    received = read_json_artefact(completed[0].run_dir, "write_params")
    assert received["values"] == {
        "n_rows": 5,
        "label": "beta",
        "reference_date": "2010-05-01",
        "weights": [1.0, 2.5],
        "data_file": str(input_file),
        "seed": 7,
    }
    assert received["types"]["n_rows"] == "int"
    assert received["types"]["weights"] == "list"
    assert len(read_artefact(completed[0].run_dir, "write_table")) == 5
    assert read_artefact(completed[0].run_dir, "read_summary")["n"].tolist() == [5]


def test_html_shows_outputs_without_code(completed: tuple[RunResult, list]) -> None:
    """The HTML report shows cell outputs and markdown but no code and no prompts."""
    html = completed[0].html["write"].read_text(encoding="utf-8")
    assert "sichtbare-ausgabe" in html
    assert "Teststufe: schreiben" in html
    for code in ['"sichtbare" + "-ausgabe"', "&quot;sichtbare&quot;", "write_artefact", "import numpy"]:
        assert code not in html
    assert 'class="jp-InputPrompt' not in html and 'class="jp-OutputPrompt' not in html


def test_html_embeds_plotly_figure_for_offline_use(completed: tuple[RunResult, list]) -> None:
    """The figure is a plotly div drawn by plotly.js embedded once, with no script from the network."""
    from plotly.offline import get_plotlyjs

    html = completed[0].html["write"].read_text(encoding="utf-8")
    assert html.count('class="plotly-graph-div"') == 1
    assert "werte-balken" in html
    assert html.count(get_plotlyjs()) == 1
    assert html.index(get_plotlyjs()) < html.index("Plotly.newPlot")
    assert re.findall(r"<script[^>]*\ssrc=", html) == []
    assert re.findall(r"""import\s*\(?\s*["']https?:""", html) == []
    assert "require.min.js" not in html and "MathJax.js" not in html and "tex-svg" not in html
    assert '"showSendToCloud": false' in html
    # plotly.js is ~4.8 MB; the page must not carry it twice
    assert completed[0].html["write"].stat().st_size < 6_000_000


def test_same_inputs_give_identical_artefacts(
    completed: tuple[RunResult, list], input_file: Path, write_parameters: dict[str, object]
) -> None:
    """A second run with the same inputs, parameters and seed has another run id but identical artefacts."""
    first = completed[0]
    second = run_stages(
        _write_and_read(**write_parameters),
        runs_root=first.run_dir.parents[1],
        edition=EDITION,
        inputs={"responses": input_file},
        seed=7,
    )
    assert second.run_id != first.run_id
    assert second.manifest.artefacts == first.manifest.artefacts
    assert second.manifest.input_hashes == first.manifest.input_hashes


def test_run_on_a_base_run_copies_its_artefacts(completed: tuple[RunResult, list], tmp_path: Path) -> None:
    """A later stage runs alone on a copy of a complete run's artefacts, and the manifest names the base."""
    runs_root = tmp_path / "runs"
    base = runs_root / EDITION / completed[0].run_id
    shutil.copytree(completed[0].run_dir, base)
    result = run_stages(_write_and_read()[1:], runs_root=runs_root, edition=EDITION, base_run=base)
    manifest = result.manifest
    assert manifest.base_run is not None
    assert manifest.base_run.run_id == completed[0].run_id
    assert manifest.base_run.artefacts == completed[0].manifest.artefacts
    assert manifest.artefacts == completed[0].manifest.artefacts
    assert manifest.stages_completed == ["read"]


def test_base_run_must_be_complete_and_unchanged(completed: tuple[RunResult, list], tmp_path: Path) -> None:
    """A base run whose artefacts changed after completion is refused before anything runs."""
    base = tmp_path / "runs" / EDITION / completed[0].run_id
    shutil.copytree(completed[0].run_dir, base)
    (base / "artefacts" / "write_params.json").write_text("{}", encoding="utf-8")
    with pytest.raises(PipelineError, match=r"verändert \(write_params\.json\)"):
        run_stages(_write_and_read()[1:], runs_root=tmp_path / "runs", edition=EDITION, base_run=base)
    assert _partial_dirs(tmp_path / "runs") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Path("/data/demo2010/responses.csv"), "/data/demo2010/responses.csv"),
        (np.int64(7), 7),
        (np.float32(0.5), 0.5),
        (np.bool_(True), True),
        (dt.date(2010, 5, 1), "2010-05-01"),
        (dt.datetime(2010, 5, 1, 12, 30), "2010-05-01T12:30:00"),
        ((1, (2, "x")), [1, [2, "x"]]),
        ({"a": (np.int64(1),)}, {"a": [1]}),
        (None, None),
    ],
)
def test_to_json_parameter_converts(value: object, expected: object) -> None:
    """Paths, numpy scalars, dates and tuples become plain JSON values."""
    converted = to_json_parameter(value)
    assert converted == expected
    assert type(converted) is type(expected)


def test_to_json_parameter_makes_relative_paths_absolute() -> None:
    """A relative path is resolved against the caller's directory, since notebooks run in the run dir."""
    assert to_json_parameter(Path("data/x.csv")) == os.path.join(os.getcwd(), "data", "x.csv")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({1, 2}, r"The 'p' parameter of stage 'intake' must be None, bool, .* Got \{1, 2\} of type set"),
        (float("nan"), r"The 'p' parameter of stage 'intake' must be a finite number\. Got nan instead"),
        ({1: "a"}, r"must have string keys\. Got key 1 instead"),
        (np.datetime64("2010-05-01"), r"must not be a numpy datetime64"),
        (b"bytes", r"Got b'bytes' of type bytes instead"),
    ],
)
def test_to_json_parameter_rejects(value: object, message: str) -> None:
    """Values without a plain JSON form are refused with a ConfigError naming parameter and stage."""
    with pytest.raises(ConfigError, match=message):
        to_json_parameter(value, name="p", stage="intake")


def test_unknown_parameter_suggests_the_declared_name(tmp_path: Path) -> None:
    """A misspelt parameter raises ConfigError with a did-you-mean before any directory is created."""
    stages = [StageSpec(name="write", notebook=NOTEBOOKS / "write_stage.py", parameters={"n_row": 3})]
    with pytest.raises(ConfigError, match=r"declares no parameter 'n_row'\. Did you mean 'n_rows'\?"):
        run_stages(stages, runs_root=tmp_path, edition=EDITION)
    assert not (tmp_path / EDITION).exists()


def test_notebook_without_parameters_cell_is_refused(tmp_path: Path) -> None:
    """A notebook without a cell tagged 'parameters' raises ConfigError naming the notebook."""
    stages = [StageSpec(name="intake", notebook=NOTEBOOKS / "no_parameters.py")]
    with pytest.raises(ConfigError, match=r"stage 'intake' \(.*no_parameters\.py\) has no code cell tagged"):
        run_stages(stages, runs_root=tmp_path, edition=EDITION)


def test_notebook_must_declare_run_dir_and_project_root(tmp_path: Path) -> None:
    """A stage notebook that does not declare run_dir and project_root is refused."""
    stages = [StageSpec(name="intake", notebook=NOTEBOOKS / "no_reserved.py")]
    with pytest.raises(ConfigError, match=r"must declare 'run_dir', 'project_root' in its parameters cell"):
        run_stages(stages, runs_root=tmp_path, edition=EDITION)


@pytest.mark.parametrize(
    ("stages", "kwargs", "message"),
    [
        ([StageSpec(name="w", notebook=NOTEBOOKS / "write_stage.py", parameters={"run_dir": "/x"})], {},
         r"The 'run_dir' parameter of stage 'w' is set by the runner"),
        ([StageSpec(name="w", notebook=NOTEBOOKS / "write_stage.py", parameters={"seed": 1})], {"seed": 2},
         r"The 'seed' parameter of stage 'w' must equal the run's seed 2\. Got 1 instead"),
        ([StageSpec(name="w", notebook=NOTEBOOKS / "missing.py")], {},
         r"notebook of stage 'w' does not exist"),
        (_write_and_read() + _write_and_read()[:1], {}, r"unique stage names\. Got \['write'\] twice"),
        ([], {}, r"The 'stages' parameter of run_stages must be a non-empty list of stages\. Got \[\]"),
        (_write_and_read(), {"run_id": ".hidden"}, r"The 'run_id' parameter of run_stages must be a name "),
        (_write_and_read(), {"edition": "a/b"}, r"The 'edition' parameter of run_stages must be a name "),
        (_write_and_read(), {"lang": "fr"}, r"The 'lang' parameter of run_stages must be one of"),
        (_write_and_read(), {"seed": True}, r"The 'seed' parameter of run_stages must be an int or None"),
        (_write_and_read(), {"execution_timeout": 0}, r"'execution_timeout' parameter .* Got 0 instead"),
        (_write_and_read(), {"extra_manifest": {"questionnaire_sha256": 1}}, r"must be a str\. Got 1"),
    ],
)  # fmt: skip
def test_bad_run_configuration_is_refused(
    tmp_path: Path, stages: list[StageSpec], kwargs: dict[str, object], message: str
) -> None:
    """Bad stage lists, reserved or conflicting parameters and bad ids raise ConfigError before any run."""
    with pytest.raises(ConfigError, match=message):
        run_stages(stages, runs_root=tmp_path, **{"edition": EDITION, **kwargs})  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_failed_stage_speaks_the_runs_language_only(tmp_path: Path) -> None:
    """With lang="en" the error is the English summary alone (before: German and English, one after the
    other); the manifest still records both."""
    stages = [StageSpec(name="intake", notebook=NOTEBOOKS / "fail_stage.py")]
    with pytest.raises(PipelineError) as info:
        run_stages(stages, runs_root=tmp_path, edition=EDITION, lang="en")
    failure = load_manifest(Path(str(info.value.run_dir))).failure
    assert failure is not None and str(info.value) == failure.summary_en
    assert str(info.value).startswith("Stage 'intake' failed in cell 4 of tests/data/notebooks/fail_stage.py")
    assert "Stufe" not in str(info.value) and failure.summary_de.startswith("Stufe 'intake' ist in Zelle 4")


def test_options_object_and_keywords_give_the_same_run_options(tmp_path: Path) -> None:
    """run_stages takes its options as a RunOptions object or as keywords; keywords override the object."""
    from vielfalt.runs.runner import RunOptions

    options = RunOptions(seed=3, execution_timeout=5, lang="en")
    assert RunOptions(seed=np.int64(3)).seed == 3 and type(RunOptions(seed=np.int64(3)).seed) is int
    stages = _write_and_read()
    with pytest.raises(TypeError, match="unexpected keyword argument 'sed'"):
        run_stages(stages, runs_root=tmp_path, edition=EDITION, options=options, sed=4)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match=r"The 'execution_timeout' parameter of run_stages .* Got 0"):
        run_stages(stages, runs_root=tmp_path, edition=EDITION, options=options, execution_timeout=0)
    assert list(tmp_path.iterdir()) == []


def test_run_id_cannot_be_reused(completed: tuple[RunResult, list]) -> None:
    """A run id that already names a run is refused; the earlier run is untouched."""
    result = completed[0]
    before = file_hashes(result.run_dir)
    with pytest.raises(ConfigError, match=rf"The run id '{result.run_id}' is already used"):
        run_stages(
            _write_and_read(), runs_root=result.run_dir.parents[1], edition=EDITION, run_id=result.run_id
        )
    assert file_hashes(result.run_dir) == before


def test_stage_name_is_validated() -> None:
    """A stage name that cannot be a file name or manifest key is refused."""
    with pytest.raises(ConfigError, match=r"The 'name' parameter of StageSpec .* Got '01 intake' instead"):
        StageSpec(name="01 intake", notebook=NOTEBOOKS / "write_stage.py")


def test_missing_input_is_a_data_error(tmp_path: Path) -> None:
    """A missing input file stops the run before it starts, naming the file."""
    with pytest.raises(DataError, match=r"Die Eingabe 'responses' fehlt: .*responses\.csv existiert nicht"):
        run_stages(
            _write_and_read(),
            runs_root=tmp_path,
            edition=EDITION,
            inputs={"responses": tmp_path / "responses.csv"},
        )


def test_missing_kernel_fails_instead_of_skipping(tmp_path: Path) -> None:
    """An unknown kernel name raises PipelineError; nothing is skipped and no run appears (P10)."""
    with pytest.raises(PipelineError, match=r"Kernel 'kein-solcher-kernel' ist nicht installiert"):
        run_stages(_write_and_read(), runs_root=tmp_path, edition=EDITION, kernel_name="kein-solcher-kernel")
    assert list(tmp_path.iterdir()) == []


def test_failing_stage_leaves_a_failed_partial_run(tmp_path: Path) -> None:
    """A stage raising DataError gives PipelineError, a failed manifest with the German summary, and the
    saved notebook with the error; the directory stays .partial."""
    stages = [
        StageSpec(name="wait", notebook=NOTEBOOKS / "sleep_stage.py"),
        StageSpec(name="intake", notebook=NOTEBOOKS / "fail_stage.py"),
    ]
    events: list[tuple[str, int, int, str]] = []
    with pytest.raises(PipelineError) as info:
        run_stages(stages, runs_root=tmp_path, edition=EDITION, progress=lambda *e: events.append(e))
    err = info.value
    run_dir = Path(str(err.run_dir))
    assert err.stage == "intake"
    assert re.fullmatch(r"\.\d{8}T\d{6}Z-[0-9a-f]{4}\.partial", run_dir.name)
    assert _final_dirs(tmp_path) == []
    assert str(err).startswith(
        "Stufe 'intake' ist in Zelle 4 von tests/data/notebooks/fail_stage.py fehlgeschlagen: "
        "DataError: Spalte 'A05' fehlt in responses.csv."
    )
    manifest = load_manifest(run_dir)
    assert manifest.status == "failed"
    assert manifest.stages_completed == ["wait"]
    failure = manifest.stages["intake"].failure
    assert failure is not None and failure == manifest.failure
    assert (failure.ename, failure.evalue, failure.source_cell) == (
        "DataError",
        "Spalte 'A05' fehlt in responses.csv",
        4,
    )
    assert str(err) == failure.summary_de  # in the run's language only (German by default), not twice
    assert "Stage 'intake' failed in cell 4" in failure.summary_en
    nb = nbformat.read(run_dir / "fail_stage.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [(e.ename, e.evalue) for e in errors] == [("DataError", "Spalte 'A05' fehlt in responses.csv")]
    assert "never reached" not in json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "DataError</span>: Spalte 'A05' fehlt" in (run_dir / "fail_stage.html").read_text(encoding="utf-8")
    assert events[-1] == ("intake", 2, 2, "failed")
    assert latest_run(tmp_path, EDITION) is None
    assert [r.status for r in list_runs(tmp_path, EDITION)] == ["failed"]


def test_sys_exit_in_a_notebook_is_a_failure(tmp_path: Path) -> None:
    """A notebook ending with sys.exit(0) fails the stage, although papermill counts it as success (P7)."""
    stages = [StageSpec(name="intake", notebook=NOTEBOOKS / "exit_stage.py")]
    with pytest.raises(PipelineError, match=r"SystemExit: Das Notizbuch wurde vor Zelle \d+ beendet"):
        run_stages(stages, runs_root=tmp_path, edition=EDITION)
    assert _final_dirs(tmp_path) == []
    assert load_manifest(_partial_dirs(tmp_path)[0]).status == "failed"


@pytest.mark.slow
def test_cell_timeout_fails_the_stage(tmp_path: Path) -> None:
    """A cell running longer than execution_timeout fails the stage and names the timeout (P6)."""
    stages = [StageSpec(name="wait", notebook=NOTEBOOKS / "sleep_stage.py", parameters={"seconds": 60})]
    start = time.monotonic()
    with pytest.raises(
        PipelineError, match=r"Stufe 'wait' ist in Zelle 4 .* fehlgeschlagen: CellTimeoutError"
    ):
        run_stages(stages, runs_root=tmp_path, edition=EDITION, execution_timeout=6)
    assert time.monotonic() - start < 40
    manifest = load_manifest(_partial_dirs(tmp_path)[0])
    assert manifest.status == "failed"
    assert manifest.failure is not None and manifest.failure.ename == "CellTimeoutError"
    assert manifest.failure.evalue == "A cell timed out while it was being executed, after 6 seconds."


# ------------------------------------------------------------------------------------ kill and SIGTERM

_RUNNER = """
import sys
from pathlib import Path
from vielfalt.runs.runner import StageSpec, run_stages
parameters = {"seconds": 120, "pid_file": sys.argv[3]}
stage = StageSpec(name="wait", notebook=Path(sys.argv[1]), parameters=parameters)
run_stages([stage], runs_root=Path(sys.argv[2]), edition=sys.argv[4])
"""


def _start_sleeping_run(runs_root: Path, pid_file: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start a run of the sleeping notebook in its own session; return it and its kernel's pid."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _RUNNER,
            str(NOTEBOOKS / "sleep_stage.py"),
            str(runs_root),
            str(pid_file),
            EDITION,
        ],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while not (pid_file.is_file() and pid_file.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the sleeping stage did not start (runner exit code {proc.poll()})")
        time.sleep(0.1)
    return proc, int(pid_file.read_text())


def _kill_kernel(pid: int) -> None:
    """SIGKILL the kernel's process group (jupyter_client starts kernels in a session of their own)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


@pytest.mark.slow
def test_killed_run_never_looks_complete(completed: tuple[RunResult, list], tmp_path: Path) -> None:
    """SIGKILL mid-stage leaves only a .partial directory, earlier runs byte-identical, and the next run
    succeeds."""
    runs_root = tmp_path / "runs"
    earlier = runs_root / EDITION / completed[0].run_id
    shutil.copytree(completed[0].run_dir, earlier)
    before = file_hashes(earlier)

    proc, kernel_pid = _start_sleeping_run(runs_root, tmp_path / "kernel.pid")
    try:
        os.killpg(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        _kill_kernel(kernel_pid)
    assert wait_gone(kernel_pid)

    assert _final_dirs(runs_root) == [earlier]
    (killed,) = _partial_dirs(runs_root)
    assert load_manifest(killed).status == "running"
    assert file_hashes(earlier) == before
    statuses = {r.path.name: r.status for r in list_runs(runs_root, EDITION)}
    assert statuses == {earlier.name: "complete", killed.name: "incomplete"}
    assert latest_run(runs_root, EDITION) == earlier

    quick = [StageSpec(name="wait", notebook=NOTEBOOKS / "sleep_stage.py", parameters={"seconds": 0})]
    after = run_stages(quick, runs_root=runs_root, edition=EDITION)
    assert after.manifest.status == "complete"
    assert latest_run(runs_root, EDITION) == after.run_dir
    assert file_hashes(earlier) == before


@pytest.mark.slow
def test_sigterm_marks_the_run_failed(tmp_path: Path) -> None:
    """SIGTERM mid-stage marks the stage and run failed, keeps .partial, and the kernel does not linger."""
    runs_root = tmp_path / "runs"
    proc, kernel_pid = _start_sleeping_run(runs_root, tmp_path / "kernel.pid")
    try:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) != 0
        assert wait_gone(kernel_pid)
    finally:
        _kill_kernel(kernel_pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert _final_dirs(runs_root) == []
    (partial,) = _partial_dirs(runs_root)
    manifest = load_manifest(partial)
    assert manifest.status == "failed"
    assert manifest.failure is not None
    assert manifest.failure.ename == "RunTerminated"
    assert manifest.failure.summary_de.startswith("Stufe 'wait' wurde in Zelle 4 von ")
    assert [r.status for r in list_runs(runs_root, EDITION)] == ["failed"]


# ---------------------------------------------------------------------------------------------- listing


def _fake_run(edition_dir: Path, dirname: str, run_id: str, status: str, **changes: object) -> Path:
    """Write a run directory with only a manifest, for the listing tests."""
    path = edition_dir / dirname
    path.mkdir(parents=True)
    fields: dict[str, object] = {
        "edition": EDITION,
        "run_id": run_id,
        "status": status,
        "stages_requested": ["intake"],
        "started_at": utc_now(),
    }
    fields.update(changes)
    write_manifest(RunManifest(**fields), path)  # type: ignore[arg-type]
    return path


def test_list_runs_and_latest_run(tmp_path: Path) -> None:
    """list_runs tells complete, failed, killed, running and tampered runs apart; latest_run picks the newest
    complete one."""
    edition_dir = tmp_path / EDITION
    old = _fake_run(edition_dir, "20100101T000000Z-aaaa", "20100101T000000Z-aaaa", "complete",
                    started_at="2010-01-01T00:00:00.000000Z")  # fmt: skip
    new = _fake_run(edition_dir, "20110101T000000Z-bbbb", "20110101T000000Z-bbbb", "complete",
                    started_at="2011-01-01T00:00:00.000000Z")  # fmt: skip
    _fake_run(edition_dir, ".20120101T000000Z-cccc.partial", "20120101T000000Z-cccc", "failed")
    _fake_run(edition_dir, ".20130101T000000Z-dddd.partial", "20130101T000000Z-dddd", "running",
              runner_pid=2**22 + 12345, runner_host="elsewhere")  # fmt: skip
    import socket

    _fake_run(edition_dir, ".20140101T000000Z-eeee.partial", "20140101T000000Z-eeee", "running",
              runner_pid=os.getpid(), runner_host=socket.gethostname())  # fmt: skip
    _fake_run(edition_dir, "20150101T000000Z-ffff", "20150101T000000Z-ffff", "running")
    (edition_dir / ".20160101T000000Z-gggg.partial").mkdir()
    (edition_dir / ".ipynb_checkpoints").mkdir()
    runs = list_runs(tmp_path, EDITION)
    assert [(r.run_id, r.status) for r in runs] == [
        ("20100101T000000Z-aaaa", "complete"),
        ("20110101T000000Z-bbbb", "complete"),
        ("20120101T000000Z-cccc", "failed"),
        ("20130101T000000Z-dddd", "incomplete"),
        ("20140101T000000Z-eeee", "running"),
        ("20150101T000000Z-ffff", "invalid"),
        ("20160101T000000Z-gggg", "incomplete"),
    ]
    assert latest_run(tmp_path, EDITION) == new != old
    assert latest_run(tmp_path, "other") is None
    assert list_runs(tmp_path, "other") == []


def test_new_run_id_is_sortable_and_unique() -> None:
    """Run ids are UTC timestamps with a random suffix: sortable by time and distinct."""
    ids = {new_run_id() for _ in range(50)}
    assert len(ids) > 40
    assert all(re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{4}", i) for i in ids)
