"""The server's own small pages: bilingual (ja first, then en), no JavaScript, phone-sized.

They must work on old phones and with JavaScript off, load nothing from anywhere (the
responses carry a Content-Security-Policy that forbids it), and say what to do next.
"""

from __future__ import annotations

from html import escape
from typing import Any

from toolkit.i18n import LANGUAGES, t

# No scripts, no external anything; inline styles only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

_STYLE = """
body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", Meiryo, sans-serif;
       margin: 0 auto; max-width: 36rem; padding: 1.25rem; line-height: 1.7;
       color: #1f2933; background: #fffdf7; }
h1 { font-size: 1.35rem; margin: 0 0 .5rem; }
section + section { border-top: 1px solid #d9d4c7; margin-top: 1.25rem; padding-top: 1rem; }
a { color: #1d4ed8; }
"""


def bilingual_page(
    title_key: str,
    body_key: str,
    *,
    link: tuple[str, str] | None = None,
    refresh_to: str | None = None,
    **params: Any,
) -> str:
    """A complete HTML page with the message ``title_key``/``body_key`` in Japanese and English.

    ``link`` is an optional ``(href, label_key)`` shown under each language's text;
    ``refresh_to`` makes the browser open that path at once (``<meta http-equiv="refresh">``);
    ``params`` fill the messages' placeholders.
    """
    sections = []
    for lang in LANGUAGES:
        link_html = ""
        if link is not None:
            href, label_key = link
            label = escape(t(label_key, lang, **params))
            link_html = f'<p><a href="{escape(href)}">{label}</a></p>'
        sections.append(
            f'<section lang="{lang}"><h1>{escape(t(title_key, lang, **params))}</h1>'
            f"<p>{escape(t(body_key, lang, **params))}</p>{link_html}</section>"
        )
    title = " / ".join(escape(t(title_key, lang, **params)) for lang in LANGUAGES)
    refresh = ""
    if refresh_to is not None:
        refresh = f'<meta http-equiv="refresh" content="0;url={escape(refresh_to)}">'
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{refresh}<title>{title}</title><style>{_STYLE}</style></head>"
        f"<body>{''.join(sections)}</body></html>\n"
    )


def forbidden_page(participant_path: str) -> str:
    """The 403 page an anonymous visitor sees on any facilitator route."""
    return bilingual_page(
        "page_forbidden_title",
        "page_forbidden_body",
        link=(participant_path, "page_participant_link"),
    )


def opening_console_page(console_path: str) -> str:
    """What the facilitator link answers: opens the console at once, with a link as fallback."""
    return bilingual_page(
        "page_opening_console_title",
        "page_opening_console_body",
        link=(console_path, "page_opening_console_link"),
        refresh_to=console_path,
    )


def opening_table_page(app_path: str, table: int) -> str:
    """What a table link answers: opens the table's app at once, with a link as fallback."""
    return bilingual_page(
        "page_opening_table_title",
        "page_opening_table_body",
        link=(app_path, "page_opening_table_link"),
        refresh_to=app_path,
        table=table,
    )
