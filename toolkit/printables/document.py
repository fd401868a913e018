"""One printable file: the A4 page shell and styles, and what each sheet reads from the store.

>>> html = render_document("鶴見町", "consent", sheets.consent_sheets("ja"), "ja")
>>> html.count('<section class="sheet'), "http" in html.replace("http-equiv", "")
(1, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any
from urllib.parse import urlsplit

from toolkit.ballots import option_label, option_names
from toolkit.codes_sheet import FONT_FAMILY, MONO_FAMILY
from toolkit.i18n import t
from toolkit.printables import SHEETS, sheets
from toolkit.printables.sheets import TableLink

_STYLE = f"""
@page {{ size: A4; margin: 10mm; }}
* {{ box-sizing: border-box; }}
html {{ font-family: {FONT_FAMILY}; color: #000; background: #fff; font-size: 11pt; }}
body {{ margin: 0; }}
h1, h2, h3, p, ol {{ margin: 0; }}
.note {{ max-width: 190mm; margin: 6mm auto; padding: 4mm 5mm; border: 0.6mm solid #a00;
  background: #fff6f6; line-height: 1.5; }}
.sheet {{ width: 190mm; height: 276mm; margin: 0 auto; padding: 2mm 4mm; overflow: hidden;
  display: flex; flex-direction: column; gap: 4mm; position: relative;
  break-after: page; page-break-after: always; break-inside: avoid; }}
.sheet:last-child {{ break-after: auto; page-break-after: auto; }}
.top {{ display: flex; justify-content: space-between; font-size: 8pt; color: #444;
  border-bottom: 0.3mm solid #999; padding-bottom: 1mm; }}
.small {{ font-size: 9pt; line-height: 1.45; color: #222; }}
.prompt {{ font-size: 14pt; line-height: 1.45; }}
svg.qr {{ width: 100%; height: 100%; shape-rendering: crispEdges; }}
.table-no {{ font-size: 44pt; text-align: center; padding: 4mm 0; border: 1mm solid #000;
  border-radius: 4mm; }}
.table-link {{ display: flex; gap: 6mm; align-items: center; }}
.qr-big {{ flex: none; width: 70mm; height: 70mm; margin: 0; }}
.table-link p {{ margin-bottom: 3mm; line-height: 1.45; }}
.url {{ font-family: {MONO_FAMILY}; font-size: 9pt; overflow-wrap: anywhere; }}
.steps {{ padding-left: 7mm; display: flex; flex-direction: column; gap: 3mm;
  font-size: 12pt; line-height: 1.45; }}
.steps b {{ display: block; }}
.band {{ font-size: 12pt; font-weight: 700; padding: 2mm 4mm; background: #eee;
  border-left: 3mm solid #000; print-color-adjust: exact; -webkit-print-color-adjust: exact; }}
.stakeholder {{ font-size: 28pt; }}
.boxes {{ flex: 1; display: grid; grid-template-columns: 1fr 1fr; grid-auto-rows: 1fr;
  border-top: 0.3mm dashed #777; border-left: 0.3mm dashed #777; }}
.box {{ position: relative; border-right: 0.3mm dashed #777; border-bottom: 0.3mm dashed #777; }}
.box .who {{ position: absolute; left: 3mm; top: 2mm; font-size: 7.5pt; color: #555; }}
.box .glad {{ position: absolute; right: 3mm; bottom: 2mm; font-size: 9pt; color: #555; }}
.methods {{ flex: 1; display: grid; grid-template-columns: 1fr 1fr;
  grid-template-rows: repeat(2, minmax(0, 1fr));
  gap: 4mm; }}
.method {{ border: 0.5mm solid #000; border-radius: 3mm; padding: 4mm; overflow: hidden;
  display: flex; flex-direction: column; gap: 1.5mm; font-size: 9.5pt; line-height: 1.4; }}
.method h2 {{ font-size: 14pt; }}
.method h3 {{ font-size: 9pt; margin-top: 1mm; }}
.method .minutes {{ margin-top: auto; font-weight: 700; }}
.scale {{ list-style: none; padding: 0; display: flex; flex-direction: column; gap: 3mm; }}
.level {{ display: flex; align-items: center; gap: 6mm; border: 0.4mm solid #000;
  border-radius: 3mm; padding: 3mm 5mm; }}
.fingers {{ flex: none; width: 22mm; font-size: 40pt; font-weight: 700; text-align: center; }}
.level .words {{ font-size: 17pt; line-height: 1.35; }}
.level-0 {{ border-width: 1mm; }}
.ballot {{ flex: 1; min-height: 0; position: relative; overflow: hidden; display: flex;
  flex-direction: column; gap: 3mm; }}
.ballot + .ballot {{ border-top: 0.3mm dashed #777; padding-top: 4mm; }}
.ballot-head {{ display: flex; justify-content: space-between; gap: 6mm; align-items: start; }}
.ballot-title {{ font-size: 18pt; line-height: 1.3; margin-bottom: 2mm; }}
.label {{ font-size: 9pt; }}
.code {{ font-family: {MONO_FAMILY}; font-size: 22pt; font-weight: 700; letter-spacing: 0.04em; }}
.qr-small {{ flex: none; width: 30mm; height: 30mm; margin: 0; }}
.options {{ list-style: none; padding: 0; display: flex; flex-direction: column; }}
.option {{ display: flex; align-items: center; gap: 5mm; padding: 2mm 0;
  border-bottom: 0.3mm solid #999; font-size: 13pt; line-height: 1.3; }}
.option .label {{ flex: 1; font-size: 13pt; }}
.option .cost {{ font-size: 10pt; white-space: nowrap; }}
.mark {{ flex: none; display: inline-block; border: 0.5mm solid #000; }}
.mark.circle {{ width: 8mm; height: 8mm; border-radius: 50%; }}
.mark.square {{ width: 8mm; height: 8mm; }}
.mark.write {{ width: 16mm; height: 9mm; }}
.mark.scale {{ border: none; display: flex; gap: 1.5mm; }}
.mark.scale span {{ display: inline-block; width: 8mm; height: 8mm; line-height: 7mm;
  text-align: center; border: 0.3mm solid #000; border-radius: 50%; font-size: 10pt; }}
.page-no {{ position: absolute; right: 0; bottom: 0; font-size: 7pt; color: #555; }}
@media screen {{
  body {{ background: #ddd; padding-bottom: 10mm; }}
  .sheet {{ background: #fff; margin-bottom: 8mm; }}
}}
@media print {{ .note {{ display: none; }} }}
"""


def render_document(title: str, kind: str, pages: Sequence[str], lang: str) -> str:
    """One HTML file holding ``pages`` (from :mod:`toolkit.printables.sheets`), A4, with a
    note on screen (not printed) on how to print it."""
    what = t(f"print_sheet_{kind}", lang)
    head_title = escape(t("print_document_title", lang, title=title, what=what))
    note = escape(t("print_screen_note", lang, sheets=len(pages)))
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{head_title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f'<div class="note">{note}</div>\n<main>' + "\n".join(pages) + "</main>\n</body>\n</html>\n"
    )


def split_base_url(base_url: str) -> tuple[str, str]:
    """``("http://host:port", "/path/")`` of the server's address.

    >>> split_base_url("http://192.168.10.23:8866")
    ('http://192.168.10.23:8866', '/')
    >>> split_base_url("https://dx.example.jp/ureshii/")
    ('https://dx.example.jp', '/ureshii/')
    """
    parts = urlsplit(base_url)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}", path


def join_link(base_url: str) -> str:
    """The participants' join link on the server at ``base_url``.

    >>> join_link("http://192.168.10.23:8866/")
    'http://192.168.10.23:8866/p/'
    """
    origin, path = split_base_url(base_url)
    return f"{origin}{path}p/"


def table_links(store: Any, slug: str, *, key: str, base_url: str, tables: int) -> list[TableLink]:
    """The current link of tables 1 to ``tables`` (as the console shows them), under the
    table-link ``key`` derived from the facilitator secret."""
    from toolkit.server.table_links import table_link

    origin, path = split_base_url(base_url)
    return [
        TableLink(n, origin + table_link(key, path, slug, n, store.table_link_generation(slug, n)))
        for n in range(1, tables + 1)
    ]


def town_meeting_ballots(store: Any, slug: str) -> list[Any]:
    """The ballots residents vote on (purpose ``town_meeting``), in the store's order."""
    return [b for b in store.ballots(slug) if b.purpose == "town_meeting"]


def sheet_pages(
    store: Any,
    slug: str,
    kind: str,
    lang: str,
    *,
    links: Sequence[TableLink] = (),
    codes: Sequence[str] = (),
    join_url: str = "",
) -> list[str]:
    """The pages of one kind of sheet for workshop ``slug``. ``links`` (tables) and
    ``codes`` with ``join_url`` (ballots) are given by the caller: they come from the
    facilitator secret and from codes issued for this print."""
    workshop = store.workshop(slug)
    title = workshop.title
    if kind == "tables":
        phases = [p["id"] for p in workshop.spec.get("phases") or []] or list(sheets.PHASES)
        return sheets.table_sheets(title, links, phases, lang)
    if kind == "cards":
        return sheets.card_sheets(title, store.stakeholders(slug), lang)
    if kind == "methods":
        return sheets.method_sheets(title, workshop.spec.get("methods") or [], lang)
    if kind == "consent":
        return sheets.consent_sheets(lang, title)
    if kind == "ballots":
        ballots = town_meeting_ballots(store, slug)
        names = option_names(store.issues(slug), store.themes(slug), store.criteria(slug))
        labels = {o: option_label(b.purpose, o, lang, names) for b in ballots for o in b.options}
        return sheets.ballot_sheets(title, ballots, labels, codes, join_url, lang)
    raise ValueError(f"not a kind of sheet: {kind!r} (one of {', '.join(SHEETS)})")
