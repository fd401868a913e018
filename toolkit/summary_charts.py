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


# ------------------------------------------------------------------------------ the roadmap
def _fy_labels(years: Sequence[int], lang: str | None) -> str:
    """A Vega expression naming the fiscal year that starts at an axis tick (1 April)."""
    from toolkit.fiscal import FiscalPeriod

    expression = "''"
    for year in reversed(years):
        name = FiscalPeriod(year).label(lang).replace("'", "")
        expression = f"utcyear(datum.value) == {year} ? '{name}' : ({expression})"
    return expression


def roadmap_label(row: Mapping[str, Any], ranks: Mapping[str, str], lang: str | None) -> str:
    """A roadmap bar's label: the issue's rank and title, and the issues it waits for.

    >>> row = {"issue": "b", "title": "電子申請", "rank": 2, "depends_on": ["a"]}
    >>> roadmap_label(row, {"a": "1"}, "ja"), roadmap_label(row, {"a": "1"}, "en")
    ('2. 電子申請（前提: 1）', '2. 電子申請 (after: 1)')
    >>> roadmap_label({"issue": "c", "title": "日報", "rank": None, "depends_on": []}, {}, "en")
    '–. 日報'
    """
    rank = "–" if row.get("rank") is None else str(row["rank"])
    label = f"{rank}. {row['title']}"
    waits = [ranks.get(str(key), str(key)) for key in row.get("depends_on") or []]
    if waits:
        label = t("followup_chart_depends_label", lang, label=label, after=", ".join(waits))
    return label


def roadmap_chart(
    followup: Mapping[str, Any], *, lang: str | None = None, size: Size = "report"
) -> Any:
    """The roadmap (``summary["followup"]``'s ``roadmap`` rows) as a Gantt-style chart.

    One bar per roadmap item, from its period's first day to its last, in the roadmap's order
    (by period, then the backlog's); each bar is labelled with the issue's rank and title and
    the ranks (or keys) of the issues it waits for, and coloured by owner department (the
    legend and the table name it: not colour alone). The time axis runs over whole fiscal
    years, its ticks on each 1 April named after the fiscal year starting there.

    >>> followup = {"as_of": "2026-05-01", "roadmap": [
    ...     {"issue": "a", "title": "窓口", "rank": 1, "year": 2026, "quarter": None,
    ...      "period": {"ja": "令和8年度", "en": "FY2026"}, "start": "2026-04-01",
    ...      "end": "2027-03-31", "owner_department": "市民課", "budget_line": "",
    ...      "review_on": None, "depends_on": []}]}
    >>> from toolkit.charts import chart_table
    >>> table = chart_table(roadmap_chart(followup, lang="ja", size="laptop"))
    >>> table.title, table.rows[0][:3]
    ('ロードマップ（年度別）', ('1. 窓口', '令和8年度', '市民課'))
    """
    from datetime import date

    from toolkit.fiscal import fiscal_year

    profile = chart_size(size)
    rows = list(followup.get("roadmap") or [])
    ranks = {
        str(row["issue"]): (str(row["rank"]) if row.get("rank") is not None else str(row["issue"]))
        for row in rows
    }
    titles = {str(row["issue"]): str(row["title"]) for row in rows}
    item, period = t("followup_chart_item", lang), t("followup_chart_period", lang)
    owner, start = t("followup_chart_owner", lang), t("followup_chart_start", lang)
    end, after = t("followup_chart_end", lang), t("followup_chart_depends_on", lang)
    nobody = t("followup_chart_no_owner", lang)
    labels = [roadmap_label(row, ranks, lang) for row in rows]
    frame = pd.DataFrame(
        {
            item: labels,
            period: [row["period"][lang if lang in ("ja", "en") else "ja"] for row in rows],
            owner: [row.get("owner_department") or nobody for row in rows],
            start: [row["start"] for row in rows],
            end: [row["end"] for row in rows],
            after: [
                ", ".join(titles.get(str(k), str(k)) for k in row.get("depends_on") or [])
                for row in rows
            ],
        },
        columns=[item, period, owner, start, end, after],
    )
    if rows:
        first = fiscal_year(parse_iso(min(row["start"] for row in rows)))
        last = fiscal_year(parse_iso(max(row["end"] for row in rows)))
    else:
        as_of = followup.get("as_of")
        first = last = fiscal_year(parse_iso(as_of) if as_of else date.today())
    years = list(range(first, last + 1))
    domain = [f"{first}-04-01", f"{last + 1}-04-01"]
    x_axis = alt.Axis(
        values=[alt.DateTime(year=y, month=4, date=1, utc=True) for y in years],
        labelExpr=_fy_labels(years, lang),
        labelAlign="left",
        labelOverlap=False,
        grid=True,
        gridColor="#888",
        title=None,
    )
    bars = (
        alt.Chart()
        .mark_bar(cornerRadius=3, stroke="#222", strokeWidth=1)
        .encode(
            x=alt.X(f"{start}:T", scale=alt.Scale(type="utc", domain=domain), axis=x_axis),
            x2=alt.X2(f"{end}:T"),
            y=alt.Y(f"{item}:N", sort=labels, title=None),
            color=alt.Color(
                f"{owner}:N",
                scale=alt.Scale(scheme="dark2"),
                legend=alt.Legend(title=owner, orient="bottom"),
            ),
            tooltip=[item, period, owner, after],
        )
    )
    chart = alt.layer(bars, data=frame).properties(
        title=t("followup_chart_roadmap_title", lang),
        width=profile.width,
        height=max(profile.min_height, int(profile.bar_height * 1.4) * max(1, len(rows))),
    )
    return sized(chart, profile)


def parse_iso(text: str) -> Any:
    """``"2026-04-01"`` → ``date(2026, 4, 1)``."""
    from datetime import date

    return date.fromisoformat(str(text)[:10])


# ---------------------------------------------------------------------------- an indicator
def indicator_chart(
    indicator: Mapping[str, Any], *, lang: str | None = None, size: Size = "report"
) -> Any:
    """One indicator (a row of ``summary["followup"]["indicators"]``) against its target.

    The measurements over time as a line with points; the baseline and the target as marked
    points (each kind with its own shape and colour, named in the legend); the straight
    expected path from baseline to target (dashed) and the target value as a dotted line
    across. The title names the indicator, its unit and its status
    (:func:`toolkit.indicators.status_name`).

    >>> row = {"name": "窓口待ち時間", "unit": "分", "status": "on_track", "baseline": 30,
    ...        "baseline_on": "2026-04-01", "target": 15, "target_on": "2027-04-01",
    ...        "measurements": [{"value": 22, "measured_on": "2026-10-01"}]}
    >>> from toolkit.charts import chart_table
    >>> table = chart_table(indicator_chart(row, lang="ja"))
    >>> table.title
    '窓口待ち時間（分）: 順調'
    >>> table.rows
    (('基準値', '2026-04-01', 30.0), ('目標値', '2027-04-01', 15.0), ('測定値', '2026-10-01', 22.0))
    """
    from toolkit.indicators import status_name

    profile = chart_size(size)
    kind, day = t("followup_chart_series", lang), t("followup_chart_date", lang)
    value = t("followup_chart_value", lang)
    measured = t("followup_chart_measured", lang)
    baseline, target = t("followup_chart_baseline", lang), t("followup_chart_target", lang)
    points = [
        (baseline, str(indicator["baseline_on"]), float(indicator["baseline"])),
        (target, str(indicator["target_on"]), float(indicator["target"])),
    ]
    points += [
        (measured, str(m["measured_on"]), float(m["value"]))
        for m in indicator.get("measurements") or []
    ]
    frame = pd.DataFrame(points, columns=[kind, day, value])
    unit = str(indicator.get("unit") or "")
    x = alt.X(
        f"{day}:T",
        scale=alt.Scale(type="utc", padding=12),
        title=day,
        axis=alt.Axis(format="%Y-%m", labelOverlap=True, tickCount=6),
    )
    y = alt.Y(
        f"{value}:Q",
        scale=alt.Scale(zero=False),
        title=f"{value}（{unit}）"
        if unit and lang != "en"
        else f"{value} ({unit})"
        if unit
        else value,
    )
    kinds = [measured, baseline, target]
    legend = alt.Legend(title=None, orient="bottom")
    path = (
        alt.Chart()
        .transform_filter(alt.FieldOneOfPredicate(field=kind, oneOf=[baseline, target]))
        .mark_line(strokeDash=[6, 4], color="#777", strokeWidth=2)
        .encode(x=x, y=y)
    )
    goal = (
        alt.Chart()
        .transform_filter(alt.datum[kind] == target)
        .mark_rule(strokeDash=[2, 3], color=_ACCENT, strokeWidth=1.5)
        .encode(y=alt.Y(f"{value}:Q"))
    )
    line = (
        alt.Chart()
        .transform_filter(alt.datum[kind] == measured)
        .mark_line(color=_CALM, strokeWidth=3)
        .encode(x=x, y=y)
    )
    dots = (
        alt.Chart()
        .mark_point(filled=True, size=max(60, profile.font * 8), opacity=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                f"{kind}:N",
                scale=alt.Scale(domain=kinds, range=[_CALM, "#555", _ACCENT]),
                legend=legend,
            ),
            shape=alt.Shape(
                f"{kind}:N",
                scale=alt.Scale(domain=kinds, range=["circle", "square", "diamond"]),
                legend=legend,
            ),
            tooltip=[kind, day, value],
        )
    )
    title = t(
        "followup_chart_indicator_title",
        lang,
        name=indicator["name"],
        unit=unit or "–",
        status=status_name(indicator.get("status") or "no_data", lang),
    )
    # No line without measurements: an empty line mark is an unlabelled image to a screen
    # reader (axe: svg-img-alt); the chart's figure and table say "no data yet".
    layers = [path, goal, line, dots] if indicator.get("measurements") else [path, goal, dots]
    chart = alt.layer(*layers, data=frame).properties(
        title=title,
        width=profile.width,
        height=max(profile.min_height, profile.bar_height * 10),
    )
    return sized(chart, profile)
