"""Synthetic multi-edition data: repeat participants, the vg2015 instrument, the 2015 scheme, reproducibility."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from vielfalt.cli import main
from vielfalt.demo.editions import GENERATED_EDITIONS, edition_id, write_multi_edition_inputs
from vielfalt.exceptions import ConfigError
from vielfalt.research.archive import normalise_name, read_archive
from vielfalt import stages

ROOT = Path(__file__).resolve().parents[1]


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def generated(research_project):
    """The panel of the research project's four editions (generated again, in memory only)."""
    return write_multi_edition_inputs(research_project, write=[], ratings=False)


def test_regeneration_is_byte_identical_and_demo2010_matches_the_commit(research_project, tmp_path):
    """A fresh copy generates the same files; demo2010 equals the committed demo inputs."""
    copy = tmp_path / "copy"
    for d in ("params", "notebooks", "data"):
        shutil.copytree(ROOT / d, copy / d, ignore=shutil.ignore_patterns(*GENERATED_EDITIONS))
    write_multi_edition_inputs(copy)
    for ed in ("demo2009", "demo2010", "demo2012", "demo2015"):
        assert _hashes(copy / "data" / ed) == _hashes(research_project / "data" / ed), ed
    assert _hashes(copy / "data" / "demo2010") == _hashes(ROOT / "data" / "demo2010")


def test_repeat_participants_keep_their_name_across_editions(generated):
    """Organisations of one lineage carry the same normalised name in every edition they enter."""
    panel = generated.panel
    multi = panel.groupby("org")["edition"].nunique()
    assert (multi >= 2).sum() >= 10 and (multi == 4).sum() >= 2
    for _, part in panel[panel["org"].isin(multi[multi > 1].index)].groupby("org"):
        assert part["A01"].map(normalise_name).nunique() == 1
    assert panel.groupby("edition").size().to_dict() == {
        "demo2009": 14,
        "demo2010": 19,
        "demo2012": 20,
        "demo2015": 22,
    }


def test_archive_keys_link_exactly_the_repeat_participants(research_project, generated):
    """Keys shared by several editions in the archive correspond one to one to lineages in several editions."""
    ent = read_archive(research_project / "archive", "entries")
    by_key = ent.groupby("key")["edition"].apply(frozenset)
    panel = generated.panel
    by_org = panel.groupby("org")["edition"].apply(frozenset)
    assert sorted(map(sorted, by_key[by_key.map(len) > 1])) == sorted(
        map(sorted, by_org[by_org.map(len) > 1])
    )


def test_2015_uses_the_new_instrument_and_the_four_class_scheme(research_project, tmp_path):
    """demo2015 is read with vg2015 (D10, E04, no B02) and sorted into kleinst/klein/mittel/gross."""
    head = (research_project / "data" / "demo2015" / "responses_limesurvey.csv").read_text(
        encoding="utf-8-sig"
    )
    first = head.splitlines()[0]
    assert '"D10[keine]"' in first and '"E04[klima]"' in first and '"D08"' in first and '"B02"' not in first
    res = stages.intake_stage(research_project, "demo2015", tmp_path)
    assert set(res.report.accepted["category"]) == {"kleinst", "klein", "mittel", "gross"}
    assert res.report.n_quarantined == 0


@pytest.mark.parametrize("edition", ["demo2009", "demo2012"])
def test_generated_editions_pass_intake_whole(research_project, tmp_path, edition):
    """The generated editions have no broken rows: every row is accepted."""
    res = stages.intake_stage(research_project, edition, tmp_path)
    assert res.report.n_quarantined == 0 and res.report.n_accepted in (14, 20)


def test_cli_synth_editions_writes_only_the_named(tmp_path):
    """`vielfalt synth --editions 2009,2015` writes those two editions (and ratings), not the others."""
    proj = tmp_path / "p"
    for d in ("params", "notebooks", "data"):
        shutil.copytree(ROOT / d, proj / d, ignore=shutil.ignore_patterns(*GENERATED_EDITIONS))
    assert main(["--project", str(proj), "synth", "--editions", "2009,2015"]) == 0
    assert (proj / "data" / "demo2009" / "responses_excel.xlsx").is_file()
    assert len(list((proj / "data" / "demo2015" / "ratings").glob("*.xlsx"))) == 4
    assert not (proj / "data" / "demo2012").exists()


def test_edition_tokens_and_unknown_editions():
    """Years map to demo editions; writing a non-demo edition is refused."""
    assert edition_id(" 2012 ") == "demo2012" and edition_id("demo2010") == "demo2010"
    with pytest.raises(ConfigError, match="Demo-Editionen"):
        write_multi_edition_inputs(ROOT, write=["demo2011"])
