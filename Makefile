# Two commands: `make run` and `make test`. Only python3 and make are needed.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run demo test wheel-check lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/sotay run

demo: $(STAMP)
	$(BIN)/sotay demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -n auto

# The wheel, installed in a fresh venv outside the tree, runs `sotay demo` from an empty folder (CI runs it).
wheel-check: $(STAMP)
	PYTHON=$(BIN)/python .ci/wheel-check

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/telegram_update_latency.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
