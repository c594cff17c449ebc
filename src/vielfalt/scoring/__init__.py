"""From answers to indicators, sections and totals (via the composite engine)."""
