"""vielfalt verify: replay a real papermill run from its manifest and compare artefact by artefact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vielfalt.cli import main, run_edition
from vielfalt.exceptions import DataError
from vielfalt.runs.manifest import BaseRunRecord, RunManifest, load_manifest, utc_now, write_manifest
from vielfalt.runs.verify import REPLAY_DIR, _rebase, logical_inputs, verify_run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project (committed demo inputs) in which the tests may change input bytes."""
    root = tmp_path_factory.mktemp("replay")
    for d in ("params", "notebooks", "data"):
        shutil.copytree(ROOT / d, root / d)
    return root


@pytest.fixture(scope="module")
def intake_run(project) -> Path:
    """One real papermill run of the intake stage of demo2010."""
    return Path(run_edition(project, "demo2010", ["intake"], quiet=True).run_dir)


def test_unchanged_run_verifies_identical(project, intake_run):
    """Same inputs, notebooks, parameters and seed: artefacts identical, exit code 0, replay kept apart."""
    report = verify_run(intake_run, project_root=project)
    assert report.identical and report.exit_code == 0, report.text()
    assert len(report.artefacts) >= 4 and all(c.status == "identical" for c in report.inputs)
    assert report.replay_dir is not None and report.replay_dir.parent.parent.name == REPLAY_DIR
    assert report.questionnaire is not None and report.questionnaire.status == "identical"
    assert "ERGEBNIS: identisch" in report.text()
    # the edition's own runs are untouched: only the original is there
    assert [p.name for p in (project / "runs" / "demo2010").iterdir()] == [intake_run.name]


def test_one_changed_byte_is_named_with_the_artefacts_it_changed(project, intake_run, capsys):
    """One byte of an input changed, a returned rating sheet removed: both named, exit code 1."""
    path = project / "data" / "demo2010" / "responses_excel.csv"
    sheet = project / "data" / "demo2010" / "ratings" / "bewertung_demo2010_G4.xlsx"
    original, sheet_bytes = path.read_bytes(), sheet.read_bytes()
    data = bytearray(original)
    i = data.index(b"GmbH")
    data[i + 3] = ord("X")  # "GmbH" -> "GmbX": one byte
    try:
        path.write_bytes(bytes(data))
        sheet.unlink()
        code = main(["--project", str(project), "verify", str(intake_run)])
        out = capsys.readouterr().out
    finally:
        path.write_bytes(original)
        sheet.write_bytes(sheet_bytes)
    assert code == 1
    assert "Eingabe data/demo2010/responses_excel.csv: geändert" in out
    assert "Eingabe data/demo2010/ratings/bewertung_demo2010_G4.xlsx: fehlt" in out
    assert "Zwischenergebnis intake/entries.parquet: abweichend" in out
    assert "ERGEBNIS: nicht identisch" in out


def test_verify_of_something_that_is_not_a_run_exits_2(project, capsys):
    """A folder without a complete manifest is an error (exit 2), not a failed verification."""
    code = main(["--project", str(project), "verify", str(project / "runs" / "demo2010" / "nope")])
    assert code == 2 and "kein abgeschlossener Lauf" in capsys.readouterr().err


def test_inputs_are_compared_by_logical_name_not_path():
    """Recorded absolute paths become logical names; files inside an input folder get name/relative path."""
    m = RunManifest(
        edition="x",
        run_id="r",
        stages_requested=[],
        started_at=utc_now(),
        inputs={"data/x/a.csv": "/old/host/data/x/a.csv", "archive": "/old/host/archive"},
        input_hashes={
            "/old/host/data/x/a.csv": "1" * 64,
            "/old/host/archive/_archive.json": "2" * 64,
            "/old/host/archive/entries/edition=x/part.parquet": "3" * 64,
        },
    )
    assert logical_inputs(m) == {
        "archive/_archive.json": "2" * 64,
        "archive/entries/edition=x/part.parquet": "3" * 64,
        "data/x/a.csv": "1" * 64,
    }


def test_path_parameters_move_with_the_project(tmp_path):
    """A parameter inside the recorded project points into the current one; others stay as they are."""
    assert _rebase("/old/proj/archive", "/old/proj", tmp_path) == str(tmp_path / "archive")
    assert _rebase("/elsewhere/archive", "/old/proj", tmp_path) == "/elsewhere/archive"
    assert _rebase("de", "/old/proj", tmp_path) == "de"


def test_missing_base_run_is_an_error(tmp_path):
    """A run built on an earlier run that was deleted cannot be replayed: DataError naming it."""
    run = tmp_path / "runs" / "demo2010" / "r2"
    run.mkdir(parents=True)
    m = RunManifest(
        edition="demo2010",
        run_id="r2",
        status="complete",
        stages_requested=[],
        started_at=utc_now(),
        base_run=BaseRunRecord(
            run_id="r1", path=str(tmp_path / "gone"), stages_completed=["intake"], artefacts={}
        ),
    )
    write_manifest(m, run)
    assert load_manifest(run).base_run is not None
    with pytest.raises(DataError, match="baut auf dem Lauf r1 auf, der nicht mehr da ist"):
        verify_run(run, project_root=ROOT)


def test_report_lines_are_in_the_chosen_language():
    """The report's difference lines follow its language (before: German lines in the English report)."""
    from vielfalt.runs.verify import Check, VerifyReport

    report = VerifyReport(
        run_dir=Path("/runs/e/r"),
        replay_dir=None,
        edition="e",
        run_id="r",
        inputs=[Check(name="data/e/a.csv", status="changed", recorded="1", current="2")],
        artefacts=[Check(name="intake/x.parquet", status="different", recorded="1", current="2")],
    )
    en, de = report.text("en"), report.text("de")
    assert "input data/e/a.csv: changed" in en and "artefact intake/x.parquet: different" in en
    assert "RESULT: not identical" in en and "Eingabe" not in en and "geändert" not in en
    assert "Eingabe data/e/a.csv: geändert" in de and "ERGEBNIS: nicht identisch" in de
    assert report.to_dict("en")["differences"] == report.differences("en")
