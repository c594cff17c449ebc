"""Run folders, artefacts, the manifest, the papermill runner and verification."""
