"""Fielding the instrument: LimeSurvey structure, skeletons, fillable and printable forms."""
