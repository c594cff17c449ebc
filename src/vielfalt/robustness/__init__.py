"""The edition's scoring assumptions as factors of an uncertainty analysis."""
