"""The charts of a results summary: one builder per chart, for every screen and every export.

The projector board, the results view, the table's happiness map and the exports (HTML
report, SVG, PNG) all draw the ranking with :func:`ranking_chart` and the happiness map with
:func:`happiness_chart`. What differs between them is the medium, and that is a
:class:`ChartSize` (``"projector"``, ``"laptop"``, ``"report"``: fonts, width, row height),
plus, for the ranking, how robustness is drawn (``robustness=``):

- ``"notes"`` (the board): the score and robustness written after each bar, ⚠ for an issue
  that divides the group; a legend cannot be read from the back of a room.
- ``"colour"`` (the results view): bars coloured by robustness (%), with a legend.
- ``"diamonds"`` (the report): a diamond at each issue's robustness on the score's 0–1 axis,
  bars coloured by whether the issue divides the group.

A rank shared by several issues (a tie the charter's tie-break left open) is marked in every
chart's labels: ``=2. Title (tie)``.

The builders return plain Altair charts with inline data, so :func:`toolkit.charts.to_svg`
renders them offline and :func:`toolkit.charts.chart_table` lists the same data for screen
readers.

>>> ranking = [
...     {"rank": 1, "title": "窓口", "score": 0.8, "robustness": 0.9, "divides_group": False},
...     {"rank": 2, "title": "3レス", "score": 0.6, "robustness": 0.55, "divides_group": True},
... ]
>>> from toolkit.charts import chart_table
>>> chart_table(ranking_chart(ranking, lang="en", size="projector", robustness="notes")).rows
(('1. 窓口', 0.8, '0.80 · 90%'), ('2. 3レス', 0.6, '0.60 · 55% ⚠'))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import altair as alt
import pandas as pd

from toolkit.i18n import t

_ACCENT = "#c8553d"
_CALM = "#1d4f91"
_DIAMOND = "#f2cc8f"


@dataclass(frozen=True)
class ChartSize:
    """How large a chart is drawn on one medium; the data and the words do not change."""

    name: str
    font: int
    """Axis labels and titles, legends, numbers written on the chart (px)."""
    title_font: int
    width: int
    """The whole plot's width (px), notes after the bars included."""
    bar_height: int
    """Height of one bar (px)."""
    label_limit: int
    """Longest axis label (px) before it is cut with an ellipsis."""
    note_room: int
    """Pixels after the longest bar kept for its note (``robustness="notes"``)."""
    cell_width: int
    """Width (px) of one theme's column in the happiness map."""
    cell_height: int
    """Height (px) of one stakeholder's row in the happiness map."""
    min_width: int
    min_height: int


SIZES: dict[str, ChartSize] = {
    # Readable from the back of a room; with up to 520 px of labels a chart fills the board's
    # width at 1920 × 1080 beside the join panel.
    "projector": ChartSize(
        name="projector",
        font=22,
        title_font=28,
        width=860,
        bar_height=44,
        label_limit=520,
        note_room=280,
        cell_width=64,
        cell_height=38,
        min_width=300,
        min_height=80,
    ),
    # A facilitator's or a table's laptop, read from arm's length.
    "laptop": ChartSize(
        name="laptop",
        font=14,
        title_font=18,
        width=480,
        bar_height=22,
        label_limit=360,
        note_room=160,
        cell_width=90,
        cell_height=36,
        min_width=240,
        min_height=120,
    ),
    # An A4 page (the HTML report) and the SVG/PNG exports.
    "report": ChartSize(
        name="report",
        font=11,
        title_font=13,
        width=420,
        bar_height=18,
        label_limit=320,
        note_room=120,
        cell_width=64,
        cell_height=26,
        min_width=120,
        min_height=60,
    ),
}

Size = ChartSize | Literal["projector", "laptop", "report"]
RobustnessMarks = Literal["notes", "colour", "diamonds"]

_RANKING_TITLES: dict[str, str] = {
    "notes": "board_ranking",
    "colour": "results_chart_title",
    "diamonds": "export_chart_ranking_title",
}


def chart_size(size: Size) -> ChartSize:
    """The :class:`ChartSize` named ``size`` (or ``size`` itself)."""
    return size if isinstance(size, ChartSize) else SIZES[size]


def sized(chart: Any, size: Size) -> Any:
    """``chart`` with the fonts of ``size`` (a top-level ``configure``, applied once)."""
    profile = chart_size(size)
    return (
        chart.configure_axis(
            labelFontSize=profile.font,
            titleFontSize=profile.font,
            labelLimit=profile.label_limit,
        )
        .configure_title(fontSize=profile.title_font, anchor="start")
        .configure_legend(labelFontSize=profile.font, titleFontSize=profile.font)
        .configure_view(strokeWidth=0)
    )


# ------------------------------------------------------------------------------ the ranking
def tied_ranks(ranking: Sequence[Mapping[str, Any]]) -> set[int]:
    """The ranks that more than one issue shares (a tie the charter's tie-break left open).

    >>> sorted(tied_ranks([{"rank": 1}, {"rank": 2}, {"rank": 2}, {"rank": 2}, {"rank": 5}]))
    [2]
    """
    seen = Counter(int(row["rank"]) for row in ranking)
    return {rank for rank, count in seen.items() if count > 1}


def rank_text(rank: int, tied: set[int], lang: str | None) -> str:
    """``"2"``, or ``"=2 (tie)"`` for a shared rank.

    >>> rank_text(2, {2}, "en"), rank_text(3, {2}, "ja")
    ('=2 (tie)', '3')
    """
    return t("board_rank_tied", lang, rank=rank) if rank in tied else str(rank)


def rank_label(row: Mapping[str, Any], tied: set[int], lang: str | None) -> str:
    """``"1. Title"``; a shared rank is marked: ``"=2. Title (tie)"``.

    >>> rank_label({"rank": 2, "title": "窓口"}, {2}, "ja")
    '=2. 窓口（同順位）'
    """
    if row["rank"] in tied:
        return t("board_rank_label_tied", lang, rank=row["rank"], title=row["title"])
    return f"{row['rank']}. {row['title']}"


def ranking_note(row: Mapping[str, Any]) -> str:
    """What the board writes after a bar: ``"0.65 · 100%"``, ``" ⚠"`` when it divides the group.

    >>> ranking_note({"score": 0.6, "robustness": 0.554, "divides_group": True})
    '0.60 · 55% ⚠'
    """
    text = f"{row['score']:.2f} · {round(100 * row['robustness'])}%"
    return text + (" ⚠" if row["divides_group"] else "")


def ranking_chart(
    ranking: Sequence[Mapping[str, Any]],
    *,
    lang: str | None = None,
    size: Size = "report",
    robustness: RobustnessMarks = "diamonds",
    top: int | None = None,
) -> Any:
    """The summary's ranking (``summary["ranking"]``) as bars of the score, best first.

    ``robustness`` chooses how robustness (and division) is drawn (module docstring); ``top``
    draws only the first issues (ties are still found in the whole ranking).
    """
    profile = chart_size(size)
    tied = tied_ranks(ranking)
    shown = list(ranking)[:top]
    issue, score = t("export_chart_issue", lang), t("export_chart_score", lang)
    robust, note = t("export_chart_robustness", lang), t("board_col_note", lang)
    divides = t("export_col_divides", lang)
    yes, no = t("export_yes", lang), t("export_no", lang)
    columns: dict[str, list[Any]] = {
        issue: [rank_label(row, tied, lang) for row in shown],
        score: [round(float(row["score"]), 3) for row in shown],
    }
    if robustness == "notes":
        columns[note] = [ranking_note(row) for row in shown]
    elif robustness == "colour":
        columns[robust] = [round(100 * float(row["robustness"])) for row in shown]
    else:
        columns[robust] = [round(float(row["robustness"]), 3) for row in shown]
        columns[divides] = [yes if row["divides_group"] else no for row in shown]
    frame = pd.DataFrame(columns, columns=list(columns))
    base = alt.Chart(frame).encode(
        x=alt.X(
            f"{score}:Q",
            scale=alt.Scale(domain=[0, 1]),
            title=f"{score} / {robust}" if robustness == "diamonds" else score,
            axis=alt.Axis(tickCount=6, labelOverlap=True),
        ),
        y=alt.Y(f"{issue}:N", sort=columns[issue], title=None),
    )
    width = profile.width
    chart: Any
    if robustness == "notes":
        width -= profile.note_room  # the longest bar's note is written after its end
        text = base.mark_text(align="left", dx=8, fontSize=profile.font, color="#111").encode(
            text=alt.Text(f"{note}:N")
        )
        chart = alt.layer(base.mark_bar(color=_CALM), text).properties(
            padding={"left": 5, "top": 5, "bottom": 5, "right": profile.note_room}
        )
    elif robustness == "colour":
        chart = base.mark_bar().encode(
            color=alt.Color(
                f"{robust}:Q",
                scale=alt.Scale(domain=[0, 100], scheme="oranges"),
                title=f"{robust} (%)",
            )
        )
    else:
        bars = base.mark_bar().encode(
            color=alt.Color(
                f"{divides}:N",
                scale=alt.Scale(domain=[no, yes], range=[_CALM, _ACCENT]),
                legend=alt.Legend(title=divides, orient="bottom"),
            )
        )
        dots = base.mark_point(shape="diamond", filled=True, size=60, color=_DIAMOND).encode(
            x=alt.X(f"{robust}:Q")
        )
        chart = alt.layer(bars, dots)
    chart = chart.properties(
        title=t(_RANKING_TITLES[robustness], lang),
        width=width,
        height=max(profile.min_height, profile.bar_height * len(shown)),
    )
    return sized(chart, profile)


# ------------------------------------------------------------------------ the happiness map
class HappinessGrid(NamedTuple):
    """Cards per stakeholder (rows) × theme (columns), with the names people read."""

    stakeholders: list[str]
    themes: list[str]
    counts: list[list[int]]


def happiness_grid(summary: Mapping[str, Any], lang: str | None = None) -> HappinessGrid:
    """The summary's happiness map with names: a card without a stakeholder or a theme is
    counted in a "(no stakeholder)" row or a "(not grouped)" column."""
    grid = summary["happiness_map"]
    holders = {s["key"]: s["name"] for s in summary["stakeholders"]}
    themes = {th["key"]: th["name"] for th in summary["themes"]}
    nobody, nothing = t("export_no_stakeholder", lang), t("export_no_theme", lang)
    return HappinessGrid(
        [nobody if k is None else holders.get(k, k) for k in grid["stakeholders"]],
        [nothing if k is None else themes.get(k, k) for k in grid["themes"]],
        [list(row) for row in grid["counts"]],
    )


def happiness_chart(grid: HappinessGrid, *, lang: str | None = None, size: Size = "report") -> Any:
    """The happiness map as a heat map, with the number of cards written in each cell; rows
    and columns keep the grid's order.

    >>> grid = HappinessGrid(["子育て世帯", "窓口職員"], ["待たずに済む"], [[2], [0]])
    >>> from toolkit.charts import chart_table
    >>> table = chart_table(happiness_chart(grid, lang="ja", size="laptop"))
    >>> table.title
    'うれしさマップ: ステークホルダー × テーマのカード数'
    >>> table.rows
    (('子育て世帯', '待たずに済む', 2), ('窓口職員', '待たずに済む', 0))
    """
    profile = chart_size(size)
    holder, theme, cards = (
        t("export_chart_stakeholder", lang),
        t("export_chart_theme", lang),
        t("export_chart_cards", lang),
    )
    frame = pd.DataFrame(
        [
            {holder: name, theme: grid.themes[j], cards: count}
            for name, row in zip(grid.stakeholders, grid.counts, strict=True)
            for j, count in enumerate(row)
        ],
        columns=[holder, theme, cards],
    )
    base = alt.Chart(frame).encode(
        x=alt.X(f"{theme}:N", sort=list(grid.themes), axis=alt.Axis(labelAngle=-30)),
        y=alt.Y(f"{holder}:N", sort=list(grid.stakeholders)),
    )
    # The numbers carry the values: no legend, which would take the room of two columns.
    heat = base.mark_rect(stroke="#fff", strokeWidth=2).encode(
        color=alt.Color(f"{cards}:Q", scale=alt.Scale(scheme="oranges"), legend=None)
    )
    # Dark text on light cells, white on the darkest, grey for an empty cell.
    most = alt.datum["_most"]
    numbers = (
        base.transform_joinaggregate(_most=f"max({cards})")
        .mark_text(fontSize=profile.font)
        .encode(
            text=alt.Text(f"{cards}:Q"),
            color=alt.when(alt.datum[cards] > 0.6 * most)
            .then(alt.value("#fff"))
            .when(alt.datum[cards] > 0)
            .then(alt.value("#222"))
            .otherwise(alt.value("#bbb")),
        )
    )
    chart = alt.layer(heat, numbers).properties(
        title=t("export_chart_happiness_title", lang),
        width=max(profile.min_width, profile.cell_width * len(grid.themes)),
        height=max(profile.min_height, profile.cell_height * len(grid.stakeholders)),
    )
    return sized(chart, profile)
