"""Fixtures for the server tests (helpers in ``server_helpers.py``).

- ``server``: one ``ureshii serve workshops --port N --secret S`` per session, shared by the
  HTTP, route and browser tests;
- ``browser``: Debian's Chromium driven by Playwright (never ``playwright install``);
- ``chromium_path`` / ``cjk_font``: skip without them, fail under ``CI=true``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.server_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ServerProcess,
    has_cjk_font,
    require,
    start_server,
)


@pytest.fixture(scope="session")
def server() -> Iterator[ServerProcess]:
    """The shared server on ``workshops/``."""
    running = start_server("shared")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    require(
        CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK),
        f"Chromium is not installed at {CHROMIUM} (Debian package: chromium)",
    )
    return CHROMIUM


@pytest.fixture(scope="session")
def cjk_font() -> None:
    require(has_cjk_font(), "no Japanese font (Debian package: fonts-noto-cjk)")


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright (Playwright's own browsers are not used)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()
