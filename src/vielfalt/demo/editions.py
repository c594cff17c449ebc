"""Synthetic multi-edition data: the demo editions 2009, 2010, 2012 and 2015 with repeat participants.

Built on :mod:`vielfalt.demo.synth` (fictional organisations, both input dialects): demo2010 is the committed demo
edition exactly as ``vielfalt synth`` writes it; the other editions draw new organisations from
:func:`vielfalt.demo.synth.generate_entries` and take part of their participants from earlier (or, for 2009, the
next) edition. A repeat participant keeps its name, sector, ownership, contact and free texts; its
headcount drifts by a few per cent a year (so it may change category), it adopts measures over time (about
one in twenty unticked measures a year, fewer dropped) and its strategy answers mature; now and then its
legal form changes ("GmbH" → "GmbH & Co. KG"), which the archive key must survive. Years named in its
texts move with the edition.

Two changes between editions follow the real competition (DOMAIN.md §1, §4.3): 2015 uses the questionnaire
vg2015 (answers are translated from vg2010 through ``crosswalk-vg2010-vg2015.yaml``; items new in vg2015
get synth's plain random answers) and the 2015 category scheme of four size classes with public bodies
sorted by size. Input files are written by :func:`vielfalt.demo.synth.write_edition_inputs` without broken rows
(demo2010 shows those), and returned rating sheets by :func:`vielfalt.demo.synth.write_returned_ratings`.

Everything is deterministic: the same project gives byte-identical files. The files of demo2009, demo2012
and demo2015 are generated into their git-ignored ``data/<ed>/`` folders rather than committed, because
they are derived from committed seeds, and committing ~400 KB of XLSX/CSV that changes whenever the
generator changes would churn and conflict for no gain; demo2010 stays the committed example of raw inputs.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as _stats

from vielfalt.columns import CATEGORY, ENTRY_ID, SOURCE, SUBMITDATE
from vielfalt.config.crosswalk import find_crosswalk
from vielfalt.config.edition import Edition
from vielfalt.config.questionnaire import Questionnaire, load_questionnaire, questionnaire_path
from vielfalt.demo import synth
from vielfalt.exceptions import ConfigError
from vielfalt.runs.manifest import read_artefact, write_artefact

__all__ = [
    "DEMO_EDITIONS",
    "GENERATED_EDITIONS",
    "MultiEditionResult",
    "edition_id",
    "synthetic_close",
    "write_multi_edition_inputs",
    "write_synthetic_close",
]

#: The demo editions in generation order (each draws repeat participants from those before it).
DEMO_EDITIONS = ("demo2010", "demo2009", "demo2012", "demo2015")

#: Demo editions whose inputs are generated into git-ignored folders (demo2010's are committed).
GENERATED_EDITIONS = ("demo2009", "demo2012", "demo2015")

#: Valid entries per category, and where repeat participants come from: (source, number, prefer those
#: also in this edition).
_PLAN: dict[str, dict] = {
    "demo2009": {
        "counts": {"klein": 5, "mittel": 3, "gross": 3, "oeffentlich": 3},
        "from": [("demo2010", 8, None)],
    },
    "demo2012": {
        "counts": {"klein": 6, "mittel": 5, "gross": 5, "oeffentlich": 4},
        "from": [("demo2010", 6, "demo2009"), ("demo2009", 2, None)],
    },
    "demo2015": {
        "counts": {"kleinst": 4, "klein": 6, "mittel": 6, "gross": 6},
        "from": [("demo2012", 6, None), ("demo2010", 2, None)],
    },
}

_BASE_QUESTIONNAIRE = "vg2010"  # the realistic answer model of synth is written for this instrument
_STREAM_REPEAT = 0x72657074
_ORG = "_org"  # lineage of an organisation: "<first edition>:<row>"
_YEAR = re.compile(r"\b(20[01]\d)\b")


def edition_id(token: str) -> str:
    """The demo edition of a year (``"2009"`` → ``"demo2009"``); other tokens pass unchanged.

    Examples
    --------
    >>> edition_id("2015"), edition_id("demo2010")
    ('demo2015', 'demo2010')
    """
    token = token.strip()
    return f"demo{token}" if re.fullmatch(r"\d{4}", token) else token


@dataclass
class MultiEditionResult:
    """What :func:`write_multi_edition_inputs` wrote.

    Attributes
    ----------
    results : dict of str to SynthResult
        Per edition written.
    panel : DataFrame
        One row per valid entry of every edition: ``edition``, ``org`` (lineage id, equal for the same
        organisation in several editions), ``A01`` (name), ``category_intended``.
    ratings : dict of str to list of Path
        Returned rating sheets written per edition.
    """

    results: dict[str, synth.SynthResult]
    panel: pd.DataFrame
    ratings: dict[str, list[Path]] = field(default_factory=dict)

    def summary(self) -> str:
        """German lines for ``vielfalt synth --editions``."""
        lines = []
        for ed, res in self.results.items():
            rep = self.panel[(self.panel["edition"] == ed) & self.panel["repeat"]]
            lines.append(
                f"{ed}: {res.n_valid} Einsendungen in {res.data_dir} ({len(rep)} Wiederholungsteilnahmen), "
                f"{len(self.ratings.get(ed, []))} ausgefüllte Bewertungsbögen"
            )
        lines.append("Alle Organisationen, Personen und Zahlen sind erfunden.")
        return "\n".join(lines)


def _load(root: Path, edition: str) -> tuple[Edition, Questionnaire]:
    from vielfalt.config.edition import load_context

    return load_context(root, edition)


def _year_of(edition: str, eds: dict[str, Edition]) -> int:
    return eds[edition].year


def _target_category(ed: Edition, hc: float, public_code: str) -> str | None:
    scheme = ed.category_scheme
    if (
        scheme.public is not None
        and scheme.public.category is not None
        and public_code in scheme.public.codes
    ):
        return scheme.public.category
    return scheme.bin_for(hc)


def _evolve(row: pd.Series, q: Questionnaire, dt: int, rng: np.random.Generator, year: int) -> pd.Series:
    """One organisation `dt` years later (or earlier when negative), in the same instrument."""
    out = row.copy()
    hc = float(row["A05[total]"])
    factor = float(np.exp(rng.normal(0.03 * dt, 0.05 * np.sqrt(abs(dt)))))
    new_hc = max(1.0, float(np.round(hc * factor)))
    scale = new_hc / hc if hc > 0 else 1.0
    counts = [
        c
        for _, it in q.iter_items()
        if it.type == "multinumeric"
        for c in it.columns()
        if c not in ("A05[total]", "A09[nationen]")
    ]
    for c in counts:
        if c in out and pd.notna(out[c]):
            out[c] = float(np.round(float(out[c]) * scale))
    out["A05[total]"] = new_hc
    for _, it in q.iter_items():
        for chk in it.checks:
            if chk.kind == "le" and chk.left in out and chk.right in out:
                left, right = out[chk.left], out[chk.right]
                if pd.notna(left) and pd.notna(right) and left > right:
                    out[chk.left] = right
            elif chk.kind == "sum_eq" and chk.total in out:
                parts = [p for p in chk.parts if p in out]
                before = [row[p] for p in parts]
                if all(pd.notna(v) for v in before) and sum(before) == row[chk.total]:
                    vals = [float(out[p]) for p in parts]
                    big = int(np.argmax(vals))
                    rest = sum(v for i, v in enumerate(vals) if i != big)
                    out[parts[big]] = max(0.0, out[chk.total] - rest)
    if abs(dt):
        p_on = 1 - 0.95**dt if dt > 0 else 1 - 0.99 ** abs(dt)
        p_off = 1 - 0.97**dt if dt > 0 else 1 - 0.93 ** abs(dt)
        for _, it in q.iter_items():
            if it.type != "multi" or it.scoring.kind not in ("field", "count_capped"):
                continue
            opts = q.options_of(it)
            exclusive = [f"{it.id}[{o.code}]" for o in opts if o.exclusive]
            cols = [f"{it.id}[{o.code}]" for o in opts if not o.exclusive]
            for c in cols:
                if c not in out:
                    continue
                if bool(out[c]):
                    out[c] = not (rng.random() < p_off)
                else:
                    out[c] = bool(rng.random() < p_on)
            if any(bool(out[c]) for c in cols if c in out):
                for c in exclusive:
                    out[c] = False
        for item in ("D01", "D05"):
            if item in out and str(out[item]).isdigit():
                level = int(out[item])
                if dt > 0 and rng.random() < min(0.6, 0.25 * dt):
                    level = min(3, level + 1)
                elif dt < 0 and rng.random() < min(0.6, 0.3 * abs(dt)):
                    level = max(0, level - 1)
                out[item] = str(level)
    if out.get("A02") == "GMBH" and abs(dt) >= 2 and rng.random() < 0.3 and str(out["A01"]).endswith(" GmbH"):
        out["A02"] = "GMBHK"
        out["A01"] = str(out["A01"]) + " & Co. KG"
    for c, v in out.items():
        if isinstance(v, str) and _YEAR.search(v) and not str(c).startswith(("A0", "G01")):
            out[c] = _YEAR.sub(lambda m: str(int(m.group(1)) + dt), v)
    day = int(rng.integers(0, 55))
    out[SUBMITDATE] = pd.Timestamp(year=year, month=1, day=4) + pd.Timedelta(
        days=day, hours=int(rng.integers(8, 18)), minutes=int(rng.integers(0, 60))
    )
    return out


def _rename_stems(fresh: pd.DataFrame, used: set[str], rng: np.random.Generator) -> pd.DataFrame:
    """Give new organisations stems no other organisation of the panel uses (different firms, distinct names)."""
    out = fresh.copy()
    free = [s for s in synth.NAME_STEMS if s not in used]
    start = int(rng.integers(0, len(free)))
    free = free[start:] + free[:start]
    taken = set(used)
    texts = [c for c in out.columns if out[c].dtype == object or pd.api.types.is_string_dtype(out[c])]
    for i in out.index:
        stem = synth.name_stem(str(out.at[i, "A01"]))
        if stem is None or stem not in taken:
            if stem is not None:
                taken.add(stem)
            continue
        new = next(s for s in free if s not in taken)
        taken.add(new)
        for c in texts:
            v = out.at[i, c]
            if isinstance(v, str) and stem in v:
                out.at[i, c] = v.replace(stem, new)
    return out


def _translate(
    frame: pd.DataFrame, qa: Questionnaire, qb: Questionnaire, root: Path, filler: pd.DataFrame
) -> pd.DataFrame:
    """Answers in instrument `qa` as answers in `qb` (crosswalk); columns only `qb` has come from `filler`."""
    if qa.meta.id == qb.meta.id:
        return frame
    cw = find_crosswalk(qa.meta.id, qb.meta.id, params_dir=root / "params")
    if cw is None:
        msg = f"Kein Crosswalk von {qa.meta.id} nach {qb.meta.id} in params/questionnaire/."
        raise ConfigError(msg)
    back = {b: a for a, b in cw.column_map(qa, qb).items()}
    meta = [SOURCE, synth.CATEGORY_INTENDED, SUBMITDATE, _ORG]
    data = {c: frame[c].to_numpy() for c in meta if c in frame}
    for c in qb.columns():
        src = back.get(c)
        data[c] = frame[src].to_numpy() if src is not None else filler[c].to_numpy()
    return pd.DataFrame(data, index=frame.index)


def write_multi_edition_inputs(
    project_root: str | Path,
    *,
    write: tuple[str, ...] | list[str] = DEMO_EDITIONS,
    ratings: bool = True,
) -> MultiEditionResult:
    """Generate the demo editions 2009, 2010, 2012 and 2015 and write the inputs of those in `write`.

    Parameters
    ----------
    project_root : path
        The project; editions are read from ``params/editions/`` and written to ``data/<ed>/``.
    write : sequence of str, default all four
        Editions whose files to write; the others are generated in memory only (their participants are
        needed for the repeats), so a subset gives the same files as the whole.
    ratings : bool, default True
        Also write the returned rating sheets (``data/<ed>/ratings/``).

    Returns
    -------
    MultiEditionResult

    Raises
    ------
    ConfigError
        When `write` names an edition that is not a demo edition.
    """
    root = Path(project_root)
    bad = [e for e in write if e not in DEMO_EDITIONS]
    if bad:
        msg = (
            f"Der Parameter 'write' von write_multi_edition_inputs muss Demo-Editionen nennen "
            f"({', '.join(sorted(DEMO_EDITIONS))}). Erhalten: {bad!r}."
        )
        raise ConfigError(msg)
    q_base = load_questionnaire(questionnaire_path(_BASE_QUESTIONNAIRE, params_dir=root / "params"))
    eds: dict[str, Edition] = {}
    qs: dict[str, Questionnaire] = {}
    pools: dict[str, pd.DataFrame] = {}  # valid entries per edition, in the base instrument, with _org
    results: dict[str, synth.SynthResult] = {}
    written_ratings: dict[str, list[Path]] = {}
    panel_rows: list[pd.DataFrame] = []
    used_stems: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="vielfalt-synth-") as tmp:
        for edition in DEMO_EDITIONS:
            ed, q = _load(root, edition)
            eds[edition], qs[edition] = ed, q
            target = root / "data" / edition if edition in write else Path(tmp) / edition
            if edition not in _PLAN:  # the committed demo edition, exactly as `vielfalt synth` writes it
                res = synth.write_edition_inputs(ed, q, target)
                valid = res.entries[res.entries["valid"]].copy()
                valid[_ORG] = [f"{edition}:{i}" for i in range(len(valid))]
                base = valid
                repeat = np.zeros(len(valid), dtype=bool)
            else:
                plan = _PLAN[edition]
                rng = np.random.default_rng([ed.seed, _STREAM_REPEAT])
                taken: set[str] = set()
                chosen: list[pd.Series] = []
                for src, number, prefer in plan["from"]:
                    pool = pools[src]
                    pool = pool[~pool[_ORG].isin(taken)]
                    order = rng.permutation(len(pool))
                    if prefer is not None:
                        also = pool[_ORG].isin(set(pools[prefer][_ORG])).to_numpy()
                        order = np.concatenate([order[also[order]], order[~also[order]]])
                    dt = ed.year - eds[src].year
                    for pos in order[:number]:
                        row = pool.iloc[int(pos)]
                        chosen.append(_evolve(row, q_base, dt, rng, ed.year))
                        taken.add(row[_ORG])
                reps = pd.DataFrame(chosen).reset_index(drop=True)
                reps[synth.CATEGORY_INTENDED] = [
                    _target_category(ed, float(h), str(p))
                    for h, p in zip(reps["A05[total]"], reps["A04"], strict=True)
                ]
                counts = dict(plan["counts"])
                keep = []
                for i, c in enumerate(reps[synth.CATEGORY_INTENDED]):
                    if c in counts and counts[c] > 0:
                        counts[c] -= 1
                        keep.append(i)
                reps = reps.iloc[keep].reset_index(drop=True)
                fresh = synth.generate_entries(
                    q_base,
                    ed.category_scheme,
                    n=sum(counts.values()),
                    seed=ed.seed,
                    year=ed.year,
                    counts=counts,
                )
                fresh = _rename_stems(
                    fresh, used_stems | {synth.name_stem(str(n)) or "" for n in reps["A01"]}, rng
                )
                fresh[_ORG] = [f"{edition}:{i}" for i in range(len(fresh))]
                combined = pd.concat([reps[list(fresh.columns)], fresh], ignore_index=True)
                # the row-wise evolution left object columns: back to synth's types
                combined[SUBMITDATE] = pd.to_datetime(combined[SUBMITDATE])
                combined = combined.astype({c: fresh[c].dtype for c in fresh.columns if c != _ORG}).copy()
                repeat_org = set(reps[_ORG])
                filler = synth.generate_entries(
                    q, ed.category_scheme, n=len(combined), seed=ed.seed, year=ed.year
                )
                entries = _translate(combined, q_base, q, root, filler)
                res = synth.write_edition_inputs(
                    ed, q, target, entries=entries.drop(columns=[_ORG]), broken=False
                )
                valid = res.entries[res.entries["valid"]].copy()
                valid[_ORG] = entries[_ORG].to_numpy()
                base = valid if q.meta.id == q_base.meta.id else None
                repeat = valid[_ORG].isin(repeat_org).to_numpy()
            if base is not None:
                keep_cols = [SOURCE, synth.CATEGORY_INTENDED, SUBMITDATE, *q_base.columns(), _ORG]
                pools[edition] = base[keep_cols].reset_index(drop=True)
            used_stems |= {synth.name_stem(str(n)) or "" for n in valid["A01"]}
            if edition in write:
                results[edition] = res
                if ratings and ed.evaluators:
                    written_ratings[edition] = synth.write_returned_ratings(ed, q, target, project_root=root)
            panel_rows.append(
                pd.DataFrame(
                    {
                        "edition": edition,
                        "org": valid[_ORG].to_numpy(),
                        "A01": valid["A01"].to_numpy(),
                        "category_intended": valid[synth.CATEGORY_INTENDED].to_numpy(),
                        "repeat": repeat,
                    }
                )
            )
    panel = pd.concat(panel_rows, ignore_index=True)
    return MultiEditionResult(results=results, panel=panel, ratings=written_ratings)


# =========================================================================================================
# synthetic jury decisions (demo only)
# =========================================================================================================


def synthetic_close(
    scores: pd.DataFrame, ranks: pd.DataFrame, ed: Edition, *, seed: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Invented jury decisions in the shape of ``close/awards`` and ``close/agreement`` (demo only).

    The recommendation is the top ``capacity`` entries per category; each of the edition's jurors says yes
    with probability 0.85 to a recommended and 0.2 to another entry, and a simple majority awards.

    Parameters
    ----------
    scores, ranks : DataFrame
        ``scoring/scores`` and ``scoring/ranks``.
    ed : Edition
    seed : int, optional
        Default: the edition's seed.

    Returns
    -------
    (DataFrame, DataFrame)
        Awards indexed by ``entry_id`` (``category, yes, no, abstain, awarded, recommended, tie,
        decided_by``) and agreement per category (``category, k, precision_at_k, kendall_tau``).
    """
    rng = np.random.default_rng([ed.seed if seed is None else seed, 0x6A757279])
    jurors = max(len(ed.jury), 3)
    order = scores.sort_values([CATEGORY, "total"], ascending=[True, False], kind="mergesort").index
    rows, agree = [], []
    for cat in ed.categories():
        idx = [e for e in order if scores.at[e, CATEGORY] == cat]
        if not idx:
            continue
        k = min(ed.capacity.get(cat, 2), len(idx))
        rec = {e: int(ranks.at[e, "total"]) <= k for e in idx}
        yes_votes = {}
        for e in idx:
            yes = int(rng.binomial(jurors, 0.85 if rec[e] else 0.2))
            yes_votes[e] = yes
            rows.append(
                {
                    ENTRY_ID: e,
                    CATEGORY: cat,
                    "yes": yes,
                    "no": jurors - yes,
                    "abstain": 0,
                    "awarded": yes * 2 > jurors,
                    "recommended": rec[e],
                    "tie": yes * 2 == jurors,
                    "decided_by": "Mehrheit (synthetisch)",
                }
            )
        top = [e for e in idx if rec[e]]
        precision = sum(1 for e in top if yes_votes[e] * 2 > jurors) / len(top) if top else float("nan")
        tau = float("nan")
        if len(idx) >= 3:
            res = _stats.kendalltau([scores.at[e, "total"] for e in idx], [yes_votes[e] for e in idx])
            tau = float(res.statistic) if np.isfinite(res.statistic) else float("nan")
        agree.append({CATEGORY: cat, "k": k, "precision_at_k": precision, "kendall_tau": tau})
    awards = pd.DataFrame(rows).set_index(ENTRY_ID)
    return awards, pd.DataFrame(agree)


def write_synthetic_close(run_dir: str | Path, ed: Edition) -> None:
    """Write :func:`synthetic_close` as ``close/awards`` and ``close/agreement`` into a run directory.

    Parameters
    ----------
    run_dir : path
        A run with ``scoring/scores`` and ``scoring/ranks``.
    ed : Edition
    """
    awards, agreement = synthetic_close(
        read_artefact(run_dir, "scoring/scores"), read_artefact(run_dir, "scoring/ranks"), ed
    )
    write_artefact(awards, run_dir, "close/awards")
    write_artefact(agreement, run_dir, "close/agreement")
