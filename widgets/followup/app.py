"""The follow-up app: the three sections in tabs, one summary for all, and what is due for
review."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets

from toolkit.export._common import Names, review_subject
from toolkit.i18n import t
from toolkit.model import Event
from toolkit.summary import summarize
from toolkit.times import workshop_time_zone
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.followup.common import date_field, dropdown, text_field
from widgets.followup.indicators import IndicatorsPanel
from widgets.followup.roadmap import RoadmapPanel
from widgets.live import LiveFeed
from widgets.ui import (
    FOLLOWUP_EVENTS,
    ISSUE_EVENTS,
    RESULT_EVENTS,
    button,
    fit,
    heading,
    html_table,
    paragraph,
    set_options,
    stylesheet,
)

#: What the app re-reads the store for: its own writes (from any screen), and what changes
#: the ranking or the backlog the roadmap starts from.
LISTENS_TO = FOLLOWUP_EVENTS | RESULT_EVENTS | ISSUE_EVENTS
#: The review states the app lists (an upcoming review date is counted, not listed).
LISTED_STATES = ("overdue", "due")


class ReviewsPanel(ipywidgets.VBox):
    """見直し: the review dates that are overdue or due soon (``Store.reviews``: the
    charter's, ballots' and roadmap items'), each with what it belongs to."""

    def __init__(self, ctx: AppContext, on_write: Callable[[], None], **kwargs: Any) -> None:
        self.ctx, self.on_write = ctx, on_write
        self.body = ipywidgets.HTML()
        lang = ctx.lang
        # A review date for a decision of the day: the charter or a vote's result (a
        # roadmap item's review date is set with the item).
        self.decision = dropdown(t("followup_review_decision", lang))
        self.review_on = date_field(t("followup_form_review", lang))
        self.note = text_field(t("followup_review_note", lang))
        self.save_button = fit(button(t("followup_review_save", lang), icon="calendar-check-o"))
        self.save_button.add_class("ureshii-followup-action")
        self.message = MessageArea()
        self.save_button.on_click(guarded(self.message, lang)(self.save))
        form = ipywidgets.VBox(
            [
                heading(t("followup_review_form_title", lang), 3, t("followup_review_hint", lang)),
                self.decision,
                self.review_on,
                self.note,
                self.save_button,
                self.message,
            ]
        )
        form.add_class("ureshii-followup-form")
        super().__init__(
            children=[
                heading(t("followup_reviews_title", lang), 2, t("followup_reviews_hint", lang)),
                self.body,
                form,
            ],
            **kwargs,
        )
        self.add_class("ureshii-followup-reviews")

    def _decisions(self, summary: dict[str, Any]) -> list[tuple[str, str]]:
        """The decisions a review date can be set for: each locked charter version, then
        each ballot that has opened, named as the exports name them."""
        names = Names(summary, self.ctx.lang)
        choices = [
            {"subject": "charter", "key": str(c["version"])}
            for c in summary["charter_history"]
            if c["locked_at"] is not None
        ]
        choices += [
            {"subject": "ballot", "key": str(b["key"])}
            for b in summary["ballots"]
            if b["status"] != "draft"
        ]
        # the choice's value is "subject:key" (a ballot key has no colon)
        return [(review_subject(c, names), f"{c['subject']}:{c['key']}") for c in choices]

    def save(self, _button: object = None) -> None:
        """Set (or, without a date, clear) the chosen decision's review date."""
        ctx, lang = self.ctx, self.ctx.lang
        if not self.decision.value:
            self.message.show(t("followup_review_choose", lang), "error")
            return
        subject, _, key = self.decision.value.partition(":")
        ctx.store.set_review_date(ctx.slug, subject, key, self.review_on.value, self.note.value)
        chosen = self.decision.label
        if self.review_on.value is None:
            self.message.show(t("followup_review_cleared", lang, decision=chosen), "success")
        else:
            day = self.review_on.value.isoformat()
            self.message.show(t("followup_review_saved", lang, decision=chosen, day=day), "success")
        self.on_write()

    def show(self, summary: dict[str, Any]) -> None:
        lang = self.ctx.lang
        followup = summary["followup"]
        names = Names(summary, lang)
        reviews = followup["reviews"]  # states as of followup["as_of"] (Store.reviews)
        listed = [r for r in reviews if r["state"] in LISTED_STATES]
        later = len(reviews) - len(listed)
        parts = [paragraph(t("followup_reviews_as_of", lang, day=followup["as_of"]))]
        if listed:
            columns = [
                t(key, lang)
                for key in (
                    "followup_col_review",
                    "followup_col_state",
                    "followup_col_subject",
                    "followup_col_review_note",
                )
            ]
            rows = [
                (
                    r["review_on"],
                    "<strong>" + escape(t("review_state_" + r["state"], lang)) + "</strong>",
                    escape(review_subject(r, names)),
                    escape(r["note"]) or "–",
                )
                for r in listed
            ]
            caption = t("followup_reviews_caption", lang, n=len(listed))
            parts.append(html_table(columns, rows, caption, raw=True))
        else:
            parts.append(paragraph(t("followup_reviews_none", lang)))
        if later:
            parts.append(paragraph(t("followup_reviews_later", lang, n=later)))
        self.body.value = "".join(parts)
        set_options(self.decision, self._decisions(summary))


class FollowupApp(ipywidgets.VBox):
    """After the workshop: the roadmap, indicators and measurements, and the review dates.

    One :func:`toolkit.summary.summarize` result (``summary``, Python only) feeds every
    section; it is re-read after each write here and when the live feed reports a change
    made on another screen (:data:`LISTENS_TO`).
    """

    def __init__(self, ctx: AppContext, feed: LiveFeed | None = None, **kwargs: Any) -> None:
        self.ctx = ctx
        lang = ctx.lang
        self.summary: dict[str, Any] = {}
        self.roadmap = RoadmapPanel(ctx, self.refresh)
        self.indicators = IndicatorsPanel(ctx, self.refresh)
        self.reviews = ReviewsPanel(ctx, self.refresh)
        self.tabs = ipywidgets.Tab(children=[self.roadmap, self.indicators, self.reviews])
        for index, key in enumerate(
            ("followup_tab_roadmap", "followup_tab_indicators", "followup_tab_reviews")
        ):
            self.tabs.set_title(index, t(key, lang))
        self.header = ipywidgets.HTML()
        super().__init__(children=[stylesheet(), self.header, self.tabs], **kwargs)
        self.add_class("ureshii-app")
        self.add_class("ureshii-followup")
        if feed is not None:
            feed.subscribe(self._on_events, kinds=LISTENS_TO)
        self.refresh()

    def _on_events(self, events: list[Event]) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Re-read the store and redraw every section."""
        lang = self.ctx.lang
        self.summary = summary = summarize(self.ctx.store, self.ctx.slug)
        workshop = self.ctx.store.workshop(self.ctx.slug)
        zone = workshop_time_zone(workshop.time_zone)
        self.header.value = paragraph(
            t(
                "followup_header",
                lang,
                title=workshop.title,
                day=summary["followup"]["as_of"],
                zone=str(zone),
            )
        )
        self.roadmap.show(summary)
        self.indicators.show(summary)
        self.reviews.show(summary)


def open_followup(lang: str | None = None) -> FollowupApp:
    """The follow-up app for the store and workshop named by the environment (as every app:
    ``URESHII_DATABASE_URL``, ``URESHII_WORKSHOP``, ``?lang=``), its live feed started."""
    ctx = AppContext.from_environment()
    if lang is not None:
        ctx = AppContext.for_store(ctx.store, ctx.slug, lang)
    feed = LiveFeed(ctx.store, ctx.slug)
    feed.start()
    return FollowupApp(ctx, feed)
