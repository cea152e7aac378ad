# The README's two commands: `make run` and `make test`. Both work on a fresh machine with only
# Python 3.11+: uv is bootstrapped into .sop/bootstrap when it is not on PATH.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
UV := $(or $(shell command -v uv 2>/dev/null),.sop/bootstrap/bin/uv)
PYTEST_WORKERS ?= 2

.sop/bootstrap/bin/uv:
	@echo "uv not found: installing it into .sop/bootstrap"
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv .sop/bootstrap
	.sop/bootstrap/bin/python -m pip install --quiet --upgrade pip uv

.PHONY: help sync run test lint format bench openapi clean
help:
	@echo "make run    install, migrate, seed demo data and start every process (Ctrl-C stops)"
	@echo "make test   lint and run the whole test suite (PostgreSQL: see README)"
	@echo "make bench  run the benchmarks and print JSON figures"
	@echo "make lint   ruff check, format check and mypy (the type checker) only"

sync: $(UV)
	@$(UV) sync --all-packages --locked --quiet

run: sync
	$(UV) run --no-sync sop run

lint: sync
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync mypy

format: sync
	$(UV) run --no-sync ruff check --fix .
	$(UV) run --no-sync ruff format .

test: lint
	$(UV) run --no-sync pytest -n $(PYTEST_WORKERS) --dist loadgroup

bench: sync
	$(UV) run --no-sync python bench/run.py

openapi: sync
	$(UV) run --no-sync sop openapi

clean:
	rm -rf .sop .pytest_cache .ruff_cache
