"""Answering surveys through the REST API (issue 19, item 2) against a real server and store.

``GET /api/v1/workshops/<slug>/surveys`` lists the surveys with their open wave and
definition; ``POST …/surveys/<key>/responses`` stores one person's answers to the open wave.
A refused request answers 4xx with a ja/en message and stores nothing (counted in the
store after each request); the same checks run on PostgreSQL at the end.
"""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.participant.conftest import Meeting
from toolkit.model import SurveyResponse

LIKERT = {
    "id": "q1",
    "kind": "likert",
    "required": True,
    "text": {"ja": "デジタル化に前向きだ", "en": "I am positive about going digital"},
}
CHOICE = {
    "id": "tools",
    "kind": "multiple",
    "max_choices": 2,
    "text": "Tools",
    "options": [
        {"id": "x", "text": "Chat"},
        {"id": "y", "text": "Forms"},
        {"id": "z", "text": "Sheets"},
    ],
}
HOURS = {"id": "hours", "kind": "number", "min": 0, "max": 60, "text": "Hours", "unit": "h"}
SURVEYS: dict[str, dict[str, Any]] = {
    "api-pulse": {
        "id": "api-pulse",
        "title": {"ja": "職員アンケート", "en": "Staff pulse"},
        "layout": "one_per_screen",
        "link_code": True,
        "questions": [LIKERT, CHOICE, HOURS],
    },
    "api-formal": {
        "id": "api-formal",
        "title": "Formal survey",
        "identity": "codes",
        "questions": [LIKERT],
    },
    "api-later": {"id": "api-later", "title": "Later", "questions": [LIKERT]},
}


def define(meeting: Meeting) -> None:
    with meeting.store() as store:
        for key, definition in SURVEYS.items():
            store.define_survey(meeting.slug, definition)
            if key != "api-later":
                store.open_survey_wave(meeting.slug, key, "before")


@pytest.fixture(scope="module", autouse=True)
def surveys(meeting: Meeting) -> None:
    define(meeting)


def error_of(reply: Any) -> str:
    """The error code, after checking the message is there in both languages."""
    message = reply["error"]["message"]
    assert message["ja"] and message["en"] and message["ja"] != message["en"]
    code: str = reply["error"]["code"]
    return code


def responses(meeting: Meeting, key: str) -> list[SurveyResponse]:
    with meeting.store() as store:
        return store.survey_responses(meeting.slug, key)


def answer(meeting: Meeting, key: str, body: Any, token: str | None) -> tuple[int, Any]:
    return meeting.api("POST", f"/surveys/{key}/responses", body, token=token)


def test_the_openapi_document_describes_the_survey_endpoints(meeting: Meeting) -> None:
    status, document = meeting.api("GET", "/api/v1/openapi.json")
    assert status == 200
    validate(document)
    paths = document["paths"]
    assert set(paths["/api/v1/workshops/{slug}/surveys"]) == {"get"}
    operation = paths["/api/v1/workshops/{slug}/surveys/{key}/responses"]["post"]
    assert operation["security"] == [{"participant": []}]
    assert {"201", "401", "403", "404", "409", "422"} <= set(operation["responses"])


def test_the_surveys_are_listed_with_their_open_wave_and_definition(meeting: Meeting) -> None:
    status, listed = meeting.api("GET", "/surveys?lang=ja")
    assert status == 200
    by_key = {s["key"]: s for s in listed["surveys"]}
    assert set(by_key) == set(SURVEYS)
    pulse = by_key["api-pulse"]
    assert pulse["title"] == "職員アンケート"
    assert pulse["open_wave"] == {"key": "before", "title": "事前"}
    assert (pulse["identity"], pulse["layout"], pulse["link_code"]) == (
        "device",
        "one_per_screen",
        True,
    )
    assert [q["id"] for q in pulse["definition"]["questions"]] == ["q1", "tools", "hours"]
    assert pulse["definition"]["questions"][2]["max"] == 60
    assert [q["key"] for q in pulse["link_questions"]] == ["mother", "birthday", "school"]
    assert pulse["link_questions"][1]["text"] == "あなたの誕生日の「日」（1〜31）"
    assert by_key["api-later"]["open_wave"] is None
    assert by_key["api-formal"]["identity"] == "codes"
    assert by_key["api-formal"]["link_questions"] == []

    status, english = meeting.api("GET", "/surveys?lang=en")
    assert status == 200
    assert {s["key"]: s["title"] for s in english["surveys"]}["api-pulse"] == "Staff pulse"
    status, refused = meeting.api("GET", "/surveys?lang=fr")
    assert (status, error_of(refused)) == (400, "api_bad_field")
    status, refused = meeting.api("GET", "/api/v1/workshops/no-such-workshop/surveys")
    assert (status, error_of(refused)) == (404, "not_found_workshop")


# body, status, error code
REFUSALS: list[tuple[str, Any, int, str]] = [
    ("answers missing", {}, 422, "api_missing_field"),
    ("answers a list", {"answers": [4]}, 422, "api_bad_field"),
    ("link a string", {"answers": {"q1": 4}, "link": "は|7|あ"}, 422, "api_bad_field"),
    ("required missing", {"answers": {"tools": ["x"]}}, 422, "survey_answer_required"),
    ("off the scale", {"answers": {"q1": 6}}, 422, "survey_answer_scale"),
    ("too many", {"answers": {"q1": 4, "tools": ["x", "y", "z"]}}, 422, "survey_answer_too_many"),
    ("out of range", {"answers": {"q1": 4, "hours": 61}}, 422, "survey_answer_range"),
    ("not a number", {"answers": {"q1": 4, "hours": "lots"}}, 422, "survey_answer_number"),
    ("a huge number", {"answers": {"q1": 4, "hours": 10**400}}, 422, "api_bad_field"),
    ("unknown question", {"answers": {"q1": 4, "q9": 1}}, 422, "survey_unknown_question"),
    ("half a link", {"answers": {"q1": 4}, "link": {"mother": "は"}}, 422, "survey_link_day"),
]


@pytest.mark.parametrize(
    ("body", "status", "code"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_a_refused_answer_says_why_and_stores_nothing(
    meeting: Meeting, body: Any, status: int, code: str
) -> None:
    before = len(responses(meeting, "api-pulse"))
    got, refused = answer(meeting, "api-pulse", body, meeting.join())
    assert (got, error_of(refused)) == (status, code)
    assert len(responses(meeting, "api-pulse")) == before


def test_one_answer_per_person_and_round_with_the_link_code(meeting: Meeting) -> None:
    before = len(responses(meeting, "api-pulse"))
    token = meeting.join()
    status, refused = answer(meeting, "api-pulse", {"answers": {"q1": 4}}, None)
    assert (status, error_of(refused)) == (401, "api_token_required")
    status, refused = answer(meeting, "no-such-survey", {"answers": {"q1": 4}}, token)
    assert (status, error_of(refused)) == (404, "not_found_survey")

    body = {
        "answers": {"q1": "4", "tools": ["z", "x"], "hours": 7.5},
        "link": {"mother": "ハナコ", "birthday": 7, "school": "あおば"},
    }
    status, stored = answer(meeting, "api-pulse", body, token)
    assert status == 201, stored
    assert stored["answers"] == {"q1": 4, "tools": ["x", "z"], "hours": 7.5}
    assert (stored["survey"], stored["wave"], stored["channel"], stored["linked"]) == (
        "api-pulse",
        "before",
        "device",
        True,
    )
    assert "link_key" not in stored
    assert len(responses(meeting, "api-pulse")) == before + 1

    status, refused = answer(meeting, "api-pulse", body, token)
    assert (status, error_of(refused)) == (409, "survey_already_answered")
    assert len(responses(meeting, "api-pulse")) == before + 1

    # Another person with the same link answers, written differently: the same link key.
    status, _ = answer(
        meeting,
        "api-pulse",
        {
            "answers": {"q1": 2},
            "link": {"mother": "はなこ", "birthday": "０７", "school": "アオバ"},
        },
        meeting.join(),
    )
    assert status == 201
    first, second = responses(meeting, "api-pulse")[-2:]
    assert first.link_key is not None and first.link_key == second.link_key


def test_a_codes_only_survey_takes_printed_codes_not_phones(meeting: Meeting) -> None:
    status, refused = answer(meeting, "api-formal", {"answers": {"q1": 3}}, meeting.join())
    assert (status, error_of(refused)) == (403, "survey_codes_only")
    assert responses(meeting, "api-formal") == []

    status, issued = meeting.api("POST", "/codes", {"count": 1}, facilitator=True)
    assert status == 201
    [code] = issued["codes"]
    status, stored = answer(meeting, "api-formal", {"answers": {"q1": 3}}, code.lower())
    assert status == 201 and stored["channel"] == "code"
    assert [(r.channel, r.answers) for r in responses(meeting, "api-formal")] == [
        ("code", {"q1": 3})
    ]


def test_a_survey_without_an_open_wave_takes_no_answer(meeting: Meeting) -> None:
    status, refused = answer(meeting, "api-later", {"answers": {"q1": 3}}, meeting.join())
    assert (status, error_of(refused)) == (409, "survey_not_open")
    assert responses(meeting, "api-later") == []


def test_answers_on_postgresql_are_once_per_person_too(pg_meeting: Meeting) -> None:
    define(pg_meeting)
    token = pg_meeting.join()
    body = {
        "answers": {"q1": 5, "tools": ["y"]},
        "link": {"mother": "A", "birthday": "1", "school": "B"},
    }
    status, stored = answer(pg_meeting, "api-pulse", body, token)
    assert status == 201, stored
    status, refused = answer(pg_meeting, "api-pulse", body, token)
    assert (status, error_of(refused)) == (409, "survey_already_answered")
    [response] = responses(pg_meeting, "api-pulse")
    assert response.answers == {"q1": 5, "tools": ["y"]} and response.link_key is not None
