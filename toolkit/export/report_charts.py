"""Altair charts for the report and the chart exports, built from the results summary.

They only draw what the summary says (scores, robustness, card counts); ``toolkit.charts``
renders them offline to SVG or PNG with a Japanese font.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from toolkit.export._common import Names, export_lang, label

#: Bars drawn in the ranking chart; the report's table lists every issue.
RANKING_CHART_TOP = 30
_ACCENT = "#e07a5f"
_CALM = "#3d405b"


def ranking_chart(
    summary: dict[str, Any], *, lang: str | None = None, top: int = RANKING_CHART_TOP
) -> alt.LayerChart:
    """Score per issue (bars) with its robustness (dots), best first; divisive issues marked."""
    language = export_lang(summary, lang)
    issue, score, robust = (
        label("chart_issue", language),
        label("chart_score", language),
        label("chart_robustness", language),
    )
    divides = label("col_divides", language)
    rows = [
        {
            issue: f"{r['rank']}. {r['title']}",
            score: r["score"],
            robust: r["robustness"],
            divides: label("yes" if r["divides_group"] else "no", language),
        }
        for r in summary["ranking"][:top]
    ]
    frame = pd.DataFrame(rows, columns=[issue, score, robust, divides])
    order = list(frame[issue])
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{issue}:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
    )
    bars = base.mark_bar().encode(
        x=alt.X(f"{score}:Q", scale=alt.Scale(domain=[0, 1]), title=f"{score} / {robust}"),
        color=alt.Color(
            f"{divides}:N",
            scale=alt.Scale(
                domain=[label("no", language), label("yes", language)], range=[_CALM, _ACCENT]
            ),
            legend=alt.Legend(title=divides, orient="bottom"),
        ),
        tooltip=[f"{issue}:N", f"{score}:Q", f"{robust}:Q", f"{divides}:N"],
    )
    dots = base.mark_point(shape="diamond", filled=True, size=60, color="#f2cc8f").encode(
        x=alt.X(f"{robust}:Q")
    )
    return alt.LayerChart(
        layer=[bars, dots],
        title=label("chart_ranking_title", language),
        width=420,
        height=max(60, 18 * len(rows)),
    )


def happiness_chart(summary: dict[str, Any], *, lang: str | None = None) -> alt.LayerChart:
    """The happiness map as a heat map: cards per stakeholder (rows) × theme (columns)."""
    language = export_lang(summary, lang)
    names = Names(summary, language)
    holder, theme, cards = (
        label("chart_stakeholder", language),
        label("chart_theme", language),
        label("chart_cards", language),
    )
    grid = summary["happiness_map"]
    holders = [names.stakeholder(k) for k in grid["stakeholders"]]
    themes = [names.theme(k) for k in grid["themes"]]
    rows = [
        {holder: holders[i], theme: themes[j], cards: count}
        for i, counts in enumerate(grid["counts"])
        for j, count in enumerate(counts)
    ]
    frame = pd.DataFrame(rows, columns=[holder, theme, cards])
    base = alt.Chart(frame).encode(
        x=alt.X(f"{theme}:N", sort=themes, axis=alt.Axis(labelAngle=-30, labelLimit=200)),
        y=alt.Y(f"{holder}:N", sort=holders),
    )
    heat = base.mark_rect().encode(
        color=alt.Color(f"{cards}:Q", scale=alt.Scale(scheme="oranges"), legend=None),
        tooltip=[f"{holder}:N", f"{theme}:N", f"{cards}:Q"],
    )
    numbers = base.mark_text(fontSize=12).encode(
        text=alt.Text(f"{cards}:Q"),
        color=alt.condition(alt.datum[cards] > 0, alt.value("#222"), alt.value("#bbb")),
    )
    return alt.LayerChart(
        layer=[heat, numbers],
        title=label("chart_happiness_title", language),
        width=max(120, 64 * len(themes)),
        height=max(60, 26 * len(holders)),
    )


CHARTS = {"ranking": ranking_chart, "happiness": happiness_chart}
