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
# # Editionen im Vergleich (Forschung)
#
# Grundlage ist das pseudonymisierte Forschungsarchiv (`archive/`), nicht die Läufe: Teilnahme,
# Wiederholungsteilnahmen, Maßnahmen je Handlungsfeld, Punkteverteilung, Empfehlung und Jury, Übereinstimmung
# der Gutachtenden. Verschiedene Fragebogen-Versionen werden über den Crosswalk verglichen; was sich nicht
# vergleichen ließ, steht am Ende. Interne Auswertung: Tabellen zur Veröffentlichung schreibt
# `vielfalt export ED --profile research` (mit Sperrung kleiner Zellen).

# %% tags=["parameters"]
archive_dir = ""  # absoluter Pfad des Forschungsarchivs (leer: <project_root>/archive)
editions = ""  # Editionen, durch Komma getrennt (leer: alle im Archiv)
project_root = ""  # absoluter Pfad des Projekts (setzt der Runner)
run_dir = ""  # absoluter Pfad des Laufordners (setzt der Runner)
lang = "de"  # Sprache der Ausgaben: "de" oder "en"

# %%
from vielfalt.dashboard import figures
from vielfalt.research import compare as editions_compare

out = editions_compare.research_stage(
    project_root, run_dir, archive_dir=archive_dir, editions=editions, lang=lang
)
print("\n".join(out.notes))

# %% [markdown]
# ## Teilnahme je Edition und Kategorie
# Die Kategorien folgen dem Schema der jeweiligen Edition (2015: vier Größenklassen, öffentliche
# Einrichtungen nach Größe einsortiert).

# %%
figures.participation_bars(out.participation, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %% [markdown]
# ## Wiederholte Teilnahmen und Veränderung der Gesamtpunkte

# %%
editions_compare.display_table(out.repeaters, lang=lang)

# %%
figures.repeat_slopes(out.repeaters_long, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %% [markdown]
# ## Maßnahmen je Handlungsfeld über die Jahre
# Gezählt werden nur Optionen, die es in allen verglichenen Fragebögen gibt; gesetzliche Pflichten zählen
# nicht.

# %%
figures.adoption_heatmap(out.adoption, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %% [markdown]
# ## Verteilung der Gesamtpunkte

# %%
figures.edition_scores(out.scores, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %% [markdown]
# ## Empfehlung und Jury-Entscheidung

# %%
figures.agreement_by_edition(out.agreement, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %%
editions_compare.display_table(out.agreement.round(3), lang=lang)

# %% [markdown]
# ## Übereinstimmung der Gutachtenden je Edition

# %%
figures.reliability_by_edition(out.reliability, lang=lang).show(config=figures.PLOTLY_CONFIG)

# %% [markdown]
# ## Nicht (eins zu eins) vergleichbare Items
# Aus dem Crosswalk: umbenannte Items (unter neuem Code verglichen), entfallene und neue Items, Optionen nur
# in einer Version.

# %%
editions_compare.display_table(out.comparability, lang=lang)
