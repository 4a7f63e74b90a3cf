# cpmis — `make demo` starts the system with synthetic data; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= $(shell command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null)

.PHONY: setup setup-spark demo test test-fast lint typecheck migrations-check bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements/lock.txt requirements/build.txt pyproject.toml
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/build.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

## setup: create .venv and install the pinned dependencies (idempotent)
setup: $(STAMP)
	@mkdir -p var

## setup-spark: add pyspark (the "spark" extra, pinned) for `linkage_run --engine spark`; Java 17
## comes from the system (apt-get install openjdk-17-jre-headless)
setup-spark: setup
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps --no-build-isolation \
	  -r requirements/spark.txt

## demo: build a demo database with synthetic data and serve it on 127.0.0.1:8000
demo: setup
	$(BIN)/cpmis demo $(DEMO_ARGS)

## test: the whole suite (browser tests too where Chromium is installed)
test: setup
	@if [ -z "$(CHROMIUM)" ]; then \
	  echo ""; \
	  echo "!!! Chromium is not installed: the browser tests will be SKIPPED."; \
	  echo "!!! Install it (apt-get install chromium) to run them; CI fails on a skip."; \
	  echo ""; \
	fi
	CPMIS_CHROMIUM="$(CHROMIUM)" $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	CPMIS_MODE=test $(BIN)/mypy cpmis bench

migrations-check: setup
	CPMIS_MODE=test $(BIN)/cpmis manage makemigrations --check --dry-run

## bench: run a benchmark, e.g. `make bench NAME=child_search`
bench: setup
	$(BIN)/python -m bench $(NAME) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
