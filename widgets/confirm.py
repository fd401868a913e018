"""One rule for every irreversible action: the button asks before it acts.

Closing a ballot, locking the method charter, revoking a table laptop's link: none can be
undone, and every screen asks the same way. The first press shows the question with
"Yes, …" and "Cancel" under the button; only "Yes" acts. A test walks the apps' buttons and
checks that every irreversible one is a :class:`ConfirmButton` (``tests/widgets``).

>>> closer = ConfirmButton(  # doctest: +SKIP
...     "Close the vote", question="Close “Dots”? …", confirm="Yes, close it",
...     lang="en", on_confirm=close,
... )
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets

from toolkit.i18n import t

#: Large enough for a finger on a tablet (WCAG 2.5.5 target size).
TOUCH_HEIGHT = "44px"


class ConfirmButton(ipywidgets.VBox):
    """A button for an irreversible action: the first press asks, "Yes" acts, "Cancel" not.

    ``button`` is the visible action button (set its ``disabled`` as for any button; a
    disabled button also hides a pending question), ``box`` the question with ``yes`` and
    ``cancel``. ``on_confirm`` receives the "Yes" button; wrap it in
    :func:`widgets.feedback.guarded` to show its errors.
    """

    def __init__(
        self,
        description: str,
        *,
        question: str,
        confirm: str,
        lang: str,
        on_confirm: Callable[[Any], Any],
        icon: str = "",
        button_style: str = "danger",
        cancel: str | None = None,
    ) -> None:
        self.on_confirm = on_confirm
        self.button = ipywidgets.Button(
            description=description,
            icon=icon,
            button_style=button_style,
            layout=ipywidgets.Layout(width="auto", min_width="6em", min_height=TOUCH_HEIGHT),
        )
        self.question = ipywidgets.HTML()
        self.yes = ipywidgets.Button(
            description=confirm,
            button_style="danger",
            layout=ipywidgets.Layout(width="auto", min_height=TOUCH_HEIGHT),
        )
        self.cancel = ipywidgets.Button(
            description=cancel or t("confirm_cancel", lang),
            layout=ipywidgets.Layout(width="auto", min_height=TOUCH_HEIGHT),
        )
        self.box = ipywidgets.VBox(
            [self.question, ipywidgets.HBox([self.yes, self.cancel])],
            layout=ipywidgets.Layout(display="none"),
        )
        self.set_question(question)
        self.button.on_click(lambda _b: self.ask())
        self.yes.on_click(self._confirmed)
        self.cancel.on_click(lambda _b: self.hide())
        self.button.observe(self._disabled, names=["disabled"])
        super().__init__(
            children=[self.button, self.box],
            layout=ipywidgets.Layout(align_self="flex-start"),
        )
        self.add_class("ureshii-confirm")

    @property
    def asking(self) -> bool:
        """Whether the question is shown and waits for an answer."""
        return self.box.layout.display != "none"

    def set_question(self, question: str) -> None:
        """Change the question (e.g. when the ballot's title is known)."""
        text = escape(question, quote=False)
        self.question.value = f'<p role="alert" style="margin:.3em 0">⚠ {text}</p>'

    def ask(self) -> None:
        if not self.button.disabled:
            self.box.layout.display = "flex"

    def hide(self) -> None:
        self.box.layout.display = "none"

    def _confirmed(self, yes: object) -> None:
        if not self.asking:  # a stale "Yes" (the question was withdrawn) does nothing
            return
        self.hide()
        self.on_confirm(yes)

    def _disabled(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.hide()


def irreversible_buttons(root: ipywidgets.Widget) -> list[ConfirmButton]:
    """Every :class:`ConfirmButton` in a widget tree (for tests and the docs' checklist)."""
    found: list[ConfirmButton] = []
    stack = [root]
    while stack:
        widget = stack.pop()
        if isinstance(widget, ConfirmButton):
            found.append(widget)
        stack.extend(getattr(widget, "children", ()) or ())
    return found
