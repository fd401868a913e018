"""Tornado handlers of Ureshii's own routes (the Voilà ones come from Voilà).

These are plain :class:`tornado.web.RequestHandler` subclasses, not Jupyter handlers: an
anonymous request to them never touches the kernel manager or the Jupyter identity code.
"""

from __future__ import annotations

import json
from typing import ClassVar

from tornado import web

from toolkit.i18n import both
from toolkit.server.access import COOKIE_NAME, SECRET_QUERY_ARGUMENT, FacilitatorAccess
from toolkit.server.bilingual_pages import (
    CONTENT_SECURITY_POLICY,
    bilingual_page,
    forbidden_page,
    opening_console_page,
    opening_table_page,
)
from toolkit.server.light_handler import HtmlAnswers
from toolkit.server.table_links import TABLE_COOKIE, TableAccess


class UreshiiHandler(HtmlAnswers, web.RequestHandler):
    """Security headers shared by every Ureshii page."""

    DEFAULT_HEADERS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
    )
    """Set on every answer (a subclass may add or replace some)."""

    def set_default_headers(self) -> None:
        # Constant, already valid values: straight in, without set_header's checks (every
        # request of every phone passes here).
        headers = self._headers
        for name, value in self.DEFAULT_HEADERS:
            headers[name] = value

    def compute_etag(self) -> str | None:
        """No ETag: an answer that is never stored (``no-store``) is never revalidated, and
        Tornado would hash every page's body for it."""
        if self._headers.get("Cache-Control") == "no-store":
            return None
        return super().compute_etag()


class ForbiddenHandler(UreshiiHandler):
    """The answer to any anonymous request for a facilitator route: 403, a ja/en page.

    It answers in ``prepare()`` so that every method (GET, POST, a websocket upgrade …)
    gets the same page and no other code runs.
    """

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS")

    def initialize(self, participant_path: str) -> None:
        self.participant_path = participant_path

    def prepare(self) -> None:
        self.write_html(forbidden_page(self.participant_path), status=403)


class TooManyRequestsHandler(UreshiiHandler):
    """429 for a write over its rate limit (``toolkit.server.limits``), with Retry-After:
    JSON under ``/api/``, a ja/en page elsewhere. Nothing else runs."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS")

    def initialize(self, api_prefix: str) -> None:
        self.api_prefix = api_prefix

    def prepare(self) -> None:
        retry = getattr(self.request, "ureshii_retry_after", 1)
        self.set_header("Retry-After", str(retry))
        if self.request.path.startswith(self.api_prefix):
            self.set_status(429)
            self.set_header("Content-Type", "application/json; charset=utf-8")
            error = {"code": "rate_limited", "message": both("rate_limited", seconds=retry)}
            self.finish(json.dumps({"error": error}, ensure_ascii=False))
            return
        self.write_html(
            bilingual_page("page_rate_limited_title", "page_rate_limited_body"), status=429
        )


class EntryHandler(UreshiiHandler):
    """``/``: the facilitator link ``/?secret=…`` sets the cookie and opens the console.

    With the right secret the answer is a tiny page that sets the cookie and moves on to the
    console with ``<meta http-equiv="refresh">`` (no JavaScript), not an HTTP redirect: when
    the link is followed from another site (a webmail, a chat), browsers do not send a
    SameSite=Strict cookie along a redirect chain that started cross-site, and the console
    would answer 403. The refresh is a navigation started by this site, so the cookie goes
    with it. Moving on also takes the secret out of the address bar.

    A browser that already has the cookie is redirected to the console; anyone else gets
    the 403 page.
    """

    def initialize(
        self, access: FacilitatorAccess, console_path: str, participant_path: str
    ) -> None:
        self.access = access
        self.console_path = console_path
        self.participant_path = participant_path

    def get(self) -> None:
        given = self.get_query_argument(SECRET_QUERY_ARGUMENT, default=None)
        if given is not None:
            if not self.access.check_secret(given):
                self.write_html(forbidden_page(self.participant_path), status=403)
                return
            self.set_cookie(
                COOKIE_NAME,
                self.access.cookie_value,
                path="/",
                httponly=True,
                samesite="Strict",
                secure=self.request.protocol == "https",
            )
            self.write_html(opening_console_page(self.console_path))
            return
        if self.access.check_cookie(self.get_cookie(COOKIE_NAME)):
            self.redirect(self.console_path, status=303)
            return
        self.write_html(forbidden_page(self.participant_path), status=403)

    def head(self) -> None:
        self.get()


class TableLinkHandler(UreshiiHandler):
    """``/t/<workshop>/<table>?key=…``: a table laptop's link (``toolkit.server.table_links``).

    The right key sets the table cookie (HttpOnly, SameSite=Strict; like the facilitator
    link, a small same-site refresh page rather than a redirect, so the cookie goes along
    when the link was opened from a chat or a QR scanner) and opens the table app with its
    table number. A laptop that already holds this table's cookie goes straight to the
    app; a wrong or revoked key gets the 403 page.
    """

    def initialize(self, tables: TableAccess, render_path: str, participant_path: str) -> None:
        self.tables = tables
        self.render_path = render_path
        self.participant_path = participant_path

    def get(self, slug: str, table_text: str) -> None:
        table = int(table_text)
        app = f"{self.render_path}table.ipynb?table={table}"
        if self.tables.check_link(slug, table, self.get_query_argument("key", default=None)):
            self.set_cookie(
                TABLE_COOKIE,
                self.tables.cookie_value(slug, table),
                path="/",
                httponly=True,
                samesite="Strict",
                secure=self.request.protocol == "https",
            )
            self.write_html(opening_table_page(app, table))
            return
        if self.tables.table_of_cookie(self.get_cookie(TABLE_COOKIE)) == (slug, table):
            self.redirect(app, status=303)
            return
        self.write_html(forbidden_page(self.participant_path), status=403)

    def head(self, slug: str, table_text: str) -> None:
        self.get(slug, table_text)


class HealthHandler(UreshiiHandler):
    """``/healthz``: ``{"ok": true}`` while the server answers (for scripts and proxies)."""

    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"ok": True}))
