# vielfalt — two commands for users: `make demo` and `make test`.
# Setup uses only python3 -m venv and pip; it is idempotent and quick when already done
# (the stamp file is newer than pyproject.toml).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.vielfalt-installed
EDITION ?= demo2010

.PHONY: demo test bench lab clean setup browser

setup: $(STAMP)

$(STAMP): pyproject.toml etc/jupyterlab-overrides.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@$(BIN)/python -m ipykernel install --sys-prefix --name vielfalt --display-name "vielfalt (Python 3)" >/dev/null
	@# JupyterLab opens the jupytext .py notebooks as notebooks (make lab)
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp etc/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $(STAMP)
	@echo "vielfalt: Umgebung bereit in $(VENV) (Kernel 'vielfalt' registriert)."

demo: setup
	@$(BIN)/vielfalt demo

test: setup
	@$(BIN)/python -m pytest -q

bench: setup
	@$(BIN)/python benchmarks/run.py

lab: setup
	@$(BIN)/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf runs .pytest_cache .hypothesis .ruff_cache build dist src/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
