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

test: setup browser
	@$(BIN)/python -m pytest -q

# Debian's chromium for the browser tests (never `playwright install`, which downloads a browser):
# installed with apt-get when missing and run as root; otherwise the browser tests skip and say why.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; }; } && \
	  echo "vielfalt: chromium installiert (für die Browser-Tests)."; } || \
	  echo "vielfalt: chromium fehlt und kann nicht installiert werden; die Browser-Tests werden übersprungen."

bench: setup
	@$(BIN)/python benchmarks/run.py

lab: setup
	@$(BIN)/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf runs .pytest_cache .hypothesis .ruff_cache build dist src/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
