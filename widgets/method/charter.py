"""The consent check and the facilitator's charter panel (see :mod:`widgets.method`).

What the charter proposes by default (the vote's winner, the weights' source) is decided by
:mod:`toolkit.methods.charter`; this module shows it and asks.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets
import traitlets

from toolkit import consent
from toolkit.i18n import t
from toolkit.methods.charter import default_method, proposed_weights
from toolkit.methods.registry import method_name
from toolkit.model import Event, MethodCharter
from toolkit.store import TIE_BREAKS
from widgets.confirm import ConfirmButton
from widgets.consent import ConsentLevels
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed
from widgets.method.common import (
    candidate_methods,
    charter_card,
    mean_allocation,
    method_vote_winner,
    weights_table,
)
from widgets.method.vote import MethodVote
from widgets.method.weights import WeightAgreement
from widgets.seats import TableSeats
from widgets.ui import (
    BALLOT_EVENTS,
    CHARTER_EVENTS,
    WIDE_LABEL,
    css,
    fit,
    heading,
    html_table,
    paragraph,
)


class ConsentCheck(ipywidgets.VBox):
    """Fist of five on the newest draft charter, one answer per seat; 0 blocks the lock.

    Inside :class:`CharterPanel` the panel shows the draft itself. On a table laptop
    (``show_charter=True``) the check shows the charter it asks about, and follows the
    store: "no charter yet" (the form hidden), the draft as soon as the facilitator proposes
    it (or a new version), and the locked charter once it is locked.
    """

    def __init__(
        self,
        ctx: AppContext,
        feed: LiveFeed,
        seats: TableSeats,
        *,
        show_charter: bool = False,
        **kwargs: Any,
    ):
        self.ctx, self.seats, self.show_charter = ctx, seats, show_charter
        lang = ctx.lang
        self.names = {c.key: c.name for c in ctx.store.criteria(ctx.slug)}
        self.messages = MessageArea()
        self.level = ConsentLevels(lang, description=t("method_consent_prompt", lang))
        seats.on_change(lambda: setattr(self.level, "value", None))  # the next person's answer
        self.legend = ipywidgets.HTML(
            paragraph(consent.scale_hint(lang))
            + f"<p><strong>{escape(t('method_consent_block_note', lang))}</strong></p>"
        )
        self.record_button = ipywidgets.Button(
            description=t("method_consent_button", lang), icon="check", button_style="primary"
        )
        fit(self.record_button)
        self.record_button.on_click(guarded(self.messages, lang)(self._record))
        self.tally = ipywidgets.HTML()
        self.charter_view = ipywidgets.HTML()
        self.form = ipywidgets.VBox([self.legend, self.level, self.record_button])
        children: list[ipywidgets.Widget] = [heading(t("method_consent_title", lang), 3)]
        if show_charter:
            children = [css(), heading(t("method_consent_title", lang)), self.charter_view]
        children += [self.form, self.messages, self.tally]
        super().__init__(children=children, **kwargs)
        self.add_class("ureshii-consent")
        if show_charter:
            self.add_class("ureshii-app")
        feed.subscribe(lambda events: self.refresh(), kinds=CHARTER_EVENTS)
        self.refresh()

    def draft(self) -> MethodCharter | None:
        """The newest charter if it is still a draft (the one consent is asked for)."""
        charters = self.ctx.store.charters(self.ctx.slug)
        if charters and not charters[-1].locked:
            return charters[-1]
        return None

    def levels(self) -> list[int]:
        draft = self.draft()
        if draft is None:
            return []
        return [c.level for c in self.ctx.store.consents(self.ctx.slug, draft.version)]

    def refresh(self) -> None:
        lang = self.ctx.lang
        draft = self.draft()
        # Only the button is disabled without a draft: ipywidgets 8's ToggleButtons view applies
        # `disabled` only when it rebuilds its buttons, so toggling it live would not show.
        self.record_button.disabled = draft is None
        if self.show_charter:
            self._show_charter(draft)
            if draft is None:  # nothing to count: the charter above says what comes next
                self.tally.value = ""
                return
        levels = self.levels()
        summary = t("method_consent_tally", lang, responses=len(levels), blocks=levels.count(0))
        rows = [(consent.label(n, lang), levels.count(n)) for n in consent.LEVELS]
        columns = (t("method_col_level", lang), t("method_col_people", lang))
        self.tally.value = (
            f'<p role="status" aria-live="polite" style="font-weight:600">{escape(summary)}</p>'
            + html_table(columns, rows, t("method_consent_tally_caption", lang))
        )

    def _show_charter(self, draft: MethodCharter | None) -> None:
        """The charter this check is about, or what the table waits for."""
        lang = self.ctx.lang
        self.form.layout.display = "none" if draft is None else ""
        if draft is not None:
            title = t("method_draft_title", lang, version=draft.version)
            self.charter_view.value = charter_card(draft, title, self.names, lang)
            return
        locked = self.ctx.store.locked_charter(self.ctx.slug)
        if locked is None:
            self.charter_view.value = paragraph(t("method_consent_waiting", lang))
            return
        time = self.ctx.format_time(locked.locked_at)
        title = t("method_locked_title", lang, version=locked.version, time=time)
        self.charter_view.value = paragraph(
            t("method_consent_locked", lang, version=locked.version)
        ) + charter_card(locked, title, self.names, lang)

    def _record(self, _: object = None) -> None:
        lang = self.ctx.lang
        draft = self.draft()
        if draft is None:
            return
        if self.level.value is None:
            self.messages.show(t("method_consent_choose", lang), "error")
            return
        level = int(self.level.value)
        self.ctx.store.record_consent(
            self.ctx.slug, self.seats.token(), level, version=draft.version
        )
        self.messages.show(
            t("method_consent_recorded", lang, seat=self.seats.seat, level=level), "success"
        )
        self.level.value = None
        self.refresh()


class CharterPanel(ipywidgets.VBox):
    """The facilitator's charter: propose → consent check → lock; later changes with a reason.

    The method defaults to the method vote's winner, the weights to ``agreement.proposal``
    (else the mean of the 100-point ballot, else the workshop file's weights, else equal
    weights), the tie-break to the workshop file's. States follow the store: no charter yet,
    a draft waiting for consent, or a locked charter (with the form to propose a change).
    """

    weights = traitlets.Dict().tag(sync=False)  # {criterion: weight}, summing to 1
    weights_rules = traitlets.Dict().tag(sync=False)
    state = traitlets.Unicode("none").tag(sync=False)  # "none" | "draft" | "locked"

    def __init__(
        self,
        ctx: AppContext,
        feed: LiveFeed,
        seats: TableSeats,
        *,
        vote: MethodVote | None = None,
        agreement: WeightAgreement | None = None,
        **kwargs: Any,
    ) -> None:
        self.ctx, self.seats, self.vote, self.agreement = ctx, seats, vote, agreement
        lang = ctx.lang
        spec = ctx.store.workshop(ctx.slug).spec
        self.criteria = {c.key: c for c in ctx.store.criteria(ctx.slug)}
        self.names = {k: c.name for k, c in self.criteria.items()}
        self.messages = MessageArea()
        options = candidate_methods(ctx)
        for charter in ctx.store.charters(ctx.slug):
            if charter.method not in options:
                options.append(charter.method)
        self.method = ipywidgets.Dropdown(
            options=[(method_name(m, lang), m) for m in options],
            value=default_method(method_vote_winner(ctx), options),
            description=t("method_charter_method", lang),
            style=WIDE_LABEL,
        )
        self.tie_break = ipywidgets.Dropdown(
            options=[(t(f"method_tie_{tb}", lang), tb) for tb in TIE_BREAKS],
            value=spec.get("tie_break", TIE_BREAKS[0]),
            description=t("method_charter_tie_break", lang),
            style=WIDE_LABEL,
        )
        self.weights_view = ipywidgets.HTML()
        self.take_weights = ipywidgets.Button(
            description=t("method_refresh_weights", lang), icon="refresh"
        )
        fit(self.take_weights)
        self.take_weights.on_click(guarded(self.messages, lang)(self._take_weights))
        self.propose_button = ipywidgets.Button(
            description=t("method_propose_button", lang), icon="file-text", button_style="primary"
        )
        fit(self.propose_button)
        self.propose_button.on_click(guarded(self.messages, lang)(self._propose))
        self.proposal_form = ipywidgets.VBox(
            [self.method, self.tie_break, self.weights_view, self.take_weights]
        )

        self.card = ipywidgets.HTML()
        self.consent = ConsentCheck(ctx, feed, seats)
        # Locking is what scoring relies on: it asks first (widgets/confirm.py).
        self.locker = ConfirmButton(
            t("method_lock_button", lang),
            question=t("confirm_lock_charter", lang),
            confirm=t("confirm_lock_charter_yes", lang),
            lang=lang,
            on_confirm=guarded(self.messages, lang)(self._lock),
            icon="lock",
        )
        self.lock_button = fit(self.locker.button)

        self.reason = ipywidgets.Textarea(
            description=t("method_revise_reason", lang),
            style=WIDE_LABEL,
            layout={"width": "95%", "height": "4em"},
        )
        self.revise_button = ipywidgets.Button(icon="pencil", button_style="warning")
        fit(self.revise_button)
        self.revise_button.on_click(guarded(self.messages, lang)(self._revise))
        self.history = ipywidgets.HTML()
        self.body = ipywidgets.VBox()
        super().__init__(
            children=[css(), heading(t("method_charter_title", lang)), self.body], **kwargs
        )
        self.add_class("ureshii-app")
        self.add_class("ureshii-charter")
        if agreement is not None:
            agreement.observe(self._take_weights, names=["proposal"])
        self._take_weights()
        feed.subscribe(self._on_events, kinds=CHARTER_EVENTS | BALLOT_EVENTS)
        self.refresh()

    # -- the weights to propose
    def _resolve_weights(self) -> tuple[dict[str, float], dict[str, Any], str]:
        """The weights to propose, by :func:`toolkit.methods.charter.proposed_weights`:
        (weights, rules for the record, where they came from in words)."""
        lang, agreement = self.ctx.lang, self.agreement
        votes, mean = mean_allocation(self.ctx, self.ctx.store.ballot_for(self.ctx.slug, "weights"))
        spec = self.ctx.store.workshop(self.ctx.slug).spec
        proposed = proposed_weights(
            list(self.criteria),
            agreement=agreement.proposal if agreement is not None else None,
            agreement_rules=agreement.proposal_rules if agreement is not None else None,
            ballot_mean=mean,
            allocations=votes,
            file_weights={c["id"]: c.get("weight") for c in spec["criteria"]},
        )
        if proposed.source == "agreement" and agreement is not None:
            source = agreement.source
        elif proposed.source == "points":
            source = t("method_source_ballot", lang, votes=proposed.allocations)
        elif proposed.source == "workshop_file":
            source = t("method_source_file", lang)
        else:
            source = t("method_source_equal", lang)
        return proposed.weights, proposed.rules, source

    def _take_weights(self, change: object = None) -> None:
        weights, rules, source = self._resolve_weights()
        self.weights, self.weights_rules = weights, rules
        lang = self.ctx.lang
        caption = t("method_weights_from", lang, source=source)
        self.weights_view.value = weights_table(caption, weights, self.names, lang)

    # -- state
    def _on_events(self, events: list[Event]) -> None:
        if self.state == "none" and any(
            e.kind in ("ballot_closed", "results_released") for e in events
        ):
            winner = method_vote_winner(self.ctx)
            if winner in dict(self.method.options).values():
                self.method.value = winner
            if self.agreement is None:
                self._take_weights()
        self.refresh()

    def refresh(self) -> None:
        lang = self.ctx.lang
        charters = self.ctx.store.charters(self.ctx.slug)
        latest = charters[-1] if charters else None
        self.state = "none" if latest is None else ("locked" if latest.locked else "draft")
        self.history.value = self._history_html(charters) if charters else ""
        self.consent.refresh()
        if latest is None:
            self.body.children = [self.proposal_form, self.propose_button, self.messages]
        elif not latest.locked:
            self.card.value = self._charter_html(
                latest, t("method_draft_title", lang, version=latest.version)
            )
            self.body.children = [
                self.card,
                self.consent,
                self.locker,
                self.messages,
                self.history,
            ]
        else:
            title = t(
                "method_locked_title",
                lang,
                version=latest.version,
                time=self.ctx.format_time(latest.locked_at),
            )
            self.card.value = self._charter_html(latest, title)
            self.revise_button.description = t(
                "method_revise_button", lang, version=latest.version + 1
            )
            self.body.children = [
                self.card,
                heading(t("method_revise_title", lang), 3),
                ipywidgets.HTML(paragraph(t("method_revise_help", lang))),
                self.proposal_form,
                self.reason,
                self.revise_button,
                self.messages,
                self.history,
            ]

    def _charter_html(self, charter: MethodCharter, title: str) -> str:
        return charter_card(charter, title, self.names, self.ctx.lang)

    def _history_html(self, charters: list[MethodCharter]) -> str:
        lang = self.ctx.lang
        rows = []
        for c in charters:
            consent = ""
            if c.consent:
                consent = t(
                    "method_consent_short",
                    lang,
                    responses=c.consent.get("responses", 0),
                    blocks=c.consent.get("blocks", 0),
                )
            rows.append(
                (
                    f"v{c.version}",
                    method_name(c.method, lang),
                    self.ctx.format_time(c.proposed_at),
                    self.ctx.format_time(c.locked_at) if c.locked else t("method_not_locked", lang),
                    c.reason or "–",
                    consent or "–",
                )
            )
        columns = [
            t(key, lang)
            for key in (
                "method_col_version",
                "method_charter_method",
                "method_col_proposed",
                "method_col_locked",
                "method_col_reason",
                "method_col_consent",
            )
        ]
        return html_table(columns, rows, t("method_history_title", lang))

    # -- actions
    def _propose(self, _: object = None) -> None:
        charter = self.ctx.store.propose_charter(
            self.ctx.slug,
            method=str(self.method.value),
            weights=self.weights,
            tie_break=str(self.tie_break.value),
            rules=self.weights_rules,
        )
        self.messages.show(t("method_proposed", self.ctx.lang, version=charter.version), "success")
        self.refresh()

    def _lock(self, _: object = None) -> None:
        charters = self.ctx.store.charters(self.ctx.slug)
        if not charters or charters[-1].locked:
            self.refresh()
            return
        charter = self.ctx.store.lock_charter(self.ctx.slug, charters[-1].version)
        self.messages.show(
            t("method_locked_done", self.ctx.lang, version=charter.version), "success"
        )
        self.refresh()

    def _revise(self, _: object = None) -> None:
        charter = self.ctx.store.revise_charter(
            self.ctx.slug,
            reason=self.reason.value,
            method=str(self.method.value),
            weights=self.weights,
            tie_break=str(self.tie_break.value),
            rules=self.weights_rules,
        )
        self.reason.value = ""
        self.messages.show(t("method_revised", self.ctx.lang, version=charter.version), "success")
        self.refresh()
