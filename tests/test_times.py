"""Times as people read them (toolkit/times.py): the workshop's zone, named, with its offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from toolkit.errors import InvalidInputError
from toolkit.times import (
    ENV_TIME_ZONE,
    format_time,
    time_zone,
    utc_offset,
    workshop_time_zone,
)

# 05:05 UTC is 14:05 in Tokyo: what a UTC server used to show as if it were local time.
STORED = datetime(2026, 3, 1, 5, 5, 30)


@pytest.mark.parametrize(
    ("lang", "options", "expected"),
    [
        ("en", {}, "2026-03-01 14:05 (JST, UTC+9)"),
        ("ja", {}, "2026-03-01 14:05（JST、UTC+9）"),
        ("ja", {"date": False}, "14:05（JST、UTC+9）"),
        ("en", {"date": False, "seconds": True}, "14:05:30 (JST, UTC+9)"),
    ],
    ids=["en", "ja", "ja-time-only", "en-seconds"],
)
def test_a_stored_utc_time_is_shown_in_tokyo_with_its_offset(
    lang: str, options: dict[str, bool], expected: str
) -> None:
    assert format_time(STORED, lang, zone=time_zone("Asia/Tokyo"), **options) == expected


def test_naive_aware_and_iso_text_give_the_same_time() -> None:
    tokyo = time_zone("Asia/Tokyo")
    aware = STORED.replace(tzinfo=UTC)
    shown = {
        format_time(STORED, "en", zone=tokyo),  # SQLite: naive, UTC
        format_time(aware.astimezone(timezone(timedelta(hours=-5))), "en", zone=tokyo),
        format_time(aware.isoformat(), "en", zone=tokyo),  # the summary's ISO text
    }
    assert shown == {"2026-03-01 14:05 (JST, UTC+9)"}
    assert format_time(None, "en") == ""


def test_a_zone_without_a_letter_name_is_named_by_its_offset() -> None:
    assert format_time(STORED, "en", zone=UTC) == "2026-03-01 05:05 (UTC+0)"
    assert format_time(STORED, "en", zone=time_zone("Asia/Kolkata")) == (
        "2026-03-01 10:35 (IST, UTC+5:30)"
    )
    assert utc_offset(datetime(2026, 7, 1, tzinfo=time_zone("America/New_York"))) == "UTC-4"


def test_the_workshop_zone_is_the_file_else_the_setting_else_tokyo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV_TIME_ZONE, raising=False)
    # Without a file zone or a setting, every workshop (ja or en) is in Tokyo.
    assert format_time(STORED, "en", zone=workshop_time_zone()) == "2026-03-01 14:05 (JST, UTC+9)"
    assert format_time(STORED, "ja") == "2026-03-01 14:05（JST、UTC+9）"
    monkeypatch.setenv(ENV_TIME_ZONE, "Europe/Berlin")
    assert format_time(STORED, "en", zone=workshop_time_zone()) == ("2026-03-01 06:05 (CET, UTC+1)")
    # The workshop file's own zone wins over the machine's setting.
    assert format_time(STORED, "en", zone=workshop_time_zone("America/New_York")) == (
        "2026-03-01 00:05 (EST, UTC-5)"
    )
    assert format_time(STORED, "en", zone=workshop_time_zone("")) == (
        "2026-03-01 06:05 (CET, UTC+1)"
    )


def test_an_unknown_zone_setting_says_what_to_write(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_TIME_ZONE, "Tokyo")
    with pytest.raises(
        InvalidInputError, match=r"The time zone 'Tokyo' .*URESHII_TIME_ZONE.*Asia/Tokyo"
    ):
        workshop_time_zone()
    with pytest.raises(InvalidInputError, match=r"'Tokio' .*time_zone"):
        workshop_time_zone("Tokio")
