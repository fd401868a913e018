"""The method cards and the vote on the method (see :mod:`widgets.method`)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import ipywidgets
import traitlets

from toolkit.i18n import t
from toolkit.methods.charter import method_minutes
from toolkit.methods.registry import method_name
from toolkit.model import Event
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed
from widgets.method.common import (
    ballot_tally,
    candidate_methods,
    method_vote_winner,
    status_text,
)
from widgets.seats import TableSeats
from widgets.ui import (
    BALLOT_EVENTS,
    METHOD_BALLOT_WORDS,
    WIDE_LABEL,
    BallotBar,
    bar_cell,
    css,
    heading,
    html_table,
    paragraph,
)


# ---------------------------------------------------------------------- method cards
class MethodCards(ipywidgets.VBox):
    """One card per candidate method: what participants do, time, strengths, risks."""

    def __init__(self, ctx: AppContext, **kwargs: Any) -> None:
        self.ctx = ctx
        self.cards: dict[str, ipywidgets.HTML] = {}
        for spec in ctx.store.workshop(ctx.slug).spec.get("methods", []):
            self.cards[spec["id"]] = ipywidgets.HTML(self.card_html(spec))
        grid = ipywidgets.Box(list(self.cards.values()))
        grid.add_class("ureshii-cards")
        super().__init__(
            children=[css(), heading(t("method_cards_title", ctx.lang)), grid], **kwargs
        )
        self.add_class("ureshii-app")
        self.add_class("ureshii-method-cards")

    def card_html(self, spec: Mapping[str, Any]) -> str:
        lang, method = self.ctx.lang, str(spec["id"])
        minutes = method_minutes(spec)
        parts = [
            ("method_card_does_label", t(f"method_info_{method}_does", lang)),
            ("method_card_time_label", t("method_card_minutes", lang, minutes=minutes)),
            ("method_card_strengths_label", t(f"method_info_{method}_strengths", lang)),
            ("method_card_risks_label", t(f"method_info_{method}_risks", lang)),
        ]
        if spec.get("note"):
            parts.append(("method_card_note_label", str(spec["note"])))
        items = "".join(
            f"<dt>{escape(t(label, lang))}</dt><dd>{escape(text)}</dd>" for label, text in parts
        )
        name = escape(method_name(method, lang))
        return (
            f'<section class="ureshii-card" aria-label="{name}">'
            f"<h3>{name}</h3><dl>{items}</dl></section>"
        )


# ---------------------------------------------------------------------- method vote
class MethodVote(ipywidgets.VBox):
    """Each seat votes once for a method; the tally shows once results may be seen.

    ``facilitator=True`` adds the buttons that open and close the vote (and show the
    results early). The ballot (purpose "method", rule "single") is created as a draft if
    the workshop has none.
    """

    ballot = traitlets.Any(None, allow_none=True).tag(sync=False)  # toolkit.model.Ballot

    def __init__(
        self,
        ctx: AppContext,
        feed: LiveFeed,
        seats: TableSeats,
        *,
        facilitator: bool = False,
        **kwargs: Any,
    ) -> None:
        self.ctx, self.seats, self.facilitator = ctx, seats, facilitator
        lang = ctx.lang
        self.messages = MessageArea()
        ballot = ctx.store.ensure_ballot(
            ctx.slug,
            "method",
            t("method_ballot_title_method", lang),
            rule="single",
            options=candidate_methods(ctx),
        )
        self.choice = ipywidgets.RadioButtons(
            options=[(method_name(m, lang), m) for m in ballot.options],
            value=None,
            description=t("method_vote_choice", lang),
            style=WIDE_LABEL,
        )
        self.vote_button = ipywidgets.Button(
            description=t("method_vote_button", lang), icon="check", button_style="primary"
        )
        self.vote_button.on_click(guarded(self.messages, lang)(self._vote))
        self.status = ipywidgets.HTML()
        self.tally = ipywidgets.HTML()
        self.controls = BallotBar(
            ctx,
            ballot.key,
            self.messages,
            self.refresh,
            words=METHOD_BALLOT_WORDS,
            close_style="warning",
        )
        children: list[ipywidgets.Widget] = [
            css(),
            heading(t("method_vote_title", lang)),
            self.status,
        ]
        if facilitator:
            children.append(self.controls)
        children += [self.choice, self.vote_button, self.messages, self.tally]
        super().__init__(children=children, **kwargs)
        self.add_class("ureshii-app")
        self.add_class("ureshii-method-vote")
        self.ballot = ballot
        feed.subscribe(self._on_events, kinds=BALLOT_EVENTS)
        seats.on_change(self._clear_choice)
        self.refresh()

    def _clear_choice(self) -> None:
        """Another person sat down: no method is chosen for them."""
        self.choice.value = None
        self.messages.clear()

    @property
    def winner(self) -> str | None:
        """The leading method once results are visible (``None`` before)."""
        return method_vote_winner(self.ctx)

    def _on_events(self, events: list[Event]) -> None:
        key = self.ballot.key
        if any(e.payload.get("ballot") in (key, None) for e in events):
            self.refresh()

    def refresh(self) -> None:
        lang = self.ctx.lang
        self.ballot = ballot = self.ctx.store.ballot(self.ctx.slug, self.ballot.key)
        votes, counted = ballot_tally(self.ctx, ballot)
        self.controls.show_state(ballot)
        self.vote_button.disabled = ballot.status != "open"
        self.choice.disabled = ballot.status != "open"
        with self.hold_sync():
            self.status.value = paragraph(status_text(ballot, votes, lang))
            if not ballot.results_visible:
                self.tally.value = paragraph(t("method_tally_hidden", lang))
            elif counted is None:
                self.tally.value = paragraph(t("method_tally_none", lang))
            else:
                most = max(counted["points"].values()) or 1.0
                rows = [
                    (
                        escape(method_name(m, lang)),
                        bar_cell(counted["points"][m] / most, f"{counted['points'][m]:.0f}"),
                    )
                    for m in counted["order"]
                ]
                columns = (t("method_col_method", lang), t("method_col_votes", lang))
                self.tally.value = html_table(
                    columns, rows, t("method_tally_title", lang), raw=True
                )

    def _vote(self, _: object = None) -> None:
        lang = self.ctx.lang
        if self.choice.value is None:
            self.messages.show(t("method_vote_choose", lang), "error")
            return
        choice = str(self.choice.value)
        self.ctx.store.cast_vote(self.ctx.slug, self.ballot.key, self.seats.token(), choice)
        self.messages.show(
            t("method_vote_cast", lang, seat=self.seats.seat, method=method_name(choice, lang)),
            "success",
        )
        self.choice.value = None
        self.refresh()
