"""Benchmark: scoring + the 1 000-draw uncertainty analysis for many synthetic entries (issue 4, issue 7 §3).

Reported as seconds and as a ratio to a plain numpy matrix product of the same shape (entries × sections
@ sections × draws), the floor of any method that computes every draw's totals. Run alone:
``.venv/bin/python benchmarks/bench_uncertainty.py 100000`` (prints one JSON line); the harness in
``benchmarks/run.py`` calls :func:`bench_uncertainty`, which runs the measurement in a child process so that
its peak memory is its own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"


def _accepted_entries(n: int):
    """Accepted synthetic entries of the demo edition's instrument, cached as Parquet under _work/."""
    from vielfalt.config.edition import InputFile
    from vielfalt.demo import synth
    from vielfalt.intake.validate import validate_files
    from vielfalt.runs.manifest import read_artefact, write_artefact
    from vielfalt.stages import load_context

    cache = WORK / f"accepted_{n}"
    if (cache / "artefacts" / "entries.parquet").exists():
        return read_artefact(cache, "entries")
    ed, q = load_context(ROOT, "demo2010")
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"limesurvey_{n}.csv"
    if not path.exists():
        synth.write_limesurvey_csv(path, q, ed.category_scheme, n=n, seed=ed.seed, year=ed.year)
    spec = InputFile(file=path.name, dialect="limesurvey", source="online")
    entries = validate_files(ed, q, [(spec, path)], max_bytes=2_000_000_000).accepted
    write_artefact(entries, cache, "entries")
    return entries


def measure(n: int, draws: int = 1000, sensitivity_n: int = 0) -> dict:
    """Time scoring and the uncertainty analysis in this process (entries prepared beforehand)."""
    import numpy as np

    from vielfalt.robustness import run_uncertainty
    from vielfalt.scoring.items import TOTAL
    from vielfalt.scoring.scores import score_entries
    from vielfalt.stages import load_context

    ed, q = load_context(ROOT, "demo2010")
    entries = _accepted_entries(n)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    scored = score_entries(entries, q, ed.scoring)
    t_score = time.perf_counter() - t0
    settings = ed.robustness.model_copy(update={"draws": draws, "sensitivity_n": sensitivity_n})
    t0 = time.perf_counter()
    res = run_uncertainty(
        entries,
        q,
        ed.scoring,
        settings,
        nominal_ranks=scored.ranks[TOTAL],
        capacity=ed.capacity,
        seed=ed.seed,
    )
    t_ua = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    a, b = rng.random((len(entries), 5)), rng.random((5, draws))
    t0 = time.perf_counter()
    _ = a @ b
    t_floor = time.perf_counter() - t0
    return {
        "entries": len(entries),
        "draws": draws,
        "combinations": res.combinations,
        "scoring_s": round(t_score, 3),
        "uncertainty_s": round(t_ua, 3),
        "matmul_floor_s": round(t_floor, 4),
        "ratio_to_matmul": round(t_ua / t_floor, 1),
        "peak_rss_mib_before": round(rss_before),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def bench_uncertainty(n: int, draws: int = 1000) -> dict:
    """Run :func:`measure` in a child process (entries prepared here first) and return its figures."""
    _accepted_entries(n)
    out = subprocess.run(
        [sys.executable, __file__, str(n), str(draws)], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    draws = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    print(json.dumps(measure(n, draws)))
