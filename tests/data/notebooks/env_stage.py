# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: vielfalt
#   vielfalt:
#     preload:
#     - email.mime.text
# ---

# %% [markdown]
# # Teststufe: Umgebung des Kernels

# %% tags=["parameters"]
run_dir = ""  # run directory (absolute), injected by the runner
project_root = ""  # project root (absolute), injected by the runner
out_file = ""  # where to write what the kernel sees

# %%
print("first output")

# %%
# ruff: noqa: E402 (a notebook imports in a later cell)
import json
import os
import sys

names = sorted(k for k in globals() if not k.startswith("_"))
seen = {
    "cwd": os.getcwd(),
    "names": names,
    "modules": sorted(k for k in sys.modules if k.startswith("vielfalt")),
    "preloaded": "email.mime.text" in sys.modules,
}
with open(out_file, "w", encoding="utf-8") as fh:
    json.dump(seen, fh)
