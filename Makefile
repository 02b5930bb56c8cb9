# newsmon developer entry points. Everything installs itself: `make run` and `make test` work on a fresh clone.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run demo test lint typecheck pytest es-start es-stop lock clean

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PY) >/dev/null || { echo "newsmon: $(PY) not found (Python 3.11 is required)"; exit 2; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## venv from the lock file + the Elasticsearch distribution in the cache
	$(BIN)/newsmon es fetch

# ARGS=--distributed: secured 3-node ES + PostgreSQL + Redis + Airflow CeleryExecutor with two workers
run: install  ## the main job: local ES + Airflow standalone with the news DAGs (Ctrl-C stops everything)
	$(BIN)/python scripts/stack.py $(ARGS)

demo: install  ## the main job on bundled sample feeds served locally (works offline)
	$(BIN)/python scripts/stack.py --demo $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check pipeline dags tests benchmarks scripts || true

typecheck: $(STAMP)
	$(BIN)/mypy pipeline dags

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: install lint typecheck pytest  ## the whole suite (starts and stops the test Elasticsearch itself)

es-start: install
	$(BIN)/newsmon es start

es-stop:
	$(BIN)/newsmon es stop

lock:  ## regenerate constraints.txt from a fresh resolution (review the diff!)
	rm -rf /tmp/newsmon-lock && $(PY) -m venv /tmp/newsmon-lock
	/tmp/newsmon-lock/bin/pip install -q -e '.[dev]'
	{ head -2 constraints.txt; /tmp/newsmon-lock/bin/pip freeze --exclude-editable | grep -v '^-e' | grep -vi '^newsmon'; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
