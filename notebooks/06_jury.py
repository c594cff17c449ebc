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
# # Jury: Betriebsbesuche, Empfehlung, Dashboard
#
# Die Ergebnisse der Betriebsbesuche (`data/<Edition>/site_visits.csv`: je geprüfter Maßnahme bestätigt,
# teilweise oder nicht bestätigt) ändern die geprüften Abschnitte (`verification` in der Editionsdatei)
# mit den Faktoren der Edition (Standard 1,0 / 0,75 / 0,5); die Gesamtpunkte werden neu berechnet. Ein
# Label wird empfohlen ab der Schwelle der Edition und ohne ungeklärte gesetzliche Pflicht; die Jury
# entscheidet.
# Dasselbe Notebook ist die Voilà-App (`vielfalt dashboard <Edition>`), dann mit `live = True`.

# %% tags=["parameters"]
edition = "demo2010"  # Kennung der Edition (params/editions/<edition>.yaml)
project_root = ""  # absoluter Pfad des Projekts (setzt der Runner)
run_dir = ""  # absoluter Pfad des Laufordners (setzt der Runner)
lang = "de"  # Sprache der Ausgaben: "de" oder "en"
live = False  # True: Voilà-App auf einem fertigen Lauf (liest nur, schreibt nichts)

# %%
from vielfalt import stages
from vielfalt.dashboard import figures, widgets

out = (stages.jury_live if live else stages.jury_stage)(project_root, edition, run_dir, lang=lang)
print("\n".join(out.summary))

# %% [markdown]
# ## Empfehlung je Kategorie
# Rang nach den Punkten nach dem Besuch; Rangintervall aus der Robustheitsanalyse; „Befangen“ nennt
# Jurymitglieder, die zu diesem Eintrag eine Befangenheit erklärt haben.

# %%
out.table

# %% [markdown]
# ## Dashboard
# Live (Voilà): Kategorie wählen, Gewichte verschieben („was wäre, wenn …“), Profile und Vergleiche. Im
# Bericht: die Änderungen durch die Besuche; das vollständige Jury-Dashboard ist die HTML-Datei oben.

# %%
(
    widgets.jury_app(out.view)
    if live
    else figures.site_visit_changes(out.view.final, labels=out.view.labels(), lang=lang)
)

# %%
None if live else figures.rank_intervals(out.view.rank_stats, lang=lang)
