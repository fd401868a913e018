"""A survey's charts (toolkit/surveys/charts.py): rendered offline to SVG, read as a person
reads them (titles, labels, the Japanese words), drawn from the results dict alone.

The results come from ``toolkit.surveys.results.survey_results`` on the known-answer survey
of tests/test_survey_results.py, so the charts draw what the summary holds.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.test_survey_results import question, results
from toolkit.charts import chart_table, to_svg
from toolkit.surveys.charts import (
    before_after_chart,
    distribution_chart,
    gap_chart,
    segment_chart,
)


def _texts(svg: str) -> list[str]:
    """The text a person reads on the chart, in drawing order (a line of a subtitle with
    several lines is a ``<tspan>`` of its own)."""
    found = []
    for inner in re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL):
        lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", inner) or [inner]
        found += [html.unescape(line) for line in lines]
    return found


def _bars(svg: str) -> int:
    return svg.count('aria-roledescription="bar"')


@pytest.fixture
def survey_ja() -> dict[str, Any]:
    return results("ja", min_group_size=5)


def test_likert_distribution_stacks_the_points_in_order_with_their_words(
    cjk_font: None, survey_ja: dict[str, Any]
) -> None:
    svg = to_svg(distribution_chart(question(survey_ja, "q1"), "before", lang="ja"))
    texts = _texts(svg)
    assert svg.startswith("<svg") and "http" not in svg.replace("http://www.w3.org", "")
    assert "デジタル化に前向きだ" in texts and "事前" in texts
    legend = [
        t
        for t in texts
        if t
        in {"全くそう思わない", "そう思わない", "どちらともいえない", "そう思う", "とてもそう思う"}
    ]
    assert legend == [
        "全くそう思わない",
        "そう思わない",
        "どちらともいえない",
        "そう思う",
        "とてもそう思う",
    ]
    # every point was chosen by someone before: five stacked pieces, from "1" on the left
    assert _bars(svg) == 5
    pieces = re.findall(
        r'aria-label="[^"]*回答: ([^;"]*)[^"]*" role="graphics-symbol"'
        r' aria-roledescription="bar" d="M([0-9.]+),',
        svg,
    )
    starts = [float(x) for _label, x in pieces]
    assert pieces[0][0] == "全くそう思わない"
    assert starts == sorted(starts)


def test_distribution_of_every_wave_and_of_a_choice(
    cjk_font: None, survey_ja: dict[str, Any]
) -> None:
    both = to_svg(distribution_chart(question(survey_ja, "q1"), None, lang="ja", size="laptop"))
    assert {"事前", "事後"} <= set(_texts(both))
    tools = distribution_chart(question(survey_ja, "tools"), None, lang="ja")
    texts = _texts(to_svg(tools))
    assert {"チャット", "電子決裁", "Web会議", "事前", "事後"} <= set(texts)
    table = chart_table(tools)  # the accessible table: wave, option, people, share (%)
    assert table.columns == ("回", "回答", "人数", "割合")
    assert table.rows == (
        ("事前", "チャット", 4, 66.7),  # 4 of the 6 who answered
        ("事前", "電子決裁", 2, 33.3),
        ("事前", "Web会議", 2, 33.3),
        ("事後", "チャット", 3, 50.0),
        ("事後", "電子決裁", 4, 66.7),
        ("事後", "Web会議", 2, 33.3),
    )


def test_before_after_shows_each_wave_mean_and_the_sentence(
    cjk_font: None, survey_ja: dict[str, Any]
) -> None:
    chart = before_after_chart(question(survey_ja, "q1"), lang="ja")
    texts = _texts(to_svg(chart))
    assert "3.25" in texts and "4.33" in texts  # 26/8 and 26/6
    assert any(t.startswith("全回答: 前後で平均が 1.08 上がりました") for t in texts)
    assert any(
        t.startswith("同じ人どうし（ひも付け）: 前後で平均が 0.8 上がりました") for t in texts
    )
    rows = chart_table(chart).rows
    assert [(row[0], row[1], row[4]) for row in rows] == [("事前", 3.25, 8), ("事後", 4.3333, 6)]


def test_before_after_in_english(cjk_font: None) -> None:
    texts = _texts(to_svg(before_after_chart(question(results("en"), "hours"), lang="en")))
    assert "Before" in texts and "After" in texts
    assert any("The mean went down" in t for t in texts)


def test_segment_chart_shows_only_groups_that_may_be_shown(
    cjk_font: None, survey_ja: dict[str, Any]
) -> None:
    svg = to_svg(segment_chart(question(survey_ja, "q1"), "before", "dept", lang="ja"))
    texts = _texts(svg)
    assert "市民課" in texts
    assert "税務課" not in texts and "福祉課" not in texts  # 2 and 1 people: withheld
    assert "2 グループは人数が少なく、匿名性を守るため表示していません" in texts
    assert "所属 · 事前" in texts
    everyone = results("ja", min_group_size=1)
    means = to_svg(segment_chart(question(everyone, "q1"), "before", "dept", lang="ja"))
    assert {"市民課", "税務課", "福祉課"} <= set(_texts(means))
    # shares per group of a multiple choice (福祉課's one person chose no tool)
    tools = segment_chart(question(everyone, "tools"), "before", "dept", lang="ja")
    assert {"市民課", "税務課", "チャット"} <= set(_texts(to_svg(tools)))
    assert "福祉課" not in _texts(to_svg(tools))


def test_gap_chart_draws_current_and_ideal_largest_gap_first(
    cjk_font: None, survey_ja: dict[str, Any]
) -> None:
    chart = gap_chart(survey_ja, lang="ja")
    texts = _texts(to_svg(chart))
    assert "現状とあるべき姿: 職員DX意識調査" in texts
    assert {"現状（調査）", "あるべき姿"} <= set(texts)
    issues = [t for t in texts if t in {"3レス", "窓口の混雑緩和"}]
    assert issues == ["3レス", "窓口の混雑緩和"]  # gap 10/9 before 2/3
    assert [row[:3] for row in chart_table(chart).rows] == [
        ("3レス", "現状（調査）", 3.8889),  # 35/9
        ("3レス", "あるべき姿", 5.0),
        ("窓口の混雑緩和", "現状（調査）", 4.3333),  # 13/3
        ("窓口の混雑緩和", "あるべき姿", 5.0),
    ]


def test_charts_render_with_no_answers_at_all(cjk_font: None) -> None:
    empty = results("en", responses=[])
    q1 = question(empty, "q1")
    for chart in (
        distribution_chart(q1, None, lang="en"),
        before_after_chart(q1, lang="en"),
        segment_chart(q1, "before", "dept", lang="en"),
        gap_chart(empty, lang="en"),
    ):
        assert to_svg(chart).startswith("<svg")


def test_a_segment_question_s_own_chart_never_names_a_withheld_group(
    cjk_font: None, survey_ja: dict[str, Any]
) -> None:
    # before: 市民課 5, 税務課 2, 福祉課 1 → only 市民課 may be shown
    texts = _texts(to_svg(distribution_chart(question(survey_ja, "dept"), None, lang="ja")))
    assert "市民課" in texts
    assert "税務課" not in texts and "福祉課" not in texts
