# The two commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast check bench screenshots clean install-shared uninstall-shared

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamps so that a second `make` does not reinstall; touching pyproject.toml does.
$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,serve,postgresql]'
	@touch $@ $(VENV)/.run-deps

demo: $(VENV)/.run-deps
	$(BIN)/mopstui demo

# The README's test command: static checks first (lint, types, the import contract), then the whole
# suite (what CI runs). `make test-fast` is for a change: the same checks, then the suite without its
# slow and timing tests (the markers are in pyproject.toml; tests/conftest.py says which are slow),
# on four workers (pytest-xdist) whatever the cores: its screen tests spend most of their time waiting.
test: $(VENV)/.test-deps
	$(BIN)/ruff check mopstui tests bench scripts
	$(BIN)/ruff format --check mopstui tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -n auto --maxprocesses 4 --dist loadgroup

test-fast: $(VENV)/.test-deps
	$(BIN)/ruff check mopstui tests bench scripts
	$(BIN)/ruff format --check mopstui tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -m "not slow and not timing" -n 4

bench: $(VENV)/.test-deps
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

screenshots: $(VENV)/.test-deps
	$(BIN)/python scripts/screenshots.py

# One install for every account on a shared host: sudo make install-shared (see README, "Setting it up").
# SHARED_DIR (/opt/mopstui), SHARED_BIN (/usr/local/bin), SHARED_PYTHON (/usr/bin/python3) may be set.
install-shared:
	sh scripts/install-shared.sh install

uninstall-shared:
	sh scripts/install-shared.sh uninstall

clean:
	rm -rf $(VENV) .pytest_cache
