"""Generic uncertainty and sensitivity analysis: sampling, rank statistics, Sobol' indices."""
