"""ロードマップ: the roadmap chart, its table, and the form that puts an issue on it."""

from __future__ import annotations

from datetime import date
from typing import Any

import ipywidgets

from toolkit.fiscal import EXAMPLES
from toolkit.i18n import t
from toolkit.summary_charts import roadmap_chart
from widgets.chart import ChartView
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.followup.common import Refresher, date_field, dropdown, issue_choices, text_field
from widgets.ui import WIDE_LABEL, button, fit, heading, html_table, paragraph, set_options


class RoadmapPanel(ipywidgets.VBox):
    """The roadmap as a chart and a table, and a form to put an issue on it or change its
    place (period, 担当課, budget line, review date, the issues it waits for).

    ``show(summary)`` draws a :func:`toolkit.summary.summarize` result; ``save()`` writes the
    form to the store (a refused period or dependency is explained in ``message``, in the
    app's language, and the form keeps what was typed), then calls ``on_write``.
    """

    def __init__(self, ctx: AppContext, on_write: Refresher, **kwargs: Any) -> None:
        self.ctx, self.on_write = ctx, on_write
        _ = self._
        self.summary: dict[str, Any] = {}
        self.chart = ChartView(lang=ctx.lang)
        self.table = ipywidgets.HTML()
        self.issue = dropdown(_("followup_form_issue"))
        self.period = text_field(_("followup_form_period"), _("followup_form_period_hint"))
        self.owner = text_field(_("followup_form_owner"))
        self.budget = text_field(_("followup_form_budget"))
        self.review = date_field(_("followup_form_review"))
        self.depends = ipywidgets.SelectMultiple(
            description=_("followup_form_depends"),
            options=[],
            rows=5,
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="36em", max_width="100%"),
        )
        self.save_button = fit(button(_("followup_form_roadmap_save"), icon="calendar-plus-o"))
        self.save_button.add_class("ureshii-followup-action")
        self.message = MessageArea()
        self.save_button.on_click(guarded(self.message, ctx.lang)(self.save))
        self.issue.observe(self._chosen, names=["value"])
        form = ipywidgets.VBox(
            [
                heading(_("followup_roadmap_form_title"), 3, _("followup_roadmap_form_hint")),
                self.issue,
                self.period,
                ipywidgets.HTML(paragraph(_("followup_form_period_examples", examples=EXAMPLES))),
                self.owner,
                self.budget,
                self.review,
                self.depends,
                self.save_button,
                self.message,
            ]
        )
        form.add_class("ureshii-followup-form")
        super().__init__(
            children=[
                heading(_("followup_roadmap_title"), 2, _("followup_roadmap_hint")),
                self.chart,
                self.table,
                form,
            ],
            **kwargs,
        )
        self.add_class("ureshii-followup-roadmap")

    def _(self, key: str, **params: Any) -> str:
        return t(key, self.ctx.lang, **params)

    # ------------------------------------------------------------------ showing
    def rows(self) -> list[dict[str, Any]]:
        """The roadmap rows on screen (``summary["followup"]["roadmap"]``)."""
        return list((self.summary.get("followup") or {}).get("roadmap") or [])

    def show(self, summary: dict[str, Any]) -> None:
        lang = self.ctx.lang
        self.summary = summary
        rows = self.rows()
        titles = {str(i["key"]): str(i["title"]) for i in summary["issues"]}
        with self.hold_sync():
            set_options(self.issue, issue_choices(summary, lang))
            self._depends_options()
            if rows:
                self.chart.chart = roadmap_chart(summary["followup"], lang=lang, size="laptop")
                self.chart.layout.display = None
            else:
                self.chart.chart = None
                self.chart.layout.display = "none"
            self.table.value = (
                self._table(rows, titles) if rows else paragraph(self._("followup_roadmap_empty"))
            )

    def _table(self, rows: list[dict[str, Any]], titles: dict[str, str]) -> str:
        lang = self.ctx.lang
        columns = [
            self._(key)
            for key in (
                "followup_col_period",
                "followup_col_rank",
                "followup_col_issue",
                "followup_col_owner",
                "followup_col_budget",
                "followup_col_review",
                "followup_col_depends",
            )
        ]
        sep = "、" if lang == "ja" else ", "
        body = [
            (
                row["period"][lang],
                "–" if row["rank"] is None else row["rank"],
                row["title"],
                row["owner_department"] or "–",
                row["budget_line"] or "–",
                row["review_on"] or "–",
                sep.join(titles.get(k, k) for k in row["depends_on"]) or "–",
            )
            for row in rows
        ]
        return html_table(columns, body, self._("followup_roadmap_table_caption"))

    def _depends_options(self) -> None:
        chosen = self.issue.value
        options = [(label, key) for label, key in self.issue.options if key != chosen]
        set_options(self.depends, options)

    def _chosen(self, change: dict[str, Any]) -> None:
        """Another issue chosen: the form shows its roadmap item, if it has one."""
        self._depends_options()
        item = next((row for row in self.rows() if row["issue"] == change["new"]), None)
        if item is None:
            return
        self.period.value = item["period"][self.ctx.lang]
        self.owner.value = item["owner_department"]
        self.budget.value = item["budget_line"]
        self.review.value = (
            None if item["review_on"] is None else date.fromisoformat(item["review_on"])
        )
        self.depends.value = tuple(k for k in item["depends_on"] if k != change["new"])

    # ------------------------------------------------------------------ writing
    def save(self, _button: object = None) -> None:
        """Put the chosen issue on the roadmap as the form says."""
        ctx = self.ctx
        if not self.issue.value:
            self.message.show(self._("followup_choose_issue"), "error")
            return
        item = ctx.store.set_roadmap_item(
            ctx.slug,
            self.issue.value,
            self.period.value,
            owner_department=self.owner.value,
            budget_line=self.budget.value,
            review_on=self.review.value,
            depends_on=list(self.depends.value),
        )
        titles = {str(i["key"]): str(i["title"]) for i in self.summary.get("issues") or []}
        title = titles.get(item.issue, item.issue)
        self.message.show(
            self._("followup_roadmap_saved", issue=title, period=item.period.label(ctx.lang)),
            "success",
        )
        self.on_write()
