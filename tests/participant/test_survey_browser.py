"""Answering surveys on a phone in a real browser (Debian Chromium, Playwright), 390×844.

With JavaScript on and off, in Japanese and in English, a phone joins, finds the surveys
on its home page, answers a one-question-per-screen survey with Back and Next (a required
question refused on Next, answers kept going back), then a one-page survey, and sees the
thank-you page each time. Any request to another host is aborted and fails the test; the
store's responses are checked afterwards. Screenshots go to ``test-artifacts/survey-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.participant.conftest import Meeting
from tests.participant.test_join_and_vote_browser import document_requests
from tests.server.server_helpers import ARTIFACTS, LOOPBACK_HOSTS, require
from tests.server.test_accessibility_browser import AXE_JS, _findings
from toolkit.i18n import t
from toolkit.surveys.definition import LINK_QUESTIONS

PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


def text(ja: str, en: str) -> dict[str, str]:
    return {"ja": ja, "en": en}


QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "dept",
        "kind": "single",
        "segment": True,
        "text": text("所属", "Your department"),
        "options": [
            {"id": "a", "text": text("市民課", "Residents' office")},
            {"id": "b", "text": text("税務課", "Tax office")},
        ],
    },
    {
        "id": "q1",
        "kind": "likert",
        "required": True,
        "text": text("デジタル化に前向きだ", "I am positive about going digital"),
    },
    {
        "id": "tools",
        "kind": "multiple",
        "max_choices": 2,
        "text": text("使っている道具", "Tools you use"),
        "options": [
            {"id": "x", "text": text("チャット", "Chat")},
            {"id": "y", "text": text("電子申請", "Online forms")},
            {"id": "z", "text": text("表計算", "Spreadsheets")},
        ],
    },
    {
        "id": "hours",
        "kind": "number",
        "min": 0,
        "max": 60,
        "unit": text("時間", "hours"),
        "text": text("紙の書類に使う時間（週）", "Hours a week on paper forms"),
    },
    {"id": "note", "kind": "text", "text": text("ひとこと", "Anything else?")},
]
SURVEYS: dict[str, dict[str, Any]] = {
    "steps": {
        "id": "steps",
        "title": text("一問ずつのアンケート", "One at a time"),
        "layout": "one_per_screen",
        "link_code": True,
        "questions": QUESTIONS,
    },
    "pulse": {
        "id": "pulse",
        "title": text("一ページのアンケート", "All on one page"),
        "questions": QUESTIONS,
    },
}
WORDS = {
    "ja": {
        "join": "参加する",
        "home": "いまできること",
        "answer": "回答する",
        "next": "次へ",
        "back": "戻る",
        "send": "回答を送信する",
        "thanks": "ご回答ありがとうございました",
        "agree": "4 そう思う",
        "tax": "税務課",
        "residents": "市民課",
        "chat": "チャット",
        "sheets": "表計算",
        "forms": "電子申請",
        "hours": "紙の書類に使う時間（週）",
        "note": "ひとこと",
        "q1": "デジタル化に前向きだ",
    },
    "en": {
        "join": "Take part",
        "home": "What you can do now",
        "answer": "Answer now",
        "next": "Next",
        "back": "Back",
        "send": "Send my answers",
        "thanks": "Thank you! Your answers are in.",
        "agree": "4 Agree",
        "tax": "Tax office",
        "residents": "Residents' office",
        "chat": "Chat",
        "sheets": "Spreadsheets",
        "forms": "Online forms",
        "hours": "Hours a week on paper forms",
        "note": "Anything else?",
        "q1": "I am positive about going digital",
    },
}
LINK = {"ja": ["ハナコ", "７", "あおば"], "en": ["Kazuko", "21", "Midori"]}


@pytest.fixture(scope="module")
def surveyed(meeting: Meeting) -> Meeting:
    with meeting.store() as store:
        for key, definition in SURVEYS.items():
            store.define_survey(meeting.slug, definition)
            store.open_survey_wave(meeting.slug, key, "before")
    return meeting


@pytest.fixture
def outside() -> list[str]:
    """Requests to other hosts, aborted as they were made."""
    return []


@pytest.fixture
def context(
    request: pytest.FixtureRequest, browser: Any, cjk_font: None, outside: list[str]
) -> Iterator[Any]:
    javascript, lang = request.param
    made = browser.new_context(
        java_script_enabled=javascript, locale="ja-JP" if lang == "ja" else "en-GB", **PHONE
    )

    def guard(route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if urlsplit(route.request.url).scheme in ("http", "https", "ws", "wss") and (
            host not in LOOPBACK_HOSTS
        ):
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    made.route("**/*", guard)
    if javascript:
        require(AXE_JS.is_file(), f"axe-core is not installed at {AXE_JS} (npm ci in tests/a11y)")
        made.add_init_script(path=str(AXE_JS))
    try:
        yield made
    finally:
        made.close()


AXE_FOUND: list[str] = []
"""Serious accessibility findings of the screens checked so far (JavaScript on only)."""


def shot(page: Any, name: str) -> None:
    """A screenshot, and with JavaScript on an axe-core check of the screen as it is."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"survey-{name}.png"), full_page=True)
    if name.startswith("js-"):
        lang = name.split("-")[1]
        AXE_FOUND.extend(_findings(page, f"survey-{name}", lang))


def count(meeting: Meeting, key: str) -> int:
    with meeting.store() as store:
        return len(store.survey_responses(meeting.slug, key))


def latest(meeting: Meeting, key: str) -> Any:
    with meeting.store() as store:
        return store.survey_responses(meeting.slug, key)[-1]


CASES = [(True, "ja"), (False, "ja"), (True, "en"), (False, "en")]


@pytest.mark.parametrize(
    "context", CASES, ids=[f"{'js' if js else 'nojs'}-{lang}" for js, lang in CASES], indirect=True
)
def test_a_phone_answers_both_layouts(
    surveyed: Meeting, context: Any, outside: list[str], request: pytest.FixtureRequest
) -> None:
    from playwright.sync_api import expect

    name = request.node.callspec.id
    AXE_FOUND.clear()
    lang = name.rsplit("-", 1)[1]
    javascript = name.startswith("js-")
    words = WORDS[lang]
    kernels = surveyed.server.kernel_pids()
    before = {key: count(surveyed, key) for key in SURVEYS}
    page = context.new_page()

    page.goto(f"{surveyed.server.base}/p/{surveyed.slug}/?lang={lang}")
    page.get_by_role("button", name=words["join"]).click()
    expect(page.get_by_role("heading", name=words["home"])).to_be_visible()
    card = page.locator(".card", has_text=SURVEYS["steps"]["title"][lang])
    expect(card).to_contain_text("事前" if lang == "ja" else "Before")
    shot(page, f"{name}-01-home")
    card.get_by_role("link", name=words["answer"]).click()

    # One question a screen: Next, a refusal on Next, Back keeps what was chosen.
    expect(page.get_by_role("heading", name=SURVEYS["steps"]["title"][lang])).to_be_visible()
    page.get_by_role("radio", name=words["tax"]).check()
    shot(page, f"{name}-02-first-screen")
    page.get_by_role("button", name=words["next"]).click()
    page.get_by_role("button", name=words["next"]).click()  # the required one left out
    expect(page.get_by_role("alert")).to_have_text(
        t("p_survey_answer_required", lang, question=words["q1"])
    )
    shot(page, f"{name}-03-required")
    page.get_by_role("radio", name=words["agree"]).check()
    page.get_by_role("button", name=words["next"]).click()
    page.get_by_role("checkbox", name=words["chat"]).check()
    page.get_by_role("checkbox", name=words["sheets"]).check()
    page.get_by_role("button", name=words["next"]).click()
    page.get_by_role("textbox", name=words["hours"]).fill("12.5")
    page.get_by_role("button", name=words["back"]).click()
    expect(page.get_by_role("checkbox", name=words["chat"])).to_be_checked()
    expect(page.get_by_role("checkbox", name=words["sheets"])).to_be_checked()
    expect(page.get_by_role("checkbox", name=words["forms"])).not_to_be_checked()
    page.get_by_role("button", name=words["back"]).click()
    expect(page.get_by_role("radio", name=words["agree"])).to_be_checked()
    for _ in range(2):
        page.get_by_role("button", name=words["next"]).click()
    expect(page.get_by_role("textbox", name=words["hours"])).to_have_value("12.5")
    shot(page, f"{name}-04-number")
    page.get_by_role("button", name=words["next"]).click()
    page.get_by_role("textbox", name=words["note"]).fill("OK")
    page.get_by_role("button", name=words["next"]).click()
    for (_key, wording), typed in zip(LINK_QUESTIONS, LINK[lang], strict=True):
        page.get_by_label(wording[lang]).fill(typed)
    shot(page, f"{name}-05-link")
    assert count(surveyed, "steps") == before["steps"], "nothing stored before sending"
    documents = document_requests(page)
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["thanks"])
    # The thanks' own address in the address bar either way: a reload never sends again.
    expect(page).to_have_url(re.compile(rf"/p/{surveyed.slug}/surveys/steps\?sent=1$"))
    steps = f"/p/{surveyed.slug}/surveys/steps"
    # With the script, the thanks are the post's answer; without it, a redirect to them.
    assert documents == [("POST", steps)] + [("GET", steps)] * (not javascript), documents
    shot(page, f"{name}-06-thanks")
    assert count(surveyed, "steps") == before["steps"] + 1
    stored = latest(surveyed, "steps")
    assert stored.answers == {
        "dept": "b",
        "q1": 4,
        "tools": ["x", "z"],
        "hours": 12.5,
        "note": "OK",
    }
    assert stored.link_key is not None

    # Everything on one page.
    page.get_by_role("link", name=t("p_back_home", lang)).click()
    card = page.locator(".card", has_text=SURVEYS["pulse"]["title"][lang])
    card.get_by_role("link", name=words["answer"]).click()
    page.get_by_role("radio", name=words["residents"]).check()
    page.get_by_role("checkbox", name=words["forms"]).check()
    page.get_by_role("textbox", name=words["hours"]).fill("70")
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("alert")).to_have_text(
        t("p_survey_answer_required", lang, question=words["q1"])
    )
    page.get_by_role("radio", name=words["agree"]).check()
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("alert")).to_have_text(
        t("p_survey_answer_range", lang, question=words["hours"], value="70", low="0", high="60")
    )
    expect(page.get_by_role("radio", name=words["residents"])).to_be_checked()
    expect(page.get_by_role("checkbox", name=words["forms"])).to_be_checked()
    expect(page.get_by_role("radio", name=words["agree"])).to_be_checked()
    shot(page, f"{name}-07-one-page-refused")
    assert count(surveyed, "pulse") == before["pulse"]
    page.get_by_role("textbox", name=words["hours"]).fill("3")
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["thanks"])
    assert count(surveyed, "pulse") == before["pulse"] + 1
    assert latest(surveyed, "pulse").answers == {"dept": "a", "q1": 4, "tools": ["y"], "hours": 3}

    # Back on the home page: both answered this round.
    page.get_by_role("link", name=t("p_back_home", lang)).click()
    expect(page.get_by_text(t("p_home_survey_answered", lang))).to_have_count(2)
    shot(page, f"{name}-08-home-answered")

    assert outside == [], "a survey page requested another host"
    assert AXE_FOUND == [], "axe-core found\n" + "\n".join(AXE_FOUND)
    assert surveyed.server.kernel_pids() == kernels, "a phone page started a kernel"
