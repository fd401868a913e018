"""The console's held-back addresses (issue 20): which addresses a server refused writes
from in the last hour, and a button to lift one address's limit for two hours.

A whole venue often reaches the server through one Wi-Fi router (one address), so the
per-address limit (``toolkit.server.limits``) grows with the workshop file's
``expected_participants``; when it refuses an address anyway, the server reports it to the
store (event ``rate_limited``) and this panel shows it: the address's label (a LAN address as
written, a public one only as ``public-`` and a keyed digest), how many writes were refused,
when last, and whether its limit is lifted. Lifting asks first
(:class:`~widgets.confirm.ConfirmButton`) and calls ``store.allow_address``; every server
reads the lifted limits from the store. The panel re-reads the store when the live feed
reports :data:`widgets.ui.LIMIT_EVENTS`. With nothing held back it is one calm line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

import ipywidgets

from toolkit.model import Event
from toolkit.store.limits import LimitedAddress
from toolkit.times import as_utc, format_time, workshop_time_zone
from widgets.confirm import ConfirmButton
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.ui import LIMIT_EVENTS, LivePanel, heading, html_table, paragraph

WINDOW_MINUTES = 60
"""Addresses refused within this many minutes are shown."""
LIFT_MINUTES = 120
"""How long the button lifts a limit (its label says "2 hours")."""
PUBLIC_PREFIX = "public-"
"""How the store labels an address on the internet side (``address_label``)."""


class LimitsPanel(LivePanel):
    """Held-back addresses (see the module docstring).

    ``calm`` is the one line shown when nothing was held back; ``details`` the heading, the
    advice, the ``table`` and one lift button per address not lifted: ``lifters[address]`` is
    its :class:`ConfirmButton` (``lifters[address].yes`` lifts it).
    """

    LIVE_KINDS = LIMIT_EVENTS

    def __init__(self, ctx: AppContext, feed: LiveFeed | None = None, **kwargs: Any) -> None:
        super().__init__(ctx, feed, **kwargs)
        self.limited: list[LimitedAddress] = []
        self.lifters: dict[str, ConfirmButton] = {}
        self.calm = ipywidgets.HTML(
            f'<p role="status" class="ureshii-hint">{escape(self._("console_limits_none"))}</p>'
        )
        self.table = ipywidgets.HTML()
        self.public_note = ipywidgets.HTML()
        self.lift_box = ipywidgets.VBox()
        self.details = ipywidgets.VBox(
            [
                heading(self._("console_limits_heading")),
                ipywidgets.HTML(paragraph(self._("console_limits_hint"))),
                self.table,
                self.public_note,
                self.lift_box,
                self.message,
            ]
        )
        self.children = (self.calm, self.details)
        self.add_class("ureshii-limits-panel")
        if feed is not None:  # a lift running out, an hour passing: seen at the next change
            feed.subscribe(self._tick)
        self.refresh()

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        self.limited = store.limited_addresses(slug, minutes=WINDOW_MINUTES)
        held = bool(self.limited)
        self.calm.layout.display = "none" if held else None
        self.details.layout.display = None if held else "none"
        if not held:
            self.table.value = self.public_note.value = ""
            self.lift_box.children = ()
            self.lifters = {}
            return
        zone = workshop_time_zone(store.workshop(slug).time_zone)

        def when(value: datetime) -> str:
            return format_time(value, self.ctx.lang, zone=zone, date=False)

        rows = [
            (
                a.address,
                f"{a.refused:,}",
                when(a.last_at),
                self._("console_limits_lifted_until", until=when(a.allowed_until))
                if a.allowed_until is not None
                else self._("console_limits_held"),
            )
            for a in self.limited
        ]
        columns = [
            self._(f"console_limits_col_{c}") for c in ("address", "refused", "last", "state")
        ]
        self.table.value = html_table(columns, rows, self._("console_limits_caption"))
        public = any(a.address.startswith(PUBLIC_PREFIX) for a in self.limited)
        self.public_note.value = (
            f'<p class="ureshii-hint">{escape(self._("console_limits_public_note"))}</p>'
            if public
            else ""
        )
        lifters: dict[str, ConfirmButton] = {}
        for a in self.limited:
            if a.allowed_until is None:  # a pending question survives a refresh
                lifters[a.address] = self.lifters.get(a.address) or self._lifter(a.address)
        self.lifters = lifters
        self.lift_box.children = tuple(
            ipywidgets.HBox(
                [ipywidgets.HTML(f"<p style='margin:.5em 1em 0 0'><b>{escape(address)}</b></p>"), b]
            )
            for address, b in lifters.items()
        )

    def _tick(self, _events: list[Event]) -> None:
        """Re-read only when what is shown has gone out of date (no store read otherwise)."""
        now = datetime.now(UTC)
        since = now - timedelta(minutes=WINDOW_MINUTES)
        if any(
            as_utc(a.last_at) < since
            or (a.allowed_until is not None and as_utc(a.allowed_until) <= now)
            for a in self.limited
        ):
            self.refresh()

    # ------------------------------------------------------------------ lifting
    def _lifter(self, address: str) -> ConfirmButton:
        return ConfirmButton(
            self._("console_limits_lift"),
            question=self._("console_limits_lift_confirm", address=address),
            confirm=self._("console_limits_lift_yes"),
            lang=self.ctx.lang,
            on_confirm=self._guard(self._lift(address)),
            icon="unlock",
            button_style="warning",
        )

    def _lift(self, address: str) -> Callable[[object], None]:
        def lift(_button: object = None) -> None:
            until = self.ctx.store.allow_address(self.ctx.slug, address, minutes=LIFT_MINUTES)
            self.refresh()
            self.message.show(
                self._("console_limits_lifted", address=address, until=self.ctx.format_time(until)),
                "success",
            )

        return lift
