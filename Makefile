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

test: lint typecheck
	$(VENV)/bin/pytest --cov=microflask --cov-branch --cov-report=term:skip-covered -q

demo: $(STAMP)
	@echo "Serving examples/hello on http://127.0.0.1:8000"
	cd examples/hello && ../../$(VENV)/bin/gunicorn -w 2 -b 127.0.0.1:8000 hello:app

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .coverage
