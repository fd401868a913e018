"""AHP weights in a real browser (issue 14): labelled ends at 1366 px, submitted as 100 points.

A real ``ureshii serve`` on a fresh dx-vision workshop (Japanese, six criteria, so 15
comparisons, the case reported) and Debian's Chromium at 1366 × 900, the projector laptop of
the report. The facilitator's method app is switched to "一対比較（AHP）"; every comparison must
name one criterion at each end of its slider, with nothing cut off or pushed off the screen;
then the vote is opened, seat 1 answers, is warned about a contradiction, submits anyway, and
the store holds one 100-point allocation that becomes the group's proposal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.server.server_helpers import (
    ARTIFACTS,
    ServerProcess,
    facilitator_context,
    start_server,
)
from tests.server.test_screen_words_browser import CUT_OFF_SCRIPT
from toolkit.i18n import t
from toolkit.store import Store
from toolkit.workshop_file import write_template

pytestmark = pytest.mark.slow

KERNEL_START_MS = 180_000
WIDTH, HEIGHT = 1366, 900

#: For each end label: its text, whether its text is wider than its box, whether it ends
#: beyond the window's right edge, and whether it is shown at all.
END_LABELS_SCRIPT = """() => [...document.querySelectorAll('.ureshii-ahp-end .widget-html-content')]
  .map(e => { const r = e.getBoundingClientRect(); return {
    text: e.innerText.trim(), side: e.closest('.ureshii-ahp-end-left') ? 'left' : 'right',
    clipped: e.scrollWidth > e.clientWidth + 1, outside: r.right > window.innerWidth + 1,
    shown: e.offsetParent !== null && r.width > 0 }; })"""
SLIDER_WIDTHS_SCRIPT = """() => [...document.querySelectorAll('.ureshii-ahp-slider')]
  .map(e => e.getBoundingClientRect().width)"""


@dataclass
class Served:
    server: ServerProcess
    store: Store
    slug: str
    names: list[str]


@pytest.fixture(scope="module")
def served(cjk_font: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("ahp")
    workshop_file = write_template(folder / "ahp.yaml", "dx-vision", "ja")
    path = folder / "ahp.sqlite"
    store = Store.open(path)
    slug = store.load_workshop_file(workshop_file).slug
    names = [c.name for c in store.criteria(slug)]
    server = start_server("ahp", env={"URESHII_DATABASE_URL": str(path)})
    try:
        yield Served(server, store, slug, names)
    finally:
        server.stop()
        store.close()


def button(scope: Any, text: str) -> Any:
    """The button labelled ``text`` (ipywidgets puts the icon's glyph before the words)."""
    return scope.get_by_role("button", name=re.compile(rf"^\W*{re.escape(text)}$"))


def test_ahp_comparisons_fit_1366_px_and_a_submission_counts(browser: Any, served: Served) -> None:
    from playwright.sync_api import expect

    assert len(served.names) == 6  # 15 comparisons, as in the report
    context = facilitator_context(
        browser, served.server, locale="ja-JP", viewport={"width": WIDTH, "height": HEIGHT}
    )
    page = context.new_page()
    try:
        page.goto(
            f"{served.server.base}/voila/render/method.ipynb?lang=ja&table=1",
            timeout=KERNEL_START_MS,
        )
        heading = page.get_by_role("heading", name=t("method_weights_title", "ja"), exact=True)
        expect(heading).to_be_visible(timeout=KERNEL_START_MS)
        weights = page.locator(".ureshii-weights")
        weights.get_by_role("button", name=t("method_mode_ahp", "ja"), exact=True).click()
        expect(weights.locator(".ureshii-ahp-pair")).to_have_count(15)
        expect(weights.get_by_text("整合度 CR = 0.00")).to_be_visible()
        weights.screenshot(path=str(ARTIFACTS / "ahp-weights-1366.png"))

        # every comparison: criterion A at the left end, B at the right, both whole
        ends = page.evaluate(END_LABELS_SCRIPT)
        pairs = [(a, b) for i, a in enumerate(served.names) for b in served.names[i + 1 :]]
        assert [(e["text"], e["side"]) for e in ends] == [
            item for a, b in pairs for item in ((a, "left"), (b, "right"))
        ]
        assert [e["text"] for e in ends if not e["shown"]] == []
        assert [e["text"] for e in ends if e["clipped"]] == [], "end labels cut off"
        assert [e["text"] for e in ends if e["outside"]] == [], "end labels off the screen"
        assert page.evaluate(CUT_OFF_SCRIPT) == [], "labels cut off"
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        assert min(page.evaluate(SLIDER_WIDTHS_SCRIPT)) >= 150  # room to move the slider
        first = weights.locator(".ureshii-ahp-pair").first
        a, b = served.names[0], served.names[1]
        judgement = first.locator(".ureshii-ahp-judgement")
        expect(judgement).to_have_text(f"{a} と {b} は同じくらい重要")

        # the vote opens; seat 1 makes A extremely more important than B, against the rest
        button(weights, t("method_ballot_open_button", "ja")).click()
        submit = button(weights, t("method_ahp_submit", "ja"))
        expect(submit).to_be_enabled()
        page.get_by_role("button", name=t("seat_label", "ja", n=1), exact=True).click()
        slider = first.get_by_role("slider")
        slider.focus()
        slider.press("Home")
        expect(judgement).to_have_text(f"{a} の方が {b} より極めて重要（9倍）")
        expect(
            weights.get_by_text(re.compile(r"整合度 CR = 0\.\d\d: 0\.10 を超えて"))
        ).to_be_visible()
        submit.click()
        expect(
            weights.get_by_text(re.compile(r"まだ送っていません。整合度 CR = 0\.\d\d"))
        ).to_be_visible()
        assert served.store.votes(served.slug, "weights") == []
        anyway = weights.get_by_role("button", name=re.compile(r"このまま送る（CR = 0\.\d\d）"))
        anyway.click()  # the second click on the same answers submits them
        expect(
            weights.get_by_text(re.compile("1番の席: 比較を100点配分として保存しました"))
        ).to_be_visible()
        (vote,) = served.store.votes(served.slug, "weights")
        assert sum(vote.payload.values()) == 100
        keys = [c.key for c in served.store.criteria(served.slug)]
        # A over B at 9x and everything else equal: A gets the most points, B the fewest
        assert max(vote.payload, key=vote.payload.__getitem__) == keys[0]
        assert min(vote.payload, key=vote.payload.__getitem__) == keys[1]

        # closing the vote makes that allocation the group's proposal (the mean of one)
        button(weights, t("method_ballot_close_button", "ja")).click()
        button(weights, t("confirm_close_ballot_yes", "ja")).click()
        caption = t("method_proposal_points_title", "ja", votes=1)
        expect(weights.get_by_role("table", name=caption)).to_be_visible()
    except BaseException:
        page.screenshot(path=str(ARTIFACTS / "ahp-weights-failure.png"), full_page=True)
        raise
    finally:
        context.close()
