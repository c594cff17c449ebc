# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: vielfalt (Python 3)
#     language: python
#     name: vielfalt
# ---


# %% [markdown]
# # Robustheit der Rangfolge
#
# Wie sicher ist die Rangfolge? Die Annahmen der Auswertung (Gewichte der Abschnitte, Korrektur der
# Gutachtenden, N/A-Regel, Imputation, Normierung, Aggregation) werden zufällig variiert
# (`robustness` in der Editionsdatei). Für jeden Eintrag: nominaler Rang, Median und 5–95-%-Intervall der
# simulierten Ränge innerhalb der Kategorie und die Wahrscheinlichkeit, unter den ersten k (Besuchsplätze)
# zu sein; für die Rangfolge als Ganzes: welche Annahme sie am stärksten bewegt (Sobol'-Indizes).

# %% tags=["parameters"]
edition = "demo2010"  # Kennung der Edition (params/editions/<edition>.yaml)
project_root = ""  # absoluter Pfad des Projekts (setzt der Runner)
run_dir = ""  # absoluter Pfad des Laufordners (setzt der Runner)
lang = "de"  # Sprache der Ausgaben: "de" oder "en"

# %%
from vielfalt import stages
from vielfalt.dashboard import figures

out = stages.robustness_stage(project_root, edition, run_dir, lang=lang)
print("\n".join(out.notes) or "—")
print(out.summary)

# %% [markdown]
# ## Rangintervalle je Kategorie
# Raute = Median der simulierten Ränge, Balken = 5–95 %, roter Strich = nominaler Rang (Auswahl der
# Kategorie oben rechts).

# %%
figures.rank_intervals(out.result.rank_stats, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %% [markdown]
# ## Wahrscheinlichkeit, unter den ersten k zu sein

# %%
figures.p_topk_bars(out.result.rank_stats, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %%
out.table.round(3)

# %% [markdown]
# ## Welche Annahme bewegt die Rangfolge?
# Sᵢ: Anteil der Varianz der mittleren Rangverschiebung, den die Annahme allein erklärt; Sᴛᵢ: einschließlich
# ihrer Wechselwirkungen mit den anderen. Eine nicht variierte Annahme hat genau 0.

# %%
figures.sobol_bars(out.result.sensitivity, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %%
out.result.sensitivity.round(3)
