"""Imports: issues from the spreadsheets Japanese offices keep (JSON exports back into a
store: :mod:`toolkit.export.json_import`).

Issues from CSV or XLSX (:func:`import_issues`)
    The file may be UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8") or CP932 (Excel's plain
    "CSV" on Japanese Windows): the encoding is detected. Headers in Japanese or English are
    recognised (:data:`HEADER_ALIASES`); ``mapping`` maps any other column to a field.
    Every problem is collected and reported as ``row N, column X: message`` (ja/en), and
    the issues are written in ONE transaction only when every row is valid: nothing is ever
    half-imported.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from toolkit.export._common import IMPORT_FIELDS, ExportError
from toolkit.i18n import t
from toolkit.money import amount_problem, exact_amount
from toolkit.store import Store

#: Header texts recognised for each field (compared after :func:`_header_key`).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "key": ("id", "key", "キー", "識別子", "課題id", "番号"),
    "title": ("課題", "課題名", "施策", "施策名", "タイトル", "件名", "title", "issue", "name"),
    "description": ("説明", "概要", "内容", "詳細", "description", "details", "summary"),
    "current": ("現状", "現状評価", "current", "current state"),
    "ideal": ("あるべき姿", "理想", "理想の姿", "ideal", "ideal state"),
    "cost": ("費用", "予算", "コスト", "概算費用", "事業費", "cost", "budget"),
    "year": ("年度", "実施年度", "予定年度", "year", "fy", "fiscal year"),
    "themes": ("テーマ", "うれしさのテーマ", "themes", "theme", "happiness themes"),
    "stakeholders": ("ステークホルダー", "関係者", "対象者", "stakeholders", "stakeholder"),
}

TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 10_000
_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_KEY_CLEAN = re.compile(r"[^a-z0-9_-]+")
_TEXT_FORMULA = re.compile(r'^="([a-z0-9_-]*)"$', re.IGNORECASE)
_LIST_SEPARATORS = re.compile(r"[、,;；，|\n]")
_ERA_YEAR = re.compile(r"^(令和|R)(元|\d{1,2})(年度|年)?$", re.IGNORECASE)
_WESTERN_YEAR = re.compile(r"^(?:FY)?(\d{4})(年度|年)?$", re.IGNORECASE)
_UNITS = {"億": 100_000_000, "万": 10_000, "千": 1_000}


class ImportProblemsError(ExportError):
    """A file to import has problems; ``problems`` lists each one (nothing was imported)."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        super().__init__("import_problems_error", count=len(problems))
        self.problems = list(problems)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems,))


@dataclass(frozen=True)
class ImportProblem:
    """One problem in a file: where (row, column) and what (a catalog key and parameters)."""

    row: int | None
    column: str | None
    message_key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def format(self, lang: str | None = None, *, file: str = "") -> str:
        message = t(self.message_key, lang, **self.params)
        if self.row is None:
            return t("import_file_problem", lang, file=file or "-", message=message)
        return t("import_problem", lang, row=self.row, column=self.column, message=message)


@dataclass(frozen=True)
class IssueTable:
    """A spreadsheet as read: its encoding, header and rows (with their file row numbers)."""

    encoding: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]


@dataclass(frozen=True)
class ImportResult:
    slug: str
    encoding: str
    keys: list[str]


# ---------------------------------------------------------------------- reading files
def detect_encoding(data: bytes) -> str | None:
    """``utf-8-sig`` (BOM), ``utf-8`` or ``cp932``, whichever decodes; ``None`` if none does.

    UTF-8 is tried first: CP932 text is almost never valid UTF-8, while UTF-8 Japanese text
    often happens to be valid CP932 (and would turn into mojibake).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp932"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def read_issue_table(path: str | Path, *, sheet: str | None = None) -> IssueTable:
    """Read a ``.csv`` or ``.xlsx`` file: header (row 1) and the non-empty rows after it."""
    source = Path(path)
    suffix = source.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(source, sheet)
    if suffix not in (".csv", ".txt", ".tsv"):
        raise ImportProblemsError(
            [ImportProblem(None, None, "import_unknown_type", {"suffix": suffix})]
        )
    data = source.read_bytes()
    encoding = detect_encoding(data)
    if encoding is None:
        raise ImportProblemsError([ImportProblem(None, None, "import_unreadable")])
    content = data.decode(encoding)
    dialect = "excel-tab" if suffix == ".tsv" else "excel"
    records = list(csv.reader(io.StringIO(content, newline=""), dialect=dialect))
    return _table(encoding, [(n, list(r)) for n, r in enumerate(records, start=1)])


def _read_xlsx(path: Path, sheet: str | None) -> IssueTable:
    from openpyxl import load_workbook  # type: ignore[import-untyped,unused-ignore]

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not XLSX
        raise ImportProblemsError(
            [ImportProblem(None, None, "import_not_xlsx", {"detail": type(error).__name__})]
        ) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ImportProblemsError(
                [
                    ImportProblem(
                        None,
                        None,
                        "import_unknown_sheet",
                        {"sheet": sheet, "sheets": ", ".join(book.sheetnames)},
                    )
                ]
            )
        worksheet = book[sheet] if sheet else book.worksheets[0]
        records = [
            (n, list(values))
            for n, values in enumerate(worksheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()
    return _table("xlsx", records)


def _table(encoding: str, records: list[tuple[int, list[Any]]]) -> IssueTable:
    def empty(values: list[Any]) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)

    if not records or empty(records[0][1]):
        raise ImportProblemsError([ImportProblem(None, None, "import_empty")])
    header = ["" if v is None else str(v).strip() for v in records[0][1]]
    rows = [(n, values) for n, values in records[1:] if not empty(values)]
    return IssueTable(encoding, header, rows)


# ---------------------------------------------------------------------- checking rows
def _header_key(text_value: str) -> str:
    """A header as compared: NFKC, lower case, no bracketed note, single spaces."""
    value = unicodedata.normalize("NFKC", text_value).lower()
    value = re.sub(r"\(.*?\)|（.*?）|\[.*?\]", "", value)
    return " ".join(value.split())


def column_fields(
    header: Sequence[str], mapping: Mapping[str, str] | None = None
) -> tuple[dict[int, str], list[ImportProblem]]:
    """Which column holds which field: the explicit ``mapping`` first, then the aliases."""
    problems: list[ImportProblem] = []
    found: dict[int, str] = {}
    given = dict(mapping or {})
    for column, wanted in given.items():
        if wanted not in IMPORT_FIELDS:
            problems.append(
                ImportProblem(
                    None,
                    None,
                    "import_bad_map",
                    {"value": f"{column}={wanted}", "fields": ", ".join(IMPORT_FIELDS)},
                )
            )
            continue
        matches = [i for i, h in enumerate(header) if h == column]
        if not matches:
            problems.append(
                ImportProblem(
                    None,
                    None,
                    "import_map_unknown_column",
                    {"column": column, "columns": ", ".join(header)},
                )
            )
            continue
        found[matches[0]] = wanted
    aliases = {alias: name for name, names in HEADER_ALIASES.items() for alias in names}
    exact: set[int] = set(found)
    for index, heading in enumerate(header):
        if index in found or heading in given:
            continue
        name = aliases.get(_header_key(heading))
        if name is not None:
            found[index] = name
            if " ".join(unicodedata.normalize("NFKC", heading).lower().split()) in aliases:
                exact.add(index)
    by_field: dict[str, list[int]] = {}
    for index, name in found.items():
        by_field.setdefault(name, []).append(index)
    for name, indexes in list(by_field.items()):
        # "費用" and "コスト（0〜1）" both mean cost; the heading without a note wins.
        plain = [i for i in indexes if i in exact]
        if len(indexes) > 1 and len(plain) == 1:
            by_field[name] = plain
            for index in indexes:
                if index not in plain:
                    del found[index]
    for name, indexes in by_field.items():
        if len(indexes) > 1:
            problems.append(
                ImportProblem(
                    None,
                    None,
                    "import_duplicate_column",
                    {"field": name, "columns": ", ".join(header[i] for i in indexes)},
                )
            )
    if "title" not in by_field:
        problems.append(
            ImportProblem(None, None, "import_no_title_column", {"columns": ", ".join(header)})
        )
    return found, problems


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = str(value).strip()
    # An id the CSV export wrote as a text formula so that a spreadsheet keeps it: ="001".
    literal = _TEXT_FORMULA.match(result)
    if literal:
        return literal.group(1)
    # Undo the formula neutralisation of Ureshii's own CSV export ('=… → =…).
    if len(result) > 1 and result[0] == "'" and result[1] in "=+-@":
        result = result[1:]
    return result


def _amount_text(value: Any) -> tuple[str, int]:
    """A cell's text as a bare number and its unit factor: ``"1.15億円"`` → ``("1.15", 10**8)``
    (full-width digits, separators, 円 and ¥ removed)."""
    raw = unicodedata.normalize("NFKC", str(value)).strip()
    raw = raw.replace(",", "").replace("円", "").replace("¥", "").replace(" ", "")
    if raw and raw[-1] in _UNITS:
        return raw[:-1], _UNITS[raw[-1]]
    return raw, 1


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        raw, factor = _amount_text(value)
        number = float(raw) * factor
    if math.isnan(number) or math.isinf(number):
        raise ValueError(value)
    return number


# What each amount problem (toolkit.money) is called in a row problem.
_COST_PROBLEMS = {
    "amount_not_number": "import_not_number",
    "amount_not_finite": "import_not_number",
    "amount_negative": "import_negative_cost",
    "amount_too_large": "import_cost_too_large",
    "amount_too_precise": "import_cost_too_precise",
}


def _cost(value: Any) -> int | float | Decimal:
    """A cost cell as an amount: a number cell as it is, text exactly (``1.15億`` is
    115,000,000, not the float product 114999999.99999999); ``ValueError`` when the text is
    not a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raw, factor = _amount_text(value)
    try:
        return Decimal(raw) * factor
    except InvalidOperation:
        raise ValueError(value) from None


def _year(value: Any) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1900 <= value <= 2200:
            return int(value)
        raise ValueError(value)
    raw = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    era = _ERA_YEAR.match(raw)
    if era:
        n = 1 if era.group(2) == "元" else int(era.group(2))
        return 2018 + n
    western = _WESTERN_YEAR.match(raw)
    if western and 1900 <= int(western.group(1)) <= 2200:
        return int(western.group(1))
    raise ValueError(value)


def _rating(value: Any) -> int:
    number = _number(value)
    if not number.is_integer() or not 1 <= number <= 5:
        raise ValueError(value)
    return int(number)


def _lookup(names: Mapping[str, str]) -> dict[str, str]:
    """Name or key (NFKC, case-folded) → key."""
    table: dict[str, str] = {}
    for key, name in names.items():
        table[unicodedata.normalize("NFKC", name).casefold().strip()] = key
        table[key.casefold()] = key
    return table


def list_items(cell: str, known: Mapping[str, str]) -> list[str]:
    """The names in a list cell, split at 、 , ; ； ， | and line breaks — except where the
    text across a separator is itself a known name (``known``: normalised name or key → key),
    so the English theme "No waiting, no trip to city hall" or a Japanese name with 「、」
    comes back whole. The longest known run wins; empty items are dropped.

    >>> known = {"no waiting, no trip to city hall": "matanai", "paperless": "paper"}
    >>> list_items("No waiting, no trip to city hall; Paperless", known)
    ['No waiting, no trip to city hall', 'Paperless']
    >>> list_items("a、b", {})
    ['a', 'b']
    """
    pieces = _LIST_SEPARATORS.split(cell)
    separators = [*_LIST_SEPARATORS.findall(cell), ""]
    # A run can only be a name if it spans no more separators than some name has: this keeps
    # a hostile cell of 10,000 commas linear instead of cubic.
    span = max((len(_LIST_SEPARATORS.findall(name)) for name in known), default=0)

    def run(first: int, last: int) -> str:  # pieces first..last with the separators between
        return "".join(
            pieces[n] + (separators[n] if n < last else "") for n in range(first, last + 1)
        )

    items: list[str] = []
    start = 0
    while start < len(pieces):
        end = next(
            (
                last
                for last in range(min(len(pieces) - 1, start + span), start, -1)
                if unicodedata.normalize("NFKC", run(start, last)).casefold().strip() in known
            ),
            start,
        )
        if run(start, end).strip():
            items.append(run(start, end).strip())
        start = end + 1
    return items


def plan_issue_import(
    store: Store,
    slug: str,
    table: IssueTable,
    mapping: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Check every row; return the issues to insert, or raise with EVERY problem found."""
    columns, problems = column_fields(table.header, mapping)
    if not table.rows:
        problems.append(ImportProblem(None, None, "import_no_rows"))
    if problems:
        raise ImportProblemsError(problems)
    themes = {th.key: th.name for th in store.themes(slug)}
    holders = {sh.key: sh.name for sh in store.stakeholders(slug)}
    theme_lookup, holder_lookup = _lookup(themes), _lookup(holders)
    existing = {i.key for i in store.issues(slug)}
    seen_keys: dict[str, int] = {}
    planned: list[dict[str, Any]] = []
    for row_number, values in table.rows:
        item: dict[str, Any] = {"themes": [], "stakeholders": []}
        for index, name in columns.items():
            raw = values[index] if index < len(values) else None
            where = table.header[index]

            def problem(
                key: str, row: int = row_number, column: str = where, **params: Any
            ) -> None:
                problems.append(ImportProblem(row, column, key, params))

            cell = _text(raw)
            if name == "title":
                if not cell:
                    problem("import_required")
                elif len(cell) > TITLE_LIMIT:
                    problem("import_too_long", length=len(cell), limit=TITLE_LIMIT)
                item["title"] = cell
            elif name == "description":
                if len(cell) > DESCRIPTION_LIMIT:
                    problem("import_too_long", length=len(cell), limit=DESCRIPTION_LIMIT)
                item["description"] = cell
            elif not cell:
                continue
            elif name == "key":
                if not _KEY_PATTERN.match(cell):
                    problem("import_bad_key", value=cell)
                elif cell in seen_keys:
                    problem("import_duplicate_key", value=cell, other=seen_keys[cell])
                elif cell in existing:
                    problem("import_existing_key", value=cell)
                else:
                    seen_keys[cell] = row_number
                item["id"] = cell
            elif name == "cost":
                try:
                    amount = _cost(raw if not isinstance(raw, str) else cell)
                except ValueError:
                    problem("import_not_number", value=cell)
                    continue
                found = amount_problem(amount)
                if found is not None:  # toolkit.money's rule, as at every door
                    key, params = found
                    problem(_COST_PROBLEMS[key], **{**params, "value": cell})
                    continue
                item["cost"] = float(exact_amount(amount))  # the store keeps costs as floats
            elif name == "year":
                try:
                    item["year"] = _year(raw if not isinstance(raw, str) else cell)
                except ValueError:
                    problem("import_bad_year", value=cell)
            elif name in ("current", "ideal"):
                try:
                    item[name] = _rating(raw if not isinstance(raw, str) else cell)
                except ValueError:
                    problem("import_bad_rating", value=cell)
            else:  # themes, stakeholders
                lookup, known, message = (
                    (theme_lookup, themes, "import_unknown_theme")
                    if name == "themes"
                    else (holder_lookup, holders, "import_unknown_stakeholder")
                )
                for part in list_items(cell, lookup):
                    wanted = unicodedata.normalize("NFKC", part).casefold().strip()
                    if wanted not in lookup:
                        problem(message, value=part.strip(), allowed=", ".join(known.values()))
                    elif lookup[wanted] not in item[name]:
                        item[name].append(lookup[wanted])
        item.setdefault("title", "")
        planned.append(item)
    if problems:
        raise ImportProblemsError(problems)
    taken = existing | set(seen_keys)
    for item in planned:
        if "id" not in item:
            item["id"] = _new_key(item["title"], taken)
            taken.add(item["id"])
    return planned


def _new_key(title: str, taken: set[str]) -> str:
    """A key from the title, like the store makes them (``issue``, ``issue-2`` … for ja)."""
    base = _KEY_CLEAN.sub("-", title.lower()).strip("-")[:40] or "issue"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def write_issues(store: Store, slug: str, items: Sequence[Mapping[str, Any]]) -> list[str]:
    """Insert ``items`` (already checked) in ONE transaction, with an event per issue.

    Any failure — a database constraint, a key taken meanwhile by another screen — rolls
    the whole transaction back, so either every issue is in the store or none is.
    """
    return store.add_issues(slug, items, actor="facilitator", source="import")


def import_issues(
    store: Store,
    slug: str,
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Import issues from a CSV/XLSX file into workshop ``slug``: all rows or none.

    Raises :class:`ImportProblemsError` listing every problem (``row N, column X: …``).

    >>> import_issues(store, "dx-2026", "issues.csv", mapping={"施策名": "title"})  # doctest: +SKIP
    """
    table = read_issue_table(path, sheet=sheet)
    items = plan_issue_import(store, slug, table, mapping)
    return ImportResult(slug, table.encoding, write_issues(store, slug, items))
