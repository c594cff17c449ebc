"""Crosswalks between two versions of the questionnaire: which item maps to which, which are new or dropped.

A crosswalk lives in ``params/questionnaire/crosswalk-<a>-<b>.yaml`` and reads::

    from: vg2010
    to: vg2015
    renamed:  [{from: Q6, to: Q10, codes: {keines: keine}, note: {de: …}}]
    dropped:  [{item: Q2, reason: {de: …}}]
    new:      [{item: Q8, reason: {de: …}}]
    changed:  [{item: Q7, reason: {de: …}}]     # same code, but not comparable

Items that exist in both instruments under the same code and are not listed under ``changed`` are compared
as they are. :func:`load_crosswalk` checks the file against both instruments: every item it names must exist
where it says (an unknown item is an :class:`~vielfalt.exceptions.InstrumentError` naming it, with a
did-you-mean), and every item that is not in both under the same code must be accounted for as renamed,
dropped or new, so that a comparison can always say which items it could not compare.

Within a mapped item, sub-question and option codes map to themselves unless ``codes`` renames them; a
column without counterpart (an option added in the newer instrument) is reported as not comparable.
Answer codes of single-choice items are compared as they are; an item whose answer codes changed meaning
belongs under ``changed``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from vielfalt.config._yaml import did_you_mean, model_from_yaml
from vielfalt.config.questionnaire import Item, Label, Questionnaire, load_questionnaire, questionnaire_path
from vielfalt.exceptions import InstrumentError

__all__ = [
    "COMPARISON_COLUMNS",
    "Crosswalk",
    "ItemMap",
    "ItemNote",
    "crosswalk_path",
    "find_crosswalk",
    "load_crosswalk",
]

#: Columns of :meth:`Crosswalk.comparison`.
COMPARISON_COLUMNS = ["item", "column", "questionnaire", "status", "counterpart", "reason"]

_CODE_IN_COLUMN = re.compile(r"^(?P<item>[A-Za-z][A-Za-z0-9]*)\[(?P<code>[^\]]+)\]$")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ItemMap(_Frozen):
    """An item of the older instrument that continues under another code in the newer one."""

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    codes: dict[str, str] = Field(default_factory=dict)
    """Sub-question or option codes renamed on the way (old → new); the others keep their code."""
    note: Label | None = None


class ItemNote(_Frozen):
    """An item that only one instrument has (dropped or new), or that changed meaning, with the reason."""

    item: str
    reason: Label | None = None


class Crosswalk(_Frozen):
    """A validated crosswalk between two instruments; load it with :func:`load_crosswalk`."""

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    renamed: list[ItemMap] = Field(default_factory=list)
    dropped: list[ItemNote] = Field(default_factory=list)
    new: list[ItemNote] = Field(default_factory=list)
    changed: list[ItemNote] = Field(default_factory=list)

    # --- checks ---------------------------------------------------------------------------------------
    def check(self, qa: Questionnaire, qb: Questionnaire, *, path: str | Path = "") -> None:
        """Check the crosswalk against the two instruments it connects.

        Parameters
        ----------
        qa, qb : Questionnaire
            The older (``from``) and the newer (``to``) instrument.
        path : str or Path, default ""
            The crosswalk file, named in messages.

        Raises
        ------
        InstrumentError
            Listing every problem: an item that does not exist where the crosswalk says (with a
            did-you-mean), an item listed twice, a renamed item whose old code still exists in the newer
            instrument, mapped items of different types, a renamed code that does not exist, and items that
            are in only one instrument but are not accounted for.
        """
        where = f"Crosswalk {path}" if path else f"Crosswalk {self.source} → {self.target}"
        problems: list[str] = []
        if qa.meta.id != self.source or qb.meta.id != self.target:
            problems.append(
                f"verbindet {self.source} → {self.target}, geprüft wurde aber gegen "
                f"{qa.meta.id} → {qb.meta.id}"
            )
        a, b = qa.items, qb.items

        def exists(item: str, q: Questionnaire, key: str) -> bool:
            if item in q.items:
                return True
            problems.append(
                f"{key}: Item „{item}“ gibt es im Fragebogen {q.meta.id} nicht.{did_you_mean(item, q.items)}"
            )
            return False

        seen: dict[str, dict[str, str]] = {"a": {}, "b": {}}

        def once(item: str, key: str, side: str = "a") -> None:
            first = seen[side].setdefault(item, key)
            if first != key:
                problems.append(f"{key}: Item „{item}“ steht schon unter {first}")

        for k, m in enumerate(self.renamed):
            key = f"renamed[{k}]"
            once(m.source, f"{key}.from")
            once(m.target, f"{key}.to", "b")
            ok_a = exists(m.source, qa, f"{key}.from")
            ok_b = exists(m.target, qb, f"{key}.to")
            if m.source in b and m.source != m.target:
                problems.append(
                    f"{key}: „{m.source}“ gibt es auch in {qb.meta.id}; ein umbenanntes Item darf dort nicht "
                    "unter seinem alten Code stehen (sonst unter changed aufführen)"
                )
            if m.target in a and m.source != m.target:
                problems.append(
                    f"{key}: das Ziel „{m.target}“ gibt es schon in {qa.meta.id}; bitte den Crosswalk prüfen"
                )
            if ok_a and ok_b:
                ia, ib = a[m.source], b[m.target]
                if ia.type != ib.type:
                    problems.append(
                        f"{key}: {m.source} ({ia.type}) und {m.target} ({ib.type}) haben verschiedene Typen; "
                        "nicht vergleichbare Items gehören unter dropped/new"
                    )
                codes_a, codes_b = _sub_codes(ia, qa), _sub_codes(ib, qb)
                for old, new in m.codes.items():
                    if old not in codes_a:
                        problems.append(
                            f"{key}.codes: Code „{old}“ gibt es bei {m.source} nicht."
                            + did_you_mean(old, codes_a)
                        )
                    if new not in codes_b:
                        problems.append(
                            f"{key}.codes: Code „{new}“ gibt es bei {m.target} nicht."
                            + did_you_mean(new, codes_b)
                        )
        for k, n in enumerate(self.dropped):
            key = f"dropped[{k}]"
            once(n.item, key)
            exists(n.item, qa, key)
            if n.item in b:
                problems.append(f"{key}: „{n.item}“ gibt es auch in {qb.meta.id}; es ist nicht entfallen")
        for k, n in enumerate(self.new):
            key = f"new[{k}]"
            once(n.item, key, "b")
            exists(n.item, qb, key)
            if n.item in a:
                problems.append(f"{key}: „{n.item}“ gibt es schon in {qa.meta.id}; es ist nicht neu")
        for k, n in enumerate(self.changed):
            key = f"changed[{k}]"
            once(n.item, key)
            if exists(n.item, qa, key) and n.item not in b:
                problems.append(
                    f"{key}: „{n.item}“ gibt es in {qb.meta.id} nicht (dann unter dropped/renamed)"
                )
        if not problems:
            only_a = [i for i in a if i not in b]
            only_b = [i for i in b if i not in a]
            told_a = {m.source for m in self.renamed} | {n.item for n in self.dropped}
            told_b = {m.target for m in self.renamed} | {n.item for n in self.new}
            missing_a = [i for i in only_a if i not in told_a]
            missing_b = [i for i in only_b if i not in told_b]
            if missing_a:
                problems.append(
                    f"Items nur in {qa.meta.id}, aber weder unter renamed noch dropped: "
                    + ", ".join(missing_a)
                )
            if missing_b:
                problems.append(
                    f"Items nur in {qb.meta.id}, aber weder unter renamed noch new: {', '.join(missing_b)}"
                )
        if problems:
            msg = f"{where} ist fehlerhaft:\n" + "\n".join(f"- {p}" for p in problems)
            raise InstrumentError(msg)

    # --- mapping --------------------------------------------------------------------------------------
    def item_map(self, qa: Questionnaire, qb: Questionnaire) -> dict[str, str]:
        """Comparable items: older item id → newer item id (same code or renamed; ``changed`` left out).

        Parameters
        ----------
        qa, qb : Questionnaire
            The older and the newer instrument.

        Returns
        -------
        dict of str to str
            In the order of the older instrument.
        """
        renamed = {m.source: m.target for m in self.renamed}
        changed = {n.item for n in self.changed}
        out: dict[str, str] = {}
        for item in qa.items:
            if item in changed:
                continue
            if item in renamed:
                out[item] = renamed[item]
            elif item in qb.items:
                out[item] = item
        return out

    def column_map(self, qa: Questionnaire, qb: Questionnaire) -> dict[str, str]:
        """Comparable response columns: older column → newer column.

        Parameters
        ----------
        qa, qb : Questionnaire
            The older and the newer instrument.

        Returns
        -------
        dict of str to str
            E.g. ``{"Q6[keines]": "Q10[keine]", "Q5[total]": "Q5[total]", "Q1": "Q1"}``; columns of a
            mapped item without counterpart are left out (see :meth:`comparison`).
        """
        codes = {m.source: m.codes for m in self.renamed}
        out: dict[str, str] = {}
        for ia_id, ib_id in self.item_map(qa, qb).items():
            cols_b = set(qb.items[ib_id].columns())
            for col in qa.items[ia_id].columns():
                target = _rename_column(col, ia_id, ib_id, codes.get(ia_id, {}))
                if target in cols_b:
                    out[col] = target
        return out

    def comparison(self, qa: Questionnaire, qb: Questionnaire, *, lang: str = "de") -> pd.DataFrame:
        """Every item and column that cannot be compared one to one, with the reason.

        Parameters
        ----------
        qa, qb : Questionnaire
            The older and the newer instrument.
        lang : {"de", "en"}, default "de"

        Returns
        -------
        DataFrame
            Columns :data:`COMPARISON_COLUMNS`. ``status`` is ``renamed`` (comparable under another code),
            ``dropped``, ``new``, ``changed`` or ``column_only`` (one column of a mapped item without
            counterpart); ``column`` is empty for whole items.
        """
        de = lang != "en"
        rows: list[dict[str, str]] = []

        def text(label: Label | None, fallback: str) -> str:
            return label.get(lang) if label is not None else fallback

        for m in self.renamed:
            rows.append(
                {
                    "item": m.source,
                    "column": "",
                    "questionnaire": self.source,
                    "status": "renamed",
                    "counterpart": m.target,
                    "reason": text(
                        m.note,
                        f"in {self.target} als {m.target}" if de else f"in {self.target} as {m.target}",
                    ),
                }
            )
        for n in self.dropped:
            fallback = f"in {self.target} entfallen" if de else f"dropped in {self.target}"
            rows.append(
                {
                    "item": n.item,
                    "column": "",
                    "questionnaire": self.source,
                    "status": "dropped",
                    "counterpart": "",
                    "reason": text(n.reason, fallback),
                }
            )
        for n in self.new:
            fallback = f"neu in {self.target}" if de else f"new in {self.target}"
            rows.append(
                {
                    "item": n.item,
                    "column": "",
                    "questionnaire": self.target,
                    "status": "new",
                    "counterpart": "",
                    "reason": text(n.reason, fallback),
                }
            )
        for n in self.changed:
            fallback = "Bedeutung geändert" if de else "meaning changed"
            rows.append(
                {
                    "item": n.item,
                    "column": "",
                    "questionnaire": self.source,
                    "status": "changed",
                    "counterpart": n.item,
                    "reason": text(n.reason, fallback),
                }
            )
        cmap = self.column_map(qa, qb)
        hit_b = set(cmap.values())
        for ia_id, ib_id in self.item_map(qa, qb).items():
            for col in qa.items[ia_id].columns():
                if col not in cmap:
                    rows.append(
                        {
                            "item": ia_id,
                            "column": col,
                            "questionnaire": self.source,
                            "status": "column_only",
                            "counterpart": "",
                            "reason": f"nur in {self.source}" if de else f"only in {self.source}",
                        }
                    )
            for col in qb.items[ib_id].columns():
                if col not in hit_b:
                    rows.append(
                        {
                            "item": ib_id,
                            "column": col,
                            "questionnaire": self.target,
                            "status": "column_only",
                            "counterpart": "",
                            "reason": f"nur in {self.target}" if de else f"only in {self.target}",
                        }
                    )
        return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)

    def inverse(self) -> Crosswalk:
        """The same crosswalk read the other way (newer → older): renames reversed, dropped ↔ new.

        Returns
        -------
        Crosswalk
        """
        return Crosswalk.model_validate(
            {
                "from": self.target,
                "to": self.source,
                "renamed": [
                    {
                        "from": m.target,
                        "to": m.source,
                        "codes": {v: k for k, v in m.codes.items()},
                        "note": m.note,
                    }
                    for m in self.renamed
                ],
                "dropped": [n.model_dump() for n in self.new],
                "new": [n.model_dump() for n in self.dropped],
                "changed": [n.model_dump() for n in self.changed],
            }
        )


def _sub_codes(item: Item, q: Questionnaire) -> list[str]:
    """Codes that appear inside the item's column names (sub-questions, options, ``other``)."""
    out = []
    for col in item.columns():
        m = _CODE_IN_COLUMN.match(col)
        if m:
            out.append(m["code"])
    return out


def _rename_column(col: str, item_a: str, item_b: str, codes: dict[str, str]) -> str:
    """``Q6[keines]`` → ``Q10[keine]`` for a renamed item; ``Q1`` → ``Q1``."""
    m = _CODE_IN_COLUMN.match(col)
    if m is None:
        return item_b if col == item_a else col
    code = codes.get(m["code"], m["code"])
    return f"{item_b}[{code}]"


def crosswalk_path(source: str, target: str, *, params_dir: str | Path) -> Path:
    """Where the crosswalk from instrument `source` to `target` lives below a project's ``params`` folder.

    Parameters
    ----------
    source, target : str
        Questionnaire ids.
    params_dir : str or Path
        The project's ``params`` folder.

    Returns
    -------
    Path
        ``<params_dir>/questionnaire/crosswalk-<source>-<target>.yaml``.
    """
    for qid in (source, target):
        questionnaire_path(qid, params_dir=params_dir)  # validates the id
    return Path(params_dir) / "questionnaire" / f"crosswalk-{source}-{target}.yaml"


def load_crosswalk(
    path: str | Path,
    *,
    qa: Questionnaire | None = None,
    qb: Questionnaire | None = None,
) -> Crosswalk:
    """Load a crosswalk and check it against both instruments.

    Parameters
    ----------
    path : str or Path
        ``params/questionnaire/crosswalk-<a>-<b>.yaml``.
    qa, qb : Questionnaire, optional
        The two instruments; by default loaded from the same folder (``<a>.yaml``, ``<b>.yaml``).

    Returns
    -------
    Crosswalk
        The validated crosswalk.

    Raises
    ------
    InstrumentError
        For unknown keys (with a did-you-mean), a file name that does not match ``from``/``to``, and every
        problem :meth:`Crosswalk.check` finds.
    """
    p = Path(path)
    cw = model_from_yaml(Crosswalk, p, kind="Crosswalk")
    expected = f"crosswalk-{cw.source}-{cw.target}"
    if p.stem != expected:
        msg = (
            f"Crosswalk-Datei {p}: der Dateiname muss {expected}.yaml lauten (from: {cw.source}, to: "
            f"{cw.target})."
        )
        raise InstrumentError(msg)
    folder = p.parent
    qa = qa if qa is not None else load_questionnaire(folder / f"{cw.source}.yaml")
    qb = qb if qb is not None else load_questionnaire(folder / f"{cw.target}.yaml")
    cw.check(qa, qb, path=p)
    return cw


def find_crosswalk(source: str, target: str, *, params_dir: str | Path) -> Crosswalk | None:
    """The crosswalk from `source` to `target`, read forwards or (inverted) backwards; None if neither exists.

    Parameters
    ----------
    source, target : str
        Questionnaire ids.
    params_dir : str or Path
        The project's ``params`` folder.

    Returns
    -------
    Crosswalk or None
        Oriented ``source`` → ``target``.
    """
    forward = crosswalk_path(source, target, params_dir=params_dir)
    if forward.is_file():
        return load_crosswalk(forward)
    backward = crosswalk_path(target, source, params_dir=params_dir)
    if backward.is_file():
        return load_crosswalk(backward).inverse()
    return None
