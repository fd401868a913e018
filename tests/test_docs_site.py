"""The facilitator's guide site: built with ``mkdocs build --strict`` and read in a browser.

The site (``mkdocs.yml``: the guide in docs/guide/ja and docs/guide/en, the reference pages
docs/*.md) is built into a temporary folder exactly as ``make docs`` builds ``site/``. A
headless Chromium then opens it from a loopback web server, as a facilitator's laptop with no
internet would: the Japanese home page shows Japanese text, and a Japanese search finds the
page that explains it. Nothing may be requested from outside this machine (no web fonts, no
CDN). The same pages also open from the file system (file://).
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.server.server_helpers import ARTIFACTS, LOOPBACK_HOSTS

REPO = Path(__file__).resolve().parents[1]
GUIDE_PAGES = ["index", "prepare", "room", "agenda", "method-first", "town-meeting", "after"]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("docs-site") / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean"]
    command += ["--config-file", str(REPO / "mkdocs.yml"), "--site-dir", str(site)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return site


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site on a loopback web server (what ``python -m http.server`` would do)."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _outside(urls: list[str]) -> list[str]:
    found = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about", "file"}:
            continue
        if parts.hostname not in LOOPBACK_HOSTS:
            found.append(url)
    return found


def _new_page(browser: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    context.on("request", lambda request: urls.append(request.url))  # the search worker
    return context, page, urls


def _open_search(page: Any) -> None:
    """Open the search box and wait until the index is loaded (a query typed earlier is lost)."""
    from playwright.sync_api import expect

    page.get_by_label("検索").first.click()
    meta = page.locator(".md-search-result__meta")
    expect(meta).to_have_text("検索キーワードを入力してください", timeout=30_000)


def _search_for(search: Any, word: str) -> None:
    """Type ``word`` as an IME would commit it; the search reacts to the key release."""
    search.fill(word)
    search.press("End")


def test_every_guide_page_exists_in_both_languages_with_its_pictures(built_site: Path) -> None:
    for lang in ("ja", "en"):
        for name in GUIDE_PAGES:
            assert (built_site / "guide" / lang / f"{name}.html").is_file(), (lang, name)
    for name in ("console.png", "board.png", "phone-join.png"):
        assert (built_site / "guide" / "img" / name).is_file(), name
    # The reference pages stay where they are and are part of the site.
    for name in ("workshop-file", "serving", "methods", "exports", "codes-and-backup"):
        assert (built_site / f"{name}.html").is_file(), name
    # No web font, CDN script, stylesheet or image in any page (links to read are fine).
    loaded = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I)
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert loaded.search(text) is None, (page, loaded.search(text))
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, page


def test_japanese_home_page_and_japanese_search_work_offline(
    browser: Any, cjk_font: None, site_url: str
) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    context, page, urls = _new_page(browser)
    try:
        page.goto(f"{site_url}/guide/ja/index.html", timeout=60_000)
        assert page.locator("html").get_attribute("lang") == "ja"
        expect(page.get_by_role("heading", level=1)).to_contain_text("ファシリテーターガイド")
        expect(page.get_by_text("当日の流れ").first).to_be_visible()
        # The guide's pictures are the browser tests' screenshots, and they load.
        console = page.locator("img[src$='img/console.png']")
        expect(console).to_be_visible()
        assert page.evaluate("img => img.naturalWidth", console.element_handle()) > 0
        page.screenshot(path=str(ARTIFACTS / "guide-ja-home.png"))

        # Japanese search, segmented in the browser: 憲章 finds the method-first page.
        search = page.locator("input.md-search__input")
        _open_search(page)
        _search_for(search, "憲章")
        first = page.locator(".md-search-result__item a").first
        right_page = re.compile(r"/guide/ja/method-first\.html(\?|#|$)")
        expect(first).to_have_attribute("href", right_page, timeout=30_000)
        expect(page.locator(".md-search-result__meta")).to_contain_text("件")
        page.screenshot(path=str(ARTIFACTS / "guide-ja-search.png"))
        first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("決め方")

        # A second word, another page: プロジェクター is explained in the room setup.
        _open_search(page)
        _search_for(search, "プロジェクター")
        room_page = re.compile(r"/guide/ja/room\.html(\?|#|$)")
        expect(first).to_have_attribute("href", room_page, timeout=30_000)
    finally:
        context.close()
    assert _outside(urls) == []
    # The words were found by Japanese segmentation (TinySegmenter, shipped with Material),
    # not only by prefixes: the search worker loaded it from this site.
    loaded = {urlsplit(url).path.rsplit("/", 1)[-1] for url in urls}
    assert {"tinyseg.js", "lunr.ja.min.js"} <= loaded, sorted(loaded)


def test_the_built_pages_open_from_the_file_system(browser: Any, built_site: Path) -> None:
    from playwright.sync_api import expect

    context, page, urls = _new_page(browser)
    try:
        page.goto((built_site / "index.html").as_uri(), timeout=60_000)
        page.get_by_role("link", name="ファシリテーターガイド（日本語）").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("ファシリテーターガイド")
        assert page.url.startswith("file://") and page.url.endswith("guide/ja/index.html")
        assert page.locator("link[rel=stylesheet]").count() > 0
        styled = page.evaluate("getComputedStyle(document.querySelector('.md-header')).position")
        assert styled in {"sticky", "fixed"}, "the theme's stylesheet did not load from file://"
    finally:
        context.close()
    assert _outside(urls) == []
