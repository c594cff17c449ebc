"""The rating design, returned rating sheets, reliability statistics and rater models."""
