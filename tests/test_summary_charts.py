"""The summary's charts, one builder per chart, at each size: what a person reads on them.

A small hand-made summary (four issues, two sharing rank 2, one dividing the group) is
drawn as the board (projector), the results view (laptop) and the report (report) draw it;
the SVG is read as a person reads it: the title, the issue labels top to bottom, the tie
mark and the ⚠.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from toolkit.charts import chart_table, to_svg
from toolkit.summary_charts import (
    SIZES,
    HappinessGrid,
    happiness_chart,
    happiness_grid,
    indicator_chart,
    ranking_chart,
    roadmap_chart,
)


def _issue(rank: int, title: str, score: float, robustness: float, divides: bool) -> dict[str, Any]:
    return {
        "rank": rank,
        "key": title,
        "title": title,
        "score": score,
        "robustness": robustness,
        "divides_group": divides,
    }


SUMMARY: dict[str, Any] = {
    "ranking": [
        _issue(1, "窓口", 0.81, 0.9, False),
        _issue(2, "3レス", 0.62, 0.5, True),
        _issue(2, "健診", 0.62, 0.5, False),
        _issue(4, "日報", 0.3, 1.0, False),
    ],
    "stakeholders": [{"key": "kosodate", "name": "子育て世帯"}, {"key": "staff", "name": "職員"}],
    "themes": [{"key": "matanai", "name": "待たない"}],
    "happiness_map": {
        "stakeholders": ["kosodate", "staff", None],
        "themes": ["matanai", None],
        "counts": [[3, 0], [1, 2], [0, 1]],
    },
}


def _texts(svg: str) -> list[str]:
    """The SVG's texts in drawing order (axis labels top to bottom), as a person reads them."""
    return [html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def _in_order(texts: list[str], wanted: list[str]) -> bool:
    positions = [texts.index(w) for w in wanted]
    return positions == sorted(positions)


RANKINGS = [
    # size, robustness marks, lang, title, labels top to bottom
    (
        "projector",
        "notes",
        "ja",
        "優先順位（スコア 0〜1）",
        ["1. 窓口", "=2. 3レス（同順位）", "=2. 健診（同順位）", "4. 日報"],
    ),
    (
        "laptop",
        "colour",
        "en",
        "Score by issue (colour: robustness)",
        ["1. 窓口", "=2. 3レス (tie)", "=2. 健診 (tie)", "4. 日報"],
    ),
    (
        "report",
        "diamonds",
        "ja",
        "優先順位: スコアと頑健性",
        ["1. 窓口", "=2. 3レス（同順位）", "=2. 健診（同順位）", "4. 日報"],
    ),
]


@pytest.mark.parametrize(
    ("size", "marks", "lang", "title", "labels"), RANKINGS, ids=[r[0] for r in RANKINGS]
)
def test_the_ranking_reads_best_first_with_ties_marked(
    cjk_font: None, size: str, marks: Any, lang: str, title: str, labels: list[str]
) -> None:
    chart = ranking_chart(SUMMARY["ranking"], lang=lang, size=size, robustness=marks)
    texts = _texts(to_svg(chart))
    assert title in texts
    assert _in_order(texts, labels), texts
    table = chart_table(chart, lang)
    assert table.title == title
    assert [row[0] for row in table.rows] == labels  # the screen reader's table, same order
    assert chart.to_dict()["config"]["axis"]["labelFontSize"] == SIZES[size].font


def test_the_projector_writes_score_robustness_and_the_warning_after_each_bar(
    cjk_font: None,
) -> None:
    chart = ranking_chart(SUMMARY["ranking"], lang="en", size="projector", robustness="notes")
    texts = _texts(to_svg(chart))
    assert "0.81 · 90%" in texts and "0.62 · 50% ⚠" in texts and "0.62 · 50%" in texts
    assert sum("⚠" in text for text in texts) == 1, "only the issue that divides the group"
    notes = [row[-1] for row in chart_table(chart, "en").rows]
    assert notes == ["0.81 · 90%", "0.62 · 50% ⚠", "0.62 · 50%", "0.30 · 100%"]


def test_the_report_marks_robustness_with_diamonds_and_division_in_the_legend(
    cjk_font: None,
) -> None:
    chart = ranking_chart(SUMMARY["ranking"], lang="en", size="report")
    svg = to_svg(chart)
    texts = _texts(svg)
    assert "Divides the group" in texts and "yes" in texts and "no" in texts
    assert "Score (0–1) / Robustness" in texts
    assert svg.count('aria-roledescription="point"') == len(SUMMARY["ranking"])  # diamonds


def test_a_tie_cut_by_top_is_still_marked() -> None:
    chart = ranking_chart(SUMMARY["ranking"], lang="en", top=2)
    labels = [row[0] for row in chart_table(chart, "en").rows]
    assert labels == ["1. 窓口", "=2. 3レス (tie)"]


@pytest.mark.parametrize("size", ["projector", "laptop", "report"])
@pytest.mark.parametrize(
    ("lang", "title", "nobody", "nothing"),
    [
        (
            "ja",
            "うれしさマップ: ステークホルダー × テーマのカード数",
            "（ステークホルダーなし）",
            "（未分類）",
        ),
        (
            "en",
            "Happiness map: cards per stakeholder and theme",
            "(no stakeholder)",
            "(not grouped)",
        ),
    ],
    ids=["ja", "en"],
)
def test_the_happiness_map_keeps_the_grid_order_and_writes_the_counts(
    cjk_font: None, size: str, lang: str, title: str, nobody: str, nothing: str
) -> None:
    grid = happiness_grid(SUMMARY, lang)
    assert grid == HappinessGrid(
        ["子育て世帯", "職員", nobody], ["待たない", nothing], [[3, 0], [1, 2], [0, 1]]
    )
    chart = happiness_chart(grid, lang=lang, size=size)
    texts = _texts(to_svg(chart))
    assert title in texts
    assert _in_order(texts, ["子育て世帯", "職員", nobody])
    assert _in_order(texts, ["待たない", nothing])
    assert sorted(t for t in texts if t.isdigit()) == ["0", "0", "1", "1", "2", "3"]
    rows = chart_table(chart, lang).rows
    assert rows[0] == ("子育て世帯", "待たない", 3) and rows[-1] == (nobody, nothing, 1)


# ------------------------------------------------------------------ follow-up (issue 18)
def _road(issue: str, title: str, rank: int | None, period: str, owner: str, deps: list[str]):
    from toolkit.fiscal import parse_fiscal_period
    from toolkit.followup import period_json

    return {
        "issue": issue,
        "title": title,
        "rank": rank,
        **period_json(parse_fiscal_period(period)),
        "owner_department": owner,
        "budget_line": "",
        "review_on": None,
        "depends_on": deps,
    }


FOLLOWUP: dict[str, Any] = {
    "as_of": "2026-12-01",
    "roadmap": [
        _road("madoguchi", "窓口の混雑緩和", 1, "令和8年度", "市民課", []),
        _road("shinsei", "電子申請", 2, "FY2026 Q2", "情報政策課", ["madoguchi"]),
        _road("3less", "3レス", None, "令和9年度 第3四半期", "", ["madoguchi", "shinsei"]),
    ],
}


@pytest.mark.parametrize("size", ["projector", "laptop", "report"])
@pytest.mark.parametrize(
    ("lang", "title", "years", "labels", "nobody"),
    [
        (
            "ja",
            "ロードマップ（年度別）",
            ["令和8年度", "令和9年度"],
            ["1. 窓口の混雑緩和", "2. 電子申請（前提: 1）", "–. 3レス（前提: 1, 2）"],
            "（未定）",
        ),
        (
            "en",
            "Roadmap by fiscal year",
            ["FY2026", "FY2027"],
            ["1. 窓口の混雑緩和", "2. 電子申請 (after: 1)", "–. 3レス (after: 1, 2)"],
            "(not set)",
        ),
    ],
    ids=["ja", "en"],
)
def test_the_roadmap_has_one_bar_per_item_and_names_the_fiscal_years(
    cjk_font: None,
    size: str,
    lang: str,
    title: str,
    years: list[str],
    labels: list[str],
    nobody: str,
) -> None:
    chart = roadmap_chart(FOLLOWUP, lang=lang, size=size)
    svg = to_svg(chart)
    texts = _texts(svg)
    assert title in texts
    assert _in_order(texts, years)  # the axis: each April 1 named after its fiscal year
    assert _in_order(texts, labels)  # one bar label per item, in the roadmap's order
    assert {"市民課", "情報政策課", nobody} <= set(texts)  # the owner departments' legend
    assert svg.count('aria-roledescription="bar"') == 3
    table = chart_table(chart, lang)
    assert [row[0] for row in table.rows] == labels
    assert table.rows[1][1:5] == (
        "令和8年度 第2四半期" if lang == "ja" else "FY2026 Q2",
        "情報政策課",
        "2026-07-01",
        "2026-09-30",
    )
    assert table.rows[2][5] == "窓口の混雑緩和, 電子申請"


def test_an_empty_roadmap_still_draws_the_fiscal_year_of_the_day(cjk_font: None) -> None:
    chart = roadmap_chart({"as_of": "2027-03-31", "roadmap": []}, lang="ja", size="report")
    assert "令和8年度" in _texts(to_svg(chart))
    assert chart_table(chart, "ja").rows == ()


@pytest.mark.parametrize(
    ("lang", "title", "kinds"),
    [
        ("ja", "窓口待ち時間（分）: 遅れ気味", ["測定値", "基準値", "目標値"]),
        ("en", "窓口待ち時間 (分): at risk", ["Measured", "Baseline", "Target"]),
    ],
    ids=["ja", "en"],
)
def test_an_indicator_draws_its_measurements_against_the_expected_path_and_target(
    cjk_font: None, lang: str, title: str, kinds: list[str]
) -> None:
    row = {
        "name": "窓口待ち時間",
        "unit": "分",
        "status": "at_risk",
        "baseline": 30,
        "baseline_on": "2026-04-01",
        "target": 15,
        "target_on": "2027-04-01",
        "measurements": [
            {"value": 28, "measured_on": "2026-07-01"},
            {"value": 26, "measured_on": "2026-10-01"},
        ],
    }
    chart = indicator_chart(row, lang=lang, size="laptop")
    svg = to_svg(chart)
    texts = _texts(svg)
    assert title in texts
    assert _in_order(texts, kinds)  # the legend names each kind of point
    assert svg.count('aria-roledescription="line mark"') >= 2  # measured line, expected path
    measured, baseline, target = kinds
    assert chart_table(chart, lang).rows == (
        (baseline, "2026-04-01", 30.0),
        (target, "2027-04-01", 15.0),
        (measured, "2026-07-01", 28.0),
        (measured, "2026-10-01", 26.0),
    )


def test_an_indicator_without_measurements_says_so_and_draws_no_empty_line(
    cjk_font: None,
) -> None:
    row = {
        "name": "連携データ項目数",
        "unit": "",
        "status": "no_data",
        "baseline": 3,
        "baseline_on": "2026-04-01",
        "target": 12,
        "target_on": "2028-03-31",
        "measurements": [],
    }
    chart = indicator_chart(row, lang="ja", size="report")
    svg = to_svg(chart)
    assert "連携データ項目数（–）: 測定値なし" in _texts(svg)
    assert svg.count('aria-roledescription="line mark"') == 1  # the expected path only
    assert [r[0] for r in chart_table(chart, "ja").rows] == ["基準値", "目標値"]
