"""Validated models of the YAML files: questionnaire, edition, crosswalk; safe YAML loading; the codebook."""

from vielfalt.config.codebook import codebook_rows, write_codebook
from vielfalt.config.crosswalk import Crosswalk, find_crosswalk, load_crosswalk
from vielfalt.config.edition import (
    Edition,
    edition_path,
    load_context,
    load_edition,
    resolve_data_path,
    with_roles,
)
from vielfalt.config.questionnaire import (
    Item,
    Label,
    Questionnaire,
    Roles,
    Section,
    load_questionnaire,
    questionnaire_path,
)

__all__ = [
    "Crosswalk",
    "Edition",
    "Item",
    "Label",
    "Questionnaire",
    "Roles",
    "Section",
    "codebook_rows",
    "edition_path",
    "find_crosswalk",
    "load_context",
    "load_crosswalk",
    "load_edition",
    "load_questionnaire",
    "questionnaire_path",
    "resolve_data_path",
    "with_roles",
    "write_codebook",
]
