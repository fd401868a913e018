"""The console's link to the follow-up app, with the review dates that are overdue or due
soon (light: no chart engine, no summary; one query of the store's review dates)."""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import TYPE_CHECKING

import ipywidgets

from toolkit.followup import today_in
from toolkit.i18n import normalize_language, t
from toolkit.store.followup import REVIEW_DUE_DAYS
from toolkit.times import workshop_time_zone
from widgets.ui import FOLLOWUP_EVENTS

if TYPE_CHECKING:
    from widgets.context import AppContext
    from widgets.live import LiveFeed

#: The follow-up app's notebook, beside the console's under ``/voila/render/``.
FOLLOWUP_NOTEBOOK = "followup.ipynb"


def followup_link_html(lang: str | None = None, *, overdue: int = 0, due: int = 0) -> str:
    """A heading and a link to the follow-up app in the same language (a relative address:
    the console and the app are served side by side), after a line saying how many review
    dates are overdue or due soon, when any are.

    >>> 'href="followup.ipynb?lang=en"' in followup_link_html("en")
    True
    >>> "1 overdue, 2 due within 14 days" in followup_link_html("en", overdue=1, due=2)
    True
    """
    language = normalize_language(lang)
    href = escape(f"{FOLLOWUP_NOTEBOOK}?lang={language}", quote=True)
    notice = ""
    if overdue or due:
        words = t(
            "followup_console_reviews", language, overdue=overdue, due=due, days=REVIEW_DUE_DAYS
        )
        notice = (
            '<p class="ureshii-followup-reviews-due" role="status">'
            f"<strong>{escape(words)}</strong></p>"
        )
    return (
        f"<h2>{escape(t('followup_console_link_heading', language))}</h2>{notice}"
        f'<p><a class="ureshii-followup-link" href="{href}" target="_top" '
        'style="display:inline-block;min-height:44px;line-height:44px;padding:0 .6em;'
        'font-weight:600">'
        f"{escape(t('followup_console_link', language))}</a></p>"
    )


class FollowupLink(ipywidgets.HTML):
    """:func:`followup_link_html` as a widget for the console: the review counts are read
    when it opens and again when a review date or a roadmap item changes (``feed``)."""

    def __init__(self, ctx: AppContext, feed: LiveFeed | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.add_class("ureshii-followup-link-box")
        if feed is not None:
            feed.subscribe(lambda _events: self.refresh(), kinds=FOLLOWUP_EVENTS)
        self.refresh()

    def refresh(self) -> None:
        ctx = self.ctx
        zone = workshop_time_zone(ctx.store.workshop(ctx.slug).time_zone)
        reviews = ctx.store.reviews(ctx.slug, as_of=today_in(zone))
        states = Counter(r.state for r in reviews)
        self.value = followup_link_html(ctx.lang, overdue=states["overdue"], due=states["due"])
