"""Who is in the room: a link (and QR code) per table laptop, and the live counts."""

from __future__ import annotations

import os
from collections.abc import Callable
from html import escape
from typing import Any
from urllib.parse import urlsplit

import ipywidgets

from toolkit.i18n import t
from toolkit.join import ENV_JOIN_URL
from toolkit.server.table_links import ENV_TABLE_LINK_KEY, table_link
from toolkit.store.tables import MAX_TABLES
from widgets.confirm import ConfirmButton
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.join import qr_svg
from widgets.live import LiveFeed
from widgets.ui import TABLE_LINK_EVENTS, WIDE_LABEL, heading

# ---------------------------------------------------------------------- table links
#: Tables listed at first (more with the "tables" field); a room of 20–60 has 4–10 tables.
DEFAULT_TABLES = 6


def server_origin(join_url: str) -> str:
    """``http://HOST:PORT`` of the join link (the table links go to the same server)."""
    parts = urlsplit(join_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class TableLinks(ipywidgets.VBox):
    """One link and QR code per table laptop: it opens that table's apps only (never the
    console), and the facilitator can revoke it (``toolkit.server.table_links``)."""

    def __init__(
        self,
        ctx: AppContext,
        feed: LiveFeed | None = None,
        *,
        join_url: str | None = None,
        key: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.ctx = ctx
        lang = ctx.lang
        self.key = key if key is not None else os.environ.get(ENV_TABLE_LINK_KEY, "")
        self.origin = server_origin(
            join_url if join_url is not None else os.environ.get(ENV_JOIN_URL, "")
        )
        self.count = ipywidgets.BoundedIntText(
            value=DEFAULT_TABLES,
            min=1,
            max=MAX_TABLES,
            description=t("console_tables_count", lang),
            style=WIDE_LABEL,
        )
        self.count.observe(lambda _change: self.refresh(), names=["value"])
        self.rows = ipywidgets.VBox()
        self.message = MessageArea()
        hint = ipywidgets.HTML(f"<p>{escape(t('console_tables_hint', lang))}</p>")
        super().__init__(
            children=[
                heading(t("console_tables_heading", lang)),
                hint,
                self.count,
                self.rows,
                self.message,
            ],
            **kwargs,
        )
        self.add_class("ureshii-table-links")
        if feed is not None:
            feed.subscribe(lambda _events: self.refresh(), kinds=TABLE_LINK_EVENTS)
        self.refresh()

    def link(self, table: int) -> str:
        """Table ``table``'s link for its current generation (an absolute URL)."""
        generation = self.ctx.store.table_link_generation(self.ctx.slug, table)
        return self.origin + table_link(self.key, "/", self.ctx.slug, table, generation)

    def refresh(self) -> None:
        lang = self.ctx.lang
        if not (self.key and self.origin):
            self.rows.children = (
                ipywidgets.HTML(f'<p role="note">{escape(t("console_tables_missing", lang))}</p>'),
            )
            return
        rows = []
        for table in range(1, int(self.count.value) + 1):
            url = self.link(table)
            label = escape(t("console_tables_qr_label", lang, table=table), quote=True)
            view = ipywidgets.HTML(
                f"<b>{escape(t('seat_table_label', lang, n=table))}</b> "
                f'<span class="ureshii-table-url">{escape(url)}</span>'
                f'<figure role="img" aria-label="{label}" style="margin:0">'
                f"{qr_svg(url, 3)}</figure>"
            )
            # A revoked link cannot be brought back: it asks first (widgets/confirm.py).
            revoke = ConfirmButton(
                t("console_tables_revoke", lang),
                question=t("confirm_revoke_link", lang, table=table),
                confirm=t("confirm_revoke_link_yes", lang),
                lang=lang,
                on_confirm=guarded(self.message, lang)(self._revoker(table)),
                icon="ban",
            )
            rows.append(ipywidgets.HBox([view, revoke]))
        self.rows.children = tuple(rows)

    def _revoker(self, table: int) -> Callable[[object], None]:
        def revoke(_button: object = None) -> None:
            self.ctx.store.revoke_table_link(self.ctx.slug, table)
            self.refresh()
            self.message.show(t("console_tables_revoked", self.ctx.lang, table=table), "success")

        return revoke


# ---------------------------------------------------------------------- counts
COUNT_KEYS = ("participants", "cards", "themes", "issues", "scores", "votes")


class LiveCounts(ipywidgets.VBox):
    """How many participants, cards, themes, issues, scores and votes there are, live."""

    def __init__(self, ctx: AppContext, feed: LiveFeed, **kwargs: Any) -> None:
        self.ctx = ctx
        self.counts: dict[str, int] = {}
        self.view = ipywidgets.HTML()
        super().__init__(
            children=[heading(t("console_counts_heading", ctx.lang)), self.view], **kwargs
        )
        self.add_class("ureshii-counts-panel")
        feed.subscribe(lambda _events: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        self.counts = self.ctx.store.counts(self.ctx.slug)
        cells = "".join(
            f"<div><b>{self.counts.get(key, 0)}</b>"
            f"{escape(t(f'console_count_{key}', self.ctx.lang))}</div>"
            for key in COUNT_KEYS
        )
        self.view.value = f'<div class="ureshii-counts" role="status">{cells}</div>'
