"""Indicators and measurements through the REST API (issue 18, item 2), on a real
``ureshii serve`` over HTTP on 127.0.0.1: the facilitator lists the indicators with their
status and records measurements; without the facilitator secret nothing is stored; a bad
value or date answers 400 and an unknown indicator 404, each with its Japanese and English
message. The store is checked afterwards, not the answer alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.participant.conftest import A, Meeting, start_meeting
from toolkit.i18n import t
from toolkit.server.participant.openapi import openapi_document
from toolkit.store import Store

BASELINE_ON, TARGET_ON = date(2024, 4, 1), date(2025, 4, 1)
MEASUREMENTS = "/indicators/wait/measurements"


@pytest.fixture(scope="module")
def meeting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Meeting]:
    folder: Path = tmp_path_factory.mktemp("measurements-api")
    running = start_meeting(folder, str(folder / "town.sqlite"), "measurements-api")
    try:
        with running.store() as store:
            store.add_indicator(
                running.slug,
                A,
                "窓口待ち時間",
                key="wait",
                unit="分",
                direction="decrease",
                baseline=30,
                baseline_on=BASELINE_ON,
                target=15,
                target_on=TARGET_ON,
            )
        yield running
    finally:
        running.server.stop()


def stored(meeting: Meeting) -> list[tuple[float, str, str, str]]:
    with Store.open(meeting.database) as store:
        return [
            (m.value, m.measured_on.isoformat(), m.note, m.entered_by)
            for m in store.measurements(meeting.slug, "wait")
        ]


def refusal(body: Any) -> tuple[str, str, str]:
    error = body["error"]
    return error["code"], error["message"]["ja"], error["message"]["en"]


def test_the_facilitator_records_a_measurement_and_sees_the_status(meeting: Meeting) -> None:
    before = len(stored(meeting))
    status, body = meeting.api(
        "POST",
        MEASUREMENTS,
        {"value": 22.5, "measured_on": "2024-10-01", "note": "窓口調査", "entered_by": "市民課"},
        facilitator=True,
    )
    assert status == 201, body
    assert body == {
        "indicator": "wait",
        "value": 22.5,
        "measured_on": "2024-10-01",
        "note": "窓口調査",
        "entered_by": "市民課",
    }
    after = stored(meeting)
    assert len(after) == before + 1
    assert (22.5, "2024-10-01", "窓口調査", "市民課") in after

    status, listed = meeting.api("GET", "/indicators?lang=ja", facilitator=True)
    assert status == 200, listed
    (wait,) = listed["indicators"]
    assert (wait["key"], wait["issue"], wait["name"]) == ("wait", A, "窓口待ち時間")
    # The target date (2025-04-01) has passed: the last value decides between met and missed.
    assert wait["measurements"] == len(after)
    latest = max(after, key=lambda m: m[1])
    assert wait["latest"]["measured_on"] == latest[1]
    assert wait["status"] in {"missed", "achieved"}
    assert wait["status_label"] == t(f"indicator_status_{wait['status']}", "ja")


@pytest.mark.parametrize(
    ("token", "expected"),
    [(None, 401), ("a-participant", 403), ("not-the-secret-at-all", 403)],
)
def test_without_the_facilitator_secret_nothing_is_stored(
    meeting: Meeting, token: str | None, expected: int
) -> None:
    before = stored(meeting)
    if token == "a-participant":
        token = meeting.join()
    status, body = meeting.api(
        "POST",
        MEASUREMENTS,
        {"value": 1, "measured_on": "2024-10-02", "entered_by": "誰か"},
        token=token,
    )
    assert status == expected, body
    assert refusal(body)[0] in {"api_token_required", "api_facilitator_only"}
    assert stored(meeting) == before
    status, body = meeting.api("GET", "/indicators", token=token)
    assert status == expected, body


@pytest.mark.parametrize(
    ("body", "key", "params"),
    [
        (
            {"value": "22", "measured_on": "2024-10-01", "entered_by": "市民課"},
            "indicator_value_invalid",
            {"field": "value", "value": "22"},
        ),
        (
            {"value": 22, "measured_on": "2024/10/01", "entered_by": "市民課"},
            "date_required",
            {"value": "2024/10/01"},
        ),
        (
            {"value": 22, "measured_on": "2024-02-30", "entered_by": "市民課"},
            "date_required",
            {"value": "2024-02-30"},
        ),
        (
            {"value": 22, "measured_on": "2999-01-01", "entered_by": "市民課"},
            "measurement_in_future",
            None,
        ),
        (
            {"value": 22, "measured_on": "2024-10-01"},
            "api_missing_field",
            {"field": "entered_by"},
        ),
    ],
)
def test_a_bad_value_or_date_is_a_400_in_japanese_and_english(
    meeting: Meeting, body: dict[str, Any], key: str, params: dict[str, Any] | None
) -> None:
    before = stored(meeting)
    status, answer = meeting.api("POST", MEASUREMENTS, body, facilitator=True)
    assert status == 400, answer
    code, ja, en = refusal(answer)
    assert code == key
    if params is not None:
        assert (ja, en) == (t(key, "ja", **params), t(key, "en", **params))
    else:
        assert "2999-01-01" in ja and "2999-01-01" in en and ja != en
    assert stored(meeting) == before


def test_a_date_before_the_baseline_is_a_409(meeting: Meeting) -> None:
    before = stored(meeting)
    status, answer = meeting.api(
        "POST",
        MEASUREMENTS,
        {"value": 25, "measured_on": "2024-03-31", "entered_by": "市民課"},
        facilitator=True,
    )
    assert status == 409, answer
    code, ja, en = refusal(answer)
    assert code == "measurement_before_baseline"
    assert "2024-04-01" in ja and "baseline" in en
    assert stored(meeting) == before


def test_an_unknown_indicator_or_workshop_is_a_404(meeting: Meeting) -> None:
    before = stored(meeting)
    body = {"value": 25, "measured_on": "2024-10-01", "entered_by": "市民課"}
    status, answer = meeting.api("POST", "/indicators/no-such/measurements", body, facilitator=True)
    assert status == 404, answer
    code, ja, en = refusal(answer)
    assert (code, ja, en) == (
        "not_found_indicator",
        t("not_found_indicator", "ja", key="no-such"),
        t("not_found_indicator", "en", key="no-such"),
    )
    status, answer = meeting.api(
        "POST",
        "/api/v1/workshops/no-such-workshop" + MEASUREMENTS,
        body,
        facilitator=True,
    )
    assert status == 404, answer
    assert stored(meeting) == before


def test_the_served_document_describes_both_operations(meeting: Meeting) -> None:
    status, document = meeting.api("GET", "/api/v1/openapi.json")
    assert status == 200
    assert document == openapi_document("/")
    w = "/api/v1/workshops/{slug}"
    listing = document["paths"][f"{w}/indicators"]["get"]
    posting = document["paths"][f"{w}/indicators/{{key}}/measurements"]["post"]
    assert listing["security"] == posting["security"] == [{"facilitator": []}]
    assert {"201", "400", "401", "403", "404", "409"} <= set(posting["responses"])
