"""Synthetic returned rating sheets for a synthetic edition (re-exported by :mod:`vielfalt.demo.synth`).

The sheets are exactly those the intake hands out (same design, same layout), filled in as evaluators
would: a latent text quality per entry and criterion, a fixed severity per evaluator, rounding noise, an
empty text rated 0 — and one evaluator who leaves a few rows blank, so the demo shows a partial return.
Deterministic for the edition's seed; the demo's sheets are committed and regenerate byte-identically.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path

import numpy as np
from openpyxl import load_workbook

from vielfalt.config.edition import Edition
from vielfalt.config.questionnaire import Questionnaire
from vielfalt.outputs.spreadsheets import FIXED_TIME, normalise_zip

__all__ = ["SEVERITY", "write_returned_ratings"]

#: Simulated severity per evaluator position (points on the 0–4 scale; negative = stricter).
SEVERITY = (0.4, 0.0, -0.6, 0.2, -0.2, 0.1)
RATING_COLUMN = 7  # column G of the handed-out sheet
FIRST_ROW = 4  # two title lines and the heading above


def _unit_draw(key: str, seed: int) -> float:
    """A stable uniform draw for one key (independent of processing order)."""
    h = hashlib.sha256(f"{seed}\x1f{key}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


def write_returned_ratings(
    edition: Edition,
    q: Questionnaire,
    data_dir: str | Path,
    *,
    project_root: str | Path,
    seed: int | None = None,
    blank_rows: int = 3,
) -> list[Path]:
    """Write filled-in rating sheets into ``<data_dir>/ratings/`` for the edition's current inputs.

    Parameters
    ----------
    edition, q : Edition, Questionnaire
    data_dir : path
        The edition's data folder (the inputs are read from there through the real intake).
    project_root : path
        The project (for the edition's params).
    seed : int, optional
        Defaults to the edition's seed.
    blank_rows : int, default 3
        Rows the last evaluator leaves empty (a partial return).

    Returns
    -------
    list of Path
        The sheets written, one per evaluator.
    """
    from vielfalt.stages import intake_stage

    seed = edition.seed if seed is None else seed
    out_dir = Path(data_dir) / "ratings"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        result = intake_stage(project_root, edition.edition, tmp)
        accepted = result.report.accepted
        measures = accepted.filter(regex=r"^C\d\d\[(?!other)").sum(axis=1)
        spread = float(measures.max() - measures.min()) or 1.0
        raters = [e.id for e in edition.evaluators]
        for k, (rater, path) in enumerate(sorted(result.rating_sheets.items())):
            severity = SEVERITY[raters.index(rater) % len(SEVERITY)]
            wb = load_workbook(path)
            ws = wb.worksheets[0]  # the rating sheet, named in the edition's language
            rows = list(range(FIRST_ROW, ws.max_row + 1))
            blanks = set(rows[-blank_rows:]) if k == len(result.rating_sheets) - 1 else set()
            for r in rows:
                entry, item, text = ws.cell(r, 2).value, ws.cell(r, 3).value, ws.cell(r, 6).value
                if r in blanks or entry is None:
                    continue
                if not (text or "").strip():
                    value = 0
                else:
                    base = 0.8 + 2.4 * float(measures.get(entry, 0) - measures.min()) / spread
                    quality = base + 1.2 * (_unit_draw(f"{entry}/{item}", seed) - 0.5)
                    noise = 0.9 * (_unit_draw(f"{entry}/{item}/{rater}", seed) - 0.5)
                    value = int(np.clip(np.rint(quality + severity + noise), 0, 4))
                ws.cell(r, RATING_COLUMN).value = value
            wb.properties.created = FIXED_TIME
            wb.properties.modified = FIXED_TIME
            buf = io.BytesIO()
            wb.save(buf)
            target = out_dir / path.name
            target.write_bytes(normalise_zip(buf.getvalue()))
            written.append(target)
    return written
