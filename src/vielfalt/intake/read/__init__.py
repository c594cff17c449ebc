"""The raw layer: read a response table or a filled form into strings, knowing nothing of the questionnaire.

:func:`read_table` turns a file (LimeSurvey CSV, German Excel CSV, Excel "Unicode-Text", XLSX) into a
DataFrame whose every cell is a Python ``str``, indexed by the row number an evaluator sees in Excel, with
provenance in ``df.attrs["source_info"]``. Its steps are modules of their own:
:mod:`~vielfalt.intake.read.decode` (bytes → text), :mod:`~vielfalt.intake.read.sniff` (format and
delimiter), :mod:`~vielfalt.intake.read.csv` and :mod:`~vielfalt.intake.read.xlsx` (→ records),
:mod:`~vielfalt.intake.read.frame` (→ the table).

The dialects are those of DOMAIN.md §5: LimeSurvey writes UTF-8 with BOM, quotes every value, ends records
with CRLF and adds a blank line at EOF; German Excel writes ``;``-separated Windows-1252 with decimal commas
and placeholders such as ``k.A.`` or ``ca. 120``.

For the callers of the single module this package was, it also re-exports the value parsers
(:mod:`vielfalt.intake.values`), the heading resolution (:mod:`vielfalt.intake.headings`) and the forms
reader (:mod:`vielfalt.intake.forms`).
"""

from vielfalt.intake.forms import is_form, read_form
from vielfalt.intake.headings import (
    LIMESURVEY_METADATA,
    LIMESURVEY_METADATA_HEADINGS,
    HeadingResolution,
    resolve_headings,
)
from vielfalt.intake.read.decode import DEFAULT_MAX_BYTES
from vielfalt.intake.read.frame import EXTRA_COLUMN, SourceInfo, source_info
from vielfalt.intake.read.sniff import DELIMITER_CANDIDATES
from vielfalt.intake.read.table import read_table
from vielfalt.intake.values import (
    BOOL_FALSE,
    BOOL_TRUE,
    FORMULA_PREFIXES,
    PLACEHOLDERS,
    ParsedNumber,
    is_bool_token,
    is_placeholder,
    parse_bool,
    parse_number,
    strip_injection_mask,
)

__all__ = [
    "BOOL_FALSE",
    "BOOL_TRUE",
    "DEFAULT_MAX_BYTES",
    "DELIMITER_CANDIDATES",
    "EXTRA_COLUMN",
    "FORMULA_PREFIXES",
    "LIMESURVEY_METADATA",
    "LIMESURVEY_METADATA_HEADINGS",
    "PLACEHOLDERS",
    "HeadingResolution",
    "ParsedNumber",
    "SourceInfo",
    "is_bool_token",
    "is_form",
    "is_placeholder",
    "parse_bool",
    "parse_number",
    "read_form",
    "read_table",
    "resolve_headings",
    "source_info",
    "strip_injection_mask",
]
