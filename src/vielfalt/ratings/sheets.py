"""Rating design, rating sheets and their read-back (re-exported by :mod:`vielfalt.ratings.reliability`).

Every free text is rated by at least ``k`` evaluators; the load is balanced; and the bipartite graph
raters–entries is connected, so that rater severity can be estimated on one common scale (METHODS.md §4).
The design is checked, and the check is reported rather than assumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vielfalt.columns import ENTRY_ID, ROW, SOURCE
from vielfalt.exceptions import DataError

__all__ = [
    "DesignCheck",
    "RatingReturn",
    "SHEET_HEADINGS",
    "check_design",
    "design_ratings",
    "read_rating_sheets",
]

RATER = "rater"
ITEM = "item"
RATING = "rating"
NOTE = "note"

SHEET_HEADINGS = {
    "de": ["Edition", "Eintrag", "Item", "Kriterium", "Frage", "Antworttext", "Bewertung (0–4)", "Notiz"],
    "en": ["Edition", "Entry", "Item", "Criterion", "Question", "Answer text", "Rating (0–4)", "Note"],
}
_HEADING_KEYS = ["edition", ENTRY_ID, ITEM, "criterion", "question", "text", RATING, NOTE]


@dataclass
class DesignCheck:
    """Result of checking a rating design."""

    connected: bool
    components: list[list[str]]
    load: dict[str, int]
    min_raters_per_entry: int
    pairs: dict[str, int] = field(default_factory=dict)

    def message(self, lang: str = "de") -> str:
        """One sentence for evaluators."""
        loads = ", ".join(f"{r}: {n}" for r, n in sorted(self.load.items()))
        if self.connected:
            return (
                f"Bewertungsplan verbunden (Strenge der Gutachtenden schätzbar); Einträge je Person: {loads}; "
                f"mindestens {self.min_raters_per_entry} Gutachtende je Text."
                if lang == "de"
                else f"Design connected (rater severity identifiable); entries per rater: {loads}; "
                f"at least {self.min_raters_per_entry} raters per text."
            )
        groups = " | ".join(", ".join(c[:5]) + ("…" if len(c) > 5 else "") for c in self.components)
        return (
            f"Bewertungsplan NICHT verbunden ({len(self.components)} Teile: {groups}); die Strenge kann nur "
            "innerhalb jedes Teils geschätzt werden."
            if lang == "de"
            else f"Design NOT connected ({len(self.components)} parts: {groups}); severity is only "
            "comparable within each part."
        )


def design_ratings(
    entries: pd.DataFrame | list[str],
    raters: list[str],
    *,
    per_text: int = 2,
    seed: int = 0,
    conflicts: dict[str, list[str]] | None = None,
    groups: pd.Series | None = None,
) -> pd.DataFrame:
    """Assign each entry to `per_text` raters: balanced, connected, respecting declared conflicts.

    Entries are shuffled with the seed (so no rater systematically gets one category), then walked in
    order — grouped by `groups` (e.g. size category) when given — and entry j goes to the `per_text`
    least-loaded non-conflicted raters, starting from the rater after the previous entry's first rater.
    Consecutive entries therefore share a rater, which keeps the bipartite graph connected, and the
    least-loaded choice keeps loads within one of each other.

    Parameters
    ----------
    entries : DataFrame or list of str
        Entry ids (the index of a DataFrame).
    raters : list of str
        Evaluator ids.
    per_text : int, default 2
    seed : int, default 0
    conflicts : dict, optional
        Rater id → entry ids the rater must not rate (declared conflicts of interest).
    groups : Series, optional
        Group label per entry id, to spread every group over all raters.

    Returns
    -------
    DataFrame
        Columns ``entry_id``, ``rater``; sorted by entry, then rater.
    """
    ids = list(entries.index) if isinstance(entries, pd.DataFrame) else list(entries)
    if not raters:
        msg = "Die Edition nennt keine Gutachtenden (evaluators); ohne sie gibt es keinen Bewertungsplan."
        raise DataError(msg)
    if per_text < 1:
        msg = f"The 'per_text' parameter of design_ratings must be ≥ 1. Got {per_text} instead."
        raise DataError(msg)
    k = min(per_text, len(raters))
    rng = np.random.default_rng(seed)
    order = [ids[i] for i in rng.permutation(len(ids))]
    if groups is not None:
        rank = {g: i for i, g in enumerate(sorted(groups.astype(str).unique()))}
        order.sort(key=lambda e: rank[str(groups.get(e))])  # stable: shuffled within each group
    conflicts = conflicts or {}
    blocked = {r: set(v) for r, v in conflicts.items()}
    load = dict.fromkeys(raters, 0)
    start = 0
    rows = []
    n_r = len(raters)
    for e in order:
        ring = [raters[(start + j) % n_r] for j in range(n_r)]
        free = [r for r in ring if e not in blocked.get(r, set())]
        # prefer the rotation's first rater (shared with the previous entry: connectivity), then least loaded
        chosen = free[:1]
        rest = sorted(free[1:], key=lambda r: (load[r], ring.index(r)))
        chosen += rest[: k - 1]
        for r in chosen:
            load[r] += 1
            rows.append((e, r))
        start = (raters.index(chosen[-1]) if chosen else start + 1) % n_r
    return pd.DataFrame(rows, columns=[ENTRY_ID, RATER]).sort_values([ENTRY_ID, RATER]).reset_index(drop=True)


def check_design(design: pd.DataFrame) -> DesignCheck:
    """Check a rater–entry design: connectivity of the bipartite graph, loads, raters per entry.

    Connectivity by union–find over the bipartite graph (rater nodes and entry nodes).

    Examples
    --------
    >>> d = pd.DataFrame({"entry_id": ["a", "a", "b", "b"], "rater": ["R1", "R2", "R2", "R3"]})
    >>> check_design(d).connected
    True
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e, r in design[[ENTRY_ID, RATER]].itertuples(index=False):
        a, b = find("e:" + str(e)), find("r:" + str(r))
        if a != b:
            parent[a] = b
    comps: dict[str, list[str]] = {}
    for node in list(parent):
        if node.startswith("r:"):
            comps.setdefault(find(node), []).append(node[2:])
    raters_in_design = sorted({str(r) for r in design[RATER]})
    components = sorted((sorted(v) for v in comps.values()), key=lambda c: c[0])
    load = design.groupby(RATER).size().astype(int).to_dict()
    per_entry = design.groupby(ENTRY_ID)[RATER].nunique()
    pairs: dict[str, int] = {}
    for _, grp in design.groupby(ENTRY_ID):
        rs = sorted(grp[RATER].astype(str))
        for i in range(len(rs)):
            for j in range(i + 1, len(rs)):
                key = f"{rs[i]}–{rs[j]}"
                pairs[key] = pairs.get(key, 0) + 1
    entry_roots = {find("e:" + str(e)) for e in design[ENTRY_ID]}
    return DesignCheck(
        connected=len(entry_roots) <= 1 and len(components) <= 1 and bool(raters_in_design),
        components=components,
        load={str(k): int(v) for k, v in load.items()},
        min_raters_per_entry=int(per_entry.min()) if len(per_entry) else 0,
        pairs=pairs,
    )


@dataclass
class RatingReturn:
    """Ratings read back from returned sheets, with everything that was wrong or missing."""

    ratings: pd.DataFrame  # entry_id, item, rater, rating, note
    failures: pd.DataFrame  # source, row, entry_id, item, column, check, value, severity, reason, fix
    missing: pd.DataFrame  # entry_id, item, rater: assigned but not rated
    sheets: list[dict[str, Any]] = field(default_factory=list)

    def summary(self, lang: str = "de") -> str:
        """Counts for evaluators."""
        n_exp = len(self.ratings) + len(self.missing)
        errs = int((self.failures["severity"] == "error").sum()) if len(self.failures) else 0
        if lang == "de":
            return (
                f"{len(self.sheets)} Bögen gelesen: {len(self.ratings)} von {n_exp} erwarteten Bewertungen "
                f"liegen vor, {len(self.missing)} fehlen, {errs} Zeilen fehlerhaft (nicht verwendet)."
            )
        return (
            f"{len(self.sheets)} sheets read: {len(self.ratings)} of {n_exp} expected ratings present, "
            f"{len(self.missing)} missing, {errs} rows invalid (not used)."
        )


RATING_MESSAGES = {
    "other_edition": {
        "de": "Bogen gehört zur Edition „{value}“, nicht zu „{edition}“.",
        "en": "Sheet belongs to edition '{value}', not '{edition}'.",
    },
    "unknown_entry": {
        "de": "Eintrag „{value}“ ist nicht angenommen (unbekannt oder zurückgestellt).",
        "en": "Entry '{value}' is not accepted (unknown or quarantined).",
    },
    "not_assigned": {
        "de": "Eintrag „{value}“ war dieser Person nicht zugeteilt.",
        "en": "Entry '{value}' was not assigned to this rater.",
    },
    "bad_rating": {
        "de": "„{value}“ ist keine Bewertung von 0 bis 4.",
        "en": "'{value}' is not a rating from 0 to 4.",
    },
    "unknown_item": {
        "de": "„{value}“ ist kein bewerteter Freitext.",
        "en": "'{value}' is not a rated free text.",
    },
    "duplicate": {
        "de": "Bewertung doppelt ({value}); die letzte zählt.",
        "en": "Rating twice ({value}); the last counts.",
    },
    "no_ratings": {"de": "Person {value} hat nichts bewertet.", "en": "Rater {value} rated nothing."},
    "unreadable": {"de": "Bogen nicht lesbar: {value}", "en": "Sheet not readable: {value}"},
    "unknown_rater": {
        "de": "Gutachter/in „{value}“ ist in der Edition nicht aufgeführt.",
        "en": "Rater '{value}' is not listed in the edition.",
    },
}
RATING_FIXES = {
    "other_edition": {
        "de": "Den Bogen der richtigen Edition zurückgeben.",
        "en": "Return the sheet of this edition.",
    },
    "unknown_entry": {
        "de": "Zeile löschen; zurückgestellte Einträge werden nicht bewertet.",
        "en": "Delete the row; quarantined entries are not rated.",
    },
    "not_assigned": {
        "de": "Zuteilung prüfen; die Bewertung wird trotzdem verwendet.",
        "en": "Check the assignment; the rating is used anyway.",
    },
    "bad_rating": {"de": "Eine ganze Zahl von 0 bis 4 eintragen.", "en": "Enter a whole number from 0 to 4."},
    "unknown_item": {"de": "Spalte Item nicht verändern.", "en": "Do not change the item column."},
    "duplicate": {"de": "Doppelte Zeile löschen.", "en": "Delete the duplicate row."},
    "no_ratings": {"de": "Bogen ausfüllen lassen.", "en": "Have the sheet filled in."},
    "unreadable": {"de": "Als .xlsx oder .csv speichern.", "en": "Save as .xlsx or .csv."},
    "unknown_rater": {
        "de": "Dateiname bewertung_<edition>_<Kürzel>.xlsx verwenden.",
        "en": "Name the file bewertung_<edition>_<id>.xlsx.",
    },
}


def _sheet_table(path: Path) -> tuple[pd.DataFrame, int]:
    """Read a returned sheet (XLSX as handed out, or CSV) into the canonical columns; returns (table, header row)."""
    from vielfalt.intake import read as ingest

    raw = ingest.read_table(path)
    # the handed-out sheets have two title lines above the heading: find the heading row
    heads_de = SHEET_HEADINGS["de"]
    heads_en = SHEET_HEADINGS["en"]
    cols = [str(c) for c in raw.columns]
    if cols[: len(heads_de)] in (heads_de, heads_en):
        table, header_row = raw.iloc[:, : len(heads_de)].copy(), 1
    else:
        header_row = None
        for i, row in enumerate(raw.itertuples(index=False)):
            vals = [str(v) for v in row[: len(heads_de)]]
            if vals in (heads_de, heads_en):
                header_row = int(raw.index[i])
                table = raw.iloc[i + 1 :, : len(heads_de)].copy()
                break
        if header_row is None:
            msg = f"{path.name}: keine Überschriftenzeile „{' | '.join(heads_de[:3])} …“ gefunden."
            raise DataError(msg, path=str(path))
    table.columns = _HEADING_KEYS
    table = table[(table[ENTRY_ID].astype(str).str.strip() != "")]
    return table, header_row


def read_rating_sheets(
    paths: list[Path],
    *,
    edition: str,
    design: pd.DataFrame,
    accepted: set[str],
    rubric_items: list[str],
    raters: list[str],
    lang: str = "de",
) -> RatingReturn:
    """Read returned rating sheets and validate every row; partial returns are accepted and reported.

    The rater is taken from the file name ``bewertung_<edition>_<rater>.xlsx`` (as handed out), so a sheet
    forwarded to a colleague still counts for the person it was assigned to. Missing ratings stay missing
    (never zero): they are listed in ``missing``.
    """
    fails: list[tuple[Any, ...]] = []
    good: list[tuple[str, str, str, float, str]] = []
    sheets = []

    def fail(
        key: str,
        src: str,
        row: Any,
        entry: Any,
        item: Any,
        column: Any,
        value: Any,
        sev: str = "error",
        **kw: Any,
    ) -> None:
        reason = RATING_MESSAGES[key][lang].format(value=value, edition=edition, **kw)
        fails.append((src, row, entry, item, column, key, value, sev, reason, RATING_FIXES[key][lang]))

    assigned = set(zip(design[ENTRY_ID].astype(str), design[RATER].astype(str), strict=True))
    for path in sorted(paths):
        stem = path.stem
        rater = stem.rsplit("_", 1)[-1]  # bewertung_<edition>_<rater>: the edition is checked per row
        if rater not in raters:
            fail("unknown_rater", path.name, None, None, None, None, rater)
            continue
        if Path(path).resolve().parent != Path(path).parent.resolve():
            # a link to a file elsewhere: the ratings folder holds the sheets themselves, nothing it points to
            where = (
                f"Verknüpfung auf eine Datei außerhalb von {Path(path).parent}; "
                "bitte den Bogen selbst ablegen"
                if lang == "de"
                else f"a link to a file outside {Path(path).parent}; please put the sheet itself there"
            )
            fail("unreadable", path.name, None, None, None, None, where)
            continue
        try:
            table, _ = _sheet_table(path)
        except DataError as err:
            fail("unreadable", path.name, None, None, None, None, str(err))
            continue
        sheets.append({"file": path.name, "rater": rater, "rows": len(table)})
        other_eds = set(table["edition"].astype(str).str.strip()) - {edition, ""}
        if other_eds:
            fail("other_edition", path.name, None, None, None, "Edition", ", ".join(sorted(other_eds)))
            continue
        for r, rec in table.iterrows():
            entry = str(rec[ENTRY_ID]).strip()
            item = str(rec[ITEM]).strip()
            value = str(rec[RATING]).strip()
            if item not in rubric_items:
                fail("unknown_item", path.name, r, entry, item, "Item", item)
                continue
            if entry not in accepted:
                fail("unknown_entry", path.name, r, entry, item, "Eintrag", entry)
                continue
            if value == "":
                continue  # not rated yet: reported as missing below, never read as 0
            try:
                num = float(value.replace(",", "."))
            except ValueError:
                num = float("nan")
            if num not in (0, 1, 2, 3, 4):
                fail("bad_rating", path.name, r, entry, item, "Bewertung", value)
                continue
            if (entry, rater) not in assigned:
                fail("not_assigned", path.name, r, entry, item, "Eintrag", entry, sev="warning")
            good.append((entry, item, rater, num, str(rec[NOTE] or "")))
    ratings = pd.DataFrame(good, columns=[ENTRY_ID, ITEM, RATER, RATING, NOTE])
    dup = ratings.duplicated([ENTRY_ID, ITEM, RATER], keep="last")
    for rec in ratings[dup].itertuples(index=False):
        fails.append(
            (
                f"bewertung_{edition}_{rec.rater}",
                None,
                rec.entry_id,
                rec.item,
                "Bewertung",
                "duplicate",
                rec.rating,
                "warning",
                RATING_MESSAGES["duplicate"][lang].format(value=f"{rec.entry_id}/{rec.item}"),
                RATING_FIXES["duplicate"][lang],
            )
        )
    ratings = ratings[~dup].sort_values([ENTRY_ID, ITEM, RATER]).reset_index(drop=True)
    expected = design.merge(pd.DataFrame({ITEM: rubric_items}), how="cross")
    have = set(zip(ratings[ENTRY_ID], ratings[ITEM], ratings[RATER], strict=True))
    missing = expected[
        [
            (e, i, r) not in have
            for e, i, r in zip(expected[ENTRY_ID], expected[ITEM], expected[RATER], strict=True)
        ]
    ]
    for r in raters:
        if r in set(design[RATER]) and r not in set(ratings[RATER]):
            fails.append(
                (
                    None,
                    None,
                    None,
                    None,
                    None,
                    "no_ratings",
                    r,
                    "warning",
                    RATING_MESSAGES["no_ratings"][lang].format(value=r),
                    RATING_FIXES["no_ratings"][lang],
                )
            )
    failures = pd.DataFrame(
        fails, columns=[SOURCE, ROW, ENTRY_ID, ITEM, "column", "check", "value", "severity", "reason", "fix"]
    )
    return RatingReturn(
        ratings=ratings, failures=failures, missing=missing.reset_index(drop=True), sheets=sheets
    )
