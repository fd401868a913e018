"""A page that cannot show itself says so and offers a reload, never a half-empty app.

Issue 13, item 5. The server no longer drops an app's display when a room opens at once
(``test_kernel_messages.py``); if a page still cannot show its app, or loses its kernel (a
laptop that slept past the kernel's grace period), a banner says so in Japanese and English
with a reload button (``toolkit/server/voila_template/index.html.j2``).

A real ``ureshii serve`` on a folder of small apps (notebooks marked ``"ureshii": {"app":
true}`` as the shipped ones are) and Debian's Chromium:

- ``console.ipynb`` shows its app, a widget, in its last cell: no banner;
- ``empty.ipynb`` is an app whose last cell shows nothing (what the person saw when the
  server dropped the display): the banner;
- a second server is stopped under an open console (the facilitator's laptop stopped
  serving; a laptop that slept past its kernel's grace period comes to the same): the
  banner, with the connection message.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.server.server_helpers import (
    ServerProcess,
    facilitator_context,
    start_server,
)

MISSING = "この画面の一部を表示できませんでした。再読み込みしてください。"
MISSING_EN = "Part of this screen could not be shown. Please reload."
LOST = "サーバーとの接続が切れました。再読み込みしてください。"
LOST_EN = "The connection to the server was lost. Please reload."


def app_notebook(*sources: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.metadata["ureshii"] = {"app": True}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return notebook


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder: Path = tmp_path_factory.mktemp("watchdog-apps")
    heading = "import ipywidgets as widgets\nwidgets.HTML('<h1>Heading</h1>')"
    shown = "app = widgets.Button(description='The app')\napp"
    nbformat.write(app_notebook(heading, shown), folder / "console.ipynb")
    nbformat.write(app_notebook(heading, "app = None"), folder / "empty.ipynb")
    return folder


@pytest.fixture(scope="module")
def server(apps: Path) -> Iterator[ServerProcess]:
    running = start_server("watchdog", folder=apps)
    try:
        yield running
    finally:
        running.stop()


def banner(page: Any) -> Any:
    return page.locator("#ureshii-watchdog")


def test_an_app_whose_last_cell_shows_nothing_says_so_and_offers_a_reload(
    browser: Any, server: ServerProcess
) -> None:
    context = facilitator_context(browser, server)
    try:
        page = context.new_page()
        page.goto(f"{server.base}/voila/render/empty.ipynb", timeout=120_000)
        page.get_by_text("Heading").wait_for(timeout=60_000)
        alert = page.get_by_role("alert").filter(has_text=MISSING)
        alert.wait_for(timeout=30_000)
        assert MISSING_EN in alert.inner_text()
        assert banner(page).get_attribute("data-problem") == "missing"
        reload = page.get_by_role("button", name="再読み込み / Reload")
        with page.expect_navigation(timeout=60_000):
            reload.click()
        page.get_by_text("Heading").wait_for(timeout=60_000)
    finally:
        context.close()


def test_a_shown_app_has_no_banner_until_the_server_is_gone(
    browser: Any, server: ServerProcess, apps: Path
) -> None:
    context = facilitator_context(browser, server)
    try:
        page = context.new_page()
        page.goto(f"{server.base}/voila/render/console.ipynb", timeout=120_000)
        page.get_by_role("button", name="The app").wait_for(timeout=60_000)
        time.sleep(5)  # two of the banner's checks
        assert banner(page).is_hidden()
    finally:
        context.close()
    own = start_server("watchdog-stopped", folder=apps)
    context = facilitator_context(browser, own)
    try:
        page = context.new_page()
        page.goto(f"{own.base}/voila/render/console.ipynb", timeout=120_000)
        page.get_by_role("button", name="The app").wait_for(timeout=60_000)
        own.stop()  # the facilitator's laptop stopped serving: the kernel is gone
        alert = page.get_by_role("alert").filter(has_text=LOST)
        alert.wait_for(timeout=45_000)
        assert LOST_EN in alert.inner_text()
        assert banner(page).get_attribute("data-problem") == "lost"
    finally:
        context.close()
        own.stop()
