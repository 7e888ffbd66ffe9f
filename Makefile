# The orders warehouse. Two commands do everything on a fresh machine:
#   make build   build the warehouse from the sample export (or EXPORTS="a.csv b.csv") and leave it running
#                (make build TARGET=duckdb: the same warehouse in a local DuckDB file, no server;
#                 make build TARGET=spark: on a local Spark Thrift server of the project's, parquet tables)
#   make test    run every test against a throwaway PostgreSQL of its own, and the sample build on DuckDB
#   make test-spark   the sample built on Spark equals the PostgreSQL build (slow: not part of make test)
# See README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
INSTALLED := $(VENV)/.installed

# Connection settings of the local warehouse (read by profiles.yml, the loader and psql).
export WAREHOUSE_HOST ?= 127.0.0.1
export WAREHOUSE_PORT ?= 5433
export WAREHOUSE_USER ?= postgres
export WAREHOUSE_DB ?= warehouse
export DBT_PROFILES_DIR ?= $(CURDIR)
# dbt's threads: one per core (more only queue on the server's CPUs).
export DBT_THREADS ?= $(shell nproc)
# The profile's target: dev (PostgreSQL, the server above), duckdb (the file WAREHOUSE_DUCKDB_PATH, no server) or
# spark (the project's Spark Thrift server on WAREHOUSE_SPARK_PORT, its data in WAREHOUSE_SPARK_DIR).
TARGET ?= dev
export DBT_TARGET := $(TARGET)
export WAREHOUSE_DUCKDB_PATH ?= $(CURDIR)/.warehouse/warehouse.duckdb
export WAREHOUSE_SPARK_PORT ?= 10015
export WAREHOUSE_SPARK_DIR ?= $(CURDIR)/.warehouse/spark
ifeq ($(TARGET),spark)
# A local Spark Thrift server: no roles, no hash key; snapshots are disabled there (docs/engines.md).
SERVER_STEPS := spark-warehouse
HASH_KEY_STEP := @echo "spark: no personal-data hash key on the local Thrift server (no users, no secret store)"
WAREHOUSE_INFO := @$(BIN)/orders-warehouse spark-server status; echo "make stop TARGET=spark stops it."
STOP_STEP := $(BIN)/orders-warehouse spark-server stop
DESTROY_STEP := $(BIN)/orders-warehouse spark-server stop && rm -rf $(WAREHOUSE_SPARK_DIR)
else ifeq ($(TARGET),duckdb)
# An embedded file: no server to start, no roles, no hash key to store (docs/engines.md).
SERVER_STEPS :=
HASH_KEY_STEP := @echo "duckdb: no personal-data hash key on an embedded single-user file"
WAREHOUSE_INFO := @echo "The warehouse is the DuckDB file $(WAREHOUSE_DUCKDB_PATH)."; \
    echo "Schemas: raw, staging, intermediate, vault, marts, ml, snapshots, governance."
else
SERVER_STEPS := warehouse
HASH_KEY_STEP := $(BIN)/orders-warehouse set-hash-key
WAREHOUSE_INFO := @$(BIN)/orders-warehouse server info
endif
STOP_STEP ?= $(BIN)/orders-warehouse server stop
DESTROY_STEP ?= $(BIN)/orders-warehouse server destroy

# Export files to load: the committed sample by default.
EXPORTS ?= $(sort $(wildcard data/sample/orders_export_*.csv))
# Port of the docs site (make docs), and where make build keeps the artifacts of the last full build (make ci-slim).
DOCS_PORT ?= 8080
STATE_DIR := .state

.PHONY: freshness docs gate ci-slim chromium

# Processes make test runs the test modules on (pytest-xdist; a module's tests stay on one process).
TEST_WORKERS ?= 2

# Orders in the benchmark's generated exports (make bench), and its throwaway server's port.
BENCH_ORDERS ?= 1000000
BENCH_PORT ?= 5435

.PHONY: help build test test-spark stop clean psql lint warehouse spark-warehouse load transform bench

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

profiles.yml:
	cp profiles.example.yml profiles.yml

build: $(INSTALLED) profiles.yml $(SERVER_STEPS) load freshness transform ## set up, start the warehouse, load EXPORTS, check freshness, dbt build (TARGET=duckdb: no server)
	$(WAREHOUSE_INFO)

warehouse: $(INSTALLED) ## start the local warehouse (a no-op when it runs)
	$(BIN)/orders-warehouse server start

spark-warehouse: $(INSTALLED) ## start the project's local Spark Thrift server (a no-op when it runs)
	$(BIN)/orders-warehouse spark-server start

# Every good file of EXPORTS loads; a refused one (named, with its reason) fails the load after them, so make build
# stops before dbt builds on a partial batch. Fixed, the same make build goes on: the loaded files are skipped.
load: $(INSTALLED) ## load EXPORTS into the raw schema (files already loaded are skipped, bad ones refused)
	$(BIN)/orders-warehouse load --target $(TARGET) $(EXPORTS)

# A production build runs no unit test: they test the SQL on fixed fixtures, not the loaded data, so (as dbt
# recommends) they run in development and CI: make test runs them with every build, make ci-slim with the changes.
transform: $(INSTALLED) profiles.yml ## dbt deps + dbt build against the running warehouse (no unit tests: make test)
	$(BIN)/dbt deps --quiet
	$(HASH_KEY_STEP)
	$(BIN)/dbt build --exclude-resource-type unit_test
	@# The artifacts of this full build are the state make ci-slim compares with and defers to.
	@mkdir -p $(STATE_DIR) && cp target/manifest.json $(STATE_DIR)/manifest.json

test: $(INSTALLED) chromium ## lint and type-check the Python, then run every test (dbt build, unit tests, SQL lint) on a throwaway PostgreSQL
	$(BIN)/ruff check python
	$(BIN)/ruff format --check python
	$(BIN)/mypy python
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

test-spark: $(INSTALLED) ## build the sample on a throwaway Spark Thrift server and compare it with PostgreSQL (slow)
	$(BIN)/pytest -m spark python/tests/spark

lint: $(INSTALLED) profiles.yml ## lint the SQL against the running warehouse (make test does this too)
	$(BIN)/sqlfluff lint models tests analyses

freshness: $(INSTALLED) profiles.yml ## how fresh the loaded export is (dbt source freshness; make build shows it)
	@# A stale export is reported (WARN/ERROR STALE above) without stopping the build of the data that is there.
	$(BIN)/dbt source freshness || echo "freshness: the loaded export is stale (see above); building what is loaded"

docs: $(INSTALLED) profiles.yml $(SERVER_STEPS) ## generate the dbt docs site (catalog from the warehouse), serve it on 127.0.0.1:DOCS_PORT (8080)
	$(BIN)/dbt docs generate
	@echo "docs site: http://127.0.0.1:$(DOCS_PORT)/ (Ctrl-C stops it)"
	$(BIN)/dbt docs serve --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

gate: $(INSTALLED) profiles.yml ## check the project's conventions with dbt-bouncer (dbt-bouncer.yml) against the warehouse
	$(BIN)/dbt docs generate --quiet
	$(BIN)/dbt-bouncer run --config-file dbt-bouncer.yml

ci-slim: $(INSTALLED) profiles.yml ## build only what changed since the last full build, and its descendants
	@test -f $(STATE_DIR)/manifest.json || { echo "no $(STATE_DIR)/manifest.json: run make build first"; exit 1; }
	$(BIN)/dbt build --select state:modified+ --defer --state $(STATE_DIR)

chromium: ## install Debian's chromium for the docs-site browser test (as root; a no-op when it is installed)
	@if [ -x /usr/bin/chromium ]; then \
	    echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"; \
	elif [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else \
	    echo "chromium: /usr/bin/chromium is missing and this is not root: the docs-site browser test will be skipped"; \
	    echo "          (install it with: sudo apt-get install --no-install-recommends chromium)"; \
	fi

bench: $(INSTALLED) ## benchmark (not a test): BENCH_ORDERS orders on a throwaway server; report in reports/benchmark
	$(BIN)/orders-warehouse bench --orders $(BENCH_ORDERS) --port $(BENCH_PORT) --out reports/benchmark

psql: ## open psql on the warehouse
	psql -h $(WAREHOUSE_HOST) -p $(WAREHOUSE_PORT) -U $(WAREHOUSE_USER) $(WAREHOUSE_DB)

stop: $(INSTALLED) ## stop the warehouse (its data stays; TARGET=spark: the Spark Thrift server)
	$(STOP_STEP)

clean: $(INSTALLED) ## stop the warehouse and delete its data, dbt's target/ and logs (TARGET=spark: Spark's)
	$(DESTROY_STEP)
	rm -f $(WAREHOUSE_DUCKDB_PATH) $(WAREHOUSE_DUCKDB_PATH).wal
	rm -rf target dbt_packages logs $(STATE_DIR)
