# Two commands on a fresh machine:  `make demo`  and  `make test`.
# Each creates the virtualenv and installs what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: setup model demo test lint typecheck bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

MODEL_DIR := models/classifier
SEED_CORPUS := classifier/corpus/seed_appeals.csv

# Retrained when the seed corpus or the classifier's code changes (a model from older code
# would still load, but would not be what the code builds today).
$(MODEL_DIR)/metadata.json: $(VENV)/.installed $(SEED_CORPUS) $(wildcard classifier/*.py)
	$(PY) -m hotline train --data $(SEED_CORPUS) --text-col text --label-col category \
		--out $(MODEL_DIR) --also subcategory --also appeal_type --also unit

setup: $(VENV)/.installed
	@bash .ci/system-deps

model: setup $(MODEL_DIR)/metadata.json

demo: model
	$(PY) -m hotline demo

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: setup
	$(PY) -m mypy .

test: model lint typecheck
	$(PY) -m pytest -q -ra

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || true; done

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
