# Mailbag: `make run` to use it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# CPU build of torch first, so openai-whisper does not pull a multi-GB CUDA build.
# On a GPU host: make install TORCH_SPEC='torch==2.13.0' TORCH_PIP_ARGS='--index-url <CUDA wheel index>'
TORCH_SPEC ?= torch==2.13.0
TORCH_PIP_ARGS ?=
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core, at most 4; PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto

.PHONY: install run test lint format bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH_PIP_ARGS) "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Migrates, loads the demo episode, makes a host account, then runs Redis, the worker and the
# web server until Ctrl-C; the last thing it prints says where to go (config/devstack.py).
run: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} PORT=$(PORT) $(PY) -m config.devstack

test: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) --maxprocesses=4 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) bench/transcribe.py
	$(PY) bench/topics.py
	$(PY) bench/runsheet.py
	$(PY) bench/dashboard.py
	$(PY) bench/recording.py
