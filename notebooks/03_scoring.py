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
# # Punkte und Rangfolge (Scoring)
#
# Antworten → Indikatoren (0–1, nach den Regeln des Fragebogens) → Abschnitte → Gesamtpunkte (0–100),
# Rang innerhalb der Größenkategorie. Die Methode (Normierung, Aggregation, Imputation, Korrektur der
# Gutachtenden) steht im Abschnitt `scoring` der Editionsdatei.

# %% tags=["parameters"]
edition = "demo2010"  # Kennung der Edition (params/editions/<edition>.yaml)
project_root = ""  # absoluter Pfad des Projekts (setzt der Runner)
run_dir = ""  # absoluter Pfad des Laufordners (setzt der Runner)
lang = "de"  # Sprache der Ausgaben: "de" oder "en"

# %%
from vielfalt import stages
from vielfalt.dashboard import figures

out = stages.scoring_stage(project_root, edition, run_dir, lang=lang)
print("\n".join(out.notes))
print(out.result.settings)

# %% [markdown]
# ## Rangfolge je Kategorie — mit den Indikatoren, die die Punkte getragen haben

# %%
out.ranking

# %%
figures.ranking_bars(out.ranking, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %% [markdown]
# ## Punktprofil je Abschnitt

# %%
figures.section_profile(out.result.scores, out.result.items.labels, lang=lang).show(
    config=figures.PLOTLY_CONFIG
)

# %% [markdown]
# ## Itemanalyse je Kategorie
# Trennschärfe (korrigierte Item-Gesamt-Korrelation), Boden- und Deckeneffekte, Anteil nicht erwartet
# oder nicht bewertbar, Cronbachs α des Abschnitts.

# %%
out.analysis.round(3)
