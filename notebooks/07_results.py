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
#     - openpyxl
# ---


# %% [markdown]
# # Ergebnisse: Auszeichnungen, Übereinstimmung, Rückmeldungen
#
# Stimmen der Jury (`data/<Edition>/jury_votes.csv`: Mitglied, Eintrag, ja/nein/Enthaltung): einfache
# Mehrheit je Eintrag (Enthaltungen zählen nicht), befangene Mitglieder sind beim betreffenden Eintrag
# ausgeschlossen, bei Stimmengleichheit gilt die Regel der Edition. Danach: Übereinstimmung zwischen
# Empfehlung und Entscheidung und ein Rückmeldeschreiben je Teilnehmendem.

# %% tags=["parameters"]
edition = "demo2010"  # Kennung der Edition (params/editions/<edition>.yaml)
project_root = ""  # absoluter Pfad des Projekts (setzt der Runner)
run_dir = ""  # absoluter Pfad des Laufordners (setzt der Runner)
lang = "de"  # Sprache der Ausgaben: "de" oder "en"

# %%
from vielfalt import stages

out = stages.close_stage(project_root, edition, run_dir, lang=lang)
print("\n".join(out.summary))

# %% [markdown]
# ## Auszeichnungen je Kategorie

# %%
out.table

# %% [markdown]
# ## Übereinstimmung zwischen Empfehlung und Entscheidung
# Präzision@k: Anteil der k am besten empfohlenen Einträge (k = vergebene Label der Kategorie), die die
# Jury ausgezeichnet hat. Kendalls τ (τ-b): Rangkorrelation zwischen Punkten und Netto-Stimmen (ja − nein)
# der Einträge mit Stimmen.

# %%
out.agreement_table

# %% [markdown]
# ## Nicht gezählte Stimmen und Hinweise

# %%
out.failures[["row", "entry_id", "check", "reason"]]

# %% [markdown]
# ## Veröffentlichung
# Nur Ausgezeichnete mit Einwilligung zur Veröffentlichung stehen in `exports/public_<Edition>`.

# %%
out.public_excluded
