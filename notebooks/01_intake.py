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
#     - openpyxl
# ---

# %% [markdown]
# # Eingang der Teilnahmebögen (Intake)
#
# Liest alle Eingabedateien der Edition, prüft jede Zeile gegen den Fragebogen und ordnet jede
# angenommene Einsendung einer Größenkategorie zu. Jede Zeile ist am Ende **angenommen** oder
# **zurückgestellt** — mit Grund und Hinweis, was zu tun ist.

# %% tags=["parameters"]
edition = "demo2010"  # Kennung der Edition (params/editions/<edition>.yaml)
project_root = ""  # absoluter Pfad des Projekts (setzt der Runner)
run_dir = ""  # absoluter Pfad des Laufordners (setzt der Runner)
lang = "de"  # Sprache der Ausgaben: "de" oder "en"

# %%
from vielfalt import stages
from vielfalt.dashboard import figures

ed, q = stages.load_context(project_root, edition)
print(f"{ed.title.get(lang)} — Fragebogen {q.meta.id} v{q.meta.version}")

# %%
result = stages.intake_stage(project_root, edition, run_dir, lang=lang)
print(result.report.summary())

# %% [markdown]
# ## Einsendungen nach Kategorie und Quelle

# %%
result.counts

# %%
figures.intake_overview(result.counts, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %% [markdown]
# ## Zurückgestellte Zeilen
#
# Diese Zeilen gehen nicht in die Bewertung ein. Die Tabelle nennt Quelle, Zeile (wie in Excel) und
# den Grund; `intake_report.xlsx` im Laufordner enthält zusätzlich alle Befunde mit Lösungsvorschlag.

# %%
stages.quarantine_table(result.report, lang=lang)

# %% [markdown]
# ## Bewertungsbögen für die Gutachtenden

# %%
{rater: path.name for rater, path in result.rating_sheets.items()}
