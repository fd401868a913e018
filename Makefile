# The README's two commands:
#   make demo   set up and run the demo workshop (runtime dependencies only)
#   make test   set up and run the whole test suite (ruff, mypy, pytest); .ci/run runs exactly this
# and, for a machine with no internet:
#   make wheelhouse                     build wheelhouse/: Ureshii and every runtime wheel
#   make demo WHEELHOUSE=wheelhouse     install from that folder alone, then run the demo
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
STAMP  := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime
WHEELHOUSE ?=

.PHONY: demo runtime wheelhouse test setup system-deps lint typecheck pytest bench clean docs guide-images

demo: runtime
	$(BIN)/ureshii demo $(DEMO_ARGS)

# What the demo needs: Ureshii and its runtime dependencies, not the test tools. From PyPI
# (editable, like `setup`), or with WHEELHOUSE=folder from that folder only (--no-index).
runtime: $(RUNTIME_STAMP)

$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
ifneq ($(strip $(WHEELHOUSE)),)
	$(BIN)/pip install --quiet --no-index --find-links $(WHEELHOUSE) "ureshii[postgres]"
else
	$(BIN)/pip install --quiet uv
	$(UV) pip install --python $(BIN)/python --quiet --compile-bytecode -e ".[postgres]"
	$(BIN)/python -m compileall -q toolkit widgets
endif
	touch $(RUNTIME_STAMP)

wheelhouse:
	bash scripts/wheelhouse.sh wheelhouse

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

# The facilitator's guide and the reference pages as a static site in site/ (mkdocs.yml; works
# offline, Japanese search included; tests/test_docs_site.py checks the same build).
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --clean --site-dir site

# Retake the facilitator's guide's screenshots from the real apps into docs/guide/img/ (a test
# run checks them but writes its pictures to a temporary folder).
guide-images: setup
	URESHII_UPDATE_GUIDE_IMAGES=1 $(BIN)/python -m pytest -q tests/server/test_guide_screenshots.py

bench: setup
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist wheelhouse *.egg-info site
