# %% tags=["parameters"]
run_dir = ""  # run directory (absolute), injected by the runner
project_root = ""  # project root (absolute), injected by the runner

# %%
# ruff: noqa: E402 (a notebook imports in the cell after its parameters cell)
import sys

sys.exit(0)

# %%
print("never reached")
