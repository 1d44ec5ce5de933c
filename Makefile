# foilog: `make site` builds the example site; `make test` runs every check CI runs.
# Works from a fresh clone on a fresh machine: it creates .venv with python3 (3.11) and installs
# the pinned requirements; `make test` also installs Debian's chromium, Java and Node.js when they are
# missing, and the pinned npm packages (axe-core, the Nu Html Checker, GOV.UK Frontend, Sass).
# `make site` needs Node.js too (installed when missing), for lunr.js, which every site's search copies; not Java:
# the govuk theme's compiled CSS is committed (`make css`).

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help site test golden css venv deps dev-deps chromium java node npm-deps lint typecheck pytest bench bench-search bench-build bench-serve bench-deps clean

help:
	@echo "make site       create .venv, install requirements.txt and the npm packages (lunr.js), and build the"
	@echo "                example site into output/"
	@echo "make test       install chromium if missing, create .venv, install requirements-dev.txt,"
	@echo "                then run ruff, mypy and pytest (what CI runs)"
	@echo "make golden     rebuild tests/golden/expected after an intended change to the output (review the diff)"
	@echo "make css        recompile themes/govuk/assets/govuk.css from themes/govuk/src/ (commit the result)"
	@echo "make bench      measure a letter page's weight, gzipped, in each theme (docs/benchmarks.md)"
	@echo "make bench-build  time foilog against Hugo + Pagefind and MkDocs on 10,000 and 30,000 generated letters"
	@echo "                (BENCH_ARGS='--sizes 1000 --runs 1' for a quick one; docs/benchmarks.md)"
	@echo "make lint | typecheck | pytest   one check at a time (PYTEST_ARGS='-k name' to narrow pytest)"
	@echo "make bench-serve  time build.py serve against hugo server while a letter is edited (BENCH_ARGS='--sizes 1000 --edits 2' for a quick one)"
	@echo "make bench-search  the search against Pagefind at 1,000 and 10,000 letters (BENCH_SIZES='1000 10000 100000')"
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

bench-deps: venv
	$(BIN)/python -m pip install -q -r bench/requirements.txt

# Playwright drives this system Chromium; `playwright install` is never run.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "$(CHROMIUM) is missing: installing Debian's chromium" >&2; \
	  $(call as_root) apt-get update && \
	  $(call as_root) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	fi

# The Nu Html Checker runs on Java.
java:
	@if ! command -v java >/dev/null; then \
	  echo "java is missing: installing Debian's default-jre-headless" >&2; \
	  $(call as_root) apt-get update && \
	  $(call as_root) env DEBIAN_FRONTEND=noninteractive apt-get install -y default-jre-headless; \
	fi

node:
	@if ! command -v npm >/dev/null; then \
	  echo "node and npm are missing: installing Debian's nodejs and npm" >&2; \
	  $(call as_root) apt-get update && \
	  $(call as_root) env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm; \
	fi

# The pinned front-end packages, from package-lock.json; install scripts are not run (none is needed).
npm-deps: node node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# `sudo` only when we are not root already.
as_root = $$( [ "$$(id -u)" = 0 ] || echo sudo )

# ------------------------------------------------------------------ the two commands

site: deps npm-deps
	$(BIN)/python build.py

# Every check runs even when an earlier one fails, so one run shows all the problems.
test: chromium java npm-deps dev-deps
	@status=0; \
	echo "== ruff check"; $(BIN)/ruff check . || status=1; \
	echo "== mypy"; $(BIN)/mypy || status=1; \
	echo "== pytest"; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: some checks failed (see above)" >&2; fi; \
	exit $$status

golden: deps npm-deps
	$(BIN)/python tests/golden/refresh.py

css: npm-deps
	npm run --silent build:css

bench: chromium deps dev-deps
	$(BIN)/python bench/page_weight.py

BENCH_SIZES ?= 1000 10000
bench-search: chromium bench-deps npm-deps
	$(BIN)/python bench/search.py --sizes $(BENCH_SIZES)

BENCH_ARGS ?=
bench-build: bench-deps npm-deps
	$(BIN)/python bench/build.py $(BENCH_ARGS)

bench-serve: bench-deps npm-deps
	$(BIN)/python bench/serve.py $(BENCH_ARGS)

lint: dev-deps
	$(BIN)/ruff check .

typecheck: dev-deps
	$(BIN)/mypy

pytest: chromium java npm-deps dev-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf output .output-* .output.lock .foilog-cache .pytest_cache .mypy_cache .ruff_cache tests/artifacts bench/.work
