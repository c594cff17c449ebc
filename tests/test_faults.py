"""Faults during a run: kills at random points, a failing stage, a full disk, a read-only folder, inputs that
vanish or change mid-run. Whatever happens, no run directory looks complete unless it is, and earlier runs
stay byte-identical."""

from __future__ import annotations

import contextlib
import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from vielfalt.exceptions import PipelineError
from vielfalt.runs import manifest as provenance
from vielfalt.runs.manifest import artefact_hashes, file_hashes, load_manifest
from vielfalt.runs.runner import StageSpec, latest_run, list_runs, run_stages

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"
ROOT = Path(__file__).resolve().parents[1]
EDITION = "faults"


def _chain(pid_dir: Path | str = "", data_file: Path | str = "") -> list[StageSpec]:
    """Two small stages; each records its kernel pid, reads the data file (if any), writes an artefact."""
    return [
        StageSpec(
            name=label,
            notebook=_stage_notebook(label),
            parameters={"label": label, "pid_dir": str(pid_dir), "data_file": str(data_file)},
        )
        for label in ("a", "b")
    ]


def _stage_notebook(label: str) -> Path:
    """fault_stage.py under a name of its own per stage (the runner wants distinct notebook stems)."""
    folder = Path(tempfile.gettempdir()) / f"vielfalt-fault-notebooks-{os.getuid()}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"fault_{label}.py"
    source = (NOTEBOOKS / "fault_stage.py").read_bytes()
    if not path.is_file() or path.read_bytes() != source:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(source)
        os.replace(tmp, path)
    return path


def _snapshot(run_dir: Path) -> dict[str, str]:
    """Every file of a run (the manifest included) by sha256."""
    return file_hashes(run_dir)


def _assert_runs_consistent(runs_root: Path, earlier: dict[str, dict[str, str]]) -> None:
    """Final directories are complete and intact, earlier runs unchanged, nothing else claims completeness."""
    edition_dir = runs_root / EDITION
    for path in edition_dir.iterdir():
        if path.name.startswith("."):
            continue
        manifest = load_manifest(path)
        assert manifest.status == "complete" and manifest.run_id == path.name, path
        assert manifest.files == file_hashes(path, exclude=("manifest.json",)), f"{path} changed or torn"
        assert manifest.artefacts == artefact_hashes(path)
    for name, hashes in earlier.items():
        assert _snapshot(edition_dir / name) == hashes, f"earlier run {name} changed"
    for info in list_runs(runs_root, EDITION):
        if info.path.name.startswith("."):
            assert info.status in ("failed", "incomplete", "running"), info
    latest = latest_run(runs_root, EDITION)
    assert latest is not None and not latest.name.startswith(".")


# ------------------------------------------------------------------------------------ kills


_RUNNER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from tests.test_faults import _chain
from vielfalt.runs.runner import run_stages
run_stages(_chain(pid_dir=sys.argv[2]), runs_root=Path(sys.argv[1]), edition="faults")
"""


def _processes_with(token: str) -> list[int]:
    """Pids of the processes this test started (runner and kernels), found by a token in their environment."""
    pids = []
    needle = f"VIELFALT_FAULT_TOKEN={token}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            if needle in Path(f"/proc/{entry}/environ").read_bytes().split(b"\0"):
                pids.append(int(entry))
    return pids


def _kill_and_wait(pids: list[int], timeout: float = 20) -> None:
    """SIGKILL each pid and wait until it is gone (reaped or a zombie no longer running)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
            except OSError:
                break
            if state in ("Z", "X"):
                break
            time.sleep(0.05)


def _start_runner(runs_root: Path, pid_dir: Path, token: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VIELFALT_FAULT_TOKEN": token}
    return subprocess.Popen(
        [sys.executable, "-c", _RUNNER, str(runs_root), str(pid_dir), str(ROOT)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc to find the kernels")
def test_twenty_kills_at_random_points(tmp_path: Path) -> None:
    """SIGKILL a two-stage run 20 times at seeded random moments: no directory ever looks complete unless it
    is, earlier runs stay byte-identical, and the next run succeeds."""
    runs_root, pid_dir = tmp_path / "runs", tmp_path / "pids"
    pid_dir.mkdir()
    first = run_stages(_chain(pid_dir), runs_root=runs_root, edition=EDITION)
    earlier = {first.run_id: _snapshot(first.run_dir)}

    # one undisturbed run in a subprocess sets the time scale of the kill points: when its run directory
    # appears (after the runner's imports) and when it is done
    token = uuid.uuid4().hex
    t0 = time.monotonic()
    proc = _start_runner(runs_root, pid_dir, token)
    appeared = None
    while proc.poll() is None and time.monotonic() - t0 < 300:
        if appeared is None and any(p.name.endswith(".partial") for p in (runs_root / EDITION).iterdir()):
            appeared = time.monotonic() - t0
        time.sleep(0.01)
    assert proc.wait(timeout=300) == 0
    full = time.monotonic() - t0
    appeared = full if appeared is None else appeared
    done = latest_run(runs_root, EDITION)
    assert done is not None and done.name != first.run_id
    earlier[done.name] = _snapshot(done)

    rng = random.Random(20261201)
    outcomes = {"complete": 0, "partial": 0}
    for _ in range(20):
        token = uuid.uuid4().hex
        before = {p.name for p in (runs_root / EDITION).iterdir()}
        proc = _start_runner(runs_root, pid_dir, token)
        # mostly while the run directory exists, some before it and some after the run is done
        time.sleep(rng.uniform(0.8 * appeared, full))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        _kill_and_wait(_processes_with(token))
        _assert_runs_consistent(runs_root, earlier)
        new = {p.name for p in (runs_root / EDITION).iterdir()} - before
        for name in new:  # a run that finished before the kill is complete and joins the earlier ones
            if not name.startswith("."):
                outcomes["complete"] += 1
                earlier[name] = _snapshot(runs_root / EDITION / name)
            else:
                outcomes["partial"] += 1
    assert outcomes["partial"] >= 5, outcomes  # the kill points really land mid-run

    after = run_stages(_chain(pid_dir), runs_root=runs_root, edition=EDITION)
    assert after.manifest.status == "complete" and latest_run(runs_root, EDITION) == after.run_dir
    _assert_runs_consistent(runs_root, earlier)


# ------------------------------------------------------------------------------ failing stage


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A project folder with the shipped params and notebooks and no inputs."""
    for d in ("params", "notebooks"):
        shutil.copytree(ROOT / d, tmp_path / d, ignore=shutil.ignore_patterns("*.ipynb"))
    (tmp_path / "data" / "demo2010").mkdir(parents=True)
    return tmp_path


def test_status_says_which_stage_failed_and_why(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A stage that raises: the saved notebook shows the error in the failing cell, and `vielfalt status`
    names the stage, the cell and the reason."""
    from vielfalt.cli import main

    assert main(["--project", str(project), "run", "demo2010", "--stage", "intake"]) == 1
    capsys.readouterr()
    (partial,) = (project / "runs" / "demo2010").glob(".*.partial")
    nb = nbformat.read(partial / "01_intake.ipynb", as_version=4)
    failing = [c for c in nb.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(failing) == 1 and "intake_stage(" in failing[0].source
    assert failing[0].outputs[-1].ename == "DataError"

    assert main(["--project", str(project), "status", "demo2010"]) == 0
    out = capsys.readouterr().out
    assert "fehlgeschlagen" in out
    assert "Stufe 'intake' ist in Zelle" in out and "notebooks/01_intake.py fehlgeschlagen: DataError" in out
    assert "Eingabedatei fehlt" in out and "responses_limesurvey.csv" in out
    assert "Als Nächstes: fehlende Eingaben ablegen" in out


# ---------------------------------------------------------------------- disk full, read-only (real)


@pytest.fixture()
def tmpfs(tmp_path: Path):
    """A 32 MB tmpfs (needs root and permission to mount; skipped otherwise)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(mnt: Path, leave: int) -> None:
    """Fill the file system until about `leave` bytes are free."""
    free = shutil.disk_usage(mnt).free
    with open(mnt / "filler.bin", "wb") as fh, contextlib.suppress(OSError):
        fh.write(b"\0" * max(free - leave, 0))


def _write_and_read() -> list[StageSpec]:
    """The two-stage chain with a plotly figure (a 5 MB notebook and report)."""
    return [
        StageSpec(name="write", notebook=NOTEBOOKS / "write_stage.py"),
        StageSpec(name="read", notebook=NOTEBOOKS / "read_stage.py"),
    ]


def test_disk_full_mid_run(tmpfs: Path) -> None:
    """The disk fills up while a stage's notebook is written: a German message says so and what to do; the run
    stays .partial and the earlier run is byte-identical."""
    runs_root = tmpfs / "runs"
    first = run_stages(_write_and_read(), runs_root=runs_root, edition=EDITION)
    before = _snapshot(first.run_dir)
    _fill(tmpfs, 1_500_000)
    with pytest.raises(PipelineError) as info:
        run_stages(_write_and_read(), runs_root=runs_root, edition=EDITION)
    assert "kein Platz mehr frei" in str(info.value) and "neu starten" in str(info.value)
    assert [p.name for p in (runs_root / EDITION).iterdir() if not p.name.startswith(".")] == [first.run_id]
    assert _snapshot(first.run_dir) == before
    # the failure could not be recorded on the full disk: the manifest still says "running" (listed as
    # running while this process lives, incomplete afterwards), and the name says .partial
    (partial,) = [r for r in list_runs(runs_root, EDITION) if r.path.name.startswith(".")]
    assert partial.status in ("failed", "running", "incomplete")
    (tmpfs / "filler.bin").unlink()
    again = run_stages(_write_and_read(), runs_root=runs_root, edition=EDITION)
    assert again.manifest.status == "complete"


def test_disk_full_before_the_first_manifest(tmpfs: Path) -> None:
    """With no space at all the run does not start: a clear message, and no directory is left behind."""
    runs_root = tmpfs / "runs"
    (runs_root / EDITION).mkdir(parents=True)
    _fill(tmpfs, 0)
    with pytest.raises(PipelineError, match=r"kein Platz mehr frei.*Es wurde keine Stufe ausgeführt"):
        run_stages(_write_and_read(), runs_root=runs_root, edition=EDITION)
    assert list((runs_root / EDITION).iterdir()) == []


def test_read_only_runs_folder(tmpfs: Path) -> None:
    """A runs folder on a read-only file system: the message names the folder; the earlier run is kept."""
    runs_root = tmpfs / "runs"
    first = run_stages(_write_and_read(), runs_root=runs_root, edition=EDITION)
    before = _snapshot(first.run_dir)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    try:
        with pytest.raises(PipelineError, match=r"kann nicht geschrieben werden \(schreibgeschützt"):
            run_stages(_write_and_read(), runs_root=runs_root, edition=EDITION)
        assert _snapshot(first.run_dir) == before
        assert [p.name for p in (runs_root / EDITION).iterdir()] == [first.run_id]
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tmpfs)], check=True)


# ------------------------------------------------------------------ disk full, read-only (simulated)


def test_simulated_full_disk_while_writing_the_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no tmpfs can be mounted: the manifest writer raising ENOSPC after the start gives the same
    German message, and the directory stays .partial."""
    real = provenance.atomic_write_bytes
    calls = {"n": 0}

    def flaky(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)

    monkeypatch.setattr(provenance, "atomic_write_bytes", flaky)
    with pytest.raises(PipelineError, match="kein Platz mehr frei") as info:
        run_stages(_chain(), runs_root=tmp_path, edition=EDITION)
    assert Path(str(info.value.run_dir)).name.endswith(".partial")
    assert all(p.name.startswith(".") for p in (tmp_path / EDITION).iterdir())
    assert latest_run(tmp_path, EDITION) is None


def test_simulated_read_only_folder_in_the_cli(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """`vielfalt run` on a folder it cannot write: exit code 1, a German message, no traceback."""
    from vielfalt.cli import main

    real_mkdir = Path.mkdir

    def refuse(self: Path, *args, **kwargs) -> None:
        if "runs" in self.parts:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    (project / "data" / "demo2010" / "responses_limesurvey.csv").write_text("id\n1\n", encoding="utf-8")
    code = main(["--project", str(project), "run", "demo2010", "--stage", "intake"])
    err = capsys.readouterr().err
    assert code == 1
    assert "kann nicht geschrieben werden" in err and "Traceback" not in err and "Interner Fehler" not in err
    assert not (project / "runs").exists()


# ------------------------------------------------------------------------- inputs during the run


def _table(path: Path, rows: int) -> Path:
    path.write_text("id;A01\n" + "".join(f"{i};Firma {i}\n" for i in range(rows)), encoding="utf-8")
    return path


def test_data_file_deleted_mid_run(tmp_path: Path) -> None:
    """The data file vanishes between two stages: the second stage fails with read_table's German message,
    and the run stays .partial."""
    data = _table(tmp_path / "responses.csv", 3)

    def progress(stage: str, index: int, total: int, status: str) -> None:
        if stage == "b" and status == "running":
            data.unlink()

    with pytest.raises(PipelineError) as info:
        run_stages(_chain(data_file=data), runs_root=tmp_path / "runs", edition=EDITION,
                   inputs={"responses": data}, progress=progress)  # fmt: skip
    msg = str(info.value)
    assert msg.startswith("Stufe 'b' ist in Zelle") and "DataError" in msg
    assert "Die Datei wurde nicht gefunden" in msg
    assert [r.status for r in list_runs(tmp_path / "runs", EDITION)] == ["failed"]


def test_data_file_replaced_by_a_folder_mid_run(tmp_path: Path) -> None:
    """A data file that becomes unreadable (here: a folder of that name) fails the stage with a message."""
    data = _table(tmp_path / "responses.csv", 3)

    def progress(stage: str, index: int, total: int, status: str) -> None:
        if stage == "b" and status == "running":
            data.unlink()
            data.mkdir()

    with pytest.raises(PipelineError, match=r"Das ist ein Ordner, keine Datei"):
        run_stages(_chain(data_file=data), runs_root=tmp_path / "runs", edition=EDITION, progress=progress)
    assert latest_run(tmp_path / "runs", EDITION) is None


def test_input_changed_during_the_run_is_not_published(tmp_path: Path) -> None:
    """An input rewritten after the last stage read it: the manifest would record the wrong hash, so the run
    is refused before publishing, with a German message naming the file."""
    data = _table(tmp_path / "responses.csv", 3)

    def progress(stage: str, index: int, total: int, status: str) -> None:
        if stage == "b" and status == "complete":
            _table(data, 4)

    with pytest.raises(
        PipelineError, match=r"während des Laufs verändert, ersetzt oder gelöscht: .*responses\.csv"
    ):
        run_stages(_chain(data_file=data), runs_root=tmp_path / "runs", edition=EDITION,
                   inputs={"responses": data}, progress=progress)  # fmt: skip
    (info,) = list_runs(tmp_path / "runs", EDITION)
    assert info.status == "failed" and info.manifest.failure.ename == "InputChanged"
    assert latest_run(tmp_path / "runs", EDITION) is None
