"""Issue import from the files Japanese offices keep: encodings, mapping, problems, atomicity."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workshop_data import small_workshop
from toolkit.cli import main
from toolkit.errors import InvalidInputError
from toolkit.export.csv_export import write_csv
from toolkit.export.imports import (
    ImportProblemsError,
    import_issues,
    plan_issue_import,
    read_issue_table,
    write_issues,
)
from toolkit.store import Store

SLUG = "tsuru-dx"
HEADER = ["課題", "説明", "現状", "あるべき姿", "費用", "年度", "テーマ", "ステークホルダー"]
GOOD_ROWS = [
    ["公用車運転日報の電子化", "紙の日報をやめる", "2", "4", "300万円", "令和9年度",
     "待たずに済む", "窓口職員"],
    ["市民健診の日程変更受付", "", "", "", "1,200,000円", "２０２６年度",
     "matanai", "子育て世帯、窓口職員"],
    ["有害鳥獣捕獲〜集計フローの最適化", "", "1", "5", "", "R10", "", ""],
]  # fmt: skip


def _write(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def workshop(empty_store: Store) -> Store:
    empty_store.create_workshop(small_workshop(SLUG))
    return empty_store


def _issue_keys(store: Store) -> list[str]:
    return [i.key for i in store.issues(SLUG)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"], ids=str)
def test_each_encoding_is_detected_and_imported(
    workshop: Store, tmp_path: Path, encoding: str
) -> None:
    source = _write(tmp_path / "issues.csv", HEADER, GOOD_ROWS, encoding)
    result = import_issues(workshop, SLUG, source)
    assert result.encoding == encoding
    issues = {i.title: i for i in workshop.issues(SLUG)}
    nippo = issues["公用車運転日報の電子化"]
    assert (nippo.cost, nippo.year, nippo.current, nippo.ideal) == (3_000_000, 2027, 2, 4)
    assert nippo.themes == ("matanai",) and nippo.stakeholders == ("madoguchi",)
    kenshin = issues["市民健診の日程変更受付"]
    assert (kenshin.cost, kenshin.year) == (1_200_000, 2026)
    assert kenshin.stakeholders == ("kosodate", "madoguchi")
    # CP932 has one code for 〜 and ～; Windows (and Python) read it back as ～
    wave = "～" if encoding == "cp932" else "〜"
    assert issues[f"有害鳥獣捕獲{wave}集計フローの最適化"].year == 2028
    assert result.keys == ["issue", "issue-2", "issue-3"]  # Japanese titles: generated keys
    added = [e for e in workshop.changes(SLUG) if e.kind == "issue_added"]
    assert [e.payload for e in added] == [{"key": k, "source": "import"} for k in result.keys]


def test_xlsx_with_numbers_and_a_column_mapping(workshop: Store, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "一覧"
    sheet.append(["施策名", "概算", "予定年度", "番号"])
    sheet.append(["タブレットの庁外持ち出しルール", 500000, 2026, "tablet-rule"])
    sheet.append([None, None, None, None])  # empty rows are skipped
    sheet.append(["双方向のSNS広報", 1500000.0, "2027年度", "sns"])
    path = tmp_path / "施策一覧.xlsx"
    book.save(path)
    result = import_issues(workshop, SLUG, path, mapping={"施策名": "title", "概算": "cost"})
    assert (result.encoding, result.keys) == ("xlsx", ["tablet-rule", "sns"])
    sns = next(i for i in workshop.issues(SLUG) if i.key == "sns")
    assert (sns.title, sns.cost, sns.year) == ("双方向のSNS広報", 1_500_000, 2027)


BAD_ROWS = [
    ["ok", "窓口の予約システム", "", "", ""],
    ["", "", "abc", "来年", ""],
    ["dup", "チャット", "-5", "2027", "空飛ぶ"],
    ["dup", "FAX", "", "", "matanai、宇宙"],
    ["chat", "既存と同じID", "", "", ""],
    ["Bad Key!", "x" * 201, "", "", ""],
]
BAD_HEADER = ["ID", "課題", "費用", "年度", "テーマ"]
PROBLEMS_EN = [
    "row 3, column 課題: an issue needs a title",
    "row 3, column 費用: 'abc' is not a number (e.g. 3000000 or 3,000,000円)",
    "row 3, column 年度: '来年' is not a year (e.g. 2027, 2027年度, 令和9年度, R9)",
    "row 4, column 費用: cost '-5' is negative",
    "row 4, column テーマ: unknown theme '空飛ぶ'; themes: 待たずに済む",
    "row 5, column ID: ID 'dup' appears twice in the file (also row 4)",
    "row 5, column テーマ: unknown theme '宇宙'; themes: 待たずに済む",
    "row 6, column ID: ID 'chat' already exists in the workshop",
    "row 7, column ID: 'Bad Key!' is not a valid ID (lowercase a-z, 0-9, - and _, at most 64)",
    "row 7, column 課題: 201 characters; at most 200",
]


def test_every_problem_is_reported_and_nothing_is_imported(workshop: Store, tmp_path: Path) -> None:
    source = _write(tmp_path / "bad.csv", BAD_HEADER, BAD_ROWS, "utf-8-sig")
    before = _issue_keys(workshop)
    with pytest.raises(ImportProblemsError) as caught:
        import_issues(workshop, SLUG, source)
    assert [p.format("en") for p in caught.value.problems] == PROBLEMS_EN
    assert caught.value.problems[0].format("ja") == "3行目、課題列: 課題名が空です"
    assert caught.value.problems[3].format("ja") == "4行目、費用列: 費用 '-5' がマイナスです"
    assert _issue_keys(workshop) == before  # the good first row was not written either


def test_a_failure_inside_the_transaction_rolls_everything_back(workshop: Store) -> None:
    """The last issue is refused (negative cost) after the first two were written in the
    same transaction: neither of them is kept."""
    before, seq = _issue_keys(workshop), workshop.last_seq(SLUG)
    items = [
        {"id": "a", "title": "一つ目", "themes": ["matanai"]},
        {"id": "b", "title": "二つ目", "stakeholders": ["kosodate"]},
        {"id": "c", "title": "三つ目", "cost": -1.0},  # refused (the database checks it too)
    ]
    with pytest.raises(InvalidInputError, match=r"Cost -1\.0 must be a number of yen, 0 or more"):
        write_issues(workshop, SLUG, items)
    assert _issue_keys(workshop) == before
    assert workshop.last_seq(SLUG) == seq  # no event either


@pytest.mark.parametrize(
    ("cost", "message"),
    [
        (float("nan"), "Cost nan must be a number of yen, 0 or more (issue 'c')."),
        (float("inf"), "Cost inf must be a number of yen, 0 or more (issue 'c')."),
        (True, "Cost True must be a number of yen, 0 or more (issue 'c')."),
        ("5", "Cost '5' must be a number of yen, 0 or more (issue 'c')."),
        (1e20, "Cost 1e+20 is more than 1,000,000,000,000,000 yen (issue 'c'): check the digits"),
        (0.12345, "Cost 0.12345 has more than 4 decimals (issue 'c'): round it"),
    ],
    ids=["nan", "inf", "bool", "text", "huge", "too-precise"],
)
def test_the_store_refuses_a_cost_that_is_not_an_amount(
    workshop: Store, cost: object, message: str
) -> None:
    before, seq = _issue_keys(workshop), workshop.last_seq(SLUG)
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        write_issues(workshop, SLUG, [{"id": "c", "title": "三つ目", "cost": cost}])
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        workshop.add_issue(SLUG, "三つ目", key="c", cost=cost)  # type: ignore[arg-type]
    assert _issue_keys(workshop) == before
    assert workshop.last_seq(SLUG) == seq


def test_the_stores_cost_messages_read_in_japanese(workshop: Store) -> None:
    with pytest.raises(InvalidInputError) as caught:
        workshop.add_issue(SLUG, "三つ目", key="c", cost=1e20)
    assert caught.value.message("ja") == (
        "課題 'c' の費用 1e+20 が上限 1,000,000,000,000,000 円を超えています。桁を確かめて"
        "ください（すべての金額を千円単位にする方法もあります）。"
    )
    with pytest.raises(InvalidInputError) as caught:
        workshop.add_issue(SLUG, "三つ目", key="c", cost=-1)
    assert caught.value.message("ja") == "課題 'c' の費用 -1 は 0 以上の金額（円）にしてください。"


def test_the_store_keeps_an_exact_decimal_cost(workshop: Store) -> None:
    issue = workshop.add_issue(SLUG, "小数の費用", key="decimal", cost=Decimal("1234.56"))  # type: ignore[arg-type]
    assert issue.cost == 1234.56
    assert workshop.add_issue(SLUG, "ゼロ円", key="free", cost=0).cost == 0


COST_HEADER = ["課題", "費用"]
COST_ROWS = [
    ["億単位", "1.15億"],
    ["万単位", "0.57万"],
    ["桁の多すぎる費用", "2,000,000,000,000,000円"],
    ["細かすぎる費用", "1234.56789"],
    ["非数", "nan"],
    ["無限大", "inf"],
    ["マイナス", "-1万"],
]


def test_cost_cells_that_are_not_amounts_are_refused_with_row_and_column(
    workshop: Store, tmp_path: Path
) -> None:
    source = _write(tmp_path / "costs.csv", COST_HEADER, COST_ROWS, "utf-8")
    with pytest.raises(ImportProblemsError) as caught:
        import_issues(workshop, SLUG, source)
    assert [p.format("en") for p in caught.value.problems] == [
        "row 4, column 費用: cost '2,000,000,000,000,000円' is more than "
        "1,000,000,000,000,000 yen; check the digits (or give every amount in 千円)",
        "row 5, column 費用: cost '1234.56789' has more than 4 decimals; round it "
        "(yen have at most 2: 銭)",
        "row 6, column 費用: 'nan' is not a number (e.g. 3000000 or 3,000,000円)",
        "row 7, column 費用: 'inf' is not a number (e.g. 3000000 or 3,000,000円)",
        "row 8, column 費用: cost '-1万' is negative",
    ]
    assert caught.value.problems[0].format("ja") == (
        "4行目、費用列: 費用 '2,000,000,000,000,000円' が上限 1,000,000,000,000,000 円を"
        "超えています。桁を確かめてください（すべての金額を千円単位にする方法もあります）"
    )
    # The rows that are amounts are read exactly: 1.15億 is 115,000,000 and 0.57万 is 5,700
    # (as float products 114999999.99999999 and 5699.999999999999: too many decimals).
    good = _write(tmp_path / "good.csv", COST_HEADER, COST_ROWS[:2], "utf-8")
    import_issues(workshop, SLUG, good)
    costs = {i.title: i.cost for i in workshop.issues(SLUG)}
    assert (costs["億単位"], costs["万単位"]) == (115_000_000, 5_700)


def test_number_cells_of_a_workbook_follow_the_amount_rule(workshop: Store, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["課題", "費用"])
    sheet.append(["桁の多すぎる費用", 1e20])
    sheet.append(["細かすぎる費用", 1234.56789])
    path = tmp_path / "costs.xlsx"
    book.save(path)
    with pytest.raises(ImportProblemsError) as caught:
        import_issues(workshop, SLUG, path)
    assert [p.format("en") for p in caught.value.problems] == [
        "row 2, column 費用: cost '100000000000000000000' is more than "
        "1,000,000,000,000,000 yen; check the digits (or give every amount in 千円)",
        "row 3, column 費用: cost '1234.56789' has more than 4 decimals; round it "
        "(yen have at most 2: 銭)",
    ]


def test_file_level_problems(workshop: Store, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x80\x81\xff\xfe\xfd")
    with pytest.raises(ImportProblemsError) as caught:
        import_issues(workshop, SLUG, garbage)
    assert (
        caught.value.problems[0]
        .format("en", file="garbage.csv")
        .startswith("garbage.csv: the file is neither UTF-8 nor CP932")
    )
    no_title = _write(tmp_path / "no-title.csv", ["名前", "金額"], [["a", "1"]], "utf-8")
    with pytest.raises(ImportProblemsError) as caught:
        import_issues(workshop, SLUG, no_title, mapping={"金額": "price"})
    assert [p.format("en", file="f") for p in caught.value.problems] == [
        "f: --map '金額=price' must be COLUMN=FIELD with FIELD one of key, title, description, "
        "current, ideal, cost, year, themes, stakeholders.",
        "f: no column for the issue title; name one 課題 or title, or use --map COLUMN=title "
        "(columns: 名前, 金額)",
    ]


def test_our_own_csv_export_imports_back(tmp_path: Path, demo_summary: dict[str, Any]) -> None:
    from toolkit.export.csv_export import render_csv

    path = tmp_path / "backlog.csv"
    path.write_bytes(render_csv(demo_summary, encoding="cp932"))
    fresh = Store.open(tmp_path / "fresh.sqlite")
    try:
        spec = small_workshop(SLUG)
        names = {t["key"]: t["name"] for t in demo_summary["themes"]}
        order = demo_summary["happiness_map"]["themes"]  # the store's order
        spec["themes"] = [{"id": k, "name": names[k]} for k in order]
        spec["stakeholders"] = [
            {"id": s["key"], "name": s["name"], "category": s["category"]}
            for s in demo_summary["stakeholders"]
        ]
        spec["issues"], spec["town_meeting"] = [], {}
        fresh.create_workshop(spec)
        result = import_issues(fresh, SLUG, path)
        assert result.encoding == "cp932"
        ranked = demo_summary["ranking"]
        assert result.keys == [r["key"] for r in ranked]
        imported = {i.key: i for i in fresh.issues(SLUG)}
        for row in ranked:
            assert imported[row["key"]].themes == tuple(row["themes"])
            assert imported[row["key"]].year == row["year"]
    finally:
        fresh.close()


def test_cli_reports_problems_then_imports(workshop: Store, tmp_path: Path) -> None:
    url = workshop.engine.url  # the store's own `url` hides a password: give the CLI the real one
    database = (
        url.render_as_string(hide_password=False)
        if url.get_backend_name() == "postgresql"
        else url.database
    )
    assert database
    bad = _write(tmp_path / "bad.csv", BAD_HEADER, BAD_ROWS, "utf-8-sig")
    result = CliRunner().invoke(main, ["import-issues", database, str(bad), "--lang", "en"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [*PROBLEMS_EN, "Nothing was imported: 10 problems."]
    good = _write(tmp_path / "good.csv", ["施策名", "年度"], [["窓口の予約", "R9"]], "cp932")
    result = CliRunner().invoke(
        main, ["import-issues", database, str(good), "--map", "施策名=title", "--lang", "ja"]
    )
    assert result.exit_code == 0, result.output
    assert (
        result.output
        == "tsuru-dx に課題を 1 件取り込みました（文字コード cp932 として読み込み）。\n"
    )


# ---------------------------------------------------------------- Hypothesis, one SQLite store
@pytest.fixture(scope="module")
def plain_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = Store.open(tmp_path_factory.mktemp("hyp") / "w.sqlite")
    opened.create_workshop(small_workshop(SLUG))
    yield opened
    opened.close()


TITLE = (
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0x3041, max_codepoint=0x30FF),
            st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
            st.sampled_from(list('=+-@,"; abcXYZ019（）・、。〜')),
        ),
        min_size=1,
        max_size=60,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(titles=st.lists(TITLE, min_size=1, max_size=6), bom=st.booleans())
def test_any_japanese_title_survives_csv_export_and_import(
    plain_store: Store, tmp_path_factory: pytest.TempPathFactory, titles: list[str], bom: bool
) -> None:
    path = tmp_path_factory.mktemp("csv") / "titles.csv"
    encoding = "utf-8-sig" if bom else "utf-8"
    data = write_csv(["課題"], [[t] for t in titles], "utf-8-sig")
    path.write_bytes(data if bom else data[3:])
    table = read_issue_table(path)
    assert table.encoding == encoding
    planned = plan_issue_import(plain_store, SLUG, table)
    assert [item["title"] for item in planned] == titles
    assert len({item["id"] for item in planned}) == len(titles)
