# %% [markdown]
# # Teststufe: warten

# %% tags=["parameters"]
run_dir = ""  # run directory (absolute), injected by the runner
project_root = ""  # project root (absolute), injected by the runner
seconds = 0.0  # how long to sleep
pid_file = ""  # where to write the kernel's process id (empty: nowhere)

# %%
# ruff: noqa: E402 (a notebook imports in the cell after its parameters cell)
import os
import time
from pathlib import Path

import pandas as pd

from vielfalt.runs.manifest import write_artefact

# %%
if pid_file:
    Path(pid_file).write_text(str(os.getpid()))
time.sleep(seconds)

# %%
write_artefact(pd.DataFrame({"slept": [seconds]}), run_dir, "sleep_done")
