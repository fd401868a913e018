"""A room answering a survey at once: many phones, double taps, paper typed in meanwhile.

A real server on a real SQLite file; phones are threads speaking HTTP to the REST API, all
released at the same moment. Each phone sends its answers twice (a double tap, or a reload
that posts again). Meanwhile staff type in paper questionnaires through the store. Counted in
the store afterwards: one answer per phone, every paper sheet, each answer as it was sent,
before and after linked for the people who gave the link code.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.participant.conftest import Meeting
from toolkit.summary import summarize

PHONES = 24
PAPER = 8
SURVEY = {
    "id": "room",
    "title": {"ja": "職員アンケート", "en": "Staff survey"},
    "link_code": True,
    "questions": [
        {
            "id": "dept",
            "kind": "single",
            "segment": True,
            "text": "所属",
            "options": [{"id": "a", "text": "市民課"}, {"id": "b", "text": "税務課"}],
        },
        {"id": "positive", "kind": "likert", "required": True, "text": "前向きだ"},
    ],
}


def answers(n: int) -> dict[str, Any]:
    return {"dept": "ab"[n % 2], "positive": n % 5 + 1}


def link(n: int) -> dict[str, str]:
    return {
        "mother": "あいうえおかきくけこさしすせそたちつてとなにぬねのは"[n],
        "birthday": str(n % 28 + 1),
        "school": "に",
    }


def crowd(meeting: Meeting, tokens: list[str]) -> list[list[int]]:
    """Every phone posts its answers twice, all phones released together."""
    start = threading.Barrier(len(tokens))

    def phone(n: int) -> list[int]:
        start.wait()
        statuses = []
        for _ in range(2):
            status, _body = meeting.api(
                "POST",
                "/surveys/room/responses",
                {"answers": answers(n), "link": link(n)},
                token=tokens[n],
            )
            statuses.append(status)
        return statuses

    with ThreadPoolExecutor(len(tokens)) as pool:
        return list(pool.map(phone, range(len(tokens))))


def test_a_room_answers_before_and_after_and_every_count_is_right(meeting: Meeting) -> None:
    with meeting.store() as store:
        store.define_survey(meeting.slug, SURVEY)
        store.open_survey_wave(meeting.slug, "room", "before")
        joined_before = store.counts(meeting.slug)["participants"]
    tokens = [meeting.join() for _ in range(PHONES)]

    paper_done: list[Any] = []

    def staff_typing() -> None:  # at the same time as the phones
        with meeting.store() as store:
            for _ in range(PAPER):
                paper_done.append(
                    store.enter_paper_survey(meeting.slug, "room", {"positive": 3}, wave="before")
                )

    typist = threading.Thread(target=staff_typing)
    typist.start()
    statuses = crowd(meeting, tokens)
    typist.join()

    # Each phone: its first post stored (201), its second refused as already answered (409).
    assert Counter(tuple(s) for s in statuses) == {(201, 409): PHONES}
    with meeting.store() as store:
        before = store.survey_responses(meeting.slug, "room", wave="before")
        assert Counter(r.channel for r in before) == {"device": PHONES, "paper": PAPER}
        phones = sorted(
            (r.answers["dept"], r.answers["positive"]) for r in before if r.channel == "device"
        )
        assert phones == sorted((answers(n)["dept"], answers(n)["positive"]) for n in range(PHONES))
        assert len({r.link_key for r in before if r.link_key}) == PHONES  # each person their own
        store.close_survey_wave(meeting.slug, "room", "before")
        store.open_survey_wave(meeting.slug, "room", "after")

    # The same people on the next wave, from new phones: linked by the code they remember.
    later = [meeting.join() for _ in range(PHONES)]
    assert Counter(tuple(s) for s in crowd(meeting, later)) == {(201, 409): PHONES}
    with meeting.store() as store:
        after = store.survey_responses(meeting.slug, "room", wave="after")
        assert len(after) == PHONES
        pairs = {r.link_key for r in before if r.link_key} & {r.link_key for r in after}
        assert len(pairs) == PHONES
        assert store.survey_response_counts(meeting.slug)["room"] == {
            "before": PHONES + PAPER,
            "after": PHONES,
        }
        participants = store.counts(meeting.slug)["participants"]
    # One participant per phone and per paper sheet, none made by the refused second posts.
    assert participants - joined_before == 2 * PHONES + PAPER
    # The results pair before and after over every linked person.
    with meeting.store() as store:
        [result] = summarize(store, meeting.slug)["surveys"]
    positive = next(q for q in result["questions"] if q["key"] == "positive")
    assert positive["comparison"]["paired"]["pairs"] == PHONES
    assert positive["waves"]["before"]["answered"] == PHONES + PAPER
