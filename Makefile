# qiangji — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
DATA_DIR ?= ./var
export DATA_DIR

.PHONY: demo test lint typecheck pytest system-deps venv bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the project metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

system-deps:
	bash scripts/system-deps.sh

demo: system-deps venv
	$(BIN)/qiangji demo --port $(PORT) --data-dir $(DATA_DIR)

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: venv
	$(BIN)/mypy

test: system-deps venv lint typecheck
	bash scripts/run-tests.sh

bench: venv
	bash scripts/system-deps.sh bench
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-output
