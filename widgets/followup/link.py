"""The console's link to the follow-up app (light: no chart engine, no summary)."""

from __future__ import annotations

from html import escape

import ipywidgets

from toolkit.i18n import normalize_language, t

#: The follow-up app's notebook, beside the console's under ``/voila/render/``.
FOLLOWUP_NOTEBOOK = "followup.ipynb"


def followup_link_html(lang: str | None = None) -> str:
    """A heading and a link to the follow-up app in the same language (a relative address:
    the console and the app are served side by side).

    >>> 'href="followup.ipynb?lang=en"' in followup_link_html("en")
    True
    """
    language = normalize_language(lang)
    href = escape(f"{FOLLOWUP_NOTEBOOK}?lang={language}", quote=True)
    return (
        f"<h2>{escape(t('followup_console_link_heading', language))}</h2>"
        f'<p><a class="ureshii-followup-link" href="{href}" target="_top" '
        'style="display:inline-block;min-height:44px;line-height:44px;padding:0 .6em;'
        'font-weight:600">'
        f"{escape(t('followup_console_link', language))}</a></p>"
    )


def followup_link(lang: str | None = None) -> ipywidgets.HTML:
    """:func:`followup_link_html` as a widget."""
    widget = ipywidgets.HTML(followup_link_html(lang))
    widget.add_class("ureshii-followup-link-box")
    return widget
