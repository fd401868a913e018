"""The console in a real browser (Debian Chromium via Playwright), with no internet.

Every request the page makes is recorded; any host other than this machine fails the test.
A screenshot of each page goes to ``test-artifacts/`` on every run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.server.server_helpers import ARTIFACTS, RequestLog, ServerProcess, start_server
from toolkit.server.app import PAGE_EXTENSIONS

CONSOLE_HEADING = "Ureshii facilitator console"  # the server's language (URESHII_LANG=en)


def _new_page(browser: Any, **context_options: Any) -> tuple[Any, Any, RequestLog]:
    context = browser.new_context(locale="ja-JP", **context_options)
    page = context.new_page()
    requests = RequestLog()
    requests.attach(page)
    return context, page, requests


def test_facilitator_link_opens_the_console_offline(
    browser: Any, cjk_font: None, server: ServerProcess
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context, page, requests = _new_page(browser, viewport={"width": 1280, "height": 900})
    try:
        page.goto(server.facilitator_url, wait_until="domcontentloaded", timeout=120_000)
        page.get_by_text(CONSOLE_HEADING).wait_for(timeout=120_000)
        page.get_by_role("button", name="Next phase").wait_for(timeout=120_000)
        page.screenshot(path=str(ARTIFACTS / "console-facilitator.png"), full_page=True)

        assert page.url == f"{server.base}/voila/render/console.ipynb"  # the secret is gone
        # One language on the page; the other is a link away, not a subtitle (issue 14).
        assert page.get_by_role("link", name="日本語", exact=True).is_visible()
        assert page.get_by_text("Ureshii ファシリテーター画面").count() == 0
        assert page.get_by_text(
            "うれしさから始める ○○市DXビジョンワークショップ"
        ).first.is_visible()
        cookies = context.cookies()
        assert [(c["name"], c["httpOnly"], c["sameSite"]) for c in cookies] == [
            ("ureshii_facilitator", True, "Strict")
        ]
        assert any("/api/kernels/" in url for url in requests.urls), "the widgets connected"
        assert len(requests.urls) > 20
        # Only the widget managers' JupyterLab extensions are loaded, not every one installed.
        config = "JSON.parse(document.getElementById('jupyter-config-data').textContent)"
        loaded = page.evaluate(f"{config}.federated_extensions.map(e => e.name)")
        assert sorted(loaded) == sorted(PAGE_EXTENSIONS)
        assert requests.outside() == [], "requests left this machine"

        # A chart drawn on the server shows in the app with its data table (the board is on
        # the demo's results phase: the ranking chart).
        page.goto(f"{server.base}/voila/render/board.ipynb", timeout=120_000)
        page.locator(".ureshii-chart svg").first.wait_for(timeout=120_000)
        page.screenshot(path=str(ARTIFACTS / "board-results.png"), full_page=True)
        assert page.locator("table.ureshii-chart-table tbody tr").count() >= 5
        assert requests.outside() == [], "requests left this machine"
    finally:
        context.close()


def test_facilitator_link_followed_from_another_site(browser: Any, server: ServerProcess) -> None:
    """A link clicked in a webmail or chat page: the navigation starts cross-site, and a
    SameSite=Strict cookie set on the way must still reach the console."""
    context, page, requests = _new_page(browser)
    try:
        # localhost and 127.0.0.1 are different sites for the browser.
        page.goto(f"http://localhost:{server.port}/p/", timeout=60_000)
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.id = 'go';"
            " a.textContent = 'facilitator'; document.body.append(a); }",
            server.facilitator_url,
        )
        console = f"{server.base}/voila/render/console.ipynb"
        with page.expect_response(console, timeout=120_000) as response:
            page.click("#go")
        assert response.value.status == 200
        assert requests.outside() == []
    finally:
        context.close()


def test_phone_without_the_secret_sees_the_403_page(server: ServerProcess, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    context, page, requests = _new_page(browser, **phone)
    before = server.kernel_pids()
    try:
        response = page.goto(f"{server.base}/voila/render/console.ipynb", timeout=60_000)
        assert response is not None and response.status == 403
        page.get_by_text("ファシリテーター用リンクが必要です").wait_for(timeout=30_000)
        assert page.get_by_text("Facilitator link needed").is_visible()
        page.screenshot(path=str(ARTIFACTS / "phone-anonymous-403.png"), full_page=True)
        page.get_by_role("link", name="参加者ページ").click()
        # /p/ leads straight to the (only) workshop's join page: no kernel, no secret.
        join = page.get_by_role("button", name=re.compile("^(参加する|Take part)$"))
        join.wait_for(timeout=30_000)
        assert re.fullmatch(rf"{re.escape(server.base)}/p/[a-z0-9-]+/", page.url), page.url
        assert requests.outside() == []
        assert server.kernel_pids() <= before
    finally:
        context.close()


@pytest.fixture(scope="module")
def icon_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server on a one-cell notebook with a Font Awesome icon button."""
    folder: Path = tmp_path_factory.mktemp("icon-app")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    source = "import ipywidgets\nipywidgets.Button(description='OK', icon='check')"
    notebook.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(notebook, folder / "console.ipynb")
    running = start_server("icons", folder=folder)
    yield running
    running.stop()


def test_widget_icons_load_from_this_machine(browser: Any, icon_server: ServerProcess) -> None:
    """The CDN's Font Awesome link is gone from the template; icons still draw, because
    Voilà's own bundle ships the font."""
    context, page, requests = _new_page(browser)
    try:
        page.goto(icon_server.facilitator_url, timeout=120_000)
        icon = page.locator("button i.fa-check")
        icon.wait_for(timeout=120_000)
        page.wait_for_function(
            "() => Array.from(document.fonts).some("
            "f => f.family.includes('Font Awesome') && f.status === 'loaded')",
            timeout=60_000,
        )
        assert icon.evaluate("e => getComputedStyle(e, '::before').content") == '"\uf00c"'
        assert requests.outside() == []
    finally:
        context.close()
