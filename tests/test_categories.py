"""Tests of size-category assignment (vielfalt.intake.categories)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.test_edition import SCHEME_2012, SCHEME_2015
from vielfalt.config.edition import CategoryScheme
from vielfalt.intake.categories import assign_categories


def test_public_body_gets_public_category_whatever_its_size():
    """Under the 2012 scheme public bodies form their own category, even with a missing headcount."""
    df = pd.DataFrame({"A05[total]": [12.0, 12.0, np.nan], "A04": ["PRIV", "OER", "OEU"]})
    out = assign_categories(df, CategoryScheme.model_validate(SCHEME_2012))
    assert out["category"].tolist() == ["klein", "oeffentlich", "oeffentlich"]


def test_2015_sorts_public_bodies_by_size():
    """Under the 2015 scheme public bodies are sorted by size."""
    df = pd.DataFrame({"A05[total]": [5.0, 300.0], "A04": ["OER", "OER"]})
    out = assign_categories(df, CategoryScheme.model_validate(SCHEME_2015))
    assert out["category"].tolist() == ["kleinst", "gross"]


def test_undecidable_category_is_never_guessed():
    """Missing, zero, negative or fractional headcounts give no category and a reason."""
    df = pd.DataFrame({"A05[total]": [np.nan, 0.0, -5.0, 12.5], "A04": ["PRIV"] * 4})
    out = assign_categories(df, CategoryScheme.model_validate(SCHEME_2012))
    assert out["category"].isna().all()
    assert out["category_reason"].tolist() == ["headcount_missing"] + ["headcount_invalid"] * 3


def test_a_scheme_without_basis_is_refused_with_a_message():
    """A scheme whose basis is left to the questionnaire (not filled in) raises ConfigError, not KeyError."""
    import pytest

    from vielfalt.exceptions import ConfigError

    scheme = CategoryScheme.model_validate({**SCHEME_2015, "basis": None})
    with pytest.raises(ConfigError, match="names no column for the number of employees"):
        assign_categories(pd.DataFrame({"A05[total]": [5.0]}), scheme)
