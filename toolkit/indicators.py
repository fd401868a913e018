"""Effect measurement (効果測定): an indicator, its measurements, and its status.

An :class:`Indicator` says what is measured (name, unit, source), which way is better
(``direction``: ``increase`` or ``decrease``), where it started (baseline value and date) and
where it should be by when (target value and date). :class:`Measurement` s are observed values
over time. The status is **computed, never typed** (:func:`assess`), by these rules, in order,
from the measurements dated on or before ``as_of`` (a status "as of" a day knows nothing
measured later):

1. ``no_data``: no measurement yet. Nothing is claimed, not even ``missed``: an indicator
   nobody measured is a problem of its own, which the review dates bring up.
2. ``achieved``: the **latest** measurement (the latest date; on the same date, the one given
   last) reaches the target in the indicator's direction (``value >= target`` for
   ``increase``, ``value <= target`` for ``decrease``), whenever it was measured. An earlier
   measurement that reached it does not count if a later one fell back.
3. ``missed``: the target date has passed (``as_of > target_on``) and rule 2 does not hold.
4. ``on_track`` or ``at_risk``: the progress of the latest measurement, the share of the way
   from baseline to target it has come, ``progress = (value - baseline) / (target -
   baseline)`` (the same formula for both directions), is compared with the share of the
   time from baseline date to target date that had passed **on the day it was measured**,
   ``expected = (measured_on - baseline_on) / (target_on - baseline_on)`` (a straight line
   from baseline to target). ``on_track`` if ``progress >= expected - TOLERANCE``, else
   ``at_risk``.

The expectation is taken on the measurement's day, not on ``as_of``: the status says what
the measurement shows, and a value entered in June for March is judged against March; it does
not turn red by itself as the calendar moves (an old measurement is the review date's
business). :data:`TOLERANCE` is one tenth of the way (10 percentage points): change that is
rarely linear (a system goes live, then the numbers move) should not be flagged for a
fortnight's delay, and a tenth is the smallest step a monthly figure on a yearly target shows.

Arithmetic is exact (fractions of the values given), so a value that lies exactly on the
line or the tolerance gets the same answer on every machine.

A worked example, 窓口待ち時間 (waiting time at the counter), from 30 minutes on 2026-04-01
down to 15 minutes by 2027-04-01 (365 days). On 2026-10-01, 183 days in, ``expected`` is
183/365 ≈ 0.501, so on-track needs a progress of at least ≈ 0.401, i.e. a time of 23.98
minutes or less:

>>> from datetime import date
>>> wait = Indicator("窓口待ち時間", "分", "decrease", 30, date(2026, 4, 1), 15, date(2027, 4, 1))
>>> def on(day, value):
...     return Measurement(value, day, entered_by="市民課")
>>> assess(wait, [], as_of=date(2026, 10, 1)).status
'no_data'
>>> result = assess(wait, [on(date(2026, 10, 1), 24)], as_of=date(2026, 10, 1))
>>> result.status, result.progress, round(result.expected, 3)
('at_risk', 0.4, 0.501)
>>> assess(wait, [on(date(2026, 10, 1), 23.9)], as_of=date(2026, 10, 1)).status
'on_track'
>>> assess(wait, [on(date(2026, 10, 1), 15)], as_of=date(2026, 10, 1)).status
'achieved'
>>> assess(wait, [on(date(2027, 3, 1), 18)], as_of=date(2027, 4, 2)).status
'missed'
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from numbers import Real
from typing import Literal

from toolkit.errors import InvalidInputError
from toolkit.i18n import t

Direction = Literal["increase", "decrease"]
DIRECTIONS: tuple[Direction, ...] = ("increase", "decrease")
Status = Literal["achieved", "on_track", "at_risk", "missed", "no_data"]
STATUSES: tuple[Status, ...] = ("achieved", "on_track", "at_risk", "missed", "no_data")
#: How far (a share of the way from baseline to target) a measurement may lag behind the
#: straight line and still be ``on_track``.
TOLERANCE = Fraction(1, 10)


def _number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise InvalidInputError("indicator_value_invalid", field=field, value=value)
    return float(value)


def _day(value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInputError("date_required", value=value)
    return value


@dataclass(frozen=True)
class Indicator:
    """What is measured, which way is better, where it started and where it should get to.

    Refused with a message in Japanese and English: a target equal to the baseline (there is
    no way to go), a target on the wrong side of the baseline for the direction, a target
    date that is not after the baseline date, values that are not finite numbers.

    >>> from datetime import date
    >>> try:
    ...     Indicator("窓口待ち時間", "分", "decrease", 30, date(2026, 4, 1), 30, date(2027, 4, 1))
    ... except InvalidInputError as error:
    ...     print(error.key)
    indicator_target_equals_baseline
    """

    name: str
    unit: str
    direction: Direction
    baseline: float
    baseline_on: date
    target: float
    target_on: date
    source: str = ""

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise InvalidInputError("indicator_direction_invalid", value=self.direction)
        baseline = _number(self.baseline, "baseline")
        target = _number(self.target, "target")
        baseline_on, target_on = _day(self.baseline_on), _day(self.target_on)
        if baseline == target:
            raise InvalidInputError(
                "indicator_target_equals_baseline", baseline=self.baseline, target=self.target
            )
        if (target > baseline) != (self.direction == "increase"):
            raise InvalidInputError(
                f"indicator_target_wrong_direction_{self.direction}",
                baseline=self.baseline,
                target=self.target,
            )
        if target_on <= baseline_on:
            raise InvalidInputError(
                "indicator_dates_order",
                baseline_on=baseline_on.isoformat(),
                target_on=target_on.isoformat(),
            )

    def reached(self, value: float) -> bool:
        """Whether ``value`` reaches the target in the indicator's direction."""
        if self.direction == "increase":
            return value >= self.target
        return value <= self.target

    def progress(self, value: float) -> Fraction:
        """The share of the way from baseline to target that ``value`` has come (exact; 0 at
        the baseline, 1 at the target, negative when worse than the baseline)."""
        return (Fraction(value) - Fraction(self.baseline)) / (
            Fraction(self.target) - Fraction(self.baseline)
        )

    def expected(self, day: date) -> Fraction:
        """The share of the way a straight line from baseline to target has come on ``day``
        (0 until the baseline date, 1 from the target date on)."""
        span = (self.target_on - self.baseline_on).days
        elapsed = (_day(day) - self.baseline_on).days
        return min(max(Fraction(elapsed, span), Fraction(0)), Fraction(1))


@dataclass(frozen=True)
class Measurement:
    """One observed value of an indicator on a day, with a note and who entered it."""

    value: float
    measured_on: date
    note: str = ""
    entered_by: str = ""

    def __post_init__(self) -> None:
        _number(self.value, "value")
        _day(self.measured_on)


@dataclass(frozen=True)
class Assessment:
    """An indicator's status as of a day, and the numbers behind it.

    ``progress`` and ``expected`` (floats, for charts and tables) are those of the latest
    measurement (see the module's rules); ``None`` when there is no measurement.
    """

    status: Status
    latest: Measurement | None = None
    progress: float | None = None
    expected: float | None = None


def check_measurement(indicator: Indicator, measurement: Measurement) -> None:
    """Refuse a measurement dated before the indicator's baseline (the baseline is where
    change is counted from; a measurement on the baseline date is fine)."""
    if measurement.measured_on < indicator.baseline_on:
        raise InvalidInputError(
            "measurement_before_baseline",
            measured_on=measurement.measured_on.isoformat(),
            baseline_on=indicator.baseline_on.isoformat(),
        )


def latest_measurement(
    measurements: Iterable[Measurement], *, as_of: date | None = None
) -> Measurement | None:
    """The measurement with the latest date (on or before ``as_of`` when given); on the same
    date, the one that comes last (the store gives them in the order they were recorded)."""
    latest: Measurement | None = None
    for measurement in measurements:
        if as_of is not None and measurement.measured_on > as_of:
            continue
        if latest is None or measurement.measured_on >= latest.measured_on:
            latest = measurement
    return latest


def assess(indicator: Indicator, measurements: Iterable[Measurement], *, as_of: date) -> Assessment:
    """The status of ``indicator`` as of the day ``as_of`` (rules in the module's docstring).

    Every measurement is checked (:func:`check_measurement`), so one dated before the
    baseline is refused here too, never silently counted.

    A target date in the past, reached late, is still ``achieved``; missed otherwise:

    >>> from datetime import date
    >>> share = Indicator(
    ...     "電子申請の割合", "%", "increase", 10, date(2024, 4, 1), 50, date(2025, 3, 31)
    ... )
    >>> late = Measurement(52, date(2025, 9, 30))
    >>> assess(share, [Measurement(40, date(2025, 3, 31)), late], as_of=date(2026, 4, 1)).status
    'achieved'
    >>> assess(share, [Measurement(40, date(2025, 3, 31))], as_of=date(2026, 4, 1)).status
    'missed'
    """
    as_of = _day(as_of)
    known = list(measurements)
    for measurement in known:
        check_measurement(indicator, measurement)
    latest = latest_measurement(known, as_of=as_of)
    if latest is None:
        return Assessment("no_data")
    progress = indicator.progress(latest.value)
    expected = indicator.expected(latest.measured_on)
    status: Status
    if indicator.reached(latest.value):
        status = "achieved"
    elif as_of > indicator.target_on:
        status = "missed"
    elif progress >= expected - TOLERANCE:
        status = "on_track"
    else:
        status = "at_risk"
    return Assessment(status, latest, float(progress), float(expected))


def status_name(status: Status, lang: str | None = None) -> str:
    """A status as people read it (catalog ``indicator_status_<status>``).

    >>> status_name("at_risk", "ja"), status_name("on_track", "en")
    ('遅れ気味', 'on track')
    """
    return t(f"indicator_status_{status}", lang)
