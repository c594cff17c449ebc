"""Tests of the `vielfalt` command: documented exit codes, JSON report, status, init, no tracebacks."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.test_validate import valid_row
from vielfalt.cli import main
from vielfalt.config.questionnaire import load_questionnaire
from vielfalt.exceptions import VielfaltError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A fresh project folder with the shipped params and notebooks, and empty data."""
    for d in ("params", "notebooks"):
        shutil.copytree(ROOT / d, tmp_path / d)
    (tmp_path / "data" / "demo2010").mkdir(parents=True)
    return tmp_path


def write_limesurvey(path: Path, rows: list[dict]) -> Path:
    """Write rows the way LimeSurvey does: BOM, ';', every value quoted, CRLF."""
    q = load_questionnaire(ROOT / "params" / "questionnaire" / "vg2010.yaml")
    cols = ["id", "submitdate", *q.columns()]
    df = pd.DataFrame([{c: r.get(c, "") for c in cols} for r in rows])
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        df.to_csv(fh, sep=";", index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    return path


def test_validate_exit_0_when_all_accepted(project, capsys):
    """Every row accepted → exit code 0 and a German summary."""
    f = write_limesurvey(project / "ok.csv", [valid_row(id="1"), valid_row(id="2", A01="Zweite GmbH")])
    assert main(["--project", str(project), "validate", str(f), "--edition", "demo2010"]) == 0
    assert "angenommen: 2, zurückgestellt: 0" in capsys.readouterr().out


def test_validate_exit_1_and_json_when_quarantined(project, capsys):
    """A quarantined row → exit code 1; --json gives rows read, accepted, quarantined and the failures."""
    f = write_limesurvey(
        project / "bad.csv", [valid_row(id="1"), valid_row(id="2", A01="B GmbH", **{"A05[total]": "ca. 50"})]
    )
    assert (
        main(
            ["--project", str(project), "validate", str(f), "--edition", "demo2010", "--json", "--lang", "en"]
        )
        == 1
    )
    data = json.loads(capsys.readouterr().out)
    assert (data["rows_read"], data["accepted"], data["quarantined"]) == (2, 1, 1)
    row = next(x for x in data["failures"] if x["check"] == "approximate")
    assert (
        row["row"] == 3
        and row["value"] == "ca. 50"
        and row["reason"].startswith("'ca. 50' is only approximate")
    )


def test_validate_exit_2_on_unreadable_file(project, capsys):
    """Binary junk → exit code 2 with a message naming the file, no traceback."""
    f = project / "junk.csv"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert main(["--project", str(project), "validate", str(f), "--edition", "demo2010"]) == 2
    err = capsys.readouterr().err
    assert "junk.csv" in err and "Traceback" not in err


def test_validate_missing_column_is_exit_2(project, capsys):
    """A file without the headcount column cannot be validated: exit 2, the column named."""
    f = project / "nocol.csv"
    f.write_text("id;submitdate;A01\n1;2010-01-01 10:00:00;X GmbH\n", encoding="utf-8")
    assert main(["--project", str(project), "validate", str(f), "--edition", "demo2010"]) == 2
    assert "A05[total]" in capsys.readouterr().err


def test_unknown_edition_is_a_message_not_a_traceback(project, capsys):
    """A misspelt edition gives a clear message and exit code 2."""
    assert main(["--project", str(project), "status", "demo2011"]) == 2
    assert "demo2011" in capsys.readouterr().err


def test_unknown_stage_suggests(project, capsys):
    """`--stage intak` suggests intake."""
    assert main(["--project", str(project), "run", "demo2010", "--stage", "intak"]) == 2
    assert "Meinten Sie „intake“" in capsys.readouterr().err


def test_init_scaffolds_edition_from_previous(project, capsys):
    """`init 2011 --from demo2010` writes a valid edition file and a data folder, and refuses to overwrite."""
    assert main(["--project", str(project), "init", "2011", "--from", "demo2010"]) == 0
    from vielfalt.config.edition import load_edition

    ed = load_edition(project / "params" / "editions" / "2011.yaml")
    assert ed.edition == "2011" and ed.year == 2011 and ed.seed == 2011
    assert (project / "data" / "2011" / "LIESMICH.txt").is_file()
    assert main(["--project", str(project), "init", "2011", "--from", "demo2010"]) == 2


def test_status_names_missing_inputs(project, capsys):
    """status lists the inputs with a mark and says what to do next."""
    assert main(["--project", str(project), "status", "demo2010"]) == 0
    out = capsys.readouterr().out
    assert "[ ] data/demo2010/responses_limesurvey.csv" in out and "fehlende Eingaben" in out


def test_run_without_inputs_fails_cleanly(project, capsys):
    """Running intake with no input files stops with a message naming the missing file; no complete run
    appears."""
    code = main(["--project", str(project), "run", "demo2010", "--stage", "intake"])
    assert code == 1
    err = capsys.readouterr().err
    assert "responses_limesurvey.csv" in err and "Traceback" not in err
    runs = project / "runs" / "demo2010"
    assert all(p.name.startswith(".") for p in runs.iterdir())


def test_console_script_runs():
    """The installed console script answers --version."""
    exe = Path(sys.executable).with_name("vielfalt")
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("vielfalt ")


def test_codebook_command(project, tmp_path, capsys):
    """`codebook --format md` writes the codebook where asked."""
    out = tmp_path / "cb.md"
    assert main(["--project", str(project), "codebook", "--format", "md", "--out", str(out)]) == 0
    assert "A05[total]" in out.read_text(encoding="utf-8")


def _fake_run(project: Path, run_id: str, stages: list[str], *, base: str | None = None) -> Path:
    """A complete run folder whose manifest lists the declared artefacts of `stages` (and of its base)."""
    from vielfalt.runs.manifest import BaseRunRecord, RunManifest, utc_now, write_manifest
    from vielfalt.stages.registry import stage

    run = project / "runs" / "demo2010" / run_id
    run.mkdir(parents=True)
    held = [*stages, *(["intake", "ratings", "scoring"] if base else [])]
    base_record = None
    if base:
        base_record = BaseRunRecord(
            run_id=base, path=str(run.parent / base), stages_completed=["intake", "ratings", "scoring"],
            artefacts={},
        )  # fmt: skip
    write_manifest(
        RunManifest(
            edition="demo2010", run_id=run_id, status="complete", stages_requested=stages,
            stages_completed=stages, started_at=utc_now(), base_run=base_record,
            artefacts={a: "0" * 64 for s in held for a in stage(s).artefacts},
        ),
        run,
    )  # fmt: skip
    return run


def test_status_counts_the_stages_a_run_took_from_its_base(project, capsys):
    """A run of robustness on a base holding intake … scoring: next is site_visits (before: the newest run's
    own stages only, so status said intake), with what that stage needs from data/."""
    for name in ("responses_limesurvey.csv", "responses_excel.xlsx", "responses_excel.csv"):
        (project / "data" / "demo2010" / name).write_text("x", encoding="utf-8")
    _fake_run(project, "r1", ["intake", "ratings", "scoring"])
    _fake_run(project, "r2", ["robustness"], base="r1")
    assert main(["--project", str(project), "status", "demo2010"]) == 0
    out = capsys.readouterr().out
    assert "Als Nächstes: vielfalt run demo2010 --until site_visits" in out
    _fake_run(project, "r3", ["site_visits"], base="r1")  # no robustness artefacts: does not count
    assert main(["--project", str(project), "status", "demo2010", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Next: vielfalt run demo2010 --until site_visits" in out and "Inputs:" in out
    _fake_run(project, "r4", ["robustness", "site_visits"], base="r1")
    assert main(["--project", str(project), "status", "demo2010"]) == 0
    out = capsys.readouterr().out
    assert "--until jury" in out and "Die Stufe jury braucht:" in out
    assert "[ ] data/demo2010/site_visits.csv (Ergebnisse der Betriebsbesuche" in out


def test_base_run_is_the_newest_run_holding_every_earlier_stage(project):
    """`run --stage robustness` builds on the newest run that holds intake … scoring, not simply the newest
    complete run (which may hold the intake alone)."""
    from vielfalt.cli.run import base_run_for

    assert base_run_for(project, "demo2010", "intake") is None
    with pytest.raises(VielfaltError, match=r"vielfalt run demo2010 --until scoring"):
        base_run_for(project, "demo2010", "robustness")
    full = _fake_run(project, "r1", ["intake", "ratings", "scoring"])
    _fake_run(project, "r2", ["intake"])  # newer, but without ratings and scoring
    assert base_run_for(project, "demo2010", "robustness") == full
    assert base_run_for(project, "demo2010", "ratings") == project / "runs" / "demo2010" / "r2"


def test_failed_run_prints_the_summary_once_in_the_chosen_language(project, capsys):
    """A failed stage is reported in the command's language only (before: German, then English)."""
    assert main(["--project", str(project), "run", "demo2010", "--stage", "intake", "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "Error: Stage 'intake' failed in cell" in err and "The incomplete run is in" in err
    assert "Stufe" not in err and "Fehler" not in err


def test_help_texts_come_from_the_catalogue():
    """The parser's help is German by default and English on request, for every command."""
    from vielfalt.cli.commands import build_parser

    de, en = build_parser().format_help(), build_parser("en").format_help()
    assert "Stufen einer Edition ausführen" in de and "run stages of an edition" in en
    assert "BEFEHL" in de and "COMMAND" in en
