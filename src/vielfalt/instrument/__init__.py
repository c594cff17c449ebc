"""Fielding the instrument: LimeSurvey structure, skeletons, fillable and printable forms.

Every hand-made mapping between a form and the instrument is a place where answers get lost. This
subpackage writes the forms *from* the instrument (``params/questionnaire/<id>.yaml``), with the
instrument's own codes, so that what comes back needs no mapping:

* :mod:`~vielfalt.instrument.limesurvey_write` — LimeSurvey's survey-structure file and its code rules;
* :mod:`~vielfalt.instrument.limesurvey_read` — reading such a file back as LimeSurvey's importer does;
* :mod:`~vielfalt.instrument.skeleton` — a structure file a city already has → a questionnaire skeleton;
* :mod:`~vielfalt.instrument.form_xlsx` — the fillable Teilnahmebogen (XLSX), read back by intake;
* :mod:`~vielfalt.instrument.form_print` — the printable form (HTML from a template, PDF via Chromium);
* :mod:`~vielfalt.instrument.fielding` — what ``vielfalt field`` and ``vielfalt demo`` write and print.
"""

from vielfalt.instrument._codes import LIMESURVEY_TYPES, STRUCTURE_COLUMNS, limesurvey_code
from vielfalt.instrument.fielding import FIELD_TARGETS, describe_skeleton, write_demo_forms, write_field_files
from vielfalt.instrument.form_print import find_browser, form_html, write_form_html, write_form_pdf
from vielfalt.instrument.form_xlsx import FORM_LAYOUT_VERSION, write_form_xlsx
from vielfalt.instrument.limesurvey_read import (
    LSAnswer,
    LSGroup,
    LSQuestion,
    LSSubquestion,
    SurveyStructure,
    read_limesurvey_structure,
    response_columns,
)
from vielfalt.instrument.limesurvey_write import (
    check_limesurvey_codes,
    item_question_type,
    structure_rows,
    write_limesurvey_structure,
)
from vielfalt.instrument.skeleton import (
    SkeletonResult,
    Untranslated,
    questionnaire_skeleton,
    roles_block,
    write_questionnaire_skeleton,
)

__all__ = [
    "FIELD_TARGETS",
    "FORM_LAYOUT_VERSION",
    "LIMESURVEY_TYPES",
    "STRUCTURE_COLUMNS",
    "LSAnswer",
    "LSGroup",
    "LSQuestion",
    "LSSubquestion",
    "SkeletonResult",
    "SurveyStructure",
    "Untranslated",
    "check_limesurvey_codes",
    "describe_skeleton",
    "find_browser",
    "form_html",
    "item_question_type",
    "limesurvey_code",
    "questionnaire_skeleton",
    "read_limesurvey_structure",
    "response_columns",
    "roles_block",
    "structure_rows",
    "write_demo_forms",
    "write_field_files",
    "write_form_html",
    "write_form_pdf",
    "write_form_xlsx",
    "write_limesurvey_structure",
    "write_questionnaire_skeleton",
]
