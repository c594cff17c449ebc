# %% [markdown]
# # Teststufe: schreiben
#
# Writes a small table as an artefact and shows a plotly figure (tests of `vielfalt.runs.runner`).

# %% tags=["parameters"]
run_dir = ""  # run directory (absolute), injected by the runner
project_root = ""  # project root (absolute), injected by the runner
n_rows = 3  # number of rows of the artefact
label = "alpha"  # label written into every row
reference_date = "2010-01-01"  # a date, as ISO string
weights = [1.0, 2.0]  # a list of numbers
data_file = ""  # a file path
seed = 0  # seed of the random values

# %%
# ruff: noqa: E402 (a notebook imports in the cell after its parameters cell)
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from vielfalt.runs.manifest import write_artefact, write_json_artefact

# %%
values = np.random.default_rng(seed).normal(size=n_rows)
table = pd.DataFrame({"entry_id": [f"e{i}" for i in range(n_rows)], "value": values, "label": label})
write_artefact(table.set_index("entry_id"), run_dir, "write_table")
received = {"n_rows": n_rows, "label": label, "reference_date": reference_date, "weights": weights}
received |= {"data_file": data_file, "seed": seed}
types = {k: type(v).__name__ for k, v in received.items()}
params_path = write_json_artefact({"values": received, "types": types}, run_dir, "write_params")

# %%
print("sichtbare" + "-ausgabe")

# %%
go.Figure(go.Bar(x=table["entry_id"], y=table["value"], name="werte-balken"))
