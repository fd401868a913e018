"""A new phone joins and votes from one page, in a real browser (Debian Chromium, Playwright).

A town meeting with exactly one ballot open asks that question on the join page itself
(``/p/<slug>/``): one tap, "Take part and vote", stores the participant and the vote
together and shows the receipt. A phone in Japanese with JavaScript sees the live "dots
left" line and gets its receipt as the answer to its vote (a reload or the back and forward
buttons ask for the receipt, never send the vote again); a phone without JavaScript whose
vote is refused keeps its ticks and is not stored at all; a phone that leaves the question
blank joins only and finds the question on its ballot page. Each test has its own fresh
server and store, so every count is exact. No request leaves this machine and no phone page
starts a kernel. Screenshots of every step go to ``test-artifacts/join-vote-NN-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.participant.conftest import TITLES, A, B, C, D, Meeting, start_meeting
from tests.server.server_helpers import ARTIFACTS, CountingProxy, RequestLog, require
from tests.server.test_accessibility_browser import AXE_JS, LOCALES, _findings, _with_axe

PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
RECEIPT_CODE = re.compile(r"^[0-9A-F]{4}-[0-9A-F]{4}$")


@pytest.fixture
def town(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Meeting]:
    """A fresh server on a fresh town-meeting store, in its town-meeting phase (set before
    any page is asked for). Each test opens its one question itself."""
    name = "join-vote-" + request.node.name.removeprefix("test_")[:40]
    meeting = start_meeting(tmp_path, str(tmp_path / "town.sqlite"), name)
    try:
        with meeting.store() as store:
            store.set_phase(meeting.slug, "town_meeting")
        assert meeting.server.kernel_pids() == set(), "the server started with a kernel"
        yield meeting
    finally:
        meeting.server.stop()


def new_phone(browser: Any, **options: Any) -> tuple[Any, Any, RequestLog]:
    """A new browser profile (no cookies yet) on a phone-sized screen, its page and log."""
    context = browser.new_context(**PHONE, **options)
    page = context.new_page()
    requests = RequestLog()
    requests.attach(page)
    return context, page, requests


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"join-vote-{name}.png"), full_page=True)


def participants(meeting: Meeting) -> int:
    with meeting.store() as store:
        return store.counts(meeting.slug)["participants"]


def stored(meeting: Meeting, key: str) -> list[Any]:
    """The payloads of the votes on ballot ``key``, as the store holds them."""
    with meeting.store() as store:
        return [vote.payload for vote in store.votes(meeting.slug, key)]


def token_of(context: Any, meeting: Meeting) -> str | None:
    """The phone's participant token (its cookie), or None when it has not joined."""
    for cookie in context.cookies():
        if cookie["name"] == f"ureshii_p_{meeting.slug}":
            return str(cookie["value"])
    return None


def assert_one_person_one_vote(
    meeting: Meeting, context: Any, key: str, payload: Any, category: str | None
) -> None:
    """Exactly one participant and one vote in the store: this phone's, with ``payload``."""
    token = token_of(context, meeting)
    assert token, "the phone has no participant cookie"
    with meeting.store() as store:
        assert store.counts(meeting.slug)["participants"] == 1
        votes = store.votes(meeting.slug, key)
        me = store.participant(meeting.slug, token)
    assert [(v.payload, v.channel) for v in votes] == [(payload, "device")]
    assert votes[0].participant_id == me.id, "the vote is not this phone's"
    assert me.category == category


def document_requests(page: Any) -> list[tuple[str, str]]:
    """From now on, the method and path of every page (document) the phone asks for."""
    documents: list[tuple[str, str]] = []

    def seen(request: Any) -> None:
        if request.resource_type == "document":
            documents.append((request.method, urlsplit(request.url).path))

    page.on("request", seen)
    return documents


def assert_stayed_here(meeting: Meeting, requests: RequestLog) -> None:
    assert requests.urls, "the request log saw nothing"
    assert requests.outside() == [], "a phone page requested another host"
    assert meeting.server.kernel_pids() == set(), "a phone page started a kernel"


def test_a_japanese_phone_joins_and_votes_in_one_tap_with_the_dots_counted(
    browser: Any, cjk_font: None, town: Meeting
) -> None:
    from playwright.sync_api import expect

    town.ballot("dots", "dot_votes", [A, B, C, D], dots=3)
    context, page, requests = new_phone(browser, locale="ja-JP")
    try:
        page.goto(f"{town.server.base}/p/{town.slug}/")
        expect(page.get_by_role("heading", name="ようこそ")).to_be_visible()
        # The question is on the join page: its title, its options, the one-tap button.
        expect(page.get_by_role("heading", name="Ballot dots", level=2)).to_be_visible()
        expect(page.locator("input[type=hidden][name=ballot]")).to_have_value("dots")
        expect(
            page.get_by_text("まだ選べないときは、質問を空欄のまま押してください。")
        ).to_be_visible()
        button = page.get_by_role("button", name="参加して投票する")
        expect(button).to_be_visible()
        expect(page.get_by_role("button", name="参加する", exact=True)).to_have_count(0)
        for option in (A, B, C, D):
            expect(page.get_by_label(TITLES[option])).to_be_editable()

        # enhance.js turns "ドット: 3個" into a running count of the dots left.
        left = page.locator("#remaining")
        expect(left).to_have_text("残りのドット: 3個（全3個）")
        shot(page, "01-ja-join-question")
        page.get_by_label(TITLES[A]).fill("2")
        expect(left).to_have_text("残りのドット: 1個（全3個）")
        page.get_by_label(TITLES[C]).fill("2")
        expect(left).to_have_text("残りのドット: -1個（全3個）")
        expect(left).to_have_class(re.compile(r"\berror\b"))
        shot(page, "02-ja-dots-over")
        page.get_by_label(TITLES[C]).fill("1")
        expect(left).to_have_text("残りのドット: 0個（全3個）")
        expect(left).not_to_have_class(re.compile(r"\berror\b"))
        page.get_by_label("あてはまるもの（任意）").select_option("resident")
        shot(page, "03-ja-dots-counted")
        assert participants(town) == 0 and stored(town, "dots") == []  # nothing sent yet

        documents = document_requests(page)
        with page.expect_response(re.compile(rf"/p/{town.slug}/join$")) as answered:
            button.click()
        # With the script running, the vote is answered with its receipt (no redirect, one
        # request fewer), and the script puts the receipt's address in the address bar.
        assert answered.value.status == 200
        expect(page).to_have_url(re.compile(rf"/p/{town.slug}/b/dots/receipt$"))
        expect(page.get_by_role("heading", name="投票を受け付けました")).to_be_visible()
        expect(page.get_by_role("status")).to_have_text("「Ballot dots」への投票を記録しました。")
        code = page.locator(".code")
        expect(code).to_have_text(RECEIPT_CODE)
        receipt = code.inner_text()
        expect(page.get_by_role("listitem")).to_have_text([f"{TITLES[A]}: 2", f"{TITLES[C]}: 1"])
        shot(page, "04-ja-receipt")
        assert_one_person_one_vote(town, context, "dots", {A: 2, C: 1}, "resident")

        assert documents == [("POST", f"/p/{town.slug}/join")]

        # Reloading the receipt asks for the receipt, not the form again; nothing more stored.
        page.reload()
        expect(page).to_have_url(re.compile(rf"/p/{town.slug}/b/dots/receipt$"))
        expect(page.get_by_role("heading", name="投票を受け付けました")).to_be_visible()
        expect(page.locator(".code")).to_have_text(receipt)
        shot(page, "05-ja-receipt-reloaded")
        assert_one_person_one_vote(town, context, "dots", {A: 2, C: 1}, "resident")
        # Back (to the join address, now this phone's home page) and forward again: the
        # receipt is asked for again, the vote is never sent twice.
        page.go_back()
        expect(page.get_by_role("heading", name="いまできること")).to_be_visible()
        page.go_forward()
        expect(page.locator(".code")).to_have_text(receipt)
        receipt_address = f"/p/{town.slug}/b/dots/receipt"
        assert documents == [
            ("POST", f"/p/{town.slug}/join"),
            ("GET", receipt_address),
            ("GET", f"/p/{town.slug}/"),
            ("GET", receipt_address),
        ]
        assert_one_person_one_vote(town, context, "dots", {A: 2, C: 1}, "resident")

        # The join page is behind it now: the same address is this phone's home page.
        page.goto(f"{town.server.base}/p/{town.slug}/")
        expect(page.get_by_role("heading", name="いまできること")).to_be_visible()
        expect(page.get_by_role("heading", name="ようこそ")).to_have_count(0)
        expect(page.get_by_role("button", name="参加して投票する")).to_have_count(0)
        expect(page.locator("select[name=category]")).to_have_count(0)
        shot(page, "06-ja-home")
        assert_one_person_one_vote(town, context, "dots", {A: 2, C: 1}, "resident")

        assert_stayed_here(town, requests)
    finally:
        context.close()


def test_a_phone_without_javascript_is_refused_whole_then_joins_with_its_vote(
    browser: Any, cjk_font: None, town: Meeting
) -> None:
    from playwright.sync_api import expect

    town.ballot("pick", "approval", [A, B, C], max_choices=1)
    context, page, requests = new_phone(browser, locale="en-GB", java_script_enabled=False)
    try:
        page.goto(f"{town.server.base}/p/{town.slug}/")
        expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
        expect(page.get_by_role("heading", name="Ballot pick", level=2)).to_be_visible()
        expect(page.get_by_text("You may choose up to 1.")).to_be_visible()
        button = page.get_by_role("button", name="Take part and vote")
        page.get_by_label("Which describes you best? (optional)").select_option("staff")
        page.get_by_role("checkbox", name=TITLES[A]).check()
        page.get_by_role("checkbox", name=TITLES[C]).check()
        shot(page, "10-nojs-two-ticks")

        with page.expect_response(re.compile(rf"/p/{town.slug}/join$")) as answered:
            button.click()
        assert answered.value.status == 422
        # Refused in plain words, on the same page, with everything as it was ticked.
        expect(page.get_by_role("alert")).to_have_text("2 options chosen; you may choose up to 1.")
        expect(page.get_by_role("alert")).to_have_class(re.compile(r"\berror\b"))
        expect(page.get_by_role("checkbox", name=TITLES[A])).to_be_checked()
        expect(page.get_by_role("checkbox", name=TITLES[B])).not_to_be_checked()
        expect(page.get_by_role("checkbox", name=TITLES[C])).to_be_checked()
        expect(page.get_by_label("Which describes you best? (optional)")).to_have_value("staff")
        expect(button).to_be_visible()
        shot(page, "11-nojs-refused")
        # Refused whole: nobody joined, nothing voted, no cookie on the phone.
        assert participants(town) == 0
        assert stored(town, "pick") == []
        assert token_of(context, town) is None

        page.get_by_role("checkbox", name=TITLES[C]).uncheck()
        with page.expect_response(re.compile(rf"/p/{town.slug}/join$")) as answered:
            button.click()
        assert answered.value.status == 303, "without the script: post, redirect, get"
        expect(page).to_have_url(re.compile(rf"/p/{town.slug}/b/pick/receipt$"))
        expect(page.get_by_role("heading", name="Your vote is in")).to_be_visible()
        expect(page.locator(".code")).to_have_text(RECEIPT_CODE)
        expect(page.get_by_role("listitem")).to_have_text([TITLES[A]])
        shot(page, "12-nojs-receipt")
        assert_one_person_one_vote(town, context, "pick", [A], "staff")

        assert not any(url.endswith(".js") for url in requests.urls)
        assert_stayed_here(town, requests)
    finally:
        context.close()


def test_a_phone_that_leaves_the_question_blank_joins_then_votes_on_the_ballot_page(
    browser: Any, cjk_font: None, town: Meeting
) -> None:
    from playwright.sync_api import expect

    town.ballot("later", "approval", [A, B, C, D])
    context, page, requests = new_phone(browser, locale="en-GB")
    try:
        page.goto(f"{town.server.base}/p/{town.slug}/")
        expect(page.get_by_role("heading", name="Ballot later", level=2)).to_be_visible()
        expect(
            page.get_by_text("Not ready to choose? Leave the question blank", exact=False)
        ).to_be_visible()
        for option in (A, B, C, D):
            expect(page.get_by_role("checkbox", name=TITLES[option])).not_to_be_checked()
        shot(page, "20-blank-join")

        page.get_by_role("button", name="Take part and vote").click()
        # Joined without a vote: straight to the question, on its own page.
        expect(page).to_have_url(re.compile(rf"/p/{town.slug}/b/later$"))
        expect(page.get_by_role("heading", name="Ballot later", level=1)).to_be_visible()
        expect(page.get_by_role("button", name="Take part and vote")).to_have_count(0)
        send = page.get_by_role("button", name="Send my vote")
        expect(send).to_be_visible()
        shot(page, "21-blank-ballot-page")
        assert participants(town) == 1
        assert stored(town, "later") == []
        assert token_of(context, town), "joined, but the phone has no participant cookie"

        page.get_by_role("checkbox", name=TITLES[B]).check()
        page.get_by_role("checkbox", name=TITLES[D]).check()
        send.click()
        expect(page).to_have_url(re.compile(rf"/p/{town.slug}/b/later/receipt$"))
        expect(page.get_by_role("heading", name="Your vote is in")).to_be_visible()
        expect(page.locator(".code")).to_have_text(RECEIPT_CODE)
        expect(page.get_by_role("listitem")).to_have_text([TITLES[B], TITLES[D]])
        shot(page, "22-blank-receipt")
        assert_one_person_one_vote(town, context, "later", [B, D], None)

        page.get_by_role("link", name="Back to the start").click()
        expect(page.get_by_role("heading", name="What you can do now")).to_be_visible()
        shot(page, "23-blank-home")
        assert_one_person_one_vote(town, context, "later", [B, D], None)
        assert_stayed_here(town, requests)
    finally:
        context.close()


def test_a_phone_asks_the_server_for_its_page_and_its_vote_and_nothing_else(
    browser: Any, town: Meeting
) -> None:
    """Counted at the server's door, as a full room costs it: a phone in Chromium that opens
    the join page and votes sends two requests. The pages' script is in the page (its policy
    lets only those bytes run) and the page names its own icon, so no script file and no
    ``/favicon.ico`` is asked for (each was one request more per phone)."""
    from playwright.sync_api import expect

    town.ballot("pick", "approval", [A, B, C, D])
    proxy = CountingProxy(town.server.base)
    context, page, requests = new_phone(browser, locale="en-GB")
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    try:
        page.goto(f"{proxy.base}/p/{town.slug}/", wait_until="load")
        page.get_by_role("checkbox", name=TITLES[B]).check()
        page.get_by_role("button", name="Take part and vote").click()
        # The receipt came as the vote's answer: the script ran (it sent answer=here).
        expect(page).to_have_url(re.compile(rf"/p/{town.slug}/b/pick/receipt$"))
        expect(page.locator(".code")).to_have_text(RECEIPT_CODE)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # a browser asks for an icon just after the load
        assert proxy.requests == [("GET", f"/p/{town.slug}/"), ("POST", f"/p/{town.slug}/join")]
        assert_one_person_one_vote(town, context, "pick", [B], None)
        assert not [text for text in refused if "Content Security Policy" in text], refused
        assert_stayed_here(town, requests)
    finally:
        context.close()
        proxy.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_join_page_with_its_question_has_no_serious_accessibility_violation(
    lang: str, browser: Any, cjk_font: None, town: Meeting
) -> None:
    """axe-core on the join page that asks the question (a refused one too: its alert and
    kept ticks), as a phone sees it, in each language."""
    from playwright.sync_api import expect

    require(AXE_JS.is_file(), f"axe-core is not installed at {AXE_JS} (npm ci in tests/a11y)")
    town.ballot("dots", "dot_votes", [A, B, C, D], dots=3)
    context, page, requests = new_phone(browser, locale=LOCALES[lang])
    _with_axe(context, str(AXE_JS))
    try:
        page.goto(f"{town.server.base}/p/{town.slug}/?lang={lang}")
        expect(page.locator("input[type=hidden][name=ballot]")).to_have_value("dots")
        failing = _findings(page, "join-question", lang)
        page.locator("#o0").fill("2")  # one more dot than there are: refused, kept
        page.locator("#o1").fill("2")
        page.locator("form[data-counter] button[type=submit]").click()
        expect(page.get_by_role("alert")).to_be_visible()
        failing += _findings(page, "join-question-refused", lang)
        assert not failing, "axe-core found\n" + "\n".join(failing)
        assert participants(town) == 0
        assert_stayed_here(town, requests)
    finally:
        context.close()
