# foilog: `make site` builds the example site; `make test` runs every check CI runs.
# Works from a fresh clone on a fresh machine: it creates .venv with python3 (3.11) and installs
# the pinned requirements; `make test` also installs Debian's chromium when /usr/bin/chromium is missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help site test golden venv deps dev-deps chromium lint typecheck pytest clean

help:
	@echo "make site       create .venv, install requirements.txt and build the example site into output/"
	@echo "make test       install chromium if missing, create .venv, install requirements-dev.txt,"
	@echo "                then run ruff, mypy and pytest (what CI runs)"
	@echo "make golden     rebuild tests/golden/expected after an intended change to the output (review the diff)"
	@echo "make lint | typecheck | pytest   one check at a time (PYTEST_ARGS='-k name' to narrow pytest)"
	@echo "make clean      remove output/, caches and test artifacts (content/ is kept)"

# ------------------------------------------------------------------ setup

$(BIN)/python:
	@if ! $(PYTHON) -m venv $(VENV); then \
	  echo "python3 -m venv failed; installing Debian's python3-venv and trying again" >&2; \
	  rm -rf $(VENV); \
	  $(call as_root) apt-get update && $(call as_root) env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv; \
	  $(PYTHON) -m venv $(VENV); \
	fi

venv: $(BIN)/python

deps: venv
	$(BIN)/python -m pip install -q -r requirements.txt

dev-deps: venv
	$(BIN)/python -m pip install -q -r requirements-dev.txt

# Playwright drives this system Chromium; `playwright install` is never run.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "$(CHROMIUM) is missing: installing Debian's chromium" >&2; \
	  $(call as_root) apt-get update && \
	  $(call as_root) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	fi

# `sudo` only when we are not root already.
as_root = $$( [ "$$(id -u)" = 0 ] || echo sudo )

# ------------------------------------------------------------------ the two commands

site: deps
	$(BIN)/python build.py

# Every check runs even when an earlier one fails, so one run shows all the problems.
test: chromium dev-deps
	@status=0; \
	echo "== ruff check"; $(BIN)/ruff check . || status=1; \
	echo "== mypy"; $(BIN)/mypy || status=1; \
	echo "== pytest"; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: some checks failed (see above)" >&2; fi; \
	exit $$status

golden: deps
	$(BIN)/python tests/golden/refresh.py

lint: dev-deps
	$(BIN)/ruff check .

typecheck: dev-deps
	$(BIN)/mypy

pytest: dev-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf output .output-* .pytest_cache .mypy_cache .ruff_cache tests/artifacts
