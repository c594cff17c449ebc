"""Column names shared across the pipeline, defined once.

Every table carries :data:`ENTRY_ID`; the other names are used by intake, validation and the reports.
"""

from __future__ import annotations

__all__ = [
    "CATEGORY",
    "CHECK",
    "COLUMN",
    "ENTRY_ID",
    "FIX",
    "FAILURE_COLUMNS",
    "FORM_FORMAT",
    "FORM_META_SHEET",
    "ITEM",
    "REASON",
    "RESPONSE_ID",
    "ROW",
    "SEVERITY",
    "SOURCE",
    "STATUS",
    "SUBMITDATE",
    "VALUE",
]

ENTRY_ID = "entry_id"
RESPONSE_ID = "response_id"
SOURCE = "source"
ROW = "row"
SUBMITDATE = "submitdate"
CATEGORY = "category"
STATUS = "status"

# the failure table (one row per problem found)
ITEM = "item"
COLUMN = "column"
CHECK = "check"
VALUE = "value"
REASON = "reason"
FIX = "fix"
SEVERITY = "severity"
FAILURE_COLUMNS = [SOURCE, ROW, ENTRY_ID, ITEM, COLUMN, CHECK, VALUE, SEVERITY, REASON, FIX]

# the fillable Teilnahmebogen (written by vielfalt.instrument, read back by vielfalt.intake)
FORM_META_SHEET = "_vielfalt"
"""Name of the hidden sheet of a form workbook that names edition, instrument and the answer cells."""
FORM_FORMAT = "vielfalt-teilnahmebogen"
"""Value of the ``format`` key on :data:`FORM_META_SHEET`; a workbook without it is not a form."""
