"""Indicator status (toolkit/indicators.py), on examples worked by hand.

The rules (module docstring): no measurement → no_data; the latest measurement reaches the
target → achieved; else past the target date → missed; else progress (share of the way from
baseline to target) against the straight-line expectation on the measurement's day, minus a
tolerance of one tenth → on_track, otherwise at_risk.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.errors import InvalidInputError
from toolkit.indicators import (
    STATUSES,
    Indicator,
    Measurement,
    assess,
    check_measurement,
    latest_measurement,
    status_name,
)

# 窓口待ち時間: 30 minutes on 2026-04-01, down to 15 minutes by 2027-04-01 (365 days later).
WAIT = Indicator(
    "窓口待ち時間", "分", "decrease", 30, date(2026, 4, 1), 15, date(2027, 4, 1), "市民課 調べ"
)
# 2026-10-01 is 183 days in: expected = 183/365 = 0.50137; on track needs progress ≥ 0.40137,
# i.e. (30 − v) / 15 ≥ 0.40137 → v ≤ 23.9795 minutes.
HALF_WAY = date(2026, 10, 1)

# An increase over exactly ten days, so the boundary is exact: on day 5, expected = 1/2 and
# on track needs progress ≥ 1/2 − 1/10 = 2/5, i.e. a value of 40 or more.
TEN_DAYS = Indicator(
    "電子申請の件数", "件", "increase", 0, date(2026, 4, 1), 100, date(2026, 4, 11)
)


def m(day: date, value: float, note: str = "") -> Measurement:
    return Measurement(value, day, note, "市民課")


@pytest.mark.parametrize(
    ("value", "status", "progress"),
    [
        (15, "achieved", 1.0),
        (12, "achieved", 1.2),  # beyond the target counts as reached
        (20, "on_track", 10 / 15),
        (23.97, "on_track", 6.03 / 15),
        (23.98, "at_risk", 6.02 / 15),
        (24, "at_risk", 0.4),
        (30, "at_risk", 0.0),
        (33, "at_risk", -0.2),  # worse than the baseline
    ],
    ids=str,
)
def test_a_decrease_indicator_half_way(value: float, status: str, progress: float) -> None:
    result = assess(WAIT, [m(HALF_WAY, value)], as_of=HALF_WAY)
    assert result.status == status
    assert result.progress == pytest.approx(progress)
    assert result.expected == pytest.approx(183 / 365)
    assert result.latest == m(HALF_WAY, value)


@pytest.mark.parametrize(
    ("value", "status"),
    [(40, "on_track"), (39.99, "at_risk"), (100, "achieved"), (99.99, "on_track")],
    ids=str,
)
def test_the_tolerance_boundary_is_exact_and_inclusive(value: float, status: str) -> None:
    assert assess(TEN_DAYS, [m(date(2026, 4, 6), value)], as_of=date(2026, 4, 6)).status == status


def test_no_measurement_is_no_data_even_after_the_target_date() -> None:
    for as_of in (date(2026, 4, 1), date(2030, 1, 1)):
        result = assess(WAIT, [], as_of=as_of)
        assert (result.status, result.latest, result.progress, result.expected) == (
            "no_data",
            None,
            None,
            None,
        )


def test_the_baseline_measured_again_on_its_own_day_is_on_track() -> None:
    assert assess(WAIT, [m(date(2026, 4, 1), 30)], as_of=date(2026, 4, 1)).status == "on_track"
    # …but worse than the baseline by more than a tenth of the way is at risk from day one.
    assert assess(WAIT, [m(date(2026, 4, 1), 32)], as_of=date(2026, 4, 1)).status == "at_risk"


def test_a_target_date_in_the_past() -> None:
    after = date(2027, 4, 2)
    assert assess(WAIT, [m(date(2027, 3, 1), 18)], as_of=after).status == "missed"
    # On the target date itself it is not missed yet, but judged on the line: 2027-03-01 is
    # 334 days in, expected 334/365 = 0.9151, so on track needs 0.8151: 18 minutes (0.8) is
    # at risk, 17.5 minutes (0.8333) on track.
    assert assess(WAIT, [m(date(2027, 3, 1), 18)], as_of=date(2027, 4, 1)).status == "at_risk"
    assert assess(WAIT, [m(date(2027, 3, 1), 17.5)], as_of=date(2027, 4, 1)).status == "on_track"
    # Reached late is achieved; reached, then fallen back, is missed.
    assert assess(WAIT, [m(date(2027, 6, 1), 15)], as_of=date(2027, 7, 1)).status == "achieved"
    fell_back = [m(date(2027, 1, 10), 14), m(date(2027, 3, 10), 16)]
    assert assess(WAIT, fell_back, as_of=after).status == "missed"


def test_a_late_measurement_is_judged_on_its_own_day_not_on_as_of() -> None:
    # 24 minutes on 2026-07-01 (91 days: expected 0.249) is on track, and stays so in
    # December with nothing newer: the status says what was measured.
    measured = [m(date(2026, 7, 1), 24)]
    assert assess(WAIT, measured, as_of=date(2026, 12, 1)).status == "on_track"
    assert assess(WAIT, measured, as_of=date(2026, 12, 1)).expected == pytest.approx(91 / 365)


def test_the_latest_measurement_counts_and_later_ones_are_unknown_as_of_earlier() -> None:
    history = [m(date(2026, 7, 1), 28), m(date(2026, 10, 1), 22), m(date(2027, 1, 5), 15)]
    assert assess(WAIT, history, as_of=date(2026, 9, 1)).status == "at_risk"  # 28 on 07-01
    assert assess(WAIT, history, as_of=date(2026, 12, 1)).status == "on_track"  # 22 on 10-01
    assert assess(WAIT, history, as_of=date(2027, 2, 1)).status == "achieved"
    # Given in any order, the latest date wins.
    assert assess(WAIT, history[::-1], as_of=date(2027, 2, 1)).status == "achieved"


def test_on_the_same_day_the_measurement_given_last_counts() -> None:
    first, correction = m(HALF_WAY, 26, "誤記"), m(HALF_WAY, 22, "訂正")
    assert latest_measurement([first, correction]) == correction
    assert assess(WAIT, [first, correction], as_of=HALF_WAY).status == "on_track"
    assert assess(WAIT, [correction, first], as_of=HALF_WAY).status == "at_risk"


def test_a_measurement_before_the_baseline_date_is_refused() -> None:
    early = m(date(2026, 3, 31), 29)
    with pytest.raises(InvalidInputError, match="earlier than the baseline of 2026-04-01"):
        check_measurement(WAIT, early)
    with pytest.raises(InvalidInputError) as caught:
        assess(WAIT, [m(HALF_WAY, 20), early], as_of=HALF_WAY)
    assert caught.value.key == "measurement_before_baseline"
    assert "2026-03-31 の測定値は基準値の日付（2026-04-01）より前です" in caught.value.message("ja")


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        (
            {"target": 30},
            "indicator_target_equals_baseline",
            r"The target \(30\) equals the baseline \(30\)",
        ),
        (
            {"target": 45},
            "indicator_target_wrong_direction_decrease",
            r"should decrease, but its target \(45\) is above the baseline \(30\)",
        ),
        (
            {"direction": "increase"},
            "indicator_target_wrong_direction_increase",
            r"should increase, but its target \(15\) is below the baseline \(30\)",
        ),
        (
            {"target_on": date(2026, 4, 1)},
            "indicator_dates_order",
            r"target date \(2026-04-01\) must come after the baseline date \(2026-04-01\)",
        ),
        ({"direction": "up"}, "indicator_direction_invalid", r"Direction 'up' is not allowed"),
        ({"baseline": float("nan")}, "indicator_value_invalid", r"baseline nan is not a number"),
        ({"target": True}, "indicator_value_invalid", r"target True is not a number"),
        ({"baseline_on": "2026-04-01"}, "date_required", r"'2026-04-01' is not a calendar date"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.startswith("indicator") else "",
)
def test_an_indicator_that_makes_no_sense_is_refused(
    changes: dict[str, object], key: str, message: str
) -> None:
    fields: dict[str, object] = {
        "name": "窓口待ち時間",
        "unit": "分",
        "direction": "decrease",
        "baseline": 30,
        "baseline_on": date(2026, 4, 1),
        "target": 15,
        "target_on": date(2027, 4, 1),
    } | changes
    with pytest.raises(InvalidInputError, match=message) as caught:
        Indicator(**fields)  # type: ignore[arg-type]
    assert caught.value.key == key
    assert caught.value.messages["ja"] != caught.value.messages["en"]


def test_equal_baseline_and_target_is_refused_in_japanese_too() -> None:
    with pytest.raises(InvalidInputError) as caught:
        Indicator("窓口待ち時間", "分", "decrease", 30, date(2026, 4, 1), 30, date(2027, 4, 1))
    assert caught.value.message("ja").startswith("目標値（30）が基準値（30）と同じです。")


def test_a_measurement_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="value inf is not a number"):
        Measurement(float("inf"), HALF_WAY)


def test_status_names_in_both_languages() -> None:
    assert [status_name(s, "ja") for s in STATUSES] == [
        "達成",
        "順調",
        "遅れ気味",
        "未達成（期限切れ）",
        "測定値なし",
    ]
    assert status_name("on_track", "en") == "on track"


# ---------------------------------------------------------------- properties
RANK = {"at_risk": 0, "on_track": 1, "achieved": 2}


@given(
    st.integers(0, 365),
    st.floats(0, 60, allow_nan=False),
    st.floats(0, 60, allow_nan=False),
)
def test_a_better_value_never_gives_a_worse_status(day: int, one: float, other: float) -> None:
    measured_on = WAIT.baseline_on + timedelta(days=day)
    better, worse = min(one, other), max(one, other)  # waiting less is better
    statuses = [
        assess(WAIT, [m(measured_on, value)], as_of=measured_on).status for value in (better, worse)
    ]
    assert RANK[statuses[0]] >= RANK[statuses[1]]
    assert (statuses[0] == "achieved") == (better <= 15)
