"""Japanese fiscal years (toolkit/fiscal.py): boundaries worked by hand, era names, labels
in Japanese and English, reading what people type, and two properties over every date."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.errors import InvalidInputError
from toolkit.fiscal import (
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    FiscalPeriod,
    era_of,
    fiscal_quarter,
    fiscal_year,
    fiscal_year_era,
    parse_fiscal_period,
    period_of,
)


# ---------------------------------------------------------------- which year, which quarter
@pytest.mark.parametrize(
    ("day", "year", "quarter"),
    [
        (date(2026, 3, 31), 2025, 4),
        (date(2026, 4, 1), 2026, 1),
        (date(2026, 6, 30), 2026, 1),
        (date(2026, 7, 1), 2026, 2),
        (date(2026, 9, 30), 2026, 2),
        (date(2026, 10, 1), 2026, 3),
        (date(2026, 12, 31), 2026, 3),
        (date(2027, 1, 1), 2026, 4),
        (date(2027, 3, 31), 2026, 4),
        (date(2027, 4, 1), 2027, 1),
        (date(2100, 2, 28), 2099, 4),  # 2100 is not a leap year
        (date(2100, 4, 1), 2100, 1),
    ],
    ids=lambda v: v.isoformat() if isinstance(v, date) else str(v),
)
def test_the_fiscal_year_and_quarter_of_a_day(day: date, year: int, quarter: int) -> None:
    assert (fiscal_year(day), fiscal_quarter(day)) == (year, quarter)
    assert period_of(day, quarterly=True) == FiscalPeriod(year, quarter)


def test_fy2026_runs_from_april_2026_to_march_2027_in_four_quarters() -> None:
    fy = FiscalPeriod(2026)
    assert (fy.start, fy.end) == (date(2026, 4, 1), date(2027, 3, 31))
    assert [(q.start, q.end) for q in fy.quarters()] == [
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 3, 31)),
    ]
    assert FiscalPeriod(2026, 3).fiscal_year == fy


def test_a_leap_february_is_in_the_fourth_quarter() -> None:
    assert FiscalPeriod(2027).end == date(2028, 3, 31)
    assert FiscalPeriod(2027, 4).contains(date(2028, 2, 29))
    assert not FiscalPeriod(2027, 4).contains(date(2028, 4, 1))


# ---------------------------------------------------------------- eras
def test_the_era_changes_on_may_first_2019() -> None:
    assert era_of(date(2019, 4, 30)) == ("平成", 31)
    assert era_of(date(2019, 5, 1)) == ("令和", 1)
    assert era_of(date(1989, 1, 8)) == ("平成", 1)


def test_fy2019_is_reiwa_gannen_although_it_started_under_heisei() -> None:
    # Both days belong to FY2019, which carries one name: 令和元年度 (see toolkit/fiscal.py).
    assert period_of(date(2019, 4, 30)).label("ja") == "令和元年度"
    assert period_of(date(2019, 5, 1)).label("ja") == "令和元年度"
    assert period_of(date(2019, 4, 30), quarterly=True).label("ja") == "令和元年度 第1四半期"
    assert period_of(date(2019, 3, 31)).label("ja") == "平成30年度"
    assert (
        parse_fiscal_period("平成31年度") == parse_fiscal_period("令和元年度") == FiscalPeriod(2019)
    )


@pytest.mark.parametrize(
    ("year", "era"),
    [
        (1989, ("平成", 1)),
        (2018, ("平成", 30)),
        (2019, ("令和", 1)),
        (2020, ("令和", 2)),
        (2026, ("令和", 8)),
        (2100, ("令和", 82)),
    ],
    ids=str,
)
def test_the_era_of_a_fiscal_year(year: int, era: tuple[str, int]) -> None:
    assert fiscal_year_era(year) == era


# ---------------------------------------------------------------- labels
@pytest.mark.parametrize(
    ("period", "ja", "en"),
    [
        (FiscalPeriod(2026), "令和8年度", "FY2026"),
        (FiscalPeriod(2026, 1), "令和8年度 第1四半期", "FY2026 Q1"),
        (FiscalPeriod(2026, 4), "令和8年度 第4四半期", "FY2026 Q4"),
        (FiscalPeriod(2019), "令和元年度", "FY2019"),
        (FiscalPeriod(1989), "平成元年度", "FY1989"),
        (FiscalPeriod(2018, 2), "平成30年度 第2四半期", "FY2018 Q2"),
        (FiscalPeriod(2100), "令和82年度", "FY2100"),
    ],
    ids=lambda v: v.label("en") if isinstance(v, FiscalPeriod) else "",
)
def test_labels_in_japanese_and_english(period: FiscalPeriod, ja: str, en: str) -> None:
    assert (period.label("ja"), period.label("en")) == (ja, en)


# ---------------------------------------------------------------- reading what people type
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026", FiscalPeriod(2026)),
        ("FY2026", FiscalPeriod(2026)),
        ("fy 2026", FiscalPeriod(2026)),
        ("2026年度", FiscalPeriod(2026)),
        ("令和8年度", FiscalPeriod(2026)),
        ("令和８年度", FiscalPeriod(2026)),  # full-width digit, as an IME types it
        ("R8", FiscalPeriod(2026)),
        ("r8", FiscalPeriod(2026)),
        ("H30", FiscalPeriod(2018)),
        ("平成32年度", FiscalPeriod(2020)),  # plans written before 2019 counted on
        ("2026Q1", FiscalPeriod(2026, 1)),
        ("FY2026 Q3", FiscalPeriod(2026, 3)),
        ("２０２６Ｑ４", FiscalPeriod(2026, 4)),
        ("R8Q2", FiscalPeriod(2026, 2)),
        ("令和8年度第2四半期", FiscalPeriod(2026, 2)),
        ("令和8年度 第2四半期", FiscalPeriod(2026, 2)),
        ("  令和元年度 第4四半期 ", FiscalPeriod(2019, 4)),
        (2026, FiscalPeriod(2026)),
        (FiscalPeriod(2026, 2), FiscalPeriod(2026, 2)),
    ],
    ids=str,
)
def test_what_people_type_is_read(text: str, expected: FiscalPeriod) -> None:
    assert parse_fiscal_period(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2026年4月", "fiscal_period_invalid"),
        ("", "fiscal_period_invalid"),
        ("令和", "fiscal_period_invalid"),
        ("R0", "fiscal_period_invalid"),
        ("26", "fiscal_period_invalid"),
        ("FY20266", "fiscal_period_invalid"),
        ("2026Q5", "fiscal_quarter_invalid"),
        ("令和8年度 第0四半期", "fiscal_period_invalid"),
        ("1988", "fiscal_year_out_of_range"),
        ("昭和63年度", "fiscal_period_invalid"),
        (True, "fiscal_period_invalid"),
    ],
    ids=str,
)
def test_what_cannot_be_read_is_refused_with_a_message(text: str, key: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_fiscal_period(text)
    assert caught.value.key == key
    assert caught.value.messages["ja"] and caught.value.messages["en"]


def test_the_message_shows_what_to_write_in_both_languages() -> None:
    with pytest.raises(InvalidInputError, match=r"'2026年4月' is not a fiscal year") as caught:
        parse_fiscal_period("2026年4月")
    assert caught.value.message("en").endswith(
        "Write it like 2026, FY2026, 2026年度, 令和8年度, R8, 2026Q1, FY2026 Q1, "
        "令和8年度 第2四半期."
    )
    assert caught.value.message("ja") == (
        "'2026年4月' は年度または四半期として読めません。"
        "2026, FY2026, 2026年度, 令和8年度, R8, 2026Q1, FY2026 Q1, 令和8年度 第2四半期 "
        "のように書いてください。"
    )


def test_a_datetime_is_not_a_day() -> None:
    with pytest.raises(InvalidInputError, match="not a calendar date"):
        fiscal_year(datetime(2026, 4, 1, 0, 30))  # type: ignore[arg-type]


# ---------------------------------------------------------------- properties
DAYS = st.dates(min_value=date(MIN_FISCAL_YEAR, 4, 1), max_value=date(MAX_FISCAL_YEAR + 1, 3, 31))
PERIODS = st.builds(
    FiscalPeriod,
    st.integers(MIN_FISCAL_YEAR, MAX_FISCAL_YEAR),
    st.none() | st.integers(1, 4),
)


@given(DAYS)
def test_every_day_lies_within_its_fiscal_year_and_quarter(day: date) -> None:
    year, quarter = period_of(day), period_of(day, quarterly=True)
    assert year.start <= day <= year.end
    assert quarter.start <= day <= quarter.end
    assert quarter.fiscal_year == year
    assert year.start <= quarter.start and quarter.end <= year.end


@given(PERIODS, st.sampled_from(["ja", "en"]))
def test_a_label_reads_back_as_its_period(period: FiscalPeriod, lang: str) -> None:
    assert parse_fiscal_period(period.label(lang)) == period


@given(PERIODS)
def test_periods_follow_each_other_without_gap_or_overlap(period: FiscalPeriod) -> None:
    quarterly = period.quarter is not None
    assert period_of(period.start, quarterly=quarterly) == period
    assert period_of(period.end, quarterly=quarterly) == period
    if period.year < MAX_FISCAL_YEAR:
        following = period_of(period.end + timedelta(days=1), quarterly=quarterly)
        assert following != period and following.start == period.end + timedelta(days=1)
