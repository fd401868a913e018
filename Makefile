# The README's two commands:
#   make demo   set up and run the demo workshop
#   make test   set up and run the whole test suite (ruff, mypy, pytest); .ci/run runs exactly this
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
STAMP  := $(VENV)/.installed

.PHONY: demo test setup system-deps lint typecheck pytest bench clean

demo: setup
	$(BIN)/ureshii demo $(DEMO_ARGS)

test: system-deps setup lint typecheck pytest

# Bytecode is compiled at install (uv does not by default, and PYTHONDONTWRITEBYTECODE may be
# set): without it every app kernel compiles ~1,100 modules from source at start, 4 s of CPU
# each (docs/benchmarks.md, "Workshop day at the tables").
setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv
	$(UV) pip install --python $(BIN)/python --quiet --compile-bytecode -e ".[test]"
	$(BIN)/python -m compileall -q toolkit widgets
	touch $(STAMP)

# apt packages the tests need (PostgreSQL, Chromium, CJK fonts, nginx, npm) and axe-core
# (tests/a11y, `npm ci` from the npm registry).
system-deps:
	bash scripts/system-deps.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
