"""Tests of the edition model (vielfalt.config.edition): schemes, unknown keys, paths."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vielfalt.config.edition import CategoryScheme, load_edition, resolve_data_path
from vielfalt.exceptions import InstrumentError

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "params" / "editions" / "demo2010.yaml"

SCHEME_2012 = {
    "id": "koeln2012",
    "basis": "A05[total]",
    "public": {"item": "A04", "codes": ["OER", "OEU"], "category": "oeffentlich"},
    "bins": [
        {"code": "klein", "lt": 50},
        {"code": "mittel", "gte": 50, "lt": 250},
        {"code": "gross", "gte": 250},
    ],
}
SCHEME_2015 = {
    "id": "koeln2015",
    "basis": "A05[total]",
    "public": {"item": "A04", "codes": ["OER", "OEU"], "category": None},
    "bins": [
        {"code": "kleinst", "lt": 10},
        {"code": "klein", "gte": 10, "lt": 50},
        {"code": "mittel", "gte": 50, "lt": 250},
        {"code": "gross", "gte": 250},
    ],
}


def _write(tmp_path: Path, change, name: str = "demo2010") -> Path:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    change(data)
    p = tmp_path / "params" / "editions" / f"{name}.yaml"
    p.parent.mkdir(parents=True)
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def test_demo_edition_loads_with_its_questionnaire():
    """The shipped demo edition is valid and names four categories."""
    ed, q = load_edition(DEMO, with_questionnaire=True)
    assert ed.categories() == ["klein", "mittel", "gross", "oeffentlich"]
    assert q.meta.id == "vg2010"


@pytest.mark.parametrize(
    ("headcount", "expected"), [(1, "klein"), (49, "klein"), (50, "mittel"), (249, "mittel"), (250, "gross")]
)
def test_2012_scheme_half_open_bins(headcount, expected):
    """The 2012 Cologne scheme: bis 50 / 50 bis 250 / 250 und mehr, as half-open intervals."""
    assert CategoryScheme.model_validate(SCHEME_2012).bin_for(headcount) == expected


@pytest.mark.parametrize(
    ("headcount", "expected"), [(9, "kleinst"), (10, "klein"), (49, "klein"), (50, "mittel")]
)
def test_2015_scheme_four_size_classes(headcount, expected):
    """The 2015 Cologne scheme: <10, 10–49, 50–249, ≥250, public bodies sorted by size."""
    s = CategoryScheme.model_validate(SCHEME_2015)
    assert s.bin_for(headcount) == expected
    assert s.categories() == ["kleinst", "klein", "mittel", "gross"]


def test_gap_between_bins_is_refused():
    """Bins must be contiguous: a gap leaves some firms without a category."""
    bad = dict(SCHEME_2012, bins=[{"code": "klein", "lt": 50}, {"code": "gross", "gte": 60}])
    with pytest.raises(ValueError, match="lückenlos"):
        CategoryScheme.model_validate(bad)


def test_unknown_key_gets_did_you_mean(tmp_path):
    """A misspelt key in the edition file is an error with a suggestion (papermill would only warn)."""
    p = _write(tmp_path, lambda d: d.update({"lable_threshold": 70}))
    with pytest.raises(InstrumentError, match="„lable_threshold“.*Meinten Sie „label_threshold“"):
        load_edition(p)


def test_capacity_for_unknown_category(tmp_path):
    """A capacity for a category the scheme does not have is refused."""
    p = _write(tmp_path, lambda d: d["capacity"].update({"kleinst": 2}))
    with pytest.raises(InstrumentError, match="kleinst"):
        load_edition(p)


def test_file_name_must_match_edition(tmp_path):
    """The file name and the edition id agree, so `vielfalt run X` always means params/editions/X.yaml."""
    p = _write(tmp_path, lambda d: None, name="other")
    with pytest.raises(InstrumentError, match="übereinstimmen"):
        load_edition(p)


@pytest.mark.parametrize("name", ["../secret.csv", "/etc/passwd", "sub/../../x.csv"])
def test_input_paths_cannot_escape_data_folder(tmp_path, name):
    """Input file names with .. or absolute paths are refused at load time."""
    p = _write(tmp_path, lambda d: d["inputs"].append({"file": name, "source": "x"}))
    with pytest.raises(InstrumentError, match="Datenordner"):
        load_edition(p)


def test_resolve_data_path_refuses_symlink_escape(tmp_path):
    """Even a path that resolves outside data/<ed>/ (e.g. via a symlink) is refused."""
    ed = load_edition(DEMO)
    (tmp_path / "data" / "demo2010").mkdir(parents=True)
    (tmp_path / "data" / "demo2010" / "link.csv").symlink_to("/etc/hostname")
    with pytest.raises(InstrumentError, match="außerhalb"):
        resolve_data_path(tmp_path, ed, "link.csv")
