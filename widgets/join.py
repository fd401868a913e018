"""How participants join: the join link, its QR code and the join code, as one panel.

The console shows it to the facilitator; the projector board shows it to the room in every
phase where phones have something to do (:func:`toolkit.model.phones_invited`). Everything
is drawn here (segno's inline SVG): nothing is loaded from anywhere.
"""

from __future__ import annotations

import os
from html import escape
from typing import Any

import ipywidgets
import segno  # type: ignore[import-untyped,unused-ignore]

from toolkit.i18n import t
from toolkit.join import ENV_JOIN_URL
from toolkit.model import join_code
from widgets.context import AppContext
from widgets.ui import heading


def qr_svg(url: str, scale: int = 8) -> str:
    """The QR code of ``url`` as inline SVG (segno; nothing loaded from anywhere)."""
    svg: str = segno.make(url).svg_inline(scale=scale)
    return svg


class JoinPanel(ipywidgets.VBox):
    """The participants' join link, join code and QR code, large enough to scan off the
    projector."""

    def __init__(self, ctx: AppContext, *, url: str | None = None, scale: int = 8, **kwargs: Any):
        lang = ctx.lang
        self.url = url if url is not None else os.environ.get(ENV_JOIN_URL, "")
        self.view = ipywidgets.HTML()
        if self.url:
            label = escape(t("console_join_qr_label", lang, url=self.url), quote=True)
            self.view.value = (
                f"<p>{escape(t('console_join_hint', lang))}</p>"
                f'<p class="ureshii-join-url">{escape(self.url)}</p>'
                f'<p class="ureshii-join-code">'
                f"{escape(t('console_join_code', lang, code=join_code(ctx.slug)))}</p>"
                f'<figure role="img" aria-label="{label}" style="margin:0">'
                f"{qr_svg(self.url, scale)}</figure>"
            )
        else:
            self.view.value = (
                f'<p role="note" class="ureshii-join-missing">'
                f"{escape(t('console_join_missing', lang))}</p>"
            )
        super().__init__(children=[heading(t("console_join_heading", lang)), self.view], **kwargs)
        self.add_class("ureshii-join")
