# %%
run_dir = ""
project_root = ""

# %%
print("no cell is tagged parameters")
