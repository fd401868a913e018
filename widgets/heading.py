"""A page heading in the reader's language, with the other language beneath it."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets
import traitlets

from toolkit.i18n import LANGUAGES, normalize_language, t


class Heading(ipywidgets.HTML):
    """An ``<hN>`` heading and an optional subtitle (both plain text, escaped).

    >>> Heading("Ureshii ファシリテーター画面", subtitle="Facilitator console").text
    'Ureshii ファシリテーター画面'
    """

    # Plain Python traits (not synced); `value` is rebuilt from them.
    text = traitlets.Unicode("")
    subtitle = traitlets.Unicode("")
    level = traitlets.Int(1)

    def __init__(self, text: str = "", *, subtitle: str = "", level: int = 1, **kwargs: Any):
        super().__init__(**kwargs)
        self.add_class("ureshii-heading")
        self.observe(self._render, names=["text", "subtitle", "level"])
        with self.hold_trait_notifications():
            self.text, self.subtitle, self.level = text, subtitle, level
        self._render()

    @traitlets.validate("level")
    def _valid_level(self, proposal: dict[str, Any]) -> int:
        level = int(proposal["value"])
        if not 1 <= level <= 6:
            raise traitlets.TraitError(f"heading level must be 1 to 6, got {level!r}")
        return level

    @classmethod
    def from_message(cls, key: str, lang: str | None = None, **kwargs: Any) -> Heading:
        """The catalog message ``key`` in ``lang`` (default: URESHII_LANG), the other below."""
        language = normalize_language(lang)
        other = next(other for other in LANGUAGES if other != language)
        return cls(t(key, language), subtitle=t(key, other), **kwargs)

    def _render(self, change: object = None) -> None:
        tag = f"h{self.level}"
        subtitle = ""
        if self.subtitle:
            style = "margin:0;color:#52606d"
            subtitle = f'<p class="ureshii-subtitle" style="{style}">{escape(self.subtitle)}</p>'

        self.value = f'<{tag} style="margin:0 0 .2em">{escape(self.text)}</{tag}>{subtitle}'
