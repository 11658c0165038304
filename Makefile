# Two commands on a fresh machine:  `make demo`  and  `make test`.
# Each creates the virtualenv and installs what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: setup demo test lint typecheck unit bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed
	@bash .ci/system-deps

demo: setup
	$(PY) -m hotline demo

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: setup
	$(PY) -m mypy .

test: setup lint typecheck
	$(PY) -m pytest -q -ra

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || true; done

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
