"""Import measurements (測定値) of indicators from the CSV or XLSX sheet staff already keep
(issue 18, item 2).

The file is read as issue imports read theirs (:func:`toolkit.export.imports.read_issue_table`:
UTF-8, UTF-8 with a BOM or CP932 detected; an XLSX workbook's first sheet or ``sheet``).
Headers in Japanese or English are recognised (:data:`HEADER_ALIASES`):

========== ====================================================================
indicator  the indicator's key or its name (指標 / indicator); required
value      a number: ``22``, ``22.5``, ``1,200``, ``２２``, ``85%``, ``22分`` (the
           indicator's own unit may follow the number); required
date       ``2026-04-01``, ``2026/4/1``, ``2026年4月1日``, ``令和8年4月1日``, ``R8.4.1``,
           or an Excel date cell; required
note       any text (備考), may be empty
entered_by who entered it (入力者); when the column is missing or the cell empty, the
           file's name is recorded instead
========== ====================================================================

Every row is checked before anything is written, and every problem is reported as
``row N, column X: …`` in Japanese and English (:class:`ImportProblemsError`), as issue
imports do. Only when every row is valid are the measurements written, in ONE transaction
(``Store.record_measurements``): all rows or none. A row identical to a measurement already
stored (same indicator, date, value and note) is skipped, so the same growing sheet can be
imported again after new rows were added.

>>> parse_day("令和8年4月1日"), parse_day("2026/4/1"), parse_day("R8.4.1")
(datetime.date(2026, 4, 1), datetime.date(2026, 4, 1), datetime.date(2026, 4, 1))
>>> parse_day("令和元年4月30日")  # still 平成31年: 令和 began on 1 May 2019
Traceback (most recent call last):
...
ValueError: 令和元年4月30日
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from toolkit.errors import InvalidInputError
from toolkit.export.imports import (
    ImportProblem,
    ImportProblemsError,
    IssueTable,
    _header_key,
    _number,
    _text,
    read_issue_table,
)
from toolkit.fiscal import ERAS, era_of
from toolkit.indicators import Measurement
from toolkit.model import TrackedIndicator
from toolkit.store import Store
from toolkit.store.followup import NOTE_LIMIT, TEXT_LIMIT
from toolkit.times import workshop_time_zone

#: Header texts recognised for each column (compared after NFKC, lower case, no bracketed
#: note such as 「値（分）」).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "indicator": ("指標", "指標名", "指標キー", "指標id", "indicator", "indicator key", "key"),
    "value": ("値", "測定値", "実績", "実績値", "数値", "value", "measurement", "measured value"),
    "date": ("日付", "測定日", "計測日", "年月日", "date", "measured on", "measured_on"),
    "note": ("備考", "メモ", "コメント", "注記", "note", "notes", "comment"),
    "entered_by": (
        "入力者",
        "記入者",
        "担当者",
        "担当",
        "entered by",
        "entered_by",
        "recorded by",
    ),
}
#: The columns a file must have.
REQUIRED = ("indicator", "value", "date")

_WESTERN = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_WESTERN_KANJI = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_ERA_NAMES = {name: (name, start) for name, start, _ in ERAS} | {
    initial: (name, start) for name, start, initial in ERAS
}
_ERA = re.compile(
    r"^(" + "|".join(_ERA_NAMES) + r")(元|\d{1,2})"
    r"(?:年(\d{1,2})月(\d{1,2})日|[./](\d{1,2})[./](\d{1,2}))$",
    re.IGNORECASE,
)
# A midnight time some spreadsheets append when a date cell is saved as CSV.
_MIDNIGHT = re.compile(r"\s+0{1,2}:00(?::00)?$")


@dataclass(frozen=True)
class MeasurementImportResult:
    """What an import did: the workshop, how the file was read, the measurements written
    and the rows skipped because they were recorded already."""

    slug: str
    encoding: str
    imported: int
    skipped: int


def parse_day(value: Any) -> date:
    """A date cell as a date: an Excel date cell, or text in one of the forms the module
    lists; ``ValueError`` otherwise (or for a day that does not exist, such as 2026-02-30
    or 令和元年4月1日)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(value)
    text = _MIDNIGHT.sub("", unicodedata.normalize("NFKC", value).strip()).replace(" ", "")
    found = _WESTERN.match(text) or _WESTERN_KANJI.match(text)
    if found:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    era = _ERA.match(text)
    if era is None:
        raise ValueError(value)
    name, start = _ERA_NAMES[era.group(1).upper() if era.group(1).isascii() else era.group(1)]
    number = 1 if era.group(2) == "元" else int(era.group(2))
    month, day = (era.group(3), era.group(4)) if era.group(3) else (era.group(5), era.group(6))
    result = date(start.year + number - 1, int(month), int(day))
    if number < 1 or era_of(result) != (name, number):
        raise ValueError(value)  # 令和元年4月1日 was still 平成
    return result


def _value(raw: Any, unit: str) -> float:
    """A value cell as a number; the indicator's unit or ``%`` may follow it (``22分``)."""
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()
        for suffix in (unicodedata.normalize("NFKC", unit).strip(), "%"):
            if suffix and text.endswith(suffix) and text != suffix:
                text = text[: -len(suffix)].strip()
                break
        raw = text
    return _number(raw)


def measurement_columns(header: list[str]) -> tuple[dict[str, int], list[ImportProblem]]:
    """Which column holds which field (its index), and the problems with the header: a
    required column missing, or two columns for one field."""
    aliases = {alias: name for name, names in HEADER_ALIASES.items() for alias in names}
    found: dict[str, list[int]] = {}
    for index, heading in enumerate(header):
        name = aliases.get(_header_key(heading))
        if name is not None:
            found.setdefault(name, []).append(index)
    problems: list[ImportProblem] = []
    for name, indexes in found.items():
        if len(indexes) > 1:
            problems.append(
                ImportProblem(
                    None,
                    None,
                    "import_duplicate_column",
                    {"field": name, "columns": ", ".join(header[i] for i in indexes)},
                )
            )
    for name in REQUIRED:
        if name not in found:
            problems.append(
                ImportProblem(
                    None,
                    None,
                    f"measurement_import_no_{name}_column",
                    {"columns": ", ".join(header)},
                )
            )
    return {name: indexes[0] for name, indexes in found.items()}, problems


def _indicator_lookup(
    indicators: list[TrackedIndicator],
) -> tuple[dict[str, TrackedIndicator], dict[str, list[TrackedIndicator]]]:
    by_key = {i.key: i for i in indicators}
    by_name: dict[str, list[TrackedIndicator]] = {}
    for indicator in indicators:
        name = unicodedata.normalize("NFKC", indicator.name).casefold().strip()
        by_name.setdefault(name, []).append(indicator)
    return by_key, by_name


def plan_measurement_import(
    store: Store, slug: str, table: IssueTable, *, file_name: str = ""
) -> tuple[list[tuple[str, Measurement]], int]:
    """Check every row; return the measurements to record (``(indicator key,
    measurement)``) and the number of rows already recorded, or raise
    :class:`ImportProblemsError` with EVERY problem found."""
    columns, problems = measurement_columns(table.header)
    if not table.rows:
        problems.append(ImportProblem(None, None, "measurement_import_no_rows"))
    if problems:
        raise ImportProblemsError(problems)
    indicators = store.indicators(slug)
    by_key, by_name = _indicator_lookup(indicators)
    stored = {
        (m.indicator, m.measured_on, float(m.value), m.note) for m in store.measurements(slug)
    }
    today = datetime.now(workshop_time_zone(store.workshop(slug).time_zone)).date()
    header = table.header
    planned: list[tuple[str, Measurement]] = []
    skipped = 0
    for row_number, values in table.rows:

        def cell(name: str, values: list[Any] = values) -> Any:
            index = columns.get(name)
            return None if index is None or index >= len(values) else values[index]

        def problem(name: str, key: str, row: int = row_number, **params: Any) -> None:
            problems.append(ImportProblem(row, header[columns[name]], key, params))

        before = len(problems)
        wanted = _text(cell("indicator"))
        indicator: TrackedIndicator | None = by_key.get(wanted)
        if not wanted:
            problem("indicator", "measurement_import_required")
        elif indicator is None:
            named = by_name.get(unicodedata.normalize("NFKC", wanted).casefold().strip(), [])
            if len(named) == 1:
                indicator = named[0]
            elif named:
                problem(
                    "indicator",
                    "measurement_import_ambiguous_indicator",
                    value=wanted,
                    keys=", ".join(i.key for i in named),
                )
            else:
                problem(
                    "indicator",
                    "measurement_import_unknown_indicator",
                    value=wanted,
                    allowed=", ".join(f"{i.key} ({i.name})" for i in indicators) or "-",
                )
        raw_value = cell("value")
        value: float | None = None
        if _text(raw_value) == "":
            problem("value", "measurement_import_required")
        else:
            try:
                value = _value(raw_value, indicator.unit if indicator else "")
            except ValueError:
                problem("value", "measurement_import_bad_value", value=_text(raw_value))
        raw_day = cell("date")
        day: date | None = None
        if raw_day is None or _text(raw_day) == "":
            problem("date", "measurement_import_required")
        else:
            try:
                day = parse_day(raw_day)
            except ValueError:
                problem("date", "measurement_import_bad_date", value=_text(raw_day))
        if day is not None and indicator is not None and day < indicator.baseline_on:
            problem(
                "date",
                "measurement_before_baseline",
                measured_on=day.isoformat(),
                baseline_on=indicator.baseline_on.isoformat(),
            )
        elif day is not None and day > today:
            problem(
                "date",
                "measurement_in_future",
                measured_on=day.isoformat(),
                today=today.isoformat(),
            )
        note = _text(cell("note"))
        if len(note) > NOTE_LIMIT:
            problem("note", "import_too_long", length=len(note), limit=NOTE_LIMIT)
        who = _text(cell("entered_by")) or file_name
        if len(who) > TEXT_LIMIT:
            problem("entered_by", "import_too_long", length=len(who), limit=TEXT_LIMIT)
        if len(problems) > before or indicator is None or value is None or day is None:
            continue
        if (indicator.key, day, value, note) in stored:
            skipped += 1
            continue
        try:
            planned.append((indicator.key, Measurement(value, day, note, who)))
        except InvalidInputError as refused:  # pragma: no cover - every rule is checked above
            problems.append(ImportProblem(row_number, None, refused.key, refused.params))
    if problems:
        raise ImportProblemsError(problems)
    return planned, skipped


def import_measurements(
    store: Store, slug: str, path: str | Path, *, sheet: str | None = None
) -> MeasurementImportResult:
    """Import measurements from a CSV/XLSX file into workshop ``slug``: all rows or none.

    Raises :class:`ImportProblemsError` listing every problem (``row N, column X: …``).

    >>> import_measurements(store, "dx-2026", "測定値.xlsx")  # doctest: +SKIP
    """
    source = Path(path)
    table = read_issue_table(source, sheet=sheet)
    planned, skipped = plan_measurement_import(store, slug, table, file_name=source.name)
    if planned:
        store.record_measurements(slug, planned, actor="facilitator")
    return MeasurementImportResult(slug, table.encoding, len(planned), skipped)


__all__ = [
    "HEADER_ALIASES",
    "ImportProblem",
    "ImportProblemsError",
    "MeasurementImportResult",
    "import_measurements",
    "parse_day",
    "plan_measurement_import",
]
