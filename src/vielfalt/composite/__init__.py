"""The generic composite-indicator engine (COINr semantics); knows no questionnaire."""
