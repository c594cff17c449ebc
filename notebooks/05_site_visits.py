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
#     - sklearn.ensemble
#     - openpyxl
# ---


# %% [markdown]
# # Auswahl für die Vor-Ort-Besuche
#
# Je Kategorie mit k Besuchsplätzen (METHODS.md §5): **sicher**, wenn der 95-%-Rang ≤ k ist; **Grenzfall**,
# wenn P(Rang ≤ k) im Grenzbereich liegt (oder darüber, ohne sicher zu sein); **prüfen**, wenn eine
# Plausibilitätsprüfung anschlägt (widersprüchliche Zahlen, Maßnahmen ohne angekreuzte Option, ungewöhnliches
# Antwortprofil, gesetzliche Pflicht nicht erkennbar). Jede Zeile nennt alle zutreffenden Gründe. Regel und
# Liste werden mit Pseudonymen berechnet und mit ihrem SHA-256 festgeschrieben, bevor Namen dazukommen.

# %% tags=["parameters"]
edition = "demo2010"  # Kennung der Edition (params/editions/<edition>.yaml)
project_root = ""  # absoluter Pfad des Projekts (setzt der Runner)
run_dir = ""  # absoluter Pfad des Laufordners (setzt der Runner)
lang = "de"  # Sprache der Ausgaben: "de" oder "en"

# %%
from vielfalt import stages

out = stages.site_visits_stage(project_root, edition, run_dir, lang=lang)
print("\n".join(out.summary))

# %% [markdown]
# ## Alle Einträge mit Einstufung und Gründen
# Reihenfolge je Kategorie: Priorität der Besuchsliste, dann Einstufung und Rang. Codes: CLEAR (sicher),
# ALL_IN (nicht mehr Einträge als Plätze), BORDERLINE/LIKELY (Grenzfall), FILL (freier Platz), CAPACITY
# (Plätze vergeben), TIE_AT_CUT (Gleichstand an der Grenze, Regel der Edition), INCONSISTENT_COUNTS,
# CLAIM_WITHOUT_MEASURE, OUTLIER, LEGAL_GAP (beim Besuch prüfen).

# %%
out.table.round(3)

# %% [markdown]
# ## Besuchsplan
# Auch als Excel-Datei `site_visits/besuchsplan_<Edition>.xlsx` (nur für das Institut, mit Kontaktdaten)
# und ohne Namen als `site_visits/blind_<Edition>.csv`.

# %%
out.plan_view
