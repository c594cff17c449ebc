"""The rating design: which evaluators rate which entry's free texts (METHODS.md §4).

Every free text is rated by at least ``k`` evaluators; the load is balanced; and the bipartite graph
raters–entries is connected, so that rater severity can be estimated on one common scale. The design is
checked, and the check is reported rather than assumed. The sheets handed out and read back are in
:mod:`vielfalt.ratings.sheets`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vielfalt._params import Interval, Predicate, check_param
from vielfalt.columns import ENTRY_ID
from vielfalt.exceptions import DataError
from vielfalt.i18n import t

__all__ = ["RATER", "DesignCheck", "check_design", "design_ratings"]

RATER = "rater"

#: ``per_text`` is a whole number of raters, at least one (the message says "≥ 1", as it always has).
_AT_LEAST_ONE = Predicate(Interval(int, 1, None).accepts, ("≥ 1", "≥ 1"))


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
            return t("ratings.design_connected", lang, loads=loads, k=self.min_raters_per_entry)
        groups = " | ".join(", ".join(c[:5]) + ("…" if len(c) > 5 else "") for c in self.components)
        return t("ratings.design_not_connected", lang, n=len(self.components), groups=groups)


def design_ratings(
    entries: pd.DataFrame | list[str],
    raters: list[str],
    *,
    per_text: int = 2,
    seed: int = 0,
    conflicts: dict[str, list[str]] | None = None,
    groups: pd.Series | None = None,
    lang: str = "de",
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
    lang : {"de", "en"}, default "de"
        Language of the message when the edition names no evaluators.

    Returns
    -------
    DataFrame
        Columns ``entry_id``, ``rater``; sorted by entry, then rater.

    Raises
    ------
    DataError
        When there are no raters.
    ConfigError
        When ``per_text`` is not a whole number ≥ 1.
    """
    ids = list(entries.index) if isinstance(entries, pd.DataFrame) else list(entries)
    if not raters:
        msg = t("ratings.no_evaluators", lang)
        raise DataError(msg)
    check_param("per_text", per_text, [_AT_LEAST_ONE], func="design_ratings")
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

    Parameters
    ----------
    design : DataFrame
        ``entry_id``, ``rater``: one row per assignment.

    Returns
    -------
    DesignCheck
        Whether the design is connected, its components, the load per rater and the raters per entry.

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
