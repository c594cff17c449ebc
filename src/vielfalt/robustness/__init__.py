"""The edition's scoring assumptions as factors of an uncertainty and sensitivity analysis.

:func:`run_uncertainty` varies the assumptions of the edition's ``robustness.factors`` (section weights,
rater-effect model, N/A rule, imputation, normalisation, aggregation) and returns rank statistics per entry
and Sobol' indices per factor (:class:`UncertaintyResult`); the statistics come from
:mod:`vielfalt.sensitivity`, the scores from :mod:`vielfalt.scoring`.
"""

from vielfalt.robustness.factors import (
    DISCRETE_FACTORS,
    WEIGHTS,
    AssumptionModel,
    UncertaintyResult,
    all_combinations,
    factor_label,
    run_uncertainty,
)

__all__ = [
    "DISCRETE_FACTORS",
    "WEIGHTS",
    "AssumptionModel",
    "UncertaintyResult",
    "all_combinations",
    "factor_label",
    "run_uncertainty",
]
