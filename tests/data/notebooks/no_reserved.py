# %% tags=["parameters"]
n_rows = 3  # declares neither run_dir nor project_root

# %%
print(n_rows)
