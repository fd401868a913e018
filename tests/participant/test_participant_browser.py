"""Phones in a real browser (Debian Chromium, Playwright) on the town-meeting server.

A phone-sized context in Japanese joins by typing the meeting's 6-digit code, votes with the
live "dots left" and "budget left" lines that ``enhance.js`` adds, and sees its receipts; a
phone with JavaScript off joins with a printed code and votes through the plain form (a
refusal keeps what it typed); the projector board, opened as the facilitator, counts a vote
as a phone sends it. No request leaves this machine and no phone page starts a kernel.
Screenshots of every step go to ``test-artifacts/participant-NN-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.participant.conftest import BUDGET, TITLES, A, B, C, D, Meeting
from tests.server.server_helpers import ARTIFACTS, RequestLog

PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
BOARD_BALLOT = "Ballot board"


@pytest.fixture(scope="module")
def town(meeting: Meeting) -> Meeting:
    """The meeting with its ballots open: dots, a budget, the board's, the codes-only one."""
    meeting.ballot("dots", "dot_votes", [A, B, C, D], dots=3)
    meeting.ballot("budget", "equal_shares", [A, B, C, D], **BUDGET)
    meeting.ballot("board", "approval", [A, B, C])
    status, _ = meeting.api("POST", "/ballots/ureshii-top3/open", facilitator=True)
    assert status == 200
    return meeting


@pytest.fixture
def phone(browser: Any, cjk_font: None, town: Meeting) -> Iterator[tuple[Any, RequestLog]]:
    """A Japanese phone with JavaScript (a new browser profile: no cookies yet)."""
    context = browser.new_context(locale="ja-JP", **PHONE)
    page = context.new_page()
    requests = RequestLog()
    requests.attach(page)
    try:
        yield page, requests
    finally:
        context.close()


def shot(page: Any, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"participant-{name}.png"), full_page=full_page)


def stored(meeting: Meeting, key: str) -> list[Any]:
    with meeting.store() as store:
        return [v.payload for v in store.votes(meeting.slug, key)]


def test_a_phone_joins_by_the_code_on_screen_and_votes_with_live_counters(
    town: Meeting, phone: tuple[Any, RequestLog]
) -> None:
    from playwright.sync_api import expect

    page, requests = phone
    status, workshop = town.api("GET", "")
    assert status == 200
    kernels = town.server.kernel_pids()

    page.goto(f"{town.server.base}/p/")
    expect(page.get_by_role("heading", name="ようこそ")).to_be_visible()
    shot(page, "01-join")
    page.get_by_label("コード（スクリーンまたは配布された紙に書かれています）").fill(
        workshop["join_code"]
    )
    page.get_by_role("button", name="進む").click()
    expect(page).to_have_url(re.compile(rf"/p/{town.slug}/$"))
    page.get_by_label("あてはまるもの（任意）").select_option("resident")
    shot(page, "02-join-code-typed")
    page.get_by_role("button", name="参加する").click()
    expect(page.get_by_role("heading", name="いまできること")).to_be_visible()
    shot(page, "03-home")

    # Dot voting: the line under the options counts the dots left as the person types.
    page.locator(".card", has_text="Ballot dots").get_by_role("link", name="投票する").click()
    left = page.locator("#remaining")
    expect(left).to_have_text("残りのドット: 3個（全3個）")
    page.get_by_label(TITLES[A]).fill("2")
    expect(left).to_have_text("残りのドット: 1個（全3個）")
    page.get_by_label(TITLES[C]).fill("2")
    expect(left).to_have_text("残りのドット: -1個（全3個）")
    expect(left).to_have_class(re.compile(r"\berror\b"))
    shot(page, "04-dots-over")
    page.get_by_label(TITLES[C]).fill("1")
    expect(left).to_have_text("残りのドット: 0個（全3個）")
    expect(left).not_to_have_class(re.compile(r"\berror\b"))
    shot(page, "05-dots-counted")
    page.get_by_role("button", name="投票する").click()
    expect(page.get_by_role("heading", name="投票を受け付けました")).to_be_visible()
    expect(page.locator(".code")).to_have_text(re.compile(r"^[0-9A-F]{4}-[0-9A-F]{4}$"))
    expect(page.get_by_role("listitem")).to_have_text([f"{TITLES[A]}: 2", f"{TITLES[C]}: 1"])
    shot(page, "06-dots-receipt")
    assert stored(town, "dots") == [{A: 2, C: 1}]

    # Participatory budget: costs are shown, the budget left follows the boxes ticked.
    page.get_by_role("link", name="はじめに戻る").click()
    page.locator(".card", has_text="Ballot budget").get_by_role("link", name="投票する").click()
    left = page.locator("#remaining")
    expect(left).to_have_text("残りの予算: 10,000,000円（全10,000,000円）")
    page.get_by_role("checkbox", name=TITLES[B]).check()
    expect(left).to_have_text("残りの予算: 7,000,000円（全10,000,000円）")
    page.get_by_role("checkbox", name=TITLES[A]).check()
    expect(left).to_have_text("残りの予算: -1,000,000円（全10,000,000円）")
    expect(left).to_have_class(re.compile(r"\berror\b"))
    shot(page, "07-budget-over")
    page.get_by_role("checkbox", name=TITLES[A]).uncheck()
    page.get_by_role("checkbox", name=TITLES[C]).check()
    expect(left).to_have_text("残りの予算: 5,000,000円（全10,000,000円）")
    shot(page, "08-budget-counted")
    page.get_by_role("button", name="投票する").click()
    expect(page.get_by_role("heading", name="投票を受け付けました")).to_be_visible()
    shot(page, "09-budget-receipt")
    assert stored(town, "budget") == [[B, C]]

    assert requests.outside() == [], "a phone page requested another host"
    assert town.server.kernel_pids() == kernels, "a phone page started a kernel"


def test_a_phone_without_javascript_votes_with_a_printed_code(
    browser: Any, cjk_font: None, town: Meeting
) -> None:
    from playwright.sync_api import expect

    status, issued = town.api("POST", "/codes", {"count": 1}, facilitator=True)
    assert status == 201
    (code,) = issued["codes"]
    kernels = town.server.kernel_pids()
    context = browser.new_context(java_script_enabled=False, locale="en-GB", **PHONE)
    try:
        page = context.new_page()
        requests = RequestLog()
        requests.attach(page)
        page.goto(f"{town.server.base}/p/")
        expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
        page.get_by_label("Code (on the screen or on your paper)").fill(code.lower())
        shot(page, "10-nojs-code")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="What you can do now")).to_be_visible()

        title = "Choose up to three initiatives that would make you glad"
        page.locator(".card", has_text=title).get_by_role("link", name="Vote now").click()
        expect(page.locator("#remaining")).to_have_text("Dots: 3")  # no script: no counter
        page.get_by_label(TITLES[A]).fill("3")
        page.get_by_label(TITLES[B]).fill("1")
        page.get_by_role("button", name="Send my vote").click()
        # Refused by the server, in plain words, with what was typed still there.
        expect(page.get_by_role("alert")).to_have_text("You used 4 dots; each person has 3.")
        expect(page.get_by_label(TITLES[A])).to_have_value("3")
        expect(page.get_by_label(TITLES[B])).to_have_value("1")
        shot(page, "11-nojs-refused")
        assert stored(town, "ureshii-top3") == []
        page.get_by_label(TITLES[B]).fill("0")
        page.get_by_role("button", name="Send my vote").click()
        expect(page.get_by_role("heading", name="Your vote is in")).to_be_visible()
        expect(page.get_by_role("listitem")).to_have_text([f"{TITLES[A]}: 3"])
        shot(page, "12-nojs-receipt")
        assert requests.outside() == []
        assert not any(url.endswith(".js") for url in requests.urls)
    finally:
        context.close()
    with town.store() as store:
        votes = store.votes(town.slug, "ureshii-top3")
    assert [(v.channel, v.payload) for v in votes] == [("code", {A: 3})]
    assert town.server.kernel_pids() == kernels


def test_the_board_counts_a_vote_as_a_phone_sends_it(
    browser: Any, cjk_font: None, town: Meeting, phone: tuple[Any, RequestLog]
) -> None:
    from playwright.sync_api import expect

    with town.store() as store:
        store.set_phase(town.slug, "town_meeting")
    facilitator = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 900})
    try:
        # The facilitator link sets the facilitator's cookie (without opening the console).
        assert facilitator.request.get(town.server.facilitator_url).status == 200
        board = facilitator.new_page()
        board_requests = RequestLog()
        board_requests.attach(board)
        board.goto(f"{town.server.base}/voila/render/board.ipynb", timeout=120_000)
        heading = board.get_by_role("heading", name=BOARD_BALLOT, exact=True)
        expect(heading).to_be_visible(timeout=120_000)
        ballot = board.locator("div").filter(has=heading).last
        expect(ballot).to_contain_text("open · 0 votes")
        expect(ballot).to_contain_text("Results are hidden until the vote closes")
        ballot.scroll_into_view_if_needed()
        shot(board, "13-board-before", full_page=False)
        kernels = town.server.kernel_pids()

        page, requests = phone
        page.goto(f"{town.server.base}/p/")
        page.get_by_role("button", name="参加する").click()
        page.locator(".card", has_text=BOARD_BALLOT).get_by_role("link", name="投票する").click()
        # By keyboard alone this time: focus, space to tick, enter to send.
        box = page.get_by_role("checkbox", name=TITLES[B])
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
        page.get_by_role("button", name="投票する").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="投票を受け付けました")).to_be_visible()
        shot(page, "14-board-phone-receipt")

        expect(ballot).to_contain_text("open · 1 votes", timeout=30_000)
        ballot.scroll_into_view_if_needed()
        shot(board, "15-board-after", full_page=False)
        assert town.server.kernel_pids() == kernels, "the phone started a kernel"
        assert requests.outside() == []
        assert board_requests.outside() == [], "the board's requests left this machine"
    finally:
        facilitator.close()
    assert stored(town, "board") == [[B]]


def test_a_phone_on_its_home_page_sees_a_ballot_open_without_reloading(
    town: Meeting, phone: tuple[Any, RequestLog]
) -> None:
    """The home page follows by itself (a small script, no meta refresh): a ballot the
    facilitator opens appears on a phone that is waiting, and nothing reloads the page."""
    from playwright.sync_api import expect

    page, requests = phone
    status, workshop = town.api("GET", "")
    assert status == 200
    page.goto(f"{town.server.base}/p/")
    page.get_by_label("コード（スクリーンまたは配布された紙に書かれています）").fill(
        workshop["join_code"]
    )
    page.get_by_role("button", name="進む").click()
    page.get_by_role("button", name="参加する").click()
    expect(page.get_by_role("heading", name="いまできること")).to_be_visible()
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    page.evaluate("window.stillTheSamePage = true")

    town.ballot("arrives-later", "approval", [A, B])
    card = page.locator(".card", has_text="Ballot arrives-later")
    expect(card).to_be_visible(timeout=40_000)  # the page looks again every 15 s
    expect(card.get_by_role("link", name="投票する")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage === true"), "updated in place, not reloaded"
    shot(page, "11-home-ballot-arrived")
    assert requests.outside() == []
