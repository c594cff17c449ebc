"""Tests of the instrument model (vielfalt.config.questionnaire) and its codebook."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vielfalt.config.codebook import write_codebook
from vielfalt.config.questionnaire import load_questionnaire
from vielfalt.exceptions import InstrumentError

VG2010 = Path(__file__).resolve().parents[1] / "params" / "questionnaire" / "vg2010.yaml"


@pytest.fixture(scope="module")
def q():
    """The shipped instrument."""
    return load_questionnaire(VG2010)


def _mutated(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(VG2010.read_text(encoding="utf-8"))
    change(data)
    p = tmp_path / "broken.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def _item(data, item_id):
    return next(i for s in data["sections"] for i in s["items"] if i["id"] == item_id)


def test_shipped_instrument_has_35_to_40_items(q):
    """The Teilnahmebogen has the size the issue asks for, with every section of DOMAIN.md §7."""
    assert 35 <= len(q.items) <= 40
    assert [s.id for s in q.sections] == list("ABCDEFG")


def test_every_label_has_german_and_english(q):
    """Every item carries both languages."""
    for _, it in q.iter_items():
        assert it.label.de and it.label.en, it.id


def test_columns_use_limesurvey_code_form(q):
    """Sub-questions and multiple-choice options become ITEM[code] columns, other-texts ITEM[other]."""
    cols = q.columns()
    assert "A05[total]" in cols and "C01[stellenanzDivers]" in cols and "C01[other]" in cols
    assert "A02[other]" in cols and "A01" in cols
    assert len(cols) == len(set(cols))


def test_section_weights_by_category(q):
    """Small firms move weight from formal structures to the free texts; all sum to 100."""
    assert q.section_weights("kleinst")["D"] == 8 and q.section_weights("kleinst")["F"] == 37
    assert q.section_weights("gross")["D"] == 15
    for cat in ("kleinst", "klein", "mittel", "gross", "oeffentlich"):
        assert sum(q.section_weights(cat).values()) == pytest.approx(100)


def test_privacy_flags(q):
    """Contact data is personal and exported to the institute only; disability counts are special category."""
    assert q.item("G01").pii and q.item("G01").exports == ["institute_full"]
    assert q.item("A11").special_category and q.item("A11").small_cell == 3


def test_unknown_item_lookup_suggests(q):
    """Asking for a misspelt item names the closest one."""
    with pytest.raises(InstrumentError, match="Meinten Sie „A05“"):
        q.item("A5")


def test_unknown_key_names_item_and_suggests(tmp_path):
    """A typo in a key is an error naming the item and the key, with a did-you-mean."""
    p = _mutated(tmp_path, lambda d: _item(d, "C03").update({"lable": "x"}))
    with pytest.raises(InstrumentError) as exc:
        load_questionnaire(p)
    text = str(exc.value)
    assert "items[C03]" in text and "„lable“" in text and "Meinten Sie „label“" in text


def test_rule_referring_to_unknown_column_fails_at_load(tmp_path):
    """A check naming a column that does not exist is refused when the YAML is loaded."""
    p = _mutated(tmp_path, lambda d: _item(d, "A05")["checks"][0].update({"right": "A05[totl]"}))
    with pytest.raises(InstrumentError, match=r"A05\[totl\].*Meinten Sie „A05\[total\]“"):
        load_questionnaire(p)


def test_scoring_option_must_exist(tmp_path):
    """A points table naming an option the item does not have is refused."""
    p = _mutated(tmp_path, lambda d: _item(d, "D03")["scoring"]["points"]["default"].update({"TEEM": 1}))
    with pytest.raises(InstrumentError, match="TEEM"):
        load_questionnaire(p)


def test_single_choice_codes_follow_limesurvey_rules(tmp_path):
    """List answer codes longer than 5 characters are refused (LimeSurvey answer-code limit)."""
    p = _mutated(tmp_path, lambda d: _item(d, "A04")["options"][0].update({"code": "PRIVATE"}))
    with pytest.raises(InstrumentError, match="höchstens 5 Zeichen"):
        load_questionnaire(p)


def test_yaml_is_loaded_safely(tmp_path):
    """A python object tag is rejected (safe loading only; a rule can never execute code)."""
    p = tmp_path / "evil.yaml"
    p.write_text("meta: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match="kein gültiges YAML"):
        load_questionnaire(p)


def test_alias_bomb_is_refused(tmp_path):
    """A billion-laughs document is refused before it expands."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for k in range(1, 9):
        prev = chr(ord("a") + k - 1)
        cur = chr(ord("a") + k)
        lines.append(f"{cur}: &{cur} [{', '.join('*' + prev for _ in range(9))}]")
    p = tmp_path / "bomb.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match="Aliase"):
        load_questionnaire(p)


def test_yaml_no_stays_a_string(tmp_path):
    """YAML 1.1 would read an option code `no` as False; our loader keeps it a string."""
    from vielfalt.config._yaml import load_yaml

    p = tmp_path / "x.yaml"
    p.write_text("code: no\nflag: true\n", encoding="utf-8")
    assert load_yaml(p) == {"code": "no", "flag": True}


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_codebook_lists_every_item(q, tmp_path, suffix):
    """The codebook names every item and its columns."""
    out = write_codebook(q, tmp_path / f"codebook{suffix}")
    text = out.read_text(encoding="utf-8")
    for item_id in q.items:
        assert item_id in text
    assert "A05[total]" in text


def test_codebook_escapes_labels(tmp_path):
    """A label containing markup appears escaped in the HTML codebook."""
    p = _mutated(tmp_path, lambda d: _item(d, "A01")["label"].update({"de": "<script>x()</script> Name"}))
    out = write_codebook(load_questionnaire(p), tmp_path / "cb.html")
    text = out.read_text(encoding="utf-8")
    assert "<script>x()" not in text and "&lt;script&gt;x()" in text


def test_roles_are_checked_against_the_instrument(tmp_path):
    """A role naming an item the questionnaire does not have is refused with the role's key."""
    import yaml

    from vielfalt.config.questionnaire import load_questionnaire
    from vielfalt.exceptions import InstrumentError

    src = Path(__file__).parents[1] / "params/questionnaire/vg2010.yaml"
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    data["roles"]["organisation_name"] = "Z99"
    p = tmp_path / "vg2010.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InstrumentError, match="roles.organisation_name"):
        load_questionnaire(p)


def test_role_lookups_of_the_demo_instrument():
    """Contact columns, rated items and the rating scale come from roles and flags, not from code."""
    from vielfalt.config.questionnaire import load_questionnaire

    q = load_questionnaire(Path(__file__).parents[1] / "params/questionnaire/vg2010.yaml")
    contact = q.contact_columns()
    assert contact and all(c.startswith(q.roles.contact + "[") for c in contact)
    rated = q.rated_items()
    assert rated and {it.scoring.kind for it in rated} == {"rubric"}
    assert q.rated_section() is not None and q.rating_scale() is not None
    assert q.require_role("headcount") in q.columns()


def test_missing_required_role_names_the_key_to_add():
    """A questionnaire without a needed role loads, but asking for the role names the key and the fix."""
    from vielfalt.config.questionnaire import load_questionnaire
    from vielfalt.exceptions import InstrumentError

    q = load_questionnaire(Path(__file__).parents[1] / "params/questionnaire/vg2010.yaml")
    bare = q.model_copy(update={"roles": q.roles.model_copy(update={"headcount": None})})
    with pytest.raises(InstrumentError, match="roles:.*headcount"):
        bare.require_role("headcount")
