"""Synthetic site-visit results and jury votes for a synthetic edition (the demo runs through close).

The visit list is computed in-process by the real stage functions (intake → site_visits) in a temporary run
directory; then, for each entry on the list, the evaluators check two to four of its claimed measures
(mostly confirmed, some partly, a few not), give a visit rating and a short note, and say whether flagged
legal duties were clarified. One row concerns an entry that was not on the list, so the demo shows that such
a row is reported and not used. The jury then votes on the shortlist (visited or recommended entries): the
probability of a yes rises with the final score; one member votes on an entry they declared a conflict with
(ignored and reported), and a few abstain. Deterministic for the edition's seed; the demo's files are
committed and regenerate byte-identically.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from vielfalt.columns import CATEGORY, ENTRY_ID
from vielfalt.config.edition import Edition
from vielfalt.config.questionnaire import Questionnaire
from vielfalt.jury import SITE_VISIT_HEADINGS, VOTE_HEADINGS
from vielfalt.outputs.spreadsheets import write_csv

__all__ = ["write_jury_inputs"]

_RESULT_DE = {"confirmed": "bestätigt", "partly": "teilweise", "refuted": "nicht bestätigt"}
_VOTE_DE = {"yes": "ja", "no": "nein", "abstain": "Enthaltung"}
_NOTES = (
    "Gespräch mit Geschäftsführung und Personalverantwortlichen; Unterlagen eingesehen.",
    "Rundgang durch den Betrieb; Beschäftigte berichten offen über die Maßnahmen.",
    "Maßnahmen gut dokumentiert, Zuständigkeit klar geregelt.",
    "Vieles informell, aber glaubwürdig gelebt; schriftliche Regelungen fehlen teilweise.",
    "Angaben zum Teil älter; aktuelle Umsetzung nur mündlich belegt.",
)
LEGAL_SECTIONS = ("C",)


def _u(key: str, seed: int) -> float:
    """A stable uniform draw for one key (independent of processing order)."""
    h = hashlib.sha256(f"{seed}\x1fjury\x1f{key}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


def _stages_in_tmp(project_root: Path, edition: str, tmp: Path) -> None:
    from vielfalt import stages

    with contextlib.redirect_stderr(io.StringIO()):
        stages.intake_stage(project_root, edition, tmp)
        stages.ratings_stage(project_root, edition, tmp)
        stages.scoring_stage(project_root, edition, tmp)
        stages.robustness_stage(project_root, edition, tmp)
        stages.site_visits_stage(project_root, edition, tmp)


def _visit_rows(
    candidates: pd.DataFrame, entries: pd.DataFrame, flags: pd.DataFrame, ed: Edition, seed: int
) -> list[dict[str, str]]:
    rows = []
    evaluators = [e.id for e in ed.evaluators] or ["G1"]
    chosen = candidates[candidates["selected"].astype(bool)].sort_values([CATEGORY, "priority"])
    gap_cols = [c for c in flags.columns if str(c).startswith("legal_gap") or c == "sgb9_quota"]
    for k, (e, cand) in enumerate(chosen.iterrows()):
        claimed = [
            c
            for c in entries.columns
            if c.startswith(("C0", "C1", "E02"))
            and "[" in c
            and "other" not in c
            and entries[c].dtype == bool
        ]
        claimed = sorted(c for c in claimed if bool(entries.at[e, c]))
        n = min(len(claimed), 2 + int(_u(f"{e}/n", seed) * 3))
        picked = sorted(claimed, key=lambda c: _u(f"{e}/{c}", seed))[:n]
        visitors = f"{evaluators[k % len(evaluators)]}, {evaluators[(k + 1) % len(evaluators)]}"
        quality = float(cand["total"]) / 100
        for j, c in enumerate(picked):
            u = _u(f"{e}/{c}/result", seed)
            result = "confirmed" if u < 0.55 + 0.3 * quality else ("partly" if u < 0.9 else "refuted")
            first = j == 0
            rating = int(np.clip(np.rint(4 * quality + 1.2 * (_u(f"{e}/rating", seed) - 0.5)), 0, 4))
            has_gap = bool(flags.loc[e, gap_cols].any()) if gap_cols and e in flags.index else False
            legal = ""
            if first and has_gap:
                legal = "ja" if _u(f"{e}/legal", seed) < 0.5 else "nein"
            rows.append(
                {
                    ENTRY_ID: str(e),
                    "measure": c,
                    "result": _RESULT_DE[result],
                    "rating": str(rating) if first else "",
                    "note": _NOTES[int(_u(f"{e}/note", seed) * len(_NOTES))] if first else "",
                    "visitor": visitors,
                    "legal_resolved": legal,
                }
            )
        if not picked:
            rows.append(
                {
                    ENTRY_ID: str(e),
                    "measure": "C",
                    "result": _RESULT_DE["partly"],
                    "rating": "2",
                    "note": _NOTES[3],
                    "visitor": visitors,
                    "legal_resolved": "",
                }
            )
    # one result for an entry that was not on the visit list: the jury stage reports it and does not use it
    outside = candidates[~candidates["selected"].astype(bool)].sort_values(["total"], ascending=False)
    if len(outside):
        e = str(outside.index[0])
        rows.append(
            {
                ENTRY_ID: e,
                "measure": "C",
                "result": _RESULT_DE["confirmed"],
                "rating": "3",
                "note": "Zusätzlicher Besuch auf Wunsch des Betriebs (nicht auf der Besuchsliste).",
                "visitor": evaluators[0],
                "legal_resolved": "",
            }
        )
    return rows


def _votes(
    final: pd.DataFrame, candidates: pd.DataFrame, ed: Edition, conflicts: dict[str, list[str]], seed: int
):
    shortlist = final[final["visited"] | final["recommended"] | candidates["selected"].reindex(final.index)]
    shortlist = shortlist.sort_values([CATEGORY, "total_post"], ascending=[True, False])
    leniency = {p.id: 0.6 * (_u(f"lenient/{p.id}", seed) - 0.5) for p in ed.jury}
    rows = []
    conflict_vote_done = False
    for e, r in shortlist.iterrows():
        for p in ed.jury:
            if e in conflicts.get(p.id, []):
                if conflict_vote_done:
                    continue
                conflict_vote_done = True  # one member votes anyway: ignored and reported
            u = _u(f"{e}/{p.id}/vote", seed)
            if u < 0.06:
                vote = "abstain"
            else:
                z = (float(r["total_post"]) - (ed.label_threshold - 12)) / 6 + leniency[p.id]
                p_yes = 1 / (1 + np.exp(-z))
                vote = "yes" if _u(f"{e}/{p.id}/yes", seed) < p_yes else "no"
            rows.append({"member": p.id, ENTRY_ID: str(e), "vote": _VOTE_DE[vote]})
    return rows


def write_jury_inputs(
    edition: Edition,
    q: Questionnaire,
    data_dir: str | Path,
    *,
    project_root: str | Path,
    seed: int | None = None,
) -> tuple[Path, Path]:
    """Write ``site_visits.csv`` and ``jury_votes.csv`` into `data_dir` for the edition's current inputs.

    Parameters
    ----------
    edition, q : Edition, Questionnaire
    data_dir : path
        The edition's data folder (its responses and returned rating sheets must exist).
    project_root : path
        The project (for the edition's params).
    seed : int, optional
        Defaults to the edition's seed.

    Returns
    -------
    (Path, Path)
        The site-visit file and the votes file (German headings, ``;``, UTF-8 with BOM, as Excel saves).
    """
    from vielfalt.jury import apply_verification, read_site_visits, recommend
    from vielfalt.runs.manifest import read_artefact
    from vielfalt.stages import conflicts_by_entry

    seed = edition.seed if seed is None else seed
    data_dir = Path(data_dir)
    project_root = Path(project_root)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        _stages_in_tmp(project_root, edition.edition, tmp)
        entries = read_artefact(tmp, "intake/entries")
        candidates = read_artefact(tmp, "site_visits/candidates")
        flags = read_artefact(tmp, "scoring/flags")
        scores = read_artefact(tmp, "scoring/scores")
        weights = read_artefact(tmp, "scoring/weights")
        rows = _visit_rows(candidates, entries, flags, edition, seed)
        heads = SITE_VISIT_HEADINGS["de"]
        visits_df = pd.DataFrame(rows, columns=list(heads))
        visits_path = write_csv(visits_df, data_dir / "site_visits.csv", headers=list(heads.values()))
        res = read_site_visits(
            visits_path,
            entries=entries,
            selected=candidates.index[candidates["selected"].astype(bool)],
            q=q,
            settings=edition.verification,
        )
        final = apply_verification(
            scores,
            res.visits,
            weights,
            settings=edition.verification,
            aggregation=edition.scoring.aggregation,
        )
        resolved = res.visits["legal_resolved"] if len(res.visits) else None
        final = recommend(final, threshold=edition.label_threshold, flags=flags, legal_resolved=resolved)
        conflicts = conflicts_by_entry(edition.jury, entries, q)
        vote_rows = _votes(final, candidates, edition, conflicts, seed)
        vheads = VOTE_HEADINGS["de"]
        votes_df = pd.DataFrame(vote_rows, columns=list(vheads))
        votes_path = write_csv(votes_df, data_dir / "jury_votes.csv", headers=list(vheads.values()))
    return visits_path, votes_path
