"""Printable materials for the day (``ureshii print``): A4 sheets as self-contained HTML.

Five kinds of sheet (:data:`SHEETS`), each one HTML file of A4 pages, one sheet per page:

- ``tables``: per table, its number, its table link as a QR code and as text, and what the
  table does in each phase;
- ``cards``: per stakeholder, boxes to write happiness cards by hand (地域のうれしい /
  職員のうれしい);
- ``methods``: the workshop's candidate methods as cards (what, strengths, risks, minutes);
- ``consent``: the fist-of-five scale, levels 5 to 0;
- ``ballots``: one paper ballot per printed one-time code and town-meeting ballot.

Like the codes sheet (:mod:`toolkit.codes_sheet`) a file fetches nothing: styles are inline,
QR codes are inline SVG drawn by ``segno``, Japanese uses the installed CJK fonts by name.
:func:`toolkit.printables.document.sheet_pages` reads what a sheet needs from the store;
:func:`toolkit.printables.document.render_document` wraps pages into the file;
:mod:`toolkit.printables.sheets` draws each kind. This module stays light (no segno, no
store): the ``ureshii`` command reads its names to build its help.
"""

from __future__ import annotations

from typing import Literal

SheetKind = Literal["tables", "cards", "methods", "consent", "ballots"]
SHEETS: tuple[SheetKind, ...] = ("tables", "cards", "methods", "consent", "ballots")
"""Every kind of sheet, in the order of the day."""
DEFAULT_TABLES = 6
"""Tables printed when not told (as the console lists at first)."""

__all__ = ["DEFAULT_TABLES", "SHEETS", "SheetKind"]
