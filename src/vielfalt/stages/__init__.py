"""The stage functions each notebook calls, and the one stage registry."""
