"""The people at one table laptop: one anonymous participant per seat.

A table of 4–6 shares one laptop, but one person still has one vote, one consent and one set
of scores. Each seat is joined to the workshop as its own anonymous participant (channel
"table") the first time it acts; the token stays in this kernel only. Whoever is typing
picks their seat first, like taking the pen.
"""

from __future__ import annotations

from typing import Any

import ipywidgets
import traitlets

from toolkit.errors import InvalidInputError
from toolkit.i18n import t
from widgets.context import AppContext


class TableSeats(ipywidgets.VBox):
    """Seat buttons ``1 … seats``; ``token()`` is the chosen seat's participant token."""

    seat = traitlets.Int(0).tag(sync=False)  # 0 = nobody chose a seat yet

    def __init__(self, ctx: AppContext, *, seats: int = 6, **kwargs: Any) -> None:
        self.ctx = ctx
        self._tokens: dict[int, str] = {}
        self.buttons = ipywidgets.ToggleButtons(
            options=[(t("seat_label", ctx.lang, n=n), n) for n in range(1, seats + 1)],
            value=None,
            description=t("seat_prompt", ctx.lang),
            style={"description_width": "initial"},
        )
        self.buttons.observe(self._chosen, names=["value"])
        super().__init__(children=[self.buttons], **kwargs)
        self.add_class("ureshii-seats")

    def _chosen(self, change: dict[str, Any]) -> None:
        self.seat = int(change["new"] or 0)

    def token(self) -> str:
        """The chosen seat's participant token (joined on first use)."""
        if not self.seat:
            raise InvalidInputError("seat_not_chosen")
        if self.seat not in self._tokens:
            self._tokens[self.seat] = self.ctx.store.join(self.ctx.slug, channel="table")
        return self._tokens[self.seat]
