"""The jury's votes: reading them, and the awards by simple majority with the edition's tie rule.

:func:`read_votes` reads ``data/<ed>/jury_votes.csv`` (one row per member and entry) and reports every vote it
cannot count — by someone not on the jury, on an unknown entry, unreadable, or cast despite a declared
conflict of interest. :func:`tally_votes` awards per entry by simple majority (yes > no; abstentions do not
count) and breaks ties by the edition's rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import pandas as pd

from vielfalt._params import Options, validate_params
from vielfalt.columns import CATEGORY, ENTRY_ID, ROW
from vielfalt.config._yaml import did_you_mean
from vielfalt.config.edition import Person
from vielfalt.exceptions import DataError
from vielfalt.failures import failure_row
from vielfalt.i18n import t
from vielfalt.intake.read import read_table
from vielfalt.jury._tables import cell, failure_table, headings, resolve_columns, unknown_column_warnings

__all__ = ["TIE_RULES", "VOTE_CODES", "VOTE_HEADINGS", "Tally", "VoteInput", "read_votes", "tally_votes"]

#: The votes a member can cast.
VOTE_CODES = ("yes", "no", "abstain")

#: How a tie (as many yes as no votes, at least one) is broken.
TieRule = Literal["no_award", "chair_decides", "higher_score"]
TIE_RULES: tuple[TieRule, ...] = ("no_award", "chair_decides", "higher_score")

#: Vote columns (English codes) and their German / English headings (from the message catalogue).
VOTE_HEADINGS: dict[str, dict[str, str]] = headings(
    {"member": "jury.head_member", ENTRY_ID: "jury.head_entry", "vote": "jury.head_vote"}
)

# further headings and values people write (compared case-insensitively)
_VOTE_ALIASES = {"jurymitglied": "member", "juror": "member", "entry": ENTRY_ID, "votum": "vote"}
_VOTE_VALUES = {
    "yes": "yes",
    "ja": "yes",
    "j": "yes",
    "y": "yes",
    "dafür": "yes",
    "no": "no",
    "nein": "no",
    "n": "no",
    "dagegen": "no",
    "abstain": "abstain",
    "enthaltung": "abstain",
    "enthalten": "abstain",
    "e": "abstain",
}

_VOTES_FILE = "jury_votes.csv"


@dataclass
class VoteInput:
    """The valid votes and what could not be counted.

    Attributes
    ----------
    votes : DataFrame
        ``row``, ``member``, ``entry_id``, ``vote`` (one of :data:`VOTE_CODES`); the latest per member and
        entry.
    failures : DataFrame
        :data:`vielfalt.columns.FAILURE_COLUMNS`; one row per vote not counted.
    rows_read : int
        Data rows in the file.
    """

    votes: pd.DataFrame
    failures: pd.DataFrame
    rows_read: int


class Tally(NamedTuple):
    """The awards and the problems worth a look (unpacks as ``awards, reports``)."""

    awards: pd.DataFrame
    reports: pd.DataFrame


def _vote_failure(
    src: str, row: Any, entry: str | None, column: str, check: str, value: Any, reason: str, fix: str
) -> dict[str, Any]:
    return failure_row(
        source=src,
        row=row,
        entry_id=entry,
        column=column,
        check=check,
        value=value,
        reason=reason,
        fix=fix,
        value_as_text=True,
    )


def read_votes(
    path: str | Path,
    *,
    jury: Sequence[Person],
    entries: Iterable[str],
    conflicts: Mapping[str, Sequence[str]] | None = None,
    lang: str = "de",
) -> VoteInput:
    """Read ``data/<ed>/jury_votes.csv``: one row per member and entry, vote yes / no / abstain.

    Columns (German headings or codes): ``Mitglied`` (member: jury id as in the edition), ``Eintrag``
    (entry_id), ``Stimme`` (vote: ja / nein / Enthaltung or yes / no / abstain). A vote of a member on an
    entry they declared a conflict with is ignored and reported; a vote by someone not on the jury, on an
    unknown entry or with an unreadable value is reported and not counted. Of two votes of one member on one
    entry the later counts.

    Parameters
    ----------
    path : str or Path
        The votes file (CSV or XLSX).
    jury : sequence of Person
        The edition's jury.
    entries : iterable of str
        The entries that can be voted on.
    conflicts : mapping, optional
        Member id → entry ids they declared a conflict with.
    lang : {"de", "en"}, default "de"
        Language of the reasons.

    Returns
    -------
    VoteInput
        The counted votes and the failure table.

    Raises
    ------
    DataError
        When the file cannot be read or lacks a column.
    """
    src = Path(path).name
    raw = read_table(path, lang="en" if lang == "en" else "de")
    df, unknown = resolve_columns(raw, VOTE_HEADINGS, _VOTE_ALIASES, lang=lang)
    heads = VOTE_HEADINGS[lang]
    missing = [heads[c] for c in ("member", ENTRY_ID, "vote") if c not in df.columns]
    if missing:
        msg = t(
            "jury.votes_missing_columns",
            lang,
            path=path,
            missing=", ".join(missing),
            columns=", ".join(heads.values()),
        )
        raise DataError(msg, path=str(path))
    members = {p.id for p in jury}
    ids = set(entries)
    declared = {m: set(v) for m, v in (conflicts or {}).items()}
    failures = unknown_column_warnings(src, unknown, lang)
    valid: list[dict[str, Any]] = []
    for row_no, row in df.iterrows():
        member, entry, vote_raw = cell(row, "member"), cell(row, ENTRY_ID), cell(row, "vote")
        if member not in members:
            reason = t("jury.unknown_member", lang, value=member, hint=did_you_mean(member, members))
            failures.append(
                _vote_failure(
                    src, row_no, entry, "member", "unknown_member", member, reason, t("jury.fix_member", lang)
                )
            )
            continue
        if not entry or entry not in ids:
            reason = (
                t("jury.unknown_entry", lang, value=entry, hint=did_you_mean(entry, ids))
                if entry
                else t("jury.no_entry", lang)
            )
            failures.append(
                _vote_failure(
                    src, row_no, entry, ENTRY_ID, "unknown_entry", entry, reason, t("jury.fix_entry", lang)
                )
            )
            continue
        vote = _VOTE_VALUES.get(vote_raw.casefold())
        if vote is None:
            reason = t("jury.bad_vote", lang, value=vote_raw)
            failures.append(
                _vote_failure(
                    src, row_no, entry, "vote", "bad_vote", vote_raw, reason, t("jury.fix_vote", lang)
                )
            )
            continue
        if entry in declared.get(member, set()):
            reason = t("jury.conflicted_vote", lang, member=member, value=entry)
            failures.append(_vote_failure(src, row_no, entry, "member", "conflict", member, reason, ""))
            continue
        valid.append({ROW: int(row_no), "member": member, ENTRY_ID: entry, "vote": vote})
    latest = {(v["member"], v[ENTRY_ID]): v[ROW] for v in valid}
    kept = []
    for v in valid:
        later = latest[(v["member"], v[ENTRY_ID])]
        if later != v[ROW]:
            reason = t("jury.vote_superseded", lang, member=v["member"], value=v[ENTRY_ID], later=later)
            failures.append(
                _vote_failure(src, v[ROW], v[ENTRY_ID], "member", "duplicate", v["member"], reason, "")
            )
        else:
            kept.append(v)
    votes = pd.DataFrame(kept, columns=[ROW, "member", ENTRY_ID, "vote"])
    assert len(df) == len(kept) + len({f[ROW] for f in failures if f[ROW] is not None}), (
        "every vote row is counted or reported"
    )
    return VoteInput(votes=votes, failures=failure_table(failures), rows_read=len(df))


@validate_params({"tie_rule": [Options(TIE_RULES)]})
def tally_votes(
    votes: pd.DataFrame,
    final: pd.DataFrame,
    *,
    tie_rule: TieRule,
    threshold: float,
    chair: str | None = None,
    lang: str = "de",
) -> Tally:
    """Awards per entry by simple majority (yes > no; abstentions do not count) and the edition's tie rule.

    Parameters
    ----------
    votes : DataFrame
        Valid votes (:attr:`VoteInput.votes`; conflicted votes already removed).
    final : DataFrame
        ``jury/final_scores``: ``category``, ``total_post``, ``recommended``.
    tie_rule : {"no_award", "chair_decides", "higher_score"}
        For yes = no > 0: ``no_award`` — not awarded; ``chair_decides`` — the chair's valid yes/no vote on
        the entry decides (without one: not awarded); ``higher_score`` — the score decides: awarded when the
        final total reaches the label threshold.
    threshold : float
        The edition's ``label_threshold``.
    chair : str, optional
        Jury id of the chair (``jury_chair``).
    lang : {"de", "en"}, default "de"
        Language of ``decision`` and the reports.

    Returns
    -------
    Tally
        ``awards``: index ``entry_id`` with ``category``, ``yes``, ``no``, ``abstain``, ``awarded``,
        ``recommended``, ``tie``, ``decided_by`` (code) and ``decision`` (text); ``reports``: recommended
        entries with no valid vote, and the entries nobody voted on (failure-table shape, severity warning).
    """
    counts = (
        votes.groupby([ENTRY_ID, "vote"])
        .size()
        .unstack("vote")
        .reindex(columns=list(VOTE_CODES))
        .fillna(0)
        .astype("int64")
        if len(votes)
        else pd.DataFrame(0, index=pd.Index([], name=ENTRY_ID), columns=list(VOTE_CODES))
    )
    counts = counts.reindex(final.index).fillna(0).astype("int64")
    chair_votes = (
        votes[votes["member"] == chair].set_index(ENTRY_ID)["vote"]
        if chair is not None and len(votes)
        else pd.Series(dtype=object)
    )
    rows = []
    reports = []
    for e in final.index:
        y, n, a = (int(counts.at[e, c]) for c in VOTE_CODES)
        tie = y == n and y > 0
        if y + n + a == 0:
            awarded, by = False, "no_votes"
            if bool(final.at[e, "recommended"]):
                reports.append(
                    failure_row(
                        source=_VOTES_FILE,
                        entry_id=e,
                        column=ENTRY_ID,
                        check="no_votes",
                        value=e,
                        severity="warning",
                        reason=t("jury.no_votes", lang, value=e),
                        fix=t("jury.fix_votes", lang),
                        value_as_text=True,
                    )
                )
        elif not tie:
            awarded, by = y > n, "majority"
        elif tie_rule == "no_award":
            awarded, by = False, "tie_no_award"
        elif tie_rule == "chair_decides":
            cv = chair_votes.get(e)
            if cv in ("yes", "no"):
                awarded, by = cv == "yes", "tie_chair"
            else:
                awarded, by = False, "tie_chair_missing"
        else:
            awarded, by = bool(final.at[e, "total_post"] >= threshold), "tie_score"
        rows.append(
            {
                ENTRY_ID: e,
                CATEGORY: final.at[e, CATEGORY],
                "yes": y,
                "no": n,
                "abstain": a,
                "awarded": bool(awarded),
                "recommended": bool(final.at[e, "recommended"]),
                "tie": bool(tie),
                "decided_by": by,
                "decision": t(f"jury.decided_{by}", lang),
            }
        )
    # entries nobody voted on at all are listed once, so a forgotten ballot is visible
    unvoted = [r[ENTRY_ID] for r in rows if r["decided_by"] == "no_votes" and not r["recommended"]]
    if unvoted and len(votes):
        reports.append(
            failure_row(
                source=_VOTES_FILE,
                column=ENTRY_ID,
                check="no_votes",
                value=len(unvoted),
                severity="warning",
                reason=t("jury.unvoted", lang, n=len(unvoted), entries=", ".join(unvoted)),
                fix="",
                value_as_text=True,
            )
        )
    awards = pd.DataFrame(rows).set_index(ENTRY_ID)
    return Tally(awards=awards, reports=failure_table(reports))
