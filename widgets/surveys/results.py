"""Each survey's results (issue 19) in the results app, and the two buttons that carry them
into the workshop: the issues' current state (現状) and the follow-up indicators.

:class:`SurveyResults` renders the dicts of ``summary["surveys"]``
(:func:`toolkit.summary.surveys_section`, one computation for every view) in the app's
language: per question the charts of :mod:`toolkit.surveys.charts` (drawn offline, with
their data as a table), the before/after sentences, the split by segment (a group smaller
than the minimum group size is never shown: only how many were withheld), and the gaps
between the survey's current state and each issue's ideal.

- "Set the issues' current state from this survey" asks first, then
  :func:`toolkit.surveys.results.apply_current_states` and shows what changed;
- "Record this wave as indicator measurements" is
  :func:`toolkit.surveys.results.record_wave_measurements` for the chosen wave and day.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any

import ipywidgets
import traitlets

from toolkit.i18n import t
from toolkit.model import Event
from toolkit.times import workshop_time_zone
from widgets.chart import ChartView
from widgets.confirm import ConfirmButton
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed
from widgets.ui import (
    ISSUE_EVENTS,
    SURVEY_EVENTS,
    WIDE_LABEL,
    bar_cell,
    button,
    css,
    fit,
    html_table,
    percent,
)

ANSWERS_REDRAW_SECONDS = 10.0
"""While a wave is open, the results redraw at most this often as answers come in."""


def _p(text: str, css_class: str = "") -> str:
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<p{attribute}>{escape(text)}</p>"


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def survey_sections(ctx: AppContext) -> list[dict[str, Any]]:
    """``summary["surveys"]`` of the workshop in the app's language (the same function the
    summary calls, without the rest of the summary)."""
    from toolkit.summary import surveys_section

    store, slug = ctx.store, ctx.slug
    surveys = store.surveys(slug)
    if not surveys:
        return []
    workshop = store.workshop(slug)
    minimum = int((workshop.spec.get("town_meeting") or {}).get("min_group_size", 5))
    return surveys_section(
        store,
        slug,
        surveys,
        lang=ctx.lang,
        zone=workshop_time_zone(workshop.time_zone),
        min_group_size=minimum,
        issues=store.issues(slug),
    )


def question_html(question: dict[str, Any], result: dict[str, Any], lang: str) -> str:
    """One question's numbers: per wave how many answered, the mean, the distribution, the
    split by segment (withheld groups only counted), free-text themes; then the
    before/after sentences."""
    titles = {w["key"]: w["title"] for w in result["waves"]}
    parts = [f"<h4>{escape(question['text'])}</h4>"]
    for wave, data in question["waves"].items():
        if not data.get("answered"):
            continue
        title = titles.get(wave, wave)
        mean = data.get("mean")
        line = t("surveys_view_answered", lang, wave=title, n=data["answered"])
        if mean:
            line += " " + t(
                "surveys_view_mean",
                lang,
                mean=_number(mean["mean"]),
                low=_number(mean["low"]),
                high=_number(mean["high"]),
            )
        parts.append(_p(line))
        distribution = data.get("distribution") or []
        # Likert points are in the chart. A segment question's own counts are not shown:
        # they would give away the size of a group too small to show apart.
        if distribution and question["kind"] != "likert" and not question.get("segment"):
            rows = [
                (escape(d["label"]), d["count"], bar_cell(d["share"], percent(d["share"])))
                for d in distribution
            ]
            columns = [t(k, lang) for k in ("surveys_view_col_answer", "surveys_col_n")]
            columns.append(t("surveys_view_col_share", lang))
            parts.append(html_table(columns, rows, f"{question['text']} — {title}", raw=True))
        for split in data.get("by_segment") or []:
            parts.append(segment_html(split, title, question["kind"], result, lang))
        for theme in data.get("themes") or []:
            examples = " / ".join(theme.get("examples") or [])
            parts.append(
                _p(t("surveys_view_theme", lang, label=theme["label"], n=theme["count"]))
                + (f"<blockquote>{escape(examples)}</blockquote>" if examples else "")
            )
    comparison = question.get("comparison")
    if comparison:
        for kind in ("cohort", "paired"):
            part = comparison.get(kind)
            if not part:
                continue
            words = t(
                f"surveys_view_{kind}",
                lang,
                before=titles.get(comparison["from"], comparison["from"]),
                after=titles.get(comparison["to"], comparison["to"]),
                pairs=part.get("pairs", 0),
            )
            parts.append(
                f'<p class="ureshii-survey-sentence"><b>{escape(words)}</b> '
                f"{escape(part['sentence'])}</p>"
            )
    return "".join(parts)


def segment_html(
    split: dict[str, Any], wave: str, kind: str, result: dict[str, Any], lang: str
) -> str:
    """The answers of one wave by one segment: the groups shown, and how many were withheld
    (never which, never their numbers)."""
    groups = split.get("groups") or []
    caption = t("surveys_view_by_segment", lang, segment=split["segment_text"], wave=wave)
    html = ""
    if groups:
        rows: list[tuple[Any, ...]] = [
            (
                g["label"],
                g["n"],
                _number((g.get("mean") or {}).get("mean")) if g.get("mean") else "–",
            )
            for g in groups
        ]
        columns = [
            t("surveys_view_col_group", lang),
            t("surveys_col_n", lang),
            t("surveys_view_col_mean", lang),
        ]
        if kind not in ("likert", "number"):
            rows = [row[:2] for row in rows]
            columns = columns[:2]
        html += html_table(columns, rows, caption)
    withheld = split.get("withheld") or 0
    if withheld:
        html += _p(
            t("surveys_view_withheld", lang, n=withheld, minimum=result["min_group_size"]),
            "ureshii-survey-withheld",
        )
    return html


def gaps_html(result: dict[str, Any], lang: str) -> str:
    """The gaps between the survey's current state and each issue's ideal, largest first."""
    gaps = result.get("gaps") or []
    heading = f"<h4>{escape(t('surveys_view_gaps_heading', lang))}</h4>"
    if not gaps:
        return heading + _p(t("surveys_view_gaps_none", lang))
    titles = {w["key"]: w["title"] for w in result["waves"]}
    asked = {q["key"]: q["text"] for q in result["questions"]}
    rows = [
        (
            g["title"],
            asked.get(g["question"], g["question"]),
            titles.get(g["wave"], g["wave"]),
            _number(g["current"], 1),
            "–" if g.get("ideal") is None else g["ideal"],
            _number(g.get("gap"), 1),
        )
        for g in gaps
    ]
    columns = [
        t(k, lang)
        for k in (
            "surveys_view_col_issue",
            "surveys_view_col_question",
            "surveys_col_wave",
            "surveys_view_col_current",
            "surveys_view_col_ideal",
            "surveys_view_col_gap",
        )
    ]
    return (
        heading
        + _p(t("surveys_view_gaps_explain", lang))
        + html_table(columns, rows, t("surveys_view_gaps_heading", lang))
    )


def question_charts(question: dict[str, Any], lang: str) -> list[Any]:
    """The charts of one question (:mod:`toolkit.surveys.charts`): the shares of the answers
    (Likert and choices), the mean of each wave with its interval (Likert and numbers), and
    the mean of each segment's groups in the latest wave (withheld groups never drawn)."""
    from toolkit.surveys.charts import before_after_chart, distribution_chart, segment_chart

    waves = [key for key, wave in question["waves"].items() if wave.get("answered")]
    if not waves:
        return []
    charts = []
    if question["kind"] in ("likert", "single", "multiple") and not question.get("segment"):
        charts.append(distribution_chart(question, lang=lang, size="laptop"))
    if question["kind"] in ("likert", "number"):
        charts.append(before_after_chart(question, lang=lang, size="laptop"))
        latest = question["waves"][waves[-1]]
        for split in latest.get("by_segment") or []:
            if split.get("groups"):
                charts.append(
                    segment_chart(question, waves[-1], split["segment"], lang=lang, size="laptop")
                )
    return charts


class SurveySection(ipywidgets.VBox):
    """One survey's results and its two buttons (see the module docstring).

    ``result`` is the survey's dict of ``summary["surveys"]``; ``on_change`` re-reads the
    store after a button wrote to it. ``applier`` is the ConfirmButton of the current
    states (``applier.yes`` applies), ``record_button`` records the chosen ``wave``.
    """

    def __init__(
        self,
        ctx: AppContext,
        result: dict[str, Any],
        on_change: Callable[[], Any],
        *,
        charts: bool = True,
    ) -> None:
        self.ctx, self.key, self._on_change = ctx, result["key"], on_change
        lang = ctx.lang
        self.message = MessageArea()
        act = guarded(self.message, lang)
        self.header = ipywidgets.HTML()
        self.body = ipywidgets.VBox()
        self.gaps = ipywidgets.HTML()
        self.changes = ipywidgets.HTML()
        self.applier = ConfirmButton(
            t("surveys_view_apply", lang),
            question=t("surveys_view_apply_confirm", lang, title=result["title"]),
            confirm=t("surveys_view_apply_yes", lang),
            lang=lang,
            on_confirm=act(self.apply_current_states),
            icon="sliders",
            button_style="warning",
        )
        self.wave = ipywidgets.Dropdown(description=t("surveys_col_wave", lang), style=WIDE_LABEL)
        zone = workshop_time_zone(ctx.store.workshop(ctx.slug).time_zone)
        from toolkit.followup import today_in

        self.measured_on = ipywidgets.DatePicker(
            description=t("surveys_view_measured_on", lang), value=today_in(zone), style=WIDE_LABEL
        )
        self.record_button = fit(button(t("surveys_view_record", lang), icon="line-chart"))
        self.record_button.on_click(act(self.record_measurements))
        self.record_note = ipywidgets.HTML()
        self.charts = charts
        super().__init__(
            children=[
                self.header,
                self.body,
                self.gaps,
                self.applier,
                self.changes,
                self.record_note,
                ipywidgets.HBox([self.wave, self.measured_on, self.record_button]),
                self.message,
            ],
            layout=ipywidgets.Layout(border="1px solid #ccc", padding=".5em", margin=".5em 0"),
        )
        self.add_class("ureshii-survey-results")
        self.show(result)

    def show(self, result: dict[str, Any]) -> None:
        """Render the survey's results as last computed."""
        if result != getattr(self, "result", None):  # else the charts stay as drawn
            self.result = result
            self._render_results(result)
        self._show_buttons(result)

    def _render_results(self, result: dict[str, Any]) -> None:
        lang = self.ctx.lang
        waves = [
            (w["title"], t(f"surveys_state_{w['status']}", lang), w["responses"])
            for w in result["waves"]
        ]
        columns = [t(k, lang) for k in ("surveys_col_wave", "surveys_col_state", "surveys_col_n")]
        self.header.value = (
            f"<h3>{escape(result['title'])}</h3>"
            + html_table(columns, waves, t("surveys_waves_caption", lang))
            + _p(t("surveys_view_privacy", lang, minimum=result["min_group_size"]))
        )
        children: list[ipywidgets.Widget] = []
        for question in result["questions"]:
            children.append(ipywidgets.HTML(question_html(question, result, lang)))
            if self.charts:
                children.extend(ChartView(c, lang=lang) for c in question_charts(question, lang))
        if self.charts and result.get("gaps"):
            from toolkit.surveys.charts import gap_chart

            children.append(ChartView(gap_chart(result, lang=lang, size="laptop"), lang=lang))
        self.body.children = tuple(children)
        self.gaps.value = gaps_html(result, lang)

    def _show_buttons(self, result: dict[str, Any]) -> None:
        lang = self.ctx.lang
        issue_questions = [q for q in result["questions"] if q.get("issue")]
        self.applier.button.disabled = not result.get("gaps") and not issue_questions
        answered = [(w["title"], w["key"]) for w in result["waves"] if w["responses"]]
        kept = self.wave.value
        self.wave.options = answered
        if kept in {key for _, key in answered}:
            self.wave.value = kept
        elif answered:
            self.wave.value = answered[-1][1]
        linked = [
            indicator
            for indicator, (survey, _question) in self.ctx.store.survey_indicators(
                self.ctx.slug
            ).items()
            if survey == self.key
        ]
        self.record_button.disabled = not (linked and answered)
        names = {i.key: i.name for i in self.ctx.store.indicators(self.ctx.slug)} if linked else {}
        self.record_note.value = _p(
            t(
                "surveys_view_record_hint",
                lang,
                indicators="、".join(names.get(k, k) for k in linked)
                if lang == "ja"
                else ", ".join(names.get(k, k) for k in linked),
            )
            if linked
            else t("surveys_view_record_none", lang)
        )

    def apply_current_states(self, _button: object = None) -> None:
        from toolkit.surveys.results import apply_current_states

        lang = self.ctx.lang
        changed = apply_current_states(self.ctx.store, self.ctx.slug, self.key)
        if not changed:
            self.changes.value = ""
            self.message.show(t("surveys_view_apply_nothing", lang), "info")
            self._on_change()
            return
        titles = {i.key: i.title for i in self.ctx.store.issues(self.ctx.slug)}
        rows = [
            (
                titles.get(c["issue"], c["issue"]),
                "–" if c["previous"] is None else c["previous"],
                c["current"],
                f"{c['mean']:.2f} (n={c['n']})",
            )
            for c in changed
        ]
        columns = [
            t(k, lang)
            for k in (
                "surveys_view_col_issue",
                "surveys_view_col_previous",
                "surveys_view_col_current",
                "surveys_view_col_mean",
            )
        ]
        self.changes.value = html_table(columns, rows, t("surveys_view_applied_caption", lang))
        self.message.show(t("surveys_view_applied", lang, n=len(changed)), "success")
        self._on_change()

    def record_measurements(self, _button: object = None) -> None:
        from toolkit.surveys.results import record_wave_measurements

        lang = self.ctx.lang
        wave = self.wave.value
        measured_on = self.measured_on.value
        if wave is None or not isinstance(measured_on, date):
            self.message.show(t("surveys_view_record_choose", lang), "error")
            return
        recorded = record_wave_measurements(
            self.ctx.store,
            self.ctx.slug,
            self.key,
            wave,
            measured_on=measured_on,
            entered_by=self.result["title"],
        )
        if not recorded:
            self.message.show(t("surveys_view_record_nothing", lang), "info")
            return
        names = {i.key: i.name for i in self.ctx.store.indicators(self.ctx.slug)}
        text = ", ".join(
            f"{names.get(r['indicator'], r['indicator'])} = {r['value']:.2f}" for r in recorded
        )
        self.message.show(t("surveys_view_recorded", lang, values=text), "success")
        self._on_change()


class SurveyResults(ipywidgets.VBox):
    """Every survey of the workshop, re-read when answers, waves or the issues change.

    ``results`` (Python only) is the list of survey dicts on screen; ``sections[key]`` each
    survey's :class:`SurveySection`.
    """

    results: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=False)

    def __init__(
        self, ctx: AppContext, feed: LiveFeed | None = None, *, charts: bool = True, **kwargs: Any
    ) -> None:
        self.ctx = ctx
        self.charts = charts
        self._refreshed_at = 0.0
        self._pending: asyncio.TimerHandle | None = None
        self.sections: dict[str, SurveySection] = {}
        self.empty = ipywidgets.HTML()
        self.box = ipywidgets.VBox()
        super().__init__(
            children=[
                css(),
                ipywidgets.HTML(f"<h2>{escape(t('surveys_view_heading', ctx.lang))}</h2>"),
                self.empty,
                self.box,
            ],
            **kwargs,
        )
        self.add_class("ureshii-app")
        self.add_class("ureshii-surveys-results")
        self.observe(self._render, names=["results"])
        if feed is not None:
            feed.subscribe(self._on_events, kinds=SURVEY_EVENTS | ISSUE_EVENTS)
        self.refresh()

    def _on_events(self, events: list[Event]) -> None:
        """Answers coming in redraw at most every :data:`ANSWERS_REDRAW_SECONDS` (a wave
        open to 500 phones would otherwise redraw every chart on each batch); anything else
        (a wave closed, an issue's state set) redraws at once."""
        since = time.monotonic() - self._refreshed_at
        if any(e.kind != "survey_answered" for e in events) or since >= ANSWERS_REDRAW_SECONDS:
            self.refresh()
            return
        if self._pending is not None:
            return  # a redraw is already coming with these answers
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script, a test polling by hand): at once
            self.refresh()
            return
        self._pending = loop.call_later(ANSWERS_REDRAW_SECONDS - since, self.refresh)

    def refresh(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self._refreshed_at = time.monotonic()
        results = survey_sections(self.ctx)
        if results == self.results:
            self._render()  # the same numbers; the buttons may still change (a new link)
        else:
            self.results = results

    def _render(self, change: object = None) -> None:
        sections: dict[str, SurveySection] = {}
        for result in self.results:
            section = self.sections.get(result["key"])
            if section is None:
                section = SurveySection(self.ctx, result, self.refresh, charts=self.charts)
            else:
                section.show(result)
            sections[result["key"]] = section
        self.sections = sections
        self.box.children = tuple(sections.values())
        self.empty.value = "" if sections else _p(t("surveys_view_none", self.ctx.lang))
