"""Tests of vielfalt.runs.manifest: hashes, deterministic artefacts and the run manifest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from vielfalt.exceptions import ConfigError, DataError
from vielfalt.runs.manifest import (
    MANIFEST_NAME,
    RunManifest,
    StageRecord,
    artefact_hashes,
    file_hashes,
    git_info,
    load_manifest,
    package_versions,
    read_artefact,
    read_json_artefact,
    sha256_bytes,
    sha256_file,
    utc_now,
    write_artefact,
    write_json_artefact,
    write_manifest,
    write_text_artefact,
)


def _table() -> pd.DataFrame:
    """A small table with the dtypes stages use: str index, float, int, category, datetime, str, NaN."""
    return pd.DataFrame(
        {
            "entry_id": ["e2", "e1", "e3"],
            "score": [1.5, np.nan, 3.25],
            "employees": np.array([12, 250, 7], dtype="int64"),
            "category": pd.Categorical(["klein", "groß", "klein"], categories=["klein", "mittel", "groß"]),
            "submitted": pd.to_datetime(["2010-03-01 10:00", "2010-03-02 11:30", "2010-03-05 09:15"]),
            "name": ["Bäckerei Ö", "Stadtwerke", "Kita e.V."],
        }
    ).set_index("entry_id")


def _manifest(**changes: object) -> RunManifest:
    """A minimal manifest for tests."""
    fields: dict[str, object] = {
        "edition": "demo2010",
        "run_id": "20261122T184512Z-3f2a",
        "stages_requested": ["intake"],
        "started_at": utc_now(),
    }
    fields.update(changes)
    return RunManifest(**fields)  # type: ignore[arg-type]


def test_sha256_of_bytes_and_file_agree(tmp_path: Path) -> None:
    """The hash of a file equals the hash of its bytes, and matches the known empty-string digest."""
    path = tmp_path / "x.bin"
    path.write_bytes(b"vielfalt" * 100_000)
    assert sha256_file(path) == sha256_bytes(b"vielfalt" * 100_000)
    assert sha256_bytes(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_sha256_of_missing_file_is_a_data_error(tmp_path: Path) -> None:
    """Hashing a missing file raises DataError naming the file."""
    with pytest.raises(DataError, match=r"fehlt\.csv"):
        sha256_file(tmp_path / "fehlt.csv")


def test_artefact_round_trip_restores_index_and_dtypes(tmp_path: Path) -> None:
    """A table read back equals the table written, index and dtypes included."""
    df = _table()
    path = write_artefact(df, tmp_path, "intake_accepted")
    assert path == tmp_path / "artefacts" / "intake_accepted.parquet"
    pd.testing.assert_frame_equal(read_artefact(tmp_path, "intake_accepted"), df)


def test_artefact_round_trip_keeps_a_range_index(tmp_path: Path) -> None:
    """A default RangeIndex comes back as a RangeIndex."""
    df = pd.DataFrame({"a": [1, 2, 3]})
    write_artefact(df, tmp_path, "scoring/totals")
    back = read_artefact(tmp_path, "scoring/totals")
    assert isinstance(back.index, pd.RangeIndex)
    pd.testing.assert_frame_equal(back, df)


def test_same_table_gives_identical_bytes(tmp_path: Path) -> None:
    """Writing the same table twice, or an equal copy, gives byte-identical files."""
    a = write_artefact(_table(), tmp_path / "a", "t")
    b = write_artefact(_table().copy(deep=True), tmp_path / "b", "t")
    assert a.read_bytes() == b.read_bytes()


def test_same_table_in_another_process_gives_identical_bytes(tmp_path: Path) -> None:
    """A fresh interpreter writes the same bytes (no timestamps, ids or memory addresses in the file)."""
    write_artefact(_table(), tmp_path / "here", "t")
    code = (
        "import sys; sys.path.insert(0, sys.argv[2]); from test_provenance import _table; "
        "from vielfalt.runs.manifest import write_artefact; write_artefact(_table(), sys.argv[1], 't')"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "there"), str(Path(__file__).parent)], check=True
    )
    assert artefact_hashes(tmp_path / "here") == artefact_hashes(tmp_path / "there")


def test_artefact_metadata_holds_nothing_run_dependent(tmp_path: Path) -> None:
    """The Parquet metadata names only library versions: df.attrs is dropped, no paths or times appear."""
    df = _table()
    df.attrs = {"run_dir": str(tmp_path), "written": utc_now()}
    path = write_artefact(df, tmp_path, "t")
    meta = pq.ParquetFile(path).metadata.metadata  # the file's key-value metadata, as stored
    assert set(meta) == {b"pandas", b"ARROW:schema"}
    pandas_meta = json.loads(meta[b"pandas"])
    assert pandas_meta["attributes"] == {}
    assert set(pandas_meta) == {
        "index_columns",
        "column_indexes",
        "columns",
        "attributes",
        "creator",
        "pandas_version",
    }
    assert str(tmp_path).encode() not in path.read_bytes()


def test_write_artefact_rejects_non_frames_and_bad_names(tmp_path: Path) -> None:
    """Only DataFrames are written, and names cannot escape the artefacts directory."""
    with pytest.raises(ConfigError, match=r"must be a pandas DataFrame\. Got list instead"):
        write_artefact([1, 2], tmp_path, "t")  # type: ignore[arg-type]
    for bad in ["../escape", ".hidden", "a//b", "a/../b", ""]:
        with pytest.raises(ConfigError, match="The 'name' parameter of an artefact"):
            write_artefact(pd.DataFrame({"a": [1]}), tmp_path, bad)


def test_unstorable_column_is_a_data_error(tmp_path: Path) -> None:
    """A column pyarrow cannot store raises DataError naming the artefact, and no file is left."""
    df = pd.DataFrame({"mixed": [1, "zwei", 3.0]}, dtype=object)
    with pytest.raises(DataError, match="'intake_bad' kann nicht als Parquet"):
        write_artefact(df, tmp_path, "intake_bad")
    assert not list((tmp_path / "artefacts").glob("*"))


def test_missing_artefact_names_the_file_and_the_stage(tmp_path: Path) -> None:
    """A missing artefact raises DataError naming its path and the stage that writes it."""
    write_manifest(_manifest(stages_requested=["site", "site_visits"]), tmp_path)
    with pytest.raises(DataError, match=r"site_visits_candidates\.parquet existiert nicht") as info:
        read_artefact(tmp_path, "site_visits_candidates")
    assert "von der Stufe 'site_visits' erzeugt" in str(info.value)
    assert info.value.path == str(tmp_path / "artefacts" / "site_visits_candidates.parquet")
    with pytest.raises(DataError, match="von der Stufe 'intake' erzeugt"):
        read_artefact(tmp_path, "intake/accepted")
    with pytest.raises(DataError, match="von der Stufe 'ratings' erzeugt"):
        read_artefact(tmp_path, "scores", produced_by="ratings")
    with pytest.raises(DataError, match="von einer früheren Stufe erzeugt"):
        read_artefact(tmp_path, "scores")


def test_json_and_text_artefacts_are_stable(tmp_path: Path) -> None:
    """JSON artefacts have sorted keys and indent 2; text artefacts are written byte for byte."""
    path = write_json_artefact({"b": 1, "a": ["ä", 2.5]}, tmp_path, "intake_summary")
    assert path.read_text(encoding="utf-8") == '{\n  "a": [\n    "ä",\n    2.5\n  ],\n  "b": 1\n}\n'
    assert read_json_artefact(tmp_path, "intake_summary") == {"a": ["ä", 2.5], "b": 1}
    text = write_text_artefact("Zeile 1\nZeile 2\n", tmp_path, "site_visits/plan.md")
    assert text.read_bytes() == b"Zeile 1\nZeile 2\n"
    with pytest.raises(ConfigError, match="must be plain JSON"):
        write_json_artefact({"x": float("nan")}, tmp_path, "bad")


def test_artefact_hashes_are_relative_and_sorted(tmp_path: Path) -> None:
    """artefact_hashes lists every artefact file relative to artefacts/, sorted, with its sha256."""
    write_artefact(pd.DataFrame({"a": [1]}), tmp_path, "z_last")
    write_artefact(pd.DataFrame({"a": [2]}), tmp_path, "scoring/totals")
    write_json_artefact({"k": 1}, tmp_path, "a_first")
    hashes = artefact_hashes(tmp_path)
    assert list(hashes) == ["a_first.json", "scoring/totals.parquet", "z_last.parquet"]
    assert hashes["z_last.parquet"] == sha256_file(tmp_path / "artefacts" / "z_last.parquet")
    assert artefact_hashes(tmp_path / "nowhere") == {}


def test_manifest_round_trip_is_atomic_sorted_and_indented(tmp_path: Path) -> None:
    """write_manifest writes sorted, indented JSON without leaving temporary files; load_manifest reads it."""
    manifest = _manifest(
        stages={
            "intake": StageRecord(
                name="intake",
                notebook="/p/notebooks/01_intake.py",
                notebook_sha256="0" * 64,
                output_notebook="01_intake.ipynb",
                parameters={"b": 1, "a": [1, 2]},
            )
        },
        extra={"zeta": 1, "alpha": {"y": 2, "x": 1}},
    )
    path = write_manifest(manifest, tmp_path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert [p.name for p in tmp_path.iterdir()] == [MANIFEST_NAME]
    assert load_manifest(tmp_path) == manifest
    write_manifest(manifest.model_copy(update={"status": "failed"}), tmp_path)
    assert load_manifest(tmp_path).status == "failed"


def test_load_manifest_errors_name_the_file(tmp_path: Path) -> None:
    """A missing or invalid manifest raises DataError naming manifest.json."""
    with pytest.raises(DataError, match=r"manifest\.json fehlt"):
        load_manifest(tmp_path)
    (tmp_path / MANIFEST_NAME).write_text('{"edition": "x"}', encoding="utf-8")
    with pytest.raises(DataError, match="kein gültiges Lauf-Manifest"):
        load_manifest(tmp_path)


def test_manifest_is_frozen_and_rejects_unknown_keys() -> None:
    """The manifest model cannot be changed in place and refuses unknown fields."""
    manifest = _manifest()
    with pytest.raises(ValueError, match="frozen"):
        manifest.status = "complete"  # type: ignore[misc]
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        _manifest(unknown_field=1)


def test_package_versions_cover_the_execution_and_scientific_stack() -> None:
    """Versions include python and every package of the execution and scientific stack."""
    versions = package_versions()
    for name in ["python", "vielfalt", "papermill", "nbclient", "nbconvert", "jupyter_client", "ipykernel",
                 "ipywidgets", "plotly", "pandas", "numpy", "scipy", "scikit-learn", "pyarrow", "openpyxl",
                 "jupytext", "voila"]:  # fmt: skip
        assert name in versions
    assert versions["pandas"] == pd.__version__
    assert package_versions(("surely-not-installed-xyz",))["surely-not-installed-xyz"] is None


def test_git_info_outside_and_inside_a_repository(tmp_path: Path) -> None:
    """Outside git the commit is None; inside, the commit is HEAD and untracked files make it dirty."""
    assert git_info(tmp_path) == git_info(tmp_path / "missing")
    assert git_info(tmp_path).commit is None
    env = ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "a.txt").write_text("a")
    subprocess.run(["git", "-C", str(tmp_path), "add", "a.txt"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), *env, "commit", "-q", "-m", "a"], check=True)
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True)
    clean = git_info(tmp_path)
    assert (clean.commit, clean.dirty) == (head.stdout.strip(), False)
    (tmp_path / "b.txt").write_text("b")
    assert git_info(tmp_path).dirty is True


def test_file_hashes_exclude(tmp_path: Path) -> None:
    """file_hashes walks subdirectories and leaves out excluded relative paths."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.txt").write_text("x")
    (tmp_path / MANIFEST_NAME).write_text("{}")
    assert list(file_hashes(tmp_path, exclude=(MANIFEST_NAME,))) == ["sub/x.txt"]
