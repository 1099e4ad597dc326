# The two commands of the README: `make demo` and `make test`. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint types bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# torch is pinned to 2.13.0 in pyproject.toml; installing it first keeps pip on the local CPU wheel.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e .
	touch $(STAMP)

# The test, browser and dev extras: pytest, selenium, ruff, mypy, import-linter, codespell.
$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,browser,dev]'
	touch $(DEV_STAMP)

demo: $(STAMP)
	$(BIN)/genlab reproduce

test: $(DEV_STAMP)
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/codespell src tests benchmarks docs README.md
	$(BIN)/lint-imports

types: $(DEV_STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_commands.py
	$(BIN)/python benchmarks/bench_train_speed.py
	$(BIN)/python benchmarks/bench_plot_speed.py
	$(BIN)/python benchmarks/bench_metrics.py
	$(BIN)/python benchmarks/bench_minimax.py

clean:
	rm -rf $(VENV) runs
