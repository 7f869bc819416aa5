VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
DOCS_STAMP := $(VENV)/.installed-docs
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: test test-browser test-min test-pythons demo docs dist-check lint typecheck bench bench-served bench-served-instructions bench-import soak clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

# The demo installs only what it runs (the `demo` extra), not the test and lint tools.
$(DEMO_STAMP): $(PY) pyproject.toml
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[demo]'
	touch $(DEMO_STAMP)

$(DOCS_STAMP): $(PY) pyproject.toml
	$(PIP) install -q -e '.[docs]'
	touch $(DOCS_STAMP)

LINTED := microflask tests examples benchmarks docs .ci

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)

# .ci/floors.py reads pyproject.toml with tomllib, new in Python 3.11.
typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict microflask tests examples benchmarks
	$(VENV)/bin/mypy --strict --python-version 3.11 .ci/floors.py

# coverage starts before pytest so the pytest11 plugin's early import of microflask is counted
test: lint typecheck
	rm -f .coverage .coverage.*
	$(VENV)/bin/coverage run -m pytest -q -rs -m 'not browser'
	$(MAKE) --no-print-directory test-browser
	# Flask's extensions through the bridge, in a process of their own (see tests/compat)
	$(VENV)/bin/coverage run -m pytest -q -rs -p microflask.flask_compat tests/compat
	$(VENV)/bin/coverage combine -q
	$(VENV)/bin/coverage report --skip-covered --show-missing

# The browser tests in a process of their own (part of `test`), run again only if that
# process is stuck for 5 minutes (they take under one), at most three times in all: closing
# a page that is committing a navigation can wait forever (a Chromium bug the tests avoid;
# docs/testing.md). A test that fails is not run again.
BROWSER_RUN := timeout -k 10 300 $(VENV)/bin/coverage run -m pytest -q -rs -m browser

test-browser:
	@for attempt in 1 2 3; do \
		$(BROWSER_RUN) && exit 0; rc=$$?; \
		[ $$rc -eq 124 ] || [ $$rc -eq 137 ] || exit $$rc; \
		echo "browser tests stuck for 5 minutes (attempt $$attempt, exit $$rc)" >&2; \
	done; exit 1

# The declared floors of the runtime deps and the dotenv extra, exactly (.ci/floors.py
# reads them from pyproject.toml), in a venv of their own; the test tools and the extras the
# tests use (typed views, the extensions behind the bridge) are the latest that fit them.
# Servers (gunicorn), browsers and soak runs are left out to keep it quick.
MIN_VENV := .venv-min
MIN_STAMP := $(MIN_VENV)/.installed
MIN_TOOLS := pytest hypothesis 'flask[async]>=3.1,<3.2' openapi-spec-validator

$(MIN_STAMP): pyproject.toml .ci/floors.py
	rm -rf $(MIN_VENV)
	python3 -m venv $(MIN_VENV)
	python3 .ci/floors.py dotenv > $(MIN_VENV)/floors.txt
	$(MIN_VENV)/bin/pip install -q -c $(MIN_VENV)/floors.txt -r $(MIN_VENV)/floors.txt \
		-e '.[typed,compat]' $(MIN_TOOLS)
	$(MIN_VENV)/bin/pip check
	touch $(MIN_STAMP)

test-min: $(MIN_STAMP)
	$(MIN_VENV)/bin/pytest -q -m 'not slow and not browser and not soak'

# The suite (less browser tests) on the oldest Python requires-python admits and the newest
# the machine has, each in a venv of its own; a Python found neither on PATH nor under pyenv
# is skipped with a warning.
OTHER_PYTHONS ?= 3.10 3.12 3.13

test-pythons:
	@for v in $(OTHER_PYTHONS); do \
		py=; for c in $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$v.*/bin/python$$v 2>/dev/null | tail -n 1) \
			$$(command -v python$$v); do $$c -c '' 2>/dev/null && { py=$$c; break; }; done; \
		if [ -z "$$py" ]; then echo "WARNING: python$$v not found, not tested (pyenv install $$v)" >&2; continue; fi; \
		venv=.venv-py$$v; echo "== Python $$v: $$py in $$venv"; \
		[ $$venv/.installed -nt pyproject.toml ] || { rm -rf $$venv && $$py -m venv $$venv && \
			$$venv/bin/pip install -q -e '.[dev]' && touch $$venv/.installed; } || exit 1; \
		$$venv/bin/python -m pytest -q -p no:cacheprovider -m 'not browser' || exit 1; \
		$$venv/bin/python -m pytest -q -p no:cacheprovider -p microflask.flask_compat tests/compat || exit 1; \
	done

demo: $(DEMO_STAMP)
	$(VENV)/bin/microflask --app examples/blog/blog init-db
	@echo "Serving the blog example on http://$(HOST):$(PORT) (Ctrl-C stops it)"
	$(VENV)/bin/gunicorn --chdir examples/blog -w 2 -b $(HOST):$(PORT) --access-logfile - 'blog:create_app()'

# The API reference and guide as a static site in build/site; --strict fails on a broken reference.
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

# Build the sdist and wheel, install each in a clean venv, and smoke-test it there.
dist-check: $(STAMP)
	$(PY) .ci/dist_check.py

bench: $(STAMP)
	$(PY) -c 'import flask, flask_openapi3, bottle' 2>/dev/null || $(PIP) install -q -e '.[bench]'
	$(PY) -m benchmarks.run --markdown benchmarks/results.md --readme README.md

bench-served: $(STAMP)
	$(PY) -c 'import flask, flask_openapi3, bottle' 2>/dev/null || $(PIP) install -q -e '.[bench]'
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 2; }
	$(PY) -m benchmarks.served --markdown benchmarks/served.md --readme README.md

# Served instructions per request under callgrind (valgrind): what each framework adds to
# gunicorn's own work, independent of the machine's load. About 10 minutes.
bench-served-instructions: $(STAMP)
	$(PY) -c 'import flask, flask_openapi3, bottle' 2>/dev/null || $(PIP) install -q -e '.[bench]'
	@command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind"; exit 2; }
	$(PY) -m benchmarks.served_instructions --markdown benchmarks/served_instructions.md

# Start-up: `python -c "import microflask"` against the Werkzeug parts it needs, Bottle, Flask.
bench-import: $(STAMP)
	$(PY) -c 'import flask, flask_openapi3, bottle' 2>/dev/null || $(PIP) install -q -e '.[bench]'
	$(PY) -m benchmarks.startup --markdown benchmarks/startup.md --readme README.md

soak: $(STAMP)
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 2; }
	SOAK=1 SOAK_SECONDS=$${SOAK_SECONDS:-60} $(VENV)/bin/pytest -q -s -rs -m soak tests/reliability/test_soak.py

clean:
	rm -rf $(VENV) $(MIN_VENV) .venv-py* .mypy_cache .ruff_cache .coverage build
