# Two commands set up a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# Exported, so that links made by any command (loaddemo, serve) start with the address served.
export PORT
export COPRODUCE_DATA_DIR ?= $(CURDIR)/var
# PostgreSQL used by `make test` when it answers (CI has it at 127.0.0.1:5432, trust auth).
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run install test lint typecheck test-sqlite test-postgres test-browser test-exactly-once bench clean demo

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	mkdir -p "$(COPRODUCE_DATA_DIR)"
	$(BIN)/coproduce migrate --noinput
	$(BIN)/coproduce loaddemo
	$(BIN)/coproduce collectstatic --noinput --verbosity 0

## Set up, load the demo collaboration and serve it (web + task worker) on http://127.0.0.1:$(PORT)
## (links in emails and feeds use that address unless COPRODUCE_SITE_URL says otherwise)
run: demo
	$(BIN)/coproduce serve --port $(PORT)

## Everything CI runs: lint, type checks, the suite on SQLite and (when reachable) PostgreSQL
test: install lint typecheck test-sqlite test-postgres test-exactly-once
	@echo "make test: all checks passed"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy coproduce

# Two runs: tests that commit (live server, transaction=True) empty the tables when they end,
# so they run after the others, never interleaved on one worker (see tests/conftest.py).
PYTEST := $(BIN)/python -m pytest -q -n 2 --dist loadfile
test-sqlite: install
	$(PYTEST) -m "not transactional"
	$(PYTEST) -m transactional

test-postgres: install
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== PostgreSQL reachable: running the suite on PostgreSQL"; \
		DATABASE_URL=$(PG_TEST_URL) $(PYTEST) -m "not transactional" && \
		DATABASE_URL=$(PG_TEST_URL) $(PYTEST) -m transactional; \
	elif [ -n "$$CI" ]; then \
		echo "!! PostgreSQL is not reachable at $(PG_TEST_URL) and CI requires it" >&2; exit 1; \
	else \
		echo "!! SKIPPING the PostgreSQL run: nothing answers at $(PG_TEST_URL)"; \
	fi

## Kill the worker with SIGKILL at ~25/50/75% of a mailing and count what the SMTP server got
## (2,000 recipients on SQLite; 10,000 on PostgreSQL when it answers, as on CI)
test-exactly-once: install
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		$(BIN)/python tests/exactly_once.py --sqlite 2000 --postgres 10000 --postgres-url $(PG_TEST_URL); \
	elif [ -n "$$CI" ]; then \
		echo "!! PostgreSQL is not reachable at $(PG_TEST_URL) and CI requires it" >&2; exit 1; \
	else \
		echo "!! PostgreSQL not reachable: exactly-once run on SQLite only"; \
		$(BIN)/python tests/exactly_once.py --sqlite 2000; \
	fi

## Browser tests only; each role's journey is saved as screenshots in var/screenshots/ to review
test-browser: install
	rm -rf var/screenshots
	COPRODUCE_SCREENSHOTS=$(CURDIR)/var/screenshots $(BIN)/python -m pytest -q -m browser -n 2 --dist loadfile tests/e2e
	@echo "Screenshots of each role's journey, desktop and phone: var/screenshots/"

## Load figures: each page's throughput as a ratio to the bare layout page (see bench/README.md)
# The bench drops and re-creates this scratch database (never `test`, which CI uses).
PG_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/bench_coproduce
PG_BENCH_SERVER := $(patsubst %/bench_coproduce,%/postgres,$(PG_BENCH_URL))
PG_DISPATCH_URL ?= $(patsubst %/bench_coproduce,%/bench_dispatch,$(PG_BENCH_URL))
bench: install
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || \
		{ echo "!! make bench needs wrk (Debian package wrk): apt-get install wrk" >&2; exit 1; }
	$(BIN)/python bench/run.py
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_BENCH_SERVER)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== PostgreSQL reachable: the same bench on PostgreSQL"; \
		BENCH_DATABASE_URL=$(PG_BENCH_URL) $(BIN)/python bench/run.py; \
	else \
		echo "!! SKIPPING the PostgreSQL bench: nothing answers at $(PG_BENCH_SERVER)"; \
	fi
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_BENCH_SERVER)', connect_timeout=3).close()" 2>/dev/null; then \
		BENCH_DATABASE_URL=$(PG_DISPATCH_URL) $(BIN)/python bench/dispatch.py; \
	else \
		$(BIN)/python bench/dispatch.py; \
	fi
	$(BIN)/python bench/concurrency.py
	$(BIN)/python bench/network.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
