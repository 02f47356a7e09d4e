# Fairdue: `make run` and `make test` are all a fresh machine with Python 3.11 needs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
PYTEST_ARGS ?= -n 2
# Port of the web process: the environment, else .env, else 8000 (the Procfile reads it too).
WEB_PORT ?= $(shell sed -n 's/^WEB_PORT=\([0-9][0-9]*\).*/\1/p' .env 2>/dev/null | tail -n 1)
ifeq ($(strip $(WEB_PORT)),)
override WEB_PORT := 8000
endif
export WEB_PORT

.PHONY: run test install install-dev migrate demo demo-reset nightly lint typecheck messages clean-db

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
	@echo "Starting web on http://127.0.0.1:$(WEB_PORT), worker and beat (Ctrl-C stops them all) ..."
	$(BIN)/honcho start -f Procfile

## A fresh demo: the embedded database and the local files of the demo are removed, then
## migrate and demo_data build it again (with its history up to yesterday).
demo-reset: clean-db
	$(MAKE) demo

## The nightly batch now (sweep + ladder for yesterday), in this process; notices are then
## sent by the worker of `make run` (or by the next `make run`).
nightly: migrate
	$(BIN)/python manage.py nightly_run

## The test suite on SQLite (or on PostgreSQL/Redis when DATABASE_URL/REDIS_URL say so).
test: install-dev
	DJANGO_ENV=test $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: install-dev
	$(BIN)/mypy .

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

## Removes the embedded SQLite database, the file broker's queue, the mail, SMS and letter
## files, evidence uploads and audit checkpoint files (keys under var/ stay). A PostgreSQL
## database named by DATABASE_URL is not touched.
clean-db:
	rm -rf var/fairdue.sqlite3* var/celery var/mail var/sms var/private var/audit/checkpoints
