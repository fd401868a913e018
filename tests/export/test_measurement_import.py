"""Importing measurements of indicators from the sheets staff keep (issue 18, item 2):
real CSV files (UTF-8 with a BOM, CP932) and a real XLSX workbook written by openpyxl with
date cells, on SQLite and PostgreSQL; all rows or none; every problem as ``row N, column X``
in Japanese and English; and the installed ``ureshii import-measurements`` command."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.workshop_data import small_workshop
from toolkit.export.imports import ImportProblemsError
from toolkit.export.measurement_import import import_measurements, parse_day
from toolkit.store import Store

SLUG = "tsuru-dx"
URESHII = Path(sys.executable).with_name("ureshii")


def add_indicators(store: Store) -> None:
    store.create_workshop(small_workshop(SLUG))
    store.add_indicator(
        SLUG,
        "madoguchi-konzatsu",
        "窓口待ち時間",
        key="wait",
        unit="分",
        direction="decrease",
        baseline=30,
        baseline_on=date(2024, 4, 1),
        target=15,
        target_on=date(2025, 4, 1),
    )
    store.add_indicator(
        SLUG,
        "madoguchi-konzatsu",
        "オンライン申請率",
        key="online",
        unit="%",
        direction="increase",
        baseline=20,
        baseline_on=date(2024, 4, 1),
        target=60,
        target_on=date(2026, 4, 1),
    )


@pytest.fixture
def ws(empty_store: Store) -> Store:
    add_indicators(empty_store)
    return empty_store


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def stored(store: Store) -> list[tuple[str, str, float, str, str]]:
    return [
        (m.indicator, m.measured_on.isoformat(), m.value, m.note, m.entered_by)
        for m in store.measurements(SLUG)
    ]


# ---------------------------------------------------------------------- good files
def test_a_utf8_bom_csv_with_japanese_headers_and_dates(ws: Store, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "窓口調査.csv",
        [
            ["指標", "測定日", "値（分）", "備考", "入力者"],
            ["wait", "2024-06-01", "28", "", "市民課"],
            ["窓口待ち時間", "2024/7/1", "25分", "夏の繁忙期の前", "市民課"],
            ["オンライン申請率", "令和6年8月1日", "３２％", "", ""],
        ],
        "utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = import_measurements(ws, SLUG, path)
    assert (result.encoding, result.imported, result.skipped) == ("utf-8-sig", 3, 0)
    assert stored(ws) == [
        ("wait", "2024-06-01", 28.0, "", "市民課"),
        ("wait", "2024-07-01", 25.0, "夏の繁忙期の前", "市民課"),
        # No one named in the row: the file's name says where it came from.
        ("online", "2024-08-01", 32.0, "", "窓口調査.csv"),
    ]


def test_a_cp932_csv_with_english_headers(ws: Store, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "survey.csv",
        [
            ["Indicator", "Date", "Value", "Note", "Entered by"],
            ["窓口待ち時間", "R6.9.1", "1,200", "集計ミスを訂正した値", "情報政策課"],
            ["online", "2024年10月1日", "41.5", "", "情報政策課"],
        ],
        "cp932",
    )
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really CP932, not UTF-8
    result = import_measurements(ws, SLUG, path)
    assert (result.encoding, result.imported) == ("cp932", 2)
    assert stored(ws) == [
        ("wait", "2024-09-01", 1200.0, "集計ミスを訂正した値", "情報政策課"),
        ("online", "2024-10-01", 41.5, "", "情報政策課"),
    ]


def test_an_xlsx_with_real_date_cells_imported_twice(ws: Store, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "測定値"
    sheet.append(["指標", "日付", "測定値", "メモ", "担当者"])
    sheet.append(["wait", datetime(2024, 5, 1), 29, "", "市民課"])
    sheet.append(["online", date(2024, 5, 1), 22.5, "初回", "市民課"])
    sheet.append(["wait", "2024年6月3日", 27, "", "市民課"])
    path = tmp_path / "測定値.xlsx"
    book.save(path)
    # The cells are dates in the workbook, as Excel writes them, not text.
    cells = load_workbook(path)["測定値"]
    assert cells["B2"].is_date and cells["B3"].is_date and not cells["B4"].is_date

    result = import_measurements(ws, SLUG, path)
    assert (result.encoding, result.imported, result.skipped) == ("xlsx", 3, 0)
    assert stored(ws) == [
        ("wait", "2024-05-01", 29.0, "", "市民課"),  # by date, then in the sheet's order
        ("online", "2024-05-01", 22.5, "初回", "市民課"),
        ("wait", "2024-06-03", 27.0, "", "市民課"),
    ]

    # The same sheet a month later, one row longer: only the new row is added.
    sheet.append(["wait", datetime(2024, 7, 1), 24, "", "市民課"])
    book.save(path)
    again = import_measurements(ws, SLUG, path)
    assert (again.imported, again.skipped) == (1, 3)
    assert len(stored(ws)) == 4


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-04-01", date(2026, 4, 1)),
        ("2026/4/1", date(2026, 4, 1)),
        ("２０２６／４／１", date(2026, 4, 1)),
        ("2026年4月1日", date(2026, 4, 1)),
        ("令和8年4月1日", date(2026, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("R8.4.1", date(2026, 4, 1)),
        ("r8/4/1", date(2026, 4, 1)),
        ("2026/04/01 0:00:00", date(2026, 4, 1)),
    ],
)
def test_dates_as_offices_write_them(text: str, day: date) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize(
    "text", ["2026-02-30", "令和元年4月30日", "平成31年5月1日", "4/1", "2026-04", "令和8年度", ""]
)
def test_days_that_do_not_exist_or_are_not_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_day(text)


# ---------------------------------------------------------------------- problems
BAD_ROWS = [
    ["指標", "日付", "値", "備考"],
    ["wait", "2024-06-01", "28", "正しい行"],
    ["待ち時間", "2024-06-01", "28", ""],
    ["wait", "2024-02-30", "abc", ""],
    ["online", "2024-03-31", "30", ""],
    ["wait", "", "", ""],
]
PROBLEMS_JA = [
    "3行目、指標列: 指標 '待ち時間' はこのワークショップにありません。"
    "指標: wait (窓口待ち時間), online (オンライン申請率)",
    "4行目、値列: 'abc' は数値ではありません（例: 22、22.5、1,200、85%）",
    "4行目、日付列: '2024-02-30' は日付として読めません"
    "（例: 2026-04-01、2026/4/1、2026年4月1日、令和8年4月1日）",
    "5行目、日付列: 2024-03-31 の測定値は基準値の日付（2024-04-01）より前です。"
    "測定値は基準値からの変化を示すものです。日付を確かめるか、基準値の日付を早めてください。",
    "6行目、値列: 空です。測定値には指標・値・日付がすべて必要です",
    "6行目、日付列: 空です。測定値には指標・値・日付がすべて必要です",
]
PROBLEMS_EN = [
    "row 3, column 指標: no indicator '待ち時間' in this workshop; "
    "indicators: wait (窓口待ち時間), online (オンライン申請率)",
    "row 4, column 値: 'abc' is not a number (e.g. 22, 22.5, 1,200 or 85%)",
    "row 4, column 日付: '2024-02-30' is not a date "
    "(e.g. 2026-04-01, 2026/4/1, 2026年4月1日, 令和8年4月1日)",
    "row 5, column 日付: The measurement of 2024-03-31 is earlier than the baseline of "
    "2024-04-01: a measurement shows the change since the baseline. Check the date, or set "
    "an earlier baseline.",
    "row 6, column 値: empty; every measurement needs an indicator, a value and a date",
    "row 6, column 日付: empty; every measurement needs an indicator, a value and a date",
]


def test_one_bad_row_and_nothing_is_imported(ws: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", BAD_ROWS, "utf-8-sig")
    with pytest.raises(ImportProblemsError) as refused:
        import_measurements(ws, SLUG, path)
    problems = refused.value.problems
    assert [p.format("ja") for p in problems] == PROBLEMS_JA
    assert [p.format("en") for p in problems] == PROBLEMS_EN
    # Row 2 was fine, yet it is not stored either: all rows or none.
    assert stored(ws) == []
    assert [e.kind for e in ws.changes(SLUG)].count("measurement_recorded") == 0


def test_a_date_after_today_is_refused(ws: Store, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "future.csv",
        [["indicator", "date", "value"], ["wait", "2999-1-1", "20"]],
        "utf-8",
    )
    with pytest.raises(ImportProblemsError) as refused:
        import_measurements(ws, SLUG, path)
    (problem,) = refused.value.problems
    assert problem.format("en").startswith(
        "row 2, column date: The measurement is dated 2999-01-01"
    )
    assert problem.format("ja").startswith("2行目、date列: 測定日 2999-01-01 は今日")
    assert stored(ws) == []


def test_missing_columns_are_named(ws: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cols.csv", [["指標", "数量"], ["wait", "3"]], "utf-8")
    with pytest.raises(ImportProblemsError) as refused:
        import_measurements(ws, SLUG, path)
    assert [p.format("en", file="cols.csv") for p in refused.value.problems] == [
        "cols.csv: no column for the measured value; name one 値, 測定値 or value "
        "(columns: 指標, 数量)",
        "cols.csv: no column for the date of the measurement; name one 日付, 測定日 or date "
        "(columns: 指標, 数量)",
    ]


def test_a_name_two_indicators_share_must_be_a_key(ws: Store, tmp_path: Path) -> None:
    ws.add_indicator(
        SLUG,
        "sanres",
        "窓口待ち時間",
        key="wait-2",
        direction="decrease",
        baseline=10,
        baseline_on=date(2024, 4, 1),
        target=5,
        target_on=date(2025, 4, 1),
    )
    path = write_csv(
        tmp_path / "twice.csv",
        [["指標", "日付", "値"], ["窓口待ち時間", "2024-05-01", "8"]],
        "utf-8",
    )
    with pytest.raises(ImportProblemsError) as refused:
        import_measurements(ws, SLUG, path)
    assert [p.format("ja") for p in refused.value.problems] == [
        "2行目、指標列: '窓口待ち時間' という名前の指標が複数あります。"
        "キーで書いてください（wait, wait-2）"
    ]


# ---------------------------------------------------------------------- the installed command
def ureshii(*args: str | Path, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(URESHII), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "URESHII_LANG": lang},
        timeout=120,
        check=False,
    )


def test_the_installed_command_reports_then_imports(tmp_path: Path) -> None:
    database = tmp_path / "town.sqlite"
    with Store.open(database) as store:
        add_indicators(store)
    bad = write_csv(tmp_path / "bad.csv", BAD_ROWS, "cp932")

    # No --lang: the workshop's language (ja), not the computer's (URESHII_LANG=en).
    run = ureshii("import-measurements", database, bad)
    assert run.returncode == 1, run.stderr
    assert run.stdout.splitlines() == [
        *PROBLEMS_JA,
        "何も取り込んでいません。問題が 6 件あります。",
    ]
    run = ureshii(
        "import-measurements", database, bad, "--workshop", SLUG, "--lang", "en", lang="ja"
    )
    assert run.returncode == 1, run.stderr
    assert run.stdout.splitlines() == [*PROBLEMS_EN, "Nothing was imported: 6 problems."]
    with Store.open(database) as store:
        assert stored(store) == []

    good = write_csv(tmp_path / "good.csv", BAD_ROWS[:2], "cp932")
    run = ureshii("import-measurements", database, good)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == (
        "tsuru-dx に測定値を 1 件取り込みました（文字コード cp932 として読み込み）。"
        "記録済みの 0 行は飛ばしました。\n"
    )
    with Store.open(database) as store:
        assert stored(store) == [("wait", "2024-06-01", 28.0, "正しい行", "good.csv")]

    run = ureshii("import-measurements", database, tmp_path / "missing.csv")
    assert run.returncode == 2  # click: the file does not exist
