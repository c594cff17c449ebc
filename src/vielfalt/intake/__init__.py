"""Reading response exports and forms, validating them against the instrument, size categories.

The raw layer (:mod:`~vielfalt.intake.read`) turns a file into a table of strings;
:mod:`~vielfalt.intake.values` and :mod:`~vielfalt.intake.headings` parse its cells and headings;
:mod:`~vielfalt.intake.forms` reads a filled Teilnahmebogen back; :mod:`~vielfalt.intake.validate`
checks everything against the instrument (item by item: :mod:`~vielfalt.intake.checks`) and
:mod:`~vielfalt.intake.report` keeps the outcome; :mod:`~vielfalt.intake.categories` sorts entries into
size categories. Messages are in the catalogue's ``intake`` namespace.
"""

# read first: vielfalt.intake.read re-exports the forms reader, which is built on read's modules
from vielfalt.intake.read import (
    DEFAULT_MAX_BYTES,
    DELIMITER_CANDIDATES,
    EXTRA_COLUMN,
    SourceInfo,
    read_table,
    source_info,
)

# isort: split
from vielfalt.intake.categories import CATEGORY_REASON, WZ_SECTIONS, assign_categories, wz_section_of_division
from vielfalt.intake.forms import is_form, read_form
from vielfalt.intake.headings import (
    LIMESURVEY_METADATA,
    LIMESURVEY_METADATA_HEADINGS,
    HeadingResolution,
    resolve_headings,
)
from vielfalt.intake.report import ValidationReport
from vielfalt.intake.validate import entry_id_for, validate_files, validate_table
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
    "CATEGORY_REASON",
    "DEFAULT_MAX_BYTES",
    "DELIMITER_CANDIDATES",
    "EXTRA_COLUMN",
    "FORMULA_PREFIXES",
    "LIMESURVEY_METADATA",
    "LIMESURVEY_METADATA_HEADINGS",
    "PLACEHOLDERS",
    "WZ_SECTIONS",
    "HeadingResolution",
    "ParsedNumber",
    "SourceInfo",
    "ValidationReport",
    "assign_categories",
    "entry_id_for",
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
    "validate_files",
    "validate_table",
    "wz_section_of_division",
]
