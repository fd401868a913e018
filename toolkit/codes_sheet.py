"""The printable sheet of one-time voting codes (``ureshii codes``): one self-contained HTML file.

A pure function of what to print — no store access — so the sheet can be tested and
previewed without issuing codes. The sheet is A4 (CSS ``@page``), two columns by five rows
of cards with dashed cut lines. Each card carries the workshop title, the code in large
monospace type, a QR code of the join link with the code in it (``{url}?code=7KQ4M-XH2RD``,
so a phone that scans it needs no typing), and short instructions in Japanese and English:
residents of either language may get any card. Nothing is fetched from the network: the
styles are inline and each QR code is an inline SVG drawn by ``segno``.

>>> html = render_codes_sheet("鶴見町", ["7KQ4M-XH2RD"], "http://10.0.0.5:8866/p/", "ja")
>>> "7KQ4M-XH2RD" in html and "<svg" in html
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import segno

from toolkit.i18n import LANGUAGES, Lang, normalize_language, t

#: Cards per A4 page: 2 columns × 5 rows of 94.5 mm × 55 mm (a business card is 91 × 55).
COLUMNS = 2
ROWS = 5
CARDS_PER_PAGE = COLUMNS * ROWS
#: QR settings; tests rebuild the expected SVG with the same values. Error correction M
#: (15 %) survives a crease or a smudge on paper; the 4-module quiet zone is the standard's.
QR_ERROR = "m"
QR_BORDER = 4

FONT_FAMILY = '"Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", Meiryo, sans-serif'
MONO_FAMILY = '"Noto Sans Mono CJK JP", "DejaVu Sans Mono", Menlo, Consolas, monospace'

_STYLE = f"""
@page {{ size: A4; margin: 10mm; }}
* {{ box-sizing: border-box; }}
html {{ font-family: {FONT_FAMILY}; color: #000; background: #fff; }}
body {{ margin: 0; }}
.note {{ max-width: 190mm; margin: 6mm auto; padding: 4mm 5mm; border: 0.6mm solid #a00;
  background: #fff6f6; font-size: 11pt; line-height: 1.5; }}
.note p {{ margin: 0 0 2mm; }}
.page {{ width: 189.3mm; margin: 0 auto; display: grid;
  grid-template-columns: repeat({COLUMNS}, 94.5mm); grid-template-rows: repeat({ROWS}, 55mm);
  border-top: 0.3mm dashed #777; border-left: 0.3mm dashed #777;
  break-after: page; page-break-after: always; }}
.page:last-child {{ break-after: auto; page-break-after: auto; }}
.card {{ position: relative; display: flex; align-items: center; gap: 3mm; padding: 4mm;
  overflow: hidden; border-right: 0.3mm dashed #777; border-bottom: 0.3mm dashed #777; }}
svg.qr {{ flex: none; width: 32mm; height: 32mm; shape-rendering: crispEdges; }}
.text {{ min-width: 0; flex: 1; }}
.title {{ font-size: 8pt; font-weight: 700; line-height: 1.25; max-height: 2.5em;
  overflow: hidden; margin: 0 0 1mm; }}
.label {{ font-size: 7pt; margin: 0; }}
.code {{ font-family: {MONO_FAMILY}; font-size: 17pt; font-weight: 700; letter-spacing: 0.03em;
  white-space: nowrap; margin: 0 0 1.5mm; }}
.how {{ font-size: 7.5pt; line-height: 1.3; margin: 0 0 1mm; overflow-wrap: anywhere; }}
.no {{ position: absolute; right: 2mm; bottom: 1.2mm; font-size: 5.5pt; color: #555; }}
@media screen {{
  body {{ background: #ddd; padding-bottom: 10mm; }}
  .page {{ background: #fff; margin-bottom: 8mm; }}
}}
@media print {{ .note {{ display: none; }} }}
"""


def link_with_code(url: str, code: str) -> str:
    """The join link that carries ``code``: what a card's QR code holds.

    >>> link_with_code("http://10.0.0.5:8866/p/", "7KQ4M-XH2RD")
    'http://10.0.0.5:8866/p/?code=7KQ4M-XH2RD'
    """
    return f"{url}{'&' if '?' in url else '?'}code={code}"


def qr_svg(text: str) -> str:
    """``text`` as a QR code: an inline ``<svg>`` (no XML declaration, no namespace, no size:
    the sheet's CSS gives it one)."""
    qr = segno.make(text, error=QR_ERROR, micro=False, boost_error=False)
    svg: str = qr.svg_inline(
        scale=1, border=QR_BORDER, omitsize=True, svgclass="qr", lineclass=None
    )
    return svg


def render_codes_sheet(
    title: str, codes: Sequence[str], url: str, lang: str, *, purpose: str = "vote"
) -> str:
    """The printable HTML sheet for ``codes`` (as printed, e.g. ``7KQ4M-XH2RD``).

    ``title`` is the workshop's title, ``url`` the participants' join link, ``lang`` the
    sheet's main language ("ja" or "en"); every card carries both languages, the main one
    first. ``purpose`` ("vote" or "survey") chooses the card's words. Returns one HTML
    document with no external resources.
    """
    main: Lang = normalize_language(lang)
    other: Lang = next(language for language in LANGUAGES if language != main)
    pages = math.ceil(len(codes) / CARDS_PER_PAGE)
    words = "codes_" if purpose == "vote" else "codes_survey_"
    cards = [
        _card(title, code, url, n, len(codes), main, other, words) for n, code in enumerate(codes)
    ]
    sheets = [
        '<section class="page">' + "".join(cards[i : i + CARDS_PER_PAGE]) + "</section>"
        for i in range(0, len(cards), CARDS_PER_PAGE)
    ]
    note = "".join(
        f'<p lang="{language}">'
        f"{escape(t(words + 'sheet_note', language, count=len(codes), pages=pages))}</p>"
        for language in (main, other)
    )
    head_title = escape(t(words + "sheet_title", main, title=title))
    return (
        f'<!doctype html>\n<html lang="{main}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{head_title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f'<div class="note">{note}</div>\n' + "\n".join(sheets) + "\n</body>\n</html>\n"
    )


def _card(
    title: str, code: str, url: str, n: int, total: int, main: Lang, other: Lang, words: str
) -> str:
    instructions = "".join(
        f'<p class="how" lang="{language}">{escape(t("codes_card_scan", language, url=url))}'
        f"<br>{escape(t(words + 'card_once', language))}</p>"
        for language in (main, other)
    )
    return (
        '<div class="card">' + qr_svg(link_with_code(url, code)) + '<div class="text">'
        f'<p class="title">{escape(title)}</p>'
        f'<p class="label">{escape(t(words + "card_label", main))} / '
        f'<span lang="{other}">{escape(t(words + "card_label", other))}</span></p>'
        f'<p class="code">{escape(code)}</p>'
        f"{instructions}</div>"
        f'<span class="no">{n + 1}/{total}</span></div>'
    )
