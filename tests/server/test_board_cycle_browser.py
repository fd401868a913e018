"""The projector board of a next cycle in a real browser (issue 18, item 4), at 1920 × 1080.

A real ``ureshii serve`` on a store holding the small workshop, scored, with its follow-up
year, and its next cycle (started with ``Store.start_next_cycle``, scored differently, on
its results phase). Debian's Chromium opens ``board.ipynb`` as the facilitator: the "since
the last cycle" panel is drawn under the ranking chart in large type with the small win and
the moves, nothing scrolls sideways; when the console moves the workshop to the happiness
phase, the panel comes first and fits the first screen whole. No request leaves 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.server_helpers import (
    ARTIFACTS,
    RequestLog,
    ServerProcess,
    facilitator_context,
    start_server,
)
from tests.test_cycles import NEXT, SLUG, _previous_cycle, _score_next_cycle
from toolkit.i18n import t
from toolkit.store import Store
from widgets.console.phases import phase_name

pytestmark = pytest.mark.slow

KERNEL_START_MS = 180_000
WIDTH, HEIGHT = 1920, 1080


@pytest.fixture(scope="module")
def served(
    cjk_font: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, Path]]:
    path = tmp_path_factory.mktemp("board-cycle") / "cycle.sqlite"
    with Store.open(path) as store:
        _previous_cycle(store)
        store.start_next_cycle(SLUG, NEXT)
        _score_next_cycle(store)
        store.set_phase(NEXT, "results")
    server = start_server("board-cycle", env={"URESHII_DATABASE_URL": str(path)})
    try:
        yield server, path
    finally:
        server.stop()


def test_the_board_shows_since_the_last_cycle_at_1920(
    browser: Any, served: tuple[ServerProcess, Path]
) -> None:
    from playwright.sync_api import expect

    server, path = served
    requests = RequestLog()
    context = facilitator_context(
        browser, server, locale="ja-JP", viewport={"width": WIDTH, "height": HEIGHT}
    )
    page = context.new_page()
    requests.attach(page)
    shot = ARTIFACTS / "board-cycle-ja-1920.png"
    try:
        page.goto(f"{server.base}/voila/render/board.ipynb?lang=ja", timeout=KERNEL_START_MS)
        panel = page.locator(".ureshii-cycle")
        expect(panel).to_be_visible(timeout=KERNEL_START_MS)
        expect(page.locator(".ureshii-chart svg").first).to_be_visible()
        expect(panel.get_by_role("heading", name=t("cycle_since_title", "ja"))).to_be_visible()
        expect(panel.get_by_text("電子申請の割合 10 → 55 %")).to_be_visible()
        expect(panel.get_by_role("img", name=t("cycle_move_aria_up", "ja", n=2))).to_have_text("↑2")
        expect(panel.get_by_text("チャットツールの定着")).to_be_visible()
        # Large type, readable from the back of the room, and nothing sideways.
        size = panel.locator("li").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 24, size
        box = panel.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        page.screenshot(path=str(shot), full_page=True)

        # At the opening (happiness phase) the panel comes first, whole on the first screen.
        with Store.open(path) as store:
            store.set_phase(NEXT, "happiness")
        opening = phase_name("happiness", "ja")
        expect(page.locator("h1", has_text=opening)).to_have_count(1, timeout=60_000)
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, box
        page.screenshot(path=str(shot).replace(".png", "-opening.png"))
    except BaseException:
        page.screenshot(path=str(shot).replace(".png", "-failure.png"), full_page=True)
        raise
    finally:
        context.close()
    assert requests.outside() == [], "a request left this machine"
