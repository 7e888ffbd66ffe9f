# The orders warehouse. Two commands do everything on a fresh machine:
#   make build   build the warehouse from the sample export (or EXPORTS="a.csv b.csv") and leave it running
#   make test    run every test against a throwaway PostgreSQL of its own
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

# Export files to load: the committed sample by default.
EXPORTS ?= $(sort $(wildcard data/sample/orders_export_*.csv))
# Orders in the benchmark's generated exports (make bench), and its throwaway server's port.
BENCH_ORDERS ?= 1000000
BENCH_PORT ?= 5435

.PHONY: help build test stop clean psql lint warehouse load transform bench

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

profiles.yml:
	cp profiles.example.yml profiles.yml

build: $(INSTALLED) profiles.yml warehouse load transform ## set up, start the warehouse, load EXPORTS, dbt build
	@$(BIN)/orders-warehouse server info

warehouse: $(INSTALLED) ## start the local warehouse (a no-op when it runs)
	$(BIN)/orders-warehouse server start

load: $(INSTALLED) ## load EXPORTS into the raw schema (files already loaded are skipped)
	$(BIN)/orders-warehouse load $(EXPORTS)

transform: $(INSTALLED) profiles.yml ## dbt deps + dbt build against the running warehouse
	$(BIN)/dbt deps --quiet
	$(BIN)/dbt build

test: $(INSTALLED) ## lint the Python, then run every test (dbt build, unit tests, SQL lint) on a throwaway PostgreSQL
	$(BIN)/ruff check python
	$(BIN)/ruff format --check python
	$(BIN)/pytest

lint: $(INSTALLED) profiles.yml ## lint the SQL against the running warehouse (make test does this too)
	$(BIN)/sqlfluff lint models tests analyses

bench: $(INSTALLED) ## benchmark (not a test): BENCH_ORDERS orders on a throwaway server; report in reports/benchmark
	$(BIN)/orders-warehouse bench --orders $(BENCH_ORDERS) --port $(BENCH_PORT) --out reports/benchmark

psql: ## open psql on the warehouse
	psql -h $(WAREHOUSE_HOST) -p $(WAREHOUSE_PORT) -U $(WAREHOUSE_USER) $(WAREHOUSE_DB)

stop: $(INSTALLED) ## stop the warehouse (its data stays)
	$(BIN)/orders-warehouse server stop

clean: $(INSTALLED) ## stop the warehouse and delete its data, dbt's target/ and logs
	$(BIN)/orders-warehouse server destroy
	rm -rf target dbt_packages logs
