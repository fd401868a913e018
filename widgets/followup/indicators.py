"""指標と効果測定: each indicator with its status, chart and measurements, and the forms that
record a measurement and add an indicator."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets

from toolkit.followup import today_in
from toolkit.i18n import t
from toolkit.indicators import DIRECTIONS
from toolkit.summary_charts import indicator_chart
from toolkit.times import workshop_time_zone
from widgets.chart import ChartView
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.followup.common import (
    Refresher,
    date_field,
    dropdown,
    issue_choices,
    read_number,
    status_badge,
    text_field,
)
from widgets.ui import WIDE_LABEL, button, fit, heading, html_table, paragraph, set_options


def _number(value: float) -> str:
    return f"{value:g}"


class IndicatorCard(ipywidgets.VBox):
    """One indicator: its name and status (words, in a badge), baseline and target, its chart
    and its measurements as a table. ``show(row)`` redraws it from a row of
    ``summary["followup"]["indicators"]`` (the chart only when the row changed)."""

    def __init__(self, ctx: AppContext, **kwargs: Any) -> None:
        self.ctx = ctx
        self.row: dict[str, Any] = {}
        self.head = ipywidgets.HTML()
        self.chart = ChartView(lang=ctx.lang)
        self.table = ipywidgets.HTML()
        super().__init__(children=[self.head, self.chart, self.table], **kwargs)
        self.add_class("ureshii-card")
        self.add_class("ureshii-indicator")

    def show(self, row: dict[str, Any], issue_title: str) -> None:
        if row == self.row:
            return
        lang = self.ctx.lang
        self.row = dict(row)
        unit = row["unit"]
        direction = t(f"followup_direction_{row['direction']}", lang)
        facts = t(
            "followup_indicator_facts",
            lang,
            issue=issue_title,
            direction=direction,
            baseline=f"{_number(row['baseline'])} {unit}".strip(),
            baseline_on=row["baseline_on"],
            target=f"{_number(row['target'])} {unit}".strip(),
            target_on=row["target_on"],
        )
        source = row["source"]
        self.head.value = (
            f"<h3>{escape(row['name'])} {status_badge(row['status'], lang)}</h3>"
            + paragraph(facts)
            + (paragraph(t("followup_indicator_source", lang, source=source)) if source else "")
        )
        self.chart.chart = indicator_chart(row, lang=lang, size="laptop")
        measurements = row["measurements"]
        if not measurements:
            self.table.value = paragraph(t("followup_measurements_none", lang))
            return
        columns = [
            t(key, lang)
            for key in (
                "followup_col_measured_on",
                "followup_col_value",
                "followup_col_note",
                "followup_col_entered_by",
            )
        ]
        rows = [
            (m["measured_on"], f"{_number(m['value'])} {unit}".strip(), m["note"], m["entered_by"])
            for m in measurements
        ]
        caption = t("followup_measurements_caption", lang, name=row["name"])
        self.table.value = html_table(columns, rows, caption)


class IndicatorsPanel(ipywidgets.VBox):
    """Every indicator (:class:`IndicatorCard`), a form to record a measurement and a form to
    add an indicator to an issue. ``show(summary)`` redraws; a write calls ``on_write``."""

    def __init__(self, ctx: AppContext, on_write: Refresher, **kwargs: Any) -> None:
        self.ctx, self.on_write = ctx, on_write
        _ = self._
        self.summary: dict[str, Any] = {}
        self.cards: dict[str, IndicatorCard] = {}
        self.cards_box = ipywidgets.VBox()
        self.empty = ipywidgets.HTML()

        # recording a measurement
        self.indicator = dropdown(_("followup_form_indicator"))
        self.value = text_field(_("followup_form_value"), _("followup_form_value_hint"))
        # today where the workshop is (a server on UTC is a day behind Tokyo each morning)
        zone = workshop_time_zone(ctx.store.workshop(ctx.slug).time_zone)
        self.measured_on = date_field(_("followup_form_measured_on"), today_in(zone))
        self.note = text_field(_("followup_form_note"))
        self.entered_by = text_field(
            _("followup_form_entered_by"), _("followup_form_entered_by_hint")
        )
        self.record_button = fit(button(_("followup_form_record"), icon="plus"))
        self.record_button.add_class("ureshii-followup-action")
        self.record_message = MessageArea()
        self.record_button.on_click(guarded(self.record_message, ctx.lang)(self.record))
        self.record_form = ipywidgets.VBox(
            [
                heading(_("followup_record_title"), 3, _("followup_record_hint")),
                self.indicator,
                self.value,
                self.measured_on,
                self.note,
                self.entered_by,
                self.record_button,
                self.record_message,
            ]
        )
        self.record_form.add_class("ureshii-followup-form")

        # adding an indicator
        self.issue = dropdown(_("followup_form_issue"))
        self.name = text_field(_("followup_form_indicator_name"), _("followup_form_name_hint"))
        self.unit = text_field(_("followup_form_unit"), _("followup_form_unit_hint"))
        self.direction = ipywidgets.ToggleButtons(
            description=_("followup_form_direction"),
            options=[(_(f"followup_direction_{d}"), d) for d in DIRECTIONS],
            value=None,
            style={**WIDE_LABEL, "button_width": "auto"},
        )
        self.baseline = text_field(_("followup_form_baseline"))
        self.baseline_on = date_field(_("followup_form_baseline_on"))
        self.target = text_field(_("followup_form_target"))
        self.target_on = date_field(_("followup_form_target_on"))
        self.source = text_field(_("followup_form_source"), _("followup_form_source_hint"))
        self.add_button = fit(button(_("followup_form_add_indicator"), icon="plus"))
        self.add_button.add_class("ureshii-followup-action")
        self.add_message = MessageArea()
        self.add_button.on_click(guarded(self.add_message, ctx.lang)(self.add))
        add_form = ipywidgets.VBox(
            [
                heading(_("followup_add_title"), 3, _("followup_add_hint")),
                self.issue,
                self.name,
                self.unit,
                self.direction,
                self.baseline,
                self.baseline_on,
                self.target,
                self.target_on,
                self.source,
                self.add_button,
                self.add_message,
            ]
        )
        add_form.add_class("ureshii-followup-form")
        super().__init__(
            children=[
                heading(_("followup_indicators_title"), 2, _("followup_indicators_hint")),
                self.empty,
                self.cards_box,
                self.record_form,
                add_form,
            ],
            **kwargs,
        )
        self.add_class("ureshii-followup-indicators")

    def _(self, key: str, **params: Any) -> str:
        return t(key, self.ctx.lang, **params)

    def rows(self) -> list[dict[str, Any]]:
        """The indicator rows on screen (``summary["followup"]["indicators"]``)."""
        return list((self.summary.get("followup") or {}).get("indicators") or [])

    def show(self, summary: dict[str, Any]) -> None:
        self.summary = summary
        rows = self.rows()
        titles = {str(i["key"]): str(i["title"]) for i in summary["issues"]}
        with self.hold_sync():
            set_options(self.issue, issue_choices(summary, self.ctx.lang))
            set_options(
                self.indicator,
                [
                    (
                        self._(
                            "followup_indicator_choice",
                            name=row["name"],
                            issue=titles.get(row["issue"], row["issue"]),
                        ),
                        row["key"],
                    )
                    for row in rows
                ],
            )
            self.record_form.layout.display = None if rows else "none"
            self.empty.value = "" if rows else paragraph(self._("followup_indicators_empty"))
            for row in rows:
                card = self.cards.get(row["key"])
                if card is None:
                    card = self.cards[row["key"]] = IndicatorCard(self.ctx)
                card.show(row, titles.get(row["issue"], row["issue"]))
            self.cards_box.children = [self.cards[row["key"]] for row in rows]

    def status(self, key: str) -> str:
        """The status on screen of indicator ``key``."""
        return next(str(row["status"]) for row in self.rows() if row["key"] == key)

    # ------------------------------------------------------------------ writing
    def record(self, _button: object = None) -> None:
        """Record the form's measurement of the chosen indicator."""
        ctx = self.ctx
        if not self.indicator.value:
            self.record_message.show(self._("followup_choose_indicator"), "error")
            return
        value = read_number(self.value.value, self._("followup_form_value"))
        measured = ctx.store.record_measurement(
            ctx.slug,
            self.indicator.value,
            value,
            self.measured_on.value,
            entered_by=self.entered_by.value,
            note=self.note.value,
        )
        name = dict((k, label) for label, k in self.indicator.options)[self.indicator.value]
        self.value.value = self.note.value = ""  # the next measurement starts blank
        self.on_write()
        status = self.status(measured.indicator)
        self.record_message.show(
            self._(
                "followup_measurement_saved",
                name=name,
                value=_number(measured.value),
                measured_on=measured.measured_on.isoformat(),
                status=t(f"indicator_status_{status}", ctx.lang),
            ),
            "success",
        )

    def add(self, _button: object = None) -> None:
        """Add the form's indicator to the chosen issue."""
        ctx = self.ctx
        if not self.issue.value:
            self.add_message.show(self._("followup_choose_issue"), "error")
            return
        if self.direction.value is None:
            self.add_message.show(self._("followup_choose_direction"), "error")
            return
        added = ctx.store.add_indicator(
            ctx.slug,
            self.issue.value,
            self.name.value,
            unit=self.unit.value,
            direction=self.direction.value,
            baseline=read_number(self.baseline.value, self._("followup_form_baseline")),
            baseline_on=self.baseline_on.value,
            target=read_number(self.target.value, self._("followup_form_target")),
            target_on=self.target_on.value,
            source=self.source.value,
        )
        for field in (self.name, self.unit, self.baseline, self.target, self.source):
            field.value = ""
        self.baseline_on.value = self.target_on.value = None
        self.direction.value = None
        self.add_message.show(self._("followup_indicator_saved", name=added.name), "success")
        self.on_write()
