# Fairdue: `make run` and `make test` are all a fresh machine with Python 3.11 needs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
PYTEST_ARGS ?= -n 2

.PHONY: run test install install-dev migrate demo lint typecheck messages clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo_data

## Web + Celery worker + Celery beat on the embedded default (SQLite, file broker under var/).
run: demo
	@echo "Starting web, worker and beat (Ctrl-C stops them all) ..."
	$(BIN)/honcho start -f Procfile

## The test suite on SQLite (or on PostgreSQL/Redis when DATABASE_URL/REDIS_URL say so).
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: install-dev
	$(BIN)/mypy .

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean-db:
	rm -f var/fairdue.sqlite3*
