"""Standard errors of the additive rater model: by hand (balanced design) and as the dense formula."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from vielfalt.ratings.effects import _additive_fit, adjust_ratings, rater_effects


def _design(
    n_units: int, raters: list[str], per_unit: int, seed: int, *, balanced: bool = False
) -> pd.DataFrame:
    """Ratings of (entry, item) units by `per_unit` raters each: unit and rater effects plus noise."""
    rng = np.random.default_rng(seed)
    severity = dict(zip(raters, rng.normal(0, 0.5, len(raters)), strict=True))
    rows = []
    for u in range(n_units):
        who = raters if balanced else list(rng.choice(raters, size=per_unit, replace=False))
        level = rng.uniform(1, 3)
        for r in who:
            rows.append((f"e{u // 2}", f"F0{u % 2}", r, level + severity[r] + rng.normal(0, 0.3)))
    return pd.DataFrame(rows, columns=["entry_id", "item", "rater", "rating"])


def _dense_se(ratings: pd.DataFrame) -> np.ndarray:
    """The textbook formula: sigma² times the rater block of pinv(XᵀX), in sum-to-zero coding."""
    units = pd.factorize(ratings["entry_id"] + "\x1f" + ratings["item"])[0]
    raters, names = pd.factorize(ratings["rater"], sort=True)
    n, n_u, n_r = len(ratings), units.max() + 1, len(names)
    x = np.zeros((n, n_u + n_r - 1))
    x[np.arange(n), units] = 1
    for i, j in enumerate(raters):
        if j < n_r - 1:
            x[i, n_u + j] = 1
        else:
            x[i, n_u:] = -1
    y = ratings["rating"].to_numpy(float)
    beta = np.linalg.pinv(x) @ y
    resid = y - x @ beta
    sigma2 = resid @ resid / (n - n_u - (n_r - 1))
    cb = sigma2 * np.linalg.pinv(x.T @ x)[n_u:, n_u:]
    c = np.vstack([np.eye(n_r - 1), -np.ones((1, n_r - 1))])
    return np.sqrt(np.diag(c @ cb @ c.T))


def test_balanced_design_standard_error_by_hand() -> None:
    """Every rater rates every unit once: Var(severity_j) = sigma² (R − 1) / (R U)."""
    raters = ["G1", "G2", "G3", "G4"]
    r = _design(30, raters, 4, seed=1, balanced=True)
    eff, se, sigma2, resid = _additive_fit(r)
    u, k = 30, len(raters)
    assert sigma2 == pytest.approx(resid @ resid / (len(r) - u - (k - 1)), rel=1e-12)
    np.testing.assert_allclose(se.to_numpy(), np.sqrt(sigma2 * (k - 1) / (k * u)), rtol=1e-9)
    # balanced: the severity is the rater's mean deviation from the unit means
    dev = r["rating"] - r.groupby(["entry_id", "item"])["rating"].transform("mean")
    np.testing.assert_allclose(eff.to_numpy(), dev.groupby(r["rater"]).mean().to_numpy(), atol=1e-9)


@pytest.mark.parametrize(("n_units", "per_unit", "seed"), [(12, 2, 3), (40, 2, 4), (25, 3, 5), (60, 2, 6)])
def test_standard_errors_equal_the_dense_formula(n_units: int, per_unit: int, seed: int) -> None:
    """On incomplete connected designs the Schur-complement errors equal the dense pseudo-inverse formula."""
    r = _design(n_units, ["G1", "G2", "G3", "G4", "G5"], per_unit, seed)
    table = rater_effects(r).table
    np.testing.assert_allclose(table["se"].to_numpy(), _dense_se(r), rtol=1e-8)
    np.testing.assert_allclose(table["lower"], table["severity"] - 1.96 * table["se"])


def test_disconnected_design_keeps_the_dense_pseudo_inverse() -> None:
    """Two rater groups that never meet: the Schur complement is singular, the dense formula is used."""
    a = _design(10, ["G1", "G2"], 2, seed=7, balanced=True)
    b = _design(10, ["G3", "G4"], 2, seed=8, balanced=True).assign(entry_id=lambda d: "x" + d["entry_id"])
    r = pd.concat([a, b], ignore_index=True)
    with pytest.warns(Warning):
        table = rater_effects(r, connected=False).table
    np.testing.assert_allclose(table["se"].to_numpy(), _dense_se(r), rtol=1e-8)


def test_adjusted_ratings_do_not_need_standard_errors(monkeypatch) -> None:
    """Adjusting ratings (the text scores) never builds the dense normal equations."""
    r = _design(40, ["G1", "G2", "G3", "G4"], 2, seed=9)
    expected = adjust_ratings(r, "additive")
    monkeypatch.setattr(sparse.csr_matrix, "toarray", lambda self, *a, **k: pytest.fail("dense matrix built"))
    monkeypatch.setattr(np.linalg, "inv", lambda *a, **k: pytest.fail("inverse computed"))
    pd.testing.assert_series_equal(adjust_ratings(r, "additive"), expected)
