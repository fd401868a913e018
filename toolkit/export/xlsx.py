"""The workbook (XLSX, openpyxl): backlog, method charter, scores, votes, happiness map, log.

Every sheet has a frozen, bold header row, filters on its table, column widths fitted to
the content (Japanese characters count double) and a Japanese font (游ゴシック / Yu Gothic),
so it opens ready to read in Japanese Excel. Sheets are written in openpyxl's write-only
mode, which streams rows and keeps a 1,000-issue workbook fast.
"""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped,unused-ignore]
from openpyxl.cell.cell import Cell  # type: ignore[import-untyped,unused-ignore]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped,unused-ignore]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped,unused-ignore]
from openpyxl.utils.indexed_list import IndexedList  # type: ignore[import-untyped,unused-ignore]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped,unused-ignore]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped,unused-ignore]

from toolkit.ballots import rule_name
from toolkit.export._common import (
    Names,
    backlog_table,
    consent_text,
    export_lang,
    export_zone,
    label,
    measured_by_text,
    payload_text,
    review_subject,
    tie_break_name,
    weights_text,
    year_text,
)
from toolkit.fiscal import FiscalPeriod, fiscal_year_era
from toolkit.indicators import status_name
from toolkit.methods.registry import method_name
from toolkit.times import as_utc, zone_suffix

#: Anonymous score rows written to their own sheet. Beyond this, openpyxl's per-cell cost
#: (~15 µs) would dominate the export (90,000 rows ≈ 4 s) for a sheet nobody reads by eye;
#: the sheet then says where the rows are (the JSON export carries all of them).
RAW_SCORES_LIMIT = 25_000
FONT_NAME = {"ja": "游ゴシック", "en": "Yu Gothic"}
_SHIFTJIS_CHARSET = 128
_HEADER_FILL = PatternFill("solid", fgColor="FCE8E0")
#: The roadmap's bars (the charts' calm blue; the ■ in the same colour shows when printed).
_BAR_COLOUR = "1D4F91"
_BAR_FILL = PatternFill("solid", fgColor=_BAR_COLOUR)
_ERA_INITIALS = {"令和": "R", "平成": "H"}
_WIDTH_SAMPLE = 300
#: The widest a column grows (characters; a CJK character counts 2); longer texts wrap.
_MAX_WIDTH = 60
_WRAP = Alignment(wrap_text=True, vertical="top")
_NUMBER_FORMATS = {"score": "0.000", "share": "0.0%", "money": "#,##0", "int": "0"}


def _display_width(value: Any) -> int:
    if isinstance(value, Cell):  # a time: its date, then the zone (about 14 wide); a day
        if isinstance(value.value, datetime):
            return 19 + 14
        return 10 if isinstance(value.value, date) else _display_width(value.value)
    text_value = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text_value)


class _Sheet:
    """One write-only sheet with a styled header, filters, frozen panes and fitted widths.

    A write-only sheet writes its column widths and panes before its first row, so rows
    are collected and streamed out in :meth:`finish`, once the widths are known.
    """

    def __init__(self, book: Workbook, title: str, font: Font, zone: tzinfo, lang: str) -> None:
        self.sheet: WriteOnlyWorksheet = book.create_sheet(title[:31])
        self.font = font
        self.zone = zone
        self.lang = lang
        self.bold = Font(name=font.name, charset=_SHIFTJIS_CHARSET, bold=True)
        self.bar_font = Font(name=font.name, charset=_SHIFTJIS_CHARSET, color=_BAR_COLOUR)
        self.widths: list[int] = []
        self.pending: list[list[Any]] = []

    @property
    def rows(self) -> int:
        return len(self.pending)

    def fit(self, values: Sequence[Any]) -> None:
        if self.rows > _WIDTH_SAMPLE:
            return
        for n, value in enumerate(values):
            width = min(_MAX_WIDTH, _display_width(value) + 2)
            if n >= len(self.widths):
                self.widths.append(width)
            elif width > self.widths[n]:
                self.widths[n] = width

    def header(self, values: Sequence[Any]) -> None:
        cells = []
        for value in values:
            cell = WriteOnlyCell(self.sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a theme named "=…" is a column title, not a formula
            cell.font = self.bold
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(cell)
        self.fit(values)
        self.pending.append(cells)

    def text(self, value: str) -> Any:
        """A text cell that stays text: openpyxl would store ``=…`` as a formula (formula
        injection from a card or an issue title), so such a cell is typed as a string. A
        text with line breaks, or longer than a column may grow, wraps: otherwise Excel and
        Calc show only its last line, or clip it at the column's edge."""
        # (the width is counted only for a text that could be too wide: most cells are ids)
        wraps = "\n" in value or (
            2 * len(value) > _MAX_WIDTH and _display_width(value) > _MAX_WIDTH
        )
        if not value.startswith("=") and not wraps:
            return value
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.data_type = "s"
        if wraps:
            cell.alignment = _WRAP
        return cell

    def time(self, value: str | None) -> Any:
        """A time as a date cell Excel can sort and compute with, in the workshop's zone;
        Excel keeps no zone, so the cell's number format shows it, e.g. ``2026-03-01
        14:05:00（JST、UTC+9）``: a reader never takes a UTC time for local time."""
        if value is None:
            return None
        local = as_utc(value).astimezone(self.zone)
        cell = WriteOnlyCell(self.sheet, value=local.replace(tzinfo=None))
        suffix = zone_suffix(local, self.lang).replace('"', "")
        cell.number_format = f'yyyy-mm-dd hh:mm:ss"{suffix}"'
        return cell

    def bar(self) -> Any:
        """A cell of a chart drawn in cells (the roadmap): filled, with a ■ for print."""
        cell = WriteOnlyCell(self.sheet, value="■")
        cell.fill = _BAR_FILL
        cell.font = self.bar_font
        cell.alignment = Alignment(horizontal="center")
        return cell

    def day(self, value: str | None) -> Any:
        """A calendar day (``YYYY-MM-DD`` in the summary) as a date cell."""
        if value is None:
            return None
        cell = WriteOnlyCell(self.sheet, value=date.fromisoformat(value))
        cell.number_format = "yyyy-mm-dd"
        return cell

    def row(self, values: Sequence[Any], formats: Sequence[str | None] = ()) -> None:
        if "time" in formats or "day" in formats:
            values = [
                self.time(v) if fmt == "time" else self.day(v) if fmt == "day" else v
                for v, fmt in zip(values, [*formats, *[None] * len(values)], strict=False)
            ]
        self.fit(values)
        if not formats:
            self.pending.append([self.text(v) if isinstance(v, str) else v for v in values])
            return
        cells: list[Any] = []
        for value, fmt in zip(values, [*formats, *[None] * len(values)], strict=False):
            if isinstance(value, Cell):
                cells.append(value)
            elif fmt == "id" and isinstance(value, str):
                # Text format (@): an id such as 001 stays 001 when a cell is edited in Excel.
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.data_type, cell.number_format = "s", "@"
                cells.append(cell)
            elif isinstance(value, str):
                cells.append(self.text(value))
            elif fmt is None or not isinstance(value, int | float):
                cells.append(value)
            else:
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.number_format = _NUMBER_FORMATS[fmt]
                cells.append(cell)
        self.pending.append(cells)

    def finish(self, *, filters: bool = True, freeze: str = "A2") -> None:
        """Set widths, panes, filters and the print setup, then write the rows.

        Printed, every sheet is A4 landscape, as wide as one page (as many pages long as it
        needs), with its header row repeated on each page: the 12-row backlog is one page
        instead of eleven.
        """
        setup = self.sheet.page_setup
        setup.orientation = "landscape"
        setup.paperSize = Worksheet.PAPERSIZE_A4
        setup.fitToWidth, setup.fitToHeight = 1, 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        self.sheet.print_title_rows = "1:1"
        for n, width in enumerate(self.widths, start=1):
            self.sheet.column_dimensions[get_column_letter(n)].width = max(6, width)
        self.sheet.freeze_panes = freeze
        if filters and self.widths and self.rows > 1:
            self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(self.widths))}{self.rows}"
        for row in self.pending:
            self.sheet.append(row)
        self.pending = []


def render_xlsx(
    summary: dict[str, Any],
    *,
    lang: str | None = None,
    surveys: Sequence[dict[str, Any]] | None = None,
) -> bytes:
    """The workbook as bytes. With surveys, three more sheets (before the audit log): the
    questions, the anonymous answers (from ``surveys``, ``toolkit.export.surveys.survey_data``)
    and the results with the before/after comparisons."""
    language = export_lang(summary, lang)
    names = Names(summary, language)
    font = Font(name=FONT_NAME[language], charset=_SHIFTJIS_CHARSET, size=11)
    zone = export_zone(summary)
    book = Workbook(write_only=True)
    # The default font of every cell is font 0 of the workbook's font table: make it the
    # Japanese one, so that unstyled cells (most of them) are not shown in Calibri.
    book._fonts = IndexedList([font])  # openpyxl has no public setter for this

    def sheet(key: str) -> _Sheet:
        return _Sheet(book, label(f"sheet_{key}", language), font, zone, language)

    _backlog(sheet("backlog"), summary, language)
    _charter(sheet("charter"), summary, language, names)
    _score_stats(sheet("scores"), summary, language, names)
    _score_rows(sheet("score_rows"), summary, language)
    _votes(sheet("votes"), summary, language, names)
    _ballots(sheet("ballots"), summary, language, names)
    _happiness(sheet("happiness"), summary, language, names)
    _roadmap(sheet("roadmap"), summary, language, names)
    _indicators(sheet("indicators"), summary, language, names)
    _measurements(sheet("measurements"), summary, language)
    _reviews(sheet("reviews"), summary, language, names)
    _surveys(sheet, summary, surveys, language)
    _audit(sheet("audit"), summary, language)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _backlog(out: _Sheet, summary: dict[str, Any], lang: str) -> None:
    header, rows = backlog_table(summary, lang)
    criteria = len(summary["charter"]["weights"]) if summary["charter"] else 0
    formats: list[str | None] = [
        "int",
        "id",
        None,
        None,  # description
        "score",
        "share",
        None,
        "score",
        "int",
        None,
        None,
        "money",
        "int",
        "int",
        "int",
        "int",
    ]
    formats += ["score"] * criteria
    formats += [None] * (len(header) - len(formats) - 1) + ["time"]  # the charter's lock time
    out.header(header)
    for row in rows:
        out.row(row, formats)
    out.finish(freeze="D2")


def _charter(out: _Sheet, summary: dict[str, Any], lang: str, names: Names) -> None:
    charter = summary["charter"]
    out.header([label("col_item", lang), label("col_value", lang)])
    info: list[tuple[str, Any]] = [
        (label("label_workshop", lang), summary["workshop"]["title"]),
    ]
    if charter is None:
        info.append((label("col_method", lang), label("charter_none", lang)))
    else:
        info += [
            (label("col_charter_version", lang), charter["version"]),
            (label("col_method", lang), method_name(charter["method"], lang)),
            (label("col_weights", lang), weights_text(charter["weights"], names)),
            (label("col_tie_break", lang), tie_break_name(charter["tie_break"], lang)),
            (label("col_consent", lang), consent_text(charter["consent"], lang)),
            (label("col_locked_at", lang), out.time(charter["locked_at"])),
            (label("col_reason", lang), charter["reason"] or label("none", lang)),
        ]
    info += [
        (label("label_rule", lang), label("scoring_convention", lang)),
        (
            label("privacy_note", lang, n=summary["privacy"]["min_group_size"]),
            label("verify_hint", lang),
        ),
    ]
    for row in info:
        out.row(row)
    out.row([])
    out.row(
        [
            label("col_criterion", lang),
            label("col_weight", lang),
            label("col_direction", lang),
            label("col_scale", lang),
            label("col_key", lang),
        ]
    )
    weights = charter["weights"] if charter else {}
    for c in summary["criteria"]:
        out.row(
            [
                c["name"],
                weights.get(c["key"]),
                label(f"direction_{c['direction']}", lang),
                f"{c['scale'][0]}–{c['scale'][1]}",
                c["key"],
            ],
            [None, "share"],
        )
    out.row([])
    out.row(
        [
            label("col_version", lang),
            label("col_method", lang),
            label("col_weights", lang),
            label("col_locked_at", lang),
            label("col_reason", lang),
            label("col_consent", lang),
        ]
    )
    for version in summary["charter_history"]:
        out.row(
            [
                version["version"],
                method_name(version["method"], lang),
                weights_text(version["weights"], names),
                version["locked_at"],
                version["reason"],
                consent_text(version["consent"], lang),
            ],
            [None, None, None, "time"],
        )
    out.finish(filters=False)


def _score_stats(out: _Sheet, summary: dict[str, Any], lang: str, names: Names) -> None:
    out.header(
        [
            label("col_key", lang),
            label("col_title", lang),
            label("col_criterion", lang),
            label("col_answers", lang),
            label("col_dont_know", lang),
            label("col_mean", lang),
            label("col_median", lang),
            label("col_scaled", lang),
        ]
    )
    # No per-cell number formats here: values are already rounded, and styled cells cost
    # openpyxl about twice as much (this sheet has issues × criteria rows).
    for issue, criterion, answers, dont_know, mean, median, scaled in summary["score_stats"][
        "rows"
    ]:
        out.row(
            [
                issue,
                names.issues.get(issue, issue),
                names.criteria.get(criterion, criterion),
                answers,
                dont_know,
                mean,
                median,
                scaled,
            ]
        )
    out.finish(freeze="C2")


def _score_rows(out: _Sheet, summary: dict[str, Any], lang: str) -> None:
    out.header(
        [
            label("col_rater", lang),
            label("col_key", lang),
            label("col_criterion", lang),
            label("col_score", lang).split("（")[0].split(" (")[0],
        ]
    )
    rows = summary["scores"]["rows"]
    if len(rows) > RAW_SCORES_LIMIT:
        out.row([label("raw_scores_elsewhere", lang, count=len(rows), limit=RAW_SCORES_LIMIT)])
        out.finish(filters=False)
        return
    out.fit(["0000", "x" * 20, "x" * 16, "0.0"])
    out.pending += rows
    out.finish()


def _votes(out: _Sheet, summary: dict[str, Any], lang: str, names: Names) -> None:
    out.header(
        [
            label("col_ballot", lang),
            label("col_rule", lang),
            label("col_status", lang),
            label("col_votes", lang),
            label("col_order", lang),
            label("col_option", lang),
            label("col_points", lang),
            label("col_selected", lang),
        ]
    )
    for ballot in summary["ballots"]:
        common = [
            ballot["title"],
            rule_name(ballot["rule"], lang),
            label(f"status_{ballot['status']}", lang),
            ballot["votes"],
        ]
        tally = ballot["tally"]
        if tally is None:
            note = (
                label("hidden_results", lang, votes=ballot["votes"])
                if not ballot["results_visible"]
                else label("none", lang)
            )
            out.row([*common, None, note, None, None])
            continue
        selected = tally.get("selected")
        ordered = list(tally["order"]) + [o for o in tally["points"] if o not in tally["order"]]
        for place, option in enumerate(ordered, start=1):
            out.row(
                [
                    *common,
                    place if option in tally["order"] else None,
                    names.option(option),
                    tally["points"].get(option),
                    None if selected is None else yes_no_text(option in selected, lang),
                ]
            )
    out.finish()


def yes_no_text(value: bool, lang: str) -> str:
    return label("yes" if value else "no", lang)


def _ballots(out: _Sheet, summary: dict[str, Any], lang: str, names: Names) -> None:
    out.header([label("col_ballot", lang), label("col_ballot_no", lang), label("col_vote", lang)])
    for ballot in summary["ballots"]:
        for n, payload in enumerate(ballot["payloads"] or [], start=1):
            out.row([ballot["title"], n, payload_text(payload, names)])
    out.finish()


def _happiness(out: _Sheet, summary: dict[str, Any], lang: str, names: Names) -> None:
    grid = summary["happiness_map"]
    out.header([label("col_stakeholder", lang), *[names.theme(k) for k in grid["themes"]]])
    for key, counts in zip(grid["stakeholders"], grid["counts"], strict=True):
        out.row([names.stakeholder(key), *counts])
    out.row([])
    out.row([label("col_theme", lang), label("col_cards", lang), label("col_dots", lang)])
    for theme in summary["themes"]:
        out.row([theme["name"], theme["cards"], theme["dots"]])
    out.row([])
    out.row([label("col_text", lang), label("col_stakeholder", lang), label("col_theme", lang)])
    for card in summary["cards"]:
        out.row([card["text"], names.stakeholder(card["stakeholder"]), names.theme(card["theme"])])
    out.finish(filters=False, freeze="B2")


def quarter_heading(quarter: FiscalPeriod, lang: str) -> str:
    """A short heading for a quarter column of the roadmap's chart: ``R8 Q1``, ``FY26 Q1``.

    >>> quarter_heading(FiscalPeriod(2026, 1), "ja"), quarter_heading(FiscalPeriod(2018, 4), "en")
    ('R8 Q1', 'FY18 Q4')
    """
    if lang == "ja":
        era, number = fiscal_year_era(quarter.year)
        return f"{_ERA_INITIALS.get(era, era)}{number} Q{quarter.quarter}"
    return f"FY{quarter.year % 100:02d} Q{quarter.quarter}"


def _roadmap(out: _Sheet, summary: dict[str, Any], lang: str, names: Names) -> None:
    """The roadmap items by fiscal period (with the agreed rank), then the issues not on it
    by the year they were given. To the right, the roadmap as a chart of cells (a Gantt
    chart): one column per fiscal quarter, a filled ■ cell for each quarter an item covers,
    so it shows on screen and on a black-and-white print alike."""
    items = (summary.get("followup") or {}).get("roadmap", [])
    quarters: list[FiscalPeriod] = []
    if items:
        first = min(item["year"] for item in items)
        last = max(item["year"] for item in items)
        quarters = [FiscalPeriod(y, q) for y in range(first, last + 1) for q in range(1, 5)]
    columns = (
        "period",
        "rank",
        "title",
        "owner_department",
        "budget_line",
        "start",
        "end",
        "review_on",
        "depends_on",
        "key",
    )
    out.header(
        [label(f"col_{c}", lang) for c in columns] + [quarter_heading(q, lang) for q in quarters]
    )
    formats = [None, None, None, None, None, "day", "day", "day"]
    for item in items:
        depends = names.join([names.issues.get(k, k) for k in item["depends_on"]])
        start, end = date.fromisoformat(item["start"]), date.fromisoformat(item["end"])
        bars = [out.bar() if start <= q.start and q.end <= end else None for q in quarters]
        out.row(
            [
                item["period"][lang],
                item["rank"],
                item["title"],
                item["owner_department"],
                item["budget_line"],
                item["start"],
                item["end"],
                item["review_on"],
                depends,
                item["issue"],
                *bars,
            ],
            formats,
        )
    on_roadmap = {item["issue"] for item in items}
    ranks = {r["key"]: r["rank"] for r in summary["ranking"]}
    for year in summary["roadmap"]:
        for key in year["issues"]:
            if key not in on_roadmap:
                title = names.issues.get(key, key)
                out.row([year_text(year["year"], lang), ranks.get(key), title, *[None] * 6, key])
    out.finish()


def _indicators(out: _Sheet, summary: dict[str, Any], lang: str, names: Names) -> None:
    """Each indicator with its baseline, target, latest value and computed status."""
    followup = summary.get("followup") or {}
    out.header(
        [
            label(f"col_{c}", lang)
            for c in (
                "title",
                "indicator",
                "unit",
                "better",
                "baseline",
                "baseline_on",
                "target",
                "target_on",
                "latest",
                "measured_on",
                "indicator_status",
                "progress",
                "expected",
                "source",
                "measured_by",
                "key",
            )
        ]
    )
    formats = [None, None, None, None, None, "day", None, "day", None, "day", None, "share"]
    formats += ["share"]
    for found in followup.get("indicators", []):
        latest = found["latest"]
        out.row(
            [
                names.issues.get(found["issue"], found["issue"]),
                found["name"],
                found["unit"],
                label(f"better_{found['direction']}", lang),
                found["baseline"],
                found["baseline_on"],
                found["target"],
                found["target_on"],
                None if latest is None else latest["value"],
                None if latest is None else latest["measured_on"],
                status_name(found["status"], lang),
                found["progress"],
                found["expected"],
                found["source"],
                measured_by_text(found, summary, lang) or None,
                found["key"],
            ],
            formats,
        )
    if followup:
        out.row([])
        out.row([label("indicators_as_of", lang, day=followup["as_of"])])
    out.finish(filters=False)


def _measurements(out: _Sheet, summary: dict[str, Any], lang: str) -> None:
    """Every measurement, as recorded (append-only in the store)."""
    out.header(
        [
            label(f"col_{c}", lang)
            for c in ("indicator", "measured_on", "value", "note", "entered_by", "key")
        ]
    )
    for found in (summary.get("followup") or {}).get("indicators", []):
        for measured in found["measurements"]:
            out.row(
                [
                    found["name"],
                    measured["measured_on"],
                    measured["value"],
                    measured["note"],
                    measured["entered_by"],
                    found["key"],
                ],
                [None, "day"],
            )
    out.finish()


def _reviews(out: _Sheet, summary: dict[str, Any], lang: str, names: Names) -> None:
    """Every review date (見直し日) of a decision, with its state on the export's day."""
    out.header([label(f"col_{c}", lang) for c in ("review_on", "subject", "review_state", "note")])
    for review in (summary.get("followup") or {}).get("reviews", []):
        out.row(
            [
                review["review_on"],
                review_subject(review, names),
                label(f"review_state_{review['state']}", lang),
                review["note"],
            ],
            ["day"],
        )
    out.finish()


def _audit(out: _Sheet, summary: dict[str, Any], lang: str) -> None:
    out.header(
        [
            label("col_seq", lang),
            label("col_at", lang),
            label("col_kind", lang),
            label("col_actor", lang),
            label("col_payload", lang),
        ]
    )
    for event in summary["audit_log"]:
        out.row(
            [
                event["seq"],
                event["at"],
                event["kind"],
                event["actor"],
                json.dumps(event["payload"], ensure_ascii=False),
            ],
            [None, "time"],
        )
    out.finish()


def _surveys(
    sheet: Any,
    summary: dict[str, Any],
    data: Sequence[dict[str, Any]] | None,
    lang: str,
) -> None:
    """The survey sheets: questions (every survey, with its waves), then per survey its
    anonymous answers and its results (numbered when a workshop has several surveys)."""
    from toolkit.export.surveys import (
        RESULT_COLUMNS,
        RESULT_NUMBERS,
        answers_table,
        definition_table,
        gaps_table,
        private_summary,
        results_table,
        waves_table,
    )

    surveys = private_summary(summary).get("surveys") or []
    if not surveys:
        return
    out = sheet("survey_definition")
    first = True
    for survey in surveys:
        if not first:
            out.row([])
        first = False
        header, rows = definition_table(survey, lang)
        out.header([label("survey_col_survey", lang), survey["title"], survey["key"]])
        out.row(
            [
                label("survey_col_channel", lang),
                label(f"survey_identity_{survey['identity']}", lang),
            ]
        )
        out.row([label("privacy_note", lang, n=survey["min_group_size"])])
        if survey.get("link_code"):
            out.row([label("survey_link_code", lang)])
        out.row([])
        wave_header, wave_rows = waves_table(survey, lang)
        out.row(wave_header)
        for row in wave_rows:
            out.row(row, [None, None, None, "time", "time"])
        out.row([])
        out.row(header)
        for row in rows:
            out.row(row, ["id"])
    out.finish(filters=False)
    answers = {item["key"]: item["rows"] for item in data or []}
    several = len(surveys) > 1
    for n, survey in enumerate(surveys, start=1):
        suffix = f" {n}" if several else ""
        if survey["key"] in answers:
            out = sheet("survey_answers")
            out.sheet.title = out.sheet.title[: 31 - len(suffix)] + suffix
            header, rows = answers_table(survey, answers[survey["key"]], lang)
            out.header(header)
            for row in rows:
                out.row(row)
            out.finish()
        out = sheet("survey_results")
        out.sheet.title = out.sheet.title[: 31 - len(suffix)] + suffix
        header, rows = results_table(survey, lang)
        formats: list[str | None] = [
            RESULT_NUMBERS.get(c) if c != "question_key" else "id" for c in RESULT_COLUMNS
        ]
        formats += [None, "int", "share"] * ((len(header) - len(RESULT_COLUMNS)) // 3)
        out.header(header)
        for row in rows:
            out.row(row, formats)
        gap_header, gap_rows = gaps_table(survey, lang)
        if gap_rows:
            out.row([])
            out.row([label("survey_gaps", lang)])
            out.row(gap_header)
            for row in gap_rows:
                out.row(row, [None, "id"])
        out.finish(filters=not gap_rows, freeze="D2")
