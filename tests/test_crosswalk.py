"""Crosswalk between questionnaire versions: model, checks against both instruments, column mapping."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vielfalt.config.crosswalk import find_crosswalk, load_crosswalk
from vielfalt.config.questionnaire import load_questionnaire
from vielfalt.exceptions import InstrumentError

ROOT = Path(__file__).resolve().parents[1]
QDIR = ROOT / "params" / "questionnaire"
CW = QDIR / "crosswalk-vg2010-vg2015.yaml"


@pytest.fixture(scope="module")
def instruments():
    """The two instrument versions of the demo editions."""
    return load_questionnaire(QDIR / "vg2010.yaml"), load_questionnaire(QDIR / "vg2015.yaml")


def _write(tmp_path: Path, text: str, name: str = "crosswalk-vg2010-vg2015.yaml") -> Path:
    folder = tmp_path / "questionnaire"
    folder.mkdir(exist_ok=True)
    for q in ("vg2010.yaml", "vg2015.yaml"):
        shutil.copy(QDIR / q, folder / q)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """from: vg2010
to: vg2015
renamed:
  - {from: D06, to: D10, codes: {keines: keine}}
  - {from: E01, to: E04}
dropped: [{item: B02}]
new: [{item: D08}]
"""


def test_committed_crosswalk_maps_renamed_items_and_codes(instruments):
    """D06 continues as D10 with 'keines' renamed 'keine'; E01 as E04; unchanged items map to themselves."""
    qa, qb = instruments
    cw = load_crosswalk(CW)
    cmap = cw.column_map(qa, qb)
    assert cmap["D06[keines]"] == "D10[keine]" and cmap["D06[audit]"] == "D10[audit]"
    assert cmap["E01[klima]"] == "E04[klima]"
    assert cmap["A05[total]"] == "A05[total]" and cmap["D01"] == "D01"
    assert "B02" not in cmap and not any(v.startswith("D08") for v in cmap.values())


def test_comparison_names_every_item_it_cannot_compare(instruments):
    """Dropped B02, new D08 and the option C05[mobilesArbeiten] added in 2015 are listed as not comparable."""
    qa, qb = instruments
    table = load_crosswalk(CW).comparison(qa, qb)
    status = dict(zip(table["item"] + "|" + table["column"], table["status"], strict=True))
    assert status["B02|"] == "dropped" and status["D08|"] == "new"
    assert status["C05|C05[mobilesArbeiten]"] == "column_only"
    assert status["D06|"] == "renamed"


def test_inverse_reads_the_crosswalk_backwards(instruments):
    """find_crosswalk(vg2015, vg2010) inverts the file: D10 → D06, 'keine' → 'keines', D08 dropped."""
    qa, qb = instruments
    inv = find_crosswalk("vg2015", "vg2010", params_dir=ROOT / "params")
    assert inv is not None
    cmap = inv.column_map(qb, qa)
    assert cmap["D10[keine]"] == "D06[keines]" and cmap["E04[klima]"] == "E01[klima]"
    assert [n.item for n in inv.dropped] == ["D08"]


def test_unknown_item_is_named_with_a_suggestion(tmp_path):
    """A crosswalk naming an item that does not exist stops with an InstrumentError naming it."""
    path = _write(tmp_path, GOOD.replace("{from: E01, to: E04}", "{from: E01, to: E40}"))
    with pytest.raises(
        InstrumentError, match=r"renamed\[1\]\.to: Item „E40“ gibt es im Fragebogen vg2015 nicht"
    ):
        load_crosswalk(path)


def test_unknown_old_item_and_code_are_named(tmp_path):
    """An unknown source item and an unknown renamed option code are both reported, each by name."""
    text = GOOD.replace("dropped: [{item: B02}]", "dropped: [{item: B20}]").replace(
        "{keines: keine}", "{keinez: keine}"
    )
    with pytest.raises(InstrumentError) as err:
        load_crosswalk(_write(tmp_path, text))
    msg = str(err.value)
    assert "Item „B20“ gibt es im Fragebogen vg2010 nicht" in msg and "Meinten Sie" in msg
    assert "Code „keinez“ gibt es bei D06 nicht" in msg


def test_items_not_accounted_for_are_refused(tmp_path):
    """Leaving out the dropped item makes the crosswalk incomplete: B02 is named."""
    path = _write(tmp_path, GOOD.replace("dropped: [{item: B02}]\n", ""))
    with pytest.raises(
        InstrumentError, match="Items nur in vg2010, aber weder unter renamed noch dropped: B02"
    ):
        load_crosswalk(path)


def test_unknown_key_gets_did_you_mean(tmp_path):
    """A misspelt top-level key ('renammed') is rejected with a did-you-mean."""
    path = _write(tmp_path, GOOD.replace("renamed:", "renammed:"))
    with pytest.raises(InstrumentError, match="unbekannter Schlüssel „renammed“. Meinten Sie „renamed“"):
        load_crosswalk(path)


def test_file_name_must_match_from_and_to(tmp_path):
    """A crosswalk saved under another name than crosswalk-<from>-<to>.yaml is refused."""
    path = _write(tmp_path, GOOD, name="crosswalk-vg2010-vg2016.yaml")
    with pytest.raises(InstrumentError, match="crosswalk-vg2010-vg2015.yaml"):
        load_crosswalk(path)


def test_crosswalk_is_frozen():
    """The model is immutable after loading."""
    cw = load_crosswalk(CW)
    with pytest.raises(Exception, match="frozen"):
        cw.source = "x"  # type: ignore[misc]
