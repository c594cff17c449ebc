# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: vielfalt
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: vielfalt (Python 3)
#     language: python
#     name: vielfalt
#   vielfalt:
#     preload:
#     - scipy.stats
#     - scipy.sparse.linalg
#     - openpyxl
# ---

# %% [markdown]
# # Bewertung der Freitexte (Ratings)
#
# Liest die zurückgegebenen Bewertungsbögen, prüft jede Zeile, misst die Übereinstimmung der
# Gutachtenden je Kriterium und Kategorie und schätzt, wer strenger oder milder bewertet.

# %% tags=["parameters"]
edition = "demo2010"  # Kennung der Edition (params/editions/<edition>.yaml)
project_root = ""  # absoluter Pfad des Projekts (setzt der Runner)
run_dir = ""  # absoluter Pfad des Laufordners (setzt der Runner)
lang = "de"  # Sprache der Ausgaben: "de" oder "en"

# %%
from vielfalt import stages
from vielfalt.dashboard import figures

result = stages.ratings_stage(project_root, edition, run_dir, lang=lang)
print(result.returned.summary(lang))
print(result.design_check.message(lang))

# %% [markdown]
# ## Probleme in den Bögen
# Fehlerhafte Zeilen werden nicht verwendet; fehlende Bewertungen bleiben fehlend (nie 0).

# %%
result.returned.failures[["source", "row", "entry_id", "item", "severity", "reason", "fix"]]

# %% [markdown]
# ## Übereinstimmung je Kriterium und Kategorie

# %%
figures.reliability_bars(result.reliability, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %%
result.reliability.round(3)

# %% [markdown]
# ## Strenge der Gutachtenden (additives Modell: Bewertung = Eintrag + Gutachter/in)

# %%
figures.rater_severity(result.effects.table, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %% [markdown]
# ## Wie ändert die Korrektur die Reihenfolge?
# Rang der Freitext-Bewertung innerhalb der Kategorie: Rohwerte (`none`), Mittelwertverschiebung,
# z-Standardisierung je Person und additives Modell.

# %%
figures.rank_shift(result.ranks, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %%
result.ranks
