"""Tables and letters for people: XLSX/CSV with an injection guard, export profiles, letters.

- :mod:`~vielfalt.outputs.spreadsheets` writes guarded, byte-deterministic XLSX and CSV files;
- :mod:`~vielfalt.outputs.profiles` builds the export profiles (jury, public) and writes them;
- :mod:`~vielfalt.outputs.letters` writes one feedback letter per participant.
"""

from vielfalt.outputs.letters import MIN_OTHERS, Letter, build_letter, letter_data, write_letters
from vielfalt.outputs.profiles import (
    JURY_PROFILES,
    JuryTable,
    ProfileTable,
    PublicExport,
    TextReview,
    free_text_items,
    jury_export,
    public_export,
    raw_columns,
    read_text_review,
    write_jury_exports,
    write_profile,
)
from vielfalt.outputs.spreadsheets import (
    FIXED_TIME,
    FORMULA_PREFIXES,
    neutralise,
    neutralise_frame,
    normalise_zip,
    write_csv,
    write_xlsx,
)

__all__ = [
    # spreadsheets
    "FIXED_TIME",
    "FORMULA_PREFIXES",
    "neutralise",
    "neutralise_frame",
    "normalise_zip",
    "write_csv",
    "write_xlsx",
    # profiles
    "JURY_PROFILES",
    "JuryTable",
    "ProfileTable",
    "PublicExport",
    "TextReview",
    "free_text_items",
    "jury_export",
    "public_export",
    "raw_columns",
    "read_text_review",
    "write_jury_exports",
    "write_profile",
    # letters
    "MIN_OTHERS",
    "Letter",
    "build_letter",
    "letter_data",
    "write_letters",
]
