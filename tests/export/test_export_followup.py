"""After the workshop in the results summary and the exports (issue 18): the roadmap keeps the
agreed ranking, indicator statuses are computed (checked here by hand), and the follow-up
sections survive the JSON export and its import into a new store, on both engines."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.export.conftest import SLUG, scored_workshop
from toolkit.export import render
from toolkit.export.json_import import check_document, comparable_summary, import_export_json
from toolkit.export.verify import verify_document
from toolkit.followup import followup_section
from toolkit.store import Store
from toolkit.summary import summarize
from toolkit.times import time_zone

TOKYO = time_zone("Asia/Tokyo")


def _follow_up(store: Store) -> None:
    """The small workshop a year on. Ranking: sanres 1, madoguchi-konzatsu 2, chat 3."""
    store.set_roadmap_item(
        SLUG, "chat", "令和7年度 第3四半期", owner_department="情報政策課", budget_line="DX-01"
    )
    store.set_roadmap_item(
        SLUG,
        "sanres",
        "FY2025",
        owner_department="総務課",
        review_on=date(2026, 3, 1),
        depends_on=["chat"],
    )
    store.set_roadmap_item(SLUG, "madoguchi-konzatsu", 2026, owner_department="市民課")
    # 10 → 50 % from 2025-04-01 to 2026-03-31 (364 days)
    store.add_indicator(
        SLUG,
        "sanres",
        "電子申請の割合",
        direction="increase",
        baseline=10,
        baseline_on=date(2025, 4, 1),
        target=50,
        target_on=date(2026, 3, 31),
        unit="%",
        key="share",
    )
    store.record_measurement(SLUG, "share", 30, date(2025, 10, 1), entered_by="総務課")
    # 30 → 15 minutes from 2025-04-01 to 2026-04-01 (365 days)
    store.add_indicator(
        SLUG,
        "madoguchi-konzatsu",
        "窓口待ち時間",
        direction="decrease",
        baseline=30,
        baseline_on=date(2025, 4, 1),
        target=15,
        target_on=date(2026, 4, 1),
        unit="分",
        key="wait",
    )
    store.record_measurement(SLUG, "wait", 28, date(2025, 10, 1), entered_by="市民課")
    store.add_indicator(
        SLUG,
        "chat",
        "チャット利用率",
        direction="increase",
        baseline=0,
        baseline_on=date(2025, 4, 1),
        target=80,
        target_on=date(2027, 3, 31),
        unit="%",
        key="chat-use",
    )


@pytest.fixture
def followed(empty_store: Store) -> Store:
    scored_workshop(empty_store, {"resident": 5, "staff": 5})  # at the privacy threshold
    _follow_up(empty_store)
    return empty_store


def test_statuses_and_roadmap_as_worked_by_hand(followed: Store) -> None:
    ranking = summarize(followed, SLUG)["ranking"]
    section = followup_section(followed, SLUG, ranking, TOKYO, as_of=date(2025, 10, 2))
    statuses = {
        i["key"]: (i["status"], i["progress"], i["expected"]) for i in section["indicators"]
    }
    # share: (30 − 10)/(50 − 10) = 0.5 of the way; 183 of 364 days = 0.502747 expected;
    # 0.5 ≥ 0.502747 − 0.1: on track.
    assert statuses["share"] == ("on_track", 0.5, round(183 / 364, 6))
    # wait: (28 − 30)/(15 − 30) = 0.133333; 183/365 = 0.50137 expected; 0.1333 < 0.4014: at risk
    assert statuses["wait"] == ("at_risk", round(2 / 15, 6), round(183 / 365, 6))
    assert statuses["chat-use"] == ("no_data", None, None)
    # A year later the share's target date has passed without reaching 50 %: missed.
    later = followup_section(followed, SLUG, ranking, TOKYO, as_of=date(2026, 6, 1))
    assert {i["key"]: i["status"] for i in later["indicators"]}["share"] == "missed"

    rows = [
        (r["issue"], r["rank"], r["period"]["ja"], r["start"], r["end"]) for r in section["roadmap"]
    ]
    assert rows == [  # by period: FY2025 (from April) before its Q3 (from October), then FY2026
        ("sanres", 1, "令和7年度", "2025-04-01", "2026-03-31"),
        ("chat", 3, "令和7年度 第3四半期", "2025-10-01", "2025-12-31"),
        ("madoguchi-konzatsu", 2, "令和8年度", "2026-04-01", "2027-03-31"),
    ]
    sanres = section["roadmap"][0]
    assert (sanres["review_on"], sanres["depends_on"], sanres["period"]["en"]) == (
        "2026-03-01",
        ["chat"],
        "FY2025",
    )


def test_the_year_roadmap_follows_the_roadmap_items(followed: Store) -> None:
    assert summarize(followed, SLUG)["roadmap"] == [
        {"year": 2025, "issues": ["sanres", "chat"]},
        {"year": 2026, "issues": ["madoguchi-konzatsu"]},
    ]


def test_json_export_round_trip_keeps_the_follow_up(followed: Store, tmp_path: Path) -> None:
    summary = summarize(followed, SLUG)
    document = json.loads(render(summary, "json", lang="ja"))
    check_document(document, "followup.json")  # valid against the published schema
    followup = document["summary"]["followup"]
    assert followup["as_of"] == summary["followup"]["as_of"]
    assert [m["value"] for i in followup["indicators"] for m in i["measurements"]] == [30, 28]
    assert verify_document(document).matches
    path = tmp_path / "followup.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    copy = import_export_json(followed, path, slug="tsuru-dx-copy")
    again = summarize(followed, copy)
    assert again["followup"] == summary["followup"]
    mine = comparable_summary(summary)
    theirs = comparable_summary(again)
    mine["workshop"].pop("slug"), theirs["workshop"].pop("slug")
    assert theirs == mine


def test_xlsx_has_the_roadmap_and_indicators(followed: Store) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render(summarize(followed, SLUG), "xlsx", lang="ja")))
    roadmap = [row for row in book["ロードマップ"].iter_rows(values_only=True)]
    header = list(roadmap[0])
    assert header[:4] == ["年度・期間", "順位", "課題", "担当課"]
    assert [r[:4] for r in roadmap[1:]] == [
        ("令和7年度", 1, "3レス（ペーパーレス・FAXレス・はんこレス）", "総務課"),
        ("令和7年度 第3四半期", 3, "チャットツールの定着", "情報政策課"),
        ("令和8年度", 2, "窓口の混雑緩和", "市民課"),
    ]
    # the roadmap as a chart of cells: one column per quarter, ■ where an item runs
    quarters = header[10:]
    assert quarters == [f"R{y} Q{q}" for y in (7, 8) for q in (1, 2, 3, 4)]
    bars = {
        row[9]: "".join("■" if cell == "■" else "·" for cell in row[10:]) for row in roadmap[1:]
    }
    assert bars == {
        "sanres": "■■■■····",  # FY2025
        "chat": "··■·····",  # FY2025 Q3
        "madoguchi-konzatsu": "····■■■■",  # FY2026
    }
    sheet = book["ロードマップ"]
    bar = next(c for row in sheet.iter_rows(min_row=2) for c in row if c.value == "■")
    assert bar.fill.fgColor.rgb.endswith("1D4F91")  # filled, not only a character
    sanres = dict(zip(header, roadmap[1], strict=True))
    assert sanres["見直し日"].date() == date(2026, 3, 1)  # a date cell
    assert sanres["前提となる課題"] == "チャットツールの定着"
    indicators = [row for row in book["指標と効果測定"].iter_rows(values_only=True)]
    named = {row[1]: dict(zip(indicators[0], row, strict=True)) for row in indicators[1:] if row[1]}
    as_of = summarize(followed, SLUG)["followup"]["as_of"]
    assert [row[0] for row in indicators if str(row[0]).startswith(as_of)] == [
        f"{as_of} 時点の状況です。基準値・目標値・最新の測定値から計算します"
        "（順調: 基準から目標への直線より遅れが1割以内）。手入力はしません。"
    ]
    assert set(named) == {"電子申請の割合", "窓口待ち時間", "チャット利用率"}
    assert named["チャット利用率"]["状況"] == "測定値なし"
    assert named["電子申請の割合"]["基準値"] == 10 and named["電子申請の割合"]["目標値"] == 50


def _text(data: bytes) -> str:
    return data.decode("utf-8")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_html_report_shows_roadmap_and_indicators(followed: Store, lang: str) -> None:
    report = _text(render(summarize(followed, SLUG), "html", lang=lang))
    words: dict[str, Any] = {
        "ja": ("ロードマップ", "令和7年度 第3四半期", "指標と効果測定", "窓口待ち時間"),
        "en": ("Roadmap", "FY2025 Q3", "Indicators", "窓口待ち時間"),
    }
    for word in words[lang]:
        assert word in report, word


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda f: f["indicators"][2].update(status="achieved"), "followup.indicators.status"),
        (
            lambda f: f["indicators"][0]["measurements"][0].update(value=55),
            "followup.indicators.status",
        ),
        (lambda f: f["roadmap"][0].update(rank=3), "followup.roadmap.rank"),
        (lambda f: f["roadmap"][1].update(start="2025-07-01"), "followup.roadmap.start"),
    ],
    ids=["status", "measurement", "rank", "period"],
)
def test_verify_recomputes_the_follow_up(followed: Store, edit: Any, field: str) -> None:
    document = json.loads(render(summarize(followed, SLUG), "json", lang="en"))
    result = verify_document(document)
    assert result.matches
    assert any("after the workshop" in line for line in result.checked("en"))
    edit(document["summary"]["followup"])
    fields = {d.field for d in verify_document(document).differences}
    assert field in fields, fields


def test_the_report_charts_the_first_indicators_and_lists_them_all(followed: Store) -> None:
    from toolkit.export import html_report

    summary = summarize(followed, SLUG)
    many = summary["followup"]["indicators"] * 5  # 15 indicators
    summary["followup"]["indicators"] = many
    report = _text(render(summary, "html", lang="en"))
    section = report.split('id="indicators"')[1].split("</section>")[0]
    assert section.count("<svg") == html_report.INDICATOR_CHARTS == 6
    assert section.count("<tr>") == 1 + 15  # header and every indicator
    assert "Charts of the first 6 of 15 indicators" in section
