"""Japanese fiscal years (年度) and their quarters: which one a date falls in, their dates,
their names in Japanese and English, and reading what a person typed.

A Japanese fiscal year starts on 1 April and is named after the calendar year it starts in:
FY2026 (2026年度, 令和8年度) runs from 2026-04-01 to 2027-03-31. Its quarters are Q1 = April
to June, Q2 = July to September, Q3 = October to December, Q4 = January to March (of the next
calendar year).

>>> from datetime import date
>>> period = period_of(date(2027, 3, 31))
>>> period.year, period.label("ja"), period.label("en")
(2026, '令和8年度', 'FY2026')
>>> quarter = period_of(date(2026, 4, 1), quarterly=True)
>>> quarter.label("ja"), quarter.label("en"), quarter.start, quarter.end
('令和8年度 第1四半期', 'FY2026 Q1', datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
>>> parse_fiscal_period("R8") == parse_fiscal_period("FY2026") == FiscalPeriod(2026)
True

**The era in a fiscal year's Japanese name.** Eras change on a day, fiscal years on 1 April,
so one fiscal year may straddle two eras. FY2019 began on 2019-04-01 under 平成 (平成31年)
and 令和 began on 2019-05-01: documents of that April say 平成31年度, later ones 令和元年度
(the national settlement of that year is the 「令和元年度決算」). Ureshii writes one name per
fiscal year, so that a label always reads back as the same year: **a fiscal year takes the
era in force on 31 December of the calendar year it starts in**. FY2019 is therefore
令和元年度 — the name used for that year since the change, in every later document that
refers to it (settlements, evaluations, the baselines a roadmap measures from) — and FY1989
(April 1989, after 平成 began on 1989-01-08) is 平成元年度. Both names are read as input:
``平成31年度`` is FY2019 too, and so is any 平成 year a plan written before the change counted
on to (``平成32年度`` = 令和2年度 = FY2020).

Fiscal years from :data:`MIN_FISCAL_YEAR` (平成元年度) to :data:`MAX_FISCAL_YEAR` (the last one
whose end is a date Python can hold) are handled; anything else is an
:class:`~toolkit.errors.InvalidInputError` in Japanese and English.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from toolkit.errors import InvalidInputError
from toolkit.i18n import normalize_language

#: 平成元年度: the first fiscal year to start under 平成 (began 1989-01-08).
MIN_FISCAL_YEAR = 1989
#: The last fiscal year whose end (31 March of the next year) is a Python ``date``.
MAX_FISCAL_YEAR = 9998
#: The month a fiscal year starts in.
START_MONTH = 4

#: The eras a fiscal year may be named after: (name, first day, romanised initial).
ERAS: tuple[tuple[str, date, str], ...] = (
    ("令和", date(2019, 5, 1), "R"),
    ("平成", date(1989, 1, 8), "H"),
)
_ERA_BY_INITIAL = {initial: (name, start) for name, start, initial in ERAS}
_ERA_BY_NAME = {name: (name, start) for name, start, _initial in ERAS}

#: How a person may write a fiscal year or quarter (shown in the error for anything else).
EXAMPLES = "2026, FY2026, 2026年度, 令和8年度, R8, 2026Q1, FY2026 Q1, 令和8年度 第2四半期"


@dataclass(frozen=True)
class FiscalPeriod:
    """A fiscal year (``quarter=None``) or one of its quarters (1–4).

    ``year`` is the calendar year the fiscal year starts in (FY2026 = April 2026 – March
    2027). Out-of-range values are refused:

    >>> try:
    ...     FiscalPeriod(2026, 5)
    ... except InvalidInputError as error:
    ...     print(error.message("ja").split("。")[0])
    第5四半期はありません
    """

    year: int
    quarter: int | None = None

    def __post_init__(self) -> None:
        _check_year(self.year)
        if self.quarter is not None and (
            isinstance(self.quarter, bool)
            or not isinstance(self.quarter, int)
            or not 1 <= self.quarter <= 4
        ):
            raise InvalidInputError("fiscal_quarter_invalid", quarter=self.quarter)

    @property
    def start(self) -> date:
        """The first day (1 April for a year and its Q1)."""
        months = 3 * ((self.quarter or 1) - 1)
        month = START_MONTH + months
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        """The last day (31 March of the next calendar year for a year and its Q4).

        >>> FiscalPeriod(2026, 3).end, FiscalPeriod(2026, 4).end
        (datetime.date(2026, 12, 31), datetime.date(2027, 3, 31))
        """
        if self.quarter is None or self.quarter == 4:
            return date(self.year + 1, START_MONTH, 1) - timedelta(days=1)
        return FiscalPeriod(self.year, self.quarter + 1).start - timedelta(days=1)

    @property
    def fiscal_year(self) -> FiscalPeriod:
        """The whole fiscal year this period belongs to."""
        return FiscalPeriod(self.year)

    def quarters(self) -> tuple[FiscalPeriod, ...]:
        """The four quarters of this fiscal year (or the quarter itself)."""
        if self.quarter is not None:
            return (self,)
        return tuple(FiscalPeriod(self.year, q) for q in range(1, 5))

    def contains(self, day: date) -> bool:
        """Whether ``day`` lies in this period (both ends included)."""
        return self.start <= _as_date(day) <= self.end

    def label(self, lang: str | None = None) -> str:
        """The name people read: ``令和8年度 第1四半期`` (ja) or ``FY2026 Q1`` (en).

        >>> FiscalPeriod(2019).label("ja"), FiscalPeriod(2100, 4).label("ja")
        ('令和元年度', '令和82年度 第4四半期')
        """
        if normalize_language(lang) == "ja":
            era, number = fiscal_year_era(self.year)
            name = f"{era}{'元' if number == 1 else number}年度"
            return name if self.quarter is None else f"{name} 第{self.quarter}四半期"
        name = f"FY{self.year}"
        return name if self.quarter is None else f"{name} Q{self.quarter}"


def _as_date(day: date) -> date:
    """A calendar day; a ``datetime`` is refused (its day depends on a time zone)."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise InvalidInputError("date_required", value=day)
    return day


def _check_year(year: object) -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidInputError("fiscal_period_invalid", value=year, examples=EXAMPLES)
    if not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
        raise InvalidInputError(
            "fiscal_year_out_of_range", year=year, min=MIN_FISCAL_YEAR, max=MAX_FISCAL_YEAR
        )


def fiscal_year(day: date) -> int:
    """The fiscal year ``day`` falls in (the calendar year it started in).

    >>> fiscal_year(date(2027, 3, 31)), fiscal_year(date(2027, 4, 1))
    (2026, 2027)
    """
    day = _as_date(day)
    return day.year if day.month >= START_MONTH else day.year - 1


def fiscal_quarter(day: date) -> int:
    """The quarter (1–4) of its fiscal year that ``day`` falls in.

    >>> fiscal_quarter(date(2026, 6, 30)), fiscal_quarter(date(2026, 7, 1))
    (1, 2)
    >>> fiscal_quarter(date(2027, 1, 1)), fiscal_quarter(date(2027, 3, 31))
    (4, 4)
    """
    day = _as_date(day)
    return (day.month - START_MONTH) % 12 // 3 + 1


def period_of(day: date, *, quarterly: bool = False) -> FiscalPeriod:
    """The fiscal year (or with ``quarterly=True`` the quarter) that ``day`` falls in."""
    return FiscalPeriod(fiscal_year(day), fiscal_quarter(day) if quarterly else None)


def era_of(day: date) -> tuple[str, int]:
    """The era in force on ``day`` and the year of it (1 = 元年).

    >>> era_of(date(2019, 4, 30)), era_of(date(2019, 5, 1))
    (('平成', 31), ('令和', 1))
    """
    day = _as_date(day)
    for name, start, _initial in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise InvalidInputError(
        "fiscal_year_out_of_range", year=day.year, min=MIN_FISCAL_YEAR, max=MAX_FISCAL_YEAR
    )


def fiscal_year_era(year: int) -> tuple[str, int]:
    """The era a fiscal year is named after, and its year in that era: the era in force on
    31 December of the calendar year the fiscal year starts in (see the module's docstring).

    >>> fiscal_year_era(2018), fiscal_year_era(2019), fiscal_year_era(2026)
    (('平成', 30), ('令和', 1), ('令和', 8))
    """
    _check_year(year)
    return era_of(date(year, 12, 31))


# "令和8年度 第2四半期", "R8Q2", "FY2026 Q1", "2026年度", "2026-Q1", "2026 4Q" … (after NFKC, which
# turns full-width digits and letters into ASCII, and lower → upper case).
_QUARTER = r"(?:\s*[-/]?\s*(?:Q([1-9]\d*)|([1-9]\d*)Q|第?([1-9]\d*)四半期))?"
_WESTERN = re.compile(r"(?:FY\s*)?(\d{4})(?:\s*年度)?" + _QUARTER)
_ERA = re.compile(r"(令和|平成|R|H)\s*(元|\d{1,4})(?:\s*年度)?" + _QUARTER)


def parse_fiscal_period(text: str | int | FiscalPeriod) -> FiscalPeriod:
    """Read a fiscal year or quarter as a person writes it.

    Accepted: ``2026``, ``FY2026``, ``2026年度``, ``令和8年度``, ``R8``, ``令和元年度``,
    ``平成31年度`` (= FY2019), ``2026Q1``, ``FY2026 Q1``, ``R8Q2``, ``令和8年度第2四半期``,
    ``令和8年度 第2四半期``; full-width digits and letters, lower case and spaces are fine.
    Anything else is an :class:`~toolkit.errors.InvalidInputError` that shows these forms.

    >>> parse_fiscal_period("令和8年度第2四半期")
    FiscalPeriod(year=2026, quarter=2)
    >>> parse_fiscal_period("ｆｙ２０２６ ｑ１") == FiscalPeriod(2026, 1)
    True
    >>> try:
    ...     parse_fiscal_period("2026年4月")
    ... except InvalidInputError as error:
    ...     print(error.message("en"))
    '2026年4月' is not a fiscal year or quarter. Write it like 2026, FY2026, 2026年度, ...
    """
    if isinstance(text, FiscalPeriod):
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        return FiscalPeriod(text)
    if not isinstance(text, str):
        raise InvalidInputError("fiscal_period_invalid", value=text, examples=EXAMPLES)
    cleaned = unicodedata.normalize("NFKC", text).strip().upper()
    western = _WESTERN.fullmatch(cleaned)
    era = None if western else _ERA.fullmatch(cleaned)
    if western is not None:
        year = int(western.group(1))
        quarter_groups = western.groups()[1:]
    elif era is not None:
        _name, start = _ERA_BY_INITIAL.get(era.group(1)) or _ERA_BY_NAME[era.group(1)]
        number = 1 if era.group(2) == "元" else int(era.group(2))
        if number < 1:
            raise InvalidInputError("fiscal_period_invalid", value=text, examples=EXAMPLES)
        year = start.year + number - 1
        quarter_groups = era.groups()[2:]
    else:
        raise InvalidInputError("fiscal_period_invalid", value=text, examples=EXAMPLES)
    quarter = next((int(q) for q in quarter_groups if q is not None), None)
    return FiscalPeriod(year, quarter)
