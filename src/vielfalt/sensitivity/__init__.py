"""Generic uncertainty and sensitivity analysis: sampling, rank statistics, Sobol' indices (METHODS.md §3).

The assumptions behind a ranking are *factors*; each run draws one value per factor from a uniform number in
[0, 1). This subpackage holds the statistics that need no pipeline and know no questionnaire:
:mod:`~vielfalt.sensitivity.design` (Saltelli designs, :func:`pick`, :func:`perturb_weights`),
:mod:`~vielfalt.sensitivity.ranks` (ranks of many draws, rank intervals, P(top k)) and
:mod:`~vielfalt.sensitivity.sobol` (first-order and total Sobol' indices). The conventions reproduce the R
package COINr (``get_sensitivity``, ``SA_estimate``, ``SA_sample``; Becker et al., COINr 1.1.14). The analysis
of an edition's assumptions is :func:`vielfalt.robustness.run_uncertainty`.
"""

from vielfalt.sensitivity.design import DESIGN_METHODS, perturb_weights, pick, saltelli_design
from vielfalt.sensitivity.ranks import (
    MEAN,
    MEDIAN,
    NOMINAL,
    P_TOPK,
    Q5,
    Q95,
    RANK_STATS_COLUMNS,
    mean_abs_rank_shift,
    rank_stats,
    ranks_within_groups,
)
from vielfalt.sensitivity.sobol import FACTOR, SI, SI_Q5, SI_Q95, STI, STI_Q5, STI_Q95, sobol_indices

__all__ = [
    "DESIGN_METHODS",
    "FACTOR",
    "MEAN",
    "MEDIAN",
    "NOMINAL",
    "P_TOPK",
    "Q5",
    "Q95",
    "RANK_STATS_COLUMNS",
    "SI",
    "SI_Q5",
    "SI_Q95",
    "STI",
    "STI_Q5",
    "STI_Q95",
    "mean_abs_rank_shift",
    "perturb_weights",
    "pick",
    "rank_stats",
    "ranks_within_groups",
    "saltelli_design",
    "sobol_indices",
]
