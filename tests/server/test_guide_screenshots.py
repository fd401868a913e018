"""The facilitator's guide's screenshots, taken from the real apps so they stay current.

The real ``ureshii serve`` runs on the Japanese demo store; Chromium opens the console (the
facilitator's laptop), the board (the projector, 1920×1080) and the join page on a phone
(390×844), checks what a facilitator would look for on each, and writes the pictures the
guide shows, reduced to a few hundred kB in all. No request may leave this machine.

A test run writes the pictures to a temporary folder and checks the committed ones exist;
``make guide-images`` (``URESHII_UPDATE_GUIDE_IMAGES=1``) writes them into
``docs/guide/img/`` to be committed, so running the suite never changes the working tree.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.server_helpers import RequestLog, ServerProcess, facilitator_context, start_server

GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "guide" / "img"
MAX_TOTAL_BYTES = 1_000_000
UPDATE_SETTING = "URESHII_UPDATE_GUIDE_IMAGES"


@pytest.fixture
def images(tmp_path: Path) -> Path:
    """Where the pictures go: the guide's folder when updating them, else a temporary one."""
    return GUIDE_IMAGES if os.environ.get(UPDATE_SETTING) == "1" else tmp_path


@pytest.fixture(scope="module")
def ja_demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    from toolkit.demo import build_demo

    store = build_demo(tmp_path_factory.mktemp("guide-demo"), lang="ja", seed=0).path
    env = {"URESHII_DATABASE_URL": str(store), "URESHII_LANG": "ja"}
    running = start_server("guide", "--lang", "ja", env=env)
    yield running
    running.stop()


def _save_small(page: Any, folder: Path, name: str, width: int) -> Path:
    """A screenshot of ``page`` as a palette PNG ``width`` pixels wide (small enough to commit)."""
    import io

    from PIL import Image

    shot = Image.open(io.BytesIO(page.screenshot(full_page=False)))
    height = round(shot.height * width / shot.width)
    picture = shot.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    picture.quantize(colors=128).save(path, optimize=True)
    return path


def test_guide_screenshots_of_console_board_and_phone(
    browser: Any, cjk_font: None, ja_demo_server: ServerProcess, images: Path
) -> None:
    from playwright.sync_api import expect

    server = ja_demo_server
    requests = RequestLog()
    laptop = facilitator_context(
        browser, server, locale="ja-JP", viewport={"width": 1366, "height": 900}
    )
    try:
        console = laptop.new_page()
        requests.attach(console)
        console.goto(server.facilitator_url, timeout=120_000)
        expect(console.get_by_role("button", name="次の段階へ")).to_be_visible(timeout=120_000)
        # What the guide tells the facilitator to find on the console: the join link and QR.
        expect(console.get_by_text(f"{server.base}/p/").first).to_be_visible()
        console_png = _save_small(console, images, "console", 1100)

        board = laptop.new_page()
        requests.attach(board)
        board.set_viewport_size({"width": 1920, "height": 1080})  # the projector
        board.goto(f"{server.base}/voila/render/board.ipynb", timeout=120_000)
        board.locator(".ureshii-chart svg").first.wait_for(timeout=120_000)
        board_png = _save_small(board, images, "board", 1200)
    finally:
        laptop.close()

    phone_options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
    phone_context = browser.new_context(locale="ja-JP", has_touch=True, **phone_options)
    try:
        phone = phone_context.new_page()
        requests.attach(phone)
        phone.goto(f"{server.base}/p/", timeout=60_000)
        expect(phone.get_by_role("button", name="参加する")).to_be_visible(timeout=60_000)
        phone_png = _save_small(phone, images, "phone-join", 390)
    finally:
        phone_context.close()

    assert requests.outside() == []
    pictures = [console_png, board_png, phone_png]
    total = sum(path.stat().st_size for path in pictures)
    assert total < MAX_TOTAL_BYTES, f"the guide's screenshots weigh {total} bytes"
    guide = Path(__file__).resolve().parents[2] / "docs" / "guide"
    shown = "\n".join(page.read_text(encoding="utf-8") for page in guide.rglob("*.md"))
    for path in pictures:
        assert f"img/{path.name}" in shown, f"no guide page shows {path.name}"
        assert (GUIDE_IMAGES / path.name).is_file(), f"docs/guide/img/{path.name} is not there"
