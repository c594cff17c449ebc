"""Validated models of the YAML files: questionnaire, edition, crosswalk; safe YAML loading."""
