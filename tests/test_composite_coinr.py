"""The composite engine reproduces COINr's ASEM example stage by stage (peers/coinr/csv beside the project).

COINr's legacy ``ASEM_COIN`` object stores every stage of its pipeline: Denominated → Imputed (mean of the
unit's ``Group_EurAsia`` group) → Treated (Winsorisation / log) → Normalised (min-max 0–100 with directions)
→ Aggregated (equal-weight arithmetic mean up indicators → 8 pillars → 2 sub-indices → Index), plus results
tables. Each test feeds our engine COINr's previous stage and compares with COINr's next one; the last test
chains our own stages from the Denominated data to the ranks.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vielfalt.composite import aggregate, impute, normalise, rank, treat
from vielfalt.exceptions import VielfaltWarning

# floats in the CSV files carry 17 significant digits, so they round-trip exactly; differences up to
# ~1e-14 come from the order of summation (R accumulates means in long double)
RTOL = 1e-12


@pytest.fixture(scope="module")
def coinr(shared_dir: Path) -> Path:
    """The directory of COINr's ASEM CSV exports."""
    d = shared_dir / "peers" / "coinr" / "csv"
    if not d.is_dir():
        pytest.skip("peers/coinr/csv is not present")
    return d


def _stage(coinr: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(coinr / f"ASEM_COIN_v06_Data_{name}.csv", index_col="UnitCode")


@pytest.fixture(scope="module")
def ind_meta(coinr: Path) -> pd.DataFrame:
    """COINr6 indicator metadata: IndCode, Direction, IndWeight, Agg1..Agg3."""
    return pd.read_csv(coinr / "ASEM_COIN_v06_Input_IndMeta.csv")


@pytest.fixture(scope="module")
def indicators(ind_meta: pd.DataFrame) -> list[str]:
    """The 49 indicator codes, in the data's column order."""
    return list(ind_meta["IndCode"])


@pytest.fixture(scope="module")
def imeta(coinr: Path) -> pd.DataFrame:
    """COINr ≥ 1.0 metadata (iCode, Direction, Weight, Parent, Type) of indicators and aggregates."""
    m = pd.read_csv(coinr / "ASEM_iMeta.csv")
    return m[m["Type"].isin(["Indicator", "Aggregate"])]


@pytest.fixture(scope="module")
def parents(imeta: pd.DataFrame) -> dict[str, str | None]:
    """Every indicator and aggregate code → its parent (Index → None)."""
    return {r.iCode: (None if pd.isna(r.Parent) else r.Parent) for r in imeta.itertuples()}


@pytest.fixture(scope="module")
def directions(imeta: pd.DataFrame) -> dict[str, int]:
    """Direction (±1) of every indicator."""
    ind = imeta[imeta["Type"] == "Indicator"]
    return dict(zip(ind["iCode"], ind["Direction"].astype(int), strict=True))


@pytest.fixture(scope="module")
def aggregate_codes(coinr: Path) -> list[str]:
    """The 11 aggregate codes (8 pillars, 2 sub-indices, Index) in COINr's order."""
    return list(pd.read_csv(coinr / "ASEM_COIN_v06_Input_AggMeta.csv")["Code"])


def test_metadata_agree(ind_meta, imeta, parents, indicators):
    """The old (Agg1..Agg3) and new (Parent) metadata describe the same hierarchy and directions."""
    assert sorted(indicators) == sorted(imeta.loc[imeta["Type"] == "Indicator", "iCode"])
    for r in ind_meta.itertuples():
        assert parents[r.IndCode] == r.Agg1
        assert parents[r.Agg1] == r.Agg2 and parents[r.Agg2] == r.Agg3 and parents[r.Agg3] is None
    assert (ind_meta["IndWeight"] == 1).all() and (imeta["Weight"] == 1).all()


def test_imputed_from_denominated(coinr, indicators):
    """Group-mean imputation by Group_EurAsia reproduces COINr's Imputed stage (65 gaps filled)."""
    den = _stage(coinr, "Denominated")
    ref = _stage(coinr, "Imputed")[indicators]
    assert int(den[indicators].isna().sum().sum()) == 65
    out = impute(den[indicators], "group_mean", groups=den["Group_EurAsia"])
    assert not out.isna().any().any()
    np.testing.assert_allclose(out.to_numpy(), ref.to_numpy(), rtol=RTOL, atol=0)
    # the observed values are passed through untouched
    observed = den[indicators].notna().to_numpy()
    assert np.array_equal(out.to_numpy()[observed], den[indicators].to_numpy()[observed])


@pytest.mark.parametrize("winmax", [5, 6])
def test_treated_from_imputed(coinr, indicators, winmax):
    """Winsorisation reproduces COINr's Treated stage bit for bit, and its summary of treated points.

    COINr6 built ASEM with winmax = ceiling(0.1 · 51) = 6 ("Default, winmax = 6"); no indicator needed more
    than 4 points, so the default 5 gives the same result.
    """
    imp = _stage(coinr, "Imputed")[indicators]
    ref = _stage(coinr, "Treated")[indicators]
    summary = pd.read_csv(
        coinr / "ASEM_COIN_v06_TreatSummary.csv", index_col="IndCode", keep_default_na=False
    )
    out, report = treat(imp, winmax=winmax)
    assert np.array_equal(out.to_numpy(), ref.to_numpy())
    assert report["n_low"].tolist() == summary["Low"].tolist()
    assert report["n_high"].tolist() == summary["High"].tolist()
    # "Winsorised k points" / "None"
    counts = summary["Treatment"].map(
        lambda t: 0 if t == "None" else int(re.fullmatch(r"Winsorised (\d+) points", t)[1])
    )
    assert report["n_winsorised"].tolist() == counts.tolist()
    assert report["status"].tolist() == ["pass" if k == 0 else "winsorised" for k in counts]
    assert not report["log_applied"].any() and not report["fails_after"].any()
    assert int((report["status"] == "winsorised").sum()) == 15


def test_normalised_from_treated(coinr, indicators, directions):
    """Min-max to [0, 100] with COINr's directions reproduces the Normalised stage."""
    tr = _stage(coinr, "Treated")[indicators]
    ref = _stage(coinr, "Normalised")[indicators]
    out = normalise(tr, "minmax", lower=0, upper=100, directions=directions)
    np.testing.assert_allclose(out.to_numpy(), ref.to_numpy(), rtol=RTOL, atol=0)


def test_aggregated_from_normalised(coinr, indicators, parents, aggregate_codes):
    """Equal-weight arithmetic means up the iMeta hierarchy reproduce every aggregate of COINr's stage."""
    nm = _stage(coinr, "Normalised")[indicators]
    ref = _stage(coinr, "Aggregated")
    out = aggregate(nm, parents)
    assert list(out.columns) == [*indicators, *aggregate_codes]
    np.testing.assert_allclose(
        out[aggregate_codes].to_numpy(), ref[aggregate_codes].to_numpy(), rtol=RTOL, atol=0
    )
    np.testing.assert_array_equal(out[indicators].to_numpy(), ref[indicators].to_numpy())


def test_metadata_weights_give_the_same_aggregates_with_a_warning(
    coinr, indicators, parents, imeta, aggregate_codes
):
    """COINr's metadata weights (all 1) give the same result; that they do not sum to 1 is reported."""
    nm = _stage(coinr, "Normalised")[indicators]
    weights = dict(zip(imeta["iCode"], imeta["Weight"], strict=True))
    with pytest.warns(VielfaltWarning, match="do not sum to 1"):
        out = aggregate(nm, parents, weights=weights)
    np.testing.assert_allclose(out[aggregate_codes], aggregate(nm, parents)[aggregate_codes], rtol=1e-15)


def test_results_scores_are_the_aggregates_rounded(coinr, aggregate_codes):
    """The results table holds the aggregates rounded to 2 dp, with Rank = rank of the unrounded Index."""
    ag = _stage(coinr, "Aggregated")
    res = pd.read_csv(coinr / "ASEM_COIN_v06_Results_AggregatesScore.csv", index_col="UnitCode")
    cols = [c for c in res.columns if c in aggregate_codes]
    assert len(cols) == 11
    np.testing.assert_allclose(res[cols], ag.loc[res.index, cols].round(2), rtol=0, atol=1e-9)
    assert res["Rank"].tolist() == rank(ag["Index"]).loc[res.index].astype(int).tolist()


def test_ranks_from_aggregated(coinr, aggregate_codes):
    """COINr's rank table ranks the scores rounded to 2 dp; ranking those reproduces it exactly.

    COINr6 ``getResults(use = "ranks")`` rounds the table (``nround = 2``) before ``rankDF``; with full
    precision two units rank differently because their scores tie only at 2 dp (JPN/RUS on ConEcFin
    6.6189/6.6160, LUX/PRT on Instit 77.575/77.565).
    """
    ag = _stage(coinr, "Aggregated")
    ref = pd.read_csv(coinr / "ASEM_COIN_v06_Results_AggregatesRank.csv", index_col="UnitCode")
    cols = [c for c in ref.columns if c in aggregate_codes]
    ours = rank(ag[cols].round(2)).loc[ref.index]
    assert (ours == ref[cols]).all().all()
    unrounded = rank(ag[cols]).loc[ref.index]
    diff = (unrounded != ref[cols]).stack()
    assert sorted(diff[diff].index.tolist()) == [("PRT", "Instit"), ("RUS", "ConEcFin")]
    assert unrounded.loc["RUS", "ConEcFin"] == 48 and ref.loc["RUS", "ConEcFin"] == 47


def test_whole_chain_from_denominated(coinr, indicators, parents, directions, aggregate_codes):
    """Our own stages chained from COINr's Denominated data reproduce its aggregates and ranks."""
    den = _stage(coinr, "Denominated")
    x = impute(den[indicators], "group_mean", groups=den["Group_EurAsia"])
    x, _ = treat(x)
    x = normalise(x, "minmax", directions=directions)
    out = aggregate(x, parents)
    ref = _stage(coinr, "Aggregated")
    np.testing.assert_allclose(out[aggregate_codes], ref[aggregate_codes], rtol=RTOL, atol=0)
    ranks = pd.read_csv(coinr / "ASEM_COIN_v06_Results_AggregatesRank.csv", index_col="UnitCode")
    cols = [c for c in ranks.columns if c in aggregate_codes]
    assert (rank(out[cols].round(2)).loc[ranks.index] == ranks[cols]).all().all()
