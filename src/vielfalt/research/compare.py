"""Editions over the years: what the research stage (notebook ``08_editions``) computes from the archive.

Input is the pseudonymised archive (:mod:`vielfalt.research.archive`), never a run: participation by category,
repeat entrants (the archive key links them) and their score change, measure adoption per field of action,
score distributions, agreement of recommendation and jury decision, and rater reliability, per edition.
Editions with different questionnaire versions are compared through the crosswalks in
``params/questionnaire/`` (:mod:`vielfalt.config.crosswalk`): every answer column is translated into the newest
instrument of the compared editions, and :func:`comparability` lists every item and column that could not
be compared, with the reason. Answers exist only for entries with a research consent; the tables say so.

The research stage reads pseudonymised microdata, so its report is internal to the research team; tables
for publication come from ``vielfalt export ED --profile research``, which suppresses small cells.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from vielfalt.config.crosswalk import COMPARISON_COLUMNS, find_crosswalk
from vielfalt.config.questionnaire import Questionnaire, load_questionnaire, questionnaire_path
from vielfalt.exceptions import DataError
from vielfalt.research.archive import ARCHIVE_META, read_archive
from vielfalt.runs.manifest import write_artefact

__all__ = [
    "Comparison",
    "ResearchResult",
    "agreement_by_edition",
    "comparability",
    "display_table",
    "harmonised_answers",
    "load_comparison",
    "measure_adoption",
    "participation",
    "reliability_by_edition",
    "repeat_entrants",
    "research_stage",
    "run_research",
    "score_distribution",
]


@dataclass
class Comparison:
    """The archive tables of the compared editions, their instruments and the reference instrument.

    Attributes
    ----------
    editions : list of str
        In order of year.
    years : dict of str to int
    tables : dict of str to DataFrame
        Archive tables (``entries``, ``scores``, ``answers``, ``decisions``, ``agreement``, ``reliability``);
        empty frames for tables no compared edition has.
    questionnaires : dict of str to Questionnaire
        Per edition.
    reference : Questionnaire
        The newest instrument among the editions; answers are compared in its codes.
    labels : dict of str to dict of str to str
        Category labels per edition (``category code → label``) from the edition files when present.
    """

    editions: list[str]
    years: dict[str, int]
    tables: dict[str, pd.DataFrame]
    questionnaires: dict[str, Questionnaire]
    reference: Questionnaire
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    params_dir: Path = Path("params")
    """The project's ``params`` folder (instruments and crosswalks)."""


def load_comparison(
    archive_dir: str | os.PathLike[str],
    *,
    project_root: str | os.PathLike[str],
    editions: list[str] | None = None,
    lang: str = "de",
) -> Comparison:
    """Read the archive for a comparison of editions.

    Parameters
    ----------
    archive_dir : path
        The archive.
    project_root : path
        For the instruments and crosswalks (``params/questionnaire``) and category labels.
    editions : list of str, optional
        Default: every archived edition.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    Comparison

    Raises
    ------
    DataError
        The archive is empty or misses a named edition.
    """
    import json

    root = Path(project_root)
    archive = Path(archive_dir)
    meta_path = archive / ARCHIVE_META
    if not meta_path.is_file():
        msg = (
            f"Im Ordner {archive} gibt es kein Forschungsarchiv ({ARCHIVE_META} fehlt). Erst Editionen "
            "archivieren: vielfalt archive ED (oder vielfalt demo für das Demo-Archiv)."
        )
        raise DataError(msg, path=str(meta_path))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    known = meta.get("editions", {})
    wanted = editions or list(known)
    missing = [e for e in wanted if e not in known]
    if missing or not wanted:
        msg = (
            f"Im Archiv {archive} fehlen die Editionen {', '.join(missing) or '(keine archiviert)'} "
            f"(vorhanden: {', '.join(known) or '—'})."
        )
        raise DataError(msg)
    years = {e: int(known[e]["year"]) for e in wanted}
    order = sorted(wanted, key=lambda e: (years[e], e))
    qdir = root / "params"
    questionnaires = {
        e: load_questionnaire(questionnaire_path(known[e]["questionnaire"], params_dir=qdir)) for e in order
    }
    reference = questionnaires[order[-1]]
    tables = {
        t: read_archive(archive, t, editions=order)
        for t in ("entries", "scores", "answers", "decisions", "agreement", "reliability")
    }
    labels: dict[str, dict[str, str]] = {}
    from vielfalt.config.edition import edition_path, load_edition

    for e in order:
        path = edition_path(e, params_dir=qdir)
        if path.is_file():
            ed = load_edition(path)
            labels[e] = {c: ed.category_scheme.label(c, lang) for c in ed.categories()}
    return Comparison(order, years, tables, questionnaires, reference, labels, params_dir=qdir)


# --------------------------------------------------------------------------------------------------------


def participation(cmp: Comparison) -> pd.DataFrame:
    """Entries per edition and category (the edition's own scheme), and per harmonised size band.

    Returns
    -------
    DataFrame
        ``edition, year, category, label, n``; categories left empty by the archive's coarsening count as
        ``(vergröbert)``.
    """
    ent = cmp.tables["entries"]
    rows = []
    for e in cmp.editions:
        part = ent[ent["edition"] == e]
        cats = list(cmp.labels.get(e, {})) or sorted(part["category"].dropna().unique())
        counts = part["category"].astype(object).fillna("(vergröbert)").value_counts()
        for c in [*cats, "(vergröbert)"]:
            n = int(counts.get(c, 0))
            if n or c != "(vergröbert)":
                rows.append(
                    {
                        "edition": e,
                        "year": cmp.years[e],
                        "category": c,
                        "label": cmp.labels.get(e, {}).get(c, c),
                        "n": n,
                    }
                )
    return pd.DataFrame(rows, columns=["edition", "year", "category", "label", "n"])


def repeat_entrants(cmp: Comparison) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Organisations in more than one edition and how their total score changed.

    Returns
    -------
    (DataFrame, DataFrame)
        Summary per key (``key, editions, n_editions, first_total, last_total, change``, sorted by change)
        and the long table behind it (``key, edition, year, category, total``).
    """
    sc = cmp.tables["scores"]
    ent = cmp.tables["entries"][["key", "edition", "year"]]
    long = sc.merge(ent, on=["key", "edition"], how="left")[["key", "edition", "year", "category", "total"]]
    n = long.groupby("key")["edition"].nunique()
    long = long[long["key"].isin(n[n > 1].index)].sort_values(["key", "year"]).reset_index(drop=True)
    if long.empty:
        empty = pd.DataFrame(columns=["key", "editions", "n_editions", "first_total", "last_total", "change"])
        return empty, long
    g = long.groupby("key", sort=False)
    summary = pd.DataFrame(
        {
            "editions": g["edition"].apply(lambda s: ", ".join(s)),
            "n_editions": g["edition"].nunique(),
            "first_total": g["total"].first().round(1),
            "last_total": g["total"].last().round(1),
        }
    )
    summary["change"] = (summary["last_total"] - summary["first_total"]).round(1)
    summary = summary.sort_values(["change", "n_editions"], ascending=[False, False]).reset_index()
    return summary, long


def harmonised_answers(cmp: Comparison) -> pd.DataFrame:
    """Answers with their column translated into the reference instrument (columns without counterpart dropped).

    Returns
    -------
    DataFrame
        The archive's ``answers`` plus ``ref_column`` and ``ref_item``.
    """
    ans = cmp.tables["answers"]
    if ans.empty:
        return ans.assign(ref_column=pd.Series(dtype=str), ref_item=pd.Series(dtype=str))
    parts = []
    ref = cmp.reference
    maps: dict[str, dict[str, str] | None] = {}
    for e in cmp.editions:
        q = cmp.questionnaires[e]
        if q.meta.id not in maps:
            if q.meta.id == ref.meta.id:
                maps[q.meta.id] = {c: c for c in q.columns()}
            else:
                cw = find_crosswalk(q.meta.id, ref.meta.id, params_dir=cmp.params_dir)
                maps[q.meta.id] = None if cw is None else cw.column_map(q, ref)
        cmap = maps[q.meta.id]
        part = ans[ans["edition"] == e]
        if cmap is None:
            continue
        part = part.assign(ref_column=part["column"].map(cmap))
        part = part[part["ref_column"].notna()]
        parts.append(part)
    if not parts:
        return ans.iloc[0:0].assign(ref_column="", ref_item="")
    out = pd.concat(parts, ignore_index=True)
    out["ref_item"] = out["ref_column"].str.split("[", n=1).str[0]
    return out


def comparability(cmp: Comparison, *, lang: str = "de") -> pd.DataFrame:
    """Every item and column that could not be compared one to one across the editions, with the reason.

    Returns
    -------
    DataFrame
        :data:`~vielfalt.config.crosswalk.COMPARISON_COLUMNS` plus ``editions`` (which editions it concerns).
        Items renamed between instruments are listed too (status ``renamed``: compared under the new code).
    """
    ref = cmp.reference
    rows = []
    seen: set[str] = set()
    for e in cmp.editions:
        q = cmp.questionnaires[e]
        if q.meta.id == ref.meta.id or q.meta.id in seen:
            continue
        seen.add(q.meta.id)
        eds = ", ".join(x for x in cmp.editions if cmp.questionnaires[x].meta.id == q.meta.id)
        cw = find_crosswalk(q.meta.id, ref.meta.id, params_dir=cmp.params_dir)
        if cw is None:
            reason = (
                f"kein Crosswalk {q.meta.id} → {ref.meta.id}: keine Antwort vergleichbar"
                if lang != "en"
                else f"no crosswalk {q.meta.id} → {ref.meta.id}: no answer comparable"
            )
            rows.append(
                {
                    "item": "*",
                    "column": "",
                    "questionnaire": q.meta.id,
                    "status": "no_crosswalk",
                    "counterpart": "",
                    "reason": reason,
                    "editions": eds,
                }
            )
            continue
        table = cw.comparison(q, ref, lang=lang)
        table["editions"] = eds
        rows += table.to_dict("records")
    return pd.DataFrame(rows, columns=[*COMPARISON_COLUMNS, "editions"])


def measure_adoption(cmp: Comparison, *, lang: str = "de") -> tuple[pd.DataFrame, list[str]]:
    """Share of entries (with research consent) taking at least one measure per field of action, per edition.

    Only option columns that every compared instrument has (after the crosswalk) count, so that an option
    added later does not look like adoption; legal duties (baseline options) and "other" never count.

    Returns
    -------
    (DataFrame, list of str)
        ``field, label, edition, year, n, share`` and the option columns left out as not comparable.
    """
    ref = cmp.reference
    ans = harmonised_answers(cmp)
    fields = {it.id: it.field for _, it in ref.iter_items() if it.field}
    baseline = {
        f"{it.id}[{o.code}]"
        for _, it in ref.iter_items()
        if it.field
        for o in (it.options or [])
        if o.baseline
    }
    candidates = {
        c
        for _, it in ref.iter_items()
        if it.field
        for c in it.columns()
        if not c.endswith("[other]") and c not in baseline
    }
    common = set(candidates)
    for e in cmp.editions:
        have = set(ans.loc[ans["edition"] == e, "ref_column"])
        if have:
            common &= have
    left_out = sorted(candidates - common)
    use = ans[ans["ref_column"].isin(common)]
    use = use.assign(field=use["ref_item"].map(fields), ticked=use["number"].fillna(0) > 0)
    has = use.groupby(["edition", "key", "field"])["ticked"].any().reset_index()
    rows = []
    labels = {f.code: f.label.get(lang) for f in ref.fields_of_action}
    for e in cmp.editions:
        part = has[has["edition"] == e]
        n = part["key"].nunique()
        for f in [f.code for f in ref.fields_of_action]:
            k = int(part.loc[part["field"] == f, "ticked"].sum())
            rows.append(
                {
                    "field": f,
                    "label": labels.get(f, f),
                    "edition": e,
                    "year": cmp.years[e],
                    "n": n,
                    "share": (k / n) if n else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=["field", "label", "edition", "year", "n", "share"]), left_out


def score_distribution(cmp: Comparison) -> pd.DataFrame:
    """Total scores per entry with edition, year, category and harmonised size band.

    Returns
    -------
    DataFrame
        ``edition, year, key, category, size_band, total``.
    """
    sc = cmp.tables["scores"]
    ent = cmp.tables["entries"][["key", "edition", "year", "size_band"]]
    out = sc.merge(ent, on=["key", "edition"], how="left")
    return (
        out[["edition", "year", "key", "category", "size_band", "total"]]
        .sort_values(["year", "key"])
        .reset_index(drop=True)
    )


def agreement_by_edition(cmp: Comparison) -> tuple[pd.DataFrame, list[str]]:
    """Agreement of the recommendation with the jury decision, per edition and category.

    From the archived ``agreement`` table (``close/agreement``: precision at k, Kendall's τ) and, for the
    overall line, from ``decisions``: the share of recommended entries that were awarded.

    Returns
    -------
    (DataFrame, list of str)
        ``edition, year, category, k, precision_at_k, kendall_tau`` (category ``alle`` = all recommended of
        the edition) and the editions without jury decisions in the archive.
    """
    agr = cmp.tables["agreement"]
    dec = cmp.tables["decisions"]
    rows = []
    missing = []
    for e in cmp.editions:
        a = agr[agr["edition"] == e] if not agr.empty else agr
        d = dec[dec["edition"] == e] if not dec.empty else dec
        if (a is None or a.empty) and (d is None or d.empty):
            missing.append(e)
            continue
        for r in a.to_dict("records") if not a.empty else []:
            rows.append(
                {
                    "edition": e,
                    "year": cmp.years[e],
                    "category": r.get("category"),
                    "k": r.get("k"),
                    "precision_at_k": r.get("precision_at_k"),
                    "kendall_tau": r.get("kendall_tau"),
                }
            )
        if not d.empty:
            rec = d[d["recommended"].astype(bool)]
            share = float(rec["awarded"].astype(bool).mean()) if len(rec) else float("nan")
            rows.append(
                {
                    "edition": e,
                    "year": cmp.years[e],
                    "category": "alle",
                    "k": len(rec),
                    "precision_at_k": share,
                    "kendall_tau": float("nan"),
                }
            )
    return pd.DataFrame(
        rows, columns=["edition", "year", "category", "k", "precision_at_k", "kendall_tau"]
    ), missing


def reliability_by_edition(cmp: Comparison) -> pd.DataFrame:
    """Rater reliability of every free-text criterion per edition (all entries of the edition).

    Returns
    -------
    DataFrame
        ``edition, year, item, n_entries, alpha_ordinal, icc1k, within1``.
    """
    rel = cmp.tables["reliability"]
    if rel.empty:
        return pd.DataFrame(
            columns=["edition", "year", "item", "n_entries", "alpha_ordinal", "icc1k", "within1"]
        )
    part = rel[rel["group"] == "alle"].copy()
    part["year"] = part["edition"].map(cmp.years)
    cols = ["edition", "year", "item", "n_entries", "alpha_ordinal", "icc1k", "within1"]
    return part[[c for c in cols if c in part.columns]].sort_values(["year", "item"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------------------


@dataclass
class ResearchResult:
    """What the research stage computed (also written as ``research/*`` artefacts)."""

    comparison: Comparison
    participation: pd.DataFrame
    repeaters: pd.DataFrame
    repeaters_long: pd.DataFrame
    adoption: pd.DataFrame
    adoption_left_out: list[str]
    scores: pd.DataFrame
    agreement: pd.DataFrame
    agreement_missing: list[str]
    reliability: pd.DataFrame
    comparability: pd.DataFrame
    notes: list[str]


def research_stage(
    project_root: str | os.PathLike[str],
    run_dir: str | os.PathLike[str],
    *,
    archive_dir: str | os.PathLike[str] | None = None,
    editions: str | list[str] | None = None,
    lang: str = "de",
) -> ResearchResult:
    """The research stage: compare the archived editions and write the tables as ``research/*`` artefacts.

    Parameters
    ----------
    project_root : path
    run_dir : path
        Where the artefacts go.
    archive_dir : path, optional
        Default ``<project_root>/archive``.
    editions : str or list of str, optional
        Comma-separated or a list; default every archived edition.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    ResearchResult
    """
    root = Path(project_root)
    archive = Path(archive_dir) if archive_dir else root / "archive"
    if isinstance(editions, str):
        editions = [e.strip() for e in editions.split(",") if e.strip()] or None
    cmp = load_comparison(archive, project_root=root, editions=editions, lang=lang)
    de = lang != "en"
    part = participation(cmp)
    reps, reps_long = repeat_entrants(cmp)
    adoption, left_out = measure_adoption(cmp, lang=lang)
    scores = score_distribution(cmp)
    agreement, missing = agreement_by_edition(cmp)
    reliability = reliability_by_edition(cmp)
    comp = comparability(cmp, lang=lang)
    ent = cmp.tables["entries"]
    consent = ent.groupby("edition")["research_consent"].agg(["sum", "size"])
    notes = [
        (
            f"Editionen: {', '.join(cmp.editions)}; verglichen im Fragebogen {cmp.reference.meta.id}."
            if de
            else f"Editions: {', '.join(cmp.editions)}; compared in questionnaire {cmp.reference.meta.id}."
        ),
        (
            "Antworten nur von Einträgen mit Forschungseinwilligung: "
            if de
            else "Answers only from entries with research consent: "
        )
        + ", ".join(f"{e} {int(consent.at[e, 'sum'])}/{int(consent.at[e, 'size'])}" for e in cmp.editions),
        (
            f"{len(reps)} Organisationen haben an mehr als einer Edition teilgenommen."
            if de
            else f"{len(reps)} organisations took part in more than one edition."
        ),
    ]
    if left_out:
        notes.append(
            (
                "Nicht in allen Fragebögen, daher nicht gezählt: "
                if de
                else "Not in every questionnaire, not counted: "
            )
            + ", ".join(left_out)
        )
    if missing:
        notes.append(
            ("Keine Jury-Entscheidungen im Archiv: " if de else "No jury decisions in the archive: ")
            + ", ".join(missing)
        )
    if len({q.meta.id for q in cmp.questionnaires.values()}) > 1:
        notes.append(
            "Gesamtpunkte verschiedener Fragebogen-Versionen sind nur näherungsweise vergleichbar (neue und "
            "entfallene Items verschieben die Abschnitte)."
            if de
            else "Totals from different questionnaire versions are only roughly comparable."
        )
    run = Path(run_dir)
    write_artefact(part, run, "research/participation")
    write_artefact(reps, run, "research/repeaters")
    write_artefact(adoption, run, "research/adoption")
    write_artefact(scores, run, "research/scores")
    write_artefact(agreement, run, "research/agreement")
    write_artefact(reliability, run, "research/reliability")
    write_artefact(comp.astype(str), run, "research/comparability")
    return ResearchResult(
        comparison=cmp,
        participation=part,
        repeaters=reps,
        repeaters_long=reps_long,
        adoption=adoption,
        adoption_left_out=left_out,
        scores=scores,
        agreement=agreement,
        agreement_missing=missing,
        reliability=reliability,
        comparability=comp,
        notes=notes,
    )


def run_research(
    project_root: str | os.PathLike[str],
    *,
    archive_dir: str | os.PathLike[str] | None = None,
    editions: str | None = None,
    lang: str = "de",
    quiet: bool = False,
) -> Any:
    """Run notebook ``08_editions`` as the ``research`` stage through the pipeline (``runs/research/<id>``).

    The archive and the instruments and crosswalks are the run's inputs (hashed into the manifest, so that
    ``vielfalt verify`` can replay the comparison).

    Parameters
    ----------
    project_root : path
    archive_dir : path, optional
        Default ``<project_root>/archive``.
    editions : str, optional
        Comma-separated editions; default all.
    lang : {"de", "en"}, default "de"
    quiet : bool, default False

    Returns
    -------
    vielfalt.runs.runner.RunResult
    """
    from vielfalt.runs import runner as pipeline

    root = Path(project_root)
    archive = Path(archive_dir) if archive_dir else root / "archive"
    if not (archive / ARCHIVE_META).is_file():
        msg = (
            f"Im Ordner {archive} gibt es kein Forschungsarchiv. Erst Editionen archivieren: vielfalt archive ED "
            "(oder vielfalt demo für das Demo-Archiv)."
        )
        raise DataError(msg, path=str(archive))
    spec = pipeline.StageSpec(
        name="research",
        notebook=root / "notebooks" / "08_editions.py",
        parameters={"archive_dir": str(archive.resolve()), "editions": editions or "", "lang": lang},
    )
    tick = {"t": time.monotonic()}

    def progress(name: str, index: int, total: int, status: str) -> None:
        if quiet:
            return
        if status == "running":
            tick["t"] = time.monotonic()
            print(f"[{index}/{total}] Stufe {name} läuft …", flush=True)
        else:
            word = {"complete": "fertig", "failed": "FEHLGESCHLAGEN"}.get(status, status)
            print(
                f"[{index}/{total}] Stufe {name}: {word} ({time.monotonic() - tick['t']:.1f} s)", flush=True
            )

    # logical input names: paths relative to the project, or absolute for an archive elsewhere (replay
    # resolves them the same way)
    try:
        name = archive.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        name = archive.resolve().as_posix()
    inputs = {"params/questionnaire": root / "params" / "questionnaire", name: archive}
    return pipeline.run_stages(
        [spec],
        runs_root=root / "runs",
        edition="research",
        inputs=inputs,
        progress=progress,
        project_root=root,
    )


#: Displayed headings of the research tables (column → German, English); the artefacts keep the codes.
DISPLAY_HEADINGS: dict[str, tuple[str, str]] = {
    "key": ("Archivschlüssel", "archive key"),
    "edition": ("Edition", "edition"),
    "editions": ("Editionen", "editions"),
    "n_editions": ("Anzahl Editionen", "number of editions"),
    "first_total": ("Gesamtpunkte zuerst", "first total"),
    "last_total": ("Gesamtpunkte zuletzt", "last total"),
    "change": ("Veränderung", "change"),
    "year": ("Jahr", "year"),
    "category": ("Kategorie", "category"),
    "k": ("k (Empfehlungen)", "k (recommended)"),
    "precision_at_k": ("Präzision@k", "precision@k"),
    "kendall_tau": ("Kendalls τ", "Kendall's τ"),
    "item": ("Item", "item"),
    "column": ("Spalte", "column"),
    "questionnaire": ("Fragebogen", "questionnaire"),
    "status": ("Status", "status"),
    "counterpart": ("Gegenstück", "counterpart"),
    "reason": ("Grund", "reason"),
}


def display_table(df: pd.DataFrame, *, lang: str = "de") -> pd.DataFrame:
    """A research table for display: the same values under German headings (English with ``lang="en"``).

    Columns without a heading in :data:`DISPLAY_HEADINGS` keep their name; the frame passed in is unchanged
    (the ``research/*`` artefacts keep their column codes).

    Examples
    --------
    >>> display_table(pd.DataFrame({"key": ["a"], "n_editions": [2]})).columns.tolist()
    ['Archivschlüssel', 'Anzahl Editionen']
    >>> display_table(pd.DataFrame({"key": ["a"]}), lang="en").columns.tolist()
    ['archive key']
    """
    i = 1 if lang == "en" else 0
    return df.rename(columns={c: h[i] for c, h in DISPLAY_HEADINGS.items() if c in df.columns})
