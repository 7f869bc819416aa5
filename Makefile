VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: test demo lint typecheck bench bench-served soak clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check microflask tests examples benchmarks
	$(VENV)/bin/ruff format --check microflask

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict microflask

# coverage starts before pytest so the pytest11 plugin's early import of microflask is counted
test: lint typecheck
	rm -f .coverage .coverage.*
	$(VENV)/bin/coverage run -m pytest -q
	# Flask's extensions through the bridge, in a process of their own (see tests/compat)
	$(VENV)/bin/coverage run -m pytest -q -p microflask.flask_compat tests/compat
	$(VENV)/bin/coverage combine -q
	$(VENV)/bin/coverage report --skip-covered --show-missing

demo: $(STAMP)
	$(VENV)/bin/microflask --app examples/blog/blog init-db
	@echo "Serving the blog example on http://127.0.0.1:8000 (Ctrl-C stops it)"
	$(VENV)/bin/gunicorn --chdir examples/blog -w 2 -b 127.0.0.1:8000 'blog:create_app()'

bench: $(STAMP)
	$(PY) -c 'import flask' 2>/dev/null || $(PIP) install -q -e '.[bench]'
	$(PY) -m benchmarks.run --markdown benchmarks/results.md --readme README.md

bench-served: $(STAMP)
	$(PY) -c 'import flask' 2>/dev/null || $(PIP) install -q -e '.[bench]'
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 2; }
	$(PY) -m benchmarks.served --markdown benchmarks/served.md --readme README.md

soak: $(STAMP)
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 2; }
	SOAK=1 SOAK_SECONDS=$${SOAK_SECONDS:-60} $(VENV)/bin/pytest -q -s -rs -m soak tests/reliability/test_soak.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .coverage
