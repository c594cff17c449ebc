"""Benchmarks (``make bench``): every figure in seconds and as a ratio to a floor measured in the same run.

Cases (each measured in a child process of its own, so that its peak memory is its own):

1. **demo** — the whole demo edition, every stage that exists (``vielfalt run demo2010``), against the
   floor of papermill executing as many trivial notebooks that only import the stack (numpy, pandas,
   plotly) on the same kernel; per stage: wall time, time inside the cells, the import cells, the HTML size;
   and ``python -X importtime`` of the stage imports. Scaling: the same pipeline on synthetic editions of
   10² and 10³ entries (``vielfalt synth --entries N`` into a scratch project).
2. **intake** — read + validate + categories of N synthetic LimeSurvey entries against a bare
   ``pandas.read_csv`` of the same file (``dtype=str``), best of ``--repeat``.
3. **scoring** — :func:`vielfalt.scoring.score_entries` of N accepted entries (10⁶ by tiling 10⁵) against a
   numpy floor (numeric columns min-max normalised, averaged, ranked within category);
   **uncertainty** — :func:`bench_uncertainty`, 1 000 draws (``benchmarks/bench_uncertainty.py``).
4. **jury HTML** — :func:`bench_jury_html`, measured once ``vielfalt.dashboard.static`` exists.

Results are printed, written to ``benchmarks/results.md`` and drawn as ``benchmarks/scaling.html`` (plotly,
plotly.js inlined, no CDN). ``--quick`` is a smoke run (small sizes, one repeat, no scaling editions).
Run ``python benchmarks/run.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"
BENCH_DIR = Path(__file__).resolve().parent

FULL_SIZES = (100, 1_000, 10_000, 100_000)
QUICK_SIZES = (100, 1_000)
SCORING_EXTRA = 1_000_000  # scored without uncertainty (full run only)
EDITION_SIZES = (100, 1_000, 10_000)  # whole-pipeline scaling (full run only; `synth` stops at 10⁴)
CASES = ("demo", "intake", "scoring", "uncertainty", "jury")
NOT_MEASURED = "not yet measured"

# the floor notebook imports what every stage notebook needs at least: the stack, not vielfalt
FLOOR_IMPORTS = "import numpy, pandas, plotly.graph_objects, plotly.io"
STAGE_IMPORTS = {
    "stack (floor)": FLOOR_IMPORTS,
    "setup cell": "from vielfalt.runs.runner import configure_notebook_display; configure_notebook_display()",
    "vielfalt.stages": "import vielfalt.stages",
    "vielfalt.dashboard.figures": "import vielfalt.dashboard.figures",
}


# ------------------------------------------------------------------------------------------ helpers


def _peak_mib() -> float:
    """Peak RSS of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_mib() -> float:
    """Peak RSS of the largest waited-for descendant (runner, kernels) in MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _run_child(case: str, *args: Any, timeout: float = 1800) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its JSON line."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", case, *map(str, args)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=timeout, check=False)
    if out.returncode != 0:
        tail = (out.stderr or out.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"benchmark child {case} {args} failed: " + " / ".join(tail))
    return json.loads(out.stdout.strip().splitlines()[-1])


def _context():
    from vielfalt.stages import load_context

    return load_context(ROOT, "demo2010")


def _synth_file(n: int) -> Path:
    """The synthetic LimeSurvey export of n entries (cached in benchmarks/_work)."""
    from vielfalt.demo import synth

    path = WORK / f"limesurvey_{n}.csv"
    if not path.exists():
        ed, q = _context()
        WORK.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        synth.write_limesurvey_csv(tmp, q, ed.category_scheme, n=n, seed=ed.seed, year=ed.year)
        os.replace(tmp, path)
    return path


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


# ---------------------------------------------------------------------------------- child measurements


def child_read_csv(n: int, repeat: int) -> dict[str, Any]:
    """Floor of the intake: a bare pandas.read_csv of the same file, every cell a string."""
    import pandas as pd

    path = _synth_file(n)
    seconds, df = _best(
        lambda: pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig"), repeat
    )
    return {"seconds": seconds, "rows": len(df), "mb": path.stat().st_size / 1e6, "peak_mib": _peak_mib()}


def child_intake(n: int, repeat: int) -> dict[str, Any]:
    """Read, validate and categorise n entries (vielfalt.intake.validate.validate_files)."""
    from vielfalt.config.edition import InputFile
    from vielfalt.intake.validate import validate_files

    ed, q = _context()
    path = _synth_file(n)
    spec = InputFile(file=path.name, dialect="limesurvey", source="online")
    seconds, report = _best(lambda: validate_files(ed, q, [(spec, path)], max_bytes=2_000_000_000), repeat)
    return {
        "seconds": seconds,
        "accepted": report.n_accepted,
        "quarantined": report.n_quarantined,
        "peak_mib": _peak_mib(),
    }


def _entries(n: int):
    """Accepted entries of n synthetic responses; 10⁶ as ten relabelled copies of 10⁵."""
    sys.path.insert(0, str(BENCH_DIR))
    import pandas as pd
    from bench_uncertainty import _accepted_entries

    if n <= 100_000:
        return _accepted_entries(n)
    base = _accepted_entries(100_000)
    copies = -(-n // len(base))
    return pd.concat([base.set_axis(base.index + f"-{i}") for i in range(copies)]).iloc[:n]


def child_scoring(n: int, repeat: int) -> dict[str, Any]:
    """Score n accepted entries with the demo edition's settings, no uncertainty."""
    from vielfalt.scoring.scores import score_entries

    ed, q = _context()
    entries = _entries(n)
    before = _peak_mib()
    seconds, _ = _best(lambda: score_entries(entries, q, ed.scoring), repeat)
    return {"seconds": seconds, "entries": len(entries), "peak_mib": _peak_mib(), "peak_mib_before": before}


def scoring_floor(entries: Any) -> Any:
    """The least any scoring must do: numeric answers min-max normalised, averaged, ranked per category."""
    import warnings

    import numpy as np

    x = entries.select_dtypes(include=["number", "bool"]).to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns or rows
        lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
        total = np.nanmean((x - lo) / np.where(hi > lo, hi - lo, 1.0), axis=1)
    return entries.assign(_total=total).groupby("category")["_total"].rank(ascending=False, method="min")


def child_scoring_floor(n: int, repeat: int) -> dict[str, Any]:
    """The numpy floor of scoring on the same entries."""
    entries = _entries(n)
    seconds, _ = _best(lambda: scoring_floor(entries), repeat)
    return {"seconds": seconds, "entries": len(entries), "peak_mib": _peak_mib()}


def child_papermill_floor(count: int, repeat: int) -> dict[str, Any]:
    """`count` trivial notebooks (a parameters cell, the stack's imports) run by papermill, one by one."""
    import nbformat
    import papermill
    from nbformat.v4 import new_code_cell, new_notebook

    with tempfile.TemporaryDirectory(prefix="vielfalt-floor-") as tmp:
        src = Path(tmp) / "floor.ipynb"
        nb = new_notebook(
            cells=[
                new_code_cell('run_dir = ""', metadata={"tags": ["parameters"]}),
                new_code_cell(FLOOR_IMPORTS),
            ]
        )
        nb.metadata["kernelspec"] = {"name": "vielfalt", "display_name": "vielfalt", "language": "python"}
        nbformat.write(nb, src)

        def run_all() -> None:
            for i in range(count):
                papermill.execute_notebook(
                    str(src), str(Path(tmp) / f"out{i}.ipynb"), parameters={"run_dir": tmp},
                    kernel_name="vielfalt", cwd=tmp, progress_bar=False, log_output=False,
                )  # fmt: skip

        seconds, _ = _best(run_all, repeat)
    return {"seconds": seconds, "notebooks": count, "peak_mib": max(_peak_mib(), _children_peak_mib())}


def child_importtime(statement: str) -> dict[str, Any]:
    """Seconds to run ``statement`` in a fresh interpreter, and its five heaviest imports (-X importtime)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    rows = []
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m[2]), len(m[3]), m[4]))
    total = sum(c for c, depth, _ in rows if depth == 1)
    top = sorted((r for r in rows if r[1] <= 3), reverse=True)[:5]
    return {"seconds": total / 1e6, "heaviest": [[name, c / 1e6] for c, _, name in top]}


def _run_project(project: Path, *, timeout: float = 1800) -> dict[str, Any]:
    """Run every stage of demo2010 in `project` with the CLI; wall time, children's peak RSS, the run dir."""
    exe = Path(sys.executable).with_name("vielfalt")
    t0 = time.perf_counter()
    out = subprocess.run(
        [str(exe), "--project", str(project), "run", "demo2010"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    seconds = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"vielfalt run failed: {(out.stderr or out.stdout).strip()[-500:]}")
    m = re.search(r"Lauf abgeschlossen: (\S+)", out.stdout)
    run_dir = project / m[1] if m else None
    return {"seconds": seconds, "run_dir": str(run_dir), "peak_mib": _children_peak_mib()}


def child_demo(project: str) -> dict[str, Any]:
    """The whole demo edition through the CLI, with a breakdown per stage from the run's own records."""
    res = _run_project(Path(project))
    res["stages"] = stage_breakdown(Path(res["run_dir"]))
    return res


def stage_breakdown(run_dir: Path) -> list[dict[str, Any]]:
    """Per stage: duration (manifest), time in cells and in the import cells (papermill metadata), HTML MB."""
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    rows = []
    for name in manifest.get("stages_requested") or list(manifest["stages"]):  # in run order
        st = manifest["stages"][name]
        nb = json.loads((run_dir / st["output_notebook"]).read_text(encoding="utf-8"))
        cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
        durations = [
            float((c.get("metadata", {}).get("papermill", {}) or {}).get("duration") or 0) for c in cells
        ]
        imports = sum(
            d for c, d in zip(cells, durations, strict=True)
            if re.search(r"^\s*(from|import)\s", "".join(c["source"]), re.M)
        )  # fmt: skip
        html = run_dir / (st.get("output_html") or "")
        rows.append({
            "stage": name, "seconds": st.get("duration_s") or 0.0, "cells": sum(durations),
            "imports": imports, "prewarmed": bool(st.get("kernel_prewarmed")),
            "html_mb": html.stat().st_size / 1e6 if html.is_file() else 0.0,
        })  # fmt: skip
    return rows


def _scratch_project(n: int) -> Path:
    """A copy of params/ and notebooks/ with a synthetic demo2010 edition of n entries (inputs + ratings)."""
    project = WORK / f"project_{n}"
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    for d in ("params", "notebooks"):
        shutil.copytree(ROOT / d, project / d, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    exe = Path(sys.executable).with_name("vielfalt")
    subprocess.run(
        [str(exe), "--project", str(project), "synth", "--entries", str(n)], check=True, capture_output=True
    )
    return project


def child_edition(n: int) -> dict[str, Any]:
    """The whole pipeline on a synthetic edition of n entries in a scratch project."""
    project = _scratch_project(n)
    try:
        res = _run_project(project)
        res["stages"] = stage_breakdown(Path(res["run_dir"]))
        res["jury"] = bench_jury_html(Path(res["run_dir"]))
    finally:
        shutil.rmtree(project, ignore_errors=True)
    return res


CHILDREN = {
    "read_csv": child_read_csv,
    "intake": child_intake,
    "scoring": child_scoring,
    "scoring_floor": child_scoring_floor,
    "papermill_floor": child_papermill_floor,
}


# ------------------------------------------------------------------------------------------ hooks


def bench_uncertainty(n: int) -> dict[str, Any] | None:
    """Scoring + the 1 000-draw uncertainty analysis of n entries, or None until the analysis exists.

    Measured only when :func:`vielfalt.robustness.run_uncertainty` is importable; the measurement itself
    lives in ``benchmarks/bench_uncertainty.py`` (a child process: its peak memory is its own).
    """
    import vielfalt.robustness as robustness

    if not hasattr(robustness, "run_uncertainty"):
        return None
    sys.path.insert(0, str(BENCH_DIR))
    from bench_uncertainty import bench_uncertainty as measure

    return measure(n)


def bench_jury_html(run_dir: Path | None) -> dict[str, Any] | None:
    """Size and first full render of the jury's HTML; None until ``vielfalt.dashboard.static`` exists.

    The page is looked for in the demo run (``*jury*.html``); the render time is measured in headless Debian
    chromium (never a downloaded browser): until every plotly figure has drawn its SVG.
    """
    if importlib.util.find_spec("vielfalt.dashboard.static") is None or run_dir is None:
        return None
    # the jury's page lives below the run (jury/…); 06_jury.html beside it is the notebook's report
    pages = sorted(
        p for p in Path(run_dir).rglob("*.html") if "jury" in p.name.lower() and p.parent != run_dir
    )
    if not pages:
        return None
    page = pages[0]
    return {"file": page.name, "mb": page.stat().st_size / 1e6, "render_s": render_seconds(page)}


def render_seconds(page: Path) -> float | None:
    """Seconds until every ``.js-plotly-plot`` of a local page has its ``.main-svg`` in headless chromium."""
    chromium = shutil.which("chromium")
    if chromium is None or importlib.util.find_spec("playwright") is None:
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            tab = browser.new_page()
            t0 = time.perf_counter()
            tab.goto(page.resolve().as_uri(), wait_until="load")
            tab.wait_for_function(
                "[...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'))",
                timeout=120_000,
            )
            return time.perf_counter() - t0
        finally:
            browser.close()


# ------------------------------------------------------------------------------------------ the run


def _ratio(t: float | None, floor: float | None) -> str:
    if t is None or not floor:
        return "—"
    return f"{t / floor:.2f} ×"


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


class Bench:
    """Collects the measurements of one run and renders them."""

    def __init__(self, *, sizes: Sequence[int], repeat: int, quick: bool, cases: Sequence[str]) -> None:
        self.sizes, self.repeat, self.quick, self.cases = list(sizes), repeat, quick, list(cases)
        self.sections: list[str] = []
        self.curves: dict[str, dict[int, float]] = {}
        self.demo_run: Path | None = None
        self.edition_jury: dict[int, dict[str, Any] | None] = {}

    def log(self, text: str) -> None:
        print(text, flush=True)

    def section(self, title: str, lines: list[str]) -> None:
        block = "\n".join([f"## {title}", "", *lines, ""])
        self.sections.append(block)
        self.log(block)

    # (1) whole demo edition
    def demo(self) -> None:
        res = _run_child_demo()
        self.demo_run = Path(res["run_dir"])
        n_stages = len(res["stages"])
        floor = _run_child("papermill_floor", n_stages, 1)
        lines = [
            f"`vielfalt run demo2010`, {n_stages} stages: **{res['seconds']:.1f} s** against papermill "
            f"running {n_stages} trivial notebooks (`{FLOOR_IMPORTS}`): {floor['seconds']:.1f} s — "
            f"**{_ratio(res['seconds'], floor['seconds'])}** "
            f"(target ≤ 1.5 ×: {_verdict(res['seconds'] <= 1.5 * floor['seconds'])}). "
            f"Peak RSS of the largest process (runner or kernel): {res['peak_mib']:.0f} MiB.",
            "",
            "| stage | s | in cells s | cells with imports s | outside cells s | pre-started | HTML MB |",
            "|---|---:|---:|---:|---:|---|---:|",
        ]
        for st in res["stages"]:
            lines.append(
                f"| {st['stage']} | {st['seconds']:.1f} | {st['cells']:.1f} | {st['imports']:.1f} | "
                f"{st['seconds'] - st['cells']:.1f} | {'yes' if st['prewarmed'] else 'no'} | "
                f"{st['html_mb']:.1f} |"
            )
        cells = sum(s["cells"] - s["imports"] for s in res["stages"])
        lines += [
            "",
            f"Cells without imports: {cells:.1f} s of {res['seconds']:.1f} s. Each stage runs in a kernel "
            "of its own, started two stages ahead with the imports its notebook names already loaded (the "
            'first one as the command starts), so "outside cells" is mostly waiting for that kernel, '
            "papermill's notebook saves and the HTML export (plotly.js is embedded once per report, "
            "~4.8 MB); the floor starts every kernel and imports the stack while nothing else runs. Runner "
            "start-up and publishing the run are in the total only.",
            "",
            "Imports in a fresh interpreter (`python -X importtime`, cumulative):",
            "",
            "| statement | s | heaviest imports |",
            "|---|---:|---|",
        ]
        for label, statement in STAGE_IMPORTS.items():
            imp = child_importtime(statement)
            heavy = ", ".join(f"{name} {s:.2f}" for name, s in imp["heaviest"][:4])
            lines.append(f"| {label} | {imp['seconds']:.2f} | {heavy} |")
        self.curves.setdefault("whole edition (s)", {})[24] = res["seconds"]
        self.curves.setdefault("papermill floor (s)", {})[24] = floor["seconds"]
        if not self.quick:
            lines += [
                "",
                "Whole pipeline on synthetic editions (scratch project, `vielfalt synth --entries N`):",
                "",
            ]
            lines += ["| entries | s | per stage (s) | peak MiB |", "|---:|---:|---|---:|"]
            for n in EDITION_SIZES:
                ed = _run_child_edition(n)
                per = ", ".join(f"{s['stage']} {s['seconds']:.1f}" for s in ed["stages"])
                lines.append(f"| {n} | {ed['seconds']:.1f} | {per} | {ed['peak_mib']:.0f} |")
                self.curves["whole edition (s)"][n] = ed["seconds"]
                self.edition_jury[n] = ed.get("jury")
        self.section("1. Whole demo edition", lines)

    # (2) intake
    def intake(self) -> None:
        lines = [
            f"Best of {self.repeat}; floor = `pandas.read_csv(path, sep=';', dtype=str, "
            "keep_default_na=False)` of the same file, in a child process of its own (target ≤ 2 × at 10⁵).",
            "",
            "| entries | file MB | read_csv s | intake s | ratio | accepted | peak MiB intake / read_csv |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for n in self.sizes:
            _synth_file(n)
            floor = _run_child("read_csv", n, self.repeat)
            t = _run_child("intake", n, self.repeat)
            lines.append(
                f"| {n} | {floor['mb']:.1f} | {floor['seconds']:.2f} | {t['seconds']:.2f} | "
                f"{_ratio(t['seconds'], floor['seconds'])} | {t['accepted']} | "
                f"{t['peak_mib']:.0f} / {floor['peak_mib']:.0f} |"
            )
            self.curves.setdefault("intake (s)", {})[n] = t["seconds"]
            self.curves.setdefault("read_csv floor (s)", {})[n] = floor["seconds"]
        self.section("2. Intake", lines)

    # (3) scoring and uncertainty
    def scoring(self) -> None:
        sizes = [*self.sizes, *([] if self.quick else [SCORING_EXTRA])]
        lines = [
            f"`score_entries` without uncertainty, best of {self.repeat}; floor = numeric answers min-max "
            "normalised, averaged and ranked within category with numpy/pandas (`scoring_floor`).",
            "",
            "| entries | floor s | scoring s | ratio | peak MiB |",
            "|---:|---:|---:|---:|---:|",
        ]
        for n in sizes:
            floor = _run_child("scoring_floor", n, self.repeat)
            t = _run_child("scoring", n, self.repeat)
            lines.append(
                f"| {n} | {floor['seconds']:.3f} | {t['seconds']:.2f} | "
                f"{_ratio(t['seconds'], floor['seconds'])} | {t['peak_mib']:.0f} |"
            )
            self.curves.setdefault("scoring (s)", {})[n] = t["seconds"]
        self.section("3. Scoring", lines)

    def uncertainty(self) -> None:
        sizes = self.sizes
        lines = []
        rows = []
        for n in sizes:
            res = bench_uncertainty(n)
            if res is None:
                lines.append(
                    f"Scoring + 1 000-draw uncertainty: {NOT_MEASURED} "
                    "(no `vielfalt.robustness.run_uncertainty`)."
                )
                break
            rows.append(
                f"| {res['entries']} | {res['draws']} | {res['scoring_s']:.2f} | "
                f"{res['uncertainty_s']:.1f} | {res['matmul_floor_s']:.4f} | "
                f"{res['ratio_to_matmul']:.0f} × | {res['peak_rss_mib']} |"
            )
            self.curves.setdefault("uncertainty, 1000 draws (s)", {})[n] = res["uncertainty_s"]
        if rows:
            lines = [
                "`benchmarks/bench_uncertainty.py` (target at 10⁵: ≤ 60 s, peak RSS ≤ 4 GiB); floor = the "
                "matrix product entries × sections @ sections × draws.",
                "",
                "| entries | draws | scoring s | uncertainty s | matmul floor s | ratio | peak MiB |",
                "|---:|---:|---:|---:|---:|---:|---:|",
                *rows,
            ]
        self.section("3b. Scoring + uncertainty", lines)

    # (4) jury HTML
    def jury(self) -> None:
        pages = {"demo (24 rows)": bench_jury_html(self.demo_run)}
        pages.update({f"{n} entries": res for n, res in self.edition_jury.items()})
        if all(res is None for res in pages.values()):
            why = "no `vielfalt.dashboard.static`, or no jury page in the runs"
            self.section("4. Jury HTML", [f"Jury HTML: {NOT_MEASURED} ({why})."])
            return
        lines = [
            "The jury's self-contained page (`jury/*.html`): size and time from navigation to every plotly "
            "figure drawn (`.main-svg`) in headless Debian chromium.",
            "",
            "| edition | file | MB | first full render s |",
            "|---|---|---:|---:|",
        ]
        for label, res in pages.items():
            if res is None:
                lines.append(f"| {label} | {NOT_MEASURED} | — | — |")
            else:
                lines.append(f"| {label} | {res['file']} | {res['mb']:.1f} | {_fmt(res['render_s'])} |")
        self.section("4. Jury HTML", lines)

    def write(self, out_dir: Path, started: float, load: tuple[float, float, float]) -> Path:
        out_dir.mkdir(parents=True, exist_ok=True)
        head = [
            "# Benchmarks",
            "",
            f"`python benchmarks/run.py{' --quick' if self.quick else ''}` on {platform.node()} "
            f"({os.cpu_count()} cores, Python {platform.python_version()}), "
            f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; whole run "
            f"{time.perf_counter() - started:.0f} s; load average at start {load[0]:.1f}. "
            "The machine is shared: figures vary by ±30 % between runs; every ratio is against a floor "
            "measured in the same run.",
            "",
        ]
        md = out_dir / "results.md"
        md.write_text("\n".join(head + self.sections + self._scaling_table()), encoding="utf-8")
        self._figure(out_dir / "scaling.html")
        return md

    def _scaling_table(self) -> list[str]:
        """The figure's curves as a table (the figure itself is git-ignored: plotly.js makes it 4.8 MB)."""
        sizes = sorted({n for points in self.curves.values() for n in points})
        if not sizes:
            return []
        lines = [
            "## 5. Scaling",
            "",
            "Seconds against entries, the curves drawn (log–log) in `benchmarks/scaling.html` "
            "(self-contained, offline; not committed). The whole edition at 24 entries is the demo. A whole "
            "edition of 10⁵ entries is not run: `vielfalt synth` writes whole editions up to 10⁴ (10⁵ would "
            "mean 10⁵ feedback letters and a jury page of several hundred MB, and more than the 15 minutes "
            "this run may take).",
            "",
            "| series | " + " | ".join(f"{n}" for n in sizes) + " |",
            "|---|" + "---:|" * len(sizes),
        ]
        for name, points in self.curves.items():
            lines.append(f"| {name} | " + " | ".join(_fmt(points.get(n)) for n in sizes) + " |")
        return [*lines, ""]

    def _figure(self, path: Path) -> None:
        import plotly.graph_objects as go

        fig = go.Figure()
        for name, points in self.curves.items():
            if len(points) < 1:
                continue
            xs = sorted(points)
            fig.add_trace(go.Scatter(x=xs, y=[points[x] for x in xs], mode="lines+markers", name=name))
        fig.update_layout(
            title="vielfalt: seconds against entries (log–log)",
            xaxis={"type": "log", "title": "entries"},
            yaxis={"type": "log", "title": "seconds"},
            template="plotly_white",
        )
        fig.write_html(path, include_plotlyjs=True, full_html=True, config={"showSendToCloud": False})


def _run_child_demo() -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", "demo", str(ROOT)],
        capture_output=True, text=True, cwd=ROOT, check=True, timeout=1800,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _run_child_edition(n: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", "edition", str(n)],
        capture_output=True, text=True, cwd=ROOT, check=True, timeout=1800,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks (or, with --child, one measurement) and write the results."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--quick", action="store_true", help="smoke run: sizes 10² and 10³, one repeat, no scaling"
    )
    p.add_argument(
        "--sizes", default=None, help="comma-separated entry counts (default 10²…10⁵; quick 10², 10³)"
    )
    p.add_argument("--repeat", type=int, default=None, help="best of this many (default 2; quick 1)")
    p.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of {','.join(CASES)}")
    p.add_argument("--out", type=Path, default=BENCH_DIR, help="folder for results.md and scaling.html")
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.child:
        case, *rest = args.child
        if case == "demo":
            res = child_demo(rest[0])
        elif case == "edition":
            res = child_edition(int(rest[0]))
        else:
            res = CHILDREN[case](*map(int, rest))
        print(json.dumps(res))
        return 0

    started = time.perf_counter()
    load = os.getloadavg()
    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else list(QUICK_SIZES if args.quick else FULL_SIZES)
    )
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        p.error(f"unknown case(s) {unknown}; choose from {','.join(CASES)}")
    bench = Bench(sizes=sizes, repeat=args.repeat or (1 if args.quick else 2), quick=args.quick, cases=cases)
    for case in CASES:  # always in this order: the jury hook looks into the demo run
        if case in cases:
            getattr(bench, case)()
    md = bench.write(args.out, started, load)
    print(f"Ergebnisse: {md} und {md.with_name('scaling.html')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
