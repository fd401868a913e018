"""Fixtures for the server tests (helpers in ``server_helpers.py``).

- ``server``: one ``ureshii serve workshops --port N --secret S`` per session, on a demo
  store, shared by the HTTP, route and browser tests.

The browser fixtures (``browser``, ``chromium_path``, ``cjk_font``) live in
``tests/conftest.py``: one Playwright session serves every test that needs a browser.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server.server_helpers import ServerProcess, start_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The shared server on ``workshops/``, with its own demo store (results phase)."""
    from toolkit.demo import build_demo

    store = build_demo(tmp_path_factory.mktemp("shared-demo"), lang="ja", seed=0).path
    running = start_server("shared", env={"URESHII_DATABASE_URL": str(store)})
    yield running
    running.stop()
