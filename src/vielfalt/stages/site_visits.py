"""The site-visit stage (``05_site_visits``): candidates per category with reasons, frozen before names.

The rule and the candidate list are computed on pseudonyms and hashed first; only then are names and the
contact person joined for the visit plan (institute only) and the checklist the visitors fill in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from vielfalt.columns import CATEGORY, ENTRY_ID
from vielfalt.config.edition import Edition, load_context
from vielfalt.config.questionnaire import Questionnaire, column_name
from vielfalt.i18n import t
from vielfalt.outputs.spreadsheets import write_csv, write_xlsx
from vielfalt.runs.manifest import read_artefact, sha256_file, write_artefact, write_json_artefact
from vielfalt.selection import (
    STATUSES,
    freeze,
    plausibility_flags,
    select_site_visits,
    status_label,
)
from vielfalt.stages._common import headings, organisation_names
from vielfalt.stages.robustness import rank_headings

__all__ = ["BLIND_COLUMNS", "SiteVisitsResult", "selection_summary", "site_visits_stage"]

#: The columns of the visit plan besides the contact person's (headings: ``stages.plan_<column>``).
PLAN_COLUMNS = [
    "priority",
    "category",
    ENTRY_ID,
    "name",
    "status",
    "total",
    "interval",
    "P_topk",
    "reason_text",
    "visit_consent",
    "date",
    "visitors",
    "visit_note",
]
#: The columns of the candidate list without names (``site_visits/blind_<ed>.csv``).
BLIND_COLUMNS = [
    ENTRY_ID,
    CATEGORY,
    "status",
    "selected",
    "priority",
    "reasons",
    "Nominal",
    "Q5",
    "Q95",
    "P_topk",
]
#: The columns of the checklist (headings: ``stages.checklist_<column>``), as the jury stage reads it back.
CHECKLIST_COLUMNS = [
    ENTRY_ID,
    "name",
    "measure",
    "measure_text",
    "result",
    "rating",
    "note",
    "visitor",
    "legal_resolved",
]
#: Column widths of the visit plan by column; every contact column gets :data:`_CONTACT_WIDTH`.
_PLAN_WIDTHS = {"category": 22, ENTRY_ID: 16, "name": 30, "reason_text": 80, "date": 14, "visit_note": 40}
_CONTACT_WIDTH = 22


@dataclass
class SiteVisitsResult:
    """What the site_visits stage produced."""

    candidates: pd.DataFrame  # on pseudonyms, as frozen
    table: pd.DataFrame  # for display, with names joined after freezing
    plan: pd.DataFrame
    plan_view: pd.DataFrame  # the plan for the report: headings in the reader's language, no contact data
    summary: list[str]
    freeze: dict[str, str]
    files: dict[str, Path] = field(default_factory=dict)


def selection_summary(candidates: pd.DataFrame, ed: Edition, lang: str = "de") -> list[str]:
    """One line per category: capacity, how many clear / borderline / verify, who is on the list.

    Parameters
    ----------
    candidates : DataFrame
        The candidate list (:func:`~vielfalt.selection.candidates.select_site_visits`).
    ed : Edition
        Gives the category labels and the tie rule.
    lang : {"de", "en"}, default "de"

    Returns
    -------
    list of str
    """
    lines = []
    for c, part in candidates.groupby(CATEGORY, sort=True):
        counts = part["status"].value_counts()
        chosen = part[part["selected"]].sort_values("priority")
        ties = part["reasons"].str.contains("TIE_AT_CUT").sum()
        lines.append(
            t(
                "stages.selection_line",
                lang,
                label=ed.category_scheme.label(str(c), lang),
                n=len(part),
                k=int(part["k"].iloc[0]),
                statuses=", ".join(f"{int(counts.get(s, 0))} {status_label(s, lang)}" for s in STATUSES),
                visited=len(chosen),
                ids=", ".join(map(str, chosen.index)) or "—",
                ties=t("stages.selection_ties", lang, n=ties, rule=ed.tie_rule) if ties else "",
            )
        )
    return lines


def _contact_columns(q: Questionnaire, lang: str) -> dict[str, str]:
    """Response column → heading of the contact person's data in the visit plan (institute only).

    The columns are the ``pii`` sub-questions of the questionnaire's ``contact`` item, in its order: the
    first headed by the item's label (the person), the others by their own labels. No ``contact`` role: none.
    """
    ref = q.roles.contact
    if ref is None:
        return {}
    if ref not in q.items:  # the role names a single column
        return {ref: q.item(ref.split("[", 1)[0]).label.get(lang)}
    item = q.items[ref]
    subs = [s for s in item.subs or [] if s.pii] or list(item.subs or [])
    if not subs:
        return {ref: item.label.get(lang)}
    return {
        column_name(item.id, s.code): (item.label if i == 0 else s.label).get(lang)
        for i, s in enumerate(subs)
    }


def _visit_plan(
    candidates: pd.DataFrame, entries: pd.DataFrame, ed: Edition, q: Questionnaire, lang: str
) -> pd.DataFrame:
    """The selected entries with names and contacts joined (institute only), sorted for scheduling."""
    chosen = candidates[candidates["selected"]].copy()
    e = entries.reindex(chosen.index)

    def col(name: str) -> pd.Series:
        return e[name] if name in e else pd.Series(None, index=e.index, dtype=object)

    columns: dict[str, object] = {
        "priority": chosen["priority"].astype("Int64"),
        "category": [ed.category_scheme.label(str(c), lang) for c in chosen[CATEGORY]],
        ENTRY_ID: chosen.index,
        "name": organisation_names(entries, q, chosen.index),
        "status": [status_label(s, lang) for s in chosen["status"]],
        "total": chosen["total"].round(1),
        "interval": [
            f"{r.Nominal:g} ({r.Q5:g}–{r.Q95:g})" for r in chosen[["Nominal", "Q5", "Q95"]].itertuples()
        ],
        "P_topk": chosen["P_topk"].round(2),
        "reason_text": chosen["reason_text"],
    }
    columns.update({c: col(c) for c in _contact_columns(q, lang)})
    if q.roles.consent_visit:
        yes, no = t("stages.consent_yes", lang), t("stages.consent_no", lang)
        columns["visit_consent"] = [yes if v else no for v in col(q.roles.consent_visit).eq(True)]
    columns.update({"date": None, "visitors": None, "visit_note": None})
    return pd.DataFrame(columns, index=chosen.index).reset_index(drop=True)


def _visit_checklist(
    candidates: pd.DataFrame, entries: pd.DataFrame, q: Questionnaire, lang: str
) -> pd.DataFrame:
    """One row per claimed measure (a ticked option in the measures section) of each visited entry, plus one
    row for the evidence section: the form the jury stage reads back as ``site_visits.xlsx``."""
    rows = []
    chosen = candidates[candidates["selected"]].sort_values([CATEGORY, "priority"])
    measures = q.roles.measures_section
    items = (
        [it for sec, it in q.iter_items() if sec.id == measures and it.type == "multi"] if measures else []
    )
    evidence = q.roles.evidence_section
    evidence_text = (
        t("stages.evidence_row", lang, section=q.section(evidence).label.get(lang)) if evidence else ""
    )
    names = organisation_names(entries, q)
    for eid in chosen.index:
        e = entries.loc[eid]
        name = names.get(eid)
        for it in items:
            for o in it.options or []:
                col = column_name(it.id, o.code)
                if col in e.index and isinstance(e[col], bool | np.bool_) and e[col]:
                    rows.append((eid, name, col, f"{it.label.get(lang)}: {o.label.get(lang)}"))
        if evidence:
            rows.append((eid, name, evidence, evidence_text))
    return pd.DataFrame([(*r, None, None, None, None, None) for r in rows], columns=CHECKLIST_COLUMNS)


def _letter(position: int) -> str:
    """The spreadsheet column letter of a 0-based position (0 → A, 26 → AA)."""
    out = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        out = chr(65 + rest) + out
    return out


def site_visits_stage(
    project_root: str | Path, edition: str, run_dir: str | Path, *, lang: str | None = None
) -> SiteVisitsResult:
    """Select site-visit candidates per category with reasons; freeze them; then write the visit plan.

    The rule and the candidate list are computed on pseudonyms and written with their sha256
    (``site_visits/rule.json``, ``site_visits/candidates.parquet``, ``site_visits/freeze.json``; all three
    are hashed in the manifest) before names are joined for ``site_visits/besuchsplan_<ed>.xlsx`` (institute
    only: names and contact persons, to schedule from), ``site_visits/pruefliste_<ed>.xlsx`` (the checklist
    the visitors fill in) and ``site_visits/blind_<ed>.csv`` (pseudonyms only).

    Parameters
    ----------
    project_root : path
    edition : str
    run_dir : path
        The run folder with the artefacts of intake, scoring and robustness.
    lang : {"de", "en"}, optional
        Language of the files and the summary; default the edition's.

    Returns
    -------
    SiteVisitsResult
    """
    ed, q = load_context(project_root, edition)
    lang = lang or ed.language
    run_dir = Path(run_dir)
    stats = read_artefact(run_dir, "robustness/rank_stats", produced_by="robustness")
    scores = read_artefact(run_dir, "scoring/scores", produced_by="scoring")
    indicators = read_artefact(run_dir, "scoring/indicators", produced_by="scoring")
    flags = read_artefact(run_dir, "scoring/flags", produced_by="scoring")
    failures = read_artefact(run_dir, "intake/failures", produced_by="intake")
    entries = read_artefact(run_dir, "intake/entries", produced_by="intake")
    # names and contact data stay out of everything computed before the freeze
    named = {*q.contact_columns(), *q.role_columns("organisation_name")}
    pseudonymous = entries.drop(columns=[c for c in entries.columns if c in named])

    plaus = plausibility_flags(
        pseudonymous,
        q,
        indicators=indicators,
        flags=flags,
        failures=failures,
        settings=ed.selection,
        seed=ed.seed,
        lang=lang,
    )
    candidates = select_site_visits(
        stats,
        scores["total"],
        plaus,
        capacity=ed.capacity,
        settings=ed.selection,
        tie_rule=ed.tie_rule,
        lang=lang,
    )
    rule = {
        "method": "METHODS.md §5",
        "capacity": dict(ed.capacity),
        "selection": ed.selection.model_dump(mode="json"),
        "tie_rule": ed.tie_rule,
        "seed": ed.seed,
        "priority": ["clear by nominal rank", "borderline by P(rank<=k)", "free places by P(rank<=k), rank"],
    }
    write_artefact(plaus, run_dir, "site_visits/plausibility")
    write_json_artefact(rule, run_dir, "site_visits/rule")
    cand_path = write_artefact(candidates, run_dir, "site_visits/candidates")
    frozen = freeze(rule, candidates)
    frozen["candidates_artefact_sha256"] = sha256_file(cand_path)
    write_json_artefact(frozen, run_dir, "site_visits/freeze")

    # names are joined only now, after the list is frozen
    plan = _visit_plan(candidates, entries, ed, q, lang)
    contacts = _contact_columns(q, lang)
    heads = {**headings("plan", PLAN_COLUMNS, lang), **contacts}
    sheet, all_sheet, rule_sheet = (t(f"stages.sheet_{s}", lang) for s in ("plan", "all_entries", "rule"))
    everyone = candidates.assign(name=organisation_names(entries, q, candidates.index)).reset_index()[
        [
            ENTRY_ID,
            "name",
            CATEGORY,
            "status",
            "selected",
            "priority",
            "total",
            "Nominal",
            "Q5",
            "Q95",
            "P_topk",
            "reasons",
            "reason_text",
        ]  # fmt: skip
    ]
    rule_rows = pd.DataFrame(
        {
            "key": ["rule_sha256", "candidates_sha256", "tie_rule", "borderline", "capacity"],
            "value": [
                frozen["rule_sha256"],
                frozen["candidates_sha256"],
                ed.tie_rule,
                f"{ed.selection.borderline[0]:g}–{ed.selection.borderline[1]:g}",
                ", ".join(f"{c}: {k}" for c, k in sorted(ed.capacity.items())),
            ],
        }
    )
    widths = {**_PLAN_WIDTHS, **dict.fromkeys(contacts, _CONTACT_WIDTH)}
    xlsx = write_xlsx(
        {sheet: plan, all_sheet: everyone, rule_sheet: rule_rows},
        run_dir / "site_visits" / f"besuchsplan_{ed.edition}.xlsx",
        headers={
            sheet: [heads[c] for c in plan.columns],
            all_sheet: [heads.get(c, c) for c in everyone.columns],
            rule_sheet: [t("stages.rule_key", lang), t("stages.rule_value", lang)],
        },
        title_rows={sheet: [t("stages.plan_title", lang, title=ed.title.get(lang))]},
        column_widths={sheet: {_letter(i): widths[c] for i, c in enumerate(plan.columns) if c in widths}},
    )
    checklist = _visit_checklist(candidates, entries, q, lang)
    first, last = 3, 2 + max(1, len(checklist))
    check_sheet = t("stages.sheet_checklist", lang)
    checklist_xlsx = write_xlsx(
        {check_sheet: checklist},
        run_dir / "site_visits" / f"pruefliste_{ed.edition}.xlsx",
        headers={check_sheet: list(headings("checklist", CHECKLIST_COLUMNS, lang).values())},
        title_rows={
            check_sheet: [t("stages.checklist_title", lang, title=ed.title.get(lang), edition=ed.edition)]
        },
        column_widths={
            check_sheet: {"A": 16, "B": 30, "C": 28, "D": 60, "E": 18, "F": 12, "G": 50, "H": 14, "I": 14}
        },
        validations={
            check_sheet: [
                (
                    f"E{first}:E{last}",
                    t("stages.checklist_results", lang),
                    t("stages.checklist_result_prompt", lang),
                ),
                (f"F{first}:F{last}", "0,1,2,3,4", "0–4"),
                (
                    f"I{first}:I{last}",
                    t("stages.checklist_yes_no", lang),
                    t("stages.checklist_yes_no_prompt", lang),
                ),
            ]
        },
    )
    blind = write_csv(
        candidates.reset_index()[BLIND_COLUMNS],
        run_dir / "site_visits" / f"blind_{ed.edition}.csv",
    )

    table = everyone.copy()
    table["category"] = [ed.category_scheme.label(str(c), lang) for c in table["category"]]
    table["status"] = [status_label(s, lang) for s in table["status"]]
    table["selected"] = table["selected"].map({True: t("common.yes", lang), False: t("common.no", lang)})
    table = table.rename(columns=rank_headings(lang))
    return SiteVisitsResult(
        candidates=candidates,
        table=table,
        plan=plan,
        plan_view=plan.drop(columns=list(contacts)).rename(columns=heads),
        summary=[
            *selection_summary(candidates, ed, lang),
            t(
                "stages.frozen",
                lang,
                rule=frozen["rule_sha256"][:16],
                candidates=frozen["candidates_sha256"][:16],
            ),
        ],
        freeze=frozen,
        files={"plan": xlsx, "checklist": checklist_xlsx, "blind": blind},
    )
