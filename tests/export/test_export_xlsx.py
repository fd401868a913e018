"""The workbook read back with openpyxl and pandas, compared with the summary."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import openpyxl
import pandas as pd
import pytest

from toolkit.demo import DemoResult
from toolkit.export.surveys import survey_data
from toolkit.export.xlsx import RAW_SCORES_LIMIT, render_xlsx
from toolkit.store import Store

SHEETS_JA = [
    "優先順位",
    "決め方（憲章）",
    "評価の集計",
    "評価（匿名）",
    "投票結果",
    "投票用紙（匿名）",
    "うれしさマップ",
    "ロードマップ",
    "指標と効果測定",
    "測定値",
    "見直し日",
    "アンケートの設問",  # the demo has a survey: its questions, answers and results
    "アンケート回答（匿名）",
    "アンケート集計",
    "操作の記録",
]


@pytest.fixture(scope="module")
def workbook_bytes(demo: DemoResult, demo_summary: dict[str, Any]) -> bytes:
    with Store.open(demo.path) as store:  # the survey's anonymous answers
        surveys = survey_data(store, demo.slug, demo_summary)
    return render_xlsx(demo_summary, surveys=surveys)


@pytest.fixture(scope="module")
def book(workbook_bytes: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes))


def test_sheets_headers_filters_fonts(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS_JA
    backlog = book["優先順位"]
    assert backlog.freeze_panes == "D2"  # header row and rank/ID/issue stay in view
    assert backlog.auto_filter.ref == f"A1:AA{backlog.max_row}"
    assert backlog["A1"].font.b and backlog["A1"].font.name == "游ゴシック"
    assert backlog["C2"].font.name == "游ゴシック"  # body cells too, not Calibri
    assert backlog.column_dimensions["C"].width >= 40  # the longest title fits
    assert backlog["D1"].value == "説明"  # the description, right after the issue
    assert backlog["E2"].number_format == "0.000"
    for name in ("評価の集計", "評価（匿名）", "投票結果", "操作の記録"):
        assert book[name].freeze_panes in ("A2", "C2") and book[name].auto_filter.ref


def test_backlog_reads_back_as_the_ranking(
    workbook_bytes: bytes, demo_summary: dict[str, Any]
) -> None:
    frame = pd.read_excel(io.BytesIO(workbook_bytes), sheet_name="優先順位")
    ranking = demo_summary["ranking"]
    assert list(frame["順位"]) == [r["rank"] for r in ranking]
    assert list(frame["課題"]) == [r["title"] for r in ranking]
    assert list(frame["スコア（0〜1）"]) == [r["score"] for r in ranking]
    robustness = "頑健性（重みを揺らしても同じ順位の割合）"
    assert list(frame[robustness]) == [r["robustness"] for r in ranking]
    assert list(frame["評価者数"]) == [r["raters"] for r in ranking]
    names = {t["key"]: t["name"] for t in demo_summary["themes"]}
    themes = ["、".join(names[k] for k in r["themes"]) for r in ranking]
    assert list(frame["うれしさのテーマ"]) == themes
    assert list(frame["コスト（0〜1）"]) == [r["criteria"]["cost"] for r in ranking]


def test_charter_sheet_carries_the_method(
    book: openpyxl.Workbook, demo_summary: dict[str, Any]
) -> None:
    rows = book["決め方（憲章）"].iter_rows(values_only=True)
    values = {row[0]: row[1] for row in rows if row[0]}
    charter = demo_summary["charter"]
    assert values["憲章の版"] == charter["version"]
    assert values["決め方"] == "重みづけ評価（加重和）"
    assert values["同点時の扱い"] == "平均、次に中央値"
    levels = charter["consent"]["levels"]
    assert values["合意の記録"] == (  # the one wording of every screen (toolkit/consent.py)
        f"回答 {charter['consent']['responses']}、反対（ブロック）{charter['consent']['blocks']}"
        "（指の数 → 人数: "
        + " · ".join(f"{n}: {levels[str(n)]}" for n in (5, 4, 3, 2, 1, 0))
        + "）"
    )
    # a date cell in the workshop's zone (Tokyo); tests/export/test_export_times.py checks its zone
    locked_at = datetime.fromisoformat(charter["locked_at"])
    assert locked_at.utcoffset() == timedelta(hours=9)
    assert values["ロック日時"] == locked_at.replace(tzinfo=None)
    assert values["住民のうれしさ"] == pytest.approx(charter["weights"]["resident-joy"])


def test_scores_votes_and_map_sheets(book: openpyxl.Workbook, demo_summary: dict[str, Any]) -> None:
    raw = list(book["評価（匿名）"].iter_rows(min_row=2, values_only=True))
    assert [list(r) for r in raw] == demo_summary["scores"]["rows"]
    assert {r[0] for r in raw} == set(range(1, 25))  # anonymous numbers, not store ids
    stats = list(book["評価の集計"].iter_rows(min_row=2, values_only=True))
    assert len(stats) == len(demo_summary["score_stats"]["rows"])
    votes = list(book["投票結果"].iter_rows(min_row=2, values_only=True))
    dots = [r for r in votes if r[0] == "テーマへのドット投票"]
    tally = next(b for b in demo_summary["ballots"] if b["key"] == "theme-dots")["tally"]
    assert [r[6] for r in dots] == [tally["points"][k] for k in tally["order"]]
    hidden = [r for r in votes if r[0].startswith("住民のみなさん")]
    assert hidden[0][5].startswith("結果は投票の締め切りまで非公開です")
    ballots = list(book["投票用紙（匿名）"].iter_rows(min_row=2, values_only=True))
    assert len(ballots) == sum(len(b["payloads"] or []) for b in demo_summary["ballots"])
    grid = list(book["うれしさマップ"].iter_rows(values_only=True))
    assert grid[1][1:7] == tuple(demo_summary["happiness_map"]["counts"][0])
    log = list(book["操作の記録"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in log] == [e["seq"] for e in demo_summary["audit_log"]]


def test_english_workbook(demo_summary: dict[str, Any]) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(demo_summary, lang="en")))
    assert book.sheetnames[:2] == ["Backlog", "Method charter"]
    assert book["Backlog"]["A1"].value == "Rank"
    assert book["Backlog"]["A1"].font.name == "Yu Gothic"


def test_a_huge_score_table_points_to_the_json_export(demo_summary: dict[str, Any]) -> None:
    big = dict(demo_summary)
    rows = demo_summary["scores"]["rows"]
    big["scores"] = {**demo_summary["scores"], "rows": rows * (RAW_SCORES_LIMIT // len(rows) + 1)}
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(big, lang="en")))
    header, [note, *_] = list(book["Scores (anonymous)"].iter_rows(values_only=True))
    assert header[0] == "Rater (anonymous no.)"
    assert note.startswith(f"{len(big['scores']['rows'])} anonymous scores are more than")
    assert "ureshii export --format json" in note
