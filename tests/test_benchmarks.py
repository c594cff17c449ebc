"""The benchmark harness (benchmarks/run.py) runs on tiny sizes and writes its table and figure."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _harness():
    """benchmarks/run.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_harness_writes_the_table_and_the_figure(tmp_path: Path) -> None:
    """`run.py --quick` on 25 entries writes results.md with intake and scoring rows and an offline figure."""
    out = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--sizes", "25", "--cases", "intake,scoring,jury",
         "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    md = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert md.startswith("# Benchmarks")
    assert "## 2. Intake" in md and "## 3. Scoring" in md and "## 4. Jury HTML" in md
    assert re.search(r"^\| 25 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ × \| 25 \|", md, re.M)  # intake row
    assert re.search(r"^\| 25 \| [\d.]+ \| [\d.]+ \| [\d.]+ × \| \d+ \|$", md, re.M)  # scoring row
    html = (tmp_path / "scaling.html").read_text(encoding="utf-8")
    assert "plotly-graph-div" in html and '"showSendToCloud": false' in html
    assert re.findall(r"<script[^>]*\ssrc=", html) == []  # plotly.js inlined, never a CDN
    assert len(html) > 1_000_000


def test_uncertainty_hook_waits_for_the_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """bench_uncertainty gives None (printed as 'not yet measured') while run_uncertainty does not exist."""
    import vielfalt.robustness

    monkeypatch.delattr(vielfalt.robustness, "run_uncertainty", raising=False)
    assert _harness().bench_uncertainty(10) is None


def test_jury_hook_waits_for_the_static_dashboard(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """bench_jury_html gives None without vielfalt.dashboard.static, even when a jury page exists."""
    (tmp_path / "jury_demo.html").write_text("<html></html>", encoding="utf-8")
    harness = _harness()
    real = importlib.util.find_spec
    monkeypatch.setattr(
        harness.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "vielfalt.dashboard.static" else real(name, *a),
    )
    assert harness.bench_jury_html(tmp_path) is None
    assert harness.NOT_MEASURED == "not yet measured"


def test_stage_breakdown_reads_the_run_records(tmp_path: Path) -> None:
    """The per-stage table comes from the manifest's durations and papermill's cell durations."""
    import json

    nb = {"cells": [
        {"cell_type": "code", "source": ["import pandas\n"], "metadata": {"papermill": {"duration": 1.5}}},
        {"cell_type": "code", "source": ["x = 1"], "metadata": {"papermill": {"duration": 0.25}}},
        {"cell_type": "markdown", "source": ["# t"], "metadata": {}},
    ]}  # fmt: skip
    (tmp_path / "01_intake.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    (tmp_path / "01_intake.html").write_bytes(b"x" * 2_000_000)
    manifest = {"stages": {"intake": {"duration_s": 3.0, "output_notebook": "01_intake.ipynb",
                                      "output_html": "01_intake.html",
                                      "kernel_prewarmed": True}}}  # fmt: skip
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (row,) = _harness().stage_breakdown(tmp_path)
    assert row == {
        "stage": "intake",
        "seconds": 3.0,
        "cells": 1.75,
        "imports": 1.5,
        "prewarmed": True,
        "html_mb": 2.0,
    }
