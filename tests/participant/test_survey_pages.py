"""Answering surveys on the phone pages (issue 19, item 2), over plain HTTP without JavaScript.

A real ``ureshii serve`` on a fresh town-meeting store (the ``meeting`` fixture) with
surveys defined in that store. Each :class:`Phone` is a cookie jar that follows no redirect
by itself and sends exactly the form fields a browser would (hidden ones included), so the
Back and Next buttons of a one-question-per-screen survey are checked as an old phone uses
them. Every page is measured and searched for other hosts (``check_page``).

After every step the responses are counted in the store itself: a refused answer stores
nothing, a sent one exactly one response, with the answers a person gave (written out here
by hand, not computed by the code under test).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.participant.conftest import Meeting
from tests.participant.test_participant_pages import Page, Phone, join, ws
from tests.server.server_helpers import wait_until
from toolkit.i18n import t
from toolkit.model import SurveyResponse

EN_TITLE = "Staff pulse"

DEPT = {
    "id": "dept",
    "kind": "single",
    "segment": True,
    "text": {"ja": "所属", "en": "Your department"},
    "options": [
        {"id": "a", "text": {"ja": "市民課", "en": "Residents' office"}},
        {"id": "b", "text": {"ja": "税務課", "en": "Tax office"}},
    ],
}
POSITIVE = {
    "id": "q1",
    "kind": "likert",
    "required": True,
    "text": {"ja": "デジタル化に前向きだ", "en": "I am positive about going digital"},
    "help": {"ja": "今の気持ちで選んでください", "en": "Answer as you feel today"},
}
TOOLS = {
    "id": "tools",
    "kind": "multiple",
    "max_choices": 2,
    "text": {"ja": "使っている道具", "en": "Tools you use"},
    "options": [
        {"id": "x", "text": {"ja": "チャット", "en": "Chat"}},
        {"id": "y", "text": {"ja": "電子申請", "en": "Online forms"}},
        {"id": "z", "text": {"ja": "表計算", "en": "Spreadsheets"}},
    ],
}
HOURS = {
    "id": "hours",
    "kind": "number",
    "required": True,
    "min": 0,
    "max": 60,
    "unit": {"ja": "時間", "en": "hours"},
    "text": {"ja": "紙の書類に使う時間（週）", "en": "Hours a week spent on paper forms"},
}
NOTE = {
    "id": "note",
    "kind": "text",
    "text": {"ja": "ひとこと", "en": "Anything else?"},
}
QUESTIONS = [DEPT, POSITIVE, TOOLS, HOURS, NOTE]


def survey(key: str, **more: Any) -> dict[str, Any]:
    return {
        "id": key,
        "title": {"ja": f"職員アンケート {key}", "en": f"{EN_TITLE} {key}"},
        "questions": QUESTIONS,
        **more,
    }


SURVEYS = {
    "pulse": survey("pulse", link_code=True),
    "steps": survey("steps", layout="one_per_screen", link_code=True),
    "formal": survey("formal", identity="codes", questions=[POSITIVE]),
    "pairs": survey("pairs", link_code=True, questions=[POSITIVE]),
    "later": survey("later"),
}


@pytest.fixture(scope="module", autouse=True)
def surveys(meeting: Meeting) -> None:
    """The surveys of this module, each with its first wave open (``later``: none open)."""
    with meeting.store() as store:
        for key, definition in SURVEYS.items():
            store.define_survey(meeting.slug, definition)
            if key != "later":
                store.open_survey_wave(meeting.slug, key, "before")


@pytest.fixture(autouse=True)
def _no_kernel(meeting: Meeting) -> Iterator[None]:
    before = meeting.server.kernel_pids()
    yield
    assert meeting.server.kernel_pids() == before


def responses(meeting: Meeting, key: str) -> list[SurveyResponse]:
    with meeting.store() as store:
        return store.survey_responses(meeting.slug, key)


def title(key: str, lang: str = "en") -> str:
    return f"{EN_TITLE} {key}" if lang == "en" else f"職員アンケート {key}"


def page_of(meeting: Meeting, key: str, lang: str | None = None) -> str:
    return ws(meeting, f"surveys/{key}") + (f"?lang={lang}" if lang else "")


PROGRESS = re.compile(r"Question \d+ of \d+|\d+問中 \d+問目|Last step \(optional\)|最後に（任意）")


def progress(page: Page) -> str:
    """The "Question n of N" line of a one-question-per-screen page."""
    found = PROGRESS.search(page.text)
    return found.group(0) if found else ""


def carried(page: Page) -> list[tuple[str, str]]:
    """What the page's form sends as it stands (hidden fields too), before the person
    adds anything: the way a browser's Next or Back press starts."""
    return [(name, value) for name, values in page.values.items() for value in values if value]


# ---------------------------------------------------------------------- one page
FILLED = [
    ("q_dept", "a"),
    ("q_tools", "x"),
    ("q_tools", "z"),
    ("q_hours", "75"),
    ("q_note", "More training,\nplease"),
    ("link_mother", ""),
    ("link_birthday", ""),
    ("link_school", ""),
]


def sent_back(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """What a form with ``fields`` sends (blank text fields send nothing a reader keeps)."""
    values: dict[str, list[str]] = {}
    for name, value in fields:
        if value:
            values.setdefault(name, []).append(value)
    return values


def test_a_one_page_survey_from_the_home_page_to_thank_you_in_english(meeting: Meeting) -> None:
    phone = join(meeting, "en")
    home = phone.get(ws(meeting))
    assert "Surveys" in home.text
    assert f"{title('pulse')} (Before)" in home.text
    assert title("later") not in home.text, "a survey without an open wave is not listed"
    assert f'href="{page_of(meeting, "pulse")}"' in home.body

    form = phone.get(page_of(meeting, "pulse"))
    assert form.status == 200 and form.lang == "en"
    assert form.controls >= {"q_dept", "q_q1", "q_tools", "q_hours", "q_note", "link_mother"}
    assert "I am positive about going digital (required)" in form.text
    assert "Answer as you feel today" in form.text
    assert "1 Strongly disagree" in form.text and "5 Strongly agree" in form.text
    assert "Choose up to 2." in form.text
    assert "A number from 0 to 60." in form.text and "Unit: hours" in form.text
    assert 'inputmode="decimal"' in form.body
    assert "nobody can tell who you are" in form.text
    assert responses(meeting, "pulse") == []

    # A required question left out, and a number out of range: one message at a time, the
    # question named by its text, everything that was sent is there again.
    refused = phone.submit(form, page_of(meeting, "pulse"), FILLED)
    assert refused.status == 422
    assert refused.alert == t(
        "p_survey_answer_required", "en", question="I am positive about going digital"
    )
    assert refused.values == sent_back(FILLED)
    assert 'aria-invalid="true"' in refused.body and 'href="#f-q1"' in refused.body
    assert responses(meeting, "pulse") == []

    with_q1 = [*FILLED, ("q_q1", "4")]
    refused = phone.submit(refused, page_of(meeting, "pulse"), with_q1)
    assert refused.status == 422
    assert refused.alert == t(
        "p_survey_answer_range",
        "en",
        question="Hours a week spent on paper forms",
        value="75",
        low="0",
        high="60",
    )
    assert refused.values == sent_back(with_q1)
    assert responses(meeting, "pulse") == []

    # Mended (a full-width 12, as a Japanese keyboard types it): stored once, thank you.
    mended = [(n, "１２" if n == "q_hours" else v) for n, v in with_q1]
    sent = phone.submit(refused, page_of(meeting, "pulse"), mended)
    assert sent.status == 303 and sent.location == page_of(meeting, "pulse") + "?sent=1"
    thanks = phone.follow(sent)
    assert "Thank you! Your answers are in." in thanks.text
    assert "(Before)" in thanks.text
    [response] = responses(meeting, "pulse")
    assert (response.wave, response.channel, response.link_key) == ("before", "device", None)
    assert response.answers == {
        "dept": "a",
        "q1": 4,
        "tools": ["x", "z"],
        "hours": 12,
        "note": "More training,\nplease",
    }

    # Coming back: already answered, on the page and at home; a second send is refused.
    again = phone.get(page_of(meeting, "pulse"))
    assert "Already answered" in again.text and "q_q1" not in again.controls
    assert "You have answered this round" in phone.get(ws(meeting)).text
    second = phone.submit(form, page_of(meeting, "pulse"), mended)
    assert second.status == 409
    assert second.alert == t("p_survey_already", "en", survey=title("pulse"))
    assert len(responses(meeting, "pulse")) == 1


def test_answers_sent_by_the_page_script_are_thanked_in_place(meeting: Meeting) -> None:
    """With the page's script running (it enables the form's ``answer=here``), stored
    answers are thanked in the post's own answer, not by a redirect: one request fewer per
    phone. The thanks say their address (``?sent=1``, which the script puts in the address
    bar, so a reload shows the thanks again and never sends twice) and link the thanks in
    the other language; a refusal is the form again."""
    phone = join(meeting, "en")
    before = len(responses(meeting, "pulse"))
    form = phone.get(page_of(meeting, "pulse"))
    assert "answer" in form.controls and "answer" in form.disabled
    assert "answer" not in form.values, "a browser without the script does not send it"
    here = [*FILLED, ("answer", "here")]
    refused = phone.submit(form, page_of(meeting, "pulse"), here)  # q1 left out
    assert refused.status == 422 and "answer" in refused.disabled
    assert len(responses(meeting, "pulse")) == before

    filled = [*FILLED[:3], ("q_hours", "12"), ("q_q1", "4"), ("answer", "here")]
    thanks = phone.submit(refused, page_of(meeting, "pulse"), filled)
    assert thanks.status == 200 and "Thank you! Your answers are in." in thanks.text
    address = page_of(meeting, "pulse") + "?sent=1"
    assert f'data-address="{address}"' in thanks.body
    assert f'href="{address}&amp;lang=ja"' in thanks.body
    *_, response = responses(meeting, "pulse")
    assert len(responses(meeting, "pulse")) == before + 1
    assert response.answers["hours"] == 12 and response.answers["q1"] == 4
    again = phone.get(address)  # the reload, once the script put the address there
    assert again.status == 200 and "Thank you! Your answers are in." in again.text
    assert len(responses(meeting, "pulse")) == before + 1


def test_phones_share_one_rendering_of_a_survey_each_with_its_own_csrf_token(
    meeting: Meeting,
) -> None:
    """A survey as it first opens is rendered once per snapshot and shared: two phones get
    the same page but for their own CSRF token, each token works for its own phone only,
    and each phone's answers go in."""
    phones = [join(meeting, "en") for _ in range(2)]
    pages = [phone.get(page_of(meeting, "pulse")) for phone in phones]
    tokens = [page.csrf for page in pages]
    assert tokens[0] != tokens[1]
    assert pages[0].body.replace(tokens[0], "") == pages[1].body.replace(tokens[1], "")
    before = len(responses(meeting, "pulse"))
    answers = [*FILLED[:3], ("q_hours", "12"), ("q_q1", "3")]
    for phone, page in zip(phones, reversed(pages), strict=True):  # another phone's token
        refused = phone.submit(page, page_of(meeting, "pulse"), answers)
        assert refused.status == 403
    for phone, page in zip(phones, pages, strict=True):
        sent = phone.submit(page, page_of(meeting, "pulse"), answers)
        assert sent.status == 303, sent.status
    assert len(responses(meeting, "pulse")) == before + 2


def test_a_survey_post_without_the_csrf_token_stores_nothing(meeting: Meeting) -> None:
    phone = join(meeting, "ja")
    before = len(responses(meeting, "pulse"))
    refused = phone.post(page_of(meeting, "pulse"), [("q_q1", "3"), ("q_hours", "1")])
    assert refused.status == 403
    assert refused.alert == t("participant_form_expired", "ja")
    assert sent_back(carried(refused)) == {"q_q1": ["3"], "q_hours": ["1"]}
    assert len(responses(meeting, "pulse")) == before


# ---------------------------------------------------------------------- one per screen
def test_one_question_per_screen_with_back_and_next_and_no_javascript_in_japanese(
    meeting: Meeting,
) -> None:
    phone = join(meeting, "ja")
    address = page_of(meeting, "steps")
    first = phone.get(address)
    assert first.status == 200 and first.lang == "ja"
    assert progress(first) == "5問中 1問目"
    # one question on the screen (and the field the page's script turns on)
    assert first.controls == {"_csrf", "_screen", "answer", "q_dept"}
    assert "所属" in first.text and "市民課" in first.text
    assert "最後の画面で送信するまで、回答は保存されません。" in first.text

    second = phone.submit(first, address, [*carried(first), ("q_dept", "b"), ("_go", "next")])
    assert second.status == 200 and progress(second) == "5問中 2問目"
    assert second.values == {"_screen": ["1"], "q_dept": ["b"]}, "the answer rides along"
    assert "デジタル化に前向きだ （必須）" in second.text and "全くそう思わない" in second.text

    # Next without the required answer: the same screen, in Japanese, naming the question.
    stay = phone.submit(second, address, [*carried(second), ("_go", "next")])
    assert stay.status == 422 and progress(stay) == "5問中 2問目"
    assert stay.alert == t("p_survey_answer_required", "ja", question="デジタル化に前向きだ")
    assert stay.values == {"_screen": ["1"], "q_dept": ["b"]}
    assert responses(meeting, "steps") == []

    third = phone.submit(stay, address, [*carried(stay), ("q_q1", "5"), ("_go", "next")])
    assert progress(third) == "5問中 3問目" and "2つまで選べます。" in third.text
    fourth = phone.submit(
        third, address, [*carried(third), ("q_tools", "y"), ("q_tools", "z"), ("_go", "next")]
    )
    assert progress(fourth) == "5問中 4問目"
    assert fourth.values == {
        "_screen": ["3"],
        "q_dept": ["b"],
        "q_q1": ["5"],
        "q_tools": ["y", "z"],
    }

    # Back twice: each screen shows its answer ticked, nothing lost on the way.
    back = phone.submit(fourth, address, [*carried(fourth), ("q_hours", "8"), ("_go", "back")])
    assert progress(back) == "5問中 3問目"
    assert back.values == {
        "_screen": ["2"],
        "q_dept": ["b"],
        "q_q1": ["5"],
        "q_tools": ["y", "z"],
        "q_hours": ["8"],
    }
    back = phone.submit(back, address, [*carried(back), ("_go", "back")])
    assert progress(back) == "5問中 2問目" and back.values["q_q1"] == ["5"]
    assert 'value="5" checked' in back.body

    # Forward again to the last question and the link code screen, then send.
    screen = back
    for _ in range(3):
        screen = phone.submit(screen, address, [*carried(screen), ("_go", "next")])
    assert progress(screen) == "5問中 5問目"
    assert screen.values["q_hours"] == ["8"]
    link = phone.submit(
        screen, address, [*carried(screen), ("q_note", "研修がほしい"), ("_go", "next")]
    )
    assert progress(link) == "最後に（任意）"
    assert "このコードからあなたが誰かを知ることは誰にもできません" in link.text
    assert {"link_mother", "link_birthday", "link_school"} <= link.controls
    assert responses(meeting, "steps") == [], "nothing is stored before the last screen"

    # A stale answer refused on send brings back that question's screen, everything kept.
    fields = carried(link)
    stale = [(n, "99" if n == "q_hours" else v) for n, v in fields]
    refused = phone.submit(link, address, [*stale, ("_go", "send")])
    assert refused.status == 422 and progress(refused) == "5問中 4問目"
    assert refused.alert == t(
        "p_survey_answer_range",
        "ja",
        question="紙の書類に使う時間（週）",
        value="99",
        low="0",
        high="60",
    )
    assert refused.values["q_hours"] == ["99"] and refused.values["q_note"] == ["研修がほしい"]
    assert responses(meeting, "steps") == []

    # A half-given link code is refused on the link screen; blank is fine.
    partial = [*fields, ("link_mother", "ハナコ"), ("_go", "send")]
    refused = phone.submit(link, address, partial)
    assert refused.status == 422 and progress(refused) == "最後に（任意）"
    assert refused.alert == t("p_survey_link_day", "ja", value="")
    assert refused.values["link_mother"] == ["ハナコ"]
    assert responses(meeting, "steps") == []

    sent = phone.submit(link, address, [*fields, ("_go", "send")])
    assert sent.status == 303
    assert "ご回答ありがとうございました" in phone.follow(sent).text
    [response] = responses(meeting, "steps")
    assert response.answers == {
        "dept": "b",
        "q1": 5,
        "tools": ["y", "z"],
        "hours": 8,
        "note": "研修がほしい",
    }
    assert response.link_key is None


# ---------------------------------------------------------------------- printed codes
def test_a_codes_only_survey_refuses_a_device_and_takes_a_printed_code(meeting: Meeting) -> None:
    address = page_of(meeting, "formal")
    stranger = Phone(meeting).get(address + "?lang=en")
    assert stranger.status == 200
    assert t("p_survey_codes_only", "en", survey=title("formal")) in stranger.text
    assert "code" in stranger.controls and stranger.values == {"next": ["surveys/formal"]}

    phone = join(meeting, "en")
    page = phone.get(address)
    assert t("p_survey_codes_only", "en", survey=title("formal")) in page.text
    assert "q_q1" not in page.controls
    csrf = phone.get(ws(meeting, "card")).csrf  # the browser's token, from any of its forms
    refused = phone.post(address, [("_csrf", csrf), ("q_q1", "2")])
    assert refused.status == 403
    assert refused.alert == t("p_survey_codes_only", "en", survey=title("formal"))
    assert refused.values["q_q1"] == ["2"] and "code" in refused.controls
    assert responses(meeting, "formal") == []

    status, issued = meeting.api("POST", "/codes", {"count": 1}, facilitator=True)
    assert status == 201
    [code] = issued["codes"]
    entered = phone.get("/p/?" + urlencode({"code": code.lower(), "next": "surveys/formal"}))
    assert entered.status == 303 and entered.location == address
    form = phone.follow(entered)
    assert "q_q1" in form.controls
    sent = phone.submit(form, address, [("q_q1", "2")])
    assert sent.status == 303
    [response] = responses(meeting, "formal")
    assert (response.channel, response.answers) == ("code", {"q1": 2})

    # ?next= leads only to a survey page of the same workshop.
    elsewhere = phone.get("/p/?" + urlencode({"code": code, "next": "//evil.example/x"}))
    assert elsewhere.status == 303 and elsewhere.location == ws(meeting)


# ---------------------------------------------------------------------- link code
def test_the_link_code_pairs_one_persons_before_and_after_and_is_never_stored_raw(
    meeting: Meeting,
) -> None:
    address = page_of(meeting, "pairs")
    alice, bob = join(meeting, "ja"), join(meeting, "en")
    alice_link = [("link_mother", "ハナコ"), ("link_birthday", "０７"), ("link_school", "あおば")]
    bob_link = [("link_mother", "Kazuko"), ("link_birthday", "21"), ("link_school", "Midori")]
    for phone, fields in ((alice, [("q_q1", "2"), *alice_link]), (bob, [("q_q1", "3"), *bob_link])):
        sent = phone.submit(phone.get(address), address, fields)
        assert sent.status == 303, sent.text
    assert len(responses(meeting, "pairs")) == 2

    with meeting.store() as store:
        store.close_survey_wave(meeting.slug, "pairs", "before")
        store.open_survey_wave(meeting.slug, "pairs", "after")
    wait_until(lambda: "q_q1" in alice.get(address).controls, deadline_s=30, what="the after wave")
    # The same person writes the same answers differently: hiragana, half-width, katakana.
    alice_again = [("link_mother", "はなこ"), ("link_birthday", "7"), ("link_school", "アオバ")]
    for phone, fields in ((alice, [("q_q1", "4"), *alice_again]), (bob, [("q_q1", "3")])):
        sent = phone.submit(phone.get(address), address, fields)
        assert sent.status == 303, sent.text

    stored = responses(meeting, "pairs")
    assert [(r.wave, r.answers) for r in stored] == [
        ("before", {"q1": 2}),
        ("before", {"q1": 3}),
        ("after", {"q1": 4}),
        ("after", {"q1": 3}),
    ]
    alice_before, bob_before, alice_after, bob_after = (r.link_key for r in stored)
    assert alice_before is not None and alice_before == alice_after
    assert bob_before is not None and bob_before != alice_before
    assert bob_after is None, "no link code given: not linked"

    # The raw link answers are nowhere in the database files (the store keeps an HMAC).
    database = Path(meeting.database)
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(FULL)")
    files = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]
    raw = b"".join(p.read_bytes() for p in files)
    for said in ("ハナコ", "はなこ", "あおば", "アオバ", "Kazuko", "Midori", "は|7|あ", "k|21|m"):
        assert said.encode("utf-8") not in raw, said
        assert said.encode("utf-16-le") not in raw, said


# ---------------------------------------------------------------------- no open wave
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_survey_without_an_open_wave_says_so_and_an_unknown_one_is_not_found(
    meeting: Meeting, lang: str
) -> None:
    phone = join(meeting, lang)
    closed = phone.get(page_of(meeting, "later"))
    assert closed.status == 200 and closed.lang == lang
    assert t("p_survey_not_open", lang, survey=title("later", lang)) in closed.text
    assert "q_q1" not in closed.controls
    csrf = phone.get(ws(meeting, "card")).csrf
    refused = phone.post(page_of(meeting, "later"), [("_csrf", csrf), ("q_q1", "4")])
    assert refused.status == 409
    assert refused.alert == t("p_survey_not_open", lang, survey=title("later", lang))
    assert refused.values["q_q1"] == ["4"], "what was typed is shown again"
    assert responses(meeting, "later") == []

    unknown = phone.get(page_of(meeting, "no-such-survey"))
    assert unknown.status == 404 and unknown.alert == t("p_survey_unknown", lang)


def test_an_english_survey_page_has_no_japanese_but_the_language_link(meeting: Meeting) -> None:
    phone = join(meeting, "en")
    pages = [phone.get(page_of(meeting, key)) for key in ("steps", "pulse", "later", "formal")]
    for page in pages:
        assert page.lang == "en"
        assert re.findall(r"[\u3040-\u30ff\u3400-\u9fff]+", page.text) == ["日本語"], page.path
