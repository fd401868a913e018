"""The follow-up app: the three sections in tabs, one summary for all, and what is due for
review."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets

from toolkit.i18n import t
from toolkit.model import Event
from toolkit.summary import summarize
from toolkit.times import workshop_time_zone
from widgets.context import AppContext
from widgets.followup.indicators import IndicatorsPanel
from widgets.followup.roadmap import RoadmapPanel
from widgets.live import LiveFeed
from widgets.ui import (
    FOLLOWUP_EVENTS,
    ISSUE_EVENTS,
    RESULT_EVENTS,
    heading,
    html_table,
    paragraph,
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

    def __init__(self, ctx: AppContext, **kwargs: Any) -> None:
        self.ctx = ctx
        self.body = ipywidgets.HTML()
        lang = ctx.lang
        super().__init__(
            children=[
                heading(t("followup_reviews_title", lang), 2, t("followup_reviews_hint", lang)),
                self.body,
            ],
            **kwargs,
        )
        self.add_class("ureshii-followup-reviews")

    def _subject(self, subject: str, key: str, summary: dict[str, Any]) -> str:
        lang = self.ctx.lang
        if subject == "charter":
            return t("export_review_subject_charter", lang, key=key)
        if subject == "ballot":
            names = {str(b["key"]): str(b["title"]) for b in summary.get("ballots") or []}
            return t("export_review_subject_ballot", lang, name=names.get(key, key))
        titles = {str(i["key"]): str(i["title"]) for i in summary["issues"]}
        return t("export_review_subject_roadmap", lang, name=titles.get(key, key))

    def show(self, summary: dict[str, Any]) -> None:
        from datetime import date

        lang = self.ctx.lang
        as_of = date.fromisoformat(summary["followup"]["as_of"])
        reviews = self.ctx.store.reviews(self.ctx.slug, as_of=as_of)
        listed = [r for r in reviews if r.state in LISTED_STATES]
        later = len(reviews) - len(listed)
        parts = [paragraph(t("followup_reviews_as_of", lang, day=as_of.isoformat()))]
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
                    r.review_on.isoformat(),
                    f"<strong>{escape(t(f'review_state_{r.state}', lang))}</strong>",
                    escape(self._subject(r.subject, r.key, summary)),
                    escape(r.note) or "–",
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
        self.reviews = ReviewsPanel(ctx)
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
