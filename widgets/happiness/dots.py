"""The dot vote on the themes: each seat places its dots (ballot purpose "themes").

:class:`ThemeDotVote` — rule "dot_votes"; the tally when the ballot's results may be seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import ipywidgets

from toolkit.ballots import tally
from toolkit.ballots.purposes import THEME_DOTS, start_theme_dot_vote, theme_ballot
from toolkit.errors import InvalidInputError
from toolkit.model import Ballot, Event
from widgets.context import AppContext
from widgets.live import LiveFeed
from widgets.seats import TableSeats
from widgets.ui import BALLOT_EVENTS, WIDE_LABEL, LivePanel, heading_html, html_table


# ---------------------------------------------------------------------- dot vote
class ThemeDotVote(LivePanel):
    """Each seat places its dots on the themes; submitted through ``store.cast_vote``.

    Uses the workshop's ballot with purpose "themes" and rule "dot_votes" (the facilitator
    usually creates it). If there is none, the facilitator (the app opened without a table
    number) has a button that creates and opens one over the current themes with
    :data:`THEME_DOTS` dots each (the console has the same button); a table laptop
    (``?table=N``) waits for it. The store checks every vote (allowance, one vote per
    person); the tally is shown when the ballot's results may be seen.
    """

    LIVE_KINDS = BALLOT_EVENTS | {"theme_added"}

    def __init__(
        self, ctx: AppContext, seats: TableSeats, feed: LiveFeed | None = None, **kwargs: Any
    ) -> None:
        super().__init__(ctx, feed, **kwargs)
        self.seats = seats
        self.ballot: Ballot | None = None
        self.intro = ipywidgets.HTML()
        self.start_button = ipywidgets.Button(
            description=self._("table_dots_start"),
            button_style="primary",
            icon="play",
            layout=ipywidgets.Layout(width="auto"),
        )
        self.start_button.on_click(self._guard(self._start))
        self.dots: dict[str, ipywidgets.BoundedIntText] = {}
        self.inputs = ipywidgets.VBox()
        self.remaining = ipywidgets.HTML()
        self.submit_button = ipywidgets.Button(
            description=self._("table_dots_submit"), button_style="primary", icon="check"
        )
        self.submit_button.on_click(self._guard(self._submit))
        self.results = ipywidgets.HTML()
        self.own = ipywidgets.HTML()
        seats.on_change(self._seat_changed)
        self.children = [
            ipywidgets.HTML(heading_html(self._("table_dots_heading"))),
            self.intro,
            self.start_button,
            self.own,
            self.inputs,
            self.remaining,
            self.submit_button,
            self.message,
            self.results,
        ]
        self.refresh()

    def wants(self, events: list[Event]) -> bool:
        return self._about_theme_ballots(events)

    @property
    def allowance(self) -> int:
        return int(self.ballot.settings.get("dots", THEME_DOTS)) if self.ballot else 0

    def used(self) -> int:
        return sum(int(box.value or 0) for box in self.dots.values())

    def _start(self, _button: object = None) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        if self.ctx.table is not None:  # a message sent without the (hidden) button
            raise InvalidInputError("table_dots_not_for_tables")
        ballot = start_theme_dot_vote(store, slug, self._("table_dots_heading"))
        self.refresh()
        self.message.show(
            self._("table_dots_started", n=len(ballot.options), dots=THEME_DOTS), "success"
        )

    def _submit(self, _button: object = None) -> None:
        if self.ballot is None:
            raise InvalidInputError("table_dots_missing")
        used = self.used()
        if used == 0:
            raise InvalidInputError("table_dots_none")
        token = self.seats.token()
        payload = {key: int(box.value) for key, box in self.dots.items() if box.value}
        self.ctx.store.cast_vote(self.ctx.slug, self.ballot.key, token, payload)
        for box in self.dots.values():
            box.value = 0
        self.refresh()
        self.message.show(self._("table_dots_saved", seat=self.seats.seat, used=used), "success")

    def _seat_changed(self) -> None:
        """A new person at the keyboard starts from an empty form: never the previous
        person's dots; if this seat has voted already, its stored dots are shown."""
        for box in self.dots.values():
            box.value = 0
        self.message.clear()
        self._show_own_vote()

    def _show_own_vote(self) -> None:
        """The chosen seat's stored dots on this ballot, if it has voted (read-only)."""
        pid = self.seats.participant_id()
        ballot = self.ballot
        own = None
        if pid is not None and ballot is not None:
            own = next(
                (
                    v
                    for v in self.ctx.store.votes(self.ctx.slug, ballot.key)
                    if v.participant_id == pid
                ),
                None,
            )
        if own is None or not isinstance(own.payload, dict):
            self.own.value = ""
            return
        names = {th.key: th.name for th in self.ctx.store.themes(self.ctx.slug)}
        placed = ("、" if self.ctx.lang == "ja" else ", ").join(
            f"{names.get(key, key)} {n}" for key, n in own.payload.items()
        )
        self.own.value = (
            f'<p role="status" style="font-weight:600">'
            f"{escape(self._('table_dots_own', seat=self.seats.seat, dots=placed))}</p>"
        )

    def _show_remaining(self, _change: object = None) -> None:
        if self.ballot is None or self.ballot.status != "open":
            self.remaining.value = ""
            return
        used, dots = self.used(), self.allowance
        if used > dots:
            text, colour = self._("table_dots_over", used=used, dots=dots), "#a4161a"
        else:
            text, colour = self._("table_dots_remaining", left=dots - used, dots=dots), "#1d4f91"
        self.remaining.value = (
            f'<p role="status" aria-live="polite" style="font-size:1.2em;font-weight:700;'
            f'color:{colour}">{escape(text)}</p>'
        )

    def refresh(self) -> None:
        store, slug = self.ctx.store, self.ctx.slug
        ballot = theme_ballot(store.ballots(slug))
        self.ballot = ballot
        themes = store.themes(slug)
        names = {th.key: th.name for th in themes}
        # Opening a vote is the facilitator's: a table laptop (its table link) never can.
        facilitator = self.ctx.table is None
        self.start_button.layout.display = "" if ballot is None and facilitator else "none"
        voting = ballot is not None and ballot.status == "open"
        self.submit_button.layout.display = "" if voting else "none"
        if ballot is None:
            missing = self._("table_dots_missing" if facilitator else "table_dots_waiting")
            self.intro.value = f"<p>{escape(missing)}</p>"
            self._build_inputs((), names)
            self.results.value = ""
            return
        intro = []
        limit = ballot.settings.get("max_per_option")
        if ballot.status != "closed":
            intro.append(self._("table_dots_hint", dots=self.allowance))
            if limit:
                intro.append(self._("table_dots_per_option", limit=limit))
        if ballot.status == "draft":
            intro.append(self._("table_dots_draft"))
        elif ballot.status == "closed":
            intro.append(self._("table_dots_closed"))
        unlisted = [th.name for th in themes if th.key not in ballot.options]
        if unlisted and ballot.status != "closed":
            intro.append(self._("table_dots_new_themes", themes="、".join(unlisted)))
        self.intro.value = "".join(f"<p>{escape(p)}</p>" for p in intro)
        self._build_inputs(ballot.options if voting else (), names, limit)
        self._show_own_vote()
        self._show_results(ballot, names)

    def _build_inputs(
        self, options: Sequence[str], names: dict[str, str], limit: int | None = None
    ) -> None:
        if tuple(self.dots) != tuple(options):
            boxes: dict[str, ipywidgets.BoundedIntText] = {}
            for key in options:
                box = self.dots.get(key)
                if box is None:
                    box = ipywidgets.BoundedIntText(
                        value=0,
                        min=0,
                        max=max(self.allowance, 1),
                        description=names.get(key, key),
                        style=WIDE_LABEL,
                        layout=ipywidgets.Layout(width="24em"),
                    )
                    box.observe(self._show_remaining, names=["value"])
                boxes[key] = box
            self.dots = boxes
            self.inputs.children = tuple(boxes.values())
        for key, box in self.dots.items():
            box.description = names.get(key, key)
            box.max = max(int(limit or self.allowance), 1)
        self._show_remaining()

    def _show_results(self, ballot: Ballot, names: dict[str, str]) -> None:
        votes = self.ctx.store.votes(self.ctx.slug, ballot.key)
        count = f"<p>{escape(self._('table_dots_votes', n=len(votes)))}</p>"
        if not ballot.results_visible:
            self.results.value = count + f"<p>{escape(self._('table_dots_hidden'))}</p>"
            return
        if not votes:
            self.results.value = count
            return
        counted = tally(ballot.rule, ballot.options, ballot.settings, [v.payload for v in votes])
        rows = [(names.get(o, o), int(counted["points"][o])) for o in counted["order"]]
        columns = [self._("table_col_theme"), self._("table_col_dots")]
        self.results.value = count + html_table(columns, rows, self._("table_dots_results"))
