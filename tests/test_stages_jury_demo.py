"""End to end: the demo through close with papermill, identical jury/close artefacts on a re-run, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.jury_helpers import demo_project
from vielfalt.cli.commands import STAGE_NAMES, main, print_run, run_edition
from vielfalt.runs.manifest import load_manifest, read_artefact


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """A project copy and one run of every stage, intake … close."""
    root = demo_project(tmp_path_factory.mktemp("e2e"))
    result = run_edition(root, "demo2010", STAGE_NAMES, quiet=True)
    return root, result


def test_demo_runs_through_close(full_run):
    """All seven stages complete; the jury and results notebooks are exported without code."""
    _, result = full_run
    m = load_manifest(result.run_dir)
    assert m.status == "complete" and m.stages_completed == STAGE_NAMES
    for stem in ("06_jury", "07_results"):
        html = (Path(result.run_dir) / f"{stem}.html").read_text(encoding="utf-8")
        assert "from vielfalt import stages" not in html and "&lt;b&gt;Eifelbach&lt;/b&gt;" in html
    assert {"jury/final_scores.parquet", "close/awards.parquet", "close/agreement.parquet"} <= set(
        m.artefacts
    )


def test_every_stage_writes_exactly_its_declared_artefacts(full_run):
    """A run of every stage holds exactly the artefacts the registry declares for each stage."""
    from vielfalt.stages.registry import STAGES, declared_artefacts

    _, result = full_run
    m = load_manifest(result.run_dir)
    written: dict[str, set[str]] = {}
    for artefact in m.artefacts:
        written.setdefault(artefact.split("/", 1)[0], set()).add(artefact)
    assert written == {s.name: set(s.artefacts) for s in STAGES}
    assert set(m.artefacts) == {a for a, s in declared_artefacts().items() if s != "research"}


def test_run_prints_the_jury_page_and_the_letters(full_run, capsys):
    """The run summary names the jury's HTML file and the letters folder."""
    root, result = full_run
    print_run(result, root)
    out = capsys.readouterr().out
    assert "Jury-Dashboard" in out and "jury/jury_demo2010.html" in out
    assert "Rückmeldeschreiben (19)" in out and "/letters/" in out


def test_jury_and_close_rerun_give_identical_artefacts_and_page(full_run):
    """Re-running jury and close on one base: identical artefacts; the page differs only in its header."""
    root, first = full_run
    second = run_edition(root, "demo2010", ["jury", "close"], quiet=True)
    a, b = load_manifest(first.run_dir), load_manifest(second.run_dir)
    mine = [k for k in a.artefacts if k.startswith(("jury/", "close/"))]
    assert len(mine) >= 8 and all(a.artefacts[k] == b.artefacts[k] for k in mine)
    for sub in ("letters", "exports"):
        for f in sorted((Path(first.run_dir) / sub).iterdir()):
            assert f.read_bytes() == (Path(second.run_dir) / sub / f.name).read_bytes(), f.name
    pa = (Path(first.run_dir) / "jury" / "jury_demo2010.html").read_text(encoding="utf-8")
    pb = (Path(second.run_dir) / "jury" / "jury_demo2010.html").read_text(encoding="utf-8")
    assert a.run_id in pa and b.run_id in pb
    for run_id, started in ((a.run_id, a.started_at), (b.run_id, b.started_at)):
        shown = f"{started[:10]} {started[11:16]} UTC"
        pa, pb = (
            pa.replace(run_id, "RUN").replace(shown, "TIME"),
            pb.replace(run_id, "RUN").replace(shown, "TIME"),
        )
    assert pa == pb


def test_awards_respect_the_demo_conflict(full_run):
    """In the papermill run too, J2's vote on the entry they declared a conflict with is not counted."""
    _, result = full_run
    fails = read_artefact(result.run_dir, "close/vote_failures")
    assert (fails["check"] == "conflict").sum() == 1


def test_dashboard_command_needs_a_jury_run(tmp_path, capsys):
    """`vielfalt dashboard` without a run that has the jury stage exits 2 and says what to run."""
    root = demo_project(tmp_path)
    code = main(["--project", str(root), "dashboard", "demo2010"])
    err = capsys.readouterr().err
    assert code == 2 and "vielfalt run demo2010 --until jury" in err


def test_dashboard_command_prints_the_local_voila_command(full_run, capsys):
    """With a jury run, the command serves 06_jury from beside the run on 127.0.0.1 (here: only printed)."""
    root, result = full_run
    before = sorted(p.name for p in Path(result.run_dir).iterdir())
    code = main(["--project", str(root), "dashboard", "demo2010", "--run", str(result.run_dir),
                 "--port", "8765", "--print-command"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "http://127.0.0.1:8765/" in out and "--template=vielfalt" in out
    nb = root / "runs" / "demo2010" / ".dashboard" / Path(result.run_dir).name / "06_jury.ipynb"
    assert nb.is_file() and sorted(p.name for p in Path(result.run_dir).iterdir()) == before
