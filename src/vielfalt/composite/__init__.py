"""The generic composite-indicator engine (COINr semantics); knows no questionnaire.

One module per step of COINr's pipeline, each taking a DataFrame with one row per unit and one column per
indicator and returning new objects (the input is never modified; index and column order are kept):
:mod:`~vielfalt.composite.impute`, :mod:`~vielfalt.composite.treat`, :mod:`~vielfalt.composite.normalise`,
:mod:`~vielfalt.composite.aggregate` and :mod:`~vielfalt.composite.rank`.

The semantics follow the JRC/OECD *Handbook on Constructing Composite Indicators* (OECD/JRC 2008) as
implemented by the R package COINr (Becker et al.; functions ``Impute``, ``Treat``, ``Normalise``,
``Aggregate``), so a result can be checked against COINr on the same data (METHODS.md §2); the test suite
reproduces COINr's ASEM example stage by stage. Problems that leave a defined but possibly surprising result
(an all-missing column, a constant column, weights that do not sum to 1) are reported as
:class:`~vielfalt.exceptions.VielfaltWarning`; bad parameters raise :class:`~vielfalt.exceptions.ConfigError`,
unusable data :class:`~vielfalt.exceptions.DataError`.

Each step is a function named like its module (``from vielfalt import composite; composite.rank(...)``);
``import vielfalt.composite.rank`` therefore yields the function, use ``importlib.import_module`` for the
module itself.
"""

from vielfalt.composite.aggregate import (
    AGGREGATE_METHODS,
    DRAW_METHODS,
    aggregate,
    aggregate_by_group,
    aggregate_draws,
)
from vielfalt.composite.impute import IMPUTE_METHODS, impute
from vielfalt.composite.normalise import NORMALISE_METHODS, normalise
from vielfalt.composite.rank import rank
from vielfalt.composite.treat import (
    TREAT_REPORT_COLUMNS,
    TREAT_STATUSES,
    kurtosis_type2,
    skewness_type2,
    treat,
)

__all__ = [
    "AGGREGATE_METHODS",
    "DRAW_METHODS",
    "IMPUTE_METHODS",
    "NORMALISE_METHODS",
    "TREAT_REPORT_COLUMNS",
    "TREAT_STATUSES",
    "aggregate",
    "aggregate_by_group",
    "aggregate_draws",
    "impute",
    "kurtosis_type2",
    "normalise",
    "rank",
    "skewness_type2",
    "treat",
]
