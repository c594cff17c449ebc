# %% [markdown]
# # Teststufe: Fehler

# %% tags=["parameters"]
run_dir = ""  # run directory (absolute), injected by the runner
project_root = ""  # project root (absolute), injected by the runner
message = "Spalte 'A05' fehlt in responses.csv"  # the error message

# %%
# ruff: noqa: E402 (a notebook imports in the cell after its parameters cell)
from vielfalt.exceptions import DataError

# %%
raise DataError(message)

# %%
print("never reached")
