"""Collection rules for the whole repository: the examples in docstrings are tests.

``--doctest-modules`` (pyproject ``addopts``) runs the examples of every module in
``toolkit/`` and ``widgets/`` (and the test helpers), so no list of modules has to be kept by
hand and a new example is checked the day it is written. The fixtures live in
``tests/conftest.py``; this file only says what is collected.
"""

from __future__ import annotations

import doctest

import pytest
from _pytest.doctest import DoctestItem

# The Alembic migrations are scripts, not modules: ``env.py`` reads ``context.config``,
# which exists only while ``toolkit.store.engine.migrate`` runs them on a live connection
# (importing it anywhere else raises), and the revisions call ``alembic.op`` the same way.
# The migrations themselves are tested by opening stores (tests/test_store.py).
collect_ignore_glob = ["toolkit/store/migrations/*"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out docstrings whose every example is marked ``# doctest: +SKIP``.

    Such an example shows a call that needs a running server, a notebook or a file (e.g.
    ``run_server("workshops", port=0)``); there is nothing in it to run, and pytest would
    report it as a skipped test, which the suite does not allow (a skip in CI must mean
    something is missing). A docstring with one example that runs stays a test, so a wrong
    example still fails, and a malformed marker (``# +SKIP``) makes the example run and fail.
    """
    kept: list[pytest.Item] = []
    illustrations: list[pytest.Item] = []
    for item in items:
        if isinstance(item, DoctestItem) and item.dtest is not None and _only_skipped(item.dtest):
            illustrations.append(item)
        else:
            kept.append(item)
    if illustrations:
        config.hook.pytest_deselected(items=illustrations)
        items[:] = kept


def _only_skipped(test: doctest.DocTest) -> bool:
    return all(example.options.get(doctest.SKIP, False) for example in test.examples)
