# Vigil: the few commands people type. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := cd backend && ../$(BIN)/python manage.py

.PHONY: run test lint format frontend lock bench api

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: backend/requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r backend/requirements.lock
	touch $@

$(VENV)/.dev: backend/requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r backend/requirements-dev.lock
	touch $@ $(VENV)/.runtime

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error

frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm run build

## make run: install, build the frontend, migrate, seed the demo, serve with a worker and beat.
run: $(VENV)/.runtime frontend
	$(MANAGE) vigil_compilemessages
	$(MANAGE) migrate --noinput
	$(MANAGE) vigil_demo --if-empty
	PORT=$(PORT) ops/run-embedded.sh

## make test: ruff, mypy, the layer contract (import-linter), the frontend's tests, then pytest
## (PostgreSQL/Redis when their URLs are set).
test: $(VENV)/.dev frontend
	$(BIN)/ruff check --config backend/pyproject.toml backend tests
	$(BIN)/ruff format --config backend/pyproject.toml --check backend tests
	cd backend && ../$(BIN)/mypy .
	cd backend && ../$(BIN)/lint-imports --no-cache
	cd frontend && npm test --silent
	cd backend && ../$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	cd backend && ../$(BIN)/python manage.py vigil_compilemessages --settings=config.settings.test
	$(BIN)/pytest -c backend/pyproject.toml --rootdir . $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check --config backend/pyproject.toml backend tests
	$(BIN)/ruff format --config backend/pyproject.toml --check backend tests
	cd backend && ../$(BIN)/mypy .
	cd backend && ../$(BIN)/lint-imports --no-cache

format: $(VENV)/.dev
	$(BIN)/ruff check --config backend/pyproject.toml --fix backend tests
	$(BIN)/ruff format --config backend/pyproject.toml backend tests

## make api: regenerate the OpenAPI schema the frontend's types come from.
api: $(VENV)/.dev
	$(MANAGE) spectacular --settings=config.settings.test --format openapi-json --file ../frontend/src/api/openapi.json
	cd frontend && npm run api:types --silent

## make lock: re-pin the Python dependencies from backend/pyproject.toml (needs uv).
lock:
	cd backend && uv pip compile pyproject.toml --python-version 3.11 -q -o requirements.lock --no-header
	cd backend && uv pip compile pyproject.toml --extra dev --python-version 3.11 -q -o requirements-dev.lock --no-header

## make bench: the figures of issue 9 beside their ceilings (needs PostgreSQL and Redis on
## loopback; creates and drops the vigil_bench database). VIGIL_BENCH_SIZES=100000,1000000
## for a quicker run.
bench: $(VENV)/.dev frontend
	PYTHONPATH=backend $(BIN)/python -m tests.bench
