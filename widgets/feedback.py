"""Messages inside a widget: errors a person can act on, never a raw traceback.

``MessageArea`` is a small live region (``role="status"``) that shows the last message.
``guarded(area, lang)`` wraps a widget callback: a ``UreshiiError`` shows its message in the
app's language; anything unexpected shows a short apology and is logged for the facilitator.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from html import escape
from typing import Any, Literal, TypeVar

import ipywidgets

from toolkit.errors import UreshiiError
from toolkit.i18n import t

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
Tone = Literal["info", "success", "error"]
_COLOURS = {"info": "#1d4f91", "success": "#1b6e3a", "error": "#a4161a"}


class MessageArea(ipywidgets.HTML):
    """A message under a form (its line breaks kept: a list of problems reads as a list);
    screen readers announce changes."""

    def show(self, text: str, tone: Tone = "info") -> None:
        colour = _COLOURS[tone]
        icon = {"info": "ℹ", "success": "✓", "error": "⚠"}[tone]
        self.value = (
            f'<div role="status" aria-live="polite" class="ureshii-message ureshii-{tone}" '
            f'style="color:{colour};font-weight:600;white-space:pre-line">'
            f"{icon} {escape(text)}</div>"
        )

    def clear(self) -> None:
        self.value = ""


def guarded(area: MessageArea, lang: str) -> Callable[[F], F]:
    """Decorate a callback so its errors are shown in ``area`` in ``lang``."""

    def decorate(callback: F) -> F:
        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except UreshiiError as error:
                area.show(error.message(lang), "error")
            except Exception:
                log.exception("unexpected error in %s", callback.__name__)
                area.show(t("widget_unexpected_error", lang), "error")
            return None

        return wrapper  # type: ignore[return-value]

    return decorate
