"""The people at one table laptop: one participant per seat, for the whole day.

A table of 4–6 shares one laptop, but one person still has one vote, one consent and one set
of scores. A seat is a participant in the store (table + seat → participant,
:meth:`toolkit.store.Store.take_seat`), not in this kernel's memory: the same person in every
app, after a reload, a restarted kernel or a laptop that slept, so a second vote from the
same seat is refused by the database as it is for phones. Whoever is typing picks their seat
first, like taking the pen; the first time a seat is taken the person may say which category
(立場) they belong to (resident, staff …), so the breakdowns by category count them.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets
import traitlets

from toolkit.errors import InvalidInputError
from toolkit.i18n import t
from toolkit.model import CATEGORIES, category_name
from toolkit.store.tables import MAX_TABLES
from widgets.context import AppContext

#: Tables offered when the app was opened without its table number.
TABLE_CHOICES = 12


class TableSeats(ipywidgets.VBox):
    """Seat buttons ``1 … seats`` (and the table, if the address did not say it);
    ``token()`` is the chosen seat's participant token, from the store."""

    seat = traitlets.Int(0).tag(sync=False)  # 0 = nobody chose a seat yet
    table = traitlets.Int(0).tag(sync=False)  # 0 = the table is not known yet

    def __init__(self, ctx: AppContext, *, seats: int = 6, **kwargs: Any) -> None:
        self.ctx = ctx
        lang = ctx.lang
        wide = {"style": {"description_width": "initial"}}
        self.table_choice = ipywidgets.Dropdown(
            options=[
                (t("seat_table_label", lang, n=n), n)
                for n in range(1, min(TABLE_CHOICES, MAX_TABLES) + 1)
            ],
            value=None,
            description=t("seat_table_prompt", lang),
            **wide,
        )
        self.table_choice.observe(self._table_chosen, names=["value"])
        self.buttons = ipywidgets.ToggleButtons(
            options=[(t("seat_label", lang, n=n), n) for n in range(1, seats + 1)],
            value=None,
            description=t("seat_prompt", lang),
            **wide,
        )
        self.buttons.observe(self._chosen, names=["value"])
        self.category = ipywidgets.ToggleButtons(
            options=[(category_name(c, lang), c) for c in CATEGORIES],
            value=None,
            description=t("seat_category_prompt", lang),
            **wide,
        )
        self.category.observe(self._category_chosen, names=["value"])
        self.category.layout.display = "none"
        self._tokens: dict[tuple[int, int], str] = {}
        self._showing = False
        children: list[Any] = [self.buttons, self.category]
        if ctx.table is None:
            children.insert(0, self.table_choice)
        else:  # from the laptop's table link: shown, not asked
            self.table = ctx.table
            label = escape(t("seat_table_label", lang, n=ctx.table))
            children.insert(0, ipywidgets.HTML(f'<b class="ureshii-table-number">{label}</b>'))
        super().__init__(children=children, **kwargs)
        self.add_class("ureshii-seats")

    # ------------------------------------------------------------------ choosing
    def _table_chosen(self, change: dict[str, Any]) -> None:
        self.table = int(change["new"] or 0)
        self._show_category()

    def _chosen(self, change: dict[str, Any]) -> None:
        self.seat = int(change["new"] or 0)
        self._show_category()

    def _category_chosen(self, change: dict[str, Any]) -> None:
        if self._showing:
            return
        if change["new"] is not None and self.table and self.seat:
            self.ctx.store.take_seat(
                self.ctx.slug, self.table, self.seat, category=str(change["new"])
            )
            self._show_category()

    def _show_category(self) -> None:
        """Offer the category buttons to a seat that has none yet; show a seat's category."""
        if not (self.table and self.seat):
            self.category.layout.display = "none"
            return
        taken = {(x.table, x.seat): x for x in self.ctx.store.seats(self.ctx.slug)}
        current = taken.get((self.table, self.seat))
        category = current.category if current is not None else None
        self._showing = True
        try:
            self.category.value = category
        finally:
            self._showing = False
        self.category.disabled = category is not None  # a seat keeps its first category
        self.category.layout.display = None

    # ------------------------------------------------------------------ identity
    def on_change(self, callback: Callable[[], Any]) -> None:
        """Call ``callback()`` whenever another person sits down (the seat changes from one
        seat to another, or the table of a chosen seat changes), so a per-seat form clears
        and never shows the previous person's answer. The first seat chosen keeps what was
        typed: that is the person who forgot to tap their seat first."""

        def changed(change: dict[str, Any]) -> None:
            if (change["name"] == "seat" and change["old"]) or (
                change["name"] == "table" and self.seat
            ):
                callback()

        self.observe(changed, names=["seat", "table"])

    def participant_id(self) -> int | None:
        """The chosen seat's participant id if the seat was taken before (None otherwise);
        unlike :meth:`token`, choosing a seat to look at it takes nothing."""
        if not (self.table and self.seat):
            return None
        for taken in self.ctx.store.seats(self.ctx.slug):
            if (taken.table, taken.seat) == (self.table, self.seat):
                return taken.participant_id
        return None

    def token(self) -> str:
        """The chosen seat's participant token (the store joins the seat the first time)."""
        if not self.table:
            raise InvalidInputError("seat_table_not_chosen")
        if not self.seat:
            raise InvalidInputError("seat_not_chosen")
        key = (self.table, self.seat)
        if key not in self._tokens:  # a cache of what the store says, never the identity
            self._tokens[key] = self.ctx.store.take_seat(self.ctx.slug, *key)
        return self._tokens[key]
