"""Size category per entry from the edition's category scheme.

Category = f(headcount at the reference date, public flag) with half-open bins (DOMAIN.md §4.3). An entry
whose category cannot be decided (headcount missing or not a whole positive number, and not a public body
under a scheme with a public category) gets no category and a reason: it is quarantined, never guessed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vielfalt.columns import CATEGORY
from vielfalt.config.edition import CategoryScheme
from vielfalt.exceptions import ConfigError
from vielfalt.i18n import t

__all__ = ["CATEGORY_REASON", "WZ_SECTIONS", "assign_categories", "wz_section_of_division"]


#: WZ 2008 divisions → section letter (Destatis, Klassifikation der Wirtschaftszweige 2008, DOMAIN.md §4.5).
WZ_SECTIONS = (
    (1, 3, "A"),
    (5, 9, "B"),
    (10, 33, "C"),
    (35, 35, "D"),
    (36, 39, "E"),
    (41, 43, "F"),
    (45, 47, "G"),
    (49, 53, "H"),
    (55, 56, "I"),
    (58, 63, "J"),
    (64, 66, "K"),
    (68, 68, "L"),
    (69, 75, "M"),
    (77, 82, "N"),
    (84, 84, "O"),
    (85, 85, "P"),
    (86, 88, "Q"),
    (90, 93, "R"),
    (94, 96, "S"),
    (97, 98, "T"),
    (99, 99, "U"),
)


def wz_section_of_division(division: int) -> str | None:
    """The WZ 2008 section letter of a two-digit division (``47`` → ``"G"``); None for a gap (e.g. 4, 34).

    Examples
    --------
    >>> wz_section_of_division(47), wz_section_of_division(34)
    ('G', None)
    """
    for lo, hi, letter in WZ_SECTIONS:
        if lo <= division <= hi:
            return letter
    return None


CATEGORY_REASON = "category_reason"


def assign_categories(entries: pd.DataFrame, scheme: CategoryScheme) -> pd.DataFrame:
    """Assign a size category to every entry.

    Parameters
    ----------
    entries : DataFrame
        Parsed responses: the scheme's basis column (float headcount, NaN when missing) and, when the
        scheme has a public rule, that item's answer code column.
    scheme : CategoryScheme
        The edition's scheme.

    Returns
    -------
    DataFrame
        Indexed like `entries`, columns ``category`` (code, missing when undecided) and ``category_reason``
        (missing when a category was assigned, else ``"headcount_missing"``, ``"headcount_invalid"``).

    Raises
    ------
    ConfigError
        When the scheme names no basis column (an edition loaded without its questionnaire's roles).

    Examples
    --------
    >>> from vielfalt.config.edition import CategoryScheme
    >>> bins = [{"code": "klein", "lt": 50}, {"code": "gross", "gte": 50}]
    >>> s = CategoryScheme.model_validate({"id": "x", "basis": "X05[total]", "bins": bins})
    >>> assign_categories(pd.DataFrame({"X05[total]": [49.0, 50.0, None]}), s)["category"].tolist()
    ['klein', 'gross', nan]
    """
    if scheme.basis is None:
        # the basis is left to the questionnaire's headcount role: with_roles (load_context) fills it in
        msg = t("intake.category_basis_unset", "en", scheme=scheme.id)
        raise ConfigError(msg)
    headcount = pd.to_numeric(entries[scheme.basis], errors="coerce").astype("float64")
    hc = headcount.to_numpy()
    category = np.full(len(entries), None, dtype=object)
    reason = np.full(len(entries), None, dtype=object)

    valid = np.isfinite(hc) & (hc >= 1) & (np.floor(hc) == hc)
    for b in scheme.bins:
        upper = np.inf if b.lt is None else b.lt
        category[valid & (hc >= b.gte) & (hc < upper)] = b.code

    if scheme.public is not None and scheme.public.category is not None:
        public_col = entries.get(scheme.public.item)
        if public_col is not None:
            is_public = public_col.isin(scheme.public.codes).to_numpy()
            # public bodies are their own category whatever their size, so a missing headcount
            # does not block them (their size is context, not the category)
            category[is_public] = scheme.public.category
            valid = valid | is_public
    missing = ~np.isfinite(hc)
    reason[~valid & missing] = "headcount_missing"
    reason[~valid & ~missing] = "headcount_invalid"
    category[~valid] = None
    return pd.DataFrame({CATEGORY: category, CATEGORY_REASON: reason}, index=entries.index)
