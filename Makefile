# edepot — developer entry points. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export EDEPOT_HOME ?= $(CURDIR)/var

.PHONY: install run test lint bench clean

$(BIN)/edepot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/edepot

install: $(BIN)/edepot

run: install
	$(BIN)/edepot init
	$(BIN)/edepot demo
	$(BIN)/edepot serve --host 127.0.0.1 --port 8000

test: install
	$(BIN)/pytest -n 2 -q

lint: install
	$(BIN)/ruff check edepot ingest tests bench
	$(BIN)/mypy edepot ingest

bench: install
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
