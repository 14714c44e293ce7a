# Two commands do the whole set-up: `make demo` and `make test`.
# A stamp file per extra set means a second run reinstalls nothing unless pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_APP := $(VENV)/.installed-app
STAMP_TEST := $(VENV)/.installed-test

.PHONY: demo test bench bench-smoke lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Bytecode compiled at install, as pip does for a regular install (not for -e): a machine
# with PYTHONDONTWRITEBYTECODE set would otherwise compile pmconsole at every start.
$(STAMP_APP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python -m compileall -q pmconsole
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -m compileall -q pmconsole
	touch $@ $(STAMP_APP)

demo: $(STAMP_APP)
	$(BIN)/pmconsole demo

test: $(STAMP_TEST)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP_TEST)
	$(BIN)/python -m bench

bench-smoke: $(STAMP_TEST)
	$(BIN)/python -m bench --smoke

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
