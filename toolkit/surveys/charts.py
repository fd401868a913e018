"""The charts of a survey's results (issue 19, item 3): one builder per chart, for every
screen and every export.

Each builder takes the results dicts of ``summary["surveys"]`` (built by
``toolkit.surveys.results``), never the store, so the console, the board, the HTML report
and the image exports draw the same chart from the same numbers. They return plain Altair
charts with inline data: :func:`toolkit.charts.to_svg` renders them offline (Japanese fonts
registered) and :func:`toolkit.charts.chart_table` lists the same data for screen readers.
Sizes follow ``toolkit.summary_charts`` (``"projector"``, ``"laptop"``, ``"report"``).

* :func:`distribution_chart`: the shares of the answers; a Likert question as one bar per
  wave with its points stacked in order, a choice as one bar per option;
* :func:`before_after_chart`: the mean of each wave with its 95 % confidence interval;
* :func:`segment_chart`: the mean (or the shares) of each group of a segment that may be
  shown; the withheld groups are only counted in the subtitle;
* :func:`gap_chart`: each linked issue's current state (from the survey) and ideal, on 1–5.

>>> question = {"key": "q1", "kind": "likert", "text": "前向きだ", "scale": 5,
...     "options": [{"key": str(p), "label": str(p)} for p in range(1, 6)],
...     "waves": {"before": {"title": "事前", "answered": 4, "mean": None, "by_segment": [],
...         "distribution": [{"key": str(p), "label": str(p), "count": c, "share": c / 4}
...                          for p, c in zip(range(1, 6), [0, 1, 0, 2, 1])]}},
...     "comparison": None}
>>> from toolkit.charts import chart_table
>>> chart_table(distribution_chart(question, "before", lang="ja")).rows[:2]
(('2', '事前', 25.0), ('4', '事前', 50.0))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from toolkit.i18n import t
from toolkit.summary_charts import Size, chart_size, sized

_CALM = "#1d4f91"
_ACCENT = "#c8553d"
#: Likert points from "disagree" (warm) to "agree" (cool), neutral in the middle.
_LIKERT_COLOURS = {
    5: ["#c8553d", "#e9a38f", "#d9d9d9", "#8fb3d9", "#1d4f91"],
    7: ["#b23a24", "#d9765f", "#efb9a8", "#d9d9d9", "#a9c4e2", "#5d8cc4", "#1d4f91"],
}


def _tips(names: list[str], numbers: list[str]) -> list[alt.Tooltip]:
    """Tooltips with their types given, so an empty chart (no answers yet) needs no guess."""
    return [alt.Tooltip(f"{n}:N") for n in names] + [alt.Tooltip(f"{n}:Q") for n in numbers]


def _waves_with_answers(question: Mapping[str, Any]) -> list[str]:
    return [key for key, wave in question["waves"].items() if wave["answered"]]


def _percent(share: float | None) -> float:
    return round(100.0 * float(share or 0.0), 1)


def distribution_chart(
    question: Mapping[str, Any],
    wave: str | None = None,
    lang: str | None = None,
    *,
    size: Size = "report",
) -> Any:
    """The shares (%) of the answers of ``question`` (one of ``survey["questions"]``) in
    ``wave`` (``None``: every wave with answers, one bar each). A Likert question is one
    bar per wave with its points stacked in order, labelled with their words; a single or
    multiple choice is one bar per option (a multiple-choice option's share is of the people
    who answered, so the shares may add up to more than 100 %)."""
    profile = chart_size(size)
    waves = [wave] if wave is not None else _waves_with_answers(question)
    option, share, count, round_ = (
        t("survey_chart_option", lang),
        t("survey_chart_share", lang),
        t("survey_chart_count", lang),
        t("survey_chart_wave", lang),
    )
    labels = [o["label"] for o in question["options"]]
    rows = [
        {
            round_: question["waves"][w]["title"],
            option: d["label"],
            count: d["count"],
            share: _percent(d["share"]),
        }
        for w in waves
        for d in question["waves"][w]["distribution"]
    ]
    frame = pd.DataFrame(rows, columns=[round_, option, count, share])
    title = {
        "text": question["text"],
        "subtitle": t("survey_chart_distribution_subtitle", lang),
    }
    if question["kind"] == "likert":
        wave_titles = [question["waves"][w]["title"] for w in waves]
        colours = _LIKERT_COLOURS.get(len(labels), _LIKERT_COLOURS[5])
        frame = frame[frame[count] > 0]  # an empty point draws nothing and lists nothing
        chart = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X(
                    f"{share}:Q",
                    stack="zero",
                    scale=alt.Scale(domain=[0, 100]),
                    title=f"{share} (%)",
                ),
                y=alt.Y(f"{round_}:N", sort=wave_titles, title=None),
                color=alt.Color(
                    f"{option}:N",
                    sort=labels,
                    scale=alt.Scale(domain=labels, range=colours),
                    legend=alt.Legend(
                        title=None,
                        orient="bottom",
                        columns=min(len(labels), 4),
                        labelLimit=profile.label_limit,
                    ),
                ),
                tooltip=_tips([round_, option], [count, share]),
            )
            .properties(
                title=title,
                width=profile.width,
                height=max(profile.min_height // 2, profile.bar_height * 2 * len(waves)),
            )
        )
        return sized(chart, profile)
    colour: Any = alt.value(_CALM)
    offset: dict[str, Any] = {}
    if len(waves) > 1:
        wave_titles = [question["waves"][w]["title"] for w in waves]
        colour = alt.Color(
            f"{round_}:N",
            sort=wave_titles,
            scale=alt.Scale(range=[_ACCENT, _CALM]),
            legend=alt.Legend(title=None, orient="bottom"),
        )
        offset = {"yOffset": alt.YOffset(f"{round_}:N", sort=wave_titles)}
    base = alt.Chart(frame).encode(
        x=alt.X(f"{share}:Q", scale=alt.Scale(domain=[0, 100]), title=f"{share} (%)"),
        y=alt.Y(f"{option}:N", sort=labels, title=None),
        **offset,
    )
    bars = base.mark_bar().encode(color=colour, tooltip=_tips([round_, option], [count, share]))
    notes = base.mark_text(align="left", dx=4, fontSize=profile.font, color="#111").encode(
        text=alt.Text(f"{count}:Q")
    )
    chart = alt.layer(bars, notes).properties(
        title=title,
        width=profile.width,
        height=max(profile.min_height, profile.bar_height * len(labels) * len(waves)),
    )
    return sized(chart, profile)


def _scale_domain(question: Mapping[str, Any]) -> list[float] | None:
    if question["kind"] == "likert" and question.get("scale"):
        return [1, int(question["scale"])]
    return None


def before_after_chart(
    question: Mapping[str, Any], lang: str | None = None, *, size: Size = "report"
) -> Any:
    """The mean of each wave with answers, with its 95 % confidence interval, in wave order;
    the subtitle says the cohort (and, when linked, the paired) difference in words."""
    profile = chart_size(size)
    round_, mean, low, high, n = (
        t("survey_chart_wave", lang),
        t("survey_chart_mean", lang),
        t("survey_chart_low", lang),
        t("survey_chart_high", lang),
        t("survey_chart_n", lang),
    )
    rows = []
    for key in _waves_with_answers(question):
        result = question["waves"][key]["mean"]
        if result is None:
            continue
        rows.append(
            {
                round_: question["waves"][key]["title"],
                mean: result["mean"],
                low: result["low"] if result["low"] is not None else result["mean"],
                high: result["high"] if result["high"] is not None else result["mean"],
                n: result["n"],
            }
        )
    frame = pd.DataFrame(rows, columns=[round_, mean, low, high, n])
    order = list(frame[round_])
    domain = _scale_domain(question)
    y_scale = alt.Scale(domain=domain, clamp=True) if domain else alt.Scale(zero=False)
    subtitle = [t("survey_chart_ci_note", lang)]
    comparison = question.get("comparison") or {}
    for kind in ("cohort", "paired"):
        if comparison.get(kind):
            subtitle.append(f"{t(f'survey_chart_{kind}', lang)}: {comparison[kind]['sentence']}")
    base = alt.Chart(frame).encode(
        x=alt.X(f"{round_}:N", sort=order, title=None, axis=alt.Axis(labelAngle=0))
    )
    interval = base.mark_rule(strokeWidth=3, color=_CALM).encode(
        y=alt.Y(f"{low}:Q", scale=y_scale, title=mean), y2=f"{high}:Q"
    )
    line = base.mark_line(color=_CALM, strokeDash=[4, 3]).encode(y=alt.Y(f"{mean}:Q"))
    points = base.mark_point(filled=True, size=90, color=_ACCENT).encode(
        y=alt.Y(f"{mean}:Q"), tooltip=_tips([round_], [mean, low, high, n])
    )
    labels = base.mark_text(align="left", dx=10, fontSize=profile.font, color="#111").encode(
        y=alt.Y(f"{mean}:Q"), text=alt.Text(f"{mean}:Q", format=".2f")
    )
    chart = alt.layer(interval, line, points, labels).properties(
        title={"text": question["text"], "subtitle": subtitle},
        width=max(profile.min_width, min(profile.width, 140 * max(1, len(order)))),
        height=max(profile.min_height, 12 * profile.bar_height),
    )
    return sized(chart, profile)


def _segment_result(
    question: Mapping[str, Any], wave: str, segment: str
) -> Mapping[str, Any] | None:
    for split in question["waves"][wave]["by_segment"]:
        if split["segment"] == segment:
            return dict(split)
    return None


def segment_chart(
    question: Mapping[str, Any],
    wave: str,
    segment: str,
    lang: str | None = None,
    *,
    size: Size = "report",
) -> Any:
    """The results of ``question`` in ``wave`` per group of ``segment`` that may be shown:
    the mean with its 95 % confidence interval (Likert and number questions), else the share
    of each option. Withheld groups (under the minimum group size) never appear; the
    subtitle says how many there are."""
    profile = chart_size(size)
    split = _segment_result(question, wave, segment) or {
        "segment_text": segment,
        "groups": [],
        "withheld": 0,
    }
    group, mean, low, high, n = (
        t("survey_chart_group", lang),
        t("survey_chart_mean", lang),
        t("survey_chart_low", lang),
        t("survey_chart_high", lang),
        t("survey_chart_n", lang),
    )
    subtitle = [f"{split['segment_text']} · {question['waves'][wave]['title']}"]
    if split["withheld"]:
        subtitle.append(t("survey_chart_withheld", lang, count=split["withheld"]))
    names = [g["label"] for g in split["groups"]]
    title = {"text": question["text"], "subtitle": subtitle}
    height = max(profile.min_height, profile.bar_height * max(1, len(names)) * 2)
    if question["kind"] in ("likert", "number"):
        frame = pd.DataFrame(
            [
                {
                    group: g["label"],
                    mean: g["mean"]["mean"],
                    low: g["mean"]["low"] if g["mean"]["low"] is not None else g["mean"]["mean"],
                    high: g["mean"]["high"] if g["mean"]["high"] is not None else g["mean"]["mean"],
                    n: g["n"],
                }
                for g in split["groups"]
                if g["mean"] is not None
            ],
            columns=[group, mean, low, high, n],
        )
        domain = _scale_domain(question)
        x_scale = alt.Scale(domain=domain, clamp=True) if domain else alt.Scale(zero=False)
        base = alt.Chart(frame).encode(y=alt.Y(f"{group}:N", sort=names, title=None))
        interval = base.mark_rule(strokeWidth=3, color=_CALM).encode(
            x=alt.X(f"{low}:Q", scale=x_scale, title=mean), x2=f"{high}:Q"
        )
        points = base.mark_point(filled=True, size=90, color=_ACCENT).encode(
            x=alt.X(f"{mean}:Q"), tooltip=_tips([group], [mean, low, high, n])
        )
        chart = alt.layer(interval, points).properties(
            title=title, width=profile.width, height=height
        )
        return sized(chart, profile)
    option, share = t("survey_chart_option", lang), t("survey_chart_share", lang)
    frame = pd.DataFrame(
        [
            {group: g["label"], option: d["label"], share: _percent(d["share"]), n: g["n"]}
            for g in split["groups"]
            for d in g["distribution"]
        ],
        columns=[group, option, share, n],
    )
    labels = [o["label"] for o in question["options"]]
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{share}:Q", scale=alt.Scale(domain=[0, 100]), title=f"{share} (%)"),
            y=alt.Y(f"{group}:N", sort=names, title=None),
            yOffset=alt.YOffset(f"{option}:N", sort=labels),
            color=alt.Color(
                f"{option}:N", sort=labels, legend=alt.Legend(title=None, orient="bottom")
            ),
            tooltip=_tips([group, option], [share, n]),
        )
        .properties(
            title=title,
            width=profile.width,
            height=max(profile.min_height, profile.bar_height * max(1, len(frame))),
        )
    )
    return sized(chart, profile)


def gap_chart(survey: Mapping[str, Any], lang: str | None = None, *, size: Size = "report") -> Any:
    """Each issue a survey measures: its current state (the survey's mean on 1–5) and its
    ideal, joined by a line, largest gap first."""
    profile = chart_size(size)
    issue, state, which, gap = (
        t("survey_chart_issue", lang),
        t("survey_chart_state", lang),
        t("survey_chart_which", lang),
        t("survey_chart_gap", lang),
    )
    current, ideal = t("survey_chart_current", lang), t("survey_chart_ideal", lang)
    gaps = list(survey["gaps"])
    names = [g["title"] for g in gaps]
    frame = pd.DataFrame(
        [
            {issue: g["title"], which: name, state: value, gap: g["gap"]}
            for g in gaps
            for name, value in ((current, g["current"]), (ideal, g["ideal"]))
        ],
        columns=[issue, which, state, gap],
    )
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{issue}:N", sort=names, title=None),
    )
    line = base.mark_line(color="#999", strokeWidth=3).encode(
        x=alt.X(f"{state}:Q", scale=alt.Scale(domain=[1, 5]), title=state),
        detail=f"{issue}:N",
    )
    points = base.mark_point(filled=True, size=110).encode(
        x=alt.X(f"{state}:Q"),
        color=alt.Color(
            f"{which}:N",
            scale=alt.Scale(domain=[current, ideal], range=[_ACCENT, _CALM]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        tooltip=_tips([issue, which], [state, gap]),
    )
    chart = alt.layer(line, points).properties(
        title={
            "text": t("survey_chart_gap_title", lang, survey=survey["title"]),
            "subtitle": t("survey_chart_gap_subtitle", lang),
        },
        width=profile.width,
        height=max(profile.min_height, profile.bar_height * max(1, len(names)) * 2),
    )
    return sized(chart, profile)
