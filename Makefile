# Two entry points: `make demo` and `make test`. Each sets itself up from nothing but
# Python 3.11, pip and apt: a virtualenv in .venv, the package with its test extras,
# and (for tests) PostgreSQL, Chromium and Java from Debian's packages when missing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out

.PHONY: demo test lint bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/reform-ledger --db demo.db demo --out $(OUT)

system-deps:
	bash tests/system-deps.sh

test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[bench]'  # the peer rows (eventsourcing)
	$(BIN)/python benchmarks/bench_cli.py
	$(BIN)/python benchmarks/bench_ledger.py $(if $(PG),--pg $(PG))
	$(BIN)/python benchmarks/bench_reports.py
	$(BIN)/python benchmarks/bench_site.py

clean:
	rm -rf $(VENV) $(OUT) demo.db *.egg-info .pytest_cache
