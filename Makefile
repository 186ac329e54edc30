# Two entry points that work on a fresh machine with Python 3.11+ and make:
#   make demo   install and run the baseline scenario
#   make test   install with the dev extras and run the whole suite
#   make lab    JupyterLab on the planner notebooks
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lab lint docs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gridsim needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --editable .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet --editable '.[dev]'
	@touch $@

demo: $(VENV)/.installed
	$(BIN)/gridsim run scenarios/chengcheng.yaml --replications 8

test: lint
	$(BIN)/python -m pytest -q

# JupyterLab on the planner notebooks (notebooks/*.ipynb); clear their outputs before committing.
# As root (containers), Jupyter needs --allow-root.
lab: $(VENV)/.installed-dev
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# style, the layer contract of docs/architecture.md (pyproject.toml [tool.importlinter])
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

docs: $(VENV)/.installed
	$(BIN)/python -m sim.scenario.reference > docs/scenario-reference.md

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
