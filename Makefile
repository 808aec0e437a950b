# The two commands: `make run` and `make test`. Everything else helps them.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

# Real services for the test suite; override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/waybrief
TEST_REDIS_URL    ?= redis://127.0.0.1:6379/15

.PHONY: run test install install-test lint superuser services clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --progress-bar off -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install --progress-bar off -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py serve

superuser: install
	$(PY) manage.py createsuperuser

services:
	scripts/ensure-services.sh

test: install-test services
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
	TEST_REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
