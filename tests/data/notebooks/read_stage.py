# %% [markdown]
# # Teststufe: lesen

# %% tags=["parameters"]
run_dir = ""  # run directory (absolute), injected by the runner
project_root = ""  # project root (absolute), injected by the runner

# %%
# ruff: noqa: E402 (a notebook imports in the cell after its parameters cell)
import pandas as pd

from vielfalt.runs.manifest import read_artefact, write_artefact

# %%
table = read_artefact(run_dir, "write_table")
write_artefact(pd.DataFrame({"n": [len(table)], "total": [table["value"].sum()]}), run_dir, "read_summary")
