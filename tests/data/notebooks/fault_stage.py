# %% [markdown]
# # Teststufe: Störfall
#
# Reads a data file (when given) and writes an artefact; records its kernel's pid (tests of faults).

# %% tags=["parameters"]
run_dir = ""  # run directory (absolute), injected by the runner
project_root = ""  # project root (absolute), injected by the runner
label = "a"  # name of the artefact: fault_<label>
data_file = ""  # a table to read with vielfalt.intake.read.read_table (empty: none)
pid_dir = ""  # folder where the kernel writes a file named after its pid (empty: nowhere)

# %%
# ruff: noqa: E402 (a notebook imports in the cell after its parameters cell)
import os
from pathlib import Path

import pandas as pd

from vielfalt.intake.read import read_table
from vielfalt.runs.manifest import write_artefact

# %%
if pid_dir:
    (Path(pid_dir) / str(os.getpid())).write_text("kernel", encoding="utf-8")

# %%
rows = len(read_table(data_file)) if data_file else 0
write_artefact(pd.DataFrame({"label": [label], "rows": [rows]}), run_dir, f"fault_{label}")
print(f"{label}: {rows} Zeilen")
