"""Synthetic demo editions: responses, ratings, visits and votes (imported by the CLI only)."""
