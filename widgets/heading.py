"""A page heading in the reader's language, with a link to the same page in the other one."""

from __future__ import annotations

import os
from html import escape
from typing import Any

import ipywidgets
import traitlets

from toolkit.i18n import LANGUAGES, normalize_language, t
from widgets.context import language_from_query, language_switch_href


class Heading(ipywidgets.HTML):
    """An ``<hN>`` heading (plain text, escaped) and an optional language switch link.

    The page is in one language: the other language is one click away (``switch_label``
    linking to ``switch_href``), never printed under the heading.

    >>> heading = Heading("画面", switch_label="English", switch_href="?lang=en")
    >>> heading.text, 'href="?lang=en"' in heading.value
    ('画面', True)
    """

    # Plain Python traits (not synced); `value` is rebuilt from them.
    text = traitlets.Unicode("")
    level = traitlets.Int(1)
    switch_label = traitlets.Unicode("")
    switch_href = traitlets.Unicode("")
    switch_lang = traitlets.Unicode("")

    def __init__(
        self,
        text: str = "",
        *,
        level: int = 1,
        switch_label: str = "",
        switch_href: str = "",
        switch_lang: str = "",
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.add_class("ureshii-heading")
        self.observe(
            self._render, names=["text", "level", "switch_label", "switch_href", "switch_lang"]
        )
        with self.hold_trait_notifications():
            self.text, self.level = text, level
            self.switch_label, self.switch_href = switch_label, switch_href
            self.switch_lang = switch_lang
        self._render()

    @traitlets.validate("level")
    def _valid_level(self, proposal: dict[str, Any]) -> int:
        level = int(proposal["value"])
        if not 1 <= level <= 6:
            raise traitlets.TraitError(f"heading level must be 1 to 6, got {level!r}")
        return level

    @classmethod
    def from_message(cls, key: str, lang: str | None = None, **kwargs: Any) -> Heading:
        """The catalog message ``key`` in ``lang`` (default: the page address's ``lang=``,
        else URESHII_LANG), with a link to the same page in the other language."""
        query = os.environ.get("QUERY_STRING", "")
        language = normalize_language(lang or language_from_query(query))
        other = next(other for other in LANGUAGES if other != language)
        return cls(
            t(key, language),
            switch_label=t("heading_language_switch", other),
            switch_href=language_switch_href(query, other),
            switch_lang=other,
            **kwargs,
        )

    def _render(self, change: object = None) -> None:
        tag = f"h{self.level}"
        switch = ""
        if self.switch_label and self.switch_href:
            lang = escape(self.switch_lang, quote=True)
            switch = (
                f'<p class="ureshii-language-switch" style="margin:0;font-size:14px">'
                f'<a href="{escape(self.switch_href, quote=True)}" target="_top" lang="{lang}"'
                f' hreflang="{lang}">{escape(self.switch_label)}</a></p>'
            )
        self.value = f'<{tag} style="margin:0 0 .2em">{escape(self.text)}</{tag}>{switch}'
