"""The console's view of the method charter: its state, its lock, and proposing a change."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets

from toolkit import consent
from toolkit.i18n import t
from toolkit.methods.registry import method_name
from toolkit.model import MethodCharter
from widgets.confirm import ConfirmButton
from widgets.context import AppContext
from widgets.feedback import MessageArea, guarded
from widgets.live import LiveFeed
from widgets.ui import CHARTER_EVENTS, WIDE_LABEL, button, heading


# ---------------------------------------------------------------------- method charter
class CharterControls(ipywidgets.VBox):
    """The method charter's state, lock, and "propose a change" (which needs a reason)."""

    def __init__(self, ctx: AppContext, feed: LiveFeed, **kwargs: Any) -> None:
        self.ctx = ctx
        lang = ctx.lang
        self.charter: MethodCharter | None = None
        self.state = ipywidgets.HTML()
        self.message = MessageArea()
        act = guarded(self.message, lang)
        # Locking is what scoring relies on: it asks first (widgets/confirm.py).
        self.locker = ConfirmButton(
            t("console_charter_lock", lang),
            question=t("confirm_lock_charter", lang),
            confirm=t("confirm_lock_charter_yes", lang),
            lang=lang,
            on_confirm=act(self.lock),
            icon="lock",
            button_style="primary",
        )
        self.lock_button = self.locker.button
        self.change_button = button(description=t("console_charter_change", lang), icon="unlock")
        self.reason = ipywidgets.Textarea(
            description=t("console_charter_reason", lang),
            placeholder=t("console_charter_reason_hint", lang),
            style=WIDE_LABEL,
            layout=ipywidgets.Layout(width="36em"),
        )
        self.confirm_change = button(
            description=t("console_charter_change_confirm", lang), button_style="warning"
        )
        self.cancel_change = button(description=t("console_cancel", lang))
        self.change_form = ipywidgets.VBox(
            [self.reason, ipywidgets.HBox([self.confirm_change, self.cancel_change])],
            layout=ipywidgets.Layout(display="none"),
        )
        self.change_button.on_click(act(self.ask_reason))
        self.confirm_change.on_click(act(self.propose_change))
        self.cancel_change.on_click(act(self.hide_reason))
        super().__init__(
            children=[
                heading(t("console_charter_heading", lang)),
                self.state,
                ipywidgets.HBox([self.locker, self.change_button]),
                self.change_form,
                self.message,
            ],
            **kwargs,
        )
        self.add_class("ureshii-charter-controls")
        feed.subscribe(lambda _events: self.refresh(), kinds=CHARTER_EVENTS)
        self.refresh()

    def lock(self, _button: object = None) -> None:
        charter = self.ctx.store.lock_charter(self.ctx.slug)
        self.refresh()
        self.message.show(
            t("console_charter_locked_ok", self.ctx.lang, version=charter.version), "success"
        )

    def ask_reason(self, _button: object = None) -> None:
        self.change_form.layout.display = "flex"
        self.message.show(t("console_charter_reason_prompt", self.ctx.lang), "info")

    def hide_reason(self, _button: object = None) -> None:
        self.change_form.layout.display = "none"
        self.message.clear()

    def propose_change(self, _button: object = None) -> None:
        charter = self.ctx.store.revise_charter(self.ctx.slug, reason=self.reason.value)
        self.reason.value = ""
        self.change_form.layout.display = "none"
        self.refresh()
        self.message.show(
            t("console_charter_changed_ok", self.ctx.lang, version=charter.version), "success"
        )

    def refresh(self) -> None:
        lang = self.ctx.lang
        charters = self.ctx.store.charters(self.ctx.slug)
        self.charter = charters[-1] if charters else None
        charter = self.charter
        if charter is None:
            html = f"<p>{escape(t('console_charter_none', lang))}</p>"
            locked = False
        else:
            method = method_name(charter.method, lang)
            if charter.locked:
                counted = consent.tally_from_record(charter.consent)
                state = t(
                    "console_charter_state_locked", lang, version=charter.version, method=method
                )
            else:
                answers = self.ctx.store.consents(self.ctx.slug, charter.version)
                counted = consent.tally(c.level for c in answers)
                state = t(
                    "console_charter_state_draft", lang, version=charter.version, method=method
                )
            reason = ""
            if charter.reason:
                shown = t("console_charter_reason_shown", lang, reason=charter.reason)
                reason = f"<p>{escape(shown)}</p>"
            html = (
                f'<p style="font-size:1.2em;font-weight:700">'
                f"{escape(state)}</p>{reason}<p>{escape(consent.summary(counted, lang))}</p>"
            )
            locked = charter.locked
        with self.hold_sync():
            self.state.value = html
            self.lock_button.disabled = charter is None or locked
            self.change_button.disabled = not locked
