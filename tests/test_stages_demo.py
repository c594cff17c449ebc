"""End-to-end: the stage notebooks run through papermill on the demo edition and write what they promise."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from vielfalt.cli.commands import run_edition
from vielfalt.runs.manifest import load_manifest, read_artefact

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory) -> Path:
    """A copy of the project with the committed demo inputs and returned rating sheets."""
    root = tmp_path_factory.mktemp("proj")
    for d in ("params", "notebooks", "data"):
        shutil.copytree(ROOT / d, root / d)
    return root


@pytest.fixture(scope="module")
def two_runs(demo_project):
    """The demo edition run twice through intake, ratings and scoring."""
    a = run_edition(demo_project, "demo2010", ["intake", "ratings", "scoring"], quiet=True)
    b = run_edition(demo_project, "demo2010", ["intake", "ratings", "scoring"], quiet=True)
    return a, b


def test_demo_run_completes_with_every_output(two_runs):
    """The run directory is complete: notebooks, HTML without code, manifest with hashes, evaluator files."""
    a, _ = two_runs
    run = Path(a.run_dir)
    assert not run.name.startswith(".")
    m = load_manifest(run)
    assert m.status == "complete" and m.stages_completed == ["intake", "ratings", "scoring"]
    assert m.questionnaire_sha256 and m.seed == 2010
    for stem in ("01_intake", "02_ratings", "03_scoring"):
        html = (run / f"{stem}.html").read_text(encoding="utf-8")
        assert "from vielfalt import stages" not in html and "plotly-graph-div" in html
    assert (run / "intake_report.xlsx").is_file()
    assert len(list((run / "rating_sheets").glob("*.xlsx"))) == 4


def test_demo_intake_accepts_19_and_quarantines_the_broken_rows(two_runs):
    """19 entries over four categories; the five broken rows are quarantined with German reasons."""
    run = Path(two_runs[0].run_dir)
    entries = read_artefact(run, "intake/entries")
    quarantine = read_artefact(run, "intake/quarantine")
    assert len(entries) == 19 and set(entries["category"]) == {"klein", "mittel", "gross", "oeffentlich"}
    assert len(quarantine) == 5
    reasons = " ".join(quarantine["reason"])
    assert "ca. 50" in reasons and "PRIVAT" in reasons and "Doppelte Einsendung" in reasons
    ws = load_workbook(run / "intake_report.xlsx").worksheets[0]
    assert [c.value for c in ws[1]][:3] == ["Quelle", "Zeile", "Eintrag"]


def test_hostile_text_is_escaped_in_the_html_and_neutralised_in_xlsx(two_runs):
    """The company name with <b> shows as text in the HTML; the '=' free text cannot act as a formula."""
    run = Path(two_runs[0].run_dir)
    html = (run / "03_scoring.html").read_text(encoding="utf-8")
    assert "<b>Eifelbach</b>" not in html and "&lt;b&gt;Eifelbach&lt;/b&gt;" in html
    for sheet in (run / "rating_sheets").glob("*.xlsx"):
        for row in load_workbook(sheet).worksheets[0].iter_rows():
            for c in row:
                assert c.data_type != "f"


def test_scores_and_ranks_within_categories(two_runs):
    """Every accepted entry has a total in [0, 100] and a rank within its category starting at 1."""
    run = Path(two_runs[0].run_dir)
    scores = read_artefact(run, "scoring/scores")
    ranks = read_artefact(run, "scoring/ranks")
    assert scores["total"].between(0, 100).all() and len(scores) == 19
    assert (ranks.groupby(scores["category"])["total"].min() == 1).all()
    rel = read_artefact(run, "ratings/reliability")
    assert set(rel["item"]) == {"F01", "F02", "F03", "F04"}


def test_two_runs_give_identical_artefacts(two_runs):
    """Same inputs, params and seed: byte-identical artefacts (different run ids)."""
    a, b = two_runs
    ma, mb = load_manifest(Path(a.run_dir)), load_manifest(Path(b.run_dir))
    assert ma.run_id != mb.run_id
    assert ma.artefacts == mb.artefacts and len(ma.artefacts) >= 15


def test_stage_after_earlier_run_uses_its_artefacts(demo_project, two_runs):
    """`--stage scoring` alone builds on the latest complete run."""
    r = run_edition(demo_project, "demo2010", ["scoring"], quiet=True)
    m = load_manifest(Path(r.run_dir))
    assert m.base_run is not None and m.stages_completed == ["scoring"]
    assert (
        m.artefacts["scoring/scores.parquet"]
        == load_manifest(Path(two_runs[0].run_dir)).artefacts["scoring/scores.parquet"]
    )
