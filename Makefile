# The two commands: `make run` and `make test`. Everything else helps them.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

# Real services for the test suite; override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/waybrief
TEST_REDIS_URL    ?= redis://127.0.0.1:6379/15

# llama.cpp's native build uses Intel AMX kernels where the CPU reports them,
# and those crash (SIGSEGV) on virtual machines that do not grant AMX state.
# A portable AVX2 build runs everywhere. pip caches the built wheel by version
# only: after changing these, run `$(PIP) cache remove llama_cpp_python`.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test install install-test lint superuser services llama-server clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --progress-bar off -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install --progress-bar off -e '.[test,ctransformers]'
	# PyKagi (one of Kagi's clients the tests run) pins requests 2.28 and urllib3 1.x,
	# which clash with selenium: installed without its pins, it works on today's.
	$(PIP) install --progress-bar off --no-deps PyKagi==0.0.4
	touch $@

# axe-core, pinned in package.json/package-lock.json, for the browser tests' accessibility checks.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "make test: npm is missing; the browser tests need Node.js and npm for axe-core (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# The interface's translations: each .po compiled to the .mo Django reads (pure Python,
# no gettext needed); `scripts/messages.sh refresh` gathers new strings into the .po.
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
%.mo: %.po | $(VENV)/.installed
	PYTHON=$(PY) scripts/messages.sh compile

install: $(VENV)/.installed $(MO)
install-test: $(VENV)/.installed-test $(MO)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py serve

superuser: install
	$(PY) manage.py createsuperuser

services:
	scripts/ensure-services.sh

# llama.cpp's own server, built once per version into ~/.cache/waybrief.
llama-server: install
	PYTHON=$(PY) scripts/build-llama-server.sh

test: install-test services llama-server node_modules/.installed
	$(VENV)/bin/lint-imports
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) WAYBACK_URL=http://127.0.0.1:9 \
	TEST_REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
