# The front door: `make run` starts the app, `make test` installs what is needed and runs the suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint bench content-check clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/streamlit run app/streamlit_app.py

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

test-fast: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check labs app tests bench

content-check: $(STAMP)
	$(BIN)/aie-bridge content check

bench: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python bench/bench_home.py

clean:
	rm -rf $(VENV) .pytest_cache artifacts
