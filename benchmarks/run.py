"""Benchmarks (`make bench`): each figure as a ratio to a floor measured in the same run.

So far: intake (read + validate + categories) of synthetic LimeSurvey exports against a bare
``pandas.read_csv`` of the same file. Results are printed and written to ``benchmarks/results.md``.
Issue 7 extends this (whole demo vs papermill floor, scoring + uncertainty, jury HTML).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import pandas as pd

from vielfalt import synth
from vielfalt.edition import InputFile
from vielfalt.stages import load_context
from vielfalt.validate import validate_files

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"


def _best_of(fn, repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(sizes: list[int]) -> int:
    ed, q = load_context(ROOT, "demo2010")
    WORK.mkdir(parents=True, exist_ok=True)
    rows = ["| entries | file MB | read_csv s | intake s | ratio | accepted |", "|---:|---:|---:|---:|---:|---:|"]
    for n in sizes:
        path = WORK / f"limesurvey_{n}.csv"
        if not path.exists():
            synth.write_limesurvey_csv(path, q, ed.category_scheme, n=n, seed=ed.seed, year=ed.year)
        spec = InputFile(file=path.name, dialect="limesurvey", source="online")
        floor = _best_of(lambda p=path: pd.read_csv(p, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig"))
        report = None

        def intake(p=path, s=spec):
            nonlocal report
            report = validate_files(ed, q, [(s, p)], max_bytes=2_000_000_000)

        t = _best_of(intake)
        rows.append(f"| {n} | {path.stat().st_size / 1e6:.1f} | {floor:.2f} | {t:.2f} | {t / floor:.1f} × | "
                    f"{report.n_accepted} |")
        print(rows[-1], flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = "# Benchmarks\n\nIntake vs bare `pandas.read_csv` (best of 2, same run):\n\n" + "\n".join(rows)
    text += f"\n\nPeak RSS of the benchmark process: {peak:.0f} MiB.\n"
    (ROOT / "benchmarks" / "results.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [100, 1_000, 10_000]))
