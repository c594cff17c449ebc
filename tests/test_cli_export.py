"""`vielfalt export ED --profile jury_blind|jury_named|public`: files written from a run, no contact data."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.jury_helpers import demo_project, run_until_site_visits
from vielfalt.cli import main
from vielfalt.runs.manifest import RunManifest, artefact_hashes, read_artefact, utc_now, write_manifest
from vielfalt import stages

UNTIL_SITE_VISITS = ["intake", "ratings", "scoring", "robustness", "site_visits"]
CONTACT = ["G01[name]", "G01[funktion]", "G01[email]", "G01[telefon]"]


def _manifest(run: Path, stages: list[str]) -> None:
    write_manifest(
        RunManifest(
            edition="demo2010",
            run_id=run.name,
            status="complete",
            stages_requested=stages,
            stages_completed=stages,
            started_at=utc_now(),
            artefacts=artefact_hashes(run),
        ),
        run,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A demo project with one complete run (intake … close, in-process) and one that stops at site_visits."""
    tmp = tmp_path_factory.mktemp("export")
    root = demo_project(tmp)
    early = run_until_site_visits(root, root / "runs" / "demo2010" / "r0")
    full = root / "runs" / "demo2010" / "r1"
    shutil.copytree(early, full)
    _manifest(early, UNTIL_SITE_VISITS)
    stages.jury_stage(root, "demo2010", full)
    stages.close_stage(root, "demo2010", full)
    _manifest(full, [*UNTIL_SITE_VISITS, "jury", "close"])
    return root


def _cells(path: Path) -> list[str]:
    """Every non-empty cell of a CSV or XLSX file, as text."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [c for row in csv.reader(fh, delimiter=";") for c in row if c]
    wb = openpyxl.load_workbook(path, read_only=True)
    return [
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None
    ]


def _contact_values(root: Path, columns: list[str]) -> set[str]:
    entries = read_artefact(root / "runs" / "demo2010" / "r1", "intake/entries")
    vals = {str(v).strip() for c in columns for v in entries[c].dropna() if str(v).strip()}
    assert len(vals) > 10  # the demo has contact data to leak
    return vals


@pytest.mark.parametrize("profile", ["jury_blind", "jury_named", "public"])
def test_export_profile_writes_files_without_contact_data(project, tmp_path, capsys, profile):
    """Each profile writes <profile>_demo2010.xlsx and .csv from the newest complete run, free of G01 data."""
    out = tmp_path / "out"
    assert (
        main(["--project", str(project), "export", "demo2010", "--profile", profile, "--out", str(out)]) == 0
    )
    said = capsys.readouterr().out
    assert f"Export {profile} der Edition demo2010 aus Lauf r1" in said
    files = sorted(p.name for p in out.iterdir())
    assert files == [f"{profile}_demo2010.csv", f"{profile}_demo2010.xlsx"]
    # a person's name, e-mail or phone nowhere, not even inside a text; a function ("Inhaberin") not as a cell
    distinctive = _contact_values(project, ["G01[name]", "G01[email]", "G01[telefon]"])
    contact = _contact_values(project, CONTACT)
    for f in out.iterdir():
        cells = _cells(f)
        assert len(cells) > 5
        leaked = [c for c in cells if c.strip() in contact or any(v in c for v in distinctive)]
        assert leaked == [], (f.name, leaked[:3])


def test_export_blind_has_no_names_and_named_has_them(project, tmp_path):
    """jury_blind carries no organisation name; jury_named does (so the comparison above is not vacuous)."""
    entries = read_artefact(project / "runs" / "demo2010" / "r1", "intake/entries")
    names = {str(v) for v in entries["A01"]}
    for profile, expect in (("jury_blind", False), ("jury_named", True)):
        out = tmp_path / profile
        assert (
            main(["--project", str(project), "export", "demo2010", "--profile", profile, "--out", str(out)])
            == 0
        )
        cells = set(_cells(out / f"{profile}_demo2010.csv"))
        assert bool(cells & names) is expect, profile


def test_export_default_out_is_the_runs_exports_and_matches_the_stage(project, tmp_path):
    """Without --out the files go to the run's exports/, byte-identical to what the jury stage wrote there."""
    run = project / "runs" / "demo2010" / "r1"
    before = (run / "exports" / "jury_named_demo2010.xlsx").read_bytes()
    (run / "exports" / "jury_named_demo2010.xlsx").unlink()
    assert main(["--project", str(project), "export", "demo2010", "--profile", "jury_named"]) == 0
    assert (run / "exports" / "jury_named_demo2010.xlsx").read_bytes() == before


def test_export_missing_stage_is_a_german_error(project, capsys):
    """--run without close → exit 2, no traceback; the message names `vielfalt run … --until close`."""
    run = project / "runs" / "demo2010" / "r0"
    code = main(["--project", str(project), "export", "demo2010", "--profile", "public", "--run", str(run)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert "Stufe close" in err and "vielfalt run demo2010 --until close" in err


def test_export_without_any_run_with_the_stage(tmp_path, project, capsys):
    """A project whose only run stops at site_visits: jury_blind says to run the jury stage first (exit 2)."""
    root = tmp_path / "p"
    shutil.copytree(project / "params", root / "params")
    shutil.copytree(project / "runs" / "demo2010" / "r0", root / "runs" / "demo2010" / "r0")
    code = main(["--project", str(root), "export", "demo2010", "--profile", "jury_blind"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "Kein vollständiger Lauf" in err and "vielfalt run demo2010 --until jury" in err
