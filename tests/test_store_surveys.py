"""Surveys in the store (toolkit/store/surveys.py) on a real SQLite file and a real
PostgreSQL server (each test runs on both).

As in tests/test_store.py, each rule is tried through the API (a message a person can act
on) and, where the database holds it, with raw SQL that bypasses the API.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.workshop_data import small_workshop
from toolkit.errors import AlreadyAnsweredError, InvalidInputError, NotFoundError
from toolkit.store import Store, normalize_code

SLUG = "tsuru-dx"
DEPARTMENTS = [{"id": "shimin", "text": "市民課"}, {"id": "zeimu", "text": "税務課"}]


def pulse(**changes: Any) -> dict[str, Any]:
    """A small staff survey: a segment, a required Likert, a multiple choice, a number."""
    survey: dict[str, Any] = {
        "id": "pulse",
        "title": {"ja": "職員アンケート", "en": "Staff pulse"},
        "link_code": True,
        "questions": [
            {
                "id": "dept",
                "kind": "single",
                "segment": True,
                "text": "所属",
                "options": DEPARTMENTS,
            },
            {"id": "positive", "kind": "likert", "text": "前向きだ", "required": True},
            {
                "id": "tasks",
                "kind": "multiple",
                "text": "先にデジタル化したい業務",
                "max_choices": 2,
                "options": [
                    {"id": "shinsei", "text": "申請"},
                    {"id": "kessai", "text": "決裁"},
                    {"id": "kaigi", "text": "会議"},
                ],
            },
            {"id": "hours", "kind": "number", "text": "紙の作業（時間/週）", "min": 0, "max": 60},
            {"id": "comment", "kind": "text", "text": "ひとこと"},
        ],
    }
    survey.update(changes)
    return survey


LINK = {"mother": "はなこ", "birthday": "7", "school": "あおば"}


@pytest.fixture
def ws(empty_store: Store) -> Store:
    empty_store.create_workshop(small_workshop(SLUG))
    empty_store.define_survey(SLUG, pulse())
    return empty_store


def raw(store: Store, sql: str, **params: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def count(store: Store, sql: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


# ---------------------------------------------------------------- definitions and waves
def test_a_new_survey_has_its_waves_as_drafts(ws: Store) -> None:
    survey = ws.survey(SLUG, "pulse")
    assert survey.version == 1
    assert [(w.key, w.status) for w in survey.waves] == [("before", "draft"), ("after", "draft")]
    assert survey.open_wave is None
    assert [q.id for q in survey.definition.questions] == [
        "dept",
        "positive",
        "tasks",
        "hours",
        "comment",
    ]


def test_redefining_before_any_answer_is_a_new_version_that_keeps_wave_states(ws: Store) -> None:
    ws.open_survey_wave(SLUG, "pulse", "before")
    changed = pulse(waves=[{"id": "before", "title": "前"}, {"id": "mid", "title": "中間"}])
    survey = ws.define_survey(SLUG, changed)
    assert survey.version == 2
    assert [(w.key, w.status) for w in survey.waves] == [("before", "open"), ("mid", "draft")]


def test_questions_cannot_change_once_someone_answered(ws: Store) -> None:
    ws.open_survey_wave(SLUG, "pulse", "before")
    ws.submit_survey(SLUG, "pulse", {"positive": 4}, token=ws.join(SLUG))
    with pytest.raises(InvalidInputError, match="already has answers"):
        ws.define_survey(SLUG, pulse(title="別の調査"))
    assert ws.survey(SLUG, "pulse").version == 1


def test_a_bad_definition_names_where_it_is_wrong(ws: Store) -> None:
    with pytest.raises(InvalidInputError, match=r"questions\.0\.kind"):
        ws.define_survey(
            SLUG,
            {"id": "x", "title": "x", "questions": [{"id": "q", "kind": "essay", "text": "?"}]},
        )


def test_a_question_may_measure_only_an_issue_of_the_workshop(ws: Store) -> None:
    gauge = {"id": "now", "kind": "likert", "text": "窓口は今どうか", "issue": "madoguchi-konzatsu"}
    ws.define_survey(SLUG, pulse(id="gauge", questions=[gauge]))
    with pytest.raises(InvalidInputError, match="no such issue"):
        ws.define_survey(SLUG, pulse(id="typo", questions=[{**gauge, "issue": "madoguchi"}]))
    assert [s.key for s in ws.surveys(SLUG)] == ["pulse", "gauge"]


def test_one_wave_is_open_at_a_time(ws: Store) -> None:
    ws.open_survey_wave(SLUG, "pulse", "before")
    with pytest.raises(InvalidInputError, match="still open"):
        ws.open_survey_wave(SLUG, "pulse", "after")
    ws.close_survey_wave(SLUG, "pulse", "before")
    survey = ws.open_survey_wave(SLUG, "pulse", "after")
    assert survey.open_wave == "after"
    assert survey.wave("before").status == "closed"
    assert survey.wave("before").closed_at is not None
    with pytest.raises(NotFoundError):
        ws.open_survey_wave(SLUG, "pulse", "never")


# ---------------------------------------------------------------- answers
def test_answers_are_cleaned_to_their_stored_form(ws: Store) -> None:
    ws.open_survey_wave(SLUG, "pulse", "before")
    answer = {
        "dept": "zeimu",
        "positive": "４",  # a full-width digit typed on a phone
        "tasks": ["kaigi", "shinsei"],
        "hours": "2.5",
        "comment": "  紙が多い  ",
    }
    stored = ws.submit_survey(SLUG, "pulse", answer, token=ws.join(SLUG))
    assert stored.answers == {
        "dept": "zeimu",
        "positive": 4,
        "tasks": ["shinsei", "kaigi"],  # the definition's order
        "hours": 2.5,
        "comment": "紙が多い",
    }
    [again] = ws.survey_responses(SLUG, "pulse")
    assert again.answers == stored.answers
    assert (again.wave, again.channel, again.link_key) == ("before", "device", None)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"dept": "shimin"}, "positive needs an answer"),
        ({"positive": 6}, "from 1 to 5"),
        ({"positive": 4, "dept": "somu"}, "not one of its options"),
        ({"positive": 4, "tasks": ["shinsei", "kessai", "kaigi"]}, "at most 2"),
        ({"positive": 4, "hours": 61}, "outside the allowed range"),
        ({"positive": 4, "hours": "たくさん"}, "must be a number"),
        ({"positive": 4, "hours": 10**400}, "must be a number"),
        ({"positive": 4, "mood": "good"}, "no question mood"),
        ({"positive": 4, "comment": "あ" * 2001}, "at most 2000 characters"),
    ],
)
def test_refused_answers_store_nothing(ws: Store, answers: dict[str, Any], message: str) -> None:
    ws.open_survey_wave(SLUG, "pulse", "before")
    with pytest.raises(InvalidInputError, match=message):
        ws.submit_survey(SLUG, "pulse", answers, token=ws.join(SLUG))
    assert ws.survey_responses(SLUG, "pulse") == []


def test_only_an_open_wave_takes_answers_from_phones(ws: Store) -> None:
    token = ws.join(SLUG)
    with pytest.raises(InvalidInputError, match="not open"):
        ws.submit_survey(SLUG, "pulse", {"positive": 3}, token=token)
    ws.open_survey_wave(SLUG, "pulse", "before")
    ws.close_survey_wave(SLUG, "pulse", "before")
    with pytest.raises(InvalidInputError, match="not open"):
        ws.submit_survey(SLUG, "pulse", {"positive": 3}, token=token, wave="before")
    # Paper collected in the room is typed in after the wave closed, never into a draft.
    ws.enter_paper_survey(SLUG, "pulse", {"positive": 3}, wave="before")
    with pytest.raises(InvalidInputError, match="not open"):
        ws.enter_paper_survey(SLUG, "pulse", {"positive": 3}, wave="after")
    assert [(r.wave, r.channel) for r in ws.survey_responses(SLUG, "pulse")] == [
        ("before", "paper")
    ]


def test_one_answer_per_person_and_wave(ws: Store) -> None:
    token = ws.join(SLUG)
    ws.open_survey_wave(SLUG, "pulse", "before")
    ws.submit_survey(SLUG, "pulse", {"positive": 2}, token=token)
    with pytest.raises(AlreadyAnsweredError, match="already answered"):
        ws.submit_survey(SLUG, "pulse", {"positive": 5}, token=token)
    ws.close_survey_wave(SLUG, "pulse", "before")
    ws.open_survey_wave(SLUG, "pulse", "after")
    ws.submit_survey(SLUG, "pulse", {"positive": 4}, token=token)  # the next wave is new
    assert ws.survey_answered_waves(SLUG, "pulse", token) == {"before", "after"}
    assert [r.answers["positive"] for r in ws.survey_responses(SLUG, "pulse")] == [2, 4]
    assert ws.survey_response_counts(SLUG) == {"pulse": {"before": 1, "after": 1}}


def test_the_database_refuses_a_second_answer_and_any_edit(ws: Store) -> None:
    ws.open_survey_wave(SLUG, "pulse", "before")
    ws.submit_survey(SLUG, "pulse", {"positive": 2}, token=ws.join(SLUG))
    copy = (
        "INSERT INTO survey_responses (wave_id, participant_id, answers, channel, created_at) "
        "SELECT wave_id, participant_id, answers, channel, created_at FROM survey_responses"
    )
    with pytest.raises(IntegrityError):
        raw(ws, copy)
    for sql in ("UPDATE survey_responses SET channel = 'paper'", "DELETE FROM survey_responses"):
        with pytest.raises(IntegrityError, match="append_only"):
            raw(ws, sql)
    assert count(ws, "SELECT COUNT(*) FROM survey_responses") == 1


def test_printed_codes_only_when_the_survey_says_so(ws: Store) -> None:
    ws.define_survey(SLUG, pulse(id="sealed", identity="codes"))
    ws.open_survey_wave(SLUG, "sealed", "before")
    with pytest.raises(InvalidInputError, match="printed code"):
        ws.submit_survey(SLUG, "sealed", {"positive": 3}, token=ws.join(SLUG))
    first, second = ws.issue_codes(SLUG, 2)
    ws.submit_survey(SLUG, "sealed", {"positive": 3}, token=normalize_code(first))
    # A code used on paper cannot answer the same wave again from a phone.
    ws.enter_paper_survey(SLUG, "sealed", {"positive": 5}, wave="before", code=second)
    with pytest.raises(AlreadyAnsweredError):
        ws.submit_survey(SLUG, "sealed", {"positive": 1}, token=normalize_code(second))
    assert sorted(r.channel for r in ws.survey_responses(SLUG, "sealed")) == ["code", "paper"]


def test_answered_events_say_that_not_what(ws: Store) -> None:
    ws.open_survey_wave(SLUG, "pulse", "before")
    ws.submit_survey(SLUG, "pulse", {"positive": 5, "comment": "ひみつの意見"}, token=ws.join(SLUG))
    events = [e for e in ws.changes(SLUG) if e.kind == "survey_answered"]
    assert [e.payload for e in events] == [{"survey": "pulse", "wave": "before"}]


# ---------------------------------------------------------------- the link code
def test_the_link_code_pairs_a_person_across_waves_without_storing_the_answers(
    ws: Store, database_url: str
) -> None:
    ws.open_survey_wave(SLUG, "pulse", "before")
    before = ws.submit_survey(SLUG, "pulse", {"positive": 2}, token=ws.join(SLUG), link=LINK)
    other = ws.submit_survey(
        SLUG,
        "pulse",
        {"positive": 2},
        token=ws.join(SLUG),
        link={"mother": "はなこ", "birthday": "8", "school": "あおば"},
    )
    ws.close_survey_wave(SLUG, "pulse", "before")
    ws.open_survey_wave(SLUG, "pulse", "after")
    # The same person on another phone, typing in katakana and a full-width day.
    after = ws.submit_survey(
        SLUG,
        "pulse",
        {"positive": 4},
        token=ws.join(SLUG),
        link={"mother": "ハナエ", "birthday": "０７", "school": "アサヒ"},
    )
    assert before.link_key and before.link_key == after.link_key
    assert other.link_key != before.link_key
    # Another survey has its own salt: the same answers there do not give the same key.
    ws.define_survey(SLUG, pulse(id="again"))
    ws.open_survey_wave(SLUG, "again", "before")
    elsewhere = ws.submit_survey(SLUG, "again", {"positive": 1}, token=ws.join(SLUG), link=LINK)
    assert elsewhere.link_key != before.link_key
    with ws.engine.connect() as conn:
        stored = " ".join(
            str(row) for row in conn.execute(text("SELECT * FROM survey_responses"))
        ) + " ".join(str(row) for row in conn.execute(text("SELECT payload FROM events")))
    for given in ("はなこ", "ハナエ", "あおば", "は|7|あ"):
        assert given not in stored
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        ws.close()
        raw_bytes = path.read_bytes() + path.with_name(path.name + "-wal").read_bytes() * (
            path.with_name(path.name + "-wal").exists()
        )
        assert "は|7|あ".encode() not in raw_bytes


def test_a_survey_without_link_questions_ignores_link_answers(ws: Store) -> None:
    ws.define_survey(SLUG, pulse(id="plain", link_code=False))
    ws.open_survey_wave(SLUG, "plain", "before")
    answered = ws.submit_survey(SLUG, "plain", {"positive": 1}, token=ws.join(SLUG), link=LINK)
    assert answered.link_key is None


def test_a_link_code_with_a_missing_answer_is_refused(ws: Store) -> None:
    ws.open_survey_wave(SLUG, "pulse", "before")
    with pytest.raises(InvalidInputError, match="1 to 31"):
        ws.submit_survey(
            SLUG,
            "pulse",
            {"positive": 1},
            token=ws.join(SLUG),
            link={"mother": "は", "school": "あ"},
        )
    assert ws.survey_responses(SLUG, "pulse") == []


# ---------------------------------------------------------------- from the workshop file
def test_the_workshop_file_defines_surveys_and_survey_measured_indicators(
    empty_store: Store,
) -> None:
    spec = small_workshop(SLUG)
    spec["surveys"] = [pulse()]
    spec["issues"][0]["indicators"] = [
        {
            "id": "positive-staff",
            "name": "デジタル化に前向きな職員（平均）",
            "direction": "increase",
            "baseline": 2.8,
            "baseline_on": "2026-04-01",
            "target": 3.5,
            "target_on": "2027-03-31",
            "survey": {"survey": "pulse", "question": "positive"},
        }
    ]
    empty_store.create_workshop(spec)
    assert [s.key for s in empty_store.surveys(SLUG)] == ["pulse"]
    assert empty_store.survey_indicators(SLUG) == {"positive-staff": ("pulse", "positive")}
    empty_store.open_survey_wave(SLUG, "pulse", "before")
    for value in (2, 3, 5):
        empty_store.submit_survey(SLUG, "pulse", {"positive": value}, token=empty_store.join(SLUG))
    mean = empty_store.record_survey_measurement(
        SLUG, "positive-staff", "before", measured_on=date(2026, 5, 1), entered_by="人事課"
    )
    assert mean == pytest.approx(10 / 3)
    [measured] = empty_store.measurements(SLUG, "positive-staff")
    assert measured.value == pytest.approx(10 / 3)
    assert "n=3" in measured.note


def test_only_likert_or_number_questions_measure_an_indicator(ws: Store) -> None:
    ws.add_indicator(
        SLUG,
        "madoguchi-konzatsu",
        "満足度",
        key="satisfaction",
        direction="increase",
        baseline=2,
        baseline_on=date(2026, 4, 1),
        target=4,
        target_on=date(2027, 4, 1),
    )
    with pytest.raises(InvalidInputError, match="Likert or a number"):
        ws.link_indicator_to_survey(SLUG, "satisfaction", "pulse", "comment")
    with pytest.raises(InvalidInputError, match="not measured by a survey"):
        ws.record_survey_measurement(
            SLUG, "satisfaction", "before", measured_on=date(2026, 5, 1), entered_by="x"
        )
    ws.link_indicator_to_survey(SLUG, "satisfaction", "pulse", "hours")
    with pytest.raises(InvalidInputError, match="Nobody answered"):
        ws.record_survey_measurement(
            SLUG, "satisfaction", "before", measured_on=date(2026, 5, 1), entered_by="x"
        )
